"""Many seeds in one model: Algorithm 1 for S seeds of one small model at once, each seed's numbers those of
training that seed alone (:class:`gpkit.train.Trainer`) to float rounding.

The S critics (and generators) are built one seed at a time, exactly as a one-seed run builds them
(``torch.manual_seed(seed)``, then the factory), and stacked (``torch.func.stack_module_state``): every parameter
gets a leading seed axis. Each step evaluates all S models with ``torch.func.vmap`` over
``torch.func.functional_call``, the penalty's input gradient with one ``autograd.grad`` of the seeds' summed
scores, and one optimiser updates the stacked parameters (Adam and RMSProp are elementwise, so each seed's slice
gets the update its own optimiser would give). Every seed keeps its own random generator (``make_generator(seed)``, the generator a one-seed
:class:`~gpkit.train.Trainer` with ``TrainConfig(seed=seed)`` uses) and draws its real batch, latent codes and
interpolation weights from it in the order the one-seed loop does, so seed s sees the numbers it would see alone.

This is :mod:`gpkit.vectorised`'s idea (many models, one Python step) for any ``torch.nn.Module`` without batch
norm; :class:`gpkit.vectorised.ManifoldGANs` stays the hand-vectorised model of the Many Paths study. Supported:
the WGAN, NS-GAN and least-squares objectives, the gradient penalty (two- and one-sided) or weight clipping, the
fixed-generator mode of Figure 1a, fp32 (bf16 autocast is the one-seed trainer's; here every seed runs in fp32).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from gpkit import objectives as objectives_mod
from gpkit.models.activations import penalty_graph
from gpkit.optim import make_optimizer
from gpkit.params import check_choice, check_int
from gpkit.train import TrainConfig, has_batchnorm
from gpkit.utils import make_generator as seeded_generator

__all__ = ["SeedStack", "SeedResult"]

_PENALTIES = ("none", "gp", "gp_one_sided")


@dataclass
class SeedResult:
    """What :meth:`SeedStack.run` returns: per seed, the loss history (``critic_loss``, ``generator_loss`` per
    logged iteration) and the trained modules (unstacked copies)."""

    seeds: list[int]
    iterations: int
    history: dict[int, list[dict[str, float]]] = field(default_factory=dict)
    critics: dict[int, nn.Module] = field(default_factory=dict)
    generators: dict[int, nn.Module | None] = field(default_factory=dict)


def _stack(modules: Sequence[nn.Module]) -> tuple[nn.Module, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    from torch.func import stack_module_state

    params, buffers = stack_module_state(list(modules))
    params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    base = copy.deepcopy(modules[0]).to("meta")
    return base, params, buffers


class SeedStack:
    """S seeds of one model trained together (see the module docstring).

    ``make_critic()`` / ``make_generator()`` build one seed's networks (called after ``torch.manual_seed(seed)``;
    ``make_generator`` may be None with ``config.fixed_generator_std``); ``real_sampler(n, rng)`` returns ``n``
    real samples drawn with ``rng``; ``config`` is one :class:`~gpkit.train.TrainConfig` whose ``seed`` is
    replaced by each seed's. ``ValueError`` for batch norm (per-seed running statistics are not supported), an
    unsupported penalty or no seeds.
    """

    def __init__(
        self,
        config: TrainConfig,
        make_critic: Callable[[], nn.Module],
        make_generator: Callable[[], nn.Module] | None,
        real_sampler: Callable[[int, torch.Generator], torch.Tensor],
        seeds: Sequence[int],
        device: str | torch.device = "cpu",
    ) -> None:
        self.seeds = [check_int("seeds", s, minimum=0) for s in seeds]
        if not self.seeds:
            raise ValueError("seeds must name at least one seed")
        check_choice("penalty", config.penalty, _PENALTIES)
        check_choice("lr_decay", config.lr_decay, ("none",))
        check_choice("precision", config.precision, ("fp32",))
        self.config, self.device, self.sampler = config, torch.device(device), real_sampler
        if (make_generator is None) == (config.fixed_generator_std is None):
            raise ValueError("pass make_generator, or None together with config.fixed_generator_std")
        critics, generators = [], []
        for s in self.seeds:
            torch.manual_seed(s)
            critics.append(make_critic().to(self.device))
            generators.append(make_generator().to(self.device) if make_generator is not None else None)
        if any(has_batchnorm(m) for m in critics + [g for g in generators if g is not None]):
            raise ValueError("SeedStack needs models without batch norm (per-seed running statistics); "
                             "train batch-norm models one seed at a time with gpkit.train.Trainer")
        self.latent = getattr(generators[0], "latent_dim", None) if generators[0] is not None else None
        self.d_base, self.d_params, self.d_buffers = _stack(critics)
        self.g_base = None
        if generators[0] is not None:
            self.g_base, self.g_params, self.g_buffers = _stack(generators)
        self.objective = objectives_mod.get(config.objective)
        self.opt_d = make_optimizer(config.optimizer, self.d_params.values(), config.lr, config.betas)
        self.opt_g = None
        if self.g_base is not None:
            self.opt_g = make_optimizer(config.optimizer_g or config.optimizer, self.g_params.values(),
                                        config.lr_g or config.lr, config.betas)
        self.rngs = [seeded_generator(s, self.device) for s in self.seeds]
        self.iteration = 0
        self._templates = (critics[0], generators[0])

    # ------------------------------------------------------------------ networks
    def _critic(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        from torch.func import functional_call, vmap

        return vmap(lambda p, b, xs: functional_call(self.d_base, (p, b), (xs,)))(params, self.d_buffers, x)

    def _generator(self, params: dict[str, torch.Tensor], z: torch.Tensor) -> torch.Tensor:
        from torch.func import functional_call, vmap

        return vmap(lambda p, b, zs: functional_call(self.g_base, (p, b), (zs,)))(params, self.g_buffers, z)

    def _input_gradients(self, x: torch.Tensor) -> torch.Tensor:
        """``grad_x D_s(x_s)`` for every seed ``s``, differentiable in the parameters: ``(S, n, ...)``.

        The seeds' critics are independent, so the gradient of the sum of all their scores with respect to the
        stacked input is each seed's own input gradient; taken inside :func:`~gpkit.models.activations.penalty_graph`
        so gpkit's activations skip the double backward's zeros, as the one-seed penalty does.
        """
        x = x.detach().requires_grad_(True)
        with penalty_graph():
            scores = self._critic(self.d_params, x)
            (grads,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
        return grads

    # --------------------------------------------------------------------- steps
    def _fakes(self, real: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        if self.g_base is None:
            noise = torch.stack([torch.randn(real.shape[1:], generator=g, device=self.device, dtype=real.dtype)
                                 for g in self.rngs])
            return real + cfg.fixed_generator_std * noise
        z = torch.stack([torch.randn(real.shape[1], self.latent, generator=g, device=self.device)
                         for g in self.rngs])
        with torch.no_grad():
            return self._generator({k: v.detach() for k, v in self.g_params.items()}, z)

    def critic_step(self) -> torch.Tensor:
        """One critic update of every seed; returns the critic losses ``(S,)`` (detached)."""
        cfg = self.config
        n = cfg.batch_size
        real = torch.stack([self.sampler(n, g) for g in self.rngs]).to(self.device)
        fake = self._fakes(real)
        out = self._critic(self.d_params, torch.cat((real, fake), dim=1))
        d_real, d_fake = out[:, :n], out[:, n:]
        from torch.func import vmap

        losses = vmap(self.objective.critic_loss)(d_real, d_fake)
        if cfg.penalty != "none":
            shape = (n,) + (1,) * (real.dim() - 2)
            alpha = torch.stack([torch.rand(shape, generator=g, device=self.device, dtype=torch.float32)
                                 for g in self.rngs])
            r, f = real.detach().float(), fake.detach().float()
            norms = self._input_gradients(r + alpha * (f - r)).flatten(2).norm(2, dim=2)
            dev = norms - 1.0
            if cfg.penalty == "gp_one_sided":
                dev = dev.clamp(min=0.0)
            losses = losses + cfg.lam * dev.pow(2).mean(dim=1)
        self.opt_d.zero_grad(set_to_none=True)
        losses.sum().backward()  # the seeds' losses are independent: each slice gets its own gradient
        self.opt_d.step()
        if cfg.clip is not None:
            with torch.no_grad():
                for p in self.d_params.values():
                    p.clamp_(-cfg.clip, cfg.clip)
        return losses.detach()

    def generator_step(self) -> torch.Tensor:
        """One generator update of every seed; returns the generator losses ``(S,)`` (detached)."""
        from torch.func import vmap

        n = self.config.gen_batch_size or self.config.batch_size
        z = torch.stack([torch.randn(n, self.latent, generator=g, device=self.device) for g in self.rngs])
        scores = self._critic({k: v.detach() for k, v in self.d_params.items()}, self._generator(self.g_params, z))
        losses = vmap(self.objective.generator_loss)(scores)
        self.opt_g.zero_grad(set_to_none=True)
        losses.sum().backward()
        self.opt_g.step()
        return losses.detach()

    def run(self) -> SeedResult:
        """Train ``config.iterations`` generator iterations; returns a :class:`SeedResult`."""
        cfg = self.config
        history: dict[int, list[dict[str, float]]] = {s: [] for s in self.seeds}
        while self.iteration < cfg.iterations:
            for _ in range(cfg.critic_steps(self.iteration)):
                d_losses = self.critic_step()
            g_losses = self.generator_step() if self.g_base is not None else torch.full_like(d_losses, float("nan"))
            self.iteration += 1
            if self.iteration % cfg.log_every == 0 or self.iteration == cfg.iterations:
                for i, s in enumerate(self.seeds):
                    history[s].append({"iteration": self.iteration, "critic_loss": float(d_losses[i]),
                                       "generator_loss": float(g_losses[i])})
        return SeedResult(list(self.seeds), self.iteration, history, self.critics(), self.generators())

    # ----------------------------------------------------------------- unstack
    def _unstack(self, template: nn.Module, params: dict[str, torch.Tensor], i: int) -> nn.Module:
        module = copy.deepcopy(template)
        module.load_state_dict({k: v[i].detach().clone() for k, v in params.items()}, strict=False)
        return module

    def critics(self) -> dict[int, nn.Module]:
        """Each seed's trained critic, as its own module."""
        return {s: self._unstack(self._templates[0], self.d_params, i) for i, s in enumerate(self.seeds)}

    def generators(self) -> dict[int, nn.Module | None]:
        """Each seed's trained generator (None in the fixed-generator mode)."""
        if self.g_base is None:
            return {s: None for s in self.seeds}
        return {s: self._unstack(self._templates[1], self.g_params, i) for i, s in enumerate(self.seeds)}

