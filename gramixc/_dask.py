"""The resolution sweep on a ``dask.distributed`` cluster (``gramixc[dask]``).

Entered the way scikit-learn users know::

    from dask.distributed import Client
    import joblib
    client = Client("tcp://scheduler:8786")        # or Client() for a local cluster
    with joblib.parallel_backend("dask"):
        ConfigurationExtractor(n_jobs=-1, random_state=0).fit(X)

Inside such a block the sweep's Leiden runs (one task per resolution γ) go to the
cluster instead of local processes (:class:`gramixc.leiden.LeidenRunner`, which asks
:func:`active_client`): the graph's edge list is scattered to every worker once per
sweep, each worker builds its igraph graph once and keeps it for the sweep's tasks,
and each γ runs with the seed derived from ``(random_state, γ)`` — the same seed the
single-machine path uses — so the configurations are identical, bit for bit.
Nothing here imports dask unless that backend is active.

``transform`` / ``predict`` of the fitted estimators also accept a dask array or
dataframe: the method runs on every block of rows (:func:`apply_chunkwise`), with the
fitted estimator sent to the workers once (one key of the task graph), and returns a
dask array.
"""

from __future__ import annotations

import sys

__all__ = ["active_client", "is_dask_collection", "apply_chunkwise", "check_dask_columns"]


def active_client():
    """The ``distributed.Client`` of an active joblib ``"dask"`` backend, else None.

    Examples
    --------
    >>> active_client() is None        # no ``joblib.parallel_backend("dask")`` block
    True
    """
    if "distributed" not in sys.modules:  # the dask backend needs distributed imported
        return None
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    if type(backend).__name__ != "DaskDistributedBackend":
        return None
    return getattr(backend, "client", None)


def is_dask_collection(X) -> bool:
    """Whether ``X`` is a dask array or dataframe (without importing dask).

    Examples
    --------
    >>> import numpy as np
    >>> is_dask_collection(np.zeros(3))
    False
    """
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def apply_chunkwise(est, method: str, X, n_out: int | None, dtype, **kwargs):
    """``est.<method>(block)`` on every block of rows of the dask collection ``X``.

    Parameters
    ----------
    est : estimator
        Fitted; one key of the task graph, so it is sent to each worker once.
    method : str
        ``"transform"``, ``"predict"`` or ``"predict_proba"``.
    X : dask.array.Array or dask.dataframe.DataFrame
        Rows; a dataframe's partitions (or an array's row chunks) are the blocks,
        every block holds all columns.
    n_out : int or None
        Columns of the output (None: one value per row).
    dtype : numpy dtype
        Of the output.
    **kwargs
        Passed to the method.

    Returns
    -------
    dask.array.Array of shape (n_samples,) or (n_samples, n_out)
    """
    import dask
    import dask.array as da

    names = None
    if hasattr(X, "to_dask_array"):
        check_dask_columns(est, X)
        names = [str(c) for c in X.columns]  # blocks go back as frames, names checked
        X = X.to_dask_array(lengths=True)
    if X.ndim != 2:
        raise ValueError(f"expected 2-D rows, got a dask array of shape {X.shape}")
    if any(c != c for c in X.chunks[0]):  # unknown (NaN) chunk sizes: measure them
        X = X.compute_chunk_sizes()
    X = X.rechunk({1: -1})
    fitted = dask.delayed(est, pure=True, traverse=False)
    blocks = X.to_delayed()[:, 0]
    parts = []
    for block, rows in zip(blocks, X.chunks[0]):
        shape = (rows,) if n_out is None else (rows, n_out)
        if rows == 0:  # an empty block: nothing to ask the estimator
            parts.append(da.zeros(shape, dtype=dtype))
            continue
        out = dask.delayed(_call, pure=True)(fitted, method, block, kwargs, names)
        parts.append(da.from_delayed(out, shape=shape, dtype=dtype))
    return da.concatenate(parts, axis=0)


def check_dask_columns(est, X) -> None:
    """A dask DataFrame's columns must be the fitted ones, in order (as scikit-learn checks
    a pandas DataFrame's): a reordered frame would be read silently wrong.

    Parameters
    ----------
    est : estimator
        Fitted.
    X : dask.dataframe.DataFrame
    """
    fitted = getattr(est, "feature_names_in_", None)
    if fitted is None:
        return
    names = [str(c) for c in X.columns]
    if names != [str(c) for c in fitted]:
        missing = [c for c in fitted if c not in names]
        extra = [c for c in names if c not in set(map(str, fitted))]
        raise ValueError(
            "The feature names should match those that were passed during fit, in the same "
            f"order: fitted {list(fitted)[:8]}{'…' if len(fitted) > 8 else ''}, got "
            f"{names[:8]}{'…' if len(names) > 8 else ''}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else "")
            + ". Select the columns in the fitted order: X[list(est.feature_names_in_)]")


def _call(est, method, block, kwargs, names=None):
    import numpy as np

    block = np.asarray(block)
    if names is not None:
        import pandas as pd

        block = pd.DataFrame(block, columns=names)
    return getattr(est, method)(block, **kwargs)
