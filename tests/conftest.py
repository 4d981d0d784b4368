import os

# The suite runs in 2 xdist workers on 2 cores: one thread per worker for every
# OpenMP/BLAS/torch pool, otherwise torch, XGBoost and HistGradientBoosting
# oversubscribe the cores and a 10 s test takes minutes (measured: 217 s).
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402


def pytest_configure(config):
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def hier_blobs():
    """3 super-clusters × 3 touching sub-clusters (900 rows, 8 features)."""
    from gramixc.synthetic import make_hierarchical_blobs

    return make_hierarchical_blobs(random_state=0)


@pytest.fixture(scope="session")
def hier_extractor(hier_blobs):
    from gramixc import ConfigurationExtractor

    X, _, _ = hier_blobs
    return ConfigurationExtractor(random_state=0).fit(X)


@pytest.fixture(scope="session")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X, y
