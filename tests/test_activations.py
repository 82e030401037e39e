"""Activations: Gaussian (Hermite) coefficients against values derived here.

Independent references: closed forms derived by hand (Gaussian integration by parts,
``E G f(G) = E f'(G)`` and ``E σ(G) He_k(G) = E σ^{(k)}(G)``), exact SymPy integrals for
polynomials, the theory note's tanh digits, and the same function given three ways (name with a
closed form, SymPy expression, Python callable: the last two go through quadrature).
"""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from mpmath import mpf

from asymptotics.activations import (
    NAMES,
    Activation,
    coefficients_float,
    from_callable,
    from_expression,
    get_activation,
)
from asymptotics.errors import ConvergenceError, ParameterError

X = sp.Symbol("x")


def close(a, b, digits, absolute=0):
    a, b = mpmath.mpmathify(a), mpmath.mpmathify(b)
    return abs(a - b) <= mpf(10) ** (-digits) * abs(b) + absolute


def coeffs(spec, dps=40):
    with mpmath.workdps(dps):
        c = get_activation(spec).coefficients()
        return c.mu0, c.mu1, c.mustar2, c.error


def phi(x):
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


def Q(a):  # Gaussian upper tail
    return mpmath.erfc(a / mpmath.sqrt(2)) / 2


def reference(name):
    """(μ₀, μ₁, μ⋆²) derived by hand, at the current precision."""
    pi = mpmath.pi
    if name == "relu":  # E G₊ = φ(0); E G·G₊ = E 1{G>0} = 1/2; E G₊² = 1/2
        return 1 / mpmath.sqrt(2 * pi), mpf(1) / 2, mpf(1) / 2 - 1 / (2 * pi) - mpf(1) / 4
    if name == "abs":  # E|G| = 2φ(0); odd moment 0; E G² = 1
        return mpmath.sqrt(2 / pi), mpf(0), 1 - 2 / pi
    if name == "erf":  # E erf'(G) = (2/√π) E e^{−G²} = 2/√(3π); E erf(G)² = (2/π) arcsin(2/3)
        return mpf(0), 2 / mpmath.sqrt(3 * pi), 2 / pi * mpmath.asin(mpf(2) / 3) - 4 / (3 * pi)
    if name == "quadratic":
        return mpf(1), mpf(0), mpf(2)
    if name == "linear":
        return mpf(0), mpf(1), mpf(0)
    if name == "shifted_relu":  # (G − 1)₊: E = φ(1) − Q(1); E G(G−1)₊ = Q(1); E (G−1)₊² = 2Q(1) − φ(1)
        m0, m1 = phi(1) - Q(1), Q(1)
        return m0, m1, 2 * Q(1) - phi(1) - m0 * m0 - m1 * m1
    raise KeyError(name)


# ---------------------------------------------------------------- closed forms, three ways
SAME_FUNCTION = {
    "relu": ["Max(x, 0)", "relu(x)", "(x + Abs(x))/2", lambda x: x if x > 0 else 0 * x],
    "abs": ["Abs(x)", "sqrt(x**2)", abs],
    "erf": ["erf(x)", mpmath.erf],
    "quadratic": ["x**2", "x*x", lambda x: x * x],
    "linear": ["x", lambda x: x],
}


@pytest.mark.parametrize("name", sorted(SAME_FUNCTION))
def test_named_closed_forms(name):
    with mpmath.workdps(50):
        ref = reference(name)
    m0, m1, ms2, err = coeffs(name, 45)
    assert err == 0  # a closed form or exact polynomial moments
    for got, want in zip((m0, m1, ms2), ref):
        assert close(got, want, 43, mpf(10) ** -44), (name, got, want)


@pytest.mark.parametrize("name,index", [(n, i) for n, specs in SAME_FUNCTION.items() for i in range(len(specs))])
def test_same_function_other_forms(name, index):
    spec = SAME_FUNCTION[name][index]
    with mpmath.workdps(40):
        ref = reference(name)
    m0, m1, ms2, err = coeffs(spec, 35)
    for got, want in zip((m0, m1, ms2), ref):
        assert close(got, want, 30, mpf(10) ** -31), (name, spec, got, want)
    if callable(spec):
        assert err > 0  # quadrature reports its error bound (0 only for closed forms and polynomials)


def test_kinks_are_located_for_expressions_and_given_for_callables():
    with mpmath.workdps(40):
        ref = reference("shifted_relu")
    for spec in ("Max(x - 1, 0)", "Piecewise((x - 1, x > 1), (0, True))", "(x - 1 + Abs(x - 1))/2"):
        m0, m1, ms2, _ = coeffs(spec, 35)
        assert close(m0, ref[0], 30) and close(m1, ref[1], 30) and close(ms2, ref[2], 30), spec
    fn = from_callable(lambda x: x - 1 if x > 1 else 0 * x, name="shifted", kinks=(1.0,))
    with mpmath.workdps(35):
        c = fn.coefficients()
    assert close(c.mu0, ref[0], 30) and close(c.mu1, ref[1], 30) and close(c.mustar2, ref[2], 30)
    assert fn.name == "shifted" and 1.0 in fn.kinks


def test_tanh_theory_note_digits():
    m0, m1, ms2, err = coeffs("tanh", 45)
    assert abs(m0) < mpf(10) ** -42  # odd
    with mpmath.workdps(50):
        assert close(m1, mpf("0.6057055096021588255835402275558804394262"), 39)
        assert mpf("0.0274153260") <= ms2 < mpf("0.0274153261")  # the note's truncated digits
    assert 0 < err < mpf(10) ** -35
    # Stein: μ₁ = E tanh'(G) = E sech²(G), a different integrand
    with mpmath.workdps(45):
        stein = mpmath.quad(lambda x: mpmath.sech(x) ** 2 * phi(x), [-mpmath.inf, 0, mpmath.inf])
    assert close(m1, stein, 40)
    # the same function as a callable and as an expression
    assert close(coeffs(mpmath.tanh, 35)[2], ms2, 30) and close(coeffs("tanh(x)", 35)[1], m1, 30)


def test_softplus_and_sigmoid_by_stein():
    """softplus' = sigmoid, so μ₁(softplus) = E sigmoid(G) = 1/2; sigmoid − 1/2 is odd, so μ₀ = 1/2."""
    sp_m0, sp_m1, sp_ms2, _ = coeffs("softplus", 35)
    assert close(sp_m1, mpf(1) / 2, 30)
    sg_m0, sg_m1, sg_ms2, _ = coeffs("sigmoid", 35)
    assert close(sg_m0, mpf(1) / 2, 30)
    with mpmath.workdps(40):
        sig = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
        d_sig = mpmath.quad(lambda x: sig(x) * (1 - sig(x)) * phi(x), [-mpmath.inf, 0, mpmath.inf])
        sp0 = mpmath.quad(lambda x: mpmath.log(1 + mpmath.exp(x)) * phi(x), [-mpmath.inf, 0, mpmath.inf])
    assert close(sg_m1, d_sig, 30) and close(sp_m0, sp0, 30)
    assert 0 < sg_ms2 < mpf("0.01") and 0 < sp_ms2 < 1
    # the float64 evaluators agree with the mp ones, also far in the tails (no overflow)
    xs = np.array([-800.0, -30.0, -1.0, 0.0, 0.5, 30.0, 800.0])
    for name, f in (("softplus", lambda x: mpmath.log(1 + mpmath.exp(x))), ("sigmoid", sig)):
        with mpmath.workdps(30):
            ref = np.array([float(f(mpf(v))) for v in xs])
        np.testing.assert_allclose(get_activation(name).np(xs), ref, rtol=1e-14, atol=0)


# ---------------------------------------------------------------- polynomials: exact
def gauss_exact(expr):
    """E expr(G) for a polynomial, exactly: E G^{2m} = (2m)!/(2^m m!), odd moments 0."""
    total = sp.Integer(0)
    for (n,), c in sp.Poly(sp.expand(expr), X).terms():
        if n % 2 == 0:
            total += c * sp.factorial(n) / (2 ** (n // 2) * sp.factorial(n // 2))
    return sp.nsimplify(total)


def test_gaussian_moment_formula_against_integration():
    for expr in (X**2, X**6, (X - 1) ** 3 * (X + 2), X**4 - X / 3 + 5):
        exact = sp.integrate(sp.expand(expr) * sp.exp(-(X**2) / 2), (X, -sp.oo, sp.oo)) / sp.sqrt(2 * sp.pi)
        assert sp.simplify(exact - gauss_exact(expr)) == 0


@pytest.mark.parametrize(
    "text",
    ["x**3", "x**4 - 2*x**3 + x/3 + 5", "x + (2/3)*(x**2-1)/sqrt(2)", "x + 0.1*(x**2 - 1)/sqrt(2)", "(x - 1)**2*(x + 2)", "7"],
)
def test_polynomial_coefficients_are_exact(text):
    p = sp.sympify(text, rational=True)
    m0 = gauss_exact(p)
    m1 = gauss_exact(X * p)
    ms2 = sp.nsimplify(gauss_exact((p - m0 - m1 * X) ** 2))
    act = get_activation(text)
    for dps in (20, 60):
        with mpmath.workdps(dps):
            c = act.coefficients()
            assert c.error == 0
            for got, want in zip((c.mu0, c.mu1, c.mustar2), (m0, m1, ms2)):
                assert got == mpmath.mpf(sp.N(want, dps + 10)), (text, got, want)


def test_decimal_text_is_read_exactly():
    with mpmath.workdps(50):
        c = get_activation("x + 0.1*(x**2 - 1)/sqrt(2)").coefficients()
        assert c.mu1 == 1 and c.mustar2 == mpf(1) / 100 and c.mu0 == 0


@pytest.mark.parametrize("text", ["x**3 - x", "x**4 - 2*x**3 + x/3 + 5", "(x - 1)**2*(x + 2)", "3*x**5"])
def test_hermite_identity_for_polynomials(text):
    """Σ_k μ_k²/k! = E σ(G)², a finite sum for a polynomial; μ_k = 0 beyond the degree."""
    p = sp.sympify(text, rational=True)
    deg = sp.Poly(p, X).degree()
    second = gauss_exact(p**2)
    act = get_activation(text)
    with mpmath.workdps(40):
        total = mpf(0)
        for k in range(deg + 3):
            mk, err = act.hermite(k)
            assert err == 0
            want = gauss_exact(p * sp.hermite_prob(k, X))
            assert mk == mpmath.mpf(sp.N(want, 50)), (k, mk, want)
            if k > deg:
                assert mk == 0
            total += mk**2 / mpmath.factorial(k)
        assert close(total, mpmath.mpf(sp.N(second, 50)), 38)
        c = act.coefficients()
        assert act.hermite(0)[0] == c.mu0 and act.hermite(1)[0] == c.mu1
        tail = sum(act.hermite(k)[0] ** 2 / mpmath.factorial(k) for k in range(2, deg + 1))
        assert close(tail, c.mustar2, 38, mpf(10) ** -38)


def _he0(j):
    """He_j(0): 0 for odd j, (−1)^{j/2}(j−1)!! for even j."""
    return 0 if j % 2 else (-1) ** (j // 2) * sp.factorial2(j - 1)


@pytest.mark.parametrize("k", range(0, 9))
def test_hermite_relu_and_abs_closed_forms(k):
    """relu: E G₊He_k(G) = He_{k−2}(0)/√(2π) for k ≥ 2 (two integrations by parts of φ^{(k)});
    abs = relu(x) + relu(−x): μ_k(abs) = (1 + (−1)^k) μ_k(relu)."""
    with mpmath.workdps(40):
        c = 1 / mpmath.sqrt(2 * mpmath.pi)
        relu_k = {0: c, 1: mpf(1) / 2}.get(k, c * int(_he0(k - 2)) if k >= 2 else None)
        abs_k = (1 + (-1) ** k) * relu_k if k != 1 else mpf(0)
        if k == 0:
            abs_k = 2 * c
        tol = mpf(10) ** -30
        for name, want in (("relu", relu_k), ("abs", abs_k), ("Max(x, 0)", relu_k)):
            got, err = get_activation(name).hermite(k)
            assert abs(got - want) <= tol * (1 + abs(want)), (name, k, got, want)
            assert err < tol


@pytest.mark.parametrize("k", [1, 3, 5, 9, 15])
def test_hermite_erf_closed_form(k):
    """E erf(G)He_k(G) = E erf^{(k)}(G) = (2/√(3π)) (2m)!/m! (−1/3)^m for k = 2m + 1 (even k: 0)."""
    m = (k - 1) // 2
    with mpmath.workdps(35):
        want = 2 / mpmath.sqrt(3 * mpmath.pi) * mpmath.factorial(2 * m) / mpmath.factorial(m) * (-mpf(1) / 3) ** m
        got, err = get_activation("erf").hermite(k)
        assert close(got, want, 30)
        even, _ = get_activation("erf").hermite(k + 1)
        assert abs(even) < mpf(10) ** -30 * abs(want)


def test_hermite_identity_erf_partial_sums():
    """Σ_{k ≤ K} μ_k²/k! increases to E erf(G)² = (2/π) arcsin(2/3); the odd terms carry it all."""
    act = get_activation("erf")
    with mpmath.workdps(30):
        second = 2 / mpmath.pi * mpmath.asin(mpf(2) / 3)
        total, prev_gap = mpf(0), None
        for k in (1, 3, 5, 7, 9, 11):
            total += act.hermite(k)[0] ** 2 / mpmath.factorial(k)
            gap = second - total
            assert gap > 0 and (prev_gap is None or gap < prev_gap / 2)
            prev_gap = gap
        assert gap < mpf("1e-4")
        assert close(act.hermite(0)[0] ** 2 + act.hermite(1)[0] ** 2 + act.coefficients().mustar2, second, 28)


# ---------------------------------------------------------------- callables and evaluators
def test_callables():
    def my_tanh(x):
        return mpmath.tanh(x)  # fails on numpy arrays: the float64 evaluator vectorizes it

    act = get_activation(my_tanh)
    assert isinstance(act, Activation) and act.name == "my_tanh"
    assert get_activation(act) is act
    ref = coeffs("tanh", 35)
    got = coeffs(act, 35)
    for a, b in zip(got[:3], ref[:3]):
        assert close(a, b, 30, mpf(10) ** -31)
    xs = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(act.np(xs), np.tanh(xs), rtol=1e-15)
    np_act = from_callable(np.tanh, name="np tanh")  # numpy-friendly, fine on mpf scalars too
    np.testing.assert_allclose(np_act.np(xs), np.tanh(xs), rtol=0)


@pytest.mark.parametrize("name", NAMES)
def test_float64_evaluators_match_mp(name):
    act = get_activation(name)
    xs = np.array([-4.0, -1.3, -0.2, 0.0, 0.7, 2.5, 5.0])
    with mpmath.workdps(30):
        ref = np.array([float(act.mp(mpf(v))) for v in xs])
    np.testing.assert_allclose(act.np(xs), ref, rtol=1e-14, atol=1e-300)
    assert str(act) == name


def test_aliases_and_caching_of_names():
    for alias, name in (
        ("ReLU", "relu"),
        ("identity", "linear"),
        ("|x|", "abs"),
        ("square", "quadratic"),
        ("logistic", "sigmoid"),
    ):
        assert get_activation(alias).name == name
    assert get_activation("tanh") is get_activation("tanh")


def test_sympy_expression_input():
    y = sp.Symbol("x")  # a user's plain x (not our real one) is accepted
    act = get_activation(y**3 - y)
    with mpmath.workdps(30):
        c = act.coefficients()
    assert c.mu1 == 2 and c.mu0 == 0 and c.mustar2 == 6  # E(G³−G)² = 15 − 2·3 + 1 = 10; 10 − 4 = 6
    named = from_expression("x**2", name="sq")
    assert named.name == "sq"


def test_caching_does_not_leak_precision():
    act = from_callable(lambda x: mpmath.tanh(x), name="fresh tanh")
    with mpmath.workdps(15):
        low = act.coefficients()
        low_h3 = act.hermite(3)[0]
    with mpmath.workdps(50):
        high = act.coefficients()
        high_h3 = act.hermite(3)[0]
        assert close(high.mu1, mpf("0.6057055096021588255835402275558804394262"), 39)
        assert abs(high.mu1 - low.mu1) > 0  # not the cached 15-digit value
        assert close(high_h3, low_h3, 13) and high_h3 != low_h3
    with mpmath.workdps(15):
        assert act.coefficients() is low  # cached per precision
    assert mpmath.mp.dps == 15
    f = coefficients_float(act)
    assert abs(f[0]) < 1e-20 and f[1] == pytest.approx(float(high.mu1), rel=1e-15)
    assert f[2] == pytest.approx(float(high.mustar2), rel=1e-15)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "spec,match",
    [
        ("I*x", "real"),
        ("x + zoo", "real"),
        ("x + y", "y"),
        (sp.Symbol("y") ** 2, "y"),
        ("x +* 2", "activation"),
        ("foo bar", "activation"),
        ("", "activation"),
        ("   ", "activation"),
        (3.5, "activation"),
        (None, "activation"),
    ],
)
def test_bad_specs(spec, match):
    with pytest.raises(ParameterError, match=match):
        get_activation(spec)


@pytest.mark.parametrize("spec", ["sqrt(x)", "log(x)", "x**(1/3)", lambda x: mpmath.sqrt(x)])
def test_not_real_valued(spec):
    with pytest.raises(ParameterError, match="real"):
        with mpmath.workdps(20):
            get_activation(spec).coefficients()


def test_callable_that_cannot_take_mp_numbers():
    def picky(x):
        if not isinstance(x, float):
            raise TypeError("floats only")
        return math.tanh(x)

    with pytest.raises(ParameterError, match="could not be evaluated"):
        with mpmath.workdps(20):
            from_callable(picky).coefficients()


def test_square_integrable_with_integrable_singularity():
    # log|G| is square integrable: Var log|G| = π²/8 (its E log|G| = −(γ + log 2)/2)
    m0, m1, ms2, _ = coeffs("log(Abs(x))", 30)
    with mpmath.workdps(40):
        assert close(m0, -(mpmath.euler + mpmath.log(2)) / 2, 25)
        assert close(ms2, mpmath.pi**2 / 8, 25)
    assert abs(m1) < mpf(10) ** -25


@pytest.mark.parametrize("spec", ["exp(x**2/4)", "1/x"])
def test_not_square_integrable_is_rejected(spec):
    with pytest.raises((ParameterError, ConvergenceError)):
        with mpmath.workdps(30):
            get_activation(spec).coefficients()


def test_square_integrable_fast_growth_is_accepted():
    # E e^{2G²/5} = 1/√(1 − 4/5) = √5, μ₀ = 1/√(1 − 2/5), μ₁ = 0: μ⋆² = √5 − 5/3
    from asymptotics.models import random_features as rf

    got = rf.mustar("exp(x**2/5)", dps=25).value
    with mpmath.workdps(40):
        assert abs(got - mpmath.sqrt(mpmath.sqrt(5) - mpmath.mpf(5) / 3)) < mpmath.mpf(10) ** -24
    for bad in ("exp(x**2/4)", "exp(x**2)", "x*exp(x**2/4)"):
        with pytest.raises(ParameterError, match="grows too fast"):
            rf.mustar(bad, dps=15)


def test_derivative_closed_forms_belong_to_the_named_activation_not_the_name():
    """An expression that happens to be called "relu" must not borrow relu's closed-form σ' coefficients."""
    import mpmath

    from asymptotics.activations import from_expression, get_activation

    with mpmath.workdps(20):
        fake = from_expression("x**2", name="relu").derivative().coefficients()  # σ' = 2x
        assert fake.mu0 == 0 and abs(fake.mu1 - 2) < 1e-15
        assert get_activation("relu").derivative().closed is not None


# ---------------------------------------------------------------- issue 13: exact zeros of the coefficients
@pytest.mark.parametrize(
    "text,parity",
    [
        ("tanh(x) + sin(x)", -1),
        ("x*exp(-x**2) + erf(x)", -1),
        ("Abs(x) + cos(x)", 1),
        ("sqrt(x**2 + 1) + sign(x)*x", 1),
        ("x**3*cosh(x) + atan(x)**3", -1),
        ("exp(-x**2)*sin(x)**2", 1),
        ("tanh(x) + 1", 0),
        ("Max(x, 0)", 0),
        ("exp(x)", 0),
        ("log(1 + exp(x)) - x/2", 0),  # even, but not provably so termwise: "unknown", never guessed
        ("Heaviside(x)", 0),
    ],
)
def test_parity_rule(text, parity):
    from asymptotics.activations import _parity

    act = get_activation(text)
    assert _parity(act.expr) == parity
    if parity:  # sound: check σ(−x) = ±σ(x) at a few points
        with mpmath.workdps(30):
            for v in (mpf("0.3"), mpf("1.7"), mpf("-2.9")):
                assert abs(act.mp(-v) - parity * act.mp(v)) < mpf(10) ** -25


@pytest.mark.parametrize(
    "text,k,other",
    [
        # μ₁ = E G tanh G + E G sin G = μ₁(tanh) + e^{−1/2} (E G sin G = E cos G); μ₀ = 0: odd terms + centred He₂
        ("tanh(x) + sin(x) + x**2 - 1", 0, lambda: _quad_mu1_tanh() + mpmath.exp(mpf(-1) / 2)),
        # μ₁ = E G²e^{−G²} + E erf'(G) = 1/(3√3) + 2/√(3π); μ₀ = 0 (odd)
        ("x*exp(-x**2) + erf(x)", 0, lambda: 1 / (3 * mpmath.sqrt(3)) + 2 / mpmath.sqrt(3 * mpmath.pi)),
        # μ₀ = E|G| + E cos G = √(2/π) + e^{−1/2}; μ₁ = 0 (even)
        ("Abs(x) + cos(x)", 1, lambda: mpmath.sqrt(2 / mpmath.pi) + mpmath.exp(mpf(-1) / 2)),
    ],
)
def test_symmetric_zero_coefficients_are_exact_and_fast(text, k, other):
    """Issue 13: a coefficient that is 0 by symmetry (not termwise) used to run 80–95 s into a ConvergenceError
    (a relative test cannot certify a zero).  Now it is exactly 0, with error 0, within seconds, and the other
    coefficient matches its closed form."""
    import time

    from asymptotics.models import random_features as rf

    zero_q, other_q = ("mu0", "mu1") if k == 0 else ("mu1", "mu0")
    t0 = time.perf_counter()
    z = getattr(rf, zero_q)(text, dps=30)
    o = getattr(rf, other_q)(text, dps=30)
    risk = rf.risk("0.5", "3", 0, text, tau2="0.25", dps=30)
    assert time.perf_counter() - t0 < 30  # ~2-4 s alone; generous for a shared machine
    assert z.value == 0 and z.error_estimate == 0
    with mpmath.workdps(40):
        assert close(o.value, other(), 28)
    act = get_activation(text)
    value, err = act.hermite(k)
    assert value == 0 and err == 0 and act.hermite(k + 1)[0] != 0
    assert coefficients_float(act)[k] == 0.0  # the float64 path sees the exact zero too
    if k == 1:  # μ₁ = 0 takes the ζ = 0 branch: 𝓥₀ = ψ₁/(ψ₂ − ψ₁) = 1/5, 𝓑 = 1 + 𝓥, R = 1.2 + 0.25/5
        assert risk.value == mpf("1.25")


def _quad_mu1_tanh():
    return mpmath.quad(lambda x: x * mpmath.tanh(x) * phi(x), [-mpmath.inf, 0, mpmath.inf])


def test_zero_without_symmetry_gets_an_absolute_bound():
    """A zero that parity cannot prove (μ₀ of ``|x| − √(2/π)``, μ₁ of the even ``log(1 + eˣ) − x/2``) is decided at two
    precisions: 0 with a stated absolute error bound, certified quickly."""
    from asymptotics.models import random_features as rf

    for text, q in (("Abs(x) - sqrt(2/pi)", "mu0"), ("log(1 + exp(x)) - x/2", "mu1")):
        r = getattr(rf, q)(text, dps=30)
        assert r.value == 0 and 0 <= r.error_estimate < mpf(10) ** -25
    r = rf.mu0("Abs(x) - sqrt(2/pi)", dps=30)
    assert r.error_estimate > 0  # quadrature, not exact: the bound is stated


def test_tiny_nonzero_coefficients_are_not_zero():
    """``x**2 − 1 + 1e-20·x`` has μ₁ = 1e-20 exactly (and takes the general ζ ≠ 0 branch); a tiny odd part of a
    non-polynomial activation is integrated relative to itself, not declared 0."""
    from asymptotics.models import random_features as rf

    r = rf.mu1("x**2 - 1 + 1e-20*x", dps=30)
    assert r.value != 0 and coefficients_float(get_activation("x**2 - 1 + 1e-20*x"))[1] == 1e-20
    with mpmath.workdps(40):
        assert close(r.value, mpf("1e-20"), 29)
        assert close(rf.mu1("Abs(x) + 1e-20*tanh(x)", dps=30).value, mpf("1e-20") * _quad_mu1_tanh(), 28)
        # quadrature with a cancelling exact part: E G log(1 + e^G) = E sigmoid(G) = 1/2 minus 1/2, plus 1e-25 μ₁(tanh)
        got, err = get_activation("log(1 + exp(x)) - x/2 + 1e-25*tanh(x)").hermite(1)
        assert close(got, mpf("1e-25") * _quad_mu1_tanh(), 3) and err < mpf(10) ** -32


# ----------------------------------------------------------------------------- named activations without SymPy (issue 14)
@pytest.mark.parametrize("name", NAMES)
def test_named_expression_is_built_on_first_access(name):
    """A named activation's ``expr`` is its SymPy expression (made lazily), the one from the text form."""
    act = get_activation(name)
    want = {
        "relu": sp.Max(X, 0),
        "abs": sp.Abs(X),
        "tanh": sp.tanh(X),
        "erf": sp.erf(X),
        "quadratic": X**2,
        "linear": X,
        "softplus": sp.log(1 + sp.exp(X)),
        "sigmoid": 1 / (1 + sp.exp(-X)),
    }[name]
    got = act.expr
    assert got is act.expr  # built once
    assert sp.simplify(got.subs({s: X for s in got.free_symbols}) - want) == 0


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "linear", "quadratic"])
def test_named_derivative_matches_the_sympy_route(name):
    """σ' of a named activation (closed-form coefficients, no SymPy) against σ' = d/dx of its SymPy expression
    (exact polynomial moments or tanh-sinh quadrature), at 30 digits; and its evaluators agree pointwise."""
    act = get_activation(name)
    fast = act.derivative()
    x = next(iter(act.expr.free_symbols))  # the package's real x
    slow = from_expression(sp.diff(act.expr, x))
    with mpmath.workdps(30):
        a, b = fast.coefficients(), slow.coefficients()
        for u, v in ((a.mu0, b.mu0), (a.mu1, b.mu1), (a.mustar2, b.mustar2)):
            assert close(u, v, 25, absolute=mpf(10) ** -25)
    xs = np.array([-1.7, -0.3, 0.0, 0.4, 2.5])
    ones = np.ones_like(xs)  # σ' = 1 evaluates to a scalar: broadcast
    assert np.allclose(np.asarray(fast.np(xs), dtype=float) * ones, np.asarray(slow.np(xs), dtype=float) * ones)
    for x in (-1.7, 0.4):
        with mpmath.workdps(20):
            assert close(fast.mp(mpf(x)), slow.mp(mpf(x)), 15, absolute=mpf(10) ** -15)
    assert fast.expr == slow.expr


def test_linear_and_quadratic_closed_forms_are_the_exact_moments():
    """``x``: (0, 1, 0); ``x²``: (1, 0, E G⁴ − 1 = 2) — as the polynomial route computes them."""
    for name, text in (("linear", "x + 0*x**2"), ("quadratic", "x**2 + 0*x")):
        with mpmath.workdps(30):
            c, p = get_activation(name).coefficients(), from_expression(text).coefficients()
        assert (c.mu0, c.mu1, c.mustar2, c.error) == (p.mu0, p.mu1, p.mustar2, 0)
