"""The simulator registry (:mod:`validation.simulators.registry`, issue 14 item 4).

* every built-in simulator is registered with its size parameter, and the one
  ``simulate(params, size, reps, seed, ...)`` adapter reproduces the model's own ``simulate``
  bit for bit (``n=`` for ridge and mp, ``d=`` for rf and nt, ``d`` inside the params for krr);
* the realized parameters are the exact integer ratios of the simulated design;
* ``campaign.py``, ``curves.py`` and ``points.py`` name no model outside their docstrings;
* a model defined in the test (a ``ModelSpec`` with a ``SimulatorDecl``, registered by hand)
  gets a simulator from its declaration: the values its ``simulate`` receives, the default point
  strategy, the ``--mc`` overlay (``simulate_curve`` and ``asymptotics.curves.curve``) and a
  campaign, all checked against the exact finite-size law of its estimator.
"""

from __future__ import annotations

import ast
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models._registry import REGISTRY, ModelSpec, ParamSpec, QuantitySpec, SimulatorDecl
from asymptotics.result import Result
from validation import simulate_curve
from validation.campaign import draw_points, run_campaign
from validation.compare import CAMPAIGN_THRESHOLD, DEFAULT_THRESHOLD, MCEstimate
from validation.points import SPACES, space
from validation.simulators import SIMULATORS, get_simulator
from validation.simulators.registry import DEFAULT_RANGE, SimulatorSpec, register_simulator

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = {"mp": "n", "ridge": "n", "rf": "d", "krr": "d", "nt": "d"}


# ----------------------------------------------------------------------------- built-ins
def test_built_ins_are_registered_with_their_size_parameter():
    assert {m: SIMULATORS[m].size_param for m in BUILT_IN} == BUILT_IN
    assert set(SPACES) >= set(BUILT_IN)
    for m in BUILT_IN:
        spec = get_simulator(m)
        assert spec.model == m and spec.points is not None and spec.quantities and spec.curve is not None
        assert list(spec.sizes) == sorted(set(spec.sizes))
    assert get_simulator("marchenko_pastur") is SIMULATORS["mp"]  # aliases of the model registry
    assert get_simulator("ntk") is SIMULATORS["nt"]


def test_a_model_without_simulator_is_refused_by_name():
    with pytest.raises(ParameterError, match="no Monte Carlo simulator for model 'lnn'"):
        get_simulator("lnn")
    with pytest.raises(ParameterError, match="no validation campaign for model 'lnn'"):
        space("lnn")
    with pytest.raises(ParameterError, match="unknown model"):
        get_simulator("nope")


def test_register_simulator_checks_its_spec():
    spec = SIMULATORS["ridge"]
    with pytest.raises(ParameterError, match="size_param"):
        register_simulator(SimulatorSpec("ridge", "n d", spec.sizes, spec.quantities, spec.simulator))
    with pytest.raises(ParameterError, match="sizes"):
        register_simulator(SimulatorSpec("ridge", "n", (200, 100), spec.quantities, spec.simulator))
    assert SIMULATORS["ridge"] is spec


def _direct(model, params, size, reps, seed, quantity):
    """The model's own simulate, called with its own signature."""
    from asymptotics.models.krr import KRRParams
    from asymptotics.models.neural_tangent import NTParams
    from asymptotics.models.random_features import RFParams
    from asymptotics.models.ridge import RidgeParams
    from validation.simulators import krr, marchenko_pastur, neural_tangent, random_features, ridge

    q = (quantity,)
    if model == "mp":
        return marchenko_pastur.simulate(quantity, params["gamma"], params["sigma2"], n=size, reps=reps, seed=seed, x=params["x"])
    if model == "ridge":
        return ridge.simulate(RidgeParams(**params), n=size, reps=reps, seed=seed, quantities=q)[quantity]
    if model == "rf":
        return random_features.simulate(RFParams(**params), d=size, reps=reps, seed=seed, quantities=q)[quantity]
    if model == "nt":
        return neural_tangent.simulate(NTParams(**params), d=size, reps=reps, seed=seed, quantities=q)[quantity]
    return krr.simulate(KRRParams(d=size, **params), reps=reps, seed=seed, quantities=q)[quantity]


CASES = {
    "mp": ({"gamma": "0.5", "sigma2": "1", "x": "1"}, 40, "cdf"),
    "ridge": ({"gamma": "0.7", "lam": "0.1", "r2": "1", "sigma2": "0.5", "tau2": "0"}, 30, "risk"),
    "rf": ({"psi1": "0.7", "psi2": "0.5", "lam": "0.1", "activation": "relu"}, 30, "risk"),
    "nt": ({"psi1": "3", "psi2": "0.5", "lam": "0.1", "activation": "tanh", "layers": "first"}, 10, "train_error"),
    "krr": ({"alpha": "1.5", "level": "1", "kernel": "exp", "lam": "0.01", "F": "0,1", "sigma2": "0.1"}, 10, "risk"),
}


@pytest.mark.parametrize("model", list(CASES))
def test_one_signature_reproduces_each_simulator(model):
    params, size, quantity = CASES[model]
    est = get_simulator(model).simulate(params, size, 3, 11, quantity=quantity)
    direct = _direct(model, params, size, 3, 11, quantity)
    assert isinstance(est, MCEstimate) and est.quantity == quantity
    np.testing.assert_array_equal(est.samples, direct.samples)
    assert (est.n, est.p) == (direct.n, direct.p)


def test_realized_parameters_are_the_simulated_ratios():
    # ridge and mp: p = round(γn); rf: N = round(ψ₁d), n = round(ψ₂d) (ties to even, as numpy)
    params, size, quantity = CASES["ridge"]
    est = get_simulator("ridge").simulate(params, size, 2, 0, quantity=quantity)
    assert get_simulator("ridge").realized(params, est, size)["gamma"] == "21/30"  # round(0.7·30) = 21
    params, size, quantity = CASES["rf"]
    est = get_simulator("rf").simulate(params, size, 2, 0, quantity=quantity)
    got = get_simulator("rf").realized(params, est, size)
    assert (got["psi1"], got["psi2"]) == ("21/30", "15/30")
    params, size, quantity = CASES["nt"]
    est = get_simulator("nt").simulate(params, size, 2, 0, quantity=quantity)
    got = get_simulator("nt").realized(params, est, size)
    assert (got["psi1"], got["psi2"]) == ("30/10", "5/10")
    params, size, quantity = CASES["krr"]
    est = get_simulator("krr").simulate(params, size, 2, 0, quantity=quantity)
    got = get_simulator("krr").realized(params, est, size)
    assert got["d"] == "10" and got["n"] == "15" and "alpha" not in got and "level" not in got  # n = αB(10, 1) = 15
    assert get_simulator("krr").at_size(params, 12)["d"] == "12"
    assert get_simulator("rf").at_size(params, 12) == params


# ----------------------------------------------------------------------------- the common parts (from_module)
def _fake_module(calls):
    """A simulator module following the built-ins' conventions that records its calls; the estimate of a
    point is ``mean = 10·gamma + seed`` (``gamma`` 0 when absent), ``se = reps``."""
    import types

    def estimate(made, reps, seed, lams):
        g = float(made.get("gamma", 0))
        mean = 10 * g + seed if lams is None else 10 * np.asarray(lams) + seed
        return types.SimpleNamespace(mean=mean, se=np.full(np.shape(mean), float(reps)))

    def simulate(made, *, reps, seed=0, quantities, max_memory=None, lams=None, progress=False, **size):
        calls.append(("simulate", dict(made), size, reps, seed, quantities, max_memory, lams))
        return {q: estimate(made, reps, seed, lams) for q in quantities}

    def check_request(made, *, reps, quantities, max_memory=None, **size):
        calls.append(("check", dict(made), size, reps, quantities, max_memory))

    module = types.ModuleType("fake_simulator")
    module.QUANTITIES, module.CURVE_AXES = ("risk", "bias"), ("lam", "gamma")
    module.simulate, module.check_request = simulate, check_request
    return module


def test_from_module_builds_the_simulate_and_check_adapters():
    calls = []
    module = _fake_module(calls)
    spec = SimulatorSpec.from_module(module, model="ridge", size_param="d", sizes=(5, 10), make=dict)
    assert (spec.quantities, spec.curve_quantities, spec.curve_axes) == (("risk", "bias"), ("risk", "bias"), ("lam", "gamma"))
    assert spec.curve_size == 200 and not spec.size_in_theory and spec.curve is not None  # the documented --n default for d
    est = spec.simulate({"gamma": "2"}, 7, 3, 5, quantity="bias", max_memory=1.5)
    assert (est.mean, est.se) == (25.0, 3.0)
    assert calls == [("simulate", {"gamma": "2"}, {"d": 7}, 3, 5, ("bias",), 1.5, None)]
    spec.check_request({"gamma": "2"}, 7, 3)
    assert calls[-1] == ("check", {"gamma": "2"}, {"d": 7}, 3, ("risk",), None)  # no seed; default quantity
    assert SimulatorSpec.from_module(module, model="ridge", size_param="n", sizes=(5,), make=dict).curve_size == 400

    calls.clear()  # the size is a parameter of the theory: it goes into the parameters, no overlay is built
    inside = SimulatorSpec.from_module(module, model="krr", size_param="d", sizes=(5,), make=dict, size_in_theory=True)
    assert inside.curve is None and inside.curve_size is None and inside.size_in_theory
    inside.simulate({"gamma": "1"}, 9, 2, 0)
    inside.check_request({"gamma": "1"}, 9, 2)
    assert [c[1:3] for c in calls] == [({"gamma": "1", "d": 9}, {}), ({"gamma": "1", "d": 9}, {})]
    assert inside.at_size({"gamma": "1"}, 9) == {"gamma": "1", "d": "9"}

    custom = SimulatorSpec.from_module(module, model="mp", size_param="n", sizes=(5,), simulator=len, curve_axes=("x",))
    assert custom.simulator is len and custom.check is None and custom.curve is None and custom.curve_axes == ("x",)


def test_sweep_overlay_fills_defaults_checks_first_and_shares_the_seed():
    calls = []
    module = _fake_module(calls)
    needed = ("gamma", "lam", "r2", "sigma2", "tau2", "spectrum")
    spec = SimulatorSpec.from_module(module, model="ridge", size_param="n", sizes=(5,), make=dict, needed=needed)
    grid = np.array([[0.5], [2.0]])
    mean, se = spec.curve("risk", "gamma", grid, {"lam": "0.2"}, reps=2, seed=4, n=None, progress=False, max_memory=None)
    np.testing.assert_array_equal(mean, [[9.0], [24.0]])  # 10·gamma + seed, one simulation per point
    np.testing.assert_array_equal(se, [[2.0], [2.0]])
    defaults = {"lam": "0.2", "r2": "1", "sigma2": "1", "tau2": "0", "spectrum": "isotropic"}  # ridge's registry defaults
    assert [c[0] for c in calls] == ["check", "check", "simulate", "simulate"]  # every point checked before any runs
    assert [c[1] for c in calls[2:]] == [{**defaults, "gamma": 0.5}, {**defaults, "gamma": 2.0}]
    assert all(c[2] == {"n": 400} and c[4] == 4 for c in calls[2:])  # default size n = 400, one seed
    calls.clear()
    lams = np.array([0.1, 1.0])
    mean, _ = spec.curve("risk", "lam", lams, {"gamma": "3"}, reps=2, seed=1, n=50)  # lam: one simulation for the grid
    np.testing.assert_array_equal(mean, [2.0, 11.0])
    assert len(calls) == 1 and calls[0][2] == {"n": 50} and calls[0][7] is lams and "lam" not in calls[0][1]


def test_sweep_overlay_alternatives_and_skip():
    calls = []
    module = _fake_module(calls)
    spec = SimulatorSpec.from_module(
        module,
        model="rf",
        size_param="d",
        sizes=(5,),
        make=dict,
        needed=("psi2",),
        alternatives=("psi1", "N_over_n"),
        meaning={"psi1": "N/d", "N_over_n": "N/n"},
        why="it sets the width",
    )
    grid = np.array([1.0])
    with pytest.raises(ParameterError, match=r"^give either `psi1` \(= N/d\) or `N_over_n` \(= N/n\) for the rf .*not both\.$"):
        spec.curve("risk", "psi1", grid, {"N_over_n": "2", "psi2": "1"}, reps=2)
    with pytest.raises(
        ParameterError, match=r"^`psi1` \(= N/d\) or `N_over_n` \(= N/n\) is required .*'rf'.*: it sets the width"
    ):
        spec.curve("risk", "psi2", grid, {}, reps=2)
    assert calls == []
    spec.curve("risk", "psi2", grid, {"N_over_n": "2"}, reps=2)
    assert calls[-1][1] == {"N_over_n": "2", "psi2": 1.0}  # only the given alternative is passed
    spec.curve("risk", "psi1", grid, {"psi2": "3"}, reps=2)
    assert calls[-1][1] == {"psi1": 1.0, "psi2": "3"}
    skip = lambda p: ("r2",) if "spectrum" in p else ()  # noqa: E731
    skipping = SimulatorSpec.from_module(
        module, model="ridge", size_param="n", sizes=(5,), make=dict, needed=("gamma", "r2"), skip=skip
    )
    skipping.curve("risk", "gamma", grid, {"spectrum": "powerlaw:1"}, reps=2)
    assert calls[-1][1] == {"gamma": 1.0}  # skipped: not filled from its default
    skipping.curve("risk", "gamma", grid, {}, reps=2)
    assert calls[-1][1] == {"gamma": 1.0, "r2": "1"}


def test_built_in_overlay_rules(monkeypatch):
    """ridge leaves ``r2`` to a structured spectrum; nt requires ``psi1`` although its registry default is "-"."""
    from validation.simulators import registry

    seen = []
    monkeypatch.setattr(registry, "sweep", lambda module, make, fixed, *a, **k: seen.append((make, fixed, k)) or (0, 0))
    grid = np.array([1.0])
    SIMULATORS["ridge"].curve("risk", "gamma", grid, {"spectrum": "powerlaw:1"}, reps=2)
    SIMULATORS["ridge"].curve("risk", "gamma", grid, {}, reps=2, n=30)
    assert "r2" not in seen[0][1] and seen[1][1]["r2"] == "1"
    assert seen[0][2] == {"label": "ridge", "n": 400} and seen[1][2] == {"label": "ridge", "n": 30}
    with pytest.raises(ParameterError, match=r"^`psi1` \(= N/d\) is required for the 'nt' Monte Carlo overlay: it sets the"):
        SIMULATORS["nt"].curve("risk", "psi2", grid, {}, reps=2)
    SIMULATORS["nt"].curve("risk", "psi2", grid, {"psi1": "2"}, reps=2)
    assert seen[-1][1]["psi1"] == "2" and seen[-1][2] == {"label": "nt", "d": 200}


def _non_docstring_strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    strings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            strings.add(node.value)
        if isinstance(node, ast.JoinedStr):  # f-string pieces
            strings.update(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return strings


@pytest.mark.parametrize("name", ["campaign.py", "campaign_store.py", "campaign_report.py", "curves.py", "points.py"])
def test_generic_modules_name_no_model(name):
    strings = _non_docstring_strings(ROOT / "validation" / name)
    assert not strings & {*BUILT_IN, "lnn"}


def test_one_threshold_definition():
    from validation import campaign

    assert campaign.DEFAULT_THRESHOLD is CAMPAIGN_THRESHOLD and CAMPAIGN_THRESHOLD == 3.0 and DEFAULT_THRESHOLD == 3.5
    assert "threshold = 3" not in (ROOT / "validation" / "campaign.py").read_text(encoding="utf-8").replace(".0", "")


# ----------------------------------------------------------------------------- a model defined here
# The squared error of the mean of n draws of N(mu, s2): E[(x̄ − mu)²] = s2/n exactly (``mse``, the size
# n is a model parameter), and the mean of x² over the draws plus ``shift``: E = mu² + s2 + shift
# (``second_moment``, which does not take n).  A replicate of ``mse`` is (s2/n)·χ²₁, so its SE is known too.
TOY = "toy_mean_test"
RECEIVED: list[tuple[dict, int, int, dict]] = []


def _toy_simulate(values, size, reps, rng):
    RECEIVED.append((dict(values), size, reps, rng.bit_generator.state))
    x = values["mu"] + math.sqrt(values["s2"]) * rng.standard_normal((reps, size))
    return {"mse": (x.mean(axis=1) - values["mu"]) ** 2, "second_moment": (x**2).mean(axis=1) + values["shift"]}


def _result(value, quantity, params, dps):
    return Result(value=value, model=TOY, quantity=quantity, params={k: str(v) for k, v in params.items()}, dps=dps)


def _mp(v):
    f = Fraction(str(v))
    return mpmath.mpf(f.numerator) / f.denominator


def _mse(mu=1, s2=1, n=None, dps=30):
    with mpmath.workdps(dps + 10):
        return _result(_mp(s2) / int(str(n)), "mse", {"mu": mu, "s2": s2, "n": n}, dps)


def _second(mu=1, s2=1, shift=0, dps=30):
    with mpmath.workdps(dps + 10):
        mu_, s2_, shift_ = (_mp(v) for v in (mu, s2, shift))
        return _result(mu_**2 + s2_ + shift_, "second_moment", {"mu": mu, "s2": s2, "shift": shift}, dps)


def _mse_curve(mu=1.0, s2=1.0, n=1):
    v = np.asarray(s2, dtype=float) / n + 0 * np.asarray(mu, dtype=float)
    return v, np.zeros(v.shape, dtype=int)


@pytest.fixture
def toy(monkeypatch):
    spec = ModelSpec(
        name=TOY,
        doc="squared error of a sample mean",
        params={
            "mu": ParamSpec("mu", "mean", default="1"),
            "s2": ParamSpec("s2", "variance > 0", default="1/2"),
            "shift": ParamSpec("shift", "unused, default 0", default="0"),
            "n": ParamSpec("n", "sample size", kind="int"),
        },
        quantities={
            "mse": QuantitySpec("mse", "s2/n", ("mu", "s2", "n"), _mse, _mse_curve),
            "second_moment": QuantitySpec("second_moment", "mu^2 + s2 + shift", ("mu", "s2", "shift"), _second),
        },
        system=lambda: None,
        simulator=SimulatorDecl(_toy_simulate, size_param="n", sizes=(20, 40), quantities=("mse", "second_moment")),
    )
    monkeypatch.setitem(REGISTRY, TOY, spec)
    RECEIVED.clear()
    yield spec
    RECEIVED.clear()


def test_declared_simulator_receives_floats_with_defaults(toy):
    sim = get_simulator(TOY)
    assert TOY not in SIMULATORS  # built from the declaration, nothing registered
    assert (sim.size_param, sim.sizes, sim.quantities, sim.size_in_theory) == ("n", (20, 40), ("mse", "second_moment"), True)
    assert sim.curve_axes == ("mu", "s2", "shift")  # every real parameter (no curve_axes declared)
    est = sim.simulate({"s2": "2.5"}, 20, 5, 7, quantity="mse")
    values, size, reps, state = RECEIVED[-1]
    assert values == {"mu": 1.0, "s2": 2.5, "shift": 0.0, "n": 20.0} and (size, reps) == (20, 5)
    assert state == np.random.default_rng(7).bit_generator.state  # a fresh default_rng(seed)
    assert est.samples.shape == (5,) and (est.n, est.p, est.seed) == (20, 20, 7)
    again = sim.simulate({"s2": "2.5"}, 20, 5, 7, quantity="mse")
    np.testing.assert_array_equal(est.samples, again.samples)
    assert sim.at_size({"mu": "1"}, 40) == {"mu": "1", "n": "40"}
    with pytest.raises(ParameterError, match="no Monte Carlo estimate"):
        sim.simulate({}, 20, 5, 7, quantity="bias")


def test_declared_simulator_output_is_checked(toy, monkeypatch):
    import dataclasses

    bad = dataclasses.replace(
        toy, simulator=dataclasses.replace(toy.simulator, simulate=lambda v, s, r, g: {"mse": np.ones(r + 1)})
    )
    monkeypatch.setitem(REGISTRY, TOY, bad)
    with pytest.raises(ParameterError, match=r"shape \(4,\); expected \(3,\)"):
        get_simulator(TOY).simulate({}, 20, 3, 0, quantity="mse")
    with pytest.raises(ParameterError, match="returned no 'second_moment'"):
        get_simulator(TOY).simulate({}, 20, 3, 0, quantity="second_moment")


def test_default_point_strategy(toy):
    pts = draw_points(TOY, 15, seed=2, quantity="mse")
    assert pts == draw_points(TOY, 15, seed=2, quantity="mse")
    lo, hi = DEFAULT_RANGE
    for p in pts:
        assert set(p) == {"mu", "s2"}  # n is the size; shift is not taken by mse
        assert lo * 1 <= float(p["mu"]) <= hi * 1 and lo * 0.5 <= float(p["s2"]) <= hi * 0.5
    other = draw_points(TOY, 5, seed=2, quantity="second_moment")
    assert all(set(p) == {"mu", "s2", "shift"} and p["shift"] == "0" for p in other)  # default 0 stays 0


def test_declared_mc_overlay(toy):
    s2 = np.array([0.5, 1.0, 2.0])
    mean, se = simulate_curve(TOY, "mse", "s2", s2, {"n": "20"}, reps=200, seed=3)
    theory = s2 / 20
    np.testing.assert_allclose(se, theory * math.sqrt(2 / 200), rtol=0.3)  # SE of (s2/n)χ²₁ over 200 replicates
    assert np.all(np.abs(mean - theory) <= 4 * se), (mean - theory) / se
    sim = get_simulator(TOY)
    for i, v in enumerate(s2):  # one simulation per point, all with the same seed
        est = sim.simulate({"s2": repr(float(v)), "n": "20"}, 20, 200, 3, quantity="mse")
        assert mean[i] == est.mean and se[i] == est.se
    with pytest.raises(ParameterError, match="--n does not apply"):
        simulate_curve(TOY, "mse", "s2", s2, {"n": "20"}, reps=3, n=30)
    with pytest.raises(ParameterError, match="runs along mu, s2, shift; got axis 'n'"):
        simulate_curve(TOY, "mse", "n", s2, {}, reps=3)


def test_declared_mc_overlay_through_the_curve_engine(toy, monkeypatch):
    """``asymptotics curve TOY mse s2=... n=20 --mc 50``: the engine hands the overlay to
    ``simulate_curve`` (monkeypatched in: the entry-point lookup itself is the CLI's)."""
    import asymptotics.curves as engine

    monkeypatch.setattr(engine, "load_simulator", lambda name: simulate_curve)
    result, _ = engine.curve(TOY, "mse", {"s2": "0.5:2:3", "n": "20"}, mc=50, seed=1, progress=False)
    np.testing.assert_allclose(result.values, [0.5 / 20, 1.25 / 20, 2 / 20], rtol=1e-15)
    assert np.all(np.abs(result.mc_mean - result.values) <= 4 * result.mc_se)


def test_declared_campaign(toy):
    report = run_campaign(TOY, points=3, reps=40, sizes="20,40", scheduler="inprocess", out=None, progress=False)
    assert report.config.model == TOY and report.config.quantity == "mse" and report.summary["errors"] == 0
    for rec in report.records:
        assert rec["status"] == "ok" and rec["pass"], rec
        for row in rec["sizes"]:
            s2 = float(Fraction(rec["params"]["s2"]))
            assert row["theory"] == pytest.approx(s2 / row["size"], rel=1e-15)  # the theory at n = size
            assert row["n"] == row["p"] == row["size"]
    other = run_campaign(
        TOY, points=2, reps=20, sizes="20", quantity="second_moment", scheduler="inprocess", out=None, progress=False
    )
    rec = other.records[0]
    assert rec["status"] == "ok", rec
    mu, s2 = (float(Fraction(rec["params"][k])) for k in ("mu", "s2"))
    assert rec["sizes"][0]["theory"] == pytest.approx(mu**2 + s2, rel=1e-15)  # n is not passed to a quantity without it


def test_declared_simulator_refuses_bad_samples_and_bad_points():
    """A declared simulator's NaN/inf/complex/text replicates are a one-line ParameterError (not a NaN
    estimate, not a raw ValueError); a point outside the declared ranges, or with a name the model does not
    have, is refused before the simulator runs."""
    import asymptotics as A

    calls, mode = [], {"out": None}

    def simulate(values, n, reps, rng):
        calls.append(dict(values))
        return {"q": mode["out"](values["mu"] + rng.standard_normal(reps))}

    spec = A.register_model(
        "bad_sim_test",
        doc="d",
        formulas=lambda B, mu, s2: {"q": mu + 0 * s2},
        params=[A.Param("mu", default="1"), A.Param("s2", default="1", low=0, low_open=True)],
        quantities={"q": "mu"},
        simulator=SimulatorDecl(simulate, size_param="n", sizes=(10, 20)),
    )
    try:
        sim = get_simulator(spec.name)
        mode["out"] = lambda x: x
        assert sim.simulate({"mu": "2"}, 10, 4, 0).samples.shape == (4,)
        for out, needle in (
            (lambda x: np.where(np.arange(x.size) == 1, np.nan, x), "1 non-finite value"),
            (lambda x: np.where(np.arange(x.size) < 2, np.inf, x), "2 non-finite value"),
            (lambda x: x + 1j, "expected real numbers"),
            (lambda x: ["a"] * x.size, "expected real numbers"),
            (lambda x: [object()] * x.size, "expected real numbers"),
        ):
            mode["out"] = out
            with pytest.raises(ParameterError, match=needle) as info:
                sim.simulate({"mu": "2"}, 10, 4, 0)
            assert "\n" not in str(info.value)
        mode["out"] = lambda x: x
        calls.clear()
        with pytest.raises(ParameterError, match="`s2` must be > 0"):
            sim.simulate({"s2": "-1"}, 10, 4, 0)
        with pytest.raises(ParameterError, match="unknown parameter.*zz"):
            sim.simulate({"zz": "1"}, 10, 4, 0)
        assert calls == []
    finally:
        A.unregister_model(spec.name)
