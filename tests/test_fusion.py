import numpy as np
import pytest
import torch

from gramixc.embedders import sinusoidal_encoding
from gramixc.fusion import (
    ConfigAttention,
    FusionNet,
    predict,
    resolve_device,
    seeded,
    train,
)


def _inputs(kind, B=6, m=5, k=4, F=3, n_emb=20):
    g = torch.Generator().manual_seed(0)
    if kind == "scalar":
        return (torch.rand(B, m, generator=g),)
    if kind == "embedding":
        return (torch.randint(0, n_emb, (B, m), generator=g),)
    if kind == "soft":
        w = torch.rand(B, m, k, generator=g)
        return (torch.randint(0, n_emb, (B, m, k), generator=g), w / w.sum(-1, keepdim=True))
    return (torch.randn(B, m, F, generator=g),)


@pytest.mark.parametrize("kind", ["scalar", "embedding", "soft", "clusters"])
@pytest.mark.parametrize("n_registers", [0, 2])
@pytest.mark.parametrize("readout", ["select", "mixed"])
@pytest.mark.parametrize("n_heads", [1, 4])
def test_shapes(kind, n_registers, readout, n_heads):
    att = ConfigAttention(5, kind, n_stats=3, n_embeddings=20, d_model=16, n_heads=n_heads,
                          n_registers=n_registers, readout=readout)
    out = att(_inputs(kind))
    assert out.shape == (6, 5 + 1)  # one scalar per token, then [CLS]
    assert att.tokens(_inputs(kind)).shape == (6, 5, 16)
    amap = att.attention_map(_inputs(kind))
    assert amap.shape == (6, 5)
    assert torch.all(amap >= 0) and torch.all(amap.sum(1) <= 1 + 1e-6)
    if readout == "select":  # renormalised over the tokens
        torch.testing.assert_close(amap.sum(1), torch.ones(6))
    else:  # the full [CLS] row (over [CLS], registers and configurations) sums to one
        _, w = att.eval()._encode(_inputs(kind), need_weights=True)
        torch.testing.assert_close(w.sum(-1), torch.ones(6, 1 + n_registers + 5))


def test_fusion_settings_and_the_attention_agree():
    """One validation and one set of defaults for the settings both take."""
    import inspect

    from gramixc import Fusion

    defaults = {k: v.default for k, v in inspect.signature(ConfigAttention).parameters.items()}
    f = Fusion()
    for name in ("tokenization", "d_model", "n_heads", "n_registers", "readout"):
        assert defaults[name] == getattr(f, name), name
    for bad, word in ((dict(d_model=10, n_heads=4), "divisible"), (dict(readout="pooled"),
                      "readout"), (dict(n_registers=-1), "n_registers")):
        with pytest.raises(ValueError, match=word):
            ConfigAttention(3, "scalar", **bad)
        with pytest.raises(ValueError, match=word):
            Fusion(**bad).validate()


def test_positional_encoding_distinguishes_positions():
    pe = sinusoidal_encoding(10, 16)
    assert pe.shape == (10, 16)
    d = torch.cdist(pe, pe)
    assert torch.all(d + torch.eye(10) > 1e-3)


def test_bad_construction():
    with pytest.raises(ValueError, match="divisible"):
        ConfigAttention(3, "scalar", d_model=10, n_heads=4)
    with pytest.raises(ValueError, match="tokenization"):
        ConfigAttention(3, "words")
    with pytest.raises(ValueError, match="needs features"):
        FusionNet(0, None, 1)


def test_training_is_deterministic_and_isolated():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    T = rng.normal(size=(200, 5, 3)).astype(np.float32)
    y = (x[:, 0] + T[:, 2, 0]).astype(np.float32)
    preds = []
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    for _ in range(2):
        with seeded(7):
            net = FusionNet(4, ConfigAttention(5, "clusters", d_model=16), 1, hidden=(32,))
        hist = train(net, x, [T], y, "regression", seed=7, val_rows=np.arange(30),
                     max_epochs=15, aux_weight=0.5)
        preds.append(predict(net, x, [T]))
        assert hist["best_epoch"] >= 0 and np.isfinite(hist["best_val"])
    np.testing.assert_array_equal(preds[0], preds[1])
    assert torch.equal(torch.rand(1), before)  # caller's torch RNG untouched
    # it learned something: training loss went down
    assert hist["train_loss"][-1] < hist["train_loss"][0]


def test_cuda_request_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")
    assert resolve_device("auto").type == "cpu"


def test_torch_threads_restored():
    from gramixc.fusion import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before


def test_config_attention_external_tokens():
    att = ConfigAttention(4, "scalar", d_model=8, n_registers=1, n_external=2, external_dim=5)
    x, e = torch.rand(6, 4), torch.rand(6, 2, 5, requires_grad=True)
    out = att((x, e))
    assert tuple(out.shape) == (6, 4 + 2 + 1) and att.n_tokens == 6
    out.sum().backward()
    assert e.grad is not None and e.grad.abs().sum() > 0  # the tokens are read
    assert tuple(att.attention_map((x, e)).shape) == (6, 6)
    with pytest.raises(ValueError, match=r"shape \(B, 2, 5\)"):
        att((x, torch.rand(6, 3, 5)))
    with pytest.raises(ValueError, match="external_dim"):
        ConfigAttention(4, "scalar", n_external=2)
