"""What re-running a paper profile costs: counted FLOPs per generator iteration and in total, per experiment.

For every GPU-scale experiment, each of its paper-profile trainings (the experiment's own models and
``TrainConfig``) runs one generator iteration under :func:`gpkit.bench.count_flops` (matrix products and
convolutions by PyTorch's formulas, forward, backward and the penalty's double backward). Every counted
operation is linear in the batch, so on a CPU the iteration runs at a batch of 4 (generator batches scaled
alike) and the count is scaled to the paper's batch exactly; on a GPU it runs at the paper's batch and is
also timed, which turns the count into measured GPU hours. The FLOP totals are machine-independent; divide
by a device's sustained rate (this CPU's is the ``algorithm1`` benchmark's GFLOP per iteration times its
iterations per second) for its hours. Sample scoring (the Inception network every 1,000 iterations) is left
out. Table 2 counts a seeded sample of its 200 random architectures and scales the mean.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from gpkit.bench import BenchContext, BenchResult, count_flops, value_result
from gpkit.experiments import architecture_zoo, cifar_scores, inception_curves, language_model, loss_curves
from gpkit.experiments import many_paths_real, overfitting_curves, random_architectures
from gpkit.experiments.base import wgan_config
from gpkit import methods
from gpkit.models import images, random_arch, text, zoo
from gpkit.train import TrainConfig, Trainer


@dataclass
class _Run:
    """One training of a paper profile: its models, settings, real-data shape, and how many such runs."""

    label: str
    models: Callable[[], tuple[nn.Module, nn.Module]]  # (critic, generator)
    config: TrainConfig
    shape: tuple[int, ...]
    classes: int = 0
    one_hot: bool = False
    count: int = 1


@dataclass
class _Experiment:
    notebook: str
    label: str
    iterations: int
    runs: list[_Run]
    note: str = ""


def _fig3() -> _Experiment:
    p = inception_curves.PROFILES["paper"]
    runs = []
    for name in p["runs"]:
        cfg, d_norm = inception_curves.run_config(name, p, 0)
        runs.append(_Run(name, lambda d_norm=d_norm: (images.cifar_critic(p["dim"], norm=d_norm),
                                                      images.cifar_generator(p["dim"], norm="batch")),
                         cfg, (3, 32, 32)))
    return _Experiment("03", "Figure 3: CIFAR-10 DCGAN, 4 runs", p["iterations"], runs)


def _table3() -> _Experiment:
    p = cifar_scores.PROFILES["paper"]
    runs = []
    for setting in p["settings"]:
        k = 10 if setting == "supervised" else 0
        cfg = TrainConfig(iterations=p["iterations"], batch_size=p["batch_size"],
                          gen_batch_size=p["gen_batch_multiple"] * p["batch_size"], n_critic=p["n_critic"],
                          penalty="gp", lam=p["lam"], lr=p["lr"], betas=tuple(p["betas"]))
        runs.append(_Run(setting, lambda k=k: (images.cifar_resnet_critic(p["dim"], num_classes=k),
                                               images.cifar_resnet_generator(p["dim"], num_classes=k)),
                         cfg, (3, 32, 32), classes=k))
    return _Experiment("04", "Table 3: CIFAR-10 ResNet", p["iterations"], runs)


def _fig4() -> _Experiment:
    p = overfitting_curves.PROFILES["paper"]
    runs = []
    for method in p["methods"]:
        norm = "batch" if method == "clip" else "none"
        cfg = wgan_config(method, p, iterations=p["iterations"], batch_size=p["batch_size"], n_critic=p["n_critic"])
        runs.append(_Run(method, lambda norm=norm: (images.mnist_critic(p["dim"], norm=norm),
                                                    images.mnist_generator(p["dim"], norm=norm)), cfg, (1, 28, 28)))
    return _Experiment("05", "Figure 4: MNIST DCGAN", p["iterations"], runs)


def _fig5() -> _Experiment:
    p = loss_curves.PROFILES["paper"]
    runs = []
    for method in p["methods"]:
        cfg = loss_curves.method_config(method, p)
        runs.append(_Run(method, lambda method=method: loss_curves._models(p, method)[1::-1], cfg,
                         (3, p["size"], p["size"])))
    return _Experiment("06", "Figure 5: LSUN 128x128 ResNet", p["iterations"], runs)


def _table2(sample: int) -> _Experiment:
    p = random_architectures.PROFILES["paper"]
    specs = random_arch.sample_architectures(p["n_architectures"], seed=0)[:sample]
    runs = []
    for objective in random_architectures.OBJECTIVES:
        cfg = random_architectures.objective_config(objective, p["iterations"])
        for i, spec in enumerate(specs):
            runs.append(_Run(f"{objective} {i}", lambda spec=spec, o=objective: random_arch.build(spec, o)[::-1], cfg,
                             (3, 32, 32), count=p["n_architectures"] / len(specs)))
    return _Experiment("07", "Table 2: 200 random architectures x 2 objectives, 32x32", p["iterations"], runs,
                       note=f"mean of {len(specs)} seeded architectures, times 200")


def _fig2() -> _Experiment:
    p = architecture_zoo.PROFILES["paper"]
    runs = []
    for arch in zoo.ARCHITECTURES:
        for method in zoo.METHODS:
            dim = p["resnet_dim"] if arch == "resnet101" else p["dim"]
            runs.append(_Run(f"{arch}/{method}", lambda a=arch, m=method, d=dim: zoo.build(a, m, dim=d, size=64)[::-1],
                             architecture_zoo.method_config(method, p["iterations"]), (3, 64, 64)))
    return _Experiment("08", "Figure 2: 7 architectures x 4 methods, 64x64", p["iterations"], runs)


def _table4() -> _Experiment:
    p = language_model.PROFILES["paper"]
    runs = [_Run(method, lambda: (text.TextCritic(p["vocab_size"], p["seq_len"], p["dim"]),
                                  text.TextGenerator(p["vocab_size"], p["seq_len"], p["dim"])),
                 language_model.train_config(method, p), (p["seq_len"], p["vocab_size"]), one_hot=True)
            for method in p["methods"]]
    return _Experiment("09", "Table 4: character-level language model", p["iterations"], runs)


def _many_paths_real(dataset: str) -> _Experiment:
    """Many Paths Section 5 on ``dataset``: 4 objectives x 27 settings; the learning rates do not change the count,
    so each objective is counted once per latent size and weighted by the 9 learning-rate pairs."""
    p = {**many_paths_real.PROFILES["paper"], "dataset": dataset}
    size = many_paths_real.SIZE[dataset]
    latents = sorted({s[2] for s in many_paths_real.grid(p)})
    pairs = len(p["lrs_d"]) * len(p["lrs_g"])
    runs = []
    for objective in many_paths_real.OBJECTIVES:
        cfg = methods.config(many_paths_real.PRESETS[objective], iterations=p["iterations"], batch_size=p["batch_size"],
                             lam=p["lam"], batchnorm_penalty=True)
        for z in latents:
            runs.append(_Run(f"{objective} z{z}", lambda z=z: many_paths_real.networks(z, p["dim"], 0, size)[::-1],
                             cfg, (3, size, size), count=pairs))
    return _Experiment("13", f"Many Paths Section 5: {dataset}, 4 objectives x 27 settings, {size}x{size}",
                       p["iterations"], runs, note="training only (the independent critic and the metrics left out)")


def _experiments(sample: int) -> list[_Experiment]:
    """The paper profiles, each with the trainings its notebook runs (``sample`` random architectures of Table 2)."""
    return [_fig3(), _table3(), _fig4(), _fig5(), _table2(sample), _fig2(), _table4(),
            *(_many_paths_real(d) for d in many_paths_real.DATASETS)]


def _sampler(run: _Run, device: torch.device) -> Callable[[int, torch.Generator], Any]:
    def sample(n: int, g: torch.Generator) -> Any:
        if run.one_hot:
            idx = torch.randint(0, run.shape[-1], (n, run.shape[0]), generator=g, device=device)
            return nn.functional.one_hot(idx, run.shape[-1]).float()
        x = torch.rand((n, *run.shape), generator=g, device=device) * 2 - 1
        if run.classes:
            return x, torch.randint(0, run.classes, (n,), generator=g, device=device)
        return x
    return sample


def _iteration(run: _Run, batch: int, ctx: BenchContext, timed: bool) -> tuple[float, float]:
    """(FLOPs, seconds) of one generator iteration of ``run`` at critic batch ``batch``; the seconds (of a second
    iteration, after the counted one) only when ``timed``, else 0."""
    cfg = run.config
    gen_batch = None if cfg.gen_batch_size is None else cfg.gen_batch_size * batch // cfg.batch_size
    cfg = dataclasses.replace(cfg, iterations=1, batch_size=batch, gen_batch_size=gen_batch, checkpoint_every=0,
                              log_every=1, lr_decay="none")
    torch.manual_seed(ctx.seed)
    critic, generator = run.models()
    trainer = Trainer(cfg, critic, generator, _sampler(run, ctx.device), device=ctx.device)
    flops = count_flops(trainer.run)
    if not timed:
        return float(flops), 0.0
    trainer.config.iterations += 1
    ctx.sync()
    t0 = time.perf_counter()
    trainer.run()
    ctx.sync()
    return float(flops), time.perf_counter() - t0


def bench_cost(ctx: BenchContext) -> list[BenchResult]:
    gpu = ctx.device.type == "cuda"
    small = ctx.pick(4, 2)
    results = []
    for exp in _experiments(sample=ctx.pick(10, 1)):
        if ctx.smoke and exp.notebook != "05":
            continue  # the smoke check: the MNIST model's first run at batch 2
        per_it, seconds, parts = 0.0, 0.0, {}
        for run in (exp.runs[:1] if ctx.smoke else exp.runs):
            batch = run.config.batch_size if gpu else small
            flops, secs = _iteration(run, batch, ctx, timed=gpu)
            scale = run.config.batch_size / batch
            per_it += run.count * flops * scale
            seconds += run.count * secs
            parts[run.label] = flops * scale / 1e9
        total = per_it * exp.iterations
        extra: dict[str, Any] = {"gflop_per_iteration": per_it / 1e9, "iterations": exp.iterations,
                                 "runs": sum(r.count for r in exp.runs), "gflop_per_run_iteration": parts}
        if gpu:
            extra["measured_hours"] = seconds * exp.iterations / 3600
            extra["tflop_per_s"] = per_it / seconds / 1e12
        results.append(value_result(
            "cost", f"{exp.notebook} {exp.label}", total / 1e15, unit="PFLOP",
            what="FLOPs of the paper profile's training", extra=extra,
            note=(exp.note + "; " if exp.note else "") + (f"{extra['measured_hours']:.0f} GPU hours at the measured "
                                                          "rate" if gpu else "counted, not timed")))
    return results
