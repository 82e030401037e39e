"""Power-law spectra summed in closed form (asymptotics/solve/spectral_sums.py): p up to 1e12 and p = ∞.

References are independent of the closed-form tails: mpmath's Hurwitz ζ and digamma for the pure power
sums, term-by-term sums over all p features (the direct path), and the p = ∞ limit with its 1/p correction
derived by hand and evaluated with mpmath.nsum.
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from asymptotics._validate import to_mpf
from asymptotics.backend import MP
from asymptotics.errors import ConvergenceError, ParameterError
from asymptotics.models import ridge as R
from asymptotics.solve.spectral_sums import PowerLawSums, power_tail


@pytest.mark.parametrize(
    ("s", "N", "P"),
    [
        (F(3, 2), 32, None),
        (F(1, 2), 32, 10**4),
        (F(1), 64, 10**12),
        (F(0), 32, 1000),
        (F(-1, 3), 32, 5000),
        (F(7, 3), 64, 100),
        (F(40), 32, None),
    ],
)
def test_pure_power_tail_against_hurwitz_zeta(s: F, N: int, P: int | None) -> None:
    with mpmath.workdps(40):
        value = power_tail(MP, s, N, P, -42 * 2.302585)
    with mpmath.workdps(60):
        if s == 1:
            ref = mpmath.digamma(P + 1) - mpmath.digamma(N + 1)
        elif s < 0:  # (mpmath.zeta is slow for s < 0 and a large second argument)
            ref = mpmath.fsum(mpmath.mpf(j) ** -s for j in range(N + 1, P + 1))
        elif s >= 20:  # (mpmath.zeta(40, 33) is off by 7e-25 relative: a steep tail is summed term by term)
            ref = mpmath.fsum(mpmath.mpf(j) ** -s for j in range(N + 1, 40 * N))
        else:
            ref = mpmath.zeta(s, N + 1) - (0 if P is None else mpmath.zeta(s, P + 1))
        assert abs(value / ref - 1) < mpmath.mpf(10) ** -38


@pytest.mark.parametrize("k", ["0.3", "0.002", "50"])
def test_closed_form_sums_against_direct_sums(k: str) -> None:
    """All five ridge sums at p = 5000 against the term-by-term sums, at 40 digits."""
    P, a, b = 5000, F(3, 2), F(1, 2)
    with mpmath.workdps(40):
        S = PowerLawSums(MP, P, a, b)
        kk = mpmath.mpf(k)
        got = (*S.slack(kk), *S.final(kk), S.energy(), S.trace())
        js = [mpmath.mpf(j) for j in range(1, P + 1)]
        s = [j ** (-mpmath.mpf(3) / 2) for j in js]
        p_ = [si / (si + kk) for si in s]
        q_ = [kk / (si + kk) for si in s]
        ref = (
            mpmath.fsum(q_) / P,
            mpmath.fsum(p_) / P,
            mpmath.fsum(x * y for x, y in zip(q_, p_, strict=True)) / P,
            mpmath.fsum(x * x for x in p_) / P,
            mpmath.fsum(j ** -mpmath.mpf("0.5") * si * qi * qi for j, si, qi in zip(js, s, q_, strict=True)),
            mpmath.fsum(j ** -mpmath.mpf("0.5") for j in js),
            mpmath.fsum(s) / P,
        )
        for x, y in zip(got, ref, strict=True):
            assert abs(x / y - 1) < mpmath.mpf(10) ** -37


def _direct(gamma: str, lam: str, spec: str, quantity: str) -> mpmath.mpf:
    """The quantity with the p features summed one by one (the path used for small p), at 40 digits."""
    pr = R.RidgeParams(gamma, lam, sigma2="0.5", spectrum=spec)
    with mpmath.workdps(40):
        s, w, b = pr.spectrum.mp_blocks()
        out, _ = R.general_equivalent(
            to_mpf(pr.gamma), to_mpf(pr.lam), mpmath.mpf("0.5"), mpmath.mpf(0), s, w, b, one_minus_g=to_mpf(1 - pr.gamma)
        )
        return out[quantity]


@pytest.mark.parametrize("p", [1000, 10000])
@pytest.mark.parametrize(("gamma", "lam"), [("2", "0.1"), ("0.5", "0.01"), ("3", "0.001")])
def test_closed_form_matches_direct_sum(p: int, gamma: str, lam: str) -> None:
    spec = f"power_law:p={p},alpha=1.5,beta=1"
    for q in ("kappa", "risk", "train_error"):
        value = R.solve(R.RidgeParams(gamma, lam, sigma2="0.5", spectrum=spec), q, dps=30).value
        ref = _direct(gamma, lam, spec, q)
        with mpmath.workdps(40):
            assert abs(value / ref - 1) < mpmath.mpf(10) ** -29, q
        val, status = R.curve_values(q, float(gamma), float(lam), sigma2=0.5, spectrum=spec)
        assert status == 0 and val == pytest.approx(float(ref), rel=1e-9), q


def _limit_parts(alpha: F, beta: F, lam: mpmath.mpf) -> tuple[mpmath.mpf, ...]:
    """C = Σ 1/(1+λj^α), D = Σ 1/(1+λj^α)², A = λ²Σ bⱼsⱼ/(sⱼ+λ)², A' = Σ bⱼ 2λsⱼ²/(sⱼ+λ)³ (bⱼ = j^-β/ζ(β))."""
    a, b = to_mpf(alpha), to_mpf(beta)
    z = mpmath.zeta(b)

    def s(j):  # noqa: ANN001, ANN202
        return j**-a

    C = mpmath.nsum(lambda j: 1 / (1 + lam * j**a), [1, mpmath.inf], method="e")
    D = mpmath.nsum(lambda j: 1 / (1 + lam * j**a) ** 2, [1, mpmath.inf], method="e")
    A = mpmath.nsum(lambda j: j**-b * s(j) * lam**2 / (s(j) + lam) ** 2, [1, mpmath.inf], method="e") / z
    dA = mpmath.nsum(lambda j: j**-b * 2 * lam * s(j) ** 2 / (s(j) + lam) ** 3, [1, mpmath.inf], method="e") / z
    return C, D, A, dA


def test_infinite_p_limit_and_its_1_over_p_correction() -> None:
    """κ → λ, 𝓥 → 0, R → A(λ) as p → ∞; R(p) = R∞ + (γ/p)[λ C A'(λ) + D (A(λ) + σ²)] + O(p^-2) (α = 5/2, β = 3)."""
    alpha, beta, gamma, lam, sigma2 = F(5, 2), F(3), 2, "0.1", "0.5"
    with mpmath.workdps(40):
        C, D, A, dA = _limit_parts(alpha, beta, mpmath.mpf(lam))
        c1 = gamma * (mpmath.mpf(lam) * C * dA + D * (A + mpmath.mpf(sigma2)))
    inf_spec = "power_law:p=inf,alpha=5/2,beta=3"
    r_inf = R.risk(gamma, lam, sigma2=sigma2, spectrum=inf_spec).value
    assert abs(R.kappa(gamma, lam, sigma2=sigma2, spectrum=inf_spec).value - mpmath.mpf(lam)) < 1e-31
    assert R.variance(gamma, lam, sigma2=sigma2, spectrum=inf_spec).value == 0
    with mpmath.workdps(40):
        assert abs(r_inf / A - 1) < mpmath.mpf(10) ** -28
    p = 10**12
    r_p = R.risk(gamma, lam, sigma2=sigma2, spectrum=f"power_law:p={p},alpha=5/2,beta=3").value
    with mpmath.workdps(40):
        assert abs(r_p - (A + c1 / p)) < mpmath.mpf(10) ** -22
        # at p = 1e3, 1e4 (direct sums at 1e3) the O(p^-2) remainder shrinks like p^-2
        rems = []
        for pp in (1000, 10000):
            spec = f"power_law:p={pp},alpha=5/2,beta=3"
            rems.append(abs(R.risk(gamma, lam, sigma2=sigma2, spectrum=spec).value - (A + c1 / pp)))
        assert rems[1] < rems[0] / 50
        assert rems[0] < 1e-4


def test_infinite_p_ridgeless_and_float64() -> None:
    spec = "power_law:p=inf,alpha=1.5,beta=2"
    # λ = 0, γ < 1: κ = 0 and 𝓥 = σ²γ/(1−γ) at every p, hence at p = ∞
    assert abs(R.risk("0.5", 0, sigma2="0.3", spectrum=spec).value - mpmath.mpf("0.3")) < 1e-31
    assert R.variance(1, 0, sigma2="0.3", spectrum=spec).value == mpmath.inf
    g, lam = np.array([2.0, 0.5, 0.5, 2.0]), np.array([0.1, 0.01, 0.0, 0.0])
    val, status = R.curve_values("risk", g, lam, sigma2=0.3, spectrum=spec)
    assert list(status) == [0, 0, 0, 2]
    for i in range(3):
        ref = R.risk(str(g[i]), str(lam[i]), sigma2="0.3", spectrum=spec).value
        assert val[i] == pytest.approx(float(ref), rel=1e-9)


@pytest.mark.parametrize("p", [10**5, 10**12])
def test_float64_closed_form_matches_certified(p: int) -> None:
    spec = f"power_law:p={p},alpha=1.5,beta=1"
    g, lam = np.array([0.5, 2.0, 5.0]), np.array([0.01, 0.1, 1.0])
    for q in ("kappa", "risk", "train_error", "variance"):
        val, status = R.curve_values(q, g, lam, sigma2=0.5, spectrum=spec)
        assert list(status) == [0, 0, 0]
        for i in range(3):
            ref = R.solve(R.RidgeParams(str(g[i]), str(lam[i]), sigma2="0.5", spectrum=spec), q, dps=20).value
            assert val[i] == pytest.approx(float(ref), rel=1e-9), (q, i)


def test_power_law_parameter_ranges() -> None:
    for kw, match in [
        (dict(p="inf", alpha=1, beta=1), "beta > 1"),
        (dict(p="inf", alpha=0, beta=2), "alpha > 0"),
        (dict(p=10**12 + 1, alpha=1, beta=2), "p"),
    ]:
        with pytest.raises(ParameterError, match=match):
            R.Spectrum.power_law(**kw)
    with pytest.raises(ParameterError, match="lam"):
        R.RidgeParams(2, 0, spectrum="power_law:p=inf,alpha=1.5,beta=2")
    big = R.Spectrum.power_law(10**7, 1, 1)
    with pytest.raises(ParameterError, match="p ≤ 1000000"):
        big.mp_blocks()
    assert R.Spectrum.parse("power_law:p=inf,alpha=2,beta=3/2").label == "power_law(p=inf, alpha=2, beta=3/2)"


def test_tiny_kappa_falls_back_to_direct_sums_below_1e6() -> None:
    """λ far below the closed-form floor: p = 2000 is summed term by term (same value as the direct path)."""
    spec = "power_law:p=2000,alpha=2,beta=1"
    value = R.solve(R.RidgeParams("3", "1e-12", sigma2="0.5", spectrum=spec), "risk", dps=30).value
    ref = _direct("3", "1e-12", spec, "risk")
    with mpmath.workdps(40):
        assert abs(value / ref - 1) < mpmath.mpf(10) ** -29
    val, status = R.curve_values("risk", np.array([3.0]), np.array([1e-12]), sigma2=0.5, spectrum=spec)
    assert status[0] == 0 and val[0] == pytest.approx(float(ref), rel=1e-9)


def _count_slack(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    slack = PowerLawSums.slack

    def counted(self, k):  # noqa: ANN001, ANN202
        calls[0] += self.B.name == "mp"  # certified evaluations only
        return slack(self, k)

    monkeypatch.setattr(PowerLawSums, "slack", counted)
    return calls


def test_p_within_the_head_cap_has_no_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """p ≤ N_cap: every term fits in the head, so κ below Y/N_cap^α is solved directly (regression:
    the bracket was clamped to that floor, ~170 Newton/bisection steps per rung, 30-100 s per call)."""
    assert PowerLawSums(MP, 10**4, F(1), F(0)).kappa_floor == 0
    assert PowerLawSums(MP, 10**5, F(1), F(0)).kappa_floor > 0
    spec = "power_law:p=10000,alpha=1,beta=0"
    calls = _count_slack(monkeypatch)
    for q in ("kappa", "risk"):
        value = R.solve(R.RidgeParams("1", "1e-8", sigma2="0.5", spectrum=spec), q, dps=30).value
        ref = _direct("1", "1e-8", spec, q)
        with mpmath.workdps(40):
            assert abs(value / ref - 1) < mpmath.mpf(10) ** -28, q
    assert calls[0] < 200  # two quantities, two rungs each (was ~670)


def test_root_below_the_floor_is_detected_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """p > 1e6 with κ below the closed-form floor: refused after a few evaluations, not ~170 per rung
    (regression: the float64 start was the collapsed bracket end, accepted though not converged)."""
    pr = R.RidgeParams("1", "1e-6", spectrum="power_law:p=2000000,alpha=1,beta=1/2")
    assert R._float64_kappa(pr) is None
    calls = _count_slack(monkeypatch)
    with pytest.raises(ConvergenceError, match="p > 1e6"):
        R.solve(pr, "risk", dps=30)
    assert calls[0] <= 4
