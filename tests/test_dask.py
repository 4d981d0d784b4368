"""The dask path: the sweep on a LocalCluster of processes, chunk-wise transform/predict."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

import joblib  # noqa: E402

from gramixc import ConfigurationExtractor, GraMixC  # noqa: E402
from gramixc.synthetic import make_cluster_regression, make_hierarchical_blobs  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _graphs_on_worker() -> int:
    from gramixc import leiden

    return len(leiden._DASK_GRAPHS)


def test_sweep_on_the_cluster_gives_the_single_machine_configurations(client):
    from gramixc import _dask

    X, _, _ = make_hierarchical_blobs(n_per_cluster=40, random_state=0)
    local = ConfigurationExtractor(random_state=0).fit(X)
    with joblib.parallel_backend("dask"):
        assert _dask.active_client() is client
        on_dask = ConfigurationExtractor(n_jobs=-1, random_state=0).fit(X)
    assert _dask.active_client() is None
    np.testing.assert_array_equal(on_dask.configurations_.ids, local.configurations_.ids)
    np.testing.assert_array_equal(on_dask.configurations_.n_clusters,
                                  local.configurations_.n_clusters)
    # the runs went to the workers: each built the sweep's graph once and kept it
    built = client.run(_graphs_on_worker)
    assert sum(built.values()) >= 1
    # resampled partitions (leiden_runs) take the same path, with the same result
    with joblib.parallel_backend("dask"):
        bags = on_dask.resample([0, 2], n_seeds=2, random_state=1)
    for a, b in zip(bags, local.resample([0, 2], n_seeds=2, random_state=1)):
        np.testing.assert_array_equal(a, b)


def test_curve_layout_on_the_cluster_matches_the_single_machine(client):
    # the large-graph layout (side-by-side walks, grid along the curve), forced on a
    # small graph: its rounds go to the workers and give the same sweep
    X, _, _ = make_hierarchical_blobs(n_per_cluster=30, random_state=1)
    kw = dict(spacing="curve", refine=False, random_state=0)
    local = ConfigurationExtractor(**kw).fit(X)
    with joblib.parallel_backend("dask"):
        on_dask = ConfigurationExtractor(n_jobs=-1, **kw).fit(X)
    np.testing.assert_array_equal(on_dask.sweep_.run_gammas, local.sweep_.run_gammas)
    np.testing.assert_array_equal(on_dask.configurations_.ids, local.configurations_.ids)


def test_transform_and_predict_block_by_block(client):
    X, _, _ = make_hierarchical_blobs(n_per_cluster=30, random_state=1)
    ext = ConfigurationExtractor(random_state=0).fit(X)
    new = X + 0.01  # new rows (training rows passed back would keep their training ids)
    dX = da.from_array(new, chunks=(70, X.shape[1]))
    out = ext.transform(dX)
    assert isinstance(out, da.Array) and out.shape == (len(X), ext.configurations_.ids.shape[1])
    np.testing.assert_array_equal(out.compute(), ext.transform(new))
    Xr, y, _ = make_cluster_regression(random_state=0)
    g = GraMixC(random_state=0).fit(Xr, y)
    Z = g.transform(da.from_array(Xr[:120], chunks=(50, Xr.shape[1])))
    np.testing.assert_allclose(Z.compute(), g.transform(Xr[:120]))
    with pytest.raises(ValueError, match="sparse"):
        ConfigurationExtractor(soft=True, random_state=0).fit(X).transform(dX)
