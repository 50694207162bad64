"""Compare two runs (or two folders of runs): every metric, claim value and verdict, and CSV number that differs.

``gpkit compare RUN_A RUN_B`` takes two run folders (each with a ``results.json``) or two profile folders
(``runs/quick``: each ``<notebook>/results.json`` is paired by notebook). Timing fields (``seconds``,
``duration_s``, ``*_seconds``, wall times) and the environment are not compared: they differ from run to run
by nature. Numbers are equal when ``|a - b| <= atol + rtol |b|`` (default: exactly equal). Used as the guard
of a refactoring: the same seed must give the same numbers before and after.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpkit.paths import RESULTS

__all__ = ["Difference", "compare_results", "compare_runs", "compare_folders", "format_differences"]

#: Keys (at any depth) that hold times or the machine, never results.
_TIMING = re.compile(r"(^|_)(seconds|secs|wall|time|timing|duration)(_|$)|_s$|^minutes")


@dataclass(frozen=True)
class Difference:
    """One value that differs: where (``notebook``, ``kind``: metric, claim, verdict, comparison, csv, status,
    missing), the key path, and the two values."""

    notebook: str
    kind: str
    key: str
    a: Any
    b: Any

    def line(self) -> str:
        return f"{self.notebook}  {self.kind:<10}  {self.key}: {_show(self.a)} -> {_show(self.b)}"


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def _timing(key: str) -> bool:
    return bool(_TIMING.search(key.lower()))


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if _timing(str(k)):
                continue
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value and all(isinstance(v, (Mapping, list)) for v in value):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _equal(a: Any, b: Any, rtol: float, atol: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) and math.isnan(b):
            return True
        return abs(a - b) <= atol + rtol * abs(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y, rtol, atol) for x, y in zip(a, b))
    return a == b


def _dict_diffs(notebook: str, kind: str, a: Mapping[str, Any], b: Mapping[str, Any], rtol: float,
                atol: float) -> list[Difference]:
    fa, fb = dict(_flatten(a)), dict(_flatten(b))
    out = []
    for key in sorted(set(fa) | set(fb)):
        va, vb = fa.get(key, "<absent>"), fb.get(key, "<absent>")
        if not _equal(va, vb, rtol, atol):
            out.append(Difference(notebook, kind, key, va, vb))
    return out


def compare_results(a: Mapping[str, Any], b: Mapping[str, Any], *, rtol: float = 0.0, atol: float = 0.0,
                    notebook: str | None = None) -> list[Difference]:
    """The differences between two ``results.json`` documents: status, metrics, claim values and verdicts,
    the paper-number comparisons (our values)."""
    nb = notebook or str(a.get("notebook") or b.get("notebook") or "?")
    out = []
    if a.get("status", "finished") != b.get("status", "finished"):
        out.append(Difference(nb, "status", "status", a.get("status"), b.get("status")))
    out += _dict_diffs(nb, "metric", a.get("metrics") or {}, b.get("metrics") or {}, rtol, atol)
    ca = {c["id"]: c for c in a.get("claims") or []}
    cb = {c["id"]: c for c in b.get("claims") or []}
    for cid in sorted(set(ca) | set(cb)):
        x, y = ca.get(cid, {}), cb.get(cid, {})
        if x.get("verdict") != y.get("verdict"):
            out.append(Difference(nb, "verdict", cid, x.get("verdict", "<absent>"), y.get("verdict", "<absent>")))
        if not _equal(x.get("value"), y.get("value"), rtol, atol):
            out.append(Difference(nb, "claim", cid, x.get("value"), y.get("value")))
        out += _dict_diffs(nb, "claim", {cid: x.get("details") or {}}, {cid: y.get("details") or {}}, rtol, atol)
    ka = {c["key"]: c.get("ours") for c in a.get("comparisons") or []}
    kb = {c["key"]: c.get("ours") for c in b.get("comparisons") or []}
    out += _dict_diffs(nb, "comparison", ka, kb, rtol, atol)
    return out


def _read_csv(path: Path) -> list[dict[str, Any]]:
    def num(v: str) -> Any:
        try:
            return float(v)
        except ValueError:
            return v

    with path.open(newline="") as fh:
        return [{k: num(v) for k, v in row.items() if not _timing(k)} for row in csv.DictReader(fh)]


def compare_runs(a: str | Path, b: str | Path, *, rtol: float = 0.0, atol: float = 0.0,
                 csvs: bool = True) -> list[Difference]:
    """The differences between two run folders (``results.json`` and, with ``csvs``, every CSV it lists)."""
    a, b = Path(a), Path(b)
    ra = json.loads((a / RESULTS).read_text())
    rb = json.loads((b / RESULTS).read_text())
    nb = str(ra.get("notebook") or a.name)
    out = compare_results(ra, rb, rtol=rtol, atol=atol, notebook=nb)
    if csvs:
        names = sorted(set((ra.get("csv") or {}).values()) | set((rb.get("csv") or {}).values()))
        for name in names:
            pa, pb = a / name, b / name
            if not (pa.is_file() and pb.is_file()):
                out.append(Difference(nb, "csv", name, pa.is_file(), pb.is_file()))
                continue
            rows_a, rows_b = _read_csv(pa), _read_csv(pb)
            if len(rows_a) != len(rows_b):
                out.append(Difference(nb, "csv", f"{name} rows", len(rows_a), len(rows_b)))
                continue
            out += _dict_diffs(nb, "csv", {name: rows_a}, {name: rows_b}, rtol, atol)
    return out


def compare_folders(a: str | Path, b: str | Path, **kwargs: Any) -> list[Difference]:
    """Two run folders, or two folders of run folders paired by name (a run missing on one side is a
    difference)."""
    a, b = Path(a), Path(b)
    for path in (a, b):
        if not path.is_dir():
            raise FileNotFoundError(f"no folder {path}")
    if (a / RESULTS).is_file() and (b / RESULTS).is_file():
        return compare_runs(a, b, **kwargs)
    runs_a = {p.parent.name: p.parent for p in a.glob(f"*/{RESULTS}")}
    runs_b = {p.parent.name: p.parent for p in b.glob(f"*/{RESULTS}")}
    if not runs_a and not runs_b:
        raise FileNotFoundError(f"neither {a} nor {b} holds a {RESULTS} or run folders with one")
    out = []
    for name in sorted(set(runs_a) | set(runs_b)):
        if name not in runs_a or name not in runs_b:
            out.append(Difference(name, "missing", "run", name in runs_a, name in runs_b))
            continue
        out += compare_runs(runs_a[name], runs_b[name], **kwargs)
    return out


def format_differences(diffs: list[Difference], a: str | Path, b: str | Path) -> str:
    """A plain-text listing: one line per difference, then a count per notebook and kind."""
    if not diffs:
        return f"identical: every metric, claim value, verdict and CSV number of {a} equals {b}"
    lines = [f"{len(diffs)} difference(s), {a} -> {b}:"] + [d.line() for d in diffs]
    counts: dict[tuple[str, str], int] = {}
    for d in diffs:
        counts[(d.notebook, d.kind)] = counts.get((d.notebook, d.kind), 0) + 1
    lines.append("by notebook and kind: " + ", ".join(f"{nb} {k} {n}" for (nb, k), n in sorted(counts.items())))
    return "\n".join(lines)
