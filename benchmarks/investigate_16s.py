"""Why do configurations help so little on 16S → growth temperature? Ablations.

16S gold set (402 sequences, 324 species, 4+5-mer spectra), 5 folds grouped by
species (the test species are never seen in training), XGBoost (fixed settings).
Each row is ``make_pipeline(GraMixC(...), XGBRegressor())`` with the do-no-harm
check switched off (``reference_estimator="none"``), so the features are always
added and their effect is visible; plus the fusion model's own prediction alone.

Usage::

    python benchmarks/investigate_16s.py            # about 20-30 minutes on 2 cores
"""

from __future__ import annotations

import time

import numpy as np


def main() -> None:
    from sklearn.metrics import r2_score
    from sklearn.model_selection import GroupKFold
    from xgboost import XGBRegressor

    from gramixc.datasets import load_16s_gold
    from gramixc.estimators import GraMixC

    ds = load_16s_gold()
    X, y, groups = ds.X, ds.y, ds.groups
    splits = list(GroupKFold(5, shuffle=True, random_state=0).split(X, y, groups))

    def xgb():
        return XGBRegressor(n_estimators=300, learning_rate=0.05, max_depth=6, subsample=0.8,
                            colsample_bytree=0.8, max_bin=64, random_state=0, n_jobs=2)

    alone = []
    for tr, te in splits:
        alone.append(r2_score(y[te], xgb().fit(X[tr], y[tr]).predict(X[te])))
    print(f"XGBoost alone: R² {np.mean(alone):.3f} ± {np.std(alone):.3f}", flush=True)
    variants = {
        "default (cosine, target tokens, 16 configurations, compact)": {},
        "euclidean graph": {"metric": "euclidean"},
        "+ per-configuration target means (features='target')": {"features": "target"},
        "4 configurations": {"n_configurations": 4},
        "8 configurations": {"n_configurations": 8},
        "paper tokens (scalar aligned ids)": {"tokenization": "scalar"},
        "embedding tokens": {"tokenization": "embedding"},
        "k = 8 neighbours": {"k": 8},
    }
    print()
    print("| GraMixC variant | fusion prediction alone R² | XGBoost + GraMixC R² "
          "| Δ vs alone (paired) | folds better | fit (s/fold) |")
    print("|---|---|---|---|---|---|")
    for name, kw in variants.items():
        kw = {"metric": "cosine", **kw}
        fused, both, secs = [], [], []
        for (tr, te), a in zip(splits, alone):
            t0 = time.perf_counter()
            g = GraMixC(random_state=0, reference_estimator="none", **kw)
            Z = g.fit_transform(X[tr], y[tr], groups=groups[tr])
            Zte = g.transform(X[te])
            secs.append(time.perf_counter() - t0)
            if not g.use_configurations_:  # the fusion model could not beat a constant
                fused.append(np.nan)
                both.append(a)
                continue
            p = Zte[:, X.shape[1]]  # gramixc_pred (standardised): calibrate on training rows
            coef = np.polyfit(Z[:, X.shape[1]], y[tr], 1)
            fused.append(r2_score(y[te], np.polyval(coef, p)))
            both.append(r2_score(y[te], xgb().fit(Z, y[tr]).predict(Zte)))
        d = np.array(both) - np.array(alone)
        print(f"| {name} | {np.nanmean(fused):.3f} | {np.mean(both):.3f} ± {np.std(both):.3f} "
              f"| {d.mean():+.3f} ± {d.std():.3f} | {(d > 0).sum()}/{len(d)} "
              f"| {np.mean(secs):.0f} |", flush=True)


if __name__ == "__main__":
    main()
