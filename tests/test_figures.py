"""Figures: dense theory beside sparse Monte Carlo, reference lines at thresholds, mathtext labels, the MP histogram."""

import dataclasses
import math

import numpy as np
import pytest

import asymptotics
from asymptotics.curves import dense_theory
from asymptotics.models import ridge
from asymptotics.result import CurveResult

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from asymptotics.plotting import format_param, plot_curve  # noqa: E402

README_12 = {"gamma": "0.1:3:12", "lam": "0", "sigma2": "0.25"}


@pytest.fixture(scope="module")
def ridge_mc():
    cr, texts = asymptotics.curve("ridge", "risk", dict(README_12), mc=2, n=40, progress=False)
    return cr, texts


def test_dense_theory_resolves_the_peak(ridge_mc):
    cr, texts = ridge_mc
    assert len(cr.x) == len(texts) == 12 and cr.mc_mean.shape == (12,)  # the table stays at NUM points
    assert cr.theory_x is not None and len(cr.theory_x) >= 300
    v = np.where(cr.theory_status == 0, cr.theory_values, -np.inf)
    assert abs(cr.theory_x[np.argmax(v)] - 1.0) < 1e-2  # the 12 table points alone peak at gamma = 0.89
    assert abs(cr.x[np.nanargmax(np.where(np.isfinite(cr.values), cr.values, np.nan))] - 1.0) > 0.1
    assert cr.theory_status[cr.theory_x == 1.0].tolist() == [1]  # the threshold itself is on the grid: +inf
    # independent check of the dense values: the closed-form ridgeless risk sigma2*gamma/(1-gamma) below gamma = 1
    below = cr.theory_x < 0.99
    np.testing.assert_allclose(cr.theory_values[below], 0.25 * cr.theory_x[below] / (1 - cr.theory_x[below]), rtol=1e-12)
    # the table's own points are on the dense grid with the same values
    idx = np.searchsorted(cr.theory_x, cr.x)
    np.testing.assert_array_equal(cr.theory_x[idx], cr.x)
    np.testing.assert_array_equal(cr.theory_values[idx], cr.values)


def test_dense_grid_is_log_spaced_with_log():
    cr, _ = asymptotics.curve("ridge", "risk", {"lam": "0.001:10:5", "gamma": "2", "sigma2": "0.25"}, log=True)
    r = cr.theory_x[1:] / cr.theory_x[:-1]
    assert cr.log and len(cr.theory_x) >= 400 and np.median(r) == pytest.approx((1e4) ** (1 / 399), rel=1e-9)


def test_plot_draws_threshold_asymptote_and_clean_labels(ridge_mc):
    cr, _ = ridge_mc
    fig, ax = plt.subplots()
    try:
        assert plot_curve(cr, ax=ax) is ax
        vlines = [ln for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
        assert [float(ln.get_xdata()[0]) for ln in vlines] == [1.0] and vlines[0].get_linestyle() == "--"
        assert r"\gamma = 1" in vlines[0].get_label() and r"+\infty" in vlines[0].get_label()
        theory = next(ln for ln in ax.get_lines() if ln.get_label() == "theory")
        assert len(theory.get_xdata()) >= 300
        assert ax.get_xlabel() == r"$\gamma = p/n$" and ax.get_ylabel() == "test error $R$"
        assert ax.get_title() == r"ridge risk: $\lambda = 0$, $\sigma^{2} = 0.25$"
        lo, hi = ax.get_ylim()
        assert hi < 50  # the divergence at gamma = 1 does not flatten the curve
        assert len(ax.containers) == 1  # the Monte Carlo error bars
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_rf_labels_and_title():
    cr, _ = asymptotics.curve("rf", "risk", {"psi1": "0.5:4:6", "psi2": "2", "lam": "0.009084505690810468", "tau2": "0.25"})
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        text = " ".join([ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), *[t.get_text() for t in ax.get_legend().get_texts()]])
        assert "tau^2" not in text and "F*^2" not in text and "F1^2" not in text
        assert r"$\lambda = 0.009085$" in ax.get_title() and r"$\tau^{2} = 0.25$" in ax.get_title()
        assert any(float(ln.get_xdata()[0]) == 2.0 for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1)
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_format_param():
    assert format_param("ridge", "lam", "0.009084505690810468") == r"$\lambda = 0.009085$"
    assert format_param("ridge", "gamma", "1/3") == r"$\gamma = 0.3333$"
    assert format_param("rf", "psi1", "inf") == r"$\psi_{1} = \infty$"
    assert format_param("ridge", "lam", "1e-5") == r"$\lambda = 10^{-5}$"
    assert format_param("rf", "activation", "relu") == "activation = relu"


def test_plot_curve_on_a_hand_built_result_computes_dense_theory():
    x = np.linspace(0.1, 3, 6)
    values, status = ridge.curve_values("risk", x, 0, 1, 0.25)
    cr = CurveResult("ridge", "risk", "gamma", x, values, status, {"lam": "0", "sigma2": "0.25"})
    assert cr.theory_x is None
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        theory = next(ln for ln in ax.get_lines() if ln.get_label() == "theory")
        assert len(theory.get_xdata()) >= 300 and 1.0 in theory.get_xdata()
        plot_curve(cr, ax=ax, dense=False)
        assert len(ax.get_lines()[-2].get_xdata()) in (6, 7)  # through the table's points only
    finally:
        plt.close(fig)


def test_certified_only_quantity_has_no_dense_theory():
    assert dense_theory("mp", "moment", "k", [1, 2, 3], {"gamma": "0.5"}) is None


def test_mp_overlay_has_an_eigenvalue_histogram():
    cr, _ = asymptotics.curve("mp", "density", {"x": "0:6:13", "gamma": "2"}, mc=2, n=60, progress=False)
    edges, heights = cr.mc_hist
    assert len(edges) == len(heights) + 1 and np.all(heights >= 0)
    # the support [0, (1 + sqrt 2)^2 = 5.83] lies in the range: the mass is the continuous part n/p = 1/2
    assert float(np.sum(heights * np.diff(edges))) == pytest.approx(0.5, abs=1e-12)
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        assert len(ax.patches) >= 1  # the histogram (a StepPatch) behind the theory
        marks = sorted(float(ln.get_xdata()[0]) for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1)
        np.testing.assert_allclose(marks, [(1 - math.sqrt(2)) ** 2, (1 + math.sqrt(2)) ** 2], rtol=1e-13)
        assert ax.get_xlabel() == "eigenvalue $x$" and ax.get_ylabel() == r"density $\rho(x)$"
    finally:
        plt.close(fig)


def test_plot_to_file(tmp_path):
    params = {"n": "4:600:5", "d": "20", "kernel": "exp:1/5", "F": "0,1,1", "sigma2": "0.5"}
    cr, _ = asymptotics.curve("krr", "risk", params, log=True)
    out = tmp_path / "krr.png"
    assert plot_curve(cr, str(out)) is None
    assert out.read_bytes()[:4] == b"\x89PNG"


# ----------------------------------------------------------------------------- review R2 (issue 16), fixer FX3
def _overlaps(ax) -> list[tuple[float, float]]:
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    lo, hi = sorted(ax.get_xlim())
    boxes = sorted(
        (
            t.label1.get_window_extent(renderer)
            for t in [*ax.xaxis.get_major_ticks(), *ax.xaxis.get_minor_ticks()]
            if t.label1.get_visible() and t.label1.get_text() and lo <= t.get_loc() <= hi
        ),
        key=lambda b: b.x0,
    )
    return [(a.x1, b.x0) for a, b in zip(boxes, boxes[1:]) if a.x1 > b.x0]


@pytest.mark.parametrize(
    ("lo", "hi", "labels"),
    [
        (0.2, 3.0, ["0.2", "0.5", "1", "2"]),  # about one decade: majors and the minors at 2 and 5
        (1e-4, 1.0, ["$10^{-4}$", "0.001", "0.01", "0.1", "1"]),  # four decades: majors only
        (0.55, 0.95, ["0.6", "0.7", "0.8", "0.9"]),  # under a decade, no power of ten inside: every minor
        (1.0, 1e8, None),
    ],
)
def test_readable_log_axis_plain_labels_without_overlap(lo, hi, labels):
    from asymptotics.plotting import readable_log_axis

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    try:
        ax.plot([lo, hi], [0, 1])
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        readable_log_axis(ax.xaxis)
        assert not _overlaps(ax)
        shown = [
            (t.get_loc(), t.label1.get_text())
            for t in [*ax.xaxis.get_major_ticks(), *ax.xaxis.get_minor_ticks()]
            if t.label1.get_text() and lo * (1 - 1e-9) <= t.get_loc() <= hi * (1 + 1e-9)
        ]
        texts = [text for _, text in sorted(shown)]
        assert all("times" not in t for t in texts), texts
        if labels is not None:
            assert texts == labels
        else:
            assert len(texts) >= 3
    finally:
        plt.close(fig)


def test_monte_carlo_far_beyond_a_divergent_theory_gets_an_edge_marker():
    cr, _ = asymptotics.curve("ridge", "risk", dict(README_12))  # +inf at gamma = 1: the y-range is cut
    mc = np.asarray(cr.values, dtype=float).copy()
    mc[2] = 1e6  # far above the cut
    mc[7] = 5.0  # above the theory's bulk, but close enough to be shown
    cr = dataclasses.replace(cr, mc_mean=mc, mc_se=np.full_like(mc, 0.01), mc_reps=3)
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        lo, hi = ax.get_ylim()
        assert hi < 100 and lo <= float(np.min(np.delete(mc, 2))) and hi >= 5.01
        edge = [ln for ln in ax.get_lines() if ln.get_label() == "Monte Carlo mean off the y-range"]
        assert len(edge) == 1 and list(edge[0].get_xdata()) == [cr.x[2]] and edge[0].get_marker() == "^"
        notes = [t.get_text() for t in fig.texts]
        assert any("1 Monte Carlo mean off the y-range" in t for t in notes), notes
    finally:
        plt.close(fig)


def test_finite_theory_shows_every_monte_carlo_point():
    cr, _ = asymptotics.curve("ridge", "risk", {"gamma": "0.2:0.8:8", "lam": "0.1", "sigma2": "0.25"})
    mc = np.asarray(cr.values, dtype=float) + np.linspace(-0.5, 3.0, 8)  # far from a smooth theory, both sides
    cr = dataclasses.replace(cr, mc_mean=mc, mc_se=np.full_like(mc, 0.2), mc_reps=3)
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        lo, hi = ax.get_ylim()
        assert lo <= float(np.min(mc - 0.2)) and hi >= float(np.max(mc + 0.2))
        assert not [ln for ln in ax.get_lines() if ln.get_label() == "Monte Carlo mean off the y-range"]
    finally:
        plt.close(fig)


def test_certified_only_quantity_gets_a_denser_certified_grid():
    import math as m

    x = np.linspace(0.0, 4.0, 9)
    params = {"depth": "2", "init": "0.1", "s": "1"}
    assert dense_theory("lnn", "trajectory", "t", x, params) is None  # no budget: the table's points only
    gx, v, st = dense_theory("lnn", "trajectory", "t", x, params, budget=5.0)
    assert 50 <= len(gx) <= 200 + len(x) and np.all(np.isin(x, gx)) and np.all(st == 0)
    # depth 2 is the logistic sigma(t) = s / (1 + (s/sigma0 - 1) exp(-2 s t)) (Saxe, McClelland, Ganguli 2014)
    np.testing.assert_allclose(v, [1 / (1 + 9 * m.exp(-2 * t)) for t in gx], rtol=1e-12)
    # a tiny budget keeps the figure on the table's points (None) or a coarser grid
    small = dense_theory("lnn", "trajectory", "t", x, params, budget=1e-4)
    assert small is None or len(small[0]) < len(gx)


@pytest.mark.parametrize(
    ("model", "axis", "params"),
    [
        ("nt", "exponent", {"F": "0,1,1,1,1", "method": "rf"}),  # certified only
        ("krr", "exponent", {"F": "0,1,1,1,1"}),  # certified only
        ("rf", "kappa1", {"kappa2": "4.5", "F": "0,1,1,1,1"}),  # float64 curve
    ],
)
def test_staircases_are_drawn_as_steps(model, axis, params):
    x = np.linspace(0.1, 3.9, 12)
    gx, v, st = dense_theory(model, "staircase", axis, x, params, budget=2.0)
    ok = np.isfinite(v) & (st == 0)
    # F = (0,1,1,1,1): F^2_{>l} = 4 - l on (l, l + 1) (rf method; krr kernel), never an intermediate value
    expect = 4.0 - np.floor(gx)
    np.testing.assert_array_equal(v[ok], expect[ok])
    for k in (1, 2, 3):  # a point just either side of each jump
        assert np.any(ok & (gx < k) & (gx > k - 1e-6)) and np.any(ok & (gx > k) & (gx < k + 1e-6)), k
    xs, ys = gx[ok], v[ok]
    slanted = (np.diff(ys) != 0) & (np.diff(xs) > 1e-6)  # a jump drawn over a visible distance
    assert not slanted.any(), xs[:-1][slanted]


def test_mp_density_marks_the_atom_at_zero():
    cr, _ = asymptotics.curve("mp", "density", {"x": "0:6:13", "gamma": "2"})
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(r"1 - 1/\gamma = 0.5" in t and "x = 0" in t for t in labels), labels
    finally:
        plt.close(fig)
    cr, _ = asymptotics.curve("mp", "density", {"x": "0:6:13", "gamma": "1/2"})  # gamma < 1: no atom
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        assert not any("atom" in t.get_text() for t in ax.get_legend().get_texts())
    finally:
        plt.close(fig)


def test_title_lists_the_defaults_in_a_second_line():
    cr, _ = asymptotics.curve("ridge", "risk", {"gamma": "0.2:3:5", "lam": "0.01"})
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        assert ax.get_title() == r"ridge risk: $\lambda = 0.01$"
        small = [t for t in ax.texts if t.get_text().startswith("defaults:")]
        assert len(small) == 1 and small[0].get_fontsize() < 10
        text = small[0].get_text()
        for part in (r"$r^{2} = 1$", r"$\sigma^{2} = 1$", r"$\tau^{2} = 0$", "spectrum = isotropic"):
            assert part in text, text
        assert r"\lambda" not in text and r"\gamma" not in text  # given parameters are not repeated
    finally:
        plt.close(fig)


def test_krr_legend_and_nt_staircase_labels_name_numbers_and_method():
    cr, _ = asymptotics.curve("krr", "risk", {"n": "4:600:5", "d": "20", "kernel": "exp:1/5", "F": "0,1,1"}, log=True)
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("n = 1 + d = 21" in t for t in labels) and any("n = 230" in t for t in labels), labels
        assert not any("B(d" in t for t in labels)
    finally:
        plt.close(fig)
    cr, _ = asymptotics.curve("nt", "staircase", {"exponent": "0.1:3.9:8", "F": "0,1,1,1,1", "method": "kernel"})
    fig, ax = plt.subplots()
    try:
        plot_curve(cr, ax=ax)
        assert ax.get_xlabel() == r"$\kappa = \log n/\log d$ (samples)"
        assert ax.get_ylabel() == r"limiting test error $F^2_{>\lfloor\kappa\rfloor}$"
    finally:
        plt.close(fig)


def test_save_figure_formats(tmp_path):
    from asymptotics.errors import ParameterError
    from asymptotics.plotting import figure_path, save_figure

    assert figure_path(tmp_path / "a.svg") == str(tmp_path / "a.svg")
    with pytest.raises(ParameterError, match=r"format 'xyz' is not supported; use one of .*\.pdf.*\.png"):
        figure_path("out.xyz")
    fig, _ = plt.subplots()
    try:
        written = save_figure(fig, tmp_path / "noext")
        assert written == str(tmp_path / "noext.png") and (tmp_path / "noext.png").read_bytes()[:4] == b"\x89PNG"
        with pytest.raises(ParameterError, match="cannot write --plot file"):
            save_figure(fig, tmp_path / "missing" / "dir" / "x.png")
    finally:
        plt.close(fig)
    cr, _ = asymptotics.curve("ridge", "risk", {"gamma": "0.2:3:4"})
    with pytest.raises(ParameterError, match="not supported"):
        plot_curve(cr, str(tmp_path / "out.xyz"))
    assert not list(tmp_path.glob("out*"))
