"""Reviewer RA: independent attack on ``rf spectrum=`` (random features on data with a general covariance, issue 18).

Reference: the deterministic equivalent of random-feature ridge regression of Defilippis, Loureiro & Misiakiewicz
(arXiv 2405.15699, fixed point (ν₁, ν₂), Υ, χ), written here in plain mpmath in THEIR variables and mapped to our
conventions by hand (never calling or copying the code under test):
  * DLM's feature covariance = the kernel operator of σ(⟨θ, x⟩/√(dm)), x = Σ^{1/2}g: the linear part has eigenvalues
    cᵢ/d (cᵢ = μ₁²sᵢ/m, multiplicity d·wᵢ), the degree ≥ 2 part is an infinite tail of total trace μ⋆² (it adds
    μ⋆²/ν₂ to Tr Σ(Σ+ν₂)⁻¹, 0 to Tr Σ²(Σ+ν₂)⁻², μ⋆²/ν₂² to Tr Σ(Σ+ν₂)⁻², and carries the target's F⋆²);
  * our penalty (Nλ/d)‖a‖² with the 1/n loss is DLM's λ_DLM = ψ₂λ (a = ã/√N); p = ψ₁d, n = ψ₂d; ν = ν̃/d;
  * the target's coefficients on the eigenfunctions gⱼ are γ = Σ^{1/2}β (energy eᵢ = sᵢ·F1sq·bᵢ/Σb per block).
Training error: (λ_DLM/(nν₁))²(R + τ²), i.e. (ψ₁λ/κ)² with κ = ψ₁ν̃₁, and 1 − ψ₁/ψ₂ when λ = 0, ψ₁ < ψ₂.
The docs' nu1 is (κ + μ⋆²)/ψ₁ (their ν₁ excludes the tail), nu2 = ν̃.
A small numpy Monte Carlo (x = Σ^{1/2}g, θ ~ N(0, I), features σ(Θx/√(dm)), ridge (1/n)‖y − Fa‖² + (Nλ/d)‖a‖²)
checks the reference itself.
"""

from __future__ import annotations

import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models.random_features import RFParams, curve_values, solve

# ----------------------------------------------------------------------------- independent reference (DLM 2024)
_ACT = {"relu": lambda g: max(g, 0), "tanh": mp.tanh, "linear": lambda g: g, "abs": abs, "erf": mp.erf}


def _act_numbers(name):
    f = _ACT[name]
    E = lambda h: mp.quad(lambda g: h(g) * mp.npdf(g), [-mp.inf, 0, mp.inf])  # noqa: E731
    m0, m1, m2 = E(f), E(lambda g: g * f(g)), E(lambda g: f(g) ** 2)
    return m1, m2 - m0**2 - m1**2


def _blocks(text):
    return [tuple(mp.mpf(t) for t in blk.split("/")) for blk in text.split(":", 1)[1].split(",")]


def dlm(psi1, psi2, lam, spectrum, activation="relu", F1sq=1, Fstar2=0, tau2=0, dps=40):
    """All quantities at working precision ``dps`` (DLM's equations, solved by bisection in log ν̃)."""
    with mp.workdps(dps):
        psi1, psi2, lam, F1sq, Fstar2, tau2 = (mp.mpf(v) for v in (psi1, psi2, lam, F1sq, Fstar2, tau2))
        blocks = _blocks(spectrum) if isinstance(spectrum, str) else spectrum
        m1, ms2 = _act_numbers(activation)
        m = mp.fsum(s * w for s, w, _ in blocks)
        bsum = mp.fsum(b for *_, b in blocks)
        c = [m1**2 * s / m for s, _, _ in blocks]
        w = [wi for _, wi, _ in blocks]
        e = [s * F1sq * b / bsum for s, _, b in blocks]
        S1 = lambda v: mp.fsum(wi * ci / (ci + v) for wi, ci in zip(w, c))  # noqa: E731
        nu1 = lambda v: (v * (psi1 - S1(v)) - ms2) / psi1  # from p − pν₁/ν₂ = Tr Σ(Σ+ν₂)⁻¹  # noqa: E731

        def bisect(f, lo, hi):
            for _ in range(mp.mp.prec + 60):
                mid = mp.sqrt(lo * hi)
                lo, hi = (lo, mid) if f(mid) > 0 else (mid, hi)
            return (lo + hi) / 2

        tiny, big = mp.mpf(10) ** (-dps - 40), mp.mpf(10) ** 40
        v0 = bisect(nu1, tiny, big)
        if lam == 0 and psi1 < psi2:
            v, n1 = v0, mp.mpf(0)
        else:  # n − λ_DLM/ν₁ = Tr Σ(Σ+ν₂)⁻¹ (= p(1 − ν₁/ν₂))
            H = lambda v: -mp.inf if nu1(v) <= 0 else psi2 - psi2 * lam / nu1(v) - psi1 * (1 - nu1(v) / v)  # noqa: E731
            v = bisect(H, v0, big)
            n1 = nu1(v)
        S2 = mp.fsum(wi * ci / (ci + v) ** 2 for wi, ci in zip(w, c))
        S3 = mp.fsum(wi * ci**2 / (ci + v) ** 2 for wi, ci in zip(w, c))
        ups = (psi1 / psi2) * ((1 - n1 / v) ** 2 + (n1 / v) ** 2 * S3 / (psi1 - S3))
        chi = (v**2 * S2 + ms2) / (psi1 - S3)  # ν₂²χ in our scaling
        bias = mp.fsum(ei * (v**2 + chi * ci) / (ci + v) ** 2 for ei, ci in zip(e, c)) / (1 - ups)
        var = (tau2 + Fstar2) * ups / (1 - ups)
        risk = bias + var + Fstar2
        kappa = psi1 * n1
        r = psi1 * lam / kappa if kappa > 0 else 1 - psi1 / psi2
        return dict(risk=risk, bias=bias, variance=var, train_error=r**2 * (risk + tau2), nu1=(kappa + ms2) / psi1, nu2=v)


def lib(q, dps=30, **kw):
    return solve(RFParams(**kw), q, dps=dps).value


def rel(a, b):
    return abs(a - b) / abs(b) if b != 0 else abs(a)


# ----------------------------------------------------------------------------- certified values vs DLM
HARD = [
    dict(psi1=2, psi2=3, lam="0.1", spectrum="blocks:1e-3/0.5/0,1e3/0.5/1"),  # ratio 1e6, signal in the big block
    dict(psi1=2, psi2=3, lam="0.1", spectrum="blocks:1e-3/0.5/1,1e3/0.5/0"),  # all signal in the small block
    dict(psi1="1.5", psi2="1.5", lam="1e-6", spectrum="blocks:1e-3/0.3/1,1/0.4/1,1e3/0.3/1", Fstar2="0.3", tau2="0.2"),
    dict(psi1="0.5", psi2=3, lam=0, spectrum="blocks:0.01/0.5/1,10/0.5/1", Fstar2="0.3", tau2="0.2"),
    dict(psi1=3, psi2="1.5", lam=0, spectrum="blocks:0.01/0.5/1,10/0.5/1", Fstar2="0.3", tau2="0.2"),
    dict(psi1=2, psi2=3, lam="0.1", spectrum="blocks:3/0.5/1,3/0.5/1"),  # Σ = 3I (tr Σ/d ≠ 1)
    dict(psi1=2, psi2=3, lam="0.1", activation="tanh", spectrum="blocks:1e-3/0.5/1,1e3/0.5/1", tau2="0.5"),
    dict(psi1="0.8", psi2=3, lam=0, activation="linear", spectrum="blocks:0.1/0.5/1,10/0.5/1", tau2="0.5"),
    dict(psi1=2, psi2=3, lam="0.1", activation="abs", spectrum="blocks:0.1/0.5/1,10/0.5/1", tau2="0.5"),
    dict(psi1=1, psi2=1, lam="1e-30", spectrum="blocks:1e-3/0.5/1,1e3/0.5/0", Fstar2="0.3", tau2="0.2"),
    dict(psi1=3, psi2="0.5", lam="1e-25", spectrum="blocks:1e-3/0.5/1,1e3/0.5/0", Fstar2="0.3", tau2="0.2"),
    dict(psi1="1.3", psi2="2.1", lam="0.01", activation="erf", F1sq=2, spectrum="blocks:5/0.2/0,0.02/0.8/1", Fstar2="0.4"),
]


@pytest.mark.parametrize("kw", HARD, ids=range(len(HARD)))
def test_certified_matches_dlm(kw):
    ref = dlm(**kw, dps=45)
    for q in ("risk", "bias", "variance", "train_error", "nu1", "nu2"):
        assert rel(lib(q, **kw), ref[q]) < mp.mpf(10) ** -27, q


def test_power_law_is_its_block_sum():
    P = 40  # s_j = j^-α, β energy ∝ j^-β, d = p
    with mp.workdps(50):
        blocks = [(mp.mpf(j) ** mp.mpf("-1.5"), mp.mpf(1) / P, mp.mpf(j) ** mp.mpf("-0.5")) for j in range(1, P + 1)]
    ref = dlm(2, 3, "0.01", blocks, tau2="0.1")["risk"]
    assert rel(lib("risk", psi1=2, psi2=3, lam="0.01", tau2="0.1", spectrum=f"power_law:p={P},alpha=1.5,beta=0.5"), ref) < 1e-27


# ----------------------------------------------------------------------------- reductions
@pytest.mark.parametrize(
    "kw",
    [dict(psi1=2, psi2=3, lam="0.1"), dict(psi1="0.7", psi2="0.7", lam="1e-8", Fstar2="0.2", tau2="0.3"),
     dict(psi1=3, psi2="1.5", lam=0, Fstar2="0.5", tau2="0.3", activation="tanh")],
)
def test_identity_blocks_equal_plain_rf_every_digit(kw):
    for q in ("risk", "bias", "variance", "train_error"):
        a = lib(q, dps=40, **kw)
        assert lib(q, dps=40, spectrum="blocks:1/1/1", **kw) == a
        assert lib(q, dps=40, spectrum="blocks:1/0.5/1,1/0.5/1", **kw) == a


def test_many_features_is_ridge_on_x():
    """ψ₁ → ∞: ridge on x with γ = 1/ψ₂ and λ_r = (μ⋆² + ψ₂λ)m/(μ₁²ψ₂); our own ridge deterministic equivalent."""
    sp, psi2, lam, Fs, t2 = "blocks:0.01/0.5/1,10/0.5/3", 2, mp.mpf("0.1"), mp.mpf("0.3"), mp.mpf("0.2")
    with mp.workdps(40):
        m1, ms2 = _act_numbers("relu")
        bl = _blocks(sp)
        m, bsum, g = mp.fsum(s * w for s, w, _ in bl), mp.fsum(b for *_, b in bl), mp.mpf(1) / psi2
        lam_r = (ms2 + psi2 * lam) * m / (m1**2 * psi2)
        k = mp.findroot(lambda k: k * (1 - g * mp.fsum(w * s / (s + k) for s, w, _ in bl)) - lam_r, lam_r + 1)
        df2 = g * mp.fsum(w * s**2 / (s + k) ** 2 for s, w, _ in bl)
        ridge = k**2 * mp.fsum(s * b / bsum / (s + k) ** 2 for s, _, b in bl) / (1 - df2) + (Fs + t2) * df2 / (1 - df2) + Fs
    for p1, tol in (("1e8", 1e-6), ("1e20", 1e-18)):
        assert rel(lib("risk", psi1=p1, psi2=psi2, lam=lam, Fstar2=Fs, tau2=t2, spectrum=sp), ridge) < tol


# ----------------------------------------------------------------------------- float64 status 0 vs the reference
F64 = [
    (2, 3, 0.1, "relu", "blocks:1e-3/0.5/1,1e3/0.5/1"), (1.5, 1.5, 1e-6, "relu", "blocks:1e-3/0.3/1,1/0.4/1,1e3/0.3/1"),
    (0.5, 3, 0.0, "relu", "blocks:0.01/0.5/1,10/0.5/1"), (3, 1.5, 0.0, "relu", "blocks:0.01/0.5/1,10/0.5/1"),
    (1, 1, 1e-10, "relu", "blocks:1e-3/0.5/0,1/0.5/1"), (50, 0.02, 1e-4, "relu", "blocks:1e-3/0.5/1,1e3/0.5/1"),
    (1.001, 1, 0.0, "relu", "blocks:0.1/0.5/1,10/0.5/1"), (0.3, 0.3, 1e-12, "abs", "blocks:1e-3/0.5/1,1e3/0.5/0"),
    (0.5, 4, 0.0, "linear", "blocks:1e-3/0.5/1,1e3/0.5/0"), (3, 0.5, 1e-25, "relu", "blocks:1e-3/0.5/1,1e3/0.5/0"),
]


@pytest.mark.parametrize("p", F64, ids=range(len(F64)))
def test_float64_status0_six_digits(p):
    p1, p2, lam, act, sp = p
    ref = dlm(mp.mpf(p1), mp.mpf(p2), mp.mpf(lam), sp, activation=act, Fstar2=mp.mpf(0.3), tau2=mp.mpf(0.2), dps=30)
    ok = 0
    for q in ("risk", "bias", "variance", "train_error", "nu1", "nu2"):
        v, st = curve_values(q, np.array([p1]), np.array([p2]), np.array([lam]), act, 1.0, 0.3, 0.2, spectrum=sp)
        assert st[0] in (0, 3), (q, st)
        if st[0] == 0:
            ok += 1
            assert rel(mp.mpf(v[0]), ref[q]) < 1e-6, q
    assert ok >= 4


# ----------------------------------------------------------------------------- bad inputs, precision
BAD = ["blocks:", "blocks:1/1", "blocks:-1/1/1", "blocks:0/1/1", "blocks:1/0/1", "blocks:1/1/-1", "blocks:nan/1/1",
       "blocks:inf/1/1", "blocks:1/0.5/1,2/0.6/1", "blocks:2/0.3/1,5/0.5/2", "blocks:1/1/0", "foo", "blocks:1/1/1;x",
       "power_law:p=0,alpha=1,beta=0", "power_law:p=10.5,alpha=1,beta=0"]


@pytest.mark.parametrize("sp", BAD)
def test_bad_spectrum_is_parameter_error_and_keeps_precision(sp):
    with mp.workdps(17):
        with pytest.raises(ParameterError):
            solve(RFParams(psi1=2, psi2=3, lam="0.1", spectrum=sp), "risk", dps=40)
        assert mp.mp.dps == 17


def test_precision_unchanged_and_refusals():
    with mp.workdps(17):
        lib("risk", psi1=2, psi2=3, lam="0.1", spectrum="blocks:1e-3/0.5/1,1e3/0.5/1", dps=50)
        assert mp.mp.dps == 17
    with pytest.raises(ParameterError):  # chi is refused with a spectrum
        lib("chi", psi1=2, psi2=3, lam="0.1", spectrum="blocks:1/0.5/1,2/0.5/1")
    with pytest.raises(ParameterError):  # affine, λ = 0, min(ψ) ≥ 1
        lib("risk", psi1=2, psi2=3, lam=0, activation="linear", spectrum="blocks:1/0.5/1,2/0.5/1")
    assert lib("risk", psi1="0.7", psi2="0.7", lam=0, spectrum="blocks:1e-3/0.5/1,2/0.5/1") == mp.inf


def test_cli_bad_spectrum_exit2_one_line():
    r = subprocess.run([sys.executable, "-m", "asymptotics", "eval", "rf", "risk", "psi1=2", "psi2=3", "lam=0.1",
                        "spectrum=blocks:1/0.5/1,2/0.6/1"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""


def test_power_law_r2_not_silently_ignored():
    base = lib("risk", psi1=2, psi2=3, lam="0.1", spectrum="power_law:p=10,alpha=1,beta=0")
    try:
        v = lib("risk", psi1=2, psi2=3, lam="0.1", spectrum="power_law:p=10,alpha=1,beta=0,r2=7")
    except ParameterError:
        return
    assert v != base


# ----------------------------------------------------------------------------- Monte Carlo checks the reference
def _mc(psi1, psi2, lam, blocks, Fstar2, tau2, d=100, seeds=10, ntest=1000):
    s = np.concatenate([np.full(int(round(d * w)), sv) for sv, w, _ in blocks])
    m, bsum = float(np.mean(s)), sum(b for *_, b in blocks)
    N, n = int(round(psi1 * d)), int(round(psi2 * d))
    risks, trains = [], []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        beta, i0 = np.zeros(d), 0
        for _, w, b in blocks:
            k = int(round(d * w))
            g = rng.standard_normal(k)
            beta[i0:i0 + k] = g / np.linalg.norm(g) * np.sqrt(b / bsum)
            i0 += k
        u = rng.standard_normal(d)
        un = np.sqrt(u @ (s * u))
        Th = rng.standard_normal((N, d))

        def data(k):
            x = rng.standard_normal((k, d)) * np.sqrt(s)
            t = x @ u / un
            return np.maximum(x @ Th.T / np.sqrt(d * m), 0), x @ beta + np.sqrt(Fstar2) * (t**2 - 1) / np.sqrt(2)

        F, f = data(n)
        y = f + np.sqrt(tau2) * rng.standard_normal(n)
        if lam > 0:
            a = np.linalg.solve(F.T @ F / n + (N * lam / d) * np.eye(N), F.T @ y / n)
        else:
            a = np.linalg.lstsq(F, y, rcond=None)[0]
        trains.append(np.mean((y - F @ a) ** 2))
        Ft, ft = data(ntest)
        risks.append(np.mean((Ft @ a - ft) ** 2))
    return [(np.mean(z), np.std(z, ddof=1) / np.sqrt(len(z))) for z in (risks, trains)]


@pytest.mark.parametrize(
    "p", [(2, 3, 0.1, "blocks:0.1/0.5/1,10/0.5/1", 0.3, 0.2), (0.5, 2, 0.0, "blocks:0.2/0.5/1,3/0.5/2", 0.2, 0.3)]
)
def test_monte_carlo_three_se(p):
    p1, p2, lam, sp, Fs, t2 = p
    ref = dlm(p1, p2, lam, sp, Fstar2=Fs, tau2=t2, dps=20)
    (r, rs), (t, ts) = _mc(p1, p2, lam, [tuple(float(v) for v in b) for b in _blocks(sp)], Fs, t2)
    assert abs(r - float(ref["risk"])) < 3 * rs
    assert abs(t - float(ref["train_error"])) < 3 * ts
    assert abs(float(lib("risk", psi1=p1, psi2=p2, lam=lam, Fstar2=Fs, tau2=t2, spectrum=sp)) - float(ref["risk"])) < 1e-12
