"""The package's import graph: no cycle, and no module imports from a layer above its own.

The graph is read statically from the sources (every ``import`` and ``from … import``
of a gramixc module, at module level or inside a function — a lazy import is still a
dependency). Layers, bottom to top; a module may import from its own layer or below:
"""

import ast
import graphlib
import pathlib

import gramixc

PACKAGE = pathlib.Path(gramixc.__file__).parent

#: module → layer (0 = the foundations; the estimators and applications on top)
LAYERS = {
    # 0: checks, rules and helpers that know nothing of the method
    "_optional": 0, "_parallel": 0, "_validation": 0, "_docstrings": 0, "targets": 0,
    "synthetic": 0, "embedders": 0, "_torch": 0,
    # 1: the unsupervised method: graph, Leiden, envelope, configurations, alignment
    "_dask": 1, "graph": 1, "leiden": 1, "envelope": 1, "sweep": 2, "configurations": 2,
    "rms": 2, "assign": 2, "extractor": 3,
    # 4: encodings, tokens, the supervised steps (torch-free)
    "target_stats": 4, "target_metric": 4, "tokens": 4, "blocks": 4, "mixing": 4,
    "crossfit": 5, "gate": 4, "fusion_settings": 5,
    # 6: the torch model and its steps
    "fusion": 6, "fusion_steps": 7,
    # 8: the estimators
    "_estimator_base": 8, "estimators": 9, "pipeline": 10,
    # 10: applications of the estimators: data, sequences, images, figures, command line
    "datasets": 10, "bio": 10, "tables": 10, "vision": 10, "plotting": 10, "cli": 11,
    "__init__": 12,
}


def _imports() -> dict[str, set[str]]:
    """``module → {gramixc modules it imports}`` (names relative to the package)."""
    mods = {p.stem for p in PACKAGE.glob("*.py")}
    graph = {m: set() for m in mods}
    for m in mods:
        tree = ast.parse((PACKAGE / f"{m}.py").read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gramixc."):
                names = [node.module.split(".")[1]]
            elif isinstance(node, ast.Import):
                names = [a.name.split(".")[1] for a in node.names
                         if a.name.startswith("gramixc.")]
            graph[m].update(n for n in names if n in mods and n != m)
    return graph


def test_every_module_has_a_layer():
    assert set(_imports()) == set(LAYERS), set(_imports()) ^ set(LAYERS)


def test_no_import_cycle():
    graphlib.TopologicalSorter(_imports()).prepare()  # raises CycleError on a cycle


def test_no_upward_import():
    upward = [f"{m} (layer {LAYERS[m]}) imports {t} (layer {LAYERS[t]})"
              for m, targets in _imports().items() for t in targets if LAYERS[t] > LAYERS[m]]
    assert not upward, upward


def test_only_fusion_steps_imports_the_torch_model():
    users = {m for m, targets in _imports().items() if "fusion" in targets}
    assert users == {"fusion_steps"}, users
    assert _imports()["embedders"] == _imports()["_torch"] == set()  # torch only
