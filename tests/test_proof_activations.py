"""Proven Gaussian coefficients of activations (issue 15): ball enclosures contain independent values."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from flint import acb, arb

from asymptotics.activations import coefficients_float, from_callable, get_activation
from asymptotics.ball import NotProven, workprec
from asymptotics.expression import compile_ball

PREC = 200  # bits: enclosures of width ~1e-58


def _contains(ball, value) -> bool:
    """Whether the ball contains the mpmath number ``value`` (computed at 70 digits: its own error is 1e-70)."""
    v = ball.v
    with workprec(300):
        return bool(abs(v.mid() - arb(mpmath.nstr(value, 70))) <= v.rad() + arb("1e-65"))


def _quad(f, a=-mpmath.inf, b=mpmath.inf, pts=()):
    """``∫_a^b f φ`` by mpmath at 70 digits (independent of the code under test)."""
    with mpmath.workdps(70):
        nodes = [a, *pts, b]
        return mpmath.quad(lambda x: f(x) * mpmath.exp(-x * x / 2), nodes) / mpmath.sqrt(2 * mpmath.pi)


def _he(k, x):
    a, b = mpmath.mpf(1), x
    if k == 0:
        return a
    for j in range(1, k):
        a, b = b, x * b - j * a
    return b


def _closed(name):
    """Hand-derived (μ₀, μ₁, μ_⋆²) at 70 digits."""
    with mpmath.workdps(70):
        pi = mpmath.pi
        return {
            "relu": (1 / mpmath.sqrt(2 * pi), mpmath.mpf(1) / 2, mpmath.mpf(1) / 4 - 1 / (2 * pi)),
            "abs": (mpmath.sqrt(2 / pi), 0, 1 - 2 / pi),
            # E erf(G)² = (2/π) asin(2/3), E G erf(G) = E erf'(G) = 2/√(3π)
            "erf": (0, 2 / mpmath.sqrt(3 * pi), 2 / pi * mpmath.asin(mpmath.mpf(2) / 3) - 4 / (3 * pi)),
            "linear": (0, 1, 0),
            "quadratic": (1, 0, 2),
            # Max(x,0)² : E = 1/2, E G³1{G>0} = 2φ(0), E G⁴1{G>0} = 3/2
            "Max(x,0)**2": (mpmath.mpf(1) / 2, mpmath.sqrt(2 / pi), mpmath.mpf(3) / 2 - mpmath.mpf(1) / 4 - 2 / pi),
            # e^{−x²}: E = 1/√3, E e^{−2G²} = 1/√5
            "exp(-x**2)": (1 / mpmath.sqrt(3), 0, 1 / mpmath.sqrt(5) - mpmath.mpf(1) / 3),
            "Abs(x)": (mpmath.sqrt(2 / pi), 0, 1 - 2 / pi),
        }[name]


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "linear", "quadratic", "Max(x,0)**2", "exp(-x**2)", "Abs(x)"])
def test_closed_forms_are_enclosed(name):
    act = get_activation(name)
    with workprec(PREC):
        balls = act.ball_coefficients()
    for ball, value in zip(balls, _closed(name), strict=True):
        assert _contains(ball, value), (name, ball, value)


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "tanh", "sigmoid", "softplus", "Max(x,0)**2", "tanh(x)+0.1*x"])
def test_hermite_coefficients_against_quadrature(name):
    act = get_activation(name)
    fn = {
        "relu": lambda x: max(x, 0),
        "abs": abs,
        "erf": mpmath.erf,
        "tanh": mpmath.tanh,
        "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
        "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
        "Max(x,0)**2": lambda x: max(x, 0) ** 2,
        "tanh(x)+0.1*x": lambda x: mpmath.tanh(x) + x / 10,
    }[name]
    for k in range(6):
        with workprec(PREC):
            ball = act.ball_hermite(k)
        value = _quad(lambda x, k=k: fn(x) * _he(k, x), pts=(0,))
        assert _contains(ball, value), (name, k, ball, value)


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "linear", "quadratic", "tanh", "x**3 - x"])
def test_derivative_coefficients(name):
    d = get_activation(name).derivative()
    fn = {
        "relu": lambda x: 1 if x > 0 else 0,
        "abs": mpmath.sign,
        "erf": lambda x: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x),
        "linear": lambda x: 1,
        "quadratic": lambda x: 2 * x,
        "tanh": lambda x: 1 - mpmath.tanh(x) ** 2,
        "x**3 - x": lambda x: 3 * x * x - 1,
    }[name]
    with workprec(PREC):
        mu0, mu1, ms2 = d.ball_coefficients()
    e0, e1 = _quad(fn, pts=(0,)), _quad(lambda x: x * fn(x), pts=(0,))
    with mpmath.workdps(70):
        es2 = _quad(lambda x: fn(x) ** 2, pts=(0,)) - e0**2 - e1**2
    for ball, value in ((mu0, e0), (mu1, e1), (ms2, es2)):
        assert _contains(ball, value), (name, ball, value)


def test_named_smooth_activations_against_quadrature():
    for name, fn in (
        ("tanh", mpmath.tanh),
        ("sigmoid", lambda x: 1 / (1 + mpmath.exp(-x))),
        ("softplus", lambda x: mpmath.log1p(mpmath.exp(x))),
    ):
        with workprec(PREC):
            mu0, mu1, ms2 = get_activation(name).ball_coefficients()
        e0, e1 = _quad(fn), _quad(lambda x, f=fn: x * f(x))
        with mpmath.workdps(70):
            es2 = _quad(lambda x, f=fn: (f(x) - e0 - e1 * x) ** 2)
        for ball, value in ((mu0, e0), (mu1, e1), (ms2, es2)):
            assert _contains(ball, value), (name, ball, value)


def test_exact_zeros_and_exact_values():
    with workprec(PREC):
        assert get_activation("tanh").ball_coefficients()[0].v == 0  # odd
        assert get_activation("sigmoid").ball_coefficients()[0].v == arb(1) / 2  # σ − 1/2 is odd
        assert get_activation("softplus").ball_hermite(1).v == arb(1) / 2  # softplus − x/2 is even
        assert get_activation("softplus").ball_hermite(3).v == 0
        assert get_activation("Abs(x) + cos(x)").ball_hermite(1).v == 0
        assert get_activation("x**3 + x/3").ball_coefficients()[2].v == 6  # exact rational moments


def test_piecewise_kink_at_non_dyadic_point_is_enclosed():
    # σ = x for x < c = 1/3, 3x² beyond (continuous, kink at 1/3, which no float split point hits); by hand:
    # ∫_{−∞}^c xφ = −φ(c), ∫_c^∞ x²φ = cφ(c) + 1 − Φ(c), ∫_{−∞}^c x²φ = Φ(c) − cφ(c), ∫_c^∞ x³φ = (c² + 2)φ(c)
    with mpmath.workdps(70):
        c = mpmath.mpf(1) / 3
        phi, Phi = mpmath.npdf(c), mpmath.ncdf(c)
        mu0 = -phi + 3 * (c * phi + 1 - Phi)
        mu1 = Phi - c * phi + 3 * (c * c + 2) * phi
    act = get_activation("Piecewise((x, x < 1/3), (3*x**2, True))")
    with workprec(PREC):
        b0, b1, _ = act.ball_coefficients()
    assert _contains(b0, mu0)
    assert _contains(b1, mu1)


def test_split_points_do_not_matter_for_rigour():
    # without any split point the integrand still detects its kink: same enclosure, slower
    act = get_activation("Abs(x - 1/3)")
    object.__setattr__(act, "kinks", ())
    with workprec(120):
        mu0 = act.ball_hermite(0)
    # E|G − c| = 2φ(c) + c(2Φ(c) − 1)
    with mpmath.workdps(70):
        c = mpmath.mpf(1) / 3
        value = 2 * mpmath.npdf(c) + c * (2 * mpmath.ncdf(c) - 1)
    assert _contains(mu0, value)


@pytest.mark.parametrize("spec", ["exp(x**2/5)", "sqrt(x)", "erf(x)/x"])
def test_no_rigorous_route_is_not_proven(spec):
    with workprec(120), pytest.raises(NotProven):
        get_activation(spec).ball_coefficients()


def test_callable_is_not_proven():
    act = from_callable(lambda v: v * v, name="square")
    with workprec(120):
        with pytest.raises(NotProven, match="callable"):
            act.ball_coefficients()
        with pytest.raises(NotProven):
            act.ball_hermite(2)


@pytest.mark.parametrize("name", ["relu", "tanh", "softplus", "Max(x,0)**2", "tanh(x)+0.1*x"])
def test_widths_shrink_with_precision(name):
    act = get_activation(name)
    with workprec(100):
        lo = act.ball_coefficients()
    with workprec(260):
        hi = act.ball_coefficients()
    for a, b in zip(lo, hi, strict=True):
        assert b.v.rad() <= a.v.rad()
        if a.v.rad() > 0:
            assert b.v.rad() < a.v.rad() * arb("1e-40")
            assert a.v.overlaps(b.v)


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "tanh", "sigmoid", "softplus", "tanh(x)+0.1*x", "exp(-x**2)"])
def test_float64_coefficients_inside_enclosure(name):
    act = get_activation(name)
    with workprec(120):
        balls = act.ball_coefficients()
    for ball, f in zip(balls, coefficients_float(act), strict=True):
        mid = float(ball.v.mid())
        assert abs(f - mid) <= 1e-6 * max(abs(mid), 1e-300) + float(ball.v.rad()), (name, f, ball)


def test_ladder_values_inside_enclosure_at_60_digits():
    for name in ("tanh", "softplus", "exp(-Abs(x))", "1/(1+x**2)"):
        act = get_activation(name)
        with mpmath.workdps(60):
            c = act.coefficients()
        with workprec(180):
            balls = act.ball_coefficients()
            for ball, value in zip(balls, (c.mu0, c.mu1, c.mustar2), strict=True):
                assert abs(ball.v.mid() - arb(mpmath.nstr(value, 65))) <= ball.v.rad() + arb("1e-55"), (name, ball, value)


def test_ball_evaluator_refuses_analytic_balls_across_a_kink():
    sp = pytest.importorskip("sympy")
    x = sp.Symbol("x", real=True)
    f = compile_ball(sp.Abs(x) + sp.Max(x, 1), x)
    with workprec(80):
        assert not f(acb(arb(0, "0.1")), True).is_finite()  # |x| is not analytic on a ball around 0
        assert f(acb(arb(2, "0.1")), True).is_finite()
        crude = f(acb(arb(0, "0.1")), False)  # a real-point enclosure: |x| + 1 ∈ [1, 1.1]
        assert crude.real.contains(arb(1)) and crude.real.contains(arb("1.1"))
        g = compile_ball(sp.log(x), x)
        assert not g(acb(arb(-1, "0.1")), False).is_finite()  # not real on the real line: refused
        pw = compile_ball(sp.Piecewise((x, x > 0)), x)
        assert not pw(acb(-1), False).is_finite()  # no branch holds: undefined


def test_ball_evaluator_keeps_the_sign_of_float_constants():
    """A SymPy Float constant enters the ball evaluator exactly, sign included (mpmath's
    ``mpf.man_exp`` drops the sign: ``-0.75*x - 1.5`` at 1 once gave +2.25)."""
    import sympy as sp
    from flint import acb

    from asymptotics.expression import compile_ball

    x = sp.Symbol("x")
    f = compile_ball(sp.Float(-0.75) * x + sp.Float(-1.5), x)
    v = f(acb(1), False)
    assert v.real == -2.25 and v.imag == 0


def test_ball_evaluator_asin_acos_inside_their_real_domain_only():
    """``asin``/``acos`` evaluate on balls whose argument has ``|Re| < 1`` proven, and refuse
    (non-finite ball) where the ball reaches the branch points ``±1``."""
    import mpmath
    import sympy as sp
    from flint import acb, arb

    from asymptotics.expression import compile_ball

    x = sp.Symbol("x")
    f = compile_ball(sp.asin(x / 2) + sp.acos(x / 3), x)
    with mpmath.workdps(40):
        want = mpmath.asin(mpmath.mpf(1) / 2) + mpmath.acos(mpmath.mpf(1) / 3)
    v = f(acb(1), True)
    lo, hi = _frac(v.real.lower()), _frac(v.real.upper())  # the ball's exact ends
    w = Fraction(mpmath.nstr(want, 38))  # 38 digits: far inside the 53-bit ball's width
    assert lo - Fraction(1, 10**36) <= w <= hi + Fraction(1, 10**36) and hi - lo < Fraction(1, 10**12)
    assert not f(acb(arb(2, 0.01)), True).real.is_finite()  # x/2 reaches 1
    assert not f(acb(arb(3, 0.01)), False).real.is_finite()  # x/3 reaches 1


def _frac(a):
    man, exp = a.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
