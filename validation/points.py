r"""Parameter spaces of the validation campaigns: where each model is drawn, and why there.

Each model's ranges are written once, as a hypothesis strategy, and serve two designs
(``--design``, :func:`design_points`):

* ``sobol`` (the default) and ``lhs``: a space-filling design for coverage.  A scrambled Sobol
  sequence (or a Latin hypercube) of :mod:`scipy.stats.qmc` gives each point one coordinate in
  ``[0, 1)`` per draw of the strategy, in the order the strategy draws.  A range spanning more
  than :data:`LOG_DECADES` decades (``λ``, ``σ²``, ``γ`` ∈ [0.1, 4]) is filled on a log scale,
  others linearly; integers and categories (activation, kernel, level) take their share of the
  coordinate; a constant alternative such as ``λ = 0`` in ``one_of(just(0), rounded(...))`` gets
  :data:`CONSTANT_SHARE` of it, so it appears in about one point in eight; a filtered range
  (``|γ − 1| ≥ 0.05``) shifts a rejected coordinate by the golden ratio until it passes.  So the
  same conditions that exclude the theory's singular sets apply to both designs.
* ``hypothesis``: the strategy itself, a property-testing draw that seeks the edges: its first
  examples are the ranges' lower ends (the corner of the box) and it repeats boundary values
  such as ``λ = 0`` often.  Useful to probe edges, poor at coverage.

Both are reproducible from the seed.  Numbers are rounded to three significant digits, so every
point is an exact decimal string that can be typed back into ``asymptotics eval``.

The ranges keep the points where the ``n, d → ∞`` theory is a fair test at simulation sizes
of a few hundred.  The theory itself covers more (see each model's docstring).  Near an
interpolation threshold without a penalty, the finite-size bias is ``O(1/(n|1 − γ|))`` and
the variance of the risk diverges (docs/models/ridge.md, 'Monte Carlo'), so such points would test the
simulation size, not the formula.  Those regions are left out on purpose.  Values within
``10⁻³`` of a range's width above its lower end snap to the lower end.  Hypothesis's first
examples are the ranges' lower ends (its "simplest" example), so every ``hypothesis`` campaign
includes the corner of the box.

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

__all__ = [
    "CONSTANT_SHARE",
    "DESIGNS",
    "LOG_DECADES",
    "SPACES",
    "PointSpace",
    "ceil3",
    "design_points",
    "floor3",
    "rounded",
    "space",
    "text",
]


def rounded(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in ``[lo, hi]`` rounded to 3 significant digits (still inside the range).  Values
    within ``10⁻³(hi − lo)`` of ``lo`` snap to ``lo``: hypothesis likes subnormal numbers such as
    ``7.49e-207``, which test float parsing, not the theory."""

    def snap(v: float) -> float:
        if v - lo < 1e-3 * (hi - lo):
            return lo
        return min(max(float(f"{v:.3g}"), lo), hi)

    snap.design_range = (float(lo), float(hi))  # type: ignore[attr-defined]  # read by design_points
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


# ----------------------------------------------------------------------------- space-filling designs
DESIGNS = ("sobol", "lhs", "hypothesis")
"""The campaign designs (``--design``): two space-filling ones and hypothesis's edge-seeking draw."""
LOG_DECADES = 1.5
"""A range ``[lo, hi]`` with ``lo > 0`` and ``hi/lo ≥ 10**LOG_DECADES`` is filled on a log scale."""
CONSTANT_SHARE = 1 / 8
"""Share of a coordinate given to the constant alternatives of a ``one_of`` (``λ = 0``)."""
_GOLDEN = (math.sqrt(5) - 1) / 2
_FILTER_TRIES = 200


class _Coordinates:
    """One design point's coordinates, handed out in order to the strategy's draws.

    Draws beyond the design's dimension (a strategy that draws more for some points) come from a
    generator seeded by the point, so the point stays reproducible.
    """

    def __init__(self, row: Any, extra: Any) -> None:
        self.row, self.extra = row, extra
        self.pos, self.shift, self.pending = 0, 0.0, None

    def next(self) -> float:
        if self.pending is not None:
            u, self.pending = self.pending, None
            return float(u)
        u = float(self.row[self.pos]) if self.pos < len(self.row) else float(self.extra.random())
        self.pos += 1
        return (u + self.shift) % 1.0


def _scale(u: float, lo: float, hi: float) -> float:
    """``u`` ∈ [0, 1) mapped onto ``[lo, hi]``: log scale when the range spans ≥ :data:`LOG_DECADES` decades."""
    if lo > 0 and hi / lo >= 10**LOG_DECADES:
        return float(min(hi, lo * (hi / lo) ** u))
    return float(min(hi, lo + u * (hi - lo)))


def _unwrap(strategy: Any) -> Any:
    while hasattr(strategy, "wrapped_strategy") and strategy.wrapped_strategy is not strategy:
        strategy = strategy.wrapped_strategy
    return strategy


def _is_constant(strategy: Any) -> bool:
    s = _unwrap(strategy)
    return hasattr(s, "elements") and len(s.elements) == 1 and not getattr(s, "_transformations", ())


def _design_draw(strategy: Any, c: _Coordinates) -> Any:
    """A value of ``strategy`` driven by the design's coordinates ``c`` (the strategy's own ranges,
    branches and filters; see the module docstring).  Raises ParameterError for a strategy it cannot read."""
    s = _unwrap(strategy)
    if hasattr(s, "definition"):  # st.composite: its draws come from the design
        return s.definition(lambda inner, label=None: _design_draw(inner, c), *s.args, **s.kwargs)
    if hasattr(s, "mapped_strategy") and hasattr(s, "pack"):
        rng = getattr(s.pack, "design_range", None)
        if rng is not None:  # rounded(lo, hi): the documented range, rounded as hypothesis's draws are
            return s.pack(_scale(c.next(), *rng))
        return s.pack(_design_draw(s.mapped_strategy, c))
    if hasattr(s, "filtered_strategy") and hasattr(s, "flat_conditions"):
        pos, shift, pending = c.pos, c.shift, c.pending
        for attempt in range(_FILTER_TRIES):
            c.pos, c.shift, c.pending = pos, (shift + attempt * _GOLDEN) % 1.0, pending
            value = _design_draw(s.filtered_strategy, c)
            if all(cond(value) for cond in s.flat_conditions):
                c.shift = shift
                return value
        raise ParameterError(f"the design found no value of {strategy!r} passing its filter; use --design hypothesis.")
    if hasattr(s, "original_strategies"):  # one_of: the branch and the value share one coordinate
        branches = list(s.original_strategies)
        const = [_is_constant(b) for b in branches]
        if any(const) and not all(const):
            k_c = sum(const)
            widths = [CONSTANT_SHARE / k_c if k else (1 - CONSTANT_SHARE) / (len(branches) - k_c) for k in const]
        else:
            widths = [1 / len(branches)] * len(branches)
        u, start = c.next(), 0.0
        for i, (branch, width) in enumerate(zip(branches, widths, strict=True)):
            if u < start + width or i == len(branches) - 1:
                c.pending = min(max((u - start) / width, 0.0), math.nextafter(1.0, 0.0))
                value = _design_draw(branch, c)
                c.pending = None
                return value
            start += width
    if hasattr(s, "elements"):  # sampled_from, just (their map/filter applied to every element)
        values = []
        for e in s.elements:
            keep = True
            for method, fn in getattr(s, "_transformations", ()):
                if method == "map":
                    e = fn(e)
                elif not fn(e):
                    keep = False
                    break
            if keep:
                values.append(e)
        if not values:
            raise ParameterError(f"{strategy!r} has no element left for the design; use --design hypothesis.")
        return values[min(int(c.next() * len(values)), len(values) - 1)]
    if hasattr(s, "start") and hasattr(s, "end") and s.start is not None and s.end is not None:  # integers
        return int(s.start) + min(int(c.next() * (s.end - s.start + 1)), s.end - s.start)
    if hasattr(s, "min_value") and hasattr(s, "max_value") and math.isfinite(s.min_value) and math.isfinite(s.max_value):
        return _scale(c.next(), float(s.min_value), float(s.max_value))
    if hasattr(s, "mapping") and hasattr(s, "optional"):  # fixed_dictionaries
        return {k: _design_draw(v, c) for k, v in s.mapping.items()}
    raise ParameterError(
        f"a space-filling design cannot read the point strategy part {strategy!r} ({type(s).__name__}); "
        "use --design hypothesis (design='hypothesis')."
    )


def design_points(strategy: Any, count: int, *, seed: int = 0, design: str = "sobol") -> Iterator[Any]:
    """Points of a space-filling design over a hypothesis point strategy (its ranges, written once).

    Parameters
    ----------
    strategy : hypothesis.strategies.SearchStrategy
        A point strategy made of ``st.composite``, :func:`rounded`, ``floats``, ``integers``,
        ``sampled_from``, ``just``, ``one_of``, ``fixed_dictionaries``, ``map`` and ``filter``.
    count : int
        The design's size: ``sobol`` yields the scrambled Sobol points in order (drawn in blocks of
        a power of two, so its balance holds for the first ``2**m`` points); ``lhs`` yields a Latin
        hypercube of ``count`` points, then further ones if the caller asks for more.
    seed : int, keyword-only
        Scrambles the design (the same seed gives the same points).
    design : {"sobol", "lhs"}, keyword-only
        The space-filling design.

    Yields
    ------
    Any
        The strategy's values (for the campaigns: dicts of exact decimal strings), an endless stream.

    Raises
    ------
    ParameterError
        An unknown design, or a strategy part the design cannot read.

    Examples
    --------
    >>> from hypothesis import strategies as st
    >>> pts = design_points(st.fixed_dictionaries({"a": rounded(0.01, 1), "k": st.sampled_from("xy")}), 4, seed=1)
    >>> [next(pts) for _ in range(2)]
    [{'a': 0.239, 'k': 'y'}, {'a': 0.0372, 'k': 'x'}]
    """
    import numpy as np
    from scipy.stats import qmc

    if design not in ("sobol", "lhs"):
        raise ParameterError(f"`design` must be 'sobol' or 'lhs' for a space-filling design; got {design!r}.")
    probe = _Coordinates(np.full(4096, 0.5), np.random.default_rng(0))
    _design_draw(strategy, probe)  # the number of draws sets the dimension
    dim = max(1, probe.pos)
    rng = np.random.default_rng([seed, 0x5EED, dim])
    index = 0
    if design == "sobol":
        engine = qmc.Sobol(dim, scramble=True, rng=rng)
        block = engine.random_base2(max(0, math.ceil(math.log2(max(count, 1)))))  # the next power of two ≥ count
        while True:
            for row in block:
                yield _design_draw(strategy, _Coordinates(row, np.random.default_rng([seed, index, dim])))
                index += 1
            block = engine.random(engine.num_generated)  # more wanted (duplicates): doubling keeps 2**k points
    n = max(count, 1)
    while True:
        for row in qmc.LatinHypercube(dim, rng=rng).random(n):
            yield _design_draw(strategy, _Coordinates(row, np.random.default_rng([seed, index, dim])))
            index += 1


_MOVED = {"MP_MIN_P": ".simulators.marchenko_pastur", "KRR_MAX_N": ".simulators.krr"}


def __getattr__(name: str) -> Any:
    """Constants that moved to their simulator's module with the strategies (old names kept)."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name], __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
