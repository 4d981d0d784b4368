import numpy as np
import pytest

from gramixc.tokens import TOKENIZATIONS, Tokenization, get_tokenization


def _rows():
    rng = np.random.default_rng(0)
    ids = np.column_stack([rng.integers(0, 2, 30), rng.integers(0, 5, 30)])
    nb = rng.integers(0, 30, size=(8, 4))
    w = np.full((8, 4), 0.25)
    return ids, nb, w, ids.max(axis=0) + 1


@pytest.mark.parametrize("name", sorted(TOKENIZATIONS))
def test_every_tokenization_feeds_its_embedder(name):
    torch = pytest.importorskip("torch")
    ids, nb, w, K = _rows()
    tok = get_tokenization(name)
    stats = np.random.default_rng(1).normal(size=(8, 2, 3)) if tok.uses_target_stats else None
    arrays = tok.arrays(nb, w, ids, K, stats)
    emb = tok.embedder(2, 8, n_stats=3, n_embeddings=int(K.sum()))
    out = emb([torch.from_numpy(a) for a in arrays])
    assert tuple(out.shape) == (8, 2, 8)


def test_embedding_ids_index_one_shared_table():
    ids, nb, w, K = _rows()
    (idx,) = get_tokenization("embedding").arrays(nb, w, ids, K)
    assert idx[:, 0].max() < K[0] and idx[:, 1].min() >= K[0]
    assert idx.max() < K.sum()


def test_registry_lookup_and_errors():
    assert isinstance(get_tokenization("target"), Tokenization)
    inst = get_tokenization("soft")
    assert get_tokenization(inst) is inst
    assert get_tokenization(type(inst)).name == "soft"
    with pytest.raises(ValueError, match="tokenization must be one of"):
        get_tokenization("bag")
    with pytest.raises(ValueError, match="statistics"):
        get_tokenization("target").arrays(*_rows()[1:3], _rows()[0], _rows()[3])
