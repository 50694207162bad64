"""Gradient-penalty overhead: a penalised critic step over an unpenalised one, same model and batch.

The penalty needs a second forward pass at the interpolates and a double backward, so about 2x the
unpenalised step is the floor; target at most 2.2x. A second ratio per model isolates gpkit's activation
fast path (:mod:`gpkit.models.activations`): the same penalised step with PyTorch's own ReLU/LeakyReLU
autograd over gpkit's, with the FLOPs each does (PyTorch's FLOP formulas; the gradients are bit-identical).
"""

from __future__ import annotations

from _common import CASES, case_batches, copies
from gpkit.bench import BenchContext, BenchResult, compare, count_flops, ratio_result
from gpkit.models.activations import native_activations
from gpkit.train import TrainConfig, Trainer


def bench_penalty_overhead(ctx: BenchContext) -> list[BenchResult]:
    results = []
    for case in CASES:
        critic, batch, real, fake = case_batches(case, ctx)
        steps = {}
        for name, model in zip(("penalised", "unpenalised", "penalised, native"), copies(critic, 3)):
            cfg = TrainConfig(iterations=1, batch_size=batch, penalty="none" if name == "unpenalised" else "gp",
                              fixed_generator_std=0.1, seed=ctx.seed)
            trainer = Trainer(cfg, model, None, lambda n, g: real[:n], device=ctx.device)
            if name.endswith("native"):
                def step(trainer: Trainer = trainer) -> None:
                    with native_activations():
                        trainer.critic_update(real, fake)
            else:
                def step(trainer: Trainer = trainer) -> None:
                    trainer.critic_update(real, fake)
            steps[name] = step
        flops = {name: count_flops(step) for name, step in steps.items()}
        times = compare(steps, repeats=ctx.repeats, sync=ctx.sync)
        results.append(ratio_result(
            "penalty_overhead", case, {k: times[k] for k in ("penalised", "unpenalised")}, "penalised",
            "unpenalised", what="GP critic step / plain critic step", target=("<=", 2.2),
            extra={"batch": batch, "flop_ratio": flops["penalised"] / flops["unpenalised"]},
            note="critic step = losses, backward, Adam step; same batch and model"))
        results.append(ratio_result(
            "penalty_overhead", f"{case}: activation fast path", {k: times[k] for k in ("penalised, native",
                                                                                         "penalised")},
            "penalised, native", "penalised", what="GP step with PyTorch's ReLU autograd / with gpkit's",
            extra={"batch": batch, "flop_ratio": flops["penalised, native"] / flops["penalised"],
                   "gflop_per_step": flops["penalised"] / 1e9},
            note=f"FLOPs native/gpkit {flops['penalised, native'] / flops['penalised']:.2f}; "
                 "bit-identical gradients"))
    return results
