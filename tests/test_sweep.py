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


def test_curve_spacing_brackets_the_range_in_fewer_runs(graph):
    # "curve": both walks side by side (the coarse one jumping to the components'
    # crossing), the grid laid along log K(log γ); same range criteria as "gamma"
    gamma = resolution_sweep(graph, random_state=0, refine=False, spacing="gamma",
                             n_resolutions=12)
    curve = resolution_sweep(graph, random_state=0, refine=False, spacing="curve",
                             n_resolutions=12)
    k, runs = curve.n_clusters, dict(zip(curve.run_gammas, curve.run_partition))
    lo, hi = curve.gamma_range
    assert k[runs[lo]] <= 2 and graph.n / k[runs[hi]] <= 5.0
    probes = lambda s: sum(r == "probe" for r in s.run_kind)  # noqa: E731
    assert probes(curve) < probes(gamma)
    assert len(find_configurations(curve)) >= 4
    # the same seed gives the same sweep, whatever n_jobs
    again = resolution_sweep(graph, random_state=0, refine=False, spacing="curve",
                             n_resolutions=12, n_jobs=2)
    np.testing.assert_array_equal(curve.memberships, again.memberships)
    np.testing.assert_array_equal(curve.run_gammas, again.run_gammas)


def test_curve_grid_is_even_along_the_probed_curve():
    from gramixc.sweep import _curve_position, _even_grid

    # K flat (10) from γ = 1e-3 to 1, then K = 10 γ up to γ = 1e3: the flat half of
    # the log γ range is half of the x-axis but none of the y-axis
    gammas = np.geomspace(1e-3, 1e3, 13)
    ks = np.where(gammas < 1, 10.0, 10.0 * gammas)
    pos = _curve_position(gammas, ks, 1e-3, 1e3)
    grid = _even_grid(pos, 1e-3, 1e3, 9)
    assert grid[0] == 1e-3 and grid[-1] == 1e3 and np.all(np.diff(grid) > 0)
    steps = np.diff(pos(grid))
    np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    # the flat half (length 0.5) holds fewer points than the climbing half (√1.25)
    assert (grid < 1).sum() < (grid > 1).sum()


def test_spacing_and_n_resolutions_auto_and_validation(graph):
    from gramixc.extractor import ConfigurationExtractor
    from gramixc.sweep import SPACING_AUTO_MAX_N, resolve_n_resolutions, resolve_spacing

    assert resolve_spacing("auto", SPACING_AUTO_MAX_N) == "gamma"
    assert resolve_spacing("auto", SPACING_AUTO_MAX_N + 1) == "curve"
    assert resolve_n_resolutions("auto", "gamma") == 24
    assert resolve_n_resolutions("auto", "curve") == 12
    with pytest.raises(ValueError, match="spacing"):
        resolution_sweep(graph, spacing="log")
    for bad in (1, "many", 2.5, True):
        with pytest.raises(ValueError, match="n_resolutions"):
            resolution_sweep(graph, n_resolutions=bad)
    with pytest.raises(ValueError, match="refine"):  # before any Leiden run
        resolution_sweep(graph, refine="yes")
    X = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(ValueError, match="spacing"):  # before any work
        ConfigurationExtractor(spacing="even").fit(X)
    with pytest.raises(ValueError, match="n_resolutions"):
        ConfigurationExtractor(n_resolutions=0).fit(X)


def test_walks_stop_when_even_the_coarsest_partition_is_fine_enough():
    # min_cluster_size above n: every partition is "fine enough", the fine walk going
    # down must stop at the components instead of probing 60 (or 120) ever smaller γ
    rng = np.random.default_rng(0)
    g = knn_graph(rng.normal(size=(120, 3)), k=5, random_state=0)
    for spacing in ("gamma", "curve"):
        s = resolution_sweep(g, random_state=0, refine=False, spacing=spacing,
                             min_cluster_size=500.0, n_resolutions=6)
        assert sum(r == "probe" for r in s.run_kind) < 20


def test_quotient_graph_keeps_modularity_of_whole_clusters(graph):
    from gramixc.envelope import partition_lines
    from gramixc.leiden import LeidenGraph

    lg = LeidenGraph.from_knn_graph(graph)
    # the quotient of the singletons is the graph itself: the same run, bit for bit
    same = lg.quotient(np.arange(graph.n))
    np.testing.assert_array_equal(leiden(lg.build(), 3.0, seed=4),
                                  leiden(same.build(), 3.0, seed=4))
    # a partition of the quotient's nodes has, on the graph, the quotient's modularity
    # plus the constant weight inside the clusters it was built from
    fine = leiden(lg.build(), 40.0, seed=1)
    q = lg.quotient(fine)
    assert q.n == fine.max() + 1 and q.node_weights.sum() == pytest.approx(2 * graph.total_weight)
    node_part = leiden(q.build(), 2.0, seed=2)
    a, r = partition_lines(node_part[fine][None], graph.edges, graph.edge_weights, graph.n)
    qa, qr = partition_lines(node_part[None], q.edges, q.weights, q.n)
    inside = graph.edge_weights[fine[graph.edges[:, 0]] == fine[graph.edges[:, 1]]].sum()
    assert a[0] == pytest.approx(qa[0] + inside)
    with pytest.raises(ValueError, match="undirected"):
        LeidenGraph(lg.edges, lg.weights, lg.n, directed=True).quotient(fine)


def test_coarsen_runs_below_large_clusters_on_their_quotient(graph, monkeypatch):
    import gramixc.sweep as sweep

    monkeypatch.setattr(sweep, "QUOTIENT_MIN_MEAN_SIZE", 30)  # 900 rows: ≤ 30 clusters
    plain = resolution_sweep(graph, random_state=0, refine=False, spacing="curve")
    coarse = resolution_sweep(graph, random_state=0, refine=False, spacing="curve",
                              coarsen=True)
    # the first round (γ = 1 and the fine end's start) runs on the graph, as without
    assert coarse.run_gammas[0] == 1.0 and coarse.run_kind[:2] == ["probe", "probe"]
    runs = dict(zip(coarse.run_gammas, coarse.run_partition))
    part = lambda s, g: s.memberships[dict(zip(s.run_gammas, s.run_partition))[g]]  # noqa: E731
    for g in coarse.run_gammas[:2]:
        np.testing.assert_array_equal(part(coarse, g), part(plain, g))
    # every run below γ = 1 keeps whole the clusters of a finer solved partition of
    # clusters of >= 30 rows (the quotient it ran on)
    sources = [g for g, i in runs.items() if graph.n / coarse.n_clusters[i] >= 30]
    below = [g for g in coarse.run_gammas if g < 1.0]
    assert below and 1.0 in sources

    def whole(memb, base):
        return all(len(np.unique(memb[base == c])) == 1 for c in np.unique(base))

    for g in below:
        assert any(whole(part(coarse, g), part(coarse, s)) for s in sources if s > g)
    assert len(find_configurations(coarse)) >= 4
    # the same for any n_jobs
    again = resolution_sweep(graph, random_state=0, refine=False, spacing="curve",
                             coarsen=True, n_jobs=2)
    np.testing.assert_array_equal(coarse.memberships, again.memberships)
    np.testing.assert_array_equal(coarse.run_gammas, again.run_gammas)


def test_coarsen_auto_and_validation(graph):
    from gramixc.sweep import COARSEN_AUTO_MAX_N, resolve_coarsen

    assert not resolve_coarsen("auto", COARSEN_AUTO_MAX_N)
    assert resolve_coarsen("auto", COARSEN_AUTO_MAX_N + 1)
    assert not resolve_coarsen("auto", 10**6, backend="leidenalg")
    assert not resolve_coarsen("auto", 10**6, directed=True)
    with pytest.raises(ValueError, match="coarsen must be"):
        resolve_coarsen("yes", 10)
    with pytest.raises(ValueError, match="needs backend='igraph'"):
        resolution_sweep(graph, backend="leidenalg", coarsen=True)
    # "auto" leaves a small graph's sweep exactly as it was
    a = resolution_sweep(graph, random_state=0)
    b = resolution_sweep(graph, random_state=0, coarsen=False)
    np.testing.assert_array_equal(a.memberships, b.memberships)
