"""The CLI plug-in contract: the ``asymptotics.simulators`` entry points resolve to ``simulate_curve``.

(The import direction ``validation`` → ``asymptotics`` is checked in ``tests/test_architecture.py``.)
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python ≥ 3.11

ROOT = Path(__file__).resolve().parents[2]


def test_entry_points_resolve_to_simulate_curve():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    group = meta["project"]["entry-points"]["asymptotics.simulators"]
    # default: models that declare a simulator
    assert set(group) == {"committee", "onestep", "mp", "dmp", "ridge", "rf", "krr", "nt", "learning_curve", "gcm", "default"}
    for target in group.values():
        module, _, attr = target.partition(":")
        fn = getattr(importlib.import_module(module), attr)
        sig = inspect.signature(fn)
        assert list(sig.parameters)[:5] == ["model", "quantity", "axis", "values", "params"]
        keyword_only = {n for n, p in sig.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert keyword_only == {"reps", "seed", "n", "progress", "max_memory", "extras"}  # the CLI passes the first four
        assert sig.parameters["extras"].default is None  # filled (figure extras) only when a dict is passed
        assert sig.parameters["seed"].default == 0 and sig.parameters["n"].default is None
        assert sig.parameters["max_memory"].default is None  # the limit then comes from the environment
