"""The lean core install: configurations and GraMixC's default features without the
extras, and an ImportError naming the extra where one is needed. The extras are
blocked in a subprocess (an import hook), as if they were not installed."""

import subprocess
import sys
import textwrap

BLOCK = textwrap.dedent("""
    import sys
    BLOCKED = {"torch", "matplotlib", "xgboost", "networkx"}
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"No module named {name!r} (blocked by the test)")
    sys.meta_path.insert(0, Block())
""")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=300)


def test_core_runs_without_torch_matplotlib_xgboost_networkx():
    res = _run("""
        import numpy as np
        from gramixc import ConfigurationExtractor, GraMixC
        from gramixc.synthetic import make_hierarchical_blobs
        X, _, fine = make_hierarchical_blobs(n_super=3, n_sub=4, n_per_cluster=30,
                                             random_state=0)
        ext = ConfigurationExtractor(random_state=0).fit(X)
        assert len(ext.configurations_) > 1 and ext.transform(X[:5]).shape[0] == 5
        y = fine.astype(float)
        Z = GraMixC(random_state=0).fit_transform(X, y)
        assert Z.shape[0] == len(X)
        print("core ok", sorted(m for m in ("torch", "matplotlib", "xgboost", "networkx")
                                if m in sys.modules))
    """)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "core ok []" in res.stdout


def test_missing_extras_are_named():
    res = _run("""
        import numpy as np
        from gramixc import GraMixCRegressor
        from gramixc.synthetic import make_hierarchical_blobs
        X, _, fine = make_hierarchical_blobs(n_super=2, n_sub=3, n_per_cluster=20,
                                             random_state=0)
        for call in (lambda: GraMixCRegressor(random_state=0).fit(X, fine.astype(float)),
                     lambda: __import__("gramixc.plotting"),
                     lambda: __import__("gramixc.cli").cli._make_predictor("xgboost",
                                                                       "regression", 0)):
            try:
                call()
            except ImportError as err:
                print("ERR", err)
    """)
    assert res.returncode == 0, res.stderr[-3000:]
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("ERR")]
    assert len(lines) == 3, res.stdout
    for extra, line in zip(("torch", "plot", "xgboost"), lines):
        assert f'pip install "gramixc[{extra}]"' in line, line


def test_version_comes_from_the_package_metadata():
    from importlib import metadata

    import gramixc

    assert gramixc.__version__ == metadata.version("gramixc")
