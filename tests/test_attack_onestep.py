"""Independent attack on ``onestep`` (reviewer RB): random features after one gradient step (Ba et al. 2022).

Nothing here calls the formula under test to build an expected value.  Expected values come from
(a) the reviewer's own finite-d simulation of the two-layer network (written from the docs' conventions:
unit-norm columns of W0, a ~ N(0, I/N), L = (1/2n0) sum (y - f)^2, W1 = W0 - eta sqrt(N) grad_W L, ridge on
n fresh samples with penalty (N lam/d)||a||^2, test error without noise), run in the review session at
d = 500 (6 seeds) and d = 1000 (4 seeds) and pinned below with its standard errors;
(b) the reviewer's own finite-N deterministic equivalent of ridge on the Gaussian-equivalent features of an
explicit spiked W1 = W0 + eta mu1 (beta1 + g) a^T (eigendecomposition of the N x N covariance, kappa by
brentq), d = 1500, 2 seeds, pinned;
(c) a small seeded simulation run live (linear and tanh activations, d <= 160);
(d) exact identities: eta = 0 is rf; mu1 = 0 gives rf; eta -> inf gives rf at F1sq (1 - alignment^2),
alignment^2 = F1sq psi0 / (F1sq psi0 + F1sq + Fstar2 + tau2) (derived independently: v = beta1 + g,
|g|^2 = E y^2 / psi0, g orthogonal to beta1).
Defects found were ``xfail(strict=True)`` tests; they are fixed and now plain regression tests.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from asymptotics.cli import main as cli_main
from asymptotics.errors import ConvergenceError, ParameterError
from asymptotics.models import onestep as o
from asymptotics.models import random_features as rf

# ----------------------------------------------------------------------------- the points (reviewer's choice)
PTS = {
    "P1": dict(activation="tanh", psi1=2, psi2=1.5, psi_step=1.5, lam=0.1, F1sq=1, Fstar2=0.3, tau2=0.2, eta=2),
    "P2": dict(activation="relu", psi1=1, psi2=2, psi_step=0.5, lam=0.01, F1sq=1, Fstar2=0, tau2=0.1, eta=1),
    "P3": dict(activation="linear", psi1=0.5, psi2=2, psi_step=4, lam=0.5, F1sq=1, Fstar2=0.2, tau2=0.1, eta=3),
    "P4": dict(activation="relu", psi1=3, psi2=1, psi_step=3, lam=1, F1sq=1, Fstar2=0.5, tau2=0, eta=3),
    "P5": dict(activation="tanh", psi1=1.5, psi2=1, psi_step=0.2, lam=0.001, F1sq=1, Fstar2=0.2, tau2=0.3, eta=1),
    "P6": dict(activation="erf", psi1=0.7, psi2=3, psi_step=10, lam=0.05, F1sq=2, Fstar2=0.1, tau2=0.1, eta=3),
    "P7": dict(activation="relu", psi1=1.5, psi2=1.5, psi_step=2, lam=0.01, F1sq=1, Fstar2=0.3, tau2=0.1, eta=6),
    "P8": dict(activation="tanh", psi1=0.5, psi2=0.8, psi_step=5, lam=0.001, F1sq=1, Fstar2=0, tau2=0.5, eta=4),
}

# (point, d): {quantity: (mean, SE)} from the reviewer's network simulation (session of 2026-12-06)
SIM = {
    ("P1", 500): {
        "risk": (0.69788, 0.00977),
        "rf_risk": (0.79209, 0.01038),
        "improvement": (0.0942, 0.0034),
        "alignment": (0.72184, 0.00729),
    },
    ("P2", 500): {
        "risk": (0.77456, 0.02702),
        "rf_risk": (0.8391, 0.0318),
        "improvement": (0.06454, 0.008),
        "alignment": (0.54594, 0.00477),
    },
    ("P3", 500): {
        "risk": (0.42422, 0.0101),
        "rf_risk": (0.88478, 0.02179),
        "improvement": (0.46056, 0.01784),
        "alignment": (0.86919, 0.00221),
    },
    ("P4", 500): {
        "risk": (1.16438, 0.01895),
        "rf_risk": (1.28937, 0.01748),
        "improvement": (0.125, 0.01011),
        "alignment": (0.80955, 0.00324),
    },
    ("P5", 500): {
        "risk": (2.1937, 0.12874),
        "rf_risk": (2.23021, 0.13256),
        "improvement": (0.0365, 0.0122),
        "alignment": (0.3398, 0.01504),
    },
    ("P6", 500): {
        "risk": (0.36704, 0.00217),
        "rf_risk": (1.23976, 0.03713),
        "improvement": (0.87272, 0.03653),
        "alignment": (0.9482, 0.00093),
    },
    ("P1", 1000): {
        "risk": (0.68736, 0.01869),
        "rf_risk": (0.77924, 0.02052),
        "improvement": (0.09188, 0.00293),
        "alignment": (0.71731, 0.00196),
    },
    ("P7", 1000): {
        "risk": (1.24265, 0.0488),
        "rf_risk": (1.65496, 0.07332),
        "improvement": (0.41231, 0.03199),
        "alignment": (0.76972, 0.00148),
    },
    ("P8", 1000): {
        "risk": (1.26707, 0.01488),
        "rf_risk": (2.26866, 0.07565),
        "improvement": (1.00159, 0.08234),
        "alignment": (0.87547, 0.00121),
    },
}

# finite-N deterministic equivalent on explicit spiked matrices, d = 1500, 2 seeds: {quantity: (mean, seed std)}
DE = {
    "P1": {"risk": (0.7104, 0.00716), "rf_risk": (0.80911, 0.01379)},
    "P2": {"risk": (0.77287, 0.00687), "rf_risk": (0.85948, 0.0093)},
    "P3": {"risk": (0.44137, 0.00121), "rf_risk": (0.8926, 0.00449)},
    "P4": {"risk": (1.1423, 0.00279), "rf_risk": (1.27314, 0.00294)},
    "P5": {"risk": (2.18946, 0.0126), "rf_risk": (2.23148, 0.01786)},
    "P6": {"risk": (0.37811, 0.00785), "rf_risk": (1.19173, 0.0032)},
    "P7": {"risk": (1.26439, 0.00177), "rf_risk": (1.66652, 0.017)},
    "P8": {"risk": (1.29361, 0.00297), "rf_risk": (2.28331, 0.014)},
}


def _theory(q: str, kw: dict) -> float:
    return float(o.solve(o.OneStepParams(**kw), q).value)


@pytest.mark.parametrize(("name", "d"), sorted(SIM))
def test_theory_vs_reviewer_network_simulation(name: str, d: int) -> None:
    """3 SE plus an O(1/sqrt d) allowance 0.5 max(1, |value|)/sqrt(d)."""
    for q, (mean, se) in SIM[(name, d)].items():
        th = _theory(q, PTS[name])
        assert abs(th - mean) <= 3 * se + 0.5 * max(1.0, abs(th)) / math.sqrt(d), (name, d, q, th, mean, se)


@pytest.mark.parametrize("name", sorted(DE))
def test_theory_vs_reviewer_finite_deterministic_equivalent(name: str) -> None:
    for q, (mean, sd) in DE[name].items():
        th = _theory(q, PTS[name])
        assert abs(th - mean) <= 3 * sd + 0.015 * abs(th), (name, q, th, mean, sd)


# ----------------------------------------------------------------------------- a small live simulation
def _act(name: str):
    if name == "tanh":
        return np.tanh, lambda x: 1 / np.cosh(x) ** 2
    return (lambda x: x), np.ones_like


def _network(p: dict, d: int, seed: int, ntest: int = 3000) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    s, ds = _act(p["activation"])
    N, n, n0 = round(p["psi1"] * d), round(p["psi2"] * d), round(p["psi_step"] * d)
    W0 = rng.standard_normal((d, N))
    W0 /= np.linalg.norm(W0, axis=0)
    a = rng.standard_normal(N) / math.sqrt(N)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)

    def tgt(X):
        t = X @ beta
        return math.sqrt(p["F1sq"]) * t + math.sqrt(p["Fstar2"] / 2) * (t * t - 1)

    X0 = rng.standard_normal((n0, d))
    y0 = tgt(X0) + math.sqrt(p["tau2"]) * rng.standard_normal(n0)
    H = X0 @ W0
    f0 = s(H) @ a / math.sqrt(N)
    dLdW = -(X0.T @ (((y0 - f0) / math.sqrt(N))[:, None] * ds(H) * a[None, :])) / n0
    W1 = W0 - p["eta"] * math.sqrt(N) * dLdW
    X = rng.standard_normal((n, d))
    y = tgt(X) + math.sqrt(p["tau2"]) * rng.standard_normal(n)
    Xt = rng.standard_normal((ntest, d))
    ft = tgt(Xt)
    out = []
    for W in (W1, W0):
        Z, Zt = s(X @ W), s(Xt @ W)
        ah = np.linalg.solve(Z.T @ Z / n + (N * p["lam"] / d) * np.eye(N), Z.T @ y / n)
        out.append(float(np.mean((ft - Zt @ ah) ** 2)))
    return out[0], out[1]


@pytest.mark.parametrize("name", ["P3", "P8"])
def test_live_small_simulation(name: str) -> None:
    p, d, S = PTS[name], 160, 6
    rows = np.array([_network(p, d, 900 + k) for k in range(S)])
    impr = rows[:, 1] - rows[:, 0]
    for vals, q in ((rows[:, 0], "risk"), (impr, "improvement")):
        th = _theory(q, p)
        se = vals.std(ddof=1) / math.sqrt(S)
        assert abs(th - vals.mean()) <= 3 * se + max(1.0, abs(th)) / math.sqrt(d), (q, th, vals.mean(), se)


# ----------------------------------------------------------------------------- exact identities
@pytest.mark.parametrize("act", ["relu", "tanh", "erf", "softplus", "linear", "sigmoid"])
def test_eta_zero_is_rf(act: str) -> None:
    kw = dict(psi1="0.7", psi2="2.5", lam="0.03", activation=act, F1sq="1.3", Fstar2="0.4", tau2="0.25")
    assert o.risk(**kw, eta=0).value == rf.risk(**kw).value
    assert o.rf_risk(**kw, eta=3).value == rf.risk(**kw).value


@pytest.mark.parametrize("act", ["abs", "quadratic"])
def test_mu1_zero_no_spike(act: str) -> None:
    kw = dict(psi1=2, psi2="1.5", lam="0.1", activation=act, F1sq=1, Fstar2="0.3", tau2="0.2")
    assert o.risk(**kw, eta=5).value == rf.risk(**kw).value
    assert o.improvement(**kw, eta=5).value == 0


@pytest.mark.parametrize(("act", "psi_step"), [("tanh", "1.5"), ("relu", "0.3"), ("erf", "7")])
def test_eta_infinity_limit_and_alignment(act: str, psi_step: str) -> None:
    kw = dict(psi1=2, psi2="1.5", lam="0.1", activation=act, F1sq=1, Fstar2="0.3", tau2="0.2")
    with mpmath.workdps(40):
        F1, Fs, t2, ps = (mpmath.mpf(v) for v in (1, "0.3", "0.2", psi_step))
        al2 = F1 * ps / (F1 * ps + F1 + Fs + t2)
        al = mpmath.sqrt(al2)
    assert abs(o.alignment(**kw, eta=1, psi_step=psi_step).value - al) < mpmath.mpf(10) ** -25
    lim = rf.risk(**{**kw, "F1sq": 1 - al2}).value
    big = o.risk(**kw, eta=10**7, psi_step=psi_step).value
    assert abs(big - lim) < 1e-10 * lim


def test_caller_precision_unchanged() -> None:
    kw = dict(psi1=2, psi2="1.5", lam="0.1", activation="tanh", Fstar2="0.3", tau2="0.2", eta=2)
    old = mpmath.mp.dps
    try:
        mpmath.mp.dps = 47
        o.risk(**kw, dps=20)
        o.curve_values("risk", psi1=2, psi2=1.5, lam=0.1, eta=np.array([0.0, 1.0]))
        assert mpmath.mp.dps == 47
    finally:
        mpmath.mp.dps = old


# ----------------------------------------------------------------------------- paper claims on a grid (float64)
def test_improvement_nonnegative_risk_above_fstar2_monotone() -> None:
    rng = np.random.default_rng(3)
    eta = np.linspace(0, 10, 21)
    for i in range(40):
        p = dict(
            psi1=10 ** rng.uniform(-1.5, 1.5),
            psi2=10 ** rng.uniform(-1.5, 1.5),
            lam=10 ** rng.uniform(-4, 1),
            activation=["relu", "tanh", "erf", "softplus"][i % 4],
            F1sq=rng.uniform(0, 2),
            Fstar2=rng.uniform(0, 1),
            tau2=rng.uniform(0, 1),
            psi_step=10 ** rng.uniform(-1.5, 1.5),
        )
        v, s = o.curve_values("risk", **p, eta=eta)
        ok = s == 0
        assert ok.sum() >= 15
        assert np.all(v[ok] >= p["Fstar2"] * (1 - 1e-12))
        assert np.all(np.diff(v[ok]) <= 1e-12 * v[ok][1:])


def test_float64_status0_agrees_with_certified() -> None:
    rng = np.random.default_rng(11)
    acts = ["relu", "tanh", "erf", "linear", "softplus"]
    checked = 0
    for i in range(10):
        p = dict(
            psi1=float(10 ** rng.uniform(-1, 1.5)),
            psi2=float(10 ** rng.uniform(-1, 1.5)),
            lam=float(10 ** rng.uniform(-3, 2)),
            activation=acts[i % 5],
            F1sq=float(rng.uniform(0, 3)),
            Fstar2=float(rng.uniform(0, 1)),
            tau2=float(rng.uniform(0, 1)),
            eta=float(10 ** rng.uniform(-2, 2)),
            psi_step=float(10 ** rng.uniform(-2, 2)),
        )
        for q in ("risk", "improvement"):
            v, s = o.curve_values(q, **p)
            if s == 0:
                c = float(o.solve(o.OneStepParams(**p), q).value)
                assert abs(float(v) - c) <= 1e-6 * abs(c), (q, p, v, c)
                checked += 1
    assert checked >= 15


# ----------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("arg", "name"),
    [
        ("eta=-1", "eta"),
        ("eta=inf", "eta"),
        ("eta=nan", "eta"),
        ("psi_step=0", "psi_step"),
        ("psi_step=-2", "psi_step"),
        ("lam=0", "lam"),
        ("lam=-1", "lam"),
        ("psi1=0", "psi1"),
        ("psi2=inf", "psi2"),
        ("F1sq=-1", "F1sq"),
        ("tau2=-0.1", "tau2"),
        ("Fstar2=-1", "Fstar2"),
    ],
)
def test_bad_inputs_cli(arg: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = {"psi1": "2", "psi2": "1.5", "lam": "0.1"}
    k, v = arg.split("=")
    base[k] = v
    rc = cli_main(["eval", "onestep", "risk", *(f"{a}={b}" for a, b in base.items())])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and f"`{name}`" in err, err
    with pytest.raises(ParameterError):
        o.OneStepParams(**{kk: vv for kk, vv in base.items()})


# ----------------------------------------------------------------------------- defects found (fixed; regression tests)
def test_eta_zero_small_lam_is_rf() -> None:
    """Was: eta=0 at lam=1e-9 raised ConvergenceError ('residual 2.55e-36 too large') although rf gives a value."""
    kw = dict(psi1=2, psi2="1.5", lam="1e-9", activation="tanh")
    assert o.risk(**kw, eta=0).value == rf.risk(**kw).value


def test_small_lam_cli_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    """Was: valid small lam (1e-12) -> exit 3 'residual 2.33e-32 too large' while rf and float64 give values."""
    rc = cli_main(
        ["eval", "onestep", "risk", "psi1=2", "psi2=1.5", "lam=1e-12", "activation=tanh", "Fstar2=0.3", "tau2=0.2", "eta=1"]
    )
    assert rc == 0


def test_small_psi1_certified_value() -> None:
    """Was: psi1=1e-4 (valid, > 0) -> ConvergenceError 'residual 9.64e-37 too large'; rf and float64 give values."""
    kw = dict(psi1="1e-4", psi2="1.5", lam="0.1", eta=1)
    v, s = o.curve_values("risk", psi1=1e-4, psi2=1.5, lam=0.1, eta=1.0)
    try:
        c = o.risk(**kw).value
    except ConvergenceError:
        pytest.fail("ConvergenceError at a valid point")
    assert s == 0 and abs(float(v) - float(c)) <= 1e-6 * abs(float(c))
