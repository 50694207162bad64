"""The run record: one notebook run's ``results.json``, its lifecycle, lock and claims.

A notebook calls ``gpkit.experiments.<name>.run(profile=..., seed=..., device=..., out_dir=...,
progress=..., resume=..., **overrides)``. That function is wrapped by :func:`lifecycle` and starts
with :func:`start_run`, which

1. resolves the profile with the overrides and validates **every** parameter (the profile's fields
   through the experiment's ``validate``, then seed, device, progress) — before any folder or file
   exists, so a bad value leaves nothing behind;
2. takes the run folder's lock (:data:`gpkit.paths.LOCK`: pid, host, start time). A folder that a
   live run holds is refused with :class:`RunLockedError`; a stale lock (its process is gone, e.g. a
   killed run) is taken over, so ``resume`` works after a kill;
3. writes ``results.json`` with ``status: "running"``.

When the experiment returns, the record becomes ``finished`` (duration and claims appear only
now); when it raises (or is interrupted), ``failed`` with the error and the end of its traceback.
Each transition is one atomic write. :func:`gpkit.report.run_notebook` also marks a run failed when
a later notebook cell fails, or writes a failed record when the run never started.

``results.json`` (schema 2)::

    {
      "schema": 2, "status": "running" | "finished" | "failed",
      "notebook": "01_toy_value_surfaces", "title": "...", "paper": "...", "figure": "...",
      "profile": "quick", "seed": 0, "params": {...resolved profile with overrides...},
      "precision": "fp32" | "bf16" (used), "precision_requested": "fp32" | "bf16" | "auto",
      "started": ISO time of the first session,
      "sessions": [{"started", "ended", "seconds", "status", "resumed"}],  # one per start (resume adds one)
      "environment": {"torch": ..., "device": ..., "git_commit": ..., ...},
      "metrics": {...}, "figures": {"name": {"png": ..., "pdf": ...}}, "csv": {"name": "name.csv"},
      "comparisons": [{"key", "table", "row", "column", "paper", "paper_std", "ours", "ours_std",
                       "profile", "dataset", "backbone", "n", "note"}],
      "notes": ["where and why this run departs from the paper's settings"],
      # finished only:
      "finished": ISO time, "duration_s": seconds of all sessions,
      "claims": [{"id", "paper", "figure", "statement", "metric", "value", "threshold", "verdict", "details"}],
      # failed only:
      "error": {"type", "message", "traceback"}
    }

Verdicts are one of :data:`VERDICTS`, computed from the run's own numbers by :func:`judge`.
"""

from __future__ import annotations

import contextvars
import dataclasses
import csv
import datetime as _dt
import functools
import io
import json
import math
import os
import socket
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gpkit.params import check_choice, check_int, resolve_profile
from gpkit.paths import LOCK, RESULTS, run_folder
from gpkit.utils import atomic_write_json, atomic_write_text

__all__ = [
    "VERDICTS",
    "REASONS",
    "seed_interval",
    "ladder",
    "STATUSES",
    "SCHEMA",
    "Claim",
    "judge",
    "Run",
    "RunLockedError",
    "start_run",
    "lifecycle",
    "load_results",
    "run_status",
    "is_finished",
    "lock_holder",
    "ensure_free",
    "mark_failed",
    "finished_files",
    "error_summary",
]

VERDICTS = ("reproduced", "not reproduced", "inconclusive")
#: Why a verdict is inconclusive (the claim protocol): the claim's metric is still moving toward the paper at our
#: budget (``budget``), a condition the claim presupposes did not hold (``precondition unmet``), our data or
#: backbone cannot be set against the paper's number (``not comparable``), the value lies within the seed spread
#: or stated margin of the threshold (``within noise``), or there is no finite value to judge (``no value``).
REASONS = ("budget", "precondition unmet", "not comparable", "within noise", "no value")
STATUSES = ("running", "finished", "failed")
SCHEMA = 2
_OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
_TRACEBACK_LINES = 25
#: Files a resumed run continues from: the trainer's checkpoints (``gpkit.train.CHECKPOINT``), the score files of
#: finished sweep cells (``gpkit.experiments.base.cached_json``) and the Many Paths study's finished groups.
RESUMABLE_FILES = ("checkpoint.pt", "score.json", "groups/*.pt")


def judge(value: float | None, op: str, threshold: float, margin: float = 0.0) -> str:
    """Verdict for ``value op threshold``: ``inconclusive`` when the value is missing or
    non-finite, or within ``margin`` (> 0) of the threshold; otherwise ``reproduced``
    if the comparison holds and ``not reproduced`` if it does not."""
    return decide(value, op, threshold, margin)[0]


def decide(
    value: float | None,
    op: str,
    threshold: float,
    margin: float = 0.0,
    interval: tuple[float, float] | None = None,
) -> tuple[str, str | None]:
    """``(verdict, reason)`` for ``value op threshold`` (reason one of :data:`REASONS`, None unless inconclusive).

    ``no value`` for a missing or non-finite value; ``within noise`` when the value is within ``margin`` of the
    threshold, or when ``interval`` (a confidence interval of the value over seeds) contains the threshold.
    """
    check_choice("op", op, _OPS)
    if value is None or not math.isfinite(float(value)):
        return "inconclusive", "no value"
    value = float(value)
    if margin > 0 and abs(value - threshold) <= margin:
        return "inconclusive", "within noise"
    if interval is not None:
        lo, hi = sorted(float(v) for v in interval)
        if math.isfinite(lo) and math.isfinite(hi) and lo <= threshold <= hi:
            return "inconclusive", "within noise"
    return ("reproduced" if _OPS[op](value, threshold) else "not reproduced"), None


def seed_interval(values: Iterable[float], level: float = 0.95) -> tuple[float, tuple[float, float] | None]:
    """Mean of a claim's value over seeds and its ``level`` t-interval ``(lo, hi)`` (None with fewer than two
    finite values); non-finite values are left out."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not vals:
        return float("nan"), None
    mean = sum(vals) / len(vals)
    if len(vals) < 2:
        return mean, None
    from scipy.stats import t

    sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1))
    half = float(t.ppf(0.5 + level / 2, len(vals) - 1)) * sd / math.sqrt(len(vals))
    return mean, (mean - half, mean + half)


#: The budget ladder's rungs for a claim computed from a run's own curves: the value at these fractions of the run's
#: iterations (a shorter run with the same seed is the longer run's prefix, so the prefix of the curves is the
#: shorter run's curve).
LADDER_FRACTIONS = (0.25, 0.5, 1.0)


def ladder_budgets(iterations: float) -> list[int] | None:
    """The :data:`LADDER_FRACTIONS` of ``iterations`` as whole iterations; None when two would coincide (too short
    a run for a ladder)."""
    budgets = [max(1, round(f * float(iterations))) for f in LADDER_FRACTIONS]
    return budgets if len(set(budgets)) == len(budgets) else None


def prefix_ladder(iterations: float, value_at: Any, op: str, threshold: float) -> dict[str, Any] | None:
    """:func:`ladder` of ``value_at(budget)`` (the claim recomputed from the curves up to ``budget``) at
    :func:`ladder_budgets` of ``iterations``; None for a run too short for one."""
    budgets = ladder_budgets(iterations)
    return None if budgets is None else ladder(budgets, [value_at(b) for b in budgets], op, threshold)


def ladder(budgets: Sequence[float], values: Sequence[float], op: str, threshold: float) -> dict[str, Any]:
    """A budget ladder: the claim's value at increasing budgets (e.g. 1/4, 1/2 and all of a run's iterations) and its
    trend, as the run record stores it: ``{"budgets", "values", "slope", "toward"}``.

    ``slope`` is the least-squares slope of the value against log2(budget) (per doubling of the budget), from the
    finite values; ``toward`` is True when the value moves toward passing ``op threshold``: the slope has the passing
    sign, the value at the largest budget is nearer to passing than at the smallest, and the last step did not move
    away (a rise that has turned back is not a budget question). ``ValueError`` unless there
    are as many values as budgets, at least 3, with budgets positive and increasing.
    """
    check_choice("op", op, _OPS)
    b, v = [float(x) for x in budgets], [float(x) for x in values]
    if len(b) != len(v) or len(b) < 3:
        raise ValueError(f"a ladder needs at least 3 budgets and one value per budget, got {len(b)} and {len(v)}")
    if any(x <= 0 for x in b) or any(y <= x for x, y in zip(b, b[1:])):
        raise ValueError(f"ladder budgets must be positive and increasing, got {b}")
    pts = [(math.log2(x), y) for x, y in zip(b, v) if math.isfinite(y)]
    slope, toward = float("nan"), False
    if len(pts) >= 2:
        mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
        sxx = sum((x - mx) ** 2 for x, _ in pts)
        slope = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx > 0 else float("nan")
        sign = 1.0 if op in (">", ">=") else -1.0
        toward = bool(math.isfinite(slope) and sign * slope > 0 and sign * (pts[-1][1] - pts[0][1]) > 0
                      and sign * (pts[-1][1] - pts[-2][1]) >= 0)
    return {"budgets": b, "values": v, "slope": slope, "toward": toward}


def check_preconditions(preconditions: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """``{name: met}`` or ``{name: (met, detail)}`` as the list the run record stores:
    ``[{"name", "met", "detail"}]``; ``ValueError`` unless every ``met`` is a bool."""
    out = []
    for name, spec in (preconditions or {}).items():
        met, detail = spec if isinstance(spec, tuple) else (spec, "")
        if not isinstance(met, bool):
            raise ValueError(f"precondition {name!r} must be True or False, got {met!r}")
        out.append({"name": str(name), "met": met, "detail": str(detail)})
    return out


@dataclass
class Claim:
    """One paper claim with our number and the verdict computed from it."""

    id: str
    paper: str
    figure: str
    statement: str
    metric: str
    value: float | None
    threshold: str
    verdict: str
    details: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    preconditions: list[dict[str, Any]] = field(default_factory=list)
    seeds: int | None = None
    interval: list[float] | None = None
    ladder: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        check_choice("verdict", self.verdict, VERDICTS)
        if self.verdict == "inconclusive":
            if self.reason is None:
                raise ValueError("an inconclusive claim needs a reason, one of " + ", ".join(REASONS))
            check_choice("reason", self.reason, REASONS)
        elif self.reason is not None:
            raise ValueError(f"reason is only for inconclusive claims, got {self.reason!r} with {self.verdict!r}")
        if self.seeds is not None:
            self.seeds = check_int("seeds", self.seeds, minimum=1)

    @classmethod
    def compare(
        cls,
        id: str,
        *,
        metric: str,
        value: float | None,
        op: str,
        threshold: float,
        margin: float = 0.0,
        details: Mapping[str, Any] | None = None,
        preconditions: Mapping[str, Any] | None = None,
        comparable: bool | str = True,
        seeds: int | None = None,
        interval: tuple[float, float] | None = None,
        ladder: Mapping[str, Any] | None = None,
    ) -> "Claim":
        """The catalogued claim ``id`` (its paper, figure and statement come from :mod:`gpkit.catalog` alone)
        decided by :func:`decide`; ``metric`` says what ``value`` measures. ``ValueError`` for an id the
        catalogue does not list.

        The claim protocol: ``preconditions`` (``{name: met}`` or ``{name: (met, detail)}``) are what the claim
        presupposes; any unmet one makes the verdict ``inconclusive (precondition unmet)`` whatever the value.
        ``comparable`` False (or a sentence saying why) keeps our number but makes the verdict
        ``inconclusive (not comparable)``. ``seeds`` is how many seeds the value summarises and ``interval`` its
        95% interval over them; a threshold inside the interval is ``inconclusive (within noise)``. ``ladder``
        (:func:`ladder`, the value at increasing budgets, the last being this run's) decides a budget-limited
        claim that fails: ``inconclusive (budget)`` when the ladder moves toward passing, ``not reproduced`` when it
        does not move or moves away.
        """
        from gpkit.catalog import claim

        ref = claim(id)
        text = f"{op} {threshold:g}" + (f" (inconclusive within ±{margin:.3g})" if margin else "")
        v = None if value is None else float(value)
        pre = check_preconditions(preconditions)
        verdict, reason = decide(v, op, threshold, margin, interval)
        extra = dict(details or {})
        if comparable is not True:
            verdict, reason = "inconclusive", "not comparable"
            if isinstance(comparable, str):
                extra["why_not_comparable"] = comparable
        if ladder is not None and verdict == "not reproduced" and ladder.get("toward"):
            verdict, reason = "inconclusive", "budget"
        unmet = [c["name"] for c in pre if not c["met"]]
        if unmet:
            verdict, reason = "inconclusive", "precondition unmet"
        return cls(id, ref.paper, ref.figure, ref.statement, metric, v, text, verdict, extra, reason,
                   pre, seeds, None if interval is None else [float(a) for a in interval],
                   None if ladder is None else dict(ladder))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------------- lock
class RunLockedError(RuntimeError):
    """The run folder is held by a live run (another process, or this one still running)."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def lock_holder(out_dir: str | Path) -> dict[str, Any] | None:
    """The live holder of ``out_dir``'s lock (``{"pid", "host", "started", "notebook"}``), or None when the
    folder is free or its lock is stale (the process is gone). A lock taken on another host counts as live:
    its process cannot be checked from here."""
    path = Path(out_dir) / LOCK
    try:
        info = json.loads(path.read_text())
        pid, host = int(info["pid"]), str(info["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if host != socket.gethostname():
        return info
    if pid == os.getpid() and info.get("token") not in _LIVE_TOKENS:
        return None  # left by an earlier run of this same process that ended without releasing it
    return info if _pid_alive(pid) else None


_LIVE_TOKENS: set[str] = set()


def _locked_message(out_dir: Path, info: Mapping[str, Any]) -> str:
    return (f"out_dir {out_dir} is in use by a live run ({info.get('notebook', '?')}, pid {info.get('pid')} on host "
            f"{info.get('host')}, since {info.get('started')}); wait for it to end or choose another out_dir "
            f"(if that run is dead, delete {Path(out_dir) / LOCK})")


def ensure_free(out_dir: str | Path) -> None:
    """Raise :class:`RunLockedError`, naming the holder, when a live run holds ``out_dir``."""
    holder = lock_holder(out_dir)
    if holder is not None:
        raise RunLockedError(_locked_message(Path(out_dir), holder))


def _acquire(out_dir: Path, notebook: str) -> str:
    ensure_free(out_dir)
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out_dir / LOCK, {"pid": os.getpid(), "host": socket.gethostname(), "started": _now(),
                                      "notebook": notebook, "token": token})
    _LIVE_TOKENS.add(token)
    return token


def _release(out_dir: Path, token: str | None) -> None:
    if token is None:
        return
    _LIVE_TOKENS.discard(token)
    path = out_dir / LOCK
    try:
        if json.loads(path.read_text()).get("token") == token:
            path.unlink()
    except (OSError, ValueError):
        pass


# -------------------------------------------------------------------- the record
def error_summary(err: BaseException | str) -> dict[str, str]:
    """``{"type", "message", "traceback"}`` of an exception (the last lines of its traceback), or of an error
    text (e.g. papermill's cell error)."""
    if isinstance(err, BaseException):
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__)).splitlines()
        message = str(err) or ("interrupted" if isinstance(err, KeyboardInterrupt) else type(err).__name__)
        return {"type": type(err).__name__, "message": message[:2000], "traceback": "\n".join(tb[-_TRACEBACK_LINES:])}
    lines = [ln for ln in str(err).strip().splitlines() if ln.strip()]
    return {"type": "Error", "message": (lines[-1] if lines else "unknown error")[:2000],
            "traceback": "\n".join(lines[-_TRACEBACK_LINES:])}


class Run:
    """The record of one notebook run; every change is written to ``results.json`` (atomically).

    ``data`` holds arrays for plotting (not written to JSON); ``metrics``, ``claims``, ``figures``,
    ``csv``, ``comparisons`` and ``notes`` are. ``status`` is one of :data:`STATUSES`.
    """

    def __init__(
        self,
        notebook: str,
        *,
        title: str,
        paper: str,
        figure: str,
        profile: str,
        seed: int,
        params: Mapping[str, Any],
        out_dir: Path,
        device: Any,
        progress: bool = True,
        previous_sessions: Sequence[Mapping[str, Any]] = (),
        resumed: bool = False,
    ) -> None:
        from gpkit.utils import environment_info

        self.notebook = notebook
        self.title = title
        self.paper = paper
        self.figure = figure
        self.profile = profile
        self.seed = seed
        self.params = dict(params)
        self.out_dir = Path(out_dir)
        self.device = device
        self.progress = progress
        self.status = "running"
        self.error: dict[str, str] | None = None
        #: The arithmetic precision the run's trainings use (``fp32`` or ``bf16``) and what was asked for.
        self.precision, self.precision_requested = "fp32", "fp32"
        self.session_started = _now()
        self._t0 = time.perf_counter()
        self.sessions = [dict(s) for s in previous_sessions]
        self.resumed = resumed
        self.started = self.sessions[0]["started"] if self.sessions else self.session_started
        self.finished: str | None = None
        self.duration_s: float | None = None
        self.environment = environment_info(device)
        self.metrics: dict[str, Any] = {}
        self.claims: list[Claim] = []
        self.comparisons: list[dict[str, Any]] = []
        self.figures: dict[str, dict[str, str]] = {}
        self.csv: dict[str, str] = {}
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}
        self._lock_token: str | None = None
        self.out_dir.mkdir(parents=True, exist_ok=True)

    # ----------------------------------------------------------- lifecycle
    def _session(self, status: str) -> dict[str, Any]:
        return {"started": self.session_started, "ended": _now(), "seconds": round(time.perf_counter() - self._t0, 3),
                "status": status, "resumed": self.resumed}

    def finish(self) -> "Run":
        """Mark the run finished: its duration (all sessions) and claims are written; the lock is released."""
        if self.status != "running":
            return self
        self.sessions.append(self._session("finished"))
        self.status = "finished"
        self.finished = self.sessions[-1]["ended"]
        self.duration_s = round(sum(float(s.get("seconds") or 0.0) for s in self.sessions), 3)
        self.write()
        _release(self.out_dir, self._lock_token)
        self._lock_token = None
        return self

    def fail(self, err: BaseException | str) -> "Run":
        """Mark the run failed with ``err`` (type, message, end of the traceback); the lock is released."""
        if self.status == "failed":
            return self
        if self.status == "running":
            self.sessions.append(self._session("failed"))
        self.status = "failed"
        self.error = error_summary(err)
        self.write()
        _release(self.out_dir, self._lock_token)
        self._lock_token = None
        return self

    # -------------------------------------------------------------- writing
    def path(self, name: str) -> Path:
        """A path inside the run's folder."""
        return self.out_dir / name

    def note(self, text: str) -> None:
        """Record a departure from the paper's settings (shown in the notebook and report)."""
        if text not in self.notes:
            self.notes.append(text)
        self.write()

    def save_csv(self, name: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> Path:
        """Write ``rows`` (list of dicts) to ``<name>.csv`` atomically and record it."""
        columns = list(columns or (rows[0].keys() if rows else []))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        path = atomic_write_text(self.path(f"{name}.csv"), buf.getvalue())
        self.csv[name] = path.name
        self.write()
        return path

    def save_figure(self, fig: Any, name: str, formats: Iterable[str] = ("png", "pdf")) -> dict[str, Path]:
        """Export a matplotlib figure as ``<name>.png`` and ``<name>.pdf`` and record it."""
        from gpkit.plots import export_figure

        paths = export_figure(fig, self.out_dir, name, formats=formats)
        self.figures[name] = {fmt: p.name for fmt, p in paths.items()}
        self.write()
        return paths

    def add_claim(self, claim: Claim) -> Claim:
        """Record a claim (replacing one with the same id); written to ``results.json`` once the run finishes.
        A claim that does not say how many seeds its value summarises rests on this run's one seed (``seeds=1``)."""
        if claim.seeds is None:
            claim = dataclasses.replace(claim, seeds=1)
        self.claims = [c for c in self.claims if c.id != claim.id] + [claim]
        self.write()
        return claim

    def add_comparison(
        self,
        key: str,
        ours: float | Sequence[str] | None,
        *,
        dataset: str,
        backbone: str | None = None,
        std: float | None = None,
        n: int | None = None,
        note: str = "",
    ) -> dict[str, Any]:
        """Put our number (or, for Table 4, our sample sentences) beside the paper's value ``key``.

        ``key`` is a :data:`gpkit.catalog.NUMBERS` key (``ValueError`` otherwise);
        ``dataset`` and ``backbone`` (e.g. ``"inception"`` or ``"classifier"``) say what
        produced ours, ``n`` how many samples. Replaces an earlier entry with the same key.
        """
        from gpkit.catalog import number

        ref = number(key)
        if not isinstance(dataset, str) or not dataset:
            raise ValueError(f"dataset must name the dataset that produced our value, got {dataset!r}")
        if ours is not None and not isinstance(ours, (int, float)):
            ours = [str(line) for line in ours]
        entry = {
            "key": key, "table": ref.table, "row": ref.row, "column": ref.column,
            "paper": ref.value, "paper_std": ref.std,
            "ours": float(ours) if isinstance(ours, (int, float)) else ours, "ours_std": std,
            "profile": self.profile, "dataset": dataset, "backbone": backbone, "n": n, "note": note,
        }
        self.comparisons = [c for c in self.comparisons if c["key"] != key] + [entry]
        self.write()
        return entry

    def to_dict(self) -> dict[str, Any]:
        """The ``results.json`` document (see the module docstring)."""
        doc: dict[str, Any] = {
            "schema": SCHEMA,
            "status": self.status,
            "notebook": self.notebook,
            "title": self.title,
            "paper": self.paper,
            "figure": self.figure,
            "profile": self.profile,
            "seed": self.seed,
            "precision": self.precision,
            "precision_requested": self.precision_requested,
            "params": self.params,
            "started": self.started,
            "sessions": self.sessions,
            "environment": self.environment,
            "metrics": self.metrics,
            "figures": self.figures,
            "csv": self.csv,
            "comparisons": self.comparisons,
            "notes": self.notes,
        }
        if self.status == "finished":
            doc.update(finished=self.finished, duration_s=self.duration_s, claims=[asdict(c) for c in self.claims])
        if self.status == "failed":
            doc["error"] = self.error
        return doc

    def write(self) -> Path:
        """Write ``results.json`` atomically."""
        return atomic_write_json(self.path(RESULTS), self.to_dict())

    # -------------------------------------------------------------- display
    def claims_table(self, styled: bool = True):
        """The claims for display: claim, metric, our value, threshold, verdict.

        Returns a pandas ``Styler`` (full text, verdicts coloured) or, with
        ``styled=False``, the plain ``DataFrame``.
        """
        import pandas as pd

        from gpkit.plots import verdict_color

        rows = [
            {"claim": c.statement, "metric": c.metric, "ours": c.value, "threshold": c.threshold, "verdict": c.verdict}
            for c in self.claims
        ]
        frame = pd.DataFrame(rows, index=pd.Index([c.id for c in self.claims], name="id"))
        if not styled:
            return frame
        return (
            frame.style.format({"ours": "{:.4g}"})
            .map(lambda v: f"color: white; background-color: {verdict_color(v)}; font-weight: bold", subset=["verdict"])
            .set_properties(**{"text-align": "left", "white-space": "normal"})
        )

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{c.id}: {c.verdict}" for c in self.claims) or "no claims yet"
        return (f"Run({self.notebook!r}, profile={self.profile!r}, status={self.status!r}, out_dir='{self.out_dir}', "
                f"{verdicts})")


# ---------------------------------------------------------------- starting a run
_CURRENT: contextvars.ContextVar[Run | None] = contextvars.ContextVar("gpkit_current_run", default=None)


def _checkpoints(out_dir: Path) -> list[Path]:
    """The training checkpoints (``checkpoint.pt``) and saved groups a resumed run can continue from."""
    if not out_dir.is_dir():
        return []
    return sorted(p for pattern in RESUMABLE_FILES for p in out_dir.rglob(pattern))


def _flatten_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The profile overrides of a ``run(**overrides)`` call, with the notebooks' ``overrides={...}`` dict (any
    profile field) merged in; ``ValueError`` when a field is given both ways with different values."""
    flat = dict(overrides or {})
    nested = flat.pop("overrides", None) or {}
    if not isinstance(nested, Mapping):
        raise ValueError(f"overrides must be a dict of profile fields, got {nested!r}")
    for key, value in nested.items():
        if flat.get(key) is not None and flat[key] != value:
            raise ValueError(f"{key} is given twice with different values: {flat[key]!r} and overrides[{key!r}] = "
                             f"{value!r}")
        flat[key] = value
    return flat


def start_run(
    notebook: str,
    *,
    profiles: Mapping[str, Mapping[str, Any]],
    profile: str = "quick",
    seed: int = 0,
    device: Any = "auto",
    out_dir: str | Path | None = None,
    progress: bool = True,
    resume: bool = False,
    precision: str = "fp32",
    overrides: Mapping[str, Any] | None = None,
    validate: Callable[[dict[str, Any]], None] | None = None,
) -> Run:
    """Validate every parameter, take the run folder's lock, seed everything and write ``status: running``.

    The run's title, paper and figure come from :data:`gpkit.catalog.NOTEBOOKS` (a notebook outside the
    catalogue, e.g. in a test, is titled by its name).

    ``validate(params)`` checks the resolved profile (the experiment's own rules). ``ValueError`` (naming the
    parameter) for an unknown profile or override, a bad value, seed, device or flag — raised before any folder
    or file is created. :class:`RunLockedError` when a live run holds ``out_dir``. With ``resume``, the earlier
    record's sessions are kept (the duration adds up) and a note says what the run continues from — or that
    ``out_dir`` holds nothing to resume, so every model starts from iteration 0.
    """
    from gpkit import precision as precision_mod
    from gpkit.catalog import NOTEBOOKS
    from gpkit.utils import resolve_device, seed_everything

    params = resolve_profile(profiles, profile, _flatten_overrides(overrides))
    if validate is not None:
        validate(params)
    seed = check_int("seed", seed, minimum=0)
    dev = resolve_device(device)
    used = precision_mod.resolve(precision, dev)
    for name, flag in (("progress", progress), ("resume", resume)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    out = Path(out_dir) if out_dir not in (None, "") else run_folder(notebook, profile)
    previous: dict[str, Any] = {}
    if resume:
        try:
            previous = load_results(out)
        except (FileNotFoundError, ValueError):
            previous = {}
    token = _acquire(out, notebook)
    try:
        seed_everything(seed)
        sessions = []
        for s in previous.get("sessions", []) if isinstance(previous.get("sessions"), list) else []:
            s = dict(s)
            if s.get("status") == "running":
                s["status"] = "interrupted"
            sessions.append(s)
        if previous and previous.get("status") == "running":
            sessions.append({"started": previous.get("started"), "ended": None, "seconds": None,
                             "status": "interrupted", "resumed": False})
        entry = NOTEBOOKS.get(notebook)
        title, paper, figure = (entry.title, entry.paper, entry.figure) if entry else (notebook, "", "")
        run = Run(notebook, title=title, paper=paper, figure=figure, profile=profile, seed=seed, params=params,
                  out_dir=out, device=dev, progress=progress, previous_sessions=sessions, resumed=resume)
        run._lock_token = token
        run.precision, run.precision_requested = used, precision
        if used != "fp32":
            run.notes.append(f"Precision {used} (requested {precision}): forward passes and the penalty's double "
                             "backward under bfloat16 autocast; parameters, optimiser states, losses and gradient "
                             "norms in float32.")
        if resume:
            found = _checkpoints(out)
            if found:
                run.notes.append(f"Resumed: continued from {len(found)} saved state(s) in {out} "
                                 f"(session {len(sessions) + 1}; duration_s adds up the sessions).")
            else:
                text = (f"resume=True, but {out} holds no checkpoint to resume from: every model trains from "
                        "iteration 0.")
                warnings.warn(text, stacklevel=2)
                print(f"[gpkit] {text}", file=sys.stderr, flush=True)
                run.notes.append(text)
        run.write()
    except BaseException:
        _release(out, token)
        raise
    _CURRENT.set(run)
    precision_mod.set_current(precision)  # every TrainConfig of the run (gpkit.methods.config) takes it
    return run


def lifecycle(fn: Callable[..., Run]) -> Callable[..., Run]:
    """Decorator for an experiment's ``run()``: the :class:`Run` it starts (with :func:`start_run`) is marked
    ``finished`` when ``fn`` returns and ``failed`` (error and traceback recorded, then re-raised) when it raises,
    a ``KeyboardInterrupt`` included."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Run:
        from gpkit import precision as precision_mod

        token = _CURRENT.set(None)
        try:
            with precision_mod.use(precision_mod.current()):  # the run's precision ends with the run
                result = fn(*args, **kwargs)
        except BaseException as err:
            started = _CURRENT.get()
            if started is not None and started.status == "running":
                started.fail(err)
            raise
        finally:
            _CURRENT.reset(token)
        return result.finish()

    return wrapper


# ----------------------------------------------------------------- reading runs
def load_results(out_dir: str | Path) -> dict[str, Any]:
    """Read ``<out_dir>/results.json`` (``FileNotFoundError`` when absent, ``ValueError`` when unreadable)."""
    path = Path(out_dir) / RESULTS
    if not path.is_file():
        raise FileNotFoundError(f"no {RESULTS} in {out_dir}")
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err


def run_status(res: Mapping[str, Any] | None, out_dir: str | Path | None = None) -> str:
    """A record's status: ``finished``, ``failed``, ``running`` (a live run holds its folder), ``interrupted``
    (marked running, but no live process holds its folder: killed) or ``unknown`` (no record, or a schema-1 record
    that cannot tell a finished run from a failed one)."""
    if not isinstance(res, Mapping):
        return "unknown"
    status = res.get("status")
    if status == "running":
        if out_dir is not None and lock_holder(out_dir) is None:
            return "interrupted"
        return "running"
    return status if status in ("finished", "failed") else "unknown"


def is_finished(out_dir: str | Path) -> bool:
    """True when ``out_dir/results.json`` records a finished run (the only kind sweeps, reproduce and the report
    count as complete)."""
    try:
        res = load_results(out_dir)
    except (FileNotFoundError, ValueError):
        return False
    return run_status(res, out_dir) == "finished" and isinstance(res.get("claims"), list)


def mark_failed(out_dir: str | Path, error: BaseException | str, *, notebook: str, profile: str,
                params: Mapping[str, Any] | None = None) -> Path | None:
    """Record a notebook run's failure in ``out_dir/results.json``: a finished or running record becomes failed
    (its claims dropped), and a failed record is written when the run never started (e.g. a cell before it
    failed). Does nothing while a live run holds the folder (its record is not ours) or when the record already
    says failed. Returns the path written, or None."""
    out = Path(out_dir)
    if lock_holder(out) is not None:
        return None
    try:
        doc = load_results(out)
    except (FileNotFoundError, ValueError):
        doc = {}
    if doc.get("status") == "failed":
        return None
    if doc:
        doc.pop("claims", None)
        doc.pop("duration_s", None)
        doc.pop("finished", None)
        doc["schema"] = SCHEMA
    else:
        from gpkit.catalog import NOTEBOOK_TITLES

        doc = {"schema": SCHEMA, "notebook": notebook, "title": NOTEBOOK_TITLES.get(notebook, notebook),
               "profile": profile, "params": dict(params or {}), "started": _now(), "sessions": [],
               "metrics": {}, "figures": {}, "csv": {}, "comparisons": [], "notes": []}
    doc["status"] = "failed"
    doc["error"] = error_summary(error)
    return atomic_write_json(out / RESULTS, doc)


def finished_files(folder: str | Path, filename: str) -> tuple[list[Path], list[Path]]:
    """The files named ``filename`` below ``folder`` (e.g. a sweep's run folders) that belong to finished runs
    (the nearest ``results.json`` above says ``finished``), and the run folders skipped because their run failed,
    was interrupted or is still running. A file with no run record above it (inside ``folder``) is kept."""
    root = Path(folder)
    kept, skipped = [], []
    for path in sorted(root.rglob(filename)):
        run_dir = next((d for d in [path.parent, *path.parent.parents]
                        if (d / RESULTS).is_file() and (d == root or root in d.parents)), None)
        if run_dir is None or is_finished(run_dir):
            kept.append(path)
        elif run_dir not in skipped:
            skipped.append(run_dir)
    return kept, skipped
