"""Cross-fitting noise of neighbour target means, and what reduces it.

The kNN target mean (the suite's ``+kNN mean`` peer, GraMixC's ``neighbors`` block)
of a training row reads its nearest rows *outside its cross-fitting fold*; which rows
those are depends on the fold assignment, and the downstream score moves with it
(``docs/suite_findings.md``: the same peer, three fold seeds, +0.011 … +0.033 on
diabetes). This script measures, for several cross-fitting schemes, the mean and the
seed-to-seed spread of XGBoost's paired gain:

``single``    one K-fold split; training rows out-of-fold, test rows from all rows
              (what the suite and GraMixC do today);
``bagged``    one K-fold split; test rows averaged over the K fold encoders (each
              test row reads its k nearest rows outside fold f, for every f), so
              test features are built like training features;
``repeat``    R K-fold splits; training rows averaged over them, test from all rows;
``repeat+bagged``  R splits; training rows averaged, test rows averaged over all
              R × K fold encoders.

Everything else is the suite's: datasets and outer folds (``benchmarks/suite.py``),
the graph metric chosen on the training rows, means over 5/15/50/150 neighbours on
standardised features, XGBoost with the suite's parameters. Per dataset: for each of
``--seeds`` cross-fitting seeds the mean paired Δ over the outer folds; the table shows
the mean over seeds ± their standard deviation.

Usage::

    python benchmarks/bench_crossfit.py                      # 4 small sets, 5 seeds (~4 min)
    python benchmarks/bench_crossfit.py --datasets 16s_gold 16s_ncbi --seeds 3   # slow

(16S gold: about 200 s per outer fold at 5 seeds — 1,280 features, 21 XGBoost fits.)
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _results import write_results

SIZES = (5, 15, 50, 150)
SCHEMES = ("single", "bagged", "repeat", "repeat+bagged")
DATASETS = ["diabetes", "boston", "abalone", "breast_cancer"]


def neighbour_means(nb_tr, nb_te, y, splits, bag_test: bool, n_classes: int = 0):
    """``(train, test)`` means ``(n, len(SIZES) * q)`` for the fold vectors ``splits``,
    computed by GraMixC's own :class:`~gramixc.target_stats.NeighborTargetEncoder`:
    training rows out-of-fold (averaged over the splits), test rows from all rows or,
    with ``bag_test``, averaged over the fold encoders (``bag_folds=True``)."""
    from gramixc.target_stats import NeighborTargetEncoder

    enc = NeighborTargetEncoder(SIZES, n_classes=n_classes, bag_folds=bag_test)
    tr = enc.fit_crossfit(y, nb_tr, list(splits))
    te = enc.transform(nb_te)
    return tr.reshape(len(tr), -1), te.reshape(len(te), -1)


def run_dataset(name: str, n_seeds: int, repeats: int, log) -> list[dict]:
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import LabelEncoder, StandardScaler
    from suite import choose_metric, load_bench_data, make_predictor, outer_splits, score

    from gramixc.target_stats import fold_ids

    bd = load_bench_data(name, quick=False)
    key = "r2" if bd.task == "regression" else "accuracy"
    rows = []
    for fold, (tr, te) in enumerate(outer_splits(bd.X, bd.y, bd.task, bd.groups)):
        t0 = time.perf_counter()
        gtr = None if bd.groups is None else bd.groups[tr]
        metric = (choose_metric(bd.X[tr], bd.y[tr], bd.task, gtr, fold)[0]
                  if bd.metric == "choose" else bd.metric)
        sc = StandardScaler().fit(bd.X[tr])
        Xs_tr, Xs_te = sc.transform(bd.X[tr]), sc.transform(bd.X[te])
        if bd.task == "classification":
            le = LabelEncoder().fit(bd.y[tr])
            y_enc, n_classes = le.transform(bd.y[tr]), len(le.classes_)
        else:
            y_enc, n_classes = np.asarray(bd.y[tr], dtype=np.float64), 0
        n = len(tr)
        depth = min(n - 1, 4 * max(SIZES))  # grouped folds: own group crowds the nearest
        nn = NearestNeighbors(n_neighbors=depth + 1, metric=metric).fit(Xs_tr)
        nb_tr = nn.kneighbors(Xs_tr, return_distance=False)
        # drop each row itself (first column unless a twin sits at distance 0)
        own = nb_tr == np.arange(n)[:, None]
        own[:, -1] |= ~own.any(axis=1)
        nb_tr = nb_tr[~own].reshape(n, depth)
        nb_te = nn.kneighbors(Xs_te, n_neighbors=depth, return_distance=False)
        base = make_predictor("xgboost", bd.task, fold).fit(bd.X[tr], bd.y[tr])
        alone = score(bd.task, bd.y[te], base, bd.X[te])[key]
        for s in range(n_seeds):
            seed_base = 1000 * s + fold
            splits = [fold_ids(n, 5, seed_base + 7919 * r, groups=gtr) for r in range(repeats)]
            for scheme in SCHEMES:
                use = splits if scheme.startswith("repeat") else splits[:1]
                M_tr, M_te = neighbour_means(nb_tr, nb_te, y_enc, use, "bagged" in scheme,
                                             n_classes)
                m = make_predictor("xgboost", bd.task, fold).fit(np.hstack([bd.X[tr], M_tr]),
                                                                 bd.y[tr])
                got = score(bd.task, bd.y[te], m, np.hstack([bd.X[te], M_te]))[key]
                rows.append({"dataset": name, "fold": fold, "seed": s, "scheme": scheme,
                             "delta": got - alone, "alone": alone})
        here = [r for r in rows if r["fold"] == fold]
        log(f"{name} fold {fold}: {time.perf_counter() - t0:.0f} s; " + ", ".join(
            f"{sc_}: {np.mean([r['delta'] for r in here if r['scheme'] == sc_]):+.4f}"
            for sc_ in SCHEMES))
    return rows


def summary(rows: list[dict]) -> list[str]:
    lines = ["| dataset | " + " | ".join(SCHEMES) + " |", "|---|" + "---|" * len(SCHEMES)]
    for name in dict.fromkeys(r["dataset"] for r in rows):
        cells = []
        for scheme in SCHEMES:
            per_seed = [np.mean([r["delta"] for r in rows if r["dataset"] == name
                                 and r["scheme"] == scheme and r["seed"] == s])
                        for s in sorted({r["seed"] for r in rows})]
            cells.append(f"{np.mean(per_seed):+.4f} ± {np.std(per_seed):.4f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=DATASETS)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--name", default="bench_crossfit")
    args = ap.parse_args(argv)
    rows = []
    for name in args.datasets:
        rows += run_dataset(name, args.seeds, args.repeats, lambda m: print(m, flush=True))
    head = (f"XGBoost paired Δ of + kNN target means (5/15/50/150) over XGBoost alone, suite "
            f"outer folds; mean over {args.seeds} cross-fitting seeds ± seed-to-seed std; "
            f"R = {args.repeats} (python benchmarks/bench_crossfit.py)")
    text = "\n".join([head, "", *summary(rows)])
    print(text)
    write_results(f"{args.name}.txt", text)
    write_results(f"{args.name}.json", json.dumps(rows))


if __name__ == "__main__":
    main()
