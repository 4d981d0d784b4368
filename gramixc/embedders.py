"""Token embedders: the torch modules that turn a tokenisation's arrays into tokens.

Torch only: this module imports nothing else from gramixc, so the tokenisation
classes (:mod:`gramixc.tokens`) and the attention module (:mod:`gramixc.fusion`)
can both use it without importing each other. Each embedder maps its inputs (a
list of tensors, rows first) to ``(B, t, D)`` tokens:

* :class:`StatsEmbedder` — ``(B, t, F)`` statistics, one ``Linear(F, D)`` per token;
* :class:`ScalarEmbedder` — ``(B, m)`` scalars through one shared ``Linear(1, D)``;
* :class:`ClusterEmbedder` — a learned vector per cluster (looked up, or the
  vote-weighted sum over a row's neighbours);
* :func:`sinusoidal_encoding` — the fixed positional encoding of the token order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

try:
    import torch
except ImportError as err:  # the extra that brings it, named as everywhere in gramixc
    raise ImportError('the attention fusion (GraMixC\'s fusion sets, GraMixCRegressor, '
                      'GraMixCClassifier) needs torch, which is not installed: '
                      'pip install "gramixc[torch]" (or gramixc[all])') from err

nn = torch.nn

__all__ = ["StatsEmbedder", "ScalarEmbedder", "ClusterEmbedder", "sinusoidal_encoding"]


def sinusoidal_encoding(n_positions: int, d_model: int) -> torch.Tensor:
    """Fixed sinusoidal positional encoding (Vaswani et al.), shape ``(n, d)``.

    Parameters
    ----------
    n_positions : int
        Positions (tokens).
    d_model : int
        Encoding width.

    Returns
    -------
    torch.Tensor of shape (n_positions, d_model)

    Examples
    --------
    >>> tuple(sinusoidal_encoding(4, 6).shape)
    (4, 6)
    """
    pos = torch.arange(n_positions, dtype=torch.float32)[:, None]
    i = torch.arange(0, d_model, 2, dtype=torch.float32)
    div = torch.exp(-math.log(10000.0) * i / d_model)
    pe = torch.zeros(n_positions, d_model)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)[:, : d_model // 2]
    return pe


class StatsEmbedder(nn.Module):
    """``(B, t, F)`` statistics → ``(B, t, D)`` tokens, one ``Linear(F, D)`` per token.

    Parameters
    ----------
    n_tokens : int
        Tokens (configurations, or neighbourhood sizes).
    n_stats : int
        Statistics per token (``F``).
    d_model : int
        Token width (``D``).

    Examples
    --------
    >>> emb = StatsEmbedder(3, 2, 8)
    >>> tuple(emb([torch.zeros(5, 3, 2)]).shape)
    (5, 3, 8)
    """

    n_inputs = 1

    def __init__(self, n_tokens: int, n_stats: int, d_model: int) -> None:
        super().__init__()
        self.token_weight = nn.Parameter(torch.empty(n_tokens, n_stats, d_model))
        self.token_bias = nn.Parameter(torch.zeros(n_tokens, d_model))
        nn.init.normal_(self.token_weight, std=1.0 / math.sqrt(n_stats))

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        return torch.einsum("bmf,mfd->bmd", inputs[0], self.token_weight) + self.token_bias


class ScalarEmbedder(nn.Module):
    """``(B, m)`` scalars (aligned ids in [0, 1]) → ``(B, m, D)`` through one ``Linear(1, D)``.

    Parameters
    ----------
    d_model : int
        Token width (``D``).
    """

    n_inputs = 1

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.embed = nn.Linear(1, d_model)

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        return self.embed(inputs[0].unsqueeze(-1))


class ClusterEmbedder(nn.Module):
    """A learned vector per cluster of every configuration (one shared table).

    ``soft=False``: input ``(B, m)`` offset ids. ``soft=True``: inputs ``(B, m, k)``
    offset ids of the ``k`` nearest training rows and their ``(B, m, k)`` vote
    weights; the token is the weighted sum of their cluster vectors.

    Parameters
    ----------
    n_embeddings : int
        Clusters of all configurations together (the table's rows).
    d_model : int
        Token width (``D``).
    soft : bool, default=False
        Vote-weighted vectors of the nearest rows instead of one looked-up id.
    """

    def __init__(self, n_embeddings: int, d_model: int, soft: bool = False) -> None:
        super().__init__()
        if n_embeddings < 1:
            raise ValueError("n_embeddings must be positive for embedding/soft tokens")
        self.soft = soft
        self.n_inputs = 2 if soft else 1
        self.embed = nn.Embedding(n_embeddings, d_model)
        nn.init.normal_(self.embed.weight, std=0.1)

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        if self.soft:
            idx, w = inputs
            return (self.embed(idx) * w.unsqueeze(-1)).sum(dim=2)
        return self.embed(inputs[0])
