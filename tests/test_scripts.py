"""The 16S table builders (``scripts/``: application code outside the package).

``scripts/_sixteen_s_sources.py`` (the Debian/R sources and the Topt join) is always
tested on small inputs; the builds from the real Debian files run when the packages
are installed and are otherwise skipped, while their "missing source" errors are
always tested by pointing the lookups at nothing.
"""

from __future__ import annotations

import doctest
import gzip
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import _sixteen_s_sources as sources  # noqa: E402
import build_16s_ncbi  # noqa: E402
from _sixteen_s_sources import binomial_key, join_topt, read_gct_topt, write_table  # noqa: E402

from gramixc import datasets  # noqa: E402


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _have_path(key: str) -> bool:
    return any(Path(p).exists() or Path(p + ".nsq").exists() for p in sources.SOURCES[key])


HAVE_GCT = _have("rdata") and _have_path("gct")
HAVE_NCBI = HAVE_GCT and _have_path("ncbi_16s_db") and shutil.which("blastdbcmd") is not None


def _nowhere(monkeypatch, tmp_path, *keys):
    for key in keys:
        monkeypatch.setitem(sources.SOURCES, key, (str(tmp_path / "nowhere" / key),))


def _missing(monkeypatch, *modules):
    real = sources._find_spec
    monkeypatch.setattr(
        sources, "_find_spec", lambda name, *a: None if name in modules else real(name, *a)
    )


# ----------------------------------------------------------------------------- the join


def test_docstring_examples():
    res = doctest.testmod(sources)
    assert res.attempted >= 4 and res.failed == 0


def test_binomial_key_rule():
    assert binomial_key("Thermus thermophilus HB8, complete genome.") == ("THERMUS", "THERMOPHILUS")
    assert binomial_key("S000002740 Methylococcus capsulatus (T)".split(None, 1)[1]) == (
        "METHYLOCOCCUS",
        "CAPSULATUS",
    )
    assert binomial_key("[Clostridium] leptum DSM 753") == ("CLOSTRIDIUM", "LEPTUM")
    assert binomial_key("Candidatus Phytoplasma japonicum") == ("PHYTOPLASMA", "JAPONICUM")
    assert binomial_key("  bacillus   SUBTILIS ") == ("BACILLUS", "SUBTILIS")
    assert binomial_key("Bradyrhizobium japonicum, LMG 6138T") == ("BRADYRHIZOBIUM", "JAPONICUM")
    assert binomial_key("Campylobacter sp. X1") is None
    assert binomial_key("Uncultured bacterium clone 12") is None
    assert binomial_key("Escherichia") is None
    assert binomial_key("") is None
    assert binomial_key("Mycoplasma 16S ribosomal RNA") is None


def test_join_topt_keeps_matches_and_unique_ids():
    topt = {("THERMUS", "AQUATICUS"): 70.0, ("BACILLUS", "SUBTILIS"): 30.0}
    recs = [
        ("a", "Thermus aquaticus YT-1", "ACGT"),
        ("b", "Escherichia coli K-12", "GGGG"),
        ("a", "Thermus aquaticus YT-1 copy 2", "ACGA"),
        ("c", "Bacillus sp. 7", "TTTT"),
        ("d", "bacillus subtilis subsp. spizizenii", "CCCC"),
    ]
    assert join_topt(recs, topt) == [
        ("a", "Thermus aquaticus", 70.0, "ACGT"),
        ("a#2", "Thermus aquaticus", 70.0, "ACGA"),
        ("d", "Bacillus subtilis", 30.0, "CCCC"),
    ]


def test_write_table_is_reproducible_and_loadable(tmp_path):
    rows = [("x", "Thermus aquaticus", 70.0, "ACGT" * 300), ("y", "Bacillus subtilis", 30, "")]
    write_table(tmp_path / "a.tsv.gz", rows)
    write_table(tmp_path / "b.tsv.gz", rows, ("id", "species", "topt", "sequence"))
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.tsv.gz").read_bytes()
    assert not list(tmp_path.glob("*.tmp"))
    with gzip.open(tmp_path / "a.tsv.gz", "rt") as fh:
        assert fh.readline() == "id\tspecies\ttopt\tsequence\n"
    # what the builder writes is what the loader reads
    write_table(datasets.ncbi_cache_path(tmp_path / "cache"), rows)
    ds = datasets.load_16s_ncbi(cache_dir=tmp_path / "cache", return_sequences=True)
    assert ds.ids == ["x"] and ds.y.tolist() == [70.0] and ds.group_names == ["Thermus aquaticus"]


def test_not_16s_filter():
    drop = [
        "Escherichia coli 23S ribosomal RNA",
        "Bacillus subtilis 16S-23S intergenic spacer",
        "Thermus aquaticus 5S rRNA",
        "Saccharomyces cerevisiae 18S rRNA",
        "Vibrio cholerae ITS1",
        "Pyrococcus furiosus large subunit ribosomal RNA",
    ]
    keep = [
        "Thermus aquaticus strain YT-1 16S ribosomal RNA, partial sequence",
        "Mycoplasma genitalium G37 16S rRNA",
    ]
    assert all(build_16s_ncbi._NOT_16S.search(d) for d in drop)
    assert not any(build_16s_ncbi._NOT_16S.search(d) for d in keep)


# ----------------------------------------------------------------------------- missing sources


def test_gct_missing_sources(monkeypatch, tmp_path):
    _nowhere(monkeypatch, tmp_path, "gct")
    _missing(monkeypatch, "rdata")
    with pytest.raises(ImportError, match="pip install rdata.*setup_data"):
        read_gct_topt()
    monkeypatch.undo()
    if _have("rdata"):
        _nowhere(monkeypatch, tmp_path, "gct")
        with pytest.raises(FileNotFoundError, match=r"apt-get install r-cran-seqinr.*--gct"):
            read_gct_topt()


def test_ncbi_missing_sources(monkeypatch, tmp_path, capsys):
    out = tmp_path / "out.tsv.gz"
    _nowhere(monkeypatch, tmp_path, "ncbi_16s_db")
    with pytest.raises(FileNotFoundError, match=r"apt-get install ncbi-rrna-data.*--db"):
        build_16s_ncbi.build_16s_ncbi_table()
    monkeypatch.setitem(sources.SOURCES, "ncbi_16s_db", (str(tmp_path),))  # exists
    monkeypatch.setenv("PATH", "")
    with pytest.raises(FileNotFoundError, match="apt-get install ncbi-blast\\+"):
        build_16s_ncbi.build_16s_ncbi_table()
    # the script reports it as one line and writes nothing
    assert build_16s_ncbi.main(["--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "sudo apt-get install ncbi-blast+" in err
    monkeypatch.undo()
    _missing(monkeypatch, "rdata")
    monkeypatch.setitem(sources.SOURCES, "ncbi_16s_db", (str(tmp_path),))
    if shutil.which("blastdbcmd"):
        assert build_16s_ncbi.main(["--out", str(out)]) == 1
        assert "pip install rdata" in capsys.readouterr().err
    assert not out.exists()


def test_ncbi_if_missing_and_default_out(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GRAMIXC_CACHE_DIR", str(tmp_path))
    target = tmp_path / "16s_ncbi_v1.tsv.gz"
    assert datasets.ncbi_cache_path() == target
    target.write_bytes(b"kept")
    _nowhere(monkeypatch, tmp_path, "gct", "ncbi_16s_db")  # would fail if it rebuilt
    assert build_16s_ncbi.main(["--if-missing"]) == 0
    assert "not rebuilt" in capsys.readouterr().out and target.read_bytes() == b"kept"


# ----------------------------------------------------------------------------- real sources


@pytest.mark.skipif(not HAVE_GCT, reason="needs rdata + Debian r-cran-seqinr")
def test_read_gct_topt():
    topt = read_gct_topt()
    assert len(topt) == 762
    assert topt[("THERMUS", "AQUATICUS")] > 60
    assert all(10 <= v <= 110 for v in topt.values())


@pytest.mark.skipif(
    not (HAVE_GCT and _have_path("gold_fasta")),
    reason="needs rdata + Debian microbiomeutil-data and r-cran-seqinr",
)
def test_build_16s_gold_reproduces_shipped_table(tmp_path):
    out = tmp_path / "gold.tsv.gz"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_16s_gold.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (ROOT / "gramixc" / "data" / "16s_gold.tsv.gz").read_bytes()


@pytest.mark.skipif(
    not HAVE_NCBI, reason="needs rdata + Debian r-cran-seqinr, ncbi-rrna-data, ncbi-blast+"
)
def test_build_16s_ncbi_then_load(monkeypatch, tmp_path):
    out = datasets.ncbi_cache_path(tmp_path)
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_16s_ncbi.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GRAMIXC_CACHE_DIR": str(tmp_path / "unused")},
    )
    assert "220,243 entries" in res.stdout and f"wrote {out}" in res.stdout
    assert not (tmp_path / "unused").exists()  # --out wins over the default
    # loading needs only the table: no blastdbcmd, no Debian files
    monkeypatch.setenv("PATH", "")
    _nowhere(monkeypatch, tmp_path, "gct", "ncbi_16s_db")
    ds = datasets.load_16s_ncbi(cache_dir=tmp_path, k=4)
    assert 4_500 < ds.n_samples < 6_500
    assert 10 <= ds.y.min() and ds.y.max() <= 110
    assert len(ds.group_names) > 400
    for g in np.unique(ds.groups):  # Topt is a species property
        assert np.ptp(ds.y[ds.groups == g]) == 0
    seqs = datasets.load_16s_ncbi(
        cache_dir=tmp_path, return_sequences=True, min_length=1400, max_length=1600
    )
    lengths = np.array([len(s) for s in seqs.X])
    assert lengths.min() >= 1400 and lengths.max() <= 1600 and seqs.n_samples < ds.n_samples
    default = datasets.ncbi_cache_path()
    if default.exists():  # the table the benchmarks use is what the script builds
        with gzip.open(out, "rb") as a, gzip.open(default, "rb") as b:
            assert a.read() == b.read()
