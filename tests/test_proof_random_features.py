"""Proven digits for random-features regression (issue 15): enclosures, root and branch checks, widths, float64, JSON.

Every expected number here comes from an independent route: exact fractions of closed forms
(least squares on the raw coordinates for ``linear``, ``𝓥 = min(ψ₁, ψ₂)/|ψ₁ − ψ₂|`` for ``μ₁ = 0``,
``𝓥 = ψ₁/(ψ₂ − ψ₁)`` ridgeless below the threshold), the textbook quadratic of the ``μ₁ = 0`` case,
the Marchenko–Pastur density integrated by quadrature (the kernel limit ``ψ₁ = ∞``), the *complex*
``ν₁, ν₂`` equations solved by ``mpmath.findroot`` with the SymPy ``𝓔`` polynomials (not the
scalar reduction nor the generated code), or the precision ladder at twice the digits
(``with ladder_only(): ... dps=60``).  An enclosure must *contain* the independent value.
"""

from __future__ import annotations

import contextlib
import io
import json
from fractions import Fraction

import mpmath
import pytest

from asymptotics.activations import from_callable
from asymptotics.ball import AB, Ball, NotProven, workprec
from asymptotics.cli import main
from asymptotics.models import random_features as RF
from asymptotics.precision import ladder_only
from asymptotics.result import STATUS_OK

QUANTITIES = RF.QUANTITIES
TAU2, FSTAR2 = "0.25", "0.1"


def _fraction(x):
    """An exact Fraction of a Fraction, an int or an mpf (no rounding)."""
    if isinstance(x, Fraction | int):
        return Fraction(x)
    sign, man, exp, _ = x._mpf_  # (mpf.man_exp drops the sign)
    f = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
    return -f if sign else f


def _mpq(text):
    """An exact decimal/fraction string as an mpf at the working precision."""
    f = Fraction(text)
    return mpmath.mpf(f.numerator) / f.denominator


def _bounds(res):
    """The enclosure as exact fractions (``±inf`` as floats)."""
    conv = {"inf": float("inf"), "-inf": float("-inf")}
    e = res.enclosure
    return conv.get(e.lo) or Fraction(e.lo), conv.get(e.hi) or Fraction(e.hi)


def _contains(res, exact):
    lo, hi = _bounds(res)
    return lo <= _fraction(exact) <= hi


def _proven(q, *args, dps=30, **kw):
    r = getattr(RF, q)(*args, dps=dps, **kw)
    assert r.proven is True and r.enclosure is not None, (q, args, kw)
    return r


# ----------------------------------------------------------------------------- (1) independent closed forms
@pytest.mark.parametrize(("psi1", "psi2"), [("2", "3"), ("1", "1.5"), ("7/3", "1.000000000000000000000000000001"), ("1e6", "4")])
def test_linear_ridgeless_is_least_squares(psi1, psi2):
    """σ(x) = x, λ = 0, ψ₁, ψ₂ ≥ 1: least squares on the d raw coordinates, 𝓑 = 0, 𝓥 = 1/(ψ₂ − 1) (fractions)."""
    p2, t2, fs = Fraction(psi2), Fraction(TAU2), Fraction(FSTAR2)
    risk = (t2 + fs) / (p2 - 1) + fs
    args = (psi1, psi2, 0, "linear", 1, FSTAR2, TAU2)
    assert _contains(_proven("risk", *args), risk)
    assert _proven("bias", *args).enclosure.hi == "0"
    assert _contains(_proven("train_error", *args), (1 - 1 / p2) ** 2 * (risk + t2))


@pytest.mark.parametrize(("act", "psi1", "psi2"), [("abs", "2", "3"), ("abs", "5", "0.5"), ("quadratic", "0.1", "0.3")])
def test_mu1_zero_ridgeless_closed_form(act, psi1, psi2):
    """μ₁ = 0, λ = 0: 𝓥 = min(ψ₁, ψ₂)/|ψ₁ − ψ₂|, 𝓑 = 1 + 𝓥, χ = −min(ψ₁, ψ₂) (fractions)."""
    p1, p2 = Fraction(psi1), Fraction(psi2)
    v = min(p1, p2) / abs(p1 - p2)
    args = (psi1, psi2, 0, act, 1, FSTAR2, TAU2)
    risk = (1 + v) + (Fraction(TAU2) + Fraction(FSTAR2)) * v + Fraction(FSTAR2)
    assert _contains(_proven("risk", *args), risk)
    assert _contains(_proven("chi", *args), -min(p1, p2))


@pytest.mark.parametrize(("act", "psi1", "psi2"), [("relu", "0.5", "3"), ("erf", "1", "1.001"), ("relu", "1e-6", "1e6")])
def test_ridgeless_variance_below_threshold(act, psi1, psi2):
    """ψ₁ < ψ₂, λ = 0: the bare 𝓥 = ψ₁/(ψ₂ − ψ₁) for every activation (the system's ``V0_under``)."""
    p1, p2 = Fraction(psi1), Fraction(psi2)
    assert _contains(_proven("variance", psi1, psi2, 0, act, 1, 0, 1), p1 / (p2 - p1))


@pytest.mark.parametrize(("psi1", "psi2", "lam"), [("2", "3", "0.1"), ("1", "1", "1e-9"), ("40", "0.2", "7")])
def test_quadratic_activation_textbook_quadratic(psi1, psi2, lam):
    """σ = x² (μ₁ = 0, μ⋆² = 2): p = (s − √(s² − 4ψ₁ψ₂))/2, 𝓥 = p²/(ψ₁ψ₂ − p²), 𝓑 = 1 + 𝓥 at 80 digits."""
    with mpmath.workdps(80):
        p1, p2, lb = _mpq(psi1), _mpq(psi2), _mpq(lam) / 2
        s = p1 + p2 + p1 * p2 * lb
        p = (s - mpmath.sqrt(s * s - 4 * p1 * p2)) / 2
        v = p * p / (p1 * p2 - p * p)
        t2, fs = mpmath.mpf(TAU2), mpmath.mpf(FSTAR2)
        risk = (1 + v) + (t2 + fs) * v + fs
        chi = -p
    args = (psi1, psi2, lam, "quadratic", 1, FSTAR2, TAU2)
    assert _contains(_proven("risk", *args), risk)
    assert _contains(_proven("chi", *args), chi)


def _mp_law_moments(delta, lp):
    """``∫ μ(ds)/(s + λ')`` and ``∫ μ(ds)/(s + λ')²`` for Marchenko–Pastur of ratio ``δ < 1`` by quadrature."""
    a, b = (1 - mpmath.sqrt(delta)) ** 2, (1 + mpmath.sqrt(delta)) ** 2

    def dens(s):
        return mpmath.sqrt((b - s) * (s - a)) / (2 * mpmath.pi * delta * s)

    return (mpmath.quad(lambda s: dens(s) / (s + lp), [a, b]), mpmath.quad(lambda s: dens(s) / (s + lp) ** 2, [a, b]))


@pytest.mark.parametrize(("psi2", "lam"), [("2", "0.1"), ("5", "0"), ("1.5", "3")])
def test_kernel_limit_contains_quadrature(psi2, lam):
    """ψ₁ = ∞, ReLU: ridge on raw x, 𝓑 = λ'² m'(−λ'), 𝓥 = δ(m − λ'm'), δ = 1/ψ₂, by quadrature of the MP density."""
    with mpmath.workdps(50):
        mu1sq, ms2 = mpmath.mpf(1) / 4, mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi)
        p2, lm = _mpq(psi2), _mpq(lam)
        delta, lp = 1 / p2, (ms2 + p2 * lm) / (mu1sq * p2)
        m, dm = _mp_law_moments(delta, lp)
        b, v = lp * lp * dm, delta * (m - lp * dm)
        risk = b + (mpmath.mpf(TAU2) + mpmath.mpf(FSTAR2)) * v + mpmath.mpf(FSTAR2)
    assert _contains(_proven("risk", "inf", psi2, lam, "relu", 1, FSTAR2, TAU2), risk)


@pytest.mark.parametrize(("psi1", "psi2", "lam"), [("2", "3", "0.1"), ("0.7", "0.4", "1"), ("3", "3", "0.01")])
def test_complex_nu_equations_with_sympy_polynomials(psi1, psi2, lam):
    """ReLU, λ > 0: solve the complex ν₁, ν₂ equations (not the scalar reduction) with findroot at 60 digits,
    check the branch (Im ν > 0, on the imaginary axis), then 𝓑, 𝓥 from the SymPy 𝓔 polynomials."""
    import sympy as sp

    from asymptotics.symbolic import symbols as S

    with mpmath.workdps(60):
        mu1, ms2 = mpmath.mpf(1) / 2, mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi)
        z2 = mu1**2 / ms2
        p1, p2 = _mpq(psi1), _mpq(psi2)
        xi = mpmath.mpc(0, mpmath.sqrt(p1 * p2 * _mpq(lam) / ms2))

        def eqs(n1, n2):
            den = 1 - z2 * n1 * n2
            return [n1 * (-xi - n2 - z2 * n2 / den) - p1, n2 * (-xi - n1 - z2 * n1 / den) - p2]

        n1, n2 = mpmath.findroot(eqs, (mpmath.mpc(0, 1), mpmath.mpc(0, 1)))
        assert n1.imag > 0 and n2.imag > 0 and abs(n1.real) + abs(n2.real) < mpmath.mpf(10) ** -50
        chi = (n1 * n2).real
        e0, e1, e2 = (RF.system("general").quantities[k] for k in ("E0", "E1", "E2"))
        subs = {S.chi: sp.Float(mpmath.nstr(chi, 60), 60), S.zeta: sp.sqrt(sp.Float(mpmath.nstr(z2, 60), 60))}
        subs.update({S.psi1: sp.Rational(psi1), S.psi2: sp.Rational(psi2)})
        b, v = (mpmath.mpf(str((e / e0).evalf(60, subs=subs))) for e in (e1, e2))
        risk = b + (mpmath.mpf(TAU2) + mpmath.mpf(FSTAR2)) * v + mpmath.mpf(FSTAR2)
    args = (psi1, psi2, lam, "relu", 1, FSTAR2, TAU2)
    assert _contains(_proven("chi", *args), chi)
    assert _contains(_proven("risk", *args), risk)


# ----------------------------------------------------------------------------- (1) the ladder at 60 digits
LADDER_POINTS = [
    ("relu", "2", "3", "0.1"),
    ("relu", "3", "2", "1e-3"),
    ("relu", "2", "2", "1e-30"),  # next to the interpolation threshold
    ("relu", "1e-3", "2", "0.5"),  # tiny psi1
    ("relu", "1e4", "0.5", "1e-5"),  # huge psi1
    ("relu", "7/3", "7/3", "1/3"),  # equal non-dyadic psi: decided on the exact inputs
    ("relu", "inf", "0.9", "1e-8"),
    ("relu", "3", "inf", "1e-9"),
    ("linear", "1", "1", "1e-12"),  # mu* = 0 at psi = 1: the root cancels 13 bits
    ("erf", "2", "3", "0.1"),
    ("abs", "2", "2", "0.1"),
    ("relu", "2", "3", "1e5"),  # huge lam
]


@pytest.mark.parametrize(("act", "psi1", "psi2", "lam"), LADDER_POINTS)
def test_enclosure_contains_ladder_at_60_digits(act, psi1, psi2, lam):
    for q in QUANTITIES:
        args = (psi1, psi2, lam, act, 1, FSTAR2, TAU2)
        r = _proven(q, *args)
        with ladder_only():
            ref = getattr(RF, q)(*args, dps=60)
        assert ref.proven is False
        assert _contains(r, ref.value), (q, r.enclosure, ref.value)


@pytest.mark.parametrize("act", ["relu", "abs", "erf", "linear", "quadratic"])
def test_coefficients_proven(act):
    for q in RF.COEFFICIENTS:
        r = _proven(q, act)
        with ladder_only():
            ref = getattr(RF, q)(act, dps=60)
        assert _contains(r, ref.value), (act, q)
    if act == "relu":  # closed forms: 1/√(2π), 1/2, (1/4 − 1/(2π))^{1/2}
        with mpmath.workdps(60):
            assert _contains(_proven("mu0", "relu"), 1 / mpmath.sqrt(2 * mpmath.pi))
            assert _proven("mu1", "relu").enclosure.lo == "0.5"


# ----------------------------------------------------------------------------- (2) perturbed root, wrong branch
def _start_at(monkeypatch, move):
    """Make the mpmath solver (the proof's starting point) return ``move(q)`` instead of its root ``q``."""
    orig = RF._Solver._root

    def patched(self, h, dh, lo, hi):
        q, ok = orig(self, h, dh, lo, hi)
        self.q_last = move(q)
        return self.q_last, ok

    monkeypatch.setattr(RF._Solver, "_root", patched)


def _h_mp(q):
    """``h(q) = ψ₁ψ₂ℓq − (ψ₁ − G)(ψ₂ − G)``, ``G = tq + q/(1 + q)``, for ReLU at ψ₁ = 2, ψ₂ = 3, λ = 0.1 (mpmath)."""
    mu1sq, ms2 = mpmath.mpf(1) / 4, mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi)
    t, ell = ms2 / mu1sq, mpmath.mpf("0.1") / mu1sq
    g = t * q + q / (1 + q)
    return 6 * ell * q - (2 - g) * (3 - g)


def _branch_setup():
    """``h, dh, t, max(ψ₁, ψ₂)`` of the relu point ψ₁ = 2, ψ₂ = 3, λ = 0.1 on balls, and its root from the mp solver."""
    pr = RF.RFParams(2, 3, "0.1", "relu")
    solver = RF._Solver(pr)
    _, mu1, ms2 = pr.activation.ball_coefficients()
    captured = {}

    def grab(h, dh, lo, hi):
        captured.update(h=h, dh=dh)
        return Ball(1), True

    mu1sq_mp, ms2_mp = solver.coefficients()
    solver._general(mpmath.mpf(2), mpmath.mpf(3), mpmath.mpf("0.1"), mu1sq_mp, ms2_mp)
    RF._general(AB, pr.psi1, pr.psi2, pr.lam, mu1 * mu1, ms2, False, grab)
    return captured["h"], captured["dh"], ms2 / (mu1 * mu1), Fraction(3), solver.q_last


def test_perturbed_root_fails_a_tight_bracket():
    """A root claimed to full precision but off by 1e-20 relative: the interval Newton test on the claimed
    bracket fails; the true root passes it."""
    with workprec(140), mpmath.workprec(140):
        h, dh, t, psi, q = _branch_setup()
        with pytest.raises(NotProven):
            RF._ball_newton(h, dh, q * (1 + mpmath.mpf(10) ** -20), rel=Fraction(1, 2**100))
        assert (RF._ball_newton(h, dh, q, rel=Fraction(1, 2**100)) > 0) is True


def test_perturbed_start_is_not_trusted(monkeypatch):
    """The proof only starts from the solver's root: a start 1e-20 off still gives an enclosure of the true value
    (the ladder at 60 digits), and one that excludes the value at the perturbed root."""
    args = ("2", "3", "0.1", "relu", 1, FSTAR2, TAU2)
    with ladder_only():
        ref = RF.chi(*args, dps=60)
    _start_at(monkeypatch, lambda q: q * (1 + mpmath.mpf(10) ** -20))
    r = RF.chi(*args)
    assert r.proven is True and _contains(r, ref.value)
    with mpmath.workdps(60):
        assert not _contains(r, ref.value * (1 + mpmath.mpf(10) ** -20))  # χ = −tq at the perturbed root


def test_wrong_branch_is_not_proven(monkeypatch):
    """h has a second real root q ≈ 26.02 > q_max (there ψ − G < 0, ν off the upper half plane): started there,
    interval Newton proves that root, and the branch check rejects it."""
    with workprec(140), mpmath.workprec(140):
        h, dh, t, psi, q = _branch_setup()
        other = mpmath.findroot(_h_mp, mpmath.mpf(26))
        assert abs(other - 26) < 1
        with pytest.raises(NotProven, match="branch"):
            RF._proven_root(h, dh, None, None, x0=other, t=t, psi_max=psi)
        assert (RF._proven_root(h, dh, None, None, x0=q, t=t, psi_max=psi)[0] > 0) is True
    _start_at(monkeypatch, lambda q: mpmath.findroot(_h_mp, mpmath.mpf(26)))
    r = RF.risk("2", "3", "0.1", "relu")
    assert r.proven is False and r.enclosure is None


def test_callable_activation_is_not_proven():
    act = from_callable(lambda x: mpmath.log(1 + mpmath.exp(x)), name="softplus_callable")
    r = RF.risk(2, 3, "0.1", act, dps=20)
    assert r.proven is False and r.enclosure is None
    with ladder_only():
        assert RF.risk(2, 3, "0.1", act, dps=20).value == r.value


# ----------------------------------------------------------------------------- (3) widths shrink with dps
@pytest.mark.parametrize(
    ("act", "psi1", "psi2", "lam"), [("relu", "2", "3", "0.1"), ("relu", "2", "2", "1e-20"), ("abs", "inf", "2", "0.1")]
)
def test_width_shrinks_with_dps(act, psi1, psi2, lam):
    for q in ("risk", "chi"):
        lo20, hi20 = _bounds(_proven(q, psi1, psi2, lam, act, 1, FSTAR2, TAU2, dps=20))
        lo50, hi50 = _bounds(_proven(q, psi1, psi2, lam, act, 1, FSTAR2, TAU2, dps=50))
        w20, w50 = hi20 - lo20, hi50 - lo50
        # 30 more digits: at least 20 decades narrower (each proof adds its own guard bits, so not exactly 30)
        assert 0 < w50 < w20 * Fraction(1, 10**20) and lo20 <= lo50 <= hi50 <= hi20


# ----------------------------------------------------------------------------- (4) float64 never contradicts
def test_float64_status_ok_agrees_with_enclosure():
    grid = [
        (a, p1, p2, lam)
        for a in ("relu", "abs", "linear")
        for p1 in ("0.3", "2", "inf")
        for p2 in ("0.5", "2", "inf")
        for lam in ("0", "1e-3", "10")
    ]
    checked = 0
    for act, p1, p2, lam in grid:
        if p1 == p2 == "inf":
            continue
        for q in QUANTITIES:
            v, s = RF.curve_values(q, float(p1), float(p2), float(lam), act, 1.0, 0.1, 0.25)
            if int(s) != STATUS_OK:
                continue
            r = _proven(q, p1, p2, lam, act, 1, FSTAR2, TAU2)
            lo, hi = _bounds(r)
            x = Fraction(float(v))
            gap = max(lo - x, x - hi, 0)
            assert gap <= Fraction(1, 10**6) * abs(x) + Fraction(1, 10**300), (act, p1, p2, lam, q, float(v), r.enclosure)
            checked += 1
    assert checked > 100


# ----------------------------------------------------------------------------- (5) JSON
def test_json_has_proven_enclosure():
    """``--json``: ``proven: true``, ``lo ≤ mid ≤ hi``, and the printed value within one unit of its last digit."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["eval", "rf", "risk", "psi1=2", "psi2=3", "lam=0.1", "tau2=0.25", "--json"])
    assert rc == 0
    d = json.loads(out.getvalue())
    assert d["proven"] is True
    e = d["enclosure"]
    lo, hi, mid, value = Fraction(e["lo"]), Fraction(e["hi"]), Fraction(e["mid"]), Fraction(d["value"])
    assert lo <= mid <= hi and hi - lo < Fraction(1, 10**30) * value
    # the printed 30 digits (0.444…: last digit 1e-30) round the ball: within one unit of every point of it
    unit = Fraction(1, 10**30)
    assert hi - value <= unit and value - lo <= unit


def test_proof_flags_in_registry():
    from asymptotics.models import get_model

    m = get_model("rf")
    for q in (*QUANTITIES, *RF.COEFFICIENTS):
        assert m.quantity(q).proof == "partial" and m.quantity(q).proof_note
