"""Color MNIST, the first dataset of *Many Paths to Equilibrium*'s real-data study (Section 5, its reference [15]).

[15] is Metz et al., *Unrolled Generative Adversarial Networks* (ICLR 2017), whose colored MNIST holds one digit per
image painted in one random colour: the colour ``c ~ N(0, COLOR_STD^2)`` per RGB channel, the image
``x = d c + (d - 1)`` for a digit ``d`` in [0, 1] (background -1, strokes ``c``), plus ``N(0, NOISE_STD^2)`` pixel
noise, clipped to [-1, 1]. The construction was read from the public reimplementation of the same group's alpha-GAN
(Rosca et al. 2017, Many Paths' reference [20], which runs its Color MNIST experiments); Metz et al.'s own appendix
was not available offline. As there, every draw paints a digit with a fresh colour and fresh noise: the data are an
endless stream, and held-out sets (:func:`paint` with a fixed seed) are painted once.

:func:`digit_splits` gives the MNIST digits behind the three uses the study needs: training the GANs, fitting the
independent critic, and the test set (the critic's evaluation and the diversity reference), disjoint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from gpkit.params import check_int

__all__ = ["COLOR_STD", "NOISE_STD", "paint", "sampler", "digit_splits", "SPLIT_NAMES"]

#: Standard deviation of each channel of a digit's colour (Metz et al.; alpha-GAN's ``tf.random_normal(..., 0., 0.5)``).
COLOR_STD = 0.5
#: Standard deviation of the per-pixel noise added after painting (alpha-GAN: ``tf.random_normal(..., 0, 0.2)``).
NOISE_STD = 0.2
#: The disjoint digit sets of :func:`digit_splits`.
SPLIT_NAMES = ("train", "critic", "test")


def paint(digits: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Colour digits: ``(N, 1, H, W)`` in [0, 1] -> ``(N, 3, H, W)`` in [-1, 1], one colour ``N(0, 0.5^2)`` per channel
    per digit, background -1, plus ``N(0, 0.2^2)`` noise, clipped. Draws the colours, then the noise, from
    ``generator``. ``ValueError`` for digits outside [0, 1] (a [-1, 1] digit would paint its background)."""
    if digits.dim() != 4 or digits.shape[1] != 1:
        raise ValueError(f"digits must be (N, 1, H, W), got {tuple(digits.shape)}")
    if digits.numel() and (float(digits.min()) < 0.0 or float(digits.max()) > 1.0):
        raise ValueError(f"digits must be in [0, 1] (the MNIST loader's default range), got "
                         f"[{float(digits.min()):.3g}, {float(digits.max()):.3g}]")
    n = digits.shape[0]
    kw = dict(generator=generator, device=digits.device, dtype=digits.dtype)
    color = torch.randn(n, 3, 1, 1, **kw) * COLOR_STD
    painted = digits * color + (digits - 1.0)
    painted = painted + torch.randn(painted.shape, **kw) * NOISE_STD
    return painted.clamp_(-1.0, 1.0)


def sampler(digits: torch.Tensor) -> Callable[[int, torch.Generator], torch.Tensor]:
    """``sample(n, rng)``: ``n`` digits drawn with replacement from ``digits`` ``(N, 1, H, W)`` in [0, 1], each painted
    afresh (:func:`paint`), ``(n, 3, H, W)`` in [-1, 1]: the stream a GAN trains on, as the reference draws it."""
    if len(digits) == 0:
        raise ValueError("digits must hold at least one image")

    def sample(n: int, rng: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(digits), (n,), generator=rng, device=digits.device)
        return paint(digits[idx], rng)

    return sample


def digit_splits(root: str | Path = "data", *, n_critic: int, n_test: int, seed: int = 0, pad: int = 0,
                 n_train: int | None = None) -> dict[str, torch.Tensor]:
    """MNIST digits ``(N, 1, 28 + 2 pad, 28 + 2 pad)`` in [0, 1] for Color MNIST: ``{"train", "critic", "test"}``.

    With the full MNIST (a test split present): the test split's first ``n_test`` digits are ``test``; one seeded
    permutation of the train split gives ``critic`` (``n_critic``) and ``train`` (``n_train``, default the rest).
    With the offline copy (10,000 train digits, no test split) one seeded permutation of those gives ``test``, then
    ``critic``, then ``train``. ``ValueError`` naming the sizes when the digits are too few.
    """
    from gpkit.data.images import load
    from gpkit.data.layout import is_offline_mnist
    from gpkit.utils import make_generator

    n_critic = check_int("n_critic", n_critic, minimum=1)
    n_test = check_int("n_test", n_test, minimum=1)
    if n_train is not None:
        n_train = check_int("n_train", n_train, minimum=1)
    train = load("mnist", root=root, split="train", pad=pad)
    if is_offline_mnist(root):
        order = torch.randperm(len(train), generator=make_generator(seed))
        test, rest = train[order[:n_test]], order[n_test:]
    else:
        test = load("mnist", root=root, split="test", pad=pad)[:n_test]
        if len(test) < n_test:
            raise ValueError(f"n_test = {n_test} exceeds the {len(test)} digits of MNIST's test split under {root}")
        rest = torch.randperm(len(train), generator=make_generator(seed))
    need = n_critic + (n_train or 1)
    if len(rest) < need:
        raise ValueError(f"n_critic + n_train = {need} exceeds the {len(rest)} MNIST digits left under {root} "
                         f"after the test set")
    critic = train[rest[:n_critic]]
    fit = rest[n_critic:] if n_train is None else rest[n_critic:n_critic + n_train]
    return {"train": train[fit], "critic": critic, "test": test}
