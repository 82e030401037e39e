"""Independent attack on ``committee`` (reviewer RA): online SGD in soft committee machines (Saad & Solla 1995).

Nothing here calls the code under test to build an expected value.  The reference is the reviewer's own
implementation, written from the maths (not from ``asymptotics/models/committee.py``):
  * local fields u = (lambda, nu) Gaussian with covariance C = [[Q, R], [R^T, I]];
  * g(x) = erf(x/sqrt 2): I2 = (2/pi) asin(C_ab / sqrt((1+C_aa)(1+C_bb))), I3, I4 (Saad & Solla's arcsine
    forms) and J2 = E g'g' = (2/pi) det(I + C_ab-block)^(-1/2) (a Gaussian integral of exp(-u^2/2) terms);
    the closed forms are checked below against a seeded Monte-Carlo average;
  * dR_in/dt = lr E[delta_i nu_n], dQ_ik/dt = lr E[delta_i lambda_k + delta_k lambda_i] + lr^2 E[delta_i delta_k]
    with delta_i = g'(lambda_i)(y - f) (step lr/sqrt d on w, t = steps/d, |x|^2/d -> 1);
  * vectorized over all index tuples (numpy einsum), integrated by scipy DOP853 at rtol 1e-12, Q symmetrized;
  * a high-precision K = M = 1 reference by mpmath.odefun (Taylor) at 26 digits, and the K = M = 1 linear
    closed form eg(t) = eg_inf + (eg0 - eg_inf) exp(-(2 lr - lr^2) t), eg_inf = lr noise / (2 (2 - lr));
  * a small online-SGD simulation at d = 1000 (16 replicates).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import erf

from asymptotics.cli import main as cli_main
from asymptotics.errors import ParameterError
from asymptotics.models import committee as cm

PI = np.pi


# ----------------------------------------------------------------------------- reviewer's reference (numpy)
def _cov(R, Q):
    K, M = R.shape
    C = np.zeros((K + M, K + M))
    C[:K, :K] = Q
    C[:K, K:] = R
    C[K:, :K] = R.T
    C[K:, K:] = np.eye(M)
    return C


def _I2(C):
    d = 1 + np.diag(C)
    return 2 / PI * np.arcsin(C / np.sqrt(np.outer(d, d)))


def _I3(C):
    """I3[a, b, c] = E g'(u_a) u_b g(u_c)."""
    d = 1 + np.diag(C)
    A = d[:, None, None]
    lam3 = (d[:, None] * d[None, :] - C**2)[:, None, :]
    num = C[None, :, :] * A - C[:, :, None] * C[:, None, :]
    return 2 / PI * num / (A * np.sqrt(lam3))


def _I4(C, K):
    """I4[a, b, c, e] = E g'(u_a) g'(u_b) g(u_c) g(u_e), a, b < K."""
    d = 1 + np.diag(C)
    n = len(d)
    a = np.arange(K)[:, None, None, None]
    b = np.arange(K)[None, :, None, None]
    c = np.arange(n)[None, None, :, None]
    e = np.arange(n)[None, None, None, :]
    Caa, Cbb, Ccc, Cee = d[a], d[b], d[c], d[e]
    Cab, Cac, Cae, Cbc, Cbe, Cce = C[a, b], C[a, c], C[a, e], C[b, c], C[b, e], C[c, e]
    L4 = Caa * Cbb - Cab**2
    L0 = L4 * Cce - Cbc * Cbe * Caa - Cac * Cae * Cbb + Cab * Cac * Cbe + Cab * Cae * Cbc
    L1 = L4 * Ccc - Cbc**2 * Caa - Cac**2 * Cbb + 2 * Cab * Cac * Cbc
    L2 = L4 * Cee - Cbe**2 * Caa - Cae**2 * Cbb + 2 * Cab * Cae * Cbe
    return 4 / PI**2 / np.sqrt(L4) * np.arcsin(L0 / np.sqrt(L1 * L2))


def _J2(C, K):
    d = 1 + np.diag(C)[:K]
    return 2 / PI / np.sqrt(np.outer(d, d) - C[:K, :K] ** 2)


def _rhs(R, Q, lr, noise, act):
    K, M = R.shape
    C = _cov(R, Q)
    s = np.r_[-np.ones(K), np.ones(M)]
    if act == "erf":
        D = np.einsum("abc,c->ab", _I3(C), s)
        DD = np.einsum("abce,c,e->ab", _I4(C, K), s, s) + noise * _J2(C, K)
    else:
        D = np.tile((C @ s)[None, :], (K + M, 1))
        DD = np.full((K, K), s @ C @ s + noise)
    return lr * D[:K, K:], lr * (D[:K, :K] + D[:K, :K].T) + lr**2 * DD


def _eg(R, Q, act="erf"):
    K, M = R.shape
    C = _cov(R, Q)
    s = np.r_[-np.ones(K), np.ones(M)]
    return 0.5 * s @ (_I2(C) if act == "erf" else C) @ s


def _spec(R):
    M = R.shape[1]
    return M / (M - 1) * (R.max(axis=1).mean() - R.mean())


def _f(K, M, lr, noise, act):
    def f(_t, y):
        Q = y[K * M :].reshape(K, K)
        dR, dQ = _rhs(y[: K * M].reshape(K, M), (Q + Q.T) / 2, lr, noise, act)
        return np.r_[dR.ravel(), dQ.ravel()]

    return f


def _y0(K, M, r0, q0):
    R = np.zeros((K, M))
    for i in range(min(K, M)):
        R[i, i] = r0
    return np.r_[R.ravel(), (q0 * np.eye(K)).ravel()]


def ref_solve(K, M, T, lr, noise, r0, q0, act="erf"):
    T = np.asarray(T, float)
    sol = solve_ivp(_f(K, M, lr, noise, act), (0, T.max()), _y0(K, M, r0, q0), method="DOP853", t_eval=T, rtol=1e-12, atol=1e-15)
    assert sol.status == 0
    out = []
    for j in range(T.size):
        y = sol.y[:, j]
        Q = y[K * M :].reshape(K, K)
        out.append((y[: K * M].reshape(K, M), (Q + Q.T) / 2))
    return out


def ref_escape(K, M, lr, noise=0.0, r0=1e-3, q0=0.25, tmax=5000.0):
    def ev(_t, y):
        return _spec(y[: K * M].reshape(K, M)) - 0.5

    ev.terminal, ev.direction = True, 1
    sol = solve_ivp(_f(K, M, lr, noise, "erf"), (0, tmax), _y0(K, M, r0, q0), method="DOP853", rtol=1e-12, atol=1e-15, events=ev)
    return sol.t_events[0][0] if len(sol.t_events[0]) else math.inf


# ----------------------------------------------------------------------------- the reference's own integrals
def test_reference_closed_forms_against_monte_carlo():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(4, 4))
    C = A @ A.T / 4 + 0.2 * np.eye(4)
    u = np.linalg.cholesky(C) @ rng.normal(size=(4, 400_000))
    g = erf(u / np.sqrt(2))
    gp = np.sqrt(2 / PI) * np.exp(-(u**2) / 2)
    checks = [
        (_I2(C)[0, 1], g[0] * g[1]),
        (_I3(C)[0, 1, 2], gp[0] * u[1] * g[2]),
        (_I3(C)[0, 0, 2], gp[0] * u[0] * g[2]),
        (_I4(C, 2)[0, 1, 2, 3], gp[0] * gp[1] * g[2] * g[3]),
        (_I4(C, 2)[0, 0, 0, 3], gp[0] ** 2 * g[0] * g[3]),
        (_J2(C, 2)[0, 1], gp[0] * gp[1]),
    ]
    for exact, samples in checks:
        se = samples.std() / math.sqrt(samples.size)
        assert abs(exact - samples.mean()) < 5 * se + 1e-12


# ----------------------------------------------------------------------------- float64 curves vs the reference
POINTS = [
    dict(K=2, M=2, lr=0.5, noise=0.0, r0=1e-3, q0=0.25, act="erf"),
    dict(K=1, M=1, lr=1.0, noise=0.1, r0=0.2, q0=0.5, act="erf"),
    dict(K=3, M=2, lr=0.7, noise=0.05, r0=0.1, q0=0.3, act="erf"),
    dict(K=2, M=4, lr=1.3, noise=0.0, r0=0.05, q0=0.1, act="erf"),
    dict(K=4, M=3, lr=0.2, noise=0.3, r0=0.3, q0=1.0, act="erf"),
    dict(K=2, M=2, lr=5.0, noise=0.0, r0=0.1, q0=0.25, act="erf"),
    dict(K=2, M=3, lr=0.9, noise=0.2, r0=0.1, q0=0.4, act="linear"),
    dict(K=1, M=1, lr=1.9, noise=0.1, r0=0.0, q0=0.5, act="linear"),
    dict(K=2, M=2, lr=1.5, noise=0.0, r0=0.1, q0=0.25, act="linear"),  # beyond lr = 2/K: diverges, values exact
]


@pytest.mark.parametrize("p", POINTS, ids=lambda p: f"K{p['K']}M{p['M']}{p['act']}lr{p['lr']}")
def test_curve_matches_reference(p):
    T = np.array([0.0, 0.5, 2.0, 7.0, 20.0])
    out = ref_solve(p["K"], p["M"], T, p["lr"], p["noise"], p["r0"], p["q0"], p["act"])
    args = (p["K"], p["M"], p["act"], p["lr"], p["noise"], T, p["r0"], p["q0"])
    v, st = cm.curve_values("eg", *args)
    ref = np.array([_eg(R, Q, p["act"]) for R, Q in out])
    ok = st == 0
    assert ok[:4].all()
    np.testing.assert_allclose(v[ok], ref[ok], rtol=1e-6)
    if p["K"] == 3 or p["act"] == "linear":
        v, st = cm.curve_values("Q", *args)
        np.testing.assert_allclose(v[st == 0], np.array([np.mean(np.diag(Q)) for _, Q in out])[st == 0], rtol=1e-6)
    if (p["K"], p["M"], p["lr"]) in ((2, 2, 0.5), (3, 2, 0.7), (2, 4, 1.3)):
        v, st = cm.curve_values("R", *args, i=2, n=1)
        np.testing.assert_allclose(v[st == 0], np.array([R[1, 0] for R, _ in out])[st == 0], rtol=1e-6, atol=1e-12)
        v, st = cm.curve_values("Q", *args, i=1, k=2)
        np.testing.assert_allclose(v[st == 0], np.array([Q[0, 1] for _, Q in out])[st == 0], rtol=1e-6, atol=1e-12)
        v, st = cm.curve_values("specialization", *args)
        np.testing.assert_allclose(v[st == 0], np.array([_spec(R) for R, _ in out])[st == 0], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(
    "K,M,lr,r0,expected_doc",
    [(2, 2, 0.5, 1e-3, 238), (2, 2, 1.0, 1e-3, 120), (2, 2, 1.9, 1e-3, None)],
)
def test_escape_time_matches_reference_and_docs(K, M, lr, r0, expected_doc):
    ref = ref_escape(K, M, lr, r0=r0)
    v, st = cm.curve_values("plateau", K, M, "erf", lr, 0.0, 0.0, r0, 0.25)
    assert st == 0 and abs(v - ref) < 1e-6 * ref
    if expected_doc is not None:  # docs/models/committee.md: escape t ~ 238 (lr 1/2), ~ 120 (lr 1)
        assert round(ref) == expected_doc


def test_module_docstring_escape_time():
    assert "t ≈ 70" not in (cm.__doc__ or "")


def test_plateau_heights_in_docs():
    # docs: plateau near 0.015 (lr 1/2) and 0.021 (lr 1) for K = M = 2, defaults
    for lr, h in ((0.5, 0.015), (1.0, 0.021)):
        ((R, Q),) = ref_solve(2, 2, [40.0], lr, 0.0, 1e-3, 0.25)
        assert abs(_eg(R, Q) - h) < 5e-4


@pytest.mark.parametrize("K", [2, 3, 4])
def test_symmetric_fixed_point(K):
    """q = 1/(2K-1), r = 1/sqrt(K(2K-1)) zeroes the O(lr) drift; eg* = K/6 - (K^2/pi) asin(1/(2K))."""
    q, r = 1 / (2 * K - 1), 1 / math.sqrt(K * (2 * K - 1))
    R = np.full((K, K), r)
    Q = np.full((K, K), q)
    lr = 1e-4
    dR, dQ = _rhs(R, Q, lr, 0.0, "erf")
    assert np.abs(dR).max() < 1e-12 and np.abs(dQ).max() < 10 * lr**2
    assert abs(_eg(R, Q) - (K / 6 - K**2 / PI * math.asin(1 / (2 * K)))) < 1e-14
    if K == 2:
        assert abs(_eg(R, Q) - 0.01161) < 1e-5
    # perfect specialization R = Q = I is a fixed point at any lr
    dR, dQ = _rhs(np.eye(K), np.eye(K), 1.3, 0.0, "erf")
    assert np.abs(dR).max() < 1e-14 and np.abs(dQ).max() < 1e-14


def test_linear_k1_closed_form_curve():
    lr, noise, r0, q0 = 0.7, 0.1, 0.2, 0.5
    T = np.linspace(0, 10, 6)
    einf = lr * noise / (2 * (2 - lr))
    ref = einf + ((q0 - 2 * r0 + 1) / 2 - einf) * np.exp(-(2 * lr - lr**2) * T)
    v, st = cm.curve_values("eg", 1, 1, "linear", lr, noise, T, r0, q0)
    assert (st == 0).all()
    np.testing.assert_allclose(v, ref, rtol=1e-9)
    v, st = cm.curve_values("R", 1, 1, "linear", lr, noise, T, r0, q0)
    np.testing.assert_allclose(v, 1 - (1 - r0) * np.exp(-lr * T), rtol=1e-9)


# ----------------------------------------------------------------------------- certified small-t values
def test_certified_linear_closed_form_30_digits():
    old = mpmath.mp.dps
    mpmath.mp.dps = 33
    try:
        r = cm.eg(K=1, M=1, activation="linear", t="3/2", lr="7/10", noise="1/10", r0="1/5", q0="1/2", dps=30)
        assert mpmath.mp.dps == 33
        with mpmath.workdps(50):
            lr, nz, r0, q0 = mpmath.mpf(7) / 10, mpmath.mpf(1) / 10, mpmath.mpf(1) / 5, mpmath.mpf(1) / 2
            einf = lr * nz / (2 * (2 - lr))
            ex = einf + ((q0 - 2 * r0 + 1) / 2 - einf) * mpmath.exp(-(2 * lr - lr**2) * mpmath.mpf(3) / 2)
            assert abs(r.value - ex) <= mpmath.mpf(10) ** -30 * abs(ex)
    finally:
        mpmath.mp.dps = old


def _mp_ref_k1m1_erf(t, lr, noise, r0, q0, dps):
    with mpmath.workdps(dps):
        lr, noise, r0, q0, t = (mpmath.mpf(mpmath.fraction(*v)) for v in (lr, noise, r0, q0, t))
        pi = mpmath.pi

        def i3(caa, cbc, cab, cac, ccc):
            return 2 / pi * (cbc * (1 + caa) - cab * cac) / ((1 + caa) * mpmath.sqrt((1 + caa) * (1 + ccc) - cac**2))

        def i4(caa, ccc, cdd, cac, cad, ccd):  # a = b (the single student unit)
            a1 = 1 + caa
            L4 = a1 * a1 - caa**2
            L0 = L4 * ccd - 2 * cac * cad * a1 + 2 * caa * cac * cad
            L1 = L4 * (1 + ccc) - 2 * cac**2 * a1 + 2 * caa * cac**2
            L2 = L4 * (1 + cdd) - 2 * cad**2 * a1 + 2 * caa * cad**2
            return 4 / pi**2 / mpmath.sqrt(L4) * mpmath.asin(L0 / mpmath.sqrt(L1 * L2))

        def F(_t, y):
            R, Q = y
            C = [[Q, R], [R, mpmath.mpf(1)]]
            s = (-1, 1)
            dR = lr * sum(s[c] * i3(Q, C[1][c], R, C[0][c], C[c][c]) for c in range(2))
            dQ = 2 * lr * sum(s[c] * i3(Q, C[0][c], Q, C[0][c], C[c][c]) for c in range(2))
            dQ += lr**2 * (
                sum(s[c] * s[e] * i4(Q, C[c][c], C[e][e], C[0][c], C[0][e], C[c][e]) for c in range(2) for e in range(2))
                + noise * 2 / pi / mpmath.sqrt(1 + 2 * Q)
            )
            return [dR, dQ]

        R, Q = mpmath.odefun(F, 0, [r0, q0])(t)
        eg = (2 / pi * mpmath.asin(Q / (1 + Q)) + mpmath.mpf(1) / 3 - 4 / pi * mpmath.asin(R / mpmath.sqrt(2 * (1 + Q)))) / 2
        return eg, R, Q


def test_certified_erf_k1m1_against_taylor_reference():
    eg, R, Q = _mp_ref_k1m1_erf((3, 2), (7, 10), (1, 10), (1, 5), (1, 2), dps=26)
    kw = dict(K=1, M=1, t="3/2", lr="7/10", noise="1/10", r0="1/5", q0="1/2", dps=20)
    for name, ex in (("eg", eg), ("R", R), ("Q", Q)):
        r = getattr(cm, name)(**kw)
        assert not getattr(r, "proven", False)  # proof = estimate: never claimed proven
        assert abs(r.value - ex) <= mpmath.mpf(10) ** -20 * abs(ex), (name, r.value, ex)


# ----------------------------------------------------------------------------- simulation
def _sgd(K, M, d, t_obs, lr, noise, r0, q0, B, seed):
    rng = np.random.default_rng(seed)
    W = np.zeros((B, K, d))
    for i in range(K):
        if i < M:
            W[:, i, i] = r0 * math.sqrt(d)
        W[:, i, M + i] = math.sqrt(q0 - (r0**2 if i < M else 0)) * math.sqrt(d)
    res, step = [], 0
    for tt in t_obs:
        while step < round(tt * d):
            x = rng.standard_normal((B, d))
            lam = np.einsum("bkd,bd->bk", W, x) / math.sqrt(d)
            y = erf(x[:, :M] / math.sqrt(2)).sum(1) + math.sqrt(noise) * rng.standard_normal(B)
            delta = math.sqrt(2 / PI) * np.exp(-(lam**2) / 2) * (y - erf(lam / math.sqrt(2)).sum(1))[:, None]
            W += (lr / math.sqrt(d)) * delta[:, :, None] * x[:, None, :]
            step += 1
        R = W[:, :, :M] / math.sqrt(d)  # teachers sqrt(d) e_n
        Q = np.einsum("bkd,bld->bkl", W, W) / d
        res.append([_eg(R[b], Q[b]) for b in range(B)])
    return np.array(res)


def test_online_sgd_simulation_matches_ode():
    T = [1.0, 3.0]
    for seed in (0, 1):
        e = _sgd(2, 2, 1000, T, 0.5, 0.1, 0.1, 0.25, 16, seed)
        ode = np.array([_eg(R, Q) for R, Q in ref_solve(2, 2, T, 0.5, 0.1, 0.1, 0.25)])
        v, st = cm.curve_values("eg", 2, 2, "erf", 0.5, 0.1, np.array(T), 0.1, 0.25)
        np.testing.assert_allclose(v, ode, rtol=1e-8)
        se = e.std(1, ddof=1) / math.sqrt(e.shape[1])
        assert np.all(np.abs(e.mean(1) - ode) < 4 * se + 2e-3)


# ----------------------------------------------------------------------------- bad inputs
BAD = [
    ("K", dict(K=0)),
    ("M", dict(M=7)),
    ("lr", dict(lr=0)),
    ("lr", dict(lr=-1)),
    ("lr", dict(lr=1e6)),
    ("t", dict(t=-1)),
    ("t", dict(t=math.inf)),
    ("t", dict(t=math.nan)),
    ("noise", dict(noise=-0.1)),
    ("r0", dict(r0=1.1, q0=1.0)),
    ("q0", dict(q0=0)),
    ("r0", dict(r0=-0.1)),
    ("K", dict(K=2.5)),
    ("activation", dict(activation="relu")),
    ("t", dict(t=201)),
]


@pytest.mark.parametrize("name,bad", BAD, ids=[f"{n}{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_inputs_named(name, bad):
    old = mpmath.mp.dps
    mpmath.mp.dps = 33
    try:
        kw = dict(K=2, M=2, t=0.5)
        kw.update(bad)
        with pytest.raises(ParameterError, match=f"`{name}`"):
            cm.eg(**kw, dps=15)
        assert mpmath.mp.dps == 33
    finally:
        mpmath.mp.dps = old


@pytest.mark.parametrize("q,extra", [("R", dict(i=3)), ("R", dict(n=0)), ("Q", dict(k=3)), ("R", dict(i=1, n=3))])
def test_bad_indices(q, extra):
    with pytest.raises(ParameterError, match="`[ink]`"):
        getattr(cm, q)(K=2, M=2, t=0.1, dps=15, **extra)


def test_cli_exit_2_one_line(capsys):
    for argv in (["eval", "committee", "eg", "K=0", "M=2", "t=1"], ["curve", "committee", "eg", "K=2", "M=2", "lr=0", "t=0:1:3"]):
        rc = cli_main(argv)
        err = capsys.readouterr().err.strip()
        assert rc == 2 and len(err.splitlines()) == 1, err


def test_degenerate_plateaus_are_not_garbage():
    # exactly symmetric start (r0 = 0): the exact ODE never escapes; a finite number would be an artefact
    v, st = cm.curve_values("plateau", 2, 2, "erf", 0.5, 0.0, 0.0, 0.0, 0.25)
    assert st != 0 or math.isinf(v)


def test_default_plateau_values_available():
    T = np.array([100.0, 150.0])
    ref = np.array([_eg(R, Q) for R, Q in ref_solve(2, 2, T, 0.5, 0.0, 1e-3, 0.25)])
    v, st = cm.curve_values("eg", 2, 2, "erf", 0.5, 0.0, T, 1e-3, 0.25)
    assert (st == 0).all()
    np.testing.assert_allclose(v, ref, rtol=1e-6)


def test_certified_k2m2_small_t_against_float64_reference():
    ((R, Q),) = ref_solve(2, 2, [0.5], 0.5, 0.0, 1e-3, 0.25)
    r = cm.eg(K=2, M=2, t="1/2", dps=15)
    assert abs(float(r.value) - _eg(R, Q)) < 1e-11
    ((R, Q),) = ref_solve(3, 2, [1.0], 0.7, 0.05, 0.1, 0.3)
    r = cm.R(K=3, M=2, t="1", lr="0.7", noise="0.05", r0="0.1", q0="0.3", i=2, n=1, dps=15)
    assert abs(float(r.value) - R[1, 0]) < 1e-11


def test_sweeps_match_reference_per_combination():
    """Sweeps over lr are integrated as one stacked system: each point must still match its own solve."""
    lrs = np.array([0.4, 0.6, 0.8, 1.0, 1.2])
    v, st = cm.curve_values("plateau", 2, 2, "erf", lrs, 0.0, 0.0, 1e-3, 0.25)
    ref = np.array([ref_escape(2, 2, lr) for lr in lrs])
    assert (st == 0).all()
    np.testing.assert_allclose(v, ref, rtol=1e-8)
    lrs = np.linspace(0.2, 1.8, 9)
    v, st = cm.curve_values("eg", 2, 3, "erf", lrs, 0.1, 30.0, 0.05, 0.3)
    ref = np.array([_eg(*ref_solve(2, 3, [30.0], lr, 0.1, 0.05, 0.3)[0]) for lr in lrs])
    assert (st == 0).all()
    np.testing.assert_allclose(v, ref, rtol=1e-8)


def test_budget_thins_a_sweep_evenly(monkeypatch):
    monkeypatch.setattr(cm, "CURVE_BUDGET_S", 0.0)  # only the first batch runs
    monkeypatch.setattr(cm, "BATCH_ENTRIES", 3 * 3 * 16)  # K = M = 2: three combinations per batch
    v, st = cm.curve_values("eg", 2, 2, "erf", np.linspace(0.2, 1.0, 9), 0.0, 5.0, 1e-3, 0.25)
    assert list(np.nonzero(st == 0)[0]) == [0, 4, 8]  # first, last, middle: the sweep's range stays covered
    assert (st[[1, 2, 3, 5, 6, 7]] == 3).all() and np.isnan(v[st == 3]).all()
