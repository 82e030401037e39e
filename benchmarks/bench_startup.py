"""CLI start-up: ``asymptotics eval ridge risk gamma=2 lam=0.1`` and ``import asymptotics``.

Start-up can only be measured in fresh processes, so the baseline is a fresh process too:
the same commands run from a checkout of a baseline commit (default: the commit before
issue 14, ``4a10390``; ``git archive`` into a temporary folder), alternating with the
working tree, ``--runs`` times each.  Printed: median wall and CPU (user + system of the
child) per command, and the ratio new / baseline.  Targets (issue 14): the ``eval`` call
≤ 0.25 s wall on the 2-core CI machine; SymPy, SciPy and matplotlib not imported.

Run: ``python benchmarks/bench_startup.py [--runs 9] [--base 4a10390]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "import asymptotics": ["-c", "import asymptotics"],
    "eval ridge risk gamma=2 lam=0.1": ["-m", "asymptotics", "eval", "ridge", "risk", "gamma=2", "lam=0.1"],
    "eval rf risk psi1=2 psi2=3 lam=0.1": ["-m", "asymptotics", "eval", "rf", "risk", "psi1=2", "psi2=3", "lam=0.1"],
}
HEAVY = ("sympy", "scipy", "matplotlib")


def _run(tree: Path, args: list[str]) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=tree, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _heavy_imports(tree: Path) -> list[str]:
    code = (
        "import sys, runpy; sys.argv = ['asymptotics', 'eval', 'ridge', 'risk', 'gamma=2', 'lam=0.1'];\n"
        "import contextlib, io\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        runpy.run_module('asymptotics', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--base", default="4a10390")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = Path(tmp) / "base.tar"
        subprocess.run(["git", "archive", "-o", str(archive), args.base], cwd=ROOT, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(base)  # noqa: S202 - our own repository
        for tree in (base, ROOT):  # warm the byte-code caches
            for cmd in COMMANDS.values():
                _run(tree, cmd)
        head = ("command", "base wall", "new wall", "ratio", "base cpu", "new cpu", "ratio")
        print("{:40s} {:>10s} {:>10s} {:>6s} {:>9s} {:>8s} {:>6s}".format(*head))
        for label, cmd in COMMANDS.items():
            old, new = [], []
            for _ in range(args.runs):
                old.append(_run(base, cmd))
                new.append(_run(ROOT, cmd))
            ow, oc = (statistics.median(x[i] for x in old) for i in (0, 1))
            nw, nc = (statistics.median(x[i] for x in new) for i in (0, 1))
            print(f"{label:40s} {ow:10.3f} {nw:10.3f} {nw / ow:6.2f} {oc:9.3f} {nc:8.3f} {nc / oc:6.2f}")
        heavy = [_heavy_imports(tree) or "none" for tree in (base, ROOT)]
        print(f"heavy modules imported by `eval ridge`: base {heavy[0]}, new {heavy[1]}")


if __name__ == "__main__":
    main()
