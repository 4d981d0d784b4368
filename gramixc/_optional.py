"""Optional dependencies: imported where they are used, with an error naming the extra.

The core install (``pip install .`` in the repository) computes configurations and
GraMixC's default features; the attention fusion and the end-to-end estimators need
the ``[torch]`` extra, figures ``[plot]``, the command line's and the demo's XGBoost
``[xgboost]`` (``[all]`` has them all: ``pip install ".[all]"``).
"""

from __future__ import annotations

import importlib

#: extra of every optional module: what ``pip install ".[<extra>]"`` brings.
EXTRAS = {"torch": "torch", "matplotlib": "plot", "networkx": "plot", "xgboost": "xgboost"}
#: the distribution that provides a module, where the names differ (XGBoost's CPU build)
PACKAGES = {"xgboost": "xgboost-cpu (on macOS: xgboost)"}


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
        raise ImportError(f"{purpose} needs {top}, which is not installed: in the gramixc "
                          f"repository, pip install \".[{extra}]\" (or \".[all]\"); or "
                          f"pip install {PACKAGES.get(top, top)}") from err
