"""Tokenisations: how a configuration becomes a token of the attention module.

One small class per tokenisation, chosen by name through :data:`TOKENIZATIONS`
(the way leidenalg takes a partition class). Each class knows

* the numpy arrays it feeds the network for a set of rows
  (:meth:`Tokenization.arrays`), built from the rows' training neighbours, their
  vote weights and the training rows' configuration ids — so training rows (with
  leave-one-out neighbours) and new rows are described the same way;
* the torch module that embeds those arrays as ``(B, t, D)`` tokens
  (:meth:`Tokenization.embedder`), imported lazily: validating a tokenisation
  name never imports torch.

===============  =================================================================
``"target"``     a per-token ``Linear(F, D)`` of the cross-fitted soft-vote cluster
                 target statistics (mean, spread, log size; see
                 :class:`~gramixc.target_stats.ClusterTargetEncoder`)
``"scalar"``     the paper's ``Linear(1, D)`` of the kNN-voted aligned id scaled
                 to [0, 1]
``"embedding"``  a learned vector per cluster of every configuration, looked up
                 at the kNN-voted id
``"soft"``       the vote-weighted sum of the cluster vectors of a row's ``k``
                 training neighbours
``"neighbors"``  not a configuration tokenisation: one token per neighbourhood
                 size, a ``Linear(q, D)`` of the cross-fitted target mean of a
                 row's nearest training rows (see
                 :class:`~gramixc.target_stats.NeighborTargetEncoder`)
===============  =================================================================

Examples
--------
>>> import numpy as np
>>> tok = get_tokenization("scalar")
>>> ids = np.array([[0, 0], [0, 1], [1, 2], [1, 3]])
>>> nb = np.array([[1, 2], [0, 3]]); w = np.array([[0.9, 0.1], [0.2, 0.8]])
>>> [a.shape for a in tok.arrays(nb, w, ids, np.array([2, 4]))]
[(2, 2)]
"""

from __future__ import annotations

import numpy as np

from .assign import knn_vote

__all__ = [
    "Tokenization",
    "TargetTokens",
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

    Subclasses set :attr:`name` and :attr:`uses_target_stats` and implement
    :meth:`arrays` and :meth:`embedder`.
    """

    #: Name in :data:`TOKENIZATIONS`.
    name: str = ""
    #: Whether :meth:`arrays` needs the (standardised) cluster target statistics.
    uses_target_stats: bool = False

    def arrays(self, neighbors: np.ndarray, weights: np.ndarray, ids: np.ndarray,
               n_clusters: np.ndarray, stats: np.ndarray | None = None) -> list[np.ndarray]:
        """Network inputs of rows with training ``neighbors`` (n × k) and vote ``weights``.

        Parameters
        ----------
        neighbors, weights : ndarray of shape (n, k)
        ids : ndarray of shape (n_train, m)
            Aligned ids of the training rows in the mixed configurations.
        n_clusters : ndarray of shape (m,)
        stats : ndarray of shape (n, m, F), optional
            Standardised target statistics (only for ``uses_target_stats``).
        """
        raise NotImplementedError

    def embedder(self, n_tokens: int, d_model: int, n_stats: int = 3, n_embeddings: int = 0):
        """The torch module mapping :meth:`arrays` (as tensors) to ``(B, n_tokens, d_model)``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class TargetTokens(Tokenization):
    """Cross-fitted soft-vote cluster target statistics, one ``Linear(F, D)`` per token."""

    name = "target"
    uses_target_stats = True

    def arrays(self, neighbors, weights, ids, n_clusters, stats=None):
        if stats is None:
            raise ValueError("target tokens need the cluster target statistics")
        return [np.asarray(stats, dtype=np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .fusion import StatsEmbedder

        return StatsEmbedder(n_tokens, n_stats, d_model)


class ScalarTokens(Tokenization):
    """The paper's tokens: ``Linear(1, D)`` of the kNN-voted aligned id scaled to [0, 1]."""

    name = "scalar"

    def arrays(self, neighbors, weights, ids, n_clusters, stats=None):
        hard = knn_vote(neighbors, weights, ids)
        scale = np.maximum(np.asarray(n_clusters) - 1, 1)
        return [(hard / scale).astype(np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .fusion import ScalarEmbedder

        return ScalarEmbedder(d_model)


class EmbeddingTokens(Tokenization):
    """A learned vector per cluster of every configuration, at the kNN-voted id."""

    name = "embedding"

    def arrays(self, neighbors, weights, ids, n_clusters, stats=None):
        hard = knn_vote(neighbors, weights, ids)
        return [(hard + _offsets(n_clusters)).astype(np.int64)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .fusion import ClusterEmbedder

        return ClusterEmbedder(n_embeddings, d_model, soft=False)


class SoftTokens(Tokenization):
    """The vote-weighted sum of the cluster vectors of a row's ``k`` training neighbours."""

    name = "soft"

    def arrays(self, neighbors, weights, ids, n_clusters, stats=None):
        offsets = _offsets(n_clusters)
        idx = (ids[neighbors] + offsets).transpose(0, 2, 1)  # (n, m, k)
        ww = np.repeat(weights[:, None, :], len(offsets), axis=1)
        return [np.ascontiguousarray(idx, dtype=np.int64), ww.astype(np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=3, n_embeddings=0):
        from .fusion import ClusterEmbedder

        return ClusterEmbedder(n_embeddings, d_model, soft=True)


class NeighborTokens(Tokenization):
    """One token per neighbourhood size: ``Linear(q, D)`` of its cross-fitted target mean.

    Its :meth:`arrays` take the (standardised) neighbour target means of shape
    ``(n, len(sizes), q)`` as ``stats``; the other arguments are unused.
    """

    name = "neighbors"
    uses_target_stats = True

    def arrays(self, neighbors, weights, ids, n_clusters, stats=None):
        if stats is None:
            raise ValueError("neighbour tokens need the neighbour target means")
        return [np.asarray(stats, dtype=np.float32)]

    def embedder(self, n_tokens, d_model, n_stats=1, n_embeddings=0):
        from .fusion import StatsEmbedder

        return StatsEmbedder(n_tokens, n_stats, d_model)


#: Configuration tokenisations by name.
TOKENIZATIONS: dict[str, type[Tokenization]] = {
    cls.name: cls for cls in (TargetTokens, ScalarTokens, EmbeddingTokens, SoftTokens)
}


def get_tokenization(tokenization) -> Tokenization:
    """A :class:`Tokenization` from a name in :data:`TOKENIZATIONS`, a class or an instance.

    Parameters
    ----------
    tokenization : str, Tokenization subclass or instance
        A name (``"target"``, ``"scalar"``, ``"embedding"``, ``"soft"``,
        ``"neighbors"``), a class or an instance.

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
