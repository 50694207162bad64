"""DCGAN-style image models of the reference code: MNIST (28x28), CIFAR (32x32) and 64x64.

All three share one shape: the generator maps ``z`` (B, 128) through a linear layer
to a 4x4 feature map and up through 5x5 stride-2 transposed convolutions; the critic
mirrors it with 5x5 stride-2 convolutions and a linear output (no sigmoid: the
objectives take raw scores).

- MNIST: ``4*dim -> 2*dim -> dim -> 1`` channels, the 8x8 map cropped to 7x7 so the
  output is 28x28, sigmoid output (data in [0, 1]).
- CIFAR: ``4*dim -> 2*dim -> dim -> 3``, 32x32, tanh output (data in [-1, 1]).
- 64x64: ``8*dim -> 4*dim -> 2*dim -> dim -> 3``, tanh output.

Normalisation is configurable: the generator ``batch`` or ``none``; the critic
``batch``, ``layer`` (each sample normalised over (C, H, W), per-channel gain and
bias, as the reference) or ``none``. Batch norm always uses batch statistics, also
when sampling, as the reference does. The critic's first layer is never normalised.

Initialisation follows the reference's ``tflib``: uniform with the He/Glorot
variances of its ``Linear``/``Conv2D``/``Deconv2D`` (:func:`tflib_init_`); the 64x64
DCGAN overrides every weight with std 0.02.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from gpkit.models.activations import LeakyReLU, ReLU, relu
from gpkit.params import check_choice, check_int

__all__ = [
    "G_NORMS",
    "D_NORMS",
    "ACTIVATIONS",
    "ChannelLayerNorm",
    "DCGANGenerator",
    "DCGANCritic",
    "tflib_init_",
    "mnist_generator",
    "mnist_critic",
    "cifar_generator",
    "cifar_critic",
    "dcgan64_generator",
    "dcgan64_critic",
    "sample_grid",
    "ResidualBlock",
    "ResNetGenerator",
    "ResNetCritic",
    "resnet_generator",
    "resnet_critic",
    "CondBatchNorm2d",
    "CifarResidualBlock",
    "CifarResNetGenerator",
    "CifarResNetCritic",
    "cifar_resnet_generator",
    "cifar_resnet_critic",
]

G_NORMS = ("batch", "none")
D_NORMS = ("batch", "layer", "none")


class _ScaledSoftplus(nn.Module):
    """``softplus(2x + 2) / 2 - 1`` (Table 1's smooth ReLU-like nonlinearity)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.softplus(2 * x + 2) / 2 - 1


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": lambda: LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "softplus": _ScaledSoftplus,
}


class ChannelLayerNorm(nn.Module):
    """Layer norm of the reference critic: each sample of ``(B, C, H, W)`` normalised over
    ``(C, H, W)``, then a per-channel gain and bias."""

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        var = x.var(dim=(1, 2, 3), keepdim=True, unbiased=False)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return x * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


def _norm2d(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels, track_running_stats=False)
    if kind == "layer":
        return ChannelLayerNorm(channels)
    return nn.Identity()


class DCGANGenerator(nn.Module):
    """``z`` (B, latent_dim) -> images (B, channels, size, size).

    ``mults``: channel multipliers of ``dim`` from the 4x4 map down (e.g. ``(4, 2, 1)``);
    each step doubles the resolution; ``crop_to`` crops the map after the first
    transposed convolution (MNIST: 7). ``output``: ``sigmoid`` or ``tanh``.
    ``input_norm``: batch norm of the linear layer's outputs as ``features`` (MNIST, CIFAR
    references) or as ``channels`` of the 4x4 map (64x64 reference).
    """

    def __init__(
        self,
        *,
        dim: int,
        mults: Sequence[int],
        channels: int,
        latent_dim: int = 128,
        norm: str = "batch",
        activation: str = "relu",
        output: str = "tanh",
        crop_to: int | None = None,
        input_norm: str = "features",
    ) -> None:
        super().__init__()
        check_choice("norm", norm, G_NORMS)
        check_choice("input_norm", input_norm, ("features", "channels"))
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("output", output, ("tanh", "sigmoid"))
        self.dim = check_int("dim", dim, minimum=1)
        self.latent_dim = check_int("latent_dim", latent_dim, minimum=1)
        self.c0 = mults[0] * dim
        self.crop_to = crop_to
        act = ACTIVATIONS[activation]
        self.input = nn.Linear(latent_dim, 4 * 4 * self.c0)
        self.norm_channels = input_norm == "channels"
        if norm != "batch":
            self.input_norm: nn.Module = nn.Identity()
        elif self.norm_channels:  # 64x64 reference: batch norm over (B, H, W) after the reshape to 4x4
            self.input_norm = nn.BatchNorm2d(self.c0, track_running_stats=False)
        else:  # MNIST and CIFAR references: batch norm of each linear output over the batch
            self.input_norm = nn.BatchNorm1d(4 * 4 * self.c0, track_running_stats=False)
        self.input_act = act()
        ups = []
        chans = [m * dim for m in mults] + [channels]
        for i, (c_in, c_out) in enumerate(zip(chans[:-1], chans[1:])):
            last = i == len(chans) - 2
            ups.append(nn.ConvTranspose2d(c_in, c_out, 5, stride=2, padding=2, output_padding=1))
            if not last:
                ups.append(_norm2d(norm, c_out))
                ups.append(act())
        self.ups = nn.ModuleList(ups)
        self.output = nn.Sigmoid() if output == "sigmoid" else nn.Tanh()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.input(z)
        if self.norm_channels:
            x = self.input_act(self.input_norm(x.view(-1, self.c0, 4, 4)))
        else:
            x = self.input_act(self.input_norm(x)).view(-1, self.c0, 4, 4)
        first = True
        for layer in self.ups:
            x = layer(x)
            if first and isinstance(layer, nn.ConvTranspose2d) and self.crop_to is not None:
                x = x[:, :, : self.crop_to, : self.crop_to]
            if isinstance(layer, nn.ConvTranspose2d):
                first = False
        return self.output(x)


class DCGANCritic(nn.Module):
    """Images (B, channels, size, size) -> scores (B,).

    ``mults``: channel multipliers of ``dim`` for each 5x5 stride-2 convolution (e.g.
    ``(1, 2, 4)``); ``size`` the input resolution (the last map is ``ceil(size / 2^k)``).
    """

    def __init__(
        self,
        *,
        dim: int,
        mults: Sequence[int],
        channels: int,
        size: int,
        norm: str = "none",
        activation: str = "leaky_relu",
    ) -> None:
        super().__init__()
        check_choice("norm", norm, D_NORMS)
        check_choice("activation", activation, ACTIVATIONS)
        self.dim = check_int("dim", dim, minimum=1)
        act = ACTIVATIONS[activation]
        layers: list[nn.Module] = []
        c_in, s = channels, size
        for i, m in enumerate(mults):
            layers.append(nn.Conv2d(c_in, m * dim, 5, stride=2, padding=2))
            if i > 0:
                layers.append(_norm2d(norm, m * dim))
            layers.append(act())
            c_in, s = m * dim, math.ceil(s / 2)
        self.features = nn.Sequential(*layers)
        self.output = nn.Linear(c_in * s * s, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.features(x).flatten(1)).squeeze(1)


@torch.no_grad()
def tflib_init_(module: nn.Module, std: float | None = None) -> nn.Module:
    """Initialise like the reference's ``tflib``: zero biases and uniform weights with std

    - linear: ``sqrt(2 / (fan_in + fan_out))`` (Glorot), or ``sqrt(2 / fan_in)`` (He) for a layer marked by
      :func:`he_linear` (the reference's ``initialization='he'``);
    - conv: ``sqrt(4 / (fan_in + fan_out))`` with ``fan_out = out * k^2 / stride^2`` (1-D: ``out * k / stride``);
    - transposed conv: ``sqrt(4 / (fan_in + fan_out))`` with ``fan_in = in * k^2 / stride^2``;

    or, with ``std`` given (the 64x64 DCGAN: 0.02), that std for every weight.
    Normalisation gains are 1 and biases 0. Returns ``module``.
    """
    for m in module.modules():
        if isinstance(m, nn.Linear):
            fan = m.in_features if getattr(m, "_gpkit_he", False) else m.in_features + m.out_features
            s = std if std is not None else math.sqrt(2.0 / fan)
        elif isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)):
            k = math.prod(m.kernel_size)
            stride2 = math.prod(m.stride)
            if isinstance(m, nn.ConvTranspose2d):
                fan_in, fan_out = m.in_channels * k / stride2, m.out_channels * k
            else:
                fan_in, fan_out = m.in_channels * k, m.out_channels * k / stride2
            gain = 2.0 if getattr(m, "_gpkit_glorot", False) else 4.0  # he_init=False layers use Glorot's 2
            s = std if std is not None else math.sqrt(gain / (fan_in + fan_out))
        else:
            continue
        nn.init.uniform_(m.weight, -s * math.sqrt(3), s * math.sqrt(3))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    return module


def mnist_generator(dim: int = 64, norm: str = "none", activation: str = "relu", latent_dim: int = 128) -> DCGANGenerator:
    """The reference MNIST generator: (B, 128) -> (B, 1, 28, 28) in [0, 1] (batch norm only in its clipping mode)."""
    return tflib_init_(DCGANGenerator(dim=dim, mults=(4, 2, 1), channels=1, latent_dim=latent_dim, norm=norm,
                                      activation=activation, output="sigmoid", crop_to=7))


def mnist_critic(dim: int = 64, norm: str = "none", activation: str = "leaky_relu") -> DCGANCritic:
    """The reference MNIST critic: (B, 1, 28, 28) -> (B,) (batch norm only in its clipping mode)."""
    return tflib_init_(DCGANCritic(dim=dim, mults=(1, 2, 4), channels=1, size=28, norm=norm, activation=activation))


def cifar_generator(dim: int = 128, norm: str = "batch", activation: str = "relu", latent_dim: int = 128,
                    channels: int = 3) -> DCGANGenerator:
    """The CIFAR DCGAN generator of Figure 3: (B, 128) -> (B, channels, 32, 32) in [-1, 1]."""
    return tflib_init_(DCGANGenerator(dim=dim, mults=(4, 2, 1), channels=channels, latent_dim=latent_dim, norm=norm,
                                      activation=activation, output="tanh"))


def cifar_critic(dim: int = 128, norm: str = "batch", activation: str = "leaky_relu", channels: int = 3) -> DCGANCritic:
    """The CIFAR DCGAN critic of Figure 3: (B, 3, 32, 32) -> (B,); ``norm="none"`` for WGAN-GP."""
    return tflib_init_(DCGANCritic(dim=dim, mults=(1, 2, 4), channels=channels, size=32, norm=norm,
                                   activation=activation))


def dcgan64_generator(dim: int = 64, norm: str = "batch", activation: str = "relu", latent_dim: int = 128) -> DCGANGenerator:
    """The 64x64 DCGAN generator (LSUN baseline of Figure 2): (B, 128) -> (B, 3, 64, 64), init std 0.02."""
    return tflib_init_(DCGANGenerator(dim=dim, mults=(8, 4, 2, 1), channels=3, latent_dim=latent_dim, norm=norm,
                                      activation=activation, output="tanh", input_norm="channels"), std=0.02)


def dcgan64_critic(dim: int = 64, norm: str = "batch", activation: str = "leaky_relu") -> DCGANCritic:
    """The 64x64 DCGAN critic: (B, 3, 64, 64) -> (B,); layer norm instead of batch norm for WGAN-GP."""
    return tflib_init_(DCGANCritic(dim=dim, mults=(1, 2, 4, 8), channels=3, size=64, norm=norm,
                                   activation=activation), std=0.02)


@torch.no_grad()
def sample_grid(generator: nn.Module, z: torch.Tensor, value_range: tuple[float, float], nrow: int = 8,
                labels: torch.Tensor | None = None) -> torch.Tensor:
    """Generate from fixed ``z`` (and ``labels`` for a class-conditional generator) and tile with
    ``torchvision.utils.make_grid``: (3, H, W) in [0, 1]."""
    from torchvision.utils import make_grid

    was_training = generator.training
    generator.train()  # batch statistics, as the reference samples
    images = (generator(z) if labels is None else generator(z, labels.to(z.device))).float().cpu()
    generator.train(was_training)
    lo, hi = value_range
    return make_grid((images - lo) / (hi - lo), nrow=nrow, padding=2, pad_value=1.0).clamp(0, 1)


# ------------------------------------------------------------------ ResNets
class _UpsampleConv(nn.Sequential):
    """Nearest-neighbour 2x upsampling then a same-padded convolution (the reference's ``UpsampleConv``)."""

    def __init__(self, c_in: int, c_out: int, k: int, bias: bool = True) -> None:
        super().__init__(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=bias))


class _ConvMeanPool(nn.Sequential):
    """A same-padded convolution then 2x2 mean pooling (``ConvMeanPool``)."""

    def __init__(self, c_in: int, c_out: int, k: int, bias: bool = True) -> None:
        super().__init__(nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=bias), nn.AvgPool2d(2))


class _MeanPoolConv(nn.Sequential):
    """2x2 mean pooling then a same-padded convolution (``MeanPoolConv``)."""

    def __init__(self, c_in: int, c_out: int, k: int, bias: bool = True) -> None:
        super().__init__(nn.AvgPool2d(2), nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=bias))


def he_linear(layer: nn.Linear) -> nn.Linear:
    """Mark a linear layer for He initialisation in :func:`tflib_init_` (``lib.ops.linear.Linear(...,
    initialization='he')``: uniform with std ``sqrt(2 / fan_in)``)."""
    layer._gpkit_he = True
    return layer


@torch.no_grad()
def wgan_init_(module: nn.Module, keep_linear: bool = False) -> nn.Module:
    """Initialise like the WGAN paper's code (martinarjovsky/WassersteinGAN ``main.py``, ``weights_init``):
    convolution weights ``N(0, 0.02)``, batch-norm gains ``N(1, 0.02)`` and their biases 0. Linear layers take
    ``N(0, 0.02)`` too (in our DCGAN-style models a linear layer stands where the reference has its first or last
    convolution), unless ``keep_linear``: then PyTorch's default (``reset_parameters``), as the reference's MLP
    generator keeps it (``weights_init`` matches only Conv and BatchNorm classes). Other biases are 0.
    Returns ``module``."""
    for m in module.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.Linear):
            if keep_linear:
                m.reset_parameters()
                continue
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
        else:
            continue
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    return module


def _glorot(module: nn.Module) -> nn.Module:
    """Mark a layer for Glorot instead of He initialisation (the reference's ``he_init=False``)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m._gpkit_glorot = True
    return module


class ResidualBlock(nn.Module):
    """The reference's pre-activation residual block: norm, ReLU, 3x3 conv, norm, ReLU, 3x3 conv, plus a 1x1
    shortcut when the shape changes. ``resample``: ``up`` (nearest upsampling inside the first conv and the
    shortcut), ``down`` (mean pooling after the second conv and before the shortcut) or None."""

    def __init__(self, c_in: int, c_out: int, resample: str | None, norm: str) -> None:
        super().__init__()
        check_choice("resample", resample, ("up", "down", None))
        if resample == "up":
            self.conv1, self.conv2 = _UpsampleConv(c_in, c_out, 3, bias=False), nn.Conv2d(c_out, c_out, 3, padding=1)
            self.shortcut: nn.Module = _glorot(_UpsampleConv(c_in, c_out, 1))
            mid = c_out
        elif resample == "down":
            self.conv1, self.conv2 = nn.Conv2d(c_in, c_in, 3, padding=1, bias=False), _ConvMeanPool(c_in, c_out, 3)
            self.shortcut = _glorot(_MeanPoolConv(c_in, c_out, 1))
            mid = c_in
        else:
            self.conv1, self.conv2 = nn.Conv2d(c_in, c_in, 3, padding=1, bias=False), nn.Conv2d(c_in, c_out, 3, padding=1)
            self.shortcut = nn.Identity() if c_in == c_out else _glorot(nn.Conv2d(c_in, c_out, 1))
            mid = c_in
        self.norm1, self.norm2 = _norm2d(norm, c_in), _norm2d(norm, mid)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(relu(self.norm1(x)))
        out = self.conv2(relu(self.norm2(out)))
        return self.shortcut(x) + out


class ResNetGenerator(nn.Module):
    """The reference's 64x64 ResNet generator (``GoodGenerator``), for any power-of-two ``size`` >= 8:
    linear to a 4x4 map of ``8*dim`` channels, one ``up`` residual block per doubling, batch norm, ReLU,
    3x3 conv, tanh. Channels: 8, 8, 4, 2, 1 x dim for the first blocks, then ``dim`` (128 px: one extra
    ``dim`` block; the authors' 128x128 model is not public, this is our reading). (B, 128) -> (B, 3, size, size)."""

    def __init__(self, dim: int = 64, size: int = 64, latent_dim: int = 128, norm: str = "batch") -> None:
        super().__init__()
        check_choice("norm", norm, G_NORMS)
        n_up = int(math.log2(check_int("size", size, minimum=8) // 4))
        if 4 * 2 ** n_up != size:
            raise ValueError(f"size must be a power of two >= 8, got {size}")
        self.latent_dim, self.dim = latent_dim, dim
        mults = ([8, 8, 4, 2, 1] + [1] * n_up)[: n_up + 1]
        self.input = nn.Linear(latent_dim, 4 * 4 * 8 * dim)
        self.blocks = nn.Sequential(*[ResidualBlock(a * dim, b * dim, "up", norm) for a, b in zip(mults[:-1], mults[1:])])
        self.out_norm = _norm2d(norm, mults[-1] * dim)
        self.output = nn.Conv2d(mults[-1] * dim, 3, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.input(z).view(-1, 8 * self.dim, 4, 4))
        return torch.tanh(self.output(relu(self.out_norm(x))))


class ResNetCritic(nn.Module):
    """The reference's 64x64 ResNet critic (``GoodDiscriminator``), for any power-of-two ``size`` >= 8:
    3x3 conv to ``dim`` channels, one ``down`` residual block per halving down to 4x4 (channels 1, 2, 4, 8, 8 x dim,
    counted from the 4x4 end), linear. ``norm``: ``layer`` for WGAN-GP, ``batch`` or ``none``. (B, 3, s, s) -> (B,)."""

    def __init__(self, dim: int = 64, size: int = 64, norm: str = "layer") -> None:
        super().__init__()
        check_choice("norm", norm, D_NORMS)
        n_down = int(math.log2(check_int("size", size, minimum=8) // 4))
        if 4 * 2 ** n_down != size:
            raise ValueError(f"size must be a power of two >= 8, got {size}")
        mults = list(reversed(([8, 8, 4, 2, 1] + [1] * n_down)[: n_down + 1]))
        self.input = _glorot(nn.Conv2d(3, mults[0] * dim, 3, padding=1))
        self.blocks = nn.Sequential(*[ResidualBlock(a * dim, b * dim, "down", norm) for a, b in zip(mults[:-1], mults[1:])])
        self.output = nn.Linear(4 * 4 * mults[-1] * dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.blocks(self.input(x)).flatten(1)).squeeze(1)


def resnet_generator(dim: int = 64, size: int = 64, norm: str = "batch") -> ResNetGenerator:
    """:class:`ResNetGenerator` with the reference's initialisation."""
    return tflib_init_(ResNetGenerator(dim=dim, size=size, norm=norm))


def resnet_critic(dim: int = 64, size: int = 64, norm: str = "layer") -> ResNetCritic:
    """:class:`ResNetCritic` with the reference's initialisation."""
    return tflib_init_(ResNetCritic(dim=dim, size=size, norm=norm))


# ------------------------------------------------------- CIFAR ResNet (Table 3)
class CondBatchNorm2d(nn.Module):
    """Class-conditional batch norm (the reference's ``cond_batchnorm``): batch statistics, then a gain and an
    offset looked up by label (initialised to 1 and 0). ``(B, C, H, W)``, labels ``(B,)`` -> ``(B, C, H, W)``."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False, track_running_stats=False)
        self.gain, self.offset = nn.Embedding(num_classes, channels), nn.Embedding(num_classes, channels)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.offset.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.bn(x) * self.gain(y)[:, :, None, None] + self.offset(y)[:, :, None, None]


class _Norm(nn.Module):
    """Batch norm, its class-conditional variant (``num_classes`` > 0) or nothing; ``forward(x, y)``."""

    def __init__(self, kind: str, channels: int, num_classes: int = 0) -> None:
        super().__init__()
        self.conditional = kind == "batch" and num_classes > 0
        self.norm = CondBatchNorm2d(channels, num_classes) if self.conditional else _norm2d(kind, channels)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.norm(x, y) if self.conditional else self.norm(x)


class CifarResidualBlock(nn.Module):
    """The residual block of the reference's CIFAR ResNet (gan_cifar_resnet.py): norm, ReLU, conv1, norm, ReLU,
    conv2 (3x3, with biases), plus the shortcut: identity when nothing changes, else a 1x1 conv of the same
    resampling (``up``: upsample then conv; ``down``: conv then mean-pool). ``up``: conv1 does the upsampling
    and changes the channels; ``down``: conv2 changes them and pools; None: conv1 changes them."""

    def __init__(self, c_in: int, c_out: int, resample: str | None, norm: str = "none", num_classes: int = 0) -> None:
        super().__init__()
        check_choice("resample", resample, ("up", "down", None))
        if resample == "up":
            self.conv1, self.conv2 = _UpsampleConv(c_in, c_out, 3), nn.Conv2d(c_out, c_out, 3, padding=1)
            self.shortcut: nn.Module = _glorot(_UpsampleConv(c_in, c_out, 1))
            mid = c_out
        elif resample == "down":
            self.conv1, self.conv2 = nn.Conv2d(c_in, c_in, 3, padding=1), _ConvMeanPool(c_in, c_out, 3)
            self.shortcut = _glorot(_ConvMeanPool(c_in, c_out, 1))
            mid = c_in
        else:
            self.conv1, self.conv2 = nn.Conv2d(c_in, c_out, 3, padding=1), nn.Conv2d(c_out, c_out, 3, padding=1)
            self.shortcut = nn.Identity() if c_in == c_out else _glorot(nn.Conv2d(c_in, c_out, 1))
            mid = c_out
        self.norm1, self.norm2 = _Norm(norm, c_in, num_classes), _Norm(norm, mid, num_classes)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        out = self.conv1(relu(self.norm1(x, y)))
        out = self.conv2(relu(self.norm2(out, y)))
        return self.shortcut(x) + out


class CifarResNetGenerator(nn.Module):
    """Table 3's generator: ``z`` (B, 128) -> linear to ``dim`` x 4 x 4 -> three ``up`` residual blocks (batch
    norm, class-conditional when ``num_classes`` > 0) -> batch norm, ReLU, 3x3 conv, tanh -> (B, channels, 32, 32).
    ``forward(z, y=None)``: ``y`` (B,) int labels, required when conditional."""

    def __init__(self, dim: int = 128, latent_dim: int = 128, num_classes: int = 0, channels: int = 3,
                 norm: str = "batch") -> None:
        super().__init__()
        check_choice("norm", norm, G_NORMS)
        self.latent_dim, self.dim = latent_dim, check_int("dim", dim, minimum=1)
        self.num_classes = check_int("num_classes", num_classes, minimum=0)
        self.input = nn.Linear(latent_dim, 4 * 4 * dim)
        self.blocks = nn.ModuleList([CifarResidualBlock(dim, dim, "up", norm, num_classes) for _ in range(3)])
        self.out_norm = _norm2d(norm, dim)  # the reference's OutputN gets no labels
        self.output = _glorot(nn.Conv2d(dim, channels, 3, padding=1))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes and y is None:
            raise ValueError("this generator is class-conditional: call it as generator(z, labels)")
        x = self.input(z).view(-1, self.dim, 4, 4)
        for block in self.blocks:
            x = block(x, y)
        return torch.tanh(self.output(relu(self.out_norm(x))))


class CifarResNetCritic(nn.Module):
    """Table 3's critic, no normalisation: an optimised first block (3x3 conv, ReLU, conv + mean-pool; shortcut
    mean-pool + 1x1 conv), one ``down`` block, two plain blocks, ReLU, global mean pool, linear to 1.
    With ``num_classes`` > 0 an AC-GAN head (linear to class logits) on the same features.
    (B, channels, 32, 32) -> (B,), or ((B,), (B, num_classes)) with the head."""

    def __init__(self, dim: int = 128, num_classes: int = 0, channels: int = 3) -> None:
        super().__init__()
        self.num_classes = check_int("num_classes", num_classes, minimum=0)
        self.conv1 = nn.Conv2d(channels, dim, 3, padding=1)
        self.conv2 = _ConvMeanPool(dim, dim, 3)
        self.shortcut = _glorot(_MeanPoolConv(channels, dim, 1))
        self.blocks = nn.Sequential(CifarResidualBlock(dim, dim, "down"), CifarResidualBlock(dim, dim, None),
                                    CifarResidualBlock(dim, dim, None))
        self.output = nn.Linear(dim, 1)
        self.acgan = nn.Linear(dim, num_classes) if num_classes else None

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        h = self.shortcut(x) + self.conv2(relu(self.conv1(x)))
        h = relu(self.blocks(h)).mean(dim=(2, 3))
        score = self.output(h).squeeze(1)
        return score if self.acgan is None else (score, self.acgan(h))


def cifar_resnet_generator(dim: int = 128, num_classes: int = 0, channels: int = 3) -> CifarResNetGenerator:
    """:class:`CifarResNetGenerator` with the reference's initialisation."""
    return tflib_init_(CifarResNetGenerator(dim=dim, num_classes=num_classes, channels=channels))


def cifar_resnet_critic(dim: int = 128, num_classes: int = 0, channels: int = 3) -> CifarResNetCritic:
    """:class:`CifarResNetCritic` with the reference's initialisation."""
    return tflib_init_(CifarResNetCritic(dim=dim, num_classes=num_classes, channels=channels))
