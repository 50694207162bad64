"""Exact optimal transport on point clouds (POT's network simplex).

- :func:`exact_w1`: the Wasserstein-1 distance between two empirical distributions
  with Euclidean ground cost.
- :func:`optimal_critic`: a Kantorovich potential of that problem, extended to the
  whole space. POT returns dual variables ``u`` (real points) and ``v`` (fake points)
  with ``u_i + v_j <= ||x_i - y_j||``; the critic ``f(y_j) = -v_j`` is extended by the
  c-transform ``f(z) = min_j (||z - y_j|| - v_j)``, which is 1-Lipschitz everywhere,
  equals ``u_i`` on the real points and ``-v_j`` on the fake points, and attains
  ``E_real f - E_fake f = W1``. It is the reference an ideal WGAN critic should
  match (up to an additive constant, and up to the non-uniqueness of discrete
  potentials away from the transport rays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ot
import torch

__all__ = ["exact_w1", "OptimalCritic", "optimal_critic"]

ArrayLike = np.ndarray | torch.Tensor


def _np(x: ArrayLike) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"point clouds must have shape (n, d), got {x.shape}")
    return x


def _solve(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"point clouds must share their dimension, got {x.shape[1]} and {y.shape[1]}")
    a = np.full(len(x), 1.0 / len(x))
    b = np.full(len(y), 1.0 / len(y))
    cost = ot.dist(x, y, metric="euclidean")
    plan, log = ot.emd(a, b, cost, numItermax=10_000_000, log=True)
    if log.get("warning"):
        raise RuntimeError(f"POT's exact solver did not converge: {log['warning']}")
    return float(log["cost"]), plan, np.asarray(log["u"]), np.asarray(log["v"])


def exact_w1(x: ArrayLike, y: ArrayLike) -> float:
    """Exact W1 between the uniform empirical distributions on ``x (n, d)`` and ``y (m, d)``."""
    return _solve(_np(x), _np(y))[0]


@dataclass
class OptimalCritic:
    """A 1-Lipschitz Kantorovich potential between ``real`` and ``fake`` point clouds.

    Call it on points ``(k, d)`` to get values ``(k,)`` (numpy). ``w1`` is the exact
    distance; ``plan`` the optimal coupling ``(n, m)``.
    """

    real: np.ndarray
    fake: np.ndarray
    v: np.ndarray
    w1: float
    plan: np.ndarray

    def __call__(self, points: ArrayLike, chunk: int = 4096) -> np.ndarray:
        pts = torch.as_tensor(_np(points))
        fake = torch.as_tensor(self.fake)
        v = torch.as_tensor(self.v)
        out = [
            (torch.cdist(pts[i : i + chunk], fake) - v).min(dim=1).values
            for i in range(0, len(pts), chunk)
        ]
        return torch.cat(out).numpy()

    def transport_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Indices ``(i, j)`` and masses of the coupling's non-zero entries."""
        i, j = np.nonzero(self.plan > 0)
        return i, j, self.plan[i, j]


def optimal_critic(real: ArrayLike, fake: ArrayLike) -> OptimalCritic:
    """Solve exact OT between ``real (n, d)`` and ``fake (m, d)`` and return the extended potential."""
    x, y = _np(real), _np(fake)
    w1, plan, _u, v = _solve(x, y)
    return OptimalCritic(real=x, fake=y, v=v, w1=w1, plan=plan)
