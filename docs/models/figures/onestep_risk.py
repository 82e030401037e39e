"""Figure docs/models/figures/onestep_risk.png (run from the repository root: python docs/models/figures/onestep_risk.py)."""

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import validation.simulators.onestep as S
from asymptotics.models import onestep as o
from asymptotics.models.onestep import OneStepParams

base = dict(psi1=2, psi2=1.5, lam=0.1, activation="tanh", F1sq=1, Fstar2=0.3, tau2=0.2, psi_step=1.5)
etas = np.linspace(0, 6, 121)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
ax = axes[0]
for ps, ls in ((0.5, ":"), (1.5, "-"), (6.0, "--")):
    kw = {**base, "psi_step": ps}
    r, s = o.curve_values("risk", kw["psi1"], kw["psi2"], kw["lam"], "tanh", 1, 0.3, 0.2, etas, ps)
    ax.plot(etas, r, ls, color="C0", label=f"theory, psi_step = {ps:g}")
rf0 = float(o.rf_risk(**base).value)
ax.axhline(rf0, color="C3", lw=1, label=f"rf (eta = 0): {rf0:.4f}")
ax.axhline(0.3, color="k", lw=0.8, ls="-.", label="best linear predictor floor F*^2")
ax.plot([0], [rf0], "o", color="C3")
rows = []
for e in (0.0, 1.0, 2.0, 4.0, 6.0):
    for d, mk in ((100, "s"), (200, "D")):
        est = S.simulate(
            OneStepParams(**{**base, "eta": e}), d=d, reps=6, seed=int(10 * e) + d, n_test=1000, quantities=("risk",)
        )
        m, se = float(est["risk"].mean), float(est["risk"].se)
        rows.append((e, d, m, se))
        ax.errorbar(
            [e + (0.06 if d == 200 else -0.06)], [m], yerr=[se], fmt=mk, color="C1" if d == 100 else "C2", ms=4, label=None
        )
ax.plot([], [], "s", color="C1", label="network MC, d=100 (6 seeds, ±1 SE)")
ax.plot([], [], "D", color="C2", label="network MC, d=200 (6 seeds, ±1 SE)")
ax.set_xlabel("step size eta")
ax.set_ylabel("test error (noise excluded)")
ax.set_title("tanh, psi1=2, psi2=1.5, lam=0.1, F1sq=1, Fstar2=0.3, tau2=0.2", fontsize=9)
ax.legend(fontsize=7)
ax = axes[1]
psi2s = np.linspace(0.2, 4, 100)
for e, c in ((0, "C3"), (1, "C0"), (3, "C2"), (10, "C4")):
    r, s = o.curve_values("risk", 2, psi2s, 0.1, "tanh", 1, 0.3, 0.2, e, psi2s)
    ax.plot(psi2s, r, color=c, label=f"eta = {e}" + (" (rf)" if e == 0 else ""))
ax.axhline(0.3, color="k", lw=0.8, ls="-.")
ax.set_xlabel("psi2 = n/d (psi_step = psi2)")
ax.set_ylabel("risk")
ax.legend(fontsize=8)
ax.set_title("risk vs n/d, psi1 = 2", fontsize=9)
fig.tight_layout()
fig.savefig("docs/models/figures/onestep_risk.png", dpi=130)
for r in rows:
    print(r)
