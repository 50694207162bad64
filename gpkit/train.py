"""Algorithm 1 of the WGAN-GP paper as one training loop for every experiment.

One *generator iteration* is ``n_critic`` critic steps, each on a fresh real batch
and fresh fakes, followed by one generator step (skipped in fixed-generator mode,
where fakes are the real batch plus Gaussian noise, as in Figure 1a). The same loop
runs WGAN with clipping, WGAN-GP, the standard GAN objectives and LSGAN:

>>> cfg = TrainConfig(iterations=1000, batch_size=256, penalty="gp", lr=1e-4)
>>> result = train(cfg, critic, generator, sampler, out_dir="runs/x")  # doctest: +SKIP

Outputs in ``out_dir`` (all optional): ``metrics.csv`` (one row per logged
iteration), ``checkpoint.pt`` (models, optimizers, RNG, callback states; written
atomically every ``checkpoint_every`` iterations and at the end). A run started
again with the same ``out_dir`` resumes from the checkpoint and ends with the
same numbers as an uninterrupted run (same seed, CPU). A non-finite loss stops
the run with :class:`NonFiniteLossError` and leaves the last good checkpoint.

All randomness of the loop (real batches, latent codes, noise, interpolation
weights) comes from one ``torch.Generator`` seeded with ``config.seed``, whose
state is checkpointed. Model initialisation is the caller's (seed it first).
"""

from __future__ import annotations

import csv
import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn
from tqdm import tqdm  # text bars: widget bars leave "model not found" errors in a reopened notebook

from gpkit import objectives as objectives_mod
from gpkit import precision as precision_mod
from gpkit.optim import OPTIMIZERS, make_optimizer
from gpkit.params import check_choice, check_int, check_positive, check_range
from gpkit.penalties import PENALTIES as _PENALTY_FNS
from gpkit.penalties import clip_weights_
from gpkit.utils import atomic_torch_save, make_generator

__all__ = [
    "PENALTIES",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "Callback",
    "every",
    "train",
    "load_checkpoint",
    "NonFiniteLossError",
    "has_batchnorm",
]

#: Penalty names (:data:`gpkit.penalties.PENALTIES` holds the functions).
PENALTIES = tuple(_PENALTY_FNS)
LR_DECAYS = ("none", "linear")
#: ``constant``: ``n_critic`` critic steps every generator iteration (WGAN-GP's Algorithm 1). ``wgan``: the WGAN
#: paper's code (martinarjovsky/WassersteinGAN ``main.py``, lines 176-179): 100 critic steps for the first 25
#: generator iterations and every 500th, ``n_critic`` otherwise.
CRITIC_SCHEDULES = ("constant", "wgan")
WGAN_SCHEDULE = {"steps": 100, "first": 25, "every": 500}
METRIC_COLUMNS = ("iteration", "critic_loss", "critic_objective", "penalty", "generator_loss", "seconds")
CHECKPOINT = "checkpoint.pt"
METRICS = "metrics.csv"
# Fields that may change between a run and its resumption.
_RESUMABLE_FIELDS = {"iterations", "log_every", "checkpoint_every"}


class NonFiniteLossError(RuntimeError):
    """A loss became NaN or infinite; the run stopped and the last good checkpoint was kept."""


@dataclass
class TrainConfig:
    """Settings of one training run (validated on construction; ``ValueError`` names the field).

    iterations: generator iterations (the outer loop of Algorithm 1).
    batch_size: critic batch (real and fake each). gen_batch_size: generator batch
    (default: batch_size; Table 3 uses twice the critic batch).
    n_critic: critic steps per generator iteration. critic_schedule: ``constant`` (always ``n_critic``) or
    ``wgan`` (the WGAN paper's code: 100 steps for the first 25 generator iterations and every 500th), see
    :meth:`critic_steps`.
    objective: ``wgan``, ``ns_gan``, ``minimax_gan``, ``lsgan``.
    penalty: ``none``, ``gp``, ``gp_one_sided``, ``dragan``, ``lp`` (WGAN-LP: one-sided, at real and fake
    points perturbed DRAGAN-style, see :func:`gpkit.penalties.lp_penalty`); lam its coefficient.
    clip: weight-clipping bound ``c`` applied after every critic step, or None.
    optimizer / lr / betas: critic optimizer (``adam``, ``rmsprop_tf``, ``rmsprop``);
    optimizer_g / lr_g default to the critic's.
    lr_decay: ``none`` or ``linear`` (to 0 at generator iteration ``decay_iterations``, default the run's
    ``iterations``; Table 3's reference decays over 100,000 whatever a shorter run trains).
    fixed_generator_std: if set, no generator is trained and fakes are
    ``real + std * N(0, I)`` on the same real batch (Figure 1a).
    log_every: iterations between metric rows (and NaN checks).
    checkpoint_every: iterations between checkpoints (0: only at the end).
    seed: seeds the loop's random generator.
    acgan_scale / acgan_scale_g: with a class-conditional generator, the weights of the AC-GAN
    cross-entropy on real images in the critic loss and on fakes in the generator loss (Table 3: 1.0, 0.1).
    batchnorm_penalty: allow a penalty with a batch-norm critic (refused by default: the penalty is per sample and
    batch norm couples the samples). Many Paths' real-data study (Section 5) uses batch norm in every discriminator,
    penalised or not; its gradients then see the batch statistics, as in the authors' TensorFlow.
    precision: ``fp32``, ``bf16`` (forward passes and the penalty's double backward under bfloat16 autocast;
    parameters, optimiser states, losses and gradient norms in float32) or ``auto`` (``bf16`` where the device
    multiplies bf16 natively); see :mod:`gpkit.precision`.
    """

    iterations: int
    batch_size: int = 64
    n_critic: int = 5
    objective: str = "wgan"
    penalty: str = "gp"
    lam: float = 10.0
    clip: float | None = None
    optimizer: str = "adam"
    lr: float = 1e-4
    betas: tuple[float, float] = (0.5, 0.9)
    optimizer_g: str | None = None
    lr_g: float | None = None
    gen_batch_size: int | None = None
    lr_decay: str = "none"
    decay_iterations: int | None = None
    critic_schedule: str = "constant"
    fixed_generator_std: float | None = None
    log_every: int = 1
    checkpoint_every: int = 0
    seed: int = 0
    acgan_scale: float = 1.0
    acgan_scale_g: float = 0.1
    precision: str = "fp32"
    batchnorm_penalty: bool = False

    def __post_init__(self) -> None:
        self.iterations = check_int("iterations", self.iterations, minimum=0)
        self.batch_size = check_int("batch_size", self.batch_size, minimum=1)
        self.n_critic = check_int("n_critic", self.n_critic, minimum=1)
        check_choice("objective", self.objective, objectives_mod.OBJECTIVES)
        check_choice("penalty", self.penalty, PENALTIES)
        self.lam = check_positive("lam", self.lam, allow_zero=True)
        if self.clip is not None:
            self.clip = check_positive("clip", self.clip)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        self.lr = check_positive("lr", self.lr)
        if not (isinstance(self.betas, (tuple, list)) and len(self.betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        self.betas = (check_range("betas[0]", self.betas[0], 0.0, 0.999999),
                      check_range("betas[1]", self.betas[1], 0.0, 0.999999))
        if self.optimizer_g is not None:
            check_choice("optimizer_g", self.optimizer_g, OPTIMIZERS)
        if self.lr_g is not None:
            self.lr_g = check_positive("lr_g", self.lr_g)
        if self.gen_batch_size is not None:
            self.gen_batch_size = check_int("gen_batch_size", self.gen_batch_size, minimum=1)
        check_choice("lr_decay", self.lr_decay, LR_DECAYS)
        if self.decay_iterations is not None:
            self.decay_iterations = check_int("decay_iterations", self.decay_iterations, minimum=1)
        check_choice("critic_schedule", self.critic_schedule, CRITIC_SCHEDULES)
        if self.fixed_generator_std is not None:
            self.fixed_generator_std = check_positive("fixed_generator_std", self.fixed_generator_std, allow_zero=True)
        self.log_every = check_int("log_every", self.log_every, minimum=1)
        self.checkpoint_every = check_int("checkpoint_every", self.checkpoint_every, minimum=0)
        self.seed = check_int("seed", self.seed)
        self.acgan_scale = check_positive("acgan_scale", self.acgan_scale, allow_zero=True)
        self.acgan_scale_g = check_positive("acgan_scale_g", self.acgan_scale_g, allow_zero=True)
        check_choice("precision", self.precision, precision_mod.PRECISIONS)
        if not isinstance(self.batchnorm_penalty, bool):
            raise ValueError(f"batchnorm_penalty must be True or False, got {self.batchnorm_penalty!r}")

    def critic_steps(self, iteration: int) -> int:
        """Critic steps before generator iteration ``iteration`` (0-based), per ``critic_schedule``."""
        if self.critic_schedule == "wgan" and (iteration < WGAN_SCHEDULE["first"]
                                               or iteration % WGAN_SCHEDULE["every"] == 0):
            return WGAN_SCHEDULE["steps"]
        return self.n_critic

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields (JSON and ``weights_only`` checkpoint friendly)."""
        d = dataclasses.asdict(self)
        d["betas"] = list(d["betas"])
        return d


class Callback(Protocol):
    """A probe called during training.

    ``every``: call after every ``every``-th generator iteration (and at iteration 0
    of a fresh run); 0 calls it only at the end. ``state_dict``/``load_state_dict``
    (optional) let a probe's records survive a resume.
    """

    every: int

    def __call__(self, trainer: "Trainer", iteration: int) -> None: ...


@dataclass
class _FnCallback:
    every: int
    fn: Callable[["Trainer", int], None]

    def __call__(self, trainer: "Trainer", iteration: int) -> None:
        self.fn(trainer, iteration)


def every(n: int, fn: Callable[["Trainer", int], None]) -> Callback:
    """Wrap ``fn(trainer, iteration)`` as a callback run every ``n`` generator iterations."""
    return _FnCallback(check_int("every", n, minimum=0), fn)


@dataclass
class TrainResult:
    """What a run produced: metric rows, iterations completed, training seconds."""

    history: list[dict[str, float]]
    iterations: int
    seconds: float
    resumed_from: int | None = None
    out_dir: Path | None = None

    def column(self, name: str) -> list[float]:
        """One metric column as a list (``iteration``, ``critic_loss``, ...)."""
        return [row[name] for row in self.history]


def has_batchnorm(module: nn.Module) -> bool:
    """Whether ``module`` contains a batch-norm layer (which couples the samples of a batch)."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())


Sampler = Callable[[int, torch.Generator], Any]


class _ScoreOnly(nn.Module):
    """The score head of a critic that returns ``(scores, class_logits)`` (for the penalties)."""

    def __init__(self, critic: nn.Module) -> None:
        super().__init__()
        self.critic = critic

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.critic(x)[0]


class Trainer:
    """Runs :class:`TrainConfig` on a critic, an optional generator and a real-data sampler.

    ``real_sampler(n, generator)`` returns ``n`` real samples on ``device``.
    ``generator`` is an ``nn.Module`` mapping ``(B, generator.latent_dim)`` noise to
    samples, or None in fixed-generator mode (``config.fixed_generator_std`` set).

    Class-conditional mode (a generator with ``num_classes`` > 0, as Table 3's AC-GAN model): the
    sampler returns ``(images, labels)``, the generator is called as ``generator(z, labels)`` and the
    critic returns ``(scores, class_logits)``. As in the reference, the critic's fakes take the real
    batch's labels and its AC-GAN loss is on the real images; the generator's fakes take uniform labels.
    """

    def __init__(
        self,
        config: TrainConfig,
        critic: nn.Module,
        generator: nn.Module | None,
        real_sampler: Sampler,
        *,
        device: str | torch.device = "cpu",
        out_dir: str | Path | None = None,
        callbacks: Sequence[Callback] = (),
        progress: bool = False,
        resume: bool = True,
        desc: str | None = None,
    ) -> None:
        self.config = config
        self.device = torch.device(device)
        self.critic = critic.to(self.device)
        self.generator = generator.to(self.device) if generator is not None else None
        self.real_sampler = real_sampler
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.callbacks = list(callbacks)
        self.progress = progress
        self.resume = resume
        self.desc = desc
        self.objective = objectives_mod.get(config.objective)
        if (self.generator is None) == (config.fixed_generator_std is None):
            raise ValueError(
                "generator: pass a generator module, or None together with fixed_generator_std "
                f"(got generator={'None' if generator is None else type(generator).__name__}, "
                f"fixed_generator_std={config.fixed_generator_std})"
            )
        if self.generator is not None and not hasattr(self.generator, "latent_dim"):
            raise ValueError("generator must have an integer attribute 'latent_dim'")
        self.num_classes = int(getattr(self.generator, "num_classes", 0) or 0)
        self._score = _ScoreOnly(self.critic) if self.num_classes else self.critic
        self._critic_bn = has_batchnorm(self.critic)
        if self._critic_bn and config.penalty != "none" and not config.batchnorm_penalty:
            raise ValueError(
                f"penalty={config.penalty!r} with a batch-norm critic: the gradient penalty is per sample and batch "
                "norm couples the samples; use layer norm or no normalisation in the critic (or, to follow a paper "
                "that did it anyway, as Many Paths Section 5 does, batchnorm_penalty=True)"
            )
        self.rng = make_generator(config.seed, self.device)
        self._penalty = _PENALTY_FNS[config.penalty]
        #: ``fp32`` or ``bf16``: the configured precision with ``auto`` resolved for this device.
        self.precision = precision_mod.resolve(config.precision, self.device)
        self.opt_d = make_optimizer(config.optimizer, self.critic.parameters(), config.lr, config.betas)
        self.opt_g = None
        if self.generator is not None:
            self.opt_g = make_optimizer(
                config.optimizer_g or config.optimizer,
                self.generator.parameters(),
                config.lr_g or config.lr,
                config.betas,
            )
        self.iteration = 0
        self.seconds = 0.0
        self.history: list[dict[str, float]] = []
        self._pending: list[tuple[int, torch.Tensor, float]] = []
        self._last_checkpoint: int | None = None

    # ----------------------------------------------------------------- state
    def _checkpoint_path(self) -> Path | None:
        return self.out_dir / CHECKPOINT if self.out_dir is not None else None

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "iteration": self.iteration,
            "seconds": self.seconds,
            "config": self.config.to_dict(),
            "critic": self.critic.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": self.rng.get_state(),
            "callbacks": [cb.state_dict() if hasattr(cb, "state_dict") else None for cb in self.callbacks],
        }
        if self.generator is not None:
            state["generator"] = self.generator.state_dict()
            state["opt_g"] = self.opt_g.state_dict()
        return state

    def _load_state(self, state: dict[str, Any]) -> None:
        defaults = {f.name: f.default for f in dataclasses.fields(TrainConfig) if f.default is not dataclasses.MISSING}
        # a checkpoint written before a field existed has that field's default (e.g. precision fp32)
        saved = {k: v for k, v in {**defaults, **state["config"]}.items() if k not in _RESUMABLE_FIELDS}
        saved["betas"] = list(saved["betas"])
        now = {k: v for k, v in self.config.to_dict().items() if k not in _RESUMABLE_FIELDS}
        if saved != now:
            diff = {k: (saved.get(k), now.get(k)) for k in set(saved) | set(now) if saved.get(k) != now.get(k)}
            raise ValueError(
                f"out_dir {self.out_dir} holds a checkpoint of a different configuration "
                f"(field: (checkpoint, now) = {diff}); use another out_dir or resume=False"
            )
        self.critic.load_state_dict(state["critic"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.generator is not None:
            self.generator.load_state_dict(state["generator"])
            self.opt_g.load_state_dict(state["opt_g"])
        self.rng.set_state(state["rng"].cpu())
        for cb, cb_state in zip(self.callbacks, state.get("callbacks", [])):
            if cb_state is not None and hasattr(cb, "load_state_dict"):
                cb.load_state_dict(cb_state)
        self.iteration = int(state["iteration"])
        self.seconds = float(state["seconds"])
        self._last_checkpoint = self.iteration

    def save_checkpoint(self) -> Path | None:
        """Write ``checkpoint.pt`` atomically (after checking the pending losses are finite)."""
        path = self._checkpoint_path()
        if path is None:
            return None
        self._flush()
        atomic_torch_save(self.state_dict(), path)
        self._last_checkpoint = self.iteration
        return path

    def _restore(self) -> int | None:
        path = self._checkpoint_path()
        if path is None:
            return None
        if not self.resume:
            path.unlink(missing_ok=True)
            (self.out_dir / METRICS).unlink(missing_ok=True)
            return None
        if not path.is_file():
            (self.out_dir / METRICS).unlink(missing_ok=True)
            return None
        self._load_state(torch.load(path, map_location=self.device, weights_only=True))
        self.history = [r for r in _read_metrics(self.out_dir / METRICS) if r["iteration"] <= self.iteration]
        _write_metrics(self.out_dir / METRICS, self.history)
        return self.iteration

    # -------------------------------------------------------------- logging
    def _record(self, values: torch.Tensor) -> None:
        self._pending.append((self.iteration, values.detach(), self.seconds))

    def _flush(self) -> None:
        if not self._pending:
            return
        its = [p[0] for p in self._pending]
        secs = [p[2] for p in self._pending]
        vals = torch.stack([p[1] for p in self._pending]).cpu()
        self._pending.clear()
        checked = vals[:, :4] if self.generator is not None else vals[:, :3]  # no G loss without a generator
        finite = torch.isfinite(checked).all(dim=1)
        rows = []
        for it, sec, v in zip(its, secs, vals.tolist()):
            rows.append(dict(zip(METRIC_COLUMNS, [it, *v, sec])))
        if not bool(finite.all()):
            bad = int(torch.nonzero(~finite)[0, 0])
            kept = (
                f"the last good checkpoint (iteration {self._last_checkpoint}) is kept in {self._checkpoint_path()}"
                if self._last_checkpoint is not None
                else "no checkpoint had been written"
            )
            names = [c for c, x in zip(METRIC_COLUMNS[1:], checked[bad].tolist()) if not math.isfinite(x)]
            raise NonFiniteLossError(
                f"{', '.join(names)} became non-finite at generator iteration {its[bad]} "
                f"(objective={self.config.objective}, penalty={self.config.penalty}, lr={self.config.lr}); "
                f"training stopped and {kept}. Lower the learning rate or check the data."
            )
        self.history.extend(rows)
        if self.out_dir is not None:
            _append_metrics(self.out_dir / METRICS, rows)

    # --------------------------------------------------------------- steps
    def _fakes(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.generator is None:
            noise = torch.randn(real.shape, generator=self.rng, device=self.device, dtype=real.dtype)
            return real + self.config.fixed_generator_std * noise
        z = torch.randn(real.shape[0], self.generator.latent_dim, generator=self.rng, device=self.device)
        with torch.no_grad(), self._autocast():
            fake = self.generator(z, labels) if self.num_classes else self.generator(z)
        return fake.float()

    def _autocast(self):
        """The precision's autocast context (a no-op for fp32)."""
        return precision_mod.autocast(self.precision, self.device)

    def _sample_real(self, n: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        batch = self.real_sampler(n, self.rng)
        if not self.num_classes:
            return batch, None
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise ValueError("a class-conditional generator needs a real_sampler that returns (images, labels)")
        return batch[0], batch[1]

    def critic_losses(
        self, real: torch.Tensor, fake: torch.Tensor, rng: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(loss, objective, penalty)`` of the critic on one batch: the loss a critic step minimises.

        ``rng`` draws the penalty's interpolation weights (default: the loop's generator);
        probes pass their own so that measuring does not change the training run.
        ``labels``: the real batch's classes in conditional mode; the loss then adds
        ``acgan_scale`` times the AC-GAN cross-entropy on the real images.
        """
        cfg = self.config
        rng = self.rng if rng is None else rng
        with self._autocast():
            if self._critic_bn:  # separate passes keep real and fake batch statistics apart, as the reference
                d_real, d_fake = self._score(real), self._score(fake)
                logits = self.critic(real)[1] if self.num_classes and labels is not None else None
            else:
                out = self.critic(torch.cat((real, fake)))
                out, logits = out if self.num_classes else (out, None)
                d_real, d_fake = out[: real.shape[0]], out[real.shape[0]:]
            pen = self._penalty(self._score, real, fake, cfg.lam, rng)
        if self.precision != "fp32":  # losses are reduced in float32
            d_real, d_fake = d_real.float(), d_fake.float()
            logits = logits.float() if logits is not None else None
        objective = self.objective.critic_loss(d_real, d_fake)
        loss = objective + pen
        if self.num_classes and labels is not None and cfg.acgan_scale:
            loss = loss + cfg.acgan_scale * nn.functional.cross_entropy(logits[: real.shape[0]], labels)
        return loss, objective, pen

    def critic_update(
        self, real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One optimiser step of the critic on a given batch (``real``, ``fake``: ``(B, ...)``), then clipping
        if configured; returns ``[critic_loss, critic_objective, penalty]`` (detached)."""
        loss, objective, pen = self.critic_losses(real, fake, labels=labels)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        if self.config.clip is not None:
            clip_weights_(self.critic, self.config.clip)
        return torch.stack((loss.detach(), objective.detach(), pen.detach()))

    def critic_step(self) -> torch.Tensor:
        """One critic update on a fresh real batch and fresh fakes; returns ``[critic_loss, critic_objective,
        penalty]`` (detached)."""
        real, labels = self._sample_real(self.config.batch_size)
        return self.critic_update(real, self._fakes(real, labels), labels)

    def generator_step(self) -> torch.Tensor:
        """One generator update; returns the generator loss (detached)."""
        n = self.config.gen_batch_size or self.config.batch_size
        z = torch.randn(n, self.generator.latent_dim, generator=self.rng, device=self.device)
        self.critic.requires_grad_(False)
        try:
            if self.num_classes:
                y = torch.randint(0, self.num_classes, (n,), generator=self.rng, device=self.device)
                with self._autocast():
                    score, logits = self.critic(self.generator(z, y))
                loss = self.objective.generator_loss(score.float())
                if self.config.acgan_scale_g:
                    loss = loss + self.config.acgan_scale_g * nn.functional.cross_entropy(logits.float(), y)
            else:
                with self._autocast():
                    score = self.critic(self.generator(z))
                loss = self.objective.generator_loss(score.float())
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_g.step()
        finally:
            self.critic.requires_grad_(True)
        return loss.detach()

    def _set_lr(self) -> None:
        if self.config.lr_decay != "linear":
            return
        horizon = self.config.decay_iterations or self.config.iterations
        frac = max(0.0, 1.0 - self.iteration / max(horizon, 1))  # gan_cifar_resnet.py L282
        for opt, base in ((self.opt_d, self.config.lr), (self.opt_g, self.config.lr_g or self.config.lr)):
            if opt is not None:
                for group in opt.param_groups:
                    group["lr"] = base * frac

    def _call_callbacks(self, final: bool) -> None:
        for cb in self.callbacks:
            n = getattr(cb, "every", 0)
            if (n and self.iteration % n == 0) or (final and (not n or self.iteration % n != 0)):
                cb(self, self.iteration)

    # ----------------------------------------------------------------- run
    def run(self) -> TrainResult:
        """Train up to ``config.iterations`` generator iterations (resuming if a checkpoint exists)."""
        cfg = self.config
        resumed = self._restore()
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        if resumed is None:
            self._call_callbacks(final=False)
        self.critic.train()
        if self.generator is not None:
            self.generator.train()
        bar = tqdm(
            total=cfg.iterations, initial=self.iteration, disable=not self.progress, desc=self.desc,
            leave=False, dynamic_ncols=True,
        )
        try:
            while self.iteration < cfg.iterations:
                t0 = time.perf_counter()
                self._set_lr()
                for _ in range(cfg.critic_steps(self.iteration)):
                    d_vals = self.critic_step()
                if self.generator is not None:
                    g_loss = self.generator_step()
                else:
                    g_loss = torch.full((), float("nan"), device=self.device)
                self.iteration += 1
                self.seconds += time.perf_counter() - t0
                if self.iteration % cfg.log_every == 0 or self.iteration == cfg.iterations:
                    self._record(torch.cat((d_vals, g_loss.reshape(1))))
                    self._flush()
                    if self.history:
                        bar.set_postfix(critic_loss=f"{self.history[-1]['critic_loss']:.4g}", refresh=False)
                self._call_callbacks(final=self.iteration == cfg.iterations)
                if cfg.checkpoint_every and self.iteration % cfg.checkpoint_every == 0:
                    self.save_checkpoint()
                bar.update(1)
            self._flush()
            if self._last_checkpoint != self.iteration:
                self.save_checkpoint()
        finally:
            bar.close()
        return TrainResult(list(self.history), self.iteration, self.seconds, resumed, self.out_dir)


def train(
    config: TrainConfig,
    critic: nn.Module,
    generator: nn.Module | None,
    real_sampler: Sampler,
    **kwargs: Any,
) -> TrainResult:
    """Build a :class:`Trainer` and run it (keyword arguments as for :class:`Trainer`)."""
    return Trainer(config, critic, generator, real_sampler, **kwargs).run()


def load_checkpoint(
    out_dir: str | Path, critic: nn.Module | None = None, generator: nn.Module | None = None
) -> dict[str, Any]:
    """Load ``out_dir/checkpoint.pt`` (``weights_only=True``) into the given modules; return the state."""
    path = Path(out_dir) / CHECKPOINT
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if critic is not None:
        critic.load_state_dict(state["critic"])
    if generator is not None:
        generator.load_state_dict(state["generator"])
    return state


def _read_metrics(path: Path) -> list[dict[str, float]]:
    if not path.is_file():
        return []
    with path.open(newline="") as fh:
        rows = []
        for row in csv.DictReader(fh):
            rows.append({k: (int(v) if k == "iteration" else float(v)) for k, v in row.items()})
        return rows


def _write_metrics(path: Path, rows: list[dict[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=METRIC_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _append_metrics(path: Path, rows: list[dict[str, float]]) -> None:
    new = not path.is_file()
    with path.open("a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=METRIC_COLUMNS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
