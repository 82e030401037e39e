"""Float64 honesty of the NT ridge-on-x branch next to ``psi2 = 1`` (shared bound ``_rf_common.ridge_on_x_error``).

Expected values: the certified path at 40 digits with the exact binary float inputs; purely relative.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest

from asymptotics.models import neural_tangent as nt


@pytest.mark.parametrize("activation", ["linear", "relu", "x**2-1"])
@pytest.mark.parametrize("quantity", ["bias", "variance", "risk", "train_error", "kappa"])
def test_ridge_on_x_status0_has_six_digits(activation, quantity):
    compared = 0
    for psi2 in (math.nextafter(1.0, 0.0), math.nextafter(1.0, 2.0), 1 - 1e-12, 1 + 1e-9, 0.5, 4.0):
        for lam in (0.0, 1e-12, 1e-6, 0.5):
            value, status = nt.curve_values(quantity, psi2=psi2, lam=lam, activation=activation, tau2=0.25)
            s, v = int(status), float(value)
            if s == 3:
                assert math.isnan(v)
                continue
            exact = getattr(nt, quantity)(psi2=Fraction(psi2), lam=Fraction(lam), activation=activation, tau2="0.25", dps=40)
            exact = exact.value
            if s == 1:
                assert exact == mpmath.inf
                continue
            assert s == 0
            compared += 1
            if exact == 0:
                assert v == 0, (psi2, lam, v)
            else:
                assert abs(mpmath.mpf(v) - exact) <= 1e-6 * abs(exact), (psi2, lam, v, exact)
    assert compared >= 12
