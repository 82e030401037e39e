"""Deformed Marchenko–Pastur (`dmp`): reductions to `mp` derived by hand, two-block support and
masses, moments by hand, Stieltjes inversion by quadrature, branch properties, float64 = certified."""

import functools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import deformed_mp as D
from asymptotics.models import marchenko_pastur as M

TWO = "blocks:1/0.5,4/0.5"
SEP = "blocks:1/0.5,10/0.5"  # separated clusters for small gamma


def close(a, b, digits=12):
    a, b = complex(a), complex(b)
    return abs(a - b) <= 10.0 ** (-digits) * max(1.0, abs(b))


# ---------------------------------------------------------------- one block ≡ mp
@pytest.mark.parametrize("gamma", ["0.5", "2", "1", "0.1"])
def test_one_block_is_mp(gamma):
    for z in ("-1", "1+0.5j", "0.2-0.3j", "10"):
        assert close(D.stieltjes(z, gamma).value, M.stieltjes(z, gamma).value, 13)
    for x in ("0.05", "0.3", "1", "2.5", "5"):
        assert close(D.density(x, gamma).value, M.density(x, gamma).value, 13)
        assert close(D.cdf(x, gamma, dps=15).value, M.cdf(x, gamma).value, 12)  # dps 15: 12 digits are checked
    e = D.edges(gamma).value
    a, b = M.edges(gamma).value
    assert len(e) == 2 and close(e[0], a, 13) and close(e[1], b, 13)
    for k in range(6):
        assert D.moment(k, gamma).value == M.moment(k, gamma).value


def test_peers_failures():
    assert close(D.stieltjes(3, "0.5").value, -Fraction(2, 3), 14)  # one peer returns -1
    assert close(D.stieltjes(3, "0.5", "isotropic").value, -Fraction(2, 3), 14)
    for z in ("-0.001", "-1", "-100"):
        assert D.stieltjes(z, "0.5", TWO).value > 0  # one peer returns a negative value


def test_scaled_block_is_mp_with_sigma2():
    for z in ("-1", "1+1j", "30"):
        assert close(D.stieltjes(z, "0.7", "blocks:3/1").value, M.stieltjes(z, "0.7", 3).value, 13)


# ---------------------------------------------------------------- zero block
@pytest.mark.parametrize("gamma,w,rest", [("0.5", "0.5", "0.5"), ("3", "0.25", "0.75"), ("2", "0.5", "0.5")])
def test_zero_block_reduces_to_mp(gamma, w, rest):
    # t = 0 drops out of the sum: m̃ is the companion of MP with γ' = γ(1 − w); μ = (1 − w) MP_{γ'} + w δ₀
    spec = f"blocks:0/{w},1/{rest}"
    gp = Fraction(gamma) * (1 - Fraction(w))
    a, b = M.edges(gp).value
    e = D.edges(gamma, spec).value
    assert len(e) == 2 and close(e[0], a, 13) and close(e[1], b, 13)
    W = float(Fraction(w))
    for x in ("0.3", "1", "2.5"):
        assert close(D.density(x, gamma, spec).value, (1 - W) * float(M.density(x, gp).value), 12)
        assert close(D.cdf(x, gamma, spec, dps=15).value, W + (1 - W) * float(M.cdf(x, gp).value), 11)
    for z in ("-1", "0.5+0.5j", "40"):
        zc = complex(z)
        ref = (1 - W) * complex(M.stieltjes(z, gp).value) - W / zc
        assert close(D.stieltjes(z, gamma, spec).value, ref, 12)
    # mass at 0: max(w, 1 − 1/γ)
    atom = max(Fraction(w), 1 - 1 / Fraction(gamma))
    assert close(D.cdf("0", gamma, spec).value, atom, 14)


# ---------------------------------------------------------------- two blocks
def test_two_block_support_density_and_masses():
    e = [float(v) for v in D.edges("0.05", SEP).value]
    assert len(e) == 4 and e[0] < e[1] < e[2] < e[3]
    assert e[0] < 1 < e[1] and e[2] < 10 < e[3]
    inside = [e[0] + u * (e[1] - e[0]) for u in (0.01, 0.5, 0.99)] + [e[2] + u * (e[3] - e[2]) for u in (0.01, 0.5, 0.99)]
    outside = [e[0] * 0.99, (e[1] + e[2]) / 2, e[1] * 1.001, e[2] * 0.999, e[3] * 1.01]
    for x in inside:
        assert D.density(repr(x), "0.05", SEP).value > 0
    for x in outside:
        assert D.density(repr(x), "0.05", SEP).value == 0
    # no atom, separated clusters: each holds its block's weight (exact separation)
    assert close(D.cdf(repr((e[1] + e[2]) / 2), "0.05", SEP, dps=15).value, 0.5, 12)
    assert close(D.cdf(repr(e[3]), "0.05", SEP, dps=15).value, 1, 12)
    # a merged support for larger gamma
    assert len(D.edges("0.5", TWO).value) == 2


def test_edges_are_where_z_prime_vanishes():
    # the density behaves like sqrt at every edge: tiny just inside, zero just outside
    e = [float(v) for v in D.edges("0.05", SEP).value]
    for j, x in enumerate(e):
        s = 1 if j % 2 == 0 else -1
        assert 0 < D.density(repr(x * (1 + s * 1e-8)), "0.05", SEP).value < 1e-2
        assert D.density(repr(x * (1 - s * 1e-8)), "0.05", SEP).value == 0


@functools.cache
def _leggauss(nodes):
    return np.polynomial.legendre.leggauss(nodes)  # an eigenvalue problem of size `nodes`: computed once


def _theta_integral(e, gamma, spec, weight, nodes=400):
    """∫ weight(x) ρ(x) dx over the support, in θ (x = a + (b − a)(1 − cos θ)/2), Gauss–Legendre on the float64 density."""
    u, w = _leggauss(nodes)
    total = 0
    for a, b in zip(e[::2], e[1::2], strict=True):
        th = np.pi * (1 + u) / 2
        x = a + (b - a) * (1 - np.cos(th)) / 2
        rho, st = D.density_curve(x, float(gamma), spec)
        assert np.all(st == 0)
        total += np.pi / 2 * np.sum(w * weight(x) * rho * (b - a) * np.sin(th) / 2)
    return total


def test_stieltjes_inversion_by_quadrature():
    # m(z) = ∫ ρ(x)/(x − z) dx − atom/z: the density (root with Im > 0 on the axis) against the pick at z
    gamma, spec = "2", "blocks:0/0.25,1/0.25,4/0.5"
    e = [float(v) for v in D.edges(gamma, spec).value]
    atom = 0.5  # max(w0 = 1/4, 1 − 1/γ = 1/2)
    for z in (complex(-0.5, 0), complex(2, 1), complex(20, 0)):
        ref = _theta_integral(e, gamma, spec, lambda x, z=z: 1 / (x - z)) - atom / z
        zs = f"{z.real!r}{z.imag:+}j" if z.imag else repr(z.real)
        assert close(D.stieltjes(zs, gamma, spec).value, ref, 9)


# ---------------------------------------------------------------- moments
def test_moments_by_hand():
    h1, h2, h3 = Fraction(5, 2), Fraction(17, 2), Fraction(65, 2)  # atoms 1, 4 with weight 1/2
    g = Fraction(1, 2)
    assert close(D.moment(1, "0.5", TWO).value, h1, 15)
    assert close(D.moment(2, "0.5", TWO).value, h2 + g * h1**2, 15) and float(h2 + g * h1**2) == 11.625
    assert close(D.moment(3, "0.5", TWO).value, h3 + 3 * g * h1 * h2 + g**2 * h1**3, 15)
    assert D.moment(0, "0.5", TWO).value == 1


def test_moments_match_the_density():
    gamma, spec = "0.3", "spike:t=5,w=0.1"
    e = [float(v) for v in D.edges(gamma, spec).value]
    for k in (0, 1, 2, 3):
        assert close(_theta_integral(e, gamma, spec, lambda x, k=k: x**k), D.moment(k, gamma, spec).value, 9)


def test_power_law_spectrum():
    # p = 3, alpha = 1: atoms 1, 1/2, 1/3 with weights 1/3 (exact); alpha = 1/2 irrational atoms
    r = D.moment(2, "0.5", "power_law:p=3,alpha=1")
    h1 = Fraction(11, 18)
    h2 = Fraction(1 + Fraction(1, 4) + Fraction(1, 9), 3)
    assert close(r.value, h2 + Fraction(1, 2) * h1**2, 15)
    v = D.moment(1, "0.5", "power_law:p=2,alpha=0.5").value
    assert close(v, (1 + 2**-0.5) / 2, 14)


# ---------------------------------------------------------------- properties
# includes a three-block law with near-gaps (complex critical points close to the axis), where plain quadrature lost 1e-4
spectra = st.sampled_from([TWO, SEP, "blocks:0/0.25,1/0.75", "spike:t=5,w=0.1", "blocks:0.5/0.3,2/0.3,6/0.4", "isotropic"])
gammas = st.sampled_from(["0.05", "0.3", "0.5", "1", "1.5", "4"])


@settings(max_examples=25, deadline=None)
@given(spec=spectra, gamma=gammas, re=st.floats(-5, 15), im=st.floats(1e-3, 5))
def test_im_m_positive_and_consistent(spec, gamma, re, im):
    z = f"{re!r}+{im!r}j"
    m = complex(D.stieltjes(z, gamma, spec, dps=20).value)
    assert m.imag > 0
    assert abs(m) <= 1 / im * (1 + 1e-12)  # |m| ≤ 1/dist(z, supp)
    mc = complex(D.stieltjes(f"{re!r}-{im!r}j", gamma, spec, dps=20).value)
    assert close(mc, m.conjugate(), 15)


@settings(max_examples=15, deadline=None)
@given(spec=spectra, gamma=gammas, x=st.floats(1e-3, 50))
def test_negative_axis_positive_increasing(spec, gamma, x):
    m1 = D.stieltjes(repr(-x), gamma, spec, dps=20).value
    m2 = D.stieltjes(repr(-x / 2), gamma, spec, dps=20).value
    assert 0 < m1 < m2


@settings(max_examples=6, deadline=None)
@given(spec=spectra, gamma=gammas)
def test_density_nonnegative_mass_and_cdf_monotone(spec, gamma):
    e = [float(v) for v in D.edges(gamma, spec).value]
    xs = np.linspace(-0.5, e[-1] * 1.1, 301)
    d, sd = D.density_curve(xs, float(gamma), spec)
    F, sf = D.cdf_curve(xs, float(gamma), spec)
    ok = sd == 0
    assert np.all(d[ok] >= 0)
    assert np.all(np.diff(F[sf == 0]) >= -1e-12)
    assert close(D.cdf(repr(e[-1]), gamma, spec, dps=15).value, 1, 10)  # atom + integrated density = 1


@settings(max_examples=6, deadline=None)
@given(spec=spectra, gamma=gammas, u=st.floats(0.0, 1.0))
def test_float64_matches_certified(spec, gamma, u):
    e = [float(v) for v in D.edges(gamma, spec).value]
    x = -0.2 + u * (e[-1] * 1.2 + 0.2)
    for curve, fn in ((D.density_curve, D.density), (D.cdf_curve, D.cdf)):
        v, s = curve(np.array([x]), float(gamma), spec)
        if s[0] == 0:
            assert close(v[0], fn(repr(x), gamma, spec, dps=15).value, 6)
    z = complex(x, 0.3 * u)
    v, s = D.stieltjes_curve(np.array([z]), float(gamma), spec)
    if s[0] == 0:
        assert close(v[0], D.stieltjes(f"{z.real!r}{z.imag:+.17g}j" if z.imag else repr(x), gamma, spec, dps=20).value, 6)
    elif s[0] == 2:
        assert z.imag == 0


def test_curve_status_codes():
    v, s = D.stieltjes_curve(np.array([1.0, 3.0, 0.0, np.nan]), 0.5)
    assert list(s) == [2, 0, 0, 2] and close(v[1], -2 / 3, 12) and close(v[2], 2, 12)
    v, s = D.density_curve(np.array([0.0, 0.5]), 1.0)
    assert s[0] == 1 and np.isinf(v[0]) and s[1] == 0
    v, s = D.density_curve(np.array([0.5]), -1.0)
    assert s[0] == 2 and np.isnan(v[0])


# ---------------------------------------------------------------- input errors, system, CLI
@pytest.mark.parametrize(
    "spec",
    ["blocks:1/0.5", "blocks:1/0.5,2", "blocks:-1/1", "power_law:p=0,alpha=1", "power_law:p=100,alpha=1", "foo", "blocks:0/1"],
)
def test_bad_spectrum(spec):
    with pytest.raises(ParameterError, match="spectrum|p"):
        D.density("1", "0.5", spec)


def test_bad_points():
    with pytest.raises(ParameterError, match="support"):
        D.stieltjes("1", "0.5", TWO)
    with pytest.raises(ParameterError, match="z"):
        D.stieltjes("0", "2")
    with pytest.raises(ParameterError, match="gamma"):
        D.density("1", "-1")
    with pytest.raises(ParameterError, match="k"):
        D.moment(-1, "0.5")


def test_precision_is_restored():
    with mpmath.mp.workdps(23):
        D.stieltjes("1+1j", "0.5", TWO, dps=40)
        D.cdf("1", "0.5", TWO, dps=20)
        assert mpmath.mp.dps == 23


def test_system_latex():
    s = D.system()
    assert "\\tilde" in s.latex() or "mtilde" in s.latex()


def test_cli_contract(capsys):
    from asymptotics.cli import main

    code = main(["eval", "dmp", "density", "x=0.5", "gamma=0.5", "spectrum=blocks:1/0.5,4/0.5"])
    out = capsys.readouterr().out
    assert code in (0, None)
    assert out.strip().startswith(str(D.density("0.5", "0.5", TWO).value)[:8])


# ---------------------------------------------------------------- decisions next to an edge (review R2)
@pytest.mark.parametrize("sign", [1, -1])
def test_mp_just_off_an_edge_closed_form(sign):
    # one atom t = 1 is MP: m(x) = (1 − γ − x + s·√((x − 1 − γ)² − 4γ))/(2γx), s = +1 right of b = 9/4,
    # −1 left of a = 1/4 (m ~ −1/x at +∞, m > 0 for x < 0); x is 10⁻⁴⁰ off the edge: two roots 10⁻²⁰ apart
    g = Fraction(1, 4)
    x = Fraction(9, 4) + Fraction(1, 10**40) if sign > 0 else Fraction(1, 4) - Fraction(1, 10**40)
    r = D.stieltjes(x, g, "isotropic", dps=30)
    with mpmath.mp.workdps(120):
        X, G = mpmath.mpf(x.numerator) / x.denominator, mpmath.mpf(1) / 4
        ref = (1 - G - X + sign * mpmath.sqrt((X - 1 - G) ** 2 - 4 * G)) / (2 * G * X)
        assert abs(mpmath.mpf(str(r.value)) - ref) <= abs(ref) * mpmath.mpf(10) ** -29


def test_on_the_support_by_1e_minus_40_is_refused():
    with pytest.raises(ParameterError, match="support"):
        D.stieltjes(Fraction(9, 4) - Fraction(1, 10**40), "1/4", "isotropic", dps=30)


def test_float64_gamma_rounding_flag():
    assert D._gamma_rounding(2.0) == 0 and D._gamma_rounding(0.5) == 0
    assert 0 < D._gamma_rounding(0.1) < 1e-17
    # γ = 0.99999 (not a binary fraction) next to the tiny lower edge: the 6th digit hangs on γ's last bit
    v, s = D.density_curve(np.array([2.7586316848078114e-11, 0.5]), 0.99999, "blocks:0.5/0.25,1/0.25,2/0.25,8/0.25")
    assert s[0] == 3 and np.isnan(v[0]) and s[1] == 0
