"""Cheng & Montanari (2022) Theorem 1 rate of the ridge deterministic equivalent (``de_error_bound``).

Expected values are computed here from the theorem's definitions (Eqs. 7, 24, 25, 27-29 of
arXiv 2210.08571) with an independent root of the κ equation (mpmath ``findroot`` or the isotropic
quadratic), never from the code under test.  The Monte Carlo test simulates Gaussian ridge with a
two-block spectrum at n = 8, 16, 32 and checks that the observed relative deviation of the mean
bias and variance from the equivalent shrinks at least as fast as the theorem's asymptotic rate
``n^{-(1-1/k)}`` and stays below the (constant-1) bound.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.backend import MP
from asymptotics.errors import ParameterError
from asymptotics.models import _diagnostics as D
from asymptotics.models import get_model
from asymptotics.models import ridge as R

mp = mpmath.mp


def _rate(n, lam, kappa, sig1, sig_j0, d, rho, k):
    """The theorem's (ε_V, ε_B) with constants 1, from its definitions (all mpmath numbers)."""
    n, lam = mpmath.mpf(n), mpmath.mpf(lam)
    t = lam / kappa
    s = min(t, 1 - t)
    chi = 1 + sig_j0 * d * mpmath.log(d) ** 2 / (n * lam)
    core = chi**3 * mpmath.log(n) ** 2
    nk = n ** (1 - mpmath.mpf(1) / k)
    eps_v = core / (nk * s ** mpmath.mpf(9.5))
    eps_b = (kappa / sig1) ** (k + 1) / (n * s**3) + core / (mpmath.sqrt(rho) * nk * s ** mpmath.mpf(8.5))
    return eps_v, eps_b


def M(x):
    """An exact decimal/fraction as an mpmath number at the working precision."""
    f = Fraction(str(x))
    return mpmath.mpf(f.numerator) / f.denominator


def _close(x, e, digits=25):
    return abs(x - e) <= mpmath.mpf(10) ** (-digits) * abs(e)


# ---------------------------------------------------------------- golden: isotropic closed form
@pytest.mark.parametrize(
    "p,gamma,lam,k",
    [(1000, "0.5", "1", 2), (200, "2", "0.1", 2), (300, "3", "2", 3), (64, "0.25", "0.5", 5)],
)
def test_isotropic_closed_form(p, gamma, lam, k):
    r = D.de_error_bound(gamma, lam, p=p, k_order=k, dps=30)
    with mpmath.workdps(50):
        g, lm = M(gamma), M(lam)
        n = int(Fraction(p) / Fraction(gamma))
        # κ² + κ(1 − γ − λ) − λ = 0 (λ = κ(1 − γ/(1+κ)) for Σ = I), positive root
        kappa = ((lm + g - 1) + mpmath.sqrt((lm + g - 1) ** 2 + 4 * lm)) / 2
        d = max(n, p)  # Σ_{l≥k} 1 / 1 = p − k + 1 ≤ p
        sig_j0 = 1 if n // 4 <= p else 0
        rho = mpmath.mpf(1) / p  # ⟨β,(I+κ)^{-1}β⟩ / (‖β‖² p/(1+κ))
        ev, eb = _rate(n, lm, kappa, 1, sig_j0, d, rho, k)
    assert _close(r.value[0], ev) and _close(r.value[1], eb)
    assert r.proven


# ---------------------------------------------------------------- golden: blocks counted by hand
def _kappa_blocks(lam, n, levels):
    """Root of n(1 − λ/κ) = Σ m s/(s+κ) with κ > λ (mpmath findroot, bisection-safe start)."""
    f = lambda x: n * (1 - lam / x) - sum(m * s / (s + x) for s, m in levels)  # noqa: E731
    return mpmath.findroot(f, (mpmath.mpf(lam) * (1 + mpmath.mpf(10) ** -30), mpmath.mpf(lam) + 10), solver="anderson")


@pytest.mark.parametrize(
    "spec,p,gamma,eta,lam,levels,energies,d,sig_j0",
    [
        # eigenvalues 1 ×4, 1/4 ×4; n = 4: ratios k=1: (4 + 1)/1 = 5 → d = 5; σ_1 = 1
        ("blocks:1/0.5/0.7,0.25/0.5/0.3", 8, 2, "0.25", "0.1", [(1, 4), (0.25, 4)], [0.7, 0.3], 5, 1),
        # eigenvalues 1 ×1, 1/100 ×7; n = 4: k=2 gives 7·0.01/0.01 = 7 → d = 7; ⌊0.49·4⌋ = 1
        ("blocks:1/0.125/1,0.01/0.875/1", 8, 2, "0.49", "0.05", [(1, 1), (0.01, 7)], [1, 1], 7, 1),
        # same spectrum, n = 8, η = 0.3: ⌊2.4⌋ = 2 → σ_2 = 1/100; d = max(8, 7) = 8
        ("blocks:1/0.125/1,0.01/0.875/1", 8, 1, "0.3", "0.05", [(1, 1), (0.01, 7)], [1, 1], 8, 0.01),
    ],
)
def test_blocks_by_hand(spec, p, gamma, eta, lam, levels, energies, d, sig_j0):
    r = D.de_error_bound(gamma, lam, spectrum=spec, p=p, eta=eta, dps=25)
    with mpmath.workdps(50):
        lv = [(M(s), m) for s, m in levels]
        e = [M(x) for x in energies]
        lm = M(lam)
        n = p // gamma
        kappa = _kappa_blocks(lm, n, lv)
        df1 = sum(m * s / (s + kappa) for s, m in lv)
        rho = sum(ee / (s + kappa) for (s, _), ee in zip(lv, e)) / (sum(ee / s for (s, _), ee in zip(lv, e)) * df1)
        ev, eb = _rate(n, lm, kappa, 1, M(sig_j0), d, rho, 2)
    assert _close(r.value[0], ev, 20) and _close(r.value[1], eb, 20)


def test_scale_invariance_of_the_rates():
    """Σ → cΣ, λ → cλ leaves the ratio bounds unchanged (the paper normalizes ‖Σ‖ = 1)."""
    a = D.de_error_bound(2, "0.1", spectrum="blocks:1/0.5/0.7,0.25/0.5/0.3", p=40, dps=20)
    b = D.de_error_bound(2, "0.3", spectrum="blocks:3/0.5/0.7,0.75/0.5/0.3", p=40, dps=20)
    assert all(_close(x, y, 18) for x, y in zip(a.value, b.value))


def test_zero_signal_and_conditions_flags():
    r = D.de_error_bound(2, "0.1", spectrum="blocks:1/0.5/0,0.25/0.5/0", p=40, dps=15)
    # ρ (Eq. 27) is undefined at β = 0: ε_B = 0 and the bias flag is 0 (never above the variance flag)
    assert r.value[1] == 0 and r.value[3] == 0
    # at simulation sizes the side conditions fail with C = 1 (the bound is vacuous there)
    assert tuple(D.de_error_bound(2, "0.1", p=400, dps=15).value[2:]) == (0, 0)


@pytest.mark.parametrize("n,flags", [(10**40, (1, 1)), (10**4, None)])
def test_condition_logic_on_given_inputs(n, flags):
    """The side conditions evaluated on a chosen κ (not the solver's): Σ = I_10, λ = 1/2, κ = 1.

    By hand: s = min(1/2, 1/2) = 1/2; ⌊n/4⌋ > 10 so σ_{⌊ηn⌋} = 0 and χ = 1; ρ = (1/2)/(1 · 10/2) = 1/10.
    n = 1e40: log²n ≈ 8483 ≤ n s^4.5 √ρ and λ k n^{-1/2} = 1e-20 ≤ s/2: both hold.
    n = 1e4: the flags must equal the three inequalities evaluated here.
    """
    data = [(Fraction(1), 10, Fraction(1))]
    with mpmath.workdps(30):
        out = D._cm_bound(MP, "exact", data, 10, n, Fraction(1, 2), 2, Fraction(1, 4), mpmath.mpf(1))
        core = mpmath.log(n) ** 2
        s45 = mpmath.mpf(2) ** mpmath.mpf(-4.5)
        cond_v = core <= n * s45
        cond_b = cond_v and core <= n * s45 * mpmath.sqrt(mpmath.mpf(1) / 10) and mpmath.mpf(1) / mpmath.sqrt(n) <= 0.25
    assert (int(out[2]), int(out[3])) == (int(cond_v), int(cond_b))
    if n == 10**40:
        assert (int(out[2]), int(out[3])) == flags


# ---------------------------------------------------------------- properties
def test_decreasing_in_n_in_the_asymptotic_regime():
    """Proportional blocks (p = 2n, dense β): ε_V ∝ log⁸n / n^{1-1/k} decreases once log n ≳ 16 (k = 2).

    The bias rate has an extra 1/√ρ with ρ = ⟨β,(Σ+κ)^{-1}β⟩/(‖θ‖² df₁) ∝ 1/n for a dense β, so
    ε_B ∝ log⁸n / n^{1/2-1/k}: flat in n up to logs for k = 2 (checked: it grows), decreasing for k = 100.
    """
    spec = "blocks:1/0.5/0.7,0.25/0.5/0.3"
    ns = (10**9, 10**10, 10**11)
    v2 = [D.de_error_bound(2, "0.1", spectrum=spec, p=2 * n, dps=15).value for n in ns]
    v100 = [D.de_error_bound(2, "0.1", spectrum=spec, p=2 * n, k_order=100, dps=15).value for n in ns]
    for a, b in zip(v2, v2[1:]):
        assert b[0] < a[0] and b[1] > a[1]
    for a, b in zip(v100, v100[1:]):
        assert b[0] < a[0] and b[1] < a[1]


def test_not_monotone_before_the_asymptotic_regime():
    """Honest behaviour of the rate: at fixed γ the log⁸ n factor wins for n ≪ e^16 (documented in the docs)."""
    spec = "blocks:1/0.5/0.7,0.25/0.5/0.3"
    small = D.de_error_bound(2, "0.1", spectrum=spec, p=100, dps=15).value[0]
    large = D.de_error_bound(2, "0.1", spectrum=spec, p=1000, dps=15).value[0]
    assert large > small


@settings(max_examples=12, deadline=None)
@given(st.fractions(Fraction(1, 10**4), Fraction(3, 10)), st.fractions(Fraction(1, 10**4), Fraction(3, 10)))
def test_increasing_as_the_separation_vanishes(l1, l2):
    """γ = 2, Σ = I: for λ ≤ 0.3, λ/κ ≤ 1/2 and s = λ/κ → 0 as λ → 0; ε_V, ε_B increase as λ decreases."""
    if l1 == l2:
        return
    lo, hi = min(l1, l2), max(l1, l2)
    a = D.de_error_bound(2, lo, p=200, dps=15).value
    b = D.de_error_bound(2, hi, p=200, dps=15).value
    assert a[0] > b[0] and a[1] > b[1]


def test_power_law_matches_its_blocks():
    """A finite power law equals the same eigenvalues given as blocks (α = 1: s_j = 1/j, β = 0: flat energies)."""
    P = 8
    blocks = R.Spectrum.from_blocks([Fraction(1, j) for j in range(1, P + 1)], [Fraction(1, P)] * P, [Fraction(1, P)] * P)
    a = D.de_error_bound(2, "0.05", spectrum=f"power_law:p={P},alpha=1,beta=0", dps=20).value
    b = D.de_error_bound(2, "0.05", spectrum=blocks, p=P, dps=20).value
    assert all(_close(x, y, 15) for x, y in zip(a, b))


def test_precision_unchanged_and_registered():
    before = mp.prec
    D.de_error_bound(2, "0.1", p=40, dps=40)
    assert mp.prec == before
    q = get_model("ridge").quantities["de_error_bound"]
    assert "RATE ONLY" in q.doc and q.certified is D.de_error_bound
    assert "RATE ONLY" in str(D.de_error_bound(2, "0.1", p=40, dps=15).source)


@pytest.mark.parametrize(
    "kw,name",
    [
        (dict(gamma=2, lam=0, p=40), "lam"),
        (dict(gamma=3, lam=1, p=40), "gamma"),  # n = 40/3
        (dict(gamma=2, lam=1, p=40, eta="0.5"), "eta"),
        (dict(gamma=2, lam=1, p=40, k_order=0), "k_order"),
        (dict(gamma=2, lam=1, spectrum="power_law:p=inf,alpha=2,beta=2"), "spectrum"),
        (dict(gamma=2, lam=1, p=40, eta="0.01"), "eta"),  # ⌊ηn⌋ = 0
    ],
)
def test_bad_input(kw, name):
    with pytest.raises(ParameterError, match=f"`{name}`"):
        D.de_error_bound(**kw)


# ---------------------------------------------------------------- Monte Carlo: observed deviation vs the rate
S_BLK, B_BLK, LAM, GAMMA = np.array([1.0, 0.25]), np.array([0.7, 0.3]), 0.1, 2
SPEC = "blocks:1/0.5/0.7,0.25/0.5/0.3"


def _simulate(n, reps, rng):
    """Per replicate: 𝒱_X = Tr(Σ Ŝ(Ŝ+λ)^{-2})/n (τ² = 1) and the bias averaged over β's direction inside
    each eigenspace, λ² Σᵢ (bᵢ/mᵢ) Tr_i((Ŝ+λ)^{-1}Σ(Ŝ+λ)^{-1}) (Gaussian rows: same mean as any fixed β)."""
    p = GAMMA * n
    m = p // 2
    sig = np.repeat(S_BLK, m)
    X = rng.standard_normal((reps, n, p)) * np.sqrt(sig)
    S = np.einsum("rni,rnj->rij", X, X) / n
    M = np.linalg.inv(S + LAM * np.eye(p))
    MSM = (M * sig) @ M
    var = np.einsum("rij,rji->r", MSM, S) / n
    dg = np.diagonal(MSM, axis1=1, axis2=2)
    bias = LAM**2 * (B_BLK[0] / m * dg[:, :m].sum(1) + B_BLK[1] / m * dg[:, m:].sum(1))
    return var, bias


def test_monte_carlo_deviation_shrinks_at_least_at_the_rate():
    rng = np.random.default_rng(20221016)
    v_de = float(R.variance(GAMMA, LAM, None, 1, spectrum=SPEC).value)
    b_de = float(R.bias(GAMMA, LAM, None, 1, spectrum=SPEC).value)
    ns, dev_v, dev_b, ratio = [8, 16, 32], [], [], []
    for n, reps in zip(ns, [4000, 3000, 2000]):
        var, bias = _simulate(n, reps, rng)
        for dev, x, de in ((dev_v, var, v_de), (dev_b, bias, b_de)):
            se = x.std(ddof=1) / np.sqrt(reps) / de
            d = abs(x.mean() - de) / de
            assert d > 3 * se or n > 8  # a real finite-n deviation at the smallest size
            dev.append(max(d, se))
        eps = D.de_error_bound(GAMMA, LAM, spectrum=SPEC, p=GAMMA * n, dps=15).value
        ratio.append(max(dev_v[-1] / float(eps[0]), dev_b[-1] / float(eps[1])))
    k = 2
    for dev in (dev_v, dev_b):
        slope = np.polyfit(np.log(ns), np.log(dev), 1)[0]
        assert slope < -(1 - 1 / k)  # observed ~ n^-1, faster than the theorem's n^-(1-1/k) (log factors aside)
    assert max(ratio) < 1e-6  # below C·ε with C = 1 by many orders of magnitude: the rate is loose here
