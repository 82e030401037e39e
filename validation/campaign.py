r"""Validation campaigns: theory against Monte Carlo at many random parameter points.

``python -m validation validate MODEL --points K --reps R --sizes d1,d2,...`` (or
:func:`run_campaign`) does the following:

1. It draws ``K`` parameter points from the model's hypothesis strategy
   (:mod:`validation.points` documents the ranges).  The draw is reproducible from ``--seed``.
2. At every point and every size it evaluates the theory (certified, ``dps`` digits) and
   simulates ``R`` independent replicates.  Replicate seeds are spawned from
   ``SeedSequence([seed, point, size])``, so a point's result does not depend on the order
   or place it was run.
3. It writes a report: for each point and size the theory, the MC mean ± SE and
   ``z = (mean − theory)/SE``; for each point the finite-size trend (the gaps, whether they
   shrink, and the ``O(1/size)`` Richardson extrapolation of the gaps with its own z) and
   pass/fail.  The summary (:func:`summarize`) gives the share of points with ``|z| ≤ 3`` at the
   largest size (next to the share expected under a correct theory: z follows Student's t with
   ``R − 1`` degrees of freedom), the pass rate, the mean and sd of z, and the worst points.
   A point whose theory or simulation raised is recorded with its message and counts as a
   failure.  The report is written as ``report.json``, ``report.csv`` (one row per point and
   size) and ``report.png``.  In the CSV, ``n`` is the number of training samples and ``p`` the
   simulator's feature count: ``p`` for mp/ridge, ``N`` for rf, ``N·d`` for nt, ``d`` for krr.
   Non-finite numbers (an infinite z where the SE is 0) are written as the strings ``"inf"``,
   ``"-inf"``, ``"nan"``, so every JSON file is standard JSON.

**Which theory.**  ``z`` compares the simulation with the theory at the ratios the simulation
actually had: ``p = round(γn)`` makes ``p/n`` differ from the drawn ``γ`` by up to ``1/(2n)``,
which is as large as the effects being measured (``theory``).  The theory at the drawn point
(``theory_point``) is reported beside it.

**Pass rule.**  A point passes when ``|z| ≤ threshold`` at the largest size, or, with two or
more sizes, when the ``O(1/size)`` Richardson extrapolation of the last two gaps,
``(s₂g₂ − s₁g₁)/(s₂ − s₁)``, is within ``threshold`` of its own SE from zero.  The second
clause is the honest test of a limit that carries an ``O(1/size)`` bias.  An example is the
real-Gaussian Marchenko–Pastur law, whose mean empirical cdf sits about ``0.25/n`` above the
limit at ``γ ≈ 0.94``.  When the sizes double, the extrapolation's SE is ``√(4SE₂² + SE₁²)``,
2.2 to 2.8 times the largest size's SE, so a theory error must be larger to hide there.
``trend.shrinking`` reports whether ``|gap|`` decreases with size *or* every gap is within
``threshold`` SEs (:func:`~validation.compare.finite_size_trend`); it is not part of the rule.

**Resuming.**  Each finished point is appended to ``points.jsonl`` (flushed and fsynced) as
soon as it arrives.  Running the same command again with the same ``--out`` skips the points
already there, so an interrupted campaign loses at most the points that were running.  A
different configuration in the same directory is refused (the message names what differs),
and so is a ``points.jsonl`` without its ``campaign.json``.  ``fresh=True`` (``--fresh``)
starts over and keeps the old points as ``points.jsonl.bak``.  Every line read back is
validated (JSON, then each field's type and range, the index within the campaign's points, the
parameters drawn for that index, the sizes): a line that fails, such as one edited by hand or
with bytes that are not UTF-8, is reported on stderr with its line number, appended to
``points.rejected.jsonl`` with the reason (nothing is deleted), and its point is recomputed.
While a campaign runs it holds an exclusive lock on ``DIR/.lock`` (``flock``): a second
campaign on the same directory is refused at once, and a killed run leaves no stale lock
(the lock dies with its process).

**Memory.**  Before the first point runs, every point and size is checked against the memory
limit of one simulation (``max_memory`` GiB, else ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2 GiB;
:mod:`validation.simulators._sampling`); a campaign that would exceed it is refused with the
point, the sizes and the estimate.  The workers use the limit resolved here.

**Dask.**  Points run as Dask tasks.  The default ``scheduler="local"`` starts a
``LocalCluster`` of worker processes with one thread each.  An address
(``tcp://host:8786``) uses an existing cluster; ``"inprocess"`` runs the points one after
another in this process without Dask.  mpmath's precision is a process-global setting, so
:func:`run_point` holds a process-wide lock for the whole task, and the theory is evaluated
under ``mpmath.workdps``, which restores the worker's precision afterwards.  Two campaign tasks
never mix precisions, even on a worker with several threads.  Code other than a campaign task
that changes ``mp.dps`` in the same worker process at the same time would change a task's
theory values.  So a cluster whose workers have more than one thread gets a warning; start
its workers with ``--nthreads 1``.  Each task runs BLAS on one thread (threadpoolctl), as a
one-thread worker does, so a point's numbers are bit-identical wherever it ran.  The tests
compare LocalCluster, address and in-process runs.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import errno
import json
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
from tqdm import tqdm

from asymptotics._validate import check_int, check_real
from asymptotics.errors import AsymptoticsError, ParameterError
from asymptotics.models import get_model
from asymptotics.precision import MPMATH_LOCK

from ._outdir import make_dir
from .compare import MCEstimate, compare, finite_size_trend
from .points import space
from .simulators._sampling import MemoryLimitError, memory_limit

__all__ = ["CampaignConfig", "CampaignReport", "draw_points", "run_campaign", "run_point", "summarize"]

DEFAULT_THRESHOLD = 3.0
MAX_SIZE = 5000
_MP_LOCK = MPMATH_LOCK
"""Serializes tasks within a worker process: mpmath's precision is process-global, and this is the
library's own lock (:data:`asymptotics.precision.MPMATH_LOCK`), so a task never overlaps a certified
call made by another thread of the same process."""


# ----------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class CampaignConfig:
    """What a campaign runs; two runs with equal configs produce the same records (``seconds`` aside)."""

    model: str
    quantity: str
    points: int
    reps: int
    sizes: tuple[int, ...]
    seed: int = 0
    threshold: float = DEFAULT_THRESHOLD
    dps: int = 20

    @classmethod
    def make(
        cls,
        model: str,
        *,
        points: Any,
        reps: Any,
        sizes: Any = None,
        quantity: str | None = None,
        seed: Any = 0,
        threshold: Any = DEFAULT_THRESHOLD,
        dps: Any = 20,
    ) -> CampaignConfig:
        """Validated configuration (every error names the parameter and its valid range)."""
        sp = space(model)
        q = sp.quantities[0] if quantity is None else quantity
        if q not in sp.quantities:
            raise ParameterError(f"`quantity` {q!r} cannot be validated for {sp.model}; valid: {', '.join(sp.quantities)}.")
        k = check_int("points", points, low=1, high=100_000)
        r = check_int("reps", reps, low=2, high=100_000)
        s = _parse_sizes(sp.default_sizes if sizes is None else sizes)
        sd = check_int("seed", seed, low=0, high=2**63 - 1)
        thr = float(check_real("threshold", threshold, low=0, low_open=True))
        if not math.isfinite(thr):
            raise ParameterError(f"`threshold` must be a finite positive number; got {threshold!r}.")
        dp = check_int("dps", dps, low=15, high=200)
        return cls(sp.model, q, k, r, s, sd, thr, dp)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "quantity": self.quantity,
            "points": self.points,
            "reps": self.reps,
            "sizes": list(self.sizes),
            "seed": self.seed,
            "threshold": self.threshold,
            "dps": self.dps,
        }


def _parse_sizes(sizes: Any) -> tuple[int, ...]:
    if isinstance(sizes, str):
        parts = [p.strip() for p in sizes.split(",")]
        if not all(parts):
            raise ParameterError(f"`sizes` must be comma-separated integers, e.g. 100,200; got {sizes!r}.")
        items: Iterable[Any] = parts
    elif isinstance(sizes, int | np.integer) and not isinstance(sizes, bool):
        items = [sizes]
    else:
        try:
            items = list(sizes)
        except TypeError:
            raise ParameterError(f"`sizes` must be integers, e.g. 100,200; got {sizes!r}.") from None
    out = tuple(check_int("sizes", v, low=10, high=MAX_SIZE) for v in items)
    if not out:
        raise ParameterError("`sizes` must hold at least one size, e.g. 100,200.")
    if any(b <= a for a, b in zip(out, out[1:], strict=False)):
        raise ParameterError(f"`sizes` must be strictly increasing; got {','.join(map(str, out))}.")
    return out


# ----------------------------------------------------------------------------- drawing points
def draw_points(
    model: str, count: int, *, seed: int = 0, sizes: Sequence[int] | None = None, quantity: str | None = None
) -> list[dict[str, str]]:
    """``count`` distinct parameter points of ``model``, drawn by its hypothesis strategy.

    Each point keeps only the parameters ``quantity`` takes (default: the model's first campaign
    quantity), and points are distinct after that projection.  Deterministic for a given
    ``seed`` and hypothesis version (``@seed``, no database, the generate phase only).
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    sp = space(model)
    count = check_int("points", count, low=1, high=100_000)
    q = sp.quantities[0] if quantity is None else quantity
    strategy = sp.strategy(tuple(sp.default_sizes if sizes is None else sizes)).map(lambda p: _relevant(sp.model, q, p))
    found: list[dict[str, str]] = []

    @hseed(check_int("seed", seed, low=0))
    @settings(
        max_examples=4 * count + 50,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def collect(point: dict[str, str]) -> None:
        if len(found) < count and point not in found:
            found.append(point)

    with _without_local_constants():
        collect()
    if len(found) < count:
        raise ParameterError(f"could only draw {len(found)} distinct {sp.model} points; ask for fewer `points`.")
    return found


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis (≥ 6.131) sometimes draws literal constants found in the source of the modules
    imported from outside site-packages, scanning ``sys.modules`` lazily.  What it finds depends
    on the session (a notebook, pytest, an editable install, what ran before), so the same seed
    would draw different points.  While campaign points are drawn that scan returns nothing,
    which makes the draw depend only on the seed and the hypothesis version.  If hypothesis's
    internals change, drawing still works; a resumed campaign compares its points with those
    saved in ``campaign.json`` in any case."""
    try:
        from hypothesis.internal.conjecture import providers as hp

        saved = hp._get_local_constants
        empty = hp.Constants()
        hp._get_local_constants = lambda: empty
        hp.CONSTANTS_CACHE.cache.clear()
    except (ImportError, AttributeError):  # pragma: no cover - a future hypothesis
        yield
        return
    try:
        yield
    finally:
        hp._get_local_constants = saved
        hp.CONSTANTS_CACHE.cache.clear()


def _relevant(model: str, quantity: str, params: dict[str, str]) -> dict[str, str]:
    """The parameters ``quantity`` takes (the mp space draws both ``x`` and ``k``)."""
    q = get_model(model).quantity(quantity)
    return {k: v for k, v in params.items() if k in q.params}


# ----------------------------------------------------------------------------- one point
def _theory(model: str, quantity: str, params: dict[str, str], dps: int) -> float:
    q = get_model(model).quantity(quantity)
    with mpmath.workdps(dps):
        return float(q.certified(**params, dps=dps).value)


def _at_size(model: str, params: dict[str, str], size: int) -> dict[str, str]:
    """The drawn point at one size: KRR's theory is a finite-``d`` formula (``d = size``)."""
    return {**params, "d": str(size)} if model == "krr" else dict(params)


def _realized(model: str, params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    """The point the simulation actually ran: integer sizes make the ratios ``p/n``, ``N/d``, ``n/d``
    (and KRR's ``n``) differ from the drawn ones by up to ``1/(2·size)``, which is as large as the
    finite-size effects being measured.  The comparison uses the theory at these exact ratios."""
    if model in ("mp", "ridge"):
        return {**params, "gamma": f"{est.p}/{est.n}"}
    if model == "rf":
        return {**params, "psi1": f"{est.p}/{size}", "psi2": f"{est.n}/{size}"}
    if model == "nt":
        return {**params, "psi1": f"{est.params['N']}/{size}", "psi2": f"{est.n}/{size}"}
    if model == "krr":
        out = {k: v for k, v in params.items() if k not in ("alpha", "level")}
        return {**out, "d": str(size), "n": str(est.n)}
    raise ParameterError(f"no campaign for model {model!r}.")  # pragma: no cover (space() refuses first)


def _simulate(
    model: str,
    quantity: str,
    params: dict[str, str],
    size: int,
    reps: int,
    seed: int,
    *,
    max_memory: Any = None,
    check_only: bool = False,
) -> Any:
    """The simulation of one point at one size, or (``check_only``) only its memory check."""
    from .simulators import krr, marchenko_pastur, neural_tangent, random_features, ridge

    if model == "mp":
        if check_only:
            return marchenko_pastur.check_request(params["gamma"], n=size, reps=reps, max_memory=max_memory)
        point = {"x": params["x"]} if quantity == "cdf" else {"k": int(params["k"])}
        return marchenko_pastur.simulate(
            quantity, params["gamma"], params["sigma2"], n=size, reps=reps, seed=seed, max_memory=max_memory, **point
        )
    if model == "ridge":
        from asymptotics.models.ridge import RidgeParams

        module, made, at = ridge, RidgeParams(**params), {"n": size}
    elif model == "rf":
        from asymptotics.models.random_features import RFParams

        module, made, at = random_features, RFParams(**params), {"d": size}
    elif model == "nt":
        from asymptotics.models.neural_tangent import NTParams

        module, made, at = neural_tangent, NTParams(**params), {"d": size}
    elif model == "krr":
        from asymptotics.models.krr import KRRParams

        module, made, at = krr, KRRParams(d=size, **params), {}
    else:  # pragma: no cover (space() refuses first)
        raise ParameterError(f"no campaign simulator for model {model!r}.")
    run = {**at, "reps": reps, "quantities": (quantity,), "max_memory": max_memory}
    if check_only:
        return module.check_request(made, **run)
    return module.simulate(made, seed=seed, **run)[quantity]


def _point_seed(seed: int, index: int, size: int) -> int:
    return int(np.random.SeedSequence([seed, index, size]).generate_state(1, dtype=np.uint64)[0] >> 1)


def run_point(task: dict[str, Any]) -> dict[str, Any]:
    """Theory and Monte Carlo at one point and every size (a Dask task; pure and picklable).

    ``task`` holds ``index``, ``params`` and the campaign config (:meth:`CampaignConfig.to_dict`).
    Each size's row has ``theory`` (at the simulated design's exact ratios, what ``z`` uses),
    ``theory_point`` (at the drawn point: the ``n, d → ∞`` limit, or KRR's formula at ``d = size``),
    the MC ``mean`` ± ``se`` and ``z``.  ``trend`` has the gaps, whether they shrink, and the
    ``O(1/size)`` Richardson extrapolation of the last two gaps,
    ``(s₂g₂ − s₁g₁)/(s₂ − s₁)``, with its SE and z.  A theory or simulation error becomes
    ``status: "error"`` with its message, and the campaign goes on.
    """
    cfg = CampaignConfig(**{**task["config"], "sizes": tuple(task["config"]["sizes"])})
    index, params = int(task["index"]), dict(task["params"])
    record: dict[str, Any] = {"index": index, "params": params, "quantity": cfg.quantity, "status": "ok"}
    start = time.perf_counter()
    with _MP_LOCK, _one_blas_thread():
        try:
            rows, estimates, theories = [], [], []
            for size in cfg.sizes:
                seed = _point_seed(cfg.seed, index, size)
                est = _simulate(cfg.model, cfg.quantity, params, size, cfg.reps, seed, max_memory=task.get("max_memory"))
                realized, drawn = _realized(cfg.model, params, est, size), _at_size(cfg.model, params, size)
                th = _theory(cfg.model, cfg.quantity, realized, cfg.dps)
                th_point = th if _same_numbers(realized, drawn) else _theory(cfg.model, cfg.quantity, drawn, cfg.dps)
                c = compare(th, est, threshold=cfg.threshold)
                rows.append(
                    {
                        "size": size,
                        "n": est.n,
                        "p": est.p,
                        "theory": th,
                        "theory_point": th_point,
                        "mean": float(c.mean),
                        "se": float(c.se),
                        "z": float(c.z),
                    }
                )
                estimates.append(est)
                theories.append(th)
            record["sizes"] = rows
            record["z"] = rows[-1]["z"]
            passed = abs(rows[-1]["z"]) <= cfg.threshold
            trend = None
            if len(estimates) >= 2:
                t = finite_size_trend(theories, estimates, threshold=cfg.threshold) if _increasing(estimates) else None
                (s1, r1), (s2, r2) = (cfg.sizes[-2], rows[-2]), (cfg.sizes[-1], rows[-1])
                gap = (s2 * (r2["mean"] - r2["theory"]) - s1 * (r1["mean"] - r1["theory"])) / (s2 - s1)
                gap_se = math.hypot(s2 * r2["se"], s1 * r1["se"]) / (s2 - s1)
                if gap_se > 0:
                    ez = gap / gap_se
                else:  # no spread at either size: exact agreement or an infinite z
                    ez = 0.0 if abs(gap) <= 1e-12 * max(abs(r2["theory"]), 1e-300) else math.copysign(math.inf, gap)
                trend = {
                    "gaps": [r["mean"] - r["theory"] for r in rows],
                    "shrinking": None if t is None else bool(t.shrinking),
                    "extrapolated_gap": gap,
                    "extrapolated_se": gap_se,
                    "extrapolated_z": ez,
                }
                passed = passed or abs(ez) <= cfg.threshold
            record["trend"] = trend
            record["pass"] = bool(passed)
        except (AsymptoticsError, ArithmeticError, np.linalg.LinAlgError) as exc:
            record.update(status="error", error=f"{type(exc).__name__}: {' '.join(str(exc).split())}")
            record["pass"] = False
    record["seconds"] = round(time.perf_counter() - start, 3)
    return record


def _same_numbers(a: dict[str, str], b: dict[str, str]) -> bool:
    """Equal parameter dicts up to spelling (``"1/2"`` and ``"0.5"``)."""
    from fractions import Fraction

    if a.keys() != b.keys():
        return False
    try:
        return all(a[k] == b[k] or Fraction(a[k]) == Fraction(b[k]) for k in a)
    except (ValueError, ZeroDivisionError):
        return False


def _one_blas_thread() -> Any:
    """One BLAS thread during a task, as in a Dask worker with one thread: a point's numbers are
    then bit-identical wherever it runs (multi-threaded BLAS sums in another order).  Without
    threadpoolctl installed this does nothing and results agree to rounding only."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the validate/test extras
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _increasing(estimates: Sequence[MCEstimate]) -> bool:
    ns = [e.n for e in estimates]
    return all(b > a for a, b in zip(ns, ns[1:], strict=False)) and all(np.ndim(e.mean) == 0 for e in estimates)


# ----------------------------------------------------------------------------- report
@dataclass
class CampaignReport:
    """A finished (or resumed) campaign: its config, one record per point, the summary."""

    config: CampaignConfig
    records: list[dict[str, Any]]
    summary: dict[str, Any]
    out: str | None = None
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "summary": self.summary, "points": self.records}

    def __str__(self) -> str:
        s, cfg = self.summary, self.config
        lines = [
            f"{cfg.model} {cfg.quantity}: {s['points']} points, sizes {','.join(map(str, cfg.sizes))}, "
            f"reps {cfg.reps}, seed {cfg.seed}",
            f"  |z| <= {cfg.threshold:g} at the largest size: {s['within']}/{s['points']} ({100 * s['share_within']:.1f} %; "
            f"{100 * s['expected_share_within']:.1f} % expected for a correct theory with {cfg.reps} reps)",
            f"  pass (incl. finite-size extrapolation): {s['passed']}/{s['points']}; errors (count as failures): {s['errors']}",
        ]
        if s["measured"] > 1:
            lines.append(
                f"  z over {s['measured']} points with SE > 0: mean {s['z_mean']:+.2f}, sd {s['z_sd']:.2f} "
                f"(a correct theory without finite-size bias: 0 and {s['z_sd_expected']:.2f})"
            )
        for w in s["worst"]:
            verdict = "pass" if w["pass"] else "FAIL"
            lines.append(f"  worst #{w['index']}: z = {w['z']:+.2f} ({verdict}) {_fmt_params(w['params'])}")
        return "\n".join(lines)


def _fmt_params(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def summarize(config: CampaignConfig, records: Sequence[dict[str, Any]], worst: int = 5) -> dict[str, Any]:
    """The campaign's summary.

    ``share_within`` and ``share_passed`` are over *all* points: a point whose theory or
    simulation raised counts as a failure.  With ``R`` replicates ``z`` follows Student's t with
    ``R − 1`` degrees of freedom under a correct theory, so ``expected_share_within`` is
    ``P(|t_{R−1}| ≤ threshold)`` (0.985 at R = 10, 0.993 at R = 20, 0.9973 as R → ∞) and
    ``z_sd_expected`` is ``√((R − 1)/(R − 3))``.  ``z_mean`` and ``z_sd`` leave out points whose
    SE is 0 (a statistic that does not fluctuate, e.g. a training error that is exactly 0):
    their z is 0 by construction.
    """
    from scipy import stats

    ok = [r for r in records if r["status"] == "ok"]
    zs = np.array([r["z"] for r in ok], dtype=float)
    measured = np.array([r["z"] for r in ok if r["sizes"][-1]["se"] > 0 and math.isfinite(r["z"])], dtype=float)
    within = int(np.sum(np.abs(zs) <= config.threshold))
    passed = int(sum(r["pass"] for r in ok))
    total = len(records)
    ranked = sorted(ok, key=lambda r: -abs(r["z"]) if math.isfinite(r["z"]) else -math.inf)
    dof = config.reps - 1
    return {
        "points": total,
        "ok": len(ok),
        "errors": total - len(ok),
        "within": within,
        "share_within": within / total if total else 0.0,
        "expected_share_within": float(1 - 2 * stats.t.sf(config.threshold, dof)),
        "passed": passed,
        "share_passed": passed / total if total else 0.0,
        "measured": int(measured.size),
        "z_mean": float(measured.mean()) if measured.size else math.nan,
        "z_sd": float(measured.std(ddof=1)) if measured.size > 1 else math.nan,
        "z_sd_expected": math.sqrt(dof / (dof - 2)) if dof > 2 else math.inf,
        "max_abs_z": float(np.max(np.abs(zs))) if zs.size else math.nan,
        "worst": [{k: r[k] for k in ("index", "z", "pass", "params")} for r in ranked[:worst]],
        "error_points": [
            {"index": r["index"], "error": r["error"], "params": r["params"]} for r in records if r["status"] != "ok"
        ],
    }


def _write_csv(path: str, records: Sequence[dict[str, Any]]) -> None:
    names = sorted({k for r in records for k in r["params"]})
    head = ["index", *names, "quantity", "size", "n", "p", "theory", "theory_point", "mc_mean", "mc_se", "z"]
    head += ["extrapolated_gap", "extrapolated_se", "extrapolated_z", "shrinking", "pass", "status", "error"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in records:
            base = [r["index"], *[r["params"].get(k, "") for k in names], r["quantity"]]
            t = r.get("trend") or {}
            tail = [t.get(k, "") for k in ("extrapolated_gap", "extrapolated_se", "extrapolated_z", "shrinking")]
            tail += [r["pass"], r["status"], r.get("error", "")]
            for row in r.get("sizes") or [{}]:
                vals = [row.get(k, "") for k in ("size", "n", "p", "theory", "theory_point", "mean", "se", "z")]
                w.writerow([*base, *vals, *tail])


def plot_report(report: CampaignReport, path: str) -> str:
    """Three panels: MC mean ± 2 SE against theory (on the diagonal when they agree), the
    histogram of z against N(0, 1), and the relative gap (MC − theory)/|theory| ± SE against size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg, ok = report.config, [r for r in report.records if r["status"] == "ok"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    ax = axes[0]
    if ok:
        th = np.array([r["sizes"][-1]["theory"] for r in ok])
        mean = np.array([r["sizes"][-1]["mean"] for r in ok])
        se = np.array([r["sizes"][-1]["se"] for r in ok])
        good = np.array([r["pass"] for r in ok])
        for mask, colour, label in ((good, "tab:blue", "pass"), (~good, "tab:red", "fail")):
            if mask.any():
                ax.errorbar(th[mask], mean[mask], yerr=2 * se[mask], fmt="o", ms=3, color=colour, capsize=2, label=label)
        lo, hi = float(min(th.min(), mean.min())), float(max(th.max(), mean.max()))
        ax.plot([lo, hi], [lo, hi], "k-", lw=0.8, label="theory = MC")
        positive = lo > 0 and hi / lo > 20
        if positive:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    ax.set_xlabel(f"theory ({cfg.quantity})")
    ax.set_ylabel(f"MC mean ± 2 SE at size {cfg.sizes[-1]}")
    ax.set_title(f"{cfg.model} {cfg.quantity}: theory vs simulation")

    ax = axes[1]
    zs = np.array([r["z"] for r in ok if math.isfinite(r["z"])])
    if zs.size:
        lim = max(4.0, float(np.max(np.abs(zs))) + 0.5)
        ax.hist(zs, bins=np.linspace(-lim, lim, 33), density=True, color="tab:blue", alpha=0.6, label="z at largest size")
        grid = np.linspace(-lim, lim, 200)
        ax.plot(grid, np.exp(-(grid**2) / 2) / math.sqrt(2 * math.pi), "k-", lw=1, label="N(0, 1)")
    for x in (-cfg.threshold, cfg.threshold):
        ax.axvline(x, color="tab:red", ls="--", lw=0.8)
    ax.set_xlabel("z = (MC − theory)/SE")
    ax.set_title(f"share |z| ≤ {cfg.threshold:g}: {100 * report.summary['share_within']:.0f} % of {len(report.records)}")
    if zs.size:
        ax.legend(fontsize=8)

    ax = axes[2]
    for r in ok:
        sizes = [row["size"] for row in r["sizes"]]
        scale = [max(abs(row["theory"]), 1e-12) for row in r["sizes"]]
        rel = [(row["mean"] - row["theory"]) / sc for row, sc in zip(r["sizes"], scale, strict=True)]
        relse = [row["se"] / sc for row, sc in zip(r["sizes"], scale, strict=True)]
        ax.errorbar(sizes, rel, yerr=relse, marker="o", ms=3, lw=0.7, alpha=0.5, color="tab:blue" if r["pass"] else "tab:red")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xticks(list(cfg.sizes), [str(s) for s in cfg.sizes])
    ax.minorticks_off()
    ax.set_xlabel(f"size ({space(cfg.model).size_name})")
    ax.set_ylabel("(MC − theory) / |theory|  ± SE")
    ax.set_title("finite-size trend (red: failed points)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------- storage
CONFIG_FILE, POINTS_FILE, REJECTED_FILE, LOCK_FILE = "campaign.json", "points.jsonl", "points.rejected.jsonl", ".lock"
REPORT_FILES = ("report.json", "report.csv", "report.png")


def _strict_json(obj: Any) -> Any:
    """Standard JSON everywhere (``points.jsonl`` and ``report.json``): a non-finite float (an
    infinite z where the SE is 0) is written as the string ``"inf"``, ``"-inf"`` or ``"nan"``."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _strict_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_strict_json(v) for v in obj]
    return obj


def _revive(obj: Any, key: str = "") -> Any:
    """Inverse of :func:`_strict_json` for a saved record (parameter strings stay strings)."""
    if key == "params":
        return obj
    if isinstance(obj, str) and obj in ("inf", "-inf", "nan"):
        return float(obj)
    if isinstance(obj, dict):
        return {k: _revive(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_revive(v) for v in obj]
    return obj


def _dumps(obj: Any) -> str:
    return json.dumps(_strict_json(obj), allow_nan=False)


def _io_error(path: str, exc: OSError) -> ParameterError:
    return ParameterError(f"`out`: cannot write {path!r} ({exc.strerror or type(exc).__name__}).")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _record_problem(rec: Any, config: CampaignConfig, points: Sequence[dict[str, str]]) -> str | None:
    """Why a record read back from ``points.jsonl`` cannot be this campaign's, or None when it is.

    Every field that the summary and the reports read is checked: its type, its range, the point
    index (within the campaign's points), the parameters (those drawn for that index), the
    quantity, the sizes (the campaign's, in order) and the status with what it requires.
    """
    if not isinstance(rec, dict):
        return f"a record must be a JSON object, not {type(rec).__name__}"
    index = rec.get("index")
    if not _is_int(index) or not 0 <= index < len(points):
        return f"`index` must be an integer in [0, {len(points) - 1}]; got {index!r}"
    if rec.get("params") != points[index]:
        return f"`params` are not the parameters drawn for point {index}"
    if rec.get("quantity") != config.quantity:
        return f"`quantity` must be {config.quantity!r}; got {rec.get('quantity')!r}"
    if not isinstance(rec.get("pass"), bool):
        return "`pass` must be true or false"
    if "seconds" in rec and not (_is_real(rec["seconds"]) and rec["seconds"] >= 0):
        return "`seconds` must be a number ≥ 0"
    status = rec.get("status")
    if status == "error":
        if not isinstance(rec.get("error"), str) or rec["pass"]:
            return "an error record needs an `error` message and `pass` false"
        return None
    if status != "ok":
        return f"`status` must be 'ok' or 'error'; got {status!r}"
    rows = rec.get("sizes")
    if not isinstance(rows, list) or len(rows) != len(config.sizes):
        return f"`sizes` must list {len(config.sizes)} rows, one per size {','.join(map(str, config.sizes))}"
    for row, size in zip(rows, config.sizes, strict=True):
        if not isinstance(row, dict) or row.get("size") != size or isinstance(row.get("size"), bool):
            return f"the row for size {size} is missing or out of order"
        if not all(_is_int(row.get(k)) and row[k] >= 1 for k in ("n", "p")):
            return f"the row for size {size} needs integers `n`, `p` ≥ 1"
        if not all(_is_real(row.get(k)) for k in ("theory", "theory_point", "mean", "se", "z")):
            return f"the row for size {size} needs numbers `theory`, `theory_point`, `mean`, `se`, `z`"
        if not row["se"] >= 0:
            return f"the row for size {size} has `se` = {row['se']!r}; it must be ≥ 0"
    z = rec.get("z")
    if not _is_real(z) or not (z == rows[-1]["z"] or (math.isnan(z) and math.isnan(rows[-1]["z"]))):
        return "`z` must be the z of the largest size"
    trend = rec.get("trend")
    if len(rows) == 1:
        return None if trend is None else "`trend` must be null with one size"
    if not isinstance(trend, dict):
        return "`trend` must be an object with two or more sizes"
    gaps = trend.get("gaps")
    if not isinstance(gaps, list) or len(gaps) != len(rows) or not all(_is_real(g) for g in gaps):
        return "`trend.gaps` must hold one number per size"
    if trend.get("shrinking") not in (True, False, None):
        return "`trend.shrinking` must be true, false or null"
    if not all(_is_real(trend.get(k)) for k in ("extrapolated_gap", "extrapolated_se", "extrapolated_z")):
        return "`trend` needs numbers `extrapolated_gap`, `extrapolated_se`, `extrapolated_z`"
    return None


def _load_records(
    path: str, config: CampaignConfig, points: Sequence[dict[str, str]]
) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """The valid records saved so far, and the lines that are not (nothing is lost).

    Each line is decoded (UTF-8), parsed (standard JSON) and validated (:func:`_record_problem`)
    on its own.  A line that fails is returned among the rejected ones with its line number, the
    reason and its text (``base64`` of the raw bytes when they are not UTF-8), so its point is
    recomputed.  A torn last line (a run killed mid-write: no final newline and not JSON) is
    rejected the same way, without a message.  When an index appears twice the later record
    (the newer run) is kept and the earlier one rejected.
    """
    done: dict[int, dict[str, Any]] = {}
    rejected: list[dict[str, Any]] = []
    if not os.path.exists(path):
        return done, rejected
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ParameterError(f"`out`: cannot read {path!r} ({exc.strerror or type(exc).__name__}).") from None
    lines = data.split(b"\n")
    last = len(lines) - 1  # the text after the final newline ("" when the file ends with one)
    where: dict[int, tuple[int, str]] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        entry: dict[str, Any] = {"line": number}
        try:
            text = raw.decode("utf-8")
            entry["text"] = text
            rec = _revive(json.loads(text, parse_constant=_no_constant))
            why = _record_problem(rec, config, points)
        except UnicodeDecodeError:
            entry["base64"], why = base64.b64encode(raw).decode("ascii"), "not UTF-8 text"
        except ValueError as exc:  # JSONDecodeError and non-standard constants
            why = f"not JSON ({exc})"
            if number - 1 == last:
                entry["torn"] = True
        if why is not None:
            rejected.append({**entry, "reason": why})
            continue
        i = rec["index"]
        if i in where:
            rejected.append({"line": where[i][0], "text": where[i][1], "reason": f"superseded by line {number} (point {i})"})
        done[i], where[i] = rec, (number, entry["text"])
    return done, rejected


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-standard constant {name}")


def _write_atomic(path: str, text: str) -> None:
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise _io_error(path, exc) from None


def _set_aside(out: str, rejected: list[dict[str, Any]]) -> None:
    """Append the rejected lines to ``points.rejected.jsonl`` (fsynced) and say so on stderr, one
    line each (a torn last line quietly: an interrupted run leaves one by design)."""
    path = os.path.join(out, REJECTED_FILE)
    try:
        with open(path, "a", encoding="utf-8") as fh:
            for entry in rejected:
                fh.write(json.dumps({"file": POINTS_FILE, **entry}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise _io_error(path, exc) from None
    for entry in rejected:
        if not entry.get("torn"):
            reason = " ".join(entry["reason"].split())
            print(
                f"validation: warning: {os.path.join(out, POINTS_FILE)} line {entry['line']}: {reason}; "
                f"moved to {REJECTED_FILE}, its point will be recomputed",
                file=sys.stderr,
            )


def _differences(saved: Any, wanted: dict[str, Any]) -> str:
    if not isinstance(saved, dict):
        return "its campaign.json is unreadable"
    old = saved.get("config") if isinstance(saved.get("config"), dict) else {}
    diffs = [f"{k}: saved {old.get(k)!r}, now {v!r}" for k, v in wanted["config"].items() if old.get(k) != v]
    if not diffs and saved.get("points") != wanted["points"]:
        was, now = saved.get("hypothesis"), wanted["hypothesis"]
        why = f" (hypothesis {was} drew them, this is {now})" if was != now else ""
        diffs.append(f"the drawn points differ{why}")
    return "; ".join(diffs) or "its saved configuration differs"


@contextlib.contextmanager
def _locked(out: str | None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``out/.lock`` for the whole run.

    A second campaign on the same directory (another process, or another call in this one) is
    refused at once.  The lock belongs to the open file, so it disappears with the process that
    holds it: a run that was killed never leaves a stale lock behind, and the lock file itself
    is never deleted (deleting it would let two runs lock two different files).  Where ``flock``
    is not available (not POSIX) or not supported by the filesystem, the run goes on unlocked
    and says so on stderr.
    """
    if out is None:
        yield
        return
    make_dir(out)
    path = os.path.join(out, LOCK_FILE)
    try:
        fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the whole run
    except OSError as exc:
        raise _io_error(path, exc) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            print(f"validation: warning: no file locking here; do not run two campaigns on {out!r} at once", file=sys.stderr)
        else:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise ParameterError(
                        f"`out` directory {out!r} is in use by another campaign (it holds the lock on {LOCK_FILE}); "
                        "wait for that run to finish, or choose another --out."
                    ) from None
                print(
                    f"validation: warning: cannot lock {path!r} ({exc.strerror}); do not run two campaigns on it at once",
                    file=sys.stderr,
                )
        yield
    finally:
        fh.close()  # releases the lock


def _prepare_dir(out: str, config: CampaignConfig, points: list[dict[str, str]], fresh: bool) -> dict[int, dict[str, Any]]:
    """Check or create ``out`` and return the records already saved there.

    Nothing saved is deleted: ``fresh`` moves an old ``points.jsonl`` to ``points.jsonl.bak``
    (replacing an older backup), and a ``points.jsonl`` without its ``campaign.json`` is refused.
    """
    make_dir(out)
    cfg_path, pts_path = os.path.join(out, CONFIG_FILE), os.path.join(out, POINTS_FILE)
    wanted = {"config": config.to_dict(), "hypothesis": _version("hypothesis"), "points": points}
    has_cfg, has_pts = os.path.exists(cfg_path), os.path.exists(pts_path)
    if not fresh and has_cfg:
        try:
            with open(cfg_path, encoding="utf-8") as fh:
                saved = json.load(fh)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            saved = None
        same = isinstance(saved, dict) and saved.get("config") == wanted["config"] and saved.get("points") == points
        if not same:
            raise ParameterError(
                f"`out` directory {out!r} holds a different campaign ({_differences(saved, wanted)}); resume it with the "
                "same options, pass --fresh (fresh=True) to start over (the old points.jsonl is kept as points.jsonl.bak), "
                "or choose another --out."
            )
        done, rejected = _load_records(pts_path, config, points)
        if rejected:  # keep the bad lines aside, then rewrite without them before appending
            _set_aside(out, rejected)
            _write_atomic(pts_path, "".join(_dumps(done[i]) + "\n" for i in sorted(done)))
        return done
    if not fresh and has_pts:
        raise ParameterError(
            f"`out` directory {out!r} holds {POINTS_FILE} but no {CONFIG_FILE}, so its points cannot be matched to a "
            "configuration; pass --fresh (fresh=True) to start over (the old file is kept as points.jsonl.bak), "
            "or choose another --out."
        )
    try:
        if has_pts:
            os.replace(pts_path, pts_path + ".bak")
        for name in REPORT_FILES:  # stale reports of the old campaign
            if os.path.isfile(os.path.join(out, name)):
                os.remove(os.path.join(out, name))
    except OSError as exc:
        raise _io_error(out, exc) from None
    _write_atomic(cfg_path, json.dumps(wanted, indent=1))
    return {}


# ----------------------------------------------------------------------------- execution
def _executor(scheduler: str, workers: int | None, connect_timeout: float) -> tuple[Any, Any]:
    """``(client, cluster)`` for Dask, or ``(None, None)`` in process."""
    if scheduler == "inprocess":
        return None, None
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError(
            "Dask is not installed: `pip install 'asymptotics[dask]'` for `scheduler` 'local' or an address, "
            "or use --scheduler inprocess."
        ) from None
    if scheduler == "local":
        n = workers or max(1, min(os.cpu_count() or 1, 8))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
        return Client(cluster), cluster
    try:
        client = Client(scheduler, timeout=f"{connect_timeout}s")
    except Exception as exc:  # noqa: BLE001 - distributed raises OSError, TimeoutError, ValueError, TypeError...
        raise ParameterError(
            f"`scheduler` {scheduler!r}: cannot connect within {connect_timeout:g} s ({type(exc).__name__}); "
            "give 'local', 'inprocess' or the address of a running scheduler, tcp://HOST:PORT."
        ) from None
    threads = {w: info.get("nthreads", 1) for w, info in client.scheduler_info().get("workers", {}).items()}
    if any(t > 1 for t in threads.values()):
        warnings.warn(
            f"the cluster at {scheduler} has workers with more than one thread ({max(threads.values())}): campaign "
            "tasks take a per-process lock, so they stay correct but run one at a time per worker, and any other "
            "code on those workers that changes mpmath's precision while a task runs would change its theory "
            "values; start workers with --nthreads 1.",
            RuntimeWarning,
            stacklevel=3,
        )
    return client, None


def run_campaign(
    model: str,
    *,
    points: int,
    reps: int,
    sizes: Any = None,
    quantity: str | None = None,
    seed: int = 0,
    threshold: float = DEFAULT_THRESHOLD,
    dps: int = 20,
    out: str | None = None,
    scheduler: str = "local",
    workers: int | None = None,
    connect_timeout: float = 20.0,
    fresh: bool = False,
    progress: bool = True,
    figure: bool = True,
    max_memory: Any = None,
) -> CampaignReport:
    """Run (or resume) a validation campaign; see the module docstring.

    Parameters
    ----------
    model : {"mp", "ridge", "rf", "krr", "nt"}
    points, reps : int, keyword-only
        Parameter points (``≥ 1``) and Monte Carlo replicates per point and size (``≥ 2``).
    sizes : str or sequence of int, keyword-only
        Increasing simulation sizes in [10, 5000] (``n`` for mp/ridge, ``d`` otherwise);
        default per model (:data:`validation.points.SPACES`).
    quantity : str, keyword-only
        Default: the model's first (``risk``; ``cdf`` for mp).
    seed : int, keyword-only
        Draws the points and roots every replicate's seed.
    threshold : float, keyword-only
        ``|z|`` bound of the pass rule and of the summary's share (default 3).
    dps : int, keyword-only
        Digits of the certified theory (15–200; the comparison needs only float64).
    out : str, keyword-only
        Directory for ``campaign.json``, ``points.jsonl`` and the reports; ``None`` keeps
        everything in memory (no resuming).
    scheduler : str, keyword-only
        ``"local"`` (Dask LocalCluster, default), ``"inprocess"`` (no Dask), or the address of
        a Dask scheduler.
    workers : int, keyword-only
        LocalCluster worker processes (default: the number of cores, at most 8).
    connect_timeout : float, keyword-only
        Seconds to wait for a scheduler given by its address (default 20).
    fresh : bool, keyword-only
        Discard what ``out`` holds instead of resuming.
    progress, figure : bool, keyword-only
        tqdm bar over points; write ``report.png``.
    max_memory : float, keyword-only
        Memory limit of one simulation in GiB (default: ``$ASYMPTOTICS_MAX_MEMORY_GB`` of this
        process, else 2); every point and size is checked before the first one runs, and the
        workers use this limit too.

    Returns
    -------
    CampaignReport

    Raises
    ------
    ParameterError
        Unknown model or quantity, bad counts or sizes, an ``out`` holding another campaign or
        in use by a running one, an unreachable scheduler, Dask missing, a simulation whose
        estimated memory exceeds the limit.
    """
    config = CampaignConfig.make(
        model, points=points, reps=reps, sizes=sizes, quantity=quantity, seed=seed, threshold=threshold, dps=dps
    )
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ParameterError(f"`scheduler` must be 'local', 'inprocess' or a Dask address; got {scheduler!r}.")
    scheduler = scheduler.strip()
    if workers is not None:
        workers = check_int("workers", workers, low=1, high=1024)
        if scheduler != "local":
            raise ParameterError(f"`workers` sets the size of a LocalCluster; it has no effect with `scheduler` {scheduler!r}.")
    connect_timeout = float(check_real("connect_timeout", connect_timeout, low=0, low_open=True, high=3600))
    if figure and out is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ParameterError(
                "the report figure needs matplotlib: pip install 'asymptotics[plot]', or figure=False (--no-figure)."
            ) from None
    drawn = draw_points(config.model, config.points, seed=config.seed, sizes=config.sizes, quantity=config.quantity)
    limit = memory_limit(max_memory) / 2**30  # resolved here: every worker uses the caller's limit
    _check_memory(config, drawn, limit)
    with _locked(out):
        return _run(config, drawn, limit, out, fresh, scheduler, workers, connect_timeout, progress, figure)


def _check_memory(config: CampaignConfig, drawn: Sequence[dict[str, str]], limit: float) -> None:
    """Refuse the campaign before anything runs when one of its simulations would exceed the memory
    limit (other problems of a point are recorded at that point when it runs)."""
    for index, params in enumerate(drawn):
        for size in config.sizes:
            try:
                _simulate(config.model, config.quantity, params, size, config.reps, 0, max_memory=limit, check_only=True)
            except MemoryLimitError as exc:
                raise MemoryLimitError(f"point {index} ({_fmt_params(params)}) at size {size}: {exc}") from None
            except (AsymptoticsError, ArithmeticError):
                pass  # recorded at the point when it runs


def _run(
    config: CampaignConfig,
    drawn: list[dict[str, str]],
    limit: float,
    out: str | None,
    fresh: bool,
    scheduler: str,
    workers: int | None,
    connect_timeout: float,
    progress: bool,
    figure: bool,
) -> CampaignReport:
    """The campaign once its configuration is checked (and ``out`` locked)."""
    done = _prepare_dir(out, config, drawn, fresh) if out is not None else {}
    todo = [
        {"index": i, "params": p, "config": config.to_dict(), "max_memory": limit} for i, p in enumerate(drawn) if i not in done
    ]
    try:
        sink = open(os.path.join(out, POINTS_FILE), "a", encoding="utf-8") if out is not None else None  # noqa: SIM115
    except OSError as exc:
        raise _io_error(os.path.join(str(out), POINTS_FILE), exc) from None

    def save(rec: dict[str, Any]) -> None:
        done[int(rec["index"])] = rec
        if sink is not None:
            sink.write(_dumps(rec) + "\n")
            sink.flush()
            os.fsync(sink.fileno())

    bar = tqdm(
        total=len(drawn),
        initial=len(drawn) - len(todo),
        desc=f"validate {config.model} {config.quantity}",
        unit="pt",
        disable=None if progress else True,
    )
    client = cluster = None
    try:
        if todo:
            client, cluster = _executor(scheduler, workers, connect_timeout)
        if client is None:
            for task in todo:
                save(run_point(task))
                bar.update()
        else:
            from dask.distributed import as_completed

            futures = client.map(run_point, todo, pure=False)
            for fut in as_completed(futures):
                save(fut.result())
                bar.update()
    finally:
        bar.close()
        if sink is not None:
            sink.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    records = [done[i] for i in range(len(drawn))]
    report = CampaignReport(config, records, summarize(config, records), out)
    if out is not None:
        report.files = _write_reports(report, out, figure)
    return report


def _write_reports(report: CampaignReport, out: str, figure: bool) -> dict[str, str]:
    import asymptotics

    files = {"json": os.path.join(out, "report.json"), "csv": os.path.join(out, "report.csv")}
    meta = {
        "asymptotics": getattr(asymptotics, "__version__", "unknown"),
        "numpy": np.__version__,
        "mpmath": mpmath.__version__,
        "python": platform.python_version(),
        "hypothesis": _version("hypothesis"),
        "ranges": f"validation.points.SPACES[{report.config.model!r}] (see its docstring)",
    }
    try:
        with open(files["json"], "w", encoding="utf-8") as fh:
            json.dump(_strict_json({**report.to_dict(), "meta": meta}), fh, indent=1, allow_nan=False)
        _write_csv(files["csv"], report.records)
        if figure:
            files["figure"] = plot_report(report, os.path.join(out, "report.png"))
    except OSError as exc:
        raise _io_error(out, exc) from None
    return files


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"
