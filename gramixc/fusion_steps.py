"""Training and inference steps of the fusion model — the one module of the estimators
that imports the torch model (:mod:`gramixc.fusion`, lazily, inside each step).

Each step is a function of explicit inputs: the :class:`~gramixc.Fusion` settings,
the :class:`~gramixc.tokens.TokenLayout` of the tokens, the rows' arrays and seeds.
torch runs on :data:`TORCH_THREADS` threads in every step, so results do not depend
on ``n_jobs``.
"""

from __future__ import annotations

import numpy as np

from .fusion_settings import (
    TOKEN_HEAD,
    VALIDATION_FRACTION,
    Fusion,
    batch_size_for,
    training_rows,
)
from .tokens import TokenLayout

__all__ = ["TORCH_THREADS", "check_device", "build_model", "train_model", "validation_rows",
           "fit_token_model", "model_outputs", "run_model", "softmax"]

#: torch's intra-op threads for every training and inference: float32 reductions split
#: across threads sum in another order (outputs differed by ~1e-7 between n_jobs=1 and
#: 2), and results must not depend on n_jobs.
TORCH_THREADS = 1


def check_device(device: str) -> None:
    """Fail before any work when CUDA is asked for and absent (imports torch only then).

    Parameters
    ----------
    device : str
        The fusion settings' device.
    """
    if device != "cpu":
        from .fusion import resolve_device

        resolve_device(device)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 (class probabilities from logits).

    Parameters
    ----------
    logits : ndarray of shape (n, c)

    Returns
    -------
    ndarray of shape (n, c)

    Examples
    --------
    >>> softmax(np.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def build_model(settings: Fusion, layout: TokenLayout | None, n_features: int,
                n_outputs: int, seed: int, hidden=None, dropout: float | None = None):
    """A seeded :class:`~gramixc.fusion.FusionNet`: ``[X | fused tokens] → MLP``.

    Parameters
    ----------
    settings : Fusion
    layout : TokenLayout or None
        The tokens the attention reads (None: no attention, the plain MLP).
    n_features : int
        Width of ``X`` the head reads (0: tokens only).
    n_outputs : int
    seed : int
        Seeds the initial weights (torch's global RNG is restored afterwards).
    hidden, dropout : optional
        The head; default :data:`~gramixc.fusion_settings.TOKEN_HEAD` (the head of a
        model that reads only tokens).
    """
    from .fusion import ConfigAttention, FusionNet, seeded

    if hidden is None:
        hidden, dropout = TOKEN_HEAD
    with seeded(seed):
        attention = None
        if layout is not None:
            attention = ConfigAttention(
                n_configs=layout.n_configurations, tokenization=layout.tokenization,
                n_stats=layout.n_cluster_stats, n_embeddings=int(np.sum(layout.n_clusters)),
                d_model=settings.d_model, n_heads=settings.n_heads,
                n_registers=settings.n_registers, readout=settings.readout,
                n_neighbor_tokens=len(layout.neighbor_sizes),
                neighbor_stats=layout.neighbor_stats, n_external=layout.n_external,
                external_dim=layout.external_dim)
        return FusionNet(n_features, attention, n_outputs, hidden=tuple(hidden),
                         dropout=dropout)


def train_model(model, settings: Fusion, task: str, y: np.ndarray, tokens, seed: int,
                val_rows: np.ndarray, x: np.ndarray | None = None, verbose: bool = False,
                desc: str = "fusion") -> dict:
    """Train ``model`` in place with the training settings of ``settings``.

    Parameters
    ----------
    model : FusionNet
        From :func:`build_model`.
    settings : Fusion
        Epochs, batch size, learning rate, patience, deep supervision, device.
    task : {"regression", "classification"}
    y : ndarray of shape (n,)
        Encoded targets.
    tokens : list of ndarray
        The token arrays of the rows.
    seed : int
        Seeds batches and dropout.
    val_rows : ndarray of int
        Early-stopping rows.
    x : ndarray of shape (n, d), optional
        The features the head reads.
    verbose : bool, default=False
        Progress bar.
    desc : str, default="fusion"
        Its label.

    Returns
    -------
    dict
        The history of :func:`gramixc.fusion.train`.
    """
    from .fusion import train

    return train(model, x, list(tokens), y, task, int(seed), val_rows=val_rows,
                 max_epochs=settings.max_epochs,
                 batch_size=batch_size_for(settings.batch_size, len(y)),
                 lr=settings.learning_rate, patience=settings.patience,
                 aux_weight=settings.aux_weight, device=settings.device, verbose=verbose,
                 desc=desc, n_threads=TORCH_THREADS)


def validation_rows(n: int, seed: int, groups: np.ndarray | None = None) -> np.ndarray:
    """Early-stopping rows.

    Parameters
    ----------
    n : int
        Training rows.
    seed : int
    groups : ndarray of shape (n,), optional
        Whole groups are held out when given.

    Returns
    -------
    ndarray of int
        Positions ``0..n−1``: :data:`~gramixc.fusion_settings.VALIDATION_FRACTION` of the
        rows (at least 2, never all).
    """
    rng = np.random.default_rng(seed)
    if groups is not None:
        uniq = rng.permutation(np.unique(groups))
        n_val = max(1, int(round(VALIDATION_FRACTION * len(uniq))))
        val = np.flatnonzero(np.isin(groups, uniq[:n_val]))
        if 2 <= len(val) < n:
            return val
    n_val = max(2, int(round(VALIDATION_FRACTION * n)))
    return np.sort(rng.permutation(n)[:n_val])


def run_model(model, tokens, device: str, what: str = "output",
              x: np.ndarray | None = None) -> np.ndarray:
    """What a trained model gives for every row (float64 inference).

    Parameters
    ----------
    model : FusionNet
    tokens : list of ndarray
        The rows' token arrays.
    device : str
    what : {"output", "fused", "attention", "tokens"}, default="output"
        See :func:`gramixc.fusion.predict`.
    x : ndarray of shape (n, d), optional
        The features the head reads.

    Returns
    -------
    ndarray
    """
    from .fusion import predict

    return predict(model, x, list(tokens), device=device, what=what, n_threads=TORCH_THREADS)


def model_outputs(model, tokens, device: str, n_classes: int, prediction: bool,
                  scalars: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A token model's prediction and fused scalars.

    Parameters
    ----------
    model : FusionNet
        A model that reads only tokens.
    tokens : list of ndarray
    device : str
    n_classes : int
        0 for regression.
    prediction, scalars : bool
        Which of the two to compute.

    Returns
    -------
    out : ndarray or None
        The prediction (class probabilities; the positive class's for two classes).
    fused : ndarray or None
        The fused per-token scalars, then [CLS].
    """
    out = fused = None
    if prediction:
        out = run_model(model, tokens, device).astype(np.float64)
        if n_classes:
            p = softmax(out)
            out = p[:, 1:2] if n_classes == 2 else p
    if scalars:
        fused = run_model(model, tokens, device, what="fused")
    return out, fused


def fit_token_model(settings: Fusion, layout: TokenLayout, task: str, n_outputs: int,
                    y: np.ndarray, rows: np.ndarray, tokens, seed: int,
                    groups: np.ndarray | None = None, verbose: bool = False):
    """A fusion model that reads only tokens (:class:`~gramixc.GraMixC`'s fold models),
    trained on training rows ``rows`` — at most
    :data:`~gramixc.fusion_settings.MAX_TOKEN_MODEL_ROWS` of them.

    Parameters
    ----------
    settings : Fusion
    layout : TokenLayout
    task : {"regression", "classification"}
    n_outputs : int
        1 for regression, the number of classes otherwise.
    y : ndarray of shape (n_train,)
        Encoded targets of all training rows.
    rows : ndarray of int
        The rows to train on.
    tokens : list of ndarray
        Their token arrays (rows of ``rows``, in order).
    seed : int
        Seeds the subset, the early-stopping split, the weights and the batches.
    groups : ndarray of shape (n_train,), optional
        Whole groups in the early-stopping split.
    verbose : bool, default=False

    Returns
    -------
    FusionNet
    """
    keep = training_rows(len(rows), reads_features=False, seed=seed)
    if keep is not None:
        rows, tokens = rows[keep], [t[keep] for t in tokens]
    val = validation_rows(len(rows), seed, None if groups is None else groups[rows])
    model = build_model(settings, layout, 0, n_outputs, seed)
    train_model(model, settings, task, y[rows], tokens, seed, val, verbose=verbose,
                desc="GraMixC fusion")
    return model
