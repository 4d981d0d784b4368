"""A small Vision Transformer with register tokens, and token embeddings of any ViT (torch).

The vision path of gramixc, in its own module so that nothing else imports it (it
needs ``gramixc[torch]``):

* :class:`SmallViT` — patch embedding, a [CLS] token and ``n_registers`` register
  tokens (Darcet et al., "Vision Transformers Need Registers"), ``depth``
  pre-norm encoder blocks and a linear head on [CLS]. Sized for 28 × 28 grey
  images (Fashion-MNIST) and trainable on two CPU cores in minutes
  (:func:`train_vit`).
* :func:`vit_tokens` — per-image [CLS], register and patch-token embeddings of a
  trained ViT, as numpy arrays: the inputs for configurations of the [CLS]
  embeddings and for the fusion's external tokens (``GraMixC*.fit(X, y,
  tokens=registers)``). It reads three shapes of model: this module's
  ``forward_tokens`` interface; timm-style models (``forward_features`` returning the
  whole sequence, ``num_prefix_tokens`` = [CLS] + registers, e.g. timm's
  ``vit_*_reg4`` models); and torchvision-style ``VisionTransformer`` s (``class_token``,
  ``encoder``; a forward hook reads the encoder's output sequence — these have no
  registers, so ``registers`` is empty).

Examples
--------
>>> import numpy as np
>>> vit = SmallViT(image_size=28, patch_size=7, dim=16, depth=1, n_heads=2, n_registers=3,
...                n_classes=10, random_state=0)
>>> tok = vit_tokens(vit, np.random.default_rng(0).random((5, 28, 28)))
>>> tok.cls_token.shape, tok.registers.shape, tok.patches.shape
((5, 16), (5, 3, 16), (5, 16, 16))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._optional import import_optional

torch = import_optional("torch", "the vision path (gramixc.vision)")
nn = torch.nn

__all__ = ["SmallViT", "TokenEmbeddings", "train_vit", "vit_tokens", "as_images"]


def as_images(images, image_size: int | None = None) -> np.ndarray:
    """Images as a float32 ``(n, channels, h, w)`` array.

    Parameters
    ----------
    images : array-like
        ``(n, h, w)`` grey images, ``(n, c, h, w)``, or ``(n, h·w)`` flattened square
        grey images (e.g. Fashion-MNIST's 784 pixels).
    image_size : int, optional
        Expected height and width.

    Returns
    -------
    ndarray of shape (n, c, h, w), float32

    Examples
    --------
    >>> as_images(np.zeros((2, 784))).shape
    (2, 1, 28, 28)
    """
    a = np.asarray(images, dtype=np.float32)
    if a.ndim == 2:
        side = int(round(np.sqrt(a.shape[1])))
        if side * side != a.shape[1]:
            raise ValueError(f"flattened images need a square number of pixels, got {a.shape[1]}")
        a = a.reshape(len(a), 1, side, side)
    elif a.ndim == 3:
        a = a[:, None]
    if a.ndim != 4:
        raise ValueError(f"images must be (n, h, w), (n, c, h, w) or (n, h*w); got shape "
                         f"{np.shape(images)}")
    if image_size is not None and a.shape[2:] != (image_size, image_size):
        raise ValueError(f"images are {a.shape[2]}x{a.shape[3]}; the model takes "
                         f"{image_size}x{image_size}")
    if not np.isfinite(a).all():
        raise ValueError("images contain NaN or infinity")
    return a


class _Block(nn.Module):
    """Pre-norm transformer encoder block: ``x + MHA(LN(x))``, then ``x + MLP(LN(x))``."""

    def __init__(self, dim: int, n_heads: int, mlp_ratio: float, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, n_heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class SmallViT(nn.Module):
    """A Vision Transformer with [CLS] and register tokens, small enough for a CPU.

    The sequence is ``[CLS, reg_1 … reg_R, patch_1 … patch_P]``; the patches get a
    learned positional embedding, [CLS] and the registers none (as in Darcet et al.).
    The registers take part in attention like any token but feed no output: the
    classifier reads [CLS] only.

    Parameters
    ----------
    image_size : int, default=28
    patch_size : int, default=7
        ``image_size`` must be a multiple of it (``(28 / 7)² = 16`` patches).
    in_channels : int, default=1
    dim : int, default=64
        Token width.
    depth : int, default=4
        Encoder blocks.
    n_heads : int, default=4
        ``dim`` must be divisible by it.
    n_registers : int, default=4
        Register tokens (0 allowed).
    n_classes : int, default=10
    mlp_ratio : float, default=2.0
    dropout : float, default=0.0
    random_state : int, default=0
        Seeds the initial weights (torch's global RNG is restored afterwards).

    Examples
    --------
    >>> vit = SmallViT(dim=16, depth=1, n_heads=2, random_state=0)
    >>> tuple(vit(torch.zeros(2, 1, 28, 28)).shape)
    (2, 10)
    """

    def __init__(self, image_size: int = 28, patch_size: int = 7, in_channels: int = 1,
                 dim: int = 64, depth: int = 4, n_heads: int = 4, n_registers: int = 4,
                 n_classes: int = 10, mlp_ratio: float = 2.0, dropout: float = 0.0,
                 random_state: int = 0) -> None:
        super().__init__()
        from ._torch import seeded

        if image_size % patch_size:
            raise ValueError(f"image_size={image_size} must be a multiple of "
                             f"patch_size={patch_size}")
        if dim % n_heads:
            raise ValueError(f"dim={dim} must be divisible by n_heads={n_heads}")
        if n_registers < 0 or depth < 1:
            raise ValueError(f"need n_registers >= 0 and depth >= 1, got {n_registers}, {depth}")
        self.image_size = image_size
        self.n_registers = n_registers
        self.n_patches = (image_size // patch_size) ** 2
        with seeded(random_state):
            self.patch_embed = nn.Conv2d(in_channels, dim, patch_size, stride=patch_size)
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
            self.reg_token = (nn.Parameter(torch.randn(1, n_registers, dim) * 0.02)
                              if n_registers else None)
            self.pos_embed = nn.Parameter(torch.randn(1, self.n_patches, dim) * 0.02)
            self.blocks = nn.ModuleList(_Block(dim, n_heads, mlp_ratio, dropout)
                                        for _ in range(depth))
            self.norm = nn.LayerNorm(dim)
            self.head = nn.Linear(dim, n_classes)

    def forward_tokens(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(cls (B, D), registers (B, R, D), patches (B, P, D))`` after the last block."""
        p = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed
        prefix = [self.cls_token.expand(len(x), -1, -1)]
        if self.reg_token is not None:
            prefix.append(self.reg_token.expand(len(x), -1, -1))
        h = torch.cat(prefix + [p], dim=1)
        for blk in self.blocks:
            h = blk(h)
        h = self.norm(h)
        r = 1 + self.n_registers
        return h[:, 0], h[:, 1:r], h[:, r:]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits ``(B, n_classes)`` from the [CLS] token."""
        return self.head(self.forward_tokens(x)[0])


def train_vit(model: SmallViT, images, labels, epochs: int = 5, batch_size: int = 128,
              lr: float = 1e-3, random_state: int = 0, verbose: bool = False) -> dict:
    """Train ``model`` to classify ``images`` (AdamW, cross-entropy, seeded shuffles).

    Parameters
    ----------
    model : SmallViT
    images : array-like
        See :func:`as_images`.
    labels : array-like of int
        Classes ``0 … n_classes − 1``.
    epochs : int, default=5
    batch_size : int, default=128
    lr : float, default=1e-3
    random_state : int, default=0
        Seeds the batch order (and dropout); the caller's torch RNG is restored.
    verbose : bool, default=False
        A progress bar per epoch.

    Returns
    -------
    dict
        ``"loss"``: mean training loss per epoch.
    """
    from tqdm.auto import tqdm

    from ._torch import seeded

    x = torch.from_numpy(as_images(images, model.image_size))
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} images but {len(y)} labels")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    rng = np.random.default_rng(random_state)
    losses = []
    model.train()
    with seeded(random_state):
        for _ in tqdm(range(epochs), desc="SmallViT", disable=not verbose):
            order = torch.from_numpy(rng.permutation(len(x)))
            total = 0.0
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            losses.append(total / len(x))
    model.eval()
    return {"loss": losses}


@dataclass
class TokenEmbeddings:
    """Per-image token embeddings of a ViT (numpy, float32).

    Parameters
    ----------
    cls_token : ndarray of shape (n, D)
        The [CLS] token after the last block.
    registers : ndarray of shape (n, R, D)
        The register tokens (``R = 0`` for a ViT without registers).
    patches : ndarray of shape (n, P, D)
        The patch tokens.
    """

    cls_token: np.ndarray
    registers: np.ndarray
    patches: np.ndarray


def _sequence_parts(model, x):
    """``(cls, registers, patches)`` tensors of one batch, by the model's interface."""
    if hasattr(model, "forward_tokens"):
        return model.forward_tokens(x)
    if hasattr(model, "forward_features") and hasattr(model, "num_prefix_tokens"):
        seq = model.forward_features(x)
        n_prefix = int(model.num_prefix_tokens)
        has_cls = getattr(model, "cls_token", None) is not None
        if seq.dim() != 3 or not has_cls:
            raise TypeError("a timm-style model must return the token sequence (B, N, D) "
                            "from forward_features and have a cls_token")
        return seq[:, 0], seq[:, 1:n_prefix], seq[:, n_prefix:]
    if hasattr(model, "class_token") and hasattr(model, "encoder"):
        seen = {}
        handle = model.encoder.register_forward_hook(
            lambda mod, inp, out: seen.__setitem__("seq", out))
        try:
            model(x)
        finally:
            handle.remove()
        seq = seen["seq"]
        return seq[:, 0], seq[:, 1:1], seq[:, 1:]
    raise TypeError(f"{type(model).__name__} has none of the interfaces vit_tokens reads: "
                    "forward_tokens(x) -> (cls, registers, patches); timm-style "
                    "forward_features(x) -> (B, N, D) with num_prefix_tokens and cls_token; "
                    "torchvision-style class_token and encoder")


def vit_tokens(model, images, batch_size: int = 256, device: str = "cpu") -> TokenEmbeddings:
    """[CLS], register and patch-token embeddings of every image, in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
        A ViT with one of the interfaces in the module docstring (weights as they
        are; nothing is downloaded).
    images : array-like or torch.Tensor
        See :func:`as_images`; a tensor is used as given (``(n, c, h, w)``).
    batch_size : int, default=256
    device : str, default="cpu"

    Returns
    -------
    TokenEmbeddings
    """
    x = images if isinstance(images, torch.Tensor) else torch.from_numpy(as_images(images))
    was_training = model.training
    model.eval()
    parts = ([], [], [])
    try:
        with torch.no_grad():
            for start in range(0, len(x), batch_size):
                out = _sequence_parts(model, x[start:start + batch_size].to(device))
                for acc, t in zip(parts, out):
                    acc.append(t.detach().to("cpu", torch.float32).numpy())
    finally:
        model.train(was_training)
    return TokenEmbeddings(*(np.concatenate(p) for p in parts))
