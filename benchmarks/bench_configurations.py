"""Time graph build, resolution sweep and envelope; compare with what scanpy users do.

For each n: build the λ-equalised kNN graph, run gramixc's sweep (igraph Leiden,
auto γ grid, 2 processes) and the envelope. Then, on the same graph and the same
γ values: a loop of ``leidenalg.find_partition`` per resolution (what a scanpy
user does with ``sc.tl.leiden`` in a loop) and, for small n,
``leidenalg.Optimiser.resolution_profile``. For large n the leidenalg loop is
timed on a subset of the γ values (evenly spread over the grid) and the total is
extrapolated from the mean time per γ — the table says so.

Usage::

    python benchmarks/bench_configurations.py            # n = 1e3, 1e4, 1e5
    python benchmarks/bench_configurations.py --n 1000 10000 --jobs 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def make_data(n: int, d: int = 50, seed: int = 0) -> np.ndarray:
    """50 overlapping Gaussian blobs in a box: real multi-scale structure, connected graph."""
    from sklearn.datasets import make_blobs
    from sklearn.preprocessing import StandardScaler

    X, _ = make_blobs(n, d, centers=50, cluster_std=3.0, center_box=(-10, 10), random_state=seed)
    return StandardScaler().fit_transform(X)


def leidenalg_loop(graph, gammas, seed=0):
    import leidenalg as la

    G = graph.to_igraph()
    t0 = time.perf_counter()
    for g in gammas:
        la.find_partition(G, la.RBConfigurationVertexPartition, weights="weight",
                          resolution_parameter=float(g), seed=seed)
    return time.perf_counter() - t0


def resolution_profile(graph, lo, hi, timeout_note=""):
    import leidenalg as la

    G = graph.to_igraph()
    opt = la.Optimiser()
    opt.set_rng_seed(0)
    t0 = time.perf_counter()
    profile = opt.resolution_profile(G, la.RBConfigurationVertexPartition, weights="weight",
                                     resolution_range=(lo, hi))
    return time.perf_counter() - t0, len(profile)


def main() -> None:
    from gramixc.configurations import find_configurations
    from gramixc.graph import knn_graph
    from gramixc.sweep import resolution_sweep

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--profile-max-n", type=int, default=1_000,
                    help="run leidenalg's resolution_profile up to this n")
    ap.add_argument("--loop-sample", type=int, default=4,
                    help="above 20k rows, time the leidenalg loop on this many γ and extrapolate")
    args = ap.parse_args()

    rows = []
    for n in args.n:
        X = make_data(n)
        t0 = time.perf_counter()
        graph = knn_graph(X, k=15, random_state=0, n_jobs=args.jobs)
        t_graph = time.perf_counter() - t0
        graph.to_igraph()  # build once, shared by both sweeps
        t_ig = time.perf_counter() - t0 - t_graph
        t0 = time.perf_counter()
        sweep = resolution_sweep(graph, random_state=0, n_jobs=args.jobs)
        t_sweep = time.perf_counter() - t0
        t0 = time.perf_counter()
        cfg = find_configurations(sweep)
        t_env = time.perf_counter() - t0
        gammas = np.asarray(sweep.run_gammas)
        if n > 20_000 and args.loop_sample < len(gammas):
            sample = np.sort(gammas)[np.linspace(0, len(gammas) - 1, args.loop_sample).astype(int)]
            t_loop = leidenalg_loop(graph, sample) / len(sample) * len(gammas)
            loop_note = f"extrapolated from {len(sample)} γ"
        else:
            t_loop = leidenalg_loop(graph, gammas)
            loop_note = "measured"
        t_prof, n_prof = (np.nan, 0)
        if n <= args.profile_max_n:
            t_prof, n_prof = resolution_profile(graph, *sweep.gamma_range)
        total = t_graph + t_ig + t_sweep + t_env
        rows.append((n, t_graph, t_ig, t_sweep, len(gammas), t_env, len(cfg), total, t_loop,
                     loop_note, t_prof, n_prof))
        print(f"n={n}: graph {t_graph:.2f}s igraph {t_ig:.2f}s sweep {t_sweep:.2f}s "
              f"({len(gammas)} γ) envelope {t_env:.3f}s -> {len(cfg)} configurations; "
              f"total {total:.1f}s; leidenalg loop {t_loop:.1f}s ({loop_note}); "
              f"resolution_profile {t_prof:.1f}s", flush=True)

    print()
    print("| n | kNN graph (s) | igraph build (s) | sweep (s) | γ solved | envelope (s) "
          "| configurations | **end to end (s)** | leidenalg loop, same γ (s) | sweep speed-up "
          "| resolution_profile (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (n, tg, ti, ts, ng, te, nc, tot, tl, note, tp, npf) in rows:
        prof = f"{tp:.1f} ({npf} partitions)" if np.isfinite(tp) else "—"
        print(f"| {n:,} | {tg:.2f} | {ti:.2f} | {ts:.2f} | {ng} | {te:.3f} | {nc} | **{tot:.1f}** "
              f"| {tl:.1f} ({note}) | {tl / ts:.1f}× | {prof} |")


if __name__ == "__main__":
    main()
