import numpy as np
import pytest

from gramixc.graph import NeighborIndex, knn_graph, lambda_equalize, symmetrize


def test_lambda_equalize_rows_sum_to_lambda():
    rng = np.random.default_rng(0)
    d = np.sort(rng.gamma(2.0, 1.0, size=(500, 15)), axis=1)
    for lam in (0.5, 1.0, 3.0):
        w, sigma = lambda_equalize(d, lam=lam)
        np.testing.assert_allclose(w.sum(axis=1), lam, rtol=1e-12)
        # the bisection itself reached the tolerance before the final rescale
        raw = np.exp(-sigma[:, None] * d).sum(axis=1)
        np.testing.assert_allclose(raw, lam, rtol=1e-6)
        assert np.all(w > 0) and np.all(np.diff(w, axis=1) <= 1e-15)  # nearer = heavier


def test_lambda_equalize_duplicates_no_nan():
    d = np.array(
        [[0.0, 0.0, 1.0, 2.0], [0.1, 0.5, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.5, 1.0, 2.0]]
    )
    w, sigma = lambda_equalize(d, lam=1.0)
    assert np.all(np.isfinite(w))
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    # two exact duplicates alone reach λ = 1: they share it, others get nothing
    np.testing.assert_allclose(w[0], [0.5, 0.5, 0.0, 0.0])
    assert np.isinf(sigma[0]) and np.isfinite(sigma[1])
    np.testing.assert_allclose(w[2], 0.25)
    # one duplicate already reaches λ = 1 on its own (any finite σ overshoots)
    np.testing.assert_allclose(w[3], [1.0, 0.0, 0.0, 0.0])


def test_lambda_equalize_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        lambda_equalize(np.array([[-1.0, 1.0]]))
    with pytest.raises(ValueError, match="lam"):
        lambda_equalize(np.ones((3, 2)), lam=5.0)


def test_knn_graph_exactly_k_neighbours_no_self():
    X = np.random.default_rng(1).normal(size=(300, 5))
    X[10] = X[11] = X[12]  # duplicates: zero distances
    X_before = X.copy()
    g = knn_graph(X, k=12, random_state=0)
    np.testing.assert_array_equal(X, X_before)  # caller's data untouched
    assert g.indices.shape == (300, 12)
    assert not np.any(g.indices == np.arange(300)[:, None])
    assert all(len(set(row)) == 12 for row in g.indices)
    np.testing.assert_allclose(g.weights.sum(axis=1), 1.0)
    assert np.all(np.isfinite(g.edge_weights)) and np.all(g.edge_weights > 0)
    # W = (A + Aᵀ)/2: total weight is n·λ/2
    np.testing.assert_allclose(g.total_weight, 300 * 1.0 / 2)
    G = g.to_igraph()
    assert G.vcount() == 300 and not G.is_directed()
    np.testing.assert_allclose(np.sort(G.strength(weights="weight")), np.sort(g.strength()))


def test_symmetrize_matches_dense():
    idx = np.array([[1, 2], [0, 2], [0, 1]])
    w = np.array([[0.7, 0.3], [0.6, 0.4], [0.5, 0.5]])
    A = np.zeros((3, 3))
    for j in range(3):
        A[idx[j], j] = w[j]
    np.testing.assert_allclose(symmetrize(idx, w, 3).toarray(), (A + A.T) / 2)


def test_knn_graph_errors():
    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match="k \\+ 1"):
        knn_graph(np.random.default_rng(0).normal(size=(10, 3)), k=15)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        knn_graph(X, k=3)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_hnsw_backend_close_to_exact_and_seeded(metric):
    X = np.random.default_rng(2).normal(size=(2000, 8))
    exact = NeighborIndex(metric=metric, backend="exact").fit(X)
    a = NeighborIndex(metric=metric, backend="hnsw", random_state=3).fit(X)
    b = NeighborIndex(metric=metric, backend="hnsw", random_state=3).fit(X)
    de, ie = exact.query(X, 10, exclude_self=True)
    da, ia = a.query(X, 10, exclude_self=True)
    _, ib = b.query(X, 10, exclude_self=True)
    np.testing.assert_array_equal(ia, ib)  # same seed, same graph
    recall = np.mean([len(set(p) & set(q)) / 10 for p, q in zip(ia, ie)])
    assert recall > 0.97
    np.testing.assert_allclose(da[:, 0], de[:, 0], rtol=1e-4, atol=1e-5)
    # queryable later for new rows
    Xn = X[:5] + 1e-3
    assert a.query(Xn, 4)[1].shape == (5, 4)


def test_auto_backend_choice(monkeypatch):
    import gramixc.graph as graph

    monkeypatch.setattr(graph, "HNSW_THRESHOLD", 100)
    X = np.random.default_rng(0).normal(size=(150, 3))
    assert NeighborIndex().fit(X).backend_ == "hnsw"
    assert NeighborIndex().fit(X[:90]).backend_ == "exact"
    assert NeighborIndex(metric="manhattan").fit(X).backend_ == "exact"


@pytest.mark.parametrize("backend", ["exact", "hnsw", "ivf"])
def test_query_indexed_rows_subset(backend):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    index = NeighborIndex(backend=backend, random_state=0).fit(X)
    _, all_idx = index.query_indexed(6)
    rows = np.array([5, 17, 200])
    _, sub = index.query_indexed(6, rows=rows)
    np.testing.assert_array_equal(sub, all_idx[rows])
    assert (sub != rows[:, None]).all()
    with pytest.raises(ValueError, match="ids for"):
        index.query(X[:3], 4, exclude_self=np.array([0, 1]))


def _blobs(n=3000, d=10, seed=0):
    from sklearn.datasets import make_blobs

    return make_blobs(n_samples=n, n_features=d, centers=20, cluster_std=2.0,
                      random_state=seed)[0]


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_ivf_backend_recall_and_exact_distances(metric):
    X = _blobs()
    if metric == "cosine":
        X = np.abs(X)
    exact = NeighborIndex(metric=metric, backend="exact").fit(X)
    ivf = NeighborIndex(metric=metric, backend="ivf", random_state=3).fit(X)
    assert ivf.backend_ == "ivf"
    de, ie = exact.query(X, 15, exclude_self=True)
    dv, iv = ivf.query(X, 15, exclude_self=True)
    recall = np.mean([len(set(p) & set(q)) / 15 for p, q in zip(iv, ie)])
    assert recall > 0.95
    # the candidates' distances are recomputed in float64: where the lists agree they
    # are the exact ones, ascending per row
    same = (iv == ie).all(axis=1)
    assert same.mean() > 0.5
    np.testing.assert_allclose(dv[same], de[same], rtol=1e-12, atol=1e-12)
    assert (np.diff(dv, axis=1) >= 0).all()
    # the stored rows answer for themselves, and new rows can be queried
    np.testing.assert_array_equal(ivf.query_indexed(15)[1], iv)
    assert ivf.query(X[:4] + 1e-3, 5)[1].shape == (4, 5)


def test_ivf_backend_identical_across_runs_and_n_jobs():
    import hashlib

    X = _blobs(2500)
    digests = set()
    for n_jobs in (1, 2, 1, -1):
        g = knn_graph(X, k=10, backend="ivf", random_state=0, n_jobs=n_jobs)
        digests.add(hashlib.sha1(g.indices.tobytes() + g.weights.tobytes()).hexdigest())
    assert len(digests) == 1
    other = knn_graph(X, k=10, backend="ivf", random_state=1)
    assert other.indices.shape == (2500, 10)


@pytest.mark.parametrize("n_candidates, k", [(1000, 20), (997, 20), (20, 20), (45, 7),
                                              (64 * 33 + 5, 16)])
def test_best_scores_are_the_exact_top_k(n_candidates, k):
    # the grouped selection returns exactly the k highest scores of every query row,
    # whatever the candidate count (padding, fewer groups than rows, k == candidates)
    from gramixc.graph import _best_scores, _scoring_rows

    rng = np.random.default_rng(n_candidates)
    V = rng.normal(size=(n_candidates, 6)).astype(np.float32)
    Q1 = np.ones((150, 7), dtype=np.float32)
    Q1[:, :-1] = rng.normal(size=(150, 6))
    A = _scoring_rows(V)
    got = _best_scores(Q1, A, k)
    assert got.shape == (150, k) and (got >= 0).all() and (got < n_candidates).all()
    S = Q1 @ A.T
    want = np.sort(S, axis=1)[:, ::-1][:, :k]
    np.testing.assert_array_equal(np.sort(np.take_along_axis(S, got, axis=1), axis=1)[:, ::-1],
                                  want)
    assert all(len(set(row)) == k for row in got)
    # the score orders candidates by their distance to the query
    d2 = ((Q1[:, None, :-1] - V[None]) ** 2).sum(axis=2)
    near = np.argsort(d2, axis=1)[:, :k]
    assert np.mean([len(set(a) & set(b)) / k for a, b in zip(got, near)]) > 0.99


def test_ivf_backend_small_cells_fall_back_to_every_cell():
    # 60 rows in 1 cell per 39 rows: asking for 40 neighbours can exceed what the probed
    # cells hold; those rows scan every cell and still get exactly k distinct neighbours
    X = np.random.default_rng(0).normal(size=(60, 3))
    d, i = NeighborIndex(backend="ivf", random_state=0).fit(X).query(X, 40, exclude_self=True)
    exact = NeighborIndex(backend="exact").fit(X).query(X, 40, exclude_self=True)[1]
    assert (i >= 0).all() and all(len(set(row)) == 40 for row in i)
    assert np.mean([len(set(p) & set(q)) / 40 for p, q in zip(i, exact)]) > 0.95


def test_auto_backend_switches_to_ivf_above_its_threshold(monkeypatch):
    import gramixc.graph as graph

    monkeypatch.setattr(graph, "HNSW_THRESHOLD", 100)
    monkeypatch.setattr(graph, "IVF_THRESHOLD", 200)
    X = np.random.default_rng(0).normal(size=(250, 3))
    assert NeighborIndex().fit(X).backend_ == "ivf"
    assert NeighborIndex().fit(X[:150]).backend_ == "hnsw"
    assert NeighborIndex(metric="manhattan").fit(X).backend_ == "exact"
    with pytest.raises(ValueError, match="ivf backend supports"):
        NeighborIndex(backend="ivf", metric="manhattan").fit(X)
    with pytest.raises(ValueError, match="backend must be one of"):
        NeighborIndex(backend="annoy").fit(X)


def test_ivf_index_pickles_and_answers_the_same():
    import pickle

    X = _blobs(800, 5)
    index = NeighborIndex(backend="ivf", random_state=0).fit(X)
    again = pickle.loads(pickle.dumps(index))  # plain arrays: no FAISS object is kept
    Xn = X[:9] + 0.01
    for a, b in zip(index.query(Xn, 6), again.query(Xn, 6)):
        np.testing.assert_array_equal(a, b)
