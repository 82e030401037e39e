"""asymptotics: exact high-dimensional predictions for linearized networks.

Layers: symbolic equations (:mod:`asymptotics.symbolic`, one ``system()`` per model),
certified multiprecision solutions (``dps`` digits with a residual and a precision-ladder
error estimate), vectorized float64 curves, and — in the separate ``validation``
package — Monte Carlo simulations compared with the theory.

>>> from asymptotics.models import ridge
>>> print(ridge.risk("1.001", lam=0, r2=1, sigma2=1, dps=25))
1000.000999000999000999001
"""

from .curves import curve
from .errors import AsymptoticsError, BranchError, ConvergenceError, ParameterError, PrecisionWarning
from .models import REGISTRY, get_model, marchenko_pastur, ridge
from .plotting import plot_curve
from .precision import DEFAULT_DPS
from .result import CurveResult, Result
from .symbolic import FixedPointSystem, to_latex

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_DPS",
    "REGISTRY",
    "AsymptoticsError",
    "BranchError",
    "ConvergenceError",
    "CurveResult",
    "FixedPointSystem",
    "ParameterError",
    "PrecisionWarning",
    "Result",
    "curve",
    "get_model",
    "marchenko_pastur",
    "plot_curve",
    "ridge",
    "to_latex",
]
