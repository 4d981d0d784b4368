"""Tokenisations: how a configuration becomes a token of the attention module.

One small class per tokenisation, chosen by name through :data:`TOKENIZATIONS`
(the way leidenalg takes a partition class). Each class knows

* the numpy arrays it feeds the network for a set of rows
  (:meth:`Tokenization.arrays`), built from the rows' nearest training rows
  (``nearest``), their vote weights and the training rows' configuration ids — so
  training rows (with leave-one-out nearest rows) and new rows are described the
  same way;
* the torch module that embeds those arrays as ``(B, t, D)`` tokens
  (:meth:`Tokenization.embedder`, from :mod:`gramixc.embedders`), imported lazily:
  validating a tokenisation name never imports torch.

===============  =================================================================
``"clusters"``   a per-token ``Linear(F, D)`` of the cross-fitted soft-vote cluster
                 means (mean, spread, log size; see
                 :class:`~gramixc.target_stats.ClusterTargetEncoder`)
``"scalar"``     the paper's ``Linear(1, D)`` of the kNN-voted aligned id scaled
                 to [0, 1]
``"embedding"``  a learned vector per cluster of every configuration, looked up
                 at the kNN-voted id
``"soft"``       the vote-weighted sum of the cluster vectors of a row's ``k``
                 nearest training rows
``"neighbors"``  not a configuration tokenisation: one token per neighbour-mean
                 size, a ``Linear(q, D)`` of the cross-fitted target mean of a
                 row's nearest training rows (see
                 :class:`~gramixc.target_stats.NeighborTargetEncoder`)
===============  =================================================================

Examples
--------
>>> import numpy as np
>>> tok = get_tokenization("scalar")
>>> ids = np.array([[0, 0], [0, 1], [1, 2], [1, 3]])
>>> nearest = np.array([[1, 2], [0, 3]]); w = np.array([[0.9, 0.1], [0.2, 0.8]])
>>> [a.shape for a in tok.arrays(nearest, w, ids, np.array([2, 4]))]
[(2, 2)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assign import knn_vote

__all__ = [
    "ExternalTokens",
    "TokenLayout",
    "token_arrays",
    "Tokenization",
    "ClusterTokens",
    "ScalarTokens",
    "EmbeddingTokens",
    "SoftTokens",
    "NeighborTokens",
    "TOKENIZATIONS",
    "get_tokenization",
]


def _offsets(n_clusters: np.ndarray) -> np.ndarray:
    """Start of each configuration's block in one shared cluster table."""
    return np.concatenate([[0], np.cumsum(n_clusters)[:-1]]).astype(np.int64)


class Tokenization:
    """Base class: numpy inputs and torch embedder of one kind of token.

    Subclasses set :attr:`name` and :attr:`uses_cluster_stats` and implement
    :meth:`arrays` and :meth:`embedder`.
    """

    #: Name in :data:`TOKENIZATIONS`.
    name: str = ""
    #: Whether :meth:`arrays` needs the (standardised) cluster means.
    uses_cluster_stats: bool = False

    def arrays(self, nearest: np.ndarray, weights: np.ndarray, ids: np.ndarray,
               n_clusters: np.ndarray, stats: np.ndarray | None = None) -> list[np.ndarray]:
        """Network inputs of rows with ``nearest`` training rows (n × k) and vote ``weights``.

        Parameters
        ----------
        nearest, weights : ndarray of shape (n, k)
        ids : ndarray of shape (n_train, m)
            Aligned ids of the training rows in the mixed configurations.
        n_clusters : ndarray of shape (m,)
        stats : ndarray of shape (n, m, F), optional
            Standardised cluster means (only for ``uses_cluster_stats``).
        """
        raise NotImplementedError

    def embedder(self, n_tokens: int, d_model: int, n_stats: int = 3, n_embeddings: int = 0):
        """The torch module mapping :meth:`arrays` (as tensors) to ``(B, n_tokens, d_model)``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ClusterTokens(Tokenization):
    """Cross-fitted soft-vote cluster means, one ``Linear(F, D)`` per token."""

    name = "clusters"
    uses_cluster_stats = True

    def arrays(self, nearest, weights, ids, n_clusters, stats=None):
        if stats is None:
            raise ValueError("cluster tokens need the cluster means")
        return [np.asarray(stats, dtype=np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .embedders import StatsEmbedder

        return StatsEmbedder(n_tokens, n_stats, d_model)


class ScalarTokens(Tokenization):
    """The paper's tokens: ``Linear(1, D)`` of the kNN-voted aligned id scaled to [0, 1]."""

    name = "scalar"

    def arrays(self, nearest, weights, ids, n_clusters, stats=None):
        hard = knn_vote(nearest, weights, ids)
        scale = np.maximum(np.asarray(n_clusters) - 1, 1)
        return [(hard / scale).astype(np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .embedders import ScalarEmbedder

        return ScalarEmbedder(d_model)


class EmbeddingTokens(Tokenization):
    """A learned vector per cluster of every configuration, at the kNN-voted id."""

    name = "embedding"

    def arrays(self, nearest, weights, ids, n_clusters, stats=None):
        hard = knn_vote(nearest, weights, ids)
        return [(hard + _offsets(n_clusters)).astype(np.int64)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .embedders import ClusterEmbedder

        return ClusterEmbedder(n_embeddings, d_model, soft=False)


class SoftTokens(Tokenization):
    """The vote-weighted sum of the cluster vectors of a row's ``k`` nearest training rows."""

    name = "soft"

    def arrays(self, nearest, weights, ids, n_clusters, stats=None):
        offsets = _offsets(n_clusters)
        idx = (ids[nearest] + offsets).transpose(0, 2, 1)  # (n, m, k)
        ww = np.repeat(weights[:, None, :], len(offsets), axis=1)
        return [np.ascontiguousarray(idx, dtype=np.int64), ww.astype(np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .embedders import ClusterEmbedder

        return ClusterEmbedder(n_embeddings, d_model, soft=True)


class NeighborTokens(Tokenization):
    """One token per neighbour-mean size: ``Linear(q, D)`` of its cross-fitted target mean.

    Its :meth:`arrays` take the (standardised) neighbour means of shape
    ``(n, len(sizes), q)`` as ``stats``; the other arguments are unused.
    """

    name = "neighbors"
    uses_cluster_stats = False

    def arrays(self, nearest, weights, ids, n_clusters, stats=None):
        if stats is None:
            raise ValueError("neighbour tokens need the neighbour means")
        return [np.asarray(stats, dtype=np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=1, n_embeddings=0):
        from .embedders import StatsEmbedder

        return StatsEmbedder(n_tokens, n_stats, d_model)


#: Configuration tokenisations by name.
TOKENIZATIONS: dict[str, type[Tokenization]] = {
    cls.name: cls for cls in (ClusterTokens, ScalarTokens, EmbeddingTokens, SoftTokens)
}


def get_tokenization(tokenization) -> Tokenization:
    """A :class:`Tokenization` from a name in :data:`TOKENIZATIONS`, a class or an instance.

    Parameters
    ----------
    tokenization : str, Tokenization subclass or instance
        A name of :data:`TOKENIZATIONS` (``"clusters"``, ``"scalar"``, ``"embedding"``,
        ``"soft"``), a class or an instance.

    Returns
    -------
    Tokenization

    Examples
    --------
    >>> get_tokenization("soft")
    SoftTokens()
    """
    if isinstance(tokenization, Tokenization):
        return tokenization
    if isinstance(tokenization, type) and issubclass(tokenization, Tokenization):
        return tokenization()
    if isinstance(tokenization, str) and tokenization in TOKENIZATIONS:
        return TOKENIZATIONS[tokenization]()
    raise ValueError(f"tokenization must be one of {sorted(TOKENIZATIONS)} (or a Tokenization), "
                     f"got {tokenization!r}")


@dataclass(frozen=True)
class TokenLayout:
    """The tokens a fusion model reads, in order, and their widths.

    Parameters
    ----------
    tokenization : Tokenization
        How the configurations become tokens.
    n_clusters : ndarray of shape (m,)
        Clusters of every mixed configuration (one token each, coarse → fine).
    n_cluster_stats : int
        Cluster statistics per configuration token (``"clusters"`` tokens).
    neighbor_sizes : tuple of int
        One neighbour-mean token per size, after the configuration tokens.
    neighbor_stats : int
        Statistics per neighbour-mean token.
    n_external, external_dim : int
        External tokens per row (last) and their width (0: none).
    """

    tokenization: Tokenization
    n_clusters: tuple
    n_cluster_stats: int
    neighbor_sizes: tuple = ()
    neighbor_stats: int = 1
    n_external: int = 0
    external_dim: int = 0

    @property
    def n_configurations(self) -> int:
        return len(self.n_clusters)

    def names(self, configuration_names) -> list[str]:
        """Token names: the configurations, ``neighbors_k<k>``, ``external<r>``."""
        return (list(configuration_names) + [f"neighbors_k{k}" for k in self.neighbor_sizes]
                + [f"external{r}" for r in range(self.n_external)])


def token_arrays(layout: TokenLayout, nearest: np.ndarray, weights: np.ndarray,
                 ids: np.ndarray, cluster_stats: np.ndarray | None = None,
                 neighbor_means: np.ndarray | None = None,
                 external: np.ndarray | None = None) -> list[np.ndarray]:
    """The network inputs of a set of rows, in the order of ``layout``.

    Parameters
    ----------
    layout : TokenLayout
    nearest, weights : ndarray of shape (n, k)
        The rows' nearest training rows and vote weights.
    ids : ndarray of shape (n_train, m)
        Aligned ids of the training rows in the mixed configurations.
    cluster_stats : ndarray of shape (n, m, F), optional
        Standardised cluster means (when the tokenisation reads them).
    neighbor_means : ndarray of shape (n, n_sizes, q), optional
        Standardised neighbour means (when the layout has neighbour-mean tokens).
    external : ndarray of shape (n, n_external, external_dim), optional
        Standardised external tokens.

    Returns
    -------
    list of ndarray
    """
    n_clusters = np.asarray(layout.n_clusters)
    arrays = layout.tokenization.arrays(nearest, weights, ids, n_clusters, cluster_stats)
    if layout.neighbor_sizes:
        arrays = arrays + NeighborTokens().arrays(nearest, weights, ids, n_clusters,
                                                  neighbor_means)
    if layout.n_external:
        arrays = arrays + [external]
    return arrays


@dataclass
class ExternalTokens:
    """Per-sample tokens from elsewhere (e.g. a Vision Transformer's registers), fitted.

    Validated as ``(n, R, d)`` (``(n, d)`` is one token) and standardised per token and
    dimension with the training rows' mean and standard deviation (+1e-6).

    Parameters
    ----------
    n_tokens, dim : int
        ``R`` and ``d``.
    mean, scale : ndarray of shape (R, d)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ext, E = ExternalTokens.fit(rng.normal(size=(5, 2, 3)), 5)
    >>> (ext.n_tokens, ext.dim), E.shape, E.dtype
    ((2, 3), (5, 2, 3), dtype('float32'))
    """

    n_tokens: int
    dim: int
    mean: np.ndarray
    scale: np.ndarray

    @staticmethod
    def check(tokens, n: int) -> np.ndarray:
        """``tokens`` as a float64 ``(n, R, d)`` array, with clear errors."""
        E = np.asarray(tokens)
        if E.dtype.kind not in "fiub":
            raise ValueError(f"tokens must be numeric (n_samples, n_tokens, dim), got dtype "
                             f"{E.dtype}")
        E = E.astype(np.float64)
        if E.ndim == 2:
            E = E[:, None, :]
        if E.ndim != 3 or 0 in E.shape[1:]:
            raise ValueError("tokens must have shape (n_samples, n_tokens, dim), or (n_samples, "
                             f"dim) for one token per sample; got shape {np.shape(tokens)}")
        if E.shape[0] != n:
            raise ValueError(f"tokens has {E.shape[0]} rows but X has {n}: pass one set of "
                             "tokens per row of X, in the same order")
        if not np.isfinite(E).all():
            raise ValueError("tokens contain NaN or infinity")
        return E

    @classmethod
    def fit(cls, tokens, n: int) -> tuple[ExternalTokens | None, np.ndarray | None]:
        """The fitted scaling and the training rows' standardised tokens (None, None
        without tokens)."""
        if tokens is None:
            return None, None
        E = cls.check(tokens, n)
        ext = cls(int(E.shape[1]), int(E.shape[2]), E.mean(axis=0), E.std(axis=0) + 1e-6)
        return ext, ext._standardize(E)

    def _standardize(self, E: np.ndarray) -> np.ndarray:
        return ((E - self.mean) / self.scale).astype(np.float32)

    def transform(self, tokens, n: int) -> np.ndarray:
        """New rows' tokens, validated against the fitted shape and standardised."""
        if tokens is None:
            raise ValueError(f"the model was fitted with external tokens (n, {self.n_tokens}, "
                             f"{self.dim}): pass tokens= for these rows too")
        E = self.check(tokens, n)
        if E.shape[1:] != (self.n_tokens, self.dim):
            raise ValueError(f"tokens have shape (n, {E.shape[1]}, {E.shape[2]}) but the model "
                             f"was fitted with (n, {self.n_tokens}, {self.dim})")
        return self._standardize(E)
