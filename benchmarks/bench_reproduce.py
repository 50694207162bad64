"""The whole quick reproduction: wall time per notebook and in total, and whether any verdict changed.

Not re-run here (about an hour): this reads ``runs/quick/reproduce.json``, which ``make reproduce``
(``gpkit reproduce``) writes, and compares its verdicts with ``verdicts_quick.json`` (the verdicts of the
sequential quick reproduction the README reports). Target: under 90 minutes with every verdict
unchanged. With no complete quick reproduction on this machine the benchmark reports nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from gpkit.bench import BenchContext, BenchResult, value_result
from gpkit.report import REPRODUCE_SUMMARY
from gpkit.paths import profile_folder

BASELINE = Path(__file__).with_name("verdicts_quick.json")


def verdict_changes(verdicts: dict[str, str], baseline: dict[str, str]) -> dict[str, list[str]]:
    """``{claim: [baseline verdict, new verdict]}`` for every claim whose verdict differs (or is missing)."""
    return {cid: [old, verdicts.get(cid, "missing")] for cid, old in baseline.items()
            if verdicts.get(cid, "missing") != old}


def bench_reproduce(ctx: BenchContext) -> list[BenchResult]:
    path = profile_folder("quick", ctx.extra.get("runs_root")) / REPRODUCE_SUMMARY
    if not path.is_file():
        print(f"[gpkit bench] reproduce: no {path}; run `make reproduce` first")
        return []
    summary = json.loads(path.read_text())
    if not summary.get("all_notebooks"):
        print(f"[gpkit bench] reproduce: {path} is not a run of every notebook; skipped")
        return []
    baseline = json.loads(BASELINE.read_text())["verdicts"]
    changes = verdict_changes(summary["verdicts"], baseline)
    minutes = summary["wall_seconds"] / 60
    failed = [n["notebook"] for n in summary["notebooks"] if not n["ok"]]
    per_nb = {n["notebook"][:2]: round(n["seconds"] / 60, 1) for n in summary["notebooks"]}
    res = value_result(
        "reproduce", f"quick profile, {summary['jobs']} notebook(s) at once", minutes, unit="min",
        what="wall time of make reproduce", target=("<=", 90.0),
        seconds={"total": summary["wall_seconds"]},
        extra={"minutes_per_notebook": per_nb, "verdict_changes": changes, "failed": failed,
               "jobs": summary["jobs"], "threads_per_job": summary.get("threads_per_job"),
               "started": summary["started"], "sum_of_notebook_minutes": round(sum(n["seconds"] for n in summary["notebooks"]) / 60, 1)},
        note=("verdicts unchanged" if not changes else f"{len(changes)} verdict(s) changed: {changes}")
        + (f"; failed: {failed}" if failed else ""))
    if changes or failed:
        res.passed = False
    return [res]
