"""Simulations of implicit regularization beyond norms (validation/simulators/_lnn_implicit.py) against the theory.

* RC20's 2×2 problem: from ``det W(0) > 0`` the bound ``B(ℓ)`` holds at every recorded iteration on
  every seed while the loss falls, the norms grow and the effective rank goes to 1; from
  ``det W(0) < 0`` the run converges to a finite-norm exact fit.
* CP factorization: the aligned orthogonal case follows lnn's closed-form mode (depth = order) up to
  an O(η) discretization error that halves with η; completion from a small balanced init learns
  one component at a time, ends at the target's tensor rank, and no component outruns the growth
  time bound.
"""

from __future__ import annotations

import numpy as np
import pytest

from asymptotics.models import _lnn_implicit as imp
from asymptotics.models import linear_networks as lnn
from validation.simulators import _lnn_implicit as sim


@pytest.fixture(scope="module")
def positive():
    return sim.norms_counterexample(3, steps=6000, seeds=5, det_sign=1, records=30)


def test_norms_diverge_above_the_bound_on_every_seed(positive):
    run = positive
    assert np.all(run.det > 0)  # the sign of det W is kept (balanced start, small step)
    active = run.loss < 0.5
    assert active[:, -1].all()
    for norm in (np.abs(run.w11), run.spectral, run.frobenius, run.nuclear, run.schatten_half):
        assert np.all(norm[active] > run.bound[active])
    # loss falls, norms rise past 5 (B(ℓ) ≈ 1/√(2ℓ)), the fit becomes rank one
    assert np.all(run.loss[:, -1] < 0.02)
    assert np.all(np.abs(run.w11[:, -1]) > 5)
    late = run.steps > 3000
    assert np.all(np.diff(run.frobenius[:, late], axis=1) > 0)
    assert np.all(np.diff(run.loss[:, late], axis=1) < 0)
    assert np.all(run.erank[:, -1] < 1.001)
    # measured, not a theorem: the run tracks the bound's minimizer, so the bound is nearly attained
    assert np.all(np.abs(run.w11[:, -1]) / run.bound[:, -1] < 1.01)


def test_negative_determinant_gives_a_finite_norm_fit():
    run = sim.norms_counterexample(3, steps=15_000, seeds=5, det_sign=-1, records=30)
    assert np.all(run.loss[:, -1] < 1e-10)
    assert np.allclose(run.det[:, -1], -1, atol=1e-6)
    assert np.all(run.frobenius[:, -1] < 10)
    assert np.allclose(run.frobenius[:, -1], run.frobenius[:, -2], rtol=1e-3)  # settled (det > 0: grows like 1/√(2ℓ))
    assert np.all(np.isnan(run.bound[:, -1]))  # no bound once det < 0


def test_aligned_cp_follows_the_lnn_mode_with_first_order_error():
    # order 3, s = 2, σ₀ = 0.01: σ̇ = 3σ^{4/3}(2 − σ); first iteration with σ ≥ s/2 against T/η
    exact = float(lnn.time_to_learn(3, "0.01", "2", "1/2").value)
    gaps = []
    for lr in (4e-3, 2e-3):
        steps = int(1.2 * exact / lr)
        run = sim.aligned_cp(3, dim=3, scales=(2.0,), init=0.01, lr=lr, steps=steps, records=steps + 1)
        hit = run.steps[np.argmax(run.norms[:, 0] >= 1.0)] * lr
        gaps.append(abs(hit - exact) / exact)
        # and at T the closed-form trajectory matches the recorded norm to O(η)
        k = int(round(exact / 2 / lr))
        sigma_half_time = float(lnn.trajectory(3, "0.01", "2", str(k * lr)).value)
        assert run.norms[k, 0] == pytest.approx(sigma_half_time, rel=0.03)
    assert gaps[0] < 0.02
    assert gaps[1] < 0.65 * gaps[0]  # first order in η


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cp_completion_learns_one_component_at_a_time(seed):
    rng = np.random.default_rng(seed)
    run = sim.cp_completion(3, dim=6, rank=2, scales=(3.0, 2.0), observed=0.5, steps=8000, records=60, rng=rng)
    final = run.norms[-1]
    top = np.argsort(final)[::-1]
    assert run.rank_proxy[-1] == 2  # tensor rank of the fit = the target's
    assert final[top[2]] < 0.05 * final[top[1]]
    assert run.unobserved_error[-1] < 0.05  # generalizes to the unseen entries
    # incremental: when the first component is half grown the second is still near its init
    first = np.argmax(run.norms[:, top[0]] > 0.5 * final[top[0]])
    assert run.norms[first, top[1]] < 1e-2 * final[top[1]]
    # RMC21 dynamics: |⟨∇ℓ, Ŵ_r⟩| ≤ ‖∇ℓ‖_F = √(2ℓ) ≤ √(2ℓ(0)); no component reaches norm 1 before the bound
    g = np.sqrt(2 * run.loss[0])
    bound = float(imp.growth_time_bound(3, "1e-6", "1", repr(float(g))).value)
    reached = run.steps[np.argmax(run.norms.max(axis=1) >= 1.0)] * run.lr
    assert reached >= bound
