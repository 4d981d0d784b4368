"""The :class:`Configurations` result object.

A *configuration* is a partition of the samples that is optimal on a whole
interval of the resolution γ (a plateau of the upper envelope, see
:mod:`gramixc.envelope`). :class:`Configurations` holds the ids of all
non-trivial configurations (n × m, ordered coarse → fine, contiguous 0-based
ids per column) and their metadata.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .envelope import cluster_entropy, upper_envelope

__all__ = ["Configurations", "find_configurations", "check_ids", "evenly_spaced"]

_META_COLUMNS = ("gamma_lo", "gamma_hi", "log_width", "open_ended", "n_clusters", "h_a", "h_r",
                 "entropy")


def check_ids(ids, name: str = "ids", min_columns: int = 1) -> np.ndarray:
    """Validate an n × m matrix of cluster ids and return it as int64 (a copy).

    Parameters
    ----------
    ids : array-like of shape (n, m)
        Cluster ids, one column per configuration.
    name : str, default="ids"
        What the array is called in error messages.
    min_columns : int, default=1
        Fewest columns accepted.

    Raises
    ------
    ValueError
        Not 2-D, empty, NaN/inf, non-integer values or negative ids.
    """
    arr = np.asarray(ids)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D (n_samples, n_configurations) array, got {arr.ndim} dimensions"
        )
    if arr.shape[0] == 0 or arr.shape[1] < min_columns:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold integer cluster ids, got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values")
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold integer cluster ids, found non-integer values")
    if np.any(arr < 0):
        raise ValueError(f"{name} must hold non-negative cluster ids, found negative values")
    return arr.astype(np.int64, copy=True)


def _contiguous(ids: np.ndarray) -> np.ndarray:
    """Renumber each column to 0..K−1 keeping the order of the original ids."""
    out = np.empty_like(ids)
    for j in range(ids.shape[1]):
        _, out[:, j] = np.unique(ids[:, j], return_inverse=True)
    return out


class Configurations(Sequence):
    """Aligned multi-resolution partitions of a dataset, with metadata.

    Parameters
    ----------
    ids : array-like of shape (n_samples, n_configurations)
        Non-negative integer ids; each column is renumbered to contiguous
        0-based ids keeping the order of the given values.
    gamma_lo, gamma_hi, h_a, h_r : array-like of shape (n_configurations,), optional
        Plateau and line of each configuration (NaN when unknown, e.g. for
        user-supplied ids).
    trivial : dict, optional
        Metadata of the trivial ends left out of ``ids`` (all-in-one or
        connected components when on the envelope, and singletons).
    sweep : SweepResult, optional
        The sweep that produced them (for plots).

    Examples
    --------
    >>> import numpy as np
    >>> cfg = Configurations(np.array([[0, 0], [0, 1], [1, 2], [1, 2]]))
    >>> len(cfg), cfg.n_clusters.tolist()
    (2, [2, 3])
    >>> cfg.table()["n_clusters"].to_list()
    [2, 3]
    """

    def __init__(
        self, ids, gamma_lo=None, gamma_hi=None, h_a=None, h_r=None, trivial=None, sweep=None
    ) -> None:
        arr = check_ids(ids, "configuration ids")
        self.ids = _contiguous(arr)
        m = self.ids.shape[1]

        def meta(v):
            if v is None:
                return np.full(m, np.nan)
            v = np.asarray(v, dtype=np.float64).ravel()
            if v.shape != (m,):
                raise ValueError(f"metadata needs one value per configuration ({m}), got {v.shape}")
            return v

        self.gamma_lo = meta(gamma_lo)
        self.gamma_hi = meta(gamma_hi)
        self.h_a = meta(h_a)
        self.h_r = meta(h_r)
        self.trivial = dict(trivial or {})
        self.sweep = sweep

    # ------------------------------------------------------------------ sequence
    def __len__(self) -> int:
        return self.ids.shape[1]

    def __getitem__(self, item):
        """An integer gives one configuration's ids; a slice or list a new object."""
        if isinstance(item, (int, np.integer)):
            return self.ids[:, item]
        sel = np.arange(len(self))[item]
        return Configurations(
            self.ids[:, sel],
            self.gamma_lo[sel],
            self.gamma_hi[sel],
            self.h_a[sel],
            self.h_r[sel],
            trivial=self.trivial,
            sweep=self.sweep,
        )

    def __repr__(self) -> str:
        return (
            f"Configurations(n_samples={self.n_samples}, n_configurations={len(self)}, "
            f"n_clusters={self.n_clusters.tolist()})"
        )

    # ------------------------------------------------------------------ metadata
    @property
    def n_samples(self) -> int:
        return self.ids.shape[0]

    @property
    def n_clusters(self) -> np.ndarray:
        """Clusters per configuration."""
        return self.ids.max(axis=0) + 1

    @property
    def log_width(self) -> np.ndarray:
        """``log(γ_hi / γ_lo)``: the plateau width (wide = significant scale)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(self.gamma_hi / self.gamma_lo)

    @property
    def open_ended(self) -> np.ndarray:
        """Whether a plateau's interval reaches past the resolutions the sweep solved.

        An end beyond the smallest or largest solved γ is where this partition's line
        meets a trivial one (all-in-one, singletons), not one found by a run: finer
        (or coarser) partitions were never searched there, so that width measures
        where the sweep stopped, not the data. Always False without a sweep.
        """
        if self.sweep is None or len(getattr(self.sweep, "run_gammas", ())) == 0:
            return np.zeros(len(self), dtype=bool)
        g = np.asarray(self.sweep.run_gammas, dtype=np.float64)
        lo, hi = g.min(), g.max()
        return (self.gamma_lo < lo * (1 - 1e-9)) | (self.gamma_hi > hi * (1 + 1e-9))

    def widest(self, include_open: bool = False) -> int:
        """Index of the widest plateau (largest ``log_width``), by default among the
        closed ones only (:attr:`open_ended`); −1 if there is none."""
        w = np.where(np.isfinite(self.log_width), self.log_width, -np.inf)
        if not include_open:
            w = np.where(self.open_ended, -np.inf, w)
        return int(np.argmax(w)) if np.isfinite(w).any() else -1

    @property
    def entropy(self) -> np.ndarray:
        """Shannon entropy (nats) of each configuration's cluster sizes."""
        return np.array([cluster_entropy(self.ids[:, j]) for j in range(len(self))])

    def table(self):
        """Metadata as a polars DataFrame, one row per configuration (coarse → fine)."""
        import polars as pl

        return pl.DataFrame(
            {
                "configuration": np.arange(len(self)),
                "gamma_lo": self.gamma_lo,
                "gamma_hi": self.gamma_hi,
                "log_width": self.log_width,
                "open_ended": self.open_ended,
                "n_clusters": self.n_clusters.astype(np.int64),
                "h_a": self.h_a,
                "h_r": self.h_r,
                "entropy": self.entropy,
            }
        )

    def feature_names(self, prefix: str = "cfg") -> list[str]:
        """Names like ``cfg0_k12`` (configuration index, number of clusters)."""
        return [f"{prefix}{j}_k{k}" for j, k in enumerate(self.n_clusters)]

    # ------------------------------------------------------------------ lineage
    def lineage(self):
        """The flow of points between consecutive configurations.

        Returns
        -------
        networkx.DiGraph
            Nodes ``(level, cluster)`` with attribute ``size``; an edge from a
            cluster of configuration ``j`` to one of ``j + 1`` carries
            ``weight`` = fraction of the parent's points that go to the child and
            ``count`` = the number of points.
        """
        from ._optional import import_optional

        nx = import_optional("networkx", "Configurations.lineage_graph")

        G = nx.DiGraph()
        for j in range(len(self)):
            sizes = np.bincount(self.ids[:, j])
            G.add_nodes_from(((j, c), {"size": int(s), "level": j}) for c, s in enumerate(sizes))
        for j in range(len(self) - 1):
            p, c = self.ids[:, j], self.ids[:, j + 1]
            kc = int(c.max()) + 1
            pair, counts = np.unique(p * kc + c, return_counts=True)
            parent_size = np.bincount(p)
            for code, cnt in zip(pair.tolist(), counts.tolist()):
                a, b = divmod(code, kc)
                G.add_edge((j, a), (j + 1, b), count=int(cnt), weight=cnt / parent_size[a])
        return G

    # ------------------------------------------------------------------ I/O
    def save(self, path: str | os.PathLike) -> None:
        """Write ids and metadata to a ``.npz`` file."""
        triv = self.trivial
        np.savez_compressed(
            path,
            ids=self.ids,
            gamma_lo=self.gamma_lo,
            gamma_hi=self.gamma_hi,
            h_a=self.h_a,
            h_r=self.h_r,
            trivial_keys=np.array(sorted(triv), dtype=str),
            trivial_values=np.array([triv[k] for k in sorted(triv)], dtype=np.float64).reshape(
                len(triv), -1
            )
            if triv
            else np.zeros((0, 4)),
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> Configurations:
        """Read a file written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as f:
            keys = f["trivial_keys"].tolist()
            vals = f["trivial_values"]
            trivial = {k: tuple(float(x) for x in v) for k, v in zip(keys, vals)}
            return cls(f["ids"], f["gamma_lo"], f["gamma_hi"], f["h_a"], f["h_r"], trivial=trivial)

    @classmethod
    def from_ids(cls, ids) -> Configurations:
        """Wrap a user-supplied n × m integer matrix (e.g. from another tool)."""
        return cls(ids)


def find_configurations(sweep, max_clusters: int | None = None) -> Configurations:
    """The configurations of a sweep: partitions on the upper envelope.

    Parameters
    ----------
    sweep : SweepResult
    max_clusters : int, optional
        Drop configurations with more clusters than this (finer than any
        predictor could use).

    Returns
    -------
    Configurations
        Non-trivial envelope partitions ordered coarse → fine; the trivial ends
        (all-in-one / connected components when they are the coarse end, and
        singletons) are kept in ``trivial`` as ``(γ_lo, γ_hi, h_a, h_r)``.
    """
    env = upper_envelope(sweep.h_a, sweep.h_r)
    n = sweep.memberships.shape[1]
    keep, trivial = [], {}
    for pos, idx in enumerate(env.index):
        k = int(sweep.memberships[idx].max()) + 1
        meta = (
            float(env.gamma_lo[pos]),
            float(env.gamma_hi[pos]),
            float(sweep.h_a[idx]),
            float(sweep.h_r[idx]),
        )
        if k == 1:
            trivial["all_in_one"] = meta
        elif k == n:
            trivial["singletons"] = meta
        elif max_clusters is not None and k > max_clusters:
            trivial.setdefault("too_fine", meta)
        else:
            keep.append(pos)
    if not keep:
        ks = sorted({int(sweep.memberships[i].max()) + 1 for i in env.index})
        g = np.asarray(getattr(sweep, "run_gammas", []), dtype=np.float64)
        runs = (f"{len(g)} Leiden runs (γ {g.min():.3g} to {g.max():.3g})" if len(g)
                else "the sweep")
        if "too_fine" in trivial:
            raise ValueError(
                f"no configuration with at most max_clusters={max_clusters} clusters: "
                f"{runs} left only partitions with {ks} clusters on the envelope of "
                f"{n} rows. Raise max_clusters"
            )
        raise ValueError(
            f"no non-trivial configuration was found: on the envelope of {runs} over {n} "
            f"rows every optimal partition has {ks} clusters (one cluster or singletons). "
            "Check that the rows differ in more than noise, or change k"
        )
    keep = np.array(keep)
    rows = env.index[keep]
    return Configurations(
        sweep.memberships[rows].T,
        gamma_lo=env.gamma_lo[keep],
        gamma_hi=env.gamma_hi[keep],
        h_a=sweep.h_a[rows],
        h_r=sweep.h_r[rows],
        trivial=trivial,
        sweep=sweep,
    )


def evenly_spaced(m: int, count: int) -> np.ndarray:
    """Sorted indices of ``min(count, m)`` configurations spread evenly over ``0 .. m-1``.

    Coarse → fine order is kept, and the coarsest and finest are always included
    (when ``count ≥ 2``).

    Parameters
    ----------
    m : int
        Number of configurations to choose from.
    count : int
        How many to choose.

    Examples
    --------
    >>> evenly_spaced(10, 4).tolist()
    [0, 3, 6, 9]
    """
    return np.unique(np.round(np.linspace(0, m - 1, min(int(count), m))).astype(int))
