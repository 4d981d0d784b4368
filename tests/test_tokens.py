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
    stats = np.random.default_rng(1).normal(size=(8, 2, 3)) if tok.uses_cluster_stats else None
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
    assert isinstance(get_tokenization("clusters"), Tokenization)
    inst = get_tokenization("soft")
    assert get_tokenization(inst) is inst
    assert get_tokenization(type(inst)).name == "soft"
    with pytest.raises(ValueError, match="tokenization must be one of"):
        get_tokenization("bag")
    with pytest.raises(ValueError, match="cluster means"):
        get_tokenization("clusters").arrays(*_rows()[1:3], _rows()[0], _rows()[3])


def test_token_arrays_follow_the_layout():
    from gramixc.tokens import TokenLayout, token_arrays

    ids, nb, w, K = _rows()
    rng = np.random.default_rng(2)
    layout = TokenLayout(get_tokenization("clusters"), tuple(K), 3, neighbor_sizes=(5, 15),
                         neighbor_stats=1, n_external=2, external_dim=4)
    T, M, E = rng.normal(size=(8, 2, 3)), rng.normal(size=(8, 2, 1)), rng.normal(size=(8, 2, 4))
    arrays = token_arrays(layout, nb, w, ids, T, M, E)
    assert [a.shape for a in arrays] == [(8, 2, 3), (8, 2, 1), (8, 2, 4)]
    assert layout.names(["cfg0_k2", "cfg1_k5"]) == ["cfg0_k2", "cfg1_k5", "neighbors_k5",
                                                    "neighbors_k15", "external0", "external1"]


def test_external_tokens_are_checked_and_standardised_on_the_training_rows():
    from gramixc.tokens import ExternalTokens

    rng = np.random.default_rng(0)
    E = rng.normal(3.0, 2.0, size=(50, 2, 3))
    ext, Z = ExternalTokens.fit(E, 50)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(ext.transform(E[:4], 4), Z[:4])
    assert ExternalTokens.fit(None, 50) == (None, None)
    with pytest.raises(ValueError, match="fitted with"):
        ext.transform(E[:4, :1], 4)
    with pytest.raises(ValueError, match="pass tokens="):
        ext.transform(None, 4)
    with pytest.raises(ValueError, match="rows but X has"):
        ExternalTokens.fit(E, 49)
