"""The proven route of user models (:mod:`asymptotics.model_api`, issue 15).

A user's ``formulas(B, ...)`` runs on balls (``B`` = the ball backend) at the exact inputs; the
enclosure must contain the value of an independent computation (Hastie et al.'s closed form in
plain mpmath at 60 digits, written here) and the precision ladder's value at ``dps + 20``.  A
formula that cannot run on balls (mpmath calls or constants, ``if`` on an undecided comparison,
an iterative root finder) must give ``proven=False`` and the ladder's value, never a crash.
"""

from __future__ import annotations

import contextlib
import json
from fractions import Fraction

import mpmath
import pytest

import asymptotics as A
from asymptotics.cli import main
from asymptotics.precision import ladder_only
from asymptotics.solve.roots import increasing_root

GAMMA = A.Param("gamma", "p/n", low=0, low_open=True)
LAM = A.Param("lam", "penalty", default="0.1", low=0)


def ridge_formulas(B, gamma, lam):
    c = lam + gamma - 1
    root = B.hypot(c, 2 * B.sqrt(lam))
    kappa = B.where(c >= 0, (c + root) / 2, 2 * lam / (root - c))
    return {
        "kappa": kappa,
        "variance": gamma / ((1 + kappa) * root),
        "residual": (kappa * kappa - c * kappa - lam) / (kappa * kappa + lam + 1),
    }


@contextlib.contextmanager
def registered(name, formulas, quantities=("kappa", "variance"), params=(GAMMA, LAM)):
    spec = A.register_model(name, doc="test model", params=list(params), quantities={q: q for q in quantities}, formulas=formulas)
    try:
        yield spec
    finally:
        A.unregister_model(name)


def to_mp(x) -> mpmath.mpf:
    f = Fraction(x)
    return mpmath.mpf(f.numerator) / f.denominator


def hastie(gamma, lam):
    """κ and the variance factor γ/((1 + κ)² − γ) from the textbook closed form, 60 digits."""
    with mpmath.workdps(60):
        g, la = to_mp(gamma), to_mp(lam)
        c = la + g - 1
        kappa = (c + mpmath.sqrt(c * c + 4 * la)) / 2
        return {"kappa": kappa, "variance": g / ((1 + kappa) ** 2 - g)}


def printed_is_proven(r) -> bool:
    """The printed value lies within one unit of its last digit of every point of the enclosure (the
    enclosure has ``dps + 5`` digits: the rounded printed value itself is usually outside it)."""
    text = str(r)
    mant, _, exp = text.lstrip("-").partition("e")
    decimals = len(mant.partition(".")[2])
    unit = Fraction(10) ** (int(exp or 0) - decimals)
    p = Fraction(text)
    return max(abs(Fraction(r.enclosure.hi) - p), abs(p - Fraction(r.enclosure.lo))) <= unit


def inside(r, x) -> bool:
    return Fraction(r.enclosure.lo) <= Fraction(mpmath.nstr(x, 70, strip_zeros=False)) <= Fraction(r.enclosure.hi)


POINTS = [("0.5", "0.1"), ("1", "1e-30"), ("2", "0.001"), ("0.999", "0"), ("3", "1e-9"), ("1e-6", "1e6"), ("1", "0.1")]


@pytest.mark.parametrize("gamma, lam", POINTS)
@pytest.mark.parametrize("q", ["kappa", "variance"])
def test_closed_form_user_model_is_proven_and_encloses_independent_values(gamma, lam, q):
    with registered("proof_toy", ridge_formulas) as spec:
        r = spec.quantity(q).certified(gamma=gamma, lam=lam, dps=30)
        assert r.proven is True and r.enclosure is not None
        expected = hastie(gamma, lam)[q]
        if not (q == "kappa" and Fraction(lam) == 0 and Fraction(gamma) < 1):
            assert inside(r, expected), (r.enclosure, expected)
        else:
            assert r.value == 0 and r.enclosure.lo == r.enclosure.hi == "0"
        with ladder_only():
            ladder = spec.quantity(q).certified(gamma=gamma, lam=lam, dps=50)
        assert ladder.proven is False and ladder.enclosure is None
        assert inside(r, ladder.value)
        assert printed_is_proven(r)


def test_widths_shrink_with_dps_and_float64_agrees():
    with registered("proof_toy", ridge_formulas) as spec:
        r20 = spec.quantity("variance").certified(gamma="0.7", lam="0.01", dps=20)
        r50 = spec.quantity("variance").certified(gamma="0.7", lam="0.01", dps=50)
        assert r20.proven and r50.proven
        w20 = Fraction(r20.enclosure.hi) - Fraction(r20.enclosure.lo)
        w50 = Fraction(r50.enclosure.hi) - Fraction(r50.enclosure.lo)
        assert w50 < w20 * Fraction(1, 10**25)
        values, status = spec.quantity("variance").curve(gamma=[0.7], lam=0.01)
        assert status[0] == 0
        mid = Fraction(r50.enclosure.mid)
        assert abs(Fraction(float(values[0])) - mid) <= Fraction(1, 10**6) * abs(mid)


def test_quantity_specs_declare_partial_proofs():
    with registered("proof_toy", ridge_formulas) as spec:
        for q in ("kappa", "variance"):
            qs = spec.quantity(q)
            assert qs.proof == "partial" and "backend B" in qs.proof_note


def mpmath_only(B, gamma, lam):  # an mpmath function on the parameters: runs on MP only
    return {"kappa": mpmath.sqrt(gamma + lam), "variance": gamma + lam}


def mpmath_constant(B, gamma, lam):  # a constant rounded at the working precision
    return {"kappa": gamma * mpmath.mpf("0.1"), "variance": gamma + lam}


def backend_pi(B, gamma, lam):  # the backend's pi is a ball on balls
    return {"kappa": gamma * B.pi(), "variance": gamma * 0.1}  # a float is an exact binary constant


def branches_with_if(B, gamma, lam):  # `if` on a number: undecided at gamma = 1/3 on balls
    big = gamma > B.num(Fraction(1, 3))
    return {"kappa": (gamma if big else lam) + 0 * gamma, "variance": gamma + lam}


def root_finder(B, gamma, lam):  # an iteration: Newton's balls widen, the reduction refuses
    def h(k):
        return k - lam - gamma * k / (1 + k)

    def dh(k):
        return 1 - gamma / (1 + k) ** 2

    kappa, ok = increasing_root(h, dh, lam, lam + gamma, ops=B, rtol=A.root_tolerance(B), throw=False)
    return {"kappa": kappa, "variance": gamma + lam, "converged": ok}


@pytest.mark.parametrize(
    "formulas, gamma, expected",
    [
        (mpmath_only, "0.5", lambda g, la: mpmath.sqrt(g + la)),
        (mpmath_constant, "0.5", lambda g, la: g / 10),
        (branches_with_if, "1/3", lambda g, la: la),
    ],
)
def test_formulas_that_cannot_run_on_balls_fall_back_to_the_ladder(formulas, gamma, expected):
    with registered("proof_fallback", formulas) as spec:
        r = spec.quantity("kappa").certified(gamma=gamma, lam="0.25", dps=30)
        assert r.proven is False and r.enclosure is None
        with mpmath.workdps(60):
            want = expected(to_mp(gamma), to_mp("0.25"))
        assert abs(r.value - want) <= abs(want) * mpmath.mpf(10) ** -29


def test_rounded_constants_are_refused_but_b_pi_and_floats_are_proven():
    with registered("proof_fallback", mpmath_constant) as spec:  # every quantity: the formulas run as a whole
        assert spec.quantity("variance").certified(gamma="0.5", lam="0.25", dps=30).proven is False
    with registered("proof_pi", backend_pi) as spec:
        r = spec.quantity("kappa").certified(gamma="0.5", lam="0.25", dps=30)
        with mpmath.workdps(60):
            assert r.proven is True and inside(r, mpmath.pi / 2)
        r = spec.quantity("variance").certified(gamma="0.5", lam="0.25", dps=30)
        assert r.proven is True and inside(r, mpmath.mpf(0.1) / 2)  # the double 0.1, as on MP


def test_increasing_root_is_proven_on_balls():
    """``increasing_root`` on the ball backend proves its root (Newton on midpoints, then a sign
    change of the increasing ``h``): the enclosure contains the closed-form root."""
    with registered("proof_root", root_finder) as spec:
        for gamma, lam in (("0.5", "0.1"), ("3", "1e-12"), ("0.999", "1e-30"), ("1e6", "2")):
            r = spec.quantity("kappa").certified(gamma=gamma, lam=lam, dps=30)
            assert r.proven is True
            with mpmath.workdps(90):  # k² + (1 - g - λ)k - λ = 0, positive root (the fixed point k(1 - g/(1+k)) = λ)
                g, la = to_mp(gamma), to_mp(lam)
                b = 1 - g - la
                want = (-b + mpmath.sqrt(b * b + 4 * la)) / 2 if b <= 0 else 2 * la / (b + mpmath.sqrt(b * b + 4 * la))
            assert inside(r, want), (gamma, lam)


def test_increasing_root_with_a_wrong_bracket_is_not_proven(monkeypatch):
    """A root outside the bracket where ``h`` is declared increasing is not claimed."""
    from asymptotics.solve import roots

    real = roots._ball_root

    def shifted(h, dh, lo, hi, **kw):  # the proof must check the root against the declared bracket
        return real(h, dh, lo, lo * (1 + Fraction(1, 10**40)), **kw)

    monkeypatch.setattr(roots, "_ball_root", shifted)
    with registered("proof_root_bad", root_finder) as spec:
        r = spec.quantity("kappa").certified(gamma="0.5", lam="0.1", dps=30)
        assert r.proven is False


def test_a_perturbed_formula_is_not_proven_against_the_true_value():
    """The enclosure is of the formula as written: perturb it by 1e-20 relative and the enclosure
    excludes the true value (the proof is of *this* function, not an estimate near it)."""

    def perturbed(B, gamma, lam):
        out = ridge_formulas(B, gamma, lam)
        return {**out, "kappa": out["kappa"] * (1 + B.num(Fraction(1, 10**20)))}

    with registered("proof_perturbed", perturbed) as spec:
        r = spec.quantity("kappa").certified(gamma="0.5", lam="0.1", dps=30)
        assert r.proven is True and not inside(r, hastie("0.5", "0.1")["kappa"])


def test_cli_json_of_a_user_model(capsys):
    with registered("proof_cli", ridge_formulas):
        assert main(["eval", "proof_cli", "kappa", "gamma=0.5", "lam=0.1", "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert d["proven"] is True
        enc = d["enclosure"]
        assert set(enc) >= {"lo", "hi", "mid", "rad"}
        assert Fraction(enc["lo"]) <= Fraction(enc["mid"]) <= Fraction(enc["hi"])
        unit = Fraction(1, 10**30)  # 0.17...: 30 digits after the point
        assert max(abs(Fraction(d["value"]) - Fraction(enc["lo"])), abs(Fraction(enc["hi"]) - Fraction(d["value"]))) <= unit
    with registered("proof_cli", mpmath_only):
        assert main(["eval", "proof_cli", "kappa", "gamma=0.5", "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert d["proven"] is False and d["enclosure"] is None
