"""Benchmark of gramixc.rms: speed of the RMS chain and id spread before / after.

Run:  PYTHONPATH=. python benchmarks/bench_rms.py

1. Speed: AMC + RMS over all configurations (``rms_chain``) of a synthetic 1e5-row
   nested hierarchy of ~15 configurations with K from 2 to 500 (ids shuffled per
   column, optionally with label noise so the hierarchy is not perfectly nested).
   Target: well under one second in total.
2. Quality: :func:`gramixc.rms.id_spread` (1.0 = children of every parent have
   consecutive ids) before and after ``rms_chain`` on scikit-learn's digits, with
   configurations from KMeans and Ward agglomerative clustering at several K, for the
   pure RMS order (``sort_children=False``) and with the final stable sort by majority
   parent (``sort_children=True``, the default).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gramixc.rms import id_spread, rms_chain


def nested_hierarchy(n: int, ks: list[int], seed: int, noise: float = 0.0) -> np.ndarray:
    """n x len(ks) configurations, coarse -> fine, nested, ids shuffled per column.

    With ``noise > 0`` that fraction of rows gets a random id in every column (the
    columns are then no longer nested).
    """
    rng = np.random.default_rng(seed)
    sizes = rng.dirichlet(np.full(ks[-1], 0.7))
    cur = rng.choice(ks[-1], size=n, p=sizes)
    cur[: ks[-1]] = np.arange(ks[-1])
    cols = [cur]
    for k in ks[-2::-1]:
        n_child = int(cur.max()) + 1
        parent = np.concatenate([np.arange(k), rng.integers(0, k, n_child - k)])
        rng.shuffle(parent)
        cur = parent[cur]
        cols.append(cur)
    Z = np.stack(cols[::-1], axis=1)
    for j in range(Z.shape[1]):
        if noise:
            m = rng.random(n) < noise
            Z[m, j] = rng.integers(0, Z[:, j].max() + 1, int(m.sum()))
        Z[:, j] = rng.permutation(Z[:, j].max() + 1)[Z[:, j]]
    return Z


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    ks = sorted({int(k) for k in np.round(np.geomspace(2, 500, 15))})
    print(f"## rms_chain speed (n = {args.n}, {len(ks)} configurations, K = {ks})\n")
    print("| data | sort_children | best time (s) | id_spread before | id_spread after |")
    print("|---|---|---|---|---|")
    for noise in (0.0, 0.1):
        Z = nested_hierarchy(args.n, ks, seed=0, noise=noise)
        before = id_spread(Z)
        for sort in (True, False):
            out = rms_chain(Z, sort_children=sort)  # warm-up
            t = best_time(lambda Z=Z, sort=sort: rms_chain(Z, sort_children=sort), args.repeats)
            label = "nested" if noise == 0 else f"nested + {noise:.0%} noise"
            print(f"| {label} | {sort} | {t:.3f} | {before:.3f} | {id_spread(out):.3f} |")

    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.datasets import load_digits

    X = load_digits().data
    dks = [2, 3, 5, 8, 10, 13, 17, 23, 30, 40, 50]
    print(f"\n## id_spread on digits (n = {X.shape[0]}, K = {dks})\n")
    print("| configurations | before | after (RMS only) | after (RMS + sort) | time (s) |")
    print("|---|---|---|---|---|")
    configs = {
        "Ward agglomerative (nested)": np.stack(
            [AgglomerativeClustering(k).fit_predict(X) for k in dks], axis=1
        ),
    }
    for seed in range(3):
        configs[f"KMeans seed {seed} (not nested)"] = np.stack(
            [KMeans(k, n_init=1, random_state=seed).fit_predict(X) for k in dks], axis=1
        )
    for name, Z in configs.items():
        t0 = time.perf_counter()
        after_sort = rms_chain(Z)
        t = time.perf_counter() - t0
        after_rms = rms_chain(Z, sort_children=False)
        print(
            f"| {name} | {id_spread(Z):.3f} | {id_spread(after_rms):.3f} | "
            f"{id_spread(after_sort):.3f} | {t:.4f} |"
        )


if __name__ == "__main__":
    main()
