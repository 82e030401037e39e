"""Information exponents, the theory mapping, and a trained network against the linear predictions (docs/beyond_linear.md)."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.kernels import get_kernel
from asymptotics.targets import information_exponent, leap_exponent
from validation import beyond_linear as bl
from validation.cli import main


# Golden values by hand: He_3 = x³ − 3x, He_4 = x⁴ − 6x² + 3, He_5 = x⁵ − 10x³ + 15x, so x³ = He_3 + 3He_1,
# x² = He_2 + 1, x⁴ = He_4 + 6He_2 + 3, x⁴ − 6x² = He_4 − 3, x⁵ − 10x³ = He_5 − 15He_1;
# |x| is even with E|G|(G² − 1) = 2φ(0) ≠ 0; tanh is odd with E[tanh(G) G] > 0.
@pytest.mark.parametrize(
    ("target", "k"),
    [
        (1, 1), (2, 2), (3, 3), (7, 7), ("He2", 2), ("he_4", 4),
        ("x", 1), ("x**2", 2), ("x**3", 1), ("x**3 - 3*x", 3), ("x**4", 2), ("x**4 - 6*x**2", 4),
        ("x**4 - 6*x**2 + 3", 4), ("x**5 - 10*x**3 + 15*x", 5), ("x**5 - 10*x**3", 1), ("x^2 - 1", 2),
        ("abs(x)", 2), ("tanh(x)", 1), ("relu", 1),
        ([5, 0, 0, 2], 3), ((0, 0, 1), 2), ([1, 1e-30], 1),
    ],
)
def test_information_exponent_golden(target, k):
    assert information_exponent(target) == k
    assert leap_exponent(target) == k  # single index: leap = information exponent


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"target": 0}, "target"), ({"target": [1, 0, 0]}, "target"), ({"target": []}, "target"),
        ({"target": "2 + 0*x"}, "target"), ({"target": "__import__('os')"}, "target"), ({"target": True}, "target"),
        ({"target": [0, float("nan")]}, "target"), ({"target": "x**30 - 1", "max_degree": 0}, "max_degree"),
        ({"target": 3.5}, "target"),
    ],
)
def test_information_exponent_bad_input(kwargs, name):
    with pytest.raises(ParameterError, match=f"`{name}`"):
        information_exponent(**kwargs)


def test_targets_have_unit_variance_and_their_exponent():
    z, w = np.polynomial.hermite_e.hermegauss(40)
    w = w / w.sum()
    for name, coefs in bl.TARGETS.items():
        g = bl.link(z, coefs)
        assert math.isclose(float(w @ g**2), 1.0, rel_tol=1e-12), name
        assert abs(float(w @ g)) < 1e-12  # no constant part
    assert [information_exponent(list(c)) for c in bl.TARGETS.values()] == [1, 2, 3, 1]


def _isotropic_risk(gamma: float, lam: float) -> float:
    """Noise-free isotropic ridge risk at r² = 1 from κ² + κ(1 − λ − γ) − λ = 0 (κ = λ + γκ/(1 + κ))."""
    c = lam + gamma - 1
    kappa = (c + math.sqrt(c * c + 4 * lam)) / 2
    return kappa**2 / ((1 + kappa) ** 2 - gamma)


def test_theory_mapping_against_closed_forms():
    # k = 1 target He_1 (all energy at degree 1): at n = αd the d → ∞ KRR risk is isotropic ridge with γ = 1/α and
    # λ_eff = (h(1) − ξ0 − ξ1)/(αξ1) (the higher levels act as ridge; noise-free, so the optimal added ridge is 0).
    ker = get_kernel("relu_ntk")
    xi0, xi1, h1 = (float(ker.xi(0)), float(ker.xi(1)), float(ker.h1()))
    for alpha in (2, 8):
        pred = bl.linear_predictions(40, 40 * alpha, "He1", which=("level1",))
        lam_eff = (h1 - xi0 - xi1) / (alpha * xi1)
        assert math.isclose(pred["level1"], _isotropic_risk(1 / alpha, lam_eff), rel_tol=1e-6)
    # k ≥ 2: nothing of the target is at degree ≤ 1, so the d → ∞ risk at n ≍ d is the null risk 1 for every α;
    # ReLU kernels have no odd levels ≥ 3, so He_3 is never learned even at finite d.
    for t in ("He2", "He3"):
        assert bl.linear_predictions(32, 256, t, which=("level1",))["level1"] == pytest.approx(1, abs=1e-9)
    he3 = bl.linear_predictions(32, 512, "He3", which=("krr_ntk", "krr_nngp"))
    assert he3["krr_ntk"] == pytest.approx(1, abs=1e-9) and he3["krr_nngp"] == pytest.approx(1, abs=1e-9)
    # the mixed target: only its degree-1 half can be learned at n ≍ d
    assert bl.linear_predictions(32, 256, "He1+He2", which=("level1",))["level1"] > 0.5
    with pytest.raises(ParameterError, match="`which`"):
        bl.linear_predictions(32, 256, "He2", which=("rf",))


def test_network_beats_linear_prediction_for_k2_on_every_seed():
    d, n = 32, 512
    runs = [bl.network_run(d, n, "He2", seed=s, width=128, n_test=1000) for s in range(5)]
    err = np.array([r.test_error for r in runs])
    theory = bl.linear_predictions(d, n, "He2", which=("krr_ntk", "krr_nngp"))
    best_linear = min(theory.values())
    assert best_linear > 0.2  # the tuned linear methods keep most of the degree-2 energy at n = 16d, d = 32
    se = err.std(ddof=1) / math.sqrt(len(err))
    # seed-robust (checked on seeds 0..16: the worst network error was 0.21 against 0.237 and 0.365): every seed beats
    # both tuned linear predictions, and the lazy (NT) one by a wide margin
    assert np.all(err < best_linear), err
    assert np.all(err < theory["krr_ntk"] - 0.1), err
    assert best_linear - err.mean() > 5 * se
    assert min(r.overlap_median for r in runs) > 0.7  # the first layer found w*


def test_network_run_is_seeded_and_checks_input():
    a = bl.network_run(16, 64, "He1", seed=3, width=32, steps=3, n_test=200)
    b = bl.network_run(16, 64, "He1", seed=3, width=32, steps=3, n_test=200)
    assert a == b
    for kwargs, name in (({"target": "He9"}, "target"), ({"d": 1}, "d"), ({"n": 0}, "n"), ({"lr": -1}, "lr"),
                         ({"seed": -1}, "seed")):
        args = {"d": 16, "n": 64, "target": "He1", **kwargs}
        with pytest.raises(ParameterError, match=f"`{name}`"):
            bl.network_run(**args)
    with pytest.raises(ParameterError, match="memory"):
        bl.network_run(2000, 10**6, "He1", max_memory=0.5)


def test_cli_bad_seed_exits_2(tmp_path, capsys):
    assert main(["network", "--out", str(tmp_path), "--seed", "-3"]) == 2
    assert "`seed`" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_experiment_writes_figure_and_table(tmp_path):
    rows = bl.experiment((32,), (4, 16), ("He1", "He2"), seeds=3, n_test=500, width=96)
    csv_path, md_path = bl.write_table(rows, str(tmp_path))
    png = bl.plot(rows, str(tmp_path / "f.png"))
    text = pathlib.Path(md_path).read_text(encoding="utf-8")
    assert "**measured**" in text and "**theory**" in text
    assert pathlib.Path(csv_path).read_text(encoding="utf-8").count(",theory,") == 3 * len(rows)
    assert (tmp_path / "f.png").stat().st_size > 10_000 and png.endswith("f.png")
