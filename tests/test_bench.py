"""The benchmark runner (``benchmarks/suite.py``: application code outside the package)."""

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "benchmarks"))

import suite as bench  # noqa: E402
from suite import (  # noqa: E402
    BenchData,
    choose_metric,
    headline_table,
    run_dataset,
    summarize,
    write_report,
)


def test_run_dataset_rows_summary_and_report(tmp_path):
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    bd = BenchData("wine", X, y, "classification", None, note="178 rows")
    rows = run_dataset(bd, n_folds=2, predictors=("linear",), leaky=True, log=lambda m: None)
    variants = {r["variant"] for r in rows}
    assert {"alone", "+1 config", "+ids", "+soft", "+TE", "+GraMixC", "+kNN mean", "+Ward TE",
            "+TE leaky"} <= variants
    for r in rows:
        assert 0.0 <= r["accuracy"] <= 1.0 and r["log_loss"] > 0 and r["fit_s"] >= 0
    paper = [r for r in rows if r["variant"] == "+GraMixC paper"]
    assert paper and all(0.0 < r["attention_entropy"] <= 1.0 for r in paper)
    assert all(r["attention_entropy"] is None for r in rows if r["variant"] == "+GraMixC")
    summary = summarize(rows)
    alone = [s for s in summary if s["variant"] == "alone"][0]
    assert alone["delta"] == 0.0 and alone["n_folds"] == 2
    md = tmp_path / "bench.md"
    write_report(summary, {"wine": "178 rows"}, "python benchmarks/run.py --datasets wine", str(md),
                 str(tmp_path / "img"), 1.0)
    text = md.read_text()
    assert "python benchmarks/run.py --datasets wine" in text and "| linear | +GraMixC" in text
    assert "what leakage does" in text
    assert "## Headline" in text  # the headline needs xgboost rows; linear-only -> header only
    assert (tmp_path / "img" / "bench_wine.png").stat().st_size > 5000
    json.dumps(rows)  # raw rows are JSON-serialisable


def test_choose_metric_uses_training_rows_only():
    rng = np.random.default_rng(0)
    # rows are compositions: direction matters, length is noise -> cosine should win
    base = rng.dirichlet(np.ones(20), size=4)
    lab = rng.integers(0, 4, 200)
    X = base[lab] * rng.uniform(0.2, 5.0, size=(200, 1)) + 0.002 * rng.normal(size=(200, 20))
    metric, scores = choose_metric(X, lab.astype(float), "regression")
    assert set(scores) == {"cosine", "euclidean"}
    assert metric == "cosine"


def test_run_benchmarks_append_keeps_other_datasets(tmp_path, monkeypatch):
    def fake_run_dataset(bd, n_folds=5, seed=0, predictors=(), leaky=False, log=print,
                         gramixc_variants=()):
        score = 0.5 if bd.name == "wine" else 0.7
        return [{"dataset": bd.name, "predictor": "linear", "variant": v, "fold": f,
                 "task": "classification", "metric_used": "euclidean",
                 "accuracy": score + 0.01 * (v != "alone"),
                 "log_loss": 1.0, "fit_s": 0.0, "predict_s": 0.0}
                for f in range(2) for v in ("alone", "+ids")]

    monkeypatch.setattr(bench, "run_dataset", fake_run_dataset)
    raw, md = tmp_path / "raw.json", tmp_path / "bench.md"
    kw = dict(n_folds=2, out_md=str(md), img_dir=str(tmp_path / "img"), raw_path=str(raw),
              log=lambda m: None)
    bench.run_benchmarks(["wine"], command="python benchmarks/run.py --datasets wine", **kw)
    bench.run_benchmarks(["breast_cancer"],
                         command="python benchmarks/run.py --datasets breast_cancer --append",
                         append=True, **kw)
    data = json.loads(raw.read_text())
    assert {r["dataset"] for r in data["rows"]} == {"wine", "breast_cancer"}
    assert data["commands"] == ["python benchmarks/run.py --datasets wine",
                                "python benchmarks/run.py --datasets breast_cancer --append"]
    text = md.read_text()
    assert "## wine" in text and "## breast_cancer" in text
    # rerunning a dataset replaces its rows instead of duplicating them
    bench.run_benchmarks(["wine"], command="python benchmarks/run.py --datasets wine --append",
                         append=True, **kw)
    data = json.loads(raw.read_text())
    assert sum(r["dataset"] == "wine" for r in data["rows"]) == 4
    # the report can be rebuilt from the raw rows alone
    md.unlink()
    bench.report_from_raw(str(raw), str(md), str(tmp_path / "img"))
    assert "## wine" in md.read_text() and "--append" in md.read_text()
    # without append the file starts over
    bench.run_benchmarks(["wine"], command="python benchmarks/run.py --datasets wine", **kw)
    assert {r["dataset"] for r in json.loads(raw.read_text())["rows"]} == {"wine"}


def test_headline_table_picks_paired_deltas():
    rows = []
    for f, (a, g, k) in enumerate([(0.5, 0.6, 0.7), (0.4, 0.4, 0.3)]):
        for v, val in (("alone", a), ("+GraMixC", g), ("+kNN mean", k), ("+TE leaky", 0.99)):
            rows.append({"dataset": "d", "fold": f, "task": "regression", "predictor": "xgboost",
                         "variant": v, "r2": val, "rmse": 1.0, "fit_s": 0.0, "predict_s": 0.0,
                         **({"used": f == 0} if v == "+GraMixC" else {})})
    text = headline_table(summarize(rows))
    line = text.splitlines()[-1]
    assert line.startswith("| d | r2 | 0.450")
    assert "+0.050 ± 0.050 (1/2)" in line  # GraMixC: mean paired Δ, kept in fold 0 only
    assert "+kNN mean +0.050" in line and "leaky" not in line  # leaky never the best add-on


def test_report_only_without_results_names_the_file(tmp_path, capsys):
    missing = tmp_path / "none.json"
    assert bench.main(["--report-only", "--raw", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_suite_cli_passes_predictors_and_gramixc_rows(monkeypatch, tmp_path):
    seen = {}

    def fake_run_benchmarks(names, **kw):
        seen.update(kw, names=names)
        return []

    monkeypatch.setattr(bench, "run_benchmarks", fake_run_benchmarks)
    assert bench.main(["--datasets", "wine", "--seed", "2", "--predictors", "xgboost",
                 "--gramixc", "default", "paper", "--raw", str(tmp_path / "r.json")]) == 0
    assert seen["names"] == ["wine"] and seen["seed"] == 2
    assert seen["predictors"] == ["xgboost"]
    assert seen["gramixc_variants"] == ["+GraMixC", "+GraMixC paper"]
    assert seen["command"] == ("python benchmarks/run.py --datasets wine --seed 2 "
                               "--predictors xgboost --gramixc default paper")


def test_the_runner_is_not_in_the_package():
    import importlib.util

    assert importlib.util.find_spec("gramixc.bench") is None


def test_bench_registers_smoke(tmp_path, monkeypatch):
    # the one documented command of the configurations-vs-registers comparison, tiny:
    # ViT training, tokens, the fusion over both, figures, report and the benchmark rows
    import pytest

    from gramixc.datasets import SOURCES

    if not any(os.path.isdir(p) for p in SOURCES["fashion_mnist"]):
        pytest.skip("needs Debian dataset-fashion-mnist (bash benchmarks/setup_data.sh)")
    import _results
    import bench_registers

    monkeypatch.setattr(_results, "RESULTS", str(tmp_path))
    out = tmp_path / "registers.md"
    rc = bench_registers.main(["--n-train", "300", "--n-test", "120", "--epochs", "1",
                               "--fusion-epochs", "3", "--folds", "2", "--configurations", "3",
                               "--out", str(out), "--img-dir", str(tmp_path / "img")])
    assert rc == 0
    text = out.read_text()
    assert "## Definitions" in text and "| mlp | + both |" in text
    res = json.loads((tmp_path / "bench_registers.json").read_text())
    assert res["fusion"]["kinds"].count("register") == 4
    assert len(res["benchmark"]) == 2 * 2 * 4
    assert {p.name for p in (tmp_path / "img").iterdir()} == {
        "registers_attention.png", "registers_importance.png", "registers_redundancy.png"}
    assert len(res["fusion"]["token_ablation"]) == len(res["fusion"]["names"])
    assert "No hand-written reading yet" in text
    # the hand-written reading is included when the report is rewritten from the results
    (tmp_path / bench_registers.FINDINGS).write_text("## Reading\n\nregisters agree.\n")
    assert bench_registers.main(["--report-only", "--out", str(out)]) == 0
    text = out.read_text()
    assert "registers agree." in text and "| mlp | + both |" in text
    assert "--n-train 300" in text and str(tmp_path) not in text


def test_bench_scaling_smoke(tmp_path, monkeypatch):
    # two small sizes: per-stage times and memory windows, exponents, the figure
    import _results
    import bench_scaling

    monkeypatch.setattr(_results, "RESULTS", str(tmp_path))
    img = tmp_path / "scaling.png"
    bench_scaling.main(["--n", "400", "800", "--pipeline-max-n", "400", "--fit-from", "400",
                        "--img", str(img)])
    res = json.loads((tmp_path / "bench_scaling.json").read_text())
    assert [r["n"] for r in res["extractor"]] == [400, 800]
    assert [r["n"] for r in res["pipeline"]] == [400]
    stages = res["extractor"][0]["stages"]
    assert list(stages) == ["prepare", "index", "query", "weights", "sweep", "envelope",
                            "align", "assign"]
    assert all(s["peak_mb"] > 0 for s in stages.values())
    assert sum(s["s"] for s in stages.values()) <= res["extractor"][0]["wall_s"] + 0.01
    assert "xgboost" in res["pipeline"][0]["stages"]
    assert "total" in res["exponents"]["extractor"]
    assert img.stat().st_size > 10_000
    assert "Fitted exponent" in (tmp_path / "bench_scaling.txt").read_text()
    # what two runs of one size are compared by
    assert len(res["extractor"][0]["graph_sha1"]) == 40
    assert len(res["extractor"][0]["configuration_clusters"]) == \
        res["extractor"][0]["n_configurations"]


def test_bench_locality_smoke(tmp_path, monkeypatch):
    # plain and ordered runs of the same graph: same seeds, both modularities reported
    import _results
    import bench_locality

    monkeypatch.setattr(_results, "RESULTS", str(tmp_path))
    bench_locality.main(["--n", "2000", "--seeds", "1"])
    res = json.loads((tmp_path / "bench_locality.json").read_text())
    assert [r["graph"] for r in res[0]["rows"]] == ["plain", "ordered"] * 3
    for a, b in zip(res[0]["rows"][::2], res[0]["rows"][1::2]):
        assert a["gamma"] == b["gamma"] and abs(a["modularity"] - b["modularity"]) < 0.02
    assert "**speed-up**" in (tmp_path / "bench_locality.txt").read_text()


def test_benchmarks_import_this_checkouts_gramixc(tmp_path):
    # run from elsewhere, where `import gramixc` alone finds an installed copy (CI's)
    import subprocess

    bench_dir = Path(__file__).resolve().parents[1] / "benchmarks"
    code = (f"import sys; sys.path.insert(0, {str(bench_dir)!r}); import _results, gramixc; "
            "print(gramixc.__file__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert Path(out).resolve().parents[1] == bench_dir.parent


def test_bench_spacing_smoke(tmp_path, monkeypatch, capsys):
    # both layouts on one small graph; the coverage row has one ARI per gamma configuration
    import _results
    import bench_spacing

    monkeypatch.setattr(_results, "RESULTS", str(tmp_path))
    bench_spacing.main(["--n", "2000", "--coverage-rows", "500"])
    text = (tmp_path / "bench_spacing.txt").read_text()
    assert "| gamma | 24 |" in text and "| curve | auto |" in text
    row = text.split("| best ARI | ")[1].split("\n")[0]
    aris = [float(v) for v in row.strip(" |").split(" | ")]
    assert all(0.0 <= a <= 1.0 + 1e-9 for a in aris) and max(aris) > 0.5


def test_bench_crossfit_schemes(monkeypatch):
    # the fold-bagged test means are the average over folds of the first k rows outside
    # each fold; training rows are the same out-of-fold means in both single-split schemes
    import bench_crossfit as bc

    rng = np.random.default_rng(0)
    n = 60
    X = rng.normal(size=(n, 2))
    d = np.linalg.norm(X[:, None] - X[None], axis=2)
    np.fill_diagonal(d, np.inf)
    nb_tr = np.argsort(d, axis=1)[:, :40]
    nb_te = np.argsort(np.linalg.norm(X[:5, None] + 0.01 - X[None], axis=2), axis=1)[:, :40]
    Y = rng.normal(size=(n, 1))
    folds = np.arange(n) % 3
    monkeypatch.setattr(bc, "SIZES", (4,))
    tr1, te1 = bc.neighbour_means(nb_tr, nb_te, Y[:, 0], [folds], bag_test=False)
    tr2, te2 = bc.neighbour_means(nb_tr, nb_te, Y[:, 0], [folds], bag_test=True)
    np.testing.assert_allclose(tr1, tr2)
    own = [j for j in nb_tr[0] if folds[j] != folds[0]][:4]
    np.testing.assert_allclose(tr1[0, 0], Y[own, 0].mean())
    np.testing.assert_allclose(te1[:, 0], Y[nb_te[:, :4], 0].mean(axis=1))
    want = np.mean([[Y[[j for j in row if folds[j] != f][:4], 0].mean() for row in nb_te]
                    for f in range(3)], axis=0)
    np.testing.assert_allclose(te2[:, 0], want)


def test_bench_seeds_tables_every_dataset(tmp_path, monkeypatch):
    # one table per dataset with a column per seed; GraMixC's row counts its choices
    import _results
    import bench_seeds
    import suite

    from gramixc.synthetic import make_cluster_regression

    X, y, _ = make_cluster_regression(n_per_cluster=12, n_features=5, random_state=0)
    monkeypatch.setattr(_results, "RESULTS", str(tmp_path))
    monkeypatch.setattr(suite, "load_bench_data", lambda name, quick: suite.BenchData(
        name, X, y, "regression", None, note="tiny"))
    bench_seeds.main(["--datasets", "a", "b", "--seeds", "0", "1", "--predictors", "linear"])
    for name in ("a", "b"):
        text = (tmp_path / f"bench_seeds_{name}.txt").read_text()
        assert "| seed 0: Δr2 | seed 1: Δr2 |" in text and "| linear | +GraMixC |" in text
        rows = json.loads((tmp_path / f"seeds_{name}.json").read_text())
        assert {r["seed"] for r in rows} == {0, 1} and len(rows) == 2 * 5 * 5
        assert "| linear | +1 config |" in text
    # the goal over seeds, from the saved files alone
    bench_seeds.main(["--goal", "--predictors", "linear"])
    goal = (tmp_path / "bench_seeds_goal.txt").read_text()
    assert "| a | 2 |" in goal and "| b | 2 |" in goal and "of 2 datasets" in goal


def test_goal_table_counts():
    # GraMixC against the best peer's mean over seeds, not any single seed's best
    import bench_seeds

    def rows(seed, deltas):
        out = [{"seed": seed, "fold": f, "task": "regression", "predictor": "xgboost",
                "variant": "alone", "r2": 0.5} for f in range(2)]
        for variant, d in deltas.items():
            out += [{"seed": seed, "fold": f, "task": "regression", "predictor": "xgboost",
                     "variant": variant, "r2": 0.5 + d} for f in range(2)]
        return out

    res = {"near": rows(0, {"+TE": 0.010, "+kNN mean": 0.0, "+1 config": 0.0,
                            "+GraMixC": 0.006})
           + rows(1, {"+TE": 0.000, "+kNN mean": 0.0, "+1 config": 0.0, "+GraMixC": 0.006}),
           "far": rows(0, {"+TE": 0.02, "+kNN mean": 0.0, "+1 config": 0.0,
                           "+GraMixC": -0.001})}
    text = bench_seeds.goal_table(res)
    assert "| near | 2 | +0.0060 | 0.0000 | +TE +0.0050 | yes | yes |" in text
    assert "| far | 1 | -0.0010 | 0.0000 | +TE +0.0200 | no | no |" in text
    assert "within 0.005 of the best peer on 1 of 2 datasets, above xgboost alone on 1 of 2" \
        in text


def test_bench_classes_smoke():
    import bench_classes

    text = bench_classes.main(["--classes", "3", "12", "--n", "120", "--no-save"])
    assert "| 3 | 120 |" in text and "RandomForestClassifier" in text


def test_bench_scales_configuration_subsets():
    # ten configurations, one open-ended: the widest keep it; the bands keep a fine one
    import bench_scales

    per = [{"clusters": k, "log_width": w, "open_ended": o, "ari": [0.0]}
           for k, w, o in [(2, np.inf, True), (3, 2.0, False), (4, 0.1, False),
                           (8, 1.5, False), (30, 0.2, False), (100, 0.05, False),
                           (300, 0.3, False), (1000, 0.01, False)]]
    sub = bench_scales.configuration_subsets(per, size=3)
    assert sub["widest"] == [0, 1, 3]
    # bands of log(clusters) over [log 2, log 1000]: {2, 3, 4, 8}, {30, 100}, {300, 1000}
    assert sub["widest per band"] == [0, 4, 6]


def test_bench_scales_variants_on_the_blobs(monkeypatch):
    # one row per gramixc setting and per Ward merge, an ARI per level; on the nested blobs
    # the defaults find the 16 blobs, and Ward merges of the 16 communities the 4 groups
    import bench_scales

    monkeypatch.setattr(bench_scales, "VARIANT_SETTINGS", [("defaults (k = 15)", {})])
    monkeypatch.setattr(bench_scales, "WARD_MERGE_FROM", (16,))
    text = bench_scales.variants("blobs")
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| gramixc")
            or line.startswith("| Ward")]
    assert len(rows) == 2
    assert float(rows[0][3]) > 0.95  # 16 blobs
    assert rows[1][0] == "| Ward merges of the 16-cluster configuration"
    assert float(rows[1][2]) > 0.95  # 4 super-clusters from the 16 communities


def test_bench_noise_random_labels_smoke():
    # random binary labels at a given share of positives, stratified split, accuracy
    import bench_noise

    rows = bench_noise.run("diabetes", 2, "ridge", rate=0.2)
    assert [r["dataset"] for r in rows] == ["diabetes, 0.2 positive"] * 2
    for r in rows:
        assert 0.0 <= r["alone"] <= 1.0 and 0.0 <= r["gramixc"] <= 1.0
        assert r["chosen"] in ("none", "neighbors", "clusters", "neighbors+clusters")
