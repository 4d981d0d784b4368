"""The 1.0 core's structural promises, checked: small estimators module, short functions in
the supervised core, few parameters, each public option documented in the option table."""

import ast
import inspect
import pathlib

import gramixc
from gramixc import ConfigurationExtractor, GraMixC, GraMixCClassifier, GraMixCRegressor

PACKAGE = pathlib.Path(gramixc.__file__).parent
DOCS = PACKAGE.parent / "docs"
#: the supervised core: the estimators and every step they are made of
CORE = ("estimators", "_estimator_base", "crossfit", "mixing", "fusion_steps", "fusion_settings",
        "blocks", "targets", "tokens", "gate", "target_stats", "target_metric")


def test_estimators_module_is_at_most_700_lines():
    assert len((PACKAGE / "estimators.py").read_text().splitlines()) <= 700


def test_no_function_of_the_supervised_core_is_longer_than_60_lines():
    long = []
    for mod in CORE:
        tree = ast.parse((PACKAGE / f"{mod}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                       and isinstance(body[0].value.value, str))
                start = body[1].lineno if doc and len(body) > 1 else body[0].lineno
                if node.end_lineno - start + 1 > 60:
                    long.append(f"{mod}.{node.name}: {node.end_lineno - start + 1} lines")
    assert not long, long


def test_parameter_counts():
    assert len(GraMixC().get_params(deep=False)) <= 12
    assert len(GraMixCRegressor().get_params(deep=False)) <= 12
    assert len(GraMixCClassifier().get_params(deep=False)) <= 12


def test_every_public_option_is_in_the_docs_option_table():
    text = (DOCS / "algorithms.md").read_text()
    table = text[text.index("## Options"):]
    for est in (GraMixC, GraMixCRegressor, GraMixCClassifier, ConfigurationExtractor,
                gramixc.Fusion):
        for name in inspect.signature(est).parameters:
            assert f"`{name}`" in table, f"{est.__name__}.{name} missing from the option table"
