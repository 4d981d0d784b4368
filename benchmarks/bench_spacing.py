"""Where the sweep's Leiden runs go: the log-γ grid against the grid along the curve.

On one kNN graph (the ``bench_cost.py`` rows: 100 fine clusters in 10 super-clusters,
d = 50, k = 15) the automatic sweep runs twice in this process (one Leiden iteration,
no refinement — the large-graph regime): ``spacing="gamma"`` with 24 points (the
default up to 50,000 vertices) and ``spacing="curve"`` with its automatic 12 (the
default above). Prints, for each, the Leiden runs (of them probes), the sweep's
seconds, the configurations found and their
cluster counts, and how well the curve's configurations cover the log-γ ones: for
every log-γ configuration the best adjusted Rand index among the curve's
configurations, on a seeded subsample of rows.

Usage::

    python benchmarks/bench_spacing.py [--n 100000]

Results in ``benchmarks/results/bench_spacing.txt``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _results import write_results
from bench_cost import make_data


def main(argv=None) -> None:
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    from gramixc.configurations import find_configurations
    from gramixc.graph import knn_graph
    from gramixc.sweep import resolution_sweep

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--coverage-rows", type=int, default=20_000)
    args = p.parse_args(argv)

    X, _ = make_data(args.n)
    graph = knn_graph(StandardScaler().fit_transform(X), k=15, random_state=0)
    rows, found = [], {}
    for spacing, n_res in (("gamma", 24), ("curve", "auto")):
        t = time.perf_counter()
        sweep = resolution_sweep(graph, n_resolutions=n_res, spacing=spacing, refine=False,
                                 n_iterations=1, random_state=0)
        seconds = time.perf_counter() - t
        conf = find_configurations(sweep)
        found[spacing] = conf
        rows.append((spacing, n_res, len(sweep.run_gammas),
                     sum(k == "probe" for k in sweep.run_kind), seconds, len(conf),
                     conf.n_clusters.tolist()))
        print(f"{spacing}: {len(sweep.run_gammas)} runs, {seconds:.1f} s, {len(conf)} "
              f"configurations", flush=True)
    sub = np.random.default_rng(0).choice(args.n, min(args.n, args.coverage_rows),
                                          replace=False)
    ref, cur = found["gamma"], found["curve"]
    cover = [max(adjusted_rand_score(ref.ids[sub, j], cur.ids[sub, i])
                 for i in range(cur.ids.shape[1])) for j in range(ref.ids.shape[1])]

    lines = [f"The automatic sweep on {args.n:,} × 50 rows (bench_cost.py data, k = 15), one "
             "process, one Leiden iteration, no refinement", "",
             "| spacing | n_resolutions | Leiden runs (probes) | sweep (s) | configurations "
             "| clusters per configuration |", "|---|---|---|---|---|---|"]
    for spacing, n_res, runs, probes, seconds, n_conf, ks in rows:
        lines.append(f"| {spacing} | {n_res} | {runs} ({probes}) | {seconds:.1f} | {n_conf} | "
                     f"{', '.join(map(str, ks))} |")
    lines += ["", f"Coverage of the gamma configurations by the curve's (best adjusted Rand "
              f"index on {len(sub):,} rows, per gamma configuration, coarse → fine):", "",
              "| clusters | " + " | ".join(map(str, ref.n_clusters.tolist())) + " |",
              "|---|" + "---|" * len(cover),
              "| best ARI | " + " | ".join(f"{c:.2f}" for c in cover) + " |", "",
              f"Median {np.median(cover):.2f}; ≥ 0.9 for {sum(c >= 0.9 for c in cover)} of "
              f"{len(cover)}."]
    text = "\n".join(lines)
    print(text)
    print(write_results("bench_spacing.txt", text))


if __name__ == "__main__":
    main()
