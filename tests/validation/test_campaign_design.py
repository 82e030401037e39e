"""Campaign designs (``--design sobol|lhs|hypothesis``), ``--scheduler auto`` and a quiet Dask shutdown.

What is checked:
* a Sobol design of 6 points has pairwise distinct values in every continuous parameter and
  spreads over each documented range (log-scaled ranges judged on the log scale); ``lam = 0``
  is drawn at most once (issue 16: the old default drew it six times out of six);
* the unit-cube coordinates map onto the ranges as documented (log above 1.5 decades, linear
  below; a constant alternative of ``one_of`` gets 1/8 of the coordinate; a filter shifts a
  rejected coordinate) — expected values computed here by hand;
* ``--design hypothesis`` keeps the edge-seeking draws (the corner of the box comes first);
* designs are reproducible, recorded in ``campaign.json``, and resume; an old store without
  the field resumes as ``hypothesis`` with a note, and refuses ``--design sobol`` naming it;
* ``scheduler="auto"`` runs small campaigns in process and moves a campaign whose estimated
  work exceeds the threshold to a LocalCluster (same records either way);
* a ``--scheduler local --workers 1`` run prints nothing from Dask on stderr.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from validation import campaign
from validation.campaign import draw_points, run_campaign
from validation.cli import main
from validation.points import CONSTANT_SHARE, LOG_DECADES, _Coordinates, _design_draw, rounded, space

CONTINUOUS = {
    "ridge": {"gamma": (0.1, 4), "r2": (0.25, 2), "sigma2": (0.01, 1), "tau2": (0, 0.5)},
    "rf": {"psi1": (0.2, 3), "psi2": (0.2, 3), "F1sq": (0.5, 2), "Fstar2": (0, 0.5), "tau2": (0, 0.5)},
    "krr": {"alpha": (0.3, 3), "sigma2": (0, 0.5)},
    "nt": {"psi2": (0.3, 3), "F1sq": (0.5, 2), "Fstar2": (0, 0.5), "tau2": (0, 0.5)},
    "mp": {"gamma": (0.4, 4), "sigma2": (0.25, 4)},  # gamma ≥ 40/n at the smallest default size 100
}


def _unit(v, lo, hi):
    """Position of v in [lo, hi] on the scale the design fills (log above LOG_DECADES decades)."""
    if lo > 0 and hi / lo >= 10**LOG_DECADES:
        return math.log(v / lo) / math.log(hi / lo)
    return (v - lo) / (hi - lo)


# ----------------------------------------------------------------------------- space filling
@pytest.mark.parametrize("model", sorted(CONTINUOUS))
@pytest.mark.parametrize("seed", [0, 1])
def test_sobol_six_points_are_distinct_and_cover_each_range(model, seed):
    sizes = space(model).default_sizes
    pts = draw_points(model, 6, seed=seed, sizes=sizes)
    for name, (lo, hi) in CONTINUOUS[model].items():
        values = [float(p[name]) for p in pts]
        assert len(set(values)) == 6, (name, values)  # pairwise distinct
        u = [_unit(v, lo, hi) for v in values]
        assert all(-1e-9 <= x <= 1 + 1e-9 for x in u), (name, values)
        assert min(u) < 0.3 and max(u) > 0.7, (name, values)  # spread over the range, not a corner


def test_sobol_does_not_repeat_lam_zero():
    """Issue 16: `--points 6` drew lam=0 six times.  Zero is a constant alternative with 1/8 of its
    coordinate, and 6 of the first 8 Sobol points fall in distinct eighths: at most one zero."""
    for seed in range(4):
        pts = draw_points("ridge", 6, seed=seed, sizes=(100, 200, 400))
        assert sum(p["lam"] == "0" for p in pts) <= 1
        assert len({p["lam"] for p in pts}) >= 5


def test_hypothesis_design_keeps_the_edge_seeking_draws():
    pts = draw_points("ridge", 6, seed=0, sizes=(100, 200, 400), design="hypothesis")
    assert pts[0] == {"gamma": "0.1", "lam": "0", "r2": "0.25", "sigma2": "0.01", "tau2": "0"}  # the corner first
    assert sum(p["lam"] == "0" for p in pts) >= 3  # boundary values repeat: a property test, not coverage


def test_designs_are_reproducible_and_differ():
    a = draw_points("rf", 5, seed=3, sizes=(50, 100))
    assert a == draw_points("rf", 5, seed=3, sizes=(50, 100))
    assert a != draw_points("rf", 5, seed=4, sizes=(50, 100))
    lhs = draw_points("rf", 5, seed=3, sizes=(50, 100), design="lhs")
    assert lhs != a and lhs == draw_points("rf", 5, seed=3, sizes=(50, 100), design="LHS ")
    # Latin hypercube: each of 5 strata of psi2 (linear range [0.2, 3]) holds exactly one point
    strata = sorted(min(int(_unit(float(p["psi2"]), 0.2, 3) * 5), 4) for p in lhs)
    assert strata == [0, 1, 2, 3, 4]
    with pytest.raises(ParameterError, match="design"):
        draw_points("rf", 5, design="grid")


def test_sobol_points_are_a_prefix_of_the_power_of_two_design():
    """6 points are the first 6 of the 8-point design, so a larger campaign extends a smaller one."""
    assert draw_points("nt", 6, seed=2, sizes=(30, 60)) == draw_points("nt", 8, seed=2, sizes=(30, 60))[:6]


# ----------------------------------------------------------------------------- the coordinate map
def _draw(strategy, *u):
    return _design_draw(strategy, _Coordinates(np.array(u, dtype=float), np.random.default_rng(0)))


def test_coordinates_map_onto_the_documented_scales():
    assert _draw(rounded(0.01, 1), 0.5) == 0.1  # two decades: geometric mean 10^-1
    assert _draw(rounded(0.01, 1), 0.25) == float(f"{10 ** -1.5:.3g}")
    assert _draw(rounded(0.2, 3), 0.5) == 1.6  # 15x, less than 1.5 decades: linear midpoint
    assert _draw(rounded(0, 0.5), 0.3) == 0.15
    assert _draw(st.integers(1, 4), 0.74) == 3 and _draw(st.integers(1, 4), 0.999) == 4
    assert _draw(st.sampled_from(("relu", "tanh", "erf")), 0.5) == "tanh"
    lam = st.one_of(st.just(0.0), rounded(0.01, 1))
    assert _draw(lam, CONSTANT_SHARE * 0.99) == 0.0
    assert _draw(lam, CONSTANT_SHARE + (1 - CONSTANT_SHARE) * 0.5) == 0.1  # the rest of the coordinate fills the range
    away = rounded(0.1, 4).filter(lambda g: abs(g - 1) >= 0.05)
    g = _draw(away, math.log(10) / math.log(40))  # would be gamma = 1: rejected, shifted
    assert abs(g - 1) >= 0.05 and 0.1 <= g <= 4
    assert _draw(st.fixed_dictionaries({"a": rounded(0, 1), "b": st.just("x")}), 0.25) == {"a": 0.25, "b": "x"}


def test_unreadable_strategy_is_one_line():
    with pytest.raises(ParameterError, match="design hypothesis"):
        _draw(st.text(), 0.5)


# ----------------------------------------------------------------------------- stores
KW = dict(points=3, reps=2, sizes="20", scheduler="inprocess", progress=False, figure=False)


def test_design_is_recorded_and_resumed(tmp_path):
    rep = run_campaign("ridge", out=str(tmp_path), **KW)
    saved = json.loads((tmp_path / "campaign.json").read_text())
    assert saved["config"]["design"] == "sobol" and rep.config.design == "sobol"
    assert [r["params"] for r in rep.records] == draw_points("ridge", 3, seed=0, sizes=(20,))
    again = run_campaign("ridge", out=str(tmp_path), **KW)  # resumed: nothing changes
    assert [r["params"] for r in again.records] == [r["params"] for r in rep.records]
    with pytest.raises(ParameterError, match=r"design: saved 'sobol', now 'lhs'"):
        run_campaign("ridge", out=str(tmp_path), design="lhs", **KW)


def test_old_store_without_design_resumes_as_hypothesis(tmp_path, capsys, monkeypatch):
    run_campaign("ridge", out=str(tmp_path), design="hypothesis", **KW)
    path = tmp_path / "campaign.json"
    saved = json.loads(path.read_text())
    del saved["config"]["design"]  # as written before designs existed
    path.write_text(json.dumps(saved))
    capsys.readouterr()
    calls = []
    real = campaign.run_point
    monkeypatch.setattr(campaign, "run_point", lambda task: calls.append(task) or real(task))
    rep = run_campaign("ridge", out=str(tmp_path), **KW)  # no design given: the store's
    assert calls == [] and rep.config.design == "hypothesis"
    assert "drawn by hypothesis" in capsys.readouterr().err
    with pytest.raises(ParameterError, match=r"design: saved 'hypothesis', now 'sobol'"):
        run_campaign("ridge", out=str(tmp_path), design="sobol", **KW)


def test_cli_design_flag(tmp_path, capsys):
    argv = ["validate", "ridge", "--points", "2", "--reps", "2", "--sizes", "20", "--scheduler", "inprocess", "--no-figure"]
    assert main([*argv, "--design", "lhs", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "campaign.json").read_text())["config"]["design"] == "lhs"
    capsys.readouterr()
    assert main([*argv, "--design", "nope", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "design" in err and len(err.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- scheduler
def test_auto_runs_a_small_campaign_in_process(capsys):
    rep = run_campaign("ridge", points=3, reps=2, sizes="20", progress=True, figure=False)
    assert rep.scheduler.startswith("in-process (3 tasks")
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.startswith("scheduler:")] == [f"scheduler: {rep.scheduler}"]


def test_auto_moves_large_work_to_a_local_cluster(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(campaign, "_cores", lambda: 2)
    monkeypatch.setattr(campaign, "AUTO_CLUSTER_CPU_S", 0.0)  # every point counts as large work
    kw = dict(points=4, reps=2, sizes="20", seed=1, progress=False, figure=False)
    auto = run_campaign("mp", scheduler="auto", workers=2, **kw)
    assert auto.scheduler.startswith("LocalCluster of 2 workers (3 of 4 tasks"), auto.scheduler
    inproc = run_campaign("mp", scheduler="inprocess", **kw)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in inproc.records]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in auto.records] == strip


def test_auto_stays_in_process_on_one_core(monkeypatch):
    monkeypatch.setattr(campaign, "_cores", lambda: 1)
    monkeypatch.setattr(campaign, "AUTO_CLUSTER_CPU_S", 0.0)
    rep = run_campaign("ridge", points=2, reps=2, sizes="20", progress=False, figure=False)
    assert rep.scheduler.endswith("1 free core)")


def test_local_cluster_shutdown_is_quiet(tmp_path):
    pytest.importorskip("distributed")
    argv = ["validate", "ridge", "--points", "3", "--reps", "2", "--sizes", "20", "--scheduler", "local", "--workers", "1"]
    proc = subprocess.run(
        [sys.executable, "-m", "validation", *argv, "--no-figure", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    noisy = [line for line in proc.stderr.splitlines() if any(w in line for w in ("distributed", "Traceback", "Stream"))]
    assert not noisy, proc.stderr
    assert "ridge risk: 3 points" in proc.stdout
