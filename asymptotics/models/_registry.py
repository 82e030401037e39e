"""Model registry: what the CLI, the property runs and the campaigns enumerate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    optional: tuple[str, ...] = ()
    """Parameters the quantity accepts but never requires (even without a model default)."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    doc: str
    params: dict[str, ParamSpec]
    quantities: dict[str, QuantitySpec]
    system: Callable[[], Any]
    source: Source | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def default(self, name: str) -> str | None:
        """Default (as text) of parameter ``name``; ``None`` when it is required."""
        spec = self.params.get(name)
        return None if spec is None else spec.default

    def param_usage(self, q: QuantitySpec) -> list[str]:
        """``["gamma", "lam (default 0)", ...]`` for messages and ``asymptotics list``."""
        return [
            f"{n} (default {self.default(n)})" if self.default(n) is not None else (f"{n} (optional)" if n in q.optional else n)
            for n in q.params
        ]

    def check_names(self, q: QuantitySpec, given: Sequence[str]) -> None:
        """Unknown or missing parameter names → :class:`ParameterError` listing the valid ones."""
        valid = ", ".join(self.param_usage(q))
        unknown = [n for n in given if n not in q.params]
        if unknown:
            names = ", ".join(f"`{n}`" for n in unknown)
            s = "s" if len(unknown) > 1 else ""
            raise ParameterError(f"unknown parameter{s} {names} for {self.name} {q.name}; valid: {valid}.")
        missing = [n for n in q.params if n not in given and self.default(n) is None and n not in q.optional]
        if missing:
            names = ", ".join(f"`{n}`" for n in missing)
            s = "s" if len(missing) > 1 else ""
            raise ParameterError(f"missing parameter{s} {names} for {self.name} {q.name}; valid: {valid}.")

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
