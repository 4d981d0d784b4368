#!/usr/bin/env python
"""Build the 16S NCBI table that ``gramixc.datasets.load_16s_ncbi`` reads.

Inputs (``bash benchmarks/setup_data.sh`` installs them and then runs this script):

* the BLAST database ``Combined16SrRNA`` from Debian ``ncbi-rrna-data``
  (``/usr/share/ncbi/data/Combined16SrRNA.*``, 220,243 rRNA entries), dumped with
  ``blastdbcmd`` from Debian ``ncbi-blast+``;
* ``gcT.rda`` from Debian ``r-cran-seqinr``
  (``/usr/lib/R/site-library/seqinr/data/gcT.rda``), read with PyPI ``rdata``.

Entries whose description names another rRNA or a spacer (``23S``, ``5S``, ``18S``,
``LSU``, ``intergenic``, ``ITS``...) are dropped: the database mixes in 23S genes of
sequenced genomes. The others are joined by binomial name
(``_sixteen_s_sources.binomial_key``) to gcT's Topt and kept in database order, with
no length filter (the loader applies ``min_length``/``max_length``); repeated ids get
``#2``, ``#3``... The output is a gzipped TSV with columns ``id, species, topt,
sequence``, written with gzip mtime 0 so a rebuild is byte-identical, by default to
the loader's cache, ``<cache dir>/16s_ncbi_v1.tsv.gz`` (``$GRAMIXC_CACHE_DIR``, else
``$XDG_CACHE_HOME/gramixc``, else ``~/.cache/gramixc``).

Usage::

    python scripts/build_16s_ncbi.py [--db PATH] [--gct PATH] [--out PATH] [--if-missing]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sixteen_s_sources import (  # noqa: E402
    SETUP_HINT,
    join_topt,
    read_gct_topt,
    source_path,
    write_table,
)

from gramixc.datasets import ncbi_cache_path  # noqa: E402

#: Descriptions naming another rRNA (or spacer) are not 16S sequences.
_NOT_16S = re.compile(
    r"\b(23S|28S|18S|26S|25S|5\.8S|5S|LSU|large subunit|intergenic|spacer|ITS\d?)\b",
    re.IGNORECASE,
)


def _blastdbcmd() -> str:
    """Path of ``blastdbcmd`` or a FileNotFoundError naming its Debian package."""
    exe = shutil.which("blastdbcmd")
    if exe is None:
        raise FileNotFoundError(
            "the 16S NCBI table needs blastdbcmd from the Debian package 'ncbi-blast+': "
            f"sudo apt-get install ncbi-blast+  (or: {SETUP_HINT})"
        )
    return exe


def _blast_records(db: Path, exe: str | None = None) -> Iterable[tuple[str, str, str]]:
    """(id, description, sequence) of every entry of a BLAST nucleotide database."""
    cmd = [exe or _blastdbcmd(), "-db", str(db), "-entry", "all", "-outfmt", "%o\t%t\t%s"]
    with subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            oid, rest = line.rstrip("\n").split("\t", 1)
            title, seq = rest.rsplit("\t", 1)
            parts = title.split(None, 1)
            yield parts[0] if parts else f"oid{oid}", parts[1] if len(parts) > 1 else "", seq
        err = proc.stderr.read() if proc.stderr else ""
        if proc.wait() != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()}")


def build_16s_ncbi_table(
    db: str | os.PathLike | None = None,
    gct: str | os.PathLike | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> list[tuple[str, str, float, str]]:
    """Join the NCBI ``Combined16SrRNA`` BLAST db to gcT Topt (no length filter).

    Parameters
    ----------
    db : path-like or None
        The BLAST database (its path without ``.nsq``); default: the Debian
        ``ncbi-rrna-data`` copy.
    gct : path-like or None
        ``gcT.rda``; default: the Debian ``r-cran-seqinr`` copy.
    log : callable, default: silent
        Receives one progress line at a time.

    Returns
    -------
    list of (id, species, topt, sequence)

    Raises
    ------
    ImportError
        If the PyPI package ``rdata`` is missing.
    FileNotFoundError
        If ``blastdbcmd``, the database or ``gcT.rda`` is missing; the message names
        the package to install.
    """
    db_path = source_path("ncbi_16s_db", db)
    exe = _blastdbcmd()  # both checked before the slower steps
    topt = read_gct_topt(gct)
    log(f"gcT: {len(topt)} species with a Topt")
    counts = {"entries": 0, "not_16s": 0}

    def records() -> Iterable[tuple[str, str, str]]:
        for rid, desc, seq in _blast_records(db_path, exe):
            counts["entries"] += 1
            if counts["entries"] % 50_000 == 0:
                log(f"  ... {counts['entries']:,} entries read")
            if _NOT_16S.search(desc):
                counts["not_16s"] += 1
                continue
            yield rid, desc, seq

    log(f"blastdbcmd: dumping {db_path}")
    rows = join_topt(records(), topt)
    log(
        f"{counts['entries']:,} entries, {counts['not_16s']:,} dropped as another rRNA or a "
        f"spacer -> {len(rows):,} sequences of {len({r[1] for r in rows})} gcT species"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    default_out = ncbi_cache_path()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default=None, help="BLAST db without .nsq (default: Debian ncbi-rrna-data)"
    )
    parser.add_argument("--gct", default=None, help="gcT.rda (default: Debian r-cran-seqinr)")
    parser.add_argument(
        "--out", default=str(default_out), help=f"output table (default: {default_out})"
    )
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing when --out already exists"
    )
    args = parser.parse_args(argv)

    out = Path(args.out)
    if args.if_missing and out.exists():
        print(f"{out} exists; not rebuilt (drop --if-missing to rebuild)")
        return 0
    t0 = time.perf_counter()
    try:
        rows = build_16s_ncbi_table(args.db, args.gct, log=lambda msg: print(msg, flush=True))
    except (ImportError, FileNotFoundError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    write_table(out, rows)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    print(
        f"wrote {out} ({out.stat().st_size} bytes, sha256 {digest}) "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
