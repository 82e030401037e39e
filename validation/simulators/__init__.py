"""Monte Carlo simulators, one module per model of :mod:`asymptotics.models` (same names).

Each ``simulate(...)`` takes the same parameters as the theory and returns
:class:`~validation.compare.MCEstimate` objects (per-replicate samples, mean, SE).  Each
module registers its simulator at its end (:mod:`validation.simulators.registry`: its size
parameter, one ``simulate(params, size, reps, seed, ...)`` adapter, how parameters are
realized at a finite size, its campaign points and curve axes), so importing this package
registers the built-ins; :func:`~validation.simulators.registry.get_simulator` finds them.
"""

from . import (
    committee,
    deformed_mp,
    gcm,
    krr,
    learning_curve,
    marchenko_pastur,
    neural_tangent,
    onestep,
    random_features,
    registry,
    ridge,
)
from .registry import SIMULATORS, SimulatorSpec, get_simulator, register_simulator

__all__ = [
    "SIMULATORS",
    "SimulatorSpec",
    "deformed_mp",
    "gcm",
    "get_simulator",
    "committee",
    "krr",
    "learning_curve",
    "marchenko_pastur",
    "neural_tangent",
    "onestep",
    "random_features",
    "register_simulator",
    "registry",
    "ridge",
]
