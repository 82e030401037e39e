"""The one root-finding core: safeguarded Newton on an increasing function, in log scale.

Every scalar fixed point of the package that is not a closed form (the ridge effective
regularization κ for a general spectrum, and later models' equations) is written as
``h(x) = 0`` with ``h`` increasing on a bracket ``[lo, hi]`` (``h(lo) <= 0 <= h(hi)``,
``lo > 0``).  The iteration runs in ``u = log x`` (relative accuracy for roots spanning
many orders of magnitude, e.g. κ₀ ≈ 1e-5 for heavy power laws), takes a Newton step
``u ← u - h / (x h'(x))``, and falls back to bisection of the bracket whenever the step
leaves it.  The same code runs on mpmath scalars (:data:`MP`) and on numpy arrays
(:data:`NP`, elementwise), so the float64 curves and the certified values share it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backend import MP, NP, Backend
from ..errors import ConvergenceError

__all__ = ["MP", "NP", "Ops", "increasing_root"]


Ops = Backend  # the root finder needs log, exp, where, lor, lnot, isfinite, all, abs


def increasing_root(
    h: Callable[[Any], Any],
    dh: Callable[[Any], Any],
    lo: Any,
    hi: Any,
    *,
    ops: Ops,
    rtol: Any,
    max_iter: int = 400,
    what: str = "root",
    params: dict[str, Any] | None = None,
    throw: bool = True,
    x0: Any = None,
) -> tuple[Any, Any]:
    """Root of an increasing ``h`` in ``[lo, hi]`` (``0 < lo <= hi``).

    Returns ``(x, converged)``; ``converged`` is a bool (mp) or boolean array (numpy).
    With ``throw=True`` a point that has not converged after ``max_iter`` steps raises
    :class:`ConvergenceError`.  ``x0`` (inside the bracket) warm-starts the iteration,
    e.g. from the root at a lower precision or at the previous point of a curve; the
    default start is the geometric mean of the bracket.

    On the ball backend (:data:`~asymptotics.ball.AB`, ``ops.name == "ball"``) the root is
    *proven*: Newton runs on the midpoints (``h`` evaluated on exact thin balls), then
    :func:`~asymptotics.ball.root_by_sign_change` proves a sign change of ``h`` (``−`` below,
    ``+`` above) on a thin bracket around it, inside ``[lo, hi]``.  The returned ball contains a
    root; it is *the* root because ``h`` is increasing on ``[lo, hi]`` — the contract of this
    function, which every caller states (and proves, for the built-in models) for its ``h``.
    Continuity on the bracket is checked: a ``B.where`` whose condition the bracket does not
    decide (a possible jump, e.g. a step function with no root) refuses the proof.
    ``converged`` is ``True``.  A failed proof raises :class:`~asymptotics.ball.NotProven`.
    """
    if getattr(ops, "name", "") == "ball":
        return _ball_root(h, dh, lo, hi, max_iter=max_iter, what=what, x0=x0)
    ulo, uhi = ops.log(lo), ops.log(hi)
    u = (ulo + uhi) / 2 if x0 is None else ops.log(x0)
    converged: Any = False
    for _ in range(max_iter):
        x = ops.exp(u)
        hv = h(x)
        ulo = ops.where(hv < 0, u, ulo)
        uhi = ops.where(hv > 0, u, uhi)
        slope = x * dh(x)
        step = -hv / slope
        unew = u + step
        outside = ops.lor(ops.lor(unew <= ulo, unew >= uhi), ops.lnot(ops.isfinite(unew)))
        # a step below the resolution of u leaves u unchanged (possibly equal to a bracket end
        # just updated to u): that is convergence, not a reason to bisect
        tiny = ops.abs(step) <= rtol
        unew = ops.where(ops.lor(hv == 0, tiny), u, ops.where(outside, (ulo + uhi) / 2, unew))
        delta = ops.abs(unew - u)
        width = ops.abs(uhi - ulo)
        converged = ops.lor(ops.lor(delta <= rtol, width <= rtol), tiny)
        u = unew
        if ops.all(converged):
            break
    if throw and not ops.all(converged):
        raise ConvergenceError(
            f"{what}: the safeguarded Newton iteration did not converge in {max_iter} steps. "
            "Likely causes: the parameters sit at a singular point, or the spectrum spans "
            "more orders of magnitude than the working precision resolves; raise `dps`.",
            params=params,
        )
    return ops.exp(u), converged


def _ball_root(
    h: Callable[[Any], Any], dh: Callable[[Any], Any], lo: Any, hi: Any, *, max_iter: int, what: str, x0: Any
) -> tuple[Any, Any]:
    """:func:`increasing_root` on balls: Newton on midpoints, then a proven sign change (see there)."""
    import mpmath

    from ..ball import Ball, NotProven, point, root_by_sign_change, to_mpmath, track_undecided

    def mid(v: Any) -> Any:
        return to_mpmath(v) if isinstance(v, Ball) else mpmath.mpf(v)

    def at(f: Callable[[Any], Any], x: Any) -> Any:
        return mid(f(point(x)))

    a, b = mid(lo), mid(hi)
    if not (a > 0 and b >= a):
        raise NotProven(f"{what}: the bracket [{mpmath.nstr(a, 5)}, {mpmath.nstr(b, 5)}] is not positive")
    ua, ub = mpmath.log(a), mpmath.log(b) if mpmath.isfinite(b) else mpmath.mpf(10) ** 6
    u = (ua + ub) / 2 if x0 is None else mpmath.log(mid(x0))
    tol = mpmath.mpf(2) ** (8 - mpmath.mp.prec)
    for _ in range(max_iter):
        x = mpmath.exp(u)
        hv = at(h, x)
        if not mpmath.isfinite(hv):
            raise NotProven(f"{what}: h is not finite at the Newton iterate")
        if hv < 0:
            ua = u
        elif hv > 0:
            ub = u
        else:
            break
        slope = x * at(dh, x)
        unew = u - hv / slope if slope != 0 and mpmath.isfinite(slope) else (ua + ub) / 2
        if not (ua < unew < ub):
            unew = (ua + ub) / 2
        if abs(unew - u) <= tol or ub - ua <= tol:
            u = unew
            break
        u = unew
    with track_undecided() as events:
        root = root_by_sign_change(h, mpmath.exp(u), increasing=True)
    if events.wheres or events.bools:
        # a selection undecided on the bracket may switch branches inside it: a jump could fake the
        # sign change, so continuity (which the intermediate value theorem needs) is not proven
        raise NotProven(f"{what}: h selects a branch undecidedly on the root's bracket (continuity not proven)")
    inside = root.v > point(lo).v and (not mpmath.isfinite(b) or root.v < point(hi).v)
    if not inside:
        raise NotProven(f"{what}: the proven root is not inside the bracket where h is increasing")
    return root, True
