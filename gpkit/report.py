"""Run notebooks with papermill, collect their figures and build the HTML report.

- :func:`run_notebook`: execute one notebook into ``runs/<profile>/<notebook>/``
  (the executed ``.ipynb`` beside its ``results.json``, CSVs and figures).
- :func:`reproduce`: every notebook in order, then :func:`copy_figures` into
  ``figures/`` and :func:`build_report`.
- :func:`build_report`: ``report/index.html`` (figure gallery, claims with
  verdicts, run provenance) plus each executed notebook converted to HTML with
  its inputs hidden. Everything is local files: it opens from ``file://`` offline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpkit.params import check_choice, check_int
from gpkit.paths import profile_folder, run_folder, runs_root as _runs_root
from gpkit.utils import BATCH_ENV, atomic_write_text, project_root

__all__ = [
    "PROFILES",
    "notebook_dir",
    "list_notebooks",
    "resolve_notebook",
    "run_notebook",
    "reproduce",
    "default_jobs",
    "previous_seconds",
    "expected_seconds",
    "write_reproduce_summary",
    "REPRODUCE_SUMMARY",
    "copy_figures",
    "FIGURES_PROFILE",
    "cell_timeout",
    "CELL_TIMEOUTS",
    "collect_runs",
    "build_report",
    "NotebookRun",
    "error_line",
]

PROFILES = ("smoke", "quick", "paper")
_NB_PATTERN = re.compile(r"^(\d\d)_[A-Za-z0-9_]+\.ipynb$")


def notebook_dir() -> Path:
    """The ``notebooks/`` folder of the project."""
    return project_root() / "notebooks"


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """Numbered notebooks (``NN_name.ipynb``) in order."""
    folder = folder or notebook_dir()
    return sorted(p for p in folder.glob("*.ipynb") if _NB_PATTERN.match(p.name))


def resolve_notebook(name: str | Path, folder: Path | None = None) -> Path:
    """Find a notebook by path, stem (``01_toy_value_surfaces``) or number (``01`` or ``1``)."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path.resolve()
    books = list_notebooks(folder)
    key = str(name).removesuffix(".ipynb")
    for nb in books:
        if nb.stem == key or (key.isdigit() and nb.name[:2] == f"{int(key):02d}"):
            return nb
    raise ValueError(f"notebook must be one of {[nb.stem for nb in books]} (or their numbers), got {name!r}")


@dataclass
class NotebookRun:
    """Outcome of one notebook execution."""

    notebook: str
    out_dir: Path
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


#: Default per-cell execution timeout (seconds) of papermill runs, by profile: a cell that hangs (a lost kernel
#: message, a dead data loader) fails the run instead of holding a batch job forever. ``GPKIT_CELL_TIMEOUT``
#: (seconds) or ``cell_timeout=`` overrides it.
CELL_TIMEOUTS = {"smoke": 900, "quick": 4 * 3600, "paper": 7 * 24 * 3600}
CELL_TIMEOUT_ENV = "GPKIT_CELL_TIMEOUT"


def cell_timeout(profile: str, value: float | None = None) -> int:
    """The per-cell timeout in seconds for ``profile``: ``value``, else ``$GPKIT_CELL_TIMEOUT``, else
    :data:`CELL_TIMEOUTS`."""
    raw = value if value is not None else os.environ.get(CELL_TIMEOUT_ENV)
    if raw in (None, ""):
        return CELL_TIMEOUTS[profile]
    try:
        seconds = int(float(raw))
    except (TypeError, ValueError) as err:
        raise ValueError(f"cell timeout ({CELL_TIMEOUT_ENV} or cell_timeout) must be a number of seconds, "
                         f"got {raw!r}") from err
    if seconds <= 0:
        raise ValueError(f"cell timeout ({CELL_TIMEOUT_ENV} or cell_timeout) must be > 0 seconds, got {raw!r}")
    return seconds


def run_notebook(
    name: str | Path,
    profile: str = "quick",
    parameters: Mapping[str, Any] | None = None,
    runs_root: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: bool = False,
    log_output: bool = False,
    cell_timeout_s: float | None = None,
) -> NotebookRun:
    """Execute notebook ``name`` with papermill at ``profile``; returns where its outputs went.

    ``parameters``: notebook parameters and profile fields (checked first by
    :func:`gpkit.notebook_params.papermill_parameters`: an unknown name, a wrong type or a refused value raises
    ``ValueError`` before any folder exists). A folder held by a live run raises
    :class:`gpkit.record.RunLockedError`. The executed notebook is written beside ``results.json`` in
    ``<runs_root>/<profile>/<notebook>/``. Every cell has a timeout (:func:`cell_timeout`). When a cell fails,
    ``results.json`` is marked ``failed`` (:func:`gpkit.record.mark_failed`) and papermill's
    ``PapermillExecutionError`` is raised.
    """
    import papermill as pm

    from gpkit.notebook_params import papermill_parameters
    from gpkit.record import ensure_free, mark_failed

    check_choice("profile", profile, PROFILES)
    src = resolve_notebook(name)
    timeout = cell_timeout(profile, cell_timeout_s)
    given = papermill_parameters(src, profile, parameters)
    out = Path(out_dir) if out_dir not in (None, "") else run_folder(src.stem, profile, runs_root)
    ensure_free(out)
    out.mkdir(parents=True, exist_ok=True)
    params = {"profile": profile, "out_dir": str(out.resolve()), "progress": progress, **given}
    t0 = time.perf_counter()
    try:
        with _batch_kernel_env():
            pm.execute_notebook(
                str(src),
                str(out / src.name),
                parameters=params,
                kernel_name="python3",
                cwd=str(project_root()),
                progress_bar=log_output,
                log_output=log_output,
                execution_timeout=timeout,
            )
    except BaseException as err:
        mark_failed(out, _cell_error(err), notebook=src.stem, profile=profile, params=given)
        raise
    return NotebookRun(src.stem, out, time.perf_counter() - t0)


def _cell_error(err: BaseException) -> BaseException | str:
    """What to record of a failed papermill run: the failing cell's error (type, message, traceback text), or
    the exception itself (a timeout, an interrupt)."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    if ename:
        trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(getattr(err, "traceback", None) or []))
        return f"{trace}\n{ename}: {evalue}"
    return err


@contextmanager
def _batch_kernel_env() -> Iterator[None]:
    """Environment inherited by the kernel papermill starts: batch mode (no widgets), and the inline
    matplotlib backend even when the caller runs headless with ``MPLBACKEND=Agg`` (else figures
    would be saved but never shown in the executed notebook and its report page)."""
    wanted = {BATCH_ENV: "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    previous = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def collect_runs(profile: str = "quick", runs_root: str | Path | None = None) -> list[dict[str, Any]]:
    """``results.json`` of every notebook run at ``profile``, in notebook order, with ``out_dir`` added and
    ``status`` made current (:func:`gpkit.record.run_status`: a killed run reads ``interrupted``; a file that
    cannot be read reads ``failed`` with the reason)."""
    from gpkit.record import run_status

    found = []
    for res_path in sorted(profile_folder(profile, runs_root).glob("*/results.json")):
        try:
            res = json.loads(res_path.read_text())
        except ValueError as err:
            res = {"notebook": res_path.parent.name, "profile": profile, "status": "failed",
                   "error": {"type": "ValueError", "message": f"unreadable results.json: {err}", "traceback": ""}}
        res["status"] = run_status(res, res_path.parent)
        res["out_dir"] = str(res_path.parent)
        executed = res_path.parent / f"{res_path.parent.name}.ipynb"
        res["executed_notebook"] = str(executed) if executed.is_file() else None
        found.append(res)
    return found


#: The profile whose figures the README embeds: only its reproduction writes ``figures/``.
FIGURES_PROFILE = "quick"


def copy_figures(profile: str = FIGURES_PROFILE, runs_root: str | Path | None = None,
                 figures_dir: str | Path | None = None) -> list[Path]:
    """Copy every exported figure of the **finished** runs at ``profile`` into ``figures_dir`` (default the
    committed ``figures/``); returns the copies. ``ValueError`` when asked to write the committed ``figures/``
    from another profile than :data:`FIGURES_PROFILE` (the README embeds those)."""
    if figures_dir is None and profile != FIGURES_PROFILE:
        raise ValueError(f"profile must be {FIGURES_PROFILE!r} to write the committed figures/ (got {profile!r}); "
                         "pass figures_dir to copy elsewhere")
    dest = Path(figures_dir) if figures_dir is not None else project_root() / "figures"
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for res in collect_runs(profile, runs_root):
        if res["status"] != "finished":
            continue
        for files in res.get("figures", {}).values():
            for fname in files.values():
                src = Path(res["out_dir"]) / fname
                if src.is_file():
                    shutil.copy2(src, dest / fname)
                    copied.append(dest / fname)
    return copied


def reproduce(
    profile: str = "quick",
    only: Iterable[str] | None = None,
    runs_root: str | Path | None = None,
    figures_dir: str | Path | None = None,
    report_dir: str | Path | None = None,
    log_output: bool = True,
    jobs: int = 1,
    parameters: Mapping[str, Any] | None = None,
) -> list[NotebookRun]:
    """Run the notebooks (all, or ``only`` these numbers/names) at ``profile``, copy figures, build the report.

    ``jobs`` > 1 runs that many notebooks at once, each in its own process with
    ``cpu_count // jobs`` CPU threads (see :func:`gpkit.utils.thread_env`), longest first
    (:func:`expected_seconds`); their output goes to ``<out_dir>/run.log``.
    A failing notebook does not stop the others; its error is returned in its
    :class:`NotebookRun` (and the caller decides the exit status). ``parameters`` go to every notebook (e.g.
    ``{"precision": "auto"}``), checked for each before any runs.
    """
    check_choice("profile", profile, PROFILES)
    jobs = check_int("jobs", jobs, minimum=1)
    books = list_notebooks() if not only else [resolve_notebook(n) for n in only]
    params = dict(parameters or {})
    if params:
        from gpkit.notebook_params import papermill_parameters

        for nb in books:
            papermill_parameters(nb, profile, params)
    started, t0 = time.strftime("%Y-%m-%dT%H:%M:%S%z"), time.perf_counter()
    if jobs > 1 and len(books) > 1:
        outcomes = _reproduce_parallel(books, profile, runs_root, jobs, params)
    else:
        outcomes = _reproduce_serial(books, profile, runs_root, log_output, params)
    summary = write_reproduce_summary(outcomes, profile=profile, runs_root=runs_root, jobs=jobs,
                                      wall_seconds=time.perf_counter() - t0, started=started)
    print(f"[gpkit] {len(outcomes)} notebook(s) in {summary['wall_seconds'] / 60:.1f} min wall time", flush=True)
    if figures_dir is not None or profile == FIGURES_PROFILE:
        copied = copy_figures(profile, runs_root, figures_dir)
        print(f"[gpkit] copied {len(copied)} figure files into {figures_dir or project_root() / 'figures'}",
              flush=True)
    else:
        print(f"[gpkit] figures/ left as it is: it holds the {FIGURES_PROFILE} profile's figures (the README embeds "
              f"them); the {profile} figures are in the report and under runs/{profile}/", flush=True)
    index = build_report(profile, runs_root, report_dir)
    print(f"[gpkit] report: {index}", flush=True)
    return outcomes


def default_jobs() -> int:
    """Notebooks :func:`reproduce` runs at once by default: 1 with a GPU, else ``min(cores, 4)``."""
    import torch

    return 1 if torch.cuda.is_available() else max(1, min(os.cpu_count() or 1, 4))


def error_line(err: BaseException) -> str:
    """``Type: message`` of an error, for a failed papermill run the failing cell's error (not its traceback)."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    lines = [ln for ln in str(err).splitlines() if ln.strip()]
    return f"{type(err).__name__}: {lines[-1] if lines else ''}".strip()


def _print_outcome(outcome: NotebookRun) -> None:
    status = "ok" if outcome.ok else f"FAILED: {outcome.error.splitlines()[0] if outcome.error else ''}"
    print(f"[gpkit] {outcome.notebook}: {status} in {outcome.seconds:.0f} s -> {outcome.out_dir}", flush=True)


def _reproduce_serial(books: list[Path], profile: str, runs_root: str | Path | None,
                      log_output: bool, parameters: Mapping[str, Any] | None = None) -> list[NotebookRun]:
    outcomes = []
    for nb in books:
        print(f"[gpkit] running {nb.stem} (profile {profile}) ...", flush=True)
        t0 = time.perf_counter()
        try:
            outcome = run_notebook(nb, profile=profile, runs_root=runs_root, log_output=log_output,
                                   parameters=parameters)
        except Exception as err:  # noqa: BLE001 - reported, the other notebooks still run
            outcome = NotebookRun(nb.stem, run_folder(nb.stem, profile, runs_root), time.perf_counter() - t0,
                                  error_line(err))
        _print_outcome(outcome)
        outcomes.append(outcome)
    return outcomes


REPRODUCE_SUMMARY = "reproduce.json"


def write_reproduce_summary(outcomes: Iterable[NotebookRun], *, profile: str, runs_root: str | Path | None,
                            jobs: int, wall_seconds: float, started: str) -> dict[str, Any]:
    """Write ``runs/<profile>/reproduce.json``: wall time, jobs, per-notebook seconds and status, verdicts.

    ``benchmarks/bench_reproduce.py`` reads it (the quick reproduction's time and verdicts).
    """
    root = _runs_root(runs_root)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    notebooks, verdicts = [], {}
    for o in outcomes:
        notebooks.append({"notebook": o.notebook, "seconds": o.seconds, "ok": o.ok, "error": o.error})
        try:
            res = json.loads((o.out_dir / "results.json").read_text())
        except (OSError, ValueError):
            continue
        if o.ok:
            verdicts.update({c["id"]: c["verdict"] for c in res.get("claims", [])})
    summary = {"profile": profile, "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
               "wall_seconds": wall_seconds, "jobs": jobs, "threads_per_job": threads,
               "cpu_count": os.cpu_count(), "all_notebooks": sorted(o.notebook for o in outcomes)
               == [p.stem for p in list_notebooks()], "notebooks": notebooks, "verdicts": verdicts}
    atomic_write_text(root / profile / REPRODUCE_SUMMARY, json.dumps(summary, indent=1) + "\n")
    return summary


def previous_seconds(out_dir: Path) -> float | None:
    """Seconds the finished run in ``out_dir`` took (``duration_s`` of its ``results.json``, all sessions), or
    None."""
    try:
        res = json.loads((out_dir / "results.json").read_text())
        return float(res["duration_s"]) if res.get("status") == "finished" else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _committed_minutes(profile: str) -> dict[str, float]:
    """Minutes per notebook (keyed by number, ``"01"``) of the quick reproduction recorded in the committed
    ``benchmarks/results.json`` (``bench_reproduce``); empty for other profiles or when absent."""
    if profile != "quick":
        return {}
    try:
        doc = json.loads((project_root() / "benchmarks" / "results.json").read_text())
        entry = next(r for r in doc.get("results", []) if r.get("benchmark") == "reproduce")
        return {str(k): float(v) for k, v in entry["extra"]["minutes_per_notebook"].items()}
    except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError):
        return {}


def expected_seconds(nb: Path, profile: str, runs_root: str | Path | None = None) -> float | None:
    """How long ``nb`` is expected to take: its last run's duration, else the committed quick-profile
    measurement (a fresh clone still starts the longest notebooks first), else None."""
    last = previous_seconds(run_folder(nb.stem, profile, runs_root))
    if last is not None:
        return last
    minutes = _committed_minutes(profile).get(nb.stem.split("_")[0])
    return None if minutes is None else 60.0 * minutes


def _child_command(nb: Path, profile: str, out: Path, parameters: Mapping[str, Any] | None = None) -> list[str]:
    """The command that runs one notebook in its own process (``gpkit run``, ``-p NAME VALUE`` per parameter)."""
    import sys

    extra = [arg for name, value in (parameters or {}).items() for arg in ("-p", name, repr(value))]
    return [sys.executable, "-m", "gpkit.cli", "run", str(nb), "--profile", profile, "--out-dir", str(out), *extra]


def _reproduce_parallel(books: list[Path], profile: str, runs_root: str | Path | None,
                        jobs: int, parameters: Mapping[str, Any] | None = None) -> list[NotebookRun]:
    """Run ``books`` ``jobs`` at a time, each as ``python -m gpkit.cli run`` in its own process."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    from gpkit.utils import thread_env

    root = _runs_root(runs_root)
    env = {**os.environ, **thread_env(max(1, (os.cpu_count() or 1) // jobs))}
    # Longest first (by the last or the committed duration; unknown ones first), so the pool ends together.
    order = sorted(books, key=lambda nb: -(expected_seconds(nb, profile, root) or float("inf")))

    def one(nb: Path) -> NotebookRun:
        from gpkit.record import lock_holder

        out = run_folder(nb.stem, profile, root)
        if lock_holder(out) is not None:  # never touch a folder a live run holds (its run.log, its record)
            outcome = NotebookRun(nb.stem, out, 0.0, f"RunLockedError: {out} is held by a live run")
            _print_outcome(outcome)
            return outcome
        out.mkdir(parents=True, exist_ok=True)
        print(f"[gpkit] running {nb.stem} (profile {profile}, log {out / 'run.log'}) ...", flush=True)
        t0 = time.perf_counter()
        cmd = _child_command(nb, profile, out, parameters)
        with (out / "run.log").open("w") as log:
            proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(project_root()))
        error = None
        if proc.returncode != 0:
            lines = [ln for ln in (out / "run.log").read_text(errors="replace").splitlines() if ln.strip()]
            error = f"exit status {proc.returncode}: {lines[-1] if lines else ''} (see {out / 'run.log'})"
        outcome = NotebookRun(nb.stem, out, time.perf_counter() - t0, error)
        _print_outcome(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done = {o.notebook: o for o in pool.map(one, order)}
    return [done[nb.stem] for nb in books]


# ----------------------------------------------------------------------- report
def _bench_document() -> dict[str, Any] | None:
    """``benchmarks/results.json`` (the speed table), or None when the benchmarks have not run."""
    from gpkit.bench import load_results

    found = load_results()
    return found[0] if found else None


def build_report(
    profile: str = "quick", runs_root: str | Path | None = None, report_dir: str | Path | None = None
) -> Path:
    """Write ``report/index.html`` and one HTML page per executed notebook; returns the index path.

    The index (see :mod:`gpkit.htmlreport`) holds the claims table with a row for every
    catalogued claim, the figure gallery in paper order beside the paper's captions, the
    paper's printed numbers beside ours, and each run's provenance. Figures go to
    ``report/figures/``, each run's ``results.json`` and CSVs to ``report/data/<notebook>/``.
    """
    from gpkit import htmlreport
    from gpkit.catalog import NOTEBOOK_TITLES
    from gpkit.utils import git_commit

    check_choice("profile", profile, PROFILES)
    out = Path(report_dir) if report_dir is not None else project_root() / "report"
    (out / "figures").mkdir(parents=True, exist_ok=True)
    runs = collect_runs(profile, runs_root)
    pages: dict[str, str] = {}
    data_files: dict[str, list[str]] = {}
    for res in runs:
        nb, run_dir = res["notebook"], Path(res["out_dir"])
        if res.get("executed_notebook"):
            label = NOTEBOOK_TITLES.get(nb, res.get("title", nb))
            page = htmlreport.render_notebook(res["executed_notebook"], label=label, profile=res["profile"],
                                              finished=str(res.get("finished", "")))
            pages[nb] = atomic_write_text(out / f"{nb}.html", page).name
        for files in res.get("figures", {}).values():
            for fname in files.values():
                if (run_dir / fname).is_file():
                    shutil.copy2(run_dir / fname, out / "figures" / fname)
        data_dir = out / "data" / nb
        data_dir.mkdir(parents=True, exist_ok=True)
        for fname in ["results.json", *res.get("csv", {}).values()]:
            if (run_dir / fname).is_file():
                shutil.copy2(run_dir / fname, data_dir / fname)
                data_files.setdefault(nb, []).append(f"data/{nb}/{fname}")
    index = htmlreport.render_index(
        runs, profile=profile, pages=pages, notebooks=[p.stem for p in list_notebooks()], data_files=data_files,
        built=time.strftime("%Y-%m-%d %H:%M"), commit=git_commit(), bench=_bench_document(),
    )
    return atomic_write_text(out / "index.html", index)
