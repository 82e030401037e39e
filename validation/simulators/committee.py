r"""Online SGD in a soft committee machine at finite ``d`` (mirror of :mod:`asymptotics.models.committee`).

Teachers ``v_n = √d e_n`` (so ``T = I`` exactly); the student starts at ``w_i = r0 v_i + √(q0 − r0²) √d e_{M+i}``
for ``i ≤ M`` (``R(0) = r0 I``, ``Q(0) = q0 I`` exactly; rows ``i > M`` have ``R_in(0) = 0``).  Each step draws a
fresh ``x ~ N(0, I_d)`` and label ``y = Σ_n g(ν_n) + √noise ξ`` and updates
``w_i ← w_i + (lr/√d) g'(λ_i)(y − f) x``; ``t = steps/d``.  Replicates (independent data streams) are
vectorized.  Needs ``d ≥ K + M``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from scipy.special import erf

from asymptotics.errors import ParameterError


def _act(name: str) -> tuple[Any, Any]:
    if name == "linear":
        return (lambda u: u), (lambda u: np.ones_like(u))
    if name == "erf":
        c = math.sqrt(2 / math.pi)
        return (lambda u: erf(u / math.sqrt(2))), (lambda u: c * np.exp(-u * u / 2))
    raise ParameterError(f"`activation` = {name!r} is not supported; valid: erf, linear.")


def sgd_overlaps(
    K: int,
    M: int,
    d: int,
    times: Any,
    *,
    activation: str = "erf",
    lr: float = 0.5,
    noise: float = 0.0,
    r0: float = 1e-3,
    q0: float = 0.25,
    reps: int = 8,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Run one-pass SGD and record ``R`` (reps, T, K, M), ``Q`` (reps, T, K, K) and ``eg`` (reps, T) at ``times``.

    ``eg`` is the exact population error of the finite-``d`` student at that time: ``½ Σ s_c s_e I₂(c, e)``
    from its overlaps (the same formula as the theory, evaluated on the realized ``R``, ``Q``), not a
    test-set estimate, so its only randomness is the SGD trajectory's.
    """
    if d < K + M:
        raise ParameterError(f"`d` = {d} must be at least K + M = {K + M}.")
    if r0 * r0 > q0:
        raise ParameterError("`r0`² must not exceed `q0`.")
    g, dg = _act(activation)
    times = np.asarray(times, dtype=float)
    steps_at = np.round(times * d).astype(int)
    rng = np.random.default_rng(seed)
    W = np.zeros((reps, K, d))
    for i in range(K):
        if i < M:
            W[:, i, i] = r0 * math.sqrt(d)
        W[:, i, M + i] = math.sqrt(q0 - (r0 * r0 if i < M else 0.0)) * math.sqrt(d)
    out_R = np.zeros((reps, times.size, K, M))
    out_Q = np.zeros((reps, times.size, K, K))
    order = np.argsort(steps_at)
    sd = math.sqrt(d)
    step = 0
    for idx in order:
        target = steps_at[idx]
        while step < target:
            x = rng.standard_normal((reps, d))
            lam = np.einsum("rkd,rd->rk", W, x) / sd
            nu = x[:, :M]
            y = g(nu).sum(axis=1)
            if noise:
                y = y + math.sqrt(noise) * rng.standard_normal(reps)
            err = y - g(lam).sum(axis=1)
            W += (lr / sd) * (dg(lam) * err[:, None])[:, :, None] * x[:, None, :]
            step += 1
        out_R[:, idx] = W[:, :, :M] / sd
        out_Q[:, idx] = np.einsum("rkd,rld->rkl", W, W) / d
    return {"R": out_R, "Q": out_Q, "eg": _eg(out_R, out_Q, K, M, activation)}


def _eg(R: np.ndarray, Q: np.ndarray, K: int, M: int, activation: str) -> np.ndarray:
    """``½ E(f − y_clean)²`` from the overlaps (arcsine formula for erf; ``T = I``)."""
    if activation == "linear":
        return 0.5 * (Q.sum(axis=(-2, -1)) - 2 * R.sum(axis=(-2, -1)) + M)
    dq = np.diagonal(Q, axis1=-2, axis2=-1)
    ss = (2 / np.pi) * np.arcsin(Q / np.sqrt((1 + dq[..., :, None]) * (1 + dq[..., None, :])))
    st = (2 / np.pi) * np.arcsin(R / np.sqrt((1 + dq[..., :, None]) * 2))
    tt = M * (2 / np.pi) * np.arcsin(0.5)
    return 0.5 * (ss.sum(axis=(-2, -1)) - 2 * st.sum(axis=(-2, -1)) + tt)


def _specialization(R: np.ndarray, M: int) -> np.ndarray:
    return (R.max(axis=-1).mean(axis=-1) - R.mean(axis=(-2, -1))) * M / (M - 1)


def simulate(params: dict[str, Any], size: int, reps: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Declaration-style adapter: one realized value per replicate of ``eg``, ``R``, ``Q``, ``specialization`` at ``t``."""
    K, M = int(params["K"]), int(params["M"])
    t = float(params["t"])
    sim = sgd_overlaps(
        K,
        M,
        int(size),
        [t],
        activation=str(params.get("activation", "erf")),
        lr=float(params.get("lr", 0.5)),
        noise=float(params.get("noise", 0.0)),
        r0=float(params.get("r0", 1e-3)),
        q0=float(params.get("q0", 0.25)),
        reps=reps,
        seed=int(rng.integers(2**31)),
    )
    R, Q = sim["R"][:, 0], sim["Q"][:, 0]
    m = min(K, M)
    out = {
        "eg": sim["eg"][:, 0],
        "R": np.mean([R[:, a, a] for a in range(m)], axis=0),
        "Q": np.mean([Q[:, a, a] for a in range(K)], axis=0),
    }
    if M >= 2:
        out["specialization"] = _specialization(R, M)
    return out


def _registry_points(sizes: Any) -> Any:
    """Campaign points: ``K`` ∈ {1, 2}, ``M = 2``, ``activation`` ∈ {erf, linear}, ``lr`` ∈ [0.2, 1], ``noise`` ∈ {0, 0.1},
    ``r0`` ∈ {0.001, 0.3}, ``q0 = 0.25``, ``t`` ∈ [0.5, 3] (short horizons: the certified theory stays fast)."""
    from hypothesis import strategies as st

    from ..points import rounded, text

    return st.fixed_dictionaries(
        {
            "K": st.sampled_from(["1", "2"]),
            "M": st.just("2"),
            "activation": st.sampled_from(["erf", "linear"]),
            "lr": rounded(0.2, 1).map(text),
            "noise": st.sampled_from(["0", "0.1"]),
            "r0": st.sampled_from(["0.001", "0.3"]),
            "q0": st.just("0.25"),
            "t": rounded(0.5, 3).map(text),
        }
    )


def _register() -> None:
    from asymptotics.models import get_model
    from asymptotics.models._registry import SimulatorDecl

    from .registry import from_declaration, register_simulator

    model = get_model("committee")
    decl = SimulatorDecl(
        simulate, size_param="d", sizes=(100, 200, 400), quantities=("eg", "R", "Q", "specialization"), curve_axes=("t",)
    )
    spec = from_declaration(dataclasses.replace(model, simulator=decl))
    register_simulator(dataclasses.replace(spec, points=_registry_points))


try:
    _register()
except ParameterError:  # the model is not installed (no entry point yet)
    pass
