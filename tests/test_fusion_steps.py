import numpy as np
import pytest

from gramixc import Fusion
from gramixc.fusion_settings import MAX_TOKEN_MODEL_ROWS, batch_size_for, training_rows
from gramixc.fusion_steps import fit_token_model, model_outputs, softmax, validation_rows
from gramixc.tokens import TokenLayout, get_tokenization


def test_softmax_rows_sum_to_one():
    p = softmax(np.array([[1000.0, 1000.0, 0.0], [0.0, 1.0, 2.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p[0, 2] < 1e-300 and np.all(np.diff(p[1]) > 0)


def test_one_rule_for_the_rows_a_network_trains_on():
    assert training_rows(10 * MAX_TOKEN_MODEL_ROWS, reads_features=True, seed=0) is None
    rows = training_rows(10_000, reads_features=False, seed=0)
    assert len(rows) == MAX_TOKEN_MODEL_ROWS and np.all(np.diff(rows) > 0)
    assert training_rows(100, reads_features=False, seed=0) is None
    assert batch_size_for("auto", 100) == 32 and batch_size_for("auto", 10**6) == 512
    assert batch_size_for(64, 10) == 64


def test_validation_rows_keep_groups_whole():
    groups = np.repeat(np.arange(20), 5)
    val = validation_rows(100, 0, groups)
    held = set(groups[val])
    assert all(np.isin(np.flatnonzero(np.isin(groups, list(held))), val))
    assert 2 <= len(validation_rows(100, 0)) < 100


def test_a_token_model_is_deterministic():
    pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    T = rng.normal(size=(200, 3, 3)).astype(np.float32)
    y = (T[:, 1, 0] > 0).astype(np.int64)
    layout = TokenLayout(get_tokenization("clusters"), (2, 3, 4), 3)
    settings = Fusion(max_epochs=5)
    rows = np.arange(150)
    runs = [fit_token_model(settings, layout, "classification", 2, y, rows, [T[rows]], seed=3)
            for _ in range(2)]
    outs = [model_outputs(m, [T[150:]], "cpu", 2, True, True) for m in runs]
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    assert outs[0][0].shape == (50, 1) and outs[0][1].shape == (50, 4)
    assert np.all((outs[0][0] >= 0) & (outs[0][0] <= 1))  # the positive class's probability
