"""What the three supervised estimators share: parameters, checks, the configuration step
and the encoding of rows (:class:`GraMixCBase`). Private: the public classes are in
:mod:`gramixc.estimators`."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._dask import apply_chunkwise
from ._validation import check_features
from .crossfit import Encoding, EncodingSpec, TrainingRows
from .extractor import ConfigurationExtractor
from .fusion_settings import Fusion
from .mixing import fit_mixed, neighbor_sizes
from .tokens import TokenLayout, get_tokenization, token_arrays

__all__ = ["GraMixCBase"]

#: Parameters that hold an object with settings of its own, and what to pass to set them.
_NESTED = {
    "extractor": "extractor=ConfigurationExtractor(...) (the default None builds one per "
                 "fit, mixing.supervised_extractor)",
    "fusion": "fusion=Fusion(...) (None and 'auto' use no settings object; a Fusion is "
              "always trained)",
}


# ============================================================================ shared
class GraMixCBase(BaseEstimator):
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

    def set_params(self, **params):
        """Set parameters, nested ones too (``extractor__k``, ``fusion__d_model``).

        A nested name needs an object under it: with the defaults (``extractor=None``,
        ``fusion=None`` or ``"auto"``) there is none, and the error says what to pass
        (for a grid, the objects themselves: ``{"fusion": [Fusion(d_model=16), ...]}``).
        """
        for key in params:
            head, nested, _ = key.partition("__")
            if nested and head in _NESTED and head not in params:
                current = getattr(self, head, None)
                if not hasattr(current, "set_params"):
                    raise ValueError(
                        f"cannot set {key!r}: {head}={current!r} has no settings to set. "
                        f"Pass {_NESTED[head]} first (or set {head!r} and {key!r} together; "
                        f"in a grid, list the objects: {{{head!r}: [...]}})")
        return super().set_params(**params)

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

    def _fit_configurations(self, X: np.ndarray, seed: int, y, n_classes: int = 0) -> None:
        """Fit the extractor and select the mixed configurations (:mod:`gramixc.mixing`;
        ``n_classes``: of a target whose cluster means become columns)."""
        mixed = fit_mixed(X, y, self.extractor, self.n_configurations, self.n_jobs, seed,
                          self.verbose, n_classes)
        self.extractor_, self.selected_, self.ids_ = mixed.extractor, mixed.selected, mixed.ids
        self.n_clusters_, self.configuration_names_ = mixed.n_clusters, mixed.names
        self.neighbor_sizes_ = neighbor_sizes(self.neighbors, X.shape[0], self.cv)

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
