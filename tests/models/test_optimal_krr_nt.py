"""Optimal regularization of ``krr`` (finite-d and asymptotic) and ``nt`` (issue 17).

Expected values come from closed forms derived here (independently of the optimizer) and from dense
float64 scans of each model's own float64 ``risk`` curve over λ (``np.geomspace``, numpy's argmin):

* KRR with the linear kernel ``h(s) = s`` (``coef:0,1``) is isotropic ridge on ``x/√d``: the features have
  covariance ``I/d``, KRR's ridge ``λ`` is ridge's normalized ``λ/n`` on them, i.e. ``λγ`` (``γ = d/n``) on
  unit-variance features, and Dobriban & Wager's ``λ_r* = σ²γ/r²`` gives ``λ* = σ²/F₁²`` for every ``n, d``.
* Noiseless KRR with the target in the learned levels only (``F = 0,1``, ``σ² = 0``): the level-1 problem is
  isotropic and noiseless (optimal ridge 0) while the higher levels already add a positive self-induced
  ridge, so ``R`` increases in λ from 0: ``λ* = 0`` (ridgeless optimal); asymptotically
  ``max(0, ξ₁·0/F₁² − κ_{>1}) = 0``.
* The per-level ``d → ∞`` risk is recomputed in numpy from the isotropic ridge formula with ``ξ_k = 1/k!``,
  ``h(1) = e`` (kernel ``exp``).
* NT with the linear activation is ridge on ``x`` with ``γ = 1/ψ₂``, ``λ' = λ/ψ₂`` (``μ₁ = 1``, ``λ_self = 0``):
  ``λ* = ψ₂·λ'* = (τ² + F⋆²)/F₁²``.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import krr as K
from asymptotics.models import neural_tangent as NT
from asymptotics.models import ridge as R
from asymptotics.solve.optimize import minimize_penalty

LAMS = np.geomspace(1e-6, 1e4, 4001)
STEP = LAMS[1] / LAMS[0]


def _scan(values: np.ndarray, status: np.ndarray) -> tuple[float, float]:
    v = np.where(status == 0, values, np.nan)
    i = int(np.nanargmin(v))
    return float(v[i]), float(LAMS[i])


def _check_against_scan(lam_star: float, r_star: float, values: np.ndarray, status: np.ndarray) -> None:
    smin, sarg = _scan(values, status)
    assert smin >= r_star - 1e-9 * max(1.0, abs(r_star))  # the located minimum is no worse than any scanned λ
    assert abs(smin - r_star) < 1e-5 * max(1.0, abs(r_star))
    if sarg == LAMS[0]:
        assert lam_star <= LAMS[1]
    else:
        assert sarg / STEP <= lam_star <= sarg * STEP  # λ* in the scan's bracket


def _interior_minima(v: np.ndarray) -> int:
    return int(np.sum((v[1:-1] < v[:-2]) & (v[1:-1] <= v[2:])))


# ----------------------------------------------------------------------------- the optimizer
def test_global_minimum_when_the_grid_minimum_is_the_wrong_well():
    # two wells in u = log10 λ: a wide one at u = 0 (depth 0.3, on the grid) and a narrow deeper one at
    # u = 1.1 (depth 0.33, between grid points): the grid's lowest value is the wrong well
    def risk(lam):
        u = mpmath.log10(lam)
        return (
            1
            - mpmath.mpf("0.3") * mpmath.exp(-((u / mpmath.mpf("0.4")) ** 2))
            - mpmath.mpf("0.33") * mpmath.exp(-(((u - mpmath.mpf("1.1")) / mpmath.mpf("0.2")) ** 2))
        )

    state: dict = {}
    with mpmath.workdps(30):
        x = minimize_penalty(risk, state=state, what="t", allow_zero=False)
        assert state["scan"][0] == 0  # the grid's global minimum is λ = 1 (the shallower well)
        assert risk(x) < mpmath.mpf("0.6699")  # the deeper well: 1 − 0.33 − (tail of the other) ≈ 0.66984
        assert 1.05 < float(mpmath.log10(x)) < 1.15
        lo, hi = state["bracket"]
        assert (hi - lo) / lo < mpmath.mpf(10) ** -30 and abs(x - (lo + hi) / 2) < mpmath.mpf(10) ** -28


# ----------------------------------------------------------------------------- krr finite-d
def test_krr_linear_kernel_is_ridge_closed_form():
    for d, n in ((7, 20), (7, 5)):
        r = K.optimal_risk(d=d, n=n, kernel="coef:0,1", F="0,2", sigma2="0.5", dps=12)
        ref = R.optimal_risk(F(d, n), 2, F(1, 2), dps=12)
        assert abs(r.value - ref.value) < 1e-11 * ref.value
        assert abs(r.extra["lambda_star"] - mpmath.mpf("0.25")) < 1e-11


def test_krr_noiseless_target_in_learned_levels_is_ridgeless_optimal():
    kw = dict(d=10, n=50, kernel="exp", F="0,1", sigma2=0)
    assert K.optimal_lambda(**kw, dps=12).value == 0
    v, s = K.curve_values("risk", lam=LAMS, **{**kw, "n": np.full(LAMS.shape, 50.0)})
    assert (s == 0).all() and np.all(np.diff(v) >= -1e-13)  # R increases in λ
    r = K.optimal_risk(**kw, dps=12)
    assert abs(r.value - K.risk(lam=0, **kw, dps=12).value) < 1e-11
    assert K.optimal_lambda_asymptotic(alpha=2, level=1, kernel="exp", F="0,1", sigma2=0).value == 0


def test_krr_several_local_minima_the_global_one_is_found():
    # multiple descent: at d = 5, n = 142.5 the risk has two local minima in λ (≈ 0.062 and ≈ 0.30)
    kw = dict(d=5, kernel="exp", F="0.5,0,1,0,0.2", sigma2=0.3)
    v, s = K.curve_values("risk", n=np.full(LAMS.shape, 142.5), lam=LAMS, **kw)
    assert (s == 0).all() and _interior_minima(v) == 2
    r = K.optimal_risk(n="142.5", **kw, dps=10)
    _check_against_scan(float(r.extra["lambda_star"]), float(r.value), v, s)
    assert float(r.extra["lambda_star"]) > 0.2  # the deeper (right) well
    assert not r.proven


def test_krr_tuned_multiple_descent_curve_has_no_peaks():
    # tuned R(n) = min over the dense λ scan of the float64 curve: non-increasing in n at fixed d, while the
    # (near-)ridgeless curve on the same grid has interpolation peaks
    ns = np.geomspace(2, 2000, 40)
    N, L = np.meshgrid(ns, LAMS[::4], indexing="ij")
    v, s = K.curve_values("risk", d=5, n=N, kernel="exp", lam=L, F="0.5,0,1,0,0.2", sigma2=0.3)
    assert (s == 0).all()
    tuned, untuned = v.min(axis=1), v[:, 0]
    assert np.all(np.diff(tuned) < 0)
    assert _interior_minima(-untuned) >= 2  # the untuned curve has peaks
    # the certified optimum agrees with the scan's tuned value at two points of the curve
    for i in (20,):
        r = K.optimal_risk(d=5, n=F(float(ns[i])), kernel="exp", F="0.5,0,1,0,0.2", sigma2="0.3", dps=10)
        assert float(r.value) <= tuned[i] + 1e-9 and abs(float(r.value) - tuned[i]) < 1e-4


_KRR_FIXED = dict(d=6, n=40, kernel="coef:0.2,1,1", F="0,1,0.5", sigma2=0.2)


@pytest.fixture(scope="module")
def krr_tuned():
    return K.optimal_risk(**_KRR_FIXED, dps=10)


@settings(max_examples=30, deadline=None)
@given(st.floats(1e-8, 1e6))
def test_krr_tuned_risk_below_risk_at_any_lambda(krr_tuned, lam):
    v, s = K.curve_values("risk", lam=lam, **_KRR_FIXED)
    assert s == 0 and float(v) >= float(krr_tuned.value) - 1e-9


# ----------------------------------------------------------------------------- krr asymptotic
def _per_level_risk(lam, alpha, ell, F_, s2):
    """Per-level d → ∞ risk of the exp kernel (ξ_k = 1/k!, h(1) = e), independent numpy code."""
    xi = [1 / math.factorial(k) for k in range(ell + 1)]
    kgt = math.e - sum(xi)
    f_l, f_gt = (F_[ell] if ell < len(F_) else 0.0), sum(F_[ell + 1 :])
    g, le = 1 / alpha, (lam + kgt) / (alpha * xi[ell])
    kap = (le + g - 1 + np.sqrt((le + g - 1) ** 2 + 4 * le)) / 2
    return f_gt + (f_l * kap**2 + (s2 + f_gt) * g) / ((1 + kap) ** 2 - g)


@pytest.mark.parametrize(
    ("alpha", "ell", "F_", "s2"),
    [(2, 1, (0, 1, 0.5), 0.5), ("0.7", 1, (0, 1, 0.5), 0.5), (3, 2, (0, 1, 1, 0.3), 0.4), (2, 1, (0, 1), 0.1)],
)
def test_krr_asymptotic_against_independent_scan(alpha, ell, F_, s2):
    text = ",".join(str(x) for x in F_)
    lam = K.optimal_lambda_asymptotic(alpha=alpha, level=ell, kernel="exp", F=text, sigma2=s2)
    r = K.optimal_risk_asymptotic(alpha=alpha, level=ell, kernel="exp", F=text, sigma2=s2)
    lams = np.concatenate([[0.0], LAMS])
    v = _per_level_risk(lams, float(F(alpha)), ell, F_, s2)
    i = int(np.argmin(v))
    assert v[i] >= float(r.value) - 1e-12 and abs(v[i] - float(r.value)) < 1e-7
    if i == 0:
        assert lam.value == 0
    else:
        assert lams[i] / STEP <= float(lam.value) <= lams[i] * STEP
    # closed form: max(0, ξ_ℓ (σ² + F²_{>ℓ})/F_ℓ² − κ_{>ℓ})
    xi_l, kgt = 1 / math.factorial(ell), math.e - sum(1 / math.factorial(k) for k in range(ell + 1))
    assert abs(float(lam.value) - max(0.0, xi_l * (s2 + sum(F_[ell + 1 :])) / F_[ell] - kgt)) < 1e-14
    assert lam.proven and r.proven


def test_krr_asymptotic_edge_cases_and_tuned_curve_in_alpha():
    null = K.optimal_lambda_asymptotic(alpha=2, level=1, kernel="exp", F="0,0,1", sigma2=0)
    assert null.value == mpmath.inf
    assert K.optimal_risk_asymptotic(alpha=2, level=1, kernel="exp", F="0,0,1", sigma2=0).value == 1
    tuned = [
        float(K.optimal_risk_asymptotic(alpha=a, level=1, kernel="exp", F="0,1,0.5", sigma2="0.5", dps=15).value)
        for a in ("0.25", "0.5", "1", "2", "4")
    ]
    assert all(b < a for a, b in zip(tuned, tuned[1:]))
    untuned = [
        float(K.risk_asymptotic(alpha=a, level=1, kernel="exp", lam=0, F="0,1,0.5", sigma2="0.5", dps=15).value)
        for a in ("0.25", "1", "4")
    ]
    assert untuned[0] > tuned[0] and untuned[1] > tuned[2] and untuned[2] > tuned[4]
    with pytest.raises(ParameterError, match="alpha"):
        K.optimal_lambda_asymptotic(alpha=-1, level=1)


# ----------------------------------------------------------------------------- nt
@pytest.mark.parametrize(("psi2", "F1", "Fs", "tau2"), [("2", "1", "0", "0.5"), ("0.5", "2", "0.3", "1")])
def test_nt_linear_activation_is_ridge(psi2, F1, Fs, tau2):
    lam = NT.optimal_lambda(psi2, "linear", F1, Fs, tau2)
    expect = (F(tau2) + F(Fs)) / F(F1)
    assert abs(lam.value - mpmath.mpf(expect.numerator) / expect.denominator) < 1e-29 and lam.proven
    ridge_lam = R.optimal_lambda(1 / F(psi2), F1, tau2, Fs)  # λ' = λ/ψ₂
    assert abs(lam.value - F(psi2) * ridge_lam.value) < 1e-28
    r, ref = NT.optimal_risk(psi2, "linear", F1, Fs, tau2), R.optimal_risk(1 / F(psi2), F1, tau2, Fs)
    assert abs(r.value - ref.value) < 1e-28 * ref.value


@pytest.mark.parametrize(
    ("kw", "clamped"),
    [
        (dict(psi2=2.0, activation="relu", F1sq=1.0, tau2=2.0), False),  # λ* = (1/4)(2)/1 − 1/4 = 1/4
        (dict(psi2=2.0, activation="relu", F1sq=1.0, tau2=0.5), True),  # (1/4)(0.5) − 1/4 < 0
        (dict(psi2=2.0, activation="tanh", F1sq=1.0, Fstar2=0.3, tau2=0.5), False),
        (dict(psi2=2.0, activation="relu", F1sq=1.0, tau2=2.0, layers="both", psi1=1.0), False),
        (dict(psi2=0.7, activation="relu", F1sq=1.0, Fstar2=0.5, tau2=0.1, layers="both", psi1=3.0), None),
    ],
)
def test_nt_against_dense_scan(kw, clamped):
    v, s = NT.curve_values("risk", lam=LAMS, **kw)
    text = {k: (str(x) if isinstance(x, float) else x) for k, x in kw.items()}
    r = NT.optimal_risk(**text, dps=15)
    lam = float(r.extra["lambda_star"])
    _check_against_scan(lam, float(r.value), v, s)
    if clamped is not None:
        assert (lam == 0) == clamped
    if kw["activation"] == "relu" and clamped is False and "layers" not in kw:
        assert lam == 0.25


def test_nt_tuned_risk_non_increasing_in_psi2():
    for layers, extra in (("first", {}), ("both", {"psi1": "1"})):
        vals = [
            float(NT.optimal_risk(p, "relu", 1, "0.2", 1, layers=layers, dps=10, **extra).value) for p in ("0.5", "1", "2", "4")
        ]
        assert all(b < a for a, b in zip(vals, vals[1:])), (layers, vals)
    # the ridgeless (λ = 0) NTK risk is above the tuned one on the same grid
    v, _ = NT.curve_values(
        "risk", psi2=np.array([0.5, 1, 2, 4]), lam=0.0, F1sq=1.0, Fstar2=0.2, tau2=1.0, layers="both", psi1=1.0
    )
    assert np.all(v > np.array(vals) + 1e-3)


@settings(max_examples=25, deadline=None)
@given(st.floats(1e-8, 1e6))
def test_nt_tuned_risk_below_risk_at_any_lambda(lam):
    r = _nt_tuned()
    v, s = NT.curve_values("risk", psi2=0.7, lam=lam, F1sq=1.0, Fstar2=0.5, tau2=0.1, layers="both", psi1=3.0)
    assert s == 0 and float(v) >= float(r.value) - 1e-9


_NT_CACHE: dict = {}


def _nt_tuned():
    if "r" not in _NT_CACHE:
        _NT_CACHE["r"] = NT.optimal_risk("0.7", "relu", 1, "0.5", "0.1", layers="both", psi1=3, dps=10)
    return _NT_CACHE["r"]


def test_nt_edge_cases_and_contract():
    assert NT.optimal_lambda(2, "relu", 0, 1, 1).value == mpmath.inf
    assert NT.optimal_risk(2, "relu", 0, "0.5", 1).value == mpmath.mpf("0.5")
    # NTK at psi1 = inf, ReLU: 2μ₁²(τ² + F⋆²)/F₁² − μ⋆² − λ_self = (1/2)·2 − (1/4 − 1/(2π)) − 1/4 = 1/2 + 1/(2π)
    got = NT.optimal_lambda(2, "relu", 1, 0, 2, layers="both", psi1="inf")
    assert abs(got.value - (mpmath.mpf(1) / 2 + 1 / (2 * mpmath.pi))) < 1e-28
    with pytest.raises(ParameterError, match="psi2"):
        NT.optimal_lambda(-1)
    with pytest.raises(ParameterError, match="psi1"):
        NT.optimal_lambda(2, layers="both")
    with mpmath.workdps(23):
        NT.optimal_lambda(2, "relu", 1, 0, 2, dps=18)
        K.optimal_lambda_asymptotic(alpha=2, level=1, F="0,1,0.5", sigma2="0.5", dps=18)
        assert mpmath.mp.dps == 23
