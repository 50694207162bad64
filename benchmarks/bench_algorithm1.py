"""gpkit's Algorithm 1 (:class:`gpkit.train.Trainer`) against the textbook loop in ``textbook.py``.

Same critic, generator, batch, optimiser and seed; one unit is one generator iteration (5 critic
steps and a generator step). gpkit fuses the real and fake forward passes of a critic without batch
norm into one, takes one backward pass per critic step, samples on the device and keeps losses on the
device between log rows. Target: gpkit at least 1.5x faster on the toy and MNIST models.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from _common import build, copies, real_pool
from textbook import TextbookWGANGP, eight_gaussians_host, epoch_batches
from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.data.toy import ToySampler
from gpkit.train import TrainConfig, Trainer


def _gpkit_iterations(trainer: Trainer, n: int):
    def run() -> None:
        trainer.config.iterations += n
        trainer.run()
    return run


def bench_algorithm1(ctx: BenchContext) -> list[BenchResult]:
    results = []
    for case in ("toy MLP", "MNIST DCGAN"):
        critic, generator, shape, batch = build(case, ctx)
        (c1, c2), (g1, g2) = copies(critic, 2), copies(generator, 2)
        np_rng, rng = np.random.default_rng(ctx.seed), random.Random(ctx.seed)
        if case == "toy MLP":
            sampler = ToySampler("8gaussians", seed=ctx.seed, device=ctx.device)
            next_real = lambda: eight_gaussians_host(batch, rng, np_rng)  # noqa: E731
            its = ctx.pick(10, 2)
        else:
            pool = real_pool(shape, ctx.pick(10_000, 64), ctx.seed)
            data = pool.to(ctx.device)
            sampler = lambda n, g: data[torch.randint(0, len(data), (n,), generator=g, device=data.device)]  # noqa: E731
            batches = epoch_batches(pool.numpy().reshape(len(pool), -1), batch, np_rng)
            next_real = lambda: next(batches)  # noqa: E731
            its = 1
        cfg = TrainConfig(iterations=0, batch_size=batch, penalty="gp", lam=10.0, n_critic=5, lr=1e-4,
                          betas=(0.5, 0.9), log_every=10, seed=ctx.seed)
        trainer = Trainer(cfg, c1, g1, sampler, device=ctx.device)
        textbook = TextbookWGANGP(c2, g2, next_real, shape, batch=batch, device=ctx.device)

        def textbook_its() -> None:
            for _ in range(its):
                textbook.iteration()
        times = compare({"textbook": textbook_its, "gpkit": _gpkit_iterations(trainer, its)},
                        repeats=ctx.repeats, sync=ctx.sync)
        res = ratio_result("algorithm1", case, times, "textbook", "gpkit", per=its,
                           what="textbook / gpkit time per generator iteration", target=(">=", 1.5),
                           extra={"batch": batch, "gen_its_per_s_gpkit": its / min(times["gpkit"])})
        results.append(res)
    return results
