"""Table 4's character-level language model (the reference's ``gan_language.py``): a continuous generator.

The generator maps z in R^128 deterministically to 32 softmax vectors over the characters (no sampling step);
the critic reads one-hot (real) or softmax (fake) sequences. Both are 1-D CNNs of residual blocks.

Shapes: ``TextGenerator``: (B, latent_dim) -> (B, seq_len, vocab), rows summing to 1; ``TextCritic``:
(B, seq_len, vocab) -> (B,).
"""

from __future__ import annotations

import torch
from torch import nn

from gpkit.models.activations import relu
from gpkit.models.images import tflib_init_

__all__ = ["ResBlock1d", "TextGenerator", "TextCritic"]


class ResBlock1d(nn.Module):
    """ReLU, conv1d (kernel 5, same padding), ReLU, conv1d (kernel 5); returns ``x + 0.3 * output``."""

    def __init__(self, dim: int, kernel: int = 5) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(dim, dim, kernel, padding=kernel // 2)
        self.conv2 = nn.Conv1d(dim, dim, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 0.3 * self.conv2(relu(self.conv1(relu(x))))


class TextGenerator(nn.Module):
    """Linear from z to ``dim x seq_len``, 5 residual blocks, 1x1 conv to the vocabulary, softmax per position."""

    def __init__(self, vocab: int, seq_len: int = 32, dim: int = 512, latent_dim: int = 128, blocks: int = 5) -> None:
        super().__init__()
        self.latent_dim, self.seq_len, self.dim = latent_dim, seq_len, dim
        self.input = nn.Linear(latent_dim, seq_len * dim)
        self.blocks = nn.Sequential(*(ResBlock1d(dim) for _ in range(blocks)))
        self.output = nn.Conv1d(dim, vocab, 1)
        tflib_init_(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.input(z).view(-1, self.dim, self.seq_len)  # channels first, as the reference's reshape
        logits = self.output(self.blocks(x)).transpose(1, 2)
        return torch.softmax(logits, dim=-1)


class TextCritic(nn.Module):
    """1x1 conv from the vocabulary to ``dim``, 5 residual blocks, linear from ``dim x seq_len`` to one score."""

    def __init__(self, vocab: int, seq_len: int = 32, dim: int = 512, blocks: int = 5) -> None:
        super().__init__()
        self.seq_len, self.dim = seq_len, dim
        self.input = nn.Conv1d(vocab, dim, 1)
        self.blocks = nn.Sequential(*(ResBlock1d(dim) for _ in range(blocks)))
        self.output = nn.Linear(seq_len * dim, 1)
        tflib_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[1] != self.seq_len:
            raise ValueError(f"critic input must be (B, {self.seq_len}, vocab), got {tuple(x.shape)}")
        h = self.blocks(self.input(x.transpose(1, 2)))
        return self.output(h.flatten(1)).squeeze(1)
