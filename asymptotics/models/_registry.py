"""Model registry: what the CLI, the property runs and the campaigns enumerate.

Models are found through the entry-point group ``asymptotics.models`` (``name =
"module:OBJECT"``, the object a :class:`ModelSpec`): the six built-in models are declared
there by this package's ``pyproject.toml``, third-party packages add theirs the same way,
and :func:`asymptotics.register_model` adds a model at run time without any entry point.

Lookup is lazy: ``get_model("ridge")`` imports only :mod:`asymptotics.models.ridge`;
iterating :data:`REGISTRY` (``asymptotics list``, the tests) loads every model.  A model
whose entry point fails to load is an error only when that model is asked for (one line,
:class:`ModelLoadError`); :data:`REGISTRY` leaves it out and :func:`load_failures` says why.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._suggest import close_matches, did_you_mean
from .._validate import describe
from ..errors import ParameterError
from ..precision import serialized
from ..references import Source


@dataclass(frozen=True)
class ParamSpec:
    """One model parameter: ``kind`` is ``"real"``, ``"complex"`` or ``"int"``.

    ``parse`` (optional; :func:`asymptotics.define_model` sets it) parses and range-checks one
    value, raising :class:`~asymptotics.errors.ParameterError`; ``validation`` uses it to refuse
    a point before a declared simulator runs."""

    name: str
    doc: str
    default: str | None = None
    kind: str = "real"
    parse: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)


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
    proof: str = "estimate"
    """How its digits are backed: ``"proven"`` (ball arithmetic proves them at every valid point
    unless the proof fails at a hard point, then the result says ``proven=False``), ``"partial"``
    (proven for some inputs, e.g. named activations but not Python callables; :attr:`proof_note`
    says which) or ``"estimate"`` (precision ladder only)."""
    proof_note: str = ""


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
            hint = _param_hint(unknown, q.params)
            raise ParameterError(f"unknown parameter{s} {names} for {self.name} {q.name}; {hint}valid: {valid}.")
        missing = [n for n in q.params if n not in given and self.default(n) is None and n not in q.optional]
        if missing:
            names = ", ".join(f"`{n}`" for n in missing)
            s = "s" if len(missing) > 1 else ""
            raise ParameterError(f"missing parameter{s} {names} for {self.name} {q.name}; valid: {valid}.")

    def quantity(self, name: str) -> QuantitySpec:
        try:
            return self.quantities[name]
        except KeyError:
            hint = did_you_mean(name, self.quantities) if isinstance(name, str) else ""
            raise ParameterError(
                f"unknown quantity {name!r} for model {self.name!r}; {hint}valid: {', '.join(self.quantities)}."
            ) from None


ENTRY_POINT_GROUP = "asymptotics.models"

BUILTIN_MODELS = {
    "committee": "asymptotics.models.committee:MODEL",
    "dmp": "asymptotics.models.deformed_mp:MODEL",
    "gcm": "asymptotics.models.gcm:MODEL",
    "krr": "asymptotics.models.krr:MODEL",
    "learning_curve": "asymptotics.models.learning_curve:MODEL",
    "lnn": "asymptotics.models.linear_networks:MODEL",
    "mp": "asymptotics.models.marchenko_pastur:MODEL",
    "nt": "asymptotics.models.neural_tangent:MODEL",
    "onestep": "asymptotics.models.onestep:MODEL",
    "rf": "asymptotics.models.random_features:MODEL",
    "ridge": "asymptotics.models.ridge:MODEL",
}
"""The built-in models' entry points, as declared in ``pyproject.toml`` (a test checks they agree).

Read before the installed metadata so that ``get_model("ridge")`` costs one import and no scan of
the installed distributions, and the package works from a source tree without metadata."""

BUILTIN_ALIASES = {
    "saad_solla": "committee",
    "soft_committee": "committee",
    "deformed_mp": "dmp",
    "deformed_marchenko_pastur": "dmp",
    "covariate_shift": "gcm",
    "shift": "gcm",
    "one_step": "onestep",
    "eigenlearning": "learning_curve",
    "lc": "learning_curve",
    "linear_networks": "lnn",
    "dln": "lnn",
    "marchenko_pastur": "mp",
    "marchenko-pastur": "mp",
    "neural_tangent": "nt",
    "ntk": "nt",
}
"""Aliases of the built-in models (each model module declares them too; a test checks they agree), so
that an alias loads one model, not all."""


class ModelLoadError(ParameterError):
    """A model's entry point could not be loaded (a broken or missing third-party package)."""


class _LazyRegistry(dict):  # type: ignore[type-arg]
    """``dict`` of the registered models that loads entry points on demand.

    Looking up one name (``REGISTRY["ridge"]``, ``"ridge" in REGISTRY``) loads that model only;
    iterating, ``len``, ``keys``/``values``/``items`` load every model first (broken ones are
    left out, see :func:`load_failures`).  Writes go through :func:`register`.
    """

    def __getitem__(self, name: str) -> ModelSpec:
        spec = dict.get(self, name)
        if spec is None:
            _load_one(name, missing_ok=True)
            return dict.__getitem__(self, name)
        return spec

    def __contains__(self, name: object) -> bool:
        if not dict.__contains__(self, name) and isinstance(name, str):
            _load_one(name, missing_ok=True, quiet=True)
        return dict.__contains__(self, name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name] if name in self else default

    def __iter__(self) -> Iterator[str]:
        _load_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        _load_all()
        return dict.__len__(self)

    def keys(self) -> Any:
        _load_all()
        return dict.keys(self)

    def values(self) -> Any:
        _load_all()
        return dict.values(self)

    def items(self) -> Any:
        _load_all()
        return dict.items(self)

    def copy(self) -> dict[str, ModelSpec]:
        _load_all()
        return dict(dict.items(self))

    def __repr__(self) -> str:
        _load_all()
        return dict.__repr__(self)

    def __eq__(self, other: object) -> bool:
        _load_all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


REGISTRY: dict[str, ModelSpec] = _LazyRegistry()
_ALIASES: dict[str, str] = {}
_FAILED: dict[str, str] = {}
_LOAD_LOCK = threading.RLock()
_ALL_LOADED = False


def _installed_entry_points() -> dict[str, str]:
    """``{name: "module:object"}`` of the group ``asymptotics.models`` in the installed metadata."""
    global _INSTALLED
    if _INSTALLED is None:
        from importlib.metadata import entry_points

        found: dict[str, str] = {}
        try:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                found.setdefault(ep.name, ep.value)
        except Exception:  # noqa: BLE001 - unreadable metadata of some distribution: no plug-ins
            found = {}
        _INSTALLED = found
    return _INSTALLED


_INSTALLED: dict[str, str] | None = None


def entry_point_names() -> list[str]:
    """Names of every model that can be loaded (built-in, installed plug-ins, registered at run time), unloaded."""
    return sorted({*BUILTIN_MODELS, *_installed_entry_points(), *dict.keys(REGISTRY)})


def load_failures() -> dict[str, str]:
    """``{name: one-line reason}`` of the entry points that failed to load so far."""
    return dict(_FAILED)


def _target(name: str) -> str | None:
    if name in BUILTIN_MODELS:
        return BUILTIN_MODELS[name]
    return _installed_entry_points().get(name)


def _load_one(name: str, *, missing_ok: bool = False, quiet: bool = False) -> ModelSpec | None:
    """Load the entry point called ``name`` and register its model; ``None`` if there is none."""
    with _LOAD_LOCK:
        if dict.__contains__(REGISTRY, name):
            return dict.__getitem__(REGISTRY, name)
        target = _target(name)
        if target is None:
            if missing_ok:
                return None
            raise ParameterError(f"unknown model {name!r}; valid: {', '.join(entry_point_names())}.")
        if name in _FAILED:
            if quiet:
                return None
            raise ModelLoadError(_FAILED[name])
        try:
            obj = _resolve(target)
            if not isinstance(obj, ModelSpec):
                raise TypeError(f"{target} is a {type(obj).__name__}, not an asymptotics ModelSpec")
            if not dict.__contains__(REGISTRY, obj.name):  # a module that does not register itself
                obj = register(obj)
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported as one line
            reason = " ".join(str(exc).split()) or type(exc).__name__
            _FAILED[name] = f"model {name!r} could not be loaded from entry point {target!r}: {type(exc).__name__}: {reason}"
            if quiet:
                return None
            raise ModelLoadError(_FAILED[name]) from None
        if obj.name != name and _owner(name) is None:  # the entry point's name reaches the model too
            _ALIASES[name] = obj.name
        return dict.__getitem__(REGISTRY, obj.name)


def _resolve(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name.strip())
    for part in attr.strip().split(".") if attr.strip() else ():
        obj = getattr(obj, part)
    return obj


def _load_all() -> None:
    """Load every model (built-in first, then installed plug-ins); failures are recorded, not raised."""
    global _ALL_LOADED
    if _ALL_LOADED:
        return
    with _LOAD_LOCK:
        if _ALL_LOADED:
            return
        order = [*BUILTIN_MODELS, *sorted(set(_installed_entry_points()) - set(BUILTIN_MODELS))]
        for name in order:
            _load_one(name, missing_ok=True, quiet=True)
        # one iteration order whatever was loaded first: built-ins, plug-ins, then models registered at run time
        loaded = dict(dict.items(REGISTRY))
        ranked = {name: loaded.pop(name) for name in order if name in loaded}
        dict.clear(REGISTRY)
        dict.update(REGISTRY, {**ranked, **loaded})
        _ALL_LOADED = True


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

    Names are checked first (:class:`~asymptotics.errors.ParameterError`): a built-in model's
    name is registered only by its own module, and neither the name nor an alias of ``spec``
    may be a name or alias of *another* model (an alias could otherwise redirect
    ``get_model("ridge")``).  Registering a name again replaces that model and its aliases.
    """
    if not isinstance(spec, ModelSpec):
        raise ParameterError(f"register() takes a ModelSpec; got {describe(spec)}.")
    with _LOAD_LOCK:
        _check_names(spec)
        return _register(spec)


def _register(spec: ModelSpec) -> ModelSpec:
    from ..tuning import accept_opt  # lam=opt wherever a quantity takes lam (asymptotics/tuning.py)

    quantities = {}
    for key, q in spec.quantities.items():
        cert, crv = q.certified, q.curve
        if "lam" in q.params:
            cert = accept_opt(cert, spec, q, "certified")
            crv = accept_opt(crv, spec, q, "curve") if crv is not None else None
        certified = serialized(_print_safe(_names_checked(cert, spec, q)))
        curve = serialized(_print_safe(_names_checked(crv, spec, q))) if crv is not None else None
        quantities[key] = dataclasses.replace(q, certified=certified, curve=curve)
        _rebind(q.certified, certified)
        if q.curve is not None:
            _rebind(q.curve, curve)  # type: ignore[arg-type]
    spec = dataclasses.replace(spec, quantities=quantities)
    for mod_name in {q.certified.__module__ for q in quantities.values()}:
        if not getattr(q.certified, "__generated__", False):
            _serialize_module_functions(sys.modules.get(mod_name))
    dict.__setitem__(REGISTRY, spec.name, spec)
    _FAILED.pop(spec.name, None)
    for a in [a for a, target in _ALIASES.items() if target == spec.name and a not in spec.aliases]:
        del _ALIASES[a]  # aliases of the model this one replaces
    for a in spec.aliases:
        _ALIASES[a] = spec.name
    return spec


_ALIAS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _owner(name: str) -> str | None:
    """The model that ``name`` already denotes (a model name or an alias), or None."""
    if name in BUILTIN_MODELS or dict.__contains__(REGISTRY, name):
        return name
    return BUILTIN_ALIASES.get(name) or _ALIASES.get(name)


def _builtin_module_registers(spec: ModelSpec) -> bool:
    """Whether ``spec`` is the built-in model of its name: its entry point's ``MODEL``, or, while that
    is not bound yet (the module is being imported), a spec whose quantities are functions of this
    package's model modules.  A user's model (its functions defined elsewhere) cannot replace it."""
    module_name, _, attr = BUILTIN_MODELS[spec.name].partition(":")
    bound = vars(sys.modules[module_name]).get(attr) if module_name in sys.modules else None
    if bound is not None:
        return bound is spec
    return bool(spec.quantities) and all(
        getattr(q.certified, "__module__", "").startswith(f"{__package__}.") for q in spec.quantities.values()
    )


def _check_names(spec: ModelSpec) -> None:
    name = spec.name
    if not isinstance(name, str) or not _ALIAS_NAME.match(name):
        raise ParameterError(f"model name {describe(name)} must be a name such as 'spiked'.")
    if name in BUILTIN_MODELS:
        if not _builtin_module_registers(spec):
            raise ParameterError(f"model name {name!r} is taken by a built-in model; choose another.")
    elif _owner(name) not in (None, name):
        raise ParameterError(f"model name {name!r} is an alias of model {_owner(name)!r}; choose another.")
    aliases = spec.aliases
    if isinstance(aliases, str) or not all(isinstance(a, str) and _ALIAS_NAME.match(a) for a in aliases):
        raise ParameterError(f"model {name!r}: `aliases` must be a sequence of names; got {describe(aliases)}.")
    builtin = name in BUILTIN_MODELS
    for a in aliases:
        owner = _owner(a)
        if owner is None and not builtin and a in _installed_entry_points():
            owner = a
        if owner not in (None, name):
            raise ParameterError(f"alias {a!r} of model {name!r} already names model {owner!r}; choose another.")


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


def _names_checked(fn: Callable[..., Any], spec: ModelSpec, q: QuantitySpec) -> Callable[..., Any]:
    """Turn the :class:`TypeError` of a call with a misspelled or missing parameter name
    (``risk() got an unexpected keyword argument 'gama'``) into the registry's
    :class:`ParameterError` (``unknown parameter `gama` for ridge risk; did you mean `gamma`? valid: ...``).

    Costs nothing on a good call: the names are looked at only once the call has raised a
    TypeError, and only a TypeError of the call itself (its arguments do not bind to ``fn``'s
    signature, or a keyword that is not one of ``q.params`` reached a ``**kwargs`` function) is
    replaced; a TypeError from inside the computation propagates unchanged.
    """
    if getattr(fn, "__names_checked__", False):  # registered again (functools.wraps copies the flag outwards)
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:
            _raise_name_error(fn, spec, q, args, kwargs, str(exc))
            raise

    wrapper.__names_checked__ = True  # type: ignore[attr-defined]
    return wrapper


def _raise_name_error(
    fn: Callable[..., Any], spec: ModelSpec, q: QuantitySpec, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    """Raise the ParameterError that a TypeError of ``fn(*args, **kwargs)`` stands for; return when there is none."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    named = [n for n, p in sig.parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    unknown = [k for k in kwargs if k not in q.params and (takes_any or k not in named)]
    if unknown:
        spec.check_names(q, [*q.params, *unknown])  # raises: unknown parameter(s) ..., did you mean ...
    if takes_any and not args and "missing" in message and "required" in message:
        spec.check_names(q, list(kwargs))  # a `**kwargs` curve that passes its keywords on
    try:
        sig.bind(*args, **kwargs)
    except TypeError as exc:
        given = [*named[: len(args)], *kwargs]
        spec.check_names(q, [n for n in given if n in q.params])  # a missing parameter: the registry's message
        raise ParameterError(f"{spec.name} {q.name}: {exc}; valid: {', '.join(spec.param_usage(q))}.") from None


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
    """The registered model called ``name`` (or one of its aliases), loading only that model.

    Raises :class:`~asymptotics.errors.ParameterError` for an unknown name (listing the valid
    ones) and :class:`ModelLoadError` (also a ParameterError) when the model's entry point fails.
    """
    if not isinstance(name, str):
        raise ParameterError(f"the model name must be a string; got {describe(name)}.")
    key = BUILTIN_ALIASES.get(name) or _ALIASES.get(name, name)
    spec = dict.get(REGISTRY, key)
    if spec is not None:
        return spec
    spec = _load_one(key, missing_ok=True)
    if spec is not None:
        return spec
    _load_all()  # an alias is known once its model is loaded
    key = _ALIASES.get(name, name)
    if dict.__contains__(REGISTRY, key):
        return dict.__getitem__(REGISTRY, key)
    raise ParameterError(f"unknown model {name!r}; {_model_hint(name)}valid: {', '.join(entry_point_names())}.")


def _model_hint(name: str) -> str:
    """``"did you mean 'ridge'? "`` for a misspelled model name or alias (all models are loaded by then)."""
    return did_you_mean(name, [*entry_point_names(), *BUILTIN_ALIASES, *_ALIASES])


def _param_hint(unknown: Sequence[str], valid: Sequence[str]) -> str:
    """``"did you mean `gamma`? "`` (one unknown name) or ``"did you mean `gamma` for `gamam`, `lam` for `lamm`? "``."""
    pairs = [(u, m[0]) for u in unknown if (m := close_matches(u, valid))]
    if not pairs:
        return ""
    if len(unknown) == 1:
        return f"did you mean `{pairs[0][1]}`? "
    return "did you mean " + ", ".join(f"`{m}` for `{u}`" for u, m in pairs) + "? "
