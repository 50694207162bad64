"""GAN objectives as pairs of pure functions on critic outputs.

Each objective has ``critic_loss(real_out, fake_out)`` and ``generator_loss(fake_out)``
returning scalar tensors to *minimise*. Critic outputs have shape ``(B,)`` or
``(B, 1)``; the cross-entropy objectives take logits (no sigmoid in the model).

======================  =============================================  ==========================
name                    critic loss                                    generator loss
======================  =============================================  ==========================
``wgan``                ``mean D(f) - mean D(r)``                      ``-mean D(f)``
``ns_gan``              ``[CE(D(r), 1) + CE(D(f), 0)] / 2``            ``CE(D(f), 1)``
``minimax_gan``         as ``ns_gan``                                  ``-CE(D(f), 0)`` = ``mean log(1 - sigmoid D(f))``
``lsgan``               ``[mean (D(r)-1)^2 + mean D(f)^2] / 2``        ``mean (D(f)-1)^2``
======================  =============================================  ==========================

The cross-entropy critic loss is halved as in the reference DCGAN scripts; with
Adam this only rescales the loss curve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gpkit.params import check_choice

__all__ = ["Objective", "OBJECTIVES", "get"]


@dataclass(frozen=True)
class Objective:
    """A GAN objective: two loss functions and whether the critic outputs logits."""

    name: str
    critic_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    generator_loss: Callable[[torch.Tensor], torch.Tensor]
    takes_logits: bool
    description: str


def _wgan_critic(real_out: torch.Tensor, fake_out: torch.Tensor) -> torch.Tensor:
    return fake_out.mean() - real_out.mean()


def _wgan_generator(fake_out: torch.Tensor) -> torch.Tensor:
    return -fake_out.mean()


def _ce_critic(real_out: torch.Tensor, fake_out: torch.Tensor) -> torch.Tensor:
    # CE(logit, 1) = softplus(-logit); CE(logit, 0) = softplus(logit)
    return 0.5 * (F.softplus(-real_out).mean() + F.softplus(fake_out).mean())


def _ns_generator(fake_out: torch.Tensor) -> torch.Tensor:
    return F.softplus(-fake_out).mean()


def _minimax_generator(fake_out: torch.Tensor) -> torch.Tensor:
    return -F.softplus(fake_out).mean()


def _ls_critic(real_out: torch.Tensor, fake_out: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((real_out - 1.0).pow(2).mean() + fake_out.pow(2).mean())


def _ls_generator(fake_out: torch.Tensor) -> torch.Tensor:
    return (fake_out - 1.0).pow(2).mean()


OBJECTIVES: dict[str, Objective] = {
    "wgan": Objective("wgan", _wgan_critic, _wgan_generator, False, "Wasserstein (critic, no sigmoid)"),
    "ns_gan": Objective("ns_gan", _ce_critic, _ns_generator, True, "non-saturating GAN (cross-entropy on logits)"),
    "minimax_gan": Objective("minimax_gan", _ce_critic, _minimax_generator, True, "minimax GAN (saturating G loss)"),
    "lsgan": Objective("lsgan", _ls_critic, _ls_generator, False, "least-squares GAN (0/1 targets)"),
}


def get(name: str) -> Objective:
    """The objective called ``name``: one of ``wgan``, ``ns_gan``, ``minimax_gan``, ``lsgan``."""
    check_choice("objective", name, OBJECTIVES)
    return OBJECTIVES[name]
