"""Reviewer R6: independent attack on `dmp` with `spectrum=mp:gamma=G[,scale=S]`.

Reference: the companion equation z = −1/m̃ + γ ∫ t dH(t)/(1 + t m̃), H = MP(ratio G, scale S) (continuous part
on [S(1−√G)², S(1+√G)²] with density √((b−t)(t−a))/(2πGSt); the atom 1 − 1/G at 0 contributes nothing), the
integral by our own mpmath quadrature (θ-substitution t = a + (b−a) sin²(θ/2)), the root by Newton continuation
from far above the axis (Im m̃ > 0), m = (m̃ + (1 − γ)/z)/γ, density Im m(x + iε)/π.  Edges are critical values
z(m̃_c), z'(m̃_c) = 0.  Moments from the S-transform χ(w) = w/(S(1+w)(1+γw)(1+Gw)) inverted as a series.
Hard-coded values below were produced by that reference at 25–40 digits; one point of each kind is recomputed live."""

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import deformed_mp as D


# ------------------------------------------------------------------ own reference (not the code under test)
def _integ(f, G, S):
    G, S = mp.mpf(G), mp.mpf(S)
    a, b = S * (1 - mp.sqrt(G)) ** 2, S * (1 + mp.sqrt(G)) ** 2

    def g(u):
        t = a + (b - a) * mp.sin(u / 2) ** 2
        return f(t) * mp.sqrt((b - t) * (t - a)) / (2 * mp.pi * G * S * t) * (b - a) * mp.sin(u) / 2

    return mp.quad(g, [0, mp.pi / 2, mp.pi])


def _z(mt, gam, G, S):
    return -1 / mt + mp.mpf(gam) * _integ(lambda t: t / (1 + t * mt), G, S)


def _zp(mt, gam, G, S):
    return 1 / mt**2 - mp.mpf(gam) * _integ(lambda t: t**2 / (1 + t * mt) ** 2, G, S)


def _companion(z, gam, G, S, steps=10):
    z = mp.mpc(z)
    y0 = max(mp.mpf(20), 10 * abs(z))
    yt = abs(mp.im(z)) or mp.mpf(10) ** -6
    path = [mp.re(z) + 1j * y0 * (yt / y0) ** (mp.mpf(k) / steps) for k in range(steps + 1)]
    if mp.im(z) <= 0:
        path = [mp.conj(p) for p in path]
    if mp.im(z) == 0:
        path.append(z)
    mt = -1 / path[0]
    for zz in path:
        for _ in range(60):
            d = (_z(mt, gam, G, S) - zz) / _zp(mt, gam, G, S)
            mt -= d
            if abs(d) < mp.mpf(10) ** (-mp.mp.dps + 4) * max(1, abs(mt)):
                break
    return mt


def ref_stieltjes(z, gam, G, S):
    z, gam = mp.mpc(z), mp.mpf(gam)
    return (_companion(z, gam, G, S) + (1 - gam) / z) / gam


def ref_density(x, gam, G, S):
    mt = _companion(mp.mpc(x, mp.mpf(10) ** (-mp.mp.dps + 3)), gam, G, S)
    return max(mp.im(mt), 0) / (mp.mpf(gam) * mp.pi)


def rel(a, b):
    return float(abs(mp.mpc(a) - mp.mpc(b)) / abs(mp.mpc(b)))


def spec(G, S="1"):
    return f"mp:gamma={G},scale={S}"


# ------------------------------------------------------------------ live reference (one point of each kind)
def test_live_reference_density_and_stieltjes():
    with mp.workdps(18):
        want_d = ref_density(mp.mpf("5"), "2", "3", "2")
        want_m = ref_stieltjes(mp.mpc("0.3", "-0.2"), "0.5", "2", "1")
    assert rel(D.density("5", "2", spec("3", "2"), dps=15).value, want_d) < 1e-12
    assert rel(D.stieltjes("0.3-0.2j", "0.5", spec("2"), dps=15).value, want_m) < 1e-12


# ------------------------------------------------------------------ density (reference at 25-40 digits)
DENS = [  # gamma, G, S, x, reference
    ("0.5", "0.25", "1", "1", "0.33962298162722470414229"),
    ("2", "3", "2", "5", "0.018590420036010967324"),
    ("0.5", "3", "1", "0.5", "0.096274868810551943"),  # atom 2/3 in H
    ("1", "1", "1", "0.01", "5.5117172208733007"),  # gamma = G = 1, near the hard edge 0
    ("1", "1", "1", "6.7", "0.0035372051204903291215"),  # near the soft edge 27/4
    ("1", "0.5", "1", "0.05", "1.7977009826123070452"),  # gamma = 1
    ("3", "0.4", "1.5", "2", "0.058006060777843355120"),  # gamma > 1
    ("0.5", "1e-6", "2", "1.7", "0.23517200379139100772"),  # G -> 0
    ("1", "0.5", "1", "1e-4", "45.002323426572867334495"),  # hard edge (same law as gamma=0.5, G=1 by symmetry)
]


@pytest.mark.parametrize("g,G,S,x,want", DENS)
def test_density_against_reference(g, G, S, x, want):
    r = D.density(x, g, spec(G, S), dps=20)
    assert rel(r.value, mp.mpf(want)) < 1e-15
    assert r.proven is False


def test_density_symmetry_hard_edge_G1():
    # MP(0.5) ⊠ MP(1) = MP(1) ⊠ MP(0.5); value checked by our reference at gamma=1, G=0.5
    assert rel(D.density("1e-4", "0.5", spec("1"), dps=20).value, mp.mpf("45.002323426572867334495")) < 1e-15


def test_density_zero_off_support_and_inf_at_hard_edge():
    assert D.density("0.3", "0.5", spec("3", "2")).value == 0  # support [0.771, 18.48]
    assert D.density("3.75", "0.5", spec("0.25")).value == 0
    assert D.density("0", "1", spec("0.25")).value == mp.inf  # gamma(1 - w0) = 1: hard edge at 0


# ------------------------------------------------------------------ Stieltjes transform
STJ = [
    ("0.5", "0.25", "1", "1+0.5j", "-0.2523808738493726806570447", "0.9041924952670262698997515"),
    ("2", "3", "2", "-0.3", "2.378760021372184167334395603360950666951", "0"),
    ("0.5", "3", "1", "-2", "0.4117229544508688525484888", "0"),
    ("1", "1", "1", "-1e-3", "96.66794232332974303060085909645536073584", "0"),
    ("1", "1", "1", "8+1e-8j", "-0.1545084971874737113841636", "2.7950849718747371e-10"),
    ("3", "0.4", "1.5", "2+1e-6j", "-0.31529767640917595608407", "0.18223151519432583127212"),
    ("0.5", "0.25", "1", "10", "-0.1122840642542912397696403", "0"),
    ("0.5", "0.25", "1", "-1e5", "0.000009999900001749960626007785", "0"),
    ("0.5", "0.25", "1", "3.75", "-0.50639452948436165238", "0"),  # just right of the soft edge 3.7467
]


@pytest.mark.parametrize("g,G,S,z,re,im", STJ)
def test_stieltjes_against_reference(g, G, S, z, re, im):
    r = D.stieltjes(z, g, spec(G, S), dps=20)
    assert rel(r.value, mp.mpc(re, im)) < 1e-15
    assert r.proven is False


def test_stieltjes_at_zero_and_refusals():
    # m(0) = E_H[1/t]/(1 - gamma) = 1/(S(1 - G)(1 - gamma))
    assert rel(D.stieltjes("0", "0.5", spec("0.25", "2"), dps=20).value, mp.mpf(4) / 3) < 1e-18
    for G in ("3", "1"):
        with pytest.raises(ParameterError):
            D.stieltjes("0", "0.5", spec(G))


# ------------------------------------------------------------------ edges: critical values of z(m̃)
@pytest.mark.parametrize(
    "g,G,S,lo,hi",
    [
        ("0.5", "0.25", "1", "0.055935574318875766563", "3.746690222677064784"),
        ("3", "0.4", "1.5", "0.62227942070080425901", "13.386853404484219835"),
        ("2", "3", "2", "0.1201312632606169502", "26.2198396844141429"),
    ],
)
def test_edges_against_critical_values(g, G, S, lo, hi):
    e = D.edges(g, spec(G, S), dps=20)
    assert len(e.value) == 2 and rel(e.value[0], mp.mpf(lo)) < 1e-17 and rel(e.value[1], mp.mpf(hi)) < 1e-17
    assert e.proven is False


def test_edges_gamma_G_swap_with_atom():
    # gamma=3, G=1 and gamma=1, G=3: same law; left edge 0.25 > 0 (the docs' "reaches 0 when G = 1" needs gamma <= 1)
    a, b = D.edges("1", spec("3")).value, D.edges("3", spec("1")).value
    assert all(rel(u, v) < 1e-13 for u, v in zip(a, b, strict=True)) and a[0] > 0.2


# ------------------------------------------------------------------ moments: S-transform series, exact
def _moments(g, G, S, n):
    import sympy as sp

    w, zz = sp.symbols("w z")
    chi = w / (S * (1 + w) * (1 + g * w) * (1 + G * w))
    cs = sp.symbols(f"c1:{n + 1}")
    psi = sum(cs[i] * zz ** (i + 1) for i in range(n))
    ser = sp.expand(sp.series(chi.subs(w, psi), zz, 0, n + 1).removeO())
    sol = sp.solve([ser.coeff(zz, k) - (1 if k == 1 else 0) for k in range(1, n + 1)], cs, dict=True)[0]
    return [Fraction(str(sol[c])) for c in cs]


@pytest.mark.parametrize("g,G,S", [("1/2", "1/4", "2"), ("2", "3", "1"), ("1/3", "7/5", "1/2")])
def test_moments_exact_and_proven(g, G, S):
    g_, G_, S_ = (Fraction(v) for v in (g, G, S))
    import sympy as sp

    want = _moments(sp.Rational(g), sp.Rational(G), sp.Rational(S), 5)
    for k in range(1, 6):
        r = D.moment(k, g, spec(G, S), dps=40)
        assert r.proven is True
        w = want[k - 1]
        with mp.workdps(50):
            wv = mp.mpf(w.numerator) / w.denominator
            assert abs(r.value - wv) <= mp.mpf(10) ** -35 * abs(wv)
    assert D.moment(0, g, spec(G, S)).value == 1
    del g_, G_, S_


# ------------------------------------------------------------------ cdf
def test_cdf_atom_and_edges():
    # atom at 0: max(0, 1 - 1/gamma, 1 - 1/G) = 2/3 for gamma = 2, G = 3
    assert rel(D.cdf("0", "2", spec("3", "2"), dps=15).value, mp.mpf(2) / 3) < 1e-13
    assert D.cdf("-1", "2", spec("3", "2")).value == 0
    assert rel(D.cdf("30", "2", spec("3", "2")).value, 1) < 1e-13


# ------------------------------------------------------------------ float64 curves vs the reference
def test_float64_density_curve():
    x = np.array([0.06, 0.3, 1.0, 2.5, 3.7, 3.74])
    want = [0.65564807349955252975, 0.82187259208200201713, 0.33962298162722470414, 0.11504631857091578133,
            0.016279589759264359448, 0.0061088708733527416686]
    v, st = D.density_curve(x, 0.5, "mp:gamma=0.25")
    for vi, si, wi in zip(v, st, want, strict=True):
        assert si != 0 or abs(vi - wi) <= 1e-6 * abs(wi)


def test_float64_stieltjes_curve():
    m, ms = D.stieltjes_curve(np.array([-0.3, 0.3 - 0.2j]), np.array([2.0, 0.5]), ["mp:gamma=3,scale=2", "mp:gamma=2"][0])
    assert ms[0] == 0 and abs(m[0] - 2.378760021372184167) < 1e-9
    m2, ms2 = D.stieltjes_curve(np.array([0.3 - 0.2j]), 0.5, "mp:gamma=2")
    assert ms2[0] != 0 or abs(m2[0] - complex(-0.81676381990185511, -1.3127094623784548)) < 1e-9


# ------------------------------------------------------------------ bad inputs, caller precision
@pytest.mark.parametrize(
    "bad", ["mp:gamma=0", "mp:gamma=-1", "mp:gamma=1,scale=0", "mp:gamma=1,scale=-2", "mp:scale=2",
            "mp:gamma=1,foo=1", "mp:gamma=nan", "mp:gamma=inf", "mp:", "mp:gamma=1001"],
)
def test_bad_spectrum_rejected(bad):
    dps0 = mp.mp.dps
    with pytest.raises(ParameterError) as ei:
        D.density("1", "0.5", bad)
    assert "\n" not in str(ei.value) and mp.mp.dps == dps0


@pytest.mark.parametrize("text", ["mp:gamma=1,gamma=2", "power_law:p=3,alpha=1,p=4", "spike:t=2,w=0.1,t=3"])
def test_duplicate_key_rejected(text):
    # was: silently accepted (last wins)
    with pytest.raises(ParameterError, match="more than once"):
        D.density("1", "0.5", text)


def test_caller_precision_unchanged():
    with mp.workdps(23):
        D.density("1", "0.5", spec("0.25"), dps=40)
        D.stieltjes("-1", "0.5", spec("0.25"), dps=10)
        assert mp.mp.dps == 23


def test_tiny_G_limit():
    # was: G = 1e-40 raised ConvergenceError 'no support interval found' (CLI exit 3); now extra digits ~ log10(1/G),
    # and below the documented floor 1e-60 a ParameterError naming the range
    # G -> 0: H -> delta_1, law = MP(0.5): density sqrt((b - x)(x - a))/(2 pi gamma x), a, b = (1 -+ sqrt(.5))^2
    a, b = (1 - mp.sqrt(0.5)) ** 2, (1 + mp.sqrt(0.5)) ** 2
    want = mp.sqrt((b - 1) * (1 - a)) / (2 * mp.pi * 0.5)
    assert rel(D.density("1", "0.5", spec("1e-40"), dps=20).value, want) < 1e-15
    with pytest.raises(ParameterError, match=r"\[1e-60, 1000\]"):
        D.density("1", "0.5", spec("1e-70"), dps=20)


# ------------------------------------------------------------------ scale, huge ratios, cdf value
@pytest.mark.parametrize("S", ["1e6", "1e-6"])
def test_scale_covariance(S):
    # the law with scale S is the law with scale 1 stretched by S: rho_S(x) = rho_1(x/S)/S, m_S(z) = m_1(z/S)/S
    s = mp.mpf(S)
    with mp.workdps(20):
        assert rel(D.density(str(s), "0.5", spec("0.25", S), dps=20).value * s, mp.mpf("0.33962298162722470414229")) < 1e-15
        assert rel(D.cdf(str(2 * s), "0.5", spec("0.25", S), dps=15).value, D.cdf("2", "0.5", spec("0.25"), dps=15).value) < 1e-12


@pytest.mark.parametrize("g,G", [("1000", "1"), ("1", "1000")])
def test_huge_ratio(g, G):
    assert rel(D.density("1000", g, spec(G), dps=20).value, mp.mpf("0.0000071161796308996711561")) < 1e-15


def test_cdf_against_quadrature_of_reference_density():
    # 2/3 (atom) + ∫_{a}^{1} rho_ref, a = left edge 0.12013126326..., our own mp.quad at 15-24 digits
    assert rel(D.cdf("1", "2", spec("3", "2"), dps=20).value, mp.mpf("0.736120156692205")) < 1e-12
