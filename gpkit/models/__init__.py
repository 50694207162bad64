"""Models: toy MLPs (:mod:`gpkit.models.toy`); image models in :mod:`gpkit.models.images`, :mod:`~gpkit.models.zoo`
and :mod:`~gpkit.models.random_arch`; the language model in :mod:`gpkit.models.text`."""

from gpkit.models import toy
from gpkit.models.toy import MLP, toy_critic, toy_generator

__all__ = ["toy", "MLP", "toy_critic", "toy_generator"]
