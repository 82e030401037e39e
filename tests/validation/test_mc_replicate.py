"""The replicate internals of the rf, nt and krr simulators against references built independently.

* one sphere sampler (:func:`validation.simulators._sampling.sphere`), re-exported under its
  old names, with the closed-form moments of a coordinate of the uniform law on ``S^{d−1}(√d)``;
* stacked draws (training and test rows in one array) against the documented draw order
  replayed by hand with separate calls, so the random stream of a seed is unchanged;
* the batched target and kernel evaluations against the per-target / per-matrix ones;
* the noise-free risk path (no test projections) against dense linear algebra.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from asymptotics.kernels import get_kernel
from asymptotics.models.krr import KRRParams
from asymptotics.models.neural_tangent import NTParams
from asymptotics.models.random_features import RFParams
from validation.simulators import _sampling
from validation.simulators import krr as krr_sim
from validation.simulators import neural_tangent as nt_sim
from validation.simulators import random_features as rf_sim


# ----------------------------------------------------------------------------- the sampler
def test_one_sphere_sampler_under_its_old_names():
    assert rf_sim.sphere is _sampling.sphere
    assert krr_sim.sphere is _sampling.sphere


def test_sphere_rows_and_coordinate_moments():
    """Rows have ‖x‖² = d; a coordinate x₁ = √d·cos has E x₁² = 1 and E x₁⁴ = 3d/(d + 2) (E cos⁴ = 3/(d(d + 2)))."""
    d, m = 6, 400_000
    x = _sampling.sphere(np.random.default_rng(3), m, d)
    np.testing.assert_allclose(np.einsum("ij,ij->i", x, x), d, rtol=1e-13)
    for power, want in ((2, 1.0), (4, 3 * d / (d + 2))):
        v = x[:, 0] ** power
        z = (v.mean() - want) / (v.std() / math.sqrt(m))
        assert abs(z) < 4, (power, v.mean(), want)


def test_spheres_blocks_are_the_separate_draws_bit_for_bit():
    a, b, c = _sampling.spheres(np.random.default_rng(11), 9, 5, 12, 1)
    after = np.random.default_rng(11)
    want = [_sampling.sphere(after, m, 9) for m in (5, 12, 1)]
    for got, ref in zip((a, b, c), want, strict=True):
        np.testing.assert_array_equal(got, ref)
    rng = np.random.default_rng(11)
    _sampling.spheres(rng, 9, 5, 12, 1)
    assert rng.standard_normal() == after.standard_normal()  # the stream continues at the same place
    assert b.base is a.base and b.flags.c_contiguous  # row views of one array


# ----------------------------------------------------------------------------- rf / nt draws
def reference_problem(seed, d, N, n, n_test, F1sq, Fstar2):
    """The documented draw order, replayed with separate calls: Θ, X, X_test, β₁ direction, u."""
    rng = np.random.default_rng(seed)
    theta, x, x_test = (_sampling.sphere(rng, m, d) for m in (N, n, n_test))
    beta = rng.standard_normal(d)
    beta = beta * math.sqrt(F1sq) / np.linalg.norm(beta)
    u = rng.standard_normal(d)
    u = u / np.linalg.norm(u)
    cd = math.sqrt((d + 2) / (2 * (d - 1)))

    def f(xx):
        return xx @ beta + math.sqrt(Fstar2) * cd * ((xx @ u) ** 2 - 1)

    return theta, x, x_test, f(x), f(x_test)


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
def test_rf_draw_follows_the_documented_order(activation):
    d, N, n, n_test = 7, 5, 9, 4
    params = RFParams(1, 1, "0.1", activation, "0.7", "0.3", 0)
    theta, x, x_test, f, f_test = reference_problem(2, d, N, n, n_test, 0.7, 0.3)
    z, z_test, g, g_test = rf_sim.draw(params, np.random.default_rng(2), d, N, n, n_test)
    sigma = params.activation.np
    np.testing.assert_allclose(z, sigma(x @ theta.T / math.sqrt(d)), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(z_test, sigma(x_test @ theta.T / math.sqrt(d)), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(g, f, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(g_test, f_test, rtol=1e-13, atol=1e-15)
    got = rf_sim.draw_problem(np.random.default_rng(2), d, N, n, n_test, "0.7", "0.3")
    for a, b in zip(got, (theta, x, x_test, f, f_test), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("layers", ["first", "both"])
def test_nt_stacked_kernels_are_the_kernel_formula(layers):
    """K = (XXᵀ/d) ⊙ (σ'σ'ᵀ/N) (+ σσᵀ/N), written out entry by entry."""
    rng = np.random.default_rng(4)
    d, N, n, n_test = 6, 4, 7, 3
    theta, x_all = rng.standard_normal((N, d)), rng.standard_normal((n + n_test, d))
    params = NTParams(psi2=1, psi1=1, activation="tanh", layers=layers)
    k, k_t = nt_sim.kernels_stacked(params, theta, x_all, n)
    want = np.empty((n + n_test, n))
    for i in range(n + n_test):
        for j in range(n):
            wi, wj = theta @ x_all[i] / math.sqrt(d), theta @ x_all[j] / math.sqrt(d)
            v = (x_all[i] @ x_all[j] / d) * np.sum((1 - np.tanh(wi) ** 2) * (1 - np.tanh(wj) ** 2)) / N
            if layers == "both":
                v += np.sum(np.tanh(wi) * np.tanh(wj)) / N
            want[i, j] = v
    np.testing.assert_allclose(k, want[:n], rtol=1e-12)
    np.testing.assert_allclose(k_t, want[n:], rtol=1e-12)


# ----------------------------------------------------------------------------- krr draws
@pytest.mark.parametrize("domain", ["sphere", "hypercube"])
def test_krr_draw_follows_the_documented_order(domain):
    params = KRRParams(d=6, n=11, kernel="exp", F="0.2,1,0.5,0.3", sigma2="0.1", domain=domain)
    n, n_test, targets = 11, 5, 3
    rng = np.random.default_rng(8)
    x = krr_sim.inputs(rng, n, 6, domain)
    x_test = krr_sim.inputs(rng, n_test, 6, domain)
    fs = [krr_sim.Target.draw(rng, 6, params.F, domain) for _ in range(targets)]
    ker = params.kernel
    k, k_t, f, f_t = krr_sim.draw(params, np.random.default_rng(8), n, n_test, targets)
    np.testing.assert_allclose(k, krr_sim.kernel_matrix(ker, x, x, 6), rtol=1e-13)
    np.testing.assert_array_equal(k, k.T)
    np.testing.assert_allclose(k_t, krr_sim.kernel_matrix(ker, x_test, x, 6), rtol=1e-13)
    np.testing.assert_allclose(f, np.stack([t(x) for t in fs], axis=1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f_t, np.stack([t(x_test) for t in fs], axis=1), rtol=1e-12, atol=1e-14)


def test_krr_batched_targets_are_the_zonal_harmonics():
    """f = F₀ + Σ_ℓ F_ℓ √B(d, ℓ) Q_ℓ(⟨u_ℓ, x⟩/√d), with Q₁(s) = s, Q₂(s) = (ds² − 1)/(d − 1) written out."""
    d = 5
    rng = np.random.default_rng(9)
    x = _sampling.sphere(rng, 40, d)
    fs = [krr_sim.Target.draw(rng, d, [0.04, 1, 0.25], "sphere") for _ in range(4)]
    got = krr_sim.target_values(fs, x)
    for j, t in enumerate(fs):
        s1, s2 = (x @ t.directions[0]) / math.sqrt(d), (x @ t.directions[1]) / math.sqrt(d)
        b2 = math.comb(d + 1, 2) - 1  # B(d, 2) = d(d + 1)/2 − 1
        want = 0.2 + math.sqrt(d) * s1 + 0.5 * math.sqrt(b2) * (d * s2**2 - 1) / (d - 1)
        np.testing.assert_allclose(got[:, j], want, rtol=1e-12, atol=1e-13)


def test_krr_stacked_kernel_on_an_exactly_known_kernel():
    """h(s) = 1 + s + s²/2 on the hypercube, where the cosines ⟨xᵢ, xⱼ⟩/d are exact multiples of 1/d."""
    d, n = 8, 6
    rng = np.random.default_rng(10)
    x_all = krr_sim.hypercube(rng, n + 4, d)
    k, k_t = krr_sim.stacked_kernel(get_kernel("coef:1,1,0.5"), x_all, n)
    s = np.array([[sum(a * b for a, b in zip(xi, xj, strict=True)) / d for xj in x_all[:n]] for xi in x_all])
    want = 1 + s + s**2 / 2
    np.testing.assert_allclose(k, want[:n], rtol=1e-14)
    np.testing.assert_allclose(k_t, want[n:], rtol=1e-14)
