"""Timing helper shared by the benchmark scripts (run as `python benchmarks/bench_*.py`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` after one warm-up call (thread pools, caches)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cpu_time(fn: Callable[[], Any], repeat: int = 5, number: int = 1, *, warmup: bool = True) -> float:
    """Median CPU time (``time.process_time``) per call of ``fn`` over ``repeat`` runs of ``number`` calls.

    One warm-up call first unless ``warmup=False`` (where a cold first call is what is measured,
    or the caller has warmed the state already).
    """
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        times.append((time.process_time() - t0) / number)
    return statistics.median(times)
