"""KRR on the hypercube {±1}^d: eigenvalues and the deterministic equivalent, checked independently.

* eigenvalues against the kernel operator itself: on ``{±1}^d`` the Walsh monomial ``χ_S`` is an
  exact eigenfunction of ``(Tf)(x) = 2^{−d} Σ_y h(⟨x, y⟩/d) f(y)``, so ``μ_{|S|} = (Tχ_S)(x)/χ_S(x)``
  (brute force over all ``2^d`` points, numpy), and the whole spectrum against ``eigvalsh``;
* the closed form for ``e^{cs}`` derived here: ``e^{c Σx_i/d} = Π_i e^{c x_i/d}`` factorizes, so
  ``E[e^{cs} χ_S] = sinh(c/d)^ℓ cosh(c/d)^{d−ℓ}``, ``E e^{2cs} = cosh(2c/d)^d``;
* the linear kernel ``h(s) = s`` (``μ_1 = 1/d``, all else 0): KRR is ridge on ``x`` with
  ``γ = d/n`` and normalized penalty ``λd/n``, so the DE must equal the isotropic ridge closed
  form (``asymptotics.models.ridge``, a separate code path from the general solver);
* the DE at small ``d`` against a float64 reference built here from the brute-force spectrum;
* identities (trace ``Σ C(d,ℓ)μ_ℓ = h(1)``, Parseval ``Σ C(d,ℓ)μ_ℓ² = E h²``), Kravchuk rows,
  parity zeros, exact rationals for polynomials, inputs and errors.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as Fr

import mpmath
import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.kernels import get_kernel, kravchuk_row, multiplicity
from asymptotics.models import krr as K
from asymptotics.models import ridge as R

from ._helpers import ae

CUBE = "hypercube"


def _points(d):
    return np.array(list(itertools.product([-1.0, 1.0], repeat=d)))


def _operator_eigenvalues(kernel, d):
    """``μ_ℓ`` from the kernel operator on all of ``{±1}^d``, one Walsh monomial per level (float64)."""
    x = _points(d)
    kmat = get_kernel(kernel).np(x @ x.T / d) / 2**d
    out = []
    for ell in range(d + 1):
        chi = np.prod(x[:, :ell], axis=1)
        t = kmat @ chi
        out.append(float(np.mean(t * chi)))  # χ² = 1: the Rayleigh quotient, exact for an eigenfunction
        np.testing.assert_allclose(t, out[-1] * chi, atol=1e-13)  # χ_S really is an eigenfunction
    return out, kmat


@pytest.mark.parametrize("kernel", ["exp", "exp:1/2", "relu_ntk", "relu_nngp", "poly:3", "coef:0,1,0,1", "exp(s)*(1+s**2)/2"])
@pytest.mark.parametrize("d", [5, 8])
def test_eigenvalues_against_the_kernel_operator(kernel, d):
    ref, kmat = _operator_eigenvalues(kernel, d)
    got = [float(K.eigenvalue(d, ell, kernel, domain=CUBE, dps=20).value) for ell in range(d + 1)]
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-14)
    spectrum = np.sort(np.concatenate([[m] * math.comb(d, ell) for ell, m in enumerate(got)]))
    np.testing.assert_allclose(spectrum, np.sort(np.linalg.eigvalsh(kmat)), atol=1e-13)


def test_exp_closed_form_and_identities():
    with mpmath.workdps(50):
        for d, c in [(7, "1"), (40, "1"), (300, "1/2"), (12, "3")]:
            ker = get_kernel("exp" if c == "1" else f"exp:{c}")
            cc = mpmath.mpf(Fr(c).numerator) / Fr(c).denominator
            for ell in (0, 1, 2, 5):
                want = mpmath.sinh(cc / d) ** ell * mpmath.cosh(cc / d) ** (d - ell)
                assert ae(K.eigenvalue(d, ell, ker.name, domain=CUBE, dps=40).value, want, 39)
            mus = [ker.eigenvalue(d, ell, CUBE)[0] for ell in range(d + 1)]
            assert ae(mpmath.fsum(math.comb(d, ell) * m for ell, m in enumerate(mus)), mpmath.exp(cc), 45)
            h2 = mpmath.fsum(math.comb(d, ell) * m**2 for ell, m in enumerate(mus))
            assert ae(h2, mpmath.cosh(2 * cc / d) ** d, 45) and ae(ker.second_moment(d, CUBE), h2, 45)


def test_non_closed_kernels_obey_trace_and_parseval_at_high_precision():
    # the Kravchuk sum cancels heavily at high levels: the library measures the loss and adds digits
    with mpmath.workdps(40):
        for kernel, d in [("relu_ntk", 30), ("exp(s/2)*(2+s)", 25), ("poly:4", 30)]:
            ker = get_kernel(kernel)
            mus = [ker.eigenvalue(d, ell, CUBE)[0] for ell in range(d + 1)]
            assert all(m >= 0 for m in mus)
            assert ae(mpmath.fsum(math.comb(d, ell) * m for ell, m in enumerate(mus)), ker.h1(), 35)
            assert ae(mpmath.fsum(math.comb(d, ell) * m**2 for ell, m in enumerate(mus)), ker.second_moment(d, CUBE), 35)
    # odd part of relu_ntk is s/2: μ_1 = E[s x_1]/2 = 1/(2d), odd levels >= 3 exactly 0
    assert K.eigenvalue(30, 3, "relu_ntk", domain=CUBE).value == 0
    assert ae(K.eigenvalue(30, 1, "relu_ntk", domain=CUBE).value, mpmath.mpf(1) / 60, 29)
    # polynomial kernels are exact rationals: s² = (d + 2Σ_{i<j} x_i x_j)/d², so μ_0 = 1/d, μ_2 = 2/d²
    ker = get_kernel("coef:0,0,1")
    assert ker.cube_eigenvalue(9, 2)[1] == 0 and ker._cache[("cube_poly", 9, 2)] == Fr(2, 81)
    assert ae(K.eigenvalue(9, 0, "coef:0,0,1", domain=CUBE).value, mpmath.mpf(1) / 9, 29)
    assert K.eigenvalue(9, 4, "coef:0,0,1", domain=CUBE).value == 0
    assert K.eigenvalue(9, 10, "exp", domain=CUBE).value == 0  # no level above d


def test_kravchuk_rows_and_multiplicities():
    assert kravchuk_row(4, 0) == (1, 4, 6, 4, 1)
    assert kravchuk_row(4, 1) == (1, 2, 0, -2, -1)  # (1 − t)(1 + t)³
    assert kravchuk_row(4, 4) == (1, -4, 6, -4, 1)
    for d in (3, 10, 25):
        for ell in range(d + 1):
            row = kravchuk_row(d, ell)
            assert sum(row) == (2**d if ell == 0 else 0)  # t = 1
            assert sum(c * (-1) ** j for j, c in enumerate(row)) == (2**d if ell == d else 0)  # t = −1
    assert multiplicity(10, 3, CUBE) == 120 and multiplicity(10, 11, CUBE) == 0
    assert K.multiplicity(30, 3, domain=CUBE).value == 4060 and K.multiplicity(30, 3).value == 4930


# ----------------------------------------------------------------------------- the deterministic equivalent
@pytest.mark.parametrize("lam", ["0", "0.001", "0.5"])
@pytest.mark.parametrize("d, n", [(20, 10), (20, 19), (30, 90), (50, 25)])
def test_linear_kernel_is_isotropic_ridge(d, n, lam):
    """h(s) = s: features x/√d (covariance I/d); KRR = ridge with γ = d/n and penalty λ/n in units of 1/d."""
    F, s2 = "0.3,1,0.2", "0.1"  # F_0² and F_2² are never learned: noise and risk
    gamma, lam_norm = Fr(d, n), Fr(lam) * d / n
    for domain in (CUBE, "sphere"):
        for q in ("risk", "bias", "variance", "train_error"):
            got = getattr(K, q)(d, n, "coef:0,1", lam, F, s2, domain=domain, dps=30).value
            # (both models count the never-learned energy τ² = 0.5 in the bias and as noise)
            want = getattr(R, q)(gamma, lam_norm, 1, s2, Fr(1, 2), dps=35).value
            assert ae(got, want, 28), (domain, q, got, want)


def _de_float(mus, mult, n, lam, F, sigma2):
    """Independent float64 DE (theory note §3.2), all levels listed: brentq in log κ."""
    mus, mult = np.asarray(mus), np.asarray(mult, float)
    F = np.asarray(F + [0.0] * (len(mus) - len(F)))
    on = mus > 1e-300
    lost = F[~on].sum()
    m, b, f = mus[on], mult[on], F[on]
    if lam == 0 and b.sum() <= n:
        kap = 0.0
    else:

        def g(u):
            k = math.exp(u)
            return 1 - lam / k - np.sum(b * m / (n * m + k))

        kap = math.exp(scipy.optimize.brentq(g, math.log(1e-300), math.log(lam + np.sum(b * m) + 1), xtol=1e-15, rtol=1e-15))
    e = np.sum(b * n * m**2 / (n * m + kap) ** 2)
    risk = (np.sum(f * kap**2 / (n * m + kap) ** 2) + (sigma2 + lost) * e) / (1 - e) + lost
    return kap, risk


@settings(max_examples=15)
@given(
    kernel=st.sampled_from(["exp", "relu_ntk", "poly:2", "exp(s/2)*(2+s)"]),
    d=st.integers(4, 9),
    n=st.floats(2, 600),
    lam=st.sampled_from([0.0, 1e-3, 0.1, 2.0]),
    F=st.lists(st.sampled_from([0.0, 0.25, 1.0]), min_size=1, max_size=4),
    sigma2=st.sampled_from([0.0, 0.1, 1.0]),
)
def test_de_matches_brute_force_spectrum(kernel, d, n, lam, F, sigma2):
    mus, _ = _operator_eigenvalues(kernel, d)
    mus = [m if abs(m) > 1e-12 * max(mus) else 0.0 for m in mus]  # exactly-zero levels are round-off in float64
    mult = [math.comb(d, ell) for ell in range(d + 1)]
    p = sum(c for c, m in zip(mult, mus, strict=True) if m > 1e-300)
    if lam == 0 and abs(n - p) < 0.5:
        return  # the interpolation threshold (+inf)
    kap, risk = _de_float(mus, mult, n, lam, list(F), sigma2)
    Ft = ",".join(repr(x) for x in F)
    got = K.risk(d, repr(n), kernel, repr(lam), Ft, repr(sigma2), domain=CUBE, dps=15).value
    assert float(got) == pytest.approx(risk, rel=1e-8, abs=1e-12)
    assert float(K.kappa(d, repr(n), kernel, repr(lam), Ft, repr(sigma2), domain=CUBE, dps=15).value) == pytest.approx(
        kap, rel=1e-7, abs=1e-300
    )


def test_float64_curve_and_certified_agree():
    ns = np.array([10.0, 60.0, 200.0, 700.0, 3000.0])
    for kernel in ("exp", "relu_ntk"):
        for lam in (0.0, 0.05):
            vals, status = K.curve_values("risk", 20, ns, kernel, lam, "0,1,0.5,0.2", 0.1, domain=CUBE)
            assert (status == 0).all()
            for v, n in zip(vals, ns, strict=True):
                ref = K.risk(20, n, kernel, lam, "0,1,0.5,0.2", "0.1", domain=CUBE, dps=20).value
                assert v == pytest.approx(float(ref), rel=1e-9)
    a, st_ = K.curve_values("risk", 20, alpha=np.array([0.5, 2.0]), level=2, F="0,1,0.5", sigma2=0.1, domain=CUBE)
    b, _ = K.curve_values("risk", 20, np.array([95.0, 380.0]), F="0,1,0.5", sigma2=0.1, domain=CUBE)
    assert (st_ == 0).all() and np.array_equal(a, b)


def test_per_level_formula_is_the_large_d_limit():
    """The d → ∞ per-level formula does not depend on the domain: the hypercube DE approaches it like the sphere's."""
    lim = K.risk_asymptotic(2, 1, "exp", 0, "0,1,0.5,0.3,0.1", "0.1", dps=20).value
    gaps = [
        abs(K.risk(d, alpha=2, level=1, kernel="exp", F="0,1,0.5,0.3,0.1", sigma2="0.1", domain=CUBE, dps=15).value - lim)
        for d in (50, 200, 800)
    ]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.25 * gaps[0]
    assert gaps[2] < 2e-3


def test_interpolation_and_exactness():
    # λ = 0 with more directions than samples: the interpolator, training error exactly 0
    assert K.train_error(10, 300, "exp", 0, "0,1", "0.1", domain=CUBE).value == 0
    # all 2^d directions and n > 2^d: least squares on the full Walsh basis, noise σ²(1 − 2^d/n)
    assert ae(K.train_error(10, 2000, "exp", 0, "0,1", "0.1", domain=CUBE).value, mpmath.mpf("0.0488"), 28)
    # poly:2 on the cube has exactly 1 + d + C(d,2) directions: +inf at that n with λ = 0
    assert K.risk(10, 56, "poly:2", 0, "0,1", "0.1", domain=CUBE).value == mpmath.inf
    assert K.KRRParams(10, alpha=2, level=2, domain=CUBE).n == 90


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(d=10, n=5, domain="torus"), "domain"),
        (dict(d=3, n=5, F="0,1,1,1,1", domain=CUBE), "degree"),
        (dict(d=4, alpha=1, level=5, domain=CUBE), "level"),
        (dict(d=4, n=5, domain=3), "domain"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ParameterError, match=match):
        K.risk(**kw)
