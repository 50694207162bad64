"""bfloat16 against float32: one penalised critic step (losses, penalty with its double backward, backward, Adam
step) of each model at the paper's size, under ``precision="bf16"`` (autocast, the penalty included) and ``"fp32"``.

Target on a CPU with AMX bf16 units or a bf16 GPU: at least 1.8x on the MNIST and CIFAR DCGANs (issue 20). On a CPU
without native bf16 the benchmark says so and records nothing (bf16 would be emulated: slower, and not what
``precision="auto"`` would choose).
"""

from __future__ import annotations

from _common import CASES, case_batches, copies
from gpkit import methods, precision
from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.train import Trainer

#: The step speed-up bf16 must reach on these models (the toy MLP is too small to gain much).
TARGETS = {"MNIST DCGAN": 1.8, "CIFAR DCGAN": 1.8}


def bench_precision(ctx: BenchContext) -> list[BenchResult]:
    if not precision.native_bf16(ctx.device):
        print(f"[gpkit bench] precision: {ctx.device} has no native bf16 (no AMX tiles / bf16 GPU); skipped")
        return []
    results = []
    for case in CASES:
        critic, batch, real, fake = case_batches(case, ctx)
        steps = {}
        for name, model in zip(("fp32", "bf16"), copies(critic, 2)):
            cfg = methods.config("wgan-gp", iterations=1, batch_size=batch, fixed_generator_std=0.1, seed=ctx.seed,
                                 precision=name)
            trainer = Trainer(cfg, model, None, lambda n, g: real[:n], device=ctx.device)

            def step(trainer: Trainer = trainer) -> None:
                trainer.critic_update(real, fake)

            steps[name] = step
        times = compare(steps, repeats=ctx.repeats, sync=ctx.sync)
        target = TARGETS.get(case)
        results.append(ratio_result(
            "precision", case, times, "fp32", "bf16", what="fp32 GP critic step / bf16 GP critic step",
            target=(">=", target) if target else None, extra={"batch": batch},
            note="bf16: forward and the penalty's double backward under autocast; norm and losses in float32"))
    return results
