"""`ConfigurationExtractor`: the unsupervised scikit-learn face of the pipeline.

``fit(X)`` builds the λ-equalised kNN graph, sweeps Leiden over resolutions,
keeps the configurations (plateaus of the upper envelope) and aligns their ids
across scales; ``transform(X)`` returns one column of cluster ids per
configuration (or soft vote fractions) for any rows.
"""

from __future__ import annotations

import hashlib
import numbers
import time

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._dask import apply_chunkwise, is_dask_collection
from ._validation import check_features
from .assign import knn_vote, recluster_assign, soft_votes, vote_weights
from .configurations import Configurations, find_configurations
from .graph import NeighborIndex, knn_graph
from .sweep import resolution_sweep, resolve_n_resolutions, resolve_spacing

__all__ = ["ConfigurationExtractor"]

#: ``n_components="auto"``: components kept when a table has more features than this.
AUTO_COMPONENTS = 50


def _fingerprint(X: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(X).view(np.uint8)).hexdigest() + str(X.shape)


class ConfigurationExtractor(TransformerMixin, BaseEstimator):
    """Multi-resolution graph-community configurations as features.

    Parameters
    ----------
    k : int, default=15
        Neighbours per point in the kNN graph (self excluded).
    metric : str, default="euclidean"
        Distance of the kNN graph (``"cosine"`` suits spectra and counts).
    scale : bool, default=True
        Standardise features before the kNN search.
    n_components : int, "auto" or None, default=None
        Principal components of the (scaled) features that the kNN search, and
        hence the graph, the configurations and every neighbour query, runs on.
        ``None``: all features; ``"auto"``: the first 50 when there are more than
        50 features (the convention of single-cell neighbour graphs). On wide
        tables most standardised columns are noise — rare k-mers, rare
        fingerprint bits — that swamps the distances: in 50 components the
        15-nearest-neighbour target mean of new rows reached R² 0.54 instead of
        0.38 on NCBI 16S (1,280 k-mer frequencies) and 0.64 instead of −0.67 on
        QM9 (1,024 fingerprint bits), and clusters are recovered better. Not the
        default: as features *beside* ``X`` for gradient boosting, those more
        accurate neighbour means added less on all four wide benchmark tables
        (``docs/algorithms.md`` §1).
    lam : float, default=1.0
        λ of the λ-equalisation (every point's outgoing weights sum to λ).
    resolutions : "auto" or array-like of float, default="auto"
        Resolution grid; ``"auto"`` brackets it from the graph.
    n_resolutions : int or "auto", default="auto"
        Size of the automatic grid (``"auto"``: 24 log-spaced in γ, 12 along the
        cluster-count curve, see ``spacing``).
    spacing : {"auto", "gamma", "curve"}, default="auto"
        Layout of the automatic grid: log-spaced in γ, or evenly along the probed
        curve of log cluster count against log γ; ``"auto"``: ``"gamma"`` up to
        50,000 rows, ``"curve"`` above (see :func:`~gramixc.sweep.resolution_sweep`).
    objective : {"modularity", "CPM"}, default="modularity"
    backend : {"igraph", "leidenalg"}, default="igraph"
    directed : bool, default=False
        Cluster the directed kNN graph (``backend="leidenalg"`` only).
    refine : bool or "auto", default="auto"
        Solve again at envelope crossing points until no new configuration
        (``"auto"``: for up to 50,000 rows).
    min_cluster_size : float, default=5
        The automatic grid stops where the mean cluster size reaches this (or, with
        ``max_clusters``, ``n / max_clusters`` when that is larger: no run finer than
        the finest configuration kept).
    max_clusters : int or None, default=None
        Keep only configurations with at most this many clusters.
    align : {"chain", "labels", "none"}, default="chain"
        Id alignment: ``"chain"`` = label-free RMS chain coarse → fine (a parent's
        children get consecutive ids); ``"labels"`` = align each configuration to
        the class labels ``y`` given to ``fit`` (classification); ``"none"`` =
        Leiden's ids in order of first appearance.
    out_of_sample : {"knn", "recluster"}, default="knn"
        How new rows get ids (see :mod:`gramixc.assign`).
    soft : bool, default=False
        ``transform`` returns vote fractions (sparse, one column per cluster of
        every configuration) instead of ids.
    knn_backend : {"auto", "exact", "hnsw", "ivf"}, default="auto"
        The kNN search (see :class:`~gramixc.graph.NeighborIndex`): ``"auto"`` is
        exact up to 20,000 rows, HNSW up to 50,000, k-means cells searched by
        BLAS (``"ivf"``) above.
    n_jobs : int or None, default=None
        Processes for the sweep, threads for the neighbour queries.
    random_state : int, RandomState instance or None, default=None
        Seeds the index, every Leiden run and nothing else.
    verbose : bool, default=False
        Progress bars and timings.

    Attributes
    ----------
    configurations_ : Configurations
        Aligned configurations of the training rows (coarse → fine).
    graph_ : KNNGraph
        The training graph (with its neighbour index) — over the *distinct* training
        rows: exact duplicates are one node (a zero distance would give a row's whole
        λ to its twin), and every copy gets that node's ids, so a dataset with
        repeated rows has the configurations of its deduplicated version.
    duplicate_map_ : ndarray of shape (n_samples,) or None
        Training row → its node in ``graph_`` (None when no row repeats).
    sweep_ : SweepResult
        Every partition found by the sweep (of the graph's nodes).
    scaler_ : StandardScaler or None
    pca_ : sklearn.decomposition.PCA or None
        The projection of the scaled features the kNN search runs on (None when
        the search runs on the scaled features themselves, see ``n_components``).
    timings_ : dict
        Seconds per stage of the last ``fit``: ``prepare`` (validation, duplicate
        rows, scaling, principal components), ``index``, ``query`` and ``weights``
        (the kNN graph, see :class:`~gramixc.graph.KNNGraph`), ``sweep`` (every
        Leiden run), ``envelope`` (choosing the configurations) and ``align`` (RMS
        ids and, with repeated rows, the index over all rows).
    n_features_in_, feature_names_in_

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> ext = ConfigurationExtractor(random_state=0).fit(X)
    >>> ids = ext.transform(X[:5])
    >>> ids.shape[1] == len(ext.configurations_)
    True
    """

    def __init__(
        self,
        k: int = 15,
        metric: str = "euclidean",
        scale: bool = True,
        n_components: int | str | None = None,
        lam: float = 1.0,
        resolutions="auto",
        n_resolutions: int | str = "auto",
        spacing: str = "auto",
        objective: str = "modularity",
        backend: str = "igraph",
        directed: bool = False,
        refine: bool | str = "auto",
        min_cluster_size: float = 5.0,
        max_clusters: int | None = None,
        align: str = "chain",
        out_of_sample: str = "knn",
        soft: bool = False,
        knn_backend: str = "auto",
        n_jobs: int | None = None,
        random_state=None,
        verbose: bool = False,
    ) -> None:
        self.k = k
        self.metric = metric
        self.scale = scale
        self.n_components = n_components
        self.lam = lam
        self.resolutions = resolutions
        self.n_resolutions = n_resolutions
        self.spacing = spacing
        self.objective = objective
        self.backend = backend
        self.directed = directed
        self.refine = refine
        self.min_cluster_size = min_cluster_size
        self.max_clusters = max_clusters
        self.align = align
        self.out_of_sample = out_of_sample
        self.soft = soft
        self.knn_backend = knn_backend
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        if not isinstance(self.k, numbers.Integral) or self.k < 1:
            raise ValueError(f"k must be a positive integer, got {self.k!r}")
        if self.align not in ("chain", "labels", "none"):
            raise ValueError(f"align must be 'chain', 'labels' or 'none', got {self.align!r}")
        if self.out_of_sample not in ("knn", "recluster"):
            raise ValueError(
                f"out_of_sample must be 'knn' or 'recluster', got {self.out_of_sample!r}"
            )
        nc = self.n_components
        if not (nc is None or (isinstance(nc, str) and nc == "auto")
                or (isinstance(nc, numbers.Integral) and not isinstance(nc, bool) and nc >= 1)):
            raise ValueError(f"n_components must be 'auto', None or a positive integer, "
                             f"got {nc!r}")
        resolve_n_resolutions(self.n_resolutions, resolve_spacing(self.spacing, 0))
        if self.max_clusters is not None and (
            not isinstance(self.max_clusters, numbers.Integral) or self.max_clusters < 2
        ):
            raise ValueError(
                f"max_clusters must be None or an integer >= 2, got {self.max_clusters!r}"
            )

    def _scaled(self, X: np.ndarray, new: bool = True) -> np.ndarray:
        """Rows in the space of the kNN search: scaled, new rows clipped to the training
        rows' range per feature (so a far-out-of-range value (1e40) is a distant but
        finite point, never inf/NaN), then projected on the principal components."""
        Xs = self.scaler_.transform(X) if self.scaler_ is not None else X
        if new:
            Xs = np.clip(Xs, self.scaled_range_[0], self.scaled_range_[1])
        if getattr(self, "pca_", None) is not None:
            Xs = np.ascontiguousarray(self.pca_.transform(np.ascontiguousarray(Xs)))
        return Xs

    def _components(self, n_rows: int, n_features: int) -> int | None:
        """Principal components to keep (None: search the scaled features themselves)."""
        nc = self.n_components
        if nc is None or (nc == "auto" and n_features <= AUTO_COMPONENTS):
            return None
        nc = AUTO_COMPONENTS if nc == "auto" else int(nc)
        nc = min(nc, n_rows - 1)
        return nc if nc < n_features else None

    def _graph_and_sweep(self, Xs: np.ndarray, seed_graph: int, seed_sweep: int, verbose: bool):
        """The kNN graph and resolution sweep of (scaled) rows, with this estimator's settings."""
        graph = knn_graph(Xs, k=self.k, metric=self.metric, lam=self.lam,
                          backend=self.knn_backend, random_state=seed_graph, n_jobs=self.n_jobs)
        sweep = resolution_sweep(
            graph, resolutions=self.resolutions, n_resolutions=self.n_resolutions,
            spacing=self.spacing,
            objective=self.objective, backend=self.backend, directed=self.directed,
            refine=self.refine, min_cluster_size=self._finest_mean_size(len(Xs)),
            n_jobs=self.n_jobs,
            random_state=seed_sweep, verbose=verbose,
        )
        return graph, sweep

    def _finest_mean_size(self, n: int) -> float:
        """Mean cluster size where the automatic grid stops, for a graph of ``n`` nodes."""
        if self.max_clusters is None:
            return float(self.min_cluster_size)
        return max(float(self.min_cluster_size), n / self.max_clusters)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Find and align the configurations of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, finite features (numpy, pandas or polars).
        y : array-like of shape (n_samples,), optional
            Used only with ``align="labels"``.

        Returns
        -------
        self
        """
        clock = time.perf_counter()
        self._check_params()
        X = check_features(self, X, reset=True, min_samples=self.k + 1)
        if np.all(np.ptp(X, axis=0) == 0):
            raise ValueError("all features are constant: the rows cannot be told apart")
        rng = check_random_state(self.random_state)
        seed_graph, seed_sweep = rng.randint(0, 2**31 - 1, size=2)
        # exact duplicate rows are one node of the graph and the sweep (a zero distance
        # would pull a row's whole λ to its twin) and share its ids; the scaler, too, is
        # fitted on the distinct rows, so repeated rows change nothing
        rows, self.duplicate_map_ = _distinct_rows(X)
        self.scaler_ = StandardScaler().fit(X[rows]) if self.scale else None
        self.pca_ = None
        Xs = self._scaled(X, new=False)
        self.scaled_range_ = (Xs.min(axis=0), Xs.max(axis=0))
        n_comp = self._components(len(rows), X.shape[1])
        if n_comp is not None:
            from sklearn.decomposition import PCA

            # seeded apart from the graph and the sweep, whose seeds stay as they were
            seed_pca = np.random.SeedSequence([int(seed_graph), 31337]).generate_state(1)[0]
            self.pca_ = PCA(n_components=n_comp, svd_solver="randomized",
                            random_state=int(seed_pca & 0x7FFFFFFF)).fit(Xs[rows])
            Xs = np.ascontiguousarray(self.pca_.transform(Xs))  # the scaled rows, projected
        if self.duplicate_map_ is not None and len(rows) < self.k + 1:
            raise ValueError(
                f"X has only {len(rows)} distinct rows among {X.shape[0]}; the kNN graph "
                f"with k={self.k} needs at least k + 1 = {self.k + 1} distinct rows")
        t_prepare = time.perf_counter()
        self.graph_, self.sweep_ = self._graph_and_sweep(Xs[rows], int(seed_graph),
                                                         int(seed_sweep), self.verbose)
        t_sweep = time.perf_counter()
        raw = find_configurations(self.sweep_, max_clusters=self.max_clusters)
        t_envelope = time.perf_counter()
        if self.duplicate_map_ is None:
            self.configurations_ = self._align(raw, y)
            self._row_index = None
        else:
            inv = self.duplicate_map_
            if self.align == "labels":  # labels belong to rows: align the expanded ids
                self.configurations_ = self._align(_expand(raw, inv), y)
            else:  # align the distinct rows, then copy: twins get one id, as deduplicated
                self.configurations_ = _expand(self._align(raw, None), inv)
            # leave-one-out and new-row neighbours are training rows, twins included
            self._row_index = NeighborIndex(metric=self.metric, backend=self.knn_backend,
                                            random_state=int(seed_graph),
                                            n_jobs=self.n_jobs).fit(Xs)
        self._train_fingerprint = _fingerprint(X)
        self._sweep_seed = int(seed_sweep)
        graph_s = sum(self.graph_.timings.values())
        self.timings_ = {"prepare": t_prepare - clock, **self.graph_.timings,
                         "sweep": t_sweep - t_prepare - graph_s,
                         "envelope": t_envelope - t_sweep,
                         "align": time.perf_counter() - t_envelope}
        if self.verbose:
            print("ConfigurationExtractor: " + ", ".join(
                f"{k} {v:.1f} s" for k, v in self.timings_.items()), flush=True)
        return self

    def _align(self, raw: Configurations, y) -> Configurations:
        from .rms import align_to_labels, rms_chain

        if self.align == "none":
            ids = raw.ids
        elif self.align == "chain":
            ids = rms_chain(raw.ids)
        else:
            if y is None:
                raise ValueError("align='labels' needs the class labels y in fit(X, y)")
            y = np.asarray(y)
            if y.shape[0] != raw.n_samples:
                raise ValueError(f"y has {y.shape[0]} rows but X has {raw.n_samples}")
            ids = align_to_labels(raw.ids, y)
        return Configurations(
            ids, raw.gamma_lo, raw.gamma_hi, raw.h_a, raw.h_r, trivial=raw.trivial, sweep=raw.sweep
        )

    # ------------------------------------------------------------------ transform
    def kneighbors(self, X=None, n_neighbors: int | None = None,
                   rows=None) -> tuple[np.ndarray, np.ndarray]:
        """``(distances, indices)`` of the nearest training rows, nearest first.

        The neighbour seam the supervised estimators build on (one query of the
        fitted index, in the scaled feature space of the graph).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            New rows. ``None``: the training rows themselves, each row's own entry
            excluded (leave-one-out), as in
            :meth:`sklearn.neighbors.NearestNeighbors.kneighbors`.
        n_neighbors : int, optional
            Default ``k``. For all training rows with ``n_neighbors == k`` the
            graph's own neighbour lists are returned.
        rows : array-like of int, optional
            With ``X=None``: query only these training rows (in this order; default
            all). Cross-fitting asks for deeper lists of the rows whose nearest
            neighbours crowd into their own fold.

        Returns
        -------
        distances : ndarray of shape (n, n_neighbors), float64
        indices : ndarray of shape (n, n_neighbors), int64

        Examples
        --------
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(60, 3))
        >>> ext = ConfigurationExtractor(k=5, random_state=0).fit(X)
        >>> d, i = ext.kneighbors()                  # training rows, self excluded
        >>> bool((i != np.arange(60)[:, None]).all()), ext.kneighbors(X[:2], 7)[1].shape
        (True, (2, 7))
        >>> bool((ext.kneighbors(rows=[3, 8], n_neighbors=9)[1][:, :5] == i[[3, 8]]).all())
        True
        """
        check_is_fitted(self, "configurations_")
        k = self.k if n_neighbors is None else n_neighbors
        if not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"n_neighbors must be a positive integer, got {n_neighbors!r}")
        if X is None:
            if rows is not None:
                rows = np.asarray(rows, dtype=np.int64).ravel()
                n = self._rows().n_samples_
                if rows.size and (rows.min() < 0 or rows.max() >= n):
                    raise ValueError(f"rows must index the {n} training rows")
                return self._rows().query_indexed(int(k), rows=rows)
            if getattr(self, "_row_index", None) is not None:
                return self._row_index.query_indexed(int(k))
            if k == self.graph_.k:
                return self.graph_.distances, self.graph_.indices
            return self.graph_.index.query_indexed(int(k))
        if rows is not None:
            raise ValueError("rows selects training rows; pass it with X=None")
        X = check_features(self, X, reset=False)
        return self._rows().query(self._scaled(X), k=int(k))

    def _rows(self) -> NeighborIndex:
        """The index over all training rows (the graph's own when no row repeats)."""
        row_index = getattr(self, "_row_index", None)
        return self.graph_.index if row_index is None else row_index

    def resample(self, configurations=None, n_seeds: int = 3, random_state=None) -> list:
        """The same scales partitioned again with other Leiden seeds.

        Leiden's partition at a resolution depends on its seed: cluster boundaries
        move between runs while the scale stays. For every configuration in
        ``configurations`` (indices; default all) Leiden is run again at the
        geometric middle of its γ-plateau with ``n_seeds`` new seeds, on the same
        graph and settings. Statistics averaged over these partitions (bags)
        depend far less on any one seed.

        Parameters
        ----------
        configurations : array-like of int, optional
            Which configurations (default: all, coarse → fine).
        n_seeds : int, default=3
            New partitions per configuration.
        random_state : int, RandomState instance or None
            Seeds of the new runs (None: derived from the extractor's own seed).

        Returns
        -------
        list of ndarray of shape (n_train, len(configurations))
            One id array per seed; ids are contiguous per column (not aligned to
            the configurations' ids: use them for statistics, not as ids).

        Examples
        --------
        >>> from gramixc.synthetic import make_hierarchical_blobs
        >>> X, _, _ = make_hierarchical_blobs(n_per_cluster=30, random_state=0)
        >>> ext = ConfigurationExtractor(random_state=0).fit(X)
        >>> bags = ext.resample([0, 1], n_seeds=2, random_state=0)
        >>> len(bags), bags[0].shape == (len(X), 2)
        (2, True)
        """
        from .leiden import leiden_runs

        check_is_fitted(self, "configurations_")
        cfg = self.configurations_
        sel = (np.arange(len(cfg)) if configurations is None
               else np.asarray(configurations, dtype=int).ravel())
        lo, hi = cfg.gamma_lo[sel], cfg.gamma_hi[sel]
        with np.errstate(invalid="ignore", divide="ignore"):
            mid = np.sqrt(lo * hi)
        mid = np.where(np.isfinite(mid) & (mid > 0), mid,
                       np.where(np.isfinite(hi) & (hi > 0), hi, lo))
        base = (self._sweep_seed if random_state is None
                else int(check_random_state(random_state).randint(0, 2**31 - 1)))
        seeds = np.random.SeedSequence([base, 7919]).generate_state(n_seeds * len(sel))
        gammas = np.tile(mid, n_seeds)
        runs = leiden_runs(self.graph_, gammas, seeds & 0x7FFFFFFF, objective=self.objective,
                           backend=self.backend, directed=self.directed, n_jobs=self.n_jobs)
        out = []
        for b in range(n_seeds):
            cols = [np.unique(m, return_inverse=True)[1].reshape(-1)
                    for m in runs[b * len(sel):(b + 1) * len(sel)]]
            ids = np.column_stack(cols).astype(np.int64)
            dup = getattr(self, "duplicate_map_", None)
            out.append(ids if dup is None else ids[dup])
        return out

    def vote_weights(self, distances: np.ndarray) -> np.ndarray:
        """Row-normalised λ-kernel vote weights of neighbour ``distances`` (see
        :func:`gramixc.assign.vote_weights`), as the graph weighs its edges."""
        return vote_weights(distances, self.lam)

    def transform(self, X):
        """Ids (or soft votes) of the rows of ``X`` in every configuration.

        Training rows passed back unchanged get exactly their training ids; other
        rows are assigned by ``out_of_sample``. A dask array or dataframe is
        transformed block by block (a dask array of ids comes back; every row is
        treated as new; see :mod:`gramixc._dask`).

        Parameters
        ----------
        X : array-like, dask array or dask dataframe of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_configurations), int64
            or, with ``soft=True``, a ``scipy.sparse.csr_matrix`` of shape
            ``(n_samples, Σ n_clusters)``.
        """
        check_is_fitted(self, "configurations_")
        if is_dask_collection(X):
            if self.soft:
                raise ValueError("soft=True returns a sparse matrix, which the chunk-wise "
                                 "dask path does not build: compute X, or use soft=False")
            return apply_chunkwise(self, "transform", X, self.configurations_.ids.shape[1],
                                   np.int64)
        X = check_features(self, X, reset=False)
        ids = self.configurations_.ids
        Xs = self._scaled(X)
        dist, nb = self._rows().query(Xs, k=self.k)
        w = vote_weights(dist, self.lam)
        if self.soft:
            return soft_votes(nb, w, ids, self.configurations_.n_clusters)
        if _fingerprint(X) == self._train_fingerprint:
            return ids.copy()
        hard = knn_vote(nb, w, ids)
        if self.out_of_sample == "recluster":
            hard = recluster_assign(Xs, hard, self._cluster_batch)
        return hard

    def _cluster_batch(self, Xs: np.ndarray) -> np.ndarray:
        """Configurations of a new (scaled) batch, found with the fit settings."""
        if Xs.shape[0] < self.k + 1:
            raise ValueError(
                f"out_of_sample='recluster' needs at least k + 1 = {self.k + 1} new rows to "
                f"build their own graph, got n_samples = {Xs.shape[0]}; use 'knn' for small batches"
            )
        rows, inv = _distinct_rows(Xs)
        if len(rows) < self.k + 1:
            raise ValueError(
                f"out_of_sample='recluster' needs at least k + 1 = {self.k + 1} distinct new "
                f"rows, got {len(rows)}; use 'knn' for small batches")
        _, sweep = self._graph_and_sweep(Xs[rows], self._sweep_seed, self._sweep_seed, False)
        ids = find_configurations(sweep).ids
        return ids if inv is None else ids[inv]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``cfg{j}_k{K}`` per configuration, or ``cfg{j}_k{K}_c{c}`` per cluster if soft."""
        check_is_fitted(self, "configurations_")
        names = self.configurations_.feature_names()
        if self.soft:
            names = [
                f"{nm}_c{c}"
                for nm, K in zip(names, self.configurations_.n_clusters)
                for c in range(K)
            ]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = []
        return tags


def _distinct_rows(Xs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Positions of the first copy of every distinct row (in order of appearance) and
    the map row → its distinct row (None when no row repeats)."""
    _, first, inverse = np.unique(Xs, axis=0, return_index=True, return_inverse=True)
    if len(first) == Xs.shape[0]:
        return np.arange(Xs.shape[0]), None
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[np.asarray(inverse).reshape(-1)].astype(np.int64)


def _expand(cfg: Configurations, inverse: np.ndarray) -> Configurations:
    """Configurations of the distinct rows copied to every row."""
    return Configurations(cfg.ids[inverse], cfg.gamma_lo, cfg.gamma_hi, cfg.h_a, cfg.h_r,
                          trivial=cfg.trivial, sweep=cfg.sweep)
