"""Optimal regularization (issue 17): ``optimal_lambda`` / ``optimal_risk`` of ridge with a spectrum and of rf.

Expected values come from closed forms derived independently of the optimizer and from dense
float64 scans of the (independently tested) float64 risk curves, minimized with numpy:

* one-block spectrum ``s = 1``: the isotropic closed form ``λ* = (σ² + τ²)γ/r²``;
* Dobriban & Wager (2018): when ``E ββᵀ = (r²/p) I`` (energies ``bᵢ = r² wᵢ``) ridge at
  ``λ = σ²γ/r²`` is the Bayes posterior mean for every Σ, so that is the optimum for any spectrum;
* noiseless data with ``γ < 1``: the ridgeless estimator recovers β exactly (risk 0), so ``λ* = 0``;
* Mei & Montanari (2019): the optimally tuned RF risk does not increase with the number of features.
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import random_features as RF
from asymptotics.models import ridge as R
from asymptotics.solve.optimize import minimize_penalty


def _rel(a: object, b: object) -> float:
    a, b = (mpmath.mpf(x.numerator) / x.denominator if isinstance(x, F) else mpmath.mpf(x) for x in (a, b))
    return float(abs(a - b) / max(abs(b), mpmath.mpf(10) ** -300))


# ----------------------------------------------------------------------------- ridge with a spectrum
@pytest.mark.parametrize("gamma", ["0.5", "2", "1"])
def test_one_block_spectrum_through_the_optimizer_equals_the_closed_form(gamma):
    want = (F("0.5") + F("0.25")) * F(gamma) / F(3)
    got = R.optimal_lambda(gamma, sigma2="0.5", tau2="0.25", spectrum="blocks:1/1/3", dps=30)
    assert _rel(got.value, want) < 1e-28
    assert got.proven is False
    iso = R.optimal_risk(gamma, 3, "0.5", "0.25", dps=30).value  # isotropic path: closed form, proven
    opt = R.optimal_risk(gamma, sigma2="0.5", tau2="0.25", spectrum="blocks:1/1/3", dps=30)
    assert _rel(opt.value, iso) < 1e-27
    assert _rel(opt.extra["lambda_star"], want) < 1e-28


@pytest.mark.parametrize(
    "spectrum, r2",
    [("blocks:1/0.25/0.5,5/0.75/1.5", 2), ("blocks:0.1/0.5/0.5,1/0.3/0.3,10/0.2/0.2", 1)],
)
@pytest.mark.parametrize("gamma", ["0.3", "1.7"])
def test_target_isotropic_relative_to_sigma_gives_dobriban_wager(spectrum, r2, gamma):
    want = F("0.4") * F(gamma) / r2
    got = R.optimal_lambda(gamma, sigma2="0.4", spectrum=spectrum, dps=25)
    assert _rel(got.value, want) < 1e-23


def test_power_law_with_flat_energies_gives_dobriban_wager():
    got = R.optimal_lambda("2", sigma2="0.5", spectrum="power_law:p=200,alpha=1,beta=0", dps=15)
    assert _rel(got.value, F(1)) < 1e-13


@pytest.mark.parametrize(
    "gamma, spectrum, sigma2",
    [
        ("0.5", "blocks:1/0.5/0.9,4/0.5/0.1", "0.5"),
        ("2", "blocks:0.2/0.7/0.1,3/0.3/1.4", "0.3"),
        ("1", "blocks:1/0.5/1,9/0.5/0", "1"),
    ],
)
def test_general_spectrum_matches_a_dense_float64_scan(gamma, spectrum, sigma2):
    opt = R.optimal_risk(gamma, sigma2=sigma2, spectrum=spectrum, dps=20)
    lam_star = float(opt.extra["lambda_star"])
    grid = np.exp(np.linspace(np.log(lam_star) - 0.5, np.log(lam_star) + 0.5, 4001))
    vals, status = R.curve_values("risk", float(gamma), grid, sigma2=float(sigma2), spectrum=spectrum)
    assert (status == 0).all()
    k = int(np.argmin(vals))
    assert 0 < k < len(grid) - 1
    assert abs(grid[k] / lam_star - 1) < 1e-3
    assert float(opt.value) <= vals.min() * (1 + 1e-12)
    assert abs(float(opt.value) / vals.min() - 1) < 1e-9
    # the certified risk at λ* ± 1 % is larger
    for f in (0.99, 1.01):
        assert R.risk(gamma, F(lam_star * f), sigma2=sigma2, spectrum=spectrum, dps=20).value > opt.value


def test_noiseless_underparametrized_ridgeless_is_optimal():
    spec = "blocks:1/0.5/0.1,4/0.5/0.9"
    lam = R.optimal_lambda("0.5", sigma2=0, spectrum=spec, dps=20)
    assert lam.value == 0
    assert R.optimal_risk("0.5", sigma2=0, spectrum=spec, dps=20).value == 0


def test_zero_signal_gives_the_null_estimator():
    spec = "blocks:1/0.5/0,4/0.5/0"
    assert R.optimal_lambda("2", spectrum=spec).value == mpmath.inf
    assert R.optimal_risk("2", tau2="0.5", spectrum=spec).value == F("0.5")


def test_isotropic_values_are_unchanged_and_spectrum_is_validated():
    assert R.optimal_lambda("1.5", 2, "1/3").value == mpmath.mpf(1) / 4
    assert R.optimal_lambda("1.5", 2, "1/3").proven
    with pytest.raises(ParameterError, match="r2"):
        R.optimal_lambda("1.5", 2, spectrum="blocks:1/1/1")
    with pytest.raises(ParameterError, match="spectrum"):
        R.optimal_risk("1.5", spectrum="blocks:1")


def test_callers_precision_is_kept():
    with mpmath.workdps(23):
        R.optimal_lambda("0.7", spectrum="blocks:1/0.5/0.9,4/0.5/0.1", dps=18)
        RF.optimal_lambda(2, 1, tau2="0.5", dps=18)
        assert mpmath.mp.dps == 23


def test_minimizer_on_a_closed_form_and_at_the_boundary():
    # R(λ) = (λ − 1/3)² + λ/5: interior minimizer 1/3 − 1/10 = 7/30; R(λ) = (λ + 1)²: boundary 0
    with mpmath.workdps(40):
        got = minimize_penalty(lambda x: (x - mpmath.mpf(1) / 3) ** 2 + x / 5, state={}, what="t")
        assert _rel(got, F(7, 30)) < 1e-39
        assert minimize_penalty(lambda x: (x + 1) ** 2, state={}, what="t") == 0
        st: dict = {}
        minimize_penalty(lambda x: (mpmath.log(x) - 2) ** 2, state=st, what="t", allow_zero=False)
        lo, hi = st["bracket"]
        assert (hi - lo) / lo < mpmath.mpf(10) ** -41
    with mpmath.workdps(80):
        assert lo < mpmath.e**2 < hi


# ----------------------------------------------------------------------------- random features
@pytest.mark.parametrize(
    "kw",
    [
        dict(psi1=2, psi2=1, tau2="0.5"),
        dict(psi1="0.5", psi2=1, tau2="0.5", Fstar2="0.3"),
        dict(psi1=3, psi2="1.5", activation="erf", tau2="0.2"),
    ],
)
def test_rf_matches_a_dense_float64_scan(kw):
    opt = RF.optimal_risk(**kw, dps=20)
    lam_star = float(opt.extra["lambda_star"])
    grid = np.exp(np.linspace(np.log(lam_star) - 1, np.log(lam_star) + 1, 4001))
    fkw = {k: (v if k == "activation" else float(v)) for k, v in kw.items()}
    vals, status = RF.curve_values("risk", lam=grid, **fkw)
    assert (status == 0).all()
    k = int(np.argmin(vals))
    assert 0 < k < len(grid) - 1 and abs(grid[k] / lam_star - 1) < 2e-3
    assert abs(float(opt.value) / vals.min() - 1) < 1e-9 and float(opt.value) <= vals.min() * (1 + 1e-12)
    lam = RF.optimal_lambda(**kw, dps=20)
    assert _rel(lam.value, opt.extra["lambda_star"]) < 1e-15


def test_rf_tuned_risk_does_not_increase_with_features():
    """Mei & Montanari (2019): min over λ of the RF risk is non-increasing in ψ₁ = N/d."""
    ratios = ("0.25", "0.5", "1", "2", "4")
    vals = [float(RF.optimal_risk(N_over_n=r, psi2=2, tau2="0.3", Fstar2="0.2", dps=15).value) for r in ratios]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(vals, vals[1:], strict=False))
    assert vals[-1] < vals[0]


def test_rf_nothing_to_learn_and_validation():
    r = RF.optimal_risk(psi1=1, psi2=1, F1sq=0, Fstar2="0.7")
    assert _rel(r.value, F("0.7")) < 1e-29 and r.extra["lambda_star"] == mpmath.inf
    with pytest.raises(ParameterError, match="psi2"):
        RF.optimal_lambda(psi1=1)
