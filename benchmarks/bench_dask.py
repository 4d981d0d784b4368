"""The resolution sweep on a dask cluster: speed-up with 1, 2 and 4 worker processes.

``ConfigurationExtractor.fit`` on structured synthetic data (clusters within
super-clusters, d = 50), once in this process (``n_jobs=1``), once with the local
process pool (``n_jobs=2``) and once inside ``joblib.parallel_backend("dask")`` on a
``LocalCluster`` of 1, 2 and 4 single-threaded worker processes on loopback. Prints the
fit time, its ratio to the one-process fit, and whether the configurations are identical
to the one-process run (they must be). On a 2-core machine 4 workers oversubscribe the
cores; the row says what that costs.

Usage::

    python benchmarks/bench_dask.py [--n 20000] [--workers 1 2 4]

Results in ``benchmarks/results/bench_dask.txt``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _results import write_results


def data(n: int, seed: int = 0) -> np.ndarray:
    from gramixc.synthetic import make_hierarchical_blobs

    X, _, _ = make_hierarchical_blobs(n_super=5, n_sub=8, n_per_cluster=max(2, n // 40),
                                      n_features=50, random_state=seed)
    return X


def main(argv=None) -> None:
    import joblib
    from dask.distributed import Client, LocalCluster

    from gramixc import ConfigurationExtractor

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = ap.parse_args(argv)
    X = data(args.n)
    rows = []

    def timed(label, fit):
        t0 = time.perf_counter()
        ext = fit()
        rows.append((label, time.perf_counter() - t0, ext.configurations_.ids))
        print(f"{label}: {rows[-1][1]:.1f} s", flush=True)

    timed("one process (n_jobs=1)", lambda: ConfigurationExtractor(random_state=0).fit(X))
    timed("local pool (n_jobs=2)",
          lambda: ConfigurationExtractor(n_jobs=2, random_state=0).fit(X))
    for w in args.workers:
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster):
            with joblib.parallel_backend("dask"):
                timed(f"dask, {w} worker{'s' if w > 1 else ''}",
                      lambda: ConfigurationExtractor(n_jobs=-1, random_state=0).fit(X))
    base_t, base_ids = rows[0][1], rows[0][2]
    lines = [f"ConfigurationExtractor.fit, {X.shape[0]:,} x {X.shape[1]} structured synthetic "
             f"rows (python benchmarks/bench_dask.py --n {args.n})", "",
             "| run | fit seconds | speed-up vs one process | configurations identical |",
             "|---|---|---|---|"]
    for label, t, ids in rows:
        lines.append(f"| {label} | {t:.1f} | {base_t / t:.2f}x | "
                     f"{'yes' if np.array_equal(ids, base_ids) else 'NO'} |")
    text = "\n".join(lines)
    print(text)
    write_results("bench_dask.txt", text)


if __name__ == "__main__":
    main()
