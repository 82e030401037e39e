r"""Validation campaigns: theory against Monte Carlo at many random parameter points.

``python -m validation validate MODEL --points K --reps R --sizes d1,d2,...`` (or
:func:`run_campaign`) does the following:

1. It draws ``K`` parameter points over the model's documented ranges
   (:mod:`validation.points`): by default a scrambled Sobol design (``--design sobol``; ``lhs``
   for a Latin hypercube), space-filling and log-scaled where a range spans decades, or the
   model's hypothesis strategy itself (``--design hypothesis``, edge-seeking property draws).
   The draw is reproducible from ``--seed`` and the design is saved in ``campaign.json``.
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
   simulator's feature count: ``p`` for mp/ridge, ``N`` for rf, ``N·d`` for nt, ``d`` for krr, the
   size for a simulator declared on a model's ``ModelSpec``.
   Non-finite numbers (an infinite z where the SE is 0) are written as the strings ``"inf"``,
   ``"-inf"``, ``"nan"``, so every JSON file is standard JSON.

**Which model.**  Everything model-specific comes from the model's simulator
(:func:`validation.simulators.registry.get_simulator`): what a size is, the default sizes and
quantities, the point strategy, the one ``simulate(params, size, reps, seed, ...)`` call and the
parameters realized at a size.  A model defined outside the package runs a campaign through the
simulator declared on its ``ModelSpec``.  This module runs campaigns; the storage
(:mod:`validation.campaign_store`) and the reports (:mod:`validation.campaign_report`) live
beside it, and every name they had here is still importable from here.

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

**Resuming.**  The points are deterministic given the model, count, seed, design, sizes and
quantity.  Each finished point is appended to ``points.jsonl`` (flushed and fsynced) as
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

**Dask.**  The default ``scheduler="auto"`` runs the points one after another in this
process and measures their CPU time; once the points left are estimated to need more than
:data:`AUTO_CLUSTER_CPU_S` seconds of CPU (and two or more workers and free cores are available:
cores less the load average of other processes) it
starts a ``LocalCluster`` for them.  A LocalCluster costs a few seconds of CPU to start, import
and stop (``benchmarks/bench_campaign.py``), which small campaigns do not repay.  The choice is
printed in one line and saved in ``report.json``.  ``scheduler="local"`` starts a
``LocalCluster`` of worker processes with one thread each at once.  An address
(``tcp://host:8786``) uses an existing cluster; ``"inprocess"`` runs the points one after
another in this process without Dask.  Closing the client and the cluster silences the
``distributed`` loggers, so no shutdown message lands before the summary.  mpmath's precision is a process-global setting, so
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

import contextlib
import math
import os
import sys
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from tqdm import tqdm

from asymptotics._validate import check_int, check_real
from asymptotics.errors import AsymptoticsError, ParameterError
from asymptotics.models import get_model
from asymptotics.precision import MPMATH_LOCK

from .campaign_report import CampaignReport, _fmt_params, _write_csv, _write_reports, plot_report, summarize
from .campaign_store import (
    CONFIG_FILE,
    LOCK_FILE,
    POINTS_FILE,
    REJECTED_FILE,
    REPORT_FILES,
    _differences,
    _dumps,
    _io_error,
    _is_int,
    _is_real,
    _load_records,
    _locked,
    _no_constant,
    _prepare_dir,
    _record_problem,
    _revive,
    _set_aside,
    _strict_json,
    _version,
    _write_atomic,
)
from .compare import CAMPAIGN_THRESHOLD, MCEstimate, compare, finite_size_trend
from .points import DESIGNS, design_points, space
from .simulators._sampling import MemoryLimitError, memory_limit
from .simulators.registry import get_simulator

__all__ = [
    "AUTO_CLUSTER_CPU_S",
    "CONFIG_FILE",
    "DEFAULT_THRESHOLD",
    "LOCK_FILE",
    "POINTS_FILE",
    "REJECTED_FILE",
    "REPORT_FILES",
    "CampaignConfig",
    "CampaignReport",
    "draw_points",
    "plot_report",
    "run_campaign",
    "run_point",
    "summarize",
]

DEFAULT_THRESHOLD = CAMPAIGN_THRESHOLD
"""Default ``|z|`` bound of the pass rule (3): :data:`validation.compare.CAMPAIGN_THRESHOLD`, the one
definition, which explains why it differs from a single comparison's 3.5."""
MAX_SIZE = 5000
AUTO_CLUSTER_CPU_S = 20.0
"""``scheduler="auto"`` moves the remaining points to a LocalCluster once their estimated CPU time
(the mean CPU time of the points run so far in process, times the points left) exceeds this many
seconds.  A LocalCluster's own cost, measured by ``benchmarks/bench_campaign.py`` on 2 cores, is
about 2 s of wall time and 3-4 s of CPU (start-up, each worker's imports and first theory
compilations, shutdown): above 20 s of work that is ≤ 20 % more CPU, repaid in wall time when
the cores are free (on a machine whose cores are busy the cluster is slower, hence the
free-core rule)."""
_MP_LOCK = MPMATH_LOCK
"""Serializes tasks within a worker process: mpmath's precision is process-global, and this is the
library's own lock (:data:`asymptotics.precision.MPMATH_LOCK`), so a task never overlaps a certified
call made by another thread of the same process."""

_STORE_AND_REPORT = (  # re-exported from campaign_store and campaign_report (the module was split)
    _differences,
    _dumps,
    _fmt_params,
    _io_error,
    _is_int,
    _is_real,
    _load_records,
    _no_constant,
    _prepare_dir,
    _record_problem,
    _revive,
    _set_aside,
    _strict_json,
    _version,
    _write_atomic,
    _write_csv,
)


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
    design: str = "sobol"

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
        design: Any = "sobol",
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
        return cls(sp.model, q, k, r, s, sd, thr, dp, _check_design(design))

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
            "design": self.design,
        }


def _check_design(design: Any) -> str:
    if not isinstance(design, str) or design.strip().lower() not in DESIGNS:
        raise ParameterError(f"`design` must be one of {', '.join(DESIGNS)}; got {design!r}.")
    return design.strip().lower()


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
    model: str,
    count: int,
    *,
    seed: int = 0,
    sizes: Sequence[int] | None = None,
    quantity: str | None = None,
    design: str = "sobol",
) -> list[dict[str, str]]:
    """``count`` distinct parameter points of ``model`` over its documented ranges.

    Parameters
    ----------
    model : str
        A campaign model (:data:`validation.points.SPACES`).
    count : int
        Points wanted (``≥ 1``).
    seed : int, keyword-only
        Scrambles the design (``sobol``, ``lhs``) or seeds hypothesis.
    sizes : sequence of int, keyword-only
        The campaign's sizes (some ranges depend on them); default: the model's.
    quantity : str, keyword-only
        Each point keeps only the parameters this quantity takes (default: the model's first
        campaign quantity); points are distinct after that projection.
    design : {"sobol", "lhs", "hypothesis"}, keyword-only
        ``sobol`` (default): the first ``count`` distinct points of a scrambled Sobol sequence of
        ``2**m ≥ count`` points; ``lhs``: a Latin hypercube of ``count`` points; ``hypothesis``: the
        strategy's own edge-seeking draws (the property mode).  See :mod:`validation.points`.

    Returns
    -------
    list of dict
        Exact decimal strings by parameter name.  Deterministic given ``(model, count, seed,
        design, sizes, quantity)`` and the scipy (designs) or hypothesis version (``@seed``, no
        database, the generate phase only).

    Raises
    ------
    ParameterError
        Unknown model, design or quantity; a count that cannot be met with distinct points.

    Examples
    --------
    >>> pts = draw_points("ridge", 6, seed=0, sizes=(100, 200))
    >>> len({p["gamma"] for p in pts}), len({p["r2"] for p in pts})
    (6, 6)
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    sp = space(model)
    count = check_int("points", count, low=1, high=100_000)
    design = _check_design(design)
    q = sp.quantities[0] if quantity is None else quantity
    base = sp.strategy(tuple(sp.default_sizes if sizes is None else sizes))
    found: list[dict[str, str]] = []
    if design != "hypothesis":
        stream = design_points(base, count, seed=check_int("seed", seed, low=0), design=design)
        for _ in range(4 * count + 50):
            point = _relevant(sp.model, q, next(stream))
            if point not in found:
                found.append(point)
                if len(found) == count:
                    return found
        raise ParameterError(f"could only draw {len(found)} distinct {sp.model} points; ask for fewer `points`.")
    strategy = base.map(lambda p: _relevant(sp.model, q, p))

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
    taken = {k: v for k, v in params.items() if k in q.params}  # a size parameter the quantity does not take
    with mpmath.workdps(dps):
        return float(q.certified(**taken, dps=dps).value)


def _at_size(model: str, params: dict[str, str], size: int) -> dict[str, str]:
    """The drawn point at one size (KRR's theory is a finite-``d`` formula: ``d = size``)."""
    return get_simulator(model).at_size(params, size)


def _realized(model: str, params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    """The point the simulation actually ran: integer sizes make the ratios ``p/n``, ``N/d``, ``n/d``
    (and KRR's ``n``) differ from the drawn ones by up to ``1/(2·size)``, which is as large as the
    finite-size effects being measured.  The comparison uses the theory at these exact ratios
    (each simulator's :meth:`~validation.simulators.registry.SimulatorSpec.realized`)."""
    return get_simulator(model).realized(params, est, size)


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
    sim = get_simulator(model)
    if check_only:
        return sim.check_request(params, size, reps, quantity=quantity, max_memory=max_memory)
    return sim.simulate(params, size, reps, seed, quantity=quantity, max_memory=max_memory)


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


def _cores() -> int:
    """Cores free for this campaign now: those it may run on (CPU affinity, else ``os.cpu_count()``)
    less the load of other processes (the 1-minute load average less this process's own 1)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - no load average
        return n
    return max(1, min(n, round(n - max(0.0, load - 1.0))))


def _close_quietly(client: Any, cluster: Any) -> None:
    """Close the client, then the cluster, and wait, with the ``distributed`` loggers and warnings
    silenced: a LocalCluster's shutdown may log "Stream is closed", ``CommClosedError`` tracebacks
    and the like, which would land between the progress bar and the summary."""
    import logging

    names = ["distributed", "tornado", "asyncio"]
    names += [n for n in logging.root.manager.loggerDict if n.startswith(("distributed.", "tornado."))]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.CRITICAL + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for closing in (client, cluster):
                if closing is not None:
                    with contextlib.suppress(Exception):
                        closing.close()
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _saved_design(out: str | None, fresh: bool) -> str:
    """The design of the campaign saved in ``out`` (``"hypothesis"`` for a ``campaign.json`` written
    before designs existed), else the default ``"sobol"``."""
    import json

    if out is None or fresh:
        return "sobol"
    try:
        with open(os.path.join(out, CONFIG_FILE), encoding="utf-8") as fh:
            saved = json.load(fh)
    except (OSError, ValueError, UnicodeDecodeError):
        return "sobol"
    config = saved.get("config") if isinstance(saved, dict) else None
    if not isinstance(config, dict):
        return "sobol"
    design = config.get("design", "hypothesis")
    return design if design in DESIGNS else "sobol"


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
    scheduler: str = "auto",
    workers: int | None = None,
    connect_timeout: float = 20.0,
    fresh: bool = False,
    progress: bool = True,
    figure: bool = True,
    max_memory: Any = None,
    design: str | None = None,
) -> CampaignReport:
    """Run (or resume) a validation campaign; see the module docstring.

    Parameters
    ----------
    model : str
        A model with a simulator and a point strategy (:data:`validation.points.SPACES`: the
        built-ins mp, ridge, rf, krr, nt), or a model whose ``ModelSpec`` declares a simulator.
    points, reps : int, keyword-only
        Parameter points (``≥ 1``) and Monte Carlo replicates per point and size (``≥ 2``).
    sizes : str or sequence of int, keyword-only
        Increasing simulation sizes in [10, 5000] (the simulator's ``size_param``: ``n`` for
        mp/ridge, ``d`` otherwise); default per model (:data:`validation.points.SPACES`).
    quantity : str, keyword-only
        Default: the model's first (``risk``; ``cdf`` for mp).
    seed : int, keyword-only
        Draws the points and roots every replicate's seed.
    threshold : float, keyword-only
        ``|z|`` bound of the pass rule and of the summary's share (default 3).
    design : {"sobol", "lhs", "hypothesis"}, keyword-only
        How the points are drawn (:func:`draw_points`, :mod:`validation.points`): a space-filling
        ``sobol`` (default for a new campaign) or ``lhs`` design, or ``hypothesis``'s edge-seeking
        draws.  ``None``: the design saved in ``out`` when resuming (``hypothesis`` for a campaign
        saved before designs existed), else ``sobol``.  Saved in ``campaign.json``.
    dps : int, keyword-only
        Digits of the certified theory (15–200; the comparison needs only float64).
    out : str, keyword-only
        Directory for ``campaign.json``, ``points.jsonl`` and the reports; ``None`` keeps
        everything in memory (no resuming).
    scheduler : str, keyword-only
        ``"auto"`` (default): the points run in this process, and the remaining ones move to a
        Dask LocalCluster once their estimated CPU time (mean CPU time per point so far × points
        left) exceeds :data:`AUTO_CLUSTER_CPU_S` and two or more cores and workers are available.
        ``"local"``: a LocalCluster from the start; ``"inprocess"``: no Dask; or the address of
        a Dask scheduler (``tcp://HOST:PORT``).  With ``progress`` the choice is printed on
        stderr in one line (``scheduler: in-process (8 tasks, 1.2 s CPU)``); it is saved in
        ``report.json`` (``meta.scheduler``).
    workers : int, keyword-only
        LocalCluster worker processes for ``"local"`` and ``"auto"`` (default: the number of
        cores, at most 8).
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
    if design is None:
        design = _saved_design(out, fresh)
    config = CampaignConfig.make(
        model, points=points, reps=reps, sizes=sizes, quantity=quantity, seed=seed, threshold=threshold, dps=dps, design=design
    )
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ParameterError(f"`scheduler` must be 'auto', 'local', 'inprocess' or a Dask address; got {scheduler!r}.")
    scheduler = scheduler.strip()
    if workers is not None:
        workers = check_int("workers", workers, low=1, high=1024)
        if scheduler not in ("local", "auto"):
            raise ParameterError(f"`workers` sets the size of a LocalCluster; it has no effect with `scheduler` {scheduler!r}.")
    connect_timeout = float(check_real("connect_timeout", connect_timeout, low=0, low_open=True, high=3600))
    if figure and out is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ParameterError(
                "the report figure needs matplotlib: pip install 'asymptotics[plot]', or figure=False (--no-figure)."
            ) from None
    drawn = draw_points(
        config.model, config.points, seed=config.seed, sizes=config.sizes, quantity=config.quantity, design=config.design
    )
    limit = memory_limit(max_memory) / 2**30  # resolved here: every worker uses the caller's limit
    _check_memory(config, drawn, limit)
    with _locked(out):
        return _run(config, drawn, limit, out, fresh, scheduler, workers, connect_timeout, progress, figure)


def _auto(
    todo: list[dict[str, Any]], save: Any, bar: Any, workers: int | None, connect_timeout: float
) -> tuple[str, list[dict[str, Any]], Any, Any]:
    """``scheduler="auto"``: run points in process while the estimated CPU time of those left stays
    below :data:`AUTO_CLUSTER_CPU_S`; past it, start a LocalCluster for the rest.

    Returns the one-line choice, the tasks left for the cluster, and ``(client, cluster)`` (None
    when everything ran here).  A point's numbers do not depend on where it ran.
    """
    cores = _cores()
    n_workers = workers or max(1, min(cores, 8))
    todo = list(todo)
    total, spent, ran = len(todo), 0.0, 0
    while todo:
        left = len(todo)
        estimate = spent / ran * left if ran else 0.0
        if ran and left >= 2 and n_workers >= 2 and cores >= 2 and estimate > AUTO_CLUSTER_CPU_S:
            w = min(n_workers, left)
            client, cluster = _executor("local", w, connect_timeout)
            return (
                f"LocalCluster of {w} workers ({left} of {total} tasks, est. {estimate:.0f} s CPU; "
                f"{ran} ran in-process first, {spent:.1f} s)",
                todo,
                client,
                cluster,
            )
        t0 = time.process_time()
        save(run_point(todo.pop(0)))
        bar.update()
        spent += time.process_time() - t0
        ran += 1
    why = "1 free core" if cores < 2 else "1 worker" if n_workers < 2 else f"a LocalCluster pays above {AUTO_CLUSTER_CPU_S:g} s"
    return f"in-process ({total} tasks, {spent:.1f} s CPU; {why})", [], None, None


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
    choice = "nothing to run" if not todo else ""
    try:
        if todo and scheduler == "auto":
            choice, todo, client, cluster = _auto(todo, save, bar, workers, connect_timeout)
        elif todo:
            client, cluster = _executor(scheduler, workers, connect_timeout)
            where = "in-process" if client is None else "LocalCluster" if cluster is not None else scheduler
            if cluster is not None:
                where += f" of {len(cluster.workers)} workers"
            choice = f"{where} ({len(todo)} tasks)"
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
        _close_quietly(client, cluster)
    if progress and choice:
        print(f"scheduler: {choice}", file=sys.stderr)
    records = [done[i] for i in range(len(drawn))]
    report = CampaignReport(config, records, summarize(config, records), out, scheduler=choice)
    if out is not None:
        report.files = _write_reports(report, out, figure)
    return report
