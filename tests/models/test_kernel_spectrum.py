"""Spectrum of inner-product kernel matrices (krr kernel_density / kernel_stieltjes / kernel_edges / kernel_spike).

Expected values are derived here, not read from the code under test:

* level 1 is El Karoui's (2010) proportional limit: ``K ≈ h(0)11ᵀ + h'(0)XXᵀ/d + (h(1) − h(0) − h'(0))I``,
  so the bulk is ``h'(0)`` times a Marchenko–Pastur law of ratio ``n/d`` shifted by ``h(1) − h(0) − h'(0)``;
  the MP density is written below from its textbook closed form;
* for ``h(s) = 1 + 2s + 3s²`` on ``S^{d−1}(√d)`` the level masses are exact: ``E s² = 1/d`` gives
  ``μ_0 = 1 + 3/d``, ``B_1μ_1 = 2``, ``B_2μ_2 = 3(1 − 1/d)`` (and ``h(1) = 6``), hence the spikes and
  the finite-d bulk in closed form;
* properties: the density integrates to the bulk mass ``min(1, 1/α)``; ``Im m(x + iε)/π → ρ(x)``;
  ``m(z) = ∫ρ(t)dt/(t − z) + atom/(κ − z)`` off the support.
"""

import math
from fractions import Fraction as Fr

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics import get_model
from asymptotics.errors import ParameterError
from asymptotics.models import _kernel_spectrum as KS

mpf = mpmath.mpf


def mp_density(t, gamma, s2):
    """Textbook MP density of ratio ``gamma``, scale ``s2`` (continuous part) at ``t``."""
    a, b = s2 * (1 - mpmath.sqrt(gamma)) ** 2, s2 * (1 + mpmath.sqrt(gamma)) ** 2
    if not a < t < b:
        return mpf(0)
    return mpmath.sqrt((b - t) * (t - a)) / (2 * mpmath.pi * s2 * gamma * t)


@pytest.mark.parametrize("x", ["0.9", "1.3", "2.0"])
def test_level_one_is_el_karoui_exp(x):
    """exp kernel, n/d = 1/2: h'(0) = 1, shift h(1) − h(0) − h'(0) = e − 2."""
    r = KS.kernel_density(x, "0.5", 1, "exp", dps=25)
    expected = mp_density(mpf(x) - (mpmath.e - 2), mpf("0.5"), 1)
    assert expected > 0
    assert abs(r.value - expected) < mpf(10) ** -23 * expected
    assert r.proven


def test_level_two_polynomial_exact():
    """h = 1 + 2s + 3s² at level 2: ξ_2 = 3, κ_{>2} = 0 (d → ∞); finite d: scale 3(1 − 1/d), shift 0."""
    lo, hi = KS.kernel_edges("4", 2, "coef:1,2,3").value
    assert abs(lo - 3) < mpf(10) ** -28 and abs(hi - 27) < mpf(10) ** -28  # 3(1 ∓ 2)²
    # d = 10: B(10, 2) = 54, the 11 spike directions leave alpha' = alpha − 11/54
    lo, hi = KS.kernel_edges("4", 2, "coef:1,2,3", d=10).value
    g = 4 - mpf(11) / 54
    assert abs(lo - mpf(27) / 10 * (1 - mpmath.sqrt(g)) ** 2) < mpf(10) ** -28
    assert abs(hi - mpf(27) / 10 * (1 + mpmath.sqrt(g)) ** 2) < mpf(10) ** -28
    r = KS.kernel_density("5", "0.5", 2, "coef:1,2,3", d=10, dps=30)
    assert abs(r.value - mp_density(mpf(5), mpf(1) / 2 - mpf(11) / 54, mpf(27) / 10)) < mpf(10) ** -28
    assert r.proven


def test_spikes_polynomial_closed_form_and_limit():
    """Spike centres nμ_{d,k} + Σ_{j>k}B_jμ_j = 2n/d + 3 − 3/d (k = 1) and n(1 + 3/d) + 5 − 3/d (k = 0)."""
    d, alpha = 20, Fr(3, 2)
    n = alpha * (math.comb(d + 1, 2) - 1)  # B(d, 2) = d(d+1)/2 − 1
    r1 = KS.kernel_spike(d, "1.5", 2, 1, "coef:1,2,3", dps=30)
    r0 = KS.kernel_spike(d, "1.5", 2, 0, "coef:1,2,3", dps=30)
    e1 = mpf(2 * n.numerator) / (d * n.denominator) + 3 - mpf(3) / d
    e0 = mpf(n.numerator) / n.denominator * (1 + mpf(3) / d) + 5 - mpf(3) / d
    assert abs(r1.value - e1) < mpf(10) ** -27 * e1 and abs(r0.value - e0) < mpf(10) ** -27 * e0
    assert r1.extra["multiplicity"] == str(d) and r0.extra["multiplicity"] == "1" and r1.proven
    # d → ∞: λ_k B(d, k)/n → ξ_k (ξ_1 = h'(0) = 1 for exp), with an O(1/d) correction
    errs = []
    for dd in (50, 400):
        nn = 2 * (dd * (dd + 1) // 2 - 1)
        errs.append(abs(KS.kernel_spike(dd, "2", 2, 1, "exp", dps=15).value * dd / nn - 1))
    assert errs[1] < errs[0] / 4 and errs[1] < 0.01


def test_bulk_mass_and_atom():
    """∫ρ = min(1, 1/α): the atom (1 − 1/α)_+ at κ_{>ℓ} is not in the density."""
    for alpha in (0.4, 2.5):
        lo, hi = (float(v) for v in KS.kernel_edges(str(alpha), 2, "exp").value)
        th = np.linspace(0, np.pi, 3001)[1:-1]
        xs = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(th)
        dens, status = KS.kernel_density_curve(xs, alpha, 2, "exp")
        assert np.all(status == 0)
        mass = np.sum(dens * (hi - lo) / 2 * np.sin(th)) * (th[1] - th[0])
        assert abs(mass - min(1, 1 / alpha)) < 1e-6


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(["0.3", "0.8", "1.7"]), st.sampled_from(["-1", "0.5+0.2j", "4-1j", "30"]))
def test_stieltjes_is_transform_of_density(alpha, z):
    """m(z) = ∫ρ(t)/(t − z)dt + (1 − 1/α)_+/(κ − z) (Gauss–Chebyshev-type quadrature of the density)."""
    a = float(alpha)
    lo, hi = (float(v) for v in KS.kernel_edges(alpha, 2, "exp").value)
    kappa = math.e - 2.5
    th = np.linspace(0, np.pi, 6001)[1:-1]
    xs = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(th)
    dens, _ = KS.kernel_density_curve(xs, a, 2, "exp")
    zz = complex(z.replace("j", "j"))
    integral = np.sum(dens * (hi - lo) / 2 * np.sin(th) / (xs - zz)) * (th[1] - th[0])
    integral += max(0.0, 1 - 1 / a) / (kappa - zz)
    m = complex(KS.kernel_stieltjes(z, alpha, 2, "exp", dps=15).value)
    assert abs(m - integral) < 1e-6 * max(1, abs(m))


def test_stieltjes_boundary_value_is_density():
    x, eps = "1.1", "1e-12"
    m = KS.kernel_stieltjes(f"{x}+{eps}j", "0.6", 2, "exp", dps=20)
    rho = KS.kernel_density(x, "0.6", 2, "exp", dps=20)
    assert abs(mpmath.im(m.value) / mpmath.pi - rho.value) < 1e-9
    assert m.proven


def test_errors_and_registry():
    with pytest.raises(ParameterError, match="level"):
        KS.kernel_density("1", "1", 0, "exp")
    with pytest.raises(ParameterError, match="alpha"):
        KS.kernel_density("1", "-1", 1, "exp")
    with pytest.raises(ParameterError, match="no level-1 bulk"):
        KS.kernel_density("1", "1", 1, "coef:1,0,1")
    with pytest.raises(ParameterError, match="support"):
        KS.kernel_stieltjes("1", "1", 2, "exp")
    with pytest.raises(ParameterError, match="`k`"):
        KS.kernel_spike(20, "1", 2, 2, "exp")
    with pytest.raises(ParameterError, match="spike directions"):
        KS.kernel_density("1", "0.01", 2, "exp", d=30)
    old = mpmath.mp.prec
    KS.kernel_density("1", "1", 2, "exp", dps=40)
    assert mpmath.mp.prec == old
    spec = get_model("krr")
    for q in ("kernel_density", "kernel_stieltjes", "kernel_edges", "kernel_spike"):
        assert q in spec.quantities
    values, status = spec.quantities["kernel_density"].curve(x=[1.0, 1e9], alpha=[1.0, 1.0], level=2, kernel="exp")
    assert status.tolist() == [0, 0] and values[1] == 0 and values[0] == pytest.approx(0.3973735047650048, rel=1e-12)
