"""Plots of curves (matplotlib, imported lazily: ``pip install "asymptotics[plot]"``).

:func:`plot_curve` draws a :class:`~asymptotics.result.CurveResult`: the theory as a line on its
dense float64 grid, Monte Carlo means as points with ±1 SE bars (and, for ``mp density``, a
histogram of the simulated eigenvalues behind the line), dashed reference lines at the thresholds
of :mod:`asymptotics.thresholds`, and mathtext labels generated from the models' SymPy symbols.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ParameterError
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, CurveResult

if TYPE_CHECKING:  # matplotlib is imported on first use
    from matplotlib.axes import Axes

_REF_STYLE = {"color": "0.45", "ls": "--", "lw": 1.0, "zorder": 1}
_DASHES: list[Any] = ["--", "-.", (0, (1, 1.5)), (0, (6, 2, 1, 2, 1, 2)), (0, (8, 3))]
_INF_STYLE = {"color": "C3", "ls": ":", "lw": 1.4, "zorder": 1}


def _pyplot(path: str | None) -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ParameterError('plotting needs matplotlib: pip install "asymptotics[plot]".') from None
    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def format_param(model: str, name: str, value: Any) -> str:
    r"""One fixed parameter for a title, in mathtext with 4 significant digits.

    Parameters
    ----------
    model : str
        Registry name.
    name : str
        The parameter.
    value : str or number
        Its value as given (``"0.009084505690810468"``, ``"1/3"``, ``"relu"``).

    Returns
    -------
    str
        ``r"$\lambda = 0.009085$"``; a text parameter as plain text (``"activation = relu"``).

    Examples
    --------
    >>> format_param("ridge", "lam", "0.009084505690810468")
    '$\\lambda = 0.009085$'
    >>> format_param("rf", "activation", "relu")
    'activation = relu'
    """
    from ._validate import to_fraction
    from .thresholds import param_symbol

    sym = param_symbol(model, name)
    text = str(value).strip()
    number: str | None = None
    try:
        x = to_fraction(name, text, allow_inf=True)
        number = r"\infty" if x == math.inf else f"{float(x):.4g}"
        if "e" in number:  # 1e-05 → 10^{-5} (mantissa kept when it is not 1)
            mant, exp = number.split("e")
            number = (f"{mant}\\times" if mant != "1" else "") + f"10^{{{int(exp)}}}"
    except (ParameterError, TypeError, ValueError, OverflowError):
        pass
    if sym is not None and number is not None:
        return f"${sym} = {number}$"
    shown = text if len(text) <= 24 else text[:21] + "..."
    return f"{name} = {shown}".replace("$", r"\$")


def _title(cr: CurveResult) -> str:
    parts = [format_param(cr.model, k, v) for k, v in cr.params.items()]
    lines, line = [], ""
    for p in parts:  # wrap the fixed parameters at about 70 characters of source text
        if line and len(line) + len(p) > 70:
            lines.append(line)
            line = ""
        line = f"{line}, {p}" if line else p
    if line:
        lines.append(line)
    head = f"{cr.model} {cr.quantity}"
    return head + (": " + "\n".join(lines) if lines else "")


def _ylim(ys: list[np.ndarray]) -> tuple[float, float] | None:
    """Limits that keep a divergence from flattening the rest of the curve (``None``: leave to matplotlib)."""
    y = np.concatenate([np.asarray(v, dtype=float).reshape(-1) for v in ys]) if ys else np.array([])
    y = y[np.isfinite(y)]
    if y.size < 5:
        return None
    lo, hi = float(y.min()), float(y.max())
    q_lo, q_hi = np.percentile(y, [5, 90])
    span = max(q_hi - q_lo, 1e-300)
    top = hi if hi <= q_hi + 4 * span else q_hi + 2.5 * span
    bottom = lo if lo >= q_lo - 4 * span else q_lo - 2.5 * span
    if top == hi and bottom == lo:
        return None
    pad = 0.05 * (top - bottom)
    return bottom - (pad if bottom == lo else 0), top + (pad if top == hi else 0)


def plot_curve(
    cr: CurveResult, path: str | None = None, *, ax: Axes | None = None, log: bool = False, how: str = "", dense: bool = True
) -> Axes | None:
    """Plot a :class:`CurveResult`: dense theory line, Monte Carlo points, reference lines.

    Parameters
    ----------
    cr : CurveResult
        From :func:`asymptotics.curve` (or built by hand: a result without dense theory gets one
        computed here when the quantity has a float64 curve).
    path : str, optional
        Write a PNG there (then close the figure) instead of returning the axes.
    ax : matplotlib.axes.Axes, optional
        Draw on these axes (a new figure when ``None``).
    log : bool, keyword-only
        Log x-scale (also when ``cr.log``).
    how : str, keyword-only
        A footnote (e.g. ``"float64"``), bottom right.
    dense : bool, keyword-only
        Draw the theory on its dense grid (default); ``False`` draws it through the table's points.

    Returns
    -------
    matplotlib.axes.Axes or None
        The axes, or ``None`` when ``path`` is given.

    Notes
    -----
    Points with status 1 (value ``+inf``) are drawn as a dotted vertical asymptote, and the
    thresholds of :func:`asymptotics.thresholds.thresholds` inside the x-range as dashed grey
    lines, both labelled in the legend; points outside the domain or not converged (status 2, 3)
    are left out and counted in the footnote.  When the curve diverges, the y-range is cut above
    the bulk of the values.  matplotlib is imported lazily (extra ``plot``).

    Examples
    --------
    >>> import asymptotics
    >>> cr, _ = asymptotics.curve("ridge", "risk", {"gamma": "0.1:3:12", "lam": "0", "sigma2": "0.25"})
    >>> ax = plot_curve(cr)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['theory', '$\\\\gamma = 1$ (interpolation, $p = n$), value $+\\\\infty$']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .curves import dense_theory
    from .thresholds import axis_label, locate_thresholds, quantity_label

    plt = _pyplot(path)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
    else:
        fig = ax.figure
    log = bool(log or cr.log)
    x = np.asarray(cr.x, dtype=float).reshape(-1)
    status = np.asarray(cr.status, dtype=int).reshape(-1)
    if dense and cr.theory_x is not None and cr.theory_values is not None and cr.theory_status is not None:
        tx, tv, ts = np.asarray(cr.theory_x, dtype=float), np.asarray(cr.theory_values), np.asarray(cr.theory_status)
    else:
        th = dense_theory(cr.model, cr.quantity, cr.axis, x, dict(cr.params), log=log) if dense else None
        tx, tv, ts = th if th is not None else (x, np.asarray(cr.values), status)
    ts = np.asarray(ts, dtype=int).reshape(len(tx), -1)[:, 0]

    # Monte Carlo histogram behind everything
    if cr.mc_hist is not None:
        edges, heights = cr.mc_hist
        label = f"Monte Carlo eigenvalues ({cr.mc_reps} reps)"
        ax.stairs(heights, edges, fill=True, color="C0", alpha=0.18, zorder=0, label=label)

    # theory line(s)
    cols = np.asarray(tv).reshape(len(tx), -1)
    series: list[tuple[np.ndarray, str]] = []
    for j in range(cols.shape[1]):
        suffix = "" if cols.shape[1] == 1 else f" [{j}]"
        if np.iscomplexobj(cols):
            series += [(cols[:, j].real, f"Re (theory){suffix}"), (cols[:, j].imag, f"Im (theory){suffix}")]
        else:
            series.append((cols[:, j], f"theory{suffix}"))
    drawn: list[np.ndarray] = []
    for k, (y, label) in enumerate(series):
        y = np.asarray(y, dtype=float)
        y = np.where(np.isfinite(y) & np.isfinite(tx), y, np.nan)  # NaN breaks the line: no false bridge over a gap
        ax.plot(tx, y, "-", lw=1.8, color=f"C{k}", label=label, zorder=3)
        drawn.append(y)

    # Monte Carlo means ± 1 SE
    if cr.mc_mean is not None and cr.mc_se is not None:
        m, se = np.asarray(cr.mc_mean, dtype=float).reshape(-1), np.asarray(cr.mc_se, dtype=float).reshape(-1)
        ok = np.isfinite(m) & np.isfinite(x)
        se = np.where(np.isfinite(se), se, 0.0)
        label = f"Monte Carlo mean ± 1 SE ({cr.mc_reps} reps)"
        ax.errorbar(x[ok], m[ok], yerr=se[ok], fmt="o", ms=4, capsize=3, color="k", zorder=4, label=label)
        drawn.append(m[ok] + se[ok])
        drawn.append(m[ok] - se[ok])

    # thresholds and asymptotes
    lo, hi = (float(np.nanmin(tx)), float(np.nanmax(tx))) if len(tx) else (0.0, 0.0)
    marks = locate_thresholds(cr.model, cr.quantity, cr.axis, lo, hi, dict(cr.params)) if hi > lo else []
    inf_x = sorted({float(v) for v in np.concatenate([tx[ts == STATUS_INFINITE], x[status == STATUS_INFINITE]])})
    used: set[float] = set()
    for k, (xt, label) in enumerate(marks):
        hits = [v for v in inf_x if math.isclose(v, xt, rel_tol=1e-9, abs_tol=1e-12)]
        used.update(hits)
        style = {**_REF_STYLE, "ls": _DASHES[k % len(_DASHES)]}  # told apart in the legend
        ax.axvline(xt, **style, label=label + (r", value $+\infty$" if hits else ""))
    rest = [v for v in inf_x if v not in used]
    for i, v in enumerate(rest):
        ax.axvline(v, **_INF_STYLE, label=r"value $+\infty$ (asymptote)" if i == 0 else None)

    if log:
        ax.set_xscale("log")
    lim = _ylim(drawn)
    if lim is not None:
        ax.set_ylim(*lim)
    ax.set_xlabel(axis_label(cr.model, cr.axis))
    ax.set_ylabel(quantity_label(cr.model, cr.quantity))
    ax.set_title(_title(cr), fontsize=10)
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) <= 6:
        ax.legend(fontsize=8, loc="best", framealpha=0.85)
    else:  # many entries: outside the axes, so that no data hides behind the legend
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    left = int(np.sum(np.isin(status, (STATUS_DOMAIN, STATUS_NOT_CONVERGED))))
    gaps = f"{left} point{'s' * (left != 1)} outside the domain or not converged (left out)" if left else ""
    note = ", ".join(p for p in (how, gaps) if p)
    if note:
        fig.text(0.99, 0.01, note, ha="right", va="bottom", fontsize=7, color="0.4")
    fig.tight_layout()
    if path is None:
        return ax
    try:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    except OSError as exc:
        raise ParameterError(f"cannot write --plot file {path!r}: {exc.strerror or exc}.") from None
    finally:
        plt.close(fig)
    return None
