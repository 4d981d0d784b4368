"""Which multi-scale method recovers the levels of a real hierarchy: gramixc and its peers.

Three datasets with known nested levels:

* ``16s`` — the 5,181 sequences of ``rRNA16S.gold.fasta`` (Debian
  ``microbiomeutil-data``), whose FASTA headers end in their lineage (domain; phylum;
  class; order; family; genus): 4- and 5-mer spectra (:func:`gramixc.bio.kmer_spectrum`),
  standardised and projected on 50 principal components
  (``ConfigurationExtractor(n_components="auto")``); levels phylum, class, order,
  family, genus;
* ``fashion`` — a seeded 5,000-image subsample of Fashion-MNIST (Debian
  ``dataset-fashion-mnist``), 50 principal components of the pixels, not whitened
  (``scale=False``); levels the 5 super-groups (:data:`FASHION_GROUPS`: tops =
  T-shirt/top, pullover, coat, shirt; footwear = sandal, sneaker, ankle boot; bags;
  trousers; dresses) and the 10 classes;
* ``blobs`` — :func:`gramixc.synthetic.make_hierarchical_blobs` (4 super-clusters of
  4 blobs, 150 rows each, 8 features); levels 4 and 16.

Methods, each returning a set of partitions; graph methods run on gramixc's own
λ-equalised kNN graph (so only the choice of scales differs), Ward and HDBSCAN on the
same feature space:

* ``gramixc`` — ``ConfigurationExtractor(random_state=0)``: its configurations
  (time: end to end, graph included); single pick: the widest closed plateau
  (``Configurations.widest()``);
* ``pygenstability`` — ``pygenstability.run`` with its defaults (linearized Markov
  stability, 20 scales, 100 Louvain runs per scale, NVI, post-processing, optimal
  scale selection; ``n_workers=2`` for this machine; it refuses a graph of several
  components, so these are joined by edges of weight 10⁻⁹ × the mean): all 20 partitions, and its
  selected robust scales (``selected_partitions``); single pick: the selected scale of
  lowest NVI;
* ``resolution_profile`` — ``leidenalg.Optimiser().resolution_profile`` (modularity,
  its defaults) over the γ range gramixc's sweep solved; single pick: the partition
  optimal over the widest interval of log γ;
* ``grid10`` — a scanpy-style loop: igraph Leiden (2 iterations, as scanpy's
  ``flavor="igraph"``) at 10 fixed resolutions 0.1 … 100 (log-spaced, 1.0 among them);
  single pick: resolution 1.0 (scanpy's default);
* ``ward`` — Ward linkage on the features, cut at gramixc's cluster counts; single pick:
  the cut below the largest jump in merge height;
* ``hdbscan`` — scikit-learn's ``HDBSCAN()`` with its defaults; one partition (noise
  points are singletons).

Two more gramixc rows hand back at most 10 of the configurations
(:func:`configuration_subsets`): the 10 widest plateaus, and the widest plateau in each
of 10 equal bands of log(number of clusters).

For every dataset, level and method: the best adjusted Rand index among the partitions
the method returns, the single pick's ARI, the number of partitions returned and the
time (wall and CPU seconds; each method runs in its own process, so CPU includes its
workers). Writes ``benchmarks/results/bench_scales.txt`` / ``.json`` and
``docs/img/scales.png``.

Usage::

    python benchmarks/bench_scales.py                       # all three, ~40 min idle
    python benchmarks/bench_scales.py --datasets blobs --methods gramixc ward
    python benchmarks/bench_scales.py --report-only
    python benchmarks/bench_scales.py --reuse     # keep what an interrupted run finished
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _results import RESULTS, write_results

ROOT = Path(__file__).resolve().parents[1]
GOLD_FASTA = "/usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta"
RANKS = ["phylum", "class", "order", "family", "genus"]
#: Fashion-MNIST class → super-group (tops, trousers, dresses, footwear, bags).
FASHION_GROUPS = {0: "tops", 1: "trousers", 2: "tops", 3: "dresses", 4: "tops",
                  5: "footwear", 6: "tops", 7: "footwear", 8: "bags", 9: "footwear"}
METHODS = ["gramixc", "pygenstability", "resolution_profile", "grid10", "ward", "hdbscan"]
DATASETS = ["16s", "fashion", "blobs"]
GRID10 = np.geomspace(0.1, 100.0, 10)
#: Seconds a peer may run before it counts as not returning (resolution_profile's
#: bisection recurses deeply on a λ-equalised graph; 43 s at 1,000 nodes).
TIMEOUT = {"pygenstability": 2400, "resolution_profile": 900}
DEFAULT_TIMEOUT = 900
CACHE = Path(os.environ.get("GRAMIXC_BENCH_CACHE", tempfile.gettempdir())) / "gramixc_scales"


# ------------------------------------------------------------------------- data
def load(name: str):
    """``(X, levels {name: labels}, extractor settings)`` of one dataset."""
    if name == "16s":
        from gramixc.bio import kmer_spectrum, read_fasta

        headers, seqs = read_fasta(GOLD_FASTA)
        lineage = [h.rsplit("\t", 1)[-1].split("; ") for h in headers]
        X = kmer_spectrum([s.upper() for s in seqs], k=(4, 5))
        levels = {rank: _codes([lin[i + 1] for lin in lineage]) for i, rank in enumerate(RANKS)}
        return X, levels, {"n_components": "auto"}
    if name == "fashion":
        from gramixc.datasets import load_fashion_mnist

        ds = load_fashion_mnist(n_samples=5_000, random_state=0)
        groups = _codes([FASHION_GROUPS[int(c)] for c in ds.y])
        return ds.X, {"5 groups": groups, "10 classes": ds.y}, {"scale": False}
    if name == "blobs":
        from gramixc.synthetic import make_hierarchical_blobs

        X, coarse, fine = make_hierarchical_blobs(n_super=4, n_sub=4, n_per_cluster=150,
                                                  random_state=0)
        return X, {"4 super": coarse, "16 blobs": fine}, {}
    raise ValueError(f"unknown dataset {name!r}")


def _codes(values) -> np.ndarray:
    return np.unique(np.asarray(values), return_inverse=True)[1].ravel()


def prepare(name: str, reuse: bool = False) -> Path:
    """Fit gramixc once; keep its features, graph, configurations and time on disk."""
    from gramixc import ConfigurationExtractor

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.npz"
    if reuse and path.exists():
        return path
    X, levels, settings = load(name)
    t, c = time.perf_counter(), time.process_time()
    ext = ConfigurationExtractor(random_state=0, **settings).fit(X)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    cfg = ext.configurations_
    dup = ext.duplicate_map_ if ext.duplicate_map_ is not None else np.arange(len(X))
    np.savez(path, Z=ext._scaled(X, new=False), dup=dup, edges=ext.graph_.edges,
             weights=ext.graph_.edge_weights, n_nodes=ext.graph_.n, ids=cfg.ids,
             widest=cfg.widest(), gamma_range=np.array(ext.sweep_.gamma_range),
             n_clusters=cfg.n_clusters, log_width=cfg.log_width, open_ended=cfg.open_ended,
             wall=wall, cpu=cpu, level_names=np.array(list(levels)),
             **{f"level_{i}": v for i, v in enumerate(levels.values())})
    return path


# ------------------------------------------------------------------------- peers
def _igraph(d):
    from gramixc.graph import igraph_from_edges

    return igraph_from_edges(d["edges"][:, 0], d["edges"][:, 1], d["weights"],
                             int(d["n_nodes"]), directed=False)


def run_pygenstability(d):
    import pygenstability as pgs
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = int(d["n_nodes"])
    e, w = d["edges"], d["weights"]
    # it refuses a graph of several components: join them by one edge of negligible
    # weight each (first node of every component to the first node of the first)
    n_comp, comp = connected_components(
        sp.coo_matrix((w, (e[:, 0], e[:, 1])), shape=(n, n)), directed=False)
    if n_comp > 1:
        heads = np.array([np.flatnonzero(comp == c)[0] for c in range(n_comp)])
        e = np.vstack([e, np.column_stack([np.full(n_comp - 1, heads[0]), heads[1:]])])
        w = np.r_[w, np.full(n_comp - 1, 1e-9 * w.mean())]
    A = sp.coo_matrix((np.r_[w, w], (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])),
                      shape=(n, n)).tocsr()
    with tempfile.TemporaryDirectory() as tmp:
        res = pgs.run(A, n_workers=2, tqdm_disable=True,
                      result_file=os.path.join(tmp, "results.pkl"))
    parts = [np.asarray(c) for c in res["community_id"]]
    selected = [int(i) for i in res.get("selected_partitions", []) or []]
    nvi = np.asarray(res["NVI"])
    pick = min(selected, key=lambda i: nvi[i]) if selected else int(np.argmin(nvi))
    return {"all": parts, "selected": selected, "pick": pick}


def run_resolution_profile(d):
    import leidenalg as la

    lo, hi = (float(g) for g in d["gamma_range"])
    prof = la.Optimiser().resolution_profile(_igraph(d), la.RBConfigurationVertexPartition,
                                             resolution_range=(lo, hi), weights="weight")
    res = np.array([p.resolution_parameter for p in prof])
    parts = [np.asarray(p.membership) for p in prof]
    # each partition holds from its resolution to the next one's (in log γ)
    edges = np.r_[res, hi]
    width = np.diff(np.log(np.maximum(edges, 1e-300)))
    return {"all": parts, "pick": int(np.argmax(width))}


def run_grid10(d):
    from gramixc.leiden import leiden

    g = _igraph(d)
    parts = [leiden(g, float(r), seed=0, n_iterations=2) for r in GRID10]
    return {"all": parts, "pick": int(np.argmin(np.abs(GRID10 - 1.0)))}


def run_ward(d):
    from scipy.cluster.hierarchy import fcluster, ward

    Z = ward(d["Z"])
    ks = sorted(set(int(k) for k in d["n_clusters"]))
    parts = [fcluster(Z, t=k, criterion="maxclust") for k in ks]
    heights = Z[:, 2]
    jump = int(np.argmax(np.diff(heights)))  # cut below the largest jump
    k_pick = len(heights) - jump
    parts.append(fcluster(Z, t=k_pick, criterion="maxclust"))
    return {"all": parts, "pick": len(parts) - 1, "on_rows": True, "extra_pick": True}


def run_hdbscan(d):
    from sklearn.cluster import HDBSCAN

    lab = HDBSCAN().fit_predict(d["Z"])
    noise = lab < 0
    lab = lab.copy()
    lab[noise] = lab.max() + 1 + np.arange(noise.sum())  # noise points: singletons
    return {"all": [lab], "pick": 0, "on_rows": True}


PEERS = {"pygenstability": run_pygenstability, "resolution_profile": run_resolution_profile,
         "grid10": run_grid10, "ward": run_ward, "hdbscan": run_hdbscan}


def _child(method: str, dataset: str, out: str) -> None:
    d = dict(np.load(CACHE / f"{dataset}.npz"))
    t = time.perf_counter()
    res = PEERS[method](d)
    wall = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime
    parts = res["all"]
    if not res.get("on_rows"):  # graph nodes → rows
        parts = [np.asarray(p)[d["dup"]] for p in parts]
    np.savez(out, parts=np.vstack(parts), pick=res["pick"],
             selected=np.array(res.get("selected", []), dtype=int), wall=wall, cpu=cpu,
             extra_pick=bool(res.get("extra_pick", False)))


def run_peer(method: str, dataset: str, reuse: bool = False, cached_only: bool = False) -> dict:
    out = CACHE / f"{dataset}_{method}.npz"
    fresh = out.exists() and out.stat().st_mtime > (CACHE / f"{dataset}.npz").stat().st_mtime
    timed_out = out.with_suffix(".timeout")
    if cached_only and not fresh:
        if timed_out.exists():
            return {"error": f"no result within {timed_out.read_text().strip()} s"}
        return {"error": "not finished (stopped: machine shared, see the text)"}
    if not (reuse and fresh):
        limit = TIMEOUT.get(method, DEFAULT_TIMEOUT)
        try:
            proc = subprocess.run([sys.executable, __file__, "--child", method, dataset,
                                   str(out)], capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out.write_text(str(limit))
            return {"error": f"no result within {limit} s"}
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1][:200]}
    r = np.load(out)
    return {"parts": r["parts"], "pick": int(r["pick"]), "selected": r["selected"].tolist(),
            "wall": float(r["wall"]), "cpu": float(r["cpu"]), "extra_pick": bool(r["extra_pick"])}


# ------------------------------------------------------------------------- scoring
def score(parts: np.ndarray, levels: list[np.ndarray]) -> np.ndarray:
    """ARI of every partition (rows) against every level (columns)."""
    from sklearn.metrics import adjusted_rand_score

    return np.array([[adjusted_rand_score(lv, p) for lv in levels] for p in parts])


def evaluate(dataset: str, methods: list[str], reuse: bool = False,
             cached_only: bool = False) -> dict:
    path = prepare(dataset, reuse)
    d = np.load(path)
    names = [str(x) for x in d["level_names"]]
    levels = [d[f"level_{i}"] for i in range(len(names))]
    out = {"dataset": dataset, "n": int(len(levels[0])),
           "levels": {nm: int(len(np.unique(lv))) for nm, lv in zip(names, levels)},
           "methods": {}}
    if "gramixc" in methods:
        ari = score(d["ids"].T, levels)
        w = int(d["widest"])
        out["methods"]["gramixc"] = {
            "n_returned": int(d["ids"].shape[1]), "wall": float(d["wall"]),
            "cpu": float(d["cpu"]), "best": ari.max(axis=0).tolist(),
            "pick": ari[w].tolist() if w >= 0 else None,
            "pick_clusters": int(d["n_clusters"][w]) if w >= 0 else None,
            "per_configuration": [
                {"clusters": int(k), "log_width": float(lw), "open_ended": bool(o),
                 "ari": a.tolist()}
                for k, lw, o, a in zip(d["n_clusters"], d["log_width"], d["open_ended"], ari)]}
    for m in methods:
        if m == "gramixc":
            continue
        r = run_peer(m, dataset, reuse or cached_only, cached_only)
        if "error" in r:
            out["methods"][m] = {"error": r["error"]}
            print(f"{dataset} {m}: {r['error']}", flush=True)
            continue
        ari = score(r["parts"], levels)
        n_ret = len(r["parts"]) - (1 if r["extra_pick"] else 0)
        res = {"n_returned": n_ret, "wall": r["wall"], "cpu": r["cpu"],
               "best": ari[:n_ret].max(axis=0).tolist(), "pick": ari[r["pick"]].tolist(),
               "pick_clusters": int(len(np.unique(r["parts"][r["pick"]])))}
        out["methods"][m] = res
        if m == "pygenstability" and r["selected"]:
            sel = ari[r["selected"]]
            out["methods"]["pygenstability selected"] = {
                "n_returned": len(r["selected"]), "wall": r["wall"], "cpu": r["cpu"],
                "best": sel.max(axis=0).tolist(), "pick": res["pick"],
                "pick_clusters": res["pick_clusters"]}
        print(f"{dataset} {m}: {n_ret} partitions, {r['wall']:.1f} s", flush=True)
    return out


# ------------------------------------------------------------------------- report
ORDER = ["gramixc", "pygenstability", "pygenstability selected", "resolution_profile",
         "grid10", "ward", "hdbscan"]


#: Partitions in each of the two subsets of gramixc's configurations the report adds.
SUBSET_SIZE = 10


def configuration_subsets(per_configuration: list[dict], size: int = SUBSET_SIZE) -> dict:
    """Two ways to hand back at most ``size`` of the configurations (indices, coarse → fine).

    ``widest``: the ``size`` widest plateaus (open-ended ones first, as infinitely wide).
    ``widest per band``: the widest plateau of each of ``size`` equal bands of
    log(number of clusters), so that fine scales keep a representative too.
    """
    width = np.array([c["log_width"] if np.isfinite(c["log_width"]) else np.inf
                      for c in per_configuration])
    width = np.where(np.array([c["open_ended"] for c in per_configuration]), np.inf, width)
    widest = sorted(np.argsort(-width, kind="stable")[:size].tolist())
    lk = np.log([max(c["clusters"], 1) for c in per_configuration])
    edges = np.linspace(lk.min(), lk.max(), size + 1)
    band = np.clip(np.searchsorted(edges, lk, side="right") - 1, 0, size - 1)
    per_band = [int(np.flatnonzero(band == b)[np.argmax(width[band == b])])
                for b in range(size) if np.any(band == b)]
    return {"widest": widest, "widest per band": sorted(per_band)}


def _subset_rows(g: dict, size: int = SUBSET_SIZE) -> list[str]:
    """Report rows: the best ARI per level within each subset of the configurations."""
    rows = []
    ari = np.array([c["ari"] for c in g["per_configuration"]])
    for name, idx in configuration_subsets(g["per_configuration"], size).items():
        best = " | ".join(f"{b:.3f}" for b in ari[idx].max(axis=0))
        pick = (" | ".join(f"{p:.3f}" for p in g["pick"]) if g["pick"] is not None
                else " | ".join("—" for _ in range(ari.shape[1])))
        rows.append(f"| gramixc, {size} {name} | {len(idx)} | {g['wall']:.1f} ({g['cpu']:.1f}) "
                    f"| {best} | {g['pick_clusters']} | {pick} |")
    return rows


def report(results: list[dict], img: Path) -> str:
    lines = []
    for res in results:
        ms = [m for m in ORDER if m in res["methods"]]
        lvl = list(res["levels"])
        lines += [f"**{res['dataset']}** ({res['n']:,} rows; levels: "
                  + ", ".join(f"{k} ({v})" for k, v in res["levels"].items()) + ")", "",
                  "| method | returned | wall s (CPU) | " + " | ".join(
                      f"best ARI {k}" for k in lvl) + " | single pick: clusters | "
                  + " | ".join(f"pick ARI {k}" for k in lvl) + " |",
                  "|---|---|---|" + "---|" * (2 * len(lvl) + 1)]
        for m in ms:
            r = res["methods"][m]
            if "error" in r:
                lines.append(f"| {m} | — | {r['error']} |" + " — |" * (2 * len(lvl) + 1))
                continue
            best = " | ".join(f"{b:.3f}" for b in r["best"])
            pick = (" | ".join(f"{p:.3f}" for p in r["pick"]) if r["pick"] is not None
                    else " | ".join("—" for _ in lvl))
            lines.append(f"| {m} | {r['n_returned']} | {r['wall']:.1f} ({r['cpu']:.1f}) | "
                         f"{best} | {r['pick_clusters']} | {pick} |")
            if m == "gramixc":
                lines += _subset_rows(r)
        g = res["methods"].get("gramixc")
        if g:
            lines += ["", f"gramixc's configurations on {res['dataset']} (coarse → fine): "
                      "clusters, plateau width ln(γ_hi/γ_lo), open-ended, and the level each "
                      "matches best (ARI)", "",
                      "| clusters | width | open-ended | best level (ARI) |", "|---|---|---|---|"]
            for c in g["per_configuration"]:
                j = int(np.argmax(c["ari"]))
                lines.append(f"| {c['clusters']} | {c['log_width']:.2f} | "
                             f"{'yes' if c['open_ended'] else 'no'} | "
                             f"{lvl[j]} ({c['ari'][j]:.3f}) |")
        lines.append("")
    _plot(results, img)
    return "\n".join(lines)


def _plot(results: list[dict], img: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.2), squeeze=False)
    for ax, res in zip(axes[0], results):
        ms = [m for m in ORDER if m in res["methods"] and "error" not in res["methods"][m]]
        lvl = list(res["levels"])
        width = 0.8 / max(len(ms), 1)
        for i, m in enumerate(ms):
            ax.bar(np.arange(len(lvl)) + i * width, res["methods"][m]["best"], width, label=m,
                   color=f"C{ORDER.index(m)}")  # one colour per method in every panel
        ax.set_xticks(np.arange(len(lvl)) + 0.4 - width / 2, lvl, fontsize=8)
        ax.set(title=f"{res['dataset']}: best ARI per level", ylim=(0, 1.05), ylabel="ARI")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    img.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(img, dpi=110)
    plt.close(fig)


#: gramixc settings tried against a dataset's levels beside the defaults (``--variants``)
VARIANT_SETTINGS = [("defaults (k = 15)", {}), ("k = 50", {"k": 50}),
                    ("k = 50, cosine", {"k": 50, "metric": "cosine"}),
                    ('objective = "CPM"', {"objective": "CPM"})]
#: how many communities the configurations merged by Ward start from (``--variants``)
WARD_MERGE_FROM = (100, 200, 500, 1000, 2000)


def variants(dataset: str) -> str:
    """Best ARI per level of gramixc settings other than the defaults, and of Ward merges of
    one configuration's communities (size-blind Ward on the communities' centroids in the
    extractor's feature space, cut at 0.5–2× each level's count): does anything on the
    graph close the gap to Ward on the rows?"""
    from scipy.cluster.hierarchy import fcluster, linkage

    from gramixc import ConfigurationExtractor

    X, levels, settings = load(dataset)
    lines = [f"**{dataset}**: best ARI per level ({', '.join(levels)})", "",
             "| variant | partitions | " + " | ".join(levels) + " | CPU s |",
             "|---|---|" + "---|" * (len(levels) + 1)]
    base = None
    for name, extra in VARIANT_SETTINGS:
        c = time.process_time()
        ext = ConfigurationExtractor(random_state=0, **{**settings, **extra}).fit(X)
        ids = ext.configurations_.ids
        best = score(ids.T, list(levels.values())).max(axis=0)
        lines.append(f"| gramixc, {name} | {ids.shape[1]} | "
                     + " | ".join(f"{b:.3f}" for b in best)
                     + f" | {time.process_time() - c:.1f} |")
        if base is None:
            base = ext
    Z = base._scaled(X, new=False)
    n_clusters = base.configurations_.n_clusters
    for target in WARD_MERGE_FROM:
        j = int(np.argmin(np.abs(np.log(n_clusters / target))))
        _, inv, size = np.unique(base.configurations_.ids[:, j], return_inverse=True,
                                 return_counts=True)
        centres = np.zeros((len(size), Z.shape[1]))
        np.add.at(centres, inv, Z)
        tree = linkage(centres / size[:, None], "ward")
        best = []
        for lv in levels.values():
            k = len(np.unique(lv))
            cuts = sorted({max(2, int(k * f)) for f in (0.5, 0.75, 1, 1.5, 2)})
            cuts = [t for t in cuts if t < len(size)]
            best.append(max((float(score([fcluster(tree, t, "maxclust")[inv]], [lv])[0, 0])
                             for t in cuts), default=float("nan")))
        lines.append(f"| Ward merges of the {len(size)}-cluster configuration | "
                     f"{len(WARD_MERGE_FROM)} cuts per level | "
                     + " | ".join("—" if np.isnan(b) else f"{b:.3f}" for b in best) + " | — |")
    return "\n".join(lines + [""])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=DATASETS)
    ap.add_argument("--methods", nargs="+", default=METHODS)
    ap.add_argument("--img", default=str(ROOT / "docs" / "img" / "scales.png"))
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse the fits and peer results cached by an earlier run")
    ap.add_argument("--cached-only", action="store_true",
                    help="report only what is cached; run no peer")
    ap.add_argument("--variants", action="store_true",
                    help="only gramixc settings other than the defaults and Ward merges of "
                         "its communities, per dataset (bench_scales_variants.txt)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    if args.variants:
        text = "\n".join(variants(ds) for ds in args.datasets)
        print(text)
        write_results("bench_scales_variants.txt", text)
        return
    path = Path(RESULTS) / "bench_scales.json"
    if args.report_only:
        results = json.loads(path.read_text())
    else:
        results = [evaluate(ds, args.methods, args.reuse or args.cached_only, args.cached_only)
                   for ds in args.datasets]
        path.write_text(json.dumps(results, indent=1))
    text = report(results, Path(args.img))
    print(text)
    write_results("bench_scales.txt", text)


if __name__ == "__main__":
    main()
