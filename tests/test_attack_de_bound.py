"""Independent attack on ridge ``de_error_bound`` (reviewer R3, issue 17).

The reference below is written from the statement of Cheng & Montanari, "Dimension free ridge
regression" (arXiv 2210.08571v3 / Ann. Statist. 52(6) 2024), Section 2 and Section 3.1:

* Assumption 1: ``‖Σ‖ = 1`` (``1 = σ₁ ≥ σ₂ ≥ …``); (I) ``d_Σ ≥ n`` with ``Σ_{l=k}^d σ_l ≤ d_Σ σ_k`` for
  ``1 ≤ k ≤ min{n, d}`` (Eq. 6) -- we take the smallest admissible value;
* Eq. 7: ``n (1 − λ/λ⋆) = Tr Σ(Σ + λ⋆)⁻¹``;
* Eq. 24: ``χ_n(λ) = 1 + σ_{⌊ηn⌋} d_Σ log²(d_Σ) / (nλ)``;  Eq. 25: ``κ = min(λ/λ⋆, 1 − λ/λ⋆)``;
* Eq. 26-27: ``ρ = R₀(λ⋆,1; θθᵀ/‖θ‖²) / R₀(λ⋆,1; I)``, ``R₀(ζ,μ;Q) = Tr(Σ^{1/2}QΣ^{1/2}(ζ + μΣ)⁻¹)``,
  ``β = Σ^{1/2}θ``;
* Theorem 1: hypothesis ``χ³log²n ≤ C n κ^{4.5}``; Eq. 28 rate ``χ³log²n / (n^{1−1/k} κ^{9.5})``;
  Eq. 29 rate ``λ⋆^{k+1}/(nκ³) + χ³log²n/(√ρ n^{1−1/k} κ^{8.5})`` under the further conditions
  ``χ³log²n ≤ C n κ^{4.5} √ρ`` and ``λ k n^{−1/k} ≤ κ/2``.

Every constant is 1.  A general (unnormalized) Σ is first divided by σ₁ (and λ with it), exactly as
Assumption 1 prescribes.  The κ root is found by plain bisection (per coordinate, not per block)
or, for Σ = I, by the quadratic ``nκ² + (n − nλ − p)κ − nλ = 0``.  Nothing from the code under test
is called except the function being attacked.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import _diagnostics as D

ROOT = Path(__file__).resolve().parents[1]


def M(x):
    f = Fraction(str(x))
    return mpmath.mpf(f.numerator) / f.denominator


def _tail(rate_inputs):
    """(ε_V, ε_B, flag_V, flag_B) from (n, λ, λ⋆, κ, d_Σ, σ_{⌊ηn⌋}, ρ or None, k), σ₁ = 1 units."""
    n, lam, ls, kap, dS, sj0, rho, k = rate_inputs
    n = mpmath.mpf(n)
    chi = 1 + sj0 * dS * mpmath.log(dS) ** 2 / (n * lam)
    core = chi**3 * mpmath.log(n) ** 2
    nk = n ** (1 - mpmath.mpf(1) / k)
    eps_v = core / (nk * kap ** mpmath.mpf("9.5"))
    flag_v = int(core <= n * kap ** mpmath.mpf("4.5"))
    if rho is None:
        return eps_v, mpmath.mpf(0), flag_v, None
    eps_b = ls ** (k + 1) / (n * kap**3) + core / (mpmath.sqrt(rho) * nk * kap ** mpmath.mpf("8.5"))
    flag_b = int(
        bool(flag_v)
        and core <= n * kap ** mpmath.mpf("4.5") * mpmath.sqrt(rho)
        and lam * k * n ** (-mpmath.mpf(1) / k) <= kap / 2
    )
    return eps_v, eps_b, flag_v, flag_b


def ref_coords(coords, n, lam, k, eta):
    """Theorem 1 rate from a list of (σ_j, ⟨β, v_j⟩²), one entry per coordinate, any scale/order."""
    coords = sorted(coords, key=lambda t: -t[0])
    s1 = coords[0][0]
    sig = [c[0] / s1 for c in coords]
    b2 = [c[1] for c in coords]
    lam = mpmath.mpf(lam) / s1
    d = len(sig)
    N = mpmath.mpf(n)
    lo, hi = lam, lam + mpmath.fsum(sig) / N  # f(λ) < 0 ≤ f(λ + TrΣ/n)
    for _ in range(mpmath.mp.prec + 20):
        mid = (lo + hi) / 2
        if N * (1 - lam / mid) - mpmath.fsum(x / (x + mid) for x in sig) < 0:
            lo = mid
        else:
            hi = mid
    ls = (lo + hi) / 2
    kap = min(lam / ls, 1 - lam / ls)
    tails, acc = [None] * d, mpmath.mpf(0)
    for i in range(d - 1, -1, -1):
        acc += sig[i]
        tails[i] = acc
    dS = max([N] + [tails[i] / sig[i] for i in range(min(n, d))])
    j0 = math.floor(Fraction(str(eta)) * n)
    sj0 = sig[j0 - 1] if j0 <= d else mpmath.mpf(0)
    rho = None
    if any(b != 0 for b in b2):
        num = mpmath.fsum(b / (x + ls) for x, b in zip(sig, b2))  # ⟨θ, Σ(Σ+λ⋆)⁻¹θ⟩
        th2 = mpmath.fsum(b / x for x, b in zip(sig, b2))  # ‖θ‖² = ‖Σ^{-1/2}β‖²
        rho = num / (th2 * mpmath.fsum(x / (x + ls) for x in sig))
    return _tail((n, lam, ls, kap, dS, sj0, rho, k))


def coords_of_blocks(spec, p):
    out = []
    for s, w, b in spec:
        m = Fraction(str(w)) * p
        assert m.denominator == 1
        out += [(M(s), M(b) / int(m))] * int(m)
    return out


def ref_blocks_large(spec, p, n, lam, k, eta):
    """Same theorem on (eigenvalue, count, energy) levels, for p too large to list coordinates."""
    lv = {}
    for s, w, b in spec:
        key = Fraction(str(s))
        c, e = lv.get(key, (0, Fraction(0)))
        lv[key] = (c + int(Fraction(str(w)) * p), e + Fraction(str(b)))
    lv = sorted(((M(s), c, M(e)) for s, (c, e) in lv.items()), key=lambda t: -t[0])
    s1 = lv[0][0]
    lv = [(s / s1, c, e) for s, c, e in lv]
    lam = M(lam) / s1
    N = mpmath.mpf(n)
    lo, hi = lam, lam + mpmath.fsum(c * s for s, c, _ in lv) / N
    for _ in range(mpmath.mp.prec + 20):
        mid = (lo + hi) / 2
        if N * (1 - lam / mid) - mpmath.fsum(c * s / (s + mid) for s, c, _ in lv) < 0:
            lo = mid
        else:
            hi = mid
    ls = (lo + hi) / 2
    kap = min(lam / ls, 1 - lam / ls)
    dS, start, sj0 = N, 0, mpmath.mpf(0)
    j0 = math.floor(Fraction(str(eta)) * n)
    for i, (s, c, _) in enumerate(lv):
        if start + 1 <= min(n, p):  # within a level the ratio is largest at its first index
            dS = max(dS, mpmath.fsum(cc * ss for ss, cc, _ in lv[i:]) / s)
        if start < j0 <= start + c:
            sj0 = s
        start += c
    num = mpmath.fsum(e / (s + ls) for s, _, e in lv)
    th2 = mpmath.fsum(e / s for s, _, e in lv)
    rho = num / (th2 * mpmath.fsum(c * s / (s + ls) for s, c, _ in lv))
    return _tail((n, lam, ls, kap, dS, sj0, rho, k))


def ref_isotropic(p, n, lam, k, eta):
    """Σ = I_p: closed-form root; 1 − λ/λ⋆ = p/(n(1+λ⋆)) taken from Eq. 7 (no cancellation)."""
    N, P, lam = mpmath.mpf(n), mpmath.mpf(p), M(lam)
    b = N - N * lam - P
    ls = (-b + mpmath.sqrt(b * b + 4 * N * N * lam)) / (2 * N)
    kap = min(lam / ls, P / (N * (1 + ls)))
    dS = max(N, P)
    sj0 = mpmath.mpf(1) if math.floor(Fraction(str(eta)) * n) <= p else mpmath.mpf(0)
    return _tail((n, lam, ls, kap, dS, sj0, 1 / P, k))


def _agree(r, exp, digits):
    v = [mpmath.mpf(x) for x in r.value]
    for a, e in zip(v[:2], exp[:2]):
        assert abs(a - e) <= mpmath.mpf(10) ** (-digits) * abs(e) or (e == 0 and a == 0), (a, e)
    assert int(v[2]) == exp[2]
    if exp[3] is not None:
        assert int(v[3]) == exp[3]


def _spec(spec):
    return "blocks:" + ",".join(f"{s}/{w}/{b}" for s, w, b in spec)


# ------------------------------------------------------------------------------- drawn points
def _dec(f):
    """An exact decimal string of a Fraction whose denominator divides a power of 10."""
    f = Fraction(f)
    for e in range(12):
        if (f * 10**e).denominator == 1:
            return str(Fraction(f * 10**e).numerator) + (f"e-{e}" if e else "")
    raise AssertionError(f)


def _draws():
    rng = random.Random(20261206)
    pts = []
    for _ in range(7):
        nb = rng.randint(1, 3)
        q = rng.choice([4, 5, 8, 10])
        cuts = sorted(rng.sample(range(1, q), nb - 1)) if nb > 1 else []
        ws = [Fraction(b - a, q) for a, b in zip([0] + cuts, cuts + [q])]
        eig = [Fraction(rng.randint(1, 400), rng.choice([1, 10, 100])) for _ in range(nb)]
        en = [Fraction(rng.randint(0, 5), 2) for _ in range(nb)]
        p = q * rng.randint(4, 30)
        n = rng.choice([d for d in range(2, 4 * p + 1) if True][:: max(1, p // 7)])
        gamma = Fraction(p, n)
        lam = Fraction(rng.randint(1, 999), rng.choice([10, 1000, 10**5]))
        k = rng.randint(1, 6)
        eta = Fraction(rng.randint(1, 49), 100)
        if math.floor(eta * n) < 1:
            eta = Fraction(1, 2) - Fraction(1, 100)
        pts.append(([(_dec(s), _dec(w), _dec(b)) for s, w, b in zip(eig, ws, en)], p, gamma, lam, k, eta))
    # hand-picked: duplicate eigenvalue in two blocks, blocks given in increasing order
    pts.append(
        (
            [("0.25", "0.5", "1"), ("3", "0.25", "0"), ("0.25", "0.25", "2")],
            40,
            Fraction(1, 2),
            Fraction(1, 20),
            2,
            Fraction(1, 4),
        )
    )
    return pts


@pytest.mark.parametrize("spec,p,gamma,lam,k,eta", _draws())
def test_drawn_blocks_agree_with_independent_theorem(spec, p, gamma, lam, k, eta):
    n = int(Fraction(p) / gamma)
    if math.floor(eta * n) < 1 or n < 2:
        pytest.skip("outside the theorem's index range")
    r = D.de_error_bound(str(gamma), str(lam), spectrum=_spec(spec), p=p, k_order=k, eta=str(eta), dps=30)
    assert r.proven
    with mpmath.workdps(45):
        exp = ref_coords(coords_of_blocks(spec, p), n, M(lam), k, eta)
        _agree(r, exp, 25)


@pytest.mark.parametrize(
    "p,alpha,beta,gamma,lam,k,eta",
    [
        (120, "1.5", "2", "3", "0.01", 2, "1/4"),
        (100, "0.5", "0", "2", "0.1", 3, "0.3"),
        (80, "1", "3", "1", "1e-6", 2, "0.1"),
        (90, "1.2", "-1", "3", "0.05", 4, "0.49"),
    ],
)
def test_power_law_agrees_with_independent_theorem(p, alpha, beta, gamma, lam, k, eta):
    r = D.de_error_bound(gamma, lam, spectrum=f"power_law:p={p},alpha={alpha},beta={beta}", k_order=k, eta=eta, dps=30)
    n = int(Fraction(p) / Fraction(gamma))
    with mpmath.workdps(45):
        coords = [(mpmath.mpf(j) ** (-M(alpha)), mpmath.mpf(j) ** (-M(beta))) for j in range(1, p + 1)]
        _agree(r, ref_coords(coords, n, M(lam), k, eta), 25)


def test_scale_invariance_sigma1_normalization():
    """Assumption 1 fixes ‖Σ‖ = 1: scaling Σ and λ by c must leave every output unchanged."""
    a = D.de_error_bound("2", "1/10", spectrum="blocks:1/0.5/0.7,0.25/0.5/0.3", p=40, dps=30)
    b = D.de_error_bound("2", "7/10", spectrum="blocks:7/0.5/0.7,1.75/0.5/0.3", p=40, dps=30)
    for x, y in zip(a.value, b.value):
        assert abs(mpmath.mpf(x) - mpmath.mpf(y)) <= mpmath.mpf(10) ** -26 * (1 + abs(mpmath.mpf(x)))


# ------------------------------------------------------------------ flags that hold, huge sizes
@pytest.mark.parametrize(
    "spec,p,k,eta",
    [
        ([("1", "0.4", "1"), ("1e-12", "0.6", "0")], 10**12, 2, "0.45"),  # both flags 1
        ([("1", "0.4", "1"), ("1e-12", "0.6", "0")], 10**12, 2, "0.4"),  # σ_{⌊ηn⌋} = 1: both 0
        ([("1", "0.4", "0.5"), ("1e-12", "0.6", "0.5")], 10**12, 2, "0.45"),  # small ρ: bias 0
        ([("1", "0.4", "1"), ("1e-12", "0.6", "0")], 10**8, 2, "0.45"),
    ],
)
def test_side_conditions_where_they_can_hold(spec, p, k, eta):
    r = D.de_error_bound("1", "0.5", spectrum=_spec(spec), p=p, k_order=k, eta=eta, dps=30)
    with mpmath.workdps(45):
        _agree(r, ref_blocks_large(spec, p, p, "0.5", k, eta), 25)
    if eta == "0.45" and p == 10**12 and spec[0][2] == "1":
        assert [int(mpmath.mpf(x)) for x in r.value[2:]] == [1, 1]


@pytest.mark.parametrize(
    "p,gamma,lam,k,eta",
    [
        (200, "2", "1e400", 2, "1/4"),
        (200, "1e-300", "1", 2, "1/4"),
        (10**12, "1/2", "100", 3, "0.49"),
        (5, "1/20", "1e-30", 1, "0.49"),
        (64, "0.25", "0.5", 50, "1/4"),
    ],
)
def test_isotropic_extremes_closed_form(p, gamma, lam, k, eta):
    r = D.de_error_bound(gamma, lam, p=p, k_order=k, eta=eta, dps=30)
    n = int(Fraction(p) / Fraction(gamma))
    with mpmath.workdps(60):
        _agree(r, ref_isotropic(p, n, lam, k, eta), 25)


def test_fifty_digits_and_caller_precision():
    mpmath.mp.dps = 23
    try:
        r = D.de_error_bound("2", "0.1", spectrum="blocks:1/0.5/0.7,0.25/0.5/0.3", p=200, dps=50)
        assert mpmath.mp.dps == 23
    finally:
        mpmath.mp.dps = 15
    assert r.proven
    with mpmath.workdps(70):
        _agree(r, ref_coords(coords_of_blocks([("1", "0.5", "0.7"), ("0.25", "0.5", "0.3")], 200), 100, M("0.1"), 2, "1/4"), 47)


# ---------------------------------------------------------------------------------- honesty
def test_rate_only_is_said_everywhere():
    r = D.de_error_bound("2", "0.1", p=200, dps=15)
    src = str(r.source)
    assert "RATE ONLY" in src and "not given by the paper" in src and "2210.08571" in src
    out = subprocess.run([sys.executable, "-m", "asymptotics", "list", "ridge"], capture_output=True, text=True, cwd=ROOT).stdout
    line = next(x for x in out.splitlines() if x.strip().startswith("de_error_bound "))
    assert "RATE ONLY" in line and "constants set to 1" in line
    doc = (ROOT / "docs/models/ridge.md").read_text()
    assert "None of `η`, `C`, `C'` is given numerically in the paper" in doc


# ------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "kw,name",
    [
        (dict(gamma="2", lam="0", p=200), "lam"),
        (dict(gamma="2", lam="-1", p=200), "lam"),
        (dict(gamma="2", lam="inf", p=200), "lam"),
        (dict(gamma="0", lam="1", p=200), "gamma"),
        (dict(gamma="3", lam="1", p=200), "gamma"),
        (dict(gamma="2", lam="1", p=2), "gamma"),
        (dict(gamma="2", lam="1", p=200, k_order=0), "k_order"),
        (dict(gamma="2", lam="1", p=200, eta="0"), "eta"),
        (dict(gamma="2", lam="1", p=200, eta="1/2"), "eta"),
        (dict(gamma="2", lam="1", p=200, eta="1/1000"), "eta"),
        (dict(gamma="2", lam="1"), "p"),
        (dict(gamma="1", lam="1", spectrum="power_law:p=inf,alpha=2,beta=2"), "spectrum"),
        (dict(gamma="2", lam="1", p=201, spectrum="blocks:1/0.5/1,2/0.5/0"), "p"),
    ],
)
def test_bad_inputs_parameter_error(kw, name):
    with pytest.raises(ParameterError, match=f"`{name}`"):
        D.de_error_bound(**kw)


@pytest.mark.parametrize("args,name", [(["gamma=2", "lam=0", "p=200"], "lam"), (["gamma=2", "lam=1", "p=200", "eta=0.5"], "eta")])
def test_cli_bad_input_exit_2_one_line(args, name):
    pr = subprocess.run(
        [sys.executable, "-m", "asymptotics", "eval", "ridge", "de_error_bound", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert pr.returncode == 2
    lines = [x for x in (pr.stderr + pr.stdout).splitlines() if x.strip()]
    assert len(lines) == 1 and f"`{name}`" in lines[0]


# ----------------------------------------------------------------------- defects (strict xfail)
def test_bias_flag_implies_variance_flag_for_zero_signal():
    r = D.de_error_bound("2", "0.1", spectrum="blocks:1/0.5/0,0.25/0.5/0", p=200, dps=15)
    v = [int(mpmath.mpf(x)) for x in r.value[2:]]
    assert v[1] <= v[0]


def test_cli_missing_lam_message_not_contradictory():
    pr = subprocess.run(
        [sys.executable, "-m", "asymptotics", "eval", "ridge", "de_error_bound", "gamma=2", "p=200"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert pr.returncode == 2
    assert "lam (default 0)" not in pr.stderr + pr.stdout


def test_docs_theorem4_attribution():
    doc = (ROOT / "docs/models/ridge.md").read_text()
    assert "which Theorem 4 covers instead" not in doc


@pytest.mark.parametrize("alpha", ["0.509777280991801850409148267943179254186", "0.509777280991801823977253938805231369423"])
def test_power_law_near_tie_of_effective_rank_with_n(alpha):
    r = D.de_error_bound("2", "1", spectrum=f"power_law:p=200,alpha={alpha},beta=1", k_order=2, eta="1/4", dps=30)
    assert r.proven
    with mpmath.workdps(50):
        coords = [(mpmath.mpf(j) ** (-mpmath.mpf(alpha)), 1 / mpmath.mpf(j)) for j in range(1, 201)]
        exp = ref_coords(coords, 100, mpmath.mpf(1), 2, "1/4")
        _agree(r, exp, 25)


# ----------------------------------------------------------------- exact ties and a large power law
@pytest.mark.parametrize(
    "gamma,p,spectrum,coords",
    [
        ("1", 100, None, [(1, Fraction(1, 100))] * 100),  # λ/λ⋆ = 1/2 exactly (λ⋆ = 1)
        ("0.75", 75, "blocks:2/0.5/1,2/0.5/1", [(2, Fraction(2, 75))] * 75),  # λ/λ⋆ = 1/2 exactly (λ⋆ = 1)
    ],
)
def test_kappa_exactly_one_half(gamma, p, spectrum, coords):
    """At λ/λ⋆ = 1/2 both branches of Eq. 25 coincide: any proven flag is fine, the value must be right."""
    r = D.de_error_bound(gamma, "0.5", spectrum=spectrum, p=p, dps=30)
    with mpmath.workdps(45):
        exp = ref_coords([(M(a), M(b)) for a, b in coords], 100, M("0.5"), 2, "1/4")
        _agree(r, exp, 25)


def test_power_law_p_1e5_float64_cross_check():
    import numpy as np

    r = D.de_error_bound("2", "0.1", spectrum="power_law:p=100000,alpha=1.5,beta=2", dps=20)
    p, n, lam = 100000, 50000, 0.1
    s = np.arange(1, p + 1, dtype=float) ** -1.5
    b = np.arange(1, p + 1, dtype=float) ** -2.0
    lo, hi = lam, lam + s.sum() / n
    for _ in range(200):
        m = (lo + hi) / 2
        lo, hi = (m, hi) if n * (1 - lam / m) - np.sum(s / (s + m)) < 0 else (lo, m)
    ls = (lo + hi) / 2
    df = np.sum(s / (s + ls))
    kap = min(lam / ls, df / n)
    tails = np.cumsum(s[::-1])[::-1]
    dS = max(n, (tails[:n] / s[:n]).max())
    chi = 1 + s[n // 4 - 1] * dS * math.log(dS) ** 2 / (n * lam)
    core = chi**3 * math.log(n) ** 2
    rho = np.sum(b / (s + ls)) / (np.sum(b / s) * df)
    ev = core / (n**0.5 * kap**9.5)
    eb = ls**3 / (n * kap**3) + core / (math.sqrt(rho) * n**0.5 * kap**8.5)
    assert float(r.value[0]) == pytest.approx(ev, rel=1e-9)
    assert float(r.value[1]) == pytest.approx(eb, rel=1e-9)
