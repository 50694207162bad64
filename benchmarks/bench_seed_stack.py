"""Many seeds in one model (:class:`gpkit.seeds.SeedStack`) against the same seeds trained one after another
(:class:`gpkit.train.Trainer`, one per seed; tested to give the same numbers). One unit is one generator iteration
(5 penalised critic steps and a generator step) of all S = 8 seeds, WGAN-GP.

Targets (issue 20): at least 3x on the toy MLP (width 128, batch 64: the quick profiles' toy critics) and 1.5x on
the DIM-16 MNIST DCGAN (batch 50, no batch norm, as WGAN-GP's).
"""

from __future__ import annotations

import torch

from gpkit import methods
from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.models import images, toy
from gpkit.seeds import SeedStack
from gpkit.train import Trainer

TARGETS = {"toy MLP": 3.0, "MNIST DCGAN DIM 16": 1.5}


def bench_seed_stack(ctx: BenchContext) -> list[BenchResult]:
    seeds = list(range(ctx.pick(8, 2)))
    cases = {
        "toy MLP": (lambda: toy.toy_critic(width=ctx.pick(128, 8), hidden=3),
                    lambda: toy.toy_generator(width=ctx.pick(128, 8), hidden=3), (2,), ctx.pick(64, 8)),
        "MNIST DCGAN DIM 16": (lambda: images.mnist_critic(ctx.pick(16, 4)),
                               lambda: images.mnist_generator(ctx.pick(16, 4)), (1, 28, 28), ctx.pick(50, 8)),
    }
    results = []
    for case, (make_c, make_g, shape, batch) in cases.items():
        pool = torch.rand(1000, *shape, generator=torch.Generator().manual_seed(ctx.seed)).to(ctx.device) * 2 - 1

        def sampler(n: int, g: torch.Generator) -> torch.Tensor:
            return pool[torch.randint(0, len(pool), (n,), generator=g, device=g.device)]

        cfg = methods.config("wgan-gp", iterations=0, batch_size=batch)
        stack = SeedStack(cfg, make_c, make_g, sampler, seeds, device=ctx.device)
        alone = []
        for s in seeds:
            torch.manual_seed(s)
            alone.append(Trainer(methods.config("wgan-gp", iterations=0, batch_size=batch, seed=s), make_c(),
                                 make_g(), sampler, device=ctx.device))

        def together() -> None:
            for _ in range(cfg.n_critic):
                stack.critic_step()
            stack.generator_step()

        def one_after_another() -> None:
            for trainer in alone:
                for _ in range(cfg.n_critic):
                    trainer.critic_step()
                trainer.generator_step()

        times = compare({"one after another": one_after_another, "in one model": together}, repeats=ctx.repeats,
                        sync=ctx.sync)
        target = TARGETS[case]
        results.append(ratio_result(
            "seed_stack", f"{case}, {len(seeds)} seeds", times, "one after another", "in one model",
            what=f"{len(seeds)} Trainers one after another / SeedStack", target=(">=", target),
            extra={"batch": batch, "seeds": len(seeds)},
            note="one generator iteration (5 critic steps) of every seed; same numbers to float rounding (tested)"))
    return results
