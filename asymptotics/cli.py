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
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import mpmath

from . import __version__
from .errors import ConvergenceError, ParameterError
from .models._registry import BUILTIN_MODELS, REGISTRY, ModelSpec, QuantitySpec, get_model, load_failures
from .precision import DEFAULT_DPS, check_dps, serialized
from .result import format_value

if TYPE_CHECKING:
    from .result import CurveResult

# Start-up: `asymptotics eval ridge risk ...` imports the ridge module only (the registry loads
# models lazily); the curve machinery, plotting (matplotlib) and SymPy are imported by the
# commands that need them.

PROG = "asymptotics"
SIMULATOR_GROUP = "asymptotics.simulators"
MAX_POINTS = 1_000_000
STATUS_TEXT = "status: 0 ok, 1 +inf, 2 outside the domain (nan), 3 not converged (nan)"


class UsageError(ParameterError):
    """Malformed command line (reported like a :class:`ParameterError`, exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(f"{message}{self._hint(message)} (see `{self.prog} --help`)")

    def _hint(self, message: str) -> str:
        """``; did you mean '--dps'?`` for a misspelled option (argparse names it ``unrecognized arguments``)."""
        if not message.startswith("unrecognized arguments:"):
            return ""
        from ._suggest import close_matches

        options = [o for o in self._option_string_actions if o.startswith("--")]
        for word in message.partition(":")[2].split():
            found = close_matches(word.partition("=")[0], options) if word.startswith("-") else []
            if found:
                return f"; did you mean {found[0]!r}?"
        return ""


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


def _lookup(model_name: str, quantity: str) -> tuple[ModelSpec, QuantitySpec]:
    model = get_model(model_name)
    return model, model.quantity(quantity)


# ----------------------------------------------------------------------------- eval
@serialized  # formats with mpmath.workdps: the global precision
def cmd_eval(args: argparse.Namespace) -> int:
    model, q = _lookup(args.model, args.quantity)
    params = _split_pairs(args.params)
    model.check_names(q, list(params))
    dps = check_dps(args.dps)
    result = q.certified(**params, dps=dps)
    with mpmath.workdps(dps + 10):  # format at full precision whatever the global mp.dps
        out = json.dumps(result.to_dict()) if args.json else _text(format_value(result.value, dps))
    if args.enclosure and not args.json:
        enc = result.enclosure
        if not result.proven or enc is None:
            out += "  estimate"
        else:
            out += "  proven " + (", ".join(str(e) for e in enc) if isinstance(enc, tuple | list) else str(enc))
    print(out)
    return 0


def _text(v: Any) -> str:
    return f"[{', '.join(_text(x) for x in v)}]" if isinstance(v, list) else str(v)


# ----------------------------------------------------------------------------- curve
def _columns(cr: CurveResult, texts: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    from .curves import _kind, _point_text

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


def _opt_certified(model: Any, quantity: str, params: dict[str, str]) -> bool:
    """``lam=opt`` on a quantity other than the risk: :func:`~asymptotics.curves.curve` takes the certified path."""
    from .tuning import float64_tunable, is_opt

    return is_opt(params.get("lam")) and not float64_tunable(model.quantity(quantity))


def cmd_curve(args: argparse.Namespace) -> int:
    if len(_map_axes(args)) >= 2:  # two NAME=START:STOP:NUM axes: a two-parameter map
        return _cmd_curve_map(args)
    from .curves import curve

    params = _split_pairs(args.params)
    (log,) = _log_flags(args, _axis_names(args)) or (args.log,)
    plot = _plot_path(args)
    cr, texts = curve(args.model, args.quantity, params, log=log, dps=args.dps, mc=args.mc, seed=args.seed, n=args.n)
    model = get_model(args.model)
    if args.dps is not None:
        how = f"certified, {args.dps} digits"
    elif model.quantity(args.quantity).curve is None or _opt_certified(model, args.quantity, params):
        how = f"certified, {DEFAULT_DPS} digits"
    else:
        how = "float64"
    header, rows = _columns(cr, texts)
    _print_table(cr, header, rows, how)
    if args.csv:
        _write_csv(args.csv, header, rows)
    if plot:
        from .plotting import plot_curve

        plot_curve(cr, plot, log=log, how=how)
    for path, what in ((args.csv, "table"), (plot, "plot")):
        if path:
            print(f"{PROG}: wrote {what} to {path}", file=sys.stderr)
    return 0


def _plot_path(args: argparse.Namespace) -> str | None:
    """The file ``--plot`` writes (``.png`` added to a name without extension), checked before any work."""
    if not args.plot:
        return None
    from .plotting import figure_path

    return figure_path(args.plot)


def _axis_names(args: argparse.Namespace) -> list[str]:
    """The numeric parameters given as START:STOP:NUM, in the order given."""
    from .curves import NUMERIC_KINDS, _kind

    params = _split_pairs(args.params)
    if not any(":" in v for v in params.values()):
        return []
    model = get_model(args.model)
    return [k for k, v in params.items() if ":" in v and _kind(model, k) in NUMERIC_KINDS]


def _log_flags(args: argparse.Namespace, axes: list[str]) -> tuple[bool, ...]:
    """Per axis: geometric spacing? (``--log``: every axis; ``--log-axes a,b``: those named.)"""
    names = [n.strip() for n in (args.log_axes or "").split(",") if n.strip()]
    if args.log_axes is not None and not names:
        raise UsageError("`--log-axes` needs comma-separated axis names, e.g. --log-axes lam.")
    unknown = [n for n in names if n not in axes]
    if unknown:
        have = ", ".join(f"`{a}`" for a in axes) or "none"
        raise UsageError(f"`--log-axes`: `{unknown[0]}` is not an axis NAME=START:STOP:NUM of this curve (axes: {have}).")
    return tuple(bool(args.log or a in names) for a in axes)


def _map_axes(args: argparse.Namespace) -> list[str]:
    """The numeric parameters given as START:STOP:NUM (text kinds such as ``spectrum=...`` may hold colons)."""
    from .curves import NUMERIC_KINDS, _kind

    params = _split_pairs(args.params)
    if sum(":" in v for v in params.values()) < 2:
        return []
    model = get_model(args.model)
    return [k for k, v in params.items() if ":" in v and _kind(model, k) in NUMERIC_KINDS]


def _cmd_curve_map(args: argparse.Namespace) -> int:
    """``curve`` with two axes: a long-form table (axis1, axis2, value, status), --csv, --plot a heatmap.

    Both axes follow ``--log``, or those named by ``--log-axes``; pandas/xarray are not needed.  ``--mc`` is
    refused (Monte Carlo over a grid: ``asymptotics.sweep(..., mc=REPS)`` from Python).
    """
    from .curves import _float_text, _kind, _point_text, parse_axis
    from .sweeps import _evaluate, _prepare

    params = _split_pairs(args.params)
    model, q = _lookup(args.model, args.quantity)
    axes = _map_axes(args)
    if len(axes) != 2:
        found = ", ".join(f"`{a}`" for a in axes)
        raise UsageError(f"a map takes exactly two axes NAME=START:STOP:NUM; found {found}.")
    if args.mc is not None:
        raise UsageError(
            "--mc needs exactly one axis NAME=START:STOP:NUM (a two-axis map draws the theory only; for Monte Carlo "
            "over a grid use asymptotics.sweep(..., mc=REPS) from Python)."
        )
    model.check_names(q, list(params))
    logs = _log_flags(args, axes)
    plot = _plot_path(args)
    grid_axes = {a: parse_axis(a, params[a], lg, _kind(model, a)) for a, lg in zip(axes, logs, strict=True)}
    req = _prepare(model.name, q.name, {k: grid_axes[k].x if k in grid_axes else v for k, v in params.items()}, outer=True)
    dps = None if args.dps is None else check_dps(args.dps)
    res = _evaluate(req, dps, None)
    how = "float64" if res.how == "float64" else f"certified, {res.dps} digits"
    width = 1 if res.values.ndim == 1 else res.values.shape[1]
    header = [*axes, *([q.name] if width == 1 else [f"{q.name}_{j}" for j in range(width)]), "status"]
    rows = []
    for i in range(req.size):
        vals = res.texts[i] if res.texts is not None else [_float_text(v) for v in res.values.reshape(req.size, -1)[i]]
        rows.append([*(_point_text(req.flat[a][i], _kind(model, a)) for a in axes), *vals, str(int(res.status[i]))])
    fixed = " ".join(f"{k}={v}" for k, v in params.items() if k not in axes)
    lines = [f"# {model.name} {q.name} over {axes[0]} x {axes[1]}{'; ' + fixed if fixed else ''}; {how}; {STATUS_TEXT}"]
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    print("\n".join(lines))
    if args.csv:
        _write_csv(args.csv, header, rows)
    if plot:
        from .maps import _draw, _Map
        from .sweeps import _labels

        shape = tuple(len(grid_axes[a].x) for a in axes)
        if width > 1 or res.values.dtype.kind == "c":
            raise UsageError(f"--plot of a map draws one real value per point; {model.name} {q.name} is complex or a vector.")
        fixed_values = {k: v for k, v in params.items() if k not in axes}
        m = _Map(
            grid_axes[axes[0]].x, grid_axes[axes[1]].x, res.values.reshape(shape).T, res.status.reshape(shape).T.astype(float),
            axes[0], axes[1], _labels(model.name, q.name, axes), model.name, q.name, fixed_values,
        )  # fmt: skip
        _draw(m, plot, log=(logs[0], logs[1]), how=how)
    for path, what in ((args.csv, "table"), (plot, "plot")):
        if path:
            print(f"{PROG}: wrote {what} to {path}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- latex, list
def cmd_latex(args: argparse.Namespace) -> int:
    model = get_model(args.model)
    if args.form is not None:
        if "form" not in inspect.signature(model.system).parameters:
            takes = [m.name for m in REGISTRY.values() if "form" in inspect.signature(m.system).parameters]
            raise UsageError(f"--form is not available for model {model.name!r} (only for: {', '.join(takes)}).")
        system = model.system(form=args.form)  # type: ignore[call-arg]
    elif args.general:
        if "general" not in inspect.signature(model.system).parameters:
            takes = [m.name for m in REGISTRY.values() if "general" in inspect.signature(m.system).parameters]
            raise UsageError(f"--general is not available for model {model.name!r} (only for: {', '.join(takes)}).")
        system = model.system(general=True)  # type: ignore[call-arg]
    else:
        system = model.system()
    if args.out is None:
        print(system.latex())
        return 0
    from .symbolic.latex import standalone

    try:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(standalone(system, model.doc))
    except OSError as exc:
        raise UsageError(f"cannot write `--out` {args.out!r}: {exc.strerror or exc}.") from None
    print(f"wrote {args.out}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    names = getattr(args, "models", None) or []
    width = _list_width()
    lines: list[str] = []
    if names:  # `asymptotics list ridge rf`: those models only (a misspelled name → did you mean)
        models = {}
        for name in names:
            model = get_model(name)
            models.setdefault(model.name, model)
        order = list(models)
    else:
        models = dict(REGISTRY.items())  # loads every model; a broken plug-in is left out and noted below
        order = sorted(models)
    for name in order:
        lines += _list_model(models[name], width)
        lines.append("")
    if not names:
        for name, reason in sorted(load_failures().items()):
            if name not in models:
                lines.append(f"{name}: not available ({reason})")
    print("\n".join(lines).rstrip())
    return 0


_NBSP = "\x00"  # keeps `[float64 curve]` and `name:` together while wrapping


def _list_width() -> int:
    """Columns for ``asymptotics list``: the terminal's (at least 60) when stdout is one, else 100."""
    import shutil

    try:
        tty = sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    return max(60, shutil.get_terminal_size((100, 24)).columns) if tty else 100


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` wrapped to ``width`` columns: the first line after ``first``, the others after ``rest``.

    A run without spaces longer than the room left (``relu|abs|tanh|...``, ``0,1,1,1``) breaks after a
    ``|``, ``,`` or ``/``; only a single unbreakable word longer than a whole line can overflow.
    """
    import re
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _split(self, chunk_text: str) -> list[str]:
            out: list[str] = []
            for chunk in super()._split(chunk_text):
                if len(chunk) > 16 and not chunk.isspace() and _NBSP not in chunk:  # kept-together text stays whole
                    out += [c for c in re.split(r"(?<=[|,/])(?=[^|,/\s])", chunk) if c]
                else:
                    out.append(chunk)
            return out

    wrapper = Wrapper(
        width=max(width, len(first) + 20), initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
    return [line.replace(_NBSP, " ").rstrip() for line in wrapper.wrap(text)] or [first.rstrip()]


def _table(rows: list[list[str]], width: int, indent: str = "    ") -> list[str]:
    """Rows aligned in columns (computed widths); the last column wraps, continuing at its own offset."""
    if not rows:
        return []
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]) - 1)]
    lines = []
    for r in rows:
        head = indent + "".join(c.ljust(w + 2) for c, w in zip(r[:-1], widths, strict=True))
        lines += _wrap(r[-1], width, head, " " * len(head))
    return lines


def _list_model(model: ModelSpec, width: int) -> list[str]:
    """The ``asymptotics list`` block of one model: header, parameter table, quantity table."""
    alias = f" (aliases: {', '.join(model.aliases)})" if model.aliases else ""
    lines = _wrap(f"{model.name}{alias}:".replace(" ", _NBSP) + f" {model.doc}", width, "", "  ")
    lines.append("  parameters:")
    rows = []
    for p in model.params.values():
        default = "no default" if p.default is None else f"default {p.default}"
        rows.append([p.name, p.kind, default, p.doc])
    lines += _table(rows, width)
    lines.append("  quantities:")
    name_width = max((len(q.name) for q in model.quantities.values()), default=0)
    column = " " * (4 + name_width + 2)
    first_with: dict[tuple[str, str], str] = {}  # (proof, note) → the first quantity that has it
    for q in model.quantities.values():
        curve = f" [float64{_NBSP}curve]" if q.curve is not None else ""
        text = f"{q.doc} ({', '.join(q.params)}){curve}"
        note = q.proof_note
        if note and (q.proof, note) in first_with:
            note = f"as for {first_with[(q.proof, note)]}"  # krr's long note once, not five times
        elif note:
            first_with[(q.proof, note)] = q.name
        proof = f"[{q.proof}: {note}]" if note else f"[{q.proof}]"
        head = f"    {q.name.ljust(name_width)}  "
        if len(column) + len(proof) <= width:  # a short proof ends the last line, or takes one of its own
            lines += _wrap(f"{text} {proof.replace(' ', _NBSP)}", width, head, column)
        else:  # a long proof note on continuation lines of its own
            lines += _wrap(text, width, head, column)
            lines += _wrap(proof, width, column, column)
    return lines


# ----------------------------------------------------------------------------- parser
DESCRIPTION = (
    "Exact high-dimensional asymptotics of linearized neural networks: the Marchenko-Pastur law, ridge regression, "
    "random features, kernel ridge regression, neural tangent models and deep linear networks. `eval` prints one value "
    "certified to any number of digits; `curve` a float64 (or certified) curve with optional Monte Carlo overlay."
)
EPILOG = "Exit codes: 0 ok, 2 bad input, 3 not certified (ConvergenceError). Run `asymptotics list` for models."


def _build_parser(full_help: bool = False) -> tuple[_Parser, dict[str, _Parser]]:
    """The parser and its sub-parsers; ``full_help``: the top-level description lists every model
    (loads the six built-in models, ~0.15 s, so only for ``asymptotics --help``)."""
    parser = _Parser(
        prog=PROG,
        description=_help_text(full_help),
        epilog=_fill(EPILOG) if full_help else EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("eval", help="one certified value", description="Print one certified value of MODEL QUANTITY.")
    known = sorted({*BUILTIN_MODELS, *dict.keys(REGISTRY)})  # no scan of installed plug-ins at start-up
    p.add_argument("model", metavar="MODEL", help=f"model name: {', '.join(known)} or a plug-in (see `asymptotics list`)")
    p.add_argument("quantity", metavar="QUANTITY", help="quantity name (see `asymptotics list`)")
    p.add_argument("params", metavar="NAME=VALUE", nargs="*", help="parameters, read exactly (e.g. gamma=0.5 z=1+0.5j)")
    p.add_argument("--dps", type=_dps, default=DEFAULT_DPS, metavar="N", help=f"significant digits (default {DEFAULT_DPS})")
    p.add_argument("--json", action="store_true", help="print the full result (value, residual, ...) as JSON")
    p.add_argument(
        "--enclosure",
        action="store_true",
        help="after the value, print `proven [lo, hi]` (ball arithmetic proved every digit) or `estimate` (precision ladder)",
    )
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
    p.add_argument("--log", action="store_true", help="geometric spacing of the axis (of both axes of a map) and a log scale")
    p.add_argument(
        "--log-axes",
        metavar="NAMES",
        help="comma-separated axis names to space geometrically, on a log scale (e.g. --log-axes lam for a map over "
        "gamma linear and lam log); --log means all axes",
    )
    p.set_defaults(func=cmd_curve)
    parsers["curve"] = p

    p = sub.add_parser(
        "latex", help="the model's equations in LaTeX", description="Print the model's equations as a LaTeX align block."
    )
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--general", action="store_true", help="ridge: the general-spectrum (block) system")
    p.add_argument(
        "--form",
        metavar="FORM",
        help="rf: general (default) | scalar | ridgeless | kernel_limit | data_limit; "
        "krr: de (default, finite d) | level (d -> inf); nt: nt (default) | ntk; "
        "lnn: end_to_end (default) | singular_value | aligned",
    )
    p.add_argument("--out", metavar="FILE.tex", help="write a standalone LaTeX document instead of printing the block")
    p.set_defaults(func=cmd_latex)
    parsers["latex"] = p

    p = sub.add_parser(
        "list",
        help="models, quantities and parameters",
        description="List models, quantities and parameters (all models, or the models named).",
    )
    p.add_argument("models", metavar="MODEL", nargs="*", help="only these models (names or aliases)")
    p.set_defaults(func=cmd_list)
    parsers["list"] = p
    return parser, parsers


def _fill(text: str) -> str:
    import textwrap

    return textwrap.fill(text, width=min(100, max(60, _help_width())), break_on_hyphens=False)


def _help_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns - 2  # as argparse's HelpFormatter


def _help_text(full: bool) -> str:
    """The top-level description; ``full``: with one line per model and a line for the plug-ins."""
    if not full:  # shown by `--help` only: no wrapping, no model loaded for the other commands
        return DESCRIPTION
    text = _fill(DESCRIPTION)
    from .models._registry import BUILTIN_MODELS as builtin
    from .models._registry import _installed_entry_points

    width = min(100, max(60, _help_width()))
    lines = [text, "", "models (`asymptotics list MODEL` shows parameters and quantities):"]
    pad = max(len(n) for n in builtin) + 2
    for name in sorted(builtin):
        try:
            doc = get_model(name).doc
        except ParameterError as exc:  # a broken installation: say so, keep the help
            doc = f"not available ({_one_line(exc)})"
        lines += _wrap(_summary(doc, width - 2 - pad), width, f"  {name.ljust(pad)}", " " * (2 + pad))
    plugins = sorted(set(_installed_entry_points()) - set(builtin))
    lines += _wrap(f"plug-ins: {', '.join(plugins) if plugins else 'none installed'} (entry-point group "
                   "`asymptotics.models`)", width, "  ", "    ")  # fmt: skip
    return "\n".join(lines)


def _summary(doc: str, room: int) -> str:
    """A model's doc without its final period; longer than ``room``: cut at the first ``; ``, last ``, ``, first ``: ``."""
    doc = " ".join(doc.split()).rstrip(".")
    if len(doc) > room and doc.find("; ") > 0:
        doc = doc[: doc.find("; ")]
    if len(doc) > room and doc.rfind(", ", 0, room) > 0:
        doc = doc[: doc.rfind(", ", 0, room)]
    if len(doc) > room and doc.find(": ") > 0:
        doc = doc[: doc.find(": ")]
    return doc


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


def _unknown_command(word: str, commands: list[str]) -> str:
    """``unknown command 'evl'; did you mean 'eval'? commands: ...`` (a model name: did you mean `eval MODEL`)."""
    from ._suggest import did_you_mean
    from .models._registry import BUILTIN_ALIASES

    hint = did_you_mean(word, commands)
    if not hint and (word in BUILTIN_MODELS or word in BUILTIN_ALIASES):
        hint = f"did you mean `{PROG} eval {word} QUANTITY ...`? "
    return f"unknown command {word!r}; {hint}commands: {', '.join(commands)} (see `{PROG} --help`)."


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input, 3 not certified)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown once each, never raised (even under -W error)
        warnings.showwarning = _show_warning
        return _main(argv)


def _show_warning(message: Any, category: type[Warning], *_: Any, **__: Any) -> None:
    """Library warnings (regime, precision) as one line on stderr, without a source line."""
    print(f"{PROG}: warning: {_one_line(message)}", file=sys.stderr)


def _main(argv: list[str]) -> int:
    try:
        parser, parsers = _build_parser(full_help=not argv or argv[0] in ("-h", "--help"))
        if argv and not argv[0].startswith("-") and argv[0] not in parsers:
            raise UsageError(_unknown_command(argv[0], list(parsers)))
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


__all__ = ["main"]
