"""Exact parameter parsing, the precision ladder, results."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from asymptotics._validate import check_int, check_real, exact_str, to_complex_fractions, to_fraction
from asymptotics.errors import ConvergenceError, ParameterError
from asymptotics.precision import certify, check_dps
from asymptotics.result import format_complex, format_real


@pytest.mark.parametrize(
    "value,expected",
    [
        ("0.1", Fraction(1, 10)),
        (0.1, Fraction(1, 10)),
        (np.float64(0.1), Fraction(1, 10)),
        ("1e-3", Fraction(1, 1000)),
        ("1/3", Fraction(1, 3)),
        (Decimal("2.5"), Fraction(5, 2)),
        (sp.Rational(2, 7), Fraction(2, 7)),
        (7, Fraction(7)),
        (np.int64(4), Fraction(4)),
        (mpmath.mpf("0.5"), Fraction(1, 2)),
    ],
)
def test_exact_parsing(value, expected):
    assert to_fraction("x", value) == expected


def test_mpf_parameters_keep_their_precision():
    with mpmath.mp.workdps(50):
        x = mpmath.mpf(1) / 3
    f = to_fraction("x", x)
    assert abs(f - Fraction(1, 3)) < Fraction(1, 10**49)


@pytest.mark.parametrize("bad", ["abc", float("nan"), "nan", None, [1], 1 + 2j, True])
def test_parse_rejects(bad):
    with pytest.raises(ParameterError, match="`x`"):
        to_fraction("x", bad)


def test_ranges_and_messages():
    with pytest.raises(ParameterError, match=r"`lam` must be ≥ 0 and finite; got -0.1"):
        check_real("lam", -0.1, low=0)
    with pytest.raises(ParameterError, match=r"`gamma` must be > 0"):
        check_real("gamma", "0", low=0, low_open=True)
    assert check_real("lam", "inf", low=0, allow_inf=True) == float("inf")
    with pytest.raises(ParameterError, match="finite"):
        check_real("lam", "inf", low=0)
    with pytest.raises(ParameterError, match="integer"):
        check_int("k", "2.5")
    assert check_int("k", "3") == 3


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1+0.5j", (Fraction(1), Fraction(1, 2))),
        ("-2-1e-3j", (Fraction(-2), Fraction(-1, 1000))),
        ("0.5j", (0, Fraction(1, 2))),
        ("3", (3, 0)),
    ],
)
def test_complex_parsing(text, expected):
    assert to_complex_fractions("z", text) == expected


def test_exact_str_round_trip():
    for f in (Fraction(1, 1000), Fraction(-5, 4), Fraction(123456789, 10**12), Fraction(7)):
        assert Fraction(exact_str(f)) == f
    assert exact_str(Fraction(1, 3)) == "1/3"


def test_dps_checks():
    assert check_dps(30) == 30
    for bad in (0, -1, 1.5, "x", True, 10**6):
        with pytest.raises(ParameterError, match="dps"):
            check_dps(bad)


def test_certify_detects_precision_loss():
    # a quantity whose value depends on the working precision never certifies
    def evaluate():
        return mpmath.mpf(mpmath.mp.dps), None

    with pytest.raises(ConvergenceError, match="could not certify"):
        certify(evaluate, 30, what="test")


def test_certify_returns_rounded_value_and_estimate():
    c = certify(lambda: (mpmath.sqrt(2), None), 40, what="sqrt2")
    with mpmath.mp.workdps(60):
        assert abs(c.value - mpmath.sqrt(2)) < mpmath.mpf(10) ** -39
    assert c.error_estimate < mpmath.mpf(10) ** -40


def test_formatting():
    with mpmath.mp.workdps(40):
        x = mpmath.mpf(1) / 3
    assert format_real(x, 30) == "0." + "3" * 30
    assert format_real(mpmath.inf, 10) == "inf"
    assert complex(format_complex(mpmath.mpc("0.25", "-1e-20"), 12)) == complex(0.25, -1e-20)


def test_complex_result_formatting_keeps_all_digits():
    from asymptotics.models import marchenko_pastur as M

    r = M.stieltjes("1+0.5j", "0.5", dps=30)
    with mpmath.mp.workdps(50):
        z, g = mpmath.mpc(1, "0.5"), mpmath.mpf("0.5")
        a, b = (1 - mpmath.sqrt(g)) ** 2, (1 + mpmath.sqrt(g)) ** 2
        ref = ((1 - g) - z + mpmath.sqrt(z - a) * mpmath.sqrt(z - b)) / (2 * g * z)
        d = r.to_dict()
        assert abs(mpmath.mpf(d["imag"]) - ref.imag) < mpmath.mpf(10) ** -29
        assert abs(mpmath.mpf(d["real"]) - ref.real) < mpmath.mpf(10) ** -29
        assert d["value"] == str(r) == f"{d['real']}+{d['imag']}j"


def test_exact_str_uses_scientific_notation_for_tiny_values():
    for text, shown in [("1e-60", "1e-60"), ("-2.5e-30", "-2.5e-30"), ("0.001", "0.001"), ("0.00003", "0.00003")]:
        assert exact_str(Fraction(text)) == shown
        assert Fraction(exact_str(Fraction(text))) == Fraction(text)
