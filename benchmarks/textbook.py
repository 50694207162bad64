"""A plain textbook WGAN-GP loop, as most public ports write Algorithm 1 (the benchmarks' baseline).

Per critic step: a real batch drawn on the host (NumPy) and copied to the device, three separate
backward passes (``-D(real).mean()``, ``D(fake).mean()``, the penalty), then the optimiser step. The
generator step freezes the critic's parameters, as the ports do. Same models, batch, optimiser and
penalty as gpkit's :class:`gpkit.train.Trainer`; only the bookkeeping differs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn


def eight_gaussians_host(batch: int, rng: random.Random, np_rng: np.random.Generator) -> np.ndarray:
    """The reference's 8-Gaussians batch, built point by point in Python: ``(batch, 2)`` float32."""
    scale = 2.0
    centers = [(scale * math.cos(k * math.pi / 4), scale * math.sin(k * math.pi / 4)) for k in range(8)]
    points = []
    for _ in range(batch):
        point = np_rng.standard_normal(2) * 0.02
        cx, cy = rng.choice(centers)
        point[0] += cx
        point[1] += cy
        points.append(point)
    return (np.array(points, dtype=np.float32) / 1.414)


def epoch_batches(images: np.ndarray, batch: int, np_rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Endless batches of ``images`` (N, ...) walking one shuffled epoch after another, on the host."""
    while True:
        order = np_rng.permutation(len(images))
        for i in range(0, len(images) - batch + 1, batch):
            yield images[order[i:i + batch]]


def penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, lam: float,
            alpha: torch.Tensor | None = None) -> torch.Tensor:
    """``lam * mean((||grad D(x_hat)||_2 - 1)^2)`` at ``alpha real + (1 - alpha) fake``, the ports' way."""
    b = real.shape[0]
    if alpha is None:
        alpha = torch.rand(b, 1, device=real.device)
    alpha = alpha.reshape(b, *([1] * (real.dim() - 1))).expand_as(real)
    interpolates = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
    out = critic(interpolates)
    grads = torch.autograd.grad(outputs=out, inputs=interpolates, grad_outputs=torch.ones_like(out),
                                create_graph=True, retain_graph=True, only_inputs=True)[0]
    return lam * ((grads.reshape(b, -1).norm(2, dim=1) - 1) ** 2).mean()


class TextbookWGANGP:
    """Algorithm 1 written out plainly. ``next_real()`` returns a host (NumPy) batch."""

    def __init__(self, critic: nn.Module, generator: nn.Module, next_real: Callable[[], np.ndarray],
                 sample_shape: tuple[int, ...], *, batch: int, lam: float = 10.0, n_critic: int = 5,
                 lr: float = 1e-4, betas: tuple[float, float] = (0.5, 0.9),
                 device: torch.device | str = "cpu") -> None:
        self.device = torch.device(device)
        self.critic, self.generator = critic.to(self.device), generator.to(self.device)
        self.next_real, self.shape = next_real, sample_shape
        self.batch, self.lam, self.n_critic = batch, lam, n_critic
        self.opt_d = torch.optim.Adam(self.critic.parameters(), lr=lr, betas=betas)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=lr, betas=betas)

    def critic_step(self, real: torch.Tensor | None = None, fake: torch.Tensor | None = None,
                    alpha: torch.Tensor | None = None) -> None:
        """One critic update (three backward passes); ``real``/``fake``/``alpha`` override the draws (tests)."""
        if real is None:
            real = torch.from_numpy(self.next_real()).to(self.device).reshape(self.batch, *self.shape)
        self.critic.zero_grad()
        d_real = self.critic(real).mean()
        d_real.backward(torch.tensor(-1.0, device=self.device))
        if fake is None:
            z = torch.randn(self.batch, self.generator.latent_dim, device=self.device)
            fake = self.generator(z).detach()
        d_fake = self.critic(fake).mean()
        d_fake.backward()
        gp = penalty(self.critic, real, fake, self.lam, alpha)
        gp.backward()
        self.opt_d.step()

    def generator_step(self) -> None:
        for p in self.critic.parameters():
            p.requires_grad = False
        self.generator.zero_grad()
        z = torch.randn(self.batch, self.generator.latent_dim, device=self.device)
        (-self.critic(self.generator(z)).mean()).backward()
        self.opt_g.step()
        for p in self.critic.parameters():
            p.requires_grad = True

    def iteration(self) -> None:
        """One generator iteration: ``n_critic`` critic steps and one generator step."""
        for _ in range(self.n_critic):
            self.critic_step()
        self.generator_step()
