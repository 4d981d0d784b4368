"""Sphinx configuration of gramixc's documentation site.

Build: ``pip install ".[docs]" && python -m sphinx -W -b html docs docs/_build/html``
(warnings are errors). The images are files in ``docs/img``, made by
``python scripts/make_doc_images.py``; the build runs no figure code.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from gramixc import __version__  # noqa: E402

project = "gramixc"
author = "gramixc developers"
release = version = __version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# the *_findings.md files are included by benchmarks.md / suite.md / registers.md; _build is
# the output
exclude_patterns = ["_build", "benchmarks_findings.md", "registers_findings.md",
                    "suite_findings.md"]
myst_heading_anchors = 3
# scikit-learn's generated metadata-routing setters and the BaseEstimator plumbing are
# documented by scikit-learn, not here
_SKLEARN_PLUMBING = ["set_fit_request", "set_transform_request", "set_predict_request",
                     "set_score_request", "set_predict_proba_request", "set_output",
                     "set_params", "get_params", "get_metadata_routing"]
autodoc_default_options = {"members": True, "show-inheritance": False,
                           "exclude-members": ",".join(_SKLEARN_PLUMBING)}
autodoc_member_order = "bysource"
# the [docs] extra stays free of the figure stack and of torch (about 750 MB): autodoc
# imports gramixc.plotting (matplotlib at import), gramixc.fusion and gramixc.vision (torch)
# against stand-ins; only docstrings are read, nothing is drawn or trained. Without it a
# [docs]-only install documents none of their functions, with warnings (sphinx -W fails).
autodoc_mock_imports = ["matplotlib", "networkx", "torch"]
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
html_theme = "alabaster"
# 940 px (alabaster's default) leaves ~75 characters of code a line; the examples and the
# printed reports are up to ~100
html_theme_options = {"page_width": "1180px", "sidebar_width": "230px"}
html_title = f"gramixc {version}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]  # long code lines scroll inside their block
