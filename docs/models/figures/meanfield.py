"""Figure docs/models/figures/meanfield.png: the mean-field ODE against width-N networks (docs/meanfield.md).

Run from the repository root: ``python docs/models/figures/meanfield.py`` (about a minute).  Left: ``m(t) = (1/N) Σ‖w_i‖²``
of online SGD (N = 400, ε = 5e-5, 8 runs, mean ± 2 SE) for d = 5, 20 against the reduced ODE at that d (lines) and at
d = ∞ (dashed).  Right: distance to the ODE (largest over t ≤ 0.4 of |mean − m(t)|) of population GD
(ε = 1e-4, start uniform on the sphere) against the width N (d = 10),
and the per-neuron spread of the rescaling factor for GD (against N) and SGD (against ε, top axis).
"""

from __future__ import annotations

import numpy as np

from asymptotics import meanfield as mf
from validation.simulators._meanfield import train

DELTA = 0.25


def main(path: str = "docs/models/figures/meanfield.png") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    tt = np.linspace(0, 0.8, 200)
    for d, col in ((5, "C0"), (20, "C1")):
        run = train(n_neurons=400, d=d, t_max=0.8, eps=5e-5, seeds=8, seed=d, n_record=17)
        mu, se = run.mean_se()
        ax1.errorbar(run.t, mu, yerr=2 * se, fmt="o", ms=4, color=col, label=f"SGD, N=400, d={d}")
        ax1.plot(tt, mf.second_moment(tt, delta=DELTA, d=d), color=col, label=f"ODE, d={d}")
    ax1.plot(tt, mf.second_moment(tt, delta=DELTA), "k--", label="ODE, d=∞")
    ax1.set_xlabel("t = kε")
    ax1.set_ylabel("m(t) = (1/N) Σ‖w_i‖²")
    ax1.set_title(f"isotropic Gaussians, Δ={DELTA}, quadratic neurons, m0=0.1")
    ax1.legend(fontsize=8)

    ns = np.array([10, 20, 40, 80, 160, 320])
    err, spread = [], []
    for n in ns:
        run = train(n_neurons=int(n), d=10, t_max=0.4, eps=1e-4, seeds=8, seed=1, mode="gd", n_record=9, init="sphere")
        mu, _ = run.mean_se()
        err.append(np.abs(mu - mf.second_moment(run.t, delta=DELTA, d=10)).max())
        spread.append(run.scale_spread[:, -1].mean())
    ax2.loglog(ns, err, "o-", label="GD: max_t |mean m_N − m| (d=10)")
    ax2.loglog(ns, spread, "s-", label="GD: spread of ‖w_i(t)‖/‖w_i(0)‖")
    ax2.loglog(ns, err[-1] * ns[-1] / ns, "k:", lw=1, label="∝ 1/N")
    ax2.loglog(ns, spread[-1] * np.sqrt(ns[-1] / ns), "k-.", lw=1, label="∝ N^-1/2")
    ax2.set_xlabel("width N")
    ax3 = ax2.twiny()
    eps = np.array([4e-3, 1e-3, 2.5e-4, 6.25e-5])
    runs = [train(n_neurons=400, d=10, t_max=0.4, eps=float(e), seeds=8, seed=2, n_record=3) for e in eps]
    sp = [r.scale_spread[:, -1].mean() for r in runs]
    ax3.loglog(eps, sp, "^-", color="C3", label="SGD (N=400): spread vs ε (top axis)")
    ax3.loglog(eps, sp[0] * np.sqrt(eps / eps[0]), color="C3", ls=":", lw=1, label="∝ ε^1/2")
    ax3.set_xlabel("SGD step ε")
    h1, l1 = ax2.get_legend_handles_labels()
    h3, l3 = ax3.get_legend_handles_labels()
    ax2.legend(h1 + h3, l1 + l3, fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
