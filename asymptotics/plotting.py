"""Plots of curves (matplotlib, imported lazily: ``pip install "asymptotics[plot]"``).

:func:`plot_curve` draws a :class:`~asymptotics.result.CurveResult`: the theory as a line on its
dense float64 grid, Monte Carlo means as points with ±1 SE bars (and, for ``mp density``, a
histogram of the simulated eigenvalues behind the line), dashed reference lines at the thresholds
of :mod:`asymptotics.thresholds`, and mathtext labels generated from the models' SymPy symbols.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ParameterError
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, CurveResult

if TYPE_CHECKING:  # matplotlib is imported on first use
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

_REF_STYLE = {"color": "0.45", "ls": "--", "lw": 1.0, "zorder": 1}
_DASHES: list[Any] = ["--", "-.", (0, (1, 1.5)), (0, (6, 2, 1, 2, 1, 2)), (0, (8, 3))]
_INF_STYLE: dict[str, Any] = {"color": "C3", "ls": ":", "lw": 1.4, "zorder": 1}


def _pyplot(path: str | None) -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ParameterError('plotting needs matplotlib: pip install "asymptotics[plot]".') from None
    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _supported_formats() -> dict[str, str]:
    """``{extension: description}`` of every format matplotlib can write (``png``, ``pdf``, ``svg``...)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise ParameterError('plotting needs matplotlib: pip install "asymptotics[plot]".') from None
    return dict(FigureCanvasBase.get_supported_filetypes())


def figure_path(path: str | os.PathLike[str]) -> str:
    """The file a figure saved to ``path`` ends up in, checked before any work is done.

    A name without an extension gets ``.png`` (what matplotlib writes); an extension matplotlib
    cannot write is refused.

    Parameters
    ----------
    path : str or os.PathLike
        The requested file name (``--plot`` in the CLI).

    Returns
    -------
    str
        ``path`` itself, or ``path + ".png"`` when it has no extension.

    Raises
    ------
    ParameterError
        The extension is not a format matplotlib can write; the message lists the formats.

    Examples
    --------
    >>> figure_path("risk.pdf"), figure_path("risk")
    ('risk.pdf', 'risk.png')
    """
    text = os.fspath(path)
    ext = os.path.splitext(text)[1]
    if not ext:
        return text + ".png"
    formats = _supported_formats()
    if ext[1:].lower() not in formats:
        raise ParameterError(
            f"cannot write --plot file {text!r}: format {ext[1:]!r} is not supported; use one of "
            f"{', '.join('.' + f for f in sorted(formats))}."
        )
    return text


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 120, **kwargs: Any) -> str:
    """Save ``fig`` to ``path`` (checked by :func:`figure_path`), turning every failure into one line.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (it is not closed here).
    path : str or os.PathLike
        Where to write; the format follows the extension (``.png`` when there is none).
    dpi : int, keyword-only
        Resolution of raster formats.
    **kwargs
        Passed on to :meth:`matplotlib.figure.Figure.savefig` (e.g. ``bbox_inches="tight"``).

    Returns
    -------
    str
        The file written (``path``, or ``path + ".png"``).

    Raises
    ------
    ParameterError
        Unsupported format, or the file cannot be written (missing folder, permissions).

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> path = os.path.join(tempfile.mkdtemp(), "risk")
    >>> save_figure(fig, path) == path + ".png"
    True
    >>> plt.close(fig)
    """
    target = figure_path(path)
    try:
        fig.savefig(target, dpi=dpi, **kwargs)
    except OSError as exc:
        raise ParameterError(f"cannot write --plot file {target!r}: {exc.strerror or exc}.") from None
    except ValueError as exc:  # e.g. a backend refusing the format after all
        raise ParameterError(f"cannot write --plot file {target!r}: {' '.join(str(exc).split())}.") from None
    return target


def _tick_text(v: float) -> str:
    """A short tick label: ``0.2``, ``5``, ``3000``; ``10^{-5}`` (mathtext) outside ``[1e-3, 1e4]``."""
    if not (v > 0 and math.isfinite(v)):
        return f"{v:g}"
    if 1e-3 <= v < 1e4:
        return f"{v:g}"
    exp = math.floor(math.log10(v) + 1e-9)
    mant = v / 10.0**exp
    if abs(mant - round(mant)) > 1e-6 * mant:
        return f"{v:g}"
    m = int(round(mant))
    return f"$10^{{{exp}}}$" if m == 1 else f"${m}\\times10^{{{exp}}}$"


def readable_log_axis(axis: Axis) -> None:
    """Plain, non-overlapping tick labels on a logarithmic matplotlib axis.

    Major ticks at the powers of ten, labelled ``0.1``, ``1``, ``10`` (``10^{-5}`` outside
    ``[1e-3, 1e4]``); minor ticks labelled according to the span shown when the figure is drawn:
    every one below 0.6 decades, those at 2 and 5 up to 2.5 decades, none beyond.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis``, already on a log scale (call it after ``set_xscale("log")``,
        which resets the formatters).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax.set_xscale("log"); ax.set_xlim(0.2, 3)
    (0.2, 3)
    >>> readable_log_axis(ax.xaxis)
    >>> fig.canvas.draw()
    >>> [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()][:3]
    ['0.2', '0.5', '2']
    >>> plt.close(fig)
    """
    from matplotlib import ticker

    def subs_shown() -> tuple[int, ...]:
        lo, hi = sorted(float(v) for v in axis.get_view_interval())
        if not (lo > 0 and hi > lo and math.isfinite(hi)):
            return ()
        decades = math.log10(hi / lo)
        return tuple(range(2, 10)) if decades < 0.6 else (2, 5) if decades <= 2.5 else ()

    def minor(v: float, _pos: Any = None) -> str:
        if not v > 0:
            return ""
        mant = v / 10.0 ** math.floor(math.log10(v) + 1e-9)
        m = round(mant)
        return _tick_text(v) if abs(mant - m) < 1e-6 * mant and m in subs_shown() else ""

    axis.set_major_locator(ticker.LogLocator(base=10.0))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos=None: _tick_text(v)))
    axis.set_minor_locator(ticker.LogLocator(base=10.0, subs=tuple(range(2, 10)), numticks=100))
    axis.set_minor_formatter(ticker.FuncFormatter(minor))


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


def _wrap_parts(parts: list[str], width: int) -> list[str]:
    lines, line = [], ""
    for p in parts:  # wrap at about `width` characters of source text
        if line and len(line) + len(p) > width:
            lines.append(line)
            line = ""
        line = f"{line}, {p}" if line else p
    if line:
        lines.append(line)
    return lines


def _title(cr: CurveResult) -> str:
    lines = _wrap_parts([format_param(cr.model, k, v) for k, v in cr.params.items()], 70)
    head = f"{cr.model} {cr.quantity}"
    return head + (": " + "\n".join(lines) if lines else "")


def _defaults_line(cr: CurveResult) -> str:
    """The quantity's parameters that were not given and take their default, for a second title line.

    Derived defaults (``psi2*N_over_n``, ``n/B(d,level)``) and optional ones (``-``) are left out.
    """
    import re

    from .models import get_model

    try:
        model = get_model(cr.model)
        q = model.quantity(cr.quantity)
    except ParameterError:
        return ""
    given = {*cr.params, cr.axis}
    names = {*model.params, *q.params}
    parts = []
    for p in q.params:
        d = model.default(p)
        if p in given or d is None or d.strip() in ("", "-"):
            continue
        if set(re.findall(r"[A-Za-z_]\w*", d)) & (names - {p}):
            continue
        parts.append(format_param(cr.model, p, d))
    return "\n".join(_wrap_parts(parts, 95)) if parts else ""


def _finite(v: Any) -> np.ndarray:
    y = np.asarray(v, dtype=float).reshape(-1)
    return y[np.isfinite(y)]


def _theory_cut(y: np.ndarray) -> tuple[float, float] | None:
    """Limits that keep a divergence of the theory from flattening the rest (``None``: no cut needed)."""
    if y.size < 5:
        return None
    lo, hi = float(y.min()), float(y.max())
    q_lo, q_hi = np.percentile(y, [5, 90])
    span = max(q_hi - q_lo, 1e-300)
    top = hi if hi <= q_hi + 4 * span else q_hi + 2.5 * span
    bottom = lo if lo >= q_lo - 4 * span else q_lo - 2.5 * span
    if top == hi and bottom == lo:
        return None
    return bottom, top


def _ylim(
    theory: list[np.ndarray], diverges: bool, mc: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[tuple[float, float] | None, np.ndarray]:
    """The y-range, and which Monte Carlo means fall outside it (-1 below, +1 above, 0 shown).

    The range is cut only when the theory diverges (a ``+inf`` point, or a few values far above
    the bulk); then it covers the bulk of the theory, and every Monte Carlo mean ± SE within a
    few bulk spans of it.  Otherwise (``None``) matplotlib's autoscale shows every theory value
    and every Monte Carlo mean ± SE.
    """
    y = np.concatenate([_finite(v) for v in theory]) if theory else np.array([])
    m, se = (np.asarray(mc[0], dtype=float), np.asarray(mc[1], dtype=float)) if mc is not None else (np.array([]), np.array([]))
    off = np.zeros(m.shape, dtype=int)
    cut = _theory_cut(y)
    if cut is None and not (diverges and y.size >= 5):
        return None, off
    lo, hi = cut if cut is not None else (float(y.min()), float(y.max()))
    span = max(hi - lo, 1e-300)
    window_lo, window_hi = lo - 3 * span, hi + 3 * span
    ok = np.isfinite(m)
    inside = ok & (m >= window_lo) & (m <= window_hi)
    if inside.any():
        err = np.where(np.isfinite(se), se, 0.0)
        lo = min(lo, float(np.min(np.maximum(m[inside] - err[inside], window_lo))))
        hi = max(hi, float(np.max(np.minimum(m[inside] + err[inside], window_hi))))
    pad = 0.05 * max(hi - lo, 1e-300)
    lo, hi = lo - pad, hi + pad
    off = np.where(ok & (m > hi), 1, np.where(ok & (m < lo), -1, 0))
    return (lo, hi), off


CERTIFIED_BUDGET = 1.0
"""Seconds :func:`plot_curve` may spend on a denser certified grid for a quantity without a float64 curve."""


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
        Write the figure there (then close it) instead of returning the axes; the format follows the
        extension (``.png`` added when there is none; an unsupported one raises ``ParameterError``).
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
    are left out and counted in the footnote.  The y-range is cut only when the theory diverges
    (a ``+inf`` point or a few values far above its bulk); every Monte Carlo mean ± SE is shown
    otherwise, and one beyond the cut is drawn as a marker on the edge and counted in the footnote.
    A quantity without a float64 curve is drawn through a denser certified grid when that is cheap
    (:data:`CERTIFIED_BUDGET` seconds), a staircase as steps; ``mp density`` with ``γ > 1`` gets an
    arrow for the atom of mass ``1 − 1/γ`` at ``x = 0``.  The title lists the given parameters,
    and a smaller line under it the defaults of the others.  A log x-axis gets plain tick labels
    (:func:`readable_log_axis`).  ``path``: any format matplotlib writes (:func:`save_figure`).
    matplotlib is imported lazily (extra ``plot``).

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
    if path is not None:
        figure_path(path)  # an unsupported format fails before any drawing
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
        th = dense_theory(cr.model, cr.quantity, cr.axis, x, dict(cr.params), log=log, budget=CERTIFIED_BUDGET) if dense else None
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
    mc: tuple[np.ndarray, np.ndarray] | None = None
    if cr.mc_mean is not None and cr.mc_se is not None:
        m, se = np.asarray(cr.mc_mean, dtype=float).reshape(-1), np.asarray(cr.mc_se, dtype=float).reshape(-1)
        ok = np.isfinite(m) & np.isfinite(x)
        se = np.where(np.isfinite(se), se, 0.0)
        label = f"Monte Carlo mean ± 1 SE ({cr.mc_reps} reps)"
        ax.errorbar(x[ok], m[ok], yerr=se[ok], fmt="o", ms=4, capsize=3, color="k", zorder=4, label=label)
        mc = (np.where(ok, m, np.nan), se)

    # thresholds and asymptotes
    lo, hi = (float(np.nanmin(tx)), float(np.nanmax(tx))) if len(tx) else (0.0, 0.0)
    marks = locate_thresholds(cr.model, cr.quantity, cr.axis, lo, hi, dict(cr.params)) if hi > lo else []
    inf_x = sorted({float(v) for v in np.concatenate([tx[ts == STATUS_INFINITE], x[status == STATUS_INFINITE]])})
    used: set[float] = set()
    for k, (xt, label) in enumerate(marks):
        hits = [v for v in inf_x if math.isclose(v, xt, rel_tol=1e-9, abs_tol=1e-12)]
        used.update(hits)
        style: dict[str, Any] = {**_REF_STYLE, "ls": _DASHES[k % len(_DASHES)]}  # told apart in the legend
        ax.axvline(xt, **style, label=label + (r", value $+\infty$" if hits else ""))
    rest = [v for v in inf_x if v not in used]
    for i, v in enumerate(rest):
        ax.axvline(v, **_INF_STYLE, label=r"value $+\infty$ (asymptote)" if i == 0 else None)

    if log:
        ax.set_xscale("log")
        readable_log_axis(ax.xaxis)
    lim, off = _ylim(drawn, bool(inf_x), mc)
    if lim is not None:
        ax.set_ylim(*lim)
    clipped = int(np.count_nonzero(off))
    if clipped and mc is not None:  # Monte Carlo means beyond the cut: a marker on the edge, counted below
        for side, marker, ypos in ((1, "^", 0.985), (-1, "v", 0.015)):
            sel = off == side
            if sel.any():
                ax.plot(
                    x[sel], np.full(int(sel.sum()), ypos), marker, ms=6, color="k", mfc="white", mew=1.2, ls="none",
                    transform=ax.get_xaxis_transform(), clip_on=False, zorder=5,
                    label="Monte Carlo mean off the y-range" if side == 1 or not (off == 1).any() else None,
                )  # fmt: skip
    _mark_atom(ax, cr)
    ax.set_xlabel(axis_label(cr.model, cr.axis, cr.params))
    ax.set_ylabel(quantity_label(cr.model, cr.quantity, cr.params))
    defaults = _defaults_line(cr)
    small = 7.5
    ax.set_title(_title(cr), fontsize=10, pad=6 + (1.25 * small * (defaults.count("\n") + 1) if defaults else 0))
    if defaults:
        ax.annotate(
            "defaults: " + defaults, xy=(0.5, 1.0), xycoords="axes fraction", xytext=(0, 4), textcoords="offset points",
            ha="center", va="bottom", fontsize=small, color="0.3",
        )  # fmt: skip
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) <= 6:
        ax.legend(fontsize=8, loc="best", framealpha=0.85)
    else:  # many entries: outside the axes, so that no data hides behind the legend
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    left = int(np.sum(np.isin(status, (STATUS_DOMAIN, STATUS_NOT_CONVERGED))))
    gaps = f"{left} point{'s' * (left != 1)} outside the domain or not converged (left out)" if left else ""
    cut = f"{clipped} Monte Carlo mean{'s' * (clipped != 1)} off the y-range (edge markers)" if clipped else ""
    note = ", ".join(p for p in (how, gaps, cut) if p)
    if note:
        fig.text(0.99, 0.01, note, ha="right", va="bottom", fontsize=7, color="0.4")
    fig.tight_layout()
    if path is None:
        return ax
    try:
        save_figure(fig, path, bbox_inches="tight")
    finally:
        plt.close(fig)
    return None


def _mark_atom(ax: Axes, cr: CurveResult) -> None:
    """``mp density`` with γ > 1: an arrow at ``x = 0`` for the atom of mass ``1 − 1/γ`` the density leaves out."""
    if cr.model != "mp" or cr.quantity != "density" or cr.axis != "x":
        return
    from ._validate import to_fraction

    try:
        gamma = float(to_fraction("gamma", cr.params.get("gamma", ""), allow_inf=False))
    except (ParameterError, TypeError, ValueError, OverflowError):
        return
    x = np.asarray(cr.x, dtype=float)
    if not (gamma > 1 and x.size and np.nanmin(x) <= 0 <= np.nanmax(x)):
        return
    from matplotlib.lines import Line2D

    mass = 1 - 1 / gamma
    ax.annotate(
        "", xy=(0, 0.93), xycoords=("data", "axes fraction"), xytext=(0, 0), textcoords=("data", "axes fraction"),
        arrowprops={"arrowstyle": "-|>", "color": "C2", "lw": 2.2, "mutation_scale": 14, "shrinkA": 0, "shrinkB": 0},
        annotation_clip=False, zorder=6,
    )  # fmt: skip
    ax.add_line(Line2D([], [], color="C2", lw=2.2, marker="^", ms=6, label=rf"atom at $x = 0$, mass $1 - 1/\gamma = {mass:.4g}$"))
