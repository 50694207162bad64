"""Algorithm 1's loop: structure, resume, NaN guard, validation, optimizers."""

import csv
import math

import pytest
import torch
from torch import nn

from gpkit.data.toy import ToySampler
from gpkit.models import toy_critic, toy_generator
from gpkit.optim import TFRMSprop, make_optimizer
from gpkit.train import NonFiniteLossError, TrainConfig, Trainer, every, load_checkpoint, train


def _models(seed=0, width=16):
    torch.manual_seed(seed)
    return toy_critic(width=width, hidden=2), toy_generator(width=width, hidden=2)


def _losses(history):
    return [(h["iteration"], h["critic_loss"], h["critic_objective"], h["penalty"], h["generator_loss"]) for h in history]


class Stop(Exception):
    pass


@pytest.mark.parametrize(
    "kind",
    [dict(penalty="gp"), dict(penalty="none", clip=0.01, optimizer="rmsprop_tf", lr=5e-5)],
    ids=["gp-adam", "clip-rmsprop_tf"],
)
def test_interrupted_run_resumes_to_the_same_numbers(tmp_path, kind):
    cfg = TrainConfig(iterations=20, batch_size=32, n_critic=2, checkpoint_every=5, seed=3, **kind)
    sampler = ToySampler("8gaussians")

    critic, gen = _models()
    full = train(cfg, critic, gen, sampler, out_dir=tmp_path / "a")

    def crash(trainer, it):
        if it == 12:
            raise Stop

    critic_b, gen_b = _models()
    with pytest.raises(Stop):
        train(cfg, critic_b, gen_b, sampler, out_dir=tmp_path / "b", callbacks=[every(1, crash)])
    assert torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=True)["iteration"] == 10

    critic_c, gen_c = _models(seed=99)  # different initialisation: everything must come from the checkpoint
    resumed = train(cfg, critic_c, gen_c, sampler, out_dir=tmp_path / "b")
    assert resumed.resumed_from == 10
    assert _losses(resumed.history) == _losses(full.history)
    for a, b in zip(critic.state_dict().values(), critic_c.state_dict().values()):
        assert torch.equal(a, b)
    for a, b in zip(gen.state_dict().values(), gen_c.state_dict().values()):
        assert torch.equal(a, b)
    with (tmp_path / "b" / "metrics.csv").open() as fh:
        assert [int(r["iteration"]) for r in csv.DictReader(fh)] == list(range(1, 21))


def test_extending_a_finished_run_matches_a_longer_run(tmp_path):
    sampler = ToySampler("swissroll")
    critic, gen = _models()
    long = train(TrainConfig(iterations=12, batch_size=16, n_critic=1, seed=1), critic, gen, sampler)
    c2, g2 = _models()
    train(TrainConfig(iterations=6, batch_size=16, n_critic=1, seed=1), c2, g2, sampler, out_dir=tmp_path)
    c3, g3 = _models(seed=5)
    ext = train(TrainConfig(iterations=12, batch_size=16, n_critic=1, seed=1), c3, g3, sampler, out_dir=tmp_path)
    assert _losses(ext.history) == _losses(long.history)


def test_resume_refuses_a_different_configuration(tmp_path):
    sampler = ToySampler("8gaussians")
    critic, gen = _models()
    train(TrainConfig(iterations=2, batch_size=8, lr=1e-4), critic, gen, sampler, out_dir=tmp_path)
    with pytest.raises(ValueError, match="different configuration"):
        train(TrainConfig(iterations=4, batch_size=8, lr=1e-3), *_models(), sampler, out_dir=tmp_path)
    # resume=False starts afresh instead
    res = train(TrainConfig(iterations=2, batch_size=8, lr=1e-3), *_models(), sampler, out_dir=tmp_path, resume=False)
    assert res.resumed_from is None and res.iterations == 2


def test_same_seed_same_numbers_different_seed_different():
    sampler = ToySampler("25gaussians")
    a = train(TrainConfig(iterations=5, batch_size=16, seed=0), *_models(), sampler)
    b = train(TrainConfig(iterations=5, batch_size=16, seed=0), *_models(), sampler)
    c = train(TrainConfig(iterations=5, batch_size=16, seed=1), *_models(), sampler)
    assert _losses(a.history) == _losses(b.history) != _losses(c.history)


def test_algorithm_1_structure():
    """n_critic fresh real batches per generator iteration; one generator step; generator batch size used."""
    calls = []

    def sampler(n, generator):
        calls.append(n)
        return torch.randn(n, 2, generator=generator)

    critic, gen = _models()
    seen = []
    gen.register_forward_hook(lambda m, i, o: seen.append(o.shape[0]))
    train(TrainConfig(iterations=3, batch_size=8, gen_batch_size=24, n_critic=4), critic, gen, sampler)
    assert calls == [8] * 12
    assert seen == ([8] * 4 + [24]) * 3  # 4 critic steps with fakes of batch 8, then one G step of 24


def test_fixed_generator_mode_trains_only_the_critic():
    critic, _ = _models()
    res = train(TrainConfig(iterations=4, batch_size=16, n_critic=1, fixed_generator_std=1.0), critic, None,
                ToySampler("8gaussians"))
    assert res.iterations == 4 and all(math.isnan(h["generator_loss"]) for h in res.history)
    with pytest.raises(ValueError, match="generator"):
        Trainer(TrainConfig(iterations=1), critic, None, ToySampler("8gaussians"))


def test_clipping_is_applied_after_every_critic_step():
    critic, gen = _models()
    train(TrainConfig(iterations=2, batch_size=8, penalty="none", clip=0.003, optimizer="rmsprop_tf", lr=0.1),
          critic, gen, ToySampler("8gaussians"))
    assert max(p.abs().max().item() for p in critic.parameters()) <= 0.003 + 1e-9


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    count = {"n": 0}

    def sampler(n, generator):
        count["n"] += 1
        x = torch.randn(n, 2, generator=generator)
        return x * float("nan") if count["n"] > 7 * 2 else x  # iteration 8 (n_critic=2) sees NaN data

    critic, gen = _models()
    cfg = TrainConfig(iterations=20, batch_size=8, n_critic=2, checkpoint_every=5)
    with pytest.raises(NonFiniteLossError, match=r"iteration 8.*checkpoint \(iteration 5\)"):
        train(cfg, critic, gen, sampler, out_dir=tmp_path)
    state = load_checkpoint(tmp_path)
    assert state["iteration"] == 5
    assert all(torch.isfinite(v).all() for v in state["critic"].values())


def test_batchnorm_critic_refuses_a_penalty():
    critic = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Linear(8, 1))
    with pytest.raises(ValueError, match="batch norm"):
        Trainer(TrainConfig(iterations=1, penalty="gp"), critic, toy_generator(width=8), ToySampler("8gaussians"))


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("n_critic", 0, "n_critic"),
        ("lr", 0.0, "lr"),
        ("lr", -1e-4, "lr"),
        ("objective", "wgan_gp", "objective"),
        ("penalty", "l2", "penalty"),
        ("optimizer", "sgd", "optimizer"),
        ("batch_size", 0, "batch_size"),
        ("clip", -0.01, "clip"),
        ("lam", -1.0, "lam"),
        ("betas", (0.5,), "betas"),
        ("lr_decay", "cosine", "lr_decay"),
    ],
)
def test_bad_config_raises_value_error_naming_the_field(field, value, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(iterations=1, **{field: value})


def test_linear_lr_decay_reaches_zero_at_the_end():
    critic, gen = _models()
    lrs = []
    train(TrainConfig(iterations=4, batch_size=8, lr=1e-3, lr_decay="linear"), critic, gen, ToySampler("8gaussians"),
          callbacks=[every(1, lambda tr, it: lrs.append(tr.opt_d.param_groups[0]["lr"]))])
    assert lrs == pytest.approx([1e-3, 1e-3, 0.75e-3, 0.5e-3, 0.25e-3])  # first entry: before training


def test_linear_lr_decay_runs_over_the_references_horizon_not_the_runs():
    """igul222/improved_wgan_training @ fa66c57, gan_cifar_resnet.py L38 ITERS = 100000, L281-284
    decay = tf.maximum(0., 1.-(iteration/ITERS)): a shorter run keeps nearly the full rate; never below 0."""
    critic, gen = _models()
    lrs = []
    cfg = TrainConfig(iterations=4, batch_size=8, lr=1e-3, lr_decay="linear", decay_iterations=100_000)
    train(cfg, critic, gen, ToySampler("8gaussians"), callbacks=[every(1, lambda tr, it: lrs.append(tr.opt_d.param_groups[0]["lr"]))])
    assert lrs == pytest.approx([1e-3, 1e-3, 1e-3 * (1 - 1e-5), 1e-3 * (1 - 2e-5), 1e-3 * (1 - 3e-5)])
    lrs.clear()
    critic, gen = _models()
    train(TrainConfig(iterations=4, batch_size=8, lr=1e-3, lr_decay="linear", decay_iterations=2), critic, gen,
          ToySampler("8gaussians"), callbacks=[every(1, lambda tr, it: lrs.append(tr.opt_d.param_groups[0]["lr"]))])
    assert lrs == pytest.approx([1e-3, 1e-3, 0.5e-3, 0.0, 0.0])


def test_cifar_resnet_profiles_decay_over_100000_iterations():
    from gpkit.experiments import cifar_scores

    assert {p["decay_iterations"] for p in cifar_scores.PROFILES.values()} == {100_000}


def test_tf_rmsprop_matches_tensorflow_update():
    """TF1: ms starts at 1; ms <- 0.9 ms + 0.1 g^2; w <- w - lr g / sqrt(ms + 1e-10)."""
    w = nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = TFRMSprop([w], lr=0.1)
    ms = torch.ones(2, dtype=torch.float64)
    expected = w.detach().clone()
    for g in (torch.tensor([0.5, 3.0]), torch.tensor([-1.0, 0.1])):
        w.grad = g.double()
        opt.step()
        ms = 0.9 * ms + 0.1 * g.double() ** 2
        expected = expected - 0.1 * g.double() / torch.sqrt(ms + 1e-10)
        torch.testing.assert_close(w.detach(), expected)


def test_make_optimizer_validates():
    p = [nn.Parameter(torch.zeros(1))]
    assert isinstance(make_optimizer("adam", p, 1e-4, (0.0, 0.9)), torch.optim.Adam)
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("sgd", p, 1e-4)
    with pytest.raises(ValueError, match="lr"):
        make_optimizer("adam", p, 0.0)


@pytest.mark.parametrize("name, reference", [
    ("adam", lambda ps: torch.optim.Adam(ps, lr=1e-3, betas=(0.5, 0.9), foreach=False)),
    ("rmsprop", lambda ps: torch.optim.RMSprop(ps, lr=1e-3, foreach=False)),
])
def test_multi_tensor_optimizers_are_bit_identical_to_the_per_parameter_loop(name, reference):
    """make_optimizer's foreach kernels (a CPU speed-up) change no number."""
    import copy

    from gpkit.models.images import mnist_critic

    torch.manual_seed(0)
    fast_net = mnist_critic(4)
    slow_net = copy.deepcopy(fast_net)
    fast, slow = make_optimizer(name, fast_net.parameters(), 1e-3), reference(slow_net.parameters())
    for i in range(10):
        x = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(i))
        for net, opt in ((fast_net, fast), (slow_net, slow)):
            opt.zero_grad()
            net(x).pow(2).mean().backward()
            opt.step()
    assert all(torch.equal(a, b) for a, b in zip(fast_net.parameters(), slow_net.parameters()))
