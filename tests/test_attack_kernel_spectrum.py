"""Independent attack on the krr kernel-matrix spectrum quantities (issue 18) and the empirical-kernel simulator.

Every reference value here is recomputed from the mathematics, not from the code under test:

* the Marchenko–Pastur law of ``(1/B) Y Yᵀ`` (``Y`` n × B, unit-variance entries, ratio ``γ = n/B``):
  density ``√((b−t)(t−a))/(2πσ²γt)``, ``a, b = σ²(1 ∓ √γ)²``, atom ``(1 − 1/γ)_+`` at 0; its Stieltjes
  transform ``∫ dμ(x)/(x − w)`` by mpmath quadrature (``x = c + r cos θ`` removes the edge square roots);
* the limit law of ``K = (h(⟨xᵢ,xⱼ⟩/d))`` (El Karoui 2010 at level 1; Misiakiewicz 2022 / Lu & Yau 2022):
  ``κ_{>ℓ} + ξ_ℓ·MP(α)``, ``ξ_k = h^{(k)}(0)/k!`` (Taylor coefficients computed by hand), ``κ_{>ℓ} = h(1) − Σ_{k≤ℓ}ξ_k``;
* the finite-d per-level law: ``μ_{d,k} = E[h(s)P_k(s)]`` with ``P_k`` the Gegenbauer polynomial ``C_k^{(d−2)/2}``
  normalised to ``P_k(1) = 1`` and ``s`` of density ``∝ (1 − s²)^{(d−3)/2}``, computed by mpmath quadrature;
* a numpy simulation of ``K`` (own sampler), Kolmogorov distance and spike counts;
* the Cho–Saul arc-cosine recursion for deep ReLU NNGP/NTK (Arora et al. 2019 layer recursion).
"""

from __future__ import annotations

from math import comb

import mpmath as mp
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import _kernel_spectrum as KS

E = mp.e


# ----------------------------------------------------------------------------- references
def B(d: int, k: int) -> int:
    if k == 0:
        return 1
    if k == 1:
        return d
    return comb(d + k - 1, k) - comb(d + k - 3, k - 2)


def mp_edges(g, s2):
    return s2 * (1 - mp.sqrt(g)) ** 2, s2 * (1 + mp.sqrt(g)) ** 2


def mp_density(t, g, s2):
    a, b = mp_edges(g, s2)
    if t <= a or t >= b:
        return mp.mpf(0)
    return mp.sqrt((b - t) * (t - a)) / (2 * mp.pi * s2 * g * t)


def mp_stieltjes(w, g, s2):
    """∫ρ(x)dx/(x − w) + atom/(0 − w), by quadrature."""
    a, b = mp_edges(g, s2)
    c, r = (a + b) / 2, (b - a) / 2

    def f(th):
        x = c + r * mp.cos(th)
        return (r * mp.sin(th)) ** 2 / (2 * mp.pi * s2 * g * x) / (x - w)

    val = mp.quad(f, [0, mp.pi / 4, mp.pi / 2, 3 * mp.pi / 4, mp.pi])
    if g > 1:
        val += (1 - 1 / mp.mpf(g)) / (0 - w)
    # polish: the MP quadratic γσ²w m² + (w − σ²(1−γ)) m + 1 = 0; the quadrature (inaccurate near the real axis
    # inside the support) only picks the root
    A, Bq = g * s2 * w, w - s2 * (1 - g)
    roots = [(-Bq + sg * mp.sqrt(Bq**2 - 4 * A)) / (2 * A) for sg in (1, -1)]
    if mp.im(w) != 0:  # Herglotz: Im m and Im w share their sign
        best = [m for m in roots if mp.im(m) * mp.im(w) > 0]
        assert len(best) == 1
        return best[0]
    best = min(roots, key=lambda m: abs(m - val))
    assert abs(best - val) < 1e-2 * abs(best)
    return mp.re(best)


def mp_cdf(t, g, s2):
    """CDF of the continuous part, normalised to the continuous mass (min(1, 1/γ))."""
    a, b = mp_edges(g, s2)
    if t <= a:
        return mp.mpf(0)
    if t >= b:
        return mp.mpf(1)
    mass = min(mp.mpf(1), 1 / mp.mpf(g))
    return mp.quad(lambda x: mp_density(x, g, s2), [a, t]) / mass


def gegen_mu(h, d, k):
    nu = mp.mpf(d - 2) / 2
    w = lambda s: (1 - s * s) ** (mp.mpf(d - 3) / 2)  # noqa: E731
    Z = mp.quad(w, [-1, 0, 1])
    P1 = mp.gegenbauer(k, nu, 1)
    return mp.quad(lambda s: h(s) * mp.gegenbauer(k, nu, s) / P1 * w(s), [-1, 0, 1]) / Z


def relu_nngp(s):
    return (mp.sqrt(1 - s * s) + (mp.pi - mp.acos(s)) * s) / (2 * mp.pi)


# Taylor data by hand: exp: ξ_k = 1/k!, h(1) = e.  relu_nngp: h(0) = 1/(2π), h'(0) = 1/4,
# h''(0)/2 = 1/(4π) (√(1−s²) = 1 − s²/2 …, (π − arccos s)s = πs/2 + s² + …), h(1) = 1/2.
def law(kernel, level, alpha, d=None):
    """(γ, σ², κ) of the bulk."""
    al = mp.mpf(alpha)
    if d is None:
        if kernel == "exp":
            xi = [1 / mp.factorial(k) for k in range(level + 1)]
            h1 = E
        else:
            xi = [1 / (2 * mp.pi), mp.mpf(1) / 4, 1 / (4 * mp.pi)][: level + 1]
            h1 = mp.mpf(1) / 2
        return al, xi[level], h1 - mp.fsum(xi)
    h = mp.exp if kernel == "exp" else relu_nngp
    h1 = E if kernel == "exp" else mp.mpf(1) / 2
    parts = [B(d, k) * gegen_mu(h, d, k) for k in range(level + 1)]
    g = al - mp.mpf(sum(B(d, k) for k in range(level))) / B(d, level)
    return g, parts[level], h1 - mp.fsum(parts)


def close(a, b, rel):
    a, b = mp.mpmathify(a), mp.mpmathify(b)
    return abs(a - b) <= rel * max(abs(b), mp.mpf(10) ** -300)


# ----------------------------------------------------------------------------- density, d -> inf
@pytest.mark.parametrize(
    "kernel,level,alpha,x",
    [
        ("exp", 2, "0.5", "1"),
        ("exp", 2, "1", "1"),
        ("exp", 2, "3", "2.5"),
        ("exp", 1, "0.25", "1.2"),
        ("exp", 3, "2", "0.3"),
        ("relu_nngp", 1, "3", "0.7"),
        ("relu_nngp", 2, "0.5", "0.2"),
        ("exp", 2, "1e-6", "0.718281828"),
        ("exp", 2, "1000", "400"),
    ],
)
def test_density_limit_digits(kernel, level, alpha, x):
    with mp.workdps(45):
        g, s2, kap = law(kernel, level, alpha)
        ref = mp_density(mp.mpf(x) - kap, g, s2)
    r = KS.kernel_density(x=x, alpha=alpha, level=level, kernel=kernel, dps=30)
    assert close(r.value, ref, mp.mpf(10) ** -29) if ref != 0 else r.value == 0
    assert r.proven


def test_density_outside_is_zero_and_hard_edge():
    for x in ["100", "-5", "0.2"]:
        assert KS.kernel_density(x=x, alpha="0.5", level=2, kernel="exp").value == 0
    # α > 1: the atom at κ is not in the density
    assert KS.kernel_density(x="0.218281828459045", alpha="2", level=2, kernel="exp").value == 0


@pytest.mark.parametrize("d,kernel,level,alpha,x", [(20, "exp", 2, "0.5", "1"), (30, "relu_nngp", 1, "3", "0.7"),
                                                    (25, "exp", 1, "2", "1.5")])
def test_density_finite_d_digits(d, kernel, level, alpha, x):
    with mp.workdps(40):
        g, s2, kap = law(kernel, level, alpha, d)
        ref = mp_density(mp.mpf(x) - kap, g, s2)
    r = KS.kernel_density(x=x, alpha=alpha, level=level, kernel=kernel, d=d, dps=25)
    assert close(r.value, ref, mp.mpf(10) ** -24)


# ----------------------------------------------------------------------------- edges x within a ball radius
@pytest.mark.parametrize("which,alpha", [("lo", "1/2"), ("hi", "1/2"), ("kappa", "1")])
def test_density_at_edge_to_50_digits(which, alpha):
    with mp.workdps(60):
        g, s2, kap = law("exp", 2, mp.mpf(1) / 2 if alpha == "1/2" else 1)
        a, b = mp_edges(g, s2)
        x = {"lo": kap + a, "hi": kap + b, "kappa": kap}[which]
        xs = mp.nstr(x, 50)
    r = KS.kernel_density(x=xs, alpha=alpha, level=2, kernel="exp")
    # soft edge: density ~ sqrt(1e-50) ~ 1e-25 or 0; hard edge (α = 1 at κ): ~ 1e25 or inf
    v = mp.mpf(r.value)
    assert (v < 1e-20) if which != "kappa" else (v > 1e20)


# ----------------------------------------------------------------------------- Stieltjes
@pytest.mark.parametrize(
    "z,alpha",
    [
        ("1+0.5j", "0.5"),
        ("1-0.5j", "0.5"),
        ("0.5+0.001j", "2"),
        (-1, "0.5"),
        ("0.3", "2"),  # real z in the gap between the atom (κ) and the bulk
        (0, "2"),  # real z below the atom
        ("5", "3"),  # right of the bulk
        ("0+1j", "1000000"),
        ("1+1j", "1e-6"),
    ],
)
def test_stieltjes_digits(z, alpha):
    with mp.workdps(45):
        g, s2, kap = law("exp", 2, alpha)
        zz = mp.mpmathify(z)
        ref = mp_stieltjes(zz - kap, g, s2)
    r = KS.kernel_stieltjes(z=z, alpha=alpha, level=2, kernel="exp", dps=30)
    assert close(mp.mpmathify(r.value), ref, mp.mpf(10) ** -28)
    assert r.proven


def test_stieltjes_near_hard_edge_closed_form():
    # α = 1: σ² w m² + w m + 1 = 0, root with Im m > 0
    with mp.workdps(50):
        _, s2, kap = law("exp", 2, 1)
        w = mp.mpc(0, mp.mpf(10) ** -10)
        disc = mp.sqrt(w * w - 4 * s2 * w)
        roots = [(-w + disc) / (2 * s2 * w), (-w - disc) / (2 * s2 * w)]
        ref = [m for m in roots if mp.im(m) > 0][0]
        z = mp.nstr(kap, 45) + "+1e-10j"
    r = KS.kernel_stieltjes(z=z, alpha="1", level=2, kernel="exp", dps=25)
    assert close(mp.mpmathify(r.value), ref, mp.mpf(10) ** -20)


@pytest.mark.parametrize("z,alpha", [("1", "0.5"), ("1+0j", "0.5"), ("0.21828182845904523536", "2"),
                                     ("0.21828182845904523536", "1")])
def test_stieltjes_real_on_support_refused(z, alpha):
    # z = κ to 20 digits: just below κ (κ = 0.21828182845904523536028…), off the atom / hard edge: a real value
    if z.startswith("0.218"):
        with mp.workdps(45):
            g, s2, kap = law("exp", 2, alpha)
            w = mp.mpf(z) - kap
            if g == 1:  # σ²w m² + w m + 1 = 0, the positive root below the support
                ref = max((-w + sg * mp.sqrt(w * w - 4 * s2 * w)) / (2 * s2 * w) for sg in (1, -1))
            else:
                ref = mp_stieltjes(w, g, s2)
        r = KS.kernel_stieltjes(z=z, alpha=alpha, level=2, kernel="exp", dps=20)
        assert close(mp.mpmathify(r.value), ref, mp.mpf(10) ** -18)
        return
    with pytest.raises(ParameterError, match="z"):
        KS.kernel_stieltjes(z=z, alpha=alpha, level=2, kernel="exp")


# ----------------------------------------------------------------------------- edges, spikes
@pytest.mark.parametrize("alpha,level,kernel", [("0.5", 2, "exp"), ("1e30", 2, "exp"), ("4", 1, "relu_nngp")])
def test_edges_digits(alpha, level, kernel):
    with mp.workdps(60):
        g, s2, kap = law(kernel, level, alpha)
        a, b = mp_edges(g, s2)
        a, b = kap + a, kap + b
    r = KS.kernel_edges(alpha=alpha, level=level, kernel=kernel, dps=30)
    lo, hi = r.value
    assert close(lo, a, mp.mpf(10) ** -29) and close(hi, b, mp.mpf(10) ** -29)
    assert r.proven


@pytest.mark.parametrize("d,k,kernel", [(20, 0, "exp"), (20, 1, "exp"), (33, 1, "relu_nngp")])
def test_spike_digits(d, k, kernel):
    h = mp.exp if kernel == "exp" else relu_nngp
    with mp.workdps(40):
        n = mp.mpf(B(d, 2)) / 2
        mus = [gegen_mu(h, d, j) for j in range(k + 1)]
        h1 = E if kernel == "exp" else mp.mpf(1) / 2
        ref = n * mus[k] + h1 - mp.fsum(B(d, j) * mus[j] for j in range(k + 1))
    r = KS.kernel_spike(d=d, alpha="0.5", level=2, k=k, kernel=kernel, dps=28)
    assert close(r.value, ref, mp.mpf(10) ** -27)


# ----------------------------------------------------------------------------- bad inputs, degenerate kernels
@pytest.mark.parametrize(
    "kw,name",
    [
        (dict(x=1, alpha=0, level=2), "alpha"),
        (dict(x=1, alpha=-1, level=2), "alpha"),
        (dict(x=1, alpha="0.5", level=0), "level"),
        (dict(x=1, alpha="0.5", level=51), "level"),
        (dict(x=1, alpha="0.5", level=2, d=1), "d"),
        (dict(x=1, alpha="0.5", level=2, d=3), "alpha"),  # n <= N_{<2} = 4
        (dict(x=float("nan"), alpha="0.5", level=2), "x"),
        (dict(x=1, alpha="0.5", level=3, kernel="relu_nngp"), "xi_3"),  # odd part of relu_nngp is s/4
        (dict(x=1, alpha="0.5", level=1, kernel="cosh(s)"), "xi_1"),  # even kernel, odd level
        (dict(x=1, alpha="0.5", level=3, kernel="poly:2"), "xi_3"),
    ],
)
def test_bad_inputs(kw, name):
    with pytest.raises(ParameterError, match=name):
        KS.kernel_density(**kw)


def test_finite_d_odd_level_of_relu_refused():
    # μ_{d,3} = 0 exactly for relu_nngp (odd part s/4 has degree 1): no bulk at any d
    with mp.workdps(30):
        assert abs(gegen_mu(relu_nngp, 20, 3)) < mp.mpf(10) ** -25
    with pytest.raises(ParameterError):
        KS.kernel_density(x="0.5", alpha="2", level=3, kernel="relu_nngp", d=20)


def test_caller_precision_unchanged():
    with mp.workdps(17):
        KS.kernel_density(x=1, alpha="0.5", level=2, kernel="exp", dps=40)
        KS.kernel_stieltjes(z=complex(1, 1), alpha="0.5", level=2, kernel="exp", dps=40)
        assert mp.mp.dps == 17


# ----------------------------------------------------------------------------- float64 curve
def test_density_curve_float64():
    xs = np.array([0.05, 0.3, 0.5, 1.0, 1.6, 1.7, 3.0])
    for alpha, d in [(0.5, None), (2.0, None), (0.5, 20)]:
        vals, status = KS.kernel_density_curve(xs, alpha, 2, "exp", d)
        with mp.workdps(30):
            g, s2, kap = law("exp", 2, mp.mpf(alpha), d)
            for x, v, st in zip(xs, vals, status):
                if st == 0:
                    ref = mp_density(mp.mpf(x) - kap, g, s2)
                    assert (v == 0 and ref == 0) or close(v, ref, 1e-6), (alpha, d, x, v, ref)


# ----------------------------------------------------------------------------- simulation (own sampler)
def _sim(h, d, n, rng):
    x = rng.standard_normal((n, d))
    x *= np.sqrt(d) / np.linalg.norm(x, axis=1, keepdims=True)
    return np.linalg.eigvalsh(h(x @ x.T / d))[::-1]


def _ks(sample, g, s2, kap):
    s = np.sort(sample)
    with mp.workdps(15):
        cdf = np.array([float(mp_cdf(mp.mpf(v) - kap, g, s2)) for v in s])
    i = np.arange(1, len(s) + 1)
    return max(np.max(i / len(s) - cdf), np.max(cdf - (i - 1) / len(s)))


def test_simulation_level2_exp_bulk_and_spikes():
    d, alpha = 30, mp.mpf(1) / 2
    n = int(alpha * B(d, 2))
    rng = np.random.default_rng(7)
    ev = _sim(np.exp, d, n, rng)
    nspk = 1 + d
    g, s2, kap = law("exp", 2, alpha, d)
    hi = float(kap + mp_edges(g, s2)[1])
    # spikes: exactly 1 + d eigenvalues clearly above the bulk
    assert np.sum(ev > 1.3 * hi) == nspk
    assert ev[nspk] < 1.1 * hi
    # spike centres (kernel_spike) vs the simulated group means
    s0 = float(KS.kernel_spike(d=d, alpha="0.5", level=2, k=0, kernel="exp", dps=15).value)
    s1 = float(KS.kernel_spike(d=d, alpha="0.5", level=2, k=1, kernel="exp", dps=15).value)
    assert abs(ev[0] - s0) / s0 < 0.05
    assert abs(ev[1:nspk].mean() - s1) / s1 < 0.05
    # bulk vs the finite-d law and the d -> inf law (docs: 0.023 and 0.043 at d = 30)
    ks_fd = _ks(ev[nspk::2], g, s2, kap)
    g0, s20, kap0 = law("exp", 2, alpha)
    ks_inf = _ks(ev[nspk::2], g0, s20, kap0)
    assert ks_fd < 0.06 and ks_fd < ks_inf


def test_simulation_level1_relu_el_karoui():
    d = 160
    for alpha in (mp.mpf(1) / 2, mp.mpf(2)):
        n = int(alpha * d)
        ev = _sim(lambda t: (np.sqrt(np.clip(1 - t * t, 0, None)) + (np.pi - np.arccos(np.clip(t, -1, 1))) * t) / (2 * np.pi),
                  d, n, np.random.default_rng(3))
        g, s2, kap = law("relu_nngp", 1, alpha, d)
        bulk = ev[1:]  # one spike (degree 0)
        assert ev[0] > 3 * float(kap + mp_edges(g, s2)[1])
        if alpha > 1:  # the atom at κ: n − d − 1 eigenvalues near κ
            near = np.abs(bulk - float(kap)) < 0.02
            assert abs(near.sum() - (n - d)) <= 3
            bulk = bulk[~near]
        assert _ks(bulk[::2], g, s2, kap) < 0.08


# ----------------------------------------------------------------------------- empirical kernels vs Cho–Saul
def _cho_saul(depth, s, sw, sb):
    q1 = q2 = sw * 1.0 + sb
    c = sw * s + sb
    theta_ntk = c
    for ell in range(depth):
        cos = min(1.0, c / np.sqrt(q1 * q2))
        th = np.arccos(cos)
        e_ss = np.sqrt(q1 * q2) / (2 * np.pi) * (np.sin(th) + (np.pi - th) * cos)
        e_dd = (np.pi - th) / (2 * np.pi)
        if ell == depth - 1:
            return e_ss, theta_ntk * e_dd + e_ss
        c_new = sw * e_ss + sb
        q1 = q2 = sw * q1 / 2 + sb
        theta_ntk = c_new + sw * theta_ntk * e_dd
        c = c_new


@pytest.mark.parametrize("depth,sw,sb", [(2, 1.0, 0.0), (3, 2.0, 0.1)])
def test_empirical_kernel_cho_saul(depth, sw, sb):
    from validation.simulators.krr import empirical_kernel

    d = 20
    rng = np.random.default_rng(11)
    x = rng.standard_normal(d)
    x *= np.sqrt(d) / np.linalg.norm(x)
    y = 0.6 * x + 0.8 * np.sqrt(d) * (lambda u: u / np.linalg.norm(u))(rng.standard_normal(d) - (x @ rng.standard_normal(d)) * 0)
    y *= np.sqrt(d) / np.linalg.norm(y)
    s = float(x @ y / d)
    est = empirical_kernel("relu", depth, x, y, width=400, seed=5, reps=30, sigma_w2=sw, sigma_b2=sb)
    nngp_ref, ntk_ref = _cho_saul(depth, s, sw, sb)
    for key, ref in (("nngp", nngp_ref), ("ntk", ntk_ref)):
        smp = np.asarray(est[key].samples, dtype=float)
        se = smp.std(ddof=1) / np.sqrt(len(smp))
        assert abs(smp.mean() - ref) < 4 * se + 4e-3 * abs(ref), (key, smp.mean(), ref, se)


# ----------------------------------------------------------------------------- high levels: κ cancellation
@pytest.mark.parametrize("ell", [50])
def test_density_high_level_centre(ell):
    with mp.workdps(150):
        xi = 1 / mp.factorial(ell)
        kap = E - mp.fsum(1 / mp.factorial(k) for k in range(ell + 1))
        x = kap + xi * mp.mpf(3) / 2  # centre of MP(1/2): σ²(1 + γ)
        xs = mp.nstr(x, 120)
        ref = mp_density(mp.mpf(xs) - kap, mp.mpf(1) / 2, xi)
    r = KS.kernel_density(x=xs, alpha="0.5", level=ell, kernel="exp", dps=30)
    assert close(r.value, ref, mp.mpf(10) ** -28)


def test_high_level_30_and_stieltjes_50_agree():
    with mp.workdps(150):
        xi = 1 / mp.factorial(30)
        kap = E - mp.fsum(1 / mp.factorial(k) for k in range(31))
        xs = mp.nstr(kap + xi * 4, 120)
        ref = mp_density(mp.mpf(xs) - kap, mp.mpf(3), xi)
    r = KS.kernel_density(x=xs, alpha="3", level=30, kernel="exp", dps=30)
    assert close(r.value, ref, mp.mpf(10) ** -29) and r.proven
    with mp.workdps(150):
        xi = 1 / mp.factorial(50)
        kap = E - mp.fsum(1 / mp.factorial(k) for k in range(51))
        z = mp.nstr(kap + xi * mp.mpf(3) / 2, 120) + "+1e-70j"
        ref = mp_stieltjes(mp.mpmathify(z) - kap, mp.mpf(1) / 2, xi)
    r = KS.kernel_stieltjes(z=z, alpha="0.5", level=50, kernel="exp", dps=30)
    assert close(mp.mpmathify(r.value), ref, mp.mpf(10) ** -20)


# ----------------------------------------------------------------------------- exact rational points: poly:2
# (1 + s)² = 1 + 2s + s²: ξ = (1, 2, 1), h(1) = 4; level 1: κ = 1, σ² = 2.  At d: B₀μ₀ = 1 + 1/d, B₁μ₁ = 2.
with mp.workdps(50):
    TWO_THIRDS, TEN_NINTHS = mp.mpf(2) / 3, mp.mpf(10) / 9


def test_poly2_exact_points():
    # α = 1/4: edges 1 + 2(1 ∓ 1/2)² = 3/2, 11/2; density at 7/2: √(2·2)/(2π·2·¼·5/2) = 4/(5π)
    lo, hi = KS.kernel_edges(alpha="1/4", level=1, kernel="poly:2").value
    assert lo == mp.mpf(3) / 2 and hi == mp.mpf(11) / 2
    for x in ("1.5", "5.5", "0", "7"):
        r = KS.kernel_density(x=x, alpha="1/4", level=1, kernel="poly:2")
        assert r.value == 0 and r.proven
    with mp.workdps(40):
        assert close(KS.kernel_density(x="3.5", alpha="1/4", level=1, kernel="poly:2").value, 4 / (5 * mp.pi), 1e-29)
    # hard edge α = 1 at x = κ = 1: +∞; α = 2: the atom is not in the density
    assert KS.kernel_density(x="1", alpha="1", level=1, kernel="poly:2").value == mp.inf
    assert KS.kernel_density(x="1", alpha="2", level=1, kernel="poly:2").value == 0
    # m(κ) = ∫dμ/x = 1/(σ²(1 − γ)) = 2/3 at α = 1/4; κ is the atom (α = 2) / hard edge (α = 1): refused
    assert close(KS.kernel_stieltjes(z="1", alpha="1/4", level=1, kernel="poly:2").value, TWO_THIRDS, 1e-29)
    for al in ("1", "2"):
        with pytest.raises(ParameterError, match="z"):
            KS.kernel_stieltjes(z="1", alpha=al, level=1, kernel="poly:2")
    with pytest.raises(ParameterError, match="z"):
        KS.kernel_stieltjes(z="1.5", alpha="1/4", level=1, kernel="poly:2")  # the edge itself
    # d = 10: κ = 4 − 1.1 − 2 = 0.9, α' = 1/4 − 1/10 = 0.15, w = 0.6: 0.18m² − 1.1m + 1 = 0, m = 10/9
    assert close(KS.kernel_stieltjes(z="1.5", alpha="1/4", level=1, kernel="poly:2", d=10).value, TEN_NINTHS, 1e-29)


def test_xi_zero_refused_for_stieltjes_too():
    with pytest.raises(ParameterError, match="xi_3"):
        KS.kernel_stieltjes(z="1+1j", alpha="0.5", level=3, kernel="relu_nngp")


# ----------------------------------------------------------------------------- deep kernel, finite d
def test_deep_nngp_relu2_finite_d():
    h = lambda s: relu_nngp(2 * relu_nngp(s)) / 2  # noqa: E731  Σ² = relu_nngp(s), diag 1/2
    d = 30
    with mp.workdps(30):
        mus = [gegen_mu(h, d, j) for j in range(2)]
        s2 = d * mus[1]
        kap = mp.mpf(1) / 4 - mus[0] - s2
        g = 2 - mp.mpf(1) / d
        x = kap + s2 * (1 + g)
        ref = mp_density(x - kap, g, s2)
        xs = mp.nstr(x, 28)
    r = KS.kernel_density(x=xs, alpha="2", level=1, kernel="nngp:relu,2", d=d, dps=20)
    assert close(r.value, ref, mp.mpf(10) ** -18)


# ----------------------------------------------------------------------------- large d (Funk–Hecke, Bessel)
@pytest.mark.parametrize("d", [1000, 10**6])
def test_large_d_exp_bessel(d):
    # e^s on S^{d−1}: μ_{d,k} = Γ(ν+1) 2^ν I_{ν+k}(1), ν = (d − 2)/2
    with mp.workdps(45):
        nu = mp.mpf(d - 2) / 2
        mu = [mp.gamma(nu + 1) * 2**nu * mp.besseli(nu + k, 1) for k in range(3)]
        n = mp.mpf(B(d, 2)) / 2
        spikes = [n * mu[k] + E - mp.fsum(B(d, j) * mu[j] for j in range(k + 1)) for k in (0, 1)]
        s2 = B(d, 2) * mu[2]
        kap = E - mp.fsum(B(d, j) * mu[j] for j in range(3))
        ref = mp_density(1 - kap, mp.mpf(1) / 2 - mp.mpf(d + 1) / B(d, 2), s2)
    for k in (0, 1):
        r = KS.kernel_spike(d=d, alpha="0.5", level=2, k=k, kernel="exp", dps=30)
        assert close(r.value, spikes[k], mp.mpf(10) ** -29) and r.proven
    r = KS.kernel_density(x=1, alpha="0.5", level=2, kernel="exp", d=d, dps=30)
    assert close(r.value, ref, mp.mpf(10) ** -29) and r.proven


# ----------------------------------------------------------------------------- float64 fuzz
def test_density_curve_fuzz():
    rng = np.random.default_rng(0)
    for trial in range(12):
        al = float(10 ** rng.uniform(-6, 4))
        ker = ("exp", "relu_nngp")[trial % 2]
        ell = int(rng.integers(1, 3))
        with mp.workdps(30):
            g, s2, kap = law(ker, ell, al)
            a, b = mp_edges(g, s2)
            xs = np.array([float(kap + a + (b - a) * u) for u in rng.uniform(0, 1, 10)])
        vals, st = KS.kernel_density_curve(xs, al, ell, ker)
        with mp.workdps(30):
            for x, v, s in zip(xs, vals, st):
                if s == 0:
                    ref = mp_density(mp.mpf(x) - kap, g, s2)
                    assert (v == 0 and ref == 0) or close(v, ref, 1e-6)


def test_cli_edge_no_traceback():
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "asymptotics", "eval", "krr", "kernel_density",
                        "x=0.21828182845904523536028747135266249775724709", "alpha=1", "level=2", "kernel=exp"],
                       capture_output=True, text=True, timeout=60)
    assert "Traceback" not in p.stderr and p.returncode in (0, 2)
