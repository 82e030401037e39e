r"""Implicit regularization beyond norms, in simulation (mirror of :mod:`asymptotics.models._lnn_implicit`).

* :func:`norms_counterexample` — the 2×2 completion problem of Razin & Cohen (2020, arXiv
  2005.06398): observed ``W₁₂ = W₂₁ = 1``, ``W₂₂ = 0``; a depth-``N`` factorization from a small
  *balanced* start with a chosen sign of ``det W(0)``, trained by full-batch gradient descent,
  several seeds at once (the 2×2 products are batched).  At every recorded iteration it returns the
  loss, ``W₁₁``, ``det W``, the Frobenius, nuclear, spectral and Schatten-½ (quasi-)norms, the
  effective rank and the theory's bound ``B(ℓ)`` (:func:`asymptotics.models._lnn_implicit.norm_bound`).
  From ``det W(0) > 0`` every norm grows like ``ℓ^{−1/2}`` while the loss falls and the effective rank
  tends to 1; from ``det W(0) < 0`` the run settles on a finite-norm fit.
* :func:`cp_completion` — tensor completion by gradient descent on a CP factorization (order 3,
  or order 2 = depth-2 matrix factorization for comparison) from a small init (Razin, Maman &
  Cohen 2021, arXiv 2102.09972): component norms over iterations, reconstruction error on all
  entries and on the unobserved ones, and a tensor-rank proxy (components above a fraction of the
  largest).  :func:`aligned_cp` is the exactly solvable case: an orthogonally decomposable target,
  all entries observed and each component started on its target direction; every component norm
  then follows ``lnn``'s aligned mode with ``depth`` = the order.
* :func:`figures` draws ``lnn_norms.png`` and ``lnn_tensor.png``.

Loss normalizations: ``ℓ = ½ Σ_{observed} (W_i − y_i)²`` (a sum, not a mean) and ``t = η · steps``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from asymptotics._validate import check_int, check_real
from asymptotics.backend import NP
from asymptotics.errors import ParameterError
from asymptotics.models._lnn_implicit import norm_bound

from .linear_networks import balanced_layers

_MASK = np.array([[0.0, 1.0], [1.0, 1.0]])  # observed: W12, W21, W22
_TARGET = np.array([[0.0, 1.0], [1.0, 0.0]])


# ----------------------------------------------------------------------------- 2×2 counterexample
@dataclass
class NormsRun:
    """Records of :func:`norms_counterexample`: arrays of shape ``(seeds, records)`` unless noted."""

    depth: int
    lr: float
    init: float
    det_sign: int
    steps: np.ndarray  # (records,) iteration numbers
    loss: np.ndarray
    w11: np.ndarray
    det: np.ndarray
    frobenius: np.ndarray
    nuclear: np.ndarray
    spectral: np.ndarray
    schatten_half: np.ndarray
    erank: np.ndarray
    bound: np.ndarray  # B(loss): the theory's lower bound on |W11| and on every norm; NaN where det W <= 0 (no bound)

    def table(self, seed: int = 0) -> str:
        """Text table of one seed: measured norms against the bound at each recorded iteration."""
        cols = ("step", "loss", "det", "|W11|", "bound", "frob", "nuclear", "S_1/2")
        head = " ".join(f"{c:>{9 if c == 'step' else 10}}" for c in cols) + f" {'erank':>7}"
        rows = [head]
        for j, k in enumerate(self.steps):
            rows.append(
                f"{int(k):>9d} {self.loss[seed, j]:10.3e} {self.det[seed, j]:10.2e} {abs(self.w11[seed, j]):10.4g} "
                f"{self.bound[seed, j]:10.4g} {self.frobenius[seed, j]:10.4g} {self.nuclear[seed, j]:10.4g} "
                f"{self.schatten_half[seed, j]:10.4g} {self.erank[seed, j]:7.4f}"
            )
        return "\n".join(rows)


def _bound_array(loss: np.ndarray) -> np.ndarray:
    """``B(ℓ)`` elementwise (each float loss is exact as a Fraction; float64 evaluation of the closed form)."""
    flat = [float(norm_bound(Fraction(float(v)), NP)) if v > 0 else math.inf for v in np.ravel(loss)]
    return np.asarray(flat).reshape(np.shape(loss))


def _record_steps(steps: int, records: int) -> np.ndarray:
    grid = np.unique(np.round(np.geomspace(1, steps, records)).astype(int))
    return np.concatenate([[0], grid])


def norms_counterexample(
    depth: int = 3,
    *,
    init: float = 1e-3,
    lr: float = 5e-3,
    steps: int = 20_000,
    seeds: int = 5,
    det_sign: int = 1,
    records: int = 40,
    rng: np.random.Generator | None = None,
) -> NormsRun:
    """Gradient descent on the 2×2 problem of Razin & Cohen (2020) from a balanced start.

    Each seed draws a Gaussian ``2×2`` matrix, flips its first row if the sign of its determinant
    differs from ``det_sign``, scales it to spectral norm ``init`` and factors it into ``depth``
    exactly balanced layers (:func:`~validation.simulators.linear_networks.balanced_layers`), so
    ``W(0)`` has the requested sign of ``det``.  The loss is ``½[(W₁₂−1)² + (W₂₁−1)² + W₂₂²]``.

    Parameters
    ----------
    depth : int, ``>= 2``
        Number of layers ``N``.
    init : float, ``> 0``
        Spectral norm of the product at initialization.
    lr : float, ``> 0``
        Step size ``η``.
    steps : int, ``>= 1``
        Iterations.
    seeds : int, ``>= 1``
        Independent initializations, run together.
    det_sign : {1, -1}
        Sign of ``det W(0)``.
    records : int, ``>= 2``
        About how many log-spaced iterations to record (plus iteration 0).
    rng : numpy.random.Generator, optional
        Defaults to ``default_rng(0)``.
    """
    n = check_int("depth", depth, low=2)
    a0 = float(check_real("init", init, low=0, low_open=True))
    eta = float(check_real("lr", lr, low=0, low_open=True))
    total = check_int("steps", steps, low=1)
    ns = check_int("seeds", seeds, low=1)
    nr = check_int("records", records, low=2)
    if det_sign not in (1, -1):
        raise ParameterError(f"`det_sign` must be 1 or -1; got {det_sign!r}.")
    rng = np.random.default_rng(0) if rng is None else rng
    layers = np.empty((n, ns, 2, 2))
    for s in range(ns):
        W0 = rng.standard_normal((2, 2))
        if np.sign(np.linalg.det(W0)) != det_sign:
            W0[0] *= -1
        W0 *= a0 / np.linalg.norm(W0, 2)
        layers[:, s] = np.stack(balanced_layers(W0, n))
    marks = _record_steps(total, nr)
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("loss", "w11", "det", "sv")}
    mark = 0
    for k in range(total + 1):
        # prefix products W_{j-1:1} (left) and suffix products W_{N:j+1} (right), batched over seeds
        left = [np.broadcast_to(np.eye(2), (ns, 2, 2))]
        for j in range(n - 1):
            left.append(layers[j] @ left[-1])
        P = layers[n - 1] @ left[-1]
        R = _MASK * (P - _TARGET)
        if mark < marks.size and k == marks[mark]:
            out["loss"].append(0.5 * np.sum(R * R, axis=(1, 2)))
            out["w11"].append(P[:, 0, 0].copy())
            out["det"].append(np.linalg.det(P))
            out["sv"].append(np.linalg.svd(P, compute_uv=False))
            mark += 1
        if k == total:
            break
        right = np.broadcast_to(np.eye(2), (ns, 2, 2))
        grads = [None] * n
        for j in range(n - 1, -1, -1):
            grads[j] = np.swapaxes(right, 1, 2) @ R @ np.swapaxes(left[j], 1, 2)
            right = right @ layers[j]
        for j in range(n):
            layers[j] -= eta * grads[j]
    loss = np.stack(out["loss"], axis=1)
    sv = np.stack(out["sv"], axis=1)  # (seeds, records, 2)
    total_sv = sv.sum(axis=2)
    p = sv / np.where(total_sv > 0, total_sv, 1)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0), axis=2)
    return NormsRun(
        depth=n,
        lr=eta,
        init=a0,
        det_sign=det_sign,
        steps=marks,
        loss=loss,
        w11=np.stack(out["w11"], axis=1),
        det=np.stack(out["det"], axis=1),
        frobenius=np.sqrt(np.sum(sv * sv, axis=2)),
        nuclear=total_sv,
        spectral=sv[..., 0],
        schatten_half=np.sum(np.sqrt(sv), axis=2) ** 2,
        erank=np.exp(ent),
        bound=np.where(np.stack(out["det"], axis=1) > 0, _bound_array(loss), np.nan),
    )


# ----------------------------------------------------------------------------- CP tensor factorization
@dataclass
class CPRun:
    """Records of :func:`cp_completion` / :func:`aligned_cp`."""

    order: int
    dim: int
    components: int
    lr: float
    steps: np.ndarray  # (records,)
    norms: np.ndarray  # (records, components): ‖W_r‖ = Π_n ‖w_r^(n)‖
    loss: np.ndarray  # (records,) training loss
    error: np.ndarray  # (records,) ‖W − T‖_F / ‖T‖_F over all entries
    unobserved_error: np.ndarray  # (records,) the same over the unobserved entries only
    rank_proxy: np.ndarray  # (records,) order >= 3: components with norm above `rank_frac` × the target's largest
    # component norm; order 2: singular values of W above that level (CP components of a matrix are not unique)
    target_norms: np.ndarray  # (rank,) norms of the target's components
    grad_norm: np.ndarray  # (records,) ‖∇ℓ‖_F
    singular_values: np.ndarray | None = None  # (records, min(dim, R)) order 2 only: singular values of W


def _outer(factors: Sequence[np.ndarray]) -> np.ndarray:
    """``Σ_r w_r^(1) ⊗ ⋯ ⊗ w_r^(N)`` from factor matrices of shape ``(R, d)``."""
    letters = "abcdefgh"[: len(factors)]
    spec = ",".join(f"r{c}" for c in letters) + "->" + letters
    return np.einsum(spec, *factors)


def _factor_grads(G: np.ndarray, factors: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``∂ℓ/∂w_r^(n) = ∇ℓ(W) contracted with every factor of component r except the n-th``."""
    n = len(factors)
    letters = "abcdefgh"[:n]
    out = []
    for m in range(n):
        others = [f"r{c}" for i, c in enumerate(letters) if i != m]
        spec = letters + "," + ",".join(others) + f"->r{letters[m]}"
        out.append(np.einsum(spec, G, *[f for i, f in enumerate(factors) if i != m]))
    return out


def _component_norms(factors: Sequence[np.ndarray]) -> np.ndarray:
    return np.prod(np.stack([np.linalg.norm(f, axis=1) for f in factors]), axis=0)


def _train_cp(
    factors: list[np.ndarray],
    target: np.ndarray,
    mask: np.ndarray,
    lr: float,
    steps: int,
    marks: np.ndarray,
    target_norms: np.ndarray,
    rank_frac: float,
) -> CPRun:
    tn = float(np.linalg.norm(target))
    unobs = ~mask.astype(bool)
    tn_un = float(np.linalg.norm(target[unobs])) if unobs.any() else 1.0
    rec: dict[str, list[Any]] = {k: [] for k in ("norms", "loss", "err", "uerr", "gn", "sv")}
    mark = 0
    for k in range(steps + 1):
        W = _outer(factors)
        G = mask * (W - target)
        if mark < marks.size and k == marks[mark]:
            rec["norms"].append(_component_norms(factors))
            rec["loss"].append(0.5 * float(np.sum(G * G)))
            rec["err"].append(float(np.linalg.norm(W - target)) / tn)
            rec["uerr"].append(float(np.linalg.norm((W - target)[unobs])) / tn_un if unobs.any() else 0.0)
            rec["gn"].append(float(np.linalg.norm(G)))
            if target.ndim == 2:
                rec["sv"].append(np.linalg.svd(W, compute_uv=False)[: factors[0].shape[0]])
            mark += 1
        if k == steps:
            break
        grads = _factor_grads(G, factors)
        for f, g in zip(factors, grads, strict=True):
            f -= lr * g
    norms = np.asarray(rec["norms"])
    d = target.shape[0]
    level = rank_frac * float(np.max(target_norms))
    sv = np.asarray(rec["sv"]) if target.ndim == 2 else None
    proxy = np.sum((sv if sv is not None else norms) > level, axis=1)
    return CPRun(
        order=target.ndim,
        dim=d,
        components=norms.shape[1],
        lr=lr,
        steps=marks,
        norms=norms,
        loss=np.asarray(rec["loss"]),
        error=np.asarray(rec["err"]),
        unobserved_error=np.asarray(rec["uerr"]),
        rank_proxy=proxy,
        target_norms=target_norms,
        grad_norm=np.asarray(rec["gn"]),
        singular_values=sv,
    )


def low_rank_tensor(
    rng: np.random.Generator, order: int, dim: int, rank: int, scales: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Target ``Σ_k s_k ⊗_n a_k^(n)`` with unit Gaussian directions; returns the tensor and the ``s_k``."""
    if len(scales) != rank:
        raise ParameterError(f"`scales` must list rank = {rank} component norms; got {len(scales)}.")
    dirs = [rng.standard_normal((rank, dim)) for _ in range(order)]
    dirs = [u / np.linalg.norm(u, axis=1, keepdims=True) for u in dirs]
    s = np.asarray(scales, dtype=float)
    dirs[0] = dirs[0] * s[:, None]
    return _outer(dirs), s


def cp_completion(
    order: int = 3,
    *,
    dim: int = 8,
    rank: int = 3,
    components: int = 8,
    observed: float = 0.5,
    scales: Sequence[float] = (4.0, 3.0, 2.0),
    init: float = 1e-6,
    lr: float = 0.04,
    steps: int = 20_000,
    records: int = 80,
    rank_frac: float = 0.1,
    balanced: bool = True,
    rng: np.random.Generator | None = None,
) -> CPRun:
    """Tensor (``order >= 3``) or matrix (``order = 2``) completion by GD on a CP factorization.

    Target: rank-``rank`` tensor with unit Gaussian directions and component norms ``scales``;
    a uniformly random fraction ``observed`` of the ``dim**order`` entries is observed; the
    ``components`` factor vectors ``w_r^(n)`` start Gaussian with every factor of norm
    ``init^{1/order}`` when ``balanced`` (so each component's norm is ``init``), else i.i.d.
    ``N(0, init^{2/order}/dim)`` entries.  Loss ``½ Σ_observed (W_i − T_i)²``.

    Parameters
    ----------
    order : int, ``>= 2``
        Tensor order ``N`` (2: depth-2 matrix factorization ``W = Σ_r u_r v_rᵀ``).
    dim : int, ``>= 2``
        Size of every mode.
    rank : int, ``>= 1``
        Tensor rank of the target.
    components : int, ``>= rank``
        CP components ``R`` of the factorization.
    observed : float, ``0 < observed <= 1``
        Fraction of entries observed.
    scales : sequence of float
        Norms of the target's components (``rank`` of them).
    init, lr : float, ``> 0``
        Initial component norm and step size.
    steps, records : int
        Iterations; about how many log-spaced iterations to record.
    rank_frac : float, ``0 < rank_frac < 1``
        A component counts towards the rank proxy once its norm exceeds ``rank_frac`` times the
        target's largest component norm.
    balanced : bool
        Balanced start (equal factor norms in each component: Razin, Maman & Cohen's Theorem 1 exact).
    rng : numpy.random.Generator, optional
        Defaults to ``default_rng(0)``.
    """
    n = check_int("order", order, low=2, high=8)
    d = check_int("dim", dim, low=2)
    k = check_int("rank", rank, low=1)
    r = check_int("components", components, low=k)
    frac = float(check_real("observed", observed, low=0, high=1, low_open=True))
    a0 = float(check_real("init", init, low=0, low_open=True))
    eta = float(check_real("lr", lr, low=0, low_open=True))
    total = check_int("steps", steps, low=1)
    nr = check_int("records", records, low=2)
    rf = float(check_real("rank_frac", rank_frac, low=0, high=1, low_open=True, high_open=True))
    rng = np.random.default_rng(0) if rng is None else rng
    target, s = low_rank_tensor(rng, n, d, k, scales)
    mask = (rng.random(target.shape) < frac).astype(float)
    factors = [rng.standard_normal((r, d)) for _ in range(n)]
    if balanced:
        factors = [f / np.linalg.norm(f, axis=1, keepdims=True) * a0 ** (1.0 / n) for f in factors]
    else:
        factors = [f * a0 ** (1.0 / n) / math.sqrt(d) for f in factors]
    return _train_cp(factors, target, mask, eta, total, _record_steps(total, nr), s, rf)


def aligned_cp(
    order: int = 3,
    *,
    dim: int = 8,
    scales: Sequence[float] = (3.0, 2.0, 1.0),
    init: float = 1e-3,
    lr: float = 1e-3,
    steps: int = 4000,
    records: int = 200,
) -> CPRun:
    """Exactly solvable CP dynamics: orthogonal target ``Σ_k s_k e_k^{⊗N}``, all entries observed.

    Component ``k`` starts as ``init^{1/N} e_k`` in every mode (balanced and aligned), so
    ``∇ℓ = W − T = Σ_k (σ_k − s_k) e_k^{⊗N}`` keeps it aligned and its norm obeys
    ``σ̇_k = N σ_k^{2−2/N}(s_k − σ_k)``: ``lnn``'s aligned mode with ``depth = N`` (``trajectory``,
    ``time_to_learn``).  Records are evenly spaced in iterations.
    """
    n = check_int("order", order, low=2, high=8)
    d = check_int("dim", dim, low=len(scales))
    a0 = float(check_real("init", init, low=0, low_open=True))
    eta = float(check_real("lr", lr, low=0, low_open=True))
    total = check_int("steps", steps, low=1)
    s = np.asarray(scales, dtype=float)
    k = s.size
    eye = np.eye(d)[:k]
    target = _outer([eye * s[:, None]] + [eye] * (n - 1))
    factors = [eye * a0 ** (1.0 / n) for _ in range(n)]
    marks = np.unique(np.linspace(0, total, check_int("records", records, low=2)).astype(int))
    return _train_cp(factors, target, np.ones_like(target), eta, total, marks, s, 0.5)


# ----------------------------------------------------------------------------- figures
def _plt(path: str | None) -> Any:
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_norms(pos: NormsRun, neg: NormsRun, path: str | None = None) -> Any:
    """``lnn_norms.png``: norms and the bound against the loss (det > 0), and the det < 0 contrast."""
    plt = _plt(path)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    for s in range(pos.loss.shape[0]):
        lab = s == 0
        keep = pos.loss[s] < 0.45  # where the bound is not vacuous
        ax.loglog(pos.loss[s, keep], np.abs(pos.w11[s, keep]), "C0-", lw=1, label="|W11|" if lab else None)
        ax.loglog(pos.loss[s, keep], pos.nuclear[s, keep], "C1-", lw=1, label="nuclear" if lab else None)
        ax.loglog(pos.loss[s, keep], pos.schatten_half[s, keep], "C2-", lw=1, label="Schatten-1/2" if lab else None)
    ls = np.geomspace(np.min(pos.loss), 0.45, 100)
    ax.loglog(ls, _bound_array(ls), "k--", lw=1.5, label="bound B(loss)")
    ax.invert_xaxis()
    ax.set(xlabel="training loss (decreasing →)", ylabel="norm", title=f"det W(0) > 0, depth {pos.depth}: norms → ∞")
    ax.legend(fontsize=8)
    ax = axes[1]
    for s in range(pos.loss.shape[0]):
        ax.semilogx(np.maximum(pos.steps, 1), pos.erank[s], "C0-", lw=1, label="det W(0) > 0" if s == 0 else None)
        ax.semilogx(np.maximum(neg.steps, 1), neg.erank[s], "C3-", lw=1, label="det W(0) < 0" if s == 0 else None)
    ax.set(xlabel="iteration", ylabel="effective rank", title="effective rank")
    ax.legend(fontsize=8)
    ax = axes[2]
    for s in range(neg.loss.shape[0]):
        ax.loglog(np.maximum(pos.steps, 1), pos.frobenius[s], "C0-", lw=1, label="det W(0) > 0" if s == 0 else None)
        ax.loglog(np.maximum(neg.steps, 1), neg.frobenius[s], "C3-", lw=1, label="det W(0) < 0" if s == 0 else None)
    ax.set(xlabel="iteration", ylabel="Frobenius norm", title="finite-norm fit only when det W(0) < 0")
    ax.legend(fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


def plot_tensor(tensor: CPRun, matrix: CPRun, path: str | None = None) -> Any:
    """``lnn_tensor.png``: component norms vs iteration (order 3 against order 2), errors and rank proxies."""
    plt = _plt(path)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    panels = (
        (axes[0], tensor, f"tensor {tensor.dim}^{tensor.order}: CP component norms ({tensor.components} components)"),
        (axes[1], matrix, f"matrix {matrix.dim}×{matrix.dim} (depth 2): singular values"),
    )
    for ax, run, name in panels:
        x = np.maximum(run.steps, 1)
        ax.semilogy(x, run.norms if run.singular_values is None else run.singular_values, lw=1)
        if run is matrix:
            ax.set_xscale("log")
        for s in run.target_norms:
            ax.axhline(s, color="k", ls=":", lw=0.8)
        ax.set(xlabel="iteration", ylabel="norm", ylim=(1e-7, 2 * float(np.max(run.target_norms))), title=name)
    ax = axes[2]
    for run, c, name in ((tensor, "C0", "tensor"), (matrix, "C3", "matrix")):
        x = np.maximum(run.steps, 1)
        ax.semilogx(x, run.unobserved_error, c + "-", label=f"{name}: error on unobserved")
        ax.semilogx(x, run.rank_proxy / max(run.components, 1), c + "--", label=f"{name}: rank proxy / R")
    ax.set(xlabel="iteration", ylabel="relative error · rank proxy / R", ylim=(0, 1.3), title="reconstruction and rank")
    ax.legend(fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


def figures(out_dir: str, *, quick: bool = False) -> dict[str, Any]:
    """Draw ``lnn_norms.png`` and ``lnn_tensor.png`` into ``out_dir``; returns the runs."""
    import os

    os.makedirs(out_dir, exist_ok=True)
    steps = 5000 if quick else 40_000
    pos = norms_counterexample(3, steps=steps, seeds=5, det_sign=1)
    neg = norms_counterexample(3, steps=steps, seeds=5, det_sign=-1)
    plot_norms(pos, neg, os.path.join(out_dir, "lnn_norms.png"))
    cp_steps = 4000 if quick else 20_000
    tensor = cp_completion(3, steps=cp_steps)
    matrix = cp_completion(2, observed=0.8, steps=cp_steps)
    plot_tensor(tensor, matrix, os.path.join(out_dir, "lnn_tensor.png"))
    return {"norms_pos": pos, "norms_neg": neg, "tensor": tensor, "matrix": matrix}
