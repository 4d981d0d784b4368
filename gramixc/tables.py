"""A user's own data files for the command line: tables (CSV, TSV, Parquet) and FASTA.

:func:`read_user_data` turns a file into what the estimators take — a numeric
feature matrix, or a list of sequences for a FASTA file — with the target and
groups taken from named columns (of the same table, or of a label table joined on
the FASTA record ids). Every problem with a file is a :class:`DataFileError` whose
message names the file, the column or record, and what to do.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> _ = open(path, "w").write("a,b,y\\n1,2,0.5\\n3,4,1.5\\n5,7,2.0\\n")
>>> d = read_user_data(path, target="y")
>>> d.X.shape, d.feature_names, d.y.tolist()
((3, 2), ['a', 'b'], [0.5, 1.5, 2.0])
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import numpy as np

__all__ = ["DataFileError", "UserData", "read_table", "read_user_data", "FASTA_SUFFIXES"]

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t", ".parquet": None, ".pq": None}
FASTA_SUFFIXES = (".fasta", ".fa", ".fna", ".fas", ".fasta.gz", ".fa.gz", ".fna.gz")


class DataFileError(ValueError):
    """A data file that cannot be used as given (the message says why and what to do)."""


@dataclass
class UserData:
    """Features and labels read from a user's file.

    Parameters
    ----------
    X : ndarray of shape (n, d), or list of str
        Numeric features (tables) or the sequences (FASTA).
    y : ndarray of shape (n,) or None
    groups : ndarray of shape (n,) or None
    feature_names : list of str
        Table columns used as features (empty for FASTA).
    ids : list of str
        Row ids: the ``--id-column`` values, the FASTA record ids, or row numbers.
    kind : {"table", "fasta"}
    """

    X: object
    y: np.ndarray | None
    groups: np.ndarray | None
    feature_names: list
    ids: list
    kind: str


def is_fasta(path: str) -> bool:
    """Whether ``path`` names a FASTA file (by its suffix)."""
    return str(path).lower().endswith(FASTA_SUFFIXES)


def read_table(path: str):
    """Read a CSV, TSV or Parquet file into a polars DataFrame.

    Parameters
    ----------
    path : str
        A .csv, .tsv/.txt (tab-separated) or .parquet/.pq file.

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    DataFileError
        If the file is missing, its suffix is not one of .csv, .tsv, .txt, .parquet,
        .pq, it cannot be parsed, or it has no rows.
    """
    import polars as pl

    if not os.path.isfile(path):
        raise DataFileError(f"{path}: no such file")
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataFileError(f"{path}: unknown table format {suffix!r}; use .csv, .tsv, "
                            f".parquet, or FASTA ({', '.join(FASTA_SUFFIXES[:3])})")
    try:
        if TABLE_SUFFIXES[suffix] is None:
            df = pl.read_parquet(path)
        else:
            df = pl.read_csv(path, separator=TABLE_SUFFIXES[suffix], infer_schema_length=10_000)
    except Exception as err:  # polars raises several exception types for bad files
        raise DataFileError(f"{path}: cannot be read as {suffix[1:]} ({err})") from err
    if df.height == 0 or df.width == 0:
        raise DataFileError(f"{path}: the table has no rows or no columns")
    return df


def _column(df, name: str, path: str, role: str):
    if name not in df.columns:
        shown = ", ".join(df.columns[:12]) + (", ..." if df.width > 12 else "")
        raise DataFileError(f"{path}: no column {name!r} for the {role} (columns: {shown})")
    col = df[name]
    if col.null_count():
        rows = np.flatnonzero(col.is_null().to_numpy())[:5].tolist()
        raise DataFileError(f"{path}: the {role} column {name!r} has {col.null_count()} "
                            f"missing values (rows {rows}...); drop or fill those rows")
    return col


def _numeric_matrix(df, path: str) -> np.ndarray:
    import polars as pl

    bad = [c for c, t in df.schema.items() if not (t.is_numeric() or t == pl.Boolean)]
    if bad:
        raise DataFileError(f"{path}: non-numeric feature columns {bad[:8]}; encode them, or "
                            "leave them out with --drop")
    nulls = [c for c in df.columns if df[c].null_count()]
    if nulls:
        raise DataFileError(f"{path}: missing values in feature columns {nulls[:8]}; fill "
                            "or drop them first (GraMixC's graph needs every value)")
    X = df.cast({c: pl.Float64 for c in df.columns}).to_numpy()
    if not np.isfinite(X).all():
        c = df.columns[int(np.flatnonzero(~np.isfinite(X).all(axis=0))[0])]
        raise DataFileError(f"{path}: column {c!r} has infinite or NaN values")
    return np.ascontiguousarray(X)


def read_user_data(path: str, target: str | None = None, groups: str | None = None,
                   drop=(), id_column: str | None = None, labels: str | None = None,
                   features=None) -> UserData:
    """Read features (and optionally the target and groups) from a user's file.

    Parameters
    ----------
    path : str
        A table (.csv, .tsv, .parquet) or a FASTA file (.fasta, .fa, .fna, gzipped too).
    target, groups : str, optional
        Column names of the target and of the groups (e.g. species). For a FASTA
        file they are columns of ``labels``.
    drop : sequence of str
        Table columns that are not features (besides target, groups and id).
    id_column : str, optional
        Column with row ids (kept out of the features; for ``labels``, the column
        holding the FASTA record ids — default: its first column).
    labels : str, optional
        For a FASTA file: a table with one row per record id.
    features : list of str, optional
        Exactly these feature columns, in this order (a fitted model's columns).

    Returns
    -------
    UserData

    Raises
    ------
    DataFileError
    """
    if is_fasta(path):
        return _read_fasta_data(path, target, groups, labels, id_column)
    if labels is not None:
        raise DataFileError("--labels is for FASTA input; a table carries its target as a "
                            "column (--target)")
    df = read_table(path)
    y = None if target is None else _column(df, target, path, "target").to_numpy()
    g = None if groups is None else _column(df, groups, path, "groups").to_numpy()
    ids = (list(map(str, _column(df, id_column, path, "id").to_list()))
           if id_column is not None else [str(i) for i in range(df.height)])
    missing = [c for c in drop if c not in df.columns]
    if missing:
        raise DataFileError(f"{path}: --drop names columns the table does not have: {missing}")
    if features is not None:
        absent = [c for c in features if c not in df.columns]
        if absent:
            raise DataFileError(f"{path}: the model was fitted on columns this table lacks: "
                                f"{absent[:8]}{' ...' if len(absent) > 8 else ''}")
        feat = list(features)
    else:
        skip = {target, groups, id_column, *drop} - {None}
        feat = [c for c in df.columns if c not in skip]
        if not feat:
            raise DataFileError(f"{path}: no feature columns left after taking out {sorted(skip)}")
    return UserData(_numeric_matrix(df.select(feat), path), y, g, feat, ids, "table")


def _read_fasta_data(path, target, groups, labels, id_column) -> UserData:
    from .bio import read_fasta

    if not os.path.isfile(path):
        raise DataFileError(f"{path}: no such file")
    try:
        headers, seqs = read_fasta(path)
    except ValueError as err:
        raise DataFileError(f"{path}: {err}") from err
    ids = [h.split()[0] for h in headers]
    dup = sorted(i for i, c in Counter(ids).items() if c > 1)  # ids.count: quadratic
    if dup:
        raise DataFileError(f"{path}: record ids are not unique ({dup[:5]}); labels are "
                            "joined on them")
    y = g = None
    if target is not None or groups is not None:
        if labels is None:
            raise DataFileError("FASTA input: give the label table with --labels (one row "
                                "per record id) for --target / --groups")
        lab = read_table(labels)
        key = id_column or lab.columns[0]
        keys = list(map(str, _column(lab, key, labels, "record id").to_list()))
        pos = {k: i for i, k in enumerate(keys)}
        absent = [i for i in ids if i not in pos]
        if absent:
            raise DataFileError(f"{labels}: no row for {len(absent)} of {len(ids)} FASTA "
                                f"records (e.g. {absent[:5]}) in column {key!r}")
        order = np.array([pos[i] for i in ids])
        if target is not None:
            y = _column(lab, target, labels, "target").to_numpy()[order]
        if groups is not None:
            g = _column(lab, groups, labels, "groups").to_numpy()[order]
    return UserData(seqs, y, g, [], ids, "fasta")
