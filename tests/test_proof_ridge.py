"""Proven digits for ridge regression (issue 15): enclosures, branch and root checks, widths, float64, JSON.

Every expected number here comes from an independent route: a closed form evaluated with mpmath or
exact fractions in this file (the ridgeless limits, the isotropic quadratic in its textbook form,
the two-block ridgeless root κ² = 10, Hurwitz ζ for the power sums, a direct term-by-term sum), or
the precision ladder at twice the digits (``with ladder_only(): ... dps=60``).  An enclosure must
*contain* the independent value, and a proven value must not contradict a status-0 float64 value.
"""

from __future__ import annotations

import contextlib
import io
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics import ball
from asymptotics.ball import AB, NotProven
from asymptotics.models import ridge
from asymptotics.precision import ladder_only
from asymptotics.solve import spectral_sums
from asymptotics.solve.spectral_sums import PowerLawSums

BLOCKS3 = "blocks:1/0.3/1,0.1/0.3/0.5,10/0.4/0.25"
TWO = "blocks:1/0.5/1,10/0.5/0"  # the README's two blocks (eigenvalue/weight/energy)
TINY = "blocks:1e-20/0.5/0.5,1/0.5/0.5"


def _bounds(res):
    """The enclosure as exact fractions (``±inf`` as floats)."""
    e = res.enclosure
    conv = {"inf": float("inf"), "-inf": float("-inf")}
    return conv.get(e.lo) or Fraction(e.lo), conv.get(e.hi) or Fraction(e.hi)


def _contains(res, exact):
    """``lo ≤ exact ≤ hi`` for an exact Fraction or an mpf (compared exactly)."""
    lo, hi = _bounds(res)
    return lo <= _fraction(exact) <= hi


def _fraction(x):
    """An exact Fraction of a Fraction or an mpf (no rounding)."""
    if isinstance(x, Fraction):
        return x
    man, exp = x.man_exp
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _proven(fn, *args, dps=30, **kw):
    r = fn(*args, dps=dps, **kw)
    assert r.proven is True and r.enclosure is not None, (args, kw)
    return r


# ----------------------------------------------------------------------------- (1) independent closed forms
@pytest.mark.parametrize(
    ("gamma", "sigma2", "r2"),
    [("0.5", "0.25", "1"), ("0.999999999999999999999999999999", "1", "1"), ("0.3", "2", "5")],
)
def test_ridgeless_below_one_contains_closed_form(gamma, sigma2, r2):
    """γ < 1, λ = 0: 𝓑 = 0, 𝓥 = σ²γ/(1 − γ) (least squares), exactly as a fraction."""
    g, s2 = Fraction(gamma), Fraction(sigma2)
    r = _proven(ridge.risk, gamma, 0, r2=r2, sigma2=sigma2)
    assert _contains(r, s2 * g / (1 - g))
    assert _proven(ridge.bias, gamma, 0, r2=r2, sigma2=sigma2).enclosure.hi == "0"


@pytest.mark.parametrize("gamma", ["1.001", "1.000000000000000000000000000001", "2", "7/3"])
def test_ridgeless_above_one_contains_closed_form(gamma):
    """γ > 1, λ = 0: R = r²(1 − 1/γ) + σ²/(γ − 1), κ = γ − 1 (exact fractions)."""
    g, r2, s2 = Fraction(gamma), Fraction(2), Fraction(1, 4)
    assert _contains(_proven(ridge.risk, gamma, 0, r2=2, sigma2="0.25"), r2 * (1 - 1 / g) + s2 / (g - 1))
    assert _contains(_proven(ridge.kappa, gamma, 0, r2=2, sigma2="0.25"), g - 1)


@pytest.mark.parametrize(
    ("gamma", "lam"),
    [("1.5", "0.2"), ("1", "1e-55"), ("0.5", "1e40"), ("1", "0.5"), ("1.000000000000000000000000000001", "1e-45")],
)
def test_isotropic_contains_textbook_quadratic(gamma, lam):
    """κ = (c + √(c² + 4λ))/2, R = (r²κ² + σ²γ)/((1+κ)² − γ) at 200 digits (the paper form, not the code's)."""
    with mpmath.workdps(200):
        g, lm = mpmath.mpf(Fraction(gamma).numerator) / Fraction(gamma).denominator, mpmath.mpf(lam)
        c = lm + g - 1
        k = (c + mpmath.sqrt(c * c + 4 * lm)) / 2
        D = (1 + k) ** 2 - g
        risk, bias = (2 * k * k + mpmath.mpf("0.5") * g) / D, 2 * k * k / D
        train = (1 - g / (1 + k)) ** 2 * (risk + mpmath.mpf("0.5"))
        for q, exact in (("kappa", k), ("risk", risk), ("bias", bias), ("train_error", train)):
            assert _contains(_proven(getattr(ridge, q), gamma, lam, r2=2, sigma2="0.5"), exact), q


def test_interpolation_threshold_is_proven_infinite():
    """γ = 1, λ = 0 with noise: the variance and risk are exactly +inf (an exact infinite ball)."""
    for q in ("risk", "variance"):
        r = _proven(ridge.__dict__[q], 1, 0, sigma2="0.25")
        assert mpmath.isinf(r.value) and r.value > 0 and r.enclosure.hi == "inf"
    r = _proven(ridge.risk, 1, 0, sigma2="0.25", tau2="1/3")  # an inexact τ² keeps +inf exact
    assert mpmath.isinf(r.value)
    assert _proven(ridge.bias, 1, 0, sigma2="0.25").value == 0


def test_null_estimator_and_optimal_penalty():
    """λ = ∞: R = r² + τ²; λ* = σ²γ/r² exactly; R(λ*) = σ²γ m(−λ*) with m the Marchenko–Pastur root."""
    assert _contains(_proven(ridge.risk, "1.5", "inf", r2=2, tau2="1/3"), Fraction(7, 3))
    lam_star = _proven(ridge.optimal_lambda, "1.5", r2=2, sigma2="1/3")
    assert _contains(lam_star, Fraction(1, 3) * Fraction(3, 2) / 2)
    opt = _proven(ridge.optimal_risk, "1.5", r2=2, sigma2="0.5")
    with mpmath.workdps(80):
        g, lm = mpmath.mpf("1.5"), mpmath.mpf("0.375")
        a, b = g * lm, 1 - g + lm
        m = (-b + mpmath.sqrt(b * b + 4 * a)) / (2 * a)
        assert _contains(opt, mpmath.mpf("0.5") * g * m)


def test_two_block_ridgeless_root_is_sqrt10():
    """Blocks s = (1, 10), w = ½ each, γ = 2, λ = 0: 1/(1+κ) + 10/(10+κ) = 1 gives κ² = 10, R = 12.75/(2√10)."""
    with mpmath.workdps(80):
        assert _contains(_proven(ridge.kappa, 2, 0, sigma2="0.25", spectrum=TWO), mpmath.sqrt(10))
        assert _contains(_proven(ridge.risk, 2, 0, sigma2="0.25", spectrum=TWO), mpmath.mpf("12.75") / (2 * mpmath.sqrt(10)))


# ----------------------------------------------------------------------------- (1) the ladder at higher dps
LADDER_POINTS = [
    ("risk", "2", "0.01", BLOCKS3),
    ("kappa", "2", "0.01", BLOCKS3),
    ("train_error", "1", "1e-55", BLOCKS3),
    ("risk", "1.000000000000000000000000000001", "0", TWO),
    ("variance", "1.5", "1e40", BLOCKS3),
    ("risk", "1.5", "0", TINY),
    ("kappa", "1.5", "0.1", TINY),
    ("risk", "2", "0.01", "power_law:p=300,alpha=1,beta=0.5"),
    ("bias", "2", "0.01", "power_law:p=1000,alpha=1,beta=0.5"),
    ("risk", "2", "0.01", "power_law:p=1000000000000,alpha=1,beta=0.5"),
    ("train_error", "0.5", "0.01", "power_law:p=inf,alpha=1,beta=1.5"),
    ("risk", "0.5", "0.001", "power_law:p=inf,alpha=2,beta=3"),
]


@pytest.mark.parametrize(("q", "gamma", "lam", "spectrum"), LADDER_POINTS)
def test_general_enclosure_contains_ladder_at_60_digits(q, gamma, lam, spectrum):
    r = _proven(getattr(ridge, q), gamma, lam, sigma2="0.25", spectrum=spectrum)
    with ladder_only():
        fine = getattr(ridge, q)(gamma, lam, sigma2="0.25", spectrum=spectrum, dps=60)
    assert fine.proven is False
    assert _contains(r, fine.value)


def test_infinite_power_law_bias_against_nsum():
    """p = ∞: κ = λ and 𝓑 = λ² Σ bⱼsⱼ/(sⱼ+λ)² with bⱼ = j^{−β}/ζ(β); mpmath.nsum as an independent sum
    (its Euler–Maclaurin method: the default extrapolation is off by 2e-4 on this j^{−2.5} tail)."""
    r = _proven(ridge.bias, "0.5", "0.01", sigma2="0.25", spectrum="power_law:p=inf,alpha=1,beta=1.5")
    with mpmath.workdps(40):
        lam, b = mpmath.mpf("0.01"), mpmath.mpf("1.5")
        total = mpmath.nsum(lambda j: j**-b / j / (1 / j + lam) ** 2, [1, mpmath.inf], method="euler-maclaurin")
        ref = lam**2 * total / mpmath.zeta(b)
    assert abs(r.value - ref) <= 1e-25 * ref
    k = _proven(ridge.kappa, "0.5", "0.01", sigma2="0.25", spectrum="power_law:p=inf,alpha=1,beta=1.5")
    assert _contains(k, Fraction(1, 100))


def test_power_tail_ball_contains_hurwitz_zeta_even_when_truncated_early(monkeypatch):
    """Σ_{j>N} j^{−s} on balls contains ζ(s, N+1) (− ζ(s, P+1)); with one Euler–Maclaurin term only
    (a deliberately short expansion) the ball widens to hold its remainder bound and still contains it."""
    N, P = 32, 5000
    for s in (Fraction(2), Fraction(5, 2), Fraction(7, 10)):
        with ball.workprec(200), mpmath.workdps(60):
            inf_ok = s > 1
            exact_fin = mpmath.zeta(float(s) if s.denominator == 1 else mpmath.mpf(s.numerator) / s.denominator, N + 1)
            sv = mpmath.mpf(s.numerator) / s.denominator
            exact_fin = mpmath.zeta(sv, N + 1) - mpmath.zeta(sv, P + 1)
            fin = spectral_sums.power_tail(AB, s, N, P, -60 * 2.3)
            assert _ball_has(fin, exact_fin)
            if inf_ok:
                assert _ball_has(spectral_sums.power_tail(AB, s, N, None, -60 * 2.3), mpmath.zeta(sv, N + 1))
    monkeypatch.setattr(spectral_sums, "_em_terms", lambda s, N, log_rel, K_max=2000: 1)
    with ball.workprec(200), mpmath.workdps(60):
        short = spectral_sums.power_tail(AB, Fraction(2), N, None, -60 * 2.3)
        assert _ball_has(short, mpmath.zeta(2, N + 1))
        assert ball.relative_radius(short) > 1e-12  # the remainder bound is in the ball


def _ball_has(x, exact):
    v = x.v
    q = _fraction(exact)
    return ball._exact_fraction(v.lower()) <= q <= ball._exact_fraction(v.upper())


def test_binomial_tail_bound_holds_for_a_short_series():
    """The closed-form sums of a power law with a short tail series (4 digits asked) contain the
    direct sums over j = 1..P (mpmath, 50 digits): the alternating-series remainder is in the ball."""
    P, k = 10**4, mpmath.mpf("0.7")
    with ball.workprec(200), mpmath.workdps(50):
        sums = PowerLawSums(AB, P, Fraction(1), Fraction(1, 2), digits=4, n_cap=64)
        wq, wp, wqp = sums.slack(AB.num(Fraction(7, 10)))
        wpp, bb = sums.final(AB.num(Fraction(7, 10)))
        s = [mpmath.mpf(j) ** -1 for j in range(1, P + 1)]
        p = [x / (x + k) for x in s]
        q = [k / (x + k) for x in s]
        assert _ball_has(wp, mpmath.fsum(p) / P) and _ball_has(wq, mpmath.fsum(q) / P)
        assert _ball_has(wqp, mpmath.fsum(a * b for a, b in zip(p, q, strict=True)) / P)
        assert _ball_has(wpp, mpmath.fsum(a * a for a in p) / P)
        ref_b = mpmath.fsum(mpmath.mpf(j) ** mpmath.mpf(-0.5) * s[j - 1] * q[j - 1] ** 2 for j in range(1, P + 1))
        assert _ball_has(bb, ref_b)
        assert ball.relative_radius(wp) > 1e-10  # the series was cut early: its bound shows


# ----------------------------------------------------------------------------- (2) perturbed root, wrong branch
def _ball_solve(pr, dps=30):
    with ball.workprec(int(dps * ball.BITS_PER_DIGIT) + 40):
        return ridge._solve_ball(pr, dps, {})


def test_perturbed_root_fails_the_proof(monkeypatch):
    pr = ridge.RidgeParams("2", "0.01", sigma2="0.25", spectrum=BLOCKS3)
    out, _ = _ball_solve(pr)  # the honest solver proves it
    assert ball.digits_proven(out["risk"], ball.to_mpmath(out["risk"]), 30)
    real = ridge._general_mp

    def perturbed(p, state=None):
        o, res = real(p, state)
        return {**o, "kappa": o["kappa"] * (1 + mpmath.mpf(10) ** -20)}, res

    monkeypatch.setattr(ridge, "_general_mp", perturbed)
    with pytest.raises(NotProven):
        _ball_solve(pr)


def test_wrong_branch_fails_the_proof(monkeypatch):
    """The κ equation λ = κ(1 − df₁(κ)/n) has negative roots too (between the poles −sᵢ): one of
    them handed to the proof is refused (κ must be the unique root on κ > 0)."""
    pr = ridge.RidgeParams("2", "0.1", sigma2="0.25", spectrum=TWO)
    with mpmath.workdps(60):
        f = lambda k: k * (1 - 2 * (mpmath.mpf(1) / 2 / (1 + k) + mpmath.mpf(10) / 2 / (10 + k))) - mpmath.mpf("0.1")  # noqa: E731
        wrong = mpmath.findroot(f, (-9.9, -1.1), solver="anderson")
        assert wrong < 0 and abs(f(wrong)) < 1e-50
    real = ridge._general_mp

    def other_root(p, state=None):
        o, res = real(p, state)
        return {**o, "kappa": wrong}, res

    monkeypatch.setattr(ridge, "_general_mp", other_root)
    with pytest.raises(NotProven):
        _ball_solve(pr)


# ----------------------------------------------------------------------------- (3) widths shrink with dps
@pytest.mark.parametrize(
    ("gamma", "lam", "spectrum"),
    [("1.5", "0.2", None), ("2", "0.01", BLOCKS3), ("2", "0.01", "power_law:p=1000,alpha=1,beta=0.5")],
)
def test_width_shrinks_with_dps(gamma, lam, spectrum):
    widths = {}
    for dps in (20, 50):
        lo, hi = _bounds(_proven(ridge.risk, gamma, lam, sigma2="0.25", spectrum=spectrum, dps=dps))
        assert lo < hi
        widths[dps] = (hi - lo) / hi
    assert widths[20] < Fraction(1, 10**20) and widths[50] < Fraction(1, 10**50)
    assert widths[50] < widths[20] * Fraction(1, 10**25)


# ----------------------------------------------------------------------------- (4) float64 agrees with proofs
@pytest.mark.parametrize(
    "spectrum", [None, BLOCKS3, TINY, "power_law:p=2000,alpha=1,beta=0.5", "power_law:p=inf,alpha=1,beta=1.5"]
)
def test_float64_status0_within_1e6_of_enclosure(spectrum):
    power = spectrum is not None and spectrum.startswith("power")
    gammas = ["0.5", "1.5"] if power else ["0.5", "0.9", "1.5", "3"]
    lams = ["0.001", "0.3"] if power else ["0", "0.001", "0.3"]
    for q in ("risk", "kappa", "train_error"):
        vals, status = ridge.curve_values(
            q,
            gamma=np.array([float(g) for g in gammas for _ in lams]),
            lam=np.array([float(x) for _ in gammas for x in lams]),
            sigma2=0.25,
            spectrum=spectrum,
        )
        i = 0
        for g in gammas:
            for lam in lams:
                r = _proven(getattr(ridge, q), g, lam, sigma2="0.25", spectrum=spectrum, dps=20)
                if status[i] == 0:
                    lo, hi = _bounds(r)
                    v = Fraction(float(vals[i]))
                    tol = Fraction(1, 10**6) * max(abs(hi), Fraction(1, 10**300))
                    assert lo - tol <= v <= hi + tol, (q, g, lam, float(vals[i]), r.enclosure)
                i += 1


# ----------------------------------------------------------------------------- (5) JSON and the registry
def test_cli_json_reports_the_enclosure():
    from asymptotics.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["eval", "ridge", "risk", "gamma=2", "lam=0.01", "sigma2=0.25", f"spectrum={BLOCKS3}", "--json"]) == 0
    d = json.loads(buf.getvalue())
    assert d["proven"] is True
    e = d["enclosure"]
    lo, hi, mid, v = Fraction(e["lo"]), Fraction(e["hi"]), Fraction(e["mid"]), Fraction(d["value"])
    assert lo <= mid <= hi and hi - lo < Fraction(1, 10**30) * v
    # the printed 30 digits round the ball: within one unit of the last digit (2.17… → 1e-29) of all of it
    unit = Fraction(1, 10**29)
    assert lo - unit <= v <= hi + unit and hi - v <= unit and v - lo <= unit


def test_every_ridge_quantity_declares_its_proof():
    for name, spec in ridge.MODEL.quantities.items():
        # the tuned penalty with a general spectrum is located by a certified search, not a proof (issue 17)
        expected = "partial" if name in ("optimal_lambda", "optimal_risk") else "proven"
        assert spec.proof == expected and spec.proof_note, name


def test_ladder_only_still_gives_the_ladder():
    with ladder_only():
        r = ridge.risk("1.5", "0.2", r2=2, sigma2="0.5")
    p = ridge.risk("1.5", "0.2", r2=2, sigma2="0.5")
    assert r.proven is False and r.enclosure is None and p.proven is True
    assert str(r) == str(p)
