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


def _toy(n=200, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.column_stack([rng.integers(0, 3, n), rng.integers(0, 9, n)])
    nb = np.array([rng.choice(np.delete(np.arange(n), i), 6, replace=False) for i in range(n)])
    w = np.full((n, 6), 1 / 6)
    return ids, nb, w, rng.normal(size=n), fold_ids(n, 5, seed)


def test_cluster_encoder_is_the_crossfit_and_stores_its_tables():
    from gramixc.target_stats import ClusterTargetEncoder

    ids, nb, w, y, folds = _toy()
    enc = ClusterTargetEncoder(smoothing=3.0)
    oof = enc.fit_crossfit(ids, y, nb, w, folds)
    np.testing.assert_array_equal(oof, crossfit_features(nb, w, ids, y, folds, smoothing=3.0))
    # transform reads the tables fitted on all rows, not a stored y
    np.testing.assert_array_equal(
        enc.transform(nb[:10], w[:10]),
        soft_features(nb[:10], w[:10], ids, cluster_stats(ids, y, smoothing=3.0)))
    np.testing.assert_allclose(enc.standardize(oof).mean(axis=(0,)), 0.0, atol=1e-9)
    # bags: the average of the per-bag encodings
    ids2 = ids[::-1].copy()
    both = ClusterTargetEncoder(smoothing=3.0).fit([ids, ids2], y)
    one = ClusterTargetEncoder(smoothing=3.0).fit(ids, y).transform(nb, w)
    two = ClusterTargetEncoder(smoothing=3.0).fit(ids2, y).transform(nb, w)
    np.testing.assert_allclose(both.transform(nb, w), (one + two) / 2)


def test_parent_shrinkage_follows_the_lineage():
    # coarse: {0,1,2,3} | {4,5}; fine splits the first into {0,1} {2,3}
    ids = np.array([[0, 0], [0, 0], [0, 1], [0, 1], [1, 2], [1, 2]])
    y = np.array([1.0, 1.0, 3.0, 3.0, 10.0, 10.0])
    s = 2.0
    g = cluster_stats(ids, y, smoothing=s)
    p = cluster_stats(ids, y, smoothing=s, shrink="parent")
    np.testing.assert_allclose(p.tables[0], g.tables[0])  # coarsest: global prior
    parent0 = p.tables[0][0, 0]  # smoothed mean of coarse cluster 0
    np.testing.assert_allclose(p.tables[1][0, 0], (2.0 + s * parent0) / (2 + s))
    np.testing.assert_allclose(p.tables[1][2, 0], (20.0 + s * p.tables[0][1, 0]) / (2 + s))
    # the fine mean of a cluster inside a high-valued parent moves towards the parent
    assert p.tables[1][2, 0] > g.tables[1][2, 0]


def _nearest_others(X, depth):
    """Each row's ``depth`` nearest other rows, nearest first (exact, brute force)."""
    d = np.linalg.norm(X[:, None] - X[None], axis=2)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1)[:, :depth]


def test_neighbor_encoder_crossfit_never_reads_own_fold():
    from gramixc.target_stats import NeighborTargetEncoder

    rng = np.random.default_rng(1)
    n = 120
    nb = _nearest_others(rng.normal(size=(n, 3)), 60)
    y = rng.normal(size=n)
    folds = fold_ids(n, 4, 0)
    enc = NeighborTargetEncoder(sizes=(3, 10))
    a = enc.fit_crossfit(y, nb, folds)
    y2 = y.copy()
    y2[folds == 2] += 50.0
    b = NeighborTargetEncoder(sizes=(3, 10)).fit_crossfit(y2, nb, folds)
    np.testing.assert_allclose(a[folds == 2], b[folds == 2])
    assert not np.allclose(a[folds != 2], b[folds != 2])
    # the first 3 neighbours outside the row's fold, exactly
    r = 0
    other = [j for j in nb[r] if folds[j] != folds[r]][:3]
    np.testing.assert_allclose(a[r, 0, 0], y[other].mean())
    # new rows: plain means of the nearest training rows
    np.testing.assert_allclose(enc.transform(nb[:2])[:, 1, 0], y[nb[:2, :10]].mean(axis=1))


def test_neighbor_encoder_bag_folds_reads_new_rows_like_training_rows():
    # bag_folds: a new row's mean is the average, over the cross-fitting folds, of its
    # first k neighbours outside each fold (each fold's shortfall: the mean outside it)
    from gramixc.target_stats import NeighborTargetEncoder

    rng = np.random.default_rng(3)
    n = 90
    nb = _nearest_others(rng.normal(size=(n, 2)), 40)
    y = rng.normal(size=n)
    folds = [fold_ids(n, 3, 0), fold_ids(n, 3, 1)]
    plain = NeighborTargetEncoder(sizes=(4,))
    bagged = NeighborTargetEncoder(sizes=(4,), bag_folds=True)
    np.testing.assert_allclose(plain.fit_crossfit(y, nb, folds),
                               bagged.fit_crossfit(y, nb, folds))  # training rows alike
    new = nb[:3]
    want = np.mean([[y[[j for j in row if f[j] != g][:4]].mean() for row in new]
                    for f in folds for g in range(3)], axis=0)
    np.testing.assert_allclose(bagged.transform(new)[:, 0, 0], want)
    np.testing.assert_allclose(plain.transform(new)[:, 0, 0], y[new[:, :4]].mean(axis=1))
    # after a plain fit (no folds) there is nothing to bag over: all rows are read
    refit = NeighborTargetEncoder(sizes=(4,), bag_folds=True).fit(y)
    np.testing.assert_allclose(refit.transform(new), plain.transform(new))


def test_neighbor_encoder_fills_a_shortfall_with_the_out_of_fold_mean():
    from gramixc.target_stats import NeighborTargetEncoder

    y = np.array([0.0, 0.0, 6.0, 6.0])
    folds = np.array([0, 0, 1, 1])
    nb = np.array([[1, 2, 3], [0, 2, 3], [3, 0, 1], [2, 0, 1]])
    out = NeighborTargetEncoder(sizes=(3,)).fit_crossfit(y, nb, folds)
    # row 0 sees rows 2, 3 outside its fold (both 6) and one prior slot (mean of fold 1 = 6)
    np.testing.assert_allclose(out[:, 0, 0], [6.0, 6.0, 0.0, 0.0])


def test_neighbor_encoder_classes():
    from gramixc.target_stats import NeighborTargetEncoder

    y = np.array([0, 1, 2, 2])
    enc = NeighborTargetEncoder(sizes=(2,), n_classes=3).fit(y)
    assert enc.n_stats == 3
    np.testing.assert_allclose(enc.transform(np.array([[2, 3]]))[0, 0], [0, 0, 1])
    assert NeighborTargetEncoder(n_classes=2).fit(np.array([0, 1])).targets_.shape == (2, 1)


def test_crossfit_neighbors_reach_past_a_row_s_own_group():
    # grouped folds: a row's nearest rows are its own group (own fold); the first,
    # shallow query holds too few rows outside the fold, so the short rows are queried
    # deeper until every row has k rows of other folds, nearest first
    from gramixc.target_stats import crossfit_neighbors

    rng = np.random.default_rng(0)
    centers = rng.normal(size=(12, 2)) * 10
    groups = np.repeat(np.arange(12), 20)
    X = centers[groups] + rng.normal(size=(240, 2)) * 0.1
    d = np.linalg.norm(X[:, None] - X[None], axis=2)
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1, kind="stable")
    folds = fold_ids(240, 4, 0, groups=groups)
    calls = []

    def query(rows, n):
        calls.append((len(rows), n))
        return order[rows, :n]

    nb = crossfit_neighbors(query, folds, 10, first=order[:, :15])
    assert nb.shape == (240, 10)
    assert (folds[nb] != folds[:, None]).all()
    for r in (0, 77, 239):
        expect = [j for j in order[r] if folds[j] != folds[r]][:10]
        assert nb[r].tolist() == expect
    assert calls and all(n > 15 for _, n in calls)
    # usable rows and a subset of rows; short rows (too few admissible) pad with themselves
    rows = np.flatnonzero(folds != 0)
    nb2 = crossfit_neighbors(query, folds, 10, rows=rows, usable=rows)
    assert (folds[nb2] != 0).all() and (folds[nb2] != folds[rows][:, None]).all()
    tiny = crossfit_neighbors(query, folds, 300, rows=[0])
    assert (tiny[0] == 0).sum() == 300 - (folds != folds[0]).sum()
