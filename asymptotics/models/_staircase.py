r"""Approximation and sample staircases, and the rates of the lazy regime (the polynomial-scaling results
that sit beside the neural tangent model; registered as the ``staircase`` quantity of the ``nt`` model).

* :func:`staircase` — **approximation staircases** (Ghorbani, Mei, Misiakiewicz, Montanari,
  arXiv 1904.12191; stated from the abstract, docs/models/nt.md, 'Staircases').  ``N ≍ d^κ`` neurons with
  infinite data, ``ℓ < κ < ℓ + 1``: RF learns degree ``≤ ℓ`` (``R → F²_{>ℓ}``), NT with
  ``Nd`` parameters learns degree ``≤ ℓ + 1`` (``R → F²_{>ℓ+1}``); kernel methods with
  ``n ≍ d^κ`` samples (``method="kernel"``) learn degree ``≤ ℓ``.  Integer ``κ`` is a
  transition whose value depends on constants: an error, never a number.

* :func:`rf_phase` — the **phase diagram of random features** in polynomial scaling (Mei, Misiakiewicz,
  Montanari, arXiv 2101.10588): ``N ≍ d^κ₁`` features and ``n ≍ d^κ₂`` samples, ``κ₁ ≠ κ₂``.  The smaller
  of the two is the bottleneck: with ``N ≤ n^{1−δ}`` the error is RF's approximation error, with
  ``N ≥ n^{1+δ}`` it is kernel ridge regression's with ``n`` samples, and both are ``F²_{>ℓ}`` with
  ``ℓ = ⌊min(κ₁, κ₂)⌋``; registered as the ``staircase`` quantity of the ``rf`` model, with a float64
  curve for maps over ``(κ₁, κ₂)``.

* :func:`nt_phase` — the **phase diagram of neural tangent features** (Ghorbani, Mei, Misiakiewicz,
  Montanari, arXiv 1904.12191; Mei, Misiakiewicz, Montanari, arXiv 2101.10588): ``N ≍ d^κ₁`` neurons
  (``Nd ≍ d^{κ₁+1}`` parameters) and ``n ≍ d^κ₂`` samples.  The bottleneck is the smaller of ``Nd`` and
  ``n``: ``R → F²_{>ℓ}`` with ``ℓ = ⌊min(κ₁ + 1, κ₂)⌋``; registered as the ``phase`` quantity of the
  ``nt`` model, with a float64 curve for maps over ``(κ₁, κ₂)``.

* **Lazy regime** (Chizat, Oyallon, Bach, arXiv 1812.07956; Six Lectures §1.3–1.4): for the
  ``α``-scaled, centred model ``αh(θ)`` trained by gradient flow on ``α⁻²R(αh)``, the
  trajectory and its linearization differ by ``O(1/α)`` in prediction space and
  ``O(1/α²)`` in parameter space, and the parameters move ``O(1/α)``:
  :data:`LAZY_RATES`, measured by :mod:`validation.simulators.neural_tangent`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .._types import Energies, Real
from .._validate import check_real, shown_params, to_mpf
from ..errors import ParameterError
from ..precision import DEFAULT_DPS, certify
from ..references import GMMM_2019, MMM_2021
from ..result import Result

__all__ = ["LAZY_RATES", "METHODS", "nt_phase", "nt_phase_curve", "rf_phase", "rf_phase_curve", "staircase"]

NAME = "nt"
"""The registry model whose quantity the staircase is (``asymptotics eval nt staircase ...``)."""
METHODS = ("rf", "nt", "kernel")
LAZY_RATES = {"prediction_gap": -1, "parameter_gap": -2, "displacement": -1}
"""Predicted log-log slopes in ``α`` of ``max_t rms(f − f_lin)``, ``max_t ‖θ − θ_lin‖`` and ``max_t ‖θ − θ₀‖``."""


def staircase(exponent: Real | None = None, F: Energies = "0,1", method: str = "nt", *, dps: int = DEFAULT_DPS) -> Result:
    """Approximation/sample staircase (Ghorbani–Mei–Misiakiewicz–Montanari, arXiv 1904.12191).

    ``method="rf"``: ``N = d^exponent`` random features, ``n = ∞``: ``R → F²_{>ℓ}``;
    ``method="nt"``: ``N = d^exponent`` neurons (``Nd`` parameters), ``n = ∞``: ``R → F²_{>ℓ+1}``;
    ``method="kernel"``: ``n = d^exponent`` samples, any rotation-invariant kernel:
    ``R ≥ F²_{>ℓ}``, attained by KRR; ``ℓ = ⌊exponent⌋``.  ``F`` lists ``F₀², F₁², …``
    (energy per spherical-harmonic degree).  Integer exponents are transitions (the value
    depends on ``N/d^ℓ``): :class:`ParameterError`; for RF at ``N = ψ₁d`` use
    ``eval rf risk psi2=inf``.  Conditions (non-polynomial σ with non-vanishing
    coefficients up to the degree) are as recalled from the abstract (docs/models/nt.md, 'Staircases').
    """
    from .krr import parse_energies  # krr (and its kernels' SymPy) only when a staircase is asked for

    if exponent is None:
        raise ParameterError("`exponent` (log N/log d or log n/log d, non-integer > 0) is required.")
    e = check_real("exponent", exponent, low=0, low_open=True)
    m = str(method).strip().lower()
    if m not in METHODS:
        raise ParameterError(f"`method` must be one of {', '.join(METHODS)}; got {method!r}.")
    if e.denominator == 1:  # type: ignore[union-attr]
        hint = " (for rf at N = psi1*d use `eval rf risk psi2=inf`)" if m == "rf" and e == 1 else ""
        et = shown_params(x=e)["x"]
        raise ParameterError(
            f"`exponent` = {et} is an integer: at N or n ≍ d^{et} the staircase is in transition and its value depends "
            f"on the constant in front of d^{et}{hint}; use a non-integer exponent."
        )
    energies = parse_energies(F)
    ell = math.floor(e) + (1 if m == "nt" else 0)
    value = _tail(energies, ell)
    shown = shown_params(exponent=e)
    shown["F"] = ",".join(shown_params(x=v)["x"] for v in energies)
    shown["method"] = m
    return _exact_result(value, NAME, shown, dps, GMMM_2019, {"degree_learned": ell})


def _exact_result(value: Fraction, model: str, shown: dict[str, str], dps: int, source: Any, extra: dict[str, Any]) -> Result:
    """The ``staircase`` Result of ``model``: an exact rational value, certified (and proven) at ``dps`` digits."""
    c = certify(
        lambda: (to_mpf(value), None), dps, what=f"{model} staircase", params=shown, prove=lambda: (_exact_ball(value), None)
    )
    return Result(c.value, model, "staircase", shown, dps, None, c.error_estimate, None, source, extra, **c.proof_fields())


def _exact_ball(value: Fraction) -> Any:
    """The staircase value (an exact rational sum of the energies) as a ball: exact when dyadic, else as tight
    as the working precision (its only rounding)."""
    from ..ball import AB

    return AB.num(value)


def _tail(energies: tuple[Fraction, ...], ell: int) -> Fraction:
    """``F²_{>ℓ} = Σ_{k > ℓ} F_k²``: the energy above degree ``ℓ`` (exact); every staircase uses this one sum."""
    return sum(energies[ell + 1 :], Fraction(0))


RF_NAME = "rf"


def _rf_phase_checks(kappa1: Real | None, kappa2: Real | None) -> tuple[Fraction, Fraction]:
    if kappa1 is None or kappa2 is None:
        raise ParameterError("`kappa1` (log N/log d) and `kappa2` (log n/log d), both > 0, are required.")
    k1 = check_real("kappa1", kappa1, low=0, low_open=True)
    k2 = check_real("kappa2", kappa2, low=0, low_open=True)
    if k1 == k2:
        kt = shown_params(x=k1)["x"]
        raise ParameterError(
            f"`kappa1` = `kappa2` = {kt}: at N ≍ n the error depends on N/n and the penalty (the interpolation peak); "
            "the phase diagram needs kappa1 != kappa2."
        )
    low = min(k1, k2)
    if low.denominator == 1:  # type: ignore[union-attr]
        name = "kappa1" if k1 < k2 else "kappa2"
        raise ParameterError(
            f"`{name}` = {low} is an integer and the smaller exponent: the staircase is in transition there and its value "
            "depends on the constant in front of the power of d; use a non-integer value."
        )
    return k1, k2  # type: ignore[return-value]


def rf_phase(kappa1: Real | None = None, kappa2: Real | None = None, F: Energies = "0,1", *, dps: int = DEFAULT_DPS) -> Result:
    """Random features ridge regression in polynomial scaling: the limit of the test error.

    With ``N = d^κ₁`` random features and ``n = d^κ₂`` samples on the sphere (Mei, Misiakiewicz,
    Montanari, arXiv 2101.10588, under their spectral and hypercontractivity conditions; for
    ReLU-like activations with non-vanishing Hermite coefficients), the excess test error tends to

    .. math:: R \to F^2_{>\\ell} = \\sum_{k > \\ell} F_k^2,\\qquad \\ell = \\lfloor \\min(\\kappa_1, \\kappa_2) \rfloor,

    whatever the (small) penalty: for ``κ₁ < κ₂`` (``N ≤ n^{1−δ}``) the features are the bottleneck
    (RF's approximation error), for ``κ₁ > κ₂`` (``N ≥ n^{1+δ}``) the samples are (RF = KRR).  On
    the line ``κ₁ = κ₂`` (``N ≍ n``: the interpolation peak) and at an integer ``min(κ₁, κ₂)`` the
    limit depends on constants: :class:`ParameterError`.  ``F`` lists ``F₀², F₁², …`` (energy per
    spherical-harmonic degree); the derivation is in docs/models/rf.md, 'Polynomial scaling: the phase diagram'.

    Examples
    --------
    >>> print(rf_phase("1.5", "2.5", "1,1,0.5,0.25", dps=10))   # N = d^1.5 < n: F2^2 + F3^2
    0.7500000000
    """
    from .krr import parse_energies  # krr's parser of energy lists

    k1, k2 = _rf_phase_checks(kappa1, kappa2)
    energies = parse_energies(F)
    ell = math.floor(min(k1, k2))
    value = _tail(energies, ell)
    shown = shown_params(kappa1=k1, kappa2=k2)
    shown["F"] = ",".join(shown_params(x=v)["x"] for v in energies)
    extra = {"degree_learned": ell, "bottleneck": "features" if k1 < k2 else "samples"}
    return _exact_result(value, RF_NAME, shown, dps, MMM_2021, extra)


def rf_phase_curve(kappa1: Any, kappa2: Any, F: Energies = "0,1") -> tuple[Any, Any]:
    """Float64 :func:`rf_phase` over arrays of ``kappa1``, ``kappa2`` (broadcast): ``(values, status)``.

    The values are the same exact tail sums as the certified path, rounded once; status 2 (NaN) on the
    line ``κ₁ = κ₂``, at an integer ``min(κ₁, κ₂)`` and at exponents that are not finite and > 0.  Float
    comparisons decide exactly as :func:`rf_phase` does on the floats' decimals (two floats are equal iff their
    shortest decimals are, and a float is an integer iff its decimal is), so no correction is needed here, unlike
    :func:`nt_phase_curve`, whose ``κ₁ + 1`` rounds.
    """
    import numpy as np

    from .._validate import float_arrays
    from .krr import parse_energies

    k1, k2 = float_arrays(kappa1=kappa1, kappa2=kappa2)
    energies = parse_energies(F)
    tails = np.array([float(_tail(energies, ell)) for ell in range(len(energies))] + [0.0])
    with np.errstate(invalid="ignore"):
        low = np.minimum(k1, k2)
        bad = ~(np.isfinite(k1) & np.isfinite(k2) & (k1 > 0) & (k2 > 0)) | (k1 == k2)
        bad |= np.isfinite(low) & (low == np.floor(low))
        ell = np.clip(np.floor(np.where(bad, 0.0, low)), 0, len(energies)).astype(int)
    values = np.where(bad, np.nan, tails[ell])
    return values, np.where(bad, 2, 0)


#: Float64 points within this many units in the last place of ``κ₂ = κ₁ + 1`` or of an integer bottleneck are
#: decided again in exact decimal arithmetic (:func:`_nt_phase_exact`).
NEAR_ULPS = 8


def _near(a: Any, b: Any) -> Any:
    """``|a − b| ≤ NEAR_ULPS·ε·max(|a|, |b|, 1)`` elementwise (float64 arrays; NaN compares False)."""
    import numpy as np

    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
    return np.abs(a - b) <= NEAR_ULPS * np.finfo(float).eps * scale


def _nt_phase_exact(k1: float, k2: float) -> int | None:
    """The learned degree ``⌊min(κ₁ + 1, κ₂)⌋`` from the floats' shortest decimals (as :func:`nt_phase` reads
    them), or ``None`` where :func:`nt_phase` refuses (on the line, or an integer bottleneck)."""
    a, b = Fraction(repr(float(k1))) + 1, Fraction(repr(float(k2)))
    low = min(a, b)
    return None if a == b or low.denominator == 1 else math.floor(low)


def _nt_phase_checks(kappa1: Real | None, kappa2: Real | None) -> tuple[Fraction, Fraction]:
    if kappa1 is None or kappa2 is None:
        raise ParameterError("`kappa1` (log N/log d) and `kappa2` (log n/log d), both > 0, are required.")
    k1 = check_real("kappa1", kappa1, low=0, low_open=True)
    k2 = check_real("kappa2", kappa2, low=0, low_open=True)
    if k1 + 1 == k2:
        kt = shown_params(x=k2)["x"]
        raise ParameterError(
            f"`kappa2` = `kappa1` + 1 = {kt}: at n ≍ Nd (as many samples as parameters) the error depends on Nd/n and "
            "the penalty (the NT interpolation peak); the phase diagram needs kappa2 != kappa1 + 1."
        )
    low = min(k1 + 1, k2)
    if low.denominator == 1:  # type: ignore[union-attr]
        what = "`kappa1` + 1" if k1 + 1 < k2 else "`kappa2`"
        raise ParameterError(
            f"{what} = {low} is an integer and min(kappa1 + 1, kappa2) (the bottleneck exponent): the staircase is in "
            "transition there and its value depends on the constant in front of the power of d; use a non-integer value."
        )
    return k1, k2  # type: ignore[return-value]


def nt_phase(kappa1: Real | None = None, kappa2: Real | None = None, F: Energies = "0,1", *, dps: int = DEFAULT_DPS) -> Result:
    r"""Neural tangent features in polynomial scaling: the limit of the test error.

    ``N = d^κ₁`` neurons give ``Nd = d^{κ₁+1}`` NT parameters; ``n = d^κ₂`` samples.  With infinite data NT
    learns the degrees ``≤ ⌊κ₁⌋ + 1`` (Ghorbani–Mei–Misiakiewicz–Montanari, arXiv 1904.12191: the
    approximation staircase of ``staircase method=nt``), with infinitely many neurons it is kernel ridge
    regression with the NT kernel and ``n`` samples, which learns the degrees ``≤ ⌊κ₂⌋`` (the same paper,
    and the kernel staircase); in between, the smaller of ``Nd`` and ``n`` is the bottleneck (Mei,
    Misiakiewicz, Montanari, arXiv 2101.10588, random features and NT under their hypercontractivity
    conditions; derivation in docs/models/nt.md, 'Polynomial scalings: the NT phase diagram'):

    .. math:: R \to F^2_{>\ell} = \sum_{k > \ell} F_k^2,\qquad \ell = \lfloor \min(\kappa_1 + 1, \kappa_2) \rfloor .

    On the line ``κ₂ = κ₁ + 1`` (``n ≍ Nd``: the interpolation peak) and at an integer
    ``min(κ₁ + 1, κ₂)`` the limit depends on constants: :class:`ParameterError`.  ``F`` lists
    ``F₀², F₁², …``; the activation is assumed to have non-vanishing Hermite coefficients up to the
    degree learned (generic activations; not for polynomials or parity zeros).

    Examples
    --------
    >>> print(nt_phase("1.5", "3.2", "1,1,0.5,0.25", dps=10))   # Nd = d^2.5 < n: degrees <= 2 learned
    0.2500000000
    """
    from .krr import parse_energies

    k1, k2 = _nt_phase_checks(kappa1, kappa2)
    energies = parse_energies(F)
    ell = math.floor(min(k1 + 1, k2))
    value = _tail(energies, ell)
    shown = shown_params(kappa1=k1, kappa2=k2)
    shown["F"] = ",".join(shown_params(x=v)["x"] for v in energies)
    extra = {"degree_learned": ell, "bottleneck": "parameters" if k1 + 1 < k2 else "samples"}
    c = certify(
        lambda: (to_mpf(value), None), dps, what="nt phase", params=shown, prove=lambda: (_exact_ball(value), None)
    )
    return Result(c.value, NAME, "phase", shown, dps, None, c.error_estimate, None, GMMM_2019, extra, **c.proof_fields())


def nt_phase_curve(kappa1: Any, kappa2: Any, F: Energies = "0,1") -> tuple[Any, Any]:
    """Float64 :func:`nt_phase` over arrays of ``kappa1``, ``kappa2`` (broadcast): ``(values, status)``.

    The exact tail sums rounded once; status 2 (NaN) on the line ``κ₂ = κ₁ + 1``, at an integer
    ``min(κ₁ + 1, κ₂)`` and at exponents that are not finite and > 0, decided as :func:`nt_phase` decides on the
    floats' shortest decimals: ``κ₁ + 1`` rounds in float64, so points within :data:`NEAR_ULPS` ulps of the line
    or of an integer are decided again exactly (``κ₁ = 1.3, κ₂ = 2.3`` is on the line, although ``1.3 + 1 != 2.3``
    in binary; ``κ₁ = 1.35, κ₂ = 2.3499999999999996`` is not).
    """
    import numpy as np

    from .._validate import float_arrays
    from .krr import parse_energies

    k1, k2 = float_arrays(kappa1=kappa1, kappa2=kappa2)
    energies = parse_energies(F)
    tails = np.array([float(_tail(energies, ell)) for ell in range(len(energies))] + [0.0])
    k1, k2 = np.broadcast_arrays(k1, k2)
    shape = k1.shape
    k1, k2 = k1.ravel(), k2.ravel()
    with np.errstate(invalid="ignore"):
        s = k1 + 1
        ok = np.isfinite(k1) & np.isfinite(k2) & (k1 > 0) & (k2 > 0)
        low = np.where(s < k2, s, k2)
        bad = ~ok | (s == k2) | (low == np.floor(low))
        ell = np.floor(np.where(bad, 0.0, low))
        # κ₁ + 1 rounds: near the line or an integer, decide on the decimals (κ₁ = 1.3, κ₂ = 2.3 is on the line)
        for i in np.flatnonzero(ok & (_near(s, k2) | _near(low, np.round(low)))):
            deg = _nt_phase_exact(k1[i], k2[i])
            bad[i], ell[i] = deg is None, 0.0 if deg is None else deg
        ell = np.clip(ell, 0, len(energies)).astype(int)
    values = np.where(bad, np.nan, tails[ell])
    return values.reshape(shape), np.where(bad, 2, 0).reshape(shape)
