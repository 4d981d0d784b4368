"""Tests of gramixc.bio: FASTA reading and k-mer spectra."""

from __future__ import annotations

import gzip
import io
import pickle
from itertools import product

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from gramixc.bio import KmerSpectrum, kmer_feature_names, kmer_spectrum, read_fasta

# ----------------------------------------------------------------------------- helpers

COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}


def naive_spectrum(seqs, k, canonical=False, normalize=True):
    """Reference implementation: a plain Python loop over positions."""
    blocks = []
    for kk in (k,) if isinstance(k, int) else k:
        words = ["".join(p) for p in product("ACGT", repeat=kk)]
        if canonical:
            reps = sorted({min(w, "".join(COMP[c] for c in reversed(w))) for w in words})
        else:
            reps = words
        col = {w: i for i, w in enumerate(reps)}
        block = np.zeros((len(seqs), len(reps)))
        for r, s in enumerate(seqs):
            s = s.upper().replace("U", "T")
            for i in range(len(s) - kk + 1):
                w = s[i : i + kk]
                if set(w) <= set("ACGT"):
                    if canonical:
                        w = min(w, "".join(COMP[c] for c in reversed(w)))
                    block[r, col[w]] += 1
        if normalize:
            tot = block.sum(axis=1, keepdims=True)
            block = np.divide(block, tot, out=np.zeros_like(block), where=tot > 0)
        blocks.append(block)
    return np.hstack(blocks)


def counts_by_name(row, k, canonical=False):
    names = kmer_feature_names(k, canonical)
    return {n: int(v) for n, v in zip(names, row, strict=True) if v}


# ----------------------------------------------------------------------------- kmer_spectrum


def test_counts_hand_computed():
    X = kmer_spectrum(["ACGTA", "AAAA"], k=2, normalize=False)
    assert X.shape == (2, 16)
    assert counts_by_name(X[0], 2) == {"k2_AC": 1, "k2_CG": 1, "k2_GT": 1, "k2_TA": 1}
    assert counts_by_name(X[1], 2) == {"k2_AA": 3}
    X1 = kmer_spectrum(["AACGT"], k=1, normalize=False)
    np.testing.assert_array_equal(X1, [[2, 1, 1, 1]])


def test_multiple_k_blocks_and_normalisation():
    X = kmer_spectrum(["AACGT", "GGGG"], k=(1, 3))
    assert X.shape == (2, 4 + 64)
    np.testing.assert_allclose(X[0, :4], [0.4, 0.2, 0.2, 0.2])
    # k=3 block of "AACGT": AAC, ACG, CGT -> 1/3 each
    assert counts_by_name(X[0, 4:] * 3, 3) == {"k3_AAC": 1, "k3_ACG": 1, "k3_CGT": 1}
    np.testing.assert_allclose(X[:, :4].sum(axis=1), 1.0)
    np.testing.assert_allclose(X[:, 4:].sum(axis=1), 1.0)
    # block order follows k's order
    Y = kmer_spectrum(["AACGT", "GGGG"], k=(3, 1))
    np.testing.assert_array_equal(Y[:, :64], X[:, 4:])
    assert X.dtype == np.float64 and X.flags.c_contiguous


def test_canonical_merging():
    X = kmer_spectrum(["AAAC"], k=2, canonical=True, normalize=False)
    assert X.shape == (1, 10)  # (16 + 4) / 2
    assert counts_by_name(X[0], 2, canonical=True) == {"k2_AA": 2, "k2_AC": 1}
    # a sequence and its reverse complement give the same canonical spectrum
    s = "ACGGTTTACGNNACGATTTAGCA"
    rc = "".join(COMP.get(c, "N") for c in reversed(s))
    np.testing.assert_array_equal(
        kmer_spectrum([s], k=(3, 4), canonical=True), kmer_spectrum([rc], k=(3, 4), canonical=True)
    )
    # TT (revcomp of AA) is named after AA
    X = kmer_spectrum(["TTT"], k=2, canonical=True, normalize=False)
    assert counts_by_name(X[0], 2, canonical=True) == {"k2_AA": 2}


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_canonical_feature_count(k):
    expected = 4**k // 2 if k % 2 else (4**k + 4 ** (k // 2)) // 2
    assert len(kmer_feature_names(k, canonical=True)) == expected
    assert kmer_spectrum(["ACGT"], k=k, canonical=True).shape == (1, expected)


def test_invalid_characters_are_skipped():
    X = kmer_spectrum(["ACNGT"], k=2, normalize=False)
    assert counts_by_name(X[0], 2) == {"k2_AC": 1, "k2_GT": 1}
    for bad in "NRYKM-.*? ":
        X = kmer_spectrum([f"AC{bad}GT"], k=2, normalize=False)
        assert counts_by_name(X[0], 2) == {"k2_AC": 1, "k2_GT": 1}, bad
    # normalisation only counts valid k-mers
    np.testing.assert_allclose(kmer_spectrum(["ACNGT"], k=2).sum(), 1.0)
    # non-ASCII characters are invalid, not a crash
    X = kmer_spectrum(["ACéGT"], k=2, normalize=False)
    assert counts_by_name(X[0], 2) == {"k2_AC": 1, "k2_GT": 1}


def test_u_as_t_and_case_insensitive():
    ref = kmer_spectrum(["ACGTTGCA"], k=(2, 3))
    for variant in ["ACGUUGCA", "acgttgca", "AcGuUgCa"]:
        np.testing.assert_array_equal(kmer_spectrum([variant], k=(2, 3)), ref)


def test_short_empty_and_all_invalid_sequences_give_zeros():
    seqs = ["AC", "", "NNNNNN", "ACGT"]
    for normalize in (True, False):
        X = kmer_spectrum(seqs, k=(3, 4), normalize=normalize)
        assert np.isfinite(X).all()
        np.testing.assert_array_equal(X[:3], 0.0)
    X = kmer_spectrum(seqs, k=(3, 4))
    np.testing.assert_allclose(X[3, :64].sum(), 1.0)
    assert kmer_spectrum([], k=4).shape == (0, 256)
    # whole input shorter than k
    np.testing.assert_array_equal(kmer_spectrum(["A", "C"], k=6), 0.0)


def test_no_kmers_across_sequence_boundaries():
    X = kmer_spectrum(["AC", "GT"], k=2, normalize=False)
    assert counts_by_name(X[0], 2) == {"k2_AC": 1}
    assert counts_by_name(X[1], 2) == {"k2_GT": 1}
    X = kmer_spectrum(["ACG", "", "T"], k=1, normalize=False)
    np.testing.assert_array_equal(X, [[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 1]])
    # empty sequences at either end
    X = kmer_spectrum(["", "", "GT", "", ""], k=1, normalize=False)
    np.testing.assert_array_equal(X.sum(axis=1), [0, 0, 2, 0, 0])
    np.testing.assert_array_equal(kmer_spectrum(["", ""], k=2), 0.0)


@pytest.mark.parametrize("canonical", [False, True])
def test_matches_naive_reference_on_random_sequences(canonical):
    rng = np.random.default_rng(0)
    alphabet = np.array(list("ACGTACGTACGTacgtuN-"))
    seqs = ["".join(rng.choice(alphabet, size=rng.integers(0, 60))) for _ in range(40)]
    for k in [1, 2, (3, 4), (5, 6), (6, 1)]:
        for normalize in (True, False):
            np.testing.assert_allclose(
                kmer_spectrum(seqs, k=k, canonical=canonical, normalize=normalize),
                naive_spectrum(seqs, k, canonical=canonical, normalize=normalize),
                err_msg=f"k={k} normalize={normalize}",
            )


def test_batching_gives_identical_rows(monkeypatch):
    import gramixc.bio as bio

    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGTN"), size=rng.integers(0, 40))) for _ in range(50)]
    ref = kmer_spectrum(seqs, k=(2, 3), canonical=True)
    monkeypatch.setattr(bio, "_BATCH_BASES", 16)  # many batches, some with one long row
    np.testing.assert_array_equal(kmer_spectrum(seqs, k=(2, 3), canonical=True), ref)


def test_docstring_examples():
    import doctest

    import gramixc.bio as bio

    result = doctest.testmod(bio)
    assert result.attempted > 5 and result.failed == 0


def test_input_errors():
    with pytest.raises(TypeError, match="single string"):
        kmer_spectrum("ACGT", k=2)
    with pytest.raises(TypeError, match=r"seqs\[1\]"):
        kmer_spectrum(["ACGT", 5], k=2)
    for bad_k in (0, 7, (4, 4), ()):
        with pytest.raises(ValueError):
            kmer_spectrum(["ACGT"], k=bad_k)
    for bad_k in (True, 2.0, "4", (4, None)):
        with pytest.raises(TypeError):
            kmer_spectrum(["ACGT"], k=bad_k)


def test_feature_names():
    names = kmer_feature_names((4, 5))
    assert len(names) == 256 + 1024
    assert names[0] == "k4_AAAA" and names[27] == "k4_ACGT" and names[-1] == "k5_TTTTT"
    assert kmer_feature_names(1, canonical=True) == ["k1_A", "k1_C"]
    assert (
        len(set(kmer_feature_names((1, 2, 3, 4, 5, 6), canonical=True)))
        == 2 + 10 + 32 + 136 + 512 + 2080
    )


# ----------------------------------------------------------------------------- KmerSpectrum

SEQS = ["ACGTACGTAAGG", "GGGCCCATATGC", "ACGTTTTTAAAC", "GGGCCCGGGCGC", "ATATATATAT", "GCGCGCAT"]
TOPT = [30.0, 70.0, 35.0, 80.0, 25.0, 75.0]


def test_transformer_in_pipeline():
    pipe = make_pipeline(KmerSpectrum(k=(1, 2)), Ridge(alpha=1e-3)).fit(SEQS, TOPT)
    pred = pipe.predict(SEQS)
    assert pred.shape == (6,)
    # GC-rich sequences are predicted hotter on the training data
    assert pred[3] > pred[4]
    ks = pipe[0]
    assert ks.n_features_out_ == 20
    assert list(ks.get_feature_names_out()[:5]) == ["k1_A", "k1_C", "k1_G", "k1_T", "k2_AA"]
    np.testing.assert_array_equal(ks.transform(SEQS), kmer_spectrum(SEQS, k=(1, 2)))


def test_transformer_params_clone_pickle():
    ks = KmerSpectrum(k=3, canonical=True, normalize=False)
    assert clone(ks).get_params() == {"k": 3, "canonical": True, "normalize": False}
    ks.fit(SEQS)
    again = pickle.loads(pickle.dumps(ks))
    np.testing.assert_array_equal(again.transform(SEQS), ks.transform(SEQS))
    assert ks.transform(SEQS).shape == (6, 32)
    with pytest.raises(NotFittedError):
        KmerSpectrum().transform(SEQS)


def test_transformer_accepts_containers():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    ref = KmerSpectrum(k=2).fit(SEQS).transform(SEQS)
    containers = [
        tuple(SEQS),
        np.array(SEQS),  # fixed-width unicode
        np.array(SEQS, dtype=object),
        np.array(SEQS, dtype=object).reshape(-1, 1),
        pd.Series(SEQS),
        pd.DataFrame({"seq": SEQS}),
        pl.Series("seq", SEQS),
        pl.DataFrame({"seq": SEQS}),
    ]
    for c in containers:
        np.testing.assert_array_equal(KmerSpectrum(k=2).fit(c).transform(c), ref, err_msg=type(c))


def test_transformer_set_output_pandas():
    pytest.importorskip("pandas")
    out = KmerSpectrum(k=1).set_output(transform="pandas").fit_transform(SEQS)
    assert list(out.columns) == ["k1_A", "k1_C", "k1_G", "k1_T"]


def test_transformer_errors():
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="single string"):
        KmerSpectrum().fit("ACGT")
    with pytest.raises(TypeError, match="element 1"):
        KmerSpectrum().fit(["ACGT", 3.5])
    with pytest.raises(TypeError, match="str"):
        KmerSpectrum().fit(np.zeros((4, 1)))
    with pytest.raises(ValueError, match="one column"):
        KmerSpectrum().fit(np.array([["A", "C"], ["G", "T"]]))
    with pytest.raises(ValueError, match="one column"):
        KmerSpectrum().fit(pd.DataFrame({"a": ["A"], "b": ["C"]}))
    with pytest.raises(TypeError, match="str"):
        KmerSpectrum().fit(pd.Series(["ACGT", None]))
    with pytest.raises(ValueError):
        KmerSpectrum(k=9).fit(SEQS)


# ----------------------------------------------------------------------------- read_fasta

FASTA = """>seq1 Thermus thermophilus HB8
ACGTACGT
acgu
>seq2
; a comment line

NNNN-ACG T
>seq3 empty record
"""


def test_read_fasta_text_file_and_gzip(tmp_path):
    expected = (
        ["seq1 Thermus thermophilus HB8", "seq2", "seq3 empty record"],
        ["ACGTACGTacgu", "NNNN-ACGT", ""],
    )
    plain = tmp_path / "x.fasta"
    plain.write_text(FASTA)
    assert read_fasta(plain) == expected
    assert read_fasta(str(plain)) == expected
    gz = tmp_path / "x.fa.gz"
    gz.write_bytes(gzip.compress(FASTA.encode()))
    assert read_fasta(gz) == expected
    # gzip detected by content, not suffix
    hidden = tmp_path / "y.fasta"
    hidden.write_bytes(gzip.compress(FASTA.encode()))
    assert read_fasta(hidden) == expected
    assert read_fasta(io.StringIO(FASTA)) == expected
    assert read_fasta(FASTA.splitlines()) == expected
    with open(plain) as fh:
        assert read_fasta(fh) == expected


def test_read_fasta_windows_line_endings(tmp_path):
    p = tmp_path / "crlf.fa"
    p.write_bytes(b">a x\r\nAC\r\nGT\r\n>b\r\nTT\r\n")
    assert read_fasta(p) == (["a x", "b"], ["ACGT", "TT"])


def test_read_fasta_malformed(tmp_path):
    with pytest.raises(ValueError, match="before the first"):
        read_fasta(io.StringIO("ACGT\n>a\nAC\n"))
    with pytest.raises(ValueError, match="line 3: empty FASTA header"):
        read_fasta(io.StringIO(">a\nAC\n>\nGT\n"))
    with pytest.raises(ValueError, match="no FASTA records"):
        read_fasta(io.StringIO(""))
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.fa"):
        read_fasta(empty)
    with pytest.raises(ValueError, match="before the first"):
        read_fasta(io.StringIO("@read1\nACGT\n+\nIIII\n"))  # FASTQ
    with pytest.raises(TypeError, match="bytes"):
        read_fasta(io.BytesIO(b">a\nAC\n"))
    with pytest.raises(FileNotFoundError):
        read_fasta(tmp_path / "missing.fa")


def test_read_fasta_feeds_kmer_spectrum(tmp_path):
    p = tmp_path / "x.fa"
    p.write_text(FASTA)
    _, seqs = read_fasta(p)
    X = kmer_spectrum(seqs, k=2, normalize=False)
    assert counts_by_name(X[1], 2) == {"k2_AC": 1, "k2_CG": 1, "k2_GT": 1}
    np.testing.assert_array_equal(X[2], 0)
