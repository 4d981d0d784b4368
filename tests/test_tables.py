import numpy as np
import polars as pl
import pytest

from gramixc.tables import DataFileError, read_table, read_user_data


def _csv(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_table_features_target_groups_and_ids(tmp_path):
    path = _csv(tmp_path, "id,a,b,g,y\nr1,1,2,s,0.5\nr2,3,4,s,1.5\nr3,5,7,t,2.0\n")
    d = read_user_data(path, target="y", groups="g", id_column="id")
    assert d.feature_names == ["a", "b"] and d.kind == "table"
    np.testing.assert_array_equal(d.X, [[1, 2], [3, 4], [5, 7]])
    assert d.ids == ["r1", "r2", "r3"] and d.groups.tolist() == ["s", "s", "t"]
    assert d.X.flags.c_contiguous and d.X.dtype == np.float64


def test_parquet_and_tsv_read_alike(tmp_path):
    df = pl.DataFrame({"a": [1.0, 2.0], "b": [3, 4], "flag": [True, False]})
    df.write_parquet(tmp_path / "t.parquet")
    df.write_csv(tmp_path / "t.tsv", separator="\t")
    a = read_user_data(str(tmp_path / "t.parquet"))
    b = read_user_data(str(tmp_path / "t.tsv"))
    np.testing.assert_array_equal(a.X, b.X)
    assert a.feature_names == ["a", "b", "flag"]


def test_features_selects_and_orders_a_models_columns(tmp_path):
    path = _csv(tmp_path, "b,a,extra\n1,2,9\n3,4,9\n")
    d = read_user_data(path, features=["a", "b"])
    np.testing.assert_array_equal(d.X, [[2, 1], [4, 3]])
    with pytest.raises(DataFileError, match="lacks: \\['c'\\]"):
        read_user_data(path, features=["a", "c"])


@pytest.mark.parametrize("text, kwargs, match", [
    ("a,b\n1,x\n2,y\n", {}, "non-numeric feature columns \\['b'\\]"),
    ("a,b\n1,\n2,3\n", {}, "missing values in feature columns \\['b'\\]"),
    ("a,b\n1,2\n", {"target": "y"}, "no column 'y' for the target"),
    ("a,y\n1,\n2,3\n", {"target": "y"}, "target column 'y' has 1 missing"),
    ("a,b\n1,2\n", {"drop": ["c"]}, "--drop names columns"),
    ("a\n", {}, "no rows"),
    ("y\n1\n", {"target": "y"}, "no feature columns left"),
])
def test_bad_tables_name_the_problem(tmp_path, text, kwargs, match):
    with pytest.raises(DataFileError, match=match):
        read_user_data(_csv(tmp_path, text), **kwargs)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        read_table(str(tmp_path / "absent.csv"))
    with pytest.raises(DataFileError, match="unknown table format '.xlsx'"):
        read_table(_csv(tmp_path, "a\n1\n", name="t.xlsx"))


def test_fasta_with_a_label_table(tmp_path):
    fa = tmp_path / "s.fasta"
    fa.write_text(">s1 one\nACGTACGT\n>s2\nGGGCCC\n>s3\nTTTAAA\n")
    lab = _csv(tmp_path, "seq,temp,species\ns3,30,c\ns1,10,a\ns2,20,b\n", name="lab.csv")
    d = read_user_data(str(fa), target="temp", groups="species", labels=lab)
    assert d.kind == "fasta" and d.ids == ["s1", "s2", "s3"]
    assert d.X == ["ACGTACGT", "GGGCCC", "TTTAAA"]
    assert d.y.tolist() == [10, 20, 30] and d.groups.tolist() == ["a", "b", "c"]
    short = _csv(tmp_path, "seq,temp\ns1,10\n", name="short.csv")
    with pytest.raises(DataFileError, match="no row for 2 of 3 FASTA records"):
        read_user_data(str(fa), target="temp", labels=short)
    with pytest.raises(DataFileError, match="--labels"):
        read_user_data(str(fa), target="temp")


def test_fasta_duplicate_ids_and_garbage(tmp_path):
    fa = tmp_path / "d.fa"
    fa.write_text(">s1\nACGT\n>s1\nGGCC\n")
    with pytest.raises(DataFileError, match="not unique"):
        read_user_data(str(fa))
    bad = tmp_path / "bad.fasta"
    bad.write_text("ACGT\n")
    with pytest.raises(DataFileError, match="bad.fasta"):
        read_user_data(str(bad))
