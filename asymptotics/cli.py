"""Command-line interface: ``asymptotics eval | curve | latex | list``.

::

    asymptotics eval mp stieltjes z=1+0.5j gamma=0.5 --dps 40 --json
    asymptotics curve ridge risk gamma=0.1:3:60 lam=0 r2=1 sigma2=0.25 --plot risk.png
    asymptotics curve ridge risk lam=0.01:1:5 gamma=0.5 --log --mc 20 --n 400
    asymptotics latex ridge --general
    asymptotics list

Parameters are given as ``NAME=VALUE`` and reach the model functions as *strings*, so
``gamma=0.001`` means the decimal 1/1000 exactly.  ``curve`` takes exactly one
``NAME=START:STOP:NUM`` axis (``numpy.linspace``, or ``geomspace`` with ``--log``).

Exit codes: 0 success; 2 bad input (unknown model/quantity/parameter, a value outside
the domain, malformed arguments); 3 a valid request that could not be certified
(:class:`~asymptotics.errors.ConvergenceError`).  Errors are one line on stderr,
``asymptotics: error: <message>``, never a traceback.

Monte Carlo overlays (``--mc``) come from the ``asymptotics.simulators`` entry-point
group, which the separate ``validation`` package provides; this module never imports
``validation`` itself.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from . import __version__
from ._validate import check_int, to_complex_fractions, to_fraction
from .errors import ConvergenceError, ParameterError
from .models import REGISTRY, get_model
from .models._registry import ModelSpec, QuantitySpec
from .precision import DEFAULT_DPS, check_dps
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, CurveResult, format_value

PROG = "asymptotics"
SIMULATOR_GROUP = "asymptotics.simulators"
MAX_POINTS = 1_000_000
STATUS_TEXT = "status: 0 ok, 1 +inf, 2 outside the domain (nan), 3 not converged (nan)"


class UsageError(ParameterError):
    """Malformed command line (reported like a :class:`ParameterError`, exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# ----------------------------------------------------------------------------- arguments
def _split_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["gamma=0.5", "z=1+0.5j"]`` → ``{"gamma": "0.5", "z": "1+0.5j"}`` (values stay strings)."""
    out: dict[str, str] = {}
    for item in pairs:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier() or not value:
            raise UsageError(f"malformed parameter {item!r}: expected NAME=VALUE, e.g. gamma=0.5.")
        if name in out:
            raise UsageError(f"parameter `{name}` given twice ({out[name]!r} and {value!r}).")
        out[name] = value
    return out


def _check_names(model: ModelSpec, q: QuantitySpec, given: Sequence[str]) -> None:
    """Unknown or missing parameter names → :class:`UsageError` listing the valid ones."""
    valid = ", ".join(_param_usage(model, q))
    unknown = [n for n in given if n not in q.params]
    if unknown:
        names = ", ".join(f"`{n}`" for n in unknown)
        raise UsageError(f"unknown parameter{'s' if len(unknown) > 1 else ''} {names} for {model.name} {q.name}; valid: {valid}.")
    missing = [n for n in q.params if n not in given and _default(model, n) is None]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        raise UsageError(f"missing parameter{'s' if len(missing) > 1 else ''} {names} for {model.name} {q.name}; valid: {valid}.")


def _default(model: ModelSpec, name: str) -> str | None:
    spec = model.params.get(name)
    return None if spec is None else spec.default


def _param_usage(model: ModelSpec, q: QuantitySpec) -> list[str]:
    out = []
    for n in q.params:
        d = _default(model, n)
        out.append(n if d is None else f"{n} (default {d})")
    return out


def _lookup(model_name: str, quantity: str) -> tuple[ModelSpec, QuantitySpec]:
    model = get_model(model_name)
    return model, model.quantity(quantity)


NUMERIC_KINDS = ("real", "complex", "int")


def _kind(model: ModelSpec, name: str) -> str:
    spec = model.params.get(name)
    return spec.kind if spec is not None else "real"


def _float_value(model: ModelSpec, name: str, text: str) -> Any:
    """A fixed parameter for the float64 path: parsed exactly, then rounded once.

    Non-numeric kinds (e.g. ridge's ``spectrum=power_law:...``) are passed on as text.
    """
    kind = _kind(model, name)
    if kind == "complex":
        re_, im_ = to_complex_fractions(name, text)
        return complex(float(re_), float(im_)) if im_ else float(re_)
    if kind == "int":
        return check_int(name, text)
    if kind == "real":
        return float(to_fraction(name, text, allow_inf=True))
    return text


@dataclass(frozen=True)
class Axis:
    name: str
    x: np.ndarray
    text: str
    kind: str = "real"

    def point(self, i: int) -> str:
        """The ``i``-th point as the string handed to the model (``repr`` of the float)."""
        return _point_text(self.x[i], self.kind)


def _point_text(x: Any, kind: str) -> str:
    x = float(x)
    return str(int(x)) if kind == "int" and x.is_integer() else repr(x)


def _parse_axis(name: str, spec: str, log: bool, kind: str = "real") -> Axis:
    parts = spec.split(":")
    if len(parts) != 3:
        raise UsageError(f"axis `{name}`={spec!r} must have the form START:STOP:NUM, e.g. {name}=0.1:3:60.")
    try:
        start, stop = float(to_fraction(name, parts[0])), float(to_fraction(name, parts[1]))
    except ParameterError:
        raise UsageError(f"axis `{name}`={spec!r}: START and STOP must be finite real numbers.") from None
    try:
        num = check_int(name, parts[2], low=1, high=MAX_POINTS)
    except ParameterError:
        raise UsageError(f"axis `{name}`={spec!r}: NUM must be an integer in [1, {MAX_POINTS}].") from None
    if log:
        if start <= 0 or stop <= 0:
            raise UsageError(f"axis `{name}`={spec!r}: --log needs START > 0 and STOP > 0.")
        x = np.geomspace(start, stop, num)
    else:
        x = np.linspace(start, stop, num)
    return Axis(name, x, spec, kind)


# ----------------------------------------------------------------------------- eval
def cmd_eval(args: argparse.Namespace) -> int:
    model, q = _lookup(args.model, args.quantity)
    params = _split_pairs(args.params)
    _check_names(model, q, list(params))
    dps = check_dps(args.dps)
    result = q.certified(**params, dps=dps)
    with mpmath.workdps(dps + 10):  # format at full precision whatever the global mp.dps
        out = json.dumps(result.to_dict()) if args.json else _text(format_value(result.value, dps))
    print(out)
    return 0


def _text(v: Any) -> str:
    return f"[{', '.join(_text(x) for x in v)}]" if isinstance(v, list) else str(v)


# ----------------------------------------------------------------------------- curve
def compute_curve(
    model_name: str,
    quantity: str,
    params: dict[str, str],
    *,
    log: bool = False,
    dps: int | None = None,
    mc: int | None = None,
    seed: int = 0,
    n: int | None = None,
    progress: bool = True,
) -> tuple[CurveResult, list[list[str]]]:
    """The curve behind ``asymptotics curve``: a :class:`CurveResult` and its value strings.

    ``params`` maps names to strings; exactly one has the form ``START:STOP:NUM``.
    The second return value holds, per point, the value as text (``repr`` of the float,
    or ``dps`` significant digits on the certified path); one string per component.
    """
    model, q = _lookup(model_name, quantity)
    # an axis is a numeric parameter given as START:STOP:NUM (text kinds such as
    # `spectrum=power_law:p=100,...` may contain colons of their own)
    axes = [k for k, v in params.items() if ":" in v and _kind(model, k) in NUMERIC_KINDS]
    if len(axes) != 1:
        found = "none" if not axes else ", ".join(f"`{a}`" for a in axes)
        raise UsageError(f"curve needs exactly one axis parameter NAME=START:STOP:NUM (e.g. gamma=0.1:3:60); found {found}.")
    _check_names(model, q, list(params))
    axis = _parse_axis(axes[0], params[axes[0]], log, _kind(model, axes[0]))
    fixed = {k: v for k, v in params.items() if k != axis.name}
    if dps is not None:
        dps = check_dps(dps)
    if mc is not None:
        check_int("mc", mc, low=1)
        simulator = _load_simulator(model.name)  # fail early, before the theory is computed
    if dps is not None or q.curve is None:
        values, status, texts = _certified_curve(model, q, axis, fixed, dps if dps is not None else DEFAULT_DPS, progress)
    else:
        values, status, texts = _float_curve(model, q, axis, fixed)
    mc_mean = mc_se = None
    if mc is not None:
        try:
            mc_mean, mc_se = simulator(
                model.name, q.name, axis.name, axis.x.copy(), dict(fixed), reps=mc, seed=seed, n=n, progress=progress
            )
        except NotImplementedError as exc:
            raise UsageError(f"Monte Carlo for {model.name} {q.name}: {exc}") from None
        mc_mean, mc_se = np.asarray(mc_mean, dtype=float), np.asarray(mc_se, dtype=float)
    result = CurveResult(model.name, q.name, axis.name, axis.x, values, status, dict(fixed), mc_mean, mc_se, mc)
    return result, texts


def _float_curve(
    model: ModelSpec, q: QuantitySpec, axis: Axis, fixed: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    assert q.curve is not None
    kwargs = {k: _float_value(model, k, v) for k, v in fixed.items()}
    values, status = q.curve(**{axis.name: axis.x, **kwargs})
    values, status = np.asarray(values), np.asarray(status, dtype=int)
    if status.size and np.all(status == STATUS_DOMAIN):
        _raise_domain_error(q, axis, fixed)
    if np.iscomplexobj(values) and not np.any(values.imag[~np.isnan(values.imag)]):
        values = values.real  # e.g. the Stieltjes transform on the real axis
    texts = [[_float_text(v)] for v in values]
    return values, status, texts


def _raise_domain_error(q: QuantitySpec, axis: Axis, fixed: dict[str, str]) -> None:
    """Every point is outside the domain: the certified path names the bad parameter."""
    q.certified(**{axis.name: axis.point(0), **fixed}, dps=15)
    raise UsageError(f"every point of the curve over `{axis.name}` = {axis.text} lies outside the domain of {q.name}.")


def _float_text(v: Any) -> str:
    if isinstance(v, complex | np.complexfloating):
        return str(complex(v)).strip("()")
    return repr(float(v))


def _certified_curve(
    model: ModelSpec, q: QuantitySpec, axis: Axis, fixed: dict[str, str], dps: int, progress: bool
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    from tqdm import tqdm

    raw: list[Any] = []
    status: list[int] = []
    first_error: ParameterError | None = None
    bar = tqdm(
        axis.x,
        desc=f"{model.name} {q.name} (dps={dps})",
        unit="pt",
        file=sys.stderr,
        disable=None if progress else True,
        leave=False,
    )
    for i, x in enumerate(bar):
        try:
            v = q.certified(**{axis.name: axis.point(i), **fixed}, dps=dps).value
        except ParameterError as exc:
            first_error = first_error or exc
            raw.append(None)
            status.append(STATUS_DOMAIN)
            continue
        except ConvergenceError as exc:
            bar.write(f"{PROG}: warning: {axis.name}={float(x)!r}: {_one_line(exc)}", file=sys.stderr)
            raw.append(None)
            status.append(STATUS_NOT_CONVERGED)
            continue
        raw.append(v)
        parts = v if isinstance(v, tuple | list) else (v,)
        status.append(STATUS_INFINITE if any(mpmath.isinf(p) for p in parts) else STATUS_OK)
    bar.close()
    if first_error is not None and all(s == STATUS_DOMAIN for s in status):
        raise first_error
    width = max((len(v) if isinstance(v, tuple | list) else 1 for v in raw if v is not None), default=1)
    is_complex = any(isinstance(v, mpmath.mpc) and v.imag != 0 for v in raw)
    values = np.full((len(raw), width) if width > 1 else len(raw), np.nan, dtype=complex if is_complex else float)
    texts: list[list[str]] = []
    for i, v in enumerate(raw):
        if v is None:
            texts.append(["nan"] * width)
            continue
        parts = list(v) if isinstance(v, tuple | list) else [v]
        with mpmath.workdps(dps + 10):
            texts.append([str(format_value(p, dps)) for p in parts])
        nums = [complex(p) if is_complex else float(mpmath.re(p)) for p in parts]
        values[i] = nums if width > 1 else nums[0]
    return values, np.asarray(status, dtype=int), texts


def _load_simulator(model_name: str) -> Callable[..., Any]:
    from importlib.metadata import entry_points

    hint = "Monte Carlo (--mc) needs the `validation` package installed: run `pip install -e .` in the asymptotics repository"
    matches = [ep for ep in entry_points(group=SIMULATOR_GROUP) if ep.name == model_name]
    if not matches:
        raise UsageError(f"{hint} (no simulator registered for model {model_name!r}).")
    try:
        return matches[0].load()
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"{hint} (loading {matches[0].value} failed: {_one_line(exc)}).") from None


def _columns(cr: CurveResult, texts: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    kind = _kind(get_model(cr.model), cr.axis)
    width = len(texts[0]) if texts else 1
    value_cols = [cr.quantity] if width == 1 else [f"{cr.quantity}_{j}" for j in range(width)]
    header = [cr.axis, *value_cols, "status"]
    if cr.mc_mean is not None:
        header += ["mc_mean", "mc_se"]
    rows = []
    for i, x in enumerate(cr.x):
        row = [_point_text(x, kind), *texts[i], str(int(cr.status[i]))]
        if cr.mc_mean is not None and cr.mc_se is not None:
            row += [repr(float(cr.mc_mean[i])), repr(float(cr.mc_se[i]))]
        rows.append(row)
    return header, rows


def _print_table(cr: CurveResult, header: list[str], rows: list[list[str]], how: str) -> None:
    fixed = " ".join(f"{k}={v}" for k, v in cr.params.items())
    lines = [f"# {cr.model} {cr.quantity} vs {cr.axis}{'; ' + fixed if fixed else ''}; {how}; {STATUS_TEXT}"]
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    for r in [header, *rows]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print("\n".join(lines))


def _write_csv(path: str, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
    except OSError as exc:
        raise UsageError(f"cannot write --csv file {path!r}: {exc.strerror or exc}.") from None


_LABELS = {
    "gamma": r"$\gamma = p/n$",
    "lam": r"$\lambda$ (normalized ridge penalty)",
    "r2": r"$r^2 = \|\beta\|^2$",
    "sigma2": r"$\sigma^2$",
    "tau2": r"$\tau^2$",
    "x": "$x$",
    "z": "$z$",
    "k": "$k$",
}


def _plot(cr: CurveResult, path: str, log: bool, how: str) -> None:
    try:
        import matplotlib
    except ImportError:
        raise UsageError('--plot needs matplotlib: pip install "asymptotics[plot]".') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
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
    ax.set_xlabel(_LABELS.get(cr.axis, cr.axis))
    ax.set_ylabel(f"{cr.quantity} ({get_model(cr.model).quantity(cr.quantity).doc})")
    fixed = ", ".join(f"{k}={v}" for k, v in cr.params.items())
    ax.set_title(f"{cr.model}: {cr.quantity} vs {cr.axis}" + (f" ({fixed})" if fixed else ""), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.text(0.99, 0.01, how, ha="right", va="bottom", fontsize=7, color="0.5")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except OSError as exc:
        raise UsageError(f"cannot write --plot file {path!r}: {exc.strerror or exc}.") from None
    finally:
        plt.close(fig)


def cmd_curve(args: argparse.Namespace) -> int:
    params = _split_pairs(args.params)
    cr, texts = compute_curve(args.model, args.quantity, params, log=args.log, dps=args.dps, mc=args.mc, seed=args.seed, n=args.n)
    model = get_model(args.model)
    if args.dps is not None:
        how = f"certified, {args.dps} digits"
    elif model.quantity(args.quantity).curve is None:
        how = f"certified, {DEFAULT_DPS} digits"
    else:
        how = "float64"
    header, rows = _columns(cr, texts)
    _print_table(cr, header, rows, how)
    if args.csv:
        _write_csv(args.csv, header, rows)
    if args.plot:
        _plot(cr, args.plot, args.log, how)
    for path, what in ((args.csv, "table"), (args.plot, "plot")):
        if path:
            print(f"{PROG}: wrote {what} to {path}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- latex, list
def cmd_latex(args: argparse.Namespace) -> int:
    model = get_model(args.model)
    if args.general:
        if "general" not in inspect.signature(model.system).parameters:
            takes = [m.name for m in REGISTRY.values() if "general" in inspect.signature(m.system).parameters]
            raise UsageError(f"--general is not available for model {model.name!r} (only for: {', '.join(takes)}).")
        system = model.system(general=True)  # type: ignore[call-arg]
    else:
        system = model.system()
    print(system.latex())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    lines = []
    for name in sorted(REGISTRY):
        model = REGISTRY[name]
        alias = f" (aliases: {', '.join(model.aliases)})" if model.aliases else ""
        lines.append(f"{name}{alias}: {model.doc}")
        lines.append("  parameters:")
        for p in model.params.values():
            default = "no default" if p.default is None else f"default {p.default}"
            lines.append(f"    {p.name:<8} {p.kind:<7} {default:<11} {p.doc}")
        lines.append("  quantities:")
        for q in model.quantities.values():
            curve = "" if q.curve is None else "  [float64 curve]"
            lines.append(f"    {q.name:<15} {q.doc} ({', '.join(q.params)}){curve}")
        lines.append("")
    print("\n".join(lines).rstrip())
    return 0


# ----------------------------------------------------------------------------- parser
def _build_parser() -> tuple[_Parser, dict[str, _Parser]]:
    parser = _Parser(
        prog=PROG,
        description="Exact high-dimensional asymptotics: Marchenko-Pastur law and ridge regression.",
        epilog="Exit codes: 0 ok, 2 bad input, 3 not certified (ConvergenceError). Run `asymptotics list` for models.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("eval", help="one certified value", description="Print one certified value of MODEL QUANTITY.")
    p.add_argument("model", metavar="MODEL", help="model name: " + ", ".join(sorted(REGISTRY)))
    p.add_argument("quantity", metavar="QUANTITY", help="quantity name (see `asymptotics list`)")
    p.add_argument("params", metavar="NAME=VALUE", nargs="*", help="parameters, read exactly (e.g. gamma=0.5 z=1+0.5j)")
    p.add_argument("--dps", type=_dps, default=DEFAULT_DPS, metavar="N", help=f"significant digits (default {DEFAULT_DPS})")
    p.add_argument("--json", action="store_true", help="print the full result (value, residual, ...) as JSON")
    p.set_defaults(func=cmd_eval)
    parsers = {"eval": p}

    p = sub.add_parser(
        "curve",
        help="a curve over one parameter (table, CSV, plot, Monte Carlo)",
        description="Evaluate MODEL QUANTITY along one axis NAME=START:STOP:NUM; other parameters fixed. "
        "Default: vectorized float64; --dps N: certified values with N digits. " + STATUS_TEXT + ".",
    )
    p.add_argument("model", metavar="MODEL")
    p.add_argument("quantity", metavar="QUANTITY")
    p.add_argument("params", metavar="NAME=VALUE", nargs="*", help="exactly one NAME=START:STOP:NUM, the rest NAME=VALUE")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.add_argument("--plot", metavar="FILE.png", help="write a matplotlib figure (needs the [plot] extra)")
    p.add_argument("--mc", type=_int("--mc", 1), metavar="REPS", help="overlay Monte Carlo means ± SE with REPS repetitions")
    p.add_argument("--dps", type=_dps, metavar="N", help="certified values with N digits instead of float64")
    p.add_argument("--seed", type=_int("--seed"), default=0, metavar="S", help="Monte Carlo seed (default 0)")
    p.add_argument("--n", type=_int("--n", 1), metavar="N", help="Monte Carlo sample size n (default: the simulator's)")
    p.add_argument("--log", action="store_true", help="geometric spacing of the axis and a log x-scale")
    p.set_defaults(func=cmd_curve)
    parsers["curve"] = p

    p = sub.add_parser(
        "latex", help="the model's equations in LaTeX", description="Print the model's equations as a LaTeX align block."
    )
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--general", action="store_true", help="ridge: the general-spectrum (block) system")
    p.set_defaults(func=cmd_latex)
    parsers["latex"] = p

    p = sub.add_parser("list", help="models, quantities and parameters", description="List models, quantities and parameters.")
    p.set_defaults(func=cmd_list)
    parsers["list"] = p
    return parser, parsers


def _dps(text: str) -> int:
    try:
        return check_dps(text)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _int(flag: str, low: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{flag}` must be an integer; got {text!r}.") from None
        if low is not None and v < low:
            raise argparse.ArgumentTypeError(f"`{flag}` must be an integer >= {low}; got {text!r}.")
        return v

    return parse


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input, 3 not certified)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser, parsers = _build_parser()
        if argv and argv[0] in parsers:
            # options may come between NAME=VALUE pairs (e.g. `eval mp edges --json gamma=2`)
            args = parsers[argv[0]].parse_intermixed_args(argv[1:])
            args.command = argv[0]
        else:
            args = parser.parse_args(argv)
        return int(args.func(args))
    except ConvergenceError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 3
    except ParameterError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `asymptotics curve ... | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


__all__ = ["compute_curve", "main"]
