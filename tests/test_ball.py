"""The ball backend and the proof driver (:mod:`asymptotics.ball`, issue 15).

Expected values here never come from the code under test: they are exact ``Fraction``
arithmetic, mpmath at 60 digits through the ``MP`` backend (a different number type), or
numbers written by hand.  Containment is checked with exact ``Fraction`` bounds of the balls.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
from flint import acb, arb, ctx
from hypothesis import given
from hypothesis import strategies as st

from asymptotics import formulas as F
from asymptotics.backend import MP
from asymptotics.ball import (
    AB,
    UNDECIDED,
    Ball,
    NotProven,
    Undecided,
    digits_proven,
    enclosure,
    prove,
    root_by_sign_change,
    strict_inputs,
    to_mpmath,
    workprec,
)
from asymptotics.errors import ConvergenceError
from asymptotics.precision import certify, ladder_only, proofs_enabled, round_to


# ----------------------------------------------------------------------------- helpers
def frac(a: arb) -> Fraction:
    """An exact arb (an endpoint) as a Fraction."""
    man, exp = (int(t) for t in a.man_exp())
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def bounds(b) -> tuple[Fraction, Fraction]:
    v = b.v if isinstance(b, Ball) else b
    with workprec(max(ctx.prec, 400)):
        return frac(v.lower()), frac(v.upper())


def mp_frac(x) -> Fraction:
    """An mpf as the exact Fraction it is."""
    sign, man, exp, _ = x._mpf_  # not mpf(x) (rounds), nor x.man_exp (drops the sign)
    man = -int(man) if sign else int(man)
    return Fraction(man * 2 ** int(exp)) if exp >= 0 else Fraction(man, 2 ** int(-exp))


def encloses(b, x, slack=Fraction(1, 10**55)) -> bool:
    """``x`` (an mpmath value at 60 digits) lies in the ball ``b``, up to ``slack`` relative
    (mpmath's own rounding at 60 digits)."""
    v = b.v if isinstance(b, Ball) else b
    if isinstance(v, arb) and (v.is_nan() or (not v.is_finite() and v.rad() != 0)):
        return True  # a NaN or [+/- inf] ball holds no information: vacuously rigorous
    if mpmath.isnan(x):
        return not (v.is_finite() if isinstance(v, arb) else False) or v.is_nan()
    if mpmath.isinf(x):
        return (not v.is_finite()) and (v.is_nan() or v.rad() != 0 or (v > 0) == (x > 0))
    lo, hi = bounds(v)
    q = mp_frac(x)
    s = slack * max(abs(q), Fraction(1, 10**40))
    return lo - s <= q <= hi + s


def parse_complex(text: str) -> tuple[Fraction, Fraction]:
    """``"re+imj"`` / ``"re-imj"`` (the Enclosure's complex form) as two Fractions."""
    body = text[:-1]
    for i in range(len(body) - 1, 0, -1):
        if body[i] in "+-" and body[i - 1] not in "eE":
            return Fraction(body[:i]), Fraction(body[i:])
    raise AssertionError(text)


# ----------------------------------------------------------------------------- comparisons
def test_comparisons_are_three_valued():
    one, wide = Ball(1), Ball(arb(1, Fraction(1, 2).numerator) / 2)  # [0.5 +/- 0.5]
    assert (one < 2) is True and (one > 2) is False and (one >= 1) is True and (one != 1) is False
    assert (wide < Fraction(1, 2)) is UNDECIDED and (wide > Fraction(1, 2)) is UNDECIDED
    assert (wide == Fraction(1, 2)) is UNDECIDED and (wide != Fraction(1, 2)) is UNDECIDED
    assert (wide < 2) is True and (wide >= -1) is True
    with pytest.raises(Undecided):
        bool(wide < Fraction(1, 2))
    assert issubclass(Undecided, NotProven) and issubclass(NotProven, ConvergenceError)
    with pytest.raises(TypeError):
        bool(one)
    nan = AB.nan
    assert (nan < 1) is UNDECIDED and (nan == nan) is UNDECIDED and (nan > 1) is UNDECIDED


def test_exact_inputs_are_exact():
    for x in (0.1, 1e300, 5e-324, -2.5e-310):
        b = Ball(x)
        assert b.v.is_exact() and frac(b.v) == Fraction(x)
    big = 2**300 + 1
    assert Ball(big).v.is_exact() and frac(Ball(big).v) == big
    with workprec(64):
        third = AB.num(Fraction(1, 3))
        lo, hi = bounds(third)
        assert lo < Fraction(1, 3) < hi and hi - lo < Fraction(1, 2**60)
        assert AB.num(Fraction(3, 8)).v.is_exact()
    m = mpmath.mpf(1) / 3
    assert frac(Ball(m).v) == mp_frac(m)  # an mpf is the binary number it is
    assert to_mpmath(Ball(m)) == m


def test_strict_inputs_refuse_mpmath_numbers():
    with strict_inputs():
        with pytest.raises(NotProven):
            Ball(2) * mpmath.mpf(0.1)
        with pytest.raises((NotProven, TypeError)):  # an mpmath constant is no ball input at all
            Ball(2) * mpmath.pi
        with pytest.raises(NotProven):
            AB.sqrt(mpmath.mpf(2))
        assert (Ball(2) * 0.5 == 1) is True  # a float is an exact constant, on MP as well
    assert (Ball(2) * mpmath.mpf(0.5) == 1) is True  # outside the block: exact binary number


# ----------------------------------------------------------------------------- AB vs MP on formulas.py
SPECIAL = [Fraction(0), Fraction(1), Fraction(1, 2), Fraction(1, 3), Fraction(10**-9), Fraction(10**6), Fraction(7, 5)]
nonneg = st.one_of(
    st.sampled_from(SPECIAL),
    st.fractions(min_value=0, max_value=50, max_denominator=10**6),
)
anyreal = st.one_of(nonneg, nonneg.map(lambda f: -f))


def both(fn, *args):
    """fn on MP at 60 digits and on AB at 100 bits, from the same exact Fractions."""
    with mpmath.workdps(60):
        mp_out = fn(MP, *[MP.num(a) for a in args])
    with workprec(100):
        ab_out = fn(AB, *[AB.num(a) for a in args])
    if not isinstance(mp_out, tuple):
        mp_out, ab_out = (mp_out,), (ab_out,)
    return mp_out, ab_out


def check_enclosed(mp_out, ab_out):
    for m, b in zip(mp_out, ab_out, strict=True):
        assert isinstance(b, Ball), type(b)
        assert encloses(b, m), (m, b)


@given(a=nonneg, b=anyreal, c=nonneg)
def test_positive_root_ab_encloses_mp(a, b, c):
    mp_out, ab_out = both(F.positive_root, a, b, c)
    check_enclosed(mp_out, ab_out)


@given(a=st.sampled_from([Fraction(1), Fraction(-2), Fraction(1, 3)]), r1=anyreal, r2=anyreal)
def test_quadratic_roots_ab_encloses_mp(a, r1, r2):
    # a (x - r1)(x - r2): real roots by construction
    mp_out, ab_out = both(F.quadratic_roots, a, -a * (r1 + r2), a * r1 * r2)
    check_enclosed(mp_out, ab_out)


@given(gamma=nonneg.filter(lambda g: g > 0), lam=nonneg)
def test_isotropic_kappa_and_risk_parts_ab_encloses_mp(gamma, lam):
    c = lam + gamma - 1  # exact: c = 0 exactly at gamma + lam = 1

    def kappa_and_parts(B, c, lam, g):
        root = B.hypot(c, 2 * B.sqrt(lam))
        kappa, ratio = F.isotropic_kappa(B, c, lam, root)
        return (kappa, ratio, *F.isotropic_risk_parts(B, kappa, ratio, root, g, 1, B.num(Fraction(1, 2))))

    mp_out, ab_out = both(kappa_and_parts, c, lam, gamma)
    check_enclosed(mp_out, ab_out)


@pytest.mark.parametrize(
    "gamma, lam",
    [
        (Fraction(1), Fraction(0)),
        (Fraction(1, 2), Fraction(1, 2)),
        (Fraction(1), Fraction(1, 10**40)),
        (Fraction(3), Fraction(0)),
    ],
)
def test_isotropic_boundaries_are_proven_exactly(gamma, lam):
    """c = 0 exactly, lam = 0, gamma = 1: the exact inputs decide every branch, no union."""
    c = lam + gamma - 1
    with workprec(120):
        root = AB.hypot(AB.num(c), 2 * AB.sqrt(AB.num(lam)))
        kappa, ratio = F.isotropic_kappa(AB, AB.num(c), AB.num(lam), root)
    # kappa**2 - c kappa - lam = 0, kappa >= 0, by hand
    disc = c * c + 4 * lam
    with mpmath.workdps(60):
        exact = (c + mpmath.sqrt(mpmath.mpf(disc.numerator) / disc.denominator)) / 2 if lam else MP.num(max(c, Fraction(0)))
        assert encloses(kappa, exact)
    assert kappa.v.is_exact() or kappa.v.rel_accuracy_bits() > 90


@given(c=nonneg, t=nonneg.filter(lambda t: t > 0))
def test_mp_stieltjes_neg_ab_encloses_mp(c, t):
    mp_out, ab_out = both(F.mp_stieltjes_neg, c, t)
    check_enclosed(mp_out, ab_out)
    # and m solves c t m^2 + (1 - c + t) m - 1 = 0 (independent check on the ball)
    m = ab_out[0]
    with workprec(100):
        b = AB.num(1 - c + t) * m
        res = AB.num(c * t) * m * m + b - 1
        assert (abs(res) < (abs(b) + 1) * Fraction(1, 10**20)) is True


# ----------------------------------------------------------------------------- where, classification, div
def test_where_undecided_is_the_union():
    u = AB.where(UNDECIDED, Ball(1), Ball(2))
    for x in (1, Fraction(3, 2), 2):
        assert u.v.contains(arb(Fraction(x).numerator) / Fraction(x).denominator)
    assert AB.where(True, Ball(1), Ball(2)).v == 1 and AB.where(False, Ball(1), Ball(2)).v == 2
    mixed = AB.where(UNDECIDED, Ball(1), Ball(acb(2, 3)))  # real and complex: a rectangle holding both
    assert mixed.v.contains(acb(1)) and mixed.v.contains(acb(2, 3))
    assert AB.lor(UNDECIDED, True) is True and AB.land(UNDECIDED, False) is False
    assert AB.lor(UNDECIDED, False) is UNDECIDED and AB.lnot(UNDECIDED) is UNDECIDED
    with pytest.raises(Undecided):
        AB.all(UNDECIDED)


def test_classification_of_inf_nan_and_infinite_balls():
    inf, ninf, nan = AB.inf, Ball(arb.neg_inf()), AB.nan
    whole = Ball(arb(0, arb.pos_inf().mid()))  # [+/- inf]: any real number
    assert AB.isinf(inf) is True and AB.isinf(ninf) is True
    assert AB.isfinite(inf) is False and AB.isnan(inf) is False
    # an Arb NaN means "no information" (it also comes from sqrt of a ball straddling 0), so
    # "is NaN" is not proven, nor is anything else
    for x in (nan, whole):
        assert AB.isnan(x) is UNDECIDED and AB.isinf(x) is UNDECIDED and AB.isfinite(x) is UNDECIDED
    finite = Ball(arb(3, 1))
    assert AB.isfinite(finite) is True and AB.isinf(finite) is False and AB.isnan(finite) is False
    assert AB.isinf(Ball(acb(arb.pos_inf(), 0))) is True
    assert AB.isinf(Ball(acb(arb.pos_inf(), arb.nan()))) is UNDECIDED


def test_div_by_exact_zero_has_ieee_semantics():
    assert AB.isinf(AB.div(1, 0)) is True and (AB.div(1, 0) > 0) is True
    assert AB.isinf(AB.div(Ball(-3), 0)) is True and (AB.div(-3, 0) < 0) is True
    assert AB.div(0, 0).v.is_nan()
    assert AB.div(Ball(arb(0, 1)), 0).v.is_nan()  # sign unknown
    assert not AB.div(1, Ball(arb(0, 1))).v.is_finite()  # a ball containing 0 is no exact zero
    assert AB.div(6, 3).v == 2


def test_log_of_zero_and_domains_match_mp():
    assert (AB.log(0) < 0) is True and AB.isinf(AB.log(0)) is True and mpmath.isinf(MP.log(mpmath.mpf(0)))
    assert AB.isinf(AB.log1p(-1)) is True
    assert AB.sqrt(-1).v.is_nan() and mpmath.isnan(MP.sqrt(mpmath.mpf(-1)))
    assert AB.log(Ball(-2)).v.is_nan() and AB.asin(Ball(2)).v.is_nan()
    assert AB.sqrt(0).v == 0


# ----------------------------------------------------------------------------- powers (bug fixed: arb ** int)
@pytest.mark.parametrize("n", [2, 3, 4, -2, 2.0, Fraction(2)])
@pytest.mark.parametrize("mid, rad", [(0, 1), (Fraction(-1, 4), Fraction(1, 2)), (-2, Fraction(1, 8)), (3, Fraction(1, 4))])
def test_integer_powers_of_balls_that_contain_zero_or_negatives(mid, rad, n):
    """python-flint's ``arb ** 2`` is NaN on a ball containing 0 (it uses exp(2 log x)); x**n is
    continuous, so the power must enclose every x**n of the ball."""
    b = Ball(
        arb(Fraction(mid).numerator) / Fraction(mid).denominator
        + arb(0, 1) * (arb(Fraction(rad).numerator) / Fraction(rad).denominator)
    )
    p = b**n
    k = int(n)
    lo, hi = Fraction(mid) - Fraction(rad), Fraction(mid) + Fraction(rad)
    if k < 0 and lo <= 0 <= hi:
        assert not p.v.is_finite()
        return
    plo, phi = bounds(p)
    for i in range(11):
        x = lo + (hi - lo) * i / 10
        assert plo <= x**k <= phi, (x, p)
    if k % 2 == 0 and k > 0:
        assert (p >= -Fraction(1, 10**8) * phi) is True  # even powers stay >= 0 (up to the hull's radius rounding)


def test_power_with_a_fractional_exponent_of_a_negative_ball_is_nan():
    assert (Ball(-2) ** Fraction(1, 2)).v.is_nan()
    assert (Ball(arb(0, 1)) ** 0.5).v.is_nan()
    assert encloses(Ball(2) ** Fraction(1, 2), mpmath.sqrt(2))


def test_hypot_of_a_ball_that_contains_zero_is_finite():
    h = AB.hypot(Ball(arb(0, 1)), 2)
    assert h.v.is_finite() and h.v.contains(2) and h.v.contains(arb(5).sqrt())
    h0 = AB.hypot(Ball(arb(0, 1)), 0)  # sqrt of a hull [0, 1] whose mid-radius form dips below 0
    assert h0.v.is_finite() and h0.v.contains(0) and h0.v.contains(1) and (h0 <= Fraction(11, 10)) is True


# ----------------------------------------------------------------------------- enclosures
@pytest.mark.parametrize(
    "q",
    [
        Fraction(1, 3),
        Fraction(-1, 3),
        Fraction(2, 3) * Fraction(1, 10**300),
        Fraction(-7, 3) * 10**300,
        Fraction(999_999, 1_000_000),
        Fraction(10**30 - 1, 10**30),
        Fraction(123456789, 10**17),
        Fraction(1, 7) * 10**9,
    ],
)
@pytest.mark.parametrize("dps", [5, 30])
def test_enclosure_strings_are_rounded_outwards(q, dps):
    with workprec(int(dps * 3.33) + 40):
        b = AB.num(q)
    e = enclosure(b, dps)
    lo, hi = Fraction(e.lo), Fraction(e.hi)
    assert lo <= q <= hi
    blo, bhi = bounds(b)
    assert lo <= blo and bhi <= hi  # the whole ball, not only the exact value
    assert hi - lo <= abs(q) * Fraction(1, 10**dps)  # and still tight
    assert e.rad not in ("0", "inf") and Fraction(e.rad) >= frac(b.v.rad())
    m = Fraction(e.mid)
    assert lo <= m <= hi


def test_enclosure_radius_is_an_upper_bound_beyond_double_range():
    tiny = Ball(arb(1) / 3 * arb(10) ** -330)  # radius far below the smallest double
    e = enclosure(tiny, 20)
    assert e.rad != "0" and Fraction(e.rad) >= frac(tiny.v.rad())
    with workprec(60):
        huge = Ball(arb(10) ** 400 / 3)
    e = enclosure(huge, 5)  # radius ~1e380: a float would overflow
    assert Fraction(e.rad) >= frac(huge.v.rad()) and Fraction(e.lo) <= Fraction(10**400, 3) <= Fraction(e.hi)


def test_enclosure_of_a_complex_ball():
    with workprec(100):
        z = Ball(acb(AB.num(Fraction(-1, 3)).v, AB.num(Fraction(2, 7)).v))
    e = enclosure(z, 10)
    (lr, li), (hr, hi) = parse_complex(e.lo), parse_complex(e.hi)
    assert lr <= Fraction(-1, 3) <= hr and li <= Fraction(2, 7) <= hi
    assert lr < 0 and "j" in e.mid


def test_enclosure_near_a_power_of_ten():
    with workprec(200):
        b = Ball(arb(1) - arb(10) ** -40)  # 0.999...9 (40 nines)
    e = enclosure(b, 5)
    assert Fraction(e.lo) < 1 <= Fraction(e.hi) and Fraction(e.hi) - Fraction(e.lo) <= Fraction(1, 10**9)


# ----------------------------------------------------------------------------- digits_proven
def test_digits_proven_width_criterion_is_sharp():
    # dps = 2, printed 25: width must be <= 25 * 10^-2 = 1/4, a radius of at most 1/8 (dyadic, so
    # the test is exact); Arb stores radii with 30-bit mantissas rounded up, so the two balls are
    # the nearest representable ones on each side of 1/8
    ok, wide = Ball(arb(25, 0.125 - 2.0**-32)), Ball(arb(25, 0.125 + 2.0**-32))
    assert frac(ok.v.rad()) <= Fraction(1, 8) < frac(wide.v.rad()) < Fraction(1, 8) * (1 + Fraction(1, 2**20))
    assert digits_proven(ok, mpmath.mpf(25), 2)
    assert not digits_proven(wide, mpmath.mpf(25), 2)


def test_digits_proven_rejects_a_value_off_by_one_unit():
    with workprec(200):
        b = Ball(arb(123456) / 10**5)  # 1.23456 +/- tiny
    with mpmath.workdps(30):
        assert digits_proven(b, mpmath.mpf("1.2346"), 5)
        assert not digits_proven(b, mpmath.mpf("1.2347"), 5)
        assert not digits_proven(b, mpmath.mpf("1.2344"), 5)
        assert digits_proven(-b, mpmath.mpf("-1.2346"), 5)
        assert not digits_proven(-b, mpmath.mpf("-1.2347"), 5)
        assert not digits_proven(-b, mpmath.mpf("1.2346"), 5)


def test_digits_proven_rounding_up_to_a_power_of_ten_and_exponent_form():
    with workprec(200):
        nines = Ball(arb(10) - arb(10) ** -12)  # 9.999999999999 -> "10.000" at 5 digits
        small = Ball(arb(123456) * arb(10) ** -12)  # 1.23456e-7 -> "1.2346e-7"
        big = Ball(arb(123456) * arb(10) ** 20)
    with mpmath.workdps(40):
        assert digits_proven(nines, round_to(to_mpmath(nines), 5), 5)
        assert not digits_proven(nines, mpmath.mpf("9.9998"), 5)
        assert digits_proven(small, round_to(to_mpmath(small), 5), 5)
        assert not digits_proven(small, mpmath.mpf("1.2348e-7"), 5)
        assert digits_proven(big, round_to(to_mpmath(big), 5), 5)
        assert not digits_proven(big, mpmath.mpf("1.2348e25"), 5)


def test_digits_proven_zero_inf_and_complex():
    assert digits_proven(Ball(0), mpmath.mpf(0), 30)
    assert not digits_proven(Ball(arb(0, 1)) * arb(10) ** -50, mpmath.mpf(0), 30)
    assert digits_proven(AB.inf, mpmath.inf, 30) and not digits_proven(AB.inf, -mpmath.inf, 30)
    assert not digits_proven(AB.nan, mpmath.mpf(1), 5)
    with workprec(200):
        z = Ball(acb(arb(1) / 3, arb(-2) / 3))
    with mpmath.workdps(40):
        assert digits_proven(z, round_to(to_mpmath(z), 20), 20)
        assert not digits_proven(z, mpmath.mpc(mpmath.mpf(1) / 3, mpmath.mpf("-0.6667")), 20)


# ----------------------------------------------------------------------------- prove()
def test_prove_raises_when_the_ball_stays_wide():
    calls = []

    def evaluate():
        calls.append(ctx.prec)
        return Ball(arb(1, 0.5)), None

    with pytest.raises(NotProven):
        prove(evaluate, 20, what="wide", round_value=round_to)
    assert len(calls) >= 2 and calls == sorted(calls)


def test_prove_retries_with_more_bits_when_a_little_too_wide():
    calls = []

    def evaluate():  # loses 60 bits: the first try (need + 40) falls 20 bits short
        calls.append(ctx.prec)
        third = arb(1) / 3
        return Ball(third + arb(0, 1) * arb(2) ** (60 - ctx.prec)), None

    with mpmath.workdps(15):
        p = prove(evaluate, 30, what="third", round_value=round_to)
    assert len(calls) == 2 and calls[1] > calls[0]
    assert mpmath.nstr(p.value, 30) == "0." + "3" * 30


def test_prove_gives_up_on_exact_balls_that_do_not_prove_the_value():
    with pytest.raises(NotProven):
        prove(lambda: (Ball(1), None), 10, what="exact", round_value=lambda v, d: mpmath.mpf(2))


def test_prove_turns_undecided_branches_into_not_proven():
    def evaluate():
        return AB.where(Ball(arb(0, 1)) > 0, Ball(1), Ball(2)), None  # union [1, 2]: never proven

    with pytest.raises(NotProven):
        prove(evaluate, 10, what="branch", round_value=round_to)

    def iffy():
        if Ball(arb(0, 1)) > 0:  # an `if` on an undecided comparison
            return Ball(1), None
        return Ball(2), None

    with pytest.raises(NotProven):
        prove(iffy, 10, what="if", round_value=round_to)


# ----------------------------------------------------------------------------- root_by_sign_change
def sqrt2_residual(x):
    return x * x - 2


def test_root_by_sign_change_proves_sqrt2():
    with workprec(200):
        r = root_by_sign_change(sqrt2_residual, mpmath.sqrt(2), increasing=True)
        assert r.v.contains(arb(2).sqrt())
        assert r.v.rad() < arb(2) ** -180
        neg = root_by_sign_change(sqrt2_residual, -mpmath.sqrt(2), increasing=False)  # the other root, decreasing there
        assert neg.v.contains(-arb(2).sqrt())


def test_root_by_sign_change_rejects_a_perturbed_start_and_the_wrong_branch():
    with workprec(200):
        x0 = mpmath.sqrt(2)
        with pytest.raises(NotProven):
            root_by_sign_change(sqrt2_residual, x0 * (1 + mpmath.mpf(10) ** -20), increasing=True)
        with pytest.raises(NotProven):
            root_by_sign_change(sqrt2_residual, x0, increasing=False)  # the root where f decreases is -sqrt 2
        with pytest.raises(NotProven):
            root_by_sign_change(sqrt2_residual, -x0, increasing=True)
        with pytest.raises(NotProven):  # a sign change across a pole is no root: f is not finite on the hull
            root_by_sign_change(lambda x: 1 / (x - 1), mpmath.mpf(1), increasing=False)


# ----------------------------------------------------------------------------- certify with a proof
def _third():
    return mpmath.mpf(1) / 3, None


def test_certify_proves_and_falls_back_to_the_ladder():
    def good():
        return AB.num(Fraction(1, 3)), None

    c = certify(_third, 20, what="third", prove=good)
    assert c.proven is True and Fraction(c.enclosure.lo) <= Fraction(1, 3) <= Fraction(c.enclosure.hi)
    assert mpmath.nstr(c.value, 20) == "0." + "3" * 20

    def failing():
        raise NotProven("no route")

    def wide():
        return Ball(arb(0, 1)), None

    for bad in (failing, wide):
        c = certify(_third, 20, what="third", prove=bad)
        assert c.proven is False and c.enclosure is None and mpmath.nstr(c.value, 20) == "0." + "3" * 20

    with ladder_only():
        c = certify(_third, 20, what="third", prove=good)
    assert c.proven is False


def test_certify_restores_flint_and_mpmath_precision_also_on_error():
    saved = ctx.prec
    try:
        ctx.prec = 77
        prec = mpmath.mp.prec

        def fails():
            raise ConvergenceError("never converges")

        def proof_fails():
            raise NotProven("no")

        with pytest.raises(ConvergenceError):
            certify(fails, 20, what="fails", prove=proof_fails)
        assert ctx.prec == 77 and mpmath.mp.prec == prec

        def proof_crashes():
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            certify(_third, 20, what="crash", prove=proof_crashes)
        assert ctx.prec == 77 and mpmath.mp.prec == prec
        certify(_third, 20, what="ok", prove=lambda: (AB.num(Fraction(1, 3)), None))
        assert ctx.prec == 77 and mpmath.mp.prec == prec
    finally:
        ctx.prec = saved


def test_ladder_only_nests_and_restores():
    assert proofs_enabled()
    with ladder_only():
        assert not proofs_enabled()
        with ladder_only():
            assert not proofs_enabled()
        assert not proofs_enabled()
    assert proofs_enabled()
    with pytest.raises(KeyError), ladder_only():
        raise KeyError("x")
    assert proofs_enabled()


def test_workprec_restores_on_error():
    saved, prec = ctx.prec, mpmath.mp.prec
    with pytest.raises(ValueError), workprec(300):
        assert ctx.prec == 300 and mpmath.mp.prec == 300
        raise ValueError
    assert ctx.prec == saved and mpmath.mp.prec == prec


def test_nan_and_inf_inputs():
    assert Ball(math.nan).v.is_nan() and AB.isinf(Ball(math.inf)) is True
    assert AB.isinf(Ball(mpmath.mpf("-inf"))) is True
