"""Table 2: which of 200 random architectures train with WGAN-GP and with the standard GAN (notebook
``07_random_architectures``; the notebook itself is still to be written, see issue 6).

This module holds the pieces that do not depend on how the runs are dispatched:

- :func:`train_architecture`: train one Table 1 architecture with one objective (the standard GAN's DCGAN settings
  or WGAN-GP's) and score its final samples;
- :func:`rescale_thresholds`: map the paper's Inception-score thresholds onto another backbone through a common
  reference (the paper's own DCGAN, 7.24, against ours under the same protocol);
- :func:`table2_counts` and :func:`claims`: Table 2's four counts per threshold and the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from gpkit.experiments.base import Claim
from gpkit.models.random_arch import ArchSpec, build
from gpkit.params import check_choice, check_int
from gpkit.train import TrainConfig, Trainer

__all__ = ["OBJECTIVES", "PAPER_THRESHOLDS", "PAPER_DCGAN_SCORE", "objective_config", "train_architecture",
           "rescale_thresholds", "table2_counts", "claims"]

OBJECTIVES = ("gan", "wgan-gp")
PAPER_THRESHOLDS = (1.0, 3.0, 5.0, 7.0, 9.0)
#: The Inception score of the paper's DCGAN in Table 2 (the yardstick for rescaling thresholds).
PAPER_DCGAN_SCORE = 7.24
#: Claim: "only WGAN-GP" must exceed "only GAN" at more than half of the thresholds.
MIN_FRACTION = 0.5
FRACTION_MARGIN = 0.0


def objective_config(objective: str, iterations: int, *, batch_size: int = 64, seed: int = 0,
                     **extra: Any) -> TrainConfig:
    """Table 2's two trainings: ``gan``, the standard non-saturating GAN with DCGAN's settings (Adam 2e-4,
    beta1 0.5, one D step); ``wgan-gp`` with the paper's defaults (Adam 1e-4, betas (0.5, 0.9), 5 critic steps,
    lambda 10). The generator batch is twice the critic batch, as in the authors' related script."""
    check_choice("objective", objective, OBJECTIVES)
    common = dict(iterations=iterations, batch_size=batch_size, gen_batch_size=2 * batch_size, seed=seed, **extra)
    if objective == "gan":
        return TrainConfig(objective="ns_gan", penalty="none", optimizer="adam", lr=2e-4, betas=(0.5, 0.999),
                           n_critic=1, **common)
    return TrainConfig(penalty="gp", lam=10.0, optimizer="adam", lr=1e-4, betas=(0.5, 0.9), n_critic=5, **common)


def train_architecture(
    spec: ArchSpec,
    objective: str,
    sampler: Callable[[int, torch.Generator], torch.Tensor],
    scorer: Callable[[torch.nn.Module], Mapping[str, Any]],
    *,
    iterations: int,
    channels: int = 3,
    batch_size: int = 64,
    seed: int = 0,
    device: str | torch.device = "cpu",
    out_dir: str | Path | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Train ``spec`` with ``objective`` and return ``{"objective", "score", "seconds", "diverged", **scores}``.

    ``sampler(n, rng)``: real images in [-1, 1]; ``scorer(generator)``: a dict with ``is_mean`` (e.g.
    :func:`gpkit.metrics.scores.generator_scores`). A run whose loss becomes non-finite counts as failed with a
    score of 1 (a constant image), as an untrainable architecture should.
    """
    from gpkit.train import NonFiniteLossError

    iterations = check_int("iterations", iterations, minimum=1)
    torch.manual_seed(seed)
    generator, critic = build(spec, objective, channels=channels)
    cfg = objective_config(objective, iterations, batch_size=batch_size, seed=seed,
                           checkpoint_every=max(1, iterations // 4))
    trainer = Trainer(cfg, critic, generator, sampler, device=device, out_dir=out_dir, progress=progress,
                      desc=f"{objective}: {spec.label}")
    try:
        result = trainer.run()
    except NonFiniteLossError as err:
        return {"objective": objective, "score": 1.0, "seconds": trainer.seconds, "diverged": True,
                "error": str(err)}
    scores = dict(scorer(generator))
    return {"objective": objective, "score": float(scores["is_mean"]), "seconds": result.seconds,
            "diverged": False, **scores}


def rescale_thresholds(thresholds: Sequence[float], our_reference: float,
                       paper_reference: float = PAPER_DCGAN_SCORE) -> list[float]:
    """Map Inception-score thresholds onto another score: ``1 + (t - 1) (ours - 1) / (paper - 1)``.

    A score of 1 (one repeated image) stays 1 and the paper's reference (its DCGAN, 7.24) maps onto ours (our
    DCGAN under the same protocol), linearly in between and beyond. ``ValueError`` if ours is not above 1.
    """
    if not our_reference > 1.0:
        raise ValueError(f"our_reference must be a score above 1 to rescale thresholds, got {our_reference}")
    factor = (our_reference - 1.0) / (paper_reference - 1.0)
    return [1.0 + (t - 1.0) * factor for t in thresholds]


def table2_counts(scores: Sequence[Mapping[str, float]], thresholds: Sequence[float]) -> list[dict[str, Any]]:
    """Table 2: per threshold, how many architectures succeed (score > threshold) with only the GAN, only WGAN-GP,
    both or neither. ``scores``: one ``{"gan": s, "wgan-gp": s}`` per architecture."""
    out = []
    for t in thresholds:
        row = {"threshold": float(t), "only_gan": 0, "only_wgan_gp": 0, "both": 0, "neither": 0}
        for s in scores:
            gan, gp = s["gan"] > t, s["wgan-gp"] > t
            key = "both" if gan and gp else "only_gan" if gan else "only_wgan_gp" if gp else "neither"
            row[key] += 1
        out.append(row)
    return out


def claims(counts: Sequence[Mapping[str, Any]]) -> list[Claim]:
    """The Table 2 verdict: "only WGAN-GP" exceeds "only GAN" at most thresholds. Thresholds where no architecture
    separates the two objectives (both counts 0) are left out of the fraction."""
    informative = [c for c in counts if c["only_gan"] or c["only_wgan_gp"]]
    wins = sum(c["only_wgan_gp"] > c["only_gan"] for c in informative)
    value = wins / len(informative) if informative else float("nan")
    return [Claim.compare(
        "table2-only-wgan-gp", paper="WGAN-GP", figure="Table 2",
        statement="For most thresholds WGAN-GP trains many architectures the standard GAN cannot (\"only WGAN-GP\" "
                  "far exceeds \"only GAN\").",
        metric="fraction of the thresholds (where the objectives differ at all) at which \"only WGAN-GP\" exceeds "
               "\"only GAN\"",
        value=value, op=">", threshold=MIN_FRACTION, margin=FRACTION_MARGIN,
        details={"counts": [dict(c) for c in counts], "informative_thresholds": len(informative)},
    )]
