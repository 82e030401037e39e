"""Monte Carlo overlays for ``asymptotics curve ... --mc REPS``.

The CLI finds :func:`simulate_curve` through the entry-point group
``asymptotics.simulators`` (declared in ``pyproject.toml``), so ``asymptotics`` never
imports ``validation``.  What each model supports (quantities, axes, the default size, how a
sweep runs) comes from its simulator in :mod:`validation.simulators.registry`: a built-in
simulator registers it, and a model defined outside the package declares it on its
``ModelSpec`` (``simulator=SimulatorDecl(...)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asymptotics._validate import float_arrays
from asymptotics.errors import ParameterError
from asymptotics.models import get_model

from .simulators.registry import DEFAULT_D, DEFAULT_N, fixed_params, get_simulator, pointwise_curve, sweep

__all__ = ["DEFAULT_D", "DEFAULT_N", "simulate_curve"]

_fixed_params = fixed_params  # the helpers' old private names
_sweep = sweep


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
    extras: dict[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo mean and standard error of ``quantity`` along ``axis``.

    Parameters
    ----------
    model : str
        Registry name (aliases accepted) of a model with a simulator
        (:func:`~validation.simulators.registry.get_simulator`): the built-ins ``mp``,
        ``ridge``, ``rf``, ``krr``, ``nt``, or a model whose ``ModelSpec`` declares one (its
        overlay runs point by point, :func:`~validation.simulators.registry.pointwise_curve`).
        ``krr`` is delegated to :func:`validation.simulators.krr.curve` (axes ``n``,
        ``alpha``, ``lam``; quantities ``risk``, ``train_error``; ``n`` must be None, see there).
    quantity : str
        One of the simulator's ``curve_quantities``; for the built-ins: ``ridge``: ``risk``,
        ``bias``, ``variance``, ``train_error``.  ``rf``: ``risk``, ``train_error`` (the RF
        bias/variance split cannot be simulated: ``F_⋆²`` acts as noise).  ``mp``:
        ``density`` (histogram estimate, bin width ``(b − a)/50``) or ``cdf``.
    axis : str
        One of the simulator's ``curve_axes``; for the built-ins: ``ridge``: ``lam`` (one SVD
        per replicate for the whole grid) or ``gamma``, ``r2``, ``sigma2``, ``tau2`` (one
        simulation per point, all with the same ``seed``).  ``rf``: ``lam`` (one SVD per
        replicate for the grid) or ``psi1``, ``psi2``, ``N_over_n``, ``F1sq``, ``Fstar2``,
        ``tau2`` (one simulation per point, same ``seed``).
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
        A declared simulator: its size (default its largest campaign size), unless its size
        parameter is a model parameter (then ``n`` must be None, as for ``krr``).
    progress : bool, keyword-only
        Show a tqdm bar.
    max_memory : float, keyword-only
        Memory limit of each simulation in GiB (default: the environment variable
        ``ASYMPTOTICS_MAX_MEMORY_GB``, else 2).  Every point's estimated peak memory is
        checked before the first simulation runs.
    extras : dict, keyword-only
        When given, filled with what a figure can draw beyond the means (the simulator's
        ``curve_extras`` hook); for ``mp density``, ``extras["hist"] = (edges, heights)``, a
        histogram of the simulated eigenvalues pooled over the replicates (same seed, so the same
        eigenvalues as the means; structural zeros left out, heights normalized by ``p`` per
        replicate like the continuous density).

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
    sim = get_simulator(name)
    if quantity not in sim.curve_quantities:
        raise ParameterError(f"no Monte Carlo estimate of {name} {quantity!r}; available: {', '.join(sim.curve_quantities)}.")
    if axis not in sim.curve_axes:
        raise ParameterError(f"Monte Carlo for {name} {quantity} runs along {', '.join(sim.curve_axes)}; got axis {axis!r}.")
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 2:
        raise ParameterError(f"`reps` must be an integer ≥ 2 (an SE needs two replicates); got {reps!r}.")
    (grid,) = float_arrays(values=values)
    run = {"reps": reps, "seed": seed, "n": n, "progress": progress, "max_memory": max_memory}
    if sim.curve is not None:
        out = sim.curve(quantity, axis, grid, dict(params), **run)
    else:
        out = pointwise_curve(sim, quantity, axis, grid, dict(params), **run)
    if extras is not None and sim.curve_extras is not None:
        extras.update(sim.curve_extras(quantity, axis, grid, dict(params), reps=reps, seed=seed, n=n, max_memory=max_memory))
    return out
