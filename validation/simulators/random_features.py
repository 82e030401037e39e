r"""Monte Carlo for random-features ridge regression (mirror of :mod:`asymptotics.models.random_features`).

Setting (Mei & Montanari, arXiv 1908.05355; the same :class:`~asymptotics.models.random_features.RFParams`)
------------------------------------------------------------------------------------------------------------
Dimension ``d``; ``N = round(ψ₁d)`` features and ``n = round(ψ₂d)`` samples.  First-layer
weights ``θ_a`` (``a ≤ N``), training inputs ``xᵢ`` and ``n_test`` test inputs are i.i.d.
uniform on the sphere ``S^{d−1}(√d)`` (``‖x‖² = d``, so ``E xxᵀ = I``).  Features
``z_a(x) = σ(⟨θ_a, x⟩/√d)`` with ``σ = params.activation.np`` (vectorized float64).  Target

.. math:: f(x) = \langle\beta_1, x\rangle + F_\star\,c_d\big(\langle u, x\rangle^2 - 1\big),
          \qquad c_d^2 = \frac{d+2}{2(d-1)},

with ``β₁`` uniformly distributed of norm ``‖β₁‖² = F1sq`` and ``u`` a uniform unit vector
(both fresh in every replicate), so ``E_x⟨β₁, x⟩² = F₁²`` and the quadratic part has mean 0
and variance exactly ``F_⋆² = Fstar2`` on the sphere (``⟨u, x⟩²/d ~ Beta(½, (d−1)/2)``), and
it is orthogonal to every polynomial of degree ≤ 1.  Labels ``y = f(X) + ε``, ``Var ε = τ²``.

With ``params.spectrum`` (issue 18, :func:`draw_spectrum`) the inputs are ``Σ^{1/2}``-Gaussian instead,
``x = Σ^{1/2}g`` with ``Σ`` diagonal (blocks: ``d·wᵢ`` coordinates of eigenvalue ``sᵢ``, which must be integers;
a power law: ``d = p``), the features ``σ(⟨θ_a, x⟩/√(d m))`` with ``m = tr Σ/d``, ``β`` of energy
``F1sq·bᵢ/Σb`` on block ``i`` and the nonlinear part ``F⋆(t² − 1)/√2``, ``t = ⟨u, x⟩/√(uᵀΣu)``.

Estimator (the paper's penalty scaling; ``λ`` in the units of ``RFParams.lam``)

.. math:: \hat a(\lambda) = \arg\min_a \frac1n\lVert y - Za\rVert^2 + \frac{N\lambda}{d}\lVert a\rVert^2
          = (Z^\top Z + \rho)^{-1}Z^\top y,\qquad \rho = \frac{nN\lambda}{d},

i.e. ``f̂(x) = k(x)ᵀ(K + (n/d)λ I)⁻¹y`` with ``K = ZZᵀ/N`` (the sizes ``N, n, d`` actually
simulated enter ``ρ``).  One thin SVD ``Z = U diag(s) Vᵀ`` per replicate serves the whole
``λ`` grid: ``â = V diag(s/(s² + ρ)) Uᵀy``.  ``λ = 0`` is the minimum-norm least-squares
solution ``Z⁺y`` (the interpolator when ``N > n``, least squares when ``N < n``): singular
values that are zero to working precision (numpy's rank rule, as in the ridge simulator;
e.g. the linear activation, whose ``Z`` has rank ``≤ d``) are never fitted, and nothing is
ever ``solve``-d.  ``λ = ∞`` gives ``f̂ = 0``.

Quantities (per replicate, then :class:`~validation.compare.MCEstimate` over replicates)
--------------------------------------------------------------------------------------
* ``risk``: ``(1/n_test) Σ_t (f(x_t) − f̂(x_t))²`` over fresh test points, noise excluded
  (the theory's ``R``, whose ``F_⋆²`` floor is the unlearnable quadratic part);
* ``train_error``: ``(1/n)‖y − f̂(X)‖²``.

The theory's bias/variance split is not simulated: ``F_⋆²`` acts as noise there, so the two
parts cannot be separated from a simulation of the full target.

Noise integrated analytically given ``(Θ, X, X_test)`` (default)
--------------------------------------------------------------
With ``c = Uᵀf(X)``, ``hⱼ = sⱼ²/(sⱼ² + ρ)``, ``gⱼ = 1 − hⱼ``, ``W = Z_test V`` and
``wⱼ = ‖W_{:,j}‖²`` (``r = min(n, N)`` singular values):

.. math::

    \mathbb E_\varepsilon\,\text{risk} &= \frac1{n_{\rm test}}\big\lVert f(X_{\rm test}) - W\big((h/s)\odot c\big)\big\rVert^2
        + \frac{\tau^2}{n_{\rm test}}\sum_j \frac{h_j^2}{s_j^2}\,w_j,\\
    \mathbb E_\varepsilon\,\text{train} &= \frac1n\Big[\lVert f(X) - Uc\rVert^2 + \sum_j g_j^2c_j^2
        + \tau^2\Big(n - r + \sum_j g_j^2\Big)\Big].

Raw mode (``integrate_noise=False``) draws ``ε ~ N(0, τ²)`` and returns the realized values
(same formulas with ``c = Uᵀy``, ``τ² = 0``): an independent check of the integration.

Reproducibility: replicate ``r`` draws, in this order, ``Θ``, ``X``, ``X_test``, the
direction of ``β₁``, ``u`` and (raw mode) ``ε`` from
``default_rng(SeedSequence(seed).spawn(reps)[r])`` (:func:`._sampling.replicate_rngs`).

Possible issues
---------------
At the interpolation threshold ``N ≈ n`` with ``λ → 0`` the risk is heavy-tailed (the
smallest singular value of ``Z`` is tiny in some replicates): compare medians or use many
replicates, and expect the finite-``d`` mean to approach the limit slowly (docs/models/rf.md,
'Reference values', row rf19).

References
----------
S. Mei, A. Montanari, arXiv 1908.05355; docs/models/rf.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from asymptotics._validate import check_int
from asymptotics.errors import ParameterError
from asymptotics.models.random_features import RFParams

from ..compare import MCEstimate
from ._sampling import (
    MAX_REPS,
    check_memory,
    check_quantities,
    footprint,
    lambda_grid,
    magnitude,
    numerical_zeros,
    replicate_rngs,
    sphere,  # noqa: F401  (re-exported: the sampler's old home)
    spheres,
)
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("risk", "train_error")
DEFAULT_N_TEST = 2000


# ----------------------------------------------------------------------------- sampling
def c_d(d: int) -> float:
    """``c_d = √((d + 2)/(2(d − 1)))``: ``c_d(⟨u, x⟩² − 1)`` has unit variance for ``x`` uniform on ``S^{d−1}(√d)``."""
    return math.sqrt((d + 2) / (2 * (d - 1)))


def sizes(params: RFParams, d: int) -> tuple[int, int]:
    """``N = round(ψ₁d)`` and ``n = round(ψ₂d)`` (Python's ``round``), both checked ``≥ 1``; ``ψ`` finite, ``≤ 1e15``.

    The memory these sizes need is checked separately (:func:`check_request`)."""
    out = []
    for name, psi, what in (("psi1", params.psi1, "N"), ("psi2", params.psi2, "n")):
        if psi == math.inf or psi > 10**15:  # exact comparison: a Fraction like 1e400 has no float
            raise ParameterError(
                f"`{name}` must be finite and at most 1e15 for a simulation (N = psi1*d and n = psi2*d "
                f"features/samples); got {magnitude(psi)}."
            )
        m = round(psi * d)
        if m < 1:
            need = math.ceil(0.5 / psi) + 1
            raise ParameterError(
                f"`d` = {d} gives {what} = round({name} * d) = 0 at {name} = {float(psi):g}; `d` must be ≥ {need}."
            )
        out.append(int(m))
    N, n = out
    return N, n


def activate(params: RFParams, pre: np.ndarray) -> np.ndarray:
    """``σ`` applied elementwise (float64, same shape), checked finite."""
    with np.errstate(all="ignore"):
        out = np.asarray(params.activation.np(pre), dtype=float)
    if out.shape != pre.shape:
        out = np.broadcast_to(out, pre.shape).copy()
    if not np.all(np.isfinite(out)):
        raise ParameterError(f"`activation` {params.activation.name!r} returned NaN or inf on the pre-activations.")
    return out


def draw_stacked(
    rng: np.random.Generator, d: int, N: int, n: int, n_test: int, F1sq: Any, Fstar2: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One replicate's weights, inputs and clean targets with training and test rows stacked:
    ``(Θ, [X; X_test], [f(X); f(X_test)])``, the ``n`` training rows first.

    Draw order: ``Θ``, ``X``, ``X_test`` (one call of :func:`._sampling.spheres`, the same numbers
    as three calls of :func:`sphere`), the direction of ``β₁``, ``u`` (shared by the RF and NT
    simulators).  Stacking lets one matrix product and one activation call serve both sets.
    """
    theta, x_all = spheres(rng, d, N, n + n_test)
    beta = rng.standard_normal(d)
    beta *= math.sqrt(float(F1sq)) / np.linalg.norm(beta)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    f_all = x_all @ beta
    fstar = math.sqrt(float(Fstar2))
    if fstar:
        f_all += fstar * c_d(d) * ((x_all @ u) ** 2 - 1.0)
    return theta, x_all, f_all


def draw_problem(
    rng: np.random.Generator, d: int, N: int, n: int, n_test: int, F1sq: Any, Fstar2: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One replicate's weights, inputs and clean targets: ``(Θ, X, X_test, f(X), f(X_test))``.

    Draw order: ``Θ``, ``X``, ``X_test``, the direction of ``β₁``, ``u`` (shared by the RF and NT
    simulators); :func:`draw_stacked` split into its training and test rows (views, no copy).
    """
    theta, x_all, f_all = draw_stacked(rng, d, N, n, n_test, F1sq, Fstar2)
    return theta, x_all[:n], x_all[n:], f_all[:n], f_all[n:]


def draw(
    params: RFParams, rng: np.random.Generator, d: int, N: int, n: int, n_test: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One replicate's features and clean targets: ``(Z, Z_test, f(X), f(X_test))``.

    The pre-activations of the training and test inputs come from one product
    ``[X; X_test](Θᵀ/√d)`` and ``σ`` is applied once to all of them; ``Z`` and ``Z_test`` are
    row views of that one array.
    """
    if getattr(params, "spectrum", None) is not None:
        theta, x_all, f_all, m = draw_spectrum(rng, params.spectrum, d, N, n, n_test, params.F1sq, params.Fstar2)
        z_all = activate(params, x_all @ (theta.T * (1.0 / math.sqrt(d * m))))
        return z_all[:n], z_all[n:], f_all[:n], f_all[n:]
    theta, x_all, f_all = draw_stacked(rng, d, N, n, n_test, params.F1sq, params.Fstar2)
    z_all = activate(params, x_all @ (theta.T * (1.0 / math.sqrt(d))))
    return z_all[:n], z_all[n:], f_all[:n], f_all[n:]


def spectrum_coordinates(spectrum: Any, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-coordinate eigenvalues ``sⱼ`` and target energies of ``Σ`` (``spectrum=``) in dimension ``d``.

    Blocks: block ``i`` holds ``wᵢd`` coordinates (must be an integer: the theory then runs at exactly these
    weights) with eigenvalue ``sᵢ``, and the energy ``bᵢ/Σb`` of ``β`` (a fraction of ``F1sq``).  A power law needs
    ``d = p``: coordinate ``j`` has ``s_j = j^{−α}`` and energy ``∝ j^{−β}``.
    """
    power = spectrum._power
    if power is not None:
        if power[0] != d:
            raise ParameterError(f"`d` must equal the power law's p = {power[0]} for a simulation with `spectrum`; got d = {d}.")
        s, _, b = spectrum.np_blocks()
        return s, b / b.sum() if b.sum() > 0 else b
    counts = [w * d for w in spectrum.weights]
    if any(c.denominator != 1 for c in counts):
        raise ParameterError(f"`d` = {d} times every block weight of `spectrum` must be an integer (here {spectrum.label}).")
    sv = np.repeat([float(v) for v in spectrum.eigenvalues], [int(c) for c in counts])
    tot = sum(spectrum.energies)
    share = [float(b / tot) if tot else 0.0 for b in spectrum.energies]
    ev = np.concatenate([np.full(int(c), sh / int(c)) if int(c) else np.zeros(0) for c, sh in zip(counts, share, strict=True)])
    return sv, ev


def draw_spectrum(
    rng: np.random.Generator, spectrum: Any, d: int, N: int, n: int, n_test: int, F1sq: Any, Fstar2: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """One replicate with a general input covariance: ``(Θ, [X; X_test], [f(X); f(X_test)], m)``.

    ``Θ`` rows uniform on ``S^{d−1}(√d)``; inputs ``x = Σ^{1/2}g`` with ``g ~ N(0, I_d)`` (``Σ`` diagonal, from
    :func:`spectrum_coordinates`); ``β`` has energy ``F1sq·eⱼ`` on coordinate ``j`` with a random sign (so
    ``‖β‖² = F1sq`` spread over the blocks as the theory assumes); the nonlinear part is
    ``F⋆(t² − 1)/√2`` with ``t = ⟨u, x⟩/√(uᵀΣu)`` for a uniform direction ``u`` (mean 0, variance ``F⋆²``,
    orthogonal to every linear function of the Gaussian ``x``).  Draw order: ``Θ``, ``X``, ``X_test``, the
    signs of ``β``, ``u``.  ``m = tr Σ/d`` normalizes the pre-activations: ``σ(⟨θ, x⟩/√(dm))``.
    """
    sv, ev = spectrum_coordinates(spectrum, d)
    (theta,) = spheres(rng, d, N)
    x_all = rng.standard_normal((n + n_test, d)) * np.sqrt(sv)
    beta = np.sqrt(float(F1sq) * ev) * rng.choice([-1.0, 1.0], size=d)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    f_all = x_all @ beta
    fstar = math.sqrt(float(Fstar2))
    if fstar:
        t = (x_all @ u) / math.sqrt(float(np.sum(u * u * sv)))
        f_all += fstar * (t * t - 1.0) / math.sqrt(2.0)
    return theta, x_all, f_all, float(np.mean(sv))


# ----------------------------------------------------------------------------- one replicate
def replicate(
    z: np.ndarray,
    z_test: np.ndarray,
    f: np.ndarray,
    f_test: np.ndarray,
    rhos: np.ndarray,
    *,
    tau2: float,
    quantities: Sequence[str] = QUANTITIES,
    eps: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Test and training error of RF ridge for one draw of ``(Θ, X, X_test)``, for a penalty grid.

    Parameters
    ----------
    z, z_test : (n, N) and (n_test, N) arrays
        Training and test features.
    f, f_test : (n,) and (n_test,) arrays
        The clean target at the training and test inputs.
    rhos : (L,) array
        Penalties ``ρ = nNλ/d ≥ 0`` on ``ZᵀZ`` (``inf`` allowed).
    tau2 : float, keyword-only
        Noise variance (integrated analytically when ``eps`` is None).
    quantities : keyword-only
        Subset of ``("risk", "train_error")``.
    eps : (n,) array, keyword-only
        A realized noise vector (raw mode); then ``tau2`` is not used.

    Returns
    -------
    dict
        One ``(L,)`` array per quantity (formulas in the module docstring).
    """
    n, N = z.shape
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    s2 = s**2
    zero = numerical_zeros(s2, n, N)
    s2[zero], s[zero] = 0.0, 0.0
    r = s.size
    fitted = (s2 > 0)[:, None]
    finite = np.isfinite(rhos)[None, :]
    rho = np.where(finite, rhos[None, :], 0.0)
    den = s2[:, None] + rho
    ok = fitted & finite
    # h = s²/(s² + ρ) is the fitted fraction (0 where never fitted or ρ = ∞); g = 1 − h is formed
    # directly (no cancellation at tiny ρ), and the coefficient on Uᵀy is h/s = s/(s² + ρ)
    g = np.divide(np.broadcast_to(rho, den.shape), den, out=np.ones(den.shape), where=ok)
    coef = np.divide(s[:, None], den, out=np.zeros(den.shape), where=ok)
    y = f if eps is None else f + eps
    c = u.T @ y
    noise = tau2 if eps is None else 0.0
    want = set(quantities)
    out: dict[str, np.ndarray] = {}
    if "risk" in want:
        if noise:  # the noise term needs every test projection wⱼ = ‖Z_test vⱼ‖²
            w = z_test @ vt.T  # (n_test, r)
            pred = w @ (coef * c[:, None])
            energy = np.einsum("tj,tj->j", w, w)
        else:  # only the fitted coefficients â = V((h/s) ⊙ c), one column per λ: n_test × N × L
            pred = z_test @ (vt.T @ (coef * c[:, None]))
        resid = f_test[:, None] - pred
        risk = np.einsum("tl,tl->l", resid, resid) / z_test.shape[0]
        if noise:
            risk = risk + noise / z_test.shape[0] * ((coef**2) * energy[:, None]).sum(axis=0)
        out["risk"] = risk
    if "train_error" in want:
        perp = 0.0 if r == n else float(np.sum((y - u @ c) ** 2))  # part of y outside the column space of U
        resid = perp + ((g * c[:, None]) ** 2).sum(axis=0)
        if noise:
            resid = resid + noise * ((n - r) + (g**2).sum(axis=0))
        out["train_error"] = resid / n
    return out


# ----------------------------------------------------------------------------- memory
def peak_memory(N: int, n: int, d: int, n_test: int, lams: int, reps: int, *, quantities: int = 2) -> int:
    """Estimated peak memory (bytes) of :func:`simulate`: ``N`` features, ``n`` samples, dimension ``d``.

    Drawing a replicate holds ``Θ``, ``X``, ``X_test`` (normalized in place), ``Θᵀ/√d`` and, for the
    ``m = n + n_test`` stacked inputs, the pre-activations, the activation, two temporaries of the
    activation and its finiteness check (about ``4.2 mN``).  Solving holds ``Z``, ``Z_test``,
    the SVD's working copy, ``U``, ``Vᵀ`` and workspace (about ``8r²``, ``r = min(n, N)``), the
    test projections ``Z_test V`` (and their squares) and a few ``n_test × L`` and ``r × L``
    arrays for the ``λ`` grid.  The results of all replicates are kept (twice, when stacked).
    """
    r = min(n, N)
    m = n + n_test
    inputs = d * (2 * N + m)
    drawing = inputs + 4 * m * N + m * N // 8
    solving = n * N + n_test * N + (n * N + n * r + r * N + 8 * r * r) + 2 * n_test * r + 3 * n_test * lams + 6 * r * lams
    return footprint(max(drawing, solving) + 2 * reps * lams * quantities)


def request_sizes(
    params: Any, sizes_of: Any, *, d: Any, reps: Any, lams: Any, n_test: Any
) -> tuple[int, int, int, int, int, int]:
    """``(d, reps, n_test, len(lams), N, n)`` of a random-features-type request, checked (also used by
    the neural-tangent simulator, with its own ``sizes_of``)."""
    dd = check_int("d", d, low=2)
    rr = check_int("reps", reps, low=2, high=MAX_REPS)
    nt = check_int("n_test", n_test, low=1)
    size = int(np.size(lambda_grid(lams, params.lam)))
    N, n = sizes_of(params, dd)
    return dd, rr, nt, size, N, n


def check_request(
    params: RFParams,
    *,
    d: int,
    reps: int,
    lams: Any = None,
    n_test: int = DEFAULT_N_TEST,
    quantities: Sequence[str] = QUANTITIES,
    max_memory: Any = None,
) -> None:
    """Refuse, before anything is allocated, a :func:`simulate` call whose :func:`peak_memory`
    exceeds the limit (``max_memory`` GiB, else ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2 GiB).

    Raises
    ------
    ParameterError
        The estimate is above the limit (the message names ``d``, ``N``, ``n``, ``n_test`` and the
        estimate), or the sizes are invalid.
    """
    dd, rr, nt, size, N, n = request_sizes(params, sizes, d=d, reps=reps, lams=lams, n_test=n_test)
    nbytes = peak_memory(N, n, dd, nt, size, rr, quantities=len(tuple(quantities)))
    check_memory("the rf simulation", nbytes, max_memory=max_memory, d=dd, N=N, n=n, n_test=nt, lams=size, reps=rr)


# ----------------------------------------------------------------------------- driver
def simulate(
    params: RFParams,
    *,
    d: int,
    reps: int,
    lams: Any = None,
    seed: int = 0,
    n_test: int = DEFAULT_N_TEST,
    integrate_noise: bool = True,
    quantities: Sequence[str] = QUANTITIES,
    progress: bool = False,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    r"""Monte Carlo estimates of the RF test error (``risk``) and training error.

    Parameters
    ----------
    params : RFParams
        The theory's parameters: ``psi1`` (or ``N_over_n``) and ``psi2`` (finite),
        ``lam`` (used when ``lams`` is omitted), ``activation``, ``F1sq``, ``Fstar2``,
        ``tau2``.
    d : int, keyword-only
        Input dimension (``≥ 2``); ``N = round(ψ₁d)``, ``n = round(ψ₂d)``.
    reps : int, keyword-only
        Independent replicates (``≥ 2``: the SE needs two), each with fresh ``Θ``, data,
        test points and target directions.
    lams : array_like, keyword-only
        Grid of ridge penalties ``λ ≥ 0`` (the paper's ``λ``, as ``params.lam``; ``inf``
        allowed) served by one SVD per replicate.  Default ``params.lam`` (scalar estimates).
    seed : int, keyword-only
        Root seed (``≥ 0``); see the module docstring for the draw order.
    n_test : int, keyword-only
        Fresh test points per replicate (default 2000).
    integrate_noise : bool, keyword-only
        ``True``: expectation over ``ε`` in closed form given the draws; ``False``: draw
        ``ε ~ N(0, τ²)`` and return realized errors.
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
        One estimate per quantity, ``samples`` of shape ``(reps, *lams.shape)``;
        ``n`` = samples, ``p`` = features ``N``, and ``params`` records ``d``, ``N``,
        ``n_test`` and the noise mode.

    Raises
    ------
    ParameterError
        ``params`` not an ``RFParams``, ``psi1``/``psi2`` infinite, ``d < 2``, ``reps < 2``,
        ``seed < 0``, ``n_test < 1``, unknown quantity, a negative or NaN penalty, ``N`` or
        ``n`` rounding to 0, an activation that returns NaN/inf, or an estimated peak memory
        above ``max_memory``.

    Examples
    --------
    >>> from asymptotics.models.random_features import RFParams
    >>> est = simulate(RFParams(psi1=3, psi2=1, tau2="0.25"), d=40, reps=3)
    >>> float(abs(est["train_error"].mean)) < 1e-20      # ridgeless, N > n: the interpolator
    True
    """
    if not isinstance(params, RFParams):
        raise ParameterError(f"`params` must be an RFParams; got {type(params).__name__}.")
    dd = check_int("d", d, low=2)
    rr = check_int("reps", reps, low=2, high=MAX_REPS)
    sd = check_int("seed", seed, low=0)
    nt = check_int("n_test", n_test, low=1)
    wanted = check_quantities(
        quantities, QUANTITIES, " (the bias/variance split of the theory cannot be separated in simulation: F*^2 acts as noise)"
    )
    grid = lambda_grid(lams, params.lam)
    flat = np.atleast_1d(grid).ravel()
    N, n = sizes(params, dd)
    check_request(params, d=dd, reps=rr, lams=lams, n_test=nt, quantities=wanted, max_memory=max_memory)
    with np.errstate(invalid="ignore"):  # inf · N n/d stays inf
        rhos = flat * (n * N / dd)
    tau2 = float(params.tau2)

    rows: dict[str, list[np.ndarray]] = {q: [] for q in wanted}
    for rng in replicate_rngs(sd, rr, progress=progress, desc="rf replicates"):
        z, z_test, f, f_test = draw(params, rng, dd, N, n, nt)
        eps = None if integrate_noise else rng.normal(0.0, math.sqrt(tau2), n)
        values = replicate(z, z_test, f, f_test, rhos, tau2=tau2, quantities=wanted, eps=eps)
        for q in wanted:
            rows[q].append(values[q])

    shown = {
        **params.shown(),
        "d": str(dd),
        "N": str(N),
        "n_test": str(nt),
        "mode": "integrated" if integrate_noise else "raw",
    }
    points = None if lams is None else grid
    return {q: MCEstimate(q, np.asarray(rows[q]).reshape((rr, *grid.shape)), n, N, sd, shown, points) for q in wanted}


# ----------------------------------------------------------------------------- simulator registry
# What campaigns and `asymptotics curve --mc` need (validation.simulators.registry): the size is d,
# the theory runs at the realized ratios N/d and n/d.
CURVE_AXES = ("lam", "psi1", "psi2", "N_over_n", "F1sq", "Fstar2", "tau2")
_CAMPAIGN_ACTIVATIONS = ("relu", "tanh", "erf")
_CAMPAIGN_SPECTRA = ("isotropic", "blocks:0.5/0.5/1,1.5/0.5/1", "blocks:0.25/0.5/0.5,1.75/0.5/1.5")
"""Input covariances of the campaign design: the identity and two anisotropic two-block ones (trace d)."""


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    return {**params, "psi1": f"{est.p}/{size}", "psi2": f"{est.n}/{size}"}


def _registry_points(sizes: Sequence[int]) -> Any:
    """``psi1``, ``psi2`` ∈ [0.2, 3], ``lam`` ∈ [0.01, 1] or 0 when ``|ψ₁ − ψ₂| ≥ 0.5 max(ψ₁, ψ₂)``,
    ``lam`` ∈ [0.1, 1] nearer the peak, ``activation`` ∈ {relu, tanh, erf}, ``F1sq`` ∈ [0.5, 2],
    ``Fstar2``, ``tau2`` ∈ [0, 0.5], ``spectrum`` isotropic or one of :data:`_CAMPAIGN_SPECTRA`'s two-block
    covariances (half the coordinates each, so every even ``d`` realizes it exactly)."""
    from hypothesis import strategies as st

    from ..points import rounded, text

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        psi1, psi2 = draw_(rounded(0.2, 3)), draw_(rounded(0.2, 3))
        far = abs(psi1 - psi2) >= 0.5 * max(psi1, psi2)
        lam = draw_(st.one_of(st.just(0.0), rounded(0.01, 1)) if far else rounded(0.1, 1))  # near N = n: λ ≥ 0.1
        return {
            "psi1": text(psi1),
            "psi2": text(psi2),
            "lam": text(lam),
            "activation": draw_(st.sampled_from(_CAMPAIGN_ACTIVATIONS)),
            "F1sq": text(draw_(rounded(0.5, 2))),
            "Fstar2": text(draw_(rounded(0, 0.5))),
            "tau2": text(draw_(rounded(0, 0.5))),
            "spectrum": draw_(st.sampled_from(_CAMPAIGN_SPECTRA)),
        }

    return draw()


register_simulator(
    SimulatorSpec.from_module(  # the overlay's size n (the CLI's --n) is the input dimension d
        __name__,
        model="rf",
        size_param="d",
        sizes=(50, 100, 200),
        make=RFParams,
        alternatives=("psi1", "N_over_n"),  # psi1 = N_over_n * psi2: pass only the one the user gave
        meaning={"psi1": "N/d", "N_over_n": "N/n"},
        needed=("psi2", "lam", "activation", "F1sq", "Fstar2", "tau2"),
        realize=_registry_realize,
        points=_registry_points,
    )
)
