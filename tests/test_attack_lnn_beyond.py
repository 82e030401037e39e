"""Independent attack on the new ``lnn`` quantities (reviewer RDE): ACGH19 guarantee, local acceleration
criterion, Razin-Cohen 2x2 norm bound, CP growth-time bound, and the simulations' claims.

Every reference below is written here from the maths, never by calling the code under test:

* ACGH19 Thm 1 (arXiv 1810.02281): delta <= c^2/(256 N^3 |Phi|^(2(N-1)/N)),
  eta <= c^((4N-2)/N)/(6144 N^3 |Phi|^((6N-4)/N)), l(t+1) <= (1 - eta c^(2(N-1)/N)) l(t),
  T >= ln(l0/eps)/(eta c^(2(N-1)/N)).  (Constants as recalled by this reviewer; the theorem text
  itself could not be retrieved from the search corpora.)
* Local criterion: the layer Jacobian J of a balanced factorization has JJ^T = |w|^(2-2/N)(I+(N-1)uu^T)
  (checked by finite differences here); kappa_N = cond(P^1/2 H P^1/2) by mpmath eigsy; speed-up
  ln((kN+1)/(kN-1))/ln((k+1)/(k-1)).
* Norm bound: brute-force minimisation of W12 W21/|W22| over the loss sphere {loss = l} (grid), and
  random matrices with det W > 0 for |W11| and Schatten norms.
* Growth time: mpmath quadrature of 1/(N G s^(2-2/N)).
* Own numpy gradient-descent runs for the guarantee, the 2x2 counterexample and CP tensor completion.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath as M
import numpy as np
import pytest

from asymptotics import get_model
from asymptotics.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]
LNN = get_model("lnn")


def Q(name, **kw):
    return LNN.quantities[name].certified(**kw)


def mf(x):
    if isinstance(x, Fraction):
        return M.mpf(x.numerator) / x.denominator
    return M.mpf(x)


def check(r, ref, dps):
    """value within 10^(1-dps) relative, and (if proven) the enclosure contains the reference."""
    v = M.mpf(r.value)
    if ref == 0:
        assert v == 0
    else:
        assert abs(v / ref - 1) < M.mpf(10) ** (2 - dps), (v, ref)
    if r.proven:
        assert M.mpf(r.enclosure.lo) <= ref <= M.mpf(r.enclosure.hi), (r.enclosure, ref)


# ----------------------------------------------------------------------------- ACGH19 references
def r_step(N, c, p):
    c, p = mf(c), mf(p)
    return c ** (M.mpf(4 * N - 2) / N) / (6144 * N**3 * p ** (M.mpf(6 * N - 4) / N))


def r_delta(N, c, p):
    c, p = mf(c), mf(p)
    return c**2 / (256 * N**3 * p ** (M.mpf(2 * (N - 1)) / N))


def r_rate(N, c, p, s=None):
    s = r_step(N, c, p) if s is None else mf(s)
    return 1 - s * mf(c) ** (M.mpf(2 * (N - 1)) / N)


def r_iters(N, c, p, l0, e, s=None):
    s = r_step(N, c, p) if s is None else mf(s)
    return M.log(mf(l0) / mf(e)) / (s * mf(c) ** (M.mpf(2 * (N - 1)) / N))


GUAR_PTS = [
    (1, "0.5", "1"),
    (2, "0.9", "1"),
    (3, "0.999999999999", "1"),
    (7, "1e-8", "3"),
    (1000, "0.3", "1e5"),
    (1000, "1e-300", "1e300"),
    (5, "2.5", "2.6"),
]


@pytest.mark.parametrize("N,c,p", GUAR_PTS)
@pytest.mark.parametrize("dps", [15, 40])
def test_guarantee_closed_forms(N, c, p, dps):
    with M.workdps(dps + 40):
        check(Q("guarantee_step", depth=N, margin=c, phi_norm=p, dps=dps), r_step(N, c, p), dps)
        check(Q("guarantee_delta", depth=N, margin=c, phi_norm=p, dps=dps), r_delta(N, c, p), dps)
        check(Q("guarantee_rate", depth=N, margin=c, phi_norm=p, dps=dps), r_rate(N, c, p), dps)


def test_guarantee_iterations_hard_points():
    with M.workdps(120):
        check(
            Q("guarantee_iterations", depth=3, margin="0.5", phi_norm="2", loss0="0.5", eps="1e-4"),
            r_iters(3, "0.5", "2", "0.5", "1e-4"),
            30,
        )
        # eps next to loss0: ln(l0/eps) ~ 2e-40, no cancellation allowed
        e = Fraction(1, 2) - Fraction(1, 10**40)
        check(
            Q("guarantee_iterations", depth=2, margin="0.5", phi_norm="2", loss0=Fraction(1, 2), eps=e),
            r_iters(2, "0.5", "2", Fraction(1, 2), e),
            30,
        )
        check(
            Q("guarantee_iterations", depth=2, margin="0.5", phi_norm="2", loss0="0.5", eps="1e-300", step="1e-10"),
            r_iters(2, "0.5", "2", "0.5", "1e-300", "1e-10"),
            30,
        )
        # the docs' certified table
        assert (
            abs(
                M.mpf(Q("guarantee_iterations", depth=3, margin="0.5", phi_norm="2", loss0="0.5", eps="1e-4").value)
                - M.mpf("911433028.09524949610")
            )
            < 1e-9
        )


def test_guarantee_step_boundary_exact():
    # N = 2, c = 0.9, |Phi| = 1: eta_max = 0.729/49152 exactly; admissible, a hair above is not
    eta = Fraction(729, 1000) / 49152
    with M.workdps(80):
        check(Q("guarantee_rate", depth=2, margin="0.9", phi_norm=1, step=eta), r_rate(2, "0.9", "1", eta), 30)
        with pytest.raises(ParameterError, match="step"):
            Q("guarantee_rate", depth=2, margin="0.9", phi_norm=1, step=eta * (1 + Fraction(1, 10**30)))
    # non-integer exponent (N = 3): the largest admissible double and the next one up
    with M.workdps(80):
        em = float(r_step(3, "0.5", "1"))
    lo, hi = em, np.nextafter(em, 1.0)
    with M.workdps(200):
        exact = r_step(3, "0.5", "1")
        ok = [mf(Fraction(x)) <= exact for x in (lo, hi)]
    for x, good in zip((lo, hi), ok):
        if good:
            Q("guarantee_rate", depth=3, margin="0.5", phi_norm=1, step=x)
        else:
            with pytest.raises(ParameterError, match="step"):
                Q("guarantee_rate", depth=3, margin="0.5", phi_norm=1, step=x)


BAD = [
    ("guarantee_step", dict(depth=0, margin=0.5, phi_norm=1), "depth"),
    ("guarantee_step", dict(depth=1001, margin=0.5, phi_norm=1), "depth"),
    ("guarantee_step", dict(depth=2, margin=1, phi_norm=1), "margin"),
    ("guarantee_step", dict(depth=2, margin=0, phi_norm=1), "margin"),
    ("guarantee_step", dict(depth=2, margin=0.5, phi_norm=float("inf")), "phi_norm"),
    ("guarantee_delta", dict(depth=2, margin=-1, phi_norm=1), "margin"),
    ("guarantee_rate", dict(depth=2, margin=0.5, phi_norm=1, step=1), "step"),
    ("guarantee_rate", dict(depth=2, margin=0.5, phi_norm=1, step=0), "step"),
    ("guarantee_iterations", dict(depth=2, margin=0.5, phi_norm=1, loss0=0.2, eps=0.1), "loss0"),
    ("guarantee_iterations", dict(depth=2, margin=0.5, phi_norm=1, loss0=0.1, eps=0.1), "eps"),
    ("acceleration_speedup", dict(depth=2, kappa=0.5, overlap=0.5), "kappa"),
    ("acceleration_speedup", dict(depth=2, kappa=2, overlap=1.5), "overlap"),
    ("norm_lower_bound", dict(loss=0), "loss"),
    ("norm_lower_bound", dict(loss=float("nan")), "loss"),
    ("growth_time_bound", dict(depth=3, init=1, sigma=1, grad=1), "sigma"),
    ("growth_time_bound", dict(depth=3, init=0.1, sigma=1, grad=0), "grad"),
    ("growth_time_bound", dict(depth=10001, init=0.1, sigma=1, grad=1), "depth"),
]


@pytest.mark.parametrize("name,kw,param", BAD)
def test_bad_inputs(name, kw, param):
    with pytest.raises(ParameterError) as ei:
        Q(name, **kw)
    msg = str(ei.value)
    assert "\n" not in msg and param in msg


def test_cli_exit_2_one_line():
    p = subprocess.run(
        [sys.executable, "-m", "asymptotics", "eval", "lnn", "guarantee_rate", "depth=2", "margin=0.5", "phi_norm=1", "step=1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert p.returncode == 2
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "step" in lines[0] and "valid range" in lines[0]


def test_caller_precision_unchanged():
    M.mp.dps = 23
    try:
        Q("guarantee_iterations", depth=3, margin="0.5", phi_norm="2", loss0="0.5", eps="1e-4", dps=50)
        Q("acceleration_speedup", depth=3, kappa=10, overlap="0.3", dps=50)
        Q("norm_lower_bound", loss="1e-30", dps=50)
        Q("growth_time_bound", depth=5, init="1e-9", sigma=2, grad="0.5", dps=50)
        assert M.mp.dps == 23
    finally:
        M.mp.dps = 15


# ----------------------------------------------------------------------------- acceleration criterion
def r_speedup(N, k, a):
    k, a = mf(k), mf(a)
    if N == 1:
        return M.mpf(1)
    if k == 1:
        return M.mpf(0)
    u = M.matrix([M.sqrt(a), M.sqrt(1 - a)])
    Hh = M.diag([1, M.sqrt(k)])
    ev = sorted(M.eigsy(Hh * (M.eye(2) + (N - 1) * u * u.T) * Hh)[0])
    kn = ev[1] / ev[0]
    return M.log((kn + 1) / (kn - 1)) / M.log((k + 1) / (k - 1))


@pytest.mark.parametrize(
    "N,k,a",
    [
        (2, 10, 1),
        (3, 10, 1),
        (2, 10, 0),
        (5, "1.5", "0.3"),
        (1000, "1e6", "0.999"),
        (3, "3.000000000001", 1),
        (2, 2, "0.99999999999999"),
        (2, "1.0000000001", "0.5"),
        (7, "1e12", 0),
        (7, "1e12", 1),
        (1, 5, "0.2"),
        (4, 1, "0.7"),
    ],
)
def test_acceleration_speedup(N, k, a):
    with M.workdps(200):
        check(Q("acceleration_speedup", depth=N, kappa=k, overlap=a, dps=30), r_speedup(N, k, a), 30)


def test_acceleration_kappa_n_one_is_infinite():
    # H = diag(1, N), u = e_soft: DH = N I, kappa_N = 1
    assert Q("acceleration_speedup", depth=3, kappa=3, overlap=1).value == M.inf


def test_layer_jacobian_is_end_to_end_preconditioner():
    rng = np.random.default_rng(0)
    d, N, h = 3, 3, 2
    w = np.array([0.7, -0.4, 1.1])
    nw = np.linalg.norm(w)
    u = w / nw
    s = nw ** (1 / N)
    q1, _ = np.linalg.qr(rng.normal(size=(h, h)))
    q2, _ = np.linalg.qr(rng.normal(size=(h, h)))
    Ws = [s * np.outer(q1[:, 0], u), s * np.outer(q2[:, 0], q1[:, 0]), s * q2[:, 0][None, :]]
    shapes = [W.shape for W in Ws]
    th = np.concatenate([W.ravel() for W in Ws])

    def f(t):
        out, i = [], 0
        for sh in shapes:
            out.append(t[i : i + sh[0] * sh[1]].reshape(sh))
            i += sh[0] * sh[1]
        return (out[2] @ out[1] @ out[0]).ravel()

    J = np.stack([(f(th + 1e-6 * e) - f(th - 1e-6 * e)) / 2e-6 for e in np.eye(th.size)], axis=1)
    P = nw ** (2 - 2 / N) * (np.eye(d) + (N - 1) * np.outer(u, u))
    assert np.abs(J @ J.T - P).max() < 1e-8


def _kappa_n(H, u, N):
    P = np.eye(len(u)) + (N - 1) * np.outer(u, u)
    e, V = np.linalg.eigh(P)
    R = (V * np.sqrt(e)) @ V.T
    mu = np.linalg.eigvalsh(R @ H @ R)
    return mu[-1] / mu[0]


def test_criterion_claims_two_dim_and_stiff():
    H = np.diag([1.0, 10.0])
    assert _kappa_n(H, np.array([1.0, 0]), 3) == pytest.approx(10 / 3)  # kappa/N along soft, N <= kappa
    assert _kappa_n(H, np.array([0, 1.0]), 3) == pytest.approx(30)  # N kappa along stiff
    assert _kappa_n(np.eye(3), np.array([1.0, 0, 0]), 4) == pytest.approx(4)  # isotropic: kappa_N = N


def test_docs_soft_direction_claim_qualified():
    H = np.diag([1.0, 2.0, 10.0])
    assert _kappa_n(H, np.array([1.0, 0, 0]), 5) == pytest.approx(5)
    text = (ROOT / "docs/models/lnn.md").read_text()
    i = text.index("along the softest eigenvector")
    window = text[i - 300 : i + 300]
    assert re.search(r"lambda_2|\\lambda_2|second|two-dimensional|d\s*=\s*2|2\\times2|min\(", window), window


# ----------------------------------------------------------------------------- norm bound
def r_B(lv):
    L = mf(lv)
    if L >= M.mpf(1) / 2:
        return M.mpf(0)
    if L >= M.mpf(3) / 8:
        return M.sqrt(1 - 2 * L)
    u = 4 * L / (1 + M.sqrt(1 + 8 * L))
    return (1 - u) ** M.mpf(1.5) / M.sqrt(u)


def brute_B(lv, n=900):
    """inf of W12 W21/|W22| over the loss sphere (u=1-W12, v=1-W21, z=W22), z > 0 wlog."""
    r = math.sqrt(2 * lv)
    th = np.linspace(0, np.pi / 2, n)[1:-1]
    ph = np.linspace(-np.pi, np.pi, 2 * n)
    T, P = np.meshgrid(th, ph)
    z = r * np.cos(T)
    uu, vv = r * np.sin(T) * np.cos(P), r * np.sin(T) * np.sin(P)
    a = (1 - uu) * (1 - vv)
    if (a <= 0).any():
        return 0.0
    return float((a / z).min())


@pytest.mark.parametrize("lv", [1e-4, 0.01, 0.125, 0.3, 0.36, 0.375, 0.4, 0.45])
def test_norm_bound_vs_bruteforce(lv):
    b = float(Q("norm_lower_bound", loss=lv).value)
    g = brute_B(lv)
    assert b <= g <= b * (1 + 2e-5)


@pytest.mark.parametrize(
    "lv", ["1e-40", "1e-200", "0.375", "0.3749999999999999999999999999999", "0.4999999999999999999999999999", "0.5", "7", "1e100"]
)
def test_norm_bound_hard_points(lv):
    with M.workdps(300):
        check(Q("norm_lower_bound", loss=lv, dps=40), r_B(lv), 40)


def test_norm_bound_small_loss_asymptotics():
    with M.workdps(80):
        for lv in ["1e-6", "1e-12"]:
            L = M.mpf(lv)
            v = M.mpf(Q("norm_lower_bound", loss=lv, dps=40).value)
            rem = v - ((2 * L) ** -0.5 - (2 * L) ** 0.5)
            assert abs(rem) < 10 * L**1.5


def test_norm_bound_random_matrices_det_positive():
    rng = np.random.default_rng(1)
    n = 200000
    W = np.empty((n, 2, 2))
    W[:, 0, 0] = rng.normal(size=n) * 20
    W[:, 0, 1] = 1 + 0.5 * rng.normal(size=n)
    W[:, 1, 0] = 1 + 0.5 * rng.normal(size=n)
    W[:, 1, 1] = 0.5 * rng.normal(size=n)
    W = W[np.linalg.det(W) > 0]
    loss = 0.5 * ((W[:, 0, 1] - 1) ** 2 + (W[:, 1, 0] - 1) ** 2 + W[:, 1, 1] ** 2)
    s = np.linalg.svd(W, compute_uv=False)
    for lo, hi in [(0.05, 0.1), (0.1, 0.2), (0.2, 0.375), (0.375, 0.5)]:
        sel = (loss > lo) & (loss < hi)
        b = float(Q("norm_lower_bound", loss=hi).value)  # B decreasing: B(hi) <= B(loss)
        assert sel.sum() > 10
        assert (np.abs(W[sel, 0, 0]) > b).all()
        assert (s[sel, 0] > b).all() and (np.sqrt(s[sel]).sum(1) ** 2 > b).all()


# ----------------------------------------------------------------------------- growth time
@pytest.mark.parametrize(
    "N,s0,s1,g",
    [(1, "0.1", "3", "2"), (2, "1e-3", "1", "0.5"), (3, "1e-3", "1", "1"), (4, "1e-6", "2", "0.3"), (10000, "0.5", "0.7", "1")],
)
def test_growth_time_vs_quadrature(N, s0, s1, g):
    with M.workdps(60):
        ref = M.quad(lambda s: 1 / (N * mf(g) * s ** (2 - M.mpf(2) / N)), [mf(s0), mf(s1)])
        check(Q("growth_time_bound", depth=N, init=s0, sigma=s1, grad=g, dps=30), ref, 30)


def test_growth_time_cancellation_and_extremes():
    with M.workdps(200):
        s1 = "1.0000000000000000000000000000001"
        a = 1 - M.mpf(2) / 7
        check(Q("growth_time_bound", depth=7, init=1, sigma=s1, grad=1, dps=30), (1 - mf(s1) ** -a) / 5, 30)
        ref = (M.mpf("1e-300") ** (-M.mpf(1) / 3) - M.mpf("1e300") ** (-M.mpf(1) / 3)) / M.mpf("1e-5")
        check(Q("growth_time_bound", depth=3, init="1e-300", sigma="1e300", grad="1e-5", dps=30), ref, 30)


# ----------------------------------------------------------------------------- own simulations
def test_own_gd_satisfies_acgh_guarantee():
    """Depth 2, 1x1 target Phi = 1, hidden width 2, 4 seeds batched; perturbed balanced starts."""
    S, h, phi, N = 4, 2, 1.0, 2
    rng = np.random.default_rng(7)
    sg = rng.choice([-1.0, 1.0], size=S)
    w0 = phi + 0.1 * sg
    a = np.sqrt(np.abs(w0))
    q = rng.normal(size=(S, h))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    W1 = (a[:, None] * q)[:, :, None] + 1e-6 * rng.normal(size=(S, h, 1))
    W2 = (np.sign(w0)[:, None] * a[:, None] * q)[:, None, :] + 1e-6 * rng.normal(size=(S, 1, h))
    w = (W2 @ W1)[:, 0, 0]
    c = 1 - np.abs(w - phi)
    bal = np.linalg.norm(np.transpose(W2, (0, 2, 1)) @ W2 - W1 @ np.transpose(W1, (0, 2, 1)), axis=(1, 2))
    cmin = float(c.min()) * (1 - 1e-9)
    assert (bal <= float(r_delta(N, cmin, phi))).all()
    eta = float(Q("guarantee_step", depth=N, margin=cmin, phi_norm=phi).value)
    l0 = 0.5 * (w - phi) ** 2
    T = max(
        math.ceil(float(Q("guarantee_iterations", depth=N, margin=cmin, phi_norm=phi, loss0=float(x), eps=float(x) / 2).value))
        for x in l0
    )
    qf = float(Q("guarantee_rate", depth=N, margin=cmin, phi_norm=phi).value)
    worst = 0.0
    for t in range(1, T + 1):
        r = W2 @ W1 - phi
        g1 = np.transpose(W2, (0, 2, 1)) @ r
        g2 = r @ np.transpose(W1, (0, 2, 1))
        W1, W2 = W1 - eta * g1, W2 - eta * g2
        if t % 50 == 0 or t == T:
            lt = 0.5 * ((W2 @ W1)[:, 0, 0] - phi) ** 2
            worst = max(worst, float((lt / (l0 * qf**t)).max()))
    assert worst <= 1 + 1e-9
    assert (lt <= l0 / 2).all()


def _norms_run(seed, refl=False, steps=12000, eta=5e-3):
    rng = np.random.default_rng(seed)

    def rot(th, r):
        c, s = math.cos(th), math.sin(th)
        R = np.array([[c, -s], [s, c]])
        return R @ np.diag([1.0, -1.0]) if r else R

    Ws = [0.1 * rot(rng.uniform(0, 2 * np.pi), refl and j == 0) for j in range(3)]
    mask = np.array([[0, 1], [1, 1.0]])
    T = np.array([[0, 1], [1, 0.0]])
    rec = []
    for t in range(steps + 1):
        W = Ws[2] @ Ws[1] @ Ws[0]
        G = mask * (W - T)
        if t % 1000 == 0:
            s = np.linalg.svd(W, compute_uv=False)
            p = s / s.sum()
            rec.append(
                (0.5 * np.sum(G**2), np.linalg.det(W), abs(W[0, 0]), s, math.exp(-sum(x * math.log(x) for x in p if x > 0)))
            )
        g0, g1, g2 = (Ws[2] @ Ws[1]).T @ G, Ws[2].T @ G @ Ws[0].T, G @ (Ws[1] @ Ws[0]).T
        Ws = [Ws[0] - eta * g0, Ws[1] - eta * g1, Ws[2] - eta * g2]
    return rec


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_own_norms_counterexample(seed):
    rec = _norms_run(seed)
    for loss, det, w11, s, er in rec[1:]:
        b = float(r_B(loss))
        assert det > 0 and w11 > b and s.max() > b and s.sum() > b and np.sqrt(s).sum() ** 2 > b
        # the library value agrees with the independent formula at the measured loss
        assert float(Q("norm_lower_bound", loss=float(loss)).value) == pytest.approx(b, rel=1e-12)
    fro = [np.sqrt((r[3] ** 2).sum()) for r in rec[3:]]
    assert all(np.diff(fro) > 0) and fro[-1] > 8
    assert [r[0] for r in rec[3:]] == sorted([r[0] for r in rec[3:]], reverse=True)
    assert rec[-1][4] < 1.001  # effective rank -> 1
    assert rec[-1][2] / float(r_B(rec[-1][0])) < 1.01  # nearly attained, as the docs say


def test_own_norms_negative_det_converges_finite():
    rec = _norms_run(0, refl=True, steps=12000)
    assert rec[-1][0] < 1e-10 and np.sqrt((rec[-1][3] ** 2).sum()) < 6 and rec[-1][1] < 0


def _cp_run(seed, d=5, R=4, s0=1e-6, eta=0.05, steps=6000):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(3, d))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b = rng.normal(size=(3, d))
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    T = 3 * np.einsum("i,j,k->ijk", *a) + 1.5 * np.einsum("i,j,k->ijk", *b)
    mask = (rng.random((d, d, d)) < 0.8).astype(float)
    F = [rng.normal(size=(R, d)) for _ in range(3)]
    F = [f / np.linalg.norm(f, axis=1, keepdims=True) * s0 ** (1 / 3) for f in F]
    l0 = 0.5 * np.sum((mask * T) ** 2)
    hist = []
    for t in range(steps + 1):
        W = np.einsum("ri,rj,rk->ijk", *F)
        G = mask * (W - T)
        if t % 10 == 0:
            hist.append(np.prod([np.linalg.norm(f, axis=1) for f in F], axis=0))
        g = [
            np.einsum("ijk,rj,rk->ri", G, F[1], F[2]),
            np.einsum("ijk,ri,rk->rj", G, F[0], F[2]),
            np.einsum("ijk,ri,rj->rk", G, F[0], F[1]),
        ]
        F = [f - eta * gg for f, gg in zip(F, g)]
    err = np.linalg.norm((1 - mask) * (W - T)) / np.linalg.norm((1 - mask) * T)
    return np.array(hist), l0, err


def test_own_cp_incremental_and_growth_bound():
    incremental = 0
    for seed in range(3):
        H, l0, err = _cp_run(seed)
        srt = np.sort(H, axis=1)[:, ::-1]
        fin = srt[-1]
        assert fin[0] == pytest.approx(3, rel=0.01) and fin[1] == pytest.approx(1.5, rel=0.01) and fin[2] < 0.01
        assert err < 1e-2
        i_half = int(np.argmax(srt[:, 0] >= fin[0] / 2))
        incremental += srt[i_half, 1] < 0.01 * fin[1]
        # no component reaches norm 1 before growth_time_bound (G = sqrt(2 l0) bounds |<grad, W_r^>|)
        t_one = int(np.argmax(srt[:, 0] >= 1)) * 10 * 0.05
        bound = float(Q("growth_time_bound", depth=3, init=1e-6, sigma=1, grad=math.sqrt(2 * l0)).value)
        assert t_one >= bound
    # seed 0 learns both components almost together (factor 4 apart at 1e-2, both O(1) 150 steps later):
    # incremental learning is typical, not universal
    assert incremental >= 2


# ----------------------------------------------------------------------------- defects found
def test_step_check_fast_at_extreme_exponents():
    code = (
        "from asymptotics import get_model; q = get_model('lnn').quantities['guarantee_rate'];"
        "print(q.certified(depth=1000, margin='1e-300', phi_norm='1e300', step='1e-3012').value)"
    )
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=6)
    except subprocess.TimeoutExpired:
        pytest.fail("guarantee_rate step check took > 6 s")
    assert p.returncode == 0


def test_step_error_message_prints_true_bound():
    with pytest.raises(ParameterError) as ei:
        Q("guarantee_rate", depth=2, margin="1e-200", phi_norm="1e200", step="1e-300")
    msg = str(ei.value)
    tail = msg.split("<=")[-1].strip().rstrip(".")
    with M.workdps(30):
        ref = r_step(2, "1e-200", "1e200")
        assert M.mpf(tail) > 0 and abs(M.mpf(tail) / ref - 1) < 1e-4
