"""The ``gramixc`` command.

``gramixc demo``
    Configurations of scikit-learn's digits (table with ARI against the digit
    labels, envelope, lineage and RMS mosaic plots), then — unless
    ``--skip-predict`` — the supervised story on a bundled regression set: the
    predictor alone against the predictor with GraMixC features, on a held-out
    split, and the attention map.
``gramixc configurations data.parquet --out configs.parquet``
    The configurations of a user's table or FASTA file: cluster ids per row, the
    γ-interval table, envelope and lineage plots.
``gramixc fit data.csv --target y --out model.pkl``
    GraMixC + a predictor fitted on a user's table (or FASTA + label table), saved.
``gramixc predict model.pkl new.csv``
    Predictions of a saved model for new rows.
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

    from ._optional import import_optional
    from .datasets import load_16s_gold

    XGBRegressor = import_optional("xgboost", "the demo's predictor").XGBRegressor
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
    from .extractor import ConfigurationExtractor

    gmx = GraMixC(extractor=ConfigurationExtractor(metric="cosine", refine=False),
                  random_state=random_state, verbose=verbose)
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
    if gmx.layout_:
        added = gmx.get_feature_names_out()[X.shape[1]:]
        print(f"  GraMixC added {len(added)} columns ({gmx.feature_set_}): "
              f"{', '.join(added[:6])}{', ...' if len(added) > 6 else ''}")
    else:
        print("  GraMixC added no features: none of its feature sets helped on the training "
              "rows, so the pipeline equals XGBoost alone")
    return {"r2_alone": r2_alone, "r2_gramixc": r2_gmx, "paths": paths, "model": gmx}


EXAMPLES = {
    "configurations": """example:
  gramixc configurations cells.parquet --out cells_configs.parquet --plots cells_plots
      writes one column of cluster ids per configuration (cfg3_k12: configuration 3,
      12 clusters), cells_configs_summary.csv (K, γ-interval, plateau width per
      configuration) and envelope / lineage plots; add --drop for non-feature columns.
  gramixc configurations reads.fasta --out reads_configs.csv
      FASTA records become 4+5-mer spectra, compared by cosine.""",
    "fit": """example:
  gramixc fit train.csv --target ph --out ph_model.pkl
      GraMixC + XGBoost on every other column; prints what GraMixC's gate chose.
  gramixc fit 16s.fasta --labels media.csv --target temperature --groups species \\
      --out temp_model.pkl
      sequences joined to the label table on the record id (its first column, or
      --id-column); cross-fitting keeps each species whole.""",
    "predict": """example:
  gramixc predict ph_model.pkl new.csv --out new_predictions.csv
      one row per input row: its id (--id-column, or the row number), the
      prediction, and class probabilities for a classifier.""",
}


def _fail(err) -> int:
    print(f"error: {err}", file=sys.stderr)
    return 2


def _say(msg: str, quiet: bool = False) -> None:
    if not quiet:
        print(msg, flush=True)


def _features_of(data):
    """The numeric features of a user's data (k-mer spectra for FASTA)."""
    if data.kind == "fasta":
        from .bio import KmerSpectrum

        return KmerSpectrum().fit_transform(data.X)
    return data.X


def cmd_configurations(args) -> int:
    """``gramixc configurations``: ids, γ table and plots of a user's file."""
    import polars as pl

    from .extractor import ConfigurationExtractor
    from .tables import DataFileError, read_user_data

    try:
        data = read_user_data(args.data, drop=args.drop, id_column=args.id_column)
    except DataFileError as err:
        return _fail(err)
    X = _features_of(data)
    metric = args.metric or ("cosine" if data.kind == "fasta" else "euclidean")
    _say(f"{args.data}: {X.shape[0]} rows, {X.shape[1]} features; metric {metric}", args.quiet)
    t0 = time.perf_counter()
    try:
        ext = ConfigurationExtractor(k=args.k, metric=metric, random_state=args.seed,
                                     max_clusters=args.max_clusters,
                                     verbose=not args.quiet).fit(X)
    except ValueError as err:
        return _fail(err)
    cfg = ext.configurations_
    _say(f"{len(cfg)} configurations in {time.perf_counter() - t0:.1f} s", args.quiet)
    cols = {"id": data.ids}
    for j, name in enumerate(cfg.feature_names()):
        cols[name] = cfg.ids[:, j]
    ids_table = pl.DataFrame(cols)
    summary = cfg.table()
    stem, ext_ = os.path.splitext(args.out)
    if ext_.lower() in (".parquet", ".pq"):
        ids_table.write_parquet(args.out)
    elif ext_.lower() in (".csv", ".tsv"):
        ids_table.write_csv(args.out, separator="\t" if ext_.lower() == ".tsv" else ",")
    else:
        return _fail(f"--out {args.out}: use a .parquet, .csv or .tsv name")
    _say(f"wrote cluster ids: {args.out}", args.quiet)
    if summary is not None:
        path = f"{stem}_summary.csv"
        summary.write_csv(path)
        _say(f"wrote configuration table: {path}", args.quiet)
        if not args.quiet:
            print(summary)
    if args.plots:
        from .plotting import plot_envelope, plot_lineage

        os.makedirs(args.plots, exist_ok=True)
        for name, fn in (("envelope", plot_envelope), ("lineage", plot_lineage)):
            path = os.path.join(args.plots, f"{name}.png")
            fn(cfg, path)
            _say(f"wrote {name} plot: {path}", args.quiet)
    return 0


def _make_predictor(kind: str, task: str, seed: int):
    if kind == "linear":
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        est = Ridge() if task == "regression" else LogisticRegression(max_iter=2000)
        return make_pipeline(StandardScaler(), est)
    from ._optional import import_optional

    xgb = import_optional("xgboost", "--predictor xgboost (or use --predictor linear)")
    cls = xgb.XGBRegressor if task == "regression" else xgb.XGBClassifier
    return cls(n_estimators=400, random_state=seed, n_jobs=2)


def cmd_fit(args) -> int:
    """``gramixc fit``: GraMixC + a predictor on a user's file, pickled."""
    import pickle

    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import LabelEncoder
    from sklearn.utils.multiclass import type_of_target

    from . import __version__
    from .estimators import GraMixC
    from .tables import DataFileError, read_user_data

    try:
        data = read_user_data(args.data, target=args.target, groups=args.groups,
                              drop=args.drop, id_column=args.id_column, labels=args.labels)
    except DataFileError as err:
        return _fail(err)
    y = data.y
    task = args.task
    if task == "auto":
        task = "regression" if type_of_target(y) == "continuous" else "classification"
    classes = None
    if task == "classification":
        le = LabelEncoder().fit(y)
        classes = le.classes_.tolist()
        y = le.transform(y)
    else:
        try:
            y = np.asarray(y, dtype=np.float64)
        except ValueError:
            return _fail(f"target {args.target!r} is not numeric; pass --task classification "
                         "for class labels")
    metric = args.metric or ("cosine" if data.kind == "fasta" else "euclidean")
    steps = []
    if data.kind == "fasta":
        from .bio import KmerSpectrum

        steps.append(("kmers", KmerSpectrum()))
    from .extractor import ConfigurationExtractor

    gmx = GraMixC(task=task, extractor=ConfigurationExtractor(metric=metric, refine=False),
                  random_state=args.seed, verbose=not args.quiet)
    steps += [("gramixc", gmx), ("predictor", _make_predictor(args.predictor, task, args.seed))]
    pipe = Pipeline(steps)
    n = len(y)
    what = ("sequences" if data.kind == "fasta"
            else f"rows, {len(data.feature_names)} features")
    _say(f"{args.data}: {n} {what}; {task}, target {args.target!r}; "
         f"GraMixC + {args.predictor}", args.quiet)
    t0 = time.perf_counter()
    fit_kw = {} if data.groups is None else {"gramixc__groups": data.groups}
    try:
        pipe.fit(data.X, y, **fit_kw)
    except ValueError as err:
        return _fail(err)
    _say(f"fitted in {time.perf_counter() - t0:.1f} s", args.quiet)
    if gmx.layout_:
        added = gmx.get_feature_names_out()[gmx.n_features_in_:]
        _say(f"GraMixC adds {len(added)} columns ({gmx.feature_set_}) for the predictor",
             args.quiet)
    else:
        _say("GraMixC adds no columns (none of its feature sets helped on the training "
             "rows): the model is the predictor alone", args.quiet)
    bundle = {"gramixc_model": __version__, "pipeline": pipe, "kind": data.kind,
              "features": data.feature_names, "target": args.target, "task": task,
              "classes": classes}
    with open(args.out, "wb") as fh:
        pickle.dump(bundle, fh)
    _say(f"wrote model: {args.out}", args.quiet)
    return 0


def cmd_predict(args) -> int:
    """``gramixc predict``: a saved model's predictions for a new file."""
    import pickle

    import polars as pl

    from .tables import DataFileError, read_user_data

    try:
        with open(args.model, "rb") as fh:
            bundle = pickle.load(fh)
    except FileNotFoundError:
        return _fail(f"{args.model}: no such file")
    except Exception as err:
        return _fail(f"{args.model}: not a model written by 'gramixc fit' ({err})")
    if not isinstance(bundle, dict) or "gramixc_model" not in bundle:
        return _fail(f"{args.model}: not a model written by 'gramixc fit'")
    try:
        if bundle["kind"] == "fasta":
            data = read_user_data(args.data)
            if data.kind != "fasta":
                raise DataFileError(f"{args.data}: the model was fitted on FASTA sequences")
        else:
            data = read_user_data(args.data, id_column=args.id_column,
                                  features=bundle["features"])
            if data.kind != "table":
                raise DataFileError(f"{args.data}: the model was fitted on a table")
    except DataFileError as err:
        return _fail(err)
    pipe = bundle["pipeline"]
    pred = pipe.predict(data.X)
    cols = {"id": data.ids}
    if bundle["task"] == "classification":
        classes = np.asarray(bundle["classes"])
        cols[bundle["target"] or "prediction"] = classes[np.asarray(pred, dtype=int)].tolist()
        proba = pipe.predict_proba(data.X)
        for j, c in enumerate(classes):
            cols[f"proba_{c}"] = proba[:, j]
    else:
        cols[bundle["target"] or "prediction"] = np.asarray(pred, dtype=np.float64)
    out = args.out or f"{os.path.splitext(os.path.basename(args.data))[0]}_predictions.csv"
    pl.DataFrame(cols).write_csv(out)
    print(f"wrote {len(data.ids)} predictions: {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The ``gramixc`` command line (``gramixc --help``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 2 for bad input (the message is on stderr).
    """
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
    common = dict(formatter_class=argparse.RawDescriptionHelpFormatter)
    p_cfg = sub.add_parser("configurations", help="configurations of your table or FASTA file",
                           epilog=EXAMPLES["configurations"], **common)
    p_cfg.add_argument("data", help=".csv, .tsv, .parquet, or FASTA (.fasta/.fa/.fna[.gz])")
    p_cfg.add_argument("--out", required=True, help="cluster ids: .parquet, .csv or .tsv")
    p_cfg.add_argument("--plots", help="folder for the envelope and lineage plots")
    p_cfg.add_argument("--k", type=int, default=15, help="neighbours of the graph")
    p_cfg.add_argument("--metric", choices=("euclidean", "cosine"),
                       help="default: euclidean, cosine for FASTA")
    p_cfg.add_argument("--max-clusters", type=int, default=None)
    p_fit = sub.add_parser("fit", help="fit GraMixC + a predictor on your file",
                           epilog=EXAMPLES["fit"], **common)
    p_fit.add_argument("data", help=".csv, .tsv, .parquet, or FASTA with --labels")
    p_fit.add_argument("--target", required=True, help="the target column")
    p_fit.add_argument("--out", required=True, help="model file to write (.pkl)")
    p_fit.add_argument("--task", choices=("auto", "regression", "classification"),
                       default="auto", help="auto: a float target is regression, integer, "
                                            "string or boolean labels are classes")
    p_fit.add_argument("--predictor", choices=("xgboost", "linear"), default="xgboost")
    p_fit.add_argument("--groups", help="column of related rows (e.g. species)")
    p_fit.add_argument("--labels", help="FASTA input: label table, one row per record id")
    p_fit.add_argument("--metric", choices=("euclidean", "cosine"),
                       help="default: euclidean, cosine for FASTA")
    p_pred = sub.add_parser("predict", help="predictions of a model saved by 'gramixc fit'",
                            epilog=EXAMPLES["predict"], **common)
    p_pred.add_argument("model", help="a .pkl written by 'gramixc fit'")
    p_pred.add_argument("data", help="new rows: a table with the model's columns, or FASTA")
    p_pred.add_argument("--out", help="predictions CSV (default: <data>_predictions.csv)")
    p_pred.add_argument("--id-column", help="column of row ids to carry into the output")
    for p in (p_cfg, p_fit):
        p.add_argument("--drop", nargs="+", default=[], help="columns that are not features")
        p.add_argument("--id-column", help="column of row ids (not a feature); for --labels "
                                            "the record-id column (default: its first)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--quiet", action="store_true", help="no progress messages")
    args = parser.parse_args(argv)
    if args.command in ("configurations", "fit", "predict"):
        return {"configurations": cmd_configurations, "fit": cmd_fit,
                "predict": cmd_predict}[args.command](args)
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
