"""Reviewer R2 (issue 16): figure and CLI problems found by reading the output as a new user.

Each test pins one clear bug and is marked ``xfail(strict=True)``: when the bug is fixed the test
passes, strict xfail turns that into a failure, and the marker should be removed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip("matplotlib")


@pytest.fixture
def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def test_map_title_fixed_parameters_in_mathtext(plt):
    """Regression: the map title showed raw ``lam=1e-3`` (fixed in maps._draw during the review)."""
    from asymptotics.maps import plot_map
    from asymptotics.sweeps import grid

    da = grid("rf", "risk", psi1=np.geomspace(0.5, 4, 6), psi2=np.geomspace(0.5, 4, 5), lam=1e-3)
    ax = plot_map(da, log=True)
    title = ax.get_title()
    assert r"\lambda" in title, title
    assert "lam=" not in title, title


def test_monte_carlo_points_are_not_clipped_when_theory_is_finite(plt):
    from asymptotics.curves import curve
    from asymptotics.plotting import plot_curve

    cr, _ = curve("ridge", "risk", {"gamma": "0.2:0.8:8", "lam": "0.1", "sigma2": "0.25"})
    theory = np.asarray(cr.values, dtype=float)
    assert np.all(np.isfinite(theory)) and theory.max() < 1.0  # a bounded, smooth theory
    mc = theory.copy()
    mc[0] = 3.0  # one Monte Carlo mean far above it (a small-n simulation)
    cr = dataclasses.replace(cr, mc_mean=mc, mc_se=np.full_like(mc, 0.01), mc_reps=3)
    ax = plot_curve(cr)
    lo, hi = ax.get_ylim()
    assert lo <= mc.min() and hi >= 3.0, (lo, hi)


@pytest.mark.parametrize("width", [80, 100])
def test_list_fits_the_terminal_width(width, monkeypatch, capsys):
    import asymptotics.cli as cli

    monkeypatch.setattr(cli, "_list_width", lambda: width)
    assert cli.main(["list", "rf", "nt"]) == 0
    lines = capsys.readouterr().out.splitlines()
    too_wide = [line for line in lines if len(line) > width]
    assert not too_wide, too_wide


def _overlapping_xtick_labels(ax) -> list[tuple[float, float]]:
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    lo, hi = sorted(ax.get_xlim())
    boxes = [
        t.label1.get_window_extent(renderer)
        for t in [*ax.xaxis.get_major_ticks(), *ax.xaxis.get_minor_ticks()]
        if t.label1.get_visible() and t.label1.get_text() and lo <= t.get_loc() <= hi
    ]
    boxes.sort(key=lambda b: b.x0)
    return [(a.x1, b.x0) for a, b in zip(boxes, boxes[1:]) if a.x1 > b.x0]


def test_map_log_tick_labels_do_not_overlap(plt):
    from asymptotics.maps import plot_map
    from asymptotics.sweeps import grid

    da = grid("ridge", "risk", gamma=np.geomspace(0.2, 3, 12), lam=np.geomspace(1e-4, 1, 8))
    overlaps = _overlapping_xtick_labels(plot_map(da, log=True))
    assert not overlaps, overlaps


def test_curve_log_tick_labels_do_not_overlap(plt):
    from asymptotics.curves import curve
    from asymptotics.plotting import plot_curve

    cr, _ = curve("ridge", "risk", {"gamma": "0.2:3:8", "lam": "0.01"}, log=True)
    overlaps = _overlapping_xtick_labels(plot_curve(cr))
    assert not overlaps, overlaps


@pytest.mark.parametrize(
    "axes",
    [["gamma=0.2:3:4"], ["gamma=0.2:3:4", "lam=0.1:1:3"]],
    ids=["curve", "map"],
)
def test_plot_to_unsupported_format_is_a_one_line_error(axes, tmp_path, capsys, plt):
    from asymptotics.cli import main

    rc = main(["curve", "ridge", "risk", *axes, "--plot", str(tmp_path / "out.xyz")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Traceback" not in err and "--plot" in err, err


@pytest.mark.parametrize(
    ("reps", "words"),
    [(10, "0 and 1.13"), (3, "t₂, which has infinite variance"), (2, "t₁ (Cauchy), which has no mean or variance")],
)
def test_campaign_summary_names_the_law_of_z_for_few_reps(reps, words):
    """Fixer FX3: with reps = 3 the summary said "sd 0.34 (... 0 and inf)"; sd of t_k is sqrt(k/(k-2)), k = reps - 1."""
    import math
    from types import SimpleNamespace

    from validation.campaign_report import CampaignReport

    cfg = SimpleNamespace(model="ridge", quantity="risk", sizes=(40,), reps=reps, seed=0, threshold=3.0)
    dof = reps - 1
    summary = {
        "points": 4, "within": 4, "share_within": 1.0, "expected_share_within": 0.9, "passed": 4, "errors": 0,
        "measured": 4, "z_mean": 0.1, "z_sd": 0.34, "z_sd_expected": math.sqrt(dof / (dof - 2)) if dof > 2 else math.inf,
        "worst": [],
    }  # fmt: skip
    text = str(CampaignReport(cfg, [], summary))  # type: ignore[arg-type]
    line = next(ln for ln in text.splitlines() if "sd 0.34" in ln)
    assert words in line and "inf" not in line.replace("infinite", ""), line
