"""k-nearest-neighbour graphs with λ-equalised weights.

This module turns a feature matrix into the weighted graph that community
detection runs on (docs/algorithms.md §1):

1. k nearest neighbours of every row (self excluded) from a
   :class:`NeighborIndex` — exact brute force through BLAS for small data, an
   HNSW index (``hnswlib``) above a size threshold. The index is kept so new rows
   can be queried later (out-of-sample assignment).
2. λ-equalisation (from SG-t-SNE-Π): for every point ``j`` a bandwidth
   ``σ_j`` with ``Σ_i exp(-σ_j d_ij) = λ`` over its ``k`` neighbours, found by a
   bisection vectorised over all points at once.
3. The symmetrised undirected graph ``W = (A + Aᵀ) / 2`` built directly from
   arrays as an :class:`igraph.Graph` (and the directed ``A`` for backends that
   use it).

Why hnswlib and not pynndescent: measured on this 2-core machine (make_blobs,
d = 50), a single-threaded — hence deterministic — hnswlib build plus a
2-thread query of n = 1e5 rows takes about 16 s, while pynndescent needs about
120 s at the same size plus a numba compilation of a few minutes on first use,
and scikit-learn's exact brute force takes about 23 s at n = 1e5 (and about 1 s
at n = 2e4, where it is the better choice because it is exact).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from ._parallel import effective_n_jobs

__all__ = [
    "NeighborIndex",
    "KNNGraph",
    "lambda_equalize",
    "knn_graph",
    "symmetrize",
    "igraph_from_edges",
]

#: Above this many rows ``backend="auto"`` switches from exact search to HNSW.
HNSW_THRESHOLD = 20_000
#: Above this many rows ``backend="auto"`` switches from HNSW to FAISS IVF (the graphs
#: of up to this many rows stay exactly what they were before IVF was adopted).
IVF_THRESHOLD = 50_000
_BACKENDS = ("auto", "exact", "hnsw", "ivf")

_HNSW_SPACES = {"euclidean": "l2", "l2": "l2", "cosine": "cosine"}


def _seed_from(random_state) -> int:
    """Draw a 31-bit integer seed from anything ``check_random_state`` accepts."""
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


class NeighborIndex:
    """A nearest-neighbour index over training rows, queryable for new rows.

    Parameters
    ----------
    metric : str, default="euclidean"
        Distance. ``"euclidean"`` and ``"cosine"`` work with both backends; any
        other scikit-learn metric forces the exact backend.
    backend : {"auto", "exact", "hnsw", "ivf"}, default="auto"
        ``"exact"`` is scikit-learn brute force (BLAS); ``"hnsw"`` is an
        approximate ``hnswlib`` index; ``"ivf"`` searches k-means cells
        (``faiss-cpu``: √n cells; the rows of a query's cell searched exactly,
        by blocked float32 BLAS, among the rows of the :data:`IVF_NPROBE` cells
        nearest to it), the candidates' distances recomputed in float64;
        ``"auto"`` picks exact up to :data:`HNSW_THRESHOLD` rows, HNSW up to
        :data:`IVF_THRESHOLD` and IVF above (``benchmarks/bench_knn.py``).
    random_state : int, RandomState instance or None, default=None
        Seeds the HNSW graph construction and the IVF cells' k-means (the exact
        backend is deterministic).
    n_jobs : int or None, default=None
        Threads for queries and for assigning rows to the IVF cells. HNSW
        *construction* and the IVF k-means always run on one thread: a
        multi-threaded insertion order is not reproducible, and one thread keeps
        the cells independent of the thread count.
    ef : int, default=64
        HNSW search breadth (higher = more exact, slower; construction uses
        ``ef_construction=100``). Measured recall of the 16 nearest neighbours
        against exact search (30k rows, d = 50): 0.998 at 64, 0.99994 at 128.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(100, 3))
    >>> index = NeighborIndex().fit(X)
    >>> dist, idx = index.query(X[:5], k=4, exclude_self=True)
    >>> idx.shape
    (5, 4)
    """

    def __init__(
        self,
        metric: str = "euclidean",
        backend: str = "auto",
        random_state=None,
        n_jobs: int | None = None,
        ef: int = 64,
    ) -> None:
        self.metric = metric
        self.backend = backend
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.ef = ef

    def _resolve_backend(self, n: int) -> str:
        backend = self.backend
        if backend not in _BACKENDS:
            raise ValueError(f"backend must be one of {_BACKENDS}, got {backend!r}")
        if backend == "auto":
            if self.metric not in _HNSW_SPACES or n <= HNSW_THRESHOLD:
                return "exact"
            return "hnsw" if n <= IVF_THRESHOLD else "ivf"
        if backend in ("hnsw", "ivf") and self.metric not in _HNSW_SPACES:
            raise ValueError(f"the {backend} backend supports metric 'euclidean' or 'cosine', "
                             f"got {self.metric!r}")
        return backend

    def fit(self, X: np.ndarray) -> NeighborIndex:
        """Index the rows of ``X`` (float array, n × d)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"NeighborIndex needs a non-empty 2-D array, got shape {X.shape}")
        backend = self._resolve_backend(X.shape[0])
        self.backend_ = backend
        self.n_samples_ = X.shape[0]
        if backend == "exact":
            from sklearn.neighbors import NearestNeighbors

            self._nn = NearestNeighbors(metric=self.metric, algorithm="brute", n_jobs=self.n_jobs)
            self._nn.fit(X)
            self._X = X  # the indexed rows (no copy), for queries of the rows themselves
        elif backend == "ivf":
            self._X = X  # float64 rows: candidates' distances are recomputed from them
            self._ivf = _ivf_index(_as_ivf_vectors(X, self.metric),
                                   _seed_from(self.random_state), effective_n_jobs(self.n_jobs))
        else:
            import hnswlib

            index = hnswlib.Index(space=_HNSW_SPACES[self.metric], dim=X.shape[1])
            index.init_index(
                max_elements=X.shape[0],
                ef_construction=100,
                M=16,
                random_seed=_seed_from(self.random_state),
            )
            index.set_num_threads(1)
            index.add_items(X.astype(np.float32), np.arange(X.shape[0]))
            self._hnsw = index
        return self

    def query_indexed(self, k: int, rows=None) -> tuple[np.ndarray, np.ndarray]:
        """``(distances, indices)`` of the ``k`` nearest *other* indexed rows of indexed rows.

        The same as ``query(X_indexed[rows], k, exclude_self=rows)`` with the rows
        the index was built from (for HNSW, its stored float32 vectors), without
        keeping a second copy of them.

        Parameters
        ----------
        k : int
            Neighbours per row, its own entry excluded.
        rows : array-like of int, optional
            Which indexed rows to query (default all, in order).

        Returns
        -------
        distances, indices : ndarray of shape (len(rows), k)
        """
        ids = np.arange(self.n_samples_) if rows is None else np.asarray(rows, dtype=np.int64)
        if self.backend_ in ("exact", "ivf"):
            vectors = self._X if rows is None else self._X[ids]
        else:
            vectors = np.asarray(self._hnsw.get_items(ids, return_type="numpy"),
                                 dtype=np.float32)
        return self.query(vectors, k, exclude_self=ids)

    def query(
        self, X: np.ndarray, k: int, exclude_self: bool | np.ndarray = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(distances, indices)`` of the ``k`` nearest indexed rows.

        Parameters
        ----------
        X : ndarray of shape (n, d)
            Query rows.
        k : int
            Neighbours per row.
        exclude_self : bool or ndarray of int, default=False
            ``True``: ``X`` *is* the indexed data (row ``i`` of ``X`` is indexed row
            ``i``); an array: row ``i`` of ``X`` is indexed row ``exclude_self[i]``.
            Each row's own entry is dropped. When duplicates make the self-match
            ambiguous, the row's own index is removed if present and the
            farthest of the ``k + 1`` candidates otherwise.

        Returns
        -------
        distances : ndarray of shape (n, k), float64, ascending per row
        indices : ndarray of shape (n, k), int64
        """
        X = np.asarray(X, dtype=np.float64)
        n_index = self.n_samples_
        if isinstance(exclude_self, (bool, np.bool_)):
            self_ids = np.arange(X.shape[0]) if exclude_self else None
        else:
            self_ids = np.asarray(exclude_self, dtype=np.int64)
            if self_ids.shape != (X.shape[0],):
                raise ValueError(f"exclude_self holds {self_ids.shape} ids for {X.shape[0]} rows")
        kq = k + 1 if self_ids is not None else k
        if kq > n_index:
            raise ValueError(
                f"asked for {k} neighbours{' (self excluded)' if self_ids is not None else ''} "
                f"but the index holds only {n_index} rows"
            )
        if self.backend_ == "exact":
            dist, idx = self._nn.kneighbors(X, n_neighbors=kq)
        elif self.backend_ == "ivf":
            dist, idx = _ivf_query(self._ivf, self._X, X, kq, self.metric,
                                   effective_n_jobs(self.n_jobs))
        else:
            threads = effective_n_jobs(self.n_jobs)
            self._hnsw.set_ef(max(self.ef, kq))
            idx, dist = self._hnsw.knn_query(X.astype(np.float32), k=kq, num_threads=threads)
            dist = dist.astype(np.float64)
            if self.metric in ("euclidean", "l2"):
                dist = np.sqrt(np.maximum(dist, 0.0))  # hnswlib returns squared L2
            else:
                dist = np.maximum(dist, 0.0)
            idx = idx.astype(np.int64)
            order = np.argsort(dist, axis=1, kind="stable")
            dist = np.take_along_axis(dist, order, axis=1)
            idx = np.take_along_axis(idx, order, axis=1)
        idx = idx.astype(np.int64, copy=False)
        dist = np.asarray(dist, dtype=np.float64)
        if self_ids is not None:
            n = X.shape[0]
            drop = idx == self_ids[:, None]
            no_self = ~drop.any(axis=1)
            drop[no_self, -1] = True
            # a row may list itself twice only if the index is broken; keep one drop per row
            first = np.argmax(drop, axis=1)
            keep = np.ones_like(drop)
            keep[np.arange(n), first] = False
            idx = idx[keep].reshape(n, k)
            dist = dist[keep].reshape(n, k)
        return dist, idx


#: The ``"ivf"`` backend's cells: ``round(√n)`` k-means cells of the indexed rows; the
#: rows of a query's cell are searched against the rows of the ``IVF_NPROBE`` cells
#: nearest to that cell's centre (``benchmarks/bench_knn.py``: recall@15 0.998 at
#: 10⁵ rows, 0.956 at 10⁶).
IVF_NPROBE = 32
#: k-means of the cells trains on at most this many rows per cell (FAISS subsamples).
_IVF_TRAIN_PER_CELL = 64
#: Candidates kept from the float32 search beyond ``k``, re-ranked in float64.
_IVF_MARGIN = 4
#: The float32 search scores this many query rows at a time against a cell's candidates.
_IVF_QUERY_BLOCK = 64
#: ... and finds each row's best candidates among the best of groups of this many.
_IVF_GROUP = 32


class _faiss_threads:
    """Set FAISS's OpenMP threads inside a ``with`` block, restore them afterwards."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __enter__(self):
        import faiss

        self.before = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(self.n)

    def __exit__(self, *exc) -> None:
        import faiss

        faiss.omp_set_num_threads(self.before)


def _as_ivf_vectors(X: np.ndarray, metric: str) -> np.ndarray:
    """float32 rows for FAISS: as they are for L2, unit length for cosine (where the
    squared L2 distance of unit vectors is 2(1 − cos), the same order)."""
    V = np.asarray(X, dtype=np.float32)
    if metric == "cosine":
        norms = np.linalg.norm(V, axis=1, keepdims=True)
        V = V / np.where(norms > 0, norms, 1.0)
    return np.ascontiguousarray(V)


def _scoring_rows(V: np.ndarray) -> np.ndarray:
    """``[v | −|v|²/2]`` per float32 row ``v``: its dot product with ``[q | 1]`` is
    ``q·v − |v|²/2 = (|q|² − |q − v|²) / 2``, largest for the rows nearest to ``q``."""
    A = np.empty((V.shape[0], V.shape[1] + 1), dtype=np.float32)
    A[:, :-1] = V
    A[:, -1] = -0.5 * np.einsum("ij,ij->i", V, V)
    return A


def _best_scores(Q1: np.ndarray, A: np.ndarray, k: int) -> np.ndarray:
    """Per row of ``Q1`` (``[q | 1]``, float32), the indices of the ``k`` rows of ``A``
    (:func:`_scoring_rows`, ``k ≤ len(A)``) with the highest score ``Q1 @ A.T``, unordered.

    The scores of a block of query rows come from one BLAS product; the candidates are
    dealt into ``g ≥ k`` groups (group ``j`` holds candidates ``j, j + g, j + 2g, …``) and
    only the ``k`` groups with the highest maxima can hold a row's ``k`` best: the ``k``
    maxima ≥ the ``k``-th best, so every one of the ``k`` best is ≥ the ``k``-th highest
    maximum (ties aside). Selecting groups by their maxima (an elementwise maximum over
    ``g``-wide slabs) and then ``k`` of their ``k·w`` members costs far less than a
    running top-``k`` over every score (FAISS's ``knn``: 3–4× the time per cell).
    """
    m, C = Q1.shape[0], A.shape[0]
    g = max(k, -(-C // _IVF_GROUP))  # groups
    w = -(-C // g)  # members per group
    if g * w > C:  # pad with rows no query can prefer
        pad = np.zeros((g * w - C, A.shape[1]), dtype=np.float32)
        pad[:, -1] = np.finfo(np.float32).min
        A = np.concatenate([A, pad])
    out = np.empty((m, k), dtype=np.int64)
    offsets = np.arange(w) * g
    for a in range(0, m, _IVF_QUERY_BLOCK):
        S = Q1[a:a + _IVF_QUERY_BLOCK] @ A.T
        top = np.argpartition(S.reshape(len(S), w, g).max(axis=1), g - k, axis=1)[:, g - k:]
        cols = (top[:, :, None] + offsets).reshape(len(S), -1)
        best = np.argpartition(np.take_along_axis(S, cols, axis=1), cols.shape[1] - k,
                               axis=1)[:, cols.shape[1] - k:]
        out[a:a + len(S)] = np.take_along_axis(cols, best, axis=1)
    return out


@dataclass
class _Cells:
    """k-means cells of the indexed rows: centres, rows by cell, neighbouring cells."""

    scoring: np.ndarray  # _scoring_rows of the float32 indexed rows (unit length for cosine)
    centroids: np.ndarray
    order: np.ndarray  # indexed rows sorted by cell
    bounds: np.ndarray  # cell c holds order[bounds[c]:bounds[c + 1]]
    near: np.ndarray  # (nlist, nprobe) cells nearest to each cell's centre, itself first

    def assign(self, V: np.ndarray, threads: int) -> np.ndarray:
        import faiss

        with _faiss_threads(threads):
            return faiss.knn(V, self.centroids, 1)[1].ravel()

    def candidates(self, cell: int, need: int) -> np.ndarray:
        """Rows of the cells nearest to ``cell`` (at least ``need`` when the index has them)."""
        cells = self.near[cell]
        rows = np.concatenate([self.order[self.bounds[j]:self.bounds[j + 1]] for j in cells])
        if len(rows) < need:  # too few rows nearby (tiny index): every row
            rows = self.order
        return rows


def _ivf_index(V: np.ndarray, seed: int, threads: int) -> _Cells:
    """k-means cells of the rows of ``V`` (seeded, on one thread: the cells do not depend
    on the thread count) and, per cell, the cells nearest to its centre."""
    import faiss

    n, d = V.shape
    nlist = int(max(1, min(round(np.sqrt(n)), n // 4)))
    km = faiss.Kmeans(d, nlist, niter=20, seed=int(seed),
                      max_points_per_centroid=_IVF_TRAIN_PER_CELL, min_points_per_centroid=1)
    with _faiss_threads(1):
        km.train(V)
    centroids = np.ascontiguousarray(km.centroids, dtype=np.float32)
    cells = _Cells(_scoring_rows(V), centroids, np.empty(0, np.int64),
                   np.empty(0, np.int64), np.empty((0, 0), np.int64))
    label = cells.assign(V, threads)
    cells.order = np.argsort(label, kind="stable")
    cells.bounds = np.searchsorted(label[cells.order], np.arange(nlist + 1))
    with _faiss_threads(threads):
        cells.near = faiss.knn(centroids, centroids, min(IVF_NPROBE, nlist))[1].astype(np.int64)
    return cells


def _ivf_query(cells: _Cells, X_indexed: np.ndarray, X: np.ndarray, kq: int, metric: str,
               threads: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``kq`` nearest indexed rows of the rows of ``X``: the rows of each query's cell
    are searched exactly in float32 (:func:`_best_scores`) among the rows of the cells
    nearest to that cell's centre, cells on ``threads`` threads (each cell's search on
    one, so the result does not depend on ``threads``); the best ``kq + margin`` are
    re-ranked by their float64 distance, ties by index."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    V = _as_ivf_vectors(X, metric)
    label = cells.assign(V, threads)
    by_cell = np.argsort(label, kind="stable")
    starts = np.searchsorted(label[by_cell], np.arange(len(cells.bounds)))
    n_index = len(cells.scoring)
    want = min(kq + _IVF_MARGIN, n_index)
    idx = np.empty((len(X), want), dtype=np.int64)
    Q1 = np.ones((len(V), V.shape[1] + 1), dtype=np.float32)
    Q1[:, :-1] = V
    del V

    def search(c: int) -> None:
        q = by_cell[starts[c]:starts[c + 1]]
        if len(q):
            rows = cells.candidates(c, want)
            idx[q] = rows[_best_scores(Q1[q], cells.scoring[rows], want)]

    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max(threads, 1)) as pool:
        list(pool.map(search, range(len(cells.bounds) - 1)))
    dist = np.empty(idx.shape, dtype=np.float64)
    step = max(1, 2**22 // max(want * X.shape[1], 1))
    for a in range(0, X.shape[0], step):
        q = X[a:a + step, None, :]
        c = X_indexed[idx[a:a + step]]
        if metric == "cosine":
            num = np.einsum("ijk,ijk->ij", np.broadcast_to(q, c.shape), c)
            den = np.linalg.norm(q, axis=2) * np.linalg.norm(c, axis=2)
            dist[a:a + step] = np.maximum(1.0 - num / np.where(den > 0, den, 1.0), 0.0)
        else:
            dist[a:a + step] = np.sqrt(((c - q) ** 2).sum(axis=2))
    order = _order_rows(dist, idx)[:, :kq]
    return np.take_along_axis(dist, order, axis=1), np.take_along_axis(idx, order, axis=1)


def _order_rows(dist: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per row, the order by distance, ties by index (deterministic)."""
    order = np.argsort(idx, axis=1, kind="stable")
    by_dist = np.argsort(np.take_along_axis(dist, order, axis=1), axis=1, kind="stable")
    return np.take_along_axis(order, by_dist, axis=1)


def lambda_equalize(
    distances: np.ndarray,
    lam: float = 1.0,
    tol: float = 1e-6,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-point bandwidths σ with ``Σ_i exp(-σ_j d_ij) = λ``, vectorised.

    Parameters
    ----------
    distances : ndarray of shape (n, k)
        Non-negative distances from each point to its ``k`` neighbours.
    lam : float, default=1.0
        Target row sum λ, ``0 < λ ≤ k``.
    tol : float, default=1e-6
        Relative tolerance on the row sums reached by bisection; the weights
        are then rescaled so every row sums to ``λ`` to float precision.
    max_iter : int, default=200
        Bisection steps (in log σ) at most.

    Returns
    -------
    weights : ndarray of shape (n, k)
        ``exp(-σ_j d_ij)``; every row sums to ``λ``.
    sigma : ndarray of shape (n,)
        The bandwidths; ``inf`` where zero distances (duplicate points) alone
        reach λ — those rows share λ equally among their zero-distance
        neighbours, without NaN.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([[0.5, 1.0, 2.0], [0.0, 0.0, 3.0]])
    >>> w, s = lambda_equalize(d, lam=1.0)
    >>> np.allclose(w.sum(axis=1), 1.0)
    True
    """
    d = np.asarray(distances, dtype=np.float64)
    if d.ndim != 2 or d.shape[1] == 0:
        raise ValueError(f"distances must be a 2-D array with k >= 1 columns, got {d.shape}")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError("distances must be finite and non-negative")
    n, k = d.shape
    if not 0 < lam <= k:
        raise ValueError(f"lam must satisfy 0 < lam <= k = {k}, got {lam}")
    zero = d == 0.0
    n_zero = zero.sum(axis=1)
    sigma = np.zeros(n)
    weights = np.ones_like(d)
    # rows whose duplicates alone reach λ: σ = ∞, λ shared by the zero-distance entries
    saturated = n_zero >= lam
    saturated &= ~(n_zero == k)  # all-zero rows: any σ gives k ≥ λ, handled below
    all_zero = n_zero == k
    if lam < k:
        solve = ~(saturated | all_zero)
    else:  # λ = k: σ = 0 gives every weight 1 exactly
        solve = np.zeros(n, dtype=bool)
    if np.any(solve):
        ds = d[solve]
        zs = n_zero[solve]
        dpos = np.where(ds > 0, ds, np.inf).min(axis=1)
        dmax = ds.max(axis=1)
        # f(σ) = Σ exp(-σ d) is decreasing; bracket the root analytically
        lo = np.log(k / lam) / dmax  # f(lo) ≥ k·exp(-lo·dmax) = λ
        hi = np.log((k - zs) / (lam - zs)) / dpos  # f(hi) ≤ z + (k-z)exp(-hi·dpos) = λ
        lo = np.maximum(lo, 1e-300)
        hi = np.maximum(hi, lo)
        log_lo, log_hi = np.log(lo), np.log(hi)
        for _ in range(max_iter):
            mid = 0.5 * (log_lo + log_hi)
            f = np.exp(-np.exp(mid)[:, None] * ds).sum(axis=1)
            above = f > lam
            log_lo = np.where(above, mid, log_lo)
            log_hi = np.where(above, log_hi, mid)
            if np.all(np.abs(f - lam) <= tol * lam) and np.all(log_hi - log_lo < 1e-3):
                break
        s = np.exp(0.5 * (log_lo + log_hi))
        sigma[solve] = s
        weights[solve] = np.exp(-s[:, None] * ds)
    if np.any(saturated):
        sigma[saturated] = np.inf
        weights[saturated] = zero[saturated].astype(np.float64)
    # exact row sums λ (also handles all-zero rows: λ shared equally)
    weights *= lam / weights.sum(axis=1, keepdims=True)
    return weights, sigma


def symmetrize(indices: np.ndarray, weights: np.ndarray, n: int) -> sp.csr_matrix:
    """Return ``W = (A + Aᵀ)/2`` with ``A[i, j] = weights[j, ·]`` for ``i`` in ``indices[j]``.

    Column ``j`` of ``A`` holds point ``j``'s λ-equalised weights, so ``A`` is
    column-stochastic for λ = 1. The result is a symmetric CSR matrix without
    explicit zeros or self-loops.

    Parameters
    ----------
    indices : ndarray of shape (n, k)
        Each point's neighbours.
    weights : ndarray of shape (n, k)
        Their λ-equalised weights.
    n : int
        Number of points.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n, n)
    """
    n_src, k = indices.shape
    cols = np.repeat(np.arange(n_src), k)
    rows = indices.ravel()
    A = sp.csr_matrix((weights.ravel(), (rows, cols)), shape=(n, n))
    W = ((A + A.T) * 0.5).tocsr()
    W.setdiag(0.0)
    W.eliminate_zeros()
    return W


def igraph_from_edges(
    sources: np.ndarray, targets: np.ndarray, weights: np.ndarray, n: int, directed: bool
):
    """Build a weighted :class:`igraph.Graph` from edge arrays (no Python edge loop).

    Parameters
    ----------
    sources, targets : ndarray of shape (e,)
        Edge end points.
    weights : ndarray of shape (e,)
        Edge weights (the ``weight`` attribute).
    n : int
        Number of vertices.
    directed : bool
        Build a directed graph.

    Returns
    -------
    igraph.Graph
    """
    import igraph as ig

    edges = np.column_stack([sources, targets]).astype(np.int64, copy=False)
    # the array itself, not .tolist(): a list of 10⁷ two-int lists would add ~0.45 GB
    # to the build's peak at 10⁶ vertices (measured); and through add_edges, which
    # reads it 2–3.5× faster than the constructor's edges= (the same graph)
    g = ig.Graph(n=int(n), directed=directed)
    g.add_edges(edges)
    g.es["weight"] = np.asarray(weights, dtype=np.float64).tolist()
    return g


@dataclass
class KNNGraph:
    """A λ-equalised kNN graph and everything needed to query or rebuild it.

    Parameters
    ----------
    indices, distances, weights : ndarray of shape (n, k)
        Each row's neighbours (self excluded), distances and λ-equalised weights.
    sigma : ndarray of shape (n,)
        Per-point bandwidths.
    edges : ndarray of shape (e, 2)
        Undirected edges ``u < v`` of ``W``.
    edge_weights : ndarray of shape (e,)
        Their weights.
    index : NeighborIndex
        The fitted neighbour index (for new rows).
    lam : float, default=1.0
        The λ of the equalisation.
    timings : dict
        Seconds per stage of :func:`knn_graph`: ``index`` (building the neighbour
        index), ``query`` (every row's k nearest) and ``weights`` (λ-equalisation
        and the symmetrised edge list).
    _igraph, _igraph_directed : igraph.Graph or None
        Caches of the undirected and directed igraph views (built on first use).
    """

    indices: np.ndarray
    distances: np.ndarray
    weights: np.ndarray
    sigma: np.ndarray
    edges: np.ndarray
    edge_weights: np.ndarray
    index: NeighborIndex | None = None
    lam: float = 1.0
    timings: dict = field(default_factory=dict, repr=False)
    _igraph: object = field(default=None, repr=False)
    _igraph_directed: object = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.indices.shape[0]

    @property
    def k(self) -> int:
        return self.indices.shape[1]

    @property
    def total_weight(self) -> float:
        """``m``: the total undirected edge weight."""
        return float(self.edge_weights.sum())

    def strength(self) -> np.ndarray:
        """Weighted degree of every vertex in ``W``."""
        s = np.bincount(self.edges[:, 0], weights=self.edge_weights, minlength=self.n)
        s += np.bincount(self.edges[:, 1], weights=self.edge_weights, minlength=self.n)
        return s

    def to_igraph(self, directed: bool = False):
        """The undirected ``W`` (or the directed ``A``) as a weighted igraph Graph (cached)."""
        if directed:
            if self._igraph_directed is None:
                src = np.repeat(np.arange(self.n), self.k)  # edge j -> i, weight A[i, j]
                self._igraph_directed = igraph_from_edges(
                    src, self.indices.ravel(), self.weights.ravel(), self.n, directed=True
                )
            return self._igraph_directed
        if self._igraph is None:
            self._igraph = igraph_from_edges(
                self.edges[:, 0], self.edges[:, 1], self.edge_weights, self.n, directed=False
            )
        return self._igraph

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_igraph"] = None  # rebuilt on demand
        state["_igraph_directed"] = None
        return state


def knn_graph(
    X: np.ndarray,
    k: int = 15,
    metric: str = "euclidean",
    lam: float = 1.0,
    backend: str = "auto",
    random_state=None,
    n_jobs: int | None = None,
) -> KNNGraph:
    """Build the λ-equalised, symmetrised kNN graph of the rows of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Finite features (already scaled as wanted).
    k : int, default=15
        Neighbours per point, self excluded; needs ``n ≥ k + 1``.
    metric, backend, random_state, n_jobs
        Passed to :class:`NeighborIndex`.
    lam : float, default=1.0
        λ of the equalisation: every point's outgoing weights sum to λ.

    Returns
    -------
    KNNGraph

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 4))
    >>> g = knn_graph(X, k=10, random_state=0)
    >>> g.indices.shape, bool(np.allclose(g.weights.sum(axis=1), 1.0))
    ((200, 10), True)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    n = X.shape[0]
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if n < k + 1:
        raise ValueError(f"k={k} neighbours need at least k + 1 = {k + 1} rows, got {n}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    clock = time.perf_counter()
    index = NeighborIndex(metric=metric, backend=backend, random_state=random_state, n_jobs=n_jobs)
    index.fit(X)
    t_index = time.perf_counter()
    dist, idx = index.query(X, k=k, exclude_self=True)
    t_query = time.perf_counter()
    weights, sigma = lambda_equalize(dist, lam=lam)
    W = sp.triu(symmetrize(idx, weights, n), k=1).tocoo()
    edges = np.column_stack([W.row, W.col]).astype(np.int64)
    timings = {"index": t_index - clock, "query": t_query - t_index,
               "weights": time.perf_counter() - t_query}
    return KNNGraph(
        indices=idx,
        distances=dist,
        weights=weights,
        sigma=sigma,
        edges=edges,
        edge_weights=W.data.astype(np.float64),
        index=index,
        lam=lam,
        timings=timings,
    )
