import pickle

import numpy as np
import pytest

from gramixc.target_metric import TargetWeightedNeighbors, target_weights


def _wide(n=400, d=30, seed=0):
    # the target lives on 2 of d features (monotone in each, not linear); the rest are
    # noise of the same scale
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.tanh(2 * X[:, 0]) + np.exp(X[:, 1] / 2) + 0.1 * rng.normal(size=n)
    return X, y


def test_weights_follow_the_correlated_features_and_keep_the_scale():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(1000, 4))
    w = target_weights(Z, (2 * Z[:, 2] - Z[:, 3])[:, None])
    assert np.argmax(w) == 2 and w[3] > 5 * max(w[0], w[1])
    np.testing.assert_allclose((w ** 2).mean(), 1.0)
    # classes: the largest correlation with any class indicator
    labels = (Z[:, 0] > 0).astype(int) + 2 * (Z[:, 1] > 1)
    wc = target_weights(Z, np.eye(4)[labels])
    assert set(np.argsort(wc)[-2:]) == {0, 1}


def test_constant_target_or_feature_gives_finite_weights():
    Z = np.random.default_rng(1).normal(size=(50, 3))
    np.testing.assert_array_equal(target_weights(Z, np.ones((50, 1))), np.ones(3))
    X = np.column_stack([Z, np.full(50, 7.0)])
    tn = TargetWeightedNeighbors().fit(X, Z[:, :1])
    assert np.isfinite(tn.weights_).all() and tn.weights_[3] == 0
    assert tn.kneighbors(X[:3] + 1e6, 4).shape == (3, 4)  # clipped, still finite


def test_outside_is_cross_fitted():
    # neighbours come from other folds (and usable rows) only, and a fold's neighbours
    # never depend on that fold's own targets
    X, y = _wide()
    folds = np.arange(len(y)) % 5
    tn = TargetWeightedNeighbors().fit(X, y[:, None])
    nb = tn.outside(folds, 10)
    assert nb.shape == (len(y), 10) and (folds[nb] != folds[:, None]).all()
    y2 = y.copy()
    y2[folds == 0] = np.random.default_rng(5).normal(size=(folds == 0).sum()) * 100
    nb2 = TargetWeightedNeighbors().fit(X, y2[:, None]).outside(folds, 10)
    np.testing.assert_array_equal(nb[folds == 0], nb2[folds == 0])
    assert not np.array_equal(nb[folds == 1], nb2[folds == 1])
    rows, usable = np.arange(0, 400, 7), np.arange(0, 400, 2)
    sub = tn.outside(folds, 5, rows=rows, usable=usable)
    assert np.isin(sub, usable).all() and (folds[sub] != folds[rows][:, None]).all()


def test_outside_pads_with_the_row_itself_when_too_few_candidates():
    X, y = _wide(n=40, d=3)
    folds = np.zeros(40, dtype=int)
    folds[:3] = 1  # rows of fold 0 have only 3 rows of another fold
    nb = TargetWeightedNeighbors().fit(X, y[:, None]).outside(folds, 5, rows=np.arange(10))
    np.testing.assert_array_equal(np.sort(nb[5, :3]), [0, 1, 2])
    np.testing.assert_array_equal(nb[5, 3:], [5, 5])


def test_weighted_neighbours_share_the_target_better_on_wide_data():
    X, y = _wide(n=1200)
    Xtr, ytr, Xte, yte = X[:1000], y[:1000], X[1000:], y[1000:]
    tn = TargetWeightedNeighbors().fit(Xtr, ytr[:, None])
    weighted = ytr[tn.kneighbors(Xte, 15)].mean(axis=1)
    plain = TargetWeightedNeighbors().fit(Xtr, np.ones((1000, 1)))  # all weights 1
    unweighted = ytr[plain.kneighbors(Xte, 15)].mean(axis=1)
    r_w, r_u = np.corrcoef(weighted, yte)[0, 1], np.corrcoef(unweighted, yte)[0, 1]
    assert r_w > r_u + 0.1, (r_w, r_u)  # measured 0.985 against 0.799
    again = pickle.loads(pickle.dumps(tn))
    np.testing.assert_array_equal(again.kneighbors(Xte, 15), tn.kneighbors(Xte, 15))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_metrics(metric):
    X, y = _wide(n=100, d=5)
    nb = TargetWeightedNeighbors(metric=metric).fit(X, y[:, None]).outside(np.arange(100) % 2, 3)
    assert nb.shape == (100, 3)


def test_bad_input_is_named():
    X, y = _wide(n=50, d=4)
    with pytest.raises(ValueError, match="Y has 49 rows but X has 50"):
        TargetWeightedNeighbors().fit(X, y[:49, None])
    with pytest.raises(ValueError, match="finite"):
        TargetWeightedNeighbors().fit(np.where(X > 2, np.nan, X), y[:, None])
    tn = TargetWeightedNeighbors().fit(X, y[:, None])
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        tn.kneighbors(X[:, :3], 2)
    with pytest.raises(ValueError, match="finite"):
        tn.kneighbors(np.full((1, 4), np.inf), 2)
