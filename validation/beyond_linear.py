r"""A trained two-layer network against the linear-method predictions on single-index targets (docs/beyond_linear.md).

Setting.  ``x ~ N(0, I_d)``, a unit vector ``w*`` drawn uniformly, target ``y = g(⟨w*, x⟩)`` with
``g = Σ_j a_j He_j/√(j!)`` (orthonormal Hermite coefficients, ``Σ a_j² = 1``: unit variance, so the
null predictor has test error 1), no label noise, ``n = α d`` training samples.  Targets
(:data:`TARGETS`): ``He_k/√(k!)`` for ``k = 1, 2, 3`` (information exponent ``k``,
:func:`asymptotics.targets.information_exponent`) and the mixed ``(He_1 + He_2/√2)/√2`` (exponent 1).

**Measured** (:func:`network_run`): a two-layer ReLU network ``f(x) = Σ_i a_i relu(⟨w_i, x⟩ + b_i)``
of width ``m`` trained layer-wise on the training set, the two-stage recipe of Damian, Lee &
Soltanolkotabi (arXiv 2201.13419) and Ba et al. (arXiv 2205.01445):

1. first layer: ``T`` steps of full-batch spherical gradient descent on the correlation loss
   ``−(1/n)Σ_j y_j f(x_j)`` (the square loss at a vanishing second layer, ``a_i → 0⁺``):
   ``w_i ← normalize(w_i + η (1/n) Σ_j y_j 1[⟨w_i, x_j⟩ + b_i > 0] x_j)``, ``w_i`` uniform on the
   sphere and ``b_i ~ N(0, 1)`` at the start (the biases stay fixed);
2. second layer: ridge regression of ``y`` on the features ``relu(⟨w_i, x⟩ + b_i)`` and a constant,
   the ridge chosen by generalized cross-validation on the training set (no test data is used).

Test error on fresh samples, mean and standard error over seeds (each seed draws ``w*``, the data
and the initialization).

**Theory** (:func:`linear_predictions`, the package's certified formulas): kernel ridge regression
with the ReLU NTK kernel (``krr kernel=relu_ntk``: the neural-tangent model at infinite width) and
the ReLU NNGP kernel (``relu_nngp``: random features at infinite width), each at the oracle-optimal
ridge, at the same ``n, d`` (finite-d deterministic equivalent, :func:`asymptotics.models.krr.optimal_risk`),
and the ``d → ∞`` formula at ``n = αd`` (level 1, :func:`asymptotics.models.krr.optimal_risk_asymptotic`).
The target's Hermite energies ``a_j²`` are used as its spherical-harmonic energies ``F_j²``: exact as
``d → ∞``, ``O(1/d)`` off at finite ``d`` (the theory is for ``x`` uniform on the sphere of radius ``√d``).
At ``n ≍ d`` these methods learn the degree-≤1 part only: the energy of degree ≥ 2 stays in the risk.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermeval
from tqdm import tqdm

from asymptotics._validate import check_int, check_real
from asymptotics.errors import ParameterError
from asymptotics.targets import information_exponent

from .simulators._sampling import FLOAT, MARGIN_BYTES, check_memory

TARGETS: dict[str, tuple[float, ...]] = {
    "He1": (0.0, 1.0),
    "He2": (0.0, 0.0, 1.0),
    "He3": (0.0, 0.0, 0.0, 1.0),
    "He1+He2": (0.0, math.sqrt(0.5), math.sqrt(0.5)),
}
"""Orthonormal Hermite coefficients ``a_j`` of each target link ``g = Σ a_j He_j/√(j!)`` (unit variance)."""

WIDTH = 256
STEPS = 30
LR = 2.0
N_TEST = 4000
_LAMBDAS = np.geomspace(1e-8, 1e3, 45)


def link(z: np.ndarray, coefs: Sequence[float]) -> np.ndarray:
    """``g(z) = Σ_j a_j He_j(z)/√(j!)`` (probabilists' Hermite polynomials)."""
    c = np.array([a / math.sqrt(math.factorial(j)) for j, a in enumerate(coefs)], dtype=float)
    return hermeval(z, c)


def peak_memory(d: int, n: int, width: int = WIDTH, n_test: int = N_TEST) -> int:
    """Bytes of the largest arrays of one :func:`network_run` (data, features, SVD factors)."""
    rows = n + n_test
    return FLOAT * (rows * d + 3 * rows * (width + 1) + 2 * (width + 1) ** 2 + width * d) + MARGIN_BYTES


def _check_target(target: str) -> tuple[float, ...]:
    if target not in TARGETS:
        raise ParameterError(f"`target` must be one of {', '.join(TARGETS)}; got {target!r}.")
    return TARGETS[target]


@dataclass
class NetworkRun:
    """One seed: test error of the trained network and the overlaps ``|⟨w_i, w*⟩|`` after stage 1."""

    test_error: float
    overlap_median: float
    ridge: float


def _gcv_ridge(F: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Ridge coefficients of ``y`` on ``F`` with the penalty ``n·λ`` minimizing generalized cross-validation."""
    n = F.shape[0]
    U, s, Vt = np.linalg.svd(F, full_matrices=False)
    uy = U.T @ y
    best = (math.inf, 1.0)
    for lam in _LAMBDAS * n:
        shrink = s**2 / (s**2 + lam)
        resid = y - U @ (shrink * uy)
        gcv = float(np.mean(resid**2)) / (1 - shrink.sum() / n) ** 2
        if gcv < best[0]:
            best = (gcv, float(lam))
    lam = best[1]
    return Vt.T @ ((s / (s**2 + lam)) * uy), lam / n


def network_run(
    d: int,
    n: int,
    target: str = "He2",
    seed: int = 0,
    *,
    width: int = WIDTH,
    steps: int = STEPS,
    lr: float = LR,
    n_test: int = N_TEST,
    max_memory: float | None = None,
) -> NetworkRun:
    """Train the two-layer network of the module docstring on ``n`` samples in dimension ``d``; measure its test error.

    Parameters
    ----------
    d, n : dimension (≥ 2) and training samples (≥ 2).
    target : a key of :data:`TARGETS`.
    seed : seeds ``numpy.random.default_rng`` (draws ``w*``, the data, the initialization, the test set).
    width, steps, lr : network width ``m``, first-layer steps ``T`` (0: random features) and step ``η``.
    n_test : fresh test samples.
    max_memory : GiB limit (default: ``ASYMPTOTICS_MAX_MEMORY_GB`` or 2), checked before allocating.
    """
    d = check_int("d", d, low=2, high=10**5)
    n = check_int("n", n, low=2, high=10**7)
    coefs = _check_target(target)
    seed = check_int("seed", seed, low=0)
    width = check_int("width", width, low=1, high=10**5)
    steps = check_int("steps", steps, low=0, high=10**4)
    eta = float(check_real("lr", lr, low=0))
    n_test = check_int("n_test", n_test, low=1, high=10**7)
    check_memory("the network experiment", peak_memory(d, n, width, n_test), max_memory=max_memory, d=d, n=n, width=width)
    rng = np.random.default_rng(seed)
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    X = rng.standard_normal((n, d))
    y = link(X @ w_star, coefs)
    W = rng.standard_normal((width, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    b = rng.standard_normal(width)
    for _ in range(steps):
        active = (X @ W.T + b > 0).astype(float)
        W = W + eta * ((y[:, None] * active).T @ X) / n
        W /= np.linalg.norm(W, axis=1, keepdims=True)
    feats = np.hstack([np.maximum(X @ W.T + b, 0), np.ones((n, 1))])
    coef, lam = _gcv_ridge(feats, y)
    del X, feats
    Xt = rng.standard_normal((n_test, d))
    pred = np.hstack([np.maximum(Xt @ W.T + b, 0), np.ones((n_test, 1))]) @ coef
    err = float(np.mean((pred - link(Xt @ w_star, coefs)) ** 2))
    return NetworkRun(err, float(np.median(np.abs(W @ w_star))), lam)


def energies(target: str) -> str:
    """The ``F=`` text of :mod:`asymptotics.models.krr` for ``target``: degree energies ``a_j²``."""
    return ",".join(f"{a * a:.17g}" for a in _check_target(target))


THEORY = ("krr_ntk", "krr_nngp", "level1")


def linear_predictions(d: int, n: int, target: str, *, which: Sequence[str] = THEORY, dps: int = 8) -> dict[str, float]:
    """Theory: oracle-tuned risks of the linear methods at the same ``n, d`` (see the module docstring).

    Keys: ``krr_ntk`` and ``krr_nngp`` (finite-d deterministic equivalent, ReLU NTK / NNGP kernel,
    optimal ridge; the NT and RF models at infinite width) and ``level1`` (``d → ∞`` at ``n = αd``,
    ReLU NTK, optimal ridge).  ``which``: the keys to compute (default all).
    """
    from asymptotics.models import krr

    d = check_int("d", d, low=2, high=10**5)
    n = check_int("n", n, low=1, high=10**7)
    F = energies(target)
    bad = [w for w in which if w not in THEORY]
    if bad or not which:
        raise ParameterError(f"`which` must list some of {', '.join(THEORY)}; got {list(which)!r}.")
    out = {}
    for key in which:
        if key == "level1":
            res = krr.optimal_risk_asymptotic(alpha=n / d, level=1, kernel="relu_ntk", F=F, dps=dps)
        else:
            res = krr.optimal_risk(d=d, n=n, kernel="relu_ntk" if key == "krr_ntk" else "relu_nngp", F=F, dps=dps)
        out[key] = float(res.value)
    return out


@dataclass
class Row:
    """One ``(target, d, n)``: measured network error (mean, SE over seeds) and the theory predictions."""

    target: str
    k: int
    d: int
    n: int
    net_mean: float
    net_se: float
    seeds: int
    overlap: float
    theory: dict[str, float] = field(default_factory=dict)


def experiment(
    ds: Sequence[int] = (32, 64),
    alphas: Sequence[float] = (2, 4, 8, 16),
    targets: Sequence[str] = ("He1", "He2", "He3", "He1+He2"),
    seeds: int = 5,
    seed: int = 0,
    *,
    progress: bool = False,
    **network: Any,
) -> list[Row]:
    """Run the network over ``seeds`` seeds at each ``(target, d, n = αd)`` and evaluate the theory there."""
    seeds = check_int("seeds", seeds, low=2, high=1000)
    seed = check_int("seed", seed, low=0)
    for t in targets:
        _check_target(t)
    for d in ds:
        dd = check_int("d", d, low=2, high=10**5)
        for a in alphas:
            check_memory("the network experiment", peak_memory(dd, max(2, round(float(a) * dd))), d=dd)
    jobs = [(t, int(d), max(2, round(float(a) * int(d)))) for t in targets for d in ds for a in alphas]
    rows = []
    for t, d, n in tqdm(jobs, desc="network vs linear", disable=not progress):
        errs, ovs = [], []
        for s in range(seeds):
            r = network_run(d, n, t, seed * 1000 + s, **network)
            errs.append(r.test_error)
            ovs.append(r.overlap_median)
        e = np.array(errs)
        rows.append(
            Row(t, information_exponent(list(TARGETS[t])), d, n, float(e.mean()), float(e.std(ddof=1) / math.sqrt(seeds)),
                seeds, float(np.median(ovs)), linear_predictions(d, n, t))
        )
    return rows


THEORY_LABELS = {
    "krr_ntk": "KRR, ReLU NTK kernel (NT, infinite width), finite-d, optimal ridge",
    "krr_nngp": "KRR, ReLU NNGP kernel (RF, infinite width), finite-d, optimal ridge",
    "level1": "d -> inf at n = alpha*d (level 1), ReLU NTK, optimal ridge",
}


def write_table(rows: Sequence[Row], out: str) -> tuple[str, str]:
    """Write ``beyond_linear.csv`` (long form, one value a line, with a ``kind`` column: measured/theory) and ``.md``."""
    csv_path, md_path = os.path.join(out, "beyond_linear.csv"), os.path.join(out, "beyond_linear.md")
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["target", "k", "d", "n", "alpha", "method", "kind", "test_error", "se"])
        for r in rows:
            w.writerow([r.target, r.k, r.d, r.n, f"{r.n / r.d:g}", "network (two-stage GD)", "measured",
                        f"{r.net_mean:.6g}", f"{r.net_se:.3g}"])
            for key, v in r.theory.items():
                w.writerow([r.target, r.k, r.d, r.n, f"{r.n / r.d:g}", key, "theory", f"{v:.6g}", ""])
    lines = [
        "| target | k (information exponent) | n | d | network test error, mean ± SE (**measured**) "
        "| KRR/NT: relu_ntk (**theory**) | KRR/RF: relu_nngp (**theory**) | d→∞ level 1 (**theory**) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.target} | {r.k} | {r.n} | {r.d} | {r.net_mean:.3f} ± {r.net_se:.3f} | {r.theory['krr_ntk']:.3f} "
            f"| {r.theory['krr_nngp']:.3f} | {r.theory['level1']:.3f} |"
        )
    lines.append("")
    lines.append(
        f"Measured: the trained network, {rows[0].seeds if rows else 0} seeds each (mean ± standard error). "
        "Theory: oracle-tuned kernel ridge predictions of the package (no simulation). Test errors are relative "
        "to a unit-variance target (predicting 0 scores 1)."
    )
    with open(md_path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return csv_path, md_path


def plot(rows: Sequence[Row], path: str) -> str:
    """Test error against ``n/d``, one panel per target: network measured (error bars), theory as lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    targets = list(dict.fromkeys(r.target for r in rows))
    ds = sorted({r.d for r in rows})
    fig, axes = plt.subplots(1, len(targets), figsize=(4.2 * len(targets), 3.8), sharey=True, squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, t in zip(axes[0], targets, strict=True):
        for i, d in enumerate(ds):
            sel = sorted((r for r in rows if r.target == t and r.d == d), key=lambda r: r.n)
            al = [r.n / d for r in sel]
            c = colors[i % len(colors)]
            ax.errorbar(al, [r.net_mean for r in sel], yerr=[3 * r.net_se for r in sel], fmt="o", color=c, capsize=3,
                        label=f"network, d={d} (measured, ±3 SE)")
            ax.plot(al, [r.theory["krr_ntk"] for r in sel], "-", color=c, label=f"KRR relu_ntk, d={d} (theory)")
            ax.plot(al, [r.theory["krr_nngp"] for r in sel], ":", color=c, label=f"KRR relu_nngp, d={d} (theory)")
        sel = sorted((r for r in rows if r.target == t and r.d == ds[-1]), key=lambda r: r.n)
        ax.plot([r.n / r.d for r in sel], [r.theory["level1"] for r in sel], "--", color="k", label="d→∞, n=αd (theory)")
        k = next(r.k for r in rows if r.target == t)
        ax.set_title(f"target {t} (information exponent {k})")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("n/d")
        ax.axhline(1.0, color="0.6", lw=0.8)
    axes[0][0].set_ylabel("test error (1 = predicting 0)")
    axes[0][-1].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def figures(out: str, *, quick: bool = False, seed: int = 0, progress: bool = False) -> list[Row]:
    """The experiment of the docs page: ``--quick`` d = 32 and three targets; else d ∈ {32, 64} and four targets."""
    if quick:
        rows = experiment((32,), (2, 4, 8, 16), ("He1", "He2", "He3"), seeds=5, seed=seed, progress=progress, n_test=2000)
    else:
        rows = experiment((32, 64), (2, 4, 8, 16), tuple(TARGETS), seeds=5, seed=seed, progress=progress)
    write_table(rows, out)
    plot(rows, os.path.join(out, "beyond_linear_network.png"))
    return rows


__all__ = [
    "TARGETS",
    "NetworkRun",
    "Row",
    "THEORY",
    "energies",
    "experiment",
    "figures",
    "linear_predictions",
    "link",
    "network_run",
    "peak_memory",
    "plot",
    "write_table",
]
