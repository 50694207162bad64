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

import html
import json
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpkit.params import check_choice
from gpkit.utils import atomic_write_text, project_root

__all__ = [
    "PROFILES",
    "notebook_dir",
    "list_notebooks",
    "resolve_notebook",
    "run_notebook",
    "reproduce",
    "copy_figures",
    "collect_runs",
    "build_report",
    "NotebookRun",
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


def run_notebook(
    name: str | Path,
    profile: str = "quick",
    parameters: Mapping[str, Any] | None = None,
    runs_root: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: bool = False,
    log_output: bool = False,
) -> NotebookRun:
    """Execute notebook ``name`` with papermill at ``profile``; returns where its outputs went.

    ``parameters`` are passed on as papermill parameters (overriding profile fields).
    The executed notebook is written beside ``results.json`` in
    ``<runs_root>/<profile>/<notebook>/`` (``runs_root`` defaults to ``<repo>/runs``).
    Raises papermill's ``PapermillExecutionError`` if a cell fails.
    """
    import papermill as pm

    check_choice("profile", profile, PROFILES)
    src = resolve_notebook(name)
    root = Path(runs_root) if runs_root is not None else project_root() / "runs"
    out = Path(out_dir) if out_dir is not None else root / profile / src.stem
    out.mkdir(parents=True, exist_ok=True)
    params = {"profile": profile, "out_dir": str(out.resolve()), "progress": progress, **dict(parameters or {})}
    t0 = time.perf_counter()
    pm.execute_notebook(
        str(src),
        str(out / src.name),
        parameters=params,
        kernel_name="python3",
        cwd=str(project_root()),
        progress_bar=log_output,
        log_output=log_output,
    )
    return NotebookRun(src.stem, out, time.perf_counter() - t0)


def collect_runs(profile: str = "quick", runs_root: str | Path | None = None) -> list[dict[str, Any]]:
    """``results.json`` of every notebook run at ``profile``, in notebook order, with ``out_dir`` added."""
    root = Path(runs_root) if runs_root is not None else project_root() / "runs"
    found = []
    for res_path in sorted((root / profile).glob("*/results.json")):
        res = json.loads(res_path.read_text())
        res["out_dir"] = str(res_path.parent)
        executed = res_path.parent / f"{res_path.parent.name}.ipynb"
        res["executed_notebook"] = str(executed) if executed.is_file() else None
        found.append(res)
    return found


def copy_figures(profile: str = "quick", runs_root: str | Path | None = None, figures_dir: str | Path | None = None) -> list[Path]:
    """Copy every exported figure of the runs at ``profile`` into ``figures/``; returns the copies."""
    dest = Path(figures_dir) if figures_dir is not None else project_root() / "figures"
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for res in collect_runs(profile, runs_root):
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
) -> list[NotebookRun]:
    """Run the notebooks (all, or ``only`` these numbers/names) at ``profile``, copy figures, build the report.

    A failing notebook does not stop the others; its error is returned in its
    :class:`NotebookRun` (and the caller decides the exit status).
    """
    check_choice("profile", profile, PROFILES)
    books = list_notebooks() if not only else [resolve_notebook(n) for n in only]
    outcomes = []
    for nb in books:
        print(f"[gpkit] running {nb.stem} (profile {profile}) ...", flush=True)
        t0 = time.perf_counter()
        try:
            outcome = run_notebook(nb, profile=profile, runs_root=runs_root, log_output=log_output)
        except Exception as err:  # noqa: BLE001 - reported, the other notebooks still run
            root = Path(runs_root) if runs_root is not None else project_root() / "runs"
            outcome = NotebookRun(nb.stem, root / profile / nb.stem, time.perf_counter() - t0,
                                  f"{type(err).__name__}: {err}")
        status = "ok" if outcome.ok else f"FAILED: {outcome.error.splitlines()[0] if outcome.error else ''}"
        print(f"[gpkit] {nb.stem}: {status} in {outcome.seconds:.0f} s -> {outcome.out_dir}", flush=True)
        outcomes.append(outcome)
    copied = copy_figures(profile, runs_root, figures_dir)
    print(f"[gpkit] copied {len(copied)} figure files into {figures_dir or project_root() / 'figures'}", flush=True)
    index = build_report(profile, runs_root, report_dir)
    print(f"[gpkit] report: {index}", flush=True)
    return outcomes


# ----------------------------------------------------------------------- report
_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1.5rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; }
.verdict { font-weight: 600; border-radius: 3px; padding: 0.05rem 0.4rem; color: white; white-space: nowrap; }
.reproduced { background: #1b9e77; } .not-reproduced { background: #d95f02; } .inconclusive { background: #7570b3; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; } .muted { color: #777; font-size: 0.85rem; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def _verdict_badge(verdict: str) -> str:
    return f'<span class="verdict {verdict.replace(" ", "-")}">{html.escape(verdict)}</span>'


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value)) if value is not None else "&ndash;"


def _notebook_html(executed: Path, dest: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    return atomic_write_text(dest, body)


def build_report(
    profile: str = "quick", runs_root: str | Path | None = None, report_dir: str | Path | None = None
) -> Path:
    """Write ``report/index.html`` and one HTML page per executed notebook; returns the index path."""
    check_choice("profile", profile, PROFILES)
    out = Path(report_dir) if report_dir is not None else project_root() / "report"
    (out / "figures").mkdir(parents=True, exist_ok=True)
    runs = collect_runs(profile, runs_root)
    gallery, claim_rows, run_rows = [], [], []
    for res in runs:
        nb = res["notebook"]
        page = None
        if res.get("executed_notebook"):
            page = _notebook_html(Path(res["executed_notebook"]), out / f"{nb}.html").name
        link = f'<a href="{page}">{html.escape(nb)}</a>' if page else html.escape(nb)
        env = res.get("environment", {})
        run_rows.append(
            f"<tr><td>{link}</td><td>{html.escape(res.get('figure', ''))}</td><td>{html.escape(res['profile'])}</td>"
            f"<td>{res.get('duration_s', 0):.0f} s</td><td>{html.escape(str(env.get('device')))}</td>"
            f"<td><code>{html.escape(str(env.get('git_commit'))[:12])}</code></td>"
            f"<td>torch {html.escape(str(env.get('torch')))}</td></tr>"
        )
        for name, files in res.get("figures", {}).items():
            png = files.get("png")
            if not png:
                continue
            shutil.copy2(Path(res["out_dir"]) / png, out / "figures" / png)
            pdf = files.get("pdf")
            if pdf:
                shutil.copy2(Path(res["out_dir"]) / pdf, out / "figures" / pdf)
            pdf_link = f' · <a href="figures/{pdf}">PDF</a>' if pdf else ""
            gallery.append(
                f'<figure><img src="figures/{png}" alt="{html.escape(name)}">'
                f"<figcaption><b>{html.escape(res.get('paper', ''))} {html.escape(res.get('figure', ''))}</b> "
                f"&mdash; {html.escape(res.get('title', ''))} (<code>{html.escape(name)}</code>, "
                f"notebook {link}{pdf_link})</figcaption></figure>"
            )
        for c in res.get("claims", []):
            claim_rows.append(
                f"<tr><td>{html.escape(c.get('paper', ''))}</td><td>{html.escape(c.get('figure', ''))}</td>"
                f"<td>{html.escape(c['statement'])}<div class='muted'>{html.escape(c['metric'])}</div></td>"
                f"<td>{_fmt(c.get('value'))}</td><td>{html.escape(c['threshold'])}</td>"
                f"<td>{_verdict_badge(c['verdict'])}</td><td>{link}</td></tr>"
            )
    counts = {v: 0 for v in ("reproduced", "not reproduced", "inconclusive")}
    for res in runs:
        for c in res.get("claims", []):
            counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    summary = " · ".join(f"{_verdict_badge(k)} {v}" for k, v in counts.items())
    empty = "<p class='muted'>No runs found at this profile yet: run <code>make reproduce</code>.</p>"
    index = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>gpkit report ({html.escape(profile)} profile)</title>
<style>{_CSS}</style></head><body>
<h1>gpkit: reproducing WGAN-GP</h1>
<p class="muted">"Improved Training of Wasserstein GANs" (Gulrajani et al., 2017) with "Wasserstein GAN" and
"Many Paths to Equilibrium". Profile <b>{html.escape(profile)}</b>; built {time.strftime('%Y-%m-%d %H:%M')}.</p>
<h2>Claims</h2><p>{summary}</p>
<table><thead><tr><th>paper</th><th>figure</th><th>claim (and our metric)</th><th>ours</th><th>threshold</th>
<th>verdict</th><th>notebook</th></tr></thead><tbody>{''.join(claim_rows)}</tbody></table>
{'' if claim_rows else empty}
<h2>Figures</h2>{''.join(gallery) or empty}
<h2>Runs</h2>
<table><thead><tr><th>notebook</th><th>figure</th><th>profile</th><th>duration</th><th>device</th><th>commit</th>
<th>versions</th></tr></thead><tbody>{''.join(run_rows)}</tbody></table>
</body></html>
"""
    return atomic_write_text(out / "index.html", index)
