import numpy as np
import pandas as pd
import polars as pl
import pytest

from gramixc.targets import MAX_INTEGER_CLASSES, check_target, encode_target, infer_task


@pytest.mark.parametrize("y, task", [
    (np.array(["a", "b", "a"]), "classification"),
    (np.array([True, False, True]), "classification"),
    (np.array([0.5, 1.5, 2.0]), "regression"),
    (np.array([25.0, 30.0, 25.0]), "regression"),            # whole numbers, float dtype
    (np.arange(MAX_INTEGER_CLASSES) % 7, "classification"),    # few integer codes
    (np.arange(MAX_INTEGER_CLASSES + 1), "regression"),        # more than 20 distinct
    (pd.Series(["x", "y"], dtype="category").to_numpy(), "classification"),
])
def test_one_rule_for_the_task(y, task):
    choice = infer_task(check_target(y))
    assert choice.task == task and choice.reason


def test_an_explicit_task_wins_and_says_so():
    choice = infer_task(np.arange(100), "classification")
    assert choice.task == "classification" and "set by task" in choice.reason
    with pytest.raises(ValueError, match="task must be"):
        infer_task(np.arange(3), "ordinal")


def test_check_target_containers_and_problems():
    np.testing.assert_array_equal(check_target(pl.Series([1.0, 2.0])), [1.0, 2.0])
    assert check_target(np.array([1.5, 2], dtype=object)).dtype == np.float64
    assert check_target(np.array([1, 2], dtype=object)).dtype == np.int64
    with pytest.raises(ValueError, match="y is None"):
        check_target(None)
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        check_target([1, 2], n_rows=3)
    with pytest.raises(ValueError, match="1-D"):
        check_target(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN or infinity.*row 1"):
        check_target(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="missing value"):
        check_target(np.array(["a", None], dtype=object))


def test_encode_target_keeps_the_users_labels_and_standardises_numbers():
    enc = encode_target(np.array(["dog", "cat", "dog", "cat"]), "classification")
    assert enc.classes.tolist() == ["cat", "dog"] and enc.values.tolist() == [1, 0, 1, 0]
    assert enc.n_outputs == 2 and enc.n_stats == 4
    with pytest.warns(UserWarning, match=r"single row \('bird'\)"):
        encode_target(np.array(["dog", "dog", "bird"]), "classification")
    reg = encode_target(np.array([1.0, 3.0]), "regression")
    assert reg.mean == 2.0 and reg.std == 1.0 and reg.values.tolist() == [-1.0, 1.0]
    with pytest.raises(ValueError, match="GraMixCClassifier"):
        encode_target(np.array(["1.0", "b"]), "regression")
    with pytest.raises(ValueError, match="at least 2 classes"):
        encode_target(np.array(["a", "a"]), "classification")
