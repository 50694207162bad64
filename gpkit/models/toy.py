"""Fully connected generator and critic for 2-D toy data.

The reference (``gan_toy.py``) uses He-uniform hidden layers
(``U(+-sqrt(3) sqrt(2/fan_in))``), a Glorot-uniform output layer
(``U(+-sqrt(3) sqrt(2/(fan_in+fan_out)))``) and zero biases, with ReLU hidden
layers of width 512 (3 hidden layers for Figure 1a, 12 for Figure 1b).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gpkit.models.activations import LeakyReLU, ReLU
from gpkit.params import check_choice, check_int

__all__ = ["ACTIVATIONS", "MLP", "toy_critic", "toy_generator", "uniform_init_", "ParallelLine", "Gaussian1d"]

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "softplus")


def _activation(name: str) -> nn.Module:
    check_choice("activation", name, ACTIVATIONS)
    if name == "relu":
        return ReLU()
    if name == "leaky_relu":
        return LeakyReLU(0.2)
    if name == "tanh":
        return nn.Tanh()
    return _ShiftedSoftplus()


class _ShiftedSoftplus(nn.Module):
    """``softplus(2x + 2) / 2 - 1``, the smooth ReLU-like nonlinearity of Table 1."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.softplus(2.0 * x + 2.0) / 2.0 - 1.0


@torch.no_grad()
def uniform_init_(layer: nn.Linear, scheme: str) -> nn.Linear:
    """Reference initialisation of a linear layer: ``he`` or ``glorot`` uniform weights, zero bias."""
    check_choice("init", scheme, ("he", "glorot"))
    fan_in, fan_out = layer.in_features, layer.out_features
    std = math.sqrt(2.0 / fan_in) if scheme == "he" else math.sqrt(2.0 / (fan_in + fan_out))
    layer.weight.uniform_(-math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    if layer.bias is not None:
        layer.bias.zero_()
    return layer


class MLP(nn.Module):
    """``hidden`` layers of ``width`` units with ``activation``, then a linear output.

    Input ``(B, in_dim)``; output ``(B, out_dim)``, or ``(B,)`` when ``out_dim == 1``
    (a critic). ``latent_dim`` equals ``in_dim`` (used when this is a generator).
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        width: int = 512,
        hidden: int = 3,
        activation: str = "relu",
    ) -> None:
        super().__init__()
        self.in_dim = check_int("in_dim", in_dim, minimum=1)
        self.out_dim = check_int("out_dim", out_dim, minimum=1)
        self.width = check_int("width", width, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.latent_dim = self.in_dim
        dims = [in_dim] + [width] * hidden
        self.layers = nn.ModuleList(uniform_init_(nn.Linear(a, b), "he") for a, b in zip(dims[:-1], dims[1:]))
        self.acts = nn.ModuleList(_activation(activation) for _ in range(hidden))
        self.out = uniform_init_(nn.Linear(width, out_dim), "glorot")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer, act in zip(self.layers, self.acts):
            x = act(layer(x))
        y = self.out(x)
        return y.squeeze(-1) if self.out_dim == 1 else y

    def forward_with_activations(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output and the post-activation of every hidden layer (``hidden`` tensors ``(B, width)``)."""
        acts = []
        for layer, act in zip(self.layers, self.acts):
            x = act(layer(x))
            acts.append(x)
        y = self.out(x)
        return (y.squeeze(-1) if self.out_dim == 1 else y), acts


def toy_critic(width: int = 512, hidden: int = 3, activation: str = "relu") -> MLP:
    """Critic for 2-D points: ``(B, 2) -> (B,)``."""
    return MLP(2, 1, width=width, hidden=hidden, activation=activation)


def toy_generator(width: int = 512, hidden: int = 3, activation: str = "relu", latent_dim: int = 2) -> MLP:
    """Generator for 2-D points: noise ``(B, latent_dim) -> (B, 2)`` (the reference uses 2-D noise)."""
    return MLP(latent_dim, 2, width=width, hidden=hidden, activation=activation)


# ----------------------------------------------------------------------------- fixed "generators"
class ParallelLine(nn.Module):
    """The paper's ``g_theta(z) = (theta, u(z))``; ``u`` is the normal CDF: ``u(z) ~ U[0, 1]`` for ``z ~ N(0, 1)``."""

    latent_dim = 1

    def __init__(self, theta: float) -> None:
        super().__init__()
        self.theta = nn.Parameter(torch.tensor(float(theta)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        u = 0.5 * (1.0 + torch.erf(z[:, :1] / math.sqrt(2.0)))
        return torch.cat((self.theta.expand_as(u), u), dim=1)


class Gaussian1d(nn.Module):
    """``g(z) = mean + std * z``: a fixed 1-D Gaussian as a generator module, shape ``(B, 1)``."""

    latent_dim = 1

    def __init__(self, mean: float, std: float) -> None:
        super().__init__()
        self.mean = nn.Parameter(torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.mean + self.std * z[:, :1]
