"""Thread safety of the certified and float64 APIs (issue 13, section 3).

mpmath keeps its working precision in the process-global ``mp``: before the fix, certified calls with
different ``dps`` from a thread pool changed each other's precision mid-ladder (spurious
ConvergenceErrors, about one run in four) and left the caller's ``mp.dps`` changed.  Every public entry
point now runs under :data:`asymptotics.precision.MPMATH_LOCK` and restores the caller's mpmath state.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import mpmath
import numpy as np
import pytest

from asymptotics.models import REGISTRY
from asymptotics.precision import MPMATH_LOCK, serialized

REQUESTS = [
    ("mp", "stieltjes", {"z": "-1", "gamma": "0.5"}),
    ("mp", "stieltjes", {"z": "1+0.5j", "gamma": "0.5"}),
    ("mp", "density", {"x": "1", "gamma": "0.5"}),
    ("mp", "cdf", {"x": "1.5", "gamma": "2"}),
    ("mp", "edges", {"gamma": "4", "sigma2": "0.25"}),
    ("ridge", "risk", {"gamma": "1.5", "lam": "0.2", "r2": "2", "sigma2": "0.5"}),
    ("ridge", "kappa", {"gamma": "0.5", "lam": "0.01"}),
    ("ridge", "train_error", {"gamma": "2", "lam": "0.1"}),
    ("rf", "risk", {"psi1": "1.5", "psi2": "2", "lam": "0.1"}),
    ("rf", "mu1", {"activation": "relu"}),
    ("krr", "risk", {"d": "12", "n": "40", "lam": "0.1"}),
    ("nt", "risk", {"psi1": "5", "psi2": "0.5", "lam": "0.1"}),
    ("lnn", "time_to_learn", {"depth": "3", "init": "0.01", "s": "1"}),
]
DPS = (15, 30, 50)
CALLS = [(*req, dps) for req, dps in itertools.islice(itertools.cycle(itertools.product(REQUESTS, DPS)), 40)]


def _call(model, quantity, kwargs, dps):
    return REGISTRY[model].quantities[quantity].certified(**kwargs, dps=dps)


def _state():
    return (mpmath.mp.prec, mpmath.mp.dps, mpmath.mp._prec_rounding[1])


@pytest.fixture(scope="module")
def sequential():
    return [str(_call(*c)) for c in CALLS]


@pytest.mark.parametrize("repeat", range(3))  # the race was intermittent
def test_mixed_dps_certified_calls_from_threads(sequential, repeat):
    caller = _state()

    def work(call):
        result = _call(*call)
        text = str(result)  # formatting uses mpmath precision too: done in the worker thread, under the lock
        with MPMATH_LOCK:  # no other call is in flight here: the global state must be the caller's
            state = _state()
        return text, state

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(work, CALLS))
    for call, expected, (result, state) in zip(CALLS, sequential, outcomes, strict=True):
        assert state == caller, call
        assert result == expected, call
    assert _state() == caller


def test_float_curves_from_threads():
    """The float64 paths use mpmath for activation coefficients: same results under threads."""
    curves = [
        ("ridge", "risk", {"gamma": np.linspace(0.2, 3, 7), "lam": 0.1}),
        ("rf", "risk", {"psi1": np.linspace(0.5, 3, 5), "psi2": 2.0, "lam": 0.1}),
        ("nt", "risk", {"psi1": np.linspace(2, 8, 4), "psi2": 0.5, "lam": 0.1}),
        ("mp", "density", {"x": np.linspace(0.1, 3, 9), "gamma": 0.5}),
    ] * 4
    expected = [REGISTRY[m].quantities[q].curve(**kw) for m, q, kw in curves]
    caller = _state()
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda c: REGISTRY[c[0]].quantities[c[1]].curve(**c[2]), curves))
    for (values, status), (ev, es) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(values, ev)
        np.testing.assert_array_equal(status, es)
    assert _state() == caller


def test_caller_precision_survives_a_call():
    from asymptotics.models import marchenko_pastur, ridge

    reference = str(ridge.risk("1.5", "0.2", dps=40))
    old = mpmath.mp.dps
    try:
        mpmath.mp.dps = 7
        result = ridge.risk("1.5", "0.2", dps=40)
        assert mpmath.mp.dps == 7
        marchenko_pastur.stieltjes(-1, "0.5", dps=20)
        assert mpmath.mp.dps == 7
        with pytest.raises(ValueError):  # a failing call restores it too
            ridge.risk("-1", "0.2", dps=40)
        assert mpmath.mp.dps == 7
    finally:
        mpmath.mp.dps = old
    assert str(result) == reference  # the caller's 7 digits did not leak into the computation


def test_serialized_is_idempotent_and_the_registry_shares_the_module_objects():
    from asymptotics.models import marchenko_pastur, ridge

    assert ridge.risk is REGISTRY["ridge"].quantities["risk"].certified
    assert marchenko_pastur.stieltjes is REGISTRY["mp"].quantities["stieltjes"].certified
    assert marchenko_pastur.density_curve is REGISTRY["mp"].quantities["density"].curve
    assert serialized(ridge.risk) is ridge.risk
    for spec in REGISTRY.values():
        for q in spec.quantities.values():
            assert getattr(q.certified, "__serialized__", False), (spec.name, q.name)
            assert q.curve is None or getattr(q.curve, "__serialized__", False), (spec.name, q.name)
