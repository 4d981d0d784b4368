import os

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
