"""Monte Carlo overlays for ``asymptotics curve ... --mc REPS``.

The CLI finds :func:`simulate_curve` through the entry-point group
``asymptotics.simulators`` (names ``mp``, ``ridge``, ``rf``, ``krr`` and ``nt``, declared in
``pyproject.toml``), so ``asymptotics`` never imports ``validation``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tqdm import tqdm

from asymptotics._validate import float_arrays
from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.models.neural_tangent import NTParams
from asymptotics.models.random_features import RFParams
from asymptotics.models.ridge import RidgeParams

from .simulators import krr as krr_sim
from .simulators import marchenko_pastur as mp_sim
from .simulators import neural_tangent as nt_sim
from .simulators import random_features as rf_sim
from .simulators import ridge as ridge_sim

DEFAULT_N = 400
DEFAULT_D = 200
"""Default input dimension ``d`` of the ``rf`` overlay (``--n`` means ``d`` there)."""

_SUPPORTED = {
    "mp": {"quantities": ("density", "cdf"), "axes": ("x",)},
    "ridge": {"quantities": ridge_sim.QUANTITIES, "axes": ("lam", "gamma", "r2", "sigma2", "tau2")},
    "rf": {"quantities": rf_sim.QUANTITIES, "axes": ("lam", "psi1", "psi2", "N_over_n", "F1sq", "Fstar2", "tau2")},
    "krr": {"quantities": krr_sim.QUANTITIES, "axes": krr_sim.CURVE_AXES},
    "nt": {"quantities": nt_sim.QUANTITIES, "axes": ("lam", "psi1", "psi2", "F1sq", "Fstar2", "tau2")},
}
_RF_ALTERNATIVES = ("psi1", "N_over_n")  # psi1 = N_over_n * psi2: pass only the one the user gave


def _fixed_params(model: str, axis: str, params: dict[str, str], needed: tuple[str, ...]) -> dict[str, str]:
    """The model's parameters with registry defaults filled in (the axis excluded)."""
    spec = get_model(model)
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)} for model {model!r}; valid: {', '.join(spec.params)}.")
    fixed: dict[str, str] = {}
    for name in needed:
        if name == axis:
            continue
        if name in params:
            fixed[name] = params[name]
        elif name == "r2" and params.get("spectrum", "isotropic").strip().lower() != "isotropic":
            continue  # the spectrum's energies set r2
        elif spec.params[name].default is not None:
            fixed[name] = str(spec.params[name].default)
        else:
            raise ParameterError(f"`{name}` is required for the {model!r} Monte Carlo overlay (it has no default).")
    return fixed


def simulate_curve(
    model: str,
    quantity: str,
    axis: str,
    values: np.ndarray,
    params: dict[str, str],
    *,
    reps: int,
    seed: int = 0,
    n: int | None = None,
    progress: bool = False,
    max_memory: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo mean and standard error of ``quantity`` along ``axis``.

    Parameters
    ----------
    model : {"mp", "ridge", "rf", "krr"}
        Registry name (aliases accepted).  ``krr`` is delegated to
        :func:`validation.simulators.krr.curve` (axes ``n``, ``alpha``, ``lam``; quantities
        ``risk``, ``train_error``; ``n`` must be None, see there).
    quantity : str
        ``ridge``: ``risk``, ``bias``, ``variance``, ``train_error``.  ``rf``: ``risk``,
        ``train_error`` (the RF bias/variance split cannot be simulated: ``F_⋆²`` acts as
        noise).  ``mp``: ``density`` (histogram estimate, bin width ``(b − a)/50``) or ``cdf``.
    axis : str
        ``ridge``: ``lam`` (one SVD per replicate for the whole grid) or ``gamma``, ``r2``,
        ``sigma2``, ``tau2`` (one simulation per point, all with the same ``seed``).
        ``rf``: ``lam`` (one SVD per replicate for the grid) or ``psi1``, ``psi2``,
        ``N_over_n``, ``F1sq``, ``Fstar2``, ``tau2`` (one simulation per point, same ``seed``).
        ``mp``: ``x``.
    values : numpy.ndarray
        Axis values (1-d).
    params : dict[str, str]
        The other parameters as strings (``{"gamma": "2", "sigma2": "0.25"}``; ridge also
        ``spectrum``, in the text form of :meth:`~asymptotics.models.ridge.Spectrum.parse`);
        missing ones take the registry defaults (``get_model(model).params[name].default``).
        ``rf`` takes ``psi1`` *or* ``N_over_n`` (``ψ₁ = (N/n)ψ₂``), whichever was given.
    reps : int, keyword-only
        Replicates per point (``≥ 2``).
    seed : int, keyword-only
        Root seed.
    n : int, keyword-only
        ``mp``, ``ridge``: samples per design (default 400); ``p = round(γ n)``.  ``rf``: the
        input dimension ``d`` (default 200), with ``N = round(ψ₁d)`` features and
        ``n = round(ψ₂d)`` samples (so ``asymptotics curve rf ... --n 300`` simulates
        ``d = 300``).  ``nt``: likewise the input dimension (``psi1`` is required: it sets the
        number of neurons; axes ``lam``, ``psi1``, ``psi2``, ``F1sq``, ``Fstar2``, ``tau2``).
    progress : bool, keyword-only
        Show a tqdm bar.
    max_memory : float, keyword-only
        Memory limit of each simulation in GiB (default: the environment variable
        ``ASYMPTOTICS_MAX_MEMORY_GB``, else 2).  Every point's estimated peak memory is
        checked before the first simulation runs.

    Returns
    -------
    (mean, se) : tuple of numpy.ndarray
        Both of ``values``' shape; ``se = std(ddof=1)/√reps``.

    Raises
    ------
    ParameterError
        Unsupported model/quantity/axis combination, unknown or missing parameters, bad
        sizes, a simulation whose estimated memory exceeds the limit.
    """
    spec = get_model(model)
    name = spec.name
    if name not in _SUPPORTED:
        raise ParameterError(f"no Monte Carlo simulator for model {model!r}; available: {', '.join(_SUPPORTED)}.")
    sup = _SUPPORTED[name]
    if quantity not in sup["quantities"]:
        raise ParameterError(f"no Monte Carlo estimate of {name} {quantity!r}; available: {', '.join(sup['quantities'])}.")
    if axis not in sup["axes"]:
        raise ParameterError(f"Monte Carlo for {name} {quantity} runs along {', '.join(sup['axes'])}; got axis {axis!r}.")
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 2:
        raise ParameterError(f"`reps` must be an integer ≥ 2 (an SE needs two replicates); got {reps!r}.")
    (grid,) = float_arrays(values=values)
    if name == "krr":  # n and d are model parameters: `n` (the CLI's --n) must be None there
        return krr_sim.curve(quantity, axis, grid, params, reps=reps, seed=seed, n=n, progress=progress, max_memory=max_memory)
    run = {"reps": reps, "seed": seed, "progress": progress, "max_memory": max_memory}
    if name == "nt":
        return _simulate_nt(quantity, axis, grid, params, d=DEFAULT_D if n is None else n, **run)
    if name == "rf":
        return _simulate_rf(quantity, axis, grid, params, d=DEFAULT_D if n is None else n, **run)
    nn = DEFAULT_N if n is None else n

    if name == "mp":
        fixed = _fixed_params(name, axis, params, ("gamma", "sigma2"))
        est = mp_sim.simulate(quantity, fixed["gamma"], fixed["sigma2"], n=nn, x=grid, **run)
        return np.asarray(est.mean, dtype=float), np.asarray(est.se, dtype=float)

    fixed = _fixed_params(name, axis, params, ("gamma", "lam", "r2", "sigma2", "tau2", "spectrum"))
    return _sweep(ridge_sim, RidgeParams, fixed, quantity, axis, grid, run, label="ridge", n=nn)


def _simulate_rf(
    quantity: str, axis: str, grid: np.ndarray, params: dict[str, str], *, d: int, **run: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The ``rf`` overlay: ``d`` is the input dimension; ``psi1`` and ``N_over_n`` are alternatives."""
    given = [k for k in _RF_ALTERNATIVES if k in params or k == axis]
    if len(given) > 1:
        raise ParameterError("give either `psi1` (= N/d) or `N_over_n` (= N/n) for the rf Monte Carlo overlay, not both.")
    if not given:
        raise ParameterError("`psi1` (= N/d) or `N_over_n` (= N/n) is required for the 'rf' Monte Carlo overlay.")
    needed = (*given, "psi2", "lam", "activation", "F1sq", "Fstar2", "tau2")
    fixed = _fixed_params("rf", axis, params, needed)
    return _sweep(rf_sim, RFParams, fixed, quantity, axis, grid, run, label="rf", d=d)


def _simulate_nt(
    quantity: str, axis: str, grid: np.ndarray, params: dict[str, str], *, d: int, **run: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The ``nt`` overlay: ``d`` is the input dimension, ``psi1`` (required) sets ``N = round(ψ₁d)``."""
    if "psi1" not in params and axis != "psi1":
        raise ParameterError("`psi1` (= N/d) is required for the 'nt' Monte Carlo overlay: it sets the number of neurons.")
    needed = ("psi1", "psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "layers")
    fixed = _fixed_params("nt", axis, params, needed)
    return _sweep(nt_sim, NTParams, fixed, quantity, axis, grid, run, label="nt", d=d)


def _sweep(
    module: Any,
    make: Any,
    fixed: dict[str, str],
    quantity: str,
    axis: str,
    grid: np.ndarray,
    run: dict[str, Any],
    *,
    label: str,
    **size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SE along ``axis``: one simulation serves the whole grid for ``lam`` (a ridge grid per
    replicate), otherwise one simulation per point, all with the same ``seed``.  ``module`` is the
    simulator (its ``simulate`` and ``check_request``); every point's memory is checked first, so a
    too large point is refused before the smaller ones have run."""
    reps, seed, progress, max_memory = run["reps"], run["seed"], run["progress"], run["max_memory"]
    common = {**size, "reps": reps, "quantities": (quantity,), "max_memory": max_memory}
    if axis == "lam":
        est = module.simulate(make(**fixed), lams=grid, seed=seed, progress=progress, **common)
        return np.asarray(est[quantity].mean, dtype=float), np.asarray(est[quantity].se, dtype=float)
    points = [make(**{**fixed, axis: float(grid[i])}) for i in np.ndindex(grid.shape)]
    for params in points:
        module.check_request(params, **common)
    mean, se = np.empty(grid.shape), np.empty(grid.shape)
    for i, params in zip(
        tqdm(
            np.ndindex(grid.shape),
            total=grid.size,
            desc=f"{label} {quantity} vs {axis}",
            disable=None if progress else True,
            leave=False,
        ),
        points,
        strict=True,
    ):
        est = module.simulate(params, seed=seed, **common)[quantity]
        mean[i], se[i] = est.mean, est.se
    return mean, se
