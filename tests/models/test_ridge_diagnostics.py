"""Diagnostics of the ridge deterministic equivalent: effective ranks, benign terms, degrees of freedom.

Expected values are closed forms derived by hand (not by the code under test): isotropic ranks
``r_k = R_k = p − k``; two blocks counted by hand; ``r_0`` of ``λ_j = 1/j`` is the harmonic number
(mpmath's ``harmonic``), of ``λ_j = j^{−2}`` with ``p = ∞`` the Hurwitz zeta ``(k+1)² ζ(2, k+1)``.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import _diagnostics as D
from asymptotics.models import get_model
from asymptotics.models.ridge import Spectrum

TOL = mpmath.mpf(10) ** -28


def close(x, e) -> bool:
    return abs(x - e) <= TOL * abs(e)


def test_isotropic_ranks_are_p_minus_k():
    for p, k in [(10, 0), (10, 3), (7, 6), (10**9, 12345)]:
        assert D.effective_rank_r(k, p=p).value == p - k
        assert D.effective_rank_R(k, p=p).value == p - k


def test_two_blocks_by_hand():
    # p = 4: eigenvalues 10, 10, 1, 1
    spec = "blocks:1/0.5/1,10/0.5/0"
    r = [D.effective_rank_r(k, spectrum=spec, p=4) for k in range(4)]
    R = [D.effective_rank_R(k, spectrum=spec, p=4) for k in range(4)]
    with mpmath.workdps(40):
        assert all(close(x.value, e) for x, e in zip(r, [mpmath.mpf(22) / 10, mpmath.mpf(12) / 10, 2, 1], strict=True))
        assert all(close(x.value, e) for x, e in zip(R, [mpmath.mpf(484) / 202, mpmath.mpf(144) / 102, 2, 1], strict=True))
    assert all(x.proven for x in r + R)


def test_power_law_r0_is_a_partial_zeta_sum():
    with mpmath.workdps(40):
        h = mpmath.harmonic(1000)
        assert close(D.effective_rank_r(0, spectrum="power_law:p=1000,alpha=1,beta=0").value, h)
        # λ_j = j^{-2}, p = ∞: r_k = (k+1)^2 ζ(2, k+1), R_k = ζ(2, k+1)^2 / ζ(4, k+1)
        for k in (0, 5, 200):
            rk = D.effective_rank_r(k, spectrum="power_law:p=inf,alpha=2,beta=2")
            Rk = D.effective_rank_R(k, spectrum="power_law:p=inf,alpha=2,beta=2")
            assert close(rk.value, (k + 1) ** 2 * mpmath.zeta(2, k + 1))
            assert close(Rk.value, mpmath.zeta(2, k + 1) ** 2 / mpmath.zeta(4, k + 1))
            assert rk.proven and Rk.proven
        # a large finite p takes the Euler–Maclaurin tail: compare with the zeta difference
        big = D.effective_rank_r(3, spectrum="power_law:p=1000000000,alpha=1.5,beta=2")
        a = mpmath.mpf(3) / 2
        assert close(big.value, 4**a * (mpmath.zeta(a, 4) - mpmath.zeta(a, 10**9 + 1)))
    assert D.effective_rank_r(2, spectrum="power_law:p=inf,alpha=1,beta=2").value == mpmath.inf


def test_benign_by_hand():
    # blocks 10 (50 features) and 1 (50 features), n = 50: r_0 = 50 + 50/10 = 55 >= 50, so k* = 0,
    # R_0 = 550^2/(50*100 + 50) and n/R_0 = 50*5050/302500
    res = D.benign(2, spectrum="blocks:1/0.5/1,10/0.5/0", p=100)
    with mpmath.workdps(40):
        assert res.value[0] == 0 and close(res.value[1], mpmath.mpf(50) * 5050 / 302500)
    # b = 2: r_0 = 55 < 100, r_50 = 50 < 100: no k*, the bound is void
    assert tuple(D.benign(2, b=2, spectrum="blocks:1/0.5/1,10/0.5/0", p=100).value) == (mpmath.inf, mpmath.inf)
    # a spike 100 (1 feature) on a flat bulk 1 (999 features), n = 10: r_0 = 1 + 999/100 >= 10 -> k* = 0
    res = D.benign(100, spectrum="blocks:100/1/1,1/999/0".replace("/1/1", "/0.001/1").replace("/999/", "/0.999/"), p=1000)
    with mpmath.workdps(40):
        assert res.value[0] == 0 and close(res.value[1], mpmath.mpf(10) * (10000 + 999) / 1099**2)
    # b = 2 (b n = 20): r_0 = 10.99 < 20, r_1 = 999 -> k* = 1, n/R_1 = 10/999
    res = D.benign(100, b=2, spectrum="blocks:100/0.001/1,1/0.999/0", p=1000)
    with mpmath.workdps(40):
        assert close(res.value[0], mpmath.mpf(1) / 10) and close(res.value[1], mpmath.mpf(10) / 999)
    # power law 1/j, p = 200, gamma = 100/3 (n = 6): r_0 = H_200 = 5.878 < 6 <= r_1 = 2 (H_200 − 1): k* = 1
    res = D.benign("100/3", spectrum="power_law:p=200,alpha=1,beta=0", dps=20)
    with mpmath.workdps(30):
        t1 = mpmath.harmonic(200) - 1
        t2 = mpmath.zeta(2) - 1 - mpmath.zeta(2, 201)
        assert mpmath.harmonic(200) < 6 <= 2 * t1
        assert abs(res.value[0] * 6 - 1) < 1e-18 and abs(res.value[1] - 6 * t2 / t1**2) < 1e-18


def test_degrees_of_freedom_isotropic_and_kappa_identity():
    # Σ = I: df1/n = γ/(1+κ), df2/n = γ/(1+κ)^2 with κ = [c + sqrt(c^2 + 4λ)]/2, c = λ + γ − 1
    with mpmath.workdps(40):
        g, lam = mpmath.mpf(2), mpmath.mpf("0.1")
        c = lam + g - 1
        k = (c + mpmath.sqrt(c * c + 4 * lam)) / 2
        d1, d2 = D.degrees_of_freedom(2, "0.1").value
        assert close(d1, g / (1 + k)) and close(d2, g / (1 + k) ** 2)
    # general spectrum: 1 − df1/n = λ/κ at the root (κ from the ridge kappa quantity)
    spec = "blocks:1/0.5/1,10/0.5/0"
    kap = get_model("ridge").quantities["kappa"].certified(gamma=2, lam="0.01", spectrum=spec)
    d1, d2 = D.degrees_of_freedom(2, "0.01", spectrum=spec).value
    with mpmath.workdps(40):
        assert abs(1 - d1 - mpmath.mpf("0.01") / kap.value) < 1e-27
    assert 0 < d2 < d1 < 1
    assert tuple(D.degrees_of_freedom("0.5", 0).value) == (mpmath.mpf("0.5"), mpmath.mpf("0.5"))


@settings(max_examples=25, deadline=None)
@given(
    s=st.lists(st.fractions(min_value=Fraction(1, 100), max_value=100), min_size=1, max_size=4, unique=True),
    m=st.lists(st.integers(1, 6), min_size=4, max_size=4),
    kf=st.floats(0, 0.999),
)
def test_lemma5_r_le_R_le_r_squared(s, m, kf):
    p = sum(m[: len(s)])
    spec = Spectrum.from_blocks(s, [Fraction(mi, p) for mi in m[: len(s)]], [1] * len(s))
    k = int(kf * p)
    r = D.effective_rank_r(k, spectrum=spec, p=p, dps=15).value
    R = D.effective_rank_R(k, spectrum=spec, p=p, dps=15).value
    assert r * (1 - mpmath.mpf(10) ** -14) <= R <= r * r * (1 + mpmath.mpf(10) ** -14)


@settings(max_examples=15, deadline=None)
@given(lam1=st.fractions(min_value=Fraction(1, 1000), max_value=10), dl=st.fractions(min_value=Fraction(1, 100), max_value=10))
def test_degrees_of_freedom_decrease_in_lam(lam1, dl):
    spec = "blocks:1/0.25/1,3/0.75/1"
    a = D.degrees_of_freedom("1.5", lam1, spectrum=spec, dps=15).value
    b = D.degrees_of_freedom("1.5", lam1 + dl, spectrum=spec, dps=15).value
    assert b[0] < a[0] and b[1] < a[1]


def test_bad_input_names_the_parameter():
    with pytest.raises(ParameterError, match="`p`"):
        D.effective_rank_r(0)
    with pytest.raises(ParameterError, match="`k`"):
        D.effective_rank_r(10, p=10)
    with pytest.raises(ParameterError, match="`p`"):
        D.effective_rank_r(0, spectrum="blocks:1/0.5/1,10/0.5/0", p=3)  # 1.5 features per block
    with pytest.raises(ParameterError, match="`p`"):
        D.effective_rank_r(0, spectrum="power_law:p=10,alpha=1,beta=0", p=11)
    with pytest.raises(ParameterError, match="`b`"):
        D.benign(1, b=0, p=10)


def test_caller_precision_unchanged():
    mpmath.mp.dps = 15
    D.effective_rank_r(0, spectrum="power_law:p=inf,alpha=2,beta=2", dps=40)
    D.benign(40, spectrum="power_law:p=200,alpha=1,beta=0", dps=20)
    assert mpmath.mp.dps == 15
