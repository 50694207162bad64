"""GAN objectives against hand-computed values."""

import math

import pytest
import torch

from gpkit import objectives


def t(*v):
    return torch.tensor(v, dtype=torch.float64)


def test_wgan():
    obj = objectives.get("wgan")
    assert obj.critic_loss(t(1.0, 2.0), t(0.5, -0.5)).item() == pytest.approx(0.0 - 1.5)
    assert obj.generator_loss(t(0.5, -1.5)).item() == pytest.approx(0.5)
    assert not obj.takes_logits


def test_ns_gan_on_logits():
    obj = objectives.get("ns_gan")
    assert obj.takes_logits
    # at logit 0 every cross entropy is log 2
    assert obj.critic_loss(t(0.0), t(0.0)).item() == pytest.approx(math.log(2.0))
    # CE(2, 1) = log(1 + e^-2), CE(-1, 0) = log(1 + e^-1); halved sum as in the reference
    expected = 0.5 * (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-1.0)))
    assert obj.critic_loss(t(2.0), t(-1.0)).item() == pytest.approx(expected)
    # non-saturating generator: -log sigmoid(f) = log(1 + e^-f)
    assert obj.generator_loss(t(-1.0)).item() == pytest.approx(math.log1p(math.exp(1.0)))


def test_minimax_gan_generator_saturates():
    obj = objectives.get("minimax_gan")
    f = -1.0
    # minimise log(1 - sigmoid(f))
    assert obj.generator_loss(t(f)).item() == pytest.approx(math.log(1.0 - 1.0 / (1.0 + math.exp(-f))))
    assert obj.critic_loss(t(2.0), t(-1.0)).item() == pytest.approx(objectives.get("ns_gan").critic_loss(t(2.0), t(-1.0)).item())
    # saturation: a confident discriminator leaves the minimax generator almost no gradient
    fake = t(-8.0).requires_grad_(True)
    obj.generator_loss(fake).backward()
    ns = t(-8.0).requires_grad_(True)
    objectives.get("ns_gan").generator_loss(ns).backward()
    assert abs(fake.grad.item()) < 1e-3 < abs(ns.grad.item())


def test_lsgan():
    obj = objectives.get("lsgan")
    assert obj.critic_loss(t(1.0, 3.0), t(0.0, 2.0)).item() == pytest.approx(0.5 * (2.0 + 2.0))
    assert obj.generator_loss(t(0.0, 2.0)).item() == pytest.approx(1.0)


def test_accepts_column_outputs():
    obj = objectives.get("wgan")
    assert obj.critic_loss(t(1.0, 2.0).view(2, 1), t(0.0, 0.0).view(2, 1)).item() == pytest.approx(-1.5)


def test_unknown_objective_names_parameter():
    with pytest.raises(ValueError, match="objective must be one of"):
        objectives.get("wgan-gp")
