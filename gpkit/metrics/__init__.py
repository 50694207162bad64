"""Metrics: exact optimal transport on point clouds (:mod:`gpkit.metrics.ot`), critic probes
(:mod:`gpkit.metrics.probes`) and character n-gram statistics of text (:mod:`gpkit.metrics.ngrams`). Image scores
live in :mod:`gpkit.metrics.scores` (imported on demand: it loads torch-fidelity)."""

from gpkit.metrics import ngrams, ot, probes
from gpkit.metrics.ngrams import NgramCounts, ngram_js
from gpkit.metrics.ot import OptimalCritic, exact_w1, optimal_critic

__all__ = ["ngrams", "ot", "probes", "exact_w1", "optimal_critic", "OptimalCritic", "ngram_js", "NgramCounts"]
