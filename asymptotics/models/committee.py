r"""Online SGD in two-layer soft committee machines: the exact order-parameter ODEs.

Setting (Saad & Solla, Phys. Rev. E 52, 4225, 1995; Biehl & Schwarze, J. Phys. A 28, 643, 1995;
Goldt, Advani, Saxe, Krzakala & Zdeborová, NeurIPS 2019, arXiv 1906.08632)
----------------------------------------------------------------------------------------------
Inputs ``x ~ N(0, I_d)``; a teacher ``y = Σ_{n≤M} g(ν_n) + √noise·ξ`` with ``ν_n = v_n·x/√d`` and a
student ``f = Σ_{i≤K} g(λ_i)``, ``λ_i = w_i·x/√d`` (second layers fixed to 1).  One-pass SGD, a fresh
sample each step, on ``½(f − y)²`` with learning rate ``lr``:
``w_i ← w_i + (lr/√d) g'(λ_i)(y − f) x`` (in the normalized weights ``J_i = w_i/√d`` the step is
``lr/d``).  Order parameters ``Q_ik = w_i·w_k/d``, ``R_in = w_i·v_n/d``, ``T_nm = v_n·v_m/d = δ_nm``
(orthonormal teachers).  With ``t = steps/d`` and ``d → ∞`` they obey the closed ODEs

.. math::

    \dot R_{in} = \mathrm{lr}\sum_c s_c I_3(i, n, c),\qquad
    \dot Q_{ik} = \mathrm{lr}\sum_c s_c\,[I_3(i, k, c) + I_3(k, i, c)]
        + \mathrm{lr}^2\Big[\sum_{c,e} s_c s_e I_4(i, k, c, e) + \mathrm{noise}\,J_2(i, k)\Big],

where ``c, e`` run over the ``K`` student units (``s_c = −1``) and the ``M`` teacher units
(``s_c = +1``), ``I_3(a,b,c) = E g'(u_a) u_b g(u_c)``, ``I_4(a,b,c,e) = E g'(u_a)g'(u_b)g(u_c)g(u_e)``,
``J_2(a,b) = E g'(u_a)g'(u_b)`` for the Gaussian ``u`` with covariance ``C = [[Q, R], [Rᵀ, I]]``.
The generalization error is ``eg = ½ E(f − y_clean)² = ½ Σ_{c,e} s_c s_e I_2(c, e)``,
``I_2(a,b) = E g(u_a)g(u_b)``.  ``g(x) = erf(x/√2)`` has the arcsine closed forms of Saad & Solla
(implemented in :func:`i2`, :func:`i3`, :func:`i4`, :func:`j2`); ``g(x) = x`` has ``I_2 = C_ab``,
``I_3 = C_bc``, ``I_4 = C_ce``, ``J_2 = 1``.

Initial condition (deterministic): ``Q(0) = q0·I_K``, ``R_in(0) = r0`` for ``i = n`` and 0 otherwise
(``q0 ≥ r0²``, so that ``C`` is a covariance).  The defaults ``q0 = 1/4``, ``r0 = 1/1000``, ``lr = 1/2``
give, for ``erf`` and ``K = M = 2``, a plateau at ``eg ≈ 0.015`` (near the symmetric fixed point's
error ``≈ 0.0116``) that ends (specialization, ``S = 1/2``) at ``t = 238.01`` (``t = 120.06`` at ``lr = 1``).

Quantities: ``eg``, ``R`` (``R_in``; without ``i``/``n`` the mean of the diagonal), ``Q`` (``Q_ik``;
without indices the mean of ``Q_ii``), ``specialization``
``S = M/(M − 1)·[(1/K)Σ_i max_n R_in − (1/(KM))Σ_in R_in]`` (0 on the symmetric subspace, 1 at
``R = I``; needs ``M ≥ 2``) and ``plateau``: the escape time, the first ``t`` with ``S(t) = 1/2``.

Certified values integrate the ODEs with a Gragg–Bulirsch–Stoer extrapolation integrator (ODEX-style
step-size and order control) on python-flint ``arb`` midpoints at mpmath's working precision; its
tolerance follows that precision, so the precision ladder's two rungs see the discretization error
too.  No ball proof: an enclosure of an ODE flow needs a validated integrator (Taylor models), which
the package does not have.  The work is bounded before it starts (:func:`_check_cost`: an estimate
above :data:`CERT_BUDGET_S` seconds, or ``t`` > :data:`MAX_CERT_T`, is refused with a ParameterError
naming ``t`` and the certified range) and while it runs (:data:`MAX_RHS_EVALS`, :data:`DEADLINE_S`:
a named ConvergenceError).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
from flint import arb, ctx

from .._types import ArrayLike, IntLike, Real
from .._validate import check_int, check_real, float_arrays, shown_params
from ..backend import MP, NP, Backend
from ..errors import ConvergenceError, ParameterError
from ..formulas import status_ladder
from ..precision import DEFAULT_DPS, certify, check_dps
from ..references import Source
from ..result import Result
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

if TYPE_CHECKING:
    from ..symbolic.system import FixedPointSystem

NAME = "committee"
ACTIVATIONS = ("erf", "linear")
MAX_WIDTH = 6
MAX_CERT_T = 200
"""Largest ``t`` the certified path integrates to (the float64 curve has no such limit)."""
MAX_RHS_EVALS = 40_000
"""Right-hand-side evaluations one certified integration may spend before it is refused."""
DEADLINE_S = 20.0
"""Wall-clock backstop of one certified request (all ladder rungs): past it a ConvergenceError ends the call.
Requests estimated above :data:`CERT_BUDGET_S` are refused before they start; this catches extra ladder rungs."""

SAAD_SOLLA_1995 = Source(
    "D. Saad, S. A. Solla",
    "On-line learning in soft committee machines",
    1995,
    journal="Phys. Rev. E 52, 4225",
)
GOLDT_2019 = Source(
    "S. Goldt, M. S. Advani, A. M. Saxe, F. Krzakala, L. Zdeborová",
    "Dynamics of stochastic gradient descent for two-layer neural networks in the teacher-student setup",
    2019,
    arxiv="1906.08632",
    journal="NeurIPS 2019",
)


# ----------------------------------------------------------------------------- Gaussian integrals (any backend)
def i2(B: Backend, caa: Any, cbb: Any, cab: Any) -> Any:
    """``E g(u_a)g(u_b) = (2/π) arcsin(C_ab/√((1 + C_aa)(1 + C_bb)))`` for ``g(x) = erf(x/√2)`` (Saad & Solla 1995)."""
    return 2 / B.pi() * B.asin(cab / B.sqrt((1 + caa) * (1 + cbb)))


def i3(B: Backend, caa: Any, cbb: Any, ccc: Any, cab: Any, cac: Any, cbc: Any) -> Any:
    """``E g'(u_a) u_b g(u_c) = (2/π) (C_bc(1 + C_aa) − C_ab C_ac)/((1 + C_aa)√Λ₃)``, ``Λ₃ = (1+C_aa)(1+C_cc) − C_ac²``."""
    lam3 = (1 + caa) * (1 + ccc) - cac * cac
    return 2 / B.pi() * (cbc * (1 + caa) - cab * cac) / ((1 + caa) * B.sqrt(lam3))


def i4(B: Backend, caa: Any, cbb: Any, ccc: Any, cdd: Any, cab: Any, cac: Any, cad: Any, cbc: Any, cbd: Any, ccd: Any) -> Any:
    r"""``E g'(u_a)g'(u_b)g(u_c)g(u_d) = (4/π²) Λ₄^{−1/2} arcsin(Λ₀/√(Λ₁Λ₂))`` (Saad & Solla 1995).

    ``Λ₄ = (1+C_aa)(1+C_bb) − C_ab²``; ``Λ₀ = Λ₄C_cd − C_bcC_bd(1+C_aa) − C_acC_ad(1+C_bb) + C_abC_acC_bd
    + C_abC_adC_bc``; ``Λ₁ = Λ₄(1+C_cc) − C_bc²(1+C_aa) − C_ac²(1+C_bb) + 2C_abC_acC_bc`` and ``Λ₂`` the
    same with ``d`` for ``c``.
    """
    a1, b1 = 1 + caa, 1 + cbb
    lam4 = a1 * b1 - cab * cab
    lam0 = lam4 * ccd - cbc * cbd * a1 - cac * cad * b1 + cab * cac * cbd + cab * cad * cbc
    lam1 = lam4 * (1 + ccc) - cbc * cbc * a1 - cac * cac * b1 + 2 * cab * cac * cbc
    lam2 = lam4 * (1 + cdd) - cbd * cbd * a1 - cad * cad * b1 + 2 * cab * cad * cbd
    pi = B.pi()
    return 4 / (pi * pi) / B.sqrt(lam4) * B.asin(lam0 / B.sqrt(lam1 * lam2))


def j2(B: Backend, caa: Any, cbb: Any, cab: Any) -> Any:
    """``E g'(u_a)g'(u_b) = (2/π)(1 + C_aa + C_bb + C_aaC_bb − C_ab²)^{−1/2}``."""
    return 2 / B.pi() / B.sqrt(1 + caa + cbb + caa * cbb - cab * cab)


# ----------------------------------------------------------------------------- index tables
@cache
def _layout(K: int, M: int) -> dict[str, Any]:
    """Index tables: state = (R row-major, K·M entries; Q upper triangle, K(K+1)/2 entries)."""
    L = K + M
    sign = np.array([-1.0] * K + [1.0] * M)
    r_idx = [(i, K + n) for i in range(K) for n in range(M)]
    q_idx = [(i, k) for i in range(K) for k in range(i, K)]
    # I4 terms for Q_ik: pairs (c, e) with c <= e, weight s_c s_e (2 for c < e)
    pairs = [(c, e) for c in range(L) for e in range(c, L)]
    pw = np.array([sign[c] * sign[e] * (1 if c == e else 2) for c, e in pairs])
    return {"L": L, "sign": sign, "r_idx": r_idx, "q_idx": q_idx, "pairs": pairs, "pw": pw}


def _cov(y: Any, K: int, M: int, zero: Any, one: Any) -> list[list[Any]]:
    """The covariance ``C = [[Q, R], [Rᵀ, I]]`` of ``(λ, ν)`` from the state vector (lists)."""
    lay = _layout(K, M)
    L = lay["L"]
    C = [[zero] * L for _ in range(L)]
    for n in range(M):
        C[K + n][K + n] = one
    for j, (a, b) in enumerate(lay["r_idx"]):
        C[a][b] = C[b][a] = y[j]
    off = K * M
    for j, (a, b) in enumerate(lay["q_idx"]):
        C[a][b] = C[b][a] = y[off + j]
    return C


def _eg_generic(B: Backend, C: Any, K: int, M: int, act: str, get: Callable[[int, int], Any], total: Callable[[Any], Any]) -> Any:
    lay = _layout(K, M)
    terms = []
    for (c, e), w in zip(lay["pairs"], lay["pw"], strict=True):
        v = get(c, e) if act == "linear" else i2(B, get(c, c), get(e, e), get(c, e))
        terms.append(v * float(w) if B is NP else v * int(w))
    return total(terms) / 2


def _eg_mp(y: list[Any], K: int, M: int, act: str) -> Any:
    C = _cov(y, K, M, mpmath.mpf(0), mpmath.mpf(1))
    return _eg_generic(MP, C, K, M, act, lambda a, b: C[a][b], mpmath.fsum)


def _specialization(R: Any, K: int, M: int) -> Any:
    """``S = M/(M − 1)·[(1/K)Σ_i max_n R_in − (1/(KM))Σ_in R_in]`` (``R`` a K×M nested list or array)."""
    top = sum(max(R[i][n] for n in range(M)) for i in range(K)) / K
    mean = sum(R[i][n] for i in range(K) for n in range(M)) / (K * M)
    return (top - mean) * M / (M - 1)


# ----------------------------------------------------------------------------- multiprecision right-hand side
def _rhs_arb(y: list[arb], K: int, M: int, act: str, lr: arb, noise: arb, pi: arb) -> list[arb]:
    """``dy/dt`` on python-flint ``arb`` numbers at ``flint.ctx.prec`` (same formulas as :func:`_rhs_np`).

    The midpoints are the multiprecision values (arb is ~5x faster per operation than ``mpf``); the shared
    factors are computed once per call: ``(2/π)/((1 + C_aa)√Λ₃(a, c))`` for every student ``a`` and unit
    ``c`` (all ``I₃`` terms), and, for each ``Q_ab``, ``Λ₄`` and ``Λ₁(c)^{−1/2}`` (all ``I₄`` terms of
    that entry), so one call costs one arcsine per (entry, pair) and ``O(L²)`` square roots.
    """
    lay = _layout(K, M)
    L, sign = lay["L"], lay["sign"]
    zero, one = arb(0), arb(1)
    C = [[zero] * L for _ in range(L)]
    for n in range(M):
        C[K + n][K + n] = one
    for j, (a, b) in enumerate(lay["r_idx"]):
        C[a][b] = C[b][a] = y[j]
    off = K * M
    for j, (a, b) in enumerate(lay["q_idx"]):
        C[a][b] = C[b][a] = y[off + j]
    lin = act == "linear"
    if lin:
        drift = [[sum((C[b][c] if sign[c] > 0 else -C[b][c] for c in range(L)), zero) for b in range(L)] for _a in range(K)]
    else:
        d1 = [one + C[a][a] for a in range(L)]
        two_pi = 2 / pi
        f3 = [
            [(two_pi if sign[c] > 0 else -two_pi) / (d1[a] * (d1[a] * d1[c] - C[a][c] * C[a][c]).sqrt()) for c in range(L)]
            for a in range(K)
        ]
        drift = [
            [sum((f3[a][c] * (C[b][c] * d1[a] - C[a][b] * C[a][c]) for c in range(L)), zero) for b in range(L)]
            for a in range(K)
        ]
    out = [lr * drift[a][b] for a, b in lay["r_idx"]]
    lr2 = lr * lr
    pairs, pw = lay["pairs"], lay["pw"]
    for a, b in lay["q_idx"]:
        dr = drift[a][b] + drift[b][a]
        if lin:
            quad = sum((C[c][e] * int(w) for (c, e), w in zip(pairs, pw, strict=True)), zero)
            jj = one
        else:
            da, db, cab = d1[a], d1[b], C[a][b]
            Ca, Cb = C[a], C[b]
            lam4 = da * db - cab * cab
            rs = [
                1 / (lam4 * d1[c] - Cb[c] * Cb[c] * da - Ca[c] * Ca[c] * db + 2 * cab * Ca[c] * Cb[c]).sqrt() for c in range(L)
            ]
            acc = zero
            for (c, e), w in zip(pairs, pw, strict=True):
                lam0 = lam4 * C[c][e] - Cb[c] * Cb[e] * da - Ca[c] * Ca[e] * db + cab * (Ca[c] * Cb[e] + Ca[e] * Cb[c])
                acc += (lam0 * rs[c] * rs[e]).asin() * int(w)
            quad = 4 / (pi * pi) / lam4.sqrt() * acc
            jj = (2 / pi) / (da * db - cab * cab).sqrt()
        out.append(lr * dr + lr2 * (quad + noise * jj))
    return out


# ----------------------------------------------------------------------------- extrapolation integrator
_SEQ = tuple(2 * (j + 1) for j in range(24))
"""Step-number sequence of the modified midpoint rule (the "double harmonic" sequence 2, 4, 6, ...)."""
_WORK = tuple(1 + sum(_SEQ[: j + 1]) for j in range(len(_SEQ)))
"""Right-hand sides of one macro step that builds the tableau up to column ``j``."""


class _Budget:
    """Right-hand-side count of one integration, and the wall-clock deadline of the whole request."""

    def __init__(self, deadline: float = math.inf) -> None:
        self.evals = 0
        self.deadline = deadline

    def spend(self, n: int) -> None:
        self.evals += n
        if time.monotonic() > self.deadline:
            raise ConvergenceError(
                f"committee: the certified ODE integration ran past its wall-clock limit ({DEADLINE_S:.0f} s; the precision "
                "ladder needed more rungs than estimated); lower `t` or `dps`, or use the float64 curve "
                "(asymptotics curve committee ...)."
            )
        if self.evals > MAX_RHS_EVALS:
            raise ConvergenceError(
                f"committee: the ODE integration exceeded its work budget ({MAX_RHS_EVALS} right-hand-side evaluations); "
                "lower `t` or `dps`, or use the float64 curve (asymptotics curve committee ...)."
            )


def _mid_abs(x: arb) -> float:
    return abs(float(x.mid()))


def _gbs_step(
    f: Callable[[list[arb]], list[arb]], y: list[arb], f0: list[arb], H: arb, tol: float, kmax: int, budget: _Budget
) -> tuple[list[arb] | None, int, list[float]]:
    """One Gragg–Bulirsch–Stoer macro step of size ``H``: modified midpoint with ``n_j = 2(j+1)`` substeps,
    Aitken–Neville extrapolation in ``h²``.

    Returns ``(state, j, errs)``: the extrapolated state ``T_jj`` at the first column ``j ≥ 1`` whose
    error estimate ``|T_jj − T_{j,j−1}|/(1 + |T_jj|)`` (max over components) is below ``tol``, or ``None``
    when no column up to ``kmax`` is; ``errs[j]`` are those estimates (``errs[0] = inf``).
    """
    table: list[list[list[arb]]] = []
    errs = [math.inf]
    for j in range(kmax + 1):
        n = _SEQ[j]
        h = H / n
        z0 = y
        z1 = [a + h * b for a, b in zip(y, f0, strict=True)]
        for _ in range(n - 1):
            fz = f(z1)
            z0, z1 = z1, [a + 2 * h * b for a, b in zip(z0, fz, strict=True)]
        fz = f(z1)
        budget.spend(n)
        row = [[(a + b + h * c) / 2 for a, b, c in zip(z0, z1, fz, strict=True)]]
        for k in range(1, j + 1):
            num, den = _SEQ[j - k] ** 2, _SEQ[j] ** 2 - _SEQ[j - k] ** 2  # 1/((n_j/n_{j-k})² − 1), exactly
            row.append([a + (a - b) * num / den for a, b in zip(row[k - 1], table[j - 1][k - 1], strict=True)])
        table.append(row)
        if j >= 1:
            err = max(_mid_abs(a - b) / (1 + _mid_abs(a)) for a, b in zip(row[j], row[j - 1], strict=True))
            errs.append(err)
            if err <= tol and j >= 2:
                return [arb(v.mid()) for v in row[j]], j, errs
    return None, kmax, errs


def _integrate(
    y0: list[arb],
    t_end: Fraction,
    f: Callable[[list[arb]], list[arb]],
    stop: Callable[[list[arb]], arb] | None = None,
    deadline: float = math.inf,
) -> tuple[arb, list[arb]]:
    """Integrate ``y' = f(y)`` from 0 to ``t_end`` at ``flint.ctx.prec`` bits; with ``stop``, to the first root of
    ``stop`` (a sign change from negative).

    Step size and order follow a simplified Hairer–Nørsett–Wanner (ODEX) controller: after a step accepted at
    column ``j`` the next step size is ``H·0.9(tol/err_j)^{1/(2j+1)}`` and the column is moved down when that is
    cheaper per unit time, up when the step converged at its target column.  The local tolerance is
    ``2^{-(prec − 14)}``, so the precision ladder's two rungs also differ in their discretization error.
    Returns ``(t, y)`` with ``t = t_end`` or the crossing time.
    """
    prec = ctx.prec
    tol = 2.0 ** -(prec - 14)
    kmax = min(len(_SEQ) - 1, max(8, prec // 7))
    k = max(3, min(kmax - 1, prec // 12))  # target column: high order at high precision
    budget = _Budget(deadline)
    t, y = Fraction(0), list(y0)  # the time is kept exact: a rounded running sum would blur the last step
    H = 0.5
    while t < t_end:
        rest = t_end - t
        last = H >= float(rest) * (1 - 1e-12)
        step = _exact_arb(rest if last else Fraction(H))
        f0 = f(y)
        budget.spend(1)
        y1, j, errs = _gbs_step(f, y, f0, step, tol, k + 1, budget)
        if y1 is None:
            H = float(step.mid()) * max(0.2, 0.9 * (tol / errs[k]) ** (1 / (2 * k + 1)) if errs[k] > 0 else 0.5)
            if H < 1e-8:
                raise ConvergenceError("committee: the ODE integrator cannot converge (stiff or diverging dynamics: lower `lr`).")
            continue
        if not all(v.is_finite() for v in y1) or max(_mid_abs(v) for v in y1) > 1e8:
            raise ConvergenceError("committee: the dynamics diverge (the overlaps blow up): lower `lr`.")
        if stop is not None and float(stop(y1).mid()) >= 0:
            return _crossing(f, y, f0, t, step, stop, tol, kmax, budget)
        t, y = t + (rest if last else Fraction(H)), y1
        h_used = float(step.mid())
        fac = [0.0] + [
            min(4.0, max(0.2, 0.9 * (tol / e) ** (1 / (2 * i + 1)))) if e > 0 else 4.0 for i, e in enumerate(errs[1:], 1)
        ]
        new_h = h_used * fac[j]
        if j >= 3 and _WORK[j - 1] / fac[j - 1] < 0.9 * _WORK[j] / fac[j]:
            k, new_h = j - 1, h_used * fac[j - 1]
        elif j <= k and k + 1 < kmax:
            k, new_h = j + 1, new_h * _WORK[j + 1] / _WORK[j]
        else:
            k = min(j, kmax - 1)
        if not last or new_h > H:
            H = new_h
    return _exact_arb(t_end), y


def _exact_arb(x: Fraction) -> arb:
    """``x`` as a radius-free arb (the midpoint of its rounding at ``flint.ctx.prec``)."""
    return arb((arb(x.numerator) / x.denominator).mid())


def _crossing(
    f: Callable[[list[arb]], list[arb]],
    y: list[arb],
    f0: list[arb],
    t: Fraction,
    H: arb,
    stop: Callable[[list[arb]], arb],
    tol: float,
    kmax: int,
    budget: _Budget,
) -> tuple[arb, list[arb]]:
    """The root of ``stop(y(t + τ))`` in ``(0, H]`` by the Illinois (regula falsi) method; each trial one GBS step."""

    def s(tau: arb) -> tuple[arb, list[arb]]:
        if tau == 0:
            return stop(y), y
        yy, _, _ = _gbs_step(f, y, f0, tau, tol, kmax, budget)
        if yy is None:
            raise ConvergenceError("committee: the ODE integrator cannot converge near the escape time.")
        return arb(stop(yy).mid()), yy

    a, b = arb(0), H
    fa, _ = s(a)
    fb, _ = s(b)
    side = 0
    eps = 2.0 ** -(ctx.prec + 6) * (1 + float(t) + float(H.mid()))
    c_prev = None
    for _ in range(200):
        c = arb(((a * fb - b * fa) / (fb - fa)).mid())
        fc, yc = s(c)
        # stop at an exact zero, a bracket below the rounding level, |S − 1/2| at the integrator's noise
        # level (the tolerance of one step), or when the iterate no longer moves
        if fc.mid() == 0 or _mid_abs(b - a) <= eps or _mid_abs(fc) <= 4 * tol:
            return _exact_arb(t) + c, yc
        if c_prev is not None and _mid_abs(c - c_prev) <= eps:
            return _exact_arb(t) + c, yc
        c_prev = c
        if (fc.mid() < 0) == (fa.mid() < 0):
            a, fa = c, fc
            if side == -1:
                fb /= 2
            side = -1
        else:
            b, fb = c, fc
            if side == 1:
                fa /= 2
            side = 1
        if _mid_abs(b - a) <= eps:
            return _exact_arb(t) + c, yc
    raise ConvergenceError("committee: the escape time did not converge.")


# ----------------------------------------------------------------------------- parameters
def _params(K: Any, M: Any, activation: Any, lr: Any, noise: Any, r0: Any, q0: Any) -> dict[str, Any]:
    if K is None or M is None:
        raise ParameterError("missing parameter(s) `K`, `M`: student and teacher widths (integers in [1, 6]).")
    k = check_int("K", K, low=1, high=MAX_WIDTH)
    m = check_int("M", M, low=1, high=MAX_WIDTH)
    act = str(activation).strip().lower()
    if act not in ACTIVATIONS:
        raise ParameterError(f"`activation` = {activation!r} is not supported; valid: {', '.join(ACTIVATIONS)}.")
    lrv = check_real("lr", lr, low=0, low_open=True, high=100)
    nz = check_real("noise", noise, low=0, high=10**6)
    qv = check_real("q0", q0, low=0, low_open=True, high=100)
    rv = check_real("r0", r0, low=0, high=10)
    if rv * rv > qv:
        raise ParameterError(
            f"`r0`² must not exceed `q0` (the initial overlaps must form a covariance); got r0 = {rv}, q0 = {qv}."
        )
    return {"K": k, "M": m, "activation": act, "lr": lrv, "noise": nz, "r0": rv, "q0": qv}


def _y0(p: dict[str, Any], conv: Callable[[Any], Any]) -> list[Any]:
    K, M = p["K"], p["M"]
    zero = conv(0)
    y = [conv(p["r0"]) if i == n else zero for i in range(K) for n in range(M)]
    y += [conv(p["q0"]) if i == k else zero for i in range(K) for k in range(i, K)]
    return y


def _shown(p: dict[str, Any], **extra: Any) -> dict[str, str]:
    out = {"K": str(p["K"]), "M": str(p["M"]), "activation": p["activation"]}
    out.update(shown_params(lr=p["lr"], noise=p["noise"], r0=p["r0"], q0=p["q0"]))
    out.update({k: str(v) for k, v in extra.items()})
    return out


def _index(name: str, value: Any, high: int) -> int | None:
    return (
        None
        if value is None or (isinstance(value, str) and value.strip() in ("", "-"))
        else check_int(name, value, low=1, high=high)
    )


def _observe(quantity: str, y: list[Any], p: dict[str, Any], idx: tuple[int | None, int | None]) -> Any:
    """The quantity's value from the state (mpmath, current precision)."""
    K, M, act = p["K"], p["M"], p["activation"]
    R = [[y[i * M + n] for n in range(M)] for i in range(K)]
    C = _cov(y, K, M, mpmath.mpf(0), mpmath.mpf(1))
    if quantity == "eg":
        return _eg_mp(y, K, M, act)
    if quantity == "R":
        i, n = idx
        if i is None and n is None:
            return mpmath.fsum(R[a][a] for a in range(min(K, M))) / min(K, M)
        return R[(i or 1) - 1][(n or 1) - 1]
    if quantity == "Q":
        i, k = idx
        if i is None and k is None:
            return mpmath.fsum(C[a][a] for a in range(K)) / K
        return C[(i or 1) - 1][(k or 1) - 1]
    return _specialization(R, K, M)


def _to_arb(x: Fraction) -> arb:
    return arb(x.numerator) / x.denominator if x.denominator != 1 else arb(x.numerator)


def _spec_arb(y: list[arb], K: int, M: int) -> arb:
    """The specialization ``S`` (see :func:`_specialization`) of the state, on arb midpoints."""
    rows = [[y[i * M + n] for n in range(M)] for i in range(K)]
    top = sum((max(r, key=lambda v: float(v.mid())) for r in rows), arb(0)) / K
    mean = sum((v for r in rows for v in r), arb(0)) / (K * M)
    return (top - mean) * M / (M - 1)


def _evaluate_arb(
    quantity: str, p: dict[str, Any], t: Fraction | None, idx: tuple[int | None, int | None], deadline: float = math.inf
) -> tuple[Any, Any]:
    """One rung of the precision ladder: integrate at ``flint.ctx.prec`` (= mpmath's precision), observe in mpmath."""
    from ..ball import _arb_to_mpf

    K, M, act = p["K"], p["M"], p["activation"]
    lr, noise, pi = _to_arb(p["lr"]), _to_arb(p["noise"]), arb.pi()
    y0 = _y0(p, _to_arb)

    def f(y: list[arb]) -> list[arb]:
        return _rhs_arb(y, K, M, act, lr, noise, pi)

    if quantity == "plateau":

        def stop(y: list[arb]) -> arb:
            return _spec_arb(y, K, M) - arb(1) / 2

        if float(stop(y0).mid()) >= 0:
            return mpmath.mpf(0), None
        tc, _ = _integrate(y0, Fraction(MAX_CERT_T), f, stop, deadline)
        if float(tc.mid()) >= MAX_CERT_T:
            raise ConvergenceError(
                f"committee plateau: the student does not specialize (S < 1/2) before t = {MAX_CERT_T}; "
                "a larger r0 or another lr shortens the plateau."
            )
        return _arb_to_mpf(tc), None
    assert t is not None
    _, y = _integrate(y0, t, f, deadline=deadline)
    return _observe(quantity, [_arb_to_mpf(v) for v in y], p, idx), None


CERT_BUDGET_S = 10.0
"""Estimated wall-clock seconds above which a certified request is refused up front (see :func:`_check_cost`)."""
_EVALS_PER_T = 130.0
"""Right-hand sides per unit ``t`` and unit ``max(lr, 1/5)`` at 84 bits (measured: 75-120 for K, M <= 2, 170-230 at
K = M = 3); the count grows like ``prec²`` (the extrapolation order grows with the precision)."""
_EVALS_RAMP = 300.0
"""Right-hand sides of the step-size ramp-up at the start of an integration (at 84 bits; also grows like ``prec²``)."""
_STEP_OVERHEAD = 1.4
"""Measured ratio of one integrator right-hand side (with the midpoint and tableau arithmetic) to a bare one."""


def _rung_bits(dps: int) -> tuple[int, int]:
    """Binary precisions of the precision ladder's two rungs (``dps + g`` and ``dps + 2g`` digits, no range guard)."""
    from mpmath.libmp import dps_to_prec

    from ..precision import GUARD_DPS

    g = GUARD_DPS + max(0, -(dps // 2))
    return dps_to_prec(dps + g), dps_to_prec(dps + 2 * g)


def _rhs_seconds(p: dict[str, Any], bits: int) -> float:
    """Measured seconds of one arb right-hand side at ``bits`` (best of five calls at the initial state)."""
    saved = ctx.prec
    ctx.prec = bits
    try:
        K, M, act = p["K"], p["M"], p["activation"]
        lr, noise, pi = _to_arb(p["lr"]), _to_arb(p["noise"]), arb.pi()
        y0 = _y0(p, _to_arb)
        best = math.inf
        for _ in range(5):
            t0 = time.perf_counter()
            _rhs_arb(y0, K, M, act, lr, noise, pi)
            best = min(best, time.perf_counter() - t0)
        return best
    finally:
        ctx.prec = saved


def _escape_estimate(p: dict[str, Any]) -> float:
    """Float64 (DOP853, rtol 1e-10) estimate of the escape time; ``inf`` when ``S`` stays below 1/2 up to :data:`MAX_CERT_T`."""
    sol = _solve_np(p, np.array([float(MAX_CERT_T)]), 1e-10, stop=True)
    te = sol.t_events[0] if sol.t_events is not None else []
    return float(te[0]) if len(te) else math.inf


def _cost(p: dict[str, Any], horizon: float, dps: int) -> tuple[float, float, float]:
    """``(estimated seconds, seconds per unit t, fixed seconds)`` of a certified integration to ``horizon``.

    Cost = Σ over the two rungs of (right-hand sides) × (measured seconds per right-hand side), with
    right-hand sides ``≈ (130·max(lr, 1/5)·t + 300)·(prec/84)²·max(1, (K + M)/4)`` (measured on this integrator).
    """
    rate = 0.0
    fixed = 0.0
    width = max(1.0, (p["K"] + p["M"]) / 4)  # wider networks take smaller steps (measured: x1.5 at K = M = 3, x2 at 4)
    for bits in _rung_bits(dps):
        sec = _rhs_seconds(p, bits) * _STEP_OVERHEAD * width * (bits / 84) ** 2
        rate += _EVALS_PER_T * max(float(p["lr"]), 0.2) * sec
        fixed += _EVALS_RAMP * sec
    return fixed + rate * horizon, rate, fixed


def _check_cost(quantity: str, p: dict[str, Any], t: Fraction | None, dps: int) -> None:
    """Refuse, before any multiprecision work, a request whose estimated cost (:func:`_cost`) exceeds
    :data:`CERT_BUDGET_S`.  For the ``plateau`` the horizon is the float64 escape time (plus one); an escape
    beyond :data:`MAX_CERT_T` is refused too.
    """
    horizon: float
    if quantity == "plateau":
        if float(_spec_arb(_y0(p, _to_arb), p["K"], p["M"]).mid()) >= 0.5:
            return  # specialized from the start: the escape time is 0, no integration
        te = _escape_estimate(p)
        if not te <= MAX_CERT_T:
            raise ParameterError(
                f"committee plateau: the float64 escape time is {'> ' + str(MAX_CERT_T) if math.isinf(te) else f'≈ {te:.4g}'}, "
                f"beyond the certified horizon (escape time <= {MAX_CERT_T}); raise `r0` or `lr`, or use the float64 value "
                "(asymptotics curve committee plateau ...)."
            )
        horizon = te + 1
    else:
        assert t is not None
        horizon = float(t)
    est, rate, fixed = _cost(p, horizon, dps)
    if est <= CERT_BUDGET_S:
        return
    t_max = max(0.0, (CERT_BUDGET_S - fixed) / rate)
    if quantity == "plateau":
        raise ParameterError(
            f"committee plateau: certifying the escape time (≈ {horizon - 1:.4g}) at dps = {dps} would take about {est:.0f} s "
            f"(budget {CERT_BUDGET_S:.0f} s: certified horizons up to t ≈ {t_max:.3g} for these `K`, `M`, `lr`); "
            "lower `dps`, raise `r0`, or use the float64 value (asymptotics curve committee plateau ...)."
        )
    raise ParameterError(
        f"`t` = {t}: certifying committee {quantity} at dps = {dps} would take about {est:.0f} s (budget {CERT_BUDGET_S:.0f} s); "
        f"the certified range for these `K`, `M`, `lr`, `dps` is t <= {t_max:.3g} (at most {MAX_CERT_T}). "
        "For long horizons use the float64 curve (asymptotics curve committee ... t=...), or lower `dps`."
    )


def _certified(
    quantity: str, p: dict[str, Any], t: Any, idx: tuple[int | None, int | None], dps: int, shown: dict[str, str]
) -> Result:
    M, act = p["M"], p["activation"]
    if quantity in ("specialization", "plateau") and M < 2:
        raise ParameterError(f"`M` = {M}: the {quantity} needs at least two teacher units (M >= 2).")
    if quantity == "plateau" and act == "linear":
        raise ParameterError(
            "`activation` = linear: a linear student never specializes (only the sum of its units is learned); use erf."
        )
    if t is not None and t > MAX_CERT_T:
        raise ParameterError(
            f"`t` = {t} exceeds the certified path's time budget (t <= {MAX_CERT_T}); use the float64 curve "
            "(asymptotics curve committee ... t=...)."
        )
    dps = check_dps(dps)
    _check_cost(quantity, p, t, dps)
    deadline = time.monotonic() + DEADLINE_S

    def evaluate() -> tuple[Any, Any]:
        saved = ctx.prec
        ctx.prec = mpmath.mp.prec
        try:
            return _evaluate_arb(quantity, p, t, idx, deadline)
        finally:
            ctx.prec = saved

    c = certify(evaluate, dps, what=f"committee {quantity}", params=shown, range_guard=False)
    return Result(c.value, NAME, quantity, shown, dps, None, c.error_estimate, None, SAAD_SOLLA_1995, **c.proof_fields())


_DOC_PARAMS = """

    Parameters
    ----------
    K, M : int
        Student and teacher widths, integers in [1, 6].
    activation : {"erf", "linear"}
        ``g(x) = erf(x/√2)`` (default) or ``g(x) = x``.
    lr : real
        Learning rate > 0 (SGD step ``lr/√d`` on the weights, ``lr/d`` on the normalized weights).
    noise : real
        Label-noise variance ≥ 0 (default 0).
    t : real
        Time ``steps/d`` ≥ 0 (at most :data:`MAX_CERT_T` on the certified path).
    r0, q0 : real
        Initial diagonal student–teacher overlap (default 1/1000) and student norm² ``Q_ii(0)`` (default 1/4).
    dps : int
        Significant digits certified by the precision ladder.

    Returns
    -------
    Result
        The certified value (``proven=False``: precision ladder; no validated ODE enclosure).
"""


def eg(
    K: IntLike | None = None,
    M: IntLike | None = None,
    activation: str = "erf",
    lr: Real = "1/2",
    noise: Real = 0,
    t: Real | None = None,
    r0: Real = "1/1000",
    q0: Real = "1/4",
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Generalization error ``eg(t) = ½ E(f − y_clean)² = ½ Σ s_c s_e I₂(c, e)`` (Saad & Solla 1995)."""
    p = _params(K, M, activation, lr, noise, r0, q0)
    tt = _time(t)
    return _certified("eg", p, tt, (None, None), dps, _shown(p, t=tt))


def R(
    K: IntLike | None = None,
    M: IntLike | None = None,
    activation: str = "erf",
    lr: Real = "1/2",
    noise: Real = 0,
    t: Real | None = None,
    r0: Real = "1/1000",
    q0: Real = "1/4",
    i: IntLike | None = None,
    n: IntLike | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Student–teacher overlap ``R_in(t) = w_i·v_n/d`` (1-based ``i``, ``n``; without them the mean of ``R_ii``)."""
    p = _params(K, M, activation, lr, noise, r0, q0)
    tt = _time(t)
    idx = (_index("i", i, p["K"]), _index("n", n, p["M"]))
    extra = {k: v for k, v in (("i", idx[0]), ("n", idx[1])) if v is not None}
    return _certified("R", p, tt, idx, dps, _shown(p, t=tt, **extra))


def Q(
    K: IntLike | None = None,
    M: IntLike | None = None,
    activation: str = "erf",
    lr: Real = "1/2",
    noise: Real = 0,
    t: Real | None = None,
    r0: Real = "1/1000",
    q0: Real = "1/4",
    i: IntLike | None = None,
    k: IntLike | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Student–student overlap ``Q_ik(t) = w_i·w_k/d`` (1-based; without indices the mean of ``Q_ii``)."""
    p = _params(K, M, activation, lr, noise, r0, q0)
    tt = _time(t)
    idx = (_index("i", i, p["K"]), _index("k", k, p["K"]))
    extra = {a: v for a, v in (("i", idx[0]), ("k", idx[1])) if v is not None}
    return _certified("Q", p, tt, idx, dps, _shown(p, t=tt, **extra))


def specialization(
    K: IntLike | None = None,
    M: IntLike | None = None,
    activation: str = "erf",
    lr: Real = "1/2",
    noise: Real = 0,
    t: Real | None = None,
    r0: Real = "1/1000",
    q0: Real = "1/4",
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """``S(t) = M/(M − 1)·[(1/K)Σ_i max_n R_in − (1/(KM))Σ_in R_in]``: 0 when unspecialized, 1 at ``R = I``."""
    p = _params(K, M, activation, lr, noise, r0, q0)
    tt = _time(t)
    return _certified("specialization", p, tt, (None, None), dps, _shown(p, t=tt))


def plateau(
    K: IntLike | None = None,
    M: IntLike | None = None,
    activation: str = "erf",
    lr: Real = "1/2",
    noise: Real = 0,
    r0: Real = "1/1000",
    q0: Real = "1/4",
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Escape time from the plateau: the first ``t`` at which the specialization ``S(t)`` reaches 1/2."""
    p = _params(K, M, activation, lr, noise, r0, q0)
    return _certified("plateau", p, None, (None, None), dps, _shown(p))


for _fn in (eg, R, Q, specialization):
    _fn.__doc__ = (_fn.__doc__ or "") + _DOC_PARAMS
plateau.__doc__ = (plateau.__doc__ or "") + _DOC_PARAMS.replace(
    "    t : real\n        Time ``steps/d`` ≥ 0 (at most :data:`MAX_CERT_T` on the certified path).\n", ""
)


def _time(t: Any) -> Any:
    if t is None:
        raise ParameterError("missing parameter `t` (time steps/d >= 0).")
    return check_real("t", t, low=0)


# ----------------------------------------------------------------------------- float64
@cache
def _np_tables(K: int, M: int) -> dict[str, np.ndarray]:
    """Index arrays of :func:`_layout` for the vectorized float64 right-hand side."""
    lay = _layout(K, M)
    L = K + M
    r = np.array(lay["r_idx"], dtype=np.intp).reshape(-1, 2)
    q = np.array(lay["q_idx"], dtype=np.intp).reshape(-1, 2)
    ab = np.concatenate([r, q])
    base = np.eye(L)
    base[:K, :K] = 0.0
    src = np.arange(ab.shape[0])
    return {
        "base": base,
        "flat": np.concatenate([ab[:, 0] * L + ab[:, 1], ab[:, 1] * L + ab[:, 0]]),  # C entries set from the state
        "src": np.concatenate([src, src]),
        "ra": r[:, 0],
        "rb": r[:, 1],
        "qa": q[:, 0],
        "qb": q[:, 1],
        "q2": q,
        "sign": lay["sign"],
        "f3sign": (2 / math.pi) * lay["sign"],
    }


def _rhs_np(y: np.ndarray, K: int, M: int, act: str, lr: float, noise: float) -> np.ndarray:
    r"""``dy/dt`` in float64, vectorized over the index tables (same integrals as :func:`_rhs_arb`).

    The drift uses the shared factors of :func:`_rhs_arb`: with ``f₃(a, c) = s_c (2/π)/((1 + C_aa)√Λ₃(a, c))``,
    ``Σ_c s_c I₃(a, b, c) = (1 + C_aa)(f₃C)_ab − C_ab Σ_c f₃(a, c)C_ac`` (two matrix products).  The ``I₄``
    sums use that Saad & Solla's ``Λ₀/Λ₄`` is a Schur complement: with ``A = I₂ + C_{(ab),(ab)}`` (the
    2×2 block of the pair, ``det A = Λ₄``) and ``X = C_{(ab),·}`` (its two rows),
    ``S = C − Xᵀ A⁻¹ X`` gives ``Λ₀(c, e) = Λ₄ S_ce`` and ``Λ₁(c) = Λ₄(1 + S_cc)``, so

    .. math::

        \sum_{c,e} s_c s_e I_4(a, b, c, e) = \frac{4}{\pi^2\sqrt{\Lambda_4}}
            \sum_{c,e} s_c s_e \arcsin\frac{S_{ce}}{\sqrt{(1 + S_{cc})(1 + S_{ee})}}

    (the Gaussian reweighting by ``g'(u_a)g'(u_b) ∝ exp(−(u_a² + u_b²)/2)`` turns ``C`` into ``S``), and
    ``J₂(a, b) = (2/π)/√Λ₄``; all ``Q`` entries at once as a batch of ``L×L`` matrices.
    """
    return _rhs_batch(y[None, :], K, M, act, np.array([lr]), np.array([noise]))[0]


def _rhs_batch(Y: np.ndarray, K: int, M: int, act: str, lr: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """:func:`_rhs_np` for a batch: ``Y`` of shape ``(N, state)``, one ``lr`` and ``noise`` per row."""
    tb = _np_tables(K, M)
    sign = tb["sign"]
    N, L = Y.shape[0], K + M
    C = np.repeat(tb["base"][None], N, axis=0)
    C.reshape(N, L * L)[:, tb["flat"]] = Y[:, tb["src"]]
    qa, qb = tb["qa"], tb["qb"]
    if act == "linear":
        drift = np.broadcast_to((C @ sign)[:, None, :], (N, K, L))  # Σ_c s_c C_bc, the same for every a
        quad: Any = ((C @ sign) @ sign)[:, None]
        jj: Any = 1.0
    else:
        d1 = 1.0 + np.diagonal(C, axis1=1, axis2=2)  # (N, L)
        Ck = C[:, :K]  # rows a < K
        dk = d1[:, :K, None]
        f3 = tb["f3sign"] / (dk * np.sqrt(dk * d1[:, None, :] - Ck * Ck))
        drift = dk * (f3 @ C) - Ck * np.sum(f3 * Ck, axis=2)[:, :, None]
        X = C[:, tb["q2"]]  # (N, P, 2, L): the rows a and b
        da, db, cab = d1[:, qa], d1[:, qb], C[:, qa, qb]
        lam4 = da * db - cab * cab
        adj = np.empty((N, qa.size, 2, 2))
        adj[..., 0, 0], adj[..., 1, 1], adj[..., 0, 1], adj[..., 1, 0] = db, da, -cab, -cab
        S = C[:, None] - np.swapaxes(X, 2, 3) @ (adj @ X) / lam4[..., None, None]
        s1 = 1.0 / np.sqrt(1.0 + np.diagonal(S, axis1=2, axis2=3))
        quad = (4 / math.pi**2) / np.sqrt(lam4) * ((np.arcsin(S * s1[..., :, None] * s1[..., None, :]) @ sign) @ sign)
        jj = (2 / math.pi) / np.sqrt(lam4)
    out = np.empty(Y.shape)
    lr_, nz = lr[:, None], noise[:, None]
    out[:, : K * M] = lr_ * drift[:, tb["ra"], tb["rb"]]
    out[:, K * M :] = lr_ * (drift[:, qa, qb] + drift[:, qb, qa]) + lr_ * lr_ * (quad + nz * jj)
    return out


def _observe_np(quantity: str, Y: np.ndarray, K: int, M: int, act: str, idx: tuple[int | None, int | None]) -> np.ndarray:
    """The quantity along a trajectory ``Y`` (state × times)."""
    lay = _layout(K, M)
    Rm = Y[: K * M].reshape(K, M, -1)
    off = K * M

    def q(a: int, b: int) -> np.ndarray:
        a, b = min(a, b), max(a, b)
        return Y[off + lay["q_idx"].index((a, b))]

    if quantity == "R":
        i, n = idx
        if i is None and n is None:
            return np.mean([Rm[a, a] for a in range(min(K, M))], axis=0)
        return Rm[(i or 1) - 1, (n or 1) - 1]
    if quantity == "Q":
        i, k = idx
        if i is None and k is None:
            return np.mean([q(a, a) for a in range(K)], axis=0)
        return q((i or 1) - 1, (k or 1) - 1)
    if quantity == "specialization":
        return (Rm.max(axis=1).mean(axis=0) - Rm.mean(axis=(0, 1))) * M / (M - 1)

    def get(a: int, b: int) -> np.ndarray:
        if a >= K and b >= K:
            return np.full(Y.shape[1], 1.0 if a == b else 0.0)
        if a < K and b < K:
            return q(a, b)
        i_, n_ = (a, b - K) if a < K else (b, a - K)
        return Rm[i_, n_]

    return _eg_generic(NP, None, K, M, act, get, lambda terms: np.sum(terms, axis=0))


def _solve_np(p: dict[str, Any], t_eval: np.ndarray, rtol: float, stop: bool = False) -> Any:
    from scipy.integrate import solve_ivp

    K, M, act = p["K"], p["M"], p["activation"]
    lr, noise = float(p["lr"]), float(p["noise"])
    y0 = np.array(_y0(p, float))

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        return _rhs_np(y, K, M, act, lr, noise)

    events = None
    if stop:

        def ev(_t: float, y: np.ndarray) -> float:
            Rm = y[: K * M].reshape(K, M)
            return float((Rm.max(axis=1).mean() - Rm.mean()) * M / (M - 1) - 0.5)

        ev.terminal = True  # type: ignore[attr-defined]
        ev.direction = 1  # type: ignore[attr-defined]
        events = ev
    t_end = float(t_eval.max()) if t_eval.size else 0.0
    if t_end == 0.0 and not stop:
        from types import SimpleNamespace

        return SimpleNamespace(status=0, y=np.repeat(y0[:, None], t_eval.size, axis=1), t_events=None)
    with np.errstate(all="ignore"):
        return solve_ivp(f, (0.0, t_end), y0, method="DOP853", t_eval=t_eval, rtol=rtol, atol=rtol * 1e-3, events=events)


def _batch_setup(ps: list[dict[str, Any]]) -> tuple[int, int, str, np.ndarray, Callable[[float, np.ndarray], np.ndarray]]:
    K, M, act = ps[0]["K"], ps[0]["M"], ps[0]["activation"]
    lr = np.array([float(p["lr"]) for p in ps])
    noise = np.array([float(p["noise"]) for p in ps])
    Y0 = np.array([_y0(p, float) for p in ps])
    shape = Y0.shape

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        return _rhs_batch(y.reshape(shape), K, M, act, lr, noise).reshape(-1)

    return K, M, act, Y0, f


def _solve_batch(ps: list[dict[str, Any]], t_eval: np.ndarray, rtol: float) -> np.ndarray | None:
    """The states of all combinations ``ps`` (one ``K``, ``M``, activation) at ``t_eval``: shape (N, state, times).

    One DOP853 integration of the stacked system (the step size is shared, the error norm is the RMS over all
    components); ``None`` when the integration fails.  Used by :func:`curve_values` with the two tolerances
    :data:`_RTOLS`, whose per-combination difference decides the status.
    """
    from scipy.integrate import solve_ivp

    _K, _M, _act, Y0, f = _batch_setup(ps)
    t_end = float(t_eval.max()) if t_eval.size else 0.0
    if t_end == 0.0:
        return np.repeat(Y0[:, :, None], t_eval.size, axis=2)
    with np.errstate(all="ignore"):
        sol = solve_ivp(f, (0.0, t_end), Y0.reshape(-1), method="DOP853", t_eval=t_eval, rtol=rtol, atol=rtol * 1e-3)
    if sol.status != 0 or sol.y.shape[1] != t_eval.size:
        return None
    return sol.y.reshape(Y0.shape[0], Y0.shape[1], t_eval.size)


def _escape_batch(ps: list[dict[str, Any]], rtol: float) -> list[float]:
    """Escape times (first upward crossing of ``S = 1/2``) of all combinations ``ps``; NaN where there is none
    before :data:`PLATEAU_HORIZON` or the integration fails.

    Steps the stacked system with scipy's DOP853 until every combination has crossed; a crossing inside a step
    is located by Brent's method on the step's dense output (as ``solve_ivp``'s events).
    """
    from scipy.integrate import DOP853
    from scipy.optimize import brentq

    K, M, _act, Y0, f = _batch_setup(ps)
    N, D = Y0.shape

    def spec(y: np.ndarray) -> np.ndarray:
        Rm = y.reshape(N, D)[:, : K * M].reshape(N, K, M)
        return (Rm.max(axis=2).mean(axis=1) - Rm.mean(axis=(1, 2))) * M / (M - 1) - 0.5

    out = np.full(N, np.nan)
    with np.errstate(all="ignore"):
        solver = DOP853(f, 0.0, Y0.reshape(-1), PLATEAU_HORIZON, rtol=rtol, atol=rtol * 1e-3)
        g_old = spec(solver.y)
        while solver.status == "running":
            t_old = solver.t
            if solver.step() is not None or not np.all(np.isfinite(solver.y)):
                break
            g_new = spec(solver.y)
            hit = np.isnan(out) & (g_old <= 0) & (g_new >= 0)
            if hit.any():
                dense = solver.dense_output()
                for b in np.nonzero(hit)[0]:

                    def gb(tau: float, b: int = int(b)) -> float:
                        Rm = dense(tau).reshape(N, D)[b, : K * M].reshape(K, M)
                        return float((Rm.max(axis=1).mean() - Rm.mean()) * M / (M - 1) - 0.5)

                    out[b] = t_old if g_old[b] == 0 else brentq(gb, t_old, solver.t, xtol=4 * np.finfo(float).eps)
            if not np.isnan(out).any():
                break
            g_old = g_new
    return [float(v) for v in out]


BATCH_ENTRIES = 20_000
"""At most this many entries (combinations × Q entries × L²) in one stacked float64 integration."""


_RTOLS = (1e-11, 1e-13)
"""The two DOP853 tolerances of a float64 value (``atol = rtol/1000``).  Their difference estimates the error
of the looser solve, and the tighter one is reported: ``eg`` is a cancelling sum of O(1) integrals, and on the
plateau of the defaults the rtol-1e-10 solve alone is off by ~1e-7 (relative) where rtol 1e-11 stays below 6e-8
and rtol 1e-13 near 1e-11 (measured against rtol 3e-14)."""
CURVE_BUDGET_S = 6.0
"""Wall-clock seconds one float64 ``curve_values`` call may spend.  The combinations of one ``K``, ``M`` are
integrated together as one stacked system (at most :data:`BATCH_ENTRIES` entries per batch; a 400-point
``plateau`` sweep of ``K = M = 2`` is one batch, about 6 s); the batches are visited coarse to fine (first,
last, then ever finer strides), the first always runs, and the points of the batches left when the budget is
spent get status 3 (NaN), thinning a sweep evenly instead of cutting off its end."""


def _coarse_to_fine(n: int) -> list[int]:
    """``0, n−1``, then the indices by decreasing power of two dividing them (strides n/2, n/4, ...)."""
    rank = [0 if j == 0 else (1 if j == n - 1 else 2 + 64 - ((j & -j).bit_length())) for j in range(n)]
    return sorted(range(n), key=lambda j: (rank[j], j))


PLATEAU_HORIZON = 20_000.0


def curve_values(
    quantity: str,
    K: ArrayLike,
    M: ArrayLike,
    activation: str = "erf",
    lr: ArrayLike = 0.5,
    noise: ArrayLike = 0.0,
    t: ArrayLike = 0.0,
    r0: ArrayLike = 1e-3,
    q0: ArrayLike = 0.25,
    i: ArrayLike | None = None,
    n: ArrayLike | None = None,
    k: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 values and status codes: ``solve_ivp`` (DOP853) at the two tolerances :data:`_RTOLS`; the tighter
    solve's value, status 0 where the looser one agrees with it to 1e-7 (relative).

    The distinct parameter combinations of one ``K``, ``M`` are integrated together (:func:`_solve_batch`,
    :func:`_escape_batch`), with every requested ``t`` as output time; the status is decided per combination.
    Points outside the domain get status 2, disagreeing tolerances, a failed solve or a point left when
    :data:`CURVE_BUDGET_S` is spent status 3.
    """
    arrs = np.broadcast_arrays(*float_arrays(K=K, M=M, lr=lr, noise=noise, t=t, r0=r0, q0=q0))
    shape = arrs[0].shape
    flat = [a.reshape(-1) for a in arrs]
    size = flat[0].size
    values = np.full(size, np.nan)
    domain = np.zeros(size, bool)
    conv = np.zeros(size, bool)
    combos: dict[tuple[float, ...], list[int]] = {}
    for j in range(size):
        key = tuple(float(a[j]) for a in flat)
        combos.setdefault(key[:4] + key[5:], []).append(j)

    items = list(combos.items())
    jobs: list[tuple[list[int], np.ndarray, dict[str, Any], tuple[int | None, int | None]]] = []
    for key, js in (items[j] for j in _coarse_to_fine(len(items))):
        Kf, Mf, lrf, nzf, r0f, q0f = key
        ts = np.array([flat[4][j] for j in js])
        try:
            if not (all(math.isfinite(v) for v in key) and Kf.is_integer() and Mf.is_integer()):
                raise ParameterError("non-finite")
            p = _params(int(Kf), int(Mf), activation, lrf, nzf, r0f, q0f)
            p = {**p, "lr": lrf, "noise": nzf, "r0": r0f, "q0": q0f}
            idx: tuple[int | None, int | None] = (None, None)
            if quantity == "R":
                idx = (_index("i", i, p["K"]) if i is not None else None, _index("n", n, p["M"]) if n is not None else None)
            elif quantity == "Q":
                idx = (_index("i", i, p["K"]) if i is not None else None, _index("k", k, p["K"]) if k is not None else None)
            if (quantity in ("specialization", "plateau") and p["M"] < 2) or (
                quantity == "plateau" and p["activation"] == "linear"
            ):
                raise ParameterError("M < 2")
        except (ParameterError, ValueError):
            continue
        ok_t = np.isfinite(ts) & (ts >= 0)
        for j, okj in zip(js, ok_t, strict=True):
            domain[j] = bool(okj) or quantity == "plateau"
        if quantity == "plateau":
            R0 = np.array(_y0(p, float)[: p["K"] * p["M"]]).reshape(p["K"], p["M"])
            if (R0.max(axis=1).mean() - R0.mean()) * p["M"] / (p["M"] - 1) >= 0.5:
                for j in js:  # specialized from the start (as the certified path): escape time 0
                    values[j], conv[j] = 0.0, True
                continue
        elif not ok_t.any():
            continue
        jobs.append((js, ts, p, idx))

    # batches: combinations of one (K, M), in the coarse-to-fine order, at most BATCH_ENTRIES array entries each
    batches: dict[tuple[int, int], list[list[Any]]] = {}
    for job in jobs:
        Kj, Mj = job[2]["K"], job[2]["M"]
        cap = max(1, BATCH_ENTRIES // ((Kj * (Kj + 1) // 2) * (Kj + Mj) ** 2))
        group = batches.setdefault((Kj, Mj), [[]])
        if len(group[-1]) >= cap:
            group.append([])
        group[-1].append(job)
    start = time.perf_counter()
    for nb, batch in enumerate(sorted((b for g in batches.values() for b in g), key=lambda b: jobs.index(b[0]))):
        if nb and time.perf_counter() - start > CURVE_BUDGET_S:
            continue  # inside the domain but not computed (the first batch always is): status 3
        ps = [job[2] for job in batch]
        if quantity == "plateau":
            outs = [_escape_batch(ps, rtol) for rtol in _RTOLS]
            for (js, _ts, _p, _idx), e0, e1 in zip(batch, outs[0], outs[1], strict=True):
                good = math.isfinite(e1) and abs(e0 - e1) <= 1e-7 * abs(e1)
                for j in js:
                    values[j], conv[j] = e1, good
            continue
        tv = np.unique(np.concatenate([ts[np.isfinite(ts) & (ts >= 0)] for _js, ts, _p, _idx in batch]))
        sols = [_solve_batch(ps, tv, rtol) for rtol in _RTOLS]
        if sols[0] is None or sols[1] is None:
            continue
        for b, (js, ts, p, idx) in enumerate(batch):
            y0, y1 = sols[0][b], sols[1][b]
            if not (np.all(np.isfinite(y0)) and np.all(np.isfinite(y1))):
                continue
            res = [_observe_np(quantity, y, p["K"], p["M"], p["activation"], idx) for y in (y0, y1)]
            agree = np.abs(res[0] - res[1]) <= 1e-7 * np.abs(res[1])
            for j, tj in zip(js, ts, strict=True):
                if math.isfinite(tj) and tj >= 0:
                    pos = int(np.searchsorted(tv, tj))
                    values[j], conv[j] = res[1][pos], bool(agree[pos])
    return status_ladder(domain.reshape(shape), conv.reshape(shape), values.reshape(shape))


# ----------------------------------------------------------------------------- symbolic
@cache
def system() -> FixedPointSystem:
    """The order-parameter ODEs (general ``K``, ``M``, in index form) and the erf integrals, as SymPy objects."""
    import sympy as sp

    from ..symbolic.system import FixedPointSystem

    t = sp.Symbol("t", nonnegative=True)
    lr, noise = sp.symbols(r"\eta \sigma^2", nonnegative=True)
    Rin, Qik = sp.Function("R_{in}")(t), sp.Function("Q_{ik}")(t)
    I3 = sp.Function("I_3")
    I4 = sp.Function("I_4")
    J2 = sp.Function("J_2")
    I2 = sp.Function("I_2")
    c, e, i, k, n = sp.symbols("c e i k n")
    s = sp.Function("s")
    Lsym = sp.Symbol("L", positive=True, integer=True)
    dR = lr * sp.Sum(s(c) * I3(i, n, c), (c, 1, Lsym))
    dQ = lr * sp.Sum(s(c) * (I3(i, k, c) + I3(k, i, c)), (c, 1, Lsym)) + lr**2 * (
        sp.Sum(s(c) * s(e) * I4(i, k, c, e), (c, 1, Lsym), (e, 1, Lsym)) + noise * J2(i, k)
    )
    caa, cbb, ccc, cdd, cab, cac, cad, cbc, cbd, ccd = sp.symbols("C_aa C_bb C_cc C_dd C_ab C_ac C_ad C_bc C_bd C_cd", real=True)
    lam3 = (1 + caa) * (1 + ccc) - cac**2
    lam4 = (1 + caa) * (1 + cbb) - cab**2
    lam0 = lam4 * ccd - cbc * cbd * (1 + caa) - cac * cad * (1 + cbb) + cab * cac * cbd + cab * cad * cbc
    lam1 = lam4 * (1 + ccc) - cbc**2 * (1 + caa) - cac**2 * (1 + cbb) + 2 * cab * cac * cbc
    lam2 = lam4 * (1 + cdd) - cbd**2 * (1 + caa) - cad**2 * (1 + cbb) + 2 * cab * cad * cbd
    quantities = {
        "eg": sp.Rational(1, 2) * sp.Sum(s(c) * s(e) * I2(c, e), (c, 1, Lsym), (e, 1, Lsym)),
        "I2_erf": 2 / sp.pi * sp.asin(cab / sp.sqrt((1 + caa) * (1 + cbb))),
        "I3_erf": 2 / sp.pi * (cbc * (1 + caa) - cab * cac) / ((1 + caa) * sp.sqrt(lam3)),
        "I4_erf": 4 / sp.pi**2 / sp.sqrt(lam4) * sp.asin(lam0 / sp.sqrt(lam1 * lam2)),
        "J2_erf": 2 / sp.pi / sp.sqrt(1 + caa + cbb + caa * cbb - cab**2),
    }
    labels = {
        "eg": r"\varepsilon_g",
        "I2_erf": r"I_2(a,b)",
        "I3_erf": r"I_3(a,b,c)",
        "I4_erf": r"I_4(a,b,c,d)",
        "J2_erf": r"J_2(a,b)",
    }
    return FixedPointSystem(
        name="committee",
        unknowns=(Rin, Qik),
        parameters=(lr, noise),
        equations=(sp.Eq(sp.Derivative(Rin, t), dR), sp.Eq(sp.Derivative(Qik, t), dQ)),
        quantities=quantities,
        labels=labels,
        source=SAAD_SOLLA_1995,
    )


# ----------------------------------------------------------------------------- registry
_COMMON = ("K", "M", "activation", "lr", "noise", "t", "r0", "q0")
PROOF_NOTE = "precision ladder only: the ODE flow has no validated (ball/Taylor-model) enclosure in the package"


def _q(name: str, fn: Any, doc: str, params: tuple[str, ...] = _COMMON, optional: tuple[str, ...] = ()) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(name, doc, params, fn, curve, optional=optional, proof="estimate", proof_note=PROOF_NOTE)


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Online SGD in a soft committee machine (teacher-student, d -> inf): the Saad-Solla order-parameter ODEs.",
        params={
            "K": ParamSpec("K", "student width, integer in [1, 6]", kind="int"),
            "M": ParamSpec("M", "teacher width, integer in [1, 6] (orthonormal teachers, T = I)", kind="int"),
            "activation": ParamSpec("activation", "erf (g = erf(x/sqrt 2)) | linear", default="erf", kind="text"),
            "lr": ParamSpec("lr", "learning rate > 0 (step lr/d on normalized weights)", default="1/2"),
            "noise": ParamSpec("noise", "label-noise variance >= 0", default="0"),
            "t": ParamSpec("t", "time steps/d >= 0"),
            "r0": ParamSpec("r0", "initial diagonal overlap R_ii(0) >= 0 (off-diagonal 0), r0^2 <= q0", default="1/1000"),
            "q0": ParamSpec("q0", "initial student norm Q_ii(0) > 0 (off-diagonal 0)", default="1/4"),
            "i": ParamSpec("i", "student index 1..K (R, Q); default: mean of the diagonal", default="-", kind="int"),
            "n": ParamSpec("n", "teacher index 1..M (R)", default="-", kind="int"),
            "k": ParamSpec("k", "student index 1..K (Q)", default="-", kind="int"),
        },
        quantities={
            "eg": _q("eg", eg, "generalization error 1/2 E(f - y_clean)^2 at time t"),
            "R": _q("R", R, "student-teacher overlap R_in(t) (default: mean diagonal)", (*_COMMON, "i", "n"), ("i", "n")),
            "Q": _q("Q", Q, "student-student overlap Q_ik(t) (default: mean diagonal)", (*_COMMON, "i", "k"), ("i", "k")),
            "specialization": _q("specialization", specialization, "specialization S(t) in [0, 1] (needs M >= 2)"),
            "plateau": _q(
                "plateau",
                plateau,
                "escape time from the plateau: first t with S(t) = 1/2",
                ("K", "M", "activation", "lr", "noise", "r0", "q0"),
            ),
        },
        system=system,
        source=SAAD_SOLLA_1995,
        aliases=("soft_committee", "saad_solla"),
    )
)
