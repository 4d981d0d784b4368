import numpy as np

from gramixc.target_stats import cluster_stats, crossfit_features, fold_ids, soft_features


def test_cluster_stats_regression_exact():
    ids = np.array([[0], [0], [1], [1], [1]])
    y = np.array([1.0, 3.0, 2.0, 4.0, 6.0])
    st = cluster_stats(ids, y, smoothing=2.0)
    prior = y.mean()  # 3.2
    t = st.tables[0]
    np.testing.assert_allclose(t[0, 0], (4.0 + 2 * prior) / (2 + 2))
    np.testing.assert_allclose(t[1, 0], (12.0 + 2 * prior) / (3 + 2))
    np.testing.assert_allclose(t[:, 2], np.log1p([2, 3]))
    ex2 = (1 + 9 + 2 * (y**2).mean()) / 4
    np.testing.assert_allclose(t[0, 1], np.sqrt(ex2 - t[0, 0] ** 2))


def test_cluster_stats_classification_fractions():
    ids = np.array([[0], [0], [0], [1]])
    y = np.array([0, 0, 1, 1])
    t = cluster_stats(ids, y, n_classes=2, smoothing=0.0).tables[0]
    np.testing.assert_allclose(t[0, :2], [2 / 3, 1 / 3])
    np.testing.assert_allclose(t[1, :2], [0, 1])
    np.testing.assert_allclose(t[:, 2], 1 - (t[:, :2] ** 2).sum(axis=1))  # Gini
    assert t.shape == (2, 4)


def test_soft_features_weighted_average():
    ids = np.array([[0], [1], [1]])
    y = np.array([0.0, 10.0, 20.0])
    st = cluster_stats(ids, y, smoothing=0.0)
    nb = np.array([[0, 1], [1, 2]])
    w = np.array([[0.25, 0.75], [0.5, 0.5]])
    f = soft_features(nb, w, ids, st)
    np.testing.assert_allclose(f[:, 0, 0], [0.25 * 0 + 0.75 * 15, 15.0])


def test_crossfit_never_reads_own_target():
    rng = np.random.default_rng(0)
    n = 200
    ids = rng.integers(0, 5, size=(n, 3))
    nb = np.array([rng.choice(np.delete(np.arange(n), i), 6, replace=False) for i in range(n)])
    w = np.full((n, 6), 1 / 6)
    y = rng.normal(size=n)
    folds = fold_ids(n, 5, 0)
    a = crossfit_features(nb, w, ids, y, folds)
    # change the targets of fold 0 only: fold-0 rows' features must not move
    y2 = y.copy()
    y2[folds == 0] += 100.0
    b = crossfit_features(nb, w, ids, y2, folds)
    np.testing.assert_allclose(a[folds == 0], b[folds == 0])
    assert not np.allclose(a[folds != 0], b[folds != 0])


def test_fold_ids_groups_stay_together():
    groups = np.repeat(np.arange(20), 5)
    f = fold_ids(len(groups), 4, 1, groups=groups)
    for g in range(20):
        assert len(set(f[groups == g])) == 1
    assert set(f) == {0, 1, 2, 3}
