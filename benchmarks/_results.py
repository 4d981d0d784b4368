"""Where the benchmark scripts put what they measured (``benchmarks/results/``, figures).

Importing it also puts this checkout first on ``sys.path``: a benchmark measures the
``gramixc`` beside it, not an older copy installed in site-packages (``pip install .``
copies the package; a script run from ``benchmarks/`` would otherwise import that copy).
"""

from __future__ import annotations

import os
import sys

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isdir(os.path.join(_CHECKOUT, "gramixc")) and sys.path[:1] != [_CHECKOUT]:
    sys.path.insert(0, _CHECKOUT)

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
