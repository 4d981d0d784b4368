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
