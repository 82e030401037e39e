"""The CLI plug-in ``validation.curves.simulate_curve`` (entry-point group ``asymptotics.simulators``)."""

from __future__ import annotations

import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import marchenko_pastur as mp_theory
from asymptotics.models import ridge as ridge_theory
from validation import simulate_curve

Z_MAX = 4.0


def _agree(theory, mean, se):
    z = (mean - theory) / se
    return np.all(np.abs(z) <= Z_MAX), z


def test_ridge_lambda_axis():
    lams = np.array([0.05, 0.2, 1.0])
    mean, se = simulate_curve("ridge", "risk", "lam", lams, {"gamma": "2", "sigma2": "0.25"}, reps=30, seed=3, n=150)
    assert mean.shape == se.shape == lams.shape
    assert np.all(np.isfinite(se)) and np.all(se > 0)
    theory, status = ridge_theory.curve_values("risk", 2.0, lams, 1.0, 0.25)
    assert np.all(status == 0)
    ok, z = _agree(theory, mean, se)
    assert ok, z


def test_ridge_gamma_axis_uses_defaults():
    gammas = np.array([0.5, 2.0])
    mean, se = simulate_curve("ridge", "train_error", "gamma", gammas, {"lam": "0.5"}, reps=20, seed=4, n=120)
    theory, _ = ridge_theory.curve_values("train_error", gammas, 0.5, 1.0, 1.0)  # r2 = sigma2 = 1 (registry defaults)
    ok, z = _agree(theory, mean, se)
    assert ok, z


def test_ridge_sigma2_axis_matches_direct_simulation():
    from asymptotics.models.ridge import RidgeParams
    from validation.simulators import ridge as sim

    mean, se = simulate_curve("ridge", "bias", "sigma2", np.array([0.25]), {"gamma": "0.5", "lam": "0.1"}, reps=5, seed=8, n=60)
    direct = sim.simulate(RidgeParams(gamma="0.5", lam="0.1", sigma2="0.25"), n=60, reps=5, seed=8)["bias"]
    assert mean[0] == pytest.approx(direct.mean) and se[0] == pytest.approx(direct.se)


def test_ridge_spectrum_text_parameter():
    spectrum = "blocks:1/0.5/1,10/0.5/0"  # row G4 of the theory note at λ = 0 and 0.1
    lams = np.array([0.0, 0.1])
    mean, se = simulate_curve(
        "ridge", "risk", "lam", lams, {"gamma": "2", "sigma2": "0.25", "spectrum": spectrum}, reps=20, n=150
    )
    theory, _ = ridge_theory.curve_values("risk", 2.0, lams, sigma2=0.25, spectrum=spectrum)
    assert theory[0] == pytest.approx(2.01595200835734)
    ok, z = _agree(theory, mean, se)
    assert ok, z


@pytest.mark.parametrize("quantity", ["cdf", "density"])
def test_mp_x_axis(quantity):
    x = np.array([0.5, 1.0, 1.5, 2.0])
    mean, se = simulate_curve("marchenko_pastur", quantity, "x", x, {"gamma": "0.5"}, reps=20, seed=5)
    assert mean.shape == se.shape == x.shape and np.all(np.isfinite(se))
    curve = mp_theory.cdf_curve if quantity == "cdf" else mp_theory.density_curve
    ok, z = _agree(curve(x, 0.5)[0], mean, se)  # bulk points: bin-width bias ≪ SE at n = 400
    assert ok, z


def test_progress_bar_runs(capsys):
    mean, _ = simulate_curve("mp", "cdf", "x", np.array([1.0]), {"gamma": "0.5", "sigma2": "1"}, reps=2, n=20, progress=True)
    assert mean.shape == (1,)
    # tqdm draws on a terminal only (disable=None): captured stderr is not a terminal
    assert "replicates" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("kernel", "risk", "lam"), r"unknown model 'kernel'"),
        (("ridge", "kappa", "lam"), r"no Monte Carlo estimate of ridge 'kappa'; available: risk, bias, variance, train_error"),
        (("ridge", "risk", "x"), r"runs along lam, gamma, r2, sigma2, tau2; got axis 'x'"),
        (("mp", "stieltjes", "x"), r"no Monte Carlo estimate of mp 'stieltjes'"),
        (("mp", "cdf", "gamma"), r"runs along x; got axis 'gamma'"),
    ],
)
def test_unsupported_combinations(args, match):
    with pytest.raises(ParameterError, match=match):
        simulate_curve(*args, np.array([1.0]), {"gamma": "2"}, reps=2)


def test_bad_parameters():
    with pytest.raises(ParameterError, match=r"`gamma` is required"):
        simulate_curve("ridge", "risk", "lam", np.array([0.1]), {}, reps=2)
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) psi1"):
        simulate_curve("ridge", "risk", "lam", np.array([0.1]), {"gamma": "1", "psi1": "2"}, reps=2)
    with pytest.raises(ParameterError, match=r"`reps` must be an integer ≥ 2"):
        simulate_curve("ridge", "risk", "lam", np.array([0.1]), {"gamma": "1"}, reps=1)
    with pytest.raises(ParameterError, match=r"`lam` must be ≥ 0"):
        simulate_curve("ridge", "risk", "gamma", np.array([0.5]), {"lam": "-1"}, reps=2)
    with pytest.raises(ParameterError, match=r"`n` must be an integer ≥ 1; got 0"):
        simulate_curve("mp", "cdf", "x", np.array([0.5]), {"gamma": "1"}, reps=2, n=0)
