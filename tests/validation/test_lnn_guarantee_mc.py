"""ACGH19's guarantee and the local acceleration criterion against layer gradient descent.

Every run of every configuration must satisfy the theorem (no "on average"): the loss stays below
``ℓ(0)(1 − ηc^{2(N−1)/N})^t`` at every iteration and reaches ``ε`` by the guaranteed ``⌈T⌉``.
The acceleration checks compare measured per-iteration contractions with ``(κ − 1)/(κ + 1)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from asymptotics.models import _lnn_guarantee as theory
from validation.simulators import _lnn_guarantee as sim

SEEDS = tuple(range(8))


def _check_guarantee(r: sim.GuaranteeRuns) -> None:
    assert np.all(r.margin > 0) and np.all(r.delta <= r.delta_max)  # the hypotheses, as measured
    assert np.all(r.ratio <= 1 + 1e-12), r.ratio.max()  # ℓ(t) ≤ bound(t) at every t
    assert np.all(r.final <= r.eps)  # ℓ(⌈T⌉) ≤ ε
    assert np.all((r.needed >= 1) & (r.needed <= r.guaranteed))


def test_depth1_exact_rate():
    """N = 1: ℓ(t) = ℓ(0)(1 − η)^{2t} exactly, so the iterations needed are ⌈ln(ℓ0/ε)/(−2 ln(1 − η))⌉ ≈ T/2."""
    r = sim.guarantee_runs(1, (2, 2), (1.0, 1.5), 0.5, seeds=SEEDS)
    _check_guarantee(r)
    expect = np.ceil(np.log(2.0) / (-2 * np.log1p(-r.step)))
    assert np.all(np.abs(r.needed - expect) <= 1)
    assert np.allclose(r.looseness, 0.5, atol=1e-3)


@pytest.mark.parametrize("shape", [(1, 3), (3, 1)])
def test_depth2_guarantee_holds_on_every_run(shape):
    r = sim.guarantee_runs(2, shape, (1.0,), 0.9, width=2, seeds=SEEDS)
    _check_guarantee(r)
    # the guaranteed T agrees with the certified quantity at the measured margin
    i = 0
    t = theory.guarantee_iterations(2, r.margin[i], float(np.linalg.norm([1.0])), r.eps[i] * 2, r.eps[i], dps=15)
    assert math.ceil(float(t.value)) == pytest.approx(r.guaranteed[i], abs=1)
    # near the optimum GD contracts the loss by ≈ (1 − 2ηN σ^{2−2/N})  vs the bound's 1 − ηc: loose by ≈ c/(4σ)
    assert np.all((r.looseness > 0.15) & (r.looseness < 0.5))


def test_larger_steps_converge_much_faster_than_guaranteed():
    f, needed = sim.largest_step(2, (1, 3), (1.0,), 0.9, seeds=SEEDS[:4], budget=400)
    assert f >= 2.0**10 and 0 < needed <= 400  # the step condition is loose by > 3 orders of magnitude


def test_balanced_start_without_margin_fails_for_every_step():
    """Φ = −1, w_j = ½ (N = 2, 4): W = w^N ≥ 0 stays on the wrong side, ℓ ≥ ½ for every step size."""
    for depth in (2, 4):
        losses = sim.necessity_example(depth, 0.5, lrs=(3.0, 1.0, 0.1, 0.01), steps=800)
        assert all(v >= 0.5 for v in losses.values())  # diverged (inf) or stuck near the saddle W = 0
        assert sum(math.isfinite(v) for v in losses.values()) >= 3


# ----------------------------------------------------------------------------- acceleration criterion
CASES = [
    # (H, w⋆, depth, verdict): soft direction → accelerates; stiff / isotropic → cannot
    (np.diag([1.0, 10.0]), np.array([1.0, 0.0]), 2, True),
    (np.diag([1.0, 10.0]), np.array([1.0, 0.0]), 3, True),
    (np.diag([1.0, 30.0, 5.0]), np.array([1.0, 0.1, 0.2]), 3, True),
    (np.diag([1.0, 10.0]), np.array([0.0, 1.0]), 2, False),
    (np.eye(3), np.array([1.0, -1.0, 0.5]), 2, False),
]


@pytest.mark.parametrize("H, w, depth, verdict", CASES)
def test_local_criterion_against_tuned_layer_gd(H, w, depth, verdict):
    for seed in range(5):
        r = sim.acceleration_runs(H, w, depth, rng=np.random.default_rng(seed))
        c = r.criterion
        assert c.accelerates == verdict
        # the measured contraction of each depth matches (κ − 1)/(κ + 1) (step 0.99 of the optimum)
        assert r.measured_n == pytest.approx(c.rho_n, abs=0.03)
        if c.kappa_1 > 1:
            assert r.measured_1 == pytest.approx(c.rho_1, abs=0.03)
        # best rate of a fine grid (no theory in it): depth N beats depth 1 on every seed iff predicted
        it_1, _ = sim.best_lr_iterations(H, w, 1, rng=np.random.default_rng(seed))
        it_n, _ = sim.best_lr_iterations(H, w, depth, rng=np.random.default_rng(seed))
        assert (it_n < it_1) == verdict
        if c.kappa_1 > 1:  # measured speed-up = ratio of tuned iteration counts, within 25 %
            assert it_1 / it_n == pytest.approx(c.speedup, rel=0.25)


@pytest.mark.slow
@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (3, 1)])
def test_depth3_guarantee_holds_on_every_run(shape):
    r = sim.guarantee_runs(3, shape, (1.0,), 0.9, width=3, seeds=SEEDS, max_steps=400_000)
    _check_guarantee(r)


def test_criterion_finds_no_local_acceleration_in_the_lp_experiment():
    """For implicit_acceleration's design the local speed-up is ≈ 1 (0.77–1.02) at p = 2 and p = 4 alike:
    the measured ℓ₄ acceleration of that experiment is a transient (non-local) effect."""
    for p in (2, 4):
        for seed in range(5):
            for depth in (2, 3):
                c = sim.experiment_criterion(p, depth, seed=seed)
                assert 15 < c.kappa_1 < 60 and 0.7 < c.speedup < 1.1
