"""gpkit: a research compendium reproducing WGAN-GP ("Improved Training of Wasserstein GANs").

Submodules: ``data``, ``models``, ``objectives``, ``penalties``, ``optim``, ``train`` (and ``vectorised``: Algorithm 1
over many small models at once), ``methods``, ``streams``, ``record``, ``paths``,
``metrics``, ``experiments``, ``plots``, ``report``. Importable without a GPU or data.
"""

__version__ = "0.1.0"
