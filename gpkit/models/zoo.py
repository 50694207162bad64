"""Figure 2's architectures (the reference's ``gan_64x64.py``), each trainable with the four methods.

``ARCHITECTURES``:

- ``dcgan``: the DCGAN baseline (G and D with batch norm; weights N(0, 0.02));
- ``no_bn_constant_g``: G without batch norm and a constant ``dim`` filters (the WGAN paper's "crippled" G);
- ``mlp_g``: G a 4-layer, 512-wide ReLU MLP;
- ``no_norm``: DCGAN without normalisation in G or D;
- ``gated``: gated multiplicative nonlinearities ``sigmoid(a) * tanh(b)`` in G and D;
- ``tanh``: tanh nonlinearities in G and D;
- ``resnet101``: 101-layer bottleneck ResNets (residual scaled by 0.3, G output ``tanh(x / 5)``, D output / 5).

Except where named, D is the DCGAN critic. "Normalisation in D" follows the method: layer norm for WGAN-GP,
batch norm otherwise (the reference's ``Normalize``). ``size`` 64 is the paper's; 32 drops the last 2x stage
(and the ResNet's 64x64 stage) for offline 32x32 data.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gpkit.models.activations import ReLU, relu
from gpkit.models.images import DCGANCritic, DCGANGenerator, _glorot, _norm2d, he_linear, tflib_init_
from gpkit.params import check_choice, check_int

__all__ = ["ARCHITECTURES", "METHODS", "LABELS", "build", "GatedGenerator", "GatedCritic", "MLPGenerator",
           "ConstantFilterGenerator", "BottleneckBlock", "ResNet101Generator", "ResNet101Critic"]

ARCHITECTURES = ("dcgan", "no_bn_constant_g", "mlp_g", "no_norm", "gated", "tanh", "resnet101")
METHODS = ("wgan-gp", "wgan", "dcgan", "lsgan")
LABELS = {"dcgan": "DCGAN", "no_bn_constant_g": "no BN, constant filters in G", "mlp_g": "4-layer 512-dim MLP G",
          "no_norm": "no normalisation in G or D", "gated": "gated multiplicative nonlinearities",
          "tanh": "tanh nonlinearities", "resnet101": "101-layer ResNet G and D"}


def _stages(size: int) -> int:
    n = int(math.log2(check_int("size", size, minimum=8) // 4))
    if 4 * 2 ** n != size:
        raise ValueError(f"size must be a power of two >= 8, got {size}")
    return n


def _gated(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x[:, ::2]) * torch.tanh(x[:, 1::2])


class ConstantFilterGenerator(nn.Module):
    """No batch norm and ``dim`` filters throughout: linear to 4x4 x dim, ReLU, 5x5 stride-2 transposed convs
    (ReLU) up to ``size``, tanh. (B, 128) -> (B, channels, size, size)."""

    def __init__(self, dim: int = 64, size: int = 64, channels: int = 3, latent_dim: int = 128) -> None:
        super().__init__()
        n = _stages(size)
        self.latent_dim, self.dim = latent_dim, dim
        self.input = nn.Linear(latent_dim, 4 * 4 * dim)
        layers: list[nn.Module] = []
        for i in range(n):
            last = i == n - 1
            layers += [nn.ConvTranspose2d(dim, channels if last else dim, 5, 2, 2, output_padding=1),
                       nn.Tanh() if last else ReLU()]
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(relu(self.input(z)).view(-1, self.dim, 4, 4))


class MLPGenerator(nn.Module):
    """Four 512-wide ReLU layers, a linear layer to the pixels, tanh. (B, 128) -> (B, channels, size, size).

    The ReLU layers are marked for He initialisation and the output layer keeps Glorot's, as the reference's
    ``FCGenerator`` builds them (``ReLULayer`` passes ``initialization='he'``; ``Generator.Out`` passes none)."""

    def __init__(self, size: int = 64, channels: int = 3, width: int = 512, latent_dim: int = 128) -> None:
        super().__init__()
        self.latent_dim, self.shape = latent_dim, (channels, size, size)
        dims = [latent_dim] + [width] * 4
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [he_linear(nn.Linear(a, b)), ReLU()]
        self.body = nn.Sequential(*layers, nn.Linear(width, channels * size * size), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(z).view(-1, *self.shape)


class GatedGenerator(nn.Module):
    """DCGAN G whose every layer produces twice the channels, normalised (batch norm), then gated:
    ``sigmoid(even channels) * tanh(odd channels)``."""

    def __init__(self, dim: int = 64, size: int = 64, channels: int = 3, latent_dim: int = 128) -> None:
        super().__init__()
        n = _stages(size)
        mults = (8, 4, 2, 1)[:n]
        self.latent_dim, self.c0 = latent_dim, mults[0] * dim
        self.input = nn.Linear(latent_dim, 4 * 4 * 2 * self.c0)
        self.input_norm = _norm2d("batch", 2 * self.c0)
        self.ups = nn.ModuleList()
        self.norms = nn.ModuleList()
        chans = [m * dim for m in mults]
        for c_in, c_out in zip(chans[:-1], chans[1:]):
            self.ups.append(nn.ConvTranspose2d(c_in, 2 * c_out, 5, 2, 2, output_padding=1))
            self.norms.append(_norm2d("batch", 2 * c_out))
        self.output = nn.ConvTranspose2d(chans[-1], channels, 5, 2, 2, output_padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = _gated(self.input_norm(self.input(z).view(-1, 2 * self.c0, 4, 4)))
        for up, norm in zip(self.ups, self.norms):
            x = _gated(norm(up(x)))
        return torch.tanh(self.output(x))


class GatedCritic(nn.Module):
    """DCGAN D with gated nonlinearities (twice the channels per conv; ``norm`` on all but the first), linear."""

    def __init__(self, dim: int = 64, size: int = 64, channels: int = 3, norm: str = "batch") -> None:
        super().__init__()
        n = _stages(size)
        mults = (1, 2, 4, 8)[:n]
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        c_in = channels
        for i, m in enumerate(mults):
            self.convs.append(nn.Conv2d(c_in, 2 * m * dim, 5, 2, 2))
            self.norms.append(nn.Identity() if i == 0 else _norm2d(norm, 2 * m * dim))
            c_in = m * dim
        self.output = nn.Linear(4 * 4 * c_in, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, norm in zip(self.convs, self.norms):
            x = _gated(norm(conv(x)))
        return self.output(x.flatten(1)).squeeze(1)


class BottleneckBlock(nn.Module):
    """The reference's bottleneck block: ReLU, 1x1 conv to half the input channels, ReLU, 3x3 conv (stride 2 for
    ``down``, transposed for ``up``) to half the output channels, ReLU, 1x1 conv, normalisation; returns
    ``shortcut + 0.3 * output`` (shortcut: identity, or a 1x1 conv: strided for ``down``, sub-pixel for ``up``)."""

    def __init__(self, c_in: int, c_out: int, resample: str | None, norm: str) -> None:
        super().__init__()
        check_choice("resample", resample, ("up", "down", None))
        self.conv1 = nn.Conv2d(c_in, c_in // 2, 1)
        if resample == "down":
            self.conv1b: nn.Module = nn.Conv2d(c_in // 2, c_out // 2, 3, stride=2, padding=1)
            self.shortcut: nn.Module = _glorot(nn.Conv2d(c_in, c_out, 1, stride=2))
        elif resample == "up":
            self.conv1b = nn.ConvTranspose2d(c_in // 2, c_out // 2, 3, stride=2, padding=1, output_padding=1)
            self.shortcut = _glorot(nn.Sequential(nn.Conv2d(c_in, 4 * c_out, 1), nn.PixelShuffle(2)))
        else:
            self.conv1b = nn.Conv2d(c_in // 2, c_out // 2, 3, padding=1)
            self.shortcut = nn.Identity() if c_in == c_out else _glorot(nn.Conv2d(c_in, c_out, 1))
        self.conv2 = nn.Conv2d(c_out // 2, c_out, 1, bias=False)
        self.norm = _norm2d(norm, c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(relu(self.conv1b(relu(self.conv1(relu(x))))))
        return self.shortcut(x) + 0.3 * self.norm(out)


def _resnet_plan(size: int, dim: int) -> list[int]:
    """Channels per resolution from 4x4 up: 8, 4, 2, 1, 1/2 x dim, truncated to the stages of ``size``."""
    return [8 * dim, 4 * dim, 2 * dim, dim, dim // 2][: _stages(size) + 1]


class ResNet101Generator(nn.Module):
    """Linear to 4x4 x 8 dim; 6 bottleneck blocks per resolution (5 at the last) with an ``up`` block between
    resolutions (101 weight layers at 64 px); 1x1 conv to the image; ``tanh(x / 5)``."""

    def __init__(self, dim: int = 64, size: int = 64, channels: int = 3, latent_dim: int = 128) -> None:
        super().__init__()
        plan = _resnet_plan(size, dim)
        self.latent_dim, self.c0 = latent_dim, plan[0]
        self.input = nn.Linear(latent_dim, 4 * 4 * plan[0])
        blocks: list[nn.Module] = []
        for i, c in enumerate(plan):
            blocks += [BottleneckBlock(c, c, None, "batch") for _ in range(5 if i == len(plan) - 1 else 6)]
            if i < len(plan) - 1:
                blocks.append(BottleneckBlock(c, plan[i + 1], "up", "batch"))
        self.blocks = nn.Sequential(*blocks)
        self.output = _glorot(nn.Conv2d(plan[-1], channels, 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.input(z).view(-1, self.c0, 4, 4))
        return torch.tanh(self.output(x) / 5.0)


class ResNet101Critic(nn.Module):
    """1x1 conv to dim/2; 5 bottleneck blocks at the input resolution, then per halving a ``down`` block and 6
    blocks; linear; output / 5. ``norm``: layer (WGAN-GP) or batch."""

    def __init__(self, dim: int = 64, size: int = 64, channels: int = 3, norm: str = "batch") -> None:
        super().__init__()
        plan = list(reversed(_resnet_plan(size, dim)))
        self.input = _glorot(nn.Conv2d(channels, plan[0], 1))
        blocks: list[nn.Module] = [BottleneckBlock(plan[0], plan[0], None, norm) for _ in range(5)]
        for c_in, c_out in zip(plan[:-1], plan[1:]):
            blocks.append(BottleneckBlock(c_in, c_out, "down", norm))
            blocks += [BottleneckBlock(c_out, c_out, None, norm) for _ in range(6)]
        self.blocks = nn.Sequential(*blocks)
        self.output = nn.Linear(4 * 4 * plan[-1], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.output(self.blocks(self.input(x)).flatten(1)) / 5.0).squeeze(1)


def _dcgan_g(dim: int, size: int, channels: int, norm: str = "batch", activation: str = "relu") -> nn.Module:
    n = _stages(size)
    return tflib_init_(DCGANGenerator(dim=dim, mults=(8, 4, 2, 1)[:n], channels=channels, norm=norm,
                                      activation=activation, input_norm="channels"), std=0.02)


def _dcgan_d(dim: int, size: int, channels: int, norm: str, activation: str = "leaky_relu") -> nn.Module:
    n = _stages(size)
    return tflib_init_(DCGANCritic(dim=dim, mults=(1, 2, 4, 8)[:n], channels=channels, size=size, norm=norm,
                                   activation=activation), std=0.02)


def build(arch: str, method: str, *, dim: int = 64, size: int = 64, channels: int = 3) -> tuple[nn.Module, nn.Module]:
    """``(generator, critic)`` of Figure 2's architecture ``arch`` for ``method`` (see the module docstring)."""
    check_choice("arch", arch, ARCHITECTURES)
    check_choice("method", method, METHODS)
    d_norm = "layer" if method == "wgan-gp" else "batch"
    if arch == "dcgan":
        return _dcgan_g(dim, size, channels), _dcgan_d(dim, size, channels, d_norm)
    if arch == "no_bn_constant_g":
        return tflib_init_(ConstantFilterGenerator(dim, size, channels)), _dcgan_d(dim, size, channels, d_norm)
    if arch == "mlp_g":
        return tflib_init_(MLPGenerator(size, channels)), _dcgan_d(dim, size, channels, d_norm)
    if arch == "no_norm":
        return _dcgan_g(dim, size, channels, norm="none"), _dcgan_d(dim, size, channels, "none")
    if arch == "gated":
        return tflib_init_(GatedGenerator(dim, size, channels)), tflib_init_(GatedCritic(dim, size, channels, d_norm))
    if arch == "tanh":
        return (_dcgan_g(dim, size, channels, activation="tanh"),
                _dcgan_d(dim, size, channels, d_norm, activation="tanh"))
    return tflib_init_(ResNet101Generator(dim, size, channels)), tflib_init_(ResNet101Critic(dim, size, channels, d_norm))
