"""Independent attack on the proven enclosures of ``rf`` and ``nt`` (issue 15, reviewer 2).

Every expected value here comes from code in this file, written from the papers' equations
(Mei & Montanari 2019, scalar reduction of the ν₁, ν₂ fixed point on the imaginary axis; the NT
model as ridge on raw x with the self-induced ridge; the two-layer NTK as 2×2 block traces
integrated numerically over the Marchenko–Pastur law) with Gaussian coefficients from closed
forms derived here.  Nothing calls the package's formulas: the package is only the code under
test.  A proven result must contain the oracle's value and its printed value must be within one
unit of its last digit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import flint
import mpmath
import pytest
from mpmath import mp, mpf

from asymptotics.models import get_model

RF, NT = get_model("rf"), get_model("nt")


# ----------------------------------------------------------------------------- independent coefficients
def _coeffs(name: str) -> tuple[mpf, mpf, mpf, mpf]:
    """``(μ₁, μ⋆², E σ'², E σ')`` at the current precision, from closed forms derived for this file."""
    pi = mp.pi
    if name == "relu":  # μ₁ = E G·G₊ = 1/2, E σ² = 1/2, μ₀ = φ(0)
        return mpf(1) / 2, mpf(1) / 4 - 1 / (2 * pi), mpf(1) / 2, mpf(1) / 2
    if name == "erf":  # E G erf(G) = 2/√(3π); E erf² = (2/π) asin(2/3); σ' = (2/√π) e^{-x²}
        mu1 = 2 / mpmath.sqrt(3 * pi)
        return mu1, 2 / pi * mpmath.asin(mpf(2) / 3) - mu1**2, 4 / (pi * mpmath.sqrt(5)), mu1
    if name == "Abs(x-1/3)":  # a = 1/3: μ₁ = −erf(a/√2), μ₀ = 2φ(a) + a·erf(a/√2), E σ² = 1 + a²; σ' = sign(x − a)
        a = mpf(1) / 3
        e = mpmath.erf(a / mpmath.sqrt(2))
        mu0 = 2 * mpmath.exp(-a * a / 2) / mpmath.sqrt(2 * pi) + a * e
        return -e, 1 + a * a - mu0**2 - e**2, mpf(1), -e
    raise KeyError(name)


# ----------------------------------------------------------------------------- rf oracle
def _rf_oracle(name: str, psi1, psi2, lam, F1=0, Fs=0, tau2=0, F1sq=1):
    """``{risk, bias, variance, chi}`` of random-features ridge regression (noise excluded)."""
    mu1, ms2, _, _ = _coeffs(name)
    z2, lb = mu1**2 / ms2, lam / ms2
    if psi1 == mpmath.inf:  # ridge on raw x, γ = 1/ψ₂, ridge λ' = (1 + ψ₂λ̄)/(ζ²ψ₂)
        lp, g = (1 + psi2 * lb) / (z2 * psi2), 1 / psi2
        k = (-(1 - g - lp) + mpmath.sqrt((1 - g - lp) ** 2 + 4 * lp)) / 2
        den = (1 + k) ** 2 - g
        B, V, chi = k**2 / den, g / den, None
    elif psi2 == mpmath.inf:  # approximation error of N = ψ₁d features (MP Stieltjes transform, ratio ψ₁)
        def m(t):
            return (mpmath.sqrt((1 - psi1 + t) ** 2 + 4 * psi1 * t) - (1 - psi1 + t)) / (2 * psi1 * t)

        kb = psi1 * lb

        def I(c0):  # noqa: E743
            return m((1 + c0) / z2) / z2

        def J(c0):
            return -mpmath.diff(m, (1 + c0) / z2) / z2**2

        B = 1 - psi1 * (1 - I(0)) + (psi1 * (-I(0) + I(kb) + kb * (1 + kb) * J(kb)) if lam > 0 else 0)
        V, chi = mpf(0), None
    else:
        psi = min(psi1, psi2)

        def g(p):
            return p + z2 * p / (1 + z2 * p)

        b = 1 + z2 - psi * z2
        pmax = 2 * psi / (b + mpmath.sqrt(b * b + 4 * z2 * psi))  # g(p_max) = min(ψ₁, ψ₂)
        if lam == 0:
            p = pmax
        else:  # η²p = (ψ₁ − g)(ψ₂ − g): increasing minus decreasing on (0, p_max); geometric bisection
            lo, hi = pmax * mpf(10) ** -400, pmax
            for _ in range(5000):
                mid = mpmath.sqrt(lo * hi) if hi / lo > 4 else (lo + hi) / 2
                if mid in (lo, hi):
                    break
                if psi1 * psi2 * lb * mid < (psi1 - g(mid)) * (psi2 - g(mid)):
                    lo = mid
                else:
                    hi = mid
            p = (lo + hi) / 2
        c = -p
        z4, z6 = z2**2, z2**3
        E0 = (-(c**5) * z6 + 3 * c**4 * z4 + (psi1 * psi2 - psi2 - psi1 + 1) * c**3 * z6 - 2 * c**3 * z4 - 3 * c**3 * z2
              + (psi1 + psi2 - 3 * psi1 * psi2 + 1) * c**2 * z4 + 2 * c**2 * z2 + c**2 + 3 * psi1 * psi2 * c * z2 - psi1 * psi2)
        E1 = psi2 * c**3 * z4 - psi2 * c**2 * z2 + psi1 * psi2 * c * z2 - psi1 * psi2
        E2 = (c**5 * z6 - 3 * c**4 * z4 + (psi1 - 1) * c**3 * z6 + 2 * c**3 * z4 + 3 * c**3 * z2
              + (-psi1 - 1) * c**2 * z4 - 2 * c**2 * z2 - c**2)
        if lam == 0 and psi1 == psi2:
            B = V = mpmath.inf
        else:
            B, V = E1 / E0, E2 / E0
        chi = c
    bias = F1sq * B
    var = (tau2 + Fs) * V if tau2 + Fs else mpf(0)
    return {"risk": bias + var + Fs, "bias": bias, "variance": var, "chi": chi}


def _check(res, truth, dps):
    assert res.proven is True, "expected a proof here"
    if truth == mpmath.inf:
        assert res.value == mpmath.inf and res.enclosure.lo in ("inf", "+inf") or mpf(res.enclosure.lo) == mpmath.inf
        return
    with mp.workdps(dps + 60):
        lo, hi, v = mpf(res.enclosure.lo), mpf(res.enclosure.hi), mpf(res.value)
        assert lo <= truth <= hi, f"{truth} not in [{lo}, {hi}]"
        ulp = mpf(10) ** (mpmath.floor(mpmath.log10(abs(v))) - dps + 1)
        assert abs(v - truth) <= ulp, f"printed {v} is {abs(v - truth) / ulp} units off"
        assert hi - lo <= abs(truth) * mpf(10) ** -dps


def _fr(s):
    return mpmath.inf if s == "inf" else Fraction(s)


def _mp(x):
    return mpmath.inf if x == mpmath.inf else mpf(x.numerator) / x.denominator


RF_POINTS = [
    ("2", "3", "1/10"), ("3", "2", "1/10"), ("7/3", "7/3", "1e-30"), ("7/3", "7/3", "0"), ("7/3", "7/3", "1e-6"),
    ("1e-12", "3", "1/10"), ("1e12", "3", "1/10"), ("3", "1e-12", "1/10"), ("3", "1e12", "1/10"), ("2", "3", "1e8"),
    ("inf", "3", "1/10"), ("3", "inf", "1/10"), ("1/2", "7/10", "0"), ("1e12", "1e12", "1e-30"), ("inf", "1", "0"),
]


# fixed: rf's ball route no longer needs the mpmath quadrature of the coefficients (a kink at the
# non-dyadic 1/3 made it raise ConvergenceError where the ball coefficients prove the value)
RF_CASES = [pytest.param(a, p, id=f"{a}-{'-'.join(p)}") for a in ("relu", "erf", "Abs(x-1/3)") for p in RF_POINTS]


@pytest.mark.parametrize("act,point", RF_CASES)
def test_rf_enclosure_contains_independent_value(act, point):
    p1, p2, lam = point
    energies = {"F1sq": "1", "Fstar2": "1/2", "tau2": "1/4"}
    for dps in (5, 30):
        with mp.workdps(250):
            truth = _rf_oracle(act, _mp(_fr(p1)), _mp(_fr(p2)), _mp(_fr(lam)), Fs=mpf(1) / 2, tau2=mpf(1) / 4)
        for q in ("risk", "variance", "chi"):
            if truth[q] is None:
                continue
            r = RF.quantity(q).certified(psi1=p1, psi2=p2, lam=lam, activation=act, dps=dps, **energies)
            _check(r, truth[q], dps)


@pytest.mark.parametrize("point", [("2", "3", "1/10"), ("7/3", "7/3", "1e-30"), ("inf", "3", "1/10"), ("1e12", "3", "1/10")])
def test_rf_dps100(point):
    p1, p2, lam = point
    with mp.workdps(400):
        truth = _rf_oracle("relu", _mp(_fr(p1)), _mp(_fr(p2)), _mp(_fr(lam)))["risk"]
    _check(RF.quantity("risk").certified(psi1=p1, psi2=p2, lam=lam, dps=100), truth, 100)


# ----------------------------------------------------------------------------- nt oracle
def _ridge_x(psi2, lp):
    g = 1 / psi2
    k = (-(1 - g - lp) + mpmath.sqrt((1 - g - lp) ** 2 + 4 * lp)) / 2
    den = (1 + k) ** 2 - g
    return k**2 / den, g / den, k


@pytest.mark.parametrize("act", ["relu", "erf", "Abs(x-1/3)"])
@pytest.mark.parametrize("point", [("2", "1/10"), ("2", "0"), ("1/2", "0"), ("1e-12", "1/10"), ("1e12", "0"), ("3", "1e8")])
def test_nt_first_layer_contains_independent_value(act, point):
    p2, lam = point
    with mp.workdps(120):
        mu1, _, d2, d1 = _coeffs(act)
        P2, L = _mp(_fr(p2)), _mp(_fr(lam))
        lself = d2 - d1**2
        B, V, k = _ridge_x(P2, (lself + L) / (mu1**2 * P2))
        truth = {"risk": B + V * mpf(3) / 4 + mpf(1) / 2, "kappa": mu1**2 * k}
    for q in ("risk", "kappa"):
        r = NT.quantity(q).certified(psi2=p2, lam=lam, activation=act, F1sq=1, Fstar2="1/2", tau2="1/4", dps=30)
        _check(r, truth[q], 30)


def _ntk_oracle(name, psi1, psi2, lam, dps):
    """Two-layer NTK ``(𝓑, κ)``: explicit 2×2 block traces, integrated over the MP law by quadrature."""
    mu1, s, d2, d1 = _coeffs(name)
    a, lself = mu1**2, d2 - d1**2
    lt = (lam + lself) / psi2
    lo_, hi_ = (1 - mpmath.sqrt(psi1)) ** 2, (1 + mpmath.sqrt(psi1)) ** 2

    def block(om, k, which):
        M = mpmath.matrix([[(a * om + s) / psi1, a * mpmath.sqrt(om / psi1)], [a * mpmath.sqrt(om / psi1), a]])
        R = (M + k * mpmath.eye(2)) ** -1
        if which == 0:
            MR = M * R
            return MR[0, 0] + MR[1, 1]
        if which == 1:
            MR = M * R * M * R
            return MR[0, 0] + MR[1, 1]
        at = mpmath.matrix([[mu1 * mpmath.sqrt(om / psi1)], [mu1]])
        return k**2 * (at.T * M**-1 * R * R * at)[0, 0]

    def total(k, which):
        def f(th):  # ω = lo + 2√ψ₁(1 − cos θ): smooth integrand
            om = lo_ + 2 * mpmath.sqrt(psi1) * (1 - mpmath.cos(th))
            dens = mpmath.sqrt(max((hi_ - om) * (om - lo_), 0)) / (2 * mpmath.pi * psi1 * om)
            return psi1 * block(om, k, which) * dens * 2 * mpmath.sqrt(psi1) * mpmath.sin(th)

        v = mpmath.quad(f, [0, mpmath.pi / 2, mpmath.pi])
        nd, ld, nz = max(psi1 - 1, 0), max(1 - psi1, 0), s / psi1
        extra = [nd * nz / (nz + k) + ld * a / (a + k), nd * (nz / (nz + k)) ** 2 + ld * (a / (a + k)) ** 2,
                 ld * (k / (a + k)) ** 2]
        return v + extra[which]

    k = mpmath.findroot(lambda k: k * (1 - total(k, 0) / psi2) - lt, (lt, lt + (2 * a + s) / psi2), solver="anderson",
                        tol=mpf(10) ** (-dps + 3))
    D = total(k, 1) / psi2
    return total(k, 2) / (1 - D), k


def test_ntk_contains_independent_value():
    with mp.workdps(30):
        B, k = _ntk_oracle("relu", mpf(3), mpf(2), mpf(0), 30)
    r = NT.quantity("risk").certified(psi1=3, psi2=2, layers="both", dps=20)
    _check(r, B, 20)
    _check(NT.quantity("kappa").certified(psi1=3, psi2=2, layers="both", dps=20), k, 20)


# ----------------------------------------------------------------------------- wrong branch / perturbed root
def test_rf_other_root_is_not_proven(monkeypatch):
    import asymptotics.models.random_features as rfm

    mu1, ms2, _, _ = _coeffs("relu")
    with mp.workdps(60):
        t, ell = ms2 / mu1**2, mpf(1) / 10 / mu1**2

        def h(q):
            G = t * q + q / (1 + q)
            return 6 * ell * q - (2 - G) * (3 - G)

        other = mpmath.findroot(h, 30)  # G(other) > max(ψ₁, ψ₂): a root of h off the branch
        assert t * other + other / (1 + other) > 3
    orig = rfm._Solver._general

    def patched(self, *a, **k):
        out = orig(self, *a, **k)
        self.q_last = other
        return out

    monkeypatch.setattr(rfm._Solver, "_general", patched)
    assert RF.quantity("risk").certified(psi1=2, psi2=3, lam="1/10", dps=30).proven is False


def test_nt_perturbed_candidate_is_not_proven(monkeypatch):
    import asymptotics.models.neural_tangent as ntm

    orig = ntm.approximate_kappa
    monkeypatch.setattr(ntm, "approximate_kappa", lambda *a: orig(*a) * (1 + mpf(10) ** -20))
    assert NT.quantity("kappa").certified(psi1=3, psi2=2, layers="both", dps=30).proven is False


# ----------------------------------------------------------------------------- state, callables, CLI, float64
def test_caller_precision_restored():
    from asymptotics.activations import from_callable

    old = flint.ctx.prec, mp.prec
    try:
        flint.ctx.prec, mp.prec = 77, 91
        assert RF.quantity("risk").certified(psi1=2, psi2=3, lam="1/10", activation="tanh", dps=30).proven
        assert (flint.ctx.prec, mp.prec) == (77, 91)
        with pytest.raises(Exception):
            RF.quantity("risk").certified(psi1=-1, psi2=3, dps=30)
        assert (flint.ctx.prec, mp.prec) == (77, 91)
        act = from_callable(mpmath.tanh, name="mytanh", kinks=(), derivative=lambda x: 1 / mpmath.cosh(x) ** 2)
        assert RF.quantity("risk").certified(psi1=2, psi2=3, lam="1/10", activation=act, dps=20).proven is False
        assert NT.quantity("risk").certified(psi2=2, psi1=3, layers="both", activation=act, dps=20).proven is False
        assert (flint.ctx.prec, mp.prec) == (77, 91)
    finally:
        flint.ctx.prec, mp.prec = old


@pytest.mark.parametrize("model,args", [("rf", ["risk", "psi1=2", "psi2=3", "lam=0.1", "activation=tanh"]),
                                        ("nt", ["risk", "psi1=3", "psi2=2", "layers=both"])])
def test_cli_json_enclosure(model, args):
    out = subprocess.run([sys.executable, "-m", "asymptotics", "eval", model, *args, "--json", "--dps", "30"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    d = json.loads(out)
    assert d["proven"] is True
    with mp.workdps(60):
        assert mpf(d["enclosure"]["lo"]) <= mpf(d["value"]) <= mpf(d["enclosure"]["hi"]) or (
            abs(mpf(d["value"]) - mpf(d["enclosure"]["mid"])) <= mpf(10) ** -29 * abs(mpf(d["value"])))


@pytest.mark.parametrize("model,kw", [("rf", dict(psi1=2.0, psi2=3.0, lam=1e-6, activation="erf")),
                                      ("rf", dict(psi1=1e6, psi2=3.0, lam=0.1, activation="Abs(x-1/3)")),
                                      ("nt", dict(psi1=0.5, psi2=0.7, lam=0.01, layers="both", activation="tanh"))])
def test_float64_status0_within_enclosure(model, kw):
    m = RF if model == "rf" else NT
    v, s = m.quantity("risk").curve(**{k: ([x] if isinstance(x, float) else x) for k, x in kw.items()})
    assert s[0] == 0
    exact = {k: (str(Fraction(x)) if isinstance(x, float) else x) for k, x in kw.items()}
    r = m.quantity("risk").certified(**exact, dps=20)
    assert r.proven
    lo, hi = mpf(r.enclosure.lo), mpf(r.enclosure.hi)
    assert lo * (1 - mpf("1e-6")) <= v[0] <= hi * (1 + mpf("1e-6"))


# ----------------------------------------------------------------------------- confirmed bugs (fixed, regression tests)
def test_rf_discontinuous_piecewise_is_proven_at_dps30():
    act = "Piecewise((x, x<1/3), (x**2, True))"
    r = RF.quantity("risk").certified(psi1=2, psi2=3, lam="1/10", activation=act, dps=30)
    assert r.proven is True


def test_rf_kink_at_one_third_is_proven_at_dps50():
    with mp.workdps(120):
        truth = _rf_oracle("Abs(x-1/3)", mpf(2), mpf(3), mpf(1) / 10)["risk"]
    _check(RF.quantity("risk").certified(psi1=2, psi2=3, lam="1/10", activation="Abs(x-1/3)", dps=50), truth, 50)


def test_rf_float64_data_limit_huge_psi1_status():
    with mp.workdps(200):
        truth = _rf_oracle("relu", mpf(10) ** 10, mpmath.inf, mpf(0))["risk"]
    v, s = RF.quantity("risk").curve(psi1=[1e10], psi2=float("inf"), lam=0.0)
    assert s[0] != 0 or abs(v[0] - truth) <= mpf("1e-6") * truth
