"""Every quantity that declares ``proof="proven"`` proves its digits (issue 15), registry-wide.

Over :data:`asymptotics.models.REGISTRY`: for each quantity whose
:attr:`~asymptotics.models._registry.QuantitySpec.proof` is ``"proven"`` (the declarations change
as the models are converted; the test follows whatever is declared when it runs), at the sample
points of :data:`POINTS` (typical parameters from the README and the models' tests):

* ``result.proven`` is True and the result has an enclosure;
* the enclosure contains the precision ladder's value at ``dps + 20`` (``ladder_only``), an
  independent evaluation (two rungs of mpmath, no balls);
* the printed value is within one unit of its last digit of every point of the enclosure (the
  enclosure carries ``dps + 5`` digits, so the rounded printed value itself usually lies outside
  it), and the enclosure is narrower than ``10**-dps`` relative;
* where the quantity has a float64 curve and the point has status 0 there, the float64 value
  agrees with the enclosure within ``1e-6`` relative.

A ``"proven"`` quantity without sample points in :data:`POINTS` is a failure (add points).
``"partial"`` quantities are checked at their points where the result says ``proven``.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.models import REGISTRY
from asymptotics.precision import ladder_only

DPS = 30


def lc_quantities() -> tuple[str, ...]:
    from asymptotics.models.learning_curve import QUANTITIES

    return QUANTITIES

POINTS: dict[tuple[str, str], list[dict[str, str]]] = {
    # Marchenko-Pastur
    ("mp", "density"): [{"x": "1", "gamma": "0.5"}, {"x": "2.5", "gamma": "2", "sigma2": "0.5"}],
    ("mp", "cdf"): [{"x": "1", "gamma": "0.5"}, {"x": "3", "gamma": "2"}],
    ("mp", "stieltjes"): [{"z": "-1", "gamma": "0.5"}, {"z": "1+0.5j", "gamma": "0.5"}, {"z": "-0.001", "gamma": "4"}],
    ("mp", "companion"): [{"z": "-1", "gamma": "0.5"}, {"z": "1+0.5j", "gamma": "2"}],
    ("mp", "edges"): [{"gamma": "4", "sigma2": "0.25"}, {"gamma": "0.5"}],
    ("mp", "moment"): [{"k": "2", "gamma": "0.5"}, {"k": "5", "gamma": "3", "sigma2": "2"}],
    # deformed Marchenko-Pastur (partial: rational atoms)
    ("dmp", "density"): [
        {"x": "1", "gamma": "0.5", "spectrum": "blocks:1/0.5,4/0.5"},
        {"x": "9", "gamma": "0.05", "spectrum": "blocks:1/0.5,10/0.5"},
    ],
    ("dmp", "stieltjes"): [
        {"z": "1+0.5j", "gamma": "0.5", "spectrum": "blocks:1/0.5,4/0.5"},
        {"z": "-1", "gamma": "2", "spectrum": "blocks:0/0.25,1/0.25,4/0.5"},
        {"z": "5", "gamma": "0.05", "spectrum": "blocks:1/0.5,10/0.5"},
    ],
    ("dmp", "companion"): [{"z": "2-1j", "gamma": "2", "spectrum": "blocks:1/0.5,4/0.5"}, {"z": "-3", "gamma": "0.3"}],
    ("dmp", "edges"): [{"gamma": "0.05", "spectrum": "blocks:1/0.5,10/0.5"}, {"gamma": "2", "spectrum": "spike:t=5,w=0.1"}],
    ("dmp", "moment"): [{"k": "3", "gamma": "0.5", "spectrum": "blocks:1/0.5,4/0.5"}],
    # learning_curve (the mapped ridge problem's ball route)
    **{
        ("learning_curve", q): [
            {"n": "5", "lam": "0.01", "sigma2": "0.1", "spectrum": "modes:1/1/1,0.1/10/0.5", "mode": "2"},
            {"n": "100", "lam": "0.01", "sigma2": "0.1", "spectrum": "power_law:alpha=1.5,beta=1.5", "mode": "3"},
            {"n": "40", "lam": "0.1", "spectrum": "power_law:alpha=1.5,beta=1.2,P=300,c=2", "mode": "1"},
        ]
        for q in lc_quantities()
    },
    # gcm (ridge's ball kappa, then the shifted sums on balls)
    **{
        ("gcm", q): [
            {"gamma": "0.5", "lam": "0.1", "spectrum": "blocks:1/2/0.5/0.5,4/1/0.5/0.5"},
            {"gamma": "2", "lam": "0", "sigma2": "0.5", "spectrum": "blocks:1/1/1/0.5,10/0.1/0.2/0.5"},
            {"gamma": "0.7", "lam": "0.2", "spectrum": "blocks:1/1.5/0.5,3/0.5/0.5", "teacher": "blocks:2/1/1,3/2/0.5"},
        ]
        for q in ("risk", "bias", "variance", "train_error", "kappa")
    },
    # ridge
    **{
        ("ridge", q): [
            {"gamma": "0.5", "lam": "0.1"},
            {"gamma": "1.5", "lam": "0.2", "r2": "2", "sigma2": "0.5"},
            {"gamma": "1", "lam": "1e-6"},
            {"gamma": "2", "lam": "0.01", "sigma2": "0.25", "spectrum": "blocks:1/0.5/1,10/0.5/0"},
            {"gamma": "2", "lam": "0.1", "spectrum": "power_law:p=50,alpha=1.5,beta=1"},
        ]
        for q in ("risk", "bias", "variance", "train_error", "kappa")
    },
    ("ridge", "effective_rank_r"): [{"k": "3", "p": "10"}, {"k": "5", "spectrum": "power_law:p=inf,alpha=2,beta=2"}],
    ("ridge", "effective_rank_R"): [
        {"k": "1", "p": "4", "spectrum": "blocks:1/0.5/1,10/0.5/0"},
        {"k": "0", "spectrum": "power_law:p=1000,alpha=1,beta=0"},
    ],
    ("ridge", "benign"): [
        {"gamma": "2", "p": "100", "spectrum": "blocks:1/0.5/1,10/0.5/0"},
        {"gamma": "100/3", "spectrum": "power_law:p=200,alpha=1,beta=0"},
    ],
    ("ridge", "degrees_of_freedom"): [
        {"gamma": "2", "lam": "0.1"},
        {"gamma": "2", "lam": "0.01", "spectrum": "blocks:1/0.5/1,10/0.5/0"},
    ],
    ("ridge", "de_error_bound"): [
        {"gamma": "2", "lam": "0.1", "p": "40"},
        {"gamma": "2", "lam": "0.1", "p": "40", "spectrum": "blocks:1/0.5/1,10/0.5/0"},
        {"gamma": "2", "lam": "0.1", "spectrum": "power_law:p=40,alpha=1.5,beta=1", "k_order": "3"},
    ],
    ("ridge", "optimal_lambda"): [{"gamma": "0.5"}, {"gamma": "2", "r2": "2", "sigma2": "0.5"}],
    ("ridge", "optimal_risk"): [{"gamma": "0.5"}, {"gamma": "2", "r2": "2", "sigma2": "0.5"}],
    # random features
    **{
        ("rf", q): [
            {"psi1": "0.5", "psi2": "3", "tau2": "0.25"},
            {"psi1": "2", "psi2": "1", "lam": "0.1", "activation": "tanh"},
        ]
        for q in ("risk", "bias", "variance", "train_error", "chi")
    },
    **{("rf", q): [{"activation": "relu"}, {"activation": "tanh"}] for q in ("mu0", "mu1", "mustar")},
    **{
        ("rf", q): [
            {"psi1": "0.5", "psi2": "3", "tau2": "0.25"},
            {"psi1": "2", "psi2": "1", "lam": "0.1", "activation": "tanh", "spectrum": "blocks:0.5/0.5/1,1.5/0.5/0"},
        ]
        for q in ("nu1", "nu2")
    },
    # neural tangent
    **{
        ("nt", q): [{"psi2": "2", "tau2": "0.25"}, {"psi2": "2", "tau2": "0.25", "layers": "both", "psi1": "1"}]
        for q in ("risk", "bias", "variance", "train_error", "kappa")
    },
    ("nt", "self_ridge"): [{"activation": "relu"}, {"activation": "tanh"}],
    ("nt", "optimal_lambda"): [{"psi2": "2", "tau2": "2"}, {"psi2": "2", "tau2": "0.5", "Fstar2": "0.3", "activation": "tanh"}],
    ("nt", "effective_ridge"): [{"psi2": "2"}, {"psi2": "0.5", "lam": "0.1"}],
    ("nt", "staircase"): [{"exponent": "1.5", "F": "0,1,1,1", "method": "nt"}, {"exponent": "2.5", "F": "0,1,1,1"}],
    # kernel ridge regression
    **{
        ("krr", q): [
            {"d": "40", "alpha": "1", "level": "2", "kernel": "exp", "F": "0,0.5,1,0.3", "sigma2": "0.1"},
            {"d": "30", "n": "150", "kernel": "relu_ntk", "lam": "0.1", "F": "0,1,0.5", "sigma2": "0.1"},
        ]
        for q in ("risk", "bias", "variance", "train_error", "kappa")
    },
    ("krr", "risk_asymptotic"): [{"alpha": "1", "level": "2", "kernel": "exp", "F": "0,1,0.5,0.3,0.1", "sigma2": "0.1"}],
    **{
        ("krr", q): [
            {"alpha": "2", "level": "1", "kernel": "exp", "F": "0,1,0.5", "sigma2": "0.5"},
            {"alpha": "0.5", "level": "1", "kernel": "exp", "F": "0,1", "sigma2": "0.1"},
        ]
        for q in ("optimal_lambda_asymptotic", "optimal_risk_asymptotic")
    },
    ("krr", "staircase"): [{"exponent": "1.5", "F": "0,1,0.5"}, {"exponent": "2.5", "F": "0,1,0.5,0.25"}],
    ("rf", "scaling_exponents"): [
        {"spectrum": "power_law:p=inf,alpha=1.5,beta=1.5", "activation": "linear"},
        {"spectrum": "power_law:p=inf,alpha=3,beta=2", "activation": "relu"},
    ],
    ("rf", "staircase"): [
        {"kappa1": "1.5", "kappa2": "2.5", "F": "0,1,0.5,0.25"},
        {"kappa1": "3.25", "kappa2": "0.5", "F": "1/3,1,1"},
    ],
    ("nt", "phase"): [
        {"kappa1": "1.5", "kappa2": "3.2", "F": "0,1,0.5,0.25"},
        {"kappa1": "2.25", "kappa2": "0.5", "F": "1/3,1,1"},
    ],
    ("rf", "risk_asymptotic"): [
        {"alpha1": "2", "alpha2": "3", "level": "2", "lam": "0.1", "F": "1,1,1,0.5", "tau2": "0.2"},
        {"alpha1": "inf", "alpha2": "0.5", "level": "3", "activation": "erf", "F": "1,1,1,1,1"},
    ],
    ("krr", "eigenvalue"): [{"d": "40", "level": "2", "domain": "hypercube"}, {"d": "10", "level": "1"}],
    ("krr", "multiplicity"): [{"d": "40", "level": "2"}, {"d": "10", "level": "3", "domain": "hypercube"}],
    ("krr", "xi"): [{"level": "1"}, {"level": "2", "kernel": "exp"}],
    ("krr", "kernel_density"): [
        {"x": "1", "alpha": "0.5", "level": "2", "kernel": "exp"},
        {"x": "1", "alpha": "1", "level": "1", "kernel": "exp", "d": "30"},
    ],
    ("krr", "kernel_stieltjes"): [
        {"z": "1+0.5j", "alpha": "2", "level": "2", "kernel": "exp"},
        {"z": "-1", "alpha": "0.5", "level": "1", "kernel": "relu_ntk"},
    ],
    ("krr", "kernel_edges"): [
        {"alpha": "2", "level": "2", "kernel": "exp"},
        {"alpha": "1", "level": "2", "kernel": "coef:1,2,3", "d": "20"},
    ],
    ("krr", "kernel_spike"): [{"d": "30", "alpha": "1", "level": "2", "k": "1", "kernel": "exp"}],
    # deep linear networks
    ("lnn", "time_to_learn"): [{"depth": "2", "init": "1e-3", "s": "1"}, {"depth": "4", "init": "0.01", "s": "2", "frac": "0.9"}],
    ("lnn", "trajectory"): [
        {"depth": "3", "init": "1e-3", "s": "1", "t": "10"},
        {"depth": "2", "init": "0.1", "s": "2", "t": "1"},
    ],
    ("lnn", "time_asymptotic"): [{"depth": "4", "init": "1e-3", "s": "1"}, {"depth": "2", "init": "1e-6", "s": "3"}],
    ("lnn", "singular_value_rate"): [{"depth": "3", "sigma": "0.5", "grad": "-2"}, {"depth": "2", "sigma": "2", "grad": "1"}],
    ("lnn", "guarantee_step"): [
        {"depth": "3", "margin": "0.5", "phi_norm": "2"},
        {"depth": "1", "margin": "1/3", "phi_norm": "1"},
    ],
    ("lnn", "guarantee_delta"): [
        {"depth": "3", "margin": "0.5", "phi_norm": "2"},
        {"depth": "7", "margin": "0.1", "phi_norm": "3"},
    ],
    ("lnn", "guarantee_rate"): [
        {"depth": "2", "margin": "0.9", "phi_norm": "1"},
        {"depth": "3", "margin": "0.5", "phi_norm": "2", "step": "1e-9"},
    ],
    ("lnn", "guarantee_iterations"): [
        {"depth": "2", "margin": "0.9", "phi_norm": "1", "loss0": "0.005", "eps": "1e-6"},
        {"depth": "4", "margin": "0.5", "phi_norm": "2", "loss0": "1", "eps": "1e-3", "step": "1e-12"},
    ],
    ("lnn", "acceleration_speedup"): [
        {"depth": "2", "kappa": "10", "overlap": "1"},
        {"depth": "3", "kappa": "30", "overlap": "0.2"},
    ],
    ("lnn", "norm_lower_bound"): [{"loss": "1e-6"}, {"loss": "0.4"}],
    ("lnn", "growth_time_bound"): [
        {"depth": "3", "init": "1e-6", "sigma": "2", "grad": "0.5"},
        {"depth": "2", "init": "1e-3", "sigma": "1", "grad": "3"},
    ],
}


def declared(kind: str) -> list[tuple[str, str]]:
    return [(m, q) for m in sorted(REGISTRY) for q, qs in REGISTRY[m].quantities.items() if qs.proof == kind]


def cases(kind: str) -> list:
    out = []
    for m, q in declared(kind):
        for i, p in enumerate(POINTS.get((m, q), [None])):
            out.append(pytest.param(m, q, p, id=f"{m}-{q}-{i}"))
    return out


def _fractions(text: str) -> tuple[Fraction, ...]:
    """An enclosure bound (real, or ``re+imj``) as exact Fractions."""
    if not text.endswith("j"):
        return (Fraction(text),)
    body = text[:-1]
    for i in range(len(body) - 1, 0, -1):
        if body[i] in "+-" and body[i - 1] not in "eE":
            return Fraction(body[:i]), Fraction(body[i:])
    raise AssertionError(text)


def _parts(x) -> tuple[Fraction, ...]:
    x = mpmath.mpmathify(x)
    if isinstance(x, mpmath.mpc):
        return _exact(x.real), _exact(x.imag)
    return (_exact(x),)


def _exact(x) -> Fraction:
    sign, man, exp, _ = x._mpf_
    man = -int(man) if sign else int(man)
    return Fraction(man) * Fraction(2) ** int(exp)


def _unit(text: str) -> Fraction:
    mant, _, exp = text.lstrip("-").partition("e")
    return Fraction(10) ** (int(exp or 0) - len(mant.partition(".")[2]))


def _printed_parts(text: str) -> list[str]:
    if not text.endswith("j"):
        return [text]
    body = text[:-1]
    for i in range(len(body) - 1, 0, -1):
        if body[i] in "+-" and body[i - 1] not in "eE":
            return [body[:i], body[i:]]
    raise AssertionError(text)


def check_one(enc, value, printed: str, reference) -> None:
    """One enclosure (scalar or complex) against the ladder's value and the printed text."""
    if enc.lo in ("inf", "-inf") or enc.hi in ("inf", "-inf"):
        assert mpmath.isinf(reference) and printed in ("inf", "-inf")
        return
    lo, hi = _fractions(enc.lo), _fractions(enc.hi)
    ref = _parts(reference)
    for a, b, r in zip(lo, hi, ref, strict=True):
        slack = abs(r) * Fraction(1, 10 ** (DPS + 15))  # the ladder's own rounding at dps + 20
        assert a - slack <= r <= b + slack, (enc, reference)
    for a, b, text in zip(lo, hi, _printed_parts(printed), strict=True):
        p = Fraction(text)
        assert max(abs(b - p), abs(p - a)) <= _unit(text), (enc, printed)
        if p != 0:
            assert b - a <= abs(p) * Fraction(1, 10**DPS), (enc, printed)


def check_result(model: str, quantity: str, point: dict[str, str], *, required: bool) -> None:
    qs = REGISTRY[model].quantities[quantity]
    r = qs.certified(**point, dps=DPS)
    if not required and not r.proven:
        return
    assert r.proven is True, f"{model} {quantity} {point}: declared proven, but the result is not"
    assert r.enclosure is not None
    with ladder_only():
        ladder = qs.certified(**point, dps=DPS + 20)  # (an exact integer may still say proven: no ball involved)
    printed = str(r)
    if isinstance(r.enclosure, tuple | list):
        texts = printed.strip("[]").split(", ")
        for e, v, t, ref in zip(r.enclosure, r.value, texts, ladder.value, strict=True):
            check_one(e, v, t, ref)
    else:
        check_one(r.enclosure, r.value, printed, ladder.value)
    # float64: a status-0 value never contradicts the proof beyond 1e-6
    if qs.curve is not None and not isinstance(r.value, tuple | list):
        try:
            values, status = qs.curve(**{k: _curve_arg(v) for k, v in point.items()})
        except (TypeError, ValueError):  # a quantity whose curve takes other arguments
            return
        values, status = np.atleast_1d(values), np.atleast_1d(status)
        if status[0] == 0:
            mid = _fractions(r.enclosure.mid)
            got = complex(values[0])
            parts = (got.real, got.imag) if len(mid) == 2 else (got.real,)
            for m, g in zip(mid, parts, strict=True):
                assert abs(Fraction(g) - m) <= Fraction(1, 10**6) * max(abs(m), Fraction(1, 10**300)), (values, r.enclosure)


def _curve_arg(text: str):
    try:
        return float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        try:
            return complex(text)
        except ValueError:
            return text


@pytest.mark.parametrize("model, quantity, point", cases("proven"))
def test_declared_proven_quantities_prove_their_digits(model, quantity, point):
    assert point is not None, f"{model} {quantity} is declared proven: add sample points to POINTS"
    check_result(model, quantity, point, required=True)


@pytest.mark.parametrize("model, quantity, point", [c for c in cases("partial") if c.values[2] is not None])
def test_partial_quantities_are_right_where_they_say_proven(model, quantity, point):
    check_result(model, quantity, point, required=False)


def test_every_quantity_declares_a_proof_kind():
    for m, spec in REGISTRY.items():
        for q, qs in spec.quantities.items():
            assert qs.proof in ("proven", "partial", "estimate"), (m, q, qs.proof)
            if qs.proof == "partial":
                assert qs.proof_note, f"{m} {q}: a partial proof says where it holds (proof_note)"


# ----------------------------------------------------------------------------- drawn points (hypothesis)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _dec(lo_exp: int, hi_exp: int):
    """A positive decimal ``m·10^e`` as text: mantissa 1..999, exponent in [lo_exp, hi_exp]."""
    return st.builds(lambda m, e: f"{m}e{e}", st.integers(1, 999), st.integers(lo_exp, hi_exp))


@settings(max_examples=25, deadline=None)
@given(gamma=_dec(-4, 2), lam=st.one_of(st.just("0"), _dec(-12, 3)), r2=_dec(-3, 2), sigma2=st.one_of(st.just("0"), _dec(-3, 2)))
def test_drawn_ridge_points_are_proven_and_enclose_the_ladder(gamma, lam, r2, sigma2):
    for q in ("risk", "train_error"):
        check_result("ridge", q, {"gamma": gamma, "lam": lam, "r2": r2, "sigma2": sigma2}, required=True)


@settings(max_examples=25, deadline=None)
@given(re_=st.integers(-50, 80), im_=st.one_of(st.just(0), st.integers(1, 40)), gamma=_dec(-2, 1))
def test_drawn_stieltjes_points_enclose_the_ladder(re_, im_, gamma):
    z = f"{re_ / 10}+{im_ / 10}j"
    m = REGISTRY["mp"]
    try:
        m.quantities["stieltjes"].certified(z=z, gamma=gamma, dps=DPS)
    except ValueError:  # z on the support (a ParameterError): nothing to prove
        return
    check_result("mp", "stieltjes", {"z": z, "gamma": gamma}, required=False)


@settings(max_examples=15, deadline=None)
@given(
    psi1=_dec(-2, 2),
    psi2=_dec(-2, 2),
    lam=st.one_of(st.just("0"), _dec(-8, 1)),
    activation=st.sampled_from(["relu", "tanh", "erf", "abs", "softplus", "Max(x,0)**2"]),
)
def test_drawn_rf_points_enclose_the_ladder(psi1, psi2, lam, activation):
    check_result("rf", "risk", {"psi1": psi1, "psi2": psi2, "lam": lam, "activation": activation}, required=False)
