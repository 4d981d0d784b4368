import numpy as np
import pytest

from gramixc import ConfigurationExtractor
from gramixc.mixing import (
    CLASS_COLUMNS,
    MAX_CONFIGURATIONS,
    cluster_cap,
    fit_mixed,
    neighbor_sizes,
    select_configurations,
    supervised_extractor,
)
from gramixc.synthetic import make_hierarchical_blobs


def test_select_configurations():
    assert select_configurations("auto", 40).size == MAX_CONFIGURATIONS
    assert select_configurations("all", 40).size == 40
    assert select_configurations(3, 10).size == 3
    assert select_configurations([-1, 0, 0], 5).tolist() == [0, 4]
    assert select_configurations("auto", 40, n_classes=30).size == max(1, CLASS_COLUMNS // 30)
    assert select_configurations("all", 40, n_classes=30).size == 40  # explicit wins
    with pytest.raises(ValueError, match="indices"):
        select_configurations([7], 5)


def test_neighbor_sizes_fit_the_folds():
    assert neighbor_sizes((5, 15, 50, 150), 1000, 5) == [5, 15, 50, 150]
    assert neighbor_sizes((5, 15, 50, 150), 60, 5) == [5, 15]
    assert neighbor_sizes((50,), 20, 2) == [5]  # shrunk to half of a fold's rest
    assert neighbor_sizes((), 100, 5) == []


def test_the_default_extractor_and_a_given_one():
    X, _, _ = make_hierarchical_blobs(n_per_cluster=30, random_state=0)
    n = len(X)
    ext = supervised_extractor(n, seed=3)
    assert ext.refine is False and ext.max_clusters == cluster_cap(n) == n // 10
    assert ext.min_cluster_size == max(5.0, n / cluster_cap(n))
    given = ConfigurationExtractor(k=10, metric="cosine")
    mixed = fit_mixed(X, None, given, "auto", seed=7)
    # cloned (the user's object untouched), capped, seeded; the rest as given
    assert given.max_clusters is None and given.random_state is None
    assert mixed.extractor.max_clusters == cluster_cap(n)
    assert mixed.extractor.random_state == 7 and mixed.extractor.k == 10
    assert mixed.n_clusters.max() <= cluster_cap(n)
    assert mixed.ids.shape == (n, len(mixed.selected)) == (n, len(mixed.names))
    seeded = fit_mixed(X, None, ConfigurationExtractor(random_state=1), "auto", seed=7)
    assert seeded.extractor.random_state == 1


def test_max_clusters_ends_the_extractors_grid():
    X, _, _ = make_hierarchical_blobs(n_per_cluster=30, random_state=0)
    full = ConfigurationExtractor(random_state=0, refine=False).fit(X)
    capped = ConfigurationExtractor(random_state=0, refine=False, max_clusters=10).fit(X)
    # the grid's runs all land below the finest scale kept (the same number of runs,
    # spread over the range that matters); the coarsest scales alike
    assert capped.sweep_.gamma_range[1] < full.sweep_.gamma_range[1]
    assert len(capped.sweep_.run_gammas) <= len(full.sweep_.run_gammas) + 2
    assert capped.configurations_.n_clusters.max() <= 10
    np.testing.assert_array_equal(capped.configurations_.ids[:, 0],
                                  full.configurations_.ids[:, 0])
