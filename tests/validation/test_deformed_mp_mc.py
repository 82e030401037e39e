"""Monte Carlo of the deformed Marchenko–Pastur law against the theory at the realized (γ, weights)."""

from fractions import Fraction

import numpy as np
import pytest

from asymptotics.models import deformed_mp as D
from validation.simulators import deformed_mp as S
from validation.simulators.registry import get_simulator

SPECTRA = ["blocks:1/0.5,4/0.5", "blocks:0/0.25,1/0.75", "spike:t=5,w=0.1"]


@pytest.mark.parametrize("spec", SPECTRA)
def test_cdf_and_moments_within_3se(spec):
    est = S.simulate("cdf", "0.5", spec, n=200, reps=8, x=[0.8, 2.0, 4.0], seed=3)
    g, sp = est.params["gamma"], est.params["spectrum"]
    theory = np.array([float(D.cdf(repr(x), g, sp, dps=15).value) for x in (0.8, 2.0, 4.0)])
    # the cdf of linear statistics carries a bias O(1/n); allow 3 SE plus 1/p
    assert np.all(np.abs(est.mean - theory) <= 3 * est.se + 1 / est.p)
    for k in (1, 2):
        m = S.simulate("moment", "0.5", spec, n=200, reps=8, k=k, seed=4)
        assert abs(m.mean - float(D.moment(k, m.params["gamma"], m.params["spectrum"]).value)) <= 3 * m.se + 1e-9


def test_stieltjes_within_3se():
    est = S.simulate("stieltjes", "2", "blocks:1/0.5,4/0.5", n=200, reps=8, z=[-1.0, 2 + 1j], seed=5)
    g, sp = est.params["gamma"], est.params["spectrum"]
    th = np.array([complex(D.stieltjes(z, g, sp, dps=15).value) for z in ("-1", "2+1j")])
    assert np.all(np.abs(est.mean - th) <= 3 * np.abs(est.se) + 2 / est.p)


def test_ks_distance_shrinks():
    spec = "blocks:1/0.5,10/0.5"
    small = [S.ks_distance(e, 0.5, spec) for e in S.replicate_eigenvalues("0.5", spec, n=100, reps=3, seed=1)]
    large = [S.ks_distance(e, 0.5, spec) for e in S.replicate_eigenvalues("0.5", spec, n=400, reps=3, seed=1)]
    assert max(large) < 0.04 and np.mean(large) < np.mean(small)


def test_histogram_density():
    spec = "blocks:1/0.5,4/0.5"
    est = S.simulate("density", "0.5", spec, n=400, reps=6, x=[1.0, 4.0], width=0.2, seed=2)
    th = D.density_curve(np.array([1.0, 4.0]), float(Fraction(est.params["gamma"])), est.params["spectrum"])[0]
    assert np.all(np.abs(est.mean - th) <= 3 * est.se + 0.02)


def test_registered_and_points():
    sim = get_simulator("dmp")
    assert "cdf" in sim.quantities and "density" in sim.curve_quantities
    est = sim.simulate({"gamma": "0.5", "spectrum": "blocks:1/0.5,4/0.5", "x": "2"}, 100, 3, quantity="cdf")
    assert sim.realized({"gamma": "0.5", "spectrum": "blocks:1/0.5,4/0.5", "x": "2"}, est, 100)["gamma"] == "50/100"


def test_bad_input():
    from asymptotics.errors import ParameterError

    with pytest.raises(ParameterError, match="statistic"):
        S.simulate("foo", "0.5", n=10, reps=2)
    with pytest.raises(ParameterError, match="x"):
        S.simulate("cdf", "0.5", n=10, reps=2)
