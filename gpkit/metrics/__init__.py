"""Metrics: exact optimal transport on point clouds (:mod:`gpkit.metrics.ot`) and critic probes
(:mod:`gpkit.metrics.probes`). Image scores and text metrics plug in here."""

from gpkit.metrics import ot, probes
from gpkit.metrics.ot import OptimalCritic, exact_w1, optimal_critic

__all__ = ["ot", "probes", "exact_w1", "optimal_critic", "OptimalCritic"]
