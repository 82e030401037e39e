r"""Approximation and sample staircases, and the rates of the lazy regime (the polynomial-scaling results
that sit beside the neural tangent model; registered as the ``staircase`` quantity of the ``nt`` model).

* :func:`staircase` — **approximation staircases** (Ghorbani, Mei, Misiakiewicz, Montanari,
  arXiv 1904.12191; stated from the abstract, docs/models/nt.md, 'Staircases').  ``N ≍ d^κ`` neurons with
  infinite data, ``ℓ < κ < ℓ + 1``: RF learns degree ``≤ ℓ`` (``R → F²_{>ℓ}``), NT with
  ``Nd`` parameters learns degree ``≤ ℓ + 1`` (``R → F²_{>ℓ+1}``); kernel methods with
  ``n ≍ d^κ`` samples (``method="kernel"``) learn degree ``≤ ℓ``.  Integer ``κ`` is a
  transition whose value depends on constants: an error, never a number.

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
from ..references import GMMM_2019
from ..result import Result

__all__ = ["LAZY_RATES", "METHODS", "staircase"]

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
    value = sum(energies[ell + 1 :], Fraction(0))
    shown = shown_params(exponent=e)
    shown["F"] = ",".join(shown_params(x=v)["x"] for v in energies)
    shown["method"] = m
    c = certify(lambda: (to_mpf(value), None), dps, what="nt staircase", params=shown, prove=lambda: (_exact_ball(value), None))
    return Result(
        c.value,
        NAME,
        "staircase",
        shown,
        dps,
        None,
        c.error_estimate,
        None,
        GMMM_2019,
        {"degree_learned": ell},
        **c.proof_fields(),
    )


def _exact_ball(value: Fraction) -> Any:
    """The staircase value (an exact rational sum of the energies) as a ball: exact when dyadic, else as tight
    as the working precision (its only rounding)."""
    from ..ball import AB

    return AB.num(value)
