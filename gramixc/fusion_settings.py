"""The settings of the fusion model (:class:`Fusion`), validated without importing torch.

The attention module and its training are configured by one parameter group,
:class:`Fusion`, passed as ``fusion=`` to the estimators; its fields are nested
parameters (``fusion__d_model``) that ``GridSearchCV`` can tune.
:func:`check_attention_settings` is the one validation of the attention's settings,
used by :meth:`Fusion.validate` and by :class:`~gramixc.fusion.ConfigAttention`
itself, so both accept and reject the same values with the same defaults.

Fixed parts of the fusion (no option: none was measured better than these values):

=================================  =====================================================
:data:`ATTN_DROPOUT`               dropout of the attention weights (0.1)
:data:`VALIDATION_FRACTION`        share of the training rows held out for early
                                   stopping (0.15; whole groups with ``groups``)
:data:`TOKEN_HEAD`                 the head of :class:`~gramixc.GraMixC`'s fold models,
                                   which read the tokens only: one hidden layer of 64,
                                   dropout 0.1
:data:`MAX_TOKEN_MODEL_ROWS`       a model that reads only tokens trains on at most this
                                   many rows (a seeded subset; 4,096): a stacker of a
                                   few tokens needs no more, and its cost stays flat in n
=================================  =====================================================
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from .tokens import TOKENIZATIONS, Tokenization

__all__ = ["Fusion", "check_attention_settings", "check_device_name", "ATTN_DROPOUT",
           "VALIDATION_FRACTION", "MLP_DROPOUT", "TOKEN_HEAD", "MAX_TOKEN_MODEL_ROWS", "READOUTS",
           "batch_size_for", "training_rows"]

#: Attention-weight dropout of :class:`~gramixc.fusion.ConfigAttention`.
ATTN_DROPOUT = 0.1
#: Dropout of the end-to-end estimators' MLP (a parameter before 1.0: 0.0 instead tied on
#: all four tables of ``benchmarks/bench_options.py``, so it is fixed).
MLP_DROPOUT = 0.2
#: Share of the training rows held out for early stopping.
VALIDATION_FRACTION = 0.15
#: ``(hidden layers, dropout)`` of the head of a model that reads only tokens.
TOKEN_HEAD = ((64,), 0.1)
#: Most rows a model that reads only tokens trains on.
MAX_TOKEN_MODEL_ROWS = 4096
#: Readouts of the attention module.
READOUTS = ("select", "mixed")


def check_device_name(device) -> None:
    """``"cpu"``, ``"auto"``, ``"cuda"`` or ``"cuda:N"`` — checked without importing torch.

    Parameters
    ----------
    device : str
        The device name.

    Examples
    --------
    >>> check_device_name("cuda:0")
    >>> check_device_name("gpu")
    Traceback (most recent call last):
        ...
    ValueError: device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got 'gpu'
    """
    ok = device in ("cpu", "auto", "cuda") or (
        isinstance(device, str) and device.startswith("cuda:") and device[5:].isdigit())
    if not ok:
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}")


def check_attention_settings(d_model: int, n_heads: int, n_registers: int,
                             readout: str) -> None:
    """The cross-checks of the attention's settings (one place for both entry points).

    Parameters
    ----------
    d_model : int
        Token width.
    n_heads : int
        Attention heads (must divide ``d_model``).
    n_registers : int
        Register tokens (0 allowed).
    readout : {"select", "mixed"}
        The readout.

    Examples
    --------
    >>> check_attention_settings(32, 3, 2, "select")
    Traceback (most recent call last):
        ...
    ValueError: d_model=32 must be divisible by n_heads=3
    """
    if readout not in READOUTS:
        raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
    if n_registers < 0:
        raise ValueError(f"n_registers must be >= 0, got {n_registers}")
    if n_heads < 1 or d_model < 1:
        raise ValueError(f"d_model and n_heads must be positive, got {d_model}, {n_heads}")
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")


def batch_size_for(batch_size, n_rows: int) -> int:
    """Rows per training step.

    Parameters
    ----------
    batch_size : "auto" or int
        ``"auto"``: a sixteenth of the training rows, between 32 and 512 (at least 16
        steps per epoch on small tables, where 512-row batches left the attention
        nearly uniform).
    n_rows : int
        Training rows.

    Returns
    -------
    int
    """
    return int(np.clip(n_rows // 16, 32, 512)) if batch_size == "auto" else int(batch_size)


def training_rows(n: int, reads_features: bool, seed: int) -> np.ndarray | None:
    """The rows a fusion model trains on.

    Parameters
    ----------
    n : int
        Rows available.
    reads_features : bool
        Whether the network reads the features ``X`` (the end-to-end MLP): then all.
    seed : int
        Seeds the subset.

    Returns
    -------
    ndarray of int or None
        None (all rows), or at most :data:`MAX_TOKEN_MODEL_ROWS` positions: a seeded
        random subset in row order.

    Examples
    --------
    >>> training_rows(10_000, True, 0) is None, len(training_rows(10_000, False, 0))
    (True, 4096)
    """
    if reads_features or n <= MAX_TOKEN_MODEL_ROWS:
        return None
    return np.sort(np.random.default_rng(int(seed)).choice(n, MAX_TOKEN_MODEL_ROWS,
                                                           replace=False))


class Fusion(BaseEstimator):
    """Settings of the fusion model: the attention module and its training.

    A parameter group (no fitting of its own): pass it as ``fusion=`` to
    :class:`~gramixc.GraMixC`, :class:`~gramixc.GraMixCRegressor` or
    :class:`~gramixc.GraMixCClassifier`. It is validated with the estimator, before
    any training, and its parameters are nested parameters of the estimator
    (``fusion__d_model``), so ``GridSearchCV`` can tune them.

    Parameters
    ----------
    tokenization : {"clusters", "scalar", "embedding", "soft"} or Tokenization, default="clusters"
        How a configuration becomes a token (:mod:`gramixc.tokens`): its cross-fitted
        soft-vote cluster means (default), the paper's aligned scalar ids, cluster
        embeddings, or soft-voted cluster embeddings.
    d_model : int, default=32
        Token width.
    n_heads : int, default=1
        Attention heads (``d_model`` must be divisible by it).
    n_registers : int, default=2
        Learnable register tokens (ViT-style; 0 allowed).
    readout : {"select", "mixed"}, default="select"
        ``"select"``: each token's scalar is a prediction from that token alone and the
        [CLS] scalar their average weighted by the [CLS] attention — attention that
        selects scales per sample. ``"mixed"``: every scalar reads its position after
        attention (the paper's module). See :class:`~gramixc.fusion.ConfigAttention`.
    aux_weight : float, default=0.5
        Deep supervision of the fused scalars (see :func:`gramixc.fusion.train`).
    max_epochs : int, default=60
    batch_size : "auto" or int, default="auto"
        Rows per training step; ``"auto"``: a sixteenth of the training rows, between
        32 and 512.
    learning_rate : float, default=3e-3
    patience : int, default=6
        Early stopping: epochs without improvement of the validation loss.
    device : {"cpu", "cuda", "cuda:N", "auto"}, default="cpu"

    Examples
    --------
    >>> from gramixc import GraMixC, Fusion
    >>> g = GraMixC(fusion=Fusion(d_model=16, max_epochs=20))
    >>> g.get_params()["fusion__d_model"]
    16
    """

    _parameter_constraints: dict = {
        "tokenization": [StrOptions(set(TOKENIZATIONS)), Tokenization],
        "d_model": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_heads": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_registers": [Interval(numbers.Integral, 0, None, closed="left")],
        "readout": [StrOptions(set(READOUTS))],
        "aux_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 2, None,
                                                      closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str],
    }

    def __init__(self, tokenization="clusters", d_model: int = 32, n_heads: int = 1,
                 n_registers: int = 2, readout: str = "select", aux_weight: float = 0.5,
                 max_epochs: int = 60, batch_size="auto", learning_rate: float = 3e-3,
                 patience: int = 6, device: str = "cpu") -> None:
        self.tokenization = tokenization
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_registers = n_registers
        self.readout = readout
        self.aux_weight = aux_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.device = device

    def validate(self) -> None:
        """Raise a clear error for any invalid setting (never imports torch)."""
        self._validate_params()
        check_attention_settings(self.d_model, self.n_heads, self.n_registers, self.readout)
        check_device_name(self.device)
