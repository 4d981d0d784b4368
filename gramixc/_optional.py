"""Optional dependencies: imported where they are used, with an error naming the extra.

The core install (``pip install gramixc``) computes configurations and GraMixC's
default features; the attention fusion and the end-to-end estimators need
``gramixc[torch]``, figures ``gramixc[plot]``, the command line's and the demo's
XGBoost ``gramixc[xgboost]`` (``gramixc[all]`` has them all).
"""

from __future__ import annotations

import importlib

#: extra of every optional module: what ``pip install "gramixc[<extra>]"`` brings.
EXTRAS = {"torch": "torch", "matplotlib": "plot", "networkx": "plot", "xgboost": "xgboost"}


def import_optional(name: str, purpose: str):
    """Import module ``name``, or raise an ImportError naming the extra that installs it.

    Examples
    --------
    >>> import_optional("numpy", "arrays").__name__
    'numpy'
    """
    try:
        return importlib.import_module(name)
    except ImportError as err:
        top = name.split(".")[0]
        extra = EXTRAS.get(top, "all")
        raise ImportError(f"{purpose} needs {top}, which is not installed: "
                          f"pip install \"gramixc[{extra}]\" (or gramixc[all])") from err
