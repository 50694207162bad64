"""The training methods, defined once: each a preset of :class:`gpkit.train.TrainConfig` fields.

Every experiment builds its training settings with :func:`config` from a name in :data:`METHODS`, overriding
only what its profile sets (a learning rate swept in a profile, the number of critic steps of a figure); what
makes a method that method (its objective, penalty, optimizer and the reference's defaults) lives here alone.

========================  ==============================================================================
name                      settings (source)
========================  ==============================================================================
``wgan-gp``               WGAN loss, gradient penalty lambda 10, Adam 1e-4, betas (0.5, 0.9), 5 critic
                          steps (WGAN-GP Algorithm 1's defaults; ``gan_toy.py``, ``gan_mnist.py``,
                          ``gan_cifar.py``)
``wgan-gp-64x64``         as ``wgan-gp`` with betas (0, 0.9) (``gan_64x64.py``, Figure 2's shared settings)
``wgan``                  WGAN loss, weight clipping at 0.01, RMSProp 5e-5 (TensorFlow's variant), 5 critic
                          steps (``gan_64x64.py``'s WGAN; the WGAN paper's defaults)
``wgan-paper``            as ``wgan`` with PyTorch's RMSprop (accumulator at 0, alpha 0.99, eps 1e-8) and the
                          critic schedule of the WGAN paper's code: 100 critic steps for the first 25 generator
                          iterations and every 500th (martinarjovsky/WassersteinGAN ``main.py`` L33-42, L157-162,
                          L176-179); its models start from that code's N(0, 0.02) initialisation
                          (:func:`gpkit.models.images.wgan_init_`, set by the experiment)
``wgan-adam``             as ``wgan`` with Adam (beta1 0.5, beta2 0.999) in place of RMSProp at the same rate: the
                          WGAN paper's negative result (Sec. 4.3: "WGAN training becomes unstable at times when one
                          uses a momentum based optimizer such as Adam (with beta1 > 0) on the critic"); the paper
                          gives no Adam settings, the betas are DCGAN's
``dcgan``                 non-saturating GAN loss, Adam 2e-4, beta1 0.5, one discriminator step (DCGAN;
                          ``gan_64x64.py``)
``lsgan``                 least-squares GAN loss, RMSProp 1e-4 (TensorFlow's variant), one step
                          (``gan_64x64.py``)
========================  ==============================================================================

Imports torch only inside :func:`config` (through :mod:`gpkit.train`), so the table itself is cheap to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gpkit.params import check_choice

if TYPE_CHECKING:
    from gpkit.train import TrainConfig

__all__ = ["Method", "METHODS", "config", "settings"]


@dataclass(frozen=True)
class Method:
    """One method's preset: the :class:`gpkit.train.TrainConfig` fields that define it, a label for plots and
    the reference the values come from."""

    name: str
    label: str
    objective: str
    penalty: str
    optimizer: str
    lr: float
    n_critic: int
    betas: tuple[float, float] = (0.5, 0.9)
    lam: float = 10.0
    clip: float | None = None
    source: str = ""
    critic_schedule: str = "constant"

    def settings(self) -> dict[str, Any]:
        """The preset as :class:`gpkit.train.TrainConfig` keyword arguments."""
        return {"objective": self.objective, "penalty": self.penalty, "optimizer": self.optimizer, "lr": self.lr,
                "n_critic": self.n_critic, "betas": self.betas, "lam": self.lam, "clip": self.clip,
                "critic_schedule": self.critic_schedule}


METHODS: dict[str, Method] = {m.name: m for m in (
    Method("wgan-gp", "WGAN-GP", "wgan", "gp", "adam", 1e-4, 5, (0.5, 0.9), 10.0, None,
           "WGAN-GP Algorithm 1 defaults; gan_toy.py, gan_mnist.py, gan_cifar.py"),
    Method("wgan-gp-64x64", "WGAN-GP", "wgan", "gp", "adam", 1e-4, 5, (0.0, 0.9), 10.0, None,
           "gan_64x64.py (MODE wgan-gp)"),
    Method("wgan", "WGAN (clipping)", "wgan", "none", "rmsprop_tf", 5e-5, 5, (0.5, 0.9), 10.0, 0.01,
           "gan_64x64.py (MODE wgan); WGAN paper Algorithm 1"),
    Method("wgan-paper", "WGAN (clipping, WGAN paper's code)", "wgan", "none", "rmsprop", 5e-5, 5, (0.5, 0.9), 10.0,
           0.01, "martinarjovsky/WassersteinGAN main.py (PyTorch RMSprop, Diters 100 for 25 iterations and every "
           "500th)", "wgan"),
    Method("wgan-adam", "WGAN (clipping) with Adam", "wgan", "none", "adam", 5e-5, 5, (0.5, 0.999), 10.0, 0.01,
           "WGAN paper Sec. 4.3 (momentum on the critic, the negative result); betas of DCGAN"),
    Method("dcgan", "DCGAN", "ns_gan", "none", "adam", 2e-4, 1, (0.5, 0.999), 10.0, None,
           "gan_64x64.py (MODE dcgan); Radford et al. 2016"),
    Method("lsgan", "LSGAN", "lsgan", "none", "rmsprop_tf", 1e-4, 1, (0.5, 0.9), 10.0, None,
           "gan_64x64.py (MODE lsgan)"),
    Method("gan-gp", "GAN-GP", "ns_gan", "gp", "adam", 2e-4, 1, (0.5, 0.999), 10.0, None,
           "Many Paths Sec. 5: the non-saturating GAN with WGAN-GP's penalty, one discriminator step, lambda 10; "
           "learning rates swept over 1e-4..3e-4 (DCGAN's 2e-4 here); betas not stated: DCGAN's"),
    Method("dragan-ns", "DRAGAN-NS", "ns_gan", "dragan", "adam", 2e-4, 1, (0.5, 0.999), 10.0, None,
           "Many Paths Sec. 5: the non-saturating GAN with DRAGAN's penalty at perturbed real data, one "
           "discriminator step, lambda 10; learning rates swept; betas not stated: DCGAN's"),
)}


def settings(name: str, **overrides: Any) -> dict[str, Any]:
    """The preset ``name`` of :data:`METHODS` as ``TrainConfig`` keyword arguments, with ``overrides`` applied
    (``ValueError`` naming ``method`` for an unknown name)."""
    check_choice("method", name, METHODS)
    return {**METHODS[name].settings(), **overrides}


def config(name: str, **overrides: Any) -> TrainConfig:
    """A :class:`gpkit.train.TrainConfig` of method ``name`` with ``overrides`` (``iterations``, ``batch_size``,
    ``seed``, ..., or any preset field a profile sets, e.g. ``lr``). Its ``precision`` is the current run's
    (:func:`gpkit.precision.current`) unless given."""
    from gpkit import precision
    from gpkit.train import TrainConfig

    fields = settings(name, **overrides)
    fields.setdefault("precision", precision.current())  # the run's precision (gpkit.record.start_run sets it)
    if "betas" in fields:
        fields["betas"] = tuple(fields["betas"])
    return TrainConfig(**fields)
