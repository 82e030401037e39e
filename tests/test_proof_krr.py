"""Proven digits for kernel ridge regression (issue 15): enclosures, failing proofs, widths, float64 consistency.

Independent values: mpmath quadrature of the Funk–Hecke integral (not the Bessel closed form), the
binomial formula of B(d, ℓ), a direct ``mpmath.findroot`` of the full κ equation of a polynomial kernel
(finitely many exact levels), and the precision ladder at 60 digits (``ladder_only``).
"""

from __future__ import annotations

import json
import math
import types
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.cli import main
from asymptotics.models import krr
from asymptotics.precision import ladder_only


def inside(result, value) -> bool:
    """``lo ≤ value ≤ hi`` exactly (decimal strings of the enclosure against an mpmath number)."""
    enc = result.enclosure
    if not isinstance(value, Fraction):
        with mpmath.workdps(90):  # the value's own digits (never rounded to the ambient 53 bits)
            value = Fraction(mpmath.nstr(value, 80, strip_zeros=False))
    v = value
    lo, hi = Fraction(enc.lo), Fraction(enc.hi)
    # the 80-digit rendering of an independent value may sit a unit of its 80th digit outside: allow that
    slack = abs(v) * Fraction(1, 10**78)
    return lo - slack <= v <= hi + slack


DE_POINTS = [
    dict(d=20, n=500, kernel="exp", lam="0.1", F="0,1,0.5", sigma2="0.1"),
    dict(d=10, n=300, kernel="exp:2", lam="1e-3", F="1,1,1", sigma2="0.2", domain="hypercube"),
    dict(d=8, n=50, kernel="coef:1,0,1", lam="0.01", F="0,1,1"),
    dict(d=5, n=10, kernel="poly:2", lam=0, F="0,1,1", sigma2="0.5"),  # ridgeless, more directions than n
    dict(d=4, n="1e4", kernel="exp", lam="1e-12", F="0,1"),  # deep in the tail
    dict(d=50, n=3, kernel="exp:1/2", lam="10", F="1,0,1", sigma2="2"),
    dict(d=3, n=500, kernel="exp", lam=0, F="0,1"),  # ridgeless: κ ≈ 3e-26 far below h(1), a tail of 27 levels
]


@pytest.mark.parametrize("point", DE_POINTS)
@pytest.mark.parametrize("quantity", ["risk", "kappa", "train_error", "bias", "variance"])
def test_de_enclosure_contains_ladder_at_60_digits(point, quantity):
    r = getattr(krr, quantity)(**point)
    assert r.proven is True
    with ladder_only():
        ref = getattr(krr, quantity)(**point, dps=60)
    assert ref.proven is False
    assert inside(r, ref.value)


def _poly_kappa(d: int, n: int, lam: Fraction, coefs: list[int]) -> mpmath.mpf:
    """κ of a polynomial kernel by ``findroot`` on the full equation κ = λ + κ Σ Bμ/(nμ+κ) (levels from exact moments)."""
    import sympy as sp

    s = sp.Symbol("s")
    h = sum(c * s**k for k, c in enumerate(coefs))

    def mu(ell: int) -> sp.Rational:  # E[h(s) Q_ℓ(s)] with Q_ℓ from the Gegenbauer recurrence, exact
        a, b = sp.Integer(1), s
        q = a if ell == 0 else b
        for k in range(1, ell):
            a, b = b, sp.expand(((2 * k + d - 2) * s * b - k * a) / sp.Integer(k + d - 2))
            q = b
        poly = sp.Poly(sp.expand(h * q), s)
        tot = sp.Integer(0)
        for (k,), c in poly.terms():
            if k % 2 == 0:
                m = sp.Integer(1)
                for j in range(k // 2):
                    m *= sp.Rational(2 * j + 1, d + 2 * j)
                tot += c * m
        return tot

    def count(ell: int) -> int:
        return math.comb(d + ell - 1, ell) - (math.comb(d + ell - 3, ell - 2) if ell >= 2 else 0)

    levels = [(count(ell), mu(ell)) for ell in range(len(coefs))]
    with mpmath.workdps(60):
        terms = [(b, mpmath.mpf(m.p) / m.q) for b, m in levels if m != 0]
        f = lambda k: k - mpmath.mpf(lam.numerator) / lam.denominator - k * mpmath.fsum(b * m / (n * m + k) for b, m in terms)  # noqa: E731
        return mpmath.findroot(f, mpmath.mpf("0.5"))


def test_polynomial_kappa_contains_independent_root():
    r = krr.kappa(8, 50, "coef:1,0,1", "0.01", "0,1,1")
    assert r.proven
    assert inside(r, _poly_kappa(8, 50, Fraction(1, 100), [1, 0, 1]))


@pytest.mark.parametrize("d,ell", [(5, 0), (5, 3), (20, 2), (7, 9)])
def test_exp_eigenvalue_contains_quadrature(d, ell):
    r = krr.eigenvalue(d, ell, "exp")
    assert r.proven
    with mpmath.workdps(60):

        def q(s):  # Gegenbauer Q_ℓ by its recurrence, inside the integrand
            a, b = 1, s
            if ell == 0:
                return a
            for k in range(1, ell):
                a, b = b, ((2 * k + d - 2) * s * b - k * a) / (k + d - 2)
            return b

        num = mpmath.quad(lambda t: mpmath.exp(mpmath.cos(t)) * q(mpmath.cos(t)) * mpmath.sin(t) ** (d - 2), [0, mpmath.pi])
        den = mpmath.quad(lambda t: mpmath.sin(t) ** (d - 2), [0, mpmath.pi])
        assert inside(r, num / den)


def test_multiplicity_exact_and_staircase_exact():
    r = krr.multiplicity(30, 4)
    assert r.proven and Fraction(r.enclosure.lo) == Fraction(r.enclosure.hi) == math.comb(33, 4) - math.comb(31, 2)
    s = krr.staircase("2.5", "0,1,0.5,0.25,0.125")
    assert s.proven and Fraction(s.enclosure.lo) == Fraction(s.enclosure.hi) == Fraction(3, 8)


def test_xi_and_asymptotic_risk_proven():
    x = krr.xi(2, "relu_nngp")
    with mpmath.workdps(90):
        quarter_pi = 1 / (4 * mpmath.pi)  # h''(0)/2 = 1/(4π) for (sqrt(1-s²) + (π - acos s)s)/(2π)
    assert x.proven and inside(x, quarter_pi)
    r = krr.risk_asymptotic(alpha=2, level=1, kernel="exp", lam="0.1", F="0,1,0.5", sigma2="0.1")
    with ladder_only():
        ref = krr.risk_asymptotic(alpha=2, level=1, kernel="exp", lam="0.1", F="0,1,0.5", sigma2="0.1", dps=60)
    assert r.proven and inside(r, ref.value)


def _funk_hecke_theta(h, d: int, ell: int, dps: int = 60):
    """Independent ``E[h(s)Q_ℓ(s)]``: mpmath quadrature in θ (``s = cos θ``, weight ``sin^{d−2}θ``), ``Q_ℓ`` by its
    recurrence; the code under test integrates in ``s`` and ``t = √(1 ∓ s)`` with Arb instead."""
    with mpmath.workdps(dps):

        def q(s):
            a, b = 1, s
            if ell == 0:
                return a
            for k in range(1, ell):
                a, b = b, ((2 * k + d - 2) * s * b - k * a) / (k + d - 2)
            return b

        def g(t):
            c = mpmath.cos(t)
            return h(t, c) * q(c) * mpmath.sin(t) ** (d - 2)

        num = mpmath.quad(g, [0, mpmath.pi / 2, mpmath.pi])
        den = mpmath.quad(lambda t: mpmath.sin(t) ** (d - 2), [0, mpmath.pi])
        return num / den


TEXT_EIGEN = [  # (kernel, h(θ, cos θ) for the reference, d, level): even and odd d (the weight's sqrt), d = 2
    ("exp(s/2)+s**2", lambda t, c: mpmath.exp(c / 2) + c**2, 7, 4),
    ("exp(s)/2+s**3", lambda t, c: mpmath.exp(c) / 2 + c**3, 20, 3),
    ("atan(s)+cosh(s)", lambda t, c: mpmath.atan(c) + mpmath.cosh(c), 4, 6),
    ("sqrt(2+s)*exp(s)", lambda t, c: mpmath.sqrt(2 + c) * mpmath.exp(c), 3, 1),
    ("exp(s)", lambda t, c: mpmath.exp(c), 2, 5),  # the ladder of the named kernel: Bessel closed form
    ("tanh(s)", lambda t, c: mpmath.tanh(c), 9, 11),
]


@pytest.mark.parametrize("kernel,h,d,ell", TEXT_EIGEN)
def test_text_kernel_sphere_eigenvalue_proven_and_contains_references(kernel, h, d, ell):
    r = krr.eigenvalue(d, ell, kernel)
    assert r.proven is True
    assert inside(r, _funk_hecke_theta(h, d, ell))
    with ladder_only():  # d = 2: the quadrature ladder at 60 digits is slow (weight singular at ±1)
        ref = krr.eigenvalue(d, ell, "exp" if d == 2 else kernel, dps=60)
    assert inside(r, ref.value)


def test_text_kernel_without_ball_evaluator_is_not_claimed():
    r = krr.eigenvalue(7, 3, "asin(s)")  # compile_ball has no arcsin: no rigorous route is claimed
    assert r.proven is False and r.enclosure is None
    c = krr.eigenvalue(7, 4, "exp(s/2)+s**2", domain="hypercube")  # a finite Kravchuk sum: proven
    assert c.proven


def test_text_eigenvalue_width_shrinks_with_dps():
    lo = krr.eigenvalue(7, 4, "exp(s/3)+s**2", dps=20)  # a kernel no other test uses (balls are cached by precision)
    hi = krr.eigenvalue(7, 4, "exp(s/3)+s**2", dps=50)
    assert lo.proven and hi.proven
    assert Fraction(hi.enclosure.rad) < Fraction(lo.enclosure.rad) * Fraction(1, 10**25)


@pytest.mark.parametrize("d", [2, 5, 40])
@pytest.mark.parametrize("name", ["relu_nngp", "relu_ntk"])
def test_relu_second_moment_on_the_sphere(name, d):
    """``E h²`` of relu_* (the gap that blocked their finite-d proof) against θ-quadrature of the closed form in θ."""
    from asymptotics.ball import workprec
    from asymptotics.kernels import get_kernel

    def h(t, c):
        v = (mpmath.sin(t) + (mpmath.pi - t) * c) / (2 * mpmath.pi)
        return v + (c * (mpmath.pi - t) / (2 * mpmath.pi) if name == "relu_ntk" else 0)

    from asymptotics.ball import enclosure

    with workprec(160):
        enc = enclosure(get_kernel(name).ball_second_moment(d), 40)
    ref = _funk_hecke_theta(lambda t, c: h(t, c) ** 2, d, 0)
    assert inside(types.SimpleNamespace(enclosure=enc), ref)
    assert Fraction(enc.hi) - Fraction(enc.lo) < Fraction(1, 10**38) * Fraction(enc.hi)


TEXT_DE = [
    dict(d=100, n=30, kernel="exp(s)/2+s**3", lam=1, F="0,1,0.5", sigma2="0.1"),
    dict(d=40, n=200, kernel="relu_nngp", lam="0.1", F="0,1,0.5", sigma2="0.1"),
]


@pytest.mark.parametrize("point", TEXT_DE)
def test_text_and_relu_de_proven_contains_ladder(point):
    dps = 15  # the ladder reference at 2·dps: quadrature levels (text) or power-law levels (relu) are slow beyond
    from asymptotics.kernels import quadrature_budget

    with quadrature_budget(600):  # wall-clock guard only: this machine may be loaded
        r = krr.risk(**point, dps=dps)
        assert r.proven is True
        with ladder_only():
            ref = krr.risk(**point, dps=2 * dps)
    assert inside(r, ref.value)


def test_perturbed_root_fails(monkeypatch):
    real = krr._solve_mp

    def perturbed(pr, state=None):
        out, res = real(pr, state)
        out = dict(out)
        out["kappa"] = out["kappa"] * (1 + mpmath.mpf("1e-20"))
        return out, res

    monkeypatch.setattr(krr, "_solve_mp", perturbed)
    r = krr.kappa(20, 500, "exp", "0.1", "0,1,0.5", "0.1")
    assert r.proven is False


def test_wrong_branch_fails(monkeypatch):
    real = krr._solve_mp

    def negative(pr, state=None):
        out, res = real(pr, state)
        out = dict(out)
        out["kappa"] = -out["kappa"]  # the other sign: no root of the increasing equation there
        return out, res

    monkeypatch.setattr(krr, "_solve_mp", negative)
    from asymptotics.ball import NotProven, workprec

    pr = krr.KRRParams(20, 500, "exp", "0.1", "0,1,0.5", "0.1")
    with workprec(160), pytest.raises(NotProven):
        krr._solve_ball(pr, "kappa", {}, 30)


def test_widths_shrink_with_dps():
    lo = krr.risk(20, 500, "exp", "0.1", "0,1,0.5", "0.1", dps=20)
    hi = krr.risk(20, 500, "exp", "0.1", "0,1,0.5", "0.1", dps=50)
    assert lo.proven and hi.proven
    assert Fraction(hi.enclosure.rad) < Fraction(lo.enclosure.rad) * Fraction(1, 10**20)


@pytest.mark.parametrize("quantity", ["risk", "kappa", "train_error"])
def test_float64_status0_within_enclosure(quantity):
    ns = np.array([50.0, 500.0, 3000.0])
    vals, status = krr.curve_values(quantity, 20, ns, "exp", 0.1, "0,1,0.5", 0.1)
    for n, v, st in zip(ns, vals, status, strict=True):
        r = getattr(krr, quantity)(20, int(n), "exp", "0.1", "0,1,0.5", "0.1")
        assert r.proven
        if st == 0:
            assert abs(v - float(r.value)) <= 1e-6 * abs(float(r.value))
            assert float(Fraction(r.enclosure.lo)) * (1 - 1e-6) <= v <= float(Fraction(r.enclosure.hi)) * (1 + 1e-6)


def test_cli_json_proven(capsys):
    rc = main(["eval", "krr", "risk", "d=20", "n=500", "kernel=exp", "lam=0.1", "F=0,1,0.5", "sigma2=0.1", "--json"])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["proven"] is True
    lo, hi, v = Fraction(d["enclosure"]["lo"]), Fraction(d["enclosure"]["hi"]), Fraction(d["value"])
    unit = Fraction(1, 10**31)  # one unit of the 30th digit of 0.0929...: the printed value is rounded
    assert lo - unit <= v <= hi + unit and hi - lo < unit


def test_relu_perturbed_root_fails(monkeypatch):
    real = krr._solve_mp

    def perturbed(pr, state=None):
        out, res = real(pr, state)
        out = dict(out)
        # outside the widest bracket tried at dps 15 (1e-18 relative): no sign change around it
        out["kappa"] = out["kappa"] * (1 - mpmath.mpf("1e-12"))
        return out, res

    monkeypatch.setattr(krr, "_solve_mp", perturbed)
    assert krr.kappa(**TEXT_DE[1], dps=15).proven is False


def test_relu_float64_status0_within_enclosure():
    p = TEXT_DE[1]
    vals, status = krr.curve_values("risk", p["d"], np.array([float(p["n"])]), p["kernel"], 0.1, p["F"], 0.1)
    r = krr.risk(**p, dps=15)
    assert r.proven and status[0] == 0
    lo, hi = float(Fraction(r.enclosure.lo)), float(Fraction(r.enclosure.hi))
    assert lo * (1 - 1e-6) <= vals[0] <= hi * (1 + 1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tailed_sums_match_the_direct_formulas(seed):
    """``_TailedSums`` (ridge's sums ÷ γ plus the tail) against the all-level sums written out directly (the formulas
    the first pass had in ``_solve_ball``): ``1 − (1/n)ΣBp = 1 − γΣwp − t_p``, ``γΣwqp + t_qp``, ``γΣwp² + t_pp``."""
    from asymptotics.ball import AB
    from asymptotics.models import ridge

    rng = np.random.default_rng(seed)
    m = 3
    s = [AB.num(Fraction(int(x), 1000)) for x in rng.integers(1, 1000, m)]
    counts = [int(c) for c in rng.integers(1, 30, m)]
    b = [AB.num(Fraction(int(x), 100)) for x in rng.integers(0, 100, m)]
    p, n_q = sum(counts), Fraction(int(rng.integers(5, 200)))
    w = [AB.num(Fraction(c, p)) for c in counts]
    n, g = AB.num(n_q), AB.num(Fraction(p) / n_q)
    t1, t2 = AB.num(Fraction(1, 50)), AB.num(Fraction(1, 5000))
    t3 = AB.num(Fraction(1, 500000))
    k = AB.num(Fraction(int(rng.integers(1, 100)), 1000))
    sums = krr._TailedSums((s, w, b), (t1, t2, t3), n, g)
    wq, wp, wqp = sums.slack(k)
    wpp, bsqq = sums.final(k)
    tp, tqp, tpp = krr._tail_terms(AB, t1, t2, t3, k, n)
    direct_p = AB.fsum(c * si / (si + k) for c, si in zip(counts, s, strict=True)) / n
    direct_qp = AB.fsum(c * si * k / (si + k) ** 2 for c, si in zip(counts, s, strict=True)) / n
    direct_pp = AB.fsum(c * si * si / (si + k) ** 2 for c, si in zip(counts, s, strict=True)) / n
    direct_b = AB.fsum(bi * si * k * k / (si + k) ** 2 for bi, si in zip(b, s, strict=True))  # F² q² per level
    pairs = [(1 - g * wp, 1 - direct_p - tp), (1 - g + g * wq, 1 - direct_p - tp), (g * wqp, direct_qp + tqp),
             (g * wpp, direct_pp + tpp), (bsqq, direct_b)]
    for got, want in pairs:
        assert got.v.overlaps(want.v)
        # the same interval up to rounding (÷γ then ×γ): midpoints and radii agree far below the tail's width
        assert abs(float(got.v.mid()) - float(want.v.mid())) <= 1e-9 * (1 + float(want.v.rad()))
        assert abs(float(got.v.rad()) - float(want.v.rad())) <= 1e-9 * (1 + float(want.v.rad()))
    h, _, _ = ridge._kappa_equation(AB, ridge._PowerBlocks(sums, AB.num(1)), g, AB.num(1 - Fraction(p) / n_q), AB.num(0))
    assert h(k).v.overlaps((1 - direct_p - tp).v)


# ----------------------------------------------------------------------------- the ball route without the mp quadrature
BUDGET_POINTS = [  # the Funk–Hecke quadrature of the ladder exceeds its 10 s budget at these d (issue 15, follow-up 2)
    dict(d=59, n=1416, kernel="exp(s)/2+s**2", lam="0", F="0,1,0.5", sigma2="121"),
    dict(d=54, n=2300, kernel="exp(s)/2+s**2", lam="0.408", F="0,1,0.5", sigma2="10.7"),
]


def _exp_half_plus_square_reference(d, n, lam, F, sigma2, levels=60, dps=80):
    """Independent κ, risk and bias for ``h = e^s/2 + s²`` on the sphere, all levels.

    Eigenvalues from the Bessel closed form of ``e^s`` (``Γ(d/2)2^{d/2−1}I_{d/2−1+ℓ}(1)``, halved) plus ``s² =
    1/d + (1 − 1/d)Q₂(s)`` (levels 0 and 2); κ by bisection in log scale on the increasing ``1 − λ/κ − Σ Bμ/(nμ+κ)``;
    the risk in the eigenlearning form ``E₀ = n/(n − Σ B L²)``, ``L = nμ/(nμ+κ)``: bias ``E₀Σ(1−L)²F²``, risk
    ``bias + σ²(E₀ − 1)``.  The code under test integrates Funk–Hecke on balls and runs ridge's equivalent."""
    with mpmath.workdps(dps):

        def q(x):
            x = Fraction(x)
            return mpmath.mpf(x.numerator) / x.denominator

        def count(ell):
            return math.comb(d + ell - 1, ell) - (math.comb(d + ell - 3, ell - 2) if ell >= 2 else 0)

        nu = mpmath.mpf(d - 2) / 2

        def mu(ell):
            v = mpmath.gamma(mpmath.mpf(d) / 2) * 2**nu * mpmath.besseli(nu + ell, 1) / 2
            if ell == 0:
                v += mpmath.mpf(1) / d
            if ell == 2:
                v += (1 - mpmath.mpf(1) / d) / count(2)
            return v

        rows = [(count(ell), mu(ell)) for ell in range(levels)]
        n, lam, sigma2 = q(n), q(lam), q(sigma2)

        def g(k):
            return 1 - lam / k - mpmath.fsum(b * m / (n * m + k) for b, m in rows)

        lo, hi = mpmath.mpf(10) ** -40, mpmath.mpf(10) ** 4
        for _ in range(400):
            mid = mpmath.sqrt(lo * hi)
            lo, hi = (mid, hi) if g(mid) < 0 else (lo, mid)
        k = mpmath.sqrt(lo * hi)
        learn = [n * m / (n * m + k) for _, m in rows]
        e0 = n / (n - mpmath.fsum(b * x * x for (b, _), x in zip(rows, learn, strict=True)))
        energies = [q(f) for f in F.split(",")] + [0] * (levels - len(F.split(",")))
        bias = e0 * mpmath.fsum((1 - x) ** 2 * f for x, f in zip(learn, energies, strict=True))
        return {"kappa": k, "bias": bias, "risk": bias + sigma2 * (e0 - 1)}


def test_reference_of_the_budget_points_matches_the_ladder_where_it_runs():
    """The reference above, checked against the ladder at a small d where its quadrature is fast."""
    point = dict(d=5, n=100, kernel="exp(s)/2+s**2", lam="0.05", F="0,1,0.5", sigma2="2")
    ref = _exp_half_plus_square_reference(5, 100, "0.05", "0,1,0.5", "2")
    from asymptotics.kernels import quadrature_budget

    with ladder_only(), quadrature_budget(600):  # wall-clock guard only: this machine may be loaded
        r = krr.risk(**point, dps=20)
    assert abs(r.value - ref["risk"]) <= mpmath.mpf(10) ** -18 * ref["risk"]


def test_budget_point_as_in_the_issue_is_proven():
    """The request of the issue, with the default 10 s quadrature budget: proven from the ball route alone."""
    from asymptotics.models import get_model

    p = BUDGET_POINTS[0]
    r = get_model("krr").quantity("risk").certified(**p)
    assert r.proven is True and r.extra["levels"] > 2
    ref = _exp_half_plus_square_reference(p["d"], p["n"], p["lam"], p["F"], p["sigma2"])
    assert inside(r, ref["risk"])


@pytest.fixture
def slow_machine_ball_fallback(monkeypatch):
    """The ball-only fallback may run QUAD_BUDGET_S/2 past the quadrature deadline; these tests force the
    fallback with ``quadrature_budget(0)`` and must not depend on the machine's load (a loaded CI runner
    took more than 5 s at dps 50): give the fallback 300 s."""
    from asymptotics import kernels

    monkeypatch.setattr(kernels, "QUAD_BUDGET_S", 600.0)


@pytest.mark.parametrize("point", BUDGET_POINTS)
@pytest.mark.parametrize("quantity", ["risk", "kappa", "bias"])
def test_budget_points_proven_and_contain_reference(point, quantity, slow_machine_ball_fallback):
    from asymptotics.kernels import quadrature_budget

    with quadrature_budget(0):  # the mp quadrature fails at once: the levels and κ come from the ball midpoints
        r = getattr(krr, quantity)(**point)
    assert r.proven is True
    ref = _exp_half_plus_square_reference(point["d"], point["n"], point["lam"], point["F"], point["sigma2"])
    assert inside(r, ref[quantity])


def test_budget_point_perturbed_root_fails(monkeypatch, slow_machine_ball_fallback):
    from asymptotics.ball import NotProven, workprec
    from asymptotics.kernels import quadrature_budget

    pr = krr.KRRParams(**BUDGET_POINTS[1])
    with workprec(160), quadrature_budget(0):
        assert krr._solve_ball(pr, "kappa", {}, 30)[0].v.is_finite()  # the unperturbed route proves it
    real = krr._solve_mp

    def perturbed(pr, state=None, source=None):
        out, res = real(pr, state, source)
        assert source is not None  # only the ball-midpoint solve runs here
        out = dict(out)
        out["kappa"] = out["kappa"] * (1 + mpmath.mpf("1e-20"))
        return out, res

    monkeypatch.setattr(krr, "_solve_mp", perturbed)
    with workprec(160), quadrature_budget(0), pytest.raises(NotProven):
        krr._solve_ball(pr, "kappa", {}, 30)


def test_budget_point_widths_shrink_with_dps(slow_machine_ball_fallback):
    from asymptotics.kernels import quadrature_budget

    with quadrature_budget(0):
        lo = krr.risk(**BUDGET_POINTS[1], dps=20)
        hi = krr.risk(**BUDGET_POINTS[1], dps=50)
    assert lo.proven and hi.proven
    assert Fraction(hi.enclosure.rad) < Fraction(lo.enclosure.rad) * Fraction(1, 10**25)
    ref = _exp_half_plus_square_reference(**{k: v for k, v in BUDGET_POINTS[1].items() if k != "kernel"}, dps=90)
    assert inside(hi, ref["risk"])
