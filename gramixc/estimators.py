"""Supervised scikit-learn estimators: `GraMixC`, `GraMixCRegressor`, `GraMixCClassifier`.

This module holds their parameters and the wiring of ``fit`` / ``transform`` /
``predict``; the steps live where they belong:

* the configurations: :class:`~gramixc.ConfigurationExtractor` (unsupervised, on all
  training rows);
* the target: :mod:`gramixc.targets` (one rule for the task, checks, encoding);
* the cross-fitted encodings — neighbour means and cluster means — and the seeds:
  :mod:`gramixc.crossfit`;
* the fusion network's training and inference: :mod:`gramixc.fusion_steps` (its
  settings: :class:`~gramixc.Fusion`);
* the transformer's output columns: :mod:`gramixc.blocks`; its choice of columns:
  :mod:`gramixc.gate`.

`GraMixC` is a transformer for any downstream predictor: ``fit_transform`` returns
out-of-fold (cross-fitted) columns for the training rows, ``transform`` those of the
fitted encoders (and fold models) for new rows, like
:class:`sklearn.preprocessing.TargetEncoder`. `GraMixCRegressor` and
`GraMixCClassifier` are end-to-end ``[X | fused configurations] → MLP`` models.
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin, clone
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import blocks
from ._dask import apply_chunkwise, is_dask_collection
from ._docstrings import document
from ._parallel import effective_n_jobs
from ._validation import check_features
from .configurations import evenly_spaced
from .crossfit import (
    NEIGHBOR_SEARCHES,
    Encoding,
    EncodingSpec,
    GraphNeighbors,
    PredictorSeeds,
    TrainingRows,
    TransformerSeeds,
    encode,
    fold_encodings,
)
from .extractor import ConfigurationExtractor
from .fusion_settings import Fusion, training_rows
from .fusion_steps import (
    build_model,
    check_device,
    model_outputs,
    run_model,
    softmax,
    train_model,
    validation_rows,
)
from .targets import check_target, encode_target, infer_task
from .tokens import ExternalTokens, TokenLayout, get_tokenization, token_arrays

__all__ = ["GraMixC", "GraMixCRegressor", "GraMixCClassifier", "FEATURE_SETS",
           "AUTO_CANDIDATES", "FUSION_CANDIDATES", "MAX_CONFIGURATIONS"]

#: Most configurations ``n_configurations="auto"`` mixes.
MAX_CONFIGURATIONS = 16
#: Named column sets of :class:`GraMixC` (block keys of :mod:`gramixc.blocks`).
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "neighbors": ("neighbors",),
    "clusters": ("clusters",),
    "neighbors+clusters": ("neighbors", "clusters"),
    "fusion": ("fusion_pred", "fusion_cls"),
    "all": ("fusion_pred", "fusion_cls", "neighbors", "clusters"),
}
#: What ``features="auto"`` chooses among (besides nothing) without a fusion network.
AUTO_CANDIDATES = ("neighbors", "clusters", "neighbors+clusters")
#: What ``features="auto"`` chooses among with ``fusion=Fusion(...)``: the fusion sets too.
FUSION_CANDIDATES = AUTO_CANDIDATES + ("fusion", "all")
_NETWORK_PARTS = {"fusion_out", "fusion_scalars"}


def _check_groups(groups, n: int) -> np.ndarray | None:
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n:
        raise ValueError(f"groups must be 1-D with one entry per row ({n}), got shape "
                         f"{groups.shape}")
    return groups


def _reject_fit_params(est, method: str, params: dict) -> None:
    """Unknown fit parameters are an error, never silently dropped (a typo such as
    ``gramixc__group=`` would otherwise switch off the grouped cross-fitting)."""
    if not params:
        return
    name = type(est).__name__
    if "sample_weight" in params:
        raise TypeError(f"{name}.{method} does not support sample_weight: its encodings, "
                        "cross-fitting and gate weigh every row alike. Fit without it, or "
                        "repeat/subsample rows to weight them")
    raise TypeError(f"{name}.{method} got unknown parameter(s) {sorted(params)}; it accepts "
                    "groups= and tokens= (in a pipeline: gramixc__groups=...)")


@dataclass
class FoldModel:
    """A cross-fitting fold's fusion model and the encoders it was trained with."""

    model: object
    encoders: Encoding


# ============================================================================ shared
class _GraMixCBase(BaseEstimator):
    """Parameters, checks and the configuration step shared by the three estimators."""

    _parameter_constraints: dict = {
        "extractor": [None, ConfigurationExtractor],
        "n_configurations": [StrOptions({"auto", "all"}),
                             Interval(numbers.Integral, 0, None, closed="left"), "array-like"],
        "neighbors": ["array-like"],
        "cv": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _settings(self) -> Fusion | None:
        """The fusion network's settings (None: no fusion network)."""
        return self.fusion if isinstance(self.fusion, Fusion) else (
            Fusion() if self.fusion == "auto" else None)

    def _validate(self) -> None:
        """Every parameter, before any work (scikit-learn's constraints + cross-checks)."""
        self._validate_params()
        if self._settings() is not None:
            self._settings().validate()
        sizes = np.asarray(self.neighbors).ravel()
        if sizes.size and (sizes.dtype.kind not in "iu" or sizes.min() < 1):
            raise ValueError(f"neighbors must be positive integers (neighbour-mean sizes), got "
                             f"{self.neighbors!r}")
        if isinstance(self.n_configurations, numbers.Integral) and self.n_configurations == 0:
            raise ValueError("n_configurations=0 mixes nothing: use the predictor alone (for "
                             "the plain MLP: fusion=None)")

    def _check_X(self, X, reset: bool) -> np.ndarray:
        k = 15 if self.extractor is None else int(self.extractor.k)
        return check_features(self, X, reset=reset, min_samples=max(k + 1, 2 * self.cv))

    def _fit_configurations(self, X: np.ndarray, seed: int, y) -> None:
        """Fit the extractor (its configurations capped at ``n // 10`` clusters; ``y`` only
        reaches it with ``align="labels"``) and select the mixed configurations."""
        n = X.shape[0]
        cap = max(2, n // 10)
        if self.extractor is None:
            ext = ConfigurationExtractor(refine=False, max_clusters=cap,
                                         min_cluster_size=max(5.0, n / cap), n_jobs=self.n_jobs,
                                         random_state=int(seed), verbose=self.verbose)
        else:
            ext = clone(self.extractor)
            ext.set_params(max_clusters=min(cap, ext.max_clusters or cap))
            if ext.random_state is None:
                ext.set_params(random_state=int(seed))
        self.extractor_ = ext.fit(X, y if ext.align == "labels" else None)
        K = self.extractor_.configurations_.n_clusters
        self.selected_ = self._select(len(K))
        self.ids_ = self.extractor_.configurations_.ids[:, self.selected_]
        self.n_clusters_ = K[self.selected_]
        self.configuration_names_ = [f"cfg{j}_k{k}" for j, k in
                                     zip(self.selected_, self.n_clusters_)]
        self.neighbor_sizes_ = self._neighbor_sizes(n)

    def _select(self, m: int) -> np.ndarray:
        """Indices (into ``m`` usable configurations) named by ``n_configurations``."""
        nc = self.n_configurations
        if isinstance(nc, str):
            return evenly_spaced(m, m if nc == "all" else MAX_CONFIGURATIONS)
        if isinstance(nc, numbers.Integral):
            return evenly_spaced(m, nc)
        sel = np.asarray(nc, dtype=int).ravel()
        if sel.size == 0 or sel.min() < -m or sel.max() >= m:
            raise ValueError(f"n_configurations indices must lie in [0, {m}), got {nc!r}")
        return np.unique(sel % m)

    def _neighbor_sizes(self, n: int) -> list[int]:
        """Requested neighbour-mean sizes that fit in a cross-fitting fold's rest (≤ half)."""
        sizes = sorted({int(k) for k in np.asarray(self.neighbors).ravel()})
        if not sizes:
            return []
        room = max(1, (n * (self.cv - 1) // self.cv) // 2)
        kept = [k for k in sizes if k <= room]
        return kept or [min(sizes[0], room)]

    def _encoding_spec(self, n_classes: int) -> EncodingSpec:
        return EncodingSpec(self.ids_, tuple(self.neighbor_sizes_), n_classes, self.cv)

    def _token_layout(self, settings: Fusion, n_classes: int) -> TokenLayout:
        spec = self._encoding_spec(n_classes)
        ext = self.external_tokens_
        return TokenLayout(get_tokenization(settings.tokenization),
                           tuple(int(k) for k in self.n_clusters_),
                           n_classes + 2 if n_classes else 3, spec.neighbor_sizes,
                           spec.neighbor_encoder().n_stats,
                           0 if ext is None else ext.n_tokens, 0 if ext is None else ext.dim)

    def _training_rows(self, y: np.ndarray, search, groups, deep: bool) -> TrainingRows:
        """The training rows' leave-one-out nearest rows of the graph, and (``deep``) the
        deeper ones the neighbour means read."""
        dist, nearest = self.extractor_.kneighbors()
        spec = self._encoding_spec(0)
        deep_rows = (search.training(spec.deep_k(len(y)))
                     if deep and self.neighbor_sizes_ else None)
        return TrainingRows(y, nearest, self.extractor_.vote_weights(dist), deep_rows, search,
                            groups)

    def _new_encoding(self, X: np.ndarray, encoders: Encoding,
                      neighbors: bool = True) -> tuple[np.ndarray, np.ndarray, Encoding]:
        """New rows' nearest training rows, vote weights and encoding by ``encoders``."""
        dist, nearest = self.extractor_.kneighbors(X)
        weights = self.extractor_.vote_weights(dist)
        deep = None
        if neighbors and encoders.neighbor_encoder is not None:
            k = self._encoding_spec(0).deep_k(self.ids_.shape[0], new_rows=True)
            deep = self.neighbor_search_.new(X, k)
        return nearest, weights, encoders.encode_new(nearest, weights, deep)

    def _tokens(self, layout: TokenLayout, nearest, weights, enc: Encoding,
                external=None) -> list[np.ndarray]:
        """Network inputs of rows encoded as ``enc``."""
        T, M = enc.standardized()
        stats = T if layout.tokenization.uses_cluster_stats else None
        return token_arrays(layout, nearest, weights, self.ids_, stats, M, external)

    def _new_external(self, tokens, n: int) -> np.ndarray | None:
        """New rows' external tokens, checked against the fitted ones."""
        if self.external_tokens_ is None:
            if tokens is not None:
                raise ValueError("tokens= was passed, but the model was fitted without "
                                 "external tokens (fit with tokens= to use them)")
            return None
        return self.external_tokens_.transform(tokens, n)

    def _chunkwise(self, method: str, X, n_out, dtype, tokens):
        """``self.<method>`` block by block on a dask ``X`` (see :mod:`gramixc._dask`)."""
        check_is_fitted(self)
        if tokens is not None:
            raise ValueError("external tokens with a dask X: apply the method to numpy blocks "
                             "with their tokens (X and tokens must be split alike)")
        return apply_chunkwise(self, method, X, n_out, dtype)


# ============================================================================ end to end
class _GraMixCPredictor(_GraMixCBase):
    """End-to-end ``[X | fused configuration scalars] → MLP``."""

    _parameter_constraints: dict = {
        **_GraMixCBase._parameter_constraints,
        "hidden": ["array-like"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "fusion": [StrOptions({"auto"}), None, Fusion],
    }

    def __init__(self, extractor=None, n_configurations="auto", neighbors=(5, 15, 50, 150),
                 cv=5, hidden=(256, 128, 64), dropout=0.2, fusion="auto", n_jobs=None,
                 random_state=None, verbose=False):
        self.extractor = extractor
        self.n_configurations = n_configurations
        self.neighbors = neighbors
        self.cv = cv
        self.hidden = hidden
        self.dropout = dropout
        self.fusion = fusion
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, groups=None, tokens=None, **fit_params):
        """Fit the configurations, then the MLP with (and with ``fusion="auto"`` also
        without) the fusion of them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            Related rows (e.g. one species): cross-fitting folds and the
            early-stopping split keep every group whole.
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            External per-sample tokens (e.g. a Vision Transformer's register tokens)
            mixed by the attention beside the configuration tokens, each projected to
            the fusion width with a learned embedding of its own; standardised per
            token and dimension on the training rows. ``predict`` then needs the new
            rows' tokens too.
        **fit_params
            None accepted: an unknown name (or ``sample_weight``) is an error.

        Returns
        -------
        self
        """
        _reject_fit_params(self, "fit", fit_params)
        self._validate()
        settings = self._settings() or Fusion()  # the plain MLP trains like the fusion
        check_device(settings.device)
        X = self._check_X(X, reset=True)
        n = X.shape[0]
        y = check_target(y, n)
        groups = _check_groups(groups, n)
        self.external_tokens_, E = ExternalTokens.fit(tokens, n)
        if E is not None and self.fusion is None:
            raise ValueError("fusion=None trains the plain MLP, which reads no tokens: drop "
                             "tokens= or mix configurations")
        self.task_ = self._task
        target = encode_target(y, self._task, type(self).__name__)
        if target.classes is not None:
            self.classes_ = target.classes
        self._y_mean, self._y_std = target.mean, target.std
        seeds = PredictorSeeds.draw(self.random_state)
        self._x_scaler = StandardScaler().fit(X)
        x = self._x_scaler.transform(X)
        self._x_range = (x.min(axis=0), x.max(axis=0))
        x = x.astype(np.float32)
        val = validation_rows(n, seeds.validation, groups)
        model = hist = None
        if self.fusion is not None:
            self._fit_configurations(X, seeds.configurations, y)
            model, hist = self._train_fusion(x, target, groups, seeds, E, val, settings)
        if self.fusion is None or self.fusion == "auto":
            base, hist_b = self._train_mlp(x, target, seeds, val, settings)
            if hist is not None:
                self.baseline_val_loss_ = hist_b["best_val"]
            if hist is None or hist_b["best_val"] <= hist["best_val"]:
                model, hist = base, hist_b
        self.uses_fusion_ = model.attention is not None
        self.model_, self.history_ = model, hist
        self.val_loss_ = hist["best_val"]
        return self

    def _train_mlp(self, x, target, seeds: PredictorSeeds, val, settings: Fusion):
        """The plain MLP on ``X`` (the "predictor alone")."""
        model = build_model(settings, None, x.shape[1], target.n_outputs, seeds.mlp,
                            hidden=self.hidden, dropout=self.dropout)
        hist = train_model(model, settings, self.task_, target.values, [], seeds.mlp, val, x=x,
                           verbose=self.verbose, desc="MLP alone")
        return model, hist

    def _train_fusion(self, x, target, groups, seeds: PredictorSeeds, E, val,
                      settings: Fusion):
        """The MLP on ``[X | fused tokens]``, the tokens cross-fitted on the training rows."""
        self.tokenization_ = get_tokenization(settings.tokenization)
        self.neighbor_search_ = GraphNeighbors(self.extractor_)
        train = self._training_rows(target.values, self.neighbor_search_, groups, deep=True)
        folds = train.split(self.cv, seeds.folds)
        enc = encode(self._encoding_spec(target.n_classes), train, folds,
                     clusters=self.tokenization_.uses_cluster_stats)
        self.cluster_encoder_, self.neighbor_encoder_ = enc.cluster_encoder, enc.neighbor_encoder
        layout = self._token_layout(settings, target.n_classes)
        self.token_names_ = layout.names(self.configuration_names_)
        arrays = self._tokens(layout, train.nearest, train.weights, enc, E)
        model = build_model(settings, layout, x.shape[1], target.n_outputs, seeds.fusion,
                            hidden=self.hidden, dropout=self.dropout)
        hist = train_model(model, settings, self.task_, target.values, arrays, seeds.fusion,
                           val, x=x, verbose=self.verbose, desc="GraMixC + MLP")
        return model, hist

    def _device(self) -> str:
        return (self._settings() or Fusion()).device

    def _new_tokens(self, X, E) -> list[np.ndarray]:
        encoders = Encoding(self.cluster_encoder_, None, self.neighbor_encoder_, None)
        nearest, weights, enc = self._new_encoding(X, encoders)
        layout = self._token_layout(self._settings(), len(getattr(self, "classes_", ())))
        return self._tokens(layout, nearest, weights, enc, E)

    def _raw_predict(self, X, tokens=None) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = check_features(self, X, reset=False)
        # far-out-of-range rows are clipped to the training range (finite in float32)
        x = np.clip(self._x_scaler.transform(X), *self._x_range).astype(np.float32)
        E = self._new_external(tokens, X.shape[0])
        if not self.uses_fusion_:
            return run_model(self.model_, [], self._device(), x=x)
        return run_model(self.model_, self._new_tokens(X, E), self._device(), x=x)

    def _fusion_view(self, X, tokens, what: str) -> np.ndarray:
        check_is_fitted(self, "model_")
        if not self.uses_fusion_:
            raise ValueError("the plain MLP was kept (uses_fusion_ is False): there is no "
                             "attention to read")
        X = check_features(self, X, reset=False)
        E = self._new_external(tokens, X.shape[0])
        return run_model(self.model_, self._new_tokens(X, E), self._device(), what=what)

    def attention_map(self, X, tokens=None) -> np.ndarray:
        """[CLS] → token attention weights for the rows of ``X``, ``(n, len(token_names_))``
        (``tokens``: their external tokens, when the model was fitted with them)."""
        return self._fusion_view(X, tokens, "attention")

    def token_embeddings(self, X, tokens=None) -> np.ndarray:
        """The token embeddings the attention reads, ``(n, len(token_names_), d_model)``:
        each token (configurations, neighbour means, external tokens — the order of
        ``token_names_``) as the model embeds it before attention, positional embedding
        included, so their similarities compare configurations with external tokens."""
        return self._fusion_view(X, tokens, "tokens")


@document
class GraMixCRegressor(RegressorMixin, _GraMixCPredictor):
    """End-to-end GraMixC regressor: ``[X | fused configurations] → MLP`` (256-128-64).

    The paper's "3LP + GMC" model. Configurations are found without labels on the
    training rows; their tokens (cross-fitted cluster means by default) and the
    neighbour means are mixed by attention with [CLS] and register tokens, and the
    MLP reads ``[standardised X | fused scalars]``. ``fit(X, y, groups=None)``: with
    ``groups`` (related rows, e.g. one species), cross-fitting folds and the
    early-stopping split keep every group whole.

    Parameters
    ----------
%(configuration_parameters)s%(predictor_parameters)s%(run_parameters)s
    Attributes
    ----------
    extractor_ : ConfigurationExtractor
    selected_ : ndarray
        Indices of the mixed configurations among the extractor's.
    cluster_encoder_, neighbor_encoder_ : encoders or None
        The cluster means and neighbour means of the training rows.
    uses_fusion_ : bool
        False when the plain MLP was kept.
    model_ : FusionNet
    history_ : dict
        Training and validation losses.

    Examples
    --------
    >>> from gramixc import Fusion
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, _, fine = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> y = (fine % 3).astype(float)
    >>> reg = GraMixCRegressor(fusion=Fusion(max_epochs=20), random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _task = "regression"

    def predict(self, X, tokens=None) -> np.ndarray:
        """Predicted targets for the rows of ``X`` (``tokens``: their external tokens,
        when the model was fitted with them; a dask ``X``: block by block)."""
        if is_dask_collection(X):
            return self._chunkwise("predict", X, None, np.float64, tokens)
        out = self._raw_predict(X, tokens)[:, 0]
        return out.astype(np.float64) * self._y_std + self._y_mean


@document
class GraMixCClassifier(ClassifierMixin, _GraMixCPredictor):
    """End-to-end GraMixC classifier: ``[X | fused configurations] → MLP`` → classes.

    The cluster means are the cross-fitted class fractions of every cluster (plus
    impurity and size), the loss is cross-entropy.

    Parameters
    ----------
%(configuration_parameters)s%(predictor_parameters)s%(run_parameters)s
    Attributes
    ----------
    classes_ : ndarray
        The class labels, in the order of ``predict_proba``'s columns.
    extractor_, selected_, cluster_encoder_, neighbor_encoder_, uses_fusion_, model_, history_
        As in :class:`GraMixCRegressor`.

    Examples
    --------
    >>> from gramixc import Fusion
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, coarse, _ = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> clf = GraMixCClassifier(fusion=Fusion(max_epochs=20), random_state=0).fit(X, coarse)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _task = "classification"

    def predict_proba(self, X, tokens=None) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_`` (``tokens``: the rows'
        external tokens, when the model was fitted with them; a dask ``X``: block by
        block)."""
        if is_dask_collection(X):
            return self._chunkwise("predict_proba", X, len(self.classes_), np.float64, tokens)
        return softmax(self._raw_predict(X, tokens))

    def predict(self, X, tokens=None) -> np.ndarray:
        """Most probable class for the rows of ``X`` (``tokens`` as in ``predict_proba``)."""
        if is_dask_collection(X):
            return self._chunkwise("predict", X, None, self.classes_.dtype, tokens)
        proba = self.predict_proba(X, tokens)
        return self.classes_[np.argmax(proba, axis=1)]


# ============================================================================ transformer
@dataclass
class _Fit:
    """One ``GraMixC.fit_transform``'s inputs after the checks."""

    X: np.ndarray
    y: np.ndarray
    n_classes: int
    groups: np.ndarray | None
    external: np.ndarray | None
    seeds: TransformerSeeds


@document
class GraMixC(TransformerMixin, _GraMixCBase):
    """Plug-and-play GraMixC features for any downstream predictor.

    ``fit(X, y)`` finds and aligns configurations (unsupervised, on all training rows),
    learns the cross-fitted encodings of the rows' neighbourhoods and of their
    clusters, and — only with ``fusion=Fusion(...)`` and a feature set that reads it —
    trains the fusion network. ``transform(X)`` returns ``[X | added columns]``, from
    these blocks (:mod:`gramixc.blocks`):

    * ``neighbors_k<k>`` — the **neighbour means**: the target mean of the ``k``
      nearest training rows, for every size in ``neighbors`` (class fractions for
      more than two classes);
    * ``clusters_cfg<j>_k<K>`` — the **cluster means**: the soft-vote smoothed target
      mean of the row's cluster in every mixed configuration;
    * ``fusion_pred`` and ``fusion_cls`` — the fusion network's prediction (class
      probabilities for classes) and its [CLS] scalar.

    **Which columns.** With the default ``features="auto"`` GraMixC *chooses*, on the
    training rows only, among no columns at all and the sets of
    :data:`AUTO_CANDIDATES` (``"neighbors"``, ``"clusters"``, ``"neighbors+clusters"``;
    with ``fusion=Fusion()`` also ``"fusion"`` and ``"all"``): a reference model
    (``reference_estimator``) is cross-validated on ``X``, a small stacker tests what
    each set adds to its out-of-fold predictions, and the reference refitted on
    ``[X | set]`` must confirm the widest set that passed (see :mod:`gramixc.gate`).
    ``gate_report_`` records every score, the rule, the choice and its reason. When
    nothing clears the bar, ``transform`` returns ``X`` unchanged. A list of set names
    restricts the choice; one name forces that set.

    **No leakage.** ``fit_transform(X, y)`` returns **cross-fitted** columns for the
    training rows: every encoding of a row in fold ``f`` is computed without fold
    ``f``, and the fusion output of fold ``f`` comes from a model trained without it.
    New rows are encoded from all training rows, and read by the average of the
    ``cv`` fold models — so training and new rows look alike by construction. As with
    :class:`sklearn.preprocessing.TargetEncoder`, ``fit(X, y).transform(X)`` is *not*
    ``fit_transform(X, y)`` and would leak: use ``fit_transform`` (pipelines do). The
    added columns are standardised on the training rows.

    Parameters
    ----------
%(configuration_parameters)s    neighbor_metric : {"graph", "target"}, default="graph"
        Where the neighbour means find their nearest rows. ``"graph"``: the extractor's
        space (every standardised feature alike). ``"target"``: the standardised
        features weighted by their absolute correlation with the target
        (:mod:`gramixc.target_metric`), the weights cross-fitted with the means. Measured
        better on small tables with a few informative features (XGBoost, 3 seeds:
        diabetes +0.011, breast_cancer +0.004, never below on 69 folds), worse on the
        1,280-feature 16S k-mer tables (``docs/algorithms.md`` §7).
    task : {"auto", "regression", "classification"}, default="auto"
        ``"auto"``: the rule of :func:`gramixc.targets.infer_task` (strings and booleans
        are classes, floats regression, integers classes up to 20 distinct values).
    features : "auto", a name of :data:`FEATURE_SETS` or a list of names, default="auto"
        See "Which columns" above.
    reference_estimator : estimator or None, default=None
        The gate's first-stage model, cross-validated on ``X``. None:
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor` / ``Classifier``; pass
        your downstream model for the most faithful check.
    fusion : Fusion or None, default=None
        The fusion network (attention over configuration and neighbour-mean tokens
        with [CLS] and registers). None: no network is trained. A ``Fusion``: the gate
        may also choose its output (``"fusion"``, ``"all"``), and forced fusion sets
        use these settings.
%(run_parameters)s
    Attributes
    ----------
    extractor_ : ConfigurationExtractor
    selected_, n_clusters_ : ndarray
        The mixed configurations (indices among the extractor's) and their sizes.
    task_ : str
        ``"regression"`` or ``"classification"``.
    task_reason_ : str
        Why (the rule of :func:`gramixc.targets.infer_task`, or ``task`` as given).
    classes_ : ndarray
        The class labels (classification only).
    cluster_encoder_, neighbor_encoder_ : encoders or None
        The cluster means and neighbour means of all training rows (serve
        ``transform``).
    fold_models_ : list of FoldModel
        Every fold's fusion model and encoders; their average serves the fusion
        columns of new rows (empty without a network).
    layout_ : list of FeatureBlock
        The added column blocks, in order (empty when nothing is added).
    gate_report_ : GateReport or None
        The gate's measurements and decision (``features="auto"`` or a list).
    feature_set_ : str
        The feature set added (``"none"``: nothing).
    timings_ : dict
        Seconds spent in each stage of the last fit (configurations, encodings,
        fold_encodings, fusion, gate).

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import Ridge
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, _, fine = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> y = (fine % 3).astype(float)
    >>> pipe = make_pipeline(GraMixC(random_state=0), Ridge())
    >>> pipe.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> pipe[0].feature_set_ in ("none",) + AUTO_CANDIDATES
    True
    """

    _parameter_constraints: dict = {
        **_GraMixCBase._parameter_constraints,
        "neighbor_metric": [StrOptions(set(NEIGHBOR_SEARCHES))],
        "task": [StrOptions({"auto", "regression", "classification"})],
        "features": [StrOptions({"auto", *FEATURE_SETS}), list, tuple],
        "reference_estimator": [None, HasMethods(["fit", "predict"])],
        "fusion": [None, Fusion],
    }

    def __init__(self, extractor=None, n_configurations="auto", neighbors=(5, 15, 50, 150),
                 neighbor_metric="graph", cv=5, task="auto", features="auto",
                 reference_estimator=None, fusion=None, n_jobs=None, random_state=None,
                 verbose=False):
        self.extractor = extractor
        self.n_configurations = n_configurations
        self.neighbors = neighbors
        self.neighbor_metric = neighbor_metric
        self.cv = cv
        self.task = task
        self.features = features
        self.reference_estimator = reference_estimator
        self.fusion = fusion
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def _candidates(self) -> tuple[list[str], bool]:
        """The feature-set names in play and whether the gate chooses among them."""
        f = self.features
        if isinstance(f, str) and f == "auto":
            return list(AUTO_CANDIDATES if self.fusion is None else FUSION_CANDIDATES), True
        names = [f] if isinstance(f, str) else list(f)
        bad = [c for c in names if c not in FEATURE_SETS]
        if not names or bad:
            raise ValueError(f"features must be 'auto', one of {sorted(FEATURE_SETS)} or a "
                             f"non-empty list of them, got {f!r}")
        network = [c for c in names if {"fusion_pred", "fusion_cls"} & set(FEATURE_SETS[c])]
        if network and self.fusion is None:
            raise ValueError(f"features {network} read the fusion network, and fusion=None "
                             "trains none: pass fusion=Fusion() (or its settings)")
        return names, not isinstance(f, str)

    def _prepare(self, X, y, groups, tokens) -> _Fit:
        """Checks, the task, the seeds and the configurations."""
        self._validate()
        names, _ = self._candidates()
        network = self.fusion is not None and any(
            {"fusion_pred", "fusion_cls"} & set(FEATURE_SETS[c]) for c in names)
        if network:
            check_device(self.fusion.device)
        X = self._check_X(X, reset=True)
        n = X.shape[0]
        y = check_target(y, n)
        groups = _check_groups(groups, n)
        self.external_tokens_, E = ExternalTokens.fit(tokens, n)
        if E is not None and not network:
            raise ValueError(f"tokens= feed the fusion network, which features={self.features!r}"
                             f" with fusion={self.fusion!r} does not train: pass "
                             "fusion=Fusion() and features='fusion', 'all' or 'auto'")
        choice = infer_task(y, self.task)
        self.task_, self.task_reason_ = choice.task, choice.reason
        target = encode_target(y, self.task_, "GraMixC")
        if target.classes is not None:
            self.classes_ = target.classes
        seeds = TransformerSeeds.draw(self.random_state, self.cv)
        t0 = time.perf_counter()
        self._fit_configurations(X, seeds.configurations, y)
        self.timings_ = {"configurations": time.perf_counter() - t0}
        return _Fit(X, target.values, target.n_classes, groups, E, seeds)

    def _layout(self, name: str, n_classes: int) -> list:
        """The blocks of feature set ``name`` (no [CLS] for more than two classes, no
        neighbour means without sizes)."""
        if name == "none":
            return []
        keys = [k for k in FEATURE_SETS[name]
                if (k != "fusion_cls" or n_classes <= 2)
                and (k != "neighbors" or self.neighbor_sizes_)]
        return [blocks.BLOCKS[k] for k in keys]

    def _neighbor_search(self, fit: _Fit):
        """The neighbour means' search (``neighbor_metric``), fitted."""
        cls = NEIGHBOR_SEARCHES[self.neighbor_metric]
        if cls is GraphNeighbors or not self.neighbor_sizes_:
            return GraphNeighbors(self.extractor_)
        Y = np.eye(fit.n_classes)[fit.y] if fit.n_classes else fit.y.reshape(-1, 1)
        return cls(self.extractor_, fit.X, Y, fit.seeds.folds)

    def _crossfit(self, fit: _Fit) -> blocks.RowParts:
        """Encoders on all rows, fold encodings, fold models, scaling and the gate; the
        training rows' out-of-fold parts."""
        names, choose = self._candidates()
        layouts = {c: self._layout(c, fit.n_classes) for c in names}
        need = {blk.part for lay in layouts.values() for blk in lay}
        network = bool(need & _NETWORK_PARTS)
        settings = self.fusion
        uses_stats = network and get_tokenization(settings.tokenization).uses_cluster_stats
        clock = [time.perf_counter()]

        def lap(stage):
            now = time.perf_counter()
            self.timings_[stage], clock[0] = now - clock[0], now

        self.neighbor_search_ = self._neighbor_search(fit)
        train = self._training_rows(fit.y, self.neighbor_search_, fit.groups,
                                    deep="neighbors" in need or network)
        folds = train.split(self.cv, fit.seeds.folds)
        spec = self._encoding_spec(fit.n_classes)
        enc = encode(spec, train, folds, clusters="clusters" in need)
        self.cluster_encoder_, self.neighbor_encoder_ = enc.cluster_encoder, enc.neighbor_encoder
        parts = blocks.RowParts(neighbors=enc.neighbors, clusters=enc.clusters)
        lap("encodings")
        folded = (fold_encodings(spec, train, folds, fit.seeds,
                                 clusters="clusters" in need or uses_stats)
                  if network or choose else [])
        lap("fold_encodings")
        self.fold_models_ = (self._fit_fold_models(fit, train, folded, need, parts)
                             if network else [])
        lap("fusion")
        union = list({b.key: b for lay in layouts.values() for b in lay}.values())
        self.scaling_ = blocks.block_scaling(self, union, parts)
        self.gate_report_ = None
        chosen = self._gate(fit, folds, folded, layouts, parts) if choose else names[0]
        lap("gate")
        self.feature_set_ = chosen
        self.layout_ = layouts.get(chosen, [])
        return parts

    def _fit_fold_models(self, fit: _Fit, train: TrainingRows, folded, need: set,
                         parts: blocks.RowParts) -> list[FoldModel]:
        """Fold model ``f``: trained on the other folds with their re-cross-fitted
        encodings, predicting fold ``f``; kept with its encoders for new rows."""
        settings = self.fusion
        layout = self._token_layout(settings, fit.n_classes)
        self.token_names_ = layout.names(self.configuration_names_)
        n, models = len(fit.y), []
        for fe in folded:
            rest, held = fe.rest_rows, fe.held_rows
            ext = (None, None) if fit.external is None else (fit.external[rest],
                                                             fit.external[held])
            tokens = self._tokens(layout, train.nearest[rest], train.weights[rest], fe.rest,
                                  ext[0])
            model = self._train_token_model(settings, layout, fit, rest, tokens,
                                            fit.seeds.fold(fe.fold))
            tokens = self._tokens(layout, train.nearest[held], train.weights[held], fe.held,
                                  ext[1])
            out, fused = model_outputs(model, tokens, settings.device, fit.n_classes,
                                       "fusion_out" in need, "fusion_scalars" in need)
            for name, val in (("fusion_out", out), ("fusion_scalars", fused)):
                if val is not None:
                    if getattr(parts, name) is None:
                        setattr(parts, name, np.empty((n, val.shape[1])))
                    getattr(parts, name)[held] = val
            models.append(FoldModel(model, Encoding(fe.rest.cluster_encoder, None,
                                                    fe.rest.neighbor_encoder, None)))
        return models

    def _train_token_model(self, settings: Fusion, layout: TokenLayout, fit: _Fit,
                           rows: np.ndarray, tokens: list, seed: int):
        """A fusion model that reads only tokens, trained on ``rows`` (at most
        :data:`~gramixc.fusion_settings.MAX_TOKEN_MODEL_ROWS` of them)."""
        keep = training_rows(len(rows), reads_features=False, seed=seed)
        if keep is not None:
            rows, tokens = rows[keep], [t[keep] for t in tokens]
        val = validation_rows(len(rows), seed, None if fit.groups is None else fit.groups[rows])
        n_out = 1 if not fit.n_classes else fit.n_classes
        model = build_model(settings, layout, 0, n_out, seed)
        train_model(model, settings, self.task_, fit.y[rows], tokens, seed, val,
                    verbose=self.verbose, desc="GraMixC fusion")
        return model

    def _gate(self, fit: _Fit, folds, folded, layouts: dict, parts) -> str:
        """The gate's choice among the candidate sets (report in ``gate_report_``)."""
        from .gate import choose_feature_set

        cands = {c: blocks.assemble(self, lay, parts, self.scaling_)
                 for c, lay in layouts.items() if lay}
        encoded = [c for c in cands if {b.part for b in layouts[c]} <= {"clusters", "neighbors"}]
        by_fold = {fe.fold: fe for fe in folded}

        def nested(f):
            fe = by_fold[int(f)]
            rest = blocks.RowParts(neighbors=fe.rest.neighbors, clusters=fe.rest.clusters)
            held = blocks.RowParts(neighbors=fe.held.neighbors, clusters=fe.held.clusters)
            return {c: (blocks.assemble(self, layouts[c], rest, self.scaling_),
                        blocks.assemble(self, layouts[c], held, self.scaling_))
                    for c in encoded}

        self.gate_report_ = choose_feature_set(
            fit.X, fit.y, self.task_, folds, cands, reference=self.reference_estimator,
            fold_candidates=nested, groups=fit.groups, seed=fit.seeds.gate,
            n_threads=effective_n_jobs(self.n_jobs))
        if self.verbose:
            print(self.gate_report_)
        return self.gate_report_.chosen

    def fit(self, X, y, groups=None, tokens=None, **fit_params):
        """Fit configurations, encoders and fold models, and choose the added columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            Related rows (e.g. sequences of one species): the cross-fitting folds and
            early-stopping splits keep each group whole, so a row's columns never read
            its group mates' targets. In a pipeline:
            ``pipe.fit(X, y, gramixc__groups=groups)``.
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            External per-sample tokens (e.g. a Vision Transformer's register tokens)
            the fusion network mixes beside the configuration tokens (needs
            ``fusion=Fusion(...)``). ``transform`` then needs the new rows' tokens
            whenever the chosen set reads the network.
        **fit_params
            None accepted: an unknown name (a typo such as ``group=``, or
            ``sample_weight``) is an error.

        Returns
        -------
        self
        """
        self.fit_transform(X, y, groups=groups, tokens=tokens, **fit_params)
        return self

    def fit_transform(self, X, y=None, groups=None, tokens=None, **fit_params):
        """Fit, and return cross-fitted ``[X | added columns]`` for the training rows.

        Parameters
        ----------
        X, y, groups, tokens, **fit_params
            As in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
        """
        _reject_fit_params(self, "fit_transform", fit_params)
        fit = self._prepare(X, y, groups, tokens)
        return self._output(fit.X, self._crossfit(fit))

    # ------------------------------------------------------------------ output
    def _output(self, X, parts: blocks.RowParts) -> np.ndarray:
        if not self.layout_:
            return X.copy()
        return np.hstack([X, blocks.assemble(self, self.layout_, parts, self.scaling_)])

    def _new_parts(self, X, tokens=None) -> blocks.RowParts:
        """The parts of new rows the chosen layout reads."""
        need = {blk.part for blk in self.layout_}
        network = need & _NETWORK_PARTS
        E = self._new_external(tokens, X.shape[0]) if network or tokens is not None else None
        encoders = Encoding(self.cluster_encoder_ if "clusters" in need else None, None,
                            self.neighbor_encoder_ if "neighbors" in need else None, None)
        nearest, weights, enc = self._new_encoding(X, encoders)
        parts = blocks.RowParts(neighbors=enc.neighbors, clusters=enc.clusters)
        if network:
            sums = [0.0, 0.0]
            for fm, tokens_f in self._fold_tokens(X, nearest, weights, E):
                out, fused = model_outputs(fm.model, tokens_f, self.fusion.device,
                                           len(getattr(self, "classes_", ())),
                                           "fusion_out" in need, "fusion_scalars" in need)
                sums = [s + v if v is not None else s for s, v in zip(sums, (out, fused))]
            k = len(self.fold_models_)
            parts.fusion_out = sums[0] / k if "fusion_out" in need else None
            parts.fusion_scalars = sums[1] / k if "fusion_scalars" in need else None
        return parts

    def _fold_tokens(self, X, nearest, weights, E):
        """Every fold model with the tokens of new rows as it saw its held-out rows."""
        layout = self._token_layout(self.fusion, len(getattr(self, "classes_", ())))
        for fm in self.fold_models_:
            _, _, enc = self._new_encoding(X, fm.encoders)
            yield fm, self._tokens(layout, nearest, weights, enc, E)

    def transform(self, X, tokens=None):
        """``[X | added columns]`` for new rows, from the fitted encoders and fold models.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            The rows' external tokens: needed when the model was fitted with them and
            the chosen columns read the fusion network.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self, "layout_")
        if is_dask_collection(X):
            return self._chunkwise("transform", X, len(self.get_feature_names_out()),
                                   np.float64, tokens)
        X = check_features(self, X, reset=False)
        if not self.layout_:
            if tokens is not None:
                self._new_external(tokens, X.shape[0])  # validated, not silently ignored
            return X.copy()
        return self._output(X, self._new_parts(X, tokens))

    def attention_map(self, X, tokens=None) -> np.ndarray:
        """[CLS] → token attention for the rows of ``X``, averaged over the fold models.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            The rows' external tokens, when the model was fitted with them.

        Returns
        -------
        ndarray of shape (n_samples, n_tokens)
            One column per entry of ``token_names_`` (the mixed configurations coarse →
            fine, the neighbour-mean sizes, the external tokens).
        """
        check_is_fitted(self, "layout_")
        if not self.fold_models_:
            raise ValueError("no fusion network was trained (fusion=None, or the feature sets "
                             "in play do not read it): fit with fusion=Fusion() and "
                             "features='fusion'")
        X = check_features(self, X, reset=False)
        E = self._new_external(tokens, X.shape[0])
        dist, nearest = self.extractor_.kneighbors(X)
        weights = self.extractor_.vote_weights(dist)
        maps = [run_model(fm.model, toks, self.fusion.device, what="attention")
                for fm, toks in self._fold_tokens(X, nearest, weights, E)]
        return np.mean(maps, axis=0)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Input names followed by the added columns (an added name that repeats an input
        name — e.g. a second GraMixC in one pipeline — gets a ``_1``, ``_2``, … suffix)."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self, "layout_")
        names = list(_check_feature_names_in(self, input_features))
        taken = set(names)
        for name in blocks.block_names(self, self.layout_):
            unique, i = name, 0
            while unique in taken:
                i += 1
                unique = f"{name}_{i}"
            taken.add(unique)
            names.append(unique)
        return np.asarray(names, dtype=object)
