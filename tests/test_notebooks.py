"""Every notebook runs top to bottom in a real Jupyter kernel (nbclient) at small sizes, and is
committed with its outputs stripped."""

import json
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, executed_notebooks):
    nb = executed_notebooks[path.stem]  # run once per session (tests/conftest.py), shared with the docs build
    if isinstance(nb, BaseException):
        raise nb  # CellExecutionError names the cell and carries its traceback
    ran = [c for c in nb.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count for c in ran)
    errors = [o for c in ran for o in c.outputs if o.output_type == "error"]
    assert not errors, errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_outputs_are_stripped(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), f"{path.name}: strip outputs"


def test_there_are_notebooks():
    expected = {"ridge", "marchenko_pastur", "random_features", "krr", "neural_tangent", "linear_networks",
                "spectra_and_tuning", "feature_maps", "beyond_linear"}
    assert {p.stem for p in NOTEBOOKS} >= expected
