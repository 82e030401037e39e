"""committee: online SGD at finite d converges to the Saad-Solla ODEs as d grows (several seeds, standard errors)."""

from __future__ import annotations

import numpy as np

from asymptotics.models import committee as cm
from validation.simulators.committee import sgd_overlaps


def test_sgd_converges_to_ode_as_d_grows() -> None:
    times = np.array([1.0, 4.0, 10.0])
    ode, st = cm.curve_values("eg", 2, 2, lr=1.0, t=times)
    r_ode, _ = cm.curve_values("R", 2, 2, lr=1.0, t=times)
    assert np.all(st == 0)
    dev, se = [], []
    for j, d in enumerate((100, 400, 1600)):
        sim = sgd_overlaps(2, 2, d, times, lr=1.0, reps=6, seed=10 + j)
        eg = sim["eg"]
        m, s = eg.mean(axis=0), eg.std(axis=0, ddof=1) / np.sqrt(eg.shape[0])
        dev.append(np.abs(m - ode))
        se.append(s)
        r = np.mean([sim["R"][:, :, a, a] for a in range(2)], axis=0)
        # overlaps: within 4 SE plus an O(1/d) finite-size allowance
        rs = r.std(axis=0, ddof=1) / np.sqrt(r.shape[0])
        assert np.all(np.abs(r.mean(axis=0) - r_ode) <= 4 * rs + 2.0 / d)
    # the largest d agrees with the ODE within 4 standard errors (plus a 1/d bias allowance)
    assert np.all(dev[-1] <= 4 * se[-1] + 1.0 / 1600)
    # the fluctuations shrink with d (~ 1/sqrt(d)): the SE at d = 1600 is well below the one at d = 100
    assert np.all(se[-1] < 0.6 * se[0])
    # and so does the deviation from the ODE, summed over the times
    assert dev[-1].sum() < dev[0].sum() + 2 * se[0].sum()


def test_linear_sgd_matches_closed_form() -> None:
    # K = M = 1, g(x) = x: eg(t) = einf + (eg0 - einf) exp(-(2 lr - lr^2) t), einf = lr noise/(2(2 - lr)) (hand derivation)
    lr, noise, t = 0.5, 0.2, np.array([2.0, 8.0])
    sim = sgd_overlaps(1, 1, 800, t, activation="linear", lr=lr, noise=noise, reps=8, seed=3)
    eg = sim["eg"]
    e0, einf = (0.25 - 2e-3 + 1) / 2, lr * noise / (2 * (2 - lr))
    want = einf + (e0 - einf) * np.exp(-(2 * lr - lr * lr) * t)
    se = eg.std(axis=0, ddof=1) / np.sqrt(eg.shape[0])
    assert np.all(np.abs(eg.mean(axis=0) - want) <= 4 * se + 2.0 / 800)


def test_registered_simulator_serves_the_cli_overlay() -> None:
    # the registry's adapter (campaigns, `asymptotics curve ... --mc`) reaches the simulator through the declaration;
    # a linear K = M = 1 point has the closed form eg(t) = eg0 exp(-(2 lr - lr^2) t) (noiseless, hand derivation)
    from validation.simulators.registry import get_simulator

    spec = get_simulator("committee")
    params = {"K": "1", "M": "1", "activation": "linear", "lr": "0.5", "t": "2"}
    est = spec.simulate(params, 400, 8, 5, quantity="eg")
    e0 = (0.25 - 2e-3 + 1) / 2
    want = e0 * np.exp(-(2 * 0.5 - 0.25) * 2)
    assert abs(est.mean - want) <= 4 * est.se + 2.0 / 400
