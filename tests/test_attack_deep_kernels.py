"""Independent attack on the deep NNGP/NTK kernels and the NT kernel of krr (issue 18, reviewer RC).

References are written here from the maths, not from asymptotics/deep_kernels.py:

* the recursion of Arora et al. (arXiv:1904.11955, eqs. (3)-(5)) / Jacot et al. (arXiv:1806.07572) with a bias
  σ_b² and weight variance σ_w² after the first layer (docs/models/krr.md, "Deep kernels and the NT kernel");
* ReLU duals in the arc-cosine closed forms of Cho & Saul (2009) (κ₁, κ₀ at variance q by homogeneity);
* erf duals in Williams' (1997) closed form E erf(u)erf(v) = (2/π) asin(2c/√((1+2q)(1+2q'))), and
  E erf'(u)erf'(v) = (4/π)·det(I + 2Σ)^{-1/2};
* x³ duals by Isserlis: E u³v³ = 9qq'c + 6c³, E 9u²v² = 9(qq' + 2c²);
* tanh duals by 2-D Gauss-Hermite quadrature (numpy);
* Taylor coefficients ξ_k = h^{(k)}(0)/k! by the Cauchy integral (trapezoid rule on |s| = 1/2, complex
  arithmetic on the principal branches; the composed ρ_l(s) has non-negative coefficients and ρ_l(1) = 1, so
  |ρ_l(s)| < 1 inside the disk and no branch cut is crossed); aliasing error ≤ h(1)·2^{-(N-k)}.
"""

import subprocess
import sys

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.kernels import get_kernel, harmonic_count

mpf = mpmath.mpf
PI = mpmath.pi


# ------------------------------------------------------------------ references
def _relu_step(S, q, sw2, sb2):
    rho = S / q
    th = mpmath.acos(rho)
    k1 = (mpmath.sqrt(1 - rho * rho) + (PI - th) * rho) / (2 * PI)
    k0 = (PI - th) / (2 * PI)
    return sw2 * q * k1 + sb2, sw2 * k0, sw2 * q / 2 + sb2


def _erf_step(S, q, sw2, sb2):
    Sn = sw2 * 2 / PI * mpmath.asin(2 * S / (1 + 2 * q)) + sb2
    Sd = sw2 * 4 / PI / mpmath.sqrt((1 + 2 * q) ** 2 - 4 * S * S)
    qn = sw2 * 2 / PI * mpmath.asin(2 * q / (1 + 2 * q)) + sb2
    return Sn, Sd, qn


def _cube_step(S, q, sw2, sb2):
    return sw2 * (9 * q * q * S + 6 * S**3) + sb2, sw2 * 9 * (q * q + 2 * S * S), sw2 * 15 * q**3 + sb2


STEPS = {"relu": _relu_step, "erf": _erf_step, "x^3": _cube_step}


def ref_h(act, kind, s, L=1, sw2=1, sb2=0):
    sw2, sb2 = mpmath.mpmathify(sw2), mpmath.mpmathify(sb2)
    if kind == "nt":
        if act == "relu":
            return s * (PI - mpmath.acos(s)) / (2 * PI)
        if act == "erf":
            return s * 4 / PI / mpmath.sqrt(9 - 4 * s * s)
        raise ValueError(act)
    q, S, T = mpf(1), s, s
    for _ in range(L):
        S, Sd, q = STEPS[act](S, q, sw2, sb2)
        T = S + T * Sd
    return S if kind == "nngp" else T


def cauchy_xi(f, K, r=None, N=160):
    r = mpf(1) / 2 if r is None else r
    vals = [f(r * mpmath.expjpi(mpf(2 * j) / N)) for j in range(N)]
    return [
        mpmath.re(mpmath.fsum(v * mpmath.expjpi(-mpf(2 * j * k) / N) for j, v in enumerate(vals))) / N / r**k
        for k in range(K + 1)
    ]


def text_of(kind, act, L, sw2, sb2):
    out = f"{kind}:{act},{L}"
    if sw2 != "1":
        out += f",sw2={sw2}"
    if sb2 != "0":
        out += f",sb2={sb2}"
    return out


def frac(t):
    p, _, q = t.partition("/")
    return mpf(p) / mpf(q or 1)


def agree(got, want, scale, digits):
    return abs(mpmath.mpmathify(got) - want) <= mpf(10) ** (-digits) * scale


# ------------------------------------------------------------------ Taylor coefficients and h(1), many depths/scalings
GRID = [
    ("relu", "ntk", 1, "2", "1/10"),
    ("relu", "nngp", 2, "1", "0"),
    ("relu", "ntk", 2, "1/2", "1/10"),
    ("relu", "nngp", 3, "2", "1/10"),
    ("relu", "ntk", 4, "2", "0"),
    ("relu", "ntk", 5, "1/2", "1/10"),
    ("relu", "nngp", 5, "1", "1/10"),
    ("relu", "ntk", 20, "1", "0"),
    ("relu", "ntk", 4, "1000", "1000"),
    ("relu", "ntk", 4, "1/1000", "0"),
    ("relu", "nngp", 3, "1", "1/1000000"),
    ("erf", "nngp", 1, "2", "0"),
    ("erf", "ntk", 3, "1/2", "0"),
    ("erf", "nngp", 4, "2", "0"),
]


@pytest.mark.parametrize("act, kind, L, sw2, sb2", GRID)
def test_xi_levels_0_to_8_and_h1_against_cauchy_integrals(act, kind, L, sw2, sb2):
    k = get_kernel(text_of(kind, act, L, sw2, sb2))
    with mpmath.workdps(60):
        W, B = frac(sw2), frac(sb2)
        ref = cauchy_xi(lambda s: ref_h(act, kind, s, L, W, B), 8)
        h1 = ref_h(act, kind, mpf(1), L, W, B)
    with mpmath.workdps(35):
        assert agree(k.h1(), h1, h1, 33)
        for j in range(9):
            assert agree(k.xi(j), ref[j], h1, 33), (j, k.xi(j), ref[j])


@pytest.mark.parametrize("text, act", [("nt:relu", "relu"), ("nt:erf", "erf")])
def test_nt_kernel_xi_against_cauchy_integrals(text, act):
    k = get_kernel(text)
    with mpmath.workdps(60):
        ref = cauchy_xi(lambda s: ref_h(act, "nt", s), 8)
        h1 = ref_h(act, "nt", mpf(1))
    with mpmath.workdps(35):
        assert agree(k.h1(), h1, h1, 33)
        for j in range(9):
            assert agree(k.xi(j), ref[j], h1, 33)


@pytest.mark.slow
def test_cubic_activation_depth_two_against_isserlis():
    """x³ is odd: nngp/ntk:x^3,2 are polynomials (degrees 9 / 9) with Isserlis-exact coefficients."""
    k = get_kernel("ntk:x^3,2")
    with mpmath.workdps(50):
        ref = cauchy_xi(lambda s: ref_h("x^3", "ntk", s, 2), 10, N=64)
        h1 = ref_h("x^3", "ntk", mpf(1), 2)
    assert h1 == 305775
    with mpmath.workdps(30):
        assert agree(k.h1(), h1, h1, 28)
        for j in range(11):
            assert agree(k.xi(j), ref[j], h1, 28)


# ------------------------------------------------------------------ proven enclosures (krr xi)
@pytest.mark.parametrize(
    "act, kind, L, sw2, sb2, level",
    [
        ("relu", "ntk", 3, "1", "0", 3),
        ("relu", "nngp", 5, "2", "1/10", 6),
        ("relu", "ntk", 20, "1/2", "1/10", 8),
        ("relu", "ntk", 4, "1000", "1000", 2),
        ("erf", "nngp", 1, "1", "0", 5),
    ],
)
def test_proven_xi_enclosure_contains_reference(act, kind, L, sw2, sb2, level):
    from asymptotics.models import krr

    r = krr.xi(level=level, kernel=text_of(kind, act, L, sw2, sb2), dps=30)
    assert r.proven
    with mpmath.workdps(60):
        ref = cauchy_xi(lambda s: ref_h(act, kind, s, L, frac(sw2), frac(sb2)), level)[level]
        lo, hi = mpf(r.enclosure.lo), mpf(r.enclosure.hi)
        slack = mpf(10) ** -50 * ref_h(act, kind, mpf(1), L, frac(sw2), frac(sb2))
        assert lo - slack <= ref <= hi + slack
        assert agree(r.value, ref, abs(ref), 29)


def test_nt_erf_proven():
    from asymptotics.models import krr

    r = krr.xi(level=3, kernel="nt:erf", dps=30)
    with mpmath.workdps(60):
        ref = cauchy_xi(lambda s: ref_h("erf", "nt", s), 3)[3]
        assert mpf(r.enclosure.lo) - mpf(10) ** -50 <= ref <= mpf(r.enclosure.hi) + mpf(10) ** -50


# ------------------------------------------------------------------ pointwise, incl. s → ±1 (mp and float64)
POINTS = ["-1", "-0.9999999999", "-0.5", "0", "0.3", "0.9", "0.99999999", "0.999999999999", "1"]


@pytest.mark.parametrize("kind, L, sw2, sb2", [("nngp", 3, "2", "1/10"), ("ntk", 5, "1/2", "1/10"), ("ntk", 2, "1", "0")])
def test_relu_pointwise_mp_and_float64(kind, L, sw2, sb2):
    k = get_kernel(text_of(kind, "relu", L, sw2, sb2))
    for s in POINTS:
        with mpmath.workdps(30):
            x = mpf(s)  # the same binary input for both sides (near ±1 the kernel amplifies input rounding)
        with mpmath.workdps(80):
            ref = ref_h("relu", kind, x, L, frac(sw2), frac(sb2))
            h1 = ref_h("relu", kind, mpf(1), L, frac(sw2), frac(sb2))
        with mpmath.workdps(30):
            assert agree(k.mp(x), ref, h1, 28), s
        xf = float(x)
        with mpmath.workdps(80):
            reff = ref_h("relu", kind, mpf(xf), L, frac(sw2), frac(sb2))
        got = float(k.np(np.array([xf]))[0])
        assert abs(got - float(reff)) <= 1e-12 * float(h1), s


def gauss_dual(f, q, rho, nodes=150):
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / np.sqrt(2 * np.pi)
    g1, g2 = np.meshgrid(x, x, indexing="ij")
    u = np.sqrt(q) * g1
    v = np.sqrt(q) * (rho * g1 + np.sqrt(1 - rho * rho) * g2)
    return float(np.sum(np.outer(w, w) * f(u) * f(v)))


@pytest.mark.slow
def test_tanh_depth_two_sw2_two_against_gauss_hermite():
    """ntk:tanh,2,sw2=2 at s = 0.3: Σ ξ_k s^k (k < 20) against 2-D Gauss-Hermite duals."""
    s, sw2 = 0.3, 2.0

    def ds(x):
        return 1 / np.cosh(x) ** 2

    q1 = sw2 * gauss_dual(np.tanh, 1.0, 1.0)
    c1 = sw2 * gauss_dual(np.tanh, 1.0, s)
    t1 = c1 + s * sw2 * gauss_dual(ds, 1.0, s)
    ntk = sw2 * gauss_dual(np.tanh, q1, c1 / q1) + t1 * sw2 * gauss_dual(ds, q1, c1 / q1)
    k = get_kernel("ntk:tanh,2,sw2=2")
    with mpmath.workdps(16):
        xi = [k.xi(j) for j in range(20)]  # tail < h(1)·0.3^20 ≈ 1e-10·h(1)
        assert abs(float(mpmath.polyval(xi[::-1], mpf(s))) - ntk) < 1e-8


# ------------------------------------------------------------------ finite d (small d, low levels only)
def gegen(ell, nu, s):
    """C_ℓ^ν(s) by the three-term recurrence (d ≥ 3, ν > 0)."""
    a, b = mpf(1), 2 * nu * s
    if ell == 0:
        return a
    for n in range(1, ell):
        a, b = b, (2 * (n + nu) * s * b - (n + 2 * nu - 1) * a) / (n + 1)
    return b


def funk_hecke(h, d, ell):
    nu = mpf(d - 2) / 2
    w = lambda s: (1 - s * s) ** (mpf(d - 3) / 2)  # noqa: E731
    z = mpmath.quad(w, [-1, 1])
    c1 = gegen(ell, nu, mpf(1))
    return mpmath.quad(lambda s: h(s) * gegen(ell, nu, s) / c1 * w(s), [-1, 0, 1]) / z


@pytest.mark.parametrize(
    "text, L, sw2, sb2, kind",
    [("ntk:relu,3,sw2=2,sb2=1/10", 3, "2", "1/10", "ntk"), ("nngp:relu,2,sb2=1/2", 2, "1", "1/2", "nngp")],
)
def test_eigenvalues_small_d_against_funk_hecke(text, L, sw2, sb2, kind):
    k = get_kernel(text)
    with mpmath.workdps(20):
        for d, ell in ((3, 0), (3, 3), (5, 2)):
            ref = funk_hecke(lambda s: ref_h("relu", kind, s, L, frac(sw2), frac(sb2)), d, ell)
            assert agree(k.eigenvalue(d, ell)[0], ref, abs(ref), 12), (d, ell)


def test_nt_relu_eigenvalues_against_funk_hecke():
    k = get_kernel("nt:relu")
    with mpmath.workdps(20):
        for d, ell in ((3, 1), (4, 2), (6, 3), (3, 5), (9, 0)):
            ref = funk_hecke(lambda s: ref_h("relu", "nt", s), d, ell)
            assert agree(k.eigenvalue(d, ell)[0], ref, max(abs(ref), mpf(10) ** -5), 15), (
                d,
                ell,
            )  # odd ℓ ≥ 3: exactly 0 (odd part s/4)


@pytest.mark.parametrize(
    "text, act, kind, L, sw2, sb2, level",
    [
        ("ntk:relu,3,sb2=1/10", "relu", "ntk", 3, "1", "1/10", 50),
        ("nngp:relu,6,sw2=2", "relu", "nngp", 6, "2", "0", 64),
        ("nt:erf", "erf", "nt", 1, "1", "0", 41),
    ],
)
def test_high_level_xi_proven(text, act, kind, L, sw2, sb2, level):
    from asymptotics.models import krr

    r = krr.xi(level=level, kernel=text, dps=30)
    assert r.proven
    with mpmath.workdps(80):
        ref = cauchy_xi(lambda s: ref_h(act, kind, s, L, frac(sw2), frac(sb2)), level, N=256)[level]
        assert mpf(r.enclosure.lo) <= ref <= mpf(r.enclosure.hi)
        assert agree(r.value, ref, ref, 28)


def test_trace_identity_d3_with_bias():
    k = get_kernel("ntk:relu,2,sb2=1/10")
    with mpmath.workdps(20):
        h1 = ref_h("relu", "ntk", mpf(1), 2, 1, mpf(1) / 10)
        part = sum(harmonic_count(3, ell) * k.eigenvalue(3, ell)[0] for ell in range(20))
        assert 0 < h1 - part < mpf("0.05") * h1


# ------------------------------------------------------------------ L = 1 reductions, precision, bad inputs
@pytest.mark.parametrize("kind, base", [("nngp", "relu_nngp"), ("ntk", "relu_ntk")])
def test_depth_one_equals_two_layer(kind, base):
    a, b = get_kernel(f"{kind}:relu,1"), get_kernel(base)
    with mpmath.workdps(30):
        for j in range(6):
            assert a.xi(j) == b.xi(j)
        assert a.h1() == b.h1()
        assert a.eigenvalue(5, 2) == b.eigenvalue(5, 2)


def test_caller_precision_unchanged():
    from asymptotics.models import krr

    before = mpmath.mp.prec
    krr.xi(level=4, kernel="ntk:relu,4,sw2=2,sb2=1/10", dps=40)
    get_kernel("nngp:erf,3").xi(5)
    assert mpmath.mp.prec == before


BAD = [
    "ntk:relu,0",
    "ntk:relu,21",
    "ntk:relu,-1",
    "ntk:relu,2.5",
    "nngp:relu",
    "nngp:relu,2,sw2=0",
    "nngp:relu,2,sw2=-1/2",
    "nngp:relu,2,sb2=-1",
    "nngp:relu,2,sw2=abc",
    "ntk:relu,2,sb2=1/0",
    "ntk:relu,2,sw2=1,sw2=2",
    "nngp:nosuch,2",
    "nngp:,2",
    "nt:",
    "nt:relu,sw2=2",
    "nngp:x^2,2",
    "nngp:x+10^(-20),2",
    "ntk:tanh,2,sb2=1/10",
]


@pytest.mark.parametrize("text", BAD)
def test_bad_text_parameter_error(text):
    with pytest.raises(ParameterError, match="kernel"):
        get_kernel(text)


@pytest.mark.parametrize(
    "text", ["ntk:relu,0", "ntk:relu,21", "nngp:relu,2,sw2=0", "nngp:relu,2,sb2=-1", "nngp:nosuch,2", "nngp:relu"]
)
def test_cli_bad_text_exit_two_one_line(text):
    out = subprocess.run(
        [sys.executable, "-m", "asymptotics", "eval", "krr", "xi", "level=1", f"kernel={text}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "kernel" in lines[0]


# ---------------------------------------------- per-level risk (docs/models/krr.md, "The d → ∞ per-level formula")
def ref_risk(act, kind, L, sw2, sb2, alpha, ell, F):
    """Isotropic ridge with γ = 1/α, λ_eff = κ_{>ℓ}/(αξ_ℓ), κ_{>ℓ} = h(1) − Σ_{k≤ℓ} ξ_k, signal F_ℓ², noise F²_{>ℓ}."""
    xi = cauchy_xi(lambda s: ref_h(act, kind, s, L, frac(sw2), frac(sb2)), ell)
    kap = ref_h(act, kind, mpf(1), L, frac(sw2), frac(sb2)) - mpmath.fsum(xi)
    g, le = 1 / alpha, kap / (alpha * xi[ell])
    K = ((le + g - 1) + mpmath.sqrt((1 - le - g) ** 2 + 4 * le)) / 2  # κ − λ_eff = γκ/(1+κ)
    F = [mpf(x) for x in F.split(",")]
    Fl, Fg = F[ell], mpmath.fsum(F[ell + 1 :])
    return Fg + Fl * K * K / ((1 + K) ** 2 - g) + Fg * g / ((1 + K) ** 2 - g)


@pytest.mark.parametrize(
    "text, args, alpha, ell, F",
    [
        ("ntk:relu,3", ("relu", "ntk", 3, "1", "0"), "2", 1, "0,1,1"),
        ("nngp:relu,4,sw2=2,sb2=1/10", ("relu", "nngp", 4, "2", "1/10"), "1/2", 2, "1,1,1,1"),
        ("nt:erf", ("erf", "nt", 1, "1", "0"), "2", 1, "0,1,1"),
    ],
)
def test_risk_asymptotic_proven_against_per_level_formula(text, args, alpha, ell, F):
    from asymptotics.models import krr

    r = krr.risk_asymptotic(alpha=alpha, level=ell, kernel=text, F=F, dps=30)
    assert r.proven
    with mpmath.workdps(60):
        ref = ref_risk(*args, frac(alpha), ell, F)
        assert mpf(r.enclosure.lo) <= ref <= mpf(r.enclosure.hi)


@pytest.mark.parametrize(
    "ker, act, kind, L, sw2, sb2",
    [
        ("ntk:relu,20,sw2=1000,sb2=1000", "relu", "ntk", 20, "1000", "1000"),
        pytest.param("ntk:erf,3,sw2=2", "erf", "ntk", 3, "2", "0", marks=pytest.mark.slow),
    ],
)
def test_float64_sweep_xi_deep_relu_and_erf(ker, act, kind, L, sw2, sb2):
    import asymptotics as A

    if True:
        df = A.sweep("krr", "xi", level=np.array([1, 3, 5]), kernel=ker)
        with mpmath.workdps(50):
            ref = cauchy_xi(lambda s: ref_h(act, kind, s, L, frac(sw2), frac(sb2)), 5, N=64)
        for lev, v, st in zip((1, 3, 5), df["value"], df["status"]):
            assert st == 0 and abs(v - float(ref[lev])) <= 1e-12 * float(ref[lev])


# ------------------------------------------------------------------ former defects (fixed: sw2, sb2 range-checked)
def test_float64_overflow_is_not_status_zero():
    import asymptotics as A
    from asymptotics.errors import ParameterError

    with pytest.raises(ParameterError, match=r"sw2 \(sigma_w\^2\) must be in \[1e-4, 1e4\]"):
        A.sweep("krr", "xi", level=np.array([0]), kernel="nngp:relu,20,sw2=1e30")
    df = A.sweep("krr", "xi", level=np.array([0]), kernel="nngp:relu,20,sw2=1e4")  # the largest accepted
    v, st = float(df["value"][0]), int(df["status"][0])
    assert st != 0 or np.isfinite(v)


def test_float64_underflow_is_not_status_zero():
    import asymptotics as A
    from asymptotics.errors import ParameterError

    with pytest.raises(ParameterError, match="sw2"):
        A.sweep("krr", "xi", level=np.array([0]), kernel="nngp:relu,20,sw2=1e-30")
    df = A.sweep("krr", "xi", level=np.array([0]), kernel="nngp:relu,20,sw2=1e-4")  # the smallest accepted
    v, st = float(df["value"][0]), int(df["status"][0])
    with mpmath.workdps(30):
        ref = ref_h("relu", "nngp", mpf(0), 20, mpf("1e-4"), 0)  # ξ_0 = h(0)
    assert st != 0 or abs(v - float(ref)) <= 1e-6 * float(ref) and v > 0


def test_cli_tiny_sw2_erf_answers_or_fails_fast():
    try:
        out = subprocess.run(
            [sys.executable, "-m", "asymptotics", "eval", "krr", "xi", "level=1", "kernel=nngp:erf,2,sw2=1e-200"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("no answer and no error within 5 s") from None
    if out.returncode == 0:
        with mpmath.workdps(30):
            ref = cauchy_xi(lambda s: ref_h("erf", "nngp", s, 2, mpf("1e-200"), 0), 1, N=32)[1]
            assert agree(mpf(out.stdout.split()[0]), ref, ref, 20)
    else:
        assert len(out.stderr.strip().splitlines()) == 1


def test_correlation_reaching_one_is_a_named_error():
    # sb2 = 1e4 over sw2 = 1e-4: 1 - rho shrinks by ~1e-8 per layer, below 30 digits after a few layers
    from asymptotics.errors import ParameterError
    from asymptotics.models import krr

    with pytest.raises(ParameterError, match="correlation reaches 1"):
        krr.xi(level=1, kernel="nngp:relu,20,sw2=1e-4,sb2=1e4")
