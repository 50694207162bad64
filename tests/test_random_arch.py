"""Table 1's random architectures: the sampler covers the table and is seeded; every draw builds for both methods."""

from __future__ import annotations

import itertools

import pytest
import torch

from gpkit.models import random_arch as ra
from gpkit.models.images import ChannelLayerNorm


def test_sampler_is_seeded_and_covers_table1():
    a, b = ra.sample_architectures(200, seed=3), ra.sample_architectures(200, seed=3)
    assert a == b and a != ra.sample_architectures(200, seed=4)
    for side, (key, options) in itertools.product(("g", "d"), ra.TABLE1.items()):
        seen = {getattr(s, f"{side}_{key}") for s in a}
        assert seen == set(options), (side, key)
    # G and D draw independently: the depths agree about as often as chance (1/4), not always
    same = sum(s.g_depth == s.d_depth for s in a) / len(a)
    assert 0.1 < same < 0.45
    with pytest.raises(ValueError, match="g_depth must be one of"):
        ra.ArchSpec("relu", 5, True, 32, "relu", 4, True, 32)


@pytest.mark.parametrize("method", ["gan", "wgan-gp"])
def test_every_setting_builds_with_the_right_shapes_and_depth(method):
    z = torch.randn(3, 128)
    for depth, act, norm, f in zip((4, 8, 12, 20), ra.TABLE1["nonlinearity"], (True, False, True, False),
                                   (32, 64, 32, 32)):
        spec = ra.ArchSpec(act, depth, norm, f, act, depth, not norm, f)
        g, d = ra.build(spec, method, channels=1)
        x = g(z)
        assert x.shape == (3, 1, 32, 32) and x.abs().max() <= 1
        assert d(x).shape == (3,)
        weights = lambda m: sum(isinstance(l, (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d))  # noqa: E731
                                for l in m.modules())
        assert weights(g) == depth and weights(d) == depth


def test_critic_normalisation_follows_the_method():
    spec = ra.ArchSpec("relu", 8, True, 32, "relu", 8, True, 32)
    _, d_gan = ra.build(spec, "gan")
    _, d_gp = ra.build(spec, "wgan-gp")
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in d_gan.modules())
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d_gp.modules())
    assert sum(isinstance(m, ChannelLayerNorm) for m in d_gp.modules()) == 2 + 4  # two base layers + four extra
    off = ra.ArchSpec("relu", 8, False, 32, "relu", 8, False, 32)
    g, d = ra.build(off, "gan")
    assert not any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)) for m in [*g.modules(), *d.modules()])
    with pytest.raises(ValueError, match="method must be one of"):
        ra.build(spec, "lsgan")


def test_table1_lists_every_option():
    df = ra.table1()
    assert len(df) == 8 and set(df["network"]) == {"G", "D"}
    assert "softplus" in df.iloc[0]["values"] and "layer norm" in df[df.network == "D"]["note"].str.cat()
