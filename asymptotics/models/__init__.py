"""Models: one module per model, each registered in :mod:`._registry`.

The model modules are imported on first use (``asymptotics.models.ridge``, ``get_model("ridge")``),
so that importing the package or running one CLI command does not import all six.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._registry import REGISTRY, ModelSpec, get_model, register

_SUBMODULES = ("krr", "linear_networks", "marchenko_pastur", "neural_tangent", "random_features", "ridge")

__all__ = [
    "REGISTRY",
    "ModelSpec",
    "get_model",
    "krr",
    "linear_networks",
    "marchenko_pastur",
    "neural_tangent",
    "random_features",
    "register",
    "ridge",
]


def __getattr__(name: str) -> Any:
    """``asymptotics.models.ridge`` and any other submodule, imported on first access."""
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"{__name__}.{name}")  # the import binds it as an attribute
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES})
