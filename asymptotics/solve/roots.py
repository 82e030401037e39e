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
    """
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
