"""Two-parameter maps ("phase diagrams"): a heatmap with labelled contours and the model's thresholds.

:func:`plot_map` draws the output of :func:`asymptotics.sweeps.grid` (or of
:func:`asymptotics.sweeps.sweep` over a two-parameter grid).  matplotlib is imported lazily
(extra ``plot``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ParameterError
from .result import STATUS_INFINITE, STATUS_OK

if TYPE_CHECKING:
    import pandas
    import xarray
    from matplotlib.axes import Axes

__all__ = ["plot_map"]

THRESHOLD_COLORS = ("#e41a1c", "#ff7f00", "#f781bf", "#ffffff")
"""Dashed threshold lines: colours that stand out on every part of the viridis map."""
INF_COLOR = "#5a0000"
"""Cells where the quantity is +inf (e.g. the ridgeless risk at the interpolation threshold)."""
BAD_COLOR = "0.82"
"""Cells outside the domain or not converged (NaN)."""
LOG_SPAN = 100.0
OUTLIER = 1000.0
"""Values spanning more than this ratio (all positive) get a logarithmic colour scale."""


def plot_map(
    da: xarray.DataArray | pandas.DataFrame,
    path: str | None = None,
    *,
    ax: Axes | None = None,
    log: tuple[bool, bool] | bool = (False, False),
    contour: bool = True,
    thresholds: bool = True,
    how: str = "",
) -> Axes:
    """Heatmap of a quantity over two parameters, with labelled contours and the model's thresholds.

    Parameters
    ----------
    da : xarray.DataArray or pandas.DataFrame
        A two-dimensional map: the output of :func:`asymptotics.sweeps.grid` over two arrays
        (other dimensions of size 1 are dropped), or a :func:`asymptotics.sweeps.sweep`
        DataFrame with two swept parameters.  The first dimension is the x axis.
    path : str, optional
        Write a PNG there (and close the figure when this call created it).
    ax : matplotlib.axes.Axes, optional
        Draw on these axes (default: a new figure).
    log : (bool, bool) or bool
        Logarithmic x and y axes (one bool: both).
    contour : bool
        Labelled contour lines over the heatmap.
    thresholds : bool
        Overlay the model's thresholds (:func:`asymptotics.thresholds.thresholds`) that lie in
        the plane, as dashed lines with a legend entry: ridge ``γ = 1``, rf ``ψ₁ = ψ₂``, nt
        ``Nd = n``...  Parameters other than the two axes take the map's fixed values or the
        model's defaults.
    how : str
        A note printed in the corner (e.g. ``"float64"``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Notes
    -----
    The colour scale (viridis) is logarithmic when the finite values are positive and span
    more than two decades (risk peaks); +inf cells are dark red and cells outside the domain
    or not converged light grey, each with a legend entry.

    Examples
    --------
    >>> import numpy as np
    >>> from asymptotics.sweeps import grid
    >>> from asymptotics.maps import plot_map
    >>> da = grid("ridge", "risk", gamma=np.linspace(0.2, 3, 40), lam=np.geomspace(1e-3, 1, 30))
    >>> ax = plot_map(da, "/tmp/ridge_map.png", log=(False, True))  # doctest: +SKIP
    """
    return _draw(_as_map(da), path, ax=ax, log=log, contour=contour, thresholds=thresholds, how=how)


@dataclass
class _Map:
    """A map in plain arrays: ``z`` and ``status`` have shape ``(len(y), len(x))``."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    status: np.ndarray
    xname: str
    yname: str
    labels: dict[str, str] = field(default_factory=dict)  # "" → the quantity, name → axis label
    model: str | None = None
    quantity: str | None = None
    fixed: dict[str, Any] = field(default_factory=dict)


def _as_map(obj: Any) -> _Map:
    """A :class:`_Map` from a DataArray of :func:`~asymptotics.sweeps.grid` or a two-parameter sweep DataFrame."""
    if hasattr(obj, "dims") and hasattr(obj, "coords"):
        dims = [d for d in obj.dims if obj.sizes[d] > 1]
        if len(dims) != 2:
            raise ParameterError(
                f"plot_map needs two dimensions of size > 1; got {dict(obj.sizes)} (select a component or sweep two parameters)."
            )
        da = obj.squeeze([d for d in obj.dims if d not in dims]).transpose(*dims)
        if np.iscomplexobj(da.values):
            raise ParameterError("plot_map draws real values; pass da.real, da.imag or abs(da).")
        xname, yname = (str(d) for d in dims)
        status = da["status"].values.T if "status" in da.coords else np.zeros(da.shape[::-1])
        attrs = dict(da.attrs)
        fixed = {str(k): c.values.item() for k, c in da.coords.items() if c.ndim == 0 and k not in dims}
        labels = {"": str(attrs.get("long_name") or da.name or "value")}
        labels.update({d: str(da[d].attrs.get("long_name") or d) for d in (xname, yname)})
        return _Map(
            np.asarray(da[xname].values, dtype=float), np.asarray(da[yname].values, dtype=float),
            np.asarray(da.values, dtype=float).T, np.asarray(status, dtype=float),
            xname, yname, labels, attrs.get("model"), attrs.get("quantity") or (str(da.name) if da.name else None), fixed,
        )  # fmt: skip
    if hasattr(obj, "pivot") and hasattr(obj, "attrs"):
        swept = [str(s) for s in obj.attrs.get("swept", [])]
        if len(swept) != 2 or "value" not in obj.columns:
            raise ParameterError(
                f"plot_map takes a sweep DataFrame with two swept parameters and a `value` column; got swept {swept}."
            )
        if np.iscomplexobj(obj["value"].to_numpy()):
            raise ParameterError("plot_map draws real values; pass a DataFrame with a real `value` column.")
        xname, yname = swept
        sizes = {name: int(obj[name].nunique()) for name in swept}
        if min(sizes.values()) < 2:
            raise ParameterError(
                f"plot_map needs two dimensions of size > 1; got {sizes} (select a component or sweep two parameters)."
            )
        dup = obj.duplicated(subset=swept)
        if dup.any():
            row = obj.loc[dup].iloc[0]
            times = int((obj[xname].eq(row[xname]) & obj[yname].eq(row[yname])).sum())
            which = _repeated_axes(obj, swept) or swept
            raise ParameterError(
                f"plot_map needs distinct points; the point {xname}={row[xname].item()!r}, {yname}={row[yname].item()!r} "
                f"appears {times} times (duplicated {' or '.join(f'`{w}`' for w in which)} values)."
            )
        z = obj.pivot_table(index=yname, columns=xname, values="value", aggfunc="first", dropna=False)
        st = obj.pivot_table(index=yname, columns=xname, values="status", aggfunc="first", dropna=False)
        model, quantity = obj.attrs.get("model"), obj.attrs.get("quantity")
        from .sweeps import _labels

        labels = _labels(str(model), str(quantity), swept) if model and quantity else {"": "value"}
        return _Map(
            z.columns.to_numpy(dtype=float), z.index.to_numpy(dtype=float),
            z.to_numpy(dtype=float), st.reindex_like(z).to_numpy(dtype=float),
            xname, yname, labels, model, quantity, dict(obj.attrs.get("fixed") or {}),
        )  # fmt: skip
    raise ParameterError(f"plot_map takes an xarray.DataArray or a pandas.DataFrame; got {type(obj).__name__}.")


def _draw(
    m: _Map,
    path: str | None,
    *,
    ax: Any = None,
    log: tuple[bool, bool] | bool = (False, False),
    contour: bool = True,
    thresholds: bool = True,
    how: str = "",
) -> Any:
    """Draw a :class:`_Map` (the body of :func:`plot_map`; the CLI calls it without xarray)."""
    try:
        import matplotlib
    except ImportError:
        raise ParameterError('plot_map needs matplotlib: pip install "asymptotics[plot]".') from None
    if ax is None and path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import colors, ticker
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    xlog, ylog = (log, log) if isinstance(log, bool) else (bool(log[0]), bool(log[1]))
    m = _sorted(m)
    x, y, z = m.x, m.y, m.z
    for name, v, lg in ((m.xname, x, xlog), (m.yname, y, ylog)):
        if lg and not np.all(v > 0):
            raise ParameterError(f"log axis `{name}` needs positive coordinates; got min {float(np.min(v))!r}.")
    status = np.where(np.isnan(m.status), -1, m.status)  # a DataFrame's missing grid points
    ok = (status == STATUS_OK) & np.isfinite(z)
    infinite = (status == STATUS_INFINITE) | np.isposinf(z)
    bad = ~ok & ~infinite
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.6, 5.0))
        created = True
    else:
        fig = ax.figure
        created = False
    good = z[ok]
    lo, hi, extend = _color_limits(good)
    norm: colors.Normalize
    if good.size and lo > 0 and (hi / lo > LOG_SPAN or (hi / lo > 10 and np.median(good) < lo + 0.2 * (hi - lo))):
        # decades, or a skewed range (most cells in the lowest fifth) that a linear scale paints in one shade
        norm = colors.LogNorm(vmin=lo, vmax=hi)
    elif good.size:
        norm = colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    else:
        norm = colors.Normalize(0.0, 1.0)
    cmap = plt.get_cmap("viridis").with_extremes(bad=BAD_COLOR)
    xe, ye = _edges(x, xlog), _edges(y, ylog)
    mesh = ax.pcolormesh(xe, ye, np.ma.masked_where(~ok, z), cmap=cmap, norm=norm, shading="flat", rasterized=True)
    handles: list[Any] = []
    if infinite.any():
        ax.pcolormesh(
            xe, ye, np.ma.masked_where(~infinite, np.ones_like(z)), cmap=colors.ListedColormap([INF_COLOR]), shading="flat"
        )
        handles.append(Patch(color=INF_COLOR, label=r"$+\infty$"))
    if bad.any():
        handles.append(Patch(color=BAD_COLOR, label="outside the domain / not converged"))
    model, quantity = m.model, m.quantity
    cbar = fig.colorbar(mesh, ax=ax, pad=0.02, extend=extend)
    cbar.set_label(m.labels.get("", quantity or "value"))

    from .plotting import readable_log_axis, save_figure

    if xlog:  # scales and limits first: contour labels are placed (and lines cut) in display space
        ax.set_xscale("log")
        readable_log_axis(ax.xaxis)
    if ylog:
        ax.set_yscale("log")
        readable_log_axis(ax.yaxis)
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    # a piecewise-constant map (a staircase) shows its levels by colour: contour lines would only trace the steps
    stepwise = good.size > 0 and np.unique(good).size <= 12
    if contour and good.size and np.ptp(good) > 0 and not stepwise:
        if isinstance(norm, colors.LogNorm):
            levels = ticker.LogLocator(subs=(1.0, 2.0, 5.0)).tick_values(norm.vmin, norm.vmax)
            if np.sum((levels > norm.vmin) & (levels < norm.vmax)) > 10:
                levels = ticker.LogLocator(subs=(1.0,)).tick_values(norm.vmin, norm.vmax)
        else:
            levels = ticker.MaxNLocator(nbins=8).tick_values(norm.vmin, norm.vmax)
        levels = levels[(levels > norm.vmin) & (levels < norm.vmax)]
        if levels.size:
            cs = ax.contour(x, y, np.ma.masked_where(~ok, z), levels=levels, colors="white", linewidths=0.7, alpha=0.85)
            labels = ax.clabel(cs, fmt=lambda v: f"{v:g}", fontsize=7, inline=True)
            _declutter(ax, labels)
            _outline([t for t in labels if t.get_visible()])

    if thresholds and model and quantity:
        handles = _draw_thresholds(ax, m, str(model), str(quantity), xe, ye, xlog, ylog, Line2D) + handles

    ax.set_xlabel(m.labels.get(m.xname, m.xname))
    ax.set_ylabel(m.labels.get(m.yname, m.yname))
    fixed = ", ".join(_fixed_text(str(model), k, v) for k, v in m.fixed.items())
    title = f"{model}: {m.labels.get('', quantity)}" if model else m.labels.get("", "")
    ax.set_title(title + (f"\n{fixed}" if fixed else ""), fontsize=10)
    if handles:  # below the axes: a legend inside a heatmap hides data
        ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, framealpha=0.9)
    if how:
        fig.text(0.99, 0.01, how, ha="right", va="bottom", fontsize=7, color="0.5")
    if created:
        fig.tight_layout()
    if path is not None:
        try:
            save_figure(fig, path, dpi=150)
        finally:
            if created:
                plt.close(fig)
    return ax


def _declutter(ax: Any, labels: list[Any]) -> None:
    """Hide contour labels that stick out of the axes or overlap an earlier label (near a singularity the
    levels crowd together and their labels pile up)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    kept: list[Any] = []
    for t in labels:
        box = t.get_window_extent(renderer)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if not inside or any(box.overlaps(k) for k in kept):
            t.set_visible(False)
        else:
            kept.append(box)


def _repeated_axes(df: Any, swept: list[str]) -> list[str]:
    """Swept parameters of a broadcast (2-D ``attrs["shape"]``) sweep whose own 1-D array repeats a value."""
    shape = tuple(df.attrs.get("shape") or ())
    if len(shape) != 2 or int(np.prod(shape)) != len(df):
        return []
    out = []
    for name in swept:
        a = df[name].to_numpy().reshape(shape)
        for k in (0, 1):
            if np.all(a == a[(slice(None), slice(0, 1)) if k == 0 else (slice(0, 1), slice(None))]):
                line = a[:, 0] if k == 0 else a[0, :]
                if np.unique(line).size < line.size:
                    out.append(name)
                break
    return out


def _sorted(m: _Map) -> _Map:
    """``m`` with increasing axes (values and status reordered with them); duplicated or single coordinates refused.

    Cell edges and contours assume increasing coordinates: an unsorted axis would draw overlapping
    cells and tangled contours (a wrong map, without an error).
    """
    x, y = np.asarray(m.x, dtype=float), np.asarray(m.y, dtype=float)
    for name, c in ((m.xname, x), (m.yname, y)):
        if c.size < 2:
            raise ParameterError(f"plot_map needs two dimensions of size > 1; axis `{name}` has {c.size} value(s).")
        if not np.all(np.isfinite(c)):
            raise ParameterError(f"plot_map needs finite coordinates; axis `{name}` has NaN/inf.")
        u, counts = np.unique(c, return_counts=True)
        if u.size < c.size:
            raise ParameterError(
                f"plot_map needs distinct coordinates; axis `{name}` repeats {float(u[counts > 1][0])!r} "
                f"({c.size - u.size} duplicate(s) among {c.size} values)."
            )
    ix, iy = np.argsort(x, kind="stable"), np.argsort(y, kind="stable")
    if np.array_equal(ix, np.arange(x.size)) and np.array_equal(iy, np.arange(y.size)):
        return m
    return replace(m, x=x[ix], y=y[iy], z=np.asarray(m.z)[np.ix_(iy, ix)], status=np.asarray(m.status)[np.ix_(iy, ix)])


def _color_limits(good: np.ndarray) -> tuple[float, float, str]:
    """Colour-scale limits: the finite range, with isolated outliers cut off.

    Values beyond ``OUTLIER`` times the 99.5% quantile (or below the 0.5% quantile over
    ``OUTLIER``) are outliers; the limits are the extremes of the rest.  A grid point next to a
    singularity (the ridgeless risk at γ = 1.0000000000000002 is ~1e15) would otherwise flatten
    the whole map into one colour; such cells take the end colour and the colour bar gets an
    arrow (``extend``).
    """
    if not good.size:
        return 0.0, 1.0, "neither"
    lo, hi = float(good.min()), float(good.max())
    qlo, qhi = (float(q) for q in np.quantile(good, [0.005, 0.995]))
    cut_hi = qhi > 0 and hi > OUTLIER * qhi
    cut_lo = qlo > 0 and lo > 0 and lo < qlo / OUTLIER
    extend = {(True, True): "both", (True, False): "max", (False, True): "min"}.get((cut_hi, cut_lo), "neither")
    keep = good[(good <= OUTLIER * qhi) if cut_hi else np.ones(good.shape, bool)]
    keep = keep[(keep >= qlo / OUTLIER) if cut_lo else np.ones(keep.shape, bool)]
    return float(keep.min()), float(keep.max()), extend


def _fixed_text(model: str, name: str, value: Any) -> str:
    """A fixed parameter in the title: mathtext with 4 significant digits (plotting.format_param), or plain."""
    from .plotting import format_param

    try:
        return format_param(model, name, value if isinstance(value, str) else _num(value))
    except (ParameterError, TypeError, ValueError, KeyError):  # no symbol for it: plain text
        return f"{name}={value if isinstance(value, str) else _num(value)}"


def _num(v: Any) -> str:
    """A fixed value for the title: ``0.001``, ``2``, ``1+0.5j``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def _edges(c: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around centres ``c`` (midpoints; geometric midpoints on a log axis)."""
    t = np.log(c) if log else c.astype(float)
    mid = (t[1:] + t[:-1]) / 2
    e = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
    return np.exp(e) if log else e


def _outline(texts: Any) -> None:
    from matplotlib import patheffects

    for t in texts or []:
        t.set_path_effects([patheffects.withStroke(linewidth=1.8, foreground="black", alpha=0.55)])


def _draw_thresholds(
    ax: Any, m: _Map, model: str, quantity: str,
    xe: np.ndarray, ye: np.ndarray, xlog: bool, ylog: bool, line: Any,
) -> list[Any]:  # fmt: skip
    """Dashed zero sets of the model's thresholds in the (x, y) plane; their legend handles."""
    from ._validate import to_fraction
    from .models import get_model
    from .thresholds import thresholds as model_thresholds

    try:
        spec = get_model(model)
        found = model_thresholds(model, quantity)
    except ParameterError:
        return []
    gx = np.geomspace(xe[0], xe[-1], 401) if xlog else np.linspace(xe[0], xe[-1], 401)
    gy = np.geomspace(ye[0], ye[-1], 401) if ylog else np.linspace(ye[0], ye[-1], 401)
    gx, gy = np.meshgrid(gx, gy)
    handles = []
    for t in found:
        xname, yname = m.xname, m.yname
        if xname not in t.params and yname not in t.params:
            continue
        kwargs: dict[str, Any] = {}
        for p in t.params:
            if p in (xname, yname):
                kwargs[p] = gx if p == xname else gy
                continue
            raw = m.fixed.get(p, spec.default(p))
            if raw is None:
                break
            try:
                kwargs[p] = float(to_fraction(p, raw, allow_inf=True))
            except (ParameterError, TypeError, ValueError, OverflowError):
                if p != "domain":
                    break
                kwargs[p] = str(raw).strip().lower()
        else:
            with np.errstate(all="ignore"):
                f = np.broadcast_to(np.asarray(t.fn(**kwargs), dtype=float), gx.shape)
            finite = f[np.isfinite(f)]
            if not finite.size or finite.min() > 0 or finite.max() < 0 or np.ptp(finite) == 0:
                continue  # the threshold does not cross this plane
            color = THRESHOLD_COLORS[len(handles) % len(THRESHOLD_COLORS)]
            ax.contour(gx, gy, f, levels=[0.0], colors=[color], linestyles="--", linewidths=1.6)
            handles.append(line([], [], color=color, ls="--", lw=1.6, label=t.label))
    return handles
