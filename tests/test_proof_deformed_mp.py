"""Proven digits for the deformed Marchenko–Pastur law (`dmp`, issue 17): ball routes and their branch proofs.

Expected numbers come from independent routes: closed forms written here (the isotropic law's
``m(3) = −2/3`` at γ = 1/2, the MP edges ``(1 ± √γ)²`` and density ``√((b−x)(x−a))/(2πγx)``, the
zero-block reduction ``μ = (1 − w) MP_{γ(1−w)} + w δ₀``), `mp`'s own proven values (independent code:
a quadratic, not a polynomial root isolation), and the precision ladder at ``dps + 20``
(``ladder_only``).  An enclosure must *contain* the independent value; a wrong root handed to the
ball route must make the proof fail, never prove a wrong digit.
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath
import pytest
from mpmath import mp

from asymptotics.ball import NotProven, workprec
from asymptotics.errors import ConvergenceError
from asymptotics.models import deformed_mp as D
from asymptotics.models import marchenko_pastur as M
from asymptotics.precision import ladder_only

TWO = "blocks:1/0.5,4/0.5"
SEP = "blocks:1/0.5,10/0.5"  # two support intervals at gamma = 0.05
DPS = 30
_COMPLEX = re.compile(r"(.+?)([+-][^+-]+(?:e[+-]?\d+)?)j")


def _parts(text):
    m = _COMPLEX.fullmatch(text)
    if m is None:
        return mpmath.mpf(text), mpmath.mpf(0)
    return mpmath.mpf(m.group(1)), mpmath.mpf(m.group(2))


def _contains(enc, ref) -> bool:
    """Whether the enclosure contains ``ref`` (real or complex), compared at 120 digits."""
    with mp.workdps(120):
        (rl, il), (rh, ih) = _parts(enc.lo), _parts(enc.hi)
        ref = mpmath.mpmathify(ref)
        re_, im_ = (ref.real, ref.imag) if isinstance(ref, mpmath.mpc) else (ref, mpmath.mpf(0))
        return bool(rl <= re_ <= rh and il <= im_ <= ih)


def _near(enc, ref, dps=DPS + 15) -> bool:
    """Containment up to the ladder's own rounding at ``dps`` digits."""
    with mp.workdps(120):
        (rl, il), (rh, ih) = _parts(enc.lo), _parts(enc.hi)
        ref = mpmath.mpmathify(ref)
        re_, im_ = (ref.real, ref.imag) if isinstance(ref, mpmath.mpc) else (ref, mpmath.mpf(0))
        s = mpmath.mpf(10) ** (-dps) * abs(ref)
        return bool(rl - s <= re_ <= rh + s and il - s <= im_ <= ih + s)


def _overlap(a, b) -> bool:
    """Whether two enclosures intersect (part by part), at 120 digits."""
    with mp.workdps(120):
        (al, ail), (ah, aih) = _parts(a.lo), _parts(a.hi)
        (bl, bil), (bh, bih) = _parts(b.lo), _parts(b.hi)
        return bool(al <= bh and bl <= ah and ail <= bih and bil <= aih)


def _ladder(fn, *args):
    with ladder_only():
        return fn(*args, dps=DPS + 20).value


def _proven_and_right(fn, *args):
    r = fn(*args, dps=DPS)
    assert r.proven is True and r.enclosure is not None, (fn.__name__, args)
    ref = _ladder(fn, *args)
    if isinstance(r.value, list):
        assert len(r.enclosure) == len(ref)
        assert all(_near(e, v) for e, v in zip(r.enclosure, ref, strict=True))
    else:
        assert _near(r.enclosure, ref), (r.enclosure, ref)
    return r


# ---------------------------------------------------------------- proven values = ladder at dps + 20
@pytest.mark.parametrize(
    "fn, args",
    [
        (D.stieltjes, ("1+0.5j", "0.5", TWO)),
        (D.stieltjes, ("2-0.25j", "3", "blocks:0/0.25,1/0.25,4/0.5")),
        (D.stieltjes, ("-1", "0.5", TWO)),
        (D.stieltjes, ("40", "2", TWO)),
        (D.stieltjes, ("0", "0.5", TWO)),
        (D.companion, ("1+0.5j", "2", TWO)),
        (D.companion, ("-3", "0.3", "spike:t=5,w=0.1")),
        (D.density, ("1", "0.5", TWO)),
        (D.density, ("9", "0.05", SEP)),
        (D.density, ("100", "0.5", TWO)),
        (D.edges, ("0.5", TWO)),
        (D.edges, ("0.05", SEP)),
        (D.edges, ("0.3", "blocks:1/1/3,2/1/3,8/1/3")),
        (D.moment, (3, "0.5", TWO)),
    ],
)
def test_proven_values_match_the_high_precision_ladder(fn, args):
    _proven_and_right(fn, *args)


# ---------------------------------------------------------------- closed forms and mp (independent code)
def test_isotropic_closed_forms():
    r = D.stieltjes("3", "0.5", "isotropic")  # m(3) = −2/3 at γ = 1/2 (a peer returns −1)
    assert r.proven and Fraction(r.enclosure.lo) <= Fraction(-2, 3) <= Fraction(r.enclosure.hi)
    e = D.edges("1/4", "blocks:1/1")  # (1 ± 1/2)² = 1/4, 9/4
    assert e.proven
    for enc, v in zip(e.enclosure, (Fraction(1, 4), Fraction(9, 4)), strict=True):
        assert Fraction(enc.lo) <= v <= Fraction(enc.hi)
    with mp.workdps(120):
        g = mpmath.mpf(2) / 3
        a, b = (1 - mpmath.sqrt(g)) ** 2, (1 + mpmath.sqrt(g)) ** 2
        x = mpmath.mpf(1)
        dens = mpmath.sqrt((b - x) * (x - a)) / (2 * mpmath.pi * g * x)
    assert _contains(D.density("1", "2/3").enclosure, dens)
    assert all(_contains(enc, v) for enc, v in zip(D.edges("2/3").enclosure, (a, b), strict=True))


@pytest.mark.parametrize("gamma", ["0.5", "2", "0.1"])
def test_one_block_equals_mp_proven(gamma):
    for z in ("-1", "1+0.5j", "0.2-0.3j", "10"):
        d, m = D.stieltjes(z, gamma, "blocks:1/1"), M.stieltjes(z, gamma)
        assert d.proven and m.proven and str(d) == str(m)
        assert _overlap(d.enclosure, m.enclosure)
    for x in ("0.3", "1", "2.5"):
        d, m = D.density(x, gamma, "blocks:1/1"), M.density(x, gamma)
        assert d.proven and m.proven and _overlap(d.enclosure, m.enclosure)
    d, m = D.edges(gamma, "blocks:1/1"), M.edges(gamma)
    assert d.proven and m.proven
    assert all(_overlap(a, b) for a, b in zip(d.enclosure, m.enclosure, strict=True))


def test_zero_block_density_closed_form():
    # blocks 0/½, 1/½ at γ = ½: μ = ½ MP_{1/4} + ½ δ₀, MP_{1/4} has edges 1/4, 9/4
    with mp.workdps(120):
        ref = mpmath.sqrt(mpmath.mpf(15) / 16) / (2 * mpmath.pi / 4) / 2
    r = D.density("1", "0.5", "blocks:0/0.5,1/0.5")
    assert r.proven and _contains(r.enclosure, ref)
    e = D.edges("2", "blocks:0/0.5,1/0.5")  # γ' = 1: hard edge, support [0, 4]
    assert e.proven and e.value == [0, 4] and e.enclosure[0].lo == "0"


# ---------------------------------------------------------------- branch attacks
def test_just_above_and_below_the_axis():
    # on the support: Im m(x ± iε) → ±π ρ(x); off it, Im m is tiny with the sign of Im z
    rho = D.density("1", "0.5", TWO).value
    up = _proven_and_right(D.stieltjes, "1+1e-30j", "0.5", TWO)
    dn = _proven_and_right(D.stieltjes, "1-1e-30j", "0.5", TWO)
    with mp.workdps(40):
        assert abs(mpmath.im(up.value) - mpmath.pi * rho) < 1e-28 and mpmath.im(dn.value) == -mpmath.im(up.value)
    off = _proven_and_right(D.stieltjes, "50+1e-30j", "0.5", TWO)
    assert 0 < mpmath.im(off.value) < 1e-30


def test_negative_real_axis_is_positive_and_increasing():
    v = [_proven_and_right(D.stieltjes, z, "0.5", TWO).value for z in ("-100", "-1", "-0.001")]
    assert 0 < v[0] < v[1] < v[2]  # a peer returns a negative transform here


def test_gap_between_two_support_intervals():
    e = [mpmath.mpf(x) for x in D.edges("0.05", SEP).value]
    assert len(e) == 4
    xs = [e[1] + u * (e[2] - e[1]) for u in (0.1, 0.5, 0.9)]
    vals = [_proven_and_right(D.stieltjes, mpmath.nstr(x, 20), "0.05", SEP).value for x in xs]
    assert vals[0] < vals[1] < vals[2]  # m' = ∫ μ(dx)/(x − z)² > 0 on a gap
    for x in xs:  # the density in the gap is proven exactly 0
        r = D.density(mpmath.nstr(x, 20), "0.05", SEP)
        assert r.proven and r.value == 0


def test_wrong_real_root_is_refused(monkeypatch):
    # in the gap the companion polynomial has other real roots (z'(m) < 0): handed one, the proof refuses
    zf, g, spec = (Fraction(5), Fraction(0)), Fraction(1, 20), D.PopulationSpectrum.parse(SEP)
    with workprec(200):
        pb = D._Problem.build(g, spec)
        good, _ = D._companion_mp(pb, mpmath.mpf(5), [])
        others = [mpmath.re(r) for r in D._roots(pb.companion_poly(mpmath.mpf(5))) if abs(mpmath.re(r) - good) > 1e-10]
        assert others
        for bad in others:
            monkeypatch.setattr(D, "_companion_auto", lambda *a, bad=bad: (bad, None))
            with pytest.raises(NotProven):
                D._transform_ball(zf, g, spec, True)


def test_wrong_complex_root_is_refused(monkeypatch):
    zf, g, spec = (Fraction(1), Fraction(1, 2)), Fraction(1, 2), D.PopulationSpectrum.parse(TWO)
    with workprec(200):
        pb = D._Problem.build(g, spec)
        z = mpmath.mpc(1, 0.5)
        roots = D._roots(pb.companion_poly(z))
        lower = [r for r in roots if mpmath.im(r) < 0]
        assert len(lower) == len(roots) - 1  # exactly one root in the upper half-plane
        for bad in lower:
            monkeypatch.setattr(D, "_companion_auto", lambda *a, bad=bad: (bad, None))
            with pytest.raises(NotProven):
                D._transform_ball(zf, g, spec, False)


# ---------------------------------------------------------------- near edges: never a wrong proven digit
@pytest.mark.parametrize("rel", ["1e-12", "1e-25", "-1e-25", "1e-40"])
def test_near_an_edge(rel):
    e = D.edges("0.05", SEP)
    for edge in e.value[:2]:
        x = mpmath.nstr(mpmath.mpf(edge) * (1 + mpmath.mpf(rel)), 60)
        try:
            r = D.density(x, "0.05", SEP)
        except ConvergenceError:
            continue
        if r.proven:
            assert _near(r.enclosure, _ladder(D.density, x, "0.05", SEP))


def test_exact_edge_is_not_claimed_wrongly():
    # γ = 1/4: edges 1/4 and 9/4 exactly; the density there is 0 (square-root edge)
    for x in ("1/4", "9/4"):
        r = D.density(x, "1/4")
        assert r.value == 0 and (not r.proven or r.enclosure.lo == "0")


def test_irrational_atoms_are_not_proven():
    r = D.stieltjes("1+1j", "0.5", "power_law:p=3,alpha=0.5")
    assert r.proven is False and r.enclosure is None


def test_precision_is_restored():
    with mpmath.mp.workdps(23):
        D.stieltjes("1+1j", "0.5", TWO, dps=40)
        D.edges("0.05", SEP)
        assert mpmath.mp.dps == 23
