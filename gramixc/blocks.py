"""Output columns of :class:`~gramixc.GraMixC` as a list of feature blocks.

A block produces its values and its column names together, so
``get_feature_names_out`` cannot drift from ``transform``. The estimator computes,
for a set of rows, a dictionary of *parts* (see :data:`PARTS`) — the fusion
model's output and fused scalars, the cluster target statistics, the
neighbour target means, the voted ids — and every block of the layout reads
the part it needs. For training rows the parts are out-of-fold; for new rows
they come from the final encoders and model.

==========  ==========================  ============================================
block       part                        columns
==========  ==========================  ============================================
``pred``    ``out``                     fusion prediction (positive-class
                                        probability for two classes, one column per
                                        class for more)
``cls``     ``fused``                   the [CLS] scalar
``te``      ``cluster_stats``           soft-vote cluster target mean per
                                        configuration (class fractions for > 2)
``knn``     ``neighbor_means``          target mean of the ``k`` nearest training
                                        rows per size ``k``
``fused``   ``fused``                   per-token fused scalars
``ids``     ``ids``                     kNN-voted aligned ids (not standardised)
``soft``    ``soft_votes``              soft-vote fraction of every cluster of every
                                        mixed configuration (unsupervised; not
                                        standardised)
==========  ==========================  ============================================
"""

from __future__ import annotations

import numpy as np

__all__ = ["FeatureBlock", "PredictionBlock", "ClsBlock", "TargetMeanBlock",
           "NeighborMeanBlock", "FusedBlock", "IdsBlock", "SoftVoteBlock", "PARTS", "assemble",
           "block_names"]

#: Parts a block may read (computed by the estimator for a set of rows).
PARTS = ("out", "fused", "cluster_stats", "neighbor_means", "ids", "soft_votes")


def _class_columns(est, stats: np.ndarray) -> np.ndarray:
    """``(n, t, q)`` → ``(n, t·c)``: the mean (regression), the positive class (binary)
    or every class fraction (multiclass) of each token."""
    if est.task_ == "regression":
        return stats[:, :, 0]
    n_classes = len(est.classes_)
    if n_classes == 2:
        return stats[:, :, 1]
    return stats[:, :, :n_classes].reshape(stats.shape[0], -1)


def _class_suffixes(est) -> list[str]:
    if est.task_ == "regression" or len(est.classes_) == 2:
        return [""]
    return [f"_{c}" for c in est.classes_]


class FeatureBlock:
    """One group of output columns: which part it reads, its values and its names."""

    #: Short name (``gate_report_`` and the layout use it).
    key: str = ""
    #: The part of :data:`PARTS` it reads.
    part: str = ""
    #: z-scored with the training rows' mean and standard deviation.
    standardize: bool = True

    def values(self, est, parts: dict) -> np.ndarray:
        raise NotImplementedError

    def names(self, est) -> list[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PredictionBlock(FeatureBlock):
    """The fusion model's prediction (``gramixc_pred``; class probabilities for classes)."""

    key, part = "pred", "out"

    def values(self, est, parts):
        return parts["out"]

    def names(self, est):
        if est.task_ == "regression" or len(est.classes_) == 2:
            return ["gramixc_pred"]
        return [f"gramixc_pred_{c}" for c in est.classes_]


class ClsBlock(FeatureBlock):
    """The [CLS] scalar of the fusion model (``gramixc_cls``; regression and binary tasks)."""

    key, part = "cls", "fused"

    def values(self, est, parts):
        return parts["fused"][:, -1:]

    def names(self, est):
        return ["gramixc_cls"]


class TargetMeanBlock(FeatureBlock):
    """The soft-vote cluster target means of every mixed configuration (``te_cfg…``)."""

    key, part = "te", "cluster_stats"

    def values(self, est, parts):
        return _class_columns(est, parts["cluster_stats"])

    def names(self, est):
        return [f"te_{c}{s}" for c in est.configuration_names_ for s in _class_suffixes(est)]


class NeighborMeanBlock(FeatureBlock):
    """The target means of the nearest training rows, per neighbourhood size (``knn{k}``)."""

    key, part = "knn", "neighbor_means"

    def values(self, est, parts):
        M = parts["neighbor_means"]
        return M.reshape(M.shape[0], -1)

    def names(self, est):
        sfx = ([""] if est.task_ == "regression" or len(est.classes_) == 2
               else [f"_{c}" for c in est.classes_])
        return [f"knn{k}{s}" for k in est.neighbor_sizes_ for s in sfx]


class FusedBlock(FeatureBlock):
    """The per-token fused scalars of the attention module (``fused_…``)."""

    key, part = "fused", "fused"

    def values(self, est, parts):
        return parts["fused"][:, : est.n_tokens_]

    def names(self, est):
        return [f"fused_{c}" for c in est.token_names_]


class IdsBlock(FeatureBlock):
    """The kNN-voted aligned cluster ids (``cfg{j}_k{K}``; not standardised)."""

    key, part, standardize = "ids", "ids", False

    def values(self, est, parts):
        return parts["ids"].astype(np.float64)

    def names(self, est):
        return list(est.configuration_names_)


class SoftVoteBlock(FeatureBlock):
    """Where a row's neighbours lie in every mixed configuration (``vote_cfg{j}_k{K}_c{c}``).

    The weighted fraction of the row's ``k`` nearest training rows in each
    cluster ``c`` of each configuration: a sparse, multi-scale description of the
    row's position that reads no target, so it needs no cross-fitting (training
    rows vote leave-one-out, like new rows). Not standardised.
    """

    key, part, standardize = "soft", "soft_votes", False

    def values(self, est, parts):
        return parts["soft_votes"]

    def names(self, est):
        return [f"vote_{name}_c{c}" for name, K in zip(est.configuration_names_, est.n_clusters_)
                for c in range(int(K))]


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


def assemble(est, layout, parts: dict, scaling: dict) -> np.ndarray:
    """``(n, Σ widths)`` values of ``layout``; standardised blocks use ``scaling[key]``.

    Parameters
    ----------
    est : GraMixC
        The fitted estimator (class counts, names).
    layout : list of FeatureBlock
        The blocks, in output order.
    parts : dict of str → ndarray
        The computed parts (see :data:`PARTS`) for the rows.
    scaling : dict of str → (ndarray, ndarray)
        Training means and standard deviations of the standardised blocks.

    Returns
    -------
    ndarray
    """
    cols = []
    for blk in layout:
        v = np.asarray(blk.values(est, parts), dtype=np.float64)
        if blk.standardize:
            mean, std = scaling[blk.key]
            v = (v - mean) / std
        cols.append(v)
    if not cols:
        return np.zeros((len(next(iter(parts.values()))) if parts else 0, 0))
    return np.hstack(cols)
