"""Model registry: what the CLI, the property runs and the campaigns enumerate."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._validate import describe
from ..errors import ParameterError
from ..precision import serialized
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
class SimulatorDecl:
    """A model's finite-size simulator, declared on the theory side (``asymptotics`` never runs it).

    ``validation`` turns it into an entry of its simulator registry
    (:mod:`validation.simulators.registry`), so a model defined outside the package gets
    ``asymptotics curve --mc`` overlays and campaigns without touching ``validation``.

    ``simulate(params, size, reps, rng)`` receives the model's parameters as floats (defaults
    filled in), the finite size (the value of ``size_param``), the number of replicates and a
    :class:`numpy.random.Generator`; it returns ``{quantity: array of shape (reps,)}``, one
    realized value per replicate, for every quantity in ``quantities`` it can simulate.
    """

    simulate: Callable[..., Any]
    size_param: str = "n"
    sizes: tuple[int, ...] = (100, 200, 400)
    quantities: tuple[str, ...] = ()
    curve_axes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    name: str
    doc: str
    params: dict[str, ParamSpec]
    quantities: dict[str, QuantitySpec]
    system: Callable[[], Any]
    source: Source | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    simulator: SimulatorDecl | None = None

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
    """Add a model to the registry, making every callable it exposes thread-safe.

    Each quantity's ``certified`` and ``curve`` callables are wrapped by
    :func:`~asymptotics.precision.serialized` (mpmath's precision is process-global), and a
    module-level name of the defining module bound to one of these callables (``ridge.risk``,
    ``marchenko_pastur.stieltjes``, a model's ``curve_values``, ...) is rebound to the *same*
    wrapper, so the registry and the module API are one object each.  The module's other
    public entry points are wrapped too: its plain functions that take a ``dps`` argument
    (``solve``, ``general_equivalent``, ...) and its float64 ``curve_values``/``*_curve``.
    Helpers documented to work at the caller's *current* mpmath precision (no ``dps``) are
    left alone: the wrapper would reset that precision.
    """
    quantities = {}
    for key, q in spec.quantities.items():
        certified = serialized(_print_safe(q.certified))
        curve = serialized(_print_safe(q.curve)) if q.curve is not None else None
        quantities[key] = dataclasses.replace(q, certified=certified, curve=curve)
        _rebind(q.certified, certified)
        if q.curve is not None:
            _rebind(q.curve, curve)  # type: ignore[arg-type]
    spec = dataclasses.replace(spec, quantities=quantities)
    for mod_name in {q.certified.__module__ for q in quantities.values()}:
        _serialize_module_functions(sys.modules.get(mod_name))
    REGISTRY[spec.name] = spec
    for a in spec.aliases:
        _ALIASES[a] = spec.name
    return spec


def _print_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn Python's "integer too long to print" ``ValueError`` into a ParameterError naming the argument.

    Numeric parameters up to 1e10000 are valid, but ints beyond 4300 digits cannot go through
    ``str()``; a model that prints an argument in a message (a text parameter such as ``domain``
    given a huge int) would otherwise escape with a ``ValueError``.
    """
    if getattr(fn, "__serialized__", False) or getattr(fn, "__print_safe__", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            if isinstance(exc, ParameterError) or "integer string conversion" not in str(exc):
                raise
            named = [*(f"argument {i + 1}" for i in range(len(args))), *kwargs]
            values = [*args, *kwargs.values()]
            big = [(n, v) for n, v in zip(named, values, strict=True) if _unprintable(v)]
            name, value = big[0] if big else ("a parameter", "a number beyond 4300 digits")
            raise ParameterError(
                f"`{name}` = {describe(value)} is not accepted here (a number too long to show in a message)."
            ) from None

    wrapper.__print_safe__ = True  # type: ignore[attr-defined]
    return wrapper


def _unprintable(value: Any) -> bool:
    try:
        str(value)
    except ValueError:
        return True
    return False


def _rebind(original: Callable[..., Any], wrapped: Callable[..., Any]) -> None:
    module = sys.modules.get(getattr(original, "__module__", ""))
    if module is None or original is wrapped:
        return
    for attr, value in list(vars(module).items()):
        if value is original:
            setattr(module, attr, wrapped)


def _serialize_module_functions(module: Any) -> None:
    """Wrap the public entry points defined in ``module``: functions with a ``dps`` argument, curves."""
    if module is None:
        return
    for attr, value in list(vars(module).items()):
        if attr.startswith("_") or not isinstance(value, type(_rebind)) or value.__module__ != module.__name__:
            continue
        if attr == "curve_values" or attr.endswith("_curve") or "dps" in inspect.signature(value).parameters:
            setattr(module, attr, serialized(value))


def get_model(name: str) -> ModelSpec:
    """The registered model called ``name`` (or one of its aliases)."""
    key = _ALIASES.get(name, name)
    if key not in REGISTRY:
        raise ParameterError(f"unknown model {name!r}; valid: {', '.join(sorted(REGISTRY))}.")
    return REGISTRY[key]
