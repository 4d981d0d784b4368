import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from gramixc.configurations import Configurations, find_configurations


def test_hierarchical_blobs_have_both_scales(hier_blobs, hier_extractor):
    _, y3, y9 = hier_blobs
    cfg = hier_extractor.configurations_
    ari3 = max(adjusted_rand_score(y3, cfg[j]) for j in range(len(cfg)))
    ari9 = max(adjusted_rand_score(y9, cfg[j]) for j in range(len(cfg)))
    assert ari3 >= 0.95 and ari9 >= 0.95
    # plateaus contiguous and increasing, coarse → fine
    assert np.all(cfg.gamma_lo < cfg.gamma_hi)
    np.testing.assert_allclose(cfg.gamma_hi[:-1], cfg.gamma_lo[1:])
    assert np.all(np.diff(cfg.h_r) < 0)
    assert np.all(np.diff(cfg.n_clusters) >= 0)
    # the trivial ends are metadata, not features
    assert cfg.n_clusters.min() >= 2 and cfg.n_clusters.max() < len(y3)
    assert "singletons" in cfg.trivial and "all_in_one" in cfg.trivial


def test_ids_contiguous_and_table(hier_extractor):
    cfg = hier_extractor.configurations_
    for j in range(len(cfg)):
        assert np.array_equal(np.unique(cfg[j]), np.arange(cfg.n_clusters[j]))
    tab = cfg.table()
    assert tab.columns == [
        "configuration",
        "gamma_lo",
        "gamma_hi",
        "log_width",
        "open_ended",
        "n_clusters",
        "h_a",
        "h_r",
        "entropy",
    ]
    assert tab.height == len(cfg)
    np.testing.assert_allclose(tab["log_width"].to_numpy(), np.log(cfg.gamma_hi / cfg.gamma_lo))


def test_lineage_fractions(hier_extractor):
    cfg = hier_extractor.configurations_
    G = cfg.lineage()
    assert G.number_of_nodes() == int(cfg.n_clusters.sum())
    for node in [(0, c) for c in range(cfg.n_clusters[0])]:
        out = G.out_edges(node, data=True)
        assert abs(sum(d["weight"] for _, _, d in out) - 1.0) < 1e-12
        assert sum(d["count"] for _, _, d in out) == G.nodes[node]["size"]


def test_save_load_roundtrip(tmp_path, hier_extractor):
    cfg = hier_extractor.configurations_
    p = tmp_path / "cfg.npz"
    cfg.save(p)
    back = Configurations.load(p)
    np.testing.assert_array_equal(back.ids, cfg.ids)
    np.testing.assert_allclose(back.gamma_lo, cfg.gamma_lo)
    assert back.trivial.keys() == cfg.trivial.keys()


def test_user_supplied_ids_and_getitem():
    ids = np.array([[3, 0], [3, 5], [7, 5], [7, 9]])
    cfg = Configurations.from_ids(ids)
    np.testing.assert_array_equal(cfg.ids, [[0, 0], [0, 1], [1, 1], [1, 2]])
    assert len(cfg) == 2 and cfg.feature_names() == ["cfg0_k2", "cfg1_k3"]
    sub = cfg[1:]
    assert isinstance(sub, Configurations) and len(sub) == 1
    assert np.isnan(cfg.gamma_lo).all()
    np.testing.assert_array_equal(ids, [[3, 0], [3, 5], [7, 5], [7, 9]])  # not mutated


@pytest.mark.parametrize(
    "bad, msg",
    [
        (np.array([[0.5, 1.0]]), "non-integer"),
        (np.array([[np.nan, 1.0]]), "NaN"),
        (np.array([[-1, 1]]), "negative"),
        (np.array([["a", "b"]]), "integer"),
        (np.zeros((0, 2), dtype=int), "empty"),
        (np.zeros((2, 2, 2), dtype=int), "2-D"),
    ],
)
def test_bad_ids(bad, msg):
    with pytest.raises(ValueError, match=msg):
        Configurations(bad)


def test_evenly_spaced_keeps_ends_and_caps_count():
    from gramixc.configurations import evenly_spaced

    assert evenly_spaced(10, 4).tolist() == [0, 3, 6, 9]
    assert evenly_spaced(3, 16).tolist() == [0, 1, 2]
    assert evenly_spaced(5, 0).tolist() == []


def test_open_ended_plateaus_do_not_win_the_width_ranking():
    # the finest digits configuration (K≈1370) looked like the widest plateau (γ 124–326)
    # only because its interval ends where the sweep stopped solving: marked open now
    from sklearn.datasets import load_digits
    from sklearn.metrics import adjusted_rand_score

    from gramixc import ConfigurationExtractor

    X, y = load_digits(return_X_y=True)
    cfg = ConfigurationExtractor(random_state=0).fit(X).configurations_
    assert cfg.open_ended[-1] and not cfg.open_ended[:-1].all()
    assert cfg.table()["open_ended"].to_list() == cfg.open_ended.tolist()
    w = cfg.widest()
    assert not cfg.open_ended[w] and 3 <= cfg.n_clusters[w] <= 100
    assert adjusted_rand_score(y, cfg[w]) > 0.2
    j = cfg.widest(include_open=True)
    assert adjusted_rand_score(y, cfg[j]) < adjusted_rand_score(y, cfg[w])


def test_no_configuration_message_says_what_went_wrong():
    from sklearn.datasets import make_blobs

    from gramixc import ConfigurationExtractor

    X, _ = make_blobs(200, 5, centers=4, random_state=0)
    ext = ConfigurationExtractor(random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"at most max_clusters=2 clusters: \d+ Leiden runs "
                                         r"\(γ .*\) left only partitions with \[4, 5"):
        find_configurations(ext.sweep_, max_clusters=2)
