"""Training probes: the critic loss over whole data splits, image scores, sample grids, and text n-gram JS.

Both are :class:`gpkit.train.Callback` objects (``every`` generator iterations, with
``state_dict`` so that their records survive a resume). They draw their own random
numbers from a generator seeded with ``seed + iteration``, so probing never changes
the training run and a resumed run records the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from gpkit.params import check_int
from gpkit.train import Trainer
from gpkit.streams import stream

__all__ = ["RecordingCallback", "CriticLoss", "ImageScore", "SampleGrids", "TextNgramJS"]


class RecordingCallback:
    """Base of probes that append one dict per call to ``records``; the records survive a resume."""

    every: int
    records: list[dict[str, Any]]

    def state_dict(self) -> dict[str, Any]:
        return {"records": [dict(r) for r in self.records]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.records = [dict(r) for r in state["records"]]


class CriticLoss(RecordingCallback):
    """The full critic loss (objective + penalty) over whole splits, every ``every`` iterations.

    ``splits`` maps a name (``"train"``, ``"validation"``) to images ``(N, C, H, W)``;
    each split is cut into batches of ``batch_size`` real images, each batch meets as
    many fresh fakes, and the batch losses are averaged (weighted by batch size). This is
    the reference's "dev disc cost" of Figure 5b. ``records`` holds one dict per probe:
    ``iteration`` and, per split, ``<name>_loss``, ``<name>_objective``, ``<name>_penalty``.
    """

    def __init__(self, every: int, splits: Mapping[str, torch.Tensor], batch_size: int, seed: int = 0) -> None:
        self.every = check_int("every", every, minimum=0)
        self.splits = dict(splits)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.seed = seed
        self.records: list[dict[str, float]] = []

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        rng = stream(self.seed, "critic_probe", iteration, trainer.device)
        record: dict[str, float] = {"iteration": iteration}
        for name, images in self.splits.items():
            totals = torch.zeros(3, dtype=torch.float64)
            for real in images.split(self.batch_size):
                real = real.to(trainer.device)
                z = torch.randn(real.shape[0], trainer.generator.latent_dim, generator=rng, device=trainer.device)
                with torch.no_grad():
                    fake = trainer.generator(z)
                losses = trainer.critic_losses(real, fake, rng)
                totals += torch.stack([v.detach().double().cpu() for v in losses]) * real.shape[0]
            mean = (totals / images.shape[0]).tolist()
            record.update({f"{name}_loss": mean[0], f"{name}_objective": mean[1], f"{name}_penalty": mean[2]})
        self.records.append(record)


class ImageScore(RecordingCallback):
    """Scores of the generator's samples every ``every`` iterations (Figure 3's curves).

    ``scorer(generator)`` returns a dict of numbers (e.g. :func:`gpkit.metrics.scores.generator_scores`
    with fixed settings). Each record holds ``iteration``, ``seconds`` (the run's training wall-clock so
    far, probes excluded, as the reference's time axis) and the scorer's numeric values. With
    ``best_path``, the generator's weights are saved there whenever ``key`` reaches a new maximum. With ``at``,
    only those iterations are scored (each a multiple of ``every``), e.g. the rungs of a budget ladder:
    ``ImageScore(q, scorer, at=(q, 2 * q, 3 * q))``.
    """

    def __init__(self, every: int, scorer: Any, key: str = "is_mean", best_path: str | Path | None = None,
                 at: Any = None) -> None:
        self.every = check_int("every", every, minimum=0)
        self.scorer = scorer
        self.key = key
        self.best_path = Path(best_path) if best_path is not None else None
        self.at = None if at is None else frozenset(check_int("at", int(i), minimum=1) for i in at)
        if self.at is not None and any(not self.every or i % self.every for i in self.at):
            raise ValueError(f"at: every iteration must be a multiple of every={self.every}, got {sorted(self.at)}")
        self.records: list[dict[str, Any]] = []

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        if self.at is not None and iteration not in self.at:
            return
        scores = self.scorer(trainer.generator)
        record = {"iteration": iteration, "seconds": round(trainer.seconds, 3),
                  **{k: v for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}}
        best = max((r[self.key] for r in self.records), default=float("-inf"))
        self.records.append(record)
        if self.best_path is not None and record.get(self.key, float("-inf")) > best:
            from gpkit.utils import atomic_torch_save

            atomic_torch_save({"iteration": iteration, self.key: record[self.key],
                               "state_dict": {k: v.detach().cpu() for k, v in trainer.generator.state_dict().items()}},
                              self.best_path)


class SampleGrids:
    """Sample grids from fixed latent codes every ``every`` iterations.

    Each grid is saved as ``<out_dir>/samples_<iteration>.png`` (torchvision's
    ``save_image``) when ``out_dir`` is given and kept in ``grids`` as a ``(3, H, W)``
    tensor in [0, 1]; ``value_range`` is the generator's output range. ``labels``: the classes
    for a class-conditional generator (one per code).
    """

    def __init__(self, every: int, z: torch.Tensor, value_range: tuple[float, float],
                 out_dir: str | Path | None = None, nrow: int = 8, labels: torch.Tensor | None = None) -> None:
        self.labels = labels
        self.every = check_int("every", every, minimum=0)
        self.z = z
        self.value_range = value_range
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.nrow = nrow
        self.grids: dict[int, torch.Tensor] = {}

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        from torchvision.utils import save_image

        from gpkit.models.images import sample_grid

        grid = sample_grid(trainer.generator, self.z.to(trainer.device), self.value_range, self.nrow, self.labels)
        self.grids[iteration] = grid
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            save_image(grid, self.out_dir / f"samples_{iteration:07d}.png")

    def state_dict(self) -> dict[str, Any]:
        its = sorted(self.grids)
        return {"iterations": its, "grids": torch.stack([self.grids[i] for i in its]) if its else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state["grids"] is not None:
            self.grids = {int(i): g for i, g in zip(state["iterations"], state["grids"])}


class TextNgramJS(RecordingCallback):
    """Table 4's monitor: every ``every`` iterations, ``n_samples`` sequences from the generator decoded by argmax
    and their character n-gram JS divergence (bits) to the training corpus, for each n of ``corpus_counts``
    (:class:`gpkit.metrics.ngrams.NgramCounts` by n, computed once). Records hold ``iteration``, ``seconds``
    (training wall-clock, probes excluded) and ``js<n>``; ``samples`` keeps the last probe's decoded lines.
    """

    def __init__(self, every: int, corpus_counts: Mapping[int, Any], vocab: Any, n_samples: int = 640,
                 batch_size: int = 64, seed: int = 0) -> None:
        self.every = check_int("every", every, minimum=0)
        self.corpus_counts = dict(corpus_counts)
        self.vocab = vocab
        self.n_samples = check_int("n_samples", n_samples, minimum=1)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.seed = seed
        self.records: list[dict[str, Any]] = []
        self.samples: list[str] = []

    @torch.no_grad()
    def __call__(self, trainer: Trainer, iteration: int) -> None:
        from gpkit.metrics.ngrams import ngram_js_curve

        rng = stream(self.seed, "probe_step", iteration, trainer.device)
        g = trainer.generator
        lines: list[str] = []
        for start in range(0, self.n_samples, self.batch_size):
            b = min(self.batch_size, self.n_samples - start)
            lines += self.vocab.decode(g(torch.randn(b, g.latent_dim, generator=rng, device=trainer.device)).cpu())
        self.samples = lines
        js = ngram_js_curve(lines, self.corpus_counts)
        self.records.append({"iteration": iteration, "seconds": round(trainer.seconds, 3),
                             **{f"js{n}": v for n, v in js.items()}})

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "samples": list(self.samples)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.samples = list(state.get("samples", []))
