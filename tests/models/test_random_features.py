"""Random features (Mei–Montanari): checks whose expected values do not come from the code under test.

* golden values: the RF rows of the theory note's §6 table (an independent implementation),
  the exact ``abs`` value 3.5, the threshold values of §1.4, ``𝓥₀ = ψ₁/(ψ₂ − ψ₁)``, the
  ``ζ = 0`` closed forms of §1.5 (re-derived here from the scalar equation);
* an oracle written here: the Gaussian-equivalence route of §1.7 (Marchenko–Pastur
  integrals by quadrature, never the 𝓔 polynomials), the κ̄ route to the training error
  (§1.6), and the branch by continuation of the complex ν₁, ν₂ fixed point from large Im ξ;
* limits (kernel, infinite data, μ⋆ → 0, λ → 0) against the oracle, against ``ridge`` and
  against huge finite ψ;
* the symbolic layer (LaTeX, rational constants, the q-form polynomials, the scalar
  reduction, the ridgeless root); hypothesis properties; bad input.

Reference values are computed inside ``mpmath.workdps`` (the models conftest runs every test
at 60 digits; the library ignores ``mp.dps``).
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from mpmath import mpc, mpf

from asymptotics.errors import ParameterError
from asymptotics.models import random_features as RF
from asymptotics.models import ridge as RIDGE
from asymptotics.result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_OK
from asymptotics.symbolic import symbols as S

from ._helpers import ae

HE2 = "x + {a}*(x**2-1)/sqrt(2)"  # μ₁ = 1, μ⋆ = a: ζ = 1/a
ZETA_15 = HE2.format(a="(2/3)")  # ζ = 3/2, μ⋆² = 4/9
ZETA_10 = HE2.format(a="(1/10)")  # ζ = 10, μ⋆² = 1/100 (the note's "x + 0.1 He2/√2")
ZETA_100 = HE2.format(a="(1/100)")  # ζ = 100


def F(s):
    return mpf(s)


_TANH = {}


def _tanh_moments():
    """μ₁ and μ⋆² of tanh by direct quadrature (not the library's); cached per precision."""
    key = mpmath.mp.prec
    if key not in _TANH:
        phi = lambda x: mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        m1 = mpmath.quad(lambda x: x * mpmath.tanh(x) * phi(x), [-mpmath.inf, 0, mpmath.inf])
        m2 = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * phi(x), [-mpmath.inf, 0, mpmath.inf])
        _TANH[key] = (m1, m2 - m1 * m1)
    return _TANH[key]


def mu_sq(act):
    """(μ₁², μ⋆²) of the activations used below, derived independently, at the current precision."""
    pi = mpmath.pi
    if act == "relu":  # E G·relu(G) = 1/2, E relu(G)² = 1/2, μ₀ = 1/√(2π)
        return F(1) / 4, F(1) / 4 - 1 / (2 * pi)
    if act == "abs":
        return F(0), 1 - 2 / pi
    if act == "linear":
        return F(1), F(0)
    if act == "quadratic":  # x²: μ₀ = 1, E G⁴ = 3
        return F(0), F(2)
    if act == "erf":  # E G erf(G) = E erf'(G) = 2/√(3π); E erf(G)² = (2/π) arcsin(2/3)
        return 4 / (3 * pi), 2 / pi * mpmath.asin(F(2) / 3) - 4 / (3 * pi)
    if act == "tanh":
        m1, ms2 = _tanh_moments()
        return m1 * m1, ms2
    for a, ms2 in (("(2/3)", F(4) / 9), ("(1/10)", F(1) / 100), ("(1/100)", F(1) / 10000)):
        if act == HE2.format(a=a):
            return F(1), ms2
    raise KeyError(act)


def lam_string(act, lam_bar):
    """λ = λ̄ μ⋆² as an 80-digit decimal string (so that the library reads it at full precision)."""
    with mpmath.workdps(90):
        return mpmath.nstr(mu_sq(act)[1] * F(lam_bar), 80)


# ---------------------------------------------------------------- oracle (theory note §1.6-1.8)
def mp_integral(c, f):
    """``∫ f(s) μ_c(ds)`` for the Marchenko–Pastur law of ratio ``c`` (mean 1).

    Smooth part by the substitution ``s = a + 4√c cos²(t/2)``, for which the density
    ``√((b−s)(s−a))/(2πcs) ds`` becomes ``(8/π) sin²(t/2) · cos²(t/2)/s dt`` on ``[0, π]``;
    ``cos²(t/2)/s → 1/(4√c)`` where ``a = 0`` and ``s → 0``.  The atom ``(1 − 1/c)₊ δ₀``
    is added separately.
    """
    c = F(c)
    rc = mpmath.sqrt(c)
    a = (1 - rc) ** 2

    def integrand(t):
        co2 = mpmath.cos(t / 2) ** 2
        s = a + 4 * rc * co2
        h = co2 / s if s != 0 else 1 / (4 * rc)
        return f(s) * 8 / mpmath.pi * mpmath.sin(t / 2) ** 2 * h

    val = mpmath.quad(integrand, [0, mpmath.pi])
    if c > 1:
        val += (1 - 1 / c) * f(F(0))
    return val


def ge_route(psi1, psi2, lam, m1sq, ms2):
    """Gaussian-equivalence route: ``(𝓑, 𝓥, ψ₁λ/κ, κ)`` at the current precision.

    Feature covariance eigenvalues ``u(s) = μ₁²s + μ⋆²`` over the MP law of ratio ψ₁
    (units are not normalized by μ⋆², so μ⋆ = 0 is allowed when κ > 0).  κ solves
    ``κ(1 − (ψ₁/ψ₂)∫u/(u+κ)) = ψ₁λ``, written without cancellation as
    ``κ((1 − r) + rκ∫1/(u+κ)) = ψ₁λ`` (``r = ψ₁/ψ₂``); that function is convex, so Newton from
    the right converges monotonically.  ``S₁ = ψ₁∫μ₁²s/u``, ``A = ψ₁∫μ₁²sκ²/(u(u+κ)²)``,
    ``1 − D = (1 − r) + rκ∫(2u+κ)/(u+κ)²``, ``𝓑 = (1 − S₁ + A)/(1 − D)``, ``𝓥 = D/(1 − D)``.
    """
    psi1, psi2, lam, m1sq, ms2 = (F(v) for v in (psi1, psi2, lam, m1sq, ms2))
    r = psi1 / psi2

    def u(s):
        return m1sq * s + ms2

    def frac(s):  # μ₁²s/u; 0 on the null space of W (c has no component there)
        return m1sq * s / u(s) if s != 0 else F(0)

    def h(k):
        return k * ((1 - r) + r * k * mp_integral(psi1, lambda s: 1 / (u(s) + k))) - psi1 * lam

    def one_minus_d(k):
        return (1 - r) + r * k * mp_integral(psi1, lambda s: (2 * u(s) + k) / (u(s) + k) ** 2)

    mass = 1 if ms2 > 0 else min(F(1), 1 / psi1)  # P(u > 0): the rank of U over N
    if lam == 0 and r * mass < 1:  # more samples than effective features: κ = 0 (least squares)
        k = F(0)
    else:
        dps = mpmath.mp.dps
        k = r * (m1sq + ms2) + psi1 * lam + 1  # h(k) > 0 here
        with mpmath.workdps(20):
            for _ in range(300):
                step = h(k) / one_minus_d(k)
                k -= step
                if abs(step) < F(10) ** -17 * k:
                    break
        for _ in range(8):
            step = h(k) / one_minus_d(k)
            k -= step
            if abs(step) < F(10) ** (3 - dps) * k:
                break
        assert k > 0 and abs(h(k)) < F(10) ** (5 - dps) * (1 + psi1 * lam)
    S1 = psi1 * mp_integral(psi1, frac)
    if k == 0:
        A, omd = F(0), 1 - r * mass
    else:
        A = psi1 * mp_integral(psi1, lambda s: frac(s) * k**2 / (u(s) + k) ** 2)
        omd = one_minus_d(k)
    B, V = (1 - S1 + A) / omd, (1 - omd) / omd
    factor = (1 - r * mass) if k == 0 else psi1 * lam / k
    return B, V, factor, k


def data_limit_route(psi1, lam, m1sq, ms2):
    """ψ₂ → ∞ of the Gaussian-equivalence route: D = 0, κ = ψ₁λ, 𝓑 = 1 − S₁ + A."""
    psi1, lam, m1sq, ms2 = (F(v) for v in (psi1, lam, m1sq, ms2))
    k = psi1 * lam

    def frac(s):
        return m1sq * s / (m1sq * s + ms2) if s != 0 else F(0)

    S1 = psi1 * mp_integral(psi1, frac)
    A = psi1 * mp_integral(psi1, lambda s: frac(s) * k**2 / (m1sq * s + ms2 + k) ** 2) if k else F(0)
    return 1 - S1 + A


def continuation_chi(psi1, psi2, zeta, lam_bar, steps=240):
    """χ = ν₁ν₂ at ξ = iη by damped iteration of the complex fixed point, continued from
    ξ = i·10²(1+ψ₁+ψ₂)(1+ζ²) (where ν ≈ −ψ/ξ) along a path with a real detour
    ``0.5 sin(πs)``, so that the iterates are genuinely complex on the way."""
    psi1, psi2, zeta, lam_bar = (F(v) for v in (psi1, psi2, zeta, lam_bar))
    z2 = zeta**2
    eta = mpmath.sqrt(psi1 * psi2 * lam_bar)
    y0 = 100 * (1 + psi1 + psi2) * (1 + z2)
    n1, n2 = mpc(0, psi1 / y0), mpc(0, psi2 / y0)
    final_tol = F(10) ** (5 - mpmath.mp.dps)
    for j in range(steps + 1):
        s = F(j) / steps
        re = F("0.5") * mpmath.sin(mpmath.pi * s) if j < steps else F(0)
        xi = mpc(re, mpmath.exp((1 - s) * mpmath.log(y0) + s * mpmath.log(eta)))
        for _ in range(200000):
            den = 1 - z2 * n1 * n2
            f1 = psi1 / (-xi - n2 - z2 * n2 / den)
            f2 = psi2 / (-xi - n1 - z2 * n1 / den)
            d = max(abs(f1 - n1), abs(f2 - n2))
            n1, n2 = (n1 + f1) / 2, (n2 + f2) / 2
            if d < (final_tol if j == steps else F(10) ** -8):
                break
        else:  # pragma: no cover - a failure of the oracle, not of the library
            raise AssertionError("continuation did not converge")
    return n1 * n2, n1, n2


def e_polys_note(chi, z, psi1, psi2):
    """𝓔₀, 𝓔₁, 𝓔₂ transcribed from the theory note §1.3 (ζ appears as ``z``)."""
    pp = psi1 * psi2
    e0 = (
        -(chi**5) * z**6
        + 3 * chi**4 * z**4
        + (pp - psi2 - psi1 + 1) * chi**3 * z**6
        - 2 * chi**3 * z**4
        - 3 * chi**3 * z**2
        + (psi1 + psi2 - 3 * pp + 1) * chi**2 * z**4
        + 2 * chi**2 * z**2
        + chi**2
        + 3 * pp * chi * z**2
        - pp
    )
    e1 = psi2 * chi**3 * z**4 - psi2 * chi**2 * z**2 + pp * chi * z**2 - pp
    e2 = (
        chi**5 * z**6
        - 3 * chi**4 * z**4
        + (psi1 - 1) * chi**3 * z**6
        + 2 * chi**3 * z**4
        + 3 * chi**3 * z**2
        + (-psi1 - 1) * chi**2 * z**4
        - 2 * chi**2 * z**2
        - chi**2
    )
    return e0, e1, e2


def g_of_p(p, zeta):
    return p + zeta**2 * p / (1 + zeta**2 * p)


# ---------------------------------------------------------------- (a) golden values: theory note §6
# (activation, psi1, psi2, lam_bar, F1sq, Fstar2, tau2, formula R (16 digits), train (4 decimals))
TABLE = [
    ("relu", "2", "3", "0.1", "1", "0", "0.25", "0.6171558366039072", "0.1858"),
    ("relu", "0.5", "3", "0", "1", "0", "0.25", "0.8599738649173304", "0.7708"),
    ("relu", "3", "1.5", "0", "1", "0", "0.25", "0.8167284019334031", "0.0000"),
    ("relu", "2", "2", "0.001", "1", "0", "0.25", "6.920186974416128", "0.0084"),
    ("relu", "2.4", "2", "0", "1", "0", "0.1", "1.758121407506351", "0.0000"),
    ("relu", "10", "1", "0.01", "1", "0", "0.25", "0.4754095766371680", "0.0000"),
    ("relu", "0.5", "8", "0.01", "1", "0", "0.25", "0.7363999760730809", "0.8672"),
    ("relu", "3", "2", "1", "1", "0.5", "0", "0.9996542031441592", "0.3026"),
    ("relu", "1", "1", "0.1", "1", "0", "0.25", "1.948221088614559", "0.0739"),
    ("relu", "4", "0.5", "0.05", "1", "0", "0", "0.6742776036180814", "0.0001"),
    ("relu", "1.5", "3", "0.0001", "1", "0.25", "0.25", "1.368980127812725", "0.4049"),
    ("tanh", "2", "3", "0.1", "1", "0", "0.25", "0.3519955961209572", "0.1197"),
    ("tanh", "1.5", "3", "0", "1", "0", "0.25", "0.4685035607102968", "0.1796"),
    ("abs", "2", "3", "0.1", "1", "0", "0.25", "1.665117116355350", "0.5155"),
    ("abs", "3", "2", "0", "1", "0", "0.25", "3.5", "0.0000"),
    (ZETA_10, "2", "3", "1", "1", "0", "0.25", "0.1409937888198758", "0.1408"),
    (ZETA_10, "3", "1.5", "0", "1", "0", "0.25", "0.7176356553926885", "0.0000"),
    (ZETA_10, "0.5", "2", "0.01", "1", "0", "0.25", "0.7627432635442241", "0.5697"),
]


@pytest.mark.parametrize("act,psi1,psi2,lam_bar,F1sq,Fstar2,tau2,golden,train", TABLE, ids=[f"rf{i + 1:02d}" for i in range(18)])
def test_theory_note_table(act, psi1, psi2, lam_bar, F1sq, Fstar2, tau2, golden, train):
    lam = lam_string(act, lam_bar)
    r = RF.risk(psi1, psi2, lam, act, F1sq, Fstar2, tau2)
    assert ae(r.value, F(golden), 15), (r.value, golden)  # the column carries 16 digits
    t = RF.train_error(psi1, psi2, lam, act, F1sq, Fstar2, tau2).value
    assert abs(t - F(train)) <= F("0.5e-4") * (1 + F("1e-9")), (t, train)
    # the decomposition R = F1²𝓑 + (τ² + F⋆²)𝓥 + F⋆² with the bare 𝓑, 𝓥 of Result.extra
    B, V = r.extra["B"], r.extra["V"]
    assert ae(RF.bias(psi1, psi2, lam, act, F1sq, Fstar2, tau2).value, F(F1sq) * B, 28)
    assert ae(r.value, F(F1sq) * B + (F(tau2) + F(Fstar2)) * V + F(Fstar2), 28)


def test_abs_ridgeless_is_exactly_three_and_a_half():
    # ζ = 0, ψ₁ = 3, ψ₂ = 2, λ = 0: p = 2, 𝓥 = p²/(ψ₁ψ₂ − p²) = 2, 𝓑 = 3, R = 3 + 0.25·2
    for dps in (15, 30, 60):
        r = RF.risk(3, 2, 0, "abs", 1, 0, "0.25", dps=dps)
        assert r.value == F("3.5")
        assert r.extra["V"] == 2 and r.extra["B"] == 3


def test_threshold_values():
    """ζ = 1.5, ψ₁ = ψ₂ = 2: 𝓑 = 116.25… at λ̄ = 1e-6 and 11607.69… at 1e-10 (note §1.4)."""
    B = {}
    for lam_bar, digits in (("1e-6", "116.25"), ("1e-10", "11607.69")):
        r = RF.risk(2, 2, lam_string(ZETA_15, lam_bar), ZETA_15, 1, 0, 0)
        lo = F(digits)
        assert lo <= r.extra["B"] < lo + F("0.01"), r.extra["B"]
        assert r.value == r.extra["B"]  # F1² = 1, no noise
        B[lam_bar] = r.extra["B"]
    # 𝓑 ∝ λ̄^{-1/2} at the threshold: four decades of λ̄ give a factor ≈ 100
    assert 99 < B["1e-10"] / B["1e-6"] < 100.5
    # 𝓥 too, and both stay finite and positive
    v = RF.variance(2, 2, lam_string(ZETA_15, "1e-10"), ZETA_15, 0, 0, 1).value
    assert 0 < v < mpmath.inf and v / RF.variance(2, 2, lam_string(ZETA_15, "1e-6"), ZETA_15, 0, 0, 1).value > 99


def test_threshold_via_activation_parameters():
    assert RF.mu1(ZETA_15).value == 1
    assert ae(RF.mustar(ZETA_15).value, F(2) / 3, 29)


@pytest.mark.parametrize("act", ["relu", "abs", "tanh", ZETA_15, ZETA_100, "quadratic", "erf"])
@pytest.mark.parametrize("psi1,psi2", [("0.5", "3"), ("1.5", "2.5"), ("2", "2.001"), ("0.01", "40")])
def test_underparametrized_ridgeless_variance(act, psi1, psi2):
    """𝓥₀ = ψ₁/(ψ₂ − ψ₁) for every activation (note §1.4)."""
    r = RF.variance(psi1, psi2, 0, act, 1, 0, 1)
    expected = F(psi1) / (F(psi2) - F(psi1))
    assert ae(r.value, expected, 28) and ae(r.extra["V"], expected, 28)


@pytest.mark.parametrize(
    "psi1,psi2,lam_bar", [("2", "3", "0.1"), ("3", "2", "0"), ("0.5", "0.7", "2"), ("1", "1", "0.01"), ("4", "0.25", "0")]
)
def test_zeta_zero_closed_forms(psi1, psi2, lam_bar):
    """μ₁ = 0: g(p) = p, η²p = (ψ₁ − p)(ψ₂ − p), the smaller root; 𝓥 = p²/(ψ₁ψ₂ − p²), 𝓑 = 1 + 𝓥."""
    p1, p2, lb = F(psi1), F(psi2), F(lam_bar)
    with mpmath.workdps(80):
        # p² − (ψ₁ + ψ₂ + ψ₁ψ₂λ̄)p + ψ₁ψ₂ = 0
        roots = sorted(mpmath.polyroots([1, -(p1 + p2 + p1 * p2 * lb), p1 * p2], extraprec=200), key=lambda z: mpmath.re(z))
        p = mpmath.re(roots[0])
        V = p * p / (p1 * p2 - p * p)
        F1, Fs, tau2 = F("1.3"), F("0.4"), F("0.25")
        R = (F1 + Fs) + (F1 + Fs + tau2) * V  # the linear part of the target is pure noise
        T = (1 - p / p2) ** 2 * (R + tau2)
    lam = lam_string("abs", lam_bar)
    r = RF.risk(psi1, psi2, lam, "abs", "1.3", "0.4", "0.25", dps=40)
    assert ae(r.value, R, 38) and ae(r.extra["V"], V, 38) and ae(r.extra["B"], 1 + V, 38)
    assert ae(RF.chi(psi1, psi2, lam, "abs", dps=40).value, -p, 38)
    if not (lam_bar == "0" and p1 > p2):
        assert ae(RF.train_error(psi1, psi2, lam, "abs", "1.3", "0.4", "0.25", dps=40).value, T, 37)


@pytest.mark.parametrize("act", ["relu", "abs", "tanh", ZETA_15, ZETA_100, "erf"])
@pytest.mark.parametrize("psi", ["0.3", "1", "2.5"])
def test_ridgeless_threshold_is_infinite(act, psi):
    for q in ("risk", "bias", "variance"):
        assert RF.solve(RF.RFParams(psi, psi, 0, act, 1, "0.2", "0.25"), q).value == mpmath.inf
    v, s = RF.curve_values("risk", float(psi), float(psi), 0.0, act, 1.0, 0.2, 0.25)
    assert s == STATUS_INFINITE and v == np.inf
    # a ridge makes it finite
    assert mpmath.isfinite(RF.risk(psi, psi, "1e-8", act, 1, "0.2", "0.25").value)


@pytest.mark.parametrize("act", ["relu", "abs", "tanh", ZETA_10, "linear"])
@pytest.mark.parametrize("psi1,psi2", [("0.5", "3"), ("1.5", "2"), ("0.2", "0.7"), ("2", "3")])
def test_ridgeless_underparametrized_training_error(act, psi1, psi2):
    """ψ₁ < ψ₂, λ = 0: T = (1 − ψ₁/ψ₂)²(R + τ²) (note §1.6); μ⋆ = 0 with ψ₁ ≥ 1 is OLS on d coordinates."""
    p1, p2 = F(psi1), F(psi2)
    R = RF.risk(psi1, psi2, 0, act, 1, "0.3", "0.25", dps=40).value
    rank = min(p1, F(1)) if act == "linear" else p1  # μ⋆ = 0: the features span min(N, d) directions
    T = (1 - rank / p2) ** 2 * (R + F("0.25"))
    assert ae(RF.train_error(psi1, psi2, 0, act, 1, "0.3", "0.25", dps=40).value, T, 37)


@pytest.mark.parametrize("act", ["relu", "tanh", ZETA_10, "abs"])
@pytest.mark.parametrize("psi1,psi2", [("3", "1.5"), ("10", "1"), ("2", "1")])
def test_ridgeless_overparametrized_training_error_is_zero(act, psi1, psi2):
    """Points where the current code happens to get an exact 0 (see the xfail below)."""
    assert RF.train_error(psi1, psi2, 0, act, 1, "0.3", "0.25").value == 0


def test_ridgeless_overparametrized_training_error_generic_points():
    points = [
        ("abs", "2.4", "2"),
        ("relu", "3.928", "3.533"),
        ("tanh", "5.309", "0.92"),
        ("quadratic", "1.719", "0.243"),
        ("relu", "11.02", "0.056"),
        (ZETA_100, "0.945", "0.921"),
        (ZETA_100, "9.036", "0.15"),
    ]
    for act, psi1, psi2 in points:
        for dps in (20, 30):
            assert RF.train_error(psi1, psi2, 0, act, 1, "0.3", "0.25", dps=dps).value == 0


# ---------------------------------------------------------------- (b) the Gaussian-equivalence oracle
GE_POINTS = [
    # (activation, psi1, psi2, lam_bar)  lam_bar is λ/μ⋆² (λ itself for the linear activation)
    ("relu", "2", "3", "0.1"),  # generic
    ("abs", "2", "3", "0.1"),  # ζ = 0
    ("abs", "0.5", "2", "0"),  # ζ = 0, ridgeless, underparametrized
    (ZETA_100, "2", "3", "1"),  # large ζ
    (ZETA_100, "3", "1.5", "0"),  # large ζ, ridgeless overparametrized
    ("relu", "2", "2", "1e-10"),  # at the threshold, tiny ridge
    (ZETA_15, "2", "2", "1e-8"),
    ("relu", "2.02", "2", "0"),  # just above the threshold
    ("relu", "2", "2.02", "0"),  # just below
    ("relu", "3", "1.5", "0"),
    ("tanh", "0.5", "3", "0"),
    ("relu", "1", "3", "0.1"),  # ψ₁ = 1: the MP law has its hard edge at 0
    ("relu", "100", "1", "0.01"),
    ("linear", "2", "3", "0.1"),  # μ⋆ = 0 at λ > 0
    ("linear", "3", "0.5", "0"),  # μ⋆ = 0, min-norm in the feature weights
    ("linear", "1.5", "2.5", "0"),  # μ⋆ = 0, least squares on the d raw coordinates
    ("linear", "3", "2", "0"),
    ("linear", "0.5", "0.7", "0"),  # μ⋆ = 0, least squares on N < d features
]


@pytest.mark.parametrize("act,psi1,psi2,lam_bar", GE_POINTS)
def test_gaussian_equivalence_route(act, psi1, psi2, lam_bar):
    F1, Fs, tau2 = F("1.2"), F("0.3"), F("0.25")
    lam = lam_string(act, lam_bar) if act != "linear" else lam_bar
    with mpmath.workdps(50):
        m1sq, ms2 = mu_sq(act)
        B, V, factor, _ = ge_route(psi1, psi2, F(lam), m1sq, ms2)
        bias, var = F1 * B, (tau2 + Fs) * V
        risk = bias + var + Fs
        train = factor**2 * (risk + tau2)
    args = (psi1, psi2, lam, act, "1.2", "0.3", "0.25")
    r = RF.risk(*args, dps=40)
    assert ae(r.extra["B"], B, 35) and ae(r.extra["V"], V, 35), (r.extra, B, V)
    assert ae(r.value, risk, 35)
    assert ae(RF.bias(*args, dps=40).value, bias, 35)
    assert ae(RF.variance(*args, dps=40).value, var, 35)
    if lam_bar == "0" and F(psi1) > F(psi2) and act != "linear":
        return  # exact 0 in theory; see the xfail above
    assert ae(RF.train_error(*args, dps=40).value, train, 34)


@pytest.mark.parametrize(
    "act,zeta,psi1,psi2,lam_bar",
    [
        (ZETA_15, "1.5", "2", "3", "0.5"),
        (ZETA_15, "1.5", "0.5", "2", "0.1"),
        (ZETA_10, "10", "3", "1.5", "1"),
        ("abs", "0", "1", "2", "0.3"),
    ],
)
def test_branch_by_continuation(act, zeta, psi1, psi2, lam_bar):
    """The physical branch, followed from large Im ξ, is the root the library picks (note §1.2)."""
    with mpmath.workdps(25):
        chi, n1, n2 = continuation_chi(psi1, psi2, zeta, lam_bar)
        assert abs(chi.imag) < F(10) ** -18 and n1.imag > 0 and n2.imag > 0  # ν₁, ν₂ ∈ ℂ₊
    ref = RF.chi(psi1, psi2, lam_string(act, lam_bar), act, dps=30).value
    assert ae(chi.real, ref, 18), (chi, ref)


# ---------------------------------------------------------------- (c) limits
def _kernel_reference(psi2, lam, act, F1, Fs, tau2):
    """ψ₁ = ∞ by MP quadrature: 𝓑 = λ'²m'(−λ'), 𝓥 = δ(m − λ'm'), δ = 1/ψ₂, λ' = (μ⋆² + ψ₂λ)/(μ₁²ψ₂)."""
    m1sq, ms2 = mu_sq(act)
    p2, lam = F(psi2), F(lam)
    lp, delta = (ms2 + p2 * lam) / (m1sq * p2), 1 / p2
    m = mp_integral(delta, lambda s: 1 / (s + lp))
    dm = mp_integral(delta, lambda s: 1 / (s + lp) ** 2)
    B, V = lp**2 * dm, delta * (m - lp * dm)
    return B, V, F(F1) * B + (F(tau2) + F(Fs)) * V + F(Fs), lp


@pytest.mark.parametrize("act", ["relu", "tanh", ZETA_10])
@pytest.mark.parametrize("psi2,lam_bar", [("1.5", "0.01"), ("0.5", "0"), ("3", "0.2"), ("1", "0"), ("2", "0")])
def test_kernel_limit(act, psi2, lam_bar):
    lam = lam_string(act, lam_bar)
    args = (psi2, lam, act, 1, "0.3", "0.25")
    inf = RF.risk("inf", *args, dps=30)
    with mpmath.workdps(50):
        B, V, R, lp = _kernel_reference(psi2, lam, act, 1, "0.3", "0.25")
        lp_s, gamma_s = mpmath.nstr(lp, 60), mpmath.nstr(1 / F(psi2), 60)
    assert ae(inf.extra["B"], B, 28) and ae(inf.extra["V"], V, 28) and ae(inf.value, R, 28)
    # = linear ridge on raw x (γ = 1/ψ₂, λ'), with F⋆² as extra noise and as a floor
    ridge = RIDGE.risk(gamma_s, lp_s, 1, "0.55", dps=30).value + F("0.3")
    assert ae(inf.value, ridge, 28)
    # the general formula at ψ₁ = 10¹² (gap O(1/ψ₁))
    for q in ("risk", "bias", "variance", "train_error"):
        a = RF.solve(RF.RFParams("inf", psi2, lam, act, 1, "0.3", "0.25"), q).value
        b = RF.solve(RF.RFParams("1e12", psi2, lam, act, 1, "0.3", "0.25"), q).value
        assert abs(a - b) <= F("1e-9") * (abs(a) + F("1e-2")), (q, a, b)


@pytest.mark.parametrize("psi2", ["0.5", "2", "1"])
@pytest.mark.parametrize("lam", ["0", "0.1"])
def test_kernel_limit_linear_activation_is_ridge(psi2, lam):
    """μ⋆ = 0: λ' = λ, and the kernel limit is ridge regression on x (min-norm / OLS at λ = 0)."""
    gamma = str(1 / Fraction(psi2))
    for q in ("risk", "bias", "variance"):
        got = RF.solve(RF.RFParams("inf", psi2, lam, "linear", "1.1", "0.3", "0.25"), q).value
        want = RIDGE.solve(RIDGE.RidgeParams(Fraction(gamma), lam, "1.1", "0.55"), q).value
        if q == "risk":
            want += F("0.3")
        if q == "risk" and want == mpmath.inf:
            assert got == mpmath.inf
            continue
        assert ae(got, want, 28) or got == want, (q, got, want)


@pytest.mark.parametrize("psi2,lam_bar", [("1.5", "0.01"), ("3", "0")])
def test_kernel_limit_zeta_zero(psi2, lam_bar):
    lam = lam_string("abs", lam_bar)
    for q in ("risk", "bias", "variance", "train_error"):
        a = RF.solve(RF.RFParams("inf", psi2, lam, "abs", 1, "0.3", "0.25"), q).value
        b = RF.solve(RF.RFParams("1e12", psi2, lam, "abs", 1, "0.3", "0.25"), q).value
        assert abs(a - b) <= F("1e-9") * (abs(a) + F("1e-2")), (q, a, b)
    assert ae(RF.risk("inf", psi2, lam, "abs", 1, "0.3", "0.25").value, F("1.3"), 29)  # predictor 0 off the training set


@pytest.mark.parametrize("act", ["relu", "tanh", ZETA_10, "abs", "linear"])
@pytest.mark.parametrize("psi1,lam_bar", [("0.5", "0"), ("2", "0"), ("1", "0.1"), ("3", "0.02")])
def test_data_limit(act, psi1, lam_bar):
    lam = lam_string(act, lam_bar) if act != "linear" else lam_bar
    inf = RF.risk(psi1, "inf", lam, act, 1, "0.3", "0.25", dps=30)
    assert inf.extra["V"] == 0
    with mpmath.workdps(45):
        m1sq, ms2 = mu_sq(act)
        B = data_limit_route(psi1, lam, m1sq, ms2) if m1sq else F(1)
    assert abs(inf.extra["B"] - B) <= F("1e-28") * (abs(B) + F("1e-10")), (inf.extra["B"], B)
    assert ae(inf.value, B + F("0.3"), 28)
    for q in ("risk", "bias", "train_error"):
        a = RF.solve(RF.RFParams(psi1, "inf", lam, act, 1, "0.3", "0.25"), q).value
        b = RF.solve(RF.RFParams(psi1, "1e12", lam, act, 1, "0.3", "0.25"), q).value
        assert abs(a - b) <= F("1e-9") * (abs(a) + F("1e-2")), (q, a, b)
    assert RF.variance(psi1, "inf", lam, act, 1, "0.3", "0.25").value == 0


def test_data_limit_staircase_ends():
    """𝓑 → 1 as ψ₁ → 0 and → 0 as ψ₁ → ∞ (infinite data, λ = 0)."""
    assert RF.bias("1e-6", "inf", 0, "relu").value > 1 - F("1e-5")
    assert RF.bias("1e6", "inf", 0, "relu").value < F("1e-4")


@pytest.mark.parametrize("psi1,psi2,lam", [("2", "3", "0.1"), ("0.5", "2", "0.3"), ("3", "1.5", "0.01"), ("2", "2", "0.05")])
def test_mustar_to_zero_is_continuous_at_positive_ridge(psi1, psi2, lam):
    """σ = x + a(x² − 1) (μ⋆² = 2a²) tends to the linear activation as a → 0 when λ > 0."""
    lin = RF.risk(psi1, psi2, lam, "linear", 1, "0.3", "0.25", dps=30).value
    gaps = []
    for a in ("1e-3", "1e-5", "1e-7"):
        r = RF.risk(psi1, psi2, lam, f"x + {a}*(x**2-1)", 1, "0.3", "0.25", dps=30).value
        gaps.append(abs(r - lin) / lin)
    assert gaps[-1] < F("1e-12")
    assert gaps[0] > gaps[1] > gaps[2]  # O(a²)
    assert ae(gaps[0] / gaps[1], F(10) ** 4, 2)


@pytest.mark.parametrize("psi1,psi2", [("3", "2"), ("2", "3"), ("4", "1.5"), ("1.5", "2.5")])
def test_linear_ridgeless_is_ols_and_a_documented_discontinuity(psi1, psi2):
    """μ⋆ = 0, λ = 0, ψ₁, ψ₂ ≥ 1 (not ψ₂ = 1): least squares on the d raw coordinates."""
    p2 = F(psi2)
    lin = RF.risk(psi1, psi2, 0, "linear", 1, "0.3", "0.25", dps=40)
    assert ae(lin.value, F("0.3") + F("0.55") / (p2 - 1), 38)
    assert RF.bias(psi1, psi2, 0, "linear", 1, "0.3", "0.25").value == 0
    train = RF.train_error(psi1, psi2, 0, "linear", 1, "0.3", "0.25", dps=40).value
    assert ae(train, F("0.55") * (1 - 1 / p2), 37)  # OLS: (τ² + F⋆²)(1 − d/n)
    # the ridgeless limit with μ⋆ > 0 does not tend to it: a genuinely different model
    tiny = RF.risk(psi1, psi2, 0, "x + 1e-8*(x**2-1)", 1, "0.3", "0.25").value
    assert abs(tiny - lin.value) > F("0.1")
    # but a tiny ridge on the linear model does (λ → 0 continuity at μ⋆ = 0)
    assert ae(RF.risk(psi1, psi2, "1e-25", "linear", 1, "0.3", "0.25").value, lin.value, 18)


@pytest.mark.parametrize("psi", ["1.5", "3"])
def test_linear_at_psi1_equal_psi2_above_one_oracle(psi):
    """The oracle (and the library at a tiny ridge) say: finite, least squares on d coordinates."""
    expected = F("0.3") + F("0.55") / (F(psi) - 1)
    with mpmath.workdps(40):
        B, V, _, _ = ge_route(psi, psi, 0, 1, 0)
        assert abs(B) < F(10) ** -35 and ae(F("0.3") + F("0.55") * V, expected, 35)
        B, V, _, _ = ge_route(psi, psi, F("1e-30"), 1, 0)  # the λ → 0+ limit
        assert ae(F("0.3") + B + F("0.55") * V, expected, 25)
    assert ae(RF.risk(psi, psi, "1e-25", "linear", 1, "0.3", "0.25").value, expected, 18)


@pytest.mark.parametrize("psi", ["1.5", "3"])
def test_linear_ridgeless_at_psi1_equal_psi2_above_one(psi):
    expected = F("0.3") + F("0.55") / (F(psi) - 1)
    assert ae(RF.risk(psi, psi, 0, "linear", 1, "0.3", "0.25").value, expected, 28)
    v, s = RF.curve_values("risk", float(psi), float(psi), 0.0, "linear", 1.0, 0.3, 0.25)
    assert s == STATUS_OK and float(v) == pytest.approx(float(expected), rel=1e-12)


def test_linear_threshold_moves_to_psi2_equal_one():
    assert RF.risk(3, 1, 0, "linear", 1, 0, "0.25").value == mpmath.inf
    assert RF.risk("0.5", "0.5", 0, "linear", 1, 0, "0.25").value == mpmath.inf
    assert mpmath.isfinite(RF.risk("0.5", 1, 0, "linear", 1, 0, "0.25").value)
    v, s = RF.curve_values("risk", 3.0, 1.0, 0.0, "linear", 1.0, 0.0, 0.25)
    assert s == STATUS_INFINITE


@pytest.mark.parametrize("act", ["relu", "abs", "tanh", ZETA_100, "linear"])
@pytest.mark.parametrize("psi1,psi2", [("3", "2"), ("2", "3"), ("0.5", "0.7"), ("0.7", "0.5"), ("3", "0.5"), ("0.5", "3")])
def test_lambda_to_zero_is_continuous_away_from_the_threshold(act, psi1, psi2):
    for q in ("risk", "bias", "variance", "chi"):
        a = RF.solve(RF.RFParams(psi1, psi2, 0, act, 1, "0.3", "0.25"), q).value
        b = RF.solve(RF.RFParams(psi1, psi2, "1e-25", act, 1, "0.3", "0.25"), q).value
        assert abs(a - b) <= F("1e-18") * (abs(a) + F("1e-10")), (q, a, b)
    b = RF.train_error(psi1, psi2, "1e-25", act, 1, "0.3", "0.25").value
    if F(psi1) > F(psi2) and not (act == "linear" and F(psi2) > 1):
        assert b < F("1e-20")  # interpolation
    else:
        assert ae(RF.train_error(psi1, psi2, 0, act, 1, "0.3", "0.25").value, b, 18)


def test_n_over_n_is_psi1_over_psi2():
    for ratio, psi2 in (("0.5", "3"), ("2", "1.5"), ("1", "2"), ("1/3", "0.9")):
        psi1 = Fraction(ratio) * Fraction(psi2)
        for q in ("risk", "train_error", "chi"):
            a = RF.solve(RF.RFParams(None, psi2, "0.01", "relu", 1, "0.2", "0.25", N_over_n=ratio), q)
            b = RF.solve(RF.RFParams(psi1, psi2, "0.01", "relu", 1, "0.2", "0.25"), q)
            assert a.value == b.value, (ratio, psi2, q)
        assert "N_over_n" in RF.risk(psi2=psi2, N_over_n=ratio).params
    assert RF.risk(psi2=2, lam=0, N_over_n=1).value == mpmath.inf  # N = n
    assert RF.risk(psi2=2, lam="0.1", N_over_n="inf").value == RF.risk("inf", 2, "0.1").value
    v1, s1 = RF.curve_values("risk", None, np.array([1.0, 2.0, 3.0]), 0.01, "relu", N_over_n=np.array([0.5, 1.0, 2.0]))
    v2, s2 = RF.curve_values("risk", np.array([0.5, 2.0, 6.0]), np.array([1.0, 2.0, 3.0]), 0.01, "relu")
    assert np.array_equal(v1, v2) and np.array_equal(s1, s2)


# ---------------------------------------------------------------- (d) symbolic
def _floats(expr):
    return [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.Float)]


@pytest.mark.parametrize("form", RF.FORMS)
def test_system_latex_and_rational(form):
    sys_ = RF.system(form)
    tex = sys_.latex()
    assert tex.startswith("\\begin{align}") and tex.rstrip().endswith("\\end{align}")
    assert tex.count("&=") == len(sys_.equations) + len(sys_.quantities)
    for e in [*sys_.equations, *sys_.quantities.values()]:
        assert not _floats(e), (form, e)
    sys_.check_rational()
    assert RF.system(form) is sys_  # cached


def test_system_labels_and_unknowns():
    gen = RF.system("general")
    assert gen.unknowns == (S.nu1, S.nu2)
    assert "\\mathcal{E}_0" in gen.latex() and "\\nu_{1}" in gen.latex()
    assert RF.system("scalar").unknowns == (S.p,)
    assert RF.system("ridgeless").unknowns == ()


def test_e_polynomials_are_the_note_polynomials():
    chi, z, p1, p2 = sp.symbols("chi z psi1 psi2")
    for mine, theirs in zip(e_polys_note(chi, z, p1, p2), RF.e_polynomials(chi, z, p1, p2)):
        assert sp.expand(mine - theirs) == 0
    # and the system's quantities are those polynomials
    q = RF.system("general").quantities
    for name, mine in zip(("E0", "E1", "E2"), e_polys_note(S.chi, S.zeta, S.psi1, S.psi2)):
        assert sp.expand(q[name] - mine) == 0


def test_q_form_polynomials():
    """After χ = −tq, ζ² = 1/t the note's 𝓔's are polynomials in q, t; ``_q_polys`` evaluates them."""
    q, t, p1, p2 = sp.symbols("q t psi1 psi2", positive=True)
    polys = [
        sp.expand(e.subs({sp.Symbol("chi"): -t * q}).subs(sp.Symbol("z"), 1 / sp.sqrt(t)))
        for e in e_polys_note(sp.Symbol("chi"), sp.Symbol("z"), p1, p2)
    ]
    for e in polys:
        assert e.is_polynomial(q, t)
    mp_fn, np_fn, size_fn = RF._q_polys()
    rng = np.random.default_rng(7)
    for _ in range(6):
        vals = [sp.Rational(int(rng.integers(1, 400)), int(rng.integers(1, 100))) for _ in range(4)]
        at = dict(zip((q, t, p1, p2), vals))
        exact = [sp.Rational(e.subs(at)) for e in polys]
        # size of the largest term: the scale of float64 rounding errors
        scale = [sum(abs(c * m.subs(at)) for c, m in zip(*_terms(e, (q, t, p1, p2)))) for e in polys]
        with mpmath.workdps(50):
            got = mp_fn(*[F(v.p) / v.q for v in vals])
            for g, ex, sc in zip(got, exact, scale):
                assert abs(g - F(ex.p) / ex.q) <= F(10) ** -45 * F(sc.p) / sc.q
        for g, ex, sc in zip(np_fn(*[float(v) for v in vals]), exact, scale):
            assert abs(g - float(ex)) <= 1e-13 * float(sc)
        # the float64 error estimate of the curves uses exactly these sizes
        for g, sc in zip(size_fn(*[float(v) for v in vals]), scale):
            assert g == pytest.approx(float(sc), rel=1e-12)


def _terms(expr, gens):
    poly = sp.Poly(expr, *gens)
    monos = [sp.Mul(*[g**k for g, k in zip(gens, m)]) for m in poly.monoms()]
    return poly.coeffs(), monos


@pytest.mark.parametrize(
    "act,psi1,psi2,lam_bar",
    [(ZETA_15, "2", "3", "0.5"), (ZETA_15, "2", "2", "1e-6"), ("relu", "0.5", "4", "0.01"), (ZETA_100, "3", "1", "1")],
)
def test_scalar_reduction_solves_the_complex_equations(act, psi1, psi2, lam_bar):
    """ν = i(ψ − g(p))/η with p = −χ solves the ν₁, ν₂ equations of ``system('general')``."""
    chi = RF.chi(psi1, psi2, lam_string(act, lam_bar), act, dps=40).value
    gen, sca = RF.system("general"), RF.system("scalar")
    with mpmath.workdps(45):
        m1sq, ms2 = mu_sq(act)
        zeta = mpmath.sqrt(m1sq / ms2)
        p1, p2, lb = F(psi1), F(psi2), F(lam_bar)
        eta = mpmath.sqrt(p1 * p2 * lb)
        p = -chi
        g = g_of_p(p, zeta)
        nu1, nu2 = mpc(0, (p1 - g) / eta), mpc(0, (p2 - g) / eta)
        res = gen.residuals({S.nu1: nu1, S.nu2: nu2, S.xi: mpc(0, eta), S.psi1: p1, S.psi2: p2, S.zeta: zeta})
        scale = max(p1, p2) / min(abs(p1 - g), abs(p2 - g))  # ν = i(ψ − g)/η loses digits near the threshold
        assert max(abs(r) for r in res) < F(10) ** -36 * scale
        # the scalar equation η²p = (ψ₁ − g)(ψ₂ − g) and its ν's
        (sres,) = sca.residuals({S.p: p, S.psi1: p1, S.psi2: p2, S.zeta: zeta, S.lam_bar: lb})
        assert abs(sres) < F(10) ** -36 * (1 + p1 * p2)
        assert 0 < g < min(p1, p2)  # inside (0, p_max)
    eq = sca.equations[0]
    mine = S.psi1 * S.psi2 * S.lam_bar * S.p - (S.psi1 - g_of_p(S.p, S.zeta)) * (S.psi2 - g_of_p(S.p, S.zeta))
    assert sp.simplify(eq.lhs - eq.rhs - mine) == 0


@pytest.mark.parametrize("psi,zeta", [("0.5", "1.5"), ("2", "1.5"), ("1", "10"), ("3", "0.3"), ("7", "100")])
def test_ridgeless_root_is_the_negative_one(psi, zeta):
    """χ₀ of ``system('ridgeless')`` satisfies g(−χ₀) = ψ and is negative (pitfall 2)."""
    expr = RF.system("ridgeless").quantities["chi0"]
    val = expr.subs({S.psi: sp.Rational(psi), S.zeta: sp.Rational(zeta)})
    with mpmath.workdps(50):
        chi0 = mpmath.mpf(str(sp.N(val, 60)))
        assert chi0 < 0
        assert ae(g_of_p(-chi0, F(zeta)), F(psi), 45)
        # −χ₀ is the positive root of ζ²p² − (ψζ² − ζ² − 1)p − ψ = 0; the other root would give χ > 0
        z2, ps = F(zeta) ** 2, F(psi)
        roots = sorted(mpmath.re(r) for r in mpmath.polyroots([z2, -(ps * z2 - z2 - 1), -ps], extraprec=100))
        assert roots[0] < 0 < roots[1] and ae(-chi0, roots[1], 45)
    # the library's λ = 0 root is this χ₀ (ψ = min(ψ₁, ψ₂)) for an activation with ζ = 3/2
    if zeta == "1.5":
        for p1, p2 in ((psi, "10"), ("10", psi)):
            assert ae(RF.chi(p1, p2, 0, ZETA_15, dps=40).value, chi0, 38)


def test_kernel_and_data_limit_forms():
    kl = RF.system("kernel_limit").quantities
    assert sp.simplify(kl["lam_prime"] - (1 + S.psi2 * S.lam_bar) / (S.zeta**2 * S.psi2)) == 0
    assert sp.simplify(kl["delta"] - 1 / S.psi2) == 0
    # the closed-form MP transform equals the quadrature
    m = kl["m"]
    syms = {s.name: s for s in m.free_symbols}
    for c, t in (("0.5", "0.3"), ("2", "1.7"), ("1", "0.01")):
        with mpmath.workdps(40):
            tt = F(t)
            ref = mp_integral(c, lambda s: 1 / (s + tt))
            got = mpmath.mpf(str(sp.N(m.subs({syms["\\delta"]: sp.Rational(c), syms["\\lambda'"]: sp.Rational(t)}), 45)))
            assert ae(got, ref, 35)
    dl = RF.system("data_limit").quantities
    assert sp.simplify(dl["kappa_bar"] - S.psi1 * S.lam_bar) == 0 and dl["V_data"] == 0


# ---------------------------------------------------------------- (e) properties
ACTS = ["relu", "tanh", "abs", "erf", ZETA_15, ZETA_100, "linear"]
psis = st.floats(min_value=0.05, max_value=20)
lam_bars = st.one_of(st.just(0.0), st.floats(min_value=1e-4, max_value=100))
energies = st.floats(min_value=0, max_value=3)


def _lam(act, lam_bar):
    return lam_bar * (float(mu_sq(act)[1]) if act != "linear" else 1.0)


def _away_from_threshold(act, p1, p2, lam_bar):
    if lam_bar > 1e-3:
        return True
    if act == "linear":
        return abs(p1 - p2) > 0.05 * max(p1, p2) and abs(p2 - 1) > 0.05 and abs(p1 - 1) > 0.05
    return abs(p1 - p2) > 0.05 * max(p1, p2)


@given(st.sampled_from(ACTS), psis, psis, lam_bars, energies, energies, energies)
@example("relu", 2.0, 3.0, 0.0, 1.0, 0.0, 0.25)
@example("linear", 3.0, 2.0, 0.0, 1.0, 0.5, 0.25)
def test_float64_properties(act, p1, p2, lam_bar, F1, Fs, tau2):
    with mpmath.workdps(30):
        lam = _lam(act, lam_bar)
    vals = {q: RF.curve_values(q, p1, p2, lam, act, F1, Fs, tau2) for q in RF.QUANTITIES}
    if any(s == STATUS_INFINITE for _, s in vals.values()):
        assert lam == 0 and (p1 == p2 or act == "linear")
        return
    assert all(s == STATUS_OK for _, s in vals.values())
    risk, bias, var, train = (float(vals[q][0]) for q in ("risk", "bias", "variance", "train_error"))
    tol = 1e-12 * (1 + risk)
    assert bias >= -tol and var >= -tol and risk >= Fs - tol
    assert risk == pytest.approx(bias + var + Fs, rel=1e-12, abs=1e-14)
    assert 0 <= train <= risk + tau2 + tol
    assert float(vals["chi"][0]) <= 0


@given(st.sampled_from(ACTS[:-1]), psis, psis, st.floats(min_value=0.1, max_value=5))
def test_variance_decreases_and_limits_in_lambda(act, p1, p2, tau2):
    with mpmath.workdps(30):
        ms2 = float(mu_sq(act)[1])
    lam_bars = np.geomspace(1e-3, 1e12, 46)
    v, s = RF.curve_values("variance", p1, p2, lam_bars * ms2, act, 1.0, 0.0, tau2)
    assert np.all(s == STATUS_OK)
    assert np.all(np.diff(v) <= 1e-12 * v[:-1]), v
    b, _ = RF.curve_values("bias", p1, p2, 1e12 * ms2, act, 1.0, 0.0, tau2)
    assert abs(float(b) - 1) < 1e-5 and v[-1] < 1e-5 * tau2 * (1 + max(p1, p2))


@settings(max_examples=15)
@given(st.sampled_from(ACTS), psis, psis, lam_bars)
@example("relu", 3.0, 1.5, 0.0)
@example(ZETA_100, 2.0, 3.0, 1e-4)
def test_float64_matches_certified(act, p1, p2, lam_bar):
    assume(_away_from_threshold(act, p1, p2, lam_bar))
    with mpmath.workdps(30):
        lam = _lam(act, lam_bar)
    for q in RF.QUANTITIES:
        if q == "train_error" and lam == 0 and p1 > p2:
            continue  # exact 0; the certified path may fail there (xfail above)
        ref = RF.solve(RF.RFParams(p1, p2, lam, act, 1, "0.3", "0.25"), q, dps=20).value
        v, s = RF.curve_values(q, p1, p2, lam, act, 1.0, 0.3, 0.25)
        assert s == STATUS_OK
        assert float(v) == pytest.approx(float(ref), rel=1e-9, abs=1e-13), (q, float(v), ref)


@settings(max_examples=6)
@given(st.sampled_from(["relu", "tanh", ZETA_15, "abs"]), psis, psis, st.floats(min_value=1e-3, max_value=10))
def test_fifty_digits_agree_with_thirty(act, p1, p2, lam):
    r30 = RF.risk(p1, p2, lam, act, 1, "0.3", "0.25", dps=30)
    r50 = RF.risk(p1, p2, lam, act, 1, "0.3", "0.25", dps=50)
    assert ae(r30.value, r50.value, 29)
    assert r50.error_estimate <= F(10) ** -50 * abs(r50.value)
    assert len(mpmath.nstr(r50.value, 60).replace(".", "").lstrip("0")) >= 45


@settings(max_examples=10)
@given(st.sampled_from(["relu", "tanh", ZETA_15, "abs", "linear"]), psis, psis, lam_bars)
def test_chi_symmetric_in_psi(act, p1, p2, lam_bar):
    with mpmath.workdps(30):
        lam = _lam(act, lam_bar)
    assume(not (lam == 0 and act == "linear" and min(p1, p2) >= 1))
    a = RF.chi(p1, p2, lam, act).value
    b = RF.chi(p2, p1, lam, act).value
    assert ae(a, b, 28)


def test_large_ridge_predicts_zero():
    for act in ("relu", "tanh", ZETA_100, "abs"):
        r = RF.risk(2, 3, lam_string(act, "1e20"), act, 1, "0.3", "0.25")
        assert abs(r.extra["B"] - 1) < F("1e-10") and 0 <= r.extra["V"] < F("1e-10")
        assert ae(r.value, F("1.3"), 9)
        assert abs(RF.chi(2, 3, lam_string(act, "1e20"), act).value) < F("1e-10")


def test_curve_status_codes():
    p1 = np.array([-1.0, 1.0, 2.0, np.nan, 2.0, np.inf, np.inf, 2.0, 2.0])
    p2 = np.array([2.0, 1.0, 2.0, 2.0, 3.0, 2.0, np.inf, 3.0, 0.0])
    lam = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0])
    vals, status = RF.curve_values("risk", p1, p2, lam, "relu", 1.0, 0.0, 0.25)
    assert (
        list(status)
        == [STATUS_DOMAIN, STATUS_INFINITE, STATUS_INFINITE, STATUS_DOMAIN, STATUS_OK, STATUS_OK] + [STATUS_DOMAIN] * 3
    )
    assert np.isnan(vals[[0, 3, 6, 7, 8]]).all() and np.isinf(vals[[1, 2]]).all()
    v, s = RF.curve_values("risk", 2.0, 3.0, 0.1, "relu", -1.0, 0.0, 0.0)
    assert s == STATUS_DOMAIN and np.isnan(v)
    v, s = RF.curve_values("risk", 2.0, 2.0, np.array([0.0, 1e-10, np.nan, np.inf]), "relu")
    assert list(s) == [STATUS_INFINITE, STATUS_OK, STATUS_DOMAIN, STATUS_DOMAIN]
    grid, _ = RF.curve_values("risk", np.array([[1.0], [2.0]]), np.array([1.5, 2.5, 3.5]), 0.1)
    assert grid.shape == (2, 3)


def test_coefficient_quantities():
    with mpmath.workdps(40):
        m1sq, ms2 = mu_sq("relu")
        assert ae(RF.mu0("relu").value, 1 / mpmath.sqrt(2 * mpmath.pi), 29)
        assert ae(RF.mu1("relu").value, mpmath.sqrt(m1sq), 29)
        assert ae(RF.mustar("relu").value, mpmath.sqrt(ms2), 29)
        assert ae(RF.solve(RF.RFParams(1, 1, activation="tanh"), "mustar").value, mpmath.sqrt(mu_sq("tanh")[1]), 29)


def test_float_parameters_are_read_as_typed():
    assert RF.risk(2, 3, 1e-3, "relu", 1, 0, 0.25).value == RF.risk("2", "3", "0.001", "relu", "1", "0", "0.25").value


# ---------------------------------------------------------------- (f) bad input
@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: RF.risk(-1, 2), "psi1"),
        (lambda: RF.risk(0, 2), "psi1"),
        (lambda: RF.risk(1, -2), "psi2"),
        (lambda: RF.risk(1, 0), "psi2"),
        (lambda: RF.risk(1, float("nan")), "psi2"),
        (lambda: RF.risk("inf", "inf"), "psi1.*psi2"),
        (lambda: RF.risk(psi2="inf", N_over_n="inf"), "psi1.*psi2"),
        (lambda: RF.risk(1, 2, N_over_n=2), "N_over_n"),
        (lambda: RF.risk(psi2=2, N_over_n=-1), "N_over_n"),
        (lambda: RF.risk(1), "psi2"),
        (lambda: RF.risk(psi2=1), "psi1"),
        (lambda: RF.risk(1, 2, 0, "foo bar"), "activation"),
        (lambda: RF.risk(1, 2, 0, "relux"), "activation"),
        (lambda: RF.risk(1, 2, 0, "1"), "activation"),
        (lambda: RF.risk(1, 2, 0, "exp(-1)"), "activation"),
        (lambda: RF.risk(1, 2, 0, lambda x: 2 * x + 1), "activation"),  # affine within quadrature error
        (lambda: RF.risk(1, 2, float("nan")), "lam"),
        (lambda: RF.risk(1, 2, "-0.1"), "lam"),
        (lambda: RF.risk(1, 2, "inf"), "lam"),
        (lambda: RF.risk(1, 2, 0, "relu", -1), "F1sq"),
        (lambda: RF.risk(1, 2, 0, "relu", 1, -1), "Fstar2"),
        (lambda: RF.risk(1, 2, 0, "relu", 1, 0, "-1"), "tau2"),
        (lambda: RF.risk(1, 2, 0, "relu", 1, 0, "1+2j"), "tau2"),
        (lambda: RF.risk(True, 2), "psi1"),
        (lambda: RF.risk(1, 2, dps=0), "dps"),
        (lambda: RF.solve(RF.RFParams(1, 2), "nope"), "quantity"),
        (lambda: RF.curve_values("nope", 1, 2), "quantity"),
        (lambda: RF.curve_values("risk", 1, 2, N_over_n=1), "N_over_n"),
        (lambda: RF.curve_values("risk", 1, 2, 0, "1"), "activation"),
        (lambda: RF.system("nope"), "form"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_registry():
    from asymptotics.models._registry import get_model

    spec = get_model("rf")
    assert spec is RF.MODEL and set(RF.QUANTITIES) <= set(spec.quantities)
    proportional = {"psi1", "psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "N_over_n", "spectrum", "N", "n"}  # issue 18
    polynomial = {"kappa1", "kappa2", "F", "alpha1", "alpha2", "level"}  # staircase and risk_asymptotic (issue 18)
    assert set(spec.params) == proportional | polynomial
    assert spec.quantities["risk"].certified(psi1=2, psi2=3, lam="0.1").value == RF.risk(2, 3, "0.1").value
    v, s = spec.quantities["risk"].curve(psi1=np.array([2.0]), psi2=3.0, lam=0.1)
    assert s[0] == STATUS_OK and v[0] == pytest.approx(float(RF.risk(2, 3, "0.1").value), rel=1e-12)


# ---------------------------------------------------------------- fixes from an independent review
def test_tiny_positive_ridge_is_certified():
    """λ far below 10^-dps: ν ∝ 1/η is huge and the ν-equation terms cancel; the residual is a backward error."""
    r0 = RF.risk(2, 3, 0, dps=30).value
    assert ae(RF.risk(2, 3, "1e-45", dps=30).value, r0, 29)  # O(λ) away from the ridgeless value
    assert ae(RF.risk(3, 2, "1e-70", dps=30).value, RF.risk(3, 2, 0, dps=30).value, 29)
    # at the threshold R ~ C λ^{-1/2}: a factor 100 in λ is a factor 10 in R (up to O(λ^{1/2}) relative)
    a, b = RF.risk(2, 2, "1e-90", dps=30).value, RF.risk(2, 2, "1e-88", dps=30).value
    assert ae(a / b, 10, 25)
    # the backward-error residual still rejects a wrong root
    with mpmath.workdps(40):
        act = RF.RFParams(2, 3, "0.1").activation.coefficients()
        t, ell = act.mustar**2 / act.mu1**2, mpf("0.1") / act.mu1**2
        solver = RF._Solver(RF.RFParams(2, 3, "0.1"))
        solver.evaluate()
        q = solver.q_last
        assert RF._nu_residual(q, t, mpf(2), mpf(3), ell) < mpf(10) ** -35
        assert RF._nu_residual(q * (1 + mpf(10) ** -10), t, mpf(2), mpf(3), ell) > mpf(10) ** -12


def test_float64_curve_flags_lost_precision_near_the_threshold():
    ms2 = float(RF.mustar("relu", dps=20).value) ** 2
    vals, status = RF.curve_values("risk", np.array([2.0, 2.0, 1.5]), 2.0, np.array([1e-12, 1e-40, 1e-40]) * ms2, tau2=0.25)
    assert list(status) == [STATUS_OK, 3, STATUS_OK] and np.isnan(vals[1])
    cert = RF.risk(2, 2, repr(1e-12 * ms2), tau2="0.25", dps=20).value
    assert vals[0] == pytest.approx(float(cert), rel=1e-6)


@pytest.mark.parametrize("act", ["relu", "abs", "tanh"])
def test_chi_at_infinite_psi_is_the_limit(act):
    for lam in ("0", "0.1"):
        lim = RF.chi("inf", 2, lam, act, dps=25).value
        assert lim != 0 and ae(lim, RF.chi("1e20", 2, lam, act, dps=25).value, 15)
        assert ae(RF.chi(2, "inf", lam, act, dps=25).value, lim, 24)  # χ is symmetric in ψ₁, ψ₂
        vals, status = RF.curve_values("chi", np.array([np.inf]), 2.0, float(lam), act)
        assert status[0] == STATUS_OK and vals[0] == pytest.approx(float(lim), rel=1e-12)


def test_float64_training_error_is_stable_for_psi1_above_psi2():
    for act in ("quadratic", "relu"):
        vals, status = RF.curve_values("train_error", np.array([6.7]), 0.2125, 2e-6, act, tau2=0.25)
        cert = RF.train_error("6.7", "0.2125", "2e-6", act, tau2="0.25", dps=25).value
        assert status[0] == STATUS_OK and vals[0] == pytest.approx(float(cert), rel=1e-12)


# ---------------------------------------------------------------- issue 13: μ₁ = 0 near ψ₁ = ψ₂ (float64 and certified)
def _pure_noise_ridge(psi1, psi2, lam_bar, F1sq, Fstar2, tau2):
    """Golden ``(risk, train_error)`` at ``μ₁ = 0``, derived without the 𝓔 polynomials.

    With ``μ₁ = 0`` the features carry no linear information about ``x``: they act as ``N``
    independent features of variance ``μ⋆²``, and the target ``F₁²`` part is noise like
    ``F⋆²``.  Rescaling ``a`` by ``μ⋆`` turns the penalty ``(Nλ/d)‖a‖²`` into the normalized
    ridge ``ψ₁λ̄`` on unit-variance features, so (Marchenko–Pastur law of ratio ``γ = ψ₁/ψ₂``,
    ``m(−t) = ∫dμ(s)/(s + t)``, noise ``σ² = F₁² + F⋆² + τ²``):
    ``R = F₁² + F⋆² + σ²γ ∫ s/(s + t)² dμ`` and the training error
    ``σ²t² ∫ dμ̃(s)/(s + t)²`` (``μ̃`` the companion law, ``γμ + (1 − γ)δ₀``), at ``t = ψ₁λ̄``.
    """
    c, t = sp.symbols("c t", positive=True)
    m = (sp.sqrt((1 - c + t) ** 2 + 4 * c * t) - (1 - c + t)) / (2 * c * t)
    fns = sp.lambdify((c, t), [m, -sp.diff(m, t)], "mpmath")
    with mpmath.workdps(800):  # t down to 1e-300: the closed form cancels in (1 − c + t)
        g, tt = F(psi1) / F(psi2), F(psi1) * F(lam_bar)
        s2 = F(F1sq) + F(Fstar2) + F(tau2)
        if tt == 0:
            V = g / (1 - g) if g < 1 else 1 / (g - 1)
            train = s2 * (1 - g) if g < 1 else F(0)
        else:
            M, dM = fns(g, tt)
            V = g * (M - tt * dM)
            train = s2 * tt**2 * (g * dM + (1 - g) / tt**2)
        return +(F(F1sq) + F(Fstar2) + s2 * V), +train


@pytest.mark.parametrize("act,ms2", [("abs", None), ("x**2 - 1", 2), ("Abs(x) + cos(x)", None)])
@pytest.mark.parametrize(
    "psi1,psi2,lam_bar",
    [
        ("2", "2", "1e-12"),
        ("2", "2", "1e-20"),
        ("1", "1", "1e-300"),  # the old quadratic formula divided by 0 here (ZeroDivisionError)
        ("0.5", "3", "0.1"),
        ("3", "0.5", "0.01"),
        ("3", "3.0000000001", "0"),
        ("1e-6", "2e-6", "1e-3"),
        ("1e6", "1e6", "1e-15"),
    ],
)
def test_issue13_zeta0_golden_values(act, ms2, psi1, psi2, lam_bar):
    """μ₁ = 0 (``abs``, He₂, an even non-polynomial activation): the certified risk and training error are
    pure-noise ridge regression (:func:`_pure_noise_ridge`), also right next to the threshold."""
    with mpmath.workdps(40):
        ms2 = F(ms2) if ms2 else RF.mustar(act, dps=40).value ** 2
        lam = mpmath.nstr(F(lam_bar) * ms2, 45)
    R, T = _pure_noise_ridge(psi1, psi2, lam_bar, "1", "0.5", "0.25")
    assert ae(RF.risk(psi1, psi2, lam, act, 1, "0.5", "0.25", dps=30).value, R, 28)
    assert ae(RF.train_error(psi1, psi2, lam, act, 1, "0.5", "0.25", dps=30).value, T, 27)


def test_issue13_zeta0_is_the_limit_of_tiny_mu1():
    """The ζ = 0 branch is the μ₁ → 0 limit of the general formula: μ₁ = 1e-30 (exact, polynomial) differs by O(ζ²)."""
    points = (("2", "2", "2e-12"), ("0.5", "3", "0.2"), ("3", "0.5", "0"), ("2", "inf", "0.1"), ("inf", "2", "0.1"))
    for psi1, psi2, lam in points:
        tiny = RF.risk(psi1, psi2, lam, "x**2 - 1 + 1e-30*x", 1, "0.5", "0.25", dps=40).value
        zero = RF.risk(psi1, psi2, lam, "x**2 - 1", 1, "0.5", "0.25", dps=40).value
        assert ae(tiny, zero, 35), (psi1, psi2, lam, tiny, zero)


def _exact(x):
    """A float's exact decimal value (the certified path then sees the same input as the float64 path)."""
    from decimal import Decimal

    return str(Decimal(float(x)))


def _near_threshold_points(seed, n):
    rng = np.random.default_rng(seed)
    pts = [(2.0, 2.0, 1e-16), (2.0, 2.0, 1e-20), (1.0, 1.0, 1e-30), (2.0, 2.0, 1e-300), (3.0, 3.0000000001, 0.0)]
    for _ in range(n):
        p1 = 10 ** rng.uniform(-2, 2)
        p2 = p1 * (1 + rng.choice([0.0, 1.0, -1.0]) * 10 ** -rng.uniform(1, 12))
        pts.append((p1, p2, 0.0 if rng.random() < 0.15 else 10 ** rng.uniform(-30, -2)))
    return pts


@pytest.mark.parametrize("act", ["abs", "x**2 - 1", "relu", "tanh"])
def test_issue13_float64_near_the_threshold_keeps_its_contract(act):
    """float64 vs certified at drawn points near ψ₁ = ψ₂ with tiny λ: status 0 within 1e-6 relative, status 1 only
    where the certified value is +inf.  Before the fix, ``abs`` at λ = 1e-16 was 11% off with status 0 and at
    λ = 1e-20 returned inf with status 1 (the certified risk is 2.66e9)."""
    pts = _near_threshold_points(13, 10)
    p1, p2, lam = (np.array(v) for v in zip(*pts, strict=True))
    for q in ("risk", "train_error"):
        vals, status = RF.curve_values(q, p1, p2, lam, act, 1.0, 0.5, 0.25)
        for v, s, (a, b, c) in zip(vals, status, pts, strict=True):
            if s == 3:
                assert act in ("relu", "tanh")  # ζ ≠ 0: the loss estimate may decline; ζ = 0 never cancels
                continue
            if act in ("relu", "tanh") and c < 1e-200:
                continue
            ref = RF.solve(RF.RFParams(_exact(a), _exact(b), _exact(c), act, 1, "0.5", "0.25"), q, dps=20).value
            if s == STATUS_INFINITE:
                assert mpmath.isinf(ref), (q, a, b, c, ref)
            else:
                assert s == STATUS_OK and abs(v - ref) <= 1e-6 * abs(ref), (q, a, b, c, v, ref)


@pytest.mark.parametrize("act", ["abs", "x**2 - 1"])
def test_issue13_zeta0_degenerate_float_points(act):
    """ζ = 0 float64 at the degenerate points: exact infinity only at λ = 0, ψ₁ = ψ₂; the ridgeless values
    ``𝓥₀ = min(ψ₁, ψ₂)/|ψ₁ − ψ₂|``; extreme ψ; a subnormal λ (no underflow of the training factor)."""
    p1 = np.array([2.0, 3.0, 3.0, 0.5, 1e-6, 1e6, 1e-6, 2.0])
    p2 = np.array([2.0, 3.0000000001, 2.0, 3.0, 1e6, 1e-6, 1e-6, 2.0])
    lam = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1e-20, 5e-324])
    risk, st = RF.curve_values("risk", p1, p2, lam, act, 1.0, 0.5, 0.25)
    assert st[0] == STATUS_INFINITE and (st[1:] == STATUS_OK).all()
    V0 = np.minimum(p1[1:6], p2[1:6]) / np.abs(p1[1:6] - p2[1:6])
    np.testing.assert_allclose(risk[1:6], 1.5 + 1.75 * V0, rtol=1e-13)
    train, st = RF.curve_values("train_error", p1, p2, lam, act, 1.0, 0.5, 0.25)
    assert (st == STATUS_OK).all() and train[0] == 0 and train[2] == 0 and train[5] == 0  # ridgeless, ψ₁ ≥ ψ₂
    for i in (6, 7):
        ref = RF.train_error(_exact(p1[i]), _exact(p2[i]), _exact(lam[i]), act, 1, "0.5", "0.25", dps=20).value
        assert abs(train[i] - ref) <= 1e-12 * ref and ref > 0


def test_issue13_float64_overflow_is_not_infinite():
    """A float64 overflow of a finite value is status 3 (not converged), never status 1 (+inf)."""
    for act in ("abs", "relu"):  # the exact risk is ~1.7e311 for abs: finite, beyond float64
        vals, status = RF.curve_values("risk", 1e-300, 1e-300, 5e-324, act, 1.0, 0.0, 0.25)
        assert status == 3 and np.isnan(vals)
    assert mpmath.isfinite(RF.risk("1e-300", "1e-300", _exact(5e-324), "abs", tau2="0.25", dps=20).value)
