"""The measured effect of the options the evidence run does not vary.

The evidence run (``evidence.py``) varies GraMixC's ``features``/``fusion``/
``neighbor_metric`` and the end-to-end estimators' ``fusion``. This script measures, on
the evidence run's own outer folds (seed 0, 5 folds), one alternative value at a time
against the same estimator with its default, for the options whose effect the option
table of ``docs/algorithms.md`` did not yet state:

* ``GraMixC(cv=...)`` with XGBoost downstream (the evidence run's XGBoost settings);
* ``GraMixCRegressor`` / ``GraMixCClassifier``: ``hidden`` (against the default
  estimator; ``dropout=0.0`` was measured too while it was a parameter — a tie on all four
  tables, ``results/bench_options.txt`` — and the dropout is fixed at 0.2 since), and
  the ``Fusion`` settings (against ``fusion=Fusion()``, the network always trained, so
  that a setting cannot hide behind the automatic choice);
* ``ConfigurationExtractor`` (unsupervised, digits): ``k``, ``lam``, ``objective``,
  ``min_cluster_size`` and ``out_of_sample`` — the best adjusted Rand index of a
  configuration against the digit labels on the training rows, and of the test rows'
  assigned ids in that configuration, the number of configurations and the fit time.

Every supervised cell is the mean paired Δ over the 5 folds with its Nadeau–Bengio 95 %
interval and verdict (``evidence.nb_test``). Small tables only (diabetes, boston, wine,
breast_cancer): the cost of a sweep over options on the large ones is the evidence run's.

Usage::

    python benchmarks/bench_options.py            # ~30 CPU-min on the project's machine
    python benchmarks/bench_options.py --datasets diabetes --folds 2    # smoke run
    python benchmarks/bench_options.py --families linear --no-extractor \
        --datasets boston digits college apartments dragons diabetes --name bench_reference

Results: ``benchmarks/results/bench_options.txt`` (+ ``.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for _p in (HERE, os.path.dirname(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import numpy as np  # noqa: E402

DATASETS = ("diabetes", "boston", "wine", "breast_cancer")

#: (family, label, settings): one alternative value per row, against the family's base.
ALTERNATIVES = (
    ("gramixc", "cv=3", dict(cv=3)),
    ("gramixc", "cv=10", dict(cv=10)),
    ("mlp", "hidden=(64,)", dict(hidden=(64,))),
    ("fusion", "d_model=16", dict(d_model=16)),
    ("fusion", "d_model=64", dict(d_model=64)),
    ("fusion", "n_heads=2", dict(n_heads=2)),
    ("fusion", "max_epochs=20", dict(max_epochs=20)),
    ("fusion", "learning_rate=1e-3", dict(learning_rate=1e-3)),
    ("fusion", "patience=12", dict(patience=12)),
    ("fusion", "batch_size=128", dict(batch_size=128)),
    ("linear", "reference_estimator=linear", dict(reference_estimator="linear")),
)
#: The families run by default (``linear``: the gate's judge for a linear model downstream,
#: measured with ``--families linear`` on the tables where a peer helped Ridge).
FAMILIES = ("gramixc", "mlp", "fusion")
EXTRACTOR_ALTERNATIVES = (
    ("default", {}), ("k=5", dict(k=5)), ("k=30", dict(k=30)), ("lam=0.5", dict(lam=0.5)),
    ("lam=4", dict(lam=4.0)), ("objective='CPM'", dict(objective="CPM")),
    ("min_cluster_size=20", dict(min_cluster_size=20)),
    ("out_of_sample='recluster'", dict(out_of_sample="recluster")),
    ("scale=False", dict(scale=False)),
    ("directed=True, backend='leidenalg'", dict(directed=True, backend="leidenalg")),
)


def make_model(family: str, task: str, seed: int, settings: dict | None):
    """The estimator of a family with ``settings`` (None: the family's base)."""
    from gramixc import Fusion, GraMixC, GraMixCClassifier, GraMixCRegressor

    settings = dict(settings or {})
    if family in ("gramixc", "linear"):
        from sklearn.pipeline import make_pipeline
        from suite import make_predictor

        predictor = "xgboost" if family == "gramixc" else "linear"
        if settings.get("reference_estimator") == "linear":  # the downstream model judges
            settings["reference_estimator"] = make_predictor("linear", task, seed)
        return make_pipeline(GraMixC(task=task, random_state=seed, **settings),
                             make_predictor(predictor, task, seed))
    est = GraMixCRegressor if task == "regression" else GraMixCClassifier
    if family == "mlp":
        return est(random_state=seed, **settings)
    if family == "fusion":
        return est(random_state=seed, fusion=Fusion(**settings))
    raise ValueError(f"unknown family {family!r}")


def supervised(datasets, n_folds: int, families=FAMILIES, log=print) -> list[dict]:
    """Every (dataset, fold, family base or alternative) score."""
    import suite
    from evidence import limit_threads, main_metric
    from evidence_data import load_evidence_data
    from suite import outer_folds, score

    limit_threads(1)
    suite.XGB_THREADS = 1
    rows = []
    for name in datasets:
        bd = load_evidence_data(name)
        metric = main_metric(bd.task)
        for of in outer_folds(bd, n_folds=n_folds, seed=0):
            runs = [(f, "base", None) for f in families]
            runs += [(f, label, s) for f, label, s in ALTERNATIVES if f in families]
            for family, label, settings in runs:
                t = time.perf_counter()
                model = make_model(family, bd.task, of.seed, settings)
                model.fit(of.Xtr, of.ytr)
                value = score(bd.task, of.yte, model, of.Xte)[metric]
                rows.append(dict(dataset=name, fold=of.fold, family=family, option=label,
                                 metric=metric, value=value,
                                 fit_s=time.perf_counter() - t))
            log(f"{name} fold {of.fold}: done")
    return rows


def unsupervised(seed: int = 0, log=print) -> list[dict]:
    """Extractor options on digits: configurations against the digit labels."""
    from sklearn.datasets import load_digits
    from sklearn.metrics import adjusted_rand_score
    from sklearn.model_selection import train_test_split

    from gramixc import ConfigurationExtractor

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    rows = []
    for label, settings in EXTRACTOR_ALTERNATIVES:
        t = time.perf_counter()
        ext = ConfigurationExtractor(random_state=seed, **settings).fit(Xtr)
        fit_s = time.perf_counter() - t
        ids = ext.configurations_.ids
        ari = [adjusted_rand_score(ytr, ids[:, j]) for j in range(ids.shape[1])]
        best = int(np.argmax(ari))
        new = ext.transform(Xte)
        rows.append(dict(option=label, configurations=int(ids.shape[1]),
                         best_ari=float(ari[best]),
                         best_clusters=int(ext.configurations_.n_clusters[best]),
                         new_rows_ari=float(adjusted_rand_score(yte, new[:, best])),
                         fit_s=fit_s))
        log(f"extractor {label}: done")
    return rows


def deltas(rows: list[dict]) -> list[dict]:
    """Per (dataset, alternative): the paired Δ against its family's base, NB-tested."""
    from evidence import nb_test

    base = {(r["dataset"], r["fold"], r["family"]): r["value"] for r in rows
            if r["option"] == "base"}
    out = []
    keys = sorted({(r["dataset"], r["family"], r["option"]) for r in rows
                   if r["option"] != "base"}, key=lambda k: (DATASETS.index(k[0])
                                                            if k[0] in DATASETS else 99, k))
    for dataset, family, option in keys:
        d = [r["value"] - base[(dataset, r["fold"], family)] for r in rows
             if (r["dataset"], r["family"], r["option"]) == (dataset, family, option)]
        out.append(dict(dataset=dataset, family=family, option=option, **nb_test(d, 0.25)))
    return out


def report(rows: list[dict], extractor_rows: list[dict], command: str) -> str:
    from evidence import _fmt

    tests = deltas(rows)
    datasets = [d for d in DATASETS if any(t["dataset"] == d for t in tests)]
    datasets += sorted({t["dataset"] for t in tests} - set(datasets))
    bases = {"gramixc": "GraMixC() + XGBoost", "linear": "GraMixC() + Ridge / logistic",
             "mlp": "GraMixCRegressor/Classifier()",
             "fusion": "GraMixCRegressor/Classifier(fusion=Fusion())"}
    lines = [f"Options measured one at a time on the evidence run's folds (seed 0); `{command}`",
             "", "Paired Δ (R² or accuracy) against the same estimator with the default, "
             "95 % Nadeau–Bengio interval, verdict", "",
             "| option | against | " + " | ".join(datasets) + " | gains / ties / losses |",
             "|---|---|" + "---|" * len(datasets) + "---|"]
    for family, option, _ in ALTERNATIVES:
        ts = {t["dataset"]: t for t in tests if (t["family"], t["option"]) == (family, option)}
        if not ts:
            continue
        counts = [sum(t["verdict"] == v for t in ts.values()) for v in ("gain", "tie", "loss")]
        lines.append(f"| `{option}` | {bases[family]} | "
                     + " | ".join(_fmt(ts[d]) if d in ts else "—" for d in datasets)
                     + f" | {counts[0]} / {counts[1]} / {counts[2]} |")
    base_s = {}
    for r in rows:
        base_s.setdefault((r["family"], r["option"]), []).append(r["fit_s"])
    lines += ["", "Mean fit seconds per fold (all datasets): " + ", ".join(
        f"{f} {o}: {np.mean(v):.1f}" for (f, o), v in sorted(base_s.items())), ""]
    if extractor_rows:
        lines += ["ConfigurationExtractor on digits (1,437 training rows, 360 new rows; "
                  "labels never seen by the method)", "",
                  "| option | configurations | best ARI (training) | its clusters | "
                  "ARI of the new rows' ids | fit s |", "|---|---|---|---|---|---|"]
        for r in extractor_rows:
            lines.append(f"| `{r['option']}` | {r['configurations']} | {r['best_ari']:.3f} | "
                         f"{r['best_clusters']} | {r['new_rows_ari']:.3f} | {r['fit_s']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--families", nargs="+", default=list(FAMILIES),
                    choices=("gramixc", "linear", "mlp", "fusion"))
    ap.add_argument("--name", default="bench_options", help="results file name")
    ap.add_argument("--no-extractor", action="store_true")
    ap.add_argument("--no-save", action="store_true", help="print only (the smoke test)")
    a = ap.parse_args(argv)
    command = "python benchmarks/bench_options.py " + " ".join(argv or sys.argv[1:])
    rows = supervised(a.datasets, a.folds, tuple(a.families))
    ext_rows = [] if a.no_extractor else unsupervised()
    text = report(rows, ext_rows, command.strip())
    print(text)
    if not a.no_save:
        from _results import write_results

        write_results(f"{a.name}.txt", text)
        path = os.path.join(HERE, "results", f"{a.name}.json")
        with open(path, "w") as fh:
            json.dump(dict(rows=rows, extractor=ext_rows, command=command), fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
