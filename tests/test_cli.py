import os

import numpy as np

from gramixc.cli import demo_configurations, main


def test_demo_configurations_writes_plots(tmp_path, capsys):
    res = demo_configurations(str(tmp_path), random_state=0)
    out = capsys.readouterr().out
    assert "ARI" in out and "id spread" in out
    for p in res["paths"].values():
        assert os.path.getsize(p) > 10_000
    # digits: some configuration matches the digit labels well (label-free!)
    assert max(res["ari"]) > 0.75


def test_main_rejects_unknown_command(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["nope"])


def _blobs_csv(tmp_path, n=150, classes=False):
    import polars as pl
    from sklearn.datasets import make_blobs

    X, lab = make_blobs(n_samples=n, centers=4, n_features=5, random_state=0)
    rng = np.random.default_rng(0)
    y = (np.array(["a", "b", "c", "d"])[lab] if classes
         else lab * 2.0 + X[:, 0] + 0.1 * rng.normal(size=n))
    df = pl.DataFrame({"row": [f"r{i}" for i in range(n)],
                       **{f"x{j}": X[:, j] for j in range(5)}, "target": y})
    path = tmp_path / ("cls.csv" if classes else "reg.csv")
    df.write_csv(path)
    return str(path), df


def test_configurations_command_writes_ids_summary_and_plots(tmp_path, capsys):
    import polars as pl

    path, _ = _blobs_csv(tmp_path)
    out = str(tmp_path / "cfg.parquet")
    rc = main(["configurations", path, "--out", out, "--plots", str(tmp_path / "plots"),
               "--drop", "target", "--id-column", "row", "--quiet"])
    assert rc == 0
    ids = pl.read_parquet(out)
    assert ids["id"].to_list()[:2] == ["r0", "r1"] and ids.height == 150
    summary = pl.read_csv(str(tmp_path / "cfg_summary.csv"))
    assert ids.width == 1 + summary.height and "gamma_lo" in summary.columns
    # the 4 blobs are found by some configuration
    assert 4 in summary["n_clusters"].to_list()
    assert os.path.getsize(tmp_path / "plots" / "lineage.png") > 5_000


def test_fit_then_predict_regression_table(tmp_path, capsys):
    import polars as pl

    path, df = _blobs_csv(tmp_path)
    model = str(tmp_path / "m.pkl")
    assert main(["fit", path, "--target", "target", "--id-column", "row", "--out", model]) == 0
    out = capsys.readouterr().out
    assert "regression" in out and "GraMixC adds" in out and "gate" in out
    new = tmp_path / "new.csv"
    df.drop("target").head(20).select(["x4", "x0", "x1", "x2", "x3", "row"]).write_csv(new)
    pred_path = str(tmp_path / "p.csv")
    assert main(["predict", model, str(new), "--id-column", "row", "--out", pred_path]) == 0
    pred = pl.read_csv(pred_path)
    assert pred.columns == ["id", "target"] and pred["id"].to_list()[0] == "r0"
    err = np.abs(pred["target"].to_numpy() - df["target"].to_numpy()[:20])
    assert np.mean(err) < 1.0  # fitted rows, a real model (y spans about 10 units)


def test_fit_then_predict_classifier_with_string_labels(tmp_path):
    import polars as pl

    path, df = _blobs_csv(tmp_path, classes=True)
    model = str(tmp_path / "c.pkl")
    assert main(["fit", path, "--target", "target", "--drop", "row", "--out", model,
                 "--predictor", "linear", "--quiet"]) == 0
    pred_path = str(tmp_path / "cp.csv")
    assert main(["predict", model, path, "--out", pred_path]) == 0
    pred = pl.read_csv(pred_path)
    assert set(pred["target"].to_list()) <= {"a", "b", "c", "d"}
    assert np.mean(pred["target"].to_numpy() == df["target"].to_numpy()) > 0.95
    proba = pred.select([f"proba_{c}" for c in "abcd"]).to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def test_fit_and_predict_fasta_with_labels(tmp_path):
    import polars as pl

    rng = np.random.default_rng(0)
    # two families of sequences with different base composition → different "temperature"
    seqs, rows = [], []
    for i in range(60):
        fam = i % 2
        p = [0.4, 0.1, 0.1, 0.4] if fam else [0.1, 0.4, 0.4, 0.1]
        seqs.append("".join(rng.choice(list("ACGT"), size=300, p=p)))
        rows.append({"seq": f"s{i}", "temp": 30.0 + 40 * fam + rng.normal(),
                     "species": f"sp{i // 2}"})
    fa = tmp_path / "s.fasta"
    fa.write_text("".join(f">s{i} desc\n{s}\n" for i, s in enumerate(seqs)))
    pl.DataFrame(rows).write_csv(tmp_path / "lab.csv")
    model = str(tmp_path / "f.pkl")
    assert main(["fit", str(fa), "--labels", str(tmp_path / "lab.csv"), "--target", "temp",
                 "--groups", "species", "--out", model, "--quiet"]) == 0
    out = str(tmp_path / "fp.csv")
    assert main(["predict", model, str(fa), "--out", out]) == 0
    pred = pl.read_csv(out)
    fam = np.arange(60) % 2
    assert pred["temp"].to_numpy()[fam == 1].mean() > pred["temp"].to_numpy()[fam == 0].mean() + 30


def test_bad_files_exit_with_a_message(tmp_path, capsys):
    path, _ = _blobs_csv(tmp_path)
    assert main(["fit", path, "--target", "nope", "--out", str(tmp_path / "m.pkl")]) == 2
    assert "no column 'nope' for the target" in capsys.readouterr().err
    assert main(["fit", path, "--target", "target", "--out", str(tmp_path / "m.pkl")]) == 2
    assert "non-numeric feature columns ['row']" in capsys.readouterr().err
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a pickle")
    assert main(["predict", str(junk), path]) == 2
    assert "not a model written by 'gramixc fit'" in capsys.readouterr().err
    assert main(["configurations", str(tmp_path / "absent.csv"), "--out", "x.csv"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_help_shows_a_worked_example(capsys):
    import pytest

    for cmd in ("configurations", "fit", "predict"):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        assert "example:" in capsys.readouterr().out
