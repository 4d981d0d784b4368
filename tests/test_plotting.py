import numpy as np
import pytest

from gramixc.plotting import plot_attention, plot_envelope, plot_lineage, plot_mosaic


def _is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_envelope_and_lineage_pngs(tmp_path, hier_extractor):
    cfg = hier_extractor.configurations_
    p1, p2 = tmp_path / "env.png", tmp_path / "lin.png"
    fig = plot_envelope(cfg, str(p1))
    plot_lineage(cfg, str(p2), max_clusters=30)
    assert _is_png(p1) and _is_png(p2)
    # the bottom panel has one plateau bar per configuration
    assert len(fig.axes[1].collections) >= len(cfg)


def test_envelope_needs_a_sweep():
    from gramixc import Configurations

    with pytest.raises(ValueError, match="sweep"):
        plot_envelope(Configurations(np.array([[0, 0], [1, 1]])))


def test_mosaic_and_attention(tmp_path):
    C = np.array([[50, 0, 0], [50, 0, 0], [0, 0, 50]])
    p = tmp_path / "m.png"
    fig = plot_mosaic(C, [1, 2, 3], [1, 2, 3], path=str(p))
    assert _is_png(p)
    assert len(fig.axes[0].patches) == int(np.count_nonzero(C))
    A = np.random.default_rng(0).dirichlet(np.ones(4), size=30)
    plot_attention(
        A, ids=np.random.default_rng(1).integers(0, 3, (30, 4)), path=str(tmp_path / "a.png")
    )
    assert _is_png(tmp_path / "a.png")
    with pytest.raises(ValueError, match="2-D"):
        plot_mosaic(np.ones(3))
