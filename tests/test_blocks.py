import numpy as np

from gramixc.blocks import BLOCKS, RowParts, assemble, block_names, class_suffixes


class _Est:
    """The public fitted attributes blocks read."""

    def __init__(self, classes=None):
        if classes is not None:
            self.classes_ = np.asarray(classes)
        self.neighbor_sizes_ = [5, 15]
        self.configuration_names_ = ["cfg0_k2", "cfg3_k9"]


def test_names_and_values_agree_for_every_task():
    rng = np.random.default_rng(0)
    for classes, q, width in ((None, 1, 1), (["a", "b"], 1, 1), (["a", "b", "c"], 3, 3)):
        est = _Est(classes)
        parts = RowParts(neighbors=rng.normal(size=(4, 2, q)),
                         clusters=rng.normal(size=(4, 2, (len(classes) if classes else 1) + 2)),
                         fusion_out=rng.random((4, width)), fusion_scalars=rng.normal(size=(4, 5)))
        layout = [BLOCKS[k] for k in ("fusion_pred", "fusion_cls", "neighbors", "clusters")]
        scaling = {b.key: (0.0, 1.0) for b in layout}
        values = assemble(est, layout, parts, scaling)
        assert values.shape[1] == len(block_names(est, layout))
    assert block_names(_Est(["x", "y", "z"]), [BLOCKS["neighbors"]])[:3] == [
        "neighbors_k5_x", "neighbors_k5_y", "neighbors_k5_z"]
    assert class_suffixes(None) == class_suffixes(["a", "b"]) == [""]


def test_row_parts_fill_creates_and_writes_rows():
    parts = RowParts()
    assert parts.n_rows == 0
    parts.fill(np.array([0, 2]), 4, fusion_out=np.ones((2, 1)), fusion_scalars=None)
    parts.fill(np.array([1, 3]), 4, fusion_out=np.zeros((2, 1)))
    assert parts.fusion_out.ravel().tolist() == [1, 0, 1, 0] and parts.fusion_scalars is None
    assert parts.n_rows == 4
