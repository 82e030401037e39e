"""Sampling primitives shared by the simulators: sizes, seeds, designs, input checks.

Reproducibility contract: one :class:`numpy.random.SeedSequence` per call, built from the
integer ``seed``, spawns one child per replicate, and replicate ``r`` draws everything it
needs (design, then noise) from ``numpy.random.default_rng(child_r)``.  Replicate ``r`` of a
run with ``reps = R`` is therefore the same matrix as replicate ``r`` of a run with any
other ``reps > r``, and runs with the same ``seed`` are bit-for-bit identical.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np
from tqdm import tqdm

from asymptotics._validate import check_int
from asymptotics.errors import ParameterError

DESIGNS = ("gaussian", "rademacher")


def check_design(design: Any) -> str:
    """Validate the entry distribution of the design."""
    if design not in DESIGNS:
        raise ParameterError(f"`design` must be one of {', '.join(repr(d) for d in DESIGNS)}; got {design!r}.")
    return str(design)


def check_run(n: Any, reps: Any, seed: Any) -> tuple[int, int, int]:
    """Validate ``n ≥ 1``, ``reps ≥ 1`` and ``seed ≥ 0`` (integers)."""
    return check_int("n", n, low=1), check_int("reps", reps, low=1, high=MAX_REPS), check_int("seed", seed, low=0)


MAX_REPS = 10**6
"""Most replicates a simulator runs in one call (a typo such as reps=1e9 would otherwise run for days)."""

MAX_ENTRIES = 2 * 10**8
"""Largest matrix a simulator will allocate (entries; 1.6 GB of float64)."""


def check_entries(what: str, **dims: int) -> None:
    """Refuse a matrix of more than :data:`MAX_ENTRIES` entries before numpy tries to allocate it."""
    total = math.prod(dims.values())
    if total > MAX_ENTRIES:
        shape = " × ".join(f"{k} = {magnitude(v)}" for k, v in dims.items())
        raise ParameterError(
            f"{what} ({shape}) would hold {magnitude(total)} entries, more than {MAX_ENTRIES:.0e} (1.6 GB): choose smaller sizes."
        )


def magnitude(v: Any) -> str:
    """A possibly astronomical exact number for a message: ``~1e+399``, never a float overflow."""
    if v == math.inf:
        return "inf"
    return str(v) if v < 10**15 else f"~1e+{len(str(int(v))) - 1}"


def features(gamma: Fraction, n: int) -> int:
    """``p = round(γ n)`` (Python's ``round``: nearest integer, ties to even), checked ``≥ 1``
    and with an ``n × p`` design of at most :data:`MAX_ENTRIES` entries."""
    p = round(gamma * n)
    if p < 1:
        raise ParameterError(
            f"`n` = {n} gives p = round(gamma * n) = 0 features at gamma = {float(gamma):g}; "
            f"`n` must be ≥ {int(np.ceil(0.5 / float(gamma))) + 1}."
        )
    check_entries("the design", n=n, p=p)
    return p


def replicate_rngs(seed: int, reps: int, *, progress: bool = False, desc: str = "replicates") -> Iterator[np.random.Generator]:
    """One independent generator per replicate: ``SeedSequence(seed).spawn(reps)``."""
    children = np.random.SeedSequence(seed).spawn(reps)
    for child in tqdm(children, desc=desc, disable=None if progress else True, leave=False):
        yield np.random.default_rng(child)


def standardized_design(rng: np.random.Generator, n: int, p: int, design: str) -> np.ndarray:
    """``n × p`` matrix of i.i.d. entries with mean 0 and variance 1 (float64)."""
    if design == "gaussian":
        return rng.standard_normal((n, p))
    signs = rng.integers(0, 2, size=(n, p), dtype=np.int8)
    return (2.0 * signs - 1.0).astype(np.float64, copy=False)


def numerical_zeros(d: np.ndarray, n: int, p: int) -> np.ndarray:
    """Mask of eigenvalues of ``S`` that are zero to working precision.

    Uses numpy's rank rule: ``d ≤ max(d) · max(n, p) · eps`` (``d`` are squared singular
    values, so the rule is applied to ``√d``).
    """
    if d.size == 0:
        return np.zeros(0, dtype=bool)
    root = np.sqrt(d)
    return root <= root.max() * max(n, p) * np.finfo(float).eps


def lambda_grid(lams: Any, default: Any) -> np.ndarray:
    """The ridge grid of a simulation: ``lams`` as a float array (each ``λ ≥ 0``, ``inf`` allowed), or ``default``."""
    if lams is None:
        return np.asarray(float(default))
    try:
        grid = np.asarray(lams, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"`lams` must be an array of ridge penalties ≥ 0; got {lams!r}.") from None
    if grid.size == 0 or np.any(np.isnan(grid)) or np.any(grid < 0):
        raise ParameterError(f"`lams` must be a non-empty array of penalties ≥ 0 (inf allowed); got {lams!r}.")
    return grid


def check_quantities(quantities: Any, valid: tuple[str, ...], hint: str = "") -> tuple[str, ...]:
    """``quantities`` (a name or a sequence) as a non-empty tuple of names from ``valid``."""
    wanted = tuple(quantities) if not isinstance(quantities, str) else (quantities,)
    if not wanted or any(q not in valid for q in wanted):
        raise ParameterError(f"`quantities` must be a non-empty subset of {', '.join(valid)}{hint}; got {list(wanted)!r}.")
    return wanted
