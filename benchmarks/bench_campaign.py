"""Validation campaigns: what Dask costs and gains against running the points in process.

Runs the same campaign (rf risk, 8 points, sizes 50,100, 10 replicates) three ways in this
process and prints the wall times as ratios to the in-process run:

* ``inprocess``: the points one after another, no Dask;
* ``local``: a fresh ``LocalCluster`` with one worker process per core (start-up included);
* ``address``: an already running ``LocalCluster`` reached by its address (no start-up).

The records must agree (to rounding in the SE); the script checks that too.  On a 2-core
machine the best possible ratio is 0.5.

    python benchmarks/bench_campaign.py [--points 8]
"""

from __future__ import annotations

import argparse
import math
import os
import time

from validation.campaign import run_campaign


def _timed(**kw):
    t0 = time.perf_counter()
    rep = run_campaign("rf", progress=False, figure=False, **kw)
    return time.perf_counter() - t0, rep


def _same(a, b) -> bool:
    fa = [(r["index"], r["sizes"][-1]["mean"], r["sizes"][-1]["theory"]) for r in a.records]
    fb = [(r["index"], r["sizes"][-1]["mean"], r["sizes"][-1]["theory"]) for r in b.records]
    return all(i == j and math.isclose(x, y, rel_tol=1e-12) and t == u for (i, x, t), (j, y, u) in zip(fa, fb, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=8)
    args = parser.parse_args()
    kw = dict(points=args.points, reps=10, sizes="50,100", seed=0)
    workers = os.cpu_count() or 1
    t_in, ref = _timed(scheduler="inprocess", **kw)
    t_local, local = _timed(scheduler="local", workers=workers, **kw)

    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as client:
        client.submit(sum, [1]).result()  # workers up
        t_addr, remote = _timed(scheduler=cluster.scheduler_address, **kw)
    print(f"rf campaign, {args.points} points x sizes 50,100 x 10 reps, {workers} workers")
    print(f"  inprocess        {t_in:7.2f} s   ratio 1.00")
    print(f"  local (fresh)    {t_local:7.2f} s   ratio {t_local / t_in:.2f}")
    print(f"  address (warm)   {t_addr:7.2f} s   ratio {t_addr / t_in:.2f}")
    print(f"  same records: {_same(ref, local) and _same(ref, remote)}")


if __name__ == "__main__":
    main()
