import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.pipeline import make_pipeline as sklearn_make_pipeline
from sklearn.preprocessing import StandardScaler

from gramixc import GraMixC, make_pipeline


def _sine(n, seed):
    # a target a linear model cannot bend to, but whose neighbours' targets carry it
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 2))
    return X, np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=n)


def test_the_gramixc_step_is_judged_by_a_copy_of_the_steps_after_it():
    g, scaler, ridge = GraMixC(random_state=0), StandardScaler(), Ridge(alpha=3.0)
    pipe = make_pipeline(g, scaler, ridge)
    judge = pipe[0].reference_estimator
    assert isinstance(judge, Pipeline)
    assert [type(s) for _, s in judge.steps] == [StandardScaler, Ridge]
    assert judge[-1].alpha == 3.0 and judge[-1] is not ridge and judge[0] is not scaler
    # the caller's step is not modified; the pipeline holds its configured clone
    assert g.reference_estimator is None and pipe[0] is not g
    assert pipe[1] is scaler and pipe[2] is ridge
    assert list(pipe.named_steps) == ["gramixc", "standardscaler", "ridge"]
    # one model after it: that model itself (a copy), not a one-step pipeline
    single = make_pipeline(GraMixC(), Ridge(alpha=2.0))[0].reference_estimator
    assert isinstance(single, Ridge) and single.alpha == 2.0


def test_a_reference_you_set_is_kept():
    mine = Ridge(alpha=7.0)
    pipe = make_pipeline(GraMixC(reference_estimator=mine), Ridge())
    assert pipe[0].reference_estimator is mine


def test_without_a_predictor_after_it_the_error_says_what_to_do():
    with pytest.raises(ValueError, match="needs a predictor after it.*nothing"):
        make_pipeline(StandardScaler(), GraMixC())
    with pytest.raises(ValueError, match="StandardScaler.*reference_estimator"):
        make_pipeline(GraMixC(), StandardScaler())


def test_judged_by_ridge_the_columns_a_tree_refuses_are_kept_and_ridge_gains():
    X, y = _sine(400, 0)
    Xt, yt = _sine(400, 1)
    plain = sklearn_make_pipeline(GraMixC(random_state=0), StandardScaler(), Ridge()).fit(X, y)
    judged = make_pipeline(GraMixC(random_state=0), StandardScaler(), Ridge()).fit(X, y)
    # the stand-in judge (gradient boosting) fits the sine from X and refuses every set
    assert plain[0].feature_set_ == "none"
    assert judged[0].feature_set_ != "none"
    assert judged.score(Xt, yt) > plain.score(Xt, yt) + 0.5


def test_the_pipeline_clones_and_refits_like_any_other():
    X, y = _sine(200, 2)
    pipe = make_pipeline(GraMixC(random_state=0), Ridge())
    a = clone(pipe).fit(X, y).predict(X[:5])
    b = clone(pipe).fit(X, y).predict(X[:5])
    np.testing.assert_array_equal(a, b)
