"""Out-of-sample assignment speed: new rows → ids in every configuration.

Builds the training index and configurations once (n_train rows, d = 50), then
times, for n_new new rows: the single index query, the hard kNN vote over all
configurations, and the soft vote matrix. Also times the RMS chain over the
training configurations.

Usage::

    python benchmarks/bench_assign.py                  # 1e5 training rows, 1e5 new rows
    python benchmarks/bench_assign.py --n-train 20000 --n-new 20000
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    from sklearn.datasets import make_blobs

    from gramixc import ConfigurationExtractor
    from gramixc.assign import knn_vote, soft_votes, vote_weights
    from gramixc.rms import id_spread, rms_chain

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-train", type=int, default=100_000)
    ap.add_argument("--n-new", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    X, _ = make_blobs(args.n_train + args.n_new, 50, centers=50, cluster_std=3.0,
                      center_box=(-10, 10), random_state=0)
    Xtr, Xnew = X[: args.n_train], X[args.n_train:]
    t0 = time.perf_counter()
    # align="none": the RMS chain is timed on its own below
    ext = ConfigurationExtractor(random_state=0, n_jobs=args.jobs, align="none").fit(Xtr)
    t_fit = time.perf_counter() - t0
    raw = ext.configurations_.ids
    t0 = time.perf_counter()
    aligned = rms_chain(raw)
    t_rms = time.perf_counter() - t0
    t0 = time.perf_counter()
    dist, nb = ext.kneighbors(Xnew)
    t_query = time.perf_counter() - t0
    t0 = time.perf_counter()
    w = vote_weights(dist, ext.lam)
    hard = knn_vote(nb, w, aligned)
    t_hard = time.perf_counter() - t0
    t0 = time.perf_counter()
    soft = soft_votes(nb, w, aligned)
    t_soft = time.perf_counter() - t0
    K = ext.configurations_.n_clusters
    print(f"training: {args.n_train:,} rows, fit {t_fit:.1f}s, {len(K)} configurations "
          f"(K = {K.min()}..{K.max()}), backend {ext.graph_.index.backend_}")
    print()
    print("| step | rows | time (s) |")
    print("|---|---|---|")
    print(f"| RMS chain (AMC + RMS, all {len(K)} configurations; spread "
          f"{id_spread(raw):.2f} → {id_spread(aligned):.2f}) | {args.n_train:,} | {t_rms:.3f} |")
    print(f"| index query (k={ext.k}, one query for all configurations) | {args.n_new:,} "
          f"| {t_query:.2f} |")
    print(f"| hard kNN vote, all configurations | {args.n_new:,} | {t_hard:.2f} |")
    print(f"| soft vote matrix ({soft.shape[1]:,} columns, {soft.nnz:,} non-zeros) "
          f"| {args.n_new:,} | {t_soft:.2f} |")
    print(f"| **total new-row assignment (query + hard vote)** | {args.n_new:,} "
          f"| **{t_query + t_hard:.2f}** |")
    assert hard.shape == (args.n_new, len(K))


if __name__ == "__main__":
    main()
