r"""Deep linear networks in simulation: ACGH19's convergence guarantee and the local acceleration criterion.

Mirror of :mod:`asymptotics.models._lnn_guarantee`.

* :func:`margin_start` — a target ``Φ`` of prescribed singular values and an approximately balanced
  start with deficiency margin ``c``: ``W(0) = Φ + Δ`` with ``‖Δ‖_F = σ_min(Φ) − c``, factored by
  :func:`~validation.simulators.linear_networks.balanced_layers` (random orthonormal hidden frames),
  then every layer perturbed until the measured balancedness is a chosen fraction of ACGH19's
  ``δ``; the margin used by the bound is re-measured on the perturbed product.
* :func:`guarantee_runs` — full-batch gradient descent on the layers for ``ℓ = ½‖W − Φ‖_F²``, many
  seeds at once (the layers of all runs stacked, the same update as
  :func:`~validation.simulators.linear_networks.gradient_descent`), step ``η = step_factor·η_max``,
  for the guaranteed number of iterations ``⌈T(ε)⌉``: the largest ``ℓ(t)/(ℓ(0)(1 − ηc^{2(N−1)/N})^t)``
  over all iterations, ``ℓ(T)`` against ``ε``, and the iterations actually needed.
* :func:`largest_step` — the largest step on a doubling grid above ``η_max`` that still reaches ``ε``
  on every run, and the iterations it needs (how loose the step-size condition is).
* :func:`necessity_example` — a balanced start without margin (``Φ = −1``, scalar layers
  ``w_1 = ⋯ = w_N = a > 0``, even ``N``): the product stays ``≥ 0``, the loss never goes below ½,
  for every step size (the ``1 × 1`` instance of ACGH19's necessity claim for the margin).
* :func:`acceleration_runs` — ``ℓ₂`` regression with hidden layers of width 1 near a known minimizer:
  the measured asymptotic contraction of the tuned depth-``N`` and depth-1 runs against the local
  criterion (:func:`asymptotics.models._lnn_guarantee.local_criterion`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from asymptotics._validate import check_int
from asymptotics.errors import ParameterError
from asymptotics.models import _lnn_guarantee as theory

from .linear_networks import balanced_layers, unbalancedness


# ----------------------------------------------------------------------------- batched layer GD
def _batched_product(layers: Sequence[np.ndarray]) -> np.ndarray:
    out = layers[0]
    for w in layers[1:]:
        out = w @ out
    return out


def _losses(G: np.ndarray) -> np.ndarray:
    return 0.5 * np.einsum("rij,rij->r", G, G)


# ----------------------------------------------------------------------------- starts with a margin
@dataclass
class MarginStart:
    """One approximately balanced start: layers, target, measured margin and balancedness."""

    layers: list[np.ndarray]
    phi: np.ndarray
    margin: float
    delta: float
    loss0: float


def _random_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def margin_start(
    rng: np.random.Generator,
    phi_sv: Sequence[float],
    shape: tuple[int, int],
    depth: int,
    margin: float,
    *,
    width: int | None = None,
    delta_frac: float = 0.5,
) -> MarginStart:
    """A target with singular values ``phi_sv`` (shape ``d_N × d_0``) and a start of margin ``≈ margin``.

    The layers are exactly balanced factors of ``W(0)`` plus Gaussian noise scaled until the measured
    ``max_j ‖W_{j+1}ᵀW_{j+1} − W_jW_jᵀ‖_F`` is at most ``delta_frac·δ`` (ACGH19's tolerance for the
    *measured* margin).  ``margin`` is then the measured ``σ_min(Φ) − ‖W(0) − Φ‖_F`` (> 0).
    """
    n = check_int("depth", depth, low=1)
    dout, din = shape
    k = min(dout, din)
    sv = np.asarray(phi_sv, dtype=float)
    if sv.size != k or np.any(sv <= 0):
        raise ParameterError(f"`phi_sv` must list min(shape) = {k} positive singular values (Φ full rank).")
    smin = float(sv.min())
    if not 0 < margin < smin:
        raise ParameterError(f"`margin` must lie in (0, σ_min(Φ) = {smin}); got {margin}.")
    phi = _random_orthogonal(rng, dout)[:, :k] @ np.diag(sv) @ _random_orthogonal(rng, din)[:, :k].T
    dev = rng.standard_normal((dout, din))
    W0 = phi + dev * ((smin - margin) / np.linalg.norm(dev))
    widths = None if n == 1 else [max(k, width or k)] * (n - 1)
    layers = balanced_layers(W0, n, widths, rng)
    phi_norm = float(np.linalg.norm(phi))
    if n > 1:
        target = delta_frac * float(theory.delta_bound(n, margin, phi_norm, _FloatB))
        noise = [rng.standard_normal(w.shape) for w in layers]
        scale = target
        for _ in range(60):
            trial = [w + scale * z for w, z in zip(layers, noise, strict=True)]
            if unbalancedness(trial) <= target:
                break
            scale /= 2
        layers = trial
    W = layers[0]
    for w in layers[1:]:
        W = w @ W
    c = smin - float(np.linalg.norm(W - phi))
    if c <= 0:
        raise ParameterError("the perturbed start lost its margin; lower `delta_frac` or raise `margin`.")
    return MarginStart(layers, phi, c, unbalancedness(layers), 0.5 * float(np.linalg.norm(W - phi) ** 2))


class _Float:
    """A float64 backend for the closed forms (the scalar subset :mod:`asymptotics.backend` offers)."""

    name = "float"

    @staticmethod
    def num(x: float) -> float:
        return float(x)

    @staticmethod
    def log(x: float) -> float:
        return math.log(x)


_FloatB = _Float()


# ----------------------------------------------------------------------------- the guarantee against GD
@dataclass
class GuaranteeRuns:
    """Runs of one configuration (arrays over runs); ``ratio`` is the largest ``ℓ(t)/bound(t)``."""

    depth: int
    shape: tuple[int, int]
    margin: np.ndarray
    delta: np.ndarray
    delta_max: np.ndarray
    step: np.ndarray
    guaranteed: np.ndarray  # ⌈T(ε)⌉ per run
    needed: np.ndarray  # first t with ℓ(t) ≤ ε
    final: np.ndarray  # ℓ(⌈T⌉)
    eps: np.ndarray
    ratio: np.ndarray

    @property
    def looseness(self) -> np.ndarray:
        """Iterations needed over iterations guaranteed."""
        return self.needed / self.guaranteed


def _run_batch(layers: list[np.ndarray], phi: np.ndarray, lr: np.ndarray, steps: int, rate: np.ndarray | None, eps: np.ndarray):
    """GD for ``steps`` iterations; per run: loss at the end, first hit of ``eps``, max ratio to the bound."""
    R = phi.shape[0]
    lr_b = np.asarray(lr, dtype=float)[:, None, None]
    needed = np.full(R, -1, dtype=np.int64)
    ratio = np.ones(R)
    loss0 = None
    log_q = None if rate is None else np.log1p(-rate)
    for t in range(steps + 1):  # the loss at t is measured before the t-th update
        W = _batched_product(layers)
        G = W - phi
        loss = _losses(G)
        if not np.all(np.isfinite(loss)):
            bad = ~np.isfinite(loss)
            loss[bad] = np.inf
        if loss0 is None:
            loss0 = loss.copy()
        hit = (needed < 0) & (loss <= eps)
        needed[hit] = t
        if log_q is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                ratio = np.maximum(ratio, loss / (loss0 * np.exp(t * log_q)))
        if t == steps:
            return loss, needed, ratio
        with np.errstate(over="ignore", invalid="ignore"):
            _update(layers, G, lr_b)
    raise AssertionError("unreachable")


def _update(layers: list[np.ndarray], G: np.ndarray, lr_b: np.ndarray) -> None:
    n = len(layers)
    left: list[np.ndarray | None] = [None] * n
    acc = None
    for j in range(n):
        left[j] = acc
        acc = layers[j] if acc is None else layers[j] @ acc
    right: list[np.ndarray | None] = [None] * n
    acc = None
    for j in range(n - 1, -1, -1):
        right[j] = acc
        acc = layers[j] if acc is None else acc @ layers[j]
    grads = []
    for j in range(n):
        g = G if right[j] is None else np.swapaxes(right[j], 1, 2) @ G
        if left[j] is not None:
            g = g @ np.swapaxes(left[j], 1, 2)
        grads.append(g)
    for w, g in zip(layers, grads, strict=True):
        w -= lr_b * g


def _stack(starts: Sequence[MarginStart]) -> tuple[list[np.ndarray], np.ndarray]:
    layers = [np.stack([s.layers[j] for s in starts]) for j in range(len(starts[0].layers))]
    return layers, np.stack([s.phi for s in starts])


def guarantee_runs(
    depth: int,
    shape: tuple[int, int] = (1, 1),
    phi_sv: Sequence[float] = (1.0,),
    margin: float = 0.9,
    *,
    width: int = 2,
    eps_ratio: float = 0.5,
    step_factor: float = 1.0,
    seeds: Sequence[int] = tuple(range(8)),
    delta_frac: float = 0.5,
    max_steps: int = 400_000,
) -> GuaranteeRuns:
    """GD from margin-``c`` starts with ``η = step_factor·η_max(c)`` for ``⌈T(ε)⌉`` iterations, ``ε = eps_ratio·ℓ(0)``.

    With ``step_factor ≤ 1`` the hypotheses of ACGH19's Theorem 1 hold (measured margin and
    balancedness), so ``ratio ≤ 1`` and ``final ≤ eps`` on every run are the theorem's claims.
    """
    n = check_int("depth", depth, low=1)
    starts = [margin_start(np.random.default_rng(s), phi_sv, shape, n, margin, width=width, delta_frac=delta_frac) for s in seeds]
    phi_norm = np.array([float(np.linalg.norm(s.phi)) for s in starts])
    cs = np.array([s.margin for s in starts])
    eta_max = np.array([float(theory.step_bound(n, c, p, _FloatB)) for c, p in zip(cs, phi_norm, strict=True)])
    dmax = np.array([float(theory.delta_bound(n, c, p, _FloatB)) for c, p in zip(cs, phi_norm, strict=True)])
    lr = step_factor * eta_max
    rate = lr * cs ** float(theory.rate_exponent(n))
    loss0 = np.array([s.loss0 for s in starts])
    eps = eps_ratio * loss0
    T = np.ceil(np.log(loss0 / eps) / rate).astype(np.int64)
    steps = int(T.max())
    if steps > max_steps:
        raise ParameterError(f"the guaranteed T = {steps} iterations exceeds `max_steps` = {max_steps}; raise margin/eps_ratio.")
    layers, phi = _stack(starts)
    # run each run to its own T: run to max T while recording the loss at each run's T
    final = np.empty(len(starts))
    R = len(starts)
    needed = np.full(R, -1, dtype=np.int64)
    ratio = np.ones(R)
    log_q = np.log1p(-rate)
    lr_b = lr[:, None, None]
    for t in range(steps + 1):
        G = _batched_product(layers) - phi
        loss = _losses(G)
        hit = (needed < 0) & (loss <= eps)
        needed[hit] = t
        ratio = np.maximum(ratio, loss / (loss0 * np.exp(t * log_q)))
        at_T = T == t
        final[at_T] = loss[at_T]
        if t < steps:
            _update(layers, G, lr_b)
    return GuaranteeRuns(n, shape, cs, np.array([s.delta for s in starts]), dmax, lr, T, needed, final, eps, ratio)


def largest_step(
    depth: int,
    shape: tuple[int, int] = (1, 1),
    phi_sv: Sequence[float] = (1.0,),
    margin: float = 0.9,
    *,
    width: int = 2,
    eps_ratio: float = 0.5,
    seeds: Sequence[int] = tuple(range(8)),
    budget: int = 2000,
    max_doublings: int = 40,
) -> tuple[float, int]:
    """The largest ``f = 2^k`` such that ``η = f·η_max`` reaches ``ε`` on every run within ``budget`` iterations.

    Returns ``(f, iterations needed at that step, max over runs)``.
    """
    n = check_int("depth", depth, low=1)
    starts = [margin_start(np.random.default_rng(s), phi_sv, shape, n, margin, width=width) for s in seeds]
    phi_norm = np.array([float(np.linalg.norm(s.phi)) for s in starts])
    cs = np.array([s.margin for s in starts])
    eta_max = np.array([float(theory.step_bound(n, c, p, _FloatB)) for c, p in zip(cs, phi_norm, strict=True)])
    eps = eps_ratio * np.array([s.loss0 for s in starts])
    best: tuple[float, int] = (0.0, -1)
    for k in range(max_doublings + 1):
        f = 2.0**k
        layers, phi = _stack(starts)
        with np.errstate(all="ignore"):
            _, needed, _ = _run_batch(layers, phi, f * eta_max, budget, None, eps)
        if np.all(needed >= 0):
            best = (f, int(needed.max()))
        elif best[1] >= 0:
            break
    return best


# ----------------------------------------------------------------------------- necessity of the margin
def necessity_example(
    depth: int = 2, a: float = 0.5, lrs: Sequence[float] = tuple(2.0**-k for k in range(1, 12)), steps: int = 5000
) -> dict[float, float]:
    """Scalar layers ``w_j = a > 0``, target ``Φ = −1``: the final loss for each step size (``inf`` if it diverged).

    For even ``N`` the balanced scalar layers keep ``|w_1| = ⋯ = |w_N|`` and equal signs (the update is
    symmetric), so ``W = w^N ≥ 0`` and ``ℓ = ½(W + 1)² ≥ ½`` at every iteration, whatever the step.
    """
    n = check_int("depth", depth, low=1)
    out = {}
    for lr in lrs:
        layers = [np.full((1, 1, 1), float(a)) for _ in range(n)]
        phi = np.full((1, 1, 1), -1.0)
        with np.errstate(all="ignore"):
            loss, _, _ = _run_batch(layers, phi, np.array([lr]), steps, None, np.array([0.0]))
        out[float(lr)] = float(loss[0]) if np.isfinite(loss[0]) else math.inf
    return out


# ----------------------------------------------------------------------------- local acceleration criterion
@dataclass
class AccelerationCheck:
    """Measured and predicted per-iteration error contraction near the minimizer, depth 1 and depth N."""

    criterion: theory.AccelerationCriterion
    measured_1: float
    measured_n: float
    iterations_1: int
    iterations_n: int


def _regression_problem(H: np.ndarray, w_star: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Design ``X`` with ``XᵀX/m = H`` exactly (``m = d``) and noiseless labels ``y = Xw⋆``."""
    L = np.linalg.cholesky(H)
    X = L.T * math.sqrt(H.shape[0])  # XᵀX/m = L Lᵀ = H
    return X, X @ w_star


def acceleration_runs(
    H: np.ndarray,
    w_star: np.ndarray,
    depth: int,
    *,
    rng: np.random.Generator,
    start_dev: float = 1e-3,
    tol: float = 1e-8,
    max_steps: int = 20_000,
) -> AccelerationCheck:
    """Depth 1 and depth ``N`` (hidden widths 1) near ``w⋆`` with their tuned steps; measured contraction.

    ``ℓ(w) = (1/2m)‖Xw − y‖²`` with ``XᵀX/m = H``; the start is a balanced factorization of
    ``w⋆ + start_dev·‖w⋆‖·g`` (``g`` a random unit vector).  The step of each depth is the criterion's
    optimal step ``2/(μ_max + μ_min)`` for its linearization, times ``0.99``; the measured contraction
    is the geometric mean ratio of ``‖w − w⋆‖`` over the run until it falls below ``tol·‖w⋆‖``.
    """
    n = check_int("depth", depth, low=1)
    H = np.asarray(H, dtype=float)
    w_star = np.asarray(w_star, dtype=float)
    crit = theory.local_criterion(H, w_star, n)
    X, y = _regression_problem(H, w_star)
    m = X.shape[0]
    g = rng.standard_normal(w_star.size)
    w0 = (w_star + start_dev * np.linalg.norm(w_star) * g / np.linalg.norm(g))[None, :]

    def run(depth_: int, step: float) -> tuple[float, int]:
        layers = [w[None] for w in balanced_layers(w0, depth_, [1] * (depth_ - 1) if depth_ > 1 else None)]
        e0 = float(np.linalg.norm(w0[0] - w_star))
        for t in range(1, max_steps + 1):
            W = _batched_product(layers)[0, 0]
            r = X @ W - y
            grad = (r @ X / m)[None, None, :]
            _update(layers, grad, np.array([[[step]]]))
            e = float(np.linalg.norm(_batched_product(layers)[0, 0] - w_star))
            if not math.isfinite(e):
                return math.inf, t
            if e <= tol * np.linalg.norm(w_star):
                return (e / e0) ** (1 / t), t
        return (e / e0) ** (1 / max_steps), max_steps

    m1, t1 = run(1, 0.99 * crit.step_1)
    mn, tn = run(n, 0.99 * crit.step_n) if n > 1 else (m1, t1)
    return AccelerationCheck(crit, m1, mn, t1, tn)


def best_lr_iterations(
    H: np.ndarray,
    w_star: np.ndarray,
    depth: int,
    *,
    rng: np.random.Generator,
    lrs: Sequence[float] = tuple(2.0 ** (k / 8) for k in range(-64, 17)),
    start_dev: float = 1e-3,
    tol: float = 1e-8,
    max_steps: int = 3000,
) -> tuple[int, float]:
    """Fewest iterations to ``‖w − w⋆‖ ≤ tol·‖w⋆‖`` over a learning-rate grid (no theory in the grid).

    Same problem and start as :func:`acceleration_runs`; all ``lrs`` run at once (stacked).  Returns
    ``(iterations, best lr)``; ``max_steps + 1`` when no rate of the grid gets there.
    """
    n = check_int("depth", depth, low=1)
    H = np.asarray(H, dtype=float)
    w_star = np.asarray(w_star, dtype=float)
    X, y = _regression_problem(H, w_star)
    m = X.shape[0]
    g = rng.standard_normal(w_star.size)
    w0 = (w_star + start_dev * np.linalg.norm(w_star) * g / np.linalg.norm(g))[None, :]
    base = balanced_layers(w0, n, [1] * (n - 1) if n > 1 else None)
    R = len(lrs)
    layers = [np.repeat(w[None], R, axis=0) for w in base]
    lr_b = np.asarray(lrs, dtype=float)[:, None, None]
    done = np.full(R, max_steps + 1)
    target = tol * float(np.linalg.norm(w_star))
    with np.errstate(all="ignore"):
        for t in range(1, max_steps + 1):
            W = _batched_product(layers)  # (R, 1, d)
            r = W[:, 0, :] @ X.T - y  # (R, m)
            grad = (r @ X / m)[:, None, :]
            _update(layers, grad, lr_b)
            err = np.linalg.norm(_batched_product(layers)[:, 0, :] - w_star, axis=1)
            hit = err <= target
            if hit.any():  # the first rate of the grid to get there is the best one
                done[hit] = t
                break
            bad = ~np.isfinite(err)
            if bad.any():
                for w in layers:
                    w[bad] = 0.0  # parked: the product stays 0, never within tol of w⋆ ≠ 0
    i = int(np.argmin(done))
    return int(done[i]), float(lrs[i])


def experiment_criterion(p: int, depth: int, *, n: int = 200, d: int = 20, seed: int = 0) -> theory.AccelerationCriterion:
    """The local criterion at the minimizer of :func:`~validation.simulators.linear_networks.implicit_acceleration`'s data.

    The data are drawn exactly as there (same generator calls); the ``ℓ_p`` minimizer (``p`` even) by
    Newton's method from the least-squares fit, ``H = ((p−1)/n)·Σ r_i^{p−2} x_i x_iᵀ`` at it.
    """
    pp = check_int("p", p, low=2)
    if pp % 2:
        raise ParameterError(f"`p` must be even; got {p}.")
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    X = rng.standard_normal((n, d)) * (1 / np.sqrt(np.arange(1, d + 1)))
    w_true = rng.standard_normal(d)
    y = X @ w_true + 0.5 * rng.standard_normal(n)
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    for _ in range(100 if pp > 2 else 0):
        r = X @ w - y
        step = np.linalg.solve((pp - 1) * (X.T * r ** (pp - 2)) @ X / n, X.T @ r ** (pp - 1) / n)
        w -= step
        if np.linalg.norm(step) <= 1e-14 * np.linalg.norm(w):
            break
    r = X @ w - y
    H = (pp - 1) * (X.T * r ** (pp - 2)) @ X / n
    return theory.local_criterion(H, w, depth)
