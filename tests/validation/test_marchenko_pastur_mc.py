"""Marchenko–Pastur theory (asymptotics) against simulation (validation), tolerance from the SE.

Linear spectral statistics have an ``O(1/n)`` mean bias of the same order as their
fluctuations, so at fixed ``reps`` their z-score against the ``n → ∞`` limit does not
shrink with ``n`` (theory note §6, pitfall 8).  These tests therefore compare with an exact
finite-``n`` value where one exists (Wishart moments), or extrapolate from ``n`` and ``2n``
(Richardson, ``O(1/n)`` bias), as the note's §5 does.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import marchenko_pastur as mp_theory
from validation import compare, finite_size_trend
from validation.simulators import marchenko_pastur as mp_sim

Z_MAX = 4.0
TW1_MEAN = -1.2065335745820  # mean of the Tracy–Widom β = 1 law (Tracy & Widom 1996)


def richardson_z(theory: float, quantity: str, gamma, *, n: int, part=np.real, **kw) -> tuple[float, object]:
    """z of the n → 2n Richardson extrapolation against the limit."""
    ests = [mp_sim.simulate(quantity, gamma, n=size, **kw) for size in (n, 2 * n)]
    if np.iscomplexobj(ests[0].samples):
        ests = [type(e)(e.quantity, part(e.samples), e.n, e.p, e.seed, e.params, e.points) for e in ests]
    trend = finite_size_trend(theory, ests)
    return trend.extrapolated_z, trend


# ----------------------------------------------------------------------------- Stieltjes transform
@pytest.mark.parametrize("design", ["gaussian", "rademacher"])
@pytest.mark.parametrize(("gamma", "z"), [("0.5", -1), ("2", "-0.5")])
def test_stieltjes_negative_axis(design, gamma, z):
    theory = float(mp_theory.stieltjes(z, gamma).value)
    zext, trend = richardson_z(theory, "stieltjes", gamma, n=200, reps=40, seed=11, z=z, design=design)
    assert abs(zext) <= Z_MAX, trend
    assert np.all(np.abs(trend.gaps) < 2e-3 * theory)  # the finite-n bias itself is small


def test_stieltjes_complex_point():
    # MP3 of the note: γ = 1/4, σ² = 2, z = 1 + 0.5i, m(z) = 0.4 + 0.8i
    theory = complex(mp_theory.stieltjes("1+0.5j", "0.25", "2").value)
    for part, value in ((np.real, theory.real), (np.imag, theory.imag)):
        zext, trend = richardson_z(value, "stieltjes", "0.25", n=400, reps=30, seed=3, sigma2=2, z="1+0.5j", part=part)
        assert abs(zext) <= Z_MAX, trend


def test_companion_transform():
    theory = float(mp_theory.companion(-1, "2").value)  # √2 − 1
    zext, trend = richardson_z(theory, "companion", "2", n=200, reps=40, seed=5, z=-1)
    assert abs(zext) <= Z_MAX, trend


def test_stieltjes_vectorized_matches_pointwise():
    zs = np.array([-1.0, -0.5 + 0.1j, 3.5])
    many = mp_sim.simulate("stieltjes", "0.5", n=50, reps=3, seed=2, z=zs)
    assert many.samples.shape == (3, 3)
    for i, z in enumerate(zs):
        one = mp_sim.simulate("stieltjes", "0.5", n=50, reps=3, seed=2, z=z)
        np.testing.assert_allclose(many.samples[:, i], one.samples, rtol=1e-13)


# ----------------------------------------------------------------------------- moments
def wishart_third_moment(n: int, p: int, sigma2: float) -> float:
    """Exact ``E (1/p) tr S³`` for Gaussian ``X`` (``S = XᵀX/n``, entry variance σ²).

    ``E tr W³ = np(n² + p² + 3np + 3n + 3p + 4)`` for ``W ~ W_p(n, I)`` (real Wishart
    moments, e.g. Letac & Massam, Ann. Statist. 32 (2004); checked here against 4·10⁵
    direct draws at (n, p) = (3, 2), (2, 4), (5, 3)).
    """
    return sigma2**3 * (n * n + p * p + 3 * n * p + 3 * n + 3 * p + 4) / n**2


def test_third_moment_gaussian_exact_finite_n():
    est = mp_sim.simulate("moment", "0.5", "1.5", n=400, reps=40, seed=7, k=3)
    limit = float(mp_theory.moment(3, "0.5", "1.5").value)  # σ⁶(1 + 3γ + γ²) = 9.28125
    assert limit == 9.28125
    assert compare(wishart_third_moment(400, est.p, 1.5), est, threshold=Z_MAX), est
    assert wishart_third_moment(10**6, 5 * 10**5, 1.5) == pytest.approx(limit, rel=1e-5)


def test_third_moment_rademacher_extrapolated():
    limit = float(mp_theory.moment(3, "0.5", "1.5").value)
    zext, trend = richardson_z(limit, "moment", "0.5", n=200, reps=40, seed=8, sigma2="1.5", k=3, design="rademacher")
    assert abs(zext) <= Z_MAX, trend


def test_moment_zero_and_one_are_exact():
    est0 = mp_sim.simulate("moment", "2", n=30, reps=3, k=0)
    assert np.all(est0.samples == 1.0)


# ----------------------------------------------------------------------------- CDF and density
@pytest.mark.parametrize(("gamma", "xs"), [("0.7", [0.3, 1.0, 2.0]), ("2", [0.0, 0.5, 1.0, 4.0])])
def test_cdf(gamma, xs):
    x = np.array(xs)
    est = mp_sim.simulate("cdf", gamma, n=200 if gamma == "2" else 400, reps=40, seed=13, x=x)
    theory = np.array([float(mp_theory.cdf(v, gamma).value) for v in xs])
    c = compare(theory, est, threshold=Z_MAX)
    assert c, c.z
    if gamma == "2":  # atom 1 − 1/γ at 0 reproduced exactly by the structural zeros
        assert np.all(est.samples[:, 0] == 0.5)


def test_cdf_rademacher():
    x = np.array([0.5, 1.0, 2.0])
    est = mp_sim.simulate("cdf", "0.7", n=400, reps=40, seed=14, x=x, design="rademacher")
    assert compare(mp_theory.cdf_curve(x, 0.7)[0], est, threshold=Z_MAX)


def test_histogram_density_against_bin_average():
    gamma, width = 0.5, 0.1
    x = np.linspace(0.4, 2.4, 6)
    est = mp_sim.simulate("density", "0.5", n=400, reps=40, seed=17, x=x, width=width)
    F = mp_theory.cdf_curve
    bin_average = (F(x + width / 2, gamma)[0] - F(x - width / 2, gamma)[0]) / width
    assert compare(bin_average, est, threshold=Z_MAX)


def test_histogram_density_excludes_the_atom():
    est = mp_sim.simulate("density", "4", n=100, reps=3, x=[0.0], width=0.1)
    assert np.all(est.samples == 0.0)  # a = (1 − 2)² = 1: no continuous mass near 0


def test_smoothed_density():
    x, eta = np.array([0.5, 1.5, 2.5]), 0.05
    est = mp_sim.simulate("density", "4", "0.5", n=200, reps=30, seed=19, x=x, method="smoothed", eta=eta)
    theory = mp_theory.stieltjes_curve(x + 1j * eta, 4.0, 0.5)[0].imag / math.pi
    assert compare(theory, est, threshold=Z_MAX)


# ----------------------------------------------------------------------------- largest eigenvalue
def test_largest_eigenvalue_tracy_widom_centring():
    """E λ_max ≈ μ_np + σ_np E[TW₁] (Johnstone 2001, Ann. Statist. 29, Thm 1.1 centring/scaling)."""
    n = 400
    est = mp_sim.simulate("largest", "0.3", n=n, reps=40, seed=23)
    a, b = math.sqrt(n - 0.5), math.sqrt(est.p - 0.5)
    mu, sigma = (a + b) ** 2 / n, (a + b) * (1 / a + 1 / b) ** (1 / 3) / n
    assert compare(mu + sigma * TW1_MEAN, est, threshold=Z_MAX)
    edge = float(mp_theory.edges("0.3").value[1])
    assert est.mean < edge  # O(n^{-2/3}) below the edge


# ----------------------------------------------------------------------------- reproducibility, input
def test_reproducible_and_prefix_stable():
    a = mp_sim.simulate("moment", "0.5", n=60, reps=5, seed=42, k=2)
    b = mp_sim.simulate("moment", "0.5", n=60, reps=5, seed=42, k=2)
    c = mp_sim.simulate("moment", "0.5", n=60, reps=3, seed=42, k=2)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.samples[:3], c.samples)
    assert not np.array_equal(a.samples, mp_sim.simulate("moment", "0.5", n=60, reps=5, seed=43, k=2).samples)
    assert (a.n, a.p, a.seed, a.reps) == (60, 30, 42, 5)
    assert a.params == {"gamma": "0.5", "sigma2": "1", "design": "gaussian", "k": "2"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, r"`n` must be an integer ≥ 1; got 0"),
        ({"n": 2.5}, r"`n` must be an integer; got 2.5"),
        ({"reps": 0}, r"`reps` must be an integer in \[1, 1000000\]; got 0"),
        ({"seed": -1}, r"`seed` must be an integer ≥ 0; got -1"),
        ({"design": "uniform"}, r"`design` must be one of 'gaussian', 'rademacher'; got 'uniform'"),
        ({"gamma": "-1"}, r"`gamma` must be > 0"),
        ({"quantity": "edges"}, r"unknown Marchenko-Pastur statistic 'edges'"),
        ({"z": None}, r"`z` is required"),
        ({"z": 0, "gamma": "2"}, r"`z` = 0 is in the support"),
        ({"z": np.nan}, r"`z` must be finite"),
        ({"gamma": "0.001", "n": 100}, r"gives p = round\(gamma \* n\) = 0 features"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"quantity": "stieltjes", "gamma": "0.5", "n": 20, "reps": 2, "z": -1, **kwargs}
    quantity, gamma = args.pop("quantity"), args.pop("gamma")
    with pytest.raises(ParameterError, match=match):
        mp_sim.simulate(quantity, gamma, **args)


def test_bad_density_options():
    with pytest.raises(ParameterError, match=r"`method` must be one of"):
        mp_sim.simulate("density", "0.5", n=20, reps=2, x=1.0, method="kde")
    with pytest.raises(ParameterError, match=r"`width` must be > 0"):
        mp_sim.simulate("density", "0.5", n=20, reps=2, x=1.0, width=0)
    with pytest.raises(ParameterError, match=r"`k` must be an integer in \[0, 10000\]; got -1"):
        mp_sim.simulate("moment", "0.5", n=20, reps=2, k=-1)


# ----------------------------------------------------------------------------- slow
@pytest.mark.slow
def test_hard_edge_extrapolation():
    """MP4 of the note: γ = 1, z = −0.01 (hard edge), where the O(1/n) bias is largest."""
    theory = float(mp_theory.stieltjes("-0.01", 1).value)
    zext, trend = richardson_z(theory, "stieltjes", 1, n=500, reps=40, seed=29, z="-0.01")
    assert abs(zext) <= Z_MAX, trend
    assert trend.z[0] > Z_MAX  # the limit alone is rejected at n = 500 ...
    assert trend.gaps[1] < trend.gaps[0]  # ... and the gap shrinks
