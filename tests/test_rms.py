"""Tests for gramixc.rms: AMC, Reverse Merge/Split, chain alignment (docs/algorithms.md §5)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from gramixc import rms
from gramixc.rms import (
    RMSResult,
    align_to,
    align_to_labels,
    amc,
    id_spread,
    id_spread_per_level,
    rms_chain,
    rms_order,
    rms_permute,
)

GT = np.repeat([1, 2, 3], 50)


# ----------------------------------------------------------------------------- helpers
def naive_rms(C: np.ndarray, tau: float = 0.37) -> tuple[list[int], dict[int, tuple[int, str]]]:
    """Literal, loop-by-loop transcription of the RMS algorithm of docs/algorithms.md §5
    (an independent reference)."""
    C = np.asarray(C, dtype=float)
    L = C.shape[0]
    moves: dict[int, tuple[int, str]] = {}
    for i in range(L):
        col, row = C[:, i].sum(), C[i, :].sum()
        low_p = col > 0 and C[i, i] / col < tau
        low_r = row > 0 and C[i, i] / row < tau
        if not (low_p or low_r):
            continue
        rmax, cmax = max(C[i, :]), max(C[:, i])
        if rmax > cmax:
            p = max(range(L), key=lambda j: (C[i, j], -j))
            moves[i] = (p, "rmerge")
        else:
            p = max(range(L), key=lambda j: (C[j, i], -j))
            moves[i] = (p, "rsplit")
    order = list(range(L))
    for i in sorted(moves):
        p = moves[i][0]
        if p == i:
            continue
        pi, pp = order.index(i), order.index(p)
        order.pop(pi)
        order.insert(pp, i)
    return order, moves


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Exact check that two labelings induce the same partition (a bijection of ids)."""
    pairs = np.unique(np.stack([a, b], axis=1), axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b))


def nested_hierarchy(n: int, ks: list[int], seed: int) -> np.ndarray:
    """n x len(ks) nested configurations (coarse -> fine) with shuffled ids per column."""
    rng = np.random.default_rng(seed)
    cur = rng.integers(0, ks[-1], n)
    cur[: ks[-1]] = np.arange(ks[-1])
    cols = [cur]
    for k in ks[-2::-1]:
        n_child = cur.max() + 1
        parent = np.concatenate([np.arange(k), rng.integers(0, k, n_child - k)])
        rng.shuffle(parent)
        cur = parent[cur]
        cols.append(cur)
    Z = np.stack(cols[::-1], axis=1)
    for j in range(Z.shape[1]):
        Z[:, j] = rng.permutation(Z[:, j].max() + 1)[Z[:, j]]
    return Z


# ------------------------------------------------------------------ reference test vectors
def test_vector1_nothing_flagged():
    C = np.array([[2, 1, 0], [0, 3, 1], [1, 0, 2]])
    res = rms_permute(C)
    assert res.permuted_labels.tolist() == [0, 1, 2]
    assert res.label_map == {}
    assert res.map_matrix.shape == (0, 4)
    assert res.map_type.shape == (0,)
    np.testing.assert_array_equal(res.permuted_matrix, C)


def test_vector2_order_procedure():
    assert rms_order(4, {2: 0}).tolist() == [2, 0, 1, 3]
    assert rms_order(4, {0: 2}).tolist() == [1, 2, 0, 3]
    # the same maps produced by rms_permute from a confusion matrix
    C = np.diag([10, 10, 0, 10])
    C[2, 0] = 10  # label 2 -> 0 (rmerge)
    res = rms_permute(C)
    assert res.label_map == {2: (0, "rmerge")}
    assert res.permuted_labels.tolist() == [2, 0, 1, 3]
    C = np.diag([0, 10, 10, 10])
    C[0, 2] = 10  # label 0 -> 2 (rmerge)
    res = rms_permute(C)
    assert res.label_map == {0: (2, "rmerge")}
    assert res.permuted_labels.tolist() == [1, 2, 0, 3]


def test_vector3_rmerge():
    pred = np.repeat([0, 1], [100, 50])
    aligned, C, labels = amc(pred, GT)
    assert C.tolist() == [[50, 0, 0], [50, 0, 0], [0, 0, 50]]
    assert labels.tolist() == [1, 2, 3]
    assert aligned.tolist() == [1] * 100 + [3] * 50
    res = rms_permute(C, labels)
    assert res.label_map == {2: (1, "rmerge")}
    assert res.permuted_labels.tolist() == [2, 1, 3]
    assert res.map_matrix.tolist() == [[2, 1, 1, 1]]
    assert res.map_type.tolist() == ["rmerge"]


def test_vector4_rsplit():
    pred = np.repeat([0, 3, 1, 2], [25, 25, 50, 50])
    aligned, C, labels = amc(pred, GT)
    assert labels.tolist() == [1, 2, 3, 4]
    assert C.tolist() == [[25, 0, 0, 25], [0, 50, 0, 0], [0, 0, 50, 0], [0, 0, 0, 0]]
    assert aligned.tolist() == [1] * 25 + [4] * 25 + [2] * 50 + [3] * 50
    res = rms_permute(C, labels)
    assert res.label_map == {4: (1, "rsplit")}
    assert res.permuted_labels.tolist() == [4, 1, 2, 3]
    assert res.map_matrix.tolist() == [[1, 1, 4, 1]]
    assert res.map_type.tolist() == ["rsplit"]


def test_vector5_tie_rule():
    res = rms_permute(np.array([[1, 5, 0], [5, 10, 0], [0, 0, 10]]))
    assert res.label_map == {0: (1, "rsplit")}
    assert res.permuted_labels.tolist() == [1, 0, 2]


# ------------------------------------------------------------------------ RMS details
def test_partner_is_self_is_noop_but_reported():
    # reference 0 split in three equal parts: label 0 has recall 1/3 and its column
    # maximum is on the diagonal -> rsplit with itself (no move)
    C = np.array([[10, 10, 10], [0, 0, 0], [0, 0, 0]])
    res = rms_permute(C)
    assert res.label_map == {0: (0, "rsplit"), 1: (0, "rsplit"), 2: (0, "rsplit")}
    assert res.permuted_labels.tolist() == [1, 2, 0]
    assert res.map_matrix.tolist() == [[0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 2, 0]]


def test_result_is_namedtuple_and_labels_kept():
    res = rms_permute([[0, 4], [4, 0]], labels=["x", "y"])
    assert isinstance(res, RMSResult)
    pm, pl, lm, mm, mt = res
    assert lm == {"x": ("y", "rsplit"), "y": ("x", "rsplit")}
    assert pl.tolist() == ["x", "y"]  # x goes to y's place, then y to x's new place
    assert mm.shape == (2, 4)
    assert mt.tolist() == ["rsplit", "rsplit"]


def test_threshold_changes_flags():
    C = np.array([[6, 4], [0, 10]])  # precision of 1 = 10/14 = .71, recall of 0 = .6
    assert rms_permute(C, threshold=0.37).label_map == {}
    assert 0 in rms_permute(C, threshold=0.65).label_map


confusions = st.integers(0, 7).flatmap(
    lambda n: hnp.arrays(np.int64, (n, n), elements=st.integers(0, 12))
)


@settings(max_examples=150, deadline=None)
@given(confusions, st.sampled_from([0.2, 0.37, 0.5, 0.9]))
def test_rms_matches_literal_spec_and_is_permutation(C, tau):
    res = rms_permute(C, threshold=tau)
    order = res.permuted_labels  # labels default to 0..L-1
    assert sorted(order.tolist()) == list(range(C.shape[0]))
    np.testing.assert_array_equal(res.permuted_matrix, C[order][:, order])
    ref_order, ref_moves = naive_rms(C, tau)
    assert order.tolist() == ref_order
    assert res.label_map == ref_moves
    assert res.map_matrix.shape == (len(ref_moves), 4)
    assert res.map_type.tolist() == [t for _, t in ref_moves.values()]


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.int64, st.integers(0, 12), elements=st.integers(0, 50)))
def test_diagonal_confusion_left_alone(d):
    res = rms_permute(np.diag(d), labels=np.arange(len(d)) * 3 + 1)
    assert res.label_map == {}
    assert res.permuted_labels.tolist() == (np.arange(len(d)) * 3 + 1).tolist()
    np.testing.assert_array_equal(res.permuted_matrix, np.diag(d))


# -------------------------------------------------------------------------------- AMC
id_pairs = st.integers(1, 80).flatmap(
    lambda n: st.tuples(
        hnp.arrays(np.int64, n, elements=st.integers(0, 7)),
        hnp.arrays(np.int64, n, elements=st.integers(0, 5)),
    )
)


@settings(max_examples=150, deadline=None)
@given(id_pairs)
def test_amc_properties(pair):
    pred, ref = pair
    pred0, ref0 = pred.copy(), ref.copy()
    aligned, C, labels = amc(pred, ref)
    # inputs untouched, partition unchanged
    np.testing.assert_array_equal(pred, pred0)
    np.testing.assert_array_equal(ref, ref0)
    assert adjusted_rand_score(pred, aligned) == 1.0
    assert same_partition(pred, aligned)
    # labels sorted, unique, cover every aligned value; C square over them
    assert np.all(np.diff(labels) > 0)
    assert np.isin(aligned, labels).all()
    assert C.shape == (len(labels), len(labels))
    # C recounted by brute force on the unmasked rows
    known = ref != 0
    brute = (
        (ref[known][:, None, None] == labels[None, :, None])
        & (aligned[known][:, None, None] == labels[None, None, :])
    ).sum(axis=0)
    np.testing.assert_array_equal(C, brute)
    # Hungarian optimality: the diagonal is a maximum-weight assignment
    if C.size:
        r, c = linear_sum_assignment(C, maximize=True)
        assert np.trace(C) == C[r, c].sum()


def test_amc_ties_keep_own_label():
    # reference 2 overlaps predictions 1 and 2 (shifted) equally: among optimal
    # assignments the one keeping prediction 2 at label 2 is chosen
    pred = np.array([2, 3, 1, 3, 2, 0])
    ref = np.array([1, 3, 2, 0, 3, 2])
    aligned, C, labels = amc(pred, ref)
    assert labels.tolist() == [1, 2, 3, 4]
    assert aligned.tolist() == [1, 3, 2, 3, 1, 4]


def test_amc_masked_only_labels_are_kept():
    ref = np.array([1, 1, 2, 2, 0, 0, 0])
    pred = np.array([0, 0, 1, 1, 1, 6, 9])  # 6 and 9 appear only in masked rows
    aligned, C, labels = amc(pred, ref)
    assert same_partition(pred, aligned)
    assert aligned[:5].tolist() == [1, 1, 2, 2, 2]
    assert aligned[5] != aligned[6]
    assert {int(aligned[5]), int(aligned[6])} == {3, 4}  # fresh labels after max(union)
    assert labels.tolist() == [1, 2, 3, 4]
    assert C.tolist() == [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_amc_all_masked_and_empty():
    aligned, C, labels = amc([2, 2, 0], [0, 0, 0])
    assert same_partition(np.array([2, 2, 0]), aligned)
    assert C.shape == (2, 2) and C.sum() == 0
    aligned, C, labels = amc([], [])
    assert aligned.shape == (0,) and C.shape == (0, 0) and labels.shape == (0,)


# ------------------------------------------------------------------------------ chain
def test_chain_nested_hierarchy_spread():
    Z = nested_hierarchy(3000, [2, 4, 8, 16, 32, 64], seed=0)
    Z0 = Z.copy()
    before = id_spread(Z)
    assert before > 2.0
    for sort_children in (True, False):
        out = rms_chain(Z, sort_children=sort_children)
        np.testing.assert_array_equal(Z, Z0)
        for j in range(Z.shape[1]):
            assert same_partition(Z[:, j], out[:, j])
            assert adjusted_rand_score(Z[:, j], out[:, j]) == 1.0
            assert np.unique(out[:, j]).tolist() == list(range(len(np.unique(Z[:, j]))))
        assert id_spread(out) == 1.0
        np.testing.assert_array_equal(id_spread_per_level(out), np.ones(5))


def test_chain_coarsest_by_size_then_first_occurrence():
    Z = np.array([[7, 0], [3, 1], [3, 1], [9, 2], [7, 0], [9, 2]])
    out = rms_chain(Z)
    # sizes: 7 -> 2, 3 -> 2, 9 -> 2 ; first occurrence 7, 3, 9
    assert out[:, 0].tolist() == [0, 1, 1, 2, 0, 2]
    assert out[:, 1].tolist() == out[:, 0].tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 60).flatmap(lambda n: hnp.arrays(np.int64, (n, 4), elements=st.integers(0, 6)))
)
def test_chain_never_changes_partition(Z):
    out = rms_chain(Z)
    for j in range(Z.shape[1]):
        assert same_partition(Z[:, j], out[:, j])
        assert out[:, j].min() == 0 and out[:, j].max() == len(np.unique(Z[:, j])) - 1
    # final sort: children of each (majority) parent are consecutive by construction
    assert id_spread(out) == 1.0
    # label-free: renaming the ids of any column (injectively) changes nothing
    rng = np.random.default_rng(int(Z.sum()))
    renamed = np.stack([rng.permutation(20)[Z[:, j]] * 3 + j for j in range(Z.shape[1])], axis=1)
    np.testing.assert_array_equal(rms_chain(renamed), out)
    y = Z[:, 0] % 3
    np.testing.assert_array_equal(align_to_labels(renamed, y), align_to_labels(Z, y))
    np.testing.assert_array_equal(align_to(renamed[:, 1], Z[:, 2]), align_to(Z[:, 1], Z[:, 2]))


def test_chain_on_digits():
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.datasets import load_digits

    X = load_digits().data
    ks = [2, 4, 8, 16, 32]
    km = np.stack([KMeans(k, n_init=1, random_state=0).fit_predict(X) for k in ks], axis=1)
    ag = np.stack([AgglomerativeClustering(k).fit_predict(X) for k in ks], axis=1)
    for Z in (km, ag):
        before = id_spread(Z)
        out = rms_chain(Z)
        rms_only = rms_chain(Z, sort_children=False)
        assert before > 1.5
        assert id_spread(out) == 1.0
        assert id_spread(rms_only) < 1.0 + 0.5 * (before - 1.0)
        for j in range(Z.shape[1]):
            assert adjusted_rand_score(Z[:, j], out[:, j]) == 1.0


def test_id_spread_values():
    assert id_spread_per_level(np.array([[0, 0], [0, 2], [1, 1]])).tolist() == [1.25]
    # gaps in id values are ignored (ids taken by rank)
    assert id_spread(np.array([[0, 0], [0, 10], [1, 20]])) == 1.0
    assert np.isnan(id_spread(np.zeros((4, 1), dtype=int)))
    assert id_spread_per_level(np.zeros((4, 1), dtype=int)).shape == (0,)


# ------------------------------------------------------------------------- supervised
def test_align_to_labels_orders_by_class():
    y = np.repeat(["a", "b", "c"], 20)
    ids = np.repeat([4, 0, 1, 2], [20, 10, 10, 20])  # class b split into clusters 0, 1
    out = align_to_labels(ids, y)
    assert same_partition(ids, out)
    # a -> 0 ; the two b clusters -> {1, 2} ; c -> 3
    assert out[:20].tolist() == [0] * 20
    assert set(out[20:40].tolist()) == {1, 2}
    assert out[40:].tolist() == [3] * 20


def test_align_to_labels_mask_and_2d():
    rng = np.random.default_rng(0)
    y = np.repeat([10.0, 20.0, 30.0], 30)
    mask = rng.random(90) < 0.7
    y_masked = y.copy()
    y_masked[~mask] = np.nan  # unknown rows may hold anything
    col = np.repeat([2, 0, 1], 30)
    ids = np.stack([col, (col + 1) % 3], axis=1)
    out = align_to_labels(ids, y_masked, mask=mask)
    assert out.shape == ids.shape
    for j in range(2):
        assert out[:, j].tolist() == np.repeat([0, 1, 2], 30).tolist()
    with pytest.raises(ValueError, match="NaN"):
        align_to_labels(col, y_masked)
    with pytest.raises(ValueError, match="boolean"):
        align_to_labels(col, y, mask=mask.astype(int))


def test_align_to():
    ref = np.repeat([0, 1, 2], 10)
    perm = np.array([2, 0, 1])
    np.testing.assert_array_equal(align_to(perm[ref], ref), ref)
    # a new cluster (split of ref 1) gets a fresh id max(ref) + 1
    pred = np.repeat([5, 3, 8, 1], [10, 6, 4, 10])
    out = align_to(pred, ref)
    assert out.tolist() == [0] * 10 + [1] * 6 + [3] * 4 + [2] * 10
    # two fresh clusters get max(ref)+1, +2 in RMS order
    pred = np.repeat([0, 1, 2, 3, 4], [10, 6, 4, 7, 3])
    out = align_to(pred, ref)
    assert same_partition(pred, out)
    assert sorted(np.unique(out).tolist()) == [0, 1, 2, 3, 4]
    assert out[:10].tolist() == [0] * 10
    assert set(out[10:].tolist()) - {3, 4} == {1, 2}


def test_align_to_zero_overlap_match_is_fresh():
    # ref has three clusters, pred only covers two of them with two clusters each
    ref = np.repeat([0, 1, 2], [10, 10, 10])
    pred = np.repeat([0, 1, 2, 3], [5, 5, 10, 10])
    out = align_to(pred, ref)
    assert same_partition(pred, out)
    assert set(out[:10].tolist()) <= {0, 3}
    assert out[10:20].tolist() == [1] * 10
    assert out[20:].tolist() == [2] * 10
    assert out[:5].tolist() != out[5:10].tolist()


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: amc([0, 1], [1, 1, 1]), "same number of rows"),
        (lambda: amc([0.5, 1], [1, 1]), "non-integer"),
        (lambda: amc([0, -1], [1, 1]), "negative"),
        (lambda: amc([0, np.nan], [1, 1]), "NaN"),
        (lambda: amc(["a", "b"], [1, 1]), "integer cluster ids"),
        (lambda: amc([[0, 1]], [1]), "1-D"),
        (lambda: rms_permute(np.ones((2, 3))), "square"),
        (lambda: rms_permute(np.ones(3)), "2-D"),
        (lambda: rms_permute(np.ones((2, 2, 2))), "2-D"),
        (lambda: rms_permute([[1, -1], [0, 1]]), "non-negative"),
        (lambda: rms_permute([[1, np.nan], [0, 1]]), "NaN"),
        (lambda: rms_permute(np.eye(2), labels=[1, 2, 3]), "labels"),
        (lambda: rms_permute(np.eye(2), labels=[1, 1]), "unique"),
        (lambda: rms_permute(np.eye(2), threshold=1.5), "threshold"),
        (lambda: rms_order(3, {0: 5}), "out of range"),
        (lambda: rms_chain(np.arange(5)), "2-D"),
        (lambda: rms_chain(np.array([[0.0, np.nan]])), "NaN"),
        (lambda: id_spread(np.arange(5)), "2-D"),
        (lambda: align_to_labels(np.zeros((3, 2, 1), int), [0, 1, 2]), "1-D or 2-D"),
        (lambda: align_to_labels([0, 1], [0, 1, 2]), "same number of rows"),
        (lambda: align_to([0, 1], [0]), "same number of rows"),
        (lambda: align_to([0, 1], [0, -3]), "negative"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_float_integral_ids_accepted_and_not_mutated():
    Z = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 2.0]])
    Z0 = Z.copy()
    out = rms_chain(Z)
    np.testing.assert_array_equal(Z, Z0)
    assert out.dtype == np.int64
    C = np.array([[50, 0, 0], [50, 0, 0], [0, 0, 50]])
    C0 = C.copy()
    rms_permute(C)
    np.testing.assert_array_equal(C, C0)


def test_lookup_table_and_sorting_paths_agree(monkeypatch):
    rng = np.random.default_rng(3)
    Z = nested_hierarchy(500, [2, 5, 12, 30], seed=1)
    Z[rng.random(500) < 0.2, 2] = 0
    pred, ref = rng.integers(0, 9, 300), rng.integers(0, 6, 300)
    y = rng.integers(0, 4, 500)
    fast = (rms_chain(Z), amc(pred, ref), align_to(pred, ref), align_to_labels(Z, y))
    monkeypatch.setattr(rms, "_use_lut", lambda *args: False)
    slow = (rms_chain(Z), amc(pred, ref), align_to(pred, ref), align_to_labels(Z, y))
    np.testing.assert_array_equal(fast[0], slow[0])
    for a, b in zip(fast[1], slow[1], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fast[2], slow[2])
    np.testing.assert_array_equal(fast[3], slow[3])
    # huge id values take the sorting path on their own and give the same answer
    big = Z.astype(np.int64) * 10**9 + 7
    np.testing.assert_array_equal(rms_chain(big), fast[0])
    np.testing.assert_array_equal(id_spread_per_level(big), id_spread_per_level(Z))


@pytest.mark.parametrize("lut", [True, False])
def testmajority_parent_ties_go_to_smallest_parent(monkeypatch, lut):
    monkeypatch.setattr(rms, "_use_lut", lambda *args: lut)
    child = np.array([0, 0, 1, 1, 1, 2, 2, 2])
    parent = np.array([2, 1, 0, 2, 2, 3, 1, 3])
    assert rms.majority_parent(child, parent, 3).tolist() == [1, 2, 3]


def test_docstring_examples():
    result = doctest.testmod(rms, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
