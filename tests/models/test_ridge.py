"""Ridge: golden values from closed forms derived here (HMRT ridgeless formulas, the MP
route, the two-point cubic), properties, precision ladder, float64 = mp, bad input."""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import ridge as R

from ._helpers import ae

mp = mpmath.mp


def F(s):
    return mpmath.mpf(s)


# ---------------------------------------------------------------- golden: ridgeless (HMRT Thm 1)
@pytest.mark.parametrize("gamma", ["0.1", "0.5", "0.9", "0.999"])
@pytest.mark.parametrize("sigma2", ["0.25", "1", "3"])
def test_ridgeless_underparametrized(gamma, sigma2):
    g, s2 = F(gamma), F(sigma2)
    assert ae(R.risk(gamma, 0, 1, sigma2, dps=50).value, s2 * g / (1 - g), 49)
    assert R.bias(gamma, 0, 1, sigma2, dps=50).value == 0
    assert ae(R.train_error(gamma, 0, 1, sigma2, dps=50).value, s2 * (1 - g), 49)


@pytest.mark.parametrize("gamma", ["1.001", "1.1", "2", "10", "100"])
@pytest.mark.parametrize("r2,sigma2", [("1", "0.25"), ("2", "1"), ("0.5", "0")])
def test_ridgeless_overparametrized(gamma, r2, sigma2):
    g, rr, s2 = F(gamma), F(r2), F(sigma2)
    assert ae(R.bias(gamma, 0, r2, sigma2, dps=50).value, rr * (1 - 1 / g), 49)
    if s2:
        assert ae(R.variance(gamma, 0, r2, sigma2, dps=50).value, s2 / (g - 1), 49)
    assert ae(R.risk(gamma, 0, r2, sigma2, dps=50).value, rr * (1 - 1 / g) + s2 / (g - 1), 49)
    assert R.train_error(gamma, 0, r2, sigma2, dps=50).value == 0  # interpolation
    assert ae(R.kappa(gamma, 0, r2, sigma2, dps=50).value, g - 1, 49)


def test_ridgeless_threshold_is_infinite():
    assert R.risk(1, 0).value == mpmath.inf
    assert R.variance(1, 0).value == mpmath.inf
    assert R.bias(1, 0).value == 0
    assert R.risk(1, 0, sigma2=0).value == 0  # noiseless: no blow-up
    # near the threshold the exact rational 1000 + 0.001/1.001 (theory note §5.4)
    assert ae(R.risk("1.001", 0, 1, 1, dps=60).value, 1000 + F("0.001") / F("1.001"), 59)


def _m_and_dm(gamma, lam):
    """MP transform at z=-lam and m'(z) by implicit differentiation (sigma2 = 1), derived here."""
    c = lam + 1 - gamma
    m = (
        2 / (c + mpmath.sqrt(c * c + 4 * gamma * lam))
        if c > 0
        else (-c + mpmath.sqrt(c * c + 4 * gamma * lam)) / (2 * gamma * lam)
    )
    z = -lam
    dm = -(gamma * m**2 + m) / (2 * gamma * z * m + z - (1 - gamma))
    return m, dm


@pytest.mark.parametrize("gamma", ["0.5", "1", "2", "3.7"])
@pytest.mark.parametrize("lam", ["0.001", "0.1", "1", "25"])
def test_mp_route(gamma, lam):
    """R = r² λ² m'(−λ) + σ²γ (m(−λ) − λ m'(−λ)) (HMRT / Dobriban–Wager), an independent route."""
    with mp.workdps(80):
        g, l_, r2, s2 = F(gamma), F(lam), F("1.3"), F("0.7")
        m, dm = _m_and_dm(g, l_)
        bias = r2 * l_**2 * dm
        var = s2 * g * (m - l_ * dm)
    assert ae(R.bias(gamma, lam, "1.3", "0.7", dps=50).value, bias, 48)
    assert ae(R.variance(gamma, lam, "1.3", "0.7", dps=50).value, var, 48)
    # κ = 1/m̃(−λ) with the companion transform m̃ = γm − (1−γ)/z
    with mp.workdps(80):
        mt = g * m + (1 - g) / l_
    assert ae(R.kappa(gamma, lam, dps=50).value, 1 / mt, 48)


def test_theory_note_values():
    """Independent reference implementation values (theory note §5, §5.4).

    The §5.1 table was computed from binary-float parameters (its own caveat), so those
    rows agree to ~16 digits only; §5.4's decimal-string value agrees to all 30.
    """
    assert str(R.risk(1, "0.001", 1, "0.25", dps=30)) == "3.84513865073041172327002756173"
    assert ae(R.risk("0.5", "0.1", 1, "0.25").value, F("0.17678372573727315339"), 15)
    assert ae(R.train_error("0.5", "0.1", 1, "0.25").value, F("0.14069620983110004828"), 15)
    assert ae(R.risk(2, 1, 1, "0.25").value, F("0.6553300858899106433"), 15)
    assert ae(R.train_error(2, "0.5", 1, "0.25").value, F("0.070194101601103784364"), 15)
    assert ae(R.risk("1.5", "0.2", 2, "0.5").value, F("1.1178631482659413114"), 15)


def test_optimal_lambda_and_risk():
    for gamma, r2, s2 in [("0.5", "1", "0.25"), ("1", "1", "0.5"), ("3", "2", "1")]:
        g, rr, ss = F(gamma), F(r2), F(s2)
        lam_star = ss * g / rr
        assert ae(R.optimal_lambda(gamma, r2, s2, dps=50).value, lam_star, 49)
        m, _ = _m_and_dm(g, lam_star)  # sigma2=1 in the MP transform
        opt = R.optimal_risk(gamma, r2, s2, dps=40)
        assert ae(opt.value, ss * g * m, 39)
        # first-order condition: dR/dλ = 0 at λ* (numerical derivative of the certified risk)
        with mp.workdps(40):
            d = mpmath.diff(lambda x: R.risk(gamma, mpmath.nstr(x, 45), r2, s2, dps=35).value, lam_star)
        assert abs(d) < mpmath.mpf(10) ** -20
    assert ae(R.optimal_risk(1, 1, "0.5").value, F("0.5"), 29)  # theory note R10
    assert R.optimal_lambda(2, 0).value == mpmath.inf
    assert R.optimal_risk(2, 0, 1).value == 0


def test_misspecified():
    # R_mis = R(λ; r², σ² + τ²) + τ²; theory note R14: 1.75
    assert ae(R.risk(2, 0, 1, "0.25", "0.5").value, F("1.75"), 29)
    assert ae(R.risk(2, "0.3", 1, "0.25", "0.5").value, R.risk(2, "0.3", 1, "0.75").value + F("0.5"), 29)


def test_null_estimator_limit():
    assert R.risk(2, "inf", "1.5", 1).value == F("1.5")
    assert ae(R.risk("0.5", "1e15", "1.5", 1, dps=30).value, F("1.5"), 12)
    assert R.train_error(2, "inf", "1.5", 1).value == F("2.5")


# ---------------------------------------------------------------- general spectrum
def test_single_block_equals_isotropic():
    spec = R.Spectrum.from_blocks([1], [1], ["1.3"])
    for gamma, lam in [("0.5", "0.1"), ("2", "0"), ("3", "0.01"), ("0.7", "0")]:
        for q in ("risk", "bias", "variance", "train_error", "kappa"):
            gen = R.solve(R.RidgeParams(gamma, lam, sigma2="0.4", spectrum=spec), q, dps=40).value
            iso = R.solve(R.RidgeParams(gamma, lam, "1.3", "0.4"), q, dps=40).value
            assert ae(gen, iso, 38), (gamma, lam, q)


@pytest.mark.parametrize("lam", ["0", "0.01", "1"])
def test_two_point_spectrum_against_cubic(lam):
    """κ from mpmath.polyroots on the cleared cubic; bias/variance from the formulas (theory note §2.1)."""
    gamma, s, w, b = F(2), [F(1), F(10)], [F("0.5"), F("0.5")], [F(1), F(0)]
    spec = R.Spectrum.from_blocks([1, 10], ["0.5", "0.5"], [1, 0])
    L = F(lam)
    with mp.workdps(80):
        # λ(1+κ)(10+κ) = κ[(1+κ)(10+κ) − γ/2 ((10+κ) + 10(1+κ))]
        k = mpmath.mpf(0)
        coeffs = [1, 11 - gamma / 2 * 11 - L, 10 - gamma / 2 * 20 - 11 * L, -10 * L]
        roots = [r.real for r in mpmath.polyroots(coeffs, maxsteps=200, extraprec=200) if abs(r.imag) < 1e-50 and r.real > 0]
        k = max(roots)  # the root on the branch κ ≥ κ₀ (largest positive root)
        d2 = gamma * sum(wi * (si / (si + k)) ** 2 for si, wi in zip(s, w))
        sig = sum(bi * si / (si + k) ** 2 for si, bi in zip(s, b))
        bias, var = k**2 * sig / (1 - d2), F("0.25") * d2 / (1 - d2)
    pr = R.RidgeParams(2, lam, sigma2="0.25", spectrum=spec)
    assert ae(R.solve(pr, "kappa", dps=50).value, k, 48)
    assert ae(R.solve(pr, "bias", dps=50).value, bias, 47)
    assert ae(R.solve(pr, "variance", dps=50).value, var, 47)
    if lam == "0":  # theory note G4 / G4b (independent implementation)
        # the note's general-Σ rows carry ~17 correct digits (its bias 1.58113883008418968 vs √10/2)
        assert ae(R.solve(pr, "risk").value, F("2.0159520083573418404"), 15)
        assert ae(R.solve(pr, "bias").value, mpmath.sqrt(10) / 2, 29)


def test_power_law_against_theory_note():
    pl = R.Spectrum.power_law(1000, 1, 0)  # s_j = 1/j, flat beta, ||beta|| = 1 (theory note G1)
    assert ae(R.risk(2, "0.001", sigma2="0.1", spectrum=pl, dps=20).value, F("0.060815768045392836857"), 15)
    assert ae(R.train_error(2, "0.001", sigma2="0.1", spectrum=pl, dps=20).value, F("0.0084945475404126753501"), 15)


def test_general_ridgeless_underparametrized_any_spectrum():
    # γ < 1, λ = 0: bias 0, variance σ²γ/(1−γ) for every Σ (theory note §2.2)
    spec = R.Spectrum.from_blocks(["0.1", "1", "7"], ["0.2", "0.3", "0.5"], [1, 2, 0])
    assert ae(
        R.solve(R.RidgeParams("0.4", 0, sigma2="0.3", spectrum=spec), "risk", dps=40).value, F("0.3") * F("0.4") / F("0.6"), 39
    )


# ---------------------------------------------------------------- precision ladder and residual
@pytest.mark.parametrize("gamma,lam", [("2", "1e-6"), ("1", "0.001"), ("0.5", "0.3")])
def test_precision_ladder(gamma, lam):
    vals = [R.risk(gamma, lam, 1, "0.25", dps=d).value for d in (15, 30, 60, 120)]
    for lo_dps, lo, hi in zip((15, 30, 60), vals, vals[1:]):
        with mp.workdps(130):
            assert abs(lo - hi) <= mpmath.mpf(10) ** (-(lo_dps - 1)) * abs(hi)


def test_residual_against_symbolic_system():
    from asymptotics.symbolic import symbols as S

    sys_ = R.system()
    for gamma, lam in [("0.5", "0.1"), ("3", "2"), ("1", "1e-9")]:
        k = R.kappa(gamma, lam, dps=50).value
        res = sys_.residuals({S.kappa: k, S.lam: F(lam), S.gamma: F(gamma), S.r2: F(1), S.sigma2: F(1)})[0]
        assert abs(res) < mpmath.mpf(10) ** -48
        assert R.kappa(gamma, lam, dps=50).residual < mpmath.mpf(10) ** -50


def test_dps_100_works():
    r = R.risk("0.5", "0.1", 1, "0.25", dps=100)
    assert len(str(r).replace(".", "")) >= 100 and r.error_estimate < mpmath.mpf(10) ** -100


# ---------------------------------------------------------------- properties
gam = st.floats(min_value=0.05, max_value=20).filter(lambda g: abs(g - 1) > 1e-3)
lams = st.floats(min_value=0, max_value=100)
pos = st.floats(min_value=0, max_value=10)


@given(gam, lams, pos, pos, st.floats(min_value=0.01, max_value=5))
@example(2.0, 0.0, 1.0, 0.0, 1.0)
@example(0.5, 0.0, 1.0, 0.25, 0.5)
def test_positivity_and_monotone_in_noise(gamma, lam, r2, sigma2, extra):
    b = R.bias(gamma, lam, r2, sigma2, dps=20).value
    v = R.variance(gamma, lam, r2, sigma2, dps=20).value
    assert b >= 0 and v >= 0
    r_lo = R.risk(gamma, lam, r2, sigma2, dps=20).value
    r_hi = R.risk(gamma, lam, r2, sigma2 + extra, dps=20).value
    assert r_hi >= r_lo
    t = R.train_error(gamma, lam, r2, sigma2, dps=20).value
    assert 0 <= t <= r_lo + sigma2 + 1e-15 * (1 + r_lo)  # (λ/κ)² ≤ 1


@given(gam, st.floats(min_value=1e-4, max_value=50), st.floats(min_value=1.01, max_value=10), pos)
def test_bias_increases_variance_decreases_in_lambda(gamma, lam, factor, sigma2):
    assume(sigma2 > 0)
    b1, b2 = R.bias(gamma, lam, 1, sigma2, dps=20).value, R.bias(gamma, lam * factor, 1, sigma2, dps=20).value
    v1, v2 = R.variance(gamma, lam, 1, sigma2, dps=20).value, R.variance(gamma, lam * factor, 1, sigma2, dps=20).value
    assert b2 >= b1 and v2 <= v1


@given(gam, lams, st.floats(min_value=0.01, max_value=5), st.floats(min_value=0.01, max_value=5))
def test_optimal_risk_is_a_lower_bound(gamma, lam, r2, sigma2):
    opt = R.optimal_risk(gamma, r2, sigma2, dps=20).value
    assert R.risk(gamma, lam, r2, sigma2, dps=20).value >= opt * (1 - 1e-15)


@given(st.floats(min_value=0.05, max_value=20).filter(lambda g: abs(g - 1) > 1e-2))
def test_continuity_at_lambda_zero(gamma):
    r0 = R.risk(gamma, 0, 1, "0.5", dps=30).value
    r_eps = R.risk(gamma, "1e-25", 1, "0.5", dps=30).value
    assert abs(r0 - r_eps) < 1e-20 * (1 + r0)
    t0 = R.train_error(gamma, 0, 1, "0.5", dps=30).value
    assert abs(t0 - R.train_error(gamma, "1e-25", 1, "0.5", dps=30).value) < 1e-20


def test_double_descent_peak_and_optimal_monotone():
    g = np.linspace(0.1, 5, 99)
    ridgeless, _ = R.curve_values("risk", g, 0, 1, 0.25)
    finite = np.isfinite(ridgeless)
    assert ridgeless[finite].max() > 10 * ridgeless[0]  # peak near γ = 1
    opt = [float(R.optimal_risk(float(x), 1, "0.25", dps=15).value) for x in g]
    assert all(b >= a for a, b in zip(opt, opt[1:]))  # no double descent at λ*


# ---------------------------------------------------------------- float64 path
def test_float64_matches_mp():
    gammas = np.array([0.1, 0.5, 0.9, 0.999, 1.0, 1.001, 1.5, 3, 20])
    lams = np.array([0.0, 1e-12, 1e-6, 1e-3, 0.1, 1, 100])
    G, L = np.meshgrid(gammas, lams)
    for q in ("risk", "bias", "variance", "train_error", "kappa"):
        vals, status = R.curve_values(q, G, L, 1.3, 0.4)
        assert vals.shape == G.shape
        for idx in np.ndindex(G.shape):
            ref = R.solve(R.RidgeParams(G[idx], L[idx], "1.3", "0.4"), q, dps=20).value
            if ref == mpmath.inf:
                assert status[idx] == 1 and vals[idx] == np.inf
            else:
                assert status[idx] == 0
                assert vals[idx] == pytest.approx(float(ref), rel=1e-9, abs=1e-300), (q, G[idx], L[idx])


def test_float64_general_spectrum_matches_mp():
    spec = R.Spectrum.from_blocks(["0.1", "1", "7"], ["0.2", "0.3", "0.5"], [1, 2, 0])
    lams = np.array([0, 1e-4, 0.1, 3])
    for gamma in (0.5, 1.0, 2.5):
        for q in ("risk", "train_error", "kappa"):
            vals, status = R.curve_values(q, gamma, lams, sigma2=0.3, spectrum=spec)
            for i, lam in enumerate(lams):
                ref = R.solve(R.RidgeParams(gamma, lam, sigma2="0.3", spectrum=spec), q, dps=20).value
                if ref == mpmath.inf:
                    assert status[i] == 1
                else:
                    # abs=0: pytest.approx's default abs=1e-12 would accept any tiny training error
                    assert vals[i] == pytest.approx(float(ref), rel=1e-9, abs=0), (gamma, lam, q)


def test_curve_status_codes():
    vals, status = R.curve_values("risk", np.array([-1.0, 1.0, 2.0, np.nan]), 0)
    assert list(status) == [2, 1, 0, 2]
    assert np.isnan(vals[0]) and np.isinf(vals[1]) and np.isnan(vals[3])
    with pytest.raises(ParameterError, match="quantity"):
        R.curve_values("nope", 1, 0)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: R.risk(-1), "gamma"),
        (lambda: R.risk(0), "gamma"),
        (lambda: R.risk(float("nan")), "gamma"),
        (lambda: R.risk("inf"), "gamma"),
        (lambda: R.risk(1, "-0.1"), "lam"),
        (lambda: R.risk(1, float("nan")), "lam"),
        (lambda: R.risk(1, 0, -1), "r2"),
        (lambda: R.risk(1, 0, 1, -1), "sigma2"),
        (lambda: R.risk(1, 0, 1, 1, "-0.5"), "tau2"),
        (lambda: R.risk(1, 0, 1, 1, dps=-3), "dps"),
        (lambda: R.risk(1, 0, "1+2j"), "r2"),
        (lambda: R.risk(True), "gamma"),
        (lambda: R.solve(R.RidgeParams(1), "nope"), "quantity"),
        (lambda: R.RidgeParams(1, r2=2, spectrum=R.Spectrum.from_blocks([1], [1], [1])), "r2"),
        (lambda: R.RidgeParams(1, r2=1, spectrum=R.Spectrum.from_blocks([1], [1], [2])), "contradicts"),
        (lambda: R.Spectrum.from_blocks([1, 2], ["0.5"], [1, 1]), "equal length"),
        (lambda: R.Spectrum.from_blocks([0, 2], ["0.5", "0.5"], [1, 1]), "eigenvalues"),
        (lambda: R.Spectrum.from_blocks([1, 2], ["0.5", "0.6"], [1, 1]), "weights"),
        (lambda: R.Spectrum.from_blocks([1, 2], ["0.5", "0.5"], [1, -1]), "energies"),
        (lambda: R.Spectrum.power_law(0, 1, 1), "p"),
        (lambda: R.optimal_lambda(2, -1), "r2"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_float_parameters_are_read_as_typed():
    # 1e-3 as a Python float means the decimal 0.001 (not the nearest binary double)
    assert R.risk(1, 1e-3, 1, 0.25, dps=30).value == R.risk(1, "0.001", 1, "0.25", dps=30).value
    assert math.isinf(float(R.risk(1.0, 0.0).value))


def test_spectrum_text_forms():
    assert R.Spectrum.parse("isotropic") is None
    blocks = R.Spectrum.parse("blocks:1/0.5/1,10/0.5/0")
    assert blocks == R.Spectrum.from_blocks([1, 10], ["0.5", "0.5"], [1, 0])
    pl = R.Spectrum.parse("power_law:p=50,alpha=1.5,beta=0.5,r2=2")
    assert pl.r2 == 2 and len(pl.mp_blocks()[0]) == 50
    assert (
        R.risk(2, 0, sigma2="0.25", spectrum="blocks:1/0.5/1,10/0.5/0").value
        == R.solve(R.RidgeParams(2, 0, sigma2="0.25", spectrum=blocks), "risk").value
    )
    for bad in ("foo", "power_law:p=10", "blocks:1/0.5", "power_law:p=10,alpha=1,beta=0,zeta=1", "blocks:"):
        with pytest.raises(ParameterError, match="spectrum"):
            R.Spectrum.parse(bad)


# ---------------------------------------------------------------- issue 13: hard points of the certified path
def _exact_mpf(x):
    """An exact parameter (text, float or Fraction) as an mpf at the current precision."""
    f = Fraction(x)
    return mpmath.mpf(f.numerator) / f.denominator


def _gamma_one_truth(lam, r2, sigma2, tau2):
    """γ = 1, derived by hand: κ solves λ = κ·κ/(1+κ), so κ² = λ(1+κ), κ = (λ + √(λ² + 4λ))/2,
    (1+κ)² − 1 = κ(2+κ), hence 𝓑 = r²κ/(2+κ), 𝓥 = (σ²+τ²)/(κ(2+κ)), λ/κ = κ/(1+κ) and
    R_train = (κ/(1+κ))² (𝓑 + 𝓥 + σ² + τ²).  Evaluated at 300 digits."""
    with mp.workdps(300):
        lam, r2, noise, tau2 = _exact_mpf(lam), _exact_mpf(r2), _exact_mpf(sigma2) + _exact_mpf(tau2), _exact_mpf(tau2)
        k = (lam + mpmath.sqrt(lam * lam + 4 * lam)) / 2
        bias, var = r2 * k / (2 + k), noise / (k * (2 + k))
        train = (k / (1 + k)) ** 2 * (bias + var + noise)
        return {"kappa": k, "bias": bias, "variance": var, "risk": bias + var + tau2, "train_error": train}


def _quadratic_truth(gamma, lam, r2, sigma2):
    """Any γ: κ is the positive root of κ² − cκ − λ = 0 (c = λ + γ − 1, from λ = κ(1 − γ/(1+κ))),
    then the defining forms 𝓑 = r²κ²/((1+κ)² − γ), 𝓥 = σ²γ/((1+κ)² − γ), R_train = (λ/κ)²(R + σ²),
    all at 300 digits (the cancellations cost ~40 of them)."""
    with mp.workdps(300):
        g, lam, r2, s2 = (_exact_mpf(x) for x in (gamma, lam, r2, sigma2))
        c = lam + g - 1
        k = (c + mpmath.sqrt(c * c + 4 * lam)) / 2
        D = (1 + k) ** 2 - g
        bias, var = r2 * k**2 / D, s2 * g / D
        return {"kappa": k, "bias": bias, "variance": var, "risk": bias + var, "train_error": (lam / k) ** 2 * (bias + var + s2)}


@pytest.mark.parametrize("lam,dps", [("1e-55", 30), ("1e-100", 60), ("1e-300", 30)])
@pytest.mark.parametrize("general", [False, True], ids=["isotropic", "one_block"])
def test_issue13_gamma_one_tiny_lambda_all_digits(lam, dps, general):
    """Issue 13: at γ = 1 with λ ≪ 10^-dps, λ + γ − 1 rounded to γ − 1 = 0 on both ladder rungs
    (κ, 𝓑 and R_train kept only ~28 of 30 digits; the one-block spectrum returned +inf at 1e-300)."""
    spec = R.Spectrum.from_blocks([1], [1], ["1.3"]) if general else None
    pr = R.RidgeParams(1, lam, None if general else "1.3", "0.4", "0.25", spec)
    truth = _gamma_one_truth(lam, "1.3", "0.4", "0.25")
    for q, t in truth.items():
        assert ae(R.solve(pr, q, dps=dps).value, t, dps), q


@pytest.mark.parametrize("side", [1, -1])
@pytest.mark.parametrize("general", [False, True], ids=["isotropic", "one_block"])
def test_issue13_gamma_within_1e40_of_one(side, general):
    gamma = 1 + side * Fraction(1, 10**40)
    spec = R.Spectrum.from_blocks([1], [1], ["1.3"]) if general else None
    r2 = None if general else "1.3"
    truth = _quadratic_truth(gamma, "1e-60", "1.3", "0.4")
    pr = R.RidgeParams(gamma, "1e-60", r2, "0.4", 0, spec)
    for q, t in truth.items():
        assert ae(R.solve(pr, q, dps=30).value, t, 30), (q, side)
    # ridgeless (HMRT Thm 1): γ > 1: κ = γ − 1, 𝓑 = r²(1 − 1/γ), 𝓥 = σ²/(γ − 1), interpolation;
    # γ < 1: κ = 0, 𝓑 = 0, 𝓥 = σ²γ/(1 − γ), R_train = σ²(1 − γ)
    pr0 = R.RidgeParams(gamma, 0, r2, "0.4", 0, spec)
    with mp.workdps(300):
        g, rr, s2 = _exact_mpf(gamma), F("1.3"), F("0.4")
        zero = {"kappa": g - 1, "bias": rr * (1 - 1 / g), "variance": s2 / (g - 1), "train_error": F(0)}
        if side < 0:
            zero = {"kappa": F(0), "bias": F(0), "variance": s2 * g / (1 - g), "train_error": s2 * (1 - g)}
    for q, t in zero.items():
        v = R.solve(pr0, q, dps=30).value
        assert (v == 0) if t == 0 else ae(v, t, 30), (q, side)


# ---------------------------------------------------------------- issue 13: the float64 contract
def _two_block_truth(s, w, b, gamma, lam, sigma2):
    """Two blocks: clearing denominators in λ = κ(1 − γ Σ wᵢsᵢ/(sᵢ+κ)) gives the cubic
    κ³ + (s₁+s₂ − γm − λ)κ² + (s₁s₂(1−γ) − λ(s₁+s₂))κ − λs₁s₂ = 0 with m = w₁s₁ + w₂s₂; κ is its
    largest positive root (mpmath.polyroots at 80 digits), the quantities follow from the defining
    forms of the module docstring."""
    with mp.workdps(80):
        s, w, b = [[_exact_mpf(x) for x in v] for v in (s, w, b)]
        g, L, s2 = _exact_mpf(gamma), _exact_mpf(lam), _exact_mpf(sigma2)
        m = w[0] * s[0] + w[1] * s[1]
        coeffs = [1, s[0] + s[1] - g * m - L, s[0] * s[1] * (1 - g) - L * (s[0] + s[1]), -L * s[0] * s[1]]
        roots = mpmath.polyroots(coeffs, maxsteps=400, extraprec=400)
        k = max(r.real for r in roots if abs(r.imag) < mpmath.mpf(10) ** -60 and r.real > 0)
        d1 = g * sum(wi * si / (si + k) for si, wi in zip(s, w))
        d2 = g * sum(wi * (si / (si + k)) ** 2 for si, wi in zip(s, w))
        bias = k**2 * sum(bi * si / (si + k) ** 2 for si, bi in zip(s, b)) / (1 - d2)
        var = s2 * d2 / (1 - d2)
        return {"kappa": k, "bias": bias, "variance": var, "risk": bias + var, "train_error": (1 - d1) ** 2 * (bias + var + s2)}


@pytest.mark.parametrize("gamma", [1e4, 1e6])
@pytest.mark.parametrize("lam", [1e-12, 1e-10])
def test_issue13_float64_general_train_error_small_lambda(gamma, lam):
    """Issue 13: 1 − df₁/n by subtraction lost everything at small λ (relative error 1e6 at
    γ = 1e6, λ = 1e-12, eigenvalues 1 and 1e-3); now λ/κ, the κ equation itself."""
    spec = R.Spectrum.from_blocks([1, "0.001"], ["0.5", "0.5"], [1, 0])
    truth = _two_block_truth([1, "0.001"], ["0.5", "0.5"], [1, 0], gamma, lam, "0.25")
    for q, t in truth.items():
        val, status = R.curve_values(q, gamma, lam, sigma2=0.25, spectrum=spec)
        assert status == 0 and val == pytest.approx(float(t), rel=1e-6, abs=0), (q, float(val), float(t))


def test_issue13_float64_near_singular_spectrum_is_status_3():
    """Blocks 1e-14 and 1e14 with γ = 4/3 at λ = 0: κ (≈ 0.58) sits in a 28-decade gap and the
    condition number of κ is ~1e14, beyond float64; the path used to return 3 correct digits with
    status 0.  A gap of 1e4 is well conditioned and keeps status 0 with six digits."""
    gap28 = R.Spectrum.from_blocks([1e-14, 1e14], ["0.25", "0.75"], [1, 1])
    for q in R.QUANTITIES:
        val, status = R.curve_values(q, 4 / 3, 0.0, sigma2=0.5, spectrum=gap28)
        assert status == 3 and np.isnan(val), q
    truth = _two_block_truth([1e-4, 1e4], ["0.25", "0.75"], [1, 1], 4 / 3, 0, "0.5")
    spec = R.Spectrum.from_blocks([1e-4, 1e4], ["0.25", "0.75"], [1, 1])
    for q, t in truth.items():
        val, status = R.curve_values(q, 4 / 3, 0.0, sigma2=0.5, spectrum=spec)
        assert status == 0 and val == pytest.approx(float(t), rel=1e-6, abs=1e-300), q


@pytest.mark.parametrize("general", [False, True], ids=["isotropic", "one_block"])
def test_issue13_float64_huge_lambda_does_not_overflow(general):
    """λ = 1e200: c² overflowed, κ came back +inf with status 1 (and the risk NaN).  Limits:
    κ = λ(1 + O(1/λ)), 𝓑 → r², 𝓥 = O(λ⁻²) (underflows to 0), R_train → r² + σ²."""
    spec = R.Spectrum.from_blocks([1], [1], [1.5]) if general else None
    expect = {"kappa": 1e200, "bias": 1.5, "risk": 1.5, "train_error": 1.75, "variance": 0.0}
    for q, t in expect.items():
        val, status = R.curve_values(q, 2.0, 1e200, 1.5, 0.25, spectrum=spec)
        assert status == 0 and val == pytest.approx(t, rel=1e-12, abs=1e-300), q


_WEIGHTS13 = {
    1: [(1,)],
    2: [("0.5", "0.5"), ("0.25", "0.75"), ("0.125", "0.875")],
    3: [("0.25", "0.25", "0.5"), ("0.5", "0.125", "0.375")],
}
_decades = st.floats(min_value=-8, max_value=8).map(lambda e: 10.0**e)
_blocks13 = st.integers(1, 3).flatmap(
    lambda k: st.tuples(
        st.lists(_decades, min_size=k, max_size=k),
        st.sampled_from(_WEIGHTS13[k]),
        st.lists(st.one_of(st.just(0.0), st.floats(-3, 3).map(lambda e: 10.0**e)), min_size=k, max_size=k),
    )
).map(lambda t: R.Spectrum.from_blocks(*t))
_power13 = st.builds(R.Spectrum.power_law, st.integers(2, 30), st.floats(0, 3), st.floats(-1, 2))
_gammas13 = st.one_of(
    st.sampled_from([1.0, 1 + 2.0**-52, 1 - 2.0**-53, 1 + 1e-9, 1 - 1e-9, 0.5, 2.0, 4 / 3, 1e4, 1e6]),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=-15, max_value=-1).map(lambda e: 1 + 10**e),
    st.floats(min_value=-15, max_value=-1).map(lambda e: 1 - 10**e),
)
_lams13 = st.one_of(st.just(0.0), st.just(1e-12), st.floats(-12, 2).map(lambda e: 10.0**e), st.just(math.inf))
_scales13 = st.one_of(st.just(0.0), st.floats(-3, 3).map(lambda e: 10.0**e))
_REGRESSION_SPECTRUM = R.Spectrum.from_blocks([1, "0.001"], ["0.5", "0.5"], [1, 0])


@settings(max_examples=200, deadline=None)
@given(_gammas13, _lams13, _scales13, _scales13, _scales13, st.one_of(st.none(), _blocks13, _power13))
@example(1e6, 1e-12, 1.0, 0.25, 0.0, _REGRESSION_SPECTRUM)  # the issue's 1e6 train_error
@example(1.0, 1e-12, 1.0, 0.25, 0.0, _REGRESSION_SPECTRUM)
@example(1 + 2.0**-52, 0.0, 1.0, 0.25, 0.5, R.Spectrum.from_blocks([1e-8, 1e8], ["0.5", "0.5"], [1, 1]))
@example(1 - 2.0**-53, 1e-12, 2.0, 1.0, 0.0, None)
@example(4 / 3, 0.0, 1.0, 0.5, 0.0, R.Spectrum.from_blocks([1e-8, 1e8], ["0.25", "0.75"], [1, 1]))
def test_issue13_float64_matches_certified(gamma, lam, r2, sigma2, tau2, spectrum):
    """The float64 contract, quantity by quantity, against the certified path at dps = 30 on the
    same (binary) inputs: status 0 means |x − exact| ≤ 1e-6 |exact| + 1e-300 (the absolute 1e-300
    covers exact values below float64's normal range, which can only come back as 0 or a
    subnormal; an exact 0 must come back within 1e-300); status 1 means exactly +inf; status 3
    carries NaN (and only occurs for a general spectrum)."""
    exact = R.RidgeParams(
        Fraction(gamma),
        Fraction(lam) if math.isfinite(lam) else "inf",
        None if spectrum is not None else Fraction(r2),
        Fraction(sigma2),
        Fraction(tau2),
        spectrum,
    )
    for q in R.QUANTITIES:
        val, status = R.curve_values(q, gamma, lam, r2, sigma2, tau2, spectrum=spectrum)
        val, status = float(val), int(status)
        assert status in (0, 1, 3), (q, status)
        if status == 3:
            assert math.isnan(val) and spectrum is not None, q
            continue
        ref = R.solve(exact, q, dps=30).value
        if status == 1 or ref == mpmath.inf:
            assert status == 1 and val == math.inf and ref == mpmath.inf, (q, val, ref)
            continue
        with mp.workdps(40):
            assert abs(mpmath.mpf(val) - ref) <= mpmath.mpf("1e-6") * abs(ref) + mpmath.mpf("1e-300"), (q, val, ref)
