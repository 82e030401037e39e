"""``python -m validation``: experiments that go beyond one theory-vs-simulation number.

Subcommands (each shows tqdm progress and writes PNG figures plus a JSON/Markdown table):

* ``validate MODEL [--points K] [--reps R] [--sizes d1,d2,...] [--quantity Q] [--seed S]
  [--design sobol|lhs|hypothesis] [--out DIR] [--scheduler auto|local|inprocess|ADDRESS]
  [--workers N] [--fresh]`` — a validation campaign (:mod:`validation.campaign`): K parameter
  points of MODEL (mp, ridge, rf, krr, nt) over its documented ranges (:mod:`validation.points`),
  a space-filling Sobol design by default (``lhs``: a Latin hypercube; ``hypothesis``: edge-seeking
  property draws), theory against Monte Carlo at each size, a report (``report.json``,
  ``report.csv``, ``report.png``) and a printed summary.  ``--scheduler auto`` (default) runs the
  points in this process and moves them to a Dask LocalCluster only when the remaining work is
  large enough to pay for one (the choice is printed in one line).  A campaign resumes from
  ``DIR/points.jsonl`` when rerun;
* ``lnn [--out DIR] [--quick]`` — deep linear networks: implicit acceleration (ℓ₂ vs ℓ₄),
  matrix completion (error, nuclear norm, effective rank vs observations and depth),
  singular-value trajectories in matrix sensing (the lecture notes' three figures, small scale);
* ``nt [--out DIR] [--quick]`` — neural tangent: NT vs RF vs KRR test error against the number of
  parameters (both interpolation peaks), and the lazy-training distances against α with their
  fitted slopes;
* ``network [--out DIR] [--quick] [--seed S]`` — a two-layer network trained by gradient descent on
  single-index targets (Hermite degree k = 1, 2, 3) at n ≍ d against the kernel/RF/NT predicted risks
  at the same n, d (:mod:`validation.beyond_linear`): ``beyond_linear_network.png``,
  ``beyond_linear.csv`` and ``beyond_linear.md`` (measured and theory columns marked).

Exit codes: 0 ok, 1 a campaign's pass share below ``--fail-below``, 2 bad input (also an
``--out`` that is not a writable directory, a campaign directory in use by another run, or a
simulation above the memory limit ``ASYMPTOTICS_MAX_MEMORY_GB``, default 2 GiB), 130
interrupted (what finished is saved: rerun the same command to resume).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from asymptotics._validate import check_real
from asymptotics.errors import ParameterError

from ._outdir import make_dir


def _out_dir(out: str) -> str:
    """Create ``--out`` (a directory) and prove it writable by creating and removing a file in it, so a
    bad ``--out`` is one line before any experiment runs."""
    make_dir(out)
    try:
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise ParameterError(f"`out` directory {out!r} is not writable ({exc.strerror or type(exc).__name__}).") from None
    return out


@contextlib.contextmanager
def _writing(out: str) -> Iterator[None]:
    """Turn a failure to write into ``--out`` (disk full, directory removed meanwhile) into one line."""
    try:
        yield
    except OSError as exc:
        name = exc.filename or out
        raise ParameterError(f"`out`: cannot write {name!r} ({exc.strerror or type(exc).__name__}).") from None


def _lnn(args: argparse.Namespace) -> int:
    from .simulators import linear_networks as lnn

    with _writing(_out_dir(args.out)):
        table = lnn.figures(args.out, quick=args.quick, progress=True)
    with open(os.path.join(args.out, "table.md"), encoding="utf-8") as fh:
        print(fh.read())
    print(f"figures and table written to {args.out} ({len(table['completion'])} completion rows)")
    return 0


def _nt(args: argparse.Namespace) -> int:
    import numpy as np

    from asymptotics.models import neural_tangent as theory

    from .simulators import neural_tangent as nt

    _out_dir(args.out)
    curves = nt.parameter_curves(
        d=20 if args.quick else 40,
        psi2=6,
        ratios=np.geomspace(0.1, 20, 11 if args.quick else 17),
        reps=4 if args.quick else 20,
        progress=True,
    )
    with _writing(args.out):
        nt.plot_parameter_curves(curves, os.path.join(args.out, "nt_rf_parameters.png"))
    runs = [nt.lazy_training(seed=s, progress=True) for s in range(1 if args.quick else 3)]
    slopes = {k: [r.slopes()[k] for r in runs] for k in theory.LAZY_RATES}
    table = {
        "parameter_curves": {
            "nt_widths": curves.widths["nt"].tolist(),
            "nt_mean": curves.mc["nt"][0].tolist(),
            "nt_se": curves.mc["nt"][1].tolist(),
            "rf_widths": curves.widths["rf"].tolist(),
            "rf_mean": curves.mc["rf"][0].tolist(),
            "rf_se": curves.mc["rf"][1].tolist(),
            "d": curves.d,
            "n": curves.n,
        },
        "lazy": {
            "alphas": runs[0].alphas.tolist(),
            "prediction_gap": runs[0].prediction_gap.tolist(),
            "parameter_gap": runs[0].parameter_gap.tolist(),
            "displacement": runs[0].displacement.tolist(),
            "slopes": slopes,
            "predicted": theory.LAZY_RATES,
        },
    }
    with _writing(args.out), open(os.path.join(args.out, "nt_table.json"), "w", encoding="utf-8") as fh:
        json.dump(table, fh, indent=1)
    for k, v in slopes.items():
        print(f"lazy {k}: fitted slopes {[round(x, 3) for x in v]}, predicted {theory.LAZY_RATES[k]}")
    print(f"figure and table written to {args.out}")
    return 0


def _network(args: argparse.Namespace) -> int:
    from asymptotics._validate import check_int

    from . import beyond_linear

    seed = check_int("seed", args.seed, low=0)
    with _writing(_out_dir(args.out)):
        beyond_linear.figures(args.out, quick=args.quick, seed=seed, progress=True)
    with open(os.path.join(args.out, "beyond_linear.md"), encoding="utf-8") as fh:
        print(fh.read())
    print(f"figure and table written to {args.out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    try:
        from .campaign import run_campaign
    except ImportError as exc:  # hypothesis draws the points
        raise ParameterError(f"`validate` needs {exc.name}: pip install 'asymptotics[validate]'.") from None

    out = f"validate_{args.model}" if args.out is None else args.out
    fail_below = None if args.fail_below is None else float(check_real("fail-below", args.fail_below, low=0, high=1))
    try:
        report = run_campaign(
            args.model,
            points=args.points,
            reps=args.reps,
            sizes=args.sizes,
            quantity=args.quantity,
            seed=args.seed,
            threshold=args.threshold,
            dps=args.dps,
            out=out,
            scheduler=args.scheduler,
            workers=args.workers,
            connect_timeout=args.connect_timeout,
            fresh=args.fresh,
            design=args.design,
            progress=True,
            figure=not args.no_figure,
        )
    except KeyboardInterrupt:
        print(f"validation: interrupted; finished points are saved in {out}: rerun the same command to resume", file=sys.stderr)
        return 130
    print(report)
    print("wrote " + ", ".join(report.files.values()))
    if fail_below is not None and report.summary["share_passed"] < fail_below:
        share = report.summary["share_passed"]
        print(
            f"validation: pass share {share:.3f} (errors count as failures) is below --fail-below {fail_below:g}", file=sys.stderr
        )
        return 1
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (``validation: error: ...``, exit 2), like ``asymptotics``."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise ParameterError(f"{message} (see `{self.prog} --help`)")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m validation", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, fn, help_ in (("lnn", _lnn, "deep linear network experiments"), ("nt", _nt, "neural tangent experiments")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--out", default=f"validation_{name}", help="output directory (default validation_NAME)")
        p.add_argument("--quick", action="store_true", help="small sizes (a minute or two)")
        p.set_defaults(func=fn)
    p = sub.add_parser("network", help="a trained two-layer network against the linear-method predictions")
    p.add_argument("--out", default="validation_network", help="output directory (default validation_network)")
    p.add_argument("--quick", action="store_true", help="d = 32 and three targets (a few minutes)")
    p.add_argument("--seed", default="0", help="seeds every run (default 0)")
    p.set_defaults(func=_network)
    v = sub.add_parser(
        "validate",
        help="theory vs Monte Carlo at space-filling parameter points (a campaign)",
        description="A validation campaign: theory against Monte Carlo at K parameter points of MODEL and each size; "
        "rerun the same command to resume.",
    )
    v.add_argument("model", help="mp, ridge, rf, krr or nt")
    v.add_argument("--points", default="20", help="parameter points (default 20)")
    v.add_argument("--reps", default="20", help="Monte Carlo replicates per point and size (default 20)")
    v.add_argument("--sizes", default=None, help="increasing sizes, e.g. 100,200,400 (n for mp/ridge, d otherwise)")
    v.add_argument("--quantity", default=None, help="default: risk (cdf for mp)")
    v.add_argument("--seed", default="0", help="draws the points and seeds every replicate (default 0)")
    v.add_argument(
        "--design",
        default=None,
        help="sobol (space-filling, default), lhs (Latin hypercube) or hypothesis (edge-seeking property draws); "
        "default when resuming: the saved campaign's",
    )
    v.add_argument("--threshold", default="3", help="|z| bound of the pass rule (default 3)")
    v.add_argument("--dps", default="20", help="digits of the certified theory (default 20)")
    v.add_argument("--out", default=None, help="output directory (default validate_MODEL); rerun to resume")
    v.add_argument(
        "--scheduler",
        default="auto",
        help="auto (default: in process, a Dask LocalCluster when the work pays for it), local (LocalCluster), "
        "inprocess, or tcp://HOST:PORT",
    )
    v.add_argument("--workers", default=None, help="LocalCluster worker processes for auto/local (default: cores, at most 8)")
    v.add_argument("--connect-timeout", default="20", help="seconds to wait for --scheduler ADDRESS (default 20)")
    v.add_argument("--fresh", action="store_true", help="discard what --out holds instead of resuming")
    v.add_argument("--no-figure", action="store_true", help="skip report.png")
    v.add_argument("--fail-below", default=None, help="exit 1 when the pass share (errors count as failures) is below this")
    v.set_defaults(func=_validate)
    try:
        args = parser.parse_args(argv)
        return int(args.func(args))
    except ParameterError as exc:
        print(f"validation: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0


__all__ = ["main"]
