"""The ``gramixc`` command.

``gramixc demo``
    Configurations of scikit-learn's digits (table with ARI against the digit
    labels, envelope, lineage and RMS mosaic plots), then — unless
    ``--skip-predict`` — the supervised story on a bundled regression set: the
    predictor alone against the predictor with GraMixC features, on a held-out
    split, and the attention map.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

__all__ = ["main"]


def _print_table(rows: list[dict], columns: list[str], fmt: dict) -> None:
    widths = {c: max(len(c), *(len(fmt.get(c, "{}").format(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(fmt.get(c, "{}").format(r[c]).rjust(widths[c]) for c in columns))


def demo_configurations(out: str, random_state: int = 0, verbose: bool = False) -> dict:
    """Fit the extractor on digits, print the configuration table, write the plots."""
    from sklearn.datasets import load_digits
    from sklearn.metrics import adjusted_rand_score

    from .extractor import ConfigurationExtractor
    from .plotting import plot_envelope, plot_lineage, plot_mosaic
    from .rms import amc, id_spread, rms_permute

    X, y = load_digits(return_X_y=True)
    print(f"== Configurations of scikit-learn digits ({X.shape[0]} images, {X.shape[1]} pixels)")
    t0 = time.perf_counter()
    ext = ConfigurationExtractor(random_state=random_state, verbose=verbose).fit(X)
    elapsed = time.perf_counter() - t0
    cfg = ext.configurations_
    sweep = ext.sweep_
    print(
        f"kNN graph (k={ext.k}), {len(sweep.run_gammas)} Leiden runs, "
        f"{len(sweep.h_a)} distinct partitions -> {len(cfg)} configurations in {elapsed:.1f} s"
    )
    aris = [adjusted_rand_score(y, cfg[j]) for j in range(len(cfg))]
    rows = [
        {
            "cfg": j,
            "K": int(cfg.n_clusters[j]),
            "gamma_lo": cfg.gamma_lo[j],
            "gamma_hi": cfg.gamma_hi[j],
            "log_width": cfg.log_width[j],
            "open": "open" if cfg.open_ended[j] else "",
            "ARI": aris[j],
        }
        for j in range(len(cfg))
    ]
    _print_table(
        rows,
        ["cfg", "K", "gamma_lo", "gamma_hi", "log_width", "open", "ARI"],
        {"gamma_lo": "{:.4g}", "gamma_hi": "{:.4g}", "log_width": "{:.3f}", "ARI": "{:.3f}"},
    )
    best = int(np.argmax(aris))
    widest = cfg.widest()
    print(
        f"best ARI against the digit labels: configuration {best} (K={cfg.n_clusters[best]}, "
        f"ARI {aris[best]:.3f}); widest closed plateau: configuration {widest} "
        f"(K={cfg.n_clusters[widest]}, ARI {aris[widest]:.3f}; 'open' plateaus reach past "
        "the resolutions solved, so their width says where the sweep stopped)"
    )
    raw = ConfigurationExtractor(random_state=random_state, align="none").fit(X).configurations_
    print(
        f"id spread (1.0 = a parent's children have consecutive ids): raw Leiden "
        f"{id_spread(raw.ids):.2f} -> RMS chain {id_spread(cfg.ids):.2f}"
    )
    os.makedirs(out, exist_ok=True)
    paths = {
        "envelope": os.path.join(out, "digits_envelope.png"),
        "lineage": os.path.join(out, "digits_lineage.png"),
        "mosaic": os.path.join(out, "digits_mosaic.png"),
    }
    plot_envelope(cfg, paths["envelope"])
    plot_lineage(cfg, paths["lineage"], max_clusters=40)
    # mosaic: the best configuration against the digit labels, before and after RMS
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 5))
    _, C, labels = amc(raw.ids[:, best], y + 1)
    res = rms_permute(C, labels)
    plot_mosaic(
        C,
        labels - 1,
        labels - 1,
        ax=fig.add_subplot(1, 2, 1),
        title=f"configuration {best} vs digit (AMC only)",
    )
    plot_mosaic(
        res.permuted_matrix,
        res.permuted_labels - 1,
        res.permuted_labels - 1,
        ax=fig.add_subplot(1, 2, 2),
        title="after Reverse Merge/Split",
    )
    fig.tight_layout()
    fig.savefig(paths["mosaic"], dpi=150)
    for name, p in paths.items():
        print(f"wrote {name} plot: {p}")
    return {"extractor": ext, "ari": aris, "paths": paths, "seconds": elapsed}


def demo_prediction(out: str, random_state: int = 0, verbose: bool = False) -> dict:
    """16S rRNA → growth temperature: XGBoost alone vs with GraMixC, held-out species."""
    from sklearn.metrics import r2_score
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.pipeline import make_pipeline
    from xgboost import XGBRegressor

    from .datasets import load_16s_gold
    from .estimators import GraMixC
    from .plotting import plot_attention

    ds = load_16s_gold()
    X, y, groups = ds.X, ds.y, ds.groups
    print(f"\n== 16S rRNA -> optimal growth temperature ({X.shape[0]} sequences, "
          f"{len(np.unique(groups))} species, {X.shape[1]} 4+5-mer frequencies)")
    tr, te = next(GroupShuffleSplit(n_splits=1, test_size=0.3,
                                    random_state=random_state).split(X, y, groups))

    def xgb():
        return XGBRegressor(n_estimators=300, learning_rate=0.05, max_depth=6, subsample=0.8,
                            colsample_bytree=0.8, random_state=random_state, n_jobs=2)

    t0 = time.perf_counter()
    alone = xgb().fit(X[tr], y[tr])
    r2_alone = r2_score(y[te], alone.predict(X[te]))
    t_alone = time.perf_counter() - t0
    t0 = time.perf_counter()
    gmx = GraMixC(metric="cosine", random_state=random_state, verbose=verbose)
    pipe = make_pipeline(gmx, xgb()).fit(X[tr], y[tr], gramixc__groups=groups[tr])
    r2_gmx = r2_score(y[te], pipe.predict(X[te]))
    t_gmx = time.perf_counter() - t0
    print(f"held-out species ({len(te)} sequences of {len(np.unique(groups[te]))} species "
          f"never seen in training):")
    print(f"  XGBoost alone            R² = {r2_alone:.3f}   ({t_alone:.1f} s)")
    print(f"  GraMixC + XGBoost        R² = {r2_gmx:.3f}   ({t_gmx:.1f} s)")
    rep = gmx.gate_report_
    if rep is not None:
        print(f"  GraMixC's gate on the training rows ({rep.metric}, reference model on the "
              f"k-mers {rep.reference_score:.3f}) chose {rep.chosen!r}: {rep.reason}")
    paths = {}
    if gmx.fold_models_:
        paths["attention"] = os.path.join(out, "16s_attention.png")
        plot_attention(gmx.attention_map(X[te]),
                       ids=gmx.extractor_.transform(X[te])[:, gmx.selected_],
                       feature_names=gmx.token_names_, path=paths["attention"])
        print(f"wrote attention plot: {paths['attention']}")
    if gmx.use_configurations_:
        added = gmx.get_feature_names_out()[X.shape[1]:]
        print(f"  GraMixC added {len(added)} columns ({gmx.feature_set_}): "
              f"{', '.join(added[:6])}{', ...' if len(added) > 6 else ''}")
    else:
        print("  GraMixC added no features: none of its feature sets helped on the training "
              "rows, so the pipeline equals XGBoost alone")
    return {"r2_alone": r2_alone, "r2_gramixc": r2_gmx, "paths": paths, "model": gmx}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gramixc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="configurations of digits + the predictor story")
    p_demo.add_argument("--out", default="gramixc_demo_output", help="folder for the plots")
    p_demo.add_argument("--seed", type=int, default=0)
    p_demo.add_argument("--verbose", action="store_true")
    p_demo.add_argument("--skip-predict", action="store_true",
                        help="only the (unsupervised) configurations part")
    p_bench = sub.add_parser("bench", help="benchmark suite (docs/benchmarks.md)")
    p_bench.add_argument("--quick", action="store_true",
                         help="small datasets and subsets, no MLP: a few minutes")
    p_bench.add_argument("--datasets", nargs="+", default=None)
    p_bench.add_argument("--folds", type=int, default=None,
                         help="outer folds (default 5; 3 with --quick)")
    p_bench.add_argument("--seed", type=int, default=0)
    p_bench.add_argument("--predictors", nargs="+", choices=("xgboost", "linear", "mlp"),
                         default=None, help="downstream predictors (default: all three; "
                                            "xgboost and linear with --quick)")
    p_bench.add_argument("--gramixc", nargs="+", choices=("default", "paper", "fusion"),
                         default=None, help="GraMixC rows: the default, the paper-faithful "
                                            "path, the default with the fusion sets among "
                                            "the gate's choices (default: all three)")
    p_bench.add_argument("--out", default="docs/benchmarks.md")
    p_bench.add_argument("--img-dir", default="docs/img")
    p_bench.add_argument("--raw", default="benchmarks/results/benchmarks.json")
    p_bench.add_argument("--append", action="store_true",
                         help="keep the other datasets already in --raw and rewrite the "
                              "report with all of them (complete a long suite in parts)")
    p_bench.add_argument("--report-only", action="store_true",
                         help="rewrite the report and plots from --raw without fitting anything")
    args = parser.parse_args(argv)
    if args.command == "bench":
        from .bench import FULL_DATASETS, QUICK_DATASETS, report_from_raw, run_benchmarks

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
        cmd = "gramixc bench" + (" --quick" if args.quick else "") + (
            f" --datasets {' '.join(args.datasets)}" if args.datasets else "") + (
            f" --folds {args.folds}" if args.folds != (3 if args.quick else 5) else "") + (
            " --append" if args.append else "") + (
            f" --seed {args.seed}" if args.seed else "") + (
            f" --predictors {' '.join(args.predictors)}" if args.predictors else "") + (
            f" --gramixc {' '.join(args.gramixc)}" if args.gramixc else "")
        from .bench import GRAMIXC_SHORT

        run_benchmarks(names, n_folds=args.folds, seed=args.seed, quick=args.quick,
                       out_md=args.out, img_dir=args.img_dir, raw_path=args.raw, command=cmd,
                       log=lambda msg: print(msg, flush=True), append=args.append,
                       predictors=args.predictors,
                       gramixc_variants=[GRAMIXC_SHORT[v] for v in args.gramixc]
                       if args.gramixc else None)
        return 0
    if args.command == "demo":
        t0 = time.perf_counter()
        demo_configurations(args.out, args.seed, args.verbose)
        if not args.skip_predict:
            demo_prediction(args.out, args.seed, args.verbose)
        print(f"demo finished in {time.perf_counter() - t0:.1f} s")
        return 0
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
