"""``rf`` with a general input covariance (``spectrum=``, issue 18): reductions, a closed two-block case, properties.

Expected values come from independent routes: the Mei–Montanari formulas of ``rf`` (Σ = I), ``ridge`` (the
kernel limit N → ∞), the classical least-squares risk on a random projection (linear features, λ = 0) and
two exact symmetries of the model's definition (a scalar Σ = sI; μ₁ = 0).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import ridge
from asymptotics.models.random_features import RFParams, curve_values, solve

Q4 = ("risk", "bias", "variance", "train_error")
TWO_BLOCKS = "blocks:1/4/1,7/4/3".replace("/4/", "/0.5/")  # s = 1, 7 (m = 4), energies 1 : 3


def value(q: str, dps: int = 30, **kw):
    return solve(RFParams(**kw), q, dps=dps).value


# ----------------------------------------------------------------------------- Σ = I is rf, to every digit
IDENTITY_POINTS = [
    dict(psi1=2, psi2=3, lam="0.1"),
    dict(psi1="0.5", psi2=3, lam=0, tau2="0.3"),
    dict(psi1=3, psi2="1.5", lam=0, Fstar2="0.5", tau2="0.3"),  # interpolating, λ = 0
    dict(psi1="0.7", psi2="0.7", lam=0, tau2=1),  # the threshold: +inf
    dict(psi1="0.7", psi2="0.7", lam="0.01", activation="tanh"),  # ψ₁ = ψ₂, λ > 0
    dict(psi1="0.4", psi2="0.9", lam=0, activation="linear", tau2="0.2"),
    dict(psi1="1.3", psi2="2.1", lam="1/3", activation="erf", F1sq=2, Fstar2="0.4", tau2="0.1"),
    dict(psi1=2, psi2=3, lam="0.1", activation="abs", Fstar2="0.2"),  # μ₁ = 0
]


@pytest.mark.parametrize("kw", IDENTITY_POINTS)
def test_identity_covariance_reproduces_rf_to_every_digit(kw):
    for dps in (30, 50):
        for q in Q4:
            assert value(q, dps, **kw, spectrum="blocks:1/1/1") == value(q, dps, **kw), (q, dps)


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.generate])
@given(
    p1=st.fractions(Fraction(1, 10), 5, max_denominator=20),
    p2=st.fractions(Fraction(1, 10), 5, max_denominator=20),
    lam=st.sampled_from([Fraction(0), Fraction(1, 1000), Fraction(1, 7), Fraction(2)]),
    act=st.sampled_from(["relu", "tanh", "erf", "linear"]),
    fs=st.sampled_from([Fraction(0), Fraction(1, 3)]),
    tau2=st.sampled_from([Fraction(0), Fraction(1, 4)]),
)
def test_identity_drawn_points(p1, p2, lam, act, fs, tau2):
    assume(not (act == "linear" and lam == 0 and min(p1, p2) >= 1))
    kw = dict(psi1=p1, psi2=p2, lam=lam, activation=act, Fstar2=fs, tau2=tau2)
    for q in ("risk", "train_error"):
        assert value(q, 30, **kw, spectrum="blocks:1/1/1") == value(q, 30, **kw)
    assert value("nu2", 30, **kw) == value("nu2", 30, **kw, spectrum="isotropic")


# ----------------------------------------------------------------------------- N → ∞ is ridge
def test_kernel_limit_is_ridge():
    """ψ₁ → ∞: kernel ridge with ``K = μ₁² XXᵀ/(dm) + μ⋆² I``, i.e. ridge on x with ``γ = 1/ψ₂``,
    ``λ_ridge = (μ⋆² + ψ₂λ) m/(μ₁²ψ₂)``, noise ``τ²``, misspecification ``F⋆²``.  The gap is O(1/ψ₁):
    Richardson's ``2R(2N) − R(N)`` removes it."""
    spec = "blocks:0.5/0.5/0.3,2/0.25/0.5,1/0.25/0.2"  # m = 1, ‖β‖² = 1 = F1sq
    kw = dict(psi2=2, lam="0.1", activation="tanh", Fstar2="0.3", tau2="0.2", spectrum=spec)
    with mpmath.workdps(30):
        r1 = value("risk", 25, psi1=10**6, **kw)
        r2 = value("risk", 25, psi1=2 * 10**6, **kw)
        c = RFParams(1, 1, 0, "tanh").activation.coefficients()
        lr = (c.mustar2 + 2 * mpmath.mpf("0.1")) / (c.mu1**2 * 2)
        s = ridge.Spectrum.parse(spec)
        out, _ = ridge.general_equivalent(mpmath.mpf(1) / 2, lr, mpmath.mpf("0.5"), mpmath.mpf("0.3"), *s.mp_blocks())
        assert abs(r2 - out["risk"]) < 1e-5  # the O(1/ψ₁) gap itself
        assert abs(2 * r2 - r1 - out["risk"]) < 1e-10 * out["risk"]


KL = dict(psi2="1.5", lam="0.1", Fstar2="0.3", tau2="0.2", F1sq=2)
KL_SPECS = ("blocks:0.01/0.5/1,10/0.5/3", "power_law:p=50,alpha=1.5,beta=0.5")
KL_Q = ("risk", "bias", "variance", "train_error", "nu1", "nu2")


@pytest.mark.parametrize("spec", KL_SPECS)
def test_psi1_inf_is_ridge_with_the_mapped_parameters(spec):
    """psi1 = inf: ridge on x at gamma = 1/psi2, lam_r = (mu*^2 + psi2 lam) m/(mu1^2 psi2), noise tau^2 + F*^2,
    misspecification F*^2, ||beta||^2 = F1sq; training error times (psi2 lam/(psi2 lam + mu*^2))^2;
    nu1 = nu2 = mu1^2 kappa_ridge/m.  The mapped numbers are formed here by hand and handed to ridge's solver."""
    got = {q: value(q, 30, psi1="inf", activation="tanh", spectrum=spec, **KL) for q in KL_Q}
    with mpmath.workdps(45):
        c = RFParams(1, 1, 0, "tanh").activation.coefficients()
        mu1sq, ms2 = c.mu1**2, c.mustar2
        psi2, lam = mpmath.mpf(3) / 2, mpmath.mpf("0.1")
        sp = ridge.Spectrum.parse(spec)
        if sp._power is None:
            s, w, b = sp.mp_blocks()
        else:
            P = sp._power[0]
            s = [mpmath.mpf(j) ** mpmath.mpf("-1.5") for j in range(1, P + 1)]
            w = [mpmath.mpf(1) / P] * P
            b = [mpmath.mpf(j) ** mpmath.mpf("-0.5") for j in range(1, P + 1)]
        b = [2 * x / mpmath.fsum(b) for x in b]  # ||beta||^2 = F1sq = 2
        m = mpmath.fsum(wi * si for wi, si in zip(w, s))
        lam_r = (ms2 + psi2 * lam) * m / (mu1sq * psi2)
        out, _ = ridge.general_equivalent(1 / psi2, lam_r, mpmath.mpf("0.5"), mpmath.mpf("0.3"), s, w, b)
        ratio = psi2 * lam / (psi2 * lam + ms2)
        expect = dict(out, train_error=ratio**2 * out["train_error"], nu1=mu1sq * out["kappa"] / m)
        expect["nu2"] = expect["nu1"]
    for q in KL_Q:
        assert abs(got[q] - expect[q]) < mpmath.mpf(10) ** -28 * abs(expect[q]), q
        near = value(q, 30, psi1="1e12", activation="tanh", spectrum=spec, **KL)
        assert abs(near - got[q]) < 1e-11 * abs(got[q]), q  # the limit: an O(1/psi1) gap
        v, st = curve_values(q, psi1=np.inf, activation="tanh", spectrum=spec, psi2=1.5, lam=0.1, Fstar2=0.3, tau2=0.2, F1sq=2.0)
        assert int(st) == 0 and abs(float(v) - float(got[q])) < 1e-12 * float(got[q]), q


def test_psi1_inf_linear_equals_ridge_cli_values_every_digit():
    """Linear features (mu1 = 1, mu* = 0): lam_r = lam m exactly, so ridge's own certified value at rational
    parameters (gamma = 1/2, lam = 0.1 m with m = 1, r2 = 4, sigma2 = tau^2, tau2 = F*^2) is rf's to every digit."""
    spec = "blocks:0.5/0.5/1,1.5/0.5/3"
    for q in ("risk", "bias", "variance", "train_error"):
        a = value(q, 30, psi1="inf", psi2=2, lam="0.1", activation="linear", F1sq=4, Fstar2="0.3", tau2="0.2", spectrum=spec)
        b = ridge.solve(ridge.RidgeParams(gamma="0.5", lam="0.1", sigma2="0.2", tau2="0.3", spectrum=spec), q, dps=30).value
        assert a == b, q


def test_infinite_data_limit():
    """psi2 = inf: kappa = psi1 lam, no variance, train = risk + tau^2; equal to the O(1/psi2) limit; with linear
    features and lam = 0 (psi1 < 1) the projection error sum_i e_i k/(s_i + k), sum_i w_i s_i/(s_i + k) = psi1 (the
    best predictor in N random directions); psi1 >= 1 linear: x is fitted exactly (risk F*^2)."""
    spec, kw = "blocks:0.01/0.5/1,10/0.5/3", dict(lam="0.1", Fstar2="0.3", tau2="0.2", activation="relu")
    for q in ("risk", "bias", "train_error", "nu2"):
        a = value(q, 30, psi1="0.7", psi2="inf", spectrum=spec, **kw)
        b = value(q, 30, psi1="0.7", psi2="1e13", spectrum=spec, **kw)
        assert abs(a - b) < 1e-11 * abs(a), q
        v, st = curve_values(q, psi1=0.7, psi2=np.inf, spectrum=spec, lam=0.1, Fstar2=0.3, tau2=0.2)
        assert int(st) == 0 and abs(float(v) - float(a)) < 1e-12 * float(a), q
    assert value("variance", 30, psi1="0.7", psi2="inf", spectrum=spec, **kw) == 0
    with mpmath.workdps(40):
        s, w, e = [mpmath.mpf("0.01"), mpmath.mpf(10)], [mpmath.mpf(1) / 2] * 2, [mpmath.mpf("0.0025"), mpmath.mpf("7.5")]
        df1 = lambda k: mpmath.fsum(wi * si / (si + k) for si, wi in zip(s, w))  # noqa: E731
        k = mpmath.findroot(lambda k: df1(k) - mpmath.mpf("0.7"), (mpmath.mpf("1e-3"), 100), solver="anderson")
        proj = mpmath.fsum(ei * k / (si + k) for si, ei in zip(s, e))
    got = value("risk", 30, psi1="0.7", psi2="inf", lam=0, activation="linear", spectrum=spec)
    assert abs(got - proj) < mpmath.mpf(10) ** -27 * proj
    exact = value("risk", 30, psi1=3, psi2="inf", lam=0, activation="linear", Fstar2="0.3", spectrum=spec)
    assert abs(exact - mpmath.mpf("0.3")) < 1e-29


# ----------------------------------------------------------------------------- exact symmetries and a closed form
def test_scalar_covariance_rescales_the_target_only():
    """Σ = sI: the features are normalized by m = s, so only the target energy changes: βᵀΣβ = s‖β‖²."""
    kw = dict(psi1="1.5", psi2="2.5", lam="0.05", activation="relu", Fstar2="0.25", tau2="0.5")
    for q in Q4:
        a = value(q, 30, **kw, F1sq="0.8", spectrum="blocks:3/1/1")
        b = value(q, 30, **kw, F1sq="2.4")
        assert mpmath.almosteq(a, b, rel_eps=mpmath.mpf(10) ** -26), q


def test_mu1_zero_sees_only_the_target_energy():
    """μ₁ = 0 (abs): the features carry no linear information, Σ enters only through βᵀΣβ = Σ bᵢsᵢ."""
    kw = dict(psi1=2, psi2=3, lam="0.1", activation="abs", Fstar2="0.2", tau2="0.1")
    # ‖β‖² = 1 with energies 1:3 on eigenvalues 1, 7: βᵀΣβ = (1·1 + 3·7)/4 = 5.5
    for q in Q4:
        a = value(q, 30, **kw, spectrum=TWO_BLOCKS)
        b = value(q, 30, **kw, F1sq="5.5")
        assert mpmath.almosteq(a, b, rel_eps=mpmath.mpf(10) ** -26), q


@pytest.mark.parametrize("psi1, psi2", [("0.3", "1.2"), ("0.6", "0.9")])
def test_linear_least_squares_two_blocks_closed_form(psi1, psi2):
    """Linear features, λ = 0, N < d, N < n: least squares on N random projections of x.

    Classical OLS with Gaussian design: risk = F⋆² + A·n/(n − N) + (τ² + F⋆²)·N/(n − N), train = (1 − N/n)(A + τ² + F⋆²),
    A the approximation error of the projection: ``A = Σ eᵢ v/(cᵢ + v)`` with ``ψ₁ = Σ wᵢcᵢ/(cᵢ + v)``, cᵢ = sᵢ/m —
    for two blocks ``ψ₁v² + (ψ₁(c₁ + c₂) − w₁c₁ − w₂c₂)v − (1 − ψ₁)c₁c₂ = 0``."""
    with mpmath.workdps(40):
        p1, p2 = mpmath.mpf(psi1), mpmath.mpf(psi2)
        c1, c2, w1, w2 = mpmath.mpf(1) / 4, mpmath.mpf(7) / 4, mpmath.mpf(1) / 2, mpmath.mpf(1) / 2
        bq = p1 * (c1 + c2) - w1 * c1 - w2 * c2
        v = (-bq + mpmath.sqrt(bq**2 + 4 * p1 * (1 - p1) * c1 * c2)) / (2 * p1)
        e1, e2 = mpmath.mpf(1) / 4 * 1, mpmath.mpf(3) / 4 * 7  # ‖β‖² = 1 split 1:3, times the eigenvalues
        A = e1 * v / (c1 + v) + e2 * v / (c2 + v)
        fs, tau2 = mpmath.mpf("0.3"), mpmath.mpf("0.2")
        q = p1 / p2
        risk = fs + A / (1 - q) + (tau2 + fs) * q / (1 - q)
        train = (1 - q) * (A + tau2 + fs)
    kw = dict(psi1=psi1, psi2=psi2, lam=0, activation="linear", Fstar2="0.3", tau2="0.2", spectrum=TWO_BLOCKS)
    assert mpmath.almosteq(value("risk", 30, **kw), risk, rel_eps=mpmath.mpf(10) ** -27)
    assert mpmath.almosteq(value("train_error", 30, **kw), train, rel_eps=mpmath.mpf(10) ** -27)
    assert mpmath.almosteq(value("nu2", 30, **kw), v, rel_eps=mpmath.mpf(10) ** -27)


# ----------------------------------------------------------------------------- properties
SPECTRA = ("blocks:1/1/1", TWO_BLOCKS, "blocks:0.1/0.75/1,2.7/0.25/1", "power_law:p=40,alpha=1,beta=1.5")


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.generate])
@given(
    p1=st.fractions(Fraction(1, 5), 4, max_denominator=10),
    p2=st.fractions(Fraction(1, 5), 4, max_denominator=10),
    lam=st.sampled_from([Fraction(0), Fraction(1, 100), Fraction(1, 2)]),
    act=st.sampled_from(["relu", "tanh", "linear"]),
    spec=st.sampled_from(SPECTRA),
    fs=st.sampled_from([Fraction(0), Fraction(1, 2)]),
)
def test_properties(p1, p2, lam, act, spec, fs):
    assume(not (lam == 0 and (p1 == p2 or (act == "linear" and min(p1, p2) >= 1))))
    kw = dict(psi1=p1, psi2=p2, lam=lam, activation=act, Fstar2=fs, spectrum=spec)
    lo = {q: value(q, 15, **kw, tau2=0) for q in Q4}
    hi = {q: value(q, 15, **kw, tau2=1) for q in Q4}
    assert lo["bias"] > 0 and lo["variance"] >= 0 and lo["train_error"] >= 0
    fsm = mpmath.mpf(fs.numerator) / fs.denominator
    assert lo["risk"] >= fsm  # the nonlinear part is never learned
    assert mpmath.almosteq(lo["risk"], lo["bias"] + lo["variance"] + fsm, rel_eps=1e-13)
    assert hi["risk"] >= lo["risk"] and hi["variance"] >= lo["variance"] and hi["bias"] == lo["bias"]
    assert value("nu1", 15, **kw) > 0 and value("nu2", 15, **kw) > 0
    # the float64 curve agrees with the certified value (status 0) or declines (status 3)
    v, s = curve_values("risk", psi1=float(p1), psi2=float(p2), lam=float(lam), activation=act, Fstar2=float(fs), spectrum=spec)
    assert int(s) in (0, 3)
    if int(s) == 0:
        assert abs(float(v) - float(lo["risk"])) <= 1e-6 * float(lo["risk"])


def test_curve_broadcasts_and_thresholds():
    v, s = curve_values("risk", psi1=np.array([0.5, 0.7, 2.0]), psi2=0.7, lam=0.0, tau2=0.5, spectrum=TWO_BLOCKS)
    assert list(s) == [0, 1, 0] and np.isinf(v[1])
    for i, p1 in enumerate((0.5, 2.0)):
        exact = float(value("risk", 15, psi1=p1, psi2="0.7", lam=0, tau2="0.5", spectrum=TWO_BLOCKS))
        assert abs(v[2 * i] - exact) < 1e-9 * exact


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kw",
    [
        dict(psi1=1, psi2=2, spectrum="nonsense"),
        dict(psi1="inf", psi2=2, spectrum="power_law:p=inf,alpha=2,beta=2"),  # N = inf at p = inf
        dict(psi1=1, psi2="inf", spectrum="power_law:p=inf,alpha=2,beta=2"),
        dict(psi1=1, psi2=2, spectrum="power_law:p=10,alpha=1,beta=0,r2=7"),  # F1sq sets the norm, not r2
        dict(psi1=1, psi2=2, spectrum="blocks:1/0.5/1,2/0.6/1"),  # weights sum to 1.1
        dict(N=10, n=20, spectrum="power_law:p=inf,alpha=1,beta=1.5"),  # p = inf needs alpha > 1
        dict(psi1=1, psi2=2, spectrum="blocks:1/1/0"),
    ],
)
def test_bad_spectrum_names_spectrum(kw):
    with pytest.raises(ParameterError, match="spectrum"):
        solve(RFParams(**kw), "risk", dps=15)


def test_chi_and_degenerate_refused():
    with pytest.raises(ParameterError, match="spectrum"):
        solve(RFParams(psi1=1, psi2=2, spectrum=TWO_BLOCKS), "chi", dps=15)
    with pytest.raises(ParameterError, match="lam"):
        solve(RFParams(psi1=2, psi2=3, activation="linear", spectrum=TWO_BLOCKS), "risk", dps=15)
    with pytest.raises(ParameterError, match="psi"):
        solve(RFParams(psi1="inf", psi2="inf"), "nu1", dps=15)


# ----------------------------------------------------------------------------- power laws of any size, p = inf
def test_closed_form_sums_equal_term_by_term():
    """PowerRF (ridge's closed-form tails) against the direct sums over all 5000 terms, mpmath and float64."""
    from asymptotics.backend import MP, NP
    from asymptotics.models import _rf_spectrum as R

    sp = ridge.Spectrum.parse("power_law:p=5000,alpha=1.5,beta=0.5")
    with mpmath.workdps(25):
        s_, w_, e_, m_ = R._blocks(sp, MP, mpmath.mpf(2))  # every term, one by one
        direct = ([mpmath.mpf("0.25") * si / m_ for si in s_], w_, e_)
        closed = R.PowerRF(MP, sp._power, mpmath.mpf("0.25"), mpmath.mpf(2))
        for v in (mpmath.mpf("3e-4"), mpmath.mpf("0.05"), mpmath.mpf(7)):
            for terms in (R._s_terms, R._e_terms, R._c_terms):
                for a, b in zip(R._bsum(MP, direct, terms, v), R._bsum(MP, closed, terms, v), strict=True):
                    assert abs(a - b) <= mpmath.mpf(10) ** -20 * abs(a), (terms.__name__, v)
    s_, w_, e_, m_ = R._blocks(sp, NP, 1.0)
    d64 = (0.25 * s_ / m_, w_, e_)
    c64 = R.PowerRF(NP, sp._power, 0.25, 1.0)
    v = np.array([0.05, 1.0, 7.0])  # float64 tables: k = v/C above 16/4096^alpha
    for terms in (R._s_terms, R._e_terms):
        for a, b in zip(R._bsum(NP, d64, terms, v), R._bsum(NP, c64, terms, v), strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12)


def test_p4097_continues_p4096():
    """P <= 4096 is summed term by term, P > 4096 in closed form: the steps P -> P+1 (float64 curves, 1e-12 accurate)
    are equal across the switch to 2% (a smooth function of P: second difference << first)."""
    r = [
        float(curve_values("risk", psi1=0.02, psi2=0.05, lam=4.0, tau2=0.1, spectrum=f"power_law:p={p},alpha=1.5,beta=1.5")[0])
        for p in (4095, 4096, 4097, 4098)
    ]
    steps = np.diff(r)
    assert np.all(steps < 0) and np.ptp(steps) < 0.02 * abs(steps[0])


def test_p_inf_is_the_limit_of_large_p():
    """psi1 = N/P, psi2 = n/P, lam = P*lam_inf -> the p = inf value with N, n; the gap shrinks like P^(1-alpha)
    (the tail of tr Sigma): ratio sqrt(10) per decade at alpha = 3/2."""
    N, n, lam = 100, 200, mpmath.mpf("0.001")
    spec = "power_law:p={},alpha=1.5,beta=1.5"
    inf = value("risk", 16, N=N, n=n, lam="0.001", tau2="0.1", spectrum=spec.format("inf"))
    gaps = []
    for P in (10**5, 10**6):
        r = value("risk", 16, psi1=mpmath.mpf(N) / P, psi2=mpmath.mpf(n) / P, lam=P * lam, tau2="0.1", spectrum=spec.format(P))
        gaps.append(inf - r)
    assert gaps[-1] > 0 and abs(gaps[-1]) < 2e-3 * inf
    for g1, g2 in zip(gaps, gaps[1:]):
        assert abs(g1 / g2 / mpmath.sqrt(10) - 1) < 0.1


def test_p_inf_float64_matches_certified():
    """em_tail (tiny k: N = 1e3), closed-form tails, kappa = 0 and kappa > 0 branches, both activation kinds."""
    spec = "power_law:p=inf,alpha=2,beta=1.5"
    pts = [
        (dict(N=1e3, n=1e4, lam=0.0), "relu"),
        (dict(N=300, n=100, lam=0.0), "linear"),
        (dict(N=0.5, n=3, lam=0.1), "relu"),
        (dict(N=50, n=50, lam=1e-3), "linear"),
    ]
    for kw, act in pts:
        v, st = curve_values("risk", activation=act, tau2=0.1, spectrum=spec, **kw)
        exact = value("risk", 16, activation=act, tau2="0.1", spectrum=spec, **{k: repr(x) for k, x in kw.items()})
        assert int(st) == 0 and abs(float(v) - float(exact)) < 1e-9 * float(exact), (kw, act)


def test_p_inf_linear_ridgeless_projection_closed_form():
    """Linear features, lam = 0, N < n at p = inf: risk = [sum_j e_j k/(s_j + k)]/(1 - N/n) with sum_j s_j/(s_j+k) = N
    (least squares on N random projections; noiseless).  alpha = 2, beta = 2: direct sums to j = 2e5 plus the
    integral tail, independently of the code's closed forms."""
    with mpmath.workdps(20):
        N, n = 3, 12
        z2, zb = mpmath.zeta(2), mpmath.zeta(2)

        def S(k, f):
            return mpmath.nsum(lambda j: f(j**-2, j), [1, mpmath.inf])

        k = mpmath.findroot(lambda k: S(k, lambda s, j: s / (s + k)) - N, mpmath.mpf("0.05"))
        bias = S(k, lambda s, j: j**-2 * s * k / (s + k)) / zb
        expect = bias / (1 - mpmath.mpf(N) / n)
        got = value("risk", 20, N=N, n=n, lam=0, activation="linear", spectrum="power_law:p=inf,alpha=2,beta=2")
        assert abs(got - expect) < 1e-12 * expect
        _ = z2


@pytest.mark.parametrize(
    "kw",
    [
        dict(N=10, n=20, spectrum="power_law:p=1000,alpha=2,beta=2"),  # N, n with a finite p
        dict(N=10, n=20),  # N, n without a spectrum
        dict(N=10, spectrum="power_law:p=inf,alpha=2,beta=2"),  # n missing
        dict(psi1=1, psi2=2, spectrum="power_law:p=inf,alpha=2,beta=2"),  # ratios at p = inf
        dict(N=10, n=20, psi1=1, spectrum="power_law:p=inf,alpha=2,beta=2"),  # mixed
        dict(N=-1, n=20, spectrum="power_law:p=inf,alpha=2,beta=2"),
    ],
)
def test_absolute_sizes_refused_where_meaningless(kw):
    with pytest.raises(ParameterError, match="`N`|`n`|`psi1`"):
        solve(RFParams(**kw), "risk", dps=15)


# ----------------------------------------------------------------------------- optimal lambda with a spectrum
def test_optimal_lambda_with_spectrum_is_a_minimum():
    """lam* minimizes the certified risk: R(lam*) = optimal_risk <= R(lam*(1 +- 2%)); noise makes lam* > 0."""
    from asymptotics.models.random_features import optimal_lambda, optimal_risk, risk

    kw = dict(psi1=2, psi2=3, tau2="0.5", spectrum=TWO_BLOCKS)
    lam = optimal_lambda(**kw, dps=15).value
    best = optimal_risk(**kw, dps=15)
    assert lam > 0 and best.extra["lambda_star"] == lam
    at = [risk(**kw, lam=mpmath.nstr(lam * f, 25), dps=15).value for f in (mpmath.mpf("0.98"), 1, mpmath.mpf("1.02"))]
    assert abs(at[1] - best.value) < 1e-13 * best.value
    assert at[0] > best.value and at[2] > best.value


def test_tuned_float64_curve_at_p_inf_beats_a_grid():
    """lam=opt float64 curve at p = inf (N, n): at most the minimum over a fine lam grid, and within 1e-4 of it."""
    from asymptotics.tuning import tuned_risk_curve

    spec = "power_law:p=inf,alpha=1.5,beta=1.5"
    N = np.array([10.0, 50.0, 300.0])
    tuned, status, _ = tuned_risk_curve(lambda **kw: curve_values("risk", **kw), dict(N=N, n=100.0, tau2=0.5, spectrum=spec))
    grid = np.logspace(-6, 1, 700)
    v, st = curve_values("risk", N=N[:, None], n=100.0, tau2=0.5, lam=grid[None, :], spectrum=spec)
    assert np.all(status == 0) and np.all(st == 0)
    assert np.all(tuned <= v.min(axis=1) * (1 + 1e-9)) and np.all(tuned > v.min(axis=1) * (1 - 1e-4))
