#!/usr/bin/env python
"""Rebuild ``gramixc/data/16s_gold.tsv.gz`` from the Debian sources.

Inputs (``bash benchmarks/setup_data.sh`` installs them):

* ``rRNA16S.gold.fasta`` from Debian ``microbiomeutil-data``
  (``/usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta``, 5,181 records);
* ``gcT.rda`` from Debian ``r-cran-seqinr``
  (``/usr/lib/R/site-library/seqinr/data/gcT.rda``), read with PyPI ``rdata``.

Every FASTA record whose binomial name (``_sixteen_s_sources.binomial_key``: first two
words of the description after the id, ``Candidatus`` and brackets dropped,
upper-cased, exact match) is in ``gcT$species`` is kept, in FASTA order, with its
id (first word of the header), the species name, Topt (°C) and the sequence
(upper-cased; it keeps its few N/IUPAC codes). The output is a gzipped TSV with
columns ``id, species, topt, sequence``, written with gzip mtime 0 so a rebuild is
byte-identical.

Usage::

    python scripts/build_16s_gold.py [--fasta PATH] [--gct PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sixteen_s_sources import join_topt, read_gct_topt, source_path, write_table  # noqa: E402

from gramixc.bio import read_fasta  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fasta", default=None, help="rRNA16S.gold.fasta (default: Debian microbiomeutil-data)"
    )
    parser.add_argument("--gct", default=None, help="gcT.rda (default: Debian r-cran-seqinr)")
    parser.add_argument("--out", default=str(ROOT / "gramixc" / "data" / "16s_gold.tsv.gz"))
    args = parser.parse_args(argv)

    topt = read_gct_topt(args.gct)
    headers, seqs = read_fasta(source_path("gold_fasta", args.fasta))
    records = []
    for header, seq in zip(headers, seqs, strict=True):
        parts = header.split(None, 1)
        records.append((parts[0], parts[1] if len(parts) > 1 else "", seq.upper()))
    rows = join_topt(records, topt)
    write_table(args.out, rows)

    n_species = len({r[1] for r in rows})
    digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()[:16]
    print(
        f"{len(headers)} FASTA records, {len(topt)} gcT species -> {len(rows)} sequences, "
        f"{n_species} species; wrote {args.out} ({Path(args.out).stat().st_size} bytes, "
        f"sha256 {digest})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
