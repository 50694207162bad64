"""Gradient-penalty overhead: a penalised critic step over an unpenalised one, same model and batch.

The penalty needs a second forward pass at the interpolates and a double backward, so about 2x the
unpenalised step is the floor; target at most 2.2x.
"""

from __future__ import annotations

import torch

from _common import CASES, build, copies, real_pool
from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.train import TrainConfig, Trainer


def bench_penalty_overhead(ctx: BenchContext) -> list[BenchResult]:
    results = []
    for case in CASES:
        critic, _, shape, batch = build(case, ctx)
        real = real_pool(shape, batch, ctx.seed).to(ctx.device)
        fake = real_pool(shape, batch, ctx.seed + 1).to(ctx.device)
        steps = {}
        for name, penalty, model in zip(("gp", "none"), ("gp", "none"), copies(critic, 2)):
            cfg = TrainConfig(iterations=1, batch_size=batch, penalty=penalty, fixed_generator_std=0.1, seed=ctx.seed)
            trainer = Trainer(cfg, model, None, lambda n, g: real[:n], device=ctx.device)

            def step(trainer: Trainer = trainer) -> None:
                loss, _, _ = trainer.critic_losses(real, fake)
                trainer.opt_d.zero_grad(set_to_none=True)
                loss.backward()
                trainer.opt_d.step()
            steps[name] = step
        times = compare({"penalised": steps["gp"], "unpenalised": steps["none"]}, repeats=ctx.repeats,
                        sync=ctx.sync)
        results.append(ratio_result(
            "penalty_overhead", case, times, "penalised", "unpenalised",
            what="GP critic step / plain critic step", target=("<=", 2.2),
            extra={"batch": batch}, note="critic step = losses, backward, Adam step; same batch and model"))
    return results
