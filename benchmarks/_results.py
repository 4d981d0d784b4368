"""Where the benchmark scripts put what they measured (``benchmarks/results/``, figures)."""

from __future__ import annotations

import os

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def write_results(name: str, text: str) -> str:
    """Write ``text`` to ``benchmarks/results/<name>``; return the path."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name)
    with open(path, "w") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
    return path


def save_figure(fig, path: str) -> str:
    """Save a matplotlib figure (its folder created), print and return the path."""
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=130)
    print(f"plot: {path}")
    return path
