r"""Spectrum of the inner-product kernel matrix in the polynomial regime (``krr`` quantities).

Setting (docs/models/krr.md, 'Spectrum of kernel matrices')
-----------------------------------------------------------
``x_1, ..., x_n`` i.i.d. uniform on ``S^{d−1}(√d)``, ``K = (h(⟨x_i, x_j⟩/d))_{i,j≤n}`` (diagonal
``h(1)``), ``n = α B(d, ℓ)`` with ``ℓ ≥ 1`` the *level* and ``B(d, ℓ)`` the number of degree-ℓ
spherical harmonics (``B(d, ℓ) = d^ℓ/ℓ! (1 + O(1/d))``: the ratio ``n ℓ!/d^ℓ`` of Lu & Yau has the
same limit).  Writing ``K = Σ_k μ_{d,k} Y_k Y_kᵀ`` (``Y_k`` the ``n × B(d,k)`` matrix of the
orthonormal degree-k harmonics at the data), as ``d → ∞``:

* degrees ``k < ℓ`` give ``B(d, k)`` eigenvalues near ``n μ_{d,k} + Σ_{j>k} B(d,j)μ_{d,j}``
  (spread ``n μ_{d,k}(1 ± √(B(d,k)/n))²``), i.e. ``≈ ξ_k n/B(d,k) → ∞`` (order ``d^{ℓ−k}``);
* degree ``ℓ`` gives the bulk: ``ξ_ℓ`` times a Marchenko–Pastur law of ratio ``α``;
* degrees ``> ℓ`` act as the identity times ``κ_{>ℓ} = h(1) − Σ_{k≤ℓ} ξ_k`` (their fluctuation is
  of order ``ξ_{ℓ+1}√(n/B(d, ℓ+1)) → 0``),

so the empirical spectral law converges to the law of ``κ_{>ℓ} + ξ_ℓ S``, ``S ~ MP(γ = α, σ² = 1)``:
the ``mp`` law with ``γ = α``, ``σ² = ξ_ℓ``, shifted by ``κ_{>ℓ}``, with an atom ``(1 − 1/α)_+`` at
``κ_{>ℓ}``.  Its density and Stieltjes transform are the ``mp`` model's formulas
(:mod:`asymptotics.models.marchenko_pastur`) at the shifted point, evaluated by that module's
backend functions (one formula).  With ``d`` given, the *finite-d per-level* version replaces
``ξ_ℓ → B(d,ℓ)μ_{d,ℓ}``, ``κ_{>ℓ} → h(1) − Σ_{k≤ℓ} B(d,k)μ_{d,k}`` (exact level masses) and ``α → α' =
(n − N_{<ℓ})/B(d,ℓ)``, ``N_{<ℓ} = Σ_{k<ℓ}B(d,k)``: it is the law of the ``n − N_{<ℓ}`` bulk eigenvalues (the
spikes' directions removed), the comparison for Monte Carlo at moderate ``d``, where the asymptotic law is
not yet accurate (all three corrections vanish as ``d → ∞``).

References
----------
Misiakiewicz (2022), arXiv 2204.10425 (this scaling); Lu & Yau (2022), arXiv 2205.06308 and
Dubova, Lu, McKenna & Yau (2023), arXiv 2310.18280 (the ``√d``-scaled kernel, where the higher
degrees add a semicircle); El Karoui (2010), *The spectrum of kernel random matrices* (``ℓ = 1``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from .._types import ArrayLike, Complex, IntLike, KernelLike, Real
from .._validate import check_int, check_real, exact_str, float_arrays, shown_params, to_complex_fractions, to_mpf
from ..backend import MP
from ..errors import ParameterError
from ..kernels import Kernel, get_kernel, quadrature_budget
from ..kernels import multiplicity as _multiplicity
from ..precision import DEFAULT_DPS, certify, check_dps
from ..references import MISIAKIEWICZ_2022, Source
from ..result import STATUS_DOMAIN, STATUS_NOT_CONVERGED, STATUS_OK, Result, checked_status
from . import marchenko_pastur as mpm

NAME = "krr"
MAX_LEVEL = 50
LU_YAU_2022 = Source(
    "Y. M. Lu, H.-T. Yau",
    "An equivalence principle for the spectrum of random inner-product kernel matrices with polynomial scalings",
    2022,
    arxiv="2205.06308",
)
BRANCH_RULE = "m_K(z) = m_MP(z - kappa; gamma = alpha, sigma2 = xi_l): the mp branch rule at the shifted point"


# ----------------------------------------------------------------------------- parameters
def _inputs(alpha: Any, level: Any, kernel: Any, d: Any) -> tuple[Fraction, int, Kernel, int | None, dict[str, str]]:
    if alpha is None or level is None:
        raise ParameterError("`alpha` and `level` are required (n = alpha * B(d, level), level >= 1).")
    a = check_real("alpha", alpha, low=0, low_open=True)
    ell = check_int("level", level, low=1, high=MAX_LEVEL)
    ker = get_kernel(kernel)
    dd = None if d is None else check_int("d", d, low=2, high=10**7)
    if dd is None and ker.expr is None:
        raise ParameterError(f"kernel {ker.name!r}: the d -> inf law needs Taylor coefficients (a SymPy expression); pass d.")
    shown = shown_params(alpha=a, level=ell)
    shown["kernel"] = ker.name
    if dd is not None:
        shown["d"] = str(dd)
    return a, ell, ker, dd, shown  # type: ignore[return-value]


def _ratio(a: Fraction, ell: int, d: int | None) -> Fraction:
    """The bulk's MP ratio: ``α`` (d → ∞) or, at finite ``d``, ``α' = (n − N_{<ℓ})/B(d,ℓ)`` with
    ``N_{<ℓ} = Σ_{k<ℓ} B(d,k)`` the directions the spikes take (the bulk lives in their complement)."""
    if d is None:
        return a
    below = sum(_multiplicity(d, k) for k in range(ell))
    low = Fraction(below, _multiplicity(d, ell))
    out = a - low
    if out <= 0:
        raise ParameterError(
            f"`alpha` = {exact_str(a)}: n = alpha B(d, {ell}) does not exceed the {below} spike directions of the degrees "
            f"< {ell} at d = {d}, so there is no level-{ell} bulk; take alpha > {exact_str(low)}."
        )
    return out


def _masses(ker: Kernel, ell: int, d: int | None, ball: bool) -> tuple[Any, Any]:
    """``(scale, shift)``: ``(ξ_ℓ, κ_{>ℓ})`` (``d`` None) or ``(B_ℓμ_{d,ℓ}, h(1) − Σ_{k≤ℓ}B_kμ_{d,k})``.

    mpmath numbers at the current precision, or balls (``ball=True``; NotProven where the kernel has no
    ball route).  Raises ParameterError for a negative scale (not positive definite) or a zero scale
    (no level-ℓ bulk: the spectrum is the atom at the shift).
    """
    from ..ball import AB, NotProven

    if d is None:
        parts = [ker.ball_xi(k) if ball else ker.xi(k) for k in range(ell + 1)]
    elif ball:
        parts = [AB.num(_multiplicity(d, k)) * ker.ball_eigenvalue(d, k) for k in range(ell + 1)]
    else:
        parts = [_multiplicity(d, k) * ker.eigenvalue(d, k)[0] for k in range(ell + 1)]
    h1 = ker.ball_h1() if ball and ker.expr is not None else (AB.num(0) if ball else ker.h1())
    if ball and ker.expr is None:
        raise NotProven(f"kernel {ker.name!r}: no expression for h(1) on balls")
    scale = parts[ell]
    shift = h1 - (AB.fsum(parts) if ball else mpmath.fsum(parts))
    if ball:
        if (scale > 0) is not True:
            if (scale <= 0) is True:
                _no_bulk(ker, ell, d, scale == 0)
            raise NotProven("kernel spectrum: the sign of the level mass is not decided on balls")
    elif not scale > 0:
        _no_bulk(ker, ell, d, scale == 0)
    return scale, shift


def _no_bulk(ker: Kernel, ell: int, d: int | None, zero: Any) -> None:
    what = "xi_" + str(ell) if d is None else f"B(d,{ell}) mu_(d,{ell})"
    if zero is True:
        raise ParameterError(
            f"kernel {ker.name!r} has {what} = 0: no level-{ell} bulk (the limit law is the atom at kappa); "
            "pick a `level` the kernel contains."
        )
    raise ParameterError(f"kernel {ker.name!r} has {what} < 0: not positive definite, no spectral law.")


# ----------------------------------------------------------------------------- density
def _density_eval(xf: Fraction, a: Fraction, ker: Kernel, ell: int, d: int | None, ball: bool) -> tuple[Any, Any]:
    """``ρ_K(x) = ρ_MP(x − shift; γ = α, σ² = scale)`` on MP or balls (the ``mp`` module's formula)."""
    from ..ball import AB, NotProven

    B = AB if ball else MP
    s2, shift = _masses(ker, ell, d, ball)
    a = _ratio(a, ell, d)
    g = AB.num(a) if ball else to_mpf(a)
    t = (AB.num(xf) if ball else to_mpf(xf)) - shift
    lo, hi = mpm._edges_b(B, g, s2)
    if ball:  # a ball comparison may be undecided: only a decided one counts
        inside, outside = (t - lo > 0) is True and (hi - t > 0) is True, (t - lo <= 0) is True or (hi - t <= 0) is True
        if not (inside or outside):
            raise NotProven("kernel density: x is not decided inside or outside the bulk on balls")
    else:
        inside, outside = bool(lo < t < hi), bool(t <= lo or t >= hi)
    if outside:
        if a == 1 and (t == 0) is True:
            return (AB.inf if ball else mpmath.inf), None
        return (AB.num(0) if ball else mpmath.mpf(0)), None
    dens, res = mpm._density_inside(B, t, g, s2, lo, hi)
    if ball and (res > 0) is True:
        raise NotProven("kernel density: m(x + i0) does not solve the quadratic on the balls")
    return dens, res


def kernel_density(
    x: Real | None = None,
    alpha: Real | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    d: IntLike | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Density of the limiting eigenvalue law of ``K = (h(⟨x_i,x_j⟩/d))`` at ``n = α B(d, ℓ)``.

    .. math:: \rho_K(x) = \frac{\sqrt{(b-x)(x-a)}}{2\pi\,\xi_\ell\,\alpha\,(x-\kappa_{>\ell})},\quad
              a, b = \kappa_{>\ell} + \xi_\ell(1\mp\sqrt\alpha)^2,

    the ``mp`` density with ``γ = α``, ``σ² = ξ_ℓ`` at ``x − κ_{>ℓ}`` (Misiakiewicz 2022, arXiv 2204.10425;
    Lu & Yau 2022).  The atom ``(1 − 1/α)_+`` at ``κ_{>ℓ}`` and the ``O(d^ℓ)`` spikes of the lower degrees are
    not included (they carry vanishing or zero continuous mass).  With ``d``: the finite-d per-level law of the
    ``n − N_{<ℓ}`` bulk eigenvalues (module docstring).
    """
    dps = check_dps(dps)
    if x is None:
        raise ParameterError("`x` (the spectral point) is required.")
    xf = check_real("x", x)
    a, ell, ker, dd, shown = _inputs(alpha, level, kernel, d)
    shown = {"x": shown_params(x=xf)["x"], **shown}
    with quadrature_budget():
        c = certify(
            lambda: _density_eval(xf, a, ker, ell, dd, False),  # type: ignore[arg-type]
            dps,
            what="krr kernel_density",
            params=shown,
            prove=lambda: _density_eval(xf, a, ker, ell, dd, True),  # type: ignore[arg-type]
        )
    return Result(c.value, NAME, "kernel_density", shown, dps, c.residual, c.error_estimate, None, MISIAKIEWICZ_2022,
                  **c.proof_fields())


# ----------------------------------------------------------------------------- Stieltjes transform
def _stieltjes_eval(zf: tuple[Fraction, Fraction], a: Fraction, ker: Kernel, ell: int, d: int | None) -> tuple[Any, Any]:
    """``m_K(z) = m_MP(z − shift)`` with the ``mp`` quadratic and branch rule, certified as there."""
    s2, shift = _masses(ker, ell, d, False)
    a = _ratio(a, ell, d)
    g = to_mpf(a)
    real_z = zf[1] == 0
    w = to_mpf(zf[0]) - shift if real_z else mpmath.mpc(to_mpf(zf[0]) - shift, to_mpf(zf[1]))
    lo, hi = mpm._edges_mp(g, s2)
    if real_z and (lo <= w <= hi or (w == 0 and a >= 1)):
        raise ParameterError(f"`z` = {exact_str(zf[0])} lies on the support of the kernel spectral law; pass Im z != 0.")
    return mpm._certified_root(w, g, s2, False, real_z, {"z": zf, "alpha": a, "level": ell}, "kernel_stieltjes")


def _stieltjes_ball(zf: tuple[Fraction, Fraction], a: Fraction, ker: Kernel, ell: int, d: int | None) -> tuple[Any, Any]:
    """The same on balls, with the branch proven as in ``mp``'s ``_transform_ball`` (``Im m·Im z > 0``,
    or ``m' > 0`` for real ``z``, and the other root not proven to satisfy it)."""
    from ..ball import AB, NotProven

    s2, shift = _masses(ker, ell, d, True)
    g = AB.num(_ratio(a, ell, d))
    lo, hi = mpm._edges_b(AB, g, s2)
    if zf[1] == 0:
        w = AB.num(zf[0]) - shift
        side = -1 if (w - lo < 0) is True else (1 if (w - hi > 0) is True else 0)
        if side == 0:
            raise NotProven("kernel_stieltjes: z not proven off the support")
    else:
        w, side = AB.num(zf[0]) - shift + 1j * AB.num(zf[1]), 0
    return mpm._proven_root(w, g, s2, side, 1 if zf[1] > 0 else -1, False, "kernel_stieltjes")


def kernel_stieltjes(
    z: Complex | None = None,
    alpha: Real | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    d: IntLike | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Stieltjes transform ``m_K(z) = ∫ μ_K(dt)/(t − z) = m_{MP}(z − κ_{>ℓ}; γ = α, σ² = ξ_ℓ)`` of the limit law.

    ``μ_K`` is the full limit law (atom at ``κ_{>ℓ}`` included).  Misiakiewicz (2022), arXiv 2204.10425.
    """
    dps = check_dps(dps)
    if z is None:
        raise ParameterError("`z` (a complex point off the support) is required.")
    zf = to_complex_fractions("z", z)
    a, ell, ker, dd, shown = _inputs(alpha, level, kernel, d)
    shown = {**shown_params(z=zf), **shown}
    with quadrature_budget():
        c = certify(
            lambda: _stieltjes_eval(zf, a, ker, ell, dd),
            dps,
            what="krr kernel_stieltjes",
            params=shown,
            prove=lambda: _stieltjes_ball(zf, a, ker, ell, dd),
        )
    return Result(c.value, NAME, "kernel_stieltjes", shown, dps, c.residual, c.error_estimate, BRANCH_RULE,
                  MISIAKIEWICZ_2022, **c.proof_fields())


# ----------------------------------------------------------------------------- edges and spikes
def kernel_edges(
    alpha: Real | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    d: IntLike | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Bulk edges ``(κ_{>ℓ} + ξ_ℓ(1 − √α)², κ_{>ℓ} + ξ_ℓ(1 + √α)²)`` (the ``mp`` edges, shifted)."""
    dps = check_dps(dps)
    a, ell, ker, dd, shown = _inputs(alpha, level, kernel, d)

    def edges(ball: bool) -> tuple[Any, Any]:
        from ..ball import AB

        s2, shift = _masses(ker, ell, dd, ball)
        r = _ratio(a, ell, dd)
        lo, hi = mpm._edges_b(AB if ball else MP, AB.num(r) if ball else to_mpf(r), s2)
        return (lo + shift, hi + shift), None

    with quadrature_budget():
        c = certify(lambda: edges(False), dps, what="krr kernel_edges", params=shown, prove=lambda: edges(True))
    return Result(c.value, NAME, "kernel_edges", shown, dps, None, c.error_estimate, None, MISIAKIEWICZ_2022,
                  **c.proof_fields())


def kernel_spike(
    d: IntLike | None = None,
    alpha: Real | None = None,
    level: IntLike | None = None,
    k: IntLike | None = None,
    kernel: KernelLike = "exp",
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Centre of the ``B(d, k)`` eigenvalues of degree ``k < ℓ`` at ``n = α B(d, ℓ)`` (finite ``d``).

    .. math:: \lambda_k = n\mu_{d,k} + \sum_{j>k} B(d,j)\mu_{d,j} = n\mu_{d,k} + h(1) - \sum_{j\le k} B(d,j)\mu_{d,j}

    (the mean of that group: ``nμ_{d,k}`` from ``μ_{d,k} Y_kY_kᵀ`` — the mean eigenvalue of ``Y_kᵀY_k/n`` is 1 —
    plus the trace average ``Σ_{j>k}B(d,j)μ_{d,j}`` of the higher degrees along its directions; the larger
    groups ``j < k`` are orthogonal to it); the group spreads over ``nμ_{d,k}(1 ± √(B(d,k)/n))²``.  As ``d → ∞``,
    ``λ_k B(d,k)/n → ξ_k``: the spikes sit at ``≈ α ξ_k B(d,ℓ)/B(d,k) ≍ d^{ℓ−k}`` (quantity ``xi``),
    and their number is ``B(d, k)`` (quantity ``multiplicity``).  Misiakiewicz (2022), arXiv 2204.10425.
    """
    dps = check_dps(dps)
    if d is None or k is None:
        raise ParameterError("`d` and `k` (the spike's degree, 0 <= k < level) are required.")
    dd = check_int("d", d, low=2, high=10**7)
    a, ell, ker, _, shown = _inputs(alpha, level, kernel, dd)
    kk = check_int("k", k, low=0, high=ell - 1)
    shown["k"] = str(kk)
    n = a * _multiplicity(dd, ell)

    def value(ball: bool) -> tuple[Any, Any]:
        from ..ball import AB, NotProven

        if ball:
            if ker.expr is None:
                raise NotProven(f"kernel {ker.name!r}: no expression for h(1) on balls")
            mus = [ker.ball_eigenvalue(dd, j) for j in range(ell)]
            rest = ker.ball_h1() - AB.fsum(AB.num(_multiplicity(dd, j)) * mus[j] for j in range(kk + 1))
            return AB.num(n) * mus[kk] + rest, None
        mus = [ker.eigenvalue(dd, j)[0] for j in range(ell)]
        rest = ker.h1() - mpmath.fsum(_multiplicity(dd, j) * mus[j] for j in range(kk + 1))
        return to_mpf(n) * mus[kk] + rest, None

    with quadrature_budget():
        c = certify(lambda: value(False), dps, what="krr kernel_spike", params=shown, prove=lambda: value(True))
    extra = {"multiplicity": str(_multiplicity(dd, kk)), "n": exact_str(n)}
    return Result(c.value, NAME, "kernel_spike", shown, dps, None, c.error_estimate, None, MISIAKIEWICZ_2022, extra,
                  **c.proof_fields())


# ----------------------------------------------------------------------------- float64 curve
def kernel_density_curve(
    x: ArrayLike, alpha: ArrayLike, level: IntLike, kernel: KernelLike = "exp", d: IntLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 density along ``x`` and ``alpha`` (``mp``'s :func:`~asymptotics.models.marchenko_pastur.density_curve`
    at ``x − κ``, ``σ² = ξ_ℓ``).  Points within ``10⁻⁸`` (relative) of an edge or of the shift get status 3
    (the float64 shift ``x − κ`` costs absolute accuracy there)."""
    ell = check_int("level", level, low=1, high=MAX_LEVEL)
    ker = get_kernel(kernel)
    dd = None if d is None else check_int("d", d, low=2, high=10**7)
    xs, al = np.broadcast_arrays(*float_arrays(x=x, alpha=alpha))
    with mpmath.workdps(20), quadrature_budget():
        s2, shift = (float(v) for v in _masses(ker, ell, dd, False))
    if dd is not None:
        al = al - sum(_multiplicity(dd, k) for k in range(ell)) / _multiplicity(dd, ell)
    with np.errstate(all="ignore"):
        t = xs - shift
        vals, status = mpm.density_curve(t, np.where(al > 0, al, np.nan), s2)
        vals, status = np.array(vals, dtype=float), np.array(status)
        rg = np.sqrt(al)
        lo, hi = s2 * (1 - rg) ** 2, s2 * (1 + rg) ** 2
        scale = 1e-8 * (np.abs(xs) + abs(shift) + s2 * (1 + al))
        near = (np.abs(t - lo) < scale) | (np.abs(t - hi) < scale) | (np.abs(t) < scale)
    status = np.where(~(al > 0) | ~np.isfinite(xs) | ~np.isfinite(al), STATUS_DOMAIN, status)
    status = np.where((status == STATUS_OK) & near, STATUS_NOT_CONVERGED, status)
    vals = np.where(status == STATUS_OK, vals, np.where(status == 1, np.inf, np.nan))
    return checked_status(vals, status)
