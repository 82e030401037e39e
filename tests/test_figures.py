"""Figures: dense theory beside sparse Monte Carlo, reference lines at thresholds, mathtext labels, the MP histogram."""

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
