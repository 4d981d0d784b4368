"""Leiden runs: the backends, and where the runs execute (this process, a local process
pool, or a dask cluster).

:mod:`gramixc.sweep` plans which resolutions γ to solve; this module solves them.

Backends (small interchangeable functions, same signature; :data:`BACKENDS`):

* ``"igraph"`` — :meth:`igraph.Graph.community_leiden`, modularity or CPM on the
  undirected graph. About 10× faster than ``leidenalg`` on the same graph.
* ``"leidenalg"`` — :func:`leidenalg.find_partition` with
  ``RBConfigurationVertexPartition`` (modularity) or ``CPMVertexPartition``;
  also handles the directed graph ``A``.

Reproducibility. igraph's Leiden has no seed argument: it draws from the global RNG
installed with :func:`igraph.set_random_number_generator`. Every run installs a
:class:`random.Random` seeded with the run's seed and restores Python's
:mod:`random` module (igraph's default) afterwards. The global RNG is not
thread-safe, so parallel runs use processes. A run's seed is given with its γ, so
the result does not depend on where or in which order runs execute.

Where runs execute (:class:`LeidenRunner`): one job → in this process; ``n_jobs > 1``
→ a local process pool whose workers each build the igraph graph once from the edge
arrays; inside ``joblib.parallel_backend("dask")`` (and ``n_jobs != 1``) → the dask
cluster's workers: the graph's edges are scattered to every worker once, each worker
builds its graph once per runner and keeps it for the runner's tasks.

Locality order. On graphs of more than :data:`LOCALITY_ORDER_MIN_N` vertices the
runner hands Leiden the graph with its vertices renumbered in reverse Cuthill–McKee
order (:meth:`LeidenGraph.in_locality_order`), so that a vertex's neighbours sit at
nearby numbers and their cluster labels in nearby memory, and maps every membership
back. A kNN graph of shuffled rows otherwise sends nearly every neighbour look-up to
a cache miss: one run at 10⁶ rows took 1.2–1.5× as long (10⁵ rows: 1.1–1.4×), for the
same modularity (``benchmarks/bench_locality.py``).
"""

from __future__ import annotations

import multiprocessing as mp
import random
import uuid
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from ._parallel import effective_n_jobs
from ._validation import check_auto_or_int

__all__ = ["BACKENDS", "OBJECTIVES", "ITERATIONS_AUTO_MAX_N", "LOCALITY_ORDER_MIN_N",
           "LeidenGraph", "LeidenSettings", "LeidenRunner", "leiden", "leiden_runs",
           "resolve_iterations"]

OBJECTIVES = ("modularity", "CPM")
#: ``n_iterations="auto"``: two Leiden iterations per run up to this many vertices,
#: one above (measured on 1e5 rows: 35–40 % faster per run, modularity within 3 %).
ITERATIONS_AUTO_MAX_N = 50_000
#: Leiden runs on graphs of more than this many vertices see them in locality order.
LOCALITY_ORDER_MIN_N = 50_000


def resolve_iterations(n_iterations, n: int) -> int:
    """Leiden iterations per run.

    Parameters
    ----------
    n_iterations : int or "auto"
        ``"auto"``: 2 up to :data:`ITERATIONS_AUTO_MAX_N` vertices, 1 above.
    n : int
        Vertices of the graph.

    Returns
    -------
    int
    """
    return check_auto_or_int(n_iterations, "n_iterations", 1,
                             2 if n <= ITERATIONS_AUTO_MAX_N else 1)


# --------------------------------------------------------------------------- backends
def _leiden_igraph(graph, gamma: float, objective: str, seed: int, n_iterations: int,
                   beta: float) -> np.ndarray:
    import igraph as ig

    # a quotient graph (LeidenGraph.quotient) carries its nodes' weights: the summed
    # strengths of the vertices each node stands for
    node_weights = "node_weight" if "node_weight" in graph.vs.attributes() else None
    ig.set_random_number_generator(random.Random(seed))
    try:
        cl = graph.community_leiden(objective_function=objective, weights="weight",
                                    node_weights=node_weights,
                                    resolution=float(gamma), beta=beta,
                                    n_iterations=n_iterations)
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(cl.membership, dtype=np.int64)


def _leiden_leidenalg(graph, gamma: float, objective: str, seed: int, n_iterations: int,
                      beta: float) -> np.ndarray:
    import leidenalg as la

    kind = la.RBConfigurationVertexPartition if objective == "modularity" else la.CPMVertexPartition
    part = la.find_partition(graph, kind, weights="weight", resolution_parameter=float(gamma),
                             n_iterations=n_iterations, seed=int(seed))
    return np.asarray(part.membership, dtype=np.int64)


BACKENDS = {"igraph": _leiden_igraph, "leidenalg": _leiden_leidenalg}


def check_leiden_settings(objective: str, backend: str, directed: bool = False) -> None:
    """Raise a clear error for an unknown objective or backend, or a directed igraph run."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {sorted(BACKENDS)}, got {backend!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if directed and backend != "leidenalg":
        raise ValueError("directed=True needs backend='leidenalg' (igraph's Leiden is undirected)")


def leiden(graph, gamma: float, objective: str = "modularity", backend: str = "igraph",
           seed: int = 0, n_iterations: int = 2, beta: float = 0.01) -> np.ndarray:
    """One seeded Leiden run; returns the membership vector.

    Parameters
    ----------
    graph : igraph.Graph
        Weighted graph (edge attribute ``"weight"``).
    gamma : float
        Resolution.
    objective : {"modularity", "CPM"}
    backend : {"igraph", "leidenalg"}
    seed : int
        Seed of this run.
    n_iterations : int, default=2
        Leiden iterations (negative: until stable; measured 20× slower at
        n = 1e5 for the same plateau structure).
    beta : float, default=0.01
        Randomness of the refinement step.

    Returns
    -------
    ndarray of int64 of shape (n_vertices,)

    Examples
    --------
    >>> import igraph as ig
    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = 1.0
    >>> int(leiden(g, 1.0, seed=0).max()) + 1 >= 2
    True
    """
    check_leiden_settings(objective, backend)
    return BACKENDS[backend](graph, gamma, objective, seed, n_iterations, beta)


# ------------------------------------------------------------------- what runs need
@dataclass(frozen=True)
class LeidenGraph:
    """The graph as Leiden runs receive it: picklable arrays, built into igraph where used.

    Parameters
    ----------
    edges : ndarray of shape (E, 2)
        Upper-triangle edges of ``W`` (undirected) or arcs ``j → i`` (directed).
    weights : ndarray of shape (E,)
    n : int
        Vertices.
    directed : bool
    node_weights : ndarray of shape (n,) or None
        Modularity's vertex weights when they are not the vertices' strengths: on a
        quotient graph (:meth:`quotient`) the summed strengths of the vertices each
        node stands for (igraph backend only).
    rank : ndarray of shape (n,) or None
        The number vertex ``i`` gets in the built igraph graph (:meth:`in_locality_order`);
        None: its own. Runs on the built graph return memberships in that numbering
        (``membership[rank]`` is the membership of the vertices).
    """

    edges: np.ndarray
    weights: np.ndarray
    n: int
    directed: bool = False
    node_weights: np.ndarray | None = None
    rank: np.ndarray | None = None

    @classmethod
    def from_knn_graph(cls, graph, directed: bool = False) -> LeidenGraph:
        """The λ-equalised arcs (directed) or the symmetrised edges of a
        :class:`~gramixc.graph.KNNGraph`."""
        if directed:
            edges = np.column_stack([np.repeat(np.arange(graph.n), graph.k),
                                     graph.indices.ravel()])
            return cls(edges, graph.weights.ravel(), graph.n, True)
        return cls(graph.edges, graph.edge_weights, graph.n, False)

    def build(self):
        """The igraph graph (edge attribute ``"weight"``; vertices numbered by ``rank``)."""
        from .graph import igraph_from_edges

        edges = self.edges if self.rank is None else self.rank[self.edges]
        g = igraph_from_edges(edges[:, 0], edges[:, 1], self.weights, self.n, self.directed)
        del edges
        if self.node_weights is not None:
            node_weights = np.asarray(self.node_weights, dtype=np.float64)
            if self.rank is not None:  # vertex i's weight goes to igraph vertex rank[i]
                node_weights = np.empty_like(node_weights)
                node_weights[self.rank] = self.node_weights
            g.vs["node_weight"] = node_weights.tolist()
        return g

    def in_locality_order(self) -> LeidenGraph:
        """This graph, to be built with its vertices in reverse Cuthill–McKee order.

        The order (:func:`scipy.sparse.csgraph.reverse_cuthill_mckee`, breadth-first
        from a vertex of least degree) numbers neighbours close together, so a Leiden
        run reads their labels from nearby memory. It depends only on the edges.

        Returns
        -------
        LeidenGraph
            The same graph with ``rank`` set.

        Examples
        --------
        >>> g = LeidenGraph(np.array([[0, 3], [3, 1], [1, 2]]), np.ones(3), 4)
        >>> g.in_locality_order().rank.tolist()  # the path 0-3-1-2, numbered along it
        [3, 1, 0, 2]
        """
        import scipy.sparse as sp
        from scipy.sparse.csgraph import reverse_cuthill_mckee

        e = self.edges
        adj = sp.coo_matrix((np.ones(len(e), dtype=bool), (e[:, 0], e[:, 1])),
                            shape=(self.n, self.n)).tocsr()
        order = reverse_cuthill_mckee((adj + adj.T).tocsr(), symmetric_mode=True)
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n)
        return replace(self, rank=rank)

    def quotient(self, membership: np.ndarray) -> LeidenGraph:
        """The graph of the clusters of ``membership`` (undirected graphs only).

        One node per cluster; two clusters are joined by the summed weight of the
        edges between them, and a node weighs the summed strength of its vertices.
        The edges inside a cluster are dropped: they lie inside whichever cluster
        holds the node, so they add the same constant to the modularity of every
        partition of the nodes. Modularity at any γ of a partition of the nodes is
        therefore, up to that constant, the modularity of the partition of the
        vertices it induces (membership of vertex ``i`` = node partition of
        ``membership[i]``): Leiden on the quotient searches the partitions that
        keep every cluster of ``membership`` whole.

        Parameters
        ----------
        membership : ndarray of int of shape (n,)
            Cluster labels ``0..K−1`` of the vertices.

        Returns
        -------
        LeidenGraph
            ``K`` nodes, ``node_weights`` set.

        Examples
        --------
        >>> g = LeidenGraph(np.array([[0, 1], [1, 2], [2, 3]]), np.ones(3), 4)
        >>> q = g.quotient(np.array([0, 0, 1, 1]))
        >>> q.n, q.edges.tolist(), q.weights.tolist(), q.node_weights.tolist()
        (2, [[0, 1]], [1.0], [3.0, 3.0])
        """
        if self.directed:
            raise ValueError("quotient graphs are built for undirected graphs only")
        import scipy.sparse as sp

        memb = np.asarray(membership, dtype=np.int64)
        k = int(memb.max()) + 1
        strength = self.node_weights
        if strength is None:
            strength = (np.bincount(self.edges[:, 0], weights=self.weights, minlength=self.n)
                        + np.bincount(self.edges[:, 1], weights=self.weights, minlength=self.n))
        cu, cv = memb[self.edges[:, 0]], memb[self.edges[:, 1]]
        between = cu != cv
        a = np.minimum(cu, cv)[between]
        b = np.maximum(cu, cv)[between]
        adj = sp.coo_matrix((self.weights[between], (a, b)), shape=(k, k)).tocsr()
        adj.sum_duplicates()
        adj = adj.tocoo()
        edges = np.column_stack([adj.row, adj.col]).astype(np.int64)
        return LeidenGraph(edges, adj.data.astype(np.float64), k, False,
                           np.bincount(memb, weights=strength, minlength=k))


@dataclass(frozen=True)
class LeidenSettings:
    """Everything of a run but its graph, γ and seed.

    Parameters
    ----------
    objective : {"modularity", "CPM"}
    backend : {"igraph", "leidenalg"}
    n_iterations : int
        Leiden iterations per run.
    beta : float
        Randomness of the refinement step.
    """

    objective: str = "modularity"
    backend: str = "igraph"
    n_iterations: int = 2
    beta: float = 0.01

    def run(self, ig_graph, gamma: float, seed: int) -> np.ndarray:
        """One run on a built igraph graph."""
        return leiden(ig_graph, gamma, self.objective, self.backend, seed, self.n_iterations,
                      self.beta)


# ------------------------------------------------------------------ local process pool
_WORKER: dict = {}


def _init_worker(graph: LeidenGraph, settings: LeidenSettings) -> None:
    _WORKER["graph"] = graph.build()
    _WORKER["settings"] = settings


def _run_in_worker(task: tuple[float, int]) -> np.ndarray:
    gamma, seed = task
    return _WORKER["settings"].run(_WORKER["graph"], gamma, seed)


# --------------------------------------------------------------------------- dask
#: Graphs built on this dask worker, by runner key (the last few runners only).
_DASK_GRAPHS: OrderedDict = OrderedDict()
_DASK_KEEP = 2


def _run_on_dask_worker(key: str, payload, task: tuple[float, int]) -> np.ndarray:
    """One run on a dask worker: the runner's graph is built once per worker and key."""
    graph, settings = payload
    built = _DASK_GRAPHS.get(key)
    if built is None:
        built = graph.build()
        _DASK_GRAPHS[key] = built
        while len(_DASK_GRAPHS) > _DASK_KEEP:
            _DASK_GRAPHS.popitem(last=False)
    gamma, seed = task
    return settings.run(built, gamma, seed)


class _DaskPool:
    """``map``/``shutdown`` over a dask client; the graph scattered to every worker once."""

    def __init__(self, client, graph: LeidenGraph, settings: LeidenSettings) -> None:
        self.client = client
        self.key = uuid.uuid4().hex  # names this runner's graph on the workers only
        self.payload = client.scatter([(graph, settings)], broadcast=True)[0]

    def map(self, tasks):
        tasks = list(tasks)
        futures = self.client.map(_run_on_dask_worker, [self.key] * len(tasks),
                                  [self.payload] * len(tasks), tasks, pure=False)
        for fut in futures:
            yield fut.result()

    def shutdown(self) -> None:
        self.client.cancel([self.payload])


# ------------------------------------------------------------------------- runner
class LeidenRunner:
    """Runs ``(γ, seed)`` tasks on one graph: here, in local processes or on dask.

    A context manager: workers start on entry and stop on exit. Results come back
    in the order of the tasks and never depend on where they ran.

    Parameters
    ----------
    graph : LeidenGraph
    settings : LeidenSettings
    n_jobs : int or None, default=None
        None/1: this process; more: a local process pool (scikit-learn semantics,
        :func:`~gramixc._parallel.effective_n_jobs`); inside
        ``joblib.parallel_backend("dask")`` any value but 1: the dask cluster.
    local : callable, optional
        Returns the igraph graph for runs in this process (e.g. a
        :class:`~gramixc.graph.KNNGraph`'s cached ``to_igraph``); default
        ``graph.build``. Never called when the runs go to workers, nor on graphs of
        more than :data:`LOCALITY_ORDER_MIN_N` vertices, which the runs see in
        locality order (:meth:`LeidenGraph.in_locality_order`; the memberships come
        back in the graph's own numbering).

    Examples
    --------
    >>> import numpy as np
    >>> from gramixc.graph import knn_graph
    >>> g = knn_graph(np.random.default_rng(0).normal(size=(100, 3)), k=8, random_state=0)
    >>> with LeidenRunner(LeidenGraph.from_knn_graph(g), LeidenSettings()) as run:
    ...     [m.shape for m in run.map([(1.0, 1), (2.0, 2)])]
    [(100,), (100,)]
    """

    def __init__(self, graph: LeidenGraph, settings: LeidenSettings,
                 n_jobs: int | None = None, local=None) -> None:
        if graph.n > LOCALITY_ORDER_MIN_N and graph.rank is None:
            graph = graph.in_locality_order()
        self.graph = graph
        self.settings = settings
        self.n_jobs = n_jobs
        self._build_local = graph.build if local is None or graph.rank is not None else local
        self._pool = None
        self._local = None

    def __enter__(self) -> LeidenRunner:
        from ._dask import active_client

        client = active_client() if self.n_jobs != 1 else None
        if client is not None:
            self._pool = _DaskPool(client, self.graph, self.settings)
        elif effective_n_jobs(self.n_jobs) > 1:
            # imported here, before the fork, so that forked workers inherit it instead of
            # each importing it (0.4–0.6 s: igraph loads its matplotlib drawing support)
            import igraph  # noqa: F401

            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            self._pool = ProcessPoolExecutor(max_workers=effective_n_jobs(self.n_jobs),
                                             mp_context=ctx, initializer=_init_worker,
                                             initargs=(self.graph, self.settings))
        return self

    def __exit__(self, *exc) -> bool:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        return False

    def map(self, tasks):
        """Memberships of the ``(γ, seed)`` tasks, yielded in order."""
        rank = self.graph.rank
        for membership in self._map(tasks):
            yield membership if rank is None else membership[rank]

    def _map(self, tasks):
        if self._pool is not None:
            yield from self._pool.map(_run_in_worker, tasks) \
                if isinstance(self._pool, ProcessPoolExecutor) else self._pool.map(tasks)
            return
        if self._local is None:  # built only when runs happen here
            self._local = self._build_local()
        for gamma, seed in tasks:
            yield self.settings.run(self._local, gamma, seed)


def leiden_runs(graph, gammas, seeds, objective: str = "modularity", backend: str = "igraph",
                directed: bool = False, n_iterations: int | str = "auto", beta: float = 0.01,
                n_jobs: int | None = None) -> list[np.ndarray]:
    """One seeded Leiden run per ``(γ, seed)`` pair on a :class:`~gramixc.graph.KNNGraph`.

    Runs where :class:`LeidenRunner` says; the result does not depend on ``n_jobs``.

    Parameters
    ----------
    graph : KNNGraph
        The graph (from :func:`gramixc.graph.knn_graph`).
    gammas : sequence of float
        Resolution of every run.
    seeds : sequence of int
        Leiden seed of every run (same length as ``gammas``).
    objective : {"modularity", "CPM"}, default="modularity"
    backend : {"igraph", "leidenalg"}, default="igraph"
    directed : bool, default=False
        Directed kNN graph (leidenalg only).
    n_iterations : int or "auto", default="auto"
        Leiden iterations per run (:func:`resolve_iterations`).
    beta : float, default=0.01
        Randomness of the refinement step.
    n_jobs : int or None, default=None
        Worker processes (None → 1, -1 → all cores).

    Returns
    -------
    list of ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from gramixc.graph import knn_graph
    >>> g = knn_graph(np.random.default_rng(0).normal(size=(200, 3)), k=10, random_state=0)
    >>> [m.shape for m in leiden_runs(g, [1.0, 1.0], [1, 2])]
    [(200,), (200,)]
    """
    check_leiden_settings(objective, backend, directed)
    tasks = [(float(g), int(s)) for g, s in zip(gammas, seeds)]
    settings = LeidenSettings(objective, backend, resolve_iterations(n_iterations, graph.n), beta)
    runner = LeidenRunner(LeidenGraph.from_knn_graph(graph, directed), settings,
                          n_jobs if len(tasks) > 1 else None,
                          local=lambda: graph.to_igraph(directed=directed))
    with runner:
        return list(runner.map(tasks))
