"""gpkit's Algorithm 1 (:class:`gpkit.train.Trainer`) against the textbook loop in ``textbook.py``.

Same critic, generator, batch, optimiser and seed; one unit is one generator iteration (5 critic
steps and a generator step). gpkit fuses the real and fake forward passes of a critic without batch
norm into one, takes one backward pass per critic step, samples on the device, keeps losses on the
device between log rows, and its ReLU/LeakyReLU leave their zero second derivative out of the penalty's
double backward (:mod:`gpkit.models.activations`). The textbook loop runs with PyTorch's own activation
autograd, as ports built on ``nn.ReLU`` do. Target: gpkit at least 1.5x faster on the toy and MNIST models.

A third variant, gpkit with PyTorch's activations, splits the gain into the loop's bookkeeping
(textbook / gpkit-native) and the activation fast path (gpkit-native / gpkit). Every variant's FLOPs per
iteration are counted with PyTorch's FLOP formulas: on a CPU these steps are compute-bound, so the time
ratio cannot exceed the FLOP ratio by much.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from _common import build, copies, real_pool
from textbook import TextbookWGANGP, eight_gaussians_host, epoch_batches
from gpkit.bench import BenchContext, BenchResult, compare, count_flops, ratio_result
from gpkit.data.toy import ToySampler
from gpkit.models.activations import native_activations
from gpkit.train import TrainConfig, Trainer


def _gpkit_iterations(trainer: Trainer, n: int, native: bool = False):
    def run() -> None:
        trainer.config.iterations += n
        if native:
            with native_activations():
                trainer.run()
        else:
            trainer.run()
    return run


def bench_algorithm1(ctx: BenchContext) -> list[BenchResult]:
    results = []
    for case in ("toy MLP", "MNIST DCGAN"):
        critic, generator, shape, batch = build(case, ctx)
        (c1, c2, c3), (g1, g2, g3) = copies(critic, 3), copies(generator, 3)
        np_rng, rng = np.random.default_rng(ctx.seed), random.Random(ctx.seed)
        if case == "toy MLP":
            samplers = [ToySampler("8gaussians", seed=ctx.seed, device=ctx.device) for _ in range(2)]
            next_real = lambda: eight_gaussians_host(batch, rng, np_rng)  # noqa: E731
            its = ctx.pick(10, 2)
        else:
            pool = real_pool(shape, ctx.pick(10_000, 64), ctx.seed)
            data = pool.to(ctx.device)
            sampler = lambda n, g: data[torch.randint(0, len(data), (n,), generator=g, device=data.device)]  # noqa: E731
            samplers = [sampler, sampler]
            batches = epoch_batches(pool.numpy().reshape(len(pool), -1), batch, np_rng)
            next_real = lambda: next(batches)  # noqa: E731
            its = 1
        cfg = dict(iterations=0, batch_size=batch, penalty="gp", lam=10.0, n_critic=5, lr=1e-4, betas=(0.5, 0.9),
                   log_every=10, seed=ctx.seed)
        trainer = Trainer(TrainConfig(**cfg), c1, g1, samplers[0], device=ctx.device)
        native = Trainer(TrainConfig(**cfg), c3, g3, samplers[1], device=ctx.device)
        textbook = TextbookWGANGP(c2, g2, next_real, shape, batch=batch, device=ctx.device)

        def textbook_its() -> None:
            with native_activations():
                for _ in range(its):
                    textbook.iteration()
        variants = {"textbook": textbook_its, "gpkit": _gpkit_iterations(trainer, its),
                    "gpkit, native activations": _gpkit_iterations(native, its, native=True)}
        flops = {name: count_flops(fn) / its for name, fn in variants.items()}
        times = compare(variants, repeats=ctx.repeats, sync=ctx.sync)
        extra = {"batch": batch, "gen_its_per_s_gpkit": its / min(times["gpkit"]),
                 "gflop_per_iteration": {k: v / 1e9 for k, v in flops.items()},
                 "flop_ratio": flops["textbook"] / flops["gpkit"]}
        results.append(ratio_result(
            "algorithm1", case, {k: times[k] for k in ("textbook", "gpkit")}, "textbook", "gpkit", per=its,
            what="textbook / gpkit time per generator iteration", target=(">=", 1.5), extra=extra,
            note=f"FLOPs textbook/gpkit {extra['flop_ratio']:.2f}: compute-bound on a CPU"))
        results.append(ratio_result(
            "algorithm1", f"{case}: loop bookkeeping", {k: times[k] for k in ("textbook", "gpkit, native activations")},
            "textbook", "gpkit, native activations", per=its,
            what="textbook / gpkit with PyTorch's activations",
            extra={"flop_ratio": flops["textbook"] / flops["gpkit, native activations"]},
            note="fused forward, one backward, device sampling"))
    return results
