"""ACGH19's convergence guarantee and the local acceleration criterion (asymptotics.models._lnn_guarantee).

Expected values are typed here from the theorem's constants in exact rationals (integer exponents)
or from the simplified forms derived in the module docstring, never read back from the code.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import _lnn_guarantee as g
from asymptotics.models._registry import get_model


def _close(result, exact, digits=25):
    with mpmath.workdps(digits + 10):
        value = mpmath.mpf(str(result.value)) if not isinstance(result.value, mpmath.mpf) else result.value
        ref = mpmath.mpf(exact.numerator) / exact.denominator if isinstance(exact, Fraction) else exact
        assert abs(value - ref) <= abs(ref) * mpmath.mpf(10) ** (-digits), (value, ref)


def test_exact_rational_constants():
    # N = 1: η = c²/(6144‖Φ‖²), δ = c²/256;  N = 2: η = c³/(49152‖Φ‖⁴), δ = c²/(2048‖Φ‖)
    c, phi = Fraction(1, 2), Fraction(3, 2)
    _close(g.guarantee_step(1, c, phi), c**2 / (6144 * phi**2))
    _close(g.guarantee_step(2, c, phi), c**3 / (49152 * phi**4))
    _close(g.guarantee_delta(1, c, phi), c**2 / 256)
    _close(g.guarantee_delta(2, c, phi), c**2 / (2048 * phi))
    # N = 2 at the maximal step: 1 − η c = 1 − (c/‖Φ‖)⁴/49152
    _close(g.guarantee_rate(2, c, phi), 1 - (c / phi) ** 4 / 49152, digits=28)
    r = g.guarantee_step(3, "0.5", "2", dps=40)
    assert r.proven and r.dps == 40


def test_iterations_closed_form_and_depth3():
    # T = 6144 N³ (‖Φ‖/c)^{(6N−4)/N} ln(ℓ0/ε) at η = η_max (N = 3: exponent 14/3)
    with mpmath.workdps(40):
        ratio = mpmath.mpf(2) / mpmath.mpf("0.5")
        ref = 6144 * 27 * ratio ** (mpmath.mpf(14) / 3) * mpmath.log(mpmath.mpf("0.5") / mpmath.mpf("1e-4"))
    _close(g.guarantee_iterations(3, "0.5", "2", "0.5", "1e-4"), ref)
    # a given step: T = ln(ℓ0/ε)/(η c^{2(N−1)/N}); N = 1: ln(ℓ0/ε)/η
    with mpmath.workdps(40):
        ref1 = mpmath.log(8) / mpmath.mpf("1e-6")
    _close(g.guarantee_iterations(1, "0.5", "1", "0.08", "0.01", step="1e-6"), ref1)


def test_step_range_is_exact_at_the_boundary():
    eta = Fraction(1, 24576)  # N = 1, c = 1/2, ‖Φ‖ = 1: η_max exactly
    _close(g.guarantee_rate(1, "1/2", "1", step=eta), 1 - eta, digits=29)
    with pytest.raises(ParameterError, match="step"):
        g.guarantee_rate(1, "1/2", "1", step=Fraction(1, 24575))


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"depth": 2, "margin": "1", "phi_norm": "1"}, "margin"),
        ({"depth": 2, "margin": "0", "phi_norm": "1"}, "margin"),
        ({"depth": 0, "margin": "0.5", "phi_norm": "1"}, "depth"),
        ({"depth": 2, "margin": "0.5", "phi_norm": "-1"}, "phi_norm"),
        ({"depth": 2, "margin": "0.5", "phi_norm": "1", "loss0": "0.2", "eps": "0.01"}, "loss0"),  # > (1 − ½)²/2
        ({"depth": 2, "margin": "0.5", "phi_norm": "1", "loss0": "0.1", "eps": "0.1"}, "eps"),
        ({"depth": 2, "margin": "0.5", "phi_norm": "1", "loss0": "0.1", "eps": "0.01", "step": "1"}, "step"),
    ],
)
def test_bad_input_names_the_parameter(kw, name):
    fn = g.guarantee_iterations if "loss0" in kw else g.guarantee_step
    with pytest.raises(ParameterError, match=name):
        fn(**kw)


def test_caller_precision_untouched_and_registered():
    before = mpmath.mp.dps
    g.guarantee_iterations(2, "0.9", "1", "0.005", "1e-6", dps=50)
    g.acceleration_speedup(3, "30", "0.2", dps=50)
    assert mpmath.mp.dps == before
    spec = get_model("lnn").quantities
    for q in ("guarantee_step", "guarantee_delta", "guarantee_rate", "guarantee_iterations", "acceleration_speedup"):
        assert spec[q].proof == "proven"
    assert spec["guarantee_rate"].optional == ("step",)


@settings(max_examples=25, deadline=None, database=None)
@given(
    n=st.integers(1, 6),
    c=st.fractions(Fraction(1, 100), Fraction(99, 100)),
    extra=st.fractions(Fraction(1, 100), Fraction(5)),
)
def test_guarantee_monotone_and_in_range(n, c, extra):
    phi = 1 + extra  # c < 1 < ‖Φ‖
    eta = g.guarantee_step(n, c, phi, dps=15).value
    assert 0 < eta < g.guarantee_step(n, (c + 1) / 2, phi, dps=15).value  # larger margin, larger step
    assert eta > g.guarantee_step(n, c, phi + 1, dps=15).value  # larger target, smaller step
    q = g.guarantee_rate(n, c, phi, dps=30).value
    assert 0 < q < 1
    top = (phi - c) ** 2 / 2
    t_hi = g.guarantee_iterations(n, c, phi, top, top / 100, dps=15).value
    t_lo = g.guarantee_iterations(n, c, phi, top, top / 10, dps=15).value
    assert t_hi / t_lo == pytest.approx(2, rel=1e-12)  # ln(100)/ln(10)
    # the loss after ⌈T⌉ contractions is at most ε: ℓ0 q^T ≤ ℓ0 e^{−(1−q)T} = ε
    with mpmath.workdps(40):
        assert mpmath.log(q) * mpmath.ceil(t_hi) <= -mpmath.log(100) * (1 - mpmath.mpf(10) ** -9)


# ----------------------------------------------------------------------------- acceleration criterion
def _speedup(kn, k1):
    return mpmath.log((kn + 1) / (kn - 1)) / mpmath.log((mpmath.mpf(k1) + 1) / (k1 - 1))


def test_speedup_closed_forms():
    # w⋆ along the soft direction: eigenvalues N·1 and κ → κ_N = κ/N (N ≤ κ); along the stiff one: κ_N = Nκ
    for n, k in ((2, 10), (3, 30), (4, 7)):
        _close(g.acceleration_speedup(n, k, 1), _speedup(mpmath.mpf(k) / n, k), digits=20)
        _close(g.acceleration_speedup(n, k, 0), _speedup(mpmath.mpf(n * k), k), digits=20)
        assert g.acceleration_speedup(n, k, 1).value > 1 > g.acceleration_speedup(n, k, 0).value
    assert g.acceleration_speedup(3, 1, "0.3").value == 0  # isotropic: depth cannot accelerate
    assert g.acceleration_speedup(1, 10, "0.3").value == 1
    assert mpmath.isinf(g.acceleration_speedup(2, 2, 1).value)  # κ = N along the soft direction: κ_N = 1


def test_two_by_two_agrees_with_general_criterion():
    rng = np.random.default_rng(5)
    for _ in range(10):
        k, a, n = float(rng.uniform(1.5, 50)), float(rng.uniform(0, 1)), int(rng.integers(2, 6))
        w = np.array([np.sqrt(a), np.sqrt(1 - a)]) * rng.uniform(0.3, 3)
        crit = g.local_criterion(np.diag([1.0, k]), w, n)
        assert crit.kappa_n == pytest.approx(float(g.two_by_two_condition(n, k, a, _F)), rel=1e-9)
        assert crit.speedup == pytest.approx(float(g.acceleration_speedup(n, str(k), str(a), dps=15).value), rel=1e-8)
        assert crit.accelerates == (crit.speedup > 1)
    with pytest.raises(ParameterError, match="positive definite"):
        g.local_criterion(np.diag([0.0, 1.0]), np.ones(2), 2)


class _FloatB:
    name = "float"
    num = staticmethod(float)
    sqrt = staticmethod(np.sqrt)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)


_F = _FloatB()
