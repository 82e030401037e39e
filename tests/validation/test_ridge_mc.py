"""Ridge theory (asymptotics) against simulation (validation), tolerance from the SE.

What is compared with what:

* risk, bias and training error at ``λ > 0`` against the ``n → ∞`` theory directly: their SE
  is dominated by the ``O(p^{-1/2})`` design fluctuation of the bias for a fixed ``β``;
* the variance part alone fluctuates only at ``O(1/n)``, as does its ``O(1/n)`` bias, so at
  ``λ > 0`` it is compared through an ``n → 2n`` Richardson extrapolation and at ``λ = 0``
  with the exact finite-``n`` Gaussian value (inverse-Wishart means);
* raw mode (noise drawn) against integrated mode on the *same* designs: the paired
  difference has mean 0 whatever the design, a sharp check of the noise integration;
* the SVD formulas against dense linear algebra on small designs (exact, not statistical).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import ridge as theory
from asymptotics.models.ridge import RidgeParams, Spectrum
from validation import compare, finite_size_trend, gaussian_ridgeless_exact
from validation.simulators import ridge as sim

Z_MAX = 4.0
QUANTITIES = ("risk", "bias", "variance", "train_error")


def theory_value(params: RidgeParams, quantity: str) -> float:
    return float(theory.solve(params, quantity).value)


# ----------------------------------------------------------------------------- exact formulas
def dense_reference(x, beta, sigma, lam, noise):
    """Bias, variance, risk and expected training error by dense linear algebra (no SVD)."""
    n, p = x.shape
    s = x.T @ x / n
    if lam > 0:
        resolvent = np.linalg.inv(s + lam * np.eye(p))
        estimator = resolvent @ x.T / n  # β̂ = estimator @ y
    else:
        estimator = np.linalg.pinv(x)
    bias_vec = estimator @ x @ beta - beta
    bias = bias_vec @ (sigma * bias_vec)
    variance = noise * np.trace(estimator.T @ (sigma[:, None] * estimator))
    resid = np.eye(n) - x @ estimator
    train = (np.sum((resid @ x @ beta) ** 2) + noise * np.sum(resid**2)) / n
    return {"bias": bias, "variance": variance, "risk": bias + variance, "train_error": train}


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 12),
    p=st.integers(1, 12),
    lam=st.sampled_from([0.0, 1e-3, 0.3, 5.0]),
    general=st.booleans(),
    rademacher=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_svd_formulas_match_dense_linear_algebra(n, p, lam, general, rademacher, seed):
    rng = np.random.default_rng(seed)
    sigma = rng.uniform(0.2, 3.0, p) if general else np.full(p, 1.0)
    z = rng.choice([-1.0, 1.0], (n, p)) if rademacher else rng.standard_normal((n, p))  # ±1: often rank-deficient
    x = z * np.sqrt(sigma)
    beta = rng.standard_normal(p)
    got = sim.replicate(x, beta, sigma, np.array([lam]), noise=0.7)
    want = dense_reference(x, beta, sigma, lam, 0.7)
    for q in QUANTITIES:
        np.testing.assert_allclose(got[q][0], want[q], rtol=1e-7, atol=1e-10, err_msg=q)


def test_rank_deficient_design_is_minimum_norm():
    x = np.array([[1.0, 1.0, -1.0], [-1.0, -1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])  # rank 2, n > p
    beta, sigma = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    got = sim.replicate(x, beta, sigma, np.array([0.0, 0.1]), noise=0.3)
    for j, lam in enumerate((0.0, 0.1)):
        want = dense_reference(x, beta, sigma, lam, 0.3)
        for q in QUANTITIES:
            np.testing.assert_allclose(got[q][j], want[q], rtol=1e-10, err_msg=q)


def test_lambda_grid_equals_separate_runs():
    params = RidgeParams(gamma="1.5", lam="0.2", sigma2="0.5")
    lams = np.array([0.0, 0.2, 1.0, np.inf])
    grid = sim.simulate(params, n=40, reps=3, lams=lams, seed=9)
    for j, lam in enumerate(lams):
        one = sim.simulate(
            RidgeParams(gamma="1.5", lam=float(lam) if np.isfinite(lam) else "inf", sigma2="0.5"), n=40, reps=3, seed=9
        )
        for q in QUANTITIES:
            np.testing.assert_allclose(grid[q].samples[:, j], one[q].samples, rtol=1e-12, atol=1e-15)
    assert grid["risk"].samples.shape == (3, 4)
    np.testing.assert_array_equal(grid["risk"].points, lams)


def test_null_estimator_at_infinite_penalty():
    params = RidgeParams(gamma="2", lam="inf", sigma2="0.25", tau2="0.5")
    est = sim.simulate(params, n=60, reps=20, seed=1)
    r2 = float(sum(b**2 for b in sim.population(params, est["risk"].p)[1]))
    assert r2 == pytest.approx(1.0)
    np.testing.assert_allclose(est["risk"].samples, 1.0 + 0.5)  # r² + τ²
    np.testing.assert_allclose(est["variance"].samples, 0.0)
    assert compare(theory_value(params, "train_error"), est["train_error"], threshold=Z_MAX)  # r² + σ² + τ²


def test_ridgeless_train_error_is_exact():
    est = sim.simulate(RidgeParams(gamma="0.5", sigma2="0.25"), n=100, reps=4)
    np.testing.assert_allclose(est["train_error"].samples, 0.125, rtol=1e-12)  # σ²(n − p)/n
    np.testing.assert_allclose(est["bias"].samples, 0.0, atol=1e-25)
    over = sim.simulate(RidgeParams(gamma="2", sigma2="0.25"), n=50, reps=4)
    np.testing.assert_allclose(over["train_error"].samples, 0.0, atol=1e-12)


# ----------------------------------------------------------------------------- λ > 0, isotropic
@pytest.mark.parametrize(("gamma", "lam", "n"), [("0.5", "0.1", 400), ("2", "1", 200), ("1.5", "0.2", 200)])
def test_ridge_against_theory(gamma, lam, n):
    params = RidgeParams(gamma=gamma, lam=lam, sigma2="0.25")
    est = sim.simulate(params, n=n, reps=40, seed=31)
    for q in ("risk", "bias", "train_error"):
        c = compare(theory_value(params, q), est[q], threshold=Z_MAX)
        assert c, (q, str(c))


@pytest.mark.parametrize(("gamma", "lam", "n"), [("0.5", "0.1", 200), ("2", "1", 100)])
def test_variance_extrapolated(gamma, lam, n):
    params = RidgeParams(gamma=gamma, lam=lam, sigma2="0.25")
    ests = [sim.simulate(params, n=m, reps=40, seed=37, quantities=("variance",))["variance"] for m in (n, 2 * n)]
    trend = finite_size_trend(theory_value(params, "variance"), ests)
    assert abs(trend.extrapolated_z) <= Z_MAX, trend
    assert np.all(np.abs(trend.gaps) < 0.01 * trend.theory)


# ----------------------------------------------------------------------------- λ = 0, both sides
@pytest.mark.parametrize(("gamma", "n"), [("0.5", 400), ("2", 200)])
def test_ridgeless_against_exact_finite_n_and_limit(gamma, n):
    params = RidgeParams(gamma=gamma, lam=0, sigma2="0.25")
    est = sim.simulate(params, n=n, reps=40, seed=41)
    exact = gaussian_ridgeless_exact(n, est["risk"].p, r2=1, sigma2=0.25)
    for q in QUANTITIES:
        assert compare(exact[q], est[q], threshold=Z_MAX), (q, str(compare(exact[q], est[q])))
        assert exact[q] == pytest.approx(theory_value(params, q), rel=1e-2, abs=1e-12)  # finite n ≈ limit (O(1/|n − p|))


def test_near_threshold_finite_size_trend():
    """γ = 0.9, λ = 0: the MC mean sits O(1/(n−p)) above the limit σ²γ/(1−γ) = 2.25 and the gap halves with n."""
    params = RidgeParams(gamma="0.9", lam=0, sigma2="0.25")
    limit = theory_value(params, "risk")
    assert limit == pytest.approx(2.25)
    ests = [sim.simulate(params, n=m, reps=100, seed=43, quantities=("risk",))["risk"] for m in (100, 200)]
    for e in ests:  # the exact finite-n mean explains the MC
        assert compare(gaussian_ridgeless_exact(e.n, e.p, sigma2=0.25)["risk"], e, threshold=Z_MAX)
    assert not compare(limit, ests[0], threshold=Z_MAX)  # ... while the limit alone is rejected at n = 100
    trend = finite_size_trend(limit, ests)
    assert trend.shrinking and abs(trend.gaps[1]) < abs(trend.gaps[0])
    assert (trend.gaps[0] - trend.gaps[1]) > 3 * math.hypot(*trend.ses)  # the decrease is itself significant


# ----------------------------------------------------------------------------- general Σ, misspecification, designs
def test_two_point_spectrum_ridgeless():
    """Eigenvalues {1, 10} half/half, β in the s = 1 block, γ = 2, λ = 0, σ² = 1/4 (row G4 of the note)."""
    spectrum = Spectrum.from_blocks([1, 10], ["0.5", "0.5"], [1, 0])
    params = RidgeParams(gamma=2, lam=0, sigma2="0.25", spectrum=spectrum)
    risk = theory.solve(params, "risk", dps=20).value
    assert float(risk) == pytest.approx(2.01595200835734, rel=1e-13)
    sigma, beta = sim.population(params, 400)
    assert np.all(sigma[:200] == 1) and np.all(sigma[200:] == 10) and np.allclose(beta[:200] ** 2, 1 / 200)
    assert np.all(beta[200:] == 0)
    est = sim.simulate(params, n=200, reps=40, seed=47)
    for q in ("risk", "bias"):
        assert compare(theory_value(params, q), est[q], threshold=Z_MAX), q
    np.testing.assert_allclose(est["train_error"].samples, 0.0, atol=1e-12)


def test_two_point_spectrum_ridge():
    spectrum = Spectrum.from_blocks([1, 10], ["0.5", "0.5"], ["0.5", "0.5"])
    params = RidgeParams(gamma="0.5", lam="0.3", sigma2="0.5", spectrum=spectrum)
    est = sim.simulate(params, n=400, reps=40, seed=53)
    for q in ("risk", "bias", "train_error"):
        assert compare(theory_value(params, q), est[q], threshold=Z_MAX), q


@pytest.mark.parametrize("lam", ["0", "0.5"])
def test_misspecified(lam):
    params = RidgeParams(gamma=2, lam=lam, sigma2="0.25", tau2="0.5")
    est = sim.simulate(params, n=200, reps=40, seed=59)
    if lam == "0":
        assert theory_value(params, "risk") == pytest.approx(1.75)  # R(r², σ²+τ²) + τ² (note, row R14)
        exact = gaussian_ridgeless_exact(200, 400, sigma2=0.25, tau2=0.5)
        targets = {q: exact[q] for q in QUANTITIES}
    else:
        targets = {q: theory_value(params, q) for q in ("risk", "bias", "train_error")}
    for q, value in targets.items():
        assert compare(value, est[q], threshold=Z_MAX), q


def test_rademacher_design():
    params = RidgeParams(gamma="2", lam="0.5", sigma2="0.25")
    est = sim.simulate(params, n=200, reps=40, seed=61, design="rademacher")
    for q in ("risk", "bias", "train_error"):
        assert compare(theory_value(params, q), est[q], threshold=Z_MAX), q
    assert est["risk"].params["design"] == "rademacher"


# ----------------------------------------------------------------------------- raw vs integrated
@pytest.mark.parametrize(
    "params",
    [
        RidgeParams(gamma="1.5", lam="0.2", r2=2, sigma2="0.5"),
        RidgeParams(gamma="0.5", lam=0, sigma2="0.25", tau2="0.25"),
        RidgeParams(gamma="2", lam=0, sigma2="0.25", spectrum=Spectrum.from_blocks([1, 10], ["0.5", "0.5"], [1, 0])),
    ],
    ids=["ridge", "ols-misspecified", "two-point-ridgeless"],
)
def test_raw_mode_matches_integration(params):
    lams = np.array([0.0, 0.05, 0.2, 1.0])
    kw = dict(n=100, reps=40, lams=lams, seed=67)
    integ = sim.simulate(params, **kw)
    raw = sim.simulate(params, integrate_noise=False, **kw)
    np.testing.assert_allclose(raw["bias"].samples, integ["bias"].samples, rtol=1e-12, atol=1e-14)
    for q in ("risk", "variance", "train_error"):
        paired = raw[q].samples - integ[q].samples  # same designs: only the noise differs
        c = compare(0.0, paired, threshold=Z_MAX)
        assert c, (q, c.z)
    assert raw["risk"].params["mode"] == "raw"


# ----------------------------------------------------------------------------- reproducibility, input
def test_reproducible():
    params = RidgeParams(gamma="0.5", lam="0.1")
    a = sim.simulate(params, n=40, reps=4, seed=5)
    b = sim.simulate(params, n=40, reps=4, seed=5)
    np.testing.assert_array_equal(a["risk"].samples, b["risk"].samples)
    assert (a["risk"].n, a["risk"].p, a["risk"].seed) == (40, 20, 5)
    assert a["risk"].params["lam"] == "0.1" and np.ndim(a["risk"].mean) == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, r"`n` must be an integer ≥ 1; got 0"),
        ({"n": -5}, r"`n` must be an integer ≥ 1; got -5"),
        ({"reps": 0}, r"`reps` must be an integer in \[1, 1000000\]; got 0"),
        ({"seed": -1}, r"`seed` must be an integer ≥ 0; got -1"),
        ({"design": "sparse"}, r"`design` must be one of 'gaussian', 'rademacher'; got 'sparse'"),
        ({"quantities": ("risk", "kappa")}, r"`quantities` must be a non-empty subset"),
        ({"lams": [0.1, -1]}, r"`lams` must be a non-empty array of penalties ≥ 0"),
        ({"lams": [np.nan]}, r"`lams` must be a non-empty array"),
        ({"params": {"gamma": 1}}, r"`params` must be a RidgeParams; got dict"),
        ({"n": 1, "params": RidgeParams(gamma="0.1")}, r"gives p = round\(gamma \* n\) = 0 features"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"params": RidgeParams(gamma="0.5"), "n": 20, "reps": 2, **kwargs}
    params = args.pop("params")
    with pytest.raises(ParameterError, match=match):
        sim.simulate(params, **args)


def test_spectrum_too_fine_for_p():
    spectrum = Spectrum.from_blocks([1, 2, 3], ["0.98", "0.01", "0.01"], [1, 0, 0])
    with pytest.raises(ParameterError, match=r"spectrum block 1 .* gets no coordinate at p = 20"):
        sim.simulate(RidgeParams(gamma=1, spectrum=spectrum), n=20, reps=2)


# ----------------------------------------------------------------------------- slow
@pytest.mark.slow
def test_near_threshold_large_n():
    """Like row R16 of the note (γ = 0.95, λ = 0) at n = 1000: the exact finite-n mean σ²p/(n−p−1) explains the MC."""
    params = RidgeParams(gamma="0.95", lam=0, sigma2="0.25")
    est = sim.simulate(params, n=1000, reps=40, seed=71, quantities=("risk",))["risk"]
    exact = gaussian_ridgeless_exact(1000, est.p, sigma2=0.25)["risk"]
    assert exact == pytest.approx(4.75 * (1 + 2 / 98), rel=1e-12)  # 2 % above the limit 4.75
    assert compare(exact, est, threshold=Z_MAX)


@pytest.mark.slow
def test_power_law_spectrum_trend():
    """Row G2 of the note: s_j = j^-2, β_j² ∝ j^-1, p/n = 2.5, λ = 0; DE at each (n, p), gap shrinking."""
    ests, des = [], []
    for n in (200, 400):
        p = round(2.5 * n)
        params = RidgeParams(gamma="2.5", lam=0, sigma2="0.1", spectrum=Spectrum.power_law(p, 2, 1))
        ests.append(sim.simulate(params, n=n, reps=40, seed=73, quantities=("risk",))["risk"])
        des.append(float(theory.curve_values("risk", 2.5, 0.0, sigma2=0.1, spectrum=params.spectrum)[0]))
    trend = finite_size_trend(des, ests)
    assert trend.shrinking, trend
