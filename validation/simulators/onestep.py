r"""Monte Carlo for random features after one gradient step (mirror of :mod:`asymptotics.models.onestep`).

The actual two-layer network at finite ``d`` (Ba, Erdogdu, Suzuki, Wang, Wu & Yang, arXiv 2205.01445):

1. ``W₀`` with i.i.d. uniform unit columns (``N = round(ψ₁d)``), ``a ~ N(0, I/N)``; target direction ``β``
   uniform on the unit sphere; ``y = f⋆(⟨β, x⟩) + ε`` with ``f⋆(z) = √F1sq·z + √(Fstar2/2)(z² − 1)`` and
   ``Var ε = tau2`` (so the linear part has energy ``F1sq`` and the rest ``Fstar2`` for ``x ~ N(0, I_d)``).
2. One full-batch gradient step on ``W`` from ``n₀ = round(psi_step·d)`` samples,
   ``L = (1/2n₀)Σ(yᵢ − aᵀσ(W₀ᵀxᵢ)/√N)²``, ``W₁ = W₀ − η√N∇_W L = W₀ + (η/n₀)Xᵀ[(y − f) ⊙ σ'(XW₀)] diag(a)``
   (the exact gradient: every Hermite component of ``σ'`` and the network's own output included).
3. Ridge on ``n = round(ψ₂d)`` fresh samples with features ``Z = σ(XW₁)``:
   ``â = (ZᵀZ + ρ)⁻¹Zᵀy``, ``ρ = nNλ/d`` (rf's scaling), through one thin SVD; the label noise of this step
   is integrated analytically as in :mod:`validation.simulators.random_features`.
4. ``risk = (1/n_test)‖f⋆(X_tβ) − Z_tâ‖²`` (noise excluded) on ``n_test`` fresh test points.

Quantities per replicate: ``risk`` (step 3 with ``W₁``), ``rf_risk`` (the same draws with ``W₀``: no step),
``improvement = rf_risk − risk`` (paired, so its SE is small) and ``alignment`` = ``|⟨û, β⟩|``, ``û`` the top
left singular vector of ``W₁ − W₀`` (the learned spike).

Reproducibility: replicate ``r`` uses ``SeedSequence(seed).spawn(reps)[r]`` and draws, in this order,
``W₀``, ``a``, ``β``, the step data and its noise, the ridge data, the test inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from asymptotics._validate import check_int
from asymptotics.errors import ParameterError
from asymptotics.models.onestep import OneStepParams

from ..compare import MCEstimate
from ._sampling import check_memory, check_quantities, replicate_rngs
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("risk", "rf_risk", "improvement", "alignment")
DEFAULT_N_TEST = 2000
CURVE_AXES = ("eta", "lam", "psi1", "psi2", "psi_step", "F1sq", "Fstar2", "tau2")


def sizes(params: OneStepParams, d: int) -> tuple[int, int, int]:
    """``(N, n, n₀) = (round(ψ₁d), round(ψ₂d), round(ψ₀d))``, each checked ``≥ 1``."""
    out = []
    for name in ("psi1", "psi2", "psi_step"):
        psi = getattr(params, name)
        if psi > 10**6:
            raise ParameterError(f"`{name}` must be at most 1e6 for a simulation; got {float(psi):g}.")
        m = round(psi * d)
        if m < 1:
            raise ParameterError(f"`d` = {d} gives round({name} * d) = 0 at {name} = {float(psi):g}; increase `d`.")
        out.append(int(m))
    return out[0], out[1], out[2]


def check_request(
    params: OneStepParams,
    *,
    d: int,
    reps: int,
    n_test: int = DEFAULT_N_TEST,
    quantities: Sequence[str] = QUANTITIES,
    max_memory: Any = None,
) -> None:
    """Refuse a request whose memory (a few ``max(n, n₀, n_test) × N`` float64 arrays) exceeds the limit."""
    dd = check_int("d", d, low=2)
    rr = check_int("reps", reps, low=2)
    N, n, n0 = sizes(params, dd)
    rows = max(n, n0, n_test)
    check_memory(
        "the onestep simulation", 8 * (6 * rows * N + 4 * rows * dd + 3 * dd * N), max_memory=max_memory, d=dd, N=N, reps=rr
    )


def _target(params: OneStepParams) -> tuple[float, float]:
    return math.sqrt(float(params.F1sq)), math.sqrt(float(params.Fstar2) / 2)


def _ridge_risk(z: np.ndarray, f: np.ndarray, z_test: np.ndarray, f_test: np.ndarray, rho: float, tau2: float) -> float:
    """Test error (noise integrated) of ``â = (ZᵀZ + ρ)⁻¹Zᵀ(f + ε)``:
    ``‖f_t − Z_tâ_f‖²/n_t + τ²Σ_j(s_j/(s_j²+ρ))²‖Z_tV_j‖²/n_t``."""
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    g = s / (s * s + rho)
    w = z_test @ vt.T
    pred = w @ (g * (u.T @ f))
    nt = len(f_test)
    return float(np.sum((f_test - pred) ** 2) / nt + tau2 * np.sum(g * g * np.sum(w * w, axis=0)) / nt)


def replicate(params: OneStepParams, rng: np.random.Generator, d: int, n_test: int) -> dict[str, float]:
    """One replicate of the four quantities (see the module docstring for the draw order)."""
    N, n, n0 = sizes(params, d)
    act = params.activation
    sig, dsig = act.np, act.derivative().np
    c1, c2 = _target(params)
    tau = math.sqrt(float(params.tau2))
    eta, lam = float(params.eta), float(params.lam)

    def fstar(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
        t = x @ beta
        return c1 * t + c2 * (t * t - 1)

    w0 = rng.standard_normal((d, N))
    w0 /= np.linalg.norm(w0, axis=0)
    a = rng.standard_normal(N) / math.sqrt(N)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    x0 = rng.standard_normal((n0, d))
    y0 = fstar(x0, beta) + tau * rng.standard_normal(n0)
    pre = x0 @ w0
    with np.errstate(all="ignore"):
        out0 = np.asarray(sig(pre), dtype=float) @ a / math.sqrt(N)
        grad = x0.T @ ((y0 - out0)[:, None] * np.broadcast_to(np.asarray(dsig(pre), dtype=float), pre.shape) * a[None, :])
    w1 = w0 + (eta / n0) * grad
    x = rng.standard_normal((n, d))
    x_test = rng.standard_normal((n_test, d))
    f, f_test = fstar(x, beta), fstar(x_test, beta)
    rho = n * N * lam / d
    tau2 = float(params.tau2)
    vals = {}
    for key, w in (("risk", w1), ("rf_risk", w0)):
        with np.errstate(all="ignore"):
            z = np.broadcast_to(np.asarray(sig(x @ w), dtype=float), (n, N))
            z_test = np.broadcast_to(np.asarray(sig(x_test @ w), dtype=float), (n_test, N))
        if not (np.all(np.isfinite(z)) and np.all(np.isfinite(z_test))):
            raise ParameterError(f"`activation` {act.name!r} returned NaN or inf on the pre-activations.")
        vals[key] = _ridge_risk(z, f, z_test, f_test, rho, tau2)
    vals["improvement"] = vals["rf_risk"] - vals["risk"]
    if eta > 0 and np.any(grad):
        top = np.linalg.svd(w1 - w0, full_matrices=False)[0][:, 0]
        vals["alignment"] = float(abs(top @ beta))
    else:
        vals["alignment"] = float("nan")
    return vals


def simulate(
    params: OneStepParams,
    *,
    d: int,
    reps: int,
    seed: int = 0,
    n_test: int = DEFAULT_N_TEST,
    quantities: Sequence[str] = QUANTITIES,
    progress: bool = False,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    """Monte Carlo estimates of the one-step quantities at input dimension ``d``.

    Parameters
    ----------
    params : OneStepParams
        The theory's parameters (``psi1``, ``psi2``, ``psi_step`` finite; ``eta``, ``lam``...).
    d : int
        Input dimension (``≥ 2``); ``N = round(ψ₁d)``, ``n = round(ψ₂d)``, ``n₀ = round(ψ₀d)``.
    reps : int
        Independent replicates (``≥ 2``), each with fresh weights, data and target direction.
    seed : int
        Root seed (``≥ 0``).
    n_test : int
        Test points per replicate.
    quantities : sequence of str
        Subset of :data:`QUANTITIES`.
    progress : bool
        tqdm bar over replicates.
    max_memory : float, optional
        Memory limit in GiB (default from the environment, else 2).

    Returns
    -------
    dict[str, MCEstimate]
        ``n`` = ridge samples, ``p`` = features ``N``.
    """
    if not isinstance(params, OneStepParams):
        raise ParameterError(f"`params` must be a OneStepParams; got {type(params).__name__}.")
    dd = check_int("d", d, low=2)
    rr = check_int("reps", reps, low=2)
    sd = check_int("seed", seed, low=0)
    nt = check_int("n_test", n_test, low=1)
    wanted = check_quantities(quantities, QUANTITIES)
    check_request(params, d=dd, reps=rr, n_test=nt, quantities=wanted, max_memory=max_memory)
    N, n, n0 = sizes(params, dd)
    rows: dict[str, list[float]] = {q: [] for q in wanted}
    for rng in replicate_rngs(sd, rr, progress=progress, desc="onestep replicates"):
        vals = replicate(params, rng, dd, nt)
        for q in wanted:
            rows[q].append(vals[q])
    shown = {**params.shown(), "d": str(dd), "N": str(N), "n0": str(n0), "n_test": str(nt)}
    return {q: MCEstimate(q, np.asarray(rows[q]), n, N, sd, shown) for q in wanted}


# ----------------------------------------------------------------------------- simulator registry
def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    out = {**params, "psi1": f"{est.p}/{size}", "psi2": f"{est.n}/{size}"}
    if "n0" in est.params:
        out["psi_step"] = f"{est.params['n0']}/{size}"
    return out


def _registry_points(sizes_: Sequence[int]) -> Any:
    """``psi1, psi2, psi_step`` ∈ [0.5, 2], ``lam`` ∈ [0.05, 1], ``eta`` ∈ [0, 3], relu/tanh/erf,
    ``F1sq`` ∈ [0.5, 1.5], ``Fstar2, tau2`` ∈ [0, 0.5]."""
    from hypothesis import strategies as st

    from ..points import rounded, text

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        return {
            "psi1": text(draw_(rounded(0.5, 2))),
            "psi2": text(draw_(rounded(0.5, 2))),
            "psi_step": text(draw_(rounded(0.5, 2))),
            "lam": text(draw_(rounded(0.05, 1))),
            "eta": text(draw_(rounded(0, 3))),
            "activation": draw_(st.sampled_from(("relu", "tanh", "erf"))),
            "F1sq": text(draw_(rounded(0.5, 1.5))),
            "Fstar2": text(draw_(rounded(0, 0.5))),
            "tau2": text(draw_(rounded(0, 0.5))),
        }

    return draw()


register_simulator(
    SimulatorSpec.from_module(
        __name__,
        model="onestep",
        size_param="d",
        sizes=(100, 200, 400),
        make=OneStepParams,
        needed=("psi1", "psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "eta"),
        realize=_registry_realize,
        points=_registry_points,
    )
)
