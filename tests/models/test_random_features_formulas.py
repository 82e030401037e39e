"""RF formulas written once (``f(B, ...)``): the float64 backend agrees with the certified one.

Each closed form and fixed-point map of :mod:`asymptotics.models.random_features` and
:mod:`asymptotics.models._rf_common` is one function of a backend.  At drawn well-conditioned
points (away from the interpolation threshold, where the float64 path declares its own accuracy)
the numpy evaluation must equal the mpmath evaluation at 40 digits of the *same* float inputs to
1e-9 relative.  ``ridge_on_x`` is also checked against the textbook isotropic-ridge forms with
``κ`` found by ``mpmath.findroot`` (independent of the code under test).
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from asymptotics.backend import MP, NP
from asymptotics.models import random_features as RF
from asymptotics.models._rf_common import ridge_on_x
from asymptotics.solve.roots import increasing_root

RTOL = 1e-9

pos = st.floats(0.05, 20.0)
ridge = st.floats(1e-3, 10.0)
coef = st.floats(0.05, 2.0)


def mp_of(x):
    """The exact binary value of a float, as an mpf at the current precision."""
    return mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator if np.isfinite(x) else mpmath.mpf(x)


def close(got, exact):
    """``got`` (float64) equals ``exact`` (mpf) to RTOL relative (both +inf also counts)."""
    got = float(got)
    if mpmath.isinf(exact) or np.isinf(got):
        return got == float(exact)
    return abs(got - float(exact)) <= RTOL * max(abs(float(exact)), 1e-300)


def both(fn, *args):
    """``fn(NP, float64 args)`` and ``fn(MP, the same values at 40 digits)``."""
    got = fn(NP, *[np.float64(a) for a in args])
    with mpmath.workdps(40):
        exact = fn(MP, *[mp_of(a) for a in args])
    return got, exact


def mp_root(h, dh, lo, hi):
    q, _ = increasing_root(h, dh, lo, hi, ops=MP, rtol=mpmath.mpf(10) ** -36)
    return q, True


def np_root(h, dh, lo, hi):
    return increasing_root(h, dh, lo, hi, ops=NP, rtol=1e-15, throw=False)


@settings(max_examples=30, deadline=None)
@given(pos, pos, ridge, coef, coef)
def test_general_fixed_point_float64_equals_certified(p1, p2, lam, mu1sq, ms2):
    assume(abs(p1 - p2) > 0.05 * min(p1, p2) or lam > 0.05)
    with np.errstate(all="ignore"):
        got = RF._general(NP, *(np.array([v]) for v in (p1, p2, lam)), mu1sq, ms2, np.array([False]), np_root)
    with mpmath.workdps(40):
        exact = RF._general(MP, mp_of(p1), mp_of(p2), mp_of(lam), mp_of(mu1sq), mp_of(ms2), False, mp_root)
    assert bool(got["conv"][0])
    for g, e in zip(got["out"], exact["out"], strict=True):
        assert close(g[0], e)


@settings(max_examples=30, deadline=None)
@given(pos, pos, st.floats(1e-8, 10.0), coef)
def test_zeta0_float64_equals_certified(p1, p2, lam, ms2):
    got, exact = both(lambda B, *a: RF._zeta0(B, *a, False)[0], p1, p2, lam, ms2)
    for g, e in zip(got, exact, strict=True):
        assert close(g, e)


@settings(max_examples=30, deadline=None)
@given(pos, st.one_of(st.just(0.0), ridge), coef, st.sampled_from([0.0, 0.3, 1.0]))
def test_limits_float64_equal_certified(psi, lam, mu1sq, ms2):
    assume(lam > 0 or ms2 > 0)
    for fn in (lambda B, *a: RF._kernel_limit(B, *a)[0], RF._data_limit):
        got, exact = both(fn, psi, lam, mu1sq, ms2)
        for i, (g, e) in enumerate(zip(got, exact, strict=True)):
            if fn is RF._data_limit and i == 0:  # 𝓑 = 1 − ψ₁ + T₁ + T₂ cancels: its a-priori float64 bound applies
                bound = float(RF._data_limit_error(np.array([psi]), np.array([lam]), mu1sq, ms2)[0])
                assert abs(float(g) - float(e)) <= max(RTOL * abs(float(e)), bound)
            else:
                assert close(g, e)
    got, exact = both(RF._chi_limit, psi, lam, 0.0, 0.7)  # μ₁ = 0
    assert close(got, exact)


@settings(max_examples=30, deadline=None)
@given(pos, st.floats(1e-6, 50.0))
def test_ridge_on_x_against_textbook_forms(psi2, lp):
    got, exact = both(ridge_on_x, psi2, lp)
    for g, e in zip(got, exact, strict=True):
        assert close(g, e)
    with mpmath.workdps(50):
        g_, l_ = 1 / mp_of(psi2), mp_of(lp)
        kappa = mpmath.findroot(lambda k: k * (1 - g_ / (1 + k)) - l_, (mpmath.mpf(0), l_ + g_ + 1), solver="illinois")
        den = (1 + kappa) ** 2 - g_
        want = (kappa**2 / den, g_ / den, l_ / kappa, kappa)
    for g, w in zip(got, want, strict=True):
        assert close(g, w)


@pytest.mark.parametrize("psi2", [0.5, 1.0, 2.0])
def test_ridge_on_x_ridgeless_limits(psi2):
    """λ' = 0: least squares (ψ₂ > 1), minimum norm (ψ₂ < 1), +inf variance at ψ₂ = 1; both backends."""
    want = {0.5: (0.5, 1.0, 0.0), 1.0: (0.0, np.inf, 0.0), 2.0: (0.0, 1.0, 0.5)}[psi2]
    with np.errstate(all="ignore"):
        got, exact = both(ridge_on_x, psi2, 0.0)
    for g, e, w in zip(got[:3], exact[:3], want, strict=True):
        assert float(g) == w and float(e) == w


def test_general_threshold_and_least_squares_on_both_backends():
    """Ridgeless at ψ₁ = ψ₂ (+inf) and the μ⋆ = 0 least-squares case 𝓥 = 1/(ψ₂ − 1), selected by ``where``."""
    for B, cast in ((NP, lambda v: np.array([float(v)])), (MP, mpmath.mpf)):
        with mpmath.workdps(30), np.errstate(all="ignore"):
            thr = RF._at_threshold(B, cast(2), cast(2), cast(0) == 0, True)
            out = RF._general(B, cast(2), cast(2), cast(0), cast(1), cast("0.5"), thr, None)["out"]
            assert [float(np.ravel(v)[0]) for v in out[:3]] == [np.inf, np.inf, 0.0]
            out = RF._general(B, cast(3), cast(2), cast(0), cast(1), cast(0), B.lnot(thr), None)["out"]
            assert [float(np.ravel(v)[0]) for v in out] == [0.0, 1.0, 0.5, 0.0]
