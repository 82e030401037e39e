"""Inner-product kernels on the sphere: B(d, ℓ), normalized Gegenbauer Q_ℓ, eigenvalues μ_{d,ℓ}, ξ_ℓ.

Every expected value is computed here by a route that does not use the code under test:
brute-force harmonic counting (kernel of the Laplacian), scipy / SymPy / mpmath Gegenbauer,
Legendre and Chebyshev polynomials, cosine moments from the Beta function, Funk–Hecke by
mpmath quadrature with mpmath's own Gegenbauer, Fourier integrals on the circle, spherical
Bessel functions, and Taylor coefficients derived by hand (theory note ``mp_ridge_krr.md`` §3.1).
"""

import functools
import itertools
import math

import mpmath
import numpy as np
import pytest
import scipy.special as sc
import sympy as sp

from asymptotics import kernels as Kn
from asymptotics.errors import ParameterError
from asymptotics.models import krr as K

mpf = mpmath.mpf


@pytest.fixture(autouse=True)
def _references_at_60_digits():
    """Reference values are computed at 60 digits unless a test says otherwise (the library sets its own)."""
    with mpmath.workdps(60):
        yield


def ae(a, b, digits):
    """Relative agreement of ``a`` and ``b`` to ``digits`` significant digits."""
    a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
    return abs(a - b) <= mpf(10) ** (-digits) * max(abs(b), mpf(10) ** -300)


# ---------------------------------------------------------------- independent references
def _laplacian_kernel_dim(d, ell):
    """dim ker(Δ: P_ℓ → P_{ℓ−2}) on homogeneous polynomials in d variables (brute force)."""
    mons = list(itertools.combinations_with_replacement(range(d), ell))
    expo = [tuple(m.count(i) for i in range(d)) for m in mons]
    if ell < 2:
        return len(expo)
    low = {
        e: j
        for j, e in enumerate(
            tuple(m.count(i) for i in range(d)) for m in itertools.combinations_with_replacement(range(d), ell - 2)
        )
    }
    A = np.zeros((len(low), len(expo)))
    for col, e in enumerate(expo):
        for i in range(d):
            if e[i] >= 2:
                f = list(e)
                f[i] -= 2
                A[low[tuple(f)], col] += e[i] * (e[i] - 1)
    return len(expo) - np.linalg.matrix_rank(A)


@functools.cache
def _moment(d, m):
    """E s^m for the cosine s on S^{d−1} (density ∝ (1−s²)^{(d−3)/2}), exact, from the Beta function."""
    if m % 2:
        return sp.Integer(0)
    k = m // 2
    out = sp.gamma(sp.Rational(2 * k + 1, 2)) * sp.gamma(sp.Rational(d, 2)) / (sp.sqrt(sp.pi) * sp.gamma(sp.Rational(d, 2) + k))
    assert out.is_Rational  # SymPy evaluates half-integer Γ exactly; the √π cancel
    return out


@functools.cache
def _Q_sympy(d, ell):
    """Q_ℓ from SymPy's Gegenbauer C_ℓ^{(ν)}, ν = (d−2)/2 (d ≥ 3), normalized at s = 1."""
    s = sp.Symbol("s")
    nu = sp.Rational(d - 2, 2)
    return sp.expand(sp.gegenbauer(ell, nu, s) / sp.gegenbauer(ell, nu, 1)), s


def _poly_eigen_exact(coefs, d, ell):
    """μ_{d,ℓ} = E[h(s) Q_ℓ(s)] for h = Σ a_k s^k, exact (SymPy Gegenbauer + Beta moments)."""
    Q, s = _Q_sympy(d, ell)
    prod = sp.Poly(sp.expand(sum(sp.Rational(a) * s**k for k, a in enumerate(coefs)) * Q), s)
    return sp.nsimplify(sum(c * _moment(d, k) for (k,), c in prod.terms()))


def _funk_hecke_quad(h, d, ell):
    """μ_{d,ℓ} by mpmath quadrature with mpmath's own Gegenbauer (d ≥ 3), current precision + guard."""
    with mpmath.workdps(mpmath.mp.dps + 20 + int(ell * math.log10(d))):
        nu = mpf(d - 2) / 2
        c1 = mpmath.gegenbauer(ell, nu, 1)
        w = mpf(d - 3) / 2
        r = 1 / mpmath.sqrt(d)
        pts = sorted({mpf(-1), mpf(1), mpf(0), *[sg * k * r for k in (1, 3) for sg in (-1, 1) if k * r < 1]})
        num = mpmath.quad(lambda s: h(s) * mpmath.gegenbauer(ell, nu, s) / c1 * (1 - s * s) ** w, pts)
        den = mpmath.beta(mpf(1) / 2, mpf(d - 1) / 2)
        return +(num / den)


# ---------------------------------------------------------------- B(d, ℓ)
@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_harmonic_count_brute_force(d):
    for ell in range(0, 7 if d <= 4 else 5):
        assert Kn.harmonic_count(d, ell) == _laplacian_kernel_dim(d, ell), (d, ell)


def test_harmonic_count_formulas():
    for d in (2, 3, 4, 7, 10, 101, 1000):
        assert Kn.harmonic_count(d, 0) == 1
        assert Kn.harmonic_count(d, 1) == d
        assert Kn.harmonic_count(d, 2) == d * (d + 1) // 2 - 1
        for ell in range(1, 25):
            # (2ℓ+d−2)/ℓ · C(ℓ+d−3, ℓ−1), exact in integers
            num = (2 * ell + d - 2) * math.comb(ell + d - 3, ell - 1)
            assert num % ell == 0
            assert Kn.harmonic_count(d, ell) == num // ell, (d, ell)
    for ell in range(1, 40):
        assert Kn.harmonic_count(2, ell) == 2  # cos ℓθ, sin ℓθ
        assert Kn.harmonic_count(3, ell) == 2 * ell + 1
        assert Kn.harmonic_count(4, ell) == (ell + 1) ** 2
    # B(d, ℓ) = d^ℓ/ℓ! (1 + O(1/d))
    for ell in (1, 2, 3, 4):
        rel = [abs(mpf(Kn.harmonic_count(d, ell) * math.factorial(ell)) / mpf(d) ** ell - 1) for d in (10**3, 10**4, 10**5)]
        if ell == 1:
            assert rel == [0, 0, 0]
        else:
            assert rel[0] < 10 / 10**3 and 8 < rel[0] / rel[1] < 12 and 8 < rel[1] / rel[2] < 12, (ell, rel)
    # multiplicity Result
    assert K.multiplicity(1000, 5).value == Kn.harmonic_count(1000, 5)
    big = K.multiplicity(10**6, 6)
    assert int(big.value) == Kn.harmonic_count(10**6, 6)


# ---------------------------------------------------------------- Q_ℓ
@pytest.mark.parametrize("d", [3, 5, 10, 30])
def test_gegenbauer_vs_scipy(d):
    s = np.linspace(-1, 1, 41)
    nu = (d - 2) / 2
    for ell in range(0, 13):
        ref = sc.eval_gegenbauer(ell, nu, s) / sc.eval_gegenbauer(ell, nu, 1.0)
        np.testing.assert_allclose(Kn.gegenbauer(d, ell, s), ref, rtol=1e-11, atol=1e-13)


def test_gegenbauer_special_dimensions():
    s = np.linspace(-1, 1, 33)
    for ell in range(0, 15):
        np.testing.assert_allclose(Kn.gegenbauer(2, ell, s), np.cos(ell * np.arccos(s)), atol=1e-12)  # Chebyshev T_ℓ
        np.testing.assert_allclose(Kn.gegenbauer(3, ell, s), sc.eval_legendre(ell, s), atol=1e-12)  # Legendre P_ℓ
    for d in (3, 17, 400):
        assert Kn.gegenbauer(d, 1, 0.3) == pytest.approx(0.3)
        # Q_2(t) = (t² − d)/(d(d−1)) with t = ds (theory note §3.1)
        t = d * 0.3
        assert Kn.gegenbauer(d, 2, 0.3) == pytest.approx((t * t - d) / (d * (d - 1)), rel=1e-13)


def test_gegenbauer_large_d_stable():
    """Large d, ℓ: the normalized recurrence against mpmath's C_ℓ^{(ν)} at 60 digits (pitfall 6)."""
    with mpmath.workdps(60):
        for d, ell, s in [(1000, 20, "0.03"), (5000, 12, "-0.011"), (200, 30, "0.9"), (10**5, 8, "0.001")]:
            nu = mpf(d - 2) / 2
            x = mpf(s)
            ref = mpmath.gegenbauer(ell, nu, x) / mpmath.gegenbauer(ell, nu, 1)
            assert ae(Kn.gegenbauer(d, ell, x), ref, 45), (d, ell)
    # float64 stays finite where the unnormalized C_ℓ^{(ν)}(1) overflows
    assert np.isfinite(Kn.gegenbauer(2000, 150, np.linspace(-1, 1, 11))).all()


@pytest.mark.parametrize("d", [3, 4, 7, 12])
def test_gegenbauer_symbolic_exact(d):
    s = Kn.S_VAR
    for ell in range(0, 9):
        Q = Kn.gegenbauer_symbolic(d, ell)
        ref, t = _Q_sympy(d, ell)
        assert sp.expand(Q - ref.subs(t, s)) == 0, (d, ell)
        assert Q.subs(s, 1) == 1
        for x in (sp.Rational(1, 3), sp.Rational(-5, 7)):
            v = Q.subs(s, x)
            with mpmath.workdps(50):
                assert abs(Kn.gegenbauer(d, ell, mpf(x.p) / x.q) - mpf(v.p) / v.q) < mpf(10) ** -45, (d, ell, x)
    # d = 2: Chebyshev
    for ell in range(0, 8):
        assert sp.expand(Kn.gegenbauer_symbolic(2, ell) - sp.chebyshevt(ell, s)) == 0


@pytest.mark.parametrize("d", [3, 8, 25])
def test_orthogonality_by_quadrature(d):
    """E[Q_k Q_ℓ] = δ_{kℓ}/B(d, ℓ) under the cosine law (quadrature of the library's recurrence)."""
    with mpmath.workdps(30):
        w = mpf(d - 3) / 2
        den = mpmath.beta(mpf(1) / 2, mpf(d - 1) / 2)
        r = 1 / mpmath.sqrt(d)
        pts = sorted({mpf(-1), mpf(1), mpf(0), *[sg * k * r for k in (1, 3) for sg in (-1, 1) if k * r < 1]})
        for k in range(0, 6):
            for ell in range(k, 6):
                val = mpmath.quad(lambda s: Kn.gegenbauer(d, k, s) * Kn.gegenbauer(d, ell, s) * (1 - s * s) ** w, pts) / den
                if k == ell:
                    assert ae(val, mpf(1) / Kn.harmonic_count(d, ell), 25), (d, k)
                else:
                    assert abs(val) < mpf(10) ** -25, (d, k, ell)


def test_sphere_moment_matches_beta_function():
    for d in (2, 3, 5, 40):
        for m in range(0, 12):
            assert Kn.sphere_moment(d, m) == _moment(d, m), (d, m)


# ---------------------------------------------------------------- eigenvalues: exp
@pytest.mark.parametrize("d,ell", [(3, 0), (3, 7), (3, 15), (4, 6), (10, 4), (10, 15), (200, 0), (200, 1), (200, 6), (200, 15)])
def test_exp_closed_form_vs_quadrature(d, ell):
    """Bessel closed form (named 'exp') against the library's quadrature route ('exp(s)', no closed form)."""
    assert Kn.get_kernel("exp(s)").closed is None
    a = K.eigenvalue(d, ell, "exp", dps=30).value
    b = K.eigenvalue(d, ell, "exp(s)", dps=30).value
    assert a > 0 and ae(a, b, 29)


@pytest.mark.parametrize("d,ell", [(3, 2), (5, 3), (10, 4), (50, 6), (200, 3)])
def test_exp_eigenvalue_vs_independent_quadrature(d, ell):
    with mpmath.workdps(30):
        ref = _funk_hecke_quad(mpmath.exp, d, ell)
    assert ae(K.eigenvalue(d, ell, "exp", dps=30).value, ref, 28)


def test_exp_eigenvalue_small_d_exact():
    with mpmath.workdps(40):
        # d = 3: e^s = Σ (2ℓ+1) i_ℓ(1) P_ℓ(s), μ_ℓ = i_ℓ(1) (modified spherical Bessel): i_0 = sinh 1, i_1 = 1/e
        assert ae(K.eigenvalue(3, 0, "exp", dps=35).value, mpmath.sinh(1), 34)
        assert ae(K.eigenvalue(3, 1, "exp", dps=35).value, mpmath.exp(-1), 34)
        assert ae(K.eigenvalue(3, 2, "exp", dps=35).value, mpmath.sinh(1) - 3 * mpmath.exp(-1), 34)  # i_2 = i_0 − 3 i_1
        for ell in range(0, 12):
            assert float(K.eigenvalue(3, ell, "exp").value) == pytest.approx(sc.spherical_in(ell, 1.0), rel=1e-13)
        # d = 2 (circle, singular weight): e^{cos θ} = Σ μ_ℓ B(2,ℓ) cos ℓθ, μ_ℓ = (1/π)∫_0^π e^{cos θ} cos ℓθ dθ
        for ell in (0, 1, 5, 12):
            ref = mpmath.quad(lambda t: mpmath.exp(mpmath.cos(t)) * mpmath.cos(ell * t), [0, mpmath.pi]) / mpmath.pi
            assert ae(K.eigenvalue(2, ell, "exp", dps=30).value, ref, 29)
            if ell in (0, 5):  # the quadrature route with the singular weight (1 − s²)^{−1/2}
                assert ae(K.eigenvalue(2, ell, "exp(s)", dps=25).value, ref, 24)


def test_exp_c_scaling():
    """exp:c: closed form vs quadrature of exp(c s); c = 1/2 and c = 3."""
    for c, text in [("1/2", "exp(s/2)"), ("3", "exp(3*s)")]:
        for d, ell in [(5, 2), (40, 3)]:
            a = K.eigenvalue(d, ell, f"exp:{c}", dps=25).value
            b = K.eigenvalue(d, ell, text, dps=25).value
            assert ae(a, b, 24), (c, d, ell)


# ---------------------------------------------------------------- eigenvalues: polynomials
@pytest.mark.parametrize(
    "spec,coefs", [("poly:3", [1, 3, 3, 1]), ("coef:1,1,1/2", [1, 1, sp.Rational(1, 2)]), ("coef:0,0,0,0,2", [0, 0, 0, 0, 2])]
)
@pytest.mark.parametrize("d", [3, 6, 40])
def test_polynomial_eigenvalues_exact(spec, coefs, d):
    ker = Kn.get_kernel(spec)
    assert ker.is_polynomial
    deg = len(coefs) - 1
    with mpmath.workdps(50):
        for ell in range(0, deg + 3):
            ref = _poly_eigen_exact(coefs, d, ell)
            val, err = ker.eigenvalue(d, ell)
            assert err == 0
            assert ae(val, mpf(ref.p) / ref.q, 48) if ref != 0 else val == 0, (spec, d, ell)
            if ell > deg:
                assert ref == 0 and val == 0
        if d != 6:
            return
        # an independent mpmath quadrature of the same polynomial (levels 0..deg)
        with mpmath.workdps(30):
            for ell in range(0, deg + 1):
                q = _funk_hecke_quad(
                    lambda s: sum(mpf(sp.Rational(a).p) / sp.Rational(a).q * s**k for k, a in enumerate(coefs)), d, ell
                )
                ref = _poly_eigen_exact(coefs, d, ell)
                assert abs(q - mpf(ref.p) / ref.q) <= mpf(10) ** -27 * (1 + abs(q))


def test_linear_kernel_eigenvalues():
    # h(s) = s: μ_1 = E s² = 1/d, all other levels 0
    for d in (2, 3, 17):
        assert ae(K.eigenvalue(d, 1, "coef:0,1").value, mpf(1) / d, 29)
        for ell in (0, 2, 3):
            assert K.eigenvalue(d, ell, "coef:0,1").value == 0


# ---------------------------------------------------------------- trace identity and d → ∞ scaling
@pytest.mark.parametrize("d", [3, 10, 100])
def test_trace_identity_exp(d):
    with mpmath.workdps(40):
        ker = Kn.get_kernel("exp")
        total = mpmath.fsum(Kn.harmonic_count(d, ell) * ker.eigenvalue(d, ell)[0] for ell in range(0, 60))
        assert ae(total, mpmath.e, 38)
        assert ae(ker.h1(), mpmath.e, 38)


@pytest.mark.slow
def test_trace_identity_quadrature():
    with mpmath.workdps(20):
        ker = Kn.get_kernel("exp(s)")
        total = mpmath.fsum(Kn.harmonic_count(5, ell) * ker.eigenvalue(5, ell)[0] for ell in range(0, 26))
        assert ae(total, mpmath.e, 18)


def test_trace_identity_polynomial():
    ker = Kn.get_kernel("poly:4")
    with mpmath.workdps(40):
        for d in (3, 7, 50):
            total = mpmath.fsum(Kn.harmonic_count(d, ell) * ker.eigenvalue(d, ell)[0] for ell in range(0, 7))
            assert ae(total, 16, 38)  # (1 + 1)^4


def test_d_to_infinity_scaling():
    """d^ℓ μ_{d,ℓ} → h^{(ℓ)}(0) with an O(1/d) error; B(d,ℓ) μ_{d,ℓ} → ξ_ℓ."""
    with mpmath.workdps(40):
        exp = Kn.get_kernel("exp")
        poly = Kn.get_kernel("coef:1,2,3,4")  # h'(0) = 2, h''(0) = 6, h'''(0) = 24
        for ker, derivs in [(exp, [1, 1, 1, 1]), (poly, [1, 2, 6, 24])]:
            for ell in (1, 2, 3):
                errs = []
                for d in (10**3, 10**4, 10**5):
                    mu = ker.eigenvalue(d, ell)[0]
                    errs.append(abs(mpf(d) ** ell * mu - derivs[ell]))
                    assert ae(Kn.harmonic_count(d, ell) * mu, mpf(derivs[ell]) / math.factorial(ell), 1)
                assert errs[0] < 1 and 6 < errs[0] / errs[1] < 14 and 6 < errs[1] / errs[2] < 14, (ker.name, ell, errs)


# ---------------------------------------------------------------- ξ_ℓ
def test_xi_taylor_coefficients():
    with mpmath.workdps(40):
        for ell in range(0, 9):
            assert ae(K.xi(ell, "exp", dps=35).value, mpf(1) / math.factorial(ell), 34)
            assert ae(K.xi(ell, "exp:1/2", dps=35).value, mpf(1) / (2**ell * math.factorial(ell)), 34)
            for k in (2, 5):
                assert K.xi(ell, f"poly:{k}").value == math.comb(k, ell)
        assert K.xi(2, "coef:1,1,3/4").value == mpf(3) / 4
        # Σ ξ_ℓ = h(1)
        assert ae(mpmath.fsum(K.xi(ell, "exp", dps=25).value for ell in range(25)), mpmath.e, 24)


def test_xi_relu_kernels():
    """Derived by hand: π − arccos s = π/2 + arcsin s, so
    relu_nngp = (√(1−s²) + πs/2 + s·arcsin s)/(2π) and relu_ntk = relu_nngp + s/4 + s·arcsin s/(2π);
    √(1−s²) = 1 − s²/2 − s⁴/8 − …, s·arcsin s = s² + s⁴/6 + …; the odd part is s/4 (nngp), s/2 (ntk)."""
    pi = mpmath.pi
    with mpmath.workdps(40):
        ntk = [1 / (2 * pi), mpf(1) / 2, 3 / (4 * pi), 0, 5 / (48 * pi), 0, None, 0, None, 0]
        nngp = [1 / (2 * pi), mpf(1) / 4, 1 / (4 * pi), 0, 1 / (48 * pi), 0, None, 0]
        for name, ref in [("relu_ntk", ntk), ("relu_nngp", nngp)]:
            for ell, v in enumerate(ref):
                if v is None:
                    continue
                got = K.xi(ell, name, dps=35).value
                assert (got == 0) if v == 0 else ae(got, v, 34), (name, ell)
            assert ae(Kn.get_kernel(name).h1(), 1 if name == "relu_ntk" else mpf(1) / 2, 38)


def test_relu_low_levels():
    """μ_1 from the odd part only: relu_ntk μ_1 = E[s²/2] = 1/(2d), relu_nngp 1/(4d); μ_0 at d = 3 by hand:
    ∫_{-1}^1 √(1−s²) = π/2, ∫ s·arcsin s = π/4, so μ_0 = (1/2)(3/8) = 3/16 (nngp), 1/4 (ntk)."""
    for d in (3, 10):
        assert ae(K.eigenvalue(d, 1, "relu_ntk", dps=20).value, mpf(1) / (2 * d), 19)
        assert ae(K.eigenvalue(d, 1, "relu_nngp", dps=20).value, mpf(1) / (4 * d), 19)
    assert ae(K.eigenvalue(3, 0, "relu_nngp", dps=20).value, mpf(3) / 16, 19)
    assert ae(K.eigenvalue(3, 0, "relu_ntk", dps=20).value, mpf(1) / 4, 19)
    # an even level against an independent quadrature (mpmath Legendre at d = 3)
    with mpmath.workdps(20):
        h = Kn.get_kernel("relu_ntk").mp
        ref = mpmath.quad(lambda s: h(s) * mpmath.legendre(2, s), [-1, 0, 1]) / 2
    assert ae(K.eigenvalue(3, 2, "relu_ntk", dps=20).value, ref, 18)
    assert K.eigenvalue(3, 3, "relu_ntk", dps=20).value == 0


def test_relu_odd_levels_vanish():
    # odd parts: s/4 (relu_nngp) and s/2 (relu_ntk), so μ_{d,1} = E[s²]/4 = 1/(4d) and 1/(2d), odd levels ≥ 3 vanish
    for d, ell in [(3, 5), (10, 3), (10, 5), (50, 3)]:
        assert K.eigenvalue(d, ell, "relu_ntk", dps=20).value == 0, (d, ell)
        assert K.eigenvalue(d, ell, "relu_nngp", dps=20).value == 0, (d, ell)
    for d in (3, 10, 50):
        with mpmath.workdps(40):
            assert abs(K.eigenvalue(d, 1, "relu_ntk", dps=30).value * 2 * d - 1) < mpf(10) ** -29
            assert abs(K.eigenvalue(d, 1, "relu_nngp", dps=30).value * 4 * d - 1) < mpf(10) ** -29
    assert Kn.get_kernel("exp").parity_part(1) == (sp.sinh(Kn.S_VAR), None)


def _relu_theta(name, t):
    """The ReLU kernels as functions of the angle θ (s = cos θ), written here: analytic in θ, unlike in s."""
    nngp = (mpmath.sin(t) + (mpmath.pi - t) * mpmath.cos(t)) / (2 * mpmath.pi)
    return nngp if name == "relu_nngp" else nngp + mpmath.cos(t) * (mpmath.pi - t) / (2 * mpmath.pi)


def _theta_eigenvalue(name, d, ell):
    """μ_{d,ℓ} by tanh–sinh quadrature in θ against the density ∝ sin^{d−2}θ, with mpmath's Gegenbauer
    C_ℓ^{(d−2)/2} normalized at 1 (Chebyshev T_ℓ at d = 2)."""
    nu = mpf(d - 2) / 2

    def q(t):
        if d == 2:
            return mpmath.chebyt(ell, mpmath.cos(t))
        return mpmath.gegenbauer(ell, nu, mpmath.cos(t)) / mpmath.gegenbauer(ell, nu, 1)

    pts = [0, mpmath.pi / 2, mpmath.pi]
    num = mpmath.quad(lambda t: _relu_theta(name, t) * q(t) * mpmath.sin(t) ** (d - 2), pts)
    return num / mpmath.quad(lambda t: mpmath.sin(t) ** (d - 2), pts)


@pytest.mark.parametrize("name", ["relu_nngp", "relu_ntk"])
def test_relu_closed_form_eigenvalues(name):
    """The closed forms (Rodrigues + Funk–Hecke, ``Kn._relu_coefficients``) against quadrature in the angle,
    where the kernels are analytic (in s they have √(1−s²) singularities), for d = 2 (the circle) to 101."""
    assert Kn.get_kernel(name).closed is not None
    for d in (2, 3, 7, 101):
        for ell in (0, 1, 2, 3, 4, 6, 8):
            got = K.eigenvalue(d, ell, name, dps=30).value
            with mpmath.workdps(40):
                ref = _theta_eigenvalue(name, d, ell)
            if ell % 2 == 1 and ell >= 3:
                assert got == 0 and abs(ref) < mpf(10) ** -35, (name, d, ell)
            else:
                assert ae(got, ref, 29), (name, d, ell, got, ref)


def test_relu_closed_form_large_d_limit():
    """B(d, ℓ)μ_{d,ℓ} → ξ_ℓ = h^{(ℓ)}(0)/ℓ! (Taylor coefficients from SymPy's series) with an O(1/d) error."""
    d = 10**6
    for name in ("relu_nngp", "relu_ntk"):
        for ell in (0, 1, 2, 4, 6):
            bmu = Kn.harmonic_count(d, ell) * K.eigenvalue(d, ell, name, dps=20).value
            xi = K.xi(ell, name, dps=20).value
            assert abs(bmu / xi - 1) < mpf(20) / d, (name, ell)


def test_domain_objects():
    """One object per domain: the ``domain=`` text maps onto it, and its multiplicities and second moment
    obey identities checked here (Σ_ℓ C(d, ℓ) = 2^d; Parseval E h² = Σ_ℓ C(d, ℓ)μ_ℓ²)."""
    assert Kn.get_domain("sphere") is Kn.SPHERE and Kn.get_domain(" Hypercube ") is Kn.HYPERCUBE
    assert Kn.get_domain(Kn.SPHERE) is Kn.SPHERE and repr(Kn.HYPERCUBE) == "Domain('hypercube')"
    with pytest.raises(ParameterError, match="domain"):
        Kn.get_domain("torus")
    assert sum(Kn.HYPERCUBE.multiplicity(9, ell) for ell in range(10)) == 2**9
    assert Kn.SPHERE.multiplicity(5, 3) == _laplacian_kernel_dim(5, 3) == Kn.multiplicity(5, 3, Kn.SPHERE)
    assert Kn.HYPERCUBE.last_level(9) == 9 and Kn.SPHERE.last_level(9) is None
    assert Kn.SPHERE.space(4) == "S^3" and Kn.HYPERCUBE.space(4) == "{-1,1}^4"
    for kernel in ("exp:1/2", "relu_ntk", "exp(s)"):
        ker = Kn.get_kernel(kernel)
        with mpmath.workdps(30):
            parseval = mpmath.fsum(math.comb(9, ell) * Kn.HYPERCUBE.eigenvalue(ker, 9, ell)[0] ** 2 for ell in range(10))
            assert ae(Kn.HYPERCUBE.second_moment(ker, 9), parseval, 27), kernel
            assert Kn.HYPERCUBE.eigenvalue(ker, 9, 2)[0] == ker.eigenvalue(9, 2, "hypercube")[0] == ker.cube_eigenvalue(9, 2)[0]
            assert Kn.SPHERE.eigenvalue(ker, 4, 2)[0] == ker.eigenvalue(4, 2)[0]


def test_closed_forms_are_cached_across_precisions():
    """A closed form is evaluated once for both rungs of a precision ladder (computed at the precision
    rounded up, returned rounded to the current one) and again only for a finer precision."""
    calls = []

    def closed(d, ell):
        calls.append(mpmath.mp.prec)
        return mpmath.besseli(mpf(d) / 2 - 1 + ell, 1) * mpmath.gamma(mpf(d) / 2) * 2 ** (mpf(d) / 2 - 1)

    ker = Kn.Kernel("counted", None, mpmath.exp, np.exp, closed)
    with mpmath.workdps(40):
        a = ker.eigenvalue(10, 3)[0]
        fresh = closed(10, 3)
    with mpmath.workdps(50):
        b = ker.eigenvalue(10, 3)[0]
    assert len(calls) == 2  # the fresh reference above, and one cached evaluation for dps 40 and 50
    with mpmath.workdps(200):
        ker.eigenvalue(10, 3)
    assert len(calls) == 3
    with mpmath.workdps(40):
        assert abs(a - fresh) <= 2 * mpmath.eps * abs(fresh) and ae(b, a, 39)
        assert ker.eigenvalue(10, 3)[0] == a and len(calls) == 3


# ---------------------------------------------------------------- parsing and errors
def test_named_kernels_and_expressions():
    assert Kn.get_kernel("exp").name == "exp"
    assert Kn.get_kernel(" EXP ").name == "exp"
    assert Kn.get_kernel("exp:2").name == "exp:2"
    assert Kn.get_kernel("exp:1").name == "exp"
    assert Kn.get_kernel("poly:3").expr == (1 + Kn.S_VAR) ** 3
    assert sp.expand(Kn.get_kernel("coef:1,0.5,0.25").expr - (1 + Kn.S_VAR / 2 + Kn.S_VAR**2 / 4)) == 0  # decimal, exact
    assert Kn.get_kernel("arccos1").name == "relu_nngp"
    ker = Kn.get_kernel(sp.exp(sp.Symbol("s") / 2))
    assert ker.expr == sp.exp(Kn.S_VAR / 2)
    assert Kn.get_kernel(ker) is ker
    assert float(Kn.get_kernel("relu_ntk").np(np.array([1.0]))[0]) == pytest.approx(1.0)
    with mpmath.workdps(30):
        assert ae(Kn.get_kernel("exp:3").mp(mpf("0.5")), mpmath.exp(mpf("1.5")), 29)


@pytest.mark.parametrize(
    "spec",
    [
        "nope",
        "exp:-1",
        "exp:0",
        "exp:x",
        "poly:x",
        "poly:-1",
        "poly:51",
        "poly:1.5",
        "coef:1,-1",
        "coef:",
        "coef:a",
        "s + t",
        "",
        "   ",
        123,
        None,
        "((",
    ],
)
def test_bad_kernel_names(spec):
    with pytest.raises(ParameterError):
        Kn.get_kernel(spec)


def test_non_psd_kernel():
    # h(s) = s³ − s: μ_1 = E s⁴ − E s² = 3/(d(d+2)) − 1/d < 0 (exact route), so the DE refuses it
    assert ae(K.eigenvalue(10, 1, "s**3 - s", dps=30).value, mpf(3) / 120 - mpf(1) / 10, 29)
    with pytest.raises(ParameterError, match="positive semi-definite"):
        K.risk(10, 20, "s**3 - s")
    with pytest.raises(ParameterError, match="negative Taylor"):
        K.risk_asymptotic(1, 1, "s**3 - s")


def test_kernel_domain_errors():
    with pytest.raises(ParameterError, match="not real"):
        K.eigenvalue(5, 0, "sqrt(s)", dps=15)
    with pytest.raises(ParameterError, match="Taylor"):
        Kn.Kernel("callable", None, lambda s: s, lambda s: s).xi(1)


# ---------------------------------------------------------------- issue 13: every request ends quickly
@pytest.mark.parametrize("kernel", ["exp(1000*s)", "exp(exp(s))", "1/(1.0000001-s)", "exp:1000", "exp:1e50"])
def test_krr_text_kernel_ends_quickly_or_with_named_error(kernel):
    import time

    from asymptotics.errors import ConvergenceError, ParameterError
    from asymptotics.models import get_model

    start = time.monotonic()
    try:
        r = get_model("krr").quantity("risk").certified(d=10, n=50, lam="0.01", kernel=kernel)
    except (ConvergenceError, ParameterError) as exc:
        assert "\n" not in str(exc)
    else:
        assert 0 < float(r.value if hasattr(r, "value") else r) < 10
    assert time.monotonic() - start < 30


def test_quadrature_budget_raises_convergence_error():
    from asymptotics.errors import ConvergenceError
    from asymptotics.kernels import get_kernel, quadrature_budget

    k = get_kernel("exp(999*s)")  # not used by another test: its eigenvalues are not cached yet
    with pytest.raises(ConvergenceError, match="budget"), quadrature_budget(0.0):
        k.eigenvalue(10, 3)
