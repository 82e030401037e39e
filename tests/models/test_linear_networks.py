"""Deep linear network theory (asymptotics.models.linear_networks).

Checked against: ODE integration of σ̇ = Nσ^{2−2/N}(s − σ) (mpmath.odefun, Taylor method), the
elementary antiderivatives for N = 3, 4 (theory note §5.1), the note's golden times (s = 1,
σ₀ = 10⁻³, half learned: 3.4534, 9.1447, 15.529 for N = 2, 3, 4), the small-initialization
limits (exact expressions), the literal sum Σ_j (WWᵀ)^{(j−1)/N} G (WᵀW)^{(N−j)/N} with
thresholded PSD powers, and properties (monotonicity, inverse functions).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.cli import main
from asymptotics.errors import ParameterError
from asymptotics.models import linear_networks as lnn

from ._helpers import ae


def ode_solution(depth, s, sigma0, t):
    """σ(t) by mpmath's Taylor-series ODE solver (independent of the closed forms)."""
    f = mpmath.odefun(lambda _t, y: depth * y ** (2 - mpmath.mpf(2) / depth) * (s - y), 0, sigma0)
    return f(t)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_trajectory_matches_ode_integration(depth):
    with mpmath.workdps(20):
        s, s0 = mpmath.mpf("1.7"), mpmath.mpf("0.05")
        for t in ("0.3", "1.1", "2.5"):
            want = ode_solution(depth, s, s0, mpmath.mpf(t))
            got = lnn.trajectory(depth=depth, init="0.05", s="1.7", t=t, dps=18).value
            assert ae(got, want, 15), (depth, t)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 6])
def test_time_to_learn_inverts_trajectory(depth):
    T = lnn.time_to_learn(depth=depth, init="0.002", s="2.5", frac="0.8", dps=50)
    with mpmath.workdps(60):
        t_text = mpmath.nstr(T.value, 55)
    sigma = lnn.trajectory(depth=depth, init="0.002", s="2.5", t=t_text, dps=45).value
    assert ae(sigma, 2, 44)


def test_elementary_antiderivatives():
    """F for N = 3 and 4 in elementary functions (theory note §5.1) against the hypergeometric form."""
    with mpmath.workdps(40):
        for x0, x1 in (("0.001", "0.5"), ("0.3", "0.99")):
            a, b = mpmath.mpf(x0), mpmath.mpf(x1)

            def f3(x):
                y = mpmath.cbrt(x)
                return (
                    -3 / y
                    - mpmath.log(1 - y)
                    + mpmath.log(y * y + y + 1) / 2
                    - mpmath.sqrt(3) * mpmath.atan((2 * y + 1) / mpmath.sqrt(3))
                )

            def f4(x):
                z = mpmath.sqrt(x)
                return -2 / z + 2 * mpmath.atanh(z)

            assert ae(lnn.antiderivative(b, 3) - lnn.antiderivative(a, 3), f3(b) - f3(a), 35)
            assert ae(lnn.antiderivative(b, 4) - lnn.antiderivative(a, 4), f4(b) - f4(a), 35)


@pytest.mark.parametrize("depth, value", [(1, "0.69214668"), (2, "3.4534"), (3, "9.1447"), (4, "15.529")])
def test_note_golden_times(depth, value):
    T = lnn.time_to_learn(depth=depth, init="1e-3", s=1).value
    assert ae(T, mpmath.mpf(value), len(value.replace(".", "").lstrip("0")) - 1)


def test_closed_forms_n1_n2():
    with mpmath.workdps(40):
        # N = 1: T = ln((1 − x0)/(1 − x1)); N = 2: T = (logit x1 − logit x0)/(2s)
        assert ae(
            lnn.time_to_learn(depth=1, init="0.3", s=2, frac="0.9").value, mpmath.log(mpmath.mpf("0.85") / mpmath.mpf("0.1")), 28
        )
        x0, x1 = mpmath.mpf("0.15"), mpmath.mpf("0.9")
        logit = lambda x: mpmath.log(x / (1 - x))  # noqa: E731
        assert ae(lnn.time_to_learn(depth=2, init="0.3", s=2, frac="0.9").value, (logit(x1) - logit(x0)) / 4, 28)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_small_init_asymptotics(depth):
    with mpmath.workdps(30):
        s = mpmath.mpf("1.5")
        exact = {
            1: -mpmath.log(mpmath.mpf("0.5")),
            2: mpmath.log(s / mpmath.mpf("1e-6")) / (2 * s),
            3: mpmath.mpf("1e-6") ** (-mpmath.mpf(1) / 3) / s,
            5: mpmath.mpf("1e-6") ** (-mpmath.mpf(3) / 5) / (3 * s),
        }[depth]
    a = lnn.time_asymptotic(depth=depth, init="1e-6", s="1.5").value
    assert ae(a, exact, 25)
    # the ratio of the exact time to the leading term tends to 1 as init → 0
    ratios = [
        lnn.time_to_learn(depth=depth, init=i, s="1.5").value / lnn.time_asymptotic(depth=depth, init=i, s="1.5").value
        for i in ("1e-4", "1e-8", "1e-16")
    ]
    assert abs(ratios[2] - 1) <= abs(ratios[1] - 1) <= abs(ratios[0] - 1) + mpmath.mpf(10) ** -25
    assert abs(ratios[2] - 1) < 0.02


def test_trajectory_limits_and_tail():
    assert ae(lnn.trajectory(depth=3, init="0.1", s=2, t=0).value, mpmath.mpf("0.1"), 29)
    assert lnn.trajectory(depth=3, init="0.1", s=2, t=10**6).value == 2  # linear tail: s to working precision
    late = lnn.trajectory(depth=4, init="0.1", s=1, t=10, dps=40).value  # 1 − σ ≈ C e^{−4t}, resolved at 40 digits
    assert 0 < 1 - late < mpmath.mpf(10) ** -12
    later = lnn.trajectory(depth=4, init="0.1", s=1, t=11, dps=40).value
    assert (1 - later) / (1 - late) == pytest.approx(float(mpmath.exp(-4)), rel=1e-6)  # the linear tail rate N s^{2−2/N}


def test_singular_value_rate():
    r = lnn.singular_value_rate(depth=3, sigma="0.5", grad="-2").value
    with mpmath.workdps(40):
        assert ae(r, 3 * mpmath.mpf("0.25") ** (mpmath.mpf(2) / 3) * 2, 28)
    assert lnn.singular_value_rate(depth=1, sigma=0, grad=1).value == -1


@settings(max_examples=25, deadline=None)
@given(
    depth=st.integers(1, 7),
    init=st.floats(1e-6, 0.4),
    frac=st.floats(0.45, 0.95),
    s=st.floats(0.2, 5),
)
def test_properties(depth, init, frac, s):
    """T decreases in init, increases in frac; σ(T) = frac·s; σ(t) increases in t."""
    i, f, sv = repr(init * s), repr(frac), repr(s)
    T = lnn.time_to_learn(depth=depth, init=i, s=sv, frac=f, dps=20).value
    T_later = lnn.time_to_learn(depth=depth, init=i, s=sv, frac=repr(min(frac + 0.04, 0.99)), dps=20).value
    T_bigger_init = lnn.time_to_learn(depth=depth, init=repr(init * s * 1.05), s=sv, frac=f, dps=20).value
    assert T_later > T > T_bigger_init > 0
    with mpmath.workdps(30):
        t_text = mpmath.nstr(T, 25)
    sigma = lnn.trajectory(depth=depth, init=i, s=sv, t=t_text, dps=20).value
    assert ae(sigma, mpmath.mpf(f) * mpmath.mpf(sv), 15)
    assert lnn.trajectory(depth=depth, init=i, s=sv, t=repr(float(T) * 0.9), dps=15).value < sigma


# ----------------------------------------------------------------------------- matrices
def literal_rate(W, G, depth):
    return -sum(
        lnn.psd_power(W @ W.T, (j - 1) / depth) @ G @ lnn.psd_power(W.T @ W, (depth - j) / depth) for j in range(1, depth + 1)
    )


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
@pytest.mark.parametrize("shape, rank", [((3, 3), 3), ((3, 5), 3), ((5, 3), 2), ((4, 4), 1)])
def test_end_to_end_rate_equals_literal_sum(depth, shape, rank):
    rng = np.random.default_rng(depth + 10 * rank)
    W = rng.standard_normal((shape[0], rank)) @ rng.standard_normal((rank, shape[1]))
    G = rng.standard_normal(shape)
    np.testing.assert_allclose(lnn.end_to_end_rate(W, G, depth), literal_rate(W, G, depth), atol=1e-10)


def test_psd_power_thresholds_round_off():
    """Pitfall §9.1: WᵀW of a 3×5 W has two exact zeros that eigh returns as ±1e-16."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 5))
    S = W.T @ W
    naive_vals, vecs = np.linalg.eigh(S)
    naive = (vecs * np.abs(naive_vals) ** 0.2) @ vecs.T
    good = lnn.psd_power(S, 0.2)
    exact_rank = np.linalg.matrix_rank(good, tol=1e-12)
    assert exact_rank == 3
    assert np.linalg.norm(naive - good) > 1e-5  # the naive power carries (1e-16)^(1/5) ~ 1e-3 garbage
    np.testing.assert_allclose(lnn.psd_power(S, 0), np.eye(5), atol=1e-12)  # 0^0 = 1
    np.testing.assert_allclose(lnn.psd_power(S, 1), S, atol=1e-10)


def test_preconditioner_eigenvalues():
    a, b = np.array([2.0, 0.5, 1.0, 0.0, 0.0]), np.array([0.7, 0.5, 0.0, 1.3, 0.0])
    for depth in (1, 2, 3, 7):
        lam = lnn.preconditioner_eigenvalues(a, b, depth)
        direct = [
            sum((x * x) ** ((j - 1) / depth) * (y * y) ** ((depth - j) / depth) for j in range(1, depth + 1))
            for x, y in zip(a, b)
        ]
        # Python's 0.0 ** 0 == 1.0 is the convention 0^0 = 1 of the literal sum
        np.testing.assert_allclose(lam, direct, rtol=1e-12)
        assert lam[1] == pytest.approx(depth * 0.5 ** (2 - 2 / depth))


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(depth=0, init="0.1", s=1), "depth"),
        (dict(depth="2.5", init="0.1", s=1), "depth"),
        (dict(depth=2, init="1", s=1), "init"),
        (dict(depth=2, init="-0.1", s=1), "init"),
        (dict(depth=2, init="0.1", s=0), "s"),
        (dict(depth=2, init="0.1", s=1, frac="0.05"), "frac"),
        (dict(depth=2, init="0.1", s=1, frac="1"), "frac"),
        (dict(depth=2, init="nan", s=1), "init"),
        (dict(depth=2, s=1), "init"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ParameterError, match=match):
        lnn.time_to_learn(**kw)


def test_bad_trajectory_time_and_matrices():
    with pytest.raises(ParameterError, match="t"):
        lnn.trajectory(depth=2, init="0.1", s=1, t=-1)
    with pytest.raises(ParameterError, match="same shape"):
        lnn.end_to_end_rate(np.ones((2, 3)), np.ones((3, 2)), 2)


def test_cli(capsys):
    assert main(["eval", "lnn", "time_to_learn", "depth=3", "init=1e-3", "s=1"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("9.14474730660826")
    assert main(["eval", "lnn", "trajectory", "depth=2", "init=0.5", "s=1", "t=0"]) == 0
    assert capsys.readouterr().out.strip().startswith("0.5")
    assert main(["eval", "lnn", "time_to_learn", "depth=2", "init=2", "s=1"]) == 2
    err = capsys.readouterr().err
    assert "init" in err and "Traceback" not in err
    assert main(["latex", "lnn", "--form", "aligned"]) == 0
    assert "F(x)" in capsys.readouterr().out


def test_symbolic_forms():
    for form in lnn.FORMS:
        assert lnn.system(form).latex()
    with pytest.raises(ParameterError):
        lnn.system("nope")


# ----------------------------------------------------------------------------- regressions (independent review)
def test_tiny_initialization_trajectory():
    """init = ε^N can be astronomically small: the inversion works in logit(x), relative in x."""
    tiny = lnn.trajectory(depth=3, init="1e-60", s=1, t="1e-5").value  # σ(1 + 3e-25): relative growth 3σ^{1/3}t
    assert ae(tiny, ode_like_small(3, mpmath.mpf("1e-60"), mpmath.mpf("1e-5")), 28)
    T = lnn.time_to_learn(depth=3, init="1e-20", s=1, frac="0.3", dps=40).value
    with mpmath.workdps(50):
        t_text = mpmath.nstr(T, 45)
    assert ae(lnn.trajectory(depth=3, init="1e-20", s=1, t=t_text, dps=30).value, mpmath.mpf("0.3"), 25)
    assert ae(lnn.trajectory(depth=3, init="1e-20", s=1, t="1", dps=30).value, ode_like_small(3, mpmath.mpf("1e-20"), 1), 20)


def ode_like_small(depth, s0, t):
    """σ(t) while σ ≪ s = 1: σ' ≈ Nσ^{2−2/N}, so σ^a (a = 2/N − 1) moves linearly: σ^a(t) = σ₀^a + aNt
    (the neglected factor 1 − σ is below 1e-19 relative here)."""
    with mpmath.workdps(60):
        a = mpmath.mpf(2) / depth - 1
        return (s0**a + a * depth * t) ** (1 / a)


def test_time_to_learn_when_frac_is_just_above_init():
    got = lnn.time_to_learn(depth=3, init="0.5", s=1, frac="0.5000000000000000000000000000000000000001").value
    with mpmath.workdps(60):
        gap = mpmath.mpf("1e-40")
        want = gap / (3 * mpmath.mpf("0.5") ** (mpmath.mpf(4) / 3) * mpmath.mpf("0.5"))  # Δσ/σ'(σ₀)
    assert ae(got, want, 25)


def test_preconditioner_close_singular_values_against_mpmath():
    for depth in (2, 3, 8, 65, 1000):
        for gap in (1.0, 1e-1, 1e-3, 1e-6, 1e-7, 1e-9, 1e-12, 0.0):
            a, b = 1.3, 1.3 * (1 + gap)
            got = float(lnn.preconditioner_eigenvalues(np.array(a), np.array(b), depth))
            with mpmath.workdps(50):
                want = mpmath.fsum(
                    mpmath.mpf(a) ** (2 * mpmath.mpf(j - 1) / depth) * mpmath.mpf(b) ** (2 * mpmath.mpf(depth - j) / depth)
                    for j in range(1, depth + 1)
                )
            assert abs(got - want) <= 1e-13 * want, (depth, gap)


def test_extreme_parameter_texts(capsys):
    assert main(["eval", "lnn", "trajectory", "depth=3", "init=0.1", "s=1", "t=1e5000", "--dps", "15"]) == 0
    assert capsys.readouterr().out.strip() == "1.00000000000000"
    assert main(["eval", "lnn", "trajectory", "depth=3", "init=0.1", "s=1", "t=1e-99999"]) == 2
    err = capsys.readouterr().err
    assert "beyond the supported" in err and "Traceback" not in err


# ----------------------------------------------------------------------------- issue 14: fast trajectory
@pytest.mark.parametrize("depth", [3, 7, 1000])
def test_antiderivative_series_against_quadrature(depth):
    """Both series of F (x ≤ 1/2: 2F1; x ≥ 1/2: −ln w − γ − ψ(a) − (1−a)w·3F2) against ∫ x^{a−1}/(1−x) dx."""
    with mpmath.workdps(40):
        a = mpmath.mpf(2) / depth - 1
        for x0, x1 in (("0.1", "0.45"), ("0.3", "0.8"), ("0.55", "0.97")):
            lo, hi = mpmath.mpf(x0), mpmath.mpf(x1)
            want = mpmath.quad(lambda x: x ** (a - 1) / (1 - x), [lo, mpmath.mpf("0.5"), hi] if lo < 0.5 < hi else [lo, hi])
            got = lnn._antiderivative(hi, 1 - hi, depth) - lnn._antiderivative(lo, 1 - lo, depth)
            assert ae(got, want, 35), (depth, x0, x1)


def test_antiderivative_next_to_one_takes_w():
    """x = 1 − 10⁻⁵⁰ given through w: mpmath's 2F1 of the rounded x at 150 digits agrees."""
    w = mpmath.mpf(10) ** -50
    with mpmath.workdps(30):
        got = lnn._antiderivative(1 - w, w, 5)  # x rounds to 1 at 30 digits: only w carries it
    with mpmath.workdps(150):
        a = mpmath.mpf(2) / 5 - 1
        x = 1 - mpmath.mpf(10) ** -50
        want = x**a / a * mpmath.hyp2f1(1, a, a + 1, x)
    assert ae(got, want, 28)


@pytest.mark.parametrize("depth, init, t", [(3, "1e-3", "5"), (6, "1e-20", "40"), (50, "0.3", "0.2"), (4, "0.9", "1e-4")])
def test_float_start_is_close_to_the_certified_root(depth, init, t):
    """The float64 start of the Newton polish is within 1e-11 (in z = logit x) of the certified value."""
    sigma = lnn.trajectory(depth=depth, init=init, s=1, t=t, dps=40).value
    with mpmath.workdps(50):
        z_true = mpmath.log(sigma / (1 - sigma))
        rate = mpmath.mpf(depth)
        z, lost = lnn._float_logit_root(mpmath.mpf(t), mpmath.mpf(init), rate, depth, 100.0)
    assert abs(z - z_true) <= 1e-11 * (1 + abs(z_true))
    assert 0 <= lost < 5


def test_trajectory_without_a_float_start():
    """init below the float64 range (no float start): σ^a(t) = σ₀^a + aNt while σ ≪ s."""
    got = lnn.trajectory(depth=3, init="1e-400", s=1, t="1e133").value
    assert ae(got, ode_like_small_deep(3, mpmath.mpf("1e-400"), mpmath.mpf("1e133")), 28)


def ode_like_small_deep(depth, s0, t):
    with mpmath.workdps(600):  # σ^a ≈ 1e133: keep every digit of the difference
        a = mpmath.mpf(2) / depth - 1
        return (s0**a + a * depth * t) ** (1 / a)
