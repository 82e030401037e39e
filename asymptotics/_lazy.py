"""Lazy imports: SymPy (and other heavy modules) are imported on first use, not at start-up.

``from ._lazy import sympy as sp`` gives a stand-in whose first attribute access imports
SymPy; numeric work (certified values, float64 curves, the CLI's ``eval``) never touches it,
so ``asymptotics eval ridge risk gamma=2`` does not pay SymPy's ~0.2 s import.
:func:`is_sympy` tests for a SymPy object without importing SymPy (a value cannot be a SymPy
object unless SymPy is already imported).
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["LazyModule", "is_sympy", "sympy"]

_LOCK = threading.Lock()


class LazyModule:
    """A stand-in for the module ``name``, imported on first attribute access."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> ModuleType:
        module = self._module
        if module is None:
            with _LOCK:
                module = self._module
                if module is None:
                    module = importlib.import_module(self._name)
                    object.__setattr__(self, "_module", module)
        return module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded"
        return f"<lazy module {self._name!r} ({state})>"


sympy: Any = LazyModule("sympy")
"""SymPy, imported on first use."""


def is_sympy(value: Any) -> bool:
    """Whether ``value`` is a SymPy object (``sympy.Basic``), without importing SymPy."""
    module = sys.modules.get("sympy")
    return module is not None and isinstance(value, module.Basic)
