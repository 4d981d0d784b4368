"""One matrix of input forms against every estimator: same values → bit-identical
results, or a clear error; never a silent NaN.

Reproducer data of the robustness issue: ``make_blobs(200, 5, centers=4)`` with
``y = X[:, 0] + 0.5 · blob + noise``.
"""

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.datasets import make_blobs

from gramixc import ConfigurationExtractor, Fusion, GraMixC, GraMixCClassifier, GraMixCRegressor

FAST = Fusion(max_epochs=8)


@pytest.fixture(scope="module")
def data():
    X, lab = make_blobs(n_samples=200, n_features=5, centers=4, random_state=0)
    y = X[:, 0] + 0.5 * lab + np.random.default_rng(0).normal(size=200) * 0.3
    return X, y, lab


def _forms(X):
    """The same values in every container and layout a user may pass."""
    return {
        "numpy C": np.ascontiguousarray(X),
        "numpy F": np.asfortranarray(X),
        "pandas": pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]),
        "polars": pl.DataFrame({f"f{j}": X[:, j] for j in range(X.shape[1])}),
        "numpy strided view": np.repeat(X, 2, axis=1)[:, ::2],
    }


def _outputs(make, X, y, X_new):
    est = make()
    if isinstance(est, ConfigurationExtractor):
        est.fit(X)
        return [est.configurations_.ids, est.transform(X_new)]
    if isinstance(est, GraMixC):
        return [est.fit_transform(X, y), est.transform(X_new)]
    est.fit(X, y)
    out = [est.predict(X_new)]
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(X_new))
    return out


ESTIMATORS = {
    "extractor": lambda: ConfigurationExtractor(random_state=0),
    "GraMixC": lambda: GraMixC(random_state=0),
    "GraMixC fusion": lambda: GraMixC(features="fusion", fusion=FAST, random_state=0),
    "regressor": lambda: GraMixCRegressor(fusion=FAST, random_state=0),
    "classifier": lambda: GraMixCClassifier(fusion=FAST, random_state=0),
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_every_input_form_gives_identical_results(data, name):
    X, y, lab = data
    X = X.astype(np.float32).astype(np.float64)  # exactly representable in every form
    target = lab if name == "classifier" else y
    new_forms = _forms(X[:20] + 0.1)
    ref = None
    for form, Xf in _forms(X).items():
        out = _outputs(ESTIMATORS[name], Xf, target, new_forms[form])
        if ref is None:
            ref = out
            continue
        for a, b in zip(ref, out):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=form)


@pytest.mark.parametrize("name", ["GraMixC", "extractor", "regressor"])
def test_n_jobs_does_not_change_results(data, name):
    X, y, _ = data
    outs = []
    for n_jobs in (1, 2):
        est = ESTIMATORS[name]()
        est.set_params(n_jobs=n_jobs)
        outs.append(_outputs(lambda est=est: est, X, y, X[:20] + 0.1))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_far_out_of_range_rows_are_finite(data, name):
    # 1e40 overflowed float32 inside the networks: NaN predictions (class 0 for all-NaN)
    X, y, lab = data
    target = lab if name == "classifier" else y
    X_new = X[:3].copy()
    X_new[0, 0] = 1e40
    X_new[1, 2] = -1e200
    for out in _outputs(ESTIMATORS[name], X, target, X_new):
        assert np.all(np.isfinite(np.asarray(out, dtype=float))), name
    if name == "classifier":
        est = ESTIMATORS[name]().fit(X, lab)
        far = np.vstack([X[:1] * 0 + X[lab == 3].mean(axis=0)] * 2)
        far[1, 0] = 1e40  # far beyond blob 3 along feature 0: the clipped row's class
        clipped = far.copy()
        clipped[1, 0] = X[:, 0].max()
        np.testing.assert_array_equal(est.predict_proba(far)[1], est.predict_proba(clipped)[1])


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_values_whose_square_overflows_are_a_clear_error_at_fit(data, name):
    X, y, lab = data
    X = X.copy()
    X[5, 3] = 1e200
    target = lab if name == "classifier" else y
    with pytest.raises(ValueError, match=r"column 3 has a value of magnitude 1e\+200.*Rescale"):
        _outputs(ESTIMATORS[name], X, target, X[:3])
    named = pd.DataFrame(X, columns=list("abcde"))
    with pytest.raises(ValueError, match="column 'd'"):
        _outputs(ESTIMATORS[name], named, target, named.iloc[:3])


def test_int_and_bool_inputs_equal_their_float_values(data):
    X, y, _ = data
    Xi = np.round(X * 10).astype(np.int64)
    a = GraMixC(random_state=0).fit_transform(Xi, y)
    b = GraMixC(random_state=0).fit_transform(Xi.astype(float), y)
    np.testing.assert_array_equal(a, b)
    Xb = np.column_stack([X, X[:, :2] > 0])
    c = GraMixC(random_state=0).fit_transform(Xb, y)
    d = GraMixC(random_state=0).fit_transform(Xb.astype(float), y)
    np.testing.assert_array_equal(c, d)


def test_callers_data_is_never_modified(data):
    X, y, _ = data
    Xf = np.asfortranarray(X.copy())
    df = pd.DataFrame(X.copy())
    before = (Xf.copy(), df.copy(), y.copy())
    GraMixC(random_state=0).fit_transform(Xf, y)
    GraMixC(random_state=0).fit_transform(df, y)
    np.testing.assert_array_equal(Xf, before[0])
    pd.testing.assert_frame_equal(df, before[1])
    np.testing.assert_array_equal(y, before[2])


def test_boolean_columns_are_numbers_in_every_container(data):
    X, y, _ = data
    df = pd.DataFrame(X, columns=list("abcde"))
    df["flag"] = X[:, 1] > 0
    ref = GraMixC(random_state=0).fit_transform(df.astype(float), y)
    np.testing.assert_array_equal(GraMixC(random_state=0).fit_transform(df, y), ref)
    got = GraMixC(random_state=0).fit_transform(pl.from_pandas(df), y)
    np.testing.assert_array_equal(np.asarray(got), ref)
    np.testing.assert_array_equal(
        GraMixC(random_state=0).fit_transform(df.to_numpy(dtype=float), y), ref)


def test_messages_name_the_problem(data):
    X, y, lab = data
    Xo = X.astype(object)
    Xo[3, 2] = "abc"
    with pytest.raises(ValueError, match=r"non-numeric columns: \['column 2'\]"):
        GraMixC().fit(Xo, y)
    with pytest.raises(ValueError, match=r"y must be numeric, got a non-numeric value 'b'.*"
                                         r"GraMixCClassifier"):
        GraMixCRegressor().fit(X, np.array(["1.5", "b"] * 100))
    lonely = lab.copy()
    lonely[0] = 9
    with pytest.warns(UserWarning, match=r"class\(es\) have a single row \(9\)"):
        GraMixC(random_state=0, task="classification").fit(X, lonely)


def test_a_constant_column_changes_nothing(data):
    X, y, _ = data
    Xc = np.column_stack([X[:, :2], np.full(len(X), 7.0), X[:, 2:]])
    a = ConfigurationExtractor(random_state=0).fit(X).configurations_.ids
    b = ConfigurationExtractor(random_state=0).fit(Xc).configurations_.ids
    np.testing.assert_array_equal(a, b)
    za = GraMixC(random_state=0).fit_transform(X, y)
    zb = GraMixC(random_state=0).fit_transform(Xc, y)
    np.testing.assert_array_equal(za[:, X.shape[1]:], zb[:, Xc.shape[1]:])


def test_duplicate_rows_give_the_configurations_of_the_deduplicated_data(data):
    # every row twice: the zero distances used to pull each row's whole weight to its
    # twin (best ARI against the blobs 1.000 -> 0.382) and the estimators then failed
    from sklearn.metrics import adjusted_rand_score

    X, y, lab = data
    once = ConfigurationExtractor(random_state=0).fit(X)
    twice = ConfigurationExtractor(random_state=0).fit(np.vstack([X, X]))
    np.testing.assert_array_equal(twice.configurations_.ids,
                                  np.vstack([once.configurations_.ids] * 2))
    assert twice.duplicate_map_ is not None and once.duplicate_map_ is None
    assert max(adjusted_rand_score(lab, twice.configurations_[j][:200])
               for j in range(len(twice.configurations_))) == 1.0
    # neighbours are training rows: a row's twin is its nearest (distance 0), self excluded
    d, i = twice.kneighbors()
    assert i.shape == (400, twice.k) and np.all(i[:200, 0] == np.arange(200, 400))
    assert np.all(d[:, 0] < 1e-6) and not np.any(i == np.arange(400)[:, None])
    np.testing.assert_array_equal(twice.transform(X[:20] + 0.01), once.transform(X[:20] + 0.01))
    resampled = twice.resample([0], n_seeds=1, random_state=0)[0]
    np.testing.assert_array_equal(resampled[:200], resampled[200:])
    # the supervised estimators work on it
    for est in (GraMixC(random_state=0), GraMixCRegressor(fusion=FAST, random_state=0)):
        est.fit(np.vstack([X, X]), np.concatenate([y, y]))


def test_too_few_distinct_rows_is_named(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="only 5 distinct rows among 200"):
        ConfigurationExtractor(random_state=0).fit(np.repeat(X[:5], 40, axis=0))
