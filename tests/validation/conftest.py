"""Slow Monte Carlo runs (large ``n``, many replicates) are opt-in.

Tests marked ``slow`` are skipped unless the environment sets ``ASYMPTOTICS_SLOW=1`` or
the run selects them with ``-m slow``.  (numpy floating-point errors already raise in
every test: see ``tests/conftest.py``.)
"""

from __future__ import annotations

import os

import pytest


def _slow_selected(config: pytest.Config) -> bool:
    if os.environ.get("ASYMPTOTICS_SLOW") == "1":
        return True
    expr = config.getoption("markexpr", default="") or ""
    return "slow" in expr and "not slow" not in expr


@pytest.fixture(autouse=True)
def _skip_slow_unless_asked(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("slow") is not None and not _slow_selected(request.config):
        pytest.skip("slow Monte Carlo run: set ASYMPTOTICS_SLOW=1 (or select with -m slow)")
