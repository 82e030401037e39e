"""validation: Monte Carlo checks of the :mod:`asymptotics` predictions.

``validation`` imports ``asymptotics``; ``asymptotics`` never imports ``validation`` (the
CLI reaches :func:`~validation.curves.simulate_curve` through the entry-point group
``asymptotics.simulators``).  Simulators live in :mod:`validation.simulators` under the
model names of :mod:`asymptotics.models`; :mod:`validation.compare` turns samples into
z-scores whose tolerance comes from the standard error, never from a hand-tuned ``rtol``.

>>> from asymptotics.models.ridge import RidgeParams, risk
>>> from validation import compare, simulators
>>> est = simulators.ridge.simulate(RidgeParams(gamma="0.5", lam="0.1", sigma2="0.25"), n=400, reps=20)
>>> bool(compare(float(risk("0.5", "0.1", 1, "0.25").value), est["risk"]))
True
"""

from . import simulators
from .compare import (
    Comparison,
    FiniteSizeTrend,
    MCEstimate,
    compare,
    finite_size_trend,
    gaussian_ridgeless_exact,
    standard_error,
)
from .curves import simulate_curve

__all__ = [
    "Comparison",
    "FiniteSizeTrend",
    "MCEstimate",
    "compare",
    "finite_size_trend",
    "gaussian_ridgeless_exact",
    "simulate_curve",
    "simulators",
    "standard_error",
]
