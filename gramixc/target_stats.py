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

__all__ = ["ClusterStats", "cluster_stats", "soft_features", "crossfit_features", "fold_ids"]


@dataclass
class ClusterStats:
    """Smoothed per-cluster statistics of every configuration.

    Attributes
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
) -> ClusterStats:
    """Per-cluster target statistics from the rows ``rows`` (all when None).

    Means are shrunk towards the mean of the used rows with ``smoothing``
    pseudo-rows (m-estimate): ``(Σ y + s·prior) / (n_c + s)``; an empty cluster
    gets the prior. The size statistic is ``log(1 + n_c)`` counted over
    ``sizes_from`` rows (default: all rows; sizes are label-free).

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

    Returns
    -------
    ClusterStats
    """
    n, m = ids.shape
    rows = np.arange(n) if rows is None else np.asarray(rows)
    size_rows = np.arange(n) if sizes_from is None else np.asarray(sizes_from)
    T = _targets_matrix(np.asarray(y)[rows], n_classes)  # (r, q)
    prior = T.mean(axis=0)
    prior_sq = (T**2).mean(axis=0)
    s = float(smoothing)
    tables = []
    for j in range(m):
        K = int(ids[:, j].max()) + 1
        c = ids[rows, j]
        cnt = np.bincount(c, minlength=K).astype(np.float64)
        sums = np.stack([np.bincount(c, weights=T[:, q], minlength=K) for q in range(T.shape[1])],
                        axis=1)
        mean = (sums + s * prior) / (cnt[:, None] + s)
        size = np.log1p(np.bincount(ids[size_rows, j], minlength=K).astype(np.float64))
        if n_classes:
            spread = 1.0 - (mean**2).sum(axis=1)  # Gini impurity of the smoothed fractions
        else:
            sq = np.bincount(c, weights=T[:, 0] ** 2, minlength=K)
            ex2 = (sq + s * prior_sq[0]) / (cnt + s)
            spread = np.sqrt(np.maximum(ex2 - mean[:, 0] ** 2, 0.0))
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
    """A fold index per row (shuffled; whole groups stay together when given)."""
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

    Returns
    -------
    ndarray of shape (n_sel, m, F)
    """
    n = train_ids.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows)
    fold_of = folds[rows]
    uniq = np.unique(fold_of)
    stats = [cluster_stats(train_ids, y, rows=rows[fold_of != f], n_classes=n_classes,
                           smoothing=smoothing) for f in uniq]
    which = np.searchsorted(uniq, fold_of)
    return soft_features(neighbors, weights, train_ids, stats, which)
