r"""Monte Carlo for the Gaussian covariate model (mirror of :mod:`asymptotics.models.gcm`).

Setting
-------
``n`` samples, ``p = round(γn)`` student features ``v`` with diagonal training covariance ``Σ`` (block ``i`` of
the spectrum fills ``round(p Wᵢ₋₁) .. round(p Wᵢ)`` coordinates, ``W`` the cumulative weights, as the ridge
simulator does), test covariance ``Σ' = diag(t)``.  Ridge ``β̂ = (S + λ)⁻¹Xᵀy/n`` (``λ = 0``: minimum norm).

Without a teacher: ``y = Xβ + ε`` with ``β`` spread evenly over each block (energy ``bᵢ``); the noise is
integrated analytically given ``X`` (one SVD ``X = U diag(δ) Vᵀ``, ``d = δ²/n``, ``h = d/(d+λ)``, ``c = Vᵀβ``):
``𝓑_X = ‖β − V(h⊙c)‖²_{Σ'}``, ``𝓥_X = σ²/n Σᵢ (dᵢ/(dᵢ+λ)²) vᵢᵀΣ'vᵢ``, risk ``𝓑_X + 𝓥_X``.

With a teacher (``blocks:ψ/φ/θ²``): the teacher features are DRAWN jointly with the student's, coordinate by
coordinate, ``u = (φ/s) v + √(ψ − φ²/s) z`` (``z`` independent standard normal), ``θ`` spread evenly over each
block, ``y = θᵀu + ε`` drawn explicitly; the realized test risk is computed exactly over a Gaussian test point
whose block covariance is ``t/s`` times the training one:
``E_{u',v'}(θᵀu' − β̂ᵀv')² − σ²``... without ``σ²``: ``(β̂ − β*)ᵀΣ'(β̂ − β*) + Σⱼ θⱼ² (tⱼ/sⱼ)(ψⱼ − φⱼ²/sⱼ)``,
``β*ⱼ = φⱼθⱼ/sⱼ`` (the per-coordinate conditional mean, an identity of Gaussian conditioning, not the model's
reduction).  Training error ``‖y − Xβ̂‖²/n`` realized.  Bias and variance of a teacher run are the analytic
``𝓑_X``, ``𝓥_X`` with target ``β*`` and noise ``σ² + τ²``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from asymptotics.errors import ParameterError
from asymptotics.models.gcm import GcmParams

from ..compare import MCEstimate
from ._sampling import check_memory, check_run, features, footprint, lambda_grid, replicate_rngs
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("risk", "bias", "variance", "train_error")
CURVE_AXES = ("lam", "gamma", "sigma2")


def population(params: GcmParams, p: int) -> dict[str, np.ndarray]:
    """Per-coordinate ``s``, ``t``, ``β`` (or ``β*``), and with a teacher ``ψ``, ``φ``, ``θ``."""
    s, t, b, w = params._blocks  # type: ignore[attr-defined]
    cumulative = np.cumsum([0, *w])
    bounds = np.array([round(c * p) for c in cumulative])
    sizes = np.diff(bounds)
    if np.any(sizes == 0):
        raise ParameterError(f"a spectrum block gets no coordinate at p = {p}; `n` must be larger.")
    out = {
        "s": np.repeat([float(v) for v in s], sizes),
        "t": np.repeat([float(v) for v in t], sizes),
    }
    if params.teacher is None:
        out["beta"] = np.repeat(np.sqrt(np.array([float(v) for v in b]) / sizes), sizes)
    else:
        rows = [[float(x) for x in item.split("/")] for item in params.teacher.partition(":")[2].split(",") if item.strip()]
        psi, phi, th2 = (np.array(col) for col in zip(*rows, strict=True))
        out["psi"] = np.repeat(psi, sizes)
        out["phi"] = np.repeat(phi, sizes)
        out["theta"] = np.repeat(np.sqrt(th2 / sizes), sizes)
        out["beta"] = out["phi"] * out["theta"] / out["s"]
    return out


def check_request(
    params: GcmParams, *, n: int, reps: int, quantities: Sequence[str] = QUANTITIES, max_memory: Any = None
) -> None:
    """Refuse a request whose memory (a few ``n × p`` arrays) exceeds the limit."""
    nn, rr, _ = check_run(n, reps, 0)
    p = features(params.gamma, nn)
    check_memory("the gcm simulation", footprint(5 * nn * p + 3 * p * p), max_memory=max_memory, n=nn, p=p, reps=rr)


def _replicate(
    rng: np.random.Generator, params: GcmParams, pop: dict[str, np.ndarray], n: int, lams: np.ndarray
) -> dict[str, np.ndarray]:
    """One design (and, with a teacher, one draw of the labels) for every ``λ`` of ``lams``: arrays of shape ``(L,)``."""
    s, t, beta = pop["s"], pop["t"], pop["beta"]
    p = s.size
    sigma2 = float(params.sigma2)
    x = rng.standard_normal((n, p)) * np.sqrt(s)
    _, delta, vt = np.linalg.svd(x, full_matrices=False)
    d = delta**2 / n
    fitted = (delta > delta.max() * max(n, p) * np.finfo(float).eps)[:, None]
    dd = d[:, None]
    inv = np.where(fitted, 1.0 / np.where(fitted, dd + lams[None, :], 1.0), 0.0)  # 1/(d+λ) on fitted directions
    h = dd * inv  # q × L
    c = vt @ beta
    resid = beta[:, None] - vt.T @ (h * c[:, None])
    bias = (t[:, None] * resid**2).sum(axis=0)
    noise = sigma2 + float(params._tau[0])  # type: ignore[attr-defined]
    weight = (t[None, :] * vt**2).sum(axis=1)  # vᵢᵀΣ'vᵢ
    variance = noise / n * (weight[:, None] * dd * inv**2).sum(axis=0)
    if params.teacher is None:
        g = np.where(fitted, 1 - h, 1.0)
        q = int(fitted.sum())
        train = ((g**2) * (dd * c[:, None] ** 2)).sum(axis=0) + noise / n * ((g[:q] ** 2).sum(axis=0) + (n - q))
        return {"risk": bias + variance, "bias": bias, "variance": variance, "train_error": train}
    psi, phi, theta = pop["psi"], pop["phi"], pop["theta"]
    rvar = psi - phi**2 / s
    u = x * (phi / s) + rng.standard_normal((n, p)) * np.sqrt(np.maximum(rvar, 0.0))
    y = u @ theta + np.sqrt(sigma2) * rng.standard_normal(n)
    xty = vt @ (x.T @ y) / n  # β̂ = V diag(1/(d+λ)) VᵀXᵀy/n
    bhat = vt.T @ (inv * xty[:, None])  # p × L
    err = bhat - beta[:, None]
    risk = (t[:, None] * err**2).sum(axis=0) + float(np.sum(theta**2 * (t / s) * rvar))
    train = ((y[:, None] - x @ bhat) ** 2).mean(axis=0)
    return {"risk": risk, "bias": bias, "variance": variance, "train_error": train}


def simulate(
    params: GcmParams,
    *,
    n: int,
    reps: int,
    seed: int = 0,
    lams: Any = None,
    quantities: Sequence[str] = QUANTITIES,
    progress: bool = False,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    """Monte Carlo estimates of the gcm quantities (see the module docstring).

    Parameters
    ----------
    params : GcmParams
        The theory's parameters (``p = round(γn)``).
    n, reps, seed : int
        Samples, replicates (≥ 2 for an SE), root seed.
    lams : array_like, optional
        A grid of penalties served by one SVD per replicate (``samples`` then have shape ``(reps, L)``);
        default ``params.lam``.
    quantities : sequence of str
        Any of ``risk``, ``bias``, ``variance``, ``train_error``.
    progress : bool
        Show a progress bar over the replicates.
    max_memory : float
        Memory limit in GiB.

    Returns
    -------
    dict of MCEstimate, one per quantity.
    """
    bad = [q for q in quantities if q not in QUANTITIES]
    if bad:
        raise ParameterError(f"unknown gcm statistic {bad[0]!r}; valid: {', '.join(QUANTITIES)}.")
    nn, rr, sd = check_run(n, reps, seed)
    check_request(params, n=nn, reps=rr, quantities=quantities, max_memory=max_memory)
    p = features(params.gamma, nn)
    pop = population(params, p)
    grid = np.atleast_1d(np.asarray(lambda_grid(lams, params.lam), dtype=float))
    rows = [_replicate(rng, params, pop, nn, grid.reshape(-1)) for rng in replicate_rngs(sd, rr, progress=progress)]
    shown = {**params.shown(), "gamma": f"{p}/{nn}"}
    if lams is None:
        return {q: MCEstimate(q, np.array([r[q][0] for r in rows]), nn, p, sd, shown) for q in quantities}
    return {q: MCEstimate(q, np.array([r[q].reshape(grid.shape) for r in rows]), nn, p, sd, shown, grid) for q in quantities}


CAMPAIGN_SPECTRA = (
    ("blocks:1/2/0.5/0.5,4/1/0.5/0.5", "none"),
    ("blocks:1/1/1/0.5,10/0.1/0.2/0.5", "none"),
    ("blocks:2/1/1/1", "none"),
    ("blocks:1/1.5/0.5,3/0.5/0.5", "blocks:2/1/1,3/2/0.5"),
)
"""Spectra of the campaign points (a shift up and down, a strong anisotropy, isotropic, a teacher)."""


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    return {**params, "gamma": f"{est.p}/{est.n}"}


def _registry_points(sizes: Sequence[int]) -> Any:
    """``gamma`` ∈ [0.2, 3], ``lam`` ∈ [0.05, 1] (``lam = 0`` only with ``|γ − 1| ≥ 0.5``), ``sigma2`` ∈ [0.05, 1],
    spectrum/teacher from :data:`CAMPAIGN_SPECTRA`."""
    from hypothesis import strategies as st

    from ..points import rounded, text

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        gamma = draw_(rounded(0.2, 3))
        lam = draw_(st.one_of(st.just(0.0), rounded(0.05, 1)) if abs(gamma - 1) >= 0.5 else rounded(0.05, 1))
        spectrum, teacher = draw_(st.sampled_from(CAMPAIGN_SPECTRA))
        return {
            "gamma": text(gamma),
            "lam": text(lam),
            "sigma2": text(draw_(rounded(0.05, 1))),
            "spectrum": spectrum,
            "teacher": teacher,
        }

    return draw()


register_simulator(
    SimulatorSpec.from_module(
        __name__,
        model="gcm",
        size_param="n",
        sizes=(100, 200, 400),
        make=GcmParams,
        needed=("gamma", "lam", "sigma2", "spectrum", "teacher"),
        realize=_registry_realize,
        points=_registry_points,
    )
)
