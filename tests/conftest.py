import os

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


@pytest.fixture(autouse=True)
def _restore_mpmath_and_numpy():
    """Library code must not leak mpmath precision; numpy FP errors raise inside tests."""
    dps = mpmath.mp.dps
    with np.errstate(all="raise", under="ignore"):  # underflow to 0 is harmless
        yield
    assert mpmath.mp.dps == dps, "mpmath precision leaked from library code"
    mpmath.mp.dps = 15


def _slow_selected(config: pytest.Config) -> bool:
    if os.environ.get("ASYMPTOTICS_SLOW") == "1":
        return True
    expr = config.getoption("markexpr", default="") or ""
    return "slow" in expr and "not slow" not in expr


@pytest.fixture(autouse=True)
def _skip_slow_unless_asked(request: pytest.FixtureRequest) -> None:
    """Tests marked ``slow`` (long Monte Carlo or quadrature runs) run with ASYMPTOTICS_SLOW=1 or ``-m slow``."""
    if request.node.get_closest_marker("slow") is not None and not _slow_selected(request.config):
        pytest.skip("slow test: set ASYMPTOTICS_SLOW=1 (or select with -m slow)")
