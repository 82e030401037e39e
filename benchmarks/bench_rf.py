"""Random-features (Mei–Montanari) timings (a script, not a test): `python benchmarks/bench_rf.py [--quick]`.

Prints, each against a baseline measured in the same process:
  1. certified RF risk per point at dps 30 (ReLU and tanh; ordinary points and points
     next to the interpolation threshold ψ₁ = ψ₂ with tiny λ), target ≤ 5 ms/point with
     gmpy2, vs. the naive route: ``mpmath.findroot`` (Anderson and bisection) on the
     scalar equation ψ₁ψ₂λ̄p = (ψ₁ − g(p))(ψ₂ − g(p)), g(p) = p + ζ²p/(1 + ζ²p), over the
     bracket (0, p_max), then the 𝓔 polynomials at 50 digits.  The two must agree to
     25 digits (checked; the script exits 1 otherwise);
  2. a 1,000-point float64 risk curve (target ≤ 50 ms) vs. the certified path on a
     20-point subset, extrapolated to 1,000 points;
  3. a certified curve through ``asymptotics.curve("rf", "risk", {...}, dps=30)`` per
     point vs. the same points as isolated ``random_features.risk`` calls;
  4. (``--startup``) the first rf call in a fresh process: set-up time (first call minus second call) of
     ``rf.risk(psi1=2, psi2=3, lam=0.1)``, target ≤ 20 ms, vs. the set-up the first call paid before the
     𝓔 code was generated and scipy.special/SymPy made lazy (a copy of the old ``_q_polys``: SymPy
     polynomials lambdified, plus ``import scipy.special``), run afterwards in the same child process;
     also whether SymPy was imported at all;
  0. (first) the formulas written once for every backend (issue 14) vs. the module as it was
     before (commit LEGACY_COMMIT, loaded from git into a private module name): certified
     points and the float64 curve, CPU time (``time.process_time``) with BLAS pinned to one
     thread; the two must agree to 29 digits / 1e-9.
Per-point figures are the best of several runs, the compared methods taking turns so
that they see the same machine load; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from _timing import cpu_time
from threadpoolctl import threadpool_limits

import asymptotics
from asymptotics.activations import get_activation
from asymptotics.models import random_features as rf

TAU2 = "0.25"
# (label, activation, psi1, psi2, lam); lam is the package's λ (λ̄ = λ/μ⋆²)
POINTS = [
    ("relu, psi1<psi2", "relu", "0.5", "3", "0.01"),
    ("relu, psi1>psi2", "relu", "2", "1.5", "0.1"),
    ("relu, near thr.", "relu", "1.999", "2", "1e-6"),
    ("relu, at thr.", "relu", "2", "2", "1e-10"),
    ("tanh, psi1<psi2", "tanh", "2", "3", "0.1"),
    ("tanh, psi1>psi2", "tanh", "3", "1.5", "0.001"),
    ("tanh, at thr.", "tanh", "2", "2", "1e-8"),
]
QUICK_POINTS = [POINTS[1], POINTS[3], POINTS[4], POINTS[6]]


def interleaved(jobs: list[tuple[Callable[[], Any], int]], repeat: int) -> list[float]:
    """Best-of-``repeat`` mean time per call of each job, the jobs taking turns (same machine load)."""
    best = [float("inf")] * len(jobs)
    for _ in range(repeat):
        for j, (fn, number) in enumerate(jobs):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            best[j] = min(best[j], (time.perf_counter() - t0) / number)
    return best


# ----------------------------------------------------------------------------- baseline: before issue 14
LEGACY_COMMIT = "f028218"
"""The last commit whose rf and nt modules wrote each formula twice (mpmath and numpy)."""


def legacy_modules() -> tuple[Any, Any]:
    """``(random_features, neural_tangent)`` as they were at :data:`LEGACY_COMMIT`, read with ``git show`` and
    executed as ``asymptotics.models._legacy_rf``/``_legacy_nt`` (their registry entries cut off)."""
    root = Path(__file__).resolve().parent.parent
    out = []
    for short, path in (("rf", "asymptotics/models/random_features.py"), ("nt", "asymptotics/models/neural_tangent.py")):
        name = f"asymptotics.models._legacy_{short}"
        if name not in sys.modules:
            cmd = ["git", "-C", str(root), "show", f"{LEGACY_COMMIT}:{path}"]
            src = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            src = src[: src.index("MODEL = register(")].replace("from .random_features import", "from ._legacy_rf import")
            mod = types.ModuleType(name)
            mod.__package__ = "asymptotics.models"
            mod.__file__ = f"{LEGACY_COMMIT}:{path}"
            sys.modules[name] = mod
            exec(compile(src, mod.__file__, "exec"), mod.__dict__)
        out.append(sys.modules[name])
    return out[0], out[1]


def section_legacy(points: list[tuple[str, ...]], repeat: int) -> bool:
    print(f"\n0. formulas written once vs. the code before issue 14 (commit {LEGACY_COMMIT}); CPU time, one BLAS thread")
    old, _ = legacy_modules()
    ok = True
    for label, act, p1, p2, lam in points:
        new_v = rf.risk(p1, p2, lam, act, tau2=TAU2, dps=30).value
        old_v = old.risk(p1, p2, lam, act, tau2=TAU2, dps=30).value
        ok &= agreement_digits(new_v, old_v) >= 29
        t_new = cpu_time(lambda a=act, x=p1, y=p2, z=lam: rf.risk(x, y, z, a, tau2=TAU2, dps=30), repeat, 5)
        t_old = cpu_time(lambda a=act, x=p1, y=p2, z=lam: old.risk(x, y, z, a, tau2=TAU2, dps=30), repeat, 5)
        print(f"   certified dps=30 {label:<16} {1e3 * t_new:7.2f} ms vs {1e3 * t_old:7.2f} ms before: ratio {t_new / t_old:.2f}")
    grids = {
        "psi1 sweep (general)": dict(psi1=np.linspace(0.1, 5, 1000), psi2=2.0),
        "psi1=inf (kernel)": dict(psi1=np.inf, psi2=np.linspace(0.1, 5, 1000)),
        "psi2=inf (data)": dict(psi1=np.linspace(0.1, 5, 1000), psi2=np.inf),
    }
    for label, grid in grids.items():
        for act in ("relu", "abs"):
            kw = dict(grid, lam=1e-3, activation=act, tau2=0.25)
            v_new, s_new = rf.curve_values("risk", **kw)
            v_old, s_old = old.curve_values("risk", **kw)
            same = bool((s_new == s_old).all()) and bool(np.allclose(v_new, v_old, rtol=1e-9, atol=0, equal_nan=True))
            ok &= same
            t_new = cpu_time(lambda kw=kw: rf.curve_values("risk", **kw), repeat)
            t_old = cpu_time(lambda kw=kw: old.curve_values("risk", **kw), repeat)
            print(
                f"   float64 1000 points, {label:<21} {act:<4} {1e3 * t_new:7.2f} ms vs {1e3 * t_old:7.2f} ms before: "
                f"ratio {t_new / t_old:.2f}{'' if same else '  VALUES DIFFER'}"
            )
    print(f"   same values (29 digits certified, 1e-9 and equal statuses float64): {'yes' if ok else 'NO'}")
    return ok


# ----------------------------------------------------------------------------- naive baseline
_chi, _zeta, _p1, _p2 = sp.symbols("chi zeta psi1 psi2")
_E = None


def _e_mpmath() -> Callable[..., Any]:
    """``𝓔₀, 𝓔₁, 𝓔₂`` of the module, lambdified to mpmath once (a one-time cost, timed separately)."""
    global _E
    if _E is None:
        _E = sp.lambdify((_chi, _zeta, _p1, _p2), list(rf.e_polynomials(_chi, _zeta, _p1, _p2)), "mpmath")
    return _E


def naive_risk(activation: str, psi1: str, psi2: str, lam: str, solver: str, dps: int = 50) -> Any:
    """Risk from ``findroot`` on the scalar equation in ``p`` over ``(0, p_max)``, then 𝓔₁/𝓔₀, 𝓔₂/𝓔₀."""
    E = _e_mpmath()
    with mpmath.workdps(dps):
        c = get_activation(activation).coefficients()  # cached per precision, like the package's
        p1, p2, lam_, tau2 = mpmath.mpf(psi1), mpmath.mpf(psi2), mpmath.mpf(lam), mpmath.mpf(TAU2)
        z2, lam_bar = c.mu1**2 / c.mustar2, lam_ / c.mustar2
        psi = min(p1, p2)
        b = 1 + z2 - psi * z2  # g(p_max) = psi:  ζ²p² + (1 + ζ² − ψζ²)p − ψ = 0
        p_max = (-b + mpmath.sqrt(b * b + 4 * z2 * psi)) / (2 * z2)

        def g(p: Any) -> Any:
            return p + z2 * p / (1 + z2 * p)

        def h(p: Any) -> Any:
            return p1 * p2 * lam_bar * p - (p1 - g(p)) * (p2 - g(p))

        # mpmath's bisection stops after 100 halvings by default (about 30 digits): allow enough for `dps`
        extra = {"maxsteps": 4 * dps} if solver == "bisect" else {}
        p = mpmath.findroot(h, (mpmath.mpf(0), p_max), solver=solver, **extra)
        e0, e1, e2 = E(-p, mpmath.sqrt(z2), p1, p2)
        return +(e1 / e0 + tau2 * e2 / e0)  # F1² = 1, F⋆² = 0


def agreement_digits(a: Any, b: Any) -> float:
    with mpmath.workdps(60):
        d = abs(mpmath.mpf(a) - mpmath.mpf(b)) / abs(mpmath.mpf(b))
        return 60.0 if d == 0 else float(-mpmath.log10(d))


# ----------------------------------------------------------------------------- sections
def section_points(points: list[tuple[str, ...]], repeat: int) -> bool:
    print("\n1. certified risk per point, dps=30 (F1^2=1, F*^2=0, tau^2=0.25) vs naive findroot + E-polynomials at 50 digits")
    t0 = time.perf_counter()
    _e_mpmath()
    print(f"   one-time costs: lambdify of the naive E-polynomials {1e3 * (time.perf_counter() - t0):.0f} ms", end="")
    for act in sorted({p[1] for p in points}):
        t0 = time.perf_counter()
        rf.risk("2", "3", "0.1", act, tau2=TAU2)  # cold: polynomial lambdify (first call) and coefficients at 40/50 digits
        print(f"; first {act} call {1e3 * (time.perf_counter() - t0):.0f} ms", end="")
    print()
    header = tuple("point|psi1|psi2|lam|risk|certified|anderson|bisect|anderson/cert|bisect/cert|digits and/bis".split("|"))
    rows, ok, worst = [], True, 0.0
    for label, act, p1, p2, lam in points:
        value = rf.risk(p1, p2, lam, act, tau2=TAU2, dps=30).value
        naive = {s: naive_risk(act, p1, p2, lam, s) for s in ("anderson", "bisect")}
        digits = {s: agreement_digits(value, v) for s, v in naive.items()}
        ok &= min(digits.values()) >= 25
        t_cert, t_and, t_bis = interleaved(
            [
                (lambda a=act, x=p1, y=p2, z=lam: rf.risk(x, y, z, a, tau2=TAU2, dps=30), 10),
                (lambda a=act, x=p1, y=p2, z=lam: naive_risk(a, x, y, z, "anderson"), 5),
                (lambda a=act, x=p1, y=p2, z=lam: naive_risk(a, x, y, z, "bisect"), 2),
            ],
            repeat,
        )
        worst = max(worst, t_cert)
        rows.append(
            (
                label,
                p1,
                p2,
                lam,
                mpmath.nstr(value, 12),
                f"{1e3 * t_cert:.2f} ms",
                f"{1e3 * t_and:.2f} ms",
                f"{1e3 * t_bis:.2f} ms",
                f"{t_and / t_cert:.2f}x",
                f"{t_bis / t_cert:.2f}x",
                f"{digits['anderson']:.1f}/{digits['bisect']:.1f}" + ("" if min(digits.values()) >= 25 else " FAIL"),
            )
        )
    _table(header, rows)
    print(
        f"   slowest certified point {1e3 * worst:.2f} ms (target <= 5 ms with gmpy2); ratio = naive time / certified time "
        "(> 1: the certified path is faster).  The certified path evaluates twice (dps+10, dps+20) and checks the "
        "residual of the complex nu equations; the naive one evaluates once and certifies nothing."
    )
    print(f"   agreement certified vs naive >= 25 digits at every point: {'yes' if ok else 'NO'}")
    return ok


def section_float_curve(n_subset: int, repeat: int) -> None:
    print("\n2. float64 risk curve, 1000 points: psi1 = linspace(0.1, 5, 1000), psi2=2, lam=0.001, relu, tau^2=0.25")
    psi1 = np.linspace(0.1, 5, 1000)
    kw = dict(psi2=2.0, lam=1e-3, activation="relu", tau2=0.25)
    values, status = rf.curve_values("risk", psi1=psi1, **kw)  # warm-up (coefficients in float64)
    idx = np.linspace(0, len(psi1) - 1, n_subset).round().astype(int)
    pts = [repr(float(x)) for x in psi1[idx]]
    certified = [rf.risk(x, "2", "0.001", "relu", tau2=TAU2, dps=30).value for x in pts]

    def subset() -> None:
        for x in pts:
            rf.risk(x, "2", "0.001", "relu", tau2=TAU2, dps=30)

    t_curve, t_subset = interleaved([(lambda: rf.curve_values("risk", psi1=psi1, **kw), 5), (subset, 1)], repeat)
    t_point = t_subset / len(pts)
    rel = max(abs(float(c) - v) / abs(float(c)) for c, v in zip(certified, values[idx], strict=True))
    statuses = ", ".join(f"{k}: {n}" for k, n in zip(*np.unique(status, return_counts=True), strict=True))
    print(
        f"   float64 curve {1e3 * t_curve:.2f} ms (target <= 50 ms), status counts {{{statuses}}}; certified dps=30 "
        f"{1e3 * t_point:.2f} ms/point on a {len(pts)}-point subset -> {t_point * 1e3 * 1000:.0f} ms for 1000 points; "
        f"speed-up {t_point * 1000 / t_curve:.0f}x; max relative difference float64 vs certified on the subset {rel:.1e}"
    )


def section_certified_curve(num: int, repeat: int) -> None:
    print(f"\n3. certified curve: asymptotics.curve('rf', 'risk', psi1=0.1:5:{num}, psi2=2, lam=0.001, tau2=0.25, dps=30)")
    params = {"psi1": f"0.1:5:{num}", "psi2": "2", "lam": "0.001", "tau2": TAU2}
    cr, _ = asymptotics.curve("rf", "risk", params, dps=30, progress=False)
    pts = [repr(float(x)) for x in cr.x]

    def isolated() -> None:
        for x in pts:
            rf.risk(x, "2", "0.001", "relu", tau2=TAU2, dps=30)

    t_curve, t_iso = interleaved(
        [(lambda: asymptotics.curve("rf", "risk", params, dps=30, progress=False), 1), (isolated, 1)], repeat
    )
    t_curve, t_iso = t_curve / num, t_iso / num
    print(
        f"   curve {1e3 * t_curve:.2f} ms/point; the same points as isolated risk() calls {1e3 * t_iso:.2f} ms/point; "
        f"ratio isolated/curve {t_iso / t_curve:.2f}x (statuses {sorted(set(cr.status.tolist()))}).  Each point is "
        "solved from scratch: the only warm start is the root carried from dps+10 to dps+20 inside one point."
    )


# ----------------------------------------------------------------------------- 4. first call in a process
def _legacy_q_polys() -> None:
    """The set-up of the first call before ``_rf_generated`` (a copy of the old ``random_features._q_polys``)."""
    from asymptotics.symbolic import symbols as S

    q, t = sp.symbols("q t", nonnegative=True)
    z = sp.Symbol("z", positive=True)
    polys, sizes = [], []
    args = (q, t, S.psi1, S.psi2)
    for e in rf.e_polynomials(S.chi, z, S.psi1, S.psi2):
        expr = sp.expand(e.subs(S.chi, -t * q).subs(z, 1 / sp.sqrt(t)))
        polys.append(sp.horner(sp.collect(expr, q), wrt=q))
        terms = sp.Poly(expr, *args).terms()
        sizes.append(sp.Add(*[abs(c) * sp.Mul(*[a**k for a, k in zip(args, m, strict=True)]) for m, c in terms]))
    sp.lambdify(args, polys, "math", cse=True)
    sp.lambdify(args, sizes, "numpy", cse=True)


_CHILD = """
import json, sys, time
t0 = time.process_time()
import asymptotics.models.random_features as rf
t1 = time.process_time()
rf.risk(psi1=2, psi2=3, lam=0.1)
t2 = time.process_time()
rf.risk(psi1=2, psi2=3, lam=0.2)
t3 = time.process_time()
sympy_loaded = 'sympy' in sys.modules
sys.path.insert(0, {bench_dir!r})
import bench_rf  # imports SymPy: the old module did so at import time, not in its first call
t4 = time.process_time()
from scipy import special  # the old named activations imported it on first use
bench_rf._legacy_q_polys()
t5 = time.process_time()
print(json.dumps({{"import": t1 - t0, "new": (t2 - t1) - (t3 - t2), "old": t5 - t4, "sympy": sympy_loaded}}))
"""
"""A fresh process: the new first-call set-up, then the old one (same process, afterwards), as one JSON line."""


def section_startup(runs: int) -> None:
    print("\n4. first rf call in a fresh process: set-up (first call - second call), CPU time; old = same child, after")
    rows = []
    for _ in range(runs):
        code = _CHILD.format(bench_dir=str(Path(__file__).resolve().parent))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        rows.append(__import__("json").loads(out.stdout.strip().splitlines()[-1]))
    new = statistics.median(r["new"] for r in rows)
    old = statistics.median(r["old"] for r in rows)
    imp = statistics.median(r["import"] for r in rows)
    print(f"   new set-up {new * 1e3:.1f} ms (target <= 20 ms), old set-up {old * 1e3:.0f} ms, ratio {new / old:.4f}")
    print(f"   import asymptotics.models.random_features {imp * 1e3:.0f} ms CPU; SymPy imported: {rows[0]['sympy']}")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    for r in [header, *rows]:
        print("   " + "  ".join(c.rjust(w) if j >= 4 else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True))))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer points and repeats (a few seconds)")
    ap.add_argument("--startup", action="store_true", help="only section 4 (first call in a fresh process)")
    args = ap.parse_args(argv)
    if args.startup:
        section_startup(runs=5)
        return 0
    backend = mpmath.libmp.BACKEND
    gmpy = "gmpy2 active" if backend == "gmpy" else "gmpy2 NOT active: the targets assume it"
    print(f"mpmath {mpmath.__version__}, backend: {backend} ({gmpy}); numpy {np.__version__}; python {sys.version.split()[0]}")
    quick = args.quick
    with threadpool_limits(limits=1):
        ok = section_legacy(QUICK_POINTS if quick else POINTS, repeat=3 if quick else 7)
    ok &= section_points(QUICK_POINTS if quick else POINTS, repeat=3 if quick else 7)
    section_float_curve(n_subset=20, repeat=3 if quick else 7)
    section_certified_curve(num=20 if quick else 100, repeat=2 if quick else 3)
    section_startup(runs=3 if quick else 5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
