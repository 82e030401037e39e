"""Kernel ridge regression timings (a script, not a test): `python benchmarks/bench_krr.py [--quick] [--full]`.

CPU time (``time.process_time``), BLAS pinned to one thread (threadpoolctl), each figure a ratio
against a baseline run in the same process.  The baseline is the code before issue 14
(``git show BASE:asymptotics/models/krr.py`` and ``BASE:asymptotics/kernels.py`` with ``BASE`` =
``f028218``, where krr and kernels were still as before the issue, loaded as private modules next
to the package), so the ratio measures the issue's change.

1. certified risk at d = 20, dps = 30 (issue 14 target ≤ 10 ms; the baseline took ~45 ms): a
   warm kernel (its eigenvalue cache filled by a first call, what a curve of certified points
   costs) and a fresh one (every eigenvalue computed);
2. ``kernel=relu_ntk`` at d = 100: now at dps = 60 (target: seconds; the baseline took 686 s),
   against the baseline at dps = 30 (10 s; ``--full`` runs the baseline at dps = 60 too);
3. other certified points (several kernels and domains), new against baseline;
4. a 1,000-point float64 curve in n against certified points (estimated from a subset);
5. one Monte Carlo replicate against the `numpy.linalg.eigh` of its own kernel matrix.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import mpmath
import numpy as np
from _timing import cpu_time
from threadpoolctl import threadpool_limits

import asymptotics
from asymptotics.models import krr
from validation.simulators import krr as krr_sim

QUICK = "--quick" in sys.argv
FULL = "--full" in sys.argv


def cpu(fn, repeat: int = 5) -> float:
    """Median CPU time of ``repeat`` calls (no warm-up: call ``fn`` first where a warm state is wanted)."""
    return cpu_time(fn, repeat, warmup=False)


ROOT = Path(__file__).resolve().parents[1]
BASE = "f028218"  # issue 14 started here (krr.py and kernels.py unchanged from before the issue)


def _load_head(path: str, name: str, package: str, replace: dict[str, str]) -> object:
    """The committed version of ``path`` as module ``name`` inside ``package`` (relative imports resolve there)."""
    src = subprocess.run(["git", "show", f"{BASE}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for old, new in replace.items():
        src = src.replace(old, new)
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = package
    sys.modules[name] = module
    exec(compile(src, f"HEAD:{path}", "exec"), module.__dict__)  # noqa: S102 - our own committed source
    return module


def _load_krr_head() -> object:
    """The committed krr, on the committed kernels, without its registry section (the model stays registered once)."""
    src = subprocess.run(
        ["git", "show", f"{BASE}:asymptotics/models/krr.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    src = src.split("# ----------------------------------------------------------------------------- registry")[0]
    src = src.replace("from ..kernels import", "from .._bench_head_kernels import")
    name = "asymptotics.models._bench_head_krr"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "asymptotics.models"
    sys.modules[name] = module
    exec(compile(src, "HEAD:asymptotics/models/krr.py", "exec"), module.__dict__)  # noqa: S102 - our own committed source
    return module


def same(a, b, dps: int) -> str:
    """Agreement of two certified values, in digits (``dps`` = all of them)."""
    with mpmath.workdps(dps + 10):
        if a == b:
            return "equal"
        rel = abs(a - b) / max(abs(a), abs(b))
        return f"{-float(mpmath.log10(rel)):.0f} digits"


D20 = [
    # label, d, n, kernel, lam, F, sigma2, domain
    ("README exp:1/5, lam=0", 20, 100, "exp:1/5", "0", "0,1,1", "0.5", "sphere"),
    ("exp, lam=0", 20, 400, "exp", "0", "0,1,1", "0.5", "sphere"),
    ("exp, lam=0.01", 20, 1000, "exp", "0.01", "0,1,0.5", "0.1", "sphere"),
]
OTHER = [
    ("exp, level-2 peak", 40, 819, "exp", "0", "0,0.5,1,0.3", "0.1", "sphere"),
    ("exp, d=200", 200, 300, "exp", "1", "0,1,0.5,0.2", "0.1", "sphere"),
    ("exp, tiny self-ridge", 3, 500, "exp", "0", "0,1", "0.1", "sphere"),
    ("poly:2", 40, 983, "coef:1,1,1/2", "0.001", "0,0.5,1", "0.1", "sphere"),
    ("exp, hypercube", 40, 819, "exp", "0", "0,0.5,1,0.3", "0.1", "hypercube"),
    ("relu_ntk, hypercube", 30, 300, "relu_ntk", "0.1", "0,1,0.5", "0.1", "hypercube"),
]


def point(module, row, dps: int = 30):
    _, d, n, kernel, lam, F, s2, domain = row
    return module.risk(d, n, kernel, lam, F, s2, domain=domain, dps=dps)


def fresh(module, kernels_module, row, dps: int = 30):
    kernels_module._from_text.cache_clear()  # a fresh Kernel object: no cached eigenvalues
    return point(module, row, dps)


def d20(base_krr, base_kernels) -> None:
    print("1. certified risk at d = 20, dps = 30 (target <= 10 ms warm; CPU ms, median of 5)")
    head = f"{'new warm':>9} {'base warm':>10} {'ratio':>7} {'new fresh':>10} {'base fresh':>11} {'ratio':>7}"
    print(f"   {'point':<24} {head}  agree")
    for row in D20:
        new, old = point(krr, row), point(base_krr, row)
        t_new, t_old = cpu(lambda row=row: point(krr, row)), cpu(lambda row=row: point(base_krr, row))
        f_new = cpu(lambda row=row: fresh(krr, asymptotics.kernels, row), 3)
        f_old = cpu(lambda row=row: fresh(base_krr, base_kernels, row), 3)
        print(
            f"   {row[0]:<24} {1e3 * t_new:7.1f}ms {1e3 * t_old:8.1f}ms {t_old / t_new:6.1f}x "
            f"{1e3 * f_new:8.1f}ms {1e3 * f_old:9.1f}ms {f_old / f_new:6.1f}x  {same(new.value, old.value, 30)}"
        )


def relu(base_krr, base_kernels) -> None:
    row = ("relu_ntk, d=100", 100, 1000, "relu_ntk", "0.1", "0,1,0.5", "0.1", "sphere")
    print("\n2. kernel=relu_ntk, d=100, n=1000, lam=0.1 (target: seconds at dps = 60; fresh kernel, CPU s)")
    t0 = time.process_time()
    new60 = fresh(krr, asymptotics.kernels, row, 60)
    t_new60 = time.process_time() - t0
    t0 = time.process_time()
    new30 = fresh(krr, asymptotics.kernels, row, 30)
    t_new30 = time.process_time() - t0
    base_kernels.QUAD_BUDGET_S = 3600.0  # the baseline's quadrature takes ~10 s: lift its wall-clock budget
    t0 = time.process_time()
    old30 = fresh(base_krr, base_kernels, row, 30)
    t_old30 = time.process_time() - t0
    print(f"   new dps=60 {t_new60:.2f} s ({new60.extra['levels']} levels); new dps=30 {t_new30:.2f} s")
    agree = same(new30.value, old30.value, 30)
    print(f"   baseline dps=30 {t_old30:.2f} s: ratio at dps=30 {t_old30 / t_new30:.0f}x; agree {agree}")
    if FULL:
        t0 = time.process_time()
        old60 = fresh(base_krr, base_kernels, row, 60)
        t_old60 = time.process_time() - t0
        print(f"   baseline dps=60 {t_old60:.0f} s: ratio {t_old60 / t_new60:.0f}x; agree {same(new60.value, old60.value, 60)}")
    else:
        print(f"   baseline dps=60 not run (686 s when measured for issue 14: ~{686 / t_new60:.0f}x); --full runs it")


def others(base_krr, base_kernels) -> None:
    print("\n3. other certified points, dps = 30 (CPU ms: warm = median of 3 after a first call)")
    print(f"   {'point':<22} {'new warm':>9} {'base warm':>10} {'ratio':>7}  {'levels new/base':>15}  agree")
    for row in OTHER[: 3 if QUICK else None]:
        new, old = fresh(krr, asymptotics.kernels, row), fresh(base_krr, base_kernels, row)
        t_new, t_old = cpu(lambda row=row: point(krr, row), 3), cpu(lambda row=row: point(base_krr, row), 3)
        print(
            f"   {row[0]:<22} {1e3 * t_new:7.1f}ms {1e3 * t_old:8.1f}ms {t_old / t_new:6.1f}x  "
            f"{new.extra['levels']:>7}/{old.extra['levels']:<7}  {same(new.value, old.value, 30)}"
        )


def curve() -> None:
    d, kernel, F = 30, "exp", "0,1,0.5,0.3"
    ns = np.geomspace(10, 5000, 1000)
    vals, status = krr.curve_values("risk", d, ns, kernel, 0.001, F, 0.1)
    t_curve = cpu(lambda: krr.curve_values("risk", d, ns, kernel, 0.001, F, 0.1), 3)
    sub = ns[:: 100 if not QUICK else 250]
    t0 = time.process_time()
    refs = [float(krr.risk(d, float(n), kernel, "0.001", F, "0.1", dps=30).value) for n in sub]
    t_cert = (time.process_time() - t0) / len(sub)
    idx = np.searchsorted(ns, sub)
    diff = max(abs(vals[i] / r - 1) for i, r in zip(idx, refs, strict=True))
    counts = {int(k): int(c) for k, c in zip(*np.unique(status, return_counts=True), strict=True)}
    print(f"\n4. float64 risk curve, 1000 points in n (d={d}, {kernel}, lam=0.001, F={F})")
    print(
        f"   float64 curve {1e3 * t_curve:.1f} ms, statuses {counts}; certified dps=30 {1e3 * t_cert:.1f} ms/point "
        f"-> {t_cert * 1000:.1f} s for 1000 points; ratio {1000 * t_cert / t_curve:.0f}x; max relative difference {diff:.1e}"
    )


def monte_carlo() -> None:
    d, n, n_lams = 40, 819 if not QUICK else 400, 50
    params = krr.KRRParams(d, n, "exp", 0, "0,0.5,1,0.3", "0.1")
    lams = np.concatenate([[0.0], np.logspace(-4, 1, n_lams - 1)])
    rng = np.random.default_rng(0)
    k, _, _, _ = krr_sim.draw(params, rng, n, krr_sim.DEFAULT_N_TEST, krr_sim.DEFAULT_TARGETS)
    t_eigh = cpu(lambda: np.linalg.eigh(k), 3)
    t_rep = cpu(lambda: krr_sim.simulate(params, reps=2, lams=lams, seed=0), 3) / 2
    print(f"\n5. one KRR Monte Carlo replicate (d={d}, n={n}, {n_lams} lambdas, 2000 test points, 8 targets)")
    print(f"   numpy.linalg.eigh(K) {1e3 * t_eigh:.1f} ms; one replicate {1e3 * t_rep:.1f} ms; ratio {t_rep / t_eigh:.2f}")


if __name__ == "__main__":
    print(f"mpmath {mpmath.__version__}, backend {mpmath.libmp.BACKEND}; numpy {np.__version__}; CPU time, 1 BLAS thread")
    with threadpool_limits(limits=1):
        base_kernels = _load_head("asymptotics/kernels.py", "asymptotics._bench_head_kernels", "asymptotics", {})
        base_krr = _load_krr_head()
        d20(base_krr, base_kernels)
        relu(base_krr, base_kernels)
        others(base_krr, base_kernels)
        curve()
        monte_carlo()
