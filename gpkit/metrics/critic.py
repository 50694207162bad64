"""The independent Wasserstein critic (*Many Paths to Equilibrium*, Section 5.1, after Danihelka et al. 2017).

A fresh critic, not the one the GAN trained with, is trained as a WGAN-GP critic to tell real held-out images from
a generator's samples; its Wasserstein estimate ``W = E D(real) - E D(samples)`` on a second, unseen pair of sets
says how far the samples are from the data. Many Paths reports ``-W`` ("for all other metrics, higher is better"):
near 0 for samples the critic cannot tell from data, strongly negative for a collapsed or failed generator.

The paper does not state the critic's architecture, its steps or its splits, so they are ours: the caller passes the
critic (the study uses the DCGAN critic without batch norm), it trains with the WGAN-GP loss at ``lam`` = 10 and Adam
(1e-4, betas (0.5, 0.9)) on ``real_fit`` against ``fake_fit``, and ``-W`` is measured on ``real_eval`` against
``fake_eval``, which it never saw (:func:`independent_critic`).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from gpkit.params import check_int, check_positive

__all__ = ["independent_critic"]


def independent_critic(
    critic: nn.Module,
    real_fit: torch.Tensor,
    fake_fit: torch.Tensor,
    real_eval: torch.Tensor,
    fake_eval: torch.Tensor,
    *,
    steps: int = 2000,
    batch_size: int = 64,
    lam: float = 10.0,
    lr: float = 1e-4,
    betas: tuple[float, float] = (0.5, 0.9),
    seed: int = 0,
    eval_batch: int = 500,
    progress: bool = False,
) -> dict[str, Any]:
    """Train ``critic`` (a fresh module, trained in place) for ``steps`` WGAN-GP critic steps on ``real_fit`` vs
    ``fake_fit`` and measure it on ``real_eval`` vs ``fake_eval`` (all ``(N, C, H, W)``, one shape per set, on the
    critic's device). Returns ``{"neg_w": -W on the evaluation sets, "w_fit": W on the fitting sets, "steps"}``.

    Batches are drawn with replacement from a ``torch.Generator`` seeded with ``seed`` (the interpolation weights
    too), so the same inputs and seed give the same number on CPU."""
    from tqdm.auto import tqdm

    from gpkit.penalties import gradient_penalty
    from gpkit.utils import make_generator

    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    check_positive("lam", lam, allow_zero=True)
    check_positive("lr", lr)
    for name, x in (("real_fit", real_fit), ("fake_fit", fake_fit), ("real_eval", real_eval),
                    ("fake_eval", fake_eval)):
        if x.dim() < 2 or len(x) == 0 or x.shape[1:] != real_fit.shape[1:]:
            raise ValueError(f"{name} must be a non-empty batch shaped like real_fit {tuple(real_fit.shape[1:])}, "
                             f"got {tuple(x.shape)}")
    device = real_fit.device
    rng = make_generator(seed, device)
    opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=betas)
    critic.train()
    for _ in tqdm(range(steps), desc="independent critic", disable=not progress, leave=False):
        real = real_fit[torch.randint(0, len(real_fit), (batch_size,), generator=rng, device=device)]
        fake = fake_fit[torch.randint(0, len(fake_fit), (batch_size,), generator=rng, device=device)]
        loss = critic(fake).mean() - critic(real).mean() + gradient_penalty(critic, real, fake, lam, generator=rng)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    critic.eval()

    @torch.no_grad()
    def mean_score(x: torch.Tensor) -> float:
        return float(torch.cat([critic(x[i:i + eval_batch]) for i in range(0, len(x), eval_batch)]).double().mean())

    w_eval = mean_score(real_eval) - mean_score(fake_eval)
    w_fit = mean_score(real_fit) - mean_score(fake_fit)
    return {"neg_w": -w_eval, "w_fit": w_fit, "steps": steps}
