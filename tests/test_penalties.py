"""Analytic tests of the gradient penalties and weight clipping."""

import math

import pytest
import torch
from torch import nn

from gpkit.penalties import (
    clip_weights_,
    dragan_penalty,
    dragan_perturb,
    gradient_norms,
    gradient_penalty,
    interpolate,
    lp_penalty,
    lp_points,
)

IMAGE = (3, 4, 5)  # (C, H, W): the norm must run over all of these


class LinearCritic(nn.Module):
    """D(x) = w . x over all non-batch dimensions: gradient norm ||w|| everywhere."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x * self.w).flatten(1).sum(1)


class QuadraticCritic(nn.Module):
    """D(x) = ||x||^2 / 2: gradient x, so the norm at x_hat is ||x_hat||."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.flatten(1).pow(2).sum(1)


def _w(norm: float) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    w = torch.randn(IMAGE, generator=g)
    return w / w.norm() * norm


@pytest.mark.parametrize("norm", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("lam", [1.0, 10.0])
def test_linear_critic_two_sided_penalty_is_exact(norm, lam):
    critic = LinearCritic(_w(norm))
    real, fake = torch.randn(16, *IMAGE), torch.randn(16, *IMAGE)
    pen = gradient_penalty(critic, real, fake, lam=lam)
    assert pen.item() == pytest.approx(lam * (norm - 1.0) ** 2, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("norm", [0.3, 1.0, 2.5])
def test_linear_critic_one_sided_penalty_is_exact(norm):
    critic = LinearCritic(_w(norm))
    real, fake = torch.randn(8, *IMAGE), torch.randn(8, *IMAGE)
    pen = gradient_penalty(critic, real, fake, lam=10.0, one_sided=True)
    assert pen.item() == pytest.approx(10.0 * max(0.0, norm - 1.0) ** 2, rel=1e-5, abs=1e-6)


def test_gradient_norm_spans_all_non_batch_dimensions():
    critic = LinearCritic(_w(2.0))
    norms = gradient_norms(critic, torch.randn(5, *IMAGE))
    assert norms.shape == (5,)
    torch.testing.assert_close(norms, torch.full((5,), 2.0), rtol=1e-5, atol=1e-6)


def test_quadratic_critic_reveals_one_interpolation_weight_per_sample():
    """With real = 0 and D = ||x||^2/2 the norm at x_hat is alpha * ||fake||: the penalty
    pins down both the number and the shape of the alphas drawn."""
    batch, seed = 12, 7
    real = torch.zeros(batch, *IMAGE)
    fake = torch.ones(batch, *IMAGE) * torch.linspace(0.1, 1.0, batch).view(-1, 1, 1, 1)
    pen = gradient_penalty(QuadraticCritic(), real, fake, lam=10.0, generator=torch.Generator().manual_seed(seed))

    alpha = torch.rand((batch, 1, 1, 1), generator=torch.Generator().manual_seed(seed))
    fake_norm = fake.flatten(1).norm(dim=1)
    expected = 10.0 * ((alpha.view(-1) * fake_norm - 1.0) ** 2).mean()
    assert pen.item() == pytest.approx(expected.item(), rel=1e-5)

    # The alternatives give different numbers: one alpha per batch, one per pixel.
    per_batch = 10.0 * ((alpha.view(-1)[0] * fake_norm - 1.0) ** 2).mean()
    pixel_alpha = torch.rand((batch, *IMAGE), generator=torch.Generator().manual_seed(seed))
    per_pixel = 10.0 * (((pixel_alpha * fake).flatten(1).norm(dim=1) - 1.0) ** 2).mean()
    assert abs(pen.item() - per_batch.item()) > 1e-3
    assert abs(pen.item() - per_pixel.item()) > 1e-3


def test_interpolates_lie_on_segments_with_distinct_weights():
    real, fake = torch.randn(32, *IMAGE), torch.randn(32, *IMAGE)
    x_hat = interpolate(real, fake, torch.Generator().manual_seed(0))
    delta, span = (x_hat - real).flatten(1), (fake - real).flatten(1)
    a = (delta * span).sum(1) / span.pow(2).sum(1)
    torch.testing.assert_close(delta, a[:, None] * span, rtol=1e-4, atol=1e-5)
    assert ((a >= 0) & (a <= 1)).all()
    assert a.std() > 0.1  # not one alpha for the whole batch


def test_interpolate_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        interpolate(torch.zeros(4, 2), torch.zeros(5, 2))


def test_penalty_gradient_reaches_critic_parameters():
    norm, lam = 2.0, 10.0
    critic = LinearCritic(_w(norm))
    pen = gradient_penalty(critic, torch.randn(8, *IMAGE), torch.randn(8, *IMAGE), lam=lam)
    pen.backward()
    w = critic.w.detach()
    expected = 2.0 * lam * (norm - 1.0) * w / w.norm()  # d/dw lam (||w|| - 1)^2
    torch.testing.assert_close(critic.w.grad, expected, rtol=1e-4, atol=1e-6)


def test_penalty_is_float32_under_autocast():
    critic = LinearCritic(_w(2.0))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        pen = gradient_penalty(critic, torch.randn(4, *IMAGE), torch.randn(4, *IMAGE))
    assert pen.dtype == torch.float32
    assert pen.item() == pytest.approx(10.0, rel=1e-5)


@pytest.mark.parametrize("noise", ["uniform", "gaussian"])
def test_dragan_penalty_on_linear_critic_is_exact(noise):
    critic = LinearCritic(_w(3.0))
    pen = dragan_penalty(critic, torch.randn(10, *IMAGE), lam=10.0, k=1.0, noise=noise)
    assert pen.item() == pytest.approx(10.0 * (3.0 - 1.0) ** 2, rel=1e-5)


def test_dragan_points_stay_near_the_data():
    real = torch.randn(64, 2) * 3.0
    pert = dragan_perturb(real, scale=0.5, noise="uniform", generator=torch.Generator().manual_seed(0))
    step = pert - real
    assert (step >= 0).all() and (step < 0.5 * real.std() + 1e-6).all()
    with pytest.raises(ValueError, match="noise"):
        dragan_perturb(real, noise="laplace")


def test_clipping_bounds_every_parameter():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 1.0)
    inside = {n: p.detach().clone() for n, p in model.named_parameters()}
    clip_weights_(model, 0.05)
    for name, p in model.named_parameters():
        assert p.abs().max() <= 0.05 + 1e-12, name
        small = inside[name].abs() <= 0.05
        torch.testing.assert_close(p[small], inside[name][small])  # values inside the bounds untouched
    # biases and LayerNorm gains are clipped too
    assert model[1].weight.abs().max() <= 0.05 and model[0].bias.abs().max() <= 0.05


def test_clipping_rejects_bad_bound():
    with pytest.raises(ValueError, match="c must be"):
        clip_weights_(nn.Linear(2, 2), 0.0)
    with pytest.raises(ValueError, match="c must be"):
        clip_weights_(nn.Linear(2, 2), math.nan)


# ------------------------------------------------------------------ WGAN-LP
@pytest.mark.parametrize("noise", ["uniform", "gaussian"])
def test_lp_penalty_on_linear_critic_is_one_sided(noise):
    real, fake = torch.randn(8, *IMAGE), torch.randn(8, *IMAGE)
    small = LinearCritic(_w(0.5))
    assert lp_penalty(small, real, fake, lam=10.0, noise=noise).item() == 0.0
    assert gradient_penalty(small, real, fake, lam=10.0).item() == pytest.approx(10.0 * 0.25, rel=1e-5)
    big = LinearCritic(_w(2.0))
    assert lp_penalty(big, real, fake, lam=10.0, noise=noise).item() == pytest.approx(10.0, rel=1e-5)
    assert gradient_penalty(big, real, fake, lam=10.0).item() == pytest.approx(10.0, rel=1e-5)


def test_lp_penalty_is_the_one_sided_penalty_at_the_lp_points():
    """Quadratic critic: norm ||x_hat||, so the penalty is lam * mean(max(0, ||x_hat|| - 1)^2) at lp_points."""
    real, fake = torch.randn(6, 2) * 2.0, torch.randn(6, 2) * 0.3
    pen = lp_penalty(QuadraticCritic(), real, fake, lam=3.0, generator=torch.Generator().manual_seed(5))
    pts = lp_points(real, fake, generator=torch.Generator().manual_seed(5))
    expected = 3.0 * (pts.norm(dim=1) - 1.0).clamp(min=0.0).pow(2).mean()
    assert pen.item() == pytest.approx(expected.item(), rel=1e-5)


def test_lp_points_are_twice_the_batch_and_near_the_data():
    real, fake = torch.randn(32, 2) * 3.0, torch.randn(32, 2) + 5.0
    pts = lp_points(real, fake, scale=0.5, noise="uniform", generator=torch.Generator().manual_seed(0))
    assert pts.shape == (64, 2)
    both = torch.cat((real, fake))
    step = pts - both
    assert (step >= 0).all() and (step < 0.5 * both.std() + 1e-6).all()
    assert step.abs().max() > 0  # perturbed, not the batch itself
    with pytest.raises(ValueError, match="same shape"):
        lp_points(torch.zeros(4, 2), torch.zeros(5, 2))


def test_lp_penalty_gradient_reaches_critic_parameters():
    norm, lam = 2.0, 10.0
    critic = LinearCritic(_w(norm))
    pen = lp_penalty(critic, torch.randn(8, *IMAGE), torch.randn(8, *IMAGE), lam=lam)
    pen.backward()
    w = critic.w.detach()
    torch.testing.assert_close(critic.w.grad, 2.0 * lam * (norm - 1.0) * w / w.norm(), rtol=1e-4, atol=1e-6)
    under = LinearCritic(_w(0.5))
    lp_penalty(under, torch.randn(8, *IMAGE), torch.randn(8, *IMAGE), lam=lam).backward()
    assert torch.count_nonzero(under.w.grad) == 0  # one-sided: no pull towards norm 1 from below


def test_trainer_runs_the_lp_penalty():
    from gpkit.data.toy import ToySampler
    from gpkit.models.toy import toy_critic
    from gpkit.train import PENALTIES, TrainConfig, Trainer

    assert "lp" in PENALTIES
    torch.manual_seed(0)
    trainer = Trainer(TrainConfig(iterations=2, batch_size=16, n_critic=1, penalty="lp", fixed_generator_std=1.0),
                      toy_critic(width=8), None, ToySampler("8gaussians", seed=0))
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    _, _, pen = trainer.critic_losses(real, fake, torch.Generator().manual_seed(3))
    expected = lp_penalty(trainer._score, real, fake, 10.0, generator=torch.Generator().manual_seed(3))
    assert pen.item() == pytest.approx(expected.item(), rel=1e-6)
    result = trainer.run()
    assert result.iterations == 2 and all(math.isfinite(h["penalty"]) for h in result.history)
