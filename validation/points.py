r"""Parameter spaces of the validation campaigns: where each model is drawn, and why there.

A campaign (:mod:`validation.campaign`) draws its parameter points from hypothesis
strategies, so each draw is reproducible from a seed and includes the edges of each
range.  Numbers are rounded to three significant digits, so every point is an exact
decimal string that can be typed back into ``asymptotics eval``.

The ranges keep the points where the ``n, d → ∞`` theory is a fair test at simulation sizes
of a few hundred.  The theory itself covers more (see each model's docstring).  Near an
interpolation threshold without a penalty, the finite-size bias is ``O(1/(n|1 − γ|))`` and
the variance of the risk diverges (theory note §6, pitfall 8), so such points would test the
simulation size, not the formula.  Those regions are left out on purpose.  Values within
``10⁻³`` of a range's width above its lower end snap to the lower end.  Hypothesis's first
examples are the ranges' lower ends (its "simplest" example), so every campaign includes the
corner of the box.

Each strategy belongs to its model's simulator: it is the ``points`` of the model's
:class:`~validation.simulators.registry.SimulatorSpec`, defined at the end of
``validation/simulators/<model>.py`` with the helpers of this module (:func:`rounded`,
:func:`text`, :func:`ceil3`, :func:`floor3`).  :data:`SPACES` and :func:`space` read that
registry, so a model defined outside the package gets a point space from its simulator
declaration (:func:`~validation.simulators.registry.default_points`: each real parameter
drawn from its default ×[0.5, 2]).  The built-in ranges:

=========  ======================================================================================
model      ranges (``size`` is the campaign's ``--sizes`` value)
=========  ======================================================================================
``mp``     ``gamma`` ∈ [max(0.1, 40/min size), 4] with ``|γ − 1| ≥ 0.05`` (at least 40
           eigenvalues), ``sigma2`` ∈ [0.25, 4]; ``cdf`` at ``x = a + u(b − a)`` (4 significant
           digits) with ``u`` ∈ [0.05, 0.95] (``[a, b]`` the bulk's edges); ``moment`` of order
           ``k`` ∈ {1, …, 4}.  ``n = size``, ``p = round(γ n)``.
``ridge``  ``gamma`` ∈ [0.1, 4], ``lam`` = 0 or ∈ [0.01, 2] (``lam = 0`` only with
           ``|γ − 1| ≥ 0.4``, ``lam ≥ 0.05`` when ``|γ − 1| < 0.4``), ``r2`` ∈ [0.25, 2],
           ``sigma2`` ∈ [0.01, 1] (never a risk that is identically 0), ``tau2`` ∈ [0, 0.5];
           isotropic features.  ``n = size``.
``rf``     ``psi1`` (N/d), ``psi2`` (n/d) ∈ [0.2, 3], ``lam`` ∈ [0.01, 1] when
           ``|ψ₁ − ψ₂| ≥ 0.5 max(ψ₁, ψ₂)`` (or 0 there), ``lam`` ∈ [0.1, 1] nearer the peak, ``activation`` ∈ {relu, tanh, erf},
           ``F1sq`` ∈ [0.5, 2], ``Fstar2``, ``tau2`` ∈ [0, 0.5].  ``d = size``.
``krr``    ``level`` 1 (``n = αd``) or 2 (``n = αB(d, 2)``, only while ``n ≤ 3000`` at the
           largest size), ``alpha`` ∈ [0.3, 3], ``kernel`` ∈ {exp, relu_ntk, relu_nngp},
           ``lam`` ∈ [0.001, 1] (or 0 when ``|α − 1| ≥ 0.5``), energies ``F`` = ``F0,F1,F2``
           with ``F1`` ∈ [0.5, 1.5] and ``F0, F2`` ∈ [0, 0.5], ``sigma2`` ∈ [0, 0.5];
           ``d = size``.  The theory is the finite-``d`` deterministic equivalent at each size.
``nt``     ``layers=first``, ``psi2`` ∈ [0.3, 3], ``lam`` ∈ [0.01, 1] or 0,
           ``activation`` ∈ {relu, tanh, erf}, ``F1sq`` ∈ [0.5, 2], ``Fstar2``, ``tau2`` ∈
           [0, 0.5]; the width ``psi1 = N/d`` (rounded up) makes ``Nd/n`` ∈ [100, 202] at the smallest size
           (the finite-width bias is about ``2n/(Nd)``, and it shrinks as ``d`` grows at fixed
           ``ψ₁``).  ``d = size``.
=========  ======================================================================================

``lnn`` has no campaign: its predictions are deterministic dynamics (there is nothing to
average).  They are checked by ``python -m validation lnn`` and the test suite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from asymptotics.errors import ParameterError

__all__ = ["SPACES", "PointSpace", "ceil3", "floor3", "rounded", "space", "text"]


def rounded(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in ``[lo, hi]`` rounded to 3 significant digits (still inside the range).  Values
    within ``10⁻³(hi − lo)`` of ``lo`` snap to ``lo``: hypothesis likes subnormal numbers such as
    ``7.49e-207``, which test float parsing, not the theory."""

    def snap(v: float) -> float:
        if v - lo < 1e-3 * (hi - lo):
            return lo
        return min(max(float(f"{v:.3g}"), lo), hi)

    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(snap)


def text(v: float) -> str:
    """``v`` as a short exact decimal string (4 significant digits; ``"0"`` for zero)."""
    return f"{v:.4g}" if v != 0 else "0"


def ceil3(v: float) -> float:
    """``v`` rounded up to 3 significant digits."""
    r = float(f"{v:.3g}")
    if r >= v:
        return r
    step = 10.0 ** (math.floor(math.log10(v)) - 2)
    return float(f"{r + step:.3g}")


def floor3(v: float) -> float:
    """``v`` rounded down to 3 significant digits."""
    r = float(f"{v:.3g}")
    if r <= v:
        return r
    step = 10.0 ** (math.floor(math.log10(v)) - 2)
    return float(f"{r - step:.3g}")


@dataclass(frozen=True)
class PointSpace:
    """Where a model's campaign points are drawn.

    ``strategy(sizes)`` is a hypothesis strategy of parameter dicts (exact decimal strings,
    the names of :func:`asymptotics.models.get_model` ``(model).params``); ``size_name`` says
    what a campaign size means (``"n"``: samples, ``"d"``: input dimension).
    """

    model: str
    quantities: tuple[str, ...]
    size_name: str
    default_sizes: tuple[int, ...]
    strategy: Callable[[Sequence[int]], st.SearchStrategy[dict[str, str]]]


class _Spaces(Mapping[str, PointSpace]):
    """The point spaces of the registered simulators that have a point strategy (read-only, live)."""

    def _all(self) -> dict[str, PointSpace]:
        from .simulators.registry import SIMULATORS  # importing the package registers the built-ins

        return {name: _point_space(spec) for name, spec in sorted(SIMULATORS.items()) if spec.points is not None}

    def __getitem__(self, name: str) -> PointSpace:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"SPACES({', '.join(self)})"


SPACES: Mapping[str, PointSpace] = _Spaces()
"""The campaign models' point spaces by name (from the simulator registry); the first quantity of
each is the default."""


def _point_space(spec: Any) -> PointSpace:
    return PointSpace(spec.model, spec.quantities, spec.size_param, spec.sizes, spec.points)


def space(model: str) -> PointSpace:
    """The :class:`PointSpace` of ``model`` (registry name or alias).

    Raises
    ------
    ParameterError
        Unknown model, or a model without a simulator or without a point strategy.
    """
    from asymptotics.models import get_model

    from .simulators.registry import available, get_simulator

    name = get_model(model).name
    try:
        spec = get_simulator(name)
    except ParameterError:
        spec = None
    if spec is None or spec.points is None or not spec.quantities:
        campaigns = [m for m in available() if get_simulator(m).points is not None]
        raise ParameterError(
            f"no validation campaign for model {name!r}: it has no Monte Carlo simulator with a point strategy "
            f"(deterministic dynamics have their own checks, see `python -m validation --help`); "
            f"campaign models: {', '.join(campaigns)}."
        )
    return _point_space(spec)


_MOVED = {"MP_MIN_P": ".simulators.marchenko_pastur", "KRR_MAX_N": ".simulators.krr"}


def __getattr__(name: str) -> Any:
    """Constants that moved to their simulator's module with the strategies (old names kept)."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name], __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
