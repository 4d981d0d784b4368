"""The runnable examples run and write their plots.

``examples/quickstart.py`` runs as a script (``runpy``, with the output folder on the
command line), exactly as a user would start it. The 16S example takes about 45 s
(1 thread), so its test calls ``main(tmp, quick=True)``: the same code path — FASTA +
TSV round trip, species-grouped split, both pipelines, every plot — with 4-mers only and
shorter training.
"""

import os
import runpy
import sys
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_quickstart_script(tmp_path, monkeypatch, capsys):
    out = tmp_path / "quickstart"
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / "quickstart.py"), str(out)])
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    for name in ("digits_envelope.png", "digits_lineage.png", "cluster_regression_attention.png"):
        assert (out / name).stat().st_size > 10_000, name
    printed = capsys.readouterr().out
    assert "XGBoost alone" in printed and "GraMixC -> XGBoost" in printed
    assert "gramixc.make_pipeline(GraMixC(), …, Ridge())" in printed


def test_quickstart_ridge_judged_by_itself_gains():
    ns = runpy.run_path(str(EXAMPLES / "quickstart.py"))
    res = ns["ridge_judged_by_itself"]()
    assert res["chosen"] == "none" and res["chosen_judged"] != "none"
    assert res["r2_gramixc_ridge_judged"] > res["r2_ridge"] + 0.4


def test_16s_example_quick(tmp_path):
    ns = runpy.run_path(str(EXAMPLES / "16s_growth_temperature.py"))
    res = ns["main"](str(tmp_path), quick=True)
    expected = {"predicted_vs_actual", "lineage"}
    if res["fusion_trained"]:
        expected.add("attention")
    assert set(res["paths"]) == expected
    for path in res["paths"].values():
        assert os.path.getsize(path) > 10_000, path
    for key in ("r2_xgboost", "r2_gramixc_xgboost"):
        assert np.isfinite(res[key]) and res[key] <= 1.0


def test_dask_example():
    import pytest

    pytest.importorskip("distributed")
    ns = runpy.run_path(str(EXAMPLES / "dask_cluster.py"))
    res = ns["main"](n_samples=900)
    assert res["identical"] and np.isfinite(res["r2"]) and res["r2"] > 0.5
