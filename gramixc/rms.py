"""Alignment of cluster ids: AMC (Hungarian) and Reverse Merge/Split (RMS).

Cluster ids produced by community detection are arbitrary: the same group of rows may
be called ``3`` in one configuration and ``17`` in the next, and a new batch clustered
on its own gets its own numbering.  This module makes ids *mean* something:

* :func:`amc` -- **A**\\ lign, **M**\\ ask, **C**\\ onfusion: match a prediction to a
  reference with the Hungarian algorithm and return the aligned prediction and the
  square confusion matrix (docs/algorithms.md §5).
* :func:`rms_permute` -- **R**\\ everse **M**\\ erge/**S**\\ plit: reorder the labels of a
  confusion matrix so that a label that was merged into / split from another one sits
  right next to it.  Pure reordering: ids are never merged.
* :func:`rms_chain` -- label-free alignment of a whole configuration matrix (coarse to
  fine) so that the children of one parent get consecutive ids: a cluster id becomes
  an ordinal feature.
* :func:`align_to_labels` -- supervised alignment of configurations to class labels.
* :func:`align_to` -- map a partition into the id space of a reference partition
  (out-of-sample "recluster" mode).
* :func:`id_spread` / :func:`id_spread_per_level` -- how consecutive the children of
  each parent are (1.0 = perfectly consecutive).

Every function works on copies: caller arrays are never modified.  No Python loop runs
over rows; loops run over labels or configurations only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = [
    "DEFAULT_THRESHOLD",
    "RMSResult",
    "align_to",
    "align_to_labels",
    "amc",
    "id_spread",
    "id_spread_per_level",
    "majority_parent",
    "rms_chain",
    "rms_order",
    "rms_permute",
]

#: Precision / recall threshold τ below which a label is flagged by RMS (docs/algorithms.md §5).
DEFAULT_THRESHOLD = 0.37


# --------------------------------------------------------------------------- validation
def _as_ids(x: Any, name: str, ndim: int | tuple[int, ...] = 1) -> np.ndarray:
    """Return a validated int64 *copy* of an id array.

    Raises ``ValueError`` for a wrong number of dimensions, NaN / inf, non-integer
    values, non-numeric dtypes and negative ids.
    """
    arr = np.asarray(x)
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name} must be a {want} array of cluster ids, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind == "b":
        out = arr.astype(np.int64)
    elif kind in "iu":
        out = arr.astype(np.int64, copy=True)
    elif kind == "f":
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN; cluster ids must be integers")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains infinite values; cluster ids must be integers")
        if (arr != np.floor(arr)).any():
            raise ValueError(f"{name} contains non-integer values; cluster ids must be integers")
        out = arr.astype(np.int64)
    else:
        raise ValueError(f"{name} must hold integer cluster ids, got dtype {arr.dtype}")
    if out.size and out.min() < 0:
        raise ValueError(f"{name} contains negative ids (min {out.min()}); ids must be >= 0")
    return out


def _check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of rows, "
            f"got {a.shape[0]} and {b.shape[0]}"
        )


def _as_confusion(C: Any) -> np.ndarray:
    """Validate a square, non-negative, finite confusion matrix (returns a copy)."""
    arr = np.array(C)
    if arr.ndim != 2:
        raise ValueError(
            f"C must be a 2-D square confusion matrix, got a {arr.ndim}-D array of shape "
            f"{arr.shape}"
        )
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"C must be square, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"C must be numeric, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("C contains NaN or infinite values")
    if arr.size and arr.min() < 0:
        raise ValueError("C must be non-negative (it holds counts)")
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    return arr


def _as_labels(labels: Any, n_labels: int) -> np.ndarray:
    arr = np.array(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {arr.shape}")
    if arr.shape[0] != n_labels:
        raise ValueError(f"labels has {arr.shape[0]} entries but C is {n_labels}x{n_labels}")
    if np.unique(arr).shape[0] != n_labels:
        raise ValueError("labels must be unique")
    return arr


def _check_threshold(threshold: float) -> float:
    t = float(threshold)
    if not (0.0 <= t <= 1.0):
        raise ValueError(f"threshold must lie in [0, 1], got {threshold!r}")
    return t


def _py(x: Any) -> Any:
    """numpy scalar -> Python scalar (for readable dict keys)."""
    return x.item() if hasattr(x, "item") else x


def _use_lut(max_value: int, n: int) -> bool:
    """Dense lookup tables are used when the id range is small compared to the data."""
    return max_value <= 4 * n + (1 << 20)


def _index_of(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Positions of ``values`` in the sorted non-negative int array ``keys`` (every value
    must be a key): a dense lookup table when the range allows, else a binary search."""
    if keys.size and _use_lut(int(keys[-1]), values.size):
        lut = np.zeros(int(keys[-1]) + 1, dtype=np.int64)
        lut[keys] = np.arange(keys.size)
        return lut[values]
    return np.searchsorted(keys, values)


def _unique_ids(values: np.ndarray, n: int) -> np.ndarray:
    """Sorted unique values of a non-negative int array."""
    if values.size and _use_lut(int(values.max()), n):
        return np.flatnonzero(np.bincount(values))
    return np.unique(values)


# --------------------------------------------------------------------------------- AMC
def amc(pred: Any, ref: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Align a prediction to a reference by the Hungarian algorithm (AMC, docs/algorithms.md §5).

    Parameters
    ----------
    pred : array-like of int, shape (n,)
        Predicted cluster ids, 0-based (shifted by +1 internally).
    ref : array-like of int, shape (n,)
        Reference labels, 1-based; ``0`` marks an unknown / masked row (e.g. a test
        row) that does not enter the confusion matrix.

    Returns
    -------
    aligned_pred : ndarray of int64, shape (n,)
        ``pred`` relabelled into the label space of ``labels`` -- *all* rows, masked
        rows included.  The partition is unchanged (the relabelling is injective).
    C : ndarray of int64, shape (L, L)
        Confusion matrix over the rows with ``ref != 0``: ``C[a, b]`` counts rows with
        reference ``labels[a]`` and aligned prediction ``labels[b]``.
    labels : ndarray of int64, shape (L,)
        Shared, sorted label order of the rows and columns of ``C``.

    Notes
    -----
    * The label set is the sorted union of the reference labels and of the shifted
      prediction labels of the unmasked rows; the Hungarian assignment
      (``linear_sum_assignment(maximize=True)``) is a bijection of that union.
    * Ties between optimal assignments are broken towards keeping a prediction label
      at its own (shifted) value, which makes the result deterministic.  This is done
      exactly, with integer weights ``C * (L + 1) + I``: the bonus can never beat one
      extra matched row.
    * Prediction labels seen **only in masked rows** have no evidence in ``C`` but are
      never lost.  If the shifted value is outside the union, it receives a fresh label
      ``max(union) + 1, + 2, ...`` (in increasing order of the original id) and
      ``labels`` / ``C`` are extended with it (zero row and column), so ``C`` stays
      square and every output label is listed.  If the shifted value happens to be in
      the union (as a reference label), it is relabelled by the bijection like any
      other union value (its column of ``C`` is zero).
    * Cost: O(n) with dense lookup tables for the ids (binary search when the id values
      are huge), O(L^2) memory for the table and the Hungarian step on L labels.

    Examples
    --------
    >>> import numpy as np
    >>> gt = np.repeat([1, 2, 3], 50)
    >>> pred = np.repeat([0, 1], [100, 50])
    >>> aligned, C, labels = amc(pred, gt)
    >>> C.tolist(), labels.tolist()
    ([[50, 0, 0], [50, 0, 0], [0, 0, 50]], [1, 2, 3])
    >>> np.unique(aligned).tolist()
    [1, 3]
    """
    p = _as_ids(pred, "pred") + 1
    g = _as_ids(ref, "ref")
    _check_same_length(p, g, "pred", "ref")

    n = p.shape[0]
    known = g != 0
    gk, pk = g[known], p[known]
    union = np.union1d(_unique_ids(gk, n), _unique_ids(pk, n))
    n_lab = union.shape[0]
    gi = _index_of(gk, union)
    pi = _index_of(pk, union)
    table = np.bincount(gi * n_lab + pi, minlength=n_lab * n_lab).reshape(n_lab, n_lab)

    if n_lab:
        weight = table.astype(np.float64) * (n_lab + 1) + np.eye(n_lab)
        rows, cols = linear_sum_assignment(weight, maximize=True)
        cols = cols[np.argsort(rows)]
    else:
        cols = np.zeros(0, dtype=np.int64)
    # prediction label union[cols[r]] becomes union[r]
    new_of = np.empty(n_lab, dtype=np.int64)
    new_of[cols] = union
    C = table[:, cols]

    uniq = _unique_ids(p, n)
    pos = np.searchsorted(union, uniq)  # over labels only, cheap
    in_union = pos < n_lab
    in_union[in_union] = union[pos[in_union]] == uniq[in_union]
    mapped = np.empty(uniq.shape[0], dtype=np.int64)
    mapped[in_union] = new_of[pos[in_union]]
    n_extra = int((~in_union).sum())
    start = int(union[-1]) + 1 if n_lab else 1
    extra = np.arange(start, start + n_extra, dtype=np.int64)
    mapped[~in_union] = extra
    labels = np.concatenate([union.astype(np.int64), extra])
    if n_extra:
        C = np.pad(C, ((0, n_extra), (0, n_extra)))
    aligned = mapped[_index_of(p, uniq)]
    return aligned, C.astype(np.int64), labels


# --------------------------------------------------------------------------------- RMS
class RMSResult(NamedTuple):
    """Result of :func:`rms_permute`.

    Parameters
    ----------
    permuted_matrix : ndarray, shape (L, L)
        ``C[order][:, order]`` -- rows and columns permuted symmetrically.
    permuted_labels : ndarray, shape (L,)
        ``labels[order]``: the RMS label order.
    label_map : dict
        ``{label: (partner_label, "rmerge" | "rsplit")}`` for every flagged label, in
        increasing index order.
    map_matrix : ndarray, shape (N, 4)
        One row ``(GT1, GT2, PRED1, PRED2)`` per flagged label ``i`` with partner ``p``:
        the reference-side pair and the prediction-side pair involved.  ``rmerge``
        (references ``i`` and ``p`` both predicted as ``p``): ``(i, p, p, p)``;
        ``rsplit`` (reference ``p`` split into predictions ``i`` and ``p``):
        ``(p, p, i, p)``.  Values are labels (same dtype as ``labels``).
    map_type : ndarray of str, shape (N,)
        ``"rmerge"`` or ``"rsplit"`` for each row of ``map_matrix``.
    """

    permuted_matrix: np.ndarray
    permuted_labels: np.ndarray
    label_map: dict
    map_matrix: np.ndarray
    map_type: np.ndarray


def rms_order(n_labels: int, moves: Mapping[int, int]) -> np.ndarray:
    """Apply RMS moves sequentially to the identity order ``[0, ..., n_labels - 1]``.

    For each moved index ``i`` in increasing order: read the current positions of ``i``
    and of its partner, remove ``i``, and insert it at the partner's old position
    (so ``i`` lands next to its partner).  A move whose partner is ``i`` itself is a
    no-op.

    Parameters
    ----------
    n_labels : int
        Number of labels L.
    moves : mapping of int to int
        ``{index: partner index}``, both in ``[0, L)``.

    Returns
    -------
    ndarray of int64, shape (L,)
        The permutation ``order`` (``labels[order]`` is the RMS label order).

    Examples
    --------
    >>> rms_order(4, {2: 0}).tolist()
    [2, 0, 1, 3]
    >>> rms_order(4, {0: 2}).tolist()
    [1, 2, 0, 3]
    """
    n = int(n_labels)
    if n < 0:
        raise ValueError(f"n_labels must be >= 0, got {n_labels!r}")
    order = list(range(n))
    for i in sorted(moves):
        p = moves[i]
        if not (0 <= i < n and 0 <= p < n):
            raise ValueError(f"move {i} -> {p} is out of range for {n} labels")
        if p == i:
            continue
        pos_i = order.index(i)
        pos_p = order.index(p)
        del order[pos_i]
        order.insert(pos_p, i)
    return np.asarray(order, dtype=np.int64)


def _rms_moves(C: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flagged indices, their partners and whether each is an rmerge (vectorised)."""
    n = C.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    diag = np.diag(C).astype(np.float64)
    rowsum = C.sum(axis=1).astype(np.float64)
    colsum = C.sum(axis=0).astype(np.float64)
    prec = np.divide(diag, colsum, out=np.zeros(n), where=colsum > 0)
    rec = np.divide(diag, rowsum, out=np.zeros(n), where=rowsum > 0)
    # 0/0 is never "below tau"
    low = ((colsum > 0) & (prec < threshold)) | ((rowsum > 0) & (rec < threshold))
    flagged = np.flatnonzero(low)
    is_merge = C.max(axis=1)[flagged] > C.max(axis=0)[flagged]
    partner = np.where(is_merge, C[flagged].argmax(axis=1), C[:, flagged].argmax(axis=0)).astype(
        np.int64
    )
    return flagged.astype(np.int64), partner, is_merge


def rms_permute(C: Any, labels: Any = None, threshold: float = DEFAULT_THRESHOLD) -> RMSResult:
    """Reverse Merge/Split: reorder the labels of a confusion matrix (docs/algorithms.md §5).

    With ``precision_i = C[i, i] / colsum_i`` and ``recall_i = C[i, i] / rowsum_i``
    (``0/0`` is never below τ), label ``i`` is *flagged* when precision or recall is
    below ``threshold``.  A flagged label is an **rmerge** if the maximum of row ``i``
    is strictly larger than the maximum of column ``i`` (partner
    ``argmax_j C[i, j]``), otherwise an **rsplit** (partner ``argmax_j C[j, i]``);
    ties go to the first maximum.  Starting from ``[0, ..., L-1]``, each flagged ``i``
    (increasing) is removed and re-inserted at its partner's position
    (see :func:`rms_order`).  Ids are never merged.

    When the partner is ``i`` itself (an rsplit whose column maximum is on the
    diagonal, e.g. a matched child of a parent split into several equal parts), the
    label stays flagged in ``label_map`` / ``map_matrix`` but its move is a no-op.

    Parameters
    ----------
    C : array-like, shape (L, L)
        Square non-negative confusion matrix, rows = reference, columns = prediction,
        sharing the label order ``labels``.
    labels : array-like, shape (L,), optional
        Labels of the rows / columns of ``C``; default ``0, ..., L-1``.
    threshold : float, default 0.37
        τ, in [0, 1].

    Returns
    -------
    RMSResult
        ``(permuted_matrix, permuted_labels, label_map, map_matrix, map_type)``.

    Examples
    --------
    >>> res = rms_permute([[50, 0, 0], [50, 0, 0], [0, 0, 50]], [1, 2, 3])
    >>> res.permuted_labels.tolist(), res.label_map
    ([2, 1, 3], {2: (1, 'rmerge')})
    >>> res.map_matrix.tolist()
    [[2, 1, 1, 1]]
    """
    M = _as_confusion(C)
    n = M.shape[0]
    lab = np.arange(n) if labels is None else _as_labels(labels, n)
    tau = _check_threshold(threshold)

    flagged, partner, is_merge = _rms_moves(M, tau)
    order = rms_order(n, dict(zip(flagged.tolist(), partner.tolist(), strict=True)))
    permuted = M[np.ix_(order, order)]
    types = np.array(["rmerge" if m else "rsplit" for m in is_merge], dtype="<U6")
    idx = np.where(
        is_merge[:, None],
        np.stack([flagged, partner, partner, partner], axis=1),
        np.stack([partner, partner, flagged, partner], axis=1),
    ).reshape(-1, 4)
    map_matrix = lab[idx]
    label_map = {
        _py(lab[i]): (_py(lab[p]), str(t)) for i, p, t in zip(flagged, partner, types, strict=True)
    }
    return RMSResult(permuted, lab[order], label_map, map_matrix, types)


# ------------------------------------------------------------------------ chain helpers
def _rank_by_size(col: np.ndarray) -> np.ndarray:
    """0-based ids by decreasing cluster size, ties by first occurrence."""
    if col.size == 0:
        return col.astype(np.int64)
    if _use_lut(int(col.max()), col.size):
        counts = np.bincount(col)
        first = np.full(counts.shape[0], col.size, dtype=np.int64)
        np.minimum.at(first, col, np.arange(col.size))
        uniq = np.flatnonzero(counts)
        order = np.lexsort((first[uniq], -counts[uniq]))
        lut = np.zeros(counts.shape[0], dtype=np.int64)
        lut[uniq[order]] = np.arange(uniq.shape[0])
        return lut[col]
    uniq, first, inv, counts = np.unique(
        col, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.lexsort((first, -counts))
    rank = np.empty(uniq.shape[0], dtype=np.int64)
    rank[order] = np.arange(uniq.shape[0])
    return rank[inv.reshape(-1)]


def _rerank(aligned: np.ndarray, labels: np.ndarray, ordered_labels: np.ndarray) -> np.ndarray:
    """Contiguous 0-based ids for the labels present in ``aligned``, in ``ordered_labels``
    order.  ``labels`` must be sorted (as returned by :func:`amc`)."""
    n_lab = labels.shape[0]
    idx = _index_of(aligned, labels)
    present = np.bincount(idx, minlength=n_lab) > 0
    order_idx = np.searchsorted(labels, ordered_labels)
    keep = present[order_idx]
    rank = np.full(n_lab, -1, dtype=np.int64)
    rank[order_idx[keep]] = np.arange(int(keep.sum()))
    return rank[idx]


def _dense(col: np.ndarray) -> tuple[np.ndarray, int]:
    uniq, inv = np.unique(col, return_inverse=True)
    return inv.reshape(-1).astype(np.int64), uniq.shape[0]


def majority_parent(child: np.ndarray, parent: np.ndarray, n_child: int) -> np.ndarray:
    """For dense child ids ``0..n_child-1``: the parent holding most of each child's rows
    (smallest parent id on ties).  O(n log n) time, O(n) memory.

    Parameters
    ----------
    child : ndarray of shape (n,)
        Dense child ids ``0..n_child-1``.
    parent : ndarray of shape (n,)
        Parent ids of the same rows.
    n_child : int
        Number of children.

    Returns
    -------
    ndarray of shape (n_child,)
        The majority parent of every child.
    """
    n_par = int(parent.max()) + 1 if parent.size else 1
    if _use_lut(n_child * n_par, child.size):
        table = np.bincount(child * n_par + parent, minlength=n_child * n_par)
        return table.reshape(n_child, n_par).argmax(axis=1)
    codes, counts = np.unique(child * n_par + parent, return_counts=True)
    c, p = codes // n_par, codes % n_par
    order = np.lexsort((p, -counts, c))
    c, p = c[order], p[order]
    first = np.ones(c.shape[0], dtype=bool)
    first[1:] = c[1:] != c[:-1]
    maj = np.zeros(n_child, dtype=np.int64)
    maj[c[first]] = p[first]
    return maj


def _sort_by_parent(child: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Stable sort of contiguous child ids by the id of their majority parent."""
    n_child = int(child.max()) + 1
    maj = majority_parent(child, parent, n_child)
    order = np.lexsort((np.arange(n_child), maj))
    new = np.empty(n_child, dtype=np.int64)
    new[order] = np.arange(n_child)
    return new[child]


# ------------------------------------------------------------------------------- chain
#: Above this many clusters in a configuration, :func:`rms_chain` orders children by
#: (majority parent, size) instead of AMC + RMS: the dense L × L contingency table and the
#: Hungarian step cost O(L²) memory and up to O(L³) time (measured: 98 s for a chain whose
#: finest levels had 4k–23k clusters on 1e5 rows), and at that granularity the sibling
#: order RMS would choose carries no information the parent order does not.
EXACT_MAX_LABELS = 2000


def rms_chain(
    ids: Any,
    threshold: float = DEFAULT_THRESHOLD,
    sort_children: bool = True,
    exact_max_labels: int = EXACT_MAX_LABELS,
) -> np.ndarray:
    """Label-free alignment of a configuration matrix, coarse to fine (docs/algorithms.md §5).

    The coarsest column (column 0) is renumbered by decreasing cluster size (ties by
    first occurrence).  Each finer column ``j`` is then aligned by :func:`amc` against
    the already-aligned column ``j - 1`` (shifted +1, so nothing is masked), ordered by
    :func:`rms_permute`, and its present labels are re-ranked to contiguous 0-based ids
    in RMS order.  The partition of every column is unchanged (ARI 1.0 per column).
    Every column is first renumbered canonically (decreasing size, ties by first
    occurrence) before it enters :func:`amc`, so the result depends only on the
    partitions, never on the input id values (AMC breaks ties by id value).

    Parameters
    ----------
    ids : array-like of int, shape (n, m)
        Configuration matrix, columns ordered coarse to fine, non-negative ids.
    threshold : float, default 0.37
        RMS threshold τ.
    sort_children : bool, default True
        RMS only moves flagged labels, so on non-nested configurations a parent's
        children may still be scattered.  When True, a final *stable* sort of each
        column's child ids by the id of their majority parent (the parent column's
        cluster holding most of the child's rows; smallest parent id on ties) is
        applied, keeping the RMS order among siblings.  This makes every parent's
        children consecutive, i.e. :func:`id_spread` is exactly 1.0 by construction;
        with ``False`` the pure RMS order is returned (1.0 on nested hierarchies,
        larger otherwise -- see ``benchmarks/bench_rms.py``).
    exact_max_labels : int, default :data:`EXACT_MAX_LABELS`
        Levels whose parent or child column has more clusters than this skip AMC +
        RMS: their children are ordered by majority parent, then by decreasing size
        (ties by first occurrence). Spread is still 1.0; only the sibling order differs.

    Returns
    -------
    ndarray of int64, shape (n, m)
        Aligned ids, contiguous and 0-based in every column.

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array([[1, 5], [1, 5], [1, 2], [0, 0], [0, 3], [0, 3], [0, 3]])
    >>> rms_chain(ids).tolist()
    [[1, 3], [1, 3], [1, 2], [0, 0], [0, 1], [0, 1], [0, 1]]
    """
    Z = _as_ids(ids, "ids", ndim=2)
    tau = _check_threshold(threshold)
    n, m = Z.shape
    out = np.empty((n, m), dtype=np.int64)
    if m == 0 or n == 0:
        return out
    out[:, 0] = _rank_by_size(Z[:, 0])
    for j in range(1, m):
        ranked = _rank_by_size(Z[:, j])
        if max(int(ranked.max()), int(out[:, j - 1].max())) + 1 > exact_max_labels:
            out[:, j] = _sort_by_parent(ranked, out[:, j - 1])
            continue
        aligned, C, labels = amc(ranked, out[:, j - 1] + 1)
        res = rms_permute(C, labels, tau)
        child = _rerank(aligned, labels, res.permuted_labels)
        if sort_children:
            child = _sort_by_parent(child, out[:, j - 1])
        out[:, j] = child
    return out


def id_spread_per_level(ids: Any) -> np.ndarray:
    """Id spread of each consecutive column pair (parent = column j, child = j + 1).

    For each parent: ``(max child id - min child id + 1) / number of children``, where
    a child belongs to the parent holding the majority of its rows (smallest parent id
    on ties), averaged over parents.  Ids are taken by rank (gaps in the id values are
    ignored).  1.0 means the children of every parent have consecutive ids.

    Parameters
    ----------
    ids : array-like of int, shape (n, m)

    Returns
    -------
    ndarray of float64, shape (m - 1,)

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array([[0, 0], [0, 2], [1, 1]])
    >>> id_spread_per_level(ids).tolist()
    [1.25]
    """
    Z = _as_ids(ids, "ids", ndim=2)
    n, m = Z.shape
    out = np.empty(max(m - 1, 0), dtype=np.float64)
    for j in range(m - 1):
        if n == 0:
            out[j] = np.nan
            continue
        parent, n_par = _dense(Z[:, j])
        child, n_child = _dense(Z[:, j + 1])
        maj = majority_parent(child, parent, n_child)
        counts = np.bincount(maj, minlength=n_par)
        lo = np.full(n_par, n_child, dtype=np.int64)
        hi = np.full(n_par, -1, dtype=np.int64)
        np.minimum.at(lo, maj, np.arange(n_child))
        np.maximum.at(hi, maj, np.arange(n_child))
        has = counts > 0
        out[j] = float(np.mean((hi[has] - lo[has] + 1) / counts[has]))
    return out


def id_spread(ids: Any) -> float:
    """Mean of :func:`id_spread_per_level` (NaN when there are fewer than 2 columns).

    Parameters
    ----------
    ids : array-like of shape (n, m)
        Aligned cluster ids, coarse → fine.

    Examples
    --------
    >>> import numpy as np
    >>> id_spread(np.array([[0, 0], [0, 1], [1, 2]]))
    1.0
    """
    per = id_spread_per_level(ids)
    return float(per.mean()) if per.size else float("nan")


# --------------------------------------------------------------------------- supervised
def align_to_labels(
    ids: Any, y: Any, mask: Any = None, threshold: float = DEFAULT_THRESHOLD
) -> np.ndarray:
    """Align each configuration to class labels (supervised option, docs/algorithms.md §5).

    The classes of the known rows are encoded ``1..C`` (sorted); rows with
    ``mask == False`` (e.g. test rows) are unknown (``0``) and do not enter the
    confusion matrix, but are relabelled too.  Each column is aligned by :func:`amc` +
    :func:`rms_permute` and re-ranked to contiguous 0-based ids in RMS order, so the
    clusters matched to class ``c`` get ids next to ``c``'s position.  Clusters present
    only in masked rows come last.  As in :func:`rms_chain`, each column is renumbered
    canonically first, so the result does not depend on the input id values.

    Parameters
    ----------
    ids : array-like of int, shape (n,) or (n, m)
        Cluster ids (one column per configuration), non-negative.
    y : array-like, shape (n,)
        Class labels of any sortable type; only the rows with ``mask`` True are read.
    mask : array-like of bool, shape (n,), optional
        True where ``y`` is known; default all True.
    threshold : float, default 0.37
        RMS threshold τ.

    Returns
    -------
    ndarray of int64, same shape as ``ids``
        Aligned ids, contiguous and 0-based in every column.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array(["a", "a", "b", "b", "c", "c"])
    >>> align_to_labels(np.array([2, 2, 0, 0, 1, 1]), y).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    arr = np.asarray(ids)
    Z = _as_ids(arr, "ids", ndim=(1, 2))
    one_d = Z.ndim == 1
    if one_d:
        Z = Z[:, None]
    yy = np.asarray(y)
    if yy.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {yy.shape}")
    _check_same_length(Z, yy, "ids", "y")
    if mask is None:
        known = np.ones(yy.shape[0], dtype=bool)
    else:
        known = np.asarray(mask)
        if known.dtype.kind != "b":
            raise ValueError(f"mask must be a boolean array, got dtype {known.dtype}")
        if known.ndim != 1:
            raise ValueError(f"mask must be 1-D, got shape {known.shape}")
        _check_same_length(Z, known, "ids", "mask")
    y_known = yy[known]
    if y_known.dtype.kind == "f" and np.isnan(y_known).any():
        raise ValueError("y contains NaN in rows marked as known (mask True)")
    _, enc = np.unique(y_known, return_inverse=True)
    ref = np.zeros(yy.shape[0], dtype=np.int64)
    ref[known] = enc.reshape(-1) + 1
    tau = _check_threshold(threshold)

    out = np.empty_like(Z)
    for j in range(Z.shape[1]):
        aligned, C, labels = amc(_rank_by_size(Z[:, j]), ref)
        res = rms_permute(C, labels, tau)
        out[:, j] = _rerank(aligned, labels, res.permuted_labels)
    return out[:, 0] if one_d else out


def align_to(pred: Any, ref: Any, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """Map partition ``pred`` into the id space of the reference partition ``ref``.

    Both are 0-based ids of the same rows (e.g. a new batch clustered on its own, and
    ids transferred from the training set by kNN).  ``pred`` is aligned to ``ref`` by
    :func:`amc`; a ``pred`` cluster matched by the Hungarian assignment to a reference
    cluster it actually overlaps takes that reference id.  Unmatched ``pred`` clusters
    (including those matched only to a non-overlapping reference label) get fresh ids
    ``max(ref) + 1, + 2, ...`` in RMS order, i.e. next to the cluster they split from
    in the RMS ordering.  ``pred`` is renumbered canonically first (decreasing size,
    ties by first occurrence), so the result does not depend on its id values.

    Parameters
    ----------
    pred : array-like of int, shape (n,)
    ref : array-like of int, shape (n,)
    threshold : float, default 0.37
        RMS threshold τ.

    Returns
    -------
    ndarray of int64, shape (n,)
        ``pred`` relabelled; the partition is unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.array([0, 0, 0, 1, 1, 1])
    >>> pred = np.array([5, 5, 7, 2, 2, 2])
    >>> align_to(pred, ref).tolist()
    [0, 0, 2, 1, 1, 1]
    """
    p = _as_ids(pred, "pred")
    r = _as_ids(ref, "ref")
    _check_same_length(p, r, "pred", "ref")
    tau = _check_threshold(threshold)
    if p.shape[0] == 0:
        return p
    aligned, C, labels = amc(_rank_by_size(p), r + 1)
    res = rms_permute(C, labels, tau)
    n_lab = labels.shape[0]
    idx = _index_of(aligned, labels)
    present = np.bincount(idx, minlength=n_lab) > 0
    matched = np.diag(C) > 0  # aligned label l overlaps reference cluster l - 1
    new = np.full(n_lab, -1, dtype=np.int64)
    new[matched] = labels[matched] - 1
    order_idx = np.searchsorted(labels, res.permuted_labels)
    fresh = present[order_idx] & ~matched[order_idx]
    new[order_idx[fresh]] = int(r.max()) + 1 + np.arange(int(fresh.sum()))
    return new[idx]
