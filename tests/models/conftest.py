import mpmath
import pytest


@pytest.fixture(autouse=True)
def _references_at_60_digits():
    """Reference values in model tests are computed at 60 digits (the library ignores mp.dps)."""
    with mpmath.mp.workdps(60):
        yield
