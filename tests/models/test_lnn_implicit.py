"""lnn's implicit-regularization quantities: the 2×2 norm bound (RC20) and the CP growth-time bound (RMC21).

Expected values come from independent routes: a numerical minimization of ``W₁₂W₂₁/|W₂₂|`` over the
loss ball (scipy), random matrices with ``det > 0`` (hypothesis), hand values, and quadrature of the
growth ODE; never from the closed forms under test.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import minimize

from asymptotics.backend import NP
from asymptotics.errors import ParameterError
from asymptotics.models import _lnn_implicit as imp
from asymptotics.models import linear_networks as lnn


def _brute_bound(loss: float) -> float:
    """``inf W₁₂W₂₁/|W₂₂|`` over ``(1−W₁₂)² + (1−W₂₁)² + W₂₂² = 2ℓ`` (the ratio falls as |W₂₂| grows)."""
    r = math.sqrt(2 * loss)

    def f(x: np.ndarray) -> float:
        th, ph = x
        u, v, z = r * math.sin(th) * math.cos(ph), r * math.sin(th) * math.sin(ph), r * math.cos(th)
        return (1 - u) * (1 - v) / abs(z) if z != 0 else math.inf

    best = math.inf
    for th in np.linspace(0.05, 1.5, 8):
        for ph in np.linspace(-3.0, 3.0, 9):
            res = minimize(f, [th, ph], method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 4000})
            best = min(best, res.fun)
    return best


@pytest.mark.parametrize("loss", ["1e-4", "0.01", "1/8", "0.3", "0.37", "0.38", "0.45"])
def test_norm_bound_is_the_infimum_over_the_loss_ball(loss):
    value = float(imp.norm_lower_bound(loss, dps=20).value)
    assert value == pytest.approx(_brute_bound(float(Fraction(loss))), rel=1e-7)


def test_norm_bound_hand_values_and_branches():
    # ℓ = 1/8: r² = 1/4, u² + u = 1/4, u = (√2 − 1)/2, B = (1 − u)^{3/2}/√u
    with mpmath.workdps(40):
        u = (mpmath.sqrt(2) - 1) / 2
        expected = (1 - u) ** 1.5 / mpmath.sqrt(u)
        got = imp.norm_lower_bound("1/8", dps=35).value
        assert abs(got - expected) < mpmath.mpf(10) ** -33
    # both branches give 1/2 at ℓ = 3/8; vacuous (0) from ℓ = 1/2 on
    assert float(imp.norm_lower_bound("0.375").value) == pytest.approx(0.5, abs=1e-25)
    assert float(imp.norm_bound(Fraction(3, 8) - Fraction(1, 10**12), NP)) == pytest.approx(0.5, abs=1e-9)
    assert imp.norm_lower_bound("0.5").value == 0 and imp.norm_lower_bound("7").value == 0


def test_norm_bound_small_loss_expansion_and_proof():
    # u = r² − r⁴ + …, u^{-1/2} = r^{-1}(1 + r²/2 + …), (1 − u)^{3/2} = 1 − 3r²/2 + …, so with r = √(2ℓ)
    # B(ℓ) = 1/r − r + O(r³): the remainder is ~1e-30 at ℓ = 1e-20, the r term 1.4e-10
    r = imp.norm_lower_bound("1e-20", dps=40)
    with mpmath.workdps(50):
        rr = mpmath.sqrt(mpmath.mpf("2e-20"))
        assert abs(r.value - (1 / rr - rr)) < mpmath.mpf("1e-28")
    assert r.proven


def test_library_keeps_the_callers_precision():
    with mpmath.workdps(23):
        imp.norm_lower_bound("0.01", dps=60)
        imp.growth_time_bound(4, "1e-3", "1", "2", dps=60)
        assert mpmath.mp.dps == 23


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-30, 30, allow_nan=False), min_size=4, max_size=4))
def test_every_norm_of_a_positive_det_matrix_exceeds_the_bound(entries):
    W = np.array(entries).reshape(2, 2)
    if np.linalg.det(W) <= 1e-9:
        return
    loss = 0.5 * ((W[0, 1] - 1) ** 2 + (W[1, 0] - 1) ** 2 + W[1, 1] ** 2)
    b = float(imp.norm_bound(Fraction(loss), NP))
    sv = np.linalg.svd(W, compute_uv=False)
    assert abs(W[0, 0]) >= b * (1 - 1e-12)
    for norm in (sv[0], np.sqrt(np.sum(sv**2)), sv.sum(), np.sum(np.sqrt(sv)) ** 2, np.sum(sv**0.1) ** 10):
        assert norm >= b * (1 - 1e-12)


@pytest.mark.parametrize(
    "depth, init, sigma, grad, expected",
    [(3, "1/1000", "1", "1", 9.0), (2, "0.001", "1", "0.5", math.log(1000)), (1, "0.25", "2", "0.5", 3.5)],
)
def test_growth_time_hand_values(depth, init, sigma, grad, expected):
    r = imp.growth_time_bound(depth, init, sigma, grad, dps=25)
    assert float(r.value) == pytest.approx(expected, rel=1e-15)
    assert r.proven


@pytest.mark.parametrize("depth", [3, 5, 8])
def test_growth_time_is_the_integral_of_the_rate(depth):
    s0, s1, g = 1e-2, 1.5, 0.7
    integral, _ = quad(lambda x: 1 / (depth * g * x ** (2 - 2 / depth)), s0, s1, epsabs=0, epsrel=1e-12, limit=200)
    assert float(imp.growth_time_bound(depth, "0.01", "1.5", "0.7").value) == pytest.approx(integral, rel=1e-9)


@pytest.mark.parametrize("depth", [2, 3, 6])
def test_growth_time_bounds_the_aligned_mode_and_matches_its_small_init_limit(depth):
    # an aligned mode has ⟨−∇ℓ, Ŵ⟩ = s − σ ≤ s: with G = s the bound is below lnn's time_to_learn ...
    for init in ("1e-3", "1e-8"):
        bound = imp.growth_time_bound(depth, init, "0.5", "1").value
        exact = lnn.time_to_learn(depth, init, "1", "1/2").value
        assert bound < exact
    # ... and for N ≥ 3 both approach σ₀^{-(1-2/N)}/((N−2)s) as σ₀ → 0 (lnn's time_asymptotic)
    if depth >= 3:
        bound = imp.growth_time_bound(depth, "1e-60", "0.5", "1").value
        assert bound / lnn.time_asymptotic(depth, "1e-60", "1", "1/2").value == pytest.approx(1, rel=1e-9)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: imp.norm_lower_bound("0"), "loss"),
        (lambda: imp.norm_lower_bound("-1"), "loss"),
        (lambda: imp.norm_lower_bound(None), "loss"),
        (lambda: imp.growth_time_bound(0, "0.1", "1", "1"), "depth"),
        (lambda: imp.growth_time_bound(3, "0", "1", "1"), "init"),
        (lambda: imp.growth_time_bound(3, "0.5", "0.5", "1"), "sigma"),
        (lambda: imp.growth_time_bound(3, "0.1", "1", "0"), "grad"),
        (lambda: imp.growth_time_bound(3, "0.1", "1", None), "grad"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=name):
        call()


def test_registered_on_lnn():
    from asymptotics.models._registry import get_model

    spec = get_model("lnn")
    assert spec.quantities["norm_lower_bound"].params == ("loss",)
    assert spec.quantities["growth_time_bound"].params == ("depth", "init", "sigma", "grad")
