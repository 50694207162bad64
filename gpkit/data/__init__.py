"""Datasets: toy 2-D samplers (:mod:`gpkit.data.toy`); image and text data plug in here."""

from gpkit.data import toy

__all__ = ["toy"]
