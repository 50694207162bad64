"""gpkit: a research compendium reproducing WGAN-GP ("Improved Training of Wasserstein GANs").

Submodules: ``data``, ``models``, ``objectives``, ``penalties``, ``optim``, ``train``,
``metrics``, ``experiments``, ``plots``, ``report``. Importable without a GPU or data.
"""

__version__ = "0.1.0"
