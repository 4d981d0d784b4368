"""Supervised scikit-learn estimators: `GraMixC`, `GraMixCRegressor`, `GraMixCClassifier`.

All three share one preparation (:class:`_GraMixCBase`):

1. a :class:`~gramixc.ConfigurationExtractor` is fitted on the training rows
   (unsupervised: once, on all of them) and the configurations are capped at
   ``max_clusters`` (finer ones are finer than any predictor can use) and
   thinned to at most ``max_configurations``;
2. every training row gets its ``k`` nearest *other* training rows
   (leave-one-out) and every new row its ``k`` nearest training rows — one
   query of the fitted index — with the graph's kernel weights;
3. configuration tokens are built from these neighbours: cross-fitted
   soft-vote cluster target statistics (``tokenization="target"``, default), or
   the paper's aligned ids (``"scalar"``, ``"embedding"``) or soft votes
   (``"soft"``), voted the same way for training and new rows so both look alike;
4. :class:`~gramixc.fusion.ConfigAttention` mixes the tokens with [CLS] and
   register tokens, a head predicts.

`GraMixC` is a transformer for any downstream predictor: ``fit_transform`` returns
out-of-fold (cross-fitted) fused features for the training rows, ``transform``
those of the final model for new rows, like
:class:`sklearn.preprocessing.TargetEncoder`. `GraMixCRegressor` and
`GraMixCClassifier` are end-to-end ``[features | fused scalars] → MLP`` models.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin, clone
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ._validation import check_features
from .assign import knn_vote, vote_weights
from .configurations import evenly_spaced
from .extractor import ConfigurationExtractor
from .target_stats import cluster_stats, crossfit_features, fold_ids, soft_features

__all__ = ["GraMixC", "GraMixCRegressor", "GraMixCClassifier"]


def _check_y(y, n: int) -> np.ndarray:
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        from sklearn.utils.validation import column_or_1d

        y = column_or_1d(y, warn=True)  # DataConversionWarning, like scikit-learn
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    if y.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has {y.shape[0]}")
    return y


class _GraMixCBase(BaseEstimator):
    """Shared parameters and the configuration → token pipeline."""

    _task: str | None = None  # fixed by the regressor / classifier

    def __init__(
        self,
        k: int = 15,
        metric: str = "euclidean",
        extractor=None,
        max_clusters="auto",
        n_configurations="auto",
        max_configurations: int = 16,
        tokenization: str = "target",
        d_model: int = 32,
        n_heads: int = 1,
        n_registers: int = 2,
        use_cls: bool = True,
        residual: bool = False,
        attn_dropout: float = 0.1,
        smoothing: float = 5.0,
        cv: int = 5,
        max_epochs: int = 100,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        patience: int = 10,
        validation_fraction: float = 0.15,
        aux_weight: float = 0.5,
        device: str = "cpu",
        n_jobs: int | None = None,
        random_state=None,
        verbose: bool = False,
    ) -> None:
        self.k = k
        self.metric = metric
        self.extractor = extractor
        self.max_clusters = max_clusters
        self.n_configurations = n_configurations
        self.max_configurations = max_configurations
        self.tokenization = tokenization
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_registers = n_registers
        self.use_cls = use_cls
        self.residual = residual
        self.attn_dropout = attn_dropout
        self.smoothing = smoothing
        self.cv = cv
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.aux_weight = aux_weight
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        from .fusion import TOKENIZATIONS

        if self.tokenization not in TOKENIZATIONS:
            raise ValueError(f"tokenization must be one of {TOKENIZATIONS}, got "
                             f"{self.tokenization!r}")
        if not isinstance(self.cv, numbers.Integral) or self.cv < 2:
            raise ValueError(f"cv must be an integer >= 2, got {self.cv!r}")
        if not (isinstance(self.max_clusters, numbers.Integral) or self.max_clusters == "auto"):
            raise ValueError(
                f"max_clusters must be 'auto' or an integer, got {self.max_clusters!r}"
            )
        if not 0.0 < self.validation_fraction < 0.5:
            raise ValueError(f"validation_fraction must be in (0, 0.5), got "
                             f"{self.validation_fraction!r}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_heads={self.n_heads}")

    def _seeds(self, n: int) -> np.ndarray:
        return check_random_state(self.random_state).randint(0, 2**31 - 1, size=n)

    # ------------------------------------------------------------------ configurations
    def _fit_configurations(self, X: np.ndarray, seed: int, y=None) -> None:
        """Fit the extractor, cap and select configurations, LOO neighbours of training rows.

        ``y`` reaches the extractor only when it aligns ids to class labels
        (``align="labels"``); the configurations themselves never see it.
        """
        n = X.shape[0]
        cap = max(2, n // 10) if self.max_clusters == "auto" else int(self.max_clusters)
        if self.extractor is None:
            ext = ConfigurationExtractor(k=self.k, metric=self.metric, n_jobs=self.n_jobs,
                                         random_state=int(seed))
        else:
            ext = clone(self.extractor)
            if ext.get_params().get("random_state") is None:
                ext.set_params(random_state=int(seed))
        ext.set_params(max_clusters=min(cap, ext.max_clusters or cap), verbose=self.verbose)
        self.extractor_ = ext.fit(X, y if ext.align == "labels" else None)
        K = self.extractor_.configurations_.n_clusters
        self.selected_ = self._select(len(K))
        self.ids_ = self.extractor_.configurations_.ids[:, self.selected_]
        self.n_clusters_ = K[self.selected_]
        dist, nb = self.extractor_.graph_.distances, self.extractor_.graph_.indices
        self._train_nb = nb
        self._train_w = vote_weights(dist, self.extractor_.lam)

    def _select(self, m: int) -> np.ndarray:
        """Indices (into the capped configurations) named by ``n_configurations``."""
        nc = self.n_configurations
        if isinstance(nc, str):
            if nc not in ("auto", "all"):
                raise ValueError(f"n_configurations must be 'auto', 'all', an int or a list, "
                                 f"got {nc!r}")
            return evenly_spaced(m, m if nc == "all" else self.max_configurations)
        if isinstance(nc, numbers.Integral):
            if nc < 0:
                raise ValueError(f"n_configurations must be >= 0, got {nc}")
            return evenly_spaced(m, nc)
        sel = np.asarray(nc, dtype=int).ravel()
        if sel.size == 0 or sel.min() < -m or sel.max() >= m:
            raise ValueError(f"n_configurations indices must lie in [0, {m}), got {nc!r}")
        return np.unique(sel % m)

    def _neighbors_new(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dist, nb = self.extractor_.graph_.index.query(self.extractor_._scaled(X),
                                                      k=self.extractor_.k)
        return nb, vote_weights(dist, self.extractor_.lam)

    # ------------------------------------------------------------------ tokens
    def _token_arrays(self, nb, w, T) -> list[np.ndarray]:
        """Model inputs for rows with neighbours ``nb``/weights ``w`` (``T``: target stats)."""
        kind = self.tokenization
        if kind == "target":
            return [((T - self._tok_mean) / self._tok_std).astype(np.float32)]
        offsets = np.concatenate([[0], np.cumsum(self.n_clusters_)[:-1]])
        if kind == "soft":
            idx = (self.ids_[nb] + offsets).transpose(0, 2, 1)  # (n, m, k)
            ww = np.repeat(w[:, None, :], len(offsets), axis=1)
            return [np.ascontiguousarray(idx, dtype=np.int64), ww.astype(np.float32)]
        hard = knn_vote(nb, w, self.ids_)
        if kind == "embedding":
            return [(hard + offsets).astype(np.int64)]
        scale = np.maximum(self.n_clusters_ - 1, 1)
        return [(hard / scale).astype(np.float32)]

    def _set_token_scaling(self, T: np.ndarray | None) -> None:
        if T is None:
            self._tok_mean = self._tok_std = None
            return
        self._tok_mean = T.mean(axis=0, keepdims=True)
        self._tok_std = T.std(axis=0, keepdims=True) + 1e-6

    def _stats_args(self) -> dict:
        return {"n_classes": self._n_classes if self._task_ == "classification" else 0,
                "smoothing": self.smoothing}

    def _target_features_train(self, y_enc, folds, rows=None, force=False) -> np.ndarray | None:
        """Cross-fitted soft target statistics of the training rows ``rows``.

        None unless the tokens need them (``tokenization="target"``) or ``force``.
        """
        if self.tokenization != "target" and not force:
            return None
        rows = np.arange(len(y_enc)) if rows is None else rows
        return crossfit_features(self._train_nb[rows], self._train_w[rows], self.ids_, y_enc,
                                 folds, rows=rows, **self._stats_args())

    def _target_features_from(self, nb, w, y_enc, rows) -> np.ndarray | None:
        """Soft target statistics with cluster stats from training rows ``rows``."""
        if self.tokenization != "target":
            return None
        stats = cluster_stats(self.ids_, y_enc, rows=rows, **self._stats_args())
        return soft_features(nb, w, self.ids_, stats)

    def _make_attention(self, n_stats: int):
        from .fusion import ConfigAttention

        return ConfigAttention(
            n_configs=len(self.selected_), tokenization=self.tokenization, n_stats=n_stats,
            n_embeddings=int(self.n_clusters_.sum()), d_model=self.d_model,
            n_heads=self.n_heads, n_registers=self.n_registers, use_cls=self.use_cls,
            attn_dropout=self.attn_dropout, residual=self.residual,
        )

    def _n_stats(self) -> int:
        return (self._n_classes + 2) if self._task_ == "classification" else 3

    def _val_rows(self, n: int, seed: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Early-stopping rows (positions 0..n−1 among ``rows``); whole groups if grouped."""
        rng = np.random.default_rng(seed)
        groups = getattr(self, "_groups", None)
        if groups is not None:
            g = groups if rows is None else groups[rows]
            uniq = rng.permutation(np.unique(g))
            n_val = max(1, int(round(self.validation_fraction * len(uniq))))
            val = np.flatnonzero(np.isin(g, uniq[:n_val]))
            if 2 <= len(val) < n:
                return val
        n_val = max(2, int(round(self.validation_fraction * n)))
        return np.sort(rng.permutation(n)[:n_val])

    def _check_groups(self, groups, n: int) -> None:
        if groups is None:
            self._groups = None
            return
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != n:
            raise ValueError(f"groups must be 1-D with one entry per row ({n}), got shape "
                             f"{groups.shape}")
        self._groups = groups

    def _threads(self) -> int:
        """torch threads from ``n_jobs`` (scikit-learn semantics: None → 1, -1 → all)."""
        import os

        if self.n_jobs is None:
            return 1
        if self.n_jobs < 0:
            return max(1, (os.cpu_count() or 1) + 1 + self.n_jobs)
        return max(1, int(self.n_jobs))

    def _train_kwargs(self) -> dict:
        return dict(max_epochs=self.max_epochs, batch_size=self.batch_size,
                    lr=self.learning_rate, patience=self.patience, device=self.device,
                    verbose=self.verbose, n_threads=self._threads())

    def _encode_y(self, y):
        """Classification: class indices; regression: standardised float32."""
        if self._task_ == "classification":
            check_classification_targets(y)
            self._label_encoder = LabelEncoder().fit(y)
            self.classes_ = self._label_encoder.classes_
            self._n_classes = len(self.classes_)
            return self._label_encoder.transform(y).astype(np.int64)
        y = y.astype(np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        self._y_mean, self._y_std = float(y.mean()), float(y.std()) or 1.0
        self._n_classes = 0
        return ((y - self._y_mean) / self._y_std).astype(np.float32)

    def attention_map(self, X) -> np.ndarray:
        """[CLS] → configuration attention weights for the rows of ``X`` (n × m)."""
        from .fusion import predict

        check_is_fitted(self, "extractor_")
        model = getattr(self, "model_", None)
        if model is None or model.attention is None:
            raise ValueError("no configurations were mixed (n_configurations chose none)")
        X = check_features(self, X, reset=False)
        nb, w = self._neighbors_new(X)
        tokens = self._token_arrays(nb, w, self._target_features_from(nb, w, self._y_fit,
                                                                      None))
        return predict(model, None, tokens, device=self.device, what="attention",
                       n_threads=self._threads())


# ============================================================================ end to end
class _GraMixCPredictor(_GraMixCBase):
    """End-to-end ``[features | fused configuration scalars] → MLP head``."""

    def __init__(self, k=15, metric="euclidean", extractor=None, max_clusters="auto",
                 n_configurations="auto", max_configurations=16, tokenization="target",
                 d_model=32, n_heads=1, n_registers=2, use_cls=True, residual=False,
                 attn_dropout=0.1, smoothing=5.0, cv=5, hidden=(256, 128, 64), dropout=0.2,
                 max_epochs=100, batch_size=128, learning_rate=1e-3, patience=10,
                 validation_fraction=0.15, aux_weight=0.5, device="cpu", n_jobs=None,
                 random_state=None, verbose=False):
        super().__init__(
            k=k, metric=metric, extractor=extractor, max_clusters=max_clusters,
            n_configurations=n_configurations, max_configurations=max_configurations,
            tokenization=tokenization, d_model=d_model, n_heads=n_heads,
            n_registers=n_registers, use_cls=use_cls, residual=residual,
            attn_dropout=attn_dropout, smoothing=smoothing, cv=cv, max_epochs=max_epochs,
            batch_size=batch_size, learning_rate=learning_rate, patience=patience,
            validation_fraction=validation_fraction, aux_weight=aux_weight, device=device,
            n_jobs=n_jobs, random_state=random_state, verbose=verbose)
        self.hidden = hidden
        self.dropout = dropout

    def fit(self, X, y, groups=None):
        """Fit configurations, then the MLP with (and, if ``"auto"``, without) them.

        With ``n_configurations="auto"`` both models are trained on the same
        inner split and the one with the lower validation loss is kept — the
        configurations are dropped when they do not help (``use_configurations_``).
        """
        from .fusion import FusionNet, seeded, train

        self._check_params()
        X = check_features(self, X, reset=True, min_samples=max(self.k + 1, 2 * self.cv))
        y = _check_y(y, X.shape[0])
        self._check_groups(groups, X.shape[0])
        self._task_ = self._task
        y_enc = self._encode_y(y)
        if self._task_ == "classification" and self._n_classes < 2:
            raise ValueError("GraMixCClassifier needs at least 2 classes in y, got 1 class")
        s_cfg, s_fold, s_val, s_net, s_base = self._seeds(5)
        self._y_fit = y_enc
        n = X.shape[0]
        self._x_scaler = StandardScaler().fit(X)
        x = self._x_scaler.transform(X).astype(np.float32)
        val = self._val_rows(n, int(s_val))
        n_out = 1 if self._task_ == "regression" else self._n_classes
        if isinstance(self.n_configurations, numbers.Integral) and self.n_configurations == 0:
            # the same MLP without configurations: the baseline "predictor alone"
            with seeded(s_base):
                self.model_ = FusionNet(x.shape[1], None, n_out, hidden=tuple(self.hidden),
                                        dropout=self.dropout)
            self.history_ = train(self.model_, x, [], y_enc, self._task_, int(s_base),
                                  val_rows=val, desc="MLP alone", **self._train_kwargs())
            self.use_configurations_ = False
            self.val_loss_ = self.history_["best_val"]
            return self
        self._fit_configurations(X, s_cfg, y)
        folds = fold_ids(n, self.cv, int(s_fold), groups=self._groups)
        T = self._target_features_train(y_enc, folds)
        self._set_token_scaling(T)
        tokens = self._token_arrays(self._train_nb, self._train_w, T)
        with seeded(s_net):
            model = FusionNet(x.shape[1], self._make_attention(self._n_stats()), n_out,
                              hidden=tuple(self.hidden), dropout=self.dropout)
        hist = train(model, x, tokens, y_enc, self._task_, int(s_net), val_rows=val,
                     aux_weight=self.aux_weight, desc="GraMixC + MLP", **self._train_kwargs())
        self.use_configurations_ = True
        self.history_ = hist
        if self.n_configurations == "auto":
            with seeded(s_base):
                base = FusionNet(x.shape[1], None, n_out, hidden=tuple(self.hidden),
                                 dropout=self.dropout)
            hist_b = train(base, x, [], y_enc, self._task_, int(s_base), val_rows=val,
                           desc="MLP alone", **self._train_kwargs())
            self.baseline_val_loss_ = hist_b["best_val"]
            if hist_b["best_val"] <= hist["best_val"]:
                model, self.use_configurations_, self.history_ = base, False, hist_b
        self.model_ = model
        self.val_loss_ = self.history_["best_val"]
        return self

    def _raw_predict(self, X) -> np.ndarray:
        from .fusion import predict

        check_is_fitted(self, "model_")
        X = check_features(self, X, reset=False)
        x = self._x_scaler.transform(X).astype(np.float32)
        if not self.use_configurations_:
            return predict(self.model_, x, [], device=self.device, n_threads=self._threads())
        nb, w = self._neighbors_new(X)
        T = self._target_features_from(nb, w, self._y_fit, None)
        return predict(self.model_, x, self._token_arrays(nb, w, T), device=self.device,
                       n_threads=self._threads())


class GraMixCRegressor(RegressorMixin, _GraMixCPredictor):
    """End-to-end GraMixC regressor: ``[X | fused configurations] → MLP`` (256-128-64).

    The paper's "3LP + GMC" model. Configurations are found without labels on the
    training rows; tokens default to cross-fitted multi-scale cluster target
    statistics mixed by attention with [CLS] and register tokens. With
    ``n_configurations="auto"`` the same MLP without configurations is trained on
    the same inner split and kept when it validates better (never looks at test
    data).

    Parameters
    ----------
    k, metric : kNN graph parameters (see :class:`ConfigurationExtractor`).
    extractor : ConfigurationExtractor, optional
        Full control of the configuration step (cloned; its ``random_state`` is
        set from ours when None).
    max_clusters : "auto" or int, default="auto"
        Cap on the clusters of a configuration (``"auto"``: ``n_train // 10``).
    n_configurations : "auto", "all", int or list of int, default="auto"
        Which configurations to mix: ``"auto"`` = up to ``max_configurations``
        spread coarse → fine, kept only if they beat the plain MLP on the inner
        validation split; an int = that many spread evenly (``0``: the plain MLP,
        no configurations — the "predictor alone" baseline); a list = indices.
    max_configurations : int, default=16
    tokenization : {"target", "scalar", "embedding", "soft"}, default="target"
    d_model, n_heads, n_registers, use_cls, residual, attn_dropout
        The attention module (:class:`~gramixc.fusion.ConfigAttention`).
    smoothing : float, default=5.0
        Pseudo-rows shrinking cluster statistics towards the global value.
    cv : int, default=5
        Folds for cross-fitting the target statistics of the training rows.
    hidden : tuple of int, default=(256, 128, 64)
    dropout : float, default=0.2
    max_epochs, batch_size, learning_rate, patience, validation_fraction
        Training loop (Adam, early stopping on an inner validation split).
    aux_weight : float, default=0.5
        Deep supervision of the fused scalars (see :func:`gramixc.fusion.train`);
        measured on the cluster-regression task of the tests: +0.03 R² over 0.
    device : {"cpu", "cuda", "auto"}, default="cpu"
    n_jobs : int or None, default=None
        Parallelism, scikit-learn style (None → 1, -1 → all cores): processes for the
        Leiden sweep, threads for neighbour queries and for torch (set during our
        training and inference only, then restored).
    random_state : int, RandomState instance or None
    verbose : bool, default=False

    ``fit(X, y, groups=None)``: with ``groups`` (related rows, e.g. one species),
    cross-fitting folds and the early-stopping split keep every group whole.

    Attributes
    ----------
    extractor_ : ConfigurationExtractor
    selected_ : ndarray
        Indices of the mixed configurations among the capped ones.
    use_configurations_ : bool
        False when "auto" kept the plain MLP.
    model_ : FusionNet
    history_ : dict
        Training and validation losses.

    Examples
    --------
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, _, fine = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> y = (fine % 3).astype(float)
    >>> reg = GraMixCRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _task = "regression"

    def predict(self, X) -> np.ndarray:
        """Predicted targets for the rows of ``X``."""
        out = self._raw_predict(X)[:, 0]
        return out.astype(np.float64) * self._y_std + self._y_mean


class GraMixCClassifier(ClassifierMixin, _GraMixCPredictor):
    """End-to-end GraMixC classifier: ``[X | fused configurations] → MLP`` → classes.

    Same parameters as :class:`GraMixCRegressor`; the tokens' target statistics
    are the cross-fitted class fractions of every cluster (plus impurity and
    size), the loss is cross-entropy.

    Examples
    --------
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, coarse, _ = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> clf = GraMixCClassifier(max_epochs=20, random_state=0).fit(X, coarse)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _task = "classification"

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        logits = self._raw_predict(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Most probable class for the rows of ``X``."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


# ============================================================================ transformer
class GraMixC(TransformerMixin, _GraMixCBase):
    """Plug-and-play GraMixC features for any downstream predictor.

    ``fit(X, y)`` finds and aligns configurations (unsupervised, on all training
    rows) and trains the fusion module (attention over configuration tokens with
    [CLS] and registers, plus a small head predicting ``y``). ``transform(X)``
    returns ``[X | added features]``:

    * ``gramixc_pred`` — the fusion model's prediction (one column per class for
      more than two classes, the positive-class probability for two);
    * ``gramixc_cls`` — the [CLS] scalar (deep-supervised to predict ``y``, so it
      means the same in every cross-fitting fold; regression and binary tasks);
    * with ``features="target"`` or ``"full"``: ``te_cfg{j}_k{K}`` — the soft-vote
      cluster target mean of every configuration (class fractions for more than
      two classes);
    * with ``features="full"``: the per-configuration fused scalars
      (``fused_cfg{j}``) and the aligned ids (``cfg{j}_k{K}``).

    ``fit_transform(X, y)`` returns **cross-fitted** added features for the
    training rows: ``cv`` fold models each predict the rows they did not see
    (their own target statistics cross-fitted again inside), so a downstream
    model cannot memorise ``y`` through them; the final model, fitted on all
    rows, serves ``transform``. As with :class:`sklearn.preprocessing.TargetEncoder`,
    ``fit(X, y).transform(X)`` is *not* the same as ``fit_transform(X, y)`` and
    would leak: use ``fit_transform`` (pipelines do).

    The added columns are standardised (z-scores of the training features), so
    neural and linear heads can use them as they are. With
    ``n_configurations="auto"`` the features are dropped altogether
    (``use_configurations_ = False``, ``transform`` returns ``X``) when the
    fusion model does not beat the constant prediction on held-out training
    rows, or when a reference model (``reference_estimator``) cross-validated on
    the training rows scores no higher with them than without — adding GraMixC
    to a pipeline then changes nothing.

    Parameters
    ----------
    task : {"auto", "regression", "classification"}, default="auto"
        ``"auto"``: a float ``y`` is regression; otherwise
        :func:`sklearn.utils.multiclass.type_of_target` decides (integer, string or
        boolean labels are classes). Set it for integer-coded regression targets.
    features : {"compact", "target", "full"}, default="compact"
        Which columns to add (see above).
    head_hidden : tuple of int, default=(64,)
        Hidden layers of the small head on the fused scalars.
    passthrough : bool, default=True
        Prepend the original features ``X``.
    reference_estimator : estimator, "none" or None, default=None
        The model ``n_configurations="auto"`` uses to decide whether the added
        features help: it is cross-validated on the training rows with and without
        them. None = :class:`~sklearn.ensemble.HistGradientBoostingRegressor` /
        ``Classifier``; pass your downstream model for the most faithful check;
        ``"none"`` skips the check (the fusion model must still beat a constant).
    Other parameters : see :class:`GraMixCRegressor`.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import Ridge
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, _, fine = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> y = (fine % 3).astype(float)
    >>> pipe = make_pipeline(GraMixC(max_epochs=20, random_state=0), Ridge()).fit(X, y)
    >>> pipe.predict(X[:3]).shape
    (3,)
    """

    def __init__(self, k=15, metric="euclidean", extractor=None, max_clusters="auto",
                 n_configurations="auto", max_configurations=16, tokenization="target",
                 d_model=32, n_heads=1, n_registers=2, use_cls=True, residual=False,
                 attn_dropout=0.1, smoothing=5.0, cv=5, task="auto", features="compact",
                 head_hidden=(64,), passthrough=True, reference_estimator=None,
                 max_epochs=100, batch_size=128,
                 learning_rate=1e-3, patience=10, validation_fraction=0.15, aux_weight=0.5,
                 device="cpu", n_jobs=None, random_state=None, verbose=False):
        super().__init__(
            k=k, metric=metric, extractor=extractor, max_clusters=max_clusters,
            n_configurations=n_configurations, max_configurations=max_configurations,
            tokenization=tokenization, d_model=d_model, n_heads=n_heads,
            n_registers=n_registers, use_cls=use_cls, residual=residual,
            attn_dropout=attn_dropout, smoothing=smoothing, cv=cv, max_epochs=max_epochs,
            batch_size=batch_size, learning_rate=learning_rate, patience=patience,
            validation_fraction=validation_fraction, aux_weight=aux_weight, device=device,
            n_jobs=n_jobs, random_state=random_state, verbose=verbose)
        self.task = task
        self.features = features
        self.head_hidden = head_hidden
        self.passthrough = passthrough
        self.reference_estimator = reference_estimator

    # ------------------------------------------------------------------ fitting
    def _prepare(self, X, y, groups=None):
        self._check_params()
        if self.task not in ("auto", "regression", "classification"):
            raise ValueError(f"task must be 'auto', 'regression' or 'classification', got "
                             f"{self.task!r}")
        if isinstance(self.n_configurations, numbers.Integral) and self.n_configurations == 0:
            raise ValueError("n_configurations=0 mixes nothing: use the downstream predictor "
                             "alone (GraMixC would return X unchanged)")
        if self.features not in ("compact", "target", "full"):
            raise ValueError(f"features must be 'compact', 'target' or 'full', got "
                             f"{self.features!r}")
        X = check_features(self, X, reset=True, min_samples=max(self.k + 1, 2 * self.cv))
        y = _check_y(y, X.shape[0])
        self._check_groups(groups, X.shape[0])
        if self.task == "auto":
            # float targets are regression even when integer-valued (scikit-learn's
            # type_of_target would call diabetes' integer-valued float y "multiclass")
            kind = "continuous" if y.dtype.kind == "f" else type_of_target(y)
            self._task_ = "classification" if kind in ("binary", "multiclass") else "regression"
            if kind not in ("binary", "multiclass", "continuous"):
                raise ValueError(f"Unknown label type: GraMixC supports regression and "
                                 f"single-label classification targets; type_of_target(y) = "
                                 f"{kind!r}")
        else:
            self._task_ = self.task
        y_enc = self._encode_y(y)
        if self._task_ == "classification" and self._n_classes < 2:
            raise ValueError("GraMixC classification needs at least 2 classes in y, got 1 class")
        self.task_ = self._task_
        seeds = self._seeds(4 + self.cv)
        self._fit_configurations(X, seeds[0], y)
        self._y_fit = y_enc
        return X, y_enc, seeds

    def _n_out(self) -> int:
        return 1 if self._task_ == "regression" else self._n_classes

    def _fit_model(self, y_enc, rows, folds, seed, T_rows=None):
        """Train a fusion model on training rows ``rows``; return (model, history)."""
        from .fusion import FusionNet, seeded, train

        if T_rows is None:
            T_rows = self._target_features_train(y_enc, folds, rows)
        tokens = self._token_arrays(self._train_nb[rows], self._train_w[rows], T_rows)
        val = self._val_rows(len(rows), seed, rows)
        with seeded(seed):
            model = FusionNet(0, self._make_attention(self._n_stats()), self._n_out(),
                              hidden=tuple(self.head_hidden), dropout=0.1)
        hist = train(model, None, tokens, y_enc[rows], self._task_, int(seed), val_rows=val,
                     aux_weight=self.aux_weight, desc="GraMixC fusion",
                     **self._train_kwargs())
        return model, hist

    def _baseline_loss(self, y_enc, rows) -> float:
        """Validation loss of the constant prediction (the bar "auto" must clear)."""
        y = y_enc[rows]
        if self._task_ == "regression":
            return float(np.mean((y - y.mean()) ** 2))
        p = np.bincount(y, minlength=self._n_classes) / len(y)
        return float(-np.sum(p[p > 0] * np.log(p[p > 0])))

    def _crossfit(self, X, y_enc, seeds):
        """Final model on all rows + out-of-fold added features for the training rows."""
        n = X.shape[0]
        folds = fold_ids(n, self.cv, int(seeds[1]), groups=self._groups)
        T_all = self._target_features_train(y_enc, folds)
        self._set_token_scaling(T_all)
        self.model_, self.history_ = self._fit_model(y_enc, np.arange(n), folds, seeds[2],
                                                     T_rows=T_all)
        val = self._val_rows(n, int(seeds[2]))
        self.baseline_val_loss_ = self._baseline_loss(y_enc, val)
        self.val_loss_ = self.history_["best_val"]
        added = None
        for f in range(self.cv):
            held = np.flatnonzero(folds == f)
            rest = np.flatnonzero(folds != f)
            if held.size == 0:
                continue
            inner = fold_ids(n, self.cv, int(seeds[4 + f]), groups=self._groups)
            saved = (self._tok_mean, self._tok_std)
            T_rest = self._target_features_train(y_enc, inner, rest)
            self._set_token_scaling(T_rest)
            model, _ = self._fit_model(y_enc, rest, inner, seeds[4 + f], T_rows=T_rest)
            T_held = self._target_features_from(self._train_nb[held], self._train_w[held],
                                                y_enc, rest)
            part = self._added_with(model, self._train_nb[held], self._train_w[held], T_held,
                                    T_te=T_held)
            self._tok_mean, self._tok_std = saved
            if added is None:
                added = np.empty((n, part.shape[1]))
            added[held] = part
        # exported target means for training rows: the cross-fitted statistics T_all
        if self.features != "compact":
            if T_all is None:
                T_all = self._target_features_train(y_enc, folds, force=True)
            added[:, self._te_slice()] = self._te_columns(T_all)
        self._set_output_scaling(added)
        self.use_configurations_ = True
        if self.n_configurations == "auto":
            self.use_configurations_ = self._features_help(X, added, y_enc, folds, seeds[3])
        return added

    def _features_help(self, X, added, y_enc, folds, seed) -> bool:
        """Do the added features improve a reference model under cross-validation?

        The fusion model must beat the constant prediction on its validation rows,
        and the reference estimator (default: histogram gradient boosting, the kind
        of tree model that stacked features can mislead) must score higher on
        ``[X | added]`` than on ``X`` over the same ``cv`` folds of the training
        rows. Both checks use training rows only.
        """
        self.reference_scores_ = None
        if not self.val_loss_ < 0.98 * self.baseline_val_loss_:
            return False
        if self.reference_estimator == "none":
            return True
        if self.reference_estimator is None:
            from sklearn.ensemble import (
                HistGradientBoostingClassifier,
                HistGradientBoostingRegressor,
            )

            ref = (HistGradientBoostingRegressor(random_state=int(seed))
                   if self._task_ == "regression"
                   else HistGradientBoostingClassifier(random_state=int(seed)))
        else:
            ref = clone(self.reference_estimator)
        from threadpoolctl import threadpool_limits

        XA = np.hstack([X, (added - self._out_mean) / self._out_std])
        base, plus = [], []
        # OpenMP threads follow n_jobs too: HistGradientBoosting on all cores next to
        # other busy processes spin-waits (measured 3.6x slower on 2 busy cores)
        with threadpool_limits(self._threads(), user_api="openmp"):
            for f in np.unique(folds):
                tr, te = folds != f, folds == f
                base.append(clone(ref).fit(X[tr], y_enc[tr]).score(X[te], y_enc[te]))
                plus.append(clone(ref).fit(XA[tr], y_enc[tr]).score(XA[te], y_enc[te]))
        self.reference_scores_ = {"X": float(np.mean(base)), "X+gramixc": float(np.mean(plus))}
        return float(np.mean(plus)) > float(np.mean(base))

    def fit(self, X, y, groups=None):
        """Fit configurations, the cross-fitted fold models and the final fusion model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            Related rows (e.g. sequences of one species): the cross-fitting folds
            and early-stopping splits keep each group whole, so a row's features
            never read its group mates' targets. In a pipeline:
            ``pipe.fit(X, y, gramixc__groups=groups)``.

        Returns
        -------
        self
        """
        self.fit_transform(X, y, groups=groups)
        return self

    def fit_transform(self, X, y=None, groups=None, **fit_params):
        """Fit, and return cross-fitted ``[X | added features]`` for the training rows."""
        X, y_enc, seeds = self._prepare(X, y, groups)
        added = self._crossfit(X, y_enc, seeds)
        if not self.use_configurations_:
            return X.copy() if self.passthrough else np.zeros((X.shape[0], 0))
        return self._assemble(X, added, ids=self._train_ids_loo())

    # ------------------------------------------------------------------ features
    def _train_ids_loo(self):
        return knn_vote(self._train_nb, self._train_w, self.ids_)

    def _te_columns(self, T: np.ndarray) -> np.ndarray:
        if self._task_ == "regression" or self._n_classes == 2:
            col = 0 if self._task_ == "regression" else 1
            return T[:, :, col]
        return T[:, :, : self._n_classes].reshape(T.shape[0], -1)

    def _n_pred_cols(self) -> int:
        return 1 if (self._task_ == "regression" or self._n_classes == 2) else self._n_classes

    def _has_cls_col(self) -> bool:
        return self.use_cls and (self._task_ == "regression" or self._n_classes == 2)

    def _te_slice(self) -> slice:
        start = self._n_pred_cols() + int(self._has_cls_col())
        width = len(self.selected_) * (1 if self._n_pred_cols() == 1 else self._n_classes)
        return slice(start, start + width)

    def _added_with(self, model, nb, w, T, T_te=None) -> np.ndarray:
        """Added columns (before output scaling) from one fusion model."""
        from .fusion import predict

        tokens = self._token_arrays(nb, w, T)
        out = predict(model, None, tokens, device=self.device,
                      n_threads=self._threads()).astype(np.float64)
        if self._task_ == "classification":
            out -= out.max(axis=1, keepdims=True)
            p = np.exp(out)
            p /= p.sum(axis=1, keepdims=True)
            out = p[:, 1:2] if self._n_classes == 2 else p
        cols = [out]
        fused = None
        if self._has_cls_col() or self.features == "full":
            fused = predict(model, None, tokens, device=self.device, what="fused",
                            n_threads=self._threads())
        if self._has_cls_col():
            cols.append(fused[:, -1:])
        if self.features != "compact":
            Tt = T_te if T_te is not None else T
            if Tt is None:  # non-target tokenisations: statistics just for the export
                Tt = soft_features(nb, w, self.ids_, cluster_stats(self.ids_, self._y_fit,
                                                                   **self._stats_args()))
            cols.append(self._te_columns(Tt))
        if self.features == "full":
            cols.append(fused[:, : len(self.selected_)])
        return np.hstack(cols)

    def _added(self, X, nb, w, T) -> np.ndarray:
        if T is None and self.tokenization == "target":
            T = self._target_features_from(nb, w, self._y_fit, None)
        return self._added_with(self.model_, nb, w, T)

    def _set_output_scaling(self, added: np.ndarray | None) -> None:
        if added is None:
            self._out_mean = self._out_std = None
            return
        self._out_mean = added.mean(axis=0)
        self._out_std = added.std(axis=0) + 1e-9

    def _assemble(self, X, added, ids=None) -> np.ndarray:
        parts = [X] if self.passthrough else []
        if self.use_configurations_:
            parts.append((added - self._out_mean) / self._out_std)
            if self.features == "full":
                parts.append(ids.astype(np.float64))
        if not parts:
            return np.zeros((X.shape[0], 0))
        return np.hstack(parts)

    def transform(self, X):
        """``[X | added features]`` for new rows, from the final fusion model."""
        check_is_fitted(self, "model_")
        X = check_features(self, X, reset=False)
        if not self.use_configurations_:
            return X.copy() if self.passthrough else np.zeros((X.shape[0], 0))
        nb, w = self._neighbors_new(X)
        added = self._added(X, nb, w, None)
        ids = knn_vote(nb, w, self.ids_) if self.features == "full" else None
        return self._assemble(X, added, ids)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Input names (when passed through) followed by the added columns."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self, "model_")
        names = list(_check_feature_names_in(self, input_features)) if self.passthrough else []
        if not self.use_configurations_:
            return np.asarray(names, dtype=object)
        cfg_names = [f"cfg{j}_k{k}" for j, k in zip(self.selected_, self.n_clusters_)]
        if self._n_pred_cols() == 1:
            names.append("gramixc_pred")
        else:
            names += [f"gramixc_pred_{c}" for c in self.classes_]
        if self._has_cls_col():
            names.append("gramixc_cls")
        if self.features != "compact":
            if self._n_pred_cols() == 1:
                names += [f"te_{c}" for c in cfg_names]
            else:
                names += [f"te_{c}_{cl}" for c in cfg_names for cl in self.classes_]
        if self.features == "full":
            names += [f"fused_{c}" for c in cfg_names]
            names += cfg_names
        return np.asarray(names, dtype=object)
