"""Lipschitz constraints for critics: gradient penalties and weight clipping.

Conventions of the WGAN-GP reference code (see ``PAPER_SPEC.md``):

- one interpolation weight ``alpha ~ U[0, 1]`` *per sample* (shape ``(B, 1, ..., 1)``),
  ``x_hat = real + alpha * (fake - real)``;
- the gradient norm is taken over *all non-batch dimensions* (pixels and channels of
  an image, sequence and vocabulary of a one-hot text);
- ``lam * mean((||grad|| - 1)^2)`` with ``create_graph=True`` so the penalty is
  differentiable with respect to the critic's parameters;
- weight clipping clips *every* critic parameter, biases and norm gains included.

Besides the two-sided and one-sided penalties at interpolates (WGAN-GP), the module has
DRAGAN's penalty near the data and WGAN-LP's sampling (Petzka, Fischer and Lukovnicov 2017,
"On the regularization of Wasserstein GANs", as summarised in the "From GAN to WGAN"
slides): a one-sided penalty at real *and* fake points perturbed DRAGAN-style.

Penalties are computed in float32 even under autocast.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

import torch
from torch import nn

from gpkit.models.activations import penalty_graph
from gpkit.params import check_choice, check_positive

__all__ = [
    "PENALTIES",
    "penalty",
    "interpolate",
    "gradient_norms",
    "gradient_penalty",
    "dragan_perturb",
    "dragan_penalty",
    "lp_points",
    "lp_penalty",
    "clip_weights_",
]

Critic = Callable[[torch.Tensor], torch.Tensor]


def _alpha(batch: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    shape = (batch.shape[0],) + (1,) * (batch.dim() - 1)
    return torch.rand(shape, generator=generator, device=batch.device, dtype=torch.float32)


def interpolate(
    real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Points ``real + alpha (fake - real)`` with one ``alpha ~ U[0,1]`` per sample; shape of ``real``."""
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}")
    real, fake = real.detach().float(), fake.detach().float()
    return real + _alpha(real, generator) * (fake - real)


def gradient_norms(critic: Critic, x: torch.Tensor, create_graph: bool = False) -> torch.Tensor:
    """``||grad_x D(x)||_2`` per sample, over all non-batch dimensions; shape ``(B,)``, float32.

    With ``create_graph=True`` the norms stay differentiable with respect to the
    critic's parameters (double backward); gpkit's ReLU/LeakyReLU then leave their zero
    second derivative out of the graph (:mod:`gpkit.models.activations`: same numbers, less work).
    The critic runs in the caller's precision (under a bfloat16 autocast, the forward pass and the double
    backward run in bf16); ``x``, its gradient and the norm are float32.
    """
    x = x.detach().float().requires_grad_(True)
    with penalty_graph() if create_graph else nullcontext():
        out = critic(x)
        (grad,) = torch.autograd.grad(out.float().sum(), x, create_graph=create_graph)
    return grad.float().flatten(1).norm(2, dim=1)


def _penalty_from_norms(norms: torch.Tensor, lam: float, target: float, one_sided: bool) -> torch.Tensor:
    dev = norms - target
    if one_sided:
        dev = dev.clamp(min=0.0)
    return lam * dev.pow(2).mean()


def gradient_penalty(
    critic: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    lam: float = 10.0,
    one_sided: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """WGAN-GP penalty ``lam * mean((||grad D(x_hat)|| - 1)^2)`` at per-sample interpolates.

    ``real`` and ``fake``: ``(B, ...)`` with equal shapes. ``one_sided=True`` penalises
    only norms above 1: ``lam * mean(max(0, ||grad|| - 1)^2)``. Returns a float32 scalar
    that is differentiable with respect to the critic's parameters.
    """
    check_positive("lam", lam, allow_zero=True)
    x_hat = interpolate(real, fake, generator)
    return _penalty_from_norms(gradient_norms(critic, x_hat, create_graph=True), lam, 1.0, one_sided)


def dragan_perturb(
    real: torch.Tensor,
    scale: float = 0.5,
    noise: str = "uniform",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Points near the data, ``real + scale * std(real) * u`` (DRAGAN's sampling).

    ``noise="uniform"``: ``u ~ U[0, 1)`` per coordinate, as in the DRAGAN authors'
    code; ``noise="gaussian"``: ``u ~ N(0, 1)``. ``std(real)`` is the batch's overall
    standard deviation. Returns the shape of ``real``.
    """
    check_choice("noise", noise, ("uniform", "gaussian"))
    check_positive("scale", scale, allow_zero=True)
    real = real.detach().float()
    draw = torch.rand if noise == "uniform" else torch.randn
    u = draw(real.shape, generator=generator, device=real.device, dtype=torch.float32)
    return real + scale * real.std() * u


def dragan_penalty(
    critic: Critic,
    real: torch.Tensor,
    lam: float = 10.0,
    k: float = 1.0,
    scale: float = 0.5,
    noise: str = "uniform",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """DRAGAN penalty ``lam * mean((||grad D(x_hat)|| - k)^2)`` at points near the data.

    ``x_hat`` interpolates (one ``alpha`` per sample) between ``real`` and its
    perturbation :func:`dragan_perturb`, as the Many Paths paper's DRAGAN-NS does.
    Returns a float32 scalar differentiable with respect to the critic's parameters.
    """
    check_positive("lam", lam, allow_zero=True)
    perturbed = dragan_perturb(real, scale=scale, noise=noise, generator=generator)
    x_hat = interpolate(real, perturbed, generator)
    return _penalty_from_norms(gradient_norms(critic, x_hat, create_graph=True), lam, float(k), False)


def lp_points(
    real: torch.Tensor,
    fake: torch.Tensor,
    scale: float = 0.5,
    noise: str = "uniform",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """WGAN-LP's sample points: ``concat(real, fake)`` perturbed by :func:`dragan_perturb`; shape ``(2B, ...)``.

    The noise scale is ``scale`` times the standard deviation of the concatenated batch.
    """
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}")
    both = torch.cat((real.detach().float(), fake.detach().float()))
    return dragan_perturb(both, scale=scale, noise=noise, generator=generator)


def lp_penalty(
    critic: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    lam: float = 10.0,
    scale: float = 0.5,
    noise: str = "uniform",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """WGAN-LP penalty ``lam * mean(max(0, ||grad D(x_hat)|| - 1)^2)`` at :func:`lp_points`.

    Petzka et al. (2017) replace WGAN-GP's two-sided penalty by its one-sided counterpart and
    sample ``x_hat`` by concatenating a real and a fake batch and perturbing both (DRAGAN's
    sampling, Kodali et al. 2017). ``real`` and ``fake``: ``(B, ...)`` with equal shapes; the
    penalty is averaged over the ``2B`` points. Returns a float32 scalar differentiable with
    respect to the critic's parameters.
    """
    check_positive("lam", lam, allow_zero=True)
    x_hat = lp_points(real, fake, scale=scale, noise=noise, generator=generator)
    return _penalty_from_norms(gradient_norms(critic, x_hat, create_graph=True), lam, 1.0, True)


def _none(critic: Critic, real: torch.Tensor, fake: torch.Tensor, lam: float,
          generator: torch.Generator | None) -> torch.Tensor:
    return torch.zeros((), device=real.device)


#: The penalties by name, each with one signature ``fn(critic, real, fake, lam, generator) -> scalar tensor``:
#: ``none`` (zero), ``gp`` (WGAN-GP, two-sided at interpolates), ``gp_one_sided``, ``dragan`` (at real points
#: perturbed by noise; ``fake`` unused), ``lp`` (WGAN-LP). :class:`gpkit.train.Trainer` looks the configured one up here.
PENALTIES: dict[str, Callable[..., torch.Tensor]] = {
    "none": _none,
    "gp": lambda critic, real, fake, lam, generator: gradient_penalty(critic, real, fake, lam, False, generator),
    "gp_one_sided": lambda critic, real, fake, lam, generator: gradient_penalty(critic, real, fake, lam, True,
                                                                                generator),
    "dragan": lambda critic, real, fake, lam, generator: dragan_penalty(critic, real, lam, generator=generator),
    "lp": lambda critic, real, fake, lam, generator: lp_penalty(critic, real, fake, lam, generator=generator),
}


def penalty(name: str, critic: Critic, real: torch.Tensor, fake: torch.Tensor, lam: float,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """The penalty ``name`` of :data:`PENALTIES` on one batch (``ValueError`` naming ``penalty`` when unknown)."""
    check_choice("penalty", name, PENALTIES)
    return PENALTIES[name](critic, real, fake, lam, generator)


@torch.no_grad()
def clip_weights_(module: nn.Module, c: float) -> nn.Module:
    """Clip every parameter of ``module`` (weights, biases, norm gains) to ``[-c, c]`` in place."""
    c = check_positive("c", c)
    params = [p for p in module.parameters()]
    if params:
        torch._foreach_clamp_min_(params, -c)
        torch._foreach_clamp_max_(params, c)
    return module
