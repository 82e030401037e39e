"""The precision contract: guard digits, a two-level precision ladder, rounding back.

Every certified quantity is computed by a function ``evaluate()`` that works at the
*current* mpmath precision and returns ``(value, residual)``.  :func:`certify` runs it
at ``dps + g`` and ``dps + 2g`` decimal digits (``g`` = guard digits), takes the
difference as an error estimate, and accepts the finer value only if the estimate is
below ``10**-dps`` relative to the value.  Otherwise it doubles ``g`` (catching
cancellation that guard digits alone do not cover) and, after ``max_tries``, raises
:class:`~asymptotics.errors.ConvergenceError`.  The global ``mpmath.mp`` precision is
always restored (``workdps`` is a ``try/finally`` manager).

**Guard digits cover the inputs' dynamic range.**  Two rungs that lose the *same*
digits agree with each other and certify garbage: ``(lam + 1) - 1`` with ``lam = 1e-55``
is exactly 0 at 40 and at 50 digits.  A loss is only silent when it is *total at both
rungs*: a partial loss leaves the rungs with different digits, the ladder sees them
disagree and doubles ``g``.  So the finer rung must reach below the smallest parameter:
with ``R = ceil(log10(max|p| / min|p|))`` the number of decades spanned by the request's
nonzero finite numeric parameters, ``g = GUARD_DPS + max(0, ceil((R - dps) / 2))``, so
that ``dps + 2g >= R + 2 GUARD_DPS``.  A request whose parameters span fewer decades than
``dps`` costs nothing extra; ``lam = 1e-55`` at ``dps = 30`` runs rungs of 53/76 digits,
which disagree (the first lost ``lam``), then 76/122 and 122/214, which certify the
right value (see ``tests/test_validate_and_precision.py``).  ``R`` is read back from the
exact strings in ``params`` (every caller passes them; numbers inside text parameters such
as a spectrum count too; integer orders are exempt, see :data:`RANGE_EXEMPT`; the
``lnn`` model, which works in log/logit variables and handles its own cancellations,
passes ``range_guard=False``, and ``rf``/``nt`` are off by default, see
:data:`RANGE_GUARD_OFF`).  Policy for extreme requests (parameters reach 1e±10000): a ladder
whose rungs would exceed :data:`MAX_WORKING_DPS` digits is refused with a
:class:`~asymptotics.errors.ConvergenceError` ("parameters span N decades") up front,
instead of running for minutes or certifying a value that could be wrong, and the
doubling stops there too.  The rule is conservative: a range that only ever enters
multiplicatively costs guard digits it did not need.

**Threads.**  mpmath keeps its precision in the process-global ``mp`` object, so two
threads with different ``dps`` would change each other's working precision mid-ladder.
Every public entry point therefore runs under one process-wide re-entrant lock,
:data:`MPMATH_LOCK` (:func:`serialized`; :func:`~asymptotics.models._registry.register`
applies it to every registered callable and to the module-level functions they are,
and :func:`certify` takes it too), and the outermost call saves and restores the
caller's ``mp.prec`` and rounding mode and computes at mpmath's default 53-bit ambient
precision whatever the caller had set.  A private mpmath context per call would allow
parallel certified calls, but every mpmath call in the models goes through the global
``mpmath`` functions, so that would mean rewriting them all.  The lock costs little: an
uncontended ``RLock`` acquire is about 0.2 µs and the whole wrapper (lock, save, restore)
about 2 µs per call, against 0.2 ms for the cheapest certified calls (``ridge.risk``,
``marchenko_pastur.stieltjes`` at 30 digits; measured for issue 13, CPython 3.11, mpmath's
pure-Python backend), i.e. under 1%; so the lock was chosen.  The price is that certified
calls from several threads run one at a time (they hold the GIL anyway in pure Python).  Code outside :mod:`asymptotics` that uses
mpmath in other threads at the same time should hold :data:`MPMATH_LOCK` too: a lock
cannot protect a global from code that does not take it.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

import mpmath
from mpmath import mp

from ._validate import describe, to_complex_fractions
from .errors import ConvergenceError, ParameterError

DEFAULT_DPS = 30
GUARD_DPS = 10
MAX_DPS = 10_000
MAX_WORKING_DPS = MAX_DPS + 16 * GUARD_DPS
"""Largest working precision of a ladder rung (the finest rung of ``dps = MAX_DPS`` after three
doublings of the guard); a dynamic-range guard that needs more is refused with a ConvergenceError."""

MPMATH_LOCK = threading.RLock()
"""Held by every public entry point for its whole call: mpmath's precision is process-global."""

_F = TypeVar("_F", bound=Callable[..., Any])
_state = threading.local()
_proofs_off = threading.local()


class ladder_only:
    """Context manager: certified calls in this thread skip the ball proofs (precision ladder only).

    For comparisons (tests, benchmarks): ``with ladder_only(): r = ridge.risk(...)`` gives the
    ladder's estimate with ``proven=False`` even where a proof exists.
    """

    def __enter__(self) -> ladder_only:
        self._saved = getattr(_proofs_off, "on", False)
        _proofs_off.on = True
        return self

    def __exit__(self, *exc: Any) -> None:
        _proofs_off.on = self._saved


def proofs_enabled() -> bool:
    """False inside :class:`ladder_only`."""
    return not getattr(_proofs_off, "on", False)


def serialized(fn: _F) -> _F:
    """Run ``fn`` under :data:`MPMATH_LOCK`, leaving the caller's mpmath state as it was.

    The outermost serialized call of a thread saves ``mp.prec`` and the rounding mode, sets
    mpmath's defaults (53 bits, round to nearest) for the duration of the call, and restores
    the caller's values afterwards, also when ``fn`` raises.  Nested calls (public functions
    calling each other) only re-enter the lock.  Applying it twice returns the same wrapper.

    Parameters
    ----------
    fn : callable
        A public entry point that uses mpmath.

    Returns
    -------
    callable
        A wrapper with ``fn``'s name, docstring and signature.
    """
    if getattr(fn, "__serialized__", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with MPMATH_LOCK:
            if getattr(_state, "depth", 0):
                return fn(*args, **kwargs)
            prec_rounding = mp._prec_rounding  # [prec, rounding]: mpmath 1.x keeps both here
            saved = list(prec_rounding)
            _state.depth = 1
            try:
                mp.prec = 53
                prec_rounding[1] = "n"
                return fn(*args, **kwargs)
            finally:
                _state.depth = 0
                mp.prec = saved[0]
                prec_rounding[1] = saved[1]

    wrapper.__serialized__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def check_dps(dps: Any) -> int:
    """Validate the requested number of significant decimal digits (an integer in [1, MAX_DPS])."""
    bad = ParameterError(f"`dps` must be an integer in [1, {MAX_DPS}]; got {describe(dps)}.")
    if isinstance(dps, bool):
        raise bad
    if isinstance(dps, str):
        text = dps.strip().lstrip("+")
        if not (text.isdigit() and len(text) <= 12):  # never int() a 5000-digit text
            raise bad
        dps = int(text)
    elif isinstance(dps, numbers.Integral):
        dps = int(dps)  # also numpy integers; a huge int is only compared, never printed
    else:
        raise bad
    if not 1 <= dps <= MAX_DPS:
        raise bad
    return dps


RANGE_EXEMPT = frozenset({"depth", "k", "level"})
"""Parameters left out of :func:`dynamic_range`: exact integer orders (network depth, moment order,
harmonic level), never a term of a sum with the other parameters."""

RANGE_GUARD_OFF = frozenset({"rf", "nt"})
"""Models certified without the dynamic-range guard digits (unless their call passes
``range_guard=True``).  Their ``evaluate`` computes the activation's Hermite coefficients by
quadrature at the working precision, so the guard's extra digits cost minutes: ``rf`` at
``lam = 1e-300`` with a non-polynomial activation took 346 s instead of 1.6 s (issue 13
measurement).  Their small-``lam`` and large-``psi`` limits are closed forms with their own
golden-value tests (``tests/models/test_random_features.py``, ``test_neural_tangent.py``).
Follow-up for those models: pass the guard only to the parameter arithmetic, or prove it
unneeded and pass ``range_guard=False`` explicitly."""

_TOKEN = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _log10_abs(f: Fraction) -> float:
    return math.log10(abs(f.numerator)) - math.log10(f.denominator)


def dynamic_range(params: dict[str, Any] | None) -> int:
    """Decades spanned by the nonzero finite numbers of a request: ``ceil(log10(max|p| / min|p|))``.

    ``params`` holds the exact strings of :func:`~asymptotics._validate.shown_params`; a value that
    is not one number (``"power_law:p=1000,alpha=1,beta=0.5"``) contributes the numbers written in it.
    Both parts of a complex value count.  Returns 0 for fewer than two nonzero numbers.
    """
    logs: list[float] = []
    for key, value in (params or {}).items():
        if key in RANGE_EXEMPT:
            continue
        for f in _numbers_in(str(key), value):
            if f != 0:
                logs.append(_log10_abs(f))
    if len(logs) < 2:
        return 0
    return max(0, math.ceil(max(logs) - min(logs) - 1e-9))


def _numbers_in(name: str, value: Any) -> list[Fraction]:
    if isinstance(value, bool) or value is None:
        return []
    try:
        parts = to_complex_fractions(name, value)
        return [p for p in parts if isinstance(p, Fraction)]
    except (ParameterError, TypeError, ValueError, ArithmeticError):
        pass
    if not isinstance(value, str):
        return []
    out = []
    for token in _TOKEN.findall(value)[:1000]:
        try:
            out.append(Fraction(to_complex_fractions(name, token)[0]))
        except (ParameterError, TypeError, ValueError, ArithmeticError):
            continue
    return out


@dataclass(frozen=True)
class Certified:
    """Value at ``dps`` digits with its residual and error estimate.

    ``proven`` is ``True`` when a ball evaluation proved the digits (:mod:`asymptotics.ball`);
    then ``enclosure`` holds the proven bounds (an :class:`~asymptotics.ball.Enclosure`, a tuple
    of them for a vector quantity) and ``error_estimate`` is the ball's relative radius (an upper
    bound, not an estimate).  Otherwise ``enclosure`` is ``None`` and ``error_estimate`` is the
    precision ladder's difference of two evaluations.
    """

    value: Any
    residual: Any
    error_estimate: Any
    working_dps: int
    enclosure: Any = None
    proven: bool = False

    def proof_fields(self) -> dict[str, Any]:
        """``{"enclosure": ..., "proven": ...}``: the keyword arguments a :class:`~asymptotics.result.Result` takes."""
        return {"enclosure": self.enclosure, "proven": self.proven}


def _magnitude(v: Any) -> Any:
    if isinstance(v, tuple | list):
        return max((_magnitude(x) for x in v), default=mpmath.mpf(0))
    return abs(v)


def _parts(v: Any) -> list[Any]:
    """The real numbers that are printed for a value: each component of a tuple, each part of a complex."""
    if isinstance(v, tuple | list):
        return [p for x in v for p in _parts(x)]
    if isinstance(v, mpmath.mpc):
        return [v.real, v.imag]
    return [v]


def _parts_agree(a: Any, b: Any, dps: int) -> bool:
    """Every nonzero finite printed part of ``b`` agrees with ``a``'s to ``10^-dps`` relative *to itself*.

    The modulus test of :func:`certify` alone would accept a complex value whose small part is
    wrong (``Re m ≈ 1e-601`` next to ``Im m ≈ 1``), or an edge ``a ≈ 1e-40`` next to ``b ≈ 4``
    with wrong digits; each part is printed with ``dps`` digits, so each must be right.  A part
    that is 0 at the finer rung keeps the modulus test (an exact zero is certified absolutely).
    """
    tol = mpmath.mpf(10) ** (-dps)
    for x, y in zip(_parts(a), _parts(b), strict=True):
        if y == 0 or mpmath.isinf(y) or mpmath.isnan(y):
            continue
        if abs(x - y) > tol * abs(y):
            return False
    return True


def _difference(a: Any, b: Any) -> Any:
    if isinstance(a, tuple | list):
        return max((_difference(x, y) for x, y in zip(a, b, strict=True)), default=mpmath.mpf(0))
    if mpmath.isinf(a) or mpmath.isinf(b):
        return mpmath.mpf(0) if a == b else mpmath.inf
    return abs(a - b)


def round_to(v: Any, dps: int) -> Any:
    """Round a value (or a tuple of values) to ``dps`` digits (mpmath's ``+x`` habit)."""
    if isinstance(v, tuple | list):
        return type(v)(round_to(x, dps) for x in v)
    with mp.workdps(dps):
        return +v


def certify(
    evaluate: Callable[[], tuple[Any, Any]],
    dps: int,
    *,
    what: str,
    params: dict[str, Any] | None = None,
    guard: int = GUARD_DPS,
    max_tries: int = 4,
    range_guard: bool | None = None,
    span: int | None = None,
    prove: Callable[[], tuple[Any, Any]] | None = None,
) -> Certified:
    """Evaluate at two precisions and certify ``dps`` digits (see module docstring).

    ``prove`` (optional) is the same computation on balls (:data:`~asymptotics.ball.AB`), run at
    the working precision that :func:`asymptotics.ball.prove` sets and returning ``(value ball(s),
    residual)``.  It is tried first, before the range guard (a proof needs no guard digits):
    when its enclosure proves ``dps`` digits the result is
    ``proven`` (no ladder runs); when it cannot (:class:`~asymptotics.ball.NotProven`, or any
    :class:`~asymptotics.errors.ConvergenceError` of its own), the precision ladder below runs
    and the result says ``proven=False``.

    ``params`` (the request's exact parameter strings) is used for error reports *and* for
    the dynamic-range guard digits: leave it out only when ``evaluate`` uses no parameters.
    ``range_guard=False`` skips those digits; only for a model whose ``evaluate`` provably
    never lets a parameter cancel against another (say so where it is passed).  ``None``
    (default) means on, except for the models in :data:`RANGE_GUARD_OFF` (by the first word
    of ``what``).  ``span`` overrides the decades read from ``params`` (a caller that knows more
    numbers can cancel, e.g. the constants of a user model's formulas, counts them itself).
    """
    dps = check_dps(dps)
    if prove is not None and proofs_enabled():
        # a proof needs no guard digits (a ball that loses digits widens and is retried), so it
        # runs before the range guard, which would otherwise refuse or slow down its request
        with MPMATH_LOCK:
            proof = _try_proof(prove, dps, what)
        if proof is not None:
            return proof
    if range_guard is None:
        range_guard = what.split(" ", 1)[0] not in RANGE_GUARD_OFF
    if span is None:
        span = dynamic_range(params) if range_guard else 0
    g = guard + max(0, -((dps - span) // 2))  # dps + 2g >= span + 2 guard: see the module docstring
    if dps + 2 * g > MAX_WORKING_DPS:
        raise ConvergenceError(
            f"{what}: the parameters span {span} decades; certifying {dps} digits would need "
            f"{dps + 2 * g} working digits (at most {MAX_WORKING_DPS}). Rescale the problem or "
            "bring the parameters closer together.",
            params=params,
        )
    err: Any = None
    top = dps + 2 * g
    with MPMATH_LOCK:
        for _ in range(max_tries):
            with mp.workdps(dps + g):
                v1, _r1 = evaluate()
            top = dps + 2 * g
            with mp.workdps(top):
                v2, r2 = evaluate()
                err = _difference(v1, v2)
                scale = _magnitude(v2)
                tol = mpmath.mpf(10) ** (-dps) * (scale if scale != 0 and not mpmath.isinf(scale) else 1)
                if err <= tol and _parts_agree(v1, v2, dps):
                    return Certified(round_to(v2, dps), r2, round_to(err, 5), dps + 2 * g)
            if dps + 4 * g > MAX_WORKING_DPS:
                break
            g *= 2
    raise ConvergenceError(
        f"{what}: could not certify {dps} digits; the precision ladder still moves by "
        f"{_short(err)} at {top} digits. Likely causes: a parameter very "
        "close to a singular point (interpolation threshold, spectral edge), or extreme "
        "cancellation. Try a lower `dps` or move the parameter away from the singularity.",
        params=params,
    )


def _try_proof(evaluate: Callable[[], tuple[Any, Any]], dps: int, what: str) -> Certified | None:
    """The proven :class:`Certified` of a ball evaluation, or ``None`` when it proves nothing."""
    from . import ball  # python-flint loads on the first proof, not at import

    try:
        p = ball.prove(evaluate, dps, what=what, round_value=round_to, max_bits=int(MAX_WORKING_DPS * ball.BITS_PER_DIGIT))
    except ConvergenceError:
        return None
    with mp.workprec(p.bits):
        est = ball.relative_radius(p.balls)
        residual = ball.upper_abs(p.residual) if p.residual is not None else None
    return Certified(p.value, residual, round_to(est, 5), int(p.bits / ball.BITS_PER_DIGIT), ball.enclosure(p.balls, dps), True)


def _short(x: Any) -> str:
    """``x`` to 3 digits; mpmath's ``nstr`` fails beyond 1e±4300 (Python's int-to-text limit)."""
    try:
        if x == 0 or not mpmath.isfinite(x) or abs(mpmath.mag(x)) < 10_000:
            return str(mpmath.nstr(x, 3))
        with mp.workdps(15):
            e = int(mpmath.floor(mpmath.log10(abs(x))))
            return f"{mpmath.nstr(abs(x) / mpmath.mpf(10) ** e, 3)}e{e}"
    except (ValueError, TypeError):
        return "?"


def residual_tolerance() -> Any:
    """Residual accepted at the current working precision (a few ulps of slack)."""
    return mpmath.mpf(10) ** (-(mp.dps - 3))
