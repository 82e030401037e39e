"""``rf scaling_exponents`` and the scaling laws of ``rf`` with ``spectrum=power_law:p=inf`` (issue 18).

The predicted exponents are checked against a table derived by hand (docs/models/rf.md, "Scaling laws"), and
against the log–log slopes of our own risk curves: ridgeless (``lam = 0``), noiseless, over two decades, within
±0.05.  ``N = ∞`` is reached two ways: the rf curve at ``N = 10⁷n`` where its projection error is negligible, and
the kernel limit written as ``learning_curve`` (kernel eigenvalues ``cⱼ = μ₁²j^{−α}/ζ(α)``, ridge ``δ = μ⋆²``,
target powers ``∝ j^{−(α+β)}``), which the rf curve matches there.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.activations import coefficients_float, get_activation
from asymptotics.errors import ParameterError
from asymptotics.models import learning_curve as lc
from asymptotics.models.random_features import curve_values, scaling_exponents

TOL = 0.05


def spec(a: float, b: float) -> str:
    return f"power_law:p=inf,alpha={a},beta={b}"


def slope(x: np.ndarray, y: np.ndarray) -> float:
    return -float(np.polyfit(np.log(x), np.log(y), 1)[0])


def predicted(a: float, b: float, act: str) -> tuple[float, ...]:
    return tuple(float(v) for v in scaling_exponents(spec(a, b), act, dps=15).value)


@pytest.mark.parametrize(
    "a, b, act, expect",
    [
        ("3/2", "3/2", "linear", (Fraction(3, 2), 2, Fraction(3, 2))),  # t = 4/3 < 2
        ("3/2", "3", "linear", (Fraction(3, 2), 3, Fraction(3, 2))),  # t = 7/3 > 2: saturated at 2 alpha
        ("2", "2", "linear", (2, 3, 2)),  # t = 3/2
        ("3/2", "3/2", "relu", (1, Fraction(4, 3), 1)),  # mu* > 0: a = 1
        ("5/4", "4", "tanh", (1, 2, 1)),  # t = 17/5
    ],
)
def test_exponent_table(a, b, act, expect):
    got = scaling_exponents(f"power_law:p=inf,alpha={a},beta={b}", act, dps=20)
    for want, value in zip(expect, got.value, strict=True):
        want = Fraction(want)
        assert abs(value - mpmath.mpf(want.numerator) / want.denominator) < mpmath.mpf(10) ** -19
    assert got.proven


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(spectrum="power_law:p=1000,alpha=2,beta=2"), "spectrum"),
        (dict(spectrum="blocks:1/1/1"), "spectrum"),
        (dict(spectrum="power_law:p=inf,alpha=1,beta=2"), "spectrum"),
        (dict(spectrum="power_law:p=inf,alpha=2,beta=2", activation="abs"), "activation"),  # mu1 = 0
    ],
)
def test_refused(kw, name):
    with pytest.raises(ParameterError, match=f"`{name}`"):
        scaling_exponents(**kw)


@pytest.mark.parametrize("a, b, act", [(1.5, 1.5, "linear"), (2, 2, "linear"), (1.5, 3, "relu"), (3, 2, "relu"), (2, 2, "tanh")])
def test_feature_exponent_fits_the_risk_curve(a, b, act):
    """e_N (= e_joint): risk over N in [1e5, 1e7] at n = 2N (the factor 1/(1 - N/n) is constant on the path)."""
    N = np.logspace(5, 7, 5)
    v, st = curve_values("risk", N=N, n=2 * N, lam=0.0, activation=act, spectrum=spec(a, b))
    assert np.all(st == 0)
    eN, _, ej = predicted(a, b, act)
    assert abs(slope(N, v) - eN) < TOL and ej == eN


def kernel_risk(n: np.ndarray, a: float, b: float, act: str) -> tuple[np.ndarray, np.ndarray]:
    """The N = inf risk as learning_curve's KRR: eta_j = c_j / C-scaled (c = 1, ridge mu*^2/C), powers j^-(a+b)."""
    _, m1, ms2 = coefficients_float(get_activation(act))
    za, zb, zab = (float(mpmath.zeta(x)) for x in (a, b, a + b))
    C = m1 * m1 / za
    v, st = lc.curve_values("test_error", n=n, lam=ms2 / C, spectrum=f"power_law:alpha={a},beta={a + b}")
    return v * zab / zb, st


@pytest.mark.parametrize("a, b, act", [(1.5, 1.5, "linear"), (2, 2, "relu")])
def test_sample_exponent_fits_the_risk_curve(a, b, act):
    """e_n: rf risk over n in [1e3, 1e5] at N = 1e7 n (N = inf on this range: equal to the kernel limit to 1e-3)."""
    n = np.logspace(3, 5, 5)
    v, st = curve_values("risk", N=1e7 * n, n=n, lam=0.0, activation=act, spectrum=spec(a, b))
    k, sk = kernel_risk(n, a, b, act)
    assert np.all(st == 0) and np.all(sk == 0)
    np.testing.assert_allclose(v, k, rtol=1e-3)
    assert abs(slope(n, v) - predicted(a, b, act)[1]) < TOL


@pytest.mark.parametrize("a, b, act", [(1.5, 3, "linear"), (2, 2, "linear"), (1.5, 3, "relu"), (3, 2, "relu")])
def test_sample_exponent_in_the_kernel_limit(a, b, act):
    """e_n where the N-bottleneck of N = 1e7 n still shows (beta large): the N = inf curve, n in [1e4, 1e6]."""
    n = np.logspace(4, 6, 5)
    k, sk = kernel_risk(n, a, b, act)
    assert np.all(sk == 0)
    assert abs(slope(n, k) - predicted(a, b, act)[1]) < TOL
