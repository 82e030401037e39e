"""`asymptotics` (theory) never imports `validation` (simulation): the arrow points one way."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_asymptotics_never_imports_validation():
    offenders = [
        f"{p.relative_to(ROOT)}: {name}"
        for p in sorted((ROOT / "asymptotics").rglob("*.py"))
        for name in _imports(p)
        if name == "validation" or name.startswith("validation.")
    ]
    assert offenders == []
    for p in (ROOT / "asymptotics").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert 'import_module("validation' not in text and '__import__("validation' not in text, p


def test_models_have_matching_simulators():
    models = {p.stem for p in (ROOT / "asymptotics" / "models").glob("*.py") if not p.stem.startswith("_")}
    sims = {p.stem for p in (ROOT / "validation" / "simulators").glob("*.py") if not p.stem.startswith("_")}
    assert models <= sims, f"models without a simulator module of the same name: {models - sims}"
