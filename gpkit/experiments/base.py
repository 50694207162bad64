"""What every experiment shares: profiles, the run record, ``results.json`` and claims.

A notebook calls ``gpkit.experiments.<name>.run(profile=..., seed=..., device=...,
out_dir=..., progress=..., **overrides)``, which returns a :class:`Run`. The run
writes ``<out_dir>/results.json`` (schema below) whenever something is added to
it, atomically, so a reader never sees half a file.

``results.json``::

    {
      "schema": 1,
      "notebook": "01_toy_value_surfaces", "title": "...", "paper": "...", "figure": "...",
      "profile": "quick", "seed": 0,
      "params": {...resolved profile with overrides...},
      "started": ISO time, "finished": ISO time, "duration_s": float,
      "environment": {"torch": ..., "device": ..., "git_commit": ..., ...},
      "metrics": {...},
      "figures": {"fig1a_value_surfaces": {"png": "fig1a_value_surfaces.png", "pdf": "..."}},
      "csv": {"name": "name.csv"},
      "claims": [{"id", "paper", "figure", "statement", "metric", "value", "threshold",
                  "verdict", "details"}],
      "comparisons": [{"key", "table", "row", "column", "paper", "paper_std", "ours", "ours_std",
                       "profile", "dataset", "backbone", "n", "note"}],
      "notes": ["where and why this run departs from the paper's settings"]
    }

Verdicts are one of :data:`VERDICTS` and are computed from the run's own numbers
by :func:`judge`. Claim ids and comparison keys are those of :mod:`gpkit.catalog`;
a comparison puts our number beside one the paper prints (Tables 2-4) and says
which profile, dataset and metric backbone produced it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from gpkit.params import check_choice, check_int, resolve_profile
from gpkit.utils import atomic_write_json, atomic_write_text, environment_info, project_root, resolve_device, seed_everything

__all__ = [
    "VERDICTS",
    "Claim",
    "judge",
    "Run",
    "start_run",
    "default_out_dir",
    "load_results",
    "read_csv",
    "plot_data",
    "wgan_config",
    "data_root",
    "scored_image_setup",
    "train_and_score",
    "cached_json",
]

VERDICTS = ("reproduced", "not reproduced", "inconclusive")
SCHEMA = 1
_OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


def judge(value: float | None, op: str, threshold: float, margin: float = 0.0) -> str:
    """Verdict for ``value op threshold``: ``inconclusive`` when the value is missing or
    non-finite, or within ``margin`` (> 0) of the threshold; otherwise ``reproduced``
    if the comparison holds and ``not reproduced`` if it does not."""
    check_choice("op", op, _OPS)
    if value is None or not math.isfinite(float(value)):
        return "inconclusive"
    value = float(value)
    if margin > 0 and abs(value - threshold) <= margin:
        return "inconclusive"
    return "reproduced" if _OPS[op](value, threshold) else "not reproduced"


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

    def __post_init__(self) -> None:
        check_choice("verdict", self.verdict, VERDICTS)

    @classmethod
    def compare(
        cls,
        id: str,
        *,
        paper: str,
        figure: str,
        statement: str,
        metric: str,
        value: float | None,
        op: str,
        threshold: float,
        margin: float = 0.0,
        details: Mapping[str, Any] | None = None,
    ) -> "Claim":
        """A claim whose verdict is ``judge(value, op, threshold, margin)``."""
        text = f"{op} {threshold:g}" + (f" (inconclusive within ±{margin:g})" if margin else "")
        v = None if value is None else float(value)
        return cls(id, paper, figure, statement, metric, v, text, judge(v, op, threshold, margin), dict(details or {}))


def default_out_dir(notebook: str, profile: str) -> Path:
    """``<repo>/runs/<profile>/<notebook>``: where a run writes unless told otherwise."""
    return project_root() / "runs" / profile / notebook


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


class Run:
    """The record of one notebook run; every change is written to ``results.json``.

    ``data`` holds arrays for plotting (not written to JSON); ``metrics``, ``claims``,
    ``figures``, ``csv`` and ``notes`` are.
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
        device: torch.device,
        progress: bool = True,
    ) -> None:
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
        self.started = _now()
        self._t0 = time.perf_counter()
        self.environment = environment_info(device)
        self.metrics: dict[str, Any] = {}
        self.claims: list[Claim] = []
        self.comparisons: list[dict[str, Any]] = []
        self.figures: dict[str, dict[str, str]] = {}
        self.csv: dict[str, str] = {}
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}
        self.out_dir.mkdir(parents=True, exist_ok=True)

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
        import io

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
        """Record a claim (replacing one with the same id)."""
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
        return {
            "schema": SCHEMA,
            "notebook": self.notebook,
            "title": self.title,
            "paper": self.paper,
            "figure": self.figure,
            "profile": self.profile,
            "seed": self.seed,
            "params": self.params,
            "started": self.started,
            "finished": _now(),
            "duration_s": round(time.perf_counter() - self._t0, 3),
            "environment": self.environment,
            "metrics": self.metrics,
            "figures": self.figures,
            "csv": self.csv,
            "claims": [asdict(c) for c in self.claims],
            "comparisons": self.comparisons,
            "notes": self.notes,
        }

    def write(self) -> Path:
        """Write ``results.json`` atomically."""
        return atomic_write_json(self.path("results.json"), self.to_dict())

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
        return f"Run({self.notebook!r}, profile={self.profile!r}, out_dir='{self.out_dir}', {verdicts})"


def start_run(
    notebook: str,
    *,
    title: str,
    paper: str,
    figure: str,
    profiles: Mapping[str, Mapping[str, Any]],
    profile: str = "quick",
    seed: int = 0,
    device: str | torch.device = "auto",
    out_dir: str | Path | None = None,
    progress: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> Run:
    """Validate the common parameters, resolve the profile, seed everything, create the run folder.

    Raises ``ValueError`` (naming the parameter) for an unknown profile, an unknown
    override, a bad seed or device — before any computation.
    """
    params = resolve_profile(profiles, profile, overrides)
    seed = check_int("seed", seed, minimum=0)
    dev = resolve_device(device)
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    out = Path(out_dir) if out_dir not in (None, "") else default_out_dir(notebook, profile)
    seed_everything(seed)
    run = Run(
        notebook,
        title=title,
        paper=paper,
        figure=figure,
        profile=profile,
        seed=seed,
        params=params,
        out_dir=out,
        device=dev,
        progress=progress,
    )
    run.write()
    return run


def load_results(out_dir: str | Path) -> dict[str, Any]:
    """Read ``<out_dir>/results.json``."""
    import json

    path = Path(out_dir) / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"no results.json in {out_dir}")
    return json.loads(path.read_text())


def wgan_config(method: str, p: Mapping[str, Any], *, clip: float | None = None, **common: Any):
    """The paper's two WGAN critics as a :class:`gpkit.train.TrainConfig`, from a profile's fields.

    ``"gp"``: gradient penalty ``p["lam"]`` with Adam ``p["gp_lr"]``, betas ``p["gp_betas"]``;
    ``"clip"``: weight clipping at ``clip`` (default ``p["clip"]``) with TensorFlow-style RMSProp
    ``p["clip_lr"]``. ``common`` holds the other fields (iterations, batch_size, n_critic, seed, ...).
    """
    from gpkit.train import TrainConfig

    check_choice("method", method, ("gp", "clip"))
    if method == "gp":
        return TrainConfig(penalty="gp", lam=p["lam"], optimizer="adam", lr=p["gp_lr"], betas=tuple(p["gp_betas"]),
                           **common)
    return TrainConfig(penalty="none", clip=p["clip"] if clip is None else clip, optimizer="rmsprop_tf",
                       lr=p["clip_lr"], **common)


def data_root(path: str | Path | None) -> Path:
    """The datasets folder: ``path``, or ``<repo>/data`` when None (notebooks may run from ``notebooks/``)."""
    return Path(path) if path not in (None, "") else project_root() / "data"


def read_csv(path: str | Path, text_columns: Sequence[str] = ("method",)) -> list[dict[str, Any]]:
    """Rows of a CSV written by :meth:`Run.save_csv`, with every column except ``text_columns`` as float."""
    with Path(path).open(newline="") as fh:
        return [{k: (v if k in text_columns else float(v)) for k, v in row.items()} for row in csv.DictReader(fh)]


def plot_data(source: "Run | Mapping[str, Any]") -> dict[str, Any]:
    """The arrays a plot needs: ``run.data`` of a live :class:`Run`, or a dict reloaded from disk."""
    return source.data if isinstance(source, Run) else dict(source)


def scored_image_setup(
    p: Mapping[str, Any], root_dir: str | Path | None, weights_path: str | Path | None, device: torch.device,
    model: str, *, labels: bool = False, resolution: int = 32,
) -> tuple[torch.Tensor, torch.Tensor | None, dict[str, Any]]:
    """What the scored image experiments (Figures 2 and 3, Tables 2 and 3) share, from their parameters ``p``
    (``dataset``, ``pad``, ``backbone``, ``reference_split``, ``n_reference``, ``splits``, ``classifier``, and
    optionally ``size``, the side images are loaded at, and ``subset``, a seeded subset of the training split):

    the training split of the datasets folder ``root_dir`` (None: ``<repo>/data``) as stored, uint8
    ``(N, C, resolution, resolution)`` on ``device`` (and int64 labels with ``labels``), and the keyword arguments
    of :func:`gpkit.metrics.scores.image_scores` for this experiment. With the Inception backbone the weights are
    looked up first, so a missing file stops the run before any training. ``ValueError`` (naming ``model``) when
    the images are not ``resolution`` pixels square.
    """
    from gpkit.data.images import load
    from gpkit.metrics import scores

    root = data_root(root_dir)
    if p["backbone"] == "inception":
        scores.find_inception_weights(weights_path)
    size = p.get("size")
    out = load(p["dataset"], root=root, split="train", pad=p["pad"], size=size, subset=p.get("subset"),
               seed=p.get("subset_seed", 0), value_range=(0.0, 255.0), return_labels=labels)
    x, y = out if labels else (out, None)
    x = x.round_().to(device=device, dtype=torch.uint8)
    if x.shape[-1] != resolution:
        raise ValueError(f"{model} needs {resolution}x{resolution} images; {p['dataset']} with pad={p['pad']} "
                         f"gives {x.shape[-1]}x{x.shape[-1]}")
    score_kw = dict(dataset=p["dataset"], backbone=p["backbone"], reference_split=p["reference_split"],
                    n_reference=p["n_reference"], splits=p["splits"], root=root, pad=p["pad"], size=size,
                    weights_path=weights_path, classifier=p["classifier"], device=device, progress=False)
    return x, (y.to(device) if y is not None else None), score_kw



def train_and_score(
    generator: torch.nn.Module,
    critic: torch.nn.Module,
    cfg: Any,
    sampler: Any,
    scorer: Any,
    *,
    device: str | torch.device = "cpu",
    out_dir: str | Path | None = None,
    progress: bool = False,
    desc: str | None = None,
) -> dict[str, Any]:
    """Train ``generator`` against ``critic`` with the :class:`gpkit.train.TrainConfig` ``cfg`` and score it.

    ``sampler(n, rng)``: real images; ``scorer(generator)``: a dict with ``is_mean`` (e.g.
    :func:`gpkit.metrics.scores.generator_scores`). Returns ``{"score", "seconds", "diverged", **scores}``. A run
    whose loss becomes non-finite is a failed run: score 1 (what a constant image scores), ``diverged`` True and
    the ``error``. With ``out_dir`` the run checkpoints there and resumes from it.
    """
    from gpkit.train import NonFiniteLossError, Trainer

    trainer = Trainer(cfg, critic, generator, sampler, device=device, out_dir=out_dir, progress=progress, desc=desc)
    try:
        result = trainer.run()
    except NonFiniteLossError as err:
        return {"score": 1.0, "seconds": trainer.seconds, "diverged": True, "error": str(err)}
    scores = dict(scorer(generator))
    return {"score": float(scores["is_mean"]), "seconds": result.seconds, "diverged": False, **scores}


def cached_json(path: str | Path, resume: bool, compute: Any) -> dict[str, Any]:
    """``path``'s JSON when ``resume`` and it exists; otherwise ``compute()``, kept to its JSON scalars (numbers,
    strings, booleans, None) and written to ``path`` atomically. The per-run score files of Table 2 and Figure 2,
    which let a resumed notebook skip runs that finished."""
    import json

    from gpkit.utils import atomic_write_json

    path = Path(path)
    if resume and path.is_file():
        return json.loads(path.read_text())
    out = {k: v for k, v in dict(compute()).items() if isinstance(v, (int, float, str, bool)) or v is None}
    atomic_write_json(path, out)
    return out
