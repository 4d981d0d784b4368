"""The gate of :class:`~gramixc.GraMixC`: which feature set, if any, to add.

GraMixC's candidate column sets (neighbour target means, cluster target means,
the fusion model's output, combinations) are only worth adding where they carry
information the downstream predictor cannot get from ``X`` itself. The gate
answers that on the training rows only, cheaply, by *stacking*:

1. a reference model (default: histogram gradient boosting, the kind of tree
   model a user puts downstream) is cross-validated on ``X`` over the same folds
   as the cross-fitting, giving out-of-fold predictions ``p0`` — what ``X`` alone
   explains;
2. for every candidate set ``S`` a small second-stage model — a lightly
   regularised linear model — is cross-validated on ``[p0 | S]`` (and on ``p0``
   alone for "none"), over the same folds; its score says how much ``S`` adds to
   what the reference makes of ``X``. The second stage of fold ``f`` is trained on
   columns *re-cross-fitted without fold f* (``fold_candidates``): scored on
   out-of-fold columns computed from fold ``f``'s own targets, target-mean
   columns gained +0.05–0.10 R² on pure-noise targets and were kept for about
   half of them;
3. a candidate *passes* if its mean paired gain over "none" clears ``min_gain``
   *and* ``z`` standard errors of the mean per-fold gain; of the candidates that
   pass, the widest (most columns) is chosen — the test against "none" is the
   safety check, while between sets that pass the linear second stage is a poor
   judge (it pays for correlated columns that a tree downstream handles for free).
   If none passes, nothing is added (``X`` passes through unchanged). The folds' gains are
   correlated (their training sets overlap), so the standard error is Nadeau &
   Bengio's corrected one, ``s·√(1/k + n_test/n_train)``, not ``s/√k``.

This costs ``cv`` fits of the reference on ``X`` plus small fits on a handful of
columns, instead of ``cv`` reference fits per candidate. Scores: R² for
regression, the negated log-loss for classification (a proper score, steadier
than accuracy on a few hundred rows).

Every candidate's per-fold scores, the decision and its reason are kept in a
:class:`GateReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone

__all__ = ["GateReport", "choose_feature_set", "default_reference"]


@dataclass
class GateReport:
    """What the gate measured and chose.

    Attributes
    ----------
    candidates : list of str
        Candidate names; ``"none"`` first.
    scores : ndarray of shape (n_candidates, n_folds)
        Second-stage score of each candidate on each fold.
    chosen : str
    reason : str
    metric : str
        ``"r2"`` or ``"neg_log_loss"``.
    reference_score : float
        Mean out-of-fold score of the reference model on ``X`` alone.
    """

    candidates: list
    scores: np.ndarray
    chosen: str
    reason: str
    metric: str
    reference_score: float = float("nan")
    widths: dict = field(default_factory=dict)

    def gains(self) -> np.ndarray:
        """Per-fold gains ``(n_candidates, n_folds)`` over "none"."""
        return self.scores - self.scores[0]

    def table(self):
        """One row per candidate: mean score, mean ± std gain over "none", folds better."""
        import polars as pl

        g = self.gains()
        return pl.DataFrame({
            "candidate": self.candidates,
            "columns": [int(self.widths.get(c, 0)) for c in self.candidates],
            f"mean_{self.metric}": self.scores.mean(axis=1),
            "gain": g.mean(axis=1),
            "gain_std": g.std(axis=1),
            "folds_better": (g > 0).sum(axis=1),
            "chosen": [c == self.chosen for c in self.candidates],
        })

    def __str__(self) -> str:
        g = self.gains()
        lines = [f"GraMixC gate ({self.metric}, {self.scores.shape[1]} folds; reference on X "
                 f"{self.reference_score:.4f}): chose {self.chosen!r} — {self.reason}"]
        for i, c in enumerate(self.candidates):
            mark = "*" if c == self.chosen else " "
            lines.append(f" {mark} {c:22s} {self.scores[i].mean():+.4f}   gain "
                         f"{g[i].mean():+.4f} ± {g[i].std():.4f}  "
                         f"({int((g[i] > 0).sum())}/{g.shape[1]} folds)")
        return "\n".join(lines)


def default_reference(task: str, seed: int):
    """Histogram gradient boosting with scikit-learn's defaults, seeded."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if task == "regression":
        return HistGradientBoostingRegressor(random_state=int(seed))
    return HistGradientBoostingClassifier(random_state=int(seed))


def _stacker(task: str):
    """The second-stage model: a lightly regularised linear model on standardised inputs."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "regression":
        return make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def _oof_reference(X, y, task, folds, reference) -> tuple[np.ndarray, float]:
    """Out-of-fold reference predictions (regression) or log-probabilities (classes)."""
    n = X.shape[0]
    uniq = np.unique(folds)
    if task == "regression":
        p0 = np.empty((n, 1))
    else:
        n_classes = int(y.max()) + 1
        p0 = np.empty((n, n_classes))
    for f in uniq:
        tr, te = folds != f, folds == f
        model = clone(reference).fit(X[tr], y[tr])
        if task == "regression":
            p0[te, 0] = model.predict(X[te])
        else:
            proba = np.zeros((int(te.sum()), n_classes))
            proba[:, model.classes_.astype(int)] = model.predict_proba(X[te])
            p0[te] = proba
    if task == "regression":
        return p0, _score(task, y, p0[:, 0])
    score = _score(task, y, p0)
    return np.log(np.clip(p0, 1e-6, 1.0)), score


def _score(task, y, pred) -> float:
    if task == "regression":
        ss = float(((y - y.mean()) ** 2).sum()) or 1.0
        return 1.0 - float(((y - pred) ** 2).sum()) / ss
    p = np.clip(pred[np.arange(len(y)), y.astype(int)], 1e-12, 1.0)
    return float(np.mean(np.log(p)))


def _stage2_score(Z_rest, y_rest, Z_held, y_held, task, n_classes) -> float:
    """Score on the held rows of the second-stage model fitted on the rest."""
    model = _stacker(task).fit(Z_rest, y_rest)
    if task == "regression":
        return _score(task, y_held, model.predict(Z_held))
    proba = np.full((len(y_held), n_classes), 1e-12)
    proba[:, model.classes_.astype(int)] = model.predict_proba(Z_held)
    return _score(task, y_held, proba)


def choose_feature_set(
    X: np.ndarray,
    y: np.ndarray,
    task: str,
    folds: np.ndarray,
    candidates: dict,
    reference=None,
    fold_candidates=None,
    min_gain: float = 0.002,
    z: float = 1.5,
    seed: int = 0,
    n_threads: int = 1,
) -> GateReport:
    """Choose among candidate column sets by stacked cross-validation on the training rows.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
        Regression targets, or class indices ``0..C−1``.
    task : {"regression", "classification"}
    folds : ndarray of shape (n,)
        The fold of every row (the cross-fitting folds: every candidate column of
        a row in fold ``f`` was computed without fold ``f``).
    candidates : dict of str → ndarray of shape (n, w)
        Out-of-fold candidate columns by name ("none" is added).
    reference : estimator, optional
        Cross-validated on ``X`` for the first stage (default
        :func:`default_reference`).
    fold_candidates : callable, optional
        ``fold_candidates(f)`` → ``{name: (Z_rest, Z_held)}``: the columns of the
        rows outside fold ``f`` *re-cross-fitted without fold f* and those of fold
        ``f`` computed from the rest — for the names it returns, the second stage
        of fold ``f`` uses these instead of ``candidates``. Without it, a
        second-stage model trained on out-of-fold columns that were computed
        *from* fold ``f``'s targets is scored on fold ``f``: a row's neighbours'
        targets feed its column and its neighbours' columns feed the coefficients,
        which credits target-mean columns with gains on pure noise.
    min_gain : float, default=0.002
        Smallest mean gain (R² or log-loss) worth adding columns for.
    z : float, default=1.5
        The mean gain must also exceed ``z`` corrected standard errors of the mean
        per-fold gain.
    seed : int
    n_threads : int
        OpenMP threads for the reference model.

    Returns
    -------
    GateReport

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3)); signal = rng.normal(size=300)
    >>> y = X[:, 0] + signal
    >>> folds = np.arange(300) % 5
    >>> rep = choose_feature_set(X, y, "regression", folds,
    ...                          {"useful": signal[:, None], "noise": rng.normal(size=(300, 1))})
    >>> rep.chosen
    'useful'
    """
    from threadpoolctl import threadpool_limits

    ref = default_reference(task, seed) if reference is None else reference
    with threadpool_limits(int(n_threads), user_api="openmp"):
        p0, ref_score = _oof_reference(X, y, task, folds, ref)
    names = ["none"] + [c for c in candidates if c != "none"]
    base = p0
    n_classes = int(y.max()) + 1 if task == "classification" else 0
    uniq = np.unique(folds)
    scores = np.empty((len(names), len(uniq)))
    for j, f in enumerate(uniq):
        held = folds == f
        nested = fold_candidates(f) if fold_candidates is not None else {}
        for i, c in enumerate(names):
            if c == "none":
                Zr, Zh = base[~held], base[held]
            elif c in nested:
                Zr = np.hstack([base[~held], nested[c][0]])
                Zh = np.hstack([base[held], nested[c][1]])
            else:
                Z = np.hstack([base, candidates[c]])
                Zr, Zh = Z[~held], Z[held]
            scores[i, j] = _stage2_score(Zr, y[~held], Zh, y[held], task, n_classes)
    gains = scores - scores[0]
    mean = gains.mean(axis=1)
    k = gains.shape[1]
    # the folds' gains are correlated (their training sets overlap): Nadeau & Bengio's
    # corrected variance of a k-fold mean, (1/k + n_test/n_train) · s², not s²/k
    frac = np.mean([np.mean(folds == f) for f in np.unique(folds)])
    se = (gains.std(axis=1, ddof=1) * np.sqrt(1.0 / k + frac / (1.0 - frac))
          if k > 1 else mean * 0)
    metric = "r2" if task == "regression" else "neg_log_loss"
    widths = {"none": 0, **{c: int(np.asarray(candidates[c]).shape[1]) for c in names[1:]}}
    passing = [i for i in range(1, len(names)) if mean[i] >= min_gain and mean[i] > z * se[i]]
    best = int(np.argmax(mean))
    if passing:
        # the test against "none" is the safety check; between sets that pass, the linear
        # second stage is a poor judge (it pays for correlated columns a tree downstream
        # handles for free), so the downstream model gets the widest set that passed
        pick = max(passing, key=lambda i: (widths[names[i]], mean[i]))
        chosen = names[pick]
        others = [names[i] for i in passing if i != pick]
        reason = (f"gain {mean[pick]:+.4f} ± {se[pick]:.4f} (s.e.) over X alone, "
                  f"{int((gains[pick] > 0).sum())}/{gains.shape[1]} folds better"
                  + (f"; the widest of the sets that pass (also {', '.join(others)})"
                     if others else ""))
    elif best == 0:
        chosen, reason = "none", "no candidate scored above X alone"
    elif mean[best] < min_gain:
        chosen, reason = "none", (f"best candidate {names[best]!r} gained {mean[best]:+.4f}, "
                                  f"below min_gain={min_gain}")
    else:
        chosen, reason = "none", (f"best candidate {names[best]!r} gained {mean[best]:+.4f} "
                                  f"± {se[best]:.4f} (s.e.), within {z} s.e. of fold noise")
    return GateReport(names, scores, chosen, reason, metric, float(ref_score), widths)
