"""Neural tangent features in polynomial scaling (``nt phase``): N = d^kappa1 neurons (Nd parameters), n = d^kappa2.

Derivation (docs/models/nt.md): with n = inf NT learns degrees <= floor(kappa1) + 1 (GMMM, arXiv 1904.12191),
with N = inf it is KRR with n samples and learns degrees <= floor(kappa2); the smaller of Nd and n is the
bottleneck, l = floor(min(kappa1 + 1, kappa2)).  Expected values are energy sums written out by hand.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.models._staircase import nt_phase, nt_phase_curve, staircase
from asymptotics.thresholds import thresholds

F = "1,1,0.5,0.25,0.125"  # tails above degree 0..4: 1.875, 0.875, 0.375, 0.125, 0


@pytest.mark.parametrize(
    ("k1", "k2", "expected", "bottleneck"),
    [
        ("0.5", "3.5", Fraction(7, 8), "parameters"),  # Nd = d^1.5: degree 1 learned
        ("1.5", "3.2", Fraction(3, 8), "parameters"),  # Nd = d^2.5 < n: degrees <= 2
        ("2.5", "3.2", Fraction(1, 8), "samples"),  # n = d^3.2 < Nd = d^3.5: degrees <= 3
        ("0.2", "0.7", Fraction(15, 8), "samples"),  # n < d: nothing beyond the constant
        ("3.5", "9", Fraction(0), "parameters"),  # Nd = d^4.5: all energy through degree 4
    ],
)
def test_golden_values(k1, k2, expected, bottleneck):
    r = nt_phase(k1, k2, F, dps=25)
    assert r.value == expected and r.proven
    assert r.extra["bottleneck"] == bottleneck


def test_limits_are_the_staircases():
    # n >> Nd: the NT approximation staircase; N >> n: the kernel staircase
    assert nt_phase("1.3", "7.5", F).value == staircase("1.3", F, "nt").value
    assert nt_phase("6.5", "2.4", F).value == staircase("2.4", F, "kernel").value


def test_registered_in_the_cli_and_thresholds(capsys):
    from asymptotics.cli import main

    q = get_model("nt").quantity("phase")
    assert q.certified(kappa1="1.5", kappa2="2.2", F=F, dps=10).value == Fraction(3, 8)
    assert main(["eval", "nt", "phase", "kappa1=1.5", "kappa2=3.2", f"F={F}", "--dps", "5"]) == 0
    assert capsys.readouterr().out.strip() == "0.37500"
    line, steps = thresholds("nt", "phase")
    assert float(line(kappa1=1.5, kappa2=2.5)) == 0.0 and abs(float(steps(kappa1=1.0, kappa2=3.3))) < 1e-12
    assert abs(float(steps(kappa1=2.5, kappa2=3.0))) < 1e-12 and abs(float(steps(kappa1=1.5, kappa2=3.3))) > 0.5


@pytest.mark.parametrize(
    ("k1", "k2", "name"),
    [("1.5", "2.5", "kappa2"), ("1", "3.5", "kappa1"), ("2.5", "3", "kappa2"), ("0", "1.5", "kappa1"), ("1.5", "-1", "kappa2")],
)
def test_transitions_and_bad_input_are_refused(k1, k2, name):
    with pytest.raises(ParameterError, match=name):
        nt_phase(k1, k2, F)


@given(st.floats(0.01, 6), st.floats(0.01, 6))
def test_curve_matches_certified(k1, k2):
    values, status = nt_phase_curve(k1, k2, F)
    try:
        exact = nt_phase(repr(k1), repr(k2), F).value
    except ParameterError:
        assert int(status) == 2 and np.isnan(values)
        return
    assert int(status) == 0 and float(values) == float(exact)
