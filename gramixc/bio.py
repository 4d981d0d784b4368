"""Sequence input and k-mer featurisation for 16S rRNA (and any DNA/RNA) data.

The GraMixC headline task predicts a bacterium's optimal growth temperature from
its 16S rRNA gene. The sequences become fixed-length vectors through their k-mer
spectra (counts of every length-``k`` word), computed here without a Python loop
over positions: all sequences are concatenated into one ``uint8`` array, rolling
base-4 codes are built with numpy, and one ``np.bincount`` over
``sequence_index * 4**k + code`` counts every k-mer of every sequence at once.

Conventions
-----------
* Case is ignored and ``U`` is read as ``T`` (RNA and DNA give the same spectrum).
* Any k-mer that contains a character other than ``A``, ``C``, ``G``, ``T``/``U``
  (``N``, IUPAC ambiguity codes, gaps ``-`` and ``.``, whitespace, ...) is skipped:
  it is neither counted nor part of the normalising total.
* k-mers are ordered lexicographically in the alphabet ``ACGT`` (``AAAA``,
  ``AAAC``, ..., ``TTTT``), which is also the order of their base-4 codes.
* ``canonical=True`` merges every k-mer with its reverse complement; the merged
  feature is named after the lexicographically smaller of the two.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import product
from typing import IO

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "read_fasta",
    "kmer_spectrum",
    "kmer_feature_names",
    "KmerSpectrum",
    "unusable_sequences",
]

_ALPHABET = "ACGT"
_MAX_K = 6
_INVALID = np.uint8(4)

# byte -> 0..3 for A, C, G, T (U = T, either case), 4 for everything else.
_LUT = np.full(256, _INVALID, dtype=np.uint8)
for _i, _chars in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    for _c in _chars:
        _LUT[ord(_c)] = _i
del _i, _chars, _c


# --------------------------------------------------------------------------- FASTA


def _open_text(source: str | os.PathLike) -> IO[str]:
    """Open a path as text, transparently gunzipping (detected by magic bytes)."""
    path = os.fspath(source)
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def read_fasta(source: str | os.PathLike | IO[str] | Iterable[str]) -> tuple[list[str], list[str]]:
    """Read a (multi-line) FASTA file.

    Parameters
    ----------
    source : str, path-like, text handle or iterable of lines
        A path to a plain or gzip-compressed FASTA file (gzip is detected from the
        file's first bytes, not its suffix), an open text handle, or any iterable of
        text lines.

    Returns
    -------
    headers : list of str
        The header line of every record without the leading ``>`` and surrounding
        whitespace. The record id is ``header.split()[0]``; the rest is the
        description.
    sequences : list of str
        The sequence of every record: its lines concatenated, with all whitespace
        removed. Characters are kept as they are (case, gaps, ``N``...).

    Raises
    ------
    ValueError
        If sequence data appears before the first header, a header is empty, or no
        record is found at all (for example an empty file or a FASTQ file).

    Notes
    -----
    Blank lines and lines starting with ``;`` (old-style comments) are ignored.

    Examples
    --------
    >>> import io
    >>> read_fasta(io.StringIO(">s1 first\\nACGT\\nAC\\n>s2\\nGGU\\n"))
    (['s1 first', 's2'], ['ACGTAC', 'GGU'])
    """
    if isinstance(source, (str, os.PathLike)):
        with _open_text(source) as fh:
            return _parse_fasta(fh, name=os.fspath(source))
    if isinstance(source, (bytes, bytearray)):
        raise TypeError("read_fasta expects a path, a text handle or lines of text, not bytes")
    return _parse_fasta(source, name=getattr(source, "name", "<stream>"))


def _parse_fasta(lines: Iterable[str], name: str) -> tuple[list[str], list[str]]:
    headers: list[str] = []
    sequences: list[str] = []
    chunks: list[str] = []
    for lineno, raw in enumerate(lines, start=1):
        if isinstance(raw, (bytes, bytearray)):
            raise TypeError(
                f"{name}: read_fasta needs text, got bytes (open the file in text mode)"
            )
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith(">"):
            if headers:
                sequences.append("".join(chunks))
            header = line[1:].strip()
            if not header:
                raise ValueError(f"{name}, line {lineno}: empty FASTA header '>'")
            headers.append(header)
            chunks = []
        else:
            if not headers:
                raise ValueError(
                    f"{name}, line {lineno}: sequence data before the first '>' header "
                    f"(is this a FASTA file?): {line[:40]!r}"
                )
            chunks.append("".join(line.split()))
    if not headers:
        raise ValueError(f"{name}: no FASTA records found (no line starts with '>')")
    sequences.append("".join(chunks))
    return headers, sequences


# --------------------------------------------------------------------------- k-mers


def _check_k(k: int | Sequence[int]) -> tuple[int, ...]:
    ks = (k,) if isinstance(k, (int, np.integer)) and not isinstance(k, bool) else k
    try:
        ks = tuple(ks)
    except TypeError:
        raise TypeError(f"k must be an int or a sequence of ints, got {k!r}") from None
    if not ks:
        raise ValueError("k must contain at least one value")
    out = []
    for v in ks:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"k values must be integers, got {v!r}")
        if not 1 <= int(v) <= _MAX_K:
            raise ValueError(f"k values must lie in 1..{_MAX_K}, got {int(v)}")
        out.append(int(v))
    if len(set(out)) != len(out):
        raise ValueError(f"k values must be distinct, got {tuple(out)}")
    return tuple(out)


def _revcomp_codes(k: int) -> np.ndarray:
    """Base-4 code of the reverse complement of every k-mer code ``0..4**k-1``."""
    codes = np.arange(4**k, dtype=np.int64)
    rc = np.zeros_like(codes)
    x = codes.copy()
    for _ in range(k):
        rc = rc * 4 + (3 - (x & 3))  # complement of the last base becomes the next first base
        x >>= 2
    return rc


@cache
def _canonical_map(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column index of every k-mer code after merging with its reverse complement.

    Returns ``(col_of_code, representative_codes)``; representatives are the smaller
    code of each pair, in increasing order.
    """
    codes = np.arange(4**k, dtype=np.int64)
    rep = np.minimum(codes, _revcomp_codes(k))
    reps, col = np.unique(rep, return_inverse=True)
    col = col.astype(np.int64)
    col.flags.writeable = False
    reps.flags.writeable = False
    return col, reps


def _kmer_strings(k: int) -> list[str]:
    return ["".join(p) for p in product(_ALPHABET, repeat=k)]


def kmer_feature_names(k: int | Sequence[int] = (4, 5), canonical: bool = False) -> list[str]:
    """Names of the columns returned by :func:`kmer_spectrum`.

    Parameters
    ----------
    k : int or sequence of int, default=(4, 5)
        k-mer lengths (1 to 6), in output order.
    canonical : bool, default=False
        Whether reverse complements are merged (named after the smaller k-mer).

    Returns
    -------
    list of str
        ``"k{k}_{kmer}"`` for every column, e.g. ``"k4_ACGT"``.

    Examples
    --------
    >>> kmer_feature_names(1)
    ['k1_A', 'k1_C', 'k1_G', 'k1_T']
    >>> kmer_feature_names(2, canonical=True)[:4]
    ['k2_AA', 'k2_AC', 'k2_AG', 'k2_AT']
    >>> len(kmer_feature_names(2, canonical=True))
    10
    """
    names: list[str] = []
    for kk in _check_k(k):
        words = _kmer_strings(kk)
        if canonical:
            _, reps = _canonical_map(kk)
            words = [words[r] for r in reps]
        names.extend(f"k{kk}_{w}" for w in words)
    return names


def _encode(seqs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate sequences (separated by one invalid byte) into base codes.

    Returns the code array (0..3 valid, 4 invalid) and each sequence's start offset.
    """
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    # Non-ASCII characters become '?', i.e. invalid; one char stays one byte.
    buf = "\x00".join(seqs).encode("ascii", errors="replace")
    codes = _LUT[np.frombuffer(buf, dtype=np.uint8)]
    starts = np.zeros(len(seqs), dtype=np.int64)
    if len(seqs) > 1:
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
    return codes, starts


def kmer_spectrum(
    seqs: Sequence[str],
    k: int | Sequence[int] = (4, 5),
    canonical: bool = False,
    normalize: bool = True,
) -> np.ndarray:
    """k-mer count spectra of many sequences, vectorised over all of them.

    Parameters
    ----------
    seqs : sequence of str
        DNA or RNA sequences. Case is ignored and ``U`` counts as ``T``. A k-mer
        containing any other character (``N``, IUPAC codes, gaps ``-``/``.``) is
        skipped.
    k : int or sequence of int, default=(4, 5)
        k-mer lengths, each in 1..6. The output has one block of columns per
        value, in the given order.
    canonical : bool, default=False
        Merge each k-mer with its reverse complement (strand-independent counts).
        A block then has ``4**k / 2`` columns for odd ``k`` and
        ``(4**k + 4**(k/2)) / 2`` for even ``k`` (palindromes stay single).
    normalize : bool, default=True
        Divide each block by the number of valid k-mers of that sequence, so each
        block of each row sums to 1. A sequence with no valid k-mer of some length
        (shorter than ``k``, or all ``N``) gets a block of zeros, never NaN.

    Returns
    -------
    ndarray of shape (n_sequences, n_features), float64, C-contiguous
        Counts (``normalize=False``, integral values) or frequencies. Column names
        are given by :func:`kmer_feature_names`.

    Examples
    --------
    >>> X = kmer_spectrum(["ACGTA", "acgu"], k=2, normalize=False)
    >>> X.shape
    (2, 16)
    >>> names = kmer_feature_names(2)
    >>> {n: int(c) for n, c in zip(names, X[0]) if c}
    {'k2_AC': 1, 'k2_CG': 1, 'k2_GT': 1, 'k2_TA': 1}
    >>> kmer_spectrum(["ACGNA"], k=2).sum()  # AC, CG valid; GN, NA skipped
    np.float64(1.0)
    """
    ks = _check_k(k)
    if isinstance(seqs, (str, bytes)):
        raise TypeError(
            "seqs must be a sequence of strings, not a single string; wrap it in a list"
        )
    seqs = list(seqs)
    for i, s in enumerate(seqs):
        if not isinstance(s, str):
            raise TypeError(f"seqs[{i}] is {type(s).__name__}, expected str")
    n = len(seqs)
    widths = [len(_canonical_map(kk)[1]) if canonical else 4**kk for kk in ks]
    out = np.zeros((n, sum(widths)), dtype=np.float64)
    if n == 0:
        return out

    # Batches of about _BATCH_BASES bases bound the temporaries (a few int64 arrays
    # of the batch length) for very large inputs; rows are independent.
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=n)
    batch_of = np.cumsum(lengths + 1) // _BATCH_BASES
    cuts = np.flatnonzero(np.diff(batch_of)) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, n], strict=True):
        _fill_spectrum(seqs[lo:hi], ks, widths, canonical, normalize, out[lo:hi])
    return out


#: Sequence bases per batch in :func:`kmer_spectrum`.
_BATCH_BASES = 1 << 24


def _fill_spectrum(
    seqs: list[str],
    ks: tuple[int, ...],
    widths: list[int],
    canonical: bool,
    normalize: bool,
    out: np.ndarray,
) -> None:
    """Write the spectra of ``seqs`` into ``out`` (rows aligned with ``seqs``)."""
    n = len(seqs)
    codes, starts = _encode(seqs)
    total = codes.size
    invalid = codes == _INVALID
    # bad_before[i] = number of invalid bytes in codes[:i]
    bad_before = np.zeros(total + 1, dtype=np.int64)
    np.cumsum(invalid, out=bad_before[1:])
    # Sequence index of every position. Separators belong to the preceding sequence,
    # but every window covering one is invalid anyway; the extra slot is for a
    # trailing empty sequence, which starts at ``total``.
    seq_of = np.zeros(total + 1, dtype=np.int64)
    seq_of[starts[1:]] = 1
    np.cumsum(seq_of, out=seq_of)
    c64 = np.where(invalid, 0, codes).astype(np.int64)

    col = 0
    for kk, width in zip(ks, widths, strict=True):
        m = total - kk + 1  # number of windows
        if m <= 0:
            col += width
            continue
        window_code = np.zeros(m, dtype=np.int64)
        for j in range(kk):
            window_code *= 4
            window_code += c64[j : j + m]
        valid = (bad_before[kk : kk + m] - bad_before[:m]) == 0
        code = window_code[valid]
        if canonical:
            code = _canonical_map(kk)[0][code]
        flat = seq_of[:m][valid] * width + code
        counts = np.bincount(flat, minlength=n * width).reshape(n, width)
        block = out[:, col : col + width]
        if normalize:
            totals = counts.sum(axis=1, keepdims=True)
            np.divide(counts, totals, out=block, where=totals > 0)
        else:
            block[...] = counts
        col += width


# --------------------------------------------------------------------------- estimator


def unusable_sequences(
    seqs: Sequence[str], k: int = 4, min_nucleotide_fraction: float = 0.5
) -> dict[int, str]:
    """Sequences that give no k-mer spectrum worth the name, and why.

    A record with no countable k-mer becomes a row of zeros in
    :func:`kmer_spectrum` (``normalize`` then has nothing to divide); a model still
    predicts something for it, so callers that take files from users refuse such
    records by name instead.

    Parameters
    ----------
    seqs : sequence of str
        DNA or RNA sequences.
    k : int, default=4
        The shortest k-mer length that will be counted.
    min_nucleotide_fraction : float, default=0.5
        Below this share of ``A``/``C``/``G``/``T``/``U``/``N`` among its characters (gaps
        ``-``, ``.`` and stop ``*`` not counted) a record is taken for something
        other than DNA/RNA, e.g. a protein (about 25% of a protein's letters are
        A, C, G or T).

    Returns
    -------
    dict of int → str
        Index of every unusable sequence and the reason: ``"empty"``, ``"not
        DNA/RNA: …"`` or ``"no run of k A/C/G/T/U bases …"``. Empty when all are usable.

    Examples
    --------
    >>> bad = unusable_sequences(["ACGTACGT", "", "NNNNNNNN", "MKVLAAGIVGLLLAEQQPSS"])
    >>> for i, why in bad.items():
    ...     print(i, why)
    1 empty
    2 no run of 4 A/C/G/T/U bases (8 characters, 0 of them A/C/G/T/U)
    3 not DNA/RNA: 25% of its characters are A/C/G/T/U/N
    """
    seqs = list(seqs)
    counted = kmer_spectrum(seqs, k=k, normalize=False).sum(axis=1) if seqs else []
    out = {}
    for i, s in enumerate(seqs):
        length = len(s) - sum(s.count(c) for c in "-.*")
        upper = s.upper()
        bases = sum(upper.count(c) for c in "ACGTU")
        nucleotides = bases + upper.count("N")
        if length <= 0:
            out[i] = "empty"
        elif nucleotides < min_nucleotide_fraction * length:
            out[i] = (f"not DNA/RNA: {100 * nucleotides / length:.0f}% of its characters are "
                      "A/C/G/T/U/N")
        elif counted[i] == 0:
            out[i] = (f"no run of {k} A/C/G/T/U bases ({length} characters, {bases} of them "
                      "A/C/G/T/U)")
    return out


def _as_string_list(X) -> list[str]:
    """Coerce the supported containers of sequences to a list of str."""
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "KmerSpectrum expects a sequence of strings (list, array, Series or a one-column "
            "frame), got a single string; wrap it in a list"
        )
    # polars / pandas frames and series
    mod = type(X).__module__.split(".")[0]
    if mod in ("pandas", "polars"):
        if hasattr(X, "columns"):  # DataFrame
            if len(X.columns) != 1:
                raise ValueError(
                    f"KmerSpectrum expects one column of sequences, got a frame with "
                    f"{len(X.columns)} columns"
                )
            X = X[X.columns[0]] if mod == "pandas" else X.to_series(0)
        values = X.to_list() if mod == "polars" else X.tolist()
    else:
        arr = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
        if arr.ndim == 2:
            if arr.shape[1] != 1:
                raise ValueError(
                    f"KmerSpectrum expects one column of sequences, got shape {arr.shape}"
                )
            arr = arr[:, 0]
        elif arr.ndim != 1:
            raise ValueError(
                f"KmerSpectrum expects a 1-D or one-column 2-D input, got {arr.ndim}-D"
            )
        values = arr.tolist()
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise TypeError(
                f"KmerSpectrum needs sequences as str; element {i} is {type(v).__name__} "
                f"({v!r:.40})"
            )
    return values


class KmerSpectrum(TransformerMixin, BaseEstimator):
    """scikit-learn transformer: sequences (strings) → k-mer spectra.

    Stateless apart from recording the output width: :meth:`fit` learns nothing
    from the data, so it can sit at the head of any pipeline (including inside
    cross-validation) without leakage.

    Parameters
    ----------
    k : int or tuple of int, default=(4, 5)
        k-mer lengths, each in 1..6.
    canonical : bool, default=False
        Merge reverse complements.
    normalize : bool, default=True
        Per-``k`` frequencies (each block of a row sums to 1) instead of counts.

    Attributes
    ----------
    n_features_out_ : int
        Number of output columns.

    See Also
    --------
    kmer_spectrum : the function this transformer wraps (conventions on case, ``U``,
        skipped characters).

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import Ridge
    >>> seqs = ["ACGTACGTAA", "GGGCCCATAT", "ACGTTTTTAA", "GGGCCCGGGC"]
    >>> pipe = make_pipeline(KmerSpectrum(k=2), Ridge()).fit(seqs, [30.0, 70.0, 35.0, 80.0])
    >>> pipe.predict(["ACGTACGTTA"]).shape
    (1,)
    >>> KmerSpectrum(k=3, canonical=True).fit(seqs).get_feature_names_out()[:2]
    array(['k3_AAA', 'k3_AAC'], dtype=object)
    """

    def __init__(
        self,
        k: int | tuple[int, ...] = (4, 5),
        canonical: bool = False,
        normalize: bool = True,
    ) -> None:
        self.k = k
        self.canonical = canonical
        self.normalize = normalize

    def fit(self, X, y=None) -> KmerSpectrum:
        """Validate parameters and input; record the output width.

        Parameters
        ----------
        X : sequence of str
            List, numpy array of str/object, pandas or polars Series, or a 2-D
            array / frame with a single column of sequences.
        y : ignored

        Returns
        -------
        self : KmerSpectrum
        """
        _as_string_list(X)
        self.n_features_out_ = len(kmer_feature_names(self.k, self.canonical))
        return self

    def transform(self, X) -> np.ndarray:
        """k-mer spectra of the sequences.

        Parameters
        ----------
        X : sequence of str
            Same containers as :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_sequences, ``n_features_out_``), float64
        """
        check_is_fitted(self, "n_features_out_")
        return kmer_spectrum(
            _as_string_list(X), k=self.k, canonical=self.canonical, normalize=self.normalize
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output column names such as ``"k4_ACGT"``.

        Parameters
        ----------
        input_features : ignored
            Present for API compatibility.

        Returns
        -------
        ndarray of str (object dtype)
        """
        check_is_fitted(self, "n_features_out_")
        return np.asarray(kmer_feature_names(self.k, self.canonical), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
