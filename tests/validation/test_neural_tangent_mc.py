"""Neural tangent theory (asymptotics.models.neural_tangent) against simulation (validation).

What is compared with what:

* the kernels of the simulator against the Gram matrix of explicit gradient features of the
  two-layer network (``∂f/∂θⱼ``, and ``∂f/∂aⱼ`` for the full NTK): exact, not statistical;
* one replicate's eigendecomposition formulas against dense linear algebra (pinv/solve);
* NT and NTK risk and training error against the ``d → ∞`` theory with ``|z| ≤ 3.5`` from the
  SE over replicates, where the theory applies (``Nd/n ≥ 50``, ``N, n ∝ d``); where an ``O(1/d)``
  bias exceeds the SE (NTK risk, two training errors) the ``a + b/d`` extrapolation over
  ``d = 100, 200, 400`` is compared instead, or the trend is tested.  One fixed seed; the rows
  were also run with seeds 1–3 (all passed) and by an independent reviewer's own simulation;
* where it does not: at the NT interpolation threshold ``Nd = n`` the simulated risk is several
  times the proportional formula, and the theory refuses the point (RegimeError);
* the lazy regime: log-log slopes of the trajectory gaps in ``α`` within 0.1 of −1, −2, −1
  on several seeds;
* slow (``ASYMPTOTICS_SLOW=1``): the finite-width trend of the note's row nt02 (bias falling
  as ``Nd/n`` grows) and the ntk03 row at ``d = 400``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from asymptotics.errors import ParameterError, RegimeError
from asymptotics.models import neural_tangent as theory
from asymptotics.models.neural_tangent import NTParams
from validation import compare, simulate_curve
from validation.simulators import neural_tangent as sim
from validation.simulators import random_features as rf_sim

SEED = 31337


def theory_value(pr: NTParams, q: str) -> float:
    return float(theory.solve(pr, q, dps=20).value)


# ----------------------------------------------------------------------------- exact checks
@pytest.mark.parametrize("layers", ["first", "both"])
@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_kernels_are_gram_matrices_of_gradient_features(layers, act):
    rng = np.random.default_rng(1)
    d, N, n = 7, 5, 9
    theta = rf_sim.sphere(rng, N, d)
    x, x_test = rf_sim.sphere(rng, n, d), rf_sim.sphere(rng, 4, d)
    pr = NTParams(psi2=1, activation=act, layers=layers, psi1=1)
    k, k_t = sim.kernels(pr, theta, x, x_test)
    signs = np.where(np.arange(N) % 2 == 0, 1.0, -1.0)  # output weights ±1 do not change the kernel

    def features(xx):
        # f(x) = N^{-1/2} Σ_j a_j σ(⟨θ_j, x⟩/√d): ∂f/∂θ_j = a_j σ'(·) x/√(Nd), ∂f/∂a_j = σ(·)/√N
        pre = xx @ theta.T / math.sqrt(d)
        h = 1e-6
        f = pr.activation.np
        ds = (f(pre + h) - f(pre - h)) / (2 * h)
        grad_theta = (signs * ds)[:, :, None] * xx[:, None, :] / math.sqrt(N * d)
        out = [grad_theta.reshape(len(xx), -1)]
        if layers == "both":
            out.append(f(pre) / math.sqrt(N))
        return np.concatenate(out, axis=1)

    phi, phi_t = features(x), features(x_test)
    np.testing.assert_allclose(k, phi @ phi.T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(k_t, phi_t @ phi.T, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("lam", [0.0, 1e-3, 0.7, math.inf])
@pytest.mark.parametrize("rank", [3, 8])
@pytest.mark.parametrize("tau2", [0.3, 0.0])  # tau2 = 0 takes the replicate's path without the noise projection
def test_replicate_matches_dense_linear_algebra(lam, rank, tau2):
    rng = np.random.default_rng(rank)
    n = 8
    L = rng.standard_normal((n + 5, rank))
    full = L @ L.T  # PSD, rank-deficient when rank < n
    k, k_t = full[:n, :n], full[n:, :n]
    f, f_t = rng.standard_normal(n), rng.standard_normal(5)
    got = sim.replicate(k, k_t, f, f_t, np.array([lam]), tau2=tau2)
    if math.isinf(lam):
        A = np.zeros((n, n))
    elif lam > 0:
        A = np.linalg.inv(k + lam * np.eye(n))
    else:
        A = np.linalg.pinv(k, rcond=1e-10, hermitian=True)
    tm = k_t @ A
    risk = np.mean((f_t - tm @ f) ** 2) + tau2 * np.sum(tm**2) / 5
    resid = np.eye(n) - k @ A
    train = (np.sum((resid @ f) ** 2) + tau2 * np.sum(resid**2)) / n
    np.testing.assert_allclose(got["risk"][0], risk, rtol=1e-6)
    np.testing.assert_allclose(got["train_error"][0], train, rtol=1e-6, atol=1e-12)


# ----------------------------------------------------------------------------- theory vs MC
ROWS = [
    # (id, kwargs, d, reps): Nd/n ≥ 50 for layers=first
    ("nt-relu", dict(psi2=2, psi1=4, tau2="0.25"), 100, 30),
    ("nt-tanh", dict(psi2="1.5", psi1=3, tau2="0.25", activation="tanh"), 100, 30),
    ("nt-ridge", dict(psi2="0.5", psi1=2, lam="0.1", tau2="0.25"), 300, 30),
    ("nt-Fstar", dict(psi2=3, psi1=4, lam="0.01", Fstar2="0.5", tau2="0.1", activation="erf"), 80, 30),
    ("ntk-tanh", dict(psi2=2, psi1=1, lam="0.05", tau2="0.25", layers="both", activation="tanh"), 150, 30),
    ("ntk-wide", dict(psi2=1, psi1=3, lam="0.2", Fstar2="0.3", layers="both", activation="erf"), 100, 30),
]


TRAIN_TREND_ROWS = ("ntk-tanh", "nt-Fstar")  # training errors with an O(1/d) bias above their SE


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_theory_matches_simulation(row):
    _, kw, d, reps = row
    pr = NTParams(**kw)
    est = sim.simulate(pr, d=d, reps=reps, seed=SEED, n_test=500)
    for q in ("risk", "train_error"):
        if row[0] in TRAIN_TREND_ROWS and q == "train_error":
            continue  # finite-size bias above the SE: tested as a trend below
        want = theory_value(pr, q)
        if want == 0:  # λ = 0 interpolates: exactly 0 up to rounding
            assert abs(float(est[q].mean)) < 1e-8
            continue
        c = compare(want, est[q])
        assert c, f"{q}: theory {want:.5f}, MC {float(est[q].mean):.5f} ± {float(est[q].se):.5f}, z = {float(c.z):.2f}"


def extrapolated(pr: NTParams, q: str, ds=(80, 160, 320), reps=(64, 32, 16)):
    """Weighted least-squares fit of the MC means to ``a + b/d``: the ``d → ∞`` limit ``a`` and its SE."""
    means, ses = [], []
    for d, r in zip(ds, reps, strict=True):
        est = sim.simulate(pr, d=d, reps=r, seed=SEED, n_test=400, quantities=(q,))[q]
        means.append(float(est.mean))
        ses.append(float(est.se))
    X = np.column_stack([np.ones(len(ds)), 1 / np.asarray(ds, float)])
    w = 1 / np.asarray(ses) ** 2
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    coef = cov @ X.T @ (w * np.asarray(means))
    return coef[0], math.sqrt(cov[0, 0]), means


EXTRAPOLATED = [
    # NTK risk carries an O(1/d) bias (+4.5 %, +2.5 %, +1.5 % at d = 100, 200, 400 for ntk-relu): compare the
    # d → ∞ extrapolation over d = 80, 160, 320, whose SE is honest, instead of hiding the bias behind a
    # large SE at one d
    ("ntk-relu", dict(psi2=2, psi1=1, tau2="0.25", layers="both"), "risk"),
    ("ntk-narrow", dict(psi2="1.5", psi1="0.5", tau2="0.25", layers="both"), "risk"),
    ("nt-Fstar-train", dict(psi2=3, psi1=4, lam="0.01", Fstar2="0.5", tau2="0.1", activation="erf"), "train_error"),
]


@pytest.mark.parametrize("row", EXTRAPOLATED, ids=[r[0] for r in EXTRAPOLATED])
def test_theory_matches_extrapolated_simulation(row):
    _, kw, q = row
    pr = NTParams(**kw)
    limit, se, means = extrapolated(pr, q)
    want = theory_value(pr, q)
    assert abs(limit - want) <= 3.5 * se, f"{q}: theory {want:.5f}, extrapolated {limit:.5f} ± {se:.5f} (means {means})"
    assert se < 0.03 * want  # the check has power: a 10 % error in the theory would be caught


def test_ntk_training_error_finite_size_trend():
    """ntk-tanh: the training error's SE is tiny and its O(1/d) bias is not (measured gaps 7e-4, 3.4e-4,
    1.6e-4 at d = 100, 200, 400): the gap halves as d doubles, and the Richardson extrapolation of
    d = 200, 400 agrees with the theory."""
    pr = NTParams(psi2=2, psi1=1, lam="0.05", tau2="0.25", layers="both", activation="tanh")
    want = theory_value(pr, "train_error")
    ests = [
        sim.simulate(pr, d=d, reps=8, seed=SEED, n_test=10, quantities=("train_error",))["train_error"] for d in (100, 200, 400)
    ]
    gaps = [float(e.mean) - want for e in ests]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert 1.4 < gaps[0] / gaps[1] < 2.8 and 1.4 < gaps[1] / gaps[2] < 2.8
    extrapolated = 2 * float(ests[2].mean) - float(ests[1].mean)
    se = math.hypot(2 * float(ests[2].se), float(ests[1].se))
    assert abs(extrapolated - want) < 3.5 * se + 1e-3 * want


def test_theory_does_not_apply_at_the_nt_interpolation_threshold():
    """Nd = n (ReLU, ψ₂ = 2): the min-norm NT interpolator's risk is far above the proportional formula.

    The theory refuses the point when d is given (RegimeError); its d → ∞ limit is 0.259 while the
    simulation gives ≈ 1.3 (theory note row nt03) — the interpolation peak at Nd = n.
    """
    d = 100
    pr = NTParams(psi2=2, psi1=2 / d, tau2="0.25")  # N = 2, Nd = 200 = n
    est = sim.simulate(pr, d=d, reps=12, seed=SEED)
    limit = theory_value(pr, "risk")
    assert float(est["risk"].mean) > 3 * limit
    assert float(est["train_error"].mean) > 0.05  # Nd = n features cannot interpolate ReLU-gated data
    with pytest.raises(RegimeError):
        theory.risk(psi2=2, psi1=2 / d, d=d, tau2="0.25")


def test_parameter_curves_show_both_peaks():
    c = sim.parameter_curves(d=20, psi2=6, ratios=np.geomspace(0.1, 20, 13), reps=4, seed=SEED)
    nt_mean, _ = c.mc["nt"]
    rf_mean, _ = c.mc["rf"]
    nt_ratio = c.widths["nt"] * c.d / c.n
    rf_ratio = c.widths["rf"] / c.n
    # the largest simulated risk sits at the interpolation threshold p = n for both families
    assert abs(math.log(nt_ratio[np.argmax(nt_mean)])) <= math.log(1.6)
    assert abs(math.log(rf_ratio[np.argmax(rf_mean)])) <= math.log(1.6)
    # far from the peak, NT approaches its kernel limit (theory shown only for Nd/n ≥ 10)
    assert np.isnan(c.theory["nt"][nt_ratio < 10]).all() and np.isfinite(c.theory["nt"][nt_ratio >= 10]).all()
    # past the peak the NT risk falls toward its kernel limit (at d = 20 still about twice it)
    assert nt_mean[-1] < nt_mean[-4] < nt_mean[np.argmax(nt_mean)]
    assert float(c.theory["krr_nt"]) < nt_mean[-1] < 3 * float(c.theory["krr_nt"])


def test_two_layer_gradient_and_jacobian_finite_differences():
    from asymptotics.activations import get_activation

    rng = np.random.default_rng(3)
    act = get_activation("tanh")
    a, w, x = rng.standard_normal(6), rng.standard_normal((6, 4)), rf_sim.sphere(rng, 5, 4)
    r = rng.standard_normal(5)
    ga, gw = sim.two_layer_grad(a, w, x, r, act)
    jac = sim.two_layer_jacobian(a, w, x, act)
    np.testing.assert_allclose(np.concatenate([ga, gw.ravel()]), jac.T @ r, rtol=1e-12)
    h = 1e-6
    theta = np.concatenate([a, w.ravel()])

    def f(th):
        return sim.two_layer(th[:6], th[6:].reshape(6, 4), x, act)

    fd = np.stack([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)], axis=1)
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-9)


def test_lazy_training_rates():
    slopes = [sim.lazy_training(alphas=(8, 16, 32, 64), seed=s, horizon=20.0).slopes() for s in (0, 1, 2)]
    for key, rate in theory.LAZY_RATES.items():
        values = np.array([s[key] for s in slopes])
        assert np.all(np.abs(values - rate) < 0.1), (key, values)


def test_lazy_training_bad_input():
    with pytest.raises(ParameterError, match="alphas"):
        sim.lazy_training(alphas=(0, 1))
    with pytest.raises(ParameterError, match="lr"):
        sim.lazy_training(lr=-1)
    with pytest.raises(ParameterError, match="slope"):
        sim.lazy_training(alphas=(1, 2), horizon=1.0).slopes()


def test_simulate_bad_input():
    with pytest.raises(ParameterError, match="psi1"):
        sim.simulate(NTParams(psi2=2), d=20, reps=2)
    with pytest.raises(ParameterError, match="NTParams"):
        sim.simulate({"psi2": 2}, d=20, reps=2)
    with pytest.raises(ParameterError, match="reps"):
        sim.simulate(NTParams(psi2=2, psi1=1), d=20, reps=1)
    with pytest.raises(ParameterError, match="quantities"):
        sim.simulate(NTParams(psi2=2, psi1=1), d=20, reps=2, quantities=("bias",))


def test_curve_overlay_entry_point():
    mean, se = simulate_curve("nt", "risk", "lam", np.array([0.0, 0.5]), {"psi1": "2", "psi2": "2"}, reps=3, n=40)
    assert mean.shape == (2,) and np.all(se > 0)
    with pytest.raises(ParameterError, match="psi1"):
        simulate_curve("nt", "risk", "lam", np.array([0.0]), {"psi2": "2"}, reps=3, n=40)


# ----------------------------------------------------------------------------- slow
@pytest.mark.slow
def test_finite_width_trend_nt02():
    """Note row nt02: N = d/10, n = 2d (Nd/n = d/20); the bias shrinks as Nd/n grows."""
    pr_limit = theory_value(NTParams(psi2=2, tau2="0.25"), "risk")
    gaps = []
    for d in (150, 300, 600):
        est = sim.simulate(NTParams(psi2=2, psi1="0.1", tau2="0.25"), d=d, reps=12, seed=SEED, n_test=500)
        gaps.append(float(est["risk"].mean) - pr_limit)
    assert gaps[0] > gaps[1] > gaps[2] > 0


@pytest.mark.slow
def test_ntk03_at_d400():
    pr = NTParams(psi2=2, psi1=1, lam="0.05", tau2="0.25", layers="both", activation="tanh")
    est = sim.simulate(pr, d=400, reps=12, seed=SEED, n_test=500)
    assert compare(theory_value(pr, "risk"), est["risk"])
