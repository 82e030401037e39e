r"""Monte Carlo simulator of kernel ridge regression with a given spectrum (model ``learning_curve``).

Construction (docs/models/learning_curve.md, 'Simulation')
-----------------------------------------------------------
The spectrum's ``P = Σ_i d_i`` features are Gaussian, ``z ~ N(0, diag η)`` (mode ``i`` repeated ``d_i``
times), so ``φ_j = z_j/√η_j`` are orthonormal eigenfunctions of the kernel ``K(x, x') = ⟨z, z'⟩`` with
eigenvalues ``η_j``.  The target is ``f = Σ_j v_j φ_j`` with ``v_j = √(b_i/d_i)`` on the coordinates of
mode ``i`` (total power ``b_i`` in that eigenspace), labels ``y = f(x) + ε``, ``Var ε = σ²``.  With ``Z``
the ``n × P`` sample matrix, KRR ``f̂(x) = k(x)ᵀ(K + δI)⁻¹y`` (``K = ZZᵀ``) is ``f̂ = Σ_j v̂_j φ_j`` with
``v̂ = diag(√η) Zᵀ(ZZᵀ + δI)⁻¹y`` (``δ = 0``: the minimum-norm least-squares solution).  Exactly, with
no test sample:

* ``test_error = ‖v − v̂‖² + σ²`` (the test MSE over a fresh ``x`` and fresh noise);
* ``train_error = ‖y − f̂(X)‖²/n``;
* ``mode_error`` (``mode = k``) ``= ‖v^{(k)} − v̂[y^{(k)}]‖²``: the test error of KRR on the labels
  ``y^{(k)} = f_k(X)`` of mode ``k``'s component alone (no noise), the contribution of the target's power in
  that eigenspace to ``test_error`` (theory: ``E_0(1 − L_k)²b_k``; the error *measured in* eigenspace ``k``
  is another split, ``(1 − L_k)²b_k + (d_kL_k²/n)E_test``);
* ``learnability`` (``mode = k``, ``b_k > 0``) ``= Σ_{j ∈ mode k} v_j v̂_j / b_k`` (the fraction of the
  mode learned, ``E[v̂_j]/v_j`` in eigenlearning).

The theory is the ``n, d_i → ∞`` (proportional) limit: at a finite ``n`` the replicate mean differs
from it by ``O(1/n)``; the tests scale ``n`` and every ``d_i`` together and check that the gap shrinks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from asymptotics.errors import ParameterError
from asymptotics.models.learning_curve import LCParams

from ..compare import MCEstimate
from ._sampling import check_memory, check_run, footprint, replicate_rngs
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("test_error", "train_error", "mode_error", "learnability")
CURVE_AXES = ("n", "lam", "sigma2")
MAX_FEATURES = 4000
"""Largest ``P = Σ d_i`` simulated (the design is ``n × P``)."""


def population(params: LCParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(η_j, v_j, mode index of j)`` for the ``P`` features (modes: ``v_j = √(b_i/d_i)``; a finite power law)."""
    spec = params.spectrum
    if spec._power is not None:
        P, a, bb, c = spec._power
        if P == float("inf") or P > MAX_FEATURES:
            raise ParameterError(f"the learning_curve simulator needs a finite spectrum with P <= {MAX_FEATURES} features.")
        k = np.arange(1, int(P) + 1, dtype=float)
        b = k ** -float(bb)
        return float(c) * k ** -float(a), np.sqrt(b / b.sum()), np.arange(int(P))
    P = sum(spec.deg)
    if P > MAX_FEATURES:
        raise ParameterError(f"the learning_curve simulator needs P = sum of degeneracies <= {MAX_FEATURES}; got {P}.")
    idx = np.repeat(np.arange(len(spec.deg)), spec.deg)
    eta = np.array([float(spec.eta[i]) for i in idx])
    v = np.array([np.sqrt(float(spec.power[i]) / spec.deg[i]) for i in idx])
    return eta, v, idx


def _size(params: LCParams) -> int:
    n = params.n
    if n.denominator != 1:
        raise ParameterError(f"the simulator needs an integer `n` (samples); got {float(n):g}.")
    return int(n)


def check_request(params: LCParams, *, reps: int, quantities: Sequence[str] = QUANTITIES, max_memory: Any = None) -> None:
    """Refuse a run whose design (``n × P``, plus the ``P × P`` Gram matrix) exceeds the memory limit."""
    nn = _size(params)
    check_run(nn, reps, 0)
    eta, _, _ = population(params)
    P = eta.size
    check_memory("the learning_curve simulation", footprint(3 * nn * P + 3 * P * P + 4 * nn), max_memory=max_memory, n=nn, P=P)


def replicate(
    rng: np.random.Generator, eta: np.ndarray, v: np.ndarray, n: int, lam: float, sigma2: float, sel: np.ndarray | None = None
) -> tuple[np.ndarray, float, np.ndarray | None]:
    """One draw: ``(v̂, training MSE, v̂ from mode sel's labels alone or None)``."""
    Z = rng.standard_normal((n, eta.size)) * np.sqrt(eta)
    phi = Z / np.sqrt(eta)
    y = phi @ v + (rng.normal(0.0, np.sqrt(sigma2), n) if sigma2 > 0 else 0.0)
    rhs = y[:, None] if sel is None else np.stack([y, phi[:, sel] @ v[sel]], axis=1)
    if lam > 0:
        w = np.linalg.solve(Z.T @ Z + lam * np.eye(eta.size), Z.T @ rhs)
    else:
        w = np.linalg.lstsq(Z, rhs, rcond=None)[0]  # the minimum-norm interpolator / least squares
    resid = y - Z @ w[:, 0]
    vh = np.sqrt(eta)[:, None] * w
    return vh[:, 0], float(resid @ resid) / n, None if sel is None else vh[:, 1]


def simulate(
    params: LCParams,
    *,
    reps: int,
    seed: int = 0,
    quantities: Sequence[str] | None = None,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    """Monte Carlo estimates of the learning-curve quantities at ``params`` (``n`` integer, finite spectrum).

    Returns one :class:`~validation.compare.MCEstimate` per quantity (``mode_error`` and ``learnability``
    need ``params.mode``; ``quantities=None``: all that the parameters allow).

    Examples
    --------
    >>> from asymptotics.models.learning_curve import LCParams
    >>> est = simulate(LCParams(n=20, lam=0, sigma2="0.5", spectrum="modes:1/5/1"), reps=4)
    >>> sorted(est)
    ['test_error', 'train_error']
    >>> bool((est["train_error"].samples > 0).all())  # least squares in 5 of 20 directions
    True
    """
    if not isinstance(params, LCParams):
        raise ParameterError(f"`params` must be an LCParams; got {type(params).__name__}.")
    if quantities is None:
        quantities = QUANTITIES if params.mode is not None else ("test_error", "train_error")
    wanted = tuple(quantities)
    bad = [q for q in wanted if q not in QUANTITIES]
    if bad or not wanted:
        raise ParameterError(f"`quantities` must be a non-empty subset of {', '.join(QUANTITIES)}; got {list(wanted)!r}.")
    if params.mode is None and any(q in ("mode_error", "learnability") for q in wanted):
        raise ParameterError("`mode` is required for the simulated mode_error and learnability (an integer >= 1).")
    nn = _size(params)
    _, rr, sd = check_run(nn, reps, seed)
    check_request(params, reps=rr, quantities=wanted, max_memory=max_memory)
    eta, v, idx = population(params)
    lam, sigma2 = float(params.lam), float(params.sigma2)
    sel = idx == (params.mode - 1) if params.mode is not None else None
    if "learnability" in wanted and sel is not None and not np.any(v[sel] ** 2 > 0):
        raise ParameterError("`mode` has zero target power: its learnability cannot be simulated.")
    rows: dict[str, list[float]] = {q: [] for q in wanted}
    with _small_blas():
        for rng in replicate_rngs(sd, rr, desc="learning_curve replicates"):
            _one(rows, wanted, rng, eta, v, nn, lam, sigma2, sel)
    shown = params.shown()
    return {q: MCEstimate(q, np.asarray(rows[q]), nn, int(eta.size), sd, shown) for q in wanted}


def _small_blas() -> Any:
    """One BLAS thread: the matrices are small (P ≤ 4000), and several threads on a loaded machine cost
    100x (measured: 16 s against 0.14 s for 100 replicates of 50 x 110).  No-op without threadpoolctl."""
    import contextlib

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _one(
    rows: dict[str, list[float]],
    wanted: tuple[str, ...],
    rng: np.random.Generator,
    eta: np.ndarray,
    v: np.ndarray,
    nn: int,
    lam: float,
    sigma2: float,
    sel: np.ndarray | None,
) -> None:
    """One replicate's values appended to ``rows``."""
    vh, train, vk = replicate(rng, eta, v, nn, lam, sigma2, sel)
    err = (v - vh) ** 2
    values = {"test_error": float(err.sum()) + sigma2, "train_error": train}
    if sel is not None and vk is not None:
        target = np.where(sel, v, 0.0)
        values["mode_error"] = float(((target - vk) ** 2).sum())
        values["learnability"] = float(v[sel] @ vh[sel] / (v[sel] @ v[sel])) if np.any(v[sel] != 0) else np.nan
    for q in wanted:
        rows[q].append(values[q])


# ----------------------------------------------------------------------------- simulator registry
def curve(
    quantity: str,
    axis: str,
    values: np.ndarray,
    params: dict[str, str],
    *,
    reps: int,
    seed: int = 0,
    n: int | None = None,
    progress: bool = False,
    max_memory: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo mean and SE of ``quantity`` along ``axis`` (``n``, ``lam`` or ``sigma2``; the ``--mc`` overlay).

    One simulation per point, all with the same ``seed``; along ``n`` the values are rounded to integers.
    ``n`` (keyword) sets the samples when the axis is not ``n`` (default: ``params["n"]``).
    """
    if axis not in CURVE_AXES:
        raise ParameterError(f"Monte Carlo for learning_curve runs along {', '.join(CURVE_AXES)}; got axis {axis!r}.")
    grid = np.atleast_1d(np.asarray(values, dtype=float))
    mean, se = np.full(grid.shape, np.nan), np.full(grid.shape, np.nan)
    for i, v in enumerate(grid):
        point = dict(params)
        point[axis] = str(round(v)) if axis == "n" else repr(float(v))
        if axis != "n" and n is not None:
            point["n"] = str(n)
        est = simulate(LCParams(**point), reps=reps, seed=seed, quantities=(quantity,), max_memory=max_memory)[quantity]
        mean[i] = est.samples.mean()
        se[i] = est.samples.std(ddof=1) / np.sqrt(est.reps) if est.reps > 1 else np.nan
    return mean, se


def _registry_points(sizes: Sequence[int]) -> Any:
    """Two modes ``modes:1/d1/b1,eta2/d2/b2`` with ``d1`` ∈ [5, 40], ``d2`` ∈ [50, 200], ``eta2`` ∈ [0.02, 0.5],
    ``b1`` ∈ [0.5, 1.5], ``b2`` ∈ [0, 1]; ``lam`` ∈ [0.01, 1]; ``sigma2`` ∈ [0, 0.5]; ``n`` = the size."""
    from hypothesis import strategies as st

    from ..points import rounded, text

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        d1 = draw_(st.integers(5, 40))
        d2 = draw_(st.integers(50, 200))
        spec = (
            f"modes:1/{d1}/{text(draw_(rounded(0.5, 1.5)))},{text(draw_(rounded(0.02, 0.5)))}/{d2}/{text(draw_(rounded(0, 1)))}"
        )
        return {"spectrum": spec, "lam": text(draw_(rounded(0.01, 1))), "sigma2": text(draw_(rounded(0, 0.5)))}

    return draw()


register_simulator(
    SimulatorSpec.from_module(
        __name__,
        model="learning_curve",
        size_param="n",
        sizes=(50, 100, 200),
        make=LCParams,
        size_in_theory=True,
        quantities=("test_error", "train_error"),
        curve_quantities=("test_error", "train_error"),
        points=_registry_points,
        curve=curve,
    )
)
