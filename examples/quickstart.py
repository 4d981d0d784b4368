"""gramixc quickstart: configurations of a dataset, then GraMixC features for XGBoost.

Part 1 (unsupervised) finds the configurations of scikit-learn's digits — the
clusterings that are optimal on a whole interval of Leiden resolution — prints their
table with the ARI of each against the digit labels (which the method never sees)
and writes the envelope and lineage plots.

Part 2 (supervised) compares XGBoost alone with
``make_pipeline(GraMixC(random_state=0), XGBRegressor())`` on a held-out split of
:func:`gramixc.synthetic.make_cluster_regression`, a table whose target lives on
fine clusters that no single feature reveals, and plots the [CLS] attention of the
held-out rows over the configurations GraMixC mixed.

Part 3 puts a linear model downstream, where the gate's default judge (gradient
boosting) is the wrong one: on a target that bends (a sine of one feature) the tree fits
it from ``X`` and refuses the neighbour means, which Ridge needs.
:func:`gramixc.make_pipeline` hands GraMixC the model after it as its judge.

Run::

    python examples/quickstart.py [output_folder]      # default: examples_output/

It finishes in well under a minute on 2 CPU cores.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from xgboost import XGBRegressor

import gramixc
from gramixc import ConfigurationExtractor, Fusion
from gramixc.estimators import GraMixC
from gramixc.plotting import plot_attention, plot_envelope, plot_lineage
from gramixc.synthetic import make_cluster_regression


def configurations_of_digits(out: str) -> dict:
    """Fit :class:`ConfigurationExtractor` on digits, print the table, save two plots.

    Parameters
    ----------
    out : str
        Folder for the PNG files (created if missing).

    Returns
    -------
    dict
        ``{"extractor": fitted extractor, "ari": list of float, "paths": list of str}``.
    """
    X, y = load_digits(return_X_y=True)
    t0 = time.perf_counter()
    ext = ConfigurationExtractor(k=15, random_state=0).fit(X)
    cfg = ext.configurations_
    print(f"digits: {X.shape[0]} rows -> {len(cfg)} configurations "
          f"in {time.perf_counter() - t0:.1f} s")

    aris = np.array([adjusted_rand_score(y, cfg[j]) for j in range(len(cfg))])
    shown = np.flatnonzero(cfg.n_clusters <= 40)  # the finest ones are near-singletons
    table = cfg.table().with_columns(ari_vs_digit=aris)[shown.tolist()]
    table = table.select("configuration", "n_clusters", "gamma_lo", "gamma_hi", "log_width",
                         "entropy", "ari_vs_digit")
    import polars as pl

    with pl.Config(tbl_rows=-1, float_precision=3):
        print(f"configurations with at most 40 clusters ({len(shown)} of {len(cfg)}):")
        print(table)
    widest = int(shown[np.nanargmax(cfg.log_width[shown])])
    best = int(np.argmax(aris))
    print(f"widest plateau (K <= 40): configuration {widest} (K={cfg.n_clusters[widest]}, "
          f"ARI {aris[widest]:.3f}); best ARI: configuration {best} "
          f"(K={cfg.n_clusters[best]}, ARI {aris[best]:.3f})")

    # new rows get aligned ids in every configuration from a kNN vote of training rows
    ids_new = ext.transform(X[:3] + 0.5)
    print(f"ids of 3 perturbed rows in configurations {shown[0]}..{shown[-1]}:\n"
          f"{ids_new[:, shown]}")

    os.makedirs(out, exist_ok=True)
    paths = [os.path.join(out, "digits_envelope.png"), os.path.join(out, "digits_lineage.png")]
    plot_envelope(cfg, paths[0])
    plot_lineage(cfg, paths[1], max_clusters=40)
    for p in paths:
        print(f"wrote {p}")
    return {"extractor": ext, "ari": aris.tolist(), "paths": paths}


def xgboost_with_and_without_gramixc(out: str, random_state: int = 0) -> dict:
    """Held-out R² of XGBoost alone and of GraMixC → XGBoost on a cluster-regression table.

    Parameters
    ----------
    out : str
        Folder for the attention plot (written when GraMixC adds features).
    random_state : int, default=0
        Seeds the data, the split and every model.

    Returns
    -------
    dict
        ``{"r2_xgboost": float, "r2_gramixc_xgboost": float, "gramixc": fitted GraMixC,
        "attention_path": str or None}``.
    """
    X, y, _ = make_cluster_regression(random_state=random_state)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=random_state)
    print(f"\ncluster regression: {X_tr.shape[0]} training rows, {X_te.shape[0]} held out, "
          f"{X.shape[1]} features")

    t0 = time.perf_counter()
    alone = XGBRegressor(n_estimators=200, random_state=random_state).fit(X_tr, y_tr)
    r2_alone = r2_score(y_te, alone.predict(X_te))
    print(f"XGBoost alone            R² = {r2_alone:.3f}  ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    pipe = make_pipeline(GraMixC(random_state=random_state),
                         XGBRegressor(n_estimators=200, random_state=random_state))
    pipe.fit(X_tr, y_tr)  # GraMixC.fit_transform: cross-fitted features for the training rows
    r2_pipe = r2_score(y_te, pipe.predict(X_te))
    print(f"GraMixC -> XGBoost       R² = {r2_pipe:.3f}  ({time.perf_counter() - t0:.1f} s)")

    gmx = pipe[0]
    print(gmx.gate_report_)  # what GraMixC's gate measured on the training rows, and chose
    if gmx.layout_:
        added = gmx.get_feature_names_out()[X.shape[1]:].tolist()
        print(f"GraMixC added {gmx.feature_set_!r}: {added}")
    else:
        print("GraMixC chose not to add features (they did not help on the training rows)")
    # the attention module (the paper's mixing step) trains only for the fusion feature
    # sets; here forced, to see which scale each held-out row listens to
    t0 = time.perf_counter()
    fused = GraMixC(features="fusion", fusion=Fusion(),
                    random_state=random_state).fit(X_tr, y_tr)
    attention_path = os.path.join(out, "cluster_regression_attention.png")
    plot_attention(fused.attention_map(X_te),
                   ids=fused.extractor_.transform(X_te)[:, fused.selected_],
                   feature_names=fused.token_names_, path=attention_path)
    print(f"GraMixC(features='fusion') fusion model: {time.perf_counter() - t0:.1f} s; "
          f"wrote {attention_path}")
    return {"r2_xgboost": r2_alone, "r2_gramixc_xgboost": r2_pipe, "gramixc": gmx,
            "attention_path": attention_path}


def ridge_judged_by_itself(random_state: int = 0) -> dict:
    """Held-out R² of Ridge alone, behind ``sklearn.pipeline.make_pipeline(GraMixC(), …)``
    (judged by gradient boosting) and behind :func:`gramixc.make_pipeline` (judged by the
    Ridge pipeline itself), on ``y = sin(2 x₀) + noise``.

    Parameters
    ----------
    random_state : int, default=0
        Seeds the data and GraMixC.

    Returns
    -------
    dict
        ``{"r2_ridge": float, "r2_gramixc_ridge": float, "r2_gramixc_ridge_judged": float,
        "chosen": str, "chosen_judged": str}``.
    """
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(random_state)
    X = rng.uniform(-3, 3, size=(800, 3))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=800)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, random_state=random_state)
    print(f"\nsine target, Ridge downstream: {len(y_tr)} training rows")
    res = {"r2_ridge": r2_score(y_te, make_pipeline(StandardScaler(), Ridge())
                                .fit(X_tr, y_tr).predict(X_te))}
    for key, build in (("", make_pipeline), ("_judged", gramixc.make_pipeline)):
        pipe = build(GraMixC(random_state=random_state), StandardScaler(), Ridge())
        pipe.fit(X_tr, y_tr)
        res[f"r2_gramixc_ridge{key}"] = r2_score(y_te, pipe.predict(X_te))
        res[f"chosen{key}"] = pipe[0].feature_set_
    print(f"Ridge alone                                   R² = {res['r2_ridge']:.3f}")
    print(f"sklearn make_pipeline(GraMixC(), …, Ridge())  R² = {res['r2_gramixc_ridge']:.3f}"
          f"  (the gradient-boosting judge chose {res['chosen']!r})")
    print(f"gramixc.make_pipeline(GraMixC(), …, Ridge())  R² = "
          f"{res['r2_gramixc_ridge_judged']:.3f}  (judged by Ridge: {res['chosen_judged']!r})")
    return res


def main(out: str = "examples_output") -> dict:
    """Run the three parts; return their results."""
    t0 = time.perf_counter()
    res = configurations_of_digits(out)
    res.update(xgboost_with_and_without_gramixc(out))
    res.update(ridge_judged_by_itself())
    print(f"\nquickstart finished in {time.perf_counter() - t0:.1f} s")
    return res


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples_output")
