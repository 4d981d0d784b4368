"""Cross-fitted multi-scale cluster target statistics ("target" tokens).

For every configuration ``j`` and cluster ``c`` the training rows give smoothed
statistics of the target: the mean (class fractions for classification), the
spread (standard deviation; Gini impurity for classes) and the cluster's size.
A row then receives, in every configuration, the **soft-vote** statistics of
its ``k`` nearest training rows: ``Σ_i w_i · stat(cluster of i)`` with the
graph's own kernel weights ``w``. Soft votes beat hard votes in the prototype,
and they make training and new rows look alike: both are described through
their neighbours, never through their own label or their own cluster id.

No leakage. For training rows the statistics are **cross-fitted**: a row in fold
``f`` reads statistics computed without fold ``f`` (and its neighbours exclude
itself), so its own target never enters its own features. New rows read
statistics of all training rows. This is what
:class:`sklearn.preprocessing.TargetEncoder` does for categories, done for
every scale at once.

Shapes: features are returned as ``(n, m, F)`` — rows × configurations ×
statistics — with ``F = 3`` for regression (mean, spread, log size) and
``F = C + 2`` for ``C`` classes (fractions, impurity, log size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rms import majority_parent

__all__ = ["ClusterStats", "cluster_stats", "soft_features", "crossfit_features", "fold_ids",
           "ClusterTargetEncoder", "NeighborTargetEncoder", "crossfit_neighbors"]


@dataclass
class ClusterStats:
    """Smoothed per-cluster statistics of every configuration.

    Parameters
    ----------
    tables : list of ndarray
        ``tables[j]`` has shape ``(K_j, F)``: one row of statistics per cluster.
    n_classes : int
        0 for regression.
    """

    tables: list
    n_classes: int

    @property
    def n_stats(self) -> int:
        return self.tables[0].shape[1]


def _targets_matrix(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Regression: y as one column; classification: one-hot (n, C)."""
    if n_classes:
        return np.eye(n_classes)[y.astype(np.int64)]
    return y.reshape(-1, 1).astype(np.float64)


def cluster_stats(
    ids: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray | None = None,
    n_classes: int = 0,
    smoothing: float = 5.0,
    sizes_from: np.ndarray | None = None,
    shrink: str = "global",
) -> ClusterStats:
    """Per-cluster target statistics from the rows ``rows`` (all when None).

    Means are shrunk towards a prior with ``smoothing`` pseudo-rows
    (m-estimate): ``(Σ y + s·prior) / (n_c + s)``; an empty cluster gets the
    prior. With ``shrink="global"`` the prior is the mean of the used rows; with
    ``shrink="parent"`` it is the smoothed statistic of the cluster's *parent* —
    the cluster of the next coarser configuration (column ``j − 1``) holding most
    of its rows — so a small fine cluster borrows from the scale above it rather
    than from the whole data set (the coarsest configuration shrinks towards the
    global mean). The size statistic is ``log(1 + n_c)`` counted over
    ``sizes_from`` rows (default: all rows; sizes and parents are label-free).

    Parameters
    ----------
    ids : ndarray of shape (n, m)
        Contiguous ids per configuration.
    y : ndarray of shape (n,)
        Target (float; or class indices 0..C−1 when ``n_classes > 0``).
    rows : ndarray of int, optional
        Which rows' targets may be used.
    n_classes : int, default=0
    smoothing : float, default=5.0
    sizes_from : ndarray of int, optional
    shrink : {"global", "parent"}, default="global"

    Returns
    -------
    ClusterStats
    """
    if shrink not in ("global", "parent"):
        raise ValueError(f"shrink must be 'global' or 'parent', got {shrink!r}")
    n, m = ids.shape
    rows = np.arange(n) if rows is None else np.asarray(rows)
    size_rows = np.arange(n) if sizes_from is None else np.asarray(sizes_from)
    T = _targets_matrix(np.asarray(y)[rows], n_classes)  # (r, q)
    prior = T.mean(axis=0)
    prior_sq = (T**2).mean(axis=0)
    s = float(smoothing)
    tables = []
    parent_mean = parent_sq = None
    for j in range(m):
        K = int(ids[:, j].max()) + 1
        c = ids[rows, j]
        cnt = np.bincount(c, minlength=K).astype(np.float64)
        sums = np.stack([np.bincount(c, weights=T[:, q], minlength=K) for q in range(T.shape[1])],
                        axis=1)
        if shrink == "parent" and j > 0:
            par = majority_parent(ids[:, j], ids[:, j - 1], K)
            p_mean, p_sq = parent_mean[par], parent_sq[par]
        else:
            p_mean, p_sq = prior[None, :], np.full(K, prior_sq[0])
        mean = (sums + s * p_mean) / (cnt[:, None] + s)
        size = np.log1p(np.bincount(ids[size_rows, j], minlength=K).astype(np.float64))
        if n_classes:
            spread = 1.0 - (mean**2).sum(axis=1)  # Gini impurity of the smoothed fractions
            ex2 = None
        else:
            sq = np.bincount(c, weights=T[:, 0] ** 2, minlength=K)
            ex2 = (sq + s * p_sq) / (cnt + s)
            spread = np.sqrt(np.maximum(ex2 - mean[:, 0] ** 2, 0.0))
        parent_mean, parent_sq = mean, (ex2 if ex2 is not None else np.zeros(K))
        tables.append(np.column_stack([mean, spread, size]))
    return ClusterStats(tables=tables, n_classes=n_classes)


def soft_features(
    neighbors: np.ndarray,
    weights: np.ndarray,
    train_ids: np.ndarray,
    stats: ClusterStats | list,
    which: np.ndarray | None = None,
) -> np.ndarray:
    """Soft-vote statistics ``Σ_i w_i · stat(cluster of neighbour i)``.

    Parameters
    ----------
    neighbors, weights : ndarray of shape (n, k)
        Training-row neighbours of each row and their vote weights (rows sum to 1).
    train_ids : ndarray of shape (n_train, m)
    stats : ClusterStats, or a list of ClusterStats (one per fold)
    which : ndarray of int of shape (n,), optional
        With a list of stats: which one each row reads (its fold).

    Returns
    -------
    ndarray of shape (n, m, F)
    """
    n, k = neighbors.shape
    m = train_ids.shape[1]
    per_fold = isinstance(stats, list)
    first = stats[0] if per_fold else stats
    F = first.n_stats
    out = np.empty((n, m, F))
    nb_ids = train_ids[neighbors]  # (n, k, m)
    for j in range(m):
        c = nb_ids[:, :, j]
        if per_fold:
            table = np.stack([s.tables[j] for s in stats])  # (folds, K, F)
            vals = table[which[:, None], c]  # (n, k, F)
        else:
            vals = first.tables[j][c]
        out[:, j, :] = np.einsum("nk,nkf->nf", weights, vals)
    return out


def fold_ids(n: int, n_folds: int, random_state, groups: np.ndarray | None = None) -> np.ndarray:
    """A fold index per row (shuffled; whole groups stay together when given).

    Parameters
    ----------
    n : int
        Number of rows.
    n_folds : int
        Number of folds.
    random_state : int, Generator or None
        Seed of the shuffle.
    groups : ndarray of shape (n,), optional
        Related rows that must share a fold.

    Returns
    -------
    ndarray of shape (n,)
        Fold ``0..n_folds-1`` of every row.
    """
    rng = np.random.default_rng(random_state)
    if groups is None:
        return rng.permutation(np.arange(n) % n_folds)
    _, g = np.unique(groups, return_inverse=True)
    gf = rng.permutation(np.arange(g.max() + 1) % n_folds)
    return gf[g]


def crossfit_features(
    neighbors: np.ndarray,
    weights: np.ndarray,
    train_ids: np.ndarray,
    y: np.ndarray,
    folds: np.ndarray,
    rows: np.ndarray | None = None,
    n_classes: int = 0,
    smoothing: float = 5.0,
    shrink: str = "global",
) -> np.ndarray:
    """Cross-fitted soft statistics for training rows.

    Row ``r`` (in fold ``folds[r]``) reads statistics computed from the rows of
    ``rows`` outside its fold; ``neighbors`` must exclude each row itself.

    Parameters
    ----------
    neighbors, weights : ndarray of shape (n_sel, k)
        For the rows being encoded (``rows``, in that order).
    train_ids : ndarray of shape (n, m)
    y : ndarray of shape (n,)
    folds : ndarray of shape (n,)
        Fold of every row (only the folds of ``rows`` matter).
    rows : ndarray of int, optional
        Rows whose targets may be used *and* which are encoded (default: all).
    n_classes : int, default=0
        0 for regression, else the number of classes.
    smoothing : float, default=5.0
        Pseudo-rows of the prior in every cluster's statistics.
    shrink : {"global", "parent"}, default="global"
        The prior: the global statistics, or the parent cluster's in the next
        coarser configuration.

    Returns
    -------
    ndarray of shape (n_sel, m, F)
    """
    n = train_ids.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows)
    fold_of = folds[rows]
    uniq = np.unique(fold_of)
    stats = [cluster_stats(train_ids, y, rows=rows[fold_of != f], n_classes=n_classes,
                           smoothing=smoothing, shrink=shrink) for f in uniq]
    which = np.searchsorted(uniq, fold_of)
    return soft_features(neighbors, weights, train_ids, stats, which)


# ----------------------------------------------------------------------------- encoders
class ClusterTargetEncoder:
    """Soft-vote target statistics of every configuration, with cross-fitting.

    The learned encodings are the fitted state, as in
    :class:`sklearn.preprocessing.TargetEncoder`: :meth:`fit` computes the
    smoothed per-cluster statistics (:func:`cluster_stats`) from the targets of
    the given training rows and keeps them; :meth:`transform` describes any rows
    through their training neighbours with those tables (nothing is recomputed
    from a stored ``y``); :meth:`fit_crossfit` also returns the out-of-fold
    statistics of the training rows themselves and the scaling used to
    standardise them as network tokens.

    Parameters
    ----------
    n_classes : int, default=0
        0 for regression, else the number of classes (targets are class indices).
    smoothing : float, default=5.0
        m-estimate pseudo-rows.
    shrink : {"global", "parent"}, default="global"
        Prior of the m-estimate (see :func:`cluster_stats`).

    Attributes
    ----------
    ids_ : list of ndarray of shape (n_train, m)
        Configuration ids of the training rows, one array per *bag* (several
        Leiden runs of the same scales; features are averaged over bags).
    stats_ : list of ClusterStats
        Per-bag tables from the fitted rows.
    mean_, scale_ : ndarray of shape (1, m, F)
        Mean and standard deviation (+1e-6) of the cross-fitted statistics of the
        training rows (set by :meth:`fit_crossfit`); :meth:`standardize` uses them.

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array([[0], [0], [1], [1]])
    >>> nb = np.array([[1], [0], [3], [2]]); w = np.ones((4, 1))
    >>> enc = ClusterTargetEncoder(smoothing=0.0)
    >>> oof = enc.fit_crossfit(ids, np.array([1.0, 3.0, 5.0, 7.0]), nb, w, np.arange(4) % 2)
    >>> oof[:, 0, 0].tolist()                       # each row reads the other fold
    [3.0, 1.0, 7.0, 5.0]
    >>> float(enc.transform(np.array([[0]]), np.ones((1, 1)))[0, 0, 0])  # all rows: cluster 0
    2.0
    """

    def __init__(self, n_classes: int = 0, smoothing: float = 5.0, shrink: str = "global"):
        self.n_classes = n_classes
        self.smoothing = smoothing
        self.shrink = shrink

    def _stats_args(self) -> dict:
        return {"n_classes": self.n_classes, "smoothing": self.smoothing, "shrink": self.shrink}

    @staticmethod
    def _bags(ids) -> list:
        return list(ids) if isinstance(ids, (list, tuple)) else [ids]

    def fit(self, ids, y: np.ndarray, rows: np.ndarray | None = None) -> ClusterTargetEncoder:
        """Statistics of every cluster from the targets of ``rows`` (all rows when None).

        ``ids`` is one ``(n_train, m)`` array or a list of them (bags).
        """
        self.ids_ = self._bags(ids)
        self.stats_ = [cluster_stats(b, y, rows=rows, **self._stats_args()) for b in self.ids_]
        return self

    def transform(self, neighbors: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Soft-vote statistics ``(n, m, F)`` of rows with these training neighbours."""
        out = soft_features(neighbors, weights, self.ids_[0], self.stats_[0])
        for b, st in zip(self.ids_[1:], self.stats_[1:]):
            out += soft_features(neighbors, weights, b, st)
        if len(self.ids_) > 1:
            out /= len(self.ids_)
        return out

    def fit_crossfit(self, ids, y: np.ndarray, neighbors: np.ndarray, weights: np.ndarray,
                     folds, rows: np.ndarray | None = None) -> np.ndarray:
        """Fit on ``rows`` and return their cross-fitted statistics ``(n_rows, m, F)``.

        Row ``r`` reads statistics computed without its fold (``folds[r]``);
        ``neighbors``/``weights`` are those of ``rows`` (in that order) and must
        exclude each row itself. ``folds`` may be a list of fold vectors (repeated
        cross-fitting): the result is then the average over every bag and every
        repetition — still never reading a row's own fold.
        Sets :attr:`mean_` and :attr:`scale_` from the result.
        """
        self.fit(ids, y, rows)
        repeats = list(folds) if isinstance(folds, (list, tuple)) else [folds]
        out = None
        for b in self.ids_:
            for f in repeats:
                part = crossfit_features(neighbors, weights, b, y, f, rows=rows,
                                         **self._stats_args())
                out = part if out is None else out + part
        if len(self.ids_) * len(repeats) > 1:
            out /= len(self.ids_) * len(repeats)
        self.mean_ = out.mean(axis=0, keepdims=True)
        self.scale_ = out.std(axis=0, keepdims=True) + 1e-6
        return out

    def standardize(self, T: np.ndarray) -> np.ndarray:
        """``(T − mean_) / scale_`` (the token inputs of the fusion model)."""
        return (T - self.mean_) / self.scale_


def crossfit_neighbors(kneighbors, folds: np.ndarray, k: int, rows=None, usable=None,
                       first: np.ndarray | None = None) -> np.ndarray:
    """The ``k`` nearest training rows of each row that lie outside its fold.

    For every training row ``i`` in ``rows``: its ``k`` nearest training rows
    ``r`` with ``folds[r] != folds[i]`` (and ``usable[r]``), nearest first — the
    rows a cross-fitted neighbour mean of ``i`` may read. A first, shallow query
    (``first``) serves most rows; rows whose nearest neighbours crowd into
    their own fold — with grouped folds, a row's own group is usually its
    nearest — are queried again, twice as deep each time, until they have ``k``
    or every training row was looked at. A row left short (fewer than ``k``
    admissible rows exist) is padded with its own index, which no fold-aware
    reader counts.

    Parameters
    ----------
    kneighbors : callable
        ``kneighbors(rows, n) -> indices`` of shape ``(len(rows), n)``: the ``n``
        nearest other training rows of training rows ``rows``, nearest first
        (e.g. ``lambda r, n: extractor.kneighbors(rows=r, n_neighbors=n)[1]``).
    folds : ndarray of shape (n_train,)
        Fold of every training row.
    k : int
        Neighbours wanted per row.
    rows : array-like of int, optional
        The training rows to serve (default all).
    usable : array-like of int, optional
        Training rows that may be returned (default all).
    first : ndarray of shape (len(rows), K0), optional
        An existing query of ``rows`` (default: one of depth ``2k + 10``).

    Returns
    -------
    ndarray of int64 of shape (len(rows), k)

    Examples
    --------
    >>> import numpy as np
    >>> order = np.array([[1, 2, 3, 4, 5], [0, 2, 3, 4, 5], [3, 1, 0, 4, 5],
    ...                   [2, 4, 1, 0, 5], [3, 5, 2, 1, 0], [4, 3, 2, 1, 0]])
    >>> folds = np.array([0, 0, 0, 1, 1, 1])           # rows 0-2 and 3-5 are groups
    >>> crossfit_neighbors(lambda r, n: order[r, :n], folds, 2).tolist()
    [[3, 4], [3, 4], [3, 4], [2, 1], [2, 1], [2, 1]]
    """
    folds = np.asarray(folds)
    n_train = len(folds)
    rows = np.arange(n_train) if rows is None else np.asarray(rows, dtype=np.int64)
    ok = np.ones(n_train, dtype=bool)
    if usable is not None:
        ok[:] = False
        ok[np.asarray(usable)] = True
    out = np.repeat(rows[:, None], k, axis=1)
    if len(rows) == 0 or n_train < 2:
        return out
    todo = np.arange(len(rows))
    nb = (np.asarray(first, dtype=np.int64) if first is not None
          else kneighbors(rows, min(2 * k + 10, n_train - 1)))
    while True:
        depth = nb.shape[1]
        valid = ok[nb] & (folds[nb] != folds[rows[todo]][:, None])
        take = min(k, depth)
        order = np.argsort(~valid, axis=1, kind="stable")[:, :take]  # first valid, in rank
        picked = np.take_along_axis(nb, order, axis=1)
        keep = np.take_along_axis(valid, order, axis=1)
        block = out[todo]
        block[:, :take] = np.where(keep, picked, block[:, :take])
        out[todo] = block
        short = valid.sum(axis=1) < k
        if not short.any() or depth >= n_train - 1:
            return out
        todo = todo[short]
        nb = np.asarray(kneighbors(rows[todo], min(2 * depth, n_train - 1)), dtype=np.int64)


def _first_valid(neighbors: np.ndarray, valid: np.ndarray, sizes) -> list[np.ndarray]:
    """For every size ``k``: a mask of each row's first ``k`` valid neighbours (by rank)."""
    rank = np.cumsum(valid, axis=1)
    return [valid & (rank <= k) for k in sizes]


class NeighborTargetEncoder:
    """Cross-fitted target means of a row's nearest training rows, at several sizes.

    The finest "configuration" there is: for every size ``k`` in ``sizes`` the
    mean target (class fractions for classification; the positive-class fraction
    for two classes) of the ``k`` nearest training rows. Training rows are
    cross-fitted like the cluster statistics: a row in fold ``f`` averages its
    nearest rows *outside* fold ``f`` (its own target, and with grouped folds its
    group's targets, never enter), filling any shortfall with the mean target
    outside its fold. New rows average their nearest usable training rows.

    The fitted state is the training targets (the neighbours' labels are the
    encoding, as in :class:`sklearn.neighbors.KNeighborsRegressor`) and which
    training rows may be read (``rows``: all, or a cross-fitting fold's rest).

    Parameters
    ----------
    sizes : tuple of int, default=(5, 15, 50, 150)
        Neighbourhood sizes.
    n_classes : int, default=0
    bag_folds : bool, default=False
        New rows' means (:meth:`transform`) averaged over the cross-fitting fold
        encoders of :meth:`fit_crossfit` — for every fold (and repetition) the
        mean over the nearest usable rows *outside* that fold — so new rows are
        encoded as the training rows were, instead of from all usable rows.

    Attributes
    ----------
    targets_ : ndarray of shape (n_train, q)
        Target matrix of the training rows (``q = 1`` for regression and binary
        classification, ``C`` classes otherwise).
    usable_ : ndarray of bool of shape (n_train,)
        Rows whose targets the encoding reads.
    prior_ : ndarray of shape (q,)
        Mean target of the usable rows (fills a shortfall of neighbours).
    mean_, scale_ : ndarray of shape (1, len(sizes), q)
        Scaling of the cross-fitted training means (set by :meth:`fit_crossfit`).
    folds_ : list of ndarray or None
        The fold vectors of :meth:`fit_crossfit` (None after :meth:`fit`).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> nb = np.array([[1, 2, 3], [0, 2, 3], [3, 1, 0], [2, 1, 0]])   # nearest first
    >>> enc = NeighborTargetEncoder(sizes=(1,))
    >>> enc.fit_crossfit(y, nb, np.array([0, 0, 1, 1]))[:, 0, 0].tolist()
    [2.0, 2.0, 1.0, 1.0]
    >>> float(enc.transform(np.array([[3, 2, 1]]))[0, 0, 0])
    3.0
    """

    def __init__(self, sizes=(5, 15, 50, 150), n_classes: int = 0, bag_folds: bool = False):
        self.sizes = sizes
        self.n_classes = n_classes
        self.bag_folds = bag_folds

    def _targets(self, y: np.ndarray) -> np.ndarray:
        T = _targets_matrix(np.asarray(y), self.n_classes)
        return T[:, 1:] if self.n_classes == 2 else T

    @property
    def n_stats(self) -> int:
        """Columns per size (``q``)."""
        return 1 if self.n_classes in (0, 2) else int(self.n_classes)

    def n_neighbors_needed(self, n_folds: int) -> int:
        """Neighbours to query per row so that ``max(sizes)`` usable ones lie outside its
        fold (with a margin for rows whose nearest rows crowd into their own fold)."""
        frac = (n_folds - 1) / n_folds
        return int(np.ceil(1.3 * max(self.sizes) / frac)) + 10

    def fit(self, y: np.ndarray, rows: np.ndarray | None = None) -> NeighborTargetEncoder:
        """Keep the training targets; only ``rows`` (default all) are read."""
        self.targets_ = self._targets(y)
        self.usable_ = np.ones(len(self.targets_), dtype=bool)
        if rows is not None:
            self.usable_[:] = False
            self.usable_[np.asarray(rows)] = True
        self.prior_ = self.targets_[self.usable_].mean(axis=0)
        self.folds_ = None
        return self

    def _means(self, neighbors, valid, prior, vals=None) -> np.ndarray:
        """Means of each row's first ``k`` ``valid`` neighbours, shortfall from ``prior``
        (``vals``: the neighbours' targets ``(n, K, q)``, gathered here when None)."""
        vals = self.targets_[neighbors] if vals is None else vals
        out = []
        for k, sel in zip(self.sizes, _first_valid(neighbors, valid, self.sizes)):
            got = sel.sum(axis=1)
            s = np.einsum("nk,nkq->nq", sel.astype(np.float64), vals)
            out.append((s + (k - got)[:, None] * prior) / k)
        return np.stack(out, axis=1)

    def transform(self, neighbors: np.ndarray) -> np.ndarray:
        """Means ``(n, len(sizes), q)`` over each row's first ``k`` usable training neighbours.

        ``neighbors`` are sorted nearest first; a shortfall (fewer than ``k``
        usable among them) is filled with :attr:`prior_`. With ``bag_folds`` (after
        :meth:`fit_crossfit`): the average over every fold ``f`` of the means over
        the first ``k`` usable neighbours outside ``f`` (shortfall: the mean target
        outside ``f``), so ``neighbors`` should be about ``cv / (cv − 1)`` times
        deeper than ``max(sizes)``.
        """
        neighbors = np.asarray(neighbors)
        bags = self._fold_bags() if self.bag_folds else []
        if not bags:
            return self._means(neighbors, self.usable_[neighbors], self.prior_[None, :])
        vals = self.targets_[neighbors]  # gathered once for every fold
        return sum(self._means(neighbors, keep[neighbors], prior[None, :], vals)
                   for keep, prior in bags) / len(bags)

    def _fold_bags(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(readable rows, their mean target)`` outside every fold of every repetition of
        :meth:`fit_crossfit` (none before it; a fold holding every usable row is skipped)."""
        bags = []
        for folds in getattr(self, "folds_", None) or []:
            for f in np.unique(folds[self.usable_]):
                keep = self.usable_ & (folds != f)
                if keep.any():
                    bags.append((keep, self.targets_[keep].mean(axis=0)))
        return bags

    def fit_crossfit(self, y: np.ndarray, neighbors, folds,
                     rows: np.ndarray | None = None) -> np.ndarray:
        """Fit and return the cross-fitted means ``(n_rows, len(sizes), q)`` of ``rows``.

        ``neighbors`` (nearest first, each row itself excluded) are those of
        ``rows`` (default all training rows), in that order; only those outside
        a row's fold are read, so they should hold ``max(sizes)`` such rows (see
        :func:`crossfit_neighbors`; a shortfall is filled with the mean target
        outside the fold). ``folds`` is the fold of every training row, or a
        list of fold vectors (repeated cross-fitting: the means are averaged over
        the repetitions), then with one ``neighbors`` array per repetition or one
        shared by all. Only ``rows`` are encoded and read.
        """
        self.fit(y, rows)
        rows = np.arange(len(self.targets_)) if rows is None else np.asarray(rows)
        repeats = list(folds) if isinstance(folds, (list, tuple)) else [folds]
        nbs = (list(neighbors) if isinstance(neighbors, (list, tuple))
               else [neighbors] * len(repeats))
        if len(nbs) != len(repeats):
            raise ValueError(f"{len(nbs)} neighbour arrays for {len(repeats)} fold vectors")
        out = sum(self._crossfit_once(np.asarray(nb), rows, f) for nb, f in zip(nbs, repeats))
        if len(repeats) > 1:
            out = out / len(repeats)
        self.folds_ = [np.asarray(f) for f in repeats]
        self.mean_ = out.mean(axis=0, keepdims=True)
        self.scale_ = out.std(axis=0, keepdims=True) + 1e-6
        return out

    def _crossfit_once(self, nb, rows, folds) -> np.ndarray:
        T = self.targets_
        f_rows = folds[rows]
        valid = self.usable_[nb] & (folds[nb] != f_rows[:, None])
        uniq, inv = np.unique(f_rows, return_inverse=True)
        total = T[rows].sum(axis=0)
        per_fold = np.stack([T[rows[f_rows == f]].sum(axis=0) for f in uniq])
        counts = np.bincount(inv, minlength=len(uniq)).astype(np.float64)
        prior = ((total - per_fold) / np.maximum(len(rows) - counts, 1.0)[:, None])[inv]
        return self._means(nb, valid, prior)

    def standardize(self, M: np.ndarray) -> np.ndarray:
        """``(M − mean_) / scale_``."""
        return (M - self.mean_) / self.scale_
