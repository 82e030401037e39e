r"""Monte Carlo check of the random-features staircase ``rf staircase(kappa1, kappa2, F)``.

Mei, Misiakiewicz & Montanari (arXiv 2101.10588): random features ridge regression on the sphere with
``N = d^κ₁`` features and ``n = d^κ₂`` samples, ``κ₁ ≠ κ₂``, has test error ``F²_{>ℓ}`` in the limit,
``ℓ = ⌊min(κ₁, κ₂)⌋``: every spherical-harmonic degree ``k ≤ ℓ`` of the target is learned, every
degree ``k > ℓ`` is not (docs/models/rf.md, 'Polynomial scaling: the phase diagram').

The simulation (independent of the library: numpy only).  Inputs ``x`` and weights ``w`` uniform on
the sphere of radius ``√d``, ReLU features ``max(⟨w, x⟩/√d, 0)``, penalty ``λ → 0⁺`` (the minimum-norm
least-squares fit: ``lstsq`` for ``N < n``, the kernel form ``Zᵀ(ZZᵀ)⁻¹y`` for ``N > n``).  The target
``f = F₀ f₀ + F₁ f₁ + F₂ f₂`` with unit-energy harmonics of degree 0, 1, 2: ``f₀ = 1``,
``f₁ = ⟨β, x⟩`` (``‖β‖ = 1``) and ``f₂ = xᵀMx / √(2d/(d+2) tr M²)`` with ``M`` a random symmetric
traceless matrix (``xᵀMx`` is a degree-2 harmonic because ``tr M = 0``; on the sphere of radius ``√d``,
``E[(xᵀMx)²] = 2d/(d+2) · tr M²``).  The fit is linear in ``y``, so each degree is fitted
separately on the same data: ``e_k`` is the normalized test error of degree ``k`` alone (→ 0 when it is
learned, → 1 when not) and the test error of the full target is ``E[(Σ_k F_k r_k)²]`` with the
per-degree residuals ``r_k``.  The limit ``F²_{>ℓ}`` is the tail sum of the energies, typed here.

Measured (6 replicates, 8000 test points; ``e_k`` mean ± SE).  ``κ = (1.5, 2.5)``: d = 20, 28, 40 give
e₁ = 0.079, 0.064, 0.057 (± 0.003, ∝ d^{-1/2}) and e₂ = 0.75, 0.78, 0.81 (± 0.01); the full error
0.467, 0.454, 0.456 against the limit 0.5 (the excess on degree 1 and the deficit on degree 2
partly cancel).  ``κ = (2.5, 1.5)``: e₁ = 0.010, 0.007, 0.005, e₂ ≈ 0.87-0.90 (± 0.03).
``κ = (0.5, 1.5)``, d = 16, 64, 256: e₀ = 0.20 (d = 64), 0.12 (d = 256), e₁ ≈ 0.95-0.97, e₂ ≈ 1;
full error 1.46, 1.50 against 1.5.
"""

from __future__ import annotations

import numpy as np
import pytest

from asymptotics.models._staircase import rf_phase

F2 = (0.25, 1.0, 0.5)  # energies F_0^2, F_1^2, F_2^2 by degree


def _sphere(rng: np.random.Generator, m: int, d: int) -> np.ndarray:
    g = rng.standard_normal((m, d))
    return g * (np.sqrt(d) / np.linalg.norm(g, axis=1, keepdims=True))


def _harmonics(x: np.ndarray, beta: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Columns ``f₀, f₁, f₂`` (unit energy each) at the rows of ``x``."""
    d = x.shape[1]
    quad = np.einsum("ij,jk,ik->i", x, M, x) / np.sqrt(2 * d / (d + 2) * np.sum(M * M))
    return np.stack([np.ones(len(x)), x @ beta, quad], axis=1)


def _features(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.maximum(x @ W.T / np.sqrt(x.shape[1]), 0.0)


def replicate(d: int, kappa1: float, kappa2: float, seed: int, n_test: int = 8000) -> np.ndarray:
    """One replicate: the 3 × 3 matrix ``E[r_k r_k']`` of per-degree test residuals (ridgeless RF)."""
    rng = np.random.default_rng(seed)
    N, n = round(d**kappa1), round(d**kappa2)
    W = _sphere(rng, N, d)
    G = rng.standard_normal((d, d))
    M = G + G.T
    M -= np.trace(M) / d * np.eye(d)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    x = _sphere(rng, n, d)
    Z, Y = _features(x, W), _harmonics(x, beta, M)
    if N < n:
        A = np.linalg.lstsq(Z, Y, rcond=None)[0]  # N x 3
        predict = lambda Zt: Zt @ A  # noqa: E731
    else:  # minimum-norm interpolation in kernel form: Zt Z^T (Z Z^T)^{-1} Y
        C = np.linalg.solve(Z @ Z.T, Y)
        predict = lambda Zt: (Zt @ Z.T) @ C  # noqa: E731
    cov = np.zeros((3, 3))
    for start in range(0, n_test, 2000):  # test points in chunks (n_test x N features)
        xt = _sphere(rng, min(2000, n_test - start), d)
        R = predict(_features(xt, W)) - _harmonics(xt, beta, M)
        cov += R.T @ R
    return cov / n_test


def errors(d: int, kappa1: float, kappa2: float, reps: int, n_test: int = 8000) -> dict[str, np.ndarray]:
    """Per-degree errors ``e_k`` and the full test error, mean and SE over ``reps`` replicates."""
    covs = np.array([replicate(d, kappa1, kappa2, 1000 * d + s, n_test) for s in range(reps)])
    f = np.sqrt(F2)
    per = np.stack([np.diagonal(c) for c in covs])  # reps x 3
    total = np.einsum("i,rij,j->r", f, covs, f)
    se = lambda a: a.std(axis=0, ddof=1) / np.sqrt(reps)  # noqa: E731
    return {"e": per.mean(axis=0), "e_se": se(per), "total": total.mean(), "total_se": se(total)}


def test_target_harmonics_have_unit_energy_and_are_orthogonal():
    """The typed normalizations: E f_k f_k' = δ_kk' on the sphere (Monte Carlo, 3 SE)."""
    rng = np.random.default_rng(0)
    d, m = 12, 200_000
    G = rng.standard_normal((d, d))
    M = G + G.T - np.trace(G + G.T) / d * np.eye(d)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    H = _harmonics(_sphere(rng, m, d), beta, M)
    gram = H.T @ H / m
    se = np.sqrt(np.mean((H[:, :, None] * H[:, None, :] - gram) ** 2, axis=0) / m)
    assert np.all(np.abs(gram - np.eye(3)) < 4 * se + 1e-12)


def test_staircase_plateau_at_tiny_d():
    """Fast, qualitative: at d = 12 with N = d^1.5, n = d^2.5 the constant and the linear part are
    (nearly) learned and the quadratic part mostly not: e₀ < e₁ < e₂ and e₂ well above e₁."""
    out = errors(12, 1.5, 2.5, reps=2, n_test=4000)
    e = out["e"]
    assert e[0] < e[1] < e[2]
    assert e[0] < 0.05 and e[1] < 0.2 and e[2] > 0.5


CASES = [  # (kappa1, kappa2, dimensions): features bottleneck, samples bottleneck, ell = 0
    pytest.param(1.5, 2.5, (20, 28, 40), id="features_bottleneck_ell1"),
    pytest.param(2.5, 1.5, (20, 28, 40), id="samples_bottleneck_ell1"),
    pytest.param(0.5, 1.5, (16, 64, 256), id="features_bottleneck_ell0"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("kappa1", "kappa2", "dims"), CASES)
def test_staircase_is_approached_with_a_finite_size_trend(kappa1, kappa2, dims):
    ell = int(np.floor(min(kappa1, kappa2)))
    limit = sum(F2[ell + 1 :])  # F^2_{>ell}, typed from the energies
    value = float(rf_phase(repr(kappa1), repr(kappa2), ",".join(map(repr, F2)), dps=15).value)
    assert value == pytest.approx(limit, rel=1e-14)
    runs = {d: errors(d, kappa1, kappa2, reps=6) for d in dims}
    for d, r in runs.items():
        print(f"kappa=({kappa1}, {kappa2}) d={d}: e_k={np.round(r['e'], 4)} ± {np.round(r['e_se'], 4)}, "
              f"total={r['total']:.4f} ± {r['total_se']:.4f} (limit {limit})")
    lo, hi = runs[dims[0]], runs[dims[-1]]
    for k in range(3):
        se = 3 * np.hypot(lo["e_se"][k], hi["e_se"][k])
        if k <= ell:  # a learned degree: its error falls significantly with d and is small at the largest d
            assert hi["e"][k] < lo["e"][k] - se and hi["e"][k] < 0.2, (k, lo["e"][k], hi["e"][k])
        else:  # an unlearned degree stays near the plateau e_k = 1 (no significant move away from it with d)
            assert abs(hi["e"][k] - 1) < abs(lo["e"][k] - 1) + se and hi["e"][k] > 0.75, (k, lo["e"][k], hi["e"][k])
    # the full test error is near the staircase value at the largest d (within 15 %, 3 SE)
    assert abs(hi["total"] - limit) < 0.15 * limit + 3 * hi["total_se"], (hi["total"], limit)
    if ell == 1:
        # the first step is described by the proportional formula (Mei & Montanari 2019) at ψ₁ = N/d,
        # ψ₂ = n/d: the linear part's error e₁ decays like it (both ∝ d^{-1/2}), within 25 % at the largest d
        from asymptotics.models import random_features as rf

        d = dims[-1]
        prop = float(rf.risk(round(d**kappa1) / d, round(d**kappa2) / d, lam=0, activation="relu", dps=10).value)
        assert 0.75 < hi["e"][1] / prop < 1.25, (hi["e"][1], prop)
