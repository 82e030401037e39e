"""Deep NNGP/NTK kernels (``nngp:ACT,L``, ``ntk:ACT,L``) and the first-layer NT kernel (``nt:ACT``).

Expected values come from routes that do not use asymptotics/deep_kernels.py: the angle form of the
iterated arc-cosine kernel (Cho & Saul 2009), two-dimensional Gauss–Hermite quadrature of the dual
activation written here, mpmath's own Hermite and Gegenbauer functions, the L = 1 kernels of
asymptotics/kernels.py, exact rational variances, and wide random networks (Monte Carlo).
"""

import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.kernels import get_kernel, harmonic_count

mpf = mpmath.mpf


def close(a, b, digits):
    a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
    return abs(a - b) <= mpf(10) ** (-digits) * max(abs(b), mpf(10) ** -300)


# ---------------------------------------------------------------- independent references
def arccos_angle_kernel(s, depth, ntk):
    """Cho & Saul's iterated arc-cosine kernel of degree 1 in angle form, σ_w² = 2 (so q = 1 at every layer):
    cos θ_l = (sin θ_{l−1} + (π − θ_{l−1}) cos θ_{l−1})/π, Θ_l = cos θ_l + Θ_{l−1}(π − θ_{l−1})/π."""
    theta = mpmath.acos(s)
    ker, ntk_val = mpmath.cos(theta), mpmath.cos(theta)
    for _ in range(depth):
        new = (mpmath.sin(theta) + (mpmath.pi - theta) * mpmath.cos(theta)) / mpmath.pi
        ntk_val = new + ntk_val * (mpmath.pi - theta) / mpmath.pi
        theta = mpmath.acos(min(new, mpf(1)))
        ker = new
    return ntk_val if ntk else ker


def gauss_dual(f, q, rho, nodes=120):
    """E[f(u)f(v)], (u, v) centred Gaussian, variances q, correlation rho: Gauss–Hermite (numpy) in two dimensions."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / np.sqrt(2 * np.pi)
    g1, g2 = np.meshgrid(x, x, indexing="ij")
    u = np.sqrt(q) * g1
    v = np.sqrt(q) * (rho * g1 + np.sqrt(1 - rho * rho) * g2)
    return float(np.sum(np.outer(w, w) * f(u) * f(v)))


def relu_dual(q, c):
    """E[relu(u)relu(v)], Var u = Var v = q, Cov = c: the inner Gaussian mean E relu(N(m, σ²)) = mΦ(m/σ) + σφ(m/σ)
    in closed form, the outer integral over u > 0 by mpmath quadrature."""
    rho = c / q
    sd = mpmath.sqrt(1 - rho * rho)

    def inner(g):
        m = rho * g
        return mpmath.sqrt(q) * (m * mpmath.ncdf(m / sd) + sd * mpmath.npdf(m / sd))

    return mpmath.quad(lambda g: mpmath.sqrt(q) * g * inner(g) * mpmath.npdf(g), [0, mpmath.inf])


def he_coefficient(f, k):
    """a_k = E f(G) He_k(G), He_k(x) = 2^{−k/2} H_k(x/√2), by mpmath quadrature."""

    def g(x):
        return f(x) * mpmath.hermite(k, x / mpmath.sqrt(2)) * 2 ** (-mpf(k) / 2) * mpmath.npdf(x)

    return mpmath.quad(g, [-mpmath.inf, 0, mpmath.inf])


# ---------------------------------------------------------------- L = 1 is today's two-layer kernel
@pytest.mark.parametrize("kind, base", [("nngp", "relu_nngp"), ("ntk", "relu_ntk")])
def test_depth_one_is_the_two_layer_kernel(kind, base):
    deep, ref = get_kernel(f"{kind}:relu,1"), get_kernel(base)
    assert deep.name == f"{kind}:relu,1"
    with mpmath.workdps(40):
        for d, ell in ((3, 0), (7, 2), (20, 5)):
            assert deep.eigenvalue(d, ell) == ref.eigenvalue(d, ell)
        for ell in range(4):
            assert deep.xi(ell) == ref.xi(ell)
        assert deep.h1() == ref.h1()


def test_relu_deep_matches_arccos_angle_form():
    with mpmath.workdps(40):
        for depth in (2, 3, 5):
            for kind in ("nngp", "ntk"):
                k = get_kernel(f"{kind}:relu,{depth},sw2=2")
                for s in ("-0.9", "-0.3", "0", "0.4", "0.95", "0.999999", "1"):
                    with mpmath.workdps(100):  # acos loses half the digits near 1: the reference works at 100
                        ref = arccos_angle_kernel(mpf(s), depth, kind == "ntk")
                    assert close(k.mp(mpf(s)), ref, 35)
                    assert abs(k.np(float(s)) - float(ref)) < 1e-12


def test_relu_h1_exact_variances():
    """σ_w² = 2 keeps q = 1 (NNGP h(1) = 1, NTK h(1) = L + 1); otherwise q_l = σ_w² q_{l−1}/2 + σ_b²."""
    with mpmath.workdps(30):
        for depth in (1, 2, 4):
            assert get_kernel(f"nngp:relu,{depth},sw2=2").h1() == 1
            assert close(get_kernel(f"ntk:relu,{depth},sw2=2").h1(), depth + 1, 28)
        q = [mpf(1)]
        for _ in range(3):
            q.append(3 * q[-1] / 2 + mpf(1) / 10)
        assert close(get_kernel("nngp:relu,3,sw2=3,sb2=0.1").h1(), q[3], 28)
        theta = mpf(1)  # Θ(1) = q_l + Θ(1)·σ_w²/2
        for ql in q[1:]:
            theta = ql + theta * 3 / 2
        assert close(get_kernel("ntk:relu,3,sw2=3,sb2=1/10").h1(), theta, 28)


def test_relu_bias_against_two_dimensional_quadrature():
    """Σ^{(2)}(s) with σ_b² > 0 from a Gaussian integral of relu at the layer-1 variance and covariance."""
    k = get_kernel("nngp:relu,2,sw2=3/2,sb2=1/5")
    with mpmath.workdps(30):
        sw2, sb2 = mpf(3) / 2, mpf(1) / 5
        for s in (mpf("0.3"), mpf("-0.7")):
            q1 = sw2 / 2 + sb2
            c1 = sw2 * relu_dual(mpf(1), s) + sb2
            ref = sw2 * relu_dual(q1, c1) + sb2
            assert close(k.mp(s), ref, 25)


# ---------------------------------------------------------------- Taylor coefficients
def test_xi_nonnegative_and_series_sums_to_h():
    with mpmath.workdps(30):
        for text in ("nngp:relu,3", "ntk:relu,2,sw2=2,sb2=1/4", "nt:relu"):
            k = get_kernel(text)
            xi = [k.xi(j) for j in range(31)]
            assert all(x >= 0 for x in xi)
            assert sum(xi) <= k.h1() * (1 + mpf(10) ** -25)
            s = mpf(1) / 4  # 0 ≤ h(s) − Σ_{k≤30} ξ_k s^k ≤ h(1)·4^{−31}
            assert 0 <= k.mp(s) - mpmath.polyval(xi[::-1], s) <= k.h1() * mpf(4) ** -31


def test_nt_relu_is_the_first_layer_of_relu_ntk():
    nt, ntk, nngp = get_kernel("nt:relu"), get_kernel("relu_ntk"), get_kernel("relu_nngp")
    with mpmath.workdps(30):
        for j in range(6):
            assert close(nt.xi(j), ntk.xi(j) - nngp.xi(j), 28) or nt.xi(j) == ntk.xi(j) - nngp.xi(j)
        for d, ell in ((5, 0), (5, 3), (20, 2)):
            want = ntk.eigenvalue(d, ell)[0] - nngp.eigenvalue(d, ell)[0]
            assert close(nt.eigenvalue(d, ell)[0], want, 25)
        assert nt.h1() == mpf(1) / 2


def test_nt_tanh_xi_from_hermite_coefficients():
    """ξ_k = a_k²/(k−1)! (k ≥ 1): s·E[σ'(u)σ'(v)] with a_{k}(σ) = E σ'(G) He_{k−1}(G) (Stein)."""
    k = get_kernel("nt:tanh")
    with mpmath.workdps(20):
        for j in range(1, 5):
            a = he_coefficient(mpmath.tanh, j)
            assert close(k.xi(j), a * a / math.factorial(j - 1), 18) or abs(k.xi(j)) < mpf(10) ** -20
        assert k.xi(0) == 0
        assert close(k.h1(), mpmath.quad(lambda x: mpmath.sech(x) ** 4 * mpmath.npdf(x), [-mpmath.inf, mpmath.inf]), 18)


@pytest.mark.slow
def test_tanh_depth_two_against_two_dimensional_quadrature():
    """nngp/ntk:tanh,2 at s = 0.5: the Taylor series (odd activation: Σ(0) = 0) against Gauss–Hermite duals."""
    s = 0.5
    q1 = gauss_dual(np.tanh, 1.0, 1.0)
    c1 = gauss_dual(np.tanh, 1.0, s)

    def dsech(x):
        return 1 / np.cosh(x) ** 2

    nngp_ref = gauss_dual(np.tanh, q1, c1 / q1)
    ntk_ref = nngp_ref + (c1 + s * gauss_dual(dsech, 1.0, s)) * gauss_dual(dsech, q1, c1 / q1)
    q2 = gauss_dual(np.tanh, q1, 1.0)
    theta1 = q1 + gauss_dual(dsech, 1.0, 1.0)
    h1_refs = {"nngp:tanh,2": q2, "ntk:tanh,2": q2 + theta1 * gauss_dual(dsech, q1, 1.0)}
    with mpmath.workdps(15):
        for text, ref in (("nngp:tanh,2", nngp_ref), ("ntk:tanh,2", ntk_ref)):
            k = get_kernel(text)
            xi = [k.xi(j) for j in range(24)]  # odd terms only; the tail beyond 23 is below h(1)·2^{−25}
            assert all(x >= 0 for x in xi)
            assert abs(float(mpmath.polyval(xi[::-1], mpf(s))) - ref) < 1e-7
            assert abs(float(k.h1()) - h1_refs[text]) < 1e-9


# ---------------------------------------------------------------- finite-d eigenvalues
def test_eigenvalues_vs_independent_funk_hecke():
    k = get_kernel("ntk:relu,3")
    d = 7
    nu = mpf(d - 2) / 2
    with mpmath.workdps(15):
        z = mpmath.quad(lambda s: (1 - s * s) ** ((d - 3) / mpf(2)), [-1, 1])
        for ell in (0, 2, 5):

            def g(s, ell=ell):
                return k.mp(s) * mpmath.gegenbauer(ell, nu, s) / mpmath.gegenbauer(ell, nu, 1)

            ref = mpmath.quad(lambda s: g(s) * (1 - s * s) ** ((d - 3) / mpf(2)), [-1, 0, 1]) / z
            assert close(k.eigenvalue(d, ell)[0], ref, 12)


def _sphere_mean_in_t(f, d):
    """E f(s) over the cosine law of S^{d−1} by mpmath.quad: |s| ≤ 3/4 in s, the ends s = ±(1 − t²), 0 ≤ t ≤ 1/2, in t."""
    e = mpf(d - 3) / 2
    mid = mpmath.quad(lambda s: f(s) * (1 - s * s) ** e, [-mpf(3) / 4, 0, mpf(3) / 4])
    ends = sum(
        mpmath.quad(lambda t, g=g: f(g * (1 - t * t)) * 2 * t ** (d - 2) * (2 - t * t) ** e, [0, mpf(1) / 2]) for g in (1, -1)
    )
    return (mid + ends) / mpmath.quad(lambda s: (1 - s * s) ** e, [-1, 1])


def test_high_level_eigenvalue_and_second_moment_vs_independent_quadrature():
    """μ_40 at d = 12 (13 digits cancel) and E h² against mpmath.quad of the angle form with the Gegenbauer
    recurrence written here (Q_ℓ(1) = 1), in the variables where the integrand is smooth."""
    k = get_kernel("ntk:relu,3,sw2=2")
    d, ell = 12, 40

    def q(s):
        a, b = mpf(1), s
        for j in range(1, ell):
            a, b = b, ((2 * j + d - 2) * s * b - j * a) / (j + d - 2)
        return b

    with mpmath.workdps(45):
        ref = _sphere_mean_in_t(lambda s: arccos_angle_kernel(s, 3, True) * q(s), d)
        ref2 = _sphere_mean_in_t(lambda s: arccos_angle_kernel(s, 3, True) ** 2, d)
    with mpmath.workdps(30):
        assert abs(ref) < mpf(10) ** -12  # the cancellation is real
        assert close(k.eigenvalue(d, ell)[0], ref, 20)
        assert close(k.second_moment(d), ref2, 28)


def test_deep_proof_stops_before_any_quadrature(monkeypatch):
    """No ball route for deep finite-d eigenvalues: the proof says NotProven before the mpmath solve of its rung."""
    from asymptotics.ball import NotProven
    from asymptotics.models import krr

    def boom(*args, **kwargs):
        raise AssertionError("the proof ran the mpmath solve")

    monkeypatch.setattr(krr, "_solve_mp", boom)
    with pytest.raises(NotProven, match="no ball route"):
        krr._solve_ball(krr.KRRParams(20, 400, "ntk:relu,3"), "risk", {}, 30)


def test_issue_request_ntk_relu_3_at_d20():
    """The issue's `eval krr risk d=20 n=400 kernel=ntk:relu,3` (it ran past the 10 s budget before): the value of
    the pure-mpmath quadrature of commit 8daac58 (computed there with a 900 s budget), every digit; proven=False."""
    from asymptotics.models import krr

    r = krr.risk(d=20, n=400, kernel="ntk:relu,3")
    assert not r.proven
    with mpmath.workdps(40):
        assert close(r.value, mpf("0.00800294659125271890486216888048"), 29)


def test_nt_relu_finite_d_risk_is_proven():
    """nt:relu: closed-form ball eigenvalues plus E h² by rigorous integration of relu_ntk − relu_nngp on balls.
    References: E h² by mpmath.quad of s(π − arccos s)/(2π) written here; the risk from the text kernel
    `s*(pi-acos(s))/(2*pi)` (the generic Funk–Hecke route, 10 s, run once: 0.0032886520104583868115402995049...)."""
    from asymptotics.ball import to_mpmath, workprec
    from asymptotics.models import krr

    k = get_kernel("nt:relu")
    with mpmath.workdps(40):
        ref = _sphere_mean_in_t(lambda s: (s * (mpmath.pi - mpmath.acos(s)) / (2 * mpmath.pi)) ** 2, 20)
    with workprec(120):
        ball = k.ball_second_moment(20)
    with mpmath.workdps(40):  # the ball holds the reference (up to the reference's own last digits)
        assert abs(to_mpmath(ball) - ref) <= to_mpmath(ball.v.rad()) + mpf(10) ** -35
        assert to_mpmath(ball.v.rad()) < mpf(10) ** -18
    r = krr.risk(d=20, n=400, kernel="nt:relu", lam="1/10", dps=20)
    assert r.proven
    with mpmath.workdps(40):
        assert close(r.value, mpf("0.0032886520104583868115402995"), 19)


def test_trace_identity_at_d3():
    """Σ_ℓ B(3, ℓ)μ_ℓ = h(1); the tail beyond ℓ = 31 is below h(1) − partial sum, which must be small and > 0."""
    k = get_kernel("nngp:relu,2,sw2=2")
    with mpmath.workdps(20):
        part = sum(harmonic_count(3, ell) * k.eigenvalue(3, ell)[0] for ell in range(32))
        assert 0 < k.h1() - part < mpf("0.01")


# ---------------------------------------------------------------- wide random networks
def empirical(x, y, depth, n_width, sw2, sb2, rng):
    """NNGP (last-layer features) and NTK (gradient inner products) of one random ReLU network, NTK parametrization."""
    d = x.size
    hx, hy = [], []
    w1 = rng.standard_normal((n_width, d))
    a, b = w1 @ x / np.sqrt(d), w1 @ y / np.sqrt(d)
    pre, post, weights = [(a, b)], [(np.maximum(a, 0), np.maximum(b, 0))], []
    for _ in range(depth - 1):
        w = rng.standard_normal((n_width, n_width))
        bias = rng.standard_normal(n_width)
        a = np.sqrt(sw2) * w @ post[-1][0] / np.sqrt(n_width) + np.sqrt(sb2) * bias
        b = np.sqrt(sw2) * w @ post[-1][1] / np.sqrt(n_width) + np.sqrt(sb2) * bias
        weights.append(w)
        pre.append((a, b))
        post.append((np.maximum(a, 0), np.maximum(b, 0)))
    v = rng.standard_normal(n_width)
    nngp = sw2 * post[-1][0] @ post[-1][1] / n_width + sb2
    ntk = nngp
    dx = np.sqrt(sw2) * v / np.sqrt(n_width) * (pre[-1][0] > 0)
    dy = np.sqrt(sw2) * v / np.sqrt(n_width) * (pre[-1][1] > 0)
    for layer in range(depth - 1, -1, -1):
        if layer == 0:
            ntk += (x @ y / d) * (dx @ dy)
        else:
            ntk += (sw2 * post[layer - 1][0] @ post[layer - 1][1] / n_width + sb2) * (dx @ dy)
            w = weights[layer - 1]
            dx = np.sqrt(sw2) * (w.T @ dx) / np.sqrt(n_width) * (pre[layer - 1][0] > 0)
            dy = np.sqrt(sw2) * (w.T @ dy) / np.sqrt(n_width) * (pre[layer - 1][1] > 0)
    del hx, hy
    return nngp, ntk


@pytest.mark.slow
def test_wide_network_monte_carlo():
    rng = np.random.default_rng(18)
    d, depth, width, reps = 10, 3, 1000, 12
    sw2, sb2 = 2.0, 0.1
    kn, kt = get_kernel("nngp:relu,3,sw2=2,sb2=1/10"), get_kernel("ntk:relu,3,sw2=2,sb2=1/10")
    for cos in (0.6, -0.2):
        x = rng.standard_normal(d)
        x *= np.sqrt(d) / np.linalg.norm(x)
        z = rng.standard_normal(d)
        z -= (z @ x) / d * x
        z *= np.sqrt(d) / np.linalg.norm(z)
        y = cos * x + np.sqrt(1 - cos * cos) * z
        vals = np.array([empirical(x, y, depth, width, sw2, sb2, rng) for _ in range(reps)])
        mean, se = vals.mean(axis=0), vals.std(axis=0, ddof=1) / np.sqrt(reps)
        for j, k in enumerate((kn, kt)):
            want = float(k.np(np.float64(x @ y / d)))
            assert abs(mean[j] - want) <= 4 * se[j] + 0.02 * want, (k.name, cos, mean[j], want, se[j])


# ---------------------------------------------------------------- certified quantities and errors
def test_risk_asymptotic_is_proven_for_deep_relu():
    from asymptotics.models import krr

    r = krr.risk_asymptotic(alpha=2, level=1, kernel="ntk:relu,3", F="0,1,1", dps=20)
    assert r.proven
    assert 0 < r.value < 2


@pytest.mark.slow
def test_cli_xi_deep_tanh():
    out = subprocess.run(
        [sys.executable, "-m", "asymptotics", "eval", "krr", "xi", "level=3", "kernel=nngp:tanh,2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    a1 = he_coefficient(mpmath.tanh, 1)
    a3 = he_coefficient(mpmath.tanh, 3)
    q1 = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, mpmath.inf])

    # ξ_3 of Σ² = E tanh-dual at variance q1 composed with ρ = Σ¹(s)/q1: c1·ρ_3 + c3·ρ_1³ (ρ_0 = ρ_2 = 0)
    def g(k):
        return mpmath.quad(
            lambda x: (
                mpmath.tanh(mpmath.sqrt(q1) * x) * mpmath.hermite(k, x / mpmath.sqrt(2)) * 2 ** (-mpf(k) / 2) * mpmath.npdf(x)
            ),
            [-mpmath.inf, 0, mpmath.inf],
        )

    b1, b3 = g(1), g(3)
    rho1, rho3 = a1**2 / q1, a3**2 / 6 / q1
    want = b1**2 * rho3 + b3**2 / 6 * rho1**3
    assert close(mpf(out.stdout.split()[0]), want, 12)


@pytest.mark.parametrize(
    "text",
    [
        "ntk:relu,21",
        "ntk:relu,0",
        "nngp:relu",
        "ntk:relu,2,sw2=0",
        "ntk:relu,2,sb2=-1",
        "ntk:relu,2,foo=1",
        "nt:relu,sw2=2",
        "nngp:nosuch,2",
    ],
)
def test_bad_text_names_kernel(text):
    with pytest.raises(ParameterError, match="kernel"):
        get_kernel(text)


def test_unsupported_routes_say_so():
    with pytest.raises(ParameterError, match="kernel"):
        get_kernel("nngp:softplus,2")
    with pytest.raises(ParameterError, match="kernel"):
        get_kernel("ntk:tanh,2,sb2=1")
    with pytest.raises(ParameterError, match="kernel"):
        with mpmath.workdps(15):
            get_kernel("nngp:tanh,2").eigenvalue(5, 1)
