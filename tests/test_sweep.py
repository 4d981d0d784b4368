import numpy as np
import pytest

from gramixc.configurations import find_configurations
from gramixc.graph import knn_graph
from gramixc.sweep import leiden, resolution_sweep


@pytest.fixture(scope="module")
def graph(hier_blobs):
    from sklearn.preprocessing import StandardScaler

    X, _, _ = hier_blobs
    return knn_graph(StandardScaler().fit_transform(X), k=15, random_state=0)


def test_seeded_runs_repeat_and_global_rng_restored(graph):
    import random

    G = graph.to_igraph()
    random.seed(123)
    expected_next = random.random()
    random.seed(123)
    a = leiden(G, 5.0, seed=7)
    b = leiden(G, 5.0, seed=7)
    np.testing.assert_array_equal(a, b)
    # igraph's RNG is Python's random module again, untouched by our seeded runs
    assert random.random() == expected_next


def test_auto_range_brackets_coarse_and_fine(graph):
    sweep = resolution_sweep(graph, random_state=0, refine=False)
    lo, hi = sweep.gamma_range
    k = sweep.n_clusters
    runs = dict(zip(sweep.run_gammas, sweep.run_partition))
    assert k[runs[lo]] <= 2  # coarse end: components + 1 (the graph is connected)
    assert graph.n / k[runs[hi]] <= 5.0  # fine end: mean size reached min_cluster_size
    assert len([r for r in sweep.run_kind if r == "grid"]) <= 24


def test_refinement_adds_envelope_partitions(graph):
    plain = resolution_sweep(graph, random_state=0, refine=False)
    refined = resolution_sweep(graph, random_state=0, refine=True)
    assert "refine" in refined.run_kind
    assert len(find_configurations(refined)) >= len(find_configurations(plain))


def test_n_jobs_gives_same_partitions(graph):
    a = resolution_sweep(graph, random_state=3, n_jobs=1)
    b = resolution_sweep(graph, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(a.memberships, b.memberships)
    np.testing.assert_array_equal(a.run_gammas, b.run_gammas)


def test_explicit_grid_and_leidenalg_backend(graph):
    grid = np.geomspace(0.05, 20, 8)
    a = resolution_sweep(graph, resolutions=grid, refine=False, random_state=0)
    np.testing.assert_allclose(np.sort(a.run_gammas), grid)
    b = resolution_sweep(graph, resolutions=grid, refine=False, backend="leidenalg", random_state=0)
    c = resolution_sweep(
        graph, resolutions=grid, refine=False, backend="leidenalg", directed=True, random_state=0
    )
    for s in (b, c):
        cfg = find_configurations(s)
        assert 2 <= len(cfg) and cfg.n_clusters.min() >= 2


def test_cpm_objective(graph):
    s = resolution_sweep(graph, objective="CPM", random_state=0, refine=False)
    cfg = find_configurations(s)
    assert len(cfg) >= 2
    assert np.all(np.diff(cfg.n_clusters) >= 0)


def test_sweep_errors(graph):
    with pytest.raises(ValueError, match="objective"):
        resolution_sweep(graph, objective="surprise")
    with pytest.raises(ValueError, match="directed"):
        resolution_sweep(graph, directed=True)
    with pytest.raises(ValueError, match="positive"):
        resolution_sweep(graph, resolutions=[-1.0, 2.0])


def test_n_iterations_auto_and_validation():
    from gramixc.sweep import ITERATIONS_AUTO_MAX_N, resolve_iterations

    assert resolve_iterations("auto", ITERATIONS_AUTO_MAX_N) == 2
    assert resolve_iterations("auto", ITERATIONS_AUTO_MAX_N + 1) == 1
    assert resolve_iterations(3, 10) == 3
    for bad in (0, -1, "two", 1.5, True):
        with pytest.raises(ValueError, match="n_iterations"):
            resolve_iterations(bad, 10)
