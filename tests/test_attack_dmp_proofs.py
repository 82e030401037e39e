"""Reviewer R2 (issue 17): independent attack on the proven digits of `dmp`.

The reference below is written from the maths only (Silverstein & Bai 1995, Silverstein & Choi 1995,
conventions of docs/models/dmp.md: S = XᵀX/n is p × p, γ = p/n), in plain mpmath at 150+ digits:

* companion equation z = −1/m̃ + γ Σ_j w_j t_j/(1 + t_j m̃), cleared to a polynomial, all roots by
  ``mpmath.polyroots``; the branch is always taken *at z + iε* (ε = 10⁻⁹⁰ for real z) as the unique root
  with Im m̃ > 0 (Stieltjes inversion), so no use is made of the z' > 0 criterion the code relies on;
* m = (m̃ + (1 − γ)/z)/γ, density Im m(x + i0)/π;
* edges = z(m_c) at the real critical points m_c of z(m̃) (roots of z'(m̃) = 0 by polyroots);
* cdf = atom at 0 + ∫ density (mpmath.quad in θ, x = a + (b − a)(1 − cos θ)/2);
* moments from the free-probability recursion written here independently (series inversion in ζ).

Nothing from ``asymptotics`` is used to compute an expected value.
"""

from __future__ import annotations

import functools
import random
import subprocess
import sys
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from mpmath import mp

from asymptotics.errors import ParameterError
from asymptotics.models import deformed_mp as D

REF_DPS = 200
EPS = mpmath.mpf("1e-150")


# ----------------------------------------------------------------------------------------------
# Independent reference
# ----------------------------------------------------------------------------------------------


def _parse(spec: str):
    """'blocks:t/w,...' -> exact Fractions (t may be a decimal; w may be a/b)."""
    assert spec.startswith("blocks:")
    ts, ws = [], []
    for part in spec[len("blocks:"):].split(","):
        bits = part.split("/")
        t = F(bits[0])
        w = F(bits[1]) if len(bits) == 2 else F(bits[1]) / F(bits[2])
        ts.append(t)
        ws.append(w)
    assert sum(ws) == 1
    return ts, ws


def _q(x):
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return x
    x = F(x)
    return mpmath.mpf(x.numerator) / x.denominator


def _pmul(a, b):
    out = [mpmath.mpf(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _padd(a, b):
    n = max(len(a), len(b))
    a = list(a) + [0] * (n - len(a))
    b = list(b) + [0] * (n - len(b))
    return [x + y for x, y in zip(a, b)]


def _cpoly(z, g, ts, ws):
    """Ascending coefficients of m·Π(1+t m)·(z + 1/m − γ Σ w t/(1+t m)) over non-zero atoms."""
    nz = [(_q(t), _q(w)) for t, w in zip(ts, ws) if t != 0]
    prod = [mpmath.mpf(1)]
    for t, _ in nz:
        prod = _pmul(prod, [1, t])
    ssum = [mpmath.mpf(0)]
    for j, (t, w) in enumerate(nz):
        term = [w * t]
        for k, (tk, _) in enumerate(nz):
            if k != j:
                term = _pmul(term, [1, tk])
        ssum = _padd(ssum, term)
    mprod = [0] + prod
    p = _padd([z * c for c in mprod], prod)
    p = _padd(p, [-g * c for c in ([0] + ssum)])
    while p and p[-1] == 0:
        p.pop()
    return p


def _zfun(m, g, ts, ws):
    return -1 / m + g * mpmath.fsum(mpmath.mpf(w) * t / (1 + t * m) for t, w in zip(ts, ws) if t != 0)


def _roots(asc):
    return mpmath.polyroots(asc[::-1], maxsteps=800, extraprec=4 * mp.prec)


def ref_companion(z, gamma, spec, eps=EPS):
    ts, ws = _parse(spec)
    with mp.workdps(REF_DPS):
        g = _q(gamma)
        z = mpmath.mpmathify(z)
        zz = z if mpmath.im(z) != 0 else mpmath.mpc(z, eps)
        sgn = 1 if mpmath.im(zz) > 0 else -1
        rts = [r for r in _roots(_cpoly(zz, g, [_q(t) for t in ts], ws))
               if sgn * mpmath.im(r) > 0]
        assert len(rts) == 1, rts
        mt = rts[0]
        # Newton polish on the exact equation
        tt = [_q(t) for t in ts]
        wf = [_q(w) for w in ws]
        for _ in range(8):
            f = _zfun(mt, g, tt, wf) - zz
            d = 1 / mt**2 - g * mpmath.fsum(w * t * t / (1 + t * mt) ** 2 for t, w in zip(tt, wf) if t != 0)
            mt -= f / d
        if mpmath.im(z) == 0:
            return mt  # m̃(x + iε): real part → limit, Im → π γ ρ(x)
        return mt


def ref_stieltjes(z, gamma, spec, eps=EPS):
    with mp.workdps(REF_DPS):
        g = _q(gamma)
        z = mpmath.mpmathify(z)
        mt = ref_companion(z, gamma, spec, eps)
        zz = z if mpmath.im(z) != 0 else mpmath.mpc(z, eps)
        m = (mt + (1 - g) / zz) / g
        return m if mpmath.im(z) != 0 else m.real


def ref_density(x, gamma, spec, eps=EPS):
    with mp.workdps(REF_DPS):
        g = _q(gamma)
        mt = ref_companion(_q(x), gamma, spec, eps)
        d = mpmath.im(mt) / (g * mpmath.pi)
        # off the support Im m̃(x + iε) is O(ε): it shrinks 10^10-fold with ε
        d2 = mpmath.im(ref_companion(_q(x), gamma, spec, eps * mpmath.mpf("1e-10"))) / (g * mpmath.pi)
        return mpmath.mpf(0) if d2 < d * mpmath.mpf("1e-5") else d


def ref_edges(gamma, spec):
    ts, ws = _parse(spec)
    with mp.workdps(REF_DPS):
        g = _q(gamma)
        tt = [_q(t) for t in ts if t != 0]
        wf = [_q(w) for t, w in zip(ts, ws) if t != 0]
        # m²Π² z'(m) = Π² − γ m² Σ w t² Π_{k≠j}(1+t_k m)²
        prod = [mpmath.mpf(1)]
        for t in tt:
            prod = _pmul(prod, [1, t])
        pp = _pmul(prod, prod)
        acc = [mpmath.mpf(0)]
        for j, (t, w) in enumerate(zip(tt, wf)):
            term = [w * t * t]
            for k, tk in enumerate(tt):
                if k != j:
                    term = _pmul(term, _pmul([1, tk], [1, tk]))
            acc = _padd(acc, term)
        crit = _padd(pp, [-g * c for c in ([0, 0] + acc)])
        while crit[-1] == 0:
            crit.pop()
        rts = _roots(crit)
        out = []
        for r in rts:
            if abs(mpmath.im(r)) < mpmath.mpf(10) ** (-REF_DPS // 2) * (1 + abs(r)):
                r = mpmath.re(r)
                out.append(_zfun(r, g, tt, wf))
        return sorted(out)


@functools.cache
def ref_cdf(x, gamma, spec, dps=40):
    """Atom at 0 + ∫ density over the support up to x (θ-substitution; density by polyroots at x+iε)."""
    ts, ws = _parse(spec)
    g = F(gamma)
    w0 = sum((w for t, w in zip(ts, ws) if t == 0), F(0))
    atom = max(w0, 1 - 1 / g, F(0))
    e = ref_edges(gamma, spec)
    with mp.workdps(dps + 10):
        gp = g * (1 - w0)
        if gp == 1:
            e = [mpmath.mpf(0)] + e
        total = _q(atom)
        x = _q(x)

        tq = [_q(t) for t in ts]
        gq = _q(g)

        def dens(u):
            # inside the support only: the unique root with Im m̃ > 0 at u + iε
            with mp.workdps(dps + 30):
                zz = mpmath.mpc(u, mpmath.mpf(10) ** (-(dps + 25)))
                up = [r for r in _roots(_cpoly(zz, gq, tq, ws)) if mpmath.im(r) > 0]
                assert len(up) == 1
                return mpmath.im(up[0]) / (gq * mpmath.pi)

        for a, b in zip(e[::2], e[1::2]):
            if x <= a:
                continue
            top = mpmath.pi if x >= b else mpmath.acos(1 - 2 * (x - a) / (b - a))

            def f(th, a=a, b=b):
                u = a + (b - a) * (1 - mpmath.cos(th)) / 2
                return dens(u) * (b - a) * mpmath.sin(th) / 2

            total += mpmath.quad(f, [0, top])
        return total


def ref_moment(k, gamma, spec):
    """Exact: moments of μ from m(z) = Σ μ_r / z^{r+1}; companion y = −z m̃ solves y = 1 + γ Σ h_r (ζy)^r.

    Here derived as: ζ = 1/z, write m̃ = −ζ y(ζ), plug into z = −1/m̃ + γ Σ w t/(1 + t m̃):
    1/ζ = 1/(ζ y) + γ Σ w t/(1 − t ζ y)  ⇒  y = 1 + γ ζ y Σ_r h_r (ζ y)^{r−1}·... (solved by fixed-point on
    truncated power series in exact rationals).  y = 1 + γ Σ_k μ_k ζ^k.
    """
    ts, ws = _parse(spec)
    g = F(gamma)
    h = [sum((w * t**r for t, w in zip(ts, ws)), F(0)) for r in range(k + 2)]
    n = k + 1
    y = [F(1)] + [F(0)] * n  # power series in ζ
    for _ in range(n + 1):
        # u = ζ y ; rhs = 1 + γ Σ_{r≥1} h_r u^r
        u = [F(0)] + y[:n]
        rhs = [F(1)] + [F(0)] * n
        pw = [F(1)] + [F(0)] * n
        for r in range(1, n + 1):
            pw = [sum((pw[i] * u[j - i] for i in range(j + 1)), F(0)) for j in range(n + 1)]
            for j in range(n + 1):
                rhs[j] += g * h[r] * pw[j]
        y = rhs
    return y[k] / g


# ----------------------------------------------------------------------------------------------
# Helpers on results
# ----------------------------------------------------------------------------------------------


def _enc_parts(s):
    s = s.strip()
    if s.endswith("j"):
        c = mpmath.mpmathify(s.replace(" ", ""))
        return mpmath.re(c), mpmath.im(c)
    return mpmath.mpf(s), mpmath.mpf(0)


def _check_proven(r, ref, dps, what=""):
    """A proven result: enclosure contains ref, printed value within one unit of its last digit."""
    with mp.workdps(REF_DPS):
        ref = mpmath.mpmathify(ref)
        rr, ri = (mpmath.re(ref), mpmath.im(ref))
        lo_r, lo_i = _enc_parts(r.enclosure.lo)
        hi_r, hi_i = _enc_parts(r.enclosure.hi)
        assert lo_r <= rr <= hi_r, f"{what}: real part {mpmath.nstr(rr, 50)} not in [{r.enclosure.lo}, {r.enclosure.hi}]"
        assert lo_i <= ri <= hi_i, f"{what}: imag part {mpmath.nstr(ri, 50)} not in [{r.enclosure.lo}, {r.enclosure.hi}]"
        v = mpmath.mpmathify(str(r).replace(" ", ""))
        tol = mpmath.mpf(10) ** (1 - dps) * abs(ref) * 1.01
        if ref == 0:
            assert v == 0, f"{what}: printed {r} for an exact 0"
        else:
            assert abs(v - ref) <= tol, f"{what}: printed {r} vs ref {mpmath.nstr(ref, dps + 5)}"


def _check_estimate(r, ref, dps, what="", slack=3):
    with mp.workdps(REF_DPS):
        ref = mpmath.mpmathify(ref)
        v = mpmath.mpmathify(str(r).replace(" ", ""))
        if ref == 0:
            assert abs(v) < mpmath.mpf(10) ** (-dps), f"{what}: {r} vs 0"
        else:
            assert abs(v - ref) <= mpmath.mpf(10) ** (slack - dps) * abs(ref), f"{what}: {r} vs {mpmath.nstr(ref, dps + 5)}"


def _check(r, ref, dps, what=""):
    if r.proven:
        _check_proven(r, ref, dps, what)
    else:
        _check_estimate(r, ref, dps, what)


def _check_edges(r, ref, dps, what=""):
    """Non-zero edges against the reference critical values (a hard edge at 0 is dropped)."""
    with mp.workdps(REF_DPS):
        vals = [mpmath.mpf(v) for v in r.value]
        keep = [i for i, v in enumerate(vals) if v != 0]
        shown = ([mpmath.nstr(v, 10) for v in vals], [mpmath.nstr(v, 10) for v in ref])
        assert len(keep) == len(ref), f"{what}: {len(keep)} edges vs {len(ref)}: {shown}"
        for i, b in zip(keep, ref):
            assert abs(vals[i] - b) <= abs(b) * mpmath.mpf(10) ** (1 - dps), f"{what}: edge {vals[i]} vs {b}"
            if r.proven:
                e = r.enclosure[i]
                assert mpmath.mpf(e.lo) <= b <= mpmath.mpf(e.hi), f"{what}: edge {mpmath.nstr(b, 50)} not in [{e.lo}, {e.hi}]"


# ----------------------------------------------------------------------------------------------
# Sanity of the reference itself (closed forms)
# ----------------------------------------------------------------------------------------------


def test_reference_closed_forms():
    with mp.workdps(50):
        assert abs(ref_stieltjes(3, "1/2", "blocks:1/1") + mpmath.mpf(2) / 3) < mpmath.mpf(10) ** -45
        e = ref_edges("1/4", "blocks:1/1")
        assert abs(e[0] - mpmath.mpf(1) / 4) < mpmath.mpf(10) ** -45 and abs(e[1] - mpmath.mpf(9) / 4) < mpmath.mpf(10) ** -45
        # MP density sqrt((b−x)(x−a))/(2πγx) at γ = 1/2, x = 1/2
        a, b = (1 - mpmath.sqrt(0.5)) ** 2, (1 + mpmath.sqrt(0.5)) ** 2
        x = mpmath.mpf(1) / 2
        mp_density = mpmath.sqrt((b - x) * (x - a)) / (mpmath.pi * x)
        assert abs(ref_density("1/2", "1/2", "blocks:1/1") - mp_density) < mpmath.mpf(10) ** -45
    assert ref_moment(3, "1/2", "blocks:1/1") == F(1) + 3 * F(1, 2) + F(1, 4)  # Narayana
    assert ref_moment(2, "1/2", "blocks:1/0.5,4/0.5") == F(17, 2) + F(1, 2) * F(25, 4)


# ----------------------------------------------------------------------------------------------
# Proven values against the reference: drawn and hard points
# ----------------------------------------------------------------------------------------------

TWO = "blocks:1/0.5,4/0.5"
SEP = "blocks:1/0.5,10/0.5"  # two intervals at γ = 1/20
WIDE = "blocks:0.000001/0.5,1000000/0.5"
ZERO = "blocks:0/1/2,1/1/2"
FOUR = "blocks:0.5/0.25,1/0.25,2/0.25,8/0.25"

# (quantity, point, gamma, spectrum, dps)
POINTS = [
    ("stieltjes", "1+1j", "1/2", TWO, 30),
    ("stieltjes", "3", "1/2", "blocks:1/1", 30),
    ("stieltjes", "-2.5", "1/2", TWO, 60),
    ("stieltjes", "3", "1/20", SEP, 30),  # in the gap
    ("stieltjes", "3+1e-30j", "1/20", SEP, 30),  # nearly real, in the gap
    ("stieltjes", "1+1e-30j", "1/20", SEP, 60),  # nearly real, on the support
    ("stieltjes", "1-1e-30j", "1/20", SEP, 15),  # lower half-plane
    ("stieltjes", "-0.001", "2", ZERO, 30),
    ("stieltjes", "-1", "1/10", WIDE, 30),
    ("stieltjes", "1000000+1e-30j", "1/10", WIDE, 30),
    ("stieltjes", "0.5+0.1j", "100000001/100000000", FOUR, 30),  # γ = 1 + 1e-8
    ("stieltjes", "-3", "1/100000000", TWO, 30),  # tiny γ
    ("stieltjes", "-3", "100000000", TWO, 30),  # huge γ (atom at 0)
    ("companion", "2-0.5j", "3/2", FOUR, 30),
    ("companion", "-1", "3/2", TWO, 15),
    ("density", "0.5", "1/2", TWO, 30),
    ("density", "3", "1/20", SEP, 30),  # gap: exact 0
    ("density", "1", "1/20", SEP, 60),
    ("density", "100", "1/2", TWO, 30),  # beyond: exact 0
    ("density", "0.000001", "1/10", WIDE, 30),
    ("density", "1000000", "1/10", WIDE, 60),
    ("density", "1/100000000000000000000", "2", ZERO, 30),  # next to the hard edge at 0
    ("density", "1", "1", FOUR, 30),
    ("density", "1", "100000000000000000001/100000000000000000000", FOUR, 30),  # γ = 1 + 1e-20
    ("density", "4", "1/100000000", TWO, 15),
    ("density", "2.25000000000000000000000001", "1/4", "blocks:1/1", 15),  # 1e-26 beyond the MP edge
    ("density", "2.2499999999999999999999999", "1/4", "blocks:1/1", 30),  # 4.4e-26 inside
]


@pytest.mark.parametrize("q,pt,g,spec,dps", POINTS)
def test_proven_against_reference(q, pt, g, spec, dps):
    before = mp.prec
    r = getattr(D, q)(pt, g, spec, dps=dps)
    assert mp.prec == before
    if q == "density":
        ref = ref_density(pt, g, spec)
    elif q == "companion":
        ref = ref_companion(pt, g, spec)
        ref = ref if "j" in pt else mpmath.re(ref)
    else:
        ref = ref_stieltjes(pt, g, spec)
    _check(r, ref, dps, f"{q} {pt} {g} {spec}")


@pytest.mark.parametrize("g,spec,dps", [
    ("1/20", SEP, 30), ("1/10", WIDE, 30), ("1/2", TWO, 60), ("99999/100000", FOUR, 30),
    ("1/100000000", TWO, 15), ("100000000", TWO, 30), ("2", ZERO, 30), ("3/2", FOUR, 15),
])
def test_edges_against_reference(g, spec, dps):
    ref = [e for e in ref_edges(g, spec) if abs(e) > mpmath.mpf(10) ** -60]
    _check_edges(D.edges(g, spec, dps=dps), ref, dps, f"edges {g} {spec}")


# γ_c at which the gap of blocks:1/0.5,10/0.5 closes: γ_c = max over m ∈ (−1, −1/10) of
# (1/m²)/Σ w t²/(1+tm)²  (z'(m) = 0 has a real solution iff γ ≤ that).
GC = "0.9022164088801629026867214380467330443457"


@pytest.mark.parametrize("rel", ["-1e-12", "-1e-20", "0", "1e-20", "1e-12"])
def test_merging_edges(rel):
    with mp.workdps(80):
        g = str(F(mpmath.nstr(mpmath.mpf(GC) * (1 + mpmath.mpf(rel)), 60)))
    ref = [e for e in ref_edges(g, SEP) if abs(e) > mpmath.mpf(10) ** -60]
    _check_edges(D.edges(g, SEP, dps=30), ref, 30, f"merge {rel}")


@pytest.mark.parametrize("k,g,spec", [(1, "1/2", TWO), (4, "3/7", FOUR), (7, "5/2", SEP), (5, "2", ZERO), (3, "1/10", WIDE)])
def test_moments_exact(k, g, spec):
    r = D.moment(k, g, spec, dps=30)
    with mp.workdps(REF_DPS):
        ref = _q(ref_moment(k, g, spec))
        _check(r, ref, 30, f"moment {k}")


def test_random_spectra():
    rnd = random.Random(1717)
    for _ in range(6):
        K = rnd.randint(1, 4)
        ts = rnd.sample(["0.1", "0.5", "1", "2", "3", "5", "10", "0"], K)
        ws = [rnd.randint(1, 5) for _ in ts]
        if all(t == "0" for t in ts):
            continue
        spec = "blocks:" + ",".join(f"{t}/{w}/{sum(ws)}" for t, w in zip(ts, ws))
        g = rnd.choice(["1/10", "1/2", "9/10", "1", "3/2", "4"])
        dps = rnd.choice([15, 30, 60])
        ed = [e for e in ref_edges(g, spec) if abs(e) > mpmath.mpf(10) ** -60]
        _check_edges(D.edges(g, spec, dps=dps), ed, dps, f"edges {spec} {g}")
        x = mpmath.nstr((ed[0] + ed[1]) / 2 if len(ed) > 1 else ed[0] / 2, 20)
        _check(D.density(x, g, spec, dps=dps), ref_density(x, g, spec), dps, f"density {spec} {g} {x}")
        z = f"{rnd.uniform(-2, 6):.3f}+{rnd.choice(['1e-30', '0.01', '1'])}j"
        _check(D.stieltjes(z, g, spec, dps=dps), ref_stieltjes(z, g, spec), dps, f"stieltjes {spec} {g} {z}")


def test_cdf_estimate():
    r = D.cdf("1", "1/2", TWO, dps=15)
    _check(r, ref_cdf("1", "1/2", TWO, dps=20), 15, "cdf")


# ----------------------------------------------------------------------------------------------
# Edges at distance 10^-25 .. 10^-45 (relative): proven values must agree
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec,g,which,rel,dps", [
    ("blocks:1/1", "1/4", 1, "-1e-25", 30),
    ("blocks:1/1", "1/4", 0, "1e-45", 60),
    (TWO, "1/2", 1, "-1e-45", 60),
    (SEP, "1/20", 1, "1e-25", 30),  # in the gap, 1e-25 past the edge
    (SEP, "1/20", 2, "1e-45", 60),
    (WIDE, "1/10", 0, "1e-25", 30),
])
def test_density_near_edge(spec, g, which, rel, dps):
    e = ref_edges(g, spec)[which]
    with mp.workdps(REF_DPS):
        x = mpmath.nstr(e * (1 + mpmath.mpf(rel)), 90)
    _check(D.density(x, g, spec, dps=dps), ref_density(x, g, spec), dps, f"density {x}")
    _check(D.stieltjes(x + "+1e-30j", g, spec, dps=dps), ref_stieltjes(x + "+1e-30j", g, spec), dps, "stieltjes near edge")


# ----------------------------------------------------------------------------------------------
# Bad inputs
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args,name", [
    (["density", "x=0.5", "gamma=0"], "gamma"),
    (["density", "x=0.5", "gamma=0.5", "spectrum=blocks:1/0.7"], "spectrum"),
    (["density", "x=0.5", "gamma=0.5", "spectrum=blocks:-1/1"], "spectrum"),
    (["moment", "k=-1", "gamma=0.5"], "k"),
    (["density", "x=nan", "gamma=0.5"], "x"),
    (["stieltjes", "z=1", "gamma=0.5"], "z"),
    (["density", "x=0.5", "gamma=0.5", "spectrum=spike:t=2,w=1.5"], "w"),
])
def test_bad_inputs_cli(args, name):
    p = subprocess.run([sys.executable, "-m", "asymptotics", "eval", "dmp", *args], capture_output=True, text=True)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and f"`{name}" in lines[0], p.stderr


def test_bad_input_api():
    with pytest.raises(ParameterError):
        D.density("0.5", "-1", TWO)


# ----------------------------------------------------------------------------------------------
# float64 curves: status 0 must carry ≥ 6 correct digits
# ----------------------------------------------------------------------------------------------


def _curve_ok(v, s, ref):
    ref = complex(ref)
    return s != 0 or abs(complex(v) - ref) <= 1e-6 * abs(ref)


@pytest.mark.parametrize("x,g,spec", [
    (0.5, "1/2", TWO), (3.0, "1/20", SEP), (1.0, "1/20", SEP), (1e-6, "1/10", WIDE), (1e6, "1/10", WIDE),
    (1.0, "1", FOUR), (0.3, "2", ZERO),
])
def test_float64_density_agrees(x, g, spec):
    v, s = D.density_curve(np.array([x]), float(F(g)), spec)
    assert _curve_ok(v[0], s[0], ref_density(repr(x), g, spec))


@pytest.mark.parametrize("z,g,spec", [(-1.0, "1/10", WIDE), (3.0 + 1e-30j, "1/20", SEP), (1.0 + 0.5j, "1/2", TWO)])
def test_float64_stieltjes_agrees(z, g, spec):
    v, s = D.stieltjes_curve(np.array([z]), float(F(g)), spec)
    zz = mpmath.mpc(mpmath.mpf(repr(z.real)), mpmath.mpf(repr(z.imag))) if isinstance(z, complex) else repr(z)
    assert _curve_ok(v[0], s[0], ref_stieltjes(zz, g, spec))


def test_float64_cdf_agrees():
    v, s = D.cdf_curve(np.array([1.0]), 0.5, TWO)
    assert _curve_ok(v[0], s[0], ref_cdf("1", "1/2", TWO, dps=20))


# ----------------------------------------------------------------------------------------------
# DEFECTS found by this review (were strict xfail; fixed)
# ----------------------------------------------------------------------------------------------


def test_defect_float64_stieltjes_tiny_gamma():
    x = 1.0001434199717814
    v, s = D.stieltjes_curve(np.array([x + 1e-30j]), 1e-8, TWO)
    ref = ref_stieltjes(mpmath.mpc(mpmath.mpf(repr(x)), mpmath.mpf("1e-30")), "1/100000000", TWO)
    assert _curve_ok(v[0], s[0], ref)


def test_defect_float64_density_tiny_gamma():
    x = 1.0001394194061026
    v, s = D.density_curve(np.array([x]), 1e-8, TWO)
    assert _curve_ok(v[0], s[0], ref_density(repr(x), "1/100000000", TWO))


@pytest.mark.parametrize("x", [2.7586316848078114e-11, 2.758626443418093e-11])
def test_defect_float64_density_gamma_near_one(x):
    v, s = D.density_curve(np.array([x]), 0.99999, FOUR)
    assert _curve_ok(v[0], s[0], ref_density(repr(x), "99999/100000", FOUR))


@pytest.mark.parametrize("z,g,spec,dps", [
    ("0.000001+1e-30j", "1/10", WIDE, 15),
    ("1000000+1e-30j", "1/10", WIDE, 15),
    ("4.000565312034888+1e-30j", "1/100000000", TWO, 20),
])
def test_defect_branch_error_nearly_real(z, g, spec, dps):
    r = D.stieltjes(z, g, spec, dps=dps)
    _check(r, ref_stieltjes(z, g, spec), dps, z)


@pytest.mark.parametrize("spec,g,which,rel", [("blocks:1/1", "1/4", 1, "1e-45"), ("blocks:1/1", "1/4", 0, "-1e-45"),
                                             (SEP, "1/20", 2, "-1e-45")])
def test_defect_off_support_called_on_support(spec, g, which, rel):
    e = ref_edges(g, spec)[which]
    with mp.workdps(REF_DPS):
        x = mpmath.nstr(e * (1 + mpmath.mpf(rel)), 90)
    assert ref_density(x, g, spec) == 0
    _check(D.stieltjes(x, g, spec, dps=60), ref_stieltjes(x, g, spec), 60, x)


@pytest.mark.parametrize("which,rel,dps", [(0, "-1e-25", 15), (1, "1e-45", 30), (3, "1e-45", 30)])
def test_defect_two_real_roots(which, rel, dps):
    e = ref_edges("1/20", SEP)[which]
    with mp.workdps(REF_DPS):
        x = mpmath.nstr(e * (1 + mpmath.mpf(rel)), 90)
    _check(D.stieltjes(x, "1/20", SEP, dps=dps), ref_stieltjes(x, "1/20", SEP), dps, x)


# ----------------------------------------------------------------------------------------------
# More agreements: huge |z| (series m = −1/z − μ₁/z² − …), z = 0, named families
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", ["1e30", "-1e30"])
def test_huge_z_series(z):
    r = D.stieltjes(z, "1/2", TWO, dps=30)
    with mp.workdps(REF_DPS):
        zz = mpmath.mpf(z)
        ref = -1 / zz - mpmath.mpf(5) / 2 / zz**2 - _q(ref_moment(2, "1/2", TWO)) / zz**3
        _check(r, ref, 30, z)


def test_z_zero_closed_form():
    # m(0) = E_H[1/t]/(1 − γ) = (1/2 + 1/8)/(1/2) = 5/4
    r = D.stieltjes("0", "1/2", TWO, dps=30)
    with mp.workdps(REF_DPS):
        _check(r, mpmath.mpf(5) / 4, 30, "m(0)")


@pytest.mark.parametrize("q,pt,named,blocks", [
    ("density", "1", "power_law:p=2,alpha=1", "blocks:1/1/2,0.5/1/2"),
    ("stieltjes", "2+1j", "power_law:p=2,alpha=2", "blocks:1/1/2,0.25/1/2"),
    ("density", "2", "spike:t=5,w=1/4", "blocks:5/1/4,1/3/4"),
])
def test_named_families(q, pt, named, blocks):
    g = "1/3" if named.startswith("spike") else "1/2"
    r = getattr(D, q)(pt, g, named, dps=30)
    ref = ref_density(pt, g, blocks) if q == "density" else ref_stieltjes(pt, g, blocks)
    _check(r, ref, 30, named)
