"""Every SymPy symbol of the package, defined once, with assumptions and LaTeX names.

Names are chosen so that SymPy's printer produces the papers' notation
(``sigma^2`` → ``\\sigma^{2}``, ``mtilde`` → ``\\tilde{m}``).

The symbols are made on first attribute access (PEP 562), so importing a model module does
not import SymPy: ``symbols.gamma`` builds every symbol once, under a lock.
"""

from __future__ import annotations

import threading
from typing import Any

from .._lazy import sympy as sp

_MAKE = {
    # aspect ratio p/n, ridge penalty (normalized), effective regularization
    "gamma": lambda: sp.Symbol("gamma", positive=True),
    "lam": lambda: sp.Symbol("lambda", nonnegative=True),
    "kappa": lambda: sp.Symbol("kappa", nonnegative=True),
    # signal energy ||beta||^2, label-noise variance, misspecification energy
    "r2": lambda: sp.Symbol("r^2", nonnegative=True),
    "sigma2": lambda: sp.Symbol("sigma^2", positive=True),
    "tau2": lambda: sp.Symbol("tau^2", nonnegative=True),
    # spectral variable and Stieltjes transforms
    "z": lambda: sp.Symbol("z"),
    "x": lambda: sp.Symbol("x", positive=True),
    "m": lambda: sp.Symbol("m"),
    "m_tilde": lambda: sp.Symbol("mtilde"),
    # general covariance: block index, number of blocks, eigenvalue, weight, signal energy
    "i": lambda: sp.Idx("i"),
    "K": lambda: sp.Symbol("K", integer=True, positive=True),
    "s": lambda: sp.IndexedBase("s"),
    "w": lambda: sp.IndexedBase("w"),
    "b": lambda: sp.IndexedBase("b"),
    # random features (Mei & Montanari): ratios N/d, n/d, activation ratio μ₁/μ⋆, ridge λ/μ⋆²,
    # spectral argument, the two partial traces, their product, target energies
    "psi1": lambda: sp.Symbol("psi_1", positive=True),
    "psi2": lambda: sp.Symbol("psi_2", positive=True),
    "psi": lambda: sp.Symbol("psi", positive=True),
    "zeta": lambda: sp.Symbol("zeta", nonnegative=True),
    "lam_bar": lambda: sp.Symbol(r"\bar{\lambda}", nonnegative=True),
    "xi": lambda: sp.Symbol("xi"),
    "nu1": lambda: sp.Symbol("nu_1"),
    "nu2": lambda: sp.Symbol("nu_2"),
    "chi": lambda: sp.Symbol("chi"),
    "p": lambda: sp.Symbol("p", positive=True),
    "F1sq": lambda: sp.Symbol("F_1^2", nonnegative=True),
    "Fstar2": lambda: sp.Symbol(r"F_{\star}^{2}", nonnegative=True),
}
_LOCK = threading.Lock()

__all__ = sorted(_MAKE)


def __getattr__(name: str) -> Any:
    if name not in _MAKE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _LOCK:
        if name not in globals():
            globals().update({key: make() for key, make in _MAKE.items()})
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *_MAKE})
