"""`dmp` with the continuous population law `spectrum=mp:gamma=G[,scale=S]` (H = Marchenko–Pastur).

Expected values come from closed forms derived independently of the code: the limit G → 0 (H → δ_S, the `mp`
law with σ² = S), the moments of a product of two independent Wisharts by Wick's theorem, the square case
γ = G = 1 (Fuss–Catalan law on [0, 27/4]), the symmetry γ ↔ G of the free multiplicative convolution
MP(γ) ⊠ MP(G), total mass, Stieltjes inversion by quadrature and a Monte Carlo Kolmogorov–Smirnov test."""

from fractions import Fraction
from math import comb, sqrt

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import deformed_mp as D


def close(a, b, rel):
    a, b = complex(a), complex(b)
    return abs(a - b) <= rel * max(1.0, abs(b))


def mp_density(x, g, s2):
    """Marchenko–Pastur density of ratio g and variance s2 (closed form)."""
    a, b = s2 * (1 - sqrt(g)) ** 2, s2 * (1 + sqrt(g)) ** 2
    return sqrt(max((b - x) * (x - a), 0.0)) / (2 * np.pi * g * s2 * x)


# ---------------------------------------------------------------- G → 0: H → δ_S, the mp law with σ² = S
@pytest.mark.parametrize("g", ["0.5", "2"])
def test_small_G_is_mp_with_sigma2_S(g):
    spec = "mp:gamma=1e-10,scale=2"
    gf, S = float(g), 2.0
    for x in (0.5, 1.7, 4.0):
        assert close(D.density(str(x), g, spec, dps=20).value, mp_density(x, gf, S), 1e-6)
    e = [float(v) for v in D.edges(g, spec, dps=20).value]
    assert close(e[0], S * (1 - sqrt(gf)) ** 2, 1e-6) and close(e[-1], S * (1 + sqrt(gf)) ** 2, 1e-6)
    # m(z) of mp(σ² = S): the root of γ S z m² + (z − S(1 − γ)) m + 1 = 0 with Im m > 0
    z = 1 + 0.5j
    disc = np.sqrt(complex((z - S * (1 - gf)) ** 2 - 4 * gf * S * z))
    roots = [(-(z - S * (1 - gf)) + sgn * disc) / (2 * gf * S * z) for sgn in (1, -1)]
    want = max(roots, key=lambda r: r.imag)
    assert close(D.stieltjes("1+0.5j", g, spec, dps=20).value, want, 1e-6)


# ---------------------------------------------------------------- moments: product of two Wisharts (Wick)
@pytest.mark.parametrize("g,G,S", [("0.5", "0.25", "2"), ("2", "3", "1"), ("1/3", "7/5", "1/2")])
def test_moments_two_wisharts(g, G, S):
    g, G, S = Fraction(g), Fraction(G), Fraction(S)
    spec = f"mp:gamma={G},scale={S}"
    # (1/p) E tr A, A = Σ^{1/2} XᵀX Σ^{1/2}/n: E_Σ tr Σ/p = S, independent of G and γ
    assert D.moment(1, str(g), spec).value == S
    # (1/p) E tr A² = h₂ + γ h₁² with h₁ = S, h₂ = S²(1 + G) (Wick pairings of X, then of W)
    assert Fraction(str(D.moment(2, str(g), spec, dps=40).value)) == pytest.approx(S**2 * (1 + G + g), rel=1e-30)
    want3 = S**3 * (1 + 3 * G + G**2 + 3 * g + 3 * g * G + g**2)  # symmetric in γ ↔ G, as freeness requires
    assert abs(D.moment(3, str(g), spec, dps=40).value - mpmath.mpf(want3.numerator) / want3.denominator) < 1e-35


def test_square_case_fuss_catalan():
    """γ = G = 1: the law of (W₁W₂)(W₁W₂)ᵀ-type products, density on [0, 27/4], moments C(3k, k)/(2k + 1)."""
    e = [float(v) for v in D.edges("1", "mp:gamma=1").value]
    assert e[0] == 0 and close(e[1], 27 / 4, 1e-14)
    for k in range(6):
        assert D.moment(k, "1", "mp:gamma=1").value == comb(3 * k, k) // (2 * k + 1)


# ---------------------------------------------------------------- γ ↔ G symmetry (MP(γ) ⊠ MP(G) is commutative)
@pytest.mark.parametrize("a,b", [("0.5", "0.25"), ("3", "0.4"), ("2", "1.5")])
def test_gamma_G_symmetry(a, b):
    sa, sb = f"mp:gamma={b}", f"mp:gamma={a}"
    for x in ("0.3", "1", "2.2"):
        assert close(D.density(x, a, sa).value, D.density(x, b, sb).value, 1e-13)
    for z in ("-0.7", "1+0.5j", "0.2-2j"):
        assert close(D.stieltjes(z, a, sa).value, D.stieltjes(z, b, sb).value, 1e-13)
    assert all(close(u, v, 1e-13) for u, v in zip(D.edges(a, sa).value, D.edges(b, sb).value, strict=True))


# ---------------------------------------------------------------- mass, Stieltjes inversion, edges, branch
@pytest.mark.parametrize("g,G", [("0.5", "0.25"), ("2", "0.5"), ("0.5", "3")])
def test_mass_inversion_and_edges(g, G):
    spec = f"mp:gamma={G},scale=1.5"
    atom = max(0.0, 1 - 1 / float(G), 1 - 1 / float(g))
    e = [float(v) for v in D.edges(g, spec, dps=20).value]
    assert len(e) == 2
    assert close(float(D.cdf(str(e[1] * 1.01), g, spec, dps=15).value), 1.0, 1e-12)
    with mpmath.workdps(12):
        rho = lambda t: D._cont_density(Fraction(float(t)), Fraction(g), D._spec(spec))[0]  # noqa: E731
        a, b = mpmath.mpf(e[0]), mpmath.mpf(e[1])
        th = lambda f: lambda u: f(a + (b - a) * mpmath.sin(u / 2) ** 2) * (b - a) * mpmath.sin(u) / 2  # noqa: E731
        mass = mpmath.quad(th(rho), [0, mpmath.pi])
        assert close(mass, 1 - atom, 1e-9)
        for z in (-1, 2 + 1j)[: 1 if G == "3" else 2]:
            inv = atom / (0 - z) + mpmath.quad(th(lambda t: rho(t) / (t - z)), [0, mpmath.pi])
            assert close(inv, complex(D.stieltjes(str(z), g, spec).value), 1e-8)
    for lo, hi in zip(e[::2], e[1::2], strict=True):
        assert D.density(str(lo * 1.001 + 1e-9), g, spec).value > 0 and D.density(str(hi * 0.999), g, spec).value > 0
        assert D.density(str(hi * 1.001), g, spec).value == 0
    if e[0] > 0:
        assert D.density(str(e[0] * 0.999), g, spec).value == 0
    m = D.stieltjes("-0.3", g, spec).value
    assert m > 0 and D.stieltjes(str(e[1] + 1), g, spec).value < 0
    assert mpmath.im(D.stieltjes("1+0.01j", g, spec).value) > 0


def test_float64_curves_match_certified():
    spec = "mp:gamma=0.25"
    x = np.array([-0.5, 0.04, 0.3, 1.0, 2.5, 3.7, 5.0])
    v, st = D.density_curve(x, 0.5, spec)
    c, cs = D.cdf_curve(x, 0.5, spec)
    assert (st == 0).all() and (cs == 0).all()
    for i, xv in enumerate(x):
        assert close(v[i], float(D.density(repr(float(xv)), "0.5", spec).value), 1e-9)
        assert close(c[i], float(D.cdf(repr(float(xv)), "0.5", spec, dps=15).value), 1e-8)
    m, ms = D.stieltjes_curve(np.array([1 + 0.5j, -1, 1.0]), 0.5, spec)
    assert list(ms) == [0, 0, 2] and close(m[0], complex(D.stieltjes("1+0.5j", "0.5", spec).value), 1e-12)


def test_parse_and_errors():
    assert D.PopulationSpectrum.parse("mp:gamma=0.5,scale=1").label == "mp:gamma=0.5"
    assert D.PopulationSpectrum.parse("mp:gamma=3").zero_weight == Fraction(2, 3)
    for bad in ("mp:gamma=0", "mp:scale=2", "mp:gamma=1,scale=-1", "mp:gamma=1,foo=2"):
        with pytest.raises(ParameterError):
            D.density("1", "0.5", bad)
    with pytest.raises(ParameterError):
        D.stieltjes("1", "0.5", "mp:gamma=0.25")  # on the support


def test_monte_carlo_ks():
    """Kolmogorov–Smirnov distance of the simulated product of two Wisharts to the limit CDF: small, and it
    shrinks with n; against the wrong law (H = δ₁, no population noise) it stays large."""
    from validation.simulators import deformed_mp as V

    spec = "mp:gamma=0.5,scale=2"
    ks = {
        n: np.mean([V.ks_distance(e, "0.5", spec) for e in V.replicate_eigenvalues("0.5", spec, n=n, reps=2, seed=3)])
        for n in (100, 400)
    }
    assert ks[400] < 0.03 and ks[400] < ks[100]
    eigs = next(V.replicate_eigenvalues("0.5", spec, n=400, reps=1, seed=3))
    assert V.ks_distance(eigs, "0.5", "blocks:2/1") > 0.1
