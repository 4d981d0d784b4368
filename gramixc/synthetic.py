"""Synthetic data with known multi-scale structure (tests, examples, benchmarks)."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_hierarchical_blobs", "make_cluster_regression", "make_scale_switch"]


def make_hierarchical_blobs(
    n_super: int = 3,
    n_sub: int = 3,
    n_per_cluster: int = 100,
    n_features: int = 8,
    super_distance: float = 12.0,
    sub_distance: float = 6.0,
    cluster_std: float = 1.0,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian blobs nested in super-clusters: two true scales.

    ``n_super`` super-centres lie on the vertices of a regular simplex with
    pairwise distance ``super_distance``; around each, ``n_sub`` sub-centres lie
    on a simplex of pairwise distance ``sub_distance`` (in other directions).
    With the defaults the sub-clusters of one super-cluster *touch* in a kNN
    graph (so modularity can merge them at low resolution — disconnected
    components are never merged) while super-clusters stay apart.

    Parameters
    ----------
    n_super, n_sub : int
        Super-clusters and sub-clusters per super-cluster.
    n_per_cluster : int
        Points per sub-cluster.
    n_features : int
        Dimension; needs ``n_features ≥ n_super + n_sub``.
    super_distance, sub_distance : float
        Distances between centres at each scale.
    cluster_std : float
        Standard deviation of every blob.
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_super * n_sub * n_per_cluster, n_features)
    y_coarse : ndarray of int
        Super-cluster of every row.
    y_fine : ndarray of int
        Sub-cluster of every row (``0 .. n_super * n_sub − 1``).

    Examples
    --------
    >>> X, y3, y9 = make_hierarchical_blobs(random_state=0)
    >>> X.shape, len(set(y3)), len(set(y9))
    ((900, 8), 3, 9)
    """
    if n_features < n_super + n_sub:
        raise ValueError(f"n_features must be at least n_super + n_sub = {n_super + n_sub}")
    rng = check_random_state(random_state)
    eye = np.eye(n_features)
    # simplex vertices with unit pairwise distance: e_i / sqrt(2)
    super_c = eye[:n_super] * (super_distance / np.sqrt(2.0))
    sub_off = eye[n_super : n_super + n_sub] * (sub_distance / np.sqrt(2.0))
    centres = (super_c[:, None, :] + sub_off[None, :, :]).reshape(-1, n_features)
    y_fine = np.repeat(np.arange(n_super * n_sub), n_per_cluster)
    y_coarse = y_fine // n_sub
    X = centres[y_fine] + rng.normal(scale=cluster_std, size=(len(y_fine), n_features))
    return X, y_coarse, y_fine


def make_cluster_regression(
    n_super: int = 3,
    n_sub: int = 6,
    n_per_cluster: int = 25,
    n_features: int = 80,
    super_scale: float = 1.0,
    sub_scale: float = 0.6,
    noise: float = 0.1,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A regression target that lives on fine clusters nested in coarse ones.

    Super-centres are drawn ``N(0, super_scale²)`` in every dimension, sub-centres
    around them ``N(0, sub_scale²)``, points ``N(0, 1)`` around the sub-centres. Each
    feature alone carries little signal, but the distances (hence a kNN graph)
    separate the clusters well; the target is a random effect per fine cluster
    plus noise. A plain MLP or tree must rebuild the clusters from few rows in many
    dimensions; configurations hand them over. Used by the tests and the docs.

    Parameters
    ----------
    n_super : int, default=3
        Coarse clusters.
    n_sub : int, default=6
        Fine clusters inside each coarse one.
    n_per_cluster : int, default=25
        Rows per fine cluster.
    n_features : int, default=80
        Dimensions.
    super_scale, sub_scale : float, default=1.0, 0.6
        Standard deviations of the coarse and fine centres.
    noise : float, default=0.1
        Standard deviation of the target noise.
    random_state : int, Generator or None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_super * n_sub * n_per_cluster, n_features)
    y : ndarray of float
    y_fine : ndarray of int
        The fine cluster of every row.

    Examples
    --------
    >>> X, y, fine = make_cluster_regression(random_state=0)
    >>> X.shape, int(fine.max()) + 1
    ((450, 80), 18)
    """
    rng = np.random.default_rng(check_random_state(random_state).randint(0, 2**31 - 1))
    X, fine = _nested_gaussians(rng, n_super, n_sub, n_per_cluster, n_features, super_scale,
                                sub_scale)
    effect = rng.normal(size=n_super * n_sub)
    y = effect[fine] + noise * rng.normal(size=len(fine))
    return X, y, fine


def make_scale_switch(
    n_super: int = 4,
    n_sub: int = 8,
    n_per_cluster: int = 40,
    n_features: int = 20,
    noise: float = 1.0,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A target whose informative scale changes across the data set.

    Fine clusters nest in super-clusters (as in :func:`make_cluster_regression`).
    In half of the super-clusters the target is a random effect per *fine* cluster
    with little noise; in the other half it is a random effect per *super*-cluster
    buried in strong row noise (``noise``), so there the fine-cluster means are
    noisy estimates of the coarse effect. A model that mixes scales should read the
    fine scale in the first half and the coarse scale in the second: per-sample
    attention over scales has a reason to be far from uniform.

    Parameters
    ----------
    n_super : int, default=4
        Coarse clusters (half of them carry the fine-scale target).
    n_sub : int, default=8
        Fine clusters inside each coarse one.
    n_per_cluster : int, default=40
        Rows per fine cluster.
    n_features : int, default=20
        Dimensions.
    noise : float, default=1.0
        Row noise of the target in the coarse-scale half.
    random_state : int, Generator or None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_super * n_sub * n_per_cluster, n_features)
    y : ndarray of float
    fine_region : ndarray of bool
        True for rows whose target lives on the fine scale.

    Examples
    --------
    >>> X, y, fine = make_scale_switch(random_state=0)
    >>> X.shape, float(fine.mean())
    ((1280, 20), 0.5)
    """
    rng = np.random.default_rng(check_random_state(random_state).randint(0, 2**31 - 1))
    X, fine = _nested_gaussians(rng, n_super, n_sub, n_per_cluster, n_features, 1.5, 0.8)
    coarse = fine // n_sub
    fine_region = coarse % 2 == 0
    y = np.where(fine_region, rng.normal(size=n_super * n_sub)[fine],
                 rng.normal(size=n_super)[coarse] + noise * rng.normal(size=len(fine)))
    return X, y, fine_region


def _nested_gaussians(rng, n_super, n_sub, n_per_cluster, n_features, super_scale, sub_scale):
    """Rows ``N(0, 1)`` around sub-centres ``N(0, sub_scale²)`` around super-centres
    ``N(0, super_scale²)``; returns ``(X, fine cluster of every row)``."""
    sup = rng.normal(scale=super_scale, size=(n_super, n_features))
    sub = sup[:, None, :] + rng.normal(scale=sub_scale, size=(n_super, n_sub, n_features))
    fine = np.repeat(np.arange(n_super * n_sub), n_per_cluster)
    X = sub.reshape(-1, n_features)[fine] + rng.normal(size=(len(fine), n_features))
    return X, fine
