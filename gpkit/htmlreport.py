"""The report's HTML: index page (claims, figure gallery, paper numbers, provenance) and notebook pages.

Pure rendering: :func:`gpkit.report.build_report` gathers the runs and files and calls
:func:`render_index` and :func:`render_notebook`. Every page is self-contained HTML with
inline CSS and local images, so the report opens from ``file://`` with no network.

The rows of the claims table come from :func:`merge_claims`: every claim of
:data:`gpkit.catalog.CLAIMS` in paper order, with our value and verdict where a run
decided it and ``not run yet`` otherwise, followed by any claim a run made that
the catalogue does not list.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gpkit import catalog

__all__ = ["NOT_RUN", "RUN_FAILED", "RUN_UNFINISHED", "STATUSES", "merge_claims", "verdict_counts", "render_index", "render_notebook"]

NOT_RUN = "not run yet"
#: A claim whose notebook's run failed (its record says ``failed``): no verdict.
RUN_FAILED = "run failed"
#: A claim whose notebook's run is still running or was interrupted (killed): no verdict.
RUN_UNFINISHED = "run unfinished"
#: Every status a claims-table row can have, in the order of the summary.
STATUSES = ("reproduced", "not reproduced", "inconclusive", RUN_FAILED, RUN_UNFINISHED, NOT_RUN)

_CSS = """
:root { --ok: #1b9e77; --bad: #d95f02; --unsure: #7570b3; --none: #9a9a9a; --ink: #1f2328; --muted: #667;
        --line: #e3e3e3; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 0; color: var(--ink);
       line-height: 1.5; background: #fff; }
header.top { background: #20262e; color: #eef; padding: 1.4rem 0 1rem; }
header.top h1 { margin: 0 0 0.3rem; font-size: 1.7rem; }
header.top p { margin: 0.2rem 0; color: #c8cfd8; font-size: 0.92rem; }
header.top nav a { color: #9fc6ff; margin-right: 1.1rem; text-decoration: none; font-weight: 600; font-size: 0.92rem; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 1.4rem; }
main { padding-bottom: 3rem; }
h2 { margin-top: 2.4rem; padding-bottom: 0.2rem; border-bottom: 2px solid var(--line); font-size: 1.35rem; }
h3 { margin: 0 0 0.3rem; font-size: 1.08rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; margin: 0.6rem 0 1.2rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.4rem 0.55rem; text-align: left; vertical-align: top; }
th { background: #f5f6f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { display: inline-block; font-weight: 600; font-size: 0.8rem; border-radius: 3px; padding: 0.05rem 0.45rem;
           color: #fff; white-space: nowrap; }
.reproduced { background: var(--ok); } .not-reproduced { background: var(--bad); }
.inconclusive { background: var(--unsure); } .not-run-yet { background: var(--none); }
tr.status-not-run-yet td { color: #888; }
tr.status-not-run-yet td .verdict { color: #fff; }
.verdict.run-failed { background: #b00020; color: #fff; }
.verdict.run-unfinished { background: #c98a00; color: #fff; }
.banner { border-left: 6px solid #c98a00; background: #fff6e0; padding: 0.7rem 1rem; margin: 1rem 0; }
.banner.failed { border-left-color: #b00020; background: #fde8ea; }
pre.error { background: #fde8ea; padding: 0.5rem; font-size: 0.8rem; white-space: pre-wrap; }
tr.status-not-reproduced td:first-child { border-left: 3px solid var(--bad); }
.summary { display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; margin: 0.8rem 0; }
.summary .count { font-size: 1.5rem; font-weight: 700; margin-right: 0.3rem; }
.bar { display: flex; height: 12px; border-radius: 6px; overflow: hidden; background: #eee; margin: 0.4rem 0 1rem; }
.bar span { display: block; height: 100%; }
.muted { color: var(--muted); font-size: 0.85rem; }
.howto { background: #f6f8fa; border-left: 4px solid var(--accent); padding: 0.7rem 1rem; font-size: 0.92rem; }
.howto p { margin: 0.3rem 0; }
.card { display: grid; grid-template-columns: minmax(0, 2.1fr) minmax(240px, 1fr); gap: 1.2rem;
        border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1rem 0 1.4rem; }
.card .images img { max-width: 100%; border: 1px solid #eee; display: block; margin-bottom: 0.2rem; }
.card .images figure { margin: 0 0 0.8rem; }
.card .images figcaption { font-size: 0.8rem; color: var(--muted); }
.card blockquote { margin: 0.4rem 0; padding: 0.1rem 0 0.1rem 0.8rem; border-left: 3px solid #ccc; color: #333;
                   font-size: 0.9rem; font-style: italic; }
.placeholder { border: 2px dashed #ccc; border-radius: 6px; color: #888; padding: 2.2rem 1rem; text-align: center;
               background: #fafafa; }
.badges .verdict { margin: 0 0.25rem 0.25rem 0; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.8rem; margin: 0.6rem 0; }
details summary { cursor: pointer; font-weight: 600; }
details table { font-size: 0.82rem; }
.kv td:first-child { white-space: nowrap; color: var(--muted); width: 14rem; }
code { background: #f3f3f3; padding: 0 0.25rem; border-radius: 3px; font-size: 0.85em; }
pre.samples { background: #f7f7f7; padding: 0.6rem; font-size: 0.82rem; white-space: pre; overflow-x: auto; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 800px) { .card, .cols { grid-template-columns: 1fr; } }
"""

_COLORS = {"reproduced": "var(--ok)", "not reproduced": "var(--bad)", "inconclusive": "var(--unsure)",
           RUN_FAILED: "#b00020", RUN_UNFINISHED: "#c98a00", NOT_RUN: "var(--none)"}


def _status(res: Mapping[str, Any]) -> str:
    """A run's status (``finished``, ``failed``, ``running``, ``interrupted``, ``unknown``), as
    :func:`gpkit.report.collect_runs` made it current."""
    return str(res.get("status") or "unknown")


def _error_line(res: Mapping[str, Any]) -> str:
    err = res.get("error") or {}
    return f"{err.get('type', 'Error')}: {err.get('message', '')}" if err else ""


def _e(value: Any) -> str:
    return html.escape(str(value)) if value is not None else ""


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def badge(verdict: str) -> str:
    """A coloured verdict label."""
    return f'<span class="verdict {_slug(verdict)}">{_e(verdict)}</span>'


def _fmt(value: Any, std: Any = None) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, bool):
        return _e(value)
    if isinstance(value, (int, float)):
        text = f"{int(value)}" if float(value).is_integer() and abs(value) < 1e6 else f"{value:.4g}"
        return text + (f" &plusmn; {std:.2f}" if isinstance(std, (int, float)) else "")
    return _e(value)


# ------------------------------------------------------------------- claims
def merge_claims(runs: Sequence[Mapping[str, Any]], notebooks: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Rows of the claims table: catalogue claims in paper order (ours where a run decided them,
    ``not run yet`` otherwise), then claims of runs that the catalogue does not list.

    Each row carries the claim fields plus ``notebook`` and, for rows without a run,
    ``reason`` ("notebook planned" or "not run at this profile", judged from ``notebooks``,
    the stems of the notebooks that exist).
    """
    decided: dict[str, dict[str, Any]] = {}
    unfinished: dict[str, Mapping[str, Any]] = {}
    for res in runs:
        if _status(res) != "finished":
            unfinished[res["notebook"]] = res
            continue
        for c in res.get("claims", []):
            decided[c["id"]] = {**c, "notebook": res["notebook"], "reason": None}
    rows = []
    existing = set(notebooks)
    for pc in catalog.CLAIMS:
        if pc.id in decided:
            rows.append(decided.pop(pc.id))
            continue
        verdict, reason = NOT_RUN, "not run at this profile" if pc.notebook in existing else "notebook planned"
        if pc.notebook in unfinished:
            res = unfinished[pc.notebook]
            if _status(res) == "failed":
                verdict, reason = RUN_FAILED, f"the run failed: {_error_line(res)}"
            else:
                verdict, reason = RUN_UNFINISHED, f"the run is {_status(res)}"
        rows.append({
            "id": pc.id, "paper": pc.paper, "figure": pc.figure, "statement": pc.statement, "metric": "",
            "value": None, "threshold": "", "verdict": verdict, "details": {}, "notebook": pc.notebook,
            "reason": reason,
        })
    return rows + list(decided.values())


def verdict_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many rows have each status of :data:`STATUSES` (other verdicts are added at the end)."""
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return counts


def _claims_section(rows: list[dict[str, Any]], pages: Mapping[str, str]) -> str:
    counts = verdict_counts(rows)
    total = max(1, sum(counts.values()))
    bar = "".join(
        f'<span style="width:{100 * n / total:.2f}%;background:{_COLORS.get(k, "#555")}" title="{_e(k)}: {n}"></span>'
        for k, n in counts.items() if n
    )
    summary = "".join(f'<div><span class="count">{n}</span>{badge(k)}</div>' for k, n in counts.items())
    body = []
    for r in rows:
        nb = r["notebook"]
        link = f'<a href="{_e(pages[nb])}">{_e(nb)}</a>' if nb in pages else _e(nb)
        if r.get("reason"):
            link += f'<div class="muted">{_e(r["reason"])}</div>'
        metric = f'<div class="muted">{_e(r["metric"])}</div>' if r.get("metric") else ""
        body.append(
            f'<tr class="claim status-{_slug(r["verdict"])}" data-claim-id="{_e(r["id"])}">'
            f'<td>{_e(r["paper"])}</td><td>{_e(r["figure"])}</td><td>{_e(r["statement"])}{metric}</td>'
            f'<td class="num">{_fmt(r.get("value"))}</td><td>{_e(r.get("threshold"))}</td>'
            f'<td>{badge(r["verdict"])}</td><td>{link}</td></tr>'
        )
    return (
        f'<section id="claims"><h2>Claims</h2><div class="summary">{summary}</div><div class="bar">{bar}</div>'
        '<table id="claims-table"><thead><tr><th>paper</th><th>figure</th><th>claim (and our metric)</th>'
        '<th>ours</th><th>threshold</th><th>verdict</th><th>notebook</th></tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></section>'
    )


# ------------------------------------------------------------------ gallery
def _figure_card(fig: catalog.PaperFigure, res: Mapping[str, Any] | None, names: Sequence[str],
                 rows: Sequence[Mapping[str, Any]], pages: Mapping[str, str], exists: bool) -> str:
    nb = fig.notebook
    link = f'<a href="{_e(pages[nb])}">{_e(nb)}</a>' if nb in pages else f"<code>{_e(nb)}</code>"
    images = []
    if res is not None:
        for name in names:
            files = res.get("figures", {}).get(name, {})
            if "png" not in files:
                continue
            pdf = f' &middot; <a href="figures/{_e(files["pdf"])}">PDF</a>' if "pdf" in files else ""
            images.append(f'<figure><img src="figures/{_e(files["png"])}" alt="{_e(name)}" loading="eager">'
                          f'<figcaption><code>{_e(name)}</code>{pdf}</figcaption></figure>')
    if res is not None and _status(res) != "finished":
        images = [f'<div class="placeholder"><b>Run {_e(_status(res))}</b><br>{_e(fig.label)}: the '
                  f"{_e(res.get('profile'))} run of <code>{_e(nb)}</code> did not finish"
                  + (f": {_e(_error_line(res))}" if _error_line(res) else "") + ".</div>"]
    if not images:
        if res is not None:
            why = f"the {res.get('profile')} run of its notebook does not produce it"
        else:
            why = "its notebook has not run at this profile" if exists else "its notebook is planned"
        images.append(f'<div class="placeholder"><b>Not run yet</b><br>{_e(fig.label)}: {why} '
                      f"(<code>{_e(nb)}</code>).</div>")
    badges = "".join(f'<div title="{_e(r["statement"])}">{badge(r["verdict"])} <span class="muted">{_e(r["id"])}</span></div>'
                     for r in rows if r["figure"] == fig.label and r["paper"] == fig.paper)
    source = "" if fig.caption_source == "caption" else ' <span class="muted">(from the text; the extracted paper lost this caption)</span>'
    run_line = ""
    if res is not None and _status(res) == "finished":
        run_line = (f'<p class="muted">Ours: profile <b>{_e(res.get("profile"))}</b>, seed {_e(res.get("seed"))}, '
                    f'{_e(res.get("environment", {}).get("device"))}, {res.get("duration_s") or 0:.0f} s.</p>')
    elif res is not None:
        run_line = f'<p class="muted">Ours: the run is <b>{_e(_status(res))}</b>.</p>'
    return (
        f'<div class="card" id="fig-{_slug(fig.key)}"><div class="images">{"".join(images)}</div>'
        f'<div><h3>{_e(fig.paper)} &middot; {_e(fig.label)}</h3><blockquote>{_e(fig.caption)}</blockquote>{source}'
        f'<div class="badges">{badges}</div><p>Notebook: {link}</p>{run_line}</div></div>'
    )


def _gallery_section(runs: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]],
                     pages: Mapping[str, str], notebooks: Sequence[str]) -> str:
    by_nb = {res["notebook"]: res for res in runs}
    claimed: dict[str, set[str]] = {}
    parts: list[str] = []
    current_paper = None
    for fig in catalog.FIGURES:
        if fig.paper != current_paper:
            current_paper = fig.paper
            parts.append(f"<h3 style='margin-top:1.6rem'>{_e(catalog.PAPERS[fig.paper])}</h3>")
        res = by_nb.get(fig.notebook)
        names = list(fig.outputs)
        if res is not None and fig == catalog.figures_for(fig.notebook)[0]:
            # a run's figures that no catalogue entry names go with its first paper figure
            named = {n for f in catalog.figures_for(fig.notebook) for n in f.outputs}
            names += [n for n in res.get("figures", {}) if n not in named]
        claimed.setdefault(fig.notebook, set()).update(names)
        parts.append(_figure_card(fig, res, names, rows, pages, fig.notebook in notebooks))
    extra = [res for res in runs if res["notebook"] not in claimed]
    for res in extra:  # notebooks outside the catalogue still show their figures
        fig = catalog.PaperFigure(res["notebook"], res.get("paper", ""), res.get("figure", ""),
                                  res.get("title", ""), res["notebook"], tuple(res.get("figures", {})))
        parts.append(_figure_card(fig, res, fig.outputs, rows, pages, True))
    return f'<section id="figures"><h2>Figures, in paper order</h2>{"".join(parts)}</section>'


# ------------------------------------------------------------ paper numbers
def _protocol(c: Mapping[str, Any]) -> str:
    bits = [f"profile {c.get('profile')}", f"dataset {c.get('dataset')}"]
    if c.get("backbone"):
        bits.append(f"backbone {c['backbone']}")
    if c.get("n"):
        bits.append(f"n = {c['n']}")
    if c.get("note"):
        bits.append(str(c["note"]))
    return _e(", ".join(bits))


def _numbers_section(runs: Sequence[Mapping[str, Any]], pages: Mapping[str, str]) -> str:
    ours: dict[str, dict[str, Any]] = {}
    for res in runs:
        if _status(res) != "finished":
            continue
        for c in res.get("comparisons", []):
            ours[c["key"]] = {**c, "notebook": res["notebook"]}
    tables: dict[str, list[catalog.PaperNumber]] = {}
    for n in catalog.NUMBERS:
        tables.setdefault(n.table, []).append(n)
    parts = []
    for table, numbers in tables.items():
        nb = numbers[0].notebook
        link = f'<a href="{_e(pages[nb])}">{_e(nb)}</a>' if nb in pages else f"<code>{_e(nb)}</code> (not run yet)"
        parts.append(f'<h3 style="margin-top:1.4rem">{_e(table)}</h3><p class="muted">Ours from {link}.</p>')
        if table == "Table 4":
            parts.append(_samples_table(numbers[0], ours.get(numbers[0].key)))
            continue
        parts.append(_numbers_table(numbers, ours))
    return ('<section id="numbers"><h2>The paper\'s numbers beside ours</h2><p class="muted">Scores from different '
            "profiles, datasets or metric backbones are not comparable with the paper's: read the last column. An "
            'in-domain classifier score is never an Inception score.</p>' + "".join(parts) + "</section>")


def _our_cell(n: catalog.PaperNumber, mine: Mapping[str, Any] | None) -> str:
    if mine is not None:
        return _fmt(mine.get("ours"), mine.get("ours_std"))
    if n.ours_expected:
        return badge(NOT_RUN)
    return '<span class="muted">comparison row, not trained here</span>'


def _numbers_table(numbers: Sequence[catalog.PaperNumber], ours: Mapping[str, Mapping[str, Any]]) -> str:
    """Paper values beside ours: one line per number, or, for a table with several columns
    (Table 2), the paper's grid with "paper / ours" in every cell."""
    columns = list(dict.fromkeys(n.column for n in numbers))
    rows = list(dict.fromkeys(n.row for n in numbers))
    if len(columns) == 1:
        body = "".join(
            f'<tr class="number" data-key="{_e(n.key)}"><td>{_e(n.row)}</td><td class="num">{_fmt(n.value, n.std)}</td>'
            f'<td class="num">{_our_cell(n, ours.get(n.key))}</td>'
            f'<td class="muted">{_protocol(ours[n.key]) if n.key in ours else ""}</td></tr>'
            for n in numbers
        )
        return (f'<table><thead><tr><th>row</th><th>paper: {_e(columns[0])}</th><th>ours</th><th>ours produced by</th>'
                f'</tr></thead><tbody>{body}</tbody></table>')
    cells = {(n.row, n.column): n for n in numbers}
    body = []
    for row in rows:
        tds, protocols = [], []
        for col in columns:
            n = cells.get((row, col))
            if n is None:
                tds.append("<td></td>")
                continue
            mine = ours.get(n.key)
            if mine is not None:
                protocols.append(_protocol(mine))
            tds.append(f'<td class="num" data-key="{_e(n.key)}">{_fmt(n.value, n.std)}'
                       f'<div class="muted">ours: {_our_cell(n, mine)}</div></td>')
        proto = "<br>".join(dict.fromkeys(protocols))
        body.append(f'<tr class="number"><td>{_e(row)}</td>{"".join(tds)}<td class="muted">{proto}</td></tr>')
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    return (f'<table><thead><tr><th></th>{head}<th>ours produced by</th></tr></thead><tbody>{"".join(body)}</tbody>'
            '</table><p class="muted">Each cell: the paper\'s value, ours below it.</p>')


def _samples_table(ref: catalog.PaperNumber, mine: Mapping[str, Any] | None) -> str:
    paper = "\n".join(ref.extra.get("samples", ()))
    if mine is not None and isinstance(mine.get("ours"), list):
        ours, proto = "\n".join(mine["ours"]), f'<p class="muted">{_protocol(mine)}</p>'
    else:
        ours, proto = "", f"<p>{badge(NOT_RUN)}</p>"
    return (f'<div class="cols"><div><b>Paper</b> (WGAN-GP, Billion Word)<pre class="samples">{_e(paper)}</pre></div>'
            f'<div><b>Ours</b>{proto}<pre class="samples">{_e(ours)}</pre></div></div>')


# --------------------------------------------------------------- provenance
def _kv(items: Mapping[str, Any]) -> str:
    rows = []
    for k, v in items.items():
        text = v if isinstance(v, str) else json.dumps(v, default=str)
        rows.append(f"<tr><td>{_e(k)}</td><td><code>{_e(text)}</code></td></tr>")
    return f'<table class="kv">{"".join(rows)}</table>'


def _provenance_section(runs: Sequence[Mapping[str, Any]], pages: Mapping[str, str],
                        data_files: Mapping[str, Sequence[str]]) -> str:
    if not runs:
        return ('<section id="runs"><h2>Runs and provenance</h2><p class="muted">No runs found at this profile yet: '
                "run <code>make reproduce</code> (or <code>gpkit run 01</code>).</p></section>")
    parts = []
    for res in runs:
        nb = res["notebook"]
        env = dict(res.get("environment", {}))
        libs = env.pop("libraries", {}) or {}
        link = f'<a href="{_e(pages[nb])}">notebook page</a>' if nb in pages else ""
        files = " &middot; ".join(f'<a href="{_e(f)}">{_e(Path(f).name)}</a>' for f in data_files.get(nb, ()))
        notes = "".join(f"<li>{_e(n)}</li>" for n in res.get("notes", []))
        commit = str(env.get("git_commit") or "unknown")
        status = _status(res)
        took = (f"{res.get('duration_s') or 0:.0f} s on {_e(env.get('device'))}" if status == "finished"
                else f'<span class="verdict {_slug(RUN_FAILED if status == "failed" else RUN_UNFINISHED)}">'
                     f"{_e(status)}</span>")
        summary = (f"{_e(nb)} &middot; profile {_e(res.get('profile'))} &middot; seed {_e(res.get('seed'))} &middot; "
                   f"{took} &middot; commit <code>{_e(commit[:12])}</code>")
        sessions = res.get("sessions") or []
        run_facts = {"notebook": nb, "title": res.get("title", ""), "status": status, "profile": res.get("profile"),
                     "seed": res.get("seed"), "started": res.get("started"), "finished": res.get("finished"),
                     "duration (s)": res.get("duration_s"), "sessions": len(sessions),
                     "output folder": res.get("out_dir")}
        err = res.get("error") or {}
        error = (f"<b>Error</b><pre class='error'>{_e(_error_line(res))}\n\n{_e(err.get('traceback', ''))}</pre>"
                 if err else "")
        parts.append(
            f'<details class="run" data-notebook="{_e(nb)}"><summary>{summary}</summary>'
            f"<p>{link}{' &middot; ' if link and files else ''}{files}</p>{error}"
            f"<div class='cols'><div><b>Run</b>{_kv(run_facts)}<b>Resolved parameters</b>{_kv(res.get('params', {}))}"
            f"</div><div><b>Environment</b>{_kv(env)}<b>Library versions</b>"
            f"{_kv({k: v or 'not installed' for k, v in libs.items()})}</div></div>"
            + (f"<b>Departures from the paper's settings</b><ul>{notes}</ul>" if notes else "")
            + "</details>"
        )
    return ('<section id="runs"><h2>Runs and provenance</h2><p class="muted">Every number above comes from one of '
            "these runs. Open a run for its resolved parameters, environment and library versions; its "
            "<code>results.json</code> and CSV curves are linked.</p>" + "".join(parts) + "</section>")


# -------------------------------------------------------------------- pages
_HOWTO = """<div class="howto">
<p><b>How to read this report.</b> Each row of the claims table is a claim of one of the three papers, stated so that
a number from our own run can decide it. <i>ours</i> is that number, <i>threshold</i> the test it must pass (fixed in
the notebook's module before looking at results), and the verdict is computed from the two:
<span class="verdict reproduced">reproduced</span> the test passes,
<span class="verdict not-reproduced">not reproduced</span> it fails,
<span class="verdict inconclusive">inconclusive</span> the value is missing or within the stated margin,
<span class="verdict not-run-yet">not run yet</span> no run of its notebook at this profile.</p>
<p>The gallery shows each paper figure beside the paper's caption and our figure; the notebook pages hold the full
analysis. A <b>quick</b> profile is a scaled-down run for a laptop, <b>paper</b> the authors' settings: the provenance
section says which one produced each number, with its parameters, commit and library versions.</p></div>"""


def render_index(
    runs: Sequence[Mapping[str, Any]],
    *,
    profile: str,
    pages: Mapping[str, str],
    notebooks: Sequence[str],
    data_files: Mapping[str, Sequence[str]],
    built: str,
    commit: str | None,
    bench: Mapping[str, Any] | None = None,
) -> str:
    """The report's ``index.html``.

    ``runs`` are ``results.json`` dicts (with ``notebook``), ``pages`` maps a notebook to
    its HTML page, ``notebooks`` are the stems that exist, ``data_files`` the copied
    ``results.json``/CSV paths (relative to the report) per notebook; ``bench`` the document of
    ``benchmarks/results.json`` (see :mod:`gpkit.bench`), shown as the speed table when given.
    """
    rows = merge_claims(runs, notebooks)
    papers = " &middot; ".join(_e(v) for v in catalog.PAPERS.values())
    by_status: dict[str, int] = {}
    for res in runs:
        by_status[_status(res)] = by_status.get(_status(res), 0) + 1
    counts = ", ".join(f"{n} {k}" for k, n in sorted(by_status.items(), key=lambda kv: kv[0] != "finished"))
    banners = []
    if profile == "smoke":
        banners.append('<div class="banner"><b>Smoke profile: these verdicts prove nothing.</b> The smoke profile '
                       "runs every notebook for a few iterations on tiny models to check that the code path works; "
                       "its numbers and verdicts say nothing about the papers. Read the <b>quick</b> or "
                       "<b>paper</b> report for evidence.</div>")
    failed = [res["notebook"] for res in runs if _status(res) != "finished"]
    if failed:
        banners.append(f'<div class="banner failed"><b>{len(failed)} run(s) did not finish:</b> '
                       + ", ".join(f"{_e(nb)} ({_e(_status(r))})" for nb, r in
                                   ((r["notebook"], r) for r in runs if _status(r) != "finished"))
                       + ". Their claims have no verdict; see the provenance section for the errors.</div>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>gpkit report ({_e(profile)} profile)</title><style>{_CSS}</style></head><body>
<header class="top"><div class="wrap"><h1>gpkit &mdash; reproducing WGAN-GP, end to end</h1>
<p>{papers}</p>
<p>Profile <b>{_e(profile)}</b> &middot; {len(runs)} notebook run(s) ({_e(counts or "none")}) &middot; built {_e(built)} from commit
<code>{_e((commit or 'unknown')[:12])}</code></p>
<nav><a href="#claims">Claims</a><a href="#figures">Figures</a><a href="#numbers">Paper numbers</a>
<a href="#runs">Runs &amp; provenance</a><a href="#speed">Speed</a></nav></div></header>
<main class="wrap">
{"".join(banners)}
{_HOWTO}
{_claims_section(rows, pages)}
{_gallery_section(runs, rows, pages, notebooks)}
{_numbers_section(runs, pages)}
{_provenance_section(runs, pages, data_files)}
{_speed_section(bench)}
</main></body></html>
"""


def _speed_section(bench: Mapping[str, Any] | None) -> str:
    """The benchmark table (``make bench``): ratios with their spread and targets, absolute times."""
    head = ('<section id="speed"><h2>Speed</h2><p class="muted">Each ratio compares two variants timed side by side '
            "in one process (median over repeats, interquartile range in brackets); absolute times depend on the "
            "machine, ratios much less. Re-run with <code>make bench</code>.</p>")
    if not bench or not bench.get("results"):
        return head + '<p class="muted">No benchmark results yet (<code>benchmarks/results.json</code>).</p></section>'
    env = bench.get("environment", {})
    rows = []
    for r in bench["results"]:
        target = r.get("target")
        verdict = {True: "met", False: "missed", None: ""}[r.get("passed")]
        colour = {"met": "#1b9e77", "missed": "#d95f02"}.get(verdict, "#666")
        unit = "" if r.get("unit", "x") == "x" else f" {r['unit']}"
        spread = f"[{r['q25']:.2f}, {r['q75']:.2f}]" if r.get("repeats", 1) > 1 else ""
        times = ", ".join(f"{_e(k)} {v * 1e3:.1f} ms" if v < 1 else f"{_e(k)} {v:.2f} s"
                          for k, v in r.get("seconds", {}).items())
        rows.append(
            f'<tr class="bench"><td>{_e(r["benchmark"])}</td><td>{_e(r["case"])}</td><td>{_e(r["what"])}</td>'
            f'<td class="num"><b>{r["ratio"]:.2f}{_e(unit)}</b> <span class="muted">{spread}</span></td>'
            f'<td class="num">{_e(f"{target[0]} {target[1]:g}") if target else ""}</td>'
            f'<td style="color:{colour};font-weight:600">{verdict}</td><td class="muted">{times}</td>'
            f'<td class="muted">{_e(r.get("note", ""))}{_measured(r, bench)}</td></tr>')
    info = (f"{_e(bench.get('created', ''))} &middot; device {_e(bench.get('device', ''))} &middot; "
            f"{_e(env.get('cpu_count', '?'))} CPU cores, torch {_e(env.get('torch', '?'))} &middot; "
            f"{_e(bench.get('repeats', ''))} repeats")
    errors = "".join(f"<li><code>{_e(e['benchmark'])}</code>: {_e(e['error'])}</li>" for e in bench.get("errors", []))
    return (head + f'<p class="muted">{info}</p><table><thead><tr><th>benchmark</th><th>case</th><th>ratio of</th>'
            '<th>median</th><th>target</th><th></th><th>median time per unit</th><th>note</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>" + (f"<p>Failed benchmarks:</p><ul>{errors}</ul>" if errors else "")
            + "</section>")


def _measured(result: Mapping[str, Any], bench: Mapping[str, Any]) -> str:
    """`` (measured <date>)`` for a row kept from an earlier ``gpkit bench`` run than the file's latest."""
    when = str(result.get("measured") or "")
    if not when or when[:10] == str(bench.get("created", ""))[:10]:
        return ""
    return f" (measured {_e(when[:10])})"


def _template_dir() -> Path:
    return Path(__file__).parent / "templates"


def render_notebook(executed: str | Path, *, label: str, profile: str, finished: str) -> str:
    """An executed notebook as an offline HTML page (inputs hidden, images embedded, a link back to the index)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="gpkit_page",
        extra_template_basedirs=[str(_template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = label  # widget state needs the CDN widget manager; the static figures suffice
    body, _ = exporter.from_notebook_node(
        nb, resources={"gpkit": {"label": label, "profile": profile, "finished": finished}}
    )
    return body
