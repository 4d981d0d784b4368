"""Input checks shared by the estimators (clear errors, never mutate the caller's data)."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import validate_data

__all__ = ["MAX_ABS", "MISSING_MARKERS", "check_auto_or_int", "check_features", "check_groups",
           "column_problems", "non_numeric_columns", "reject_fit_params"]

#: Largest magnitude accepted when fitting (its square stays finite in float64).
MAX_ABS = 1e150


#: Strings that mean "missing" in data files (reported as missing values, not as words).
MISSING_MARKERS = {"", "na", "n/a", "nan", "null", "none", "missing", "?", "-"}


def _bad_column(values) -> str | None:
    """Why a column of objects is not numeric (None when every value converts to a float,
    as for a numpy object array)."""
    vals = np.asarray(values, dtype=object)
    try:
        vals.astype(np.float64)
        return None
    except TypeError:
        return None  # not strings: scikit-learn's own error names them
    except ValueError:
        pass
    words = {str(v).strip() for v in vals if isinstance(v, str)}
    bad = sorted(w for w in words if not _is_float(w))
    markers = [w for w in bad if w.lower() in MISSING_MARKERS]
    if markers and len(markers) == len(bad):
        return f"missing values written as {markers[:3]}"
    return f"non-numeric values such as {bad[:3]}"


def _is_float(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def column_problems(X) -> dict[str, str]:
    """The columns that are neither numbers nor booleans, with the reason: of a pandas or
    polars DataFrame, or (as ``"column j"``) of a numpy object array; else ``{}``. Object
    columns whose values all convert to floats count as numbers, whatever the container.

    Examples
    --------
    >>> column_problems(np.array([["1", "NA"], ["2", "3"]], dtype=object))
    {'column 1': "missing values written as ['NA']"}
    """
    mod = type(X).__module__.split(".")[0]
    if mod == "pandas" and hasattr(X, "dtypes") and hasattr(X, "columns"):
        import pandas as pd

        out = {}
        for c, t in X.dtypes.items():
            if pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t):
                continue
            textual = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t)
            why = _bad_column(X[c].to_numpy(dtype=object)) if textual else f"dtype {t}"
            if why is not None:
                out[str(c)] = why
        return out
    if mod == "polars" and hasattr(X, "schema"):
        import polars as pl

        return {str(c): f"dtype {t}" for c, t in X.schema.items()
                if not (t.is_numeric() or t == pl.Boolean)}
    if isinstance(X, np.ndarray) and X.dtype.kind in "OUS" and X.ndim == 2:
        bad = {f"column {j}": _bad_column(X[:, j]) for j in range(X.shape[1])}
        return {c: why for c, why in bad.items() if why is not None}
    return {}


def non_numeric_columns(X) -> list[str]:
    """Names of the columns that are neither numbers nor booleans (see
    :func:`column_problems`, which also says why)."""
    return list(column_problems(X))


def _check_container(estimator, X):
    """Clear errors for containers that are not a table of rows: a pandas or polars
    Series (one column) and a polars LazyFrame (not computed yet)."""
    name = type(estimator).__name__
    kind = f"{type(X).__module__.split('.')[0]}.{type(X).__name__}"
    if kind in ("pandas.Series", "polars.Series"):
        raise ValueError(f"{name} needs a 2-D X (n_samples, n_features), got a {kind}: pass a "
                         "DataFrame, e.g. X.to_frame() for a single feature")
    if kind == "polars.LazyFrame":
        raise ValueError(f"{name} got a polars LazyFrame: collect it first (X.collect())")


def _check_variance(estimator, Xv: np.ndarray) -> None:
    """A column that varies but whose variance underflows float64 (values of magnitude
    below ~1e-154 vanish when squared) would be read as constant by every scaler and
    distance: an error at once, naming the column."""
    spread = np.ptp(Xv, axis=0)
    var = np.var(Xv, axis=0)
    tiny = (spread > 0) & (var < np.finfo(np.float64).tiny)
    if tiny.any():
        j = int(np.flatnonzero(tiny)[0])
        names = getattr(estimator, "feature_names_in_", None)
        col = f"column {names[j]!r}" if names is not None else f"column {j}"
        raise ValueError(
            f"{type(estimator).__name__}: {col} varies (range {spread[j]:.3g}) but its variance "
            "underflows float64 — values this small vanish when squared (scaling, "
            "distances) and the column would be read as constant. Rescale it (e.g. multiply "
            f"by {10.0 ** -np.floor(np.log10(spread[j])):.0e}) before fitting.")


def check_features(estimator, X, reset: bool, min_samples: int = 1) -> np.ndarray:
    """Validate a feature matrix through scikit-learn's ``validate_data``.

    Adds, on top of scikit-learn's checks, an error naming the non-numeric
    columns of a DataFrame, and (``reset=True``) a minimum number of rows with
    a message that states ``n_samples``.

    Returns a C-contiguous float64 array (a copy whenever conversion is needed; the
    caller's object is never modified): the same values give bit-identical results
    whether they come as a C- or Fortran-ordered array or a DataFrame, since BLAS
    sums in a layout-dependent order and Leiden amplifies 1e-14 differences.
    With ``reset=True`` (fitting), values too large for float64 arithmetic on them
    (``|x| > 1e150``: their squares overflow in the scaler and the distances) are an
    error naming the column.
    """
    _check_container(estimator, X)
    problems = column_problems(X)
    bad = list(problems)
    if isinstance(X, np.ndarray) and X.dtype == bool:
        X = X.astype(np.float64)
    elif type(X).__module__.split(".")[0] in ("pandas", "polars") and not bad:
        X = _bools_as_floats(X)
    if bad:
        raise ValueError(
            f"{type(estimator).__name__} needs numeric features; non-numeric columns: {bad} ("
            + "; ".join(f"{c}: {why}" for c, why in problems.items())
            + "). Read missing markers as missing values and impute or drop them; encode "
            "categories first (e.g. sklearn.preprocessing.OneHotEncoder)."
        )
    Xv = validate_data(estimator, X, reset=reset, dtype=np.float64, ensure_all_finite=True)
    Xv = np.ascontiguousarray(Xv)
    if reset and Xv.size:
        big = np.abs(Xv).max(axis=0) > MAX_ABS
        if big.any():
            j = int(np.flatnonzero(big)[0])
            names = getattr(estimator, "feature_names_in_", None)
            col = f"column {names[j]!r}" if names is not None else f"column {j}"
            raise ValueError(
                f"{type(estimator).__name__}: {col} has a value of magnitude "
                f"{np.abs(Xv[:, j]).max():.3g}; values above {MAX_ABS:g} overflow float64 "
                "when squared (scaling, distances). Rescale that column (e.g. log or "
                "divide by a constant) before fitting."
            )
    if reset and Xv.size:
        _check_variance(estimator, Xv)
    if reset and Xv.shape[0] < min_samples:
        raise ValueError(
            f"{type(estimator).__name__} needs at least {min_samples} rows, got "
            f"n_samples = {Xv.shape[0]}"
        )
    return Xv


def _bools_as_floats(X):
    """A pandas/polars frame with its boolean columns cast to float (0/1), names kept."""
    mod = type(X).__module__.split(".")[0]
    if mod == "pandas":
        import pandas as pd

        cols = [c for c, t in X.dtypes.items() if pd.api.types.is_bool_dtype(t)]
        return X.astype({c: np.float64 for c in cols}) if cols else X
    import polars as pl

    cols = [c for c, t in X.schema.items() if t == pl.Boolean]
    return X.with_columns([pl.col(c).cast(pl.Float64) for c in cols]) if cols else X


def check_auto_or_int(value, name: str, minimum: int, auto: int) -> int:
    """``value`` as an integer ≥ ``minimum``, ``"auto"`` as ``auto``; anything else raises.

    Examples
    --------
    >>> check_auto_or_int("auto", "n_resolutions", 2, 24), check_auto_or_int(5, "n", 1, 2)
    (24, 5)
    """
    what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, str) and value == "auto":
        return int(auto)
    if isinstance(value, (str, bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be {what} or 'auto', got {value!r}")
    return int(value)


def check_groups(groups, n: int) -> np.ndarray | None:
    """``groups`` as a 1-D array with one entry per row (None stays None).

    Examples
    --------
    >>> check_groups([0, 0, 1], 3).tolist()
    [0, 0, 1]
    """
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n:
        raise ValueError(f"groups must be 1-D with one entry per row ({n}), got shape "
                         f"{groups.shape}")
    return groups


def reject_fit_params(estimator, method: str, params: dict) -> None:
    """Unknown fit parameters are an error, never silently dropped (a typo such as
    ``gramixc__group=`` would otherwise switch off the grouped cross-fitting).

    Examples
    --------
    >>> reject_fit_params(object(), "fit", {})
    >>> reject_fit_params(object(), "fit", {"group": [0]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    TypeError: object.fit got unknown parameter(s) ['group']; it accepts groups= and tokens= ...
    """
    if not params:
        return
    name = type(estimator).__name__
    if "sample_weight" in params:
        raise TypeError(f"{name}.{method} does not support sample_weight: its encodings, "
                        "cross-fitting and gate weigh every row alike. Fit without it, or "
                        "repeat/subsample rows to weight them")
    raise TypeError(f"{name}.{method} got unknown parameter(s) {sorted(params)}; it accepts "
                    "groups= and tokens= (in a pipeline: gramixc__groups=...)")
