"""committee: Saad-Solla ODEs against closed forms derived by hand, quadrature and fixed points."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.backend import NP
from asymptotics.errors import ConvergenceError, ParameterError
from asymptotics.models import committee as cm


def _lin_eg(t: float, lr: float, noise: float, r0: float, q0: float) -> float:
    # K = M = 1, g(x) = x: eg = (Q - 2R + 1)/2 obeys d eg/dt = -(2 lr - lr^2) eg + lr^2 noise/2 (derived by hand)
    e0 = (q0 - 2 * r0 + 1) / 2
    einf = lr * noise / (2 * (2 - lr))
    return einf + (e0 - einf) * math.exp(-(2 * lr - lr * lr) * t)


def test_linear_closed_form_certified() -> None:
    r = cm.eg(1, 1, activation="linear", lr="1/2", noise="1/10", t=3, dps=20)
    assert abs(float(r.value) - _lin_eg(3, 0.5, 0.1, 1e-3, 0.25)) < 1e-15
    rr = cm.R(1, 1, activation="linear", lr="1/2", t=3, dps=20)  # dR/dt = lr (1 - R)
    assert abs(float(rr.value) - (1 - (1 - 1e-3) * math.exp(-1.5))) < 1e-15


def test_linear_closed_form_curve() -> None:
    ts = np.array([0.0, 0.5, 2.0, 5.0])
    v, s = cm.curve_values("eg", 1, 1, activation="linear", lr=1.2, noise=0.3, t=ts)
    want = np.array([_lin_eg(t, 1.2, 0.3, 1e-3, 0.25) for t in ts])
    assert np.all(s == 0)
    np.testing.assert_allclose(v, want, rtol=1e-7)


def _gauss_expect(C: np.ndarray, fn, n: int = 30) -> float:
    """E fn(u) for u ~ N(0, C) by tensor Gauss-Hermite quadrature (independent of the arcsine formulas)."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()
    dim = C.shape[0]
    Lc = np.linalg.cholesky(C)
    grids = np.meshgrid(*([x] * dim), indexing="ij")
    z = np.stack([g.reshape(-1) for g in grids])
    wt = np.prod(np.meshgrid(*([w] * dim), indexing="ij"), axis=0).reshape(-1)
    u = Lc @ z
    return float(np.sum(wt * fn(u)))


def test_erf_integrals_against_quadrature() -> None:
    from scipy.special import erf

    g = lambda u: erf(u / math.sqrt(2))  # noqa: E731
    dg = lambda u: math.sqrt(2 / math.pi) * np.exp(-u * u / 2)  # noqa: E731
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 4)) * 0.35
    C = A @ A.T + 0.2 * np.eye(4)
    d = np.diag(C)
    assert abs(cm.i2(NP, d[0], d[1], C[0, 1]) - _gauss_expect(C[:2, :2], lambda u: g(u[0]) * g(u[1]))) < 1e-6
    want3 = _gauss_expect(C[:3, :3], lambda u: dg(u[0]) * u[1] * g(u[2]))
    assert abs(cm.i3(NP, d[0], d[1], d[2], C[0, 1], C[0, 2], C[1, 2]) - want3) < 1e-6
    want4 = _gauss_expect(C, lambda u: dg(u[0]) * dg(u[1]) * g(u[2]) * g(u[3]), n=22)
    got4 = cm.i4(NP, d[0], d[1], d[2], d[3], C[0, 1], C[0, 2], C[0, 3], C[1, 2], C[1, 3], C[2, 3])
    assert abs(got4 - want4) < 1e-6
    assert abs(cm.j2(NP, d[0], d[1], C[0, 1]) - _gauss_expect(C[:2, :2], lambda u: dg(u[0]) * dg(u[1]))) < 1e-6


def test_eg_at_time_zero_closed_form() -> None:
    q0, r0 = mpmath.mpf(1) / 4, mpmath.mpf(1) / 1000
    with mpmath.workdps(40):
        # K = M = 2, Q(0) = q0 I, R(0) = r0 I, T = I: only the diagonal terms of I2 survive
        want = (
            2 * mpmath.asin(mpmath.mpf(1) / 2) + 2 * mpmath.asin(q0 / (1 + q0)) - 4 * mpmath.asin(r0 / mpmath.sqrt(2 * (1 + q0)))
        ) / mpmath.pi
    r = cm.eg(2, 2, t=0, dps=30)
    assert abs(r.value - want) < mpmath.mpf(10) ** -29


def test_specialized_point_is_fixed_with_zero_error() -> None:
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0])  # R = I, Q = I (K = M = 2)
    assert np.max(np.abs(cm._rhs_np(y, 2, 2, "erf", 0.7, 0.0))) < 1e-14
    assert cm.eg(2, 2, t=0, r0=1, q0=1, dps=20).value == 0


@pytest.mark.parametrize("K", [2, 3])
def test_symmetric_plateau_fixed_point(K: int) -> None:
    # eta-linear symmetric fixed point (derived in docs/models/committee.md): R_in = 1/sqrt(K(2K-1)),
    # Q_ik = 1/(2K-1) for all i, k; there both arcsines equal arcsin(1/(2K)) and eg* = K/6 - (K^2/pi) asin(1/(2K))
    r, q = 1 / math.sqrt(K * (2 * K - 1)), 1 / (2 * K - 1)
    y = np.array([r] * (K * K) + [q] * (K * (K + 1) // 2))
    lr = 1e-6
    assert np.max(np.abs(cm._rhs_np(y, K, K, "erf", lr, 0.0) / lr)) < 1e-5
    eg_star = K / 6 - K * K / math.pi * math.asin(1 / (2 * K))
    if K > 2:
        return  # K = 3 approaches its plateau too slowly (t > 600 at lr = 0.05) for a fast test
    # the solver's plateau at small lr: eg on the plateau approaches eg* as lr -> 0
    v, s = cm.curve_values("eg", K, K, lr=0.05, t=np.array([150.0]), r0=1e-4)
    assert s[0] == 0
    assert abs(v[0] - eg_star) < 0.08 * eg_star


def test_plateau_is_where_specialization_crosses_half() -> None:
    tp, s = cm.curve_values("plateau", 2, 2, lr=1.0)
    assert s[()] == 0 and 50 < tp[()] < 300
    v, s2 = cm.curve_values("specialization", 2, 2, lr=1.0, t=np.array([float(tp)]))
    assert s2[0] == 0 and abs(v[0] - 0.5) < 1e-6


@settings(max_examples=5, deadline=None)
@given(lr=st.floats(0.1, 1.5), t=st.floats(0, 20))
def test_eg_nonnegative(lr: float, t: float) -> None:
    v, s = cm.curve_values("eg", 2, 2, lr=lr, t=np.array([t]))
    assert s[0] != 0 or v[0] >= 0


def test_noise_raises_asymptotic_error_and_converges() -> None:
    ts = np.array([400.0, 600.0])
    clean, s0 = cm.curve_values("eg", 2, 2, lr=0.5, t=ts)
    noisy, s1 = cm.curve_values("eg", 2, 2, lr=0.5, noise=0.1, t=ts)
    assert s0[0] == 0 and np.all(s1 == 0)
    assert clean[0] < 1e-4  # heading to the specialized fixed point (eg = 0)
    assert noisy[-1] > 100 * clean[0]
    assert abs(noisy[1] - noisy[0]) < 1e-3 * noisy[1]  # settled


def test_bad_input_and_precision() -> None:
    with pytest.raises(ParameterError, match="`K`"):
        cm.eg(0, 2, t=1)
    with pytest.raises(ParameterError, match="activation"):
        cm.eg(2, 2, activation="relu", t=1)
    with pytest.raises(ParameterError, match="r0"):
        cm.eg(2, 2, t=1, r0=1, q0="1/4")
    with pytest.raises(ParameterError, match="`t`"):
        cm.eg(2, 2, t=10**6)
    with pytest.raises(ParameterError, match="M"):
        cm.specialization(2, 1, t=1)
    with mpmath.workdps(77):
        cm.eg(1, 1, activation="linear", t="1/4", dps=15)
        assert mpmath.mp.dps == 77


def test_certified_integrator_at_high_precision_against_closed_form() -> None:
    # K = M = 1, g(x) = x: dR/dt = lr (1 - R), so R(t) = 1 - (1 - r0) e^{-lr t} (derived by hand); 40 digits
    r = cm.R(1, 1, activation="linear", lr="1/2", t=3, dps=40)
    with mpmath.workdps(60):
        want = 1 - (1 - mpmath.mpf(1) / 1000) * mpmath.exp(-mpmath.mpf(3) / 2)
        assert abs(r.value - want) < mpmath.mpf(10) ** -39


def test_certified_long_horizon_and_plateau_agree_with_float64() -> None:
    # the multiprecision GBS path and scipy's DOP853 are independent integrators of the same ODEs
    r = cm.eg(2, 2, t=20, dps=15)
    v, s = cm.curve_values("eg", 2, 2, t=np.array([20.0]))
    assert s[0] == 0 and abs(float(r.value) - v[0]) < 1e-8 * v[0]
    tp = cm.plateau(2, 2, lr=1, r0="0.3", dps=15)
    v, s = cm.curve_values("plateau", 2, 2, lr=1.0, r0=0.3)
    assert s[()] == 0 and abs(float(tp.value) - float(v)) < 1e-7 * float(v)
    # at the certified escape time the specialization is 1/2 (to the ladder's digits)
    sp = cm.specialization(2, 2, lr=1, r0="0.3", t=mpmath.nstr(tp.value, 15), dps=15)
    assert abs(float(sp.value) - 0.5) < 1e-10
    # specialized from the start (S(0) = 2(r0 - r0/2) = 0.9 >= 1/2): escape time 0 on both paths
    assert cm.plateau(2, 2, r0="0.9", q0=1, dps=15).value == 0
    v, s = cm.curve_values("plateau", 2, 2, r0=0.9, q0=1.0)
    assert s[()] == 0 and v[()] == 0


def test_work_is_bounded_before_it_starts() -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(ParameterError, match=r"`t` = 150.*certified range.*asymptotics curve"):
        cm.eg(2, 2, t=150, dps=60)  # ~ minutes of work at 70/80 working digits: refused up front
    with pytest.raises(ParameterError, match="escape time.*200"):
        cm.plateau(2, 2)  # the defaults escape at t ~ 238 (float64), beyond the certified horizon
    assert time.perf_counter() - start < 5  # refusals cost a float64 solve at most
    b = cm._Budget(deadline=0.0)  # the wall-clock backstop (past deadline): a named error
    with pytest.raises(ConvergenceError, match="wall-clock"):
        b.spend(1)
    b = cm._Budget()
    with pytest.raises(ConvergenceError, match="work budget"):
        b.spend(cm.MAX_RHS_EVALS + 1)


@pytest.mark.parametrize("act", ["erf", "linear"])
def test_float64_and_arb_right_hand_sides_agree_at_drawn_points(act: str) -> None:
    # the ODE's right-hand side is written twice (arb for the certified path, vectorized numpy for the curves):
    # the two must agree at drawn, valid overlap states (C positive definite), widths up to 4, noise on and off
    from flint import arb, ctx

    rng = np.random.default_rng(7)
    for _ in range(12):
        K, M = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        W, V = rng.standard_normal((K, 6)) / 2, np.linalg.qr(rng.standard_normal((6, M)))[0].T  # orthonormal teachers
        R, Q = W @ V.T, W @ W.T
        y = np.concatenate([R.ravel(), Q[np.triu_indices(K)]])
        lr, noise = float(rng.uniform(0.1, 1.5)), float(rng.choice([0.0, 0.2]))
        want = cm._rhs_np(y, K, M, act, lr, noise)
        old = ctx.prec
        try:
            ctx.prec = 80
            got = cm._rhs_arb([arb(float(v)) for v in y], K, M, act, arb(lr), arb(noise), arb.pi())
            got = np.array([float(g.mid()) for g in got])
        finally:
            ctx.prec = old
        assert np.allclose(got, want, rtol=1e-11, atol=1e-12), (K, M, act)
