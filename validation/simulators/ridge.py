r"""Monte Carlo for ridge / ridgeless regression (mirror of :mod:`asymptotics.models.ridge`).

Setting (the same :class:`~asymptotics.models.ridge.RidgeParams` as the theory)
-------------------------------------------------------------------------------
``n`` samples, ``p = round(γ n)`` features, ``x = Σ^{1/2} z`` with ``z`` i.i.d. standardized
(Gaussian or Rademacher).  ``Σ = I`` by default; with ``params.spectrum`` (blocks
``(sᵢ, wᵢ, bᵢ)``) ``Σ`` is diagonal and block ``i`` holds ``round(p Σ_{j≤i} w_j) −
round(p Σ_{j<i} w_j) ≈ wᵢ p`` consecutive coordinates of eigenvalue ``sᵢ`` (cumulative
rounding, so the blocks fill exactly ``p`` coordinates).  ``β`` is fixed: energy ``bᵢ``
spread evenly over block ``i`` (``Σ = I``: ``β = √(r²/p)·𝟏``).  Labels
``y = Xβ + ε`` with ``Var ε = σ² + τ²`` (misspecification is extra noise, docs/models/ridge.md,
'Derivation'), ridge ``β̂_λ = (S + λ)^{-1}Xᵀy/n`` with ``S = XᵀX/n``, ``λ = 0`` the
minimum-norm interpolator / least squares.

Noise integrated analytically given ``X`` (default)
--------------------------------------------------
One thin SVD ``X = U diag(δ) Vᵀ`` per replicate serves the whole ``λ`` grid.  With
``dᵢ = δᵢ²/n`` (``q = min(n, p)`` of them), ``cᵢ = vᵢᵀβ``, ``hᵢ = dᵢ/(dᵢ + λ)``,
``gᵢ = 1 − hᵢ = λ/(dᵢ + λ)`` and noise ``σ_ε² = σ² + τ²``:

.. math::

    \mathcal B_X(\lambda) &= \lambda^2\beta^\top(S+\lambda)^{-1}\Sigma(S+\lambda)^{-1}\beta
        = \lVert a\rVert_\Sigma^2,\quad a = \beta - V(h\odot c)
        \;\;(\Sigma = sI:\ s[\textstyle\sum_i g_i^2c_i^2 + \lVert P_{\rm null}\beta\rVert^2]),\\
    \mathcal V_X(\lambda) &= \frac{\sigma_\varepsilon^2}{n}\operatorname{Tr}\big(\Sigma(S+\lambda)^{-1}S(S+\lambda)^{-1}\big)
        = \frac{\sigma_\varepsilon^2}{n}\sum_i \frac{d_i\,v_i^\top\Sigma v_i}{(d_i+\lambda)^2},\\
    \mathbb E_\varepsilon\tfrac1n\lVert y - X\hat\beta_\lambda\rVert^2 &= \sum_i g_i^2 d_i c_i^2
        + \frac{\sigma_\varepsilon^2}{n}\Big[\sum_i g_i^2 + (n - q)\Big],

risk ``= 𝓑_X + 𝓥_X + τ²``.  ``λ = 0`` is exact: fitted directions have ``h = 1`` (so the
bias is ``‖P_null β‖²_Σ`` when ``p > n``, and the variance ``σ_ε²/n Σ vᵢᵀΣvᵢ/dᵢ``), while
zero eigenvalues (the ``n − q`` of ``XXᵀ/n`` beyond the rank, and numerically zero ``dᵢ``)
are never fitted (``h = 0``) and contribute ``σ_ε²`` each to ``n × `` the training error.
``λ = ∞`` gives ``β̂ = 0``.

Raw mode (``integrate_noise=False``)
------------------------------------
``ε ~ N(0, σ_ε²)`` is drawn explicitly (after the design, from the same replicate
generator) and the realized quantities are returned: bias ``𝓑_X`` (noise-free, the same
number as above), variance ``‖V((h/δ)⊙Uᵀε)‖²_Σ``, risk ``‖β̂_λ − β‖²_Σ + τ²``, training error
``‖y − Xβ̂_λ‖²/n``.  Each has expectation (over ``ε``) equal to the integrated value: an
independent check of the formulas above.

Possible issues
---------------
Near ``γ = 1`` at ``λ = 0`` the per-design variance is heavy-tailed and its finite-``n``
mean exceeds the limit by ``O(1/(n − p))`` (compare with
:func:`validation.compare.gaussian_ridgeless_exact`).  For fixed ``β`` the bias fluctuates
at ``O(p^{-1/2})`` between designs; that, not the noise, dominates the SE.

References
----------
Hastie, Montanari, Rosset & Tibshirani (arXiv 1903.08560); Cheng & Montanari (arXiv
2210.08571); docs/models/ridge.md ('Derivation', 'Monte Carlo').
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from asymptotics.errors import ParameterError
from asymptotics.models.ridge import RidgeParams

from ..compare import MCEstimate
from ._sampling import (
    check_design,
    check_memory,
    check_run,
    features,
    footprint,
    lambda_grid,
    numerical_zeros,
    replicate_rngs,
    standardized_design,
)
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("risk", "bias", "variance", "train_error")


# ----------------------------------------------------------------------------- population
def population(params: RidgeParams, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal of ``Σ`` and the fixed ``β`` for ``p`` features.

    Block ``i`` of the spectrum occupies coordinates ``[round(p W_{i−1}), round(p Wᵢ))``
    with ``Wᵢ = Σ_{j≤i} w_j`` (exact fractions), and ``β_j = √(bᵢ/pᵢ)`` on it.  A power-law
    spectrum of ``P`` eigenvalues is reproduced exactly when ``p`` is a multiple of ``P``;
    otherwise block sizes alternate between ``⌊p/P⌋`` and ``⌈p/P⌉``.

    Raises
    ------
    ParameterError
        A block with positive weight gets no coordinate (``p`` too small for the spectrum).
    """
    if params.spectrum is None:
        return np.ones(p), np.full(p, np.sqrt(float(params.r2) / p))
    s, w, b = params.spectrum.np_blocks()
    cumulative = np.cumsum([0, *params.spectrum.weights])  # exact fractions
    bounds = np.array([round(c * p) for c in cumulative])
    sizes = np.diff(bounds)
    if np.any(sizes == 0):
        i = int(np.argmax(sizes == 0))
        raise ParameterError(
            f"spectrum block {i} (weight {w[i]:.3g}) gets no coordinate at p = {p}; `n` must be larger "
            f"(need p ≥ {int(np.ceil(1 / w.min()))} or so)."
        )
    sigma = np.repeat(s, sizes)
    beta = np.repeat(np.sqrt(b / sizes), sizes)
    return sigma, beta


def shrinkage(d: np.ndarray, lams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``h = d/(d+λ)`` and ``g = λ/(d+λ)``, shape ``(q, L)``, with the limits made exact.

    ``d = 0`` (never fitted): ``h = 0, g = 1`` for every ``λ`` (also ``λ = 0``, the
    minimum-norm convention); ``λ = ∞``: ``h = 0, g = 1``; ``λ = 0, d > 0``: ``h = 1, g = 0``.
    """
    dd = d[:, None]
    finite = np.isfinite(lams)
    lam = np.where(finite, lams, 0.0)[None, :]
    den = dd + lam
    fitted = (dd > 0) & finite[None, :]
    h = np.divide(dd, den, out=np.zeros(den.shape), where=fitted)
    g = np.divide(lam, den, out=np.ones(den.shape), where=fitted)
    return h, g


# ----------------------------------------------------------------------------- one replicate
def replicate(
    x: np.ndarray,
    beta: np.ndarray,
    sigma: np.ndarray,
    lams: np.ndarray,
    *,
    noise: float,
    quantities: Sequence[str] = QUANTITIES,
    eps: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Bias, variance, risk (without ``τ²``) and training error of one design, for a λ grid.

    Parameters
    ----------
    x : (n, p) array
        The design ``Z Σ^{1/2}``.
    beta, sigma : (p,) arrays
        Coefficients and the diagonal of ``Σ``.
    lams : (L,) array
        Penalties (``≥ 0``, ``inf`` allowed).
    noise : float, keyword-only
        Noise variance ``σ² + τ²``.
    quantities : keyword-only
        Which of ``risk, bias, variance, train_error`` to compute.
    eps : (n,) array, keyword-only
        A realized noise vector: raw mode.  ``None`` integrates the noise analytically.

    Returns
    -------
    dict
        One ``(L,)`` array per quantity; see the module docstring for the formulas.
    """
    n, p = x.shape
    u, delta, vt = np.linalg.svd(x, full_matrices=False)
    d = delta**2 / n
    zero = numerical_zeros(d, n, p)
    d[zero], delta[zero] = 0.0, 0.0
    q = d.size
    h, g = shrinkage(d, lams)
    c = vt @ beta
    isotropic = bool(np.all(sigma == sigma[0]))
    null = max(float(beta @ beta - c @ c), 0.0) if p > q else 0.0  # ‖P_null β‖², structural null space
    want = set(quantities)
    out: dict[str, np.ndarray] = {}

    # bias (noise-free, identical in both modes): ‖β − V(h⊙c)‖²_Σ
    if want & {"bias", "risk"}:
        if isotropic:
            bias = sigma[0] * (((g * c[:, None]) ** 2).sum(axis=0) + null)
        else:
            resid = beta[:, None] - vt.T @ (h * c[:, None])
            bias = (sigma[:, None] * resid**2).sum(axis=0)
        out["bias"] = bias

    fitted = d > 0
    inv_delta = np.divide(1.0, delta, out=np.zeros_like(delta), where=fitted)
    if eps is None:
        if want & {"variance", "risk"}:
            weight = np.ones(q) * sigma[0] if isotropic else (sigma[:, None] * vt.T**2).sum(axis=0)
            h2_over_d = np.divide(h**2, d[:, None], out=np.zeros_like(h), where=fitted[:, None])
            out["variance"] = noise / n * (weight[:, None] * h2_over_d).sum(axis=0)
            if "risk" in want:
                out["risk"] = out["bias"] + out["variance"]
        if "train_error" in want:
            out["train_error"] = ((g**2) * (d * c**2)[:, None]).sum(axis=0) + noise / n * ((g**2).sum(axis=0) + (n - q))
        return out

    # raw mode
    e = u.T @ eps
    coef = (h * inv_delta[:, None]) * e[:, None]  # β̂_noise = V coef
    if want & {"variance", "risk"}:
        if isotropic:
            out["variance"] = sigma[0] * (coef**2).sum(axis=0)
            if "risk" in want:
                out["risk"] = sigma[0] * ((((h - 1.0) * c[:, None] + coef) ** 2).sum(axis=0) + null)
        else:
            noise_part = vt.T @ coef
            out["variance"] = (sigma[:, None] * noise_part**2).sum(axis=0)
            if "risk" in want:
                err = vt.T @ (h * c[:, None]) - beta[:, None] + noise_part
                out["risk"] = (sigma[:, None] * err**2).sum(axis=0)
    if "train_error" in want:
        y = x @ beta + eps
        uty = u.T @ y
        perp = 0.0 if q == n else float(np.sum((y - u @ uty) ** 2))
        out["train_error"] = (perp + ((g * uty[:, None]) ** 2).sum(axis=0)) / n
    return out


# ----------------------------------------------------------------------------- memory
def peak_memory(n: int, p: int, lams: int, reps: int, *, quantities: int = 4, isotropic: bool = True) -> int:
    """Estimated peak memory (bytes) of :func:`simulate`: ``n`` samples, ``p`` features, ``lams`` penalties.

    One replicate holds the design (``np``), and its thin SVD the copy LAPACK works on (``np``),
    ``U`` (``nq``), ``Vᵀ`` (``qp``) and the divide-and-conquer workspace (about ``8q²``),
    ``q = min(n, p)``; a non-isotropic ``Σ`` adds the ``p × q`` weights ``Σ V²`` (two arrays),
    the ``λ`` grid about six ``q × L`` and four ``p × L`` arrays; the results of all replicates
    are kept (twice, when stacked).  float64 throughout.
    """
    q = min(n, p)
    per_rep = 2 * n * p + n * q + q * p + 8 * q * q + (0 if isotropic else 2 * p * q) + 6 * q * lams + 4 * p * lams
    return footprint(per_rep + 3 * (n + p) + 2 * reps * lams * quantities)


def check_request(
    params: RidgeParams, *, n: int, reps: int, lams: Any = None, quantities: Sequence[str] = QUANTITIES, max_memory: Any = None
) -> None:
    """Refuse, before anything is allocated, a :func:`simulate` call whose :func:`peak_memory`
    exceeds the limit (``max_memory`` GiB, else ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2 GiB).

    Raises
    ------
    ParameterError
        The estimate is above the limit (the message names ``n``, ``p``, the grid size and the
        estimate), or the sizes are invalid.
    """
    nn, rr, _ = check_run(n, reps, 0)
    size = int(np.size(lambda_grid(lams, params.lam)))
    p = features(params.gamma, nn)
    nbytes = peak_memory(nn, p, size, rr, quantities=len(tuple(quantities)), isotropic=params.spectrum is None)
    check_memory("the ridge simulation", nbytes, max_memory=max_memory, n=nn, p=p, lams=size, reps=rr)


# ----------------------------------------------------------------------------- driver
def simulate(
    params: RidgeParams,
    *,
    n: int,
    reps: int,
    lams: Any = None,
    seed: int = 0,
    design: str = "gaussian",
    integrate_noise: bool = True,
    quantities: Sequence[str] = QUANTITIES,
    progress: bool = False,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    r"""Monte Carlo estimates of the ridge risk, bias, variance and training error.

    Parameters
    ----------
    params : RidgeParams
        The theory's parameters: ``gamma`` (``p = round(γ n)``), ``lam`` (used when
        ``lams`` is omitted), ``r2``, ``sigma2``, ``tau2``, and optionally ``spectrum``.
    n, reps : int, keyword-only
        Samples (``≥ 1``) and independent designs (``≥ 1``; ``≥ 2`` for an SE).
    lams : array_like, keyword-only
        Grid of penalties ``λ ≥ 0`` (``inf`` allowed) served by one SVD per replicate.
        Default: ``params.lam`` (then the estimates are scalars).
    seed : int, keyword-only
        Root seed (``≥ 0``); replicate ``r`` draws its design (then its noise, in raw
        mode) from ``default_rng(SeedSequence(seed).spawn(reps)[r])``.
    design : {"gaussian", "rademacher"}, keyword-only
    integrate_noise : bool, keyword-only
        ``True``: expectation over ``ε`` given ``X`` in closed form.  ``False`` ("raw"):
        draw ``ε ~ N(0, σ² + τ²)`` and return the realized values.
    quantities : sequence of str, keyword-only
        Subset of ``("risk", "bias", "variance", "train_error")``.
    progress : bool, keyword-only
        Show a tqdm bar over replicates.
    max_memory : float, keyword-only
        Memory limit in GiB (default: ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2); a request whose
        :func:`peak_memory` estimate is larger is refused before anything is allocated.

    Returns
    -------
    dict[str, MCEstimate]
        One estimate per quantity; ``samples`` of shape ``(reps, *lams.shape)``.  The risk
        is the excess risk ``‖β̂ − β‖²_Σ`` plus ``τ²`` (the convention of
        :func:`asymptotics.models.ridge.risk`).

    Raises
    ------
    ParameterError
        ``params`` not a ``RidgeParams``, ``n``/``reps``/``seed`` out of range, unknown
        design or quantity, a negative or NaN penalty, ``p`` too small for the spectrum, an
        estimated peak memory above ``max_memory``.

    Examples
    --------
    >>> from asymptotics.models.ridge import RidgeParams
    >>> est = simulate(RidgeParams(gamma="0.5", sigma2="0.25"), n=200, reps=5)
    >>> float(est["train_error"].mean)      # exactly σ²(n − p)/n at λ = 0
    0.125
    """
    if not isinstance(params, RidgeParams):
        raise ParameterError(f"`params` must be a RidgeParams; got {type(params).__name__}.")
    nn, rr, sd = check_run(n, reps, seed)
    design = check_design(design)
    wanted = tuple(quantities)
    bad = [q for q in wanted if q not in QUANTITIES]
    if bad or not wanted:
        raise ParameterError(f"`quantities` must be a non-empty subset of {', '.join(QUANTITIES)}; got {list(wanted)!r}.")
    grid = lambda_grid(lams, params.lam)
    flat = np.atleast_1d(grid).ravel()
    p = features(params.gamma, nn)
    check_request(params, n=nn, reps=rr, lams=lams, quantities=wanted, max_memory=max_memory)
    sigma, beta = population(params, p)
    root = np.sqrt(sigma)
    noise, tau2 = float(params.sigma2 + params.tau2), float(params.tau2)

    rows: dict[str, list[np.ndarray]] = {q: [] for q in wanted}
    for rng in replicate_rngs(sd, rr, progress=progress, desc="ridge replicates"):
        x = standardized_design(rng, nn, p, design)
        if params.spectrum is not None:
            x *= root
        eps = None if integrate_noise else rng.normal(0.0, np.sqrt(noise), nn)
        values = replicate(x, beta, sigma, flat, noise=noise, quantities=wanted, eps=eps)
        for q in wanted:
            rows[q].append(values[q] + tau2 if q == "risk" else values[q])

    shown = {**params.shown(), "design": design, "mode": "integrated" if integrate_noise else "raw"}
    points = None if lams is None else grid
    return {q: MCEstimate(q, np.asarray(rows[q]).reshape((rr, *grid.shape)), nn, p, sd, shown, points) for q in wanted}


# ----------------------------------------------------------------------------- simulator registry
# What campaigns and `asymptotics curve --mc` need (validation.simulators.registry): the size is n,
# the theory runs at the realized ratio p/n = round(γn)/n, points are drawn where the limit is a fair test.
CURVE_AXES = ("lam", "gamma", "r2", "sigma2", "tau2")


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    return {**params, "gamma": f"{est.p}/{est.n}"}


def _registry_points(sizes: Sequence[int]) -> Any:
    """``gamma`` ∈ [0.1, 4], ``lam`` = 0 or ∈ [0.01, 2] (``lam = 0`` only with ``|γ − 1| ≥ 0.4``,
    ``lam ≥ 0.05`` when ``|γ − 1| < 0.4``), ``r2`` ∈ [0.25, 2], ``sigma2`` ∈ [0.01, 1], ``tau2`` ∈ [0, 0.5]."""
    from hypothesis import strategies as st

    from ..points import rounded, text

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        gamma = draw_(rounded(0.1, 4))
        lam = draw_(st.one_of(st.just(0.0), rounded(0.01, 2)) if abs(gamma - 1) >= 0.4 else rounded(0.05, 2))
        return {
            "gamma": text(gamma),
            "lam": text(lam),
            "r2": text(draw_(rounded(0.25, 2))),
            "sigma2": text(draw_(rounded(0.01, 1))),  # > 0: no point whose risk is identically 0
            "tau2": text(draw_(rounded(0, 0.5))),
        }

    return draw()


def _registry_skip(params: dict[str, str]) -> tuple[str, ...]:
    """A structured spectrum's energies set ``r2``: it is not filled in from its default."""
    return ("r2",) if params.get("spectrum", "isotropic").strip().lower() != "isotropic" else ()


register_simulator(
    SimulatorSpec.from_module(
        __name__,
        model="ridge",
        size_param="n",
        sizes=(100, 200, 400),
        make=RidgeParams,
        needed=("gamma", "lam", "r2", "sigma2", "tau2", "spectrum"),
        skip=_registry_skip,
        realize=_registry_realize,
        points=_registry_points,
    )
)
