"""The command line for kernel ridge regression ``krr``, through :func:`asymptotics.cli.main` (in process).

Expected numbers are closed forms evaluated here with mpmath or exact fractions, or the
20-digit "theory" column of the theory note's table (``mp_ridge_krr.md`` §5.1, rows K1–K7,
and §5.3).  The note computed those from binary-float parameters (``0.1`` as a double),
the CLI reads decimals exactly, so they agree to ~1e-15, not to 30 digits.

``--mc`` semantics for ``krr``: the curve axis is the sample size ``n`` (or ``alpha``, or
``lam``) and the dimension is the model parameter ``d``, so the CLI's ``--n`` (the
simulated sample size of ``mp``/``ridge``, the dimension of ``rf``) does not apply; it is
rejected (exit 2, one line) rather than silently ignored.  The simulation at a
non-integer ``n`` of a ``--log`` axis uses ``round(n)`` samples.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest

from asymptotics.cli import main

K1 = ["d=200", "n=300", "kernel=exp", "F=0,1,0.5,0.2", "sigma2=0.1"]
CURVE = ["d=30", "F=0,1,0.5,0.25", "sigma2=0.1", "lam=0.001"]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def ok(capsys, *args: str) -> str:
    rc, out, err = cli(capsys, *args)
    assert rc == 0, err
    assert "Traceback" not in err
    return out.strip()


def mp(x) -> mpmath.mpf:
    """``x`` as an mpf at 60 digits (arithmetic on the result runs at the ambient precision: use ``close``)."""
    with mpmath.workdps(60):
        return mpmath.mpf(x)


def close(x, exact, rel: float) -> bool:
    with mpmath.workdps(60):
        if isinstance(exact, tuple):  # (numerator, denominator), divided at 60 digits
            exact = mpmath.mpf(exact[0]) / exact[1]
        return abs(mp(x) - mp(exact)) <= mpmath.mpf(rel) * abs(mp(exact))


def table(out: str) -> tuple[list[str], list[list[str]]]:
    lines = [ln for ln in out.splitlines() if not ln.startswith("#")]
    rows = [ln.split() for ln in lines]
    return rows[0], rows[1:]


# ----------------------------------------------------------------------------- eval
@pytest.mark.parametrize(
    "args, note",
    [
        (K1, "1.1584500913969603325"),  # K1, λ = 0
        ([*K1, "lam=1"], "1.2051468434664507549"),  # K1, λ = 1
        (["d=300", "n=300", "kernel=coef:1,1,0.05", "F=0,1,0.3", "sigma2=0.2"], "1.3068395470142339163"),  # K3
        (["d=40", "n=819", "F=0,0.5,1,0.3", "sigma2=0.1"], "0.81518723865106170035"),  # K4
        (["d=40", "n=1638", "F=0,0.5,1,0.3", "sigma2=0.1"], "0.53927159961353146374"),  # K5
        (["d=40", "n=983", "kernel=coef:1,1,0.5", "F=0,0.5,1", "sigma2=0.1", "lam=0.001"], "0.58705083549177717545"),  # K6
        (["d=100", "n=1000", "F=0,1,0.5,0.2", "sigma2=0.1"], "0.72400763517910695159"),  # K7
    ],
)
def test_eval_risk_matches_the_note(capsys, args, note):
    out = ok(capsys, "eval", "krr", "risk", *args)
    assert len(out.replace(".", "").lstrip("0")) >= 30  # 30 significant digits
    assert close(out, note, 1e-15), (out, note)


def test_eval_k1_to_the_note_and_json_fields(capsys):
    text = ok(capsys, "eval", "krr", "risk", *K1)
    assert text.startswith("1.158450091396960")
    out = json.loads(ok(capsys, "eval", "krr", "risk", *K1, "--json"))
    assert out["model"] == "krr" and out["quantity"] == "risk" and out["value"] == text
    assert out["params"] == {"d": "200", "n": "300", "kernel": "exp", "lam": "0", "F": "0,1,0.5,0.2", "sigma2": "0.1"}
    assert isinstance(out["levels"], int) and out["levels"] >= 4  # at least the target's levels 0..3
    assert mp(out["self_induced_ridge"]) >= 0
    assert mp(out["residual"]) < mp("1e-40") and "Bordelon" in out["source"]


def test_json_self_induced_ridge_is_the_tail_mass(capsys):
    """At d = 10⁴ the scan stops early: the reported ridge is h(1) − Σ_{ℓ<levels} B(d,ℓ)μ_{d,ℓ} (trace identity).

    ``μ_{d,ℓ}`` for ``h = e^s`` from the Bessel form ``Γ(d/2) 2^{d/2−1} I_{d/2−1+ℓ}(1)`` and
    ``B(d, ℓ)`` from binomials, evaluated here.
    """
    d = 10_000
    out = json.loads(ok(capsys, "eval", "krr", "risk", f"d={d}", "n=100", "--json"))
    levels, tail = out["levels"], mp(out["self_induced_ridge"])
    assert tail > 0
    with mpmath.workdps(60):

        def mu(ell):
            return mpmath.gamma(mpmath.mpf(d) / 2) * mpmath.mpf(2) ** (mpmath.mpf(d) / 2 - 1) * mpmath.besseli(d / 2 - 1 + ell, 1)

        def count(ell):
            return 1 if ell == 0 else mpmath.binomial(d + ell - 1, ell) - mpmath.binomial(d + ell - 3, ell - 2)

        want = mpmath.e - mpmath.fsum(count(ell) * mu(ell) for ell in range(levels))
        assert abs(tail - want) <= mpmath.mpf(10) ** -25 * want + mpmath.mpf(10) ** -40


def test_alpha_level_is_n_equals_alpha_times_B(capsys):
    by_alpha = ok(capsys, "eval", "krr", "risk", "d=40", "alpha=1", "level=2", "F=0,0.5,1,0.3", "sigma2=0.1")
    by_n = ok(capsys, "eval", "krr", "risk", "d=40", "n=819", "F=0,0.5,1,0.3", "sigma2=0.1")  # B(40, 2) = 819
    assert by_alpha == by_n
    out = json.loads(ok(capsys, "eval", "krr", "train_error", "d=40", "alpha=0.5", "level=2", "lam=0.1", "--json"))
    assert out["params"]["alpha"] == "0.5" and out["params"]["level"] == "2" and mp(out["params"]["n"]) == mp("409.5")


def _level_formula(alpha, xi_l, kappa_gt, lam, F_l, F_gt, sigma2):
    """Per-level formula of the note (§3.4), isotropic κ closed form, here with mpmath."""
    with mpmath.workdps(60):
        g = 1 / mpmath.mpf(alpha)
        le = (mpmath.mpf(lam) + kappa_gt) / (mpmath.mpf(alpha) * xi_l)
        c = le + g - 1
        k = (c + mpmath.sqrt(c * c + 4 * le)) / 2
        den = (1 + k) ** 2 - g
        return F_gt + (F_l * k**2 + (sigma2 + F_gt) * g) / den


@pytest.mark.parametrize(
    "alpha, level, lam, note",
    [
        ("0.5", 1, "0", "1.68734580379223"),
        ("2", 1, "0", "1.32381421908069"),
        ("1", 2, "0", "0.744538941837037"),
        ("0.5", 2, "0.1", "0.796595800066345"),
    ],
)
def test_risk_asymptotic_closed_form_and_note(capsys, alpha, level, lam, note):
    """exp kernel, F² = (0, 1, .5, .3, .1), σ² = .1 (note §5.3): ξ_k = 1/k!, κ_{>ℓ} = e − Σ_{k≤ℓ} 1/k!."""
    args = [f"alpha={alpha}", f"level={level}", f"lam={lam}", "kernel=exp", "F=0,1,0.5,0.3,0.1", "sigma2=0.1"]
    out = ok(capsys, "eval", "krr", "risk_asymptotic", *args)
    F = [mp(0), mp(1), mp("0.5"), mp("0.3"), mp("0.1")]
    with mpmath.workdps(60):
        xi_l = 1 / mpmath.factorial(level)
        kgt = mpmath.e - mpmath.fsum(1 / mpmath.factorial(k) for k in range(level + 1))
        want = _level_formula(mp(alpha), xi_l, kgt, mp(lam), F[level], mpmath.fsum(F[level + 1 :]), mp("0.1"))
    assert close(out, want, 1e-29), (out, want)
    assert close(out, note, 1e-14)


def test_staircase(capsys):
    assert ok(capsys, "eval", "krr", "staircase", "exponent=1.5", "F=0,1,0.5,0.3,0.1") == "0.900000000000000000000000000000"
    assert close(ok(capsys, "eval", "krr", "staircase", "exponent=2.5", "F=0,1,0.5,0.3,0.1"), "0.4", 1e-29)
    rc, out, err = cli(capsys, "eval", "krr", "staircase", "exponent=2", "F=0,1")
    assert rc == 2 and out == "" and "integer" in err and len(err.strip().splitlines()) == 1


def test_eigenvalue_multiplicity_xi(capsys):
    # Funk–Hecke at d = 5 by mpmath quadrature with mpmath's own Gegenbauer C_2^{(3/2)}
    with mpmath.workdps(40):
        nu = mpmath.mpf(3) / 2
        w = lambda s: (1 - s * s) ** 1  # noqa: E731  (d − 3)/2 = 1
        q2 = lambda s: mpmath.gegenbauer(2, nu, s) / mpmath.gegenbauer(2, nu, 1)  # noqa: E731
        want = mpmath.quad(lambda s: mpmath.exp(s) * q2(s) * w(s), [-1, 1]) / mpmath.quad(w, [-1, 1])
    assert close(ok(capsys, "eval", "krr", "eigenvalue", "d=5", "level=2", "kernel=exp"), want, 1e-29)
    # degree-2 polynomial: μ_2 = a_2 E[s² Q_2(s)] = a_2 · 2/(d(d+2)) exactly
    got = ok(capsys, "eval", "krr", "eigenvalue", "d=300", "level=2", "kernel=coef:1,1,0.05")
    assert close(got, (1, 10 * 300 * 302), 1e-29)
    assert mp(ok(capsys, "eval", "krr", "multiplicity", "d=200", "level=2")) == 20099  # d(d+1)/2 − 1
    assert mp(ok(capsys, "eval", "krr", "multiplicity", "d=40", "level=3")) == 11440  # C(42,3) − C(40,1)
    assert mp(ok(capsys, "eval", "krr", "multiplicity", "d=7", "level=1")) == 7
    assert close(ok(capsys, "eval", "krr", "xi", "level=3", "kernel=exp"), "0.1666666666666666666666666666666666666667", 1e-29)
    assert close(ok(capsys, "eval", "krr", "xi", "level=2", "kernel=coef:1,1,0.05"), "0.05", 1e-29)


# ----------------------------------------------------------------------------- latex
def test_latex_default_and_level_form(capsys):
    de = ok(capsys, "latex", "krr")
    assert de.startswith(r"\begin{align}") and de.endswith(r"\end{align}")
    assert r"\kappa" in de and r"\mu_{d,\ell}" in de and r"B(d,\ell)" in de
    assert ok(capsys, "latex", "krr", "--form", "de") == de
    level = ok(capsys, "latex", "krr", "--form", "level")
    assert r"\lambda_{\rm eff}" in level and r"\kappa_{>\ell}" in level and r"\gamma &= \frac{1}{\alpha}" in level
    rc, out, err = cli(capsys, "latex", "krr", "--form", "bogus")
    assert rc == 2 and out == "" and "bogus" in err and len(err.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- curve
def test_curve_log_n_multiple_descent_axis(capsys):
    out = ok(capsys, "curve", "krr", "risk", *CURVE, "n=10:20000:12", "--log")
    assert out.splitlines()[0].startswith("# krr risk vs n; ") and "float64" in out.splitlines()[0]
    header, rows = table(out)
    assert header == ["n", "risk", "status"]
    assert len(rows) == 12
    np.testing.assert_allclose([float(r[0]) for r in rows], np.geomspace(10, 20000, 12), rtol=1e-15)
    assert all(r[2] == "0" for r in rows)
    risks = np.array([float(r[1]) for r in rows])
    assert np.all(risks > 0) and risks[0] > risks[-1]
    for i in (0, 11):  # the float64 curve against the certified value at the same n
        exact = ok(capsys, "eval", "krr", "risk", *CURVE, f"n={rows[i][0]}")
        assert close(rows[i][1], exact, 1e-10), (rows[i], exact)


def test_curve_monte_carlo_along_n(capsys):
    from validation.simulators import krr as sim

    out = ok(capsys, "curve", "krr", "risk", *CURVE, "n=10:400:4", "--log", "--mc", "3", "--seed", "1")
    header, rows = table(out)
    assert header == ["n", "risk", "status", "mc_mean", "mc_se"]
    mean, se = sim.curve("risk", "n", np.geomspace(10, 400, 4), dict(p.split("=") for p in CURVE), reps=3, seed=1)
    for i, (_, risk, status, m, s) in enumerate(rows):
        assert status == "0" and float(m) == mean[i] and float(s) == se[i]  # the same simulation, bit for bit
        assert abs(float(m) - float(risk)) < 0.25  # 3 replicates: a loose sanity band


def test_curve_monte_carlo_along_lam_and_alpha(capsys):
    out = ok(capsys, "curve", "krr", "train_error", "d=20", "n=40", "lam=0.001:1:3", "--log", "--mc", "3")
    header, rows = table(out)
    assert header == ["lam", "train_error", "status", "mc_mean", "mc_se"]
    mc = [float(r[3]) for r in rows]
    assert mc[0] < mc[1] < mc[2]  # more ridge, larger training error
    out = ok(capsys, "curve", "krr", "risk", "d=20", "alpha=0.5:2:3", "level=1", "F=0,1,0.5", "--mc", "2")
    header, rows = table(out)
    assert header == ["alpha", "risk", "status", "mc_mean", "mc_se"] and len(rows) == 3


@pytest.mark.parametrize(
    "args, needle",
    [
        (["curve", "krr", "risk", *CURVE, "n=10:400:3", "--mc", "3", "--n", "100"], "--n does not apply"),
        (["curve", "krr", "bias", *CURVE, "n=10:400:3", "--mc", "3"], "no Monte Carlo estimate of krr 'bias'"),
        (["curve", "krr", "risk", "n=10:40:3", "lam=0.1", "F=0,1", "--mc", "2", "d=10:20:2"], "exactly one axis"),
        (["curve", "krr", "risk", "d=20", "alpha=0.5:2:3", "--mc", "2"], "level"),
        (["eval", "krr", "risk", "n=300"], "missing parameter `d`"),
        (["eval", "krr", "risk", "d=200", "n=300", "alpha=1", "level=1"], "not both"),
        (["eval", "krr", "risk", "d=1", "n=3"], "`d`"),
        (["eval", "krr", "risk", "d=20", "n=0"], "`n`"),
        (["eval", "krr", "risk", "d=20", "n=30", "lam=-1"], "`lam`"),
        (["eval", "krr", "risk", "d=20", "n=30", "F=0,-1"], "`F[1]`"),
        (["eval", "krr", "risk", "d=20", "n=30", "kernel=-s"], "not positive semi-definite"),
        (["eval", "krr", "risk", "d=20", "n=30", "kernel=bogus("], "neither a named kernel"),
        (["eval", "krr", "risk", "d=20", "n=30", "exponent=1.5"], "unknown parameter `exponent`"),
        (["eval", "krr", "risk_asymptotic", "alpha=1"], "level"),
        (["eval", "krr", "kappa2", "d=20", "n=30"], "kappa2"),
    ],
)
def test_errors_exit_2_with_one_line(capsys, args, needle):
    rc, out, err = cli(capsys, *args)
    assert rc == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("asymptotics: error: ") and needle in lines[0], err
    assert "Traceback" not in err


# ----------------------------------------------------------------------------- the hypercube domain
def test_hypercube_domain_eval_json_and_errors(capsys):
    # exp on {±1}^d: μ_ℓ = sinh(1/d)^ℓ cosh(1/d)^{d−ℓ} (the expectation factorizes over coordinates)
    out = ok(capsys, "eval", "krr", "eigenvalue", "d=40", "level=2", "domain=hypercube", "--dps", "25")
    with mpmath.workdps(40):
        want = mpmath.sinh(mpmath.mpf(1) / 40) ** 2 * mpmath.cosh(mpmath.mpf(1) / 40) ** 38
        assert abs(mpmath.mpf(out) - want) <= mpmath.mpf(10) ** -24 * want
    payload = json.loads(
        ok(capsys, "eval", "krr", "risk", *K1[:1], "n=200", "F=0,1,0.5,0.2", "sigma2=0.1", "domain=hypercube", "--json")
    )
    assert payload["params"]["domain"] == "hypercube" and payload["levels"] > 3
    sphere = json.loads(ok(capsys, "eval", "krr", "risk", *K1[:1], "n=200", "F=0,1,0.5,0.2", "sigma2=0.1", "--json"))
    assert "domain" not in sphere["params"] and sphere["value"] != payload["value"]
    assert float(ok(capsys, "eval", "krr", "multiplicity", "d=30", "level=3", "domain=hypercube")) == 4060
    for bad in (["domain=torus"], ["domain=hypercube", "F=0,1,1,1,1,1", "d=3"]):
        rc, out, err = cli(capsys, "eval", "krr", "risk", "d=30", "n=100", *bad)
        assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_hypercube_curve_with_monte_carlo(capsys):
    out = ok(capsys, "curve", "krr", "risk", "n=20:80:2", "d=20", "F=0,1,0.5", "sigma2=0.1", "domain=hypercube", "--mc", "4")
    rows = [line.split() for line in out.splitlines() if not line.startswith("#")][1:]
    assert len(rows) == 2 and all(r[2] == "0" and float(r[4]) > 0 for r in rows)
