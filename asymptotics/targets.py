r"""Single-index targets: the information exponent and the leap exponent.

For ``x ~ N(0, I_d)``, a unit vector ``w*`` and a link ``g`` with ``E g(G)² < ∞`` (``G ~ N(0, 1)``), the
single-index target ``y = g(⟨w*, x⟩)`` expands in the probabilists' Hermite polynomials
``g = Σ_j c_j He_j / j!``, ``c_j = E[g(G) He_j(G)]``.  The **information exponent** is the index of
the first nonzero coefficient beyond the constant,

.. math::
    k^\star(g) = \min\{j \ge 1 : c_j \ne 0\}

(Ben Arous, Gheissari & Jagannath, arXiv 2003.10409, JMLR 2021).  It governs gradient methods from a
random start: the population correlation ``E[g(⟨w*,x⟩) σ(⟨w,x⟩)] = Σ_j c_j(g) c_j(σ) m^j / j!`` at the
overlap ``m = ⟨w, w*⟩ ≈ d^{-1/2}`` starts at order ``d^{-k*/2}``, and online SGD needs
``n ≍ d^{max(k*−1, 1)}`` samples (with a ``log d`` at ``k* = 2``), while correlational-query methods
need at least ``d^{k*/2}`` (Damian, Nichani, Ge & Lee, arXiv 2305.10633).

The **leap exponent** of Abbe, Boix-Adsera & Misiakiewicz (arXiv 2302.11055, COLT 2023) measures how
many new directions a multi-index target adds at once along its Hermite support; SGD's time is
``d^{max(Leap, 2)}``.  For a *single-index* target there is only one direction, the leap is the
smallest degree that reaches it, and **the leap exponent equals the information exponent**
(:func:`leap_exponent` returns :func:`information_exponent`).

Rotationally invariant kernels, random features and neural tangent models (the linear methods of
this package: ``krr``, ``rf``, ``nt``) learn a degree-``k`` component only once ``n ≫ d^k``
(Ghorbani, Mei, Misiakiewicz & Montanari, arXiv 1904.12191; Misiakiewicz, arXiv 2204.10425): at
``n ≍ d`` they learn the degree-≤1 part, whatever ``k*``.  ``validation/beyond_linear.py`` measures
a trained network against their predictions (docs/beyond_linear.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import mpmath

from ._types import Real
from ._validate import check_int, to_mpf
from .errors import ParameterError

MAX_DEGREE = 60
"""Highest Hermite degree searched for the first nonzero coefficient of an expression."""

_HE = re.compile(r"^\s*he_?(\d+)\s*$", re.IGNORECASE)

TargetLike = int | str | Sequence[Real]
"""A target link: an integer ``k`` (``He_k``), ``"He3"``/``"He_3"``, an expression in ``x`` or Hermite coefficients."""


def _from_coefficients(coefs: Sequence[Any]) -> int:
    values = []
    for j, c in enumerate(coefs):
        try:
            v = to_mpf(c)
        except (ParameterError, TypeError, ValueError):
            raise ParameterError(f"`target` coefficient {j} must be a real number; got {c!r}.") from None
        if not mpmath.isfinite(v):
            raise ParameterError(f"`target` coefficient {j} must be finite; got {c!r}.")
        values.append(v)
    for j, v in enumerate(values[1:], start=1):
        if v != 0:
            return j
    raise ParameterError(
        "`target` has no nonzero Hermite coefficient of degree >= 1 (a constant): the information exponent is undefined."
    )


def _from_expression(text: str, max_degree: int) -> int:
    from .activations import get_activation

    try:
        act = get_activation(text)
    except ParameterError as exc:
        raise ParameterError(f"`target`: {exc}") from None
    with mpmath.workdps(30):
        for j in range(1, max_degree + 1):
            value, err = act.hermite(j)
            if abs(value) > err:  # nonzero beyond its error bound; exact zeros (parity, polynomials) have err = 0
                return j
    raise ParameterError(
        f"`target` {text!r}: no nonzero Hermite coefficient of degree 1..{max_degree} "
        f"(raise `max_degree`, at most {MAX_DEGREE}, or check that it is not constant)."
    )


def information_exponent(target: TargetLike, *, max_degree: int = 20) -> int:
    r"""Index of the first nonzero Hermite coefficient of ``target`` beyond degree 0.

    .. math:: k^\star = \min\{j \ge 1 : E[g(G)\,He_j(G)] \ne 0\},\qquad G \sim N(0, 1)

    (Ben Arous, Gheissari & Jagannath 2021, arXiv 2003.10409).

    Parameters
    ----------
    target : int, str or sequence of reals
        ``k ≥ 1``: the Hermite polynomial ``He_k`` (exponent ``k``); ``"He3"`` or ``"He_3"`` the same;
        any other string: an expression in ``x`` read by the whitelist parser of
        :mod:`asymptotics.expression` (``"x**3"``, ``"x**4 - 6*x**2"``, ``"tanh(x)"``); a sequence:
        Hermite coefficients ``c_0, c_1, ...`` (any normalization: only which are zero matters).
    max_degree : int
        Highest degree searched for an expression (1..60, default 20).

    Returns
    -------
    int
        The information exponent ``k* ≥ 1``.

    Raises
    ------
    ParameterError
        A constant target, an invalid ``k``, coefficient or expression, or no nonzero coefficient up to
        ``max_degree``.

    Examples
    --------
    >>> information_exponent(3), information_exponent("x**3"), information_exponent("x**4 - 6*x**2")
    (3, 1, 4)
    """
    top = check_int("max_degree", max_degree, low=1, high=MAX_DEGREE)
    if isinstance(target, bool):
        raise ParameterError(f"`target` must be a degree k >= 1, a text or Hermite coefficients; got {target!r}.")
    if isinstance(target, int):
        return check_int("target", target, low=1, high=10**6)
    if isinstance(target, str):
        m = _HE.match(target)
        if m:
            return check_int("target", int(m.group(1)), low=1, high=10**6)
        return _from_expression(target, top)
    if isinstance(target, Sequence):
        if len(target) == 0:
            raise ParameterError("`target` coefficients must not be empty.")
        return _from_coefficients(target)
    raise ParameterError(f"`target` must be a degree k >= 1, a text or Hermite coefficients; got {type(target).__name__}.")


def leap_exponent(target: TargetLike, *, max_degree: int = 20) -> int:
    """Leap exponent of a single-index target (Abbe, Boix-Adsera & Misiakiewicz 2023, arXiv 2302.11055).

    For a single-index target the leap is the smallest Hermite degree that reaches its one direction,
    so it **equals the information exponent**: this returns :func:`information_exponent` (same
    parameters).  Multi-index targets (where the two differ) are not handled here.
    """
    return information_exponent(target, max_degree=max_degree)


__all__ = ["MAX_DEGREE", "TargetLike", "information_exponent", "leap_exponent"]
