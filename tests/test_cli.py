"""The command line: ``python -m asymptotics ...`` in subprocesses, plus ``main()`` in process.

The commands in ``SUBPROCESS`` run once each, concurrently, in the module-scoped fixture
``runs`` (a start costs ~1 s of imports, mostly SymPy); the other cases call
:func:`asymptotics.cli.main` in this process (same code path, no interpreter start),
so the whole file stays fast on a two-core machine.  Expected numbers come from closed
forms evaluated here with mpmath, not from the package.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import importlib.metadata
import io
import json
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import mpmath
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    return subprocess.run(
        [sys.executable, "-m", "asymptotics", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


GOOD = {
    "stieltjes": ["eval", "mp", "stieltjes", "z=-1", "gamma=0.5"],
    "stieltjes_json": ["eval", "mp", "stieltjes", "z=-1", "gamma=0.5", "--json"],
    "stieltjes_100": ["eval", "mp", "stieltjes", "z=-1", "gamma=0.5", "--dps", "100"],
    "complex": ["eval", "mp", "stieltjes", "z=1+0.5j", "gamma=0.5"],
    "complex_json": ["eval", "mp", "stieltjes", "z=1+0.5j", "gamma=0.5", "--json", "--dps", "40"],
    "edges": ["eval", "mp", "edges", "gamma=0.5"],
    "edges_json": ["eval", "mp", "edges", "--json", "gamma=0.5"],  # options may come between pairs
    "alias": ["eval", "marchenko_pastur", "moment", "k=2", "gamma=3", "sigma2=2"],
    "risk_50": ["eval", "ridge", "risk", "gamma=1.001", "lam=0", "r2=1", "sigma2=1", "--dps", "50"],
    "risk_inf": ["eval", "ridge", "risk", "gamma=1", "lam=0", "r2=1", "sigma2=1"],
    "risk_defaults": ["eval", "ridge", "risk", "gamma=2"],
    "optimal_risk_json": ["eval", "ridge", "optimal_risk", "gamma=1", "--json"],
    "latex_mp": ["latex", "mp"],
    "latex_general": ["latex", "ridge", "--general"],
    "list": ["list"],
    "help": ["--help"],
    "curve_dps": ["curve", "ridge", "risk", "gamma=0.5:1.5:3", "lam=0", "--dps", "20"],
    "curve_log": ["curve", "ridge", "risk", "lam=0.001:10:5", "gamma=2", "--log"],
    "curve_stieltjes": ["curve", "mp", "stieltjes", "z=-2:4:7", "gamma=0.5"],
    "curve_moment": ["curve", "mp", "moment", "k=0:4:5", "gamma=2"],
    "spectrum": ["eval", "ridge", "risk", "gamma=2", "sigma2=0.25", "spectrum=blocks:1/0.5/1,10/0.5/0"],
    "curve_spectrum": ["curve", "ridge", "risk", "gamma=1.5:2.5:3", "sigma2=0.25", "spectrum=blocks:1/0.5/1,10/0.5/0"],
}

# (argv, text that the one-line error must contain)
BAD = {
    "negative_gamma": (["eval", "ridge", "risk", "gamma=-1"], "gamma"),
    "negative_lam": (["eval", "ridge", "risk", "gamma=0.5", "lam=-0.1"], "lam"),
    "nan_gamma": (["eval", "ridge", "risk", "gamma=nan"], "gamma"),
    "inf_gamma": (["eval", "mp", "edges", "gamma=inf"], "gamma"),
    "unknown_model": (["eval", "nosuchmodel", "risk", "gamma=1"], "nosuchmodel"),
    "unknown_quantity": (["eval", "ridge", "nosuchquantity", "gamma=1"], "nosuchquantity"),
    "unknown_parameter": (["eval", "ridge", "risk", "gamma=1", "mu=2"], "mu"),
    "missing_parameter": (["eval", "mp", "stieltjes", "gamma=0.5"], "`z`"),
    "missing_gamma": (["eval", "ridge", "risk", "lam=1"], "`gamma`"),
    "malformed_z": (["eval", "mp", "stieltjes", "z=1+", "gamma=0.5"], "`z`"),
    "z_on_support": (["eval", "mp", "stieltjes", "z=1", "gamma=0.5"], "`z`"),
    "malformed_pair": (["eval", "ridge", "risk", "gamma"], "gamma"),
    "duplicate_pair": (["eval", "ridge", "risk", "gamma=1", "gamma=2"], "gamma"),
    "dps_zero": (["eval", "mp", "stieltjes", "z=-1", "gamma=0.5", "--dps", "0"], "dps"),
    "dps_text": (["eval", "mp", "stieltjes", "z=-1", "gamma=0.5", "--dps", "many"], "dps"),
    "axis_two_parts": (["curve", "ridge", "risk", "gamma=0.1:3", "lam=0"], "gamma"),
    "axis_bad_num": (["curve", "ridge", "risk", "gamma=0.1:3:x", "lam=0"], "gamma"),
    "axis_log_zero": (["curve", "ridge", "risk", "lam=0:1:5", "gamma=2", "--log"], "lam"),
    "axis_missing": (["curve", "ridge", "risk", "gamma=1", "lam=0"], "axis"),
    "axis_thrice": (["curve", "ridge", "risk", "gamma=1:2:3", "lam=0:1:3", "sigma2=1:2:2"], "lam"),
    "curve_out_of_domain": (["curve", "ridge", "risk", "gamma=-1:-0.5:3"], "gamma"),
    "curve_fixed_bad": (["curve", "ridge", "risk", "gamma=0.5:2:3", "sigma2=-1"], "sigma2"),
    "curve_mc_zero": (["curve", "ridge", "risk", "gamma=0.5:2:3", "--mc", "0"], "mc"),
    "latex_general_mp": (["latex", "mp", "--general"], "general"),
    "bad_spectrum": (["curve", "ridge", "risk", "gamma=0.5:2:3", "spectrum=blocks:1/2"], "spectrum"),
    "no_command": ([], "COMMAND"),
}


# cases that run as real processes; the rest go through main() in this process
SUBPROCESS = {
    "stieltjes", "stieltjes_json", "complex", "risk_50", "risk_inf", "edges", "latex_mp", "curve_dps",
    "unknown_parameter", "z_on_support", "axis_bad_num", "dps_zero",
}  # fmt: skip


def _in_process(args: list[str]) -> subprocess.CompletedProcess:
    from asymptotics.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(args)
    return subprocess.CompletedProcess(["asymptotics", *args], rc, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    cases = dict(GOOD)
    cases["curve_files"] = [
        "curve", "ridge", "risk", "gamma=0.1:3:60", "lam=0", "r2=1", "sigma2=0.25",
        "--csv", str(out / "risk.csv"), "--plot", str(out / "risk.png"),
    ]  # fmt: skip
    cases.update({name: argv for name, (argv, _) in BAD.items()})
    real = [name for name in cases if name in SUBPROCESS or name == "curve_files"]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(zip(real, pool.map(_run, [cases[n] for n in real]), strict=True))
    results.update({name: _in_process(argv) for name, argv in cases.items() if name not in results})
    results["_dir"] = out
    return results


def _ok(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    return p.stdout


def _exact(expr, digits: int = 30):
    with mpmath.workdps(digits + 20):
        return expr()


# ----------------------------------------------------------------------------- eval
def test_eval_stieltjes_matches_closed_form(runs):
    # 0.5 z m² + (z − 0.5) m + 1 = 0 at z = −1  ⇒  m² + 3m − 2 = 0  ⇒  m = (√17 − 3)/2
    exact = _exact(lambda: (mpmath.sqrt(17) - 3) / 2, 100)
    out = _ok(runs["stieltjes"]).strip()
    assert out == "0.561552812808830274910704927987"
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(out) - exact) <= mpmath.mpf(10) ** -30
        assert mpmath.nstr(exact, 30) == out
    out100 = _ok(runs["stieltjes_100"]).strip()
    with mpmath.workdps(130):
        assert abs(mpmath.mpf(out100) - exact) <= mpmath.mpf(10) ** -100
        assert mpmath.nstr(exact, 100, strip_zeros=False) == out100


def test_eval_json_fields(runs):
    d = json.loads(_ok(runs["stieltjes_json"]))
    assert {"model", "quantity", "params", "dps", "value", "residual"} <= set(d)
    assert d["model"] == "mp" and d["quantity"] == "stieltjes" and d["dps"] == 30
    assert d["params"]["gamma"] == "0.5"
    assert d["value"] == runs["stieltjes"].stdout.strip()
    assert float(d["residual"]) < 1e-30


def test_eval_complex_parses_and_solves_the_quadratic(runs):
    plain = _ok(runs["complex"]).strip()
    m_plain = complex(plain)
    assert m_plain.imag > 0  # Im m and Im z have the same sign
    d = json.loads(_ok(runs["complex_json"]))
    assert complex(d["value"]) == pytest.approx(m_plain, rel=1e-15)
    assert {"real", "imag"} <= set(d)
    assert d["value"] == f"{d['real']}+{d['imag']}j"
    with mpmath.workdps(60):
        m = mpmath.mpc(mpmath.mpf(d["real"]), mpmath.mpf(d["imag"]))
        z, g = mpmath.mpc(1, "0.5"), mpmath.mpf("0.5")
        residual = g * z * m**2 + (z - (1 - g)) * m + 1  # σ²γz m² + (z − σ²(1−γ)) m + 1
        assert abs(residual) < mpmath.mpf(10) ** -38


def test_eval_edges_is_a_two_list(runs):
    out = _ok(runs["edges"]).strip()
    assert out.startswith("[") and out.endswith("]")
    a, b = (float(s) for s in out[1:-1].split(","))
    assert a == pytest.approx((1 - 0.5**0.5) ** 2, rel=1e-15)
    assert b == pytest.approx((1 + 0.5**0.5) ** 2, rel=1e-15)
    d = json.loads(_ok(runs["edges_json"]))
    assert isinstance(d["value"], list) and len(d["value"]) == 2
    assert [float(v) for v in d["value"]] == [a, b]


def test_eval_alias_and_moment(runs):
    # second moment σ⁴(1 + γ) = 4 · 4
    assert mpmath.mpf(_ok(runs["alias"]).strip()) == 16


def test_eval_ridge_near_interpolation_threshold_to_50_digits(runs):
    # ridgeless, γ > 1: r²(1 − 1/γ) + σ²/(γ − 1) = 0.001/1.001 + 1000
    out = _ok(runs["risk_50"]).strip()
    with mpmath.workdps(80):
        exact = 1000 + mpmath.mpf("0.001") / mpmath.mpf("1.001")
        assert abs(mpmath.mpf(out) - exact) <= exact * mpmath.mpf(10) ** -50
        assert out == mpmath.nstr(exact, 50, strip_zeros=False)


def test_eval_ridge_infinite_and_defaults(runs):
    assert _ok(runs["risk_inf"]).strip() == "inf"
    # defaults lam=0, r2=1, sigma2=1 at γ = 2: (1 − 1/2) + 1/(2 − 1) = 1.5
    assert mpmath.mpf(_ok(runs["risk_defaults"]).strip()) == mpmath.mpf("1.5")
    d = json.loads(_ok(runs["optimal_risk_json"]))
    golden = _exact(lambda: (mpmath.sqrt(5) - 1) / 2)  # σ²γ m(−λ*) at γ = λ* = 1
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(d["value"]) - golden) < mpmath.mpf(10) ** -29
    assert float(d["lambda_star"]) == 1.0


# ----------------------------------------------------------------------------- latex, list, help
def test_latex_and_list(runs):
    assert _ok(runs["latex_mp"]).startswith("\\begin{align}")
    general = _ok(runs["latex_general"])
    assert general.startswith("\\begin{align}") and "\\sum" in general
    listing = _ok(runs["list"])
    for word in ("mp", "ridge", "stieltjes", "optimal_risk", "sigma2", "default 1"):
        assert word in listing
    assert "eval" in _ok(runs["help"])


# ----------------------------------------------------------------------------- curve
def _table(stdout: str) -> tuple[list[str], list[list[str]]]:
    lines = [ln for ln in stdout.splitlines() if ln and not ln.startswith("#")]
    return lines[0].split(), [ln.split() for ln in lines[1:]]


def _ridgeless(g: float, r2: float, s2: float) -> float:
    return s2 * g / (1 - g) if g < 1 else r2 * (1 - 1 / g) + s2 / (g - 1)


def test_curve_table_csv_and_png(runs):
    p = runs["curve_files"]
    header, rows = _table(_ok(p))
    assert header == ["gamma", "risk", "status"]
    assert len(rows) == 60
    for gamma, risk, status in rows:
        assert status == "0"
        assert float(risk) == pytest.approx(_ridgeless(float(gamma), 1, 0.25), rel=1e-9)
    out = runs["_dir"]
    with open(out / "risk.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 60 and set(table[0]) == {"gamma", "risk", "status"}
    assert [[r["gamma"], r["risk"], r["status"]] for r in table] == rows
    png = (out / "risk.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_curve_certified_marks_infinity(runs):
    header, rows = _table(_ok(runs["curve_dps"]))
    assert header == ["gamma", "risk", "status"]
    assert rows == [
        ["0.5", "1.0000000000000000000", "0"],
        ["1.0", "inf", "1"],
        ["1.5", "2.3333333333333333333", "0"],
    ]


def test_curve_log_axis(runs):
    header, rows = _table(_ok(runs["curve_log"]))
    assert header == ["lam", "risk", "status"]
    assert [float(r[0]) for r in rows] == pytest.approx([0.001, 0.01, 0.1, 1, 10])
    # γ = 2, r² = σ² = 1: κ = [c + √(c² + 4λ)]/2, c = λ + 1; R = (κ² + 2)/((1+κ)² − 2)
    for lam, risk, status in rows:
        lam_ = float(lam)
        c = lam_ + 1
        k = (c + (c * c + 4 * lam_) ** 0.5) / 2
        assert status == "0"
        assert float(risk) == pytest.approx((k * k + 2) / ((1 + k) ** 2 - 2), rel=1e-12)


def test_curve_domain_points_are_nan_with_status_2(runs):
    header, rows = _table(_ok(runs["curve_stieltjes"]))
    assert header == ["z", "stieltjes", "status"]
    by_z = {float(r[0]): (r[1], r[2]) for r in rows}
    assert by_z[1.0] == ("nan", "2") and by_z[2.0] == ("nan", "2")  # inside [a, b] ≈ [0.086, 2.91]
    assert float(by_z[-1.0][0]) == pytest.approx((17**0.5 - 3) / 2, rel=1e-14)
    assert float(by_z[0.0][0]) == pytest.approx(2.0)  # m(0) = 1/(σ²(1 − γ))


def test_curve_integer_axis(runs):
    header, rows = _table(_ok(runs["curve_moment"]))
    assert [r[0] for r in rows] == ["0", "1", "2", "3", "4"]
    # Narayana polynomials at γ = 2: 1, 1, 1+γ, 1+3γ+γ², 1+6γ+6γ²+γ³
    assert [mpmath.mpf(r[1]) for r in rows] == [1, 1, 3, 11, 45]


def test_general_spectrum_from_text(runs):
    # blocks s = (1, 10), w = (1/2, 1/2), b = (1, 0) at γ = 2, λ = 0: κ₀ = √10 solves
    # γ Σ w s/(s + κ) = 1, df₂ = 11/(1 + √10)², so R = (10 + 11σ²)/(1 + √10)² / (1 − df₂)
    # = (10 + 11/4)/(2√10).  The spectrum's text contains ':' and is not an axis.
    exact = _exact(lambda: mpmath.mpf("12.75") / (2 * mpmath.sqrt(10)))
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(_ok(runs["spectrum"]).strip()) - exact) < mpmath.mpf(10) ** -29
    header, rows = _table(_ok(runs["curve_spectrum"]))
    assert header == ["gamma", "risk", "status"]
    assert rows[1][0] == "2.0" and float(rows[1][1]) == pytest.approx(float(exact), rel=1e-12)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2(runs, case):
    p = runs[case]
    _, needle = BAD[case]
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("asymptotics: error: ")
    assert needle in lines[0]
    assert p.stdout == ""


# ----------------------------------------------------------------------------- in process
def test_main_returns_exit_codes(monkeypatch, capsys):
    from asymptotics.cli import main
    from asymptotics.errors import ConvergenceError
    from asymptotics.models import get_model

    assert main(["eval", "mp", "moment", "k=2", "gamma=0.5"]) == 0
    assert capsys.readouterr().out.strip() == "1.50000000000000000000000000000"
    assert main(["eval", "ridge", "risk", "gamma=-1"]) == 2
    assert capsys.readouterr().err.startswith("asymptotics: error: `gamma`")

    def fails(**kwargs):
        raise ConvergenceError("could not certify", params={"gamma": kwargs.get("gamma")})

    model = get_model("ridge")
    monkeypatch.setitem(model.quantities, "risk", dataclasses.replace(model.quantity("risk"), certified=fails))
    assert main(["eval", "ridge", "risk", "gamma=2"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("asymptotics: error: could not certify") and "gamma=2" in err[0]


# ----------------------------------------------------------------------------- Monte Carlo
def _simulator_available(model: str) -> bool:
    eps = [ep for ep in importlib.metadata.entry_points(group="asymptotics.simulators") if ep.name == model]
    if not eps:
        return False
    try:
        eps[0].load()
    except (ImportError, AttributeError):
        return False
    return True


def test_curve_monte_carlo_overlay(tmp_path):
    if not _simulator_available("ridge"):
        pytest.skip("no `asymptotics.simulators` entry point for ridge (pip install -e . with the validation package)")
    png = tmp_path / "mc.png"
    args = ["curve", "ridge", "risk", "lam=0.01:1:5", "gamma=0.5", "--mc", "3", "--n", "100", "--seed", "1"]
    p = _run([*args, "--plot", str(png)])
    header, rows = _table(_ok(p))
    assert header == ["lam", "risk", "status", "mc_mean", "mc_se"]
    assert len(rows) == 5
    for _, risk, status, mean, se in rows:
        assert status == "0"
        assert float(mean) > 0 and float(se) >= 0
        assert abs(float(mean) - float(risk)) < 1.0  # n = 100, 3 reps: a loose sanity band
    assert png.read_bytes().startswith(b"\x89PNG")
