"""Monte Carlo checks of the ``learning_curve`` model (Gaussian features with the spectrum, exact KRR errors)."""

from __future__ import annotations

import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import learning_curve as lc
from validation.simulators import get_simulator
from validation.simulators import learning_curve as sim


def _theory(q: str, pr: lc.LCParams) -> float:
    return float(getattr(lc, q)(pr.n, pr.lam, pr.sigma2, spectrum=pr.spectrum, mode=pr.mode, dps=15).value)


@pytest.mark.parametrize("scale", [1, 2])
def test_within_three_se(scale):
    # n and every degeneracy scaled together: the proportional limit the theory describes
    pr = lc.LCParams(n=50 * scale, lam="0.05", sigma2="0.1", spectrum=f"modes:1/{10 * scale}/1,0.1/{100 * scale}/0.5", mode=2)
    est = sim.simulate(pr, reps=100, seed=3)
    for q, e in est.items():
        mean, se = e.samples.mean(), e.samples.std(ddof=1) / np.sqrt(e.reps)
        assert abs(mean - _theory(q, pr)) <= 3 * se, (q, mean, _theory(q, pr), se)


def test_ridgeless_finite_size_trend():
    # δ = 0, n > P (least squares): E = σ² n/(n − P) in the limit; the Gaussian finite-n value is
    # σ²(1 + P/(n − P − 1)): the gap to the limit shrinks like 1/n at fixed P/n
    gaps = []
    for scale in (1, 4):
        pr = lc.LCParams(n=40 * scale, lam=0, sigma2="1", spectrum=f"modes:1/{10 * scale}/1")
        est = sim.simulate(pr, reps=200, seed=5, quantities=("test_error", "train_error"))
        th = _theory("test_error", pr)
        m = est["test_error"].samples.mean()
        se = est["test_error"].samples.std(ddof=1) / np.sqrt(200)
        P, n = 10 * scale, 40 * scale
        assert abs(m - (1 + P / (n - P - 1))) <= 3 * se  # the exact finite-n value
        gaps.append(abs(m - th) / th)
        tr = est["train_error"].samples.mean()  # E[‖residual‖²/n] = σ²(n − P)/n exactly
        assert abs(tr - _theory("train_error", pr)) <= 3 * est["train_error"].samples.std(ddof=1) / np.sqrt(200)
    assert gaps[1] < gaps[0] or gaps[1] < 0.01


def test_registry_and_errors():
    spec = get_simulator("learning_curve")
    e = spec.simulate({"spectrum": "modes:1/5/1,0.2/40/0.5", "lam": "0.1", "sigma2": "0.1"}, 30, 4, quantity="test_error")
    assert e.samples.shape == (4,)
    with pytest.raises(ParameterError, match="integer `n`"):
        sim.simulate(lc.LCParams(n="10.5", spectrum="modes:1/5/1"), reps=2, quantities=("test_error",))
    with pytest.raises(ParameterError, match="finite spectrum"):
        sim.simulate(lc.LCParams(n=10, spectrum="power_law:alpha=2,beta=2"), reps=2, quantities=("test_error",))
    with pytest.raises(ParameterError, match="`mode`"):
        sim.simulate(lc.LCParams(n=10, spectrum="modes:1/5/1"), reps=2, quantities=("mode_error",))


def test_curve_overlay():
    mean, se = sim.curve("test_error", "lam", np.array([0.1, 1.0]), {"n": "40", "spectrum": "modes:1/5/1,0.1/60/0.5"}, reps=30)
    th, _ = lc.curve_values("test_error", 40.0, np.array([0.1, 1.0]), 0.0, spectrum="modes:1/5/1,0.1/60/0.5")
    assert np.all(np.abs(mean - th) <= 3 * se + 0.05 * th)  # finite-n gap of a few percent at n = 40
    with pytest.raises(ParameterError, match="runs along"):
        sim.curve("test_error", "d", np.array([1.0]), {"n": "40", "spectrum": "modes:1/5/1"}, reps=2)
