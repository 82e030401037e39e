"""Sampling primitives shared by the simulators: sizes, seeds, designs, input checks, memory.

Memory: every simulator estimates the peak memory of the arrays it will allocate from the
sizes alone (its ``peak_memory``, through :func:`footprint`) and refuses, before allocating
anything, a request above the limit (:func:`check_memory`): ``max_memory=`` in GiB on the
entry points, else the environment variable ``ASYMPTOTICS_MAX_MEMORY_GB`` (read at each call),
else :data:`DEFAULT_MAX_MEMORY_GB` (2 GiB).  The error is a :class:`MemoryLimitError`, a
:class:`~asymptotics.errors.ParameterError` naming the sizes and the estimate, so
``asymptotics curve ... --mc`` prints one line and exits 2.

Reproducibility contract: one :class:`numpy.random.SeedSequence` per call, built from the
integer ``seed``, spawns one child per replicate, and replicate ``r`` draws everything it
needs (design, then noise) from ``numpy.random.default_rng(child_r)``.  Replicate ``r`` of a
run with ``reps = R`` is therefore the same matrix as replicate ``r`` of a run with any
other ``reps > r``, and runs with the same ``seed`` are bit-for-bit identical.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np
from tqdm import tqdm

from asymptotics._validate import check_int, check_real
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

MAX_MEMORY_ENV = "ASYMPTOTICS_MAX_MEMORY_GB"
"""Environment variable with the memory limit of one simulation, in GiB (read at every call)."""

DEFAULT_MAX_MEMORY_GB = 2.0
"""Memory limit of one simulation when neither ``max_memory`` nor :data:`MAX_MEMORY_ENV` is given (GiB)."""

FLOAT = 8
"""Bytes per float64 entry (complex128 counts two)."""

MARGIN_BYTES = 16 * 2**20
"""Fixed allowance of a memory estimate for small arrays and buffers not counted one by one."""


def footprint(entries: int, extra: int = 0) -> int:
    """Bytes of ``entries`` float64 values plus ``extra`` bytes, with a 10 % margin and :data:`MARGIN_BYTES`.

    Integer arithmetic, so an astronomically large request is still compared exactly.  The
    simulators' ``peak_memory`` estimates count the large arrays alive together at the peak
    (LAPACK's working copies and workspace included); measured peak resident memory stays
    below the estimate (``tests/validation/test_hardening.py``).
    """
    return (11 * (FLOAT * entries + extra)) // 10 + MARGIN_BYTES


def memory_limit(max_memory: Any = None) -> float:
    """The memory limit of one simulation in bytes.

    ``max_memory`` (GiB, ``> 0``, ``inf`` for no limit) when given, else the environment
    variable :data:`MAX_MEMORY_ENV` (read now, so a running process can change it), else
    :data:`DEFAULT_MAX_MEMORY_GB`.  One GiB is ``2**30`` bytes.
    """
    name, value = "max_memory", max_memory
    if max_memory is None:
        text = os.environ.get(MAX_MEMORY_ENV, "").strip()
        if not text:
            return DEFAULT_MAX_MEMORY_GB * 2**30
        name, value = MAX_MEMORY_ENV, text
    try:
        gib = check_real(name, value, low=0, low_open=True, allow_inf=True)
    except ParameterError:
        raise ParameterError(
            f"`{name}` must be a memory limit in GiB, > 0 (inf: no limit); got {value!r}."
        ) from None
    return math.inf if gib == math.inf else float(gib) * 2**30


def gib(nbytes: Any) -> str:
    """``nbytes`` as GiB for a message (``~1e+399 bytes`` when astronomically large)."""
    if nbytes == math.inf:
        return "no limit"
    if nbytes >= 10**15 * 2**30:
        return f"{magnitude(nbytes)} bytes"
    return f"{nbytes / 2**30:.3g} GiB"


class MemoryLimitError(ParameterError):
    """A simulation whose estimated memory exceeds the limit (:func:`check_memory`); a :class:`ParameterError`."""


def check_memory(what: str, nbytes: int, *, max_memory: Any = None, **sizes: Any) -> None:
    """Refuse a simulation whose estimated peak memory ``nbytes`` exceeds :func:`memory_limit`.

    Called with the sizes only, before any array is allocated.  ``sizes`` are named in the
    message (``n = 20, N = 223607, ...``) so the user sees which one to reduce.

    Raises
    ------
    MemoryLimitError
        ``nbytes`` above the limit (a :class:`ParameterError`).
    ParameterError
        An invalid ``max_memory`` or :data:`MAX_MEMORY_ENV`.
    """
    limit = memory_limit(max_memory)
    if nbytes > limit:
        shown = ", ".join(f"{k} = {magnitude(v)}" for k, v in sizes.items())
        raise MemoryLimitError(
            f"{what} ({shown}) would need about {gib(nbytes)} of memory, more than the limit of {gib(limit)} "
            f"(set by `max_memory` or the environment variable {MAX_MEMORY_ENV}, default {DEFAULT_MAX_MEMORY_GB:g} GiB): "
            "choose smaller sizes."
        )


def magnitude(v: Any) -> str:
    """A possibly astronomical exact number for a message: ``~1e+399``, never a float overflow."""
    if v == math.inf:
        return "inf"
    return str(v) if v < 10**15 else f"~1e+{len(str(int(v))) - 1}"


def features(gamma: Fraction, n: int) -> int:
    """``p = round(γ n)`` (Python's ``round``: nearest integer, ties to even), checked ``≥ 1``
    (the memory of the ``n × p`` design is checked by each simulator, :func:`check_memory`)."""
    p = round(gamma * n)
    if p < 1:
        raise ParameterError(
            f"`n` = {n} gives p = round(gamma * n) = 0 features at gamma = {float(gamma):g}; "
            f"`n` must be ≥ {int(np.ceil(0.5 / float(gamma))) + 1}."
        )
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


def sphere(rng: np.random.Generator, m: int, d: int) -> np.ndarray:
    """``m × d`` matrix of i.i.d. rows uniform on ``S^{d−1}(√d)`` (standard normal rows, rescaled in place).

    The one sphere sampler of the simulators (:mod:`.random_features`, :mod:`.neural_tangent`,
    :mod:`.krr` re-export it under their old names).
    """
    g = rng.standard_normal((m, d))
    g *= math.sqrt(d) / np.linalg.norm(g, axis=1, keepdims=True)
    return g


def spheres(rng: np.random.Generator, d: int, *counts: int) -> tuple[np.ndarray, ...]:
    """Consecutive blocks of :func:`sphere` rows drawn by one call: ``counts[0]`` rows, then ``counts[1]``, ...

    The blocks are bit-for-bit the matrices ``sphere(rng, m, d)`` for each ``m`` of ``counts`` in
    turn (numpy's generators fill arrays in order, and each row is normalized on its own), returned
    as contiguous row views of one array, so consecutive blocks can be used stacked without a copy.
    """
    g = sphere(rng, sum(counts), d)
    return tuple(np.split(g, np.cumsum(counts)[:-1]))


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
