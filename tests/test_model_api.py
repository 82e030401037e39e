"""The public model API (:mod:`asymptotics.model_api`), the ``asymptotics.models`` entry points
and the lazy registry.

The example model is the spiked two-level ridge of the README ("Defining your own model"):
features in two blocks, a fraction ``w`` with variance ``s`` and the rest with variance 1,
an isotropic random signal of energy ``r2`` and noise ``sigma2``.  Its expected values come
from computations written here independently of the code under test: the isotropic closed form
of Hastie et al. at ``s = 1``, mpmath's bracketing solver at 60 digits for other ``s``, the
package's general-spectrum ridge (a different code path), and a Monte Carlo simulation.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import pathlib
import subprocess
import sys
import textwrap
import threading
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import asymptotics as A
from asymptotics.errors import ConvergenceError, ParameterError
from asymptotics.models import _registry
from asymptotics.solve.roots import increasing_root

ROOT = pathlib.Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- the example model
def spiked_formulas(B, gamma, lam, s, w, r2, sigma2):
    blocks = ((s, w), (1, 1 - w))

    def tr(k, f):
        return gamma * sum(wi * f(si, k) for si, wi in blocks)

    def h(k):
        return 1 - lam / k - tr(k, lambda si, k: si / (si + k))

    def dh(k):
        return lam / k**2 + tr(k, lambda si, k: si / (si + k) ** 2)

    kappa, ok = increasing_root(h, dh, lam, lam + gamma * (w * s + 1 - w), ops=B, rtol=A.root_tolerance(B), throw=False)
    df2 = tr(kappa, lambda si, k: (si / (si + k)) ** 2)
    slack = lam / kappa + tr(kappa, lambda si, k: si * k / (si + k) ** 2)
    bias = kappa**2 * r2 * sum(wi * si / (si + kappa) ** 2 for si, wi in blocks) / slack
    variance = sigma2 * df2 / slack
    return {"risk": bias + variance, "bias": bias, "variance": variance, "kappa": kappa, "residual": h(kappa), "converged": ok}


def spiked_equations():
    import sympy as sp

    k, g, lam, s, w, r2, s2 = sp.symbols("kappa gamma lambda s w r^2 sigma^2", positive=True)

    def df(j):
        return g * (w * (s / (s + k)) ** j + (1 - w) / (1 + k) ** j)

    signal = r2 * (w * s / (s + k) ** 2 + (1 - w) / (1 + k) ** 2)
    return A.FixedPointSystem(
        "spiked",
        (k,),
        (g, lam, s, w, r2, s2),
        (sp.Eq(lam, k * (1 - df(1))),),
        {"risk": (k**2 * signal + s2 * df(2)) / (1 - df(2))},
    )


def spiked_simulate(p, n, reps, rng):
    d = round(p["gamma"] * n)
    scale = np.ones(d)
    scale[: round(p["w"] * d)] = np.sqrt(p["s"])
    out = []
    for _ in range(reps):
        X = rng.standard_normal((n, d)) * scale
        beta = rng.standard_normal(d) * np.sqrt(p["r2"] / d)
        y = X @ beta + np.sqrt(p["sigma2"]) * rng.standard_normal(n)
        bhat = np.linalg.solve(X.T @ X / n + p["lam"] * np.eye(d), X.T @ y / n)
        out.append(np.sum((scale * (bhat - beta)) ** 2))
    return {"risk": np.array(out)}


SPIKED_PARAMS = [
    A.Param("gamma", "p/n", low=0, low_open=True),
    A.Param("lam", "ridge penalty", default="0.1", low=0, low_open=True),
    A.Param("s", "spike eigenvalue", default="4", low=0, low_open=True),
    A.Param("w", "fraction of spiked features", default="0.2", low=0, high=1),
    A.Param("r2", "signal energy", default="1", low=0),
    A.Param("sigma2", "noise variance", default="1", low=0),
]
NAME = "spiked_test"


@pytest.fixture
def spiked():
    spec = A.register_model(
        NAME,
        doc="ridge regression, a spiked two-level covariance",
        params=SPIKED_PARAMS,
        quantities={"risk": "excess test risk", "bias": "bias", "variance": "variance", "kappa": "effective regularization"},
        formulas=spiked_formulas,
        equations=spiked_equations,
        simulator=A.SimulatorDecl(spiked_simulate, size_param="n", quantities=("risk",)),
        source=A.Source("E. Dobriban, S. Wager", "High-dimensional asymptotics of prediction", 2018, arxiv="1507.03003"),
    )
    yield spec
    A.unregister_model(NAME)


@contextlib.contextmanager
def registered(name, **declaration):
    spec = A.register_model(name, **declaration)
    try:
        yield spec
    finally:
        A.unregister_model(name)


def _independent_risk(gamma, lam, s, w, r2, sigma2, digits=60):
    """The spiked risk from mpmath's bracketing solver (Anderson–Björck) on the κ equation."""
    with mpmath.workdps(digits):
        g, la, ss, ww, rr, s2 = (
            mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator for x in (gamma, lam, s, w, r2, sigma2)
        )
        blocks = ((ss, ww), (1, 1 - ww))

        def f(k):
            return k * (1 - g * sum(wi * si / (si + k) for si, wi in blocks)) - la

        kappa = mpmath.findroot(f, (la, la + g * (ww * ss + 1 - ww)), solver="anderson")
        df2 = g * sum(wi * (si / (si + kappa)) ** 2 for si, wi in blocks)
        signal = rr * sum(wi * si / (si + kappa) ** 2 for si, wi in blocks)
        return (kappa**2 * signal + s2 * df2) / (1 - df2)


def _isotropic_risk(gamma, lam, r2, sigma2, digits=60):
    """Hastie et al.'s closed form: κ = (c + √(c² + 4λ))/2, c = λ + γ − 1; R = (r²κ² + σ²γ)/((1+κ)² − γ)."""
    with mpmath.workdps(digits):
        g, la, rr, s2 = (mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator for x in (gamma, lam, r2, sigma2))
        c = la + g - 1
        kappa = (c + mpmath.sqrt(c * c + 4 * la)) / 2
        return (rr * kappa**2 + s2 * g) / ((1 + kappa) ** 2 - g)


def _close(value, exact, digits):
    with mpmath.workdps(digits + 20):
        return abs(mpmath.mpf(value) - exact) <= mpmath.mpf(10) ** (-digits) * abs(exact)


def _cli(args):
    from asymptotics.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(args)
    return rc, out.getvalue(), err.getvalue()


# ----------------------------------------------------------------------------- certified values
def test_certified_digits_at_the_isotropic_special_point(spiked):
    # s = 1: both blocks have variance 1, so the spiked model is isotropic ridge
    exact = _isotropic_risk("0.7", "0.05", "2", "0.5")
    r = A.get_model(NAME).quantity("risk").certified(gamma="0.7", lam="0.05", s="1", r2="2", sigma2="0.5", dps=40)
    assert _close(r.value, exact, 40)
    assert r.model == NAME and r.params == {"gamma": "0.7", "lam": "0.05", "s": "1", "w": "0.2", "r2": "2", "sigma2": "0.5"}
    assert r.residual is not None and r.residual < mpmath.mpf(10) ** -40


@pytest.mark.parametrize(
    "point",
    [
        {"gamma": "0.5", "lam": "0.1", "s": "4", "w": "0.2", "r2": "1", "sigma2": "1"},
        {"gamma": "3", "lam": "0.001", "s": "100", "w": "0.01", "r2": "2", "sigma2": "0.25"},
        {"gamma": "1", "lam": "1e-6", "s": "1/3", "w": "0.9", "r2": "1", "sigma2": "1"},
    ],
)
def test_certified_digits_against_an_independent_solver(spiked, point):
    r = spiked.quantity("risk").certified(**point, dps=30)
    assert _close(r.value, _independent_risk(**point), 30)


def test_agrees_with_the_general_spectrum_ridge(spiked):
    from asymptotics.models import ridge

    mine = spiked.quantity("risk").certified(gamma="2", lam="0.3", s="4", w="0.25", dps=30).value
    blocks = ridge.risk("2", "0.3", sigma2=1, spectrum="blocks:4/0.25/0.25,1/0.75/0.75", dps=30).value
    assert _close(mine, blocks, 28)


def test_curve_float64_matches_certified_to_six_digits(spiked):
    gammas = np.linspace(0.2, 3, 15)
    values, status = spiked.quantity("risk").curve(gamma=gammas, lam=0.05)
    assert np.all(status == 0)
    for g, v in zip(gammas, values, strict=True):
        exact = _independent_risk(Fraction(float(g)), Fraction(0.05), 4, Fraction("0.2"), 1, 1, digits=30)
        assert abs(v - float(exact)) <= 1e-9 * float(exact)


def test_curve_statuses_and_asymptotics_curve(spiked):
    values, status = spiked.quantity("kappa").curve(gamma=[0.5, -1.0, np.nan, 2.0], lam=0.1, w=1.5)
    assert list(status) == [2, 2, 2, 2]  # w outside [0, 1] everywhere
    assert np.all(np.isnan(values))
    cr, texts = A.curve(NAME, "risk", {"gamma": "0.1:3:5", "lam": "0.05"})
    assert cr.model == NAME and list(cr.status) == [0] * 5 and len(texts) == 5
    with pytest.raises(ParameterError, match="`w`"):  # every point outside: the certified path names it
        A.curve(NAME, "risk", {"gamma": "0.1:3:5", "w": "2"})


# ----------------------------------------------------------------------------- input checks
@pytest.mark.parametrize(
    "kw, needle",
    [
        ({"gamma": "-1"}, "`gamma` must be > 0"),
        ({"gamma": "0.5", "w": "1.5"}, "`w` must be in [0, 1]"),
        ({"gamma": "0.5", "lam": "0"}, "`lam` must be > 0"),
        ({"gamma": "nan"}, "`gamma`"),
        ({"gamma": "0.5", "mu": "1"}, "`mu`"),
        ({}, "missing parameter `gamma`"),
        ({"gamma": "abc"}, "`gamma` must be a real number"),
    ],
)
def test_bad_input_is_a_parameter_error_naming_the_parameter(spiked, kw, needle):
    with pytest.raises(ParameterError) as info:
        spiked.quantity("risk").certified(**kw)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_cli_eval_list_latex_for_a_runtime_model(spiked, tmp_path):
    rc, out, err = _cli(["eval", NAME, "risk", "gamma=0.5", "--dps", "25"])
    assert rc == 0 and err == ""
    assert _close(out.strip(), _independent_risk("0.5", "0.1", 4, "0.2", 1, 1), 24)
    rc, out, _ = _cli(["eval", NAME, "risk", "gamma=0.5", "--json"])
    import json

    d = json.loads(out)
    assert d["model"] == NAME and d["params"]["w"] == "0.2" and "Dobriban" in d["source"] and d["residual"] is not None
    rc, out, err = _cli(["eval", NAME, "risk", "gamma=-2"])
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1 and "`gamma`" in err
    rc, out, _ = _cli(["list"])
    assert rc == 0 and NAME in out and "fraction of spiked features, in [0, 1]" in out and "[float64 curve]" in out
    rc, out, _ = _cli(["latex", NAME])
    assert rc == 0 and out.startswith("\\begin{align}") and "\\kappa" in out and "\\sigma^{2}" in out
    rc, out, _ = _cli(["latex", NAME, "--out", str(tmp_path / "s.tex")])
    assert rc == 0 and "\\documentclass" in (tmp_path / "s.tex").read_text()
    rc, out, _ = _cli(["curve", NAME, "risk", "gamma=0.5:2:4", "lam=0.2"])
    assert rc == 0 and "float64" in out and len([ln for ln in out.splitlines() if ln and not ln.startswith("#")]) == 5


def test_model_without_equations_has_no_latex():
    with registered("noeq_test", doc="x", params=[A.Param("x")], quantities={"y": "2x"}, formulas=lambda B, x: {"y": 2 * x}):
        rc, out, err = _cli(["latex", "noeq_test"])
        assert rc == 2 and "declares no equations" in err and len(err.strip().splitlines()) == 1


def test_declaration_errors():
    ok = {"doc": "d", "params": [A.Param("x")], "quantities": {"y": "y"}, "formulas": lambda B, x: {"y": x}}
    with pytest.raises(ParameterError, match="built-in"):
        A.define_model("ridge", **ok)
    with pytest.raises(ParameterError, match="identifier"):
        A.define_model("two words", **ok)
    with pytest.raises(ParameterError, match="does not take x"):
        A.define_model("m", **{**ok, "formulas": lambda B, z: {"y": z}})
    with pytest.raises(ParameterError, match="residual"):
        A.define_model("m", **{**ok, "quantities": {"residual": "r"}})
    with pytest.raises(ParameterError, match="`x`"):
        A.Param("x", default="-1", low=0)  # the default must lie in the range
    with pytest.raises(ParameterError, match="kind"):
        A.Param("x", kind="matrix")


def test_int_complex_text_kinds_and_joint_domain():
    def formulas(B, z, k, mode):
        v = z**k
        return {"power": v if mode == "plain" else -v}

    params = [
        A.Param("z", kind="complex"),
        A.Param("k", kind="int", low=0, high=10),
        A.Param("mode", kind="text", default="plain", choices=("plain", "negated")),
    ]
    with registered(
        "kinds_test",
        doc="z^k",
        params=params,
        quantities={"power": "z**k"},
        formulas=formulas,
        domain=lambda B, z, k, mode: k != 7,
        domain_doc="k ≠ 7",
    ) as spec:
        q = spec.quantity("power")
        r = q.certified(z="1+1j", k="3", dps=20)  # (1 + i)³ = −2 + 2i
        assert complex(r.value) == complex(-2, 2) and r.params == {"z": "1+1j", "k": "3", "mode": "plain"}
        assert complex(q.certified(z="1+1j", k=3, mode="negated").value) == complex(2, -2)
        for bad, needle in (
            ({"k": "2.5"}, "`k` must be an integer"),
            ({"k": "11"}, "`k` must be an integer in [0, 10]"),
            ({"k": "2", "mode": "other"}, "`mode` must be one of plain, negated"),
            ({"k": "7"}, "k ≠ 7"),
        ):
            with pytest.raises(ParameterError, match=None) as info:
                q.certified(z="2", **bad)
            assert needle in str(info.value)
        values, status = q.curve(z=2.0, k=np.arange(0, 9))
        assert list(status) == [0, 0, 0, 0, 0, 0, 0, 2, 0]
        assert values[3] == 8 and values[8] == 256


# ----------------------------------------------------------------------------- the float64 promise
def test_crosscheck_catches_an_ill_conditioned_formula():
    def formulas(B, x):
        return {"ratio": ((1 + x) - 1) / x}  # loses ~log10(1/x) digits in float64; the value is 1

    with registered(
        "cancel_test", doc="d", params=[A.Param("x", low=0, low_open=True)], quantities={"ratio": "1"}, formulas=formulas
    ) as spec:
        x = np.array([1e-3, 1e-7, 1e-12, 1e-15])
        values, status = spec.quantity("ratio").curve(x=x)
        assert list(status) == [0, 0, 3, 3]
        assert np.all(np.abs(values[:2] - 1) <= 1e-6) and np.all(np.isnan(values[2:]))
        # the certified path is exact whatever x (guard digits cover the inputs' range)
        assert spec.quantity("ratio").certified(x="1e-40", dps=20).value == 1


def test_crosscheck_compares_with_the_mp_backend_and_error_bound_opts_out():
    def formulas(B, x):  # deliberately different on the two backends (never do this in a model)
        return {"y": x * (1 if B.name == "mp" else 1 + 1e-3)}

    decl = {"doc": "d", "params": [A.Param("x")], "quantities": {"y": "x"}, "formulas": formulas}
    with registered("differ_test", **decl) as spec:
        assert list(spec.quantity("y").curve(x=[1.0, 2.0])[1]) == [3, 3]
    with registered("bound_test", **decl, error_bound=lambda values, x: np.zeros_like(x)) as spec:
        assert list(spec.quantity("y").curve(x=[1.0, 2.0])[1]) == [0, 0]  # the model vouches for itself
    with registered("bound_big_test", **decl, error_bound=lambda values, x: np.where(x > 1.5, 1.0, 0.0)) as spec:
        assert list(spec.quantity("y").curve(x=[1.0, 2.0])[1]) == [0, 3]


def test_cancellation_against_a_constant_of_the_formula():
    """One parameter far from 1 cancels against the formula's constants: the certified ladder and the
    float64 cross-check count 1 among the inputs, and the cross-check runs at two precisions.
    Exact values: ((1 + x) − 1)/x = 1, 5 + ((x + 10³⁰) − 10³⁰) = 5 + x, expm1(x)/x → 1 (x → 0)."""

    def formulas(B, x):
        big = B.num(10) ** 30
        return {"ratio": ((1 + x) - 1) / x, "shifted": 5 + ((x + big) - big), "expm1_ratio": (B.exp(x) - 1) / x}

    quantities = {"ratio": "1", "shifted": "5 + x", "expm1_ratio": "(e^x - 1)/x"}
    with registered(
        "const_cancel_test", doc="d", params=[A.Param("x", low=0, low_open=True)], quantities=quantities, formulas=formulas
    ) as spec:
        for x in ("1e-80", "1e-200"):  # the rungs at 40/50 digits both gave exactly 0
            assert spec.quantity("ratio").certified(x=x, dps=30).value == 1
        assert spec.quantity("shifted").certified(x=1, dps=30).value == 6
        values, status = spec.quantity("ratio").curve(x=[1e-3, 1e-40, 1e-80])  # 1e-40: float64 and 20 digits both 0
        assert list(status) == [0, 3, 3] and abs(values[0] - 1) <= 1e-6
        values, status = spec.quantity("shifted").curve(x=[1.0, 2.0])  # float64 and 20 digits both give 5
        assert list(status) == [3, 3]
        values, status = spec.quantity("expm1_ratio").curve(x=[1.0, 1e-300])  # float64 gives 0 at 1e-300
        assert list(status) == [0, 3] and abs(values[0] - (np.e - 1)) <= 1e-6


def test_real_functions_and_division_on_both_backends():
    """sqrt/log/log1p of a negative real are NaN on MP as on NP (never a complex certified value of a
    real formula); ``B.div`` divides by zero without mpmath's ZeroDivisionError in an unselected branch."""

    def formulas(B, x):
        return {
            "root": B.sqrt(x),
            "log": B.log(x),
            "log1p": B.log1p(x),
            "expm1_ratio": B.where(x == 0, 1 + 0 * x, B.div(B.expm1(x), x)),  # = 1 at x = 0
        }

    quantities = {"root": "√x", "log": "log x", "log1p": "log(1 + x)", "expm1_ratio": "(e^x - 1)/x"}
    with registered("real_fn_test", doc="d", params=[A.Param("x")], quantities=quantities, formulas=formulas) as spec:
        for q in ("root", "log", "log1p"):
            with pytest.raises(ParameterError, match="gives NaN"):
                spec.quantity(q).certified(x="-4")
            values, status = spec.quantity(q).curve(x=[-4.0, 4.0])
            assert list(status) == [3, 0]
        assert spec.quantity("root").certified(x="4").value == 2
        assert spec.quantity("expm1_ratio").certified(x=0).value == 1
        with mpmath.workdps(40):
            exact = mpmath.expm1(mpmath.mpf("0.001")) / mpmath.mpf("0.001")
        assert _close(spec.quantity("expm1_ratio").certified(x="0.001", dps=25).value, exact, 25)
        values, status = spec.quantity("expm1_ratio").curve(x=[0.0, 1.0])
        assert list(status) == [0, 0] and values[0] == 1 and abs(values[1] - (np.e - 1)) <= 1e-12
    from asymptotics.backend import MP, NP

    with mpmath.workdps(20):
        assert MP.div(mpmath.mpf(1), 0) == mpmath.inf and MP.div(-1, mpmath.mpf(0)) == -mpmath.inf
        assert mpmath.isnan(MP.div(mpmath.mpf(0), 0)) and MP.div(mpmath.mpf(3), 2) == 1.5
        assert MP.sqrt(mpmath.mpc(-4)) == 2j  # complex arguments keep the principal branch
    with np.errstate(divide="ignore", invalid="ignore"):
        assert list(NP.div(np.array([1.0, -1.0]), 0.0)) == [np.inf, -np.inf]


def test_domain_of_complex_parameters_and_declaration_errors_at_evaluation():
    def formulas(B, z, x):
        return {"y": z * x}

    decl = {"doc": "d", "params": [A.Param("z", kind="complex"), A.Param("x")], "quantities": {"y": "z x"}}
    disk = {"domain": lambda B, z, x: B.land(B.abs(z) < 2, 1 / x > 0), "domain_doc": "|z| < 2, x > 0"}
    with registered("cdomain_test", **decl, formulas=formulas, **disk) as spec:
        assert complex(spec.quantity("y").certified(z="1+1j", x=2).value) == complex(2, 2)
        for point in ({"z": "3", "x": 1}, {"z": "1", "x": 0}):  # |z| ≥ 2; 1/x divides by zero: outside
            with pytest.raises(ParameterError, match="outside the domain"):
                spec.quantity("y").certified(**point)
        assert list(spec.quantity("y").curve(z=[1j, 3.0], x=[1.0, 1.0])[1]) == [0, 2]
    with registered("missing_q_test", **decl, formulas=lambda B, z, x: {"other": z}) as spec:
        with pytest.raises(TypeError, match="formulas\\(\\) returned no 'y'"):
            spec.quantity("y").certified(z=1, x=1)


def test_infinite_values_and_divisions_by_zero():
    def formulas(B, g):
        return {"v": g / B.abs(1 - g)}  # +inf at g = 1 on numpy; mpmath raises there

    with registered("inf_test", doc="d", params=[A.Param("g", low=0)], quantities={"v": "v"}, formulas=formulas) as spec:
        values, status = spec.quantity("v").curve(g=[0.5, 1.0])
        assert values[0] == 1 and list(status) == [0, 3]
        with pytest.raises(ConvergenceError, match="division by zero"):
            spec.quantity("v").certified(g=1)


def test_not_converged_and_residual():
    def formulas(B, x):
        return {"y": x, "converged": B.lor(x < 2, x >= 3), "residual": B.where(x < 3, 0 * x, x)}

    with registered("conv_test", doc="d", params=[A.Param("x")], quantities={"y": "x"}, formulas=formulas) as spec:
        assert list(spec.quantity("y").curve(x=[1.0, 2.5])[1]) == [0, 3]
        assert spec.quantity("y").certified(x=1).value == 1
        with pytest.raises(ConvergenceError, match="did not converge"):
            spec.quantity("y").certified(x="2.5")
        with pytest.raises(ConvergenceError, match="residual"):
            spec.quantity("y").certified(x="3.5")


# ----------------------------------------------------------------------------- simulator
def test_monte_carlo_within_four_standard_errors(spiked):
    point = {"gamma": "0.5", "lam": "0.1", "s": "4", "w": "0.2", "r2": "1", "sigma2": "1"}  # n = 200: p = 100, 20 spiked
    try:
        from validation.simulators.registry import get_simulator
    except ImportError:  # validation's registry not installed: the declaration alone
        rng = np.random.default_rng(3)
        samples = spiked.simulator.simulate({k: float(Fraction(v)) for k, v in point.items()}, 200, 40, rng)["risk"]
        mean, se = samples.mean(), samples.std(ddof=1) / np.sqrt(len(samples))
    else:
        est = get_simulator(NAME).simulate(point, 200, 40, seed=3)
        mean, se = float(est.mean), float(est.se)
    exact = float(_independent_risk(**point))
    assert se > 0 and abs(mean - exact) < 4 * se, (mean, se, exact)


# ----------------------------------------------------------------------------- threads, no eval
def test_registered_callables_are_serialized_and_thread_safe(spiked):
    q = A.get_model(NAME).quantity("risk")
    assert getattr(q.certified, "__serialized__", False) and getattr(q.curve, "__serialized__", False)
    expected = {d: str(q.certified(gamma="0.5", lam="0.1", dps=d)) for d in (15, 40, 70)}
    got, errors = [], []

    def work(d):
        try:
            for _ in range(5):
                got.append((d, str(q.certified(gamma="0.5", lam="0.1", dps=d))))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in (15, 40, 70) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 30 and all(v == expected[d] for d, v in got)


def test_user_text_is_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"

    def formulas(B, x, label):
        return {"n": x * len(label)}

    params = [A.Param("x"), A.Param("label", kind="text", default="a")]
    with registered("text_test", doc="d", params=params, quantities={"n": "n"}, formulas=formulas) as spec:
        assert spec.quantity("n").certified(x=1, label=payload).value == len(payload)
        with pytest.raises(ParameterError, match="`x`"):
            spec.quantity("n").certified(x=payload)
        rc, _, err = _cli(["eval", "text_test", "n", f"x={payload}"])
        assert rc == 2 and "`x`" in err
    assert not marker.exists()
    tree = ast.parse((ROOT / "asymptotics" / "model_api.py").read_text(encoding="utf-8"))
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            called.add(node.func.attr if node.func.attr != "compile" else ast.unparse(node.func))
    assert "re.compile" in called  # the patterns are compiled; nothing else is
    assert not called & {"eval", "exec", "compile", "sympify", "lambdify", "parse_expr", "__import__"}


# ----------------------------------------------------------------------------- registry, entry points
def test_builtin_entry_points_match_pyproject_and_metadata():
    from importlib.metadata import entry_points

    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["entry-points"]["asymptotics.models"]
    assert declared == _registry.BUILTIN_MODELS
    installed = {ep.name: ep.value for ep in entry_points(group="asymptotics.models")}
    if installed:  # `pip install -e .` writes them; a bare source tree has none
        assert {k: installed[k] for k in declared} == declared
    for name, target in declared.items():
        module, _, attr = target.partition(":")
        spec = getattr(__import__(module, fromlist=[attr]), attr)
        assert spec is A.get_model(name) and spec.name == name


def test_registry_keeps_its_dict_interface():
    assert isinstance(A.REGISTRY, dict)
    names = set(A.REGISTRY)
    assert {"mp", "ridge", "rf", "krr", "nt", "lnn"} <= names
    assert "ridge" in A.REGISTRY and "nosuch" not in A.REGISTRY
    assert A.REGISTRY["ridge"] is A.get_model("ridge") is A.get_model("ridge")
    assert A.get_model("marchenko_pastur") is A.REGISTRY["mp"]
    declared = {a: name for name in _registry.BUILTIN_MODELS for a in A.REGISTRY[name].aliases}
    assert declared == _registry.BUILTIN_ALIASES  # the registry's table of built-in aliases is complete and right
    assert dict(A.REGISTRY.items()).keys() == names
    with pytest.raises(ParameterError, match="unknown model 'nosuch'; valid: .*ridge"):
        A.get_model("nosuch")


def test_no_model_can_take_a_name_or_alias_of_another():
    """A user model cannot redirect ``get_model("ridge")`` (through an alias), take a built-in alias as
    its name, replace a built-in through ``register``, or steal another user model's alias."""
    import dataclasses

    def formulas(B, x):
        return {"y": x}

    decl = {"doc": "d", "params": [A.Param("x")], "quantities": {"y": "x"}, "formulas": formulas}
    for name, kw, needle in (
        ("ridge", {}, "taken by a built-in model"),
        ("ntk", {}, "alias of model 'nt'"),
        ("alias_test_a", {"aliases": ("ridge",)}, "aliases"),
        ("alias_test_a", {"aliases": ("dln",)}, "aliases"),
        ("alias_test_a", {"aliases": "xyz"}, "aliases"),
        ("alias_test_a", {"aliases": (3,)}, "aliases"),
    ):
        with pytest.raises(ParameterError, match=needle):
            A.register_model(name, **decl, **kw)
    spec = A.define_model("alias_test_fake", **decl)
    with pytest.raises(ParameterError, match="taken by a built-in model"):
        _registry.register(dataclasses.replace(spec, name="ridge"))
    with pytest.raises(ParameterError, match="already names model 'ridge'"):
        _registry.register(dataclasses.replace(spec, aliases=("ridge",)))
    assert A.get_model("ridge").doc.startswith("Ridge regression") and A.get_model("dln").name == "lnn"
    assert A.get_model("ntk").name == "nt" and "ntk" not in A.REGISTRY
    try:
        A.register_model("alias_test_a", **decl, aliases=("alias_test_shared", "alias_test_old"))
        with pytest.raises(ParameterError, match="already names model 'alias_test_a'"):
            A.register_model("alias_test_b", **decl, aliases=("alias_test_shared",))
        with pytest.raises(ParameterError, match="alias of model 'alias_test_a'"):
            A.register_model("alias_test_shared", **decl)
        with pytest.raises(ParameterError, match="already names model 'alias_test_a'"):
            A.register_model("alias_test_b", **decl, aliases=("alias_test_a",))
        A.register_model("alias_test_b", **decl, aliases=("alias_test_other",))
        A.register_model("alias_test_a", **decl, aliases=("alias_test_shared",))  # re-registering replaces the aliases
        assert A.get_model("alias_test_shared").name == "alias_test_a"
        with pytest.raises(ParameterError, match="unknown model 'alias_test_old'"):
            A.get_model("alias_test_old")
        A.unregister_model("alias_test_a")
        assert A.get_model("alias_test_other").name == "alias_test_b"  # only the model's own aliases go
        with pytest.raises(ParameterError, match="unknown model"):
            A.get_model("alias_test_shared")
    finally:
        A.unregister_model("alias_test_a")
        A.unregister_model("alias_test_b")


def test_a_built_in_name_is_refused_also_before_the_built_in_is_loaded():
    code = textwrap.dedent(
        """
        import dataclasses, sys
        import asymptotics as A
        from asymptotics.models import register
        fake = A.define_model("fake", doc="d", formulas=lambda B, x: {"y": x}, params=[A.Param("x")], quantities={"y": "x"})
        try:
            register(dataclasses.replace(fake, name="ridge"))
        except A.ParameterError as exc:
            print(exc)
        print("asymptotics.models.ridge" in sys.modules, A.get_model("ridge").doc.split(":")[0])
        """
    )
    p = _python(code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["model name 'ridge' is taken by a built-in model; choose another.", "False Ridge regression"]


def test_registry_iterates_in_one_order_whatever_was_loaded_first():
    code = "import asymptotics as A; A.get_model('rf'); A.get_model('mp'); print(list(A.REGISTRY))"
    p = _python(code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(list(_registry.BUILTIN_MODELS))


def _python(code_or_args, env_path=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env_path and str(env_path), str(ROOT), env.get("PYTHONPATH", "")) if p)
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_import_and_one_model_lookup_are_lazy():
    code = textwrap.dedent(
        """
        import sys
        import asymptotics
        heavy = ("sympy", "scipy", "matplotlib", "asymptotics.models.ridge", "asymptotics.models.krr")
        print(sorted(m for m in heavy if m in sys.modules))
        from asymptotics.cli import main
        main(["eval", "ridge", "risk", "gamma=2", "lam=0.1"])
        # model modules only: private helpers (asymptotics.models._diagnostics, _staircase...) belong to their model
        print(sorted(m for m in sys.modules if m.startswith("asymptotics.models.") and not m.split(".")[-1].startswith("_")))
        print(sorted(m for m in ("scipy", "matplotlib", "asymptotics.curves") if m in sys.modules))
        """
    )
    p = _python(code)
    assert p.returncode == 0, p.stderr
    first, value, models, heavy = p.stdout.splitlines()
    assert first == "[]"
    assert value == "1.22770701169831370887349837881"
    assert models == "['asymptotics.models.ridge']"
    assert heavy == "[]"


def _plugin(tmp_path):
    pkg = tmp_path / "plugmodels"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        textwrap.dedent(
            """
            import asymptotics as A

            def formulas(B, x, a):
                return {"double": 2 * x + a}

            MODEL = A.define_model(
                "plugdouble", doc="twice x plus a", formulas=formulas,
                params=[A.Param("x", "any real"), A.Param("a", "offset", default="0")],
                quantities={"double": "2x + a"},
            )
            """
        ),
        encoding="utf-8",
    )
    dist = tmp_path / "plugmodels-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugmodels\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[asymptotics.models]\nplugdouble = plugmodels:MODEL\nplugbroken = plugmodels_missing.sub:MODEL\n", encoding="utf-8"
    )
    return tmp_path


def test_third_party_entry_point_and_a_broken_one(tmp_path):
    path = _plugin(tmp_path)
    p = _python(["-W", "error", "-m", "asymptotics", "eval", "plugdouble", "double", "x=1/3", "a=1", "--dps", "20"], path)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    assert p.stdout.strip() == "1.6666666666666666667"
    p = _python(["-m", "asymptotics", "list"], path)
    assert p.returncode == 0, p.stderr
    assert "plugdouble: twice x plus a" in p.stdout and "ridge:" in p.stdout
    assert "plugbroken: not available (model 'plugbroken' could not be loaded" in p.stdout
    p = _python(["-W", "error", "-m", "asymptotics", "eval", "plugbroken", "q", "x=1"], path)
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and "ModuleNotFoundError" in p.stderr and "Traceback" not in p.stderr
    p = _python(["-m", "asymptotics", "curve", "plugdouble", "double", "x=0:1:3"], path)
    assert p.returncode == 0 and "plugdouble double vs x" in p.stdout, p.stderr


def test_a_plugin_cannot_take_over_a_built_in_name(tmp_path):
    """A plug-in model with the alias ``ridge``, and an entry point named after the built-in alias
    ``ntk``, leave ``ridge`` and ``ntk`` to the built-in models; the bad plug-in is reported, the
    others keep working (``list`` does not fail)."""
    pkg = tmp_path / "plughijack"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        textwrap.dedent(
            """
            import asymptotics as A

            def formulas(B, x):
                return {"y": x}

            decl = dict(doc="d", formulas=formulas, params=[A.Param("x")], quantities={"y": "x"})
            OTHER = A.define_model("plugother", **decl)
            """
        ),
        encoding="utf-8",
    )
    (pkg / "bad.py").write_text(
        "import dataclasses\nfrom plughijack import OTHER\n"
        "MODEL = dataclasses.replace(OTHER, name='plugbad', aliases=('ridge',))\n",
        encoding="utf-8",
    )
    dist = tmp_path / "plughijack-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plughijack\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[asymptotics.models]\nntk = plughijack:OTHER\nplugbad = plughijack.bad:MODEL\n", encoding="utf-8"
    )
    code = textwrap.dedent(
        """
        import asymptotics as A
        from asymptotics.models._registry import load_failures
        names = list(A.REGISTRY)
        print(A.get_model("ntk").name, A.get_model("ridge").name, "plugother" in names, "plugbad" in names)
        print(load_failures()["plugbad"])
        """
    )
    p = _python(code, tmp_path)
    assert p.returncode == 0, p.stderr
    first, failure = p.stdout.splitlines()
    assert first == "nt ridge True False"
    assert "alias 'ridge' of model 'plugbad' already names model 'ridge'" in failure


def test_lazy_loading_from_several_threads_at_once():
    code = textwrap.dedent(
        """
        import threading
        from asymptotics import get_model, REGISTRY
        names = ["committee", "dmp", "gcm", "krr", "learning_curve", "lnn", "mp", "nt", "onestep", "rf", "ridge"]
        names = (names + ["marchenko_pastur"]) * 3
        got, errors = {}, []
        def look(name):
            try:
                got[name] = get_model(name).name
            except Exception as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=look, args=(n,)) for n in names]
        for t in threads: t.start()
        for t in threads: t.join()
        print(errors, sorted(set(got.values())), sorted(REGISTRY))
        """
    )
    p = _python(code)
    assert p.returncode == 0, p.stderr
    six = "['committee', 'dmp', 'gcm', 'krr', 'learning_curve', 'lnn', 'mp', 'nt', 'onestep', 'rf', 'ridge']"
    assert p.stdout.strip() == f"[] {six} {six}"


def test_docstring_example_of_the_api():
    import doctest

    import asymptotics.model_api

    result = doctest.testmod(asymptotics.model_api, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_monte_carlo_overlay_of_asymptotics_curve(spiked):
    from importlib.metadata import entry_points

    if not list(entry_points(group="asymptotics.simulators")):
        pytest.skip("no `asymptotics.simulators` entry points (pip install -e . with the validation package)")
    cr, _ = A.curve(NAME, "risk", {"gamma": "0.5:1:2", "lam": "0.1"}, mc=4, n=100, seed=1, progress=False)
    assert cr.mc_mean is not None and np.all(cr.mc_se > 0)
    assert np.all(np.abs(cr.mc_mean - cr.values) < 6 * cr.mc_se + 0.05)  # 4 reps at n = 100: a loose band
