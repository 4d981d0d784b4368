"""Out-of-sample assignment: cluster ids for rows that were not clustered.

Two modes (docs/algorithms.md §6):

``"knn"`` (default, :func:`knn_vote`)
    Query the neighbour index built at fit time ONCE for the ``k`` nearest
    training rows of every new row; in every configuration take the
    weighted majority id (hard) or the weighted vote fractions (soft). Weights
    are the graph's own kernel: the new row gets a λ-equalised bandwidth σ from
    its ``k`` distances, exactly like a training point, and neighbour ``i``
    votes ``exp(-σ d_i)``. A new row that duplicates a training row (distance
    0) therefore takes that row's id — ``transform(X_train)`` reproduces the
    training ids. Use it for prediction on single rows or small batches, for
    streaming data, and whenever new rows come from the training distribution.

``"recluster"`` (:func:`recluster_assign`, the paper's mode)
    Cluster the new batch on its own (its own kNN graph and sweep), pair each of
    its configurations with the training configuration it agrees with best (ARI
    against the kNN-transferred ids) and map its ids into the training id space
    with AMC + RMS (:func:`gramixc.rms.align_to`). New clusters that have no
    training counterpart get fresh ids instead of being forced onto an old one.
    Use it for large batches that may contain structure absent from training
    (a new site, a new batch of species), where a kNN vote would spread a new
    group over its nearest old clusters.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .graph import lambda_equalize

__all__ = ["vote_weights", "knn_vote", "soft_votes", "recluster_assign"]


def vote_weights(distances: np.ndarray, lam: float = 1.0) -> np.ndarray:
    """Row-normalised λ-kernel weights of each row's neighbours (rows sum to 1).

    Parameters
    ----------
    distances : ndarray of shape (n, k)
        Distances of each row to its ``k`` neighbours.
    lam : float, default=1.0
        Kernel width relative to each row's own distance scale (the graph's λ).

    Returns
    -------
    ndarray of shape (n, k)
    """
    w, _ = lambda_equalize(distances, lam=min(lam, distances.shape[1]))
    return w / w.sum(axis=1, keepdims=True)


def knn_vote(
    neighbors: np.ndarray,
    weights: np.ndarray,
    train_ids: np.ndarray,
) -> np.ndarray:
    """Weighted majority id of each row's neighbours, in every configuration.

    Parameters
    ----------
    neighbors : ndarray of shape (n_new, k)
        Indices of training rows.
    weights : ndarray of shape (n_new, k)
        Non-negative vote weights (e.g. from :func:`vote_weights`).
    train_ids : ndarray of shape (n_train, m)
        Contiguous 0-based ids of the training rows.

    Returns
    -------
    ndarray of shape (n_new, m), int64
        Ties go to the smallest id.

    Examples
    --------
    >>> nb = np.array([[0, 1, 2]]); w = np.array([[0.2, 0.3, 0.5]])
    >>> knn_vote(nb, w, np.array([[0], [1], [1]])).tolist()
    [[1]]
    """
    n_new, k = neighbors.shape
    out = np.empty((n_new, train_ids.shape[1]), dtype=np.int64)
    rows = np.arange(n_new)
    flat_row = np.repeat(rows * k, k).reshape(n_new, k)
    for j in range(train_ids.shape[1]):  # one vectorised pass per configuration
        ids = train_ids[neighbors, j]
        order = np.argsort(ids, axis=1, kind="stable")
        s_ids = np.take_along_axis(ids, order, axis=1)
        s_w = np.take_along_axis(weights, order, axis=1)
        new = np.ones((n_new, k), dtype=bool)
        new[:, 1:] = s_ids[:, 1:] != s_ids[:, :-1]
        seg = np.cumsum(new, axis=1) - 1  # run index of equal ids within the row
        tot = np.bincount((flat_row + seg).ravel(), weights=s_w.ravel(), minlength=n_new * k)
        best = np.argmax(tot.reshape(n_new, k), axis=1)  # ties: first run = smallest id
        pos = np.argmax(seg == best[:, None], axis=1)
        out[:, j] = s_ids[rows, pos]
    return out


def soft_votes(
    neighbors: np.ndarray,
    weights: np.ndarray,
    train_ids: np.ndarray,
    n_clusters: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Vote fractions of every cluster of every configuration, as one sparse matrix.

    Columns are the clusters of configuration 0, then of configuration 1, ...
    (``Σ_j K_j`` columns); each row has at most ``k`` non-zeros per configuration
    and sums to 1 within each configuration's block.

    Parameters
    ----------
    neighbors : ndarray of shape (n_new, k)
        Training neighbours of every new row.
    weights : ndarray of shape (n_new, k)
        Their vote weights (normalised per row here).
    train_ids : ndarray of shape (n_train, m)
        Cluster ids of the training rows in every configuration.
    n_clusters : ndarray of shape (m,), optional
        Clusters per configuration (default: from ``train_ids``).

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_new, Σ K_j)
    """
    n_new, k = neighbors.shape
    if n_clusters is None:
        n_clusters = train_ids.max(axis=0) + 1
    offsets = np.concatenate([[0], np.cumsum(n_clusters)[:-1]])
    m = train_ids.shape[1]
    w = weights / weights.sum(axis=1, keepdims=True)
    rows = np.repeat(np.arange(n_new), k * m)
    cols = (train_ids[neighbors.ravel()] + offsets[None, :]).reshape(n_new, k, m)
    cols = cols.transpose(0, 2, 1).ravel()  # row-major: row, configuration, neighbour
    data = np.repeat(w[:, None, :], m, axis=1).ravel()
    mat = sp.csr_matrix((data, (rows, cols)), shape=(n_new, int(np.sum(n_clusters))))
    mat.sum_duplicates()
    return mat


def recluster_assign(
    X_new: np.ndarray,
    transferred: np.ndarray,
    cluster_new,
) -> np.ndarray:
    """Cluster a batch on its own and map its ids into the training id space.

    Parameters
    ----------
    X_new : ndarray of shape (n_new, d)
        The batch (already scaled like the training data).
    transferred : ndarray of shape (n_new, m)
        kNN-transferred training ids of the batch (from :func:`knn_vote`).
    cluster_new : callable
        ``cluster_new(X_new) -> ndarray (n_new, m_new)``: the batch's own
        configurations (same graph and sweep settings as at fit).

    Returns
    -------
    ndarray of shape (n_new, m), int64
        For each training configuration ``j``: the batch configuration with the
        best ARI against ``transferred[:, j]``, relabelled by
        :func:`gramixc.rms.align_to` into configuration ``j``'s id space (ids
        that match no training cluster are ≥ the training ``K_j``).
    """
    from sklearn.metrics import adjusted_rand_score

    from .rms import align_to

    own = np.asarray(cluster_new(X_new))
    out = np.empty_like(transferred)
    for j in range(transferred.shape[1]):
        scores = [adjusted_rand_score(transferred[:, j], own[:, c]) for c in range(own.shape[1])]
        best = int(np.argmax(scores))
        out[:, j] = align_to(own[:, best], transferred[:, j])
    return out
