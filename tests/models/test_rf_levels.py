"""``rf risk_asymptotic``: random features at N = alpha1 B(d, l), n = alpha2 B(d, l), d -> inf (per-level formula).

Expected values come from (i) ``krr risk_asymptotic`` with the activation's kernel (alpha1 = inf; a separate
code path: krr's per-level reduction to isotropic ridge), (ii) closed forms derived by hand for activations
whose level coefficient or tail vanishes, (iii) ``rf risk`` at level 1, (iv) the staircase's ends.
"""

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import get_model, krr
from asymptotics.models import random_features as rf
from asymptotics.models._rf_levels import risk_asymptotic
from asymptotics.models._staircase import rf_phase

F = "1,1,1,0.5,0.25"  # F_0^2..F_4^2


def _mp(x):
    return mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else mpmath.mpf(x)


def close(a, b, digits=15):
    a, b = _mp(a), _mp(b)
    return abs(a - b) <= mpmath.mpf(10) ** -digits * (1 + abs(b))


@pytest.mark.parametrize(
    ("alpha2", "level", "lam", "tau2"),
    [("3", 2, "0.1", "0.2"), ("0.7", 2, "0", "0"), ("2.5", 1, "0.05", "0.1"), ("1.5", 3, "0.2", "0"), ("4", 4, "0.1", "0.3")],
)
def test_kernel_limit_is_krr_per_level_formula(alpha2, level, lam, tau2):
    # alpha1 = inf: KRR with the activation's kernel h(s) = E relu(u) relu(v) (relu_nngp) and the KRR ridge alpha2*lam
    ours = risk_asymptotic("inf", alpha2, level, "relu", lam, F, tau2, dps=25)
    ref = krr.risk_asymptotic(alpha2, level, "relu_nngp", Fraction(alpha2) * Fraction(lam), F, tau2, dps=25)
    assert close(ours.value, ref.value, 22), (ours.value, ref.value)
    assert ours.proven


def test_kernel_limit_quadratic_with_a_lost_level():
    # sigma = x^2: h(s) = 1 + 2 s^2 (coef:1,0,2); xi_1 = 0 at level 2: the degree-1 energy is never learned
    ours = risk_asymptotic("inf", "3", 2, "quadratic", "0.1", F, "0.2", dps=25)
    ref = krr.risk_asymptotic("3", 2, "coef:1,0,2", "0.3", F, "0.2", dps=25)
    assert close(ours.value, ref.value, 22)


@given(st.fractions(Fraction(1, 10), 20).filter(lambda a: a != 1), st.fractions(0, 2))
@settings(max_examples=8, deadline=None)
def test_kernel_limit_property(alpha2, lam):
    ours = risk_asymptotic("inf", alpha2, 2, "relu", lam, F, "0.1", dps=20)
    ref = krr.risk_asymptotic(alpha2, 2, "relu_nngp", alpha2 * lam, F, "0.1", dps=20)
    assert close(ours.value, ref.value, 17)


@pytest.mark.parametrize(
    ("psi1", "psi2", "lam"), [("2", "3", "0.1"), ("0.5", "1.5", "0"), ("inf", "2", "0.3"), ("3", "inf", "0.2")]
)
def test_level_one_is_rf_risk(psi1, psi2, lam):
    ours = risk_asymptotic(psi1, psi2, 1, "relu", lam, "0.3,1,0.5,0.25", "0.2", dps=20)
    ref = rf.risk(psi1, psi2, lam, "relu", 1, "0.75", "0.2", dps=20)
    assert close(ours.value, ref.value, 18)
    # tanh is odd: mu_0 = 0 and every even coefficient vanishes, so the constant F_0^2 is never learned
    # (each feature has mean 0 on the sphere) and acts as noise, like F_*^2
    odd = risk_asymptotic(psi1, psi2, 1, "tanh", lam, "0.3,1,0.5,0.25", "0.2", dps=20)
    assert close(odd.value, rf.risk(psi1, psi2, lam, "tanh", 1, "1.05", "0.2", dps=20).value, 18)


def test_vanishing_level_coefficient_closed_form():
    # relu has mu_3 = 0: at level 3 the features carry no degree-3 signal and N = alpha1 B independent
    # features fit noise; ridgeless, V = min(a1, a2)/|a1 - a2| and B = 1 + V (derived in docs/models/rf.md):
    # R = F_3^2 (1 + V) + (tau2 + F_4^2) V + F_4^2 = 1*(5/3) + 0.5*(2/3) + 0.5 = 5/2
    r = risk_asymptotic("2", "5", 3, "relu", "0", "0,0,0,1,0.5", "0", dps=25)
    assert close(r.value, Fraction(5, 2), 23) and r.proven


def test_polynomial_activation_is_least_squares():
    # sigma = x^2 at level 2: no higher levels (mu*^2 -> 0), alpha1 >= 1: least squares on the B(d, 2) level-2
    # harmonics with n = alpha2 B samples: R = tau2/(alpha2 - 1) (F_2 is learned exactly)
    r = risk_asymptotic("3", "4", 2, "quadratic", "0", "1,0,1", "0.3", dps=25)
    assert close(r.value, Fraction(1, 10), 23)
    assert r.extra["self_ridge"] == 0 and close(r.extra["xi_level"], 2, 25)


@pytest.mark.parametrize("level", [2, 3])
def test_ends_of_the_staircase(level):
    # few features (alpha1 -> 0): degree `level` is not learned, R -> F^2_{>level-1} (rf staircase, kappa1 in (l-1, l));
    # many features and samples (ridgeless): R -> F^2_{>level} (kappa1, kappa2 in (l, l+1))
    few = risk_asymptotic("1e-7", "inf", level, "exp(x/2)", "0", F, "0", dps=15)
    lo = rf_phase(f"{level - 0.5}", f"{level + 0.5}", F).value
    assert abs(few.value - lo) < 1e-5
    many = risk_asymptotic("1e7", "inf", level, "exp(x/2)", "0", F, "0", dps=15)
    hi = rf_phase(f"{level + 0.5}", f"{level + 0.7}", F).value
    assert abs(many.value - hi) < 1e-4
    both = risk_asymptotic("inf", "1e7", level, "exp(x/2)", "0", F, "0", dps=15)
    assert abs(both.value - hi) < 1e-4


def test_registered_and_cli(capsys):
    from asymptotics.cli import main

    q = get_model("rf").quantity("risk_asymptotic")
    r = q.certified(alpha1="2", alpha2="3", level=2, lam="0.1", F=F, dps=15)
    assert r.model == "rf" and r.quantity == "risk_asymptotic"
    assert main(["eval", "rf", "risk_asymptotic", "alpha1=2", "alpha2=3", "level=2", "lam=0.1", f"F={F}", "--dps", "15"]) == 0
    assert close(capsys.readouterr().out.strip(), r.value, 14)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"alpha1": "2", "alpha2": "3", "level": 0}, "level"),
        ({"alpha1": "-1", "alpha2": "3", "level": 2}, "alpha1"),
        ({"alpha1": "2", "alpha2": "0", "level": 2}, "alpha2"),
        ({"alpha1": "inf", "alpha2": "inf", "level": 2}, "alpha1"),
        ({"alpha1": "2", "alpha2": "3", "level": 2, "lam": "-1"}, "lam"),
        ({"alpha1": "2", "level": 2}, "alpha2"),
    ],
)
def test_bad_input(kw, name):
    with pytest.raises(ParameterError, match=name):
        risk_asymptotic(**kw)


def test_caller_precision_unchanged():
    with mpmath.workdps(17):
        risk_asymptotic("2", "3", 2, "relu", "0.1", F, dps=30)
        assert mpmath.mp.dps == 17


# ---- lower degrees under random features (weights uniform on the sphere) ----------------------------------------
def _exact_gegenbauer_coefficient(poly, k, d):
    """``d^{k/2} λ_k(d) = d^{k/2} E σ(z)Q_k(z/√d)`` exactly (SymPy), z = <θ,x>/√d on the sphere of radius √d:
    E z^{2p} = d^p Π_{i<p} (2i+1)/(d+2i), Q_k = C_k^{(d-2)/2}/C_k^{(d-2)/2}(1)."""
    import sympy as sp

    t, z = sp.symbols("t z")
    dd = sp.Integer(d)
    g = sp.gegenbauer(k, (dd - 2) / 2, t)
    q = sp.Poly(sp.expand(g / g.subs(t, 1)), t)
    # d^{k/2} t^e = d^{(k-e)/2} z^e, k - e even
    dq = sum(c * dd ** ((k - e) // 2) * z**e for (e,), c in q.terms())
    expr = sp.Poly(sp.expand(poly(z) * dq), z)

    def moment(p):
        if p % 2:
            return 0
        return dd ** (p // 2) * sp.prod([sp.Rational(2 * i + 1) / (dd + 2 * i) for i in range(p // 2)])

    return sum(c * moment(e) for (e,), c in expr.terms())


HE = {3: lambda z: z**3 - 3 * z, 4: lambda z: z**4 - 6 * z**2 + 3, 5: lambda z: z**5 - 10 * z**3 + 15 * z,
      6: lambda z: z**6 - 15 * z**4 + 45 * z**2 - 15}


@pytest.mark.parametrize("sigma,k,c", [
    (HE[3], 1, -6),  # c_1 = -k mu_{k+2} - mu_{k+4}/4 by hand: -1*6
    (HE[4], 0, -6),  # -24/4
    (HE[5], 1, -30),  # -120/4
    (HE[4], 2, -48),  # -2*24
    (lambda z: HE[4](z) + HE[6](z), 2, -48 - 180),  # -2*24 - 720/4
    (lambda z: z**2 - 1, 0, 0),  # E z^2 = 1 on the sphere: exactly 0 at every d
])
def test_first_order_gegenbauer_coefficient(sigma, k, c):
    from asymptotics.models._rf_levels import sphere_coefficient

    for d in (10**3, 10**6):
        v = _exact_gegenbauer_coefficient(sigma, k, d) * d  # = c + O(1/d)
        assert abs(float(v) - c) <= 50 * (abs(c) + 1) / d
    # the exact series agrees: a_{k,k+2,1} = -k, a_{k,k+4,1} = -1/4, nothing from j > k + 4
    assert sphere_coefficient(k, k + 2, 1) == -k and sphere_coefficient(k, k + 4, 1) == Fraction(-1, 4)
    assert sphere_coefficient(k, k + 6, 1) == 0 and sphere_coefficient(k, k + 10, 2) == 0


def test_second_order_gegenbauer_coefficient():
    # He6 at degree 0: the d^-1 term vanishes (mu_2 = mu_4 = 0), d^2 E He6(z) -> 720 a_{0,6,2}
    from asymptotics.models._rf_levels import sphere_coefficient

    want = 720 * sphere_coefficient(0, 6, 2)
    v = [_exact_gegenbauer_coefficient(HE[6], 0, d) * d**2 for d in (10**4, 10**6)]
    assert abs(float(v[1]) - float(want)) < 1e-3 * abs(float(want)) and abs(float(v[0]) - float(want)) < 0.1 * abs(float(want))
    assert want == 240


@pytest.mark.parametrize("act,k,verdicts", [
    ("x**3-3*x", 1, {2: True, 3: None, 4: False, 6: False}),  # n lambda_1^2 ~ d^(l-3)
    ("x**4-6*x**2+3", 0, {1: True, 2: None, 3: False}),
    ("x**6-15*x**4+45*x**2-15", 0, {1: True, 3: True, 4: None, 5: False}),  # second order: ~ d^(l-4)
    ("x**2-1", 0, {2: True, 5: True, 12: True}),  # E sigma = 0 exactly on the sphere
    ("tanh", 0, {3: True, 6: True}),  # parity
    ("relu", 3, {4: True, 6: True}),  # odd part x/2: degree 3 has no component at any order
    ("relu", 1, {3: False}),
])
def test_lower_degree_rule(act, k, verdicts):
    from asymptotics.activations import get_activation
    from asymptotics.models._rf_levels import _lower_degree_lost

    a = get_activation(act)
    for ell, want in verdicts.items():
        if want is None:
            with pytest.raises(ParameterError, match="partly learned"):
                _lower_degree_lost(a, k, ell)
        else:
            assert _lower_degree_lost(a, k, ell) is want


def test_he3_degree_one_learned_at_level_four():
    # xi_4 = 0 and no tail: the features are exactly degrees 1 and 3; degree 1 is learned (c_1 = -6), so R = F_4^2
    assert close(risk_asymptotic(2, 3, 4, "x**3-3*x", 0, "0,1,0,0,0.5", 0).value, Fraction(1, 2))
    with pytest.raises(ParameterError, match="partly learned"):
        risk_asymptotic(2, 3, 3, "x**3-3*x", 0, "0,1,0,0,0.5", 0)
