"""ReLU and LeakyReLU whose double backward stops at the activation masks (the gradient penalty's fast path).

The gradient penalty differentiates ``||grad_x D(x_hat)||`` with respect to the critic's parameters (a double
backward). For a piecewise-linear activation the first-order backward is ``grad * mask(x)``; PyTorch's own
autograd formulas also differentiate that product with respect to ``x``, get ``zeros_like(grad)`` (the mask
is locally constant), and carry those zeros back through the whole forward pass at ``x_hat``: a backward pass
(input and weight gradients of every layer) that adds nothing. Inside :func:`penalty_graph`, which
:func:`gpkit.penalties.gradient_norms` opens around the critic's forward pass at the penalty's points when it
builds a differentiable gradient, gpkit's activations read the mask from a detached copy of the saved tensor,
so autograd never builds that branch. Everywhere else they are exactly ``F.relu`` / ``F.leaky_relu``.

Inside the scope the forward is still ``F.relu`` / ``F.leaky_relu`` and the backward PyTorch's own
``aten::threshold_backward`` / ``aten::leaky_relu_backward``, so values, first-order gradients and the
penalty's parameter gradients are bit-identical to ``nn.ReLU`` / ``nn.LeakyReLU`` (tested on every critic
family). Only the activations' second derivative with respect to their input, zero almost everywhere, is
left out of the graph instead of being computed as zeros; so ``autograd.grad`` of a penalty with respect to
the *input* points sees no path through a ReLU (it was identically zero).

Measured on a 2-core CPU (``benchmarks/bench_penalty.py``, penalised critic step, PyTorch's autograd over
gpkit's): toy MLP 1.20x the FLOPs and 1.15x the time, MNIST DCGAN 1.10x / 1.10x, CIFAR DCGAN without norm
1.09x / 1.12x. Critics with layer norm, the CIFAR ResNet and the language model's residual critic do the same
FLOPs either way (the norm's second derivative needs the backward through the forward pass regardless).

``with native_activations():`` switches the scope off (the benchmarks' textbook baseline, and the tests that
compare the two).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["relu", "leaky_relu", "ReLU", "LeakyReLU", "penalty_graph", "native_activations"]

_native = False
_scope = 0


@contextmanager
def penalty_graph() -> Iterator[None]:
    """Within the block, gpkit's activations build a graph whose double backward skips the masks' zeros."""
    global _scope
    _scope += 1
    try:
        yield
    finally:
        _scope -= 1


@contextmanager
def native_activations() -> Iterator[None]:
    """Within the block, gpkit's ``relu``/``leaky_relu`` are PyTorch's own, even inside :func:`penalty_graph`."""
    global _native
    before, _native = _native, True
    try:
        yield
    finally:
        _native = before


def _fast(x: torch.Tensor) -> bool:
    return bool(_scope) and not _native and x.requires_grad and torch.is_grad_enabled()


class _PiecewiseLinear(torch.autograd.Function):
    """``relu`` (slope 0) or ``leaky_relu`` (slope > 0) with a mask that is a constant to autograd."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor, slope: float) -> torch.Tensor:  # type: ignore[override]
        return F.relu(x) if slope == 0.0 else F.leaky_relu(x, slope)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        x, slope = inputs
        ctx.slope = slope
        # As PyTorch: relu keeps its output, leaky_relu its input (the sign is all the backward reads).
        ctx.save_for_backward(output if slope == 0.0 else x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:  # type: ignore[override]
        (saved,) = ctx.saved_tensors
        saved = saved.detach()  # the mask: no path back into the forward pass in a double backward
        if ctx.slope == 0.0:
            return torch.ops.aten.threshold_backward(grad, saved, 0), None
        return torch.ops.aten.leaky_relu_backward(grad, saved, ctx.slope, False), None


def relu(x: torch.Tensor) -> torch.Tensor:
    """``max(x, 0)`` elementwise, any shape; see the module docstring for its autograd."""
    return _PiecewiseLinear.apply(x, 0.0) if _fast(x) else F.relu(x)


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """``x`` where positive, else ``negative_slope * x``, any shape; see the module docstring."""
    if negative_slope <= 0.0:
        raise ValueError(f"negative_slope must be > 0 (use relu for 0), got {negative_slope}")
    return _PiecewiseLinear.apply(x, float(negative_slope)) if _fast(x) else F.leaky_relu(x, negative_slope)


class ReLU(nn.ReLU):
    """``nn.ReLU`` (same repr and ``isinstance``) computed by :func:`relu`."""

    def __init__(self) -> None:
        super().__init__(inplace=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return relu(x)


class LeakyReLU(nn.LeakyReLU):
    """``nn.LeakyReLU`` (same repr and ``isinstance``) computed by :func:`leaky_relu`."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__(negative_slope, inplace=False)
        if negative_slope <= 0.0:
            raise ValueError(f"negative_slope must be > 0 (use ReLU for 0), got {negative_slope}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return leaky_relu(x, self.negative_slope)
