r"""Monte Carlo for the Marchenko–Pastur law (mirror of :mod:`asymptotics.models.marchenko_pastur`).

Setting
-------
``X`` is ``n × p``, ``p = round(γ n)``, with i.i.d. entries of mean 0 and variance ``σ²``
(``"gaussian"``: ``σ·N(0, 1)``; ``"rademacher"``: ``±σ``).  Each replicate computes the
``p`` eigenvalues of ``S = XᵀX/n`` from the singular values of ``X``
(``λᵢ = sᵢ²/n``); when ``p > n`` the ``p − n`` structural zeros are set to exactly 0, so
the atom ``1 − 1/γ`` of the limit law is reproduced without rounding noise.

Estimators (one value per replicate, vectorized over the points)
-----------------------------------------------------------------
* Stieltjes transform ``m_n(z) = (1/p) Σᵢ 1/(λᵢ − z)`` (complex ``z`` allowed) → ``m(z)``;
* companion ``m̃_n(z) = (1/n) Σ 1/(λ̃ᵢ − z)`` over the ``n`` eigenvalues of ``XXᵀ/n`` → ``m̃(z)``;
* empirical CDF ``F_n(x) = #{λᵢ ≤ x}/p`` → ``μ((−∞, x])`` (atom included);
* moment ``(1/p) Σ λᵢᵏ`` → ``σ^{2k} Σⱼ N(k, j) γ^{j−1}``;
* largest eigenvalue → the edge ``b = σ²(1 + √γ)²`` (from below, ``O(n^{-2/3})``);
* density, histogram: ``#{λᵢ ∈ [x − h/2, x + h/2)}/(p h)`` over the non-structural
  eigenvalues → the bin average of the continuous density (``≈ ρ(x) + h²ρ''(x)/24``);
* density, smoothed: ``Im m_n(x + iη)/π`` → ``Im m(x + iη)/π`` (the density convolved with a
  Cauchy kernel of width ``η``; the atom is included).

Possible issues
---------------
Linear spectral statistics have fluctuations of order ``1/n`` *and* a mean bias of order
``1/n`` (real Gaussian and Rademacher designs alike), so the z-score of the bias does not
shrink with ``n`` at fixed ``reps``; it is largest near the hard edge ``γ = 1, z → 0`` (docs/models/mp.md,
'Monte Carlo').  Compare with a finite-size trend there.

References
----------
Marchenko & Pastur (1967); Bai & Silverstein (2010), ch. 3 and ch. 9 (CLT for linear
spectral statistics).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from asymptotics._validate import check_int, check_real, shown_params, to_complex_fractions
from asymptotics.errors import ParameterError

from ..compare import MCEstimate
from ._sampling import check_design, check_memory, check_run, features, footprint, replicate_rngs, standardized_design
from .registry import DEFAULT_N, SimulatorSpec, fixed_params, register_simulator

QUANTITIES = ("stieltjes", "companion", "cdf", "moment", "largest", "density")
DENSITY_METHODS = ("histogram", "smoothed")


# ----------------------------------------------------------------------------- sampling
def eigenvalues(x: np.ndarray) -> np.ndarray:
    """The ``p`` eigenvalues of ``XᵀX/n`` in ascending order, structural zeros exact.

    Computed as squared singular values (more accurate near 0 than an eigensolver on the
    Gram matrix); for ``p > n`` the ``p − n`` zeros are exact.
    """
    n, p = x.shape
    d = np.linalg.svd(x, compute_uv=False) ** 2 / n
    d.sort()
    if p > n:
        d = np.concatenate([np.zeros(p - n), d])
    return d


def replicate_eigenvalues(
    gamma: Any,
    sigma2: Any = 1,
    *,
    n: int,
    reps: int,
    seed: int = 0,
    design: str = "gaussian",
    progress: bool = False,
    max_memory: Any = None,
) -> Iterator[np.ndarray]:
    """Yield the eigenvalues of ``S`` for ``reps`` independent replicates.

    Parameters
    ----------
    gamma, sigma2 : real
        Aspect ratio ``p/n`` (``p = round(γ n)``) and entry variance (both ``> 0``).
    n, reps, seed : int, keyword-only
        Samples (``≥ 1``), replicates (``≥ 1``), root seed (``≥ 0``).
    design : {"gaussian", "rademacher"}, keyword-only
    progress : bool, keyword-only
        Show a tqdm bar.
    max_memory : float, keyword-only
        Memory limit in GiB (see :func:`simulate`); checked before the first design is drawn.
    """
    g = check_real("gamma", gamma, low=0, low_open=True)
    s2 = float(check_real("sigma2", sigma2, low=0, low_open=True))
    n, reps, seed = check_run(n, reps, seed)
    design = check_design(design)
    p = features(g, n)  # type: ignore[arg-type]
    check_request(g, n=n, reps=reps, points=0, max_memory=max_memory)
    for rng in replicate_rngs(seed, reps, progress=progress):
        yield s2 * eigenvalues(standardized_design(rng, n, p, design))


# ----------------------------------------------------------------------------- estimators
def stieltjes_estimate(eigs: np.ndarray, z: Any) -> np.ndarray:
    """``m_n(z) = mean(1/(λᵢ − z))`` over the ``p`` eigenvalues, for every ``z`` (complex)."""
    z = np.asarray(z, dtype=complex)
    return (1.0 / (eigs - z[..., None])).mean(axis=-1)


def companion_eigenvalues(eigs: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` eigenvalues of ``XXᵀ/n`` from the ``p`` of ``XᵀX/n`` (ascending)."""
    p = eigs.size
    return eigs[p - n :] if p >= n else np.concatenate([np.zeros(n - p), eigs])


def cdf_estimate(eigs: np.ndarray, x: Any) -> np.ndarray:
    """Empirical CDF ``#{λᵢ ≤ x}/p`` (eigenvalues sorted ascending)."""
    return np.searchsorted(eigs, np.asarray(x, dtype=float), side="right") / eigs.size


def moment_estimate(eigs: np.ndarray, k: int) -> float:
    """``(1/p) Σ λᵢᵏ``."""
    return float(np.mean(eigs**k))


def histogram_density_estimate(eigs: np.ndarray, x: Any, width: float, *, n: int) -> np.ndarray:
    """``#{λᵢ ∈ [x − h/2, x + h/2)}/(p h)`` counting only the ``min(n, p)`` non-structural eigenvalues.

    The structural zeros (``p > n``) are the atom of the law, not its density, and are
    left out so that a bin containing 0 estimates the continuous part only.
    """
    p = eigs.size
    live = eigs[p - n :] if p > n else eigs
    x = np.asarray(x, dtype=float)
    count = np.searchsorted(live, x + width / 2, side="left") - np.searchsorted(live, x - width / 2, side="left")
    return count / (p * width)


def smoothed_density_estimate(eigs: np.ndarray, x: Any, eta: float) -> np.ndarray:
    """``Im m_n(x + iη)/π`` (Cauchy-kernel smoothing of the spectral measure, atom included)."""
    return stieltjes_estimate(eigs, np.asarray(x, dtype=float) + 1j * eta).imag / np.pi


# ----------------------------------------------------------------------------- memory
def peak_memory(n: int, p: int, points: int, reps: int, *, complex_: bool = False) -> int:
    """Estimated peak memory (bytes) of :func:`simulate` with an ``n × p`` design and ``points`` points.

    One replicate holds the design and the copy its SVD works on (three ``n × p`` float64 arrays
    allow for the Rademacher design's integer and float stages); a transform (``complex_``)
    forms two ``points × max(n, p)`` complex arrays; every replicate's values are kept.
    """
    grid = 2 * 2 * points * max(n, p) if complex_ else 2 * points
    return footprint(3 * n * p + 3 * (n + p) + grid + 2 * 2 * reps * max(points, 1))


def check_request(
    gamma: Any, *, n: int, reps: int, points: int = 1, complex_: bool = False, max_memory: Any = None
) -> None:
    """Refuse, before anything is allocated, a :func:`simulate` call whose :func:`peak_memory`
    exceeds the limit (``max_memory`` GiB, else ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2 GiB).

    Raises
    ------
    ParameterError
        The estimate is above the limit (the message names ``n``, ``p`` and the estimate), or
        the sizes are invalid.
    """
    g = check_real("gamma", gamma, low=0, low_open=True)
    nn, rr, _ = check_run(n, reps, 0)
    p = features(g, nn)  # type: ignore[arg-type]
    nbytes = peak_memory(nn, p, points, rr, complex_=complex_)
    check_memory("the Marchenko-Pastur simulation", nbytes, max_memory=max_memory, n=nn, p=p, points=points, reps=rr)


# ----------------------------------------------------------------------------- driver
def _points(name: str, value: Any, *, complex_: bool) -> np.ndarray:
    if isinstance(value, str):
        if complex_:
            re_, im_ = to_complex_fractions(name, value)
            return np.asarray(complex(float(re_), float(im_)))
        return np.asarray(float(check_real(name, value)))
    try:
        arr = np.asarray(value, dtype=complex if complex_ else float)
    except (TypeError, ValueError):
        kind = "complex" if complex_ else "real"
        raise ParameterError(f"`{name}` must be a {kind} number or array; got {value!r}.") from None
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"`{name}` must be finite; got {value!r}.")
    return arr


def _edges(g: float, s2: float) -> tuple[float, float]:
    return s2 * (1 - np.sqrt(g)) ** 2, s2 * (1 + np.sqrt(g)) ** 2


def simulate(
    quantity: str,
    gamma: Any,
    sigma2: Any = 1,
    *,
    n: int,
    reps: int,
    seed: int = 0,
    design: str = "gaussian",
    z: Any = None,
    x: Any = None,
    k: Any = None,
    method: str = "histogram",
    width: Any = None,
    eta: Any = None,
    progress: bool = False,
    max_memory: Any = None,
) -> MCEstimate:
    r"""Monte Carlo estimate of one Marchenko–Pastur statistic.

    Parameters
    ----------
    quantity : {"stieltjes", "companion", "cdf", "moment", "largest", "density"}
        The statistic (see the module docstring for each estimator and its limit).
    gamma, sigma2 : real
        Aspect ratio (``p = round(γ n)``) and entry variance, ``> 0``.
    n, reps : int, keyword-only
        Samples per design (``≥ 1``) and independent replicates (``≥ 1``; ``≥ 2`` for an SE).
    seed : int, keyword-only
        Root seed (``≥ 0``), one child per replicate via ``SeedSequence.spawn``.
    design : {"gaussian", "rademacher"}, keyword-only
    z : complex or array_like, keyword-only
        Points for ``stieltjes``/``companion`` (strings such as ``"1+0.5j"`` accepted).
    x : real or array_like, keyword-only
        Points for ``cdf``/``density``.
    k : int, keyword-only
        Order for ``moment`` (``≥ 0``).
    method : {"histogram", "smoothed"}, keyword-only
        Density estimator.
    width, eta : real, keyword-only
        Histogram bin width ``h`` and smoothing width ``η`` (default ``(b − a)/50`` each,
        ``[a, b]`` the support of the limit law).
    progress : bool, keyword-only
        Show a tqdm bar over replicates.
    max_memory : float, keyword-only
        Memory limit in GiB (default: ``$ASYMPTOTICS_MAX_MEMORY_GB``, else 2); a request whose
        :func:`peak_memory` estimate is larger is refused before anything is allocated.

    Returns
    -------
    MCEstimate
        ``samples`` of shape ``(reps, *points.shape)`` (complex for the transforms).

    Raises
    ------
    ParameterError
        Unknown quantity/design/method, bad sizes, a missing or non-finite point, ``z = 0``
        at ``γ ≥ 1`` (in the support), an estimated peak memory above ``max_memory``.

    Examples
    --------
    >>> est = simulate("moment", "0.5", n=200, reps=4, k=2, seed=1)
    >>> bool(abs(est.mean - 1.5) < 0.05)     # σ⁴(1 + γ)
    True
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown Marchenko-Pastur statistic {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    g = check_real("gamma", gamma, low=0, low_open=True)
    s2 = check_real("sigma2", sigma2, low=0, low_open=True)
    nn, rr, sd = check_run(n, reps, seed)
    design = check_design(design)
    p = features(g, nn)  # type: ignore[arg-type]
    a, b = _edges(float(g), float(s2))
    shown = {**shown_params(gamma=g, sigma2=s2), "design": design}

    needs = {"stieltjes": "z", "companion": "z", "cdf": "x", "density": "x", "moment": "k"}.get(quantity)
    given = {"z": z, "x": x, "k": k}
    if needs is not None and given[needs] is None:
        raise ParameterError(f"`{needs}` is required for the statistic {quantity!r}.")
    pts: np.ndarray | None = None
    if needs == "z":
        pts = _points("z", z, complex_=True)
        if np.any((pts == 0) & (p >= nn if quantity == "stieltjes" else p <= nn)):
            raise ParameterError(
                f"`z` = 0 is in the support of the limit law at gamma = {float(g):g} (atom or hard edge); use z ≠ 0."
            )
    elif needs == "x":
        pts = _points("x", x, complex_=False)
    if quantity == "moment":
        kk = check_int("k", k, low=0, high=10_000)
        shown["k"] = str(kk)
    if quantity == "density":
        if method not in DENSITY_METHODS:
            raise ParameterError(f"`method` must be one of {', '.join(repr(m) for m in DENSITY_METHODS)}; got {method!r}.")
        scale = (b - a) / 50
        if method == "histogram":
            h = scale if width is None else float(check_real("width", width, low=0, low_open=True))
            shown.update(method=method, width=repr(h))
        else:
            eta_ = scale if eta is None else float(check_real("eta", eta, low=0, low_open=True))
            shown.update(method=method, eta=repr(eta_))

    transform = quantity in ("stieltjes", "companion") or (quantity == "density" and method == "smoothed")
    check_request(g, n=nn, reps=rr, points=1 if pts is None else pts.size, complex_=transform, max_memory=max_memory)
    rows = []
    for eigs in replicate_eigenvalues(g, s2, n=nn, reps=rr, seed=sd, design=design, progress=progress, max_memory=max_memory):
        if quantity == "stieltjes":
            rows.append(stieltjes_estimate(eigs, pts))
        elif quantity == "companion":
            rows.append(stieltjes_estimate(companion_eigenvalues(eigs, nn), pts))
        elif quantity == "cdf":
            rows.append(cdf_estimate(eigs, pts))
        elif quantity == "moment":
            rows.append(moment_estimate(eigs, kk))
        elif quantity == "largest":
            rows.append(eigs[-1])
        elif method == "histogram":
            rows.append(histogram_density_estimate(eigs, pts, h, n=nn))
        else:
            rows.append(smoothed_density_estimate(eigs, pts, eta_))
    return MCEstimate(quantity, np.asarray(rows), nn, p, sd, shown, pts)


# ----------------------------------------------------------------------------- simulator registry
# What campaigns and `asymptotics curve --mc` need (validation.simulators.registry): the size is n,
# the theory runs at the realized ratio p/n = round(γn)/n.
CAMPAIGN_QUANTITIES = ("cdf", "moment")
CURVE_QUANTITIES = ("density", "cdf")
MP_MIN_P = 40
"""Fewest eigenvalues (``p = round(γn)`` at the smallest size) of a campaign point: with 5–10
eigenvalues the empirical cdf is a coarse lattice, and all replicates can land on one value."""
_POINT_ARGUMENT = {"cdf": "x", "density": "x", "moment": "k", "stieltjes": "z", "companion": "z"}


def _registry_simulate(
    params: dict[str, str], size: int, reps: int, seed: int, *, quantity: str, max_memory: Any = None
) -> MCEstimate:
    arg = _POINT_ARGUMENT.get(quantity)
    point = {} if arg is None else {arg: int(params[arg]) if arg == "k" else params[arg]}
    return simulate(quantity, params["gamma"], params["sigma2"], n=size, reps=reps, seed=seed, max_memory=max_memory, **point)


def _registry_check(params: dict[str, str], size: int, reps: int, *, quantity: str, max_memory: Any = None) -> None:
    check_request(params["gamma"], n=size, reps=reps, max_memory=max_memory)


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    return {**params, "gamma": f"{est.p}/{est.n}"}


def _registry_points(sizes: Any) -> Any:
    """``gamma`` ∈ [max(0.1, 40/min size), 4] with ``|γ − 1| ≥ 0.05``, ``sigma2`` ∈ [0.25, 4]; ``cdf`` at
    ``x = a + u(b − a)`` with ``u`` ∈ [0.05, 0.95]; ``moment`` of order ``k`` ∈ {1, …, 4}."""
    import math

    from hypothesis import strategies as st

    from ..points import rounded, text

    low = float(f"{max(0.1, MP_MIN_P / min(sizes)):.3g}")

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        gamma = draw_(rounded(low, max(4.0, 2 * low)).filter(lambda g: abs(g - 1) >= 0.05))
        sigma2 = draw_(rounded(0.25, 4))
        u = draw_(rounded(0.05, 0.95))
        a, b = sigma2 * (1 - math.sqrt(gamma)) ** 2, sigma2 * (1 + math.sqrt(gamma)) ** 2
        k = draw_(st.integers(1, 4))
        return {"gamma": text(gamma), "sigma2": text(sigma2), "x": text(a + u * (b - a)), "k": str(k)}

    return draw()


def _registry_curve(quantity: str, axis: str, grid: np.ndarray, params: dict[str, str], *, n: Any = None, **run: Any) -> Any:
    """The overlay along ``x``: one simulation serves the whole grid."""
    fixed = fixed_params("mp", axis, params, ("gamma", "sigma2"))
    est = simulate(quantity, fixed["gamma"], fixed["sigma2"], n=DEFAULT_N if n is None else n, x=grid, **run)
    return np.asarray(est.mean, dtype=float), np.asarray(est.se, dtype=float)


def _registry_curve_extras(
    quantity: str,
    axis: str,
    grid: np.ndarray, params: dict[str, str], *, reps: int, seed: int, n: int | None, max_memory: Any
) -> dict[str, Any]:
    """``{"hist": (edges, heights)}`` for an ``mp density`` overlay (``{}`` otherwise): a histogram of the
    eigenvalues behind the means over the grid's range.

    Bins of width ``(b − a)/50`` (the density estimator's default), at most 400 over the range; the
    ``p − n`` structural zeros of ``γ > 1`` (the atom) are left out and the heights are divided by
    ``p·reps·width``, so that they estimate the continuous density ``ρ`` of the theory.
    """
    if quantity != "density":
        return {}
    fixed = fixed_params("mp", axis, params, ("gamma", "sigma2"))
    size = DEFAULT_N if n is None else n
    a, b = _edges(float(check_real("gamma", fixed["gamma"])), float(check_real("sigma2", fixed["sigma2"])))
    lo, hi = float(np.min(grid)), float(np.max(grid))
    width = (b - a) / 50 if b > a else (hi - lo) / 60
    if hi <= lo:
        lo, hi = lo - width, hi + width
    count = int(np.clip(np.ceil((hi - lo) / width), 10, 400))
    edges = np.linspace(lo, hi, count + 1)
    counts = np.zeros(count)
    p = 0
    for eigs in replicate_eigenvalues(fixed["gamma"], fixed["sigma2"], n=size, reps=reps, seed=seed, max_memory=max_memory):
        p = eigs.size
        live = eigs[p - size :] if p > size else eigs
        counts += np.histogram(live, bins=edges)[0]
    heights = counts / (max(p, 1) * reps * np.diff(edges))
    return {"hist": (edges, heights)}


register_simulator(
    SimulatorSpec.from_module(
        __name__,
        model="mp",
        size_param="n",
        sizes=(100, 200, 400),
        quantities=CAMPAIGN_QUANTITIES,
        curve_quantities=CURVE_QUANTITIES,
        curve_axes=("x",),
        simulator=_registry_simulate,
        check=_registry_check,
        realize=_registry_realize,
        points=_registry_points,
        curve=_registry_curve,
        curve_extras=_registry_curve_extras,
    )
)
