"""Algorithm 1 vectorised over models: S small GANs trained at once, one Python step updating all of them.

This is WGAN-GP's Algorithm 1 (``n_critic`` discriminator steps, then one generator step; the penalty, clipping
and optimizer of each objective), written for models that are too small to keep a core busy one at a time:
every tensor carries a leading model axis and every step is a batched matrix product. It serves the Many Paths
paper's 1-D manifold problems (:mod:`gpkit.experiments.many_paths`), where hundreds of seeds and learning rates
are the experiment. For one model at a time, :class:`gpkit.train.Trainer` is the same algorithm.

Experiment I (Fedus et al. 2018, Sec. 4.1): real data ``x = mu_r + z v_r`` with ``z ~ N(0, 1)`` and random
``mu_r, v_r in R^d`` (a Gaussian on a line in ``d`` dimensions); the generator has the same form,
``G(z) = mu_g + z v_g``. Experiment II (Sec. 4.2): the same data, an over-complete generator
``G(z) = mu_g + W z`` with ``z ~ N(0, I_l)``, ``W in R^{d x l}``, ``l > 1``. The discriminator is one hidden
layer of ReLU units. Fit is measured by the squared errors of the Gaussian parameters,
``||mu_r - mu_g||^2`` and ``||Sigma_r - Sigma_g||_F^2`` (``Sigma_r = v_r v_r^T``, ``Sigma_g = W W^T``).

**The problem.** :class:`ManifoldGANs` holds ``S`` independent models as stacked parameters (a leading model axis on every
tensor) and trains them together with batched matrix products: one Python step updates all ``S`` models.
Each model has its own seed and its own learning rate. Its random numbers (true parameters, initial weights,
noise of every step) come from a counter-based generator keyed by (seed, step, stream), so a model's numbers
do not depend on which other models are trained beside it: training seeds ``[0, 1, 2]`` together gives the
same numbers, to float rounding, as training each seed alone (``tests/test_many_paths.py`` checks it).

Objectives (:data:`OBJECTIVES`), all with penalty coefficient ``lam`` (10 in the paper):

==============  =================================================================  =========================
name            discriminator / critic loss                                        generator loss
==============  =================================================================  =========================
``ns_gan``      ``E softplus(-D(x)) + E softplus(D(G(z)))``                        ``E softplus(-D(G(z)))``
``gan_gp``      NS-GAN + ``lam E (||grad D(x_hat)|| - 1)^2``, x_hat on real-fake    as ``ns_gan``
``dragan_ns``   NS-GAN + the same penalty at x_hat between x and x + 0.5 std(x) u  as ``ns_gan``
``wgan_gp``     ``E D(G(z)) - E D(x)`` + the WGAN-GP penalty                       ``-E D(G(z))``
``wgan_clip``   ``E D(G(z)) - E D(x)``, every weight clipped to ``[-c, c]``        ``-E D(G(z))``
==============  =================================================================  =========================

Optimizers, each at the model's own learning rate: Adam (0.5, 0.999) for the non-saturating family (DCGAN's
settings), Adam (0.5, 0.9) for WGAN-GP (the WGAN-GP paper), TensorFlow-style RMSProp for weight clipping (the
WGAN paper). The discriminator's input gradient is computed in closed form (``W1 diag(relu'(h)) w2``), which
equals autograd's and stays differentiable with respect to the weights.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from gpkit.methods import METHODS
from gpkit.params import check_choice, check_int, check_positive

__all__ = [
    "OBJECTIVES",
    "counter_uniform",
    "counter_normal",
    "true_parameters",
    "parameter_errors",
    "ManifoldGANs",
]

OBJECTIVES = ("ns_gan", "gan_gp", "dragan_ns", "wgan_gp", "wgan_clip")
_MASK32 = 0xFFFFFFFF
# Streams of the counter-based generator (tags < 64).
_Z_REAL, _Z_FAKE, _ALPHA, _DRAGAN_U, _Z_GEN = 0, 1, 2, 3, 5
_MU_R, _V_R, _MU_G, _W_G, _W1, _B1, _W2, _B2 = 10, 11, 12, 13, 14, 15, 16, 17
_INIT_SUB = 15  # sub-step index reserved for initialisation draws


# ------------------------------------------------------------------ counter-based random numbers
def _mul32(x: torch.Tensor, c: int) -> torch.Tensor:
    """``x * c mod 2^32`` for int64 tensors holding values below 2^32, without int64 overflow."""
    lo, hi = c & 0xFFFF, c >> 16
    return (x * lo + (((x * hi) & 0xFFFF) << 16)) & _MASK32


def _hash32(x: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer mixing function (Wellons' "lowbias32") on int64 tensors with values in [0, 2^32)."""
    x = x ^ (x >> 16)
    x = _mul32(x, 0x7FEB352D)
    x = x ^ (x >> 15)
    x = _mul32(x, 0x846CA68B)
    return x ^ (x >> 16)


def _counter(step: int, sub: int, tag: int) -> int:
    return ((int(step) * 16 + int(sub)) * 64 + int(tag)) & _MASK32


@functools.lru_cache(maxsize=64)
def _hashed_indices(n: int, device: torch.device) -> torch.Tensor:
    """The mixed element indices ``0 .. n-1`` (the same at every step, so computed once per size)."""
    return _hash32(torch.arange(n, device=device, dtype=torch.int64) * 0x9E3779B1 & _MASK32)


def counter_uniform(seeds: torch.Tensor, step: int, sub: int, tag: int, n: int) -> torch.Tensor:
    """Uniform numbers in (0, 1), shape ``(S, n)`` float32: row ``s`` depends only on ``seeds[s]``, the counter
    ``(step, sub, tag)`` and ``n`` (not on the other rows). ``seeds``: ``(S,)`` int64 in ``[0, 2^31)``."""
    key = _hash32(_hash32(seeds.to(torch.int64) ^ 0x68BC21EB) ^ _counter(step, sub, tag))
    bits = _hash32(key[:, None] ^ _hashed_indices(n, seeds.device)[None, :])
    return ((bits >> 8).to(torch.float32) + 0.5) * (1.0 / (1 << 24))


def counter_normal(seeds: torch.Tensor, step: int, sub: int, tag: int, shape: Sequence[int]) -> torch.Tensor:
    """Standard normal numbers of shape ``(S, *shape)`` (Box-Muller on :func:`counter_uniform`)."""
    n = math.prod(shape)
    u = counter_uniform(seeds, step, sub, tag, 2 * n)
    z = torch.sqrt(-2.0 * torch.log(u[:, :n])) * torch.cos((2.0 * math.pi) * u[:, n:])
    return z.reshape(len(seeds), *shape)


# ------------------------------------------------------------------ parameters and errors
def true_parameters(seeds: torch.Tensor, dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The data's ``mu_r`` and ``v_r`` of each seed, each ``(S, d)`` with N(0, 1) entries (Sec. 4.1)."""
    return (counter_normal(seeds, 0, _INIT_SUB, _MU_R, (dim,)), counter_normal(seeds, 0, _INIT_SUB, _V_R, (dim,)))


def parameter_errors(
    mu_r: torch.Tensor, v_r: torch.Tensor, mu_g: torch.Tensor, w_g: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(||mu_r - mu_g||^2, ||v_r v_r^T - W W^T||_F^2)`` per model, each ``(S,)``.

    ``mu_r, v_r, mu_g``: ``(S, d)``; ``w_g``: ``(S, d, l)`` (``l = 1`` for Experiment I). The Frobenius term uses
    ``||A - B||^2 = ||A||^2 + ||B||^2 - 2 tr(AB)`` so no ``d x d`` matrix is formed; it is invariant to the sign
    of ``v`` and to rotations of ``W``'s columns (the distribution, not the parametrisation, is compared).
    """
    mean_err = (mu_r - mu_g).pow(2).sum(-1)
    vv = v_r.pow(2).sum(-1).pow(2)
    ww = torch.linalg.matrix_norm(w_g.transpose(1, 2) @ w_g).pow(2)
    cross = (w_g.transpose(1, 2) @ v_r.unsqueeze(-1)).pow(2).sum((-2, -1))
    cov_err = (vv + ww - 2.0 * cross).clamp(min=0.0)
    return mean_err, cov_err


# ------------------------------------------------------------------ vectorised optimisers
class _Optimizer:
    """A vectorised optimiser over stacked parameters (leading model axis), one learning rate per model.

    ``buffers`` holds its per-parameter state (lists parallel to ``params``), ``t`` the number of steps taken.
    """

    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor) -> None:
        self.params = params
        self.lrs = [lr.view(-1, *([1] * (p.dim() - 1))) for p in params]  # broadcast over each parameter
        self.buffers: list[list[torch.Tensor]] = []
        self.t = 0

    def state(self) -> dict[str, Any]:
        return {"buffers": self.buffers, "t": self.t}

    def load(self, state: dict[str, Any]) -> None:
        for dst, src in zip(self.buffers, state["buffers"]):
            for d, s in zip(dst, src):
                d.copy_(s)
        self.t = int(state["t"])


class _Adam(_Optimizer):
    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor, betas: tuple[float, float], eps: float = 1e-8):
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps
        self.buffers = [[torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]]

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor]) -> None:
        b1, b2 = self.betas
        self.t += 1
        c1, c2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        for p, lr, g, m, v in zip(self.params, self.lrs, grads, *self.buffers):
            m.mul_(b1).add_(g, alpha=1.0 - b1)
            v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
            p.sub_(lr * (m / c1) / ((v / c2).sqrt() + self.eps))


class _TFRMSprop(_Optimizer):
    """TensorFlow-1 RMSProp (decay 0.9, eps 1e-10 inside the root, accumulator starting at 1), as ``gpkit.optim``."""

    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor, decay: float = 0.9, eps: float = 1e-10):
        super().__init__(params, lr)
        self.decay, self.eps = decay, eps
        self.buffers = [[torch.ones_like(p) for p in params]]

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor]) -> None:
        self.t += 1
        for p, lr, g, ms in zip(self.params, self.lrs, grads, *self.buffers):
            ms.mul_(self.decay).addcmul_(g, g, value=1.0 - self.decay)
            p.sub_(lr * g / (ms + self.eps).sqrt())


# ------------------------------------------------------------------ the models
def _per_model(name: str, values: float | Sequence[float], n: int, what: str, device: torch.device) -> torch.Tensor:
    """One positive ``what`` for all ``n`` models, or one per model, as a float32 tensor ``(n,)``; ``ValueError``
    naming ``name`` for a wrong count or a non-positive value."""
    values = [values] * n if isinstance(values, (int, float)) else list(values)
    if len(values) != n:
        raise ValueError(f"{name} must be one {what} or one per seed ({n}), got {len(values)}")
    return torch.tensor([check_positive(name, v) for v in values], dtype=torch.float32, device=device)


class ManifoldGANs:
    """``S`` GANs on the 1-D manifold problem, one per ``(seed, lr)`` pair, trained together.

    ``seeds``: ``S`` integers in ``[0, 2^31)`` (a seed fixes the data's parameters and the model's
    initialisation and noise, so equal seeds under different objectives or learning rates are paired);
    ``lrs``: one learning rate or ``S`` (discriminator and generator share it). ``dim``: data dimension ``d``;
    ``latent``: generator latent size (1: Experiment I; > 1: Experiment II). ``hidden``: ReLU units of the
    discriminator; ``batch_size``: real and fake samples per step; ``n_critic``: discriminator steps per
    generator step. Tensors live on ``device``; everything is float32.
    """

    def __init__(
        self,
        objective: str,
        seeds: Sequence[int],
        lrs: float | Sequence[float],
        *,
        dim: int,
        latent: int = 1,
        hidden: int = 32,
        batch_size: int = 64,
        n_critic: int = 5,
        lam: float = 10.0,
        clip: float | Sequence[float] = 0.01,
        dragan_scale: float = 0.5,
        device: str | torch.device = "cpu",
    ) -> None:
        self.objective = check_choice("objective", objective, OBJECTIVES)
        seeds = [check_int("seeds", s, minimum=0) for s in seeds]
        if not seeds or max(seeds) >= 2**31:
            raise ValueError(f"seeds must be a non-empty list of integers in [0, 2^31), got {seeds[:5]}...")
        self.dim = check_int("dim", dim, minimum=1)
        self.latent = check_int("latent", latent, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.n_critic = check_int("n_critic", n_critic, minimum=1)
        self.lam = check_positive("lam", lam, allow_zero=True)
        self.dragan_scale = check_positive("dragan_scale", dragan_scale, allow_zero=True)
        self.device = torch.device(device)
        S = len(seeds)
        self.lrs = _per_model("lrs", lrs, S, "learning rate", self.device)
        self.clip = _per_model("clip", clip, S, "bound", self.device)  # (S,): weight clipping's bound per model
        self.seeds = torch.tensor(seeds, dtype=torch.int64, device=self.device)
        self.iteration = 0

        d, l, H = self.dim, self.latent, self.hidden
        self.mu_r, self.v_r = true_parameters(self.seeds, d)
        init = lambda tag, shape: counter_normal(self.seeds, 0, _INIT_SUB, tag, shape)  # noqa: E731
        uni = lambda tag, shape, bound: (2.0 * counter_uniform(self.seeds, 0, _INIT_SUB, tag, math.prod(shape))  # noqa: E731
                                         - 1.0).reshape(S, *shape) * bound
        # Generator: N(0, 1) entries (W scaled by 1/sqrt(l) so Sigma_g has the data's scale), drawn independently
        # of the data, so the two lines start apart. Discriminator: PyTorch's default Linear initialisation.
        self.mu_g = init(_MU_G, (d,))
        self.w_g = init(_W_G, (d, l)) / math.sqrt(l)
        self.w1 = uni(_W1, (d, H), 1.0 / math.sqrt(d))
        self.b1 = uni(_B1, (H,), 1.0 / math.sqrt(d))
        self.w2 = uni(_W2, (H,), 1.0 / math.sqrt(H))
        self.b2 = uni(_B2, (), 1.0 / math.sqrt(H))
        for p in self.d_params + self.g_params:
            p.requires_grad_(True)
        if objective == "wgan_clip":
            self._clip()
            self.opt_d: _Optimizer = _TFRMSprop(self.d_params, self.lrs)
            self.opt_g: _Optimizer = _TFRMSprop(self.g_params, self.lrs)
        else:
            # the presets of gpkit.methods: WGAN-GP's betas for wgan_gp, DCGAN's for the non-saturating family
            betas = METHODS["wgan-gp" if objective == "wgan_gp" else "dcgan"].betas
            self.opt_d, self.opt_g = _Adam(self.d_params, self.lrs, betas), _Adam(self.g_params, self.lrs, betas)

    # -------------------------------------------------------------- pieces
    @property
    def d_params(self) -> list[torch.Tensor]:
        return [self.w1, self.b1, self.w2, self.b2]

    @property
    def g_params(self) -> list[torch.Tensor]:
        return [self.mu_g, self.w_g]

    @property
    def n_models(self) -> int:
        return len(self.seeds)

    def _normal(self, sub: int, tag: int, shape: Sequence[int]) -> torch.Tensor:
        return counter_normal(self.seeds, self.iteration + 1, sub, tag, shape)

    def real(self, z: torch.Tensor) -> torch.Tensor:
        """Real samples ``mu_r + z v_r`` for ``z``: ``(S, B)`` -> ``(S, B, d)``."""
        return self.mu_r[:, None, :] + z[..., None] * self.v_r[:, None, :]

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Generator samples ``mu_g + W z`` for ``z``: ``(S, B, l)`` -> ``(S, B, d)``."""
        return self.mu_g[:, None, :] + z @ self.w_g.transpose(1, 2)

    def hidden_pre(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-activations of the hidden layer, ``(S, N, d)`` -> ``(S, N, H)``."""
        return torch.baddbmm(self.b1[:, None, :], x, self.w1)

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """Discriminator outputs (logits or critic values), ``(S, N, d)`` -> ``(S, N)``."""
        return self._head(self.hidden_pre(x))

    def _head(self, pre: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.b2[:, None, None], F.relu(pre), self.w2[:, :, None]).squeeze(-1)

    def _input_gradients(self, pre: torch.Tensor) -> torch.Tensor:
        return (pre > 0).to(pre.dtype).mul_(self.w2[:, None, :]) @ self.w1.transpose(1, 2)

    def input_gradients(self, x: torch.Tensor) -> torch.Tensor:
        """``grad_x D(x)`` in closed form, ``(S, N, d)``: ``W1 (1[h > 0] * w2)``; differentiable in the weights."""
        return self._input_gradients(self.hidden_pre(x))

    def _clip(self) -> None:
        with torch.no_grad():
            for p in self.d_params:
                c = self.clip.view(-1, *([1] * (p.dim() - 1)))  # (S,) against (S, ...)
                p.clamp_(-c, c)

    def penalty_points(self, real: torch.Tensor, fake: torch.Tensor, sub: int) -> torch.Tensor:
        """Where the penalty is taken, ``(S, B, d)``: between real and fake (GAN-GP, WGAN-GP) or between real and
        real + ``dragan_scale`` std(real) u, u ~ U[0, 1) per coordinate (DRAGAN-NS), one alpha per sample."""
        S, B, d = real.shape
        alpha = counter_uniform(self.seeds, self.iteration + 1, sub, _ALPHA, B).view(S, B, 1)
        if self.objective == "dragan_ns":
            u = counter_uniform(self.seeds, self.iteration + 1, sub, _DRAGAN_U, B * d).view(S, B, d)
            std = real.reshape(S, -1).std(dim=1).view(S, 1, 1)
            fake = real + self.dragan_scale * std * u
        return real + alpha * (fake - real)

    def critic_loss(self, real: torch.Tensor, fake: torch.Tensor, sub: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-model ``(loss, penalty)``, each ``(S,)``, for real and fake batches ``(S, B, d)``.

        One batched product gives the hidden layer of the real, fake and (when penalised) penalty points."""
        B = real.shape[1]
        penalised = self.objective in ("gan_gp", "dragan_ns", "wgan_gp") and self.lam > 0
        parts = (real, fake, self.penalty_points(real, fake, sub)) if penalised else (real, fake)
        pre = self.hidden_pre(torch.cat(parts, dim=1))
        out = self._head(pre[:, : 2 * B])
        d_real, d_fake = out[:, :B], out[:, B:]
        if self.objective.startswith("wgan"):
            loss = d_fake.mean(1) - d_real.mean(1)
        else:
            loss = F.softplus(-d_real).mean(1) + F.softplus(d_fake).mean(1)
        if penalised:
            norms = self._input_gradients(pre[:, 2 * B:]).norm(dim=-1)
            pen = self.lam * (norms - 1.0).pow(2).mean(1)
        else:
            pen = torch.zeros_like(loss)
        return loss + pen, pen

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """Per-model generator loss ``(S,)`` for fakes ``(S, B, d)`` (non-saturating or Wasserstein)."""
        out = self.discriminate(fake)
        return -out.mean(1) if self.objective.startswith("wgan") else F.softplus(-out).mean(1)

    # -------------------------------------------------------------- training
    def step(self) -> None:
        """One generator iteration: ``n_critic`` discriminator steps then one generator step, for every model."""
        S, B, l = self.n_models, self.batch_size, self.latent
        for sub in range(self.n_critic):
            real = self.real(self._normal(sub, _Z_REAL, (B,)))
            with torch.no_grad():
                fake = self.generate(self._normal(sub, _Z_FAKE, (B, l)))
            loss, _ = self.critic_loss(real, fake, sub)
            grads = torch.autograd.grad(loss.sum(), self.d_params)
            self.opt_d.step(grads)
            if self.objective == "wgan_clip":
                self._clip()
        fake = self.generate(self._normal(self.n_critic, _Z_GEN, (B, l)))
        g_loss = self.generator_loss(fake)
        grads = torch.autograd.grad(g_loss.sum(), self.g_params)
        self.opt_g.step(grads)
        self.iteration += 1

    def errors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mean error, covariance error)`` of every model, each ``(S,)`` (see :func:`parameter_errors`)."""
        with torch.no_grad():
            return parameter_errors(self.mu_r, self.v_r, self.mu_g, self.w_g)

    def relative_errors(self) -> torch.Tensor:
        """``(mean error + covariance error) / (||mu_r||^2 + ||v_r v_r^T||_F^2)``, ``(S,)``: 0 is a perfect fit,
        about 2 a generator drawn independently of the data."""
        mean_err, cov_err = self.errors()
        scale = self.mu_r.pow(2).sum(-1) + self.v_r.pow(2).sum(-1).pow(2)
        return (mean_err + cov_err) / scale

    def state_dict(self) -> dict[str, Any]:
        """Parameters, optimiser states and the iteration (tensors and ints; loads with ``weights_only=True``)."""
        return {"iteration": self.iteration, "seeds": self.seeds, "lrs": self.lrs,
                "params": [p.detach() for p in self.d_params + self.g_params],
                "opt_d": self.opt_d.state(), "opt_g": self.opt_g.state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (the seeds and learning rates must match)."""
        if not (torch.equal(state["seeds"].cpu(), self.seeds.cpu()) and torch.equal(state["lrs"].cpu(),
                                                                                     self.lrs.cpu())):
            raise ValueError("state: the checkpoint was written for other seeds or learning rates")
        with torch.no_grad():
            for p, src in zip(self.d_params + self.g_params, state["params"]):
                p.copy_(src)
        self.opt_d.load(state["opt_d"])
        self.opt_g.load(state["opt_g"])
        self.iteration = int(state["iteration"])
