"""Ridge theory timings (a script, not a test): `python benchmarks/bench_ridge.py`.

Prints, each against a baseline measured in the same process:
  1. certified ridge risk per point at dps 30 and 100 (target ≤ 2 ms at 30 digits with
     gmpy2) vs. a bare, uncertified mpmath evaluation of the same closed form;
  2. a 1,000-point float64 risk curve (target ≤ 20 ms) vs. 1,000 certified points / 1000
     (the per-point cost the vectorized path replaces).
The Monte Carlo replicate vs. SVD figure is in `bench_ridge_mc.py`.
"""

from __future__ import annotations

import statistics
import time

import mpmath
import numpy as np

from asymptotics.models import ridge


def best_time(fn, repeat: int = 7, number: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def bare_risk(dps: int) -> None:
    with mpmath.mp.workdps(dps):
        g, lam, r2, s2 = mpmath.mpf("1.5"), mpmath.mpf("0.2"), mpmath.mpf(2), mpmath.mpf("0.5")
        c = lam + g - 1
        root = mpmath.sqrt(c * c + 4 * lam)
        k = (c + root) / 2
        D = (1 + k) * root
        _ = (r2 * k * k + s2 * g) / D


def main() -> None:
    print(f"mpmath backend: {mpmath.libmp.BACKEND}")
    for dps in (30, 100):
        t = best_time(lambda dps=dps: ridge.risk("1.5", "0.2", 2, "0.5", dps=dps), number=50)
        base = best_time(lambda dps=dps: bare_risk(dps), number=200)
        target = " (target ≤ 2 ms)" if dps == 30 else ""
        print(f"ridge risk, certified, dps={dps}: {t * 1e3:.3f} ms/point{target}; "
              f"bare closed form {base * 1e3:.4f} ms; ratio {t / base:.1f}x (certification: two precisions + residual)")
    gam = np.linspace(0.05, 5, 1000)
    t_curve = best_time(lambda: ridge.curve_values("risk", gam, 0.01, 1.0, 0.25), number=5)
    t_point = best_time(lambda: ridge.risk("1.5", "0.01", 1, "0.25", dps=30), number=20)
    print(f"float64 curve, 1000 points: {t_curve * 1e3:.3f} ms (target ≤ 20 ms); "
          f"1000 certified points would take {t_point * 1e3 * 1000:.0f} ms; speed-up {t_point * 1000 / t_curve:.0f}x")


if __name__ == "__main__":
    main()
