"""Proven digits for the deep-linear-network model (issue 15; docs/proofs/lnn.md).

The enclosures are checked against values the ball route never computes: closed forms derived by
hand for depth 1 and 2 (evaluated here with mpmath at 80 digits), the elementary antiderivative
for depth 4 (F(x) = −2/√x + 2 artanh √x), the precision ladder at 60 digits, and an ODE solution.
A perturbed root and a root on the wrong side must fail the proof.
"""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest

from asymptotics import ball as bm
from asymptotics.cli import main
from asymptotics.models import linear_networks as lnn
from asymptotics.precision import ladder_only


def _q(text):
    """The exact rational ``text`` as an mpf at the current precision."""
    f = Fraction(text)
    return mpmath.mpf(f.numerator) / f.denominator


def _inside(r, exact) -> bool:
    """``lo <= exact <= hi`` (``exact`` an mpf at 80 digits) and the result proven."""
    assert r.proven, (r.quantity, r.params)
    with mpmath.workdps(90):
        return mpmath.mpf(r.enclosure.lo) <= exact <= mpmath.mpf(r.enclosure.hi)


def _ladder(fn, **kw):
    with ladder_only():
        return fn(**kw, dps=60).value


def _width(r):
    with mpmath.workdps(90):
        return (mpmath.mpf(r.enclosure.hi) - mpmath.mpf(r.enclosure.lo)) / abs(mpmath.mpf(r.enclosure.mid))


# ----------------------------------------------------------------------------- hand-derived closed forms
@pytest.mark.parametrize(
    "init, s, frac", [("1e-3", "1", "1/2"), ("0.3", "2.5", "0.999999"), ("1e-40", "0.7", "0.9"), ("0.25", "1", "0.2500000001")]
)
def test_depth_one_and_two_times_against_hand_closed_forms(init, s, frac):
    """N = 1: σ̇ = s − σ, T = ln((s − σ₀)/(s − σ₁)); N = 2: σ̇ = 2σ(s − σ), T = ln(σ₁(s − σ₀)/(σ₀(s − σ₁)))/(2s)."""
    with mpmath.workdps(80):
        s0, sv, x1 = _q(init), _q(s), _q(frac)
        s1 = x1 * sv
        t1 = mpmath.log((sv - s0) / (sv - s1))
        t2 = mpmath.log(s1 * (sv - s0) / (s0 * (sv - s1))) / (2 * sv)
        lim1 = -mpmath.log(1 - x1)
        lim2 = mpmath.log(sv / s0) / (2 * sv)
    assert _inside(lnn.time_to_learn(depth=1, init=init, s=s, frac=frac, dps=30), t1)
    assert _inside(lnn.time_to_learn(depth=2, init=init, s=s, frac=frac, dps=30), t2)
    assert _inside(lnn.time_asymptotic(depth=1, init=init, s=s, frac=frac, dps=30), lim1)
    assert _inside(lnn.time_asymptotic(depth=2, init=init, s=s, frac=frac, dps=30), lim2)


@pytest.mark.parametrize("init, s, t", [("1e-3", "1", "5"), ("0.3", "2.5", "0.1"), ("1e-40", "0.7", "50"), ("0.01", "1", "1e4")])
def test_depth_one_and_two_trajectories_against_hand_closed_forms(init, s, t):
    """N = 1: s − σ = (s − σ₀)e^{−t}; N = 2: 1/σ − 1/s = (1/σ₀ − 1/s)e^{−2st} (Bernoulli equation)."""
    with mpmath.workdps(80):
        s0, sv, tt = _q(init), _q(s), _q(t)
        sig1 = sv - (sv - s0) * mpmath.exp(-tt)
        sig2 = 1 / (1 / sv + (1 / s0 - 1 / sv) * mpmath.exp(-2 * sv * tt))
    assert _inside(lnn.trajectory(depth=1, init=init, s=s, t=t, dps=30), sig1)
    assert _inside(lnn.trajectory(depth=2, init=init, s=s, t=t, dps=30), sig2)


def test_depth_one_small_time_huge_target():
    """s − (s − σ₀)e^{−t} at 400 digits (the naive form, exact enough there): s = 1e5000, t = 1e-300.

    Regression: the ladder used the naive form at 40/50 digits, where both rungs gave 0."""
    with mpmath.workdps(400):
        sv, s0, tt = _q("1e5000"), _q("0.1"), _q("1e-300")
        want = sv - (sv - s0) * mpmath.exp(-tt)
    r = lnn.trajectory(depth=1, init="0.1", s="1e5000", t="1e-300", dps=30)
    assert _inside(r, want)
    with ladder_only():
        assert lnn.trajectory(depth=1, init="0.1", s="1e5000", t="1e-300", dps=30).value == r.value


@pytest.mark.parametrize("x0, x1", [("1e-6", "1/3"), ("0.3", "0.7"), ("0.6", "0.999999999"), ("1e-300", "0.5")])
def test_depth_four_time_against_elementary_antiderivative(x0, x1):
    """N = 4: a = −1/2, F(x) = −2/√x + 2 artanh √x (differentiate: x^{−3/2}/(1 − x)), rate 4s^{3/2}."""
    with mpmath.workdps(80):

        def f4(x):
            r = mpmath.sqrt(x)
            return -2 / r + mpmath.log1p(r) - mpmath.log1p(-r)

        a, b = _q(x0), _q(x1)
        want = (f4(b) - f4(a)) / (4 * mpmath.mpf(2) ** 1.5)
    r = lnn.time_to_learn(depth=4, init=str(Fraction(x0) * 2), s="2", frac=x1, dps=30)
    assert _inside(r, want)


@pytest.mark.parametrize("depth", [3, 5, 10000])
def test_small_init_limit_exact(depth):
    """σ₀^{−(1−2/N)}/((N − 2)s) at σ₀ = 10⁻⁶, s = 1: an exact power of 10 for N = 3 (100)."""
    with mpmath.workdps(80):
        want = mpmath.mpf(10) ** (6 * (1 - mpmath.mpf(2) / depth)) / (depth - 2)
    assert _inside(lnn.time_asymptotic(depth=depth, init="1e-6", s="1", dps=30), want)


@pytest.mark.parametrize("depth, sigma, grad", [(1, "0.3", "2"), (3, "0.3", "-2"), (7, "1e-30", "3"), (3, "0", "5")])
def test_singular_value_rate_against_hand_value(depth, sigma, grad):
    with mpmath.workdps(80):
        sg, g = _q(sigma), _q(grad)
        want = -depth * (sg * sg) ** (1 - mpmath.mpf(1) / depth) * g if depth > 1 else -g
    r = lnn.singular_value_rate(depth=depth, sigma=sigma, grad=grad, dps=30)
    assert _inside(r, want)
    if sigma == "0":
        assert r.value == 0 and r.enclosure.lo == r.enclosure.hi == "0"


# ----------------------------------------------------------------------------- ladder at 60 digits, hard points
HARD_TIMES = [
    (3, "1e-3", "1", "1/2"),
    (3, "0.3", "2.5", "0.999999999999"),
    (5, "1e-5000", "3", "0.999999"),  # x₀^a = 10^{3000}: F(x₀) huge, no cancellation with F(x₁)
    (4, "0.25", "1", "0.2500000000000000000001"),  # frac − init/s = 1e-22: F(x₁) − F(x₀) cancels 22 digits
    (10000, "0.01", "1", "1/2"),  # a = 2/N − 1 next to the pole of ψ at −1
    (3, "0.49", "1", "0.51"),  # the two series on either side of x = 1/2
]


@pytest.mark.parametrize("depth, init, s, frac", HARD_TIMES)
def test_time_to_learn_contains_ladder_at_60_digits(depth, init, s, frac):
    kw = dict(depth=depth, init=init, s=s, frac=frac)
    assert _inside(lnn.time_to_learn(**kw, dps=30), _ladder(lnn.time_to_learn, **kw))
    assert _inside(lnn.time_asymptotic(**kw, dps=30), _ladder(lnn.time_asymptotic, **kw))


HARD_TRAJECTORIES = [
    (3, "1e-3", "1", "5"),
    (3, "1e-3", "1", "500"),  # linear tail: 1 − σ/s ≈ 10^{−200}
    (3, "1e-3", "1", "1e100"),  # deep tail, z ≈ 10^{100}
    (3, "0.1", "1", "1e5000"),  # the tail's lower bound: no exp(±10^{5000}) is formed
    (5, "0.1", "2", "4.5"),  # 1 − σ/s ≈ 4e-26: z ≈ 58, below the tail
    (3, "1e-300", "1", "1e99"),  # F(x₀) ≈ −10^{100}: cancels against rate·t
    (4, "0.5", "1", "1e-30"),  # root next to z = 0 (x = 1/2)
    (6, "0.2", "1.5", "0.7"),
    (10000, "0.01", "1", "3"),
]


@pytest.mark.parametrize("depth, init, s, t", HARD_TRAJECTORIES)
def test_trajectory_contains_ladder_at_60_digits(depth, init, s, t):
    kw = dict(depth=depth, init=init, s=s, t=t)
    assert _inside(lnn.trajectory(**kw, dps=30), _ladder(lnn.trajectory, **kw))


@pytest.mark.parametrize("dps", [15, 30])
def test_root_pinned_next_to_the_initial_point(dps):
    """N = 100, init = 1e-40, t = 50: the root is within 1e-36 of logit(x₀) (the mpmath solver used to
    loop between two adjacent z at dps 15 and raise); proven, and inside the 60-digit ladder value."""
    kw = dict(depth=100, init="1e-40", s="0.7", t="50")
    assert _inside(lnn.trajectory(**kw, dps=dps), _ladder(lnn.trajectory, **kw))


def test_trajectory_contains_ode_solution():
    """σ(t) of σ̇ = 3σ^{4/3}(s − σ) by mpmath's Taylor ODE solver (no closed form involved)."""
    with mpmath.workdps(40):
        f = mpmath.odefun(lambda _t, y: 3 * mpmath.cbrt(y) ** 4 * (mpmath.mpf("1.7") - y), 0, mpmath.mpf("0.05"))
        want = f(mpmath.mpf("1.1"))
    r = lnn.trajectory(depth=3, init="0.05", s="1.7", t="1.1", dps=30)
    assert r.proven
    with mpmath.workdps(40):
        slack = mpmath.mpf("1e-35")
        assert mpmath.mpf(r.enclosure.lo) - slack <= want <= mpmath.mpf(r.enclosure.hi) + slack


def test_time_and_trajectory_invert_each_other_inside_the_enclosures():
    T = lnn.time_to_learn(depth=5, init="0.002", s="2.5", frac="0.8", dps=50)
    assert T.proven
    r = lnn.trajectory(depth=5, init="0.002", s="2.5", t=T.enclosure.mid, dps=40)
    assert _inside(r, mpmath.mpf(2))  # σ(T) = frac·s = 2, T known to 55 digits


# ----------------------------------------------------------------------------- a wrong root fails
def _ball_trajectory(t, x0, s, depth, dps=30):
    bits = int(dps * bm.BITS_PER_DIGIT) + 40
    with bm.workprec(bits):
        return lnn._trajectory_ball(Fraction(t), Fraction(x0), Fraction(s), depth)


def test_perturbed_root_fails_the_proof(monkeypatch):
    good = _ball_trajectory("5", "1/1000", "1", 3)
    assert bm.to_mpmath(good) > 0
    real = lnn._mode_trajectory

    def perturbed(t, x0, s, depth, w0=None, start=None):
        value, info = real(t, x0, s, depth, w0=w0, start=start)
        z, lost = info
        return value, (z * (1 + mpmath.mpf("1e-20")), lost)

    monkeypatch.setattr(lnn, "_mode_trajectory", perturbed)
    with pytest.raises(bm.NotProven):
        _ball_trajectory("5", "1/1000", "1", 3)
    r = lnn.trajectory(depth=3, init="1e-3", s="1", t="5", dps=30)
    assert r.proven is False  # the ladder's value, labelled as an estimate
    with ladder_only():
        assert r.value == lnn.trajectory(depth=3, init="1e-3", s="1", t="5", dps=30).value


def test_root_on_the_wrong_side_fails_the_proof(monkeypatch):
    """z* of the initial point (G = −t < 0 there) instead of the root: no sign change in the bracket."""
    real = lnn._mode_trajectory

    def start_point(t, x0, s, depth, w0=None, start=None):
        value, info = real(t, x0, s, depth, w0=w0, start=start)
        return value, (mpmath.log(x0) - mpmath.log(w0), info[1])

    monkeypatch.setattr(lnn, "_mode_trajectory", start_point)
    with pytest.raises(bm.NotProven):
        _ball_trajectory("2", "1/10", "1", 4)
    assert lnn.trajectory(depth=4, init="0.1", s="1", t="2", dps=30).proven is False


def test_float_base_would_lose_digits():
    """Regression: ``Fraction ** ball`` goes through ``float`` in Python; the formulas make the base a ball."""
    r = lnn.time_asymptotic(depth=3, init="1e-3", s="1", dps=30)
    assert _inside(r, mpmath.mpf(10))
    assert str(r) == "10.0000000000000000000000000000"


# ----------------------------------------------------------------------------- widths, proven flags, JSON
@pytest.mark.parametrize(
    "fn, kw",
    [
        (lnn.time_to_learn, dict(depth=3, init="1e-3", s="1")),
        (lnn.trajectory, dict(depth=3, init="1e-3", s="1", t="5")),
        (lnn.trajectory, dict(depth=2, init="1e-3", s="1", t="5")),
        (lnn.time_asymptotic, dict(depth=7, init="1e-3", s="1")),
        (lnn.singular_value_rate, dict(depth=3, sigma="0.3", grad="2")),
    ],
)
def test_widths_shrink_with_dps(fn, kw):
    w20, w50 = _width(fn(**kw, dps=20)), _width(fn(**kw, dps=50))
    assert w20 < mpmath.mpf("1e-20") and w50 < mpmath.mpf("1e-50") and w50 < w20 * mpmath.mpf("1e-25")


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 8])
def test_proven_everywhere_claimed_and_the_ladder_agrees(depth):
    for name, kw in [
        ("time_to_learn", dict(depth=depth, init="0.01", s="1.5", frac="0.9")),
        ("trajectory", dict(depth=depth, init="0.01", s="1.5", t="2")),
        ("trajectory", dict(depth=depth, init="0.01", s="1.5", t="0")),
        ("time_asymptotic", dict(depth=depth, init="0.01", s="1.5")),
        ("singular_value_rate", dict(depth=depth, sigma="0.2", grad="1")),
    ]:
        assert lnn.MODEL.quantities[name].proof == "proven"
        fn = getattr(lnn, name)
        r = fn(**kw, dps=30)
        with ladder_only():
            lad = fn(**kw, dps=30)
        assert r.proven and lad.proven is False and lad.enclosure is None
        assert str(r) == str(lad), (name, kw)  # the same 30 digits (none of these points is a rounding tie)


@pytest.mark.parametrize("depth, init, t", [(3, 1e-3, 5.0), (5, 0.2, 0.7), (3, 1e-30, 100.0)])
def test_float64_start_within_1e6_of_the_enclosure(depth, init, t):
    """lnn has no float64 curve; its float64 path is the Newton start of the solver: it must agree."""
    r = lnn.trajectory(depth=depth, init=repr(init), s="1", t=repr(t), dps=30)
    rate = float(depth)
    start = lnn._float_logit_root(t, init, rate, depth, 80.0)
    assert start is not None
    with mpmath.workdps(40):
        sigma = 1 / (1 + mpmath.exp(-start[0]))
        lo, hi = mpmath.mpf(r.enclosure.lo), mpmath.mpf(r.enclosure.hi)
        assert lo * (1 - mpmath.mpf("1e-6")) <= sigma <= hi * (1 + mpmath.mpf("1e-6"))


def _json_value_within_enclosure(d, dps=30):
    """``lo <= mid <= hi``, and the printed value (rounded to ``dps`` digits) within one unit of its last
    digit of every point of ``[lo, hi]`` (the value itself lies outside when the enclosure is narrower
    than that unit)."""
    with mpmath.workdps(60):
        lo, hi, mid = (mpmath.mpf(d["enclosure"][k]) for k in ("lo", "hi", "mid"))
        v = mpmath.mpf(d["value"])
        unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(v))) - (dps - 1))
        return lo <= mid <= hi and max(abs(hi - v), abs(v - lo)) <= unit and hi - lo < unit


def test_cli_json_is_proven_with_an_enclosure(capsys):
    for args in (["trajectory", "depth=3", "init=1e-3", "s=1", "t=5"], ["time_to_learn", "depth=3", "init=1e-3", "s=1"]):
        assert main(["eval", "lnn", *args, "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert d["proven"] is True
        assert _json_value_within_enclosure(d)
