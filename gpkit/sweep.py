"""Sweeps: one notebook run per parameter dict, dispatched with submitit (locally or as Slurm job arrays).

A sweep is a list of parameter dicts for one notebook (:func:`expand_grid` builds one from a grid, :func:`load_grid`
reads a JSON file). :func:`sweep` runs each dict as a papermill run of the notebook into its own folder
``<runs_root>/<profile>/<notebook>/sweep/<run name>/``:

- ``executor="local"``: submitit's ``LocalExecutor``, at most ``max_parallel`` runs at once (default: one per GPU,
  else half the CPU cores);
- ``executor="slurm"``: one Slurm job array (``partition``, ``timeout_min``, ``gpus_per_node``, ``cpus_per_task``,
  ``mem_gb``, ``array_parallelism``).

Runs whose ``results.json`` says ``finished`` (:func:`gpkit.record.is_finished`) are skipped, so re-running a
sweep resumes it; a failed, interrupted or unfinished run is run again. A failed run is reported with its error
and never stops the others. Every run's parameters are checked (names, types, the experiment's rules) before
anything is submitted. ``timeout_min`` is always set.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpkit.params import check_choice, check_int, check_positive

__all__ = ["EXECUTORS", "SweepRun", "expand_grid", "builtin_grids", "load_grid", "run_name", "is_complete", "sweep",
           "sweep_folder", "collect", "summary_table"]

EXECUTORS = ("local", "slurm")
STATES = ("done", "skipped", "failed")


@dataclass
class SweepRun:
    """One run of a sweep: its parameters, folder, final state (``done``, ``skipped``, ``failed``), error, seconds."""

    name: str
    params: dict[str, Any]
    out_dir: Path
    state: str = "pending"
    error: str | None = None
    seconds: float | None = None
    job_id: str | None = None
    claims: dict[str, str] = field(default_factory=dict)


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``{name: [values]}`` as a list of parameter dicts (keys in the given order)."""
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"grid values must be non-empty lists; {key!r} has {values!r}")
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


GRIDS_DIR = Path(__file__).parent / "grids"


def builtin_grids() -> dict[str, Path]:
    """The grids shipped with gpkit (``gpkit/grids/<name>.json``) by name, e.g. ``fig2-cells`` (Figure 2's 28
    cells) and ``table2-architectures`` (Table 2's 200 architectures and the DCGAN baseline)."""
    return {p.stem: p for p in sorted(GRIDS_DIR.glob("*.json"))}


def load_grid(path: str | Path) -> list[dict[str, Any]]:
    """Parameter dicts from a JSON file, or from a built-in grid named without ``.json`` (:func:`builtin_grids`):
    a list of dicts, ``{"grid": {name: [values]}}``, or both as ``{"runs": [...], "grid": {...}}`` (the list
    first, then the product). Other keys (a ``description``) are ignored."""
    if not Path(path).is_file():
        builtin = builtin_grids()
        if str(path) not in builtin:
            raise ValueError(f"grid must be a JSON file or one of the built-in grids {sorted(builtin)}, "
                             f"got {str(path)!r}")
        path = builtin[str(path)]
    try:
        data = json.loads(Path(path).read_text())
    except ValueError as err:
        raise ValueError(f"grid file {path} is not valid JSON: {err}") from None
    if isinstance(data, list):
        runs = data
    elif isinstance(data, dict) and ({"grid", "runs"} & data.keys()):
        runs = list(data.get("runs", [])) + (expand_grid(data["grid"]) if "grid" in data else [])
    else:
        raise ValueError(f"{path}: expected a list of parameter dicts or an object with 'grid' and/or 'runs'")
    if not all(isinstance(r, dict) for r in runs):
        raise ValueError(f"{path}: every run must be a dict of parameters")
    return runs


def run_name(params: Mapping[str, Any]) -> str:
    """A stable folder name for ``params``: ``key=value`` pairs (sorted), shortened with a hash when long."""
    text = "_".join(f"{k}={json.dumps(params[k], sort_keys=True)}" for k in sorted(params)) or "default"
    safe = re.sub(r"[^A-Za-z0-9=._-]+", "-", text).strip("-")
    if len(safe) <= 80:
        return safe
    return f"{safe[:60]}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def is_complete(out_dir: str | Path) -> bool:
    """True when ``out_dir/results.json`` records a finished run (:func:`gpkit.record.is_finished`); failed,
    interrupted and running runs are not complete."""
    from gpkit.record import is_finished

    return is_finished(out_dir)


def _job(notebook: str, profile: str, params: dict[str, Any], out_dir: str,
         threads: int | None = None) -> dict[str, Any]:
    """What one submitit job runs: the notebook with papermill into ``out_dir``; returns its verdicts.

    ``threads``: CPU threads of the notebook's kernel (None: the library defaults).
    """
    from gpkit import report
    from gpkit.utils import thread_env

    if threads:
        os.environ.update(thread_env(threads))  # the job's own process; inherited by the kernel
    t0 = time.perf_counter()
    report.run_notebook(notebook, profile=profile, parameters=params, out_dir=out_dir)
    res = json.loads((Path(out_dir) / "results.json").read_text())
    return {"seconds": time.perf_counter() - t0, "claims": {c["id"]: c["verdict"] for c in res.get("claims", [])}}


def _default_parallel() -> int:
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.device_count()
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return max(1, (os.cpu_count() or 2) // 2)


def _error_text(err: BaseException) -> str:
    lines = [ln for ln in str(err).strip().splitlines() if ln.strip()]
    tail = [ln for ln in lines if re.match(r"^\w*(Error|Exception|Timeout)", ln.strip())]
    return (tail[-1] if tail else (lines[-1] if lines else type(err).__name__)).strip()[:500]


def sweep(
    notebook: str,
    runs: Sequence[Mapping[str, Any]],
    *,
    profile: str = "quick",
    executor: str = "local",
    runs_root: str | Path | None = None,
    folder: str | Path | None = None,
    max_parallel: int | None = None,
    timeout_min: int = 60,
    partition: str | None = None,
    gpus_per_node: int = 0,
    cpus_per_task: int | None = None,
    mem_gb: float | None = None,
    array_parallelism: int | None = None,
    poll_s: float | None = None,
    progress: bool = True,
) -> list[SweepRun]:
    """Run ``notebook`` once per parameter dict in ``runs``; returns one :class:`SweepRun` per dict, in order.

    ``folder``: submitit's logs (default ``<sweep folder>/_submitit``). Completed runs are skipped; errors are
    collected, not raised. ``poll_s``: seconds between looks at the jobs (default 0.2 locally, where a look is
    a process poll and a free core should not wait for it; 2 on Slurm, where it queries the scheduler). ``ValueError`` for bad options, before anything is submitted.
    """
    import submitit
    from tqdm import tqdm  # text bars: widget bars leave "model not found" errors in a reopened notebook

    from gpkit import report

    check_choice("executor", executor, EXECUTORS)
    check_choice("profile", profile, report.PROFILES)
    timeout_min = check_int("timeout_min", timeout_min, minimum=1)
    check_int("gpus_per_node", gpus_per_node, minimum=0)
    if poll_s is None:
        poll_s = 0.2 if executor == "local" else 2.0
    check_positive("poll_s", poll_s)
    if max_parallel is not None:
        check_int("max_parallel", max_parallel, minimum=1)
    if not runs:
        raise ValueError("runs must hold at least one parameter dict")
    src = report.resolve_notebook(notebook)
    base = sweep_folder(src, profile, runs_root)
    items = []
    for params in runs:
        if not isinstance(params, Mapping):
            raise ValueError(f"every run must be a dict of parameters, got {params!r}")
        for key in ("profile", "out_dir"):
            if key in params:
                raise ValueError(f"run parameters must not set {key!r}: the sweep sets it")
        name = run_name(params)
        items.append(SweepRun(name, dict(params), base / name))
    from gpkit.notebook_params import papermill_parameters

    for it in items:
        try:
            papermill_parameters(src, profile, it.params)
        except ValueError as err:
            raise ValueError(f"run {it.name}: {err}") from None
    names = [it.name for it in items]
    if len(set(names)) != len(names):
        raise ValueError("runs must be distinct parameter dicts (two runs would share a folder)")
    logs = Path(folder) if folder is not None else base / "_submitit"
    todo = []
    for it in items:
        if is_complete(it.out_dir):
            it.state = "skipped"
        else:
            todo.append(it)
    if not todo:
        return items

    args = [(str(src), profile, it.params, str(it.out_dir)) for it in todo]
    if executor == "slurm":
        ex = submitit.AutoExecutor(folder=str(logs), cluster="slurm")
        options: dict[str, Any] = {"timeout_min": timeout_min, "name": f"gpkit-{src.stem}"}
        if partition:
            options["slurm_partition"] = partition
        if gpus_per_node:
            options["gpus_per_node"] = gpus_per_node
        if cpus_per_task:
            options["cpus_per_task"] = cpus_per_task
        if mem_gb:
            options["mem_gb"] = mem_gb
        if array_parallelism:
            options["slurm_array_parallelism"] = array_parallelism
        ex.update_parameters(**options)
        jobs = ex.map_array(_job, *zip(*args))
        pending = list(zip(todo, jobs))
        waiting: list = []
    else:
        ex = submitit.LocalExecutor(folder=str(logs))
        ex.update_parameters(timeout_min=timeout_min)
        limit = max_parallel or _default_parallel()
        threads = max(1, (os.cpu_count() or 1) // limit)  # the runs share the cores instead of oversubscribing
        pending, waiting = [], [(it, (*a, threads)) for it, a in zip(todo, args)]

    bar = tqdm(total=len(todo), desc=f"sweep {src.stem}", disable=not progress)
    running = pending
    try:
        while running or waiting:
            while executor == "local" and waiting and len(running) < limit:
                it, a = waiting.pop(0)
                running.append((it, ex.submit(_job, *a)))
            still = []
            for it, job in running:
                it.job_id = str(job.job_id)
                if not job.done():
                    still.append((it, job))
                    continue
                try:
                    out = job.result()
                    it.state, it.seconds, it.claims = "done", out["seconds"], out["claims"]
                except Exception as err:  # noqa: BLE001 - a failed run is reported, never fatal
                    it.state, it.error = "failed", _error_text(err)
                bar.update(1)
            running = still
            if running or waiting:
                time.sleep(poll_s)
    finally:
        bar.close()
    return items


def sweep_folder(notebook: str | Path, profile: str, runs_root: str | Path | None = None) -> Path:
    """Where a sweep of ``notebook`` puts its runs: ``<runs_root>/<profile>/<notebook stem>/sweep``
    (:func:`gpkit.paths.sweep_folder`)."""
    from gpkit import paths, report

    return paths.sweep_folder(report.resolve_notebook(notebook).stem, profile, runs_root)


def collect(notebook: str, *, profile: str = "quick", runs_root: str | Path | None = None,
            log_output: bool = False) -> Any:
    """Run ``notebook`` once more, locally, with ``collect_from`` set to its sweep folder: the run that gathers
    the sweep's results into the figure, the tables and the verdicts, written to
    ``<runs_root>/<profile>/<notebook>/`` (where the report looks). Returns :class:`gpkit.report.NotebookRun`.

    ``ValueError`` when the notebook takes no ``collect_from`` parameter or the sweep folder does not exist.
    """
    import nbformat

    from gpkit import report

    src = report.resolve_notebook(notebook)
    book = nbformat.read(src, as_version=4)
    cell = next((c for c in book.cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None or "collect_from =" not in cell.source:
        raise ValueError(f"notebook {src.stem} takes no collect_from parameter: its sweeps need no collecting run")
    folder = sweep_folder(src, profile, runs_root)
    if not folder.is_dir():
        raise ValueError(f"no sweep to collect: {folder} does not exist")
    return report.run_notebook(src, profile=profile, parameters={"collect_from": str(folder.resolve())},
                               runs_root=runs_root, log_output=log_output)


def summary_table(runs: Sequence[SweepRun]) -> str:
    """A plain-text table of the runs' states (and errors), with a count per state at the end."""
    width = max([len(r.name) for r in runs] + [4])
    lines = [f"{'run':<{width}}  {'state':<8}  {'seconds':>8}  error / verdicts"]
    for r in runs:
        secs = f"{r.seconds:8.1f}" if r.seconds is not None else f"{'':>8}"
        extra = r.error or ", ".join(f"{k}: {v}" for k, v in r.claims.items())
        lines.append(f"{r.name:<{width}}  {r.state:<8}  {secs}  {extra}")
    counts = {s: sum(r.state == s for r in runs) for s in STATES}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)
