"""`FixedPointSystem`: a model's defining equations and derived quantities as SymPy objects.

The system is the single source of truth for a model's equations and their LaTeX;
numeric code is checked against :meth:`FixedPointSystem.residuals` evaluated at high
precision (exact ``Rational`` constants, no binary floats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .._lazy import sympy as sp
from ..references import Source


def presented(derived: sp.Expr, shown: sp.Expr) -> sp.Expr:
    """Return ``shown`` (an unevaluated, paper-style form) after checking it equals ``derived``.

    SymPy's canonical ordering prints ``γ m² σ² z``; papers write ``σ²γz m²``.  The
    shown form is built with ``evaluate=False`` and must simplify to the derivation.
    """
    if sp.simplify(sp.expand(shown.doit() - derived)) != 0:
        raise AssertionError(f"presentation {shown} differs from the derived {derived}")
    return shown


@dataclass(frozen=True, eq=False)
class FixedPointSystem:
    """Equations ``lhs = rhs`` in the ``unknowns`` plus named closed-form quantities.

    Attributes
    ----------
    name:
        Model name.
    unknowns:
        Symbols solved for (``m``, ``kappa``...).
    parameters:
        Model parameters appearing in the equations.
    equations:
        Defining equations (``sympy.Eq``).
    quantities:
        Named outputs as expressions in unknowns and parameters (ordered).
    labels:
        LaTeX label of each quantity for :func:`asymptotics.symbolic.latex.to_latex`.
    source:
        Where the equations come from.
    """

    name: str
    unknowns: tuple[sp.Symbol, ...]
    parameters: tuple[sp.Symbol, ...]
    equations: tuple[sp.Eq, ...]
    quantities: Mapping[str, sp.Expr] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None

    @cached_property
    def _residual_fns(self) -> list[Any]:
        args = [*self.unknowns, *self.parameters]
        return [sp.lambdify(args, eq.lhs - eq.rhs, "mpmath") for eq in self.equations]

    def residuals(self, values: Mapping[sp.Symbol, Any]) -> list[Any]:
        """``lhs - rhs`` of each equation at ``values`` (mpmath numbers, current precision)."""
        args = [values[sym] for sym in (*self.unknowns, *self.parameters)]
        return [fn(*args) for fn in self._residual_fns]

    def check_rational(self) -> None:
        """Raise if any expression holds a binary ``Float`` (precision would be lost)."""
        exprs = [*(e.lhs for e in self.equations), *(e.rhs for e in self.equations), *self.quantities.values()]
        for e in exprs:
            if any(isinstance(a, sp.Float) for a in sp.preorder_traversal(e)):
                raise TypeError(f"{self.name}: expression {e} contains a binary Float")

    def latex(self) -> str:
        from .latex import to_latex

        return to_latex(self)
