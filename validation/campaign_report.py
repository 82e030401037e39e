"""Campaign reports: the summary, ``report.json``, ``report.csv`` and ``report.png``.

Part of :mod:`validation.campaign` (which re-exports every name here); the module docstring
there describes the pass rule and what the summary means.
"""

from __future__ import annotations

import csv
import json
import math
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from .campaign_store import _io_error, _strict_json, _version
from .simulators.registry import get_simulator

if TYPE_CHECKING:
    from .campaign import CampaignConfig

__all__ = ["CampaignReport", "plot_report", "summarize"]


@dataclass
class CampaignReport:
    """A finished (or resumed) campaign: its config, one record per point, the summary."""

    config: CampaignConfig
    records: list[dict[str, Any]]
    summary: dict[str, Any]
    out: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    scheduler: str = ""
    """Where the points ran, in one line (``in-process (8 tasks, 1.2 s CPU; ...)``); ``meta.scheduler`` in report.json."""

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "summary": self.summary, "points": self.records}

    def __str__(self) -> str:
        s, cfg = self.summary, self.config
        lines = [
            f"{cfg.model} {cfg.quantity}: {s['points']} points, sizes {','.join(map(str, cfg.sizes))}, "
            f"reps {cfg.reps}, seed {cfg.seed}",
            f"  |z| <= {cfg.threshold:g} at the largest size: {s['within']}/{s['points']} ({100 * s['share_within']:.1f} %; "
            f"{100 * s['expected_share_within']:.1f} % expected for a correct theory with {cfg.reps} reps)",
            f"  pass (incl. finite-size extrapolation): {s['passed']}/{s['points']}; errors (count as failures): {s['errors']}",
        ]
        if s["measured"] > 1:
            lines.append(
                f"  z over {s['measured']} points with SE > 0: mean {s['z_mean']:+.2f}, sd {s['z_sd']:.2f} "
                f"({_expected_z_text(cfg.reps, s['z_sd_expected'])})"
            )
        for w in s["worst"]:
            verdict = "pass" if w["pass"] else "FAIL"
            lines.append(f"  worst #{w['index']}: z = {w['z']:+.2f} ({verdict}) {_fmt_params(w['params'])}")
        return "\n".join(lines)


def _expected_z_text(reps: int, sd: float) -> str:
    """What a correct theory predicts for the mean and sd of z with ``reps`` replicates (z ~ t with reps − 1 dof)."""
    dof = reps - 1
    t = "t" + str(dof).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    if dof > 2 and math.isfinite(sd):
        return f"a correct theory without finite-size bias: 0 and {sd:.2f}"
    if dof == 2:
        return f"a correct theory: mean 0, no sd to compare with: with 3 reps z follows {t}, which has infinite variance"
    if dof == 1:
        return f"with 2 reps z follows {t} (Cauchy), which has no mean or variance: compare with more reps"
    return "a single rep gives no standard error, so no law for z"


def _fmt_params(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def summarize(config: CampaignConfig, records: Sequence[dict[str, Any]], worst: int = 5) -> dict[str, Any]:
    """The campaign's summary.

    ``share_within`` and ``share_passed`` are over *all* points: a point whose theory or
    simulation raised counts as a failure.  With ``R`` replicates ``z`` follows Student's t with
    ``R − 1`` degrees of freedom under a correct theory, so ``expected_share_within`` is
    ``P(|t_{R−1}| ≤ threshold)`` (0.985 at R = 10, 0.993 at R = 20, 0.9973 as R → ∞) and
    ``z_sd_expected`` is ``√((R − 1)/(R − 3))``.  ``z_mean`` and ``z_sd`` leave out points whose
    SE is 0 (a statistic that does not fluctuate, e.g. a training error that is exactly 0):
    their z is 0 by construction.
    """
    from scipy import stats

    ok = [r for r in records if r["status"] == "ok"]
    zs = np.array([r["z"] for r in ok], dtype=float)
    measured = np.array([r["z"] for r in ok if r["sizes"][-1]["se"] > 0 and math.isfinite(r["z"])], dtype=float)
    within = int(np.sum(np.abs(zs) <= config.threshold))
    passed = int(sum(r["pass"] for r in ok))
    total = len(records)
    ranked = sorted(ok, key=lambda r: -abs(r["z"]) if math.isfinite(r["z"]) else -math.inf)
    dof = config.reps - 1
    return {
        "points": total,
        "ok": len(ok),
        "errors": total - len(ok),
        "within": within,
        "share_within": within / total if total else 0.0,
        "expected_share_within": float(1 - 2 * stats.t.sf(config.threshold, dof)),
        "passed": passed,
        "share_passed": passed / total if total else 0.0,
        "measured": int(measured.size),
        "z_mean": float(measured.mean()) if measured.size else math.nan,
        "z_sd": float(measured.std(ddof=1)) if measured.size > 1 else math.nan,
        "z_sd_expected": math.sqrt(dof / (dof - 2)) if dof > 2 else math.inf,
        "max_abs_z": float(np.max(np.abs(zs))) if zs.size else math.nan,
        "worst": [{k: r[k] for k in ("index", "z", "pass", "params")} for r in ranked[:worst]],
        "error_points": [
            {"index": r["index"], "error": r["error"], "params": r["params"]} for r in records if r["status"] != "ok"
        ],
    }


def _write_csv(path: str, records: Sequence[dict[str, Any]]) -> None:
    names = sorted({k for r in records for k in r["params"]})
    head = ["index", *names, "quantity", "size", "n", "p", "theory", "theory_point", "mc_mean", "mc_se", "z"]
    head += ["extrapolated_gap", "extrapolated_se", "extrapolated_z", "shrinking", "pass", "status", "error"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in records:
            base = [r["index"], *[r["params"].get(k, "") for k in names], r["quantity"]]
            t = r.get("trend") or {}
            tail = [t.get(k, "") for k in ("extrapolated_gap", "extrapolated_se", "extrapolated_z", "shrinking")]
            tail += [r["pass"], r["status"], r.get("error", "")]
            for row in r.get("sizes") or [{}]:
                vals = [row.get(k, "") for k in ("size", "n", "p", "theory", "theory_point", "mean", "se", "z")]
                w.writerow([*base, *vals, *tail])


def plot_report(report: CampaignReport, path: str) -> str:
    """Draw ``report.png``: three panels.

    1. MC mean ± 2 SE against theory at the largest size (on the diagonal when they agree);
    2. the histogram of z at the largest size against the law z actually follows under a correct
       theory: ``z = (mean − theory)/SE`` with ``SE = sd/√R`` from the same ``R`` replicates is
       Student's t with ``R − 1`` degrees of freedom (exactly for Gaussian replicates; the theory
       is certified, so it adds no error of its own), drawn solid, with N(0, 1) dashed for
       comparison (t's tails are heavier at small ``R``), and the ``±threshold`` lines;
    3. the relative gap ``(MC − theory)/|theory|`` ± SE against size.

    Parameters
    ----------
    report : CampaignReport
        A finished campaign.
    path : str
        Where to write the PNG.

    Returns
    -------
    str
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg, ok = report.config, [r for r in report.records if r["status"] == "ok"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    ax = axes[0]
    if ok:
        th = np.array([r["sizes"][-1]["theory"] for r in ok])
        mean = np.array([r["sizes"][-1]["mean"] for r in ok])
        se = np.array([r["sizes"][-1]["se"] for r in ok])
        good = np.array([r["pass"] for r in ok])
        for mask, colour, label in ((good, "tab:blue", "pass"), (~good, "tab:red", "fail")):
            if mask.any():
                ax.errorbar(th[mask], mean[mask], yerr=2 * se[mask], fmt="o", ms=3, color=colour, capsize=2, label=label)
        lo, hi = float(min(th.min(), mean.min())), float(max(th.max(), mean.max()))
        ax.plot([lo, hi], [lo, hi], "k-", lw=0.8, label="theory = MC")
        positive = lo > 0 and hi / lo > 20
        if positive:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    ax.set_xlabel(f"theory ({cfg.quantity})")
    ax.set_ylabel(f"MC mean ± 2 SE at size {cfg.sizes[-1]}")
    ax.set_title(f"{cfg.model} {cfg.quantity}: theory vs simulation")

    ax = axes[1]
    zs = np.array([r["z"] for r in ok if math.isfinite(r["z"])])
    dof = cfg.reps - 1
    if zs.size:
        from scipy import stats

        lim = max(4.0, cfg.threshold + 0.5, min(float(np.max(np.abs(zs))) + 0.5, 12.0))
        shown = np.clip(zs, -lim, lim)  # a far outlier lands in the edge bin instead of stretching the axis
        nbins = int(np.clip(2 * math.sqrt(zs.size), 7, 31)) | 1  # odd: a bin centred on 0
        label = f"z at size {cfg.sizes[-1]} ({zs.size} points)"
        edges = np.linspace(-lim, lim, nbins + 1)
        heights, _, _ = ax.hist(shown, bins=edges, density=True, color="tab:blue", alpha=0.55, label=label)
        grid = np.linspace(-lim, lim, 400)
        ax.plot(grid, stats.t.pdf(grid, dof), "k-", lw=1.4, label=f"Student $t_{{{dof}}}$ (z's law, R = {cfg.reps} reps)")
        ax.plot(grid, stats.norm.pdf(grid), color="0.45", ls="--", lw=1, label="$N(0, 1)$ for comparison")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(0, 1.6 * max(float(np.max(heights)), float(stats.t.pdf(0, dof))))  # room for the legend
    for i, x in enumerate((-cfg.threshold, cfg.threshold)):
        ax.axvline(x, color="tab:red", ls=":", lw=1, label=f"$|z| = {cfg.threshold:g}$" if i == 0 else None)
    ax.set_xlabel("z = (MC mean − theory) / SE")
    ax.set_ylabel("density")
    s = report.summary
    ax.set_title(
        f"|z| ≤ {cfg.threshold:g}: {100 * s['share_within']:.0f} % of {len(report.records)} "
        f"(t$_{{{dof}}}$ expects {100 * s['expected_share_within']:.1f} %)"
    )
    if zs.size:
        ax.legend(fontsize=8, loc="upper left")

    ax = axes[2]
    for r in ok:
        sizes = [row["size"] for row in r["sizes"]]
        scale = [max(abs(row["theory"]), 1e-12) for row in r["sizes"]]
        rel = [(row["mean"] - row["theory"]) / sc for row, sc in zip(r["sizes"], scale, strict=True)]
        relse = [row["se"] / sc for row, sc in zip(r["sizes"], scale, strict=True)]
        ax.errorbar(sizes, rel, yerr=relse, marker="o", ms=3, lw=0.7, alpha=0.5, color="tab:blue" if r["pass"] else "tab:red")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xticks(list(cfg.sizes), [str(s) for s in cfg.sizes])
    ax.minorticks_off()
    ax.set_xlabel(f"size ({get_simulator(cfg.model).size_param})")
    ax.set_ylabel("(MC − theory) / |theory| ± SE")
    ax.set_title("finite-size trend (red: failed points)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _write_reports(report: CampaignReport, out: str, figure: bool) -> dict[str, str]:
    import asymptotics

    files = {"json": os.path.join(out, "report.json"), "csv": os.path.join(out, "report.csv")}
    meta = {
        "asymptotics": getattr(asymptotics, "__version__", "unknown"),
        "numpy": np.__version__,
        "mpmath": mpmath.__version__,
        "python": platform.python_version(),
        "hypothesis": _version("hypothesis"),
        "ranges": f"validation.points.SPACES[{report.config.model!r}] (see its docstring)",
        "design": report.config.design,
        "scipy": _version("scipy"),
        "scheduler": report.scheduler,
    }
    try:
        with open(files["json"], "w", encoding="utf-8") as fh:
            json.dump(_strict_json({**report.to_dict(), "meta": meta}), fh, indent=1, allow_nan=False)
        _write_csv(files["csv"], report.records)
        if figure:
            files["figure"] = plot_report(report, os.path.join(out, "report.png"))
    except OSError as exc:
        raise _io_error(out, exc) from None
    return files
