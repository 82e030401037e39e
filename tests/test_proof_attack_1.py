"""Independent attack on the proven enclosures (issue 15, reviewer 1): ridge, krr, activation coefficients.

Every expected number here comes from an implementation written for this file with mpmath only
(the Marchenko–Pastur Stieltjes transform, a bisection + Anderson solve of the κ equation, direct
sums, Funk–Hecke / Gaussian quadrature split at the exact kinks, the Kravchuk sum on the cube):
none of the package's formulas is called.  A proven result must (a) contain the reference in its
enclosure ``[lo, hi]`` (decimal strings) and (b) print a value within one unit of its last digit
of the reference, and (c) its enclosure must be narrower than ``10**-dps`` relative.
"""

from __future__ import annotations

import json
import threading
from fractions import Fraction

import flint
import mpmath as M
import pytest
from mpmath import mp, mpf

from asymptotics.cli import main as cli_main
from asymptotics.models import get_model
from asymptotics.models.ridge import Spectrum

RIDGE = get_model("ridge")
KRR = get_model("krr")
RF = get_model("rf")


# ----------------------------------------------------------------------------- checking
def _q(x) -> mpf:
    f = Fraction(str(x))
    return mpf(f.numerator) / f.denominator


def _frac(x) -> Fraction:
    if x == 0:
        return Fraction(0)
    man, exp = x.man_exp
    return Fraction(int(M.sign(x)) * abs(int(man))) * Fraction(2) ** int(exp)


def _unit(text: str) -> Fraction:
    t = text.lstrip("-")
    mant = t.split("e")[0]
    e = int(t.split("e")[1]) if "e" in t else 0
    last = -len(mant.split(".")[1]) if "." in mant else 0
    return Fraction(10) ** (last + e)


def assert_proven_contains(res, ref, what=""):
    assert res.proven, f"{what}: not proven"
    enc = res.enclosure
    if M.isinf(ref):
        assert str(res) == "inf" and enc.lo == enc.hi == "inf", (what, str(res), enc)
        return
    with mp.workdps(600):
        rf = _frac(mpf(ref))
    lo, hi = Fraction(enc.lo), Fraction(enc.hi)
    assert lo <= rf <= hi, f"{what}: enclosure [{enc.lo}, {enc.hi}] misses {M.nstr(ref, res.dps + 8)}"
    txt = str(res)
    p = Fraction(txt)
    if p == 0:
        assert rf == 0, what
        return
    assert abs(p - rf) <= _unit(txt), f"{what}: printed {txt} vs {M.nstr(ref, res.dps + 8)}"
    assert hi - lo <= abs(p) * Fraction(10) ** (-res.dps) * Fraction(1001, 1000), f"{what}: too wide {enc}"


# ----------------------------------------------------------------------------- ridge, isotropic (MP route)
def _mp_m(z, g):
    a, b = (1 - M.sqrt(g)) ** 2, (1 + M.sqrt(g)) ** 2
    z = M.mpc(z)
    return ((1 - g) - z + M.sqrt(z - a) * M.sqrt(z - b)) / (2 * g * z)


def ref_isotropic(gamma, lam, r2, sigma2, dps):
    g, lam_f = Fraction(gamma), Fraction(lam)
    extra = int(2 * abs(M.log10(_q(lam)))) + 20 if lam_f > 0 else 0
    with mp.workdps(3 * dps + 60 + extra):
        G, L, R2, S2 = _q(gamma), _q(lam), _q(r2), _q(sigma2)
        if L == 0:
            if g < 1:
                var = S2 * G / (1 - G)
                return {"kappa": mpf(0), "bias": mpf(0), "variance": var, "risk": var, "train_error": (1 - G) ** 2 * (var + S2)}
            kap, bias, var = G - 1, R2 * (1 - 1 / G), S2 / (G - 1)
            return {"kappa": kap, "bias": bias, "variance": var, "risk": bias + var, "train_error": mpf(0)}
        m = _mp_m(-L, G).real
        mp_ = -(G * m * m + m) / (2 * G * (-L) * m - L - (1 - G))
        bias, var = R2 * L**2 * mp_, S2 * G * (m - L * mp_)
        kap = 1 / (G * m + (1 - G) / L)
        train = (L / kap) ** 2 * (bias + var + S2)
        return {"kappa": kap, "bias": bias, "variance": var, "risk": bias + var, "train_error": train}


ISO_POINTS = [
    ("1", "1e-60", "1", "1"),
    ("1.0000000000000000000000001", "0", "1", "1"),
    ("0.9999999999999999999999999", "0", "1", "1"),
    ("1.0000000000000000000000001", "1e-60", "1e-40", "1e40"),
    ("1e-30", "1e50", "1", "1"),
    ("1e30", "1e-12", "2", "0.25"),
    ("3/7", "1/3", "0", "1"),
    ("2", "1e50", "1", "0"),
]


@pytest.mark.parametrize("dps", [3, 30, 100])
@pytest.mark.parametrize("gamma,lam,r2,sigma2", ISO_POINTS)
def test_ridge_isotropic_contains_mp_transform_route(gamma, lam, r2, sigma2, dps):
    ref = ref_isotropic(gamma, lam, r2, sigma2, dps)
    for q, v in ref.items():
        res = RIDGE.quantity(q).certified(gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, dps=dps)
        assert_proven_contains(res, v, f"ridge {q} {gamma} {lam}")


def test_ridge_threshold_is_exact_infinity():
    res = RIDGE.quantity("risk").certified(gamma="1", lam="0", dps=30)
    assert_proven_contains(res, M.inf, "gamma=1 lam=0")


# ----------------------------------------------------------------------------- ridge, general spectra
def ref_general(blocks, gamma, lam, sigma2, dps):
    with mp.workdps(3 * dps + 60):
        S, W, Bb = ([_q(t[i]) for t in blocks] for i in range(3))
        G, L, S2 = _q(gamma), _q(lam), _q(sigma2)

        def df(k, pw):
            return G * M.fsum(w * (s / (s + k)) ** pw for s, w in zip(S, W, strict=True))

        def h(k):
            return 1 - L / k - df(k, 1)

        lo, hi = (L if L > 0 else mpf(10) ** -400), mpf(10) ** 400
        for _ in range(3000):
            mid = M.sqrt(lo * hi)
            lo, hi = (mid, hi) if h(mid) < 0 else (lo, mid)
            if hi / lo - 1 < mpf(10) ** -15:
                break
        k = M.findroot(h, (lo, hi), solver="anderson")
        d2 = df(k, 2)
        bias = k**2 * M.fsum(b * s / (s + k) ** 2 for s, b in zip(S, Bb, strict=True)) / (1 - d2)
        var = S2 * d2 / (1 - d2)
        out = {"kappa": k, "bias": bias, "variance": var, "risk": bias + var}
        if L > 0:
            out["train_error"] = (L / k) ** 2 * (bias + var + S2)
        return out


GEN_SPECS = {
    "wide": [("1e-30", "1/3", "1"), ("1e30", "1/3", "1e-10"), ("1", "1/3", "0.5")],
    "tiny_weight": [("1", "1e-40", "1"), ("2", str(1 - Fraction("1e-40")), "1")],
    "three": [("3", "0.2", "0.1"), ("1/3", "0.3", "0.7"), ("1e-5", "0.5", "0")],
}


@pytest.mark.parametrize("name", sorted(GEN_SPECS))
@pytest.mark.parametrize(
    "gamma,lam", [("2", "0"), ("1.0000000000000000000000001", "0"), ("0.5", "1e-60"), ("1e20", "0.01"), ("1", "1e50")]
)
def test_ridge_blocks_contain_own_kappa_solve(name, gamma, lam):
    blocks = GEN_SPECS[name]
    spec = Spectrum.from_blocks(*[[t[i] for t in blocks] for i in range(3)])
    ref = ref_general(blocks, gamma, lam, "0.25", 30)
    for q, v in ref.items():
        res = RIDGE.quantity(q).certified(gamma=gamma, lam=lam, sigma2="0.25", spectrum=spec, dps=30)
        assert_proven_contains(res, v, f"ridge blocks {name} {q} {gamma} {lam}")


def test_ridge_power_law_direct_sum():
    p, alpha, beta = 600, Fraction(3, 2), Fraction(1, 2)
    with mp.workdps(150):
        e = [mpf(j) ** (-_q(beta)) for j in range(1, p + 1)]
        blocks = [(mpf(j) ** (-_q(alpha)), mpf(1) / p, e[j - 1] / M.fsum(e)) for j in range(1, p + 1)]
    ref = ref_general(blocks, "2", "1e-3", "0.25", 20)
    spec = Spectrum.power_law(p, alpha, beta)
    for q in ("kappa", "risk", "train_error"):
        res = RIDGE.quantity(q).certified(gamma="2", lam="1e-3", sigma2="0.25", spectrum=spec, dps=20)
        assert_proven_contains(res, ref[q], f"power law {q}")


# ----------------------------------------------------------------------------- krr
def ref_sphere_eigenvalue_exp(d, level, prec=80):
    """Funk–Hecke quadrature in s = sin t (cos^{d-2} t weight)."""
    with mp.workdps(prec):
        nu = mpf(d - 2) / 2
        w = lambda t: M.cos(t) ** (d - 2)  # noqa: E731
        norm = M.gegenbauer(level, nu, 1)
        pts = M.linspace(-M.pi / 2, M.pi / 2, 5)
        num = M.quad(lambda t: M.exp(M.sin(t)) * M.gegenbauer(level, nu, M.sin(t)) / norm * w(t), pts)
        return num / M.quad(w, pts)


@pytest.mark.parametrize("d,level", [(3, 0), (3, 4), (5, 2), (200, 1), (200, 3)])
def test_krr_sphere_eigenvalue_contains_funk_hecke_quadrature(d, level):
    ref = ref_sphere_eigenvalue_exp(d, level)
    res = KRR.quantity("eigenvalue").certified(d=d, level=level, kernel="exp", dps=30)
    assert_proven_contains(res, ref, f"mu_{d},{level}")


def _cube_eigs(d):
    mus = []
    for lev in range(d + 1):
        s = mpf(0)
        for j in range(d + 1):
            K = sum((-1) ** i * M.binomial(j, i) * M.binomial(d - j, lev - i) for i in range(lev + 1))
            s += M.binomial(d, j) * M.exp(mpf(d - 2 * j) / d) * K
        mus.append(s / 2**d / M.binomial(d, lev))
    return mus, [M.binomial(d, lev) for lev in range(d + 1)]


@pytest.mark.parametrize("n,lam", [("7", "0"), ("65", "0"), ("50", "1e-60"), ("100000", "0.1")])
def test_krr_hypercube_contains_kravchuk_level_sum(n, lam):
    d = 6
    with mp.workdps(120):
        mus, Bs = _cube_eigs(d)
        N, L = _q(n), _q(lam)
        F = [mpf(0), mpf(1), mpf("0.5")] + [mpf(0)] * (d - 2)
        if L == 0 and N > 2**d:
            k = mpf(0)
        else:
            g = lambda k: 1 - L / k - M.fsum(B * mu / (N * mu + k) for B, mu in zip(Bs, mus, strict=True))  # noqa: E731
            lo, hi = mpf(10) ** -80, mpf(10) ** 80
            for _ in range(600):
                mid = M.sqrt(lo * hi)
                lo, hi = (mid, hi) if g(mid) < 0 else (lo, mid)
                if hi / lo - 1 < mpf(10) ** -15:
                    break
            k = M.findroot(g, (lo, hi), solver="anderson")
        E = M.fsum(B * N * mu**2 / (N * mu + k) ** 2 for B, mu in zip(Bs, mus, strict=True))
        bias = M.fsum(f * k**2 / (N * mu + k) ** 2 for f, mu in zip(F, mus, strict=True)) / (1 - E)
        ref = {"kappa": k, "bias": bias, "risk": bias + mpf("0.1") * E / (1 - E)}
    for q, v in ref.items():
        res = KRR.quantity(q).certified(d=d, n=n, lam=lam, kernel="exp", domain="hypercube", F="0,1,0.5", sigma2="0.1", dps=30)
        assert_proven_contains(res, v, f"cube {q} n={n} lam={lam}")


# ----------------------------------------------------------------------------- activation coefficients
def _gauss(f, kinks):
    with mp.workdps(70):
        phi = lambda x: M.exp(-x * x / 2) / M.sqrt(2 * M.pi)  # noqa: E731
        pts = [-M.inf] + sorted({*kinks, mpf(-8), mpf(0), mpf(8)}) + [M.inf]
        integ = lambda g: M.quad(lambda x: g(x) * phi(x), pts, maxdegree=10)  # noqa: E731
        m0, m1, e2 = integ(f), integ(lambda x: x * f(x)), integ(lambda x: f(x) ** 2)
        return {"mu0": m0, "mu1": m1, "mustar": M.sqrt(e2 - m0**2 - m1**2)}


ACTIVATIONS = {
    "softplus": (lambda x: M.log(1 + M.exp(x)), []),
    "sigmoid": (lambda x: 1 / (1 + M.exp(-x)), []),
    "relu": (lambda x: max(x, 0), [0]),
    "Max(x,0)**2": (lambda x: max(x, 0) ** 2, [0]),
    "Abs(x-1/3)": (lambda x: abs(x - mpf(1) / 3), ["1/3"]),
    "Max(x-1/3,0)*tanh(x)": (lambda x: max(x - mpf(1) / 3, 0) * M.tanh(x), ["1/3"]),
    "Piecewise((x**2, x < 1/3), (exp(x)/3, True))": (lambda x: x**2 if x < mpf(1) / 3 else M.exp(x) / 3, ["1/3"]),
    "tanh(x - 1/10**30)": (lambda x: M.tanh(x - mpf(10) ** -30), []),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_coefficients_contain_split_quadrature(name):
    f, kinks = ACTIVATIONS[name]
    with mp.workdps(70):
        ref = _gauss(f, [_q(k) for k in kinks])
    for q in ("mu0", "mu1", "mustar"):
        if q == "mu1" and name == "tanh(x - 1/10**30)":
            continue
        res = RF.quantity(q).certified(activation=name, dps=30)
        assert_proven_contains(res, ref[q], f"{q} {name}")


# ----------------------------------------------------------------------------- machinery
@pytest.mark.parametrize(
    "sigma2,dps", [("0.99999999995", 10), ("9.9999999999999999999999999999999", 30), ("99.49", 2), ("0.949", 1), ("5e-400", 5)]
)
def test_rounding_near_powers_of_ten(sigma2, dps):
    res = RIDGE.quantity("risk").certified(gamma="1/2", lam="0", sigma2=sigma2, dps=dps)  # = sigma2 exactly
    with mp.workdps(600):
        assert_proven_contains(res, _q(sigma2), sigma2)


def test_caller_precision_restored_after_success_and_error():
    saved = flint.ctx.prec, mp.prec
    try:
        flint.ctx.prec, mp.prec = 77, 99
        RIDGE.quantity("risk").certified(gamma="2", lam="0.1", dps=50)
        with pytest.raises(Exception):  # noqa: B017 - any parameter error
            RIDGE.quantity("risk").certified(gamma="-2", lam="0.1", dps=50)
        with pytest.raises(Exception):  # noqa: B017
            RF.quantity("mu0").certified(activation="nonsense(", dps=40)
        assert (flint.ctx.prec, mp.prec) == (77, 99)
    finally:
        flint.ctx.prec, mp.prec = saved


def test_two_threads_at_different_dps_agree_with_serial():
    jobs = [
        (RIDGE.quantity("risk"), {"gamma": "3/2", "lam": "1/5", "r2": "2", "sigma2": "1/2"}),
        (RF.quantity("mustar"), {"activation": "tanh"}),
    ]
    base = {(i, d): str(q.certified(**kw, dps=d).enclosure) for i, (q, kw) in enumerate(jobs) for d in (20, 60)}
    errors = []

    def work(d):
        for _ in range(5):
            for i, (q, kw) in enumerate(jobs):
                r = q.certified(**kw, dps=d)
                if not r.proven or str(r.enclosure) != base[i, d]:
                    errors.append((i, d))

    threads = [threading.Thread(target=work, args=(d,)) for d in (20, 60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_cli_json_enclosure_at_hard_point(capsys):
    cli_main(["eval", "ridge", "risk", "gamma=1.0000000000000000000000001", "lam=1e-60", "r2=1e-40", "sigma2=1e40", "--json"])
    d = json.loads(capsys.readouterr().out)
    ref = ref_isotropic("1.0000000000000000000000001", "1e-60", "1e-40", "1e40", 30)["risk"]
    assert d["proven"] is True
    with mp.workdps(600):
        rf = _frac(mpf(ref))
    assert Fraction(d["enclosure"]["lo"]) <= rf <= Fraction(d["enclosure"]["hi"])
    assert Fraction(d["enclosure"]["lo"]) <= Fraction(d["value"]) <= Fraction(d["enclosure"]["hi"]) or abs(
        Fraction(d["value"]) - rf
    ) <= _unit(d["value"])


@pytest.mark.parametrize("n,lam", [("1000", "0"), ("1000", "1e-60"), ("100", "0")])
def test_krr_sphere_d3_tiny_self_induced_ridge(n, lam):
    """d = 3, n = 1000, lam = 0: kappa ~ 6e-42, set by the levels near l = 34 and the truncated tail.

    The reference sums 110 levels (eigenvalues from the Bessel form, checked against the Funk–Hecke
    quadrature above to 1e-114 for l <= 36); the dropped mass is below 1e-210.
    """
    with mp.workdps(250):
        mus = [M.gamma(mpf(3) / 2) * M.sqrt(2) * M.besseli(mpf(1) / 2 + lev, 1) for lev in range(110)]
        Bs = [2 * lev + 1 for lev in range(110)]
        N, L = _q(n), _q(lam)
        F = [mpf(0), mpf(1), mpf("0.5"), mpf("0.2")] + [mpf(0)] * 106

        def g(k):
            return 1 - L / k - M.fsum(B * mu / (N * mu + k) for B, mu in zip(Bs, mus, strict=True))

        lo, hi = mpf(10) ** -80, mpf(10) ** 10
        for _ in range(600):
            mid = M.sqrt(lo * hi)
            lo, hi = (mid, hi) if g(mid) < 0 else (lo, mid)
            if hi / lo - 1 < mpf(10) ** -15:
                break
        k = M.findroot(g, (lo, hi), solver="anderson")
        E = M.fsum(B * N * mu**2 / (N * mu + k) ** 2 for B, mu in zip(Bs, mus, strict=True))
        bias = M.fsum(f * k**2 / (N * mu + k) ** 2 for f, mu in zip(F, mus, strict=True)) / (1 - E)
        ref = {"kappa": k, "bias": bias, "risk": bias + mpf("0.1") * E / (1 - E)}
    for q, v in ref.items():
        res = KRR.quantity(q).certified(d=3, n=n, lam=lam, kernel="exp", F="0,1,0.5,0.2", sigma2="0.1", dps=30)
        assert_proven_contains(res, v, f"krr d=3 {q} n={n} lam={lam}")


def test_krr_train_error_at_threshold_is_zero():
    """Found by this attack (fixed): n = number of features, λ = 0 gave 0·inf = NaN; the limit λ → 0 is 0."""
    res = KRR.quantity("train_error").certified(d=3, n="4", lam="0", kernel="poly:1", F="0,1", sigma2="0.1", dps=20)
    assert res.value == 0 and res.proven
    for d, n in ((6, "64"), (12, "4096")):  # the hypercube's full rank 2^d
        res = KRR.quantity("train_error").certified(d=d, n=n, lam="0", kernel="exp", F="0,1", sigma2="0.1", domain="hypercube")
        assert res.value == 0
