"""Color MNIST, MS-SSIM diversity and the independent Wasserstein critic (Many Paths, Section 5; issue 22)."""

import math

import pytest
import torch

from gpkit.data import color_mnist
from gpkit.metrics import critic as critic_mod
from gpkit.metrics import diversity as div
from gpkit.models.images import DCGANCritic


def _digits(n=2000, seed=0):
    """Bars in [0, 1] (the conftest MNIST's kind of digit), (n, 1, 28, 28)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 1, 28, 28)
    cols = torch.randint(0, 10, (n,), generator=g)
    for i, c in enumerate(cols.tolist()):
        x[i, 0, 4:24, 4 + 2 * c: 7 + 2 * c] = 1.0
    return x


# ------------------------------------------------------------------ Color MNIST
def test_painted_digits_have_the_reference_statistics():
    d = _digits()
    x = color_mnist.paint(d, torch.Generator().manual_seed(1))
    assert x.shape == (2000, 3, 28, 28) and x.dtype == torch.float32
    assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0
    stroke, background = d.expand_as(x) == 1, d.expand_as(x) == 0
    # background: -1 plus N(0, 0.2) noise clipped at -1: half the pixels sit at -1, the rest a half-normal above it
    bg = x[background]
    assert float((bg == -1).float().mean()) == pytest.approx(0.5, abs=0.01)
    assert float(bg.mean()) == pytest.approx(-1 + 0.2 / math.sqrt(2 * math.pi), abs=0.005)
    # strokes: each digit's colour, one N(0, 0.5) per channel, shared by all its stroke pixels
    per_digit = torch.stack([x[i][:, d[i, 0] == 1].mean(1) for i in range(len(x))])  # (N, 3) mean stroke colour
    assert float(per_digit.mean()) == pytest.approx(0.0, abs=0.03)
    assert float(per_digit.std()) == pytest.approx(0.5, abs=0.03)
    assert abs(float(torch.corrcoef(per_digit.T)[0, 1])) < 0.1  # channels drawn independently
    within = torch.stack([x[i][:, d[i, 0] == 1].std(1) for i in range(200)])  # noise only, about 0.2
    assert float(within.median()) == pytest.approx(0.2, abs=0.03)
    assert stroke.any()


def test_painting_is_seeded_and_fails_on_the_wrong_range():
    d = _digits(50)
    a = color_mnist.paint(d, torch.Generator().manual_seed(3))
    assert torch.equal(a, color_mnist.paint(d, torch.Generator().manual_seed(3)))
    assert not torch.equal(a, color_mnist.paint(d, torch.Generator().manual_seed(4)))
    with pytest.raises(ValueError, match=r"digits must be in \[0, 1\]"):
        color_mnist.paint(d * 2 - 1)
    with pytest.raises(ValueError, match="digits must be"):
        color_mnist.paint(d[:, 0])
    sample = color_mnist.sampler(d)
    batch = sample(16, torch.Generator().manual_seed(0))
    assert batch.shape == (16, 3, 28, 28)


def test_digit_splits_on_the_offline_copy_and_the_full_mnist(tmp_path, make_fake_mnist):
    offline, full = tmp_path / "offline", tmp_path / "full"
    make_fake_mnist(offline, n_train=300, n_test=0)
    make_fake_mnist(full, n_train=300, n_test=80)
    s = color_mnist.digit_splits(offline, n_critic=50, n_test=40, seed=0, pad=2)
    assert [len(s[k]) for k in color_mnist.SPLIT_NAMES] == [210, 50, 40] and s["train"].shape[1:] == (1, 32, 32)
    # one permutation of the 300 digits, cut in three: the same seed gives the same cut, another seed another
    again = color_mnist.digit_splits(offline, n_critic=50, n_test=40, seed=0, pad=2)
    assert all(torch.equal(s[k], again[k]) for k in s)
    assert torch.equal(torch.sort(torch.cat([s[k] for k in s]).flatten(1).sum(1)).values,
                       torch.sort(color_mnist_digits(offline).flatten(1).sum(1)).values)
    s = color_mnist.digit_splits(full, n_critic=50, n_test=40, seed=0, n_train=100)
    assert [len(s[k]) for k in color_mnist.SPLIT_NAMES] == [100, 50, 40]
    with pytest.raises(ValueError, match="n_critic \\+ n_train"):
        color_mnist.digit_splits(offline, n_critic=270, n_test=40)
    with pytest.raises(ValueError, match="n_test"):
        color_mnist.digit_splits(full, n_critic=10, n_test=500)


def color_mnist_digits(root):
    from gpkit.data.images import load

    return load("mnist", root=root, split="train", pad=2)


# ------------------------------------------------------------------ MS-SSIM diversity
def test_ms_ssim_scales_fit_the_image_size():
    assert len(div.ms_ssim_settings(28)["betas"]) == 3 and len(div.ms_ssim_settings(32)["betas"]) == 3
    assert len(div.ms_ssim_settings(64)["betas"]) == 4
    assert sum(div.ms_ssim_settings(64)["betas"]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="size = 6 pixels is too small"):
        div.ms_ssim_settings(6)


def test_ms_ssim_against_a_hand_computed_case():
    # Two constant images a, b: at every scale the contrast-structure term is (0 + C2) / (0 + C2) = 1 and the
    # luminance term at the coarsest scale is (2 a b + C1) / (a^2 + b^2 + C1), with C1 = (0.01 x 2)^2 for the
    # range [-1, 1] of width 2, raised to the last scale's weight.
    a, b = 0.3, 0.6
    x, y = torch.full((1, 1, 28, 28), a), torch.full((1, 1, 28, 28), b)
    c1 = (0.01 * 2.0) ** 2
    lum = (2 * a * b + c1) / (a ** 2 + b ** 2 + c1)
    expected = lum ** div.ms_ssim_settings(28)["betas"][-1]
    assert float(div.ms_ssim(x, y)[0]) == pytest.approx(expected, rel=1e-4)
    # opposite luminances give a negative term, which the relu normalisation clips to a similarity of 0
    assert float(div.ms_ssim(x, -y)[0]) == 0.0
    assert float(div.ms_ssim(x, x)[0]) == pytest.approx(1.0, abs=1e-4)


def test_diversity_detects_a_collapsed_sample_set():
    gen = torch.Generator().manual_seed(0)
    test = color_mnist.paint(_digits(400, seed=1), gen)
    good = color_mnist.paint(_digits(400, seed=2), gen)
    collapsed = color_mnist.paint(_digits(1, seed=3).expand(400, -1, -1, -1), gen)  # one digit, varied colours
    one_image = good[:1].expand(400, -1, -1, -1)
    kw = dict(batch_size=40, batches=2)
    g, c, o = (div.diversity_gap(s, test, **kw) for s in (good, collapsed, one_image))
    assert abs(g["gap"]) < 0.05
    assert c["gap"] < g["gap"] - 0.05 and o["diversity"] == pytest.approx(0.0, abs=1e-6)
    assert len(div.pairwise_ms_ssim(good, **kw)) == 2 * 40 * 39 // 2
    with pytest.raises(ValueError, match="must be in \\[-1, 1\\]"):
        div.diversity(good * 3, **kw)
    with pytest.raises(ValueError, match="exceeds the 400 images"):
        div.diversity(good, batch_size=100, batches=5)


# ------------------------------------------------------------------ independent critic
def _critic(seed=0):
    torch.manual_seed(seed)
    return DCGANCritic(dim=8, mults=(1, 2, 4), channels=3, size=28)


def test_the_independent_critic_ranks_a_collapsed_generator_below_a_good_one():
    gen = torch.Generator().manual_seed(0)
    real_fit, real_eval = (color_mnist.paint(_digits(300, seed=s), gen) for s in (10, 11))
    good_fit, good_eval = (color_mnist.paint(_digits(300, seed=s), gen) for s in (12, 13))
    one = _digits(1, seed=14).expand(300, -1, -1, -1)
    bad_fit, bad_eval = color_mnist.paint(one, gen), color_mnist.paint(one, gen)
    kw = dict(steps=150, batch_size=32, seed=0)
    good = critic_mod.independent_critic(_critic(), real_fit, good_fit, real_eval, good_eval, **kw)
    bad = critic_mod.independent_critic(_critic(), real_fit, bad_fit, real_eval, bad_eval, **kw)
    assert bad["neg_w"] < good["neg_w"] - 0.1, (good, bad)
    assert good["neg_w"] > -0.2  # real-like samples: W near 0
    again = critic_mod.independent_critic(_critic(), real_fit, good_fit, real_eval, good_eval, **kw)
    assert again == good  # same inputs and seed: the same number
    with pytest.raises(ValueError, match="fake_eval must be a non-empty batch"):
        critic_mod.independent_critic(_critic(), real_fit, good_fit, real_eval, good_eval[:, :1], **kw)


# ------------------------------------------------------------------ the coverage classifier and batch norm
def test_a_color_mnist_classifier_trains_on_painted_digits_and_reads_samples(tmp_path, make_fake_mnist):
    from gpkit.metrics import classifier as clf

    make_fake_mnist(tmp_path, n_train=2000, n_test=0)
    path = clf.get_classifier("color_mnist", tmp_path, pad=2, progress=False, epochs=8, width=8)
    model, record = clf.load_classifier(path)
    assert model.channels == 3 and record["accuracy"] > 0.5  # ten bar positions, painted in random colours
    digits = color_mnist_digits(tmp_path)[:200]
    hist = clf.class_histogram(model, color_mnist.paint(digits, torch.Generator().manual_seed(0)))
    assert hist.shape == (10,) and float(hist.sum()) == pytest.approx(1.0)
    one = clf.class_histogram(model, color_mnist.paint(digits[:1].expand(200, -1, -1, -1),
                                                       torch.Generator().manual_seed(1)))
    assert float(one.max()) > 0.9 > float(hist.max())  # one digit in many colours: one class
    probs = clf.class_probabilities(model, color_mnist.paint(digits, torch.Generator().manual_seed(0)))
    assert probs.shape == (200, 10) and torch.allclose(probs.sum(1), torch.ones(200, dtype=probs.dtype), atol=1e-5)
    assert torch.equal(torch.bincount(probs.argmax(1), minlength=10).double() / 200, hist)
    assert float(probs.max(1).values.mean()) > 0.5  # painted training digits: a confident classifier


def test_a_penalty_with_a_batch_norm_critic_needs_the_explicit_opt_in():
    from gpkit.models.images import cifar_critic, cifar_generator
    from gpkit.train import TrainConfig, Trainer

    data = torch.rand(64, 3, 32, 32) * 2 - 1

    def sample(n, rng):
        return data[torch.randint(0, len(data), (n,), generator=rng)]

    g, d = cifar_generator(4, latent_dim=10), cifar_critic(4, norm="batch")
    with pytest.raises(ValueError, match="batchnorm_penalty=True"):
        Trainer(TrainConfig(iterations=1, batch_size=8, objective="ns_gan", penalty="gp", n_critic=1), d, g, sample)
    with pytest.raises(ValueError, match="batchnorm_penalty must be True or False"):
        TrainConfig(iterations=1, batchnorm_penalty="yes")
    cfg = TrainConfig(iterations=2, batch_size=8, objective="ns_gan", penalty="dragan", n_critic=1,
                      batchnorm_penalty=True)
    result = Trainer(cfg, d, g, sample).run()
    assert result.seconds > 0
