"""Evidence that can decide: 28 datasets × 3 seeds × 5 folds, paired tests.

Usage::

    python benchmarks/evidence.py --quick                 # smoke test, about 10 s
    nice -n 10 python benchmarks/evidence.py              # everything not yet on disk
    nice -n 10 python benchmarks/evidence.py --workers 2 --no-report   # on both cores
    nice -n 10 python benchmarks/evidence.py --datasets ames cells --seeds 0
    python benchmarks/evidence.py --report                # tables from the files alone

Protocol (the suite's, ``benchmarks/suite.py``): per dataset and seed the suite's outer
folds (:func:`suite.outer_folds`: 5 folds, grouped where the data has groups, stratified
for classes; fold seed ``100 * seed + fold``, every model seeded by it); everything
label-derived is cross-fitted inside the training fold; predictors' hyper-parameters fixed
in advance (:func:`suite.make_predictor`). Rows per fold:

=================  ==================================================================
predictor          variants
=================  ==================================================================
``xgboost``        ``alone``; ``+GraMixC`` (default); ``+GraMixC paper`` (the
                   paper-faithful path); ``+GraMixC fusion`` (the default whose gate may
                   also choose the fusion output); peers ``+kNN mean``, ``+TE``,
                   ``+1 config`` (``suite.FoldFeatures``, ``suite._choose_single``);
                   ``+GraMixC target metric`` (``neighbor_metric="target"``);
                   ``+GraMixC linear judge`` (:func:`gramixc.make_pipeline` with the
                   linear predictor: its gate judged by Ridge / logistic regression);
                   ``+GraMixC XGBoost judge`` (the same with the XGBoost predictor: what
                   ``gramixc.make_pipeline(GraMixC(), XGB…)`` fits)
``linear``         Ridge α=1 / logistic regression: the same variants (the GraMixC
                   columns are fitted once per fold and shared by both predictors)
``mlp``            ``alone`` (the built-in MLP without configurations) and
                   ``GraMixC end-to-end`` (``GraMixCRegressor`` / ``GraMixCClassifier``)
=================  ==================================================================

Every GraMixC object is built by :func:`make_gramixc` and :func:`make_mlp` only, so an
API change is a change there.

The test: per dataset, predictor and variant the paired differences ``d`` to the same
predictor alone over the J (seed, fold) pairs (J = 15 for 3 seeds × 5 folds), their mean,
the Nadeau–Bengio corrected standard error ``sqrt(var(d) · (1/J + n_test/n_train))``
(the corrected resampled t-test: folds share training rows, so the naive variance is too
small), the 95 % interval with Student's t at J − 1 degrees of freedom and the verdict
*gain* / *tie* / *loss* (the interval above 0 / containing 0 / below 0). The same test of
each GraMixC variant against each simple peer and against the best peer (the peer with
the highest mean Δ on that dataset and predictor, chosen in hindsight).

Files: one ``<results-dir>/<dataset>_seed<k>.json`` per dataset and seed (rows, notes,
wall time, the command, the gramixc version); a rerun skips the (dataset, seed) pairs
whose file already holds every requested variant and computes only the missing variants
otherwise (the predictors alone keep their first run's rows, and each added row carries
its own run's ``alone_in_run`` score, which its paired test uses); finished folds of an
interrupted (dataset, seed) are kept in ``<dataset>_seed<k>.partial.json`` and not redone.
``--report`` rebuilds the markdown (default ``docs/benchmarks.md``) from the files alone;
the hand-written reading lives in ``docs/benchmarks_findings.md`` and is included when it
exists.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# the checkout's gramixc, not whatever an editable install elsewhere points at
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

RESULTS_DIR = os.path.join(HERE, "results", "evidence")
# the smoke test's output is not evidence: it goes to the temporary folder
QUICK_RESULTS_DIR = os.path.join(tempfile.gettempdir(), "gramixc_evidence_quick")
DEFAULT_OUT = os.path.join(ROOT, "docs", "benchmarks.md")
QUICK_OUT = os.path.join(QUICK_RESULTS_DIR, "evidence_quick.md")

#: Command-line names of the variants → the row names they produce.
VARIANTS = {
    "default": "+GraMixC",
    "paper": "+GraMixC paper",
    "fusion": "+GraMixC fusion",
    "target": "+GraMixC target metric",
    "linear_judge": "+GraMixC linear judge",
    "xgb_judge": "+GraMixC XGBoost judge",
    "knn": "+kNN mean",
    "te": "+TE",
    "1config": "+1 config",
    "mlp": "GraMixC end-to-end",
}
GRAMIXC_KEYS = ("default", "paper", "fusion", "target", "linear_judge", "xgb_judge")
PEER_KEYS = ("knn", "te", "1config")
PEERS = tuple(VARIANTS[k] for k in PEER_KEYS)
GRAMIXC_ROWS = tuple(VARIANTS[k] for k in GRAMIXC_KEYS)
PREDICTORS = ("xgboost", "linear")
QUICK = dict(datasets=["diabetes", "wine"], seeds=[0], folds=2,
             variants=["default", "knn", "te"], predictors=["xgboost", "linear"])
ALPHA = 0.05


# ----------------------------------------------------------------------------- the API
def _extractor(metric: str, n_train: int | None, seed: int):
    """The graph metric lives on the extractor: None for the default metric (the
    estimators' own default extractor), else that default extractor with ``metric``."""
    if metric == "euclidean":
        return None
    from gramixc.mixing import supervised_extractor

    return supervised_extractor(int(n_train), seed=seed).set_params(metric=metric)


def make_gramixc(variant: str, task: str, seed: int, metric: str = "euclidean",
                 n_train: int | None = None):
    """The GraMixC transformer of a variant (:data:`GRAMIXC_KEYS`).

    The ONE place where the evidence run constructs GraMixC. ``metric`` is the graph
    metric (the 16S sets choose it per fold); ``n_train`` the training rows.
    """
    from gramixc import Fusion, GraMixC, make_pipeline

    common = dict(extractor=_extractor(metric, n_train, seed), task=task, random_state=seed)
    if variant == "default":
        return GraMixC(**common)
    if variant == "paper":  # aligned scalar ids, the paper's readout, its output always
        return GraMixC(**common, features="fusion", neighbors=(),
                       fusion=Fusion(tokenization="scalar", readout="mixed"))
    if variant == "fusion":  # the default whose gate may also choose the fusion output
        return GraMixC(**common, fusion=Fusion())
    if variant == "target":  # neighbour means searched in the target-weighted space
        return GraMixC(**common, neighbor_metric="target")
    if variant in ("linear_judge", "xgb_judge"):  # judged by the predictor of the rows
        kind = "linear" if variant == "linear_judge" else "xgboost"
        return make_pipeline(GraMixC(**common), _predictor(kind, task, seed))[0]
    raise ValueError(f"unknown GraMixC variant {variant!r}")


def make_mlp(variant: str, task: str, seed: int, metric: str = "euclidean",
             n_train: int | None = None):
    """The built-in MLP alone ("alone") or GraMixC end to end ("end-to-end")."""
    from gramixc import GraMixCClassifier, GraMixCRegressor

    est = GraMixCRegressor if task == "regression" else GraMixCClassifier
    common = dict(extractor=_extractor(metric, n_train, seed), random_state=seed)
    if variant == "alone":
        return est(**common, fusion=None)
    if variant == "end-to-end":
        return est(**common)
    raise ValueError(f"unknown MLP variant {variant!r}")


def _uses_configurations(model) -> bool:
    """Whether a fitted model added anything: the end-to-end estimators' ``uses_fusion_``,
    GraMixC's chosen feature set."""
    if hasattr(model, "uses_fusion_"):
        return bool(model.uses_fusion_)
    return getattr(model, "feature_set_", "none") not in (None, "none")


def _gramixc_version() -> str:
    import gramixc

    return getattr(gramixc, "__version__", "?") + " (1.0 API)"


# ----------------------------------------------------------------------------- the test
def nb_test(d, ratio: float, alpha: float = ALPHA) -> dict:
    """Nadeau–Bengio corrected resampled t-test of paired differences ``d``.

    Parameters
    ----------
    d : array-like of shape (J,)
        Paired differences over J (seed, fold) pairs.
    ratio : float
        ``n_test / n_train`` of the folds (1/4 for 5 folds).
    alpha : float
        Two-sided level (0.05: a 95 % interval).

    Returns
    -------
    dict
        ``mean``, ``se`` (corrected), ``lo``/``hi`` (the interval), ``p``, ``J`` and
        ``verdict``: "gain" (interval above 0), "loss" (below 0), "tie" otherwise.
    """
    from scipy import stats

    d = np.asarray(d, dtype=np.float64)
    d = np.where(np.abs(d) < 1e-12, 0.0, d)  # identical predictions: exactly 0
    J = len(d)
    mean = float(d.mean()) if J else math.nan
    if J < 2:
        return dict(mean=mean, se=math.nan, lo=math.nan, hi=math.nan, p=math.nan, J=J,
                    verdict="n/a")
    se = float(np.sqrt(d.var(ddof=1) * (1.0 / J + ratio)))
    tcrit = float(stats.t.ppf(1 - alpha / 2, J - 1))
    if se == 0.0:
        p = 1.0 if mean == 0.0 else 0.0
    else:
        p = float(2 * stats.t.sf(abs(mean / se), J - 1))
    lo, hi = mean - tcrit * se, mean + tcrit * se
    verdict = "gain" if lo > 0 else ("loss" if hi < 0 else "tie")
    return dict(mean=mean, se=se, lo=lo, hi=hi, p=p, J=J, verdict=verdict)


def main_metric(task: str) -> str:
    return "r2" if task == "regression" else "accuracy"


def paired(rows, dataset, predictor, a, b, key=None) -> tuple[list, float]:
    """Differences ``a − b`` over the (seed, fold) pairs both have, and the mean
    ``n_test/n_train``."""
    sel = [r for r in rows if r["dataset"] == dataset and r["predictor"] == predictor]
    if not sel:
        return [], math.nan
    key = key or main_metric(sel[0]["task"])
    A = {(r["seed"], r["fold"]): r for r in sel if r["variant"] == a}
    B = {(r["seed"], r["fold"]): r for r in sel if r["variant"] == b}
    common = sorted(set(A) & set(B))
    # a row added to a file by a later run is compared with that run's own "alone" score
    d = [A[k][key] - (A[k]["alone_in_run"] if b == "alone" and "alone_in_run" in A[k]
                      else B[k][key]) for k in common]
    ratio = float(np.mean([A[k]["n_test"] / A[k]["n_train"] for k in common])) if common \
        else math.nan
    return d, ratio


def test_pair(rows, dataset, predictor, a, b) -> dict:
    d, ratio = paired(rows, dataset, predictor, a, b)
    return nb_test(d, ratio) if d else dict(mean=math.nan, se=math.nan, lo=math.nan,
                                            hi=math.nan, p=math.nan, J=0, verdict="n/a")


def best_peer(rows, dataset, predictor) -> str | None:
    """The peer with the highest mean Δ over the predictor alone (in hindsight)."""
    got = [(p, test_pair(rows, dataset, predictor, p, "alone")["mean"]) for p in PEERS]
    got = [(p, m) for p, m in got if not math.isnan(m)]
    return max(got, key=lambda t: t[1])[0] if got else None


# ----------------------------------------------------------------------------- running
#: Threads of the downstream XGBoost (``--threads``). The suite's ``make_predictor`` asks
#: for 2; on the shared 2-core machine two OpenMP threads under load were 14-80× slower
#: than one (DNA fold: 0.7 s vs 9.9-57 s) with identical predictions, so the evidence run
#: uses 1 unless told otherwise. GraMixC itself runs torch and its gate single-threaded.
THREADS = 1


def _predictor(kind, task, seed):
    import suite

    suite.XGB_THREADS = THREADS  # also for the inner fits of suite._choose_single
    return suite.make_predictor(kind, task, seed)


def limit_threads(n: int) -> None:
    """Use ``n`` threads everywhere: XGBoost, BLAS and OpenMP (already loaded or not)."""
    global THREADS
    THREADS = int(n)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(THREADS)
    from threadpoolctl import threadpool_limits

    threadpool_limits(THREADS)


def _row(base, kind, variant, s, **extra) -> dict:
    return {**base, "predictor": kind, "variant": variant, **s, **extra}


def run_fold(bd, of, seed, variants, predictors, log=print) -> tuple[list[dict], dict]:
    """Every requested row of one outer fold; ``(rows, stage seconds)``."""
    import suite
    from suite import FoldFeatures, _choose_single, _hstack, _timed_fit_score

    suite.XGB_THREADS = THREADS

    task = bd.task
    Xtr, Xte, ytr, yte, gtr = of.Xtr, of.Xte, of.ytr, of.yte, of.groups
    base = dict(dataset=bd.name, seed=seed, fold=of.fold, task=task,
                metric_used=of.metric, n_train=len(ytr), n_test=len(yte))
    rows, stages = [], {}
    gmx_runs = {}
    for key in GRAMIXC_KEYS:
        if key not in variants:
            continue
        t0 = time.perf_counter()
        gmx = make_gramixc(key, task, of.seed, of.metric, n_train=len(ytr))
        Ztr = gmx.fit_transform(Xtr, ytr, groups=gtr)
        t_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        Zte = gmx.transform(Xte)
        gmx_runs[VARIANTS[key]] = (gmx, Ztr, Zte, t_fit, time.perf_counter() - t0)
        stages[VARIANTS[key]] = t_fit
        log(f"    fold {of.fold}: {VARIANTS[key]} {t_fit:.1f}s chose "
            f"{getattr(gmx, 'feature_set_', None)!r}")
    ff = None
    if predictors and any(k in variants for k in PEER_KEYS):
        t0 = time.perf_counter()
        ff = FoldFeatures(Xtr, ytr, Xte, task, of.metric, of.seed, groups=gtr, ward=False)
        stages["peer features"] = time.perf_counter() - t0
    for kind in predictors:
        t0 = time.perf_counter()
        blocks = {"alone": (Xtr, Xte, 0.0)}
        if ff is not None:
            if "knn" in variants:
                blocks["+kNN mean"] = (_hstack(Xtr, ff.knn_tr), _hstack(Xte, ff.knn_te),
                                       ff.seconds_knn)
            if "te" in variants:
                blocks["+TE"] = (_hstack(Xtr, ff.te_tr), _hstack(Xte, ff.te_te),
                                 ff.seconds_configurations)
        for variant, (Ftr, Fte, extra_s) in blocks.items():
            s = _timed_fit_score(_predictor(kind, task, of.seed), Ftr, ytr, Fte, yte, task)
            s["fit_s"] += extra_s
            rows.append(_row(base, kind, variant, s))
        if ff is not None and "1config" in variants:
            t1 = time.perf_counter()
            j = _choose_single(ff, kind, Xtr, ytr, task, of.seed)
            t_sel = time.perf_counter() - t1
            s = _timed_fit_score(_predictor(kind, task, of.seed),
                                 _hstack(Xtr, ff.te_single(j, True)), ytr,
                                 _hstack(Xte, ff.te_single(j, False)), yte, task)
            s["fit_s"] += t_sel + ff.seconds_configurations
            rows.append(_row(base, kind, "+1 config", s, chosen_K=int(ff.K[j])))
        for variant, (gmx, Ztr, Zte, t_fit, t_pred) in gmx_runs.items():
            s = _timed_fit_score(_predictor(kind, task, of.seed), Ztr, ytr, Zte, yte, task)
            s["fit_s"] += t_fit
            s["predict_s"] += t_pred
            rows.append(_row(base, kind, variant, s,
                             used=_uses_configurations(gmx),
                             chosen=getattr(gmx, "feature_set_", None)))
        stages[kind] = time.perf_counter() - t0
    if "mlp" in variants:
        for name, variant in (("alone", "alone"), ("end-to-end", "GraMixC end-to-end")):
            t0 = time.perf_counter()
            m = make_mlp(name, task, of.seed, of.metric, n_train=len(ytr))
            s = _timed_fit_score(m, Xtr, ytr, Xte, yte, task, groups=gtr)
            extra = ({} if name == "alone" else
                     {"used": _uses_configurations(m)})
            rows.append(_row(base, "mlp", variant, s, **extra))
            stages[f"mlp {name}"] = time.perf_counter() - t0
        log(f"    fold {of.fold}: mlp {stages['mlp alone']:.1f}s, end-to-end "
            f"{stages['mlp end-to-end']:.1f}s (used configurations: {rows[-1]['used']})")
    return rows, stages


def _requested(variants, predictors) -> set:
    """The (predictor, variant) rows a run with these settings produces."""
    want = set()
    for kind in predictors:
        want.add((kind, "alone"))
        want |= {(kind, VARIANTS[k]) for k in variants if k != "mlp"}
    if "mlp" in variants:
        want |= {("mlp", "alone"), ("mlp", "GraMixC end-to-end")}
    return want


def _missing_keys(have: set, variants, predictors) -> tuple[list, list]:
    """Variants and predictors still to run, given the (predictor, variant) rows held.
    A missing predictor reruns its peers and GraMixC columns (cheap next to nothing)."""
    preds = [k for k in predictors if (k, "alone") not in have]
    keys = []
    for k in variants:
        if k == "mlp":
            if ("mlp", "GraMixC end-to-end") not in have:
                keys.append(k)
        elif preds or any((kind, VARIANTS[k]) not in have for kind in predictors):
            keys.append(k)
    return keys, preds


def run_dataset_seed(name, seed, variants, predictors, n_folds, max_rows, results_dir,
                     command="", force=False, log=print, redo=False) -> str | None:
    """One (dataset, seed) file: run what is missing, merge, write; returns its path.
    ``redo``: the requested variants' rows are recomputed even where the file holds them
    (after a change to what they measure); the predictors alone keep their first run's
    rows, as for an added variant."""
    from evidence_data import load_evidence_data
    from suite import outer_folds

    path = result_path(results_dir, name, seed)
    partial = path[:-len(".json")] + ".partial.json"
    old = None
    if os.path.exists(path) and not force:
        with open(path) as fh:
            old = json.load(fh)
        have = {(r["predictor"], r["variant"]) for r in old["rows"]}
        if redo:
            have -= {(k, v) for k, v in _requested(variants, predictors) if v != "alone"}
        if _requested(variants, predictors) <= have:
            log(f"{name} seed {seed}: {path} has every requested row, skipped")
            return path
        keys, _ = _missing_keys(have, variants, predictors)
        # predictors whose rows exist are rerun only for the missing variants' rows
        log(f"{name} seed {seed}: adding {keys} to the existing file")
    else:
        keys = list(variants)
    try:
        bd = load_evidence_data(name, max_rows=max_rows)
    except (ImportError, FileNotFoundError) as err:
        log(f"skipping {name}: {err}")
        return None
    log(f"{name} seed {seed}: {bd.note}")
    done_rows, done_folds, stage_log = [], set(), {}
    settings = dict(variants=sorted(keys), predictors=sorted(predictors), folds=n_folds,
                    max_rows=max_rows)
    if os.path.exists(partial) and not force:
        with open(partial) as fh:
            part = json.load(fh)
        if part.get("settings") == settings:
            done_rows, stage_log = part["rows"], part.get("stages", {})
            done_folds = {r["fold"] for r in done_rows}
            log(f"  resuming: folds {sorted(done_folds)} already done")
    t_start = time.perf_counter()
    elapsed_before = sum(v.get("total", 0.0) for v in stage_log.values())
    # a predictor that already has its rows only needs the new variants' rows
    run_preds = list(predictors)
    for of in outer_folds(bd, n_folds, seed):
        if of.fold in done_folds:
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        rows, stages = run_fold(bd, of, seed, keys, run_preds, log=log)
        stages["total"] = time.perf_counter() - t0
        stages["total_cpu"] = time.process_time() - c0  # all threads; load-independent
        stage_log[str(of.fold)] = stages
        done_rows += rows
        log(f"  {name} seed {seed} fold {of.fold}: {stages['total']:.1f}s "
            f"(CPU {stages['total_cpu']:.1f}s)")
        os.makedirs(results_dir, exist_ok=True)
        with open(partial, "w") as fh:
            json.dump({"settings": settings, "rows": done_rows, "stages": stage_log}, fh)
    wall = elapsed_before + time.perf_counter() - t_start
    rows = done_rows
    runs = [dict(command=command, variants=sorted(keys), predictors=sorted(predictors),
                 wall_s=wall, cpu_s=sum(v.get("total_cpu", 0.0) for v in stage_log.values()),
                 stages=stage_log, gramixc=_gramixc_version(), threads=THREADS,
                 finished=time.strftime("%Y-%m-%d %H:%M:%S"))]
    if old is not None:  # merge: the old rows stay unless this run produced them again
        # the predictors alone keep their first run's rows, so that every earlier variant
        # stays paired with the run it was fitted in; the new rows carry their own run's
        # "alone" score (XGBoost's can differ between runs: different thread settings)
        metric = main_metric(bd.task)
        old_alone = {(r["predictor"], r["fold"]) for r in old["rows"] if r["variant"] == "alone"}
        alone_now = {(r["predictor"], r["fold"]): r[metric] for r in rows
                     if r["variant"] == "alone"}
        for r in rows:
            if r["variant"] != "alone" and (r["predictor"], r["fold"]) in old_alone:
                r["alone_in_run"] = alone_now[(r["predictor"], r["fold"])]
        rows = [r for r in rows if not (r["variant"] == "alone"
                                        and (r["predictor"], r["fold"]) in old_alone)]
        new_keys = {(r["predictor"], r["variant"]) for r in rows}
        rows = [r for r in old["rows"] if (r["predictor"], r["variant"]) not in new_keys] \
            + rows
        runs = old["runs"] + runs
    out = dict(dataset=name, seed=seed, task=bd.task, note=bd.note, n_rows=int(len(bd.y)),
               n_features=int(bd.X.shape[1]), grouped=bd.groups is not None, folds=n_folds,
               max_rows=max_rows, wall_s=sum(r["wall_s"] for r in runs),
               cpu_s=sum(r.get("cpu_s", 0.0) for r in runs), runs=runs,
               rows=rows)
    os.makedirs(results_dir, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
    if os.path.exists(partial):
        os.remove(partial)
    log(f"{name} seed {seed}: done in {wall:.0f}s -> {path}")
    return path


#: Minutes of one (dataset, seed) with every variant, one thread, 5 folds, the 20,000-row
#: cap: CPU time on the project's 2-core machine (today's API). Balances --shard and
#: prices --plan.
EST_MIN = {
    # measured: CPU minutes of seed 0 (results/evidence/*_seed0.json, cpu_s), 193 in all
    "16s_gold": 14.5, "16s_gold_random": 14.9, "diabetes": 0.8, "boston": 1.0,
    "wine": 0.5, "breast_cancer": 0.9, "digits": 11.9, "abalone": 4.2, "qm9": 17.4,
    "fashion_mnist": 20.3, "16s_ncbi": 44.0, "ames": 7.4, "cells": 2.8, "default": 7.4,
    "caravan": 5.4, "college": 1.4, "oj": 1.5, "dna": 7.1, "pima": 1.3,
    "ionosphere": 0.7, "randhie": 5.3, "fair": 4.0, "apartments": 8.9, "dragons": 3.5,
    "titanic": 2.1, "german": 1.1, "seattle_weather": 2.0, "freesolv": 1.2,
}


def shard_units(datasets, seeds, shard: tuple[int, int] | None = None) -> list[tuple]:
    """The (dataset, seed) units of shard ``(i, n)`` (1-based): longest first to the
    least-loaded shard (:data:`EST_MIN`), deterministic; every unit when ``shard`` is None.
    Run the n shards as n processes side by side (one thread each)."""
    units = [(d, s) for d in datasets for s in seeds]
    if shard is None:
        return units
    i, n = shard
    if not 1 <= i <= n:
        raise ValueError(f"--shard {i}/{n}: need 1 <= i <= n")
    load = [0.0] * n
    owner = {}
    for u in sorted(units, key=lambda u: (-EST_MIN.get(u[0], 5.0), units.index(u))):
        k = int(np.argmin(load))
        owner[u] = k
        load[k] += EST_MIN.get(u[0], 5.0)
    return [u for u in units if owner[u] == i - 1]


def result_path(results_dir: str, dataset: str, seed: int) -> str:
    """The file of one (dataset, seed) unit."""
    return os.path.join(results_dir, f"{dataset}_seed{seed}.json")


def unit_complete(path: str, variants, predictors, redo: bool = False) -> bool:
    """Whether the file of a unit exists and holds every row these settings produce
    (with ``redo``: never, the rows are to be recomputed)."""
    if redo or not os.path.exists(path):
        return False
    with open(path) as fh:
        have = {(r["predictor"], r["variant"]) for r in json.load(fh)["rows"]}
    return _requested(variants, predictors) <= have


def queue_order(datasets, seeds) -> list[tuple]:
    """The (dataset, seed) units as ``--workers`` hands them out: seed by seed (a seed is
    complete before the next starts), longest first within a seed (:data:`EST_MIN`),
    ties as listed."""
    return [(d, s) for s in seeds
            for d in sorted(datasets, key=lambda d: (-EST_MIN.get(d, 5.0), datasets.index(d)))]


def run_workers(units, passthrough: list[str], command: str, workers: int,
                log=print) -> list[tuple]:
    """Run every unit in its own ``python benchmarks/evidence.py`` process, ``workers`` at a
    time: each free worker takes the next unit in order. Their files record ``command``
    (this run's), not the per-unit command. Returns the units that failed."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    def one(unit):
        d, s = unit
        t = time.perf_counter()
        rc = subprocess.run([sys.executable, os.path.abspath(__file__), "--datasets", d,
                             "--seeds", str(s), "--no-report", "--recorded-command", command,
                             *passthrough]).returncode
        log(f"== {d} seed {s}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in "
            f"{time.perf_counter() - t:.0f}s")
        return unit, rc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [u for u, rc in pool.map(one, units) if rc != 0]


def run(datasets, seeds, variants, predictors, n_folds=5, max_rows=20_000,
        results_dir=RESULTS_DIR, command="", force=False, log=print,
        shard=None, redo=False) -> list[str]:
    """Every (dataset, seed) of the shard in turn (datasets outer, seeds inner); the
    files written."""
    paths = []
    for name, seed in shard_units(datasets, seeds, shard):
        p = run_dataset_seed(name, seed, variants, predictors, n_folds, max_rows,
                             results_dir, command=command, force=force, log=log,
                             redo=redo)
        if p:
            paths.append(p)
    return paths


# ----------------------------------------------------------------------------- report
def load_results(results_dir=RESULTS_DIR) -> list[dict]:
    """Every ``<dataset>_seed<k>.json`` of ``results_dir`` (partial files ignored)."""
    out = []
    if not os.path.isdir(results_dir):
        return out
    for fn in sorted(os.listdir(results_dir)):
        if fn.endswith(".json") and not fn.endswith(".partial.json") and "_seed" in fn:
            with open(os.path.join(results_dir, fn)) as fh:
                out.append(json.load(fh))
    return out


def _fmt(t: dict) -> str:
    if t["verdict"] == "n/a":
        return "—"
    word = {"gain": "**gain**", "loss": "**loss**", "tie": "tie"}[t["verdict"]]
    return f"{t['mean']:+.3f} [{t['lo']:+.3f}, {t['hi']:+.3f}] {word}"


def _order(datasets_present):
    from evidence_data import EVIDENCE_DATASETS

    known = [d for d in EVIDENCE_DATASETS if d in datasets_present]
    return known + sorted(set(datasets_present) - set(known))


def summarize(rows) -> dict:
    """All tests: ``{(dataset, predictor, variant): {"alone": test, "best": (peer, test),
    peer: test, ...}}``."""
    out = {}
    keys = sorted({(r["dataset"], r["predictor"], r["variant"]) for r in rows})
    for ds, kind, var in keys:
        if var == "alone":
            continue
        res = {"alone": test_pair(rows, ds, kind, var, "alone")}
        if var in GRAMIXC_ROWS:
            for p in PEERS:
                res[p] = test_pair(rows, ds, kind, var, p)
            bp = best_peer(rows, ds, kind)
            res["best"] = (bp, test_pair(rows, ds, kind, var, bp) if bp else
                           test_pair(rows, ds, kind, var, "__none__"))
        out[(ds, kind, var)] = res
    return out


def _counts(tests) -> str:
    got = [t["verdict"] for t in tests if t["verdict"] != "n/a"]
    return f"{got.count('gain')} / {got.count('tie')} / {got.count('loss')}"


def summary_lines(rows, tests) -> list[str]:
    """Per predictor and variant: gains / ties / losses against the predictor alone
    and (GraMixC rows) against the best peer."""
    lines = ["| predictor | variant | datasets | vs alone: gain / tie / loss | "
             "vs best peer: gain / tie / loss |", "|---|---|---|---|---|"]
    for kind in ("xgboost", "linear", "mlp"):
        variants = [v for v in (*GRAMIXC_ROWS, *PEERS, "GraMixC end-to-end")
                    if any(k[1] == kind and k[2] == v for k in tests)]
        for v in variants:
            ts = [t for k, t in tests.items() if k[1] == kind and k[2] == v]
            vs_best = _counts([t["best"][1] for t in ts]) if v in GRAMIXC_ROWS else "—"
            lines.append(f"| {kind} | {v} | {len(ts)} | {_counts([t['alone'] for t in ts])} "
                         f"| {vs_best} |")
    return lines


def goals(rows, tests, variant="+GraMixC", kinds=("xgboost", "linear"),
          end_to_end=True) -> list[str]:
    """The goals for one GraMixC row and these predictors, stated plainly."""
    out = []
    for kind in kinds:
        ts = {k[0]: t for k, t in tests.items() if k[1] == kind and k[2] == variant}
        if not ts:
            continue
        losses = [d for d, t in ts.items() if t["alone"]["verdict"] == "loss"]
        peer_gain = [d for d in ts if any(tests.get((d, kind, p), {}).get("alone", {})
                                          .get("verdict") == "gain" for p in PEERS)]
        own_gain = [d for d in peer_gain if ts[d]["alone"]["verdict"] == "gain"]
        knn_gain = [d for d in ts if tests.get((d, kind, "+kNN mean"), {}).get("alone", {})
                    .get("verdict") == "gain"]
        below_knn = [d for d in knn_gain if ts[d]["+kNN mean"]["verdict"] == "loss"]
        met = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
        out += [
            f"* {kind}, {variant}: significant losses against {kind} alone: {len(losses)} "
            f"of {len(ts)} datasets ({', '.join(losses) or 'none'}) — goal 0: "
            f"{met(not losses)}.",
            f"* {kind}, {variant}: significant gain on {len(own_gain)} of the {len(peer_gain)} "
            f"datasets where a simple peer has one ({', '.join(own_gain) or 'none'}) — goal "
            f"at least half: {met(2 * len(own_gain) >= len(peer_gain))}.",
            f"* {kind}, {variant}: significantly below the kNN-mean peer on {len(below_knn)} "
            f"of the {len(knn_gain)} datasets where that peer gains "
            f"({', '.join(below_knn) or 'none'}) — goal 0: {met(not below_knn)}.",
        ]
    e2e = {k[0]: t for k, t in tests.items() if k[1] == "mlp" and k[2] == "GraMixC end-to-end"}
    if e2e and end_to_end:
        losses = [d for d, t in e2e.items() if t["alone"]["verdict"] == "loss"]
        gains = [d for d, t in e2e.items() if t["alone"]["verdict"] == "gain"]
        out.append(f"* End to end against the MLP alone: significant losses on {len(losses)} "
                   f"of {len(e2e)} ({', '.join(losses) or 'none'}; goal 0: "
                   f"{'**met**' if not losses else '**not met**'}); significant gains on "
                   f"{', '.join(gains) or 'none'}.")
    return out


def rank_candidates(tests, kind="xgboost") -> list[str]:
    """The defaults' rule: candidates with no significant loss against the predictor alone
    first, then the most significant gains (then the mean Δ over datasets)."""
    lines = ["| rank | candidate | datasets | losses vs alone | gains vs alone | "
             "mean Δ over datasets | eligible (0 losses) |", "|---|---|---|---|---|---|---|"]
    cands = []
    for v in GRAMIXC_ROWS + ("GraMixC end-to-end",):
        k2 = "mlp" if v == "GraMixC end-to-end" else kind
        ts = [t["alone"] for k, t in tests.items() if k[1] == k2 and k[2] == v]
        ts = [t for t in ts if t["verdict"] != "n/a"]
        if not ts:
            continue
        losses = sum(t["verdict"] == "loss" for t in ts)
        gains = sum(t["verdict"] == "gain" for t in ts)
        mean = float(np.mean([t["mean"] for t in ts]))
        cands.append((losses > 0, -gains, -mean, v, len(ts), losses, gains, mean))
    for i, c in enumerate(sorted(cands)):
        _, _, _, v, n, losses, gains, mean = c
        label = v + (" (vs MLP alone)" if v == "GraMixC end-to-end" else "")
        lines.append(f"| {i + 1} | {label} | {n} | {losses} | {gains} | {mean:+.4f} | "
                     f"{'yes' if not losses else 'no'} |")
    return lines


def hypothesis_tables(rows) -> list[str]:
    """The hypotheses stated before the run (``docs/benchmarks_findings.md``): every GraMixC
    candidate paired against the default on the same folds (H3, H4), and whether the
    paper path's Δ falls with the strength of XGBoost alone (H2, Spearman's ρ across
    datasets, per task)."""
    from scipy import stats

    out = ["### Candidates against the default, paired (XGBoost)", "",
           "| dataset | " + " | ".join(f"{v} − +GraMixC" for v in GRAMIXC_ROWS[1:]) + " |",
           "|---|" + "---|" * (len(GRAMIXC_ROWS) - 1)]
    counts = {v: {"gain": 0, "tie": 0, "loss": 0} for v in GRAMIXC_ROWS[1:]}
    for ds in _order({r["dataset"] for r in rows}):
        cells = []
        for v in GRAMIXC_ROWS[1:]:
            t = test_pair(rows, ds, "xgboost", v, "+GraMixC")
            if t["verdict"] in counts[v]:
                counts[v][t["verdict"]] += 1
            cells.append("—" if t["verdict"] == "n/a" else
                         f"{t['mean']:+.3f} [{t['lo']:+.3f}, {t['hi']:+.3f}] "
                         + (f"**{t['verdict']}**" if t["verdict"] != "tie" else "tie"))
        out.append(f"| {ds} | " + " | ".join(cells) + " |")
    out += ["", "Counts (gain / tie / loss against the default): " + "; ".join(
        f"{v} {c['gain']} / {c['tie']} / {c['loss']}" for v, c in counts.items()), ""]
    out += ["### H2: the paper path's Δ against the strength of XGBoost alone", "",
            "| task | datasets | Spearman ρ (XGBoost alone score, paper-path Δ) | p |",
            "|---|---|---|---|"]
    for task in ("regression", "classification"):
        pts = []
        for ds in _order({r["dataset"] for r in rows if r["task"] == task}):
            base = [r[main_metric(task)] for r in rows if r["dataset"] == ds
                    and r["predictor"] == "xgboost" and r["variant"] == "alone"]
            t = test_pair(rows, ds, "xgboost", "+GraMixC paper", "alone")
            if base and not math.isnan(t["mean"]):
                pts.append((float(np.mean(base)), t["mean"]))
        if len(pts) >= 3:
            rho, p = stats.spearmanr([a for a, _ in pts], [b for _, b in pts])
            out.append(f"| {task} | {len(pts)} | {rho:+.2f} | {p:.3f} |")
    return out + [""]


def dataset_table(rows, tests, kind) -> list[str]:
    """One line per dataset: the predictor alone and every variant's Δ [95 % CI] verdict."""
    present = [v for v in (*GRAMIXC_ROWS, *PEERS, "GraMixC end-to-end")
               if any(k[1] == kind and k[2] == v for k in tests)]
    if not present:
        return []
    lines = [f"| dataset | metric | pairs | {kind} alone | "
             + " | ".join(present) + " |", "|---|---|---|---|" + "---|" * len(present)]
    for ds in _order({r["dataset"] for r in rows}):
        al = [r for r in rows if r["dataset"] == ds and r["predictor"] == kind
              and r["variant"] == "alone"]
        if not al:
            continue
        m = main_metric(al[0]["task"])
        vals = [r[m] for r in al]
        cells = [_fmt(tests[(ds, kind, v)]["alone"]) if (ds, kind, v) in tests else "—"
                 for v in present]
        lines.append(f"| {ds} | {m} | {len(al)} | {np.mean(vals):.3f} | " + " | ".join(cells)
                     + " |")
    return lines


def peer_table(rows, tests, kind, variant="+GraMixC") -> list[str]:
    """A GraMixC row against each simple peer and the best peer, plus its choices."""
    from collections import Counter

    lines = [f"| dataset | {variant} − " + " | − ".join(PEERS) + " | best peer | − best peer "
             "| chosen (all folds) |", "|---|" + "---|" * (len(PEERS) + 3)]
    any_line = False
    for ds in _order({r["dataset"] for r in rows}):
        t = tests.get((ds, kind, variant))
        if t is None:
            continue
        any_line = True
        chosen = Counter(r.get("chosen") or "none" for r in rows if r["dataset"] == ds
                         and r["predictor"] == kind and r["variant"] == variant)
        lines.append(f"| {ds} | " + " | ".join(_fmt(t[p]) for p in PEERS)
                     + f" | {t['best'][0] or '—'} | {_fmt(t['best'][1])} | "
                     + ", ".join(f"{c} {n}" for c, n in chosen.most_common()) + " |")
    return lines if any_line else []


def timing_table(results) -> list[str]:
    lines = ["| dataset | rows | features | grouped | seed | wall (min) | CPU (min) | per "
             "fold: GraMixC default / paper / fusion / peers / MLP pair (s) |",
             "|---|---|---|---|---|---|---|---|"]
    for res in sorted(results, key=lambda r: (_order([r["dataset"]]), r["seed"])):
        st = [s for run in res["runs"] for s in run["stages"].values()]

        def mean(key, st=st):
            v = [s[key] for s in st if key in s]
            return f"{np.mean(v):.0f}" if v else "—"

        mlp = [s.get("mlp alone", 0) + s.get("mlp end-to-end", 0) for s in st
               if "mlp alone" in s]
        lines.append(f"| {res['dataset']} | {res['n_rows']:,} | {res['n_features']} | "
                     f"{'yes' if res['grouped'] else 'no'} | {res['seed']} | "
                     f"{res['wall_s'] / 60:.1f} | {res.get('cpu_s', 0.0) / 60:.1f} | "
                     f"{mean('+GraMixC')} / {mean('+GraMixC paper')}"
                     f" / {mean('+GraMixC fusion')} / {mean('peer features')} / "
                     + (f"{np.mean(mlp):.0f}" if mlp else "—") + " |")
    return lines


def write_report(results_dir=RESULTS_DIR, out_md=DEFAULT_OUT, seeds=None) -> str:
    """Rebuild the markdown report from the per-(dataset, seed) files alone (those of
    ``seeds`` only, when given: a report over the seeds every dataset has finished)."""
    wanted = seeds
    results = [res for res in load_results(results_dir)
               if wanted is None or res["seed"] in wanted]
    if not results:
        raise FileNotFoundError(f"{results_dir}: no evidence results yet; run "
                                "`python benchmarks/evidence.py` first")
    rows = [r for res in results for r in res["rows"]]
    tests = summarize(rows)
    datasets = _order({res["dataset"] for res in results})
    seeds = sorted({res["seed"] for res in results})
    wall = sum(res["wall_s"] for res in results)
    commands = list(dict.fromkeys(run["command"] for res in results for run in res["runs"]
                                  if run.get("command")))
    versions = sorted({run["gramixc"] for res in results for run in res["runs"]})
    by_dataset = {d: sorted(res["seed"] for res in results if res["dataset"] == d)
                  for d in datasets}
    short = [d for d, s in by_dataset.items() if s != seeds]
    uneven = ([f"**Uneven seeds:** {len(short)} of {len(datasets)} datasets lack some of "
               f"seeds {seeds} ({', '.join(f'{d} {by_dataset[d]}' for d in short[:8])}"
               f"{', …' if len(short) > 8 else ''}): their intervals rest on fewer pairs. "
               "Compare like with like: `--report --seeds` with the seeds every dataset has.",
               ""] if short else [])
    parts = [
        f"# Evidence: every variant, {len(seeds)} seed{'s' if len(seeds) > 1 else ''}, "
        "paired tests",
        "",
        "Generated by `python benchmarks/evidence.py --report"
        + (f" --seeds {' '.join(map(str, wanted))}" if wanted else "")
        + "` from "
        f"`{os.path.relpath(results_dir, os.path.dirname(HERE))}/` "
        f"({len(datasets)} datasets, seeds {seeds}, {len(results)} dataset-seed files, "
        f"{wall / 3600:.1f} h of compute on the project's 2-core machine; gramixc "
        f"{', '.join(versions)}). Commands:",
        "",
        "```bash\n" + "\n".join(commands or ["python benchmarks/evidence.py"]) + "\n```",
        "",
        "Protocol: the suite's outer folds (5 per seed, grouped where the data has groups, "
        "stratified for classes), everything label-derived cross-fitted inside the "
        "training fold, hyper-parameters fixed in advance (XGBoost 300 trees, lr 0.05, "
        "depth 6, subsample/colsample 0.8, 64 bins; Ridge α=1 / logistic regression on "
        "standardised features; the built-in MLP 256-128-64). Every cell is the mean "
        "paired Δ (variant − the same predictor alone, R² or accuracy) over the (seed, "
        "fold) pairs, its 95 % interval from the Nadeau–Bengio corrected resampled t-test "
        "(variance × (1/J + n_test/n_train), t with J − 1 d.o.f.) and the verdict: "
        "**gain** (interval above 0), tie, **loss** (below 0). 'Best peer': the simple "
        "peer (+kNN mean, +TE, +1 config) with the highest mean Δ on that dataset, chosen "
        "in hindsight.",
        "",
        *uneven,
        "## Summary per variant",
        "",
        *summary_lines(rows, tests),
        "",
        "## Goals (GraMixC default)",
        "",
        *goals(rows, tests),
        "",
        *(["## Goals for `gramixc.make_pipeline` (GraMixC judged by the model after it)",
           "",
           "The same goals for `gramixc.make_pipeline(GraMixC(), <the predictor>)`, which "
           "sets `reference_estimator=` a copy of that predictor: the `+GraMixC XGBoost "
           "judge` rows with XGBoost, the `+GraMixC linear judge` rows (H6) with Ridge / "
           "logistic regression:", "",
           *goals(rows, tests, VARIANTS["xgb_judge"], kinds=("xgboost",),
                  end_to_end=False),
           *goals(rows, tests, VARIANTS["linear_judge"], kinds=("linear",),
                  end_to_end=False), ""]
          if any(k[2] in (VARIANTS["linear_judge"], VARIANTS["xgb_judge"]) for k in tests)
          else []),
        "## Candidates for the default",
        "",
        "No significant loss against the predictor alone first, then the most significant "
        "gains, then the mean Δ over datasets. XGBoost rows; the end-to-end estimator "
        "against the MLP alone.",
        "",
        *rank_candidates(tests, "xgboost"),
        "",
    ]
    findings = os.path.join(os.path.dirname(os.path.abspath(out_md)), "benchmarks_findings.md")
    if os.path.exists(findings):
        with open(findings) as fh:
            parts += [fh.read().rstrip(), ""]
    parts += ["## The hypotheses, measured", "", *hypothesis_tables(rows)]
    for kind, title in (("xgboost", "XGBoost"), ("linear", "Ridge / logistic regression"),
                        ("mlp", "The built-in MLP: alone vs GraMixC end to end")):
        tab = dataset_table(rows, tests, kind)
        if tab:
            parts += [f"## {title}: Δ against {kind} alone", "", *tab, ""]
    for kind in ("xgboost", "linear"):
        for v in GRAMIXC_ROWS:
            tab = peer_table(rows, tests, kind, v)
            if tab:
                parts += [f"## {kind}: {v} against the simple peers", "", *tab, ""]
    parts += ["## Wall time per dataset and seed", "",
              "Per (dataset, seed) file: the whole seed's wall time and the mean per fold of "
              "fitting each GraMixC variant, building the peers' features and fitting the "
              "two MLP rows.", "", *timing_table(results), ""]
    parts += ["## Datasets", "", "| dataset | task | what |", "|---|---|---|"]
    seen = set()
    for res in sorted(results, key=lambda r: _order([r["dataset"]])):
        if res["dataset"] not in seen:
            seen.add(res["dataset"])
            parts.append(f"| {res['dataset']} | {res['task']} | {res['note']} |")
    parts.append("")
    os.makedirs(os.path.dirname(os.path.abspath(out_md)), exist_ok=True)
    with open(out_md, "w") as fh:
        fh.write("\n".join(parts))
    return out_md


# ----------------------------------------------------------------------------- CLI
def main(argv=None) -> int:
    from evidence_data import EVIDENCE_DATASETS, MAX_ROWS

    p = argparse.ArgumentParser(prog="python benchmarks/evidence.py",
                                description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help=f"smoke test: {QUICK['datasets']}, seed 0, 2 folds, variants "
                        f"{QUICK['variants']}, own results dir and report")
    p.add_argument("--datasets", nargs="+", default=None,
                   help="default: all 28 (the suite's 11, then the 17 new)")
    p.add_argument("--seeds", type=int, nargs="+", default=None, help="default 0 1 2")
    p.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=None,
                   help="default: all; 'alone' always runs")
    p.add_argument("--predictors", nargs="+", choices=PREDICTORS, default=None,
                   help="default: xgboost linear (the MLP rows come with --variants mlp)")
    p.add_argument("--folds", type=int, default=None, help="outer folds (default 5)")
    p.add_argument("--max-rows", type=int, default=None,
                   help=f"seeded row cap (default {MAX_ROWS:,}); a smaller cap is a "
                        "different dataset: use its own --results-dir")
    p.add_argument("--threads", type=int, default=1,
                   help="threads of XGBoost, BLAS and OpenMP (default 1: same results, and "
                        "far faster than 2 on a loaded 2-core machine)")
    p.add_argument("--shard", default=None, metavar="I/N",
                   help="run only the I-th of N balanced parts of the (dataset, seed) "
                        "units (start N processes side by side, e.g. 1/2 and 2/2)")
    p.add_argument("--workers", type=int, default=1,
                   help="run the units in this many processes side by side (one thread "
                        "each), each taking the next unit not yet done: seed by seed, "
                        "longest first; the whole run in one command")
    p.add_argument("--recorded-command", default=None, help=argparse.SUPPRESS)
    p.add_argument("--plan", action="store_true",
                   help="print the units this command would run and their projected "
                        "minutes, run nothing")
    p.add_argument("--results-dir", default=None)
    p.add_argument("--out", default=None, help="the markdown report")
    p.add_argument("--force", action="store_true", help="recompute existing files")
    p.add_argument("--redo", action="store_true",
                   help="recompute the --variants' rows even where the files hold them "
                        "(after a change to what they measure); the rows of the other "
                        "variants and the first run's predictor-alone rows stay")
    p.add_argument("--report", action="store_true",
                   help="only rebuild the report from the result files")
    p.add_argument("--no-report", action="store_true", help="do not rewrite the report "
                   "after running")
    a = p.parse_args(argv)
    q = a.quick
    results_dir = a.results_dir or (QUICK_RESULTS_DIR if q else RESULTS_DIR)
    out = a.out or (QUICK_OUT if q else DEFAULT_OUT)
    if a.report:
        try:
            print(f"wrote {write_report(results_dir, out, a.seeds)}")
        except FileNotFoundError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0
    datasets = a.datasets or (QUICK["datasets"] if q else EVIDENCE_DATASETS)
    seeds = a.seeds if a.seeds is not None else (QUICK["seeds"] if q else [0, 1, 2])
    variants = a.variants or (QUICK["variants"] if q else list(VARIANTS))
    predictors = a.predictors or (QUICK["predictors"] if q else list(PREDICTORS))
    folds = a.folds or (QUICK["folds"] if q else 5)
    max_rows = a.max_rows or MAX_ROWS
    cmd = "python benchmarks/evidence.py" + (" --quick" if q else "") + "".join(
        f" --{k} {' '.join(map(str, v))}" for k, v in (
            ("datasets", a.datasets), ("seeds", a.seeds), ("variants", a.variants),
            ("predictors", a.predictors)) if v) + (f" --folds {a.folds}" if a.folds else "") \
        + (f" --max-rows {a.max_rows}" if a.max_rows else "") \
        + (f" --threads {a.threads}" if a.threads != 1 else "") \
        + (" --redo" if a.redo else "")
    cmd = a.recorded_command or cmd
    shard = tuple(int(v) for v in a.shard.split("/")) if a.shard else None
    if a.workers > 1:
        if shard is not None:
            print("error: --workers and --shard are two ways to split the run: use one",
                  file=sys.stderr)
            return 2
        todo = [u for u in queue_order(list(datasets), list(seeds))
                if a.force or not unit_complete(result_path(results_dir, *u), variants,
                                                predictors, a.redo)]
        passthrough = (["--quick"] if q else []) + [
            f"--{k}" if v is True else f"--{k}={v}" for k, v in (
                ("results-dir", results_dir), ("folds", a.folds), ("max-rows", a.max_rows),
                ("threads", a.threads), ("force", a.force), ("redo", a.redo)) if v]
        for k, v in (("variants", a.variants), ("predictors", a.predictors)):
            if v:
                passthrough += [f"--{k}", *v]
        print(f"{len(todo)} units on {a.workers} workers", flush=True)
        failed = run_workers(todo, passthrough, cmd, a.workers,
                             log=lambda m: print(m, flush=True))
        if failed:
            print(f"failed: {failed}", file=sys.stderr)
            return 1
        if not a.no_report:
            print(f"wrote {write_report(results_dir, out)}")
        return 0
    if a.plan:
        units = shard_units(datasets, seeds, shard)
        todo = [u for u in units if a.force or not unit_complete(
            result_path(results_dir, *u), variants, predictors, a.redo)]
        for d, s_ in todo:
            print(f"{d} seed {s_}: ~{EST_MIN.get(d, 5.0):g} min")
        print(f"{len(todo)} of {len(units)} units to run, ~"
              f"{sum(EST_MIN.get(d, 5.0) for d, _ in todo) / 60:.1f} h (projected, all "
              "variants, one thread)")
        return 0
    limit_threads(a.threads)
    t0 = time.perf_counter()
    run(datasets, seeds, variants, predictors, n_folds=folds, max_rows=max_rows,
        results_dir=results_dir, command=cmd, force=a.force, redo=a.redo,
        log=lambda m: print(m, flush=True), shard=shard)
    print(f"total {time.perf_counter() - t0:.0f}s", flush=True)
    if not a.no_report:
        print(f"wrote {write_report(results_dir, out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
