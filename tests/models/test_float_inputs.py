"""The float64 curve functions are public API too: bad inputs raise ParameterError naming the
parameter, and a value is never NaN with status 0 (regressions found by tests/test_fuzz_api.py)."""

import math

import numpy as np
import pytest

from asymptotics._validate import float_arrays
from asymptotics.errors import ParameterError
from asymptotics.models import krr, marchenko_pastur, neural_tangent, random_features, ridge


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: marchenko_pastur.density_curve(0.5, 0.5, "abc"), "sigma2"),
        (lambda: marchenko_pastur.cdf_curve(None, 0.5), "x"),
        (lambda: marchenko_pastur.stieltjes_curve("-1", "1+2j"), "gamma"),
        (lambda: ridge.curve_values("risk", gamma="1/3"), "gamma"),
        (lambda: ridge.curve_values("risk", gamma=np.ones(2), lam=np.ones(3)), "broadcast"),
        (lambda: random_features.curve_values("risk", psi1=10**400, psi2=1), "psi1"),
        (lambda: random_features.curve_values("risk", psi2=1, N_over_n="x"), "N_over_n"),
        (lambda: neural_tangent.curve_values("risk", psi2=1, tau2=1j), "tau2"),
        (lambda: neural_tangent.curve_values("risk", psi2=1, layers=np.array([0.5, 1.0])), "layers"),
        (lambda: neural_tangent.curve_values("risk", psi2=1, psi1=1, d="1e400"), "d"),
        (lambda: krr.curve_values("risk", d=12, n=40, F=None), "F"),
        (lambda: krr.curve_values("risk", d=12, n="abc"), "n"),
    ],
)
def test_bad_float_inputs_name_the_parameter(call, name):
    with pytest.raises(ParameterError, match=name):
        call()


def test_float_arrays_accepts_numbers_text_and_fractions():
    from fractions import Fraction

    a, b, c = float_arrays(a="0.5", b=Fraction(1, 4), c=np.arange(3))
    assert a.shape == b.shape == c.shape == (3,) and a[0] == 0.5 and b[0] == 0.25
    (z,) = float_arrays(complex, z="1+2j")
    assert z == 1 + 2j


@pytest.mark.parametrize(
    "values, status",
    [
        krr.curve_values("risk", d=12, n=40, lam=np.array([1e300, 0.1])),
        ridge.curve_values("risk", gamma=np.array([1e300, 0.5]), lam=0.1),
        marchenko_pastur.cdf_curve(0.0, np.array([math.inf, 0.5]), 0.25),
        marchenko_pastur.density_curve(0.5, np.array([math.inf, 0.5]), 1.0),
        marchenko_pastur.stieltjes_curve(-1.0, np.array([math.inf, 0.5]), 1.0),
    ],
)
def test_nan_never_has_status_zero(values, status):
    values, status = np.asarray(values), np.asarray(status)
    nan = np.isnan(values.real) if np.iscomplexobj(values) else np.isnan(values)
    assert not np.any(nan & (status == 0))
    assert status[-1] == 0 and np.isfinite(values[-1])  # the ordinary point is untouched


def test_nt_regime_check_with_astronomical_width():
    """psi1 = 1e400 with d: Nd/n overflows a float; it is as deep in the regime as psi1 = inf."""
    from asymptotics.models.neural_tangent import risk

    assert risk(psi2="2", lam="0.1", psi1="1e400", d="12", dps=15).value == risk(psi2="2", lam="0.1", dps=15).value
