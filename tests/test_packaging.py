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
        # gramixc is installed from its repository: the extra as `pip install ".[x]"`
        assert f'pip install ".[{extra}]"' in line and "gramixc[" not in line, line
    assert "pip install xgboost-cpu" in lines[2]


def test_version_comes_from_the_package_metadata():
    from importlib import metadata

    import gramixc

    assert gramixc.__version__ == metadata.version("gramixc")


def _requirements(extra: str, platform: str) -> set:
    """The distributions ``pip install ".[extra]"`` asks for on ``platform``, extras of
    gramixc itself resolved (from pyproject.toml, markers evaluated)."""
    from pathlib import Path

    import pytest
    from packaging.requirements import Requirement

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")

    meta = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    extras = meta["project"]["optional-dependencies"]
    env = {"sys_platform": platform, "platform_system": {"linux": "Linux", "darwin": "Darwin",
                                                         "win32": "Windows"}[platform],
           "extra": ""}
    names, todo = set(), [extra]
    while todo:
        for line in extras[todo.pop()]:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            if req.name == "gramixc":
                todo.extend(req.extras)
            else:
                names.add(req.name)
    return names


def test_cpu_extras_bring_xgboosts_cpu_build_and_no_cuda():
    # `pip install ".[all]"` pulled nvidia-nccl-cu12 (351 MB) onto a CPU machine through
    # the xgboost wheel; the CPU build is xgboost-cpu (no macOS wheel: xgboost there)
    for extra in ("xgboost", "all", "test", "bench"):
        for platform in ("linux", "win32"):
            names = _requirements(extra, platform)
            assert "xgboost-cpu" in names and "xgboost" not in names, (extra, platform)
            assert not any(n.startswith("nvidia") for n in names)
        names = _requirements(extra, "darwin")
        assert "xgboost" in names and "xgboost-cpu" not in names, extra
    # the CUDA build for a GPU machine, never together with the CPU build
    gpu = _requirements("gpu", "linux")
    assert "xgboost" in gpu and "xgboost-cpu" not in gpu and "torch" in gpu
