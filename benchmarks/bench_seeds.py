"""Seed-to-seed stability of GraMixC's gain: the suite's protocol, several seeds, lean.

For one dataset of the suite (default: NCBI 16S, species-grouped folds) and every
seed, the suite's outer folds of that seed are rebuilt and, per fold, XGBoost and
Ridge / logistic regression are fitted on ``X`` alone, with the peers ``+TE``,
``+kNN mean`` and ``+1 config``, and after ``GraMixC()`` (default settings, seeded by
the fold) — the same rows, seeds and models as ``python benchmarks/run.py``
(``benchmarks/suite.py``), without the other variants. A seed changes the outer folds
and every model's seed.

Usage::

    python benchmarks/bench_seeds.py                          # 16s_ncbi, seeds 0 1 2
    python benchmarks/bench_seeds.py --dataset diabetes --seeds 0 1 2 3
    python benchmarks/bench_seeds.py --datasets diabetes boston wine breast_cancer \
        abalone --predictors xgboost                          # one table per dataset

Prints the paired Δ over the predictor alone per seed and the mean ± std over seeds;
raw rows in ``benchmarks/results/seeds_<dataset>.json``, the table in
``benchmarks/results/bench_seeds_<dataset>.txt``.

``--goal`` (no fitting) reads those files for every dataset that has them and tables
the suite's goal over seeds: GraMixC's mean Δ over the seeds against the best peer's
(the peers' means over the same seeds), within 0.005 of it, above 0
(``benchmarks/results/bench_seeds_goal.txt``)::

    python benchmarks/bench_seeds.py --goal --predictors xgboost
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from _results import write_results

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ("alone", "+TE", "+kNN mean", "+1 config", "+GraMixC")
PEERS = ("+TE", "+kNN mean", "+1 config")


def run_seed(bd, seed: int, predictors, log=print) -> list[dict]:
    from suite import (
        FoldFeatures,
        _choose_single,
        _hstack,
        _timed_fit_score,
        gramixc_extractor,
        make_predictor,
        outer_folds,
    )

    from gramixc import GraMixC

    rows = []
    for of in outer_folds(bd, 5, seed):
        fold, fold_seed, metric, gtr = of.fold, of.seed, of.metric, of.groups
        Xtr, Xte, ytr, yte = of.Xtr, of.Xte, of.ytr, of.yte
        ff = FoldFeatures(Xtr, ytr, Xte, bd.task, metric, fold_seed, groups=gtr)
        t0 = time.perf_counter()
        gmx = GraMixC(extractor=gramixc_extractor(metric), task=bd.task, random_state=fold_seed)
        Ztr = gmx.fit_transform(Xtr, ytr, groups=gtr)
        Zte = gmx.transform(Xte)
        t_gmx = time.perf_counter() - t0
        log(f"  seed {seed} fold {fold}: GraMixC {t_gmx:.1f}s chose {gmx.feature_set_!r}")
        blocks = {"alone": (Xtr, Xte), "+TE": (_hstack(Xtr, ff.te_tr), _hstack(Xte, ff.te_te)),
                  "+kNN mean": (_hstack(Xtr, ff.knn_tr), _hstack(Xte, ff.knn_te)),
                  "+GraMixC": (Ztr, Zte)}
        for kind in predictors:
            j = _choose_single(ff, kind, Xtr, ytr, bd.task, fold_seed)  # as the suite's
            blocks["+1 config"] = (_hstack(Xtr, ff.te_single(j, True)),
                                   _hstack(Xte, ff.te_single(j, False)))
            for variant, (Ftr, Fte) in blocks.items():
                s = _timed_fit_score(make_predictor(kind, bd.task, fold_seed), Ftr, ytr, Fte,
                                     yte, bd.task)
                rows.append({"dataset": bd.name, "seed": seed, "fold": fold, "task": bd.task,
                             "predictor": kind, "variant": variant, "metric_used": metric,
                             **s, **({"chosen": gmx.feature_set_, "gramixc_s": t_gmx}
                                     if variant == "+GraMixC" else {})})
    return rows


def deltas(rows, seed, kind, variant, key):
    alone = {r["fold"]: r[key] for r in rows
             if r["seed"] == seed and r["predictor"] == kind and r["variant"] == "alone"}
    return [r[key] - alone[r["fold"]] for r in rows
            if r["seed"] == seed and r["predictor"] == kind and r["variant"] == variant]


def table(rows, name: str, task: str, seeds, predictors) -> str:
    """Per predictor and variant: Δ per seed, mean and std over seeds, GraMixC's choices."""
    from collections import Counter

    key = "r2" if task == "regression" else "accuracy"
    lines = ["| predictor | variant | " + " | ".join(f"seed {s}: Δ{key}" for s in seeds)
             + " | mean over seeds | std over seeds | chosen (GraMixC) |",
             "|---|---|" + "---|" * (len(seeds) + 3)]
    for kind in predictors:
        for variant in VARIANTS[1:]:
            if not deltas(rows, seeds[0], kind, variant, key):
                continue  # a variant older result files lack
            per = [float(np.mean(deltas(rows, s, kind, variant, key))) for s in seeds]
            chosen = ""
            if variant == "+GraMixC":
                got = Counter(r["chosen"] for r in rows
                              if r["predictor"] == kind and r["variant"] == variant)
                chosen = ", ".join(f"{c} {n}" for c, n in got.most_common())
            lines.append(f"| {kind} | {variant} | " + " | ".join(f"{d:+.3f}" for d in per)
                         + f" | **{np.mean(per):+.3f}** | {np.std(per):.3f} | {chosen} |")
    lines.append(f"\n{name}, {len(seeds)} seeds × 5 outer folds; Δ = paired "
                 f"difference to the same predictor alone, mean over the folds of a seed.")
    return "\n".join(lines)


def goal_table(results: dict, kind: str = "xgboost", margin: float = 0.005) -> str:
    """The suite's goal over seeds, from ``{dataset: rows}`` (``seeds_<dataset>.json``).

    Per dataset: GraMixC's Δ over ``kind`` alone and every peer's, each the mean over
    the seeds of the 5-fold mean (seeds every variant has); GraMixC within ``margin``
    of the best peer, and above 0. The counts close the table.
    """
    lines = ["| dataset | seeds | GraMixC Δ (mean over seeds) | std over seeds | best peer | "
             f"within {margin} of it | Δ > 0 |", "|---|---|---|---|---|---|---|"]
    within = above = total = 0
    for name, rows in results.items():
        rows = [r for r in rows if r["predictor"] == kind]
        if not rows:
            continue
        key = "r2" if rows[0]["task"] == "regression" else "accuracy"
        peers = [p for p in PEERS if any(r["variant"] == p for r in rows)]
        seeds = sorted({r["seed"] for r in rows if r["variant"] == "+GraMixC"}
                       & {r["seed"] for r in rows if r["variant"] in peers})
        if not seeds:
            continue

        def mean_over(variant, seeds=seeds, rows=rows, key=key):
            per = [float(np.mean(deltas(rows, s, kind, variant, key))) for s in seeds]
            return float(np.mean(per)), float(np.std(per))

        g, g_sd = mean_over("+GraMixC")
        best, best_d = max(((p, mean_over(p)[0]) for p in peers), key=lambda t: t[1])
        ok, pos = g >= best_d - margin, g > 0
        within, above, total = within + ok, above + pos, total + 1
        missing = "" if len(peers) == len(PEERS) else " (no " + ", ".join(
            p for p in PEERS if p not in peers) + ")"
        lines.append(f"| {name} | {len(seeds)} | {g:+.4f} | {g_sd:.4f} | {best} "
                     f"{best_d:+.4f}{missing} | {'yes' if ok else 'no'} | "
                     f"{'yes' if pos else 'no'} |")
    lines.append(f"\n{kind}: GraMixC within {margin} of the best peer on {within} of {total} "
                 f"datasets, above {kind} alone on {above} of {total} (means over seeds of "
                 "the paired 5-fold means; best peer = the peer with the best mean over "
                 "the same seeds).")
    return "\n".join(lines)


def _read_results() -> dict:
    """``{dataset: rows}`` of every ``benchmarks/results/seeds_<dataset>.json``."""
    import _results

    out = {}
    for fn in sorted(os.listdir(_results.RESULTS)):
        if fn.startswith("seeds_") and fn.endswith(".json"):
            with open(os.path.join(_results.RESULTS, fn)) as fh:
                out[fn[len("seeds_"):-len(".json")]] = json.load(fh)
    return out


def main(argv=None) -> None:
    from suite import load_bench_data

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", "--datasets", dest="datasets", nargs="+",
                    default=["16s_ncbi"], help="suite datasets, one table each")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--predictors", nargs="+", default=["xgboost", "linear"])
    ap.add_argument("--goal", action="store_true",
                    help="only table the goal over seeds from the saved results")
    args = ap.parse_args(argv)
    if args.goal:
        text = "\n\n".join(goal_table(_read_results(), kind) for kind in args.predictors)
        print(text)
        write_results("bench_seeds_goal.txt", text)
        return
    for name in args.datasets:
        bd = load_bench_data(name, False)
        print(f"{bd.name}: {bd.note}", flush=True)
        rows = []
        for seed in args.seeds:
            rows += run_seed(bd, seed, args.predictors, log=lambda m: print(m, flush=True))
        write_results(f"seeds_{bd.name}.json", json.dumps(rows, indent=1))
        text = table(rows, bd.name, bd.task, args.seeds, args.predictors)
        print(text)
        write_results(f"bench_seeds_{bd.name}.txt", text)


if __name__ == "__main__":
    main()
