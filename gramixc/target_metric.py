"""Nearest training rows in a target-weighted space, cross-fitted.

A neighbour target mean is only as good as the neighbourhoods it averages over. In
the graph's space every standardised feature counts alike, so on wide tables the
features that carry no signal decide who is whose neighbour. Here each standardised
feature is scaled by its absolute correlation with the target (for classes: its
largest absolute correlation with any class indicator), so distances are measured
mostly along the features that matter, and the neighbour means read rows that are
alike where it counts.

The weights are label-derived, so they are cross-fitted like the means themselves:
the neighbours of a training row in fold ``f`` are searched among the rows of the
other folds, in the space weighted from those rows alone — a row's target never
shapes its own neighbourhood. New rows use the weights of all training rows.
"""

from __future__ import annotations

import numpy as np

from .graph import NeighborIndex

__all__ = ["TargetWeightedNeighbors", "target_weights"]


def target_weights(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Absolute correlation of every column of ``Z`` with the target, scaled to unit mean
    square (so that distances keep the size they had unweighted).

    A correlation sees monotone relevance: a feature whose effect on the target is
    symmetric (``y = x²``) gets a small weight, as does one that matters only
    together with another.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Standardised features.
    Y : ndarray of shape (n, q)
        The target (one column) or class indicators (one column per class); a
        feature's weight is its largest absolute correlation over the columns.

    Returns
    -------
    ndarray of shape (d,)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> Z = rng.normal(size=(500, 3))
    >>> w = target_weights(Z, (Z[:, 0] + 0.1 * rng.normal(size=500))[:, None])
    >>> bool(w[0] > 5 * max(w[1], w[2]))
    True
    """
    Zc = Z - Z.mean(axis=0)
    Yc = Y - Y.mean(axis=0)
    zs = np.sqrt((Zc ** 2).sum(axis=0))
    ys = np.sqrt((Yc ** 2).sum(axis=0))
    corr = np.abs(Zc.T @ Yc) / np.maximum(np.outer(zs, ys), 1e-12)
    w = corr.max(axis=1)
    norm = np.sqrt((w ** 2).mean())
    return w / norm if norm > 0 else np.ones_like(w)


class TargetWeightedNeighbors:
    """Nearest training rows in the standardised features weighted by :func:`target_weights`.

    Parameters
    ----------
    metric : str, default="euclidean"
        Distance in the weighted space (as :class:`~gramixc.graph.NeighborIndex`).
    random_state : int or None, default=None
        Seeds an approximate (HNSW) index on large tables.

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (d,)
        Standardisation of the training rows.
    weights_ : ndarray of shape (d,)
        Feature weights from all training rows (used for new rows).
    n_train_ : int

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5)); y = X[:, 0] + 0.1 * rng.normal(size=200)
    >>> tn = TargetWeightedNeighbors().fit(X, y[:, None])
    >>> folds = np.arange(200) % 4
    >>> nb = tn.outside(folds, 3)
    >>> nb.shape, bool((folds[nb] != folds[:, None]).all())
    ((200, 3), True)
    >>> tn.kneighbors(X[:2], 3).shape
    (2, 3)
    """

    def __init__(self, metric: str = "euclidean", random_state=None) -> None:
        self.metric = metric
        self.random_state = random_state

    def fit(self, X: np.ndarray, Y: np.ndarray) -> TargetWeightedNeighbors:
        """Standardise ``X``, weight it from target columns ``Y`` (n, q), index it."""
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < 2:
            raise ValueError(f"X must be a 2-D array of at least 2 rows, got shape {X.shape}")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"Y has {Y.shape[0]} rows but X has {X.shape[0]}: pass one target "
                             f"row (or row of class indicators) per row of X")
        if not (np.isfinite(X).all() and np.isfinite(Y).all()):
            raise ValueError("X and Y must be finite: impute or drop NaN/inf values first")
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        self._Z = (X - self.mean_) / self.scale_
        self._lo, self._hi = self._Z.min(axis=0), self._Z.max(axis=0)
        self._Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
        self.n_train_ = len(X)
        self.weights_ = target_weights(self._Z, self._Y)
        self._index = self._new_index().fit(self._Z * self.weights_)
        return self

    def _new_index(self) -> NeighborIndex:
        return NeighborIndex(metric=self.metric, random_state=self.random_state)

    def outside(self, folds: np.ndarray, k: int, rows=None, usable=None) -> np.ndarray:
        """The ``k`` nearest usable training rows of each of ``rows`` outside its fold.

        For every fold ``f`` among the rows served, the candidates are the usable
        rows of the other folds, weighted by :func:`target_weights` of those
        candidates alone. A row with fewer than ``k`` candidates is padded with its
        own index (which no fold-aware reader counts), as
        :func:`~gramixc.target_stats.crossfit_neighbors` does.

        Parameters
        ----------
        folds : ndarray of shape (n_train,)
        k : int
        rows : array-like of int, optional
            Training rows to serve (default all).
        usable : array-like of int, optional
            Training rows that may be returned (default all).

        Returns
        -------
        ndarray of int64 of shape (len(rows), k)
        """
        n = self.n_train_
        rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
        allowed = np.zeros(n, dtype=bool)
        allowed[np.arange(n) if usable is None else np.asarray(usable, dtype=np.int64)] = True
        out = np.repeat(rows[:, None], k, axis=1)
        for f in np.unique(folds[rows]):
            mine = np.flatnonzero(folds[rows] == f)
            cand = np.flatnonzero(allowed & (folds != f))
            if cand.size == 0:
                continue
            w = target_weights(self._Z[cand], self._Y[cand])
            kk = min(k, cand.size)
            index = self._new_index().fit(self._Z[cand] * w)
            _, idx = index.query(self._Z[rows[mine]] * w, k=kk)
            out[mine, :kk] = cand[idx]
        return out

    def kneighbors(self, X: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` nearest training rows of new rows ``X`` (all training rows' weights;
        standardised values clipped to the training range)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.mean_):
            raise ValueError(f"X must have shape (n, {len(self.mean_)}) like the training rows, "
                             f"got {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("X must be finite: impute or drop NaN/inf values first")
        Z = (X - self.mean_) / self.scale_
        Z = np.clip(Z, self._lo, self._hi)
        _, idx = self._index.query(Z * self.weights_, k=min(k, self.n_train_))
        return idx.astype(np.int64)
