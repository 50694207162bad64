"""The report's HTML: index page (claims, figure gallery, paper numbers, provenance) and notebook pages.

Pure rendering: :func:`gpkit.report.build_report` gathers the runs and files and calls
:func:`render_index` and :func:`render_notebook`. The markup lives in jinja2 templates
(``gpkit/templates/gpkit_report/index.html.j2`` with ``report.css``; the notebook pages extend nbconvert's lab
template in ``gpkit/templates/gpkit_page``); this module only builds their context, plain data that the
templates escape. Every page is self-contained HTML with inline CSS and local images, so the report opens from
``file://`` with no network.

The rows of the claims table come from :func:`merge_claims`: every claim of
:data:`gpkit.catalog.CLAIMS` in paper order, with our value and verdict where a run
decided it and ``not run yet`` otherwise, followed by any claim a run made that
the catalogue does not list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gpkit import catalog

__all__ = ["NOT_RUN", "RUN_FAILED", "RUN_UNFINISHED", "STATUSES", "merge_claims", "verdict_counts", "index_context",
           "render_index", "render_notebook"]

NOT_RUN = "not run yet"
#: A claim whose notebook's run failed (its record says ``failed``): no verdict.
RUN_FAILED = "run failed"
#: A claim whose notebook's run is still running or was interrupted (killed): no verdict.
RUN_UNFINISHED = "run unfinished"
#: Every status a claims-table row can have, in the order of the summary.
STATUSES = ("reproduced", "not reproduced", "inconclusive", RUN_FAILED, RUN_UNFINISHED, NOT_RUN)

_COLORS = {"reproduced": "var(--ok)", "not reproduced": "var(--bad)", "inconclusive": "var(--unsure)",
           RUN_FAILED: "#b00020", RUN_UNFINISHED: "#c98a00", NOT_RUN: "var(--none)"}


def _status(res: Mapping[str, Any]) -> str:
    """A run's status (``finished``, ``failed``, ``running``, ``interrupted``, ``unknown``), as
    :func:`gpkit.report.collect_runs` made it current."""
    return str(res.get("status") or "unknown")


def _error_line(res: Mapping[str, Any]) -> str:
    err = res.get("error") or {}
    return f"{err.get('type', 'Error')}: {err.get('message', '')}" if err else ""


def _slug(text: Any) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(text).lower()).strip("-")


def _fmt(value: Any, std: Any = None) -> str:
    """A number as the tables show it (integers plainly, else 4 significant digits, ``± std``); ``–`` for None."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        text = f"{int(value)}" if float(value).is_integer() and abs(value) < 1e6 else f"{value:.4g}"
        return text + (f" \u00b1 {std:.2f}" if isinstance(std, (int, float)) else "")
    return str(value)


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
            decided[c["id"]] = {**c, "notebook": res["notebook"], "reason": _claim_reason(c)}
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


def _claim_reason(c: Mapping[str, Any]) -> str | None:
    """The line under an inconclusive verdict: its reason, with the unmet preconditions or why the numbers cannot
    be compared (None for other verdicts and for records written before the claim protocol)."""
    reason = c.get("reason")
    if not reason:
        return None
    if reason == "precondition unmet":
        unmet = [p["name"] + (f" ({p['detail']})" if p.get("detail") else "") for p in c.get("preconditions", [])
                 if not p.get("met")]
        return f"inconclusive: precondition unmet: {'; '.join(unmet)}" if unmet else "inconclusive: precondition unmet"
    why = (c.get("details") or {}).get("why_not_comparable")
    return f"inconclusive: {reason}" + (f" ({why})" if reason == "not comparable" and why else "")


def verdict_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many rows have each status of :data:`STATUSES` (other verdicts are added at the end)."""
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return counts


def _spread(r: Mapping[str, Any]) -> str:
    """``"3 seeds, 95% [a, b]"`` / ``"1 seed"`` and the budget ladder (``"budget 500: a, 1000: b, 2000: c (moving
    toward the paper)"``) under our number; empty where the claim records neither."""
    seeds, interval, lad = r.get("seeds"), r.get("interval"), r.get("ladder")
    parts = []
    if seeds:
        parts.append(f"{seeds} seed" + ("s" if seeds != 1 else "")
                     + (f", 95% [{_fmt(interval[0])}, {_fmt(interval[1])}]" if interval else ""))
    if lad:
        steps = ", ".join(f"{_fmt(b)}: {_fmt(v)}" for b, v in zip(lad["budgets"], lad["values"]))
        parts.append(f"budget {steps} ({'moving toward the paper' if lad.get('toward') else 'not moving toward it'})")
    return "; ".join(parts)


# ------------------------------------------------------------------- context
def _claims(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    counts = verdict_counts(rows)
    total = max(1, sum(counts.values()))
    return {
        "claim_counts": list(counts.items()),
        "claim_bar": [(k, n, f"{100 * n / total:.2f}", _COLORS.get(k, "#555")) for k, n in counts.items() if n],
        "claims": [{**r, "value_text": _fmt(r.get("value")), "spread_text": _spread(r)} for r in rows],
    }


def _card(fig: catalog.PaperFigure, res: Mapping[str, Any] | None, names: Sequence[str],
          rows: Sequence[Mapping[str, Any]], exists: bool, shown_with: str | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "key": fig.key, "paper": fig.paper, "label": fig.label, "caption": fig.caption, "notebook": fig.notebook,
        "caption_from_text": fig.caption_source != "caption", "images": [], "placeholder": None, "run": None,
        "run_status": None,
        "badges": [r for r in rows if r["figure"] == fig.label and r["paper"] == fig.paper],
    }
    if res is not None and _status(res) != "finished":
        error = _error_line(res)
        card["placeholder"] = {"title": f"Run {_status(res)}", "text": f"{fig.label}: the {res.get('profile')} run "
                               f"of its notebook did not finish" + (f": {error}" if error else "")}
        card["run_status"] = _status(res)
        return card
    if res is not None:
        for name in names:
            files = res.get("figures", {}).get(name, {})
            if "png" in files:
                card["images"].append({"name": name, "png": files["png"], "pdf": files.get("pdf")})
        card["run"] = {"profile": res.get("profile"), "seed": res.get("seed"),
                       "device": res.get("environment", {}).get("device"), "precision": res.get("precision", "fp32"),
                       "seconds": f"{res.get('duration_s') or 0:.0f}"}
    if not card["images"] and shown_with:  # one of our figures answers two paper figures: shown once
        card["placeholder"] = {"title": "Shown above", "text": f"{fig.label}: our figure is the one shown with "
                                                               f"{shown_with} above"}
    elif not card["images"]:
        if res is not None:
            why = f"the {res.get('profile')} run of its notebook does not produce it"
        else:
            why = "its notebook has not run at this profile" if exists else "its notebook is planned"
        card["placeholder"] = {"title": "Not run yet", "text": f"{fig.label}: {why}"}
    return card


def _gallery(runs: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]],
             notebooks: Sequence[str]) -> list[dict[str, Any]]:
    by_nb = {res["notebook"]: res for res in runs}
    claimed: dict[str, set[str]] = {}
    shown: dict[tuple[str, str], str] = {}  # (notebook, figure name) -> the paper figure whose card shows it
    groups: list[dict[str, Any]] = []
    for fig in catalog.FIGURES:
        if not groups or groups[-1]["paper"] != fig.paper:
            groups.append({"paper": fig.paper, "paper_title": catalog.PAPERS[fig.paper], "cards": []})
        res = by_nb.get(fig.notebook)
        names = list(fig.outputs)
        if res is not None and fig == catalog.figures_for(fig.notebook)[0]:
            # a run's figures that no catalogue entry names go with its first paper figure
            named = {n for f in catalog.figures_for(fig.notebook) for n in f.outputs}
            names += [n for n in res.get("figures", {}) if n not in named]
        claimed.setdefault(fig.notebook, set()).update(names)
        earlier = [shown[(fig.notebook, n)] for n in names if (fig.notebook, n) in shown]
        fresh = [n for n in names if (fig.notebook, n) not in shown]
        card = _card(fig, res, fresh, rows, fig.notebook in notebooks,
                     shown_with=earlier[0] if earlier else None)
        for item in card["images"]:
            shown[(fig.notebook, item["name"])] = f"{fig.paper} {fig.label}"
        groups[-1]["cards"].append(card)
    extra = [res for res in runs if res["notebook"] not in claimed]
    if extra:  # notebooks outside the catalogue still show their figures
        cards = []
        for res in extra:
            fig = catalog.PaperFigure(res["notebook"], res.get("paper", ""), res.get("figure", ""),
                                      res.get("title", ""), res["notebook"], tuple(res.get("figures", {})))
            cards.append(_card(fig, res, fig.outputs, rows, True))
        groups.append({"paper": "", "paper_title": "", "cards": cards})
    return groups


def _protocol(c: Mapping[str, Any]) -> str:
    bits = [f"profile {c.get('profile')}", f"dataset {c.get('dataset')}"]
    if c.get("backbone"):
        bits.append(f"backbone {c['backbone']}")
    if c.get("n"):
        bits.append(f"n = {c['n']}")
    if c.get("note"):
        bits.append(str(c["note"]))
    return ", ".join(bits)


def _number(n: catalog.PaperNumber, mine: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"key": n.key, "row": n.row, "paper": _fmt(n.value, n.std), "expected": n.ours_expected,
            "ours": _fmt(mine.get("ours"), mine.get("ours_std")) if mine is not None else None,
            "protocol": _protocol(mine) if mine is not None else ""}


def _number_tables(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One table per paper table: Table 4's samples side by side; a single-column table as rows; Table 2 as the
    paper's grid with our value under the paper's in every cell."""
    ours: dict[str, dict[str, Any]] = {}
    for res in runs:
        if _status(res) != "finished":
            continue
        for c in res.get("comparisons", []):
            ours[c["key"]] = {**c, "notebook": res["notebook"]}
    tables: dict[str, list[catalog.PaperNumber]] = {}
    for n in catalog.NUMBERS:
        tables.setdefault(n.table, []).append(n)
    out = []
    for table, numbers in tables.items():
        entry: dict[str, Any] = {"table": table, "notebook": numbers[0].notebook}
        columns = list(dict.fromkeys(n.column for n in numbers))
        if table == "Table 4":
            mine = ours.get(numbers[0].key)
            ok = mine is not None and isinstance(mine.get("ours"), list)
            entry.update(kind="samples", paper_samples="\n".join(numbers[0].extra.get("samples", ())),
                         our_samples="\n".join(mine["ours"]) if ok else "", protocol=_protocol(mine) if ok else None)
        elif len(columns) == 1:
            entry.update(kind="single", column=columns[0], rows=[_number(n, ours.get(n.key)) for n in numbers])
        else:
            cells = {(n.row, n.column): n for n in numbers}
            grid = []
            for row in dict.fromkeys(n.row for n in numbers):
                found = [cells.get((row, col)) for col in columns]
                protocols = [_protocol(ours[n.key]) for n in found if n is not None and n.key in ours]
                grid.append({"row": row, "cells": [None if n is None else _number(n, ours.get(n.key)) for n in found],
                             "protocols": list(dict.fromkeys(protocols))})
            entry.update(kind="grid", columns=columns, grid=grid)
        out.append(entry)
    return out


def _items(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), v if isinstance(v, str) else json.dumps(v, default=str)) for k, v in mapping.items()]


def _provenance(runs: Sequence[Mapping[str, Any]], data_files: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    out = []
    for res in runs:
        env = dict(res.get("environment", {}))
        libs = env.pop("libraries", {}) or {}
        status = _status(res)
        err = res.get("error") or {}
        facts = {"notebook": res["notebook"], "title": res.get("title", ""), "status": status,
                 "profile": res.get("profile"), "seed": res.get("seed"),
                 "precision": f"{res.get('precision', 'fp32')} (requested {res.get('precision_requested', 'fp32')})",
                 "started": res.get("started"),
                 "finished": res.get("finished"), "duration (s)": res.get("duration_s"),
                 "sessions": len(res.get("sessions") or []), "output folder": res.get("out_dir")}
        out.append({
            "notebook": res["notebook"], "profile": res.get("profile"), "seed": res.get("seed"), "status": status,
            "status_label": RUN_FAILED if status == "failed" else RUN_UNFINISHED,
            "seconds": f"{res.get('duration_s') or 0:.0f}", "device": env.get("device"),
            "precision": res.get("precision", "fp32"),
            "commit": str(env.get("git_commit") or "unknown"),
            "files": [(f, Path(f).name) for f in data_files.get(res["notebook"], ())],
            "error": f"{_error_line(res)}\n\n{err.get('traceback', '')}" if err else "",
            "facts": _items(facts), "params": _items(res.get("params", {})), "environment": _items(env),
            "libraries": _items({k: v or "not installed" for k, v in libs.items()}),
            "notes": list(res.get("notes", [])),
        })
    return out


def _speed(bench: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The benchmark table (``make bench``): ratios with their spread and targets, absolute times."""
    if not bench or not bench.get("results"):
        return None
    env = bench.get("environment", {})
    rows = []
    for r in bench["results"]:
        target = r.get("target")
        verdict = {True: "met", False: "missed", None: ""}[r.get("passed")]
        unit = "" if r.get("unit", "x") == "x" else f" {r['unit']}"
        when = str(r.get("measured") or "")
        measured = f" (measured {when[:10]})" if when and when[:10] != str(bench.get("created", ""))[:10] else ""
        rows.append({
            "benchmark": r["benchmark"], "case": r["case"], "what": r["what"], "ratio": f"{r['ratio']:.2f}{unit}",
            "spread": f"[{r['q25']:.2f}, {r['q75']:.2f}]" if r.get("repeats", 1) > 1 else "",
            "target": f"{target[0]} {target[1]:g}" if target else "", "verdict": verdict,
            "colour": {"met": "#1b9e77", "missed": "#d95f02"}.get(verdict, "#666"),
            "times": ", ".join(f"{k} {v * 1e3:.1f} ms" if v < 1 else f"{k} {v:.2f} s"
                               for k, v in r.get("seconds", {}).items()),
            "note": f"{r.get('note', '')}{measured}",
        })
    info = (f"{bench.get('created', '')} \u00b7 device {bench.get('device', '')} \u00b7 "
            f"{env.get('cpu_count', '?')} CPU cores, torch {env.get('torch', '?')} \u00b7 {bench.get('repeats', '')} "
            "repeats")
    return {"info": info, "rows": rows, "errors": [(e["benchmark"], e["error"]) for e in bench.get("errors", [])]}


def index_context(
    runs: Sequence[Mapping[str, Any]],
    *,
    profile: str,
    pages: Mapping[str, str],
    notebooks: Sequence[str],
    data_files: Mapping[str, Sequence[str]],
    built: str,
    commit: str | None,
    bench: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The data the index template renders.

    ``runs`` are ``results.json`` dicts (with ``notebook`` and a current ``status``), ``pages`` maps a notebook
    to its HTML page, ``notebooks`` are the stems that exist, ``data_files`` the copied ``results.json``/CSV
    paths (relative to the report) per notebook; ``bench`` the document of ``benchmarks/results.json`` (see
    :mod:`gpkit.bench`), shown as the speed table when given.
    """
    rows = merge_claims(runs, notebooks)
    by_status: dict[str, int] = {}
    for res in runs:
        by_status[_status(res)] = by_status.get(_status(res), 0) + 1
    return {
        "profile": profile, "pages": dict(pages), "papers": list(catalog.PAPERS.values()), "n_runs": len(runs),
        "run_counts": ", ".join(f"{n} {k}" for k, n in sorted(by_status.items(), key=lambda kv: kv[0] != "finished")),
        "built": built, "commit": commit or "unknown",
        "unfinished": [(res["notebook"], _status(res)) for res in runs if _status(res) != "finished"],
        **_claims(rows), "gallery": _gallery(runs, rows, notebooks), "number_tables": _number_tables(runs),
        "provenance": _provenance(runs, data_files), "speed": _speed(bench),
    }


def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_template_dir() / "gpkit_report")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["slug"] = _slug
    return env


def render_index(runs: Sequence[Mapping[str, Any]], **kwargs: Any) -> str:
    """The report's ``index.html``, from the template ``gpkit_report/index.html.j2`` and the context of
    :func:`index_context` (same arguments)."""
    env = _environment()
    css = (_template_dir() / "gpkit_report" / "report.css").read_text()
    context = index_context(runs, **kwargs)
    return env.get_template("index.html.j2").render(css=css, **context)


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
