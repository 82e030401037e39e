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
----------------------------------------------
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
from math import comb
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from mpmath import mp

from .._validate import check_int, check_real, exact_str, float_arrays, shown_params, to_complex_fractions, to_mpf
from ..errors import BranchError, ConvergenceError, ParameterError
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance
from ..references import BAI_SILVERSTEIN_2010, MARCHENKO_PASTUR_1967
from ..result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_OK, Result, checked_status
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem, presented
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "mp"
SOURCE = MARCHENKO_PASTUR_1967
BRANCH_RULE = (
    "m = (sigma2(1-gamma) - z + sqrt(z-a) sqrt(z-b)) / (2 sigma2 gamma z), principal roots "
    "taken separately; certified Im m * Im z > 0, |m| <= 1/dist(z, supp)"
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


def _edges_mp(g: Any, s2: Any) -> tuple[Any, Any]:
    """Edges at the current precision, cancellation-free near γ = 1."""
    rg = mpmath.sqrt(g)
    a = s2 * ((1 - g) / (1 + rg)) ** 2
    b = s2 * (1 + rg) ** 2
    return a, b


def _root(A: Any, B: Any, Q: Any) -> Any:
    """Root ``(-B + Q)/(2A)`` of ``A m² + B m + 1``, in its cancellation-free form."""
    plus, minus = Q - B, -B - Q  # (-B+Q)(-B-Q) = B² - Q² = 4A
    if abs(plus) >= abs(minus):
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


def _transform(zf: tuple[Fraction, Fraction], g_f: Fraction, s2_f: Fraction, companion: bool) -> tuple[Any, Any]:
    """(m or m̃, residual) at the current precision, certified against the branch rule."""
    g, s2 = to_mpf(g_f), to_mpf(s2_f)
    real_z = zf[1] == 0
    z = to_mpf(zf[0]) if real_z else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
    a, b = _edges_mp(g, s2)
    if companion:
        A, B = s2 * z, z + s2 * (1 - g)
    else:
        A, B = s2 * g * z, z - s2 * (1 - g)
    if real_z and z < a:  # √(z-a)√(z-b) = (i√(a-z))(i√(b-z))
        Q = -mpmath.sqrt((a - z) * (b - z))
    elif real_z:  # z > b
        Q = mpmath.sqrt((z - a) * (z - b))
    else:
        Q = mpmath.sqrt(z - a) * mpmath.sqrt(z - b)
    if A == 0:  # z = 0 with γ < 1 (m) — the form 2/(-B-Q) is regular there
        if -B - Q == 0:
            raise ParameterError("`z` = 0 is a pole of the companion transform for gamma ≤ 1.")
        val = 2 / (-B - Q)
    else:
        val = _root(A, B, Q)
    residual = abs(A * val**2 + B * val + 1) / (abs(A) * abs(val) ** 2 + abs(B) * abs(val) + 1)
    params = {"z": zf, "gamma": g_f, "sigma2": s2_f}
    if residual > residual_tolerance():
        raise ConvergenceError(f"Stieltjes transform: quadratic residual {mpmath.nstr(residual, 3)}", params=params)
    # branch certificate
    if real_z:
        val = mpmath.re(val)
    else:
        if mpmath.im(val) * mpmath.im(z) <= 0:
            raise BranchError("Stieltjes transform: Im m and Im z differ in sign (wrong root)", params=params)
    if not companion:
        bound = 1 / _dist_to_support(z, g, a, b)
        if abs(val) > bound * (1 + residual_tolerance()):
            raise BranchError("Stieltjes transform: |m(z)| exceeds 1/dist(z, supp) (wrong root)", params=params)
    return val, residual


# ----------------------------------------------------------------------------- public API
def edges(gamma: Any, sigma2: Any = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """Support edges ``[a, b] = [σ²(1-√γ)², σ²(1+√γ)²]`` (``a`` computed as σ²(1-γ)²/(1+√γ)²)."""
    g, s2 = _params(gamma, sigma2)
    c = certify(lambda: (_edges_mp(to_mpf(g), to_mpf(s2)), None), dps, what="edges", params=shown_params(gamma=g, sigma2=s2))
    return Result(
        c.value, NAME, "edges", shown_params(gamma=g, sigma2=s2), dps, None, c.error_estimate, None, BAI_SILVERSTEIN_2010
    )


def stieltjes(z: Any, gamma: Any, sigma2: Any = 1, *, dps: int = DEFAULT_DPS) -> Result:
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
    c = certify(lambda: _transform(zf, g, s2, False), dps, what="stieltjes", params=shown)
    return Result(c.value, NAME, "stieltjes", shown, dps, c.residual, c.error_estimate, BRANCH_RULE, BAI_SILVERSTEIN_2010)


def companion(z: Any, gamma: Any, sigma2: Any = 1, *, dps: int = DEFAULT_DPS) -> Result:
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
    c = certify(lambda: _transform(zf, g, s2, True), dps, what="companion", params=shown)
    return Result(c.value, NAME, "companion", shown, dps, c.residual, c.error_estimate, BRANCH_RULE, BAI_SILVERSTEIN_2010)


def _density_mp(xf: Fraction, g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    g, s2, x = to_mpf(g_f), to_mpf(s2_f), to_mpf(xf)
    a, b = _edges_mp(g, s2)
    if x == 0 and a == 0:
        return mpmath.inf, None
    if not (a < x < b):
        return mpmath.mpf(0), None
    root = mpmath.sqrt((b - x) * (x - a))
    dens = root / (2 * mpmath.pi * s2 * g * x)
    # residual: m(x + i0) = (σ²(1−γ) − x + i root)/(2σ²γx) must solve the quadratic
    m0 = mpmath.mpc(s2 * (1 - g) - x, root) / (2 * s2 * g * x)
    A, B = s2 * g * x, x - s2 * (1 - g)
    res = abs(A * m0**2 + B * m0 + 1) / (abs(A) * abs(m0) ** 2 + abs(B) * abs(m0) + 1)
    return dens, res


def density(x: Any, gamma: Any, sigma2: Any = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """Density of the absolutely continuous part, ``√((b−x)(x−a)) / (2πσ²γx)`` on ``(a, b)``.

    Zero outside ``(a, b)``; the atom ``(1 − 1/γ)_+`` at 0 is *not* included (see
    :func:`cdf`).  At ``γ = 1, x = 0`` the density is ``+inf`` (hard edge ``x^{-1/2}``).
    The residual is that of the quadratic at ``m(x + i0)``, whose imaginary part / π is
    the density.
    """
    g, s2 = _params(gamma, sigma2)
    xf = check_real("x", x)
    shown = shown_params(x=xf, gamma=g, sigma2=s2)
    c = certify(lambda: _density_mp(xf, g, s2), dps, what="density", params=shown)  # type: ignore[arg-type]
    return Result(c.value, NAME, "density", shown, dps, c.residual, c.error_estimate, None, BAI_SILVERSTEIN_2010)


def _cdf_mp(xf: Fraction, g_f: Fraction, s2_f: Fraction) -> tuple[Any, Any]:
    g, s2, x = to_mpf(g_f), to_mpf(s2_f), to_mpf(xf)
    if x < 0:
        return mpmath.mpf(0), None
    atom = (1 - 1 / g) if g > 1 else mpmath.mpf(0)
    a, b = _edges_mp(g, s2)
    if x <= a:
        return atom, None
    if x >= b:
        return mpmath.mpf(1), None

    # antiderivative of √((b−t)(t−a))/t on [a, b]
    def G(t: Any) -> Any:
        root = mpmath.sqrt((b - t) * (t - a))
        val = root + (a + b) / 2 * mpmath.asin((2 * t - a - b) / (b - a))
        if a > 0:
            val -= mpmath.sqrt(a * b) * mpmath.asin(((a + b) * t - 2 * a * b) / ((b - a) * t))
        return val

    ga = (a + b) / 2 * (-mpmath.pi / 2) + (mpmath.sqrt(a * b) * mpmath.pi / 2 if a > 0 else 0)
    cont = (G(x) - ga) / (2 * mpmath.pi * s2 * g)
    return atom + cont, None


def cdf(x: Any, gamma: Any, sigma2: Any = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """CDF ``μ((−∞, x])`` including the atom ``1 − 1/γ`` at 0 when ``γ > 1``.

    Closed form: with ``R(t) = √((b−t)(t−a))``, an antiderivative of ``R(t)/t`` is
    ``R + (a+b)/2 · asin((2t−a−b)/(b−a)) − √(ab) · asin(((a+b)t − 2ab)/((b−a)t))``;
    the CDF is ``(1−1/γ)_+ + [G(x) − G(a)] / (2πσ²γ)`` for ``a ≤ x ≤ b``.
    """
    g, s2 = _params(gamma, sigma2)
    xf = check_real("x", x)
    shown = shown_params(x=xf, gamma=g, sigma2=s2)
    c = certify(lambda: _cdf_mp(xf, g, s2), dps, what="cdf", params=shown)  # type: ignore[arg-type]
    return Result(c.value, NAME, "cdf", shown, dps, None, c.error_estimate, None, BAI_SILVERSTEIN_2010)


def moment_exact(k: int, gamma: Fraction, sigma2: Fraction) -> Fraction:
    """``∫ x^k dμ = σ^{2k} Σ_{j=1}^{k} N(k, j) γ^{j−1}`` exactly, ``N(k,j) = C(k,j)C(k,j−1)/k``."""
    if k == 0:
        return Fraction(1)
    total = sum(Fraction(comb(k, j) * comb(k, j - 1), k) * gamma ** (j - 1) for j in range(1, k + 1))
    return sigma2**k * total


def moment(k: Any, gamma: Any, sigma2: Any = 1, *, dps: int = DEFAULT_DPS) -> Result:
    """k-th moment via Narayana numbers (exact rational arithmetic, then rounded to ``dps``).

    ``k = 0`` gives 1 (total mass, atom included); ``k = 2`` gives ``σ⁴(1 + γ)``.
    """
    kk = check_int("k", k, low=0, high=10_000)
    g, s2 = _params(gamma, sigma2)
    dps = check_dps(dps)
    exact = moment_exact(kk, g, s2)
    with mp.workdps(dps + 10):
        v = to_mpf(exact)
    with mp.workdps(dps):
        v = +v
    shown = {"k": str(kk), **shown_params(gamma=g, sigma2=s2)}
    return Result(v, NAME, "moment", shown, dps, None, mpmath.mpf(0), None, BAI_SILVERSTEIN_2010)


# ----------------------------------------------------------------------------- float64 path
def _np_edges(g: np.ndarray, s2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rg = np.sqrt(g)
    return s2 * ((1 - g) / (1 + rg)) ** 2, s2 * (1 + rg) ** 2


def _bcast(x: Any, gamma: Any, sigma2: Any) -> list[np.ndarray]:
    return float_arrays(x=x, gamma=gamma, sigma2=sigma2)


def density_curve(x: Any, gamma: Any, sigma2: Any = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 density; returns ``(values, status)`` (see :class:`CurveResult`)."""
    x, g, s2 = _bcast(x, gamma, sigma2)
    status = np.where((g > 0) & (s2 > 0) & np.isfinite(g) & np.isfinite(s2) & np.isfinite(x), STATUS_OK, STATUS_DOMAIN)
    with np.errstate(all="ignore"):
        a, b = _np_edges(g, s2)
        inside = (x > a) & (x < b)
        val = np.where(inside, np.sqrt(np.abs((b - x) * (x - a))) / (2 * np.pi * s2 * g * x), 0.0)
    hard = (x == 0) & (a == 0)
    val = np.where(hard, np.inf, val)
    status = np.where(hard & (status == STATUS_OK), STATUS_INFINITE, status)
    val = np.where(status == STATUS_DOMAIN, np.nan, val)
    return checked_status(val, status)


def cdf_curve(x: Any, gamma: Any, sigma2: Any = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 CDF (same closed form as :func:`cdf`)."""
    x, g, s2 = _bcast(x, gamma, sigma2)
    status = np.where((g > 0) & (s2 > 0) & np.isfinite(g) & np.isfinite(s2) & ~np.isnan(x), STATUS_OK, STATUS_DOMAIN)
    with np.errstate(all="ignore"):
        a, b = _np_edges(g, s2)
        t = np.clip(x, a, b)
        root = np.sqrt(np.maximum((b - t) * (t - a), 0))
        arg1 = np.clip((2 * t - a - b) / (b - a), -1, 1)
        arg2 = np.clip(((a + b) * t - 2 * a * b) / ((b - a) * t), -1, 1)
        sab = np.sqrt(a * b)
        G = root + (a + b) / 2 * np.arcsin(arg1) - np.where(a > 0, sab * np.arcsin(arg2), 0.0)
        Ga = -(a + b) / 2 * np.pi / 2 + sab * np.pi / 2
        cont = (G - Ga) / (2 * np.pi * s2 * g)
        atom = np.where(g > 1, 1 - 1 / g, 0.0)
        val = np.where(x < 0, 0.0, np.where(x >= b, 1.0, atom + np.where(x <= a, 0.0, cont)))
    val = np.where(status == STATUS_DOMAIN, np.nan, val)
    return checked_status(val, status)


def stieltjes_curve(z: Any, gamma: Any, sigma2: Any = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized complex128 ``m(z)`` with the same branch rule; NaN + status 2 on the support."""
    g, s2 = float_arrays(gamma=gamma, sigma2=sigma2)  # real: a complex gamma is refused, not truncated
    z, g, s2 = float_arrays(complex, z=z, gamma=g, sigma2=s2)
    g, s2 = g.real, s2.real
    with np.errstate(all="ignore"):
        a, b = _np_edges(g, s2)
        Q = np.sqrt(z - a + 0j) * np.sqrt(z - b + 0j)
        # real z below a: principal roots give (i√(a−z))(i√(b−z)); make −0j imag parts harmless
        Q = np.where((z.imag == 0) & (z.real < a), -np.sqrt((a - z.real) * (b - z.real)) + 0j, Q)
        A, B = s2 * g * z, z - s2 * (1 - g)
        plus, minus = Q - B, -B - Q
        val = np.where(np.abs(plus) >= np.abs(minus), plus / (2 * A), 2 / minus)
    on_support = (z.imag == 0) & (((z.real >= a) & (z.real <= b)) | ((z.real == 0) & (g >= 1)))
    bad = on_support | ~(g > 0) | ~(s2 > 0) | ~np.isfinite(g) | ~np.isfinite(s2) | ~np.isfinite(z)
    status = np.where(bad, STATUS_DOMAIN, STATUS_OK)
    val = np.where(bad, np.nan + 0j, val)
    val = np.where((z.imag == 0) & ~bad, val.real + 0j, val)
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
                "density", "density of the continuous part", ("x", "gamma", "sigma2"), density, density_curve
            ),
            "cdf": QuantitySpec("cdf", "CDF incl. the atom at 0", ("x", "gamma", "sigma2"), cdf, cdf_curve),
            "stieltjes": QuantitySpec(
                "stieltjes", "Stieltjes transform m(z)", ("z", "gamma", "sigma2"), stieltjes, stieltjes_curve
            ),
            "companion": QuantitySpec("companion", "companion transform of XX^T/n", ("z", "gamma", "sigma2"), companion),
            "edges": QuantitySpec("edges", "support edges [a, b]", ("gamma", "sigma2"), edges),
            "moment": QuantitySpec("moment", "k-th moment (Narayana)", ("k", "gamma", "sigma2"), moment),
        },
        system=system,
        source=MARCHENKO_PASTUR_1967,
    )
)
