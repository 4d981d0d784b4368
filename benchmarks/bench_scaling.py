"""Scaling curve: time and peak memory per stage from 10³ to 10⁶ rows.

Two measurements per n, each in a fresh subprocess (so its memory is its own):

* ``extractor`` — ``ConfigurationExtractor(n_jobs=2).fit`` on n × 50 structured rows
  (100 fine clusters in 10 super-clusters, the data of ``bench_cost.py``), with the
  extractor's own ``timings_`` per stage (prepare, kNN index, kNN query,
  λ-weights, sweep, envelope, alignment), then ``transform`` of n / 10 new rows
  (``assign``);
* ``pipeline`` — ``make_pipeline(GraMixC(n_jobs=2), XGBRegressor(n_estimators=400))``
  fitted on the same rows (GraMixC's ``timings_`` per stage; ``xgboost`` is the rest
  of the pipeline's fit), up to ``--pipeline-max-n``.

Memory: a thread samples the proportional set size (PSS: resident memory, pages
shared between processes split among them) of the process *and its children* (the
sweep's forked worker processes) every 20 ms, so the sum is the memory the run
really holds; the peak inside each stage's time window is reported beside its time,
and the peak of the whole run.

``--real`` adds one extractor run on Fashion-MNIST's 70,000 images (50 principal
components), the real set at the top of the size range.

The fitted exponent per stage is the least-squares slope of log time on log n over
the sizes ≥ ``--fit-from`` (10⁵ by default: below it fixed costs dominate, and at
50,000 vertices the sweep switches regime — no envelope refinement and one Leiden
iteration per run above).

Usage::

    python benchmarks/bench_scaling.py                       # 10³ … 10⁶, ~30 min idle
    python benchmarks/bench_scaling.py --n 1000 3000 10000 --pipeline-max-n 3000
    python benchmarks/bench_scaling.py --report-only     # tables + figure from the last run

Writes ``benchmarks/results/bench_scaling.json`` and ``bench_scaling.txt`` (the
markdown tables) and ``docs/img/scaling.png`` (log-log time and memory per stage).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import _results
from _results import write_results
from bench_cost import make_data

ROOT = Path(__file__).resolve().parents[1]
SIZES = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]


class MemorySampler:
    """Proportional set size of this process plus its children, sampled on a thread.

    Reading a process's PSS walks its page tables (``/proc/<pid>/smaps``): tens of
    milliseconds for a process of gigabytes. Sampled every 20 ms regardless, the
    sampler alone kept most of a core busy and slowed the measured run (10⁵ rows:
    16.7 s measured, 12.0 s unobserved). So it waits ``interval`` or ``duty`` times as
    long as its last sample took, whichever is longer: at most 1/(duty + 1) of one
    core, and 20 ms between samples while the processes are small.
    """

    def __init__(self, interval: float = 0.02, duty: float = 20.0) -> None:
        import psutil

        self._proc = psutil.Process()
        self.interval = interval
        self.duty = duty
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _mb(self) -> float:
        import psutil

        total = self._proc.memory_full_info().pss
        for child in self._proc.children(recursive=True):
            try:
                total += child.memory_full_info().pss
            except psutil.Error:  # a worker that just exited
                pass
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            self.samples.append((start, self._mb()))
            self._stop.wait(max(self.interval, self.duty * (time.perf_counter() - start)))

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter(), self._mb()))

    def peak(self, start: float = float("-inf"), end: float = float("inf")) -> float:
        """Peak (MB) of the samples in ``[start, end]`` (the nearest one if none fall in)."""
        inside = [m for t, m in self.samples if start <= t <= end]
        if inside:
            return max(inside)
        nearest = min(self.samples, key=lambda s: min(abs(s[0] - start), abs(s[0] - end)))
        return nearest[1]


def stage_windows(start: float, timings: dict) -> dict:
    """``{stage: (t0, t1)}`` for consecutive stages that began at ``start``."""
    out, t = {}, start
    for name, seconds in timings.items():
        out[name] = (t, t + seconds)
        t += seconds
    return out


def _child(kind: str, n: int) -> dict:
    import numpy as np

    from gramixc import ConfigurationExtractor

    if kind == "fashion":
        from gramixc.datasets import load_dataset

        X = load_dataset("fashion_mnist").X
        y = None
    else:
        X, y = make_data(n)
    n = len(X)
    rng = np.random.default_rng(1)
    new = X[rng.choice(n, size=max(n // 10, 1), replace=False)]
    new = new + 0.05 * rng.normal(size=new.shape) * X.std(axis=0)
    with MemorySampler() as mem:
        t0 = time.perf_counter()
        if kind in ("extractor", "fashion"):
            ext = ConfigurationExtractor(n_jobs=2, random_state=0).fit(X)
            timings = dict(ext.timings_)
            t_fit = time.perf_counter()
            ext.transform(new)
            timings["assign"] = time.perf_counter() - t_fit
            extra = {"n_configurations": len(ext.configurations_),
                     "n_gammas": len(ext.sweep_.run_gammas)}
        else:
            from sklearn.pipeline import make_pipeline
            from xgboost import XGBRegressor

            from gramixc import GraMixC

            model = make_pipeline(GraMixC(n_jobs=2, random_state=0),
                                  XGBRegressor(n_estimators=400, n_jobs=2, random_state=0))
            model.fit(X, y)
            total = time.perf_counter() - t0
            g = model[0]
            timings = {f"gramixc {k}": v for k, v in g.timings_.items()}
            timings["xgboost"] = total - sum(g.timings_.values())
            extra = {"chosen": g.feature_set_}
        wall = time.perf_counter() - t0
    if kind in ("extractor", "fashion"):
        # what two runs of one size can be compared by: the same seed must give the
        # same graph and the same sweep
        import hashlib

        extra["graph_sha1"] = hashlib.sha1(
            np.ascontiguousarray(ext.graph_.indices).tobytes()).hexdigest()
        extra["gammas"] = [float(g) for g in ext.sweep_.run_gammas]
        extra["configuration_clusters"] = [int(k) for k in ext.configurations_.n_clusters]
        extra["configurations_sha1"] = hashlib.sha1(
            np.ascontiguousarray(ext.configurations_.ids).tobytes()).hexdigest()
        extra["knn_backend"] = ext.graph_.index.backend_
    import os
    import resource

    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    extra["cpu_s"] = round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 1)
    extra["load_1min"] = round(os.getloadavg()[0], 2)  # the machine's load as it finished
    windows = stage_windows(t0, timings)
    stages = {name: {"s": round(s, 3), "peak_mb": round(mem.peak(*windows[name]), 1)}
              for name, s in timings.items()}
    return {"kind": kind, "n": n, "wall_s": round(wall, 2), "peak_mb": round(mem.peak(), 1),
            "stages": stages, **extra}


def measure(kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(n)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} n={n} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _slope(pts) -> float | None:
    """Least-squares slope of log(value) on log(n) over ``(n, value)`` points (None: < 2)."""
    import numpy as np

    pts = [(n, v) for n, v in pts if v > 0]
    if len(pts) < 2:
        return None
    return float(np.polyfit(*np.log(np.array(pts)).T, 1)[0])


def exponents(runs: list[dict], fit_from: int) -> dict:
    """Fitted b in ``seconds ∝ n^b`` per stage and in total, and in ``peak MB ∝ n^b``
    (``"peak memory"``), over the sizes ≥ ``fit_from``."""
    big = [r for r in runs if r["n"] >= fit_from]
    out = {}
    for stage in sorted({s for r in big for s in r["stages"]}):
        out[stage] = _slope([(r["n"], r["stages"][stage]["s"]) for r in big
                             if stage in r["stages"]])
    out["total"] = _slope([(r["n"], r["wall_s"]) for r in big])
    out["peak memory"] = _slope([(r["n"], r["peak_mb"]) for r in big])
    return {k: v for k, v in out.items() if v is not None}


def table(runs: list[dict], title: str) -> list[str]:
    stages = list(dict.fromkeys(s for r in runs for s in r["stages"]))
    lines = [f"**{title}** — seconds (peak MB inside the stage)", "",
             "| n | " + " | ".join(stages) + " | **total (s)** | **peak (MB)** |",
             "|---|" + "---|" * (len(stages) + 2)]
    for r in runs:
        cells = [f"{r['stages'][s]['s']:.2f} ({r['stages'][s]['peak_mb']:.0f})"
                 if s in r["stages"] else "—" for s in stages]
        lines.append(f"| {r['n']:,} | " + " | ".join(cells)
                     + f" | **{r['wall_s']:.1f}** | **{r['peak_mb']:.0f}** |")
    return lines


def plot(extractor: list[dict], pipeline: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(runs, title) for runs, title in
              [(extractor, "ConfigurationExtractor.fit + assign"),
               (pipeline, "GraMixC + XGBoost fit")] if runs]
    fig, axes = plt.subplots(len(panels), 2, figsize=(12, 4.5 * len(panels)), squeeze=False)
    for row, (runs, title) in enumerate(panels):
        stages = [s for s in dict.fromkeys(s for r in runs for s in r["stages"])
                  if any(r["stages"].get(s, {"s": 0})["s"] > 0 for r in runs)]
        n = [r["n"] for r in runs]
        for stage in stages:
            pts = [(r["n"], r["stages"][stage]) for r in runs if stage in r["stages"]]
            xs = [p[0] for p in pts]
            axes[row, 0].loglog(xs, [max(p[1]["s"], 1e-3) for p in pts], "o-", label=stage)
            axes[row, 1].loglog(xs, [p[1]["peak_mb"] for p in pts], "o-", label=stage)
        axes[row, 0].loglog(n, [r["wall_s"] for r in runs], "k--", lw=2, label="total")
        axes[row, 1].loglog(n, [r["peak_mb"] for r in runs], "k--", lw=2, label="whole run")
        lo, hi = min(n), max(n)
        ref = [r["wall_s"] for r in runs][-1]
        axes[row, 0].loglog([lo, hi], [ref * lo / hi, ref], ":", color="grey", label="∝ n")
        axes[row, 0].set(title=f"{title}: time", xlabel="rows n", ylabel="seconds")
        axes[row, 1].set(title=f"{title}: peak memory", xlabel="rows n",
                         ylabel="MB, PSS (process + workers)")
        for ax in axes[row]:
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=SIZES)
    ap.add_argument("--pipeline-max-n", type=int, default=300_000)
    ap.add_argument("--real", action="store_true", help="add Fashion-MNIST (70,000 rows)")
    ap.add_argument("--fit-from", type=int, default=100_000)
    ap.add_argument("--name", default="bench_scaling")
    ap.add_argument("--img", default=str(ROOT / "docs" / "img" / "scaling.png"))
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the tables and the figure from the last results")
    ap.add_argument("--repeat", action="store_true",
                    help="run every extractor size twice: same graph, γ and configurations?")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]))))
        return
    if args.report_only:
        last = json.loads((Path(_results.RESULTS) / f"{args.name}.json").read_text())
        report(last["extractor"], last["pipeline"], last["real"], args)
        return
    extractor, pipeline, real = [], [], []
    for n in sorted(args.n):
        extractor.append(measure("extractor", n))
        print(f"extractor n={n:,}: {extractor[-1]['wall_s']} s, "
              f"peak {extractor[-1]['peak_mb']:.0f} MB", flush=True)
        if args.repeat:
            again = measure("extractor", n)
            keys = ("graph_sha1", "gammas", "configurations_sha1")
            extractor[-1]["repeat"] = {"wall_s": again["wall_s"], "peak_mb": again["peak_mb"],
                                       "identical": all(again[k] == extractor[-1][k]
                                                        for k in keys)}
            print(f"  repeat: {again['wall_s']} s, peak {again['peak_mb']:.0f} MB, identical "
                  f"{extractor[-1]['repeat']['identical']}", flush=True)
        if n <= args.pipeline_max_n:
            pipeline.append(measure("pipeline", n))
            print(f"pipeline  n={n:,}: {pipeline[-1]['wall_s']} s, "
                  f"peak {pipeline[-1]['peak_mb']:.0f} MB", flush=True)
    if args.real:
        real.append(measure("fashion", 0))
    report(extractor, pipeline, real, args)


def report(extractor: list[dict], pipeline: list[dict], real: list[dict], args) -> None:
    """Tables, fitted exponents, results files and the figure."""
    lines = table(extractor, "ConfigurationExtractor (n × 50 synthetic)") + [""]
    reps = [r for r in extractor if "repeat" in r]
    if reps:
        lines += ["| n | kNN backend | γ solved | configurations | run 1 (s, MB) | run 2 (s, MB) "
                  "| identical (graph, γ, configurations) |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['n']:,} | {r.get('knn_backend', '?')} | {len(r['gammas'])} | "
                  f"{len(r['configuration_clusters'])} | {r['wall_s']:.1f}, {r['peak_mb']:.0f} | "
                  f"{r['repeat']['wall_s']:.1f}, {r['repeat']['peak_mb']:.0f} | "
                  f"{'yes' if r['repeat']['identical'] else 'NO'} |" for r in reps]
        lines.append("")
    if real:
        lines += table(real, "ConfigurationExtractor (Fashion-MNIST, 50 PCs)") + [""]
    if pipeline:
        lines += table(pipeline, "GraMixC + XGBoost (n × 50 synthetic)") + [""]
    fits = {"extractor": exponents(extractor, args.fit_from),
            "pipeline": exponents(pipeline, args.fit_from)}
    lines += [f"Fitted exponent b in time (memory) ∝ n^b (sizes ≥ {args.fit_from:,}):", "",
              "| stage | b |", "|---|---|"]
    for kind, ex in fits.items():
        lines += [f"| {kind}: {stage} | {b:.2f} |" for stage, b in ex.items()]
    text = "\n".join(lines)
    print(text)
    write_results(f"{args.name}.txt", text)
    (Path(_results.RESULTS) / f"{args.name}.json").write_text(json.dumps(
        {"extractor": extractor, "pipeline": pipeline, "real": real, "exponents": fits},
        indent=1))
    plot(extractor, pipeline, Path(args.img))
    print(f"figure: {args.img}")


if __name__ == "__main__":
    main()
