"""Fuzzing the public entry points beyond `asymptotics eval` (issue 7): the Python API of every model
and quantity (certified and float64), `asymptotics curve`, `latex` and `list`, and the validation
package (`simulate_curve`, `compare`, `finite_size_trend`, the simulators, campaigns and
`python -m validation`).

Property: a call either succeeds or raises a named library error (:class:`AsymptoticsError`, whose
`ParameterError` is also a `ValueError`); a CLI exits 0, 2 or 3 with one line on stderr and never
a traceback.  Inputs: the strings of `tests/test_fuzz_cli.py` plus Python objects a caller might
pass by mistake (None, bool, NaN/inf floats, huge ints, Fractions, complex numbers, lists, numpy
arrays, arbitrary objects) and, since issue 13, every numeric type at and beyond the 1e±10000 limit:
Decimal and mpmath numbers with exponents of 1e±99999999, Fractions and ints of 20000 digits, ints
beyond Python's 4300-digit printing limit, numpy scalars (float32/float64/int64/longdouble, complex),
mpc and SymPy numbers.  Unknown keyword names are left out on the Python side: Python itself answers
them with a `TypeError` naming the argument.  Every call runs under
:func:`test_fuzz_cli.time_limit`: one that takes over 30 s fails the test (a hang), and one stuck in a
single C operation ends the run with a traceback dump.
"""

from __future__ import annotations

import contextlib
import io
import math
import signal
import warnings
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz_cli import EXCLUSIVE, FIXED, SPECIAL, VALID, VALUES, time_limit  # tests/ is on sys.path (rootdir-relative import)

from asymptotics.cli import main as cli_main
from asymptotics.errors import AsymptoticsError, PrecisionWarning, RegimeWarning
from asymptotics.models import REGISTRY

OBJECTS = [
    None,
    True,
    0,
    1,
    -3,
    2.5,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    10**400,
    Fraction(1, 3),
    1 + 2j,
    [1, 2],
    (),
    np.array([0.5, 1.0]),
    np.float64(0.5),
    np.int64(2),
    object(),
    "",
    " ",
    # issue 13: the same size limit for every input type (these used to hang or crash)
    Decimal("1e99999999"),
    Decimal("-1e-99999999"),
    Decimal("0.25"),
    mpmath.mpf("1e-99999999"),
    mpmath.mpf("1e99999999"),
    mpmath.mpf("0.5"),
    Fraction(10**20000, 3),
    Fraction(1, 10**20000),
    10**5000,
    -(10**20000),
    np.float32(0.5),
    np.longdouble("1e4000"),
    np.longdouble("0.1"),
    np.complex128(1 + 1j),
    complex(1e300, 1e-300),
    mpmath.mpc("1e-99999999", 1),
    mpmath.mpc(-1, "0.5"),
    sp.Rational(1, 3),
    sp.Integer(10**5000),
    sp.Float("1e-30"),
    sp.oo,
]
MODELS = sorted(REGISTRY)
FLOAT_MODELS = [m for m in MODELS if any(q.curve for q in REGISTRY[m].quantities.values())]
ARRAY_ITEMS = [0.0, 0.5, 1.0, 2.0, -1.0, math.nan, math.inf, 1e300, 1e-300]


def _library_call(fn, *args, **kwargs):
    """Run ``fn``: success or a library error; anything else (or over the time limit) fails the test."""
    try:
        with time_limit((fn, args, kwargs)), warnings.catch_warnings():
            warnings.simplefilter("ignore", RegimeWarning)
            warnings.simplefilter("ignore", PrecisionWarning)
            return fn(*args, **kwargs)
    except AsymptoticsError:
        return None


def _value(draw, name):
    pool = st.sampled_from(SPECIAL.get(name, VALUES))
    return draw(st.one_of(pool, pool, st.sampled_from(OBJECTS)))


def _quantity_and_names(draw, models=None):
    """A model, one of its quantities, and its parameter names less one of each exclusive pair."""
    model = REGISTRY[draw(st.sampled_from(models or MODELS))]
    q = model.quantities[draw(st.sampled_from(list(model.quantities)))]
    names = list(q.params)
    dropped = {sorted(g)[draw(st.integers(0, 1))] for g in EXCLUSIVE if g <= set(names)}
    if "alpha" in dropped:  # n given: level only goes with alpha
        dropped.add("level")
    return model, q, [p for p in names if p not in dropped and p in VALID]


@st.composite
def api_calls(draw):
    model, q, names = _quantity_and_names(draw)
    kwargs = {p: VALID[p] for p in names}
    if kwargs and draw(st.booleans()):  # half the calls: one parameter mutated or left out
        target = draw(st.sampled_from(sorted(kwargs)))
        if draw(st.integers(0, 5)) == 0:
            del kwargs[target]
        else:
            kwargs[target] = _value(draw, target)
    dps = draw(st.sampled_from([15, 15, 15, 15, 20, 0, -1, 2.5, "20", "x", None, 10**9, True]))
    return model.name, q.name, kwargs, dps


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
@settings(max_examples=150, deadline=None, derandomize=FIXED)
@given(call=api_calls())
def test_certified_api_never_crashes(call):
    model, quantity, kwargs, dps = call
    q = REGISTRY[model].quantities[quantity]
    try:
        with time_limit(call), warnings.catch_warnings():
            warnings.simplefilter("ignore", RegimeWarning)
            warnings.simplefilter("ignore", PrecisionWarning)
            result = q.certified(**kwargs, dps=dps)
    except AsymptoticsError:
        return
    except TypeError as exc:  # a required argument left out: Python's own message names it
        assert "argument" in str(exc), (call, exc)
        return
    assert result is not None and hasattr(result, "value"), call


@st.composite
def float_calls(draw):
    model, q, names = _quantity_and_names(draw, FLOAT_MODELS)
    if q.curve is None:  # a quantity without a float64 path: take one that has it
        q = draw(st.sampled_from([x for x in model.quantities.values() if x.curve is not None]))
        names = [p for p in names if p in q.params]
    kwargs = {}
    for p in names:
        choice = draw(st.integers(0, 3))
        if choice == 0:
            kwargs[p] = _value(draw, p)
        else:
            arrays = st.lists(
                st.sampled_from([0.0, 0.5, 1.0, 2.0, -1.0, math.nan, math.inf, 1e300, 1e-300]), min_size=1, max_size=4
            )
            kwargs[p] = np.array(draw(arrays)) if p not in SPECIAL and choice == 1 else VALID[p]
    return model.name, q.name, kwargs


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
@settings(max_examples=120, deadline=None, derandomize=FIXED)
@given(call=float_calls())
def test_float_api_never_crashes(call):
    model, quantity, kwargs = call
    q = REGISTRY[model].quantities[quantity]
    try:
        with time_limit(call), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RegimeWarning)
            values, status = q.curve(**kwargs)
    except AsymptoticsError:
        return
    except TypeError as exc:
        assert "argument" in str(exc), (call, exc)
        return
    values, status = np.asarray(values), np.asarray(status)
    assert status.shape == values.shape[: status.ndim] and set(np.unique(status)) <= {0, 1, 2, 3}, call
    ok = status == 0
    assert np.all(np.isfinite(values[ok])), call  # status 0 is a finite number


# ----------------------------------------------------------------------------- CLI: curve, latex, list
AXES = ["0.1:3:5", "1:0.5:4", "0:1:1", "0:1:0", "0:1:-2", "a:b:3", "0:nan:3", "0:inf:3", "1e400:1:3", "0:1:10000000", "1:2"]


@st.composite
def curve_args(draw):
    model, q, keep = _quantity_and_names(draw)
    values = {p: VALID[p] for p in keep}
    if keep:
        axis = draw(st.sampled_from(keep))
        values[axis] = draw(st.sampled_from(AXES))
        if draw(st.booleans()):
            other = draw(st.sampled_from(keep))
            values[other] = draw(st.sampled_from([*SPECIAL.get(other, VALUES), *AXES[:2]]))
    args = [model.name, q.name, *[f"{k}={v}" for k, v in values.items() if v]]
    extra = draw(st.sampled_from([[], ["--log"], ["--dps", "15"], ["--dps", "0"], ["--mc", "1"], ["--mc", "-2"], ["--n", "x"]]))
    return [*args, *extra]


def _cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with time_limit(argv), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        rc = cli_main(argv)
    return rc, out.getvalue(), err.getvalue()


def _check_cli(argv, rc, out, err):
    assert rc in (0, 2, 3), (argv, rc, err)
    assert "Traceback" not in err, (argv, err)
    if rc:
        lines = [x for x in err.strip().splitlines() if not x.startswith("asymptotics: warning:")]
        assert lines and lines[-1].startswith(("asymptotics: error:", "usage:", "asymptotics curve: error", "asymptotics")), (
            argv,
            err,
        )
    else:
        assert out.strip(), argv


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
@settings(max_examples=80, deadline=None, derandomize=FIXED)
@given(args=curve_args())
def test_curve_cli_never_crashes(args, tmp_path_factory):
    rc, out, err = _cli(["curve", *args])
    _check_cli(args, rc, out, err)


@settings(max_examples=60, deadline=None, derandomize=FIXED)
@given(
    model=st.sampled_from([*MODELS, "nope", "", "RF"]),
    form=st.sampled_from([None, "general", "scalar", "de", "level", "nt", "ntk", "aligned", "bogus", ""]),
    general=st.booleans(),
)
def test_latex_cli_never_crashes(model, form, general):
    argv = ["latex", model, *(["--form", form] if form is not None else []), *(["--general"] if general else [])]
    rc, out, err = _cli(argv)
    _check_cli(argv, rc, out, err)
    if rc == 0:
        assert "\\" in out


def test_list_cli():
    rc, out, err = _cli(["list"])
    assert rc == 0 and all(m in out for m in MODELS)


# ----------------------------------------------------------------------------- validation entry points
@settings(max_examples=60, deadline=None, derandomize=FIXED)
@given(
    model=st.sampled_from(["mp", "ridge", "rf", "krr", "nt", "lnn", "x"]),
    quantity=st.sampled_from(["risk", "cdf", "density", "bias", "nope"]),
    axis=st.sampled_from(["lam", "gamma", "x", "psi1", "n", "bogus"]),
    values=st.sampled_from([np.array([0.1, 0.2]), np.array([math.nan]), np.array([-1.0]), np.array([]), "abc"]),
    params=st.dictionaries(st.sampled_from(["gamma", "psi2", "psi1", "d", "alpha", "level", "junk"]), st.sampled_from(VALUES)),
    reps=st.sampled_from([2, 1, 0, -1, 2.5, "3", None]),
    n=st.sampled_from([None, 20, 0, -5, 10**9]),
)
def test_simulate_curve_never_crashes(model, quantity, axis, values, params, reps, n):
    from validation.curves import simulate_curve

    _library_call(simulate_curve, model, quantity, axis, values, params, reps=reps, seed=0, n=n)


@settings(max_examples=80, deadline=None, derandomize=FIXED)
@given(
    theory=st.sampled_from([0.0, 1.0, math.nan, math.inf, "x", None, [1.0, 2.0], np.zeros(3)]),
    samples=st.sampled_from([[1.0, 2.0], [1.0], [], [[1.0, 2.0], [3.0, 4.0]], [math.nan, 1.0], ["a", "b"], [1j, 2j], None, 3.0]),
    threshold=st.sampled_from([3.5, 0, -1, math.nan, "3"]),
)
def test_compare_never_crashes(theory, samples, threshold):
    from validation.compare import compare

    _library_call(compare, theory, samples, threshold=threshold)


@settings(max_examples=40, deadline=None, derandomize=FIXED)
@given(
    theory=st.sampled_from([0.5, [0.5], [0.5, 0.5], math.nan, "x", lambda n, p: 0.5]),
    estimates=st.sampled_from(["none", "one", "two", "unordered", "junk"]),
)
def test_finite_size_trend_never_crashes(theory, estimates):
    from validation.compare import MCEstimate, finite_size_trend

    e1 = MCEstimate("risk", np.array([0.4, 0.6]), 20, 10, 0)
    e2 = MCEstimate("risk", np.array([0.45, 0.55]), 40, 20, 0)
    ests = {"none": [], "one": [e1], "two": [e1, e2], "unordered": [e2, e1], "junk": [1, 2]}[estimates]
    _library_call(finite_size_trend, theory, ests)


SIM_VALUES = [None, 0, -1, 2, 10, 0.5, math.nan, "x", 10**9, [1, 2]]


@settings(max_examples=80, deadline=None, derandomize=FIXED)
@given(
    which=st.sampled_from(["mp", "ridge", "rf", "nt", "krr"]),
    size=st.sampled_from(SIM_VALUES),
    reps=st.sampled_from(SIM_VALUES),
    seed=st.sampled_from([0, -1, 2**70, "s", None]),
    quantity=st.sampled_from(["risk", "cdf", "moment", "bogus", ("risk",), ()]),
)
def test_simulators_never_crash(which, size, reps, seed, quantity):
    from asymptotics.models.krr import KRRParams
    from asymptotics.models.neural_tangent import NTParams
    from asymptotics.models.random_features import RFParams
    from asymptotics.models.ridge import RidgeParams
    from validation.simulators import krr, marchenko_pastur, neural_tangent, random_features, ridge

    qs = quantity if isinstance(quantity, tuple) else (quantity,)
    if which == "mp":
        _library_call(
            marchenko_pastur.simulate,
            quantity if isinstance(quantity, str) else "cdf",
            "0.5",
            n=size,
            reps=reps,
            seed=seed,
            x="1",
        )
    elif which == "ridge":
        _library_call(ridge.simulate, RidgeParams(gamma="0.5"), n=size, reps=reps, seed=seed, quantities=qs)
    elif which == "rf":
        _library_call(random_features.simulate, RFParams(psi1="1", psi2="0.5"), d=size, reps=reps, seed=seed, quantities=qs)
    elif which == "nt":
        _library_call(neural_tangent.simulate, NTParams(psi1="5", psi2="0.5"), d=size, reps=reps, seed=seed, quantities=qs)
    else:
        _library_call(krr.simulate, KRRParams(d=12, alpha="1", level=1), reps=reps, seed=seed, quantities=qs)


@settings(  # the campaign draws its points with @given: nested
    max_examples=40, deadline=None, derandomize=FIXED, suppress_health_check=[HealthCheck.nested_given]
)
@given(
    model=st.sampled_from(["ridge", "mp", "lnn", "x", ""]),
    points=st.sampled_from(["1", "0", "-2", "x", "1e9"]),
    reps=st.sampled_from(["2", "1", "y"]),
    sizes=st.sampled_from(["20", "20,10", "x", "", "9", "20,40,,", "6000"]),
    extra=st.sampled_from(
        [[], ["--quantity", "nope"], ["--threshold", "-1"], ["--dps", "2"], ["--workers", "0"], ["--fail-below", "x"]]
    ),
)
def test_validation_cli_never_crashes(model, points, reps, sizes, extra, tmp_path_factory):
    from validation.cli import main as validation_main

    out = str(tmp_path_factory.mktemp("v"))
    argv = ["validate", model, "--points", points, "--reps", reps, "--sizes", sizes, "--scheduler", "inprocess", "--no-figure"]
    err = io.StringIO()
    with time_limit(argv), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = validation_main([*argv, *extra, "--out", out])
    assert rc in (0, 1, 2) and "Traceback" not in err.getvalue(), (argv, extra, err.getvalue())
    if rc == 2:
        assert len(err.getvalue().strip().splitlines()) >= 1
