"""Toy samplers: centers, spreads and scales of the reference definitions."""

import math

import numpy as np
import pytest
import torch

from gpkit.data import toy


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("name", toy.DATASETS)
def test_shape_dtype_and_determinism(name):
    a = toy.sample(name, 500, gen(3))
    b = toy.sample(name, 500, gen(3))
    c = toy.sample(name, 500, gen(4))
    assert a.shape == (500, 2) and a.dtype == torch.float32
    assert torch.equal(a, b) and not torch.equal(a, c)


def _nearest(x, centers):
    d = torch.cdist(x.double(), centers.double())
    return d.min(dim=1)


def test_8gaussians_centers_noise_and_scale():
    x = toy.sample("8gaussians", 40_000, gen())
    c = toy.centers("8gaussians")
    # centers on a circle of radius 2 / 1.414
    assert torch.allclose(c.norm(dim=1), torch.full((8,), 2.0 / 1.414), atol=1e-6)
    dist, idx = _nearest(x, c)
    counts = torch.bincount(idx, minlength=8).double() / len(x)
    assert counts.min() > 0.115 and counts.max() < 0.135  # uniform choice of center
    resid = x.double() - c.double()[idx]
    assert resid.std().item() == pytest.approx(0.02 / 1.414, rel=0.03)
    assert dist.max().item() < 6 * 0.02 / 1.414


def test_25gaussians_grid_equal_counts_noise_and_scale():
    x = toy.sample("25gaussians", 25 * 400, gen())
    c = toy.centers("25gaussians")
    coords = sorted(set(np.round(c[:, 0].numpy() * 2.828, 6)))
    assert coords == pytest.approx([-4.0, -2.0, 0.0, 2.0, 4.0])
    dist, idx = _nearest(x, c)
    assert torch.bincount(idx, minlength=25).tolist() == [400] * 25  # sweeps over the centers, as the reference
    resid = x.double() - c.double()[idx]
    assert resid.std().item() == pytest.approx(0.05 / 2.828, rel=0.03)
    # shuffled once: consecutive points are not consecutive centers
    assert (idx[1:] == (idx[:-1] + 1) % 25).float().mean() < 0.2


def test_swissroll_follows_the_spiral():
    x = toy.sample("swissroll", 20_000, gen()).double() * 7.5
    r = x.norm(dim=1)
    theta = torch.atan2(x[:, 1], x[:, 0])
    # sklearn: t ~ U[1.5 pi, 4.5 pi], point (t cos t, t sin t): radius = angle modulo 2 pi
    wrapped = torch.remainder(r - theta + math.pi, 2 * math.pi) - math.pi
    assert wrapped.abs().median().item() < 0.3
    assert r.mean().item() == pytest.approx(3 * math.pi, abs=0.15)
    assert r.min().item() > 1.5 * math.pi - 1.5 and r.max().item() < 4.5 * math.pi + 1.5
    # noise N(0, 0.25^2) per coordinate: r - theta = n_radial - n_tangential / t, std 0.25 sqrt(1 + 1/t^2)
    assert wrapped.std().item() == pytest.approx(0.255, rel=0.12)


def test_fixed_25gaussians_set_backs_the_sampler():
    sampler = toy.ToySampler("25gaussians", seed=1)
    assert sampler.fixed.shape == (toy.FIXED_SET_SIZE, 2)
    batch = sampler(256, gen())
    rows = (batch[:, None, :] == sampler.fixed[None, :, :]).all(-1).any(1)
    assert rows.all()
    assert torch.equal(toy.ToySampler("25gaussians", seed=1).fixed, sampler.fixed)


def test_unknown_dataset_names_the_parameter():
    with pytest.raises(ValueError, match="name must be one of"):
        toy.sample("moons", 10)
    with pytest.raises(ValueError, match="dataset must be one of"):
        toy.ToySampler("moons")
    with pytest.raises(ValueError, match="n must be"):
        toy.sample("8gaussians", 0)
