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


def test_envelope_legend_names_every_line(hier_extractor):
    # the only legend entry was a barely visible dashed line
    cfg = hier_extractor.configurations_
    fig = plot_envelope(cfg)
    top = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    bottom = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert any(t.startswith("partitions found by the sweep") for t in top)
    assert any(t.startswith("configurations on their plateau") for t in top)
    assert any(t.startswith("upper envelope") for t in top)
    assert any(t.startswith("plateau") for t in bottom)
    assert any(t.startswith("γ values solved") for t in bottom)
    # every drawn line with a visible style carries a label or is one of a labelled kind
    labelled = {ln.get_label() for ln in fig.axes[0].lines if not ln.get_label().startswith("_")}
    assert len(labelled) == 3


def test_lineage_says_which_configurations_it_leaves_out(hier_extractor):
    # it showed configurations 0-26 of 56 without saying so
    cfg = hier_extractor.configurations_
    k = int(np.sort(cfg.n_clusters)[len(cfg) // 2])
    shown = int((cfg.n_clusters <= k).sum())
    assert shown < len(cfg)
    title = plot_lineage(cfg, max_clusters=k).axes[0].get_title()
    assert f"showing {shown} of {len(cfg)} configurations" in title
    assert "showing" not in plot_lineage(cfg, max_clusters=10_000).axes[0].get_title()


def test_mosaic_labels_only_rows_and_columns_that_exist():
    # the demo's mosaic had a reference row "11" though the digits are 0-9
    C = np.array([[30, 0, 0], [0, 20, 5], [0, 0, 0]])  # label 3 is never a reference row
    fig = plot_mosaic(C, [1, 2, 3], [1, 2, 3])
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    cols = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert rows == ["1", "2"] and cols == ["1", "2", "3"]
