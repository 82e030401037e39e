"""Thresholds (zero sets of interpolation thresholds, spectral edges, kernel levels) and figure labels.

Expected values are closed forms written here, never numbers produced by the code under test."""

import math

import numpy as np
import pytest

from asymptotics import model_api as A
from asymptotics.models import get_model
from asymptotics.thresholds import Threshold, axis_label, locate_thresholds, param_symbol, quantity_label, thresholds

MODELS = ("mp", "ridge", "rf", "krr", "nt", "lnn")


def test_ridge_interpolation_zero_set():
    (t,) = thresholds("ridge", "risk")
    assert isinstance(t, Threshold) and t.params == ("gamma",)
    np.testing.assert_array_equal(np.sign(t.fn(gamma=np.array([0.5, 1.0, 2.0]))), [-1, 0, 1])
    assert locate_thresholds("ridge", "risk", "gamma", 0.1, 3) == [(1.0, t.label)]
    assert locate_thresholds("ridge", "risk", "gamma", 1.5, 3) == []  # outside the range
    assert locate_thresholds("ridge", "risk", "lam", 0.1, 3, {"gamma": "2"}) == []  # constant along lam
    assert thresholds("ridge", "optimal_lambda") == []


@pytest.mark.parametrize("gamma,sigma2", [(0.25, 1.0), (0.5, 2.0), (3.0, 0.5), (1.0, 1.0)])
def test_mp_edges_closed_form(gamma, sigma2):
    found = [x for x, _ in locate_thresholds("mp", "density", "x", -1.0, 50.0, {"gamma": str(gamma), "sigma2": str(sigma2)})]
    expected = sorted({sigma2 * (1 - math.sqrt(gamma)) ** 2, sigma2 * (1 + math.sqrt(gamma)) ** 2})
    np.testing.assert_allclose(found, expected, rtol=1e-13, atol=1e-15)


def test_mp_edges_default_sigma2_and_gamma_one():
    found = [x for x, _ in locate_thresholds("mp", "cdf", "x", 0.01, 10, {"gamma": "4"})]  # sigma2 default 1
    np.testing.assert_allclose(found, [1.0, 9.0], rtol=1e-13)
    assert [x for x, _ in locate_thresholds("mp", "stieltjes", "gamma", 0.1, 3, {"z": "1+1j"})] == [1.0]


@pytest.mark.parametrize("d", [5, 20, 33])
def test_krr_levels_closed_form(d):
    b1, b2 = d, d * (d + 1) // 2 - 1  # B(d, 1), B(d, 2) on the sphere
    found = [x for x, _ in locate_thresholds("krr", "risk", "n", 1, 1 + b1 + b2 + 0.5, {"d": str(d)})]
    assert found == [1.0 + b1, 1.0 + b1 + b2]
    c2 = d * (d - 1) // 2  # C(d, 2) on the hypercube
    found = [x for x, _ in locate_thresholds("krr", "risk", "n", 1, 1 + d + c2 + 0.5, {"d": str(d), "domain": "hypercube"})]
    assert found == [1.0 + d, 1.0 + d + c2]
    assert [x for x, _ in locate_thresholds("krr", "risk", "alpha", 0.1, 10, {"d": str(d), "level": "2"})] == [1.0]


def test_rf_nt_and_staircase_thresholds():
    assert [x for x, _ in locate_thresholds("rf", "risk", "psi1", 0.1, 10, {"psi2": "2"})] == [2.0]
    assert [x for x, _ in locate_thresholds("rf", "risk", "psi2", 0.1, 10, {"psi1": "3"})] == [3.0]
    assert [x for x, _ in locate_thresholds("rf", "risk", "N_over_n", 0.1, 10, {"psi2": "2"})] == [1.0]
    assert [x for x, _ in locate_thresholds("nt", "risk", "psi2", 0.1, 100, {"psi1": "0.5", "d": "40"})] == [20.0]
    assert locate_thresholds("nt", "risk", "psi2", 0.1, 100, {"psi1": "0.5"}) == []  # without d: no Nd = n
    steps = [x for x, _ in locate_thresholds("krr", "staircase", "exponent", 0.5, 3.5)]
    assert steps == [1.0, 2.0, 3.0]
    assert thresholds("lnn") == [] and thresholds("rf", "mu0") == []


def _all_labels():
    out = set()
    for m in MODELS:
        spec = get_model(m)
        out |= {axis_label(m, p) for p in spec.params}
        out |= {quantity_label(m, q) for q in spec.quantities}
        out |= {t.label for t in thresholds(m)}
        out |= {t.label for q in spec.quantities for t in thresholds(m, q)}
    return sorted(out)


def test_every_label_renders_with_mathtext():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = _all_labels()
    assert len(labels) > 60
    fig, ax = plt.subplots()
    try:
        for label in labels:
            assert label.count("$") % 2 == 0, label
            ax.set_xlabel(label)
            fig.canvas.draw()  # raises ValueError on mathtext it cannot parse; warnings are errors
    finally:
        plt.close(fig)


def test_labels_come_from_symbols_not_raw_docs():
    assert quantity_label("rf", "risk") == "test error $R$"
    assert quantity_label("ridge", "train_error") == r"training error $R_{\mathrm{train}}$"
    assert axis_label("ridge", "gamma") == r"$\gamma = p/n$"
    assert axis_label("rf", "psi1") == r"$\psi_{1} = N/d$"
    assert param_symbol("ridge", "lam") == r"\lambda" and param_symbol("rf", "activation") is None
    raw = ("tau^2", "F*^2", "F1^2", "⌊", "F²")
    for label in _all_labels():
        assert not any(r in label for r in raw), label
    assert r"\lfloor" in quantity_label("krr", "staircase")


def test_user_model_gets_plain_labels_and_no_thresholds():
    A.register_model(
        "thr_user_test",
        doc="y = 2x",
        params=[A.Param("noise_var", doc="label noise, >= 0")],
        quantities={"y": "twice the noise_var"},
        formulas=lambda B, noise_var: {"y": 2 * noise_var},
    )
    try:
        assert thresholds("thr_user_test") == [] and thresholds("thr_user_test", "y") == []
        assert axis_label("thr_user_test", "noise_var") == "noise_var (label noise)"
        assert quantity_label("thr_user_test", "y") == "y (twice the noise_var)"
        assert param_symbol("thr_user_test", "noise_var") is None
    finally:
        A.unregister_model("thr_user_test")


@pytest.mark.parametrize("name", ["asymptotics.thresholds", "asymptotics.curves", "asymptotics.plotting"])
def test_docstring_examples(name):
    import doctest
    import importlib

    if name == "asymptotics.plotting":
        pytest.importorskip("matplotlib").use("Agg")
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 2


@pytest.mark.parametrize("domain", ["sphere", "hypercube"])
def test_krr_threshold_labels_show_the_level_counts(domain):
    # sphere: B(d, l) = (2l + d - 2)/l * C(l + d - 3, l - 1); hypercube: C(d, l); d = 20
    d = 20
    if domain == "sphere":
        counts = [1 + d + sum((2 * k + d - 2) * math.comb(k + d - 3, k - 1) // k for k in range(2, ell + 1)) for ell in (1, 2, 3)]
    else:
        counts = [sum(math.comb(d, k) for k in range(ell + 1)) for ell in (1, 2, 3)]
    found = locate_thresholds("krr", "risk", "n", 4, 6000, {"d": str(d), "domain": domain})
    assert [x for x, _ in found] == [float(c) for c in counts]
    labels = [label for _, label in found]
    assert labels[0] == rf"$n = 1 + d = {counts[0]}$ (levels $\ell \leq 1$)"
    assert labels[1:] == [rf"$n = {c}$ (levels $\ell \leq {ell}$)" for ell, c in ((2, counts[1]), (3, counts[2]))]
    assert all("B(d" not in label for label in labels)
    assert "B(d,0)" in thresholds("krr", "risk")[0].label  # without d the static label stays


def test_nt_staircase_labels_follow_the_method():
    assert axis_label("nt", "exponent", {"method": "kernel"}) == r"$\kappa = \log n/\log d$ (samples)"
    assert axis_label("nt", "exponent", {"method": "rf"}).startswith(r"$\kappa = \log N/\log d$ (random features")
    assert axis_label("nt", "exponent", {}).startswith(r"$\kappa = \log N/\log d$ (neurons")  # the default, nt
    assert "(kernel)" in axis_label("nt", "exponent")  # no parameters: both meanings, as before
    # method=nt learns one degree more: R -> F^2_{>l+1}
    assert quantity_label("nt", "staircase", {"method": "nt"}).endswith(r"$F^2_{>\lfloor\kappa\rfloor+1}$")
    assert quantity_label("nt", "staircase", {"method": "rf"}).endswith(r"$F^2_{>\lfloor\kappa\rfloor}$")
