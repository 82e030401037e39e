"""``lam=opt`` (asymptotics/tuning.py): certified values at the optimal penalty and float64 tuned-risk curves.

Expected numbers come from closed forms evaluated here with mpmath (isotropic ridge: Dobriban & Wager
2018, λ* = (σ² + τ²)γ/r², the Marchenko–Pastur Stieltjes transform m(−λ) in closed form and its
derivative by mpmath.diff), from the models' own certified ``optimal_risk`` (a different code path:
the mpmath optimizer of asymptotics/solve/optimize.py against the float64 golden section), and from
monotonicity (Mei & Montanari 2019: the tuned rf risk decreases with N/n).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asymptotics as A
from asymptotics import get_model
from asymptotics.cli import main
from asymptotics.errors import ParameterError
from asymptotics.tuning import is_opt, tuned_risk_curve


def _m(lam, g):
    """Stieltjes transform m(z) = ∫ dμ_MP(s)/(s − z) of Marchenko–Pastur (ratio γ, variance 1) at z = −λ < 0."""
    return (mpmath.sqrt((1 - g + lam) ** 2 + 4 * g * lam) - (1 - g + lam)) / (2 * g * lam)


def _isotropic(g, r2, s2):
    """(λ*, bias, variance, risk, κ) of isotropic ridge at λ* = σ²γ/r², from the closed forms:
    B = r²λ² m'(−λ), V = σ²γ (m − λ m'), R = B + V = σ²γ m(−λ*) at the optimum,
    κ the positive root of κ² − (λ + γ − 1)κ − λ = 0."""
    with mpmath.workdps(50):
        g, r2, s2 = mpmath.mpf(g), mpmath.mpf(r2), mpmath.mpf(s2)
        lam = s2 * g / r2
        dm = mpmath.diff(lambda z: _m(-z, g), -lam)
        bias = r2 * lam**2 * dm
        var = s2 * g * (_m(lam, g) - lam * dm)
        c = lam + g - 1
        kappa = (c + mpmath.sqrt(c * c + 4 * lam)) / 2
        return lam, bias, var, s2 * g * _m(lam, g), kappa


def _close(a, b, digits):
    return abs(mpmath.mpf(a) - mpmath.mpf(b)) <= mpmath.mpf(10) ** (-digits) * abs(mpmath.mpf(b))


def test_is_opt():
    assert is_opt("opt") and is_opt(" OPTIMAL ") and is_opt("Opt")
    assert not is_opt("optt") and not is_opt(0) and not is_opt(None)


@pytest.mark.parametrize("g,r2,s2", [("0.5", "2", "0.25"), ("3", "1", "1"), ("1", "0.5", "0.1")])
def test_isotropic_ridge_closed_forms_at_opt(g, r2, s2):
    lam, bias, var, risk, kappa = _isotropic(g, r2, s2)
    ridge = get_model("ridge")
    for name, want in (("bias", bias), ("variance", var), ("risk", risk), ("kappa", kappa)):
        r = ridge.quantity(name).certified(gamma=g, lam="opt", r2=r2, sigma2=s2, dps=30)
        assert _close(r.value, want, 28), (name, r, want)
        assert r.params["lam"] == "opt" and _close(r.params["lam_star"], lam, 28)
        assert _close(r.extra["lambda_star"], lam, 28)


def test_certified_opt_risk_equals_optimal_risk():
    rf = get_model("rf")
    a = rf.quantity("risk").certified(psi1=2, psi2=1, lam="opt", dps=20)
    b = rf.quantity("optimal_risk").certified(psi1=2, psi2=1, dps=20)
    assert str(a) == str(b) and a.quantity == "risk" and a.params["lam"] == "opt"
    assert mpmath.mpf(a.params["lam_star"]) == +b.extra["lambda_star"]
    ridge = get_model("ridge")
    spec = "power_law:p=50,alpha=1.5,beta=1.2"
    a = ridge.quantity("risk").certified(gamma="0.5", lam="optimal", sigma2="0.5", spectrum=spec, dps=20)
    b = ridge.quantity("optimal_risk").certified(gamma="0.5", sigma2="0.5", spectrum=spec, dps=20)
    assert str(a) == str(b)
    krr = get_model("krr")  # krr's asymptotic risk is tuned by its own optimal_lambda_asymptotic
    kw = dict(alpha="1.5", level=1, sigma2="0.1", F="0,1,0.5")
    a = krr.quantity("risk_asymptotic").certified(lam="opt", **kw, dps=20)
    b = krr.quantity("optimal_risk_asymptotic").certified(**kw, dps=20)
    assert str(a) == str(b) and a.params["lam"] == "opt"


def test_located_lambda_star_carries_guard_digits():
    """Signal spread like the features (b_i = r² w_i): λ* = σ²γ/r² for every Σ (docs/models/ridge.md), located
    numerically (λ* = 1/6, not a short decimal: rounding λ* to fewer digits would show); bias/variance at
    lam=opt equal their values at the exact λ* to all 25 digits."""
    ridge = get_model("ridge")
    common = dict(gamma="0.5", r2=1, sigma2="1/3", spectrum="blocks:1/0.5/0.5,4/0.5/0.5")
    for name in ("bias", "variance"):
        a = ridge.quantity(name).certified(lam="opt", **common, dps=25)
        b = ridge.quantity(name).certified(lam="1/6", **common, dps=25)
        assert str(a) == str(b), name
        assert a.proven is False and _close(a.params["lam_star"], mpmath.mpf(1) / 6, 24)


def test_opt_keeps_callers_precision():
    mpmath.mp.dps = 33
    try:
        get_model("ridge").quantity("bias").certified(gamma=2, lam="opt", sigma2="0.5", dps=20)
        assert mpmath.mp.dps == 33
    finally:
        mpmath.mp.dps = 15


def test_float64_tuned_curve_matches_certified_optimal_risk():
    rf = get_model("rf")
    x = np.array([0.1, 0.5, 1.0, 2.0, 10.0])  # λ* > 0 at small N/n, λ* = 0 (ridgeless) at large N/n
    v, s = rf.quantity("risk").curve(N_over_n=x, psi2=2.0, lam="opt")
    assert np.all(s == 0)
    for xi, vi in zip(x, v, strict=True):
        want = rf.quantity("optimal_risk").certified(N_over_n=repr(float(xi)), psi2=2, dps=15)
        assert _close(vi, want.value, 6)
    ridge = get_model("ridge")
    g = np.array([0.2, 1.0, 3.0])
    spec = "blocks:1/0.5/0.1,4/0.5/0.9"
    v, s = ridge.quantity("risk").curve(gamma=g, lam="OPT", sigma2=0.1, spectrum=spec)
    assert np.all(s == 0)
    for gi, vi in zip(g, v, strict=True):
        want = ridge.quantity("optimal_risk").certified(gamma=repr(float(gi)), sigma2="0.1", spectrum=spec, dps=15)
        assert _close(vi, want.value, 6)


def test_tuned_risk_curve_isotropic_lambda_star():
    """The located λ* of the float64 section against the closed form (λ* to ≈ √ε only: 3 digits asked)."""
    g = np.array([0.3, 1.0, 2.5])
    v, s, lam = tuned_risk_curve(get_model("ridge").quantities["risk"].curve, {"gamma": g, "sigma2": 0.5, "r2": 2.0})
    assert np.all(s == 0)
    np.testing.assert_allclose(lam, 0.5 * g / 2.0, rtol=1e-3)
    for gi, vi in zip(g, v, strict=True):
        assert _close(vi, _isotropic(repr(float(gi)), 2, "0.5")[3], 7)


def test_rf_tuned_risk_non_increasing_in_N_over_n():
    """Mei & Montanari (2019): with λ tuned, more random features never hurt (no double-descent peak)."""
    rf = get_model("rf")
    for kw in (dict(psi2=2.0), dict(psi2=0.5, tau2=0.3), dict(psi2=3.0, Fstar2=0.5)):
        x = np.linspace(0.1, 10, 60)
        v, s = rf.quantity("risk").curve(N_over_n=x, lam="opt", **kw)
        assert np.all(s == 0), kw
        assert np.all(np.diff(v) <= 1e-9 * v[1:]), kw


@settings(max_examples=25, deadline=None)
@given(
    g=st.floats(0.05, 5),
    s2=st.one_of(st.just(0.0), st.floats(0.01, 2)),  # noiseless (λ* = 0 where ridgeless is optimal) or noisy
    lam=st.floats(1e-6, 1e3),
)
def test_ridge_tuned_risk_below_risk_at_any_lambda(g, s2, lam):
    ridge = get_model("ridge")
    spec = "blocks:1/0.5/0.2,4/0.5/0.8"
    tuned, s = ridge.quantity("risk").curve(gamma=g, lam="opt", sigma2=s2, spectrum=spec)
    at, s_at = ridge.quantity("risk").curve(gamma=g, lam=lam, sigma2=s2, spectrum=spec)
    assert int(s) == 0 and int(s_at) == 0
    assert float(tuned) <= float(at) * (1 + 1e-9) + 1e-300


def test_sweep_and_curve_with_opt():
    res = A.sweep("ridge", "risk", gamma=np.array([0.5, 2.0]), lam="opt", sigma2="0.25")
    want = [_isotropic(g, 1, "0.25")[3] for g in ("0.5", "2")]
    assert np.allclose(res["value"].to_numpy(), [float(w) for w in want], rtol=1e-9)
    from asymptotics.curves import curve

    cr, texts = curve("ridge", "bias", {"gamma": "0.5:2:2", "lam": "opt", "sigma2": "0.25"}, progress=False)
    assert list(cr.status) == [0, 0]  # bias at lam=opt: the certified path (λ*'s error propagates linearly)
    assert _close(texts[0][0], _isotropic("0.5", 1, "0.25")[1], 25)


def test_cli_eval_and_curve_with_opt(capsys, tmp_path):
    assert main(["eval", "rf", "risk", "psi1=2", "psi2=1", "lam=opt", "--dps", "15"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(get_model("rf").quantity("optimal_risk").certified(psi1=2, psi2=1, dps=15))
    assert main(["eval", "ridge", "risk", "gamma=0.5", "sigma2=0.25", "lam=opt", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["params"]["lam"] == "opt" and mpmath.mpf(data["params"]["lam_star"]) == mpmath.mpf("0.125")
    png = tmp_path / "tuned.png"
    assert main(["curve", "rf", "risk", "N_over_n=0.1:10:12", "psi2=2", "lam=opt", "--plot", str(png)]) == 0
    lines = [ln.split() for ln in capsys.readouterr().out.splitlines() if ln and ln[0].isdigit()]
    assert len(lines) == 12 and all(ln[-1] == "0" for ln in lines)
    vals = [float(ln[1]) for ln in lines]
    assert all(b <= a for a, b in zip(vals, vals[1:], strict=False))
    assert png.stat().st_size > 10_000


def test_bad_usage_is_one_line_exit_2(capsys):
    # a quantity that ignores lam (rf's Hermite coefficient), a model without optimal_lambda, a misspelling
    assert main(["eval", "rf", "mu1", "lam=opt"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "`lam`" in err[0]
    A.register_model(
        "toy_tuning",
        doc="toy",
        formulas=lambda B, gamma, lam: {"value": gamma + lam},
        params=[A.Param("gamma", low=0, low_open=True), A.Param("lam", default="0", low=0)],
        quantities={"value": "gamma + lam"},
    )
    try:
        assert main(["eval", "toy_tuning", "value", "gamma=1", "lam=opt"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "`lam`" in err[0] and "ridge" in err[0] and "rf" in err[0]
        with pytest.raises(ParameterError, match="`lam`=opt"):
            get_model("toy_tuning").quantity("value").curve(gamma=np.array([1.0]), lam="opt")
    finally:
        A.unregister_model("toy_tuning")
    assert main(["eval", "ridge", "bias", "gamma=2", "r2=0", "lam=opt"]) == 2  # λ* = +inf: the null estimator
    assert "+inf" in capsys.readouterr().err
    assert main(["curve", "ridge", "risk", "gamma=0.5:2:3", "lam=opt", "--mc", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "`lam`=opt" in err[0]
    with pytest.raises(ParameterError, match="tuned risk only"):
        from asymptotics.tuning import tuned_curve

        tuned_curve(get_model("ridge"), get_model("ridge").quantity("bias"), {"gamma": 1.0})


def _toy_optimizer(name, c_star):
    """A define_model model with lam and its own optimal_lambda: R = (lam - c)^2 + c, lam* = c (exact, by hand)."""
    return A.register_model(
        name,
        doc="toy",
        params=[A.Param("lam", low=0), A.Param("c", default="2", low=0)],
        quantities={"risk": "(lam - c)^2 + c", "bias": "lam - c + 1", "optimal_lambda": "c"},
        formulas=lambda B, lam, c: {"risk": (lam - c) ** 2 + c, "bias": lam - c + 1, "optimal_lambda": c * c_star},
    )


def test_user_optimizer_tunes_and_is_not_cached_across_registrations():
    # lam* = c_star * c; the tuner calls optimal_lambda without lam (define_model fills it, the optimizer ignores it)
    try:
        _toy_optimizer("toy_opt", 1)
        q = get_model("toy_opt").quantity("bias")
        r = q.certified(lam="opt", c="3", dps=20)
        assert r.value == 1 and r.extra["lambda_star"] == 3 and r.params["lam"] == "opt"
        assert q.certified(lam="opt", c="5").value == 1  # another point: another lam*
        with pytest.raises(ParameterError, match=r"^`lam` must be a real number ≥ 0 or `opt`"):
            q.certified(lam="optimum", c="3")
        _toy_optimizer("toy_opt", 2)  # re-registered: a new optimizer, no stale lam* from the cache
        assert get_model("toy_opt").quantity("bias").certified(lam="opt", c="3", dps=20).value == 4
    finally:
        A.unregister_model("toy_opt")
