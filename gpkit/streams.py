"""Named random streams: every random draw outside the training loop, derived from the run's seed by name.

A stream is ``seed + offset + stride * index``: ``offset`` separates the streams of one run, ``stride`` the
members of a family (one per training probe, per dataset, per theta). The values are the ones the experiments
always used, so the named streams give the numbers of every earlier run bit for bit; what changed is that each
is declared once, here, with what it draws. (A ``numpy.random.SeedSequence`` spawned by name would separate the
streams by construction, but would change every figure and verdict of the compendium; the offsets below are
checked to keep the streams of one run apart for the index ranges the experiments use, see
:func:`overlaps`.)

The training loop has its own generator (``TrainConfig.seed``); model initialisation uses the global one that
:func:`gpkit.utils.seed_everything` seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gpkit.params import check_choice, check_int

if TYPE_CHECKING:
    import torch

__all__ = ["Stream", "STREAMS", "stream_seed", "stream", "overlaps"]


@dataclass(frozen=True)
class Stream:
    """A named stream: ``seed + offset + stride * index`` for ``0 <= index < size`` (``size``: the largest family
    an experiment uses, for the overlap check), and what it draws."""

    offset: int
    stride: int = 1
    size: int = 1
    draws: str = ""


STREAMS: dict[str, Stream] = {
    "reference": Stream(1, draws="the seeded subset of real images a score compares with, and the sampling seed "
                                 "of generator_scores (Figure 3, Table 3)"),
    "probe_points": Stream(5000, draws="the fixed real and latent probe batches of Figure 1b"),
    "sample_grid": Stream(4242, draws="the fixed latent codes of the sample grids"),
    "toy_eval": Stream(1000, size=3, draws="held-out real and fake points per toy dataset (Figure 1a, one-sided)"),
    "toy_direction": Stream(2000, size=3, draws="points where a critic's gradient direction is compared with the "
                                                "optimal critic's, per toy dataset (Figure 1a)"),
    "toy_interpolates": Stream(3000, size=3, draws="interpolates of the one-sided study's gradient norms, per dataset"),
    "score_subset": Stream(77, draws="the real images the one-sided study scores"),
    "wgan_fig1_eval": Stream(100, size=64, draws="evaluation batches per theta (WGAN Figure 1)"),
    "wgan_fig3_eval": Stream(300, draws="evaluation points of WGAN Figure 3"),
    "wgan_fig2_snapshots": Stream(7, draws="latent codes of WGAN Figure 2's snapshots (per replicate seed)"),
    "wgan_fig2_eval": Stream(1000, draws="latent codes WGAN Figure 2's modes are counted on (per replicate seed)"),
    "probe_step": Stream(0, stride=1, size=10**6, draws="per-iteration draws of the text n-gram probe and of the "
                                                        "sliced-Wasserstein projections (index: iteration)"),
    "critic_probe": Stream(7919, stride=7919, size=10**6, draws="per-iteration batches of the train/validation "
                                                                "critic-loss probe (index: iteration)"),
    "color_mnist_held": Stream(6000, size=2, draws="the colours and noise painted once onto Color MNIST's held-out "
                                                   "digits (index 0: the independent critic's, 1: the test set)"),
    "real_data_samples": Stream(6100, size=2, draws="latent codes of a Many Paths real-data run's evaluation samples "
                                                    "(index 0: critic fit, diversity, coverage; 1: the critic's "
                                                    "measurement)"),
    "quality_probe": Stream(104_729, stride=104_729, size=10**6, draws="per-iteration latent codes of the sample "
                                                                       "quality probe (index: iteration)"),
}


def stream_seed(seed: int, name: str, index: int = 0) -> int:
    """The seed of stream ``name`` (member ``index``) of a run seeded with ``seed``: ``seed + offset + stride *
    index``. ``ValueError`` naming ``stream`` for an unknown name."""
    check_choice("stream", name, STREAMS)
    index = check_int("index", index, minimum=0)
    s = STREAMS[name]
    return int(seed) + s.offset + s.stride * index


def stream(seed: int, name: str, index: int = 0, device: Any = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded for stream ``name`` (see :func:`stream_seed`)."""
    from gpkit.utils import make_generator

    return make_generator(stream_seed(seed, name, index), device)


def overlaps(names: list[str] | None = None) -> list[tuple[str, str]]:
    """Pairs of the fixed-size streams (``stride`` 1, small families) whose seed ranges
    ``[offset, offset + size)`` overlap; the per-iteration families are excluded (they span all integers)."""
    chosen = [n for n in (list(STREAMS) if names is None else names) if STREAMS[n].size < 10**6]
    spans = {n: (STREAMS[n].offset, STREAMS[n].offset + STREAMS[n].stride * STREAMS[n].size) for n in chosen}
    out = []
    for i, a in enumerate(chosen):
        for b in chosen[i + 1:]:
            (a0, a1), (b0, b1) = spans[a], spans[b]
            if a0 < b1 and b0 < a1 and a != b:
                out.append((a, b))
    return out
