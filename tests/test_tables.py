import os

import numpy as np
import polars as pl
import pytest

from gramixc.tables import DataFileError, read_table, read_user_data

DATA = os.path.join(os.path.dirname(__file__), "data")


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


# ---------------------------------------------------------------- missing values, ids


def test_na_in_a_numeric_target_is_a_missing_value_not_a_string_column(tmp_path):
    # one NA made the target a string column (and `gramixc fit` a 200-class classifier)
    rows = "".join(f"{i},{i * 0.5}\n" for i in range(20))
    path = _csv(tmp_path, "a,y\n" + rows + "20,NA\n21,NaN\n22,\n")
    with pytest.raises(DataFileError, match=r"target column 'y' has 3 missing values "
                                            r"\(NA, NaN or empty\) at data rows 21, 22, 23"):
        read_user_data(path, target="y")


@pytest.mark.parametrize("marker", ["NA", "NaN", "nan", "N/A", ""])
def test_missing_markers_in_features_are_missing_not_non_numeric(tmp_path, marker):
    path = _csv(tmp_path, f"a,b\n1,2\n3,{marker}\n5,6\n")
    with pytest.raises(DataFileError, match=r"missing values in feature columns \['b'\] "
                                            r"\(column 'b': data row 2\)"):
        read_user_data(path)


def test_a_float_target_of_whole_numbers_stays_float(tmp_path):
    path = _csv(tmp_path, "a,y\n1,25.0\n2,30.0\n3,25.0\n")
    assert read_user_data(path, target="y").y.dtype.kind == "f"


def test_ids_are_text_zero_padding_survives(tmp_path):
    path = _csv(tmp_path, "id,a\n00001,1\n00002,2\n00010,3\n")
    assert read_user_data(path, id_column="id").ids == ["00001", "00002", "00010"]


def test_fasta_joins_zero_padded_ids_as_text(tmp_path):
    fa = tmp_path / "s.fasta"
    fa.write_text(">00001\nACGTACGTAC\n>00002\nGGGCCCATAT\n")
    lab = _csv(tmp_path, "seq,temp\n00002,20\n00001,10\n", name="lab.csv")
    d = read_user_data(str(fa), target="temp", labels=lab)
    assert d.ids == ["00001", "00002"] and d.y.tolist() == [10, 20]


def test_duplicate_ids_in_a_label_table_are_refused(tmp_path):
    # the last row won silently: seq000 was trained with y = 999
    fa = tmp_path / "s.fasta"
    fa.write_text(">seq000\nACGTACGTAC\n>seq001\nGGGCCCATAT\n")
    lab = _csv(tmp_path, "seq,temp\nseq000,10\nseq001,20\nseq000,999\n", name="lab.csv")
    with pytest.raises(DataFileError, match=r"lab.csv: record id 'seq000' appears on 2 rows "
                                            r"\(data rows 1, 3\)"):
        read_user_data(str(fa), target="temp", labels=lab)


def test_repeated_ids_in_an_id_column_are_refused(tmp_path):
    # two prediction rows under one id cannot be told apart
    path = _csv(tmp_path, "id,x,y\na,1.0,2.0\nb,2.0,3.0\na,3.0,4.0\n")
    with pytest.raises(DataFileError, match=r"id 'a' appears on 2 rows \(data rows 1, 3\); "
                                            r"the table needs one row per id in column 'id'"):
        read_user_data(path, target="y", id_column="id")
    assert len(read_user_data(path, target="y", drop=("id",)).ids) == 3  # row numbers


@pytest.mark.parametrize("seq, why", [
    ("", "empty"),
    ("NNNNNNNNNNNNNNNNNNNN", "no run of 4 A/C/G/T"),
    ("MKVLAAGIVGLLLAEQQPSSFWELLKRE", "not DNA/RNA"),
])
def test_fasta_records_without_usable_kmers_are_refused_by_name(tmp_path, seq, why):
    # they became all-zero spectra and got predictions (39.98 for an empty record)
    fa = tmp_path / "s.fasta"
    fa.write_text(f">good\nACGTACGTACGGT\n>bad1 desc\n{seq}\n>good2\nACGGTTACAGT\n")
    with pytest.raises(DataFileError, match=f"s.fasta: 1 record.* no usable k-mers: 'bad1' "
                                            f"\\({why}"):
        read_user_data(str(fa))


# ------------------------------------------------------------ formats and separators


def test_compressed_tables_read_like_plain_ones(tmp_path):
    import bz2
    import gzip
    import shutil

    text = "a;b;y\n1;2;0.5\n3;4;1.5\n5;7;2.0\n"
    plain = read_user_data(_csv(tmp_path, text), target="y")
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "t.csv.bz2").write_bytes(bz2.compress(text.encode()))
    shutil.copy(os.path.join(DATA, "semicolon.csv.zst"), tmp_path / "t.csv.zst")
    for name in ("t.csv.gz", "t.csv.bz2", "t.csv.zst"):
        d = read_user_data(str(tmp_path / name), target="y")
        np.testing.assert_array_equal(d.X, plain.X)
        assert d.y.tolist() == [0.5, 1.5, 2.0], name


def test_the_bundled_16s_table_reads_with_its_sequence_column():
    import gramixc

    path = os.path.join(os.path.dirname(gramixc.__file__), "data", "16s_gold.tsv.gz")
    d = read_user_data(path, target="topt", groups="species", id_column="id",
                       sequences="sequence")
    assert d.kind == "sequences" and len(d.X) == 402 and d.y.dtype.kind == "f"
    assert d.ids[0] == "7000004128189554" and "S000003882" in d.ids
    assert d.X[0].startswith("AGAGTTTGATC")


@pytest.mark.parametrize("name, text", [
    ("semi.csv", "a;b;y\n1;2;0.5\n3;4;1.5\n"),
    ("comma.txt", "a,b,y\n1,2,0.5\n3,4,1.5\n"),
    ("tab.csv", "a\tb\ty\n1\t2\t0.5\n3\t4\t1.5\n"),
    ("quoted.csv", 'a,b,y\n"1",2,0.5\n"3",4,1.5\n'),
])
def test_the_separator_is_sniffed(tmp_path, name, text):
    d = read_user_data(_csv(tmp_path, text, name=name), target="y")
    assert d.feature_names == ["a", "b"] and d.y.tolist() == [0.5, 1.5]


def test_sep_overrides_and_a_wrong_one_gets_a_hint(tmp_path):
    path = _csv(tmp_path, "a;b;y\n1;2;0.5\n3;4;1.5\n")
    assert read_user_data(path, target="y", sep=";").feature_names == ["a", "b"]
    with pytest.raises(DataFileError, match=r"no column 'y' .* the header looks "
                                            r"';'-separated: pass --sep ';'"):
        read_user_data(path, target="y", sep=",")
