r"""The one penalty optimizer: ``λ* = argmin_{λ ≥ 0} R(λ)`` for any model's risk.

Used by ``optimal_lambda`` / ``optimal_risk`` of ``ridge`` (general spectrum), ``rf`` and ``nt``.
The risk is a black box ``R(λ)`` evaluated on mpmath numbers at the current precision
(the model's certified solver); nothing here is model specific.

Method
------
1. **Scan** (15 digits, cached across precision rungs): ``R`` on the grid ``λ = 10^{k/2}``,
   ``k = −16, …, 16`` (``per_decade`` points a decade instead of 2 where asked; extended up to
   ``10^{12}`` while the smallest value sits at the top).  The grid's global minimum brackets ``λ*``
   when ``R`` is unimodal (ridge, rf); every other strict local minimum of the grid is refined too and
   the lowest stationary point wins (KRR's risk can have several local minima in λ).
2. **Boundary** ``λ* = 0``: when the grid minimum is the smallest grid point and ``R(0)`` is
   finite, the one-sided derivative ``R'(0⁺)`` (second-order forward difference) decides:
   ``R'(0⁺) ≥ 0`` (to its error) gives ``λ* = 0`` exactly (the ridgeless estimator is optimal).
3. **Interior**: ``λ*`` is the zero of ``D(λ) = dR/dλ``, found by Illinois regula falsi in
   ``u = log λ`` on a bracket with ``D(a) < 0 < D(b)``, until ``b − a ≤ 10^{−(dps+2)} a``.
   ``D`` is a central difference ``[R(λ(1+h)) − R(λ(1−h))]/(2λh)`` with ``h = 10^{−(dps/2+4)}``
   evaluated at ``1.5·dps + 12`` digits: truncation ``O(h²)`` and cancellation
   ``O(10^{−wp}/h)`` both stay below ``10^{−dps}`` relative to ``R``.  The final bracket is the
   **sign-change certificate**: ``D`` changes sign across an interval of relative width
   ``10^{−(dps+2)}``, so (``D`` continuous) a stationary point lies inside it.
   A higher precision rung starts from the previous rung's root (a bracket of relative width
   ``10^{−8}``, widened when its signs do not hold).

``R(λ*)`` is insensitive to an error ``δ`` in ``λ*`` to first order (``R'(λ*) = 0``):
``R(λ* + δ) − R(λ*) = R''δ²/2``, so the optimal risk inherits twice the digits of ``λ*``.

References: Dobriban & Wager (arXiv 1507.03003) for ridge's λ*; Mei & Montanari
(arXiv 1908.05355) for random features.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath

from ..errors import AsymptoticsError, ConvergenceError

__all__ = ["minimize_penalty", "penalty_derivative"]

Risk = Callable[[Any], Any]
"""``R(λ)``: an mpf penalty ``λ ≥ 0`` → the risk (mpf, ``+inf`` allowed) at the current precision."""

GRID = tuple(range(-16, 17))
"""Exponents ``k`` of the scan grid ``λ = 10^{k/2}``."""

TOP = 24
"""Largest ``k`` the scan extends to (``λ = 10^{12}``) before giving up on a finite minimizer."""


def exact_penalty(x: Any) -> Fraction:
    """A located penalty (a finite mpf ≥ 0) as the exact Fraction it represents, to hand back to a model's
    exact-input solver (the risk at ``λ*``)."""
    man, exp = int(x.man), int(x.exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2 ** (-exp))


def _safe(risk: Risk, lam: Any) -> Any:
    try:
        v = risk(lam)
    except AsymptoticsError:
        return mpmath.nan
    return v if mpmath.isfinite(v) or v == mpmath.inf else mpmath.nan


def penalty_derivative(risk: Risk, lam: Any) -> Any:
    """``dR/dλ`` at ``λ > 0`` by a central difference at extra precision (see the module docstring)."""
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + dps // 2 + 12):
        lam = mpmath.mpf(lam)
        h = mpmath.mpf(10) ** (-(dps // 2 + 4))
        d = (risk(lam * (1 + h)) - risk(lam * (1 - h))) / (2 * lam * h)
    return +d


def _derivative_at_zero(risk: Risk) -> tuple[Any, Any]:
    """``R'(0⁺)`` by ``(−3R(0) + 4R(h) − R(2h))/(2h)`` and a bound on its error."""
    dps = mpmath.mp.dps
    with mpmath.workdps(2 * dps + 12):
        h = mpmath.mpf(10) ** (-(dps // 2 + 4))
        r0, r1, r2 = risk(mpmath.mpf(0)), risk(h), risk(2 * h)
        d = (-3 * r0 + 4 * r1 - r2) / (2 * h)
        scale = max(abs(r0), abs(r1), abs(r2), mpmath.mpf(1))
    # truncation O(h²)·R''' plus rounding; measured against the risk's own scale
    return +d, scale * mpmath.mpf(10) ** (-(dps // 2))


def _grid(k: int, per_decade: int) -> Any:
    return mpmath.mpf(10) ** (mpmath.mpf(k) / per_decade)


def _scan(risk: Risk, what: str, params: dict[str, Any] | None, per_decade: int = 2) -> tuple[int, dict[int, Any]]:
    top = TOP * per_decade // 2
    with mpmath.workdps(15):
        vals = {k: _safe(risk, _grid(k, per_decade)) for k in range(GRID[0] * per_decade // 2, GRID[-1] * per_decade // 2 + 1)}
        best = min((k for k in vals if not mpmath.isnan(vals[k])), key=lambda k: vals[k], default=None)
        while best is not None and best == max(vals) and best < top:
            k = best + 1
            vals[k] = _safe(risk, _grid(k, per_decade))
            if not mpmath.isnan(vals[k]) and vals[k] < vals[best]:
                best = k
            elif not mpmath.isnan(vals[k]):
                break
    if best is None:
        raise ConvergenceError(f"{what}: the risk could not be evaluated on the scan grid", params=params)
    if best == max(vals):
        raise ConvergenceError(
            f"{what}: the risk still decreases at lam = 1e{TOP // 2}; the optimal penalty is beyond the scan "
            "(the null estimator may be optimal)",
            params=params,
        )
    return best, vals


def _other_minima(vals: dict[int, Any], best: int) -> list[int]:
    """Grid points other than ``best`` whose value is below both neighbours' by more than rounding
    (relative ``10⁻¹²`` of the 15-digit scan), and the lowest grid point when it is below its one neighbour:
    the other local minima the grid resolves (the risk of KRR in λ can have several, multiple descent)."""

    def below(k: int, j: int) -> bool:
        a, b = vals.get(k, mpmath.nan), vals.get(j, mpmath.nan)
        return not (mpmath.isnan(a) or mpmath.isnan(b)) and a < b - abs(b) * mpmath.mpf(10) ** -12

    lo, hi = min(vals), max(vals)
    out = [k for k in range(lo + 1, hi) if k != best and below(k, k - 1) and below(k, k + 1)]
    if best != lo and below(lo, lo + 1):
        out.insert(0, lo)
    return out


def _illinois(d: Callable[[Any], Any], a: Any, b: Any, da: Any, db: Any, rel: Any) -> tuple[Any, Any]:
    """Zero of ``d`` (``da < 0 < db``) in ``u = log λ``; returns a bracket of relative width ≤ ``rel``.

    Illinois steps until a step is shorter than ``rel/4``; then ``d`` is evaluated at
    ``u ± rel/4``: opposite signs close the bracket (the certificate), otherwise they tighten it
    and the iteration goes on.
    """
    ua, ub = mpmath.log(a), mpmath.log(b)
    side = 0
    u_prev = None
    for _ in range(300):
        if ub - ua <= rel:
            return mpmath.exp(ua), mpmath.exp(ub)
        u = ub - db * (ub - ua) / (db - da)
        if not (ua < u < ub) or ub - ua > 1:  # safeguard: bisect wide brackets and stray steps
            u = (ua + ub) / 2
        if u_prev is not None and abs(u - u_prev) < rel / 4:
            lo, hi = max(u - rel / 4, ua), min(u + rel / 4, ub)
            dl, dh = d(mpmath.exp(lo)), d(mpmath.exp(hi))
            if dl < 0 < dh:
                return mpmath.exp(lo), mpmath.exp(hi)
            if dl < 0:
                ua, da = lo, dl
            if dh > 0:
                ub, db = hi, dh
            if dl >= 0 and dh <= 0:  # noise: the derivative cannot be resolved at this precision
                raise ConvergenceError("penalty optimizer: dR/dlam cannot be resolved near the minimizer")
            u_prev = None
            side = 0
            continue
        u_prev = u
        du = d(mpmath.exp(u))
        if du == 0:
            x = mpmath.exp(u)
            return x, x
        if du < 0:
            ua, da = u, du
            if side == -1:
                db /= 2
            side = -1
        else:
            ub, db = u, du
            if side == 1:
                da /= 2
            side = 1
    raise ConvergenceError("penalty optimizer: no convergence in 300 steps")  # pragma: no cover


def minimize_penalty(
    risk: Risk,
    *,
    state: dict[str, Any],
    what: str,
    params: dict[str, Any] | None = None,
    allow_zero: bool = True,
    per_decade: int = 2,
) -> Any:
    """``λ* = argmin_{λ ≥ 0} R(λ)`` to the current precision (``mpmath.mp.dps`` digits).

    Parameters
    ----------
    risk : ``R(λ)`` on mpf numbers at the current precision (raises
        :class:`~asymptotics.errors.AsymptoticsError` where it cannot be evaluated).
    state : a dict kept across calls for the same problem (the scan and the last roots).
    what, params : for error messages.
    allow_zero : whether ``λ = 0`` is in the domain (ridgeless estimator defined).
    per_decade : scan points per decade (grid ``λ = 10^{k/per_decade}``, ``10⁻⁸ … 10⁸``; default 2).

    Returns
    -------
    mpf ``λ*`` (``0`` exactly when the ridgeless estimator is optimal); the certificate
    (the final sign-change bracket of ``dR/dλ``) is stored as ``state["bracket"]``.

    What is guaranteed
    ------------------
    The bracket around the grid's global minimum is refined (as before); when the grid has other
    strict local minima (a risk with several local minima in λ, e.g. KRR in multiple descent), each of
    them is refined too and the stationary point with the lowest risk (at the working precision) is
    returned.  So ``λ*`` is the global minimizer among the local minima the grid resolves: a local
    minimum is missed only when no grid point of its basin is a strict grid-local minimum (two minima
    within about two grid steps, or a basin narrower than a step).  Refining a secondary grid minimum
    that fails (a flat stretch) drops that candidate.

    Raises
    ------
    ConvergenceError
        when no minimizer is found in ``(0, 10^{12}]`` or the derivative's signs contradict
        the scan around the grid's global minimum.
    """
    if "scan" not in state:
        state["scan"] = _scan(risk, what, params, per_decade)
    best, vals = state["scan"]
    roots = state.setdefault("roots", {})
    lam, bracket = _refine(risk, best, vals, roots, what, params, allow_zero, per_decade)
    others = _other_minima(vals, best)
    if others:
        found = [(_safe(risk, lam), lam, bracket)]
        for k in others:
            try:
                x, br = _refine(risk, k, vals, roots, what, params, allow_zero, per_decade)
            except ConvergenceError:
                continue
            found.append((_safe(risk, x), x, br))
        finite = [f for f in found if not mpmath.isnan(f[0])]
        if finite:
            _, lam, bracket = min(finite, key=lambda f: f[0])
    state["bracket"] = bracket
    if lam > 0:
        state["root"] = lam
    return lam


def _zoom(risk: Risk, d: Callable[[Any], Any], a: Any, b: Any, da: Any, db: Any) -> tuple[Any, Any, Any, Any]:
    """A local minimizer of ``R`` in ``(a, b)`` whose bracket's derivative signs do not hold (a local maximum
    inside it too): sample ``R`` at 9 points in ``log λ`` (15 digits), keep the two cells around the lowest, and
    repeat (up to 6 rounds) until ``dR/dλ < 0`` at the left end and ``> 0`` at the right end."""
    ua, ub = mpmath.log(a), mpmath.log(b)
    for _ in range(6):
        with mpmath.workdps(15):
            us = [ua + (ub - ua) * i / 8 for i in range(9)]
            vs = [_safe(risk, mpmath.exp(u)) for u in us]
            ok = [i for i in range(9) if not mpmath.isnan(vs[i])]
            if not ok:
                break
            j = min(ok, key=lambda i: vs[i])
        ua, ub = us[max(j - 1, 0)], us[min(j + 1, 8)]
        a, b = mpmath.exp(ua), mpmath.exp(ub)
        da, db = d(a), d(b)
        if da < 0 < db:
            break
    return a, b, da, db


def _refine(
    risk: Risk,
    best: int,
    vals: dict[int, Any],
    roots: dict[int, Any],
    what: str,
    params: dict[str, Any] | None,
    allow_zero: bool,
    per_decade: int,
) -> tuple[Any, tuple[Any, Any]]:
    """The stationary point in the bracket of grid point ``best`` (module docstring, steps 2–3):
    ``(λ, sign-change bracket)``; ``roots`` keeps each grid point's root for the next precision rung."""
    dps = mpmath.mp.dps

    def d(lam: Any) -> Any:
        return penalty_derivative(risk, lam)

    if best == min(vals) and allow_zero:
        r0 = _safe(risk, mpmath.mpf(0))
        if mpmath.isfinite(r0):
            d0, err = _derivative_at_zero(risk)
            if d0 >= -err:
                return mpmath.mpf(0), (mpmath.mpf(0), mpmath.mpf(0))
    rel = mpmath.mpf(10) ** (-(dps + 2))
    last = roots.get(best)
    a = b = None
    if last is not None and last > 0:
        a, b = last * (1 - mpmath.mpf(10) ** -8), last * (1 + mpmath.mpf(10) ** -8)
        da, db = d(a), d(b)
        if not (da < 0 < db):
            a = None
    if a is None:
        ten = mpmath.mpf(10)
        a = _grid(best - 1, per_decade)
        b = _grid(best + 1, per_decade)
        if best == min(vals):  # the minimizer is below the grid: bracket down towards 0
            while (da := d(a)) >= 0 and a > ten ** -(dps + 20):
                a /= 1000
        else:
            da = d(a)
        db = d(b)
        if not (da < 0 < db) and best != min(vals):
            a, b, da, db = _zoom(risk, d, a, b, da, db)
        if not (da < 0 < db):
            raise ConvergenceError(
                f"{what}: dR/dlam does not change sign across the scan's bracket [{mpmath.nstr(a, 5)}, {mpmath.nstr(b, 5)}] "
                "(the risk is not unimodal in lam)",
                params=params,
            )
    with mpmath.workdps(dps + 10):  # the bracket's ends must be distinct numbers: 10 digits beyond rel
        lo, hi = _illinois(d, a, b, da, db, rel)
        root = (lo + hi) / 2
    roots[best] = root
    return +root, (lo, hi)
