r"""Shared closed forms, each written once against a numeric backend.

Every function takes a backend ``B`` (:data:`~asymptotics.backend.MP` for certified values,
:data:`~asymptotics.backend.NP` for float64 curves, later a ball backend) and numbers of that
backend.  Branches are selected only with ``B.where``, and every branch is harmless (finite,
``inf`` or NaN, never an exception) where it is not selected: mpmath evaluates both arguments
of ``where`` as well, so a division whose denominator may vanish on the unselected side is
guarded with a dummy denominator.

Contents
--------
* :func:`positive_root`, :func:`quadratic_roots` — roots of real quadratics without
  cancellation (the Vieta form for the root that the textbook formula would cancel).
* :func:`isotropic_kappa` — the ridge effective regularization of isotropic features,
  ``κ² − cκ − λ = 0`` with ``c = λ + γ − 1``, and ``λ/κ`` continuous at ``λ = 0``.
* :func:`isotropic_risk_parts` — bias, variance and training error of isotropic ridge from κ.
* :func:`mp_stieltjes_neg` — the Marchenko–Pastur Stieltjes transform ``m_c(−t)`` and its
  derivative for ``t > 0``.
* :func:`status_ladder` — the status codes of a float64 curve (numpy only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, checked_status

__all__ = [
    "isotropic_kappa",
    "isotropic_risk_parts",
    "mp_stieltjes_neg",
    "positive_root",
    "quadratic_roots",
    "status_ladder",
]


def positive_root(B: Any, a: Any, b: Any, c: Any, root: Any = None) -> Any:
    r"""The non-negative root of ``a x² + b x − c = 0`` for ``a ≥ 0``, ``c ≥ 0``.

    Parameters
    ----------
    B : Backend
        Numeric backend.
    a, b, c : number
        Coefficients (``a ≥ 0``, ``c ≥ 0``; ``b`` of either sign).
    root : number, optional
        ``√(b² + 4ac)`` when the caller forms it more accurately (e.g. from exact inputs).

    Returns
    -------
    number
        ``2c/(b + √(b² + 4ac))`` for ``b > 0`` and ``(√(b² + 4ac) − b)/(2a)`` otherwise — the
        two forms are equal and neither subtracts nearly equal numbers.  ``+inf`` when
        ``a = 0`` and ``b ≤ 0`` (no finite root), ``0`` when ``c = 0`` and ``b > 0``.
        Halving before adding keeps float64 from overflowing near ``1e308``.
    """
    if root is None:
        root = B.sqrt(b * b + 4 * a * c)
    pos = b > 0
    small = 2 * c / B.where(pos, b + root, 1)
    large = B.where(a > 0, (root / 2 - b / 2) / B.where(a > 0, a, 1), B.inf)
    return B.where(pos, small, large)


def quadratic_roots(B: Any, a: Any, b: Any, c: Any) -> tuple[Any, Any]:
    r"""Both real roots of ``a x² + b x + c = 0`` (``a ≠ 0``, ``b² ≥ 4ac``), smaller first.

    The root of larger modulus is ``q/a`` with ``q = −(b + sign(b)√(b² − 4ac))/2`` (no
    cancellation), the other ``c/q`` (Vieta: the product of the roots is ``c/a``).  Where
    ``q = 0`` (``b = c = 0``) both roots are 0.

    Returns
    -------
    (small, large) : numbers
        The roots in increasing order.
    """
    disc = B.sqrt(b * b - 4 * a * c)
    q = B.where(b >= 0, -(b / 2 + disc / 2), disc / 2 - b / 2)
    zero = q == 0
    r1 = q / a
    r2 = B.where(zero, 0 * q, c / B.where(zero, 1, q))
    return B.where(r1 <= r2, r1, r2), B.where(r1 <= r2, r2, r1)


def isotropic_kappa(B: Any, c: Any, lam: Any, root: Any) -> tuple[Any, Any]:
    r"""The isotropic ridge effective regularization ``κ`` and ``λ/κ``.

    ``κ > 0`` solves ``κ² − cκ − λ = 0`` with ``c = λ + γ − 1`` (the fixed point
    ``λ = κ(1 − γ/(1 + κ))``); the caller passes ``c`` and ``root = √(c² + 4λ)``, formed as
    accurately as it can (the certified path forms both from exact fractions, so a ``λ`` far
    below the working precision still counts at ``γ = 1``).

    Parameters
    ----------
    B : Backend
        Numeric backend.
    c, lam, root : number
        ``λ + γ − 1``, ``λ ≥ 0`` and ``√(c² + 4λ)``.

    Returns
    -------
    kappa : number
        ``(c + root)/2`` for ``c ≥ 0``, ``2λ/(root − c)`` for ``c < 0`` (exactly 0 at
        ``λ = 0``, ``γ < 1``).
    ratio : number
        ``λ/κ = 1 − γ/(1 + κ)``: ``(root − c)/2`` for ``c ≤ 0`` and ``2λ/(root + c)``
        otherwise, continuous at ``λ = 0`` (``1 − γ`` for ``γ < 1``, 0 for ``γ ≥ 1``).
    """
    kappa = positive_root(B, 1, -c, lam, root)
    kappa = B.where(B.land(c < 0, lam == 0), 0 * kappa, kappa)
    neg = c <= 0
    ratio = B.where(neg, root / 2 - c / 2, lam / B.where(neg, 1, root / 2 + c / 2))
    return kappa, ratio


def isotropic_risk_parts(
    B: Any, kappa: Any, ratio: Any, root: Any, g: Any, r2: Any, noise: Any
) -> tuple[Any, Any, Any]:
    r"""Bias, variance and training error of isotropic ridge from ``κ``.

    With ``D = (1 + κ)² − γ = (1 + κ)·root`` (``root = √(c² + 4λ)``): ``𝓑 = r²κ²/D``,
    ``𝓥 = σ²γ/D`` and ``R_train = (λ/κ)²(𝓑 + 𝓥 + σ²)``; ``noise`` is ``σ²`` (plus ``τ²``).
    At ``D = 0`` (``γ = 1``, ``λ = 0``) the bias and training error are 0 and the variance is
    ``+inf`` (0 without noise).  ``κ²`` is never formed (no float64 overflow for huge ``λ``).

    Returns
    -------
    (bias, variance, train_error) : numbers
    """
    D = (1 + kappa) * root
    sing = D == 0
    safe_root = B.where(sing, 1, root)
    bias = B.where(sing, 0 * D, r2 * (kappa / (1 + kappa)) * (kappa / safe_root))
    variance = B.where(sing, B.where(noise > 0, B.inf, 0 * D), noise * g / B.where(sing, 1, D))
    train = B.where(sing, 0 * D, ratio**2 * (bias + variance + noise))
    return bias, variance, train


def mp_stieltjes_neg(B: Any, c: Any, t: Any, b: Any = None) -> tuple[Any, Any]:
    r"""Marchenko–Pastur (ratio ``c``, unit scale) Stieltjes transform on the negative axis.

    ``m = m_c(−t) = ∫ μ_c(ds)/(s + t)`` and ``dm = m_c'(−t) = ∫ μ_c(ds)/(s + t)²`` for
    ``t > 0``, ``c ≥ 0`` (``μ_c`` has an atom ``1 − 1/c`` at 0 when ``c > 1``).

    ``m`` is the positive root of ``ct m² + b m − 1 = 0`` with ``b = 1 − c + t``; with
    ``r = √(b² + 4ct)``, ``m = 2/(r + b)`` for ``b > 0`` and ``(r − b)/(2ct)`` otherwise.
    Differentiating ``c z m² + (z − 1 + c) m + 1 = 0`` in ``z`` at ``z = −t`` gives
    ``m' = m(1 + cm)/r`` (the denominator ``2czm + z − 1 + c`` equals ``−r`` there), a
    product of positive factors.

    Parameters
    ----------
    B : Backend
        Numeric backend.
    c, t : number
        Ratio ``c ≥ 0`` and the point ``−t`` (``t > 0``).
    b : number, optional
        ``1 − c + t`` when the caller forms it more accurately.

    Returns
    -------
    (m, dm) : numbers
    """
    if b is None:
        b = 1 - c + t
    r = B.sqrt(b * b + 4 * c * t)
    pos = b > 0
    m = B.where(pos, 2 / B.where(pos, r + b, 1), (r - b) / B.where(pos, 1, 2 * c * t))
    dm = m * (1 + c * m) / r
    return m, dm


def status_ladder(domain: Any, converged: Any, value: Any) -> tuple[np.ndarray, np.ndarray]:
    """Status codes of a float64 curve, and its values with NaN where there is no value.

    Status 2 outside ``domain``, else 3 where not ``converged``, else 1 where the value is
    infinite, else 0; values with status ≥ 2 become NaN.  Finished by
    :func:`~asymptotics.result.checked_status` (a NaN never carries status 0).

    Returns
    -------
    (values, status) : numpy arrays
    """
    value = np.asarray(value)
    status = np.where(
        ~np.asarray(domain, bool),
        STATUS_DOMAIN,
        np.where(~np.asarray(converged, bool), STATUS_NOT_CONVERGED, np.where(np.isinf(value), STATUS_INFINITE, STATUS_OK)),
    )
    value = np.where(status >= STATUS_DOMAIN, np.nan, value)
    return checked_status(value, status)
