"""Image models of the reference (MNIST, CIFAR, 64x64 DCGAN), their init, and the image-run probes."""

import math

import pytest
import torch

from gpkit.callbacks import CriticLoss, SampleGrids
from gpkit.models import images as m
from gpkit.train import TrainConfig, Trainer


@pytest.mark.parametrize("make_g, make_d, shape, lo, hi", [
    (lambda: m.mnist_generator(8), lambda: m.mnist_critic(8), (1, 28, 28), 0.0, 1.0),
    (lambda: m.cifar_generator(8), lambda: m.cifar_critic(8), (3, 32, 32), -1.0, 1.0),
    (lambda: m.dcgan64_generator(4), lambda: m.dcgan64_critic(4), (3, 64, 64), -1.0, 1.0),
])
def test_generators_and_critics_have_the_reference_shapes(make_g, make_d, shape, lo, hi):
    torch.manual_seed(0)
    g, d = make_g(), make_d()
    x = g(torch.randn(6, 128)).detach()
    assert x.shape == (6, *shape) and lo <= float(x.min()) and float(x.max()) <= hi
    assert d(x).shape == (6,)


def test_mnist_generator_crops_the_8x8_map_to_7x7():
    g = m.mnist_generator(4)
    seen = []
    hook = g.ups[3].register_forward_hook(lambda mod, inp, out: seen.append(inp[0].shape))  # second deconv
    g(torch.randn(2, 128))
    hook.remove()
    assert seen[0][-2:] == (7, 7)


def test_norm_and_activation_options_and_errors():
    d = m.mnist_critic(4, norm="layer", activation="tanh")
    assert any(isinstance(x, m.ChannelLayerNorm) for x in d.modules())
    assert not isinstance(d.features[1], (m.ChannelLayerNorm, torch.nn.BatchNorm2d))  # first layer unnormalised
    g = m.cifar_generator(4, norm="none", activation="softplus")
    assert not any(isinstance(x, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)) for x in g.modules())
    with pytest.raises(ValueError, match="norm must be one of"):
        m.mnist_critic(4, norm="group")
    with pytest.raises(ValueError, match="activation must be one of"):
        m.mnist_generator(4, activation="gelu")


def test_channel_layer_norm_normalises_each_sample_over_chw():
    ln = m.ChannelLayerNorm(3)
    x = torch.randn(4, 3, 5, 5) * 7 + 3
    y = ln(x)
    assert torch.allclose(y.mean(dim=(1, 2, 3)), torch.zeros(4), atol=1e-5)
    assert torch.allclose(y.var(dim=(1, 2, 3), unbiased=False), torch.ones(4), atol=1e-3)
    y2 = ln(torch.cat((x[:1], 100 * torch.randn(3, 3, 5, 5))))
    assert torch.allclose(y2[0], y[0], atol=1e-5), "layer norm does not couple the samples of a batch"


def test_batchnorm_critic_with_a_penalty_is_refused():
    cfg = TrainConfig(iterations=1, penalty="gp")
    with pytest.raises(ValueError, match="batch-norm critic"):
        Trainer(cfg, m.mnist_critic(4, norm="batch"), m.mnist_generator(4), lambda n, g: torch.rand(n, 1, 28, 28))


def test_tflib_initialisation_variances():
    torch.manual_seed(0)
    lin = torch.nn.Linear(400, 600)
    conv = torch.nn.Conv2d(64, 128, 5, stride=2, padding=2)
    deconv = torch.nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1)
    m.tflib_init_(torch.nn.Sequential(lin, conv, deconv))
    assert lin.weight.std().item() == pytest.approx(math.sqrt(2 / 1000), rel=0.02)
    assert conv.weight.std().item() == pytest.approx(math.sqrt(4 / (64 * 25 + 128 * 25 / 4)), rel=0.02)
    assert deconv.weight.std().item() == pytest.approx(math.sqrt(4 / (128 * 25 / 4 + 64 * 25)), rel=0.02)
    assert float(lin.bias.detach().abs().max()) == 0.0
    d = m.dcgan64_critic(8)
    assert d.output.weight.std().item() == pytest.approx(0.02, rel=0.1)


def _image_trainer(out_dir, iterations, callbacks=(), resume=True):
    torch.manual_seed(0)
    data = torch.rand(64, 1, 28, 28)
    cfg = TrainConfig(iterations=iterations, batch_size=8, n_critic=2, penalty="gp", checkpoint_every=2, seed=1)
    return Trainer(cfg, m.mnist_critic(4), m.mnist_generator(4),
                   lambda n, g: data[torch.randint(0, 64, (n,), generator=g)], out_dir=out_dir,
                   callbacks=list(callbacks), resume=resume)


def test_critic_loss_probe_does_not_change_training_and_resumes(tmp_path):
    splits = {"train": torch.rand(20, 1, 28, 28), "validation": torch.rand(12, 1, 28, 28)}
    plain = _image_trainer(tmp_path / "plain", 4).run()
    probe = CriticLoss(2, splits, batch_size=8, seed=0)
    probed = _image_trainer(tmp_path / "probed", 4, [probe]).run()
    assert [h["critic_loss"] for h in probed.history] == [h["critic_loss"] for h in plain.history]
    assert [r["iteration"] for r in probe.records] == [0, 2, 4]
    assert all(math.isfinite(r["validation_loss"]) and r["train_penalty"] >= 0 for r in probe.records)
    # a run stopped at 2 and resumed to 4 records exactly what the uninterrupted run did
    first = CriticLoss(2, splits, batch_size=8, seed=0)
    _image_trainer(tmp_path / "resumed", 2, [first]).run()
    second = CriticLoss(2, splits, batch_size=8, seed=0)
    _image_trainer(tmp_path / "resumed", 4, [second]).run()
    assert second.records == probe.records


def test_sample_grids_are_saved_as_png(tmp_path):
    grids = SampleGrids(2, torch.randn(16, 128), (0.0, 1.0), tmp_path / "samples", nrow=4)
    _image_trainer(tmp_path / "run", 2, [grids]).run()
    assert sorted(grids.grids) == [0, 2]
    assert grids.grids[2].shape == (3, 4 * 30 + 2, 4 * 30 + 2)
    assert (tmp_path / "samples" / "samples_0000002.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("method", ["wgan_clip", "wgan_gp", "dcgan"])
def test_image_runs_for_every_method_of_the_reference(method, tmp_path):
    """WGAN with clipping (BN critic, RMSProp), WGAN-GP (no BN, Adam) and the standard GAN (DCGAN settings:
    non-saturating loss, one critic step, Adam 2e-4, beta1 0.5) all run through the same loop on images."""
    settings = {
        "wgan_clip": (dict(penalty="none", clip=0.01, optimizer="rmsprop_tf", lr=5e-5, n_critic=5), "batch"),
        "wgan_gp": (dict(penalty="gp", optimizer="adam", lr=1e-4, betas=(0.5, 0.9), n_critic=5), "none"),
        "dcgan": (dict(objective="ns_gan", penalty="none", optimizer="adam", lr=2e-4, betas=(0.5, 0.999),
                       n_critic=1), "batch"),
    }[method]
    cfg = TrainConfig(iterations=3, batch_size=8, seed=0, **settings[0])
    torch.manual_seed(0)
    data = torch.rand(32, 3, 32, 32) * 2 - 1
    g, d = m.cifar_generator(4, norm="batch"), m.cifar_critic(4, norm=settings[1])
    before = [p.detach().clone() for p in g.parameters()]
    result = Trainer(cfg, d, g, lambda n, r: data[torch.randint(0, 32, (n,), generator=r)], out_dir=tmp_path).run()
    assert result.iterations == 3 and all(math.isfinite(h["generator_loss"]) for h in result.history)
    assert any(not torch.equal(a, b) for a, b in zip(before, g.parameters())), "the generator trained"
    if method == "wgan_clip":
        assert max(float(p.detach().abs().max()) for p in d.parameters()) <= 0.01 + 1e-7


def test_first_batch_norm_follows_each_reference():
    assert isinstance(m.mnist_generator(4, norm="batch").input_norm, torch.nn.BatchNorm1d)
    assert isinstance(m.cifar_generator(4).input_norm, torch.nn.BatchNorm1d)
    assert isinstance(m.dcgan64_generator(4).input_norm, torch.nn.BatchNorm2d)
    assert isinstance(m.mnist_generator(4, norm="none").input_norm, torch.nn.Identity)


@pytest.mark.parametrize("size", [32, 64, 128])
def test_resnets_of_the_reference_at_every_size(size):
    torch.manual_seed(0)
    g, d = m.resnet_generator(4, size), m.resnet_critic(4, size)
    x = g(torch.randn(2, 128)).detach()
    assert x.shape == (2, 3, size, size) and float(x.abs().max()) <= 1.0
    assert d(x).shape == (2,)
    assert sum(isinstance(b, m.ResidualBlock) for b in g.modules()) == int(math.log2(size // 4))
    assert any(isinstance(x, m.ChannelLayerNorm) for x in d.modules())  # layer norm by default (WGAN-GP)
    with pytest.raises(ValueError, match="size must be a power of two"):
        m.resnet_generator(4, 48)


def test_resnet_shortcuts_use_glorot_and_convs_he():
    torch.manual_seed(0)
    block = m.ResidualBlock(64, 64, "down", "none")
    m.tflib_init_(block)
    short = block.shortcut[1]  # mean pool, then the 1x1 conv
    assert short.weight.std().item() == pytest.approx(math.sqrt(2 / (64 + 64)), rel=0.05)
    conv = block.conv1
    assert conv.weight.std().item() == pytest.approx(math.sqrt(4 / (64 * 9 + 64 * 9)), rel=0.05)


def test_cifar_resnet_shapes_and_acgan_head():
    g, d = m.cifar_resnet_generator(dim=8, num_classes=10), m.cifar_resnet_critic(dim=8, num_classes=10)
    z, y = torch.randn(4, 128), torch.tensor([0, 1, 2, 3])
    x = g(z, y)
    assert x.shape == (4, 3, 32, 32) and x.abs().max() <= 1
    score, logits = d(x)
    assert score.shape == (4,) and logits.shape == (4, 10)
    assert m.cifar_resnet_critic(dim=8)(x).shape == (4,)
    assert m.cifar_resnet_generator(dim=8, channels=1)(z).shape == (4, 1, 32, 32)
    with pytest.raises(ValueError, match="class-conditional"):
        g(z)
    assert not any(isinstance(mod, (torch.nn.BatchNorm2d, m.ChannelLayerNorm)) for mod in d.modules())


def test_conditional_batch_norm_applies_each_labels_gain_and_offset():
    bn = m.CondBatchNorm2d(2, num_classes=3)
    with torch.no_grad():
        bn.gain.weight.copy_(torch.tensor([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]))
        bn.offset.weight.copy_(torch.tensor([[0.0, 0.0], [0.0, 0.0], [5.0, -5.0]]))
    x = torch.randn(6, 2, 4, 4)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    out = bn(x, y)
    normed = torch.nn.functional.batch_norm(x, None, None, training=True)
    assert torch.allclose(out[0], normed[0], atol=1e-5) and torch.allclose(out[1], 2 * normed[1], atol=1e-5)
    assert torch.allclose(out[2, 0], torch.full((4, 4), 5.0)) and torch.allclose(out[2, 1], torch.full((4, 4), -5.0))


def test_conditional_training_adds_the_acgan_terms():
    torch.manual_seed(0)
    g, d = m.cifar_resnet_generator(dim=8, num_classes=10, channels=1), m.cifar_resnet_critic(dim=8, num_classes=10,
                                                                                               channels=1)
    data, labels = torch.rand(64, 1, 32, 32) * 2 - 1, torch.arange(64) % 10
    seen = []

    def sampler(n, rng):
        idx = torch.randint(0, 64, (n,), generator=rng)
        seen.append(n)
        return data[idx], labels[idx]

    losses = {}
    for scale in (0.0, 1.0):
        trainer = Trainer(TrainConfig(iterations=1, batch_size=8, gen_batch_size=16, n_critic=1, acgan_scale=scale),
                          d, g, sampler)
        real, y = data[:8], labels[:8]
        fake = trainer._fakes(real, y)
        loss, objective, pen = trainer.critic_losses(real, fake, torch.Generator().manual_seed(1), labels=y)
        losses[scale] = (loss - objective - pen).item()
    ce = torch.nn.functional.cross_entropy(d(data[:8])[1], labels[:8]).item()
    assert losses[0.0] == pytest.approx(0.0, abs=1e-6) and losses[1.0] == pytest.approx(ce, rel=1e-4)
    result = Trainer(TrainConfig(iterations=2, batch_size=8, gen_batch_size=16, n_critic=2), d, g, sampler).run()
    assert all(math.isfinite(h["critic_loss"]) and math.isfinite(h["generator_loss"]) for h in result.history)
    with pytest.raises(ValueError, match=r"\(images, labels\)"):
        Trainer(TrainConfig(iterations=1, batch_size=8, n_critic=1), d, g, lambda n, rng: data[:n]).run()
