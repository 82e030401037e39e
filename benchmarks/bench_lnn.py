"""Deep linear network timings (a script, not a test): `python benchmarks/bench_lnn.py`.

CPU time (``time.process_time``), BLAS pinned to one thread, each figure a ratio against a
baseline run in the same process:

1. certified ``trajectory`` (σ(t) of an aligned mode, ``N ≥ 3``) at dps 30 and 100 against the
   implementation before issue 14 (kept below as ``_old_trajectory``: Newton from ``z = logit(x₀)``
   at ``2·dps + 20`` digits with mpmath's 2F1 near ``x = 1``); issue 14 target: ≤ 2 ms at dps 30;
2. certified ``time_to_learn`` against the depth-2 closed form (the logistic solution);
3. the end-to-end rate through the SVD preconditioner against the literal sum of thresholded PSD
   powers (float64, 50 x 40, depth 4);
4. one full-batch GD step of a depth-3 20 x 20 factorization against one 20 x 20 SVD.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
from _timing import cpu_time
from threadpoolctl import threadpool_limits

from asymptotics._validate import check_real, shown_params, to_mpf
from asymptotics.errors import ConvergenceError, ParameterError
from asymptotics.models import linear_networks as lnn
from validation.simulators import linear_networks as sim


# ----------------------------------------------------------------------------- baseline (before issue 14)
def _old_antiderivative(x: Any, depth: int) -> Any:
    a = mpmath.mpf(2) / depth - 1
    return x**a / a * mpmath.hyp2f1(1, a, a + 1, x)


def _old_mode_trajectory(t: Any, x0: Any, s: Any, depth: int) -> Any:  # depth >= 3
    rate = depth * s ** (2 - mpmath.mpf(2) / depth)
    dps = mpmath.mp.dps
    w_tail = mpmath.mpf(10) ** (-(dps + 5))
    with mpmath.workdps(2 * dps + 20):
        f0 = _old_antiderivative(x0, depth)

        def x_of(z: Any) -> tuple[Any, Any]:
            e = mpmath.exp(-abs(z))
            return (1 / (1 + e), e / (1 + e)) if z >= 0 else (e / (1 + e), 1 / (1 + e))

        def T(z: Any) -> Any:
            return (_old_antiderivative(x_of(z)[0], depth) - f0) / rate

        z_hi = mpmath.log((1 - w_tail) / w_tail)
        t_tail = T(z_hi)
        if t >= t_tail:
            return s * (1 - w_tail * mpmath.exp(-rate * (t - t_tail)))
        a = mpmath.mpf(2) / depth - 1
        lo, hi = mpmath.log(x0 / (1 - x0)), z_hi
        z = lo
        tol = mpmath.mpf(10) ** (-(dps + 8))
        for _ in range(200 + 8 * dps):
            g = T(z) - t
            if g > 0:
                hi = z
            else:
                lo = z
            nz = z - g * rate / x_of(z)[0] ** a
            if not lo < nz < hi:
                nz = (lo + hi) / 2
            if abs(nz - z) <= tol * (1 + abs(z)) or hi - lo <= tol * (1 + abs(z)):
                z = nz
                break
            z = nz
        else:
            raise ConvergenceError("no convergence")
        return s * x_of(z)[0]


def _old_trajectory(depth: Any, init: Any, s: Any, t: Any, *, dps: int) -> Any:
    n, x0, sv = lnn._mode_params(depth, init, s)
    if t is None:
        raise ParameterError("missing t")
    tt = check_real("t", t, low=0)
    shown = {"depth": str(n), **shown_params(init=x0, s=sv, t=tt)}
    if n < 3:
        raise ParameterError("the baseline covers depth >= 3")

    def fn() -> Any:
        if tt == 0:
            return to_mpf(x0)
        return _old_mode_trajectory(to_mpf(tt), to_mpf(x0) / to_mpf(sv), to_mpf(sv), n)

    return lnn._result("trajectory", fn, shown, dps, lnn.SAXE_2014)


# ----------------------------------------------------------------------------- benchmarks
def main() -> None:
    print("1. certified trajectory (CPU time, one BLAS thread): new vs the code before issue 14")
    worst = 0.0
    for dps in (30, 100):
        for depth, init, t in ((3, "1e-3", 5), (8, "1e-3", 5), (3, "1e-3", "0.5"), (5, "1e-20", 40), (100, "0.1", 2)):
            kw = dict(depth=depth, init=init, s=1, t=t, dps=dps)
            assert lnn.trajectory(**kw).value == _old_trajectory(**kw).value  # same certified value
            t_new = cpu_time(lambda kw=kw: lnn.trajectory(**kw), 20)
            t_old = cpu_time(lambda kw=kw: _old_trajectory(**kw), 3)
            if dps == 30:
                worst = max(worst, t_new)
            print(
                f"   dps={dps:<4} N={depth:<4} init={init:<6} t={t!s:<4}: {1e3 * t_new:6.2f} ms "
                f"(baseline {1e3 * t_old:8.2f} ms, ratio {t_new / t_old:.4f}, {t_old / t_new:5.0f}x faster)"
            )
    print(f"   slowest at dps 30: {1e3 * worst:.2f} ms (target <= 2 ms)")
    print("2. certified time_to_learn against the depth-2 closed form")
    for dps in (30, 100):
        base = cpu_time(lambda dps=dps: lnn.time_to_learn(depth=2, init="1e-3", s=1, dps=dps), 20)
        for depth in (3, 8):
            t1 = cpu_time(lambda depth=depth, dps=dps: lnn.time_to_learn(depth=depth, init="1e-3", s=1, dps=dps), 20)
            print(f"   dps={dps:<4} N={depth}: {1e3 * t1:6.2f} ms ({t1 / base:5.1f} x the N=2 closed form, {1e3 * base:.2f} ms)")
    print("3. end-to-end rate: SVD form vs literal sum")
    rng = np.random.default_rng(0)
    W, G = rng.standard_normal((50, 40)), rng.standard_normal((50, 40))
    t_svd = cpu_time(lambda: lnn.end_to_end_rate(W, G, 4))
    t_lit = cpu_time(
        lambda: sum(lnn.psd_power(W @ W.T, (j - 1) / 4) @ G @ lnn.psd_power(W.T @ W, (4 - j) / 4) for j in range(1, 5))
    )
    print(f"   SVD form {1e3 * t_svd:.2f} ms, literal {1e3 * t_lit:.2f} ms (ratio {t_svd / t_lit:.2f})")
    print("4. one GD step, depth 3, 20 x 20")
    layers = [rng.standard_normal((20, 20)) * 0.1 for _ in range(3)]
    target = rng.standard_normal((20, 20))

    def step() -> None:
        g = sim.product(layers) - target
        for w, gj in zip(layers, sim.layer_gradients(layers, g), strict=True):
            w -= 1e-3 * gj

    t_step = cpu_time(step, 50)
    t_svd20 = cpu_time(lambda: np.linalg.svd(target), 50)
    print(f"   {1e6 * t_step:.1f} us per step = {t_step / t_svd20:.2f} x one 20 x 20 SVD ({1e6 * t_svd20:.1f} us)")


if __name__ == "__main__":
    with threadpool_limits(limits=1):
        main()
