"""Parameter descriptions shared by the estimators' docstrings (one text, one place)."""

from __future__ import annotations

__all__ = ["CONFIGURATION_PARAMETERS", "FIT_PARAMETERS", "PREDICTOR_PARAMETERS", "RUN_PARAMETERS",
           "document"]

#: The configuration and encoding parameters of all three estimators.
CONFIGURATION_PARAMETERS = """\
    extractor : ConfigurationExtractor or None, default=None
        The configuration step: the kNN graph (``k``, ``metric``, …) and the Leiden
        sweep. None: ``ConfigurationExtractor(refine=False, max_clusters=C,
        min_cluster_size=n / C)`` with ``C = max(2, n // 10)`` for ``n`` training rows:
        no configuration finer than ``C`` clusters (finer than a predictor can use), so
        the sweep stops there, without the envelope refinement (20,000 × 50: 13.4 s →
        4.6 s, the mixed configurations alike). A given extractor is cloned, its
        ``max_clusters`` capped at ``C`` and its ``random_state`` drawn from ours when
        None; everything else is used as given (e.g.
        ``ConfigurationExtractor(metric="cosine", refine=False)`` for spectra and counts).
    n_configurations : "auto", "all", int or list of int, default="auto"
        Which of the extractor's configurations to mix (coarse → fine): ``"auto"`` =
        up to 16 spread evenly; ``"all"``; an int = that many
        spread evenly; a list = their indices.
    neighbors : tuple of int, default=(5, 15, 50, 150)
        Sizes ``k`` of the neighbour means, the cross-fitted target mean of a row's
        ``k`` nearest training rows (sizes above half a fold's rest are dropped);
        ``()`` for none.
    cv : int, default=5
        Cross-fitting folds (encodings, fold models, the gate).
"""

#: The parameters of the end-to-end estimators beyond the shared ones.
PREDICTOR_PARAMETERS = """\
    hidden : tuple of int, default=(256, 128, 64)
        Hidden layers of the MLP (dropout 0.2 after each).
    fusion : "auto", Fusion or None, default="auto"
        The fusion network that mixes the configurations into the MLP's input.
        ``"auto"``: ``Fusion()``, kept only when it validates better than the same MLP
        without it trained on the same split (``uses_fusion_``); a ``Fusion``: those
        settings, always used; None: the plain MLP on ``X`` (the "predictor alone"
        baseline; it trains with ``Fusion()``'s training settings).
"""

#: The run parameters of all three estimators.
RUN_PARAMETERS = """\
    n_jobs : int or None, default=None
        Parallelism, scikit-learn style (None → 1, −1 → all cores): processes for the
        Leiden sweep, threads for the neighbour queries and the gate's reference
        model. torch runs single-threaded, so results never depend on ``n_jobs``.
    random_state : int, RandomState instance or None, default=None
        Seeds every random step (graph index, Leiden runs, folds, models).
    verbose : bool, default=False
        Progress bars, training losses and the gate's report.
"""


#: The parameters of every estimator's ``fit`` (method docstrings, 8 spaces).
FIT_PARAMETERS = """\
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), optional
            Related rows (e.g. sequences of one species): the cross-fitting folds and
            early-stopping splits keep each group whole, so a row's encodings never read
            its group mates' targets. In a pipeline: ``pipe.fit(X, y, gramixc__groups=g)``.
        tokens : array-like of shape (n_samples, n_tokens, dim), optional
            External per-sample tokens (e.g. a Vision Transformer's register tokens) that
            the fusion network mixes beside the configuration tokens, each projected to its
            width with a learned embedding of its own (standardised on the training rows);
            new rows then need theirs too. Needs a fusion network.
        **fit_params
            None accepted: an unknown name (a typo such as ``group=``, or
            ``sample_weight``) is an error, never silently dropped.
"""
_PLACES = {"%(configuration_parameters)s": CONFIGURATION_PARAMETERS,
           "%(predictor_parameters)s": PREDICTOR_PARAMETERS,
           "%(run_parameters)s": RUN_PARAMETERS,
           "%(fit_parameters)s": FIT_PARAMETERS}


def _fill(doc: str) -> str:
    for key, text in _PLACES.items():
        doc = doc.replace(key, text)
    return doc


def document(cls):
    """Fill the shared parameter descriptions into the docstrings of ``cls`` and of the
    ``fit`` it defines or inherits."""
    cls.__doc__ = _fill(cls.__doc__)
    fit = getattr(cls, "fit", None)
    if fit is not None and fit.__doc__ and "%(" in fit.__doc__:
        fit.__doc__ = _fill(fit.__doc__)
    return cls
