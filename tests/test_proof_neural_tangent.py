"""Proven digits (ball arithmetic) for the neural tangent model ``nt`` (issue 15).

Independent references: closed forms derived here (ReLU at ψ₂ = 2, λ = 0: 𝓑 = (√2 − 1)/2, κ = √2/8;
the linear activation is isotropic ridge on x, κ the positive root of κ² − cκ − λ' = 0 written out below;
λ_self of ReLU/abs/quadratic), and the precision ladder at dps 60 (``ladder_only``).  A perturbed or
wrong fixed-point candidate must fail the proof; widths shrink with dps; float64 status-0 values lie
within 1e-6 of the enclosure; the CLI's JSON carries the enclosure.
"""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.activations import from_callable
from asymptotics.ball import NotProven, workprec
from asymptotics.cli import main
from asymptotics.errors import ParameterError, RegimeError
from asymptotics.models import neural_tangent as nt
from asymptotics.precision import ladder_only

QUANTITIES = ("risk", "bias", "variance", "train_error", "kappa")


def contains(res, exact) -> bool:
    """``lo <= exact <= hi`` for the result's enclosure (``exact`` an mpf, compared at 80 digits)."""
    enc = res.enclosure
    with mpmath.workdps(80):
        return mpmath.mpf(enc.lo) <= mpmath.mpf(exact) <= mpmath.mpf(enc.hi)


def ladder(q, kw, dps=60):
    with ladder_only():
        return getattr(nt, q)(**kw, dps=dps)


# ----------------------------------------------------------------------------- closed forms
def test_relu_psi2_2_closed_form():
    # λ_self = μ₁² = 1/4, λ' = 1/2, γ = 1/2: 1/2 = κ'(1 − 1/(2(1 + κ'))) ⇒ κ' = 1/√2; 𝓑 = 𝓥 = (√2 − 1)/2; κ = μ₁²κ'
    with mpmath.workdps(80):
        b = (mpmath.sqrt(2) - 1) / 2
        k = mpmath.sqrt(2) / 8
        risk = b * 5 / 4  # 𝓑 + τ²𝓥 with τ² = 1/4
    r = nt.risk(2, tau2="1/4", dps=40)
    assert r.proven and contains(r, risk)
    kap = nt.kappa(2, dps=40)
    assert kap.proven and contains(kap, k)
    assert nt.self_ridge("relu").proven and nt.self_ridge("relu").enclosure.lo == "0.25"


@pytest.mark.parametrize(
    "psi2, lam, tau2", [("3", "0", "0.5"), ("1/2", "0.1", "1"), ("1.001", "1e-12", "0.25"), ("7", "1e30", "2")]
)
def test_linear_activation_is_ridge_on_x(psi2, lam, tau2):
    # σ(x) = x: μ₁ = 1, λ_self = 0, so λ' = λ/ψ₂ and γ = 1/ψ₂ (isotropic ridge written out here)
    with mpmath.workdps(100):
        g = 1 / mpmath.mpf(Fraction(psi2).numerator) * Fraction(psi2).denominator
        lp = mpmath.mpf(Fraction(lam).numerator) / Fraction(lam).denominator * g
        t2 = mpmath.mpf(Fraction(tau2).numerator) / Fraction(tau2).denominator
        c = lp + g - 1
        kp = (c + mpmath.sqrt(c * c + 4 * lp)) / 2 if lp > 0 else max(c, mpmath.mpf(0))
        den = (1 + kp) ** 2 - g
        B, V = kp**2 / den, g / den
        exact = {"risk": B + t2 * V, "bias": B, "variance": t2 * V, "kappa": kp}
    for q, v in exact.items():
        r = getattr(nt, q)(psi2, lam, "linear", tau2=tau2, dps=30)
        assert r.proven and contains(r, v), (q, r.enclosure, v)


def test_linear_at_threshold_is_proven_infinite():
    r = nt.risk(1, 0, "linear", tau2="1/4")
    assert r.proven and mpmath.isinf(r.value)


@pytest.mark.parametrize("act, exact", [("relu", Fraction(1, 4)), ("abs", Fraction(1)), ("quadratic", Fraction(4))])
def test_self_ridge_exact(act, exact):
    r = nt.self_ridge(act, dps=50)
    assert r.proven and Fraction(r.enclosure.lo) <= exact <= Fraction(r.enclosure.hi)


def test_staircase_exact():
    r = nt.staircase("1.5", "0,1,1/3,1/7", method="nt")
    assert r.proven and Fraction(r.enclosure.lo) <= Fraction(1, 7) <= Fraction(r.enclosure.hi)
    enc = nt.staircase("2.5", "0,1,1/2,1/4,1/8", method="rf").enclosure  # degrees 3, 4 left: 1/4 + 1/8
    assert enc.lo == enc.hi == "0.375"


# ----------------------------------------------------------------------------- the ladder at dps 60
POINTS = [
    dict(psi2="2", layers="both", psi1="3"),
    dict(psi2="0.7", lam="0.01", layers="both", psi1="0.5", Fstar2="0.5", tau2="0.1"),
    dict(psi2="1", layers="both", psi1="1", tau2="1"),  # ψ₁ = ψ₂ = 1: the MP atom boundary
    dict(psi2="5", layers="both", psi1="1e-6", Fstar2="0.3"),  # ψ₁ → 0: the NT model
    dict(psi2="1e-6", layers="both", psi1="1e4", activation="x + 0.1*(x**2-1)", Fstar2="0.2"),  # h cancels: wider bracket
    dict(psi2="0.3", layers="both", psi1="1e6", tau2="0.2"),  # ψ₁ → ∞
    dict(psi2="2", lam="1e-30", layers="both", psi1="2", activation="erf", tau2="0.1"),
    dict(psi2="2", lam="1e8", layers="both", psi1="2", tau2="1"),  # huge ridge: tiny variance
    dict(psi2="3", layers="both", psi1="2", activation="quadratic", tau2="1"),  # μ₁ = 0: quadratic κ
    dict(psi2="1.5", layers="both", psi1="inf", activation="tanh", Fstar2="0.2"),
    dict(psi2="0.999", lam="1e-20", activation="linear", tau2="1"),  # next to the interpolation threshold
    dict(psi2="1/3", lam="2", activation="abs", F1sq="2", tau2="1"),
]


@pytest.mark.parametrize("kw", POINTS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_enclosure_contains_ladder_dps60(kw):
    for q in QUANTITIES:
        r = getattr(nt, q)(**kw, dps=30)
        ref = ladder(q, kw)
        assert r.proven, (q, kw)
        assert contains(r, ref.value), (q, kw, r.enclosure, ref.value)
        with mpmath.workdps(30):
            assert r.value == +ref.value or abs(r.value - ref.value) <= mpmath.mpf(10) ** -29 * abs(ref.value)


# ----------------------------------------------------------------------------- a wrong root fails
def test_perturbed_root_fails(monkeypatch):
    kw = dict(psi2="2", layers="both", psi1="3", tau2="0.1")
    good = nt.risk(**kw)
    assert good.proven
    real = nt.approximate_kappa
    monkeypatch.setattr(nt, "approximate_kappa", lambda *a: real(*a) * (1 + mpmath.mpf(10) ** -20))
    bad = nt.risk(**kw)
    assert bad.proven is False and bad.enclosure is None
    assert bad.value == good.value  # the ladder's estimate is still right


def test_wrong_branch_fails():
    # the upper end of the bracket is no root: the sign-change proof refuses it
    from asymptotics.ball import AB

    pr = nt.NTParams(psi2="2", layers="both", psi1="3")
    with workprec(140):
        a, s, ls = nt.ball_activation_data(pr.activation)
        psi1, psi2 = AB.num(pr.psi1), AB.num(pr.psi2)
        lt = ls / psi2
        h, dh = nt._kappa_equation(AB, psi1, psi2, a, s, lt)
        nt._ball_kappa(h, dh, psi1, psi2, a, s, lt)  # the true candidate is proven
        real = nt.approximate_kappa
        try:
            nt.approximate_kappa = lambda *args: real(*args) * 2
            with pytest.raises(NotProven):
                nt._ball_kappa(h, dh, psi1, psi2, a, s, lt)
        finally:
            nt.approximate_kappa = real


def test_callable_is_not_proven():
    act = from_callable(lambda x: mpmath.tanh(x), derivative=lambda x: 1 / mpmath.cosh(x) ** 2, name="mytanh")
    r = nt.risk("2", activation=act, dps=15)
    assert r.proven is False and r.enclosure is None


def test_parameter_errors_unchanged():
    with pytest.raises(ParameterError, match="affine"):
        nt.risk(2, 0, "linear", layers="both", psi1=2)
    with pytest.raises(RegimeError):
        nt.risk(2, psi1="0.1", d=100)


# ----------------------------------------------------------------------------- widths shrink with dps
@pytest.mark.parametrize("kw", [dict(psi2="2", layers="both", psi1="3", tau2="0.5"), dict(psi2="0.5", lam="0.2", tau2="0.5")])
def test_width_shrinks_with_dps(kw):
    w20 = float(nt.risk(**kw, dps=20).enclosure.rad)
    w50 = float(nt.risk(**kw, dps=50).enclosure.rad)
    assert 0 < w50 < w20 * 1e-25


# ----------------------------------------------------------------------------- float64 consistency
@pytest.mark.parametrize("layers, psi1", [("first", None), ("both", 2.0), ("both", 0.25)])
def test_float64_status0_within_enclosure(layers, psi1):
    psi2 = np.array([0.5, 1.0, 2.0, 4.0])
    for q in QUANTITIES:
        vals, status = nt.curve_values(q, psi2=psi2, lam=0.05, activation="relu", tau2=0.3, layers=layers, psi1=psi1)
        for p, v, s in zip(psi2, vals, status, strict=True):
            if s != 0:
                continue
            r = getattr(nt, q)(float(p), 0.05, tau2=0.3, layers=layers, psi1=psi1, dps=20)
            assert r.proven
            lo, hi = float(r.enclosure.lo), float(r.enclosure.hi)
            assert lo - 1e-6 * abs(lo) <= v <= hi + 1e-6 * abs(hi), (q, p, v, r.enclosure)


# ----------------------------------------------------------------------------- JSON
def test_cli_json_enclosure(capsys):
    rc = main(["eval", "nt", "risk", "psi2=2", "tau2=0.25", "layers=both", "psi1=1", "--json"])
    out, _ = capsys.readouterr()
    assert rc == 0
    d = json.loads(out)
    assert d["proven"] is True
    with mpmath.workdps(60):
        lo, hi, mid = (mpmath.mpf(d["enclosure"][k]) for k in ("lo", "hi", "mid"))
        v = mpmath.mpf(d["value"])
        assert lo <= mid <= hi and hi - lo <= mpmath.mpf(10) ** -30 * v
        # the printed value is rounded to dps digits: within one unit of its last digit of every point of [lo, hi]
        # (it need not lie inside the much narrower enclosure)
        unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(v)) - 29)
        assert abs(v - lo) <= unit and abs(v - hi) <= unit
        note, tol = mpmath.mpf("0.2962677969569556"), mpmath.mpf(10) ** -16  # theory note row ntk01 (16 digits)
        assert lo - tol <= note <= hi + tol
