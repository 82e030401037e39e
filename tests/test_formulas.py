"""The shared formulas (asymptotics.formulas) against independent references.

References: mpmath quadrature of the Marchenko–Pastur density, mpmath.findroot on the
original (uncancelled) fixed-point equations at high precision, closed forms at special
points, and agreement of the mpmath and numpy backends at drawn points.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics import formulas as F
from asymptotics.backend import MP, NP
from asymptotics.result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK


def _mp_reference(c: mpmath.mpf, t: mpmath.mpf, power: int) -> mpmath.mpf:
    """∫ μ_c(ds)/(s + t)^power by quadrature of the MP density (+ the atom at 0 for c > 1)."""
    a, b = (1 - mpmath.sqrt(c)) ** 2, (1 + mpmath.sqrt(c)) ** 2

    def dens(s: mpmath.mpf) -> mpmath.mpf:
        return mpmath.sqrt((b - s) * (s - a)) / (2 * mpmath.pi * c * s)

    val = mpmath.quad(lambda s: dens(s) / (s + t) ** power, [a, (a + b) / 2, b])
    if c > 1:
        val += (1 - 1 / c) / t**power
    return val


@pytest.mark.parametrize("c", ["0.25", "1", "3"])
@pytest.mark.parametrize("t", ["0.001", "0.7", "50"])
def test_mp_stieltjes_against_quadrature(c: str, t: str) -> None:
    with mpmath.workdps(30):
        cc, tt = mpmath.mpf(c), mpmath.mpf(t)
        m, dm = F.mp_stieltjes_neg(MP, cc, tt)
        # the density has square-root edges (and a 1/sqrt(s) edge at c = 1): quadrature is good to ~15 digits
        assert m == pytest.approx(_mp_reference(cc, tt, 1), rel=1e-12)
        assert dm == pytest.approx(_mp_reference(cc, tt, 2), rel=1e-12)


def test_mp_stieltjes_isotropic_limit_and_derivative() -> None:
    """c = 0 is the point mass at 1: m = 1/(1 + t), m' = 1/(1 + t)²; dm is dm/dz, checked by differencing."""
    with mpmath.workdps(40):
        t = mpmath.mpf("0.3")
        m, dm = F.mp_stieltjes_neg(MP, mpmath.mpf(0), t)
        assert abs(m - 1 / (1 + t)) < mpmath.mpf(10) ** -38
        assert abs(dm - 1 / (1 + t) ** 2) < mpmath.mpf(10) ** -38
        c = mpmath.mpf("2.5")
        _, dm = F.mp_stieltjes_neg(MP, c, t)
        numeric = -mpmath.diff(lambda tt: F.mp_stieltjes_neg(MP, c, tt)[0], t)  # d/dz m(z) at z = −t
        assert abs(dm - numeric) < mpmath.mpf(10) ** -30


@settings(max_examples=25)
@given(
    c=st.floats(0.0, 20.0),
    t=st.floats(1e-8, 1e6),
)
def test_mp_stieltjes_backends_agree(c: float, t: float) -> None:
    with mpmath.workdps(40):
        m_ref, dm_ref = F.mp_stieltjes_neg(MP, mpmath.mpf(c), mpmath.mpf(t))
    m, dm = F.mp_stieltjes_neg(NP, np.array([c]), np.array([t]))
    assert float(m[0]) == pytest.approx(float(m_ref), rel=1e-12)
    assert float(dm[0]) == pytest.approx(float(dm_ref), rel=1e-12)


def _kappa_reference(gamma: mpmath.mpf, lam: mpmath.mpf) -> mpmath.mpf:
    """Positive root of κ² + (1 − γ − λ)κ − λ (negative at 0, convex): bisection in log κ at 300 digits,
    where the uncancelled textbook coefficients lose nothing that matters."""
    with mpmath.workdps(300):
        def h(k: mpmath.mpf) -> mpmath.mpf:
            return k * k + (1 - gamma - lam) * k - lam

        lo, hi = mpmath.mpf(10) ** -200, 10 + gamma + lam
        for _ in range(1500):
            mid = mpmath.sqrt(lo * hi)
            lo, hi = (mid, hi) if h(mid) < 0 else (lo, mid)
        return mpmath.sqrt(lo * hi)


@pytest.mark.parametrize(
    ("gamma", "lam"),
    [("0.5", "0.1"), ("2", "0.1"), ("1", "1e-30"), ("1 - 1e-20", "1e-40"), ("1 + 1e-20", "1e-40"), ("3", "1e5")],
)
def test_isotropic_kappa_against_findroot(gamma: str, lam: str) -> None:
    with mpmath.workdps(120):
        g = mpmath.mpf(1) - mpmath.mpf("1e-20") if gamma == "1 - 1e-20" else mpmath.mpf(gamma.split()[0])
        if gamma == "1 + 1e-20":
            g = 1 + mpmath.mpf("1e-20")
        lmb = mpmath.mpf(lam)
        c = lmb + g - 1  # exact at 120 digits for these inputs
        root = mpmath.sqrt(c * c + 4 * lmb)
        ref = _kappa_reference(g, lmb)
    with mpmath.workdps(30):
        kappa, ratio = F.isotropic_kappa(MP, +c, +lmb, +root)
        assert abs(kappa / ref - 1) < mpmath.mpf(10) ** -28
        assert abs(ratio / (lmb / ref) - 1) < mpmath.mpf(10) ** -28


def test_isotropic_kappa_special_points() -> None:
    with mpmath.workdps(30):
        # ridgeless: κ = 0, λ/κ → 1 − γ (γ < 1); κ = γ − 1, λ/κ = 0 (γ > 1); γ = 1: both 0
        for g, k_exact, r_exact in (("0.25", 0, "0.75"), ("3", 2, 0), ("1", 0, 0)):
            c = mpmath.mpf(g) - 1
            kappa, ratio = F.isotropic_kappa(MP, c, mpmath.mpf(0), abs(c))
            assert kappa == mpmath.mpf(k_exact) and ratio == mpmath.mpf(r_exact)
        # γ = 1: κ = (λ + √(λ² + 4λ))/2
        lam = mpmath.mpf("0.01")
        kappa, _ = F.isotropic_kappa(MP, lam, lam, mpmath.sqrt(lam * lam + 4 * lam))
        assert abs(kappa - (lam + mpmath.sqrt(lam**2 + 4 * lam)) / 2) < mpmath.mpf(10) ** -29
    with np.errstate(all="ignore"):
        c = np.array([-0.75, 2.0, 0.0])
        kappa, ratio = F.isotropic_kappa(NP, c, np.zeros(3), np.abs(c))
    assert kappa.tolist() == [0.0, 2.0, 0.0] and ratio.tolist() == [0.75, 0.0, 0.0]


def test_isotropic_kappa_no_overflow_np() -> None:
    lam = np.array([1e300])
    c = lam + 1.0
    root = np.hypot(c, 2 * np.sqrt(lam))
    kappa, ratio = F.isotropic_kappa(NP, c, lam, root)
    assert np.isfinite(kappa).all() and kappa[0] == pytest.approx(1e300, rel=1e-12)
    assert ratio[0] == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=30)
@given(gamma=st.floats(0.01, 50.0), lam=st.floats(0.0, 100.0))
def test_isotropic_backends_agree(gamma: float, lam: float) -> None:
    with mpmath.workdps(40):
        g, lmb = mpmath.mpf(gamma), mpmath.mpf(lam)
        c = lmb + g - 1
        root = mpmath.sqrt(c * c + 4 * lmb)
        k_mp, r_mp = F.isotropic_kappa(MP, c, lmb, root)
        parts_mp = F.isotropic_risk_parts(MP, k_mp, r_mp, root, g, mpmath.mpf(1), mpmath.mpf("0.5"))
    with np.errstate(all="ignore"):
        ga, la = np.array([gamma]), np.array([lam])
        c = la + (ga - 1)
        root = np.hypot(c, 2 * np.sqrt(la))
        k_np, r_np = F.isotropic_kappa(NP, c, la, root)
        parts_np = F.isotropic_risk_parts(NP, k_np, r_np, root, ga, np.ones(1), np.full(1, 0.5))
    # float64 forms c from rounded inputs: away from γ = 1, λ ≈ 0 the results agree to ~1e-12
    if abs(gamma - 1) > 1e-3 or lam > 1e-3:
        for a, b in zip((k_mp, r_mp, *parts_mp), (k_np, r_np, *parts_np), strict=True):
            assert float(b[0]) == pytest.approx(float(a), rel=1e-10, abs=1e-300)


def test_isotropic_risk_parts_ridgeless_closed_forms() -> None:
    with mpmath.workdps(30):
        r2, s2 = mpmath.mpf(2), mpmath.mpf("0.5")
        for g in (mpmath.mpf("0.5"), mpmath.mpf(3)):
            c = g - 1
            k, r = F.isotropic_kappa(MP, c, mpmath.mpf(0), abs(c))
            bias, var, train = F.isotropic_risk_parts(MP, k, r, abs(c), g, r2, s2)
            if g < 1:
                assert bias == 0 and abs(var - s2 * g / (1 - g)) < mpmath.mpf(10) ** -29
                assert abs(train - (1 - g) ** 2 * (var + s2)) < mpmath.mpf(10) ** -29
            else:
                assert abs(bias - r2 * (1 - 1 / g)) < mpmath.mpf(10) ** -29
                assert abs(var - s2 / (g - 1)) < mpmath.mpf(10) ** -29 and train == 0
        bias, var, train = F.isotropic_risk_parts(MP, mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(0), 1, r2, s2)
        assert (bias, var, train) == (0, mpmath.inf, 0)


def test_positive_root_and_quadratic_roots() -> None:
    with mpmath.workdps(30):
        # x² − 1e8 x + 1: the small root 1/(1e8 − 1e-8 − ...) loses every digit in the textbook form
        small, large = F.quadratic_roots(MP, mpmath.mpf(1), mpmath.mpf("-1e8"), mpmath.mpf(1))
        with mpmath.workdps(80):
            ref_small = (mpmath.mpf("1e8") - mpmath.sqrt(mpmath.mpf("1e16") - 4)) / 2
        assert abs(small / ref_small - 1) < mpmath.mpf(10) ** -28 and abs(small * large - 1) < mpmath.mpf(10) ** -28
        # t q² + (t + 1 − ψ) q − ψ = 0 with t = 1e-30: the positive root is ψ/(1 + t − ψ)... for ψ < 1
        t, psi = mpmath.mpf("1e-30"), mpmath.mpf("0.5")
        q = F.positive_root(MP, t, t + 1 - psi, psi)
        assert abs(t * q * q + (t + 1 - psi) * q - psi) < mpmath.mpf(10) ** -29
        assert F.positive_root(MP, mpmath.mpf(0), mpmath.mpf(-1), mpmath.mpf(2)) == mpmath.inf
    a, b, c = np.array([0.0, 1.0, 2.0]), np.array([-1.0, 3.0, -4.0]), np.array([2.0, 4.0, 6.0])
    with np.errstate(all="ignore"):
        x = F.positive_root(NP, a, b, c)
    assert np.isinf(x[0]) and x[1] == pytest.approx(1.0) and x[2] == pytest.approx(3.0)
    lo, hi = F.quadratic_roots(NP, np.array([1.0, 1.0]), np.array([0.0, -3.0]), np.array([0.0, 2.0]))
    assert lo.tolist() == [0.0, 1.0] and hi.tolist() == [0.0, 2.0]


def test_status_ladder() -> None:
    domain = np.array([False, True, True, True, True])
    conv = np.array([True, False, True, True, True])
    value = np.array([1.0, 2.0, np.inf, 3.0, np.nan])
    v, s = F.status_ladder(domain, conv, value)
    assert s.tolist() == [STATUS_DOMAIN, STATUS_NOT_CONVERGED, STATUS_INFINITE, STATUS_OK, STATUS_NOT_CONVERGED]
    assert np.isnan(v[[0, 1, 4]]).all() and v[2] == np.inf and v[3] == 3.0
