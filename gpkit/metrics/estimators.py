"""Estimators and analytic values of the WGAN paper's toy figures: the EM and JS distances between the parallel
lines (Figure 1), the GAN's JS estimate from discriminator outputs, mode coverage and sample quality of a 2-D
mixture (Figure 2), and the R^2 of a line fit (Figure 3's linear critic).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

__all__ = ["LOG2", "HQ_STDS", "MIN_MODE_SHARE", "COVER_FRACTION", "analytic_em", "analytic_js", "js_estimate",
           "mode_stats", "r2"]

LOG2 = math.log(2.0)
#: A sample is high quality within HQ_STDS noise standard deviations of its nearest center.
HQ_STDS = 3.0
#: A mode is covered when at least MIN_MODE_SHARE of all samples lie within COVER_FRACTION times the distance
#: between neighbouring centers (0.27 in normalised units for the 8 Gaussians) of it; a fair share is 1/8.
MIN_MODE_SHARE = 0.025
COVER_FRACTION = 0.25


def analytic_em(theta: Any) -> np.ndarray:
    """``W(P_0, P_theta) = |theta|`` for the parallel lines (elementwise)."""
    return np.abs(np.asarray(theta, dtype=np.float64))


def analytic_js(theta: Any) -> np.ndarray:
    """``JS(P_0, P_theta)``: ``log 2`` for ``theta != 0`` (disjoint supports), ``0`` at ``theta = 0``."""
    t = np.asarray(theta, dtype=np.float64)
    return np.where(t == 0.0, 0.0, LOG2)


def js_estimate(d_real: Any, d_fake: Any) -> float:
    """The GAN's JS estimate from discriminator logits: ``log 2 + (E log D(real) + E log(1 - D(fake))) / 2``."""
    r = torch.as_tensor(np.asarray(d_real), dtype=torch.float64)
    f = torch.as_tensor(np.asarray(d_fake), dtype=torch.float64)
    return float(LOG2 + 0.5 * (torch.nn.functional.logsigmoid(r).mean() + torch.nn.functional.logsigmoid(-f).mean()))


def mode_stats(samples: Any, mode_centers: Any, std: float, hq_stds: float = HQ_STDS,
               min_share: float = MIN_MODE_SHARE, cover_fraction: float = COVER_FRACTION) -> dict[str, Any]:
    """Mode coverage and sample quality of 2-D ``samples (n, 2)`` against ``mode_centers (k, 2)``.

    Each sample goes to its nearest center. It is *high quality* when within ``hq_stds * std`` of it, and *near*
    the mode when within ``cover_fraction`` times the smallest distance between two centers. Returns
    ``modes_covered`` (centers with at least ``min_share`` of all samples near them), ``hq_fraction`` (fraction of
    high-quality samples), ``shares`` (per center, the fraction of all samples near it) and ``hq_shares`` (per
    center, the fraction of all samples that are high-quality samples of it).
    """
    x = np.asarray(samples, dtype=np.float64)
    c = np.asarray(mode_centers, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != c.shape[1] or len(x) == 0:
        raise ValueError(f"samples must be a non-empty (n, {c.shape[1]}) array, got shape {x.shape}")
    spacing = np.linalg.norm(c[:, None] - c[None], axis=2)
    spacing = spacing[~np.eye(len(c), dtype=bool)].min() if len(c) > 1 else np.inf
    dist = np.linalg.norm(x[:, None, :] - c[None, :, :], axis=2)
    nearest = dist.argmin(1)
    d = dist[np.arange(len(x)), nearest]
    hq = d <= hq_stds * std
    near = d <= cover_fraction * spacing
    shares = np.bincount(nearest[near], minlength=len(c)) / len(x)
    hq_shares = np.bincount(nearest[hq], minlength=len(c)) / len(x)
    return {"modes_covered": int((shares >= min_share).sum()), "hq_fraction": float(hq.mean()),
            "shares": shares.tolist(), "hq_shares": hq_shares.tolist()}


def r2(x: np.ndarray, y: np.ndarray) -> float:
    """R^2 of the least-squares line through ``(x, y)``."""
    a, b = np.polyfit(x, y, 1)
    ss_res = float(((y - (a * x + b)) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
