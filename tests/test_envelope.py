import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gramixc.envelope import canonical_labels, partition_lines, upper_envelope


def test_partition_lines_modularity_matches_igraph():
    import igraph as ig

    g = ig.Graph.Famous("Zachary")
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 2.0, g.ecount())
    edges = np.array(g.get_edgelist())
    memb = np.array([rng.integers(0, 4, g.vcount()) for _ in range(5)])
    h_a, h_r = partition_lines(memb, edges, w, g.vcount())
    m = w.sum()
    for p in range(5):
        for gamma in (0.5, 1.0, 2.0):
            q = g.modularity(memb[p].tolist(), weights=w.tolist(), resolution=gamma)
            np.testing.assert_allclose((h_a[p] - gamma * h_r[p]) / m, q, rtol=1e-10)


def test_partition_lines_cpm_and_directed():
    edges = np.array([[0, 1], [1, 2], [2, 0], [2, 3]])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    memb = np.array([[0, 0, 0, 1]])
    h_a, h_r = partition_lines(memb, edges, w, 4, objective="CPM")
    assert h_a[0] == 6.0 and h_r[0] == 3.0  # 3 choose 2 pairs
    h_a, h_r = partition_lines(memb, edges, w, 4, objective="CPM", directed=True)
    assert h_r[0] == 6.0
    h_a, h_r = partition_lines(memb, edges, w, 4, objective="modularity", directed=True)
    out_s = np.array([1, 2, 7, 0.0])
    in_s = np.array([3, 1, 2, 4.0])
    exp = (out_s[:3].sum() * in_s[:3].sum() + 0 * 4) / w.sum()
    np.testing.assert_allclose(h_r[0], exp)


def test_upper_envelope_simple():
    # three lines: coarse, middle, fine; a dominated fourth
    env = upper_envelope([10.0, 8.0, 0.0, 5.0], [10.0, 4.0, 0.5, 6.0])
    assert env.index.tolist() == [0, 1, 2]
    assert env.gamma_lo[0] == 0.0 and np.isinf(env.gamma_hi[-1])
    np.testing.assert_allclose(env.gamma_hi[:-1], env.gamma_lo[1:])
    np.testing.assert_allclose(env.gamma_hi[0], (10 - 8) / (10 - 4))


def test_upper_envelope_parallel_and_negative_region():
    # line 1 is parallel and below line 0; line 2 only wins for γ < 0
    env = upper_envelope([5.0, 4.0, 6.0, 0.0], [2.0, 2.0, 5.0, 0.1])
    assert 1 not in env.index.tolist()
    assert env.gamma_lo[0] == 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.01, 100)), min_size=1, max_size=25))
# found by hypothesis: slopes 1e-18 apart, the higher line sorted second was dropped
@example(lines=[(0.0, 0.010000000000000002), (1.0, 0.01)])
def test_upper_envelope_is_the_max(lines):
    a = np.array([p[0] for p in lines])
    b = np.array([p[1] for p in lines])
    env = upper_envelope(a, b)
    assert np.all(np.diff(env.gamma_lo) > 0) or len(env.index) == 1
    np.testing.assert_allclose(env.gamma_hi[:-1], env.gamma_lo[1:])
    for pos, i in enumerate(env.index):
        lo, hi = env.gamma_lo[pos], env.gamma_hi[pos]
        mid = (lo + hi) / 2 if np.isfinite(hi) else lo + 1.0
        q = a - mid * b
        assert q[i] >= q.max() - 1e-9 * max(1.0, abs(q.max()))
    # every γ sample is covered by the envelope line with the max quality
    for gamma in np.linspace(0, 10, 23):
        pos = np.searchsorted(env.gamma_hi, gamma)
        pos = min(pos, len(env.index) - 1)
        q = a - gamma * b
        assert q[env.index[pos]] >= q.max() - 1e-7 * max(1.0, abs(q.max()))


def test_canonical_labels():
    np.testing.assert_array_equal(canonical_labels(np.array([4, 4, 1, 9, 1])), [0, 0, 1, 2, 1])
    with pytest.raises(ValueError):
        upper_envelope([1.0], [np.nan])
