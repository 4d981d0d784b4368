"""A user's own data files for the command line: tables (CSV, TSV, Parquet) and FASTA.

:func:`read_user_data` turns a file into what the estimators take — a numeric
feature matrix, or a list of sequences for a FASTA file or a table's sequence
column — with the target and groups taken from named columns (of the same table,
or of a label table joined on the FASTA record ids). Every problem with a file is
a :class:`DataFileError` whose message names the file, the column or record, and
what to do.

Text tables (``.csv``, ``.tsv``, ``.txt``, each also compressed as ``.gz``,
``.bz2`` or ``.zst``) are read with their separator sniffed from the first lines
(comma, tab, semicolon or ``|``; ``sep=`` overrides); the cells ``NA``, ``N/A``,
``NaN``, ``nan``, ``null`` and empty cells are missing values, so a numeric column
with a gap stays numeric and the gap is reported as missing. Id columns (and the
groups) are read as text: ``00001`` stays ``00001``.

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

import bz2
import csv
import gzip
import io
import os
from collections import Counter
from dataclasses import dataclass

import numpy as np

__all__ = ["DataFileError", "UserData", "read_table", "read_user_data", "table_columns",
           "FASTA_SUFFIXES",
           "MISSING_VALUES", "KMER_K"]

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t", ".parquet": None, ".pq": None}
COMPRESSIONS = (".gz", ".bz2", ".zst")
FASTA_SUFFIXES = (".fasta", ".fa", ".fna", ".fas", ".fasta.gz", ".fa.gz", ".fna.gz")
#: Cells read as missing values in text tables.
MISSING_VALUES = ["", "NA", "N/A", "NaN", "nan", "NAN", "null", "NULL"]
#: k-mer lengths of the command line's spectra (:class:`~gramixc.bio.KmerSpectrum`).
KMER_K = (4, 5)
_SEPARATORS = (",", "\t", ";", "|")


class DataFileError(ValueError):
    """A data file that cannot be used as given (the message says why and what to do)."""


@dataclass
class UserData:
    """Features and labels read from a user's file.

    Parameters
    ----------
    X : ndarray of shape (n, d), or list of str
        Numeric features (tables) or the sequences (FASTA, or a table's sequence column).
    y : ndarray of shape (n,) or None
    groups : ndarray of shape (n,) or None
    feature_names : list of str
        Table columns used as features (empty for sequences).
    ids : list of str
        Row ids: the ``--id-column`` values, the FASTA record ids, or row numbers.
    kind : {"table", "fasta", "sequences"}
        Numeric columns, a FASTA file, or a table's column of sequences.
    """

    X: object
    y: np.ndarray | None
    groups: np.ndarray | None
    feature_names: list
    ids: list
    kind: str

    @property
    def is_sequences(self) -> bool:
        """Whether ``X`` holds sequences (FASTA or a sequence column)."""
        return self.kind in ("fasta", "sequences")


def is_fasta(path: str) -> bool:
    """Whether ``path`` names a FASTA file (by its suffix).

    Parameters
    ----------
    path : str

    Returns
    -------
    bool
    """
    return str(path).lower().endswith(FASTA_SUFFIXES)


def table_suffix(path: str) -> tuple[str, str]:
    """The format and compression suffixes of a table's name.

    Parameters
    ----------
    path : str

    Returns
    -------
    (str, str)
        E.g. ``(".tsv", ".gz")`` for ``x.tsv.gz``, ``(".csv", "")`` for ``x.csv``.

    Examples
    --------
    >>> table_suffix("data/16s_gold.tsv.gz"), table_suffix("t.CSV")
    (('.tsv', '.gz'), ('.csv', ''))
    """
    stem, suffix = os.path.splitext(str(path))
    comp = ""
    if suffix.lower() in COMPRESSIONS:
        comp = suffix.lower()
        stem, suffix = os.path.splitext(stem)
    return suffix.lower(), comp


def _rows_text(rows) -> str:
    """``data row 3`` / ``data rows 3, 8, 9 and 4 more`` (1-based, header not counted)."""
    rows = [int(r) + 1 for r in rows]
    shown = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5
                                            else "")
    return f"data row{'s' if len(rows) > 1 else ''} {shown}"


def _raw_bytes(path: str, comp: str) -> bytes:
    """The file's bytes; bzip2 decompressed here (polars reads gzip and zstd itself)."""
    with open(path, "rb") as fh:
        data = fh.read()
    return bz2.decompress(data) if comp == ".bz2" else data


def _head_lines(data: bytes, comp: str, n: int = 30) -> list[str]:
    """The first complete lines of a text table (for sniffing its separator)."""
    import polars as pl

    if comp == ".zst":  # no zstd in the standard library: polars decompresses
        head = pl.read_csv(data, has_header=False, separator="\x1f", quote_char=None,
                           n_rows=n, infer_schema=False)
        return [v or "" for v in head.to_series(0).to_list()]
    chunk = gzip.GzipFile(fileobj=io.BytesIO(data)).read(1 << 16) if comp == ".gz" \
        else data[: 1 << 16]
    lines = chunk.decode("utf-8", errors="replace").splitlines()
    if len(chunk) == 1 << 16 and len(lines) > 1:
        lines = lines[:-1]  # cut mid-line
    return [ln for ln in lines[:n] if ln.strip()]


def sniff_separator(lines: list[str], default: str = ",") -> str:
    """The separator that splits every line into the same number (> 1) of fields.

    Parameters
    ----------
    lines : list of str
        The first lines of a table, header first.
    default : str, default=","
        Returned when no candidate (comma, tab, semicolon, ``|``) fits; preferred
        when it fits.

    Returns
    -------
    str

    Examples
    --------
    >>> sniff_separator(["a;b;c", "1,5;2;3"]), sniff_separator(["a,b", "1,2"], "\t")
    (';', ',')
    """
    fits = {}
    for sep in _SEPARATORS:
        widths = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(widths) == 1 and (w := widths.pop()) > 1:
            fits[sep] = w
    if not fits:
        return default
    if default in fits:
        return default
    return max(fits, key=fits.get)


def _separator_hint(columns) -> str:
    """A hint when a column name holds another separator (the file was split wrongly)."""
    for sep in _SEPARATORS:
        if any(sep in str(c) for c in columns):
            shown = repr(sep) if sep != "\t" else "tab"
            return f"; the header looks {shown}-separated: pass --sep {shown}"
    return ""


def read_table(path: str, sep: str | None = None, text_columns=()):
    """Read a CSV, TSV or Parquet file (text tables possibly compressed) into polars.

    Parameters
    ----------
    path : str
        A .csv, .tsv, .txt (each optionally .gz, .bz2 or .zst) or .parquet/.pq file.
    sep : str, optional
        The separator of a text table (default: sniffed from its first lines; the
        suffix's own separator, comma for .csv and tab for .tsv/.txt, when it fits).
    text_columns : sequence of str or int
        Columns read as text whatever they hold (ids: ``00001`` stays ``00001``);
        an int is a column position.

    Returns
    -------
    polars.DataFrame
        Missing cells (:data:`MISSING_VALUES`) are nulls.

    Raises
    ------
    DataFileError
        If the file is missing, its suffix is not one of those above, it cannot be
        parsed, or it has no rows.
    """
    import polars as pl

    if not os.path.isfile(path):
        raise DataFileError(f"{path}: no such file")
    suffix, comp = table_suffix(path)
    if suffix not in TABLE_SUFFIXES or (comp and TABLE_SUFFIXES[suffix] is None):
        raise DataFileError(f"{path}: unknown table format {suffix + comp!r}; use .csv, .tsv "
                            f"or .txt (plain, .gz, .bz2 or .zst), .parquet, or FASTA "
                            f"({', '.join(FASTA_SUFFIXES[:3])})")
    try:
        if TABLE_SUFFIXES[suffix] is None:
            df = pl.read_parquet(path)
            names = [df.columns[c] if isinstance(c, int) and c < df.width else c
                     for c in text_columns]
            df = df.with_columns(pl.col(c).cast(pl.String) for c in names if c in df.columns)
        else:
            data = _raw_bytes(path, comp)
            lines = _head_lines(data, comp)
            if sep is None:
                sep = sniff_separator(lines, TABLE_SUFFIXES[suffix])
            header = next(csv.reader(lines[:1], delimiter=sep), [])
            names = [header[c] if isinstance(c, int) and c < len(header) else c
                     for c in text_columns]
            df = pl.read_csv(data, separator=sep, null_values=MISSING_VALUES,
                             infer_schema_length=None,
                             schema_overrides={c: pl.String for c in names if c in header})
    except Exception as err:  # polars raises several exception types for bad files
        raise DataFileError(f"{path}: cannot be read as {suffix[1:]} ({err})") from err
    if df.height == 0 or df.width == 0:
        raise DataFileError(f"{path}: the table has no rows or no columns")
    return df


def _column(df, name: str, path: str, role: str):
    if name not in df.columns:
        shown = ", ".join(df.columns[:12]) + (", ..." if df.width > 12 else "")
        raise DataFileError(f"{path}: no column {name!r} for the {role} (columns: {shown})"
                            + _separator_hint(df.columns))
    col = df[name]
    if col.null_count():
        rows = np.flatnonzero(col.is_null().to_numpy())
        raise DataFileError(f"{path}: the {role} column {name!r} has {len(rows)} missing "
                            f"value{'s' if len(rows) > 1 else ''} (NA, NaN or empty) at "
                            f"{_rows_text(rows)}; drop or fill those rows")
    return col


def _numeric_matrix(df, path: str) -> np.ndarray:
    import polars as pl

    bad = [c for c, t in df.schema.items() if not (t.is_numeric() or t == pl.Boolean)]
    if bad:
        raise DataFileError(f"{path}: non-numeric feature columns {bad[:8]}; encode them, or "
                            "leave them out with --drop (a column of DNA/RNA sequences: "
                            "--sequences COLUMN)" + _separator_hint(df.columns))
    nulls = [c for c in df.columns if df[c].null_count()]
    if nulls:
        first = nulls[0]
        rows = np.flatnonzero(df[first].is_null().to_numpy())
        raise DataFileError(f"{path}: missing values in feature columns {nulls[:8]} (column "
                            f"{first!r}: {_rows_text(rows)}); fill or drop them first "
                            "(GraMixC's graph needs every value)")
    X = df.cast({c: pl.Float64 for c in df.columns}).to_numpy()
    if not np.isfinite(X).all():
        c = df.columns[int(np.flatnonzero(~np.isfinite(X).all(axis=0))[0])]
        raise DataFileError(f"{path}: column {c!r} has infinite or NaN values")
    return np.ascontiguousarray(X)


def _check_sequences(path: str, ids: list, seqs: list) -> None:
    """Refuse, by name, records from which no k-mer can be counted."""
    from .bio import unusable_sequences

    bad = unusable_sequences(seqs, k=min(KMER_K))
    if bad:
        shown = "; ".join(f"{ids[i]!r} ({why})" for i, why in list(bad.items())[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        n = len(bad)
        raise DataFileError(f"{path}: {n} record{' has' if n == 1 else 's have'} no usable "
                            f"k-mers: {shown}{more}; remove {'it' if n == 1 else 'them'} (an "
                            "all-zero spectrum would still get a prediction)")


def read_user_data(path: str, target: str | None = None, groups: str | None = None,
                   drop=(), id_column: str | None = None, labels: str | None = None,
                   features=None, sequences: str | None = None,
                   sep: str | None = None) -> UserData:
    """Read features (and optionally the target and groups) from a user's file.

    Parameters
    ----------
    path : str
        A table (.csv, .tsv, .txt, each plain or .gz/.bz2/.zst; .parquet) or a FASTA
        file (.fasta, .fa, .fna, gzipped too).
    target, groups : str, optional
        Column names of the target and of the groups (e.g. species). For a FASTA
        file they are columns of ``labels``.
    drop : sequence of str
        Table columns that are not features (besides target, groups and id).
    id_column : str, optional
        Column with row ids, read as text (kept out of the features; for ``labels``,
        the column holding the FASTA record ids — default: its first column).
    labels : str, optional
        For a FASTA file: a table with one row per record id.
    features : list of str, optional
        Exactly these feature columns, in this order (a fitted model's columns).
    sequences : str, optional
        A table column of DNA/RNA sequences: they are the input (``X`` is their
        list, as for a FASTA file) and the other columns are not features.
    sep : str, optional
        Separator of the text tables (default: sniffed).

    Returns
    -------
    UserData

    Raises
    ------
    DataFileError
    """
    if is_fasta(path):
        if sequences is not None:
            raise DataFileError("--sequences names a table column; a FASTA file's records "
                                "are the sequences already")
        return _read_fasta_data(path, target, groups, labels, id_column, sep)
    if labels is not None:
        raise DataFileError("--labels is for FASTA input; a table carries its target as a "
                            "column (--target)")
    text = [c for c in (id_column, groups, sequences) if c is not None]
    df = read_table(path, sep=sep, text_columns=text)
    y = None if target is None else _column(df, target, path, "target").to_numpy()
    g = None if groups is None else _column(df, groups, path, "groups").to_numpy()
    ids = (_column(df, id_column, path, "id").cast(str).to_list()
           if id_column is not None else [str(i) for i in range(df.height)])
    if id_column is not None:  # ids name the rows of the prediction file: one row each
        _refuse_repeated_ids(ids, path, id_column, "id", "the table")
    missing = [c for c in drop if c not in df.columns]
    if missing:
        raise DataFileError(f"{path}: --drop names columns the table does not have: {missing}"
                            + _separator_hint(df.columns))
    if sequences is not None:
        seqs = _column(df, sequences, path, "sequences").cast(str).to_list()
        _check_sequences(path, ids, seqs)
        return UserData(seqs, y, g, [], ids, "sequences")
    if features is not None:
        absent = [c for c in features if c not in df.columns]
        if absent:
            raise DataFileError(f"{path}: the model was fitted on columns this table lacks: "
                                f"{absent[:8]}{' ...' if len(absent) > 8 else ''}"
                                + _separator_hint(df.columns))
        feat = list(features)
    else:
        skip = {target, groups, id_column, *drop} - {None}
        feat = [c for c in df.columns if c not in skip]
        if not feat:
            raise DataFileError(f"{path}: no feature columns left after taking out {sorted(skip)}")
    return UserData(_numeric_matrix(df.select(feat), path), y, g, feat, ids, "table")


def _refuse_repeated_ids(keys: list, path: str, column: str, what: str, table: str) -> None:
    """A :class:`DataFileError` naming the first id of ``keys`` that repeats, and its rows."""
    counts = Counter(keys)
    dups = [k for k, c in counts.items() if c > 1]
    if dups:
        rows = [i for i, k in enumerate(keys) if k == dups[0]]
        more = f" (and {len(dups) - 1} more ids repeat)" if len(dups) > 1 else ""
        raise DataFileError(
            f"{path}: {what} {dups[0]!r} appears on {len(rows)} rows ({_rows_text(rows)})"
            f"{more}; {table} needs one row per {what} in column {column!r}")


def _read_fasta_data(path, target, groups, labels, id_column, sep) -> UserData:
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
    _check_sequences(path, ids, seqs)
    y = g = None
    if target is not None or groups is not None:
        if labels is None:
            raise DataFileError("FASTA input: give the label table with --labels (one row "
                                "per record id) for --target / --groups")
        text = [id_column if id_column is not None else 0] + ([groups] if groups else [])
        lab = read_table(labels, sep=sep, text_columns=text)
        key = id_column or lab.columns[0]
        keys = _column(lab, key, labels, "record id").cast(str).to_list()
        _refuse_repeated_ids(keys, labels, key, "record id", "the label table")
        pos = {k: i for i, k in enumerate(keys)}
        absent = [i for i in ids if i not in pos]
        if absent:
            raise DataFileError(f"{labels}: no row for {len(absent)} of {len(ids)} FASTA "
                                f"records (e.g. {absent[:5]}) in column {key!r}"
                                + _separator_hint(lab.columns))
        order = np.array([pos[i] for i in ids])
        if target is not None:
            y = _column(lab, target, labels, "target").to_numpy()[order]
        if groups is not None:
            g = _column(lab, groups, labels, "groups").to_numpy()[order]
    return UserData(seqs, y, g, [], ids, "fasta")


def table_columns(path: str, sep: str | None = None) -> list[str]:
    """The column names of a table, from its header (the table is not read whole).

    Parameters
    ----------
    path : str
    sep : str, optional
        As for :func:`read_table`.

    Returns
    -------
    list of str
        Empty when the file is missing or not a table.
    """
    import polars as pl

    suffix, comp = table_suffix(path)
    if not os.path.isfile(path) or suffix not in TABLE_SUFFIXES:
        return []
    try:
        if TABLE_SUFFIXES[suffix] is None:
            return list(pl.read_parquet_schema(path))
        lines = _head_lines(_raw_bytes(path, comp), comp, n=30)
        sep = sep or sniff_separator(lines, TABLE_SUFFIXES[suffix])
        return next(csv.reader(lines[:1], delimiter=sep), [])
    except Exception:  # a broken file: read_table will say why
        return []
