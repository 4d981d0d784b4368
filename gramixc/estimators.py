"""Supervised scikit-learn estimators: `GraMixC`, `GraMixCRegressor`, `GraMixCClassifier`.

Their parameters and the wiring of ``fit`` / ``transform`` / ``predict``. The steps live
elsewhere: the mixed configurations in :mod:`gramixc.mixing`, the target in
:mod:`gramixc.targets`, the cross-fitted encodings and seeds in :mod:`gramixc.crossfit`,
the fusion network's training and inference in :mod:`gramixc.fusion_steps` (settings:
:class:`~gramixc.Fusion`), the output columns in :mod:`gramixc.blocks`, their choice in
:mod:`gramixc.gate`; shared wiring in :mod:`gramixc._estimator_base`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import blocks
from ._dask import is_dask_collection
from ._docstrings import document
from ._estimator_base import GraMixCBase
from ._parallel import effective_n_jobs
from ._validation import check_features, check_groups, reject_fit_params
from .crossfit import (
    NEIGHBOR_SEARCHES,
    Encoding,
    FoldModel,
    GraphNeighbors,
    PredictorSeeds,
    TrainingRows,
    TransformerSeeds,
    encode,
    fold_encodings,
)
from .fusion_settings import MLP_DROPOUT, Fusion
from .fusion_steps import (
    build_model,
    check_device,
    fit_token_model,
    model_outputs,
    run_model,
    softmax,
    train_model,
    validation_rows,
)
from .mixing import MAX_CONFIGURATIONS
from .targets import check_target, encode_target, infer_task
from .tokens import ExternalTokens, get_tokenization

__all__ = ["GraMixC", "GraMixCRegressor", "GraMixCClassifier", "FEATURE_SETS",
           "AUTO_CANDIDATES", "FUSION_CANDIDATES", "MAX_CONFIGURATIONS"]

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


# ============================================================================ end to end
class _GraMixCPredictor(GraMixCBase):
    """End-to-end ``[X | fused configuration scalars] → MLP``."""

    _parameter_constraints: dict = {
        **GraMixCBase._parameter_constraints,
        "hidden": ["array-like"],
        "fusion": [StrOptions({"auto"}), None, Fusion],
    }

    def __init__(self, extractor=None, n_configurations="auto", neighbors=(5, 15, 50, 150),
                 cv=5, hidden=(256, 128, 64), fusion="auto", n_jobs=None,
                 random_state=None, verbose=False):
        self.extractor = extractor
        self.n_configurations = n_configurations
        self.neighbors = neighbors
        self.cv = cv
        self.hidden = hidden
        self.fusion = fusion
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, groups=None, tokens=None, **fit_params):
        """Fit the configurations, then the MLP with (and with ``fusion="auto"`` also
        without) the fusion of them.

        Parameters
        ----------
%(fit_parameters)s
        Returns
        -------
        self
        """
        reject_fit_params(self, "fit", fit_params)
        self._validate()
        settings = self._settings() or Fusion()  # the plain MLP trains like the fusion
        check_device(settings.device)
        X = self._check_X(X, reset=True)
        n = X.shape[0]
        y = check_target(y, n)
        groups = check_groups(groups, n)
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
                            hidden=self.hidden, dropout=MLP_DROPOUT)
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
                            hidden=self.hidden, dropout=MLP_DROPOUT)
        hist = train_model(model, settings, self.task_, target.values, arrays, seeds.fusion,
                           val, x=x, verbose=self.verbose, desc="GraMixC + MLP")
        return model, hist

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
        device = (self._settings() or Fusion()).device  # the plain MLP trains like Fusion()
        arrays = self._new_tokens(X, E) if self.uses_fusion_ else []
        return run_model(self.model_, arrays, device, x=x)

    def _fusion_view(self, X, tokens, what: str) -> np.ndarray:
        check_is_fitted(self, "model_")
        if not self.uses_fusion_:
            raise ValueError("the plain MLP was kept (uses_fusion_ is False): there is no "
                             "attention to read")
        X = check_features(self, X, reset=False)
        E = self._new_external(tokens, X.shape[0])
        return run_model(self.model_, self._new_tokens(X, E), self._settings().device, what=what)

    def attention_map(self, X, tokens=None) -> np.ndarray:
        """[CLS] → token attention weights for the rows of ``X``, ``(n, len(token_names_))``
        (``tokens``: their external tokens, when the model was fitted with them)."""
        return self._fusion_view(X, tokens, "attention")

    def token_embeddings(self, X, tokens=None) -> np.ndarray:
        """The tokens the attention reads (``token_names_`` order, positional embedding
        included), ``(n, len(token_names_), d_model)``: comparable across token kinds."""
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
class GraMixC(TransformerMixin, GraMixCBase):
    """Plug-and-play GraMixC features for any downstream predictor.

    ``transform(X)`` returns ``[X | added columns]`` (standardised on the training rows):
    ``neighbors_k<k>``, the **neighbour means** (target mean of the ``k`` nearest
    training rows); ``clusters_cfg<j>_k<K>``, the **cluster means** (soft-vote smoothed
    target mean of the row's cluster in each mixed configuration); ``fusion_pred`` /
    ``fusion_cls``, the fusion network's prediction and [CLS] scalar (with
    ``fusion=Fusion(...)``). Class fractions for more than two classes.

    **Which columns.** ``features="auto"`` *chooses* on the training rows among nothing
    and :data:`AUTO_CANDIDATES` (with a fusion network, :data:`FUSION_CANDIDATES`): a
    stacker tests what each set adds to a reference model's out-of-fold predictions and
    the reference refitted on ``[X | set]`` confirms (:mod:`gramixc.gate`;
    ``gate_report_``). Nothing chosen: ``transform`` returns ``X``. A list restricts the
    choice, one name forces it.

    **No leakage.** ``fit_transform`` returns **cross-fitted** columns: a row in fold
    ``f`` is encoded without fold ``f`` (and read by a fold model trained without it).
    As with :class:`sklearn.preprocessing.TargetEncoder`, ``fit(X, y).transform(X)``
    would leak: use ``fit_transform`` (pipelines do). ``docs/algorithms.md`` §9.

    Parameters
    ----------
%(configuration_parameters)s    neighbor_metric : {"graph", "target"}, default="graph"
        Where the neighbour means find their nearest rows: the extractor's space, or the
        standardised features weighted by their correlation with the target
        (:mod:`gramixc.target_metric`; cross-fitted). ``"target"`` measured better on
        small tables with a few informative features, worse on wide k-mer tables
        (``docs/algorithms.md`` §7).
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
        **GraMixCBase._parameter_constraints,
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
        groups = check_groups(groups, n)
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
        self._fit_configurations(X, seeds.configurations, y, target.n_classes)
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
        layout = self._token_layout(self.fusion, fit.n_classes)
        self.token_names_ = layout.names(self.configuration_names_)
        models = []
        for fe in folded:
            def tokens(rows, enc):
                E = None if fit.external is None else fit.external[rows]
                return self._tokens(layout, train.nearest[rows], train.weights[rows], enc, E)

            model = fit_token_model(self.fusion, layout, self.task_, fit.n_classes or 1, fit.y,
                                    fe.rest_rows, tokens(fe.rest_rows, fe.rest),
                                    fit.seeds.fold(fe.fold), fit.groups, self.verbose)
            out, fused = model_outputs(model, tokens(fe.held_rows, fe.held), self.fusion.device,
                                       fit.n_classes, "fusion_out" in need,
                                       "fusion_scalars" in need)
            parts.fill(fe.held_rows, len(fit.y), fusion_out=out, fusion_scalars=fused)
            models.append(FoldModel(model, fe.rest.encoders()))
        return models

    def _gate(self, fit: _Fit, folds, folded, layouts: dict, parts) -> str:
        """The gate's choice among the candidate sets (report in ``gate_report_``)."""
        from .gate import choose_feature_set

        cands, nested = blocks.gate_candidates(self, layouts, parts, folded, self.scaling_)
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
%(fit_parameters)s
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
        reject_fit_params(self, "fit_transform", fit_params)
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
