"""Curves: one quantity along one parameter axis, float64 or certified, with a Monte Carlo overlay.

:func:`curve` is the engine of ``asymptotics curve``.  Parameters are strings (exact
decimals); exactly one has the form ``START:STOP:NUM`` (``numpy.linspace``, or
``geomspace`` with ``log=True``).  The float64 path uses the model's vectorized
``curve`` function; ``dps=N`` evaluates every point with the certified solver instead.

Monte Carlo overlays come from the ``asymptotics.simulators`` entry-point group, which
the separate ``validation`` package registers: this module never imports ``validation``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from ._validate import check_int, to_complex_fractions, to_fraction
from .errors import ConvergenceError, ParameterError
from .models import get_model
from .models._registry import ModelSpec, QuantitySpec
from .precision import DEFAULT_DPS, check_dps, serialized
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, CurveResult, format_value
from .tuning import float64_tunable, is_opt

SIMULATOR_GROUP = "asymptotics.simulators"
MAX_POINTS = 1_000_000
UsageError = ParameterError  # malformed curve requests are bad input

NUMERIC_KINDS = ("real", "complex", "int")


def _kind(model: ModelSpec, name: str) -> str:
    spec = model.params.get(name)
    return spec.kind if spec is not None else "real"


def _float_value(model: ModelSpec, name: str, text: str) -> Any:
    """A fixed parameter for the float64 path: parsed exactly, then rounded once.

    Non-numeric kinds (e.g. ridge's ``spectrum=power_law:...``) are passed on as text.
    """
    kind = _kind(model, name)
    if name == "lam" and is_opt(text):
        return "opt"  # the optimal penalty (asymptotics.tuning): the model's curve locates it
    try:
        if kind == "complex":
            re_, im_ = to_complex_fractions(name, text)
            return complex(float(re_), float(im_)) if im_ else float(re_)
        if kind == "int":
            return check_int(name, text)
        if kind == "real":
            return float(to_fraction(name, text, allow_inf=True))
    except OverflowError:  # e.g. gamma=1e400: exact, but beyond float64
        raise UsageError(f"`{name}`={text!r} is beyond float64 range; use the certified path (--dps N).") from None
    return text


@dataclass(frozen=True)
class Axis:
    name: str
    x: np.ndarray
    text: str
    kind: str = "real"

    def point(self, i: int) -> str:
        """The ``i``-th point as the string handed to the model (``repr`` of the float)."""
        return _point_text(self.x[i], self.kind)


def _point_text(x: Any, kind: str) -> str:
    x = float(x)
    return str(int(x)) if kind == "int" and x.is_integer() else repr(x)


def parse_axis(name: str, spec: str, log: bool, kind: str = "real") -> Axis:
    parts = spec.split(":")
    if len(parts) != 3:
        raise UsageError(f"axis `{name}`={spec!r} must have the form START:STOP:NUM, e.g. {name}=0.1:3:60.")
    try:
        start, stop = float(to_fraction(name, parts[0])), float(to_fraction(name, parts[1]))
    except (ParameterError, OverflowError):  # OverflowError: beyond float64 (1e400)
        raise UsageError(f"axis `{name}`={spec!r}: START and STOP must be finite real numbers within float64 range.") from None
    try:
        num = check_int(name, parts[2], low=1, high=MAX_POINTS)
    except ParameterError:
        raise UsageError(f"axis `{name}`={spec!r}: NUM must be an integer in [1, {MAX_POINTS}].") from None
    if log:
        if start <= 0 or stop <= 0:
            raise UsageError(f"axis `{name}`={spec!r}: --log needs START > 0 and STOP > 0.")
        x = np.geomspace(start, stop, num)
    else:
        x = np.linspace(start, stop, num)
    return Axis(name, x, spec, kind)


def curve(
    model_name: str,
    quantity: str,
    params: dict[str, str],
    *,
    log: bool = False,
    dps: int | None = None,
    mc: int | None = None,
    seed: int = 0,
    n: int | None = None,
    progress: bool = True,
) -> tuple[CurveResult, list[list[str]]]:
    """Evaluate ``quantity`` along one axis: a :class:`CurveResult` and its value strings.

    This is what ``asymptotics curve`` runs; notebooks and scripts call it directly.

    ``params`` maps names to strings; exactly one has the form ``START:STOP:NUM``.
    The second return value holds, per point, the value as text (``repr`` of the float,
    or ``dps`` significant digits on the certified path); one string per component.
    """
    model = get_model(model_name)
    q = model.quantity(quantity)
    # an axis is a numeric parameter given as START:STOP:NUM (text kinds such as
    # `spectrum=power_law:p=100,...` may contain colons of their own)
    axes = [k for k, v in params.items() if ":" in v and _kind(model, k) in NUMERIC_KINDS]
    if len(axes) != 1:
        found = "none" if not axes else ", ".join(f"`{a}`" for a in axes)
        raise UsageError(f"curve needs exactly one axis parameter NAME=START:STOP:NUM (e.g. gamma=0.1:3:60); found {found}.")
    model.check_names(q, list(params))
    axis = parse_axis(axes[0], params[axes[0]], log, _kind(model, axes[0]))
    fixed = {k: v for k, v in params.items() if k != axis.name}
    if dps is not None:
        dps = check_dps(dps)
    if mc is not None:
        check_int("mc", mc, low=1)
        if is_opt(fixed.get("lam")):
            raise UsageError("--mc with `lam`=opt: the simulators take a number for lam; give lam=VALUE (e.g. eval's lam_star).")
        simulator = load_simulator(model.name)  # fail early, before the theory is computed
    if dps is not None or q.curve is None or (is_opt(fixed.get("lam")) and not float64_tunable(q)):
        values, status, texts = _certified_curve(model, q, axis, fixed, dps if dps is not None else DEFAULT_DPS, progress)
    else:
        values, status, texts = _float_curve(model, q, axis, fixed)
    mc_mean = mc_se = mc_hist = None
    if mc is not None:
        extras: dict[str, Any] = {}
        more = {"extras": extras} if _accepts(simulator, "extras") else {}
        try:
            mc_mean, mc_se = simulator(
                model.name, q.name, axis.name, axis.x.copy(), dict(fixed), reps=mc, seed=seed, n=n, progress=progress, **more
            )
        except NotImplementedError as exc:
            raise UsageError(f"Monte Carlo for {model.name} {q.name}: {exc}") from None
        mc_hist = _histogram(extras.get("hist"))
        mc_mean, mc_se = np.asarray(mc_mean, dtype=float), np.asarray(mc_se, dtype=float)
    dense = dense_theory(model.name, q.name, axis.name, axis.x, fixed, log=log)
    th_x, th_v, th_s = dense if dense is not None else (None, None, None)
    result = CurveResult(
        model.name, q.name, axis.name, axis.x, values, status, dict(fixed), mc_mean, mc_se, mc, th_x, th_v, th_s, mc_hist, log
    )
    return result, texts


DENSE_POINTS = 400
"""Points of the dense float64 theory grid that :func:`curve` adds for figures (before the table's
points and the threshold locations are inserted)."""

DENSE_CERTIFIED_POINTS = 200
"""At most this many points on the denser certified grid of a quantity without a float64 curve
(:func:`dense_theory` with ``budget > 0``)."""

STEPWISE = ("staircase",)
"""Piecewise-constant quantities: their dense grid brackets every jump (a point just either side of
each threshold), so a figure draws a vertical step, never a slanted segment."""


def dense_grid(
    model_name: str, quantity: str, axis: str, x: Any, params: dict[str, Any], *, log: bool = False, num: int = DENSE_POINTS
) -> np.ndarray:
    """The dense axis grid of a figure: ``num`` points over ``[min x, max x]`` plus ``x`` and the thresholds.

    Parameters
    ----------
    model_name, quantity, axis : str
        The curve (registry names; ``axis`` the swept parameter).
    x : array_like
        The table's points (kept in the grid).
    params : dict
        The fixed parameters (strings or numbers), used to locate the thresholds
        (:func:`asymptotics.thresholds.locate_thresholds`).
    log : bool, keyword-only
        Geometric spacing (needs ``min x > 0``).
    num : int, keyword-only
        Points of the even (or geometric) part of the grid.

    Returns
    -------
    numpy.ndarray
        Sorted, unique float64 points; integers only on an integer axis (``kind="int"``).

    Examples
    --------
    >>> g = dense_grid("ridge", "risk", "gamma", [0.1, 3.0], {"lam": "0"}, num=50)
    >>> len(g), bool(1.0 in g)
    (51, True)
    """
    from .thresholds import locate_thresholds

    model = get_model(model_name)
    x = np.asarray(x, dtype=float).reshape(-1)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        return np.unique(x)
    even = np.geomspace(lo, hi, num) if log and lo > 0 else np.linspace(lo, hi, num)
    marks = np.asarray([t for t, _ in locate_thresholds(model.name, quantity, axis, lo, hi, params)], dtype=float)
    if model.quantity(quantity).name in STEPWISE and marks.size:  # a jump: one point just either side
        eps = 1e-9 * (hi - lo)
        marks = np.concatenate([marks, marks - eps, marks + eps])
        marks = marks[(marks >= lo) & (marks <= hi)]
    grid = np.unique(np.concatenate([even, x, marks]))
    if _kind(model, axis) == "int":
        grid = np.unique(np.round(grid))
        if hi - lo <= 4 * num:
            grid = np.arange(np.ceil(lo), np.floor(hi) + 1.0)
    return grid


def dense_theory(
    model_name: str,
    quantity: str,
    axis: str,
    x: Any,
    params: dict[str, Any],
    *,
    log: bool = False,
    num: int = DENSE_POINTS,
    budget: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The float64 theory on the :func:`dense_grid` of a figure: ``(x, values, status)``, or ``None``.

    ``None`` when the quantity has no float64 curve (and ``budget`` is 0), or when the fixed
    parameters cannot be evaluated in float64 (the figure then falls back to the table's points).
    Status codes as in :class:`~asymptotics.result.CurveResult`.

    A quantity without a float64 curve is evaluated with the certified solver at 15 digits when
    ``budget > 0``: on a grid of at most :data:`DENSE_CERTIFIED_POINTS` points, fewer when the
    first points show that the grid would take longer than ``budget`` seconds; a piecewise-constant
    quantity (:data:`STEPWISE`) only at the table's points and just either side of each jump.
    ``None`` when this adds no point to the table's.

    Parameters
    ----------
    model_name, quantity, axis : str
        The curve.
    x : array_like
        The table's points; the dense grid spans their range.
    params : dict
        The fixed parameters (strings such as ``"0.25"`` or numbers).
    log, num : keyword-only
        As for :func:`dense_grid`.
    budget : float, keyword-only
        Seconds the certified path may spend (quantities without a float64 curve; 0: none).

    Returns
    -------
    tuple of numpy.ndarray, or None

    Examples
    --------
    >>> gx, v, st = dense_theory("ridge", "risk", "gamma", [0.5, 1.5], {"lam": "0", "sigma2": "0.25"}, num=11)
    >>> float(gx[5]), int(st[5])                  # γ = 1 is on the grid: the value is +inf
    (1.0, 1)
    """
    model = get_model(model_name)
    q = model.quantity(quantity)
    if q.curve is None:
        return _dense_certified(model, q, axis, x, params, log=log, budget=budget) if budget > 0 else None
    try:
        grid = dense_grid(model.name, q.name, axis, x, params, log=log, num=num)
        if grid.size < 2:
            return None
        kwargs = {k: _float_value(model, k, str(v) if isinstance(v, int | float) else v) for k, v in params.items()}
        values, status = q.curve(**{axis: grid, **kwargs})
    except (ParameterError, ConvergenceError, ArithmeticError, ValueError, TypeError):
        return None
    values, status = np.asarray(values), np.asarray(status, dtype=int)
    if np.iscomplexobj(values) and not np.any(values.imag[~np.isnan(values.imag)]):
        values = values.real
    if values.shape[:1] != grid.shape:
        return None
    return grid, values, status


def _dense_certified(
    model: ModelSpec, q: QuantitySpec, axis: str, x: Any, params: dict[str, Any], *, log: bool, budget: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`dense_theory` for a quantity without a float64 curve: certified values (15 digits) on a
    grid sized to ``budget`` seconds, measured on the first points."""
    import time

    x = np.asarray(x, dtype=float).reshape(-1)
    x = x[np.isfinite(x)]
    if x.size == 0 or _kind(model, axis) not in ("real", "int"):
        return None
    try:
        stepwise = q.name in STEPWISE
        grid = dense_grid(model.name, q.name, axis, x, params, log=log, num=2 if stepwise else DENSE_CERTIFIED_POINTS)
    except (ParameterError, ArithmeticError, ValueError, TypeError):
        return None
    if grid.size <= np.unique(x).size:
        return None
    fixed = {k: v if isinstance(v, str) else repr(v) for k, v in params.items()}
    kind = _kind(model, axis)

    def value(xi: float) -> tuple[Any, int]:
        try:
            v = q.certified(**{axis: _point_text(xi, kind), **fixed}, dps=15).value
        except ParameterError:
            return None, STATUS_DOMAIN
        except ConvergenceError:
            return None, STATUS_NOT_CONVERGED
        parts = v if isinstance(v, tuple | list) else (v,)
        if any(isinstance(p, mpmath.mpc) and p.imag != 0 for p in parts) or len(parts) != 1:
            raise TypeError("a dense certified grid is drawn for real scalar quantities only")
        return float(mpmath.re(parts[0])), STATUS_INFINITE if mpmath.isinf(parts[0]) else STATUS_OK

    start = time.perf_counter()
    probe = [grid[0], grid[-1], grid[grid.size // 2]]
    try:
        first = [value(float(p)) for p in probe]
    except TypeError:
        return None
    per_point = (time.perf_counter() - start) / len(probe)
    if not stepwise and per_point * grid.size > budget:  # thin the even part, keeping the table's points and thresholds
        room = int(budget / max(per_point, 1e-9)) - grid.size + DENSE_CERTIFIED_POINTS  # what the even part may keep
        if room < max(10, x.size // 2):
            return None
        try:
            grid = dense_grid(model.name, q.name, axis, x, params, log=log, num=room)
        except (ParameterError, ArithmeticError, ValueError, TypeError):
            return None
    known = dict(zip((float(p) for p in probe), first, strict=True))
    values = np.full(grid.size, np.nan)
    status = np.full(grid.size, STATUS_OK, dtype=int)
    try:
        for i, xi in enumerate(grid):
            v, st = known.get(float(xi)) or value(float(xi))
            values[i] = np.nan if v is None else v
            status[i] = st
            if time.perf_counter() - start > 3 * budget:  # far slower than measured: give up on the dense grid
                return None
    except TypeError:
        return None
    return grid, values, status


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` takes the keyword ``name`` (an overlay function of another package may not)."""
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _histogram(h: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """``(edges, heights)`` as float arrays with ``len(edges) == len(heights) + 1``, else ``None``."""
    if h is None:
        return None
    edges, heights = (np.asarray(a, dtype=float).reshape(-1) for a in h)
    return (edges, heights) if edges.size == heights.size + 1 and heights.size else None


def _float_curve(
    model: ModelSpec, q: QuantitySpec, axis: Axis, fixed: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    assert q.curve is not None
    kwargs = {k: _float_value(model, k, v) for k, v in fixed.items()}
    values, status = q.curve(**{axis.name: axis.x, **kwargs})
    values, status = np.asarray(values), np.asarray(status, dtype=int)
    if status.size and np.all(status == STATUS_DOMAIN):
        _raise_domain_error(q, axis, fixed)
    if np.iscomplexobj(values) and not np.any(values.imag[~np.isnan(values.imag)]):
        values = values.real  # e.g. the Stieltjes transform on the real axis
    texts = [[_float_text(v)] for v in values]
    return values, status, texts


def _raise_domain_error(q: QuantitySpec, axis: Axis, fixed: dict[str, str]) -> None:
    """Every point is outside the domain: the certified path names the bad parameter."""
    q.certified(**{axis.name: axis.point(0), **fixed}, dps=15)
    raise UsageError(f"every point of the curve over `{axis.name}` = {axis.text} lies outside the domain of {q.name}.")


def _float_text(v: Any) -> str:
    if isinstance(v, complex | np.complexfloating):
        return str(complex(v)).strip("()")
    return repr(float(v))


@serialized  # formats with mpmath.workdps: the global precision
def _certified_curve(
    model: ModelSpec, q: QuantitySpec, axis: Axis, fixed: dict[str, str], dps: int, progress: bool
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    from tqdm import tqdm

    raw: list[Any] = []
    status: list[int] = []
    first_error: ParameterError | None = None
    bar = tqdm(
        axis.x,
        desc=f"{model.name} {q.name} (dps={dps})",
        unit="pt",
        file=sys.stderr,
        disable=None if progress else True,
        leave=False,
    )
    for i, x in enumerate(bar):
        try:
            v = q.certified(**{axis.name: axis.point(i), **fixed}, dps=dps).value
        except ParameterError as exc:
            first_error = first_error or exc
            raw.append(None)
            status.append(STATUS_DOMAIN)
            continue
        except ConvergenceError as exc:
            bar.write(f"asymptotics: warning: {axis.name}={float(x)!r}: {str(exc).splitlines()[0]}", file=sys.stderr)
            raw.append(None)
            status.append(STATUS_NOT_CONVERGED)
            continue
        raw.append(v)
        parts = v if isinstance(v, tuple | list) else (v,)
        status.append(STATUS_INFINITE if any(mpmath.isinf(p) for p in parts) else STATUS_OK)
    bar.close()
    if first_error is not None and all(s == STATUS_DOMAIN for s in status):
        raise first_error
    values, texts = pack_certified(raw, dps)
    return values, np.asarray(status, dtype=int), texts


def pack_certified(raw: list[Any], dps: int) -> tuple[np.ndarray, list[list[str]]]:
    """Certified values (``mpf``/``mpc``, tuples of them for vector quantities, ``None`` for a failed point)
    as a float64 (or complex128) array, one column per component, and their ``dps``-digit texts."""
    width = max((len(v) if isinstance(v, tuple | list) else 1 for v in raw if v is not None), default=1)
    flat = [x for v in raw if v is not None for x in (v if isinstance(v, tuple | list) else (v,))]
    is_complex = any(isinstance(x, mpmath.mpc) and x.imag != 0 for x in flat)
    values = np.full((len(raw), width) if width > 1 else len(raw), np.nan, dtype=complex if is_complex else float)
    texts: list[list[str]] = []
    for i, v in enumerate(raw):
        if v is None:
            texts.append(["nan"] * width)
            continue
        parts = list(v) if isinstance(v, tuple | list) else [v]
        with mpmath.workdps(dps + 10):
            texts.append([str(format_value(x, dps)) for x in parts])
        nums = [complex(x) if is_complex else float(mpmath.re(x)) for x in parts]
        values[i] = nums if width > 1 else nums[0]
    return values, texts


DEFAULT_SIMULATOR = "default"
"""Entry of the ``asymptotics.simulators`` group used for a model without an entry of its own that
declares a :class:`~asymptotics.models._registry.SimulatorDecl` (models defined with
:mod:`asymptotics.model_api`): ``validation``'s generic adapter of such declarations."""


def load_simulator(model_name: str) -> Callable[..., Any]:
    """The Monte Carlo overlay function for ``model_name`` from the ``asymptotics.simulators`` group.

    An entry named after the model wins; a model that declares a simulator (``ModelSpec.simulator``)
    but has no entry of its own gets the group's ``default`` entry (or, failing that, any entry:
    they all lead to ``validation``'s registry, which adapts the declaration).
    """
    from importlib.metadata import entry_points

    hint = "Monte Carlo (--mc) needs the `validation` package installed: run `pip install -e .` in the asymptotics repository"
    group = list(entry_points(group=SIMULATOR_GROUP))
    matches = [ep for ep in group if ep.name == model_name]
    if not matches and get_model(model_name).simulator is not None:
        matches = [ep for ep in group if ep.name == DEFAULT_SIMULATOR] or group[:1]
    if not matches:
        if group:  # validation is installed: this model has no simulator at all
            raise UsageError(
                f"model {model_name!r} has no Monte Carlo simulator (--mc); models with one: "
                f"{', '.join(sorted(ep.name for ep in group if ep.name != DEFAULT_SIMULATOR))}, and any model "
                "that declares a simulator (see 'Defining your own model' in the README)."
            )
        raise UsageError(f"{hint} (no simulator registered for model {model_name!r}).")
    try:
        return matches[0].load()
    except (ImportError, AttributeError) as exc:
        raise UsageError(
            f"{hint} (loading {matches[0].value} failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__})."
        ) from None
