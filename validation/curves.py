"""Monte Carlo overlays for ``asymptotics curve ... --mc REPS``.

The CLI finds :func:`simulate_curve` through the entry-point group
``asymptotics.simulators`` (names ``mp`` and ``ridge``, declared in ``pyproject.toml``), so
``asymptotics`` never imports ``validation``.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.models.ridge import RidgeParams

from .simulators import marchenko_pastur as mp_sim
from .simulators import ridge as ridge_sim

DEFAULT_N = 400

_SUPPORTED = {
    "mp": {"quantities": ("density", "cdf"), "axes": ("x",)},
    "ridge": {"quantities": ridge_sim.QUANTITIES, "axes": ("lam", "gamma", "r2", "sigma2", "tau2")},
}


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
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo mean and standard error of ``quantity`` along ``axis``.

    Parameters
    ----------
    model : {"mp", "ridge"}
        Registry name (aliases accepted).
    quantity : str
        ``ridge``: ``risk``, ``bias``, ``variance``, ``train_error``.  ``mp``: ``density``
        (histogram estimate, bin width ``(b − a)/50``) or ``cdf``.
    axis : str
        ``ridge``: ``lam`` (one SVD per replicate for the whole grid) or ``gamma``, ``r2``,
        ``sigma2``, ``tau2`` (one simulation per point, all with the same ``seed``).
        ``mp``: ``x``.
    values : numpy.ndarray
        Axis values (1-d).
    params : dict[str, str]
        The other parameters as strings (``{"gamma": "2", "sigma2": "0.25"}``; ridge also
        ``spectrum``, in the text form of :meth:`~asymptotics.models.ridge.Spectrum.parse`);
        missing ones take the registry defaults (``get_model(model).params[name].default``).
    reps : int, keyword-only
        Replicates per point (``≥ 2``).
    seed : int, keyword-only
        Root seed.
    n : int, keyword-only
        Samples per design (default 400); ``p = round(γ n)``.
    progress : bool, keyword-only
        Show a tqdm bar.

    Returns
    -------
    (mean, se) : tuple of numpy.ndarray
        Both of ``values``' shape; ``se = std(ddof=1)/√reps``.

    Raises
    ------
    ParameterError
        Unsupported model/quantity/axis combination, unknown or missing parameters, bad
        sizes.
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
    nn = DEFAULT_N if n is None else n
    grid = np.asarray(values, dtype=float)

    if name == "mp":
        fixed = _fixed_params(name, axis, params, ("gamma", "sigma2"))
        est = mp_sim.simulate(quantity, fixed["gamma"], fixed["sigma2"], n=nn, reps=reps, seed=seed, x=grid, progress=progress)
        return np.asarray(est.mean, dtype=float), np.asarray(est.se, dtype=float)

    fixed = _fixed_params(name, axis, params, ("gamma", "lam", "r2", "sigma2", "tau2", "spectrum"))
    if axis == "lam":
        est = ridge_sim.simulate(
            RidgeParams(**fixed), n=nn, reps=reps, lams=grid, seed=seed, quantities=(quantity,), progress=progress
        )[quantity]
        return np.asarray(est.mean, dtype=float), np.asarray(est.se, dtype=float)
    mean, se = np.empty(grid.shape), np.empty(grid.shape)
    for i in tqdm(
        np.ndindex(grid.shape),
        total=grid.size,
        desc=f"ridge {quantity} vs {axis}",
        disable=None if progress else True,
        leave=False,
    ):
        pr = RidgeParams(**{**fixed, axis: float(grid[i])})
        est = ridge_sim.simulate(pr, n=nn, reps=reps, seed=seed, quantities=(quantity,))[quantity]
        mean[i], se[i] = est.mean, est.se
    return mean, se
