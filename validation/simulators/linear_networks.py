r"""Deep linear networks in simulation (mirror of :mod:`asymptotics.models.linear_networks`).

Everything here trains the *factors* ``W_1, …, W_N`` by plain full-batch gradient descent
(``t = η · steps``) and compares the product with the theory:

* :func:`end_to_end_deviation` — layer GD from a balanced start against the end-to-end flow
  (integrated with ``scipy.integrate.solve_ivp`` through
  :func:`asymptotics.models.linear_networks.end_to_end_rate`): the deviation over a fixed
  horizon and the balancedness drift both shrink like ``η`` (docs/models/lnn.md, 'Derivation').
* :func:`aligned_modes` — whitened regression ``½‖W − Φ‖_F²`` from a balanced start aligned with
  ``Φ``: singular values against the closed form (:func:`~asymptotics.models.linear_networks.mode_trajectory`).
* :func:`implicit_acceleration` — ``ℓ_p`` regression (``p = 2, 4``) with hidden layers of width 1
  (Arora, Cohen, Hazan, arXiv 1802.06509), learning rate chosen per depth from a grid (the
  best final loss without divergence): depth accelerates ``ℓ_4`` by orders of magnitude on every
  seed tried; for ``ℓ_2`` its effect is small and inconsistent in sign across seeds.
* :func:`matrix_completion`, :func:`matrix_sensing` — deep matrix factorization (Arora, Cohen,
  Hu, Luo, arXiv 1905.13655) from a small balanced init ``α^{1/N} I`` per layer or a
  Gaussian init: reconstruction error, nuclear norm, effective rank, singular-value trajectories;
  :func:`min_nuclear_completion` is the minimum-nuclear-norm baseline (ADMM, exact constraints).

Synthetic stand-ins (the notes' UCI data are not available offline) and small sizes are used
throughout; :func:`figures` draws the three figures of the lecture notes at small scale.

Fractional powers of PSD matrices are never formed from ``eigh`` without thresholding: the
end-to-end rate uses the SVD form (``0⁰ = 1``, exact zero padding), and
:func:`~asymptotics.models.linear_networks.psd_power` thresholds round-off eigenvalues.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
from scipy.integrate import solve_ivp
from tqdm import tqdm

from asymptotics._validate import check_int
from asymptotics.errors import ParameterError
from asymptotics.models import linear_networks as theory

from ._sampling import check_memory, footprint

Grad = Callable[[np.ndarray], np.ndarray]


# ----------------------------------------------------------------------------- memory
RECORD_OVERHEAD = 112
"""Bytes of Python bookkeeping per recorded item (a list slot and a small array or float object)."""


def factorization_memory(n: int, m: int, depth: int, *, records: int = 0, top: int = 0, sensing: bool = False) -> int:
    """Estimated peak memory (bytes) of :func:`matrix_completion` / :func:`matrix_sensing` on ``n × n``.

    The ``m`` measurement matrices (``m n²``; sensing also copies them once, for the SVD that
    sets the step), then the ``depth`` layers, the partial products and gradients of every
    layer and a few ``n × n`` temporaries (``(4·depth + 8) n²``), and ``records`` recorded
    singular-value vectors of length ``top``.
    """
    return footprint((2 if sensing else 1) * m * n * n + (4 * depth + 8) * n * n, records * (8 * top + RECORD_OVERHEAD))


def _check_factorization(
    what: str, n: int, m: int, depth: int, max_steps: int, record_every: int, top: int, *, sensing: bool, max_memory: Any
) -> None:
    records = max_steps // record_every + 2 if record_every else 0
    nbytes = factorization_memory(n, m, depth, records=records, top=min(top, n), sensing=sensing)
    check_memory(what, nbytes, max_memory=max_memory, n=n, m=m, depth=depth, records=records)


# ----------------------------------------------------------------------------- layers
def product(layers: Sequence[np.ndarray]) -> np.ndarray:
    """``W_{N:1} = W_N ⋯ W_1`` (layers listed from ``W_1``)."""
    out = layers[0]
    for w in layers[1:]:
        out = w @ out
    return out


def layer_gradients(layers: Sequence[np.ndarray], grad: np.ndarray) -> list[np.ndarray]:
    """``∂φ/∂W_j = W_{N:j+1}ᵀ ∇ℓ(W) W_{j−1:1}ᵀ`` for every layer."""
    n = len(layers)
    left = [np.eye(layers[0].shape[1])]  # W_{j-1:1}
    for w in layers[:-1]:
        left.append(w @ left[-1])
    right = [np.eye(layers[-1].shape[0])]  # W_{N:j+1}, built from the top
    for w in reversed(layers[1:]):
        right.append(right[-1] @ w)
    right = right[::-1]
    return [right[j].T @ grad @ left[j].T for j in range(n)]


def unbalancedness(layers: Sequence[np.ndarray]) -> float:
    """``max_j ‖W_{j+1}ᵀW_{j+1} − W_jW_jᵀ‖_F`` (0 for a balanced network, and for ``N = 1``)."""
    return max((float(np.linalg.norm(b.T @ b - a @ a.T)) for a, b in zip(layers[:-1], layers[1:], strict=True)), default=0.0)


def balanced_layers(
    W0: np.ndarray, depth: int, widths: Sequence[int] | None = None, rng: np.random.Generator | None = None
) -> list[np.ndarray]:
    """Exactly balanced factors of ``W0`` (Arora, Cohen, Golowich, Hu, arXiv 1810.02281, Procedure 1).

    ``W0 = UΣVᵀ`` (thin SVD, ``k = min`` of its shape); ``W_1 = Q_1Σ^{1/N}Vᵀ``,
    ``W_j = Q_jΣ^{1/N}Q_{j−1}ᵀ``, ``W_N = UΣ^{1/N}Q_{N−1}ᵀ`` with ``Q_j`` (``d_j × k``) having
    orthonormal columns (random when ``rng`` is given, else the first ``k`` coordinates).
    Hidden widths default to ``k`` and must be ``≥ k``.
    """
    W0 = np.asarray(W0, dtype=float)
    n = check_int("depth", depth, low=1)
    if n == 1:
        return [W0.copy()]
    U, sv, Vt = np.linalg.svd(W0, full_matrices=False)
    k = sv.size
    ws = [k] * (n - 1) if widths is None else [check_int("width", w, low=k) for w in widths]
    if len(ws) != n - 1:
        raise ParameterError(f"`widths` must list depth - 1 = {n - 1} hidden widths; got {len(ws)}.")
    root = np.diag(sv ** (1.0 / n))
    qs = []
    for w in ws:
        if rng is None:
            q = np.eye(w, k)
        else:
            q, _ = np.linalg.qr(rng.standard_normal((w, k)))
        qs.append(q)
    layers = [qs[0] @ root @ Vt]
    for j in range(1, n - 1):
        layers.append(qs[j] @ root @ qs[j - 1].T)
    layers.append(U @ root @ qs[-1].T)
    return layers


def gradient_descent(
    layers: Sequence[np.ndarray],
    grad: Grad,
    lr: float,
    steps: int,
    *,
    record_every: int = 0,
    record: Callable[[list[np.ndarray]], Any] | None = None,
    stop: Callable[[list[np.ndarray]], bool] | None = None,
) -> tuple[list[np.ndarray], list[Any]]:
    """Full-batch GD on the factors; ``record(layers)`` every ``record_every`` steps (and at 0 and the end).

    ``stop(layers)`` is asked before each update after the first, right after ``grad`` was evaluated at
    the current product (so a ``grad`` that also records the loss lets ``stop`` reuse it); when it
    answers ``True`` the current layers are returned.
    """
    ws = [np.array(w, dtype=float) for w in layers]
    out: list[Any] = []
    if record is not None:
        out.append(record(ws))
    for k in range(1, steps + 1):
        g = grad(product(ws))
        if stop is not None and k > 1 and stop(ws):  # ws after k − 1 updates
            if record is not None and not (record_every and (k - 1) % record_every == 0):
                out.append(record(ws))
            break
        if not np.all(np.isfinite(g)):
            raise FloatingPointError(f"gradient not finite at step {k} (step size {lr} too large?)")
        for w, gj in zip(ws, layer_gradients(ws, g), strict=True):
            w -= lr * gj
        if record is not None and record_every and (k % record_every == 0 or k == steps):
            out.append(record(ws))
    return ws, out


# ----------------------------------------------------------------------------- losses
@dataclass(frozen=True)
class SensingLoss:
    r"""``ℓ(W) = (1/(p m)) Σ_i (⟨A_i, W⟩ − y_i)^p`` (``p = 2``: halved mean squares, i.e. ``½·mean``)."""

    A: np.ndarray  # (m, rows, cols)
    y: np.ndarray  # (m,)
    p: int = 2

    def residual(self, W: np.ndarray) -> np.ndarray:
        return np.tensordot(self.A, W, axes=([1, 2], [0, 1])) - self.y

    def __call__(self, W: np.ndarray) -> float:
        return float(np.mean(self.residual(W) ** self.p) / self.p)

    def value_and_grad(self, W: np.ndarray) -> tuple[float, np.ndarray]:
        """``ℓ(W)`` and ``∇ℓ(W)`` from one residual."""
        r = self.residual(W)
        return float(np.mean(r**self.p) / self.p), np.tensordot(r ** (self.p - 1), self.A, axes=(0, 0)) / r.size

    def grad(self, W: np.ndarray) -> np.ndarray:
        return self.value_and_grad(W)[1]


def effective_rank(W: np.ndarray) -> float:
    """Roy–Vetterli effective rank ``exp(−Σ p_i ln p_i)``, ``p_i = σ_i/Σσ``."""
    sv = np.linalg.svd(np.asarray(W, dtype=float), compute_uv=False)
    total = sv.sum()
    if total == 0:
        return 0.0
    p = sv[sv > 0] / total
    return float(np.exp(-np.sum(p * np.log(p))))


# ----------------------------------------------------------------------------- end-to-end check
@dataclass
class EndToEndRun:
    """Deviation of layer GD from the end-to-end flow, per step size."""

    depth: int
    lrs: np.ndarray
    deviation: np.ndarray  # max_t ‖W_GD(t) − W_flow(t)‖_F
    unbalancedness: np.ndarray  # at the horizon
    rule_deviation: np.ndarray  # max_t ‖W_GD − W_rule‖_F (discrete end-to-end update rule, same η)
    horizon: float
    params: dict[str, str] = field(default_factory=dict)

    def slope(self, what: str = "deviation") -> float:
        """Log-log slope against the step size (predicted 1)."""
        return float(np.polyfit(np.log(self.lrs), np.log(getattr(self, what)), 1)[0])


def _sensing_problem(rng: np.random.Generator, rows: int, cols: int, m: int, p: int) -> SensingLoss:
    A = rng.standard_normal((m, rows, cols))
    target = rng.standard_normal((rows, cols)) / math.sqrt(rows * cols)
    return SensingLoss(A, np.tensordot(A, target, axes=([1, 2], [0, 1])), p)


def end_to_end_deviation(
    depth: int,
    lrs: Sequence[float] = (0.04, 0.02, 0.01, 0.005),
    *,
    horizon: float = 5.0,
    shape: tuple[int, int] = (3, 4),
    p: int = 2,
    init: float = 0.3,
    seed: int = 0,
    max_memory: Any = None,
) -> EndToEndRun:
    """Layer GD from a balanced start vs the end-to-end flow over ``[0, horizon]`` (sensing loss, ``ℓ_p``).

    Each step size keeps the whole trajectory (``horizon/lr`` products of ``shape``, from GD and
    from the flow); with the ``3·rows·cols`` measurement matrices that is the estimate compared
    with ``max_memory`` (GiB; default ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2) before anything is
    allocated."""
    n = check_int("depth", depth, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    rows, cols = (check_int("shape", k, low=1) for k in shape)
    rates = np.asarray(lrs, dtype=float)
    if rates.size == 0 or not np.all(np.isfinite(rates) & (rates > 0)) or not (math.isfinite(horizon) and horizon > 0):
        raise ParameterError(f"`lrs` must be positive step sizes and `horizon` positive and finite; got {lrs!r}, {horizon!r}.")
    rc, steps = rows * cols, round(horizon / float(rates.min()))
    nbytes = footprint(2 * 3 * rc * rc + (4 * n + 8) * rc, (steps + 1) * (8 * 5 * rc + 2 * RECORD_OVERHEAD))
    check_memory("the end-to-end run", nbytes, max_memory=max_memory, rows=rows, cols=cols, steps=steps)
    loss = _sensing_problem(rng, rows, cols, 3 * rows * cols, p)
    W0 = rng.standard_normal(shape)
    W0 *= init / np.linalg.norm(W0)
    layers0 = balanced_layers(W0, n, widths=[max(shape)] * (n - 1), rng=rng)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        W = y.reshape(shape)
        return theory.end_to_end_rate(W, loss.grad(W), n).ravel()

    dev, unb, rule = [], [], []
    for lr in lrs:
        steps = round(horizon / lr)
        times = np.arange(steps + 1) * lr
        flow = solve_ivp(rhs, (0, times[-1]), W0.ravel(), t_eval=times, rtol=1e-11, atol=1e-13, method="DOP853")
        ws, prods = gradient_descent(layers0, loss.grad, lr, steps, record_every=1, record=lambda w: product(w).copy())
        gd = np.array(prods)
        dev.append(float(np.max(np.linalg.norm(gd.reshape(len(gd), -1) - flow.y.T, axis=1))))
        unb.append(unbalancedness(ws))
        W = W0.copy()
        worst = 0.0
        for k in range(steps):  # the discrete end-to-end update rule with the same step
            W = W + lr * theory.end_to_end_rate(W, loss.grad(W), n)
            worst = max(worst, float(np.linalg.norm(W - gd[k + 1])))
        rule.append(worst)
    shown = {"depth": str(n), "shape": f"{rows}x{cols}", "p": str(p), "init": str(init), "seed": str(seed)}
    return EndToEndRun(n, np.asarray(lrs, float), np.array(dev), np.array(unb), np.array(rule), horizon, shown)


# ----------------------------------------------------------------------------- aligned modes
def aligned_modes(
    depth: int,
    s: Sequence[float] = (3.0, 2.0, 1.0, 0.5),
    *,
    sigma0: float = 0.01,
    lr: float = 0.0025,
    horizon: float = 8.0,
    max_memory: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GD on balanced diagonal layers for ``½‖W − diag(s)‖_F²``: ``(times, σ_GD(t), σ_closed(t))``.

    The layers are dense ``k × k`` (``k = len(s)``): their memory is compared with ``max_memory``
    (GiB; default ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2) before anything is allocated."""
    n = check_int("depth", depth, low=1)
    sv = np.asarray(s, float)
    check_memory("the aligned-modes run", footprint((4 * n + 8) * sv.size**2), max_memory=max_memory, k=sv.size, depth=n)
    layers0 = [np.diag(np.full(sv.size, sigma0 ** (1.0 / n))) for _ in range(n)]
    target = np.diag(sv)
    steps = round(horizon / lr)
    every = max(1, steps // 60)
    _, rec = gradient_descent(
        layers0, lambda W: W - target, lr, steps, record_every=every, record=lambda w: np.diag(product(w)).copy()
    )
    times = np.array([0.0, *[min(k * every, steps) * lr for k in range(1, len(rec))]])
    with mpmath.workdps(20):
        closed = np.array(
            [
                [float(theory.mode_trajectory(mpmath.mpf(t), mpmath.mpf(sigma0) / si, mpmath.mpf(si), n)) for si in sv]
                for t in times
            ]
        )
    return times, np.array(rec), closed


# ----------------------------------------------------------------------------- implicit acceleration
@dataclass
class AccelerationRun:
    """Excess loss ``ℓ(t) − ℓ*`` of the best learning rate per depth (arrays over iterations)."""

    p: int
    depths: tuple[int, ...]
    iterations: np.ndarray
    excess: dict[int, np.ndarray]
    best_lr: dict[int, float]
    loss_star: float


def implicit_acceleration(
    p: int = 4,
    depths: Sequence[int] = (1, 2, 3),
    *,
    n: int = 200,
    d: int = 20,
    steps: int = 3000,
    lrs: Sequence[float] = tuple(2.0**-k for k in range(0, 14)),
    init: float = 0.05,
    seed: int = 0,
    progress: bool = False,
    max_memory: Any = None,
) -> AccelerationRun:
    """``ℓ_p`` regression, ``ℓ(w) = (1/(pn))Σ(xᵀw − y)^p``, by a depth-``N`` network with width-1 hidden layers.

    Synthetic data: ``x ~ N(0, diag(1, …, 1/d))`` (an ill-conditioned design), ``y = xᵀw⋆ + ε``.
    Balanced start with product of norm ``init``.  For each depth the learning rate is the one
    in ``lrs`` with the smallest final loss (diverging runs are discarded).  ``ℓ*`` is the best
    loss seen over all runs (for ``p = 2`` the least-squares optimum).  The data, the loss
    records and the curves kept per depth are estimated and compared with ``max_memory``
    (GiB; default ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2) before anything is allocated.
    """
    pp = check_int("p", p, low=2)
    if pp % 2:
        raise ParameterError(f"`p` must be even (ℓ_p with p odd is not bounded below); got {p}.")
    nn, dd, ss = check_int("n", n, low=1), check_int("d", d, low=1), check_int("steps", steps, low=1)
    nbytes = footprint(4 * nn * dd + 4 * dd, (ss + 1) * (RECORD_OVERHEAD + 8 * (3 + 2 * len(depths))))
    check_memory("the implicit-acceleration run", nbytes, max_memory=max_memory, n=nn, d=dd, steps=ss, depths=len(depths))
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    scales = 1 / np.sqrt(np.arange(1, d + 1))
    X = rng.standard_normal((n, d)) * scales
    w_star = rng.standard_normal(d)
    y = X @ w_star + 0.5 * rng.standard_normal(n)
    A = X[:, None, :]  # W is 1 × d
    loss = SensingLoss(A, y, pp)
    w0 = rng.standard_normal((1, d))
    w0 *= init / np.linalg.norm(w0)
    curves: dict[int, np.ndarray] = {}
    best: dict[int, float] = {}
    loss_star = loss(np.linalg.lstsq(X, y, rcond=None)[0][None, :]) if pp == 2 else math.inf
    for depth in tqdm(depths, desc=f"l{pp} depths", disable=None if progress else True, leave=False):
        layers0 = balanced_layers(w0, depth)
        best_final, best_curve, best_lr = math.inf, None, None
        for lr in lrs:
            try:
                with np.errstate(over="raise", invalid="raise"):
                    _, rec = gradient_descent(layers0, loss.grad, lr, steps, record_every=1, record=lambda w: loss(product(w)))
            except FloatingPointError:
                continue
            rec = np.array(rec)
            if not np.all(np.isfinite(rec)) or rec[-1] > rec[0]:
                continue
            if rec[-1] < best_final:
                best_final, best_curve, best_lr = rec[-1], rec, lr
        if best_curve is None:
            raise ParameterError(f"no learning rate in `lrs` trains depth {depth} without diverging.")
        curves[depth], best[depth] = best_curve, float(best_lr)
        loss_star = min(loss_star, float(best_curve.min()))
    excess = {k: np.maximum(v - loss_star, 0.0) for k, v in curves.items()}
    return AccelerationRun(pp, tuple(depths), np.arange(steps + 1), excess, best, loss_star)


# ----------------------------------------------------------------------------- matrix completion / sensing
@dataclass
class FactorizationRun:
    """One deep-matrix-factorization run: final metrics and (optionally) singular-value trajectories."""

    depth: int
    error: float  # ‖W − W⋆‖_F/‖W⋆‖_F
    nuclear: float
    erank: float
    train_loss: float
    steps: int
    iterations: np.ndarray = field(default_factory=lambda: np.zeros(0))
    singular_values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    converged: bool = True
    """Whether the training loss fell below ``tol`` times its initial value before ``max_steps``."""


def low_rank_target(rng: np.random.Generator, n: int, rank: int) -> np.ndarray:
    """``UVᵀ`` with Gaussian factors, rescaled to ``‖W⋆‖_F = n`` (entries of RMS 1)."""
    W = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, n))
    return W * (n / np.linalg.norm(W))


def _train_factorization(
    loss: SensingLoss,
    target: np.ndarray,
    depth: int,
    *,
    init: float,
    lr: float,
    max_steps: int,
    tol: float,
    record_every: int,
    top: int,
    identity_init: bool,
    rng: np.random.Generator,
) -> FactorizationRun:
    n = target.shape[0]
    if identity_init:
        layers0 = [np.eye(n) * init ** (1.0 / depth) for _ in range(depth)]
    else:  # i.i.d. Gaussian layers of std init^{1/N}/√n: ‖W(0)‖_F ≈ init·√n
        layers0 = [rng.standard_normal((n, n)) * init ** (1.0 / depth) / math.sqrt(n) for _ in range(depth)]
    loss0 = loss(product(layers0))
    state = {"loss": loss0, "grads": 0, "stopped": False}

    def grad(W: np.ndarray) -> np.ndarray:  # the loss at W comes with the gradient: `stop` reuses it
        state["loss"], g = loss.value_and_grad(W)
        state["grads"] += 1
        return g

    def stop(w: list[np.ndarray]) -> bool:
        state["stopped"] = state["loss"] <= tol * loss0
        return state["stopped"]

    ws, rec = gradient_descent(
        layers0,
        grad,
        lr,
        max_steps,
        record_every=record_every,
        record=(lambda w: np.linalg.svd(product(w), compute_uv=False)[:top]) if record_every else None,
        stop=stop,
    )
    W = product(ws)
    converged = loss(W) <= tol * loss0
    sv = np.linalg.svd(W, compute_uv=False)
    err = float(np.linalg.norm(W - target) / np.linalg.norm(target))
    its = np.arange(len(rec)) * record_every if record_every else np.zeros(0)
    steps = state["grads"] - int(state["stopped"])
    return FactorizationRun(depth, err, float(sv.sum()), effective_rank(W), loss(W), steps, its, np.array(rec), converged)


def completion_problem(rng: np.random.Generator, n: int, rank: int, m: int) -> tuple[SensingLoss, np.ndarray]:
    """Observe ``m`` entries of a rank-``rank`` ``n × n`` matrix, uniformly without replacement."""
    if not 1 <= m <= n * n:
        raise ParameterError(f"`m` (observed entries) must be in [1, n^2 = {n * n}]; got {m}.")
    target = low_rank_target(rng, n, rank)
    idx = rng.choice(n * n, size=m, replace=False)
    A = np.zeros((m, n, n))
    A[np.arange(m), idx // n, idx % n] = 1.0
    return SensingLoss(A, target.ravel()[idx], 2), target


def min_nuclear_completion(
    loss: SensingLoss, shape: tuple[int, int], *, tau: float = 0.2, max_iter: int = 50000, tol: float = 1e-10
) -> np.ndarray:
    """Minimum-nuclear-norm completion ``min ‖X‖_* s.t. X_Ω = W⋆_Ω`` (the Gunasekar et al. baseline of Figure 2).

    ADMM on the splitting ``X = Z``, ``Z`` in the affine set of exact fits:
    ``X ← SVT_τ(Z − U)``, ``Z ← P_C(X + U)`` (observed entries reset), ``U ← U + X − Z``, with the
    threshold ``τ = tau·‖P_Ω W⋆‖₂``; iterates until the primal and dual residuals fall below
    ``tol·‖P_Ω W⋆‖₂``.  Returns ``Z`` (an exact fit).  ADMM converges to the minimizer for any
    ``τ > 0``; an independent Douglas–Rachford solver agrees to 1e-8 in the nuclear norm.
    Completion losses only (each ``A_i`` a single entry).
    """
    mask = np.zeros(shape, bool)
    obs = np.zeros(shape)
    for a_i, y_i in zip(loss.A, loss.y, strict=True):
        idx = np.unravel_index(np.argmax(a_i), shape)
        mask[idx] = True
        obs[idx] = y_i
    scale = float(np.linalg.norm(obs, 2)) or 1.0
    thr = tau * scale
    Z, U = obs.copy(), np.zeros(shape)
    for _ in range(max_iter):
        u, sv, vt = np.linalg.svd(Z - U, full_matrices=False)
        X = (u * np.maximum(sv - thr, 0.0)) @ vt
        Zn = np.where(mask, obs, X + U)
        U += X - Zn
        primal, dual = np.linalg.norm(X - Zn), np.linalg.norm(Zn - Z)
        Z = Zn
        if primal < tol * scale and dual < tol * scale:
            break
    return Z


def matrix_completion(
    n: int = 20,
    rank: int = 2,
    m: int = 150,
    depth: int = 3,
    *,
    init: float = 1e-3,
    lr: float | None = None,
    max_steps: int = 20000,
    tol: float = 1e-7,
    seed: int = 0,
    record_every: int = 0,
    top: int = 10,
    identity_init: bool = False,
    max_memory: Any = None,
) -> FactorizationRun:
    """Deep matrix factorization for completion: GD until the training loss falls by ``tol`` (or ``max_steps``).

    Loss ``(1/(2m))Σ_Ω (W_ab − W⋆_ab)²``.  Default step ``lr = 0.5·m/(N s₁^{2−2/N})`` with
    ``s₁ = ‖W⋆‖₂`` (the preconditioner's top eigenvalue, docs/models/lnn.md).
    The estimated memory (:func:`factorization_memory`) is compared with ``max_memory`` (GiB;
    default ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2) before anything is allocated.
    """
    nn, rr, mm = check_int("n", n, low=2), check_int("rank", rank, low=1), check_int("m", m, low=1)
    dd = check_int("depth", depth, low=1)
    steps, every = check_int("max_steps", max_steps, low=0), check_int("record_every", record_every, low=0)
    if mm <= nn * nn:  # otherwise completion_problem names the range of m
        _check_factorization(
            "the matrix completion", nn, mm, dd, steps, every, check_int("top", top, low=0), sensing=False, max_memory=max_memory
        )
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    loss, target = completion_problem(rng, nn, rr, mm)
    s1 = float(np.linalg.norm(target, 2))
    step = 0.5 * mm / (dd * s1 ** (2 - 2 / dd)) if lr is None else lr
    return _train_factorization(
        loss,
        target,
        dd,
        init=init,
        lr=step,
        max_steps=max_steps,
        tol=tol,
        record_every=record_every,
        top=top,
        identity_init=identity_init,
        rng=rng,
    )


def matrix_sensing(
    n: int = 20,
    rank: int = 3,
    m: int = 300,
    depth: int = 3,
    *,
    init: float = 1e-3,
    lr: float | None = None,
    max_steps: int = 20000,
    tol: float = 1e-8,
    seed: int = 0,
    record_every: int = 50,
    top: int = 6,
    max_memory: Any = None,
) -> FactorizationRun:
    """Matrix sensing with i.i.d. ``N(0, 1)`` measurement matrices, identity init ``α^{1/N}I`` per layer.

    Loss ``(1/(2m))Σ(⟨A_i, W⟩ − y_i)²``; default step ``0.5/(N s₁^{2−2/N} L)`` with ``L`` the top
    eigenvalue of the measurement operator's Gram matrix divided by ``m``.  The estimated memory
    (:func:`factorization_memory`) is compared with ``max_memory`` (GiB; default
    ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2) before anything is allocated.
    """
    nn, rr, mm = check_int("n", n, low=2), check_int("rank", rank, low=1), check_int("m", m, low=1)
    dd = check_int("depth", depth, low=1)
    steps, every = check_int("max_steps", max_steps, low=0), check_int("record_every", record_every, low=0)
    _check_factorization(
        "the matrix sensing", nn, mm, dd, steps, every, check_int("top", top, low=0), sensing=True, max_memory=max_memory
    )
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    target = low_rank_target(rng, nn, rr)
    A = rng.standard_normal((mm, nn, nn))
    loss = SensingLoss(A, np.tensordot(A, target, axes=([1, 2], [0, 1])), 2)
    flat = A.reshape(mm, -1)
    lip = float(np.linalg.norm(flat, 2) ** 2 / mm)
    s1 = float(np.linalg.norm(target, 2))
    step = 0.5 / (dd * s1 ** (2 - 2 / dd) * lip) if lr is None else lr
    return _train_factorization(
        loss,
        target,
        dd,
        init=init,
        lr=step,
        max_steps=max_steps,
        tol=tol,
        record_every=record_every,
        top=top,
        identity_init=True,
        rng=rng,
    )


# ----------------------------------------------------------------------------- figures and tables
@dataclass
class CompletionSweep:
    """Matrix completion over observation counts, depths and seeds: arrays ``[depth][m_index, seed]``."""

    ms: np.ndarray
    depths: tuple[int, ...]
    error: dict[int, np.ndarray]
    nuclear: dict[int, np.ndarray]
    erank: dict[int, np.ndarray]
    truth_nuclear: np.ndarray  # [m_index, seed]
    params: dict[str, str] = field(default_factory=dict)
    converged: dict[int, np.ndarray] = field(default_factory=dict)  # [m_index, seed] booleans
    min_nuclear: tuple[np.ndarray, ...] = ()  # (error, nuclear norm, effective rank) of the baseline, [m_index, seed]


def completion_sweep(
    ms: Sequence[int] = (80, 120, 160, 240),
    depths: Sequence[int] = (1, 2, 3),
    seeds: Sequence[int] = (0, 1, 2),
    *,
    n: int = 20,
    rank: int = 2,
    init: float = 1e-3,
    max_steps: int = 20000,
    progress: bool = False,
    max_memory: Any = None,
) -> CompletionSweep:
    """Figure 2 at small scale: reconstruction error, nuclear norm and effective rank vs ``m`` and depth.

    Every ``(m, depth)`` run's memory is checked (``max_memory``, see :func:`matrix_completion`)
    before the first one starts."""
    mm = np.asarray(ms, int)
    nn, steps = check_int("n", n, low=2), check_int("max_steps", max_steps, low=0)
    for m_, d_ in ((int(m_), check_int("depth", d_, low=1)) for m_ in mm for d_ in depths):
        if 1 <= m_ <= nn * nn:  # other counts are refused by matrix_completion with their range
            _check_factorization("the matrix completion", nn, m_, d_, steps, 0, 0, sensing=False, max_memory=max_memory)
    shape = (mm.size, len(seeds))
    err = {d: np.zeros(shape) for d in depths}
    nuc = {d: np.zeros(shape) for d in depths}
    er = {d: np.zeros(shape) for d in depths}
    truth = np.zeros(shape)
    conv = {d: np.zeros(shape, bool) for d in depths}
    base_err, base_nuc, base_er = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    jobs = [(i, k, d) for i in range(mm.size) for k in range(len(seeds)) for d in depths]
    for i, k, d in tqdm(jobs, desc="matrix completion", disable=None if progress else True, leave=False):
        r = matrix_completion(n, rank, int(mm[i]), d, init=init, max_steps=max_steps, seed=int(seeds[k]), max_memory=max_memory)
        err[d][i, k], nuc[d][i, k], er[d][i, k], conv[d][i, k] = r.error, r.nuclear, r.erank, r.converged
        if d == depths[0]:
            loss, target = completion_problem(np.random.default_rng(int(seeds[k])), n, rank, int(mm[i]))
            truth[i, k] = float(np.linalg.svd(target, compute_uv=False).sum())
            X = min_nuclear_completion(loss, target.shape)
            base_err[i, k] = float(np.linalg.norm(X - target) / np.linalg.norm(target))
            base_nuc[i, k] = float(np.linalg.svd(X, compute_uv=False).sum())
            base_er[i, k] = effective_rank(X)
    shown = {"n": str(n), "rank": str(rank), "init": str(init), "max_steps": str(max_steps), "seeds": ",".join(map(str, seeds))}
    return CompletionSweep(mm, tuple(depths), err, nuc, er, truth, shown, conv, (base_err, base_nuc, base_er))


def _plt(path: str | None) -> Any:
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_acceleration(runs: Sequence[AccelerationRun], path: str | None = None) -> Any:
    """Figure 1 (left): excess training loss vs iteration, ``ℓ_2`` and ``ℓ_4``, depth 1, 2, 3."""
    plt = _plt(path)
    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 3.8), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        for depth in run.depths:
            e = run.excess[depth]
            ax.semilogy(run.iterations, np.maximum(e, 1e-17), label=f"depth {depth} (lr {run.best_lr[depth]:g})")
        ax.set_title(f"l{run.p} regression")
        ax.set_xlabel("iteration")
        ax.set_ylabel("training loss - optimum")
        ax.legend(fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def plot_completion(sweep: CompletionSweep, path: str | None = None) -> Any:
    """Figure 2: reconstruction error, nuclear norm and effective rank vs ``m`` (mean ± SE over seeds)."""
    plt = _plt(path)
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for d in sweep.depths:
        for ax, data in zip(axes, (sweep.error, sweep.nuclear, sweep.erank), strict=True):
            v = data[d]
            se = v.std(axis=1, ddof=1) / math.sqrt(v.shape[1]) if v.shape[1] > 1 else np.zeros(v.shape[0])
            ax.errorbar(sweep.ms, v.mean(axis=1), se, marker="o", capsize=3, label=f"depth {d}")
    if sweep.min_nuclear:
        for ax, v in zip(axes, sweep.min_nuclear, strict=True):
            ax.plot(sweep.ms, v.mean(axis=1), "k--", marker="x", label="min nuclear norm")
    axes[1].plot(sweep.ms, sweep.truth_nuclear.mean(axis=1), "k:", label="ground truth")
    for ax, title in zip(axes, ("reconstruction error", "nuclear norm", "effective rank"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("observed entries m")
        ax.legend(fontsize=8)
    axes[0].set_yscale("log")
    fig.suptitle(f"deep matrix factorization, {sweep.params.get('n')}x{sweep.params.get('n')}, rank {sweep.params.get('rank')}")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def plot_sensing(runs: Sequence[FactorizationRun], path: str | None = None) -> Any:
    """Figure 3: top singular values along GD for depth 1, 2, 3 (matrix sensing); titles give the final error."""
    plt = _plt(path)
    fig, axes = plt.subplots(1, len(runs), figsize=(4.5 * len(runs), 3.6), squeeze=False, sharey=True)
    for ax, r in zip(axes[0], runs, strict=True):
        ax.plot(r.iterations + 1, r.singular_values)
        ax.set_xscale("log")
        ax.set_title(f"depth {r.depth}: error {r.error:.2e}")
        ax.set_xlabel("iteration + 1")
    axes[0][0].set_ylabel("singular values of W")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def figures(out_dir: str, *, quick: bool = False, progress: bool = True) -> dict[str, Any]:
    """Run the three experiments, write ``figure1_acceleration.png``, ``figure2_completion.png``,
    ``figure3_sensing.png`` and ``table.json`` / ``table.md`` under ``out_dir``; return the table."""
    import json
    import os

    os.makedirs(out_dir, exist_ok=True)
    steps = 800 if quick else 3000
    acc = [implicit_acceleration(p, steps=steps, progress=progress) for p in (2, 4)]
    plot_acceleration(acc, os.path.join(out_dir, "figure1_acceleration.png"))
    sweep = completion_sweep(
        ms=(80, 160) if quick else (60, 80, 100, 120, 160, 200, 240),
        seeds=(0, 1) if quick else (0, 1, 2, 3),
        max_steps=8000 if quick else 20000,
        progress=progress,
    )
    plot_completion(sweep, os.path.join(out_dir, "figure2_completion.png"))
    sens = [
        matrix_sensing(depth=d, max_steps=3000 if quick else 20000, record_every=20 if quick else 50)
        for d in tqdm((1, 2, 3), desc="matrix sensing", disable=None if progress else True, leave=False)
    ]
    plot_sensing(sens, os.path.join(out_dir, "figure3_sensing.png"))

    def first_below(e: np.ndarray, frac: float) -> int | None:
        hit = np.nonzero(e <= frac * e[0])[0]
        return int(hit[0]) if hit.size else None

    table: dict[str, Any] = {
        "acceleration": [
            {
                "p": r.p,
                "depth": d,
                "lr": r.best_lr[d],
                "iterations_to_1e-6": first_below(r.excess[d], 1e-6),
                "excess_at_end": float(r.excess[d][-1]),
            }
            for r in acc
            for d in r.depths
        ],
        "completion": [
            {
                "m": int(m),
                "depth": d,
                "error": float(sweep.error[d][i].mean()),
                "nuclear": float(sweep.nuclear[d][i].mean()),
                "erank": float(sweep.erank[d][i].mean()),
                "converged_runs": int(sweep.converged[d][i].sum()),
                "runs": int(sweep.converged[d][i].size),
            }
            for i, m in enumerate(sweep.ms)
            for d in sweep.depths
        ]
        + [
            {
                "m": int(m),
                "depth": "min_nuclear",
                "error": float(sweep.min_nuclear[0][i].mean()),
                "nuclear": float(sweep.min_nuclear[1][i].mean()),
                "erank": float(sweep.min_nuclear[2][i].mean()),
                "converged_runs": int(sweep.min_nuclear[0][i].size),
                "runs": int(sweep.min_nuclear[0][i].size),
            }
            for i, m in enumerate(sweep.ms)
        ],
        "sensing": [
            {
                "depth": r.depth,
                "error": r.error,
                "erank": r.erank,
                "top_singular_values": [float(v) for v in r.singular_values[-1]],
            }
            for r in sens
        ],
        "params": {"completion": sweep.params, "quick": quick},
    }
    with open(os.path.join(out_dir, "table.json"), "w", encoding="utf-8") as fh:
        json.dump(table, fh, indent=1)
    lines = ["| p | depth | lr | iterations to 1e-6 of the initial excess | excess at the end |", "|---|---|---|---|---|"]
    lines += [
        f"| {r['p']} | {r['depth']} | {r['lr']:g} | {r['iterations_to_1e-6']} | {r['excess_at_end']:.2e} |"
        for r in table["acceleration"]
    ]
    lines += ["", "| m | depth | rel. error | nuclear norm | effective rank | runs converged |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {r['m']} | {r['depth']} | {r['error']:.3g} | {r['nuclear']:.4g} | {r['erank']:.3g} "
        f"| {r['converged_runs']}/{r['runs']} |"
        for r in table["completion"]
    ]
    lines += ["", "| depth | rel. error | effective rank | final top singular values |", "|---|---|---|---|"]
    lines += [
        f"| {r['depth']} | {r['error']:.3g} | {r['erank']:.3g} | {', '.join(f'{v:.3g}' for v in r['top_singular_values'])} |"
        for r in table["sensing"]
    ]
    with open(os.path.join(out_dir, "table.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return table


__all__ = [
    "AccelerationRun",
    "CompletionSweep",
    "EndToEndRun",
    "FactorizationRun",
    "SensingLoss",
    "aligned_modes",
    "balanced_layers",
    "completion_problem",
    "completion_sweep",
    "figures",
    "effective_rank",
    "end_to_end_deviation",
    "gradient_descent",
    "implicit_acceleration",
    "layer_gradients",
    "low_rank_target",
    "matrix_completion",
    "matrix_sensing",
    "min_nuclear_completion",
    "plot_acceleration",
    "plot_completion",
    "plot_sensing",
    "product",
    "unbalancedness",
]
