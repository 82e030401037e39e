r"""``asymptotics.explore("rf")``: a notebook widget with a slider per parameter and the live curve.

The widget draws one quantity of a model along one parameter axis with the vectorized float64
path (``q.curve``, several hundred points), redrawn on every change of a slider, of the quantity
or of the axis; a quantity without a float64 curve (e.g. ``lnn``'s) is drawn from certified
values at fewer points (:func:`asymptotics.curves.curve` with ``dps=15``).  Points whose status
is not 0 (``+inf``, outside the domain, not converged) are left out of the line; thresholds of
:mod:`asymptotics.thresholds` (``γ = 1``, the Marchenko–Pastur edges, ``ψ₁ = ψ₂`` ...) are drawn
as dashed lines.

The module is called ``explorer`` so that the package attribute ``asymptotics.explore`` stays the
function whatever is imported first.  It needs the optional ``explore`` extra (``ipywidgets`` and
``matplotlib``), imported when :func:`explore` is called, never with :mod:`asymptotics`.  The figure is rendered to PNG (Agg,
no pyplot) into an ``ipywidgets.Image``, so it works in every Jupyter front end, and the object
works without a kernel too: a script or a test sets ``ex.sliders["lam"].value = 0.5`` and reads
``ex.data``.

Slider ranges come from each parameter's kind and default (ratios ``0.05 .. 20`` on a log scale,
penalties ``1e-4 .. 10`` log, variances and energies ``0 .. 2``, integers from a small range);
a keyword argument sets a start value (``lam=1e-2``, ``activation="tanh"``) or, as a pair
``(lo, hi)``, the range (``gamma=(0.2, 5)``).
"""

from __future__ import annotations

import contextlib
import io
import math
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ._types import Complex, Real
from .errors import ConvergenceError, ParameterError
from .models import get_model
from .models._registry import ModelSpec, QuantitySpec

__all__ = ["Explorer", "explore"]

EXTRA = "explore"
NUMERIC_KINDS = ("real", "int", "complex")
POINTS = 400
CERTIFIED_POINTS = 80
"""Points of a curve drawn from certified values (a quantity without a float64 curve)."""
CERTIFIED_DPS = 15


@dataclass(frozen=True)
class Control:
    """How one parameter is shown: ``scale`` is ``"log"``, ``"linear"``, ``"int"``, ``"complex"``,
    ``"choice"`` or ``"text"``; ``optional``: the parameter is left out unless its box is ticked."""

    scale: str
    lo: float = 0.0
    hi: float = 1.0
    value: Any = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    imag: float = 0.5
    imag_range: tuple[float, float] = field(default=(0.0, 2.0))


# (model or None, parameter) → (scale, lo, hi, start value or None: the model's default)
_RANGES: dict[tuple[str | None, str], tuple[str, float, float, float | None]] = {
    (None, "gamma"): ("log", 0.05, 20.0, 0.5),
    (None, "psi1"): ("log", 0.05, 20.0, 1.0),
    (None, "psi2"): ("log", 0.05, 20.0, 2.0),
    (None, "N_over_n"): ("log", 0.05, 20.0, 1.0),
    (None, "alpha"): ("log", 0.05, 20.0, 1.0),
    (None, "lam"): ("log", 1e-4, 10.0, None),
    (None, "sigma2"): ("linear", 0.0, 2.0, None),
    (None, "tau2"): ("linear", 0.0, 2.0, None),
    (None, "r2"): ("linear", 0.0, 2.0, None),
    (None, "F1sq"): ("linear", 0.0, 2.0, None),
    (None, "Fstar2"): ("linear", 0.0, 2.0, None),
    ("mp", "sigma2"): ("linear", 0.05, 2.0, None),
    ("mp", "x"): ("linear", 0.0, 6.0, 1.0),
    ("mp", "z"): ("linear", -2.0, 6.0, 1.0),
    ("mp", "k"): ("int", 0, 12, 2),
    ("krr", "d"): ("int", 2, 100, 20),
    ("krr", "n"): ("log", 1.0, 1e5, 100.0),
    ("krr", "level"): ("int", 0, 6, 1),
    ("krr", "exponent"): ("linear", 0.05, 5.0, 1.5),
    ("nt", "exponent"): ("linear", 0.05, 5.0, 1.5),
    ("nt", "d"): ("int", 2, 1000, 100),
    ("lnn", "depth"): ("int", 1, 8, 2),
    ("lnn", "init"): ("log", 1e-4, 0.9, 0.01),
    ("lnn", "s"): ("log", 0.1, 10.0, 1.0),
    ("lnn", "frac"): ("linear", 0.05, 0.99, None),
    ("lnn", "t"): ("linear", 0.0, 20.0, 2.0),
    ("lnn", "sigma"): ("linear", 0.0, 3.0, 0.5),
    ("lnn", "grad"): ("linear", -2.0, 2.0, -0.5),
}

# text parameters with named choices (an expression can still be typed: the box is editable via the keyword)
_CHOICES: dict[str, tuple[str, ...]] = {
    "activation": ("relu", "abs", "tanh", "erf", "quadratic", "linear", "softplus", "sigmoid"),
    "kernel": ("exp", "relu_nngp", "relu_ntk", "poly:2", "poly:3", "exp:2"),
    "domain": ("sphere", "hypercube"),
    "layers": ("first", "both"),
    "method": ("rf", "nt", "kernel"),
    "spectrum": ("isotropic", "power_law:p=200,alpha=1.5,beta=1", "blocks:1/0.5/1,0.1/0.5/1"),
}
# per-model choices where a text parameter's forms differ from the common ones above
_MODEL_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("gcm", "spectrum"): ("blocks:1/2/0.5/0.5,4/1/0.5/0.5", "blocks:1/1/1/1", "blocks:1/0.5/0.5/0.5,0.1/2/0.5/0.5"),
    ("gcm", "teacher"): ("none",),
    ("learning_curve", "spectrum"): ("power_law:alpha=1.5,beta=1.5", "power_law:alpha=2,beta=3", "modes:1/1/1,0.1/10/0.5"),
    ("dmp", "spectrum"): ("isotropic", "blocks:1/0.5,4/0.5", "spike:t=5,w=0.1", "mp:gamma=0.25"),
}

# default axis per (model, quantity), then per model (None)
_AXES: dict[tuple[str, str | None], str] = {
    ("ridge", None): "gamma",
    ("mp", None): "gamma",
    ("mp", "density"): "x",
    ("mp", "cdf"): "x",
    ("mp", "stieltjes"): "z",
    ("mp", "companion"): "z",
    ("mp", "moment"): "k",
    ("rf", None): "psi1",
    ("krr", None): "n",
    ("krr", "risk_asymptotic"): "alpha",
    ("krr", "staircase"): "exponent",
    ("krr", "eigenvalue"): "level",
    ("krr", "multiplicity"): "level",
    ("krr", "xi"): "level",
    ("nt", None): "psi2",
    ("onestep", None): "eta",
    ("committee", None): "t",
    ("committee", "plateau"): "lr",
    ("nt", "staircase"): "exponent",
    ("lnn", None): "init",
    ("lnn", "trajectory"): "t",
    ("lnn", "singular_value_rate"): "sigma",
}
# optional parameters a quantity needs besides its axis (krr's asymptotic risk: α together with ℓ)
_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {("krr", "risk_asymptotic"): ("level",)}


def _number(text: Any) -> float | None:
    """A parameter default (text) as a float, or None (``"-"``, ``"psi2*N_over_n"``, a required one)."""
    if text is None:
        return None
    try:
        from ._validate import to_fraction

        return float(to_fraction("default", text, allow_inf=False))
    except (ParameterError, TypeError, ValueError, OverflowError):
        return None


def _control(model: ModelSpec, name: str) -> Control:
    """The default :class:`Control` of a parameter, from the tables above or its kind and default."""
    p = model.params[name]
    default = _number(p.default)
    optional = p.default is not None and default is None and p.kind in NUMERIC_KINDS
    if p.kind not in NUMERIC_KINDS:
        choices = _MODEL_CHOICES.get((model.name, name)) or _CHOICES.get(name, ())
        value = p.default if p.default not in (None, "-") else (choices[0] if choices else "")
        if choices and value in choices:
            return Control("choice", value=value, choices=choices)
        return Control("text", value=value or "")
    known = _RANGES.get((model.name, name)) or _RANGES.get((None, name))
    if known is not None:
        scale, lo, hi, start = known
        value = start if start is not None else default
        if value is None or (scale == "log" and value <= 0):
            value = lo if scale == "log" else (lo + hi) / 2  # e.g. lam's default 0: the log range's left end
        if p.kind == "complex":
            return Control("complex", lo, hi, value, optional=optional)
        return Control("int" if p.kind == "int" else scale, lo, hi, value, optional=optional)
    if p.kind == "int":
        v = int(default) if default is not None else 1
        return Control("int", min(0, v), max(10, 2 * v), v, optional=optional)
    if p.kind == "complex":
        return Control("complex", -2.0, 2.0, default if default is not None else 1.0, optional=optional)
    if default is None:
        return Control("log", 0.05, 20.0, 1.0, optional=optional)
    if default > 0:
        return Control("log", default / 100, default * 100, default, optional=optional)
    if default == 0:
        return Control("linear", 0.0, 2.0, 0.0, optional=optional)
    return Control("linear", 2 * default, -2 * default, default, optional=optional)


def _real(name: str, value: Any, what: str = "a finite real number") -> float:
    """``value`` (a real number, a numeric text, a numpy scalar or 0-d array) as a finite float;
    :class:`ParameterError` naming ``name`` otherwise (None, complex, an array, text that is no number)."""
    from ._validate import describe

    v: float | None = None
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, str):
        v = _number(value)
    elif not isinstance(value, bool | np.bool_ | np.ndarray | complex | np.complexfloating):
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            v = None
    if v is None or not math.isfinite(v):
        raise ParameterError(f"`{name}` = {describe(value)}: explore needs {what} here.")
    return v


def _complex(name: str, value: Any) -> complex:
    """``value`` (a number or a text such as ``"1+0.5j"``) as a finite complex; ParameterError otherwise."""
    from ._validate import describe

    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    try:
        if isinstance(value, bool | np.bool_ | np.ndarray):
            raise TypeError
        z = complex(value.replace(" ", "")) if isinstance(value, str) else complex(value)
    except (TypeError, ValueError, OverflowError):
        z = complex(math.nan)
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        raise ParameterError(f"`{name}` = {describe(value)}: explore needs a finite complex number here.")
    return z


def _with_user_value(c: Control, name: str, value: Any) -> Control:
    """``c`` with the caller's start value (a number or text) or range (a pair ``(lo, hi)``)."""
    if c.scale in ("choice", "text"):
        text = str(value)
        if c.scale == "choice" and text not in c.choices:
            return replace(c, value=text, choices=(*c.choices, text))
        return replace(c, value=text)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        raise ParameterError(
            f"`{name}`: give a start value or a range (lo, hi), not an array of shape {value.shape}; "
            "sweep() evaluates a quantity on an array."
        )
    if isinstance(value, tuple | list):
        if len(value) != 2:
            from ._validate import describe

            raise ParameterError(f"`{name}`: give a start value or a range (lo, hi); got {describe(value)}.")
        lo, hi = sorted(_real(name, v, "a range (lo, hi) of finite real numbers") for v in value)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo == hi or (c.scale == "log" and lo <= 0):
            need = " and lo > 0" if c.scale == "log" else ""
            raise ParameterError(f"`{name}`: the range (lo, hi) must be finite, lo < hi{need}.")
        start = min(max(float(c.value.real if isinstance(c.value, complex) else c.value), lo), hi)
        return replace(c, lo=int(lo) if c.scale == "int" else lo, hi=int(hi) if c.scale == "int" else hi,
                       value=int(round(start)) if c.scale == "int" else start)  # fmt: skip
    if c.scale == "complex":
        z = _complex(name, value)
        return replace(c, value=z.real, imag=z.imag, lo=min(c.lo, z.real), hi=max(c.hi, z.real),
                       imag_range=(min(c.imag_range[0], z.imag), max(c.imag_range[1], z.imag)))  # fmt: skip
    v = _real(name, value)
    if c.scale == "int":
        if v != int(v):
            raise ParameterError(f"`{name}` must be an integer; got {value!r}.")
        return replace(c, value=int(v), lo=min(c.lo, int(v)), hi=max(c.hi, int(v)))
    if c.scale == "log" and v <= 0:  # e.g. lam=0: a linear slider that reaches it
        return replace(c, scale="linear", lo=min(0.0, v), hi=c.hi, value=v)
    if c.scale == "log":
        return replace(c, value=v, lo=min(c.lo, v), hi=max(c.hi, v))
    return replace(c, value=v, lo=min(c.lo, v), hi=max(c.hi, v))


def _widgets_module() -> Any:
    try:
        import ipywidgets
        import matplotlib  # noqa: F401 - checked here, used when drawing
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "ipywidgets"
        raise ParameterError(
            f"explore() needs ipywidgets and matplotlib ({missing} is missing): pip install 'asymptotics[{EXTRA}]'."
        ) from None
    return ipywidgets


class Explorer:
    """The widget :func:`explore` returns: sliders, the quantity and axis choosers, the figure and its data.

    Attributes
    ----------
    model : ModelSpec
        The model explored.
    sliders : dict of str to ipywidgets widget
        One control per parameter: ``FloatLogSlider``, ``FloatSlider``, ``IntSlider``, ``Dropdown``
        (activations, kernels, ...) or ``Text``; a complex parameter ``z`` has the real part in
        ``sliders["z"]`` and the imaginary part in ``sliders["z.imag"]``.  Only the current quantity's
        parameters are shown; the axis parameter's slider is disabled (its range is the axis).
    use : dict of str to ipywidgets.Checkbox
        For parameters without a numeric default (rf's ``N_over_n``, krr's ``alpha``/``level``,
        nt's ``psi1``/``d``): ticked, the value is passed; not ticked, the model's rule applies.
    quantity, axis : ipywidgets.Dropdown
        The quantity drawn and the parameter along the x-axis.
    log, ylog : ipywidgets.Checkbox
        Geometric axis grid and log x-scale; log y-scale.
    figure : matplotlib.figure.Figure
        The figure (Agg); ``ax`` its axes, ``lines`` the curve's lines (``line`` the first).
    image : ipywidgets.Image
        The figure as PNG, updated on every change; ``message`` (``ipywidgets.HTML``) says why a
        curve could not be drawn (a parameter outside its domain, a missing parameter).
    data : dict
        The current curve: ``"x"`` (the axis grid), ``"y"`` (the values as the model returned them,
        ``status`` ≠ 0 included), ``"status"``, ``"params"`` (the other parameters as passed),
        ``"how"`` (``"float64"`` or ``"certified, 15 digits"``) and ``"thresholds"`` (``(x, label)``).
    widget : ipywidgets.VBox
        Everything above, laid out; a notebook displays the Explorer as this box.
    """

    def __init__(self, model: ModelSpec, quantity: str, axis: str | None, log: bool | None,
                 points: int, params: dict[str, Any]) -> None:  # fmt: skip
        w = _widgets_module()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.model = model
        self.points = points
        self._hold = 0
        unknown = [n for n in params if n not in model.params]
        if unknown:
            from .models._registry import _param_hint

            names = ", ".join(f"`{u}`" for u in unknown)
            raise ParameterError(
                f"unknown parameter{'s' if len(unknown) > 1 else ''} {names} for {model.name}; "
                f"{_param_hint(unknown, list(model.params))}valid: {', '.join(model.params)}."
            )
        self.controls = {n: _control(model, n) for n in model.params}
        for n, v in params.items():
            self.controls[n] = _with_user_value(self.controls[n], n, v)
        self.sliders: dict[str, Any] = {}
        self.use: dict[str, Any] = {}
        rows: dict[str, Any] = {}
        style = {"description_width": "7em"}
        layout = w.Layout(width="26em")
        for n, c in self.controls.items():
            doc = model.params[n].doc
            common = {"description": n, "tooltip": doc, "style": style, "layout": layout, "continuous_update": False}
            if c.scale == "log":
                s = w.FloatLogSlider(value=c.value, base=10, min=math.log10(c.lo), max=math.log10(c.hi), step=0.01,
                                     readout_format=".3g", **common)  # fmt: skip
            elif c.scale == "linear":
                s = w.FloatSlider(value=c.value, min=c.lo, max=c.hi, step=(c.hi - c.lo) / 400, readout_format=".3g", **common)
            elif c.scale == "int":
                s = w.IntSlider(value=int(c.value), min=int(c.lo), max=int(c.hi), step=1, **common)
            elif c.scale == "complex":
                s = w.FloatSlider(value=c.value, min=c.lo, max=c.hi, step=(c.hi - c.lo) / 400, readout_format=".3g",
                                  **{**common, "description": f"Re {n}"})  # fmt: skip
                i_lo, i_hi = c.imag_range
                im = w.FloatSlider(value=c.imag, min=i_lo, max=i_hi, step=(i_hi - i_lo) / 400, readout_format=".3g",
                                   **{**common, "description": f"Im {n}"})  # fmt: skip
                self.sliders[f"{n}.imag"] = im
            elif c.scale == "choice":
                s = w.Dropdown(options=list(c.choices), value=c.value, description=n, tooltip=doc, style=style, layout=layout)
            else:
                s = w.Text(value=str(c.value), description=n, tooltip=doc, style=style, layout=layout, continuous_update=False)
            self.sliders[n] = s
            parts = [s] + ([self.sliders[f"{n}.imag"]] if c.scale == "complex" else [])
            if c.optional:
                box = w.Checkbox(value=n in params, indent=False, tooltip=f"pass {n} (otherwise: {model.params[n].default})",
                                 layout=w.Layout(width="1.6em"))  # fmt: skip
                self.use[n] = box
                parts = [box, *parts]
            else:
                parts = [w.Box(layout=w.Layout(width="1.6em")), *parts]
            rows[n] = w.HBox(parts)
        self._rows = rows
        self.quantity = w.Dropdown(options=list(model.quantities), value=quantity, description="quantity", style=style)
        self.axis = w.Dropdown(options=self._axis_options(quantity), description="x-axis", style=style)
        self.axis.value = axis if axis is not None else self._default_axis(quantity)
        self.log = w.Checkbox(value=self._natural_log(self.axis.value) if log is None else bool(log), description="log x",
                              indent=False)  # fmt: skip
        self.ylog = w.Checkbox(value=False, description="log y", indent=False)
        self.message = w.HTML(value="")
        self.figure = Figure(figsize=(6.4, 4.2), dpi=100)  # fixed margins: a constrained layout costs 3x per redraw
        FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.89)
        self.lines: list[Any] = []
        self.image = w.Image(format="png", layout=w.Layout(width="640px"))
        self.data: dict[str, Any] = {}
        top = w.HBox([self.quantity, self.axis, self.log, self.ylog])
        self.widget = w.VBox([top, w.HBox([w.VBox(list(rows.values())), self.image]), self.message])
        for s in self.sliders.values():
            s.observe(self._changed, names="value")
        for b in self.use.values():
            b.observe(self._changed, names="value")
        self.quantity.observe(self._quantity_changed, names="value")
        self.axis.observe(self._axis_changed, names="value")
        self.log.observe(self._changed, names="value")
        self.ylog.observe(self._changed, names="value")
        with self._held():
            self._layout()
        self.update()

    # ------------------------------------------------------------------ choices
    def _q(self) -> QuantitySpec:
        return self.model.quantity(self.quantity.value)

    def _axis_options(self, quantity: str) -> list[str]:
        q = self.model.quantity(quantity)
        return [n for n in q.params if n in self.model.params and self.model.params[n].kind in NUMERIC_KINDS]

    def _default_axis(self, quantity: str) -> str:
        options = self._axis_options(quantity)
        for key in ((self.model.name, quantity), (self.model.name, None)):
            if _AXES.get(key) in options:
                return _AXES[key]
        required = [n for n in options if self.model.params[n].default is None]
        if not options:
            raise ParameterError(f"{self.model.name} {quantity} has no numeric parameter to put on the x-axis.")
        return (required or options)[0]

    def _natural_log(self, axis: str) -> bool:
        return self.controls[axis].scale == "log"

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1

    def _changed(self, change: Any = None) -> None:
        if not self._hold:
            self.update()

    def _quantity_changed(self, change: Any) -> None:
        with self._held():
            options = self._axis_options(change["new"])
            current = self.axis.value
            self.axis.options = options
            preferred = _AXES.get((self.model.name, change["new"]))  # the quantity's own axis, else keep the current one
            self.axis.value = (
                preferred if preferred in options else current if current in options else self._default_axis(change["new"])
            )
            self.log.value = self._natural_log(self.axis.value)
            self._layout()
        self.update()

    def _axis_changed(self, change: Any) -> None:
        if change["new"] is None:
            return
        with self._held():
            self.log.value = self._natural_log(change["new"])
            self._layout()
        self.update()

    def _layout(self) -> None:
        """Show the current quantity's parameters only; the axis parameter's controls are disabled."""
        q = self._q()
        needs = _NEEDS.get((self.model.name, q.name), ())
        for n, row in self._rows.items():
            row.layout.display = None if n in q.params else "none"
            for s in [self.sliders[n], self.sliders.get(f"{n}.imag")]:
                if s is not None:
                    s.disabled = n == self.axis.value and s is self.sliders[n]
            if n in self.use and (n == self.axis.value or n in needs):
                self.use[n].value = True

    # ------------------------------------------------------------------ values
    def set(self, **values: Any) -> None:
        """Set several controls at once (one redraw): ``ex.set(lam=0.1, psi2=3, quantity="bias")``.

        Parameters
        ----------
        **values
            Slider names (``"z.imag"`` too, as ``z_imag``), ``quantity``, ``axis``, ``log`` or ``ylog``.
        """
        with self._held():
            if "quantity" in values:
                self.quantity.value = self.model.quantity(values.pop("quantity")).name  # ParameterError: did you mean
            if "axis" in values:
                axis = values.pop("axis")
                if axis not in self.axis.options:
                    from ._suggest import did_you_mean

                    options = list(self.axis.options)
                    raise ParameterError(
                        f"`axis` {axis!r} is not a numeric parameter of {self.model.name} {self.quantity.value}; "
                        f"{did_you_mean(str(axis), options, quote='`')}valid: {', '.join(options)}."
                    )
                self.axis.value = axis
            for key in ("log", "ylog"):
                if key in values:
                    getattr(self, key).value = bool(values.pop(key))
            checked = []  # every value is checked before any is set
            for name, v in values.items():
                key = name.replace("_imag", ".imag") if name.endswith("_imag") else name
                if key not in self.sliders:
                    from ._suggest import did_you_mean

                    controls = ["quantity", "axis", "log", "ylog", *self.sliders]
                    raise ParameterError(
                        f"unknown control `{name}`; {did_you_mean(name, controls, quote='`')}valid: {', '.join(controls)}."
                    )
                checked.append((key, self._slider_values(key, v)))
            for key, pairs in checked:
                for widget, value in pairs:
                    if hasattr(widget, "options") and value not in widget.options:  # e.g. an activation as an expression
                        widget.options = [*widget.options, value]
                    widget.value = value
                if key.removesuffix(".imag") in self.use:
                    self.use[key.removesuffix(".imag")].value = True
        self.update()

    def _slider_values(self, key: str, v: Any) -> list[tuple[Any, Any]]:
        """``[(widget, value)]`` to set for ``set(key=v)``: the value checked and converted for its slider
        (ParameterError naming the parameter otherwise), the slider's range widened to reach it; a complex
        value sets both parts of a complex parameter."""
        name = key.removesuffix(".imag")
        c, widget = self.controls[name], self.sliders[key]
        if c.scale in ("choice", "text"):
            return [(widget, str(v))]
        if c.scale == "complex" and key == name and not isinstance(v, bool | np.bool_):
            if isinstance(v, str) or np.iscomplexobj(v):
                z = _complex(name, v)
                return [*self._slider_values(name, z.real), *self._slider_values(f"{name}.imag", z.imag)]
        x = _real(name if key == name else f"{name}_imag", v)
        if c.scale == "int" and key == name:
            if x != int(x):
                raise ParameterError(f"`{name}` must be an integer; got {v!r}.")
            x = int(x)
        if c.scale == "log" and key == name:
            if x <= 0:
                raise ParameterError(f"`{name}` = {x!r}: its slider is logarithmic and takes values > 0.")
            widget.min, widget.max = min(widget.min, math.log10(x)), max(widget.max, math.log10(x))
        else:
            widget.min, widget.max = min(widget.min, x), max(widget.max, x)
        return [(widget, x)]

    def grid(self) -> np.ndarray:
        """The axis grid: ``points`` values over the axis slider's range (integers for an int parameter)."""
        name = self.axis.value
        s, c = self.sliders[name], self.controls[name]
        lo, hi = (10.0**s.min, 10.0**s.max) if c.scale == "log" else (float(s.min), float(s.max))
        n = self.points if self._q().curve is not None else min(self.points, CERTIFIED_POINTS)
        if c.scale == "int":
            return np.arange(int(lo), int(hi) + 1, max(1, (int(hi) - int(lo)) // n), dtype=float)
        if self.log.value and lo > 0:
            return np.geomspace(lo, hi, n)
        return np.linspace(lo, hi, n)

    def values(self) -> dict[str, Any]:
        """The fixed parameters as the curve receives them (floats, ints, complex, text); the axis left out."""
        q = self._q()
        out: dict[str, Any] = {}
        for n in q.params:
            if n == self.axis.value or n not in self.sliders or (n in self.use and not self.use[n].value):
                continue
            c, v = self.controls[n], self.sliders[n].value
            if c.scale == "complex":
                v = complex(float(v), float(self.sliders[f"{n}.imag"].value))
            elif c.scale == "int":
                v = int(v)
            elif c.scale in ("log", "linear"):
                v = float(v)
            out[n] = v
        return out

    # ------------------------------------------------------------------ drawing
    def update(self) -> None:
        """Recompute the curve at the current values and redraw (called on every change)."""
        q, name = self._q(), self.axis.value
        x = self.grid()
        fixed = self.values()
        self.message.value = ""
        try:
            y, status, how = self._evaluate(q, name, x, fixed)
        except (ParameterError, ConvergenceError) as exc:
            y, status, how = np.full(x.shape, np.nan), np.full(x.shape, 2, dtype=int), "float64"
            self.message.value = f"<span style='color:#b00'>{_escape(' '.join(str(exc).split()))}</span>"
        marks = self._thresholds(q, name, x, fixed)
        self.data = {"x": x, "y": y, "status": status, "params": fixed, "how": how, "thresholds": marks}
        self._draw(q, name, x, y, status, fixed, how, marks)

    def _evaluate(self, q: QuantitySpec, name: str, x: np.ndarray, fixed: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str]:
        c = self.controls[name]
        ax = x + 1j * float(self.sliders[f"{name}.imag"].value) if c.scale == "complex" else x
        if q.curve is not None:
            try:
                values, status = q.curve(**{name: ax, **fixed})
            except ParameterError:
                if c.scale != "int":
                    raise
                pairs = [q.curve(**{name: int(v), **fixed}) for v in x]  # e.g. krr's d takes one integer
                values = np.array([np.asarray(v).reshape(-1)[0] for v, _ in pairs])
                status = np.array([int(np.asarray(s).reshape(-1)[0]) for _, s in pairs])
            return np.asarray(values), np.asarray(status, dtype=int), "float64"
        return self._certified(q, name, ax, fixed)

    def _certified(self, q: QuantitySpec, name: str, ax: np.ndarray, fixed: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str]:
        """A quantity without a float64 curve: certified values (15 digits) point by point, as floats."""
        import mpmath

        integer = self.controls[name].scale == "int"
        params = {k: _text(v) for k, v in fixed.items()}
        rows: list[list[complex]] = []
        status: list[int] = []
        first: ParameterError | None = None
        for v in ax:
            point = complex(v) if np.iscomplexobj(ax) else float(v)
            try:
                value = q.certified(**{name: _text(point, integer), **params}, dps=CERTIFIED_DPS).value
            except ParameterError as exc:
                first = first or exc
                rows.append([])
                status.append(2)
                continue
            except ConvergenceError:
                rows.append([])
                status.append(3)
                continue
            parts = list(value) if isinstance(value, tuple | list) else [value]
            rows.append([complex(p) for p in parts])
            status.append(1 if any(mpmath.isinf(p) for p in parts) else 0)
        if first is not None and all(st == 2 for st in status):
            raise first
        width = max((len(r) for r in rows), default=1)
        values = np.full((len(rows), width), np.nan, dtype=complex)
        for i, r in enumerate(rows):
            if r:
                values[i, : len(r)] = r
        if not np.any(values.imag[np.isfinite(values.imag)]):
            values = values.real
        return (values[:, 0] if width == 1 else values), np.asarray(status, dtype=int), f"certified, {CERTIFIED_DPS} digits"

    def _thresholds(self, q: QuantitySpec, name: str, x: np.ndarray, fixed: dict[str, Any]) -> list[tuple[float, str]]:
        try:
            from .thresholds import locate_thresholds
        except ImportError:
            return []
        try:
            texts = {k: _text(v) for k, v in fixed.items()}
            return locate_thresholds(self.model.name, q.name, name, float(x[0]), float(x[-1]), texts)
        except Exception:  # noqa: BLE001 - reference lines are a courtesy; the curve is what matters
            return []

    def _labels(self, name: str, quantity: str) -> tuple[str, str]:
        try:
            from .thresholds import axis_label, quantity_label

            return axis_label(self.model.name, name), quantity_label(self.model.name, quantity)
        except Exception:  # noqa: BLE001 - plain names when the labels cannot be made
            return name, quantity

    def _draw(self, q: QuantitySpec, name: str, x: np.ndarray, y: np.ndarray, status: np.ndarray,
              fixed: dict[str, Any], how: str, marks: list[tuple[float, str]]) -> None:  # fmt: skip
        ax = self.ax
        ax.clear()
        xlabel, ylabel = self._labels(name, q.name)
        ys = np.asarray(y)
        ys = ys.reshape(len(x), -1) if ys.size else np.full((len(x), 1), np.nan)
        ok = np.asarray(status).reshape(-1) == 0
        columns: list[tuple[np.ndarray, str, str]] = []
        for j in range(ys.shape[1]):
            col = ys[:, j]
            part = f"{q.name}[{j}]" if ys.shape[1] > 1 else None
            if np.iscomplexobj(col) and np.any(col.imag[ok & np.isfinite(col.imag)]):
                columns += [(col.real, f"Re {part or q.name}", "-"), (col.imag, f"Im {part or q.name}", "--")]
            else:
                columns.append((np.real(col), part or "", "-"))
        self.lines = []
        for k, (col, label, style) in enumerate(columns):
            masked = np.where(ok, col, np.nan).astype(float)
            (line,) = ax.plot(x, masked, style, color=f"C{k}", lw=1.8, label=label or None)
            self.lines.append(line)
        if self.controls[name].scale == "int":
            for line in self.lines:
                line.set_marker("o")
                line.set_markersize(3)
        for k, (xt, label) in enumerate(marks):
            ax.axvline(xt, color="0.45", ls=":", lw=1.2, label=label if label not in [m[1] for m in marks[:k]] else None)
        if self.log.value and x[0] > 0:
            ax.set_xscale("log")
        finite = np.concatenate([np.where(ok, c, np.nan)[np.isfinite(np.where(ok, c, np.nan))] for c, _, _ in columns])
        if self.ylog.value and finite.size and np.any(finite > 0):
            ax.set_yscale("log")
        elif finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            p10, p90 = np.percentile(finite, [10, 90])
            spread = max(p90 - p10, 1e-12 * max(abs(p90), 1.0))
            if hi - lo > 20 * spread:  # a spike (a ridgeless peak): keep the rest of the curve readable
                top = min(hi, p90 + 4 * spread)
                bottom = max(lo, p10 - 4 * spread)
                pad = 0.05 * (top - bottom)
                ax.set_ylim(bottom - pad, top + pad)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        shown = ", ".join(f"{k}={_short(v)}" for k, v in fixed.items())
        title = f"{self.model.name} {q.name} ({how})" + (f": {shown}" if shown else "")
        wrapped = textwrap.wrap(_plain(title), 80)
        ax.set_title("\n".join(wrapped), fontsize=9)
        self.figure.subplots_adjust(top=0.93 - 0.04 * len(wrapped))  # room for a title of one to three lines
        ax.grid(True, alpha=0.3)
        if any(line.get_label() and not line.get_label().startswith("_") for line in ax.get_lines()):
            ax.legend(fontsize=8, loc="best")
        if not ok.any():
            ax.text(0.5, 0.5, "no point inside the domain", transform=ax.transAxes, ha="center", va="center", color="0.4")
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        self.image.value = buf.getvalue()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<Explorer {self.model.name} {self.quantity.value} vs {self.axis.value}: {len(self.data.get('x', ()))} points>"


def _text(v: Any, integer: bool = False) -> str:
    """A value as the exact text the certified path reads (``repr`` of a float, ``1+0.5j``)."""
    if isinstance(v, complex):
        return f"{v.real!r}{'+' if v.imag >= 0 else '-'}{abs(v.imag)!r}j"
    if isinstance(v, bool | str):
        return str(v)
    if integer or isinstance(v, int | np.integer):
        return str(int(v))
    return repr(float(v))


def _short(v: Any) -> str:
    if isinstance(v, complex):
        return f"{v.real:.3g}{'+' if v.imag >= 0 else '-'}{abs(v.imag):.3g}j"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def _plain(text: str) -> str:
    return text.replace("$", r"\$")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def explore(model: str, quantity: str | None = None, *, axis: str | None = None, log: bool | None = None,
            points: int = POINTS, **params: Real | Complex | str | tuple[float, float]) -> Explorer:  # fmt: skip
    """A notebook widget: one slider per parameter of ``model`` and the live float64 curve of ``quantity``.

    Parameters
    ----------
    model : str
        A model name or alias (``"rf"``, ``"ridge"``, ``"mp"``, ``"krr"``, ``"nt"``, ``"lnn"``, a plug-in).
    quantity : str, optional
        The quantity drawn first (default: the model's first quantity); a dropdown changes it.
    axis : str, optional
        The parameter on the x-axis (default: the model's usual one, e.g. ``psi1`` for ``rf``,
        ``gamma`` for ``ridge``, ``x`` for ``mp`` densities); a dropdown changes it.
    log : bool, optional
        Geometric grid and log x-scale (default: when the axis parameter's range spans decades).
    points : int, optional
        Points of the float64 curve (default 400; a quantity drawn from certified values uses 80).
    **params
        Start values (``lam=1e-2``, ``activation="tanh"``, ``z=1+0.5j``) or, as a pair ``(lo, hi)``,
        a slider's range (``gamma=(0.2, 5)``: also the x-range when ``gamma`` is the axis).

    Returns
    -------
    Explorer
        The widget; a notebook cell ending in it shows it.  ``ex.sliders["lam"].value = 0.5`` (or
        ``ex.set(lam=0.5)``) redraws, and ``ex.data`` holds the curve drawn (``x``, ``y``, ``status``).

    Raises
    ------
    ParameterError
        Unknown model, quantity, axis or parameter (with a suggestion when one is close), a bad
        start value, or ipywidgets/matplotlib missing (``pip install 'asymptotics[explore]'``).

    Examples
    --------
    In a notebook::

        import asymptotics
        asymptotics.explore("rf", "risk", psi2=2, lam=1e-3)     # sliders for psi1, psi2, lam, ...
        ex = asymptotics.explore("ridge", axis="lam", gamma=2)  # risk against the penalty
        ex.sliders["sigma2"].value = 0.5                         # redraws; ex.data["y"] is the new curve
    """
    spec = get_model(model)
    if quantity is None:
        quantity = next(iter(spec.quantities))
    q = spec.quantity(quantity)
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or not 2 <= points <= 100_000:
        raise ParameterError(f"`points` must be an integer in [2, 100000]; got {points!r}.")
    if axis is not None:
        numeric = [n for n in q.params if n in spec.params and spec.params[n].kind in NUMERIC_KINDS]
        if axis not in numeric:
            from ._suggest import did_you_mean

            raise ParameterError(
                f"`axis` {axis!r} is not a numeric parameter of {spec.name} {q.name}; {did_you_mean(axis, numeric, quote='`')}"
                f"valid: {', '.join(numeric)}."
            )
    if log is not None and not isinstance(log, bool):
        raise ParameterError(f"`log` must be True, False or None; got {log!r}.")
    return Explorer(spec, q.name, axis, log, int(points), params)
