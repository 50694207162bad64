"""The penalty's activation fast path: same numbers as PyTorch's ReLU/LeakyReLU, less work in the double backward."""

import copy

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from gpkit.bench import count_flops
from gpkit.data.toy import ToySampler
from gpkit.models import images, random_arch, text, toy, zoo
from gpkit.models.activations import LeakyReLU, ReLU, leaky_relu, native_activations, penalty_graph, relu
from gpkit.penalties import dragan_penalty, gradient_penalty, lp_penalty
from gpkit.train import TrainConfig, Trainer


def _x(shape=(64, 7), seed=0):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    x[0, :3] = 0.0  # exact zeros: the kink, where relu and leaky_relu choose a side
    return x


@pytest.mark.parametrize("fast, native", [(relu, F.relu), (lambda x: leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2))])
@pytest.mark.parametrize("scoped", [False, True])
def test_values_and_first_order_gradients_are_pytorchs(fast, native, scoped):
    x1, x2 = _x().requires_grad_(True), _x().requires_grad_(True)
    g = torch.randn(64, 7, generator=torch.Generator().manual_seed(1))
    with penalty_graph() if scoped else torch.enable_grad():
        y1 = fast(x1)
    y2 = native(x2)
    assert torch.equal(y1, y2)
    y1.backward(g)
    y2.backward(g)
    assert torch.equal(x1.grad, x2.grad)


def test_the_fast_function_is_used_only_inside_the_penalty_scope():
    x = _x().requires_grad_(True)
    assert type(relu(x).grad_fn).__name__ == "ReluBackward0"
    with penalty_graph():
        assert type(relu(x).grad_fn).__name__ == "_PiecewiseLinearBackward"
        assert type(leaky_relu(x, 0.2).grad_fn).__name__ == "_PiecewiseLinearBackward"
        with native_activations():
            assert type(relu(x).grad_fn).__name__ == "ReluBackward0"
            assert type(leaky_relu(x, 0.2).grad_fn).__name__ == "LeakyReluBackward0"
        with torch.no_grad():
            assert relu(x).grad_fn is None
    assert type(leaky_relu(x, 0.2).grad_fn).__name__ == "LeakyReluBackward0"


def test_modules_are_torch_modules_and_reject_bad_slopes():
    assert isinstance(ReLU(), nn.ReLU) and repr(ReLU()) == "ReLU()"
    assert isinstance(LeakyReLU(0.2), nn.LeakyReLU) and LeakyReLU(0.2).negative_slope == 0.2
    with pytest.raises(ValueError, match="negative_slope"):
        LeakyReLU(0.0)
    with pytest.raises(ValueError, match="negative_slope"):
        leaky_relu(torch.ones(2), -0.1)


def test_the_double_backward_no_longer_reaches_the_forward_pass():
    """PyTorch's ReLU backward differentiates its mask (zeros) back into the forward pass; gpkit's does not."""
    torch.manual_seed(0)
    critic = toy.toy_critic(32)
    x = torch.randn(8, 2, requires_grad=True)

    def graph_nodes(native: bool) -> set[str]:
        with native_activations() if native else torch.enable_grad(), penalty_graph():
            out = critic(x)
        (g,) = torch.autograd.grad(out.sum(), x, create_graph=True)
        seen, stack = set(), [g.grad_fn]
        while stack:
            node = stack.pop()
            if node is not None and node not in seen:
                seen.add(node)
                stack.extend(f for f, _ in node.next_functions)
        return {type(n).__name__ for n in seen}

    assert {"ReluBackward0", "AddmmBackward0"} <= graph_nodes(native=True)
    assert not {"ReluBackward0", "AddmmBackward0", "_PiecewiseLinearBackward"} & graph_nodes(native=False)


def _critics():
    torch.manual_seed(0)
    spec = random_arch.sample_architectures(3, seed=1)[2]
    return {
        "toy relu": (toy.toy_critic(32), (16, 2)),
        "toy leaky": (toy.MLP(2, 1, 32, 3, activation="leaky_relu"), (16, 2)),
        "mnist dcgan": (images.mnist_critic(8), (6, 1, 28, 28)),
        "cifar dcgan, layer norm": (images.cifar_critic(8, norm="layer"), (6, 3, 32, 32)),
        "cifar resnet": (images.cifar_resnet_critic(8), (4, 3, 32, 32)),
        "zoo resnet101": (zoo.build("resnet101", "wgan-gp", dim=8, size=32)[1], (2, 3, 32, 32)),
        "random architecture": (random_arch.build(spec, "wgan-gp", filter_scale=0.125)[1], (4, 3, 32, 32)),
        "text": (text.TextCritic(11, seq_len=8, dim=16, blocks=2), (6, 8, 11)),
    }


@pytest.mark.parametrize("name", list(_critics()))
@pytest.mark.parametrize("penalty", ["gp", "dragan", "lp"])
def test_penalised_critic_gradients_are_bit_identical(name, penalty):
    critic, shape = _critics()[name]
    real = torch.randn(shape, generator=torch.Generator().manual_seed(2))
    fake = torch.randn(shape, generator=torch.Generator().manual_seed(3))

    def grads() -> list[torch.Tensor]:
        g = torch.Generator().manual_seed(4)
        if penalty == "gp":
            pen = gradient_penalty(critic, real, fake, 10.0, generator=g)
        elif penalty == "dragan":
            pen = dragan_penalty(critic, real, 10.0, generator=g)
        else:
            pen = lp_penalty(critic, real, fake, 10.0, generator=g)
        out = critic(torch.cat((real, fake)))
        loss = out[len(real):].mean() - out[: len(real)].mean() + pen
        critic.zero_grad(set_to_none=True)
        loss.backward()
        return [p.grad.clone() for p in critic.parameters()]

    with native_activations():
        reference = grads()
    fast = grads()
    assert len(reference) == len(fast) > 0
    for a, b in zip(reference, fast):
        assert torch.equal(a, b)


@pytest.mark.parametrize("name, saving", [("toy relu", 1.15), ("mnist dcgan", 1.05)])
def test_the_fast_path_does_less_arithmetic(name, saving):
    critic, shape = _critics()[name]
    real, fake = torch.randn(shape), torch.randn(shape)

    def step() -> None:
        gradient_penalty(critic, real, fake, 10.0).backward()

    fast = count_flops(step)
    with native_activations():
        native = count_flops(step)
    assert native / fast > saving


def test_training_runs_are_bit_identical_to_pytorchs_activations():
    def run(native: bool) -> list[torch.Tensor]:
        torch.manual_seed(0)
        critic, generator = toy.toy_critic(16), toy.toy_generator(16)
        cfg = TrainConfig(iterations=3, batch_size=32, penalty="gp", n_critic=2, seed=5)
        trainer = Trainer(cfg, critic, generator, ToySampler("8gaussians", seed=5))
        with native_activations() if native else torch.enable_grad():
            trainer.run()
        return [p.detach().clone() for p in (*critic.parameters(), *generator.parameters())]

    for a, b in zip(run(native=True), run(native=False)):
        assert torch.equal(a, b)


def test_count_flops_counts_forward_backward_and_double_backward():
    layer = nn.Linear(3, 5)
    x = torch.randn(7, 3)
    assert count_flops(lambda: layer(x)) == 2 * 7 * 3 * 5
    assert count_flops(lambda: layer(x).sum().backward()) == 2 * (2 * 7 * 3 * 5)  # forward + weight gradient
    xr = x.clone().requires_grad_(True)
    two = copy.deepcopy(layer)
    # input gradient with a graph (7x5 @ 5x3), then its backward reaches the weight (5x7 @ 7x3)
    assert count_flops(lambda: torch.autograd.grad(two(xr).sum(), xr, create_graph=True)[0].sum().backward()) \
        == 3 * (2 * 7 * 3 * 5)
