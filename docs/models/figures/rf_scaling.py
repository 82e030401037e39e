"""Figure docs/models/figures/rf_scaling.png: rf scaling laws at p = inf (docs/models/rf.md, "Scaling laws").

Run from the repository root: ``python docs/models/figures/rf_scaling.py``.  Left: risk vs N at n = 2N; right: risk
vs n at N = 1e7 n (dots) and N = inf (the kernel limit as learning_curve, lines); ridgeless, noiseless, alpha = beta
= 3/2, linear and ReLU features.  The legend gives the fitted slope (last two decades) and the predicted exponent.
"""

from __future__ import annotations

import mpmath
import numpy as np

from asymptotics.activations import coefficients_float, get_activation
from asymptotics.models import learning_curve as lc
from asymptotics.models.random_features import curve_values, scaling_exponents

A, B = 1.5, 1.5
SPEC = f"power_law:p=inf,alpha={A},beta={B}"


def kernel_risk(n: np.ndarray, act: str) -> np.ndarray:
    _, m1, ms2 = coefficients_float(get_activation(act))
    za, zb, zab = (float(mpmath.zeta(x)) for x in (A, B, A + B))
    C = m1 * m1 / za
    v, _ = lc.curve_values("test_error", n=n, lam=ms2 / C, spectrum=f"power_law:alpha={A},beta={A + B}")
    return v * zab / zb


def fit(x: np.ndarray, y: np.ndarray) -> float:
    keep = x >= x[-1] / 100
    return -float(np.polyfit(np.log(x[keep]), np.log(y[keep]), 1)[0])


def main(path: str = "docs/models/figures/rf_scaling.png") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    N = np.logspace(1, 7, 25)
    n = np.logspace(1, 6, 21)
    for act, color in (("linear", "C0"), ("relu", "C3")):
        eN, en, _ = (float(e) for e in scaling_exponents(SPEC, act, dps=15).value)
        r, _ = curve_values("risk", N=N, n=2 * N, lam=0.0, activation=act, spectrum=SPEC)
        ax1.loglog(N, r, "o-", color=color, ms=3, label=f"{act}: fitted {fit(N, r):.3f}, predicted e_N = {eN:g}")
        ax1.loglog(N, r[-1] * (N / N[-1]) ** -eN, ":", color=color, lw=1)
        rk = kernel_risk(n, act)
        rn, _ = curve_values("risk", N=1e7 * n, n=n, lam=0.0, activation=act, spectrum=SPEC)
        ax2.loglog(n, rk, "-", color=color, label=f"{act}, N = inf: fitted {fit(n, rk):.3f}, predicted e_n = {en:.4g}")
        ax2.loglog(n, rn, "o", color=color, ms=3, label=f"{act}, N = 1e7 n: fitted {fit(n, rn):.3f}")
        ax2.loglog(n, rk[-1] * (n / n[-1]) ** -en, ":", color=color, lw=1)
    ax1.set(xlabel="N (features), n = 2N", ylabel="risk (ridgeless, noiseless)", title=f"rf, Sigma = j^-{A}, beta_j^2 ~ j^-{B}")
    ax2.set(xlabel="n (samples)", ylabel="risk", title="N = inf (kernel limit) and N = 1e7 n")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.text(0.5, 0.005, "dotted: slope = predicted exponent; fits over the last two decades", ha="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)


if __name__ == "__main__":
    main()
