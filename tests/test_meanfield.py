"""Mean-field limit of two-layer networks (asymptotics.meanfield, validation.simulators._meanfield).

Expected values come from hand derivations independent of the code: the logistic closed form and its
fixed point, chi-square moments checked by Monte Carlo, the rank-constrained fixed point for N < d, the
1/N and sqrt(eps) trends of width-N networks towards the ODE (many seeds, standard errors).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from asymptotics import meanfield as mf
from asymptotics.errors import ParameterError
from validation.simulators._meanfield import population_risk, train

DELTA = 0.25
A, B = (1 + DELTA) ** 2, (1 - DELTA) ** 2


@given(
    delta=st.floats(0.05, 0.95),
    d=st.sampled_from([1, 3, 10, 100, math.inf]),
    m0=st.floats(0.01, 3.0),
    t=st.floats(0.0, 2.0),
)
def test_closed_form_solves_the_ode_and_is_gradient_flow(delta: float, d: float, m0: float, t: float) -> None:
    m = float(mf.second_moment(t, delta=delta, d=d, m0=m0))
    assert m == pytest.approx(float(mf.second_moment_ode([t], delta=delta, d=d, m0=m0)[0]), rel=1e-9)
    # dm/dt = -4 xi m R'(m): the reduced flow is the gradient flow of the risk in m, with mobility 4 m.
    h = 1e-5
    tc = t + h  # central difference at tc
    m = float(mf.second_moment(tc, delta=delta, d=d, m0=m0))
    dm_dt = (mf.second_moment(tc + h, delta=delta, d=d, m0=m0) - mf.second_moment(tc - h, delta=delta, d=d, m0=m0)) / (2 * h)
    lo, hi = max(m - 1e-7, 0.0), m + 1e-7
    r_prime = (mf.risk(hi, delta=delta, d=d) - mf.risk(lo, delta=delta, d=d)) / (hi - lo)
    assert float(dm_dt) == pytest.approx(-4 * m * float(r_prime), rel=1e-5, abs=1e-6)


def test_fixed_point_and_mpmath_route() -> None:
    c = (A**2 + B**2) * (1 + 2 / 10)
    m_star, r_star = mf.fixed_point(delta=DELTA, d=10)
    assert m_star == pytest.approx(2 * A / c, rel=1e-14)
    assert r_star == pytest.approx(float(mf.risk(m_star, delta=DELTA, d=10)), rel=1e-14)
    assert float(mf.second_moment(50.0, delta=DELTA, d=10)) == pytest.approx(m_star, rel=1e-12)
    # mpmath Taylor route at 30 digits against the logistic closed form evaluated in mpmath.
    with mpmath.workdps(40):
        a, b = mpmath.mpf(25) / 16, mpmath.mpf(9) / 16
        ms = 2 * a / ((a**2 + b**2) * (1 + mpmath.mpf(2) / 10))
        exact = ms / (1 + (ms / mpmath.mpf("0.1") - 1) * mpmath.exp(-8 * a * mpmath.mpf("0.3")))
    got = mf.second_moment_ode([0.3], delta="0.25", d=10, m0="0.1", dps=30)[0]
    assert abs(got - exact) < mpmath.mpf(10) ** -27 * exact


def test_risk_formula_against_monte_carlo_and_simulator() -> None:
    """Chi-square moments: an isotropic M = (m/d) I (N = d orthogonal neurons), d = 5, 4e5 samples."""
    d, m = 5, 0.7
    rng = np.random.default_rng(7)
    w = np.sqrt(m) * np.eye(d)
    n = 400_000
    cls = rng.integers(0, 2, n)
    y = 1.0 - 2.0 * cls
    x = rng.standard_normal((n, d)) * np.where(cls == 0, 1 + DELTA, 1 - DELTA)[:, None]
    loss = (y - ((x @ w.T) ** 2).mean(axis=1) + 1.0) ** 2
    se = loss.std() / math.sqrt(n)
    theory = float(mf.risk(m, delta=DELTA, d=d))
    assert abs(loss.mean() - theory) < 3 * se
    assert float(population_risk(w, delta=DELTA)) == pytest.approx(theory, rel=1e-12)
    assert abs(theory - float(mf.risk(m, delta=DELTA))) > 10 * se  # the 2/d term is seen


def test_gd_width_n_approaches_the_ode_like_one_over_n() -> None:
    """Population GD from a random start on the sphere (tr M(0) = m0 exactly): only its anisotropy, O(1/N), is left."""
    errs, spreads = [], []
    for n in (10, 40, 160):
        run = train(n_neurons=n, d=10, t_max=0.4, eps=1e-3, seeds=8, seed=3, mode="gd", n_record=5, init="sphere")
        mu, se = run.mean_se()
        errs.append(np.abs(mu - mf.second_moment(run.t, delta=DELTA, d=10)).max())
        spreads.append(run.scale_spread[:, -1].mean())
    assert errs[0] > 3 * errs[1] and errs[1] > 3 * errs[2]  # ~4x per 4x width
    assert errs[2] < 0.01
    assert spreads[1] > 1.5 * spreads[2]  # every neuron rescaled alike as N grows (~ N^-1/2 once N >> d)


def test_gd_fixed_points_finite_d_and_rank_constrained() -> None:
    # N >= d: the isotropic minimizer, with the finite-d factor (1 + 2/d) (far from the d = inf value).
    run = train(n_neurons=60, d=5, t_max=2.0, eps=1e-3, seeds=2, mode="gd", n_record=2)
    assert run.m[:, -1] == pytest.approx(2 * A / ((A**2 + B**2) * 1.4), rel=1e-5)
    assert abs(run.m[:, -1].mean() - mf.fixed_point(delta=DELTA)[0]) > 0.2
    # N = 2 < d = 10: rank-2 M, both eigenvalues equal at the end: tr M = 2a/((a²+b²)(1 + 2/N)).
    run = train(n_neurons=2, d=10, t_max=2.0, eps=1e-3, seeds=2, mode="gd", n_record=2, init="sphere")
    assert run.m[:, -1] == pytest.approx(2 * A / ((A**2 + B**2) * 2.0), rel=1e-5)


def test_sgd_approaches_the_ode_as_the_step_shrinks() -> None:
    """Online SGD, 8 runs per step size: the error and the per-neuron spread shrink like sqrt(eps d)."""
    rms, spread = [], []
    for eps in (4e-3, 2.5e-4):
        run = train(n_neurons=100, d=10, t_max=0.5, eps=eps, seeds=8, seed=11, n_record=6)
        th = mf.second_moment(run.t, delta=DELTA, d=10)
        rms.append(float(np.sqrt(((run.m - th) ** 2).mean())))
        spread.append(run.scale_spread[:, -1].mean())
    assert rms[1] < rms[0] / 2
    assert 2.5 < spread[0] / spread[1] < 5.5  # sqrt(16) = 4, less the O(N^-1/2) floor of the start
    assert rms[1] < 0.05


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"delta": 1.0}, "delta"),
        ({"delta": 0}, "delta"),
        ({"d": 2.5}, "d"),
        ({"d": 0}, "d"),
        ({"m0": 0}, "m0"),
        ({"xi": -1}, "xi"),
        ({"delta": "x"}, "delta"),
    ],
)
def test_bad_parameters_name_themselves(kw: dict[str, object], name: str) -> None:
    with pytest.raises(ParameterError, match=f"`{name}`"):
        mf.second_moment(0.1, **kw)  # type: ignore[arg-type]


def test_bad_times_steps_and_modes() -> None:
    with pytest.raises(ParameterError, match="`t`"):
        mf.second_moment(-1.0)
    with pytest.raises(ParameterError, match="`dps`"):
        mf.second_moment_ode([0.1], dps=2)
    with pytest.raises(ParameterError, match="`mode`"):
        train(n_neurons=2, d=2, t_max=0.1, eps=0.01, mode="adam")
    with pytest.raises(ParameterError, match="`eps`"):
        train(n_neurons=2, d=2, t_max=0.1, eps=0.0)
    with mpmath.workdps(20):
        mf.second_moment_ode([0.1], dps=50)
        assert mpmath.mp.dps == 20


def test_sgd_step_of_m_depends_on_m_only() -> None:
    """Two width-N networks with the same M = WᵀW/N (W' = UW, U orthogonal) stay equal in M under one SGD step."""
    rng = np.random.default_rng(5)
    n, d, c = 7, 4, 0.3
    w = rng.standard_normal((n, d)) / 2
    u, _ = np.linalg.qr(rng.standard_normal((n, n)))
    x = rng.standard_normal(d)
    out = []
    for ww in (w, u @ w):
        h = ww @ x
        yhat = (h**2).mean() - 1.0
        ww = ww + c * (1.0 - yhat) * h[:, None] * x[None, :]
        out.append(ww.T @ ww / n)
    assert np.allclose(out[0], out[1], atol=1e-12)
