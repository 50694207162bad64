"""Models and data shared by the benchmarks (not a benchmark module itself: no ``bench_`` prefix)."""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import nn

from gpkit.bench import BenchContext
from gpkit.models.images import cifar_critic, cifar_generator, mnist_critic, mnist_generator
from gpkit.models.toy import toy_critic, toy_generator

#: (name, critic, generator, sample shape, batch) of the three models at the paper's sizes.
CASES = ("toy MLP", "MNIST DCGAN", "CIFAR DCGAN")


def build(case: str, ctx: BenchContext) -> tuple[nn.Module, nn.Module, tuple[int, ...], int]:
    """``(critic, generator, sample shape, batch size)`` of ``case`` (smoke: tiny widths, batch 8).

    Paper sizes: toy MLP 512 wide, batch 256; MNIST DCGAN DIM 64, batch 50; CIFAR DCGAN DIM 128 without
    batch norm in the critic (WGAN-GP's), batch 64.
    """
    torch.manual_seed(ctx.seed)
    if case == "toy MLP":
        w = ctx.pick(512, 16)
        return toy_critic(w), toy_generator(w), (2,), ctx.pick(256, 8)
    if case == "MNIST DCGAN":
        d = ctx.pick(64, 4)
        return mnist_critic(d), mnist_generator(d), (1, 28, 28), ctx.pick(50, 8)
    if case == "CIFAR DCGAN":
        d = ctx.pick(128, 4)
        return cifar_critic(d, norm="none"), cifar_generator(d), (3, 32, 32), ctx.pick(64, 8)
    raise ValueError(f"case must be one of {CASES}, got {case!r}")


def case_batches(case: str, ctx: BenchContext) -> tuple[nn.Module, int, torch.Tensor, torch.Tensor]:
    """``(critic, batch size, real batch, fake batch)`` of ``case`` on ``ctx.device``: what a critic-step benchmark
    feeds every variant."""
    critic, _, shape, batch = build(case, ctx)
    real = real_pool(shape, batch, ctx.seed).to(ctx.device)
    fake = real_pool(shape, batch, ctx.seed + 1).to(ctx.device)
    return critic, batch, real, fake


def real_pool(shape: tuple[int, ...], n: int, seed: int) -> torch.Tensor:
    """``n`` stand-in real samples in [-1, 1] (the benchmarks time arithmetic, not data quality)."""
    g = torch.Generator().manual_seed(seed)
    return torch.rand((n, *shape), generator=g) * 2 - 1


def copies(module: nn.Module, k: int) -> list[nn.Module]:
    """``k`` independent deep copies of ``module`` (equal initial weights)."""
    return [copy.deepcopy(module) for _ in range(k)]


def repeat(fn: Callable[[], object], n: int) -> Callable[[], None]:
    """A callable running ``fn`` ``n`` times."""
    def run() -> None:
        for _ in range(n):
            fn()
    return run
