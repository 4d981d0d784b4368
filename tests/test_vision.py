import numpy as np
import pytest
import torch

from gramixc.vision import SmallViT, TokenEmbeddings, as_images, train_vit, vit_tokens


def _tiny(**kw):
    return SmallViT(**{"dim": 16, "depth": 1, "n_heads": 2, "n_registers": 3, **kw})


def _stripes(n=240, seed=0):
    """Two classes of 28x28 images: a bright top half or a bright bottom half."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    img = rng.random((n, 28, 28)).astype(np.float32) * 0.3
    img[y == 0, :14] += 0.7
    img[y == 1, 14:] += 0.7
    return img, y


def test_small_vit_shapes_seed_and_errors():
    a, b = _tiny(random_state=0), _tiny(random_state=0)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(a(x), b(x)) and tuple(a(x).shape) == (4, 10)
    assert not torch.equal(a(x), _tiny(random_state=1)(x))
    cls, reg, patches = a.forward_tokens(x)
    assert cls.shape == (4, 16) and reg.shape == (4, 3, 16) and patches.shape == (4, 16, 16)
    assert _tiny(n_registers=0).forward_tokens(x)[1].shape == (4, 0, 16)
    with pytest.raises(ValueError, match="multiple of"):
        SmallViT(patch_size=5)
    with pytest.raises(ValueError, match="divisible"):
        SmallViT(dim=10, n_heads=4)


def test_train_vit_learns_and_is_reproducible():
    img, y = _stripes()
    vit = _tiny(n_classes=2, random_state=0)
    hist = train_vit(vit, img, y, epochs=4, batch_size=32, random_state=0)
    assert hist["loss"][-1] < hist["loss"][0]
    acc = (vit(torch.from_numpy(as_images(img))).argmax(1).numpy() == y).mean()
    assert acc > 0.95
    again = _tiny(n_classes=2, random_state=0)
    train_vit(again, img, y, epochs=4, batch_size=32, random_state=0)
    np.testing.assert_array_equal(vit_tokens(vit, img[:8]).cls_token,
                                  vit_tokens(again, img[:8]).cls_token)
    with pytest.raises(ValueError, match="labels"):
        train_vit(vit, img, y[:-1])


def test_vit_tokens_of_the_small_vit():
    img, _ = _stripes(40)
    vit = _tiny(random_state=0)
    tok = vit_tokens(vit, img)
    assert isinstance(tok, TokenEmbeddings)
    assert tok.cls_token.shape == (40, 16) and tok.registers.shape == (40, 3, 16)
    assert tok.patches.shape == (40, 16, 16) and tok.cls_token.dtype == np.float32
    small = vit_tokens(vit, img, batch_size=7)  # batching does not change the result
    np.testing.assert_allclose(small.registers, tok.registers, atol=1e-5)
    np.testing.assert_array_equal(vit_tokens(vit, img.reshape(40, -1)).cls_token, tok.cls_token)
    assert vit.training  # vit_tokens restores the mode it found
    with pytest.raises(ValueError, match="28x28"):
        as_images(np.zeros((2, 30, 30)), 28)


class _TimmStyle(torch.nn.Module):
    """The interface of timm's ViTs with registers (vit_*_reg4): forward_features returns
    the whole normalised sequence [CLS, registers, patches]; num_prefix_tokens = 1 + R."""

    def __init__(self, dim=12, n_reg=4):
        super().__init__()
        self.patch_embed = torch.nn.Conv2d(1, dim, 7, stride=7)
        self.cls_token = torch.nn.Parameter(torch.randn(1, 1, dim))
        self.reg_token = torch.nn.Parameter(torch.randn(1, n_reg, dim))
        self.num_prefix_tokens = 1 + n_reg
        self.blocks = torch.nn.TransformerEncoderLayer(dim, 2, 24, batch_first=True)
        self.norm = torch.nn.LayerNorm(dim)
        self.head = torch.nn.Linear(dim, 3)

    def forward_features(self, x):
        p = self.patch_embed(x).flatten(2).transpose(1, 2)
        b = len(x)
        seq = torch.cat([self.cls_token.expand(b, -1, -1), self.reg_token.expand(b, -1, -1), p], 1)
        return self.norm(self.blocks(seq))

    def forward(self, x):
        return self.head(self.forward_features(x)[:, 0])


class _TorchvisionStyle(torch.nn.Module):
    """The interface of torchvision's VisionTransformer: class_token, an encoder applied to
    the [CLS] + patch sequence, the head on its first token (no registers)."""

    def __init__(self, dim=12):
        super().__init__()
        self.conv_proj = torch.nn.Conv2d(1, dim, 7, stride=7)
        self.class_token = torch.nn.Parameter(torch.zeros(1, 1, dim))
        self.encoder = torch.nn.Sequential(
            torch.nn.TransformerEncoderLayer(dim, 2, 24, batch_first=True),
            torch.nn.LayerNorm(dim))
        self.heads = torch.nn.Linear(dim, 3)

    def forward(self, x):
        p = self.conv_proj(x).flatten(2).transpose(1, 2)
        seq = torch.cat([self.class_token.expand(len(x), -1, -1), p], 1)
        return self.heads(self.encoder(seq)[:, 0])


def test_vit_tokens_reads_timm_and_torchvision_shapes():
    torch.manual_seed(0)
    img, _ = _stripes(10)
    t = vit_tokens(_TimmStyle(), img)
    assert t.cls_token.shape == (10, 12) and t.registers.shape == (10, 4, 12)
    assert t.patches.shape == (10, 16, 12)
    tv = _TorchvisionStyle()
    v = vit_tokens(tv, img)
    assert v.cls_token.shape == (10, 12) and v.registers.shape == (10, 0, 12)
    assert v.patches.shape == (10, 16, 12)
    # the hooked [CLS] is the one the head reads (evaluation mode, as vit_tokens runs it)
    logits = tv.eval()(torch.from_numpy(as_images(img))).detach().numpy()
    np.testing.assert_allclose(tv.heads(torch.from_numpy(v.cls_token)).detach().numpy(), logits,
                               atol=1e-5)
    with pytest.raises(TypeError, match="interfaces"):
        vit_tokens(torch.nn.Linear(3, 3), img)


def test_registers_as_external_tokens_of_the_fusion():
    from gramixc import Fusion, GraMixCClassifier

    img, y = _stripes(160)
    vit = _tiny(n_classes=2, random_state=0)
    train_vit(vit, img, y, epochs=2, batch_size=32)
    tok = vit_tokens(vit, img)
    clf = GraMixCClassifier(random_state=0, n_configurations=3, fusion=Fusion(max_epochs=10))
    clf.fit(tok.cls_token, y, tokens=tok.registers)
    assert clf.token_names_[-3:] == ["external0", "external1", "external2"]
    assert clf.predict_proba(tok.cls_token[:5], tokens=tok.registers[:5]).shape == (5, 2)
