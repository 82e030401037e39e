"""Model registry: what the CLI, the property runs and the campaigns enumerate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParameterError
from ..references import Source


@dataclass(frozen=True)
class ParamSpec:
    """One model parameter: ``kind`` is ``"real"``, ``"complex"`` or ``"int"``."""

    name: str
    doc: str
    default: str | None = None
    kind: str = "real"


@dataclass(frozen=True)
class QuantitySpec:
    """A quantity: ``certified(**params, dps=...) -> Result``; ``curve(**arrays) -> (values, status)``.

    ``params`` lists the parameter names the quantity takes (the model's parameters it
    uses plus quantity arguments such as ``x``, ``z``, ``k``).
    """

    name: str
    doc: str
    params: tuple[str, ...]
    certified: Callable[..., Any]
    curve: Callable[..., Any] | None = None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    doc: str
    params: dict[str, ParamSpec]
    quantities: dict[str, QuantitySpec]
    system: Callable[[], Any]
    source: Source | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def quantity(self, name: str) -> QuantitySpec:
        try:
            return self.quantities[name]
        except KeyError:
            raise ParameterError(
                f"unknown quantity {name!r} for model {self.name!r}; valid: {', '.join(self.quantities)}."
            ) from None


REGISTRY: dict[str, ModelSpec] = {}
_ALIASES: dict[str, str] = {}


def register(spec: ModelSpec) -> ModelSpec:
    REGISTRY[spec.name] = spec
    for a in spec.aliases:
        _ALIASES[a] = spec.name
    return spec


def get_model(name: str) -> ModelSpec:
    """The registered model called ``name`` (or one of its aliases)."""
    key = _ALIASES.get(name, name)
    if key not in REGISTRY:
        raise ParameterError(f"unknown model {name!r}; valid: {', '.join(sorted(REGISTRY))}.")
    return REGISTRY[key]
