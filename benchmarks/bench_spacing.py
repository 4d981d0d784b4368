"""Where the sweep's Leiden runs go: log-γ grid, grid along the curve, and the quotient.

On one kNN graph (the ``bench_cost.py`` rows: 100 fine clusters in 10 super-clusters,
d = 50, k = 15) the automatic sweep runs three times in this process (one Leiden
iteration on the graph, no refinement — the large-graph regime):

* ``gamma`` — 24 points log-spaced in γ (the default up to 50,000 vertices);
* ``curve`` — the automatic 12 points along the probed cluster-count curve, every run
  on the graph (the default above 50,000 vertices before ``coarsen``);
* ``curve + coarsen`` — the same plan, but after the first (finest) run every γ at or
  below it runs on the quotient graph of that run's clusters (the default above
  50,000 vertices now).

Prints, for each, the Leiden runs (of them probes), the sweep's wall and CPU seconds,
the configurations and their cluster counts, the best adjusted Rand index of the
configurations against the two planted levels (10 super-clusters, 100 clusters); how
well each later layout's configurations cover the previous one's (for every
configuration the best ARI among the other's, on a seeded subsample of rows); and, for
every γ the coarsened sweep solved on the quotient, the modularity of its partition
relative to a run on the graph at the same γ and seed.

Usage::

    python benchmarks/bench_spacing.py [--n 100000]

Results in ``benchmarks/results/bench_spacing.txt``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _results import write_results


def make_levels(n: int, seed: int = 0):
    """The ``bench_cost.py`` rows with their planted levels: ``(X, super, fine)``."""
    from gramixc.synthetic import make_cluster_regression

    X, _, fine = make_cluster_regression(n_super=10, n_sub=10, n_per_cluster=n // 100,
                                         n_features=50, random_state=seed)
    perm = np.random.default_rng(seed).permutation(len(fine))
    fine = np.asarray(fine)[perm]
    return X[perm], fine // 10, fine


def main(argv=None) -> None:
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    from gramixc.configurations import find_configurations
    from gramixc.envelope import partition_lines
    from gramixc.graph import knn_graph
    from gramixc.leiden import leiden_runs
    from gramixc.sweep import gamma_seed, resolution_sweep

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--coverage-rows", type=int, default=20_000)
    args = p.parse_args(argv)

    X, coarse, fine = make_levels(args.n)
    graph = knn_graph(StandardScaler().fit_transform(X), k=15, random_state=0)
    sub = np.random.default_rng(0).choice(args.n, min(args.n, args.coverage_rows),
                                          replace=False)
    rows, found, sweeps = [], {}, {}
    layouts = (("gamma", 24, False), ("curve", "auto", False), ("curve + coarsen", "auto", True))
    for name, n_res, coarsen in layouts:
        t, c = time.perf_counter(), time.process_time()
        sweep = resolution_sweep(graph, n_resolutions=n_res, spacing=name.split()[0],
                                 refine=False, n_iterations=1, random_state=0,
                                 coarsen=coarsen)
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        conf = find_configurations(sweep)
        found[name], sweeps[name] = conf, sweep
        truth = [max(adjusted_rand_score(lv[sub], conf.ids[sub, j])
                     for j in range(conf.ids.shape[1])) for lv in (coarse, fine)]
        rows.append((name, n_res, len(sweep.run_gammas),
                     sum(k == "probe" for k in sweep.run_kind), seconds, cpu, len(conf),
                     conf.n_clusters.tolist(), truth))
        print(f"{name}: {len(sweep.run_gammas)} runs, {seconds:.1f} s (cpu {cpu:.1f}), "
              f"{len(conf)} configurations", flush=True)

    def cover(ref, cur):
        return [max(adjusted_rand_score(ref.ids[sub, j], cur.ids[sub, i])
                    for i in range(cur.ids.shape[1])) for j in range(ref.ids.shape[1])]

    # quality on the quotient against a run on the graph at the same γ and seed
    sw = sweeps["curve + coarsen"]
    first = sw.run_gammas[0]
    qg = [g for g in sw.run_gammas if g < first]
    base = int(np.random.RandomState(0).randint(0, 2**31 - 1))
    full = leiden_runs(graph, qg, [gamma_seed(base, g) for g in qg], n_iterations=1)
    ha, hr = partition_lines(np.vstack(full), graph.edges, graph.edge_weights, graph.n)
    quality = []
    for g, a, r, m in zip(qg, ha, hr, full):
        i = sw.run_partition[list(sw.run_gammas).index(g)]
        quality.append((g, int(m.max()) + 1, int(sw.n_clusters[i]),
                        (sw.h_a[i] - g * sw.h_r[i]) / (a - g * r)))

    lines = [f"The automatic sweep on {args.n:,} × 50 rows (bench_cost.py data, k = 15), one "
             "process, one Leiden iteration on the graph, no refinement", "",
             "| layout | n_resolutions | Leiden runs (probes) | sweep (s) | CPU (s) "
             "| configurations | best ARI: 10 super / 100 clusters "
             "| clusters per configuration |", "|---|---|---|---|---|---|---|---|"]
    for name, n_res, runs, probes, seconds, cpu, n_conf, ks, truth in rows:
        lines.append(f"| {name} | {n_res} | {runs} ({probes}) | {seconds:.1f} | {cpu:.1f} | "
                     f"{n_conf} | {truth[0]:.3f} / {truth[1]:.3f} | "
                     f"{', '.join(map(str, ks))} |")
    for ref, cur in (("gamma", "curve"), ("curve", "curve + coarsen")):
        cv = cover(found[ref], found[cur])
        lines += ["", f"Coverage of the {ref} configurations by the {cur} ones (best adjusted "
                  f"Rand index on {len(sub):,} rows, per {ref} configuration, coarse → fine):",
                  "", "| clusters | " + " | ".join(map(str, found[ref].n_clusters.tolist()))
                  + " |", "|---|" + "---|" * len(cv),
                  "| best ARI | " + " | ".join(f"{c:.2f}" for c in cv) + " |", "",
                  f"Median {np.median(cv):.2f}; ≥ 0.9 for {sum(c >= 0.9 for c in cv)} of "
                  f"{len(cv)}."]
    lines += ["", f"Runs on the quotient (of the first run, γ = {first:.4g}): modularity of "
              "the partition relative to a run on the graph at the same γ and seed", "",
              "| γ | clusters (graph) | clusters (quotient) | Q quotient / Q graph |",
              "|---|---|---|---|"]
    lines += [f"| {g:.4g} | {kg} | {kq} | {r:.4f} |" for g, kg, kq, r in quality]
    text = "\n".join(lines)
    print(text)
    print(write_results("bench_spacing.txt", text))


if __name__ == "__main__":
    main()
