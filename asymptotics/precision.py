"""The precision contract: guard digits, a two-level precision ladder, rounding back.

Every certified quantity is computed by a function ``evaluate()`` that works at the
*current* mpmath precision and returns ``(value, residual)``.  :func:`certify` runs it
at ``dps + g`` and ``dps + 2g`` decimal digits (``g`` = guard digits), takes the
difference as an error estimate, and accepts the finer value only if the estimate is
below ``10**-dps`` relative to the value.  Otherwise it doubles ``g`` (catching
cancellation that guard digits alone do not cover) and, after ``max_tries``, raises
:class:`~asymptotics.errors.ConvergenceError`.  The global ``mpmath.mp`` precision is
always restored (``workdps`` is a ``try/finally`` manager).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
from mpmath import mp

from .errors import ConvergenceError, ParameterError

DEFAULT_DPS = 30
GUARD_DPS = 10
MAX_DPS = 10_000


def check_dps(dps: Any) -> int:
    """Validate the requested number of significant decimal digits."""
    if isinstance(dps, bool) or not isinstance(dps, int):
        try:
            if isinstance(dps, str) and dps.strip().lstrip("+").isdigit():
                dps = int(dps)
            else:
                raise TypeError
        except TypeError:
            raise ParameterError(f"`dps` must be an integer in [1, {MAX_DPS}]; got {dps!r}.") from None
    if not 1 <= dps <= MAX_DPS:
        raise ParameterError(f"`dps` must be an integer in [1, {MAX_DPS}]; got {dps}.")
    return dps


@dataclass(frozen=True)
class Certified:
    """Value at ``dps`` digits with its residual and precision-ladder error estimate."""

    value: Any
    residual: Any
    error_estimate: Any
    working_dps: int


def _magnitude(v: Any) -> Any:
    if isinstance(v, tuple | list):
        return max((_magnitude(x) for x in v), default=mpmath.mpf(0))
    return abs(v)


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
) -> Certified:
    """Evaluate at two precisions and certify ``dps`` digits (see module docstring)."""
    dps = check_dps(dps)
    g = guard
    err: Any = None
    for _ in range(max_tries):
        with mp.workdps(dps + g):
            v1, _r1 = evaluate()
        with mp.workdps(dps + 2 * g):
            v2, r2 = evaluate()
            err = _difference(v1, v2)
            scale = _magnitude(v2)
            tol = mpmath.mpf(10) ** (-dps) * (scale if scale != 0 and not mpmath.isinf(scale) else 1)
            if err <= tol:
                return Certified(round_to(v2, dps), r2, round_to(err, 5), dps + 2 * g)
        g *= 2
    raise ConvergenceError(
        f"{what}: could not certify {dps} digits; the precision ladder still moves by "
        f"{mpmath.nstr(err, 3)} at {dps + g} digits. Likely causes: a parameter very "
        "close to a singular point (interpolation threshold, spectral edge), or extreme "
        "cancellation. Try a lower `dps` or move the parameter away from the singularity.",
        params=params,
    )


def residual_tolerance() -> Any:
    """Residual accepted at the current working precision (a few ulps of slack)."""
    return mpmath.mpf(10) ** (-(mp.dps - 3))
