"""Datasets: toy 2-D samplers (:mod:`gpkit.data.toy`), images (:mod:`gpkit.data.images`, :mod:`gpkit.data.fetch`)
and text corpora (:mod:`gpkit.data.text`)."""

from gpkit.data import toy

__all__ = ["toy"]
