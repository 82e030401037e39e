"""NT/NTK formulas written once (``f(B, ...)``): the float64 backend agrees with the certified one.

At drawn well-conditioned points the numpy evaluation of the block sums, the NTK fixed point and
the isotropic (NT model) closed form equals the mpmath evaluation at 40 digits of the same float
inputs to 1e-9 relative.  The block sums are also checked against the Marchenko–Pastur Stieltjes
transform obtained by quadrature of the density (independent of the code under test), and the
public ``mp_stieltjes``/``ntk_terms`` keep their ``sqrt=`` interface.
"""

from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.backend import MP, NP
from asymptotics.models import neural_tangent as nt
from asymptotics.solve.roots import increasing_root

RTOL = 1e-9

pos = st.floats(0.05, 20.0)
ridge = st.floats(1e-3, 10.0)
coef = st.floats(0.05, 2.0)


def mp_of(x):
    f = Fraction(x)
    return mpmath.mpf(f.numerator) / f.denominator


def close(got, exact):
    got = float(np.ravel(got)[0])
    return abs(got - float(exact)) <= RTOL * max(abs(float(exact)), 1e-300)


def mp_root(h, dh, lo, hi):
    k, _ = increasing_root(h, dh, lo, hi, ops=MP, rtol=mpmath.mpf(10) ** -36)
    return k, True


def np_root(h, dh, lo, hi):
    return increasing_root(h, dh, lo, hi, ops=NP, rtol=1e-14, throw=False)


@settings(max_examples=25, deadline=None)
@given(pos, pos, st.one_of(st.just(0.0), ridge), coef, coef, st.floats(0.01, 1.0))
def test_ntk_fixed_point_float64_equals_certified(p1, p2, lam, a1, s2, ls):
    with np.errstate(all="ignore"):
        got = nt._ntk(NP, *(np.array([v]) for v in (p1, p2, lam)), a1, s2, ls, np_root)
        _, conv, (rel_b, rel_v, rel_k) = nt._ntk_np(*(np.array([v]) for v in (p1, p2, lam)), a1, s2, ls)
    with mpmath.workdps(40):
        exact = nt._ntk(MP, *(mp_of(v) for v in (p1, p2, lam, a1, s2, ls)), mp_root)
    assert bool(np.ravel(got["conv"])[0])
    # where the float64 path's own error bound allows it (the block sums cancel at extreme points)
    for g, e, rel in zip(got["out"], exact["out"], (rel_b, rel_v, rel_k, rel_k), strict=True):
        if rel[0] <= RTOL / 10:
            assert close(g, e)


@settings(max_examples=25, deadline=None)
@given(pos, st.one_of(st.just(0.0), ridge), st.one_of(st.just(0.0), coef), st.floats(0.01, 1.0))
def test_isotropic_float64_equals_certified(p2, lam, a, ridge_):
    with np.errstate(all="ignore"):
        got = nt._nt_isotropic(NP, np.array([p2]), np.array([lam]), a, ridge_)
    with mpmath.workdps(40):
        exact = nt._nt_isotropic(MP, mp_of(p2), mp_of(lam), mp_of(a), mp_of(ridge_))
    for g, e in zip(got, exact, strict=True):
        if mpmath.isinf(e):
            assert np.isinf(g).all()
        else:
            assert close(g, e)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.1, 5.0), st.floats(0.05, 5.0))
def test_stieltjes_against_quadrature_and_public_interface(c, t):
    """m(−t), m'(−t) of the Marchenko–Pastur law (ratio c): density quadrature vs the closed form, both backends."""
    with mpmath.workdps(30):
        cm, tm = mp_of(c), mp_of(t)
        lo, hi = (1 - mpmath.sqrt(cm)) ** 2, (1 + mpmath.sqrt(cm)) ** 2

        def dens(s):  # continuous part of μ_c (mass min(1, 1/c)); atom 1 − 1/c at 0 when c > 1
            return mpmath.sqrt(max((hi - s) * (s - lo), 0)) / (2 * mpmath.pi * cm * s)

        atom = max(1 - 1 / cm, 0)
        m = mpmath.quad(lambda s: dens(s) / (s + tm), [lo, hi]) + atom / tm
        dm = mpmath.quad(lambda s: dens(s) / (s + tm) ** 2, [lo, hi]) + atom / tm**2
        got_mp = nt.mp_stieltjes(cm, tm)
        assert abs(got_mp[0] - m) <= mpmath.mpf(10) ** -12 * m
        assert abs(got_mp[1] - dm) <= mpmath.mpf(10) ** -12 * dm
    got_np = nt.mp_stieltjes(np.array([c]), np.array([t]), np.sqrt)
    assert close(got_np[0], m) and close(got_np[1], dm)


def test_public_ntk_terms_backends_agree():
    """``ntk_terms(..., sqrt=np.sqrt)`` on arrays equals the mpmath default at the same inputs."""
    kappa, p1, a, s = 0.3, np.array([0.5, 1.0, 3.0]), 0.25, 0.1
    got = nt.ntk_terms(kappa, p1, a, s, np.sqrt)
    with mpmath.workdps(40):
        for i, p in enumerate(p1):
            exact = nt.ntk_terms(mp_of(kappa), mp_of(p), mp_of(a), mp_of(s))
            for g, e in zip(got, exact, strict=True):
                assert close(g[i], e)
