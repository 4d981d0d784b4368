"""Regenerate the documentation's images (``docs/img``) with one command.

    python scripts/make_doc_images.py            # the package's own figures (~30 s)
    python scripts/make_doc_images.py --all      # + every benchmark figure (hours)
    python scripts/make_doc_images.py --list     # which command makes which image

By default it redraws the figures the package itself draws: the gallery's digits
envelope, lineage and mosaic (``docs/img/gallery``), exactly as
``gramixc demo --skip-predict --out docs/img/gallery`` writes them. The other images
are outputs of the benchmark scripts (they also rewrite the tables beside them in
``docs/``); ``--all`` runs those scripts one after the other, with the commands the
docs name, which takes hours on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMG = os.path.join(ROOT, "docs", "img")

#: image(s) → the benchmark command that writes them (run from the repository root)
BENCHMARK_IMAGES = [
    ("bench_*.png", ["benchmarks/run.py", "--predictors", "xgboost", "linear"]),
    ("attention_scale_switch.png", ["benchmarks/bench_attention.py"]),
    ("noise_gate.png", ["benchmarks/bench_noise.py"]),
    ("registers_*.png", ["benchmarks/bench_registers.py"]),
    ("scaling.png", ["benchmarks/bench_scaling.py", "--real"]),
    ("scaling_curve.png", ["benchmarks/bench_scaling.py", "--n", "100000", "300000", "1000000",
                           "--pipeline-max-n", "0", "--name", "bench_scaling_curve",
                           "--img", "docs/img/scaling_curve.png"]),
    ("scaling_blasknn.png", ["benchmarks/bench_scaling.py", "--n", "100000", "300000",
                             "1000000", "--pipeline-max-n", "0", "--repeat", "--real",
                             "--name", "bench_scaling_blasknn",
                             "--img", "docs/img/scaling_blasknn.png"]),
]


def gallery(out: str = os.path.join(IMG, "gallery"), seed: int = 0) -> dict:
    """Draw the gallery's digits figures (what ``gramixc demo --skip-predict`` writes).

    Parameters
    ----------
    out : str
        Folder of the images.
    seed : int, default=0
        The demo's seed.

    Returns
    -------
    dict of str → str
        The paths written.
    """
    sys.path.insert(0, ROOT)
    from gramixc.cli import demo_configurations

    return demo_configurations(out, random_state=seed)["paths"]


def main(argv: list[str] | None = None) -> int:
    """Regenerate the images; ``--help`` for the options.

    Parameters
    ----------
    argv : list of str, optional

    Returns
    -------
    int
        0, or the exit status of the first benchmark script that failed.
    """
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true",
                    help="also run every benchmark script that writes an image (hours)")
    ap.add_argument("--list", action="store_true",
                    help="print which command makes which image, run nothing")
    args = ap.parse_args(argv)
    if args.list:
        print("docs/img/gallery/digits_*.png: python scripts/make_doc_images.py")
        for image, cmd in BENCHMARK_IMAGES:
            print(f"docs/img/{image}: python {' '.join(cmd)}")
        return 0
    t0 = time.perf_counter()
    for name, path in gallery().items():
        print(f"{name}: {os.path.relpath(path, ROOT)}")
    if args.all:
        for image, cmd in BENCHMARK_IMAGES:
            print(f"== docs/img/{image}: python {' '.join(cmd)}", flush=True)
            rc = subprocess.call([sys.executable, *cmd], cwd=ROOT)
            if rc:
                return rc
    print(f"done in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
