"""Sweep scaling: N smoke runs of a notebook through the local executor against one after another.

Each run is notebook 01 at the smoke profile with its own seed (papermill starts a kernel per run). The
local executor runs ``parallel`` at once, each with ``cores / parallel`` CPU threads. Target: a speed-up
of at least 0.75 x ``parallel`` (close to the core count).
"""

from __future__ import annotations

import os
import tempfile

from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.report import run_notebook
from gpkit.sweep import sweep


def bench_sweep(ctx: BenchContext) -> list[BenchResult]:
    if ctx.device.type == "cuda":
        return []  # one GPU: runs share it; this benchmark is about CPU cores
    parallel = max(1, min(os.cpu_count() or 1, 4))
    n = ctx.pick(2 * parallel, 2)
    notebook = ctx.extra.get("sweep_notebook", "01")
    grid = [{"seed": s} for s in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1_000_000))

        def local() -> None:
            runs = sweep(notebook, grid, profile="smoke", executor="local", runs_root=f"{tmp}/p{next(counter)}",
                         max_parallel=parallel, timeout_min=30)
            failed = [r for r in runs if r.state != "done"]
            if failed:
                raise RuntimeError(f"sweep runs failed: {[(r.name, r.error) for r in failed]}")

        def serial() -> None:
            root = f"{tmp}/s{next(counter)}"
            for params in grid:
                run_notebook(notebook, profile="smoke", parameters=params,
                             out_dir=f"{root}/seed{params['seed']}")
        times = compare({"one after another": serial, "local executor": local},
                        repeats=ctx.pick(min(ctx.repeats, 3), 1), warmup=0, sync=ctx.sync)
    return [ratio_result("sweep", f"{n} smoke runs of {notebook}, {parallel} at once", times, "one after another",
                         "local executor", what="serial / local executor wall time",
                         target=(">=", 0.75 * parallel), per=n, extra={"runs": n, "parallel": parallel})]
