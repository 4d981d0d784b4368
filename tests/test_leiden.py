import numpy as np
import pytest

from gramixc.graph import knn_graph
from gramixc.leiden import (
    LeidenGraph,
    LeidenRunner,
    LeidenSettings,
    leiden_runs,
    resolve_iterations,
)


@pytest.fixture(scope="module")
def graph():
    return knn_graph(np.random.default_rng(0).normal(size=(300, 4)), k=10, random_state=0)


def test_runs_are_the_same_here_and_in_processes(graph):
    tasks = [(0.5, 1), (1.0, 2), (2.0, 3), (1.0, 2)]
    lg = LeidenGraph.from_knn_graph(graph)
    with LeidenRunner(lg, LeidenSettings(), n_jobs=None) as here:
        a = list(here.map(tasks))
    with LeidenRunner(lg, LeidenSettings(), n_jobs=2) as pool:
        b = list(pool.map(tasks))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a[1], a[3])  # same γ and seed, same partition


def test_leiden_runs_keep_the_order_and_check_settings(graph):
    runs = leiden_runs(graph, [1.0, 3.0], [5, 5])
    assert len(runs) == 2 and runs[1].max() >= runs[0].max()
    with pytest.raises(ValueError, match="directed=True needs backend='leidenalg'"):
        leiden_runs(graph, [1.0], [1], directed=True)
    with pytest.raises(ValueError, match="objective"):
        leiden_runs(graph, [1.0], [1], objective="surprise")
    directed = leiden_runs(graph, [1.0], [1], backend="leidenalg", directed=True)
    assert directed[0].shape == (300,)


def test_iterations_rule():
    assert resolve_iterations("auto", 1000) == 2 and resolve_iterations("auto", 10**6) == 1
    with pytest.raises(ValueError, match="n_iterations"):
        resolve_iterations(0, 10)


def _blobs_graph(n_per=60):
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0], [12, 0], [0, 12], [12, 12]], dtype=float)
    X = np.vstack([c + rng.normal(size=(n_per, 2)) for c in centres])
    truth = np.repeat(np.arange(4), n_per)
    perm = rng.permutation(len(X))  # shuffled rows, as real tables come
    return knn_graph(X[perm], k=10, random_state=0), truth[perm]


def test_locality_order_numbers_neighbours_close_together():
    g, _ = _blobs_graph()
    lg = LeidenGraph.from_knn_graph(g)
    rank = lg.in_locality_order().rank
    assert sorted(rank.tolist()) == list(range(g.n))  # a permutation
    span = lambda r: np.abs(r[lg.edges[:, 0]] - r[lg.edges[:, 1]]).mean()  # noqa: E731
    assert span(rank) < 0.25 * span(np.arange(g.n))  # shuffled rows: ~n/3 apart


def test_runs_in_locality_order_come_back_in_the_graphs_numbering(monkeypatch):
    from sklearn.metrics import adjusted_rand_score

    import gramixc.leiden as leiden_module

    g, truth = _blobs_graph()
    lg = LeidenGraph.from_knn_graph(g)
    with LeidenRunner(lg, LeidenSettings()) as plain:
        before = list(plain.map([(1.0, 7), (0.05, 7)]))
    monkeypatch.setattr(leiden_module, "LOCALITY_ORDER_MIN_N", 10)
    tasks = [(1.0, 7), (0.05, 7)]
    runs = []
    for n_jobs in (None, 2):
        runner = LeidenRunner(lg, LeidenSettings(), n_jobs=n_jobs)
        assert runner.graph.rank is not None
        with runner:
            runs.append(list(runner.map(tasks)))
    for x, y in zip(*runs):
        np.testing.assert_array_equal(x, y)  # the same wherever it runs
    # the coarse run finds the four blobs, in the graph's numbering, as without the order
    assert adjusted_rand_score(truth, runs[0][1]) == 1.0 == adjusted_rand_score(truth, before[1])
    # the fine run splits them as finely as without the order
    memb = runs[0][0]
    assert abs(int(memb.max()) - int(before[0].max())) <= 2
    # the run saw the renumbered graph: its membership there is memb in rank order
    built = runner.graph.build()
    relabelled = np.empty_like(memb)
    relabelled[runner.graph.rank] = memb
    assert np.isclose(built.modularity(relabelled.tolist(), weights="weight"),
                      lg.build().modularity(memb.tolist(), weights="weight"))


def test_a_quotient_graph_keeps_its_node_weights_in_locality_order():
    g, truth = _blobs_graph()
    lg = LeidenGraph.from_knn_graph(g)
    fine = next(LeidenRunner(lg, LeidenSettings()).map([(8.0, 1)]))
    q = lg.quotient(fine)
    plain, ordered = q.build(), q.in_locality_order()
    built = ordered.build()
    nw = np.asarray(built.vs["node_weight"])
    np.testing.assert_allclose(nw[ordered.rank], q.node_weights)
    assert plain.ecount() == built.ecount()
