"""Reviewer R3 (issue 17): independent checks of optimal_lambda/optimal_risk with a spectrum and the ridge diagnostics.

Expected values come from closed forms (Dobriban–Wager λ* = σ²γ/r² when bᵢ = r² wᵢ; exact effective ranks
of explicit eigenvalue lists) or from R3's own mpmath implementation (bisection for κ, golden section in log λ
on the deterministic-equivalent risk of docs/models/ridge.md), never from the code under test.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import _diagnostics as D
from asymptotics.models import ridge as R


def _close(x: object, y: float, rel: float = 1e-13) -> bool:
    return abs(mpmath.mpf(x) - mpmath.mpf(y)) <= rel * abs(mpmath.mpf(y))


@pytest.mark.parametrize(
    ("gamma", "sigma2", "expected"),
    [("0.5", "1e-10", 2.5e-11), ("0.5", "1e-20", 2.5e-21), ("1.000001", "0.01", 0.005000005), ("4", "1e10", 2e10)],
)
def test_dobriban_wager_golden_at_hard_points(gamma: str, sigma2: str, expected: float) -> None:
    # b_i = r^2 w_i (r^2 = 2): lam* = sigma2 * gamma / r2 for any Sigma; tiny noise, gamma near 1, huge lam*
    v = R.optimal_lambda(gamma, sigma2=sigma2, spectrum="blocks:1/0.25/0.5,5/0.75/1.5", dps=15).value
    assert _close(v, expected, 1e-12)


def test_optimal_lambda_matches_independent_optimizer() -> None:
    # R3's own bisection + golden-section values (50 digits)
    v = R.optimal_lambda("0.5", sigma2="0.5", spectrum="blocks:1/0.5/0.9,4/0.5/0.1", dps=15)
    assert _close(v.value, 0.19488872465847303)
    r = R.optimal_risk("0.5", sigma2="0.5", spectrum="blocks:1/0.5/0.9,4/0.5/0.1", dps=15)
    assert _close(r.value, 0.36425282560992167)
    v = R.optimal_lambda(2, sigma2="0.25", spectrum="blocks:1/0.5/1,10/0.5/0", dps=15)
    assert _close(v.value, 86.36565189937918)


def test_noiseless_gamma_below_one_is_ridgeless() -> None:
    assert R.optimal_lambda("0.5", sigma2=0, spectrum="blocks:1/0.5/0.9,4/0.5/0.1", dps=15).value == 0


def test_effective_ranks_exact() -> None:
    # eigenvalues (4,4,4,4,4,1,1,1,1,1): r_0 = 25/4, R_0 = 625/85; k=7: three ones left
    assert D.effective_rank_r(0, spectrum="blocks:1/0.5/1,4/0.5/0", p=10).value == Fraction(25, 4)
    assert _close(D.effective_rank_R(0, spectrum="blocks:1/0.5/1,4/0.5/0", p=10).value, 625 / 85, 1e-25)
    assert D.effective_rank_r(7, spectrum="blocks:1/0.5/1,4/0.5/0", p=10).value == 3
    # unsorted blocks: (2,2,2,2,2,2,1,1,1,1,1,1,.5 x8): r_0 = 22/2, R_0 = 22^2/32
    assert D.effective_rank_r(0, spectrum="blocks:0.5/0.4/0,2/0.3/1,1/0.3/0", p=20).value == 11
    assert _close(D.effective_rank_R(0, spectrum="blocks:0.5/0.4/0,2/0.3/1,1/0.3/0", p=20).value, 15.125, 1e-25)


def test_effective_rank_power_law_infinite() -> None:
    r = D.effective_rank_r(5, spectrum="power_law:p=inf,alpha=2,beta=2", dps=20).value
    assert _close(r, 36 * mpmath.zeta(2, 6), 1e-18)
    big_r = D.effective_rank_R(5, spectrum="power_law:p=inf,alpha=2,beta=2", dps=20).value
    assert _close(big_r, mpmath.zeta(2, 6) ** 2 / mpmath.zeta(4, 6), 1e-18)


def test_benign_exact() -> None:
    # p = 100, n = 50: r_0 = 250/4 >= 50, k* = 0, n/R_0 = 50 * 850 / 250^2 = 0.68
    x, y = D.benign(2, 1, spectrum="blocks:1/0.5/1,4/0.5/0", p=100).value
    assert x == 0 and _close(y, 0.68, 1e-25)
    assert D.benign(1, "1e9", spectrum="blocks:1/1/1", p=10).value == (mpmath.inf, mpmath.inf)


def test_degrees_of_freedom_closed_form() -> None:
    # gamma = 2, lam = 0: kappa0 = 2 solves 1/(1+k) + 4/(4+k) = 1; df2/n = 1/9 + 16/36
    df1, df2 = D.degrees_of_freedom(2, 0, spectrum="blocks:1/0.5/1,4/0.5/0", dps=20).value
    assert _close(df1, 1, 1e-18) and _close(df2, mpmath.mpf(5) / 9, 1e-18)


@pytest.mark.parametrize(
    "call",
    [
        lambda: D.effective_rank_r(10, spectrum="blocks:1/0.5/1,4/0.5/0", p=10),
        lambda: D.effective_rank_r(1, spectrum="blocks:1/0.3/1,4/0.7/0", p=5),
        lambda: D.effective_rank_r(1, spectrum="blocks:1/0.5/1,4/0.5/0"),
        lambda: D.benign("0", 1, spectrum="blocks:1/0.5/1,4/0.5/0", p=10),
        lambda: R.optimal_lambda(-1, spectrum="blocks:1/1/1"),
    ],
)
def test_bad_input_is_parameter_error(call: object) -> None:
    with pytest.raises(ParameterError):
        call()  # type: ignore[operator]
