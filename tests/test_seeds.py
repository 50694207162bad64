"""Many seeds in one model (gpkit.seeds.SeedStack): each seed's numbers are those of training it alone."""

from __future__ import annotations

import pytest
import torch

from gpkit import methods
from gpkit.data.toy import ToySampler
from gpkit.models import images, toy
from gpkit.seeds import SeedStack
from gpkit.train import Trainer

SEEDS = [3, 7, 11]


def _alone(cfg, make_critic, make_generator, sampler, seed):
    torch.manual_seed(seed)
    critic = make_critic()
    generator = make_generator() if make_generator is not None else None
    cfg = methods.config("wgan-gp", **{**cfg.__dict__, "seed": seed})
    trainer = Trainer(cfg, critic, generator, sampler)
    result = trainer.run()
    return critic, generator, result


def _close(a: torch.nn.Module, b: torch.nn.Module) -> float:
    return max(float((p - q).abs().max()) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.mark.parametrize("method, overrides", [
    ("wgan-gp", {}),
    ("wgan", {"lr": 1e-3}),
    ("dcgan", {}),
    ("wgan-gp", {"penalty": "gp_one_sided", "n_critic": 2}),
])
def test_each_seed_equals_training_it_alone(method, overrides):
    sampler = ToySampler("8gaussians", seed=0)
    cfg = methods.config(method, iterations=4, batch_size=32, log_every=1, **overrides)
    stack = SeedStack(cfg, lambda: toy.toy_critic(width=32, hidden=2), lambda: toy.toy_generator(width=32, hidden=2),
                      sampler, SEEDS).run()
    for s in SEEDS:
        critic, generator, result = _alone(cfg, lambda: toy.toy_critic(width=32, hidden=2),
                                           lambda: toy.toy_generator(width=32, hidden=2), sampler, s)
        assert _close(stack.critics[s], critic) < 1e-5, (method, s)
        assert _close(stack.generators[s], generator) < 1e-5, (method, s)
        ours = [h["critic_loss"] for h in stack.history[s]]
        theirs = [h["critic_loss"] for h in result.history]
        assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-5)


def test_fixed_generator_mode_and_a_conv_critic():
    sampler = lambda n, g: torch.rand(n, 1, 28, 28, generator=g) * 2 - 1  # noqa: E731
    cfg = methods.config("wgan-gp", iterations=2, batch_size=8, n_critic=1, fixed_generator_std=0.5)
    stack = SeedStack(cfg, lambda: images.mnist_critic(dim=4), None, sampler, SEEDS[:2]).run()
    for s in SEEDS[:2]:
        critic, _, _ = _alone(cfg, lambda: images.mnist_critic(dim=4), None, sampler, s)
        assert _close(stack.critics[s], critic) < 1e-5


def test_seeds_are_independent_of_each_other():
    """A seed's numbers do not depend on which seeds train beside it."""
    sampler = ToySampler("swissroll", seed=0)
    cfg = methods.config("wgan-gp", iterations=3, batch_size=16)
    make_c, make_g = lambda: toy.toy_critic(width=16, hidden=2), lambda: toy.toy_generator(width=16, hidden=2)
    both = SeedStack(cfg, make_c, make_g, sampler, [1, 2]).run()
    one = SeedStack(cfg, make_c, make_g, sampler, [2]).run()
    assert _close(both.critics[2], one.critics[2]) < 1e-6


def test_refuses_what_it_cannot_do():
    sampler = ToySampler("8gaussians", seed=0)
    with pytest.raises(ValueError, match="batch norm"):
        SeedStack(methods.config("wgan", iterations=1, fixed_generator_std=0.1),
                  lambda: images.mnist_critic(4, "batch"), None, sampler, [0])
    with pytest.raises(ValueError, match="penalty must be one of"):
        SeedStack(methods.config("wgan-gp", iterations=1, penalty="lp"), toy.toy_critic, toy.toy_generator,
                  sampler, [0])
    with pytest.raises(ValueError, match="seeds"):
        SeedStack(methods.config("wgan-gp", iterations=1), toy.toy_critic, toy.toy_generator, sampler, [])
