"""Many seeds in one model (:class:`gpkit.seeds.SeedStack`) against the same seeds trained one after another
(:class:`gpkit.train.Trainer`, one per seed; tested to give the same numbers). One unit is one generator iteration
(5 penalised critic steps and a generator step) of all S = 8 seeds, WGAN-GP.

Targets (issue 20): at least 3x on the toy MLP (width 128, batch 64: the quick profiles' toy critics) and 1.5x on
the DIM-16 MNIST DCGAN (batch 50, no batch norm, as WGAN-GP's).

Why a target can be out of reach: stacking seeds removes per-operator overhead, it does not remove arithmetic.
Each case therefore also reports the counted FLOPs of one unit (:func:`gpkit.bench.count_flops` of the one-seed
runs; the stacked model does the same products, but PyTorch's FLOP formulas over-count the grouped convolutions
``vmap`` turns a batch of convolutions into, so its own count is not used), the rate each variant reaches, and this process's float32
matrix-product rate (a 1024x1024 product, the best the cores do). ``ceiling`` = that rate / the one-after-another
rate is the most any batching of the same FLOPs could gain; when the sequential runs already reach a good part
of it, the speed-up is bounded by the arithmetic, not by the loop.
"""

from __future__ import annotations

import torch

from gpkit import methods
from gpkit.bench import BenchContext, BenchResult, compare, count_flops, ratio_result
from gpkit.models import images, toy
from gpkit.seeds import SeedStack
from gpkit.train import Trainer

TARGETS = {"toy MLP": 3.0, "MNIST DCGAN DIM 16": 1.5}


def matmul_rate(ctx: BenchContext, n: int = 1024) -> float:
    """This process's float32 matrix-product rate in GFLOP/s (best of a few ``n x n`` products)."""
    a = torch.randn(n, n, device=ctx.device)
    b = torch.randn(n, n, device=ctx.device)
    times = compare({"matmul": lambda: a @ b}, repeats=max(3, ctx.repeats), sync=ctx.sync)["matmul"]
    return 2 * n**3 / min(times) / 1e9


def bench_seed_stack(ctx: BenchContext) -> list[BenchResult]:
    seeds = list(range(ctx.pick(8, 2)))
    cases = {
        "toy MLP": (lambda: toy.toy_critic(width=ctx.pick(128, 8), hidden=3),
                    lambda: toy.toy_generator(width=ctx.pick(128, 8), hidden=3), (2,), ctx.pick(64, 8)),
        "MNIST DCGAN DIM 16": (lambda: images.mnist_critic(ctx.pick(16, 4)),
                               lambda: images.mnist_generator(ctx.pick(16, 4)), (1, 28, 28), ctx.pick(50, 8)),
    }
    results = []
    peak = matmul_rate(ctx, ctx.pick(1024, 64))
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

        variants = {"one after another": one_after_another, "in one model": together}
        flops = count_flops(one_after_another)
        times = compare(variants, repeats=ctx.repeats, sync=ctx.sync)
        rates = {name: flops / min(times[name]) / 1e9 for name in variants}
        ceiling = peak / rates["one after another"]
        target = TARGETS[case]
        results.append(ratio_result(
            "seed_stack", f"{case}, {len(seeds)} seeds", times, "one after another", "in one model",
            what=f"{len(seeds)} Trainers one after another / SeedStack", target=(">=", target),
            extra={"batch": batch, "seeds": len(seeds), "threads": torch.get_num_threads(),
                   "gflop_per_unit": flops / 1e9,
                   "gflop_per_s": rates, "matmul_gflop_per_s": peak, "ceiling": ceiling},
            note=(f"one generator iteration (5 critic steps) of every seed, same numbers (tested); "
                  f"{flops / 1e9:.2f} GFLOP, one after another at "
                  f"{rates['one after another']:.0f} GFLOP/s, in one model at {rates['in one model']:.0f}, "
                  f"fp32 matmul {peak:.0f}: ceiling {ceiling:.1f}x")))
    return results
