import numpy as np
import pytest

from gramixc import ConfigurationExtractor
from gramixc.crossfit import (
    NEIGHBOR_SEARCHES,
    EncodingSpec,
    GraphNeighbors,
    PredictorSeeds,
    TargetNeighbors,
    TrainingRows,
    TransformerSeeds,
    encode,
    fold_encodings,
)
from gramixc.synthetic import make_cluster_regression


@pytest.fixture(scope="module")
def setup():
    X, y, _ = make_cluster_regression(random_state=0)
    ext = ConfigurationExtractor(random_state=0, max_clusters=len(X) // 10).fit(X)
    spec = EncodingSpec(ext.configurations_.ids[:, :3], (5, 15), 0, 4)
    dist, nearest = ext.kneighbors()
    search = GraphNeighbors(ext)
    train = TrainingRows(y, nearest, ext.vote_weights(dist),
                         search.training(spec.deep_k(len(y))), search)
    return X, y, ext, spec, train


def test_seeds_have_named_roles_and_stable_values():
    a, b = TransformerSeeds.draw(0, 5), TransformerSeeds.draw(0, 5)
    assert a == b and len(a.per_fold) == 5 and a.fold(7) == a.per_fold[2]
    raw = np.random.RandomState(0).randint(0, 2**31 - 1, size=9)
    # the former positions: configurations 0, folds 1, (bags 2), gate 3, folds 4..
    assert (a.configurations, a.folds, a.gate) == (raw[0], raw[1], raw[3])
    p = PredictorSeeds.draw(0)
    assert (p.configurations, p.folds, p.validation, p.fusion, p.mlp) == tuple(raw[:5])


def test_a_rows_encoding_never_reads_its_own_fold(setup):
    X, y, ext, spec, train = setup
    folds = train.split(4, 0)
    enc = encode(spec, train, folds)
    for f in range(4):  # change the targets of fold f: its own rows' encodings stay
        y2 = y.copy()
        y2[folds == f] += 100.0
        t2 = TrainingRows(y2, train.nearest, train.weights, train.deep, train.search)
        enc2 = encode(spec, t2, folds)
        mine = folds == f
        np.testing.assert_array_equal(enc.clusters[mine], enc2.clusters[mine])
        np.testing.assert_array_equal(enc.neighbors[mine], enc2.neighbors[mine])
        assert not np.allclose(enc.neighbors[~mine], enc2.neighbors[~mine])


def test_fold_encodings_split_the_rows_and_read_only_the_rest(setup):
    X, y, ext, spec, train = setup
    folds = train.split(4, 0)
    folded = fold_encodings(spec, train, folds, TransformerSeeds.draw(0, 4))
    assert [fe.fold for fe in folded] == [0, 1, 2, 3]
    for fe in folded:
        assert np.array_equal(np.sort(np.r_[fe.rest_rows, fe.held_rows]), np.arange(len(y)))
        assert fe.rest.clusters.shape[0] == len(fe.rest_rows)
        assert fe.held.neighbors.shape[0] == len(fe.held_rows)
        # the held-out rows are encoded without their own targets
        y2 = y.copy()
        y2[fe.held_rows] -= 50.0
        t2 = TrainingRows(y2, train.nearest, train.weights, train.deep, train.search)
        again = fold_encodings(spec, t2, folds, TransformerSeeds.draw(0, 4))[fe.fold]
        np.testing.assert_array_equal(again.held.clusters, fe.held.clusters)
        assert fe.rest.encoders().clusters is None  # encoders only: what serves new rows


def test_the_two_neighbour_searches_share_one_interface(setup):
    X, y, ext, spec, train = setup
    folds = train.split(4, 0)
    target = TargetNeighbors(ext, X, y.reshape(-1, 1), 0)
    for search in (GraphNeighbors(ext), target):
        deep = search.training(40)
        out = search.outside(deep, folds, 5)
        assert out.shape == (len(y), 5)
        assert (folds[out] != folds[:, None]).all()
        assert search.new(X[:3] + 0.01, 5).shape == (3, 5)
    assert set(NEIGHBOR_SEARCHES) == {"graph", "target"}
