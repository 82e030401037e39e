"""Type aliases for the values the public API accepts.

Every numeric parameter is parsed exactly at run time (:mod:`asymptotics._validate`): a string
such as ``"0.001"`` means the decimal 1/1000, a Python float is read through its shortest
``repr``, and mpmath, SymPy and numpy numbers are taken at their exact value.  The aliases below
say which types reach that parser, so that signatures tell the truth without a bare ``Any``:

========================  ==================================================================
alias                     accepted at run time
========================  ==================================================================
:data:`Real`              ``str`` (``"1/3"``, ``"1e-60"``, ``"inf"`` where allowed), ``int``,
                          ``float``, ``Fraction``, ``Decimal``, ``mpmath.mpf``, numpy and
                          SymPy real numbers (any :class:`numbers.Real`)
:data:`Complex`           a :data:`Real`, ``complex``, ``mpmath.mpc``, numpy complex numbers,
                          or a string such as ``"1+2j"``
:data:`IntLike`           an integral value of any :data:`Real` type (``3``, ``"3"``, ``3.0``)
:data:`ActivationLike`    a name (``"relu"``), an expression in ``x`` (text or SymPy), a
                          callable ``float -> float``, or an :class:`~asymptotics.activations.Activation`
:data:`KernelLike`        a name (``"exp"``, ``"poly:3"``), an expression in ``s`` (text or
                          SymPy), or a :class:`~asymptotics.kernels.Kernel`
:data:`Energies`          target energies per degree: ``"0,1,0.5"`` or a sequence of :data:`Real`
:data:`ArrayLike`         what :func:`numpy.asarray` accepts (float64 curves broadcast it)
========================  ==================================================================

Values outside a parameter's range (or of another type) raise
:class:`~asymptotics.errors.ParameterError` naming the parameter and its valid range.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, TypeAlias, Union

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:  # the classes are only named here; importing them would load SymPy
    import sympy

    from .activations import Activation
    from .kernels import Kernel

# mpmath and SymPy numbers are numbers.Real (mpmath registers mpf, SymPy its Float and Rational); naming mpmath.mpf here
# would make the alias Any to a type checker (mpmath ships no annotations), so it is covered by numbers.Real instead.
Real: TypeAlias = str | int | float | Fraction | Decimal | np.floating | np.integer | numbers.Real
"""A real parameter value, parsed exactly (see the module docstring)."""

Complex: TypeAlias = Real | complex | np.complexfloating | numbers.Complex  # mpmath.mpc is a numbers.Complex
"""A complex parameter value (``z`` of the Stieltjes transforms), parsed exactly."""

IntLike: TypeAlias = Real
"""An integer parameter: any :data:`Real` whose value is integral (``3``, ``"3"``, ``3.0``)."""

# (Union, not |: the SymPy and package classes are named by string so that this module loads neither)
ActivationLike: TypeAlias = Union[str, "sympy.Expr", Callable[[float], float], "Activation"]
"""An activation function: a name, an expression in ``x`` (text or SymPy), a callable or an ``Activation``."""

KernelLike: TypeAlias = Union[str, "sympy.Expr", "Kernel"]
"""A dot-product kernel ``h(s)``: a name, an expression in ``s`` (text or SymPy) or a ``Kernel``."""

Energies: TypeAlias = str | Sequence[Real]
"""Target energies ``F_0², F_1², ...`` per degree: ``"0,1,0.5"`` or a sequence of reals."""

__all__ = ["ActivationLike", "ArrayLike", "Complex", "Energies", "IntLike", "KernelLike", "Real"]
