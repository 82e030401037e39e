"""Float64 honesty of the RF limits (issue 14): a status-0 point has six correct digits, else status 3 and NaN.

The infinite-data limit (``psi2=inf``) subtracts nearly equal terms when few features fit almost
everything (``linear`` with ``psi1 > 1`` and tiny ``lam``: the exact bias is ``~lam^2`` while the terms
are ``~psi1 - 1``); the kernel limit (``psi1=inf``) is ridge on ``x`` with ``c = lam' + 1/psi2 - 1``.
Both now carry size-of-terms rounding-error bounds.  Expected values come from the certified path at
40 digits (mpmath, a different computation), with every float input passed as its exact binary value;
the comparison is purely relative (an exact zero must come out as exactly zero).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.models import random_features as rf

ACTS = ("linear", "relu", "erf", "x+0.1*(x**2-1)/sqrt(2)")
QUANTITIES = ("bias", "variance", "risk", "train_error")
ENERGY = dict(F1sq=1.0, Fstar2=0.5, tau2=0.25)


def _exact(quantity, **point):
    def exact_input(v):
        if isinstance(v, float):
            return Fraction(v) if math.isfinite(v) else "inf"
        return v

    args = {k: exact_input(v) for k, v in point.items()}
    return getattr(rf, quantity)(**args, dps=40).value


def _check(quantity, **point):
    """``(status, relative error)`` of the float64 value at ``point`` (error ``None`` when not status 0)."""
    value, status = rf.curve_values(quantity, **point)
    s, v = int(status), float(value)
    if s == 3:
        assert math.isnan(v)
        return s, None
    exact = _exact(quantity, **point)
    if s == 1:
        assert exact == mpmath.inf
        return s, 0.0
    assert s == 0, (s, point)
    if exact == 0:
        return s, 0.0 if v == 0 else math.inf
    return s, float(abs(mpmath.mpf(v) - exact) / abs(exact))


@pytest.mark.parametrize("psi1, lam", [(1.313, 1e-9), (1.3, 1e-12), (3.0, 1e-6), (1e3, 1e-3)])
def test_data_limit_cancellation_is_declined(psi1, lam):
    """``linear``, ``psi2=inf``: float64 used to return ``±5.55e-17`` with status 0 for an exact ``7.38e-17``."""
    exact = _exact("bias", psi1=psi1, psi2=math.inf, lam=lam, activation="linear")
    assert 0 < exact < 1e-5  # the regime: the exact bias is tiny (~lam^2) against terms ~psi1 - 1
    value, status = rf.curve_values("bias", psi1=psi1, psi2=math.inf, lam=lam, activation="linear")
    assert int(status) == 3 and math.isnan(float(value))


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_data_limit_status0_has_six_digits(activation, quantity):
    compared = 0
    for psi1 in (0.3, 1.0, 1.313, 3.0, 1e3):
        for lam in (0.0, 1e-12, 1e-6, 1e-3, 0.5):
            s, err = _check(quantity, psi1=psi1, psi2=math.inf, lam=lam, activation=activation, **ENERGY)
            if s == 0:
                compared += 1
                assert err <= 1e-6, (psi1, lam, err)
    assert compared >= 10


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_kernel_limit_status0_has_six_digits(activation, quantity):
    near = (math.nextafter(1.0, 0.0), math.nextafter(1.0, 2.0), 1 - 1e-12, 1 + 1e-9)
    compared = 0
    for psi2 in (*near, 0.3, 3.0):
        for lam in (0.0, 1e-12, 1e-6, 0.5):
            s, err = _check(quantity, psi1=math.inf, psi2=psi2, lam=lam, activation=activation, **ENERGY)
            if s == 0:
                compared += 1
                assert err <= 1e-6, (psi2, lam, err)
    assert compared >= 10


def test_data_limit_bound_is_not_wildly_pessimistic():
    """Ordinary points keep status 0: the bound declines only where digits are really lost."""
    psi1 = np.array([0.3, 0.7, 2.0, 5.0])
    for act in ("relu", "erf", "linear"):
        _, status = rf.curve_values("risk", psi1=psi1, psi2=np.inf, lam=0.1, activation=act, **ENERGY)
        assert (status == 0).all(), (act, status)
