"""Marchenko–Pastur: golden values from closed forms derived here, quadrature routes,
branch properties, precision ladder, float64 = mp, bad input."""

import time
from decimal import Decimal
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
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


# ---------------------------------------------------------------- issue 13: float64 near the edges, bounded work
# Float64 contract: status 0 means relative error ≤ 1e-6 against the exact value at the same float
# inputs (read exactly: Fraction(float) is the binary value); otherwise NaN with status 3.
def _exact_edges(g, s2):
    g, s2 = mpmath.mpf(Fraction(g).numerator) / Fraction(g).denominator, mpmath.mpf(s2)
    return s2 * (1 - mpmath.sqrt(g)) ** 2, s2 * (1 + mpmath.sqrt(g)) ** 2


def _near_a(g, s2, u):
    """The float just above a·(1 + 10^-u) (above the exact edge a) and the exact d = x − a."""
    a, _ = _exact_edges(g, s2)
    x = float(a * (1 + mpmath.mpf(10) ** -u))
    while mpmath.mpf(x) <= a:
        x = float(np.nextafter(x, np.inf))
    return x, mpmath.mpf(x) - a


@pytest.mark.parametrize("g", [0.25, 0.5, 0.7, 1 + 2.0**-50, 1e-4])
@pytest.mark.parametrize("s2", [1.0, 0.3])
@pytest.mark.parametrize("u", [2.5, 4, 6, 8, 10, 12, 13, 14, 15])
def test_cdf_and_density_near_lower_edge_golden(g, s2, u):
    # Near a > 0: rho(x) = C sqrt(d) (1 - kappa d + O(d^2)), d = x - a, with C = sqrt(b-a)/(2 pi s2 g a) and
    # kappa = 1/(2(b-a)) + 1/a (expand sqrt(b - x) and 1/x about a); integrating,
    # F(x) = (2/3) C d^{3/2} (1 - (3/5) kappa d + O(d^2)).  Issue 13: the float cdf gave -1.6e-9 at
    # gamma = 1/4, x = a(1 + 1e-15) (truth 1.1e-23), the float density a relative error 4e-4 at 1e-12.
    with mp.workdps(50):
        x, d = _near_a(g, s2, u)
        a, b = _exact_edges(g, s2)
        C = mpmath.sqrt(b - a) / (2 * mpmath.pi * s2 * mpmath.mpf(g) * a)
        kappa = 1 / (2 * (b - a)) + 1 / a
        rho = C * mpmath.sqrt(d) * (1 - kappa * d)
        F = 2 * C * d**1.5 / 3 * (1 - 3 * kappa * d / 5) + max(0, 1 - 1 / mpmath.mpf(g))  # + the atom
        remainder = (kappa * d) ** 2 * 10  # generous bound on the neglected O(d^2) terms
    tol = 1e-6 + float(remainder)
    dv, ds = M.density_curve(x, g, s2)
    cv, cs = M.cdf_curve(x, g, s2)
    assert ds == 0 and cs == 0
    assert abs(dv / float(rho) - 1) <= tol
    assert abs(cv / float(F) - 1) <= tol


@pytest.mark.parametrize("g", [0.25, 0.5, 2.0, 1e4])
@pytest.mark.parametrize("u", [4, 8, 12, 15])
def test_density_near_upper_edge_golden(g, u):
    # Near b: rho(x) = C_b sqrt(e) (1 - kappa_b e + O(e^2)), e = b - x, C_b = sqrt(b-a)/(2 pi g b),
    # kappa_b = 1/(2(b-a)) - 1/b; the cdf there is 1 - (2/3) C_b e^{3/2}(...) = 1 to float precision.
    with mp.workdps(50):
        a, b = _exact_edges(g, 1)
        x = float(b * (1 - mpmath.mpf(10) ** -u))
        while mpmath.mpf(x) >= b:
            x = float(np.nextafter(x, -np.inf))
        e = b - mpmath.mpf(x)
        Cb = mpmath.sqrt(b - a) / (2 * mpmath.pi * g * b)
        rho = Cb * mpmath.sqrt(e) * (1 - (1 / (2 * (b - a)) - 1 / b) * e)
        tail = 2 * Cb * e**1.5 / 3
    dv, ds = M.density_curve(x, g)
    cv, cs = M.cdf_curve(x, g)
    assert ds == 0 and abs(dv / float(rho) - 1) <= 1e-6 + 1e-7 * (u < 6)
    assert cs == 0 and abs(cv - float(1 - tail)) <= 1e-6 * float(1 - tail) and cv <= 1


@pytest.mark.parametrize("x", [1e-300, 1e-200, 1e-100, 1e-30, 1e-16, 1e-8, 1e-5])
@pytest.mark.parametrize("s2", [1.0, 2.5])
def test_hard_edge_gamma_one_golden(x, s2):
    # gamma = 1, a = 0, b = 4 s2: rho = sqrt(b - x)/(2 pi s2 sqrt x) and
    # F(x) = (1/(2 pi s2)) int_0^x sqrt((b-t)/t) dt = sqrt(b x)/(pi s2) (1 - x/(6b) + O(x^2)).
    with mp.workdps(50):
        b, X = 4 * mpmath.mpf(s2), mpmath.mpf(x)
        rho = mpmath.sqrt(b - X) / (2 * mpmath.pi * s2 * mpmath.sqrt(X))
        F = mpmath.sqrt(b * X) / (mpmath.pi * s2) * (1 - X / (6 * b))
    dv, ds = M.density_curve(x, 1.0, s2)
    cv, cs = M.cdf_curve(x, 1.0, s2)
    assert ds == 0 and abs(dv / float(rho) - 1) <= 1e-6
    assert cs == 0 and abs(cv / float(F) - 1) <= 1e-6


def _truth(fn, x, g, s2):
    return fn(Fraction(x), Fraction(g), Fraction(s2), dps=30).value


_gammas = st.floats(-4, 4).map(lambda t: 10.0**t)
_where = st.sampled_from(["a", "b", "inside"])


def _point(g, s2, where, u, sign, frac):
    rg = np.sqrt(g)
    a, b = s2 * (1 - rg) ** 2, s2 * (1 + rg) ** 2
    if where == "inside":
        return float(a + (b - a) * frac)
    return float((a if where == "a" else b) * (1 + sign * 10.0**-u))


@settings(max_examples=200, deadline=None)
@given(_gammas, st.floats(-2, 2).map(lambda t: 10.0**t), _where, st.floats(0, 15), st.sampled_from([-1, 1]),
       st.floats(0, 1))  # fmt: skip
@example(0.25, 1.0, "a", 15.0, 1, 0.0)  # cdf was -1.6e-9 (truth 1.1e-23)
@example(0.25, 1.0, "a", 12.0, 1, 0.0)  # density was off by 4e-4
@example(1e-4, 1.0, "b", 14.0, -1, 0.0)
@example(1e4, 1.0, "a", 13.0, 1, 0.0)
@example(1.0, 1.0, "inside", 0.0, 1, 1e-300)
@example(1 + 2.0**-52, 1.0, "a", 10.0, 1, 0.0)
def test_float_cdf_and_density_match_certified_at_the_same_floats(g, s2, where, u, sign, frac):
    x = _point(g, s2, where, u, sign, frac)
    for curve, exact in ((M.cdf_curve, M.cdf), (M.density_curve, M.density)):
        v, status = curve(x, g, s2)
        assert status in (0, 1, 3)
        if status == 3:
            assert np.isnan(v)
            continue
        truth = _truth(exact, x, g, s2)
        if status == 1:  # the hard edge x = 0 at gamma = 1
            assert v == truth == mpmath.inf
            continue
        if truth == 0:
            assert v == 0
        else:
            assert abs(v - truth) <= 1e-6 * abs(truth), (curve.__name__, x, g, s2, v, truth)
        if curve is M.cdf_curve:
            assert 0 <= v <= 1


@settings(max_examples=100, deadline=None)
@given(_gammas, _where, st.floats(0, 15), st.sampled_from([-1, 1]), st.floats(0, 1))
@example(0.25, "a", 15.0, -1, 0.0)
@example(1.0, "a", 0.0, 1, 0.0)  # z = 0 at gamma = 1
def test_float_stieltjes_on_real_axis_near_edges(g, where, u, sign, frac):
    z = _point(g, 1.0, where, u, sign, frac)
    v, status = M.stieltjes_curve(z, g)
    with mp.workdps(50):
        a, b = _exact_edges(g, 1)
        on_support = a <= mpmath.mpf(z) <= b or (z == 0 and g >= 1)
    if on_support:
        assert status == 2 and np.isnan(v)  # the transform is not defined there: never a value
    else:
        assert status == 0
        truth = complex(M.stieltjes(Fraction(z), Fraction(g), dps=30).value)
        assert abs(v - truth) <= 1e-6 * abs(truth)


def test_float_stieltjes_refuses_a_point_between_the_rounded_and_the_exact_edge():
    # gamma = 0.29280804238748326: the exact a is below z = 0.21057323905230452, which float64 edges
    # (a rounded up) placed outside the support; the old path returned m = 4.027 with status 0.
    g, z = 0.29280804238748326, 0.21057323905230452
    with mp.workdps(50):
        a, b = _exact_edges(g, 1)
        assert a < mpmath.mpf(z) < b
    v, status = M.stieltjes_curve(z, g)
    assert status == 2 and np.isnan(v)


@pytest.mark.parametrize("eps", [1e-3, 1e-20, 1e-200])
@pytest.mark.parametrize("g", [0.3, 1.0, 4.0])
def test_float_stieltjes_just_above_the_edges(eps, g):
    rg = np.sqrt(g)
    for edge in ((1 - rg) ** 2, (1 + rg) ** 2):
        z = complex(edge, eps)
        v, status = M.stieltjes_curve(z, g)
        exact_z = f"{Decimal(edge)}+{Decimal(eps)}j"  # the binary values of the float parts, exactly
        truth = complex(M.stieltjes(exact_z, Fraction(g), dps=30).value)
        assert status == 0 and abs(v - truth) <= 1e-6 * abs(truth)


@pytest.mark.parametrize("g", [1e-4, 0.1, 0.25, 1 + 2.0**-50, 1.0, 3.0, 1e4])
def test_float_cdf_monotone_and_bounded_on_dense_edge_grids(g):
    for s2 in (1.0, 0.37):
        rg = np.sqrt(g)
        a, b = s2 * (1 - rg) ** 2, s2 * (1 + rg) ** 2
        lo = a * (1 + np.geomspace(1e-15, 0.3, 3000)) if a > 0 else b * np.geomspace(1e-300, 0.3, 3000)
        ladder = np.nextafter(a, -1) + np.arange(-40, 40) * np.spacing(max(a, 1e-300))  # steps of one ulp
        hi = b * (1 - np.geomspace(1e-15, 0.3, 3000))[::-1]
        for grid in (lo, np.unique(ladder), hi, np.linspace(a, b, 5001)):
            v, status = M.cdf_curve(grid, g, s2)
            d, dstatus = M.density_curve(grid, g, s2)
            assert (status == 0).all() and ((dstatus == 0) | ((grid == 0) & (dstatus == 1))).all()
            assert (v >= 0).all() and (v <= 1).all() and (np.diff(v) >= 0).all()
            assert (d[dstatus == 0] >= 0).all()


def test_float_paths_refuse_what_float64_cannot_deliver():
    # gamma = 1e306: the double-double edges overflow; the answer is NaN with status 3, never a number
    for curve in (M.cdf_curve, M.density_curve):
        v, status = curve(1e306, 1e306)
        assert status == 3 and np.isnan(v)
    # gamma = x = 1e300: the support [g - 2 sqrt g + 1, g + 2 sqrt g + 1] is finer than the double-double
    # edges; those points go to the certified path: cdf = 1 - O(1e-300) = 1.0, and the density
    # sqrt((b-x)(x-a))/(2 pi g x) ~ 2e150/(2 pi 1e600) underflows: status 3, not a silent 0
    assert M.cdf_curve(1e300, 1e300) == (1.0, 0)
    v, status = M.density_curve(1e300, 1e300)
    assert status == 3 and np.isnan(v)
    # huge and tiny |z| stay finite and right: m(z) ~ -1/z - s2/z^2 at infinity
    m, status = M.stieltjes_curve(np.array([1e300j, -1e300, 1e-300j]), 2.0)
    assert (status == 0).all()
    assert m[0] == pytest.approx(1j * 1e-300, rel=1e-12) and m[1] == pytest.approx(1e-300, rel=1e-12)
    # z -> 0 with gamma = 2: the atom 1/2 at 0 gives m ~ 0.5/(0 - z)
    assert m[2].imag == pytest.approx(0.5e300, rel=1e-6)


def test_moment_bounded_work_issue_13():
    # `asymptotics eval mp moment k=5000 gamma=1e10000` summed 50-million-digit fractions (a hang).
    t0 = time.perf_counter()
    r = M.moment(5000, "1e10000")
    # the j = k term gamma^(k-1) dominates; the next is k(k-1)/2 gamma^(k-2), 1e-10002 relative
    assert ae(r.value, mpmath.mpf(10) ** 49990000, 29)
    r = M.moment(10000, "1e10000", "1e-10000")  # sigma2^k gamma^(k-1) = 1e-10000
    assert ae(r.value, mpmath.mpf(10) ** -10000, 29)
    assert time.perf_counter() - t0 < 10  # generous: ~0.5 s on a loaded 2-core machine
    with pytest.raises(ParameterError, match="`k`.*limit"):
        M.moment_exact(5000, Fraction(10) ** 10000, Fraction(1))


def test_moment_multiprecision_sum_matches_catalan_and_exact_fractions():
    # gamma = 1: the moments are the Catalan numbers C(2k, k)/(k + 1) (the exact sum is above the limit)
    t0 = time.perf_counter()
    r = M.moment(10000, 1, dps=40)
    assert time.perf_counter() - t0 < 10  # was 56 s with the exact Fraction sum
    with mp.workdps(60):
        assert ae(r.value, mpmath.mpf(comb(20000, 10000)) / 10001, 39)
        assert r.error_estimate < mpmath.mpf(10) ** -39 * r.value
    # just above the exact-size limit: the test's own Narayana sum in Fractions
    g, s2 = Fraction(123456789, 10**9), Fraction(3, 2)
    exact = s2**400 * sum(Fraction(comb(400, j) * comb(400, j - 1), 400) * g ** (j - 1) for j in range(1, 401))
    with mp.workdps(60):
        assert ae(M.moment(400, "0.123456789", "1.5", dps=50).value, mpmath.mpf(exact.numerator) / exact.denominator, 49)
