"""Does GraMixC's gate reject pure noise? Keep rate and worst loss on targets independent of X.

For each dataset (its real features ``X``) and each of ``--targets`` seeds, the target
is replaced by Gaussian noise independent of ``X``; a random 67/33 split is drawn;
``make_pipeline(GraMixC(), predictor)`` is compared with the predictor alone on the
held-out rows. Nothing can be learned, so the right answer is to add nothing: the
report counts how often GraMixC added columns anyway and the worst held-out loss
against the predictor alone (goal: kept in ≤ 5 % of the runs, worst loss ≤ 0.01 R²).

Usage::

    python benchmarks/bench_noise.py                       # 50 targets × 3 datasets, Ridge
    python benchmarks/bench_noise.py --targets 20 --predictor xgboost
    python benchmarks/bench_noise.py --classes 0.5 0.06 --targets 30   # random class labels

With ``--classes`` the targets are random labels (each rate: the share of the positive
class of a binary target, drawn independently of ``X``), the predictor logistic regression
or XGBoost's classifier, the score held-out accuracy (``bench_noise_classes.txt``); this
checks the gate's log-loss-skill threshold (a share of the class frequencies' own loss,
so far looser than a raw-loss threshold on rare classes).

Writes ``docs/img/noise_gate.png`` (held-out R² difference per run) and prints a table;
``benchmarks/results/bench_noise.txt`` holds the last run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _results import save_figure, write_results

DATASETS = ("diabetes", "boston", "abalone")


def load_X(name: str) -> np.ndarray:
    from gramixc.datasets import load_dataset

    return np.asarray(load_dataset(name).X, dtype=float)


def predictor(kind: str, seed: int, classes: bool = False):
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "ridge":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000) if classes
                             else Ridge(alpha=1.0))
    from xgboost import XGBClassifier, XGBRegressor

    return (XGBClassifier if classes else XGBRegressor)(
        n_estimators=300, learning_rate=0.05, max_depth=6, subsample=0.8,
        colsample_bytree=0.8, max_bin=64, random_state=seed, n_jobs=2)


def run(name: str, n_targets: int, kind: str, rate: float | None = None) -> list[dict]:
    """``n_targets`` noise targets on ``name``'s features: Gaussian, or (``rate``) binary
    labels with that share of positives; held-out R² or accuracy."""
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from gramixc import GraMixC

    X = load_X(name)
    classes = rate is not None
    score = accuracy_score if classes else r2_score
    rows = []
    for t in range(n_targets):
        rng = np.random.default_rng(1000 + t)
        y = (rng.random(len(X)) < rate).astype(int) if classes else rng.normal(size=len(X))
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.33, random_state=t,
                                              stratify=y if classes else None)
        alone = predictor(kind, t, classes).fit(Xtr, ytr)
        t0 = time.perf_counter()
        pipe = make_pipeline(GraMixC(random_state=t),
                             predictor(kind, t, classes)).fit(Xtr, ytr)
        rows.append({"dataset": f"{name}, {rate:g} positive" if classes else name,
                     "target": t, "chosen": pipe[0].feature_set_,
                     "alone": score(yte, alone.predict(Xte)),
                     "gramixc": score(yte, pipe.predict(Xte)),
                     "fit_s": time.perf_counter() - t0})
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=50)
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS))
    ap.add_argument("--predictor", choices=("ridge", "xgboost"), default="ridge")
    ap.add_argument("--classes", type=float, nargs="+", default=None, metavar="RATE",
                    help="random binary labels with these shares of positives instead of "
                         "Gaussian targets (accuracy; no plot)")
    ap.add_argument("--plot", default="docs/img/noise_gate.png")
    args = ap.parse_args(argv)
    if args.classes and any(not 0 < r < 1 for r in args.classes):
        ap.error("--classes: each rate must lie strictly between 0 and 1")
    units = ([(n, None) for n in args.datasets] if not args.classes else
             [(n, r) for r in args.classes for n in args.datasets])
    metric = "R²" if not args.classes else "accuracy"
    all_rows = []
    lines = []

    def emit(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    emit(f"| dataset | runs | columns kept | kept % | mean Δ {metric} | worst Δ {metric} | "
         "fit (s) |")
    emit("|---|---|---|---|---|---|---|")
    for name, rate in units:
        rows = run(name, args.targets, args.predictor, rate)
        name = rows[0]["dataset"]
        all_rows += rows
        d = np.array([r["gramixc"] - r["alone"] for r in rows])
        kept = sum(r["chosen"] != "none" for r in rows)
        emit(f"| {name} | {len(rows)} | {kept} | {100 * kept / len(rows):.1f} | "
              f"{d.mean():+.4f} | {d.min():+.4f} | "
             f"{np.mean([r['fit_s'] for r in rows]):.1f} |")
    d = np.array([r["gramixc"] - r["alone"] for r in all_rows])
    kept = sum(r["chosen"] != "none" for r in all_rows)
    emit(f"| **all** | {len(all_rows)} | {kept} | {100 * kept / len(all_rows):.1f} | "
         f"{d.mean():+.4f} | {d.min():+.4f} | |")
    chosen = {}
    for r in all_rows:
        chosen[r["chosen"]] = chosen.get(r["chosen"], 0) + 1
    emit(f"\nchosen feature sets: {chosen}; predictor: {args.predictor}")
    write_results("bench_noise_classes.txt" if args.classes else "bench_noise.txt",
                  "\n".join(lines))
    if args.plot and not args.classes:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.5, 3.2))
        ax = fig.add_subplot(1, 1, 1)
        for i, name in enumerate(args.datasets):
            rs = [r for r in all_rows if r["dataset"] == name]
            dd = np.array([r["gramixc"] - r["alone"] for r in rs])
            kept_mask = np.array([r["chosen"] != "none" for r in rs])
            jitter = np.random.default_rng(i).uniform(-0.25, 0.25, len(rs))
            ax.scatter(i + jitter[~kept_mask], dd[~kept_mask], s=10, color="tab:gray",
                       label="nothing added" if i == 0 else None)
            ax.scatter(i + jitter[kept_mask], dd[kept_mask], s=14, color="tab:red",
                       label="columns added" if i == 0 else None)
        ax.axhline(0, color="k", lw=0.8)
        ax.axhline(-0.01, color="tab:red", lw=0.8, ls="--")
        ax.set_xticks(range(len(args.datasets)))
        ax.set_xticklabels(args.datasets)
        ax.set_ylabel("held-out R²: GraMixC + model − model")
        ax.set_title(f"pure-noise targets ({args.targets} per dataset, {args.predictor})",
                     fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, args.plot)


if __name__ == "__main__":
    main()
