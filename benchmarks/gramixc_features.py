"""GraMixC's exported features: compact (default) vs ``features="target"``.

The suite (``gramixc bench``) found that the plain cross-fitted per-configuration
target encoding (``+TE``) beat GraMixC's compact output (fusion prediction + [CLS])
on the NCBI 16S set. ``GraMixC(features="target")`` exports those target means next to
the compact columns. This script measures it on the suite's folds (same splits, same
per-fold graph metric, same seeds, same XGBoost / Ridge), both as the estimator decides
(``n_configurations="auto"``: the do-no-harm check may drop the columns) and forced on
(the same fitted features kept regardless of the check), from ONE fit per fold.

Usage::

    python benchmarks/gramixc_features.py                      # all regression/classification
    python benchmarks/gramixc_features.py --datasets diabetes 16s_gold

Prints a markdown table (paired Δ to the predictor alone, mean ± std over 5 folds).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

DEFAULT = ["16s_ncbi", "16s_gold", "16s_gold_random", "diabetes", "boston", "wine",
           "breast_cancer", "digits", "abalone", "qm9"]


def run(name: str, n_folds: int = 5, seed: int = 0) -> dict:
    from gramixc import GraMixC
    from gramixc.bench import (
        choose_metric,
        load_bench_data,
        make_predictor,
        outer_splits,
        score,
    )

    bd = load_bench_data(name, quick=False)
    X, y, task = bd.X, bd.y, bd.task
    splits = outer_splits(X, y, task, bd.groups, n_folds, seed)
    key = "r2" if task == "regression" else "accuracy"
    res: dict = {}
    used = []
    t0 = time.perf_counter()
    for fold, (tr, te) in enumerate(splits):
        fs = seed * 100 + fold
        Xtr, Xte, ytr, yte = X[tr], X[te], y[tr], y[te]
        gtr = bd.groups[tr] if bd.groups is not None else None
        metric = bd.metric
        if metric == "choose":
            metric, _ = choose_metric(Xtr, ytr, task, gtr, fs)
        gmx = GraMixC(metric=metric, task=task, features="target", random_state=fs)
        # one fit, two readings: the estimator's own decision and the features forced on
        Xc, y_enc, seeds = gmx._prepare(Xtr, ytr, gtr)
        added = gmx._crossfit(Xc, y_enc, seeds)
        used.append(bool(gmx.use_configurations_))
        gmx.use_configurations_ = True
        Ztr = gmx._assemble(Xc, added, ids=gmx._train_ids_loo())
        Zte = gmx.transform(Xte)
        for kind in ("xgboost", "linear"):
            s_alone = score(task, yte, make_predictor(kind, task, fs).fit(Xtr, ytr), Xte)[key]
            s_forced = score(task, yte, make_predictor(kind, task, fs).fit(Ztr, ytr), Zte)[key]
            s_auto = s_forced if used[-1] else s_alone
            for v, s in (("alone", s_alone), ("target auto", s_auto),
                         ("target forced", s_forced)):
                res.setdefault((kind, v), []).append(s)
        print(f"  {name} fold {fold}: kept={used[-1]} ({time.perf_counter() - t0:.0f} s)",
              flush=True)
    return {"res": res, "used": used, "key": key}


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", nargs="+", default=DEFAULT)
    args = p.parse_args(argv)
    lines = ["| dataset | predictor | alone | + GraMixC target (auto): Δ, folds kept "
             "| + GraMixC target (forced): Δ, folds better |", "|---|---|---|---|---|"]
    for name in args.datasets:
        out = run(name)
        for kind in ("xgboost", "linear"):
            a = np.array(out["res"][(kind, "alone")])
            cells = []
            for v in ("target auto", "target forced"):
                d = np.array(out["res"][(kind, v)]) - a
                extra = (f"{sum(out['used'])}/{len(a)} kept" if v == "target auto"
                         else f"{int((d > 0).sum())}/{len(a)}")
                cells.append(f"{d.mean():+.3f} ± {d.std():.3f} ({extra})")
            lines.append(f"| {name} | {kind} | {a.mean():.3f} | {cells[0]} | {cells[1]} |")
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
