"""The README's results table, generated from the runs' ``results.json`` (never typed by hand).

``gpkit readme-table --profile quick --write README.md`` replaces the text between the markers
``<!-- results-table:begin -->`` and ``<!-- results-table:end -->`` with one row per catalogued claim, in the
catalogue's order (the report's claims table, :func:`gpkit.htmlreport.merge_claims`): the claim, our metric and
number (with its seed count and 95% interval where the claim records them), the test, and the verdict with its
reason. A claim whose notebook has not finished reads "not run yet", "run failed" or "run unfinished".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["BEGIN", "END", "markdown_table", "table_for", "replace_table"]

BEGIN = "<!-- results-table:begin -->"
END = "<!-- results-table:end -->"


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell (no pipes, no line breaks)."""
    return " ".join(str(text).replace("|", "\\|").split())


def markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows of :func:`gpkit.htmlreport.merge_claims` as a Markdown table (one line per claim)."""
    from gpkit.htmlreport import _fmt, _spread

    lines = ["| Paper, figure: claim | Our metric: **number** | Test | Verdict |", "|---|---|---|---|"]
    for r in rows:
        claim = f"{r['paper']} {r['figure']}: {r['statement']}"
        ours = ""
        if r.get("metric") or r.get("value") is not None:
            ours = f"{r.get('metric', '')}: **{_fmt(r.get('value'))}**"
            spread = _spread(r)
            if spread:
                ours += f" ({spread})"
        verdict = r["verdict"]
        if r.get("reason"):
            verdict += f" ({r['reason'].removeprefix('inconclusive: ')})"
        lines.append("| " + " | ".join(_cell(t) for t in (claim, ours, r.get("threshold", ""), verdict)) + " |")
    return "\n".join(lines)


def table_for(profile: str = "quick", runs_root: str | Path | None = None) -> str:
    """The Markdown table of the latest runs at ``profile`` (see the module docstring)."""
    from gpkit.htmlreport import merge_claims
    from gpkit.report import collect_runs, list_notebooks

    runs = collect_runs(profile, runs_root)
    return markdown_table(merge_claims(runs, [nb.stem for nb in list_notebooks()]))


def replace_table(text: str, table: str) -> str:
    """``text`` with the part between :data:`BEGIN` and :data:`END` replaced by ``table``; ``ValueError`` when the
    markers are missing, repeated or out of order."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"the file must hold {BEGIN} once, followed by {END} once")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{table}\n{END}{tail}"
