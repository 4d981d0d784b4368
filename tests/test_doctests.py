"""Every module's docstring examples run (``python -m doctest`` semantics)."""

import doctest
import importlib
import pkgutil

import pytest

import gramixc

MODULES = sorted(m.name for m in pkgutil.iter_modules(gramixc.__path__, "gramixc."))


def test_every_module_is_listed():
    assert len(MODULES) >= 20 and "gramixc.estimators" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert res.failed == 0, f"{res.failed} of {res.attempted} doctest examples failed in {name}"
