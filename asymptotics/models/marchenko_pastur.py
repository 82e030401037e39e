r"""Marchenko–Pastur law of the sample covariance ``S = XᵀX/n``.

Setting
-------
``X`` is ``n × p`` with i.i.d. entries of mean 0 and variance ``σ²``; ``n, p → ∞`` with
``p/n → γ ∈ (0, ∞)``.  The spectrum of ``S`` converges to

.. math::

    \mu_{\gamma,\sigma^2}(dx) = (1 - 1/\gamma)_+ \delta_0(dx)
      + \frac{\sqrt{(b-x)(x-a)}}{2\pi\sigma^2\gamma x}\,\mathbf 1_{[a,b]}(x)\,dx,
    \qquad a, b = \sigma^2(1 \mp \sqrt\gamma)^2 .

Equations (see :func:`system`, derived in code)
-----------------------------------------------
The companion transform ``m̃`` of ``XXᵀ/n`` satisfies the Silverstein equation (Schur
complement of one row plus concentration of quadratic forms)
``m̃ = -1 / (z - γσ² / (1 + σ² m̃))``; the exact spectral identity ``m̃ = γ m - (1-γ)/z``
(``XXᵀ`` and ``XᵀX`` share their non-zero eigenvalues) turns it into the quadratic

.. math:: \sigma^2\gamma z\, m^2 + \big(z - \sigma^2(1-\gamma)\big)\, m + 1 = 0 .

Branch rule
-----------
``m(z) = (σ²(1-γ) - z + Q) / (2σ²γz)`` with ``Q = √(z-a) · √(z-b)``, both square roots
*principal and taken separately* (the product has its cut exactly on ``[a, b]`` and
``Q ~ z`` at infinity).  The same ``Q`` selects the companion root.  Every value is
certified: quadratic residual ≈ 0, ``sign Im m = sign Im z``, ``m`` real for real ``z``,
and the Stieltjes bound ``|m(z)| ≤ 1 / dist(z, supp μ)``; a failure raises
:class:`~asymptotics.errors.BranchError`.  (Writing ``√((z-a)(z-b))`` as a single root is
wrong on part of the plane, e.g. it gives ``m = -3.56`` at ``γ = 0.5, z = -1``.)

References
----------
Marchenko & Pastur (1967); Bai & Silverstein (2010), ch. 3; Misiakiewicz & Montanari,
*Six Lectures on Linearized Neural Networks* (arXiv 2308.13431), linear-regression lecture.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import factorial
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from .._lazy import sympy as sp
from .._types import ArrayLike, Complex, IntLike, Real
from .._validate import check_int, check_real, exact_str, float_arrays, shown_params, to_complex_fractions, to_mpf
from ..backend import MP, Backend
from ..errors import BranchError, ConvergenceError, ParameterError
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance
from ..references import BAI_SILVERSTEIN_2010, MARCHENKO_PASTUR_1967
from ..result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, Result, checked_status
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem, presented
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "mp"
SOURCE = MARCHENKO_PASTUR_1967
BRANCH_RULE = (
    "m = (sigma2(1-gamma) - z + sqrt(z-a) sqrt(z-b)) / (2 sigma2 gamma z), principal roots "
    "taken separately; certified Im m * Im z > 0, |m| <= 1/dist(z, supp); proven on balls: "
    "Im m * Im z > 0 (complex z), m'(z) > 0 (real z)"
)


# ----------------------------------------------------------------------------- symbolic
@cache
def system() -> FixedPointSystem:
    """The Marchenko–Pastur equations, derived from the Silverstein equation.

    Returns a system with unknown ``m`` whose equation is the quadratic
    ``σ²γz m² + (z − σ²(1−γ)) m + 1 = 0`` and quantities: the edges ``a, b`` (where the
    discriminant in ``m`` vanishes), the density and the companion relation.
    """
    gamma, sigma2, z, m, mt, x = S.gamma, S.sigma2, S.z, S.m, S.m_tilde, S.x
    silverstein = sp.Eq(mt, -1 / (z - gamma * sigma2 / (1 + sigma2 * mt)))
    identity = gamma * m - (1 - gamma) / z  # companion ↔ m
    expr = sp.together((silverstein.lhs - silverstein.rhs).subs(mt, identity))
    poly = sp.Poly(sp.expand(sp.numer(expr)), m)
    content = sp.factor(sp.gcd_list(poly.all_coeffs()))
    poly = sp.Poly(sp.expand(sp.cancel(poly.as_expr() / content)), m)
    if poly.LC().could_extract_minus_sign():
        poly = -poly
    derived = poly.as_expr()
    # the same polynomial, in the papers' order
    U = dict(evaluate=False)
    shown = sp.Add(
        sp.Mul(sigma2, gamma, z, m**2, **U),
        sp.Mul(sp.Add(z, -sp.Mul(sigma2, sp.Add(1, -gamma, **U), **U), **U), m, **U),
        1,
        **U,
    )
    quadratic = sp.Eq(presented(derived, shown), 0)
    # edges: zeros in z of the discriminant in m
    disc = sp.factor(sp.discriminant(derived, m))
    lo, hi = sorted(sp.solve(disc, z), key=lambda e: sp.N(e.subs({gamma: sp.Rational(1, 2), sigma2: 1})))
    a = presented(lo, sp.Mul(sigma2, sp.Pow(sp.Add(1, -sp.sqrt(gamma), **U), 2, **U), **U))
    b = presented(hi, sp.Mul(sigma2, sp.Pow(sp.Add(1, sp.sqrt(gamma), **U), 2, **U), **U))
    sa, sb = sp.Symbol("a"), sp.Symbol("b")
    density = sp.sqrt((sb - x) * (x - sa)) / (2 * sp.pi * sigma2 * gamma * x)
    sys_ = FixedPointSystem(
        name="marchenko_pastur",
        unknowns=(m,),
        parameters=(z, gamma, sigma2),
        equations=(quadratic,),
        quantities={"a": a, "b": b, "density": density, "companion": identity},
        labels={"a": "a", "b": "b", "density": r"\rho(x)", "companion": r"\tilde{m}(z)"},
        source=MARCHENKO_PASTUR_1967,
    )
    sys_.check_rational()
    return sys_


# ----------------------------------------------------------------------------- helpers
def _params(gamma: Any, sigma2: Any) -> tuple[Fraction, Fraction]:
    g = check_real("gamma", gamma, low=0, low_open=True)
    s2 = check_real("sigma2", sigma2, low=0, low_open=True)
    return g, s2  # type: ignore[return-value]


def _edges_b(B: Backend, g: Any, s2: Any) -> tuple[Any, Any]:
    """Edges on backend ``B`` (numbers of ``B``), cancellation-free near γ = 1.

    ``a = σ²(1−γ)²/(1+√γ)²`` is exactly 0 at γ = 1 on every backend (also on balls: ``1 − γ``
    is the exact zero ball there).
    """
    rg = B.sqrt(g)
    a = s2 * ((1 - g) / (1 + rg)) ** 2
    b = s2 * (1 + rg) ** 2
    return a, b


def _edges_mp(g: Any, s2: Any) -> tuple[Any, Any]:
    """Edges at the current mpmath precision (:func:`_edges_b` on :data:`~asymptotics.backend.MP`)."""
    return _edges_b(MP, g, s2)


def _side(xf: Fraction, g: Fraction, s2: Fraction) -> tuple[int, int]:
    """Exact signs of ``x − a`` and ``x − b`` for a rational ``x`` (edges ``σ²(1 ∓ √γ)²``).

    With ``d = x/σ² − 1 − γ``: ``x − a`` has the sign of ``d + 2√γ`` and ``x − b`` that of
    ``d − 2√γ``; each is decided in rationals by comparing ``d²`` with ``4γ`` (no rounding, so
    a point exactly at an edge, or 1e-1000 away from it, is placed correctly).
    """
    d = xf / s2 - 1 - g
    dd, four_g = d * d, 4 * g
    sa = 1 if d >= 0 else (dd < four_g) - (dd > four_g)  # sign(d + 2√γ)
    sb = -1 if d <= 0 else (dd > four_g) - (dd < four_g)  # sign(d − 2√γ)
    return sa, sb


def _pick_plus(plus: Any, minus: Any) -> bool:
    """Whether ``(−B+Q)/(2A)`` (not ``2/(−B−Q)``) is the cancellation-free form of the root.

    ``|plus| ≥ |minus|``; on balls an undecided comparison means ``|plus| ≈ |minus| ≈ 2√|A| > 0``,
    where both forms are accurate and equal, and the first is taken.
    """
    return (abs(plus) >= abs(minus)) is not False


def _root(A: Any, B: Any, Q: Any) -> Any:
    """Root ``(-B + Q)/(2A)`` of ``A m² + B m + 1``, in its cancellation-free form (any backend)."""
    plus, minus = Q - B, -B - Q  # (-B+Q)(-B-Q) = B² - Q² = 4A
    if _pick_plus(plus, minus):
        return plus / (2 * A)
    return 2 / minus


def _dist_to_support(z: Any, g: Any, a: Any, b: Any) -> Any:
    x, y = mpmath.re(z), mpmath.im(z)
    dx = a - x if x < a else (x - b if x > b else 0)
    d = mpmath.sqrt(dx**2 + y**2)
    if g > 1:  # atom at 0
        d = min(d, abs(z))
    return d


def _check_z(zf: tuple[Fraction, Fraction], g: Fraction, s2: Fraction) -> None:
    """Raise if ``z`` lies on the support (where the transform is not defined)."""
    re_, im_ = zf
    if im_ != 0:
        return
    if re_ == 0 and g >= 1:
        raise ParameterError(
            f"`z` = 0 lies in the support of the Marchenko-Pastur law for gamma = {exact_str(g)} ≥ 1 "
            "(atom or hard edge at 0); pass z with a non-zero imaginary part or z ≠ 0."
        )
    with mp.workdps(60):
        a, b = _edges_mp(to_mpf(g), to_mpf(s2))
        x = to_mpf(re_)
        if a <= x <= b:
            raise ParameterError(
                f"`z` = {exact_str(re_)} lies on the support [a, b] = [{mpmath.nstr(a, 8)}, {mpmath.nstr(b, 8)}] "
                "where the Stieltjes transform is not defined; pass z with Im z ≠ 0 "
                "(e.g. '1+1e-9j' for the boundary value from above)."
            )


def _quadratic(B: Backend, z: Any, g: Any, s2: Any, a: Any, b: Any, companion: bool, side: int) -> tuple[Any, Any, Any]:
    """Coefficients ``A, B`` of ``A m² + B m + 1 = 0`` and the branch's ``Q = √(z−a)·√(z−b)``.

    ``side`` is ``−1`` for real ``z < a``, ``+1`` for real ``z > b`` and ``0`` for ``Im z ≠ 0``;
    on the real axis the product of the two principal roots is written as one real root with
    its sign (``(i√(a−z))(i√(b−z)) = −√((a−z)(b−z))`` below the support).  ``a, b`` are the
    edges (:func:`_edges_b`).  Any backend.
    """
    if companion:
        A, Bq = s2 * z, z + s2 * (1 - g)
    else:
        A, Bq = s2 * g * z, z - s2 * (1 - g)
    if side < 0:  # √(z-a)√(z-b) = (i√(a-z))(i√(b-z))
        Q = -B.sqrt((a - z) * (b - z))
    elif side > 0:  # z > b
        Q = B.sqrt((z - a) * (z - b))
    else:
        Q = B.sqrt(z - a) * B.sqrt(z - b)
    return A, Bq, Q


def _branch_value(A: Any, Bq: Any, Q: Any) -> Any:
    """The branch's root of ``A m² + B m + 1`` (any backend); ``A = 0`` is ``z = 0`` with γ < 1."""
    if A == 0:  # z = 0 with γ < 1 (m) — the form 2/(-B-Q) is regular there
        if -Bq - Q == 0:
            raise ParameterError("`z` = 0 is a pole of the companion transform for gamma ≤ 1.")
        return 2 / (-Bq - Q)
    return _root(A, Bq, Q)


def _transform(zf: tuple[Fraction, Fraction], g_f: Fraction, s2_f: Fraction, companion: bool) -> tuple[Any, Any]:
    """(m or m̃, residual) at the current precision, certified against the branch rule."""
    g, s2 = to_mpf(g_f), to_mpf(s2_f)
    real_z = zf[1] == 0
    z = to_mpf(zf[0]) if real_z else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
    return _certified_root(z, g, s2, companion, real_z, {"z": zf, "gamma": g_f, "sigma2": s2_f}, "Stieltjes transform")


def _certified_root(
    z: Any, g: Any, s2: Any, companion: bool, real_z: bool, params: dict[str, Any], label: str
) -> tuple[Any, Any]:
    """The branch's root at an mpmath point ``z`` (real off the support, or complex), with the mpmath branch
    certificate (residual, ``Im m · Im z > 0``, ``|m| ≤ 1/dist(z, supp)``); shared with krr's kernel spectra."""
    a, b = _edges_mp(g, s2)
    side = (-1 if z < a else 1) if real_z else 0
    A, B, Q = _quadratic(MP, z, g, s2, a, b, companion, side)
    val = _branch_value(A, B, Q)
    residual = abs(A * val**2 + B * val + 1) / (abs(A) * abs(val) ** 2 + abs(B) * abs(val) + 1)
    if residual > residual_tolerance():
        raise ConvergenceError(f"{label}: quadratic residual {mpmath.nstr(residual, 3)}", params=params)
    # branch certificate
    if real_z:
        val = mpmath.re(val)
    else:
        if mpmath.im(val) * mpmath.im(z) <= 0:
            raise BranchError(f"{label}: Im m and Im z differ in sign (wrong root)", params=params)
    if not companion:
        dist = _dist_to_support(z, g, a, b)
        # dist = 0 at this precision (z within it of an edge): the bound is +inf, no constraint
        if dist > 0 and abs(val) > (1 / dist) * (1 + residual_tolerance()):
            raise BranchError(f"{label}: |m(z)| exceeds 1/dist(z, supp) (wrong root)", params=params)
    return val, residual


def _transform_ball(zf: tuple[Fraction, Fraction], g_f: Fraction, s2_f: Fraction, companion: bool) -> tuple[Any, Any]:
    r"""``m`` (or ``m̃``) as a ball, with its branch proven on the enclosure; ``(ball, residual ball)``.

    The same :func:`_quadratic` and :func:`_branch_value` as the mpmath path, run on
    :data:`~asymptotics.ball.AB`.  Whatever sign the ball of ``Q`` carries, the ball of the
    value contains an exact root ``r`` of the quadratic (``Q² = (z−a)(z−b)`` is the
    discriminant).  Which root it is, is proven here (``α = σ²γ`` for ``m``, ``σ²`` for ``m̃``;
    the other root is ``1/(αz r)``; see ``docs/proofs/mp.md``):

    * ``Im z ≠ 0``: the transform has ``Im m · Im z > 0`` and the other root
      ``Im m₂ · Im z < 0`` (because ``Im(z m) · Im z > 0`` for a law on ``[0, ∞)`` with mass
      on ``(a, b)``); the proof requires ``Im r · Im z > 0`` strictly on the ball.
    * real ``z`` off the support: the transform is increasing (``m' = ∫ μ(dx)/(x−z)² > 0``)
      and the other root decreasing (``m₂' = −α (zm)'/(αzm)²`` with ``(zm)' = ∫ x μ(dx)/(x−z)² > 0``);
      implicit differentiation gives ``r' = −r(αr + 1)/(2Ar + B)`` for either root, so the
      proof requires that ball ``> 0`` strictly.

    The other root's sign is a theorem, not needed by the proof; as a consistency check the
    other root must not be *proven* to satisfy the criterion too (its ball can be too wide to
    decide, e.g. ``|m₂| ~ 1/(σ²γ)`` with σ² = 1e-200, so it is not required to decide).

    Which side of the support a real ``z`` lies on is decided exactly (:func:`_side`); a
    point on the support raises :class:`~asymptotics.ball.NotProven`.
    """
    from ..ball import AB, NotProven

    g, s2 = AB.num(g_f), AB.num(s2_f)
    re_, im_ = zf
    if im_ == 0:
        sa, sb = _side(re_, g_f, s2_f)
        if sa >= 0 and sb <= 0:
            raise NotProven("z lies on the support: no branch to prove")
        side = -1 if sa < 0 else 1
        z = AB.num(re_)
    else:
        side = 0
        z = AB.num(re_) + 1j * AB.num(im_)
    return _proven_root(z, g, s2, side, 1 if im_ > 0 else -1, companion, "Marchenko-Pastur transform")


def _proven_root(z: Any, g: Any, s2: Any, side: int, im_sign: int, companion: bool, label: str) -> tuple[Any, Any]:
    """The branch's root at a ball ``z`` (``side`` −1/+1: real left/right of the support, 0: ``Im z`` of sign
    ``im_sign``), its branch proven as in :func:`_transform_ball`; shared with krr's kernel spectra."""
    from ..ball import AB, NotProven

    A, Bq, Q = _quadratic(AB, z, g, s2, *_edges_b(AB, g, s2), companion, side)
    val = _branch_value(A, Bq, Q)
    plus, minus = Q - Bq, -Bq - Q
    other = None if (A == 0) is True else (2 / plus if _pick_plus(plus, minus) else minus / (2 * A))
    if side == 0:
        ok = (val.imag * im_sign > 0) is True and (other is None or (other.imag * im_sign > 0) is not True)
        what = "Im m · Im z > 0"
    else:
        alpha = s2 if companion else s2 * g

        def slope(r: Any) -> Any:
            return -r * (alpha * r + 1) / (2 * A * r + Bq)

        ok = (slope(val) > 0) is True and (other is None or (slope(other) > 0) is not True)
        what = "m' > 0"
    if not ok:
        raise NotProven(f"{label}: branch not proven ({what} not decided on the balls)")
    residual = abs(A * val**2 + Bq * val + 1) / (abs(A) * abs(val) ** 2 + abs(Bq) * abs(val) + 1)
    if (residual > 0) is True:  # a consistency check: the ball must contain a root of the quadratic
        raise NotProven(f"{label}: the ball does not solve the quadratic")
    return val, residual


# ----------------------------------------------------------------------------- public API
def edges(gamma: Real, sigma2: Real = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """Support edges ``[a, b] = [σ²(1-√γ)², σ²(1+√γ)²]`` (``a`` computed as σ²(1-γ)²/(1+√γ)²)."""
    g, s2 = _params(gamma, sigma2)
    c = certify(
        lambda: (_edges_mp(to_mpf(g), to_mpf(s2)), None),
        dps,
        what="edges",
        params=shown_params(gamma=g, sigma2=s2),
        prove=lambda: (_edges_ball(g, s2), None),
    )
    shown, fields = shown_params(gamma=g, sigma2=s2), c.proof_fields()
    return Result(c.value, NAME, "edges", shown, dps, None, c.error_estimate, None, BAI_SILVERSTEIN_2010, **fields)


def _edges_ball(g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    """The edges as balls (:func:`_edges_b` on :data:`~asymptotics.ball.AB`); ``a`` is exactly 0 at γ = 1."""
    from ..ball import AB

    return _edges_b(AB, AB.num(g_f), AB.num(s2_f))


def stieltjes(z: Complex, gamma: Real, sigma2: Real = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """Stieltjes transform ``m(z) = ∫ μ(dx)/(x − z)`` (``m(z) ~ −1/z`` at infinity).

    ``z`` may be any complex number off the support (strings like ``"1+0.5j"`` are read
    exactly).  Real ``z`` gives a real ``mpf``; complex ``z`` an ``mpc``.  See the module
    docstring for the branch rule and its certificate.

    Examples
    --------
    >>> print(stieltjes(-1, "0.5", dps=20))  # (√17 − 3)/2: the root with m > 0 for z < 0
    0.56155281280883027491
    """
    g, s2 = _params(gamma, sigma2)
    zf = to_complex_fractions("z", z)
    _check_z(zf, g, s2)
    shown = shown_params(z=zf, gamma=g, sigma2=s2)
    c = certify(
        lambda: _transform(zf, g, s2, False),
        dps,
        what="stieltjes",
        params=shown,
        prove=lambda: _transform_ball(zf, g, s2, False),
    )
    fields = c.proof_fields()
    return Result(
        c.value, NAME, "stieltjes", shown, dps, c.residual, c.error_estimate, BRANCH_RULE, BAI_SILVERSTEIN_2010, **fields
    )


def companion(z: Complex, gamma: Real, sigma2: Real = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """Companion transform ``m̃(z) = γ m(z) − (1 − γ)/z`` of ``XXᵀ/n``.

    Solved from its own quadratic ``σ² z m̃² + (z + σ²(1−γ)) m̃ + 1 = 0`` with the same
    branch rule (this avoids the cancellation of the two poles at ``z → 0`` for γ > 1).
    """
    g, s2 = _params(gamma, sigma2)
    zf = to_complex_fractions("z", z)
    if zf == (0, 0):
        raise ParameterError("`z` = 0 is in the support of the companion law (it has an atom at 0 or a hard edge).")
    _check_z(zf, g, s2)
    shown = shown_params(z=zf, gamma=g, sigma2=s2)
    c = certify(
        lambda: _transform(zf, g, s2, True),
        dps,
        what="companion",
        params=shown,
        prove=lambda: _transform_ball(zf, g, s2, True),
    )
    fields = c.proof_fields()
    return Result(
        c.value, NAME, "companion", shown, dps, c.residual, c.error_estimate, BRANCH_RULE, BAI_SILVERSTEIN_2010, **fields
    )


def _density_inside(B: Backend, x: Any, g: Any, s2: Any, a: Any, b: Any, prod: Any = None) -> tuple[Any, Any]:
    """Density and residual for ``a < x < b`` (any backend).

    The residual is that of the quadratic at ``m(x + i0) = (σ²(1−γ) − x + i·root)/(2σ²γx)``.
    ``prod`` is ``(b − x)(x − a)`` when the caller forms it exactly (:func:`_edge_product`): near an
    edge the difference ``b − x`` of rounded numbers cancels.
    """
    root = B.sqrt((b - x) * (x - a) if prod is None else prod)
    dens = root / (2 * B.pi() * s2 * g * x)
    # residual: m(x + i0) = (σ²(1−γ) − x + i root)/(2σ²γx) must solve the quadratic
    m0 = (s2 * (1 - g) - x + 1j * root) / (2 * s2 * g * x)
    A, Bq = s2 * g * x, x - s2 * (1 - g)
    res = abs(A * m0**2 + Bq * m0 + 1) / (abs(A) * abs(m0) ** 2 + abs(Bq) * abs(m0) + 1)
    return dens, res


def _edge_product(xf: Fraction, g: Fraction, s2: Fraction) -> Fraction:
    """``(b − x)(x − a) = −x² + 2σ²(1 + γ)x − σ⁴(1 − γ)²`` exactly (``a + b`` and ``ab`` are rational)."""
    return -xf * xf + 2 * s2 * (1 + g) * xf - s2 * s2 * (1 - g) ** 2


def _density_mp(xf: Fraction, g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    g, s2, x = to_mpf(g_f), to_mpf(s2_f), to_mpf(xf)
    a, b = _edges_mp(g, s2)
    if xf == 0 and g_f == 1:
        return mpmath.inf, None
    sa, sb = _side(xf, g_f, s2_f)  # the region exactly: x may sit within the working precision of an edge
    if not (sa > 0 and sb < 0):
        return mpmath.mpf(0), None
    return _density_inside(MP, x, g, s2, a, b, to_mpf(_edge_product(xf, g_f, s2_f)))


def _density_ball(xf: Fraction, g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    """The density as a ball: :func:`_density_inside` on balls; the region is decided exactly.

    ``x = 0`` at γ = 1 is the hard edge (exact ``+inf``); outside the open support the density
    is exactly 0 (:func:`_side` decides in rationals, so an ``x`` exactly at an edge is 0).
    As a consistency check, the ball of ``m(x + i0)`` formed from the same square root must
    solve the quadratic (its residual ball contains 0).
    """
    from ..ball import AB, NotProven

    if xf == 0 and g_f == 1:
        return AB.inf, None
    sa, sb = _side(xf, g_f, s2_f)
    if not (sa > 0 and sb < 0):
        return AB.num(0), None
    g, s2, x = AB.num(g_f), AB.num(s2_f), AB.num(xf)
    dens, res = _density_inside(AB, x, g, s2, *_edges_b(AB, g, s2), AB.num(_edge_product(xf, g_f, s2_f)))
    if (res > 0) is True:  # m(x + i0) built from the same root must solve the quadratic
        raise NotProven("density: m(x + i0) does not solve the quadratic on the balls")
    return dens, res


def density(x: Real, gamma: Real, sigma2: Real = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """Density of the absolutely continuous part, ``√((b−x)(x−a)) / (2πσ²γx)`` on ``(a, b)``.

    Zero outside ``(a, b)``; the atom ``(1 − 1/γ)_+`` at 0 is *not* included (see
    :func:`cdf`).  At ``γ = 1, x = 0`` the density is ``+inf`` (hard edge ``x^{-1/2}``).
    The residual is that of the quadratic at ``m(x + i0)``, whose imaginary part / π is
    the density.  Proven by ball arithmetic (the same closed form on balls).
    """
    g, s2 = _params(gamma, sigma2)
    xf = check_real("x", x)
    shown = shown_params(x=xf, gamma=g, sigma2=s2)
    c = certify(
        lambda: _density_mp(xf, g, s2),  # type: ignore[arg-type]
        dps,
        what="density",
        params=shown,
        prove=lambda: _density_ball(xf, g, s2),  # type: ignore[arg-type]
    )
    return Result(
        c.value, NAME, "density", shown, dps, c.residual, c.error_estimate, None, BAI_SILVERSTEIN_2010, **c.proof_fields()
    )


def _cdf_inside(B: Backend, x: Any, g: Any, s2: Any, a: Any, b: Any, atom: Any) -> Any:
    """The CDF for ``a < x < b``: ``atom + [G(x) − G(a)] / (2πσ²γ)`` (any backend; see :func:`cdf`)."""
    pi = B.pi()
    a_pos = a > 0

    # antiderivative of √((b−t)(t−a))/t on [a, b]
    def G(t: Any) -> Any:
        root = B.sqrt((b - t) * (t - a))
        val = root + (a + b) / 2 * B.asin((2 * t - a - b) / (b - a))
        if a_pos:
            val -= B.sqrt(a * b) * B.asin(((a + b) * t - 2 * a * b) / ((b - a) * t))
        return val

    ga = (a + b) / 2 * (-pi / 2) + (B.sqrt(a * b) * pi / 2 if a_pos else 0)
    cont = (G(x) - ga) / (2 * pi * s2 * g)
    return atom + cont


def _cdf_mp(xf: Fraction, g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    g, s2, x = to_mpf(g_f), to_mpf(s2_f), to_mpf(xf)
    if x < 0:
        return mpmath.mpf(0), None
    atom = (1 - 1 / g) if g > 1 else mpmath.mpf(0)
    a, b = _edges_mp(g, s2)
    sa, sb = _side(xf, g_f, s2_f)  # the region exactly
    if sa <= 0:
        return atom, None
    if sb >= 0:
        return mpmath.mpf(1), None
    if not (a < x < b):  # inside, but within the working precision of an edge: no digits at this rung
        raise ConvergenceError(
            "cdf: x lies within the working precision of a support edge; the proof route or a higher `dps` resolves it",
            params={"x": xf, "gamma": g_f, "sigma2": s2_f},
        )
    return _cdf_inside(MP, x, g, s2, a, b, atom), None


def _cdf_ball(xf: Fraction, g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    """The CDF as a ball: :func:`_cdf_inside` on balls, the region decided exactly (:func:`_side`).

    Below 0 it is exactly 0, on ``[0, a]`` the atom ``(1 − 1/γ)_+`` (an exact rational ball),
    on ``[b, ∞)`` exactly 1.
    """
    from ..ball import AB

    if xf < 0:
        return AB.num(0), None
    atom = AB.num(1 - 1 / g_f if g_f > 1 else 0)
    sa, sb = _side(xf, g_f, s2_f)
    if sa <= 0:
        return atom, None
    if sb >= 0:
        return AB.num(1), None
    g, s2, x = AB.num(g_f), AB.num(s2_f), AB.num(xf)
    return _cdf_inside(AB, x, g, s2, *_edges_b(AB, g, s2), atom), None


def cdf(x: Real, gamma: Real, sigma2: Real = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """CDF ``μ((−∞, x])`` including the atom ``1 − 1/γ`` at 0 when ``γ > 1``.

    Closed form: with ``R(t) = √((b−t)(t−a))``, an antiderivative of ``R(t)/t`` is
    ``R + (a+b)/2 · asin((2t−a−b)/(b−a)) − √(ab) · asin(((a+b)t − 2ab)/((b−a)t))``;
    the CDF is ``(1−1/γ)_+ + [G(x) − G(a)] / (2πσ²γ)`` for ``a ≤ x ≤ b``.  Proven by ball
    arithmetic (the same closed form on balls).
    """
    g, s2 = _params(gamma, sigma2)
    xf = check_real("x", x)
    shown = shown_params(x=xf, gamma=g, sigma2=s2)
    c = certify(
        lambda: _cdf_mp(xf, g, s2),  # type: ignore[arg-type]
        dps,
        what="cdf",
        params=shown,
        prove=lambda: _cdf_ball(xf, g, s2),  # type: ignore[arg-type]
    )
    return Result(c.value, NAME, "cdf", shown, dps, None, c.error_estimate, None, BAI_SILVERSTEIN_2010, **c.proof_fields())


MAX_EXACT_MOMENT_BITS = 20_000
"""Largest ``k · (bits of γ + bits of σ² + 2)`` (numerators and denominators) for which :func:`moment`
sums exactly in rationals (about 0.1 s); beyond it the sum runs in mpmath and :func:`moment_exact`
refuses (a 10000-digit γ with k = 5000 would mean numbers of 50 million digits)."""


def _moment_size(k: int, gamma: Fraction, sigma2: Fraction) -> int:
    bits = sum(f.numerator.bit_length() + f.denominator.bit_length() for f in (gamma, sigma2))
    return k * (bits + 2)


def moment_exact(k: int, gamma: Fraction, sigma2: Fraction) -> Fraction:
    """``∫ x^k dμ = σ^{2k} Σ_{j=1}^{k} N(k, j) γ^{j−1}`` exactly, ``N(k,j) = C(k,j)C(k,j−1)/k``.

    Parameters
    ----------
    k : int
        Moment order, ``k ≥ 0``.
    gamma, sigma2 : Fraction
        Aspect ratio and entry variance (positive).

    Returns
    -------
    Fraction
        The exact moment.

    Raises
    ------
    ParameterError
        If ``k · (bits of γ + bits of σ² + 2)`` exceeds :data:`MAX_EXACT_MOMENT_BITS` (the exact
        rational would be too large to compute quickly); :func:`moment` then sums in mpmath.
    """
    size = _moment_size(k, gamma, sigma2)
    if size > MAX_EXACT_MOMENT_BITS:
        raise ParameterError(
            f"`k` = {k} with these `gamma` and `sigma2`: the exact moment needs about {size} bits, "
            f"above the limit {MAX_EXACT_MOMENT_BITS}; use moment(), which sums in multiprecision."
        )
    if k == 0:
        return Fraction(1)
    # homogeneous Horner in γ = p/q: Σ_j N(k,j) p^{j−1} q^{k−j}, over q^{k−1}
    p, q = gamma.numerator, gamma.denominator
    acc, qpow, c_hi = 0, 1, 1  # c_hi = C(k, j), starting at j = k
    for j in range(k, 0, -1):
        c_lo = c_hi * j // (k - j + 1)  # C(k, j − 1)
        acc = acc * p + (c_hi * c_lo // k) * qpow
        qpow *= q
        c_hi = c_lo
    return sigma2**k * Fraction(acc, qpow // q)


def _moment_sum(B: Backend, k: int, g: Any, s2: Any) -> Any:
    """``σ^{2k} Σ_j N(k, j) γ^{j−1}`` summed term by term on backend ``B`` (positive terms)."""
    term = total = B.num(1)  # N(k, 1) γ^0
    for j in range(1, k):  # N(k, j+1)/N(k, j) = (k−j)(k−j+1)/(j(j+1))
        term = term * g * ((k - j) * (k - j + 1)) / (j * (j + 1))
        total += term
    return s2**k * total


def _moment_mp(k: int, g: Any, s2: Any) -> Any:
    """The moment at the current precision.  All terms are positive, so nothing cancels: term ``j``
    carries at most ``3j`` roundings, the sum ``k`` more, the power ``σ^{2k}`` and the product a few:
    the relative error is below ``(4k + 10)`` units in the last place."""
    return _moment_sum(MP, k, g, s2)


MAX_PROOF_MAG_BITS = 40_000
"""Moments beyond ``2^±40000`` (about ``10^±12000``) are not proven: the decimal enclosure and the
digit check of :mod:`asymptotics.ball` work in exact fractions, whose cost grows with the decimal
exponent (0.4 s at ``10^30000``, minutes at the ``10^49990000`` of ``k = 5000, γ = 1e10000``)."""


def _moment_proof(k: int, g: Fraction, s2: Fraction, exact: Fraction | None, value: Any, dps: int) -> dict[str, Any]:
    """``enclosure``/``proven`` for :func:`moment`'s ``value``: a ball of the exact moment.

    With the exact rational (``exact``) the ball is that rational at the working precision; otherwise
    the Narayana sum of :func:`_moment_sum` runs on balls (``log2(k)`` extra bits for the ``4k``
    roundings).  The value itself is not changed: it is proven when every printed digit is
    (:func:`~asymptotics.ball.digits_proven`); otherwise ``proven=False`` (the a-priori bound stays).
    """
    from .. import ball
    from ..precision import proofs_enabled

    if not proofs_enabled() or value == 0 or abs(mpmath.mag(value)) > MAX_PROOF_MAG_BITS:
        return {}

    def evaluate() -> tuple[Any, None]:
        if exact is not None:
            return ball.AB.num(exact), None
        return _moment_sum(ball.AB, k, ball.AB.num(g), ball.AB.num(s2)), None

    try:
        p = ball.prove(evaluate, dps, what="moment", round_value=lambda _mid, _dps: value, guard_bits=40 + k.bit_length())
    except ball.NotProven:
        return {}
    return {"enclosure": ball.enclosure(p.balls, dps), "proven": True}


def moment(k: IntLike, gamma: Real, sigma2: Real = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """k-th moment ``σ^{2k} Σ_{j=1}^{k} N(k, j) γ^{j−1}`` via Narayana numbers ``N(k, j)``.

    Exact rational arithmetic rounded to ``dps`` when the exact sum is small (see
    :data:`MAX_EXACT_MOMENT_BITS`; error estimate 0); otherwise the sum of its positive terms in
    mpmath with ``log10(4k + 10) + 5`` guard digits, and the error estimate is the a-priori rounding
    bound ``(4k + 10)`` ulps of the working precision (see :func:`_moment_mp`).  Work is bounded by
    ``k ≤ 10000`` multiplications at ``dps`` + guard digits whatever the size of γ and σ².
    ``k = 0`` gives 1 (total mass, atom included); ``k = 2`` gives ``σ⁴(1 + γ)``.  The value
    carries a proven enclosure (the exact rational, or the Narayana sum on balls; see
    :func:`_moment_proof`).
    """
    kk = check_int("k", k, low=0, high=10_000)
    g, s2 = _params(gamma, sigma2)
    dps = check_dps(dps)
    shown = {"k": str(kk), **shown_params(gamma=g, sigma2=s2)}
    if _moment_size(kk, g, s2) <= MAX_EXACT_MOMENT_BITS:
        exact = moment_exact(kk, g, s2)
        with mp.workdps(dps + 10):
            v = to_mpf(exact)
        with mp.workdps(dps):
            v = +v
        proof = _moment_proof(kk, g, s2, exact, v, dps)
        return Result(v, NAME, "moment", shown, dps, None, mpmath.mpf(0), None, BAI_SILVERSTEIN_2010, **proof)
    bound_ulps = 4 * kk + 10
    with mp.workdps(dps + len(str(bound_ulps)) + 5):
        v = _moment_mp(kk, to_mpf(g), to_mpf(s2))
        err = bound_ulps * mpmath.ldexp(abs(v), 1 - mp.prec)
    with mp.workdps(dps):
        v, err = +v, +err
    proof = _moment_proof(kk, g, s2, None, v, dps)
    return Result(v, NAME, "moment", shown, dps, None, err, None, BAI_SILVERSTEIN_2010, **proof)


# ----------------------------------------------------------------------------- float64 path
# Contract of every float64 curve of this model: a point with status 0 has at least six correct
# significant digits (relative error ≤ 1e-6 against the exact value at the same float inputs, read
# exactly); where float64 cannot deliver that, the point is NaN with status 3 (STATUS_NOT_CONVERGED).
# Near a spectral edge the distances x − a and b − x are what matter, and the edges rounded to
# float64 are off by up to an ulp of a (as much as the whole distance), so the edges are carried as
# double-doubles (hi + lo, relative error ~1e-31) and the distances formed from them.
_SPLITTER = 134217729.0  # 2**27 + 1: Dekker's splitting constant
_AMBIGUOUS = 1e-23  # |x − edge| below this × edge: the double-double edge cannot place x (→ mp)
_MAX_FALLBACK = 256  # at most this many distinct such points per call go to the certified path


def _two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fast_two_sum(a: Any, b: Any) -> tuple[Any, Any]:  # needs |a| ≥ |b|
    s = a + b
    return s, b - (s - a)


def _two_prod(a: Any, b: Any) -> tuple[Any, Any]:
    p = a * b
    t = _SPLITTER * a
    ah = t - (t - a)
    t = _SPLITTER * b
    bh = t - (t - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _dd_mul(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Any, Any]:
    p, e = _two_prod(ah, bh)
    return _fast_two_sum(p, e + (ah * bl + al * bh))


def _dd_div(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Any, Any]:
    q1 = ah / bh
    p, e = _two_prod(q1, bh)
    return _fast_two_sum(q1, ((((ah - p) - e) + al) - q1 * bl) / bh)


def _dd_edges(g: np.ndarray, s2: np.ndarray) -> tuple[np.ndarray, ...]:
    """``a = s2 (1−g)²/(1+√g)²`` and ``b = s2 (1+√g)²`` as double-doubles ``(ah, al, bh, bl)``."""
    r = np.sqrt(g)
    p, e = _two_prod(r, r)
    sh, sl = _two_sum(1.0, r)
    sh, sl = _fast_two_sum(sh, sl + ((g - p) - e) / (2 * r))  # 1 + √g (g − r² is exact)
    qbh, qbl = _dd_mul(sh, sl, sh, sl)
    dh, dl = _two_sum(1.0, -np.minimum(g, 2.0))  # 1 − g, exact: no cancellation in a at γ ≈ 1
    dh, dl = _dd_mul(dh, dl, dh, dl)
    qah, qal = _dd_div(dh, dl, qbh, qbl)  # (1 − g)²/(1 + √g)² for γ ≤ 2
    dh, dl = _two_sum(1.0, -r)
    dh, dl = _fast_two_sum(dh, dl - ((g - p) - e) / (2 * r))
    dh, dl = _dd_mul(dh, dl, dh, dl)  # (1 − √g)² for γ > 2 (no overflow of (1 − g)²)
    qah, qal = np.where(g <= 2, qah, dh), np.where(g <= 2, qal, dl)
    zero = np.zeros_like(s2)
    return (*_dd_mul(qah, qal, s2, zero), *_dd_mul(qbh, qbl, s2, zero))


def _edge_distances(x: np.ndarray, gamma: Any, sigma2: Any) -> dict[str, Any]:
    """Distances ``x − a`` and ``b − x`` to relative accuracy ~1e-16, in units rescaled by ``2**-e``.

    ``x`` is the broadcast array; the edges are computed once per distinct broadcast of ``gamma``
    and ``sigma2`` alone (one double-double evaluation for a curve over ``x``).  ``sigma2`` outside
    ``2**±60`` is rescaled by an exact power of two (the law scales with σ²); ``valid`` marks the
    domain, ``ok`` the points the double-double arithmetic can handle (γ below ~1e300, no precision
    lost in the rescaling), ``amb_a``/``amb_b`` the points closer to an edge than the double-double
    edge can resolve.
    """
    g, s2 = float_arrays(gamma=gamma, sigma2=sigma2)
    valid = (g > 0) & (s2 > 0) & np.isfinite(g) & np.isfinite(s2)
    g1, s1 = np.where(valid, g, 1.0), np.where(valid, s2, 1.0)
    e = np.frexp(s1)[1]
    e = np.where(np.abs(e - 1) > 60, e - 1, 0)
    m = np.ldexp(s1, -e)
    ah, al, bh, bl = _dd_edges(g1, m)
    ok = valid & np.isfinite(ah) & np.isfinite(al) & np.isfinite(bh) & np.isfinite(bl)
    ah, al, bh, bl = (np.where(ok, v, w) for v, w in ((ah, 0.0), (al, 0.0), (bh, 1.0), (bl, 0.0)))
    g1, m, e, ah, al, bh, bl, valid, ok = np.broadcast_arrays(g1, m, e, ah, al, bh, bl, valid, ok, x)[:-1]
    valid = valid & ~np.isnan(x)
    xp = np.ldexp(np.where(np.isnan(x), 0.0, x), -e)
    s, err = _two_sum(xp, -ah)
    da = np.where(np.isinf(xp), xp, s + (err - al))  # (inf − inf inside two_sum gives NaN)
    s, err = _two_sum(bh, -xp)
    db = np.where(np.isinf(xp), -xp, s + (bl + err))
    lossy = (np.ldexp(xp, e) != x) & (da >= 0) & (db >= 0)
    return {
        "valid": valid, "ok": ok & ~lossy, "g": g1, "m": m, "e": e, "xp": xp, "da": da, "db": db, "ah": ah,
        "amb_a": ok & (ah > 0) & (np.abs(da) < _AMBIGUOUS * ah), "amb_b": ok & (np.abs(db) < _AMBIGUOUS * bh),
    }  # fmt: skip


def _fallback(mask: np.ndarray, fn: Any, *columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Certified values (16 digits) at the points of ``mask``, read at their exact float inputs.

    Returns ``(values, done, domain)``: ``domain`` marks points the certified path refuses as
    outside the domain; a point whose certificate fails, whose value is beyond float64's normal
    range, or beyond :data:`_MAX_FALLBACK` distinct points, is neither (the caller marks it status 3).
    """
    values = np.full(mask.shape, np.nan)
    done, domain = np.zeros(mask.shape, dtype=bool), np.zeros(mask.shape, dtype=bool)
    cache: dict[tuple[float, ...], float | None | str] = {}
    for idx in map(tuple, np.argwhere(mask)):
        key = tuple(float(c[idx]) for c in columns)
        if key not in cache:
            if len(cache) >= _MAX_FALLBACK:
                continue
            try:
                exact = fn(*(Fraction(v) for v in key), dps=16).value
                cache[key] = float(exact)
                if exact != 0 and not np.finfo(float).tiny <= abs(cache[key]) < np.inf:
                    cache[key] = None  # under- or overflows float64
            except ParameterError:
                cache[key] = "domain"
            except ConvergenceError:
                cache[key] = None
        hit = cache[key]
        if isinstance(hit, float):
            values[idx], done[idx] = hit, True
        elif hit == "domain":
            domain[idx] = True
    return values, done, domain


def _bcast(x: Any, gamma: Any, sigma2: Any) -> list[np.ndarray]:
    return float_arrays(x=x, gamma=gamma, sigma2=sigma2)


def density_curve(x: ArrayLike, gamma: ArrayLike, sigma2: ArrayLike = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 density; returns ``(values, status)`` (see :class:`CurveResult`).

    Status 0: at least six correct significant digits against the exact density at the same float
    inputs (the distances to the edges come from double-double edges, so points within an ulp of
    an edge are right too); 1: ``+inf`` (the hard edge ``x = 0`` at γ = 1); 2: outside the domain;
    3: float64 cannot deliver six digits (γ beyond ~1e300, a density that under- or overflows).
    """
    x, g, s2 = _bcast(x, gamma, sigma2)
    with np.errstate(all="ignore"):
        P = _edge_distances(x, gamma, sigma2)
        da, db, inside = P["da"], P["db"], (P["da"] > 0) & (P["db"] > 0)
        val = np.sqrt(np.maximum(da, 0)) * np.sqrt(np.maximum(db, 0)) / P["xp"] / (2 * np.pi * P["m"] * P["g"])
        val = np.ldexp(np.where(inside, val, 0.0), -P["e"])
        hard = (x == 0) & (P["ah"] == 0) & P["ok"]
        fb, done, _ = _fallback(P["amb_a"] | P["amb_b"], density, x, g, s2)
        val = np.where(done, fb, val)
        bad = (~P["ok"] & ~(x < 0)) | ((P["amb_a"] | P["amb_b"]) & ~done)
        bad |= inside & ~done & ((val < np.finfo(float).tiny) | ~np.isfinite(val))
    status = np.where(P["valid"] & np.isfinite(x), np.where(bad, STATUS_NOT_CONVERGED, STATUS_OK), STATUS_DOMAIN)
    status = np.where(hard, STATUS_INFINITE, status)
    val = np.where(hard, np.inf, np.where(status == STATUS_OK, val, np.nan))
    return checked_status(val, status)


_ATAN_TAIL = [(-1) ** (n + 1) / (2 * n + 1) for n in range(1, 28)]  # (y − atan y)/y³ for y < 1/2
_SINCOS_TAIL = [(-1) ** (n + 1) * 2 * n / factorial(2 * n + 1) for n in range(1, 15)]  # (sin t − t cos t)/t³
_SIN_TAIL = [(-1) ** (n + 1) / factorial(2 * n + 1) for n in range(1, 15)]  # (u − sin u)/u³ for u ≤ π/2
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(20)


def _horner(w: np.ndarray, coeffs: list[float]) -> np.ndarray:
    out = np.zeros_like(w)
    for c in reversed(coeffs):
        out = out * w + c
    return out


def _y_minus_atan(y: np.ndarray) -> np.ndarray:
    return np.where(y < 0.5, y**3 * _horner(y * y, _ATAN_TAIL), y - np.arctan(y))


def _tail_mass(t: np.ndarray, g: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Mass of the continuous part between an edge and ``x = a cos²t + b sin²t`` (lower) or
    ``x = a sin²t + b cos²t`` (upper), for ``0 ≤ t ≤ π/4``, without cancellation (1-d arrays).

    The lower tail is ``(4/π) ∫_0^t sin²2u / (q_a cos²u + q_b sin²u) du`` with ``q_a, q_b =
    (1 ∓ √γ)²``; the upper tail is the same with ``q_a`` and ``q_b`` swapped.  For γ ∈ [1/9, 9] the
    closed form ``[2|1−γ| (k t − atan(k tan t)) − 4√γ (t − sin t cos t)] / (2πγ)`` is used
    (``k = √(q_b/q_a)``; for the upper tail ``1/k`` and the sign of the second term flipped), with
    each bracket expanded in series where its own terms cancel; the two brackets then differ by at
    least a factor 4/3.  Otherwise (``k < 2``) the integrand is smooth, positive, with its poles at
    least ``atanh(1/2) = 0.55`` away from ``[0, π/4]``, and 20-point Gauss–Legendre is exact to rounding.
    """
    out = np.empty_like(t)
    rg = np.sqrt(g)
    qb, qa = (1 + rg) ** 2, ((1 - g) / (1 + rg)) ** 2
    quad = qb < 4 * qa
    tq, up = t[quad][:, None], upper[quad][:, None]
    sn2 = np.sin(tq * (1 + _GL_NODES) / 2) ** 2
    cs2 = 1 - sn2  # no cancellation: sin²u ≤ 1/2 on [0, π/4]
    aq, bq = qa[quad][:, None], qb[quad][:, None]
    den = np.where(up, aq * sn2 + bq * cs2, aq * cs2 + bq * sn2)
    out[quad] = (8 / np.pi) * tq[:, 0] * np.sum(_GL_WEIGHTS * sn2 * cs2 / den, axis=-1)  # sin²2u = 4 sin²u cos²u
    c = ~quad
    t, g, rg, qb, upper = t[c], g[c], rg[c], qb[c], upper[c]
    am, T = np.abs(1 - g), np.tan(t)
    excess = (2 * t) ** 3 * _horner(4 * t * t, _SIN_TAIL) / 2  # t − sin t cos t
    k = np.where(upper, am / qb, qb / am)  # √(q_b/q_a) (+inf at γ = 1), or its inverse for the upper tail
    direct = ~upper & (k * t >= 1)
    # 2|1−γ| (k t − atan(k T)): as written where k t ≥ 1, else as (k t − atan(k t)) − (atan(k T) − atan(k t))
    bracket = np.where(direct, 2 * qb * t - 2 * am * np.arctan(k * T), 0.0)
    sr = ~direct
    ts, ks, Ts = t[sr], k[sr], T[sr]
    tan_excess = ts**3 * _horner(ts * ts, _SINCOS_TAIL) / np.cos(ts)  # tan t − t
    bracket[sr] = 2 * am[sr] * (_y_minus_atan(ks * ts) - np.arctan(ks * tan_excess / (1 + ks * ks * ts * Ts)))
    out[c] = np.where(upper, bracket + 4 * rg * excess, bracket - 4 * rg * excess) / (2 * np.pi * g)
    return out


def cdf_curve(x: ArrayLike, gamma: ArrayLike, sigma2: ArrayLike = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 CDF (atom included); returns ``(values, status)``.

    Status 0: at least six correct significant digits against the exact CDF at the same float
    inputs, everywhere including ``x`` within an ulp of an edge (where the CDF is ``∝ (x−a)^{3/2}``),
    γ = 1 and the atom ``1 − 1/γ``; 2: outside the domain; 3 (NaN): float64 cannot deliver six
    digits (γ beyond ~1e300).  Values lie in [0, 1] and are non-decreasing in ``x`` wherever the
    exact CDF moves by more than the rounding noise (a few ulps), e.g. on grids spaced by single
    ulps right at an edge.  The distances to the edges come from double-double edges; the lower
    half of the support adds the lower tail mass to the atom, the upper half subtracts the upper
    tail mass from 1, each computed without cancellation (see :func:`_tail_mass`).
    """
    x, g, s2 = _bcast(x, gamma, sigma2)
    with np.errstate(all="ignore"):
        P = _edge_distances(x, gamma, sigma2)
        g1, da, db = P["g"], P["da"], P["db"]
        lower = da <= db
        inside = (da > 0) & (db > 0)
        ra, rb = np.sqrt(np.maximum(da[inside], 0)), np.sqrt(np.maximum(db[inside], 0))
        lo, gi = lower[inside], g1[inside]
        t = np.where(lo, np.arctan2(ra, rb), np.arctan2(rb, ra))
        atom = np.where(g1 > 1, (g1 - 1) / g1, 0.0)
        mass = _tail_mass(t, gi, ~lo)  # the two halves' formulas agree to ~5 ulps at t = π/4
        half = np.where(lo, atom[inside] + mass, 1 - mass)
        val = np.zeros_like(x)
        val[inside] = half
        val = np.where(da <= 0, atom, np.where(db <= 0, 1.0, val))
        val = np.clip(np.where(x < 0, 0.0, val), 0.0, 1.0)
        amb = (P["amb_a"] | P["amb_b"]) & ~(x < 0)
        fb, done, _ = _fallback(amb, cdf, x, g, s2)
        val = np.where(done, fb, val)
        bad = (~P["ok"] & ~(x < 0)) | (amb & ~done) | (inside & ~done & (val < np.finfo(float).tiny))
    status = np.where(P["valid"], np.where(bad, STATUS_NOT_CONVERGED, STATUS_OK), STATUS_DOMAIN)
    val = np.where(status == STATUS_OK, val, np.nan)
    return checked_status(val, status)


def stieltjes_curve(z: ArrayLike, gamma: ArrayLike, sigma2: ArrayLike = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized complex128 ``m(z)`` with the same branch rule; NaN + status 2 on the support.

    ``z − a`` and ``z − b`` come from double-double edges, so a real ``z`` within an ulp of an
    edge is placed on the correct side of it (points the double-double edge cannot place go to the
    certified path); status 0 carries at least six correct significant digits.
    """
    g, s2 = float_arrays(gamma=gamma, sigma2=sigma2)  # real: a complex gamma is refused, not truncated
    z, g, s2 = float_arrays(complex, z=z, gamma=g, sigma2=s2)
    g, s2 = g.real, s2.real
    real_z = z.imag == 0
    with np.errstate(all="ignore"):
        P = _edge_distances(z.real, gamma, sigma2)
        g1, m, da, db = P["g"], P["m"], P["da"], P["db"]
        y = np.ldexp(z.imag, -P["e"])
        zs = P["xp"] + 1j * y  # z rescaled like the edges
        Q = np.sqrt(da + 1j * y) * np.sqrt(-db + 1j * y)
        Q = np.where(real_z & (da < 0), -np.sqrt(-da) * np.sqrt(db) + 0j, Q)  # z < a: (i√(a−z))(i√(b−z))
        Q = np.where(real_z & (db < 0), np.sqrt(da) * np.sqrt(-db) + 0j, Q)
        A, B = m * g1 * zs, zs - m * (1 - g1)
        plus, minus = Q - B, -B - Q
        val = np.where(np.abs(plus) >= np.abs(minus), plus / (2 * A), 2 / minus)
        val = np.ldexp(val.real, -P["e"]) + 1j * np.ldexp(val.imag, -P["e"])
        amb = real_z & (P["amb_a"] | P["amb_b"])
        on_support = real_z & (((da >= 0) & (db >= 0)) | ((z.real == 0) & (g1 >= 1))) & ~amb
        fb, done, refused = _fallback(amb, stieltjes, z.real, g, s2)
        val = np.where(done, fb, val)
    domain = on_support | refused | ~P["valid"] | ~np.isfinite(z)
    bad = ~P["ok"] | (amb & ~done) | (np.ldexp(y, P["e"]) != z.imag)  # (the rescaling of Im z lost bits)
    bad = ~domain & (bad | ~np.isfinite(val) | (np.abs(val) < np.finfo(float).tiny))
    status = np.where(domain, STATUS_DOMAIN, np.where(bad, STATUS_NOT_CONVERGED, STATUS_OK))
    val = np.where(status == STATUS_OK, val, np.nan + 0j)
    val = np.where(real_z & (status == STATUS_OK), val.real + 0j, val)
    return checked_status(val, status)


# ----------------------------------------------------------------------------- registry
MODEL = register(
    ModelSpec(
        name=NAME,
        aliases=("marchenko_pastur", "marchenko-pastur"),
        doc="Marchenko-Pastur law of X^T X / n, aspect ratio gamma = p/n, entry variance sigma2.",
        params={
            "gamma": ParamSpec("gamma", "aspect ratio p/n, > 0"),
            "sigma2": ParamSpec("sigma2", "entry variance, > 0", default="1"),
            "x": ParamSpec("x", "spectral point (density, cdf)"),
            "z": ParamSpec("z", "complex point off the support, e.g. 1+0.5j", kind="complex"),
            "k": ParamSpec("k", "moment order, integer ≥ 0", kind="int"),
        },
        quantities={
            "density": QuantitySpec(
                "density",
                "density of the continuous part",
                ("x", "gamma", "sigma2"),
                density,
                density_curve,
                proof="proven",
                proof_note="closed form on balls; the region (inside/edge/outside) decided in rationals",
            ),
            "cdf": QuantitySpec(
                "cdf",
                "CDF incl. the atom at 0",
                ("x", "gamma", "sigma2"),
                cdf,
                cdf_curve,
                proof="proven",
                proof_note="closed form (sqrt, asin) on balls; atom and region exact",
            ),
            "stieltjes": QuantitySpec(
                "stieltjes",
                "Stieltjes transform m(z)",
                ("z", "gamma", "sigma2"),
                stieltjes,
                stieltjes_curve,
                proof="proven",
                proof_note="root of the quadratic on balls; branch proven on the ball: Im m * Im z > 0 (complex z), "
                "m'(z) > 0 (real z; the other root decreases)",
            ),
            "companion": QuantitySpec(
                "companion",
                "companion transform of XX^T/n",
                ("z", "gamma", "sigma2"),
                companion,
                proof="proven",
                proof_note="as stieltjes, on the companion quadratic",
            ),
            "edges": QuantitySpec(
                "edges",
                "support edges [a, b]",
                ("gamma", "sigma2"),
                edges,
                proof="proven",
                proof_note="closed form on balls (a exactly 0 at gamma = 1)",
            ),
            "moment": QuantitySpec(
                "moment",
                "k-th moment (Narayana)",
                ("k", "gamma", "sigma2"),
                moment,
                proof="proven",
                proof_note="exact rational (or the positive Narayana sum on balls); not proven beyond 1e+-12000",
            ),
        },
        system=system,
        source=MARCHENKO_PASTUR_1967,
    )
)
