"""Random-features theory (asymptotics.models.random_features) against simulation (validation).

What is compared with what:

* the SVD formulas of one replicate against dense linear algebra on small, partly
  rank-deficient feature matrices (exact, not statistical);
* raw mode (noise drawn) against integrated mode on the *same* draws: the paired
  difference has mean 0 whatever the draw;
* risk and training error against the ``d → ∞`` theory through :func:`validation.compare`
  (``|z| ≤ 3.5`` from the SE over replicates, no hand-tuned ``rtol``) at ``d = 100``: ReLU,
  tanh, ``|x|`` (``μ₁ = 0``), a SymPy expression and the linear activation (``μ_⋆ = 0``),
  ridge and ridgeless on both sides of the interpolation threshold, near it with
  ``λ̄ = 10⁻³``, with ``F_⋆² > 0`` and ``τ² > 0``.  The noise is integrated analytically, so
  the SE is small and an ``O(1/d)`` finite-size bias can exceed it: the three points where
  it does at ``d = 100`` (measured, see ``TREND_ROWS``) are compared through the Richardson
  extrapolation of ``d = 100, 200`` (:func:`validation.finite_size_trend`);
* the divergence exactly at the threshold through medians growing with ``d``;
* slow (``ASYMPTOTICS_SLOW=1``): the rows of the theory note's §6 at ``d = 300`` and
  finite-size trends near the threshold and for the SymPy activation.

The ridge ``λ`` of :class:`RFParams` is the paper's (penalty ``(Nλ/d)‖a‖²``); the rows give
``λ̄ = λ/μ_⋆²`` as in the theory note, except for the linear activation (``μ_⋆ = 0``), whose
rows give ``λ`` itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib.metadata import entry_points

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.activations import coefficients_float, get_activation
from asymptotics.cli import main
from asymptotics.errors import ParameterError
from asymptotics.models import random_features as theory
from asymptotics.models.random_features import RFParams
from validation import compare, finite_size_trend, simulate_curve
from validation.simulators import random_features as sim

SEED = 20240
QUANTITIES = ("risk", "train_error")
CUSTOM = "x + 0.1*(x**2-1)/sqrt(2)"  # μ₁ = 1, μ⋆ = 0.1, ζ = 10


@dataclass(frozen=True)
class Row:
    """One test point: λ̄ = λ/μ⋆² (``lam`` itself for the linear activation)."""

    id: str
    activation: str
    psi1: float
    psi2: float
    lam_bar: float
    F1sq: float = 1.0
    Fstar2: float = 0.0
    tau2: float = 0.25
    reps: int = 12

    def params(self) -> RFParams:
        ms2 = coefficients_float(get_activation(self.activation))[2]
        lam = self.lam_bar * ms2 if ms2 > 0 else self.lam_bar
        return RFParams(self.psi1, self.psi2, lam, self.activation, self.F1sq, self.Fstar2, self.tau2)


def theory_value(params: RFParams, quantity: str) -> float:
    return float(theory.solve(params, quantity, dps=20).value)


# ----------------------------------------------------------------------------- exact formulas
def dense_reference(z, z_test, f, f_test, rho, tau2, eps=None):
    """Risk and training error by dense linear algebra: ``a = A y`` with ``A`` the ridge/pinv map."""
    n, N = z.shape
    if math.isinf(rho):
        A = np.zeros((N, n))
    elif rho > 0:
        A = np.linalg.solve(z.T @ z + rho * np.eye(N), z.T)  # positive definite
    else:
        A = np.linalg.pinv(z)
    y = f if eps is None else f + eps
    noise = tau2 if eps is None else 0.0
    test_map = z_test @ A
    risk = np.mean((f_test - test_map @ y) ** 2) + noise * np.sum(test_map**2) / len(f_test)
    resid = np.eye(n) - z @ A
    train = (np.sum((resid @ y) ** 2) + noise * np.sum(resid**2)) / n
    return {"risk": risk, "train_error": train}


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 10),
    N=st.integers(1, 10),
    rank=st.integers(1, 10),
    rho=st.sampled_from([0.0, 1e-3, 0.5, 7.0, math.inf]),
    raw=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_svd_formulas_match_dense_linear_algebra(n, N, rank, rho, raw, seed):
    rng = np.random.default_rng(seed)
    k = min(rank, n, N)  # Z = L R of rank k: rank-deficient whenever k < min(n, N)
    left = rng.standard_normal((n + 7, k))
    z_all = left @ rng.standard_normal((k, N))
    z, z_test = z_all[:n], z_all[n:]
    f, f_test = rng.standard_normal(n), rng.standard_normal(7)
    eps = rng.standard_normal(n) if raw else None
    got = sim.replicate(z, z_test, f, f_test, np.array([rho]), tau2=0.3, eps=eps)
    want = dense_reference(z, z_test, f, f_test, rho, 0.3, eps)
    for q in QUANTITIES:
        np.testing.assert_allclose(got[q][0], want[q], rtol=1e-7, atol=1e-10, err_msg=q)


def test_interpolator_and_null_estimator():
    """λ = 0 with N > n interpolates (training error exactly 0); λ = ∞ predicts 0.

    At λ = ∞ the risk is the test-set mean of f², whose expectation is exactly F₁² + F⋆²
    on the sphere (the normalization c_d of the quadratic part).
    """
    params = RFParams(3, 1, 0, "relu", 1, "0.5", "0.25")
    est = sim.simulate(params, d=60, reps=30, lams=[0.0, math.inf], seed=SEED)
    assert np.all(est["train_error"].samples[:, 0] == 0.0)
    c = compare(1.5, est["risk"].samples[:, 1])
    assert c, str(c)
    c = compare(1.5 + 0.25, est["train_error"].samples[:, 1])  # mean of y² over the training set
    assert c, str(c)


def test_target_normalization():
    assert sim.c_d(2) ** 2 == pytest.approx(4 / 2)
    rng = np.random.default_rng(1)
    x = sim.sphere(rng, 200_000, 5)
    np.testing.assert_allclose(np.sum(x**2, axis=1), 5.0)
    u = np.eye(5)[0]
    q = sim.c_d(5) * ((x @ u) ** 2 - 1)
    assert abs(q.mean()) < 5 * q.std() / math.sqrt(len(q))
    assert q.var() == pytest.approx(1.0, rel=0.02)


def test_lambda_grid_equals_separate_runs():
    row = Row("grid", "relu", 2, 1.5, 0.0)
    lams = np.array([0.0, 0.003, 0.1, math.inf])
    grid = sim.simulate(row.params(), d=30, reps=3, lams=lams, seed=9)
    for j, lam in enumerate(lams[:-1]):
        one = sim.simulate(RFParams(2, 1.5, float(lam), "relu", 1, 0, "0.25"), d=30, reps=3, seed=9)
        for q in QUANTITIES:
            np.testing.assert_allclose(grid[q].samples[:, j], one[q].samples, rtol=1e-10, atol=1e-14)
    assert grid["risk"].samples.shape == (3, 4)
    np.testing.assert_array_equal(grid["risk"].points, lams)


@pytest.mark.parametrize(
    "row", [Row("ridge", "relu", 2, 3, 0.1, Fstar2=0.5), Row("ridgeless", "tanh", 1.5, 3, 0.0)], ids=lambda r: r.id
)
def test_raw_mode_matches_integration(row):
    kw = dict(d=40, reps=24, lams=[0.0, 1e-3, 0.05], seed=SEED, n_test=500)
    integ = sim.simulate(row.params(), **kw)
    raw = sim.simulate(row.params(), integrate_noise=False, **kw)
    for q in QUANTITIES:
        c = compare(0.0, raw[q].samples - integ[q].samples)  # same draws: only the noise differs
        assert c, (q, c.z)
    assert raw["risk"].params["mode"] == "raw" and integ["risk"].params["mode"] == "integrated"


# ----------------------------------------------------------------------------- theory vs Monte Carlo
ROWS = [
    # ReLU (ids follow the theory note's §6 table where the point is the same)
    Row("rf01-relu-ridge", "relu", 2, 3, 0.1),
    Row("rf02-relu-ridgeless-under", "relu", 0.5, 3, 0.0),
    Row("rf03-relu-ridgeless-over", "relu", 3, 1.5, 0.0),
    Row("rf04-relu-threshold-lam1e-3", "relu", 2, 2, 1e-3, reps=24),
    Row("rf05-relu-ridgeless-near-over", "relu", 2.4, 2, 0.0, tau2=0.1, reps=24),
    Row("rf08-relu-Fstar", "relu", 3, 2, 1.0, Fstar2=0.5, tau2=0.0),
    Row("rf11-relu-Fstar-tau", "relu", 1.5, 3, 1e-4, Fstar2=0.25),
    # tanh, |x| (μ₁ = 0), a SymPy expression
    Row("rf13-tanh-ridgeless-under", "tanh", 1.5, 3, 0.0),
    Row("rf14-abs-ridge", "abs", 2, 3, 0.1),
    Row("rf15-abs-ridgeless-over", "abs", 3, 2, 0.0),
    Row("rf18-sympy-ridge-under", CUSTOM, 0.5, 2, 0.01, Fstar2=0.25),
    # linear activation (μ⋆ = 0): lam_bar is λ itself
    Row("linear-ridge", "linear", 2, 3, 0.1, Fstar2=0.25),
    Row("linear-ridgeless-psi1>1>psi2", "linear", 2, 0.5, 0.0),
    Row("linear-ridgeless-psi1<1<psi2", "linear", 0.5, 2, 0.0),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_theory_against_monte_carlo(row):
    params = row.params()
    est = sim.simulate(params, d=100, reps=row.reps, seed=SEED)
    for q in QUANTITIES:
        c = compare(theory_value(params, q), est[q])
        assert c, (q, str(c), "median", float(np.median(est[q].samples)))


# Points whose O(1/d) finite-size bias is comparable to the SE at d = 100 (integrated noise makes
# the SE small).  Measured with 40 replicates, MC − theory at d = 50 / 100 / 200:
#   rf12 tanh ridge, risk          −0.012 ± 0.003 / −0.010 ± 0.003 / −0.0035 ± 0.0023
#   tanh threshold λ̄ = 1e-3, risk  −0.46 ± 0.23  / −0.26 ± 0.13   / −0.07 ± 0.14
#   rf17 ζ = 10 ridgeless, risk    +0.033 ± 0.006 / +0.023 ± 0.003 / +0.0099 ± 0.0017 (≈ 2/d up to d = 600)
# so they are compared through the Richardson extrapolation of d = 100 and 200 (O(1/d) bias removed).
TREND_ROWS = [
    Row("rf12-tanh-ridge", "tanh", 2, 3, 0.1, reps=10),
    Row("tanh-threshold-lam1e-3", "tanh", 1.5, 1.5, 1e-3, reps=16),
    Row("rf17-sympy-ridgeless-over", CUSTOM, 3, 1.5, 0.0, reps=10),
]


@pytest.mark.parametrize("row", TREND_ROWS, ids=lambda r: r.id)
def test_theory_against_monte_carlo_extrapolated(row):
    params = row.params()
    ests = [sim.simulate(params, d=d, reps=row.reps, seed=SEED) for d in (100, 200)]
    for q in QUANTITIES:
        limit = theory_value(params, q)
        if all(np.all(e[q].samples == limit) for e in ests):  # the ridgeless training error 0 for N > n
            continue
        trend = finite_size_trend(limit, [e[q] for e in ests])
        assert trend and abs(trend.extrapolated_z) <= 3.5, (q, trend)


@pytest.mark.parametrize(("psi1", "psi2"), [(2, 3), (2, 2), (3, 1.5)])
def test_linear_rank_deficient_least_squares(psi1, psi2):
    """Linear activation, λ = 0, ψ₁, ψ₂ > 1: Z = XΘᵀ/√d has rank d < min(N, n), so the minimum-norm
    solution is least squares on the d raw coordinates, even at ψ₁ = ψ₂ (no interpolation threshold):
    risk F⋆² + (τ² + F⋆²)/(ψ₂ − 1)."""
    params = RFParams(psi1, psi2, 0, "linear", 1, "0.25", "0.25")
    assert theory_value(params, "risk") == pytest.approx(0.25 + 0.5 / (psi2 - 1))
    est = sim.simulate(params, d=100, reps=12, seed=SEED)
    for q in QUANTITIES:
        c = compare(theory_value(params, q), est[q])
        assert c, (q, str(c))
    noiseless = sim.simulate(RFParams(psi1, psi2, 0, "linear", 1, 0, "0.25"), d=50, reps=3, seed=SEED)
    n = round(psi2 * 50)
    np.testing.assert_allclose(noiseless["train_error"].samples, 0.25 * (n - 50) / n, rtol=1e-10)  # exactly τ²(n − d)/n


@pytest.mark.parametrize("activation", ["relu", "abs"])
def test_threshold_ridgeless_diverges(activation):
    """ψ₁ = ψ₂, λ = 0: the theory is +inf, and the MC risk grows with d.

    The risk is dominated by 1/s_min(Z)², heavy-tailed (infinite mean; even log-risk has a
    spread ≈ 2): the lower quartile, governed by the light upper tail of s_min², is the
    stable statistic.  It should grow about ∝ d (×4 from d = 40 to 160; ≥ ×1.9 over 16
    seeds tried); the test asks for ×1.5.
    """
    params = RFParams(2, 2, 0, activation, 1, 0, "0.25")
    assert math.isinf(theory_value(params, "risk"))
    assert theory.curve_values("risk", 2.0, 2.0, 0.0, activation, tau2=0.25)[1] == 1  # status 1: +inf
    q25 = [float(np.percentile(sim.simulate(params, d=d, reps=24, seed=SEED, n_test=500)["risk"].samples, 25)) for d in (40, 160)]
    assert q25[1] > 1.5 * q25[0], q25
    finite = Row("near", activation, 2, 2, 1e-3).params()
    assert q25[1] > 5 * theory_value(finite, "risk")


# ----------------------------------------------------------------------------- reproducibility, input
def test_reproducible():
    params = RFParams(2, 1, "0.01", "tanh", 1, "0.1", "0.2")
    a = sim.simulate(params, d=30, reps=4, seed=5)
    b = sim.simulate(params, d=30, reps=4, seed=5)
    for q in QUANTITIES:
        np.testing.assert_array_equal(a[q].samples, b[q].samples)
    longer = sim.simulate(params, d=30, reps=6, seed=5)  # replicate r does not depend on reps
    np.testing.assert_array_equal(longer["risk"].samples[:4], a["risk"].samples)
    other = sim.simulate(params, d=30, reps=4, seed=6)
    assert not np.any(other["risk"].samples == a["risk"].samples)
    e = a["risk"]
    assert (e.n, e.p, e.seed, e.reps) == (30, 60, 5, 4) and np.ndim(e.mean) == 0
    assert e.params["d"] == "30" and e.params["N"] == "60" and e.params["activation"] == "tanh"


def test_N_over_n_and_rounding():
    est = sim.simulate(RFParams(N_over_n="0.5", psi2="1.5"), d=21, reps=2, quantities=("risk",))
    assert (est["risk"].n, est["risk"].p) == (32, 16)  # n = round(31.5) = 32 (ties to even), N = round(15.75)
    assert set(est) == {"risk"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d": 1}, r"`d` must be an integer ≥ 2; got 1"),
        ({"d": 2.5}, r"`d` must be an integer"),
        ({"reps": 1}, r"`reps` must be an integer in \[2, 1000000\]; got 1"),
        ({"seed": -1}, r"`seed` must be an integer ≥ 0; got -1"),
        ({"n_test": 0}, r"`n_test` must be an integer ≥ 1; got 0"),
        ({"quantities": ("risk", "bias")}, r"`quantities` must be a non-empty subset of risk, train_error"),
        ({"quantities": ()}, r"`quantities` must be a non-empty subset"),
        ({"lams": [0.1, -1]}, r"`lams` must be a non-empty array of penalties ≥ 0"),
        ({"lams": [np.nan]}, r"`lams` must be a non-empty array"),
        ({"lams": []}, r"`lams` must be a non-empty array"),
        ({"lams": "abc"}, r"`lams` must be an array of ridge penalties"),
        ({"params": {"psi1": 1, "psi2": 1}}, r"`params` must be an RFParams; got dict"),
        ({"params": RFParams("inf", 1)}, r"`psi1` must be finite and at most 1e15 for a simulation"),
        ({"params": RFParams(1, "inf")}, r"`psi2` must be finite and at most 1e15 for a simulation"),
        ({"params": RFParams("0.01", 1), "d": 10}, r"gives N = round\(psi1 \* d\) = 0 at psi1 = 0.01"),
        ({"params": RFParams(1, "0.01"), "d": 10}, r"gives n = round\(psi2 \* d\) = 0"),
        ({"params": RFParams(1, 1, activation=lambda x: np.sqrt(x))}, r"returned NaN or inf"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"params": RFParams(2, 1), "d": 20, "reps": 2, **kwargs}
    params = args.pop("params")
    with pytest.raises(ParameterError, match=match):
        sim.simulate(params, **args)


# ----------------------------------------------------------------------------- curves and CLI
def test_simulate_curve_lambda_axis_is_one_simulation():
    lams = np.array([0.0, 0.01, 0.1])
    mean, se = simulate_curve("rf", "risk", "lam", lams, {"psi1": "2", "psi2": "3", "tau2": "0.25"}, reps=4, seed=3, n=40)
    direct = sim.simulate(RFParams(2, 3, 0, "relu", 1, 0, "0.25"), d=40, reps=4, lams=lams, seed=3)["risk"]
    np.testing.assert_allclose(mean, direct.mean)
    np.testing.assert_allclose(se, direct.se)


def test_simulate_curve_N_over_n_axis_and_default_d():
    ratios = np.array([0.5, 2.0])
    fixed = {"psi2": "0.5", "lam": "0.01", "activation": "tanh", "Fstar2": "0.1"}
    mean, se = simulate_curve("rf", "train_error", "N_over_n", ratios, fixed, reps=3, seed=4)
    for i, r in enumerate(ratios):  # default d = 200
        est = sim.simulate(RFParams(N_over_n=float(r), **fixed), d=200, reps=3, seed=4)["train_error"]
        assert (mean[i], se[i]) == (pytest.approx(est.mean), pytest.approx(est.se))


def test_simulate_curve_against_theory():
    psi1 = np.array([0.5, 1.0, 3.0])
    fixed = {"psi2": "2", "lam": "0.01", "tau2": "0.25"}
    mean, se = simulate_curve("rf", "risk", "psi1", psi1, fixed, reps=12, seed=SEED, n=80)
    values, status = theory.curve_values("risk", psi1, 2.0, 0.01, tau2=0.25)
    assert np.all(status == 0)
    z = (mean - values) / se
    assert np.all(np.abs(z) <= 3.5), z


@pytest.mark.parametrize(
    ("args", "params", "match"),
    [
        (
            ("rf", "bias", "lam"),
            {"psi1": "1", "psi2": "2"},
            r"no Monte Carlo estimate of rf 'bias'; available: risk, train_error",
        ),
        (("rf", "risk", "activation"), {"psi1": "1", "psi2": "2"}, r"runs along lam, psi1, psi2, N_over_n"),
        (("rf", "risk", "lam"), {"psi2": "2"}, r"`psi1` \(= N/d\) or `N_over_n` \(= N/n\) is required"),
        (("rf", "risk", "lam"), {"psi1": "1", "N_over_n": "1", "psi2": "2"}, r"either `psi1` .* or `N_over_n`"),
        (("rf", "risk", "psi1"), {"N_over_n": "1", "psi2": "2"}, r"either `psi1` .* or `N_over_n`"),
        (("rf", "risk", "lam"), {"psi1": "1"}, r"`psi2` is required"),
        (("rf", "risk", "lam"), {"psi1": "1", "psi2": "2", "gamma": "1"}, r"unknown parameter\(s\) gamma"),
    ],
)
def test_simulate_curve_bad_requests(args, params, match):
    with pytest.raises(ParameterError, match=match):
        simulate_curve(*args, np.array([0.5]), params, reps=2, n=10)


def test_entry_point_is_installed():
    eps = [ep for ep in entry_points(group="asymptotics.simulators") if ep.name == "rf"]
    assert eps and eps[0].load() is simulate_curve


def test_cli_curve_with_monte_carlo(capsys):
    code = main(["curve", "rf", "risk", "psi1=0.5:3:4", "psi2=2", "lam=0.01", "tau2=0.25", "--mc", "3", "--n", "60"])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = [ln.split() for ln in out.splitlines() if ln and not ln.startswith("#")]
    header, rows = lines[0], lines[1:]
    assert header[:3] == ["psi1", "risk", "status"] and header[-2:] == ["mc_mean", "mc_se"]
    assert len(rows) == 4
    values = np.array([[float(v) for v in row] for row in rows])
    assert np.all(np.isfinite(values)) and np.all(values[:, -1] > 0)


# ----------------------------------------------------------------------------- slow
NOTE_ROWS = [  # the theory note's §6 RF rows at d = 300 (rf06, rf07: d = 200, as there)
    Row("rf01", "relu", 2, 3, 0.1, reps=24),
    Row("rf02", "relu", 0.5, 3, 0.0, reps=24),
    Row("rf03", "relu", 3, 1.5, 0.0, reps=24),
    Row("rf04", "relu", 2, 2, 1e-3, reps=40),
    Row("rf05", "relu", 2.4, 2, 0.0, tau2=0.1, reps=40),
    Row("rf06", "relu", 10, 1, 0.01, reps=16),
    Row("rf07", "relu", 0.5, 8, 0.01, reps=24),
    Row("rf08", "relu", 3, 2, 1.0, Fstar2=0.5, tau2=0.0, reps=24),
    Row("rf09", "relu", 1, 1, 0.1, reps=30),
    Row("rf10", "relu", 4, 0.5, 0.05, tau2=0.0, reps=30),
    Row("rf11", "relu", 1.5, 3, 1e-4, Fstar2=0.25, reps=24),
    Row("rf12", "tanh", 2, 3, 0.1, reps=24),
    Row("rf13", "tanh", 1.5, 3, 0.0, reps=24),
    Row("rf14", "abs", 2, 3, 0.1, reps=24),
    Row("rf15", "abs", 3, 2, 0.0, reps=24),
    # rf16, rf17 (ζ = 10): their O(1/d) bias exceeds the SE at d = 300; see the trend tests below
    Row("rf18", CUSTOM, 0.5, 2, 0.01, reps=24),
]


@pytest.mark.slow
@pytest.mark.parametrize("row", NOTE_ROWS, ids=lambda r: r.id)
def test_note_rows_at_d300(row):
    params = row.params()
    d = 200 if row.id in ("rf06", "rf07") else 300
    est = sim.simulate(params, d=d, reps=row.reps, seed=SEED + 1)
    for q in QUANTITIES:
        c = compare(theory_value(params, q), est[q])
        assert c, (q, str(c))


@pytest.mark.slow
def test_threshold_finite_size_trend():
    """ψ₁ = ψ₂ = 2, λ̄ = 10⁻³ (heavy tails): the gap to the limit is within noise or shrinking as d grows."""
    params = Row("rf04", "relu", 2, 2, 1e-3).params()
    limit = theory_value(params, "risk")
    ests = [sim.simulate(params, d=d, reps=40, seed=SEED + 2, quantities=("risk",))["risk"] for d in (100, 200, 300)]
    trend = finite_size_trend(limit, ests)
    assert trend, trend
    assert abs(trend.extrapolated_z) <= 3.5, trend


@pytest.mark.slow
def test_threshold_ridgeless_median_grows():
    """ψ₁ = ψ₂ = 1, λ = 0 (row rf19): the median risk grows with d, without bound."""
    params = RFParams(1, 1, 0, "relu", 1, 0, "0.25")
    medians = [float(np.median(sim.simulate(params, d=d, reps=16, seed=SEED + 3)["risk"].samples)) for d in (50, 100, 200, 400)]
    assert medians[-1] > 4 * medians[0], medians


@pytest.mark.slow
def test_sympy_activation_ridgeless_trend():
    """Row rf17 (ζ = 10, ψ₁ = 3 > ψ₂ = 1.5, λ = 0): MC − theory ≈ 2/d at d = 150, 300, 600 (z ≈ 5 at each
    size), while the Richardson extrapolation of the last two sizes agrees with the limit."""
    params = Row("rf17", CUSTOM, 3, 1.5, 0.0).params()
    limit = theory_value(params, "risk")
    ests = [sim.simulate(params, d=d, reps=24, seed=SEED + 5, quantities=("risk",))["risk"] for d in (150, 300, 600)]
    trend = finite_size_trend(limit, ests)
    assert np.all(np.diff(np.abs(trend.gaps)) < 0), trend
    assert abs(trend.extrapolated_z) <= 3.5, trend


@pytest.mark.slow
def test_sympy_activation_finite_size_trend():
    """ζ = 10, λ̄ = 1 (row rf16): the SE is tiny, and an O(1/d) sphere-vs-Gaussian bias of μ⋆² shows at d = 100.

    On S^{d−1}(√d) the pre-activation w = ⟨θ, x⟩/√d has E w⁴ = 3d/(d + 2), so the degree-2
    energy of σ is μ⋆²(1 − 3/(2(d + 2))) rather than μ⋆²: the MC gap must shrink with d.
    """
    params = Row("rf16", CUSTOM, 2, 3, 1.0).params()
    ests = [sim.simulate(params, d=d, reps=40, seed=SEED + 4) for d in (100, 400)]
    for q in QUANTITIES:
        trend = finite_size_trend(theory_value(params, q), [e[q] for e in ests])
        assert trend and abs(trend.extrapolated_z) <= 3.5, (q, trend)
