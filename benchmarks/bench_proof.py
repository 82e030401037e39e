"""Cost of proven digits (a script, not a test): `python benchmarks/bench_proof.py [--dps 30]`.

CPU time (``time.process_time``), BLAS pinned to one thread.  For each model's headline
quantity the figure is the ratio of a proven call (ball arithmetic, the default route of
``certified(...)``) to the same call inside :class:`asymptotics.precision.ladder_only` (the
precision ladder alone, the certified path before issue 15), both run in this process.
Issue 15 target: ratio ≤ 3 at dps 30; absolute: ridge isotropic ≤ 0.5 ms, rf (relu) ≤ 5 ms.

A row whose proven call returns ``proven=False`` (the proof failed there and the ladder ran
after it) is marked, because its time is the failed proof plus the ladder.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from _timing import cpu_time
from threadpoolctl import threadpool_limits

from asymptotics.models import get_model
from asymptotics.precision import ladder_only

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("ridge", "risk", {"gamma": "0.5", "lam": "0.1", "r2": "1", "sigma2": "0.25"}),
    ("ridge", "risk", {"gamma": "2", "lam": "0.01", "sigma2": "0.25", "spectrum": "blocks:1/0.5/1,0.1/0.3/1,0.01/0.2/1"}),
    ("ridge", "risk", {"gamma": "0.5", "lam": "0.1", "r2": "1", "sigma2": "0.25", "spectrum": "power_law:p=1e6,alpha=2,beta=1"}),
    ("mp", "stieltjes", {"z": "1+0.5j", "gamma": "0.5", "sigma2": "1"}),
    ("mp", "density", {"x": "1", "gamma": "0.5", "sigma2": "1"}),
    ("mp", "edges", {"gamma": "0.5", "sigma2": "1"}),
    ("mp", "moment", {"k": "4", "gamma": "0.5", "sigma2": "1"}),
    ("rf", "risk", {"psi1": "2", "psi2": "3", "lam": "0.1", "activation": "relu"}),
    ("rf", "risk", {"psi1": "2", "psi2": "3", "lam": "0.1", "activation": "tanh"}),
    ("rf", "risk", {"psi1": "2", "psi2": "3", "lam": "0.1", "activation": "Abs(x-1/3)"}),
    ("nt", "risk", {"psi2": "3", "lam": "0.1", "activation": "relu"}),
    ("nt", "risk", {"psi2": "3", "lam": "0.1", "activation": "relu", "layers": "both", "psi1": "2"}),
    ("krr", "risk", {"d": "20", "alpha": "1.5", "level": "2", "kernel": "exp", "lam": "0.01", "F": "0,1,1", "sigma2": "0.1"}),
    ("krr", "eigenvalue", {"d": "20", "level": "3", "kernel": "exp(s)/2+s**3"}),
    ("lnn", "trajectory", {"depth": "3", "init": "0.001", "s": "2", "t": "1"}),
    ("lnn", "time_to_learn", {"depth": "3", "init": "0.001", "s": "2", "frac": "0.9"}),
]


def _call(model: str, quantity: str, params: dict[str, Any], dps: int) -> Callable[[], Any]:
    q = get_model(model).quantity(quantity)
    return lambda: q.certified(**params, dps=dps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"proven vs precision-ladder CPU time per call at dps {args.dps} (ratio = proven / ladder)")
    print(f"{'model':<6} {'quantity':<14} {'proven ms':>10} {'ladder ms':>10} {'ratio':>6}  case")
    with threadpool_limits(1):
        for model, quantity, params in CASES:
            fn = _call(model, quantity, params, args.dps)
            try:
                res = fn()
            except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
                print(f"{model:<6} {quantity:<14} {'error':>10}  {type(exc).__name__}: {exc}"[:160])
                continue
            number = 20 if model in ("ridge", "mp") else 3
            t_proof = cpu_time(fn, repeat=args.repeat, number=number)
            with ladder_only():
                t_ladder = cpu_time(fn, repeat=args.repeat, number=number)
            mark = "" if res.proven else "  [NOT proven: failed proof + ladder]"
            case = " ".join(f"{k}={v}" for k, v in params.items())
            ratio = t_proof / t_ladder
            print(f"{model:<6} {quantity:<14} {t_proof * 1e3:>10.3f} {t_ladder * 1e3:>10.3f} {ratio:>6.2f}  {case}{mark}")


if __name__ == "__main__":
    main()
