"""The ``gpkit`` command line, mirroring the Makefile.

    gpkit list
    gpkit run NOTEBOOK [-p name value ...] [--profile P] [--out-dir DIR]
    gpkit reproduce [--profile P] [--only 01,02] [--jobs N] [-p name value ...] [--runs-root R] [--figures-dir F]
    gpkit report [--profile P] [--check] [--screenshot PNG]
    gpkit readme-table [--profile P] [--runs-root R] [--write README.md]
    gpkit bench [--only a,b] [--repeats N] [--smoke] [--device D]
    gpkit compare RUN_A RUN_B [--rtol R] [--atol A] [--no-csv]
    gpkit sweep NOTEBOOK --grid FILE|NAME [--executor local|slurm] [--profile P] [--timeout-min M] [--collect] [...]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Sequence
from typing import Any

from gpkit import report

__all__ = ["main"]


def _value(text: str) -> Any:
    """Parse a ``-p`` value as a Python literal when possible (``5``, ``1e-3``, ``[1, 2]``, ``True``), else a string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="gpkit", description="Run the WGAN-GP compendium's notebooks and build its report.")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the notebooks")
    p_run = sub.add_parser("run", help="run one notebook with papermill")
    p_run.add_argument("notebook", help="number (01), stem or path of the notebook")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="override a parameter (repeatable), e.g. -p width 512")
    p_run.add_argument("--profile", default="quick", choices=report.PROFILES)
    p_run.add_argument("--out-dir", default=None, help="output folder (default runs/<profile>/<notebook>)")
    p_rep = sub.add_parser("reproduce", help="run every notebook, copy figures, build the report")
    p_rep.add_argument("--profile", default="quick", choices=report.PROFILES)
    p_rep.add_argument("--only", default=None, help="comma-separated notebook numbers or names, e.g. 01,02")
    p_rep.add_argument("--jobs", type=int, default=None,
                       help="notebooks at once, each with cores/jobs CPU threads (default: 1 on a GPU machine, "
                            "else min(cores, 4))")
    p_rep.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="a parameter for every notebook (repeatable), e.g. -p precision auto")
    p_rep.add_argument("--runs-root", default=None, help="default <repo>/runs")
    p_rep.add_argument("--figures-dir", default=None,
                       help="where the figures are copied (default: the committed figures/, quick profile only)")
    p_rep.add_argument("--report-dir", default=None, help="default <repo>/report")
    p_html = sub.add_parser("report", help="build report/index.html from the latest runs")
    p_html.add_argument("--profile", default="quick", choices=report.PROFILES)
    p_html.add_argument("--check", action="store_true",
                        help="open every page in headless Chromium (network blocked) and report console errors "
                             "and broken images; exit status 1 if any")
    p_html.add_argument("--screenshot", default=None, help="with --check: save a screenshot of the index here")
    p_md = sub.add_parser("readme-table", help="print the results table of the latest runs as Markdown, or write it "
                                               "between the results-table markers of a file (the README)")
    p_md.add_argument("--profile", default="quick", choices=report.PROFILES)
    p_md.add_argument("--runs-root", default=None, help="runs folder (default runs/)")
    p_md.add_argument("--write", default=None, metavar="FILE", help="replace the table in FILE, e.g. README.md")
    p_b = sub.add_parser("bench", help="run benchmarks/ (side-by-side ratios), print the table, write "
                                       "benchmarks/results.json")
    p_b.add_argument("--only", default=None, help="comma-separated benchmark names, e.g. penalty_overhead,algorithm1")
    p_b.add_argument("--repeats", type=int, default=None, help="timed repeats per variant (default 7)")
    p_b.add_argument("--smoke", action="store_true", help="tiny sizes, a functional check (nothing written)")
    p_b.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p_b.add_argument("--out", default=None, help="results file (default benchmarks/results.json)")
    p_b.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p_cmp = sub.add_parser("compare", help="list the metrics, claim values, verdicts and CSV numbers that differ "
                                           "between two runs (or two folders of runs)")
    p_cmp.add_argument("a", help="run folder (with results.json) or a folder of run folders, e.g. runs/quick")
    p_cmp.add_argument("b", help="the other run folder or folder of run folders")
    p_cmp.add_argument("--rtol", type=float, default=0.0, help="relative tolerance (default 0: exactly equal)")
    p_cmp.add_argument("--atol", type=float, default=0.0, help="absolute tolerance (default 0)")
    p_cmp.add_argument("--no-csv", action="store_true", help="compare results.json only, not the CSV files")
    p_sw = sub.add_parser("sweep", help="run a notebook once per parameter dict (submitit: local or Slurm)")
    p_sw.add_argument("notebook", help="number (07), stem or path of the notebook")
    p_sw.add_argument("--grid", required=True,
                      help='JSON file: a list of parameter dicts, or {"grid": {"name": [values, ...]}}; or a built-in '
                           'grid: fig2-cells (Figure 2, one run per cell), table2-architectures (Table 2)')
    p_sw.add_argument("--executor", default="local", choices=("local", "slurm"))
    p_sw.add_argument("--profile", default="quick", choices=report.PROFILES)
    p_sw.add_argument("--runs-root", default=None, help="default <repo>/runs")
    p_sw.add_argument("--max-parallel", type=int, default=None,
                      help="local: runs at once (default one per GPU, else half the cores)")
    p_sw.add_argument("--timeout-min", type=int, default=60, help="per run (default 60)")
    p_sw.add_argument("--partition", default=None, help="slurm: partition")
    p_sw.add_argument("--gpus", type=int, default=0, help="slurm: GPUs per job")
    p_sw.add_argument("--cpus-per-task", type=int, default=None, help="slurm: CPUs per job")
    p_sw.add_argument("--mem-gb", type=float, default=None, help="slurm: memory per job")
    p_sw.add_argument("--array-parallelism", type=int, default=None, help="slurm: jobs of the array at once")
    p_sw.add_argument("--collect", action="store_true",
                      help="afterwards, run the notebook once locally with collect_from=<sweep folder> to build its "
                           "figures, tables and verdicts into runs/<profile>/<notebook>/")
    return ap


def _print_run(outcome: report.NotebookRun) -> None:
    """Where a run's results, figures and executed notebook went, and its verdicts."""
    import json

    out = outcome.out_dir
    print(f"[gpkit] {outcome.notebook} finished in {outcome.seconds:.0f} s")
    print(f"[gpkit] executed notebook: {out / (outcome.notebook + '.ipynb')}")
    results = out / "results.json"
    print(f"[gpkit] results: {results}")
    if not results.is_file():
        return
    res = json.loads(results.read_text())
    for files in res.get("figures", {}).values():
        print(f"[gpkit] figure: {', '.join(str(out / f) for f in files.values())}")
    for claim in res.get("claims", []):
        print(f"[gpkit] claim {claim['id']}: {claim['verdict']}")


def _check_report(index, screenshot: str | None) -> int:
    from gpkit import browser

    pages = [index, *sorted(p for p in index.parent.glob("*.html") if p != index)]
    checks = browser.check_pages(pages, screenshot=screenshot)
    bad = 0
    for check in checks:
        status = "ok" if check.ok else "PROBLEMS"
        print(f"[gpkit] {check.path.name}: {status} ({check.images} images)")
        for line in check.problems():
            bad += 1
            print(f"    {line}")
    if screenshot:
        print(f"[gpkit] screenshot: {screenshot}")
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; a user error (bad parameter, unknown notebook, a folder held by a live run, missing
    data) is one line on stderr and exit status 2, a failed notebook one line naming the cell's error and 1."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("gpkit: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - every error becomes one readable line
        return _report_error(err, args)


def _report_error(err: Exception, args: argparse.Namespace) -> int:
    from gpkit.record import RunLockedError

    ename = getattr(err, "ename", None)
    if ename:  # papermill: a cell of the notebook raised
        where = ""
        if getattr(args, "command", None) == "run":
            try:
                out = report.run_folder(report.resolve_notebook(args.notebook).stem, args.profile) \
                    if args.out_dir is None else args.out_dir
                where = f" (executed notebook and results.json with the traceback in {out})"
            except ValueError:
                pass
        print(f"gpkit: notebook failed: {report.error_line(err)}{where}", file=sys.stderr)
        return 1
    if isinstance(err, (ValueError, RunLockedError, FileNotFoundError)):
        print(f"gpkit: error: {err}", file=sys.stderr)
        return 2
    if type(err).__name__ == "TimeoutError" or "CellTimeoutError" in type(err).__name__:
        print(f"gpkit: a cell ran past its timeout: {err}", file=sys.stderr)
        return 1
    raise err


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "list":
        for nb in report.list_notebooks():
            print(nb.stem)
        return 0
    if args.command == "run":
        params = {name: _value(value) for name, value in args.parameter}
        outcome = report.run_notebook(args.notebook, profile=args.profile, parameters=params,
                                      out_dir=args.out_dir, log_output=True)
        _print_run(outcome)
        return 0
    if args.command == "reproduce":
        only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
        outcomes = report.reproduce(profile=args.profile, only=only,
                                    jobs=args.jobs if args.jobs is not None else report.default_jobs(),
                                    parameters={name: _value(value) for name, value in args.parameter},
                                    runs_root=args.runs_root, figures_dir=args.figures_dir,
                                    report_dir=args.report_dir)
        failed = [o for o in outcomes if not o.ok]
        total = sum(o.seconds for o in outcomes)
        print(f"[gpkit] {len(outcomes) - len(failed)}/{len(outcomes)} notebooks succeeded in {total:.0f} s")
        for o in failed:
            print(f"[gpkit] FAILED {o.notebook}: {o.error}", file=sys.stderr)
        return 1 if failed else 0
    if args.command == "report":
        index = report.build_report(profile=args.profile)
        print(f"[gpkit] report: {index}")
        return _check_report(index, args.screenshot) if args.check else 0
    if args.command == "readme-table":
        from pathlib import Path

        from gpkit import readme_table

        table = readme_table.table_for(args.profile, args.runs_root)
        if args.write is None:
            print(table)
            return 0
        path = Path(args.write)
        path.write_text(readme_table.replace_table(path.read_text(), table))
        print(f"[gpkit] results table of the {args.profile} runs written to {path}")
        return 0
    if args.command == "bench":
        from gpkit import bench

        if args.list:
            for name, fn in bench.discover():
                print(f"{name}: {(fn.__module__ or '').split('.')[-1]}")
            return 0
        only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
        doc = bench.run_suite(only=only, smoke=args.smoke, repeats=args.repeats, device=args.device, out=args.out)
        return 1 if doc["errors"] else 0
    if args.command == "compare":
        from gpkit import compare

        diffs = compare.compare_folders(args.a, args.b, rtol=args.rtol, atol=args.atol, csvs=not args.no_csv)
        print(compare.format_differences(diffs, args.a, args.b))
        return 1 if diffs else 0
    if args.command == "sweep":
        from gpkit import sweep

        runs = sweep.sweep(args.notebook, sweep.load_grid(args.grid), profile=args.profile, executor=args.executor,
                           runs_root=args.runs_root, max_parallel=args.max_parallel, timeout_min=args.timeout_min,
                           partition=args.partition, gpus_per_node=args.gpus, cpus_per_task=args.cpus_per_task,
                           mem_gb=args.mem_gb, array_parallelism=args.array_parallelism)
        print(sweep.summary_table(runs))
        failed = any(r.state == "failed" for r in runs)
        if args.collect:
            if failed:
                print("[gpkit] collecting the runs that finished (re-run the same command to retry the failed ones)")
            _print_run(sweep.collect(args.notebook, profile=args.profile, runs_root=args.runs_root, log_output=True))
        return 1 if failed else 0
    return 2  # pragma: no cover - argparse enforces the choices


if __name__ == "__main__":
    raise SystemExit(main())
