"""Supervised scikit-learn estimators: `GraMixC`, `GraMixCRegressor`, `GraMixCClassifier`.

All three share one preparation (:class:`_GraMixCBase`):

1. a :class:`~gramixc.ConfigurationExtractor` is fitted on the training rows
   (unsupervised: once, on all of them) and the configurations are capped at
   ``max_clusters`` (finer ones are finer than any predictor can use) and
   thinned to at most ``max_configurations``;
2. every training row gets its nearest *other* training rows (leave-one-out) and
   every new row its nearest training rows — through the extractor's
   :meth:`~gramixc.ConfigurationExtractor.kneighbors` seam — with the graph's
   kernel weights;
3. the learned encodings are fitted on them
   (:class:`~gramixc.target_stats.ClusterTargetEncoder`: cross-fitted soft-vote
   cluster target statistics), and configuration tokens are built by a
   tokenisation class (:mod:`gramixc.tokens`);
4. :class:`~gramixc.fusion.ConfigAttention` mixes the tokens with [CLS] and
   register tokens, a head predicts.

`GraMixC` is a transformer for any downstream predictor: ``fit_transform`` returns
out-of-fold (cross-fitted) features for the training rows, ``transform`` those
of the final encoders and model for new rows, like
:class:`sklearn.preprocessing.TargetEncoder`. Its output columns are a list of
feature blocks (:mod:`gramixc.blocks`). `GraMixCRegressor` and
`GraMixCClassifier` are end-to-end ``[features | fused scalars] → MLP`` models.

The network and training knobs form one parameter group, :class:`Fusion`
(``GraMixC(fusion=Fusion(d_model=64))``; nested names such as
``gramixc__fusion__d_model`` work in ``GridSearchCV``).
"""

from __future__ import annotations

import numbers
import os
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin, clone
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from . import blocks
from ._dask import apply_chunkwise, is_dask_collection
from ._validation import check_features
from .assign import knn_vote, soft_votes
from .configurations import evenly_spaced
from .extractor import ConfigurationExtractor
from .target_stats import (
    ClusterTargetEncoder,
    NeighborTargetEncoder,
    crossfit_neighbors,
    fold_ids,
)
from .tokens import TOKENIZATIONS, NeighborTokens, Tokenization, get_tokenization

#: parameters shared by the three estimators (their docstrings include this text)
_COMMON_PARAMETERS = """\
    extractor : ConfigurationExtractor, optional
        Full control of the configuration step (cloned; its ``random_state`` is
        set from ours when None). Default: ``ConfigurationExtractor(k, metric)``.
    k : int, optional
        Neighbours of the kNN graph (default 15). With ``extractor`` given, set it
        there: a different value here is an error, not silently ignored.
    metric : str, optional
        Distance of the kNN graph (default ``"euclidean"``; ``"cosine"`` suits
        spectra and counts). Same rule as ``k`` with ``extractor``.
    max_clusters : "auto" or int, default="auto"
        Cap on the clusters of a configuration (``"auto"``: ``n_train // 10``).
    n_configurations : "auto", "all", int or list of int, default="auto"
        Which configurations to mix: ``"auto"`` = up to ``max_configurations``
        spread coarse → fine; an int = that many spread evenly; a list = indices
        into the capped configurations.
    max_configurations : int, default=16
        Most configurations mixed by ``n_configurations="auto"``.
    neighbors : tuple of int, default=(5, 15, 50, 150)
        Neighbourhood sizes of the ``knn`` block and of the neighbourhood tokens
        (sizes above half a fold's rest are dropped); ``()`` for none.
    n_seeds : int, default=1
        Leiden runs per mixed scale whose cluster statistics are averaged (the
        configuration itself plus ``n_seeds − 1`` re-runs,
        :meth:`ConfigurationExtractor.resample`); 1 = the configuration alone
        (each extra seed costs one Leiden run per mixed scale).
    shrinkage : {"global", "parent"}, default="global"
        Prior of the smoothed cluster statistics: the global mean, or the parent
        cluster in the next coarser configuration (lineage shrinkage).
    smoothing : float, default=5.0
        Pseudo-rows of that prior.
    cv : int, default=5
        Cross-fitting folds (statistics, fold models, the gate).
    n_repeats : int, default=1
        Repetitions of the cross-fitting with other fold splits; a training row's
        statistics are averaged over them (less fold noise, still never reading
        its own fold).
    test_encoding : {"full", "folds"}, default="full"
        How new rows' neighbour means are read: ``"full"`` = from all training
        rows (as scikit-learn's ``TargetEncoder`` encodes new rows); ``"folds"`` =
        averaged over the cross-fitting fold encoders (each reads the rows outside
        one fold), the way the training rows' own means were built
        (``benchmarks/bench_crossfit.py``: XGBoost +0.001 … +0.003 over ``"full"``
        on diabetes, boston, abalone, breast_cancer, 5 seeds; but the benchmark
        suite with it as the default gained +0.0001 R²/accuracy on average under
        XGBoost, 6 sets better, 4 worse — NCBI 16S −0.012, wine −0.011 —
        ``benchmarks/results/benchmarks_test_encoding_folds.json``). Cluster
        statistics are always read from all rows.
"""

#: parameters of the end-to-end estimators beyond the shared ones
_PREDICTOR_PARAMETERS = """\
    hidden : tuple of int, default=(256, 128, 64)
        Hidden layers of the MLP.
    dropout : float, default=0.2
        Dropout of the MLP's hidden layers.
    fusion : Fusion, optional
        Attention module and training settings (default ``Fusion()``).
    n_jobs : int or None, default=None
        Parallelism, scikit-learn style (None → 1, -1 → all cores): processes for the
        Leiden sweep and threads for the neighbour queries; torch runs single-threaded
        (``TORCH_THREADS``) so that results do not depend on ``n_jobs``.
    random_state : int, RandomState instance or None
        Seeds every random step (graph index, Leiden runs, folds, torch).
    verbose : bool, default=False
        Progress bars and training losses.
"""


def _document(cls):
    """Fill the shared parameter descriptions into ``cls``'s docstring."""
    cls.__doc__ = (cls.__doc__.replace("%(common_parameters)s", _COMMON_PARAMETERS)
                   .replace("%(predictor_parameters)s", _PREDICTOR_PARAMETERS))
    return cls


__all__ = ["Fusion", "GraMixC", "GraMixCRegressor", "GraMixCClassifier", "FEATURE_SETS",
           "AUTO_CANDIDATES", "FUSION_CANDIDATES", "DIRECT_CANDIDATES"]


#: torch's intra-op threads for every training and inference: float32 reductions split
#: across threads sum in another order (outputs differed by ~1e-7 between n_jobs=1 and
#: 2), and results must not depend on n_jobs.
TORCH_THREADS = 1


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


def _is_number(v) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _check_tokens(tokens, n: int) -> np.ndarray | None:
    """External per-sample tokens as a float64 ``(n, R, d)`` array (``(n, d)`` is one token)."""
    if tokens is None:
        return None
    E = np.asarray(tokens)
    if E.dtype.kind not in "fiub":
        raise ValueError(f"tokens must be numeric (n_samples, n_tokens, dim), got dtype {E.dtype}")
    E = E.astype(np.float64)
    if E.ndim == 2:
        E = E[:, None, :]
    if E.ndim != 3 or 0 in E.shape[1:]:
        raise ValueError("tokens must have shape (n_samples, n_tokens, dim), or (n_samples, dim) "
                         f"for one token per sample; got shape {np.shape(tokens)}")
    if E.shape[0] != n:
        raise ValueError(f"tokens has {E.shape[0]} rows but X has {n}: pass one set of tokens "
                         "per row of X, in the same order")
    if not np.isfinite(E).all():
        raise ValueError("tokens contain NaN or infinity")
    return E


def _chunkwise(est, method, X, n_out, dtype, tokens):
    """``est.<method>`` block by block on a dask ``X`` (see :mod:`gramixc._dask`)."""
    check_is_fitted(est)
    if tokens is not None:
        raise ValueError("external tokens with a dask X: apply the method to numpy blocks "
                         "with their tokens (X and tokens must be split alike)")
    return apply_chunkwise(est, method, X, n_out, dtype)


def _check_groups(groups, n: int) -> np.ndarray | None:
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n:
        raise ValueError(f"groups must be 1-D with one entry per row ({n}), got shape "
                         f"{groups.shape}")
    return groups


def _check_device_name(device) -> None:
    """``"cpu"``, ``"auto"``, ``"cuda"`` or ``"cuda:N"`` — checked without importing torch."""
    ok = device in ("cpu", "auto", "cuda") or (
        isinstance(device, str) and device.startswith("cuda:") and device[5:].isdigit())
    if not ok:
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}")


# ============================================================================ settings
class Fusion(BaseEstimator):
    """Settings of the fusion model: the attention module and its training.

    A parameter group (no fitting of its own): pass it as ``fusion=`` to
    :class:`GraMixC`, :class:`GraMixCRegressor` or :class:`GraMixCClassifier`.
    It is validated with the estimator, before any training, and its parameters
    are nested parameters of the estimator (``fusion__d_model``), so
    ``GridSearchCV`` can tune them.

    Parameters
    ----------
    tokenization : {"target", "scalar", "embedding", "soft"} or Tokenization, default="target"
        How a configuration becomes a token (:mod:`gramixc.tokens`): cross-fitted
        soft-vote cluster target statistics (default), the paper's aligned scalar
        ids, cluster embeddings, or soft-voted cluster embeddings.
    d_model : int, default=32
        Token width.
    n_heads : int, default=1
        Attention heads (``d_model`` must be divisible by it).
    n_registers : int, default=2
        Learnable register tokens (ViT-style; 0 allowed).
    use_cls : bool, default=True
        A learnable [CLS] token; its scalar is exported by :class:`GraMixC`.
    residual : bool, default=False
        Residual connection and a feed-forward block around the attention.
    readout : {"mixed", "select"}, default="select"
        ``"mixed"``: every scalar reads its position after attention (the paper's
        module). ``"select"``: each token's scalar is a prediction from that token
        alone and the [CLS] scalar their average weighted by the [CLS] attention —
        attention that selects scales per sample
        (see :class:`~gramixc.fusion.ConfigAttention`).
    attn_dropout : float, default=0.1
    aux_weight : float, default=0.5
        Deep supervision of the fused scalars (see :func:`gramixc.fusion.train`).
    max_epochs : int, default=60
    batch_size : "auto" or int, default="auto"
        Rows per training step; ``"auto"``: a sixteenth of the training rows, between
        32 and 512 (at least 16 steps per epoch on small tables, where 512-row batches
        left the attention nearly uniform: relative entropy 0.94 against 0.79 with
        64-row batches on ``make_scale_switch``).
    learning_rate : float, default=3e-3
    patience : int, default=6
        Early stopping: epochs without improvement of the validation loss.
    validation_fraction : float, default=0.15
        Share of the training rows (whole groups when grouped) held out for early
        stopping.
    max_samples : "auto", int or None, default="auto"
        Train each model on at most this many rows (a seeded random subset;
        predictions still cover every row). ``"auto"``: 4096 for the fold models
        of :class:`GraMixC` (a stacker of a few tokens needs no more, and its cost
        then stays flat in n), all rows for the end-to-end estimators, whose MLP
        also reads ``X``. None: all rows.
    device : {"cpu", "cuda", "cuda:N", "auto"}, default="cpu"

    Examples
    --------
    >>> from gramixc import GraMixC, Fusion
    >>> g = GraMixC(fusion=Fusion(d_model=16, max_epochs=20))
    >>> g.get_params()["fusion__d_model"]
    16
    """

    _parameter_constraints: dict = {
        "tokenization": [StrOptions(set(TOKENIZATIONS)), Tokenization],
        "d_model": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_heads": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_registers": [Interval(numbers.Integral, 0, None, closed="left")],
        "use_cls": ["boolean"],
        "residual": ["boolean"],
        "readout": [StrOptions({"mixed", "select"})],
        "attn_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "aux_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 2, None,
                                                      closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(numbers.Real, 0, 0.5, closed="neither")],
        "max_samples": [StrOptions({"auto"}), None, Interval(numbers.Integral, 16, None,
                                                              closed="left")],
        "device": [str],
    }

    def __init__(self, tokenization="target", d_model: int = 32, n_heads: int = 1,
                 n_registers: int = 2, use_cls: bool = True, residual: bool = False,
                 readout: str = "select", attn_dropout: float = 0.1,
                 aux_weight: float = 0.5, max_epochs: int = 60, batch_size="auto",
                 learning_rate: float = 3e-3, patience: int = 6,
                 validation_fraction: float = 0.15, max_samples="auto",
                 device: str = "cpu") -> None:
        self.tokenization = tokenization
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_registers = n_registers
        self.use_cls = use_cls
        self.residual = residual
        self.readout = readout
        self.attn_dropout = attn_dropout
        self.aux_weight = aux_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.max_samples = max_samples
        self.device = device

    def validate(self) -> None:
        """Raise a clear error for any invalid setting (never imports torch)."""
        self._validate_params()
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by "
                             f"n_heads={self.n_heads}")
        if self.readout == "select" and not self.use_cls:
            raise ValueError("readout='select' needs use_cls=True (the [CLS] row selects)")
        _check_device_name(self.device)


# ============================================================================ shared core
class _GraMixCBase(BaseEstimator):
    """Shared parameters, validation and the configuration → neighbours → encodings steps."""

    _task: str | None = None  # fixed by the regressor / classifier

    _parameter_constraints: dict = {
        "extractor": [None, ConfigurationExtractor],
        "k": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "metric": [None, str],
        "max_clusters": [StrOptions({"auto"}), Interval(numbers.Integral, 2, None,
                                                        closed="left")],
        "n_configurations": [StrOptions({"auto", "all"}),
                             Interval(numbers.Integral, 0, None, closed="left"), "array-like"],
        "max_configurations": [Interval(numbers.Integral, 1, None, closed="left")],
        "neighbors": ["array-like"],
        "n_seeds": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_repeats": [Interval(numbers.Integral, 1, None, closed="left")],
        "test_encoding": [StrOptions({"full", "folds"})],
        "shrinkage": [StrOptions({"global", "parent"})],
        "smoothing": [Interval(numbers.Real, 0, None, closed="left")],
        "cv": [Interval(numbers.Integral, 2, None, closed="left")],
        "fusion": [None, Fusion],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------ checks
    def _fusion(self) -> Fusion:
        return self.fusion if self.fusion is not None else Fusion()

    def _validate(self) -> None:
        """Every parameter, before any work (scikit-learn's constraints + cross-checks)."""
        self._validate_params()
        self._fusion().validate()
        sizes = np.asarray(self.neighbors).ravel()
        if sizes.size and (sizes.dtype.kind not in "iu" or sizes.min() < 1):
            raise ValueError(f"neighbors must be positive integers (neighbourhood sizes), got "
                             f"{self.neighbors!r}")
        if self.extractor is not None:
            ext_params = self.extractor.get_params()
            for name in ("k", "metric"):
                mine = getattr(self, name)
                if mine is not None and mine != ext_params[name]:
                    raise ValueError(
                        f"{name}={mine!r} conflicts with extractor.{name}="
                        f"{ext_params[name]!r}: set it on the extractor (or leave {name}=None)")

    def _k(self) -> int:
        if self.extractor is not None:
            return int(self.extractor.k)
        return 15 if self.k is None else int(self.k)

    def _seeds(self, n: int) -> np.ndarray:
        return check_random_state(self.random_state).randint(0, 2**31 - 1, size=n)

    def _fold_splits(self, n: int, seed: int, groups=None) -> list[np.ndarray]:
        """``n_repeats`` cross-fitting splits; the first is ``fold_ids(n, cv, seed)``."""
        splits = [fold_ids(n, self.cv, int(seed), groups=groups)]
        extra = np.random.SeedSequence([int(seed), 104729]).generate_state(self.n_repeats - 1)
        splits += [fold_ids(n, self.cv, int(s), groups=groups) for s in extra]
        return splits

    def _threads(self) -> int:
        """Threads from ``n_jobs`` for the gate's reference model (scikit-learn semantics:
        None → 1, -1 → all); torch always runs on ``TORCH_THREADS``."""
        if self.n_jobs is None:
            return 1
        if self.n_jobs < 0:
            return max(1, (os.cpu_count() or 1) + 1 + self.n_jobs)
        return max(1, int(self.n_jobs))

    def _check_device_available(self) -> None:
        """Fail before any work when CUDA is asked for and absent."""
        device = self._fusion().device
        if device != "cpu":
            from .fusion import resolve_device

            resolve_device(device)

    def _train_kwargs(self, n_rows: int) -> dict:
        """Training settings for ``n_rows`` training rows (``batch_size="auto"`` resolved)."""
        f = self._fusion()
        batch = (int(np.clip(n_rows // 16, 32, 512)) if f.batch_size == "auto"
                 else f.batch_size)
        return dict(max_epochs=f.max_epochs, batch_size=batch, lr=f.learning_rate,
                    patience=f.patience, device=f.device, verbose=self.verbose,
                    n_threads=TORCH_THREADS)

    # ------------------------------------------------------------------ targets
    def _encode_y(self, y):
        """Classification: class indices; regression: standardised float32."""
        if self.task_ == "classification":
            check_classification_targets(y)
            self._label_encoder = LabelEncoder().fit(y)
            self.classes_ = self._label_encoder.classes_
            self._n_classes = len(self.classes_)
            codes = self._label_encoder.transform(y).astype(np.int64)
            counts = np.bincount(codes, minlength=self._n_classes)
            if self._n_classes >= 2 and counts.min() < 2:
                lonely = [str(c) for c, m in zip(self.classes_, counts) if m < 2]
                warnings.warn(
                    f"{type(self).__name__}: class(es) {lonely} have a single row: the "
                    "cross-fitted statistics of that row never see its class, and the "
                    "folds cannot be stratified for it. Merge rare classes or drop them.",
                    UserWarning, stacklevel=3)
            return codes
        if y.dtype.kind in "OUS":
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError):
                bad = next((v for v in y.ravel() if not _is_number(v)), None)
                raise ValueError(
                    f"{type(self).__name__} is a regression: y must be numeric, got a "
                    f"non-numeric value {str(bad)!r}. For class labels use GraMixCClassifier "
                    "(or GraMixC(task='classification'))."
                ) from None
        y = y.astype(np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        self._y_mean, self._y_std = float(y.mean()), float(y.std()) or 1.0
        self._n_classes = 0
        return ((y - self._y_mean) / self._y_std).astype(np.float32)

    def _n_stats(self) -> int:
        return (self._n_classes + 2) if self.task_ == "classification" else 3

    def _n_out(self) -> int:
        return 1 if self.task_ == "regression" else self._n_classes

    # ------------------------------------------------------------------ configurations
    def _make_extractor(self, seed: int, n: int, cap: int) -> ConfigurationExtractor:
        if self.extractor is None:
            # at most max_configurations scales are mixed, none finer than the cap: the
            # sweep stops where clusters reach the cap's mean size and skips refinement
            # (the envelope's extra crossings only add configurations between ones kept)
            return ConfigurationExtractor(k=self._k(),
                                          metric="euclidean" if self.metric is None
                                          else self.metric, refine=False,
                                          min_cluster_size=max(5.0, n / cap),
                                          n_jobs=self.n_jobs, random_state=int(seed))
        ext = clone(self.extractor)
        if ext.get_params().get("random_state") is None:
            ext.set_params(random_state=int(seed))
        return ext

    def _fit_configurations(self, X: np.ndarray, seed: int, y=None):
        """Fit the extractor, cap and select configurations; return the training rows'
        leave-one-out neighbours and vote weights.

        ``y`` reaches the extractor only when it aligns ids to class labels
        (``align="labels"``); the configurations themselves never see it.
        """
        n = X.shape[0]
        cap = max(2, n // 10) if self.max_clusters == "auto" else int(self.max_clusters)
        ext = self._make_extractor(seed, n, cap)
        ext.set_params(max_clusters=min(cap, ext.max_clusters or cap), verbose=self.verbose)
        self.extractor_ = ext.fit(X, y if ext.align == "labels" else None)
        K = self.extractor_.configurations_.n_clusters
        self.selected_ = self._select(len(K))
        self.ids_ = self.extractor_.configurations_.ids[:, self.selected_]
        self.n_clusters_ = K[self.selected_]
        self.configuration_names_ = [f"cfg{j}_k{k}" for j, k in
                                     zip(self.selected_, self.n_clusters_)]
        self.tokenization_ = get_tokenization(self._fusion().tokenization)
        self.neighbor_sizes_ = self._neighbor_sizes(n)
        self.token_names_ = (list(self.configuration_names_)
                             + [f"knn{k}" for k in self.neighbor_sizes_]
                             + [f"ext{r}" for r in range(getattr(self, "n_external_", 0))])
        self.n_tokens_ = len(self.token_names_)
        dist, nb = self.extractor_.kneighbors()
        return nb, self.extractor_.vote_weights(dist)

    def _neighbor_sizes(self, n: int) -> list[int]:
        """Requested neighbourhood sizes that fit in a cross-fitting fold's rest (≤ half)."""
        sizes = sorted({int(k) for k in np.asarray(self.neighbors).ravel()})
        if not sizes:
            return []
        room = max(1, (n * (self.cv - 1) // self.cv) // 2)
        kept = [k for k in sizes if k <= room]
        return kept or [min(sizes[0], room)]

    def _seed_bags(self, seed: int) -> list[np.ndarray]:
        """The mixed configurations plus ``n_seeds − 1`` re-runs of their scales (bags)."""
        bags = [self.ids_]
        if self.n_seeds > 1:
            bags += self.extractor_.resample(self.selected_, self.n_seeds - 1,
                                             random_state=int(seed))
        return bags

    def _big_neighbors(self, X=None) -> np.ndarray | None:
        """Enough nearest training rows for every neighbourhood size (None without sizes;
        new rows from the target search when ``neighbor_metric="target"``)."""
        if not self.neighbor_sizes_:
            return None
        n_train = self.ids_.shape[0]
        target = getattr(self, "target_neighbors_", None)
        if target is not None and X is None:
            # training rows' neighbours come from the target search, fold by fold
            # (_outside_neighbors); no graph query to start from
            return np.empty((n_train, 0), dtype=np.int64)
        enc = NeighborTargetEncoder(self.neighbor_sizes_)
        k = enc.n_neighbors_needed(self.cv)
        k = min(k, n_train - 1 if X is None else n_train)
        if target is not None:
            return target.kneighbors(X, k)
        return self.extractor_.kneighbors(X, n_neighbors=k)[1]

    def _select(self, m: int) -> np.ndarray:
        """Indices (into the capped configurations) named by ``n_configurations``."""
        nc = self.n_configurations
        if isinstance(nc, str):
            return evenly_spaced(m, m if nc == "all" else self.max_configurations)
        if isinstance(nc, numbers.Integral):
            return evenly_spaced(m, nc)
        sel = np.asarray(nc, dtype=int).ravel()
        if sel.size == 0 or sel.min() < -m or sel.max() >= m:
            raise ValueError(f"n_configurations indices must lie in [0, {m}), got {nc!r}")
        return np.unique(sel % m)

    def _neighbors_new(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dist, nb = self.extractor_.kneighbors(X)
        return nb, self.extractor_.vote_weights(dist)

    # ------------------------------------------------------------------ encodings, tokens
    def _cluster_encoder(self) -> ClusterTargetEncoder:
        return ClusterTargetEncoder(n_classes=self._n_classes, smoothing=self.smoothing,
                                    shrink=self.shrinkage)

    def _neighbor_encoder(self) -> NeighborTargetEncoder:
        return NeighborTargetEncoder(self.neighbor_sizes_, n_classes=self._n_classes,
                                     bag_folds=self.test_encoding == "folds")

    def _encodings(self, y_enc, nb, w, nb_big, folds, rows=None, clusters=True):
        """Fitted encoders and cross-fitted encodings of training rows ``rows`` (all: None).

        Returns ``(cluster_encoder, T, neighbor_encoder, M)``; an encoder is None
        when it is not needed (``clusters=False``; no neighbourhood sizes).
        """
        cenc = T = nenc = M = None
        if clusters:
            cenc = self._cluster_encoder()
            sub = slice(None) if rows is None else rows
            T = cenc.fit_crossfit(self.bags_, y_enc, nb[sub], w[sub], folds, rows=rows)
        if nb_big is not None:
            nenc = self._neighbor_encoder()
            splits = list(folds) if isinstance(folds, (list, tuple)) else [folds]
            outside = [self._outside_neighbors(nb_big, f, rows=rows, usable=rows) for f in splits]
            M = nenc.fit_crossfit(y_enc, outside, splits, rows=rows)
        return cenc, T, nenc, M

    def _outside_neighbors(self, nb_big, folds, rows=None, usable=None) -> np.ndarray:
        """The ``max(neighbor_sizes_)`` nearest (``usable``) training rows of ``rows``
        outside their fold: ``nb_big`` first, deeper queries where it falls short."""
        rows = np.arange(len(folds)) if rows is None else np.asarray(rows)
        target = getattr(self, "target_neighbors_", None)
        if target is not None:
            return target.outside(folds, max(self.neighbor_sizes_), rows=rows, usable=usable)
        ext = self.extractor_
        return crossfit_neighbors(lambda r, n: ext.kneighbors(rows=r, n_neighbors=n)[1],
                                  folds, max(self.neighbor_sizes_), rows=rows, usable=usable,
                                  first=nb_big[rows])

    def _tokens(self, nb, w, cenc, T, nenc=None, M=None, E=None) -> list[np.ndarray]:
        """Network inputs for rows with neighbours ``nb``/weights ``w``: the configuration
        tokens (``T``: their cluster statistics from ``cenc``, when the tokenisation needs
        them), then the neighbourhood tokens (``M`` from ``nenc``) when mixed, then the
        rows' standardised external tokens ``E`` when the model has them."""
        tok = self.tokenization_
        stats = cenc.standardize(T) if tok.uses_target_stats else None
        arrays = tok.arrays(nb, w, self.ids_, self.n_clusters_, stats)
        if self.neighbor_sizes_:
            arrays = arrays + NeighborTokens().arrays(nb, w, self.ids_, self.n_clusters_,
                                                      nenc.standardize(M))
        if E is not None:
            arrays = arrays + [E]
        return arrays

    def _fit_external(self, tokens, n: int) -> np.ndarray | None:
        """Validate the training rows' external tokens, keep their scaling, return them
        standardised (float32; None without tokens)."""
        E = _check_tokens(tokens, n)
        if E is None:
            self.n_external_ = self.external_dim_ = 0
            return None
        self.n_external_, self.external_dim_ = int(E.shape[1]), int(E.shape[2])
        self.external_mean_ = E.mean(axis=0)
        self.external_scale_ = E.std(axis=0) + 1e-6
        return ((E - self.external_mean_) / self.external_scale_).astype(np.float32)

    def _external(self, tokens, n: int) -> np.ndarray | None:
        """New rows' external tokens, validated against the fitted shape and standardised."""
        R, d = getattr(self, "n_external_", 0), getattr(self, "external_dim_", 0)
        if tokens is None:
            if R:
                raise ValueError(f"the model was fitted with external tokens (n, {R}, {d}): "
                                 "pass tokens= for these rows too")
            return None
        if not R:
            raise ValueError("tokens= was passed, but the model was fitted without external "
                             "tokens (fit with tokens= to use them)")
        E = _check_tokens(tokens, n)
        if E.shape[1:] != (R, d):
            raise ValueError(f"tokens have shape (n, {E.shape[1]}, {E.shape[2]}) but the model "
                             f"was fitted with (n, {R}, {d})")
        return ((E - self.external_mean_) / self.external_scale_).astype(np.float32)

    def _make_attention(self):
        from .fusion import ConfigAttention

        f = self._fusion()
        return ConfigAttention(
            n_configs=len(self.selected_), tokenization=self.tokenization_,
            n_stats=self._n_stats(), n_embeddings=int(self.n_clusters_.sum()),
            d_model=f.d_model, n_heads=f.n_heads, n_registers=f.n_registers,
            use_cls=f.use_cls, attn_dropout=f.attn_dropout, residual=f.residual,
            readout=f.readout, n_neighbor_tokens=len(self.neighbor_sizes_),
            neighbor_stats=NeighborTargetEncoder(n_classes=self._n_classes).n_stats,
            n_external=getattr(self, "n_external_", 0),
            external_dim=getattr(self, "external_dim_", 0),
        )

    def _val_rows(self, n: int, seed: int, groups=None) -> np.ndarray:
        """Early-stopping rows (positions 0..n−1); whole groups when ``groups``."""
        rng = np.random.default_rng(seed)
        frac = self._fusion().validation_fraction
        if groups is not None:
            uniq = rng.permutation(np.unique(groups))
            n_val = max(1, int(round(frac * len(uniq))))
            val = np.flatnonzero(np.isin(groups, uniq[:n_val]))
            if 2 <= len(val) < n:
                return val
        n_val = max(2, int(round(frac * n)))
        return np.sort(rng.permutation(n)[:n_val])

    def _new_rows(self, X):
        """Neighbours of new rows: ``(nb, w, nb_big)``."""
        nb, w = self._neighbors_new(X)
        return nb, w, self._big_neighbors(X)

    def _new_row_tokens(self, X, E=None):
        nb, w, nb_big = self._new_rows(X)
        cenc, nenc = self.encoder_, self.neighbor_encoder_
        T = cenc.transform(nb, w) if cenc is not None else None
        M = nenc.transform(nb_big) if nenc is not None else None
        return nb, w, T, self._tokens(nb, w, cenc, T, nenc, M, E)

    def attention_map(self, X, tokens=None) -> np.ndarray:
        """[CLS] → token attention weights for the rows of ``X`` (n × tokens).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            The rows' external tokens, when the model was fitted with them.

        Returns
        -------
        ndarray of shape (n_samples, n_tokens)
            One column per entry of ``token_names_``.
        """
        return self._fusion_view(X, tokens, "attention")

    def _fusion_view(self, X, tokens, what: str) -> np.ndarray:
        """``predict(..., what=what)`` of the fitted fusion model for the rows of ``X``."""
        from .fusion import predict

        check_is_fitted(self, "extractor_")
        model = getattr(self, "model_", None)
        if model is None or getattr(model, "attention", None) is None:
            raise ValueError("no configurations were mixed (n_configurations chose none)")
        X = check_features(self, X, reset=False)
        *_, arrays = self._new_row_tokens(X, self._external(tokens, X.shape[0]))
        return predict(model, None, arrays, device=self._fusion().device, what=what,
                       n_threads=TORCH_THREADS)


# ============================================================================ end to end
class _GraMixCPredictor(_GraMixCBase):
    """End-to-end ``[features | fused configuration scalars] → MLP head``."""

    _parameter_constraints: dict = {
        **_GraMixCBase._parameter_constraints,
        "hidden": ["array-like"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    }

    def __init__(self, extractor=None, k=None, metric=None, max_clusters="auto",
                 n_configurations="auto", max_configurations=16, neighbors=(5, 15, 50, 150),
                 n_seeds=1, shrinkage="global", smoothing=5.0, cv=5, n_repeats=1,
                 test_encoding="full", hidden=(256, 128, 64), dropout=0.2, fusion=None,
                 n_jobs=None, random_state=None, verbose=False):
        self.extractor = extractor
        self.k = k
        self.metric = metric
        self.max_clusters = max_clusters
        self.n_configurations = n_configurations
        self.max_configurations = max_configurations
        self.neighbors = neighbors
        self.n_seeds = n_seeds
        self.shrinkage = shrinkage
        self.smoothing = smoothing
        self.cv = cv
        self.n_repeats = n_repeats
        self.test_encoding = test_encoding
        self.hidden = hidden
        self.dropout = dropout
        self.fusion = fusion
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, groups=None, tokens=None):
        """Fit configurations, then the MLP with (and, if ``"auto"``, without) them.

        With ``n_configurations="auto"`` both models are trained on the same
        inner split and the one with the lower validation loss is kept — the
        configurations are dropped when they do not help (``use_configurations_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            Related rows (e.g. one species): cross-fitting folds and the
            early-stopping split keep every group whole.
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            External per-sample tokens (e.g. a Vision Transformer's register
            tokens) mixed by the attention beside the configuration tokens, each
            projected to the fusion width with a learned embedding of its own;
            standardised per token and dimension on the training rows. ``predict``
            then needs the new rows' tokens too.

        Returns
        -------
        self
        """
        from .fusion import FusionNet, seeded, train

        self._validate()
        self._check_device_available()
        X = check_features(self, X, reset=True, min_samples=max(self._k() + 1, 2 * self.cv))
        y = _check_y(y, X.shape[0])
        groups = _check_groups(groups, X.shape[0])
        E = self._fit_external(tokens, X.shape[0])
        if E is not None and isinstance(self.n_configurations, numbers.Integral) \
                and self.n_configurations == 0:
            raise ValueError("n_configurations=0 trains the plain MLP, which reads no tokens: "
                             "drop tokens= or mix configurations")
        self.task_ = self._task
        y_enc = self._encode_y(y)
        if self.task_ == "classification" and self._n_classes < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 classes in y, got 1 class")
        s_cfg, s_fold, s_val, s_net, s_base = self._seeds(5)
        n = X.shape[0]
        self._x_scaler = StandardScaler().fit(X)
        x = self._x_scaler.transform(X)
        self._x_range = (x.min(axis=0), x.max(axis=0))
        x = x.astype(np.float32)
        cap = self._fusion().max_samples
        sub = None  # max_samples as an integer: train on a seeded subset of the rows
        if isinstance(cap, numbers.Integral) and n > cap:
            sub = np.sort(np.random.default_rng(int(s_val)).choice(n, int(cap), replace=False))
        val = self._val_rows(n if sub is None else len(sub), int(s_val),
                             None if groups is None else
                             (groups if sub is None else groups[sub]))
        n_out = self._n_out()

        def rows(a):
            return a if sub is None else a[sub]

        def mlp_alone():
            with seeded(s_base):
                base = FusionNet(x.shape[1], None, n_out, hidden=tuple(self.hidden),
                                 dropout=self.dropout)
            hist = train(base, rows(x), [], rows(y_enc), self.task_, int(s_base), val_rows=val,
                         desc="MLP alone", **self._train_kwargs(len(rows(y_enc))))
            return base, hist

        if isinstance(self.n_configurations, numbers.Integral) and self.n_configurations == 0:
            # the same MLP without configurations: the baseline "predictor alone"
            self.model_, self.history_ = mlp_alone()
            self.use_configurations_ = False
            self.val_loss_ = self.history_["best_val"]
            return self
        nb, w = self._fit_configurations(X, s_cfg, y)
        folds = self._fold_splits(n, s_fold, groups)
        self.bags_ = (self._seed_bags(s_base) if self.tokenization_.uses_target_stats
                      else [self.ids_])
        self.encoder_, T, self.neighbor_encoder_, M = self._encodings(
            y_enc, nb, w, self._big_neighbors(), folds,
            clusters=self.tokenization_.uses_target_stats)
        tokens = self._tokens(nb, w, self.encoder_, T, self.neighbor_encoder_, M, E)
        with seeded(s_net):
            model = FusionNet(x.shape[1], self._make_attention(), n_out,
                              hidden=tuple(self.hidden), dropout=self.dropout)
        hist = train(model, rows(x), [rows(t) for t in tokens], rows(y_enc), self.task_,
                     int(s_net), val_rows=val,
                     aux_weight=self._fusion().aux_weight, desc="GraMixC + MLP",
                     **self._train_kwargs(len(rows(y_enc))))
        self.use_configurations_ = True
        self.history_ = hist
        if self.n_configurations == "auto":
            base, hist_b = mlp_alone()
            self.baseline_val_loss_ = hist_b["best_val"]
            if hist_b["best_val"] <= hist["best_val"]:
                model, self.use_configurations_, self.history_ = base, False, hist_b
        self.model_ = model
        self.val_loss_ = self.history_["best_val"]
        return self

    def token_embeddings(self, X, tokens=None) -> np.ndarray:
        """The token embeddings the attention reads, for the rows of ``X``.

        Each token (configurations, neighbourhood sizes, external tokens — the
        order of ``token_names_``) as the fusion model embeds it before attention,
        positional embedding included: vectors of one space, so their similarities
        compare configurations with external tokens (e.g. a ViT's registers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            The rows' external tokens, when the model was fitted with them.

        Returns
        -------
        ndarray of shape (n_samples, n_tokens, d_model)
        """
        return self._fusion_view(X, tokens, "tokens")

    def _raw_predict(self, X, tokens=None) -> np.ndarray:
        from .fusion import predict

        check_is_fitted(self, "model_")
        X = check_features(self, X, reset=False)
        E = self._external(tokens, X.shape[0])
        # far-out-of-range rows are clipped to the training range (finite in float32)
        x = np.clip(self._x_scaler.transform(X), *self._x_range).astype(np.float32)
        device = self._fusion().device
        if not self.use_configurations_:
            return predict(self.model_, x, [], device=device, n_threads=TORCH_THREADS)
        *_, arrays = self._new_row_tokens(X, E)
        return predict(self.model_, x, arrays, device=device, n_threads=TORCH_THREADS)


@_document
class GraMixCRegressor(RegressorMixin, _GraMixCPredictor):
    """End-to-end GraMixC regressor: ``[X | fused configurations] → MLP`` (256-128-64).

    The paper's "3LP + GMC" model. Configurations are found without labels on the
    training rows; tokens default to cross-fitted multi-scale cluster target
    statistics mixed by attention with [CLS] and register tokens. With
    ``n_configurations="auto"`` the same MLP without configurations is trained on
    the same inner split and kept when it validates better (never looks at test
    data); ``n_configurations=0`` is the plain MLP (the "predictor alone"
    baseline). ``fit(X, y, groups=None)``: with ``groups`` (related rows, e.g. one
    species), cross-fitting folds and the early-stopping split keep every group
    whole.

    Parameters
    ----------
%(common_parameters)s%(predictor_parameters)s
    Attributes
    ----------
    extractor_ : ConfigurationExtractor
    selected_ : ndarray
        Indices of the mixed configurations among the capped ones.
    encoder_ : ClusterTargetEncoder or None
        The cluster target statistics of the training rows (target tokens).
    use_configurations_ : bool
        False when "auto" kept the plain MLP.
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
            return _chunkwise(self, "predict", X, None, np.float64, tokens)
        out = self._raw_predict(X, tokens)[:, 0]
        return out.astype(np.float64) * self._y_std + self._y_mean


@_document
class GraMixCClassifier(ClassifierMixin, _GraMixCPredictor):
    """End-to-end GraMixC classifier: ``[X | fused configurations] → MLP`` → classes.

    The tokens' target statistics are the cross-fitted class fractions of every
    cluster (plus impurity and size), the loss is cross-entropy.

    Parameters
    ----------
%(common_parameters)s%(predictor_parameters)s
    Attributes
    ----------
    classes_ : ndarray
        The class labels, in the order of ``predict_proba``'s columns.
    extractor_, selected_, encoder_, use_configurations_, model_, history_
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
        """Class probabilities, columns in the order of ``classes_`` (``tokens``: the
        rows' external tokens, when the model was fitted with them; a dask ``X``:
        block by block)."""
        if is_dask_collection(X):
            return _chunkwise(self, "predict_proba", X, len(self.classes_), np.float64, tokens)
        logits = self._raw_predict(X, tokens).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X, tokens=None) -> np.ndarray:
        """Most probable class for the rows of ``X`` (``tokens`` as in ``predict_proba``)."""
        if is_dask_collection(X):
            return _chunkwise(self, "predict", X, None, self.classes_.dtype, tokens)
        proba = self.predict_proba(X, tokens)
        return self.classes_[np.argmax(proba, axis=1)]


# ============================================================================ transformer
#: Named column sets of :class:`GraMixC` (block keys of :mod:`gramixc.blocks`).
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "neighbors": ("knn",),
    "clusters": ("te",),
    "neighbors+clusters": ("knn", "te"),
    "votes": ("soft",),
    "compact": ("pred", "cls"),
    "all": ("pred", "cls", "knn", "te"),
    "full": ("pred", "cls", "knn", "te", "fused", "ids"),
}
#: The candidates ``features="auto"`` chooses among (besides "none"): the encodings,
#: which cost no network training.
AUTO_CANDIDATES = ("neighbors", "clusters", "neighbors+clusters")
#: Candidates the gate judges by the reference model alone (its linear stacker cannot
#: judge a wide sparse block; see :func:`gramixc.gate.choose_feature_set`). ``"votes"``
#: is opt-in (``features=AUTO_CANDIDATES + ("votes",)``): refitting the reference on
#: ``[X | votes]`` (hundreds to thousands of columns) multiplies the gate's cost.
DIRECT_CANDIDATES = ("votes",)
#: ``AUTO_CANDIDATES`` plus the sets that train the fusion model in every fold
#: (``features=FUSION_CANDIDATES`` lets the gate weigh them too, at their cost).
FUSION_CANDIDATES = AUTO_CANDIDATES + ("compact", "all")

_BLOCKS = {b.key: b for b in (blocks.PredictionBlock(), blocks.ClsBlock(),
                              blocks.TargetMeanBlock(), blocks.NeighborMeanBlock(),
                              blocks.FusedBlock(), blocks.IdsBlock(),
                              blocks.SoftVoteBlock())}


@_document
class GraMixC(TransformerMixin, _GraMixCBase):
    """Plug-and-play GraMixC features for any downstream predictor.

    ``fit(X, y)`` finds and aligns configurations (unsupervised, on all training
    rows), learns the cross-fitted target encodings of their clusters and of the
    rows' neighbourhoods, and — only when a feature set in play needs it — trains
    the fusion module (attention over configuration and neighbourhood tokens with
    [CLS] and registers, plus a small head predicting ``y``). ``transform(X)``
    returns ``[X | added columns]``, from these blocks:

    * ``knn{k}`` — the target mean of the ``k`` nearest training rows, for every
      size in ``neighbors`` (class fractions for more than two classes);
    * ``te_cfg{j}_k{K}`` — the soft-vote cluster target mean of every mixed
      configuration, averaged over ``n_seeds`` Leiden runs of its scale;
    * ``gramixc_pred`` — the fusion model's prediction (one column per class for
      more than two classes, the positive-class probability for two) and
      ``gramixc_cls``, the [CLS] scalar (regression and binary tasks);
    * with ``features="full"`` also the per-token fused scalars
      (``fused_...``) and the aligned ids (``cfg{j}_k{K}``);
    * with ``features="votes"`` (opt-in; or among a list, judged by the reference
      alone, see :data:`DIRECT_CANDIDATES`) the soft-vote fraction of every
      cluster of every mixed configuration (``vote_cfg{j}_k{K}_c{c}``; reads no
      target).

    **Which columns.** With the default ``features="auto"`` GraMixC *chooses*,
    on the training rows only, among no columns at all, ``"neighbors"``,
    ``"clusters"`` and ``"neighbors+clusters"`` (``AUTO_CANDIDATES``; none of them
    trains a network): a reference model (``reference_estimator``) is
    cross-validated on ``X``, a small stacker tests what each set adds to its
    out-of-fold predictions, and the reference refitted on ``[X | set]`` must
    confirm the widest set that passed (see :mod:`gramixc.gate`);
    ``gate_report_`` records every score, the choice and its reason (printed with
    ``verbose=True``). When nothing clears the bar, ``transform`` returns ``X``
    unchanged. A list of names restricts the choice (``FUSION_CANDIDATES`` adds
    the fusion sets ``"compact"`` and ``"all"``); one name forces that set.

    **No leakage.** ``fit_transform(X, y)`` returns **cross-fitted** columns for
    the training rows: every statistic of a row in fold ``f`` is computed
    without fold ``f``, and the fusion output of fold ``f`` comes from a model
    trained without it (on statistics cross-fitted again inside). New rows are
    described by the statistics of all training rows, and by the average of the
    ``cv`` fold models, each reading the statistics it was trained with — so
    training and new rows look alike by construction. As with
    :class:`sklearn.preprocessing.TargetEncoder`, ``fit(X, y).transform(X)`` is
    *not* ``fit_transform(X, y)`` and would leak: use ``fit_transform``
    (pipelines do). The added columns are standardised on the training rows.

    Parameters
    ----------
%(common_parameters)s    task : {"auto", "regression", "classification"}, default="auto"
        ``"auto"``: a float ``y`` is regression; otherwise
        :func:`sklearn.utils.multiclass.type_of_target` decides (integer, string or
        boolean labels are classes). Set it for integer-coded regression targets.
    features : "auto", a name of :data:`FEATURE_SETS` or a list of names, default="auto"
        See "Which columns" above.
    passthrough : bool, default=True
        Prepend the original features ``X``.
    reference_estimator : estimator or None, default=None
        The gate's first-stage model, cross-validated on ``X``. None =
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor` / ``Classifier``;
        pass your downstream model for the most faithful check.
    neighbor_metric : {"graph", "target"}, default="graph"
        Where the neighbour means (``knn{k}``) find their neighbours. ``"graph"``:
        the extractor's (every standardised feature alike, the configurations'
        space). ``"target"``: the standardised features weighted by their absolute
        correlation with the target (:mod:`gramixc.target_metric`), the weights
        cross-fitted with the means — a training row's neighbours are searched in
        the space weighted from the other folds' rows only. Costs one neighbour
        index per fold (and per nested fold for the gate). Measured better on small
        tables of a few informative features, worse on the 16S k-mer tables
        (1,280 features; ``docs/algorithms.md`` §7).
    head_hidden : tuple of int, default=(64,)
        Hidden layers of the fusion model's head.
    fusion : Fusion, optional
        Attention module and training settings (default ``Fusion()``).
    n_jobs : int or None, default=None
        None → 1, -1 → all cores (sweep processes, neighbour queries, the gate's
        reference-model threads; torch is single-threaded); results do not depend
        on it.
    random_state : int, RandomState instance or None
    verbose : bool, default=False
        Progress bars, and the gate's report.

    Attributes
    ----------
    extractor_ : ConfigurationExtractor
    selected_, n_clusters_ : ndarray
        The mixed configurations (indices among the capped ones) and their sizes.
    encoder_ : ClusterTargetEncoder or None
        Cluster target statistics of all training rows (serve ``transform``).
    neighbor_encoder_ : NeighborTargetEncoder or None
    target_neighbors_ : TargetWeightedNeighbors or None
        The target-weighted neighbour search (``neighbor_metric="target"``).
    fold_models_ : list
        ``(model, cluster encoder, neighbour encoder)`` of every fold; their
        average serves the fusion columns of new rows.
    layout_ : list of FeatureBlock
        The added column blocks, in order (empty when nothing is added).
    gate_report_ : GateReport or None
        The gate's measurements and decision (``features="auto"`` or a list).
    feature_set_ : str
        The feature set added (``"none"``: nothing).
    timings_ : dict
        Seconds spent in each stage of the last fit (configurations, encodings,
        fold_encodings, fusion, gate).
    use_configurations_ : bool
        Whether any column is added.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import Ridge
    >>> from gramixc import Fusion
    >>> from gramixc.synthetic import make_hierarchical_blobs
    >>> X, _, fine = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    >>> y = (fine % 3).astype(float)
    >>> pipe = make_pipeline(GraMixC(fusion=Fusion(max_epochs=20), random_state=0), Ridge())
    >>> pipe.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> pipe[0].gate_report_.chosen in ("none",) + AUTO_CANDIDATES
    True
    """

    _parameter_constraints: dict = {
        **_GraMixCBase._parameter_constraints,
        "task": [StrOptions({"auto", "regression", "classification"})],
        "features": [StrOptions({"auto", *FEATURE_SETS}), list, tuple],
        "passthrough": ["boolean"],
        "reference_estimator": [None, HasMethods(["fit", "predict"])],
        "neighbor_metric": [StrOptions({"graph", "target"})],
        "head_hidden": ["array-like"],
    }

    def __init__(self, extractor=None, k=None, metric=None, max_clusters="auto",
                 n_configurations="auto", max_configurations=16, neighbors=(5, 15, 50, 150),
                 n_seeds=1, shrinkage="global", smoothing=5.0, cv=5, n_repeats=1,
                 test_encoding="full", task="auto",
                 features="auto", passthrough=True, reference_estimator=None,
                 neighbor_metric="graph", head_hidden=(64,), fusion=None, n_jobs=None,
                 random_state=None, verbose=False):
        self.extractor = extractor
        self.k = k
        self.metric = metric
        self.max_clusters = max_clusters
        self.n_configurations = n_configurations
        self.max_configurations = max_configurations
        self.neighbors = neighbors
        self.n_seeds = n_seeds
        self.shrinkage = shrinkage
        self.smoothing = smoothing
        self.cv = cv
        self.n_repeats = n_repeats
        self.test_encoding = test_encoding
        self.task = task
        self.features = features
        self.passthrough = passthrough
        self.reference_estimator = reference_estimator
        self.neighbor_metric = neighbor_metric
        self.head_hidden = head_hidden
        self.fusion = fusion
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def _candidates(self) -> tuple[list[str], bool]:
        """The feature-set names in play and whether the gate chooses among them."""
        f = self.features
        if isinstance(f, str):
            return (list(AUTO_CANDIDATES), True) if f == "auto" else ([f], False)
        names = list(f)
        bad = [c for c in names if c not in FEATURE_SETS]
        if not names or bad:
            raise ValueError(f"features must be 'auto', one of {sorted(FEATURE_SETS)} or a "
                             f"non-empty list of them, got {f!r}")
        return names, True

    def _prepare(self, X, y, groups=None, tokens=None):
        self._validate()
        self._candidates()
        if isinstance(self.n_configurations, numbers.Integral) and self.n_configurations == 0:
            raise ValueError("n_configurations=0 mixes nothing: use the downstream predictor "
                             "alone (GraMixC would return X unchanged)")
        self._check_device_available()
        X = check_features(self, X, reset=True, min_samples=max(self._k() + 1, 2 * self.cv))
        y = _check_y(y, X.shape[0])
        groups = _check_groups(groups, X.shape[0])
        E = self._fit_external(tokens, X.shape[0])
        if E is not None and not any(set(FEATURE_SETS[c]) & {"pred", "cls", "fused"}
                                     for c in self._candidates()[0]):
            raise ValueError(f"tokens= feed the fusion model, which features={self.features!r} "
                             "does not train: use features='compact', 'all', 'full' or "
                             "FUSION_CANDIDATES")
        if self.task == "auto":
            # float targets are regression even when integer-valued (scikit-learn's
            # type_of_target would call diabetes' integer-valued float y "multiclass")
            kind = "continuous" if y.dtype.kind == "f" else type_of_target(y)
            if kind not in ("binary", "multiclass", "continuous"):
                raise ValueError(f"Unknown label type: GraMixC supports regression and "
                                 f"single-label classification targets; type_of_target(y) = "
                                 f"{kind!r}")
            self.task_ = "classification" if kind in ("binary", "multiclass") else "regression"
        else:
            self.task_ = self.task
        y_enc = self._encode_y(y)
        if self.task_ == "classification" and self._n_classes < 2:
            raise ValueError("GraMixC classification needs at least 2 classes in y, got 1 class")
        seeds = self._seeds(4 + self.cv)
        t0 = time.perf_counter()
        nb, w = self._fit_configurations(X, seeds[0], y)
        self.timings_ = {"configurations": time.perf_counter() - t0}
        return X, y_enc, groups, seeds, nb, w, E

    def _layout(self, name: str) -> list:
        if name == "none":
            return []
        has_cls = self._fusion().use_cls and (self.task_ == "regression"
                                              or self._n_classes == 2)
        keys = [k for k in FEATURE_SETS[name] if k != "cls" or has_cls]
        if not self.neighbor_sizes_:
            keys = [k for k in keys if k != "knn"]
        return [_BLOCKS[k] for k in keys]

    def _fit_fusion(self, y_enc, rows, tokens, seed, groups):
        """Train a fusion model on training rows ``rows`` (their ``tokens``), on at most
        ``max_samples`` of them."""
        from .fusion import FusionNet, seeded, train

        cap = self._fusion().max_samples
        cap = 4096 if cap == "auto" else cap
        if cap is not None and len(rows) > cap:
            keep = np.sort(np.random.default_rng(int(seed)).choice(len(rows), cap,
                                                                    replace=False))
            rows = rows[keep]
            tokens = [t[keep] for t in tokens]
        val = self._val_rows(len(rows), seed, None if groups is None else groups[rows])
        with seeded(seed):
            model = FusionNet(0, self._make_attention(), self._n_out(),
                              hidden=tuple(self.head_hidden), dropout=0.1)
        hist = train(model, None, tokens, y_enc[rows], self.task_, int(seed), val_rows=val,
                     aux_weight=self._fusion().aux_weight, desc="GraMixC fusion",
                     **self._train_kwargs(len(rows)))
        return model, hist

    def _fusion_parts(self, model, tokens, need: set) -> dict:
        """``out`` (probabilities for classes) and ``fused`` scalars of ``model``."""
        from .fusion import predict

        parts = {}
        device = self._fusion().device
        if "out" in need:
            out = predict(model, None, tokens, device=device,
                          n_threads=TORCH_THREADS).astype(np.float64)
            if self.task_ == "classification":
                out -= out.max(axis=1, keepdims=True)
                p = np.exp(out)
                p /= p.sum(axis=1, keepdims=True)
                out = p[:, 1:2] if self._n_classes == 2 else p
            parts["out"] = out
        if "fused" in need:
            parts["fused"] = predict(model, None, tokens, device=device, what="fused",
                                     n_threads=TORCH_THREADS)
        return parts

    def _crossfit(self, X, y_enc, groups, seeds, nb, w, E=None) -> dict:
        """Encoders on all rows, fold models, out-of-fold parts of the training rows, gate."""
        n = X.shape[0]
        names, choose = self._candidates()
        layouts = {c: self._layout(c) for c in names}
        need = {blk.part for lay in layouts.values() for blk in lay}
        uses_stats = self.tokenization_.uses_target_stats
        needs_model = bool(need & {"out", "fused"})
        splits = self._fold_splits(n, seeds[1], groups)
        folds = splits[0]
        clock = time.perf_counter()

        def lap(name):
            nonlocal clock
            now = time.perf_counter()
            self.timings_[name] = now - clock
            clock = now

        self.bags_ = (self._seed_bags(seeds[2])
                      if "cluster_stats" in need or (needs_model and uses_stats)
                      else [self.ids_])
        self.target_neighbors_ = None
        if self.neighbor_metric == "target" and self.neighbor_sizes_:
            from .target_metric import TargetWeightedNeighbors

            Y = (np.eye(self._n_classes)[y_enc] if self.task_ == "classification"
                 else y_enc.reshape(-1, 1))
            self.target_neighbors_ = TargetWeightedNeighbors(
                metric=self.extractor_.metric, random_state=int(seeds[1])).fit(X, Y)
        nb_big = (self._big_neighbors()
                  if "neighbor_means" in need or (needs_model and self.neighbor_sizes_)
                  else None)
        self.encoder_, T, self.neighbor_encoder_, M = self._encodings(
            y_enc, nb, w, nb_big, splits, clusters="cluster_stats" in need)
        oof: dict = {"cluster_stats": T, "neighbor_means": M}
        lap("encodings")
        # per fold: encoders refitted on the other folds (cross-fitted again inside),
        # shared by the fold models and the gate's second stage
        fold_enc = {}
        if needs_model or choose:
            fold_enc = self._fold_encodings(
                y_enc, groups, seeds, nb, w, nb_big, folds,
                clusters="cluster_stats" in need or (needs_model and uses_stats))
        lap("fold_encodings")
        self.fold_models_ = []
        if needs_model:
            self._fit_fold_models(y_enc, groups, seeds, nb, w, nb_big, fold_enc, need, oof, E)
        lap("fusion")
        if "ids" in need:
            oof["ids"] = knn_vote(nb, w, self.ids_)  # leave-one-out vote, like new rows
        if "soft_votes" in need:
            oof["soft_votes"] = self._soft_votes(nb, w)
        self.scaling_ = {}
        for blk in {b.key: b for lay in layouts.values() for b in lay}.values():
            if blk.standardize:
                v = np.asarray(blk.values(self, oof), dtype=np.float64)
                self.scaling_[blk.key] = (v.mean(axis=0), v.std(axis=0) + 1e-9)
        self.gate_report_ = None
        chosen = names[0]
        if choose:
            from .gate import choose_feature_set

            cands = {c: blocks.assemble(self, layouts[c], oof, self.scaling_)
                     for c in names if layouts[c]}
            encoded = [c for c in cands
                       if {b.part for b in layouts[c]} <= {"cluster_stats", "neighbor_means"}]

            def nested(f):
                rest, held, _, T_rest, _, M_rest, T_held, M_held = fold_enc[f]
                parts_r = {"cluster_stats": T_rest, "neighbor_means": M_rest}
                parts_h = {"cluster_stats": T_held, "neighbor_means": M_held}
                return {c: (blocks.assemble(self, layouts[c], parts_r, self.scaling_),
                            blocks.assemble(self, layouts[c], parts_h, self.scaling_))
                        for c in encoded}

            self.gate_report_ = choose_feature_set(
                X, y_enc, self.task_, folds, cands, reference=self.reference_estimator,
                fold_candidates=nested, groups=groups, seed=int(seeds[3]),
                n_threads=self._threads(), direct=DIRECT_CANDIDATES)
            chosen = self.gate_report_.chosen
            if self.verbose:
                print(self.gate_report_)
        lap("gate")
        self.feature_set_ = chosen
        self.layout_ = layouts.get(chosen, [])
        self.use_configurations_ = bool(self.layout_)
        return oof

    def _fold_encodings(self, y_enc, groups, seeds, nb, w, nb_big, folds, clusters) -> dict:
        """For every fold ``f``: ``(rest, held, cluster encoder, T_rest, neighbour encoder,
        M_rest, T_held, M_held)`` — encoders fitted on the other folds, their rows
        cross-fitted again inside (inner folds), fold ``f`` encoded from them."""
        n = len(y_enc)
        out = {}
        for f in np.unique(folds):
            held = np.flatnonzero(folds == f)
            rest = np.flatnonzero(folds != f)
            inner = self._fold_splits(n, seeds[4 + int(f) % self.cv], groups)
            cenc, T_rest, nenc, M_rest = self._encodings(y_enc, nb, w, nb_big, inner, rows=rest,
                                                         clusters=clusters)
            T_held = cenc.transform(nb[held], w[held]) if cenc is not None else None
            M_held = (nenc.transform(self._outside_neighbors(nb_big, folds, rows=held))
                      if nenc is not None else None)
            out[f] = (rest, held, cenc, T_rest, nenc, M_rest, T_held, M_held)
        return out

    def _fit_fold_models(self, y_enc, groups, seeds, nb, w, nb_big, fold_enc, need, oof,
                         E=None):
        """Fold model f: trained on the other folds with their re-cross-fitted encodings
        (``fold_enc``), predicting fold f; kept with its encoders for new rows."""
        n = len(y_enc)

        def ext(rows):
            return None if E is None else E[rows]

        for f, (rest, held, cenc, T_rest, nenc, M_rest, T_held, M_held) in fold_enc.items():
            model, _ = self._fit_fusion(
                y_enc, rest,
                self._tokens(nb[rest], w[rest], cenc, T_rest, nenc, M_rest, ext(rest)),
                seeds[4 + int(f) % self.cv], groups)
            tokens = self._tokens(nb[held], w[held], cenc, T_held, nenc, M_held, ext(held))
            for key, val_f in self._fusion_parts(model, tokens, need & {"out", "fused"}).items():
                if key not in oof:
                    oof[key] = np.empty((n, val_f.shape[1]))
                oof[key][held] = val_f
            self.fold_models_.append((model, cenc, nenc))

    def fit(self, X, y, groups=None, tokens=None):
        """Fit configurations, encoders and fold models, and choose the added columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            Related rows (e.g. sequences of one species): the cross-fitting folds
            and early-stopping splits keep each group whole, so a row's features
            never read its group mates' targets. In a pipeline:
            ``pipe.fit(X, y, gramixc__groups=groups)``.
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            External per-sample tokens (e.g. a Vision Transformer's register
            tokens) the fusion model mixes beside the configuration tokens; only
            feature sets that train it use them (``"compact"``, ``"all"``,
            ``"full"``, ``FUSION_CANDIDATES``). ``transform`` then needs the new
            rows' tokens whenever the chosen set reads the fusion model.

        Returns
        -------
        self
        """
        self.fit_transform(X, y, groups=groups, tokens=tokens)
        return self

    def fit_transform(self, X, y=None, groups=None, tokens=None, **fit_params):
        """Fit, and return cross-fitted ``[X | added columns]`` for the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            As in :meth:`fit`.
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            As in :meth:`fit`.
        **fit_params : dict
            Not used (accepted for pipelines).

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
        """
        X, y_enc, groups, seeds, nb, w, E = self._prepare(X, y, groups, tokens)
        oof = self._crossfit(X, y_enc, groups, seeds, nb, w, E)
        return self._output(X, oof)

    # ------------------------------------------------------------------ output
    def _output(self, X, parts) -> np.ndarray:
        cols = [X] if self.passthrough else []
        if self.use_configurations_:
            cols.append(blocks.assemble(self, self.layout_, parts, self.scaling_))
        if not cols:
            return np.zeros((X.shape[0], 0))
        return np.hstack(cols) if len(cols) > 1 else cols[0].copy()

    def _fold_tokens(self, nb, w, nb_big, E=None):
        """Tokens of new rows as every fold model saw its held-out rows."""
        for model, cenc, nenc in self.fold_models_:
            T = cenc.transform(nb, w) if cenc is not None else None
            M = nenc.transform(nb_big) if nenc is not None else None
            yield model, self._tokens(nb, w, cenc, T, nenc, M, E)

    def _new_row_parts(self, X, tokens=None) -> dict:
        nb, w, nb_big = self._new_rows(X)
        need = {blk.part for blk in self.layout_}
        parts: dict = {}
        model_need = need & {"out", "fused"}
        E = (self._external(tokens, X.shape[0]) if model_need or tokens is not None
             else None)
        if model_need:
            acc: dict = {}
            for model, arrays in self._fold_tokens(nb, w, nb_big, E):
                for key, v in self._fusion_parts(model, arrays, model_need).items():
                    acc[key] = acc.get(key, 0.0) + v
            parts = {key: v / len(self.fold_models_) for key, v in acc.items()}
        if "cluster_stats" in need:
            parts["cluster_stats"] = self.encoder_.transform(nb, w)
        if "neighbor_means" in need:
            parts["neighbor_means"] = self.neighbor_encoder_.transform(nb_big)
        if "ids" in need:
            parts["ids"] = knn_vote(nb, w, self.ids_)
        if "soft_votes" in need:
            parts["soft_votes"] = self._soft_votes(nb, w)
        return parts

    def _soft_votes(self, nb, w) -> np.ndarray:
        """Dense soft-vote fractions of every cluster of the mixed configurations."""
        return soft_votes(nb, w, self.ids_, self.n_clusters_).toarray()

    def transform(self, X, tokens=None):
        """``[X | added columns]`` for new rows, from the fitted encoders and fold models.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            The rows' external tokens: needed when the model was fitted with them
            and the chosen columns read the fusion model.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self, "layout_")
        if is_dask_collection(X):
            return _chunkwise(self, "transform", X, len(self.get_feature_names_out()),
                              np.float64, tokens)
        X = check_features(self, X, reset=False)
        if not self.use_configurations_:
            if tokens is not None:
                self._external(tokens, X.shape[0])  # validated, not silently ignored
            return self._output(X, {})
        return self._output(X, self._new_row_parts(X, tokens))

    def attention_map(self, X, tokens=None) -> np.ndarray:
        """[CLS] → token attention for the rows of ``X``, averaged over the fold models.

        Columns: the mixed configurations (coarse → fine), then the neighbourhood
        sizes, then the external tokens (``token_names_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            The rows' external tokens, when the model was fitted with them.

        Returns
        -------
        ndarray of shape (n_samples, n_tokens)
            One column per entry of ``token_names_``.
        """
        from .fusion import predict

        check_is_fitted(self, "layout_")
        if not self.fold_models_:
            raise ValueError("no fusion model was trained (the feature sets in play do not "
                             "use it); fit with features='compact' or 'auto'")
        X = check_features(self, X, reset=False)
        nb, w, nb_big = self._new_rows(X)
        E = self._external(tokens, X.shape[0])
        maps = [predict(model, None, arrays, device=self._fusion().device, what="attention",
                        n_threads=TORCH_THREADS)
                for model, arrays in self._fold_tokens(nb, w, nb_big, E)]
        return np.mean(maps, axis=0)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Input names (when passed through) followed by the added columns."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self, "layout_")
        names = list(_check_feature_names_in(self, input_features)) if self.passthrough else []
        if self.use_configurations_:
            names += blocks.block_names(self, self.layout_)
        return np.asarray(names, dtype=object)
