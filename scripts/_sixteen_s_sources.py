"""The Debian/R sources of the 16S tables and their join with Topt.

Shared by ``scripts/build_16s_gold.py`` and ``scripts/build_16s_ncbi.py`` (application
code, not installed with gramixc): where the Debian packages put their files
(:data:`SOURCES`), seqinr's ``gcT`` optimal growth temperatures
(:func:`read_gct_topt`), the binomial-name rule that joins sequences to them
(:func:`binomial_key`, :func:`join_topt`) and the reproducible gzipped TSV that both
scripts write (:func:`write_table`). The tables are read back by
``gramixc.datasets.load_16s_gold`` and ``load_16s_ncbi``.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

SETUP_HINT = "bash benchmarks/setup_data.sh"

#: Where the Debian packages put the inputs. Each entry lists candidate paths, the
#: first existing one wins; a script option (:data:`_OPTIONS`) or a monkeypatched
#: entry points at another copy.
SOURCES: dict[str, tuple[str, ...]] = {
    "gold_fasta": ("/usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta",),
    "gct": (
        "/usr/lib/R/site-library/seqinr/data/gcT.rda",
        "/usr/local/lib/R/site-library/seqinr/data/gcT.rda",
        "/usr/lib/R/library/seqinr/data/gcT.rda",
    ),
    # a BLAST database is named by its path without the .nsq/.nhr/.nin suffix
    "ncbi_16s_db": ("/usr/share/ncbi/data/Combined16SrRNA",),
}

#: Debian package that provides each entry of :data:`SOURCES`.
_PACKAGES = {
    "gold_fasta": "microbiomeutil-data",
    "gct": "r-cran-seqinr",
    "ncbi_16s_db": "ncbi-rrna-data",
}

#: What each entry is, and the build-script option that overrides it.
_WHAT = {
    "gold_fasta": ("the 16S gold FASTA", "--fasta"),
    "gct": ("the gcT Topt table", "--gct"),
    "ncbi_16s_db": ("the NCBI 16S BLAST database", "--db"),
}

_find_spec = importlib.util.find_spec  # indirection so tests can simulate a missing package


def source_path(key: str, path: str | os.PathLike | None = None) -> Path:
    """The input ``key`` of :data:`SOURCES`: ``path`` if given, else the first that exists.

    Parameters
    ----------
    key : {"gold_fasta", "gct", "ncbi_16s_db"}
    path : path-like or None
        An explicit copy (a script option); used as given.

    Returns
    -------
    Path

    Raises
    ------
    FileNotFoundError
        If ``path`` is None and no candidate exists; the message names the Debian
        package to install.
    """
    if path is not None:
        return Path(path)
    candidates = SOURCES[key]
    if isinstance(candidates, (str, os.PathLike)):
        candidates = (candidates,)
    for c in candidates:
        p = Path(c)
        if p.exists() or (key == "ncbi_16s_db" and p.with_suffix(".nsq").exists()):
            return p
    pkg = _PACKAGES[key]
    what, option = _WHAT[key]
    raise FileNotFoundError(
        f"{what} needs the Debian package {pkg!r}, not found at "
        f"{', '.join(map(str, candidates))}. Install it with: "
        f"sudo apt-get install {pkg}  (or: {SETUP_HINT}), or pass {option} PATH to a copy."
    )


# --------------------------------------------------------------------------- binomial names

_BINOMIAL_TOKEN = re.compile(r"[A-Z][A-Z-]*\Z")
_PLACEHOLDER_EPITHETS = frozenset({"SP", "SPP", "SPEC", "BACTERIUM", "ENDOSYMBIONT"})


def binomial_key(description: str) -> tuple[str, str] | None:
    """Binomial name key of a sequence description, for the join with ``gcT``.

    The matching rule (used for both 16S sets and the ``gcT`` table):

    1. remove ``[``, ``]``, ``'`` and ``"`` (e.g. ``[Clostridium] leptum``);
    2. split on whitespace and drop a leading ``Candidatus``;
    3. take the first two words, upper-case them and strip trailing ``.,;:``;
    4. both words must consist of letters (the epithet may also contain ``-``),
       and the epithet must not be a placeholder (``sp.``, ``spp.``, ``bacterium``),
       otherwise there is no key. gcT's own placeholder rows (``BDELLOVIBRIO SP``,
       ``CAMPYLOBACTER SP``, ``LEPTOTHRIX SP.``, ``SYNECHOCYSTIS SP``) are therefore
       dropped, as are unnamed sequences such as ``Campylobacter sp. X1``.

    Matching is then exact on (GENUS, EPITHET): no synonymy, no fuzzy spelling, no
    genus reassignments (``Geobacillus stearothermophilus`` does not match gcT's
    ``BACILLUS STEAROTHERMOPHILUS``); subspecies inherit the species' Topt.

    Parameters
    ----------
    description : str
        Organism name or FASTA description, starting with the genus.

    Returns
    -------
    tuple of (str, str) or None

    Examples
    --------
    >>> binomial_key("Thermus thermophilus HB8, complete genome.")
    ('THERMUS', 'THERMOPHILUS')
    >>> binomial_key("Candidatus Phytoplasma japonicum (T); AB010425")
    ('PHYTOPLASMA', 'JAPONICUM')
    >>> binomial_key("uncultured") is None
    True
    """
    cleaned = description.translate(str.maketrans("", "", "[]'\""))
    toks = cleaned.split()
    if toks and toks[0].lower() == "candidatus":
        toks = toks[1:]
    if len(toks) < 2:
        return None
    genus = toks[0].upper().rstrip(".,;:")
    epithet = toks[1].upper().rstrip(".,;:")
    if not (_BINOMIAL_TOKEN.match(genus) and _BINOMIAL_TOKEN.match(epithet)):
        return None
    if epithet in _PLACEHOLDER_EPITHETS:
        return None
    return genus, epithet


def species_label(key: tuple[str, str]) -> str:
    """Display name of a binomial key.

    Parameters
    ----------
    key : tuple of (str, str)
        ``(GENUS, EPITHET)`` from :func:`binomial_key`.

    Returns
    -------
    str

    Examples
    --------
    >>> species_label(("THERMUS", "AQUATICUS"))
    'Thermus aquaticus'
    """
    return f"{key[0].capitalize()} {key[1].lower()}"


# --------------------------------------------------------------------------- gcT and the join


def read_gct_topt(path: str | os.PathLike | None = None) -> dict[tuple[str, str], float]:
    """Optimal growth temperature by species from seqinr's ``gcT.rda``.

    Parameters
    ----------
    path : path-like or None
        The ``gcT.rda`` file; default: the Debian ``r-cran-seqinr`` copy
        (:data:`SOURCES` ``["gct"]``).

    Returns
    -------
    dict
        ``{(GENUS, EPITHET): Topt °C}`` from ``gcT$species`` (772 rows, 766 distinct
        names; the 6 duplicated names carry equal Topt and are averaged). The four
        rows whose epithet is a placeholder (``SP``) are dropped: 762 species.

    Raises
    ------
    ImportError
        If the PyPI package ``rdata`` is missing (``pip install rdata``).
    FileNotFoundError
        If ``gcT.rda`` is missing (``sudo apt-get install r-cran-seqinr``).
    """
    if _find_spec("rdata") is None:
        raise ImportError(
            "reading gcT.rda (the 16S Topt table) needs the PyPI package 'rdata': "
            f"pip install rdata  (or: {SETUP_HINT})"
        )
    import rdata

    p = source_path("gct", path)
    table = rdata.read_rda(str(p))["gcT"]["species"]
    acc: dict[tuple[str, str], list[float]] = {}
    for genus, epithet, topt in zip(
        table["Genus"].astype(str), table["species"].astype(str), table["Topt"], strict=True
    ):
        key = binomial_key(f"{genus} {epithet}")
        if key is None or not np.isfinite(topt):
            continue
        acc.setdefault(key, []).append(float(topt))
    return {k: float(np.mean(v)) for k, v in acc.items()}


def join_topt(
    records: Iterable[tuple[str, str, str]], topt: dict[tuple[str, str], float]
) -> list[tuple[str, str, float, str]]:
    """Keep the records whose binomial name has a Topt.

    Parameters
    ----------
    records : iterable of (id, description, sequence)
    topt : dict
        From :func:`read_gct_topt`.

    Returns
    -------
    list of (id, species, topt, sequence)
        In input order; ids made unique by appending ``#2``, ``#3``... to repeats.
    """
    out = []
    seen: dict[str, int] = {}
    for rid, desc, seq in records:
        key = binomial_key(desc)
        if key is None or key not in topt:
            continue
        n = seen.get(rid, 0) + 1
        seen[rid] = n
        out.append((rid if n == 1 else f"{rid}#{n}", species_label(key), topt[key], seq))
    return out


HEADER = ("id", "species", "topt", "sequence")


def write_table(
    path: str | os.PathLike, rows: Sequence[Sequence], header: Sequence[str] = HEADER
) -> None:
    """Write a gzipped TSV reproducibly (gzip mtime 0) and atomically.

    Parameters
    ----------
    path : path-like
        The ``.tsv.gz`` file; its folder is created if needed.
    rows : sequence of sequences
        The table's rows.
    header : sequence of str, default=("id", "species", "topt", "sequence")
        The column names, the columns ``gramixc.datasets`` reads.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        with (
            open(tmp, "wb") as raw,
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
        ):
            with io.TextIOWrapper(gz, encoding="utf-8", newline="") as fh:
                w = csv.writer(fh, delimiter="\t", lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
