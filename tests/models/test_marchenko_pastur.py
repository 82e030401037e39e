"""Marchenko–Pastur: golden values from closed forms derived here, quadrature routes,
branch properties, precision ladder, float64 = mp, bad input."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import marchenko_pastur as M

from ._helpers import ae

mp = mpmath.mp


# ---------------------------------------------------------------- golden values
def test_stieltjes_negative_axis_closed_form():
    # gamma=1/2, z=-1: -m²/2 - 3m/2 + 1 = 0 -> m = (sqrt(17) - 3)/2 (the positive root)
    r = M.stieltjes(-1, "0.5", dps=50)
    with mp.workdps(60):
        assert ae(r.value, (mpmath.sqrt(17) - 3) / 2, 49)


def test_stieltjes_hard_edge_gamma_one():
    # gamma=1: lam m² + lam m - 1 = 0 at z = -lam
    lam = mpmath.mpf("1e-8")
    r = M.stieltjes("-1e-8", 1, dps=40)
    with mp.workdps(60):
        lam = mpmath.mpf("1e-8")
        ref = (-lam + mpmath.sqrt(lam**2 + 4 * lam)) / (2 * lam)
        assert ae(r.value, ref, 39)
    assert str(M.stieltjes("-1e-8", 1, dps=30)) == "9999.50001249999999218750000977"  # theory note §5.4


def test_stieltjes_complex_exact_point():
    # gamma=1/4, sigma2=2, z=1+i/2: m = 2/5 + 4i/5 solves the quadratic exactly (checked by hand)
    r = M.stieltjes("1+0.5j", "0.25", 2, dps=40)
    assert ae(r.value.real, mpmath.mpf(2) / 5, 39) and ae(r.value.imag, mpmath.mpf(4) / 5, 39)


def test_companion_relation_and_value():
    # gamma=2, z=-1: companion quadratic -m² + (-1 - 1) m + 1 = 0 -> m = sqrt(2) - 1
    r = M.companion(-1, 2, dps=40)
    with mp.workdps(50):
        assert ae(r.value, mpmath.sqrt(2) - 1, 39)
        z = mpmath.mpc("0.3", "0.7")
        m = M.stieltjes("0.3+0.7j", "0.6", dps=45).value
        mt = M.companion("0.3+0.7j", "0.6", dps=45).value
        assert abs(mt - (mpmath.mpf("0.6") * m - (1 - mpmath.mpf("0.6")) / z)) < mpmath.mpf(10) ** -43


@pytest.mark.parametrize("gamma,sigma2", [("0.5", 1), (2, "0.5"), (1, 3)])
def test_edges(gamma, sigma2):
    a, b = M.edges(gamma, sigma2, dps=40).value
    with mp.workdps(50):
        g, s2 = mpmath.mpf(gamma), mpmath.mpf(sigma2)
        assert ae(b, s2 * (1 + mpmath.sqrt(g)) ** 2, 39)
        assert abs(a - s2 * (1 - mpmath.sqrt(g)) ** 2) <= mpmath.mpf(10) ** -38 * b


@pytest.mark.parametrize(
    "k,expected",
    [
        (0, lambda g: 1),
        (1, lambda g: 1),
        (2, lambda g: 1 + g),
        (3, lambda g: 1 + 3 * g + g**2),
        (4, lambda g: 1 + 6 * g + 6 * g**2 + g**3),
    ],
)
@pytest.mark.parametrize("gamma", [Fraction(1, 2), Fraction(3), Fraction(7, 10)])
def test_moments_narayana(k, expected, gamma):
    s2 = Fraction(3, 2)
    assert M.moment_exact(k, gamma, s2) == s2**k * expected(gamma)
    r = M.moment(k, str(float(gamma)), "1.5", dps=50)
    with mp.workdps(60):
        assert ae(r.value, mpmath.mpf((s2**k * expected(gamma)).numerator) / (s2**k * expected(gamma)).denominator, 49)


@pytest.mark.parametrize("gamma", ["0.3", "2", "1"])
def test_moments_against_quadrature(gamma):
    with mp.workdps(30):
        g = mpmath.mpf(gamma)
        a, b = (1 - mpmath.sqrt(g)) ** 2, (1 + mpmath.sqrt(g)) ** 2
        for k in (1, 2, 3, 5):
            # substitution x = (a+b)/2 + (b-a)/2 sin t makes the integrand smooth
            def f(t, k=k):
                x = (a + b) / 2 + (b - a) / 2 * mpmath.sin(t)
                return x ** (k - 1) * ((b - a) / 2 * mpmath.cos(t)) ** 2 / (2 * mpmath.pi * g)

            quad = mpmath.quad(f, [-mpmath.pi / 2, mpmath.pi / 2])
            assert ae(M.moment(k, gamma, dps=25).value, quad, 22)


@pytest.mark.parametrize("gamma,sigma2", [("0.7", 1), ("2", "0.5"), ("1", 1), ("0.25", 2)])
def test_cdf_against_quadrature_of_density(gamma, sigma2):
    with mp.workdps(40):
        g, s2 = mpmath.mpf(gamma), mpmath.mpf(sigma2)
        a, b = s2 * (1 - mpmath.sqrt(g)) ** 2, s2 * (1 + mpmath.sqrt(g)) ** 2
        atom = max(1 - 1 / g, 0)
        for frac in ("0.1", "0.5", "0.93"):
            x = a + (b - a) * mpmath.mpf(frac)
            # integrate the density in the angle variable (smooth integrand)
            t1 = mpmath.asin((2 * x - a - b) / (b - a))

            def f(t):
                u = (a + b) / 2 + (b - a) / 2 * mpmath.sin(t)
                if a == 0:  # cos² t / (1 + sin t) = 1 - sin t: no 0/0 at the hard edge
                    return (b / 2) * (1 - mpmath.sin(t)) / (2 * mpmath.pi * s2 * g)
                return ((b - a) / 2 * mpmath.cos(t)) ** 2 / (2 * mpmath.pi * s2 * g * u)

            ref = atom + mpmath.quad(f, [-mpmath.pi / 2, t1])
            xs = mpmath.nstr(x, 45)
            assert ae(M.cdf(xs, gamma, sigma2, dps=30).value, ref, 28)


def test_cdf_atoms_and_limits():
    assert M.cdf(-1, 2).value == 0
    assert ae(M.cdf(0, 2, dps=30).value, mpmath.mpf("0.5"), 29)  # atom 1 - 1/gamma
    assert M.cdf(0, "0.5").value == 0
    assert M.cdf(100, 3).value == 1
    assert M.cdf("1e-30", 1).value > 0


def test_density_integrates_to_continuous_mass_and_matches_stieltjes():
    with mp.workdps(30):
        for gamma in ("0.5", "3"):
            g = mpmath.mpf(gamma)
            a, b = (1 - mpmath.sqrt(g)) ** 2, (1 + mpmath.sqrt(g)) ** 2
            total = mpmath.quad(lambda x: M.density(mpmath.nstr(x, 30), gamma, dps=20).value, [a, (a + b) / 2, b])
            assert ae(total, min(1, 1 / g), 8)
    # density = Im m(x + i0) / pi (the Stieltjes inversion), eta -> 0 at high precision
    d = M.density("1.2", "0.7", dps=30).value
    m = M.stieltjes("1.2+1e-40j", "0.7", dps=30).value
    assert ae(d, m.imag / mpmath.pi, 25)
    assert M.density(0, 1).value == mpmath.inf
    assert M.density(5, "0.5").value == 0


# ---------------------------------------------------------------- branch properties
finite = st.floats(min_value=-20, max_value=20, allow_nan=False)
gammas = st.floats(min_value=0.05, max_value=20, allow_nan=False)


@given(gammas, finite, st.floats(min_value=1e-6, max_value=20))
@example(0.5, -1.0, 1e-6)
@example(2.0, 0.2, 0.01)  # the single-square-root formula gives Im m < 0 here
def test_herglotz_and_stieltjes_bound(gamma, re, im):
    z = complex(re, im)
    m = M.stieltjes(z, gamma, dps=20).value
    assert m.imag > 0
    with mp.workdps(30):
        g = mpmath.mpf(gamma)
        a, b = (1 - mpmath.sqrt(g)) ** 2, (1 + mpmath.sqrt(g)) ** 2
        dist = mpmath.mpf(im) if a <= re <= b else abs(mpmath.mpc(min(abs(re - a), abs(re - b)), im))
        if g > 1:
            dist = min(dist, abs(mpmath.mpc(re, im)))
        assert abs(m) <= 1 / dist * (1 + mpmath.mpf(10) ** -15)
    m_conj = M.stieltjes(z.conjugate(), gamma, dps=20).value
    assert abs(m_conj - mpmath.conj(m)) < 1e-18 * abs(m)


@given(gammas, st.floats(min_value=1e-3, max_value=1e3))
def test_negative_axis_positive_and_decreasing(gamma, lam):
    m1 = M.stieltjes(-lam, gamma, dps=20).value
    m2 = M.stieltjes(-2 * lam, gamma, dps=20).value
    assert m1 > m2 > 0


def test_asymptotics_at_infinity():
    for gamma in ("0.3", "4"):
        z = "1e20+3e19j"
        m = M.stieltjes(z, gamma, dps=30).value
        with mp.workdps(40):
            assert abs(-mpmath.mpc(1e20, 3e19) * m - 1) < 1e-18


@pytest.mark.parametrize("z", ["-1", "0.2+0.01j", "7", "1+1e-12j"])
def test_precision_ladder(z):
    vals = [M.stieltjes(z, "2", dps=d).value for d in (15, 30, 60, 120)]
    for lo_dps, lo, hi in zip((15, 30, 60), vals, vals[1:]):
        with mp.workdps(130):
            assert abs(lo - hi) <= mpmath.mpf(10) ** (-(lo_dps - 1)) * abs(hi)


@pytest.mark.parametrize(
    "zs,parts",
    [
        ("-0.5+0.3j", ("-0.5", "0.3")),
        ("0.05", ("0.05", "0")),
        ("9", ("9", "0")),
        ("-0.3", ("-0.3", "0")),
        ("0.1-2j", ("0.1", "-2")),
    ],
)  # z = 0.05 lies in the gap between the atom at 0 and a = 0.536
def test_stieltjes_against_density_quadrature(zs, parts):
    with mp.workdps(30):
        gamma = mpmath.mpf(3)
        z = mpmath.mpc(*parts)
        a, b = (1 - mpmath.sqrt(gamma)) ** 2, (1 + mpmath.sqrt(gamma)) ** 2

        def f(t):
            x = (a + b) / 2 + (b - a) / 2 * mpmath.sin(t)
            return ((b - a) / 2 * mpmath.cos(t)) ** 2 / (2 * mpmath.pi * gamma * x) / (x - z)

        ref = mpmath.quad(f, [-mpmath.pi / 2, mpmath.pi / 2]) + (1 - 1 / gamma) / (0 - z)
        assert abs(M.stieltjes(zs, 3, dps=25).value - ref) < 1e-22 * abs(ref)


def test_residual_reported_and_small():
    r = M.stieltjes("0.4+0.2j", "0.5", dps=50)
    assert r.residual is not None and r.residual < mpmath.mpf(10) ** -55
    assert r.branch and "sqrt(z-a) sqrt(z-b)" in r.branch
    assert r.params == {"z": "0.4+0.2j", "gamma": "0.5", "sigma2": "1"}


# ---------------------------------------------------------------- float64 path
def test_float64_curves_match_mp():
    xs = np.linspace(0.01, 4.5, 37)
    for gamma in (0.5, 1.0, 2.5):
        d, sd = M.density_curve(xs, gamma)
        c, sc = M.cdf_curve(xs, gamma)
        for i, x in enumerate(xs):
            assert d[i] == pytest.approx(float(M.density(float(x), gamma, dps=20).value), rel=1e-10, abs=1e-12)
            assert c[i] == pytest.approx(float(M.cdf(float(x), gamma, dps=20).value), rel=1e-9, abs=1e-11)
        assert (sd == 0).all() and (sc == 0).all()
    zs = np.array([-3, -0.01, 0.1 + 0.2j, 1 + 1e-3j, 5 - 2j, 9])
    m, st_ = M.stieltjes_curve(zs, 2.0)
    for i, z in enumerate(zs):
        assert complex(m[i]) == pytest.approx(complex(M.stieltjes(complex(z), 2, dps=20).value), rel=1e-11)


def test_float64_curves_flag_support_and_bad_points():
    m, status = M.stieltjes_curve(np.array([1.0 + 0j, 0.0, -1.0]), 2.0)
    assert list(status) == [2, 2, 0] and np.isnan(m[:2]).all()
    d, status = M.density_curve(np.array([0.0, 1.0]), 1.0)
    assert status[0] == 1 and np.isinf(d[0])
    d, status = M.density_curve(1.0, -1.0)
    assert status == 2 and np.isnan(d)


def test_vectorized_equals_pointwise_shapes():
    x = np.linspace(0.1, 3, 12).reshape(3, 4)
    v, s = M.cdf_curve(x, 0.8)
    assert v.shape == (3, 4) and s.dtype.kind == "i"
    for idx in np.ndindex(3, 4):
        assert v[idx] == M.cdf_curve(x[idx], 0.8)[0]


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: M.stieltjes(-1, -0.5), "gamma"),
        (lambda: M.stieltjes(-1, float("nan")), "gamma"),
        (lambda: M.stieltjes(-1, 1, 0), "sigma2"),
        (lambda: M.stieltjes("1.5", "0.5"), "z"),
        (lambda: M.stieltjes(0, 2), "z"),
        (lambda: M.stieltjes("abc", 2), "z"),
        (lambda: M.density("x", 2), "x"),
        (lambda: M.cdf(float("inf"), 2), "x"),
        (lambda: M.moment(-1, 2), "k"),
        (lambda: M.moment("1.5", 2), "k"),
        (lambda: M.edges("inf"), "gamma"),
        (lambda: M.edges(1, dps=0), "dps"),
        (lambda: M.companion(0, "0.5"), "z"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
