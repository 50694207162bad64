"""Datasets: toy 2-D samplers (:mod:`gpkit.data.toy`), images (:mod:`gpkit.data.images`), text corpora
(:mod:`gpkit.data.text`); their layout under ``data/`` (:mod:`gpkit.data.layout`), where they come from
(:mod:`gpkit.data.sources`) and the ``make data`` command (:mod:`gpkit.data.fetch`)."""

from gpkit.data import toy

__all__ = ["toy"]
