"""Model ``learning_curve``: golden values from closed forms derived independently, the mapping to ridge,
hypothesis properties, the float64 path, data spectra and errors."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import learning_curve as lc
from asymptotics.models import ridge

TWO = "modes:1/1/1,0.1/10/0.5"


@pytest.fixture(autouse=True)
def _forty_digits():
    """Reference values at 40 digits (the library never changes the caller's precision)."""
    with mpmath.workdps(40):
        yield


def brute(eta: list, deg: list, b: list, n, lam, s2) -> dict:
    """Direct mpmath solve of n = Σ d η/(η+κ) + δ/κ and the eigenlearning formulas (no package code)."""
    n, lam, s2 = mpmath.mpf(n), mpmath.mpf(lam), mpmath.mpf(s2)
    eta, b = [mpmath.mpf(x) for x in eta], [mpmath.mpf(x) for x in b]

    def f(k):
        return mpmath.fsum(d * e / (e + k) for e, d in zip(eta, deg)) + lam / k - n

    k = mpmath.findroot(f, (mpmath.mpf("1e-15"), mpmath.mpf(1e6)), solver="anderson")
    L = [e / (e + k) for e in eta]
    e0 = n / (n - mpmath.fsum(d * x**2 for d, x in zip(deg, L)))
    bias = e0 * mpmath.fsum((1 - x) ** 2 * bi for x, bi in zip(L, b))
    test = bias + (e0 - 1) * s2 + s2
    return {
        "kappa": k,
        "overfitting_coefficient": e0,
        "bias": bias,
        "variance": (e0 - 1) * s2,
        "test_error": test,
        "train_error": (lam / (n * k)) ** 2 * test,
        "learnability": mpmath.fsum(x * bi for x, bi in zip(L, b)) / mpmath.fsum(b),
    }


def close(a, b, rel=1e-12) -> bool:
    return abs(mpmath.mpf(a) - mpmath.mpf(b)) <= rel * abs(mpmath.mpf(b)) + 1e-300


# ----------------------------------------------------------------------------- golden values
def test_one_mode_quadratic():
    # one mode η of degeneracy d, δ > 0: n κ² + (nη − dη − δ)κ − δη = 0 (multiply the κ equation by κ(η+κ))
    eta, d, n, delta, b, s2 = mpmath.mpf("0.5"), 30, 20, mpmath.mpf("0.3"), mpmath.mpf(2), mpmath.mpf("0.25")
    bq = n * eta - d * eta - delta
    k = (-bq + mpmath.sqrt(bq * bq + 4 * n * delta * eta)) / (2 * n)
    L = eta / (eta + k)
    e0 = n / (n - d * L * L)
    spec = f"modes:0.5/{d}/2"
    assert close(lc.kappa(n, "0.3", "0.25", spectrum=spec).value, k, 1e-25)
    assert close(lc.learnability(n, "0.3", "0.25", spectrum=spec, mode=1).value, L, 1e-25)
    assert close(lc.overfitting_coefficient(n, "0.3", "0.25", spectrum=spec).value, e0, 1e-25)
    assert close(lc.test_error(n, "0.3", "0.25", spectrum=spec).value, e0 * ((1 - L) ** 2 * b + s2), 1e-25)
    assert close(lc.mode_error(n, "0.3", "0.25", spectrum=spec, mode=1).value, e0 * (1 - L) ** 2 * b, 1e-25)


def test_one_mode_ridgeless_closed_form():
    # δ = 0, d > n: κ = η(d/n − 1), L = n/d, E0 = d/(d − n)
    d, n = 40, 10
    r = lc.test_error(n, 0, "0.5", spectrum=f"modes:2/{d}/3")
    L = mpmath.mpf(n) / d
    assert close(lc.kappa(n, 0, "0.5", spectrum=f"modes:2/{d}/3").value, 2 * (mpmath.mpf(d) / n - 1), 1e-25)
    assert close(r.value, mpmath.mpf(d) / (d - n) * ((1 - L) ** 2 * 3 + mpmath.mpf("0.5")), 1e-25)
    assert r.proven


def test_isotropic_matches_ridge_closed_form():
    # P equal eigenvalues = isotropic ridge with gamma = P/n, lam = delta/n, r2 = b; E = R + sigma2
    P, n, delta, b, s2 = 60, 40, "0.2", "1.5", "0.3"
    got = lc.test_error(n, delta, s2, spectrum=f"modes:1/{P}/{b}").value
    ref = ridge.risk(mpmath.mpf(P) / n, mpmath.mpf(delta) / n, b, s2).value + mpmath.mpf(s2)
    assert close(got, ref, 1e-25)
    k_ridge = ridge.kappa(mpmath.mpf(P) / n, mpmath.mpf(delta) / n, b, s2).value
    assert close(lc.kappa(n, delta, s2, spectrum=f"modes:1/{P}/{b}").value, k_ridge, 1e-25)


def test_two_modes_match_ridge_blocks():
    # the documented mapping: gamma = P/n, lam = delta/n, blocks (eta_i, d_i/P, b_i/eta_i); E = R + sigma2
    from fractions import Fraction as F

    sp_ = ridge.Spectrum.from_blocks(["1", "0.1"], [F(1, 11), F(10, 11)], [1, 5])
    ref = ridge.risk(F(11, 5), F(1, 500), sigma2="0.1", spectrum=sp_).value + mpmath.mpf("0.1")
    assert close(lc.test_error(5, "0.01", "0.1", spectrum=TWO).value, ref, 1e-25)


@pytest.mark.parametrize(
    "spec,eta,deg,b,n,lam,s2",
    [
        (TWO, [1, "0.1"], [1, 10], [1, "0.5"], 5, "0.01", "0.1"),
        ("modes:3/2/0.2,0.5/7/1,0.01/200/0.3", [3, "0.5", "0.01"], [2, 7, 200], ["0.2", 1, "0.3"], 50, "0", "0.2"),
    ],
)
def test_modes_against_brute_force(spec, eta, deg, b, n, lam, s2):
    with mpmath.workdps(40):
        ref = brute(eta, deg, b, n, lam, s2)
    for q, v in ref.items():
        assert close(getattr(lc, q)(n, lam, s2, spectrum=spec, dps=20).value, v, 1e-18), q
        fv, st_ = lc.curve_values(q, n, float(lam), float(s2), spectrum=spec)
        assert st_ == 0 and close(float(fv), v, 1e-9), q


def test_finite_power_law_against_brute_force():
    P = 300
    with mpmath.workdps(30):
        a, be, c = mpmath.mpf("1.5"), mpmath.mpf("1.2"), mpmath.mpf(2)
        eta = [c * mpmath.mpf(k) ** -a for k in range(1, P + 1)]
        w = [mpmath.mpf(k) ** -be for k in range(1, P + 1)]
        tot = mpmath.fsum(w)
        ref = brute(eta, [1] * P, [x / tot for x in w], 80, "0.01", "0.1")
    spec = f"power_law:alpha=1.5,beta=1.2,P={P},c=2"
    for q, v in ref.items():
        assert close(getattr(lc, q)(80, "0.01", "0.1", spectrum=spec, dps=15).value, v, 1e-13), q
    k = 3  # mode k: η_k/(η_k+κ) and the target power k^-β/Σ
    L = eta[k - 1] / (eta[k - 1] + ref["kappa"])
    assert close(lc.learnability(80, "0.01", "0.1", spectrum=spec, mode=k, dps=15).value, L, 1e-13)
    me = ref["overfitting_coefficient"] * (1 - L) ** 2 * w[k - 1] / tot
    assert close(lc.mode_error(80, "0.01", "0.1", spectrum=spec, mode=k, dps=15).value, me, 1e-13)


def test_infinite_power_law():
    # P = inf (closed-form infinite sums) against P = 1e12 (the finite closed forms: tail below 1e-10 relative)
    spec_inf, spec_fin = "power_law:alpha=2,beta=2.5", "power_law:alpha=2,beta=2.5,P=1000000000000"
    for q in ("kappa", "test_error", "train_error", "overfitting_coefficient", "learnability", "bias"):
        a = lc.__dict__[q](30, "0.001", "0.1", spectrum=spec_inf, dps=15).value
        b = lc.__dict__[q](30, "0.001", "0.1", spectrum=spec_fin, dps=15).value
        assert close(a, b, 1e-9), q
    # and against a direct float sum over 2e6 modes plus the integral of the tail of sum eta/(eta+kappa)
    k = np.arange(1, 2_000_001, dtype=float)
    eta = k**-2.0
    from scipy.optimize import brentq

    def f(x):
        return (eta / (eta + x)).sum() + 1 / (x * 2e6) + 0.001 / x - 30

    kap = brentq(f, 1e-8, 10, xtol=1e-16)
    assert math.isclose(float(lc.kappa(30, "0.001", spectrum=spec_inf, dps=15).value), kap, rel_tol=1e-7)


def test_bordelon_form():
    # kappa_B = n kappa solves kappa_B = delta + kappa_B sum d eta/(n eta + kappa_B)
    with mpmath.workdps(40):
        n, delta = mpmath.mpf(7), mpmath.mpf("0.05")
        kB = n * lc.kappa(7, "0.05", spectrum=TWO, dps=30).value
        rhs = delta + kB * (1 / (n + kB) + 10 * mpmath.mpf("0.1") / (n * mpmath.mpf("0.1") + kB))
        assert abs(kB - rhs) < mpmath.mpf(10) ** -25


def test_small_n_limit():
    # n -> 0: nothing learned, E -> sum b + sigma2, E0 -> 1
    v = lc.test_error("1e-12", "0.1", "0.3", spectrum=TWO, dps=20).value
    assert abs(v - (1 + mpmath.mpf("0.5") + mpmath.mpf("0.3"))) < 1e-9


def test_kappa_zero_edge():
    # delta = 0, n >= P = 11: kappa = 0, L = 1, E0 = n/(n-P), bias 0, train = (1 - P/n) sigma2 (least squares)
    n, s2 = 20, mpmath.mpf("0.4")
    assert lc.kappa(n, 0, "0.4", spectrum=TWO).value == 0
    assert close(lc.overfitting_coefficient(n, 0, "0.4", spectrum=TWO).value, mpmath.mpf(20) / 9, 1e-28)
    assert lc.bias(n, 0, "0.4", spectrum=TWO).value == 0
    assert close(lc.test_error(n, 0, "0.4", spectrum=TWO).value, s2 * 20 / 9, 1e-28)
    assert close(lc.train_error(n, 0, "0.4", spectrum=TWO).value, s2 * 9 / 20, 1e-28)
    assert lc.learnability(n, 0, "0.4", spectrum=TWO, mode=2).value == 1
    # n = P: the interpolation threshold
    assert lc.test_error(11, 0, "0.4", spectrum=TWO).value == mpmath.inf
    assert lc.train_error(11, 0, "0.4", spectrum=TWO).value == 0
    v, s = lc.curve_values("test_error", [11.0, 20.0], 0.0, 0.4, spectrum=TWO)
    assert s.tolist() == [1, 0] and math.isclose(v[1], 0.4 * 20 / 9, rel_tol=1e-12)


def test_proven_and_precision():
    r = lc.test_error(100, "0.01", "0.1", spectrum="power_law:alpha=1.5,beta=1.5", dps=20)
    assert r.proven and r.model == "learning_curve"
    with mpmath.workdps(17):
        lc.kappa(5, "0.1", spectrum=TWO, dps=40)
        assert mpmath.mp.dps == 17


# ----------------------------------------------------------------------------- properties
modes_st = st.lists(
    st.tuples(st.floats(0.01, 10), st.integers(1, 30), st.floats(0, 2)), min_size=1, max_size=4, unique_by=lambda t: t[0]
)


def text_of(modes) -> str:
    return "modes:" + ",".join(f"{e!r}/{d}/{b!r}" for e, d, b in modes)


@settings(max_examples=30, deadline=None)
@given(modes_st, st.floats(0.5, 200), st.floats(0.001, 5), st.floats(0, 1))
def test_properties(modes, n, lam, s2):
    spec = lc.ModeSpectrum.parse(text_of(modes))
    kap = float(lc.curve_values("kappa", n, lam, s2, spectrum=spec)[0])
    assert kap > 0
    L = [float(lc.curve_values("learnability", n, lam, s2, spectrum=spec, mode=k)[0]) for k in range(1, len(spec.eta) + 1)]
    assert all(0 < x < 1 for x in L)
    assert all(a >= b for a, b in zip(L, L[1:]))  # decreasing with the mode index (decreasing eta)
    total = sum(d * x for d, x in zip(spec.deg, L)) + lam / kap
    assert math.isclose(total, n, rel_tol=1e-9)  # the conservation law sum d_i L_i + delta/kappa = n
    e0 = float(lc.curve_values("overfitting_coefficient", n, lam, s2, spectrum=spec)[0])
    assert e0 >= 1
    L2 = float(lc.curve_values("learnability", 1.5 * n, lam, s2, spectrum=spec, mode=1)[0])
    assert L2 > L[0]  # more samples learn more
    test = float(lc.curve_values("test_error", n, lam, s2, spectrum=spec)[0])
    train = float(lc.curve_values("train_error", n, lam, s2, spectrum=spec)[0])
    assert train <= test * (1 + 1e-12)


# ----------------------------------------------------------------------------- float64 path
def test_curve_vectorized_and_statuses():
    n = np.array([-1.0, 0.0, 5.0, 50.0, np.nan])
    v, s = lc.curve_values("test_error", n, 0.01, 0.1, spectrum=TWO)
    assert s.tolist() == [2, 2, 0, 0, 2]
    assert math.isclose(v[2], float(lc.test_error(5, "0.01", "0.1", spectrum=TWO).value), rel_tol=1e-12)
    v, s = lc.curve_values("learnability", 100.0, np.array([0.0, 0.01, 1.0]), 0.0, spectrum="power_law:alpha=1.5,beta=1.5")
    assert (s == 0).all() and v[0] > v[1] > v[2]


def test_cli_examples():
    from asymptotics.cli import main

    assert main(
        ["eval", "learning_curve", "test_error", "n=100", "lam=0.01", "spectrum=power_law:alpha=1.5,beta=1.5", "sigma2=0.1"]
    ) in (0, None)
    assert main(
        [
            "curve",
            "learning_curve",
            "test_error",
            "n=1:1000:60",
            "lam=0.01",
            "spectrum=power_law:alpha=1.5,beta=1.5",
            "sigma2=0.1",
        ]
    ) in (0, None)


# ----------------------------------------------------------------------------- data spectra
def test_from_data_kernel_matrix():
    rng = np.random.default_rng(0)
    m = 6
    Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
    ev = np.array([3.0, 3.0, 1.0, 0.5, 0.5, 1e-14])
    K = (Q * ev) @ Q.T
    y = Q[:, 0] * 2 + Q[:, 2]
    spec = lc.from_data(K=K, y=y)
    assert spec.deg == (2, 1, 2)  # equal eigenvalues merged; the tiny one dropped
    assert np.allclose([float(e) for e in spec.eta], np.array([3.0, 1.0, 0.5]) / m)
    assert np.allclose([float(b) for b in spec.power], [4 / m, 1 / m, 0.0], atol=1e-12)
    df = lc.learning_curve(spec, n=[1, 2, 10], lam=0.01, sigma2=0.1)
    assert list(df.columns) == ["n", "test_error", "train_error", "kappa", "E0", "status"]
    assert (df["status"] == 0).all() and df["test_error"].is_monotonic_decreasing


def test_from_data_covariance():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 3)) * np.array([2.0, 1.0, 0.1])
    spec = lc.from_data(X=X, y=X[:, 0])
    cov = np.linalg.eigvalsh(X.T @ X / 50)[::-1]
    assert np.allclose([float(e) for e in spec.eta], cov)
    assert math.isclose(sum(float(b) for b in spec.power), float(X[:, 0] @ X[:, 0]) / 50, rel_tol=1e-10)
    assert lc.test_error(10, "0.1", spectrum=spec, dps=15).value > 0


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kw,word",
    [
        ({"n": 0}, "`n`"),
        ({"n": 5, "lam": -1}, "`lam`"),
        ({"n": 5, "sigma2": -1}, "`sigma2`"),
        ({"n": 5, "spectrum": "modes:1/0/1"}, "deg"),
        ({"n": 5, "spectrum": "modes:-1/1/1"}, "eta"),
        ({"n": 5, "spectrum": "blocks:1/1/1"}, "`spectrum`"),
        ({"n": 5, "spectrum": "power_law:alpha=1,beta=2"}, "alpha > 1"),
        ({"n": 5, "spectrum": TWO, "mode": 3}, "`mode`"),
        ({"n": 5, "spectrum": None}, "`spectrum`"),
    ],
)
def test_parameter_errors(kw, word):
    kw = {"spectrum": TWO, **kw}
    with pytest.raises(ParameterError, match=word):
        lc.test_error(**kw) if "mode" not in kw else lc.learnability(**kw)


def test_mode_error_needs_mode():
    with pytest.raises(ParameterError, match="`mode`"):
        lc.mode_error(5, spectrum=TWO)
    with pytest.raises(ParameterError, match="`mode`"):
        lc.curve_values("mode_error", 5.0, spectrum=TWO)
    with pytest.raises(ParameterError, match="`K`"):
        lc.from_data()


def test_system_equation():
    sys_ = lc.system()
    assert sys_.unknowns and "test_error" in sys_.quantities


# ----------------------------------------------------------------------------- P = inf at large n (small kappa)
def _power_sum(k, a, c, e, m, M=64):
    """Σ_{j≥1} j^{-c} u^e (1+u)^{-m}, u = k j^a: terms below M one by one, then mpmath.sumem with the tail integral
    in closed form, ∫_M^∞ = a^{-1} k^{(c-1)/a} V^b/b 2F1(m, b; b+1; -V), V = 1/(k M^a), b = m - (1-c)/a - e."""
    f = lambda x: x ** (-c) * (k * x**a) ** e * (1 + k * x**a) ** (-m)  # noqa: E731
    head = mpmath.fsum(f(mpmath.mpf(j)) for j in range(1, M))
    b = m - ((1 - c) / a + e)
    V = 1 / (k * mpmath.mpf(M) ** a)
    integral = V**b / b * mpmath.hyp2f1(m, b, b + 1, -V) * k ** ((c - 1) / a) / a
    return head + mpmath.sumem(f, [M, mpmath.inf], integral=integral)


def _reference_power_law(n, a, be):
    """δ = 0, σ² = 0, η_k = k^{-a}, b_k = k^{-be}/ζ(be): κ from n = Σ p_k, E = n/(n - Σ p_k²) Σ b_k q_k² (no package code)."""
    a, be, n = mpmath.mpf(a), mpmath.mpf(be), mpmath.mpf(n)
    lk = mpmath.findroot(lambda x: _power_sum(mpmath.exp(x), a, 0, 0, 1) - n, mpmath.log(n**-a))
    k = mpmath.exp(lk)
    e0 = n / (n - _power_sum(k, a, 0, 0, 2))
    return k, e0 * _power_sum(k, a, be, 2, 2) / mpmath.zeta(be)


@pytest.mark.parametrize(("n", "a", "be"), [("1e4", "1.5", "1.5"), pytest.param("1e7", "1.1", "3", marks=pytest.mark.slow)])
def test_infinite_power_law_large_n(n, a, be):
    # formerly a ConvergenceError (kappa below the closed-form floor 16/65536^alpha); now whole-range Euler-Maclaurin
    spec = f"power_law:alpha={a},beta={be}"
    k_ref, e_ref = _reference_power_law(n, a, be)
    r = lc.test_error(n, 0, spectrum=spec, dps=20)
    # the ball route proves above the closed-form floor 16/65536^alpha and refuses below it (the ladder estimate)
    assert r.proven == (k_ref >= 16 / mpmath.mpf(65536) ** mpmath.mpf(a))
    assert close(r.value, e_ref, 1e-19)
    assert close(lc.kappa(n, 0, spectrum=spec, dps=20).value, k_ref, 1e-19)
    v, s = lc.curve_values("test_error", [float(n)], spectrum=spec)
    assert s[0] == 0 and math.isclose(v[0], float(e_ref), rel_tol=1e-12)


def test_infinite_power_law_large_n_direct_sum():
    # float64 curve against a direct float64 sum over 1e7 modes plus the Hurwitz-zeta tails of the 1/u expansions
    from scipy.optimize import brentq
    from scipy.special import zeta as hz

    a, be, N = 2.0, 1.5, 10**7
    j = np.arange(1, N + 1, dtype=float)
    eta, b = j**-a, j**-be

    def tails(k):
        tp = sum((-1) ** r * k ** -(r + 1) * hz(a * (r + 1), N + 1) for r in range(8))
        tpp = sum((-1) ** r * (r + 1) * k ** -(r + 2) * hz(a * (r + 2), N + 1) for r in range(8))
        tb = sum((-1) ** r * (r + 1) * k**-r * hz(be + a * r, N + 1) for r in range(8))
        return tp, tpp, tb

    ns = np.array([1e3, 1e5, 1e6])
    got, status = lc.curve_values("test_error", ns, spectrum="power_law:alpha=2,beta=1.5")
    kap, st_k = lc.curve_values("kappa", ns, spectrum="power_law:alpha=2,beta=1.5")
    assert np.all(status == 0) and np.all(st_k == 0)
    for i, n in enumerate(ns):
        lk = brentq(lambda x: np.sum(eta / (eta + np.exp(x))) + tails(np.exp(x))[0] - n, np.log(2 / N**a), 0.0, xtol=1e-14)
        k = np.exp(lk)
        L, q = eta / (eta + k), k / (eta + k)
        tp, tpp, tb = tails(k)
        e = n / (n - np.sum(L * L) - tpp) * (np.sum(b * q * q) + tb) / hz(be, 1)
        assert math.isclose(kap[i], k, rel_tol=1e-10)
        assert math.isclose(got[i], e, rel_tol=1e-10)
    # the power-law rate E ~ C n^{-(beta-1)} (beta < 2 alpha): successive decades differ by about 10^{-1/2}
    assert 0.25 < got[2] / got[1] < 0.4


@pytest.mark.slow  # the identities at n = 1e6; n = 1e4 and the float64 decades run by default
def test_infinite_power_law_large_n_all_quantities():
    # every quantity and the learnability at n = 1e6: finite, the identities of the eigenlearning formulas hold
    spec = "power_law:alpha=1.5,beta=1.5"
    kw = dict(spectrum=spec, dps=15)
    t = lc.test_error(10**6, "1e-9", "0.1", **kw).value
    bias, var = lc.bias(10**6, "1e-9", "0.1", **kw).value, lc.variance(10**6, "1e-9", "0.1", **kw).value
    assert close(t, bias + var + mpmath.mpf("0.1"), 1e-14)
    L = lc.learnability(10**6, "1e-9", **kw).value
    assert 0.99 < L < 1


def test_infinite_power_law_curve_all_decades():
    # one float64 array from n = 1 to 1e7 mixes the closed-form sums and both whole-range Euler-Maclaurin starts
    # (M = 64, 256): every point ok and equal to the certified value
    spec = "power_law:alpha=1.1,beta=1.5"
    ns = np.logspace(0, 7, 29)
    v, s = lc.curve_values("test_error", ns, spectrum=spec)
    assert np.all(s == 0)
    for i in (10, 14, 20):  # n ~ 3e2 (M = 64 band for alpha = 1.1), 3e3, 1e5 (1e7: the slow case above)
        assert math.isclose(v[i], float(lc.test_error(ns[i], 0, spectrum=spec, dps=16).value), rel_tol=1e-12)
