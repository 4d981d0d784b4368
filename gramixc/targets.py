"""The target ``y``: which task it is, checked, and encoded for the models.

One rule decides the task everywhere — :class:`~gramixc.GraMixC` with
``task="auto"`` and ``gramixc fit`` both call :func:`infer_task`:

=====================================  ==============================================
``y`` holds                            task
=====================================  ==============================================
strings, booleans, categories          classification
floats (whole numbers included)        regression
integers, at most 20 distinct values   classification (class codes: 0/1, digits, …)
integers, more than 20 distinct        regression (counts, ages, ratings on a wide
                                       scale)
=====================================  ==============================================

The threshold is :data:`MAX_INTEGER_CLASSES`. scikit-learn's ``type_of_target``
calls any integer-valued ``y`` "multiclass", so a count target becomes one class
per value: on a Poisson-count table of 500 rows that is ~50 classes, a fit many
times slower than the regression and a worse model. Pass the task explicitly
(``task="classification"``, ``--task classification``) for integer codes of
more than 20 classes, or ``task="regression"`` for a small integer scale.

Examples
--------
>>> import numpy as np
>>> infer_task(np.array([0, 1, 1, 0])).task
'classification'
>>> choice = infer_task(np.random.default_rng(0).poisson(50, size=500))
>>> choice.task
'regression'
>>> choice.reason.split(":")[0]
'integer target with 38 distinct values (more than 20)'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_INTEGER_CLASSES", "MANY_CLASSES", "TASKS", "TaskChoice", "EncodedTarget",
           "infer_task", "check_target", "encode_target"]

#: An integer target with more distinct values than this is a regression target.
MAX_INTEGER_CLASSES = 20
#: The two tasks.
TASKS = ("regression", "classification")
#: More classes than this are "many": gradient boosting grows one tree per class and
#: step, and every per-class column block is this wide (see :mod:`gramixc.gate` and
#: :mod:`gramixc.mixing`).
MANY_CLASSES = 10


@dataclass(frozen=True)
class TaskChoice:
    """The task chosen for a target, and why.

    Parameters
    ----------
    task : {"regression", "classification"}
    reason : str
        One line, for messages.
    """

    task: str
    reason: str


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, pandas NA raise or compare unequal to themselves
    except (TypeError, ValueError):
        return True


def _numeric_object(y: np.ndarray) -> np.ndarray | None:
    """An object array of Python/numpy numbers (no strings, no booleans) as numbers."""
    if not all(isinstance(v, (int, float, np.integer, np.floating))
               and not isinstance(v, (bool, np.bool_)) for v in y):
        return None
    if all(isinstance(v, (int, np.integer)) for v in y):
        return y.astype(np.int64)
    return y.astype(np.float64)


def check_target(y, n_rows: int | None = None) -> np.ndarray:
    """``y`` as a 1-D numpy array, with clear errors for what no task can use.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        The target (numpy, pandas, polars or a list).
    n_rows : int, optional
        Rows of ``X``: ``y`` must have as many.

    Returns
    -------
    ndarray of shape (n_samples,)
        Object arrays of numbers come back numeric; missing values are an error.

    Examples
    --------
    >>> check_target([1.5, None])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: y has 1 missing value(s) (None/NaN), e.g. at row 1: drop those rows ...
    """
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    if type(y).__module__.split(".")[0] == "polars" and hasattr(y, "to_numpy"):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        from sklearn.utils.validation import column_or_1d

        y = column_or_1d(y, warn=True)  # DataConversionWarning, like scikit-learn
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one target per row), got shape {y.shape}")
    if n_rows is not None and y.shape[0] != n_rows:
        raise ValueError(f"X has {n_rows} rows but y has {y.shape[0]}")
    if y.dtype.kind == "O":
        missing = np.flatnonzero([_is_missing(v) for v in y])
        if missing.size:
            raise ValueError(f"y has {missing.size} missing value(s) (None/NaN), e.g. at row "
                             f"{int(missing[0])}: drop those rows or fill them before fitting")
        numeric = _numeric_object(y)
        if numeric is not None:
            y = numeric
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        bad = np.flatnonzero(~np.isfinite(y))
        raise ValueError(f"Input y contains NaN or infinity ({bad.size} row(s), e.g. row "
                         f"{int(bad[0])}): drop those rows or fill them before fitting")
    return y


def infer_task(y, task: str = "auto") -> TaskChoice:
    """The task of target ``y`` by the rule of this module (or ``task`` when given).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        A checked target (see :func:`check_target`).
    task : {"auto", "regression", "classification"}, default="auto"
        ``"auto"``: the rule; otherwise that task (the reason says it was set).

    Returns
    -------
    TaskChoice
    """
    if task in TASKS:
        return TaskChoice(task, f"{task} (set by task={task!r})")
    if task != "auto":
        raise ValueError(f"task must be 'auto', 'regression' or 'classification', got {task!r}")
    y = np.asarray(y)
    kind = y.dtype.kind
    if kind == "b":
        return TaskChoice("classification", "boolean target: classification")
    if kind in "OUSV" or str(y.dtype) == "category":
        labels, inverse, counts = np.unique(y.astype(str), return_inverse=True,
                                            return_counts=True)
        _refuse_numbers_with_odd_cells(labels, inverse.ravel(), counts)
        return TaskChoice("classification",
                          f"target of labels ({len(labels)} classes): classification")
    if kind == "f":
        return TaskChoice("regression", "numeric (float) target: regression; pass "
                                        "task='classification' if its values are class codes")
    if kind in "iu":
        n = len(np.unique(y))
        if n <= MAX_INTEGER_CLASSES:
            return TaskChoice("classification",
                              f"integer target with {n} distinct values (at most "
                              f"{MAX_INTEGER_CLASSES}): classification; pass task='regression' "
                              "if they are counts or a scale")
        return TaskChoice("regression",
                          f"integer target with {n} distinct values (more than "
                          f"{MAX_INTEGER_CLASSES}): regression; pass task='classification' if "
                          "they are class codes")
    raise ValueError(f"y of dtype {y.dtype} is neither numbers nor labels: pass task= "
                     "explicitly, or convert y (numbers for regression, labels for classes)")


def _refuse_numbers_with_odd_cells(labels, inverse, counts) -> None:
    """A column of numbers with a few other cells (``?``, ``-``, ``n/a``: a missing marker
    the reader did not know) would otherwise become one class per number. ``labels``,
    ``inverse``, ``counts``: :func:`numpy.unique` of the target as text."""
    if len(labels) <= MAX_INTEGER_CLASSES:
        return
    odd = np.array([not is_number(v) for v in labels])
    n_odd = int(counts[odd].sum())
    if 0 < n_odd <= 0.1 * len(inverse):
        j = int(np.flatnonzero(odd)[0])
        first = str(labels[j])
        row = int(np.flatnonzero(inverse == j)[0])
        raise ValueError(
            f"y holds numbers except {n_odd} cell(s) (e.g. {first!r} at row {row}): if "
            "that marks a missing value, make it NA/None and drop or fill those rows; if "
            "the values are class labels, pass task='classification'")


@dataclass
class EncodedTarget:
    """A target as the models see it.

    Parameters
    ----------
    task : {"regression", "classification"}
    values : ndarray of shape (n_samples,)
        Class indices ``0..C−1`` (int64) or the standardised target (float32).
    classes : ndarray or None
        The user's class labels, in index order (classification).
    mean, std : float
        Of the raw target (regression; 0 and 1 for classes).
    """

    task: str
    values: np.ndarray
    classes: np.ndarray | None = None
    mean: float = 0.0
    std: float = 1.0

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return 0 if self.classes is None else len(self.classes)

    @property
    def n_outputs(self) -> int:
        """Outputs of a model of this target (1 for regression, one per class)."""
        return 1 if self.task == "regression" else self.n_classes

    @property
    def n_stats(self) -> int:
        """Cluster statistics per configuration (mean, spread, size; fractions for classes)."""
        return self.n_classes + 2 if self.task == "classification" else 3


def encode_target(y: np.ndarray, task: str, owner: str = "GraMixC") -> EncodedTarget:
    """Encode a checked target for ``task``.

    Classification: the sorted labels become indices (a warning names any label with a
    single row); regression: the target is standardised (its non-numeric values are an
    error that suggests the classifier).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        From :func:`check_target`.
    task : {"regression", "classification"}
    owner : str, default="GraMixC"
        The estimator named in messages.

    Returns
    -------
    EncodedTarget

    Examples
    --------
    >>> import numpy as np
    >>> enc = encode_target(np.array(["b", "a", "b", "a"]), "classification")
    >>> enc.values.tolist(), enc.classes.tolist()
    ([1, 0, 1, 0], ['a', 'b'])
    """
    import warnings

    if task == "classification":
        from sklearn.preprocessing import LabelEncoder
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(y)
        le = LabelEncoder().fit(y)
        codes = le.transform(y).astype(np.int64)
        counts = np.bincount(codes, minlength=len(le.classes_))
        if len(le.classes_) < 2:
            raise ValueError(f"{owner} classification needs at least 2 classes in y, got 1 "
                             f"class ({le.classes_[0]!r})")
        if counts.min() < 2:
            lonely = [c for c, m in zip(le.classes_.tolist(), counts) if m < 2]
            shown = ", ".join(repr(c) for c in lonely[:10])
            more = f" and {len(lonely) - 10} more" if len(lonely) > 10 else ""
            warnings.warn(
                f"{owner}: {len(lonely)} class(es) have a single row ({shown}{more}): the "
                "cross-fitted statistics of that row never see its class, and the folds "
                "cannot be stratified for it. Merge rare classes or drop them.",
                UserWarning, stacklevel=3)
        return EncodedTarget("classification", codes, classes=le.classes_)
    if y.dtype.kind in "OUS":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            bad = next((v for v in y.ravel() if not is_number(v)), None)
            raise ValueError(
                f"{owner} is a regression here: y must be numeric, got a non-numeric value "
                f"{str(bad)!r}. For class labels use GraMixCClassifier (or "
                "GraMixC(task='classification'))."
            ) from None
    y = y.astype(np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError("Input y contains NaN or infinity: drop those rows or fill them")
    mean, std = float(y.mean()), float(y.std()) or 1.0
    return EncodedTarget("regression", ((y - mean) / std).astype(np.float32), mean=mean,
                         std=std)


def is_number(v) -> bool:
    """Whether ``float(v)`` succeeds (a target cell that a regression can read)."""
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True
