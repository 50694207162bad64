"""The experiments, one module per notebook, and the registry that maps a notebook to its module.

Every module has ``NOTEBOOK`` (the notebook's stem), ``PROFILES`` (``smoke``, ``quick``, ``paper``: each a dict of
fields), ``validate(params)`` (its rules for the resolved fields) and ``run(profile, seed, device, out_dir,
progress, resume, ..., **overrides)`` (see :mod:`gpkit.record` for the run's lifecycle).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

__all__ = ["MODULES", "module_for", "profile_fields", "check_profile"]

#: Notebook stem -> experiment module (``gpkit.experiments.<name>``).
MODULES = {
    "01_toy_value_surfaces": "toy_value_surfaces",
    "02_deep_critic_gradients": "deep_critic_gradients",
    "03_inception_curves": "inception_curves",
    "04_cifar_scores": "cifar_scores",
    "05_overfitting_curves": "overfitting_curves",
    "06_loss_curves": "loss_curves",
    "07_random_architectures": "random_architectures",
    "08_architecture_zoo": "architecture_zoo",
    "09_language_model": "language_model",
    "10_wgan_paper": "wgan_paper",
    "11_many_paths_synthetic": "many_paths",
    "12_one_sided_penalty": "one_sided_penalty",
    "13_many_paths_real_data": "many_paths_real",
}


def module_for(notebook: str) -> ModuleType:
    """The experiment module of ``notebook`` (its stem); ``ValueError`` for a notebook without one."""
    if notebook not in MODULES:
        raise ValueError(f"notebook must be one of {sorted(MODULES)}, got {notebook!r}")
    return importlib.import_module(f"gpkit.experiments.{MODULES[notebook]}")


def profile_fields(notebook: str, profile: str) -> dict[str, Any]:
    """The fields of ``notebook``'s profile ``profile`` with their values (``ValueError`` for an unknown profile)."""
    from gpkit.params import check_choice

    profiles = module_for(notebook).PROFILES
    check_choice("profile", profile, profiles)
    return dict(profiles[profile])


def check_profile(notebook: str, profile: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve ``notebook``'s ``profile`` with ``overrides`` and validate it as its run would, without running:
    the resolved fields, or ``ValueError`` naming the first bad parameter."""
    from gpkit.params import resolve_profile

    module = module_for(notebook)
    params = resolve_profile(module.PROFILES, profile, overrides)
    module.validate(params)
    return params
