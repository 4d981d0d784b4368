"""16S rRNA → optimal growth temperature, with and without GraMixC.

The workflow a bioinformatician would copy:

1. read sequences and labels — from the table shipped with gramixc
   (:func:`gramixc.datasets.load_16s_gold`), or from your own FASTA file plus a
   tab-separated table of labels (shown here by writing the shipped sequences to a
   temporary FASTA + TSV and reading them back with :func:`gramixc.bio.read_fasta`);
2. k-mer spectra (``KmerSpectrum(k=(4, 5))``, 256 + 1024 frequencies) inside the
   pipeline, so nothing is computed outside cross-validation;
3. a held-out split **by species** (``GroupShuffleSplit``): all sequences of a
   species share one temperature, so a row-wise split would let a model look up the
   answer of a sibling sequence;
4. XGBoost alone against
   ``KmerSpectrum → GraMixC (cosine graph) → XGBoost``, R² on the held-out
   species (GraMixC's gate chooses, on the training species only, which of its
   feature sets to add: ``gmx.gate_report_``);
5. plots: predicted vs actual, the lineage of the configurations GraMixC found, and
   the [CLS] attention over configurations for the held-out sequences.

Run::

    python examples/16s_growth_temperature.py [output_folder]   # default: examples_output/

About 45 s on 2 CPU cores with ``OMP_NUM_THREADS=1``. Set it on a shared or small
machine: XGBoost, torch and HistGradientBoosting each start a thread pool, and on a
2-core machine with another process busy the same script took 6.4 minutes without it.
``main(out, quick=True)`` uses 4-mers only, fewer epochs and fewer trees, for the tests;
its numbers are not the ones to report.

The species go to GraMixC too (``pipe.fit(..., gramixc__groups=species)``): its
cross-fitting folds, early-stopping split and do-no-harm check then keep each species
whole, so a training sequence's out-of-fold features are never built from the targets of
sibling sequences of its own species (which share its Topt) — otherwise the training rows
would look more predictable to XGBoost than held-out species are.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import time

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import r2_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import make_pipeline
from xgboost import XGBRegressor

from gramixc import ConfigurationExtractor, Fusion, GraMixC
from gramixc.bio import KmerSpectrum, read_fasta
from gramixc.datasets import load_16s_gold
from gramixc.plotting import plot_attention, plot_lineage


def load_from_fasta(fasta_path: str, labels_path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequences from a FASTA file joined by record id to a TSV of labels.

    Parameters
    ----------
    fasta_path : str
        FASTA (plain or gzip); the record id is the first word of the header.
    labels_path : str
        Tab-separated, with a header line and the columns ``id``, ``species`` and
        ``topt`` (optimal growth temperature, °C). Sequences without a label are
        skipped.

    Returns
    -------
    sequences : ndarray of object, shape (n,)
    topt : ndarray of float64, shape (n,)
    species : ndarray of str, shape (n,)
    """
    headers, seqs = read_fasta(fasta_path)
    with open(labels_path, newline="") as fh:
        labels = {row["id"]: row for row in csv.DictReader(fh, delimiter="\t")}
    keep = [(h.split()[0], s) for h, s in zip(headers, seqs) if h.split()[0] in labels]
    sequences = np.empty(len(keep), dtype=object)
    sequences[:] = [s for _, s in keep]
    topt = np.array([float(labels[i]["topt"]) for i, _ in keep])
    species = np.array([labels[i]["species"] for i, _ in keep])
    return sequences, topt, species


def load_sequences() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shipped 16S gold set, read both ways (shipped table, and FASTA + TSV).

    Returns
    -------
    sequences, topt, species
        As returned by :func:`load_from_fasta` (both routes give the same rows).
    """
    ds = load_16s_gold(return_sequences=True)  # X: raw sequences, groups: species codes
    species = np.array(ds.group_names)[ds.groups]

    # the same data as your own files would hold it: a FASTA and a TSV of labels
    with tempfile.TemporaryDirectory() as tmp:
        fasta = os.path.join(tmp, "16s.fasta")
        tsv = os.path.join(tmp, "labels.tsv")
        with open(fasta, "w") as fh:
            for rid, sp, seq in zip(ds.ids, species, ds.X):
                fh.write(f">{rid} {sp}\n")
                fh.writelines(seq[i:i + 80] + "\n" for i in range(0, len(seq), 80))
        with open(tsv, "w", newline="") as fh:
            w = csv.writer(fh, delimiter="\t")
            w.writerow(["id", "species", "topt"])
            w.writerows(zip(ds.ids, species, ds.y))
        sequences, topt, sp = load_from_fasta(fasta, tsv)

    assert list(sequences) == list(ds.X) and np.array_equal(topt, ds.y)
    assert np.array_equal(sp, species)
    print(f"{len(sequences)} 16S sequences of {len(np.unique(sp))} species, "
          f"Topt {topt.min():.1f}–{topt.max():.1f} °C (read from FASTA + TSV)")
    return sequences, topt, sp


def plot_predicted_vs_actual(y_true, predictions: dict, path: str) -> Figure:
    """Scatter of predicted against actual Topt for each model, one panel each."""
    fig = Figure(figsize=(5 * len(predictions), 4.6))
    lo, hi = float(np.min(y_true)) - 3, float(np.max(y_true)) + 3
    for i, (name, pred) in enumerate(predictions.items()):
        ax = fig.add_subplot(1, len(predictions), i + 1)
        ax.plot([lo, hi], [lo, hi], color="0.6", lw=1, ls="--")
        ax.scatter(y_true, pred, s=14, alpha=0.7, edgecolor="k", linewidth=0.3)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal")
        ax.set_xlabel("actual Topt (°C)")
        ax.set_ylabel("predicted Topt (°C)")
        ax.set_title(f"{name}\nR² = {r2_score(y_true, pred):.3f} (held-out species)",
                     fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    return fig


def main(out: str = "examples_output", quick: bool = False, random_state: int = 0) -> dict:
    """Load, split by species, fit both pipelines, report R², save the plots.

    Parameters
    ----------
    out : str
        Folder for the PNG files (created if missing).
    quick : bool, default=False
        4-mers only, fewer training epochs and trees (for tests); the numbers are
        then not the ones to report.
    random_state : int, default=0
        Seeds the split and every model.

    Returns
    -------
    dict
        ``r2_xgboost``, ``r2_gramixc_xgboost``, ``use_configurations``,
        ``fusion_trained`` (an attention plot exists), ``paths``.
    """
    t_start = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    sequences, topt, species = load_sequences()

    split = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=random_state)
    train, test = next(split.split(sequences, topt, groups=species))
    print(f"train: {len(train)} sequences ({len(np.unique(species[train]))} species); "
          f"held out: {len(test)} sequences ({len(np.unique(species[test]))} other species)")

    ks = (4,) if quick else (4, 5)
    n_trees = 100 if quick else 300
    epochs = 15 if quick else 100

    def xgb():
        return XGBRegressor(n_estimators=n_trees, learning_rate=0.05, max_depth=4,
                            subsample=0.8, colsample_bytree=0.5, random_state=random_state)

    t0 = time.perf_counter()
    alone = make_pipeline(KmerSpectrum(k=ks), xgb()).fit(sequences[train], topt[train])
    pred_alone = alone.predict(sequences[test])
    r2_alone = r2_score(topt[test], pred_alone)
    kmers = "+".join(map(str, ks))
    print(f"{kmers}-mer spectra, {'quick mode' if quick else 'full run'}; "
          f"one split of {len(np.unique(species[test]))} held-out species")
    print(f"XGBoost alone                          R² = {r2_alone:.3f} "
          f"({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    pipe = make_pipeline(
        KmerSpectrum(k=ks),
        # features="auto" (default): the gate picks among neighbour means, cluster
        # means, the fusion output (fusion=Fusion(...)) and their unions, or nothing
        GraMixC(extractor=ConfigurationExtractor(metric="cosine", refine=False),
                fusion=Fusion(max_epochs=epochs), random_state=random_state),
        xgb(),
    )
    # GraMixC adds cross-fitted features; its folds keep every species whole
    pipe.fit(sequences[train], topt[train], gramixc__groups=species[train])
    pred_pipe = pipe.predict(sequences[test])
    r2_pipe = r2_score(topt[test], pred_pipe)
    print(f"KmerSpectrum -> GraMixC -> XGBoost     R² = {r2_pipe:.3f} "
          f"({time.perf_counter() - t0:.1f} s)")

    gmx = pipe.named_steps["gramixc"]
    cfg = gmx.extractor_.configurations_
    print(f"configurations of the training sequences: {len(cfg)} "
          f"(K = {cfg.n_clusters.min()}..{cfg.n_clusters.max()}); mixed {len(gmx.selected_)} "
          f"(K = {gmx.n_clusters_.tolist()})")
    print(gmx.gate_report_)
    paths = {
        "predicted_vs_actual": os.path.join(out, "16s_predicted_vs_actual.png"),
        "lineage": os.path.join(out, "16s_lineage.png"),
    }
    plot_predicted_vs_actual(
        topt[test],
        {f"XGBoost on {kmers}-mer spectra": pred_alone, "GraMixC → XGBoost": pred_pipe},
        paths["predicted_vs_actual"],
    )
    plot_lineage(cfg, paths["lineage"], max_clusters=40)

    if gmx.fold_models_:
        # attention_map takes what GraMixC sees: the k-mer spectra, not the sequences
        spectra_test = pipe.named_steps["kmerspectrum"].transform(sequences[test])
        attention = gmx.attention_map(spectra_test)
        ids_test = gmx.extractor_.transform(spectra_test)[:, gmx.selected_]
        names = gmx.token_names_
        paths["attention"] = os.path.join(out, "16s_attention.png")
        plot_attention(attention, ids=ids_test, feature_names=names, path=paths["attention"])
        top = np.argsort(attention.mean(axis=0))[::-1][:3]
        print("tokens with the most [CLS] attention on held-out sequences: "
              + ", ".join(f"{names[j]} ({attention[:, j].mean():.2f})" for j in top))
    if not gmx.layout_:
        print("GraMixC chose not to add features (none helped on the training rows): "
              "the second pipeline is XGBoost on the k-mer spectra alone.")
    for name, p in paths.items():
        print(f"wrote {name} plot: {p}")
    print(f"finished in {time.perf_counter() - t_start:.1f} s")
    return {"r2_xgboost": r2_alone, "r2_gramixc_xgboost": r2_pipe,
            "columns_added": bool(gmx.layout_),
            "fusion_trained": bool(gmx.fold_models_), "paths": paths}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples_output")
