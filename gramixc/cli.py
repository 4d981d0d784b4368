"""The ``gramixc`` command line (run ``gramixc --help``).

Commands: ``demo`` (digits' configurations and the 16S growth-temperature story),
``configurations`` (cluster ids, γ table and plots of a user's table or FASTA file),
``fit`` (GraMixC + a predictor on a user's file, saved) and ``predict`` (a saved
model's predictions for new rows). Every command checks its output paths before
any work, never overwrites an input, and refuses an existing output unless
``--force``; every problem with a file exits with status 2 and a message that names
it (:class:`~gramixc.tables.DataFileError`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

__all__ = ["main", "build_parser", "examples", "bundled_16s_table", "LabelEncodedClassifier"]


# ----------------------------------------------------------------- the one GraMixC

def _make_gramixc(task: str, metric: str, k: int | None, seed: int, verbose: bool):
    """The GraMixC of the command line and the demo: the one place it is built.

    Parameters
    ----------
    task : {"auto", "regression", "classification"}
    metric : {"euclidean", "cosine"}
        The kNN graph's metric.
    k : int or None
        Neighbours of the graph (None: the extractor's default).
    seed : int
    verbose : bool

    Returns
    -------
    GraMixC
    """
    from .estimators import GraMixC
    from .extractor import ConfigurationExtractor

    kw = {} if k is None else {"k": k}
    # the estimators' default extractor settings (no refinement; GraMixC caps it at
    # n // 10 clusters), with the command line's metric
    extractor = ConfigurationExtractor(metric=metric, refine=False, **kw)
    return GraMixC(task=task, extractor=extractor, random_state=seed, verbose=verbose)


class LabelEncodedClassifier(ClassifierMixin, BaseEstimator):
    """A classifier fitted on class indices ``0..C−1``, answering in the user's labels.

    XGBoost's classifier accepts only ``0..C−1``; this wrapper lets the command line
    hand every step of its pipeline the user's own labels (so every message names
    them) and still use XGBoost last.

    Parameters
    ----------
    estimator : classifier
        Fitted (a clone) on the label indices.

    Attributes
    ----------
    classes_ : ndarray
        The user's labels, sorted; column ``j`` of :meth:`predict_proba` is ``classes_[j]``.
    estimator_ : classifier
        The fitted clone.
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        """Fit the estimator on the indices of ``y``'s sorted labels.

        Parameters
        ----------
        X : array-like of shape (n, d)
        y : array-like of shape (n,)
            Class labels of any kind.

        Returns
        -------
        self : LabelEncodedClassifier
        """
        from sklearn.preprocessing import LabelEncoder

        enc = LabelEncoder().fit(y)
        self.classes_ = enc.classes_
        self.estimator_ = clone(self.estimator).fit(X, enc.transform(y))
        return self

    def predict(self, X) -> np.ndarray:
        """The predicted labels.

        Parameters
        ----------
        X : array-like of shape (n, d)

        Returns
        -------
        ndarray of shape (n,)
        """
        codes = np.asarray(self.estimator_.predict(X)).astype(np.int64).ravel()
        return self.classes_[codes]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n, d)

        Returns
        -------
        ndarray of shape (n, n_classes)
        """
        return self.estimator_.predict_proba(X)


# ------------------------------------------------------------------------ the demo

def _print_table(rows: list[dict], columns: list[str], fmt: dict) -> None:
    widths = {c: max(len(c), *(len(fmt.get(c, "{}").format(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(fmt.get(c, "{}").format(r[c]).rjust(widths[c]) for c in columns))


def _configuration_rows(cfg, extra: dict | None = None) -> list[dict]:
    """One row per configuration for :func:`_print_table`."""
    rows = []
    for j in range(len(cfg)):
        row = {"cfg": j, "K": int(cfg.n_clusters[j]), "gamma_lo": cfg.gamma_lo[j],
               "gamma_hi": cfg.gamma_hi[j], "log_width": cfg.log_width[j],
               "open": "open" if cfg.open_ended[j] else ""}
        for name, values in (extra or {}).items():
            row[name] = values[j]
        rows.append(row)
    return rows


_CFG_FORMAT = {"gamma_lo": "{:.4g}", "gamma_hi": "{:.4g}", "log_width": "{:.3f}",
               "ARI": "{:.3f}", "entropy": "{:.3f}"}


def _gate_lines(gmx, predictor: str) -> list[str]:
    """What GraMixC added, in the words of its gate's report (so the two agree)."""
    rep = gmx.gate_report_
    if gmx.layout_:
        added = gmx.get_feature_names_out()[gmx.n_features_in_:]
        shown = ", ".join(added[:6]) + (", ..." if len(added) > 6 else "")
        head = f"GraMixC adds {len(added)} columns ({gmx.feature_set_}: {shown})"
        return [head + (f": {rep.reason}" if rep is not None else "")]
    why = rep.reason if rep is not None else "no feature set was asked for"
    return [f"GraMixC adds no columns, so the model is {predictor} alone: {why}"]


def demo_configurations(out: str, random_state: int = 0, verbose: bool = False) -> dict:
    """Fit the extractor on digits, print the configuration table, write the plots.

    Parameters
    ----------
    out : str
        Folder for the plots (created).
    random_state : int, default=0
    verbose : bool, default=False

    Returns
    -------
    dict
        ``extractor``, ``ari`` (of every configuration against the digit labels),
        ``paths`` of the plots, ``seconds`` of the fit.
    """
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
    _print_table(_configuration_rows(cfg, {"ARI": aris}),
                 ["cfg", "K", "gamma_lo", "gamma_hi", "log_width", "open", "ARI"], _CFG_FORMAT)
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
    max_k = 40
    plot_lineage(cfg, paths["lineage"], max_clusters=max_k)
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
    shown = int((cfg.n_clusters <= max_k).sum())
    notes = {"lineage": (f" (the {shown} of {len(cfg)} configurations with at most {max_k} "
                         "clusters)" if shown < len(cfg) else "")}
    for name, p in paths.items():
        print(f"wrote {name} plot: {p}{notes.get(name, '')}")
    return {"extractor": ext, "ari": aris, "paths": paths, "seconds": elapsed}


def demo_prediction(out: str, random_state: int = 0, verbose: bool = False) -> dict:
    """16S rRNA → growth temperature: XGBoost alone vs with GraMixC, held-out species.

    Parameters
    ----------
    out : str
        Folder for the plots.
    random_state : int, default=0
    verbose : bool, default=False

    Returns
    -------
    dict
        ``r2_alone``, ``r2_gramixc`` (held-out R²), ``paths``, ``model`` (the GraMixC).
    """
    from sklearn.metrics import r2_score
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.pipeline import make_pipeline

    from ._optional import import_optional
    from .datasets import load_16s_gold

    XGBRegressor = import_optional("xgboost", "the demo's predictor").XGBRegressor

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
    gmx = _make_gramixc("auto", "cosine", None, random_state, verbose)
    pipe = make_pipeline(gmx, xgb()).fit(X[tr], y[tr], gramixc__groups=groups[tr])
    r2_gmx = r2_score(y[te], pipe.predict(X[te]))
    t_gmx = time.perf_counter() - t0
    print(f"held-out species ({len(te)} sequences of {len(np.unique(groups[te]))} species "
          f"never seen in training):")
    print(f"  XGBoost alone            R² = {r2_alone:.3f}   ({t_alone:.1f} s)")
    print(f"  GraMixC + XGBoost        R² = {r2_gmx:.3f}   ({t_gmx:.1f} s)")
    rep = gmx.gate_report_
    if rep is not None:
        print(f"  GraMixC's gate on the training rows ({rep.metric}; X alone, the reference "
              f"model's out-of-fold score: {rep.reference_score:.3f}) chose {rep.chosen!r}")
    for line in _gate_lines(gmx, "XGBoost"):
        print(f"  {line}")
    return {"r2_alone": r2_alone, "r2_gramixc": r2_gmx, "paths": {}, "model": gmx}


# --------------------------------------------------------------- help and examples

def bundled_16s_table() -> str:
    """Path of the 16S table shipped with gramixc, as a user would type it here.

    Relative to the working folder when it lies below it (the repository root:
    ``gramixc/data/16s_gold.tsv.gz``), else absolute.

    Returns
    -------
    str
    """
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "16s_gold.tsv.gz")
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def examples() -> dict:
    """The worked example of every command, on the bundled 16S table (they run as shown).

    Returns
    -------
    dict of str → str
        ``"configurations"``, ``"fit"``, ``"predict"``: the text shown after the options
        in ``gramixc COMMAND --help``.
    """
    t = bundled_16s_table()
    head = "example (the 16S table bundled with gramixc; columns id, species, topt, sequence):"
    return {
        "configurations": f"""{head}
  gramixc configurations {t} --sequences sequence --id-column id \\
      --out 16s_configs.csv --plots 16s_plots
      4+5-mer spectra of the sequence column, compared by cosine; writes one column of
      cluster ids per configuration (cfg3_k12: configuration 3, 12 clusters),
      16s_configs_summary.csv (K, γ-interval, plateau width of each configuration) and
      the envelope and lineage plots in 16s_plots/.""",
        "fit": f"""{head}
  gramixc fit {t} --sequences sequence --target topt --groups species \\
      --id-column id --out topt_model.pkl
      GraMixC + XGBoost on the sequences' 4+5-mer spectra, predicting the optimal growth
      temperature; the cross-fitting keeps each species whole. Prints the task it chose
      and why, then what GraMixC's gate added and why.""",
        "predict": f"""example (after the example of 'gramixc fit --help'):
  gramixc predict topt_model.pkl {t} --out topt_predictions.csv
      one row per input row: its id (the model's --id-column, here 'id') and the
      prediction (and class probabilities, proba_<class>, for a classifier).""",
    }


OWN_FILES = {
    "configurations": """your own files:
  gramixc configurations cells.parquet --drop batch --id-column cell --out cells_configs.parquet
  gramixc configurations reads.fasta --out reads_configs.csv --plots reads_plots""",
    "fit": """your own files:
  gramixc fit train.csv --target ph --out ph_model.pkl
  gramixc fit 16s.fasta --labels media.csv --target temperature --groups species --out t.pkl
      FASTA records are joined to the label table on their id (its first column, or
      --id-column).""",
    "predict": """your own files:
  gramixc predict ph_model.pkl new.csv --id-column sample --out new_predictions.csv""",
}


def _description() -> str:
    t = bundled_16s_table()
    return f"""gramixc: the configurations of a dataset (a kNN graph, Leiden community
detection across resolutions, the partitions optimal on a whole interval of
resolution, their cluster ids aligned across scales) and GraMixC's features for a
predictor, from the shell.

commands:
  demo            configurations of scikit-learn's digits (a table with the ARI of
                  each against the digit labels; envelope, lineage and RMS-mosaic
                  plots), then 16S rRNA -> growth temperature: XGBoost alone against
                  XGBoost with GraMixC's features on held-out species, and what
                  GraMixC's gate chose and why
  configurations  the configurations of your table or FASTA file: cluster ids per
                  row, the γ-interval table, envelope and lineage plots
  fit             GraMixC + a predictor fitted on your table (or FASTA file and label
                  table), saved to a .pkl file
  predict         the predictions of a model saved by 'gramixc fit' for new rows

examples (the 16S table bundled with gramixc; columns id, species, topt, sequence):
  gramixc demo
  gramixc configurations {t} --sequences sequence --id-column id --out 16s_configs.csv
  gramixc fit {t} --sequences sequence --target topt --groups species \\
      --id-column id --out topt_model.pkl
  gramixc predict topt_model.pkl {t} --out topt_predictions.csv

Tables: .csv, .tsv, .txt (plain, .gz, .bz2 or .zst; separator sniffed, or --sep),
.parquet; NA, NaN and empty cells are missing values. FASTA: .fasta, .fa, .fna
(gzipped too). No command overwrites an input or, without --force, an existing
file. 'gramixc COMMAND --help' describes every option, with a worked example."""


# ---------------------------------------------------------------- shared plumbing

def _fail(err) -> int:
    print(f"error: {err}", file=sys.stderr)
    return 2


def _say(msg: str, quiet: bool = False) -> None:
    if not quiet:
        print(msg, flush=True)


def _warn(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr, flush=True)


def _suffix_list(suffixes) -> str:
    return suffixes[0] if len(suffixes) == 1 else (", ".join(suffixes[:-1]) + " or "
                                                    + suffixes[-1])


def _check_output(path: str, suffixes, inputs, force: bool, option: str = "--out"):
    """Why ``path`` cannot be written (None if it can): checked before any work.

    Never an input (not even with ``--force``); an existing file only with ``--force``;
    its folder must exist and be writable; its suffix one of ``suffixes``.
    """
    real = os.path.realpath(path)
    for src in inputs:
        if src and os.path.exists(src) and os.path.realpath(src) == real:
            return (f"{option} {path} is the input {src}: refusing to overwrite an input; "
                    "choose another name")
    if suffixes and os.path.splitext(path)[1].lower() not in suffixes:
        return f"{option} {path}: use a {_suffix_list(suffixes)} name"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return (f"{option} {path}: the folder {folder} does not exist; create it first "
                f"(mkdir -p {folder})")
    if not os.access(folder, os.W_OK):
        return f"{option} {path}: the folder {folder} is not writable"
    if os.path.isdir(path):
        return f"{option} {path} is a folder; give a file name"
    if os.path.exists(path) and not force:
        return f"{option} {path} already exists; pass --force to replace it"
    return None


def _check_plots_folder(folder: str, names, inputs, force: bool):
    """Why the plots cannot be written to ``folder`` (None if they can)."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        return f"--plots {folder} is a file; give a folder"
    parent = os.path.dirname(os.path.abspath(folder))
    if not os.path.isdir(parent):
        return f"--plots {folder}: the folder {parent} does not exist; create it first"
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isdir(folder):
            err = _check_output(path, (".png",), inputs, force, "--plots")
            if err:
                return err
    return None


def _write_atomic(path: str, write) -> None:
    """``write(tmp)`` to a temporary file beside ``path``, then rename it into place, so
    an interrupted write never leaves a half-written ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".gramixc-", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _write_table(df, path: str) -> None:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".parquet", ".pq"):
        _write_atomic(path, df.write_parquet)
    else:
        sep = "\t" if suffix == ".tsv" else ","
        _write_atomic(path, lambda p: df.write_csv(p, separator=sep))


def _separator(value: str) -> str:
    """``--sep``: one character; ``tab`` or ``\\t`` for a tab."""
    if value in ("tab", "\\t", "\t"):
        return "\t"
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"{value!r}: give one character (or 'tab')")
    return value


def _features_of(data):
    """The numeric features of a user's data (k-mer spectra for sequences)."""
    if data.is_sequences:
        from .bio import KmerSpectrum
        from .tables import KMER_K

        return KmerSpectrum(k=KMER_K).fit_transform(data.X)
    return data.X


def _describe(data) -> str:
    n = len(data.ids)
    if data.kind == "fasta":
        return f"{n} sequences"
    if data.kind == "sequences":
        return f"{n} rows of sequences"
    return f"{n} rows, {len(data.feature_names)} features"


def _default_metric(data, metric):
    return metric or ("cosine" if data.is_sequences else "euclidean")


# ------------------------------------------------------------------ configurations

def cmd_configurations(args) -> int:
    """``gramixc configurations``: ids, γ table and plots of a user's file."""
    import polars as pl

    from .extractor import ConfigurationExtractor
    from .tables import DataFileError, read_user_data

    stem = os.path.splitext(args.out)[0]
    summary_path = f"{stem}_summary.csv"
    plot_names = ("envelope.png", "lineage.png")
    for err in (_check_output(args.out, (".parquet", ".csv", ".tsv"), [args.data],
                              args.force),
                _check_output(summary_path, (".csv",), [args.data], args.force,
                              "--out (its summary)"),
                args.plots and _check_plots_folder(args.plots, plot_names, [args.data],
                                                   args.force)):
        if err:
            return _fail(err)
    try:
        data = read_user_data(args.data, drop=args.drop, id_column=args.id_column,
                              sequences=args.sequences, sep=args.sep)
    except DataFileError as err:
        return _fail(err)
    X = _features_of(data)
    metric = _default_metric(data, args.metric)
    spectra = f"{X.shape[1]} k-mer features, " if data.is_sequences else ""
    _say(f"{args.data}: {_describe(data)}; {spectra}metric {metric}", args.quiet)
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
    _write_table(pl.DataFrame(cols), args.out)
    _say(f"wrote cluster ids: {args.out}", args.quiet)
    summary = cfg.table()
    if summary is not None:
        _write_atomic(summary_path, summary.write_csv)
        _say(f"wrote configuration table: {summary_path}", args.quiet)
        if not args.quiet:
            _print_table(_configuration_rows(cfg, {"entropy": cfg.entropy}),
                         ["cfg", "K", "gamma_lo", "gamma_hi", "log_width", "open", "entropy"],
                         _CFG_FORMAT)
    if args.plots:
        from .plotting import plot_envelope, plot_lineage

        os.makedirs(args.plots, exist_ok=True)
        for name, fn in (("envelope", plot_envelope), ("lineage", plot_lineage)):
            path = os.path.join(args.plots, f"{name}.png")
            fn(cfg, path)
            _say(f"wrote {name} plot: {path}", args.quiet)
    return 0


# ------------------------------------------------------------------------------ fit

def _make_predictor(kind: str, task: str, seed: int):
    if kind == "linear":
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        est = Ridge() if task == "regression" else LogisticRegression(max_iter=2000)
        return make_pipeline(StandardScaler(), est)
    from ._optional import import_optional

    xgb = import_optional("xgboost", "--predictor xgboost (or use --predictor linear)")
    if task == "regression":
        return xgb.XGBRegressor(n_estimators=400, random_state=seed, n_jobs=2)
    return xgb.XGBClassifier(n_estimators=400, random_state=seed, n_jobs=2)


def _cli_words(reason: str) -> str:
    """A task reason in the command line's words (``task='x'`` → ``--task x``)."""
    return re.sub(r"task=['\"](\w+)['\"]", r"--task \1", reason)


def _target_for(data, args):
    """The checked target, the task chosen for it and the line that says why."""
    from .targets import check_target, infer_task, is_number

    y = check_target(data.y)
    try:
        choice = infer_task(y, args.task)
    except ValueError as err:  # in the command line's words: its option, 1-based data rows
        text = re.sub(r"at row (\d+)", lambda m: f"at data row {int(m.group(1)) + 1}",
                      _cli_words(str(err)))
        text = text[2:] if text.startswith("y ") else f": {text}"
        raise ValueError(f"target {args.target!r} {text}") from None
    if choice.task == "regression":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            bad = next(v for v in y if not is_number(v))
            raise ValueError(f"target {args.target!r} is not numeric ({bad!r}): it cannot be "
                             "a regression; use --task classification (or --task auto)") from None
    return y, choice


def _single_row_classes(y) -> list:
    labels, counts = np.unique(np.asarray(y).astype(str) if np.asarray(y).dtype.kind == "O"
                               else y, return_counts=True)
    return [v for v, c in zip(labels.tolist(), counts) if c < 2]


def _fit_quietly(pipe, X, y, fit_kw, known: bool) -> list[str]:
    """Fit, collecting warnings: each distinct one once (scikit-learn repeats some per
    split), without those about single-row classes when they were already said."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        pipe.fit(X, y, **fit_kw)
    seen = []
    for w in caught:
        msg = str(w.message)
        if known and ("have a single row" in msg or "least populated class" in msg):
            continue
        if issubclass(w.category, UserWarning) and msg not in seen:
            seen.append(msg)
    return seen


def cmd_fit(args) -> int:
    """``gramixc fit``: GraMixC + a predictor on a user's file, pickled."""
    import pickle

    from sklearn.pipeline import Pipeline

    from . import __version__
    from .tables import DataFileError, read_user_data

    err = _check_output(args.out, (".pkl",), [args.data, args.labels], args.force)
    if err:
        return _fail(err)
    try:
        data = read_user_data(args.data, target=args.target, groups=args.groups,
                              drop=args.drop, id_column=args.id_column, labels=args.labels,
                              sequences=args.sequences, sep=args.sep)
        y, choice = _target_for(data, args)
    except (DataFileError, ValueError) as err:
        return _fail(err)
    task = choice.task
    _say(f"{args.data}: {_describe(data)}; target {args.target!r}: {_cli_words(choice.reason)}",
         args.quiet)
    lonely = []
    if task == "classification":
        lonely = _single_row_classes(y)
        if len(np.unique(y)) < 2:
            return _fail(f"target {args.target!r} has a single class ({y[0]!r}): nothing to "
                         "classify")
        if lonely:
            shown = ", ".join(repr(c) for c in lonely[:10])
            more = f" and {len(lonely) - 10} more" if len(lonely) > 10 else ""
            _warn(f"{len(lonely)} class(es) have a single row: {shown}{more}. The "
                  "cross-fitted statistics of such a row never see its class and the folds "
                  "cannot be stratified for it: merge rare classes or drop them.")
    metric = _default_metric(data, args.metric)
    steps = []
    if data.is_sequences:
        from .bio import KmerSpectrum
        from .tables import KMER_K

        steps.append(("kmers", KmerSpectrum(k=KMER_K)))
    gmx = _make_gramixc(task, metric, None, args.seed, not args.quiet)
    predictor = _make_predictor(args.predictor, task, args.seed)
    if args.predictor == "linear":
        # a linear model is judged by itself: the default gradient-boosting judge refuses
        # the neighbour means a linear model gains from (docs/benchmarks.md, H6)
        from sklearn.base import clone

        gmx.set_params(reference_estimator=clone(predictor))
    if task == "classification":
        predictor = LabelEncodedClassifier(predictor)
    steps += [("gramixc", gmx), ("predictor", predictor)]
    pipe = Pipeline(steps)
    _say(f"fitting GraMixC + {args.predictor} ({metric} kNN graph)", args.quiet)
    t0 = time.perf_counter()
    fit_kw = {} if data.groups is None else {"gramixc__groups": data.groups}
    try:
        caught = _fit_quietly(pipe, data.X, y, fit_kw, known=bool(lonely))
    except ValueError as err:
        return _fail(err)
    for msg in caught:
        _warn(msg)
    _say(f"fitted in {time.perf_counter() - t0:.1f} s", args.quiet)
    for line in _gate_lines(gmx, args.predictor):
        _say(line, args.quiet)
    bundle = {"gramixc_model": __version__, "pipeline": pipe, "kind": data.kind,
              "features": data.feature_names, "target": args.target, "task": task,
              "classes": None if task == "regression" else pipe[-1].classes_.tolist(),
              "id_column": None if data.kind == "fasta" else args.id_column,
              "sequences": args.sequences}
    def dump(path):
        with open(path, "wb") as fh:
            pickle.dump(bundle, fh)

    _write_atomic(args.out, dump)
    _say(f"wrote model: {args.out}", args.quiet)
    return 0


# -------------------------------------------------------------------------- predict

def _default_predictions_path(data: str) -> str:
    from .tables import FASTA_SUFFIXES, table_suffix

    name = os.path.basename(data)
    low = name.lower()
    for suffix in FASTA_SUFFIXES:
        if low.endswith(suffix):
            return f"{name[: -len(suffix)]}_predictions.csv"
    suffix, comp = table_suffix(name)
    return f"{name[: len(name) - len(suffix) - len(comp)]}_predictions.csv"


def _load_model(path: str):
    import pickle

    try:
        with open(path, "rb") as fh:
            bundle = pickle.load(fh)
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except Exception as err:
        raise ValueError(f"{path}: not a model written by 'gramixc fit' ({err})") from None
    if not isinstance(bundle, dict) or "gramixc_model" not in bundle:
        raise ValueError(f"{path}: not a model written by 'gramixc fit'")
    return bundle


def _read_for_model(args, bundle):
    from .tables import DataFileError, is_fasta, read_user_data, table_columns

    sequences = bundle["kind"] in ("fasta", "sequences")
    id_column = args.id_column
    if not is_fasta(args.data) and id_column is None and bundle.get("id_column"):
        if bundle["id_column"] in table_columns(args.data, sep=args.sep):
            id_column = bundle["id_column"]
    if sequences:
        if is_fasta(args.data):
            return read_user_data(args.data)
        column = args.sequences or bundle.get("sequences")
        if column is None:
            raise DataFileError(f"{args.data}: the model was fitted on FASTA sequences: give "
                                "a FASTA file, or a table with --sequences COLUMN")
        return read_user_data(args.data, id_column=id_column, sequences=column, sep=args.sep)
    if is_fasta(args.data):
        raise DataFileError(f"{args.data}: the model was fitted on a table's columns, not on "
                            "sequences")
    return read_user_data(args.data, id_column=id_column, features=bundle["features"],
                          sep=args.sep)


def cmd_predict(args) -> int:
    """``gramixc predict``: a saved model's predictions for a new file."""
    import polars as pl

    from .tables import DataFileError

    out = args.out or _default_predictions_path(args.data)
    err = _check_output(out, (".csv", ".tsv"), [args.data, args.model], args.force)
    if err:
        return _fail(err)
    try:
        bundle = _load_model(args.model)
        data = _read_for_model(args, bundle)
    except (DataFileError, ValueError) as err:
        return _fail(err)
    pipe = bundle["pipeline"]
    pred = pipe.predict(data.X)
    target = bundle["target"] or "prediction"
    proba_names = ([f"proba_{c}" for c in pipe[-1].classes_]
                   if bundle["task"] == "classification" else [])
    # the prediction column is named after the target, unless that name is taken
    name = f"{target}_predicted" if target == "id" or target in proba_names else target
    cols = {"id": data.ids}
    if proba_names:
        cols[name] = np.asarray(pred).tolist()
        proba = pipe.predict_proba(data.X)
        for j, col in enumerate(proba_names):
            cols[col] = proba[:, j]
    else:
        cols[name] = np.asarray(pred, dtype=np.float64)
    _write_table(pl.DataFrame(cols), out)
    _say(f"wrote {len(data.ids)} predictions: {out}", args.quiet)
    return 0


# --------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    """The ``gramixc`` argument parser (every option with its help).

    Returns
    -------
    argparse.ArgumentParser
    """
    from . import __version__

    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="gramixc", description=_description(),
                                     formatter_class=raw)
    parser.add_argument("--version", action="version", version=f"gramixc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_demo = sub.add_parser("demo", help="configurations of digits, then the 16S predictor "
                                         "story", formatter_class=raw,
                            description="Configurations of scikit-learn's digits (table, "
                                        "envelope, lineage and RMS-mosaic plots), then 16S "
                                        "rRNA -> growth temperature: XGBoost alone against "
                                        "XGBoost with GraMixC's features on held-out species.")
    p_demo.add_argument("--out", default="gramixc_demo_output",
                        help="folder for the plots (created; default: %(default)s)")
    p_demo.add_argument("--seed", type=int, default=0,
                        help="random seed of every step (default: %(default)s)")
    p_demo.add_argument("--verbose", action="store_true",
                        help="print the progress of every step")
    p_demo.add_argument("--skip-predict", action="store_true",
                        help="only the (unsupervised) configurations part")
    ex = examples()
    p_cfg = sub.add_parser("configurations", help="configurations of your table or FASTA file",
                           description="The configurations of your data: cluster ids per "
                                       "row, the γ-interval table, envelope and lineage plots.",
                           epilog=ex["configurations"] + "\n\n" + OWN_FILES["configurations"],
                           formatter_class=raw)
    p_cfg.add_argument("data", help="a table (.csv, .tsv, .txt, plain or .gz/.bz2/.zst; "
                                    ".parquet) or FASTA (.fasta/.fa/.fna, gzipped too)")
    p_cfg.add_argument("--out", required=True,
                       help="cluster ids to write: .parquet, .csv or .tsv (the configuration "
                            "table goes beside it as <name>_summary.csv)")
    p_cfg.add_argument("--plots", help="folder for the envelope and lineage plots (created)")
    p_cfg.add_argument("--k", type=int, default=15,
                       help="neighbours of each row in the kNN graph (default: %(default)s)")
    p_cfg.add_argument("--metric", choices=("euclidean", "cosine"),
                       help="distance of the kNN graph (default: euclidean; cosine for "
                            "sequences)")
    p_cfg.add_argument("--max-clusters", type=int, default=None,
                       help="finest configuration kept, in clusters (default: the "
                            "extractor's automatic cap)")
    p_fit = sub.add_parser("fit", help="fit GraMixC + a predictor on your file",
                           description="GraMixC + a predictor fitted on your data and saved.",
                           epilog=ex["fit"] + "\n\n" + OWN_FILES["fit"], formatter_class=raw)
    p_fit.add_argument("data", help="a table (as for 'configurations'), or FASTA with --labels")
    p_fit.add_argument("--target", required=True, help="the column to predict")
    p_fit.add_argument("--out", required=True, help="model file to write (.pkl)")
    p_fit.add_argument("--task", choices=("auto", "regression", "classification"),
                       default="auto",
                       help="auto (default): text or boolean labels are classes, decimal "
                            "numbers a regression, whole numbers classes up to 20 distinct "
                            "values and a regression above; the chosen task and why are "
                            "printed first")
    p_fit.add_argument("--predictor", choices=("xgboost", "linear"), default="xgboost",
                       help="the model on [features | GraMixC's columns]: XGBoost (default) "
                            "or Ridge / logistic regression on standardised inputs (which "
                            "then also judges which GraMixC columns to add)")
    p_fit.add_argument("--groups", help="column of related rows (e.g. species): the "
                                        "cross-fitting keeps each group whole")
    p_fit.add_argument("--labels", help="FASTA input: the label table, one row per record id")
    p_fit.add_argument("--metric", choices=("euclidean", "cosine"),
                       help="distance of the kNN graph (default: euclidean; cosine for "
                            "sequences)")
    p_pred = sub.add_parser("predict", help="predictions of a model saved by 'gramixc fit'",
                            description="The predictions of a model saved by 'gramixc fit'.",
                            epilog=ex["predict"] + "\n\n" + OWN_FILES["predict"],
                            formatter_class=raw)
    p_pred.add_argument("model", help="a .pkl written by 'gramixc fit'")
    p_pred.add_argument("data", help="new rows: a table with the model's columns, or FASTA")
    p_pred.add_argument("--out", help="predictions to write, .csv or .tsv (default: "
                                      "<data name>_predictions.csv in this folder)")
    p_pred.add_argument("--id-column", help="column of row ids for the output (default: the "
                                            "model's id column when the table has it, else "
                                            "row numbers)")
    for p in (p_cfg, p_fit):
        p.add_argument("--drop", nargs="+", default=[], metavar="COLUMN",
                       help="table columns that are not features")
        p.add_argument("--id-column", help="column of row ids, read as text (not a feature); "
                                            "with --labels, the label table's record-id "
                                            "column (default: its first)")
        p.add_argument("--seed", type=int, default=0,
                       help="random seed of every step (default: %(default)s)")
    for p in (p_cfg, p_fit, p_pred):
        p.add_argument("--sequences", metavar="COLUMN",
                       help="a table column of DNA/RNA sequences: their 4+5-mer spectra are "
                            "the features (the other columns are not)")
        p.add_argument("--sep", type=_separator,
                       help="separator of text tables: one character, or 'tab' (default: "
                            "sniffed from the first lines)")
        p.add_argument("--force", action="store_true",
                       help="replace output files that exist (never an input)")
        p.add_argument("--quiet", action="store_true", help="no progress messages")
    return parser


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
    args = build_parser().parse_args(argv)
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
