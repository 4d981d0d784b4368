"""Leiden runs on the kNN graph in its rows' order against the same graph in locality order.

A kNN graph of shuffled rows numbers neighbours at random, so nearly every neighbour
look-up of a Leiden run lands on a cache miss. gramixc's runner renumbers graphs of
more than ``LOCALITY_ORDER_MIN_N`` vertices in reverse Cuthill–McKee order
(:meth:`gramixc.leiden.LeidenGraph.in_locality_order`) and maps the memberships back.
This script measures what that buys: on the ``bench_scaling.py`` rows (n × 50,
standardised, the extractor's kNN graph with k = 15), the seconds of one Leiden run
(igraph, modularity, one iteration — the sweep's settings above 50,000 rows) at a fine,
a middle and a coarse γ, plain and in locality order, with the same seeds, and the
modularity each reached (CPU seconds beside wall seconds, so that a busy machine can
still be compared). The time to compute the order is printed too.

Usage::

    python benchmarks/bench_locality.py [--n 100000 1000000] [--seeds 3]

Results in ``benchmarks/results/bench_locality.txt`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import _results  # noqa: F401  (this checkout's gramixc first on sys.path)
import numpy as np
from _results import write_results
from bench_knn import make_rows


def _graph(n: int):
    from gramixc.graph import knn_graph

    return knn_graph(make_rows(n), k=15, random_state=0, n_jobs=2)


def _run(built, gamma: float, seed: int) -> tuple[float, float, float, int]:
    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    wall, cpu = time.perf_counter(), time.process_time()
    cl = built.community_leiden(objective_function="modularity", weights="weight",
                                resolution=gamma, beta=0.01, n_iterations=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ig.set_random_number_generator(random)
    q = built.modularity(cl.membership, weights="weight", resolution=gamma)
    return wall, cpu, q, max(cl.membership) + 1


def measure(n: int, seeds: int) -> dict:
    from gramixc.leiden import LeidenGraph

    graph = _graph(n)
    plain = LeidenGraph.from_knn_graph(graph)
    t = time.perf_counter()
    ordered = plain.in_locality_order()
    t_order = time.perf_counter() - t
    built = {"plain": plain.build(), "ordered": ordered.build()}
    fine = n / (graph.k * 5.0)  # the sweep's first fine probe (mean size 5)
    rows = []
    for gamma in (fine, np.sqrt(fine), 1.0):
        for which in ("plain", "ordered"):
            runs = [_run(built[which], float(gamma), s) for s in range(seeds)]
            rows.append({"gamma": float(gamma), "graph": which,
                         "wall_s": float(np.mean([r[0] for r in runs])),
                         "cpu_s": float(np.mean([r[1] for r in runs])),
                         "modularity": float(np.mean([r[2] for r in runs])),
                         "clusters": int(np.mean([r[3] for r in runs]))})
        print(f"n={n:,} γ={gamma:.1f}: " + ", ".join(
            f"{r['graph']} {r['wall_s']:.2f} s Q={r['modularity']:.5f}" for r in rows[-2:]),
            flush=True)
    return {"n": n, "seeds": seeds, "order_s": t_order, "edges": int(len(plain.edges)),
            "rows": rows}


def report(results: list[dict]) -> str:
    lines = ["Leiden runs (igraph, modularity, 1 iteration) on the kNN graph (k = 15) of the "
             "bench_scaling.py rows: the rows' order against reverse Cuthill–McKee order; "
             "mean of the seeds", "",
             "| n | γ | clusters | plain s (CPU) | ordered s (CPU) | **speed-up** | "
             "modularity plain | ordered |", "|---|---|---|---|---|---|---|---|"]
    for res in results:
        rows = res["rows"]
        for a, b in zip(rows[::2], rows[1::2]):
            lines.append(
                f"| {res['n']:,} | {a['gamma']:.1f} | {a['clusters']:,} | "
                f"{a['wall_s']:.2f} ({a['cpu_s']:.2f}) | {b['wall_s']:.2f} ({b['cpu_s']:.2f}) "
                f"| **{a['cpu_s'] / b['cpu_s']:.2f}×** | {a['modularity']:.5f} | "
                f"{b['modularity']:.5f} |")
    lines.append("")
    lines += [f"n = {r['n']:,}: the order took {r['order_s']:.2f} s ({r['edges']:,} edges, "
              f"{r['seeds']} seed(s) per run)" for r in results]
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--name", default="bench_locality")
    args = ap.parse_args(argv)
    results = [measure(n, args.seeds) for n in args.n]
    text = report(results)
    print(text)
    write_results(f"{args.name}.txt", text)
    write_results(f"{args.name}.json", json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
