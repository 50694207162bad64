"""bfloat16 training (gpkit.precision): the penalised critic step of every critic family agrees with float32, the
penalty's analytic values hold within bf16's tolerance, a long bf16 run stays finite, and ``auto`` is detected
from the hardware."""

from __future__ import annotations

import math

import pytest
import torch

from gpkit import methods, precision
from gpkit.models import images, text, toy, zoo
from gpkit.penalties import gradient_norms, gradient_penalty
from gpkit.train import TrainConfig, Trainer


def _families():
    """(name, critic factory, input shape): every critic family the experiments train."""
    return [
        ("toy MLP", lambda: toy.toy_critic(width=128, hidden=3), (2,)),
        ("MNIST DCGAN", lambda: images.mnist_critic(dim=16), (1, 28, 28)),
        ("CIFAR DCGAN", lambda: images.cifar_critic(dim=16, norm="none"), (3, 32, 32)),
        ("64x64 DCGAN (layer norm)", lambda: zoo.build("dcgan", "wgan-gp", dim=8, size=64)[1], (3, 64, 64)),
        pytest.param("101-layer ResNet (layer norm)", lambda: zoo.build("resnet101", "wgan-gp", dim=4, size=64)[1],
                     (3, 64, 64), marks=pytest.mark.xfail(strict=True, reason=(
                         "measured: bf16 through 100 bottleneck blocks gives cosine 0.9964-0.9987 and a 1-4% norm error "
                         "against fp32 (dim 4-16), outside the tolerance; train it in fp32 (issue 20 note)"))),
        ("CIFAR ResNet", lambda: images.cifar_resnet_critic(dim=16), (3, 32, 32)),
        ("language critic", lambda: text.TextCritic(vocab=12, seq_len=8, dim=16), (8, 12)),
    ]


def _penalised_grads(make, shape, prec, cfg=None):
    """Parameter gradients, loss, penalty and loss dtype of one penalised critic step on a fixed batch."""
    torch.manual_seed(0)
    critic = make()
    cfg = cfg or methods.config("wgan-gp", iterations=1, batch_size=16, precision=prec, fixed_generator_std=0.1)
    trainer = Trainer(cfg, critic, None, lambda n, rng: torch.zeros(n, *shape), device="cpu")
    gen = torch.Generator().manual_seed(1)
    real = torch.rand(16, *shape, generator=gen) * 2 - 1
    fake = torch.rand(16, *shape, generator=gen) * 2 - 1
    loss, _, pen = trainer.critic_losses(real, fake, rng=torch.Generator().manual_seed(2))
    loss.backward()
    grads = torch.cat([p.grad.flatten() for p in critic.parameters() if p.grad is not None])
    return grads, float(loss.detach()), float(pen.detach()), loss.dtype


def _id(family) -> str:
    return (family.values if hasattr(family, "values") else family)[0]


@pytest.mark.parametrize("name, make, shape", _families(), ids=[_id(f) for f in _families()])
def test_bf16_penalised_step_agrees_with_fp32(name, make, shape):
    g32, loss32, pen32, _ = _penalised_grads(make, shape, "fp32")
    g16, loss16, pen16, dtype = _penalised_grads(make, shape, "bf16")
    assert dtype == torch.float32, "losses are reduced in float32"
    cosine = float(torch.nn.functional.cosine_similarity(g32, g16, dim=0))
    rel = float((g16.norm() - g32.norm()).abs() / g32.norm())
    assert cosine >= 0.999, f"{name}: cosine {cosine:.5f}"
    assert rel <= 0.01, f"{name}: relative norm error {rel:.4f}"
    assert math.isclose(loss16, loss32, rel_tol=0.02, abs_tol=0.02)


def test_penalty_analytic_values_hold_in_bf16():
    """A linear critic D(x) = w.x has ||grad|| = ||w|| everywhere: the penalty is lam (||w|| - 1)^2."""
    critic = torch.nn.Linear(5, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[0.3, -1.2, 0.5, 2.0, -0.1]]))
    w = float(critic.weight.detach().norm())
    x, y = torch.randn(64, 5), torch.randn(64, 5)
    with precision.autocast("bf16", "cpu"):
        norms = gradient_norms(critic, x)
        pen = gradient_penalty(critic, x, y, lam=10.0)
    assert norms.dtype == torch.float32 and pen.dtype == torch.float32
    assert torch.allclose(norms, torch.full_like(norms, w), rtol=1e-2)
    assert math.isclose(float(pen.detach()), 10.0 * (w - 1) ** 2, rel_tol=2e-2)


def test_a_long_bf16_run_stays_finite():
    torch.manual_seed(0)
    critic, gen = toy.toy_critic(width=64), toy.toy_generator(width=64)
    cfg = methods.config("wgan-gp", iterations=200, batch_size=64, precision="bf16", log_every=10)
    result = Trainer(cfg, critic, gen, lambda n, rng: torch.randn(n, 2, generator=rng), device="cpu").run()
    assert result.iterations == 200
    assert all(math.isfinite(h["critic_loss"]) and math.isfinite(h["generator_loss"]) for h in result.history)
    assert all(torch.isfinite(p).all() and p.dtype == torch.float32 for p in critic.parameters())


def test_fp32_is_untouched_by_the_precision_machinery():
    """fp32 gives bit-identical gradients to a run without any precision setting (the tests' bit-identity)."""
    make, shape = _families()[2][1:]  # the CIFAR DCGAN
    a, *_ = _penalised_grads(make, shape, "fp32")
    b, *_ = _penalised_grads(make, shape, None, cfg=TrainConfig(iterations=1, batch_size=16, fixed_generator_std=0.1))
    assert torch.equal(a, b)


def test_auto_follows_the_hardware(monkeypatch):
    monkeypatch.setattr(precision, "_cpu_has_amx", lambda: True)
    assert precision.resolve("auto", "cpu") == "bf16"
    monkeypatch.setattr(precision, "_cpu_has_amx", lambda: False)
    assert precision.resolve("auto", "cpu") == "fp32"
    assert precision.resolve("bf16", "cpu") == "bf16" and precision.resolve("fp32", "cpu") == "fp32"
    with pytest.raises(ValueError, match="precision must be one of"):
        precision.resolve("fp16", "cpu")
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(iterations=1, precision="half")


def test_a_runs_precision_reaches_every_training_and_the_record(tmp_path):
    from gpkit.experiments import deep_critic_gradients as fig1b
    from gpkit.record import load_results

    seen = []
    real_init = Trainer.__init__

    def spy(self, config, *args, **kwargs):
        real_init(self, config, *args, **kwargs)
        seen.append(self.precision)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Trainer, "__init__", spy)
        fig1b.run(profile="smoke", device="cpu", out_dir=tmp_path, progress=False, precision="bf16")
    assert seen and set(seen) == {"bf16"}
    res = load_results(tmp_path)
    assert res["precision"] == "bf16" and res["precision_requested"] == "bf16"
    assert precision.current() == "fp32", "the run's precision does not leak past the run"
    assert methods.config("wgan", iterations=1).precision == "fp32"


def test_reproduce_passes_a_parameter_to_every_notebook(tmp_path, monkeypatch):
    from gpkit import report

    seen = []
    monkeypatch.setattr(report, "_reproduce_serial", lambda books, profile, root, log, params: seen.append(params) or [])
    monkeypatch.setattr(report, "build_report", lambda *a, **k: tmp_path / "index.html")
    report.reproduce("smoke", only=["01", "02"], runs_root=tmp_path, jobs=1, parameters={"precision": "auto"})
    assert seen == [{"precision": "auto"}]
    with pytest.raises(ValueError, match="precision must be one of"):
        report.reproduce("smoke", only=["01"], runs_root=tmp_path, jobs=1, parameters={"precision": "half"})
    cmd = report._child_command(report.resolve_notebook("01"), "quick", tmp_path, {"precision": "auto"})
    assert cmd[-3:] == ["-p", "precision", "'auto'"]
