"""Output columns of :class:`~gramixc.GraMixC` as a list of feature blocks.

A block produces its values and its column names together, so
``get_feature_names_out`` cannot drift from ``transform``. For a set of rows the
estimator computes the :class:`RowParts` — the neighbour means, the cluster means,
the fusion model's output and fused scalars — and every block of the layout reads
the part it needs. For training rows the parts are out-of-fold; for new rows they
come from the fitted encoders and fold models.

==================  ====================  ==============================================
block               part                  columns
==================  ====================  ==============================================
``fusion_pred``     ``fusion_out``        the fusion model's prediction
                                          (``fusion_pred``; the positive-class
                                          probability for two classes,
                                          ``fusion_pred_<class>`` for more)
``fusion_cls``      ``fusion_scalars``    its [CLS] scalar (``fusion_cls``; regression
                                          and two classes)
``neighbors``       ``neighbors``         the target mean of the ``k`` nearest training
                                          rows per size ``k`` (``neighbors_k<k>``)
``clusters``        ``clusters``          the soft-vote cluster mean per configuration
                                          (``clusters_cfg<j>_k<K>``; class fractions
                                          ``…_<class>`` for more than two classes)
==================  ====================  ==============================================

Every block is standardised with the training rows' mean and standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RowParts", "FeatureBlock", "FusionPredictionBlock", "FusionClsBlock",
           "NeighborMeanBlock", "ClusterMeanBlock", "BLOCKS", "assemble", "block_names",
           "block_scaling", "class_suffixes", "gate_candidates"]


@dataclass
class RowParts:
    """What the blocks read for a set of rows (a part is None when not computed).

    Parameters
    ----------
    neighbors : ndarray of shape (n, n_sizes, q), optional
        Neighbour means.
    clusters : ndarray of shape (n, m, F), optional
        Cluster means (statistics: mean or class fractions, spread, log size).
    fusion_out : ndarray of shape (n, c), optional
        The fusion model's prediction (class probabilities for classes).
    fusion_scalars : ndarray of shape (n, t + 1), optional
        Its fused per-token scalars, then [CLS].
    """

    neighbors: np.ndarray | None = None
    clusters: np.ndarray | None = None
    fusion_out: np.ndarray | None = None
    fusion_scalars: np.ndarray | None = None

    def fill(self, rows: np.ndarray, n: int, **values) -> None:
        """Write ``values`` (part name → array of ``len(rows)`` rows) into rows ``rows`` of
        parts of ``n`` rows, creating them on first use; None values are skipped."""
        for name, val in values.items():
            if val is None:
                continue
            if getattr(self, name) is None:
                setattr(self, name, np.empty((n, val.shape[1])))
            getattr(self, name)[rows] = val

    @property
    def n_rows(self) -> int:
        """Rows of the first part computed (0 when none is)."""
        for v in (self.neighbors, self.clusters, self.fusion_out, self.fusion_scalars):
            if v is not None:
                return len(v)
        return 0


def class_suffixes(classes) -> list[str]:
    """Column suffixes of a per-class quantity.

    Parameters
    ----------
    classes : array-like or None
        The class labels (None for regression).

    Returns
    -------
    list of str
        ``[""]`` for regression and two classes (the positive class), ``_<class>`` for
        every class otherwise.
    """
    if classes is None or len(classes) == 2:
        return [""]
    return [f"_{c}" for c in classes]


def _classes(est):
    """The fitted estimator's class labels (None for regression)."""
    return getattr(est, "classes_", None)


def _per_class(stats: np.ndarray, classes) -> np.ndarray:
    """``(n, t, q)`` → ``(n, t·c)``: the mean (regression), the positive class (two
    classes) or every class fraction (more) of each token."""
    if classes is None:
        return stats[:, :, 0]
    if len(classes) == 2:
        return stats[:, :, 1]
    return stats[:, :, :len(classes)].reshape(stats.shape[0], -1)


class FeatureBlock:
    """One group of output columns: which part it reads, its values and its names.

    ``values`` and ``names`` read the fitted estimator's public attributes only
    (``classes_`` when it classifies, ``neighbor_sizes_``, ``configuration_names_``).
    """

    #: Short name (the layout and ``scaling_`` use it).
    key: str = ""
    #: The attribute of :class:`RowParts` it reads.
    part: str = ""

    def values(self, est, parts: RowParts) -> np.ndarray:
        raise NotImplementedError

    def names(self, est) -> list[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class FusionPredictionBlock(FeatureBlock):
    """The fusion model's prediction (class probabilities for classes)."""

    key, part = "fusion_pred", "fusion_out"

    def values(self, est, parts):
        return parts.fusion_out

    def names(self, est):
        return [f"fusion_pred{s}" for s in class_suffixes(_classes(est))]


class FusionClsBlock(FeatureBlock):
    """The [CLS] scalar of the fusion model (regression and two classes)."""

    key, part = "fusion_cls", "fusion_scalars"

    def values(self, est, parts):
        return parts.fusion_scalars[:, -1:]

    def names(self, est):
        return ["fusion_cls"]


class NeighborMeanBlock(FeatureBlock):
    """The target means of the nearest training rows, per size ``k``."""

    key, part = "neighbors", "neighbors"

    def values(self, est, parts):
        M = parts.neighbors
        return M.reshape(M.shape[0], -1)

    def names(self, est):
        return [f"neighbors_k{k}{s}" for k in est.neighbor_sizes_
                for s in class_suffixes(_classes(est))]


class ClusterMeanBlock(FeatureBlock):
    """The soft-vote cluster means of every mixed configuration."""

    key, part = "clusters", "clusters"

    def values(self, est, parts):
        return _per_class(parts.clusters, _classes(est))

    def names(self, est):
        return [f"clusters_{c}{s}" for c in est.configuration_names_
                for s in class_suffixes(_classes(est))]


#: The blocks by key.
BLOCKS: dict[str, FeatureBlock] = {b.key: b for b in (
    FusionPredictionBlock(), FusionClsBlock(), NeighborMeanBlock(), ClusterMeanBlock())}


def block_names(est, layout) -> list[str]:
    """Column names of ``layout`` (a list of blocks), in order.

    Parameters
    ----------
    est : GraMixC
        The fitted estimator.
    layout : list of FeatureBlock
        The blocks, in output order.

    Returns
    -------
    list of str
    """
    return [name for blk in layout for name in blk.names(est)]


def assemble(est, layout, parts: RowParts, scaling: dict) -> np.ndarray:
    """``(n, Σ widths)`` values of ``layout``, each block standardised with ``scaling[key]``.

    Parameters
    ----------
    est : GraMixC
        The fitted estimator (class labels, names).
    layout : list of FeatureBlock
        The blocks, in output order.
    parts : RowParts
        The computed parts for the rows.
    scaling : dict of str → (ndarray, ndarray)
        Training means and standard deviations of the blocks.

    Returns
    -------
    ndarray
    """
    cols = []
    for blk in layout:
        v = np.asarray(blk.values(est, parts), dtype=np.float64)
        mean, std = scaling[blk.key]
        cols.append((v - mean) / std)
    if not cols:
        return np.zeros((parts.n_rows, 0))
    return np.hstack(cols)


def block_scaling(est, layout, parts: RowParts) -> dict:
    """Training means and standard deviations (+1e-9) of every block of ``layout``.

    Parameters
    ----------
    est : GraMixC
        The fitted estimator.
    layout : list of FeatureBlock
        The blocks.
    parts : RowParts
        The training rows' (out-of-fold) parts.

    Returns
    -------
    dict of str → (ndarray, ndarray)
    """
    out = {}
    for blk in layout:
        v = np.asarray(blk.values(est, parts), dtype=np.float64)
        out[blk.key] = (v.mean(axis=0), v.std(axis=0) + 1e-9)
    return out


def gate_candidates(est, layouts: dict, parts: RowParts, folded, scaling: dict):
    """The gate's inputs: every candidate set's out-of-fold columns, and its columns
    re-cross-fitted without each fold (for the sets made of encodings only).

    Parameters
    ----------
    est : GraMixC
        The estimator being fitted.
    layouts : dict of str → list of FeatureBlock
        The candidate sets.
    parts : RowParts
        The training rows' out-of-fold parts.
    folded : list of FoldEncoding
        Every fold's encodings (:func:`gramixc.crossfit.fold_encodings`).
    scaling : dict
        The blocks' training scaling.

    Returns
    -------
    candidates : dict of str → ndarray
        Out-of-fold columns of every non-empty set.
    nested : callable
        ``nested(f)`` → ``{set: (rest columns, held-out columns)}`` of fold ``f``, for
        the sets that read only neighbour and cluster means.
    """
    cands = {c: assemble(est, lay, parts, scaling) for c, lay in layouts.items() if lay}
    encoded = [c for c in cands if {b.part for b in layouts[c]} <= {"clusters", "neighbors"}]
    by_fold = {fe.fold: fe for fe in folded}

    def nested(f):
        fe = by_fold[int(f)]
        rest = RowParts(neighbors=fe.rest.neighbors, clusters=fe.rest.clusters)
        held = RowParts(neighbors=fe.held.neighbors, clusters=fe.held.clusters)
        return {c: (assemble(est, layouts[c], rest, scaling),
                    assemble(est, layouts[c], held, scaling)) for c in encoded}

    return cands, nested
