"""Neural tangent timings (a script, not a test): `python benchmarks/bench_nt.py [--quick]`.

Issue 5 names no speed target; these are the figures to watch, each as a ratio against a
baseline run in the same process:

0. the formulas written once for every backend (issue 14) against the module before (commit
   ``bench_rf.LEGACY_COMMIT``, loaded from git): certified NT/NTK points and float64 curves,
   CPU time (``time.process_time``) with BLAS pinned to one thread; values must agree;

1. certified risk per point at dps = 30 and 100 (NT model, two-layer NTK at several widths),
   against the same point's NT value (the NTK solves a scalar equation whose terms are
   Marchenko-Pastur Stieltjes transforms; the NT model is a closed form);
2. a 1,000-point float64 NTK curve in psi1 against 1,000 certified points (estimated from a
   subset), with the largest relative difference on that subset;
3. one Monte Carlo replicate of NTK kernel ridge (d = 200, n = 400, N = 200, a 20-value λ grid,
   1,000 test points) against the `numpy.linalg.eigh` of its own kernel matrix;
4. the lazy-training run (8 values of alpha, 800 steps each, network and linearization).
"""

from __future__ import annotations

import sys
import time

import mpmath
import numpy as np
from _timing import median_time
from bench_rf import cpu_time, legacy_modules
from threadpoolctl import threadpool_limits

from asymptotics.models import neural_tangent as nt
from validation.simulators import neural_tangent as sim
from validation.simulators import random_features as rf_sim

QUICK = "--quick" in sys.argv


def section_legacy(rep: int) -> bool:
    print("0. formulas written once vs. the code before issue 14; CPU time, one BLAS thread")
    _, old = legacy_modules()
    ok = True
    cases = [("NT model relu", {}), ("NT model tanh", {"activation": "tanh"})]
    cases += [(f"NTK psi1={p}", {"layers": "both", "psi1": p}) for p in ("0.3", "1", "5", "inf")]
    for label, kw in cases:
        for dps in (30, 100):
            new_v = nt.risk(psi2=2, tau2="0.25", dps=dps, **kw).value
            old_v = old.risk(psi2=2, tau2="0.25", dps=dps, **kw).value
            with mpmath.workdps(dps + 10):
                ok &= abs(new_v - old_v) <= abs(old_v) * mpmath.mpf(10) ** (1 - dps)
            t_new = cpu_time(lambda kw=kw, dps=dps: nt.risk(psi2=2, tau2="0.25", dps=dps, **kw), rep, 3)
            t_old = cpu_time(lambda kw=kw, dps=dps: old.risk(psi2=2, tau2="0.25", dps=dps, **kw), rep, 3)
            times = f"{1e3 * t_new:8.2f} ms vs {1e3 * t_old:8.2f} ms before"
            print(f"   certified dps={dps:<3} {label:<14} {times}: ratio {t_new / t_old:.2f}")
    grid = np.geomspace(0.02, 20, 1000)
    curves = {
        "NT model, psi2 sweep": dict(psi2=grid),
        "NTK, psi1 sweep": dict(psi2=2.0, layers="both", psi1=grid),
        "NTK abs, psi1 sweep": dict(psi2=2.0, layers="both", psi1=grid, activation="abs"),
    }
    for label, kw in curves.items():
        v_new, s_new = nt.curve_values("risk", tau2=0.25, **kw)
        v_old, s_old = old.curve_values("risk", tau2=0.25, **kw)
        same = bool((s_new == s_old).all()) and bool(np.allclose(v_new, v_old, rtol=1e-9, atol=0, equal_nan=True))
        ok &= same
        t_new = cpu_time(lambda kw=kw: nt.curve_values("risk", tau2=0.25, **kw), rep)
        t_old = cpu_time(lambda kw=kw: old.curve_values("risk", tau2=0.25, **kw), rep)
        print(
            f"   float64 1000 points, {label:<21} {1e3 * t_new:7.2f} ms vs {1e3 * t_old:7.2f} ms before: "
            f"ratio {t_new / t_old:.2f}{'' if same else '  VALUES DIFFER'}"
        )
    print(f"   same values (dps - 1 digits certified, 1e-9 and equal statuses float64): {'yes' if ok else 'NO'}")
    return ok


def main() -> None:
    rep = 2 if QUICK else 5
    with threadpool_limits(limits=1):
        section_legacy(rep)
    print("1. certified risk per point")
    for dps in (30, 100):
        base = median_time(lambda dps=dps: nt.risk(psi2=2, tau2="0.25", activation="tanh", dps=dps), rep)
        print(f"   dps={dps:<4} NT model (tanh): {1e3 * base:8.2f} ms")
        for psi1 in ("0.3", "1", "5"):
            t = median_time(
                lambda psi1=psi1, dps=dps: nt.risk(psi2=2, tau2="0.25", activation="tanh", layers="both", psi1=psi1, dps=dps),
                rep,
            )
            print(f"   dps={dps:<4} NTK psi1={psi1:<4}: {1e3 * t:8.2f} ms  ({t / base:6.1f} x the NT point)")

    print("2. float64 curve against certified points")
    grid = np.geomspace(0.02, 20, 1000)
    t_curve = median_time(lambda: nt.curve_values("risk", psi2=2.0, tau2=0.25, layers="both", psi1=grid), rep)
    sub = grid[:: 100 if not QUICK else 250]
    t0 = time.perf_counter()
    certified = [float(nt.risk(psi2=2, tau2="0.25", layers="both", psi1=repr(float(p)), dps=30).value) for p in sub]
    t_cert = (time.perf_counter() - t0) / len(sub) * grid.size
    vals, _ = nt.curve_values("risk", psi2=2.0, tau2=0.25, layers="both", psi1=sub)
    diff = np.max(np.abs(vals - certified) / np.abs(certified))
    print(f"   1000-point float64 curve: {1e3 * t_curve:.2f} ms; 1000 certified points (est.): {t_cert:.2f} s")
    print(f"   speed-up {t_cert / t_curve:.0f} x; max relative difference {diff:.1e}")

    print("3. one Monte Carlo replicate against its own eigh")
    d = 100 if QUICK else 200
    pr = nt.NTParams(psi2=2, tau2="0.25", layers="both", psi1=1)
    rng = np.random.default_rng(0)
    theta, x, xt = rf_sim.sphere(rng, d, d), rf_sim.sphere(rng, 2 * d, d), rf_sim.sphere(rng, 1000, d)
    f, ft = x[:, 0], xt[:, 0]
    lams = np.geomspace(1e-3, 10, 20)

    def one():
        k, kt = sim.kernels(pr, theta, x, xt)
        sim.replicate(k, kt, f, ft, lams, tau2=0.25)

    k, _ = sim.kernels(pr, theta, x, xt)
    t_rep = median_time(one, rep)
    t_eigh = median_time(lambda: np.linalg.eigh(k), rep)
    print(f"   replicate {1e3 * t_rep:.1f} ms = {t_rep / t_eigh:.1f} x eigh ({1e3 * t_eigh:.1f} ms), d = {d}")

    print("4. lazy training")
    t0 = time.perf_counter()
    run = sim.lazy_training(alphas=(1, 2, 4, 8, 16, 32, 64, 128) if not QUICK else (8, 16, 32))
    t_lazy = time.perf_counter() - t0
    print(f"   {t_lazy:.2f} s for {run.alphas.size} alphas; slopes {run.slopes()} (predicted {nt.LAZY_RATES})")


if __name__ == "__main__":
    main()
