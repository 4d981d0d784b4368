"""The kNN graph's candidates side by side: build + query time, recall, memory, identity.

On the ``bench_scaling.py`` rows (n × 50: 100 fine clusters in 10 super-clusters,
standardised), every candidate finds the ``k + 1 = 16`` nearest rows of every row
(itself included, as ``knn_graph`` asks):

* ``hnsw`` — hnswlib (M = 16, ef_construction = 100, ef = 64), single-threaded build,
  queries on ``--threads`` threads (gramixc's backend for 20,000 < n ≤ 50,000);
* ``ivf`` — gramixc's cells (``NeighborIndex(backend="ivf")``, the backend above
  50,000 rows): √n k-means cells (FAISS, one thread, seeded); the rows of each cell are
  searched exactly by FAISS's blocked float32 BLAS kNN among the rows of the 32 cells
  nearest to its centre, on ``--threads`` threads; the best 20 re-ranked in float64;
* ``ivf nprobe=P`` — the same with P cells searched;
* ``faiss-ivfflat`` — FAISS ``IndexIVFFlat`` itself (√n cells, the 16 cells nearest to
  each *query* scanned one query at a time: no BLAS);
* ``nndescent`` — pynndescent's ``NNDescent`` (``random_state`` set, ``n_jobs``
  threads; its numba compilation, cached after the first use, is included);
* ``exact`` — exact search by FAISS's blocked float32 BLAS kNN (``faiss.knn``), the
  winners re-ranked in float64 (gramixc's ``"exact"`` backend is scikit-learn's brute
  force, slower: about 23 s at 10⁵ rows).

Each candidate runs in its own process (peak memory = the growth of ``ru_maxrss``
over the loaded data), twice with ``--threads`` threads and once with one thread:
"identical" compares the neighbour lists of the three runs (SHA-1). Recall@k is
measured on a seeded sample of ``--sample`` rows against their exact neighbours
(float64 brute force over all rows). CPU seconds (``time.process_time``) are printed
beside wall seconds, so that runs on a busy machine can still be compared.

Usage::

    python benchmarks/bench_knn.py [--n 100000] [--candidates hnsw ivf exact]

Results in ``benchmarks/results/bench_knn_<n>.txt`` and ``.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _results import RESULTS, write_results

K = 15
CANDIDATES = ["hnsw", "ivf", "ivf nprobe=16", "ivf nprobe=64", "faiss-ivfflat", "nndescent",
              "exact"]


def make_rows(n: int) -> np.ndarray:
    """The bench_scaling.py rows, standardised (what the extractor indexes)."""
    from bench_cost import make_data
    from sklearn.preprocessing import StandardScaler

    return np.ascontiguousarray(StandardScaler().fit_transform(make_data(n)[0]))


def _exact_blocked(X: np.ndarray, kq: int, threads: int) -> np.ndarray:
    """Exact kq nearest rows by FAISS's blocked float32 BLAS kNN (``faiss.knn``: X Xᵀ in
    blocks with a running top-k), winners re-ranked in float64."""
    import faiss

    from gramixc.graph import _order_rows

    Xf = X.astype(np.float32)
    faiss.omp_set_num_threads(threads)
    cand = faiss.knn(Xf, Xf, kq + 4)[1].astype(np.int64)  # a margin for float32
    dist = np.sqrt(((X[cand] - X[:, None, :]) ** 2).sum(axis=2))
    return np.take_along_axis(cand, _order_rows(dist, cand)[:, :kq], axis=1)


def _run(name: str, X: np.ndarray, threads: int) -> tuple[np.ndarray, dict]:
    """``(indices (n, K + 1), {build_s, query_s, build_cpu, query_cpu})`` of one candidate."""
    from gramixc import graph as G

    t0, c0 = time.perf_counter(), time.process_time()
    if name.startswith("ivf") or name == "hnsw":
        if "nprobe=" in name:
            G.IVF_NPROBE = int(name.split("nprobe=")[1])
        index = G.NeighborIndex(backend=name.split()[0], random_state=0, n_jobs=threads).fit(X)
        t1, c1 = time.perf_counter(), time.process_time()
        idx = index.query(X, k=K + 1)[1]
    elif name == "faiss-ivfflat":
        import faiss

        Xf = X.astype(np.float32)
        faiss.omp_set_num_threads(threads)
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(X.shape[1]), X.shape[1],
                                   int(round(np.sqrt(len(X)))))
        index.cp.seed = 0
        index.cp.max_points_per_centroid = 64
        index.train(Xf)
        index.add(Xf)
        index.nprobe = 16
        t1, c1 = time.perf_counter(), time.process_time()
        idx = index.search(Xf, K + 1)[1].astype(np.int64)
    elif name == "nndescent":
        from pynndescent import NNDescent

        nnd = NNDescent(X.astype(np.float32), n_neighbors=K + 1, random_state=0,
                        n_jobs=threads)
        t1, c1 = time.perf_counter(), time.process_time()
        idx = nnd.neighbor_graph[0].astype(np.int64)
    elif name == "exact":
        t1, c1 = t0, c0
        idx = _exact_blocked(X, K + 1, threads)
    else:
        raise ValueError(f"unknown candidate {name!r}")
    t2, c2 = time.perf_counter(), time.process_time()
    return idx, {"build_s": t1 - t0, "query_s": t2 - t1, "build_cpu": c1 - c0,
                 "query_cpu": c2 - c1}


def _child(name: str, n: int, threads: int) -> dict:
    X = make_rows(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    idx, times = _run(name, X, threads)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sample = np.load(_truth_path(n))
    truth = sample[:, 1:]
    rows = sample[:, 0]
    found = idx[rows]
    recall = np.mean([len(set(f[f != r][:K]) & set(t)) / K
                      for f, t, r in zip(found, truth, rows)])
    return {"name": name, "threads": threads, **times, "memory_mb": (peak - base) / 1024,
            "recall": float(recall), "sha1": hashlib.sha1(idx.tobytes()).hexdigest()}


def _truth_path(n: int) -> Path:
    return Path(os.environ.get("TMPDIR", "/tmp")) / f"gramixc_bench_knn_truth_{n}.npy"


def exact_sample(n: int, size: int) -> None:
    """Exact K nearest rows (self excluded) of a seeded sample of rows, cached on disk:
    one column of row ids, then K neighbour ids."""
    path = _truth_path(n)
    if path.exists() and np.load(path).shape[0] == min(size, n):
        return
    from sklearn.neighbors import NearestNeighbors

    X = make_rows(n)
    rows = np.sort(np.random.default_rng(0).choice(n, min(size, n), replace=False))
    nn = NearestNeighbors(n_neighbors=K + 1, algorithm="brute").fit(X)
    idx = nn.kneighbors(X[rows], return_distance=False)
    out = np.array([np.r_[r, [j for j in row if j != r][:K]] for r, row in zip(rows, idx)])
    np.save(path, out)


def measure(name: str, n: int, threads: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, __file__, "--child", name, str(n), str(threads)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{name} n={n} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--candidates", nargs="+", default=CANDIDATES)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), int(args.child[2]))))
        return
    exact_sample(args.n, args.sample)
    load = os.getloadavg()[0]
    results = []
    for name in args.candidates:
        runs = [measure(name, args.n, t) for t in (args.threads, args.threads, 1)]
        r = dict(runs[0])
        r["identical_runs"] = runs[0]["sha1"] == runs[1]["sha1"]
        r["identical_threads"] = runs[0]["sha1"] == runs[2]["sha1"]
        r["one_thread_s"] = runs[2]["build_s"] + runs[2]["query_s"]
        results.append(r)
        print(f"{name}: build {r['build_s']:.1f} s, query {r['query_s']:.1f} s, "
              f"recall {r['recall']:.4f}", flush=True)
    lines = [f"kNN candidates on {args.n:,} × 50 rows (bench_scaling.py data), k + 1 = {K + 1} "
             f"neighbours of every row; recall@{K} on {min(args.sample, args.n):,} rows; "
             f"{args.threads} threads; 1-min load average at the start {load:.1f}", "",
             "| candidate | build s (CPU) | query s (CPU) | **total s** | total s, 1 thread "
             "| recall@15 | memory MB | identical: runs / 1 vs 2 threads |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['build_s']:.1f} ({r['build_cpu']:.1f}) | "
            f"{r['query_s']:.1f} ({r['query_cpu']:.1f}) | **{r['build_s'] + r['query_s']:.1f}** "
            f"| {r['one_thread_s']:.1f} | {r['recall']:.4f} | {r['memory_mb']:.0f} | "
            f"{'yes' if r['identical_runs'] else 'NO'} / "
            f"{'yes' if r['identical_threads'] else 'NO'} |")
    text = "\n".join(lines)
    print(text)
    write_results(f"bench_knn_{args.n}.txt", text)
    Path(RESULTS, f"bench_knn_{args.n}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
