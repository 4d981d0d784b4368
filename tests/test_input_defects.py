"""The library-level defects a probe of new inputs found (issue 23, item 5): each case
below failed, hung or was silently wrong before the 1.0 core."""

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from gramixc import ConfigurationExtractor, Fusion, GraMixC, GraMixCRegressor


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 4))
    y = X[:, 0] + 0.5 * np.sign(X[:, 1]) + 0.1 * rng.normal(size=160)
    return X, y


# --------------------------------------------------------------- fit parameters
@pytest.mark.parametrize("kw, word", [({"group": np.zeros(160)}, "group"),
                                      ({"sample_weight": np.ones(160)}, "sample_weight"),
                                      ({"groupz": 1}, "groupz")])
def test_unknown_fit_parameters_raise_instead_of_being_dropped(data, kw, word):
    X, y = data
    with pytest.raises(TypeError, match=word):
        GraMixC(random_state=0).fit_transform(X, y, **kw)
    with pytest.raises(TypeError, match=word):
        GraMixC(random_state=0).fit(X, y, **kw)
    # in a pipeline, a typo of gramixc__groups would switch the grouped folds off silently
    pipe = make_pipeline(GraMixC(random_state=0), Ridge())
    with pytest.raises(TypeError, match=word):
        pipe.fit(X, y, **{f"gramixc__{k}": v for k, v in kw.items()})
    with pytest.raises(TypeError, match=word):
        GraMixCRegressor(fusion=None).fit(X, y, **kw)


# --------------------------------------------------------------- output names
def test_added_column_names_never_repeat_an_input_name(data):
    X, y = data
    kw = dict(random_state=0, features="neighbors+clusters", n_configurations=2)
    # input columns named like GraMixC's own added columns (an earlier GraMixC's output)
    names = list(GraMixC(**kw).fit(X, y).get_feature_names_out()[4:8])
    df = pd.DataFrame(X, columns=names)
    g = GraMixC(**kw).set_output(transform="pandas")
    out = g.fit_transform(df, y)
    assert out.columns.is_unique and list(out.columns[:4]) == names
    g.set_output(transform="polars")
    assert g.transform(pl.DataFrame(X[:5], schema=names)).width == out.shape[1]


def test_two_gramixc_in_one_pipeline_give_unique_columns(data):
    X, y = data
    first = GraMixC(random_state=0, features="neighbors", n_configurations=2)
    second = GraMixC(random_state=1, features="neighbors", n_configurations=2)
    pipe = make_pipeline(first, second).set_output(transform="polars")
    out = pipe.fit_transform(pl.DataFrame(X, schema=list("abcd")), y)
    assert len(set(out.columns)) == out.width
    assert any(c.endswith("_1") for c in out.columns)  # the second's repeats, renamed


# --------------------------------------------------------------- scale
def test_values_too_small_to_square_are_an_error_at_once():
    X = np.random.default_rng(0).normal(size=(300, 5)) * 1e-200
    with pytest.raises(ValueError, match="underflows float64.*multiply by 1e\\+200"):
        ConfigurationExtractor().fit(X)  # used to hang in Leiden for 10+ minutes
    with pytest.raises(ValueError, match="column 0 varies"):
        GraMixC().fit(X, np.arange(300.0))
    # tiny but squarable values work like any other scale
    Xs = np.random.default_rng(0).normal(size=(300, 5)) * 1e-100
    ids = ConfigurationExtractor(random_state=0).fit(Xs).configurations_.ids
    ref = ConfigurationExtractor(random_state=0).fit(Xs * 1e100).configurations_.ids
    assert ids.shape[1] >= 1 and ref.shape[1] >= 1


# --------------------------------------------------------------- many classes
def test_many_classes_bound_the_columns_and_use_a_forest_reference():
    from sklearn.ensemble import RandomForestClassifier

    from gramixc.gate import default_reference
    from gramixc.mixing import CLASS_COLUMNS

    rng = np.random.default_rng(0)
    C, n = 40, 600
    y = rng.integers(0, C, n)
    X = rng.normal(size=(C, 4))[y] * 3 + rng.normal(size=(n, 4))
    g = GraMixC(random_state=0, task="classification", features="clusters")
    Z = g.fit_transform(X, y)
    # one configuration's 40 class fractions, not 16 × 40 = 640 columns
    assert len(g.selected_) == max(1, CLASS_COLUMNS // C) == 1
    assert Z.shape[1] == 4 + C
    # gradient boosting grows one tree per class and step; a forest one per step
    assert isinstance(default_reference("classification", 0, n_classes=C),
                      RandomForestClassifier)
    assert not isinstance(default_reference("classification", 0, n_classes=10),
                          RandomForestClassifier)


# --------------------------------------------------------------- containers and messages
@pytest.mark.parametrize("make, match", [
    (lambda X: pd.Series(X[:, 0]), "2-D X.*to_frame"),
    (lambda X: pl.DataFrame(X).lazy(), "LazyFrame: collect it first"),
])
def test_containers_that_are_not_tables_get_a_clear_error(data, make, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        GraMixC().fit(make(X), y)


def test_object_columns_of_numbers_are_numbers_whatever_the_container(data):
    X, y = data
    df = pd.DataFrame(X, columns=list("abcd")).astype({"a": object})
    kw = dict(random_state=0, features="neighbors", n_configurations=2)
    np.testing.assert_array_equal(GraMixC(**kw).fit_transform(df, y),
                                  GraMixC(**kw).fit_transform(X.astype(object), y))
    df["b"] = ["NA"] + df["b"].astype(str).tolist()[1:]
    with pytest.raises(ValueError, match=r"\['b'\] \(b: missing values written as \['NA'\]"):
        GraMixC(**kw).fit(df, y)


def test_target_problems_are_named(data):
    X, y = data
    labels = np.array(["a", None, "b", "c"] * 40, dtype=object)
    with pytest.raises(ValueError, match="missing value.*row 1"):
        GraMixC().fit(X, labels)
    # an object array of floats is a numeric target: regression, as the floats would be
    g = GraMixC(random_state=0, features="neighbors", n_configurations=2)
    g.fit(X, y.astype(object))
    assert g.task_ == "regression"


def test_numbers_with_a_few_odd_cells_are_not_one_class_per_number(data):
    X, _ = data
    y = np.random.default_rng(2).poisson(50, size=len(X)).astype(str).astype(object)
    y[3] = "n/a"
    with pytest.raises(ValueError, match=r"numbers except 1 cell\(s\) \(e.g. 'n/a' at row 3\)"):
        GraMixC().fit(X, y)
    # labels stay labels: few distinct values, or mostly not numbers
    few = np.where(np.arange(len(X)) % 2 == 0, "1", "x").astype(object)
    g = GraMixC(random_state=0, features="neighbors", n_configurations=2).fit(X, few)
    assert g.task_ == "classification"


def test_an_integer_target_with_many_values_is_regression(data):
    X, _ = data
    counts = np.random.default_rng(1).poisson(50, size=len(X))
    g = GraMixC(random_state=0, features="neighbors", n_configurations=2).fit(X, counts)
    assert g.task_ == "regression" and "distinct values" in g.task_reason_
    few = GraMixC(random_state=0, features="neighbors", n_configurations=2)
    assert few.fit(X, counts % 3).task_ == "classification"
    forced = GraMixC(task="classification", features="neighbors", n_configurations=2,
                     random_state=0)
    with pytest.warns(UserWarning, match=r"class\(es\) have a single row \(\d+, "):
        assert forced.fit(X, counts).task_ == "classification"


# --------------------------------------------------------------- dask
def test_dask_dataframe_columns_are_checked_and_empty_chunks_work(data):
    dd = pytest.importorskip("dask.dataframe")
    da = pytest.importorskip("dask.array")
    import dask

    X, y = data
    df = pd.DataFrame(X, columns=list("abcd"))
    g = GraMixC(random_state=0, features="neighbors", n_configurations=2).fit(df, y)
    with dask.config.set(scheduler="synchronous"):
        good = g.transform(dd.from_pandas(df, npartitions=3)).compute()
        np.testing.assert_allclose(good, g.transform(df))
        with pytest.raises(ValueError, match="feature names should match"):
            g.transform(dd.from_pandas(df[list("badc")], npartitions=3))
        # unknown chunk sizes with an empty chunk
        arr = da.from_array(X, chunks=(40, 4))
        arr = arr[arr[:, 0] > -10.0]  # boolean indexing: chunk sizes unknown
        arr = da.concatenate([arr, da.zeros((0, 4), chunks=(0, 4))])
        out = g.transform(arr).compute()
        np.testing.assert_allclose(out, g.transform(X))


def test_dask_predict_checks_columns_and_takes_empty_chunks(data):
    # predict / predict_proba share transform's chunk-wise path: the same two defects
    dd = pytest.importorskip("dask.dataframe")
    da = pytest.importorskip("dask.array")
    pytest.importorskip("torch")
    import dask

    from gramixc import GraMixCClassifier

    X, y = data
    labels = (y > np.median(y)).astype(int)
    df = pd.DataFrame(X, columns=list("abcd"))
    for est, target in ((GraMixCRegressor(random_state=0, n_configurations=2, fusion=None), y),
                        (GraMixCClassifier(random_state=0, n_configurations=2, fusion=None),
                         labels)):
        est.fit(df, target)
        with dask.config.set(scheduler="synchronous"):
            got = np.asarray(est.predict(dd.from_pandas(df, npartitions=3)).compute())
            np.testing.assert_allclose(got, est.predict(df), rtol=1e-6, atol=1e-6)
            with pytest.raises(ValueError, match="feature names should match"):
                est.predict(dd.from_pandas(df[list("badc")], npartitions=3))
            arr = da.from_array(X, chunks=(40, 4))
            arr = da.concatenate([arr[arr[:, 0] > -10.0], da.zeros((0, 4), chunks=(0, 4))])
            got = np.asarray(est.predict(arr).compute())
            np.testing.assert_allclose(got, est.predict(X), rtol=1e-6, atol=1e-6)
            if hasattr(est, "predict_proba"):
                p = np.asarray(est.predict_proba(arr).compute())
                np.testing.assert_allclose(p, est.predict_proba(X), rtol=1e-6, atol=1e-6)


def test_fusion_none_means_no_network(data):
    X, y = data
    with pytest.raises(ValueError, match="fusion=None"):
        GraMixC(features="fusion").fit(X, y)
    g = GraMixC(random_state=0, n_configurations=2).fit(X, y)
    assert g.fold_models_ == [] and "fusion" not in g.gate_report_.candidates
    g = GraMixC(random_state=0, n_configurations=2, fusion=Fusion(max_epochs=3)).fit(X, y)
    assert {"fusion", "all"} <= set(g.gate_report_.candidates)
