"""Toy 2-D datasets of the WGAN-GP reference code (``gan_toy.py``).

All samplers return float32 tensors of shape ``(n, 2)`` in the reference's
normalised units (each dataset divided by its stated scale):

- ``8gaussians``: 8 centers ``2*(+-1, 0), 2*(0, +-1), 2*(+-1/sqrt2, +-1/sqrt2)``,
  a uniformly chosen center per point, noise std 0.02, all divided by 1.414.
  Fresh points every batch.
- ``25gaussians``: centers ``(2x, 2y)`` for ``x, y in -2..2``, noise std 0.05,
  generated as repeated sweeps over the 25 centers (equal counts), shuffled once,
  divided by 2.828. The reference draws training batches from one fixed set of
  100,000 such points; :class:`ToySampler` does the same.
- ``swissroll``: scikit-learn's ``make_swiss_roll(noise=0.25)`` re-implemented in
  torch (``t = 1.5*pi*(1 + 2u)``, points ``(t cos t, 21v, t sin t)`` plus N(0, 0.25^2)
  noise on every coordinate), columns 0 and 2 kept, divided by 7.5. Fresh every batch.
"""

from __future__ import annotations

import math

import torch

from gpkit.params import check_choice, check_int

__all__ = ["DATASETS", "sample", "ToySampler", "centers", "SCALE"]

DATASETS = ("8gaussians", "25gaussians", "swissroll")

#: The divisor the reference applies to each dataset.
SCALE = {"8gaussians": 1.414, "25gaussians": 2.828, "swissroll": 7.5}

#: Noise standard deviation around each center (before division).
NOISE = {"8gaussians": 0.02, "25gaussians": 0.05, "swissroll": 0.25}

#: Size of the fixed 25-Gaussians training set in the reference.
FIXED_SET_SIZE = 100_000


def centers(name: str) -> torch.Tensor:
    """Mixture centers of ``name`` in normalised units, shape ``(k, 2)`` (k = 8 or 25)."""
    check_choice("name", name, ("8gaussians", "25gaussians"))
    if name == "8gaussians":
        s = 1.0 / math.sqrt(2.0)
        unit = [(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (s, -s), (-s, s), (-s, -s)]
        c = torch.tensor(unit, dtype=torch.float64) * 2.0
    else:
        c = torch.tensor([(2.0 * x, 2.0 * y) for x in range(-2, 3) for y in range(-2, 3)], dtype=torch.float64)
    return (c / SCALE[name]).float()


def _device_of(generator: torch.Generator | None, device: torch.device | str | None) -> torch.device:
    if device is not None:
        return torch.device(device)
    return generator.device if generator is not None else torch.device("cpu")


def sample(
    name: str,
    n: int,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Draw ``n`` points of toy dataset ``name`` as a float32 ``(n, 2)`` tensor.

    ``generator`` (a ``torch.Generator``) makes the draw reproducible; the tensor is
    created on the generator's device unless ``device`` is given.
    For ``25gaussians`` this is the reference's construction of its fixed set with
    ``n`` points (equal counts per center up to rounding, shuffled).
    """
    check_choice("name", name, DATASETS)
    n = check_int("n", n, minimum=1)
    dev = _device_of(generator, device)
    kw = dict(generator=generator, device=dev, dtype=torch.float32)
    scale, noise = SCALE[name], NOISE[name]
    if name == "8gaussians":
        idx = torch.randint(0, 8, (n,), generator=generator, device=dev)
        mu = centers(name).to(dev)[idx] * scale
        x = mu + noise * torch.randn(n, 2, **kw)
    elif name == "25gaussians":
        grid = centers(name).to(dev) * scale
        reps = -(-n // 25)
        mu = grid.repeat(reps, 1)[:n]
        x = mu + noise * torch.randn(n, 2, **kw)
        x = x[torch.randperm(n, generator=generator, device=dev)]
    else:  # swissroll
        t = 1.5 * math.pi * (1.0 + 2.0 * torch.rand(n, **kw))
        # make_swiss_roll also draws the height coordinate and its noise; only columns 0 and 2 are kept.
        eps = torch.randn(n, 2, **kw)
        x = torch.stack((t * torch.cos(t), t * torch.sin(t)), dim=1) + noise * eps
    return x / scale


class ToySampler:
    """Batches of real toy data for training, on ``device``.

    ``sampler(n, generator)`` returns ``(n, 2)``. For ``25gaussians`` batches are drawn
    (uniformly, with replacement) from one fixed set of 100,000 points built from
    ``seed``, as the reference trains on a fixed set; the other datasets are fresh
    every call, as in the reference. The reference walks its shuffled fixed set in
    order; sampling rows uniformly gives the same batch distribution and needs no
    cursor to checkpoint.
    """

    def __init__(self, name: str, seed: int = 0, device: torch.device | str = "cpu") -> None:
        self.name = check_choice("dataset", name, DATASETS)
        self.device = torch.device(device)
        self.fixed: torch.Tensor | None = None
        if name == "25gaussians":
            g = torch.Generator(device="cpu").manual_seed(int(seed))
            self.fixed = sample(name, FIXED_SET_SIZE, generator=g).to(self.device)

    def __call__(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        if self.fixed is not None:
            idx = torch.randint(0, self.fixed.shape[0], (n,), generator=generator, device=self.device)
            return self.fixed[idx]
        return sample(self.name, n, generator=generator, device=self.device)

    def __repr__(self) -> str:
        return f"ToySampler({self.name!r}, device={str(self.device)!r})"
