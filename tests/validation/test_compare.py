"""Unit tests of validation.compare: z-scores, input checks, finite-size trends, exact finite-n values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from validation.compare import (
    DEFAULT_THRESHOLD,
    MCEstimate,
    compare,
    finite_size_trend,
    gaussian_ridgeless_exact,
    standard_error,
)


# ----------------------------------------------------------------------------- compare
def test_z_on_synthetic_samples():
    samples = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # mean 3, std(ddof=1) = √2.5
    se = math.sqrt(2.5) / math.sqrt(5)
    c = compare(2.0, samples)
    assert c.mean == pytest.approx(3.0)
    assert c.se == pytest.approx(se)
    assert c.z == pytest.approx(1.0 / se)
    assert c.reps == 5 and c.threshold == DEFAULT_THRESHOLD
    assert c.agree and bool(c)
    far = compare(3.0 + 4 * se, samples)
    assert far.z == pytest.approx(-4.0) and not far.agree and not bool(far)
    assert compare(3.0 + 4 * se, samples, threshold=4.5).agree


def test_z_vectorized_over_points():
    samples = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    c = compare(np.array([2.0, 9.0]), samples)
    assert c.z[0] == pytest.approx(0.0)
    assert c.z[1] == math.inf  # SE 0 and a real gap: no agreement
    assert list(c.agree) == [True, False]
    assert "2 points" in str(c)


def test_zero_se_exact_match_agrees():
    c = compare(0.125, np.full(10, 0.125))
    assert c.z == 0.0 and c.agree


def test_infinite_theory_never_agrees():
    c = compare(math.inf, np.array([1.0, 2.0, 3.0]))
    assert c.z == -math.inf and not c.agree


def test_accepts_mcestimate():
    est = MCEstimate("x", np.array([1.0, 3.0]), n=1, p=1, seed=0)
    assert compare(2.0, est).z == 0.0


@given(st.lists(st.integers(-(10**9), 10**9), min_size=2, max_size=50), st.integers(-(10**9), 10**9))
def test_z_matches_definition(values, theory):
    arr, theory = np.array(values) / 1000.0, theory / 1000.0  # decimals, no under/overflow
    se = arr.std(ddof=1) / math.sqrt(arr.size)
    c = compare(theory, arr)
    if se > 0:
        assert c.z == pytest.approx((arr.mean() - theory) / se, rel=1e-9, abs=1e-9)
        assert c.agree == (abs(c.z) <= DEFAULT_THRESHOLD)


@pytest.mark.parametrize(
    ("samples", "match"),
    [
        (np.array([1.0]), r"at least 2 replicates.*got 1"),
        (np.array(1.0), r"at least 2 replicates.*got 0"),
        (np.array([1.0, np.nan]), r"`samples` must be finite"),
        (np.array([1.0, np.inf]), r"`samples` must be finite"),
        (np.array([1.0 + 1j, 2.0]), r"`samples` must be real"),
        (np.array(["a", "b"]), r"`samples` must be numeric"),
    ],
)
def test_compare_rejects_bad_samples(samples, match):
    with pytest.raises(ParameterError, match=match):
        compare(0.0, samples)


def test_compare_rejects_bad_theory_and_threshold():
    with pytest.raises(ParameterError, match="`theory` must not be NaN"):
        compare(math.nan, np.array([1.0, 2.0]))
    with pytest.raises(ParameterError, match="does not broadcast"):
        compare(np.zeros(3), np.zeros((4, 2)))
    with pytest.raises(ParameterError, match=r"`threshold` must be > 0"):
        compare(0.0, np.array([1.0, 2.0]), threshold=0)


def test_standard_error_complex_and_single():
    s = np.array([1 + 2j, 3 + 2j])
    se = standard_error(s)
    assert se.real == pytest.approx(np.std([1.0, 3.0], ddof=1) / math.sqrt(2)) and se.imag == 0
    assert np.isnan(standard_error(np.array([[1.0, 2.0]]))).all()


def test_mcestimate_properties_and_repr():
    est = MCEstimate("risk", np.array([[1.0, 2.0], [3.0, 4.0]]), n=10, p=5, seed=3, points=np.array([0.0, 1.0]))
    assert est.reps == 2
    np.testing.assert_allclose(est.mean, [2.0, 3.0])
    np.testing.assert_allclose(est.se, [1.0, 1.0])
    assert "shape (2,)" in repr(est)
    assert "2 ± 1" in repr(MCEstimate("risk", np.array([1.0, 3.0]), n=10, p=5, seed=3))


# ----------------------------------------------------------------------------- finite-size trend
def _est(n, samples):
    return MCEstimate("risk", np.asarray(samples, dtype=float), n=n, p=n, seed=0)


def test_trend_shrinking_and_richardson():
    # gap 1/n exactly, tiny noise: Richardson recovers the limit
    jitter = np.array([-1e-6, 1e-6])
    ests = [_est(n, 1.0 + 1.0 / n + jitter) for n in (100, 200, 400)]
    tr = finite_size_trend(1.0, ests)
    np.testing.assert_allclose(tr.gaps, [0.01, 0.005, 0.0025])
    assert tr.shrinking and bool(tr)
    assert tr.extrapolated == pytest.approx(1.0, abs=1e-9)
    assert abs(tr.extrapolated_z) < 1e-3


def test_trend_constant_gap_is_not_shrinking():
    jitter = np.array([-1e-4, 1e-4])
    ests = [_est(n, 1.1 + jitter) for n in (100, 200)]
    assert not finite_size_trend(1.0, ests).shrinking


def test_trend_noise_dominated_counts_as_shrinking():
    ests = [_est(100, [0.9, 1.1]), _est(200, [0.85, 1.17])]  # gaps grow, but are within 3 SE
    tr = finite_size_trend(1.0, ests)
    assert abs(tr.gaps[1]) > abs(tr.gaps[0]) and tr.shrinking


def test_trend_theory_forms():
    ests = [_est(10, [1.0, 1.2]), _est(20, [1.0, 1.2])]
    by_fn = finite_size_trend(lambda n, p: 1.0 + 1.0 / n, ests)
    by_list = finite_size_trend([1.1, 1.05], ests)
    np.testing.assert_allclose(by_fn.theory, by_list.theory)
    with pytest.raises(ParameterError, match="one per estimate"):
        finite_size_trend([1.0, 2.0, 3.0], ests)


def test_trend_rejects_bad_input():
    a, b = _est(10, [1.0, 2.0]), _est(20, [1.0, 2.0])
    with pytest.raises(ParameterError, match="at least 2 sizes"):
        finite_size_trend(1.0, [a])
    with pytest.raises(ParameterError, match="strictly increasing n"):
        finite_size_trend(1.0, [b, a])
    with pytest.raises(ParameterError, match="at least 2 replicates"):
        finite_size_trend(1.0, [_est(10, [1.0]), b])
    with pytest.raises(ParameterError, match="scalar statistics"):
        finite_size_trend(1.0, [_est(10, [[1.0, 2.0], [1.0, 2.0]]), b])


# ----------------------------------------------------------------------------- exact finite n
def test_gaussian_ridgeless_exact_values():
    under = gaussian_ridgeless_exact(1000, 900, sigma2=0.25)
    assert under["risk"] == pytest.approx(0.25 * 900 / 99) and under["bias"] == 0
    assert under["train_error"] == pytest.approx(0.25 * 0.1)
    over = gaussian_ridgeless_exact(500, 1000, r2=1, sigma2=0.25, tau2=0.5)
    assert over["bias"] == pytest.approx(0.5)
    assert over["variance"] == pytest.approx(0.75 * 500 / 499)
    assert over["risk"] == pytest.approx(0.5 + 0.75 * 500 / 499 + 0.5)
    assert over["train_error"] == 0
    for p in (99, 100, 101):
        assert gaussian_ridgeless_exact(100, p)["risk"] == math.inf
    assert gaussian_ridgeless_exact(100, 100, sigma2=0)["risk"] == 0


def test_gaussian_ridgeless_exact_tends_to_the_limit():
    # σ²γ/(1−γ) and r²(1−1/γ) + σ²/(γ−1) (theory note §2.3)
    assert gaussian_ridgeless_exact(10**7, 5 * 10**6, sigma2=0.25)["risk"] == pytest.approx(0.25, rel=1e-6)
    assert gaussian_ridgeless_exact(10**7, 2 * 10**7, sigma2=0.25)["risk"] == pytest.approx(0.75, rel=1e-6)


def test_gaussian_ridgeless_exact_rejects_bad_input():
    with pytest.raises(ParameterError, match=r"`n` must be an integer ≥ 1; got 0"):
        gaussian_ridgeless_exact(0, 10)
    with pytest.raises(ParameterError, match=r"`sigma2` must be ≥ 0"):
        gaussian_ridgeless_exact(10, 5, sigma2=-1)
