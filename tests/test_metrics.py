"""Exact W1, the optimal critic, and critic probes against analytic values."""

import numpy as np
import pytest
import torch
from scipy.stats import wasserstein_distance
from torch import nn

from gpkit.metrics import exact_w1, optimal_critic
from gpkit.metrics.probes import (
    critic_weights,
    fraction_at_bounds,
    grid_points,
    input_gradient_norms,
    layer_gradient_norms,
    value_grid,
)
from gpkit.models import MLP


def test_w1_of_a_translation_is_its_length():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    v = np.array([0.3, -0.4])
    assert exact_w1(x, x + v) == pytest.approx(0.5, abs=1e-9)


def test_w1_in_one_dimension_matches_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=200), rng.exponential(size=200)
    pad = np.zeros(200)
    ours = exact_w1(np.stack([a, pad], 1), np.stack([b, pad], 1))
    assert ours == pytest.approx(wasserstein_distance(a, b), rel=1e-9)


def test_optimal_critic_is_1_lipschitz_and_attains_w1():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(250, 2)) * 0.3
    fake = rng.normal(size=(250, 2)) + 1.0
    oc = optimal_critic(real, fake)
    assert oc.w1 == pytest.approx(exact_w1(real, fake))
    assert oc(real).mean() - oc(fake).mean() == pytest.approx(oc.w1, rel=1e-6)
    pts = rng.uniform(-3, 3, size=(400, 2))
    f = oc(pts)
    d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    assert (np.abs(f[:, None] - f[None]) <= d + 1e-9).all()
    i, j, mass = oc.transport_pairs()
    assert mass.sum() == pytest.approx(1.0)
    # on coupled pairs the potential rises at slope 1: f(x_i) - f(y_j) = ||x_i - y_j||
    np.testing.assert_allclose(oc(real[i]) - oc(fake[j]), np.linalg.norm(real[i] - fake[j], axis=1), atol=1e-6)


def test_point_clouds_are_validated():
    with pytest.raises(ValueError, match="shape"):
        exact_w1(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="dimension"):
        exact_w1(np.zeros((5, 2)), np.zeros((5, 3)))


class XCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x):
        return x @ self.w


def test_value_grid_orientation():
    xs, ys, _ = grid_points(2.0, 5)
    z = value_grid(XCritic(), 2.0, 5)
    np.testing.assert_allclose(z[3], xs, atol=1e-6)  # row iy holds the values along x
    np.testing.assert_allclose(input_gradient_norms(XCritic(), torch.randn(7, 2)), np.ones(7), rtol=1e-6)


def test_layer_gradient_norm_at_the_last_layer_is_analytic():
    """d(mean D(f) - mean D(r)) / d h_last = +-w_out / B per sample, so the norm is ||w_out|| sqrt(2 / B)."""
    torch.manual_seed(0)
    critic = MLP(2, 1, width=6, hidden=4)
    batch = 10
    norms = layer_gradient_norms(critic, torch.randn(batch, 2), torch.randn(batch, 2))
    assert norms.shape == (4,)
    assert norms[-1] == pytest.approx(critic.out.weight.norm().item() * np.sqrt(2.0 / batch), rel=1e-6)


def test_layer_gradient_norms_do_not_underflow():
    torch.manual_seed(0)
    critic = MLP(2, 1, width=64, hidden=12)
    with torch.no_grad():
        for p in critic.parameters():
            p.clamp_(-0.001, 0.001)
    norms = layer_gradient_norms(critic, torch.randn(64, 2), torch.randn(64, 2))
    assert (norms > 0).all()  # float32 squares of ~1e-25 would underflow to 0


def test_weights_and_fraction_at_bounds():
    critic = MLP(2, 1, width=4, hidden=1)
    w = critic_weights(critic)
    assert w.size == 2 * 4 + 4 * 1  # matrices only
    assert critic_weights(critic, include_bias=True).size == w.size + 4 + 1
    assert fraction_at_bounds(np.array([0.01, -0.01, 0.0099, 0.0, 0.005]), 0.01) == pytest.approx(3 / 5)
    with pytest.raises(ValueError):
        fraction_at_bounds(np.array([]), 0.01)
