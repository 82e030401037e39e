"""``onestep``: random features after one gradient step (Ba et al. 2022, small-step Gaussian-equivalent regime).

Independent checks, none of which reuses the closed-form reduction under test:
(i) ``eta = 0`` IS ``rf``'s risk, every digit; (ii) the whole Gaussian-equivalent risk rebuilt from the
Marchenko–Pastur quadratic forms reproduces ``rf`` (whose solver is Mei–Montanari's fixed point, a different
route) to 25 digits — this checks ``κ`` and ``df₂``; (iii) the deterministic equivalent evaluated on explicit
finite matrices (a sampled ``W₀``, ``a`` and spike ``u``, eigendecomposition of ``Σ``) matches the closed
form, checking Sherman–Morrison and the partial fractions; (iv) the ``η → ∞`` limit derived by hand:
the spike direction becomes a feature of unbounded variance that ridge learns without shrinkage, so the risk
tends to ``rf``'s risk at ``F1sq·(1 − alignment²)``; (v) hypothesis properties from the paper's theorem
(the learned kernel improves on RF; it cannot beat the best linear predictor, ``risk ≥ Fstar2``).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics._validate import to_mpf
from asymptotics.errors import ParameterError
from asymptotics.models import onestep as o
from asymptotics.models import random_features as rf
from asymptotics.solve.roots import MP

POINT = dict(psi1=2, psi2="1.5", lam="0.1", activation="relu", F1sq=1, Fstar2="0.3", tau2="0.2")


@pytest.mark.parametrize("act", ["relu", "tanh", "linear"])
def test_eta_zero_is_rf_every_digit(act: str) -> None:
    kw = {**POINT, "activation": act}
    a = o.risk(**kw, eta=0, dps=30)
    b = rf.risk(**kw, dps=30)
    assert a.value == b.value
    assert o.improvement(**kw, eta=0).value == 0


@pytest.mark.parametrize(("act", "eta", "psi1"), [("relu", 2, 2), ("tanh", "0.5", "0.7"), ("linear", 3, "0.6"), ("erf", 1, 1)])
def test_gaussian_equivalent_route(act: str, eta: object, psi1: object) -> None:
    """The whole GE risk from the quadratic forms: = rf at eta = 0 (25 digits), = rf + ΔR at eta > 0."""
    pr = o.OneStepParams(**{**POINT, "activation": act, "psi1": psi1}, eta=eta, psi_step=2)
    with mpmath.workdps(40):
        out, _ = o._evaluate(pr)
        c = pr.activation.coefficients()
        mu1sq, ms2 = c.mu1**2, c.mustar2
        nums = [to_mpf(v) for v in (pr.psi1, pr.psi2)]
        F1, Fs, t2, ps = (to_mpf(v) for v in (pr.F1sq, pr.Fstar2, pr.tau2, pr.psi_step))
        for e, target in ((0, out["rf_risk"]), (to_mpf(pr.eta), out["risk"])):
            c2, V = o.spike(MP, e, mu1sq, F1, Fs, t2, ps)
            ge = o.ge_risk(MP, out["kappa"], *nums, mu1sq, ms2, F1, Fs, t2, c2, V)
            assert abs(ge - target) < mpmath.mpf(10) ** -25 * target
        # κ, df₂ against rf's V: D/(1 − D) = V_rf
        _, df2 = o.kappa_terms(MP, out["kappa"], *nums, mu1sq, ms2)
        rf_out, _ = rf._Solver(pr.rf).evaluate()
        assert abs(df2 / (1 - df2) - rf_out["V"]) < mpmath.mpf(10) ** -25 * (1 + rf_out["V"])


def _finite_matrix_risk(
    psi1: float, psi2: float, lam: float, act: str, F1: float, Fs: float, t2: float, eta: float, ps: float, d: int, seed: int
) -> float:
    """Ridge deterministic equivalent on explicit matrices: Σ = μ₁²AᵀA + μ⋆²I, A = W₀ + u aᵀ (sampled)."""
    from scipy.optimize import brentq

    from asymptotics.activations import coefficients_float, get_activation

    rng = np.random.default_rng(seed)
    N, n = round(psi1 * d), psi2 * d
    _, mu1, ms2 = coefficients_float(get_activation(act))
    W = rng.standard_normal((d, N))
    W /= np.linalg.norm(W, axis=0)
    a = rng.standard_normal(N) / math.sqrt(N)
    beta = rng.standard_normal(d)
    beta *= math.sqrt(F1) / np.linalg.norm(beta)
    g = rng.standard_normal(d)
    g -= beta * (g @ beta) / (beta @ beta)
    g *= math.sqrt((F1 + Fs + t2) / ps) / np.linalg.norm(g)
    A = W + np.outer(eta * mu1 * (beta + g), a)
    ev, Q = np.linalg.eigh(mu1**2 * A.T @ A + ms2 * np.eye(N))
    k = brentq(lambda k: k * (1 - np.sum(ev / (ev + k)) / n) - psi1 * lam, psi1 * lam, psi1 * lam + ev.sum() / n + 1)
    b = Q.T @ (mu1 * A.T @ beta)
    th = b / ev
    df2 = np.sum(ev**2 / (ev + k) ** 2) / n
    r = F1 - th @ b
    return float((k * k * np.sum(ev * th**2 / (ev + k) ** 2) + (r + Fs + t2) * df2) / (1 - df2) + r + Fs)


def test_finite_matrices_match_closed_form() -> None:
    pt = (1.5, 1.2, 0.1, "tanh", 1.0, 0.2, 0.1, 2.0, 1.0)
    vals = [_finite_matrix_risk(*pt, d=200, seed=s) for s in range(4)]
    mean, se = np.mean(vals), np.std(vals, ddof=1) / 2
    theory = float(o.risk(*pt).value)
    rf_value = float(o.rf_risk(*pt).value)
    assert theory < rf_value - 0.05  # the spike matters at this point...
    assert abs(mean - theory) < 3 * se + 0.01  # ...and the closed form tracks it (O(1/d) finite-size slack)


@pytest.mark.parametrize("act", ["relu", "tanh", "linear"])
def test_large_step_limit(act: str) -> None:
    """η → ∞: R → R_RF(F1sq·(1 − alignment²)) (derived by hand; the rest of β₁ sees plain random features)."""
    kw = {**POINT, "activation": act}
    big = o.risk(**kw, eta=10**7, psi_step=3).value
    al = o.alignment(**kw, eta=1, psi_step=3).value
    assert abs(al**2 - mpmath.mpf(3) / (3 + 1 + mpmath.mpf("0.5"))) < mpmath.mpf(10) ** -25
    limit = rf.risk(**{**kw, "F1sq": 1 - al**2}).value
    assert abs(big - limit) < 1e-10 * limit
    # and with a noiseless spike (psi_step → ∞) the linear part is learned exactly: R → (τ² + F⋆²)V + F⋆²
    full = o.risk(**kw, eta=10**7, psi_step=10**16).value
    assert abs(full - rf.risk(**{**kw, "F1sq": 0}).value) < 1e-8


@settings(max_examples=40, deadline=None)
@given(
    psi1=st.floats(0.1, 5),
    psi2=st.floats(0.1, 5),
    lam=st.floats(1e-3, 10),
    F1=st.floats(0, 2),
    Fs=st.floats(0, 1),
    t2=st.floats(0, 1),
    eta=st.floats(0, 20),
    ps=st.floats(0.1, 5),
    act=st.sampled_from(["relu", "erf", "linear", "abs"]),
)
def test_properties(
    psi1: float, psi2: float, lam: float, F1: float, Fs: float, t2: float, eta: float, ps: float, act: str
) -> None:
    """The paper's small-step theorem: the step never hurts, and no kernel of this kind beats the best linear model."""
    args = (psi1, psi2, lam, act, F1, Fs, t2, eta, ps)
    r, s = o.curve_values("risk", *args)
    imp, s2 = o.curve_values("improvement", *args)
    assert s == 0 and s2 == 0
    assert imp >= -1e-9 * r
    assert r >= Fs * (1 - 1e-12)
    r_eta2, _ = o.curve_values("risk", *args[:7], 2 * eta, ps)
    assert r_eta2 <= r * (1 + 1e-9)  # a larger step helps more (monotone in η in this regime)


def test_curve_matches_certified() -> None:
    etas = np.array([0.0, 0.5, 1.0, 3.0])
    vals, status = o.curve_values("risk", 0.8, 2, 0.05, "tanh", 1, 0.2, 0.1, etas, 1.5)
    assert (status == 0).all()
    for e, v in zip(etas, vals, strict=True):
        c = o.risk("0.8", 2, "0.05", "tanh", 1, "0.2", "0.1", float(e), "1.5").value
        assert abs(v - float(c)) < 1e-9 * float(c)


def test_mu1_zero_no_spike() -> None:
    """|x| has μ₁ = 0: the gradient has no rank-one part, the features stay rf's."""
    kw = {**POINT, "activation": "abs"}
    assert o.risk(**kw, eta=5).value == rf.risk(**kw).value


@pytest.mark.parametrize(
    ("kw", "name"),
    [({"lam": 0}, "lam"), ({"eta": -1}, "eta"), ({"psi1": "inf"}, "psi1"), ({"psi_step": 0}, "psi_step"), ({"psi2": -1}, "psi2")],
)
def test_bad_input(kw: dict[str, object], name: str) -> None:
    with pytest.raises(ParameterError, match=name):
        o.risk(**{**POINT, "eta": 1, **kw})


def test_system_residuals() -> None:
    sys_ = o.system()
    pr = o.OneStepParams(**POINT, eta=2, psi_step=1)
    with mpmath.workdps(40):
        out, _ = o._evaluate(pr)
        c = pr.activation.coefficients()
        mu1, ms = c.mu1, mpmath.sqrt(c.mustar2)
        sym = {str(s): s for s in (*sys_.unknowns, *sys_.parameters)}
        t0, tk = ms**2 / mu1**2, (ms**2 + out["kappa"]) / mu1**2
        values = {
            sym["kappa"]: out["kappa"],
            sym["m_0"]: 1 / o.mp_inverse(MP, t0, 2)[0],
            sym[r"m_{\kappa}"]: 1 / o.mp_inverse(MP, tk, 2)[0],
            sym["psi_1"]: 2,
            sym["psi_2"]: mpmath.mpf("1.5"),
            sym["lambda"]: mpmath.mpf("0.1"),
            sym["mu_1"]: mu1,
            sym[r"\mu_{\star}"]: ms,
            sym["F_1^2"]: 1,
            sym[r"F_{\star}^{2}"]: mpmath.mpf("0.3"),
            sym["tau^2"]: mpmath.mpf("0.2"),
            sym["eta"]: 2,
            sym["psi_0"]: 1,
            sym[r"R_{\mathrm{RF}}"]: out["rf_risk"],
        }
        assert max(abs(r) for r in sys_.residuals(values)) < mpmath.mpf(10) ** -30
        risk_expr = sys_.quantities["risk"].subs({k: mpmath.mpf(v) for k, v in values.items()})
        assert abs(mpmath.mpf(str(risk_expr.evalf(35))) - out["risk"]) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize(
    ("psi1", "psi2", "lam", "act"),
    [
        ("2", "1.5", "1e-9", "tanh"),
        ("2", "1.5", "1e-12", "relu"),
        ("1e-4", "1.5", "0.1", "relu"),
        ("1e-4", "1e-4", "1e-12", "tanh"),
        ("2", "1e-4", "1e-12", "erf"),
        ("1e-4", "1.5", "1e-12", "tanh"),
    ],
)
def test_certified_small_lam_small_psi(psi1: str, psi2: str, lam: str, act: str) -> None:
    """Regression: rf's fixed point is judged by rf's own (conditioning-scaled) residual, not re-judged by onestep.

    At tiny ``lam`` or ``psi`` rf accepts residuals above the plain ``10^-(dps-3)``; onestep used to refuse them.
    ``eta = 0`` is rf to every digit; ``eta = 1`` agrees with the float64 path where that path says status 0.
    """
    kw = dict(psi1=psi1, psi2=psi2, lam=lam, activation=act, Fstar2="0.3", tau2="0.2")
    assert o.risk(**kw, eta=0).value == rf.risk(**kw).value
    c = o.risk(**kw, eta=1).value
    assert c >= mpmath.mpf("0.3") * (1 - mpmath.mpf(10) ** -20)
    v, s = o.curve_values("risk", float(psi1), float(psi2), float(lam), act, 1.0, 0.3, 0.2, 1.0)
    assert s == 0 and abs(float(v) - float(c)) <= 1e-6 * abs(float(c)), (float(v), c)


def test_float64_improvement_at_eta_zero_is_plus_zero() -> None:
    # the curve printed "-0.0" at eta = 0 (the negated zero correction): the improvement there is exactly +0
    from asymptotics.models import onestep

    v, st = onestep.curve_values("improvement", 2.0, 1.5, 0.1, "tanh", eta=np.array([0.0, 1.0]))
    assert st[0] == 0 and v[0] == 0 and not np.signbit(v[0]) and v[1] > 0
