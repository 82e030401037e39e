"""Exact parameter parsing, the precision ladder, results."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from asymptotics._validate import check_int, check_real, exact_str, to_complex_fractions, to_fraction, to_mpf
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


# ----------------------------------------------------------------------------- issue 13: dynamic-range guard digits
def _one_plus_lam_minus_one(lam):
    """A synthetic quantity whose value is ``lam`` but computed as ``(lam + 1) - 1`` (total cancellation)."""

    def evaluate():
        return (to_mpf(lam) + 1) - 1, None

    return evaluate


def test_certify_guard_digits_cover_the_parameters_dynamic_range():
    lam = Fraction(1, 10**55)
    evaluate = _one_plus_lam_minus_one(lam)
    # the old ladder (no parameters known): rungs of 40 and 50 digits both lose lam and agree on 0
    assert certify(evaluate, 30, what="synthetic").value == 0
    # with the request's parameters: the finer rung reaches below lam, the rungs disagree until both keep it
    c = certify(evaluate, 30, what="synthetic", params={"lam": "1e-55", "gamma": "1"})
    with mpmath.mp.workdps(80):
        assert abs(c.value - mpmath.mpf(10) ** -55) <= mpmath.mpf(10) ** -84  # exact value 1e-55, 30 digits
    assert c.working_dps == 214  # rungs 53/76 (lam lost at 53) -> 76/122 -> 122/214 (module docstring)


def test_dynamic_range_reads_every_numeric_parameter():
    from asymptotics.precision import dynamic_range

    assert dynamic_range({"lam": "1e-55", "gamma": "1"}) == 55
    assert dynamic_range({"z": "2+1e-3j", "gamma": "0.5"}) == 4  # both parts of a complex value
    assert dynamic_range({"x": "0", "gamma": "inf", "lam": "3"}) == 0  # zeros and infinities do not count
    assert dynamic_range({"spectrum": "power_law:p=1000,alpha=1,beta=0.5", "lam": "1e-2"}) == 5
    assert dynamic_range({"activation": "relu", "depth": "3000", "init": "0.5"}) == 0  # integer orders are exempt
    assert dynamic_range({"a": "1/3", "b": "3"}) == 1
    assert dynamic_range(None) == 0


def test_certify_refuses_a_range_beyond_the_working_precision_budget():
    evaluate = _one_plus_lam_minus_one(Fraction(1, 10**9000))
    with pytest.raises(ConvergenceError, match="span 18000 decades"):
        certify(evaluate, 30, what="synthetic", params={"lam": "1e-9000", "r2": "1e9000"})


def test_ridge_at_the_threshold_with_a_tiny_penalty():
    """gamma = 1, lam -> 0: kappa = (lam + sqrt(lam^2 + 4 lam))/2 (the quadratic kappa^2 - lam kappa - lam = 0 at gamma = 1)."""
    from asymptotics.models import ridge

    for lam_text, dps in (("1e-55", 30), ("1e-55", 60), ("1e-100", 60)):
        with mpmath.mp.workdps(250):
            lam = mpmath.mpf(lam_text)
            k = (lam + mpmath.sqrt(lam * lam + 4 * lam)) / 2
            bias = k * k / ((1 + k) ** 2 - 1)  # r2 = 1
            variance = 1 / ((1 + k) ** 2 - 1)  # sigma2 = 1, gamma = 1
            expected = {"kappa": k, "bias": bias, "train_error": (lam / k) ** 2 * (bias + variance + 1)}
        for quantity, ref in expected.items():
            got = getattr(ridge, quantity)(gamma=1, lam=lam_text, dps=dps).value
            with mpmath.mp.workdps(250):
                assert abs(got - ref) <= abs(ref) * mpmath.mpf(10) ** (1 - dps), (quantity, lam_text, dps)


# ----------------------------------------------------------------------------- issue 13: one size limit for every input type
HUGE_INPUTS = [
    Decimal("1e99999999"),
    Decimal("-1e-99999999"),
    mpmath.mpf("1e-99999999"),
    mpmath.mpf("-1e99999999"),
    Fraction(10**20000, 3),
    Fraction(1, 10**20000),
    10**20000,
    sp.Rational(1, 10**20000),
    sp.Integer(10**20000),
    "1e99999999",
    "1" * 30000,
    "1/" + "7" * 20500,
]


@pytest.mark.parametrize("value", HUGE_INPUTS, ids=lambda v: type(v).__name__)
def test_every_input_type_gets_the_same_size_limit(value):
    with pytest.raises(ParameterError, match="`x` = .* beyond the supported magnitudes") as info:
        to_fraction("x", value)
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "value",
    ["1e99999999j", "1+1e-99999999j", "1e99999999+1j", mpmath.mpc(1, "1e99999999"), mpmath.mpc("1e-99999999", 1)],
    ids=str,
)
def test_complex_parts_get_the_size_limit(value):
    with pytest.raises(ParameterError, match="beyond the supported"):
        to_complex_fractions("z", value)


def test_inputs_within_the_limit_stay_exact():
    assert to_fraction("x", 10**5000) == Fraction(10**5000)
    assert to_fraction("x", Decimal("1e-9999")) == Fraction(1, 10**9999)
    assert to_fraction("x", mpmath.mpf(2) ** -30000) == Fraction(1, 2**30000)
    assert to_fraction("x", np.longdouble("1e4000")) == Fraction(10**4000)  # not rounded to a double (inf)
    assert to_fraction("x", np.longdouble("0.1")) == Fraction(1, 10)
    assert to_fraction("x", sp.Float("1.5")) == Fraction(3, 2)
    assert to_fraction("x", "3/" + "7" * 5000) == Fraction(3, int("7" * 1000) * 10**4000 + int("7" * 4000))
    assert to_complex_fractions("z", np.complex64(0.5 - 0.25j)) == (Fraction(1, 2), Fraction(-1, 4))


def test_messages_never_print_a_huge_integer():
    import sys

    limit = sys.get_int_max_str_digits()
    with pytest.raises(ParameterError, match="an integer with about 5001 digits"):
        check_int("k", 10**5000, high=10)
    with pytest.raises(ParameterError, match="`dps` must be an integer in .*about 5001 digits"):
        check_dps(10**5000)
    with pytest.raises(ParameterError, match="`dps`"):
        check_dps("9" * 6000)
    with pytest.raises(ParameterError, match="`gamma` must be a real number or an array"):
        from asymptotics._validate import float_arrays

        float_arrays(gamma=10**5000)
    with pytest.raises(ParameterError, match="`gamma` must be a real number or an array"):
        float_arrays(gamma=np.longdouble("1e4000"))  # finite, beyond float64: not a silent inf
    assert to_fraction("x", exact_str(Fraction(10**5000 + 1, 3))) == Fraction(10**5000 + 1, 3)
    assert sys.get_int_max_str_digits() == limit  # exact_str no longer lifts the process-wide limit


def test_api_calls_with_huge_inputs_fail_fast_with_one_line():
    import time

    from asymptotics.models import marchenko_pastur as M
    from asymptotics.models import ridge

    start = time.perf_counter()
    for value in HUGE_INPUTS:
        with pytest.raises(ParameterError, match="`lam`"):
            ridge.risk(gamma="0.5", lam=value, dps=15)
    with pytest.raises(ParameterError, match="`dps`") as info:
        ridge.risk(gamma="0.5", lam="0.1", dps=10**5000)
    assert "\n" not in str(info.value)
    with pytest.raises(ParameterError, match="`z`"):
        M.stieltjes("1e99999999j", 2)
    assert time.perf_counter() - start < 5


def test_complex_text_is_parsed_in_linear_time():
    """The complex-number pattern matches each text one way only (a 40 000-digit text used to take > 20 s)."""
    import time

    start = time.perf_counter()
    with pytest.raises(ParameterError):
        to_complex_fractions("z", "1" * 40000 + "x")
    assert time.perf_counter() - start < 2.0
    assert to_complex_fractions("z", "2.5e3-1.j") == (Fraction(2500), Fraction(-1))
