"""Validation campaigns: what Dask costs and gains against running the points in process.

Runs a small campaign (rf risk, 8 points, sizes 50,100, 10 replicates) and a larger one (ridge
risk, 12 points, sizes 400,800, 10 replicates) with each scheduler and prints wall time and
CPU time, the CPU of the worker processes included (``resource.getrusage`` of this process and
of its reaped children), as ratios to the in-process run:

* ``inprocess``: the points one after another, no Dask;
* ``auto``: the default, in process until the work left is estimated above
  :data:`validation.campaign.AUTO_CLUSTER_CPU_S`, then a LocalCluster;
* ``local``: a fresh ``LocalCluster`` with one worker process per core (start-up included);
* ``address`` (small campaign only): an already running ``LocalCluster`` reached by its address.

The CPU overhead of ``local`` over ``inprocess`` on the small campaign is what a LocalCluster
costs by itself (start-up, imports and first compilations in each worker, shutdown); the auto
threshold is set to about four times it, so a cluster costs at most ~25 % extra CPU.  The
records must agree (to rounding in the SE); the script checks that too.  On a 2-core machine
the best possible wall ratio is 0.5.

    python benchmarks/bench_campaign.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import time

from validation.campaign import AUTO_CLUSTER_CPU_S, run_campaign


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(model, **kw):
    t0, c0 = time.perf_counter(), _cpu()
    rep = run_campaign(model, progress=False, figure=False, **kw)
    return time.perf_counter() - t0, _cpu() - c0, rep


def _same(a, b) -> bool:
    fa = [(r["index"], r["sizes"][-1]["mean"], r["sizes"][-1]["theory"]) for r in a.records]
    fb = [(r["index"], r["sizes"][-1]["mean"], r["sizes"][-1]["theory"]) for r in b.records]
    return all(i == j and math.isclose(x, y, rel_tol=1e-12) and t == u for (i, x, t), (j, y, u) in zip(fa, fb, strict=True))


def _campaign(title, model, kw, workers, address=False):
    print(f"{title}: {model}, {kw['points']} points x sizes {kw['sizes']} x {kw['reps']} reps, {workers} workers")
    runs = {}
    for name, extra in (("inprocess", {}), ("auto", {"workers": workers}), ("local", {"workers": workers})):
        runs[name] = _timed(model, scheduler=name, **extra, **kw)
    if address:
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c:
            c.submit(sum, [1]).result()  # workers up
            runs["address (warm)"] = _timed(model, scheduler=cluster.scheduler_address, **kw)
    w0, c0, ref = runs["inprocess"]
    for name, (wall, cpu, rep) in runs.items():
        print(f"  {name:15s} wall {wall:7.2f} s ({wall / w0:4.2f}x)   CPU {cpu:7.2f} s ({cpu / c0:4.2f}x)   {rep.scheduler}")
    print(f"  same records: {all(_same(ref, rep) for _, _, rep in runs.values())}")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small campaign only")
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    small = _campaign("small", "rf", dict(points=8, reps=10, sizes="50,100", seed=0), workers, address=True)
    overhead = small["local"][1] - small["inprocess"][1]
    print(f"  a LocalCluster's own CPU cost: about {overhead:.1f} s (auto threshold: {AUTO_CLUSTER_CPU_S:g} s of work)")
    if not args.quick:
        _campaign("larger", "ridge", dict(points=12, reps=10, sizes="400,800", seed=0), workers)


if __name__ == "__main__":
    main()
