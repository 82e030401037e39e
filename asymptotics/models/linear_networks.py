r"""Deep linear networks: end-to-end dynamics, singular-value dynamics, time to learn a mode.

Setting (Cohen & Razin, *Lecture Notes on Linear Neural Networks*, arXiv 2408.13767; Arora,
Cohen, Hazan, arXiv 1802.06509; Arora, Cohen, Hu, Luo, arXiv 1905.13655; Saxe, McClelland,
Ganguli, arXiv 1312.6120)
------------------------------------------------------------------------------------------
A depth-``N`` linear network ``W = W_N ⋯ W_1`` trained by gradient flow on
``φ(W_1, …, W_N) = ℓ(W_{N:1})``.  Layer gradients: ``∂φ/∂W_j = W_{N:j+1}ᵀ ∇ℓ(W) W_{j−1:1}ᵀ``.

* **Balancedness** ``W_{j+1}ᵀW_{j+1} = W_jW_jᵀ`` is conserved by the flow (for any ``ℓ``); from a
  balanced start the product obeys the **end-to-end dynamics**

  .. math:: \dot W = -\sum_{j=1}^{N}\big[WW^\top\big]^{\frac{j-1}{N}}\,\nabla\ell(W)\,\big[W^\top W\big]^{\frac{N-j}{N}},

  i.e. ``vec(Ẇ) = −P_W vec(∇ℓ)`` with ``P_W`` diagonal in the basis ``u_a v_bᵀ`` of the full SVD
  of ``W``: ``λ_ab = Σ_j σ_a^{2(j−1)/N} σ_b^{2(N−j)/N} = (σ_a² − σ_b²)/(σ_a^{2/N} − σ_b^{2/N})``
  (``Nσ^{2−2/N}`` on the diagonal, ``0⁰ = 1``).  :func:`end_to_end_rate` evaluates the rule
  through that SVD form, so fractional powers of singular PSD matrices never appear
  (docs/models/lnn.md, 'Derivation'; :func:`psd_power` is the robust literal
  form, for comparison).
* **Singular values** (distinct, balanced): ``σ̇_r = −N(σ_r²)^{1−1/N} ⟨∇ℓ(W), u_r v_rᵀ⟩``.
* **Aligned case** ``ℓ = ½‖W − Φ‖_F²`` with ``W(0)`` aligned with ``Φ = U diag(s) Vᵀ``: each mode
  solves ``σ̇ = Nσ^{2−2/N}(s − σ)``.  With ``x = σ/s`` and ``a = 2/N − 1`` the time from ``σ₀`` to
  ``σ₁`` is

  .. math:: T = \frac{F(x_1) - F(x_0)}{N s^{2-2/N}},\qquad F(x) = \frac{x^a}{a}\,{}_2F_1(1, a; a+1; x),
            \qquad F'(x) = \frac{x^{a-1}}{1-x},

  with the special cases ``N = 1``: ``σ(t) = s − (s − σ₀)e^{−t}`` and ``N = 2`` (logistic):
  ``σ(t) = sσ₀e^{2st}/(s − σ₀ + σ₀e^{2st})``.  For ``N ≥ 3``, ``σ(t)`` inverts ``T`` (monotone) by a
  safeguarded Newton iteration in ``z = logit(x)`` (relative accuracy in ``x`` and in ``1 − x``,
  so tiny initializations such as ``ε^N = 10⁻⁶⁰`` work), switching to the exact-to-working-precision
  linear tail ``s − σ ∝ e^{−Ns^{2−2/N}t}`` once ``1 − x < 10^{−dps−5}``.
* **Time to learn a mode** (:func:`time_to_learn`, from ``σ₀ = init`` to ``frac·s``) and its
  small-initialization asymptotics (:func:`time_asymptotic`): ``ln(1/(1 − x₁))`` for ``N = 1``,
  ``ln(s/σ₀)/(2s)`` for ``N = 2`` and ``σ₀^{−(1−2/N)}/((N − 2)s)`` for ``N ≥ 3``.  ``init`` is the
  singular value of the *product*; with per-layer scale ``ε`` (balanced) it is ``ε^N``.

Loss normalization: ``ℓ = ½‖W − Φ‖_F²`` and ``t = η·steps`` (without the ½ time doubles).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from .._types import IntLike, Real
from .._validate import check_int, check_real, describe, shown_params, to_mpf
from ..backend import MP, Backend
from ..errors import ConvergenceError, ParameterError
from ..precision import DEFAULT_DPS, certify
from ..references import Source
from ..result import Result
from . import _lnn_guarantee as _guarantee
from . import _lnn_implicit as _implicit
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

if TYPE_CHECKING:
    from ..symbolic.system import FixedPointSystem

NAME = "lnn"
FORMS = ("end_to_end", "singular_value", "aligned")
MAX_DEPTH = 10_000

COHEN_RAZIN_2024 = Source(
    "N. Cohen, N. Razin",
    "Lecture Notes on Linear Neural Networks: A Tale of Optimization and Generalization in Deep Learning",
    2024,
    arxiv="2408.13767",
)
ACH_2018 = Source(
    "S. Arora, N. Cohen, E. Hazan",
    "On the Optimization of Deep Networks: Implicit Acceleration by Overparameterization",
    2018,
    arxiv="1802.06509",
    journal="ICML 2018",
)
ACHL_2019 = Source(
    "S. Arora, N. Cohen, W. Hu, Y. Luo",
    "Implicit Regularization in Deep Matrix Factorization",
    2019,
    arxiv="1905.13655",
    journal="NeurIPS 2019",
)
SAXE_2014 = Source(
    "A. Saxe, J. McClelland, S. Ganguli",
    "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks",
    2014,
    arxiv="1312.6120",
    journal="ICLR 2014",
)


# ----------------------------------------------------------------------------- parameters
def _mode_params(depth: Any, init: Any, s: Any) -> tuple[int, Any, Any]:
    if depth is None or init is None or s is None:
        missing = [n for n, v in (("depth", depth), ("init", init), ("s", s)) if v is None]
        raise ParameterError(f"missing parameter(s) {', '.join(missing)}: depth (integer ≥ 1), init (σ(0) > 0), s (> 0).")
    n = check_int("depth", depth, low=1, high=MAX_DEPTH)
    sv = check_real("s", s, low=0, low_open=True)
    x0 = check_real("init", init, low=0, low_open=True)
    if x0 >= sv:
        raise ParameterError(
            f"`init` = {shown_params(x=x0)['x']} must be below the target singular value `s` = {shown_params(x=sv)['x']}: "
            "the aligned mode grows from init toward s."
        )
    return n, x0, sv


def _check_frac(frac: Any, x0: Any, sv: Any) -> Any:
    fr = check_real("frac", frac, low=0, high=1, low_open=True, high_open=True)
    if fr <= x0 / sv:
        raise ParameterError(
            f"`frac` = {shown_params(x=fr)['x']} must exceed init/s = {shown_params(x=x0 / sv)['x']}: the mode starts above it."
        )
    return fr


# ----------------------------------------------------------------------------- closed forms (mpmath)
# F is evaluated by two convergent series, split at x = 1/2 (ratio <= 1/2 in both):
#   x <= 1/2:  F(x) = x^a/a · 2F1(1, a; a+1; x) = Σ_{k≥0} x^{k+a}/(k+a),
#   x >= 1/2:  F(x) = −ln w − γ − ψ(a) − (1−a) w · 3F2(1, 1, 2−a; 2, 2; w),  w = 1 − x,
# the second from F'(x) = −(1−w)^{a−1}/w dw/dx = −[1/w + Σ_{k≥1} (1−a)_k w^{k−1}/k!] and the limit
# F(x) + ln(1 − x) → Σ_{k≥0} [1/(k+a) − 1/(k+1)] = −γ − ψ(a) as x → 1.  Near x = 1 it takes w itself (no
# cancellation in 1 − x, so no doubled working precision) and avoids mpmath's 2F1 at the degenerate
# point c − a − b = 0, which costs 1–10 ms per call.


# The formulas below take a backend ``B`` (default :data:`~asymptotics.backend.MP`, the values the
# precision ladder certifies); with ``B = AB`` (:mod:`asymptotics.ball`) the same functions return
# balls that enclose the exact values (the proof route, docs/proofs/lnn.md).  The special functions
# 2F1, 3F2 and ψ, which the backends do not carry, go through _hyp2f1_1, _hyp3f2 and _shift_b:
# mpmath on MP, Arb's rigorous hypgeometric series and digamma on balls.  On balls the inputs may be
# exact Fractions (x₀ = init/s, 1 − x₀, frac, ...): arithmetic on them stays exact until it meets a ball.


def _is_ball(B: Backend) -> bool:
    return B.name == "ball"


def _exponent_a(B: Backend, depth: int) -> Any:
    """``a = 2/N − 1`` on ``B`` (MP: the same rounding as ``mpf(2)/N − 1``)."""
    return B.num(Fraction(2, depth)) - 1


@cache
def _shift(depth: int, prec: int) -> Any:
    """``−γ − ψ(a)`` (``a = 2/N − 1``) at ``prec`` bits (cached: one value per depth and precision)."""
    with mpmath.workprec(prec):
        a = mpmath.mpf(2) / depth - 1
        return -mpmath.euler - mpmath.digamma(a)


@cache
def _shift_ball(depth: int, prec: int) -> Any:
    """``−γ − ψ(a)`` as an ``arb`` at ``prec`` bits (python-flint's precision must be ``prec``)."""
    from flint import arb, fmpq

    a = arb(fmpq(2 - depth, depth))
    return -arb.const_euler() - a.digamma()


def _shift_b(B: Backend, depth: int) -> Any:
    if _is_ball(B):
        from flint import ctx

        from ..ball import Ball

        return Ball(_shift_ball(depth, ctx.prec))
    return _shift(depth, mpmath.mp.prec)


def _hyp2f1_1(B: Backend, a: Any, x: Any) -> Any:
    """``₂F₁(1, a; a + 1; x)`` on ``B`` (``0 < x <= 1/2`` in use: the series converges with ratio <= 1/2)."""
    if _is_ball(B):
        from ..ball import Ball, ball

        av = ball(a).v
        # b − c = a − (a + 1) = −1 is an exact integer even though the ball a is not exact
        return Ball(ball(x).v.hypgeom_2f1(1, av, av + 1, bc=True))
    return mpmath.hyp2f1(1, a, a + 1, x)


def _hyp3f2(B: Backend, a: Any, w: Any) -> Any:
    """``₃F₂(1, 1, 2 − a; 2, 2; w)`` on ``B`` (``0 < w <= 1/2`` in use)."""
    if _is_ball(B):
        from ..ball import Ball, ball

        return Ball(ball(w).v.hypgeom([1, 1, 2 - ball(a).v], [2, 2]))
    return mpmath.hyp3f2(1, 1, 2 - a, 2, 2, w)


def _pow(B: Backend, x: Any, e: Any) -> Any:
    """``x**e`` with an exact base turned into a number of ``B`` first (``Fraction ** ball`` would go via float)."""
    return (B.num(x) if isinstance(x, Fraction | int) else x) ** e


def _below_half(x: Any) -> bool:
    """Which series of :func:`_antiderivative` to sum: ``x <= 1/2`` (a ball: its midpoint ``<= 1/2``).

    Both series are identities on the whole interval ``0 < x < 1``, so deciding by the midpoint is
    rigorous for a ball: the choice only moves the convergence ratio (below 1 on the ball).
    """
    v = getattr(x, "v", None)
    if v is not None:
        return bool(v.mid() <= 0.5)
    return bool(x <= 0.5)


def _antiderivative(x: Any, w: Any, depth: int, B: Backend = MP) -> Any:
    """``F(x)`` for ``N ≥ 3`` from ``x`` and ``w = 1 − x`` (both to working precision), current precision."""
    a = _exponent_a(B, depth)
    if _below_half(x):
        return _pow(B, x, a) / a * _hyp2f1_1(B, a, x)
    return -B.log(w) + _shift_b(B, depth) - (1 - a) * w * _hyp3f2(B, a, w)


def antiderivative(x: Any, depth: int, B: Backend = MP) -> Any:
    """``F(x)`` with ``F'(x) = x^{a−1}/(1 − x)``, ``a = 2/N − 1`` (``N = 1``: ``−ln(1 − x)``; ``N = 2``: logit)."""
    if depth == 1:
        return -B.log1p(-x)
    if depth == 2:
        return B.log(x) - B.log1p(-x)
    return _antiderivative(x, 1 - x, depth, B)


def _mode_rate(B: Backend, s: Any, depth: int) -> Any:
    """``N s^{2−2/N}``: the rate of the aligned mode's ODE in the time variable."""
    return depth * _pow(B, s, 2 - B.num(Fraction(2, depth)))


def mode_time(x0: Any, x1: Any, s: Any, depth: int, B: Backend = MP) -> Any:
    """Time for an aligned mode to go from ``x₀s`` to ``x₁s`` (``0 < x₀ < x₁ < 1``), current precision."""
    if depth == 1:
        return B.log((1 - x0) / (1 - x1))
    return (antiderivative(x1, depth, B) - antiderivative(x0, depth, B)) / _mode_rate(B, s, depth)


def _float_antiderivative(z: float, a: float, shift: float) -> tuple[float, float]:
    """``(F(x), x^a)`` in float64 at ``x = 1/(1 + e^{−z})`` (the two series of :func:`_antiderivative`)."""
    e = math.exp(-abs(z))
    if z < 0:  # x = e/(1 + e) <= 1/2
        lx = z - math.log1p(e)
        x, xa = math.exp(lx), math.exp(a * lx)
        total, p = 0.0, xa
        for k in range(200):
            term = p / (k + a)
            total += term
            if abs(term) <= 1e-17 * abs(total):
                break
            p *= x
        return total, xa
    w = e / (1 + e)  # x >= 1/2
    total, r, p = 0.0, 1.0, 1.0
    for k in range(1, 200):
        r *= (k - a) / k
        p *= w
        term = r * p / k
        total += term
        if term <= 1e-17 * total:
            break
    return z + math.log1p(e) + shift - total, math.exp(-a * math.log1p(e))


def _float_logit_root(t: Any, x0: Any, rate: Any, depth: int, z_hi: float) -> tuple[float, float] | None:
    """Float64 start for :func:`mode_trajectory`: ``(z, lost)`` with ``T(z) ≈ t``, or ``None`` out of range.

    ``lost`` estimates the decimal digits that ``F(x) − F(x₀)`` cancels at the root, measured in the
    units that matter (an absolute error ``δ`` in ``F`` moves ``z`` by ``δ·rate/x^a``).
    """
    try:
        tf, x0f, rf = float(t), float(x0), float(rate)
        a = 2.0 / depth - 1.0
        shift = float(_shift(depth, 53))
        if not (math.isfinite(tf) and math.isfinite(rf) and 0.0 < x0f < 1.0):
            return None
        lo = math.log(x0f) - math.log1p(-x0f)
        hi = z_hi
        f0, _ = _float_antiderivative(lo, a, shift)
        # small-x approximation F ≈ x^a/a: x^a = x₀^a + a·rate·t; it underestimates x (F' > x^{a−1}),
        # so it is a left point of the concave increasing G(z) = (F − f₀)/rate − t, where Newton is monotone
        y = x0f**a + a * rf * tf
        z = lo
        if y > 1.0:
            xs = math.exp(math.log(y) / a)
            if 0.0 < xs < 1.0:
                z = min(max(lo, math.log(xs) - math.log1p(-xs)), hi)
        elif lo < 0.0 < hi:
            z = 0.0
        fz = xa = 0.0
        for _ in range(200):
            fz, xa = _float_antiderivative(z, a, shift)
            g = (fz - f0) / rf - tf
            if g > 0:
                hi = z
            else:
                lo = z
            nz = z - g * rf / xa
            if not lo < nz < hi:
                nz = (lo + hi) / 2
            done = abs(nz - z) <= 1e-13 * (1 + abs(z))
            z = nz
            if done:
                break
        else:
            return None
        if not (math.isfinite(z) and math.isfinite(f0) and math.isfinite(fz) and xa > 0):
            return None
        lost = math.log10(max(abs(f0), abs(fz), 1.0) / xa)
        return z, max(0.0, lost)
    except (OverflowError, ValueError, ZeroDivisionError):
        return None


def _closed_trajectory(t: Any, x0: Any, s: Any, depth: int, B: Backend = MP) -> Any:
    """``σ(t)`` for ``N = 1`` (exponential relaxation) and ``N = 2`` (logistic), on ``B``."""
    if depth == 1:
        # σ₀ + (s − σ₀)(1 − e^{−t}): two non-negative terms; s − (s − σ₀)e^{−t} cancelled for t ≪ 1 (with
        # s = 1e5000, init = 0.1, t = 1e-300 both ladder rungs gave 0 instead of 1e4700)
        return x0 * s - (s - x0 * s) * B.expm1(-t)
    # logistic: x(t) = x₀e^{2st}/(1 − x₀ + x₀e^{2st}), written with e^{−2st} to avoid overflow
    e = B.exp(-2 * s * t)
    return s * x0 / (x0 + (1 - x0) * e)


def mode_trajectory(t: Any, x0: Any, s: Any, depth: int) -> Any:
    """``σ(t)`` of an aligned mode started at ``σ₀ = x₀s`` (current precision)."""
    return _mode_trajectory(t, x0, s, depth)[0]


def _mode_trajectory(t: Any, x0: Any, s: Any, depth: int, w0: Any = None, start: Any = None) -> tuple[Any, Any]:
    """``(σ(t), (z, lost))``: ``z = logit(σ/s)`` and the guard digits used (``None`` for closed forms, tail).

    ``w0 = 1 − x₀`` when known more accurately than the rounded ``1 − x0``; ``start`` a ``(z, lost)``
    returned at a lower precision (the next precision rung starts from it); without it, a float64
    root starts the Newton iteration.
    """
    if t == 0:
        return x0 * s, None
    if depth <= 2:
        return _closed_trajectory(t, x0, s, depth, MP), None
    dps = mpmath.mp.dps
    rate = _mode_rate(MP, s, depth)
    ln10 = math.log(10)
    z_hi_f = (dps + 5) * ln10
    guess = start if start is not None else _float_logit_root(t, x0, rate, depth, z_hi_f)
    if guess is not None:
        lost = guess[1]
    else:
        # bound: |F| <= max(|F(x₀)|, F(1 − 10^{−dps−5}) ≈ (dps + 5) ln 10 + N/2) and x^a >= 1
        with mpmath.workprec(53):
            f0_mag = abs(_antiderivative(x0, 1 - x0, depth)) if x0 <= 0.5 else mpmath.mpf(0)
            lost = float(mpmath.log10(max(f0_mag, mpmath.mpf(z_hi_f + depth), 1)))
    with mpmath.workdps(dps + 5 + math.ceil(lost)):
        x0w = +x0
        w0w = 1 - x0w if w0 is None else +w0
        f0 = _antiderivative(x0w, w0w, depth)
        w_tail = mpmath.mpf(10) ** (-(dps + 5))
        t_tail = (_antiderivative(1 - w_tail, w_tail, depth) - f0) / rate
        if t >= t_tail:  # linear tail: s − σ = s·w_tail·e^{−rate(t − t_tail)}, below 10^{−dps−5} relative
            return s * (1 - w_tail * mpmath.exp(-rate * (t - t_tail))), None
        a = mpmath.mpf(2) / depth - 1

        def x_w(z: Any) -> tuple[Any, Any]:  # x and 1 − x from z = logit(x), both without cancellation
            e = mpmath.exp(-abs(z))
            return (1 / (1 + e), e / (1 + e)) if z >= 0 else (e / (1 + e), 1 / (1 + e))

        # G(z) = T(z) − t increases in z = logit(x), concave (G'(z) = x^a/rate, G''/G' = a(1 − x) ∈ (−1, 0]):
        # Newton, safeguarded by bisection.  Once a step is below √tol the iterate after it is within
        # |G''/2G'|·step² < tol of the root.  z is O(log) in both tails, so an absolute tolerance on z
        # is a relative one on x and on 1 − x.
        lo, hi = mpmath.log(x0w) - mpmath.log(w0w), mpmath.log(1 - w_tail) - mpmath.log(w_tail)
        z = mpmath.mpf(guess[0]) if guess is not None else lo
        if not lo <= z <= hi:
            z = lo
        tol = mpmath.mpf(10) ** (-(dps + 8))
        root_tol = mpmath.mpf(10) ** (-(dps + 8) / 2)
        for _ in range(200 + 8 * dps):
            x, w = x_w(z)
            g = (_antiderivative(x, w, depth) - f0) / rate - t
            if g > 0:
                hi = z
            elif g < 0:
                lo = z
            else:
                break
            nz = z - g * rate / x**a
            scale = 1 + abs(z)
            newton = lo < nz < hi or abs(nz - z) <= tol * scale  # a step below the resolution of z converged
            if not newton:
                nz = (lo + hi) / 2
                if nz == lo or nz == hi:  # lo, hi adjacent at the working precision: the root is pinned
                    z = nz  # (a root within 1e-36 of logit(x₀) at N = 100 looped here until the limit)
                    break
            if (newton and abs(nz - z) <= root_tol * scale) or hi - lo <= tol * scale:
                z = nz
                break
            z = nz
        else:
            raise ConvergenceError(f"lnn trajectory: no convergence at t = {mpmath.nstr(t, 8)}")
        return s * x_w(z)[0], (z, lost)


def _log2(x: Any) -> float:
    """``log₂|x|`` of a nonzero mpf as a float (any exponent; 53-bit accuracy is plenty here)."""
    with mpmath.workprec(53):
        return float(mpmath.log(abs(x), 2))


def _trajectory_ball(t: Fraction, x0: Fraction, s: Fraction, depth: int) -> Any:
    r"""``σ(t)`` for ``N ≥ 3`` as a ball: the multiprecision root of ``T(z) = t``, proven by a sign change.

    With ``z = logit(x)``, ``G(z) = (F(x(z)) − F(x₀))/(N s^{2−2/N}) − t`` has ``G'(z) = x^a/(N s^{2−2/N})
    > 0`` (``dF/dx = x^{a−1}/(1 − x)``, ``dx/dz = x(1 − x)``): ``G`` is strictly increasing on the whole
    line, ``G(logit x₀) = −t < 0`` and ``G → +∞`` as ``z → ∞`` (``F(x) ~ −ln(1 − x)``), so it has exactly one
    root, and that root is the aligned mode's ``σ(t)/s`` (``σ̇ > 0`` on ``(0, s)``: ``t ↦ σ(t)`` is the
    inverse of the time ``T`` to reach ``σ``).  Uniqueness is therefore global; the balls only have to
    prove *existence* in a thin bracket ``[z* − δ, z* + δ]`` around the mpmath root ``z*``: ``G(z* − δ) < 0
    < G(z* + δ)`` on thin balls, and ``G`` finite on the bracket
    (:func:`~asymptotics.ball.root_by_sign_change`).  Then ``σ = s/(1 + e^{−Z})`` on the bracket ``Z``.

    ``δ`` is ``2^{−(p−8)}(1 + |z*|)/(1 − x*)``, capped at ``1/4`` (``p`` the working precision): the
    relative width it gives ``σ`` is ``≈ 2δ(1 − x*)``, and it is ``≥ 2^{34}`` times the tolerance of the
    mpmath solver, so a correct ``z*`` always lies well inside.  ``G`` is evaluated with the bits that
    ``F(x) − F(x₀)`` cancels added back, so ``|G(z* ± δ)| ≈ x*^a δ/(N s^{2−2/N})`` is resolved.  In the
    linear tail (where the mpmath solver returns ``s(1 − w)`` without ``z``, ``1 − x < 10^{−dps−5}``) a
    proven lower bound of the root suffices: ``G(z_low) < 0`` with ``z_low = ⌈(p − 30) ln 2⌉`` puts the
    root above ``z_low`` (``G`` increasing), so ``σ ∈ [s·x(z_low), s]``, narrower than ``2^{−(p−30)}``
    relative; no exponential of a huge ``z`` is formed (``t = 10^{5000}``).
    """
    from ..ball import AB, Ball, NotProven, point, root_by_sign_change, workprec

    prec = mpmath.mp.prec  # prove() has set mpmath's and python-flint's precision alike
    tm, x0m, w0m, sm = to_mpf(t), to_mpf(x0), to_mpf(1 - x0), to_mpf(s)
    _, info = _mode_trajectory(tm, x0m, sm, depth, w0=w0m)
    rate_m = _mode_rate(MP, sm, depth)
    with mpmath.workprec(53):
        f0_mag = abs(_antiderivative(x0m, w0m, depth))
        big = max(f0_mag + rate_m * tm, mpmath.mpf(1))  # bounds |F(x)| and |F(x₀)| at the root
    a = 2.0 / depth - 1.0

    def g_of(z: Any, f0: Any, rate: Any) -> Any:  # G(z) on balls
        x, w = 1 / (1 + AB.exp(-z)), 1 / (1 + AB.exp(z))  # both without cancellation
        return (_antiderivative(x, w, depth, AB) - f0) / rate - t

    if info is None:
        # linear tail (1 − x < 10^{−dps−5}): a proven lower bound of the root is enough.  G(z_low) < 0 and
        # G increasing put the root above z_low, so σ/s ∈ (x(z_low), 1) with 1 − x(z_low) < e^{−z_low} <=
        # 2^{−(p−30)}; z* ≈ rate·t + F(x₀) + γ + ψ(a) (to ±1 here) only chooses the precision.  No exp of a
        # huge z is ever formed (t = 1e5000 works).
        z_low = math.ceil((prec - 30) * math.log(2))
        with mpmath.workprec(64 + max(0, int(_log2(max(f0_mag, mpmath.mpf(1)))))):
            z_est = rate_m * tm + _antiderivative(x0m, w0m, depth) - _shift(depth, 53)
        margin = max(z_est - z_low, mpmath.mpf(1))
        bits = max(prec, math.ceil(_log2(big) - _log2(margin)) + 24)
        with workprec(bits):
            f0 = _antiderivative(x0, 1 - x0, depth, AB)
            if (g_of(AB.num(z_low), f0, _mode_rate(AB, s, depth)) < 0) is not True:
                raise NotProven("lnn trajectory: the tail's lower bound of the root is not proven")
            x_low = 1 / (1 + AB.exp(AB.num(-z_low)))
            return Ball((s * x_low).v.union(AB.num(s).v))
    z = info[0]
    with mpmath.workprec(53):
        log2_x = -float(mpmath.log(1 + mpmath.exp(-z), 2))  # log₂ x*
        log2_w = -float(mpmath.log(1 + mpmath.exp(z), 2))  # log₂(1 − x*)
        log2_z = float(mpmath.log(1 + abs(z), 2))
    log2_delta = min(-2.0, -(prec - 8) + log2_z - log2_w)
    k = math.ceil(-log2_delta)
    delta = Fraction(1, 2**k) if k >= 0 else Fraction(2 ** (-k))
    bits = max(prec, math.ceil(_log2(big) - a * log2_x + k) + 24)
    with workprec(bits):
        f0 = _antiderivative(x0, 1 - x0, depth, AB)
        rate = _mode_rate(AB, s, depth)
        zc = point(z)  # the exact binary value of the mpmath root
        u = root_by_sign_change(lambda u: g_of(zc + u, f0, rate), 0, rel=delta, increasing=True)
        sigma = s / (1 + AB.exp(-(zc + u)))
    return Ball(sigma.v)


def asymptotic_time(x0: Any, x1: Any, s: Any, depth: int, B: Backend = MP) -> Any:
    """Leading small-``σ₀`` behaviour of :func:`mode_time` (``σ₀ = x₀s → 0``, ``x₁`` fixed)."""
    if depth == 1:
        return -B.log1p(-x1)
    if depth == 2:
        return B.log(1 / x0) / (2 * s)
    return _pow(B, x0 * s, _exponent_a(B, depth)) / ((depth - 2) * s)


def singular_value_ode(sigma: Any, g: Any, depth: int, B: Backend = MP) -> Any:
    """``σ̇ = −N(σ²)^{1−1/N} g`` on ``B`` (``N = 1``: ``−g``; ``0⁰ = 1`` never arises for ``N ≥ 2``)."""
    power = 1 if depth == 1 else _pow(B, sigma * sigma, 1 - B.num(Fraction(1, depth)))
    return -depth * power * g


# ----------------------------------------------------------------------------- public quantities
def _result(
    quantity: str, fn: Any, shown: dict[str, str], dps: int, source: Source = COHEN_RAZIN_2024, proof: Any = None
) -> Result:
    """Certify ``fn()`` (mpmath); ``proof()`` returns the same value as a ball (the proof route, tried first)."""
    # no dynamic-range guard digits: the mode formulas work in logit(x) and log variables, where a tiny
    # `init` or a huge `t` never cancels against another parameter (mode_trajectory, mode_time handle
    # x = 1 - w and frac - init themselves); the guard would cost a 5000-digit ladder for init = 1e-5000
    prove = None if proof is None else (lambda: (proof(), None))
    c = certify(lambda: (fn(), None), dps, what=f"lnn {quantity}", params=shown, range_guard=False, prove=prove)
    return Result(c.value, NAME, quantity, shown, dps, None, c.error_estimate, None, source, **c.proof_fields())


def _extra_bits(digits: float) -> Any:
    """Raise the ball precision (python-flint's and mpmath's) by ``digits`` decimal digits for a block."""
    from flint import ctx

    from ..ball import BITS_PER_DIGIT, workprec

    return workprec(ctx.prec + max(0, math.ceil(digits * BITS_PER_DIGIT)))


def time_to_learn(
    depth: IntLike | None = None, init: Real | None = None, s: Real | None = None, frac: Real = "1/2", *, dps: int = DEFAULT_DPS
) -> Result:
    """Time for an aligned mode of target singular value ``s`` to grow from ``init`` to ``frac·s``.

    Gradient flow on ``½‖W − Φ‖_F²`` with a balanced depth-``N`` linear network aligned with
    ``Φ``: ``T = (F(x₁) − F(x₀))/(N s^{2−2/N})`` (module docstring; hypergeometric for ``N ≥ 3``).
    Example (``s = 1``, ``init = 10⁻³``, ``frac = ½``): 3.4534 (``N = 2``), 9.1447 (``N = 3``).
    """
    n, x0, sv = _mode_params(depth, init, s)
    fr = _check_frac(frac, x0, sv)
    shown = {"depth": str(n), **shown_params(init=x0, s=sv, frac=fr)}
    # F(x₁) − F(x₀) cancels when frac is close to init/s: add the digits the exact gap says are lost
    gap = fr - x0 / sv
    ratio = fr / gap if gap < fr / 100 else None  # exact: a gap below float range (1e-400) must not become 0
    lost = max(0, int(math.log10(ratio.numerator) - math.log10(ratio.denominator)) + 5) if ratio is not None else 0

    def fn() -> Any:
        with mpmath.workdps(mpmath.mp.dps + lost):
            value = mode_time(to_mpf(x0 / sv), to_mpf(fr), to_mpf(sv), n)
        return +value

    def proof() -> Any:
        # the same formula on balls, from the exact x₀ = init/s, frac and s (1 − x stays exact);
        # the digits F(x₁) − F(x₀) cancels come back as extra precision, as on the ladder
        from ..ball import AB

        with _extra_bits(lost):
            return mode_time(x0 / sv, fr, sv, n, AB)

    return _result("time_to_learn", fn, shown, dps, SAXE_2014, proof)


def trajectory(
    depth: IntLike | None = None,
    init: Real | None = None,
    s: Real | None = None,
    t: Real | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """``σ(t)``: the aligned mode's singular value at time ``t ≥ 0`` (closed form, inverted for ``N ≥ 3``)."""
    n, x0, sv = _mode_params(depth, init, s)
    if t is None:
        raise ParameterError("missing parameter `t` (time ≥ 0).")
    tt = check_real("t", t, low=0)
    shown = {"depth": str(n), **shown_params(init=x0, s=sv, t=tt)}

    carried: list[Any] = []  # the root of the previous precision rung starts the next one

    def fn() -> Any:
        if tt == 0:
            return to_mpf(x0)
        ratio = x0 / sv
        value, z = _mode_trajectory(
            to_mpf(tt), to_mpf(ratio), to_mpf(sv), n, w0=to_mpf(1 - ratio), start=carried[-1] if carried else None
        )
        if z is not None:
            carried.append(z)
        return value

    def proof() -> Any:
        from ..ball import AB

        if tt == 0:
            return AB.num(x0)
        if n <= 2:
            return _closed_trajectory(tt, x0 / sv, sv, n, AB)
        return _trajectory_ball(tt, x0 / sv, sv, n)

    return _result("trajectory", fn, shown, dps, SAXE_2014, proof)


def time_asymptotic(
    depth: IntLike | None = None, init: Real | None = None, s: Real | None = None, frac: Real = "1/2", *, dps: int = DEFAULT_DPS
) -> Result:
    """Leading-order time to learn as ``init → 0``: ``ln(1/(1−x₁))``, ``ln(s/σ₀)/(2s)``, ``σ₀^{−(1−2/N)}/((N−2)s)``."""
    n, x0, sv = _mode_params(depth, init, s)
    fr = _check_frac(frac, x0, sv)
    shown = {"depth": str(n), **shown_params(init=x0, s=sv, frac=fr)}

    def proof() -> Any:
        from ..ball import AB

        return AB.num(asymptotic_time(x0 / sv, fr, sv, n, AB))  # a Fraction stays exact until a ball meets it

    return _result(
        "time_asymptotic", lambda: asymptotic_time(to_mpf(x0) / to_mpf(sv), to_mpf(fr), to_mpf(sv), n), shown, dps, proof=proof
    )


def singular_value_rate(
    depth: IntLike | None = None, sigma: Real | None = None, grad: Real | None = None, *, dps: int = DEFAULT_DPS
) -> Result:
    """``σ̇ = −N(σ²)^{1−1/N} g`` with ``g = ⟨∇ℓ(W), u vᵀ⟩`` (``grad``): the singular-value ODE."""
    if depth is None or sigma is None or grad is None:
        raise ParameterError("missing parameter(s): depth (integer ≥ 1), sigma (≥ 0), grad (real).")
    n = check_int("depth", depth, low=1, high=MAX_DEPTH)
    sg = check_real("sigma", sigma, low=0)
    g = check_real("grad", grad)
    shown = {"depth": str(n), **shown_params(sigma=sg, grad=g)}

    def fn() -> Any:
        return singular_value_ode(to_mpf(sg), to_mpf(g), n)

    def proof() -> Any:
        from ..ball import AB

        return AB.num(singular_value_ode(sg, g, n, AB))  # N = 1 and exact inputs: an exact Fraction

    return _result("singular_value_rate", fn, shown, dps, ACHL_2019, proof)


# ----------------------------------------------------------------------------- matrices (float64)
def psd_power(S: np.ndarray, p: float) -> np.ndarray:
    """``S^p`` for a symmetric PSD ``S`` with ``0⁰ = 1``; eigenvalues below ``100·n·eps·λ_max`` count as 0.

    Without that threshold, ``eigh``'s ``±10⁻¹⁶`` stand-ins for exact zeros become
    ``10^{−16p}`` (``10⁻³`` for ``p = 1/5``): the pitfall described in docs/models/lnn.md, 'Derivation'.  Forming ``S = WᵀW``
    squares the condition number, so genuine singular values of ``W`` below ``~10⁻⁷`` of the
    largest are lost here (they become zeros): prefer :func:`end_to_end_rate`, which works on the
    SVD of ``W`` itself.
    """
    S = np.asarray(S, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ParameterError(f"`S` must be a square matrix; got shape {S.shape}.")
    evals, vecs = np.linalg.eigh((S + S.T) / 2)
    top = max(float(evals.max(initial=0.0)), 0.0)
    zero = evals <= 100 * S.shape[0] * np.finfo(float).eps * top
    powered = np.where(zero, 1.0 if p == 0 else 0.0, np.abs(evals) ** p)
    return (vecs * powered) @ vecs.T


def preconditioner_eigenvalues(sa: np.ndarray, sb: np.ndarray, depth: int) -> np.ndarray:
    """``λ_ab = Σ_{j=1}^N σ_a^{2(j−1)/N} σ_b^{2(N−j)/N}`` (broadcast), with ``0⁰ = 1``."""
    n = check_int("depth", depth, low=1, high=MAX_DEPTH)
    a2, b2 = np.broadcast_arrays(np.asarray(sa, dtype=float) ** 2, np.asarray(sb, dtype=float) ** 2)
    if n == 1:
        return np.ones(a2.shape)
    sa_, sb_ = np.broadcast_arrays(np.abs(np.asarray(sa, dtype=float)), np.abs(np.asarray(sb, dtype=float)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pa, pb = a2 ** (1 / n), b2 ** (1 / n)
        diff = pa - pb
        generic = (a2 - b2) / np.where(diff != 0, diff, 1.0)
        # close values: with L = ln(σ_big/σ_small) (log1p of an exact difference),
        # λ = σ_small^{2−2/N}·expm1(2L)/expm1(2L/N) has no cancellation and tends to N σ^{2−2/N} as L → 0
        both = (sa_ > 0) & (sb_ > 0)
        big, small = np.maximum(sa_, sb_), np.where(both, np.minimum(sa_, sb_), 1.0)
        L = np.log1p((big - small) / small)
        near = both & (L <= 1.0)
        ratio = np.where(L > 0, np.expm1(2 * L) / np.where(L > 0, np.expm1(2 * L / n), 1.0), float(n))
        close_form = small ** (2 - 2 / n) * ratio
    out = np.where(near, close_form, generic)
    return np.where((a2 == 0) & (b2 == 0), 0.0, out)


def end_to_end_rate(W: np.ndarray, grad: np.ndarray, depth: int) -> np.ndarray:
    """``Ẇ = −Σ_j (WWᵀ)^{(j−1)/N} ∇ℓ (WᵀW)^{(N−j)/N}`` through the full SVD (no fractional matrix powers).

    ``W = U diag(σ) Vᵀ`` (full, ``σ`` padded with zeros): ``Ẇ = −U[Λ ∘ (Uᵀ∇ℓV)]Vᵀ`` with
    ``Λ = (λ_ab)`` of :func:`preconditioner_eigenvalues`.  Singular values at or below
    ``10·max(shape)·eps·σ_max`` count as exact zeros.

    Parameters
    ----------
    W, grad : array_like
        Non-empty real matrices (ints or floats, every entry finite) of the same shape ``(m, k)``.
    depth : int
        Number of layers ``N``, an integer in ``[1, MAX_DEPTH]``.

    Returns
    -------
    numpy.ndarray
        ``Ẇ``, shape ``(m, k)``.  Anything else (a dict, complex entries, NaN, a huge int, shapes
        that differ, a rate that overflows float64) raises :class:`ParameterError`.
    """
    n = check_int("depth", depth, low=1, high=MAX_DEPTH)
    W = _real_matrix("W", W)
    G = _real_matrix("grad", grad)
    if W.shape != G.shape:
        raise ParameterError(f"`W` and `grad` must be matrices of the same shape; got {W.shape} and {G.shape}.")
    with np.errstate(over="ignore", invalid="ignore"):
        rate = _end_to_end_rate(W, G, n)
    if not np.all(np.isfinite(rate)):
        raise ParameterError("`W` and `grad` are too large: the end-to-end rate overflows float64; rescale them.")
    return rate


def _real_matrix(name: str, value: Any) -> np.ndarray:
    """``value`` as a non-empty 2-D float64 array of finite reals, or a ParameterError naming ``name``."""
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "biuf":  # no object (dicts, huge ints), complex or text entries
            raise TypeError
        with np.errstate(over="ignore"):
            M = raw.astype(float)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"`{name}` must be a matrix of real numbers; got {describe(value)}.") from None
    if M.ndim != 2 or M.size == 0:
        raise ParameterError(f"`{name}` must be a non-empty matrix (2-D array); got shape {M.shape}.")
    if not np.all(np.isfinite(M)):
        raise ParameterError(f"`{name}` must have finite entries (no NaN or inf, and within float64 range).")
    return M


def _end_to_end_rate(W: np.ndarray, G: np.ndarray, depth: int) -> np.ndarray:
    U, sv, Vt = np.linalg.svd(W, full_matrices=True)
    # round-off stand-ins for exact zero singular values would enter as σ^{2/N} (1e-16 → 4e-7 at N = 5):
    # numpy's rank rule sets them to 0 exactly (docs/models/lnn.md, 'Derivation')
    sv = np.where(sv <= sv.max(initial=0.0) * max(W.shape) * np.finfo(float).eps * 10, 0.0, sv)
    sa = np.zeros(W.shape[0])
    sb = np.zeros(W.shape[1])
    sa[: sv.size], sb[: sv.size] = sv, sv
    lam = preconditioner_eigenvalues(sa[:, None], sb[None, :], depth)
    return -U @ (lam * (U.T @ G @ Vt.T)) @ Vt


# ----------------------------------------------------------------------------- symbolic
@cache
def system(form: str = "end_to_end") -> FixedPointSystem:
    """The dynamics as SymPy objects: ``end_to_end`` (matrix ODE), ``singular_value``, ``aligned``."""
    if form not in FORMS:
        raise ParameterError(f"unknown lnn system form {form!r}; valid: {', '.join(FORMS)}.")
    import sympy as sp  # only here: importing the model (the CLI, certified values) does not import SymPy

    from ..symbolic.system import FixedPointSystem

    N = sp.Symbol("N", positive=True, integer=True)
    j = sp.Symbol("j", positive=True, integer=True)
    t = sp.Symbol("t", nonnegative=True)
    U = dict(evaluate=False)
    q: dict[str, sp.Expr] = {}
    labels: dict[str, str] = {}
    if form == "end_to_end":
        W, G = sp.symbols("W \\nabla\\ell(W)", commutative=False)
        WWt, WtW = sp.symbols("WW^{\\top} W^{\\top}W", commutative=False)
        Wdot = sp.Symbol(r"\dot W", commutative=False)
        rhs = -sp.Sum(WWt ** ((j - 1) / N) * G * WtW ** ((N - j) / N), (j, 1, N))
        equations = (sp.Eq(Wdot, rhs),)
        eta = sp.Symbol("eta", positive=True)
        Wt = sp.Symbol("W^{(t)}", commutative=False)
        WWt_t, WtW_t = sp.symbols("W^{(t)}W^{(t)\\top} W^{(t)\\top}W^{(t)}", commutative=False)
        Gt = sp.Symbol("\\nabla\\ell(W^{(t)})", commutative=False)
        q["update_rule"] = Wt - eta * sp.Sum(WWt_t ** ((j - 1) / N) * Gt * WtW_t ** ((N - j) / N), (j, 1, N))
        sa, sb = sp.symbols("sigma_a sigma_b", positive=True)
        q["lambda_ab"] = sp.Sum(sa ** (2 * (j - 1) / N) * sb ** (2 * (N - j) / N), (j, 1, N))
        q["lambda_ab_closed"] = (sa**2 - sb**2) / (sa ** (2 / N) - sb ** (2 / N))
        q["lambda_aa"] = N * sa ** (2 - 2 / N)
        labels = {
            "update_rule": r"W^{(t+1)}\ \text{(GD, up to } O(\eta^2))",
            "lambda_ab": r"\lambda_{ab}",
            "lambda_ab_closed": r"\lambda_{ab}\ (\sigma_a\neq\sigma_b)",
            "lambda_aa": r"\lambda_{aa}",
        }
        unknowns: tuple[sp.Symbol, ...] = (W,)
        params: tuple[sp.Symbol, ...] = (N,)
    elif form == "singular_value":
        sigma = sp.Function("sigma_r")(t)
        g = sp.Symbol(r"\langle\nabla\ell(W),u_rv_r^{\top}\rangle")
        equations = (sp.Eq(sp.Derivative(sigma, t), -N * sp.Pow(sigma**2, 1 - 1 / N, **U) * g),)
        unknowns, params = (sigma,), (N,)
    else:
        s, x, a = sp.symbols("s x a", positive=True)
        sigma = sp.Function("sigma")(t)
        x0, x1 = sp.symbols("x_0 x_1", positive=True)
        F = sp.Function("F")
        equations = (sp.Eq(sp.Derivative(sigma, t), N * sigma ** (2 - 2 / N) * (s - sigma)),)
        q["a"] = 2 / N - 1
        q["F"] = x**a / a * sp.hyper((1, a), (a + 1,), x)
        q["T"] = (F(x1) - F(x0)) / (N * s ** (2 - 2 / N))
        q["sigma_N1"] = s - (s - sp.Symbol("sigma_0")) * sp.exp(-t)
        s0 = sp.Symbol("sigma_0", positive=True)
        q["sigma_N2"] = s * s0 * sp.exp(2 * s * t) / (s - s0 + s0 * sp.exp(2 * s * t))
        q["T_small_init"] = s0 ** (-(1 - 2 / N)) / ((N - 2) * s)
        labels = {
            "a": "a",
            "F": "F(x)",
            "T": "T(x_0 \\to x_1)",
            "sigma_N1": r"\sigma(t)\big|_{N=1}",
            "sigma_N2": r"\sigma(t)\big|_{N=2}",
            "T_small_init": r"T\big|_{N\ge3,\ \sigma_0\to0}",
        }
        unknowns, params = (sigma,), (N, s)
    sys_ = FixedPointSystem(
        name=f"lnn_{form}",
        unknowns=unknowns,
        parameters=params,
        equations=equations,
        quantities=q,
        labels=labels or {k: k for k in q},
        source=COHEN_RAZIN_2024,
    )
    sys_.check_rational()
    return sys_


# ----------------------------------------------------------------------------- registry
_MODE = ("depth", "init", "s")

MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Deep linear networks: end-to-end and singular-value dynamics, time to learn an aligned mode.",
        params={
            "depth": ParamSpec("depth", "number of weight matrices N >= 1", kind="int"),
            "init": ParamSpec("init", "initial singular value of the product, 0 < init < s"),
            "s": ParamSpec("s", "target singular value > 0"),
            "frac": ParamSpec("frac", "learned when sigma = frac*s, init/s < frac < 1", default="1/2"),
            "t": ParamSpec("t", "time >= 0 (loss 1/2||W - Phi||_F^2)"),
            "sigma": ParamSpec("sigma", "singular value >= 0"),
            "grad": ParamSpec("grad", "<grad l(W), u v^T>"),
            "margin": ParamSpec("margin", "deficiency margin c of the start, 0 < c < phi_norm"),
            "phi_norm": ParamSpec("phi_norm", "||Phi||_F of the target (loss 1/2||W - Phi||_F^2)"),
            "loss0": ParamSpec("loss0", "initial loss, 0 < loss0 <= (phi_norm - margin)^2/2"),
            "eps": ParamSpec("eps", "target loss, 0 < eps < loss0"),
            "step": ParamSpec("step", "GD step size, 0 < step <= guarantee_step (default: that maximum)"),
            "kappa": ParamSpec("kappa", "condition number >= 1 of the Hessian at the minimizer"),
            "overlap": ParamSpec("overlap", "squared cosine of w* with the softest Hessian direction, in [0, 1]"),
            "loss": ParamSpec("loss", "training loss > 0 of the 2x2 completion problem (RC20)"),
        },
        quantities={
            "time_to_learn": QuantitySpec(
                "time_to_learn",
                "time for an aligned mode to grow from init to frac*s",
                (*_MODE, "frac"),
                time_to_learn,
                proof="proven",
                proof_note="closed forms on balls; N >= 3: Arb's rigorous 2F1/3F2 series and digamma",
            ),
            "trajectory": QuantitySpec(
                "trajectory",
                "sigma(t) of an aligned mode",
                (*_MODE, "t"),
                trajectory,
                proof="proven",
                proof_note="N <= 2 closed forms; N >= 3 the unique root of the increasing T(logit x) = t, by a sign change",
            ),
            "time_asymptotic": QuantitySpec(
                "time_asymptotic",
                "leading small-init time to learn",
                (*_MODE, "frac"),
                time_asymptotic,
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
            "singular_value_rate": QuantitySpec(
                "singular_value_rate",
                "d sigma/dt = -N (sigma^2)^(1-1/N) grad",
                ("depth", "sigma", "grad"),
                singular_value_rate,
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
            "guarantee_step": QuantitySpec(
                "guarantee_step",
                "ACGH19 admissible GD step c^((4N-2)/N)/(6144 N^3 ||Phi||_F^((6N-4)/N))",
                ("depth", "margin", "phi_norm"),
                _guarantee.guarantee_step,
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
            "guarantee_delta": QuantitySpec(
                "guarantee_delta",
                "ACGH19 balancedness tolerance c^2/(256 N^3 ||Phi||_F^(2(N-1)/N))",
                ("depth", "margin", "phi_norm"),
                _guarantee.guarantee_delta,
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
            "guarantee_rate": QuantitySpec(
                "guarantee_rate",
                "ACGH19 guaranteed loss factor per iteration 1 - step c^(2(N-1)/N)",
                ("depth", "margin", "phi_norm", "step"),
                _guarantee.guarantee_rate,
                optional=("step",),
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
            "guarantee_iterations": QuantitySpec(
                "guarantee_iterations",
                "ACGH19 iterations to reach eps: ln(loss0/eps)/(step c^(2(N-1)/N))",
                ("depth", "margin", "phi_norm", "loss0", "eps", "step"),
                _guarantee.guarantee_iterations,
                optional=("step",),
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
            "acceleration_speedup": QuantitySpec(
                "acceleration_speedup",
                "tuned local speed-up of depth N over depth 1 near a minimizer, H = diag(1, kappa) (ACH18 end-to-end rule)",
                ("depth", "kappa", "overlap"),
                _guarantee.acceleration_speedup,
                proof="proven",
                proof_note="closed form on balls (kappa_N = 1: +inf, estimate only)",
            ),
            "norm_lower_bound": QuantitySpec(
                "norm_lower_bound",
                "RC20 2x2 completion, det W > 0: |W11| and every Schatten (quasi-)norm exceed B(loss) ~ (2 loss)^(-1/2)",
                ("loss",),
                _implicit.norm_lower_bound,
                proof="proven",
                proof_note="elementary closed form on balls (branches decided on the exact loss)",
            ),
            "growth_time_bound": QuantitySpec(
                "growth_time_bound",
                "RMC21 least time for a CP component (order N) to grow from init to sigma when |<grad l, W_r/||W_r||>| <= grad",
                ("depth", "init", "sigma", "grad"),
                _implicit.growth_time_bound,
                proof="proven",
                proof_note="elementary closed form on balls",
            ),
        },
        system=system,
        source=COHEN_RAZIN_2024,
        aliases=("linear_networks", "dln"),
    )
)
