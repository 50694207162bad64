"""Character n-gram statistics of text samples: the Jensen-Shannon divergence of Table 4's language model.

The reference (``language_helpers.NgramLanguageModel.js_with``) compares the n-gram frequencies of 640
argmax-decoded samples with those of the training corpus, for n = 1..4, in bits. :class:`NgramCounts` holds one
side's counts (build the corpus's once and reuse it); :func:`ngram_js` takes strings or counts.

JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M) with M = ½ (P + Q), in bits: 0 for equal distributions, 1 for disjoint ones.
"""

from __future__ import annotations

import collections
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from gpkit.params import check_int

__all__ = ["NgramCounts", "ngram_js", "ngram_js_curve"]


@dataclass
class NgramCounts:
    """Counts of the character n-grams (every window of ``n`` characters inside each line) of some lines."""

    n: int
    counts: collections.Counter

    @classmethod
    def of(cls, lines: Iterable[str], n: int) -> "NgramCounts":
        n = check_int("n", n, minimum=1)
        counts: collections.Counter = collections.Counter()
        for line in lines:
            counts.update(line[i:i + n] for i in range(len(line) - n + 1))
        return cls(n, counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @functools.cached_property
    def probabilities(self) -> dict[str, float]:
        """``{ngram: frequency}``, computed on first use and kept (a corpus's is reused at every probe; counts are
        not meant to change after construction)."""
        total = self.total
        return {k: v / total for k, v in self.counts.items()} if total else {}


def _counts(x: "NgramCounts | Iterable[str]", n: int) -> NgramCounts:
    if isinstance(x, NgramCounts):
        if x.n != n:
            raise ValueError(f"n must match the precomputed counts' n={x.n}, got {n}")
        return x
    if isinstance(x, str):
        raise ValueError("samples and corpus must be lists of lines (or NgramCounts), not one string")
    return NgramCounts.of(x, n)


def ngram_js(samples: "NgramCounts | Iterable[str]", corpus: "NgramCounts | Iterable[str]", n: int) -> float:
    """Jensen-Shannon divergence (bits) between the character ``n``-gram distributions of ``samples`` and
    ``corpus`` (each a list of lines or precomputed :class:`NgramCounts`). ``ValueError`` when either side has no
    n-gram (lines shorter than n)."""
    n = check_int("n", n, minimum=1)
    p, q = _counts(samples, n).probabilities, _counts(corpus, n).probabilities
    if not p or not q:
        raise ValueError(f"both sides need at least one {n}-gram (lines of at least {n} characters)")
    js = 0.0
    for a, b in ((p, q), (q, p)):
        for key, pa in a.items():
            m = 0.5 * (pa + b.get(key, 0.0))
            js += 0.5 * pa * math.log2(pa / m)
    return min(max(js, 0.0), 1.0)  # rounding can step a hair outside [0, 1]


def ngram_js_curve(samples: Iterable[str], corpus_counts: dict[int, NgramCounts]) -> dict[int, float]:
    """``{n: ngram_js(samples, corpus_counts[n], n)}`` for every n of ``corpus_counts``."""
    lines = list(samples)
    return {n: ngram_js(lines, counts, n) for n, counts in corpus_counts.items()}
