"""The resolution sweep: which resolutions γ to solve, and the partitions they give.

:func:`resolution_sweep` plans a grid of resolutions γ (range chosen automatically
from the graph unless given; log-spaced in γ, or laid along the probed
cluster-count curve on large graphs), optionally refines the grid at the crossing
points of the envelope lines, and returns every distinct partition found together
with its line ``(h_a, h_r)`` (see :mod:`gramixc.envelope`). The runs themselves —
the Leiden backends, and whether they execute here, in local processes or on a
dask cluster — are :mod:`gramixc.leiden`'s.

Reproducibility. Every γ gets a seed derived from ``(random_state, γ)``
(:func:`gamma_seed`), not from the order of runs, so ``n_jobs`` (and where the runs
execute) does not change the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.utils import check_random_state

from ._validation import check_auto_or_int
from .envelope import canonical_labels, partition_lines, upper_envelope
from .leiden import (
    BACKENDS,
    ITERATIONS_AUTO_MAX_N,
    LeidenGraph,
    LeidenRunner,
    LeidenSettings,
    check_leiden_settings,
    leiden,
    leiden_runs,
    resolve_iterations,
)

__all__ = ["SweepResult", "resolution_sweep", "gamma_seed", "leiden", "leiden_runs",
           "BACKENDS", "ITERATIONS_AUTO_MAX_N", "resolve_iterations", "resolve_coarsen"]

#: Probes solved together while bracketing the range (fixed, so that the set of
#: solved γ — hence the result — does not depend on n_jobs).
_PROBE_BATCH = 2
#: ``refine="auto"`` refines the envelope for graphs up to this many vertices.
REFINE_AUTO_MAX_N = 50_000
_SPACINGS = ("auto", "gamma", "curve")
#: ``spacing="auto"``: the automatic grid is log-spaced in γ up to this many
#: vertices (where refinement fills the envelope's gaps) and laid along the probed
#: cluster-count curve above.
SPACING_AUTO_MAX_N = 50_000
#: ``coarsen="auto"``: runs below a solved partition of large clusters go to the
#: quotient graph of its clusters on graphs of more than this many vertices (igraph,
#: undirected).
COARSEN_AUTO_MAX_N = 50_000
#: A partition's clusters become the nodes of a quotient graph when they hold at least
#: this many rows on average (measured at 10⁵ rows: from 100 clusters of 1,000 rows the
#: coarser runs lost no modularity; from 292 of 342 rows up to 0.6 %; from 2,112 of 47,
#: 4 %).
QUOTIENT_MIN_MEAN_SIZE = 1_000


def resolve_coarsen(coarsen, n: int, backend: str = "igraph", directed: bool = False) -> bool:
    """Whether runs below a partition of large clusters go to its quotient graph.

    Parameters
    ----------
    coarsen : bool or "auto"
        ``"auto"``: on for undirected igraph sweeps of more than
        :data:`COARSEN_AUTO_MAX_N` vertices.
    n : int
        Vertices of the graph.
    backend : {"igraph", "leidenalg"}, default="igraph"
    directed : bool, default=False

    Returns
    -------
    bool
    """
    if isinstance(coarsen, str) and coarsen == "auto":
        return n > COARSEN_AUTO_MAX_N and backend == "igraph" and not directed
    if not isinstance(coarsen, (bool, np.bool_)):
        raise ValueError(f"coarsen must be True, False or 'auto', got {coarsen!r}")
    if coarsen and (backend != "igraph" or directed):
        raise ValueError("coarsen=True needs backend='igraph' and directed=False")
    return bool(coarsen)


def resolve_spacing(spacing, n: int) -> str:
    """How the automatic grid is laid out for a graph of ``n`` vertices
    (``"auto"`` → ``"gamma"`` or ``"curve"``)."""
    if spacing not in _SPACINGS:
        raise ValueError(f"spacing must be one of {_SPACINGS}, got {spacing!r}")
    if spacing == "auto":
        return "gamma" if n <= SPACING_AUTO_MAX_N else "curve"
    return spacing


def resolve_n_resolutions(n_resolutions, spacing: str) -> int:
    """Size of the automatic grid (``"auto"`` → 24 log-spaced in γ, 12 along the curve)."""
    return check_auto_or_int(n_resolutions, "n_resolutions", 2, 12 if spacing == "curve" else 24)


def _curve_position(gammas, n_clusters, lo: float, hi: float):
    """Position along the probed curve ``log K(log γ)`` as a function of γ.

    Both axes are scaled to [0, 1] over ``[lo, hi]`` and the curve through the
    probes (``K`` made non-decreasing in γ, linear between probes in log-log,
    flat beyond them) is measured by arc length: equal steps of it are equal steps
    in log γ where the cluster count barely moves and equal steps in log K where
    it climbs.
    """
    order = np.argsort(gammas, kind="stable")
    lg = np.log(np.asarray(gammas, dtype=np.float64)[order])
    lk = np.maximum.accumulate(np.log(np.asarray(n_clusters, dtype=np.float64)[order]))
    keep = np.r_[True, np.diff(lg) > 0]  # one point per γ
    lg, lk = lg[keep], lk[keep]
    a, b = np.log(lo), np.log(hi)
    knots = np.unique(np.r_[a, b, lg[(lg > a) & (lg < b)]])
    x = (knots - a) / max(b - a, 1e-300)
    y = np.interp(knots, lg, lk)
    y = (y - y[0]) / (y[-1] - y[0]) if y[-1] > y[0] else np.zeros_like(y)
    s = np.r_[0.0, np.cumsum(np.hypot(np.diff(x), np.diff(y)))]

    def position(g):
        return np.interp(np.log(np.asarray(g, dtype=np.float64)), knots, s)

    position.knots, position.arc = knots, s
    return position


def _even_grid(position, lo: float, hi: float, size: int) -> np.ndarray:
    """``size`` values of γ from lo to hi, evenly spaced in ``position(γ)``."""
    if position is np.log:
        return np.geomspace(lo, hi, size)
    targets = np.linspace(0.0, position.arc[-1], size)
    grid = np.exp(np.interp(targets, position.arc, position.knots))
    grid[0], grid[-1] = lo, hi
    return grid


def gamma_seed(base_seed: int, gamma: float) -> int:
    """The seed of the run at γ: depends only on the base seed and γ (not on run order).

    Parameters
    ----------
    base_seed : int
        Drawn once from the sweep's ``random_state``.
    gamma : float
        The resolution (its IEEE-754 bits enter the seed).

    Returns
    -------
    int

    Examples
    --------
    >>> gamma_seed(0, 1.0) == gamma_seed(0, 1.0) != gamma_seed(0, 2.0)
    True
    """
    bits = int(np.float64(gamma).view(np.uint64))
    ss = np.random.SeedSequence([base_seed, bits & 0xFFFFFFFF, bits >> 32])
    return int(ss.generate_state(1)[0] & 0x7FFFFFFF)


# ----------------------------------------------------------------------------- result
@dataclass
class SweepResult:
    """Every distinct partition found by a sweep.

    Parameters
    ----------
    memberships : ndarray of shape (P, n)
        Distinct partitions, canonical labels (0..K−1 by first appearance).
    h_a, h_r : ndarray of shape (P,)
        Their lines ``Q(γ) = h_a − γ h_r``.
    run_gammas : ndarray of shape (R,)
        Every γ that was solved, in the order solved (grid, probes, refinements).
    run_partition : ndarray of shape (R,)
        Index into ``memberships`` of the partition each run returned.
    run_kind : list of str
        ``"probe"``, ``"grid"`` or ``"refine"`` for every run.
    n_trivial : int
        The first ``n_trivial`` memberships are the exact trivial candidates
        added without running Leiden (connected components or all-in-one,
        singletons).
    objective, backend, directed
        The Leiden settings of the sweep.
    gamma_range : tuple of float
        Smallest and largest γ solved.
    """

    memberships: np.ndarray
    h_a: np.ndarray
    h_r: np.ndarray
    run_gammas: np.ndarray
    run_partition: np.ndarray
    run_kind: list = field(default_factory=list)
    objective: str = "modularity"
    backend: str = "igraph"
    directed: bool = False
    gamma_range: tuple = (np.nan, np.nan)
    n_trivial: int = 0

    @property
    def n_clusters(self) -> np.ndarray:
        """Number of clusters of every distinct partition."""
        return self.memberships.max(axis=1) + 1


class _Collector:
    """Deduplicates partitions and keeps their lines."""

    def __init__(self, edges, weights, n, objective, directed):
        self.edges, self.weights, self.n = edges, weights, n
        self.objective, self.directed = objective, directed
        self.keys: dict[bytes, int] = {}
        self.memberships: list[np.ndarray] = []
        self.n_clusters: list[int] = []  # of every distinct partition
        self.h_a: list[float] = []
        self.h_r: list[float] = []
        self.run_gammas: list[float] = []
        self.run_partition: list[int] = []
        self.run_kind: list[str] = []

    def add(self, membership: np.ndarray, gamma: float | None = None, kind: str = "grid") -> int:
        canon = canonical_labels(membership).astype(np.int32)
        key = canon.tobytes()
        idx = self.keys.get(key)
        if idx is None:
            idx = len(self.memberships)
            self.keys[key] = idx
            self.memberships.append(canon)
            self.n_clusters.append(int(canon.max()) + 1)
            a, r = partition_lines(
                canon[None, :], self.edges, self.weights, self.n, self.objective, self.directed
            )
            self.h_a.append(float(a[0]))
            self.h_r.append(float(r[0]))
        if gamma is not None:
            self.run_gammas.append(float(gamma))
            self.run_partition.append(idx)
            self.run_kind.append(kind)
        return idx

    def envelope(self):
        return upper_envelope(np.array(self.h_a), np.array(self.h_r))

    def n_clusters_of_runs(self) -> np.ndarray:
        """Number of clusters each run so far returned."""
        return np.array([self.n_clusters[i] for i in self.run_partition])


# ------------------------------------------------------------------------------ sweep
def resolution_sweep(
    graph,
    resolutions="auto",
    n_resolutions: int | str = "auto",
    objective: str = "modularity",
    backend: str = "igraph",
    directed: bool = False,
    refine: bool | str = "auto",
    max_refine_rounds: int = 3,
    min_cluster_size: float = 5.0,
    n_iterations: int | str = "auto",
    beta: float = 0.01,
    n_jobs: int | None = None,
    random_state=None,
    verbose: bool = False,
    spacing: str = "auto",
    coarsen: bool | str = "auto",
) -> SweepResult:
    """Run Leiden over a range of resolutions and collect the distinct partitions.

    Parameters
    ----------
    graph : KNNGraph
        From :func:`gramixc.graph.knn_graph`.
    resolutions : "auto" or array-like of float, default="auto"
        The γ grid. ``"auto"`` probes the graph from start values: downwards until
        Leiden returns the connected components (one cluster when connected),
        upwards until the mean cluster size falls to ``min_cluster_size``; then
        lays ``n_resolutions`` values over that range as ``spacing`` says (by
        factors of √10 and log-spaced in γ, or along the probed cluster-count
        curve).
    n_resolutions : int or "auto", default="auto"
        Grid size for ``"auto"`` resolutions (probes count as grid points);
        ``"auto"``: 24 with ``spacing="gamma"``, 12 with ``"curve"``.
    objective : {"modularity", "CPM"}, default="modularity"
    backend : {"igraph", "leidenalg"}, default="igraph"
    directed : bool, default=False
        Cluster the directed λ-weighted graph ``A`` instead of ``W`` (needs
        ``backend="leidenalg"``).
    refine : bool or "auto", default="auto"
        Solve again at the crossing points of consecutive envelope lines (inside
        the swept range) until no new envelope partition appears, at most
        ``max_refine_rounds`` rounds. ``"auto"`` refines graphs of up to
        :data:`REFINE_AUTO_MAX_N` vertices (above, one Leiden run costs seconds and
        refinement would roughly double the sweep time).
    min_cluster_size : float, default=5
        Finest scale for ``"auto"``: mean cluster size at the top of the range.
    n_iterations : int or "auto", default="auto"
        Leiden iterations per run; ``"auto"``: 2 for graphs of up to
        :data:`ITERATIONS_AUTO_MAX_N` vertices, 1 above (each run 35–40 % faster
        on 1e5 rows, its modularity within 3 %).
    beta : float, default=0.01
        Randomness of Leiden's refinement step.
    n_jobs : int or None, default=None
        Processes for the runs of one round (``None``/1: in this process;
        ``-1``: all cores). The result does not depend on it. Inside
        ``joblib.parallel_backend("dask")`` any value but 1 runs them on the dask
        cluster instead (see :mod:`gramixc._dask`), with the same result.
    random_state : int, RandomState instance or None
        Seeds every run (each γ gets a seed derived from this and γ).
    verbose : bool, default=False
        Show a progress bar.
    max_refine_rounds : int, default=3
        Most rounds of refinement between neighbouring envelope lines.
    spacing : {"auto", "gamma", "curve"}, default="auto"
        Layout of the ``"auto"`` grid: ``"gamma"`` = log-spaced in γ; ``"curve"`` =
        evenly along the probed curve of log cluster count against log γ (both
        scaled to [0, 1]), so fewer runs land where the cluster count barely moves
        and more where it climbs, and the walks that bracket the range run side by
        side (:func:`_auto_range_curve`); ``"auto"``: ``"gamma"`` up to
        :data:`SPACING_AUTO_MAX_N` vertices, ``"curve"`` above, where refinement is
        off and every run costs seconds to a minute (10⁵ rows,
        ``benchmarks/bench_spacing.py``: 12 runs along the curve found 10
        configurations in 17 s, 24 log-spaced runs 16 in 34 s).
    coarsen : bool or "auto", default="auto"
        With ``resolutions="auto"``: once a run returns clusters of at least
        :data:`QUOTIENT_MIN_MEAN_SIZE` rows on average, every later γ below it runs
        on the quotient graph of its clusters
        (:meth:`~gramixc.leiden.LeidenGraph.quotient`: one node per cluster, so the
        coarser partitions are unions of those clusters; their lines are still
        computed on the graph) — tens to hundreds of nodes instead of millions. The
        first round solves the first probes of both ends (γ = 1 for modularity, and
        the fine end's start) on the graph; the grid is solved finest first, two
        runs on the graph per round, so that its coarse points can use the
        quotient of a finer grid point.
        ``"auto"``: on for undirected igraph sweeps of more than
        :data:`COARSEN_AUTO_MAX_N` vertices, where every run on the graph costs
        seconds to a minute (``benchmarks/bench_spacing.py``: at 10⁵ rows the
        coarse runs' modularity within 0.01 % of runs on the graph, the same
        configurations; a quotient of fine clusters instead lost 4–6 %).

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import numpy as np
    >>> from gramixc.graph import knn_graph
    >>> X = np.random.default_rng(0).normal(size=(300, 5))
    >>> sweep = resolution_sweep(knn_graph(X, k=10, random_state=0), random_state=0)
    >>> sweep.memberships.shape[1]
    300
    """
    from tqdm.auto import tqdm

    check_leiden_settings(objective, backend, directed)
    base_seed = int(check_random_state(random_state).randint(0, 2**31 - 1))
    n = graph.n
    n_iterations_param = n_iterations
    n_iterations = resolve_iterations(n_iterations, n)
    spacing = resolve_spacing(spacing, n)
    n_resolutions = resolve_n_resolutions(n_resolutions, spacing)
    if isinstance(resolutions, str) and resolutions != "auto":
        raise ValueError(f"resolutions must be 'auto' or a sequence of floats, got {resolutions!r}")
    if isinstance(refine, str) and refine == "auto":
        refine = n <= REFINE_AUTO_MAX_N
    elif not isinstance(refine, (bool, np.bool_)):
        raise ValueError(f"refine must be True, False or 'auto', got {refine!r}")
    lgraph = LeidenGraph.from_knn_graph(graph, directed)
    col = _Collector(lgraph.edges, lgraph.weights, n, objective, directed)
    coarsen = resolve_coarsen(coarsen, n, backend, directed)

    # exact trivial candidates: connected components (all-in-one when connected), singletons
    n_comp, comp = _components(lgraph.edges, n)
    col.add(comp)
    col.add(np.arange(n))
    n_trivial = len(col.memberships)

    settings = LeidenSettings(objective, backend, n_iterations, beta)
    runners = _Runners(lgraph, settings, n_jobs, lambda: graph.to_igraph(directed=directed))
    bar = tqdm(total=0, desc="Leiden sweep", unit="γ", disable=not verbose, leave=False)

    def solve(gammas, kind):
        gammas = [float(g) for g in gammas]
        solved = dict(zip(col.run_gammas, col.run_partition))
        if all(g in solved for g in gammas):
            return [solved[g] for g in gammas]
        todo = [g for g in dict.fromkeys(gammas) if g not in solved]
        for g, idx in zip(todo, _solve_new(todo, kind)):
            solved[g] = idx
        return [solved[g] for g in gammas]

    def _solve_new(gammas, kind):
        bar.total += len(gammas)
        bar.refresh()
        results = {}
        for g, memb in runners.map([(g, gamma_seed(base_seed, g)) for g in gammas]):
            results[g] = memb
            bar.update(1)
        return [col.add(results[g], g, kind) for g in gammas]

    def update_quotient() -> None:
        """Runs below the finest solved partition of clusters of at least
        QUOTIENT_MIN_MEAN_SIZE rows on average go to the quotient of its clusters."""
        sizes = n / np.array(col.n_clusters)
        ok = [(g, i) for g, i in zip(col.run_gammas, col.run_partition)
              if sizes[i] >= QUOTIENT_MIN_MEAN_SIZE and col.n_clusters[i] > 1]
        if not ok:
            return
        g, i = max(ok)
        if runners.quotient is None or g > runners.quotient[0]:
            runners.set_quotient(g, col.memberships[i],
                                 resolve_iterations(n_iterations_param, col.n_clusters[i]))

    def solve_coarsened(gammas, kind):
        """Solve finest first, two runs on the graph at a time (a fixed number: the plan
        does not depend on n_jobs), each round's coarse partitions becoming the quotient
        of the runs below them."""
        todo = sorted((float(g) for g in gammas), reverse=True)
        while todo:
            update_quotient()
            g_q = runners.quotient[0] if runners.quotient is not None else -np.inf
            on_graph = [g for g in todo if g > g_q][:_PROBE_BATCH]
            batch = on_graph or todo
            solve(batch, kind)
            todo = [g for g in todo if g not in batch]
    try:
        if isinstance(resolutions, str):
            if coarsen:
                coarse_start, fine_start = _range_starts(graph, objective, min_cluster_size)
                solve([coarse_start, max(fine_start, coarse_start * np.sqrt(10.0))], "probe")
                update_quotient()
            if spacing == "curve":
                lo, hi = _auto_range_curve(solve, col, graph, objective, n_comp,
                                           min_cluster_size)
            else:
                lo, hi = _auto_range(solve, col, graph, objective, n_comp, min_cluster_size,
                                     batch=_PROBE_BATCH)
            probed = np.array(col.run_gammas)
            position = (_curve_position(probed, col.n_clusters_of_runs(), lo, hi)
                        if spacing == "curve" else np.log)
            grid = _even_grid(position, lo, hi, n_resolutions)
            # skip grid points within half a grid step of a probe already solved
            half = 0.5 * (position(hi) - position(lo)) / max(n_resolutions - 1, 1)
            near = np.abs(position(grid)[:, None] - position(probed)[None, :]).min(axis=1) < half
            grid = grid[~near | (grid == lo) | (grid == hi)]
        else:
            grid = np.asarray(resolutions, dtype=np.float64).ravel()
            if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid <= 0):
                raise ValueError("resolutions must be a non-empty sequence of positive floats")
            grid = np.unique(grid)
            lo, hi = float(grid[0]), float(grid[-1])
        done = set(col.run_gammas)
        (solve_coarsened if coarsen else solve)([g for g in grid if g not in done], "grid")
        if refine:
            for _ in range(int(max_refine_rounds)):
                env = col.envelope()
                targets = _crossings(env, lo, hi, np.array(col.run_gammas))
                if not targets:
                    break
                before = set(env.index.tolist())
                solve(targets, "refine")
                after = set(col.envelope().index.tolist())
                if after <= before:
                    break
    finally:
        bar.close()
        runners.close()

    return SweepResult(
        memberships=np.vstack(col.memberships),
        h_a=np.array(col.h_a),
        h_r=np.array(col.h_r),
        run_gammas=np.array(col.run_gammas),
        run_partition=np.array(col.run_partition, dtype=np.int64),
        run_kind=list(col.run_kind),
        objective=objective,
        backend=backend,
        directed=directed,
        gamma_range=(float(lo), float(hi)),
        n_trivial=n_trivial,
    )


class _Runners:
    """Where each γ runs: on the graph, or — at or below the γ set by
    :meth:`set_quotient` — on the quotient graph of that run's clusters.

    Runners start on first use and stop in :meth:`close`. Results never depend on
    ``n_jobs``: a γ's seed and graph are fixed by the plan, not by where it runs.
    """

    def __init__(self, lgraph, settings, n_jobs, local) -> None:
        self.lgraph, self.settings, self.n_jobs, self.local = lgraph, settings, n_jobs, local
        self.full = None
        self.quotient = None  # (γ at or below which it serves, membership, runner)

    def set_quotient(self, gamma: float, membership: np.ndarray, n_iterations: int) -> None:
        qgraph = self.lgraph.quotient(membership)
        settings = LeidenSettings(self.settings.objective, self.settings.backend,
                                  n_iterations, self.settings.beta)
        # in this process: a run on tens to hundreds of nodes costs less than starting
        # a worker (and the result does not depend on where it runs)
        runner = LeidenRunner(qgraph, settings, 1).__enter__()
        self.quotient = (float(gamma), np.asarray(membership, dtype=np.int64), runner)

    def map(self, tasks):
        """``(γ, membership)`` of every ``(γ, seed)`` task (graph runs first)."""
        tasks = list(tasks)
        g_q = self.quotient[0] if self.quotient is not None else -np.inf
        on_graph = [t for t in tasks if t[0] > g_q]
        on_quotient = [t for t in tasks if t[0] <= g_q]
        if on_graph:
            if self.full is None:
                self.full = LeidenRunner(self.lgraph, self.settings, self.n_jobs,
                                         local=self.local).__enter__()
            yield from zip((t[0] for t in on_graph), self.full.map(on_graph))
        if on_quotient:
            _, memb, runner = self.quotient
            for (g, _), m in zip(on_quotient, runner.map(on_quotient)):
                yield g, m[memb]

    def close(self) -> None:
        for runner in (self.full, self.quotient[2] if self.quotient else None):
            if runner is not None:
                runner.__exit__(None, None, None)
        self.full = self.quotient = None


def _components(edges: np.ndarray, n: int) -> tuple[int, np.ndarray]:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    adj = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(adj, directed=False)


def _auto_range(solve, col, graph, objective, n_comp, min_cluster_size, batch):
    """Bracket γ between 'as coarse as the components' and 'mean size ≤ min_cluster_size'.

    The coarse end stops at ``n_components + 1`` clusters: coarser partitions
    (the components / all-in-one) are exact trivial candidates whose line is
    known without running Leiden, and the envelope places their crossing. The
    fine end starts from the kNN-graph estimate ``γ ≈ n / (k · size)`` for
    modularity (measured within 3× on digits and on blobs of 1e4 and 1e5 rows)
    and walks by √10 until the mean size is ≤ ``min_cluster_size``. Probes are
    solved ``batch`` at a time (one per worker process); every probe is also a
    candidate partition.
    """
    n = graph.n
    step = np.sqrt(10.0)
    size = max(float(min_cluster_size), 1.0)
    coarse_start, fine_start = _range_starts(graph, objective, min_cluster_size)

    def walk(start, factor, done):
        """Solve start·factor^i in batches until done(K) holds; return that γ."""
        gammas = start * factor ** np.arange(60)
        for b in range(0, 60, batch):
            chunk = gammas[b:b + batch]
            for g, idx in zip(chunk, solve(chunk, "probe")):
                if done(col.n_clusters[idx]):
                    return float(g)
        return float(gammas[-1])

    lo = walk(coarse_start, 1.0 / step, lambda k: k <= n_comp + 1)
    hi0 = max(fine_start, lo * step)
    k_hi0 = col.n_clusters[solve([hi0], "probe")[0]]
    if n / k_hi0 <= size:  # fine enough already: the coarsest γ that still is
        hi = walk(hi0, 1.0 / step, lambda k: n / k > size or k <= n_comp + 1) * step
        hi = max(min(hi, hi0), lo * step)
    else:
        hi = walk(hi0 * step, step, lambda k: n / k <= size)
    return lo, hi


def _range_starts(graph, objective, min_cluster_size) -> tuple[float, float]:
    """Where the walks to the coarse and the fine end of the range start."""
    n = graph.n
    size = max(float(min_cluster_size), 1.0)
    if objective == "modularity":
        return 1.0, max(n / (graph.k * size), 1.0)
    # CPM: from the whole-graph edge density to a few-point cluster's density
    density = graph.total_weight / max(n * (n - 1) / 2.0, 1.0)
    return float(np.sqrt(density * 2.0 * graph.lam / size)), 2.0 * graph.lam / size


def _auto_range_curve(solve, col, graph, objective, n_comp, min_cluster_size):
    """The range of :func:`_auto_range` in fewer rounds, for ``spacing="curve"``.

    The walks to the coarse and to the fine end run side by side, one probe of
    each per round. The coarse walk does not creep down by √10 through decades
    where the cluster count stays put: its next probe is where the last probe's
    line crosses the line of the connected components (below that γ the
    components beat the last partition), and at least √10 lower. The grid laid
    along the probed curve afterwards fills what the walks stepped over.
    """
    n = graph.n
    step = np.sqrt(10.0)
    size = max(float(min_cluster_size), 1.0)
    coarse_start, fine_start = _range_starts(graph, objective, min_cluster_size)

    # each walk yields its next γ and receives [(γ, partition index), ...]: its own γ
    # and, when it is the only walk left and steps by a fixed factor, the γ after it too
    # (the same two probes per round whatever n_jobs, so the result does not depend on it)
    direction = [1.0 / step, None]

    def coarse():
        g = coarse_start
        for _ in range(60):
            solved = yield g
            for gg, idx in solved:
                if col.n_clusters[idx] <= n_comp + 1:
                    return gg
            g, idx = solved[-1]
            nxt = g / step
            dr = col.h_r[0] - col.h_r[idx]  # the components' line is partition 0
            if dr > 0:
                cross = (col.h_a[0] - col.h_a[idx]) / dr
                if 0 < cross < nxt:
                    nxt = cross
            g = nxt
        return solved[-1][0]

    def fine():
        g = max(fine_start, coarse_start * step)
        ((_, idx),) = yield g
        down = n / col.n_clusters[idx] <= size  # fine enough already: the coarsest γ that still is
        # going up, the next probe is aimed just past the target, so a second one beyond
        # it would mostly be wasted on the dearest runs of all: one per round
        direction[1] = 1.0 / step if down else None
        for _ in range(60):
            if down and col.n_clusters[idx] <= n_comp + 1:
                return g  # nothing coarser exists: every partition is fine enough
            solved = yield g * (direction[1] or upward(g, idx))
            for gg, idx in solved:
                fine_enough = n / col.n_clusters[idx] <= size
                if down and not fine_enough:
                    return g
                if not down and fine_enough:
                    return gg
                g = gg
        return g

    def upward(g, idx):
        """The factor to the γ predicted to reach 1.25× the clusters of mean size
        ``size`` from the slope of log K against log γ at the fine end (between
        ×10^¼ and ×√10): the finest runs are the dearest, overshooting costs most."""
        k = col.n_clusters[idx]
        coarser = [(gg, col.n_clusters[i]) for gg, i in zip(col.run_gammas, col.run_partition)
                   if gg < g and col.n_clusters[i] < k]
        if not coarser:
            return step
        g0, k0 = max(coarser)
        slope = min(max(np.log(k / k0) / np.log(g / g0), 0.5), 2.0)
        want = 1.25 * n / size / k
        return float(min(max(want ** (1.0 / slope), 10.0 ** 0.25), step))

    walks = [coarse(), fine()]
    pending = [next(w) for w in walks]
    ends = [None, None]
    while any(e is None for e in ends):
        active = [i for i in (0, 1) if ends[i] is None]
        asks = {i: [pending[i]] for i in active}
        if len(active) == 1 and direction[active[0]] is not None:
            asks[active[0]].append(pending[active[0]] * direction[active[0]])
        todo = [g for i in active for g in asks[i]]
        idxs = iter(solve(todo, "probe"))
        for i in active:
            solved = [(g, next(idxs)) for g in asks[i]]
            try:
                pending[i] = walks[i].send(solved)
            except StopIteration as stop:
                ends[i] = float(stop.value)
    lo, hi = ends
    return lo, max(hi, lo * step)


def _crossings(env, lo: float, hi: float, solved: np.ndarray) -> list[float]:
    """Crossing points of consecutive envelope lines inside [lo, hi] not yet solved."""
    out = []
    for g in env.gamma_hi[:-1]:
        if not (lo < g < hi):
            continue
        if solved.size and np.min(np.abs(solved - g) / g) < 1e-9:
            continue
        out.append(float(g))
    return out
