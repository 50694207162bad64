"""GPU variants of the CIFAR DCGAN and ResNet critic steps (only with CUDA; nothing on a CPU machine).

Variants of one penalised critic step (fixed batch, Adam): float32 with TF32 off (the baseline), TF32
matmuls and convolutions, channels_last memory with TF32, bf16 (``precision="bf16"``: autocast, the penalty's
double backward included, norms and losses in float32) and, where it works with the penalty's double backward,
``torch.compile`` of the critic (AOTAutograd does not support double backward in every release; the failure is
recorded as a note). Also: generator iterations per second of the whole Algorithm 1 loop with TF32, and the GPU
hours that implies for the paper profile (Table 3: 100,000 generator iterations for the ResNet; 200,000 for the
DCGAN of Figure 3).
"""

from __future__ import annotations

import torch

from _common import copies, real_pool
from gpkit.bench import BenchContext, BenchResult, compare, ratio_result, value_result
from gpkit.models.images import cifar_critic, cifar_generator, cifar_resnet_critic, cifar_resnet_generator
from gpkit.train import TrainConfig, Trainer

PAPER_ITERATIONS = {"CIFAR DCGAN": 200_000, "CIFAR ResNet": 100_000}


def _models(case: str) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(0)
    if case == "CIFAR DCGAN":
        return cifar_critic(128, norm="none"), cifar_generator(128)
    return cifar_resnet_critic(128), cifar_resnet_generator(128)


def _tf32(on: bool) -> None:
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def bench_gpu(ctx: BenchContext) -> list[BenchResult]:
    if ctx.device.type != "cuda":
        print("[gpkit bench] gpu: no CUDA device; skipped")
        return []
    results = []
    saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    try:
        for case in ("CIFAR DCGAN", "CIFAR ResNet"):
            critic, generator = _models(case)
            batch = 64
            real = real_pool((3, 32, 32), batch, ctx.seed).to(ctx.device)
            fake = real_pool((3, 32, 32), batch, ctx.seed + 1).to(ctx.device)
            steps = {}
            notes = []
            for name, model in zip(("fp32", "tf32", "tf32 + channels_last", "bf16", "tf32 + compile"),
                                   copies(critic, 5)):
                cl = name.endswith("channels_last")
                if cl:
                    model = model.to(memory_format=torch.channels_last)
                if name.endswith("compile"):
                    model = torch.compile(model)
                cfg = TrainConfig(iterations=1, batch_size=batch, penalty="gp", fixed_generator_std=0.1,
                                  precision="bf16" if name == "bf16" else "fp32")
                trainer = Trainer(cfg, model, None, lambda n, g: real[:n], device=ctx.device)
                r = real.contiguous(memory_format=torch.channels_last) if cl else real
                f = fake.contiguous(memory_format=torch.channels_last) if cl else fake

                def step(trainer: Trainer = trainer, r: torch.Tensor = r, f: torch.Tensor = f,
                         tf32: bool = name != "fp32") -> None:
                    _tf32(tf32)
                    trainer.critic_update(r, f)
                try:
                    step()  # torch.compile may refuse the double backward: leave that variant out, say why
                except Exception as err:  # noqa: BLE001 - recorded, the other variants still run
                    notes.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:160]}")
                    continue
                steps[name] = step
            times = compare(steps, repeats=max(ctx.repeats, 10), warmup=3, sync=ctx.sync)
            for variant in ("tf32", "tf32 + channels_last", "bf16", "tf32 + compile"):
                if variant in times:
                    results.append(ratio_result("gpu", case, times, "fp32", variant,
                                                what=f"fp32 / {variant} GP critic step", extra={"batch": batch},
                                                note="; ".join(notes)))
            _tf32(True)
            cfg = TrainConfig(iterations=0, batch_size=batch, penalty="gp", log_every=100)
            data = real_pool((3, 32, 32), 10_000, ctx.seed).to(ctx.device)
            trainer = Trainer(cfg, critic, generator, lambda n, g: data[torch.randint(
                0, len(data), (n,), generator=g, device=data.device)], device=ctx.device)

            def iterations(n: int = 10) -> None:
                trainer.config.iterations += n
                trainer.run()
            t = compare({"loop": iterations}, repeats=5, warmup=1, sync=ctx.sync)["loop"]
            its_per_s = 10 / sorted(t)[len(t) // 2]
            hours = PAPER_ITERATIONS[case] / its_per_s / 3600
            results.append(value_result("gpu", f"{case} paper profile", hours, unit="GPU h",
                                        what=f"{PAPER_ITERATIONS[case]:,} generator iterations at TF32",
                                        extra={"generator_its_per_s": its_per_s, "batch": batch}))
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
    return results
