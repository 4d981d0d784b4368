"""Fit time against the number of classes: GraMixC's default against XGBoost, one run.

The question: with gradient boosting as the gate's reference, GraMixC's fit
grew with the number of classes (one tree per class and boosting step; n = 600, 4
features, the gate alone: 10 classes 20 s, 40 classes 286 s). For more than
``gramixc.targets.MANY_CLASSES`` classes the gate's reference is a random forest and
``n_configurations="auto"`` mixes at most ``CLASS_COLUMNS // C`` configurations; the goal
is GraMixC's fit within 5× an XGBoost fit on the same data at 40 classes.

Data: ``C`` Gaussian class centres in 4 dimensions (spread 3, unit noise), ``n`` rows,
classes drawn uniformly. XGBoost: the suite's settings (300 trees, learning rate 0.05,
depth 6), one thread; GraMixC: the default, ``task="classification"``, one thread (as
XGBoost). Every fit in this process, one after the other.

Usage::

    python benchmarks/bench_classes.py                 # C = 2, 10, 20, 40 at n = 600
    python benchmarks/bench_classes.py --classes 40 --n 600 1200

Results in ``benchmarks/results/bench_classes.txt``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _results import write_results  # noqa: E402


def make_data(n_classes: int, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    X = rng.normal(size=(n_classes, 4))[y] * 3 + rng.normal(size=(n, 4))
    return X, y


def measure(n_classes: int, n: int) -> dict:
    from xgboost import XGBClassifier

    from gramixc import GraMixC
    from gramixc.gate import default_reference

    X, y = make_data(n_classes, n)
    t0 = time.perf_counter()
    XGBClassifier(n_estimators=300, learning_rate=0.05, max_depth=6, n_jobs=1,
                  random_state=0).fit(X, y)
    t_xgb = time.perf_counter() - t0
    t0 = time.perf_counter()
    g = GraMixC(task="classification", random_state=0).fit(X, y)
    t_gmx = time.perf_counter() - t0
    return {"classes": n_classes, "n": n, "xgboost_s": t_xgb, "gramixc_s": t_gmx,
            "ratio": t_gmx / t_xgb, "gate_s": g.timings_["gate"],
            "configurations": len(g.selected_), "chosen": g.feature_set_,
            "reference": type(default_reference("classification", 0, n_classes)).__name__}


def main(argv=None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--classes", type=int, nargs="+", default=[2, 10, 20, 40])
    ap.add_argument("--n", type=int, nargs="+", default=[600])
    ap.add_argument("--no-save", action="store_true", help="print only (the smoke test)")
    args = ap.parse_args(argv)
    lines = ["| classes | n | XGBoost fit (s) | GraMixC fit (s) | ratio | gate (s) | "
             "gate reference | configurations mixed | chosen |",
             "|---|---|---|---|---|---|---|---|---|"]
    for n in args.n:
        for c in args.classes:
            r = measure(c, n)
            lines.append(f"| {c} | {n} | {r['xgboost_s']:.2f} | {r['gramixc_s']:.2f} | "
                         f"{r['ratio']:.1f}× | {r['gate_s']:.2f} | {r['reference']} | "
                         f"{r['configurations']} | {r['chosen']} |")
            print(lines[-1], flush=True)
    text = ("GraMixC (default, task='classification') fit against XGBoost (300 trees), one "
            "thread each, one run\n\n" + "\n".join(lines))
    if not args.no_save:
        write_results("bench_classes.txt", text)
    print(text)
    return text


if __name__ == "__main__":
    main()
