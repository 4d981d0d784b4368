"""The cases whose outputs ``tests/test_reference_values.py`` pins (shared with the script
that records them: ``python tests/_reference_cases.py --record [case ...]``).

Every case is a default estimator (or one documented option) on small synthetic data
under ``random_state=0``; its outputs are stored in ``tests/data/reference_outputs.npz``.
Integer outputs (configuration ids, the gate's choice) are compared exactly, float64
encodings at 1e-9, and anything a float32 network produced at ``NETWORK_RTOL``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "data", "reference_outputs.npz")


def data():
    from sklearn.model_selection import train_test_split

    from gramixc.synthetic import make_cluster_regression, make_hierarchical_blobs

    X, y, _ = make_cluster_regression(n_per_cluster=15, n_features=20, random_state=0)
    Xb, coarse, fine = make_hierarchical_blobs(n_per_cluster=25, random_state=1)
    reg = train_test_split(X, y, test_size=0.3, random_state=0)
    clf = train_test_split(Xb, fine % 4, test_size=0.3, random_state=0)
    return reg, clf


def cases():
    """name -> callable returning a dict of named outputs (recorded with the pre-1.0 core in
    its spelling: ``features="compact"``, ``use_configurations_``; the same computations)."""
    from gramixc import ConfigurationExtractor, Fusion, GraMixC, GraMixCClassifier, GraMixCRegressor

    (Xtr, Xte, ytr, yte), (Btr, Bte, btr, bte) = data()
    out = {}

    def extractor():
        ext = ConfigurationExtractor(random_state=0).fit(Btr)
        c = ext.configurations_
        return {"ids": c.ids, "gamma_lo": c.gamma_lo, "gamma_hi": c.gamma_hi,
                "new_ids": ext.transform(Bte)}
    out["extractor"] = extractor

    def gramixc(X1, y1, X2, **kw):
        g = GraMixC(random_state=0, **kw)
        Z = g.fit_transform(X1, y1)
        rep = g.gate_report_
        res = {"train": Z, "test": g.transform(X2),
               "chosen": np.array([g.feature_set_])}
        if rep is not None:
            res["gate_scores"] = rep.scores
        return res

    out["gramixc_regression"] = lambda: gramixc(Xtr, ytr, Xte)
    out["gramixc_classification"] = lambda: gramixc(Btr, btr, Bte)
    out["gramixc_target_metric"] = lambda: gramixc(Xtr, ytr, Xte, neighbor_metric="target")
    out["gramixc_compact"] = lambda: gramixc(Xtr, ytr, Xte, features="fusion",
                                             fusion=Fusion(max_epochs=20))

    def regressor():
        r = GraMixCRegressor(random_state=0).fit(Xtr, ytr)
        return {"predict": r.predict(Xte), "used": np.array([r.uses_fusion_])}
    out["regressor"] = regressor

    def classifier():
        c = GraMixCClassifier(random_state=0).fit(Btr, btr)
        return {"proba": c.predict_proba(Bte), "used": np.array([c.uses_fusion_])}
    out["classifier"] = classifier
    return out


#: outputs of a float32 network (relative tolerance); everything else float64 at 1e-9
NETWORK_OUTPUTS = {("gramixc_compact", "train"), ("gramixc_compact", "test"),
                   ("regressor", "predict"), ("classifier", "proba")}


def record(names=None) -> None:
    """Record every case, or only ``names`` (the other cases' stored outputs stay)."""
    arrays = {}
    if names:
        unknown = set(names) - set(cases())
        if unknown:
            raise SystemExit(f"unknown case(s) {sorted(unknown)}; known: {sorted(cases())}")
        with np.load(PATH) as old:
            arrays = {k: old[k] for k in old.files if k.split("/")[0] not in names}
    for name, fn in cases().items():
        if names and name not in names:
            continue
        for key, val in fn().items():
            arrays[f"{name}/{key}"] = np.asarray(val)
        print("recorded", name, flush=True)
    np.savez_compressed(PATH, **arrays)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(HERE))  # the checkout's gramixc, not an installed one
    if "--record" in sys.argv:  # --record [case ...]
        record(sys.argv[sys.argv.index("--record") + 1:])
