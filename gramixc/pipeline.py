"""A pipeline whose GraMixC step is judged by the model that will read its columns.

:class:`~gramixc.GraMixC` decides on the training rows which columns to add (its gate,
:mod:`gramixc.gate`), and the last word is a reference model refitted with them. In a
plain :func:`sklearn.pipeline.make_pipeline` the transformer cannot see the model after
it, so that reference is a stand-in: histogram gradient boosting. For a tree model
downstream that is a fair proxy; for a linear one it is not — a tree refuses neighbour
means that a linear model gains from, because it can already bend to what they encode.
Over 28 datasets × 3 seeds (``docs/benchmarks.md``) Ridge gained significantly on 2
datasets with the stand-in judge and on 8 when judged by itself, with no loss either way.

:func:`make_pipeline` builds the pipeline and hands every GraMixC step whose
``reference_estimator`` is None a clone of the steps after it as its judge.
"""

from __future__ import annotations

from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.pipeline import make_pipeline as _sklearn_make_pipeline

from .estimators import GraMixC

__all__ = ["make_pipeline"]


def make_pipeline(*steps, memory=None, verbose: bool = False) -> Pipeline:
    """:func:`sklearn.pipeline.make_pipeline`, with each GraMixC step judged by the steps
    after it.

    Every :class:`~gramixc.GraMixC` step whose ``reference_estimator`` is None is
    replaced by a clone of itself whose ``reference_estimator`` is a clone of the
    remaining steps (the last one alone, or a pipeline of them): the gate then keeps a
    column set only if the model that will read it scores better with it, out of fold
    on the training rows. The steps you pass are not modified; ``pipe[0]`` is the step
    that is fitted. A ``reference_estimator`` you set is kept.

    The judge is a copy made now: parameters set later on the downstream steps
    (``pipe.set_params(ridge__alpha=10)``) do not reach it; set them before.

    Parameters
    ----------
    *steps : estimators
        As for :func:`sklearn.pipeline.make_pipeline`; the last one must be a
        predictor when a GraMixC step precedes it.
    memory, verbose
        Passed to :func:`sklearn.pipeline.make_pipeline`.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    ValueError
        When a GraMixC step has no step after it, or the steps after it do not end in
        a model with ``fit`` and ``predict`` (nothing could judge its columns).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.preprocessing import StandardScaler
    >>> from gramixc import GraMixC, make_pipeline
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-3, 3, size=(300, 2))
    >>> y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=300)
    >>> pipe = make_pipeline(GraMixC(random_state=0), StandardScaler(), Ridge())
    >>> pipe[0].reference_estimator
    Pipeline(steps=[('standardscaler', StandardScaler()), ('ridge', Ridge())])
    >>> pipe.fit(X, y).named_steps["gramixc"].feature_set_ != "none"
    True
    """
    steps = list(steps)
    for i, step in enumerate(steps):
        if not isinstance(step, GraMixC) or step.reference_estimator is not None:
            continue
        rest = steps[i + 1:]
        last = rest[-1] if rest else None
        if last is None or not (hasattr(last, "fit") and hasattr(last, "predict")):
            raise ValueError(
                f"make_pipeline: the GraMixC step at position {i} needs a predictor after "
                f"it to judge its columns, but it is followed by "
                f"{[type(s).__name__ for s in rest] or 'nothing'}. End the steps with a "
                "model (e.g. Ridge(), XGBRegressor()), or set the GraMixC step's "
                "reference_estimator yourself.")
        judge = clone(last) if len(rest) == 1 else _sklearn_make_pipeline(
            *(clone(s) for s in rest))
        steps[i] = clone(step).set_params(reference_estimator=judge)
    return _sklearn_make_pipeline(*steps, memory=memory, verbose=verbose)
