"""Attention over configurations with [CLS] and register tokens (torch).

The model and its training loop; the estimators reach it only through
:mod:`gramixc.fusion_steps`, the one module that imports this one, so the
unsupervised parts of gramixc never load torch.

* :class:`ConfigAttention` — configuration tokens (and optionally neighbour-mean and
  external tokens; the token embedders are :mod:`gramixc.embedders`') with a fixed
  sinusoidal positional encoding over their order (coarse → fine), one learnable
  [CLS] and ``n_registers`` learnable register tokens (ViT-style, no positional
  encoding), multi-head scaled dot-product attention, LayerNorm and a shared
  per-token ``Linear(D, 1)``. Output: one scalar per token plus the [CLS] scalar
  (registers dropped).
* :class:`FusionNet` — ``[features | fused scalars] → MLP head``.
* :func:`train` — the training loop shared by all estimators (Adam, mini-batches,
  early stopping on an inner validation split, deterministic under a seed).
* :func:`predict` — float64 inference in batches.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from ._optional import import_optional
from .fusion_settings import ATTN_DROPOUT, check_attention_settings
from .tokens import get_tokenization

torch = import_optional("torch", "the attention fusion (GraMixC's fusion sets, GraMixCRegressor, "
                                 "GraMixCClassifier)")
nn = torch.nn

from ._torch import seeded, torch_threads  # noqa: E402  (after the torch check)
from .embedders import StatsEmbedder, sinusoidal_encoding  # noqa: E402

__all__ = ["ConfigAttention", "FusionNet", "train", "predict", "seeded", "torch_threads",
           "resolve_device"]


# ----------------------------------------------------------------------------- attention
class ConfigAttention(nn.Module):
    """Self-attention over configuration tokens plus [CLS] and register tokens.

    Parameters
    ----------
    n_configs : int
        Number of configuration tokens ``m``.
    tokenization : str or Tokenization, default="clusters"
        How a configuration becomes a token (see :mod:`gramixc.tokens`).
    n_stats : int
        Statistics per token for ``"clusters"``.
    n_embeddings : int
        Size of the shared cluster table for ``"embedding"`` / ``"soft"``
        (``Σ_j K_j``).
    d_model : int, default=32
    n_heads : int, default=1
        ``d_model`` must be divisible by it.
    n_registers : int, default=2
        Register tokens (0 allowed).
    attn_dropout : float, default=ATTN_DROPOUT
        Dropout of the attention weights.
    n_neighbor_tokens : int, default=0
        Extra tokens after the configuration tokens, one per neighbour-mean size
        (:class:`~gramixc.tokens.NeighborTokens`); their input is the last array.
    neighbor_stats : int, default=1
        Statistics per neighbour-mean token (1 for regression, the class fractions
        for classification).
    n_external : int, default=0
        External tokens per sample (e.g. a Vision Transformer's register tokens),
        after the neighbour-mean tokens; their input is the last array, shape
        ``(B, n_external, external_dim)``. Each is projected to ``d_model`` by one
        shared ``Linear(external_dim, d_model)`` and gets a learned embedding of
        its own (position and type in one: the configuration and neighbour-mean
        tokens carry the fixed sinusoidal encoding instead).
    external_dim : int, default=0
        Width of the external tokens.
    readout : {"select", "mixed"}, default="select"
        ``"select"``: each token's scalar reads that token alone — a prediction at
        its own scale — and the [CLS] scalar is the attention-weighted average of
        them, ``Σ_t a_t(x) s_t(x)`` with ``a`` the [CLS] row of the attention: the
        attention *selects* scales per sample, and its map says which.
        ``"mixed"``: every output scalar reads its position after attention (each
        token's scalar is a mixture of all tokens; the paper's module).

    Notes
    -----
    The settings are checked by :func:`~gramixc.fusion_settings.check_attention_settings`,
    the same check as :class:`~gramixc.Fusion`'s, with the same defaults.

    Examples
    --------
    >>> import torch
    >>> att = ConfigAttention(5, "scalar", d_model=8, n_registers=2, readout="mixed")
    >>> out = att((torch.rand(3, 5),))
    >>> tuple(out.shape)   # 5 configurations + [CLS]
    (3, 6)
    >>> att.attention_map((torch.rand(3, 5),)).sum(dim=1).le(1.0 + 1e-6).all().item()
    True
    >>> ext = ConfigAttention(5, "scalar", d_model=8, n_external=4, external_dim=16)
    >>> tuple(ext((torch.rand(3, 5), torch.rand(3, 4, 16))).shape)  # + 4 external tokens
    (3, 10)
    """

    def __init__(self, n_configs: int, tokenization="clusters", n_stats: int = 3,
                 n_embeddings: int = 0, d_model: int = 32, n_heads: int = 1,
                 n_registers: int = 2, attn_dropout: float = ATTN_DROPOUT,
                 n_neighbor_tokens: int = 0, neighbor_stats: int = 1, n_external: int = 0,
                 external_dim: int = 0, readout: str = "select") -> None:
        super().__init__()
        tok = get_tokenization(tokenization)
        check_attention_settings(d_model, n_heads, n_registers, readout)
        self.readout_mode = readout
        if n_external < 0 or (n_external and external_dim < 1):
            raise ValueError(f"n_external={n_external} external tokens need external_dim >= 1, "
                             f"got {external_dim}")
        self.n_configs = n_configs
        self.n_neighbor_tokens = int(n_neighbor_tokens)
        self.n_external = int(n_external)
        self.tokenization = tok.name
        self.n_registers = n_registers
        self.embed = tok.embedder(n_configs, d_model, n_stats=n_stats, n_embeddings=n_embeddings)
        self.neighbor_embed = (StatsEmbedder(self.n_neighbor_tokens, neighbor_stats, d_model)
                               if self.n_neighbor_tokens else None)
        self.register_buffer("pos", sinusoidal_encoding(n_configs + self.n_neighbor_tokens,
                                                        d_model), persistent=False)
        if self.n_external:
            self.external_proj = nn.Linear(int(external_dim), d_model)
            self.external_embed = nn.Parameter(torch.randn(1, self.n_external, d_model) * 0.02)
        # [CLS] first, then the registers
        self.special = nn.Parameter(torch.randn(1, 1 + n_registers, d_model) * 0.02)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=attn_dropout, batch_first=True)
        self.norm = nn.LayerNorm(d_model)
        self.readout = nn.Linear(d_model, 1)
        if readout == "select":
            self.token_norm = nn.LayerNorm(d_model)

    @property
    def n_tokens(self) -> int:
        """Configuration, neighbour-mean and external tokens."""
        return self.n_configs + self.n_neighbor_tokens + self.n_external

    @property
    def n_outputs(self) -> int:
        """The scalars of :meth:`forward`: one per token, then [CLS]."""
        return self.n_tokens + 1

    def tokens(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Configuration, neighbour-mean and external tokens ``(B, t, D)``, each with its
        positional (external: learned) embedding."""
        n_in = self.embed.n_inputs
        tok = self.embed(inputs[:n_in])
        if self.neighbor_embed is not None:
            tok = torch.cat([tok, self.neighbor_embed(inputs[n_in:n_in + 1])], dim=1)
        tok = tok + self.pos
        if self.n_external:
            ext = inputs[-1]
            if ext.dim() != 3 or ext.shape[1:] != (self.n_external,
                                                   self.external_proj.in_features):
                raise ValueError(f"external tokens must have shape (B, {self.n_external}, "
                                 f"{self.external_proj.in_features}), got {tuple(ext.shape)}")
            tok = torch.cat([tok, self.external_proj(ext) + self.external_embed], dim=1)
        return tok

    def _encode(self, inputs, need_weights: bool):
        tok = self.tokens(inputs)
        tok = torch.cat([self.special.expand(tok.shape[0], -1, -1), tok], dim=1)
        att, weights = self.attn(tok, tok, tok, need_weights=need_weights,
                                 average_attn_weights=True)
        return self.norm(att), weights

    def _select(self, inputs):
        """Per-token scalars of the tokens alone and the [CLS] selection weights."""
        tok = self.tokens(inputs)
        own = self.readout(self.token_norm(tok)).squeeze(-1)  # (B, t)
        full = torch.cat([self.special.expand(tok.shape[0], -1, -1), tok], dim=1)
        _, w = self.attn(full, full, full, need_weights=True, average_attn_weights=True)
        n_special = 1 + self.n_registers
        a = w[:, 0, n_special:]
        a = a / a.sum(dim=1, keepdim=True).clamp_min(1e-12)
        return own, a

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        """``(B, t + 1)`` scalars: tokens then [CLS]."""
        if self.readout_mode == "select":
            own, a = self._select(inputs)
            return torch.cat([own, (a * own).sum(dim=1, keepdim=True)], dim=1)
        h, _ = self._encode(inputs, need_weights=False)
        out = self.readout(h).squeeze(-1)
        return torch.cat([out[:, 1 + self.n_registers:], out[:, :1]], dim=1)

    @torch.no_grad()
    def attention_map(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        """[CLS] → token attention weights ``(B, t)`` (averaged over heads)."""
        if self.readout_mode == "select":
            return self._select(inputs)[1]
        _, w = self._encode(inputs, need_weights=True)
        n_special = 1 + self.n_registers
        return w[:, 0, n_special:]


def _mlp(d_in: int, hidden: Sequence[int], d_out: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for h in hidden:
        layers += [nn.Linear(d_in, h), nn.ReLU(), nn.Dropout(dropout)]
        d_in = h
    layers.append(nn.Linear(d_in, d_out))
    return nn.Sequential(*layers)


class FusionNet(nn.Module):
    """``[features | ConfigAttention outputs] → MLP`` (either part optional).

    Parameters
    ----------
    n_features : int
        Width of the plain feature block (0: configurations only).
    attention : ConfigAttention or None
        None: the plain MLP on the features (the baseline "predictor alone").
    n_outputs : int
        1 for regression, number of classes for classification.
    hidden : sequence of int, default=(256, 128, 64)
    dropout : float, default=0.2
    """

    def __init__(self, n_features: int, attention: ConfigAttention | None, n_outputs: int,
                 hidden: Sequence[int] = (256, 128, 64), dropout: float = 0.2) -> None:
        super().__init__()
        if n_features == 0 and attention is None:
            raise ValueError("FusionNet needs features, configurations or both")
        self.n_features = n_features
        self.attention = attention
        width = n_features + (attention.n_outputs if attention is not None else 0)
        self.head = _mlp(width, hidden, n_outputs, dropout)
        # "wide" path: a linear read of the fused scalars added to the MLP output, so the
        # head can use configuration evidence directly however many features X has
        self.skip = (nn.Linear(attention.n_outputs, n_outputs)
                     if attention is not None and n_features else None)

    def fused(self, tokens: Sequence[torch.Tensor]) -> torch.Tensor:
        return self.attention(tokens)

    def forward(self, x: torch.Tensor | None, tokens: Sequence[torch.Tensor],
                return_fused: bool = False):
        """Head output ``(B, n_outputs)``; with ``return_fused`` also the fused scalars."""
        parts = []
        fused = None
        if self.n_features:
            parts.append(x)
        if self.attention is not None:
            fused = self.attention(tokens)
            parts.append(fused)
        out = self.head(torch.cat(parts, dim=1) if len(parts) > 1 else parts[0])
        if self.skip is not None:
            out = out + self.skip(fused)
        return (out, fused) if return_fused else out


# ----------------------------------------------------------------------------- training
def resolve_device(device: str) -> torch.device:
    """The torch device for a device name.

    Parameters
    ----------
    device : {"cpu", "cuda", "cuda:N", "auto"}
        ``"auto"``: CUDA when available, else the CPU; ``"cuda"`` without CUDA is an
        error.

    Returns
    -------
    torch.device
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} requested but CUDA is not available")
    if device not in ("cpu",) and not str(device).startswith("cuda"):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}")
    return torch.device(device)


def _to_tensors(arrays, rows, device):
    out = []
    for a in arrays:
        part = a[rows] if rows is not None else a
        t = torch.from_numpy(np.ascontiguousarray(part))
        out.append(t.to(device))
    return out


def train(
    model: FusionNet,
    x: np.ndarray | None,
    tokens: Sequence[np.ndarray],
    y: np.ndarray,
    task: str,
    seed: int,
    val_rows: np.ndarray | None = None,
    max_epochs: int = 100,
    batch_size: int = 128,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    patience: int = 10,
    aux_weight: float = 0.0,
    device: str = "cpu",
    verbose: bool = False,
    desc: str = "training",
    n_threads: int | None = None,
) -> dict:
    """Train ``model`` in place (Adam, mini-batches, early stopping); return a history.

    Parameters
    ----------
    model : FusionNet
    x : ndarray of shape (n, d) float32, or None
    tokens : sequence of ndarray
        Token inputs with rows first (see the module docstring).
    y : ndarray of shape (n,)
        float32 targets (regression) or int64 classes.
    task : {"regression", "classification"}
    seed : int
        Seeds initialisation order, batches and dropout; the global torch RNG
        state is saved and restored, so callers' randomness is untouched.
    val_rows : ndarray of int, optional
        Rows used for early stopping (never trained on). None: train
        ``max_epochs`` epochs and keep the last weights.
    max_epochs, batch_size, lr, weight_decay, patience
    aux_weight : float, default=0.0
        Deep supervision of the fused scalars: adds ``aux_weight`` × the mean loss
        of every configuration scalar and the [CLS] scalar predicting the target
        on their own (regression: MSE; binary classification: logistic loss;
        ignored for more than two classes). It gives each scalar the meaning "a
        prediction of y at this scale", so scalars of separately trained models
        (cross-fitting folds) are comparable.
    device : str
    verbose : bool
        tqdm progress bar over epochs.
    n_threads : int or None
        torch intra-op threads while training (None: torch's current setting).
    desc : str, default="training"
        Label of the progress bar.

    Returns
    -------
    dict
        ``{"train_loss": [...], "val_loss": [...], "best_epoch": int, "best_val": float}``
    """
    from tqdm.auto import tqdm

    dev = resolve_device(device)
    n = len(y)
    all_rows = np.arange(n)
    train_rows = all_rows if val_rows is None else np.setdiff1d(all_rows, val_rows)
    loss_fn = nn.MSELoss() if task == "regression" else nn.CrossEntropyLoss()
    n_out = model.head[-1].out_features
    use_aux = aux_weight > 0 and model.attention is not None and (
        task == "regression" or n_out == 2)

    def aux_loss(fused, yb):
        if task == "regression":
            return ((fused - yb[:, None]) ** 2).mean()
        return nn.functional.binary_cross_entropy_with_logits(
            fused, yb[:, None].float().expand_as(fused))
    rng = np.random.default_rng(seed)
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1, "best_val": float("inf")}
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []), \
            torch_threads(n_threads):
        torch.manual_seed(seed)
        model.to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        best_state = None
        bad = 0
        x_arr = [x] if x is not None else []
        if val_rows is not None:
            xv = _to_tensors(x_arr, val_rows, dev)
            tv = _to_tensors(tokens, val_rows, dev)
            yv = torch.from_numpy(y[val_rows]).to(dev)
        bar = tqdm(range(max_epochs), desc=desc, disable=not verbose, leave=False)
        for epoch in bar:
            model.train()
            perm = rng.permutation(train_rows)
            total = 0.0
            for start in range(0, len(perm), batch_size):
                rows = perm[start:start + batch_size]
                if len(rows) < 2 and len(perm) > 1:
                    continue  # a batch of one breaks nothing but adds noise
                xb = _to_tensors(x_arr, rows, dev)
                tb = _to_tensors(tokens, rows, dev)
                yb = torch.from_numpy(y[rows]).to(dev)
                opt.zero_grad()
                out, fused = model(xb[0] if xb else None, tb, return_fused=True)
                loss = loss_fn(out.squeeze(-1) if task == "regression" else out, yb)
                if use_aux:
                    loss = loss + aux_weight * aux_loss(fused, yb)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(rows)
            history["train_loss"].append(total / max(len(perm), 1))
            if val_rows is None:
                continue
            model.eval()
            with torch.no_grad():
                out = model(xv[0] if xv else None, tv)
                vl = float(loss_fn(out.squeeze(-1) if task == "regression" else out, yv))
            history["val_loss"].append(vl)
            bar.set_postfix(val=f"{vl:.4f}")
            if vl < history["best_val"] - 1e-7:
                history["best_val"], history["best_epoch"] = vl, epoch
                best_state = copy.deepcopy(model.state_dict())
                bad = 0
            else:
                bad += 1
                if bad >= patience:
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        model.to("cpu")
        model.eval()
    return history


@torch.no_grad()
def predict(model: FusionNet, x: np.ndarray | None, tokens: Sequence[np.ndarray],
            device: str = "cpu", batch_size: int = 4096, what: str = "output",
            n_threads: int | None = None) -> np.ndarray:
    """Run ``model`` in eval mode over all rows in batches.

    ``what``: ``"output"`` (head output), ``"fused"`` (the ConfigAttention
    scalars), ``"attention"`` ([CLS] → configuration weights) or ``"tokens"`` (the
    token embeddings the attention reads, ``(n, t, D)``).

    Parameters
    ----------
    model : FusionNet
        A trained model.
    x : ndarray of shape (n, d) or None
        The head's features (None for a model without them).
    tokens : sequence of ndarray
        The tokenisation's arrays for the same rows.
    device : str, default="cpu"
        torch device.
    batch_size : int, default=4096
        Rows per forward pass.
    what : {"output", "fused", "attention", "tokens"}, default="output"
        What to return (see above).
    n_threads : int or None, default=None
        torch intra-op threads inside (None: leave torch's setting).

    Returns
    -------
    ndarray
    """
    dev = resolve_device(device)
    # inference in float64 on a copy: batched float32 kernels differ by ~1e-7 between
    # batch sizes, and a prediction must not depend on which other rows came with it
    model = copy.deepcopy(model).to(dev, dtype=torch.float64)
    model.eval()
    with torch_threads(n_threads):
        return _predict_batches(model, x, tokens, dev, batch_size, what)


def _predict_batches(model, x, tokens, dev, batch_size, what) -> np.ndarray:
    n = len(tokens[0]) if tokens else len(x)
    outs = []
    for start in range(0, n, batch_size):
        rows = np.arange(start, min(start + batch_size, n))
        tb = [t.double() if t.is_floating_point() else t for t in _to_tensors(tokens, rows, dev)]
        if what == "output":
            xb = _to_tensors([x], rows, dev)[0].double() if x is not None else None
            o = model(xb, tb)
        elif what == "fused":
            o = model.attention(tb)
        elif what == "attention":
            o = model.attention.attention_map(tb)
        elif what == "tokens":
            o = model.attention.tokens(tb)
        else:
            raise ValueError(f"what must be 'output', 'fused', 'attention' or 'tokens', "
                             f"got {what!r}")
        outs.append(o.cpu().numpy())
    return np.concatenate(outs, axis=0)
