"""Figure 2's architectures: each builds for each method with the right shapes; normalisation follows the method."""

from __future__ import annotations

import pytest
import torch

from gpkit.models import zoo
from gpkit.models.images import ChannelLayerNorm


@pytest.mark.parametrize("arch", zoo.ARCHITECTURES)
@pytest.mark.parametrize("method", zoo.METHODS)
def test_every_architecture_builds_for_every_method(arch, method):
    g, d = zoo.build(arch, method, dim=16, size=32, channels=1)
    x = g(torch.randn(3, 128))
    assert x.shape == (3, 1, 32, 32) and x.abs().max() <= 1
    assert d(x).shape == (3,)
    has_bn = any(isinstance(m, torch.nn.BatchNorm2d) for m in d.modules())
    has_ln = any(isinstance(m, ChannelLayerNorm) for m in d.modules())
    if method == "wgan-gp":
        assert not has_bn  # the penalty is per sample: layer norm replaces batch norm in the critic
    if arch in ("mlp_g", "no_norm"):
        assert not any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)) for m in g.modules())
    if arch == "no_norm":
        assert not has_bn and not has_ln
    elif arch not in ("mlp_g", "no_bn_constant_g") or method != "wgan-gp":
        assert has_bn or has_ln


def test_paper_size_shapes_and_the_101_layer_resnet():
    g, d = zoo.build("resnet101", "wgan-gp", dim=16, size=64)
    weights = [m for m in g.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    shortcuts = [m for m in g.modules() if getattr(m, "_gpkit_glorot", False)]
    assert len(weights) - len(shortcuts) + 1 == 101  # main-path layers; the 1x1 output conv is Glorot-initialised
    x = g(torch.randn(2, 128))
    assert x.shape == (2, 3, 64, 64) and d(x).shape == (2,)
    g, d = zoo.build("gated", "dcgan", dim=8, size=64)
    assert g(torch.randn(2, 128)).shape == (2, 3, 64, 64)
    with pytest.raises(ValueError, match="arch must be one of"):
        zoo.build("vgg", "dcgan")
    with pytest.raises(ValueError, match="size must be a power of two"):
        zoo.build("dcgan", "dcgan", size=48)


def test_each_method_trains_with_its_own_defaults():
    from gpkit.train import Trainer

    from gpkit.experiments.architecture_zoo import method_config

    cfgs = {m: method_config(m, iterations=2, batch_size=4) for m in zoo.METHODS}
    assert (cfgs["wgan-gp"].penalty, cfgs["wgan-gp"].lr, cfgs["wgan-gp"].betas) == ("gp", 1e-4, (0.0, 0.9))
    assert (cfgs["wgan"].clip, cfgs["wgan"].optimizer, cfgs["wgan"].n_critic) == (0.01, "rmsprop_tf", 5)
    assert (cfgs["dcgan"].objective, cfgs["dcgan"].lr, cfgs["dcgan"].n_critic) == ("ns_gan", 2e-4, 1)
    assert (cfgs["lsgan"].objective, cfgs["lsgan"].lr, cfgs["lsgan"].optimizer) == ("lsgan", 1e-4, "rmsprop_tf")
    data = torch.rand(16, 1, 32, 32) * 2 - 1
    for method, cfg in cfgs.items():
        g, d = zoo.build("dcgan", method, dim=8, size=32, channels=1)
        result = Trainer(cfg, d, g, lambda n, rng: data[torch.randint(0, 16, (n,), generator=rng)]).run()
        assert result.iterations == 2 and all(torch.isfinite(torch.tensor(h["critic_loss"])) for h in result.history)
