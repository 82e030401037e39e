"""A Result behaves like the number it holds (issue 16, "Python API"): arithmetic, comparisons,
conversions, numpy, hashing, display.  Expected values come from plain mpmath/float arithmetic on
``r.value`` (or exact fractions), never from the Result methods under test."""

import copy
import dataclasses
import doctest
import math
import operator
import pickle
import re
import threading
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asymptotics.result as result_module
from asymptotics.models._registry import REGISTRY
from asymptotics.result import Result, VectorResult, format_value


def _certified(model, quantity, dps, **params):
    return REGISTRY[model].quantities[quantity].certified(**params, dps=dps)


@pytest.fixture(scope="module")
def r30():
    return _certified("ridge", "risk", 30, gamma=2, lam="0.1")


@pytest.fixture(scope="module")
def r15():
    return _certified("ridge", "risk", 15, gamma=2, lam="0.1")


@pytest.fixture(scope="module")
def z20():
    return _certified("mp", "stieltjes", 20, gamma="0.5", z="1+1j")


@pytest.fixture(scope="module")
def density():
    return _certified("mp", "density", 15, gamma="0.5", x="1")


@pytest.fixture(scope="module")
def edges():
    return _certified("mp", "edges", 20, gamma="0.25")


def _exact(x):
    """Exact rational value of an mpf (independent of the module under test)."""
    sign, man, exp, _ = mpmath.mpmathify(x)._mpf_  # mpmathify keeps every bit (mpf() would round)
    return (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)


def _close(got, expected, digits):
    with mpmath.workdps(digits + 20):
        assert abs(got - expected) <= abs(expected) * mpmath.mpf(10) ** -digits + mpmath.mpf(10) ** -(digits + 15)


OPERANDS = [2, -3, 0.1, Fraction(1, 3), Decimal("0.25"), np.float64(0.25), np.int64(3), np.float32(1.5), "mpf", "r15"]
OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


def _operand(x, r15):
    if x == "mpf":
        with mpmath.workdps(50):
            return mpmath.mpf(1) / 7  # carries 50 digits
    return r15 if x == "r15" else x


def _reference(x):
    """The operand as an mpf at 80 digits, without going through asymptotics."""
    if isinstance(x, Result):
        return x.value
    if isinstance(x, Fraction | Decimal):
        return mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else mpmath.mpf(str(x))
    if isinstance(x, np.generic):
        return mpmath.mpf(x.item())
    return mpmath.mpmathify(x)


@pytest.mark.parametrize("op", OPS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", OPERANDS, ids=str)
def test_arithmetic_is_mpmath_arithmetic_on_the_value(r30, r15, op, x):
    x = _operand(x, r15)
    with mpmath.workdps(80):
        a, b = r30.value, _reference(x)
        expected, reflected = op(a, b), op(b, a)
        if isinstance(x, Fraction) and op is operator.pow:
            reflected = op(mpmath.mpf(float(x)), a)  # Fraction.__pow__ turns itself into a float first
    if isinstance(x, mpmath.mpf):  # an mpf on the left: mpmath's own arithmetic at its current precision (documented)
        assert op(x, r30) == op(x, r30.value)
    left = op(x, r30) if not isinstance(x, np.generic | mpmath.mpf) else None  # numpy on the left: float64
    for got, want in ((op(r30, x), expected), (left, reflected)):
        if got is None:
            continue
        assert type(got) is type(want), (op, x, type(got))  # mpf; mpc for (-3) ** r, as in mpmath
        _close(got, want, 38)  # 30 digits + 10 guard digits (the operands are exact)


def test_numpy_on_the_left_is_float64(r30):
    got = np.float64(2) * r30
    assert isinstance(got, np.floating) and got == 2 * float(r30.value)
    arr = np.arange(3.0) * r30
    assert arr.dtype == np.float64 and np.array_equal(arr, np.arange(3.0) * float(r30.value))
    assert np.array_equal(r30 * np.arange(3.0), arr)  # the array decides, both ways


def test_unary_and_floor_division(r30):
    v = r30.value
    assert _exact(-r30) == -_exact(v) and +r30 == v and abs(r30) == v and isinstance(-r30, mpmath.mpf)  # exact
    q = _exact(v)
    assert r30 // Fraction(1, 4) == q // Fraction(1, 4) == 4
    assert _exact(r30 % 0.5) == q % Fraction(1, 2)
    negative = dataclasses.replace(r30, value=-r30)
    assert _exact(negative % 0.5) == (-q) % Fraction(1, 2)  # the sign of the divisor, as Python's %
    assert divmod(r30, 0.5) == (q // Fraction(1, 2), r30 % 0.5)
    assert 7 // r30 == 7 // q
    with pytest.raises(ZeroDivisionError):
        r30 / 0
    with pytest.raises(ZeroDivisionError):
        r30 // 0


@pytest.mark.parametrize("caller_dps", [7, 60])
def test_mpmath_precision_of_the_caller_never_changes(r30, z20, caller_dps):
    before = mpmath.mp.dps
    mpmath.mp.dps = caller_dps
    try:
        for fn in (
            lambda: r30 + 1, lambda: 1 - r30, lambda: r30 ** 0.5, lambda: -r30, lambda: abs(z20), lambda: z20 * 2,
            lambda: r30 // 0.3, lambda: r30 < mpmath.pi, lambda: r30 == Fraction(1, 3), lambda: hash(r30),
            lambda: float(r30), lambda: format(r30, ".4f"), lambda: np.asarray(r30), lambda: repr(r30),
            lambda: r30._repr_html_(), lambda: r30._repr_latex_(), lambda: mpmath.mpf(r30), lambda: round(r30, 3),
        ):
            fn()
            assert mpmath.mp.dps == caller_dps and mpmath.mp._prec_rounding[1] == "n"
        # the arithmetic does not depend on the caller's precision (no 7-digit rounding inside)
        with mpmath.workdps(80):
            expected = r30.value + 1
        _close(r30 + 1, expected, 38)
        # mpmath.mpf(r) rounds to the caller's precision, like mpf(an mpf); mpmathify keeps the value
        assert mpmath.mpf(r30) == +r30.value and mpmath.mpmathify(r30) == r30.value
    finally:
        mpmath.mp.dps = before


def test_conversions(r30):
    v = r30.value
    f = float(v)
    assert float(r30) == f and complex(r30) == complex(f) and np.float64(r30) == f
    assert int(r30) == 1 and math.trunc(r30) == 1 and math.floor(r30) == 1 and math.ceil(r30) == 2
    assert round(r30) == 1 and round(r30, 3) == 1.228 and isinstance(round(r30, 3), float)
    assert round(-r30 + 0) == -1
    assert bool(r30) and not bool(Result(mpmath.mpf(0), "m", "q", {}, 5))
    assert format(r30, ".6g") == format(f, ".6g") == "1.22771" and format(r30, "") == str(r30)
    assert f"{r30:.3e}" == "1.228e+00"
    assert math.isclose(r30, f) and math.isclose(r30, 1.2277070117, rel_tol=1e-10)
    assert sum([r30, r30]) == 2 * v  # 0 + r (ours), then mpf + r (mpmath's): exact here
    assert mpmath.sqrt(r30) == mpmath.sqrt(v)  # mpmath functions take a Result
    # Fraction/Decimal in comparisons are exact
    assert Result(mpmath.mpf(0.5), "m", "q", {}, 5) == Fraction(1, 2) == Decimal("0.5")
    with mpmath.workdps(15):
        third = mpmath.mpf(1) / 3
    assert Result(third, "m", "q", {}, 15) != Fraction(1, 3)  # mpmath's own == rounds the Fraction; we don't


def test_numpy_arrays(r30, r15, z20, edges):
    a = np.asarray([r30, r15])
    assert a.dtype == np.float64 and a.shape == (2,) and a.tolist() == [float(r30.value), float(r15.value)]
    assert np.asarray(r30).shape == () and np.asarray(r30, dtype=np.float32).dtype == np.float32
    c = np.asarray([z20, r30])
    assert c.dtype == np.complex128 and c[0] == complex(z20.value)
    e = np.asarray(edges)
    assert e.dtype == np.float64 and e.tolist() == [0.25, 2.25]
    with pytest.raises(ValueError, match="copy"):
        np.asarray(r30, copy=False)
    assert np.array(r30, copy=True) == float(r30.value)


def test_comparisons_between_results_of_different_dps(r30, r15):
    a, b = r30.value, r15.value
    assert (r30 == r15) is (a == b) is False  # different numbers: 30 vs 15 digits
    assert (r30 < r15) == (a < b) and (r30 > r15) == (a > b) and (r30 != r15)
    assert r30 == r30 and r30 <= r30 and r30 >= r30 and not r30 < r30
    assert r30 == dataclasses.replace(r30, params={"other": "1"})  # numeric equality: the value decides
    assert (r30 < 1.3) and (1.3 > r30) and (r30 > Fraction(6, 5)) and (r30 < mpmath.pi) and (r30 >= 1)
    assert r30 == a and a == r30 and r30 != float(a)  # the float is not the 101-bit value
    assert (r30 == "1.2") is False and (r30 != None) is True  # noqa: E711
    with pytest.raises(TypeError):
        r30 < "1.2"  # noqa: B015


def test_hash_is_consistent_with_equality(r30, r15, z20, edges):
    half = Result(mpmath.mpf(0.5), "m", "q", {"a": "1"}, 5)
    for other in (0.5, Fraction(1, 2), Decimal("0.5"), mpmath.mpf(0.5), np.float64(0.5), Result(0.5, "x", "y", {}, 9)):
        assert half == other and hash(half) == hash(other)
    assert hash(r30) == hash(r30.value) == hash(_exact(r30.value))
    assert hash(z20) == hash(z20.value)
    zc = Result(mpmath.mpc(1.5, -2.25), "m", "q", {}, 5)
    assert zc == complex(1.5, -2.25) and hash(zc) == hash(complex(1.5, -2.25))
    assert len({r30, dataclasses.replace(r30, dps=31), r15}) == 2  # equal values collapse
    assert {r30: "x"}[r30.value] == "x"
    nan = Result(mpmath.nan, "m", "q", {}, 5)
    assert nan != nan and hash(nan) == hash(nan)
    assert edges == (0.25, 2.25) and hash(edges) == hash((0.25, 2.25))


def test_complex_value(z20):
    w = z20.value
    with mpmath.workdps(60):
        expected = (w + 1) * 2
    assert isinstance(z20 + 1, mpmath.mpc)
    with mpmath.workdps(60):
        _close((z20 + 1) * 2, expected, 28)  # the second product at mpmath's precision (documented)
    assert complex(z20) == complex(w) and mpmath.mpmathify(z20) == w and z20 == w
    for op in (operator.lt, operator.le, operator.gt, operator.ge):
        with pytest.raises(TypeError, match="complex"):
            op(z20, 1)
    with pytest.raises(TypeError, match="complex"):
        float(z20)
    with pytest.raises(TypeError):
        mpmath.mpf(z20)
    assert format(z20, ".3f") == format(complex(w), ".3f")


def test_vector_value(edges):
    assert isinstance(edges, VectorResult) and isinstance(edges, Result)
    lo, hi = edges
    assert len(edges) == 2 and edges[0] == lo == mpmath.mpf(0.25) and edges[-1] == hi == 2.25
    assert isinstance(edges[1], mpmath.mpf) and edges[:1] == (lo,) and list(edges) == list(edges.value)
    assert edges == (0.25, 2.25) and edges != (0.25, 2.5) and edges != (0.25,) and edges != 0.25
    for op in (operator.add, operator.mul, operator.truediv):
        with pytest.raises(TypeError, match="vector quantity"):
            op(edges, 1)
        with pytest.raises(TypeError, match="vector quantity"):
            op(1, edges)
    with pytest.raises(TypeError, match="vector"):
        edges < 1  # noqa: B015
    with pytest.raises(TypeError):
        float(edges)
    assert format(edges, ".2f") == "[0.25, 2.25]" and str(edges) == f"[{', '.join(format_value(edges.value, 20))}]"
    assert not hasattr(edges, "_mpf_") and not hasattr(edges, "_mpc_")


def test_construction_copy_pickle_replace(r30, edges):
    for r in (r30, edges):
        for clone in (pickle.loads(pickle.dumps(r)), copy.deepcopy(r), copy.copy(r), dataclasses.replace(r)):
            assert type(clone) is type(r) and clone == r and clone.params == r.params and clone.proven == r.proven
    assert type(dataclasses.replace(edges, value=mpmath.mpf(1))) is Result
    assert type(dataclasses.replace(r30, value=(mpmath.mpf(1),))) is VectorResult
    positional = Result(mpmath.mpf(2), "m", "q", {"a": "1"}, 5, None, None, "b", None, {}, None, True)
    assert positional.branch == "b" and positional.proven and positional == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        r30.dps = 3


def test_str_unchanged_and_repr_short(r30):
    assert str(r30) == format_value(r30.value, 30) == "1.22770701169831370887349837881"
    assert repr(r30) == (
        "Result(ridge.risk(gamma=2, lam=0.1, r2=1, sigma2=1) = 1.22770701169831370887349837881, dps=30, proven)"
    )
    many = Result(mpmath.mpf(1) / 3, "user", "q", {f"param_{i}": f"{i}/7" for i in range(40)}, 15)
    text = repr(many)
    assert len(text) <= 160 and "\n" not in text and text.endswith(", ...) = 0.333333333333333, dps=15, estimate)")
    assert "param_0=0/7" in text
    assert "\n" not in repr(Result(mpmath.mpf(1), "m", "q", {"a": "x\ny"}, 5))


def test_html_and_latex_escape_user_text(r30):
    evil = Result(mpmath.mpf(1), "user<b>", "q&", {"act": "<script>alert(1)</script>"}, 5, branch="<i>b</i>")
    html = evil._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html and "<i>" not in html
    latex = evil._repr_latex_()
    assert "<" not in latex and ">" not in latex and r"\lt" in latex
    good = r30._repr_html_()
    assert "proven" in good and r30.enclosure.lo in good and "1.22770701169831370887349837881" in good
    assert r30._repr_latex_().startswith(r"$\mathrm{risk}\left(\gamma = 2,\ \lambda = 0.1,\ r^{2} = 1,")


def test_threads_at_different_precisions(r30):
    with mpmath.workdps(60):
        r60 = Result(mpmath.mpf(1) / 3, "m", "q", {}, 60)
    with mpmath.workdps(80):
        want30 = r30.value * 3
        want60 = r60.value - r30.value
    caller = mpmath.mp.prec
    errors = []

    def work(fn, want, digits):
        try:
            for _ in range(200):
                got = fn()
                with mpmath.workdps(digits + 20):
                    if abs(got - want) > abs(want) * mpmath.mpf(10) ** -digits:
                        errors.append((digits, got))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(lambda: r30 * 3, want30, 38)),
        threading.Thread(target=work, args=(lambda: r60 - r30, want60, 38)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and mpmath.mp.prec == caller


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    b=st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False),
    which=st.sampled_from(["ridge", "mp"]),
)
def test_property_float_operands(r30, density, a, b, which):
    r = r30 if which == "ridge" else density
    f = float(r.value)
    assert math.isclose(float(r + a), f + a, rel_tol=1e-15, abs_tol=1e-9)
    assert math.isclose(float(r * b), f * b, rel_tol=1e-15)
    assert math.isclose(float(a / r), a / f, rel_tol=1e-15, abs_tol=1e-300)
    assert (r < a) == (_exact(r.value) < Fraction(a)) and (r >= a) == (_exact(r.value) >= Fraction(a))
    assert (r == a) == (_exact(r.value) == Fraction(a))
    assert math.isclose(float((r - a) + a), f, rel_tol=1e-12, abs_tol=1e-9)


def test_docstring_examples():
    result = doctest.testmod(result_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15 and result.failed == 0


# ----------------------------------------------------------------------------- format on the exact value
_FLOATS = [1.5, 2.5, 0.125, 1e-5, 9.9995e-5, 123456.789, 1e22, 9.5, -3.75, 99999.5, 1e100, 5e-324, 0.1, -0.3,
           1234.5, 9.99999e-5, 999999.5, -0.0001, 0.00049, 1.7976931348623157e308, 0.0]  # fmt: skip
_SPECS = [a + b + h + c + d + t for a in ("", ">12", "*^14", "=+12", "015", "x<15") for b in ("", "+", " ")
          for h in ("", "#", "z") for c in ("", ",", "_") for d in ("", ".0", ".3", ".17", ".25")
          for t in "eEfFgGn%"]  # fmt: skip


def _r(value, dps=40):
    return Result(value, "m", "q", {}, dps)


def test_format_exact_path_agrees_with_float_formatting():
    """Values that are floats: every spec must print what Python prints for the float (its
    formatting is exact too); '%' only where x * 100 is exact in floats (Python rounds it first)."""
    bad = []
    for v in _FLOATS:
        r = _r(mpmath.mpf(v))
        for spec in _SPECS:
            if spec.endswith("%") and (abs(v) > 1e300 or Fraction(v * 100) != 100 * Fraction(v)):
                continue
            try:
                want = format(v, spec)
            except ValueError:
                want = "ValueError"
            try:
                got = format(r, spec)
            except ValueError:
                got = "ValueError"
            if got != want:
                bad.append((v, spec, want, got))
    assert not bad, bad[:5]
    z = Result(mpmath.mpc(-1234.5, 0.000125), "m", "q", {}, 20)
    for spec in (".3f", "+.2e", "^30,.4g", "*>25.1f", "#.0e", "_.2f"):
        assert format(z, spec) == format(complex(-1234.5, 0.000125), spec), spec
    with pytest.raises(ValueError):
        format(z, "015.2f")  # Python refuses zero-padding of a complex
    with pytest.raises(ValueError):
        format(_r(mpmath.mpf(1)), ",n")


def _decimal(x):
    """The exact binary value of an mpf as a Decimal (reference independent of result.py)."""
    sign, man, exp, _ = x._mpf_
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 100_000, 999_999, -999_999
        d = Decimal(man) * Decimal(2) ** exp
    return -d if sign else d


@pytest.mark.parametrize("text", ["1e400", "-2.5e-400", "1.2345678901234567890123456789012345e+50", "3.3e-7", "7e123456"])
def test_format_beyond_float_digits_and_range(text):
    with mpmath.workdps(40):
        x = mpmath.mpf(text)
    r, d = _r(x), _decimal(x)

    def ref(spec):  # Decimal prints a one-digit exponent where float prints two
        return re.sub(r"([eE][-+])(\d)$", r"\g<1>0\2", format(d, spec))

    for spec in (".3e", ".25e", ".30E", "+.12e"):
        assert format(r, spec) == ref(spec)
    for p in (25, 4):  # every exponent here is outside [-4, p): "g" is "e" at p - 1 without trailing zeros
        mant, _, exp = ref(f".{p - 1}e").partition("e")
        assert format(r, f".{p}g") == mant.rstrip("0").rstrip(".") + "e" + exp
    if abs(d.adjusted()) < 500:
        assert format(r, ".420f") == format(d, ".420f") and format(r, ".40%") == format(d, ".40%")
    assert format(r, ".3") == format(r, ".3g")  # beyond float range no 'inf'/'0': the exact value as with "g"


def test_format_with_more_digits_than_float(r30):
    with mpmath.workdps(60):
        want = mpmath.nstr(r30.value, 25, strip_zeros=False)
    assert format(r30, ".25g") == want and format(r30, ".29e") == mpmath.nstr(r30.value, 30) + "e+00"
    assert format(r30, "") == str(r30) and format(r30, ">12") == format(float(r30), ">12")


# ----------------------------------------------------------------------------- hash, int and round at the edges
def test_vector_hash_with_complex_components():
    rng = np.random.default_rng(3)
    for a, b, c in rng.uniform(-5, 5, size=(30, 3)):
        t = (complex(a, b), c)
        v = Result((mpmath.mpc(a, b), mpmath.mpf(c)), "m", "q", {}, 15)
        assert v == t and hash(v) == hash(t) and len({v, t}) == 1
    assert hash(Result((mpmath.mpf(1), mpmath.mpf(2)), "m", "q", {}, 15)) == hash((1, 2))


def test_int_and_round_at_infinity_and_beyond_float_range():
    for bad, err in (("inf", OverflowError), ("-inf", OverflowError), ("nan", ValueError)):
        r = _r(mpmath.mpf(bad))
        with pytest.raises(err):
            int(r)
        with pytest.raises(err):
            math.trunc(r)
    with mpmath.workprec(1500):
        big = _r(mpmath.mpf(2) ** 1400 + mpmath.mpf("0.125"))  # exact: about 2.6e421
    assert round(big, 2) == 2**1400 + Fraction(12, 100) and isinstance(round(big, 2), Fraction)  # half to even
    assert round(big, 1) == 2**1400 + Fraction(1, 10) and round(big) == 2**1400 == math.floor(big)
    assert int(big) == 2**1400 and round(_r(mpmath.mpf(2.675)), 2) == round(2.675, 2)  # the float's exact value
    assert isinstance(round(_r(mpmath.mpf(1.5)), 1), float)


# ----------------------------------------------------------------------------- the registry's Python calls
@pytest.mark.parametrize("model", sorted(["ridge", "mp", "krr", "lnn", "rf", "nt"]))
def test_misspelled_keyword_of_a_registered_quantity_is_parameter_error(model):
    from asymptotics.errors import ParameterError

    spec = REGISTRY[model]
    for q in spec.quantities.values():
        first = q.params[0]
        for path in ("certified", "curve"):
            fn = getattr(q, path)
            if fn is None:
                continue
            with pytest.raises(ParameterError, match="unknown parameter") as info:
                fn(**{first + "x": 1})
            assert "valid:" in str(info.value) and "\n" not in str(info.value)
    risk = REGISTRY["ridge"].quantities["risk"]
    with pytest.raises(ParameterError, match=r"^unknown parameter `gama` for ridge risk; did you mean `gamma`\? valid: gamma"):
        risk.certified(gama=2, dps=15)
    with pytest.raises(ParameterError, match="^missing parameter `gamma` for ridge risk"):
        risk.curve(lam=np.array([0.1]))
    from asymptotics.models import ridge

    with pytest.raises(ParameterError, match="did you mean `gamma`"):
        ridge.risk(gama=2)  # the module function is the registry's object
