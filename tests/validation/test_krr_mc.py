"""Kernel ridge regression: Monte Carlo (validation) against the finite-d deterministic equivalent (asymptotics).

What is compared with what:

* the spectral formulas of the simulator (one ``eigh`` per design, noise integrated,
  pseudo-inverse at ``λ = 0``) against dense linear algebra on small designs (exact);
* the target construction: ``g_ℓ = √B(d,ℓ) Q_ℓ(⟨u, x⟩/√d)`` has unit norm and distinct levels
  are orthogonal (quadrature against scipy's Gegenbauer, and sampling);
* MC means against :func:`asymptotics.models.krr.risk` / ``train_error`` (the finite-``d``
  DE, never the ``d → ∞`` formula at small ``d``: pitfall 9 of the theory note), with a
  tolerance from the SE only (``|z| ≤ 4``), for the kernels ``exp``, a polynomial
  (``coef:1,1,0.05``, ``poly:2``), ``relu_ntk`` and an even kernel, at ``λ = 0`` and ``λ > 0``,
  including ``n ≈ B(d, 2)`` at ``d = 20`` (the level-2 peak);
* the ``d → ∞`` per-level formula only through finite-size trends: MC and DE approach it as
  ``d`` doubles at ``n = αB(d, 1)``;
* known finite-size effects of the DE (degree-2 polynomial kernel near and beyond its
  feature count, 1–3 % at ``d = 20``) are shown shrinking with ``d`` (``slow``).

``relu_ntk``: its even levels decay slowly, so for speed the MC comparisons use the same DE
solver with a kernel whose odd levels ≥ 3 are exactly 0 (as the library's own relu_ntk: the
odd part of the ReLU NTK is ``s/2``) and whose levels above 8 are lumped into the
self-induced ridge; ``test_relu_ntk_equivalent_is_computable`` checks it against the library's
relu_ntk to 1e-6.

Run ``python tests/validation/test_krr_mc.py`` for the table of every comparison point
(theory, MC mean ± SE, z, d, n, reps).
"""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest
import scipy.integrate
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.kernels import Kernel, gegenbauer, get_kernel, harmonic_count
from asymptotics.models import krr as theory
from asymptotics.models.krr import KRRParams
from validation import MCEstimate, compare, finite_size_trend
from validation.simulators import krr as sim

Z_MAX = 4.0


# ----------------------------------------------------------------------------- helpers
def relu_ntk_exact_odd(lcut: int = 8) -> Kernel:
    """``relu_ntk`` with exactly zero odd levels ≥ 3, ``μ_1 = 1/(2d)``, and levels ``> lcut`` lumped into the ridge.

    The odd part of ``relu_ntk(s) = √(1−s²)/(2π) + s/2 + s·arcsin(s)/π`` is ``s/2``, so
    ``μ_{d,1} = E[s²]/2 = 1/(2d)`` and the odd levels ``≥ 3`` vanish.  Even levels come from the
    library's quadrature.  Levels above ``lcut`` get a negligible eigenvalue, so the DE treats
    their mass (from the trace identity) as ridge; at the sizes used here ``nμ_{lcut+2} ≲ 1e-6 κ``
    (``lcut`` 6 vs 8 changes the DE by < 2e-8 relative at ``d = 30``).
    """
    base = get_kernel("relu_ntk")

    def closed(d: int, ell: int) -> mpmath.mpf:
        if ell % 2:
            return mpmath.mpf(1) / (2 * d) if ell == 1 else mpmath.mpf(0)
        if ell <= lcut:
            return base.eigenvalue(d, ell)[0]
        return mpmath.mpf(10) ** (-80 * (ell - lcut))

    return Kernel("relu_ntk", base.expr, base.mp, base.np, closed)


RELU_NTK = relu_ntk_exact_odd()


def de(quantity: str, lams, *, float64: bool = False, **kw) -> np.ndarray:
    """The finite-d DE at each ``λ``: certified :func:`theory.risk` / ``train_error`` (15 digits), or its float64 curve.

    The float64 curve (the same solver, one pass at 25 digits for the spectrum) is used for
    ``relu_ntk`` (the certified ladder rescans hundreds of slowly decaying levels) and where
    a certified value at every point would be slow (``float64=True``).
    """
    if float64 or isinstance(kw["kernel"], Kernel):
        vals, status = theory.curve_values(
            quantity, kw["d"], float(kw["n"]), kw["kernel"], np.asarray(lams, float), kw["F"], float(kw["sigma2"])
        )
        assert np.all(status == 0)
        return vals
    fn = getattr(theory, quantity)
    return np.array([float(fn(**{**kw, "lam": lam}, dps=15).value) for lam in lams])


def report(label: str, quantity: str, lams, th, est: MCEstimate) -> list[str]:
    mean, se = np.atleast_1d(est.mean), np.atleast_1d(est.se)
    rows = []
    for lam, t, m, s in zip(lams, np.atleast_1d(th), mean, se, strict=True):
        z = (m - t) / s if s > 0 else (0.0 if abs(m - t) <= 1e-12 * max(abs(t), 1e-300) else math.inf)
        rows.append(
            f"{label:<10} {quantity:<11} d={est.p:<4} n={est.n:<5} lam={lam:<6g} theory={t:.10g} "
            f"MC={m:.10g} ± {s:.2g} z={z:+.2f} reps={est.reps}"
        )
    return rows


def check(label: str, lams, est: dict[str, MCEstimate], float64: bool = False, **kw) -> list[str]:
    """Compare every quantity at every ``λ`` with the DE; return the report lines.

    A statistic with zero spread (the ridgeless training error of an interpolator, exactly 0
    in every replicate) has no SE: it must equal the theory to rounding (``1e-12``).
    """
    lines = []
    for q, e in est.items():
        th = de(q, lams, float64=float64, **kw)
        lines += report(label, q, lams, th, e)
        frozen = np.atleast_1d(e.se) == 0
        assert np.all(np.abs(np.atleast_1d(e.mean) - th)[frozen] <= 1e-12), "\n".join(lines)
        if not np.all(frozen):
            c = compare(th[~frozen], e.samples.reshape(e.reps, -1)[:, ~frozen], threshold=Z_MAX)
            assert c, "\n".join(lines)
    return lines


# ----------------------------------------------------------------------------- target
@pytest.mark.parametrize("d", [3, 5, 20, 100, 300])
def test_gegenbauer_norm_is_one_over_B_by_quadrature(d):
    """``E[Q_ℓ(s)²] = 1/B(d,ℓ)`` and ``E[Q_ℓ Q_{ℓ+2}] = 0`` under the cosine law ``∝ (1−s²)^{(d−3)/2}`` (scipy quadrature)."""
    z = scipy.special.beta(0.5, (d - 1) / 2)  # ∫(1 − s²)^{(d−3)/2} ds

    def g(ell, s):  # √B Q_ℓ(s): unit norm if the claim holds
        return math.sqrt(harmonic_count(d, ell)) * gegenbauer(d, ell, s)

    def mean(fn):
        return scipy.integrate.quad(
            lambda s: fn(s) * (1 - s * s) ** ((d - 3) / 2) / z, -1, 1, points=[0.0], limit=200, epsabs=1e-13
        )[0]

    assert mean(lambda s: 1.0) == pytest.approx(1.0, rel=1e-10)
    for ell in range(5):
        assert mean(lambda s: g(ell, s) ** 2) == pytest.approx(1.0, rel=1e-9), (d, ell)
        assert abs(mean(lambda s: g(ell, s) * g(ell + 2, s))) < 1e-9, (d, ell)
        if d <= 20:  # scipy's unnormalized Gegenbauer C_ℓ^{(ν)}, ν = (d−2)/2, normalized at 1
            nu = (d - 2) / 2
            s = np.linspace(-1, 1, 9)
            ref = scipy.special.eval_gegenbauer(ell, nu, s) / scipy.special.eval_gegenbauer(ell, nu, 1.0)
            np.testing.assert_allclose(gegenbauer(d, ell, s), ref, rtol=1e-12, atol=1e-14)


def test_zonal_harmonics_sampled_unit_norm_and_orthogonal():
    d, m = 50, 200_000
    rng = np.random.default_rng(7)
    x = sim.sphere(rng, m, d)
    np.testing.assert_allclose(np.sum(x * x, axis=1), d, rtol=1e-12)
    g = np.stack([sim.zonal_harmonic(d, ell, sim.unit_vector(rng, d), x) for ell in range(1, 4)], axis=1)
    for i in range(3):
        sq = g[:, i] ** 2
        assert abs(sq.mean() - 1) < 4 * sq.std() / math.sqrt(m), i
        for j in range(i):
            prod = g[:, i] * g[:, j]
            assert abs(prod.mean()) < 4 * prod.std() / math.sqrt(m), (i, j)
    assert abs(g.mean(axis=0)).max() < 4 * g.std(axis=0).max() / math.sqrt(m)  # orthogonal to constants
    f = sim.Target(d, [0.25, 1, 0, 0.5], [sim.unit_vector(rng, d) for _ in range(3)])(x)
    assert f.mean() == pytest.approx(0.5, abs=4 * f.std() / math.sqrt(m))  # F_0 = √0.25
    assert (f**2).mean() == pytest.approx(1.75, rel=0.02)


# ----------------------------------------------------------------------------- exact formulas
def dense_reference(k, k_test, f, f_test, lam, sigma2, eps=None):
    """Risk (noise integrated or realized) and training error by dense linear algebra."""
    n = k.shape[0]
    inv = np.linalg.pinv(k, hermitian=True) if lam == 0 else np.linalg.inv(k + lam * np.eye(n))
    a_test, a_train = k_test @ inv, k @ inv
    y = f if eps is None else f + eps
    noise = sigma2 if eps is None else 0.0
    risk = np.mean((f_test - a_test @ y) ** 2) + noise * np.sum(a_test**2) / k_test.shape[0]
    resid = np.eye(n) - a_train
    train = (np.sum((resid @ y) ** 2) + noise * np.sum(resid**2)) / n
    return risk, train


@settings(max_examples=40, deadline=None)
@given(
    d=st.integers(3, 6),
    n=st.integers(2, 14),
    kernel=st.sampled_from(["exp", "poly:1", "coef:1,1,0.05", "relu_ntk", "coef:0,1"]),
    lam=st.sampled_from([0.0, 1e-3, 0.3, 5.0]),
    raw=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_spectral_formulas_match_dense_linear_algebra(d, n, kernel, lam, raw, seed):
    """Includes singular K: ``poly:1`` has 1 + d features and ``coef:0,1`` (linear) d, so n > d + 1 is least squares."""
    rng = np.random.default_rng(seed)
    ker = get_kernel(kernel)
    x, xt = sim.sphere(rng, n, d), sim.sphere(rng, 7, d)
    k, kt = sim.kernel_matrix(ker, x, x, d), sim.kernel_matrix(ker, xt, x, d)
    k = (k + k.T) / 2
    f, ft = rng.standard_normal(n), rng.standard_normal(7)
    eps = rng.standard_normal(n) * 0.7 if raw else None
    got = sim.replicate(k, kt, f, ft, np.array([lam]), sigma2=0.49, eps=eps)
    want = dense_reference(k, kt, f, ft, lam, 0.49, eps)
    np.testing.assert_allclose(got["risk"][0], want[0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(got["train_error"][0], want[1], rtol=1e-7, atol=1e-10)


def test_several_targets_average_single_target_values():
    rng = np.random.default_rng(3)
    d, n = 8, 20
    x, xt = sim.sphere(rng, n, d), sim.sphere(rng, 30, d)
    k, kt = sim.kernel_matrix(get_kernel("exp"), x, x, d), sim.kernel_matrix(get_kernel("exp"), xt, x, d)
    f, ft = rng.standard_normal((n, 3)), rng.standard_normal((30, 3))
    lams = np.array([0.0, 0.1, np.inf])
    both = sim.replicate(k, kt, f, ft, lams, sigma2=0.2)
    single = [sim.replicate(k, kt, f[:, j], ft[:, j], lams, sigma2=0.2) for j in range(3)]
    for q in sim.QUANTITIES:
        np.testing.assert_allclose(both[q], np.mean([s[q] for s in single], axis=0), rtol=1e-12)
    # λ = ∞: f̂ = 0, so the risk is the test energy and the training error ‖y‖²/n in expectation
    np.testing.assert_allclose(both["risk"][2], np.mean(ft**2), rtol=1e-12)
    np.testing.assert_allclose(both["train_error"][2], np.mean(f**2) + 0.2, rtol=1e-12)


def test_polynomial_kernel_beyond_its_features_is_least_squares():
    """``poly:2`` at d = 20 has p = 1 + d + B(d, 2) = 230 features: for n = 300 the kernel matrix has rank 230.

    At ``λ = 0`` (pseudo-inverse) the target (degrees ≤ 2) is fitted exactly by least squares,
    so the training error is exactly ``σ²(n − p)/n`` in every replicate (and the DE agrees:
    ``κ → 0``, train = σ²(1 − p/n)); the risk is the least-squares variance.
    """
    d, n, p = 20, 300, 1 + 20 + harmonic_count(20, 2)
    assert p == 230
    pr = KRRParams(d=d, n=n, kernel="poly:2", F="0,0.5,1", sigma2="0.1")
    est = sim.simulate(pr, reps=3, lams=[0.0, 0.1], n_test=200)
    np.testing.assert_allclose(est["train_error"].samples[:, 0], 0.1 * (n - p) / n, rtol=1e-10)
    assert float(theory.train_error(d=d, n=n, kernel="poly:2", F="0,0.5,1", sigma2="0.1", dps=20).value) == pytest.approx(
        0.1 * (n - p) / n, rel=1e-15
    )
    assert np.all(est["risk"].samples[:, 0] > 0) and np.all(np.isfinite(est["risk"].samples))


def test_lambda_grid_matches_scalar_runs_and_interpolates():
    pr = KRRParams(d=15, n=40, kernel="exp", F="0.1,1,0.5", sigma2="0.2")
    grid = sim.simulate(pr, reps=3, lams=[0.0, 0.5], n_test=100, seed=4)
    for i, lam in enumerate([0.0, 0.5]):
        one = sim.simulate(KRRParams(d=15, n=40, kernel="exp", lam=lam, F="0.1,1,0.5", sigma2="0.2"), reps=3, n_test=100, seed=4)
        for q in sim.QUANTITIES:
            np.testing.assert_allclose(grid[q].samples[:, i], one[q].samples, rtol=1e-12)
            assert one[q].points is None and grid[q].points.shape == (2,)
    assert np.all(np.abs(grid["train_error"].samples[:, 0]) < 1e-20)  # exp kernel: K invertible, λ = 0 interpolates


def test_raw_noise_matches_integrated_noise_on_the_same_designs():
    """Raw mode draws ε after the design and targets, so replicate r shares X, X_test and u: paired differences have mean 0."""
    pr = KRRParams(d=40, n=80, kernel="exp", F="0,1,0.5", sigma2="0.5")
    lams = [0.0, 0.3]
    a = sim.simulate(pr, reps=30, lams=lams, seed=2, n_test=500)
    b = sim.simulate(pr, reps=30, lams=lams, seed=2, n_test=500, integrate_noise=False)
    for q in sim.QUANTITIES:
        c = compare(0.0, b[q].samples - a[q].samples, threshold=Z_MAX)
        assert c, (q, c)
        assert np.any(b[q].samples != a[q].samples)
    assert a["risk"].params["mode"] == "integrated" and b["risk"].params["mode"] == "raw"


# ----------------------------------------------------------------------------- MC vs the finite-d DE
CASES = {
    # note row K1 (d = 200, n = 300): level 1 at α = 1.5
    "K1": dict(reps=24, lams=[0.0, 1.0], d=200, n=300, kernel="exp", F="0,1,0.5,0.2", sigma2="0.1"),
    # note row K3: degree-2 polynomial, d = 300
    "K3": dict(reps=24, lams=[0.0, 0.1, 1.0], d=300, n=300, kernel="coef:1,1,0.05", F="0,1,0.3", sigma2="0.2"),
    # level 1 under-sampled (n < d) at the largest d
    "exp300": dict(reps=16, lams=[0.0, 1.0], d=300, n=150, kernel="exp", F="0,1,0.5", sigma2="0.1"),
    # level-2 peak at small d: n = B(20, 2)/2, B(20, 2) = 209, 2B(20, 2)
    "peak-": dict(reps=24, lams=[0.0, 1e-3], d=20, n=105, kernel="exp", F="0,0.5,1,0.3", sigma2="0.1"),
    "peak": dict(reps=24, lams=[0.0, 1e-3], d=20, n=209, kernel="exp", F="0,0.5,1,0.3", sigma2="0.1"),
    "peak+": dict(reps=24, lams=[0.0, 1e-3], d=20, n=418, kernel="exp", F="0,0.5,1,0.3", sigma2="0.1"),
    # poly:2 below its 230 features (interpolation) and at d = 30 (496 features)
    "poly20": dict(reps=24, lams=[0.0, 0.1, 1.0], d=20, n=150, kernel="poly:2", F="0,0.5,1", sigma2="0.1"),
    "poly30": dict(reps=24, lams=[0.0, 0.1, 1.0], d=30, n=300, kernel="poly:2", F="0,0.5,1", sigma2="0.1", float64=True),
    # ReLU NTK (see relu_ntk_exact_odd)
    "ntk100": dict(reps=24, lams=[0.0, 0.1], d=100, n=300, kernel=RELU_NTK, F="0,1,0.5,0.2", sigma2="0.1"),
    "ntk30": dict(reps=24, lams=[0.0, 0.1], d=30, n=200, kernel=RELU_NTK, F="0,1,0.5,0.2", sigma2="0.1"),
    # an even kernel: μ_1 = 0, so the level-1 energy is never learned and acts as noise
    "even": dict(reps=24, lams=[0.0, 0.1], d=30, n=200, kernel="coef:1,0,1", F="0,0.5,1", sigma2="0.1", float64=True),
}
SLOW_CASES = {
    # note rows K4, K5, K7 (d = 40 level-2 peak n = B(40, 2) = 819 and 2B; d = 100, n = 1000)
    "K4": dict(reps=40, lams=[0.0, 1e-3], d=40, n=819, kernel="exp", F="0,0.5,1,0.3", sigma2="0.1"),
    "K5": dict(reps=24, lams=[0.0], d=40, n=1638, kernel="exp", F="0,0.5,1,0.3", sigma2="0.1"),
    "K7": dict(reps=40, lams=[0.0, 0.1, 1.0], d=100, n=1000, kernel="exp", F="0,1,0.5,0.2", sigma2="0.1"),
    "K1big": dict(reps=200, lams=[0.0, 0.1, 1.0], d=200, n=300, kernel="exp", F="0,1,0.5,0.2", sigma2="0.1"),
    "ntk30big": dict(reps=40, lams=[0.0, 0.1], d=30, n=400, kernel=RELU_NTK, F="0,1,0.5,0.2", sigma2="0.1"),
}


def run_case(label: str, case: dict) -> list[str]:
    kw = {k: v for k, v in case.items() if k not in ("reps", "lams", "float64")}
    est = sim.simulate(KRRParams(**kw), reps=case["reps"], lams=case["lams"], seed=0)
    return check(label, case["lams"], est, float64=case.get("float64", False), **kw)


@pytest.mark.parametrize("label", sorted(CASES))
def test_mc_matches_finite_d_equivalent(label):
    run_case(label, CASES[label])


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(SLOW_CASES))
def test_mc_matches_finite_d_equivalent_large(label):
    run_case(label, SLOW_CASES[label])


# ----------------------------------------------------------------------------- finite-size trends
TREND = dict(kernel="exp", F="0,1,0.5,0.3,0.1", sigma2="0.1", lam=0)


def test_de_approaches_the_per_level_formula_like_1_over_d():
    """DE − (d → ∞ formula) at n = αB(d, ℓ) halves as d doubles (theory note §5.3: gap ≈ c/d)."""
    for alpha, level, dims in (("0.5", 1, (50, 100, 200, 400)), ("1", 2, (25, 50, 100, 200))):
        limit = float(theory.risk_asymptotic(alpha=alpha, level=level, **TREND, dps=20).value)
        gaps = np.array([float(theory.risk(d=d, alpha=alpha, level=level, **TREND, dps=20).value) - limit for d in dims])
        assert np.all(gaps > 0)
        ratios = gaps[1:] / gaps[:-1]
        assert np.all((ratios > 0.4) & (ratios < 0.6)), (alpha, level, gaps, ratios)


def test_mc_approaches_the_per_level_formula_as_d_grows():
    """MC at n = B(d, 1)/2 for d = 50, 100, 200: its gap to the d → ∞ value shrinks (and matches the DE at each d)."""
    alpha = "0.5"
    limit = float(theory.risk_asymptotic(alpha=alpha, level=1, **TREND, dps=20).value)
    ests = []
    for d in (50, 100, 200):
        est = sim.simulate(KRRParams(d=d, alpha=alpha, level=1, **TREND), reps=40, seed=1, quantities=("risk",))["risk"]
        assert est.n == d // 2
        ests.append(est)
        finite_d = float(theory.risk(d=d, alpha=alpha, level=1, **TREND, dps=20).value)
        assert compare(finite_d, est, threshold=Z_MAX), (d, est, finite_d)
    trend = finite_size_trend(limit, ests)
    assert trend.shrinking
    assert np.all(np.diff(np.abs(trend.gaps)) < 0), trend.gaps
    assert trend.z[0] > 3  # the d = 50 gap is real, not noise ...
    assert abs(trend.z[-1]) < 3  # ... and at d = 200 it is within 3 SE


@pytest.mark.slow
def test_polynomial_kernel_finite_size_gap_shrinks():
    """``poly:2`` least squares (λ = 0, n ≈ 1.74 × features): MC exceeds the DE by ~2 % at d = 20, shrinking with d.

    The DE gives the least-squares variance ``σ²p/(n − p)``; the exact finite-n mean is larger
    (for Gaussian features ``σ²p/(n − p − 1)``; harmonic features are heavier-tailed).
    """
    ests, des = [], []
    for d in (20, 30, 40):
        p = 1 + d + harmonic_count(d, 2)
        n = round(1.74 * p)
        kw = dict(d=d, n=n, kernel="poly:2", F="0,0.5,1", sigma2="0.1")
        ests.append(sim.simulate(KRRParams(**kw), reps=24, seed=0, quantities=("risk",))["risk"])
        des.append(float(theory.risk(**kw, dps=15).value))
    trend = finite_size_trend(des, ests)
    rel = trend.gaps / np.array(des)
    assert trend.shrinking and rel[0] > 0.01 and rel[-1] < rel[0] / 1.5, (rel, trend.z)


# ----------------------------------------------------------------------------- library bugs found here (fixed)
def test_relu_ntk_equivalent_is_computable():
    # the library's own relu_ntk against the helper used for the MC comparisons (levels > 8 lumped)
    got = theory.risk(d=30, n=50, kernel="relu_ntk", F="0,1", sigma2="0.1", dps=15).value
    vals, status = theory.curve_values("risk", 30, np.array([50.0]), RELU_NTK, np.array([0.0]), "0,1", 0.1)
    assert status[0] == 0 and float(got) == pytest.approx(vals[0], rel=1e-6)


def test_polynomial_eigenvalues_are_exact_rationals():
    with mpmath.workdps(40):
        mu0 = theory.eigenvalue(d=200, level=0, kernel="coef:1,1,0.05", dps=35).value
        assert abs(mu0 - mpmath.mpf(4001) / 4000) < mpmath.mpf(10) ** -34


@pytest.mark.parametrize("kernel, d, n", [("coef:1,0,1", 30, 200), ("poly:2", 30, 300)])
def test_ridgeless_train_error_zero_is_certified(kernel, d, n):
    assert theory.train_error(d=d, n=n, kernel=kernel, F="0,0.5,1", sigma2="0.1", dps=15).value == 0


# ----------------------------------------------------------------------------- reproducibility and inputs
def test_seed_reproducibility_and_replicate_prefix(capsys):
    pr = KRRParams(d=12, n=30, kernel="exp", lam="0.01", F="0,1,0.5", sigma2="0.1")
    a = sim.simulate(pr, reps=5, seed=11, n_test=50)
    b = sim.simulate(pr, reps=5, seed=11, n_test=50, progress=True)
    c = sim.simulate(pr, reps=3, seed=11, n_test=50)
    d = sim.simulate(pr, reps=5, seed=12, n_test=50)
    e = sim.simulate(pr, reps=5, seed=11, n_test=50, targets=2)
    for q in sim.QUANTITIES:
        np.testing.assert_array_equal(a[q].samples, b[q].samples)
        np.testing.assert_array_equal(a[q].samples[:3], c[q].samples)
        assert not np.array_equal(a[q].samples, d[q].samples)
        assert not np.array_equal(a[q].samples, e[q].samples)
    est = a["risk"]
    assert (est.n, est.p, est.seed, est.reps) == (30, 12, 11, 5)
    assert est.params["targets"] == "8" and est.params["n_test"] == "50" and est.params["kernel"] == "exp"
    capsys.readouterr()


def test_non_integer_n_is_rounded():
    pr = KRRParams(d=20, alpha="0.52", level=1, kernel="exp", F="0,1")  # n = 10.4
    est = sim.simulate(pr, reps=2, n_test=20)
    assert est["risk"].n == 10 and est["risk"].params["n_simulated"] == "10"


GOOD = KRRParams(d=10, n=20, kernel="exp", F="0,1", sigma2="0.1")


@pytest.mark.parametrize(
    "call, needle",
    [
        (lambda: sim.simulate("d=10", reps=3), "KRRParams"),
        (lambda: sim.simulate(GOOD, reps=1), "reps"),
        (lambda: sim.simulate(GOOD, reps=True), "reps"),
        (lambda: sim.simulate(GOOD, reps="many"), "reps"),
        (lambda: sim.simulate(GOOD, reps=3, seed=-1), "seed"),
        (lambda: sim.simulate(GOOD, reps=3, n_test=0), "n_test"),
        (lambda: sim.simulate(GOOD, reps=3, targets=0), "targets"),
        (lambda: sim.simulate(GOOD, reps=3, quantities=("bias",)), "quantities"),
        (lambda: sim.simulate(GOOD, reps=3, quantities=()), "quantities"),
        (lambda: sim.simulate(GOOD, reps=3, lams=[-1.0]), "lams"),
        (lambda: sim.simulate(GOOD, reps=3, lams=[np.nan]), "lams"),
        (lambda: sim.simulate(GOOD, reps=3, lams=[]), "lams"),
        (lambda: sim.simulate(GOOD, reps=3, lams="abc"), "lams"),
        (lambda: sim.simulate(KRRParams(d=10, n="0.4"), reps=3), "rounds to 0"),
        (lambda: sim.simulate(KRRParams(d=10, n=sim.MAX_N + 1), reps=3), "too large"),
        (lambda: sim.simulate(KRRParams(d=5, n=20, kernel="-s"), reps=2, n_test=5), "positive semi-definite"),
        (lambda: sim.simulate(KRRParams(d=5, n=20, kernel="log(s)"), reps=2, n_test=5), "not real"),
        (lambda: sim.curve("risk", "n", np.array([10.0]), {"d": "10"}, reps=2, n=100), "--n does not apply"),
        (lambda: sim.curve("bias", "n", np.array([10.0]), {"d": "10"}, reps=2), "no Monte Carlo estimate"),
        (lambda: sim.curve("risk", "d", np.array([10.0]), {"n": "10"}, reps=2), "runs along"),
        (lambda: sim.curve("risk", "n", np.array([10.0]), {"kernel": "exp"}, reps=2), "`d` is required"),
        (lambda: sim.curve("risk", "n", np.array([10.0]), {"d": "10", "gamma": "1"}, reps=2), "unknown parameter"),
        (lambda: sim.curve("risk", "alpha", np.array([1.0]), {"d": "10"}, reps=2), "level"),
        (lambda: sim.curve("risk", "n", np.array([10.0]), {"d": "10", "alpha": "1", "level": "1"}, reps=2), "not both"),
    ],
)
def test_bad_input_raises_parameter_error(call, needle):
    with pytest.raises(ParameterError, match=needle):
        call()


# ----------------------------------------------------------------------------- curve overlay
def test_curve_overlay_along_n_alpha_and_lam():
    base = {"d": "20", "F": "0,1,0.5", "sigma2": "0.1", "lam": "0.01"}
    ns = np.array([10.0, 30.4, 60.0])
    mean, se = sim.curve("risk", "n", ns, base, reps=3, n_test=100)
    assert mean.shape == se.shape == (3,) and np.all(mean > 0) and np.all(se >= 0)
    one = sim.simulate(KRRParams(d=20, n=30, F="0,1,0.5", sigma2="0.1", lam="0.01"), reps=3, n_test=100)["risk"]
    assert mean[1] == pytest.approx(float(one.mean), rel=1e-12)  # round(30.4) = 30, same seed
    a_mean, _ = sim.curve("risk", "alpha", np.array([0.5, 1.5, 3.0]), {**base, "level": "1"}, reps=3, n_test=100)
    assert a_mean[0] == pytest.approx(mean[0], rel=1e-12)  # α = 0.5 at d = 20 is n = 10
    lam_mean, lam_se = sim.curve("train_error", "lam", np.array([0.0, 0.1, 1.0]), {**base, "n": "30"}, reps=3, n_test=100)
    assert lam_mean[0] < 1e-20 < lam_mean[1] < lam_mean[2] and np.all(lam_se >= 0)


def test_simulate_curve_dispatches_krr():
    from validation import simulate_curve

    mean, se = simulate_curve("krr", "risk", "lam", np.array([0.0, 1.0]), {"d": "10", "n": "20"}, reps=2)
    assert mean.shape == (2,) and np.all(np.isfinite(mean)) and np.all(se >= 0)
    with pytest.raises(ParameterError, match="--n does not apply"):
        simulate_curve("krr", "risk", "lam", np.array([0.0]), {"d": "10", "n": "20"}, reps=2, n=50)


# ----------------------------------------------------------------------------- report
if __name__ == "__main__":  # pragma: no cover - the table of every comparison point
    import sys

    cases = {**CASES, **(SLOW_CASES if "--slow" in sys.argv else {})}
    for label, case in cases.items():
        t0 = time.perf_counter()
        try:
            lines = run_case(label, case)
        except AssertionError as exc:
            lines = [f"{label}: DISAGREE", str(exc)]
        print("\n".join(lines), f"  [{time.perf_counter() - t0:.1f} s]", flush=True)
