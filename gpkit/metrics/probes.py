"""Probes of a critic: values on a grid, input-gradient norms, layer gradients, weights.

These are the measurements behind Figure 1 of the WGAN-GP paper.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from gpkit import objectives as objectives_mod
from gpkit.penalties import gradient_norms

__all__ = [
    "grid_points",
    "value_grid",
    "critic_values",
    "input_gradient_norms",
    "layer_gradient_norms",
    "critic_weights",
    "fraction_at_bounds",
]


def grid_points(extent: float, n: int) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
    """A square ``n x n`` grid over ``[-extent, extent]^2``: axis values ``xs, ys`` and points ``(n*n, 2)``.

    Points are ordered so that ``values.reshape(n, n)[iy, ix]`` is the value at ``(xs[ix], ys[iy])``
    (the layout ``matplotlib.contour(xs, ys, Z)`` expects).
    """
    xs = np.linspace(-extent, extent, n)
    ys = np.linspace(-extent, extent, n)
    gx, gy = np.meshgrid(xs, ys)
    pts = torch.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float32)
    return xs, ys, pts


@torch.no_grad()
def critic_values(critic: Callable[[torch.Tensor], torch.Tensor], points: torch.Tensor, chunk: int = 8192) -> np.ndarray:
    """Critic outputs at ``points (k, d)`` as a float64 numpy vector ``(k,)``."""
    dev = next(critic.parameters()).device if isinstance(critic, nn.Module) else points.device
    out = [critic(points[i : i + chunk].to(dev)).reshape(-1).double().cpu() for i in range(0, len(points), chunk)]
    return torch.cat(out).numpy()


def value_grid(critic: nn.Module, extent: float = 3.0, n: int = 128) -> np.ndarray:
    """Critic values on an ``n x n`` grid over ``[-extent, extent]^2``, shape ``(n, n)`` (rows: y)."""
    _, _, pts = grid_points(extent, n)
    return critic_values(critic, pts).reshape(n, n)


def input_gradient_norms(critic: nn.Module, points: torch.Tensor, chunk: int = 8192) -> np.ndarray:
    """``||grad_x D(x)||`` at ``points (k, ...)`` as numpy ``(k,)``."""
    dev = next(critic.parameters()).device
    out = [gradient_norms(critic, points[i : i + chunk].to(dev)).detach().double().cpu() for i in range(0, len(points), chunk)]
    return torch.cat(out).numpy()


def layer_gradient_norms(
    critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, objective: str = "wgan"
) -> np.ndarray:
    """Norm of the gradient of the critic loss w.r.t. each hidden layer's activations.

    ``critic`` must provide ``forward_with_activations(x) -> (out, [h_1, ..., h_L])``.
    Real and fake are passed separately; the gradient with respect to layer ``l`` is
    the concatenation over both batches, and its Euclidean norm (over batch and
    units) is returned as numpy ``(L,)``, layer 1 nearest the input. The penalty is
    not included, so clipped and penalised critics are measured on the same loss.
    """
    obj = objectives_mod.get(objective)
    out_r, acts_r = critic.forward_with_activations(real)
    out_f, acts_f = critic.forward_with_activations(fake)
    loss = obj.critic_loss(out_r, out_f)
    grads = torch.autograd.grad(loss, acts_r + acts_f)
    L = len(acts_r)
    # float64 before squaring: with small clipping bounds the entries reach 1e-20 and their squares underflow.
    norms = [torch.sqrt(grads[i].double().pow(2).sum() + grads[L + i].double().pow(2).sum()) for i in range(L)]
    return torch.stack(norms).detach().cpu().numpy()


def critic_weights(module: nn.Module, include_bias: bool = False) -> np.ndarray:
    """All weight-matrix entries of ``module`` (and biases if asked) as one numpy vector."""
    parts = [p.detach().reshape(-1).cpu() for name, p in module.named_parameters() if include_bias or p.dim() > 1]
    return torch.cat(parts).double().numpy()


def fraction_at_bounds(weights: np.ndarray, c: float, rel_tol: float = 0.01) -> float:
    """Fraction of ``weights`` within ``rel_tol * c`` of ``+-c`` (i.e. ``|w| >= (1 - rel_tol) c``)."""
    w = np.abs(np.asarray(weights))
    if w.size == 0:
        raise ValueError("weights is empty")
    return float(np.mean(w >= (1.0 - rel_tol) * c))
