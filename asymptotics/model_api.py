r"""Defining a model: parameters, equations, formulas written once, a source, a simulator.

A model is declared once and then works everywhere a built-in model does: certified values
(``get_model(name).quantity(q).certified(..., dps=N)``), float64 curves
(:func:`asymptotics.curve`), LaTeX (``system()``), ``asymptotics eval/curve/latex/list`` (with
``--json``), and, when a simulator is declared, Monte Carlo overlays (``--mc``) and campaigns
through the ``validation`` package.

>>> import asymptotics as A
>>> def formulas(B, gamma, lam):                       # isotropic ridge, closed form
...     c = lam + gamma - 1
...     root = B.hypot(c, 2 * B.sqrt(lam))
...     kappa = B.where(c >= 0, (c + root) / 2, 2 * lam / (root - c))
...     return {"kappa": kappa, "variance": gamma / ((1 + kappa) * root)}
>>> spec = A.define_model(
...     "toy_ridge", doc="isotropic ridge, unit noise", formulas=formulas,
...     params=[A.Param("gamma", "p/n", low=0, low_open=True), A.Param("lam", "penalty", default="0.1", low=0)],
...     quantities={"kappa": "effective regularization", "variance": "variance of the risk"})
>>> print(spec.quantity("kappa").certified(gamma="0.5", lam="0.5", dps=20))   # κ² − 0.5 = 0
0.70710678118654752440
>>> spec.quantity("kappa").curve(gamma=[0.5, -1.0], lam=0.5)
(array([0.70710678,        nan]), array([0, 2]))

The pieces
----------
``params``
    :class:`Param` objects: a name, a doc string, a kind (``"real"``, ``"int"``, ``"complex"``
    or ``"text"``), a default (as text; ``None`` = required) and a range (``low``/``high``,
    open or closed, ``allow_inf`` for ``+inf``; ``choices`` for text).  Inputs are parsed
    **exactly** (``"0.001"`` is 1/1000) and range-checked before anything is computed; a bad
    value raises :class:`~asymptotics.errors.ParameterError` naming the parameter and its
    range (one line; exit code 2 on the command line).  Text is data: it is never evaluated.
``formulas``
    One function ``formulas(B, **params) -> {quantity: value, ...}``, written once against a
    backend ``B`` (:mod:`asymptotics.backend`): ``B = MP`` gives mpmath numbers at the
    working precision (the certified path), ``B = NP`` float64 arrays (the curves).  Use
    operators and ``B.sqrt``, ``B.log``, ``B.where``, ... only; select branches with
    ``B.where``, never with ``if`` on a number; a fixed point is solved with
    :func:`asymptotics.solve.roots.increasing_root` (``ops=B``, ``rtol=root_tolerance(B)``,
    ``throw=False``).  Besides the declared quantities the dict may hold ``"residual"`` (the
    relative residual of the defining equation at the solution: the certified path refuses
    a residual above a few ulps of the working precision) and ``"converged"`` (the root
    finder's flag: ``False`` gives a ``ConvergenceError`` / status 3).  On ``MP`` real
    parameters arrive as ``mpf``, integers as ``int``, complex ones as ``mpc``; on ``NP``
    numbers arrive as broadcast float64 (complex128) arrays; text arrives as ``str`` on both.
    ``B.where`` evaluates both branches, and on ``MP`` a division by zero raises (mpmath) even
    in the branch not selected: write ``B.div(a, b)`` where ``b`` can vanish (``±inf`` or NaN,
    as numpy), e.g. ``B.where(x == 0, 1 + 0 * x, B.div(B.expm1(x), x))``, or keep every
    denominator nonzero in both branches (a ``ZeroDivisionError`` is reported as a
    ``ConvergenceError``, status 3 on a curve).  ``B.sqrt``/``B.log``/``B.log1p`` of a negative
    *real* number are NaN on both backends (complex parameters get the principal branch).
``domain`` (optional)
    ``domain(B, **params) -> condition`` for constraints that involve several parameters.
    The certified path calls it with the *exact* inputs (``Fraction``; complex parameters as
    ``mpc`` at ``dps + 20`` digits), so write it with arithmetic, comparisons and
    ``B.land``/``B.lor``/``B.lnot``; a point outside (or a division by zero in the condition)
    is a ``ParameterError`` quoting ``domain_doc`` (status 2 on a curve).
``equations`` (optional)
    A callable returning a :class:`~asymptotics.symbolic.system.FixedPointSystem` (or a list of
    ``sympy.Eq``, or ``(equations, {name: expression})``); it becomes ``system()`` and the
    LaTeX export (``asymptotics latex NAME``).  SymPy is imported only when it is called.
``source``, ``simulator``
    A :class:`~asymptotics.references.Source` shown with every result, and a
    :class:`~asymptotics.models._registry.SimulatorDecl` that ``validation`` turns into an
    entry of its simulator registry.

Registering
-----------
:func:`register_model` (or :func:`define_model` followed by
:func:`asymptotics.models.register`) adds the model to the registry of the running process.
A package makes its models available to every process — the CLI included — through the
entry-point group ``asymptotics.models`` in its ``pyproject.toml``::

    [project.entry-points."asymptotics.models"]
    spiked = "mypackage.spiked:MODEL"

where ``MODEL`` is the module-level result of :func:`define_model` or :func:`register_model`.
The built-in models are declared the same way; entry points are loaded on first use.

The float64 promise
-------------------
A curve point with status 0 has at least six correct significant digits.  The built-in
models prove it with error bounds of their own; a user formula comes without such a proof,
so by default every float64 point with status 0 or 1 is **cross-checked** against the same
formula on the ``MP`` backend at the very same (binary) inputs, at two precisions:
``crosscheck_dps`` (20) digits plus the decades spanned by the point's inputs and 1, and
twice that; where the float64 value differs from either by more than ``tolerance`` (``1e-6``)
relative, or an ``MP`` evaluation fails, the point gets status 3 and NaN.  This catches
float64 cancellation (also of a parameter against a constant: ``(1 + x) - 1`` at
``x = 1e-40``), overflow and underflow; it costs two ``MP`` evaluations per point (about
0.1 ms for a closed form, 1–2 ms for a fixed point).  It does not catch a wrong formula,
nor a cancellation so complete that it is total at both precisions (constants of the formula
beyond ~1e40, the limitation of any comparison between precisions, see
:mod:`asymptotics.precision`).  The certified path counts 1 among the inputs in the same way
when it adds guard digits for their dynamic range (``x = 1e-80`` alone runs rungs past 80
digits).  A model that can bound its float64 error passes
``error_bound(values, **params) -> relative error bound`` (on ``NP`` arrays, ``values`` being
the formulas' dict) instead: points whose bound exceeds ``tolerance`` get status 3, and the
cross-check is skipped.  Other statuses: 1 where the value is ``+inf`` (and the check
agrees), 2 outside the declared ranges or ``domain``, 3 NaN, not converged or failed check.

Threads: every callable of the returned :class:`~asymptotics.models._registry.ModelSpec`
runs under :data:`~asymptotics.precision.MPMATH_LOCK` (see :func:`~asymptotics.precision.serialized`).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from ._validate import check_int, check_real, describe, exact_str, float_arrays, to_complex_fractions, to_fraction
from .backend import MP, NP, Backend
from .errors import ConvergenceError, ParameterError
from .models._registry import (
    _ALIASES,
    _LOAD_LOCK,
    BUILTIN_ALIASES,
    BUILTIN_MODELS,
    REGISTRY,
    ModelSpec,
    ParamSpec,
    QuantitySpec,
    SimulatorDecl,
    register,
)
from .precision import (
    DEFAULT_DPS,
    GUARD_DPS,
    MPMATH_LOCK,
    certify,
    check_dps,
    dynamic_range,
    residual_tolerance,
    serialized,
)
from .references import Source
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, Result, checked_status

__all__ = ["Param", "define_model", "register_model", "root_tolerance", "unregister_model"]

KINDS = ("real", "int", "complex", "text")
RESERVED = ("residual", "converged")
"""Keys of the formulas' dict that are not quantities."""

PROOF_NOTE = (
    "proven when the formulas use only the backend B (operators, B.sqrt, B.where, ...): no mpmath "
    "calls or constants, no `if` on a number, no iterative root finder"
)
"""``QuantitySpec.proof_note`` of every user-model quantity (``proof="partial"``)."""

MAX_TEXT = 10_000
"""Longest accepted text parameter (characters)."""

MAX_CROSSCHECK_DPS = 1_000
"""Cap of the cross-check precision (``crosscheck_dps`` plus the inputs' decades)."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def root_tolerance(B: Backend) -> Any:
    """Relative tolerance for :func:`~asymptotics.solve.roots.increasing_root` on backend ``B``.

    Parameters
    ----------
    B : Backend
        :data:`~asymptotics.backend.MP` or :data:`~asymptotics.backend.NP`.

    Returns
    -------
    number
        ``10**-(dps - 2)`` at mpmath's current precision for ``MP``; ``1e-14`` (a few float64
        ulps) otherwise.
    """
    if B.name == "mp":
        return mpmath.mpf(10) ** (-(mpmath.mp.dps - 2))
    return 1e-14


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Param:
    """One parameter of a user-defined model.

    Parameters
    ----------
    name : str
        A Python identifier (the keyword of ``formulas`` and of ``NAME=VALUE`` on the CLI).
    doc : str
        One line for ``asymptotics list`` and error messages.
    kind : {"real", "int", "complex", "text"}
        How the value is parsed.
    default : str, number or None
        Default value (stored as text); ``None`` makes the parameter required.
    low, high : number or str, optional
        Range of a ``real`` or ``int`` parameter (exact: ``"1/3"`` is one third).
    low_open, high_open : bool
        Exclude the bound (``low=0, low_open=True`` means ``> 0``).
    allow_inf : bool
        Accept ``+inf`` for a ``real`` parameter.
    choices : tuple of str
        Allowed values of a ``text`` parameter (empty: any text up to :data:`MAX_TEXT` characters).
    """

    name: str
    doc: str = ""
    kind: str = "real"
    default: Any = None
    low: Any = None
    high: Any = None
    low_open: bool = False
    high_open: bool = False
    allow_inf: bool = False
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ParameterError(f"parameter name {describe(self.name)} must be a Python identifier.")
        if self.kind not in KINDS:
            raise ParameterError(f"`{self.name}`: kind {describe(self.kind)} is not one of {', '.join(KINDS)}.")
        if self.kind in ("complex", "text") and (self.low is not None or self.high is not None):
            raise ParameterError(f"`{self.name}`: a {self.kind} parameter takes no range (low/high).")
        if self.choices and self.kind != "text":
            raise ParameterError(f"`{self.name}`: only a text parameter takes `choices`.")
        set_(self, "choices", tuple(str(c) for c in self.choices))
        for end in ("low", "high"):
            v = getattr(self, end)
            if v is not None:
                set_(self, end, to_fraction(f"{self.name}.{end}", v))
        if self.default is not None:
            default = self.default if isinstance(self.default, str) else self.shown(self.parse(self.default))
            self.parse(default)  # the default must lie in the range
            set_(self, "default", default)

    # -- exact parsing (certified path)
    def parse(self, value: Any) -> Any:
        """Exact value of an input: ``Fraction`` (or ``math.inf``), ``int``, ``(re, im)`` or ``str``.

        Raises :class:`~asymptotics.errors.ParameterError` naming the parameter and its range.
        """
        if self.kind == "real":
            return check_real(
                self.name,
                value,
                low=self.low,
                high=self.high,
                low_open=self.low_open,
                high_open=self.high_open,
                allow_inf=self.allow_inf,
            )
        if self.kind == "int":
            k = check_int(self.name, value)
            if not self._int_in_range(k):
                raise ParameterError(f"`{self.name}` must be an integer {self.range_text()}; got {describe(k)}.")
            return k
        if self.kind == "complex":
            return to_complex_fractions(self.name, value)
        if not isinstance(value, str):
            raise ParameterError(f"`{self.name}` must be text; got {describe(value)}.")
        if len(value) > MAX_TEXT:
            raise ParameterError(f"`{self.name}` must be at most {MAX_TEXT} characters; got {len(value)}.")
        if self.choices and value not in self.choices:
            raise ParameterError(f"`{self.name}` must be one of {', '.join(self.choices)}; got {describe(value)}.")
        return value

    def _int_in_range(self, k: int) -> bool:
        ok = True
        if self.low is not None:
            ok &= k > self.low if self.low_open else k >= self.low
        if self.high is not None:
            ok &= k < self.high if self.high_open else k <= self.high
        return ok

    def shown(self, exact: Any) -> str:
        """Exact text of a parsed value (what :class:`~asymptotics.result.Result` stores)."""
        if self.kind == "int":
            return exact_str(Fraction(exact))
        if self.kind == "text":
            return exact
        return exact_str(exact)

    def to_backend(self, exact: Any) -> Any:
        """The parsed value as a number of the ``MP`` backend at the current precision."""
        if self.kind == "real":
            return mpmath.inf if exact == math.inf else MP.num(exact)
        if self.kind == "complex":
            return mpmath.mpc(MP.num(exact[0]), MP.num(exact[1]))
        return exact  # int, text

    def range_text(self) -> str:
        """The range in words (``> 0``, ``in [0, 1]``, ``one of a, b``), empty when unrestricted."""
        if self.kind == "text":
            return f"one of {', '.join(self.choices)}" if self.choices else ""
        lo = None if self.low is None else exact_str(self.low)
        hi = None if self.high is None else exact_str(self.high)
        if lo is not None and hi is not None:
            return f"in {'(' if self.low_open else '['}{lo}, {hi}{')' if self.high_open else ']'}"
        if lo is not None:
            return f"{'>' if self.low_open else '≥'} {lo}"
        if hi is not None:
            return f"{'<' if self.high_open else '≤'} {hi}"
        return ""

    # -- float64 path
    def mask(self, x: np.ndarray) -> np.ndarray:
        """Elementwise: the float64 value lies in the declared range (the domain of the curve)."""
        if self.kind == "complex":
            return np.isfinite(x)
        ok = np.isfinite(x) | ((x == np.inf) & self.allow_inf & (self.kind == "real"))
        if self.kind == "int":
            ok &= np.isfinite(x) & (x == np.round(x))
        with np.errstate(invalid="ignore"):
            if self.low is not None:
                lo = float(self.low)
                ok &= (x > lo) if self.low_open else (x >= lo)
            if self.high is not None:
                hi = float(self.high)
                ok &= (x < hi) if self.high_open else (x <= hi)
        return ok

    def safe_value(self) -> float:
        """A float inside the range, substituted for out-of-range points before the formulas run."""
        if self.default is not None and self.kind in ("real", "int"):
            v = float(self.parse(self.default))
            if math.isfinite(v):
                return v
        lo = None if self.low is None else float(self.low)
        hi = None if self.high is None else float(self.high)
        if lo is not None and hi is not None:
            v = (lo + hi) / 2
            return float(math.floor(v)) if self.kind == "int" and self._int_in_range(math.floor(v)) else v
        if lo is not None:
            return lo + 1
        if hi is not None:
            return hi - 1
        return 0.0 if self.kind == "int" else 1.0

    def spec(self) -> ParamSpec:
        """The registry's :class:`~asymptotics.models._registry.ParamSpec` of this parameter."""
        rng = self.range_text()
        doc = f"{self.doc}, {rng}" if self.doc and rng else (self.doc or rng)
        return ParamSpec(self.name, doc, self.default, self.kind, parse=self.parse)


# ----------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class _Declared:
    """Everything :func:`define_model` was given, validated; shared by the generated callables."""

    name: str
    params: tuple[Param, ...]
    formulas: Callable[..., Mapping[str, Any]]
    domain: Callable[..., Any] | None
    domain_doc: str
    error_bound: Callable[..., Any] | None
    tolerance: float
    crosscheck_dps: int
    range_guard: bool
    branch: str | None
    source: Source | None
    quantities: tuple[str, ...] = ()

    @property
    def by_name(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def gather(self, args: tuple[Any, ...], kw: dict[str, Any], what: str, fill: tuple[str, ...] = ()) -> dict[str, Any]:
        """Positional and keyword inputs → ``{name: raw value}`` with defaults; unknown/missing names refused,
        except those in ``fill`` (a quantity that does not depend on them): a point of their range."""
        names = [p.name for p in self.params]
        if len(args) > len(names):
            raise ParameterError(
                f"{what} takes at most {len(names)} positional parameters ({', '.join(names)}); got {len(args)}."
            )
        given = dict(zip(names, args, strict=False))
        for k, v in kw.items():
            if k in given:
                raise ParameterError(f"{what}: parameter `{k}` given twice.")
            given[k] = v
        unknown = [k for k in given if k not in names]
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(f'`{u}`' for u in unknown)} for {what}; valid: {', '.join(names)}."
            )
        out = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = given[p.name]
            elif p.default is not None:
                out[p.name] = p.default
            elif p.name in fill:
                out[p.name] = p.safe_value()
            else:
                raise ParameterError(f"missing parameter `{p.name}` for {what} ({p.doc}{', ' if p.doc else ''}{p.range_text()}).")
        return out


def _free(quantity: str) -> tuple[str, ...]:
    """Parameters that ``quantity`` does not depend on although ``formulas`` takes them: ``lam`` for an
    optimizer (``optimal_lambda*``, ``optimal_risk*``), so that ``lam=opt`` (:mod:`asymptotics.tuning`)
    can call it without ``lam``; when omitted it is filled with a point of its range."""
    return ("lam",) if quantity.startswith(("optimal_lambda", "optimal_risk")) else ()


def _call(decl: _Declared, B: Backend, values: dict[str, Any]) -> Mapping[str, Any]:
    out = decl.formulas(B, **values)
    if not isinstance(out, Mapping):
        raise TypeError(f"model {decl.name!r}: formulas() must return a dict of quantities; got {type(out).__name__}.")
    missing = [q for q in decl.quantities if q not in out]
    if missing:
        raise TypeError(f"model {decl.name!r}: formulas() returned no {', '.join(map(repr, missing))} (declared quantities).")
    return out


def _make_certified(decl: _Declared, quantity: str) -> Callable[..., Result]:
    what = f"{decl.name} {quantity}"
    by_name = decl.by_name

    def certified(*args: Any, dps: int = DEFAULT_DPS, **kw: Any) -> Result:
        raw = decl.gather(args, kw, what, _free(quantity))
        exact = {k: by_name[k].parse(v) for k, v in raw.items()}
        shown = {k: by_name[k].shown(v) for k, v in exact.items()}
        dps = check_dps(dps)
        if decl.domain is not None and not _in_domain(decl, exact, dps):
            raise ParameterError(f"{what}: the parameters lie outside the domain ({decl.domain_doc}); got {_inline(shown)}.")

        def evaluate() -> tuple[Any, Any]:
            try:
                out = _call(decl, MP, {k: by_name[k].to_backend(v) for k, v in exact.items()})
            except ZeroDivisionError:
                raise ConvergenceError(f"{what}: division by zero in the formulas (a singular point).", params=shown) from None
            if not out.get("converged", True):
                raise ConvergenceError(f"{what}: the root finder did not converge.", params=shown)
            value, residual = out[quantity], out.get("residual")
            if isinstance(value, int | float):
                value = mpmath.mpf(value)
            if mpmath.isnan(value):
                raise ParameterError(f"{what}: the formula gives NaN at {_inline(shown)} (outside its domain).")
            if residual is not None:
                residual = abs(mpmath.mpmathify(residual))
                if not residual <= residual_tolerance():
                    raise ConvergenceError(
                        f"{what}: residual {mpmath.nstr(residual, 3)} of the defining equation too large.", params=shown
                    )
            return value, residual

        def ball_evaluate() -> tuple[Any, Any]:
            return _ball_evaluate(decl, quantity, exact, what)

        c = certify(evaluate, dps, what=what, params=shown, span=_span(decl, shown), prove=ball_evaluate)
        return Result(
            c.value, decl.name, quantity, shown, dps, c.residual, c.error_estimate, decl.branch, decl.source, **c.proof_fields()
        )

    certified.__name__ = quantity
    certified.__qualname__ = f"{decl.name}.{quantity}"
    certified.__doc__ = f"Certified value of {what} (``dps`` significant digits); parameters: {', '.join(by_name)}."
    return certified


class _NoBallRoute(ConvergenceError):
    """The user's formulas cannot run on balls (an mpmath-only call, ``if`` on a ball, an iterative
    root finder): more precision cannot help, so :func:`~asymptotics.ball.prove` does not retry and
    the precision ladder gives the value (``proven=False``)."""


def _no_reduction(_cond: Any) -> bool:
    raise _NoBallRoute(
        "B.all/B.any on balls: an iteration (a root finder) reduces a condition to stop; "
        "a fixed point iterated on balls is not proven for a user model"
    )


@functools.cache
def _user_ball_backend() -> Backend:
    """:data:`~asymptotics.ball.AB` for user formulas: ``all``/``any`` refuse at once.

    The one place a formula reduces a condition to a ``bool`` is an iteration's stopping test
    (:func:`~asymptotics.solve.roots.increasing_root`); run on balls, Newton's iteration widens
    the balls at every step and ends undecided after many steps.  Refusing at the first test
    sends the request to the ladder without that wasted work."""
    import dataclasses

    from .ball import AB

    return dataclasses.replace(AB, all=_no_reduction, any=_no_reduction)


def _ball_input(p: Param, exact: Any) -> Any:
    """An exact parsed input on the ball backend: a tight ball of the ``Fraction`` (exact when
    dyadic), ``+inf`` exactly, integers and text as they are (as on ``MP``)."""
    from .ball import AB, Ball

    if p.kind == "real":
        return AB.inf if exact == math.inf else AB.num(exact)
    if p.kind == "complex":
        re_, im_ = AB.num(exact[0]).v, AB.num(exact[1]).v
        from flint import acb

        return Ball(acb(re_, im_))
    return exact


def _ball_evaluate(decl: _Declared, quantity: str, exact: dict[str, Any], what: str) -> tuple[Any, Any]:
    """The user's formulas on balls (:data:`~asymptotics.ball.AB`) at the exact inputs: the proven
    route of a user model's certified value.

    The formulas are the same function the ``MP`` path runs, called with ``B`` = the ball backend,
    so the enclosure is of the very formula the ladder evaluates.  Inputs are balls of the exact
    parameters; Python floats in the formulas are exact binary constants on both paths; an
    ``mpmath`` number inside the formula (a constant rounded at the working precision) raises
    :class:`~asymptotics.ball.NotProven` (:func:`~asymptotics.ball.strict_inputs`).  Anything the
    formula does that balls do not support (an ``mpmath`` function, ``if`` on a ball, a root
    finder's iteration) ends the proof attempt: the ladder's estimate is returned, ``proven=False``.
    An undecided comparison (:class:`~asymptotics.ball.Undecided`) is retried with more bits.
    """
    from .ball import Ball, NotProven, strict_inputs, track_undecided

    by_name = decl.by_name
    B = _user_ball_backend()
    try:
        with strict_inputs():
            values = {k: _ball_input(by_name[k], v) for k, v in exact.items()}
            with track_undecided() as events:
                out = _call(decl, B, values)
            if events.bools:  # an `if` on an undecided comparison, even one the formula caught itself
                raise NotProven(f"{what}: the formulas branched on an undecided comparison of balls")
            converged = out.get("converged", True)
            if converged is not True:
                raise NotProven(f"{what}: the formulas' `converged` flag is not a proven True on balls")
            value, residual = Ball(out[quantity]), out.get("residual")
            if residual is not None:
                # the ladder refuses a residual above 10^-(dps - 3); so does the proof where the ball
                # proves it that large.  A wide residual ball (cancellation inside the residual) is
                # no reason to refuse: the proof is of the formula's value, whatever the residual.
                residual = Ball(residual)
                if (abs(residual) > Fraction(1, 10 ** max(mpmath.mp.dps - 3, 0))) is True:
                    raise NotProven(f"{what}: the residual of the defining equation is too large")
    except NotProven:
        raise
    except ConvergenceError as e:
        raise _NoBallRoute(f"{what}: {e}") from None
    except Exception as e:  # noqa: BLE001 -- a user formula may fail on balls in any way; the ladder decides
        raise _NoBallRoute(f"{what}: the formulas do not run on balls ({type(e).__name__}: {e})") from None
    return value, residual


def _in_domain(decl: _Declared, exact: dict[str, Any], dps: int) -> bool:
    """``decl.domain`` at the exact inputs: reals as ``Fraction``, complex numbers as ``mpc`` at
    ``dps + 2·GUARD_DPS`` digits (an exact pair would not support ``abs`` or arithmetic); a
    division by zero in the condition means outside (as NaN comparisons do on the float64 path)."""
    by_name, domain = decl.by_name, decl.domain
    if domain is None:
        return True
    with mpmath.workdps(dps + 2 * GUARD_DPS):
        values = {k: by_name[k].to_backend(v) if by_name[k].kind == "complex" else v for k, v in exact.items()}
        try:
            return bool(domain(MP, **values))
        except ZeroDivisionError:
            return False


def _span(decl: _Declared, shown: dict[str, str]) -> int:
    """Decades for :func:`~asymptotics.precision.certify`'s dynamic-range guard, with **1 counted as
    one of the numbers** and no parameter exempt.

    A user formula holds constants of order 1 (``(1 + x) - 1``), so one parameter far from 1 can
    cancel as well as two parameters far apart: with ``x = 1e-80`` alone the built-in rule sees
    no range and both rungs (40 and 50 digits) lose ``x`` completely, agreeing on 0."""
    if not decl.range_guard:
        return 0
    return dynamic_range({f"p{i}": v for i, v in enumerate([*shown.values(), "1"])})


def _inline(shown: dict[str, str]) -> str:
    return ", ".join(f"{k}={describe(v, 40)}" for k, v in shown.items())


def _make_curve(decl: _Declared, quantity: str) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    what = f"{decl.name} {quantity}"
    by_name = decl.by_name

    def curve(*args: Any, **kw: Any) -> tuple[np.ndarray, np.ndarray]:
        raw = decl.gather(args, kw, what, _free(quantity))
        texts = {k: by_name[k].parse(v) for k, v in raw.items() if by_name[k].kind == "text"}
        numeric = [p for p in decl.params if p.kind != "text"]
        real = float_arrays(**{p.name: raw[p.name] for p in numeric if p.kind != "complex"})
        cplx = float_arrays(complex, **{p.name: raw[p.name] for p in numeric if p.kind == "complex"})
        named = dict(zip([p.name for p in numeric if p.kind != "complex"], real, strict=True))
        named.update(zip([p.name for p in numeric if p.kind == "complex"], cplx, strict=True))
        try:
            arrays = dict(zip(named, np.broadcast_arrays(*named.values()), strict=True)) if named else {}
        except ValueError:
            shapes = ", ".join(f"{n} {a.shape}" for n, a in named.items())
            raise ParameterError(f"the array arguments do not broadcast to one shape: {shapes}.") from None
        shape = next(iter(arrays.values())).shape if arrays else ()
        ok = np.ones(shape, dtype=bool)
        for n, a in arrays.items():
            ok &= by_name[n].mask(a)
        inputs = {n: np.where(ok, a, by_name[n].safe_value()) for n, a in arrays.items()}
        inputs.update(texts)
        with np.errstate(all="ignore"):
            if decl.domain is not None:
                ok &= np.broadcast_to(np.asarray(decl.domain(NP, **inputs), dtype=bool), shape)
            out = _call(decl, NP, inputs)
            value = np.array(np.broadcast_to(np.asarray(out[quantity]), shape))
            if value.dtype.kind not in "fc":
                value = value.astype(float)
            conv = np.broadcast_to(np.asarray(out.get("converged", True), dtype=bool), shape)
        nan = np.isnan(value.real) | np.isnan(value.imag) if value.dtype.kind == "c" else np.isnan(value)
        status = np.where(~ok, STATUS_DOMAIN, np.where(~conv | nan, STATUS_NOT_CONVERGED, STATUS_OK))
        status = np.where((status == STATUS_OK) & np.isinf(value), STATUS_INFINITE, status)
        if decl.error_bound is not None:
            with np.errstate(all="ignore"):
                bound = np.broadcast_to(np.asarray(decl.error_bound(dict(out), **inputs), dtype=float), shape)
            status = np.where((status == STATUS_OK) & ~(bound <= decl.tolerance), STATUS_NOT_CONVERGED, status)
        else:
            status = _crosscheck(decl, quantity, inputs, texts, value, status)
        value = np.where(status >= STATUS_DOMAIN, np.nan, value)
        return checked_status(value, status)

    curve.__name__ = f"{quantity}_float64"
    curve.__qualname__ = f"{decl.name}.{quantity}_float64"
    curve.__doc__ = f"Float64 values and status codes of {what} (arrays broadcast; see asymptotics.model_api)."
    return curve


def _crosscheck(
    decl: _Declared, quantity: str, inputs: dict[str, Any], texts: dict[str, Any], value: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """Status 3 where the float64 value differs from the ``MP`` evaluation at the same inputs by > tolerance."""
    status = np.array(status, copy=True)
    flat_status = status.reshape(-1)
    flat_value = value.reshape(-1)
    arrays = {n: np.asarray(a).reshape(-1) for n, a in inputs.items() if n not in texts}
    by_name = decl.by_name
    for i in np.flatnonzero(flat_status <= STATUS_INFINITE):
        point = {n: _mp_input(by_name[n].kind, a[i]) for n, a in arrays.items()}
        if not _agrees(decl, quantity, {**point, **texts}, flat_value[i], _decades(point.values())):
            flat_status[i] = STATUS_NOT_CONVERGED
    return flat_status.reshape(status.shape)


def _mp_input(kind: str, x: Any) -> Any:
    if kind == "complex":
        return mpmath.mpc(complex(x))  # exact: a binary double converts without rounding
    if kind == "int":
        return int(x)
    return mpmath.mpf(float(x))


def _decades(values: Any) -> int:
    """Decades spanned by the nonzero finite inputs of one point and 1 (the cross-check's extra digits;
    1 stands for the formulas' constants, see :func:`_span`)."""
    logs = [0.0]
    for v in values:
        for part in (v.real, v.imag) if isinstance(v, mpmath.mpc) else (v,):
            part = mpmath.mpf(part)
            if part != 0 and mpmath.isfinite(part):
                logs.append(float(mpmath.log10(abs(part))))
    return math.ceil(max(logs) - min(logs))


def _agrees(decl: _Declared, quantity: str, point: dict[str, Any], v: Any, decades: int) -> bool:
    """Whether the float64 value ``v`` agrees with the ``MP`` evaluation at ``crosscheck_dps`` plus
    ``decades`` digits *and* at twice as many: a cancellation that is total at the first rung (of
    a constant of the formula far from 1, ``5 + ((x + 1e30) - 1e30)``, which float64 and 20 digits
    both give as 5) shows at the second."""
    dps = min(decl.crosscheck_dps + decades, MAX_CROSSCHECK_DPS)
    rungs = dict.fromkeys((dps, min(2 * dps, MAX_CROSSCHECK_DPS)))
    return all(_agrees_at(decl, quantity, point, v, d) for d in rungs)


def _agrees_at(decl: _Declared, quantity: str, point: dict[str, Any], v: Any, dps: int) -> bool:
    with MPMATH_LOCK, mpmath.workdps(dps):
        try:
            out = _call(decl, MP, point)
            if not out.get("converged", True):
                return False
            ref = mpmath.mpmathify(out[quantity])
        except (ZeroDivisionError, ArithmeticError, ValueError, ConvergenceError):
            return False
        if mpmath.isnan(ref):
            return False
        v_is_inf = bool(np.isinf(v))
        if mpmath.isinf(ref) or v_is_inf:
            return bool(mpmath.isinf(ref)) and v_is_inf and complex(ref) == complex(v)
        if ref == 0:
            return bool(v == 0)
        return bool(abs(mpmath.mpmathify(complex(v) if np.iscomplexobj(v) else float(v)) - ref) <= decl.tolerance * abs(ref))


# ----------------------------------------------------------------------------- equations
def _system_callable(name: str, equations: Callable[..., Any] | None, source: Source | None) -> Callable[..., Any]:
    if equations is None:

        def no_system() -> Any:
            raise ParameterError(f"model {name!r} declares no equations (define_model(..., equations=...)).")

        return no_system

    @functools.wraps(equations)
    @functools.lru_cache(maxsize=16)
    def system(*args: Any, **kw: Any) -> Any:
        return _as_system(name, equations(*args, **kw), source)

    return system


def _as_system(name: str, obj: Any, source: Source | None) -> Any:
    """A FixedPointSystem from what ``equations()`` returned (a system, a list of Eq, or (Eq list, quantities))."""
    import sympy as sp

    from .symbolic.system import FixedPointSystem

    if isinstance(obj, FixedPointSystem):
        return obj
    quantities: dict[str, Any] = {}
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], Mapping):
        obj, quantities = obj[0], dict(obj[1])
    eqs = (obj,) if isinstance(obj, sp.Eq) else tuple(obj)
    if not all(isinstance(e, sp.Eq) for e in eqs):
        raise TypeError(
            f"model {name!r}: equations() must return a FixedPointSystem, sympy.Eq objects or (equations, quantities)."
        )
    symbols = sorted({s for e in eqs for s in e.free_symbols}, key=str)
    return FixedPointSystem(
        name=name, unknowns=(), parameters=tuple(symbols), equations=eqs, quantities=quantities, source=source
    )


# ----------------------------------------------------------------------------- public
def define_model(
    name: str,
    *,
    doc: str,
    params: Sequence[Param],
    quantities: Mapping[str, str],
    formulas: Callable[..., Mapping[str, Any]],
    equations: Callable[..., Any] | None = None,
    source: Source | None = None,
    simulator: SimulatorDecl | None = None,
    domain: Callable[..., Any] | None = None,
    domain_doc: str = "",
    error_bound: Callable[..., Any] | None = None,
    tolerance: float = 1e-6,
    crosscheck_dps: int = 20,
    range_guard: bool = True,
    branch: str | None = None,
    aliases: Sequence[str] = (),
) -> ModelSpec:
    """Build a :class:`~asymptotics.models._registry.ModelSpec` from a declaration (not registered).

    Parameters
    ----------
    name : str
        Model name (a Python identifier; not one of the built-in models).
    doc : str
        One line for ``asymptotics list``.
    params : sequence of Param
        The parameters, in the order of positional arguments.
    quantities : mapping of str to str
        Quantity name → one-line description; each must be a key of ``formulas``'s dict.
    formulas : callable
        ``formulas(B, **params) -> dict``, written once for every backend (module docstring).
    equations : callable, optional
        Returns the SymPy system (``system()``, LaTeX).
    source : Source, optional
        Where the formulas come from (shown with each result).
    simulator : SimulatorDecl, optional
        The finite-size simulator for ``validation`` (Monte Carlo overlays and campaigns).
    domain : callable, optional
        ``domain(B, **params) -> condition`` for joint constraints; ``domain_doc`` says it in words.
    domain_doc : str
        The joint constraint in words, for the error message.
    error_bound : callable, optional
        ``error_bound(values, **params)`` → relative float64 error bound per point; replaces the
        cross-check against ``MP`` (see "The float64 promise").
    tolerance : float
        Largest relative float64 error accepted at status 0 (``1e-6``: six digits).
    crosscheck_dps : int
        Digits of the ``MP`` cross-check (plus the decades spanned by the point's inputs).
    range_guard : bool
        Give the certified ladder guard digits for the inputs' dynamic range
        (:func:`~asymptotics.precision.certify`); leave on unless the formulas provably never
        let one parameter cancel against another.
    branch : str, optional
        The branch rule in words (``Result.branch``).
    aliases : sequence of str
        Other names of the model.

    Returns
    -------
    ModelSpec
        With one quantity per declared quantity, each with a certified and a float64 callable
        (both serialized under :data:`~asymptotics.precision.MPMATH_LOCK`).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ParameterError(f"model name {describe(name)} must be a Python identifier.")
    if name in BUILTIN_MODELS:
        raise ParameterError(f"model name {name!r} is taken by a built-in model; choose another.")
    if name in BUILTIN_ALIASES:
        raise ParameterError(f"model name {name!r} is an alias of model {BUILTIN_ALIASES[name]!r}; choose another.")
    if isinstance(aliases, str) or any(not isinstance(a, str) or a in BUILTIN_MODELS or a in BUILTIN_ALIASES for a in aliases):
        raise ParameterError(
            f"model {name!r}: `aliases` must be a sequence of names that no built-in model uses; got {describe(aliases)}."
        )
    params = tuple(params)
    if not all(isinstance(p, Param) for p in params):
        raise ParameterError(f"model {name!r}: `params` must be Param objects.")
    names = [p.name for p in params]
    if len(set(names)) != len(names) or "dps" in names:
        raise ParameterError(f"model {name!r}: parameter names must be distinct and not `dps`; got {', '.join(names)}.")
    if not quantities or any(not _NAME.match(str(q)) or q in RESERVED for q in quantities):
        raise ParameterError(f"model {name!r}: quantities must be identifiers other than {', '.join(RESERVED)}.")
    if not callable(formulas):
        raise ParameterError(f"model {name!r}: `formulas` must be a function formulas(B, **params).")
    _check_signature(name, formulas, names)
    if not 0 < tolerance < 1:
        raise ParameterError(f"model {name!r}: `tolerance` must be in (0, 1); got {describe(tolerance)}.")
    decl = _Declared(
        name,
        params,
        formulas,
        domain,
        domain_doc,
        error_bound,
        float(tolerance),
        int(crosscheck_dps),
        range_guard,
        branch,
        source,
        tuple(quantities),
    )
    qspecs = {}
    for q, qdoc in quantities.items():
        certified = serialized(_make_certified(decl, q))
        curve = serialized(_make_curve(decl, q))
        certified.__generated__ = True  # type: ignore[attr-defined]
        optional = tuple(n for n in _free(q) if n in names and decl.by_name[n].default is None)
        qspecs[q] = QuantitySpec(
            q, str(qdoc), tuple(names), certified, curve, proof="partial", proof_note=PROOF_NOTE, optional=optional
        )
    return ModelSpec(
        name=name,
        doc=doc,
        params={p.name: p.spec() for p in params},
        quantities=qspecs,
        system=_system_callable(name, equations, source),
        source=source,
        aliases=tuple(aliases),
        simulator=simulator,
    )


def register_model(name: str, **declaration: object) -> ModelSpec:
    """:func:`define_model` and register the result (re-registering a name replaces the model).

    The model is then reachable by :func:`~asymptotics.get_model`, :func:`~asymptotics.curve`,
    ``REGISTRY`` and, in this process, :func:`asymptotics.cli.main`.  For the command line of
    other processes, declare the module-level result in the entry-point group
    ``asymptotics.models``.

    Parameters
    ----------
    name : str
        Model name.
    **declaration
        The keyword arguments of :func:`define_model`.

    Returns
    -------
    ModelSpec
        The registered model.
    """
    return register(define_model(name, **declaration))  # type: ignore[arg-type]  # define_model checks each keyword


def unregister_model(name: str) -> None:
    """Remove a model registered at run time (:func:`register_model`) from this process's registry.

    Parameters
    ----------
    name : str
        The model's name.  Built-in models cannot be removed; an unknown name is ignored.
    """
    if name in BUILTIN_MODELS:
        raise ParameterError(f"model {name!r} is built in; it cannot be unregistered.")
    with _LOAD_LOCK:
        dict.pop(REGISTRY, name, None)
        for alias, target in list(_ALIASES.items()):
            if target == name:
                del _ALIASES[alias]


def _check_signature(name: str, formulas: Callable[..., Any], names: list[str]) -> None:
    try:
        sig = inspect.signature(formulas)
    except (TypeError, ValueError):
        return
    ps = list(sig.parameters.values())
    if any(p.kind is p.VAR_KEYWORD for p in ps):
        return
    accepted = {p.name for p in ps[1:] if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    missing = [n for n in names if n not in accepted]
    if missing or not ps:
        raise ParameterError(
            f"model {name!r}: formulas(B, ...) must accept every parameter by name; it does not take {', '.join(missing) or 'B'}."
        )
