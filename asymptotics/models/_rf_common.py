r"""Closed forms shared by the random-features and neural-tangent models, written once for every backend.

Each function takes a backend ``B`` (:data:`asymptotics.backend.MP` for the certified path,
:data:`~asymptotics.backend.NP` for the float64 curves, :data:`asymptotics.ball.AB` for the proven
values, there with exact ``Fraction`` inputs) and numbers of that backend; branches
are selected with ``B.where`` only, and every division a branch does not select is guarded,
so that the mpmath backend (which evaluates both branches and raises on a division by zero)
and the numpy one agree.

* :func:`ridge_on_x` — ridge regression on isotropic raw inputs with ``γ = 1/ψ₂`` and ridge
  ``λ'``: the RF kernel limit (``ψ₁ = ∞``), the NT model, and the two-layer NTK at ``ψ₁ = ∞``;
  :func:`ridge_on_x_error` bounds its float64 rounding error.

The pieces shared with the other models (isotropic ``κ``, the Marchenko–Pastur Stieltjes
transform, roots of quadratics) are in :mod:`asymptotics.formulas`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import Backend
from ..formulas import isotropic_kappa, isotropic_risk_parts

__all__ = ["ridge_on_x", "ridge_on_x_error"]


def ridge_on_x(B: Backend, psi2: Any, lp: Any) -> tuple[Any, Any, Any, Any]:
    r"""Ridge regression on isotropic raw inputs, ``γ = 1/ψ₂``, ridge ``λ' ≥ 0``: ``(𝓑, 𝓥, ρ, κ)``.

    ``κ`` is the positive root of ``λ' = κ(1 − γ/(1 + κ))`` (``c = λ' + γ − 1``,
    ``κ² − cκ − λ' = 0``), ``𝓑 = κ²/((1 + κ)√(c² + 4λ'))``, ``𝓥 = γ/((1 + κ)√(c² + 4λ'))`` and
    ``ρ = λ'/κ`` the training-residual factor.  ``γ − 1`` is formed as ``(1 − ψ₂)/ψ₂`` (no
    cancellation next to ``ψ₂ = 1``).  At ``λ' = 0`` the least-squares / minimum-norm limits
    are written in ``ψ₂`` itself: ``𝓑 = (1 − ψ₂)₊``, ``𝓥 = 1/(ψ₂ − 1)`` or ``ψ₂/(1 − ψ₂)``
    (``+inf`` at ``ψ₂ = 1``), ``ρ = (1 − 1/ψ₂)₊``.
    """
    g = 1 / psi2
    c = lp + (1 - psi2) / psi2
    root = B.sqrt(c * c + 4 * lp)
    zero = lp == 0
    kappa, ratio = isotropic_kappa(B, c, lp, root)
    bias, variance, _ = isotropic_risk_parts(B, kappa, ratio, root, g, 1, 1)
    over, under = psi2 > 1, psi2 < 1
    bias = B.where(zero, B.where(under, 1 - psi2, 0), bias)
    v0 = B.where(psi2 == 1, B.inf, B.where(over, 1 / B.where(over, psi2 - 1, 1), psi2 / B.where(under, 1 - psi2, 1)))
    variance = B.where(zero, v0, variance)
    ratio = B.where(zero, B.where(over, (psi2 - 1) / psi2, 0), ratio)
    return bias, variance, ratio, kappa


def ridge_on_x_error(psi2: Any, lp: Any) -> Any:
    r"""A-priori bound on the relative float64 rounding error of every output of :func:`ridge_on_x` (numpy).

    The only subtraction that can cancel is ``c = λ' + (1 − ψ₂)/ψ₂`` (``1 − ψ₂`` itself is exact for
    ``½ ≤ ψ₂ ≤ 2``, and relatively accurate elsewhere); its absolute error is a few ulps of
    ``λ' + |1 − ψ₂|/ψ₂`` (``λ'`` carries the relative error of its own inputs).  ``√(c² + 4λ')`` adds
    non-negative terms, and ``κ``, ``λ'/κ``, ``𝓑``, ``𝓥`` are formed from ``c`` and the root without
    cancellation (:func:`~asymptotics.formulas.isotropic_kappa`), so each carries at most
    ``δc/√(c² + 4λ')`` plus a few ulps: large only where the root is tiny, i.e. ``ψ₂ ≈ 1`` with
    ``λ' ≈ 0`` (an affine activation, no ridge).  At ``λ' = 0`` the closed forms in ``ψ₂`` are exact
    to a few ulps.
    """
    eps = np.finfo(float).eps
    with np.errstate(all="ignore"):
        c = lp + (1 - psi2) / psi2
        root = np.sqrt(c * c + 4 * lp)
        rel = 16 * eps * (1 + (lp + np.abs(1 - psi2) / psi2) / np.maximum(root, np.finfo(float).tiny))
    return np.where(lp == 0, 16 * eps, rel)
