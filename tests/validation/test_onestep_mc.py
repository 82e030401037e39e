"""Monte Carlo of the actual two-layer network (one exact gradient step, then ridge) against ``onestep``.

The simulator takes the exact gradient (every Hermite component of σ', the network's own output), so
agreement checks the theorem's approximations (rank-one spike, Gaussian equivalence) as well as our
deterministic equivalent.  Seed-robust: several replicates, 3 standard errors plus a stated finite-size slack.
"""

from __future__ import annotations

import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import onestep as o
from validation.simulators import onestep as sim

KW = dict(psi1=2, psi2="1.5", lam="0.1", activation="tanh", F1sq=1, Fstar2="0.3", tau2="0.2", eta=2, psi_step="1.5")


def _theory(q: str) -> float:
    return float(getattr(o, q)(**KW).value)


@pytest.mark.parametrize("seed", [0, 7])
def test_improvement_and_alignment_small_d(seed: int) -> None:
    est = sim.simulate(o.OneStepParams(**KW), d=80, reps=6, seed=seed, n_test=500)
    imp, al = est["improvement"], est["alignment"]
    assert abs(float(imp.mean) - _theory("improvement")) < 3 * float(imp.se) + 0.02
    assert float(imp.mean) > 0.03  # the step helps, far beyond noise
    # alignment: finite-d bias of the top singular vector is O(1/sqrt(d)); the theory value is 1/sqrt(2)
    assert abs(float(al.mean) - _theory("alignment")) < 3 * float(al.se) + 0.05
    r = est["risk"]
    assert abs(float(r.mean) - _theory("risk")) < 3 * float(r.se) + 0.03


def test_eta_zero_paired_is_identical() -> None:
    est = sim.simulate(o.OneStepParams(**{**KW, "eta": 0}), d=40, reps=2, seed=1, n_test=100, quantities=("improvement",))
    assert np.all(est["improvement"].samples == 0)


def test_bad_request() -> None:
    with pytest.raises(ParameterError, match="params"):
        sim.simulate(KW, d=40, reps=2)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="quantities"):
        sim.simulate(o.OneStepParams(**KW), d=40, reps=2, quantities=("bias",))


@pytest.mark.slow
def test_finite_size_trend() -> None:
    """Risk and improvement at d = 100, 200, 400 (8 replicates each): every d within 3 SE + O(1/sqrt d)."""
    th_r, th_i = _theory("risk"), _theory("improvement")
    for d in (100, 200, 400):
        est = sim.simulate(o.OneStepParams(**KW), d=d, reps=8, seed=d, n_test=1000)
        for q, th in (("risk", th_r), ("improvement", th_i)):
            e = est[q]
            assert abs(float(e.mean) - th) < 3 * float(e.se) + 0.5 / np.sqrt(d)
