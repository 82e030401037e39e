r"""Monte Carlo for the deformed Marchenko–Pastur law (mirror of :mod:`asymptotics.models.deformed_mp`).

Setting
-------
``G`` is ``n × p`` (``p = round(γ n)``) with i.i.d. standardized entries and ``Σ`` is diagonal with
the atoms of the population spectrum, block ``j`` holding ``p_j`` features (``p_j`` = ``w_j p``
rounded by largest remainders so that ``Σ p_j = p``).  The data are ``X = G Σ^{1/2}`` (rows
``Σ^{1/2} g``) and each replicate computes the ``p`` eigenvalues of ``S = XᵀX/n =
Σ^{1/2} GᵀG Σ^{1/2}/n`` as squared singular values (``p − n`` structural zeros set exactly to 0
when ``p > n``).  The theory is compared at the realized point: ``γ = p/n`` and weights ``p_j/p``.
For the continuous law ``mp:gamma=G,scale=S`` each replicate draws its own population covariance, the
eigenvalues of ``S WᵀW/m`` (``W`` an ``m × p`` Gaussian matrix, ``m = round(p/G)``): the simulated matrix is
the product of two independent Wisharts, whose limit is the model's at ``(γ, G)``.

Estimators (one value per replicate)
------------------------------------
* ``stieltjes``: ``(1/p) Σ 1/(λᵢ − z)``;  ``cdf``: ``#{λᵢ ≤ x}/p``;  ``moment``: ``(1/p) Σ λᵢᵏ``;
* ``density``: histogram ``#{λᵢ ∈ [x − h/2, x + h/2)}/(p h)`` of the non-structural eigenvalues
  (``h`` = 1/50 of the support's span by default; bias ``≈ h²ρ''/24``, larger near edges);
* :func:`ks_distance`: the Kolmogorov–Smirnov distance ``sup_x |F_n(x) − F(x)|`` between the
  empirical spectral CDF and the limit CDF (a whole-density test; it is ``O(1/n)`` up to logs
  for this law, far below the i.i.d. ``1/√p`` scale, since eigenvalues repel).

References
----------
Silverstein & Bai (1995); Bai & Silverstein (2010), ch. 4 and ch. 9.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from asymptotics._validate import check_int, check_real, exact_str, shown_params, to_complex_fractions
from asymptotics.errors import ParameterError
from asymptotics.models.deformed_mp import PopulationSpectrum, cdf_curve

from ..compare import MCEstimate
from ._sampling import check_design, check_memory, check_run, features, footprint, replicate_rngs, standardized_design
from .registry import DEFAULT_N, SimulatorSpec, fixed_params, register_simulator

QUANTITIES = ("stieltjes", "cdf", "moment", "density")


def population_sample(spectrum: PopulationSpectrum, p: int, rng: np.random.Generator) -> np.ndarray:
    """For ``mp:gamma=G,scale=S``: the ``p`` eigenvalues of ``S WᵀW/m`` with ``W`` an ``m × p`` standard Gaussian
    matrix, ``m = max(1, round(p/G))`` (a fresh Wishart population covariance per replicate; the Gaussian design
    is rotation invariant, so ``Σ`` may be taken diagonal).  ``p − m`` exact zeros when ``p > m``."""
    assert spectrum._mp is not None
    G, S = spectrum._mp
    m = max(1, round(p / float(G)))
    w = rng.standard_normal((m, p))
    d = np.linalg.svd(w, compute_uv=False) ** 2 * (float(S) / m)
    return np.sort(np.concatenate([np.zeros(max(0, p - d.size)), d]))


def block_counts(spectrum: PopulationSpectrum, p: int) -> list[int]:
    """Features per atom: ``w_j p`` rounded by largest remainders (sum exactly ``p``)."""
    if spectrum.continuous:
        raise ParameterError("`spectrum` mp:... is continuous: it has no blocks (see population_sample).")
    if not spectrum.exact:
        pw = spectrum._power
        assert pw is not None
        if p % pw[0]:
            raise ParameterError(f"`spectrum` {spectrum.label}: p = {p} features must be a multiple of its {pw[0]} atoms.")
        return [p // pw[0]] * pw[0]
    raw = [w * p for w in spectrum.weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda j: -(raw[j] - counts[j]))
    for j in order[: p - sum(counts)]:
        counts[j] += 1
    return counts


def population_diagonal(spectrum: PopulationSpectrum, p: int) -> np.ndarray:
    """The diagonal of ``Σ`` (``p`` entries, blocks in ascending order of eigenvalue)."""
    counts = block_counts(spectrum, p)
    if spectrum.exact:
        atoms = [float(t) for t in spectrum.eigenvalues]
    else:
        pw = spectrum._power
        assert pw is not None
        atoms = sorted(float(j) ** (-float(pw[1])) for j in range(1, pw[0] + 1))
    return np.repeat(np.array(atoms), counts)


def realized_spectrum(spectrum: PopulationSpectrum, p: int) -> str:
    """The text form of the spectrum the simulation actually had (weights ``p_j/p``)."""
    if not spectrum.exact:
        return spectrum.label  # power law, or the continuous mp law (its population is sampled: no realized blocks)
    counts = block_counts(spectrum, p)
    pairs = [f"{exact_str(t)}/{c}/{p}" for t, c in zip(spectrum.eigenvalues, counts, strict=True) if c]  # weight c/p
    return "blocks:" + ",".join(pairs)


def eigenvalues(g: np.ndarray, diag: np.ndarray) -> np.ndarray:
    """The ``p`` eigenvalues of ``Σ^{1/2}GᵀGΣ^{1/2}/n`` (ascending; structural zeros exact)."""
    n, p = g.shape
    live = diag > 0
    d = np.linalg.svd(g[:, live] * np.sqrt(diag[live])[None, :], compute_uv=False) ** 2 / n
    d.sort()
    zeros = p - d.size  # rank ≤ min(n, #non-zero features): the rest are exact zeros
    if zeros > 0:
        d = np.concatenate([np.zeros(zeros), d])
    return d


def check_request(gamma: Any, *, n: int, reps: int, points: int = 1, max_memory: Any = None) -> None:
    """Refuse a request whose memory estimate (design, SVD copy, complex grid) exceeds the limit."""
    g = check_real("gamma", gamma, low=0, low_open=True)
    nn, rr, _ = check_run(n, reps, 0)
    p = features(g, nn)  # type: ignore[arg-type]
    nbytes = footprint(3 * nn * p + 3 * (nn + p) + 4 * points * max(nn, p) + 4 * rr * max(points, 1))
    check_memory("the deformed Marchenko-Pastur simulation", nbytes, max_memory=max_memory, n=nn, p=p, points=points, reps=rr)


def replicate_eigenvalues(
    gamma: Any, spectrum: Any = None, *, n: int, reps: int, seed: int = 0, design: str = "gaussian", max_memory: Any = None
) -> Iterator[np.ndarray]:
    """Yield the eigenvalues of ``S`` for ``reps`` independent replicates."""
    g = check_real("gamma", gamma, low=0, low_open=True)
    spec = PopulationSpectrum.parse(spectrum)
    n, reps, seed = check_run(n, reps, seed)
    design = check_design(design)
    p = features(g, n)  # type: ignore[arg-type]
    check_request(g, n=n, reps=reps, points=0, max_memory=max_memory)
    diag = None if spec.continuous else population_diagonal(spec, p)
    for rng in replicate_rngs(seed, reps):
        d = population_sample(spec, p, rng) if diag is None else diag
        yield eigenvalues(standardized_design(rng, n, p, design), d)


def ks_distance(eigs: np.ndarray, gamma: Any, spectrum: Any = None) -> float:
    """``sup_x |F_n(x) − F(x)|`` with ``F`` the limit CDF (float64 curve) at the realized ``γ``.

    The supremum of a step function against a continuous CDF is attained at the jumps: both
    one-sided differences at every eigenvalue are taken (an atom at 0 of the limit is included in
    ``F``).  Points the float64 curve cannot evaluate are skipped.
    """
    eigs = np.sort(np.asarray(eigs, dtype=float))
    p = eigs.size
    F, st = cdf_curve(eigs, float(check_real("gamma", gamma, low=0, low_open=True)), spectrum)
    ok = st == 0
    # F_n jumps at each distinct eigenvalue; with ties (structural zeros) the right limit counts all of them
    right = np.searchsorted(eigs, eigs, side="right") / p
    left = np.searchsorted(eigs, eigs, side="left") / p
    spec = PopulationSpectrum.parse(spectrum)
    g = check_real("gamma", gamma, low=0, low_open=True)
    atom = float(max(spec.zero_weight, 1 - 1 / Fraction(g), Fraction(0)))
    F_left = np.where(eigs == 0, F - atom, F)  # F(x⁻): the limit's only atom is at 0
    return float(max(np.max(np.abs(right - F)[ok], initial=0.0), np.max(np.abs(F_left - left)[ok], initial=0.0)))


def simulate(
    quantity: str,
    gamma: Any,
    spectrum: Any = None,
    *,
    n: int,
    reps: int,
    seed: int = 0,
    design: str = "gaussian",
    z: Any = None,
    x: Any = None,
    k: Any = None,
    width: Any = None,
    max_memory: Any = None,
) -> MCEstimate:
    """Monte Carlo estimate of one deformed-MP statistic (see the module docstring).

    Parameters
    ----------
    quantity : {"stieltjes", "cdf", "moment", "density"}
    gamma : real
        Aspect ratio (``p = round(γ n)``).
    spectrum : str or PopulationSpectrum
        Population spectrum (same forms as the model's ``spectrum=``).
    n, reps, seed : int, keyword-only
        Samples, replicates (≥ 2 for an SE), root seed.
    design : {"gaussian", "rademacher"}, keyword-only
    z, x, k : keyword-only
        Points (complex ``z`` for ``stieltjes``, real ``x`` for ``cdf``/``density``, order ``k``).
    width : real, keyword-only
        Histogram bin width of ``density``.
    max_memory : float, keyword-only
        Memory limit in GiB.

    Returns
    -------
    MCEstimate
        ``samples`` of shape ``(reps, *points.shape)``.

    Examples
    --------
    >>> est = simulate("moment", "0.5", "blocks:1/0.5,4/0.5", n=200, reps=4, k=1, seed=1)
    >>> bool(abs(est.mean - 2.5) < 0.1)     # E_H[t]
    True
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown deformed-MP statistic {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    g = check_real("gamma", gamma, low=0, low_open=True)
    spec = PopulationSpectrum.parse(spectrum)
    nn, rr, sd = check_run(n, reps, seed)
    p = features(g, nn)  # type: ignore[arg-type]
    shown = {**shown_params(gamma=Fraction(p, nn)), "spectrum": realized_spectrum(spec, p), "design": design}
    pts: Any = None
    if quantity == "stieltjes":
        if z is None:
            raise ParameterError("`z` is required for the statistic 'stieltjes'.")
        zs = [z] if isinstance(z, str) else np.atleast_1d(np.asarray(z, dtype=complex)).tolist()
        pts = np.array([complex(*map(float, to_complex_fractions("z", v))) for v in zs])
        pts = pts.reshape(()) if isinstance(z, str) or np.ndim(z) == 0 else pts
    elif quantity in ("cdf", "density"):
        if x is None:
            raise ParameterError(f"`x` is required for the statistic {quantity!r}.")
        pts = np.asarray([float(check_real("x", x))]).reshape(()) if isinstance(x, str) else np.asarray(x, dtype=float)
    else:
        if k is None:
            raise ParameterError("`k` is required for the statistic 'moment'.")
        kk = check_int("k", k, low=0, high=60)
        shown["k"] = str(kk)
    h = None
    if quantity == "density":
        if width is None:
            hi = float(spec._mp[1]) * (1 + np.sqrt(float(spec._mp[0]))) ** 2 if spec._mp else float(max(spec.np_atoms()[0]))
            top = hi * (1 + np.sqrt(float(g))) ** 2
            h = top / 50
        else:
            h = float(check_real("width", width, low=0, low_open=True))
        shown["width"] = repr(h)
    check_request(g, n=nn, reps=rr, points=1 if pts is None else pts.size, max_memory=max_memory)
    rows = []
    for eigs in replicate_eigenvalues(g, spec, n=nn, reps=rr, seed=sd, design=design, max_memory=max_memory):
        if quantity == "stieltjes":
            rows.append((1.0 / (eigs - np.asarray(pts)[..., None])).mean(axis=-1))
        elif quantity == "cdf":
            rows.append(np.searchsorted(eigs, pts, side="right") / eigs.size)
        elif quantity == "moment":
            rows.append(float(np.mean(eigs**kk)))
        else:
            live = eigs[eigs.size - nn :] if eigs.size > nn else eigs
            zero_w = float(spec.zero_weight)
            if zero_w > 0:  # zero-variance features give exact-zero eigenvalues too: the atom, not the density
                live = live[live > 1e-12 * max(1.0, float(eigs[-1]))]
            hh = float(h or 0.0)
            c = np.searchsorted(live, np.asarray(pts) + hh / 2, side="left") - np.searchsorted(
                live, np.asarray(pts) - hh / 2, side="left"
            )
            rows.append(c / (eigs.size * hh))
    return MCEstimate(quantity, np.asarray(rows), nn, p, sd, shown, pts)


# ----------------------------------------------------------------------------- simulator registry
CAMPAIGN_QUANTITIES = ("cdf", "moment")
CURVE_QUANTITIES = ("density", "cdf")
_POINT_ARGUMENT = {"cdf": "x", "density": "x", "moment": "k", "stieltjes": "z"}
CAMPAIGN_SPECTRA = (
    "blocks:1/0.5,4/0.5",
    "blocks:1/0.5,10/0.5",
    "blocks:0/0.25,1/0.75",
    "spike:t=5,w=0.1",
    "blocks:0.5/0.3,2/0.7",
)
"""Population spectra of the campaign points (two-block, separated, a zero block, a spike)."""


def _registry_simulate(
    params: dict[str, str], size: int, reps: int, seed: int, *, quantity: str, max_memory: Any = None
) -> MCEstimate:
    arg = _POINT_ARGUMENT.get(quantity)
    point: dict[str, Any] = {} if arg is None else {arg: int(params[arg]) if arg == "k" else params[arg]}
    spectrum = params.get("spectrum", "isotropic")
    return simulate(quantity, params["gamma"], spectrum, n=size, reps=reps, seed=seed, max_memory=max_memory, **point)


def _registry_check(params: dict[str, str], size: int, reps: int, *, quantity: str, max_memory: Any = None) -> None:
    check_request(params["gamma"], n=size, reps=reps, max_memory=max_memory)


def _registry_realize(params: dict[str, str], est: MCEstimate, size: int) -> dict[str, str]:
    return {**params, "gamma": f"{est.p}/{est.n}", "spectrum": est.params["spectrum"]}


def _registry_points(sizes: Any) -> Any:
    """``gamma`` ∈ [max(0.1, 40/min size), 3]; ``spectrum`` one of :data:`CAMPAIGN_SPECTRA`; ``cdf`` at ``x`` ∈
    [0.05, 0.95] of the span of the outer support edges; ``moment`` of order ``k`` ∈ {1, 2, 3}."""
    from hypothesis import strategies as st

    from asymptotics.models.deformed_mp import edges

    from ..points import rounded, text

    low = float(f"{max(0.1, 40 / min(sizes)):.3g}")

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, str]:
        gamma = draw_(rounded(low, 3.0))
        spectrum = draw_(st.sampled_from(CAMPAIGN_SPECTRA))
        e = [float(v) for v in edges(text(gamma), spectrum, dps=15).value]
        u = draw_(rounded(0.05, 0.95))
        k = draw_(st.integers(1, 3))
        return {"gamma": text(gamma), "spectrum": spectrum, "x": text(e[0] + u * (e[-1] - e[0])), "k": str(k)}

    return draw()


def _registry_curve(quantity: str, axis: str, grid: np.ndarray, params: dict[str, str], *, n: Any = None, **run: Any) -> Any:
    """The overlay along ``x``: one simulation serves the whole grid."""
    fixed = fixed_params("dmp", axis, params, ("gamma", "spectrum"))
    est = simulate(quantity, fixed["gamma"], fixed["spectrum"], n=DEFAULT_N if n is None else n, x=grid, **run)
    return np.asarray(est.mean, dtype=float), np.asarray(est.se, dtype=float)


register_simulator(
    SimulatorSpec.from_module(
        __name__,
        model="dmp",
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
    )
)
