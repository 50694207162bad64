"""The method table (gpkit.methods) and the penalty registry: each method defined once, layers that point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

from gpkit import methods
from gpkit.penalties import PENALTIES, gradient_penalty, penalty


def test_presets_match_the_references():
    m = methods.METHODS
    # gan_toy.py / gan_mnist.py / gan_cifar.py: Adam(1e-4, beta1=0.5, beta2=0.9), CRITIC_ITERS 5, LAMBDA 10
    assert (m["wgan-gp"].lr, m["wgan-gp"].betas, m["wgan-gp"].n_critic, m["wgan-gp"].lam) == (1e-4, (0.5, 0.9), 5, 10)
    # gan_64x64.py, MODE wgan-gp: AdamOptimizer(1e-4, beta1=0., beta2=0.9)
    assert m["wgan-gp-64x64"].betas == (0.0, 0.9) and m["wgan-gp-64x64"].penalty == "gp"
    # gan_64x64.py, MODE wgan: RMSProp(5e-5), clip 0.01, 5 critic steps
    assert (m["wgan"].clip, m["wgan"].optimizer, m["wgan"].lr, m["wgan"].n_critic) == (0.01, "rmsprop_tf", 5e-5, 5)
    # gan_64x64.py, MODE dcgan: Adam(2e-4, beta1=0.5); MODE lsgan: RMSProp(1e-4); one D step each
    assert (m["dcgan"].objective, m["dcgan"].lr, m["dcgan"].betas[0], m["dcgan"].n_critic) == ("ns_gan", 2e-4, 0.5, 1)
    assert (m["lsgan"].objective, m["lsgan"].optimizer, m["lsgan"].lr) == ("lsgan", "rmsprop_tf", 1e-4)


def test_config_applies_overrides_and_refuses_unknown_methods():
    cfg = methods.config("wgan", iterations=3, lr=1e-3)
    assert (cfg.iterations, cfg.lr, cfg.clip, cfg.penalty) == (3, 1e-3, 0.01, "none")
    assert methods.METHODS["wgan"].lr == 5e-5, "overrides never change the table"
    with pytest.raises(ValueError, match="method must be one of"):
        methods.config("wgan-pg", iterations=1)


def test_every_training_config_comes_from_the_method_table():
    """No experiment builds a TrainConfig by hand (gpkit.methods.config does)."""
    root = Path(methods.__file__).parent
    for path in sorted((root / "experiments").glob("*.py")):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "TrainConfig"]
        assert not calls, f"{path.name} builds a TrainConfig itself"


def test_models_import_neither_train_nor_experiments():
    root = Path(methods.__file__).parent / "models"
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for name in names:
                    assert not name.startswith(("gpkit.train", "gpkit.experiments", "gpkit.methods")), \
                        f"{path.name} imports {name}"


def test_penalty_registry_has_one_signature():
    critic = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    for name in PENALTIES:
        value = penalty(name, critic, real, fake, 10.0, torch.Generator().manual_seed(0))
        assert value.shape == () and torch.isfinite(value)
    assert float(penalty("none", critic, real, fake, 10.0)) == 0.0
    direct = gradient_penalty(critic, real, fake, 10.0, False, torch.Generator().manual_seed(1))
    assert torch.equal(penalty("gp", critic, real, fake, 10.0, torch.Generator().manual_seed(1)), direct)
    with pytest.raises(ValueError, match="penalty must be one of"):
        penalty("gradient", critic, real, fake, 10.0)
