"""Monte Carlo replicate cost of the rf, nt and krr simulators (a script, not a test): `python benchmarks/bench_mc.py`.

For each model and a few sizes (the sizes of the statistical tests and one larger), prints the
CPU time (``time.process_time``, BLAS pinned to one thread with threadpoolctl) of

* the replicate's own dominant decomposition on a matrix of the same size, drawn the way the
  simulator draws it: the thin SVD of the ``n × N`` feature matrix (rf), ``eigh`` of the
  ``n × n`` kernel matrix (nt, krr);
* one replicate of today's ``simulate`` (per replicate of a ``reps = REPS`` run: design, test
  set, targets, decomposition, every quantity on the λ grid, noise integrated);
* one replicate of the baseline simulators, the files of commit :data:`BASELINE` (before issue
  14) loaded from git into temporary modules of the same package and run in this process.

Columns: ``new/dec`` (target ≤ 1.5), ``old/dec`` and ``new/old``.  Figures are medians of
``REPEAT`` runs, the compared codes taking turns.  Options: ``--quick`` (the smallest size per
model), ``--no-baseline`` (when git or the baseline commit is not available).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from asymptotics.models.krr import KRRParams
from asymptotics.models.neural_tangent import NTParams
from asymptotics.models.random_features import RFParams
from validation.simulators import krr as krr_sim
from validation.simulators import neural_tangent as nt_sim
from validation.simulators import random_features as rf_sim

BASELINE = "f028218ac7f6655127fb0edcb2161393ada30ac2"
"""The commit whose simulators are the baseline (the code before issue 14's replicate work)."""

ROOT = Path(__file__).resolve().parent.parent
REPS, REPEAT, TARGET = 2, 5, 1.5


def cpu_times(fns: list[Callable[[], Any]], repeat: int = REPEAT) -> list[float]:
    """Median CPU time of each of ``fns`` over ``repeat`` rounds (one warm-up call each; the functions take turns)."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            t0 = time.process_time()
            fn()
            out.append(time.process_time() - t0)
    return [statistics.median(t) for t in times]


def load_baseline(name: str) -> types.ModuleType:
    """``validation/simulators/<name>.py`` of :data:`BASELINE` as module ``validation.simulators._baseline_<name>``."""
    modname = f"validation.simulators._baseline_{name}"
    if modname in sys.modules:
        return sys.modules[modname]
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE}:validation/simulators/{name}.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # the baseline nt simulator drew through the baseline rf simulator
    src = src.replace("from . import random_features as rf_sim", "from . import _baseline_random_features as rf_sim")
    if name == "neural_tangent":
        load_baseline("random_features")
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(modname, loader=None))
    module.__package__ = "validation.simulators"
    sys.modules[modname] = module
    exec(compile(src, f"<{BASELINE[:7]}:validation/simulators/{name}.py>", "exec"), module.__dict__)
    return module


# ----------------------------------------------------------------------------- cases
def rf_case(d: int, activation: str = "relu", tau2: str = "0.25") -> tuple[str, Any, Callable[[Any], Any]]:
    params = RFParams(2, 3, "0.1", activation, 1, "0", tau2)  # theory-note row rf01
    N, n = rf_sim.sizes(params, d)
    z, *_ = rf_sim.draw(params, np.random.default_rng(0), d, N, n, 1)

    def run(mod: Any) -> Any:
        return mod.simulate(params, d=d, reps=REPS, seed=1)

    return f"rf {activation} tau2={tau2} d={d} (N={N}, n={n}, n_test={rf_sim.DEFAULT_N_TEST})", (
        lambda: np.linalg.svd(z, full_matrices=False)
    ), run


def nt_case(d: int, layers: str = "first") -> tuple[str, Any, Callable[[Any], Any]]:
    if layers == "first":
        params = NTParams(psi2=2, psi1=4, tau2="0.25")  # test row nt-relu
    else:
        params = NTParams(psi2=2, psi1=1, lam="0.05", tau2="0.25", layers="both", activation="tanh")  # ntk-tanh
    N, n = nt_sim.sizes(params, d)
    theta, x, x_test, *_ = rf_sim.draw_problem(np.random.default_rng(0), d, N, n, 1, 1, 0)
    k, _ = nt_sim.kernels(params, theta, x, x_test)

    def run(mod: Any) -> Any:
        return mod.simulate(params, d=d, reps=REPS, seed=1)

    return f"nt {layers} d={d} (N={N}, n={n}, n_test={nt_sim.DEFAULT_N_TEST})", (lambda: np.linalg.eigh(k)), run


def krr_case(d: int, n: int) -> tuple[str, Any, Callable[[Any], Any]]:
    params = KRRParams(d=d, n=n, kernel="exp", F="0,1,0.5,0.2", sigma2="0.1")
    k, *_ = krr_sim.draw(params, np.random.default_rng(0), n, 1)

    def run(mod: Any) -> Any:
        return mod.simulate(params, reps=REPS, lams=[0.0, 1.0], seed=1)

    label = f"krr exp d={d} n={n} (n_test={krr_sim.DEFAULT_N_TEST}, targets={krr_sim.DEFAULT_TARGETS}, 2 lams)"
    return label, (lambda: np.linalg.eigh(k)), run


CASES: dict[str, list[Callable[[], tuple[str, Any, Callable[[Any], Any]]]]] = {
    "random_features": [
        lambda: rf_case(100),
        lambda: rf_case(200),
        lambda: rf_case(200, "tanh", "0"),
        lambda: rf_case(300),
    ],
    "neural_tangent": [lambda: nt_case(100), lambda: nt_case(200), lambda: nt_case(150, "both")],
    "krr": [lambda: krr_case(200, 300), lambda: krr_case(20, 418), lambda: krr_case(100, 1000)],
}
NEW = {"random_features": rf_sim, "neural_tangent": nt_sim, "krr": krr_sim}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smallest size per model only")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline simulators")
    args = parser.parse_args(argv)
    print(f"Monte Carlo replicate / dominant decomposition (CPU time, 1 BLAS thread, median of {REPEAT}; numpy {np.__version__})")
    print(f"baseline: simulators of commit {BASELINE[:10]}" if not args.no_baseline else "baseline: skipped")
    print(f"{'case':62s} {'dec ms':>8s} {'old ms':>8s} {'new ms':>8s} {'old/dec':>8s} {'new/dec':>8s} {'new/old':>8s}")
    worst = 0.0
    with threadpool_limits(limits=1):
        for name, cases in CASES.items():
            old = None if args.no_baseline else load_baseline(name)
            for make in cases[:1] if args.quick else cases:
                label, decompose, run = make()
                fns = [decompose, lambda run=run: run(NEW[name])] + ([] if old is None else [lambda run=run: run(old)])
                t_dec, t_new, t_old = [*cpu_times(fns), float("nan")][:3]
                t_new, t_old = t_new / REPS, t_old / REPS
                worst = max(worst, t_new / t_dec)
                print(
                    f"{label:62s} {1e3 * t_dec:8.1f} {1e3 * t_old:8.1f} {1e3 * t_new:8.1f} "
                    f"{t_old / t_dec:8.2f} {t_new / t_dec:8.2f} {t_new / t_old:8.2f}"
                )
    print(f"largest new/dec = {worst:.2f} (target <= {TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
