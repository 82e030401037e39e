r"""Monte Carlo for the neural tangent model, the two-layer NTK and lazy training.

Mirror of :mod:`asymptotics.models.neural_tangent`.

NT / NTK kernel ridge regression (:func:`simulate`)
---------------------------------------------------
Dimension ``d``; ``N = round(ψ₁d)`` neurons, ``n = round(ψ₂d)`` samples.  Weights ``θⱼ``,
training and test inputs i.i.d. uniform on ``S^{d−1}(√d)``; pre-activations
``zⱼ(x) = ⟨θⱼ, x⟩/√d``.  Kernels (the note's normalization, output weights ``±1``):

.. math:: K_{NT}(x, x') = \frac{\langle x, x'\rangle}{d}\cdot\frac1N\sum_j \sigma'(z_j(x))\sigma'(z_j(x')),\qquad
          K_{RF}(x, x') = \frac1N\sum_j\sigma(z_j(x))\sigma(z_j(x')),

``layers="first"``: ``K = K_NT``; ``layers="both"``: ``K = K_RF + K_NT`` (the gradient kernel of
``(1/√N)Σⱼ aⱼσ(zⱼ(x))`` in all parameters).  Predictor ``f̂ = k(x)ᵀ(K + λI)⁻¹y``; ``λ = 0`` is
the minimum-norm interpolator (pseudo-inverse: eigenvalues of ``K`` that are zero to working
precision are never fitted, e.g. ``Nd < n`` for NT; the cutoff is ``10·n·eps·Λ_max`` on the
eigenvalues, i.e. about ``10⁻⁶`` relative on the singular values of the feature map).  One ``eigh(K)`` per replicate serves a
whole ``λ`` grid.  Target and noise as in :mod:`.random_features` (``⟨β₁, x⟩`` plus a
unit-variance quadratic on the sphere scaled by ``F_⋆``); the noise is integrated
analytically given the draws (``K = QΛQᵀ``, ``hᵢ = 1/(Λᵢ + λ)``, ``gᵢ = λhᵢ``, ``P = K_test Q``):

.. math:: \mathbb E_\varepsilon\,\text{risk} = \tfrac1{n_t}\lVert f_t - P(h\odot Q^\top f)\rVert^2
          + \tfrac{\tau^2}{n_t}\lVert P\,\mathrm{diag}(h)\rVert_F^2,\qquad
          \mathbb E_\varepsilon\,\text{train} = \tfrac1n\big[\lVert g\odot Q^\top f\rVert^2 + \tau^2\textstyle\sum g_i^2\big].

Where the theory applies: ``Nd/n ≫ 1`` for the NT formula (the finite-width bias is about
``2n/(Nd)``: +10–14 % at ``Nd/n = 15``, +6 % at 30); at ``Nd ≈ n`` the NT interpolator has a peak the proportional formula does
not describe (:func:`parameter_curves`).

Lazy training (:func:`lazy_training`)
-------------------------------------
Two-layer network ``f(x; a, W) = (1/√m)Σⱼ aⱼσ(⟨wⱼ, x⟩/√d)``, ``aⱼ, wⱼ`` standard Gaussian, centred
``h(θ) = f(θ) − f(θ₀)`` and ``α``-scaled (Chizat, Oyallon, Bach, arXiv 1812.07956): gradient
descent with step ``η`` for a horizon ``T`` on ``F_α(θ) = (2nα²)⁻¹‖αh(θ) − y‖²``, run on the
network and on its linearization ``h_lin(θ) = Dh(θ₀)(θ − θ₀)`` from the same ``θ₀``.  Recorded:
``max_t`` rms over training and test inputs of ``αh − αh_lin`` (``prediction_gap``),
``max_t ‖θ_t − θ_t^lin‖`` (``parameter_gap``) and ``max_t ‖θ_t − θ₀‖`` (``displacement``).
Predicted slopes in ``α``: :data:`asymptotics.models.neural_tangent.LAZY_RATES` (−1, −2, −1).

Reproducibility: replicate ``r`` draws ``Θ``, ``X``, ``X_test``, ``β₁``, ``u`` from
``default_rng(SeedSequence(seed).spawn(reps)[r])`` (as :mod:`.random_features`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from asymptotics._validate import check_int
from asymptotics.activations import get_activation
from asymptotics.errors import ParameterError
from asymptotics.models import neural_tangent as theory
from asymptotics.models.neural_tangent import NTParams
from asymptotics.models.random_features import RFParams

from ..compare import MCEstimate
from . import random_features as rf_sim
from ._sampling import MAX_REPS, check_memory, check_quantities, footprint, lambda_grid, replicate_rngs, sphere
from .registry import SimulatorSpec, register_simulator

QUANTITIES = ("risk", "train_error")
DEFAULT_N_TEST = 1000


# ----------------------------------------------------------------------------- kernels
def sizes(params: NTParams, d: int) -> tuple[int, int]:
    """``N = round(ψ₁d)``, ``n = round(ψ₂d)`` (both ≥ 1); ``psi1`` must be given and finite."""
    if params.psi1 is None:
        raise ParameterError("`psi1` (= N/d) is required for a simulation: it sets the number of neurons N.")
    return rf_sim.sizes(RFParams(psi1=params.psi1, psi2=params.psi2), d)


def _apply(fn: Any, pre: np.ndarray, what: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = np.asarray(fn(pre), dtype=float)
    if out.shape != pre.shape:
        out = np.broadcast_to(out, pre.shape).copy()
    if not np.all(np.isfinite(out)):
        raise ParameterError(f"`activation` {what!r} returned NaN or inf on the pre-activations.")
    return out


def kernels(params: NTParams, theta: np.ndarray, x: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(K, K_test)``: the ``n × n`` training kernel and the ``n_test × n`` test–train kernel."""
    return kernels_stacked(params, theta, np.concatenate([x, x_test]), x.shape[0])


def kernels_stacked(params: NTParams, theta: np.ndarray, x_all: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`kernels` from the stacked inputs ``[X; X_test]`` (the ``n`` training rows first).

    One product gives every pre-activation ``[X; X_test](Θᵀ/√d)``, and ``σ'`` (and ``σ`` for
    ``layers="both"``) is applied once to all of them; the training kernel uses symmetric
    products (``AAᵀ``), the test kernel one product against the training rows.
    """
    d, N = x_all.shape[1], theta.shape[0]
    act = params.activation
    dact = act.derivative()
    pre = x_all @ (theta.T * (1.0 / math.sqrt(d)))
    s_all = _apply(dact.np, pre, dact.name)
    z_all = _apply(act.np, pre, act.name) if params.layers == "both" else None
    del pre
    x, s = x_all[:n], s_all[:n]
    k = (x @ x.T) * (s @ s.T)
    k *= 1.0 / (d * N)
    k_t = (x_all[n:] @ x.T) * (s_all[n:] @ s.T)
    k_t *= 1.0 / (d * N)
    if z_all is not None:
        z = z_all[:n]
        k += (z @ z.T) * (1.0 / N)
        k_t += (z_all[n:] @ z.T) * (1.0 / N)
    return k, k_t


def replicate(
    k: np.ndarray,
    k_test: np.ndarray,
    f: np.ndarray,
    f_test: np.ndarray,
    lams: np.ndarray,
    *,
    tau2: float,
    quantities: Sequence[str] = QUANTITIES,
) -> dict[str, np.ndarray]:
    """Test and training error of kernel ridge ``k(x)ᵀ(K + λI)⁻¹y`` for a ``λ`` grid (noise integrated)."""
    n = k.shape[0]
    lam_vals, q = np.linalg.eigh((k + k.T) / 2)
    lam_vals = np.where(lam_vals < 0, 0.0, lam_vals)
    zero = lam_vals <= max(lam_vals.max(), 0.0) * n * np.finfo(float).eps * 10
    lam_vals[zero] = 0.0
    den = lam_vals[:, None] + lams[None, :]
    fitted = ~zero[:, None] | (lams[None, :] > 0)
    h = np.divide(1.0, den, out=np.zeros(den.shape), where=fitted & np.isfinite(den))
    finite = np.isfinite(lams)[None, :]
    # residual factor λ/(Λ + λ); never-fitted directions and λ = ∞ keep the whole label
    g = np.where(fitted & finite, np.where(finite, lams[None, :], 0.0) * h, 1.0)
    c = q.T @ f
    out: dict[str, np.ndarray] = {}
    if "risk" in quantities:
        if tau2:  # the noise term needs every test projection ‖K_test qᵢ‖²
            p = k_test @ q  # (n_test, n)
            pred = p @ (h * c[:, None])
            energy = np.einsum("ti,ti->i", p, p)
        else:  # only the dual coefficients Q(h ⊙ c), one column per λ
            pred = k_test @ (q @ (h * c[:, None]))
        resid = f_test[:, None] - pred
        risk = np.einsum("tl,tl->l", resid, resid) / k_test.shape[0]
        if tau2:
            risk = risk + tau2 / k_test.shape[0] * ((h**2) * energy[:, None]).sum(axis=0)
        out["risk"] = risk
    if "train_error" in quantities:
        resid = ((g * c[:, None]) ** 2).sum(axis=0)
        if tau2:
            resid = resid + tau2 * (g**2).sum(axis=0)
        out["train_error"] = resid / n
    return out


def peak_memory(N: int, n: int, d: int, n_test: int, lams: int, reps: int, *, both: bool = False, quantities: int = 2) -> int:
    """Estimated peak memory (bytes) of :func:`simulate`: ``N`` neurons, ``n`` samples, dimension ``d``.

    Forming the kernels holds the inputs (normalized in place), ``Θᵀ/√d``, the pre-activations,
    ``σ'`` (and ``σ`` for ``layers="both"``) plus two activation temporaries, for the
    ``n + n_test`` stacked inputs (``× N`` each), and three ``n × n`` and three ``n_test × n`` products.
    Solving holds ``K`` and ``K_test``, the symmetrized copy, ``eigh``'s copy, eigenvectors and
    workspace (about ``6n²`` in all), ``K_test Q`` and its square and a few ``λ``-grid arrays.
    The results of all replicates are kept (twice, when stacked).
    """
    rows = n + n_test
    kernels_ = d * (2 * N + rows) + rows * N * (5 if both else 4) + 3 * n * n + 3 * n_test * n
    solving = n * n + n_test * n + 6 * n * n + 2 * n_test * n + 3 * n_test * lams + 5 * n * lams
    return footprint(max(kernels_, solving) + 2 * reps * lams * quantities)


def check_request(
    params: NTParams,
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
    dd, rr, nt, size, N, n = rf_sim.request_sizes(params, sizes, d=d, reps=reps, lams=lams, n_test=n_test)
    nbytes = peak_memory(N, n, dd, nt, size, rr, both=params.layers == "both", quantities=len(tuple(quantities)))
    check_memory("the nt simulation", nbytes, max_memory=max_memory, d=dd, N=N, n=n, n_test=nt, lams=size, reps=rr)


def simulate(
    params: NTParams,
    *,
    d: int,
    reps: int,
    lams: Any = None,
    seed: int = 0,
    n_test: int = DEFAULT_N_TEST,
    quantities: Sequence[str] = QUANTITIES,
    progress: bool = False,
    max_memory: Any = None,
) -> dict[str, MCEstimate]:
    """Monte Carlo test and training error of NT (``layers="first"``) or NTK (``"both"``) kernel ridge.

    Parameters
    ----------
    params : NTParams
        ``psi1`` (finite, required: ``N = round(ψ₁d)``), ``psi2``, ``lam`` (used when ``lams`` is
        omitted), ``activation`` (needs ``σ'``), ``F1sq``, ``Fstar2``, ``tau2``, ``layers``.
    d : int
        Input dimension ``≥ 2``.
    reps : int
        Replicates ``≥ 2`` (fresh weights, data, test points and target directions each).
    lams : array_like, optional
        Kernel ridges ``λ ≥ 0`` served by one ``eigh`` per replicate (``inf``: predict 0).
    seed, n_test, quantities, progress
        Root seed, test points per replicate (default 1000), subset of
        ``("risk", "train_error")``, tqdm bar.
    max_memory : float, optional
        Memory limit in GiB (default: ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2); a request whose
        :func:`peak_memory` estimate is larger is refused before anything is allocated.

    Returns
    -------
    dict[str, MCEstimate]
        ``samples`` of shape ``(reps, *lams.shape)``; ``p`` is the parameter count ``Nd``
        (``Nd + N`` for ``layers="both"``).

    Examples
    --------
    >>> from asymptotics.models.neural_tangent import NTParams
    >>> est = simulate(NTParams(psi2=2, psi1=1), d=30, reps=2)
    >>> float(est["train_error"].mean) < 1e-20          # Nd > n: the kernel interpolates
    True
    """
    if not isinstance(params, NTParams):
        raise ParameterError(f"`params` must be an NTParams; got {type(params).__name__}.")
    dd = check_int("d", d, low=2)
    rr = check_int("reps", reps, low=2, high=MAX_REPS)
    sd = check_int("seed", seed, low=0)
    nt = check_int("n_test", n_test, low=1)
    wanted = check_quantities(quantities, QUANTITIES)
    params.activation.derivative()  # a clear error before any sampling
    grid = lambda_grid(lams, params.lam)
    flat = np.atleast_1d(grid).ravel()
    N, n = sizes(params, dd)
    check_request(params, d=dd, reps=rr, lams=lams, n_test=nt, quantities=wanted, max_memory=max_memory)
    tau2 = float(params.tau2)
    rows: dict[str, list[np.ndarray]] = {q: [] for q in wanted}
    for rng in replicate_rngs(sd, rr, progress=progress, desc=f"nt ({params.layers}) replicates"):
        theta, x_all, f_all = rf_sim.draw_stacked(rng, dd, N, n, nt, params.F1sq, params.Fstar2)
        k, k_t = kernels_stacked(params, theta, x_all, n)
        values = replicate(k, k_t, f_all[:n], f_all[n:], flat, tau2=tau2, quantities=wanted)
        for q in wanted:
            rows[q].append(values[q])
    shown = {**params.shown(), "d": str(dd), "N": str(N), "n_test": str(nt)}
    p = N * dd + (N if params.layers == "both" else 0)
    points = None if lams is None else grid
    return {q: MCEstimate(q, np.asarray(rows[q]).reshape((rr, *grid.shape)), n, p, sd, shown, points) for q in wanted}


# ----------------------------------------------------------------------------- parameter-count curves
@dataclass
class ParameterCurves:
    """Test error against the number of parameters per sample, NT vs RF vs the kernel limits.

    ``ratio`` holds ``p/n`` (``p = Nd`` for NT, ``p = N`` for RF); ``mc`` maps ``"nt"``,
    ``"rf"`` to ``(mean, se)`` arrays; ``theory`` maps ``"rf"`` (the Mei–Montanari curve at
    ``ψ₁ = N/d``), ``"nt"`` (the NT formula, NaN where ``Nd/n < 10``: outside its regime),
    ``"krr_nt"`` and ``"krr_rf"`` (kernel ridge with the infinite-width NT and RF kernels).
    ``dense`` maps ``"rf"`` and ``"nt"`` to ``(p/n, theory)`` on a dense grid (400 log-spaced
    points over the simulated range): the lines of the figure, so the ``N = n`` peak is resolved.
    """

    d: int
    n: int
    ratio: np.ndarray
    widths: dict[str, np.ndarray]
    mc: dict[str, tuple[np.ndarray, np.ndarray]]
    theory: dict[str, np.ndarray]
    params: dict[str, str] = field(default_factory=dict)
    dense: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def parameter_curves(
    *,
    d: int = 40,
    psi2: Any = 2,
    ratios: Any = None,
    activation: Any = "relu",
    tau2: Any = "0.25",
    lam: Any = 0,
    reps: int = 10,
    seed: int = 0,
    n_test: int = DEFAULT_N_TEST,
    progress: bool = False,
    max_memory: Any = None,
) -> ParameterCurves:
    """NT and RF kernel ridge (default: min-norm) against ``p/n``: peaks at ``Nd = n`` and ``N = n``.

    Both families use the same kernel ridge ``lam`` (``f̂ = k(x)ᵀ(K + lam·I)⁻¹y``): for RF that is
    the Mei–Montanari ``λ = lam/ψ₂``.  For ReLU with very few neurons a fraction ``2^{−N}`` of the
    inputs activates no neuron (zero NT features), so the smallest widths sit slightly off the
    ``Nd = n`` count.

    ``ratios`` (default ``geomspace(0.2, 8, 15)``) are target values of ``p/n``; widths are
    rounded to integers ≥ 1 and duplicates dropped, so ``ratio`` holds the realized values.
    Every width's memory is checked (``max_memory``, as in :func:`simulate`) before the first runs.
    """
    dd = check_int("d", d, low=2)
    n = round(float(psi2) * dd)
    if n < 1:
        raise ParameterError(f"`psi2` * `d` must round to at least one sample; got n = {n}.")
    r = np.geomspace(0.2, 8, 15) if ratios is None else np.asarray(ratios, dtype=float)
    if r.ndim != 1 or r.size == 0 or np.any(~np.isfinite(r)) or np.any(r <= 0):
        raise ParameterError(f"`ratios` must be a non-empty 1-d array of positive p/n values; got {ratios!r}.")
    widths = {
        "nt": np.unique(np.maximum(1, np.rint(r * n / dd)).astype(int)),
        "rf": np.unique(np.maximum(1, np.rint(r * n)).astype(int)),
    }
    act = get_activation(activation)
    from fractions import Fraction

    rf_lam = Fraction(str(lam)) * dd / n  # kernel ridge lam on the RF kernel ZZᵀ/N
    mc: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    theory_vals: dict[str, np.ndarray] = {}

    def run(fam: str, w: int, check: bool = False) -> Any:
        kw = dict(d=dd, reps=reps, n_test=n_test, quantities=("risk",), max_memory=max_memory)
        if fam == "nt":
            pr = NTParams(psi2=n / dd, lam=lam, activation=act, tau2=tau2, psi1=w / dd)
            return check_request(pr, **kw) if check else simulate(pr, seed=seed, **kw)["risk"]
        # the RF penalty (Nλ/d)‖a‖² is kernel ridge ψ₂λ: the same kernel ridge as NT needs λ = lam/ψ₂
        rp = RFParams(psi1=w / dd, psi2=n / dd, lam=rf_lam, activation=act, tau2=tau2)
        return rf_sim.check_request(rp, **kw) if check else rf_sim.simulate(rp, seed=seed, **kw)["risk"]

    for fam, ws in widths.items():
        for w in ws:
            run(fam, w, check=True)
    for fam, ws in widths.items():
        mean, se = np.empty(ws.size), np.empty(ws.size)
        for i, w in enumerate(tqdm(ws, desc=f"{fam} widths", disable=None if progress else True, leave=False)):
            est = run(fam, w)
            mean[i], se[i] = float(est.mean), float(est.se)
        mc[fam] = (mean, se)
    from asymptotics.models import random_features as rf_theory

    p1_rf = widths["rf"] / dd
    theory_vals["rf"], _ = rf_theory.curve_values(
        "risk", psi1=p1_rf, psi2=n / dd, lam=float(rf_lam), activation=act, tau2=float(tau2)
    )
    nt_ratio = widths["nt"] * dd / n
    nt_vals, _ = theory.curve_values("risk", psi2=n / dd, lam=float(lam), activation=act, tau2=float(tau2))
    theory_vals["nt"] = np.where(nt_ratio >= theory.REGIME_ERROR_RATIO, float(nt_vals), np.nan)
    theory_vals["krr_nt"] = np.asarray(float(nt_vals))
    theory_vals["krr_rf"] = np.asarray(
        float(rf_theory.curve_values("risk", psi1=np.inf, psi2=n / dd, lam=float(rf_lam), activation=act, tau2=float(tau2))[0])
    )
    ratio = np.concatenate([widths["nt"] * dd / n, widths["rf"] / n])
    # dense theory lines: N/n on a fine grid for RF (the peak at N = n is exact: the grid includes 1)
    x = np.unique(np.concatenate([np.geomspace(float(ratio.min()), float(ratio.max()), 400), [1.0]]))
    rf_dense, rf_status = rf_theory.curve_values(
        "risk", psi1=x * n / dd, psi2=n / dd, lam=float(rf_lam), activation=act, tau2=float(tau2)
    )
    dense = {
        "rf": (x, np.where(np.asarray(rf_status) == 0, np.asarray(rf_dense, dtype=float), np.nan)),
        "nt": (x, np.where(x >= theory.REGIME_ERROR_RATIO, float(nt_vals), np.nan)),
    }
    return ParameterCurves(
        dd,
        n,
        ratio,
        widths,
        mc,
        theory_vals,
        {"activation": act.name, "psi2": str(psi2), "tau2": str(tau2), "lam": str(lam), "reps": str(reps), "seed": str(seed)},
        dense,
    )


def plot_parameter_curves(curves: ParameterCurves, path: str | None = None) -> Any:
    """Figure: MC error bars for NT (vs ``Nd/n``) and RF (vs ``N/n``), theory lines, kernel limits."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    n, d = curves.n, curves.d
    x_nt, x_rf = curves.widths["nt"] * d / n, curves.widths["rf"] / n
    ax.errorbar(x_nt, *curves.mc["nt"], fmt="o", ms=4, capsize=2, color="C0", label="NT simulation (p = Nd)")
    ax.errorbar(x_rf, *curves.mc["rf"], fmt="s", ms=4, capsize=2, color="C1", label="RF simulation (p = N)")
    rf_line = curves.dense.get("rf", (x_rf, curves.theory["rf"]))
    nt_line = curves.dense.get("nt", (x_nt, curves.theory["nt"]))
    ax.plot(*rf_line, "-", color="C1", label="RF theory (Mei–Montanari)")
    ax.plot(*nt_line, "-", color="C0", label=r"NT theory ($Nd/n \geq 10$)")
    ax.axhline(float(curves.theory["krr_nt"]), color="C0", ls=":", label=r"KRR, NT kernel ($N = \infty$)")
    ax.axhline(float(curves.theory["krr_rf"]), color="C1", ls=":", label=r"KRR, RF kernel ($N = \infty$)")
    ax.axvline(1.0, color="gray", lw=0.8, ls="--", label="interpolation $p = n$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.xaxis.set_minor_formatter(NullFormatter())  # crowded "2×10⁻¹ 3×10⁻¹ ..." labels otherwise
    lo, hi = min(x_nt.min(), x_rf.min()) / 1.2, max(x_nt.max(), x_rf.max()) * 1.2
    ax.set_xticks([t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if lo <= t <= hi])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel(r"parameters per sample $p/n$ ($p = Nd$ for NT, $p = N$ for RF)")
    ax.set_ylabel(r"test error $R$ (noise excluded)")
    ax.set_title(rf"{curves.params.get('activation', '')}, $d = {d}$, $n = {n}$, $\lambda = {curves.params.get('lam', '0')}$")
    ax.legend(fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


# ----------------------------------------------------------------------------- lazy training
@dataclass
class LazyRun:
    """Per-``α`` maxima over the trajectory (arrays aligned with ``alphas``) and the fitted slopes."""

    alphas: np.ndarray
    prediction_gap: np.ndarray
    parameter_gap: np.ndarray
    displacement: np.ndarray
    params: dict[str, str] = field(default_factory=dict)

    def slopes(self, alpha_min: float = 8.0) -> dict[str, float]:
        """Least-squares log-log slopes over ``α ≥ alpha_min`` (predicted: ``LAZY_RATES``)."""
        sel = self.alphas >= alpha_min
        if sel.sum() < 2:
            raise ParameterError(f"need at least two alphas >= alpha_min = {alpha_min} to fit a slope.")
        la = np.log(self.alphas[sel])
        return {k: float(np.polyfit(la, np.log(getattr(self, k)[sel]), 1)[0]) for k in theory.LAZY_RATES}


def _two_layer_pass(a: np.ndarray, w: np.ndarray, x: np.ndarray, act: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One forward pass: ``f(x)``, ``σ(z)`` and ``σ'(z)`` (``z = xwᵀ/√d``) for the rows of ``x``."""
    pre = x @ w.T / math.sqrt(x.shape[1])
    dact = act.derivative()
    s, ds = _apply(act.np, pre, act.name), _apply(dact.np, pre, dact.name)
    return s @ a / math.sqrt(a.size), s, ds


def _grad(a: np.ndarray, x: np.ndarray, s: np.ndarray, ds: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d, m = x.shape[1], a.size
    return s.T @ r / math.sqrt(m), ((r[:, None] * ds) * a).T @ x / math.sqrt(m * d)


def two_layer(a: np.ndarray, w: np.ndarray, x: np.ndarray, act: Any) -> np.ndarray:
    """``f(x) = m^{−1/2} Σⱼ aⱼ σ(⟨wⱼ, x⟩/√d)`` for the rows of ``x`` (``act`` an Activation)."""
    return _two_layer_pass(a, w, x, act)[0]


def two_layer_grad(a: np.ndarray, w: np.ndarray, x: np.ndarray, r: np.ndarray, act: Any) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of ``Σᵢ rᵢ f(xᵢ)`` with respect to ``(a, w)``: ``∂f/∂aⱼ = σ(zⱼ)/√m``, ``∂f/∂wⱼ = aⱼσ'(zⱼ)x/√(md)``."""
    _, s, ds = _two_layer_pass(a, w, x, act)
    return _grad(a, x, s, ds, r)


def two_layer_jacobian(a: np.ndarray, w: np.ndarray, x: np.ndarray, act: Any) -> np.ndarray:
    """``∂f(xᵢ)/∂θ`` for every row of ``x``, parameters ordered ``(a, w)`` with ``w`` row-major."""
    d, m = x.shape[1], a.size
    _, s, ds = _two_layer_pass(a, w, x, act)
    jw = (ds * a)[:, :, None] * x[:, None, :] / math.sqrt(m * d)
    return np.concatenate([s / math.sqrt(m), jw.reshape(len(x), -1)], axis=1)


def lazy_training(
    alphas: Any = (1, 2, 4, 8, 16, 32, 64, 128),
    *,
    d: int = 10,
    m: int = 200,
    n: int = 20,
    horizon: float = 40.0,
    lr: float = 0.05,
    activation: Any = "tanh",
    n_test: int = 200,
    seed: int = 0,
    progress: bool = False,
    max_memory: Any = None,
) -> LazyRun:
    """Train the ``α``-scaled centred two-layer network and its linearization; record their distance.

    Gradient descent with step ``lr`` for ``round(horizon/lr)`` steps on
    ``F_α(θ) = ‖αh(θ) − y‖²/(2nα²)``, from the same ``θ₀`` for the network and for
    ``h_lin(θ) = Dh(θ₀)(θ − θ₀)``.  Target ``y = tanh(⟨β, x⟩) + (⟨u, x⟩² − 1)/√2`` with
    ``β ~ N(0, I/d)`` and ``u`` a unit vector (both of order-one size on ``S^{d−1}(√d)``; fixed by
    ``seed``).  Returns a :class:`LazyRun`.

    The Jacobian at ``θ₀`` is a dense ``(n + n_test) × m(d + 1)`` matrix (built through about
    three arrays of that size); with the forward passes and the parameter vectors that is the
    estimate compared with ``max_memory`` (GiB; default ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2)
    before anything is allocated.
    """
    dd, mm, nn = check_int("d", d, low=1), check_int("m", m, low=1), check_int("n", n, low=1)
    nt_ = check_int("n_test", n_test, low=1)
    al = np.asarray(alphas, dtype=float).ravel()
    if al.size == 0 or np.any(~np.isfinite(al)) or np.any(al <= 0):
        raise ParameterError(f"`alphas` must be positive finite numbers; got {alphas!r}.")
    if not (math.isfinite(lr) and lr > 0) or not (math.isfinite(horizon) and horizon > 0):
        raise ParameterError(f"`lr` and `horizon` must be positive and finite; got lr={lr!r}, horizon={horizon!r}.")
    steps = max(1, round(horizon / lr))
    rows, width = nn + nt_, mm * (dd + 1)
    nbytes = footprint(3 * rows * width + 8 * rows * mm + 8 * width + 2 * rows * dd)
    check_memory("the lazy-training run", nbytes, max_memory=max_memory, n=nn, n_test=nt_, m=mm, d=dd)
    act = get_activation(activation)
    act.derivative()
    rng = np.random.default_rng(np.random.SeedSequence(check_int("seed", seed, low=0)))
    x_all = sphere(rng, nn + nt_, dd)
    x = x_all[:nn]
    beta = rng.standard_normal(dd) / math.sqrt(dd)
    u = rng.standard_normal(dd)
    u /= np.linalg.norm(u)
    y = np.tanh(x @ beta) + ((x @ u) ** 2 - 1.0) / math.sqrt(2)
    a0, w0 = rng.standard_normal(mm), rng.standard_normal((mm, dd))
    f0_all = two_layer(a0, w0, x_all, act)
    jac = two_layer_jacobian(a0, w0, x_all, act)
    j_tr = jac[:nn]
    theta0 = np.concatenate([a0, w0.ravel()])
    pg, qg, disp = (np.zeros(al.size) for _ in range(3))
    for i, alpha in enumerate(tqdm(al, desc="lazy alphas", disable=None if progress else True, leave=False)):
        a, w = a0.copy(), w0.copy()
        delta_lin = np.zeros(theta0.size)
        f_all, s_all, ds_all = _two_layer_pass(a, w, x_all, act)  # one forward pass per step, train rows first
        for _ in range(steps):
            r = (alpha * (f_all[:nn] - f0_all[:nn]) - y) / nn
            ga, gw = _grad(a, x, s_all[:nn], ds_all[:nn], r)
            r_lin = (alpha * (j_tr @ delta_lin) - y) / nn
            delta_lin -= lr * (j_tr.T @ r_lin) / alpha
            a -= lr * ga / alpha
            w -= lr * gw / alpha
            theta = np.concatenate([a, w.ravel()])
            f_all, s_all, ds_all = _two_layer_pass(a, w, x_all, act)
            gap = alpha * ((f_all - f0_all) - jac @ delta_lin)
            pg[i] = max(pg[i], float(np.sqrt(np.mean(gap**2))))
            qg[i] = max(qg[i], float(np.linalg.norm(theta - theta0 - delta_lin)))
            disp[i] = max(disp[i], float(np.linalg.norm(theta - theta0)))
    shown = {"d": str(dd), "m": str(mm), "n": str(nn), "horizon": str(horizon), "lr": str(lr), "activation": act.name}
    shown["seed"] = str(seed)
    return LazyRun(al, pg, qg, disp, shown)


__all__ = [
    "QUANTITIES",
    "LazyRun",
    "ParameterCurves",
    "kernels",
    "kernels_stacked",
    "lazy_training",
    "parameter_curves",
    "plot_parameter_curves",
    "replicate",
    "simulate",
    "two_layer",
    "two_layer_grad",
    "two_layer_jacobian",
    "sizes",
]


# ----------------------------------------------------------------------------- simulator registry
# What campaigns and `asymptotics curve --mc` need (validation.simulators.registry): the size is d,
# the theory runs at the realized ratios N/d and n/d.
CURVE_AXES = ("lam", "psi1", "psi2", "F1sq", "Fstar2", "tau2")
_CAMPAIGN_ACTIVATIONS = ("relu", "tanh", "erf")


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    return {**params, "psi1": f"{est.params['N']}/{size}", "psi2": f"{est.n}/{size}"}


def _registry_points(sizes: Sequence[int]) -> Any:
    """``layers=first``, ``psi2`` ∈ [0.3, 3], ``lam`` ∈ [0.01, 1] or 0, ``activation`` ∈ {relu, tanh, erf},
    ``F1sq`` ∈ [0.5, 2], ``Fstar2``, ``tau2`` ∈ [0, 0.5]; the width ``psi1 = N/d`` (rounded up) makes
    ``Nd/n`` ∈ [100, 202] at the smallest size."""
    from hypothesis import strategies as st

    from ..points import ceil3, rounded, text

    d0 = min(sizes)

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        psi2 = draw_(rounded(0.3, 3))
        ratio = draw_(rounded(100, 200))  # Nd/n at the smallest size
        psi1 = ceil3(ratio * psi2 / d0)  # rounded up: Nd/n stays ≥ 100
        return {
            "psi1": text(psi1),
            "psi2": text(psi2),
            "lam": text(draw_(st.one_of(st.just(0.0), rounded(0.01, 1)))),
            "activation": draw_(st.sampled_from(_CAMPAIGN_ACTIVATIONS)),
            "F1sq": text(draw_(rounded(0.5, 2))),
            "Fstar2": text(draw_(rounded(0, 0.5))),
            "tau2": text(draw_(rounded(0, 0.5))),
            "layers": "first",
        }

    return draw()


register_simulator(
    SimulatorSpec.from_module(  # the overlay's size n (the CLI's --n) is the input dimension d
        __name__,
        model="nt",
        size_param="d",
        sizes=(30, 60),
        make=NTParams,
        alternatives=("psi1",),  # required: its registry default "-" sets no width
        meaning={"psi1": "N/d"},
        why="it sets the number of neurons",
        needed=("psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "layers"),
        realize=_registry_realize,
        points=_registry_points,
    )
)
