"""Random features in polynomial scaling (``rf staircase``): N = d^kappa1 features, n = d^kappa2 samples.

Mei, Misiakiewicz & Montanari (arXiv 2101.10588): away from N ≍ n the smaller of N and n is the
bottleneck and the excess test error tends to F²_{>l}, l = floor(min(kappa1, kappa2)).  Expected values
below are sums of the energies written out by hand.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.models._staircase import rf_phase, rf_phase_curve

F = "1,1,0.5,0.25,0.125"  # F_0^2 .. F_4^2: tails above degree 0..4 are 1.875, 0.875, 0.375, 0.125, 0


@pytest.mark.parametrize(
    ("k1", "k2", "expected", "bottleneck"),
    [
        ("0.5", "3.5", Fraction(15, 8), "features"),  # l = 0: everything but F_0^2
        ("1.5", "2.5", Fraction(7, 8), "features"),  # N = d^1.5 < n: degree 1 learned
        ("2.5", "1.5", Fraction(7, 8), "samples"),  # n = d^1.5 < N: the same staircase (RF = KRR)
        ("3.7", "2.2", Fraction(3, 8), "samples"),
        ("4.5", "9", Fraction(0), "features"),  # all energy below degree 4 is learned
    ],
)
def test_golden_values(k1, k2, expected, bottleneck):
    r = rf_phase(k1, k2, F, dps=25)
    assert r.value == expected and r.proven
    assert r.extra["bottleneck"] == bottleneck and r.extra["degree_learned"] == int(min(float(k1), float(k2)))


def test_registered_and_in_the_cli(capsys):
    from asymptotics.cli import main

    assert get_model("rf").quantity("staircase").certified(kappa1="1.5", kappa2="2.5", F=F, dps=10).value == Fraction(7, 8)
    assert main(["eval", "rf", "staircase", "kappa1=2.5", "kappa2=1.5", f"F={F}", "--dps", "5"]) == 0
    assert capsys.readouterr().out.strip() == "0.87500"


@pytest.mark.parametrize(("k1", "k2", "name"), [("2", "2", "kappa2"), ("1.5", "1.5", "kappa1"), ("2", "3", "kappa1"),
                                                ("3.5", "1", "kappa2"), ("0", "1.5", "kappa1"), ("1.5", "-1", "kappa2")])
def test_transitions_and_bad_input_are_refused(k1, k2, name):
    with pytest.raises(ParameterError, match=name):
        rf_phase(k1, k2, F)


def test_float_curve_marks_the_transitions():
    k1 = np.array([0.5, 1.5, 2.0, 2.5, 3.0, np.nan, -1.0])
    values, status = rf_phase_curve(k1, 2.7, F)
    assert status.tolist() == [0, 0, 2, 0, 0, 2, 2]
    np.testing.assert_array_equal(values[:2], [1.875, 0.875])
    assert values[3] == 0.375 and values[4] == 0.375  # min(2.5, 2.7) and min(3.0, 2.7) both floor to 2
    assert np.isnan(values[[2, 5, 6]]).all()
    _, on_line = rf_phase_curve(1.5, 1.5, F)
    assert int(on_line) == 2


@given(st.floats(0.01, 8), st.floats(0.01, 8))
def test_float_curve_agrees_with_the_certified_value(k1, k2):
    values, status = rf_phase_curve(k1, k2, F)
    if int(status) != 0:
        with pytest.raises(ParameterError):
            rf_phase(k1, k2, F)
        return
    assert float(values) == float(rf_phase(k1, k2, F, dps=15).value)


@given(st.floats(0.05, 6), st.floats(0.05, 6), st.floats(0.01, 2))
def test_more_features_or_samples_never_hurt(k1, k2, step):
    """The limit is non-increasing in each exponent (energies are >= 0) and symmetric in the two."""
    a, _ = rf_phase_curve(k1, k2, F)
    b, _ = rf_phase_curve(k1 + step, k2, F)
    c, _ = rf_phase_curve(k2, k1, F)
    if np.isfinite(a) and np.isfinite(b):
        assert b <= a
    if np.isfinite(a):
        assert c == a


def test_thresholds_of_the_phase_diagram():
    from asymptotics.thresholds import thresholds

    line, steps = thresholds("rf", "staircase")
    assert line.fn(kappa1=np.array([1.5]), kappa2=np.array([1.5]))[0] == 0
    assert abs(steps.fn(kappa1=np.array([2.0]), kappa2=np.array([3.3]))[0]) < 1e-12
    assert abs(steps.fn(kappa1=np.array([2.5]), kappa2=np.array([3.3]))[0]) > 0.5
