r"""Monte Carlo for kernel ridge regression on the sphere or the hypercube (mirror of :mod:`asymptotics.models.krr`).

Setting (docs/models/krr.md; the same :class:`~asymptotics.models.krr.KRRParams`)
---------------------------------------------------------------------------------
Dimension ``d``; ``n = round(params.n)`` training inputs and ``n_test`` test inputs i.i.d.
uniform on ``S^{d−1}(√d)`` (``‖x‖² = d``).  A real kernel matrix
``K_ij = h(⟨xᵢ, xⱼ⟩/d)`` with ``h = params.kernel.np`` (vectorized float64; the cosine is
clipped to ``[−1, 1]`` against rounding, the diagonal is ``h(1)``).  Target with
prescribed degree energies ``F_ℓ² = params.F[ℓ]``:

.. math:: f(x) = F_0 + \sum_{\ell\ge1} F_\ell\, g_\ell(x),\qquad
          g_\ell(x) = \sqrt{B(d,\ell)}\; Q_\ell^{(d)}\!\big(\langle u_\ell, x\rangle/\sqrt d\big),

with ``u_ℓ`` a uniform unit vector, fresh for every level and every replicate, and
``Q_ℓ^{(d)}`` the Gegenbauer polynomial in the *cosine* normalized by ``Q_ℓ(1) = 1``
(:func:`asymptotics.kernels.gegenbauer`).  ``⟨u, x⟩/√d`` is the cosine between ``x`` and
``u``, whose law has density ``∝ (1 − s²)^{(d−3)/2}``, and ``E[Q_ℓ(s)²] = 1/B(d, ℓ)``, so
``E g_ℓ² = 1`` exactly and ``E g_ℓ g_k = 0`` for ``ℓ ≠ k`` (checked in the tests by
quadrature and by sampling).  ``g_ℓ`` is a degree-``ℓ`` harmonic: by the addition formula
``g_ℓ = B^{−1/2} Σ_j Y_{ℓj}(√d u) Y_{ℓj}``, a unit vector in the level-``ℓ`` eigenspace.

*Why one direction per level is enough.*  The law of the data is rotation invariant, so
the expected risk ``E_X R(f)`` is a quadratic form in ``f`` that commutes with the rotation
group; the degree-``ℓ`` harmonics carry inequivalent irreducible representations, so by
Schur's lemma that form is diagonal across levels and a multiple of the identity inside
each level.  ``E_X R`` therefore depends on the target only through ``(F_ℓ²)``, at every
finite ``d`` — the same information the deterministic equivalent uses, and a single
direction per level is an unbiased target.  (Random ``u_ℓ`` are not needed for the mean;
they make the replicates exchangeable and let several targets share one design.)  Labels
``y = f(X) + ε``, ``Var ε = σ²``.

Hypercube (``params.domain == "hypercube"``): inputs uniform on ``{±1}^d`` and, in place of
``g_ℓ``, the Walsh monomial ``χ_S(x) = Π_{i∈S} x_i`` of a uniformly random ``ℓ``-subset ``S``
(fresh per level and per target; unit norm, orthogonal across levels, an eigenfunction of
the level-``ℓ`` eigenspace).  The same Schur argument holds for the hyperoctahedral group
(coordinate permutations and sign flips): the level-``ℓ`` span of the ``χ_S`` is irreducible
(sign flips separate the ``χ_S``, permutations act transitively on ``ℓ``-subsets) and the
levels are inequivalent, so ``E_X R`` again depends on the target only through ``(F_ℓ²)``.

Estimator and the spectral formulas
-----------------------------------
``f̂(x) = K(x, X)(K + λI_n)⁻¹y`` with the **unnormalized** ridge ``λ`` of the theory.  One
eigendecomposition ``K = V diag(e) Vᵀ`` per replicate serves the whole ``λ`` grid: with
``c = Vᵀf(X)`` (one column per target, errors averaged over targets),
``rⱼ(λ) = 1/(eⱼ + λ)``, ``W = K(X_test, X) V``, ``wⱼ = ‖W_{:,j}‖²`` and ``gⱼ = λrⱼ`` (the part of
direction ``j`` left in the residual),

.. math::

    \mathbb E_\varepsilon\,\text{risk} &= \frac1{n_{\rm test}}\big\lVert f(X_{\rm test}) - W(r\odot c)\big\rVert^2
        + \frac{\sigma^2}{n_{\rm test}}\sum_j r_j^2 w_j,\\
    \mathbb E_\varepsilon\,\text{train} &= \frac1n\Big[\sum_j g_j^2c_j^2 + \sigma^2\sum_j g_j^2\Big].

``λ = 0`` uses the pseudo-inverse ``K⁺`` (minimum-norm interpolation): eigenvalues that are
zero to working precision (numpy's rank rule ``e ≤ max(e)·n·eps``) get ``r = 0, g = 1``
for every ``λ``.  This is exact, not a regularization: for a polynomial kernel (finitely
many nonzero levels, docs/models/krr.md, 'Reference values') ``K = ΦΦᵀ`` with a finite feature map, its null
vectors ``v`` have ``Φᵀv = 0`` and hence ``K(x, X)v = 0``, so ``K(x, X)K⁺y = φ(x)ᵀΦ⁺y`` is
least squares in feature space once ``n`` exceeds the number of features.  ``λ = ∞``
gives ``f̂ = 0``.

Quantities (per replicate; :class:`~validation.compare.MCEstimate` over replicates)
--------------------------------------------------------------------------------
* ``risk``: test error on ``n_test`` fresh points, noise excluded — the theory's ``risk``;
* ``train_error``: ``(1/n)‖y − f̂(X)‖²`` (noise included, as in the theory).

The theory's bias/variance split is available in closed form per design as well, but
only the two quantities above are simulated (the same set as the CLI overlay).

Noise: integrated analytically given ``(X, X_test, u)`` (default), or drawn
(``integrate_noise=False``: ``ε ~ N(0, σ²)`` after everything else, the realized errors
returned with ``c = Vᵀy`` and ``σ² = 0`` in the formulas) — an independent check of the
integration on the same designs.

Variance: several targets per design
------------------------------------
Given the design, the error of a single target still fluctuates a lot with its
directions: at ``d = 200, n = 300``, ``F² = (0, 1, .5, .2)`` the spread over ``u`` on one
design is about 3× the spread of the design average (levels ``≥ 2``: the test average of
the heavy-tailed ``g_ℓ²``; level 1: ``uᵀM_Xu``).  Each replicate therefore averages
``targets`` (default 8) independent targets on one ``(X, X_test)``: the extra cost is a
matrix product, the eigendecomposition is shared, and the average is still an unbiased,
independent-across-replicates sample of ``E R``, so the SE stays honest.

Reproducibility: replicate ``r`` draws, in this order, ``X`` (``n × d``), ``X_test``, then
for each of the ``targets`` targets ``u_1, …, u_L`` (one per listed level ``ℓ ≥ 1``, also
for ``F_ℓ² = 0``), and (raw mode) ``ε`` (``n × targets``) from
``default_rng(SeedSequence(seed).spawn(reps)[r])`` (:func:`._sampling.replicate_rngs`).

Cost and honesty
----------------
Per replicate: one ``n × n`` ``eigh`` (``O(n³)``) and one ``n_test × n × n`` product;
``n ≤ 20000`` is enforced (a 20000² matrix is 3.2 GB).  The deterministic equivalent is a
finite-``d`` *approximation*: relative gaps of 0.5–2 % are expected near level peaks at
``d ≈ 30–60`` (docs/models/krr.md, 'Reference values', row K6), shrinking with ``d``; compare with the
finite-``d`` DE, never the ``d → ∞`` formula, at small ``d`` (row K4 there).

References
----------
Bordelon, Canatar & Pehlevan (arXiv 2002.02561); Misiakiewicz (arXiv 2204.10425);
docs/models/krr.md ('Polynomial regimes', 'Reference values', 'Monte Carlo').
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from asymptotics._validate import check_int
from asymptotics.errors import ParameterError
from asymptotics.kernels import Kernel, gegenbauer, harmonic_count
from asymptotics.models.krr import KRRParams

from ..compare import MCEstimate
from ._sampling import MAX_REPS, check_memory, check_quantities, footprint, lambda_grid, replicate_rngs, sphere, spheres
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("risk", "train_error")
DEFAULT_N_TEST = 2000
DEFAULT_TARGETS = 8
MAX_N = 20_000
"""Largest number of training samples (the ``n × n`` kernel matrix is dense)."""


# ----------------------------------------------------------------------------- sampling
def unit_vector(rng: np.random.Generator, d: int) -> np.ndarray:
    """A uniform unit vector in ``R^d``."""
    u = rng.standard_normal(d)
    return u / np.linalg.norm(u)


def hypercube(rng: np.random.Generator, m: int, d: int) -> np.ndarray:
    """``m × d`` matrix of i.i.d. rows uniform on ``{±1}^d``."""
    return rng.choice(np.array([-1.0, 1.0]), size=(m, d))


def inputs(rng: np.random.Generator, m: int, d: int, domain: str) -> np.ndarray:
    """``m`` inputs on the model's domain (sphere of radius ``√d`` or hypercube)."""
    return hypercube(rng, m, d) if domain == "hypercube" else sphere(rng, m, d)


def stacked_inputs(rng: np.random.Generator, n: int, n_test: int, d: int, domain: str) -> np.ndarray:
    """``[X; X_test]``: the same draws as ``inputs(rng, n, ...)`` then ``inputs(rng, n_test, ...)``, in one array."""
    if domain == "hypercube":
        return np.concatenate([hypercube(rng, n, d), hypercube(rng, n_test, d)])
    return spheres(rng, d, n + n_test)[0]


def walsh(subset: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``χ_S(x) = Π_{i∈S} x_i`` for the rows of ``x`` in ``{±1}^d`` (1 for the empty set)."""
    return np.prod(x[:, subset], axis=1) if subset.size else np.ones(x.shape[0])


def zonal_harmonic(d: int, ell: int, u: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``g_ℓ(x) = √B(d, ℓ) Q_ℓ(⟨u, x⟩/√d)`` for the rows of ``x`` on ``S^{d−1}(√d)`` (unit ``L²`` norm)."""
    s = np.clip(x @ u / math.sqrt(d), -1.0, 1.0)
    return math.sqrt(harmonic_count(d, ell)) * np.asarray(gegenbauer(d, ell, s), dtype=float)


def samples(params: KRRParams) -> int:
    """``round(params.n)`` (Python's ``round``), checked in ``[1, MAX_N]``."""
    n = round(params.n)
    if n < 1:
        raise ParameterError(f"`n` = {float(params.n):g} rounds to 0 training samples; a simulation needs n ≥ 1.")
    if n > MAX_N:
        raise ParameterError(
            f"`n` = {n} is too large for a dense kernel-matrix simulation (at most {MAX_N}: an n × n eigendecomposition "
            f"per replicate, {8 * n * n / 2**30:.1f} GiB)."
        )
    return int(n)


def kernel_matrix(kernel: Kernel, a: np.ndarray, b: np.ndarray, d: int) -> np.ndarray:
    """``h(⟨aᵢ, bⱼ⟩/d)`` with the cosine clipped to ``[−1, 1]``, checked finite."""
    cos = a @ b.T
    cos /= d
    return kernel_values(kernel, np.clip(cos, -1.0, 1.0, out=cos))


def stacked_kernel(kernel: Kernel, x_all: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(K, K(X_test, X))`` from the stacked inputs ``[X; X_test]`` (the ``n`` training rows first).

    ``K`` comes from a symmetric product and is made exactly symmetric; the two matrices are
    separate arrays (a view of one stacked array would keep ``K``'s rows alive during ``eigh``).
    """
    d, x = x_all.shape[1], x_all[:n]
    k = kernel_matrix(kernel, x, x, d)
    return (k + k.T) / 2, kernel_matrix(kernel, x_all[n:], x, d)


def kernel_values(kernel: Kernel, s: np.ndarray) -> np.ndarray:
    """``h(s)`` elementwise for cosines ``s`` in ``[−1, 1]`` (float64, ``s``'s shape), checked finite."""
    with np.errstate(all="ignore"):
        out = np.asarray(kernel.np(s), dtype=float)
    if out.shape != s.shape:  # a constant kernel returns a scalar
        out = np.broadcast_to(out, s.shape).copy()
    if not np.all(np.isfinite(out)):
        raise ParameterError(f"kernel {kernel.name!r} returned NaN or inf on [-1, 1].")
    return out


class Target:
    """``f = F_0 + Σ_{ℓ≥1} F_ℓ g_ℓ`` with one direction ``u_ℓ`` per listed level (see the module docstring)."""

    def __init__(self, d: int, energies: Sequence[Any], directions: Sequence[np.ndarray], domain: str = "sphere") -> None:
        self.d = d
        self.amplitudes = [math.sqrt(float(e)) for e in energies]
        self.directions = list(directions)
        self.domain = domain

    @classmethod
    def draw(cls, rng: np.random.Generator, d: int, energies: Sequence[Any], domain: str = "sphere") -> Target:
        """Fresh uniform directions ``u_1, …, u_L`` (``L = len(energies) − 1``), in level order; on the
        hypercube, fresh uniform subsets ``S_ℓ`` of size ``ℓ`` instead."""
        if domain == "hypercube":
            return cls(d, energies, [np.sort(rng.choice(d, size=ell, replace=False)) for ell in range(1, len(energies))], domain)
        return cls(d, energies, [unit_vector(rng, d) for _ in range(1, len(energies))])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = np.full(x.shape[0], self.amplitudes[0])
        for ell, (a, u) in enumerate(zip(self.amplitudes[1:], self.directions, strict=True), start=1):
            if a:
                out += a * (walsh(u, x) if self.domain == "hypercube" else zonal_harmonic(self.d, ell, u, x))
        return out


def target_values(fs: Sequence[Target], x: np.ndarray) -> np.ndarray:
    """``[f_1(x), …, f_J(x)]`` as ``J`` columns for the rows of ``x``: the same values as calling each target.

    On the sphere the levels of all targets are evaluated together: one product ``x U_ℓ`` per
    level (``U_ℓ`` the ``J`` directions of level ``ℓ``) and one Gegenbauer recurrence on the
    ``(rows, J)`` cosines.
    """
    if not fs or fs[0].domain == "hypercube":
        return np.stack([t(x) for t in fs], axis=1)
    d, amplitudes = fs[0].d, fs[0].amplitudes
    if any(t.amplitudes != amplitudes or t.d != d or t.domain != "sphere" for t in fs):
        return np.stack([t(x) for t in fs], axis=1)
    out = np.full((x.shape[0], len(fs)), amplitudes[0])
    for ell, a in enumerate(amplitudes[1:], start=1):
        if a:
            u = np.stack([t.directions[ell - 1] for t in fs], axis=1)  # (d, J)
            s = np.clip(x @ u / math.sqrt(d), -1.0, 1.0)
            out += a * (math.sqrt(harmonic_count(d, ell)) * np.asarray(gegenbauer(d, ell, s), dtype=float))
    return out


def draw(
    params: KRRParams, rng: np.random.Generator, n: int, n_test: int, targets: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One replicate: ``(K, K(X_test, X), f(X), f(X_test))``, the targets as ``targets`` columns.

    Inputs, kernel and targets are formed on the stacked ``[X; X_test]`` (:func:`stacked_inputs`,
    :func:`stacked_kernel`, :func:`target_values`); ``K(X_test, X)`` and the target arrays are
    row views of stacked arrays.
    """
    d = params.d
    x_all = stacked_inputs(rng, n, n_test, d, params.domain)
    fs = [Target.draw(rng, d, params.F, params.domain) for _ in range(targets)]
    k, k_test = stacked_kernel(params.kernel, x_all, n)
    f_all = target_values(fs, x_all)
    return k, k_test, f_all[:n], f_all[n:]


# ----------------------------------------------------------------------------- one replicate
def spectral_weights(e: np.ndarray, lams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``r = 1/(e + λ)`` and ``g = λ/(e + λ)``, shape ``(n, L)``, with the limits made exact.

    ``e = 0`` (numerically zero, never fitted, the pseudo-inverse convention): ``r = 0,
    g = 1`` for every ``λ``; ``λ = ∞``: ``r = 0, g = 1``; ``λ = 0, e > 0``: ``r = 1/e, g = 0``.
    """
    finite = np.isfinite(lams)
    lam = np.where(finite, lams, 0.0)[None, :]
    den = e[:, None] + lam
    ok = (e[:, None] > 0) & finite[None, :]
    r = np.divide(1.0, den, out=np.zeros(den.shape), where=ok)
    g = np.where(ok, lam * r, 1.0)
    return r, g


def replicate(
    k: np.ndarray,
    k_test: np.ndarray,
    f: np.ndarray,
    f_test: np.ndarray,
    lams: np.ndarray,
    *,
    sigma2: float,
    quantities: Sequence[str] = QUANTITIES,
    eps: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Test and training error of KRR for one draw of ``(X, X_test)``, for a ridge grid.

    Parameters
    ----------
    k, k_test : (n, n) and (n_test, n) arrays
        The kernel matrix (symmetric, PSD) and the test-train kernel.
    f, f_test : (n,) and (n_test,) arrays, or (n, J) and (n_test, J)
        The clean target at the training and test inputs; with ``J`` columns (``J``
        independent targets on the same design) the errors are averaged over the columns.
    lams : (L,) array
        Unnormalized ridges ``λ ≥ 0`` (``inf`` allowed).
    sigma2 : float, keyword-only
        Noise variance (integrated analytically when ``eps`` is None).
    quantities : keyword-only
        Subset of ``("risk", "train_error")``.
    eps : array of ``f``'s shape, keyword-only
        A realized noise vector per target (raw mode); then ``sigma2`` is not used.

    Returns
    -------
    dict
        One ``(L,)`` array per quantity (formulas in the module docstring).

    Raises
    ------
    ParameterError
        ``K`` has an eigenvalue below ``−10·max(e)·n·eps`` (the kernel is not positive
        semi-definite on the sphere).
    """
    n = k.shape[0]
    e, v = np.linalg.eigh(k)
    tol = max(float(np.max(np.abs(e))), np.finfo(float).tiny) * n * np.finfo(float).eps
    if e.min() < -10 * tol:
        raise ParameterError(
            f"the kernel matrix has a negative eigenvalue {e.min():.3g} (largest {e.max():.3g}): "
            "the kernel is not positive semi-definite on the sphere."
        )
    e = np.where(e <= tol, 0.0, e)
    r, g = spectral_weights(e, lams)  # (n, L)
    y = f if eps is None else f + eps
    c = (v.T @ y).reshape(n, -1)  # (n, J)
    ft = f_test.reshape(f_test.shape[0], -1)
    noise = sigma2 if eps is None else 0.0
    want = set(quantities)
    out: dict[str, np.ndarray] = {}
    if "risk" in want:
        nl, nj = r.shape[1], c.shape[1]
        coef = (r[:, :, None] * c[:, None, :]).reshape(n, nl * nj)
        if noise:  # the noise term needs every test projection wⱼ = ‖K_test vⱼ‖²
            w = k_test @ v  # (n_test, n)
            pred = w @ coef
            energy = np.einsum("tj,tj->j", w, w)
        else:  # only the dual coefficients V(r ⊙ c), one column per (λ, target)
            pred = k_test @ (v @ coef)
        resid = ft[:, None, :] - pred.reshape(-1, nl, nj)  # (n_test, L, J)
        risk = np.einsum("tlj,tlj->l", resid, resid) / (resid.shape[0] * nj)
        if noise:
            risk = risk + noise / k_test.shape[0] * ((r**2) * energy[:, None]).sum(axis=0)
        out["risk"] = risk
    if "train_error" in want:
        resid = np.einsum("jl,jk->l", g**2, c**2) / c.shape[1]
        if noise:
            resid = resid + noise * (g**2).sum(axis=0)
        out["train_error"] = resid / n
    return out


# ----------------------------------------------------------------------------- memory
def peak_memory(n: int, d: int, n_test: int, lams: int, reps: int, *, targets: int = 1, quantities: int = 2) -> int:
    """Estimated peak memory (bytes) of :func:`simulate`: ``n`` samples in dimension ``d``.

    Drawing holds the inputs (twice, while normalized), the targets at every input (three
    arrays of ``targets`` columns), and the kernel matrices: at most five ``n × n`` arrays while ``K``
    is formed (cosines, clipped in place, kernel values, temporaries, the symmetrized copy), then ``K`` and four
    ``n_test × n`` arrays while ``K(X_test, X)`` is formed.  Solving holds ``K``, ``K_test``,
    ``eigh``'s copy, eigenvectors and workspace (about ``5n²``), ``K_test V`` and its square, and
    the predictions of every target on the ``λ`` grid (``n × L × J`` and three
    ``n_test × L × J``).  The results of all replicates are kept (twice, when stacked).
    """
    lj = lams * targets
    drawing = 2 * d * (n + n_test) + 3 * (n + n_test) * targets + max(5 * n * n, n * n + 4 * n_test * n)
    solving = n * n + n_test * n + max(5 * n * n, 2 * n_test * n + n * lj + 3 * n_test * lj) + 5 * n * lams
    return footprint(max(drawing, solving) + 2 * reps * lams * quantities)


def check_request(
    params: KRRParams,
    *,
    reps: int,
    lams: Any = None,
    n_test: int = DEFAULT_N_TEST,
    targets: int = DEFAULT_TARGETS,
    quantities: Sequence[str] = QUANTITIES,
    max_memory: Any = None,
) -> None:
    """Refuse, before anything is allocated, a :func:`simulate` call whose :func:`peak_memory`
    exceeds the limit (``max_memory`` GiB, else ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2 GiB).

    Raises
    ------
    ParameterError
        The estimate is above the limit (the message names ``n``, ``d``, ``n_test`` and the
        estimate), or the sizes are invalid.
    """
    rr = check_int("reps", reps, low=2, high=MAX_REPS)
    nt = check_int("n_test", n_test, low=1)
    nj = check_int("targets", targets, low=1)
    size = int(np.size(lambda_grid(lams, params.lam)))
    n = samples(params)
    nbytes = peak_memory(n, params.d, nt, size, rr, targets=nj, quantities=len(tuple(quantities)))
    check_memory(
        "the krr simulation", nbytes, max_memory=max_memory, n=n, d=params.d, n_test=nt, targets=nj, lams=size, reps=rr
    )


# ----------------------------------------------------------------------------- driver
def simulate(
    params: KRRParams,
    *,
    reps: int,
    lams: Any = None,
    seed: int = 0,
    n_test: int = DEFAULT_N_TEST,
    targets: int = DEFAULT_TARGETS,
    integrate_noise: bool = True,
    quantities: Sequence[str] = QUANTITIES,
    progress: bool = False,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    r"""Monte Carlo estimates of the KRR test error (``risk``) and training error.

    Parameters
    ----------
    params : KRRParams
        The theory's parameters: ``d``, ``n`` (or ``alpha`` and ``level``: ``n = αB(d, ℓ)``;
        ``round(n)`` samples are simulated), ``kernel``, ``lam`` (used when ``lams`` is
        omitted), ``F`` (energies ``F_0², F_1², …``), ``sigma2``.
    reps : int, keyword-only
        Independent replicates (``≥ 2``: the SE needs two), each with fresh data, test
        points and target directions.
    lams : array_like, keyword-only
        Grid of unnormalized ridges ``λ ≥ 0`` (``inf`` allowed) served by one
        eigendecomposition of ``K`` per replicate.  Default ``params.lam`` (scalar estimates).
    seed : int, keyword-only
        Root seed (``≥ 0``); see the module docstring for the draw order.
    n_test : int, keyword-only
        Fresh test points per replicate (default 2000).
    targets : int, keyword-only
        Independent targets (directions ``u_ℓ``) per design (default 8); a replicate's
        value is the average over them (see "Variance" in the module docstring).
    integrate_noise : bool, keyword-only
        ``True``: expectation over ``ε`` in closed form given the draws; ``False``: draw
        ``ε ~ N(0, σ²)`` and return realized errors.
    quantities : sequence of str, keyword-only
        Subset of ``("risk", "train_error")``.
    progress : bool, keyword-only
        Show a tqdm bar over replicates.
    max_memory : float, keyword-only
        Memory limit in GiB (default: ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2); a request whose
        :func:`peak_memory` estimate is larger is refused before anything is allocated.

    Returns
    -------
    dict[str, MCEstimate]
        One estimate per quantity, ``samples`` of shape ``(reps, *lams.shape)``; ``n`` =
        simulated samples, ``p`` = the input dimension ``d``, and ``params`` records
        ``n_test`` and the noise mode.

    Raises
    ------
    ParameterError
        ``params`` not a ``KRRParams``, ``reps < 2``, ``seed < 0``, ``n_test < 1``, unknown
        quantity, a negative or NaN penalty, ``n`` rounding to 0 or above ``MAX_N``, a
        kernel that returns NaN/inf or is not positive semi-definite, an estimated peak memory
        above ``max_memory``.

    Examples
    --------
    >>> from asymptotics.models.krr import KRRParams
    >>> est = simulate(KRRParams(d=10, n=30, kernel="exp", F="0,1", sigma2="0.1"), reps=3, n_test=200)
    >>> float(abs(est["train_error"].mean)) < 1e-20      # λ = 0: the interpolator
    True
    """
    if not isinstance(params, KRRParams):
        raise ParameterError(f"`params` must be a KRRParams; got {type(params).__name__}.")
    rr = check_int("reps", reps, low=2, high=MAX_REPS)
    sd = check_int("seed", seed, low=0)
    nt = check_int("n_test", n_test, low=1)
    nj = check_int("targets", targets, low=1)
    wanted = check_quantities(quantities, QUANTITIES)
    grid = lambda_grid(lams, params.lam)
    flat = np.atleast_1d(grid).ravel()
    n = samples(params)
    check_request(params, reps=rr, lams=lams, n_test=nt, targets=nj, quantities=wanted, max_memory=max_memory)
    sigma2 = float(params.sigma2)

    rows: dict[str, list[np.ndarray]] = {q: [] for q in wanted}
    for rng in replicate_rngs(sd, rr, progress=progress, desc="krr replicates"):
        k, k_test, f, f_test = draw(params, rng, n, nt, nj)
        eps = None if integrate_noise else rng.normal(0.0, math.sqrt(sigma2), f.shape)
        values = replicate(k, k_test, f, f_test, flat, sigma2=sigma2, quantities=wanted, eps=eps)
        for q in wanted:
            rows[q].append(values[q])

    mode = "integrated" if integrate_noise else "raw"
    shown = {**params.shown(), "n_simulated": str(n), "n_test": str(nt), "targets": str(nj), "mode": mode}
    points = None if lams is None else grid
    return {q: MCEstimate(q, np.asarray(rows[q]).reshape((rr, *grid.shape)), n, params.d, sd, shown, points) for q in wanted}


# ----------------------------------------------------------------------------- curve overlay
CURVE_AXES = ("n", "alpha", "lam")
_CURVE_PARAMS = ("d", "n", "alpha", "level", "kernel", "lam", "F", "sigma2", "domain")
_CURVE_DEFAULTS = {"kernel": "exp", "lam": "0", "F": "0,1", "sigma2": "0"}


def curve(
    quantity: str,
    axis: str,
    values: np.ndarray,
    params: dict[str, str],
    *,
    reps: int,
    seed: int = 0,
    n: int | None = None,
    n_test: int = DEFAULT_N_TEST,
    progress: bool = False,
    max_memory: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo mean and SE of ``quantity`` along ``axis`` (the ``asymptotics curve krr ... --mc`` overlay).

    Parameters
    ----------
    quantity : {"risk", "train_error"}
    axis : {"n", "alpha", "lam"}
        ``n`` or ``alpha`` (with ``level`` in ``params``; ``n = αB(d, ℓ)``): one simulation
        per point, all with the same ``seed`` (common random numbers), ``round(n)`` samples
        each.  ``lam``: one simulation whose replicates each serve the whole grid with one
        eigendecomposition.
    values : numpy.ndarray
        Axis values (1-d).
    params : dict[str, str]
        The other parameters as strings: ``d`` (required), ``n`` or ``alpha`` and ``level``
        (unless one of them is the axis), ``kernel`` (default exp), ``lam`` (0), ``F``
        (0,1), ``sigma2`` (0).
    reps, seed, progress : keyword-only
        Replicates per point (``≥ 2``), root seed, tqdm bar over points.
    n : None, keyword-only
        Must be None.  The CLI's ``--n`` (the simulated sample size of the other models)
        does not apply to KRR: the sample size is the model parameter ``n`` (or
        ``alpha·B(d, level)``), and the dimension is ``d``; passing it is an error rather
        than silently ignored.
    n_test : int, keyword-only
        Test points per replicate.
    max_memory : float, keyword-only
        Memory limit of each simulation in GiB (see :func:`simulate`); every point is checked
        before the first one runs.

    Returns
    -------
    (mean, se) : tuple of numpy.ndarray
        Both of ``values``' shape.

    Raises
    ------
    ParameterError
        ``n`` given, unknown quantity/axis/parameter, ``d`` missing, ``n`` together with
        ``alpha``/``level``, ``alpha`` without ``level``, or an invalid simulation size.
    """
    from tqdm import tqdm

    if n is not None:
        raise ParameterError(
            "krr Monte Carlo: --n does not apply; the sample size is the model parameter `n` (or alpha*B(d, level)) "
            "and the dimension is `d` — drop --n."
        )
    if quantity not in QUANTITIES:
        raise ParameterError(f"no Monte Carlo estimate of krr {quantity!r}; available: {', '.join(QUANTITIES)}.")
    if axis not in CURVE_AXES:
        raise ParameterError(f"Monte Carlo for krr {quantity} runs along {', '.join(CURVE_AXES)}; got axis {axis!r}.")
    unknown = sorted(set(params) - set(_CURVE_PARAMS))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for the krr Monte Carlo; valid: {', '.join(_CURVE_PARAMS)}."
        )
    if "d" not in params:
        raise ParameterError("`d` is required for the 'krr' Monte Carlo overlay (it has no default).")
    fixed = {**_CURVE_DEFAULTS, **{k: v for k, v in params.items() if k != axis}}
    grid = np.asarray(values, dtype=float)
    if axis == "lam":
        est = simulate(
            KRRParams(**fixed),
            reps=reps,
            lams=grid,
            seed=seed,
            n_test=n_test,
            quantities=(quantity,),
            progress=progress,
            max_memory=max_memory,
        )[quantity]
        return np.asarray(est.mean, dtype=float), np.asarray(est.se, dtype=float)
    points = [KRRParams(**{**fixed, axis: float(grid[i])}) for i in np.ndindex(grid.shape)]
    for pt in points:  # refuse a too large point before the smaller ones have run
        check_request(pt, reps=reps, n_test=n_test, quantities=(quantity,), max_memory=max_memory)
    mean, se = np.empty(grid.shape), np.empty(grid.shape)
    bar = tqdm(np.ndindex(grid.shape), total=grid.size, desc=f"krr {quantity} vs {axis}", disable=None if progress else True)
    for i, pt in zip(bar, points, strict=True):
        est = simulate(pt, reps=reps, seed=seed, n_test=n_test, quantities=(quantity,), max_memory=max_memory)
        mean[i], se[i] = est[quantity].mean, est[quantity].se
    return mean, se


# ----------------------------------------------------------------------------- simulator registry
# What campaigns and `asymptotics curve --mc` need (validation.simulators.registry): the size is d,
# a parameter of the finite-d theory; the theory runs at the simulated (d, n).
KRR_MAX_N = 3000
"""Largest ``n`` a drawn campaign point may need at the campaign's largest size (dense ``n × n``)."""


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    out = {k: v for k, v in params.items() if k not in ("alpha", "level")}
    return {**out, "d": str(size), "n": str(est.n)}


def _registry_points(sizes: Sequence[int]) -> Any:
    """``level`` 1 (``n = αd``) or 2 (``n = αB(d, 2)``, only while ``n ≤ 3000`` at the largest size),
    ``alpha`` ∈ [0.3, 3], ``kernel`` ∈ {exp, relu_ntk, relu_nngp}, ``lam`` ∈ [0.001, 1] (or 0 when
    ``|α − 1| ≥ 0.5``), ``F = F0,F1,F2`` with ``F1`` ∈ [0.5, 1.5], ``F0, F2`` ∈ [0, 0.5], ``sigma2`` ∈ [0, 0.5]."""
    from hypothesis import strategies as st

    from asymptotics.kernels import multiplicity

    from ..points import floor3, rounded, text

    d1 = max(sizes)
    quadratic_ok = 0.3 * int(multiplicity(d1, 2)) <= KRR_MAX_N

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        level = draw_(st.sampled_from((1, 2) if quadratic_ok else (1,)))
        top = 3.0 if level == 1 else min(3.0, floor3(KRR_MAX_N / int(multiplicity(d1, 2))))
        alpha = draw_(rounded(0.3, top))
        lam = draw_(st.one_of(st.just(0.0), rounded(0.001, 1)) if abs(alpha - 1) >= 0.5 else rounded(0.001, 1))
        energies = (draw_(rounded(0, 0.5)), draw_(rounded(0.5, 1.5)), draw_(rounded(0, 0.5)))
        return {
            "level": str(level),
            "alpha": text(alpha),
            "kernel": draw_(st.sampled_from(("exp", "relu_ntk", "relu_nngp"))),
            "lam": text(lam),
            "F": ",".join(text(e) for e in energies),
            "sigma2": text(draw_(rounded(0, 0.5))),
        }

    return draw()


register_simulator(
    SimulatorSpec.from_module(  # d is a parameter of the finite-d theory; the overlay is `curve`
        __name__,
        model="krr",
        size_param="d",
        sizes=(20, 40),
        make=KRRParams,
        size_in_theory=True,
        realize=_registry_realize,
        points=_registry_points,
        curve=curve,
    )
)


# ----------------------------------------------------------------------------- kernel-matrix spectrum (issue 18)
def kernel_eigenvalues(kernel: Any, d: int, n: int, seed: int = 0, reps: int = 1) -> np.ndarray:
    """Eigenvalues of ``K = (h(⟨xᵢ, xⱼ⟩/d))_{i,j≤n}`` for ``xᵢ`` i.i.d. uniform on ``S^{d−1}(√d)``.

    Returns a ``reps × n`` array, each row in decreasing order (replicate ``r`` uses
    ``SeedSequence(seed).spawn(reps)[r]``).  The theory is :func:`asymptotics.models.krr.kernel_density`
    and the other ``kernel_*`` quantities (docs/models/krr.md, 'Spectrum of kernel matrices').
    """
    from asymptotics.kernels import get_kernel

    dd = check_int("d", d, low=2, high=10**6)
    nn = check_int("n", n, low=1, high=MAX_N)
    rr = check_int("reps", reps, low=1, high=MAX_REPS)
    ker = get_kernel(kernel)
    out = np.empty((rr, nn))
    for r, rng in enumerate(replicate_rngs(int(seed), rr)):
        x = sphere(rng, nn, dd)
        k = kernel_matrix(ker, x, x, dd)
        out[r] = np.linalg.eigvalsh((k + k.T) / 2)[::-1]
    return out


def empirical_kernel(
    activation: Any,
    depth: int,
    x: Any,
    x2: Any,
    width: int,
    seed: int = 0,
    *,
    reps: int = 1,
    sigma_w2: float = 1.0,
    sigma_b2: float = 0.0,
) -> dict[str, MCEstimate]:
    r"""Empirical NNGP and NTK of random fully connected networks of ``depth`` hidden layers, ``width`` units.

    Network (NTK parametrization, all weights and biases i.i.d. ``N(0, 1)``; ``d`` = input dimension):

    .. math::
        g^1 = \sigma_w W^1 x/\sqrt d + \sigma_b b^1,\quad
        g^\ell = \sigma_w W^\ell\sigma(g^{\ell-1})/\sqrt m + \sigma_b b^\ell\ (\ell\le L),\quad
        f = v^\top\sigma(g^L)/\sqrt m .

    Empirical NNGP: ``σ(g^L(x))·σ(g^L(x'))/m`` (post-activation inner product over the width);
    empirical NTK: ``⟨∇_θ f(x), ∇_θ f(x')⟩`` over all ``W^ℓ, b^ℓ, v`` (backpropagation by hand).  Their
    infinite-width limits (Jacot et al. 2018; Arora et al. 2019, arXiv 1904.11955), with
    ``Σ^1 = σ_w²⟨x,x'⟩/d + σ_b²`` and ``Σ^ℓ = σ_w² E[σ(u)σ(v)] + σ_b²`` over ``(u, v) ~ N(0, Σ^{ℓ−1})``:
    NNGP ``= E[σ(u)σ(v)]`` over ``N(0, Σ^L)``; NTK ``Θ^L E[σ'(u)σ'(v)] + NNGP`` with ``Θ^1 = Σ^1``,
    ``Θ^ℓ = Σ^ℓ + σ_w² Θ^{ℓ−1} E[σ'σ'](Σ^{ℓ−1})``.  At ``L = 1``, ``σ_w² = 1``, ``σ_b² = 0`` and
    ``‖x‖² = ‖x'‖² = d`` these are ``relu_nngp(s)`` and ``relu_ntk(s)``, ``s = ⟨x,x'⟩/d``.

    Returns ``{"nngp": MCEstimate, "ntk": MCEstimate}``, one sample per replicate (fresh network).
    """
    from asymptotics.activations import get_activation

    act = get_activation(activation)
    dsig = act.derivative()
    L = check_int("depth", depth, low=1, high=100)
    m = check_int("width", width, low=1, high=100_000)
    rr = check_int("reps", reps, low=1, high=MAX_REPS)
    xs = np.stack([np.asarray(x, dtype=float).reshape(-1), np.asarray(x2, dtype=float).reshape(-1)])
    d = xs.shape[1]
    if xs.shape != (2, d) or d < 1 or not np.all(np.isfinite(xs)):
        raise ParameterError("`x` and `x2` must be finite vectors of the same length d >= 1.")
    sw, sb = float(sigma_w2), float(sigma_b2)
    if not (sw > 0 and np.isfinite(sw)) or not (sb >= 0 and np.isfinite(sb)):
        raise ParameterError(f"`sigma_w2` must be > 0 and `sigma_b2` >= 0 (finite); got {sigma_w2}, {sigma_b2}.")
    rw, rb = math.sqrt(sw), math.sqrt(sb)
    nngp, ntk = np.empty(rr), np.empty(rr)
    for r, rng in enumerate(replicate_rngs(int(seed), rr)):
        inputs_, gs, weights = [xs], [], []
        fan = d
        for _ in range(L):
            W = rng.standard_normal((m, fan))
            b = rng.standard_normal(m)
            g = rw * inputs_[-1] @ W.T / math.sqrt(fan) + rb * b
            weights.append(W)
            gs.append(g)
            inputs_.append(np.asarray(act.np(g), dtype=float))
            fan = m
        v = rng.standard_normal(m)
        top = inputs_[-1]
        k_nngp = float(top[0] @ top[1]) / m
        total = k_nngp  # readout v
        delta = v * np.asarray(dsig.np(gs[-1]), dtype=float) / math.sqrt(m)  # ∂f/∂g^L, shape (2, m)
        for ell in range(L - 1, -1, -1):
            inp, fan_in = inputs_[ell], (d if ell == 0 else m)
            total += float(delta[0] @ delta[1]) * (sw * float(inp[0] @ inp[1]) / fan_in + sb)
            if ell > 0:
                delta = (rw / math.sqrt(m)) * (delta @ weights[ell]) * np.asarray(dsig.np(gs[ell - 1]), dtype=float)
        nngp[r], ntk[r] = k_nngp, total
    params = {"activation": act.name, "depth": str(L), "width": str(m), "sigma_w2": repr(sw), "sigma_b2": repr(sb)}
    return {
        "nngp": MCEstimate("nngp", nngp, n=2, p=m, seed=int(seed), params=params),
        "ntk": MCEstimate("ntk", ntk, n=2, p=m, seed=int(seed), params=params),
    }
