"""What leakage does: the same cluster target encoding, honest and with two shortcuts.

For each outer fold (grouped by species for 16S), XGBoost gets X plus the soft
cluster target mean of every configuration (16 configurations, capped at
n_train / 10 clusters, smoothing 5), computed three ways:

``honest``        configurations on the training rows only; training rows'
                  statistics cross-fitted (5 inner folds); test rows read the
                  training statistics through their kNN vote (what gramixc does);
``leak: all rows``  configurations AND cluster target means computed on all rows
                  before the split — test labels inside — same capping/smoothing;
``leak: naive``   the same, but every configuration up to the finest (no cap), no
                  smoothing, and each row reads its OWN cluster's mean (its own label
                  included) — the shortcut a hurried notebook takes.

Usage::

    python benchmarks/leakage_demo.py              # diabetes and the 16S gold set, ~5 min
"""

from __future__ import annotations

import numpy as np


def _encode(ids, y, rows, smoothing):
    from gramixc.target_stats import cluster_stats

    st = cluster_stats(ids, y, rows=rows, smoothing=smoothing)
    return np.column_stack([st.tables[j][ids[:, j], 0] for j in range(ids.shape[1])])


def _thin(cfg, cap=None, count=16):
    from gramixc.configurations import evenly_spaced

    K = cfg.n_clusters
    keep = np.flatnonzero(K <= cap) if cap else np.arange(len(K))
    return cfg.ids[:, keep[evenly_spaced(len(keep), count)]]


def main() -> None:
    from sklearn.metrics import r2_score
    from suite import FoldFeatures, outer_splits
    from xgboost import XGBRegressor

    from gramixc import ConfigurationExtractor
    from gramixc.datasets import load_dataset

    def xgb():
        return XGBRegressor(n_estimators=300, learning_rate=0.05, max_depth=6, subsample=0.8,
                            colsample_bytree=0.8, max_bin=64, random_state=0, n_jobs=2)

    print("| dataset | XGBoost alone | + honest TE | + leak: all rows | + leak: naive |")
    print("|---|---|---|---|---|")
    for name, metric in (("diabetes", "euclidean"), ("16s_gold", "cosine")):
        ds = load_dataset(name)
        X, y = ds.X, ds.y
        splits = outer_splits(X, y, "regression", ds.groups, 5, 0)
        ext_all = ConfigurationExtractor(metric=metric, random_state=0).fit(X)
        cfg_all = ext_all.configurations_
        res = {k: [] for k in ("alone", "honest", "all", "naive")}
        for tr, te in splits:
            n_tr = len(tr)
            groups = ds.groups[tr] if ds.groups is not None else None
            ff = FoldFeatures(X[tr], y[tr], X[te], "regression", metric, 0, groups=groups)
            mild = _encode(_thin(cfg_all, cap=max(2, n_tr // 10)), y, None, 5.0)
            naive = _encode(_thin(cfg_all, cap=None, count=10**6), y, None, 0.0)
            for key, (a, b) in {"alone": (X[tr], X[te]),
                                "honest": (np.hstack([X[tr], ff.te_tr]),
                                           np.hstack([X[te], ff.te_te])),
                                "all": (np.hstack([X[tr], mild[tr]]),
                                        np.hstack([X[te], mild[te]])),
                                "naive": (np.hstack([X[tr], naive[tr]]),
                                          np.hstack([X[te], naive[te]]))}.items():
                res[key].append(r2_score(y[te], xgb().fit(a, y[tr]).predict(b)))
        m = {k: f"{np.mean(v):.3f} ± {np.std(v):.3f}" for k, v in res.items()}
        print(f"| {name} | {m['alone']} | {m['honest']} | {m['all']} | **{m['naive']}** |",
              flush=True)


if __name__ == "__main__":
    main()
