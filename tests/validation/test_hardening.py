"""Hardening of the validation package (issue 13): safe with any input.

What is checked:
* memory before allocation: every simulator (mp, ridge, rf, nt, krr, the deep-linear-network
  experiments, lazy training) refuses a request whose estimated peak memory is above the limit,
  fast and before allocating (tracemalloc sees no large array), with a ParameterError naming the
  sizes and the estimate; the same request runs under a larger limit; the limit comes from
  ``max_memory=``, else ``ASYMPTOTICS_MAX_MEMORY_GB`` (read at call time), else 2 GiB;
* the estimates are upper bounds of the measured peak resident memory (slow: subprocesses);
* ``simulate_curve`` and campaigns check every point before the first one runs, and
  ``asymptotics curve rf risk psi1=0.5:1e9:3 psi2=2 --mc 2 --n 10 --log`` (which asked for
  3.3 GiB and died with a MemoryError traceback) exits 2 with one line, in seconds;
* ``--out`` of every ``python -m validation`` subcommand: a regular file, a path below a file,
  an unwritable directory and the empty string exit 2 with one line and no traceback.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models.krr import KRRParams
from asymptotics.models.neural_tangent import NTParams
from asymptotics.models.random_features import RFParams
from asymptotics.models.ridge import RidgeParams
from validation import campaign
from validation.curves import simulate_curve
from validation.simulators import _sampling
from validation.simulators import krr as krr_sim
from validation.simulators import linear_networks as lnn_sim
from validation.simulators import marchenko_pastur as mp_sim
from validation.simulators import neural_tangent as nt_sim
from validation.simulators import random_features as rf_sim
from validation.simulators import ridge as ridge_sim
from validation.simulators._sampling import MAX_MEMORY_ENV, MemoryLimitError, check_memory, footprint, memory_limit

# ----------------------------------------------------------------------------- memory limit
# (name, call(max_memory)) with sizes far beyond any machine (tens of GiB to ~1e+30 bytes): a
# simulator that allocated before checking would raise MemoryError or run for hours here.
HUGE = {
    "mp": lambda mm: mp_sim.simulate("cdf", "0.5", n=10**6, reps=2, x=1.0, max_memory=mm),
    "mp_eigenvalues": lambda mm: next(mp_sim.replicate_eigenvalues("2", n=10**6, reps=2, max_memory=mm)),
    "ridge": lambda mm: ridge_sim.simulate(RidgeParams(gamma="0.5"), n=10**6, reps=2, max_memory=mm),
    "rf": lambda mm: rf_sim.simulate(RFParams(psi1="1e7", psi2=2), d=10, reps=2, max_memory=mm),
    "nt": lambda mm: nt_sim.simulate(NTParams(psi1=1, psi2="1e4"), d=100, reps=2, max_memory=mm),
    "krr": lambda mm: krr_sim.simulate(KRRParams(d=10, n=19_000), reps=2, max_memory=mm),
    "krr_wide": lambda mm: krr_sim.simulate(KRRParams(d=10**7, n=100), reps=2, max_memory=mm),
    "lnn_completion": lambda mm: lnn_sim.matrix_completion(n=400, m=160_000, max_memory=mm),
    "lnn_sensing": lambda mm: lnn_sim.matrix_sensing(n=200, m=10**6, max_memory=mm),
    "lnn_sweep": lambda mm: lnn_sim.completion_sweep(ms=(10, 160_000), n=400, max_memory=mm),
    "lnn_acceleration": lambda mm: lnn_sim.implicit_acceleration(2, n=10**8, d=100, max_memory=mm),
    "lnn_end_to_end": lambda mm: lnn_sim.end_to_end_deviation(2, lrs=(1e-12,), max_memory=mm),
    "lnn_aligned": lambda mm: lnn_sim.aligned_modes(2, s=np.ones(100_000), max_memory=mm),
    "nt_lazy": lambda mm: nt_sim.lazy_training(m=10**5, d=10**4, max_memory=mm),
    "nt_parameter_curves": lambda mm: nt_sim.parameter_curves(d=100, ratios=[1, 1e6], reps=2, max_memory=mm),
}

# the same simulators at sizes that run in a fraction of a second (a few MiB)
SMALL = {
    "mp": lambda mm: mp_sim.simulate("cdf", "0.5", n=40, reps=2, x=1.0, max_memory=mm),
    "ridge": lambda mm: ridge_sim.simulate(RidgeParams(gamma="0.5"), n=40, reps=2, max_memory=mm),
    "rf": lambda mm: rf_sim.simulate(RFParams(psi1=2, psi2=1), d=20, reps=2, n_test=50, max_memory=mm),
    "nt": lambda mm: nt_sim.simulate(NTParams(psi1=2, psi2=1), d=20, reps=2, n_test=50, max_memory=mm),
    "krr": lambda mm: krr_sim.simulate(KRRParams(d=10, n=30), reps=2, n_test=50, max_memory=mm),
    "lnn_completion": lambda mm: lnn_sim.matrix_completion(n=8, m=30, max_steps=20, max_memory=mm),
    "lnn_sensing": lambda mm: lnn_sim.matrix_sensing(n=6, m=40, max_steps=20, max_memory=mm),
    "nt_lazy": lambda mm: nt_sim.lazy_training((8, 16), m=10, n=5, n_test=5, horizon=0.5, lr=0.1, max_memory=mm),
}


@pytest.mark.parametrize("name", list(HUGE))
def test_huge_request_is_refused_before_allocation(name):
    # SymPy is imported on first use since issue 14 (a kernel's expression): a one-time import of
    # ~20 MiB of code objects, not memory the request allocates, so it happens before tracing
    importlib.import_module("sympy")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ParameterError, match=r"would need about .* of memory, more than the limit of 2 GiB") as err:
            HUGE[name](None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5.0
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MiB were allocated before the refusal"
    assert isinstance(err.value, MemoryLimitError) and MAX_MEMORY_ENV in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", list(SMALL))
def test_small_limit_refuses_and_larger_limit_runs(name, monkeypatch):
    """A 16 MiB limit (below every estimate: the fixed margin alone is 16 MiB) refuses a tiny
    request; 1 GiB runs it; the environment variable is read at call time."""
    with pytest.raises(MemoryLimitError, match=r"limit of 0\.0156 GiB"):
        SMALL[name](1 / 64)
    SMALL[name](1)
    monkeypatch.setenv(MAX_MEMORY_ENV, "0.015625")
    with pytest.raises(MemoryLimitError, match="limit of 0.0156 GiB"):
        SMALL[name](None)
    monkeypatch.setenv(MAX_MEMORY_ENV, "1")
    SMALL[name](None)


def test_memory_limit_sources(monkeypatch):
    monkeypatch.delenv(MAX_MEMORY_ENV, raising=False)
    assert memory_limit() == 2 * 2**30
    assert memory_limit("0.5") == 2**29 and memory_limit(3) == 3 * 2**30 and memory_limit(float("inf")) == float("inf")
    monkeypatch.setenv(MAX_MEMORY_ENV, " 4 ")
    assert memory_limit() == 4 * 2**30 and memory_limit(1) == 2**30  # the keyword wins
    for bad in ("abc", "0", "-1", "nan"):
        monkeypatch.setenv(MAX_MEMORY_ENV, bad)
        with pytest.raises(ParameterError, match=MAX_MEMORY_ENV):
            memory_limit()
    for bad in (0, -2, "x", float("nan"), True):
        with pytest.raises(ParameterError, match="max_memory"):
            memory_limit(bad)


def test_check_memory_message_and_astronomical_sizes():
    with pytest.raises(MemoryLimitError) as err:
        check_memory("the test", footprint(10**400), max_memory=1, n=10**200, p=10**200)
    msg = str(err.value)
    assert "n = ~1e+200, p = ~1e+200" in msg and "~1e+400 bytes" in msg and "limit of 1 GiB" in msg
    check_memory("the test", footprint(10**6), max_memory=1, n=1000, p=1000)  # 8 MB + margin: fine
    assert footprint(0) == _sampling.MARGIN_BYTES and footprint(10) == (11 * 80) // 10 + _sampling.MARGIN_BYTES


def test_estimates_follow_the_sizes():
    """The estimate grows with each size that enters it (a dropped term would show here)."""
    base = rf_sim.peak_memory(100, 50, 20, 1000, 1, 2)
    for bigger in (
        rf_sim.peak_memory(1000, 50, 20, 1000, 1, 2),
        rf_sim.peak_memory(100, 500, 20, 1000, 1, 2),
        rf_sim.peak_memory(100, 50, 20, 10_000, 1, 2),
        rf_sim.peak_memory(100, 50, 20, 1000, 100, 2),
    ):
        assert bigger > base
    # the 3.3 GiB test-feature matrix of the example alone: n_test × N float64
    assert rf_sim.peak_memory(223_607, 20, 10, 2000, 1, 2) > 2000 * 223_607 * 8
    assert ridge_sim.peak_memory(100, 50, 1, 2, isotropic=False) > ridge_sim.peak_memory(100, 50, 1, 2)
    assert nt_sim.peak_memory(1000, 10, 10, 10, 1, 2, both=True) > nt_sim.peak_memory(1000, 10, 10, 10, 1, 2)
    assert krr_sim.peak_memory(1000, 10, 100, 1, 2) > 5 * 1000**2 * 8  # eigh's copy, vectors and workspace
    assert mp_sim.peak_memory(100, 50, 10, 2, complex_=True) > mp_sim.peak_memory(100, 50, 10, 2)


def test_simulate_curve_checks_every_point_first(monkeypatch):
    """The too large point comes last: nothing is simulated before the refusal."""
    calls = []
    real = rf_sim.simulate
    monkeypatch.setattr(rf_sim, "simulate", lambda *a, **k: calls.append(1) or real(*a, **k))
    grid = np.array([0.5, 1.0, 1e6])
    with pytest.raises(MemoryLimitError, match=r"rf simulation \(d = 10, N = 10000000"):
        simulate_curve("rf", "risk", "psi1", grid, {"psi2": "2"}, reps=2, n=10)
    assert calls == []
    mean, se = simulate_curve("rf", "risk", "psi1", grid[:2], {"psi2": "2"}, reps=2, n=10)
    assert mean.shape == se.shape == (2,) and calls == [1, 1]
    with pytest.raises(MemoryLimitError, match="limit of 1e-06 GiB"):
        simulate_curve("ridge", "risk", "lam", np.array([0.1, 1.0]), {"gamma": "2"}, reps=2, n=20, max_memory=1e-6)
    with pytest.raises(MemoryLimitError, match="krr simulation"):
        simulate_curve("krr", "risk", "n", np.array([10.0, 19_000.0]), {"d": "10"}, reps=2)
    with pytest.raises(MemoryLimitError, match="Marchenko-Pastur"):
        simulate_curve("mp", "cdf", "x", np.array([1.0]), {"gamma": "0.5"}, reps=2, n=10**6)


def test_cli_curve_with_mc_too_large_exits_2_in_seconds():
    """Issue 13, section 2: this command asked for 3.3 GiB and died with a MemoryError traceback."""
    argv = ["curve", "rf", "risk", "psi1=0.5:1e9:3", "psi2=2", "--mc", "2", "--n", "10", "--log"]
    env = {k: v for k, v in os.environ.items() if k != MAX_MEMORY_ENV}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "asymptotics", *argv], capture_output=True, text=True, timeout=120, env=env)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "GiB" in proc.stderr and "N = 223607" in proc.stderr and "n_test = 2000" in proc.stderr
    assert elapsed < 60, elapsed  # a few seconds on an idle machine (imports included)


def test_campaign_checks_memory_before_any_point(monkeypatch, tmp_path):
    monkeypatch.setattr(campaign, "run_point", lambda task: pytest.fail("a point ran before the memory check"))
    with pytest.raises(MemoryLimitError, match=r"point 0 \(.*\) at size 20: the rf simulation"):
        campaign.run_campaign(
            "rf", points=2, reps=2, sizes="20", scheduler="inprocess", out=str(tmp_path), progress=False, max_memory=1e-6
        )
    assert not (tmp_path / "points.jsonl").exists()


def test_campaign_passes_its_limit_to_the_workers(monkeypatch):
    seen = []
    real = campaign.run_point
    monkeypatch.setattr(campaign, "run_point", lambda task: seen.append(task["max_memory"]) or real(task))
    monkeypatch.setenv(MAX_MEMORY_ENV, "0.75")
    rep = campaign.run_campaign("ridge", points=2, reps=2, sizes="20", scheduler="inprocess", progress=False)
    assert seen == [0.75, 0.75] and rep.summary["errors"] == 0
    # a limit that only run_point sees (the check above bypassed) is recorded at the point
    task = {"index": 0, "params": rep.records[0]["params"], "config": rep.config.to_dict(), "max_memory": 1e-6}
    rec = real(task)
    assert rec["status"] == "error" and "MemoryLimitError" in rec["error"] and rec["pass"] is False


_PROBE = """
import json, resource, sys
{setup}
import numpy as np
b = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
{call}
a = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps([a - b, {estimate}]))
"""

MEASURED = {  # setup, call, estimate: arrays of 100-900 MiB
    "mp": (
        "from validation.simulators import marchenko_pastur as m",
        "m.simulate('cdf', '0.5', n=6000, reps=2, x=[0.5, 1.0], design='rademacher')",
        "m.peak_memory(6000, 3000, 2, 2)",
    ),
    "ridge": (
        "from validation.simulators import ridge as m; from asymptotics.models.ridge import RidgeParams as P",
        "m.simulate(P(gamma='2', lam='0.1'), n=2000, reps=2)",
        "m.peak_memory(2000, 4000, 1, 2)",
    ),
    "rf": (
        "from validation.simulators import random_features as m; from asymptotics.models.random_features import RFParams as P",
        "m.simulate(P(psi1=10, psi2=2), d=300, reps=2)",
        "m.peak_memory(3000, 600, 300, 2000, 1, 2)",
    ),
    "nt": (
        "from validation.simulators import neural_tangent as m; from asymptotics.models.neural_tangent import NTParams as P",
        "m.simulate(P(psi1=1, psi2=40), d=100, reps=2)",
        "m.peak_memory(100, 4000, 100, 1000, 1, 2)",
    ),
    "krr": (
        "from validation.simulators import krr as m; from asymptotics.models.krr import KRRParams as P",
        "m.simulate(P(d=20, n=3000, kernel='exp', F='0,1'), reps=2)",
        "m.peak_memory(3000, 20, 2000, 1, 2, targets=8)",
    ),
    "lnn": (
        "from validation.simulators import linear_networks as m",
        "m.matrix_sensing(n=40, m=8000, depth=2, max_steps=3, record_every=1)",
        "m.factorization_memory(40, 8000, 2, records=5, top=6, sensing=True)",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MEASURED))
def test_estimate_bounds_measured_peak(name):
    """Peak resident memory of a real run (fresh process) stays below the estimate, and the
    estimate is not absurdly conservative (at most 2.5× the measurement)."""
    setup, call, estimate = MEASURED[name]
    code = _PROBE.format(setup=setup, call=call, estimate=estimate)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env, check=True)
    measured, est = json.loads(proc.stdout)
    assert measured > 50 * 2**20  # the run really allocated
    assert measured <= est <= 2.5 * measured, (measured / 2**20, est / 2**20)


# ----------------------------------------------------------------------------- --out
def _unwritable_dir(tmp_path):
    """A directory nobody may create files in: mode 555 for an ordinary user; for root (who
    ignores modes) /sys/kernel when it refuses a new file."""
    if os.geteuid() != 0:
        d = tmp_path / "ro"
        d.mkdir()
        d.chmod(0o555)
        return str(d)
    probe = "/sys/kernel/asymptotics_probe"
    try:
        open(probe, "w").close()  # noqa: SIM115
    except OSError:
        return "/sys/kernel"
    pytest.skip("no unwritable directory available to root here")


def _bad_out(kind, tmp_path):
    (tmp_path / "file").write_text("x")
    return {
        "file": str(tmp_path / "file"),
        "below_file": str(tmp_path / "file" / "sub"),
        "unwritable": _unwritable_dir(tmp_path) if kind == "unwritable" else "",
        "empty": "",
    }[kind]


SUBCOMMANDS = {
    "lnn": ["lnn", "--quick"],
    "nt": ["nt", "--quick"],
    "network": ["network", "--quick"],
    "validate": ["validate", "ridge", "--points", "1", "--reps", "2", "--sizes", "20", "--scheduler", "inprocess"],
}


@pytest.mark.parametrize("kind", ["file", "below_file", "unwritable", "empty"])
@pytest.mark.parametrize("sub", list(SUBCOMMANDS))
def test_cli_out_errors_exit_2_with_one_line(sub, kind, tmp_path):
    out = _bad_out(kind, tmp_path)
    argv = [sys.executable, "-m", "validation", *SUBCOMMANDS[sub], "--out", out]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1 and err.startswith("validation: error:"), err
    assert "out" in err
    if kind == "file":
        assert "exists and is not a directory" in err
    assert proc.stdout == ""  # nothing ran
    assert (tmp_path / "file").read_text() == "x"  # and nothing was overwritten
