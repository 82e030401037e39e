"""Plots of curves (matplotlib, imported lazily: ``pip install "asymptotics[plot]"``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ParameterError
from .models import get_model
from .result import CurveResult

_LABELS = {
    "gamma": r"$\gamma = p/n$",
    "lam": r"$\lambda$ (normalized ridge penalty)",
    "r2": r"$r^2 = \|\beta\|^2$",
    "sigma2": r"$\sigma^2$",
    "tau2": r"$\tau^2$",
    "x": "$x$",
    "z": "$z$",
    "k": "$k$",
    "psi1": r"$\psi_1 = N/d$",
    "psi2": r"$\psi_2 = n/d$",
    "N_over_n": r"$N/n$",
    "F1sq": r"$F_1^2$",
    "Fstar2": r"$F_\star^2$",
    "n": "$n$ (samples)",
    "alpha": r"$\alpha = n/B(d,\ell)$",
}
_MODEL_LABELS = {
    ("rf", "lam"): r"$\lambda$ (penalty $(N\lambda/d)\|a\|^2$)",
    ("krr", "lam"): r"$\lambda$ (unnormalized kernel ridge)",
}


def plot_curve(cr: CurveResult, path: str | None = None, *, ax: Any = None, log: bool = False, how: str = "") -> Any:
    """Plot a :class:`CurveResult`: theory as lines, Monte Carlo means as points with ±1 SE bars.

    Writes a PNG to ``path`` when given (then closes the figure), otherwise draws on
    ``ax`` (a new figure when ``None``) and returns the axes.  Infinite and NaN points
    (status ≠ 0) are left out.  matplotlib is imported lazily (extra ``plot``).
    """
    try:
        import matplotlib
    except ImportError:
        raise ParameterError('--plot needs matplotlib: pip install "asymptotics[plot]".') from None
    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
    else:
        fig = ax.figure
    x = np.asarray(cr.x, dtype=float)
    vals = np.asarray(cr.values)
    cols = vals.reshape(len(x), -1)
    labels: list[tuple[np.ndarray, str]] = []
    for j in range(cols.shape[1]):
        suffix = "" if cols.shape[1] == 1 else f"[{j}]"
        if np.iscomplexobj(cols):
            labels += [(cols[:, j].real, f"Re {cr.quantity}{suffix}"), (cols[:, j].imag, f"Im {cr.quantity}{suffix}")]
        else:
            labels.append((cols[:, j], f"{cr.quantity}{suffix} (theory)"))
    for y, label in labels:
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(y) & np.isfinite(x)
        ax.plot(x[ok], y[ok], "-", lw=1.8, label=label)
    if cr.mc_mean is not None and cr.mc_se is not None:
        m, se = np.asarray(cr.mc_mean, dtype=float), np.asarray(cr.mc_se, dtype=float)
        ok = np.isfinite(m) & np.isfinite(x)
        se = np.where(np.isfinite(se), se, 0.0)
        ax.errorbar(x[ok], m[ok], yerr=se[ok], fmt="o", ms=4, capsize=3, label=f"Monte Carlo ({cr.mc_reps} reps, ±1 SE)")
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(_MODEL_LABELS.get((cr.model, cr.axis), _LABELS.get(cr.axis, cr.axis)))
    ax.set_ylabel(f"{cr.quantity} ({get_model(cr.model).quantity(cr.quantity).doc})")
    fixed = ", ".join(f"{k}={v}" for k, v in cr.params.items())
    ax.set_title(f"{cr.model}: {cr.quantity} vs {cr.axis}" + (f" ({fixed})" if fixed else ""), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if how:
        fig.text(0.99, 0.01, how, ha="right", va="bottom", fontsize=7, color="0.5")
    fig.tight_layout()
    if path is None:
        return ax
    try:
        fig.savefig(path, dpi=120)
    except OSError as exc:
        raise ParameterError(f"cannot write --plot file {path!r}: {exc.strerror or exc}.") from None
    finally:
        plt.close(fig)
