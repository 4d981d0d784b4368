import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from gramixc import ConfigurationExtractor


# k=5 instead of the default 15: several common checks fit on 10–15 rows, and the
# default k needs k + 1 = 16 (that case is a documented ValueError, tested below).
@parametrize_with_checks([ConfigurationExtractor(k=5, random_state=0)])
def test_sklearn_common_checks(estimator, check):
    check(estimator)


def test_transform_train_equals_training_ids(hier_blobs, hier_extractor):
    X, _, _ = hier_blobs
    ids = hier_extractor.transform(X)
    np.testing.assert_array_equal(ids, hier_extractor.configurations_.ids)
    # row by row too (no fingerprint shortcut): self-match at distance 0
    np.testing.assert_array_equal(
        hier_extractor.transform(X[:50]), hier_extractor.configurations_.ids[:50]
    )


def test_same_seed_same_ids_and_n_jobs(hier_blobs):
    X, _, _ = hier_blobs
    a = ConfigurationExtractor(random_state=5).fit(X).configurations_.ids
    b = ConfigurationExtractor(random_state=5).fit(X).configurations_.ids
    c = ConfigurationExtractor(random_state=5, n_jobs=2).fit(X).configurations_.ids
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_new_rows_inside_clusters(hier_blobs, hier_extractor):
    X, y3, y9 = hier_blobs
    rng = np.random.default_rng(0)
    Xn = X + rng.normal(scale=0.05, size=X.shape)  # jittered copies
    ids = hier_extractor.transform(Xn)
    train = hier_extractor.configurations_.ids
    agree = (ids == train).mean(axis=0)
    assert agree[: np.searchsorted(hier_extractor.configurations_.n_clusters, 10)].min() > 0.95


def test_pandas_polars_feature_names_and_output(hier_blobs):
    pd = pytest.importorskip("pandas")
    import polars as pl

    X, _, _ = hier_blobs
    cols = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    ext = ConfigurationExtractor(random_state=0, max_clusters=30).fit(df)
    assert list(ext.feature_names_in_) == cols
    names = ext.get_feature_names_out()
    assert names[0].startswith("cfg0_k") and len(names) == len(ext.configurations_)
    ext.set_output(transform="polars")
    out = ext.transform(pl.DataFrame(X, schema=cols))
    assert isinstance(out, pl.DataFrame) and out.columns == list(names)
    with pytest.raises(ValueError, match="feature names"):
        ext.transform(pd.DataFrame(X, columns=[f"g{i}" for i in range(X.shape[1])]))
    assert ext.configurations_.n_clusters.max() <= 30


def test_align_options_change_names_not_partitions(hier_blobs):
    X, y3, y9 = hier_blobs
    none = ConfigurationExtractor(random_state=0, align="none").fit(X).configurations_
    chain = ConfigurationExtractor(random_state=0, align="chain").fit(X).configurations_
    lab = ConfigurationExtractor(random_state=0, align="labels").fit(X, y9).configurations_
    for j in range(len(none)):
        assert adjusted_rand_score(none[j], chain[j]) == 1.0
        assert adjusted_rand_score(none[j], lab[j]) == 1.0
    with pytest.raises(ValueError, match="needs the class labels"):
        ConfigurationExtractor(align="labels").fit(X)


def test_soft_votes(hier_blobs, hier_extractor):
    X, _, _ = hier_blobs
    ext = ConfigurationExtractor(random_state=0, soft=True).fit(X)
    S = ext.transform(X[:20] + 0.01)
    K = ext.configurations_.n_clusters
    assert S.shape == (20, K.sum())
    dense = S.toarray()
    start = 0
    for k in K:  # each configuration's block sums to one
        np.testing.assert_allclose(dense[:, start : start + k].sum(axis=1), 1.0)
        start += k
    assert len(ext.get_feature_names_out()) == K.sum()


def test_recluster_mode_agrees_with_knn(hier_blobs):
    from sklearn.model_selection import train_test_split

    X, y3, y9 = hier_blobs
    Xtr, Xte = train_test_split(X, test_size=0.4, random_state=0, stratify=y9)
    knn = ConfigurationExtractor(random_state=0, max_clusters=20).fit(Xtr)
    rec = ConfigurationExtractor(random_state=0, max_clusters=20, out_of_sample="recluster").fit(
        Xtr
    )
    a, b = knn.transform(Xte), rec.transform(Xte)
    assert a.shape == b.shape
    # the coarse scales (3 and 9 clusters among them) agree on ≥ 95% of rows
    K = knn.configurations_.n_clusters
    for j in np.flatnonzero((K == 3) | (K == 9)):
        assert (a[:, j] == b[:, j]).mean() >= 0.95


@pytest.mark.parametrize(
    "X, msg",
    [
        (np.full((30, 3), np.nan), "NaN"),
        (np.ones((30, 3)), "constant"),
        (np.random.default_rng(0).normal(size=(10, 3)), "n_samples = 10"),
        (np.zeros((0, 3)), "0 sample"),
    ],
)
def test_bad_input(X, msg):
    with pytest.raises(ValueError, match=msg):
        ConfigurationExtractor().fit(X)


def test_non_numeric_columns_named():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": np.arange(40.0), "b": ["x"] * 40, "c": np.arange(40.0) ** 2})
    with pytest.raises(ValueError, match=r"\['b'\]"):
        ConfigurationExtractor().fit(df)


def test_wrong_columns_at_transform_and_no_mutation(hier_blobs, hier_extractor):
    X, _, _ = hier_blobs
    with pytest.raises(ValueError, match="features"):
        hier_extractor.transform(X[:, :5])
    Xc = X.copy()
    ConfigurationExtractor(random_state=0, max_clusters=10).fit(Xc)
    np.testing.assert_array_equal(Xc, X)


def test_duplicates_constant_column_and_one_feature():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 3)), rng.normal(6, 1, (60, 3))])
    X = np.vstack([X, X[:30]])  # 30 duplicated rows
    X = np.column_stack([X, np.full(len(X), 2.0)])  # a constant column
    ext = ConfigurationExtractor(random_state=0).fit(X)
    assert np.all(np.isfinite(ext.graph_.weights))
    np.testing.assert_array_equal(ext.transform(X), ext.configurations_.ids)
    one = ConfigurationExtractor(random_state=0).fit(X[:, :1])  # a single feature works
    assert len(one.configurations_) >= 1


def test_kneighbors_seam(hier_blobs, hier_extractor):
    X, _, _ = hier_blobs
    ext = hier_extractor
    d, i = ext.kneighbors()  # training rows, own entry excluded: the graph's lists
    np.testing.assert_array_equal(i, ext.graph_.indices)
    d40, i40 = ext.kneighbors(n_neighbors=40)
    assert i40.shape == (len(X), 40) and not (i40 == np.arange(len(X))[:, None]).any()
    assert np.all(np.diff(d40, axis=1) >= 0)
    np.testing.assert_array_equal(i40[:, :5], i[:, :5])
    dn, inew = ext.kneighbors(X[:7] + 1e-3, n_neighbors=3)
    assert inew.shape == (7, 3) and np.all(dn >= 0)
    w = ext.vote_weights(d)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="n_neighbors"):
        ext.kneighbors(n_neighbors=0)


def test_timings_cover_every_stage_of_fit(hier_blobs):
    import time

    X = hier_blobs[0]
    t0 = time.perf_counter()
    ext = ConfigurationExtractor(random_state=0).fit(X)
    wall = time.perf_counter() - t0
    assert list(ext.timings_) == ["prepare", "index", "query", "weights", "sweep",
                                  "envelope", "align"]
    assert all(v >= 0 for v in ext.timings_.values())
    assert sum(ext.timings_.values()) <= wall
    assert sum(ext.timings_.values()) > 0.5 * wall  # the stages are where fit spends it
    assert set(ext.graph_.timings) == {"index", "query", "weights"}


def _wide_blobs(n_per=40, seed=0):
    """Four clusters in 30 features, beside 200 rare independent 0/1 features (as rare
    k-mers or fingerprint bits): standardised, a rare bit is a far outlier."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(4), n_per)
    signal = rng.normal(size=(4, 30))[labels] + rng.normal(size=(4 * n_per, 30))
    rare = (rng.random((4 * n_per, 200)) < 0.02).astype(float)
    return np.hstack([signal, rare]), labels


def test_n_components_projects_wide_tables(hier_blobs):
    X, labels = _wide_blobs(seed=2)
    ext = ConfigurationExtractor(n_components="auto", random_state=0).fit(X)
    assert ext.pca_ is not None and ext.pca_.n_components_ == 50
    # the search runs on the components: a training row given back as new is its own
    # nearest row, and new rows are projected the same way
    d, nb = ext.kneighbors(X[:10], n_neighbors=1)
    assert (nb[:, 0] == np.arange(10)).all() and np.allclose(d, 0.0, atol=1e-6)
    narrow = ConfigurationExtractor(n_components="auto", random_state=0).fit(hier_blobs[0])
    assert narrow.pca_ is None  # 50 features or fewer: searched as they are
    full = ConfigurationExtractor(random_state=0).fit(X)  # the default: all features
    assert full.pca_ is None
    few = ConfigurationExtractor(n_components=8, random_state=0).fit(X)
    assert few.pca_.n_components_ == 8
    # more components than rows allow: as many as the rows allow
    tiny = ConfigurationExtractor(k=5, n_components=500, random_state=0).fit(X[:30])
    assert tiny.pca_.n_components_ == 29
    # the components see the planted clusters through the rare bits (ARI 0.87 against
    # 0.65 on all features)
    def best(e):
        return max(adjusted_rand_score(labels, c) for c in e.configurations_.ids.T)
    assert best(ext) > best(full) + 0.1


def test_n_components_reproducible_across_layouts():
    X, _ = _wide_blobs(seed=1)
    a = ConfigurationExtractor(n_components="auto", random_state=3).fit(X)
    b = ConfigurationExtractor(n_components="auto", random_state=3).fit(np.asfortranarray(X))
    assert np.array_equal(a.configurations_.ids, b.configurations_.ids)
    Xn = X[:7] + 0.01
    assert np.array_equal(a.transform(Xn), b.transform(np.asfortranarray(Xn)))


@pytest.mark.parametrize("bad", [0, -3, 2.5, "all", True])
def test_n_components_bad_value_named(bad):
    X, _ = _wide_blobs()
    with pytest.raises(ValueError, match="n_components must be"):
        ConfigurationExtractor(n_components=bad).fit(X)
