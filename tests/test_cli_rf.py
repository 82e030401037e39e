"""The command line for the random-features model ``rf``, through :func:`asymptotics.cli.main`.

Expected numbers are closed forms evaluated here with mpmath or exact fractions, or the
16-digit formula column of the theory note's table (``rf_nt.md`` §6, rows rfNN; there
λ is given as λ̄ = λ/μ⋆², here it is converted to the package's λ).  ``--mc`` is tested
elsewhere.
"""

from __future__ import annotations

import csv
import json
from fractions import Fraction

import mpmath
import pytest

from asymptotics.cli import main

RF02 = ["psi1=0.5", "psi2=3", "lam=0", "activation=relu", "F1sq=1", "Fstar2=0", "tau2=0.25"]
EXPR = "x+0.1*(x**2-1)/sqrt(2)"  # He1 + 0.1 He2/√2: μ0 = 0, μ1 = 1, μ⋆ = 0.1 exactly


def cli(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def ok(capsys, *args: str) -> str:
    rc, out, err = cli(capsys, *args)
    assert rc == 0, err
    assert "Traceback" not in err
    return out.strip()


def value(capsys, *args: str) -> mpmath.mpf:
    """``asymptotics eval rf ARGS`` as an mpf at 60 digits."""
    return mp(ok(capsys, "eval", "rf", *args))


def mp(x) -> mpmath.mpf:
    """``x`` (a decimal string or a number) as an mpf at 60 digits."""
    with mpmath.workdps(60):
        return mpmath.mpf(x)


def close(x, exact, digits: int) -> bool:
    with mpmath.workdps(digits + 20):
        return abs(mpmath.mpf(x) - exact) <= abs(exact) * mpmath.mpf(10) ** -digits


def rounded(exact, digits: int = 30) -> str:
    """``exact`` correctly rounded to ``digits`` significant digits, as the CLI prints it."""
    with mpmath.workdps(digits + 20):
        return mpmath.nstr(exact, digits, strip_zeros=False)


def mp_str(fn, digits: int = 60) -> str:
    """A parameter value computed with mpmath, as a decimal string with ``digits`` digits."""
    with mpmath.workdps(digits + 10):
        return mpmath.nstr(fn(), digits)


def RELU_MUSTAR2() -> mpmath.mpf:
    """ReLU μ⋆² = 1/4 − 1/(2π) at the current precision."""
    return mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi)


# ----------------------------------------------------------------------------- eval: quantities
def test_relu_coefficients_closed_forms(capsys):
    with mpmath.workdps(60):
        exact = {
            "mu0": 1 / mpmath.sqrt(2 * mpmath.pi),
            "mu1": mpmath.mpf(1) / 2,
            "mustar": mpmath.sqrt(RELU_MUSTAR2()),
        }
    for q, x in exact.items():
        out = ok(capsys, "eval", "rf", q, "activation=relu")
        assert out == rounded(x), q  # 30 significant digits, correctly rounded
        assert ok(capsys, "eval", "rf", q) == out  # relu is the default


def test_tanh_coefficients_by_quadrature(capsys):
    with mpmath.workdps(50):
        phi = lambda x: mpmath.exp(-(x**2) / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        mu1 = mpmath.quad(lambda x: x * mpmath.tanh(x) * phi(x), [-mpmath.inf, 0, mpmath.inf])
        m2 = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * phi(x), [-mpmath.inf, 0, mpmath.inf])
        mustar = mpmath.sqrt(m2 - mu1**2)
    assert value(capsys, "mu0", "activation=tanh") == 0  # odd activation
    assert ok(capsys, "eval", "rf", "mu1", "activation=tanh") == rounded(mu1)
    assert ok(capsys, "eval", "rf", "mustar", "activation=tanh", "--dps", "25") == rounded(mustar, 25)


def test_coefficients_accept_the_full_parameter_list(capsys):
    """One command line serves every quantity: the model parameters are accepted and ignored by mu0/mu1/mustar."""
    assert value(capsys, "mu0", *RF02) == value(capsys, "mu0", "activation=relu")
    rc, out, err = cli(capsys, "eval", "rf", "mu0", "activation=relu", "bogus=1")
    assert rc == 2 and out == "" and "`bogus`" in err


def test_rf02_risk_bias_variance_train_chi(capsys):
    risk = value(capsys, "risk", *RF02)
    assert close(risk, mp("0.8599738649173304"), 15)  # rf_nt.md §6, row rf02
    # ridgeless, psi1 < psi2: V = psi1/(psi2 - psi1) = 1/5 exactly, variance = tau2 V = 1/20
    variance = value(capsys, "variance", *RF02)
    assert variance == mp("0.05")
    bias = value(capsys, "bias", *RF02)
    with mpmath.workdps(60):
        assert close(bias + variance, risk, 29)
    # lam = 0, psi1 < psi2: g(p) = psi1 at the root, T = (1 - psi1/psi2)^2 (R + tau2)
    train = value(capsys, "train_error", *RF02)
    with mpmath.workdps(60):
        assert close(train, (1 - mp("0.5") / 3) ** 2 * (risk + mp("0.25")), 29)
        # chi = -p_max, g(p_max) = psi1: zeta^2 p^2 + (1 + zeta^2 - psi1 zeta^2) p - psi1 = 0, zeta^2 = mu1^2/mu*^2
        z2, psi = mpmath.mpf(1) / 4 / RELU_MUSTAR2(), mp("0.5")
        b = 1 + z2 - psi * z2
        p_max = 2 * psi / (b + mpmath.sqrt(b * b + 4 * z2 * psi))
        assert close(value(capsys, "chi", *RF02), -p_max, 29)


@pytest.mark.parametrize(
    "row, args, expected",
    [
        ("rf03", ["psi1=3", "psi2=1.5", "tau2=0.25"], "0.8167284019334031"),
        ("rf05", ["psi1=2.4", "psi2=2", "tau2=0.1"], "1.758121407506351"),
        ("rf01", ["psi1=2", "psi2=3", "lam=" + mp_str(lambda: RELU_MUSTAR2() / 10), "tau2=0.25"], "0.6171558366039072"),
        ("rf13", ["psi1=1.5", "psi2=3", "activation=tanh", "tau2=0.25"], "0.4685035607102968"),
        ("rf17", ["psi1=3", "psi2=1.5", "activation=" + EXPR, "tau2=0.25"], "0.7176356553926885"),
        ("rf18", ["psi1=0.5", "psi2=2", "lam=0.0001", "activation=" + EXPR, "tau2=0.25"], "0.7627432635442241"),
    ],
)
def test_risk_matches_the_theory_table(capsys, row, args, expected):
    assert close(value(capsys, "risk", *args), mp(expected), 15), row


def test_exact_rational_points(capsys):
    # abs: mu1 = 0, so p solves a quadratic; ridgeless psi1 = 3 > psi2 = 2 gives R = 3.5 (rf15)
    assert value(capsys, "risk", "psi1=3", "psi2=2", "activation=abs", "tau2=0.25", "--dps", "40") == mp("3.5")
    # EXPR (zeta^2 = 100), psi1 = 2, psi2 = 3, lam_bar = 1 (lam = 0.01): p = 6/25 solves
    # psi1 psi2 lam_bar p = (psi1 - g)(psi2 - g) exactly (g = 6/5), and then R = 227/1610 (rf16)
    p = Fraction(6, 25)
    g = p + 100 * p / (1 + 100 * p)
    assert 6 * p == (2 - g) * (3 - g)
    args = ["psi1=2", "psi2=3", "lam=0.01", "activation=" + EXPR, "tau2=0.25"]
    assert ok(capsys, "eval", "rf", "chi", *args) == "-0.240000000000000000000000000000"
    with mpmath.workdps(60):
        assert ok(capsys, "eval", "rf", "risk", *args) == rounded(mpmath.mpf(227) / 1610)


def test_sympy_expression_activation(capsys):
    assert value(capsys, "mu0", "activation=" + EXPR) == 0
    assert value(capsys, "mu1", "activation=" + EXPR) == 1
    assert value(capsys, "mustar", "activation=" + EXPR) == mp("0.1")
    # the expression x is the named activation linear
    a = ok(capsys, "eval", "rf", "risk", "psi1=0.5", "psi2=2", "lam=0.1", "activation=x")
    assert a == ok(capsys, "eval", "rf", "risk", "psi1=0.5", "psi2=2", "lam=0.1", "activation=linear")


# ----------------------------------------------------------------------------- eval: --json
def test_json_fields(capsys):
    plain = ok(capsys, "eval", "rf", "risk", *RF02)
    d = json.loads(ok(capsys, "eval", "rf", "risk", *RF02, "--json"))
    fields = {"model", "quantity", "params", "dps", "value", "residual", "error_estimate", "branch", "source", "B", "V"}
    assert fields <= set(d)
    assert d["model"] == "rf" and d["quantity"] == "risk" and d["dps"] == 30
    assert d["params"] == {
        "psi1": "0.5",
        "psi2": "3",
        "lam": "0",
        "activation": "relu",
        "F1sq": "1",
        "Fstar2": "0",
        "tau2": "0.25",
    }
    assert d["value"] == plain
    assert "psi1 psi2 lam_bar p" in d["branch"] and "1908.05355" in d["source"]
    assert float(d["error_estimate"]) < 1e-30
    with mpmath.workdps(60):
        B, V, R = (mpmath.mpf(d[k]) for k in ("B", "V", "value"))
        assert V == mp("0.2")  # bare V = psi1/(psi2 - psi1), not tau2 V
        assert close(B + mp("0.25") * V, R, 29)  # R = F1^2 B + (tau2 + F*^2) V + F*^2
    d = json.loads(ok(capsys, "eval", "rf", "risk", "psi1=2", "psi2=3", "lam=0.01", "Fstar2=0.5", "--json", "--dps", "40"))
    assert d["dps"] == 40 and float(d["residual"]) < 1e-40
    with mpmath.workdps(60):
        B, V, R = (mpmath.mpf(d[k]) for k in ("B", "V", "value"))
        assert close(B + mp("0.5") * V + mp("0.5"), R, 39)


def test_json_of_a_coefficient(capsys):
    d = json.loads(ok(capsys, "eval", "rf", "mu1", "activation=relu", "--json"))
    assert d["quantity"] == "mu1" and d["params"] == {"activation": "relu"}
    assert d["value"] == "0.500000000000000000000000000000"


# ----------------------------------------------------------------------------- eval: limits, N_over_n, threshold
def test_kernel_limit_is_ridge_on_raw_x(capsys):
    # psi1 = inf: ridge with gamma = 1/psi2 and lam' = (mu*^2 + psi2 lam)/(mu1^2 psi2); relu, psi2 = 2
    for lam, lam_prime in (("0", lambda: 2 * RELU_MUSTAR2()), ("0.1", lambda: 2 * (RELU_MUSTAR2() + mp("0.2")))):
        r = value(capsys, "risk", "psi1=inf", "psi2=2", f"lam={lam}", "tau2=0.25")
        ridge = ok(capsys, "eval", "ridge", "risk", "gamma=0.5", "lam=" + mp_str(lam_prime), "r2=1", "sigma2=0.25")
        assert close(r, mp(ridge), 29)
    near = value(capsys, "risk", "psi1=1e8", "psi2=2", "tau2=0.25")
    assert close(near, value(capsys, "risk", "psi1=inf", "psi2=2", "tau2=0.25"), 6)


def test_data_limit_has_no_variance(capsys):
    assert value(capsys, "variance", "psi1=2", "psi2=inf", "lam=0.1", "tau2=0.25") == 0
    far = value(capsys, "risk", "psi1=2", "psi2=1e9", "lam=0.1")
    assert close(far, value(capsys, "risk", "psi1=2", "psi2=inf", "lam=0.1"), 6)


def test_n_over_n_replaces_psi1(capsys):
    by_ratio = json.loads(ok(capsys, "eval", "rf", "risk", "N_over_n=2", "psi2=1.5", "tau2=0.25", "--json"))
    assert by_ratio["params"]["psi1"] == "3" and by_ratio["params"]["N_over_n"] == "2"
    assert by_ratio["value"] == ok(capsys, "eval", "rf", "risk", "psi1=3", "psi2=1.5", "tau2=0.25")
    assert close(by_ratio["value"], mp("0.8167284019334031"), 15)  # rf03


def test_interpolation_threshold_is_inf(capsys):
    assert ok(capsys, "eval", "rf", "risk", "psi1=2", "psi2=2") == "inf"
    assert ok(capsys, "eval", "rf", "variance", "psi1=2", "psi2=2", "tau2=0.25") == "inf"
    assert ok(capsys, "eval", "rf", "risk", "N_over_n=1", "psi2=0.5", "activation=tanh") == "inf"
    assert ok(capsys, "eval", "rf", "train_error", "psi1=2", "psi2=2") == "0"  # interpolates
    d = json.loads(ok(capsys, "eval", "rf", "risk", "psi1=2", "psi2=2", "--json"))
    assert d["value"] == "inf" and d["B"] == "inf" and d["V"] == "inf"
    # a small ridge makes it finite and large (rf04: lam_bar = 0.001)
    lam = mp_str(lambda: RELU_MUSTAR2() / 1000)
    assert close(value(capsys, "risk", "psi1=2", "psi2=2", f"lam={lam}", "tau2=0.25"), mp("6.920186974416128"), 15)


# ----------------------------------------------------------------------------- errors
BAD = {
    "unknown_activation": (["eval", "rf", "risk", "psi1=1", "psi2=2", "activation=foo"], "`activation`"),
    "malformed_expression": (["eval", "rf", "risk", "psi1=1", "psi2=2", "activation=x+"], "`activation`"),
    "other_variable": (["eval", "rf", "risk", "psi1=1", "psi2=2", "activation=y**2"], "`activation`"),
    "constant_activation": (["eval", "rf", "risk", "psi1=1", "psi2=2", "activation=3"], "constant"),
    "negative_psi1": (["eval", "rf", "risk", "psi1=-1", "psi2=2"], "`psi1`"),
    "negative_psi2": (["eval", "rf", "risk", "psi1=1", "psi2=-0.5"], "`psi2`"),
    "zero_psi1": (["eval", "rf", "risk", "psi1=0", "psi2=2"], "`psi1`"),
    "negative_lam": (["eval", "rf", "risk", "psi1=1", "psi2=2", "lam=-0.1"], "`lam`"),
    "negative_tau2": (["eval", "rf", "risk", "psi1=1", "psi2=2", "tau2=-1"], "`tau2`"),
    "both_inf": (["eval", "rf", "risk", "psi1=inf", "psi2=inf"], "both be inf"),
    "unknown_quantity": (["eval", "rf", "nosuchquantity", "psi1=1", "psi2=2"], "nosuchquantity"),
    "missing_psi2": (["eval", "rf", "risk", "psi1=1"], "`psi2`"),
    "missing_psi1": (["eval", "rf", "risk", "psi2=1"], "`psi1`"),
    "psi1_and_ratio": (["eval", "rf", "risk", "psi1=1", "psi2=2", "N_over_n=1"], "N_over_n"),
    "unknown_parameter": (["eval", "rf", "risk", "psi1=1", "psi2=2", "gamma=1"], "gamma"),
    "latex_bad_form": (["latex", "rf", "--form", "x"], "general"),
    "latex_form_for_ridge": (["latex", "ridge", "--form", "x"], "--form"),
    "latex_general_for_rf": (["latex", "rf", "--general"], "--general"),
    "curve_bad_activation": (["curve", "rf", "risk", "psi1=1:2:3", "psi2=2", "activation=foo"], "`activation`"),
    "curve_out_of_domain": (["curve", "rf", "risk", "psi1=-1:-0.5:3", "psi2=2"], "`psi1`"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2(capsys, case):
    argv, needle = BAD[case]
    rc, out, err = cli(capsys, *argv)
    assert rc == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("asymptotics: error: ")
    assert needle in lines[0]


# ----------------------------------------------------------------------------- latex
FORM_MARKERS = {
    "general": (r"\nu_{1}", r"\mathcal{E}_0", r"\mathcal{B}", r"\mathcal{V}"),
    "scalar": ("g(p)", r"\bar{\lambda}", r"\min"),
    "ridgeless": (r"\chi_0", r"\mathcal{V}_0"),
    "kernel_limit": (r"\lambda'", r"\delta", r"\mathcal{B}_\infty"),
    "data_limit": (r"\bar\kappa", r"\mathcal{V}_{\psi_2=\infty} &= 0"),
}


def test_latex_default_is_the_general_form(capsys):
    default = ok(capsys, "latex", "rf")
    assert default.startswith(r"\begin{align}") and default.endswith(r"\end{align}")
    assert default == ok(capsys, "latex", "rf", "--form", "general")


@pytest.mark.parametrize("form", sorted(FORM_MARKERS))
def test_latex_forms(capsys, form):
    out = ok(capsys, "latex", "rf", "--form", form)
    assert out.startswith(r"\begin{align}") and out.endswith(r"\end{align}")
    for marker in FORM_MARKERS[form]:
        assert marker in out, (form, marker)


# ----------------------------------------------------------------------------- curve
def table(stdout: str) -> tuple[str, list[str], list[list[str]]]:
    lines = stdout.splitlines()
    assert lines[0].startswith("# ")
    return lines[0], lines[1].split(), [ln.split() for ln in lines[2:]]


def test_curve_double_descent_with_status(capsys):
    comment, header, rows = table(ok(capsys, "curve", "rf", "risk", "psi1=0.2:4:20", "psi2=2", "lam=0.001"))
    assert "rf risk vs psi1" in comment and "float64" in comment and "status: 0 ok" in comment
    assert header == ["psi1", "risk", "status"]
    assert len(rows) == 20 and all(r[2] == "0" for r in rows)
    x, y = [float(r[0]) for r in rows], [float(r[1]) for r in rows]
    assert x[0] == 0.2 and x[-1] == 4.0
    peak = x[y.index(max(y))]
    assert 1.5 <= peak <= 2.2  # the double-descent peak sits near psi1 = psi2 = 2
    assert y[0] > min(y[:8]) and y[-1] < y[0]  # down, up to the peak, down again
    # float64 agrees with the certified value at a grid point
    certified = value(capsys, "risk", "psi1=1.0", "psi2=2", "lam=0.001")
    assert float(rows[4][1]) == pytest.approx(float(certified), rel=1e-12)


def test_curve_status_codes_float_and_certified(capsys):
    for extra in ([], ["--dps", "20"]):
        _, header, rows = table(ok(capsys, "curve", "rf", "risk", "psi1=0:4:5", "psi2=2", *extra))
        assert header == ["psi1", "risk", "status"]
        assert [r[2] for r in rows] == ["2", "0", "1", "0", "0"]  # psi1 = 0 outside the domain, psi1 = psi2 = 2 inf
        assert rows[0][1] == "nan" and rows[2][1] == "inf"
        assert float(rows[1][1]) == pytest.approx(0.8958124106735169, rel=1e-14)
    _, _, rows = table(ok(capsys, "curve", "rf", "risk", "psi1=1:3:3", "psi2=2", "--dps", "20"))
    assert rows[0][1] == "0.89581241067351705139"


def test_curve_over_n_over_n(capsys):
    comment, header, rows = table(ok(capsys, "curve", "rf", "risk", "N_over_n=0.5:1.5:3", "psi2=2", "tau2=0.25"))
    assert header == ["N_over_n", "risk", "status"] and "vs N_over_n" in comment
    assert [r[2] for r in rows] == ["0", "1", "0"]  # N = n: the ridgeless threshold
    first = value(capsys, "risk", "psi1=1", "psi2=2", "tau2=0.25")
    assert float(rows[0][1]) == pytest.approx(float(first), rel=1e-13)


def test_curve_csv_and_plot(capsys, tmp_path):
    csv_path = tmp_path / "rf.csv"
    args = ["curve", "rf", "risk", "psi1=0.2:4:20", "psi2=2", "lam=0.001", "--csv", str(csv_path)]
    rc, out, err = cli(capsys, *args)
    assert rc == 0 and "wrote table" in err
    _, header, rows = table(out.strip())
    with open(csv_path, newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == header and got[1:] == rows
    pytest.importorskip("matplotlib")
    png = tmp_path / "rf.png"
    rc, _, err = cli(capsys, "curve", "rf", "train_error", "psi1=0.2:4:20", "psi2=2", "lam=0.001", "--plot", str(png))
    assert rc == 0 and "wrote plot" in err
    assert png.read_bytes().startswith(b"\x89PNG")


# ----------------------------------------------------------------------------- list
def test_list_shows_rf(capsys):
    listing = ok(capsys, "list")
    block = listing[listing.index("rf: ") :]
    assert block.startswith("rf: Random features")
    for word in ("psi1", "psi2", "N_over_n", "activation", "F1sq", "Fstar2", "tau2", "train_error", "mustar", "[float64 curve]"):
        assert word in block, word
