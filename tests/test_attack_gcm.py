"""Independent attack on model `gcm` (ridge under covariate shift, teacher != student), reviewer R4.

Everything is compared with a from-the-maths reimplementation written here (never the code under test):

* kappa: the unique positive root of ``1 - gamma sum_i w_i s_i/(s_i+k) - lam/k = 0`` (increasing in k);
  at ``lam = 0``, ``gamma <= 1``: ``k = 0``.
* Patil, Du & Tibshirani (2024) / Bach (2023) second-order equivalent of the sandwiched resolvent:
  ``B' = k^2 b^T(S+k)^-1 S'(S+k)^-1 b + k^2 b^T(S+k)^-1 S (S+k)^-1 b * df'/(1-df2)``,
  ``V' = (sigma2+tau2) df'/(1-df2)``, ``df' = tr S'S(S+k)^-2/n``, ``df2 = tr S^2(S+k)^-2/n``.
* Training error ``(lam/k)^2 (R + sigma2 + tau2)`` with R the unshifted risk; ``lam/k -> 1-gamma`` at lam=0.
* Loureiro et al. (2021) Gaussian conditioning: ``beta* = Omega^-1 Phi^T theta``,
  ``tau2 = theta^T(Psi - Phi Omega^-1 Phi^T)theta``; the docs' block convention: test covariance of (u, v)
  is (t/s) times the training one, so the test misspecification is ``sum (t/s) theta2 (psi - phi^2/s)``.
* Own numpy Monte Carlo for a non-commuting Sigma' and for a matrix teacher/student problem.
"""

from __future__ import annotations

import subprocess
import sys

import mpmath as M
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import gcm

QS = ("risk", "bias", "variance", "train_error", "kappa")


# ----------------------------------------------------------------------------- reference (mpmath)
def ref(gamma, lam, sigma2, spec, teacher=None, dps=100):
    with M.workdps(dps):
        g, lm, s2 = M.mpf(gamma), M.mpf(lam), M.mpf(sigma2)
        S, T, B, W = [], [], [], []
        tau = taut = M.mpf(0)
        for j, blk in enumerate(spec):
            if teacher is None:
                s, t, b, w = (M.mpf(x) for x in blk)
            else:
                s, t, w = (M.mpf(x) for x in blk)
                psi, phi, th = (M.mpf(x) for x in teacher[j])
                b = phi**2 * th / s**2
                r = th * (psi - phi**2 / s)
                tau += r
                taut += t / s * r
            S.append(s), T.append(t), B.append(b), W.append(w)

        def h(k):
            return 1 - g * M.fsum(w * s / (s + k) for s, w in zip(S, W)) - (lm / k if lm else 0)

        if lm == 0 and g <= 1:
            k = M.mpf(0)
        else:
            hi = M.mpf(1)
            while h(hi) < 0:
                hi *= 4
            lo = hi
            while h(lo) > 0:
                lo /= 4
            for _ in range(int(dps * 3.5) + 60):
                mid = M.sqrt(lo * hi)
                if h(mid) < 0:
                    lo = mid
                else:
                    hi = mid
            k = M.sqrt(lo * hi)
        df2 = g * M.fsum(w * s**2 / (s + k) ** 2 for s, w in zip(S, W))
        dfp = g * M.fsum(w * t * s / (s + k) ** 2 for s, t, w in zip(S, T, W))
        om, noise = 1 - df2, s2 + tau
        b1 = k**2 * M.fsum(b * t / (s + k) ** 2 for s, t, b in zip(S, T, B))
        b2 = k**2 * M.fsum(b * s / (s + k) ** 2 for s, b in zip(S, B))
        if lm == 0 and g == 1:
            var = M.inf if (noise > 0 and dfp > 0) else M.mpf(0)
            bias, Ru = b1, M.inf
        else:
            var, bias, Ru = noise * dfp / om, b1 + b2 * dfp / om, b2 / om + noise * df2 / om
        ratio = ((1 - g) if g < 1 else M.mpf(0)) if lm == 0 else lm / k
        tr = (M.inf if ratio else M.mpf(0)) if Ru == M.inf else ratio**2 * (Ru + noise)
        return {"kappa": k, "bias": bias, "variance": var, "risk": bias + var + taut, "train_error": tr}


def blocks(spec):
    return "blocks:" + ",".join("/".join(b) for b in spec)


def assert_proven_match(g, lam, s2, spec, teacher=None, dps=30, ref_dps=100):
    R = ref(g, lam, s2, spec, teacher, dps=ref_dps)
    for q in QS:
        r = getattr(gcm, q)(g, lam, s2, spectrum=blocks(spec), teacher=blocks(teacher) if teacher else None, dps=dps)
        with M.workdps(ref_dps):
            if R[q] == M.inf:
                assert r.value == M.inf, (q, r.value)
                continue
            v = M.mpf(r.value)
            assert abs(v - R[q]) <= M.mpf(10) ** (2 - dps) * abs(R[q]) + M.mpf(10) ** (-ref_dps + 5), (q, r.value, R[q])
            if r.proven and r.enclosure is not None:
                lo, hi = M.mpf(r.enclosure.lo), M.mpf(r.enclosure.hi)
                slack = M.mpf(10) ** (-ref_dps + 5) * (1 + abs(R[q]))
                assert lo - slack <= R[q] <= hi + slack, (q, "proven enclosure misses the reference", lo, hi, R[q])


# ----------------------------------------------------------------------------- agreements
def test_readme_examples():
    assert_proven_match("0.5", "0.1", "1", [("1", "2", "0.5", "0.5"), ("4", "1", "0.5", "0.5")])
    assert_proven_match("0.7", "0.2", "0.3", [("1", "1.5", "0.5"), ("3", "0.5", "0.5")], [("2", "1", "1"), ("3", "2", "0.5")])


def _drawn(seed):
    rng = np.random.default_rng(seed)
    W = [["1"], ["0.3", "0.7"], ["0.2", "0.3", "0.5"]][seed % 3]
    d = lambda x: f"{x:.3g}"  # noqa: E731
    g = d(10 ** rng.uniform(-1, 0.7))
    lam = "0" if seed % 4 == 0 else d(10 ** rng.uniform(-5, 1))
    if seed % 2:
        spec = [
            (d(10 ** rng.uniform(-2, 2)), d(10 ** rng.uniform(-1, 1)) if rng.random() < 0.8 else "0", d(rng.uniform(0, 2)), w)
            for w in W
        ]
        return g, lam, "0.4", spec, None
    spec, te = [], []
    for w in W:
        s, psi = 10 ** rng.uniform(-1, 1), 10 ** rng.uniform(-1, 1)
        phi = rng.uniform(-0.99, 0.99) * np.sqrt(psi * s)
        spec.append((d(s), d(10 ** rng.uniform(-1, 1)), w))
        te.append((d(psi * 1.01), d(phi), d(rng.uniform(0, 2))))
    return g, lam, "0.4", spec, te


@pytest.mark.parametrize("seed", range(12))
def test_drawn_points_proven(seed):
    assert_proven_match(*_drawn(seed))


HARD = [
    ("1", "0", "1", [("1", "1", "1", "1")]),  # interpolation threshold: variance +inf
    ("2", "0", "0", [("1", "1", "1", "0.5"), ("2", "0", "0", "0.5")]),
    ("0.5", "0", "1", [("1", "2", "1", "0.5"), ("3", "0", "1", "0.5")]),  # k = 0: V = g sum w t/s /(1-g)
    ("2", "0", "1", [("1", "2", "1", "0.5"), ("3", "0", "1", "0.5")]),
    ("2", "1e-40", "1", [("1", "2", "1", "0.5"), ("3", "0", "1", "0.5")]),
    ("0.999999", "0", "1", [("1", "2", "1", "0.5"), ("3", "5", "1", "0.5")]),
    ("1.000001", "0", "1", [("1", "2", "1", "0.5"), ("3", "5", "1", "0.5")]),
    ("0.5", "0.1", "1", [("1e-30", "1e30", "1", "0.5"), ("1e30", "1e-30", "1", "0.5")]),
    ("3", "1e-20", "0", [("1e-20", "1", "1", "0.5"), ("1e20", "1", "1", "0.5")]),
    ("0.5", "1e10", "1", [("1", "2", "1", "0.5"), ("3", "0", "1", "0.5")]),
    ("1e-8", "0.1", "1", [("1", "2", "1", "1")]),
    ("1e8", "0.1", "1", [("1", "2", "1", "1")]),
    ("0.5", "0.1", "1", [("1", "0", "1", "1")]),  # t = 0: zero test risk
]


@pytest.mark.parametrize("case", HARD, ids=[f"h{i}" for i in range(len(HARD))])
def test_hard_points(case):
    assert_proven_match(*case)


def test_threshold_tiny_lambda_high_precision():
    # gamma = 1, lam = 1e-300: kappa ~ 1e-150, 1 - df2 ~ kappa; needs a 700-digit reference
    assert_proven_match("1", "1e-300", "1", [("1", "2", "1", "0.5"), ("3", "0", "1", "0.5")], ref_dps=700)


def test_ridgeless_underparametrized_closed_form():
    # k = 0: bias 0, V' = sigma2 * gamma * sum w t/s / (1 - gamma), train error (1 - gamma) sigma2
    sp = "blocks:2/3/1/0.25,0.5/0.1/2/0.75"
    with M.workdps(40):
        g, s2 = M.mpf("0.4"), M.mpf("0.7")
        V = s2 * g * (M.mpf("0.25") * 3 / 2 + M.mpf("0.75") * M.mpf("0.1") / M.mpf("0.5")) / (1 - g)
        assert abs(M.mpf(gcm.risk("0.4", 0, "0.7", spectrum=sp, dps=30).value) - V) < M.mpf(10) ** -28
        assert abs(M.mpf(gcm.train_error("0.4", 0, "0.7", spectrum=sp, dps=30).value) - (1 - g) * s2) < M.mpf(10) ** -28


TEACHER = [
    ("0.5", "0.1", "1", [("2", "3", "1")], [("4", "0", "1")]),  # phi = 0: pure noise
    ("0.5", "0.1", "1", [("2", "3", "1")], [("2", "2", "1")]),  # teacher = student
    ("2", "0", "0.5", [("2", "3", "0.5"), ("1", "0", "0.5")], [("1", "1", "1"), ("4", "-2", "2")]),  # phi^2 = psi s
    ("1.5", "1e-30", "0", [("2", "3", "0.5"), ("1", "1", "0.5")], [("5", "2", "1"), ("1", "0.5", "1")]),
    ("0.5", "0.1", "1", [("1e-20", "1", "0.5"), ("1e20", "1", "0.5")], [("1", "1e-10", "1"), ("1e-20", "1", "1")]),
    ("1", "0", "0", [("2", "3", "1")], [("4", "0", "1")]),
]


@pytest.mark.parametrize("case", TEACHER, ids=[f"t{i}" for i in range(len(TEACHER))])
def test_teacher_points(case):
    assert_proven_match(*case)


def test_teacher_equal_student_equals_plain_model():
    a = gcm.risk("0.7", "0.2", "0.3", spectrum="blocks:1/1.5/0.5,3/0.5/0.5", teacher="blocks:1/1/2,3/3/0.5", dps=30)
    b = gcm.risk("0.7", "0.2", "0.3", spectrum="blocks:1/1.5/2/0.5,3/0.5/0.5/0.5", dps=30)
    assert abs(M.mpf(a.value) - M.mpf(b.value)) < 1e-28


def test_float64_status0_digits():
    gs = np.array([0.1, 0.5, 0.9, 0.999999, 1.0, 1.000001, 2, 50])
    ls = np.array([0, 1e-12, 1e-3, 0.1, 1e6])
    G, L = (a.ravel() for a in np.meshgrid(gs, ls))
    cases = [
        ("blocks:1e-6/1/1/0.5,1e6/1/1/0.5", None, [("1e-6", "1", "1", "0.5"), ("1e6", "1", "1", "0.5")], None),
        (
            "blocks:2/3/0.5,1/0/0.5",
            "blocks:1/1/1,4/-2/2",
            [("2", "3", "0.5"), ("1", "0", "0.5")],
            [("1", "1", "1"), ("4", "-2", "2")],
        ),
    ]
    n0 = 0
    for sp, te, spec, tl in cases:
        refs = {(g, lm): ref(repr(float(g)), repr(float(lm)), "0.7", spec, tl, dps=50) for g, lm in zip(G, L)}
        for q in QS:
            v, st = gcm.curve_values(q, G, L, 0.7, spectrum=sp, teacher=te)
            for g, lm, vv, s in zip(G, L, v, st):
                if s != 0:
                    continue
                R = refs[(g, lm)][q]
                n0 += 1
                if R == M.inf:
                    assert vv == np.inf
                else:
                    assert abs(vv - float(R)) <= 1e-6 * abs(float(R)) + 1e-300, (sp, q, g, lm, vv, R)
    assert n0 > 300


# ----------------------------------------------------------------------------- matrix API
def _my_matrix_de(St, Ste, beta, n, lam, s2, tau2=0.0):
    p = len(beta)
    Id = np.eye(p)

    def h(k):
        return 1 - np.trace(St @ np.linalg.inv(St + k * Id)) / n - lam / k

    if lam == 0 and p <= n:
        k = 0.0
    else:
        lo, hi = 1e-14, 1.0
        while h(hi) < 0:
            hi *= 4
        for _ in range(200):
            m = np.sqrt(lo * hi)
            lo, hi = (m, hi) if h(m) < 0 else (lo, m)
        k = np.sqrt(lo * hi)
    Rk = np.linalg.inv(St + k * Id)
    df2 = np.trace(St @ Rk @ St @ Rk) / n
    dfp = np.trace(Ste @ St @ Rk @ Rk) / n
    bias = k * k * beta @ Rk @ Ste @ Rk @ beta + k * k * (beta @ Rk @ St @ Rk @ beta) * dfp / (1 - df2)
    var = (s2 + tau2) * dfp / (1 - df2)
    return {"kappa": k, "bias": bias, "variance": var, "risk": bias + var + tau2}


def _noncommuting(p, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((p, p))
    St = A @ A.T / p + 0.1 * np.eye(p)
    Q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    Ste = Q @ np.diag(rng.uniform(0, 3, p)) @ Q.T
    return St, Ste, rng.standard_normal(p) / np.sqrt(p)


@pytest.mark.parametrize("n,lam", [(120, 0.05), (40, 0.0), (40, 0.01), (120, 0.0), (60, 1e-3)])
def test_matrix_api_against_own_formula(n, lam):
    St, Ste, beta = _noncommuting(60, 3)
    a = gcm.deterministic_equivalent(St, Ste, beta, n, lam, 0.5)
    b = _my_matrix_de(St, Ste, beta, n, lam, 0.5)
    for q in b:
        assert abs(a[q] - b[q]) <= 1e-9 * abs(b[q]) + 1e-14, (q, a[q], b[q])


def test_matrix_api_monte_carlo_noncommuting():
    rng = np.random.default_rng(11)
    p, n, lam, s2, reps = 100, 66, 0.1, 0.3, 150
    s = np.where(np.arange(p) < p // 2, 0.5, 2.0)
    Q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    t = np.where(np.arange(p) < p // 2, 3.0, 0.2)
    Ste = 0.5 * np.diag(t[::-1]) + 0.5 * Q @ np.diag(t) @ Q.T
    beta = rng.standard_normal(p)
    beta /= np.sqrt(beta @ beta)
    de = gcm.deterministic_equivalent(np.diag(s), Ste, beta, n, lam, s2)["risk"]
    out = []
    for _ in range(reps):
        X = rng.standard_normal((n, p)) * np.sqrt(s)
        S = X.T @ X / n
        Mi = np.linalg.inv(S + lam * np.eye(p))
        e = -lam * Mi @ beta
        out.append(e @ Ste @ e + s2 / n * np.trace(Ste @ Mi @ S @ Mi))
    m, se = np.mean(out), np.std(out) / np.sqrt(reps)
    assert abs(m - de) < 4 * se + 0.01 * de, (m, se, de)


def test_teacher_student_matrix_monte_carlo():
    rng = np.random.default_rng(5)
    pu, pv, n, lam, s2 = 80, 60, 90, 0.05, 0.2
    A = rng.standard_normal((pu + pv, pu + pv + 20))
    C = A @ A.T / (pu + pv + 20)
    Psi, Phi, Om = C[:pu, :pu], C[:pu, pu:], C[pu:, pu:]
    th = rng.standard_normal(pu) / np.sqrt(pu)
    got = gcm.teacher_student(Psi, Phi, Om, th, n, lam, s2)
    bs = np.linalg.solve(Om, Phi.T @ th)
    tau = th @ Psi @ th - th @ Phi @ bs
    mine = _my_matrix_de(Om, Om, bs, n, lam, s2, tau2=tau)
    assert abs(got["risk"] - mine["risk"]) < 1e-9 * mine["risk"]
    L = np.linalg.cholesky(C)
    out = []
    for _ in range(200):
        Z = rng.standard_normal((n, pu + pv)) @ L.T
        U, V = Z[:, :pu], Z[:, pu:]
        y = U @ th + np.sqrt(s2) * rng.standard_normal(n)
        e = np.linalg.solve(V.T @ V / n + lam * np.eye(pv), V.T @ y / n) - bs
        out.append(e @ Om @ e + tau)
    m, se = np.mean(out), np.std(out) / np.sqrt(len(out))
    assert abs(m - got["risk"]) < 4 * se + 0.01 * got["risk"], (m, se, got["risk"])


# ----------------------------------------------------------------------------- bad inputs
BAD_CLI = [
    ("spectrum=blocks:1/1/1 teacher=blocks:1/2/1", "phi"),  # phi^2 > psi s: no joint covariance
    ("spectrum=blocks:1/-1/1/1", "t[0]"),
    ("spectrum=blocks:0/1/1/1", "s[0]"),
    ("spectrum=blocks:1/1/1/0.5", "weights"),
    ("spectrum=blocks:1/1/1 teacher=blocks:1/nan/1", "phi"),
    ("spectrum=blocks:1/1/1 teacher=blocks:-1/0/1", "psi"),
    ("spectrum=blocks:1/1/1 teacher=blocks:1/1/-1", "theta2"),
]


@pytest.mark.parametrize("args,word", BAD_CLI)
def test_cli_bad_inputs(args, word):
    p = subprocess.run(
        [sys.executable, "-m", "asymptotics", "eval", "gcm", "risk", "gamma=0.5", "lam=0.1", *args.split()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], p.stderr


def test_python_bad_inputs_and_precision():
    with pytest.raises(ParameterError):
        gcm.risk("0.5", "0.1", spectrum="blocks:1/1/1", teacher="blocks:1/1.0000000000000000001/1")
    with pytest.raises(ParameterError):
        gcm.risk("0.5", "inf", spectrum="blocks:1/1/1/1")
    with pytest.raises(ParameterError):
        gcm.deterministic_equivalent(np.diag([1.0, 0.0]), np.eye(2), [1, 1], 4, 0.1)
    old = M.mp.dps
    M.mp.dps = 23
    try:
        gcm.risk("0.5", "0.1", spectrum="blocks:1/2/0.5/0.5,4/1/0.5/0.5", dps=50)
        gcm.train_error("0.5", "0.1", spectrum="blocks:1/2/0.5,4/1/0.5", teacher="blocks:1/1/1,4/1/1", dps=40)
        assert M.mp.dps == 23
    finally:
        M.mp.dps = old


# --- defects (xfail strict: they pass once fixed)
I2, B2 = np.eye(2), np.array([1.0, 1.0])


def test_defect_sigma_test_not_psd():
    with pytest.raises(ParameterError):
        gcm.deterministic_equivalent(I2, -I2, B2, 4, 0.1, 1)


def test_defect_sigma_train_not_symmetric():
    with pytest.raises(ParameterError):
        gcm.deterministic_equivalent(np.array([[1.0, 5.0], [-5.0, 1.0]]), I2, B2, 4, 0.1, 1)


@pytest.mark.parametrize("which", ["Sigma_train", "beta"])
def test_defect_nan_matrix_entries(which):
    St = np.array([[np.nan, 0.0], [0.0, 1.0]]) if which == "Sigma_train" else I2
    b = np.array([np.nan, 1.0]) if which == "beta" else B2
    with np.errstate(all="ignore"), pytest.raises(ParameterError):
        gcm.deterministic_equivalent(St, I2, b, 4, 0.1, 1)


def test_defect_singular_omega():
    with pytest.raises(ParameterError):
        gcm.teacher_student(I2, I2, np.diag([1.0, 0.0]), B2, 4, 0.1, 1)


def test_defect_joint_covariance_not_psd():
    with pytest.raises(ParameterError):
        gcm.teacher_student(I2, np.array([[0.0, 0.0], [0.0, 3.0]]), I2, np.array([1.0, 0.0]), 4, 0.1, 1)


def test_defect_omega_error_names_parameter():
    with pytest.raises(ParameterError, match="Omega"):
        gcm.teacher_student(I2, 0 * I2, -I2, B2, 4, 0.1, 1)


def test_defect_nan_theta_error_names_parameter():
    with np.errstate(all="ignore"), pytest.raises(ParameterError, match="theta"):
        gcm.teacher_student(I2, 0 * I2, I2, np.array([np.nan, 0.0]), 4, 0.1, 1)
