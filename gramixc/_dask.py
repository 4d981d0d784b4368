"""The resolution sweep on a ``dask.distributed`` cluster (``gramixc[dask]``).

Entered the way scikit-learn users know::

    from dask.distributed import Client
    import joblib
    client = Client("tcp://scheduler:8786")        # or Client() for a local cluster
    with joblib.parallel_backend("dask"):
        ConfigurationExtractor(n_jobs=-1, random_state=0).fit(X)

Inside such a block the sweep's Leiden runs (one task per resolution γ) go to the
cluster instead of local processes: the graph's edge list is scattered to every
worker once per sweep, each worker builds its igraph graph once and keeps it for the
sweep's tasks, and each γ runs with the seed derived from ``(random_state, γ)`` — the
same seed the single-machine path uses — so the configurations are identical, bit
for bit. Nothing here imports dask unless that backend is active.

``transform`` / ``predict`` of the fitted estimators also accept a dask array or
dataframe: the method runs on every block of rows (:func:`apply_chunkwise`), with the
fitted estimator sent to the workers once (one key of the task graph), and returns a
dask array.
"""

from __future__ import annotations

import sys
import uuid
from collections import OrderedDict

__all__ = ["active_client", "DaskPool", "is_dask_collection", "apply_chunkwise"]

#: Graphs built on this worker, by sweep key (the last few sweeps only).
_GRAPHS: OrderedDict = OrderedDict()
_KEEP = 2


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


def _run(key: str, payload, task):
    """One Leiden run on a worker: the sweep's graph is built once per worker and key."""
    from .sweep import leiden

    edges, weights, n, directed, backend, objective, n_iterations, beta = payload
    graph = _GRAPHS.get(key)
    if graph is None:
        from .graph import igraph_from_edges

        graph = igraph_from_edges(edges[:, 0], edges[:, 1], weights, n, directed)
        _GRAPHS[key] = graph
        while len(_GRAPHS) > _KEEP:
            _GRAPHS.popitem(last=False)
    gamma, seed = task
    return leiden(graph, gamma, objective, backend, seed, n_iterations, beta)


class DaskPool:
    """The sweep's pool interface (``map``, ``shutdown``) over a dask client.

    Parameters
    ----------
    client : distributed.Client
        The cluster to run on.
    init_args : tuple
        ``(edges, weights, n, directed, backend, objective, n_iterations, beta)``,
        scattered to every worker once.
    """

    def __init__(self, client, init_args) -> None:
        self.client = client
        self.key = uuid.uuid4().hex  # names this sweep's graph on the workers only
        self.payload = client.scatter([tuple(init_args)], broadcast=True)[0]

    def map(self, fn, tasks):
        """Results of every ``(γ, seed)`` task, in the order of ``tasks`` (``fn`` is the
        local pool's worker function; the cluster runs :func:`_run` instead)."""
        tasks = list(tasks)
        futures = self.client.map(_run, [self.key] * len(tasks), [self.payload] * len(tasks),
                                  tasks, pure=False)
        for fut in futures:
            yield fut.result()

    def shutdown(self) -> None:
        """Release the scattered graph."""
        self.client.cancel([self.payload])


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

    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=True)
    if X.ndim != 2:
        raise ValueError(f"expected 2-D rows, got a dask array of shape {X.shape}")
    X = X.rechunk({1: -1})
    fitted = dask.delayed(est, pure=True, traverse=False)
    blocks = X.to_delayed()[:, 0]
    parts = []
    for block, rows in zip(blocks, X.chunks[0]):
        out = dask.delayed(_call, pure=True)(fitted, method, block, kwargs)
        shape = (rows,) if n_out is None else (rows, n_out)
        parts.append(da.from_delayed(out, shape=shape, dtype=dtype))
    return da.concatenate(parts, axis=0)


def _call(est, method, block, kwargs):
    import numpy as np

    return getattr(est, method)(np.asarray(block), **kwargs)
