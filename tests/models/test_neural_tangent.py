"""Neural tangent model and two-layer NTK (asymptotics.models.neural_tangent).

Golden values are derived here independently of the module:

* λ_self by direct Gaussian quadrature of σ'(x)² (and closed forms: ReLU 1/4, erf
  4/(π√5) − 4/(3π), x² → 4);
* ReLU, ψ₂ = 2, λ = 0: λ' = 1/2, γ = 1/2, so κ² + κ/2... = solves 1/2 = κ(1 − 1/(2(1 + κ))),
  κ = 1/√2, and 𝓑 = κ²/((1 + κ)² − γ) = 𝓥 = (√2 − 1)/2 exactly;
* the NT model equals ridge regression on x (the `ridge` model) with the self-induced ridge;
* the NTK closed form (Stieltjes transform) against explicit 2 × 2 block matrices integrated
  over the Marchenko–Pastur density by quadrature, with κ found by bisection;
* the NTK limits ψ₁ → 0 (NT) and ψ₁ → ∞ (ridge with weight 2μ₁²);
* the theory note's table rows nt01, nt04, nt05 and ntk01–03 (an independent implementation).
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.activations import from_callable
from asymptotics.errors import ParameterError, RegimeError, RegimeWarning
from asymptotics.models import neural_tangent as nt
from asymptotics.models import ridge

from ._helpers import ae

ACTS = ("relu", "tanh", "erf")


# ----------------------------------------------------------------------------- oracles
def lambda_self_quadrature(dsigma):
    """E σ'(G)² − (E σ'(G))², with E σ'(G) = μ₁ by Stein's lemma: direct quadrature."""
    phi = lambda x: mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
    e2 = mpmath.quad(lambda x: dsigma(x) ** 2 * phi(x), [-mpmath.inf, 0, mpmath.inf])
    e1 = mpmath.quad(lambda x: dsigma(x) * phi(x), [-mpmath.inf, 0, mpmath.inf])
    return e2 - e1**2


def ntk_quadrature(psi1, psi2, lam, mu1sq, ms2, lself):
    """(𝓑, 𝓥) from explicit 2 × 2 blocks integrated over the MP density (no Stieltjes transform)."""
    c = mpmath.mpf(psi1)
    a, b = (1 - mpmath.sqrt(c)) ** 2, (1 + mpmath.sqrt(c)) ** 2
    mu1 = mpmath.sqrt(mu1sq)

    def integrate(f):
        # s = a + (b − a)sin²(t/2) removes the square-root endpoints of the density
        def g(t):
            s = a + (b - a) * mpmath.sin(t / 2) ** 2
            dens = ((b - a) / 2) ** 2 * mpmath.sin(t) ** 2 / (2 * mpmath.pi * c * s)
            return f(s) * dens

        return c * mpmath.quad(g, [0, mpmath.pi])

    def block(w, k):
        M = mpmath.matrix([[(mu1sq * w + ms2) / c, mu1sq * mpmath.sqrt(w / c)], [mu1sq * mpmath.sqrt(w / c), mu1sq]])
        Ki = (M + k * mpmath.eye(2)) ** -1
        av = mpmath.matrix([mu1 * mpmath.sqrt(w / c), mu1])
        t1 = sum((M * Ki)[i, i] for i in range(2))
        MK = M * Ki
        t2 = sum((MK * MK)[i, i] for i in range(2))
        amp = k**2 * (av.T * M**-1 * Ki * Ki * av)[0]
        return t1, t2, amp

    noise, lin = max(c - 1, 0), max(1 - c, 0)
    nz = ms2 / c

    def T1(k):
        return integrate(lambda w: block(w, k)[0]) + noise * nz / (nz + k) + lin * mu1sq / (mu1sq + k)

    lt = (lself + lam) / psi2
    lo, hi = lt, lt + (2 * mu1sq + ms2) / psi2
    for _ in range(200):  # bisection on the increasing κ(1 − T₁/ψ₂) − λ̃
        mid = (lo + hi) / 2
        if mid * (1 - T1(mid) / psi2) - lt > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < mpmath.mpf(10) ** (-mpmath.mp.dps + 3) * hi:
            break
    k = (lo + hi) / 2
    T2 = integrate(lambda w: block(w, k)[1]) + noise * (nz / (nz + k)) ** 2 + lin * (mu1sq / (mu1sq + k)) ** 2
    A = integrate(lambda w: block(w, k)[2]) + lin * (k / (mu1sq + k)) ** 2
    D = T2 / psi2
    return A / (1 - D), D / (1 - D)


def coefficients(act):
    from asymptotics.activations import get_activation

    a = get_activation(act)
    with mpmath.workdps(40):
        c = a.coefficients()
        dc = a.derivative().coefficients()
        return c.mu1**2, c.mustar2, dc.mu1**2 + dc.mustar2


# ----------------------------------------------------------------------------- golden values
@pytest.mark.parametrize(
    "act, exact",
    [
        ("relu", lambda: mpmath.mpf(1) / 4),
        ("erf", lambda: 4 / (mpmath.pi * mpmath.sqrt(5)) - 4 / (3 * mpmath.pi)),
        ("quadratic", lambda: mpmath.mpf(4)),
        ("linear", lambda: mpmath.mpf(0)),
        ("tanh", lambda: lambda_self_quadrature(lambda x: 1 / mpmath.cosh(x) ** 2)),
        ("softplus", lambda: lambda_self_quadrature(lambda x: 1 / (1 + mpmath.exp(-x)))),
        ("x + 0.1*(x**2-1)/sqrt(2)", lambda: mpmath.mpf("0.02")),
    ],
)
def test_self_ridge_golden(act, exact):
    r = nt.self_ridge(act, dps=30)
    with mpmath.workdps(40):
        assert ae(r.value, exact(), 28) if exact() != 0 else r.value == 0


def test_self_ridge_note_value_and_callable():
    assert ae(nt.self_ridge("tanh").value, mpmath.mpf("0.0975237380858573"), 15)  # theory note §2
    act = from_callable(lambda x: x * x, name="sq", derivative=lambda x: 2 * x)
    assert ae(nt.self_ridge(act).value, 4, 25)
    with pytest.raises(ParameterError, match="derivative"):
        nt.self_ridge(from_callable(lambda x: x * x, name="sq"))


def test_relu_psi2_2_is_exact():
    r = nt.risk(psi2=2, F1sq=1, tau2=1, dps=50)
    exact = mpmath.sqrt(2) - 1  # 𝓑 = 𝓥 = (√2 − 1)/2, R = 𝓑 + 𝓥
    assert ae(r.value, exact, 48)
    assert ae(r.extra["B"], exact / 2, 48) and ae(r.extra["V"], exact / 2, 48)


@pytest.mark.parametrize("act", [*ACTS, "softplus", "x + 0.1*(x**2-1)/sqrt(2)"])
@pytest.mark.parametrize("psi2, lam", [("0.5", "0"), ("2", "0"), ("0.7", "0.3"), ("3", "1e-4")])
def test_nt_is_ridge_with_self_induced_ridge(act, psi2, lam):
    """The Montanari-Zhong characterization: NT = ridge on x with λ' = (λ_self + λ)/(μ₁²ψ₂)."""
    mu1sq, _, lself = coefficients(act)
    with mpmath.workdps(40):
        lp = (lself + mpmath.mpf(lam)) / (mu1sq * mpmath.mpf(psi2))
        lp_text = mpmath.nstr(lp, 38)
    lp_r = nt.effective_ridge(psi2=psi2, lam=lam, activation=act)
    assert ae(lp_r.value, lp, 25)
    for q in ("risk", "bias", "variance", "train_error"):
        got = nt.solve(nt.NTParams(psi2, lam, act, "0.8", "0.3", "0.25"), q, dps=30).value
        pr = ridge.RidgeParams(gamma=str(1 / Fraction(psi2)), lam=lp_text, r2="0.8", sigma2="0.25", tau2="0.3")
        ref = ridge.solve(pr, q, dps=30).value
        if q == "train_error":  # the kernel's λ_self I part interpolates: factor (λ/(λ + λ_self))²
            with mpmath.workdps(40):
                ref = ref * (mpmath.mpf(lam) / (mpmath.mpf(lam) + lself)) ** 2
        assert ae(got, ref, 25) or (got == 0 and ref == 0), q


@pytest.mark.parametrize(
    "act, psi1, psi2, lam",
    [
        ("relu", "0.5", "1.5", "0"),
        ("tanh", "1", "2", "0.05"),
        ("erf", "2.5", "0.8", "0"),
        ("relu", "1", "0.6", "1"),
        ("tanh", "4", "3", "0"),
        ("x + 0.1*(x**2-1)/sqrt(2)", "0.3", "1.2", "0.001"),
    ],
)
def test_ntk_closed_form_matches_block_quadrature(act, psi1, psi2, lam):
    mu1sq, ms2, lself = coefficients(act)
    with mpmath.workdps(18):
        B, V = ntk_quadrature(mpmath.mpf(psi1), mpmath.mpf(psi2), mpmath.mpf(lam), +mu1sq, +ms2, +lself)
    r = nt.risk(psi2=psi2, lam=lam, activation=act, layers="both", psi1=psi1, dps=20)
    assert ae(r.extra["B"], B, 14) and ae(r.extra["V"], V, 14)


@pytest.mark.parametrize("act", [*ACTS, "abs"])
def test_ntk_limits(act):
    """ψ₁ → 0: the NT model; ψ₁ → ∞: ridge on x with weight 2μ₁² and ridge μ⋆² + λ_self + λ."""
    kw = dict(psi2="1.7", lam="0.2", activation=act, F1sq=1, Fstar2="0.3", tau2="0.25")
    small = nt.risk(**kw, layers="both", psi1="1e-12").value
    assert ae(small, nt.risk(**kw).value, 10)
    big = nt.risk(**kw, layers="both", psi1="1e12").value
    inf = nt.risk(**kw, layers="both", psi1="inf").value
    assert ae(big, inf, 10)
    mu1sq, ms2, lself = coefficients(act)
    if mu1sq > 0:
        with mpmath.workdps(40):
            lp = mpmath.nstr((ms2 + lself + mpmath.mpf("0.2")) / (2 * mu1sq * mpmath.mpf("1.7")), 38)
        ref = ridge.risk(gamma="10/17", lam=lp, r2=1, sigma2="0.25", tau2="0.3").value
        assert ae(inf, ref, 25)


@pytest.mark.parametrize(
    "kw, value",
    [
        (dict(psi2=2, tau2="0.25"), "0.2588834764831844"),  # nt01
        (dict(psi2="1.5", tau2="0.25", activation="tanh"), "0.2501820112674918"),  # nt04
        (dict(psi2="0.5", lam="0.1", tau2="0.25"), "0.7322759886287737"),  # nt05
        (dict(psi2=2, tau2="0.25", layers="both", psi1=1), "0.2962677969569556"),  # ntk01
        (dict(psi2="1.5", tau2="0.25", layers="both", psi1="0.5"), "0.4075179264157907"),  # ntk02
        (dict(psi2=2, lam="0.05", tau2="0.25", layers="both", psi1=1, activation="tanh"), "0.2031678537227794"),  # ntk03
        (dict(psi2=2, tau2="0.25", layers="both", psi1="0.25"), "0.2988"),  # §3 width scan
        (dict(psi2=2, tau2="0.25", layers="both", psi1="0.5"), "0.3073"),
    ],
)
def test_theory_note_rows(kw, value):
    digits = len(value.replace("0.", "", 1).lstrip("0"))
    assert ae(nt.risk(**kw).value, mpmath.mpf(value), digits - 1)


def test_training_error_rows():
    assert ae(nt.train_error(psi2="0.5", lam="0.1", tau2="0.25").value, mpmath.mpf("0.0320"), 2)  # nt05
    r = nt.train_error(psi2=2, lam="0.05", tau2="0.25", layers="both", psi1=1, activation="tanh")
    assert ae(r.value, mpmath.mpf("0.0150"), 2)  # ntk03
    for layers, psi1 in (("first", None), ("both", "0.7")):
        assert nt.train_error(psi2=2, tau2="0.25", layers=layers, psi1=psi1).value == 0  # λ = 0 interpolates


def test_special_activations():
    # μ₁ = 0: NT predicts 0 off the training set; the NTK's features are pure noise (𝓑 = 1 + 𝓥)
    assert nt.risk(psi2=2, activation="abs", tau2=1).value == 1
    r = nt.risk(psi2=2, lam="0.1", activation="abs", tau2=1, layers="both", psi1=2)
    assert ae(r.extra["B"], 1 + r.extra["V"], 25) and r.extra["V"] > 0
    # affine σ: λ_self = 0 and the NT model is least squares / min-norm regression on x
    assert nt.risk(psi2=2, activation="linear").value == 0
    assert ae(nt.risk(psi2="0.5", activation="linear").value, mpmath.mpf("0.5"), 28)
    with pytest.raises(ParameterError, match="affine"):
        nt.risk(psi2=2, activation="linear", layers="both", psi1=1)


def test_high_precision_and_dps_promise():
    a = nt.risk(psi2="1.3", lam="0.01", activation="erf", layers="both", psi1="0.8", tau2="0.1", dps=80)
    b = nt.risk(psi2="1.3", lam="0.01", activation="erf", layers="both", psi1="0.8", tau2="0.1", dps=40)
    assert ae(a.value, b.value, 39)
    assert a.residual is not None and a.residual < mpmath.mpf(10) ** -75


# ----------------------------------------------------------------------------- float64 path
@pytest.mark.parametrize("layers", ["first", "both"])
@pytest.mark.parametrize("act", ACTS)
def test_float64_curve_matches_certified(layers, act):
    p1 = np.array([0.05, 0.5, 1.0, 1.0, 3.0, np.inf])
    p2 = np.array([0.3, 2.0, 1.0, 0.5, 1.5, 2.0])
    lam = np.array([0.0, 0.1, 0.0, 1e-3, 2.0, 0.0])
    for q in ("risk", "train_error", "kappa"):
        vals, status = nt.curve_values(q, psi2=p2, lam=lam, activation=act, tau2=0.25, Fstar2=0.1, layers=layers, psi1=p1)
        assert np.all(status == 0)
        for i in range(p1.size):
            ref = nt.solve(
                nt.NTParams(repr(float(p2[i])), repr(float(lam[i])), act, 1, "0.1", "0.25", layers, repr(float(p1[i]))),
                q,
                dps=20,
            ).value
            assert vals[i] == pytest.approx(float(ref), rel=1e-11, abs=1e-300), (q, i)


def test_float64_curve_regime_and_domain():
    vals, status = nt.curve_values("risk", psi2=2.0, psi1=np.array([0.01, 0.1, 1.0]), d=300)
    assert list(status) == [2, 0, 0] and np.isnan(vals[0])
    vals, status = nt.curve_values("risk", psi2=np.array([-1.0, np.inf, 1.0]))
    assert list(status) == [2, 2, 0]


# ----------------------------------------------------------------------------- regime checks
def test_regime_error_near_interpolation_threshold():
    with pytest.raises(RegimeError, match="Nd/n"):
        nt.risk(psi2=2, psi1="1/150", d=300)  # Nd = n: the note's row nt03
    with pytest.raises(RegimeError):
        nt.risk(psi2=2, psi1="0.05", d=300, layers="both")  # Nd/n = 7.5


def test_regime_warning_and_no_check_without_d():
    with pytest.warns(RegimeWarning, match="finite-width"):
        r = nt.risk(psi2=2, psi1="0.1", d=300)  # Nd/n = 15: the note's +10 % row
    assert r.extra["Nd_over_n"] == pytest.approx(15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nt.risk(psi2=2, psi1="0.1")  # the d → ∞ limit at fixed ψ₁: nothing to warn about
        nt.risk(psi2=2, psi1=1, d=1000)  # Nd/n = 500
    with pytest.warns(RegimeWarning, match="d\\^2"):
        nt.risk(psi2=40, psi1=100, d=100)  # n = d^2 · 0.4 ≥ d^1.5


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(psi2=2, layers="three"), "layers"),
        (dict(psi2=2, layers="both"), "psi1"),
        (dict(psi2=2, d=100), "psi1"),
        (dict(psi2="inf"), "psi2"),
        (dict(psi2=0), "psi2"),
        (dict(psi2=2, lam=-1), "lam"),
        (dict(psi2=2, activation="sign(x)"), "jump"),
        (dict(psi2=2, activation="Heaviside(x)"), "jump"),
        (dict(psi2=2, activation="Piecewise((1, x > 1), (0, True))"), "jump"),
        (dict(psi2=2, activation="3"), "σ' = 0"),
        (dict(psi2=2, psi1=0, layers="both"), "psi1"),
        (dict(psi2=2, d=1, psi1=1), "d"),
        (dict(psi2=2, F1sq=float("nan")), "F1sq"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ParameterError, match=match):
        nt.risk(**kw)


# ----------------------------------------------------------------------------- staircase
def test_staircase():
    F = "0.1,1,0.5,0.25,0.125"
    assert nt.staircase(exponent="1.5", F=F, method="rf").value == mpmath.mpf("0.875")  # degrees ≥ 2 left
    assert nt.staircase(exponent="1.5", F=F, method="nt").value == mpmath.mpf("0.375")  # NT: one degree more
    assert nt.staircase(exponent="0.5", F=F, method="nt").value == mpmath.mpf("0.875")
    assert nt.staircase(exponent="2.5", F=F, method="kernel").value == mpmath.mpf("0.375")
    assert nt.staircase(exponent="2.5", F=F, method="kernel").extra["degree_learned"] == 2
    with pytest.raises(ParameterError, match="psi2=inf"):
        nt.staircase(exponent=1, F=F, method="rf")
    with pytest.raises(ParameterError, match="method"):
        nt.staircase(exponent="1.5", F=F, method="svm")


# ----------------------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(
    psi1=st.floats(0.05, 20),
    psi2=st.floats(0.05, 20),
    lam=st.one_of(st.just(0.0), st.floats(1e-4, 10)),
    act=st.sampled_from(ACTS),
    layers=st.sampled_from(["first", "both"]),
    tau2=st.floats(0, 2),
)
def test_properties(psi1, psi2, lam, act, layers, tau2):
    """𝓥 ≥ 0, 0 ≤ 𝓑 ≤ 1 (NT: isotropic ridge) or ≤ 1 + 𝓥 (NTK: 𝓑 = A/(1 − D) with A ≤ S₁ = 1, since
    κ²(M + κ)⁻² ≤ I; the RF block's noise features can push 𝓑 above 1), T ≤ R + τ², R ≥ F⋆², float64 = certified."""
    pr = nt.NTParams(repr(psi2), repr(lam), act, 1, "0.2", repr(tau2), layers, repr(psi1))
    r = nt.solve(pr, "risk", dps=20)
    B, V = r.extra["B"], r.extra["V"]
    assert V >= 0 and 0 <= B <= (1 if layers == "first" else 1 + V) + mpmath.mpf(10) ** -15
    assert r.value >= mpmath.mpf("0.2")
    t = nt.solve(pr, "train_error", dps=20).value
    assert t <= r.value + mpmath.mpf(repr(tau2)) + mpmath.mpf(10) ** -15
    v, s = nt.curve_values("risk", psi2=psi2, lam=lam, activation=act, Fstar2=0.2, tau2=tau2, layers=layers, psi1=psi1)
    assert s == 0 and float(v) == pytest.approx(float(r.value), rel=1e-10)


@settings(max_examples=20, deadline=None)
@given(psi2=st.floats(0.1, 10), act=st.sampled_from(ACTS))
def test_ntk_continuous_through_psi1_equal_one(psi2, act):
    """The MP atom at 0 appears at ψ₁ = 1: the risk must be continuous there."""
    at = nt.risk(psi2=repr(psi2), lam="0.01", activation=act, layers="both", psi1=1, dps=20).value
    for eps in ("1e-12", "-1e-12"):
        near = nt.risk(psi2=repr(psi2), lam="0.01", activation=act, layers="both", psi1=repr(1 + float(eps)), dps=20).value
        assert abs(near - at) <= 1e-9 * at


@settings(max_examples=20, deadline=None)
@given(lam=st.floats(1e3, 1e8), act=st.sampled_from(ACTS), layers=st.sampled_from(["first", "both"]))
def test_large_ridge_predicts_zero(lam, act, layers):
    r = nt.risk(psi2="1.5", lam=repr(lam), activation=act, layers=layers, psi1="0.7", tau2=1, dps=20)
    assert abs(r.extra["B"] - 1) < 10 / lam and r.extra["V"] < 10 / lam


def test_symbolic_system_and_latex():
    for form in nt.FORMS:
        tex = nt.system(form).latex()
        assert r"\lambda_{\rm self}" in tex
    assert r"\mu_{\star}" in nt.system("ntk").latex()
    with pytest.raises(ParameterError):
        nt.system("nope")


# ----------------------------------------------------------------------------- regressions (independent review)
@pytest.mark.parametrize("act", ["relu", "tanh", "abs"])
def test_kappa_is_continuous_across_branches(act):
    """κ is in the block units of the NTK equation on every branch (NT model, ψ₁ → 0, ψ₁ → ∞, psi1=inf)."""
    kw = dict(psi2=2, lam="0.1", activation=act)
    first = nt.kappa(**kw).value
    assert ae(nt.kappa(**kw, layers="both", psi1="1e-12").value, first, 9)
    assert ae(nt.kappa(**kw, layers="both", psi1="1e12").value, nt.kappa(**kw, layers="both", psi1="inf").value, 9)
    v, s = nt.curve_values("kappa", psi2=2.0, lam=0.1, activation=act, layers="both", psi1=np.array([1e-12, np.inf]))
    assert s.tolist() == [0, 0] and v[0] == pytest.approx(float(first), rel=1e-9)


def test_float64_never_wrong_with_status_zero():
    """Extreme NTK points either agree with the certified value to 1e-6 or carry status 3 (cancellation)."""
    for act in ("relu", "tanh"):
        for p1, p2, lam in [(1e7, 1e-6, 1e12), (9.9e7, 1e-6, 0.0), (1.0, 2.0, 1e8), (100.0, 0.05, 1e4), (1e5, 1e-6, 1e-3)]:
            for q in ("risk", "variance", "bias", "kappa", "train_error"):
                v, s = nt.curve_values(q, psi2=p2, lam=lam, activation=act, layers="both", psi1=p1, tau2=0.25)
                if s == 0:
                    ref = nt.solve(nt.NTParams(repr(p2), repr(lam), act, 1, 0, "0.25", "both", repr(p1)), q, dps=20).value
                    assert float(v) == pytest.approx(float(ref), rel=1e-6), (act, p1, p2, lam, q)
                else:
                    assert s == 3 and np.isnan(v)


def test_float64_overflow_is_flagged_and_d_needs_psi1():
    for kw in (dict(psi2=1e-160), dict(psi2=2.0, lam=1e200)):
        v, s = nt.curve_values("risk", **kw)
        assert s == 3 and np.isnan(v)
    with pytest.raises(ParameterError, match="psi1"):
        nt.curve_values("risk", psi2=2.0, d=100)
    v, s = nt.curve_values("risk", psi2=2.0, activation="linear", layers="both", psi1=1.0)
    assert s == 2  # affine σ, λ = 0, finite width: outside the formula's domain, as on the certified path


def test_affine_training_error_is_least_squares():
    # σ = x: the NT kernel is XXᵀ/d, plain least squares on x with n = 5d: T = (1 − d/n)τ²
    assert ae(nt.train_error(psi2=5, activation="linear", tau2=1).value, mpmath.mpf("0.8"), 28)


def test_derivative_must_satisfy_steins_identity():
    wrong = from_callable(mpmath.tanh, name="tanh_cb", derivative=lambda x: 1 + 0 * x)
    with pytest.raises(ParameterError, match="Stein"):
        nt.risk(psi2=2, activation=wrong, dps=15)


def test_effective_ridge_is_for_the_nt_model_and_messages_are_short():
    with pytest.raises(ParameterError, match="layers=first"):
        nt.effective_ridge(psi2=2, layers="both", psi1=1)
    with pytest.raises(ParameterError) as exc:
        nt.staircase(exponent="1e300", F="0,1")
    assert len(str(exc.value)) < 400


# ----------------------------------------------------------------------------- float64 contract (issue 13)
def _contract_ok(value, status, exact):
    """Status 0 carries six correct digits; otherwise float64 must decline (status 3, NaN)."""
    if status == 3:
        return np.isnan(value)
    return status == 0 and abs(value - exact) <= 1e-6 * abs(exact)


def test_float64_regime_boundary_is_decided_exactly():
    """ψ₁ = 10⁻⁴ − 1 ulp, d = 10, ψ₂ = 10⁻⁴: the exact Nd/n is below 10 (the certified path raises
    RegimeError), but ``p1 * d / p2`` rounds to 10.0 and the float path used to return a status-0 value."""
    p1, p2, d = float(np.nextafter(1e-4, 0)), 1e-4, 10
    assert Fraction(p1) * d / Fraction(p2) < 10  # the exact ratio (and its float rounding) is below 10
    assert float(Fraction(p1) * d / Fraction(p2)) < 10
    with pytest.raises(RegimeError):
        nt.risk(psi2=Fraction(p2), lam="0.5", activation="tanh", psi1=Fraction(p1), d=d)
    vals, status = nt.curve_values("risk", psi2=p2, lam=0.5, activation="tanh", psi1=np.array([p1, 1.1e-4]), d=d)
    assert list(status) == [2, 0] and np.isnan(vals[0])


def test_float64_affine_activation_next_to_psi2_one():
    """Linear σ, λ = 0 (no self-induced ridge): least squares on x.  With γ = 1/ψ₂ > 1 the closed forms are
    κ = γ − 1 = (1 − ψ₂)/ψ₂ and 𝓥 = 1/(γ − 1) = ψ₂/(1 − ψ₂); computing ``1/ψ₂ − 1`` in float64 cancels,
    which made κ wrong by 1e-4 at ψ₂ = 1 − 10⁻¹² and 𝓥 wrong by a factor 2 at ψ₂ = 1 − 2⁻⁵³."""
    for p2 in (0.999999999999, float(np.nextafter(1.0, 0)), 0.999999, 0.9):
        f = Fraction(p2)
        kappa = float((1 - f) / f)
        var = float(Fraction(1, 4) * f / (1 - f))  # tau2 = 1/4
        v, s = nt.curve_values("kappa", psi2=p2, activation="linear")
        assert s == 0 and v == pytest.approx(kappa, rel=1e-9), p2
        v, s = nt.curve_values("variance", psi2=p2, activation="linear", tau2=0.25)
        assert _contract_ok(float(v), int(s), var), (p2, v, s, var)
    # away from the threshold the value is delivered, not declined
    assert nt.curve_values("variance", psi2=0.999999, activation="linear", tau2=0.25)[1] == 0
