"""Symbolic layer: symbols, fixed-point systems, LaTeX export.

SymPy is imported on first use of :class:`FixedPointSystem` or :func:`to_latex` (attribute
access on this package), not by ``import asymptotics``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["FixedPointSystem", "to_latex"]

_LAZY = {"FixedPointSystem": ".system", "to_latex": ".latex"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
