"""asymptotics: exact high-dimensional predictions for linearized networks.

Layers: symbolic equations (:mod:`asymptotics.symbolic`, one ``system()`` per model),
certified multiprecision solutions (``dps`` digits with a residual and a precision-ladder
error estimate), vectorized float64 curves, and — in the separate ``validation``
package — Monte Carlo simulations compared with the theory.  Users add models of their own
with :func:`define_model`/:func:`register_model` (see :mod:`asymptotics.model_api`).

>>> from asymptotics.models import ridge
>>> print(ridge.risk("1.001", lam=0, r2=1, sigma2=1, dps=25))
1000.000999000999000999001

Importing the package is cheap: the names below are loaded on first use (SymPy, the model
modules, matplotlib and SciPy only when something needs them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import AsymptoticsError, BranchError, ConvergenceError, ParameterError, PrecisionWarning

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_DPS",
    "Explorer",
    "REGISTRY",
    "AsymptoticsError",
    "BranchError",
    "ConvergenceError",
    "CurveResult",
    "FixedPointSystem",
    "ModelSpec",
    "Param",
    "ParameterError",
    "PrecisionWarning",
    "Result",
    "SimulatorDecl",
    "Source",
    "curve",
    "define_model",
    "explore",
    "get_model",
    "grid",
    "marchenko_pastur",
    "plot_curve",
    "plot_map",
    "register_model",
    "ridge",
    "root_tolerance",
    "sweep",
    "to_latex",
    "unregister_model",
    "VectorResult",
    "learning_curve_from_data",
    "tuned_risk_curve",
]

_LAZY = {
    "DEFAULT_DPS": ".precision",
    "REGISTRY": ".models._registry",
    "ModelSpec": ".models._registry",
    "SimulatorDecl": ".models._registry",
    "get_model": ".models._registry",
    "CurveResult": ".result",
    "Result": ".result",
    "VectorResult": ".result",
    "sweep": ".sweeps",
    "grid": ".sweeps",
    "plot_map": ".maps",
    "explore": ".explorer",
    "Explorer": ".explorer",
    "Source": ".references",
    "curve": ".curves",
    "plot_curve": ".plotting",
    "FixedPointSystem": ".symbolic.system",
    "to_latex": ".symbolic.latex",
    "Param": ".model_api",
    "define_model": ".model_api",
    "register_model": ".model_api",
    "root_tolerance": ".model_api",
    "unregister_model": ".model_api",
    "tuned_risk_curve": ".tuning",
}
_RENAMED = {"learning_curve_from_data": (".models.learning_curve", "from_data")}
_LAZY_MODULES = {"marchenko_pastur": ".models.marchenko_pastur", "ridge": ".models.ridge"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _RENAMED:
        module, attr = _RENAMED[name]
        value = getattr(importlib.import_module(module, __name__), attr)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name], __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # static tools see the names; at run time they are loaded by __getattr__
    from .curves import curve
    from .explorer import Explorer, explore
    from .maps import plot_map
    from .model_api import Param, define_model, register_model, root_tolerance, unregister_model
    from .models import marchenko_pastur, ridge
    from .models._registry import REGISTRY, ModelSpec, SimulatorDecl, get_model
    from .models.learning_curve import from_data as learning_curve_from_data
    from .plotting import plot_curve
    from .precision import DEFAULT_DPS
    from .references import Source
    from .result import CurveResult, Result, VectorResult
    from .sweeps import grid, sweep
    from .symbolic.latex import to_latex
    from .symbolic.system import FixedPointSystem
    from .tuning import tuned_risk_curve
