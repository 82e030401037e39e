r"""Parameter spaces of the validation campaigns: where each model is drawn, and why there.

A campaign (:mod:`validation.campaign`) draws its parameter points from the hypothesis
strategies below, so each draw is reproducible from a seed and includes the edges of each
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from asymptotics.kernels import multiplicity

__all__ = ["SPACES", "PointSpace", "space"]


def _r3(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in ``[lo, hi]`` rounded to 3 significant digits (still inside the range).  Values
    within ``10⁻³(hi − lo)`` of ``lo`` snap to ``lo``: hypothesis likes subnormal numbers such as
    ``7.49e-207``, which test float parsing, not the theory."""

    def snap(v: float) -> float:
        if v - lo < 1e-3 * (hi - lo):
            return lo
        return min(max(float(f"{v:.3g}"), lo), hi)

    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(snap)


def _s(v: float) -> str:
    return f"{v:.4g}" if v != 0 else "0"


def _ceil3(v: float) -> float:
    """``v`` rounded up to 3 significant digits."""
    r = float(f"{v:.3g}")
    if r >= v:
        return r
    step = 10.0 ** (math.floor(math.log10(v)) - 2)
    return float(f"{r + step:.3g}")


def _floor3(v: float) -> float:
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


# ----------------------------------------------------------------------------- mp
MP_MIN_P = 40
"""Fewest eigenvalues (``p = round(γn)`` at the smallest size) of an ``mp`` point: with 5–10
eigenvalues the empirical cdf is a coarse lattice, and all replicates can land on one value."""


def _mp(sizes: Sequence[int]) -> st.SearchStrategy[dict[str, str]]:
    low = float(f"{max(0.1, MP_MIN_P / min(sizes)):.3g}")

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        gamma = draw_(_r3(low, max(4.0, 2 * low)).filter(lambda g: abs(g - 1) >= 0.05))
        sigma2 = draw_(_r3(0.25, 4))
        u = draw_(_r3(0.05, 0.95))
        a, b = sigma2 * (1 - math.sqrt(gamma)) ** 2, sigma2 * (1 + math.sqrt(gamma)) ** 2
        k = draw_(st.integers(1, 4))
        return {"gamma": _s(gamma), "sigma2": _s(sigma2), "x": _s(a + u * (b - a)), "k": str(k)}

    return draw()


# ----------------------------------------------------------------------------- ridge
def _ridge(sizes: Sequence[int]) -> st.SearchStrategy[dict[str, str]]:
    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        gamma = draw_(_r3(0.1, 4))
        lam = draw_(st.one_of(st.just(0.0), _r3(0.01, 2)) if abs(gamma - 1) >= 0.4 else _r3(0.05, 2))
        return {
            "gamma": _s(gamma),
            "lam": _s(lam),
            "r2": _s(draw_(_r3(0.25, 2))),
            "sigma2": _s(draw_(_r3(0.01, 1))),  # > 0: no point whose risk is identically 0
            "tau2": _s(draw_(_r3(0, 0.5))),
        }

    return draw()


# ----------------------------------------------------------------------------- rf / nt
_ACTIVATIONS = ("relu", "tanh", "erf")


def _rf(sizes: Sequence[int]) -> st.SearchStrategy[dict[str, str]]:
    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        psi1, psi2 = draw_(_r3(0.2, 3)), draw_(_r3(0.2, 3))
        far = abs(psi1 - psi2) >= 0.5 * max(psi1, psi2)
        lam = draw_(st.one_of(st.just(0.0), _r3(0.01, 1)) if far else _r3(0.1, 1))  # near N = n: λ ≥ 0.1
        return {
            "psi1": _s(psi1),
            "psi2": _s(psi2),
            "lam": _s(lam),
            "activation": draw_(st.sampled_from(_ACTIVATIONS)),
            "F1sq": _s(draw_(_r3(0.5, 2))),
            "Fstar2": _s(draw_(_r3(0, 0.5))),
            "tau2": _s(draw_(_r3(0, 0.5))),
        }

    return draw()


def _nt(sizes: Sequence[int]) -> st.SearchStrategy[dict[str, str]]:
    d0 = min(sizes)

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        psi2 = draw_(_r3(0.3, 3))
        ratio = draw_(_r3(100, 200))  # Nd/n at the smallest size
        psi1 = _ceil3(ratio * psi2 / d0)  # rounded up: Nd/n stays ≥ 100
        return {
            "psi1": _s(psi1),
            "psi2": _s(psi2),
            "lam": _s(draw_(st.one_of(st.just(0.0), _r3(0.01, 1)))),
            "activation": draw_(st.sampled_from(_ACTIVATIONS)),
            "F1sq": _s(draw_(_r3(0.5, 2))),
            "Fstar2": _s(draw_(_r3(0, 0.5))),
            "tau2": _s(draw_(_r3(0, 0.5))),
            "layers": "first",
        }

    return draw()


# ----------------------------------------------------------------------------- krr
KRR_MAX_N = 3000
"""Largest ``n`` a drawn KRR point may need at the campaign's largest size (dense ``n × n``)."""


def _krr(sizes: Sequence[int]) -> st.SearchStrategy[dict[str, str]]:
    d1 = max(sizes)
    quadratic_ok = 0.3 * int(multiplicity(d1, 2)) <= KRR_MAX_N

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        level = draw_(st.sampled_from((1, 2) if quadratic_ok else (1,)))
        top = 3.0 if level == 1 else min(3.0, _floor3(KRR_MAX_N / int(multiplicity(d1, 2))))
        alpha = draw_(_r3(0.3, top))
        lam = draw_(st.one_of(st.just(0.0), _r3(0.001, 1)) if abs(alpha - 1) >= 0.5 else _r3(0.001, 1))
        energies = (draw_(_r3(0, 0.5)), draw_(_r3(0.5, 1.5)), draw_(_r3(0, 0.5)))
        return {
            "level": str(level),
            "alpha": _s(alpha),
            "kernel": draw_(st.sampled_from(("exp", "relu_ntk", "relu_nngp"))),
            "lam": _s(lam),
            "F": ",".join(_s(e) for e in energies),
            "sigma2": _s(draw_(_r3(0, 0.5))),
        }

    return draw()


SPACES: dict[str, PointSpace] = {
    "mp": PointSpace("mp", ("cdf", "moment"), "n", (100, 200, 400), _mp),
    "ridge": PointSpace("ridge", ("risk", "bias", "variance", "train_error"), "n", (100, 200, 400), _ridge),
    "rf": PointSpace("rf", ("risk", "train_error"), "d", (50, 100, 200), _rf),
    "krr": PointSpace("krr", ("risk", "train_error"), "d", (20, 40), _krr),
    "nt": PointSpace("nt", ("risk", "train_error"), "d", (30, 60), _nt),
}
"""The campaign models; the first quantity of each is the default."""


def space(model: str) -> PointSpace:
    """The :class:`PointSpace` of ``model`` (registry name or alias)."""
    from asymptotics.errors import ParameterError
    from asymptotics.models import get_model

    name = get_model(model).name
    if name not in SPACES:
        raise ParameterError(
            f"no validation campaign for model {name!r} (its predictions are deterministic dynamics, checked by "
            f"`python -m validation {name}`); campaign models: {', '.join(SPACES)}."
        )
    return SPACES[name]
