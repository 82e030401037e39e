"""The general-spectrum pipeline: float64 start, Newton polish at working precision, root carried between rungs.

References are independent of the warm start: the same equations solved from the middle of the
bracket at a much higher precision (a cold solve), and two-block spectra whose κ equation is a
cubic solved by mpmath.polyroots.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.models import ridge as R
from asymptotics.precision import ladder_only


def _cold(gamma: str, lam: str, spec: R.Spectrum, quantity: str, dps: int) -> mpmath.mpf:
    """The quantity at 2·dps digits, Newton started from the middle of the bracket (no warm start)."""
    pr = R.RidgeParams(gamma, lam, spectrum=spec)
    with mpmath.workdps(2 * dps):
        s, w, b = spec.mp_blocks()
        out, _ = R.general_equivalent(
            mpmath.mpf(pr.gamma.numerator) / pr.gamma.denominator,
            mpmath.mpf(pr.lam.numerator) / pr.lam.denominator,
            mpmath.mpf(1),
            mpmath.mpf(0),
            s,
            w,
            b,
            one_minus_g=mpmath.mpf((1 - pr.gamma).numerator) / (1 - pr.gamma).denominator,
        )
        return out[quantity]


@pytest.mark.parametrize(
    ("gamma", "lam", "spec"),
    [
        ("2", "0.1", "power_law:p=200,alpha=1.5,beta=1"),
        ("0.5", "0", "power_law:p=100,alpha=2,beta=0.5"),
        ("3", "0", "blocks:1/0.5/1,1e-6/0.5/0.5"),
        ("1.0000000001", "1e-12", "blocks:10/0.25/0,1/0.75/2"),
    ],
)
@pytest.mark.parametrize("quantity", ["kappa", "risk", "train_error"])
def test_warm_started_solve_matches_cold_solve(gamma: str, lam: str, spec: str, quantity: str) -> None:
    sp_ = R.Spectrum.parse(spec)
    value = R.solve(R.RidgeParams(gamma, lam, spectrum=sp_), quantity, dps=30).value
    ref = _cold(gamma, lam, sp_, quantity, 30)
    with mpmath.workdps(40):
        assert abs(value - ref) <= mpmath.mpf(10) ** -29 * max(abs(ref), mpmath.mpf(10) ** -300)


def test_second_rung_starts_from_the_first_rung_root() -> None:
    """The evaluate closure carries κ: the second rung needs at most 3 Newton evaluations."""
    calls: list[int] = []
    original = R._block_sums

    def counting(B, blocks, terms, k):  # noqa: ANN001, ANN202
        if terms is R._slack_terms and B.name == "mp":  # (the float64 start runs at the first rung's dps)
            calls.append(mpmath.mp.dps)
        return original(B, blocks, terms, k)

    R._block_sums = counting
    try:
        with ladder_only():  # the precision ladder's pipeline (the ball proof runs one solve, no rungs)
            R.solve(R.RidgeParams("2", "0.1", spectrum="power_law:p=50,alpha=1.5,beta=1"), "risk", dps=30)
    finally:
        R._block_sums = original
    rungs = sorted(set(calls))
    assert len(rungs) == 2
    # per rung: Newton steps from a start good to ~1e-16 (then ~1e-40), plus one evaluation at the returned root
    assert calls.count(rungs[0]) <= 4 and calls.count(rungs[1]) <= 3, calls


def _two_block_kappa(gamma: float, lam: float, s1: float, s2: float, w1: float) -> mpmath.mpf:
    """κ for two blocks: λ = κ(1 − γ w₁s₁/(s₁+κ) − γ w₂s₂/(s₂+κ)) times (s₁+κ)(s₂+κ) is a cubic in κ."""
    with mpmath.workdps(60):
        # the package reads a float as its shortest decimal text (check_real): so does the reference
        g, lm, a, b, w = (mpmath.mpf(repr(x)) for x in (gamma, lam, s1, s2, w1))
        w2 = 1 - w
        # κ(s₁+κ)(s₂+κ) − γκ(w s₁(s₂+κ) + w₂ s₂(s₁+κ)) − λ(s₁+κ)(s₂+κ) = 0
        c3 = 1
        c2 = a + b - g * (w * a + w2 * b) - lm
        c1 = a * b - g * (w * a * b + w2 * a * b) - lm * (a + b)
        c0 = -lm * a * b
        roots = mpmath.polyroots([c3, c2, c1, c0], extraprec=200, maxsteps=200)
        return max(mpmath.re(r) for r in roots if abs(mpmath.im(r)) < mpmath.mpf(10) ** -40)


@settings(max_examples=15)
@given(
    gamma=st.floats(0.1, 5.0),
    lam=st.floats(1e-3, 2.0),
    s1=st.floats(0.01, 100.0),
    s2=st.floats(0.01, 100.0),
    w1=st.sampled_from([0.25, 0.5, 0.75]),
)
def test_two_block_kappa_float64_and_certified_against_cubic(gamma: float, lam: float, s1: float, s2: float, w1: float) -> None:
    spec = R.Spectrum.from_blocks([s1, s2], [w1, 1 - w1], [1, 0])
    ref = _two_block_kappa(gamma, lam, s1, s2, w1)
    cert = R.solve(R.RidgeParams(gamma, lam, spectrum=spec), "kappa", dps=30).value
    with mpmath.workdps(40):
        assert abs(cert / ref - 1) < mpmath.mpf(10) ** -28
    val, status = R.curve_values("kappa", np.array([gamma]), np.array([lam]), spectrum=spec)
    if status[0] == 0:
        assert val[0] == pytest.approx(float(ref), rel=1e-6)
