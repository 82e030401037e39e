"""Symbolic layer: symbols, fixed-point systems, LaTeX export."""

from .latex import to_latex
from .system import FixedPointSystem

__all__ = ["FixedPointSystem", "to_latex"]
