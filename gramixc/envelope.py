"""Partitions as lines in the resolution γ, and their upper envelope.

For a fixed partition ω the quality optimised by Leiden is linear in γ
(docs/algorithms.md §3)::

    Q_ω(γ) = h_a(ω) − γ · h_r(ω)

* modularity (undirected): ``h_a`` = total weight of the edges inside clusters,
  ``h_r = Σ_c vol_c² / (4m)`` with ``vol_c`` the summed strength of cluster
  ``c`` and ``m`` the total edge weight;
* modularity (directed): ``h_a`` = weight of arcs inside clusters,
  ``h_r = Σ_c out_c · in_c / m``;
* CPM: ``h_r = Σ_c n_c (n_c − 1) / 2`` (ordered pairs ``n_c (n_c − 1)`` when
  directed).

A *configuration* is a partition on the upper envelope of these lines: the best
known partition on a whole interval ``[γ_lo, γ_hi]`` (a plateau). Consecutive
envelope partitions cross at ``γ = (h_a,i − h_a,j) / (h_r,i − h_r,j)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "partition_lines",
    "upper_envelope",
    "Envelope",
    "canonical_labels",
    "cluster_entropy",
]


def canonical_labels(membership: np.ndarray) -> np.ndarray:
    """Relabel a membership vector to 0..K−1 in order of first appearance.

    Two memberships describe the same partition iff their canonical labels are
    equal. Works on a 1-D vector or row-wise on a 2-D array.

    Parameters
    ----------
    membership : ndarray of shape (n,) or (P, n)
        Cluster labels (any integers).

    Examples
    --------
    >>> canonical_labels(np.array([5, 5, 2, 7, 2]))
    array([0, 0, 1, 2, 1])
    """
    m = np.asarray(membership)
    if m.ndim == 2:
        return np.vstack([canonical_labels(row) for row in m]) if len(m) else m.astype(np.int64)
    _, first, inverse = np.unique(m, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


def cluster_entropy(membership: np.ndarray) -> float:
    """Shannon entropy (nats) of the cluster-size distribution of a membership.

    Parameters
    ----------
    membership : ndarray of shape (n,)
        Cluster labels.

    Returns
    -------
    float
    """
    counts = np.bincount(np.asarray(membership, dtype=np.int64))
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def partition_lines(
    memberships: np.ndarray,
    edges: np.ndarray,
    edge_weights: np.ndarray,
    n: int,
    objective: str = "modularity",
    directed: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Attraction ``h_a`` and repulsion ``h_r`` of each partition.

    Parameters
    ----------
    memberships : ndarray of shape (P, n) or (n,)
        Non-negative integer cluster labels, one partition per row.
    edges : ndarray of shape (e, 2)
        Edges (undirected: each once; directed: source, target).
    edge_weights : ndarray of shape (e,)
    n : int
        Number of vertices.
    objective : {"modularity", "CPM"}
    directed : bool, default=False

    Returns
    -------
    h_a, h_r : ndarray of shape (P,)

    Examples
    --------
    >>> edges = np.array([[0, 1], [1, 2], [2, 3]])
    >>> h_a, h_r = partition_lines(np.array([[0, 0, 1, 1]]), edges, np.ones(3), 4)
    >>> float(h_a[0]), float(h_r[0])  # two edges inside; vols 3 and 3, m = 3
    (2.0, 1.5)
    """
    M = np.atleast_2d(np.asarray(memberships, dtype=np.int64))
    if M.shape[1] != n:
        raise ValueError(f"memberships have {M.shape[1]} columns but the graph has {n} vertices")
    if objective not in ("modularity", "CPM"):
        raise ValueError(f"objective must be 'modularity' or 'CPM', got {objective!r}")
    w = np.asarray(edge_weights, dtype=np.float64)
    u, v = edges[:, 0], edges[:, 1]
    m_total = w.sum()
    if directed:
        out_s = np.bincount(u, weights=w, minlength=n)
        in_s = np.bincount(v, weights=w, minlength=n)
    else:
        strength = np.bincount(u, weights=w, minlength=n) + np.bincount(v, weights=w, minlength=n)
    h_a = np.empty(M.shape[0])
    h_r = np.empty(M.shape[0])
    for p, memb in enumerate(M):  # one vectorised pass per partition (P is small)
        h_a[p] = w[memb[u] == memb[v]].sum()
        if objective == "CPM":
            sizes = np.bincount(memb).astype(np.float64)
            pairs = (sizes * (sizes - 1.0)).sum()
            h_r[p] = pairs if directed else 0.5 * pairs
        elif directed:
            h_r[p] = (np.bincount(memb, weights=out_s) * np.bincount(memb, weights=in_s)).sum()
            h_r[p] /= m_total
        else:
            h_r[p] = (np.bincount(memb, weights=strength) ** 2).sum() / (4.0 * m_total)
    return h_a, h_r


class Envelope(NamedTuple):
    """Upper envelope of lines ``h_a − γ h_r`` over ``γ ≥ 0``.

    Parameters
    ----------
    index : ndarray of int
        Indices of the envelope lines, coarse (large ``h_r``) → fine.
    gamma_lo, gamma_hi : ndarray of float
        The γ-interval on which each is optimal (``0`` and ``inf`` at the ends).
    """

    index: np.ndarray
    gamma_lo: np.ndarray
    gamma_hi: np.ndarray


def upper_envelope(h_a: np.ndarray, h_r: np.ndarray, rtol: float = 1e-12) -> Envelope:
    """Lines on the upper envelope of ``Q(γ) = h_a − γ h_r`` for ``γ ∈ [0, ∞)``.

    Parallel lines keep the higher one (ties: the lower index). A line that
    touches the envelope at a single point only is not on it.

    Parameters
    ----------
    h_a, h_r : array-like of shape (P,)
    rtol : float
        Relative tolerance below which two qualities count as equal.

    Returns
    -------
    Envelope

    Examples
    --------
    >>> env = upper_envelope([10.0, 8.0, 0.0], [10.0, 4.0, 0.5])
    >>> env.index.tolist(), env.gamma_hi.round(3).tolist()
    ([0, 1, 2], [0.333, 2.286, inf])
    """
    a = np.asarray(h_a, dtype=np.float64)
    b = np.asarray(h_r, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("h_a and h_r must be non-empty 1-D arrays of the same length")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("h_a and h_r must be finite")
    eps = rtol * max(np.abs(a).max(), np.abs(b).max(), 1.0)
    # steepest descent first (largest h_r), higher line first on ties, lower index on ties
    order = np.lexsort((np.arange(a.size), -a, -b))
    hull: list[int] = []
    starts: list[float] = []
    for j in order:
        # (nearly) parallel to the top of the hull: the higher line wins. Within exactly
        # equal slopes the sort already puts the higher line first, but slopes that
        # differ by less than eps are ordered by slope alone, so a higher line can come
        # second: it replaces the lower one instead of being dropped.
        while hull and abs(b[hull[-1]] - b[j]) <= eps and a[j] > a[hull[-1]] + eps:
            hull.pop()
            starts.pop()
        if hull and abs(b[hull[-1]] - b[j]) <= eps:
            continue  # parallel and not higher
        while hull:
            i = hull[-1]
            x = (a[i] - a[j]) / (b[i] - b[j])  # j overtakes i at x
            if x <= starts[-1] + 1e-12 * max(1.0, abs(starts[-1])):
                hull.pop()
                starts.pop()
            else:
                break
        if not hull:
            hull.append(int(j))
            starts.append(-np.inf)
        else:
            hull.append(int(j))
            starts.append(float(x))
    starts_arr = np.array(starts)
    ends = np.append(starts_arr[1:], np.inf)
    keep = ends > 0.0  # lines optimal only for γ < 0 are not relevant
    idx = np.array(hull, dtype=np.int64)[keep]
    lo = np.maximum(starts_arr[keep], 0.0)
    hi = ends[keep]
    return Envelope(index=idx, gamma_lo=lo, gamma_hi=hi)
