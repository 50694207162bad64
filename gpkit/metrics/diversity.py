"""Sample diversity by MS-SSIM (*Many Paths to Equilibrium*, Section 5.1, after Odena et al. and Rosca et al.).

Two images that differ only in noise have a multi-scale structural similarity (MS-SSIM, Wang et al. 2003) near 1;
unrelated images near 0. A generator that collapses onto a few images makes its samples alike, so the mean
pairwise MS-SSIM of its samples rises. Many Paths reports it "in context with the value reported on the test set":
we report *diversity* = 1 - mean pairwise MS-SSIM, for the samples and for the test set, and their difference
(negative: less diverse than the data; strongly positive: e.g. samples that are not digits at all).

Pairs: "every pair of images from 5 batches", read as every pair within each of ``batches`` batches of
``batch_size`` images (5 x 64 x 63 / 2 = 10,080 pairs by default). MS-SSIM is torchmetrics'
(``multiscale_structural_similarity_index_measure``, its ``normalize="relu"`` default, which keeps a negative
contrast term at a coarse scale from turning the product into NaN). Small images cannot hold the standard 5 scales
and 11-pixel window: :func:`ms_ssim_settings` keeps a 7-pixel Gaussian window (sigma 1.5) and as many scales as
torchmetrics allows at the image size (3 at 28 or 32 pixels, 4 at 64), with the standard scale weights truncated
and renormalised.
"""

from __future__ import annotations

from typing import Any

import torch

from gpkit.params import check_int

__all__ = ["MS_SSIM_WEIGHTS", "KERNEL_SIZE", "SIGMA", "ms_ssim_settings", "ms_ssim", "pairwise_ms_ssim", "diversity",
           "diversity_gap"]

#: The standard MS-SSIM scale weights (Wang et al. 2003), finest first.
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
#: Gaussian window side and width.
KERNEL_SIZE = 7
SIGMA = 1.5


def ms_ssim_settings(size: int) -> dict[str, Any]:
    """torchmetrics keyword arguments for images of side ``size`` (pixels): the most scales (up to 5) its checks
    allow with a :data:`KERNEL_SIZE` window, their weights renormalised to sum to 1. ``ValueError`` below 2 scales."""
    size = check_int("size", size, minimum=1)
    scales = 0
    for n in range(len(MS_SSIM_WEIGHTS), 0, -1):
        if size >= 2 ** n and size // max(1, n - 1) ** 2 > KERNEL_SIZE - 1:
            scales = n
            break
    if scales < 2:
        raise ValueError(f"size = {size} pixels is too small for MS-SSIM with a {KERNEL_SIZE}-pixel window "
                         f"(needs at least 2 scales: size >= {max(4, KERNEL_SIZE)})")
    w = MS_SSIM_WEIGHTS[:scales]
    return {"kernel_size": KERNEL_SIZE, "sigma": SIGMA, "betas": tuple(x / sum(w) for x in w)}


def _check_images(name: str, x: torch.Tensor) -> None:
    if x.dim() != 4:
        raise ValueError(f"{name} must be (N, C, H, W), got {tuple(x.shape)}")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1.0 - 1e-6 or hi > 1.0 + 1e-6:
        raise ValueError(f"{name} must be in [-1, 1] (generator outputs), got [{lo:.3g}, {hi:.3g}]")


def ms_ssim(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """MS-SSIM of image pairs ``a[i]``, ``b[i]``: ``(N, C, H, W)`` each, values in [-1, 1] -> ``(N,)``."""
    from torchmetrics.functional.image import multiscale_structural_similarity_index_measure as msssim

    _check_images("a", a)
    _check_images("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    return msssim(a.float(), b.float(), data_range=(-1.0, 1.0), reduction="none",
                  **ms_ssim_settings(min(a.shape[-2:])))


def pairwise_ms_ssim(images: torch.Tensor, *, batch_size: int = 64, batches: int = 5) -> torch.Tensor:
    """MS-SSIM of every pair within each of ``batches`` consecutive batches of ``batch_size`` images:
    ``(batches * batch_size * (batch_size - 1) / 2,)``. ``images`` ``(N, C, H, W)`` in [-1, 1], N at least
    ``batches * batch_size``; ``ValueError`` otherwise."""
    batch_size = check_int("batch_size", batch_size, minimum=2)
    batches = check_int("batches", batches, minimum=1)
    if len(images) < batch_size * batches:
        raise ValueError(f"batches x batch_size = {batches * batch_size} exceeds the {len(images)} images given")
    i, j = torch.triu_indices(batch_size, batch_size, offset=1)
    out = []
    for k in range(batches):
        batch = images[k * batch_size:(k + 1) * batch_size]
        out.append(ms_ssim(batch[i], batch[j]))
    return torch.cat(out)


def diversity(images: torch.Tensor, *, batch_size: int = 64, batches: int = 5) -> float:
    """1 - mean pairwise MS-SSIM (:func:`pairwise_ms_ssim`) of ``images`` ``(N, C, H, W)`` in [-1, 1]: 0 when all
    are one image; higher for more varied images."""
    return 1.0 - float(pairwise_ms_ssim(images, batch_size=batch_size, batches=batches).mean())


def diversity_gap(samples: torch.Tensor, reference: torch.Tensor, *, batch_size: int = 64,
                  batches: int = 5) -> dict[str, float]:
    """``{"diversity", "reference", "gap"}``: the samples' and the reference (test) images' :func:`diversity`, and
    samples minus reference (negative: less diverse than the data, as a collapsed generator)."""
    d, r = (diversity(x, batch_size=batch_size, batches=batches) for x in (samples, reference))
    return {"diversity": d, "reference": r, "gap": d - r}
