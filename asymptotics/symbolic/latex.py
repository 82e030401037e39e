"""LaTeX export of a :class:`~asymptotics.symbolic.system.FixedPointSystem`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from .system import FixedPointSystem


def _tex(expr: sp.Expr) -> str:
    return sp.latex(expr, order="none", long_frac_ratio=3)


def to_latex(system: FixedPointSystem) -> str:
    """An ``align`` block: the defining equations, then each named quantity.

    Every line ends with ``\\\\`` except the last; symbols print as in the papers
    (γ, λ, κ, σ², r²).
    """
    lines = [f"{_tex(eq.lhs)} &= {_tex(eq.rhs)}" for eq in system.equations]
    for name, expr in system.quantities.items():
        label = system.labels.get(name, sp.latex(sp.Symbol(name)))
        lines.append(f"{label} &= {_tex(expr)}")
    body = " \\\\\n".join(lines)
    return "\\begin{align}\n" + body + "\n\\end{align}"
