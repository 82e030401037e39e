"""Proven digits for the Marchenko–Pastur law (issue 15): enclosures, branch proofs, widths, float64, JSON.

Every expected number comes from an independent route: a closed form written in this file
(``(√17 − 3)/2``, ``√3/(2π)``, ``1/2 + 1/π``, Catalan and Narayana numbers in exact fractions, the
perfect-square edges), a quadrature of the density with mpmath (plus the atom), or the precision
ladder at 80 digits (``with ladder_only(): ... dps=80``).  An enclosure must *contain* the
independent value; a wrong branch or a perturbed root must make the proof fail.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import pytest
from mpmath import mp

from asymptotics._validate import exact_str
from asymptotics.ball import Ball, NotProven, workprec
from asymptotics.cli import main
from asymptotics.models import REGISTRY
from asymptotics.models import marchenko_pastur as M
from asymptotics.precision import ladder_only

_COMPLEX = re.compile(r"(.+?)([+-][^+-]+(?:e[+-]?\d+)?)j")


def _parts(text: str) -> tuple[mpmath.mpf, mpmath.mpf]:
    """An enclosure corner ``re±imj`` (or a real bound) as two mpf at the current precision."""
    m = _COMPLEX.fullmatch(text)
    if m is None:
        return mpmath.mpf(text), mpmath.mpf(0)
    return mpmath.mpf(m.group(1)), mpmath.mpf(m.group(2))


def _contains(enc, ref) -> bool:
    """Whether the enclosure ``enc`` contains the number ``ref`` (real or complex), at 120 digits."""
    with mp.workdps(120):
        (rl, il), (rh, ih) = _parts(enc.lo), _parts(enc.hi)
        ref = mpmath.mpmathify(ref)
        re_, im_ = (ref.real, ref.imag) if isinstance(ref, mpmath.mpc) else (ref, mpmath.mpf(0))
        return bool(rl <= re_ <= rh and il <= im_ <= ih)


def _contains_fraction(enc, exact: Fraction) -> bool:
    return Fraction(enc.lo) <= exact <= Fraction(enc.hi)


def _m_quad(z, gamma, sigma2=1):
    """m(z) by quadrature of the density (x = mid + half·sin t) plus the atom, at the current precision."""
    g, s2 = mpmath.mpf(gamma), mpmath.mpf(sigma2)
    a, b = s2 * (1 - mpmath.sqrt(g)) ** 2, s2 * (1 + mpmath.sqrt(g)) ** 2
    z = mpmath.mpmathify(z)

    def f(t):
        s = mpmath.sin(t)
        x = (a + b) / 2 + (b - a) / 2 * s
        # √((b−x)(x−a))·dx/dt / x = ((b−a)/2)² cos²t / x; at γ = 1 (a = 0) this is (b/2)(1 − sin t)
        w = b / 2 * (1 - s) if a == 0 else ((b - a) / 2) ** 2 * (1 - s) * (1 + s) / x
        return w / (2 * mpmath.pi * s2 * g) / (x - z)

    atom = (1 - 1 / g) / (0 - z) if g > 1 else 0
    return mpmath.quad(f, [-mpmath.pi / 2, 0, mpmath.pi / 2]) + atom


def _ladder(fn, *args, dps=80):
    with ladder_only():
        return fn(*args, dps=dps).value


# ---------------------------------------------------------------- (1) containment: closed forms
def test_stieltjes_closed_form_sqrt17():
    r = M.stieltjes(-1, "0.5", dps=30)
    assert r.proven and r.enclosure is not None
    with mp.workdps(80):
        assert _contains(r.enclosure, (mpmath.sqrt(17) - 3) / 2)


@pytest.mark.parametrize(
    ("z", "gamma", "sigma2"),
    [("1+0.5j", "0.5", "1"), ("0.4+0.2j", "3", "1"), ("-2+1j", "1", "1"), ("3-0.25j", "2", "0.5"), ("-0.5", "4", "1")],
)
def test_stieltjes_and_companion_contain_quadrature(z, gamma, sigma2):
    with mp.workdps(60):
        m = _m_quad(z, gamma, sigma2)
        zz, g = mpmath.mpmathify(z), mpmath.mpf(gamma)
        mt = g * m - (1 - g) / zz  # the companion identity
    r, c = M.stieltjes(z, gamma, sigma2, dps=30), M.companion(z, gamma, sigma2, dps=30)
    assert r.proven and c.proven
    assert _contains(r.enclosure, m)
    assert _contains(c.enclosure, mt)


def test_density_and_cdf_closed_forms_at_gamma_one():
    # γ = 1, σ² = 1: density √(x(4−x))/(2πx); with x = 4 sin²θ the CDF is (2/π)(θ + sin θ cos θ)
    d, c = M.density(1, 1, dps=40), M.cdf(2, 1, dps=40)
    assert d.proven and c.proven
    with mp.workdps(80):
        assert _contains(d.enclosure, mpmath.sqrt(3) / (2 * mpmath.pi))
        assert _contains(c.enclosure, mpmath.mpf(1) / 2 + 1 / mpmath.pi)
        theta = mpmath.asin(mpmath.sqrt(mpmath.mpf("0.001")) / 2)  # x = 0.001, near the hard edge
        assert _contains(M.cdf("0.001", 1, dps=30).enclosure, 2 / mpmath.pi * (theta + mpmath.sin(theta) * mpmath.cos(theta)))
    h = M.density(0, 1, dps=30)  # the hard edge: exactly +inf, proven
    assert h.proven and mpmath.isinf(h.value)


@pytest.mark.parametrize(("x", "gamma", "sigma2"), [("1", "0.5", "1"), ("3", "2", "1"), ("0.9", "3", "0.5"), ("1e-6", "1", "2")])
def test_cdf_contains_quadrature_of_the_density(x, gamma, sigma2):
    r = M.cdf(x, gamma, sigma2, dps=30)
    assert r.proven
    with mp.workdps(60):
        g, s2, xx = mpmath.mpf(gamma), mpmath.mpf(sigma2), mpmath.mpf(x)
        a, b = s2 * (1 - mpmath.sqrt(g)) ** 2, s2 * (1 + mpmath.sqrt(g)) ** 2

        # x = mid + half·sin t: the density times dx/dt is ((b−a)/2)² cos²t / (2πσ²γx), (b/2)(1 − sin t) at γ = 1
        def f(t):
            s = mpmath.sin(t)
            y = (a + b) / 2 + (b - a) / 2 * s
            w = b / 2 * (1 - s) if a == 0 else ((b - a) / 2) ** 2 * (1 - s) * (1 + s) / y
            return w / (2 * mpmath.pi * s2 * g)

        t1 = mpmath.asin((2 * xx - a - b) / (b - a))
        ref = mpmath.quad(f, [-mpmath.pi / 2, t1]) + (1 - 1 / g if g > 1 else 0)
        assert _contains(r.enclosure, ref)


def test_atom_and_exact_regions():
    # γ = 3: the atom 1 − 1/γ = 2/3 on [0, a); outside the support the density is exactly 0
    for x in ("0", "0.5", "1e-30"):
        r = M.cdf(x, 3, dps=30)
        assert r.proven and _contains_fraction(r.enclosure, Fraction(2, 3))
    r = M.cdf("-1e-30", 3, dps=30)
    assert r.proven and r.value == 0 and r.enclosure.lo == r.enclosure.hi == "0"
    # γ = 1/4: edges exactly 1/4 and 9/4; at an edge the density is 0 and the CDF 0 / 1
    assert M.density("0.25", "0.25").value == 0 and M.density("2.25", "0.25").value == 0
    assert M.cdf("0.25", "0.25").enclosure.hi == "0" and M.cdf("2.25", "0.25").enclosure.lo == "1"
    # γ = 1/9: a = 4/9 is not dyadic, the region is still decided exactly
    d = M.density(Fraction(4, 9), Fraction(1, 9))
    assert d.proven and d.value == 0


def test_edges_exact_and_gamma_one():
    e = M.edges(4, "0.25", dps=30)  # σ²(1 ∓ 2)² / 4 = 1/4, 9/4
    assert e.proven and [x.lo for x in e.enclosure] == ["0.25", "2.25"] == [x.hi for x in e.enclosure]
    e = M.edges(1, 3, dps=30)  # a = 0 exactly at γ = 1
    assert e.proven and e.value[0] == 0 and e.enclosure[0].hi == "0" and _contains_fraction(e.enclosure[1], Fraction(12))
    e = M.edges("1.0000000000000000000000000000001", dps=30)  # a = 1e-62/(1+√γ)², no cancellation
    with mp.workdps(100):
        g = mpmath.mpf(1) + mpmath.mpf(10) ** -31
        assert _contains(e.enclosure[0], (1 - mpmath.sqrt(g)) ** 2)
        assert _contains(e.enclosure[1], (1 + mpmath.sqrt(g)) ** 2)


def test_moments_contain_narayana_and_catalan():
    for k in (0, 1, 2, 5, 12):
        r = M.moment(k, 1, dps=30)  # Catalan numbers
        assert r.proven and _contains_fraction(r.enclosure, Fraction(comb(2 * k, k), k + 1))
    g, s2 = Fraction(1, 3), Fraction(7)
    r = M.moment(3, "1/3", 7, dps=30)  # σ⁶(1 + 3γ + γ²)
    assert r.proven and _contains_fraction(r.enclosure, s2**3 * (1 + 3 * g + g * g))
    # above the exact-size limit: the Narayana sum on balls, against this file's own fraction sum
    g, s2 = Fraction(123456789, 10**9), Fraction(3, 2)
    exact = s2**400 * sum(Fraction(comb(400, j) * comb(400, j - 1), 400) * g ** (j - 1) for j in range(1, 401))
    r = M.moment(400, "0.123456789", "1.5", dps=50)
    assert r.proven and _contains_fraction(r.enclosure, exact)
    assert not M.moment(5000, "1e10000").proven  # beyond 1e±12000: labelled an estimate (MAX_PROOF_MAG_BITS)


HARD = [
    # real z just outside an edge, tiny Im z on the support and at an edge, γ = 1 near the hard edge
    (M.stieltjes, ("4.0000000000000000000000001", "1")),
    (M.stieltjes, ("0.0857864376269049511983112757", "0.5")),  # just below a = (1 − √½)²
    (M.stieltjes, ("4+1e-30j", "1")),
    (M.stieltjes, ("1+1e-30j", "0.5")),
    (M.stieltjes, ("-1e-30", "1")),
    (M.stieltjes, ("1e-30j", "1")),
    (M.stieltjes, ("0.25+1e-40j", "0.25")),
    # γ > 1 with the atom: between the atom and a, just off 0, on the imaginary axis
    (M.stieltjes, ("0.01", "3")),
    (M.stieltjes, ("-1e-20", "3")),
    (M.stieltjes, ("1e-30j", "3")),
    (M.companion, ("1e-30j", "3")),
    (M.companion, ("0.24999999999999999999999", "0.25")),
    (M.companion, ("9.5", "2", "0.5")),
    # tiny / huge γ and σ²
    (M.stieltjes, ("-1", "1e-12")),
    (M.stieltjes, ("-1", "1e12")),
    (M.stieltjes, ("1+1j", "0.5", "1e-200")),
    (M.stieltjes, ("1e200+1j", "0.5", "1e200")),
    (M.companion, ("2+1e-300j", "1e-300")),
    (M.density, ("2.2499999999999999999999", "0.25")),
    (M.density, ("1e-30", "1")),
    (M.density, ("1e300", "0.5", "1e300")),
    (M.cdf, ("0.2500000000000000000001", "0.25")),
    (M.cdf, ("1e-30", "1")),
    (M.cdf, ("1.0000001e-300", "1", "1e-300")),
    (M.cdf, ("1", "1.0000000000000000000000000000001")),
]


@pytest.mark.parametrize(("fn", "args"), HARD, ids=[f"{f.__name__}{a}" for f, a in HARD])
def test_hard_points_proven_and_contain_ladder_at_80_digits(fn, args):
    r = fn(*args, dps=30)
    assert r.proven, args
    assert _contains(r.enclosure, _ladder(fn, *args))
    with ladder_only():
        assert r.value == fn(*args, dps=30).value  # the proof changes no printed digit


def test_not_proven_where_a_part_is_far_below_the_modulus():
    # z = 1e-200 + i, σ² = 1e-200: Re m ≈ −2.5e-601 while |m| ≈ 1; the ladder certifies the complex
    # value in norm only (its real part is noise), a proof of every printed digit of both parts
    # would need ~2000 bits: proven=False, and the ladder's value is reported as an estimate
    r = M.stieltjes("1e-200+1j", "0.5", "1e-200", dps=30)
    assert not r.proven and r.enclosure is None
    with workprec(3000):
        v, _ = M._transform_ball((Fraction(1, 10**200), Fraction(1)), Fraction(1, 2), Fraction(1, 10**200), False)
        assert (v.real < 0) is True and (abs(v.real) < Fraction(1, 10**600)) is True
        # the ladder checks each printed part relative to itself (it used to print Re m = -2.04e-222)
        re_true = v.real.mid()
        assert abs(r.value.real - re_true) <= abs(re_true) * mpmath.mpf(10) ** -29


def test_not_proven_where_a_part_is_exactly_zero():
    # γ = 1, z = (1+i)/2: m = i exactly; a rounded ball of Re m contains 0 but is never the exact
    # zero that "0" needs, so the value is the ladder's estimate
    r = M.stieltjes("0.5+0.5j", 1, dps=30)
    assert not r.proven and r.value == 1j


# ---------------------------------------------------------------- (2) wrong branch / perturbed root fail
def _ball_only(monkeypatch, name, change):
    """Patch ``M.<name>`` so that only the ball route (arguments are Balls) gets ``change``."""
    orig = getattr(M, name)

    def patched(*args):
        out = orig(*args)
        return change(out, *args) if any(isinstance(a, Ball) for a in args) else out

    monkeypatch.setattr(M, name, patched)


POINTS_Z = [("1+0.5j", "0.5"), ("-1", "0.5"), ("5", "0.5"), ("0.01", "3"), ("0.3-0.2j", "3"), ("-1e-20", "3")]


@pytest.mark.parametrize(("z", "gamma"), POINTS_Z)
def test_other_root_fails_the_branch_proof(monkeypatch, z, gamma):
    assert M.stieltjes(z, gamma).proven
    # the other root of A m² + B m + 1: 1/(A r)
    _ball_only(monkeypatch, "_branch_value", lambda r, A, B, Q: 1 / (A * r))
    r = M.stieltjes(z, gamma)
    assert r.proven is False and r.enclosure is None
    assert r.value == _ladder(M.stieltjes, z, gamma, dps=30)  # the ladder's value stays
    zf = M.to_complex_fractions("z", z)
    with workprec(200), pytest.raises(NotProven, match="branch"):
        M._transform_ball(zf, Fraction(gamma), Fraction(1), False)


@pytest.mark.parametrize(("z", "gamma"), POINTS_Z)
def test_wrong_sign_of_the_square_root_fails(monkeypatch, z, gamma):
    _ball_only(monkeypatch, "_quadratic", lambda out, *args: (out[0], out[1], -out[2]))
    assert M.stieltjes(z, gamma).proven is False
    assert M.companion(z, gamma).proven is False


@pytest.mark.parametrize(("z", "gamma"), POINTS_Z)
def test_perturbed_root_fails(monkeypatch, z, gamma):
    _ball_only(monkeypatch, "_branch_value", lambda r, *args: r * (1 + Fraction(1, 10**20)))
    assert M.stieltjes(z, gamma).proven is False
    assert M.companion(z, gamma).proven is False


def test_perturbed_edge_fails_the_density_check(monkeypatch):
    # the density's square root is of (b − x)(x − a), formed exactly; perturb it on the ball route only:
    # m(x + i0) built from it no longer solves the quadratic, and the proof refuses
    orig = M._density_inside

    def perturbed(B, x, g, s2, a, b, prod=None):
        if isinstance(x, Ball):
            prod = (b - x) * (x - a) * (1 + Fraction(1, 10**20)) if prod is None else prod * (1 + Fraction(1, 10**20))
        return orig(B, x, g, s2, a, b, prod)

    monkeypatch.setattr(M, "_density_inside", perturbed)
    r = M.density(1, "0.5")
    assert r.proven is False and r.value == _ladder(M.density, 1, "0.5", dps=30)


def test_no_branch_on_the_support():
    with workprec(200):
        for z, g in [
            ((Fraction(1, 4), 0), Fraction(1, 4)),
            ((Fraction(1), 0), Fraction(1, 2)),
            ((Fraction(4, 9), 0), Fraction(1, 9)),
        ]:
            with pytest.raises(NotProven, match="support"):
                M._transform_ball(z, g, Fraction(1), False)


# ---------------------------------------------------------------- (3) widths shrink with dps
@pytest.mark.parametrize(
    ("fn", "args"),
    [
        (M.stieltjes, ("1+0.5j", "0.5")),
        (M.stieltjes, ("4.0000000000000000000000001", "1")),
        (M.companion, ("-1", "3")),
        (M.density, ("1", "0.5")),
        (M.cdf, ("3", "2")),
        (M.edges, ("0.5",)),
        (M.moment, (5, "1/3")),
    ],
)
def test_widths_shrink_with_dps(fn, args):
    def rad(r):
        encs = r.enclosure if isinstance(r.enclosure, tuple) else (r.enclosure,)
        return max(mpmath.mpf(e.rad) for e in encs)

    r20, r50 = fn(*args, dps=20), fn(*args, dps=50)
    assert r20.proven and r50.proven
    assert 0 < rad(r50) < rad(r20) * mpmath.mpf(10) ** -25


# ---------------------------------------------------------------- (4) float64 status 0 within the enclosure
def _gap(enc, v: complex) -> float:
    """Relative distance from a float64 value to the enclosure (0 inside)."""
    with mp.workdps(50):
        (rl, il), (rh, ih) = _parts(enc.lo), _parts(enc.hi)
        dr = max(rl - v.real, v.real - rh, 0)
        di = max(il - v.imag, v.imag - ih, 0)
        return float(mpmath.hypot(dr, di) / max(abs(v), 1e-300))


def test_float64_status0_within_enclosure():
    checked = 0
    for gamma in (0.5, 1.0, 3.0):
        a, b = (1 - gamma**0.5) ** 2, (1 + gamma**0.5) ** 2
        xs = np.array([1e-3, a * (1 + 1e-9), 0.7, (a + b) / 2, b * (1 - 1e-12), 5.0, 9.0])
        for curve, fn in ((M.density_curve, M.density), (M.cdf_curve, M.cdf)):
            vals, status = curve(xs, gamma)
            for x, v, s in zip(xs, vals, status, strict=True):
                if s == 0 and v != 0:
                    r = fn(Fraction(float(x)), Fraction(gamma))
                    assert r.proven and _gap(r.enclosure, complex(v)) < 1e-6, (fn.__name__, x, gamma)
                    checked += 1
        zs = np.array([-1.0, 0.5 + 0.7j, b * (1 + 1e-10), 2 - 1e-8j, 1e-12j])
        vals, status = M.stieltjes_curve(zs, gamma)
        for z, v, s in zip(zs, vals, status, strict=True):
            if s == 0:
                re_, im_ = (exact_str(Fraction(float(p))) for p in (z.real, z.imag))  # the float inputs, exactly
                text = re_ if z.imag == 0 else f"{re_}{'' if im_.startswith('-') else '+'}{im_}j"
                r = M.stieltjes(text, Fraction(gamma))
                assert r.proven and _gap(r.enclosure, complex(v)) < 1e-6, (z, gamma)
                checked += 1
    assert checked > 30


# ---------------------------------------------------------------- (5) JSON, registry
@pytest.mark.parametrize(
    "args",
    [
        ["eval", "mp", "stieltjes", "z=1+0.5j", "gamma=0.5", "--json"],
        ["eval", "mp", "density", "x=1", "gamma=0.5", "--json", "--dps", "40"],
    ],
)
def test_json_has_proven_enclosure(args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    d = json.loads(out.getvalue())
    assert d["proven"] is True
    lo, hi = d["enclosure"]["lo"], d["enclosure"]["hi"]
    dps = d["dps"]
    # the printed value has dps digits, the bounds dps + 5: lo ≤ value ≤ hi up to one unit of the last digit
    with mp.workdps(80):
        (rl, il), (rh, ih) = _parts(lo), _parts(hi)
        values = [(rl, rh, d["real"]), (il, ih, d["imag"])] if "imag" in d else [(rl, rh, d["value"])]
        for lo_, hi_, text in values:
            v = mpmath.mpf(text)
            unit = abs(v) * mpmath.mpf(10) ** (1 - dps)
            assert lo_ <= hi_ and lo_ - unit <= v <= hi_ + unit
            assert hi_ - lo_ < abs(v) * mpmath.mpf(10) ** -dps


def test_every_quantity_declares_proven():
    spec = REGISTRY["mp"]
    assert {q: s.proof for q, s in spec.quantities.items()} == dict.fromkeys(
        ("density", "cdf", "stieltjes", "companion", "edges", "moment"), "proven"
    )
