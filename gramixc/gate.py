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
   times what the reference still gets wrong (``1 − reference score``, at most 1;
   :func:`gain_threshold`) *and* ``z`` standard errors. The gain and its standard
   error are those of the per-row loss differences pooled over all out-of-fold rows
   (clustered by group when the rows are grouped): with k = 5 fold means the
   standard error itself rests on 4 degrees of freedom, and on a few hundred rows
   real gains of +0.04–0.08 R² failed the test in most folds;
4. the linear second stage detects, but it is a poor judge of what a tree
   downstream makes of the columns: it pays for correlated columns that a tree
   handles for free, and credits columns a tree cannot use (on abalone it gave
   neighbour + cluster means +0.018 ± 0.004 R² in 5 of 5 folds, where XGBoost lost
   0.005 with them). So the passing sets are offered widest first to the
   reference itself, refitted on ``[X | S]`` over the same folds (with the same
   re-cross-fitted columns); the first whose pooled out-of-fold score is not
   below the reference on ``X`` alone is chosen. If none passes or none is
   confirmed, nothing is added (``X`` passes through unchanged).

This costs ``cv`` fits of the reference on ``X``, small linear fits on a handful of
columns, and ``cv`` reference fits on ``[X | S]`` per set offered for confirmation
(usually one). Scores: R² for regression; for classification the log-loss skill
(McFadden's pseudo-R²: one minus the log-loss over that of predicting the class
frequencies), the score the logistic second stage is fitted by, with every row's
probability floored at :data:`PROBABILITY_FLOOR` so no row costs more than
``log(1 / PROBABILITY_FLOOR)``. Both are shares of what predicting without ``X``
loses, so ``min_gain`` means the same for both tasks and for balanced and rare classes.

Every candidate's per-fold scores, the decision and its reason are kept in a
:class:`GateReport`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone

__all__ = ["PROBABILITY_FLOOR", "GateReport", "choose_feature_set", "default_reference",
           "gain_threshold"]

#: Class probabilities below this count as this in the gate's log-loss, so one row costs
#: at most ``log(1000)`` ≈ 6.9 nats and a single confidently wrong row cannot decide the
#: test.
PROBABILITY_FLOOR = 1e-3


@dataclass
class GateReport:
    """What the gate measured and chose.

    Reading it (``print(report)``): one line per candidate column set with its *gain
    over X alone* — the paired, per-row gain of the second-stage model on
    ``[p0 | S]`` over the same model on ``p0``, pooled over the out-of-fold rows,
    with its standard error — the folds it was better on, whether it passed the
    test, and, where the reference model was refitted on ``[X | S]``, the
    reference's own gain. The header gives the one absolute score, the reference's
    out-of-fold score on ``X`` alone, and the rule with its thresholds.

    Parameters
    ----------
    candidates : list of str
        Candidate names; ``"none"`` (X alone) first.
    scores : ndarray of shape (n_candidates, n_folds)
        Second-stage score of each candidate on each fold.
    chosen : str
    reason : str
        Why ``chosen`` (one sentence, in the terms of the rule).
    metric : str
        ``"r2"`` or ``"log_loss_skill"`` (for classes: one minus the log-loss over
        that of predicting the class frequencies, McFadden's pseudo-R²).
    reference_score : float
        Out-of-fold score of the reference model on ``X`` alone.
    widths : dict of str → int
        Number of columns of every candidate.
    gain : ndarray of shape (n_candidates,)
        Mean paired per-row gain over "none" on all out-of-fold rows (the tested
        quantity; for regression the gain in pooled out-of-fold R²).
    se : ndarray of shape (n_candidates,)
        Its standard error (clustered by group when grouped).
    confirmed : dict of str → (float, float)
        For the passing candidates the reference was refitted for (widest first,
        until one is confirmed): its mean paired per-row gain on ``[X | S]`` over
        ``X`` alone, and the standard error.
    min_gain, z : float
        The thresholds of the test (see :func:`choose_feature_set`); the gain must reach
        :attr:`threshold`, ``min_gain`` scaled by what the reference still gets wrong.
    """

    candidates: list
    scores: np.ndarray
    chosen: str
    reason: str
    metric: str
    reference_score: float = float("nan")
    widths: dict = field(default_factory=dict)
    gain: np.ndarray | None = None
    se: np.ndarray | None = None
    confirmed: dict = field(default_factory=dict)
    min_gain: float = 0.002
    z: float = 1.0

    def __post_init__(self):
        if self.gain is None:
            self.gain = self.gains().mean(axis=1)
        if self.se is None:
            self.se = np.zeros(len(self.candidates))

    @property
    def threshold(self) -> float:
        """The smallest gain that passes: ``min_gain`` times what the reference still gets
        wrong (:func:`gain_threshold`), or ``min_gain`` itself where ``reference_score`` is
        unknown."""
        return gain_threshold(self.min_gain, self.reference_score)

    def gains(self) -> np.ndarray:
        """Per-fold gains ``(n_candidates, n_folds)`` over "none".

        Returns
        -------
        ndarray of shape (n_candidates, n_folds)
        """
        return self.scores - self.scores[0]

    def passed(self) -> list:
        """Whether each candidate passed the test (gain ≥ ``threshold`` and > ``z`` s.e.).

        Returns
        -------
        list of bool
            ``False`` for "none".
        """
        passing = _passing(self.gain, self.se, self.threshold, self.z)
        return [i in passing for i in range(len(self.candidates))]

    def rule(self) -> str:
        """The decision rule with this report's thresholds, in one sentence.

        Returns
        -------
        str
        """
        scaled = (f"{self.threshold:.2g} (min_gain={self.min_gain:g} times what the "
                  f"reference still gets wrong, 1 − {self.reference_score:.4f}, at most 1)"
                  if np.isfinite(self.reference_score) else f"min_gain={self.min_gain:g}")
        return (f"a set passes when its gain over X alone is at least {scaled} and more "
                f"than z={self.z:g} standard errors; the passing sets are offered widest "
                "first to the reference, refitted with the set's columns, and the first it "
                "does not score below X alone with is chosen (reference on [X | set]: "
                "confirmed or refused)")

    def table(self):
        """One row per candidate: columns, gain ± s.e. over X alone, folds better, test,
        the reference's gain on ``[X | S]`` where refitted, and the choice.

        Returns
        -------
        polars.DataFrame
        """
        import polars as pl

        g = self.gains()
        ref = [self.confirmed.get(c, (float("nan"), float("nan"))) for c in self.candidates]
        return pl.DataFrame({
            "candidate": self.candidates,
            "columns": [int(self.widths.get(c, 0)) for c in self.candidates],
            "gain": np.asarray(self.gain, dtype=float),
            "gain_se": np.asarray(self.se, dtype=float),
            "folds_better": (g > 0).sum(axis=1),
            "passed": self.passed(),
            "reference_gain": [float(r[0]) for r in ref],
            "reference_se": [float(r[1]) for r in ref],
            "chosen": [c == self.chosen for c in self.candidates],
        })

    def __str__(self) -> str:
        g = self.gains()
        n_folds = self.scores.shape[1]
        passed = self.passed()
        width = max(len("none (X alone)"), *(len(c) for c in self.candidates)) + 2
        def para(text):  # prose wrapped for a terminal; the table below stays one row a line
            out = textwrap.wrap(text.replace(" | ", "\xa0|\xa0"), width=88,
                                subsequent_indent="  ", break_on_hyphens=False)
            return [ln.replace("\xa0", " ") for ln in out]

        lines = [
            *para(f"GraMixC gate ({self.metric}, out of fold over {n_folds} folds of the "
                  f"training rows): chose {self.chosen!r} — {self.reason}"),
            *para(f"X alone: the reference model scores {self.metric} = "
                  f"{self.reference_score:.4f}; every gain below is over X alone, on the same "
                  "scale"),
            *para(f"rule: {self.rule()}"),
            f"   {'candidate':{width}s}{'columns':>7s}  {'gain ± s.e.':>17s}  "
            f"{'folds':>5s}  {'test':>4s}  reference on [X | set]",
        ]
        for i, c in enumerate(self.candidates):
            mark = "*" if c == self.chosen else " "
            if i == 0:
                lines.append(f" {mark} {'none (X alone)':{width}s}{0:7d}  {0.0:+17.4f}")
                continue
            test = "pass" if passed[i] else "fail"
            if c in self.confirmed:
                r, rs = self.confirmed[c]
                ref = f"{r:+.4f} ± {rs:.4f} ({'confirmed' if r >= 0 else 'refused'})"
            elif passed[i]:
                ref = "not refitted (a wider set came first)"
            else:
                ref = ""
            gain = f"{self.gain[i]:+.4f} ± {self.se[i]:.4f}"
            lines.append(f" {mark} {c:{width}s}{int(self.widths.get(c, 0)):7d}  {gain:>17s}  "
                         f"{f'{int((g[i] > 0).sum())}/{n_folds}':>5s}  {test:>4s}  {ref}"
                         .rstrip())
        return "\n".join(lines)

    def __repr__(self) -> str:
        gains = ", ".join(f"{c!r}: {float(v):+.4f}" for c, v in zip(self.candidates, self.gain))
        return (f"GateReport(chosen={self.chosen!r}, metric={self.metric!r}, "
                f"reference_score={self.reference_score:.4f}, gain={{{gains}}})")


def default_reference(task: str, seed: int, n_classes: int = 0, n_threads: int = 1):
    """Histogram gradient boosting with scikit-learn's defaults, seeded — or, for more than
    :data:`~gramixc.targets.MANY_CLASSES` classes, a random forest.

    Gradient boosting grows one tree per class at every step, so its cost grows with the
    number of classes (n = 600, 4 features, the gate: 10 classes 20 s, 40 classes 286 s,
    against 0.9 s for XGBoost); a forest grows one tree per step for all classes (the
    whole GraMixC fit at 40 classes: 3.3 s, ``benchmarks/bench_classes.py``).

    Parameters
    ----------
    task : {"regression", "classification"}
        Which of the two estimators.
    seed : int
        Its ``random_state``.
    n_classes : int, default=0
        Classes of a classification target.
    n_threads : int, default=1
        The forest's jobs.

    Returns
    -------
    HistGradientBoostingRegressor, HistGradientBoostingClassifier or RandomForestClassifier
    """
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
    )

    from .targets import MANY_CLASSES

    if task == "regression":
        return HistGradientBoostingRegressor(random_state=int(seed))
    if n_classes > MANY_CLASSES:
        return RandomForestClassifier(n_estimators=50, random_state=int(seed),
                                      n_jobs=int(n_threads))
    return HistGradientBoostingClassifier(random_state=int(seed))


def gain_threshold(min_gain: float, reference_score: float) -> float:
    """The smallest gain over ``X`` alone a candidate set must reach to pass: ``min_gain``
    times what the reference still gets wrong, ``1 − reference_score``, at most 1.

    The gate's scores are shares of what predicting without ``X`` loses; once the
    reference explains most of it, a fixed ``min_gain`` is a large share of what is left. On
    dragons (3,000 rows, Ridge as the reference, R² 0.990) the neighbour target means
    gained +0.0003 to +0.0005 R² at 4–5 standard errors in all 15 training sets — 3–5 %
    of the remaining error, which the kNN-mean peer turned into a significant gain — and
    a fixed 0.002 (20 % of it) refused them every time. Where the reference does no
    better than predicting the mean (a noise target: score ≤ 0), or its score is unknown
    (NaN), the threshold stays ``min_gain``; pure-noise columns on a target the
    reference scores R² 0.99 still fail the standard-error test (``tests/test_gate.py``).

    Parameters
    ----------
    min_gain : float
        The threshold where the reference explains nothing.
    reference_score : float
        The reference's out-of-fold score on ``X`` alone (R² or log-loss skill).

    Returns
    -------
    float

    Examples
    --------
    >>> gain_threshold(0.002, 0.99)  # doctest: +ELLIPSIS
    2.0...e-05
    >>> gain_threshold(0.002, -0.05)
    0.002
    """
    if not np.isfinite(reference_score):
        return float(min_gain)
    return float(min_gain) * min(1.0, max(1.0 - float(reference_score), 0.0))


def _passing(gain, se, threshold: float, z: float) -> list[int]:
    """Indices of the candidates (never 0, "none") whose gain reaches ``threshold`` and
    exceeds ``z`` standard errors: the test, in one place for the gate and its report."""
    return [i for i in range(1, len(gain)) if gain[i] >= threshold and gain[i] > z * se[i]]


def _stacker(task: str):
    """The second-stage model: a lightly regularised linear model on standardised inputs."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "regression":
        return make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def _predict(model, Z, task, n_classes) -> np.ndarray:
    """Predictions (regression) or class probabilities on all ``n_classes`` classes."""
    if task == "regression":
        return model.predict(Z)
    proba = np.full((Z.shape[0], n_classes), 1e-12)
    proba[:, model.classes_.astype(int)] = model.predict_proba(Z)
    return proba


def _oof_reference(X, y, task, folds, reference, n_classes) -> np.ndarray:
    """Out-of-fold reference predictions (regression) or class probabilities."""
    p0 = np.empty(len(y)) if task == "regression" else np.empty((len(y), n_classes))
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        p0[te] = _predict(clone(reference).fit(X[tr], y[tr]), X[te], task, n_classes)
    return p0


def _score(task, y, pred) -> float:
    """R² (regression) or the log-loss skill (classification): one minus the mean loss
    over that of predicting the mean / the class frequencies of ``y``."""
    if task == "regression":
        ss = float(((y - y.mean()) ** 2).sum()) or 1.0
        return 1.0 - float(((y - pred) ** 2).sum()) / ss
    return 1.0 - float(_row_losses(task, y, pred).mean())


def _log_loss(y, pred) -> np.ndarray:
    """Per-row log-loss of the class probabilities, floored at :data:`PROBABILITY_FLOOR`."""
    p = pred[np.arange(len(y)), y.astype(int)]
    return -np.log(np.clip(p, PROBABILITY_FLOOR, 1.0))


def _prior_log_loss(y) -> float:
    """Mean log-loss of predicting the class frequencies of ``y``: their entropy (1 for a
    single class, whose loss is 0, so the ratio stays defined)."""
    from scipy.stats import entropy

    return float(entropy(np.bincount(y.astype(int)))) or 1.0


def _row_losses(task, y, pred) -> np.ndarray:
    """Per-row loss whose mean is one minus the gate's score, up to a constant: the
    squared error over the variance of ``y`` (so a mean difference is an R² difference),
    or the log-loss over that of the class frequencies (a log-loss-skill difference).

    Both are scaled by what predicting without ``X`` loses, so ``min_gain`` is the same
    share of it for both tasks: with the raw Brier score, 0.002 was 0.4 % of that loss on
    two balanced classes and 1.8 % on a table with 6 % positives (Caravan), where
    neighbour means gaining +0.0006–0.0010 Brier failed the threshold in every fold. The
    log-loss rather than the Brier score: the second stage is a logistic regression,
    fitted by the log-loss, and its gains in that loss are the steadier to test (Caravan's
    neighbour means passed in 12 of 15 folds instead of 9; random labels kept columns in
    4 of 120 runs instead of 5)."""
    if task == "regression":
        var = float(np.var(y)) or 1.0
        return (y - pred) ** 2 / var
    return _log_loss(y, pred) / _prior_log_loss(y)


def _paired_se(d: np.ndarray, groups: np.ndarray | None) -> float:
    """Standard error of the mean of per-row differences ``d``; clustered by group
    (rows of one group are not independent) when ``groups`` is given."""
    n = len(d)
    if groups is None:
        return float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    _, inv = np.unique(groups, return_inverse=True)
    sums = np.bincount(inv, weights=d - d.mean())
    g = len(sums)
    return float(np.sqrt(g / max(g - 1, 1) * (sums ** 2).sum()) / n) if g > 1 else 0.0


class _Stacking:
    """The gate's shared state over the folds: the candidates (and their columns
    re-cross-fitted without each fold), the reference and its out-of-fold predictions
    ``p0``, and the stacker's view of ``X`` (``base``)."""

    def __init__(self, X, y, task, folds, candidates, nested, reference, n_classes,
                 n_threads):
        from threadpoolctl import threadpool_limits

        self.X, self.y, self.task, self.folds = X, y, task, folds
        self.candidates, self.nested, self.ref = candidates, nested, reference
        self.n_classes, self.uniq = n_classes, np.unique(folds)
        self.limits = lambda: threadpool_limits(int(n_threads), user_api="openmp")
        with self.limits():
            self.p0 = _oof_reference(X, y, task, folds, reference, n_classes)
        # the stacker's view of X: the reference's prediction, or its log-probabilities
        self.base = (self.p0[:, None] if task == "regression"
                     else np.log(np.clip(self.p0, 1e-6, 1.0)))

    def columns(self, c, f, held, base):
        """``(rest, held)`` inputs of fold f's model for candidate c on top of ``base``."""
        if c in self.nested[f]:
            Zr, Zh = self.nested[f][c]
            return np.hstack([base[~held], Zr]), np.hstack([base[held], Zh])
        Z = np.hstack([base, self.candidates[c]])
        return Z[~held], Z[held]

    def stacked(self, c) -> np.ndarray:
        """Out-of-fold predictions of the stacker on ``[p0 | c]`` (``p0`` alone: "none")."""
        pred = np.empty_like(self.p0)
        for f in self.uniq:
            held = self.folds == f
            Zr, Zh = ((self.base[~held], self.base[held]) if c == "none"
                      else self.columns(c, f, held, self.base))
            model = _stacker(self.task).fit(Zr, self.y[~held])
            pred[held] = _predict(model, Zh, self.task, self.n_classes)
        return pred

    def refit(self, c) -> np.ndarray:
        """Out-of-fold predictions of the reference refitted on ``[X | c]``."""
        pred = np.empty_like(self.p0)
        with self.limits():
            for f in self.uniq:
                held = self.folds == f
                Zr, Zh = self.columns(c, f, held, self.X)
                model = clone(self.ref).fit(Zr, self.y[~held])
                pred[held] = _predict(model, Zh, self.task, self.n_classes)
        return pred

    def fold_scores(self, pred) -> list[float]:
        return [_score(self.task, self.y[self.folds == f], pred[self.folds == f])
                for f in self.uniq]

    def losses(self, pred) -> np.ndarray:
        return _row_losses(self.task, self.y, pred)


def _confirm(st: _Stacking, names, passing, widths, mean, groups):
    """The passing sets offered widest first to the reference refitted on ``[X | S]``:
    the first it does not score below ``X`` alone with is chosen. Returns the chosen
    index (None: none) and every offered set's ``(gain, s.e.)``."""
    ref_loss = st.losses(st.p0)
    confirmed = {}
    for i in sorted(passing, key=lambda i: (-widths[names[i]], -mean[i])):
        d = ref_loss - st.losses(st.refit(names[i]))
        confirmed[names[i]] = (float(d.mean()), _paired_se(d, groups))
        if d.mean() >= 0:
            return i, confirmed
    return None, confirmed


def choose_feature_set(
    X: np.ndarray,
    y: np.ndarray,
    task: str,
    folds: np.ndarray,
    candidates: dict,
    reference=None,
    fold_candidates=None,
    groups=None,
    min_gain: float = 0.002,
    z: float = 1.0,
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
        Cross-validated on ``X`` for the first stage, and refitted on ``[X | S]``
        to confirm a passing set (default :func:`default_reference`).
    fold_candidates : callable, optional
        ``fold_candidates(f)`` → ``{name: (Z_rest, Z_held)}``: the columns of the
        rows outside fold ``f`` *re-cross-fitted without fold f* and those of fold
        ``f`` computed from the rest — for the names it returns, the second stage
        of fold ``f`` uses these instead of ``candidates``. Without it, a
        second-stage model trained on out-of-fold columns that were computed
        *from* fold ``f``'s targets is scored on fold ``f``: a row's neighbours'
        targets feed its column and its neighbours' columns feed the coefficients,
        which credits target-mean columns with gains on pure noise.
    groups : ndarray of shape (n,), optional
        Related rows (the cross-fitting's groups): the standard error of the gain is
        clustered by group.
    min_gain : float, default=0.002
        Smallest mean gain (R², or log-loss skill for classes) worth adding columns for
        where the reference explains nothing; it is scaled by what the reference still
        gets wrong, ``1 − reference score`` (at most 1, :func:`gain_threshold`), so at
        R² 0.99 a set must gain 0.00002.
    z : float, default=1.0
        The mean gain must also exceed ``z`` standard errors of the mean paired
        per-row gain.
    seed : int
        Seed of the default reference.
    n_threads : int
        OpenMP threads (or jobs) for the reference model.

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
    n_classes = int(y.max()) + 1 if task == "classification" else 0
    ref = default_reference(task, seed, n_classes, n_threads) if reference is None else reference
    nested = {f: fold_candidates(f) if fold_candidates is not None else {}
              for f in np.unique(folds)}
    st = _Stacking(X, y, task, folds, candidates, nested, ref, n_classes, n_threads)
    names = ["none"] + [c for c in candidates if c != "none"]
    pred = [st.stacked(c) for c in names]
    scores = np.array([st.fold_scores(p) for p in pred])
    # the test pools the paired per-row loss differences of all out-of-fold rows: a
    # standard error from n rows (clustered by group when grouped) is far steadier than
    # one from k fold means, which is what limited the gate on a few hundred rows
    diffs = [st.losses(pred[0]) - st.losses(p) for p in pred]
    mean = np.array([d.mean() for d in diffs])
    se = np.array([_paired_se(d, groups) for d in diffs])
    widths = {"none": 0, **{c: int(np.asarray(candidates[c]).shape[1]) for c in names[1:]}}
    reference_score = _score(task, y, st.p0)
    threshold = gain_threshold(min_gain, reference_score)
    passing = _passing(mean, se, threshold, z)
    # between sets that pass, the linear stacker is a poor judge (it pays for correlated
    # columns a tree handles for free, and credits columns a tree cannot use): the reference
    # itself must confirm
    pick, confirmed = _confirm(st, names, passing, widths, mean, groups)
    chosen = names[pick] if pick is not None else "none"
    reason = _reason(names, pick, passing, confirmed, mean, se, scores - scores[0], threshold,
                     z)
    return GateReport(names, scores, chosen, reason, "r2" if task == "regression" else
                      "log_loss_skill", reference_score, widths, gain=mean, se=se,
                      confirmed=confirmed, min_gain=float(min_gain), z=float(z))


def _reason(names, pick, passing, confirmed, mean, se, gains, threshold, z) -> str:
    """The report's one-sentence reason for the choice (``pick``: index of the chosen
    set, None for "none"), in the terms of the rule: what passed, what the reference
    confirmed or refused, or how far the best candidate fell short."""
    n_folds = gains.shape[1]
    if pick is not None:
        chosen = names[pick]
        g_ref, se_ref = confirmed[chosen]
        better = f"{int((gains[pick] > 0).sum())}/{n_folds} folds better"
        reason = (f"it passed the test (gain {mean[pick]:+.4f} ± {se[pick]:.4f} s.e. over "
                  f"X alone, {better}) and the reference refitted on [X | {chosen}] "
                  f"confirmed it ({g_ref:+.4f} ± {se_ref:.4f})")
        vetoed = [c for c, (g, _) in confirmed.items() if g < 0 and c != chosen]
        if vetoed:
            reason += ("; the reference scored below X alone with the wider "
                       + ", ".join(f"{c} ({confirmed[c][0]:+.4f})" for c in vetoed))
        others = [names[i] for i in passing if i != pick and names[i] not in vetoed]
        if others:
            reason += (f" (also passed: {', '.join(others)}; the widest passing set is "
                       "offered first)")
        return reason
    if passing:
        return (", ".join(names[i] for i in passing) + " passed the test, but the reference "
                "scored below X alone with "
                + ", ".join(f"[X | {c}] ({g:+.4f} ± {s:.4f})" for c, (g, s) in confirmed.items()))
    best = int(np.argmax(mean))
    if best == 0:
        return "no candidate scored above X alone"
    if mean[best] < threshold:
        return (f"the best candidate, {names[best]}, gained {mean[best]:+.2g} over X alone, "
                f"below the threshold {threshold:.2g}")
    return (f"the best candidate, {names[best]}, gained {mean[best]:+.4f} ± {se[best]:.4f} "
            f"(s.e.) over X alone, within z={z:g} standard errors of noise")
