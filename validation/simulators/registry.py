r"""The simulator registry: what :mod:`validation` knows about each model's Monte Carlo simulator.

A :class:`SimulatorSpec` says, for one model of :mod:`asymptotics.models`,

* what a *size* is (``size_param``: ``"n"`` samples or ``"d"`` input dimension) and the
  default sizes of a campaign;
* how to simulate one quantity at one parameter point and size, through one signature,
  :meth:`SimulatorSpec.simulate` ``(params, size, reps, seed, *, quantity, max_memory)``,
  an adapter over the model's own ``simulate`` (whose signature stays as it is);
* how parameters are realized at a finite size (:meth:`SimulatorSpec.at_size`,
  :meth:`SimulatorSpec.realized`): integer sizes change the ratios the theory sees;
* where campaign points are drawn (``points``: a function of the sizes returning a hypothesis
  strategy, see :mod:`validation.points`);
* which quantities and axes the ``asymptotics curve --mc`` overlay supports, and how it runs.

The built-in simulators register themselves at the end of their modules
(``validation/simulators/<model>.py``); importing :mod:`validation.simulators` imports them.
:func:`get_simulator` also serves models defined outside the package: when nothing is
registered under a model's name but its :class:`~asymptotics.models._registry.ModelSpec`
carries a :class:`~asymptotics.models._registry.SimulatorDecl`, a spec is built from that
declaration by a generic adapter (:func:`from_declaration`), which

* calls ``decl.simulate(values, size, reps, rng)`` with the point's parameters as floats
  (defaults filled in; parameters of a non-numeric kind as their text) and
  ``rng = numpy.random.default_rng(seed)``, and turns the returned ``{quantity: (reps,)}``
  samples into an :class:`~validation.compare.MCEstimate` (mean, standard error over the
  replicates; ``n = p = size``);
* evaluates the theory at the drawn point, with the size parameter set to the size when it
  is one of the model's parameters (no ratio correction: the adapter cannot know one);
* draws campaign points from :func:`default_points` unless the declaration has a ``points``
  attribute (a function of the sizes returning a hypothesis strategy of parameter dicts);
* runs curve overlays point by point, all points with the same seed (common random numbers),
  along ``decl.curve_axes`` (default: every real parameter).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from asymptotics._validate import describe
from asymptotics.errors import ParameterError
from asymptotics.models import get_model

from ..compare import MCEstimate

__all__ = [
    "DEFAULT_D",
    "DEFAULT_N",
    "SIMULATORS",
    "SimulatorSpec",
    "default_points",
    "fixed_params",
    "from_declaration",
    "get_simulator",
    "module_adapters",
    "register_simulator",
    "sweep",
    "sweep_overlay",
]

DEFAULT_N = 400
"""Default size of a curve overlay whose size is a sample count ``n`` (``--n`` overrides it)."""
DEFAULT_D = 200
"""Default size of a curve overlay whose size is an input dimension ``d`` (``--n`` means ``d`` there)."""

DEFAULT_RANGE = (0.5, 2.0)
"""A real parameter of a declared simulator is drawn from ``default × [0.5, 2]`` (:func:`default_points`)."""

NUMERIC_KINDS = ("real", "int")


@dataclass(frozen=True)
class SimulatorSpec:
    """One model's Monte Carlo simulator, as the campaigns and curve overlays use it.

    Attributes
    ----------
    model : str
        Registry name of the model (:func:`asymptotics.models.get_model`).
    size_param : str
        What a size is: ``"n"`` samples, ``"d"`` input dimension (a declared simulator may name
        another parameter).
    sizes : tuple of int
        Default campaign sizes, increasing.
    quantities : tuple of str
        Quantities a campaign can validate; the first is the default.
    simulator : callable
        ``simulator(params, size, reps, seed, *, quantity, max_memory)`` → ``MCEstimate``
        (``params``: the model's parameters as exact strings, those the quantity takes).
    check : callable or None
        ``check(params, size, reps, *, quantity, max_memory)``: the simulation's memory check
        alone (raises :class:`~validation.simulators._sampling.MemoryLimitError`); None: none.
    realize : callable or None
        ``realize(params, estimate, size)`` → the parameters the simulation actually had
        (``p/n = round(γn)/n``...); None: :meth:`at_size`.
    points : callable or None
        ``points(sizes)`` → hypothesis strategy of parameter dicts (exact decimal strings); None:
        no campaign.
    curve_quantities, curve_axes : tuple of str
        What the ``asymptotics curve --mc`` overlay supports.
    curve : callable or None
        ``curve(quantity, axis, grid, params, *, reps, seed, n, progress, max_memory)`` →
        ``(mean, se)``; None: point by point through :meth:`simulate` (:func:`pointwise_curve`).
    curve_size : int or None
        Default size of the curve overlay (``--n`` overrides it); None: the size is a model
        parameter.
    size_in_theory : bool
        The size is one of the model's parameters (KRR's ``d``): the theory at a size sets it.
    curve_extras : callable or None
        ``curve_extras(quantity, axis, grid, params, *, reps, seed, n, max_memory)`` → dict of what a
        figure can draw beyond the overlay's means (e.g. ``{"hist": (edges, heights)}``, mp's
        eigenvalue histogram behind the density); None: nothing.
    """

    model: str
    size_param: str
    sizes: tuple[int, ...]
    quantities: tuple[str, ...]
    simulator: Callable[..., MCEstimate]
    check: Callable[..., None] | None = None
    realize: Callable[[dict[str, str], MCEstimate, int], dict[str, str]] | None = None
    points: Callable[[Sequence[int]], Any] | None = None
    curve_quantities: tuple[str, ...] = ()
    curve_axes: tuple[str, ...] = ()
    curve: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    curve_size: int | None = None
    size_in_theory: bool = False
    curve_extras: Callable[..., dict[str, Any]] | None = None

    def _quantity(self, quantity: str | None) -> str:
        if quantity is None:
            if not self.quantities:
                raise ParameterError(f"`quantity` is required: the {self.model} simulator has no default quantity.")
            return self.quantities[0]
        if quantity not in self.quantities and quantity not in self.curve_quantities:
            valid = ", ".join(dict.fromkeys((*self.quantities, *self.curve_quantities)))
            raise ParameterError(f"no Monte Carlo estimate of {self.model} {quantity!r}; available: {valid}.")
        return quantity

    def simulate(
        self,
        params: Mapping[str, str],
        size: int,
        reps: int,
        seed: int = 0,
        *,
        quantity: str | None = None,
        max_memory: Any = None,
    ) -> MCEstimate:
        """Monte Carlo estimate of ``quantity`` at one parameter point and one size.

        Parameters
        ----------
        params : mapping of str to str
            The model's parameters as exact strings (``{"gamma": "0.5", "lam": "0.1"}``).
        size : int
            The value of :attr:`size_param`.
        reps : int
            Independent replicates (``≥ 2`` for an SE).
        seed : int
            Root seed of the replicates.
        quantity : str, keyword-only
            Default: the first of :attr:`quantities`.
        max_memory : float, keyword-only
            Memory limit of the simulation in GiB (default: ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2).

        Returns
        -------
        MCEstimate

        Raises
        ------
        ParameterError
            Unknown quantity, bad parameters or sizes, an estimated peak memory above the limit.
        """
        q = self._quantity(quantity)
        return self.simulator(dict(params), size, reps, seed, quantity=q, max_memory=max_memory)

    def check_request(
        self, params: Mapping[str, str], size: int, reps: int, *, quantity: str | None = None, max_memory: Any = None
    ) -> None:
        """The memory check of :meth:`simulate` alone (nothing is simulated)."""
        q = self._quantity(quantity)
        if self.check is not None:
            self.check(dict(params), size, reps, quantity=q, max_memory=max_memory)

    def at_size(self, params: Mapping[str, str], size: int) -> dict[str, str]:
        """The drawn point at one size: the size parameter is set when the theory takes it."""
        return {**params, self.size_param: str(size)} if self.size_in_theory else dict(params)

    def realized(self, params: Mapping[str, str], est: MCEstimate, size: int) -> dict[str, str]:
        """The point the simulation actually ran (integer sizes change the ratios by up to ``1/(2·size)``)."""
        return self.realize(dict(params), est, size) if self.realize is not None else self.at_size(params, size)

    @classmethod
    def from_module(
        cls,
        module: Any,
        *,
        model: str,
        size_param: str,
        sizes: tuple[int, ...],
        make: Callable[..., Any] | None = None,
        size_in_theory: bool = False,
        needed: Sequence[str] = (),
        alternatives: Sequence[str] = (),
        meaning: Mapping[str, str] | None = None,
        why: str | None = None,
        skip: Sequence[str] | Callable[[Mapping[str, str]], Sequence[str]] = (),
        **fields: Any,
    ) -> SimulatorSpec:
        """The spec of a simulator module that follows the built-ins' conventions; the common parts are built here.

        The module (or its name) provides ``simulate(made, *, <size>, reps, seed, quantities,
        max_memory)`` returning ``{quantity: MCEstimate}``, ``check_request`` with the same
        arguments less ``seed``, ``QUANTITIES`` and, optionally, ``CURVE_AXES``; ``made`` is
        ``make(**params)``, with ``size_param=size`` among the parameters when ``size_in_theory``
        and as the keyword ``size_param`` of ``simulate`` otherwise.

        Parameters
        ----------
        module : module or str
            The simulator module; its functions are looked up at each call.
        model, size_param, sizes, size_in_theory
            As the attributes of :class:`SimulatorSpec`.
        make : callable, optional
            The model's parameter class.  Given, it builds :attr:`simulator` and :attr:`check`
            (:func:`module_adapters`) and, unless ``size_in_theory``, the curve overlay
            (:func:`sweep_overlay` with ``needed``, ``alternatives``, ``meaning``, ``why``,
            ``skip``).  Omitted, pass ``simulator`` (and ``check``, ``curve``) in ``fields``.
        needed, alternatives, meaning, why, skip
            The overlay's parameters, see :func:`sweep_overlay`.
        **fields
            Any other attribute of :class:`SimulatorSpec` (``realize``, ``points``...), or one of
            the defaults overridden: ``quantities`` (the module's ``QUANTITIES``),
            ``curve_quantities`` (``quantities``), ``curve_axes`` (the module's ``CURVE_AXES``),
            ``curve_size`` (:data:`DEFAULT_N` for a size ``n``, :data:`DEFAULT_D` for ``d``, None
            when ``size_in_theory``).

        Returns
        -------
        SimulatorSpec
        """
        if isinstance(module, str):
            import importlib

            module = importlib.import_module(module)
        fields.setdefault("quantities", tuple(module.QUANTITIES))
        fields.setdefault("curve_quantities", fields["quantities"])
        fields.setdefault("curve_axes", tuple(getattr(module, "CURVE_AXES", ())))
        fields.setdefault("curve_size", None if size_in_theory else {"n": DEFAULT_N, "d": DEFAULT_D}.get(size_param))
        if make is not None:
            simulator, check = module_adapters(module, make, size_param, size_in_theory=size_in_theory)
            fields.setdefault("simulator", simulator)
            fields.setdefault("check", check)
            if not size_in_theory:
                overlay = sweep_overlay(
                    module,
                    make,
                    model=model,
                    size_param=size_param,
                    size=fields["curve_size"],
                    needed=needed,
                    alternatives=alternatives,
                    meaning=meaning,
                    why=why,
                    skip=skip,
                )
                fields.setdefault("curve", overlay)
        return cls(model=model, size_param=size_param, sizes=tuple(sizes), size_in_theory=size_in_theory, **fields)


SIMULATORS: dict[str, SimulatorSpec] = {}
"""The registered simulators by model name (the built-ins once :mod:`validation.simulators` is imported)."""


def register_simulator(spec: SimulatorSpec) -> SimulatorSpec:
    """Add (or replace) the simulator of ``spec.model``; returns ``spec``.

    Raises
    ------
    ParameterError
        ``size_param`` is not a name, or ``sizes`` are not increasing integers ≥ 1.
    """
    if not isinstance(spec.size_param, str) or not spec.size_param.isidentifier():
        raise ParameterError(
            f"`size_param` of the {spec.model} simulator must be a name such as 'n' or 'd'; got {spec.size_param!r}."
        )
    _check_sizes(spec.model, spec.sizes)
    SIMULATORS[spec.model] = spec
    return spec


def _check_sizes(model: str, sizes: Sequence[int]) -> None:
    ok = len(sizes) > 0 and all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)
    if not ok or any(b <= a for a, b in zip(sizes, sizes[1:], strict=False)):
        raise ParameterError(f"`sizes` of the {model} simulator must be increasing integers ≥ 1; got {tuple(sizes)!r}.")


def get_simulator(name: str) -> SimulatorSpec:
    """The simulator of model ``name`` (registry name or alias).

    A registered :class:`SimulatorSpec` comes first; otherwise a model whose ``ModelSpec``
    declares a ``simulator`` gets one built by :func:`from_declaration`.

    Raises
    ------
    ParameterError
        Unknown model, or a model without a simulator.
    """
    from .. import simulators  # noqa: F401 - the built-ins register on import

    model = get_model(name)
    if model.name in SIMULATORS:
        return SIMULATORS[model.name]
    if model.simulator is not None:
        return from_declaration(model)
    raise ParameterError(f"no Monte Carlo simulator for model {name!r}; available: {', '.join(available())}.")


def _declared_models() -> list[str]:
    from asymptotics.models._registry import REGISTRY

    return [n for n, m in REGISTRY.items() if m.simulator is not None]


def available() -> list[str]:
    """Names of the models with a simulator (registered or declared), sorted."""
    from .. import simulators  # noqa: F401

    return sorted({*SIMULATORS, *_declared_models()})


# ----------------------------------------------------------------------------- curve helpers
def fixed_params(
    model: str, axis: str, params: Mapping[str, str], needed: Sequence[str], *, skip: Sequence[str] = ()
) -> dict[str, str]:
    """The parameters ``needed`` by an overlay with registry defaults filled in (the axis and ``skip`` excluded).

    Raises
    ------
    ParameterError
        A parameter the model does not have, or a needed one without a value or a default.
    """
    spec = get_model(model)
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)} for model {model!r}; valid: {', '.join(spec.params)}.")
    fixed: dict[str, str] = {}
    for name in needed:
        if name == axis:
            continue
        if name in params:
            fixed[name] = params[name]
        elif name in skip:
            continue
        elif spec.params[name].default is not None:
            fixed[name] = str(spec.params[name].default)
        else:
            raise ParameterError(f"`{name}` is required for the {model!r} Monte Carlo overlay (it has no default).")
    return fixed


def sweep(
    module: Any,
    make: Any,
    fixed: dict[str, str],
    quantity: str,
    axis: str,
    grid: np.ndarray,
    run: dict[str, Any],
    *,
    label: str,
    **size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SE along ``axis``: one simulation serves the whole grid for ``lam`` (a ridge grid per
    replicate), otherwise one simulation per point, all with the same ``seed``.  ``module`` is the
    simulator (its ``simulate`` and ``check_request``); every point's memory is checked first, so a
    too large point is refused before the smaller ones have run."""
    from tqdm import tqdm

    reps, seed, progress, max_memory = run["reps"], run["seed"], run["progress"], run["max_memory"]
    common = {**size, "reps": reps, "quantities": (quantity,), "max_memory": max_memory}
    if axis == "lam":
        est = module.simulate(make(**fixed), lams=grid, seed=seed, progress=progress, **common)
        return np.asarray(est[quantity].mean, dtype=float), np.asarray(est[quantity].se, dtype=float)
    points = [make(**{**fixed, axis: float(grid[i])}) for i in np.ndindex(grid.shape)]
    for params in points:
        module.check_request(params, **common)
    mean, se = np.empty(grid.shape), np.empty(grid.shape)
    bar = tqdm(
        np.ndindex(grid.shape),
        total=grid.size,
        desc=f"{label} {quantity} vs {axis}",
        disable=None if progress else True,
        leave=False,
    )
    for i, params in zip(bar, points, strict=True):
        est = module.simulate(params, seed=seed, **common)[quantity]
        mean[i], se[i] = est.mean, est.se
    return mean, se


def module_adapters(
    module: Any, make: Callable[..., Any], size_param: str, *, size_in_theory: bool = False
) -> tuple[Callable[..., MCEstimate], Callable[..., None]]:
    """The :attr:`SimulatorSpec.simulator` and :attr:`SimulatorSpec.check` adapters of a simulator module.

    ``simulator(params, size, reps, seed, *, quantity, max_memory)`` calls
    ``module.simulate(make(**params), <size_param>=size, reps=reps, seed=seed,
    quantities=(quantity,), max_memory=max_memory)[quantity]``; with ``size_in_theory`` the size
    is one of the parameters instead (``make(**params, <size_param>=size)``, no size keyword).
    ``check`` calls ``module.check_request`` likewise, without ``seed``.
    """

    def made(params: dict[str, str], size: int) -> tuple[Any, dict[str, int]]:
        if size_in_theory:
            return make(**params, **{size_param: size}), {}
        return make(**params), {size_param: size}

    def simulator(
        params: dict[str, str], size: int, reps: int, seed: int, *, quantity: str, max_memory: Any = None
    ) -> MCEstimate:
        obj, sized = made(params, size)
        out = module.simulate(obj, **sized, reps=reps, seed=seed, quantities=(quantity,), max_memory=max_memory)
        return out[quantity]

    def check(params: dict[str, str], size: int, reps: int, *, quantity: str, max_memory: Any = None) -> None:
        obj, sized = made(params, size)
        module.check_request(obj, **sized, reps=reps, quantities=(quantity,), max_memory=max_memory)

    return simulator, check


def sweep_overlay(
    module: Any,
    make: Callable[..., Any],
    *,
    model: str,
    size_param: str,
    size: int | None,
    needed: Sequence[str],
    alternatives: Sequence[str] = (),
    meaning: Mapping[str, str] | None = None,
    why: str | None = None,
    skip: Sequence[str] | Callable[[Mapping[str, str]], Sequence[str]] = (),
) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """A :attr:`SimulatorSpec.curve` overlay through :func:`sweep` (``lam`` one simulation for the grid).

    Parameters
    ----------
    module, make
        As in :func:`sweep`.
    model : str
        The model (its registry defaults fill the parameters; it labels the progress bar).
    size_param : str
        The size keyword of ``module.simulate``; the size is the overlay's ``n`` (the CLI's ``--n``).
    size : int or None
        The size when ``n`` is None.
    needed : sequence of str
        The parameters the simulation takes (:func:`fixed_params`).
    alternatives : sequence of str
        Exactly one of these must be given (in ``params`` or as the axis); only that one is
        passed, before ``needed``.  One name: it is required even when it has a default.
    meaning : mapping of str to str
        Shown after a name in those messages (``{"psi1": "N/d"}`` → ``psi1 (= N/d)``).
    why : str
        Appended to the message of a missing alternative.
    skip : sequence of str, or callable
        Parameters of ``needed`` left to the simulator when not given (:func:`fixed_params`); a
        callable receives ``params``.
    """
    notes = dict(meaning or {})

    def names(keys: Sequence[str]) -> str:
        return " or ".join(f"`{k}` (= {notes[k]})" if k in notes else f"`{k}`" for k in keys)

    def overlay(
        quantity: str, axis: str, grid: np.ndarray, params: dict[str, str], *, n: int | None = None, **run: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        given = [k for k in alternatives if k in params or k == axis]
        if len(given) > 1:
            one = "not both" if len(alternatives) == 2 else "only one"
            raise ParameterError(f"give either {names(alternatives)} for the {model} Monte Carlo overlay, {one}.")
        if alternatives and not given:
            tail = f": {why}" if why else ""
            raise ParameterError(f"{names(alternatives)} is required for the {model!r} Monte Carlo overlay{tail}.")
        fixed = fixed_params(model, axis, params, (*given, *needed), skip=skip(params) if callable(skip) else skip)
        run = {"seed": 0, "progress": False, "max_memory": None, **run}
        if n is None and size is None:
            raise ParameterError(f"the {model} Monte Carlo overlay needs a size: pass --n.")
        return sweep(module, make, fixed, quantity, axis, grid, run, label=model, **{size_param: size if n is None else n})

    return overlay


def pointwise_curve(
    spec: SimulatorSpec,
    quantity: str,
    axis: str,
    grid: np.ndarray,
    params: Mapping[str, str],
    *,
    reps: int,
    seed: int = 0,
    n: int | None = None,
    progress: bool = False,
    max_memory: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A curve overlay through :meth:`SimulatorSpec.simulate`, one simulation per grid point, all with
    the same ``seed`` (common random numbers).

    The size is ``n`` (default :attr:`SimulatorSpec.curve_size`).  When the size parameter is one
    of the model's parameters it is taken from ``params`` instead (``n`` must then be None), or
    from the grid (rounded) when it is the axis.
    """
    from tqdm import tqdm

    model = get_model(spec.model)
    q = model.quantity(quantity)
    needed = [p for p in q.params if p in model.params and not (spec.size_in_theory and p == spec.size_param)]
    fixed = fixed_params(spec.model, axis, params, needed, skip=q.optional)
    sizes: list[int]
    if spec.size_in_theory:
        if n is not None:
            raise ParameterError(
                f"{spec.model} Monte Carlo: --n does not apply; the size is the model parameter `{spec.size_param}`."
            )
        if axis == spec.size_param:
            sizes = [int(round(float(v))) for v in grid.ravel()]
        else:
            text = params.get(spec.size_param, model.default(spec.size_param))
            if text is None:
                raise ParameterError(f"`{spec.size_param}` is required for the {spec.model!r} Monte Carlo overlay.")
            sizes = [_int_size(spec.size_param, text)] * grid.size
    else:
        size = spec.curve_size if n is None else n
        if size is None:
            raise ParameterError(f"the {spec.model} Monte Carlo overlay needs a size: pass --n.")
        sizes = [int(size)] * grid.size
    points = []
    for i, idx in enumerate(np.ndindex(grid.shape)):
        point = dict(fixed)
        if spec.size_in_theory:
            point[spec.size_param] = str(sizes[i])
        if not (spec.size_in_theory and axis == spec.size_param):
            point[axis] = repr(float(grid[idx]))
        points.append(point)
    for point, size in zip(points, sizes, strict=True):
        spec.check_request(point, size, reps, quantity=quantity, max_memory=max_memory)
    mean, se = np.empty(grid.shape), np.empty(grid.shape)
    bar = tqdm(
        np.ndindex(grid.shape), total=grid.size, desc=f"{spec.model} {quantity} vs {axis}", disable=None if progress else True
    )
    for idx, point, size in zip(bar, points, sizes, strict=True):
        est = spec.simulate(point, size, reps, seed, quantity=quantity, max_memory=max_memory)
        mean[idx], se[idx] = float(est.mean), float(est.se)
    return mean, se


def _int_size(name: str, text: Any) -> int:
    try:
        value = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise ParameterError(f"`{name}` must be an integer size ≥ 1; got {text!r}.") from None
    if value.denominator != 1 or value < 1:
        raise ParameterError(f"`{name}` must be an integer size ≥ 1; got {text!r}.")
    return int(value)


# ----------------------------------------------------------------------------- declared simulators
def _number(text: str | None) -> float | None:
    """``text`` as a finite float, or None when it is not a plain real number (``"-"``, ``"psi2*N"``...)."""
    if text is None:
        return None
    try:
        value = float(Fraction(str(text).strip()))
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def declared_values(model: Any, params: Mapping[str, str], size: int, size_in_theory: bool) -> dict[str, Any]:
    """The values a declared ``simulate`` receives: every parameter of the model with a value (given
    or default), as a float for the numeric kinds (``real``, ``int``) and as its text otherwise; the
    size parameter is the size when it is one of the model's parameters.  Names the model does not
    have are refused, and so are values outside a declared range (a ``ParamSpec`` with ``parse``, as
    :func:`asymptotics.define_model` makes them), before the simulator runs."""
    unknown = sorted(set(params) - set(model.params) - {model.simulator.size_param})
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for the {model.name} simulator; valid: {', '.join(model.params)}."
        )
    out: dict[str, Any] = {}
    for name, p in model.params.items():
        text = params.get(name, p.default)
        if size_in_theory and name == model.simulator.size_param:
            text = str(size)
        if text is None:
            continue
        if getattr(p, "parse", None) is not None:
            p.parse(text)  # the declared range: a one-line ParameterError naming the parameter
        if p.kind in NUMERIC_KINDS:
            value = _number(text)
            if value is None:
                if name in params:
                    raise ParameterError(f"`{name}` must be a real number for the {model.name} simulator; got {text!r}.")
                continue  # a symbolic default ("-", "n/B(d,level)") is no value
            out[name] = value
        else:
            out[name] = str(text)
    return out


def default_points(model: Any, *, skip: Sequence[str] = ()) -> Callable[[Sequence[int]], Any]:
    """The default point strategy of a declared simulator (documented contract).

    Each parameter of the model (``skip`` and the size parameter left out) is drawn as follows:

    * ``real`` with a default ``v ≠ 0``: from ``[v/2, 2v]`` (:data:`DEFAULT_RANGE`, ends swapped
      for ``v < 0``), rounded to 3 significant digits (:func:`validation.points.rounded`);
    * ``real`` with default 0, and every other kind with a default: the default;
    * ``real`` without a default: from ``[0.5, 2]`` (as if its default were 1);
    * any other kind without a default: refused (declare ``points`` on the simulator).
    """
    lo_f, hi_f = DEFAULT_RANGE

    def plan() -> dict[str, tuple[float, float] | str]:
        out: dict[str, tuple[float, float] | str] = {}
        for name, p in model.params.items():
            if name in skip:
                continue
            v = _number(p.default)
            if p.kind == "real" and (p.default is None or v is not None):
                v = 1.0 if v is None else v
                out[name] = "0" if v == 0 else (min(lo_f * v, hi_f * v), max(lo_f * v, hi_f * v))
            elif p.default is not None:
                out[name] = str(p.default)
            else:
                raise ParameterError(
                    f"model {model.name!r}: parameter `{name}` (kind {p.kind}) has no default, so campaign points cannot "
                    "be drawn for it; give it a default or declare `points` on the simulator."
                )
        return out

    def strategy(sizes: Sequence[int]) -> Any:
        from hypothesis import strategies as st

        from ..points import rounded, text

        parts = {k: rounded(*r).map(text) if isinstance(r, tuple) else st.just(r) for k, r in plan().items()}
        return st.fixed_dictionaries(parts)

    return strategy


def _samples(model: str, quantity: str, value: Any, reps: int) -> np.ndarray:
    """A declared simulator's output for one quantity as a float array of shape ``(reps,)``: real and
    finite, or a one-line :class:`ParameterError` (a NaN replicate would turn the estimate into NaN)."""
    try:
        samples = np.asarray(value)
    except (TypeError, ValueError):
        samples = np.asarray(None)
    if samples.dtype.kind not in "biuf":
        raise ParameterError(
            f"the {model} simulator returned {quantity!r} as {describe(value, 60)}; expected real numbers, shape ({reps},)."
        )
    samples = samples.astype(float)
    if samples.shape != (reps,):
        raise ParameterError(f"the {model} simulator returned {quantity!r} of shape {samples.shape}; expected ({reps},).")
    bad = int(np.count_nonzero(~np.isfinite(samples)))
    if bad:
        raise ParameterError(f"the {model} simulator returned {bad} non-finite value(s) of {quantity!r} among {reps} replicates.")
    return samples


def from_declaration(model: Any) -> SimulatorSpec:
    """A :class:`SimulatorSpec` from a model's :class:`~asymptotics.models._registry.SimulatorDecl`
    (the generic adapter described in the module docstring).

    Raises
    ------
    ParameterError
        The model declares no simulator, or its declaration is malformed.
    """
    decl = model.simulator
    if decl is None:
        raise ParameterError(f"model {model.name!r} declares no simulator.")
    if not callable(decl.simulate):
        raise ParameterError(f"the simulator of model {model.name!r}: `simulate` must be callable.")
    sizes = tuple(decl.sizes)
    _check_sizes(model.name, sizes)
    quantities = tuple(decl.quantities) or tuple(model.quantities)
    unknown = [q for q in quantities if q not in model.quantities]
    if unknown:
        raise ParameterError(f"the simulator of model {model.name!r} declares unknown quantities {', '.join(unknown)}.")
    size_in_theory = decl.size_param in model.params
    axes = tuple(decl.curve_axes) or tuple(n for n, p in model.params.items() if p.kind == "real")
    name = model.name

    def simulator(
        params: dict[str, str], size: int, reps: int, seed: int, *, quantity: str, max_memory: Any = None
    ) -> MCEstimate:
        from asymptotics._validate import check_int

        size = check_int(decl.size_param, size, low=1)
        reps = check_int("reps", reps, low=1)
        seed = check_int("seed", seed, low=0)
        values = declared_values(model, params, size, size_in_theory)  # the declaration's model, as given
        out = decl.simulate(values, size, reps, np.random.default_rng(seed))
        if not isinstance(out, Mapping) or quantity not in out:
            raise ParameterError(
                f"the {name} simulator returned no {quantity!r} (it must return {{quantity: array of shape (reps,)}})."
            )
        samples = _samples(name, quantity, out[quantity], reps)
        shown = {k: params[k] for k in params}
        shown[decl.size_param] = str(size)
        return MCEstimate(quantity, samples, size, size, seed, shown, None)

    spec = SimulatorSpec(
        model=name,
        size_param=decl.size_param,
        sizes=sizes,
        quantities=quantities,
        simulator=simulator,
        points=getattr(decl, "points", None) or default_points(model, skip=(decl.size_param,) if size_in_theory else ()),
        curve_quantities=quantities,
        curve_axes=axes,
        curve_size=None if size_in_theory else sizes[-1],
        size_in_theory=size_in_theory,
    )
    if not isinstance(spec.size_param, str) or not spec.size_param.isidentifier():
        raise ParameterError(f"`size_param` of the {name} simulator must be a name such as 'n' or 'd'; got {spec.size_param!r}.")
    return spec
