"""Table 1's family of random DCGAN-derived architectures (for Table 2, notebook ``07_random_architectures``).

Starting from the 32x32 DCGAN, each of G and D draws independently (Table 1):

- nonlinearity: ReLU, LeakyReLU (0.2), ``softplus(2x + 2) / 2 - 1``, tanh;
- depth: 4, 8, 12 or 20 layers;
- normalisation: on or off (batch norm in G; in D batch norm for the standard GAN, layer norm with a penalty);
- base filter count: 32, 64 or 128.

Depth counts weight layers. The base DCGAN has four (G: linear, three 5x5 stride-2 transposed convs; D: three
5x5 stride-2 convs, linear); deeper networks insert ``depth - 4`` extra 3x3 convolutions at 8x8 resolution,
each followed by the normalisation and the nonlinearity, as in the authors' related script. The authors
published no sampling code; this is our reading of Table 1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from gpkit.models.images import ACTIVATIONS, _norm2d, tflib_init_
from gpkit.params import check_choice, check_int

__all__ = ["TABLE1", "DCGAN_SPEC", "ArchSpec", "sample_architectures", "RandomGenerator", "RandomCritic", "build", "table1"]

#: Table 1: the options each of G and D draws from, uniformly and independently.
TABLE1: dict[str, tuple[Any, ...]] = {
    "nonlinearity": ("relu", "leaky_relu", "softplus", "tanh"),
    "depth": (4, 8, 12, 20),
    "normalisation": (True, False),
    "filters": (32, 64, 128),
}
METHOD_D_NORM = {"gan": "batch", "wgan-gp": "layer"}


@dataclass(frozen=True)
class ArchSpec:
    """One sampled architecture: the Table 1 settings of G (``g_*``) and D (``d_*``)."""

    g_nonlinearity: str
    g_depth: int
    g_normalisation: bool
    g_filters: int
    d_nonlinearity: str
    d_depth: int
    d_normalisation: bool
    d_filters: int

    def __post_init__(self) -> None:
        for side in ("g", "d"):
            for key, options in TABLE1.items():
                check_choice(f"{side}_{key}", getattr(self, f"{side}_{key}"), options)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def label(self) -> str:
        """Short description, e.g. ``G relu/8/bn/64, D tanh/4/-/32``."""
        def side(s: str) -> str:
            return (f"{getattr(self, s + '_nonlinearity')}/{getattr(self, s + '_depth')}/"
                    f"{'norm' if getattr(self, s + '_normalisation') else '-'}/{getattr(self, s + '_filters')}")
        return f"G {side('g')}, D {side('d')}"


#: The DCGAN baseline inside the family (Table 2's "standard DCGAN"): ReLU G, LeakyReLU D, 4 layers, batch norm, 64.
DCGAN_SPEC = ArchSpec("relu", 4, True, 64, "leaky_relu", 4, True, 64)


def sample_architectures(n: int, seed: int = 0) -> list[ArchSpec]:
    """``n`` architectures drawn uniformly from :data:`TABLE1` for G and D independently (seeded, numpy PCG64)."""
    n = check_int("n", n, minimum=1)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    out = []
    for _ in range(n):
        draw = {f"{side}_{key}": options[int(rng.integers(len(options)))]
                for side in ("g", "d") for key, options in TABLE1.items()}
        out.append(ArchSpec(**draw))
    return out


def _scaled(filters: int, scale: float) -> int:
    """Base filters times ``scale`` (at least 4): the quick profile shrinks Table 1's widths for a CPU."""
    if not 0 < scale <= 1:
        raise ValueError(f"filter_scale must be in (0, 1], got {scale}")
    return max(4, int(round(filters * scale)))


def _extra(channels: int, count: int, norm: str, activation: str) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for _ in range(count):
        layers += [nn.Conv2d(channels, channels, 3, padding=1), _norm2d(norm, channels), ACTIVATIONS[activation]()]
    return layers


class RandomGenerator(nn.Module):
    """G of a Table 1 architecture: z (B, 128) -> linear to 4x4 x 4f, norm, act -> 5x5/2 transposed conv to 8x8 x 2f,
    norm, act -> ``depth - 4`` 3x3 convs at 8x8 -> transposed convs to 16x16 x f and 32x32 x ``channels`` -> tanh."""

    def __init__(self, spec: ArchSpec, channels: int = 3, latent_dim: int = 128, filter_scale: float = 1.0) -> None:
        super().__init__()
        f, act, norm = _scaled(spec.g_filters, filter_scale), spec.g_nonlinearity, "batch" if spec.g_normalisation else "none"
        self.latent_dim, self.f = latent_dim, f
        self.input = nn.Linear(latent_dim, 4 * 4 * 4 * f)
        self.input_norm = nn.BatchNorm1d(4 * 4 * 4 * f, track_running_stats=False) if norm == "batch" else nn.Identity()
        self.input_act = ACTIVATIONS[act]()

        def up(c_in: int, c_out: int) -> nn.ConvTranspose2d:
            return nn.ConvTranspose2d(c_in, c_out, 5, stride=2, padding=2, output_padding=1)

        self.body = nn.Sequential(
            up(4 * f, 2 * f), _norm2d(norm, 2 * f), ACTIVATIONS[act](),
            *_extra(2 * f, spec.g_depth - 4, norm, act),
            up(2 * f, f), _norm2d(norm, f), ACTIVATIONS[act](),
            up(f, channels), nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.input_act(self.input_norm(self.input(z)))
        return self.body(x.view(-1, 4 * self.f, 4, 4))


class RandomCritic(nn.Module):
    """D of a Table 1 architecture: 5x5/2 conv to 16x16 x f, act -> 5x5/2 conv to 8x8 x 2f, norm, act ->
    ``depth - 4`` 3x3 convs at 8x8 -> 5x5/2 conv to 4x4 x 4f, norm, act -> linear. ``norm``: ``batch``
    (standard GAN), ``layer`` (with a penalty) or ``none``; used only when the spec turns normalisation on."""

    def __init__(self, spec: ArchSpec, norm: str = "batch", channels: int = 3, filter_scale: float = 1.0) -> None:
        super().__init__()
        check_choice("norm", norm, ("batch", "layer", "none"))
        f, act = _scaled(spec.d_filters, filter_scale), spec.d_nonlinearity
        norm = norm if spec.d_normalisation else "none"
        self.features = nn.Sequential(
            nn.Conv2d(channels, f, 5, stride=2, padding=2), ACTIVATIONS[act](),
            nn.Conv2d(f, 2 * f, 5, stride=2, padding=2), _norm2d(norm, 2 * f), ACTIVATIONS[act](),
            *_extra(2 * f, spec.d_depth - 4, norm, act),
            nn.Conv2d(2 * f, 4 * f, 5, stride=2, padding=2), _norm2d(norm, 4 * f), ACTIVATIONS[act](),
        )
        self.output = nn.Linear(4 * 4 * 4 * f, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.features(x).flatten(1)).squeeze(1)


def build(spec: ArchSpec, method: str, channels: int = 3,
          filter_scale: float = 1.0) -> tuple[RandomGenerator, RandomCritic]:
    """``(generator, critic)`` of ``spec`` for ``method`` (``gan``: batch norm in D when on; ``wgan-gp``: layer
    norm), with the reference's initialisation; ``filter_scale`` multiplies the base filter counts."""
    check_choice("method", method, tuple(METHOD_D_NORM))
    g = tflib_init_(RandomGenerator(spec, channels=channels, filter_scale=filter_scale))
    d = tflib_init_(RandomCritic(spec, norm=METHOD_D_NORM[method], channels=channels, filter_scale=filter_scale))
    return g, d


def table1():
    """Table 1 as a DataFrame: each setting and the values G and D draw from (independently)."""
    import pandas as pd

    labels = {"nonlinearity": "Nonlinearity", "depth": "Depth", "normalisation": "Normalisation",
              "filters": "Base filter count"}
    notes = {"normalisation": {"G": "batch norm", "D": "batch norm (GAN) / layer norm (WGAN-GP)"}}
    return pd.DataFrame([{"network": side, "setting": labels[key], "values": ", ".join(str(v) for v in TABLE1[key]),
                          "note": notes.get(key, {}).get(side, "")}
                         for side in ("G", "D") for key in TABLE1])

