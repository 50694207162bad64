"""Helpers the experiments share: the WGAN critic configurations, the datasets folder, the scored image
setup, train-and-score and the per-cell score cache.

The run record (``Run``, ``Claim``, ``start_run``, ``results.json``) lives in :mod:`gpkit.record`; it is
re-exported here for the experiments' convenience.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from gpkit.params import check_choice, check_int
from gpkit.paths import data_root
from gpkit.record import VERDICTS, Claim, Run, judge, lifecycle, load_results, start_run

__all__ = [
    "VERDICTS",
    "LADDER_QUARTERS",
    "ladder_iterations",
    "collect_rows",
    "Claim",
    "judge",
    "Run",
    "start_run",
    "lifecycle",
    "load_results",
    "read_csv",
    "plot_data",
    "wgan_config",
    "data_root",
    "scored_image_setup",
    "train_and_score",
    "cached_json",
]


def wgan_config(method: str, p: Mapping[str, Any], *, clip: float | None = None, **common: Any):
    """The paper's two WGAN critics as a :class:`gpkit.train.TrainConfig`, from a profile's fields.

    ``"gp"``: gradient penalty ``p["lam"]`` with Adam ``p["gp_lr"]``, betas ``p["gp_betas"]``;
    ``"clip"``: weight clipping at ``clip`` (default ``p["clip"]``) with TensorFlow-style RMSProp
    ``p["clip_lr"]``. ``common`` holds the other fields (iterations, batch_size, n_critic, seed, ...).
    """
    from gpkit import methods

    check_choice("method", method, ("gp", "clip"))
    if method == "gp":
        return methods.config("wgan-gp", lam=p["lam"], lr=p["gp_lr"], betas=tuple(p["gp_betas"]), **common)
    return methods.config("wgan", clip=p["clip"] if clip is None else clip, lr=p["clip_lr"], **common)


#: Budget ladders over one run's training (issue 21): the quarters of its iterations at which it is also measured.
LADDER_QUARTERS = (1, 2, 3)


def ladder_iterations(iterations: int) -> tuple[int, ...]:
    """The iterations at which a run of ``iterations`` is also measured for a budget ladder: its quarters
    (:data:`LADDER_QUARTERS`), empty below 4 iterations. Checkpoints every ``iterations // 4`` fall on them."""
    q = check_int("iterations", iterations, minimum=1) // 4
    return tuple(k * q for k in LADDER_QUARTERS) if q >= 1 else ()


def read_csv(path: str | Path, text_columns: Sequence[str] = ("method",)) -> list[dict[str, Any]]:
    """Rows of a CSV written by :meth:`Run.save_csv`, with every column except ``text_columns`` as float."""
    with Path(path).open(newline="") as fh:
        return [{k: (v if k in text_columns else float(v)) for k, v in row.items()} for row in csv.DictReader(fh)]


def collect_rows(folder: str | Path, filename: str, keys: Sequence[str],
                 text_columns: Sequence[str]) -> tuple[list[dict[str, Any]], list[tuple[Path, tuple[Any, ...]]]]:
    """Every finished run's ``filename`` under ``folder`` (e.g. a sweep's run folders), merged on the ``keys``
    columns (later files win); a ``diverged`` column is read back as a bool. Returns ``(rows, seen)``, ``seen`` every
    ``(file, key)`` read, in order (for what the runs saved beside their files); runs that did not finish are named
    on stdout and left out."""
    from gpkit.record import finished_files

    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    seen: list[tuple[Path, tuple[Any, ...]]] = []
    paths, skipped = finished_files(folder, filename)
    if skipped:
        print(f"[gpkit] collect: left out {len(skipped)} run(s) that did not finish: "
              + ", ".join(str(d) for d in skipped[:5]), flush=True)
    for path in paths:
        for row in read_csv(path, text_columns=text_columns):
            if "diverged" in row:
                row["diverged"] = row["diverged"] in ("True", True)
            key = tuple(row[k] for k in keys)
            merged[key] = row
            seen.append((Path(path), key))
    return list(merged.values()), seen


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
    callbacks: Sequence[Any] = (),
    resume: bool = True,
) -> dict[str, Any]:
    """Train ``generator`` against ``critic`` with the :class:`gpkit.train.TrainConfig` ``cfg`` and score it.

    ``sampler(n, rng)``: real images; ``scorer(generator)``: a dict with ``is_mean`` (e.g.
    :func:`gpkit.metrics.scores.generator_scores`). Returns ``{"score", "seconds", "diverged", **scores}``. A run
    whose loss becomes non-finite is a failed run: score 1 (what a constant image scores), ``diverged`` True and
    the ``error``. With ``out_dir`` the run checkpoints there and, with ``resume``, continues from a checkpoint
    found there (``resume=False``: starts afresh, whatever the folder holds). ``callbacks`` go to the
    :class:`gpkit.train.Trainer` (e.g. :class:`gpkit.callbacks.ImageScore` at a budget ladder's rungs).
    """
    from gpkit.train import NonFiniteLossError, Trainer

    trainer = Trainer(cfg, critic, generator, sampler, device=device, out_dir=out_dir, progress=progress, desc=desc,
                      callbacks=callbacks, resume=resume)
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
