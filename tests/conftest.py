import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


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
