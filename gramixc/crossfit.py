"""Cross-fitting: every label-derived encoding of a training row computed without its fold.

The steps of the supervised estimators as functions over small explicit state:

* :class:`TransformerSeeds` / :class:`PredictorSeeds` — every random seed of a fit,
  by role, drawn once from ``random_state``;
* :class:`GraphNeighbors` / :class:`TargetNeighbors` — where neighbour means find
  their nearest training rows (the graph's space, or the target-weighted one;
  :data:`NEIGHBOR_SEARCHES` maps ``neighbor_metric`` to them, the one place the
  name is read);
* :class:`TrainingRows` — what the cross-fitting reads of the training rows;
* :class:`EncodingSpec` — what to encode (mixed configurations, neighbour-mean
  sizes, classes);
* :class:`Encoding` — fitted encoders and the encoded rows;
* :func:`encode` — encoders fitted on a set of training rows, those rows
  cross-fitted;
* :class:`FoldEncoding` and :func:`fold_encodings` — for every fold ``f``: encoders
  fitted on the other folds (cross-fitted again inside them) and fold ``f``
  encoded from them; they serve the gate's second stage and the fusion fold
  models.

No leakage: a training row in fold ``f`` reads cluster statistics computed without
fold ``f`` and neighbour means over its nearest rows *outside* fold ``f``
(with grouped folds its group mates never enter either).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from .target_stats import ClusterTargetEncoder, NeighborTargetEncoder, crossfit_neighbors, fold_ids

__all__ = ["TransformerSeeds", "PredictorSeeds", "GraphNeighbors", "TargetNeighbors",
           "NEIGHBOR_SEARCHES", "TrainingRows", "EncodingSpec", "Encoding", "FoldEncoding",
           "FoldModel", "encode", "fold_encodings", "SMOOTHING"]

#: Pseudo-rows of the prior in every cluster mean (m-estimate).
SMOOTHING = 5.0


def _draw(random_state, n: int) -> list[int]:
    return [int(s) for s in check_random_state(random_state).randint(0, 2**31 - 1, size=n)]


@dataclass(frozen=True)
class TransformerSeeds:
    """The seeds of one :class:`~gramixc.GraMixC` fit, by role.

    Parameters
    ----------
    configurations : int
        The extractor (graph index, Leiden runs).
    folds : int
        The cross-fitting split (and the target-weighted neighbour search).
    gate : int
        The gate's reference model.
    per_fold : tuple of int
        Fold ``f``'s inner split and fusion model.
    """

    configurations: int
    folds: int
    gate: int
    per_fold: tuple

    @classmethod
    def draw(cls, random_state, cv: int) -> TransformerSeeds:
        s = _draw(random_state, 4 + cv)
        # s[2] seeded re-runs of the configurations (seed bags, removed): still drawn, so
        # every other seed is the one it always was
        return cls(s[0], s[1], s[3], tuple(s[4:]))

    def fold(self, f) -> int:
        """The seed of fold ``f``."""
        return self.per_fold[int(f) % len(self.per_fold)]


@dataclass(frozen=True)
class PredictorSeeds:
    """The seeds of one :class:`~gramixc.GraMixCRegressor` / ``Classifier`` fit, by role.

    Parameters
    ----------
    configurations : int
        The extractor.
    folds : int
        The cross-fitting split.
    validation : int
        The early-stopping split.
    fusion : int
        The fusion network (initial weights, batches).
    mlp : int
        The plain MLP.
    """

    configurations: int
    folds: int
    validation: int
    fusion: int
    mlp: int

    @classmethod
    def draw(cls, random_state) -> PredictorSeeds:
        return cls(*_draw(random_state, 5))


# ------------------------------------------------------------------ neighbour searches
class GraphNeighbors:
    """Nearest training rows in the extractor's space (the graph's, every standardised
    feature alike).

    Parameters
    ----------
    extractor : ConfigurationExtractor
        Fitted; its :meth:`~gramixc.ConfigurationExtractor.kneighbors` is the search.
    """

    def __init__(self, extractor) -> None:
        self.extractor = extractor

    def training(self, k: int) -> np.ndarray:
        """The ``k`` nearest other training rows of every training row (leave-one-out)."""
        return self.extractor.kneighbors(n_neighbors=k)[1]

    def new(self, X: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` nearest training rows of new rows ``X``."""
        return self.extractor.kneighbors(X, n_neighbors=k)[1]

    def outside(self, deep: np.ndarray, folds: np.ndarray, k: int, rows=None,
                usable=None) -> np.ndarray:
        """The ``k`` nearest usable training rows of ``rows`` outside their fold:
        ``deep`` (from :meth:`training`) first, deeper queries where it falls short."""
        rows = np.arange(len(folds)) if rows is None else np.asarray(rows)
        ext = self.extractor
        return crossfit_neighbors(lambda r, n: ext.kneighbors(rows=r, n_neighbors=n)[1],
                                  folds, k, rows=rows, usable=usable, first=deep[rows])


class TargetNeighbors:
    """Nearest training rows in the standardised features weighted by their correlation
    with the target (:class:`~gramixc.target_metric.TargetWeightedNeighbors`), the
    weights cross-fitted with the means.

    Parameters
    ----------
    extractor : ConfigurationExtractor
        Fitted (its metric is used).
    X : ndarray of shape (n_train, d)
    y_columns : ndarray of shape (n_train, q)
        The target, or its class indicators.
    seed : int
    """

    def __init__(self, extractor, X: np.ndarray, y_columns: np.ndarray, seed: int) -> None:
        from .target_metric import TargetWeightedNeighbors

        self.search = TargetWeightedNeighbors(metric=extractor.metric,
                                              random_state=int(seed)).fit(X, y_columns)

    def training(self, k: int) -> np.ndarray:
        """Nothing: the training rows' neighbours are searched fold by fold (:meth:`outside`)."""
        return np.empty((self.search.n_train_, 0), dtype=np.int64)

    def new(self, X: np.ndarray, k: int) -> np.ndarray:
        return self.search.kneighbors(X, k)

    def outside(self, deep, folds, k, rows=None, usable=None) -> np.ndarray:
        return self.search.outside(folds, k, rows=rows, usable=usable)


#: ``neighbor_metric`` → the neighbour search it names.
NEIGHBOR_SEARCHES = {"graph": GraphNeighbors, "target": TargetNeighbors}


# ------------------------------------------------------------------ state
@dataclass(frozen=True)
class EncodingSpec:
    """What the encoders encode.

    Parameters
    ----------
    ids : ndarray of shape (n_train, m)
        Aligned ids of the training rows in the mixed configurations.
    neighbor_sizes : tuple of int
        Neighbour-mean sizes (empty: none).
    n_classes : int
        0 for regression.
    cv : int
        Cross-fitting folds.
    """

    ids: np.ndarray
    neighbor_sizes: tuple
    n_classes: int
    cv: int

    def cluster_encoder(self) -> ClusterTargetEncoder:
        return ClusterTargetEncoder(n_classes=self.n_classes, smoothing=SMOOTHING)

    def neighbor_encoder(self) -> NeighborTargetEncoder:
        return NeighborTargetEncoder(self.neighbor_sizes, n_classes=self.n_classes)

    def deep_k(self, n_train: int, new_rows: bool = False) -> int:
        """Nearest rows to query per row so that ``max(neighbor_sizes)`` of them lie
        outside a training row's fold (with a margin): at most ``n_train − 1`` for a
        training row (itself excluded), ``n_train`` for a new row."""
        k = self.neighbor_encoder().n_neighbors_needed(self.cv)
        return min(k, n_train if new_rows else n_train - 1)


@dataclass
class TrainingRows:
    """What the cross-fitting reads of the training rows.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Encoded target (class indices or the standardised target).
    nearest, weights : ndarray of shape (n, k)
        Leave-one-out nearest training rows of the graph and their vote weights.
    deep : ndarray of shape (n, K) or None
        Deeper nearest rows for the neighbour means (None without neighbour means).
    search : GraphNeighbors or TargetNeighbors
        The neighbour means' search.
    groups : ndarray of shape (n,) or None
    """

    y: np.ndarray
    nearest: np.ndarray
    weights: np.ndarray
    deep: np.ndarray | None
    search: object
    groups: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.y)

    def split(self, cv: int, seed: int) -> np.ndarray:
        """A fold per row (whole groups per fold when grouped)."""
        return fold_ids(self.n, cv, int(seed), groups=self.groups)


@dataclass
class Encoding:
    """Fitted encoders and the encoded rows (None where not computed).

    Parameters
    ----------
    cluster_encoder : ClusterTargetEncoder or None
    clusters : ndarray of shape (n, m, F) or None
        Cluster means of the rows.
    neighbor_encoder : NeighborTargetEncoder or None
    neighbors : ndarray of shape (n, n_sizes, q) or None
        Neighbour means of the rows.
    """

    cluster_encoder: ClusterTargetEncoder | None = None
    clusters: np.ndarray | None = None
    neighbor_encoder: NeighborTargetEncoder | None = None
    neighbors: np.ndarray | None = None

    def standardized(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The rows' cluster means and neighbour means standardised as network tokens."""
        T = (self.cluster_encoder.standardize(self.clusters)
             if self.cluster_encoder is not None else None)
        M = (self.neighbor_encoder.standardize(self.neighbors)
             if self.neighbor_encoder is not None else None)
        return T, M

    def encoders(self) -> Encoding:
        """The encoders alone (no encoded rows): what serves new rows."""
        return Encoding(self.cluster_encoder, None, self.neighbor_encoder, None)

    def encode_new(self, nearest: np.ndarray, weights: np.ndarray,
                   deep: np.ndarray | None) -> Encoding:
        """New rows encoded by these encoders (from their nearest training rows)."""
        T = (self.cluster_encoder.transform(nearest, weights)
             if self.cluster_encoder is not None else None)
        M = (self.neighbor_encoder.transform(deep)
             if self.neighbor_encoder is not None else None)
        return Encoding(self.cluster_encoder, T, self.neighbor_encoder, M)


def encode(spec: EncodingSpec, train: TrainingRows, folds: np.ndarray, rows=None,
           clusters: bool = True, neighbors: bool = True) -> Encoding:
    """Encoders fitted on training rows ``rows`` (all: None) and those rows cross-fitted.

    Parameters
    ----------
    spec : EncodingSpec
    train : TrainingRows
    folds : ndarray of shape (n,)
        The fold of every training row.
    rows : ndarray of int, optional
        The training rows whose targets are read and which are encoded.
    clusters, neighbors : bool
        Which encodings to compute (neighbour means only with sizes).
    """
    enc = Encoding()
    if clusters:
        enc.cluster_encoder = spec.cluster_encoder()
        sub = slice(None) if rows is None else rows
        enc.clusters = enc.cluster_encoder.fit_crossfit(spec.ids, train.y, train.nearest[sub],
                                                        train.weights[sub], folds, rows=rows)
    if neighbors and spec.neighbor_sizes and train.deep is not None:
        enc.neighbor_encoder = spec.neighbor_encoder()
        outside = train.search.outside(train.deep, folds, max(spec.neighbor_sizes), rows=rows,
                                       usable=rows)
        enc.neighbors = enc.neighbor_encoder.fit_crossfit(train.y, outside, folds, rows=rows)
    return enc


@dataclass
class FoldEncoding:
    """One fold held out: encoders fitted on the other folds and both sides encoded.

    Parameters
    ----------
    fold : int
        The held-out fold.
    rest_rows, held_rows : ndarray of int
        The training rows outside and inside it.
    rest : Encoding
        Encoders fitted on ``rest_rows``, those rows cross-fitted again inside them.
    held : Encoding
        The held-out rows encoded by ``rest``'s encoders.
    """

    fold: int
    rest_rows: np.ndarray
    held_rows: np.ndarray
    rest: Encoding
    held: Encoding


def fold_encodings(spec: EncodingSpec, train: TrainingRows, folds: np.ndarray,
                   seeds: TransformerSeeds, clusters: bool = True) -> list[FoldEncoding]:
    """For every fold ``f``: encoders refitted on the other folds, their rows cross-fitted
    on an inner split (seeded by fold ``f``'s seed), fold ``f`` encoded from them.

    Parameters
    ----------
    spec : EncodingSpec
    train : TrainingRows
    folds : ndarray of shape (n,)
        The fold of every training row.
    seeds : TransformerSeeds
        Fold ``f``'s inner split is seeded by ``seeds.fold(f)``.
    clusters : bool, default=True
        Whether to encode the cluster means.

    Returns
    -------
    list of FoldEncoding
        In the order of ``np.unique(folds)``.
    """
    out = []
    for f in np.unique(folds):
        held = np.flatnonzero(folds == f)
        rest = np.flatnonzero(folds != f)
        inner = train.split(spec.cv, seeds.fold(f))
        rest_enc = encode(spec, train, inner, rows=rest, clusters=clusters)
        deep_held = None
        if rest_enc.neighbor_encoder is not None:
            deep_held = train.search.outside(train.deep, folds, max(spec.neighbor_sizes),
                                             rows=held)
        held_enc = rest_enc.encode_new(train.nearest[held], train.weights[held], deep_held)
        out.append(FoldEncoding(int(f), rest, held, rest_enc, held_enc))
    return out


@dataclass
class FoldModel:
    """A cross-fitting fold's fusion model and the encoders it was trained with.

    Parameters
    ----------
    model : FusionNet
    encoders : Encoding
        The fold's encoders (no encoded rows): new rows are read through them.
    """

    model: object
    encoders: Encoding
