"""Benchmark runner: does GraMixC beat the predictor alone, honestly? (``python benchmarks/run.py``)

For every dataset × predictor × variant, on the same outer folds (grouped by
species for 16S), the runner reports mean ± std of R² and RMSE (regression) or
accuracy and log-loss (classification), the paired difference to the predictor
alone (mean ± std over folds, and on how many folds it was better) and the fit
and predict times.

Variants (everything label-derived is cross-fitted inside the training fold;
test labels are never read; hyper-parameters are fixed in advance):

``alone``          the predictor on ``X``
``+1 config``      + the cross-fitted soft target mean of ONE configuration, chosen
                   on an inner validation split of the training fold (among 6
                   configurations spread coarse → fine)
``+ids``           + the aligned ids of all configurations (kNN-voted for training
                   rows leave-one-out, exactly like test rows)
``+soft``          + the soft vote fractions of all configurations
``+TE``            + cross-fitted soft target means of all configurations
``+GraMixC``       ``make_pipeline(GraMixC(), predictor)`` — default settings: the
                   gate chooses, on the training rows, among no columns, neighbour
                   means, cluster means (seed-bagged), both, the fusion output, all
``+GraMixC paper`` the paper-faithful path: aligned scalar ids as tokens, attention
                   with [CLS] and registers, its prediction + [CLS] always added
``+kNN mean``      peer: out-of-fold mean target of the 5/15/50/150 nearest rows
``+Ward TE``       peer: the ``+TE`` encoding of Ward cuts at the same cluster counts
                   as the configurations (does the Leiden/plateau machinery matter?)

For the built-in MLP: ``GraMixCRegressor/Classifier`` against the same MLP without
configurations (``fusion=None``).

The *leakage warning* experiment (``--leaky``) adds ``+TE leaky``: cluster target
means computed from all rows, test labels included, before the split — the
protocol that inflates results; it is reported separately and never counts as a
method.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["run_benchmarks", "report_from_raw", "headline_table", "QUICK_DATASETS",
           "FULL_DATASETS", "write_report"]

QUICK_DATASETS = ["diabetes", "wine", "16s_gold"]
FULL_DATASETS = ["16s_gold", "16s_gold_random", "diabetes", "boston", "wine", "breast_cancer",
                 "digits", "abalone", "qm9", "fashion_mnist", "16s_ncbi"]

VARIANTS = ["alone", "+1 config", "+ids", "+soft", "+TE", "+GraMixC", "+GraMixC paper",
            "+GraMixC fusion", "+kNN mean", "+Ward TE"]


def _paper_settings() -> dict:
    """The paper-faithful GraMixC: aligned scalar ids as tokens, attention with [CLS] and
    registers, its output (prediction + [CLS]) always added; no neighbour-mean tokens."""
    from gramixc import Fusion

    return dict(features="fusion", neighbors=(),
                fusion=Fusion(tokenization="scalar", readout="mixed"))


def _fusion_settings() -> dict:
    """The default with a fusion network: the gate may also choose its output."""
    from gramixc import Fusion

    return dict(fusion=Fusion())


def gramixc_extractor(metric: str):
    """GraMixC's extractor for the graph ``metric`` (the default settings otherwise:
    capped at n // 10 clusters by GraMixC, no envelope refinement)."""
    from gramixc import ConfigurationExtractor

    return ConfigurationExtractor(metric=metric, refine=False)


#: GraMixC rows of the suite: the default, the paper-faithful path and the default
#: whose gate may also choose the fusion output (``--gramixc`` picks among them).
GRAMIXC_VARIANTS = {"+GraMixC": dict, "+GraMixC paper": _paper_settings,
                    "+GraMixC fusion": _fusion_settings}
#: Short names of GRAMIXC_VARIANTS for the command line.
GRAMIXC_SHORT = {"default": "+GraMixC", "paper": "+GraMixC paper", "fusion": "+GraMixC fusion"}
PREDICTORS = ("xgboost", "linear", "mlp")
#: XGBoost's threads in :func:`make_predictor` (the evidence run sets 1: same predictions,
#: and two OpenMP threads on a loaded 2-core machine are many times slower).
XGB_THREADS = 2


# ----------------------------------------------------------------------------- data
@dataclass
class BenchData:
    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    groups: np.ndarray | None
    metric: str = "euclidean"  # or "choose": picked per fold on the training rows
    note: str = ""
    extra: dict = field(default_factory=dict)


def load_bench_data(name: str, quick: bool) -> BenchData:
    """The benchmark version of a dataset (fixed subsets documented in ``note``)."""
    from gramixc.datasets import load_dataset

    if name in ("16s_gold", "16s_gold_random"):
        k = (4,) if quick else (4, 5)  # quick: 256 instead of 1280 features
        ds = load_dataset("16s_gold", k=k)
        grouped = name == "16s_gold"
        kname = "+".join(map(str, k))
        return BenchData(name, ds.X, ds.y, ds.task, ds.groups if grouped else None,
                         metric="choose",
                         note=(f"402 sequences, 324 species, {kname}-mer spectra, graph metric "
                               "(cosine or euclidean) chosen per fold on the training rows; "
                               + ("folds grouped by species (new species)" if grouped else
                                  "random folds (near-identical strains on both sides)")))
    if name == "16s_ncbi":
        ds = load_dataset("16s_ncbi")
        return BenchData(name, ds.X, ds.y, ds.task, ds.groups, metric="choose",
                         note=f"{len(ds.y)} NCBI 16S sequences, 4+5-mer spectra, graph "
                              "metric chosen per fold on the training rows, folds grouped by "
                              "species")
    if name == "fashion_mnist":
        n = 2000 if quick else 5_000
        ds = load_dataset("fashion_mnist", n_samples=n)
        return BenchData(name, ds.X, ds.y, ds.task, None,
                         note=f"{n:,}-image seeded subsample of the 70k, 50 PCA components")
    if name == "qm9":
        n = 2000 if quick else 5_000
        ds = load_dataset("qm9", n_samples=n)
        return BenchData(name, ds.X, ds.y, ds.task, None,
                         note=f"{n:,}-molecule seeded subset, Morgan count fingerprints "
                              "(1024 bits), target HOMO-LUMO gap (eV)")
    ds = load_dataset(name)
    return BenchData(name, ds.X, ds.y, ds.task, None, note=f"{ds.X.shape[0]} rows, "
                                                              f"{ds.X.shape[1]} features")


# ----------------------------------------------------------------------------- models
def make_predictor(kind: str, task: str, seed: int, sparse: bool = False):
    """Predictors with hyper-parameters fixed in advance (never tuned on test folds)."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "xgboost":
        from xgboost import XGBClassifier, XGBRegressor

        params = dict(n_estimators=300, learning_rate=0.05, max_depth=6, subsample=0.8,
                      colsample_bytree=0.8, max_bin=64, random_state=seed,
                      n_jobs=XGB_THREADS)
        return XGBRegressor(**params) if task == "regression" else XGBClassifier(**params)
    if kind == "linear":
        scaler = StandardScaler(with_mean=not sparse)  # sparse soft votes cannot be centred
        if task == "regression":
            return make_pipeline(scaler, Ridge(alpha=1.0))
        return make_pipeline(scaler, LogisticRegression(max_iter=3000))
    raise ValueError(f"unknown predictor {kind!r}")


def score(task: str, y_true, model, X) -> dict:
    from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

    if task == "regression":
        p = model.predict(X)
        return {"r2": float(r2_score(y_true, p)),
                "rmse": float(np.sqrt(mean_squared_error(y_true, p)))}
    proba = model.predict_proba(X)
    classes = getattr(model, "classes_", None)
    if classes is None:
        classes = model[-1].classes_
    return {"accuracy": float(accuracy_score(y_true, classes[np.argmax(proba, axis=1)])),
            "log_loss": float(log_loss(y_true, proba, labels=classes))}


# ----------------------------------------------------------------------------- features
def _capped_configurations(X, metric, n_train, seed, count=16):
    """Configurations of ``X`` capped at ``n_train // 10`` clusters, ``count`` of them
    evenly spaced: ``(fitted extractor, ids, cluster counts)``."""
    from gramixc.configurations import evenly_spaced
    from gramixc.extractor import ConfigurationExtractor

    ext = ConfigurationExtractor(metric=metric, max_clusters=max(2, n_train // 10),
                                 random_state=seed).fit(X)
    cfg = ext.configurations_
    sel = evenly_spaced(len(cfg), count)
    return ext, cfg.ids[:, sel], cfg.n_clusters[sel]


def _standardized(Xtr, Xte):
    """Training and test rows standardised with the training rows' scaler (the scaling
    the extractor's graph uses)."""
    from sklearn.preprocessing import StandardScaler

    sc = StandardScaler().fit(Xtr)
    return sc.transform(Xtr), sc.transform(Xte)


class FoldFeatures:
    """Every configuration-derived feature block of one outer fold (built once)."""

    def __init__(self, Xtr, ytr, Xte, task, metric, seed, groups=None, leaky_y=None,
                 Xall=None, ward=True):
        from sklearn.preprocessing import LabelEncoder

        from gramixc.assign import knn_vote, soft_votes
        from gramixc.target_stats import cluster_stats, crossfit_features, fold_ids, soft_features

        t0 = time.perf_counter()
        self.task = task
        n = len(ytr)
        if task == "classification":
            self.le = LabelEncoder().fit(ytr)
            y_enc = self.le.transform(ytr)
            n_classes = len(self.le.classes_)
        else:
            y_enc = np.asarray(ytr, dtype=np.float64)
            n_classes = 0
        self.n_classes = n_classes
        ext, ids, self.K = _capped_configurations(Xtr, metric, n, seed)
        d_tr, nb_tr = ext.kneighbors()
        d_te, nb_te = ext.kneighbors(Xte)
        w_tr, w_te = ext.vote_weights(d_tr), ext.vote_weights(d_te)
        self.ids_tr, self.ids_te = knn_vote(nb_tr, w_tr, ids), knn_vote(nb_te, w_te, ids)
        self.soft_tr = soft_votes(nb_tr, w_tr, ids, self.K)
        self.soft_te = soft_votes(nb_te, w_te, ids, self.K)
        folds = fold_ids(n, 5, seed, groups=groups)
        self.folds = folds
        stats_args = dict(n_classes=n_classes, smoothing=5.0)
        T_tr = crossfit_features(nb_tr, w_tr, ids, y_enc, folds, **stats_args)
        T_te = soft_features(nb_te, w_te, ids, cluster_stats(ids, y_enc, **stats_args))
        self.te_tr, self.te_te = self._te_cols(T_tr), self._te_cols(T_te)
        self.seconds_configurations = time.perf_counter() - t0

        # peer: Ward cuts at the same cluster counts, same encoding
        Xs_tr, Xs_te = _standardized(Xtr, Xte)
        t0 = time.perf_counter()
        self.ward_tr = self.ward_te = None
        if ward and n <= 12_000:  # ward=False: callers without the Ward peer
            from scipy.cluster.hierarchy import fcluster, linkage

            Z = linkage(Xs_tr, method="ward")
            wids = np.column_stack([fcluster(Z, int(k), criterion="maxclust") - 1
                                    for k in self.K])
            wids = np.column_stack([np.unique(c, return_inverse=True)[1] for c in wids.T])
            Tw_tr = crossfit_features(nb_tr, w_tr, wids, y_enc, folds, **stats_args)
            Tw_te = soft_features(nb_te, w_te, wids, cluster_stats(wids, y_enc, **stats_args))
            self.ward_tr, self.ward_te = self._te_cols(Tw_tr), self._te_cols(Tw_te)
        self.seconds_ward = time.perf_counter() - t0

        # peer: out-of-fold kNN target means (5/15/50/150 neighbours)
        t0 = time.perf_counter()
        self.knn_tr, self.knn_te = self._knn_means(Xs_tr, y_enc, Xs_te, folds, metric)
        self.seconds_knn = time.perf_counter() - t0

        # leakage warning: statistics from ALL rows (test labels inside), not cross-fitted
        self.leaky_tr = self.leaky_te = None
        if leaky_y is not None:
            _, ids_all, _ = _capped_configurations(Xall, metric, n, seed)
            y_all = (self.le.transform(leaky_y) if task == "classification"
                     else np.asarray(leaky_y, dtype=np.float64))
            st = cluster_stats(ids_all, y_all, **stats_args)
            feats = np.stack([st.tables[j][ids_all[:, j]] for j in range(ids_all.shape[1])],
                             axis=1)
            leaky = self._te_cols(feats)
            self.leaky_all = leaky  # rows in the order of Xall; split by the caller

    def _te_cols(self, T):
        if self.task == "regression" or self.n_classes == 2:
            return T[:, :, 0 if self.task == "regression" else 1]
        return T[:, :, : self.n_classes].reshape(T.shape[0], -1)

    def te_single(self, j, train: bool):
        T = self.te_tr if train else self.te_te
        if self.task == "regression" or self.n_classes == 2:
            return T[:, j:j + 1]
        return T[:, j * self.n_classes:(j + 1) * self.n_classes]

    def _knn_means(self, Xs_tr, y_enc, Xs_te, folds, metric):
        from sklearn.neighbors import NearestNeighbors

        Ks = [5, 15, 50, 150]
        Y = (np.eye(self.n_classes)[y_enc] if self.task == "classification"
             else y_enc.reshape(-1, 1))
        n = len(y_enc)
        tr = np.zeros((n, len(Ks) * Y.shape[1]))
        for f in np.unique(folds):
            rest, held = folds != f, folds == f
            kmax = min(max(Ks), int(rest.sum()))
            nn = NearestNeighbors(n_neighbors=kmax, metric=metric).fit(Xs_tr[rest])
            _, idx = nn.kneighbors(Xs_tr[held])
            Yr = Y[rest]
            tr[held] = np.hstack([Yr[idx[:, :min(k, kmax)]].mean(axis=1) for k in Ks])
        kmax = min(max(Ks), n)
        _, idx = NearestNeighbors(n_neighbors=kmax, metric=metric).fit(Xs_tr).kneighbors(Xs_te)
        te = np.hstack([Y[idx[:, :min(k, kmax)]].mean(axis=1) for k in Ks])
        return tr, te


def choose_metric(Xtr, ytr, task, groups=None, seed=0, candidates=("cosine", "euclidean")):
    """Pick the graph metric on the TRAINING rows only (never the test fold).

    Proxy: the out-of-fold score of a 15-nearest-neighbour mean on standardised
    training rows (grouped folds when ``groups``), i.e. which metric makes
    neighbourhoods most label-coherent — the property every configuration feature
    relies on. Returns ``(metric, {metric: score})``.
    """
    from sklearn.model_selection import GroupKFold, KFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if groups is not None:
        cv = list(GroupKFold(5, shuffle=True, random_state=seed).split(Xtr, ytr, groups))
    else:
        cv = list(KFold(5, shuffle=True, random_state=seed).split(Xtr, ytr))
    scores = {}
    for metric in candidates:
        knn = (KNeighborsRegressor(15, metric=metric) if task == "regression"
               else KNeighborsClassifier(15, metric=metric))
        scores[metric] = float(np.mean(cross_val_score(make_pipeline(StandardScaler(), knn),
                                                       Xtr, ytr, cv=cv)))
    return max(scores, key=scores.get), scores


def _hstack(X, extra):
    import scipy.sparse as sp

    if sp.issparse(extra):
        return sp.hstack([sp.csr_matrix(X), extra]).tocsr()
    return np.hstack([X, extra])


# ----------------------------------------------------------------------------- runner
def _timed_fit_score(model, Xtr, ytr, Xte, yte, task, **fit_kw):
    t0 = time.perf_counter()
    model.fit(Xtr, ytr, **fit_kw)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = score(task, yte, model, Xte)
    s["predict_s"] = time.perf_counter() - t0
    s["fit_s"] = t_fit
    return s


def _choose_single(ff: FoldFeatures, kind, Xtr, ytr, task, seed):
    """Index of the configuration whose target mean helps most on an inner split."""
    rng = np.random.default_rng(seed)
    n = len(ytr)
    inner_val = np.zeros(n, dtype=bool)
    inner_val[rng.permutation(n)[: max(2, n // 5)]] = True
    key = "r2" if task == "regression" else "accuracy"
    from gramixc.configurations import evenly_spaced

    best, best_j = -np.inf, 0
    for j in evenly_spaced(len(ff.K), 6):
        F = _hstack(Xtr, ff.te_single(j, True))
        model = make_predictor(kind, task, seed).fit(F[~inner_val], ytr[~inner_val])
        s = score(task, ytr[inner_val], model, F[inner_val])[key]
        if s > best:
            best, best_j = s, j
    return best_j


def outer_splits(X, y, task: str, groups=None, n_folds: int = 5, seed: int = 0) -> list:
    """The outer folds every variant shares: grouped when ``groups`` (e.g. species),
    stratified for classification, plain shuffled K-fold otherwise."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    if groups is not None:
        return list(GroupKFold(n_folds, shuffle=True, random_state=seed).split(X, y, groups))
    if task == "classification":
        return list(StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(X, y))
    return list(KFold(n_folds, shuffle=True, random_state=seed).split(X, y))


@dataclass
class OuterFold:
    """One outer fold of a benchmark dataset: its rows, seed and graph metric."""

    fold: int
    seed: int
    train: np.ndarray  # row indices into the dataset
    test: np.ndarray
    Xtr: np.ndarray
    Xte: np.ndarray
    ytr: np.ndarray
    yte: np.ndarray
    groups: np.ndarray | None  # of the training rows
    metric: str


def outer_folds(bd: BenchData, n_folds: int = 5, seed: int = 0, log=None):
    """Yield the :class:`OuterFold` s every variant and script shares (:func:`outer_splits`,
    fold seed ``seed * 100 + fold``, the metric chosen on the training rows when
    ``bd.metric == "choose"``; the choice is reported through ``log``)."""
    for fold, (tr, te) in enumerate(outer_splits(bd.X, bd.y, bd.task, bd.groups, n_folds,
                                                 seed)):
        fold_seed = seed * 100 + fold
        gtr = bd.groups[tr] if bd.groups is not None else None
        metric = bd.metric
        if metric == "choose":
            metric, mscores = choose_metric(bd.X[tr], bd.y[tr], bd.task, gtr, fold_seed)
            if log is not None:
                log(f"  fold {fold}: metric chosen on the training rows: {metric} "
                    f"(15-NN out-of-fold score {mscores})")
        yield OuterFold(fold, fold_seed, tr, te, bd.X[tr], bd.X[te], bd.y[tr], bd.y[te], gtr,
                        metric)


def attention_entropy(gmx, X) -> float | None:
    """Mean over the rows of ``X`` of the [CLS] attention's entropy over the tokens,
    relative to the uniform one (1 = uniform, 0 = one token); None without fold models."""
    if not gmx.fold_models_:
        return None
    return float(relative_entropy(gmx.attention_map(X)).mean())


def relative_entropy(A) -> np.ndarray:
    """Per-row entropy of attention weights ``A`` (renormalised over the tokens),
    divided by that of the uniform distribution (1 for a single token)."""
    A = np.asarray(A, dtype=np.float64)
    if A.shape[1] < 2:
        return np.ones(A.shape[0])
    p = A / np.maximum(A.sum(axis=1, keepdims=True), 1e-12)
    return -(p * np.log(np.clip(p, 1e-12, None))).sum(axis=1) / np.log(A.shape[1])


def run_dataset(bd: BenchData, n_folds: int = 5, seed: int = 0, predictors=PREDICTORS,
                leaky: bool = False, log=print,
                gramixc_variants=tuple(GRAMIXC_VARIANTS)) -> list[dict]:
    """All variants of one dataset over ``n_folds`` outer folds; a list of result rows."""
    from gramixc.estimators import GraMixC, GraMixCClassifier, GraMixCRegressor

    X, y, task = bd.X, bd.y, bd.task
    rows = []
    for of in outer_folds(bd, n_folds, seed, log=log):
        fold, fold_seed, metric, gtr = of.fold, of.seed, of.metric, of.groups
        tr, te = of.train, of.test
        Xtr, Xte, ytr, yte = of.Xtr, of.Xte, of.ytr, of.yte
        t0 = time.perf_counter()
        ff = FoldFeatures(Xtr, ytr, Xte, task, metric, fold_seed, groups=gtr,
                          leaky_y=y if leaky else None, Xall=X if leaky else None)
        t_feat = time.perf_counter() - t0
        gmx_runs = {}
        for variant in gramixc_variants:
            kw = GRAMIXC_VARIANTS[variant]
            t0 = time.perf_counter()
            gmx = GraMixC(extractor=gramixc_extractor(metric), task=task,
                          random_state=fold_seed, **kw())
            Ztr = gmx.fit_transform(Xtr, ytr, groups=gtr)
            t_fit = time.perf_counter() - t0
            t0 = time.perf_counter()
            Zte = gmx.transform(Xte)
            t_pred = time.perf_counter() - t0
            gmx_runs[variant] = (gmx, Ztr, Zte, t_fit, t_pred, attention_entropy(gmx, Xte))
            log(f"  fold {fold}: {variant} {t_fit:.1f}s (chose {gmx.feature_set_!r})")
        log(f"  fold {fold}: peer features {t_feat:.1f}s, {len(ff.K)} configurations "
            f"K={ff.K.tolist()}")
        base = dict(dataset=bd.name, fold=fold, task=task, metric_used=metric)
        for kind in predictors:
            if kind == "mlp":
                est = GraMixCRegressor if task == "regression" else GraMixCClassifier
                s = _timed_fit_score(est(extractor=gramixc_extractor(metric), fusion=None,
                                         random_state=fold_seed), Xtr, ytr, Xte, yte, task,
                                     groups=gtr)
                rows.append({**base, "predictor": "mlp", "variant": "alone", **s})
                m = est(extractor=gramixc_extractor(metric), random_state=fold_seed)
                s = _timed_fit_score(m, Xtr, ytr, Xte, yte, task, groups=gtr)
                rows.append({**base, "predictor": "mlp", "variant": "GraMixC end-to-end", **s,
                             "used": bool(m.uses_fusion_)})
                continue
            blocks = {
                "alone": (Xtr, Xte, 0.0),
                "+ids": (ff.ids_tr, ff.ids_te, ff.seconds_configurations),
                "+soft": (ff.soft_tr, ff.soft_te, ff.seconds_configurations),
                "+TE": (ff.te_tr, ff.te_te, ff.seconds_configurations),
                "+kNN mean": (ff.knn_tr, ff.knn_te, ff.seconds_knn),
            }
            if ff.ward_tr is not None:
                blocks["+Ward TE"] = (ff.ward_tr, ff.ward_te, ff.seconds_ward)
            for variant, (a, b, extra_s) in blocks.items():
                Ftr = Xtr if variant == "alone" else _hstack(Xtr, a)
                Fte = Xte if variant == "alone" else _hstack(Xte, b)
                import scipy.sparse as sp

                s = _timed_fit_score(make_predictor(kind, task, fold_seed, sp.issparse(Ftr)),
                                     Ftr, ytr, Fte, yte, task)
                s["fit_s"] += extra_s
                rows.append({**base, "predictor": kind, "variant": variant, **s})
            t0 = time.perf_counter()
            j = _choose_single(ff, kind, Xtr, ytr, task, fold_seed)
            t_sel = time.perf_counter() - t0
            s = _timed_fit_score(make_predictor(kind, task, fold_seed),
                                 _hstack(Xtr, ff.te_single(j, True)), ytr,
                                 _hstack(Xte, ff.te_single(j, False)), yte, task)
            s["fit_s"] += t_sel + ff.seconds_configurations
            rows.append({**base, "predictor": kind, "variant": "+1 config", **s,
                         "chosen_K": int(ff.K[j])})
            for variant, (gmx, Ztr, Zte, t_fit, t_pred, entropy) in gmx_runs.items():
                s = _timed_fit_score(make_predictor(kind, task, fold_seed), Ztr, ytr, Zte,
                                     yte, task)
                s["fit_s"] += t_fit
                s["predict_s"] += t_pred
                rows.append({**base, "predictor": kind, "variant": variant, **s,
                             "used": bool(gmx.layout_),
                             "chosen": gmx.feature_set_,
                             "attention_entropy": entropy})
            if leaky:
                Ftr = _hstack(Xtr, ff.leaky_all[tr])
                Fte = _hstack(Xte, ff.leaky_all[te])
                s = _timed_fit_score(make_predictor(kind, task, fold_seed), Ftr, ytr, Fte,
                                     yte, task)
                rows.append({**base, "predictor": kind, "variant": "+TE leaky", **s})
    return rows


# ----------------------------------------------------------------------------- report
def summarize(rows: list[dict]) -> list[dict]:
    """Mean ± std per dataset × predictor × variant, paired differences to 'alone'."""
    out = []
    keyed: dict = {}
    for r in rows:
        keyed.setdefault((r["dataset"], r["predictor"], r["variant"]), []).append(r)
    for (ds, pred, var), rs in keyed.items():
        task = rs[0]["task"]
        main, second = ("r2", "rmse") if task == "regression" else ("accuracy", "log_loss")
        alone = {r["fold"]: r for r in keyed.get((ds, pred, "alone"), [])}
        diffs = [r[main] - alone[r["fold"]][main] for r in rs if r["fold"] in alone]
        better = sum(d > 0 for d in diffs)
        out.append({
            "dataset": ds, "predictor": pred, "variant": var, "task": task,
            "metric": main, "mean": float(np.mean([r[main] for r in rs])),
            "std": float(np.std([r[main] for r in rs])),
            "metric2": second, "mean2": float(np.mean([r[second] for r in rs])),
            "std2": float(np.std([r[second] for r in rs])),
            "delta": float(np.mean(diffs)) if diffs else np.nan,
            "delta_std": float(np.std(diffs)) if diffs else np.nan,
            "better": f"{better}/{len(diffs)}",
            "fit_s": float(np.mean([r["fit_s"] for r in rs])),
            "predict_s": float(np.mean([r["predict_s"] for r in rs])),
            "used": (f"{sum(r.get('used', False) for r in rs)}/{len(rs)}"
                     if "used" in rs[0] else ""),
            "chosen": _chosen_summary(rs),
            "attention_entropy": _mean_or_none([r.get("attention_entropy") for r in rs]),
            "n_folds": len(rs),
        })
    return out


def _mean_or_none(values) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def _chosen_summary(rs: list[dict]) -> str:
    """``"clusters 3, none 2"``: how often the gate chose each feature set."""
    from collections import Counter

    got = Counter(r["chosen"] for r in rs if r.get("chosen"))
    return ", ".join(f"{k} {v}" for k, v in got.most_common())


#: The simple peers GraMixC's default is measured against.
PEERS = ("+kNN mean", "+TE", "+1 config")

_ORDER = {v: i for i, v in enumerate(VARIANTS + ["GraMixC end-to-end", "+TE leaky"])}


def _table(summary: list[dict], dataset: str) -> str:
    rows = [s for s in summary if s["dataset"] == dataset and s["variant"] != "+TE leaky"]
    rows.sort(key=lambda s: (s["predictor"], _ORDER.get(s["variant"], 99)))
    if not rows:
        return ""
    m1, m2 = rows[0]["metric"], rows[0]["metric2"]
    lines = [f"| predictor | variant | {m1} | {m2} | Δ{m1} vs alone (paired) | folds better "
             "| fit (s) | predict (s) |",
             "|---|---|---|---|---|---|---|---|"]
    for s in rows:
        delta = "—" if s["variant"] == "alone" else f"{s['delta']:+.3f} ± {s['delta_std']:.3f}"
        better = "—" if s["variant"] == "alone" else s["better"]
        var = s["variant"] + (f" (used {s['used']})" if s["used"] else "")
        lines.append(f"| {s['predictor']} | {var} | {s['mean']:.3f} ± {s['std']:.3f} | "
                     f"{s['mean2']:.3f} ± {s['std2']:.3f} | {delta} | {better} | "
                     f"{s['fit_s']:.1f} | {s['predict_s']:.2f} |")
    return "\n".join(lines)


def headline_table(summary: list[dict], predictor: str = "xgboost") -> str:
    """One line per dataset: ``predictor`` alone, + GraMixC (default), + the paper-faithful
    GraMixC, and the best of the simple peers (kNN mean, TE, one configuration) in
    hindsight; paired Δ ± std over folds. The last column checks the default against
    that peer (≥ best − 0.005).

    Parameters
    ----------
    summary : list of dict
        Summary rows (one per dataset × predictor × variant).
    predictor : str, default="xgboost"
        The predictor whose rows are tabulated.

    Returns
    -------
    str
        A markdown table.
    """
    datasets = list(dict.fromkeys(s["dataset"] for s in summary))
    lines = [f"| dataset | metric | {predictor} alone | + GraMixC: Δ (chosen per fold) | "
             "+ GraMixC paper: Δ | best peer: Δ (folds better) | ≥ peer − 0.005 |",
             "|---|---|---|---|---|---|---|"]
    for ds in datasets:
        rows = {s["variant"]: s for s in summary
                if s["dataset"] == ds and s["predictor"] == predictor}
        if "alone" not in rows or "+GraMixC" not in rows:
            continue
        a, g = rows["alone"], rows["+GraMixC"]
        paper = rows.get("+GraMixC paper")
        peers = [rows[v] for v in PEERS if v in rows]
        best = max(peers, key=lambda s: s["delta"]) if peers else None
        ok = "—" if best is None else ("yes" if g["delta"] >= best["delta"] - 0.005 else "no")
        lines.append(
            f"| {ds} | {a['metric']} | {a['mean']:.3f} ± {a['std']:.3f} | "
            f"{g['delta']:+.3f} ± {g['delta_std']:.3f} ({g['chosen'] or g['used']}) | "
            + (f"{paper['delta']:+.3f} ± {paper['delta_std']:.3f} | " if paper else "— | ")
            + (f"{best['variant']} {best['delta']:+.3f} ± {best['delta_std']:.3f} "
               f"({best['better']}) | " if best else "— | ") + f"{ok} |")
    return "\n".join(lines)


def plot_dataset(summary: list[dict], dataset: str, path: str) -> None:
    """Paired Δ (mean ± std over folds) of every variant, one panel per predictor."""
    from matplotlib.figure import Figure

    rows = [s for s in summary if s["dataset"] == dataset and s["variant"] != "alone"
            and s["variant"] != "+TE leaky"]
    preds = sorted({s["predictor"] for s in rows})
    if not rows:
        return
    fig = Figure(figsize=(4.2 * len(preds), 3.8))
    for i, p in enumerate(preds):
        ax = fig.add_subplot(1, len(preds), i + 1)
        rs = sorted([s for s in rows if s["predictor"] == p],
                    key=lambda s: _ORDER.get(s["variant"], 99))
        names = [s["variant"] for s in rs]
        d = np.array([s["delta"] for s in rs])
        e = np.array([s["delta_std"] for s in rs])
        colors = ["tab:green" if v > 0 else "tab:red" for v in d]
        ax.barh(range(len(rs)), d, xerr=e, color=colors, alpha=0.8)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(range(len(rs)))
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{p}", fontsize=9)
        ax.set_xlabel(f"Δ{rs[0]['metric']} vs {p} alone", fontsize=8)
    fig.suptitle(f"{dataset}: paired difference over folds (mean ± std)", fontsize=10)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=130)


def write_report(summary: list[dict], notes: dict, command: str, out_md: str, img_dir: str,
                 elapsed: float) -> None:
    """Write the markdown report (headline, per-dataset tables, findings) and the plots.

    Parameters
    ----------
    summary : list of dict
        Summary rows (:func:`summarize`).
    notes : dict of str → str
        What each dataset is (its version, subset, metric).
    command : str
        The command line(s) that produced the rows.
    out_md : str
        The report's path.
    img_dir : str
        Folder of the per-dataset plots.
    elapsed : float
        Total run time in seconds.
    """
    datasets = list(dict.fromkeys(s["dataset"] for s in summary))
    ran = set(s["predictor"] for s in summary)
    models = [m for p, m in (("xgboost", "XGBoost 300 trees, lr 0.05, depth 6, "
                                         "subsample/colsample 0.8, 64 bins"),
                             ("linear", "Ridge α=1 / logistic regression on standardised "
                                        "features"),
                             ("mlp", "the built-in MLP 256-128-64")) if p in ran]
    parts = [
        "# Benchmarks",
        "",
        "Produced by (on the project's 2-core CPU machine, total run time "
        f"{elapsed / 60:.0f} min):",
        "",
        f"```bash\n{command}\n```",
        "",
        "Protocol: the same outer folds for every variant (5-fold; grouped by species "
        "for 16S unless marked random), seed 0; everything label-derived is "
        "cross-fitted inside the training fold; hyper-parameters fixed in advance "
        f"({'; '.join(models)}). "
        "Δ is the paired difference to the same predictor alone, mean ± std over "
        "folds; 'folds better' counts the folds where the variant beat it. Times are "
        "per fold and include building the variant's features. See "
        "`benchmarks/suite.py` for the exact variants.",
        "",
    ]
    parts += ["## Headline: XGBoost alone vs + GraMixC", "",
              "Generated from the tables below. 'chosen per fold': the feature set "
              "GraMixC's gate picked on each fold's training rows ('none' = X unchanged). "
              "'best peer' is the best of the simple peers (+kNN mean, +TE, +1 config) "
              "*in hindsight* — a ceiling for comparison, not a method.", "",
              headline_table(summary), ""]
    # the hand-written reading of the results lives next to the report, so reruns keep it
    findings = os.path.join(os.path.dirname(os.path.abspath(out_md)), "suite_findings.md")
    if os.path.exists(findings):
        with open(findings) as fh:
            parts += [fh.read().rstrip(), ""]
    for ds in datasets:
        parts += [f"## {ds}", "", notes.get(ds, ""), "", _table(summary, ds), "",
                  f"![{ds}](img/bench_{ds}.png)", ""]
        plot_dataset(summary, ds, os.path.join(img_dir, f"bench_{ds}.png"))
    ent = [s for s in summary if s.get("attention_entropy") is not None
           and s["predictor"] == "xgboost"]
    if ent:
        parts += ["## Attention: does [CLS] select scales?", "",
                  "Entropy of the [CLS] attention over the tokens (configurations and "
                  "neighbourhood sizes) on the held-out rows, relative to the uniform one "
                  "(1 = uniform attention, 0 = one token), mean over folds; fusion models "
                  "train only for the fusion feature sets.", "",
                  "| dataset | variant | relative entropy |", "|---|---|---|"]
        parts += [f"| {s['dataset']} | {s['variant']} | {s['attention_entropy']:.3f} |"
                  for s in ent]
        parts.append("")
    leaky = [s for s in summary if s["variant"] == "+TE leaky"]
    if leaky:
        parts += ["## Warning experiment: what leakage does", "",
                  "`+TE leaky` computes configurations and cluster target means on ALL "
                  "rows before the split — test labels inside — the shortcut that makes "
                  "results look like the paper's. Compare it with the honest `+TE`. "
                  "It is not a method.", "",
                  "| dataset | predictor | alone | +TE (honest) | +TE leaky |",
                  "|---|---|---|---|---|"]
        for s in leaky:
            def val(v, s=s):
                r = [x for x in summary if x["dataset"] == s["dataset"]
                     and x["predictor"] == s["predictor"] and x["variant"] == v]
                return f"{r[0]['mean']:.3f}" if r else "—"
            parts.append(f"| {s['dataset']} | {s['predictor']} | {val('alone')} | "
                         f"{val('+TE')} | **{s['mean']:.3f}** |")
        parts.append("")
    os.makedirs(os.path.dirname(os.path.abspath(out_md)), exist_ok=True)
    with open(out_md, "w") as fh:
        fh.write("\n".join(parts))


def _load_raw(raw_path: str) -> dict:
    """The saved raw results: rows, notes, contributing commands and total run time."""
    if not os.path.exists(raw_path):
        raise FileNotFoundError(f"{raw_path}: no saved benchmark results here; run "
                                "`python benchmarks/run.py` first (or pass --raw)")
    with open(raw_path) as fh:
        data = json.load(fh)
    data.setdefault("commands", ["python benchmarks/run.py"])
    data.setdefault("elapsed_s", 0.0)
    return data


def report_from_raw(raw_path="benchmarks/results/benchmarks.json", out_md="docs/suite.md",
                    img_dir="docs/img") -> list[dict]:
    """Rewrite the report and plots from saved raw rows (no model is fitted).

    For when only the hand-written findings or the report layout changed.

    Parameters
    ----------
    raw_path : str
        The raw JSON written by :func:`run_benchmarks`.
    out_md : str
        The markdown report to write.
    img_dir : str
        Folder of the per-dataset plots.

    Returns
    -------
    list of dict
        The summary rows.
    """
    data = _load_raw(raw_path)
    summary = summarize(data["rows"])
    write_report(summary, data["notes"], "\n".join(data["commands"]), out_md, img_dir,
                 float(data["elapsed_s"]))
    return summary


def run_benchmarks(datasets, n_folds=5, seed=0, quick=False, leaky_on=("16s_gold", "diabetes"),
                   out_md="docs/suite.md", img_dir="docs/img",
                   raw_path="benchmarks/results/benchmarks.json", command="", log=print,
                   append=False, predictors=None, gramixc_variants=None):
    """Run the suite, write the markdown report, plots and raw JSON; return the summary.

    With ``append=True`` the rows already in ``raw_path`` for other datasets are kept
    (datasets being rerun are replaced), so a long suite can be completed in parts;
    the report then lists every command that contributed.

    Parameters
    ----------
    datasets : list of str
        Benchmark dataset names (:data:`FULL_DATASETS`, :data:`QUICK_DATASETS`).
    n_folds : int, default=5
        Outer folds.
    seed : int, default=0
        Seed of the outer folds and of every model.
    quick : bool, default=False
        The small versions of the datasets.
    leaky_on : tuple of str
        Datasets that also get the leaky warning rows.
    out_md, img_dir, raw_path : str
        Where the report, the plots and the raw rows go.
    command : str
        The command line recorded in the report.
    log : callable, default=print
        Progress messages.
    append : bool, default=False
        Keep the other datasets' rows of ``raw_path``.
    predictors : list of str, optional
        Downstream predictors (default: all of :data:`PREDICTORS`).
    gramixc_variants : list of str, optional
        GraMixC rows (default: all of :data:`GRAMIXC_VARIANTS`).

    Returns
    -------
    list of dict
        The summary rows.
    """
    t_start = time.perf_counter()
    all_rows, notes, commands, elapsed_before = [], {}, [command], 0.0
    if append and not os.path.exists(raw_path):
        log(f"--append: {raw_path} does not exist yet; starting a new results file")
    if append and os.path.exists(raw_path):
        old = _load_raw(raw_path)
        rerun = set(datasets)
        all_rows = [r for r in old["rows"] if r["dataset"] not in rerun]
        notes = {k: v for k, v in old["notes"].items() if k not in rerun}
        commands = [c for c in old["commands"] if c != command] + [command]
        elapsed_before = float(old["elapsed_s"])
    for name in datasets:
        try:
            bd = load_bench_data(name, quick)
        except (ImportError, FileNotFoundError) as err:
            log(f"skipping {name}: {err}")
            notes[name] = f"Skipped: {err}"
            continue
        notes[name] = bd.note
        log(f"{name}: {bd.note}")
        t0 = time.perf_counter()
        if predictors is None:
            predictors = ("xgboost", "linear") if quick else PREDICTORS
        rows = run_dataset(bd, n_folds=n_folds, seed=seed, predictors=tuple(predictors),
                           leaky=name in leaky_on, log=log,
                           gramixc_variants=tuple(gramixc_variants or GRAMIXC_VARIANTS))
        all_rows += rows
        per_fold = {r["fold"]: r["metric_used"] for r in rows}
        used = {m: list(per_fold.values()).count(m) for m in sorted(set(per_fold.values()))}
        notes[name] += f" Graph metric per fold: {used}; run time {time.perf_counter() - t0:.0f} s."
        log(f"{name}: done in {time.perf_counter() - t0:.0f}s")
        os.makedirs(os.path.dirname(os.path.abspath(raw_path)), exist_ok=True)
        elapsed = elapsed_before + time.perf_counter() - t_start
        with open(raw_path, "w") as fh:
            json.dump({"rows": all_rows, "notes": notes, "commands": commands,
                       "elapsed_s": elapsed}, fh, indent=1)
        summary = summarize(all_rows)
        for s in summary:
            if s["dataset"] == name and s["variant"] != "alone":
                log(f"   {s['predictor']:8s} {s['variant']:20s} Δ{s['metric']} "
                    f"{s['delta']:+.3f} ± {s['delta_std']:.3f} ({s['better']})")
        write_report(summary, notes, "\n".join(commands), out_md, img_dir, elapsed)
    return summarize(all_rows)


def main(argv=None) -> int:
    """The suite's command line (``python benchmarks/run.py --help``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="python benchmarks/run.py",
                                description="benchmark suite (docs/suite.md)")
    p.add_argument("--quick", action="store_true",
                   help="small datasets and subsets, no MLP: a few minutes")
    p.add_argument("--datasets", nargs="+", default=None)
    p.add_argument("--folds", type=int, default=None,
                   help="outer folds (default 5; 3 with --quick)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--predictors", nargs="+", choices=("xgboost", "linear", "mlp"),
                   default=None, help="downstream predictors (default: all three; "
                                      "xgboost and linear with --quick)")
    p.add_argument("--gramixc", nargs="+", choices=("default", "paper", "fusion"),
                   default=None, help="GraMixC rows: the default, the paper-faithful "
                                      "path, the default with the fusion sets among "
                                      "the gate's choices (default: all three)")
    p.add_argument("--out", default="docs/suite.md")
    p.add_argument("--img-dir", default="docs/img")
    p.add_argument("--raw", default="benchmarks/results/benchmarks.json")
    p.add_argument("--append", action="store_true",
                   help="keep the other datasets already in --raw and rewrite the "
                        "report with all of them (complete a long suite in parts)")
    p.add_argument("--report-only", action="store_true",
                   help="rewrite the report and plots from --raw without fitting anything")
    args = p.parse_args(argv)
    if args.report_only:
        try:
            report_from_raw(args.raw, args.out, args.img_dir)
        except FileNotFoundError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"wrote {args.out} from {args.raw}")
        return 0
    names = args.datasets or (QUICK_DATASETS if args.quick else FULL_DATASETS)
    if args.folds is None:
        args.folds = 3 if args.quick else 5
    cmd = "python benchmarks/run.py" + (" --quick" if args.quick else "") + (
        f" --datasets {' '.join(args.datasets)}" if args.datasets else "") + (
        f" --folds {args.folds}" if args.folds != (3 if args.quick else 5) else "") + (
        " --append" if args.append else "") + (
        f" --seed {args.seed}" if args.seed else "") + (
        f" --predictors {' '.join(args.predictors)}" if args.predictors else "") + (
        f" --gramixc {' '.join(args.gramixc)}" if args.gramixc else "")
    run_benchmarks(names, n_folds=args.folds, seed=args.seed, quick=args.quick,
                   out_md=args.out, img_dir=args.img_dir, raw_path=args.raw, command=cmd,
                   log=lambda msg: print(msg, flush=True), append=args.append,
                   predictors=args.predictors,
                   gramixc_variants=[GRAMIXC_SHORT[v] for v in args.gramixc]
                   if args.gramixc else None)
    return 0

