"""What GraMixC costs next to its downstream predictor: fit time ratio and peak memory.

For each n (d = 50 structured features with a real signal: 100 fine clusters in 10
super-clusters, the target living on the fine clusters plus a weak linear term), in
ONE run on the same machine:

* XGBoost (400 trees) alone: fit time, peak memory, held-out R²;
* ``make_pipeline(GraMixC(), XGBoost)``: fit time, peak memory, held-out R², the
  feature set GraMixC's gate chose, and GraMixC's own time per stage.

Every measurement runs in a fresh subprocess, so the peak resident memory
(``ru_maxrss``) belongs to that fit alone. Threads: ``n_jobs=2`` for XGBoost and
for GraMixC (Leiden sweep processes, neighbour queries, torch) — run it on an
otherwise idle machine.

Usage::

    python benchmarks/bench_cost.py                   # n = 5,000, 20,000, 100,000
    python benchmarks/bench_cost.py --n 15000 20000   # other sizes

Prints a markdown table (``benchmarks/results/bench_cost.txt`` holds the last run).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _results import write_results

#: XGBoost's defaults with 400 trees (the predictor a user would pipe GraMixC into).
XGB_PARAMS = dict(n_estimators=400, n_jobs=2)


def make_data(n: int, seed: int = 0):
    """``n`` rows of 50 features: 100 fine clusters; y = cluster effect + weak linear term."""
    import numpy as np

    from gramixc.synthetic import make_cluster_regression

    X, y, _ = make_cluster_regression(n_super=10, n_sub=10, n_per_cluster=n // 100,
                                      n_features=50, random_state=seed)
    rng = np.random.default_rng(seed)
    y = y + 0.3 * X[:, 0] + 0.2 * rng.normal(size=len(y))
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


def _child(kind: str, n: int) -> dict:
    """One measurement (run in a subprocess)."""
    import resource

    import numpy as np
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from xgboost import XGBRegressor

    from gramixc import GraMixC

    X, y = make_data(n)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    xgb = XGBRegressor(random_state=0, **XGB_PARAMS)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    if kind == "xgboost":
        model = xgb.fit(Xtr, ytr)
        extra = {}
    else:
        model = make_pipeline(GraMixC(n_jobs=2, random_state=0), xgb).fit(Xtr, ytr)
        g = model[0]
        extra = {"chosen": g.feature_set_, "stages": {k: round(v, 2)
                                                      for k, v in g.timings_.items()},
                 "n_configurations": int(len(g.selected_))}
    fit_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r2 = float(r2_score(yte, model.predict(Xte)))
    return {"kind": kind, "n": n, "fit_s": fit_s, "peak_mb": peak, "base_mb": before,
            "r2": r2, **extra, "n_train": len(ytr), "rows": int(np.size(ytr))}


def measure(kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[5_000, 20_000, 100_000])
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]))))
        return
    lines = []

    def emit(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    emit("| n (train rows) | XGBoost fit (s) | XGBoost peak (MB) | R² XGBoost | "
          "GraMixC + XGBoost fit (s) | peak (MB) | R² GraMixC + XGBoost | **fit ratio** | "
         "chosen | GraMixC stages (s) |")
    emit("|---|---|---|---|---|---|---|---|---|---|")
    for n in args.n:
        a = measure("xgboost", n)
        g = measure("gramixc", n)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in g["stages"].items())
        emit(f"| {n:,} ({a['n_train']:,}) | {a['fit_s']:.1f} | {a['peak_mb']:.0f} | "
              f"{a['r2']:.3f} | {g['fit_s']:.1f} | {g['peak_mb']:.0f} | {g['r2']:.3f} | "
             f"**{g['fit_s'] / a['fit_s']:.1f}×** | {g['chosen']} | {stages} |")
    write_results("bench_cost.txt", "\n".join(lines))


if __name__ == "__main__":
    main()
