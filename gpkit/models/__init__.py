"""Models: toy MLPs (:mod:`gpkit.models.toy`); image and text models plug in here."""

from gpkit.models import toy
from gpkit.models.toy import MLP, toy_critic, toy_generator

__all__ = ["toy", "MLP", "toy_critic", "toy_generator"]
