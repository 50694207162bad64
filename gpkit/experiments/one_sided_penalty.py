"""Appendix of the WGAN-GP paper: the one-sided against the two-sided gradient penalty, with WGAN-LP beside them
(notebook ``12_one_sided_penalty``).

Three critic regularisers, all with coefficient ``lam`` (10) and everything else equal:

- ``gp``: the paper's two-sided penalty ``lam * mean((||grad D(x_hat)|| - 1)^2)`` at interpolates between real and
  fake samples (one ``alpha ~ U[0, 1]`` per sample);
- ``gp_one_sided``: ``lam * mean(max(0, ||grad D(x_hat)|| - 1)^2)`` at the same interpolates;
- ``lp``: WGAN-LP's sampling (Petzka, Fischer and Lukovnicov 2017, as the "From GAN to WGAN" slides present it):
  the one-sided penalty at the real and fake batches concatenated and perturbed DRAGAN-style
  (:func:`gpkit.penalties.lp_penalty`).

Two tasks:

1. **Toy data, critics trained to optimality** (as notebook 01, Figure 1a): on each toy dataset the generator is
   fixed at real data + N(0, I) and only the critic trains. We draw its value surface beside the exact optimal
   critic (POT) and compare its estimate ``E_real D - E_fake D`` on held-out samples with the exact W1 between
   those samples, over training and at the end. Quality: the relative error ``|W estimate / W1 - 1|``.
2. **MNIST**: the reference MNIST DCGAN (``gan_mnist.py``) trained with each regulariser at the same settings and
   seed; sample quality is the project's classifier score (an in-domain CNN standing in for the Inception
   network, :mod:`gpkit.metrics.classifier`) and the classifier FID, with the real digits' classifier score as
   the yardstick: normalised quality ``q = (score - 1) / (real score - 1)`` (1 = as good as real digits, 0 = one
   repeated image).

A third part sweeps the two-sided penalty's coefficient (``lam_sweep``, 0.1 to 100) on the same toy critics, on
``lam_seeds`` seeds (claim ``wgan-gp-lambda-10-works``, rule at :data:`LAMBDA_TOLERANCE`).

Claim ``one-sided-two-sided-better``. The paper (Sec. 4, "Two-sided penalty"): "In our early observations we found
this to perform slightly better, but we don't investigate this fully." Its value is the two-sided advantage, the
mean of

- toy: the mean over datasets of ``err(one-sided) - err(two-sided)``, ``err = |W estimate / exact W1 - 1|``;
- MNIST: ``q(two-sided) - q(one-sided)``;

both are differences of quality measures on a 0-1 scale (positive: two-sided better). The toy critics train on
``toy_seeds`` seeds (the first with :class:`gpkit.train.Trainer`, which also gives the curves and surfaces, the
others together in one :class:`gpkit.seeds.SeedStack`, the same numbers per seed); MNIST on one. The advantage is
computed per toy seed (with the one MNIST number) and "slightly better" means it is positive: reproduced when its
mean over seeds is ``> 0`` and the 95% interval over seeds excludes 0; inconclusive (within noise) when the interval
holds 0; not reproduced when the whole interval is below 0. (Until issue 21 the rule was "at least as good":
``>= -0.05``, inconclusive within 0.02, on one seed, which a tie passed.) WGAN-LP is measured and drawn alongside but is not part of
the claim: the paper says nothing about it, and it changes the sampling as well as the one-sidedness.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from gpkit import methods
from gpkit.callbacks import RecordingCallback
from gpkit.data.toy import DATASETS, ToySampler
from gpkit.record import seed_interval
from gpkit.experiments.base import lifecycle, Claim, Run, plot_data, read_csv, scored_image_setup, start_run, train_and_score
from gpkit.metrics.ot import optimal_critic
from gpkit.metrics.probes import critic_values, grid_points, input_gradient_norms
from gpkit.models.toy import toy_critic
from gpkit.params import check_choice, check_int, check_positive, check_range
from gpkit.penalties import interpolate
from gpkit.train import Trainer
from gpkit.streams import stream

__all__ = ["NOTEBOOK", "validate", "PROFILES", "METHODS", "METHOD_LABELS", "THRESHOLD", "run", "claims",
           "claim_value", "lambda_claim", "LAMBDA_TOLERANCE", "load", "plot_value_surfaces", "plot_w1", "plot_lambda",
           "plot_mnist"]

NOTEBOOK = "12_one_sided_penalty"
METHODS = ("gp", "gp_one_sided", "lp")
METHOD_LABELS = {"gp": "two-sided (WGAN-GP)", "gp_one_sided": "one-sided", "lp": "WGAN-LP",
                 "optimal": "optimal critic (exact OT)"}
#: The two penalties the claim compares (WGAN-LP is drawn beside them on one seed).
CLAIM_METHODS = ("gp", "gp_one_sided")
METHOD_COLORS = {"gp": "#1b9e77", "gp_one_sided": "#d95f02", "lp": "#7570b3", "optimal": "#666666"}

#: Claim: two-sided advantage (mean of the toy and MNIST normalised-quality differences) > 0, its 95% interval over
#: the toy seeds deciding what is within noise.
THRESHOLD = 0.0
#: Reported beside the claim: the first probe at which a toy critic's W estimate reaches this fraction of W1.
REACHED = 0.9
#: Claim ``wgan-gp-lambda-10-works`` (Sec. 4, "Penalty coefficient": "All experiments in this paper use lambda = 10,
#: which we found to work well across a variety of architectures and datasets ranging from toy tasks to large
#: ImageNet CNNs"). On each toy dataset the critic at lambda = 10 must be as good as the best coefficient of a sweep
#: over two decades (0.1 to 100) chosen for that dataset alone, to within this many points of relative W error:
#: one fixed lambda works where per-task tuning would. The tolerance is 1 - REACHED, the 10% by which this notebook
#: already says a critic "reached" W1; a 95% interval over the seeds decides what is within noise.
LAMBDA_TOLERANCE = 1.0 - REACHED

_COMMON: dict[str, Any] = dict(
    datasets=list(DATASETS),
    toy_hidden=3,
    toy_seeds=5,
    toy_batch_size=256,
    noise_std=1.0,
    extent=3.0,
    lam=10.0,
    betas=[0.5, 0.9],
    mnist_batch_size=50,
    mnist_n_critic=5,
    mnist_lr=1e-4,
    dataset="mnist",
    pad=0,
    backbone="classifier",
    reference_split="train",
    splits=10,
    lam_sweep=[0.1, 1.0, 10.0, 100.0],
    lam_seeds=3,
)

#: ``paper``: the reference settings (``gan_toy.py``: 3x512 ReLU critic, batch 256, 100,000 iterations x 5 critic
#: steps with the generator fixed, Adam 1e-4 (0.5, 0.9); ``gan_mnist.py``: DIM 64, batch 50, 200,000 iterations).
#: ``quick`` (about 6 minutes on a 2-core CPU): toy critics 3x128 for 3,000 steps at learning rate 1e-3 (as
#: notebook 01's quick profile, a higher rate so that the critic reaches its plateau; a trial at 2,000 steps left
#: the two-sided critic on 25gaussians still turning from its initial sign, see ``steps_to_0.9``), MNIST at
#: DIM 16 for 500 generator iterations, scores of 1,000 samples.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "toy_seeds": 2, "lam_sweep": [1.0, 10.0], "lam_seeds": 2, "toy_width": 16, "toy_batch_size": 32, "toy_steps": 10, "toy_lr": 1e-3, "n_eval": 64,
              "grid_size": 16, "w_every": 5, "mnist_dim": 8, "mnist_batch_size": 16, "mnist_iterations": 3,
              "score_n": 100, "n_reference": 100, "classifier": {"epochs": 1, "width": 8}, "samples": 16,
              "checkpoint_every": 0},
    "quick": {**_COMMON, "toy_width": 128, "toy_steps": 3000, "toy_lr": 1e-3, "n_eval": 2000, "grid_size": 96,
              "w_every": 100, "mnist_dim": 16, "mnist_iterations": 500, "score_n": 1000, "n_reference": 2000,
              "classifier": {}, "samples": 64, "checkpoint_every": 0},
    "paper": {**_COMMON, "toy_width": 512, "toy_steps": 500_000, "toy_lr": 1e-4, "n_eval": 2000, "grid_size": 128,
              "w_every": 5000, "mnist_dim": 64, "mnist_iterations": 200_000, "score_n": 10_000,
              "n_reference": 10_000, "classifier": {}, "samples": 64, "checkpoint_every": 10_000},
}


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    if not isinstance(p["datasets"], (list, tuple)) or not p["datasets"]:
        raise ValueError(f"datasets must be a non-empty list drawn from {list(DATASETS)}, got {p['datasets']!r}")
    for ds in p["datasets"]:
        check_choice("datasets", ds, DATASETS)
    for key in ("toy_seeds", "toy_width", "toy_hidden", "toy_batch_size", "toy_steps", "grid_size", "w_every", "mnist_dim",
                "mnist_batch_size", "mnist_iterations", "mnist_n_critic", "samples"):
        check_int(key, p[key], minimum=1)
    check_int("n_eval", p["n_eval"], minimum=10)
    check_int("splits", p["splits"], minimum=1)
    check_int("score_n", p["score_n"], minimum=p["splits"])
    check_int("n_reference", p["n_reference"], minimum=2)
    check_int("pad", p["pad"], minimum=0)
    check_int("checkpoint_every", p["checkpoint_every"], minimum=0)
    for key in ("toy_lr", "mnist_lr", "extent", "noise_std"):
        check_positive(key, p[key])
    check_positive("lam", p["lam"], allow_zero=True)
    sweep = p["lam_sweep"]
    if not isinstance(sweep, (list, tuple)) or len(sweep) < 2 or any(not float(v) > 0 for v in sweep):
        raise ValueError(f"lam_sweep must be a list of at least two positive penalty coefficients, got {sweep!r}")
    if float(p["lam"]) not in [float(v) for v in sweep]:
        raise ValueError(f"lam_sweep must contain lam ({p['lam']:g}), the coefficient the claim judges, got {sweep!r}")
    check_int("lam_seeds", p["lam_seeds"], minimum=1)
    if p["lam_seeds"] > p["toy_seeds"]:
        raise ValueError(f"lam_seeds must be at most toy_seeds ({p['toy_seeds']}): lam's own critics are the toy "
                         f"seeds, got {p['lam_seeds']}")
    if not isinstance(p["betas"], (list, tuple)) or len(p["betas"]) != 2:
        raise ValueError(f"betas must be a pair, got {p['betas']!r}")
    for b in p["betas"]:
        check_range("betas", b, 0.0, 0.999999)
    check_choice("dataset", p["dataset"], ("mnist", "fashion_mnist"))
    check_choice("backbone", p["backbone"], ("classifier",))
    check_choice("reference_split", p["reference_split"], ("train", "test"))
    if not isinstance(p["classifier"], dict):
        raise ValueError(f"classifier must be a dict of classifier settings, got {p['classifier']!r}")


class _WProbe(RecordingCallback):
    """Callback: the critic's W estimate ``E_real D - E_fake D`` on fixed held-out samples, every ``every`` steps."""

    def __init__(self, every: int, real: torch.Tensor, fake: torch.Tensor, w1: float) -> None:
        self.every = every
        self.points = torch.cat((real, fake))
        self.n_real = len(real)
        self.w1 = w1
        self.records: list[dict[str, Any]] = []

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        values = critic_values(trainer.critic, self.points)
        w = float(values[: self.n_real].mean() - values[self.n_real:].mean())
        self.records.append({"step": iteration, "w_estimate": w, "w_ratio": w / self.w1})


def _held_out(ds: str, index: int, p: dict[str, Any], seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out real samples and fixed-generator samples (real + N(0, noise_std^2 I)), on the CPU."""
    rng = stream(seed, "toy_eval", index)
    sampler = ToySampler(ds, seed=seed)
    real = sampler(p["n_eval"], rng).cpu()
    noise = torch.randn(p["n_eval"], 2, generator=rng)
    return real, sampler(p["n_eval"], rng).cpu() + p["noise_std"] * noise


def _toy_config(p: dict[str, Any], method: str, seed: int, lam: float | None = None):
    """One toy critic's training settings (the generator fixed at real data + noise); ``lam`` overrides
    ``p["lam"]`` (the coefficient sweep)."""
    return methods.config("wgan-gp", iterations=p["toy_steps"], batch_size=p["toy_batch_size"], n_critic=1,
                          fixed_generator_std=p["noise_std"], penalty=method,
                          lam=p["lam"] if lam is None else float(lam), lr=p["toy_lr"],
                          betas=tuple(p["betas"]), seed=seed, log_every=max(1, p["toy_steps"] // 200),
                          checkpoint_every=p["checkpoint_every"])


def _more_seeds(p: dict[str, Any], ds: str, method: str, seeds: list[int], points: torch.Tensor, n_real: int,
                w1: float, device: torch.device, progress: bool, lam: float | None = None) -> list[dict[str, Any]]:
    """The final relative W error of the toy critic of ``method`` (coefficient ``lam``, default ``p["lam"]``) on
    ``ds`` for each of ``seeds``, trained together (:class:`gpkit.seeds.SeedStack`; each seed's numbers are those
    of training it alone)."""
    from gpkit.seeds import SeedStack

    if not seeds:
        return []
    stack = SeedStack(_toy_config(p, method, seeds[0], lam),
                      lambda: toy_critic(width=p["toy_width"], hidden=p["toy_hidden"]),
                      None, ToySampler(ds, seed=seeds[0], device=device), seeds, device=device)
    tag = "" if lam is None else f", lambda {lam:g}"
    for _ in tqdm(range(p["toy_steps"]), disable=not progress, leave=False, dynamic_ncols=True,
                  desc=f"{ds} / {METHOD_LABELS[method]}{tag}, seeds {seeds[0]}-{seeds[-1]}"):
        stack.critic_step()
    out = []
    for s, critic in stack.critics().items():
        values = critic_values(critic.eval(), points)
        ratio = float(values[:n_real].mean() - values[n_real:].mean()) / w1
        out.append({"dataset": ds, "method": method, "seed": s, "w_ratio": ratio, "w_rel_error": abs(ratio - 1.0)})
    return out


def _toy(r: Run, p: dict[str, Any], seed: int, progress: bool,
         resume: bool) -> tuple[list, list, dict, list, list]:
    xs, ys, grid = grid_points(p["extent"], p["grid_size"])
    arrays: dict[str, np.ndarray] = {"xs": xs, "ys": ys}
    rows, curves, seed_rows, lam_rows = [], [], [], []
    for index, ds in enumerate(p["datasets"]):
        real, fake = _held_out(ds, index, p, seed)
        oc = optimal_critic(real, fake)
        arrays[f"{ds}/real"], arrays[f"{ds}/fake"] = real.numpy(), fake.numpy()
        arrays[f"{ds}/optimal"] = oc(grid).reshape(len(ys), len(xs))
        x_hat = interpolate(real, fake, stream(seed, "toy_interpolates", index))
        for method in METHODS:
            torch.manual_seed(seed)
            critic = toy_critic(width=p["toy_width"], hidden=p["toy_hidden"])
            cfg = _toy_config(p, method, seed)
            probe = _WProbe(p["w_every"], real, fake, oc.w1)
            result = Trainer(cfg, critic, None, ToySampler(ds, seed=seed, device=r.device), device=r.device,
                             out_dir=r.path(f"toy/{ds}-{method}"), callbacks=[probe], progress=progress,
                             resume=resume, desc=f"{ds} / {METHOD_LABELS[method]}").run()
            critic.eval()
            last = probe.records[-1]
            reached = [rec["step"] for rec in probe.records if rec["w_ratio"] >= REACHED]
            norms = input_gradient_norms(critic, x_hat)
            rows.append({
                "dataset": ds, "method": method, "steps": result.iterations, "train_seconds": round(result.seconds, 2),
                "w_estimate": last["w_estimate"], "exact_w1": oc.w1, "w_ratio": last["w_ratio"],
                "w_rel_error": abs(last["w_ratio"] - 1.0), "steps_to_0.9": reached[0] if reached else float("nan"),
                "grad_norm_mean": float(norms.mean()), "frac_norm_below_0.9": float((norms < 0.9).mean()),
                "frac_norm_above_1.1": float((norms > 1.1).mean()),
            })
            arrays[f"{ds}/{method}"] = critic_values(critic, grid).reshape(len(ys), len(xs))
            curves += [{"dataset": ds, "method": method, **rec} for rec in probe.records]
            seed_rows.append({"dataset": ds, "method": method, "seed": seed, "w_ratio": last["w_ratio"],
                              "w_rel_error": abs(last["w_ratio"] - 1.0)})
            if method in CLAIM_METHODS:
                seed_rows += _more_seeds(p, ds, method, list(range(seed + 1, seed + p["toy_seeds"])), probe.points,
                                         probe.n_real, oc.w1, r.device, progress)
            if method == "gp":
                points, n_real = probe.points, probe.n_real
        lam_seeds = list(range(seed, seed + p["lam_seeds"]))
        for lam in p["lam_sweep"]:
            if float(lam) == float(p["lam"]):  # the two-sided critics above are lam's
                got = [row for row in seed_rows if row["dataset"] == ds and row["method"] == "gp"
                       and row["seed"] in lam_seeds]
            else:
                got = _more_seeds(p, ds, "gp", lam_seeds, points, n_real, oc.w1, r.device, progress, lam=float(lam))
            lam_rows += [{"dataset": ds, "lam": float(lam), "seed": row["seed"], "w_ratio": row["w_ratio"],
                          "w_rel_error": row["w_rel_error"]} for row in got]
    return rows, curves, arrays, seed_rows, lam_rows


def _mnist(r: Run, p: dict[str, Any], seed: int, progress: bool, resume: bool, data_root: Any) -> tuple[list, dict]:
    from torchvision.utils import make_grid

    from gpkit.metrics import scores as scores_mod
    from gpkit.models.images import mnist_critic, mnist_generator, sample_grid

    x, _, score_kw = scored_image_setup(p, data_root, None, r.device, "the MNIST DCGAN", resolution=28)
    score_kw["kid"] = False
    pick = torch.randperm(len(x), generator=stream(seed, "score_subset"))[: p["score_n"]]
    real_scores = scores_mod.image_scores(x[pick.to(x.device)].cpu(), seed=seed, **score_kw)
    x = x.float().div_(255.0)
    r.note(f"MNIST: {len(x):,} training digits of {p['dataset']} from {score_kw['root']}; quality = classifier "
           f"score and classifier FID ({p['score_n']:,} samples, reference: {real_scores['n_reference']:,} training "
           f"digits); the classifier (held-out accuracy {real_scores['classifier_accuracy']:.3f}) scores "
           f"{real_scores['is_mean']:.2f} on {p['score_n']:,} real digits.")

    def sampler(n: int, rng: torch.Generator) -> torch.Tensor:
        return x[torch.randint(0, len(x), (n,), generator=rng, device=x.device)]

    z = torch.randn(p["samples"], 128, generator=stream(seed, "sample_grid"))
    arrays = {"real_grid": make_grid(x[: p["samples"]].cpu(), nrow=8, padding=2, pad_value=1.0).numpy()}
    rows = [{"method": "real", "score": real_scores["is_mean"], "score_std": real_scores["is_std"],
             "fid": real_scores["fid"], "quality": 1.0, "seconds": 0.0, "diverged": False}]
    for method in METHODS:
        torch.manual_seed(seed)
        generator, critic = mnist_generator(p["mnist_dim"]), mnist_critic(p["mnist_dim"])
        cfg = methods.config("wgan-gp", iterations=p["mnist_iterations"], batch_size=p["mnist_batch_size"],
                             n_critic=p["mnist_n_critic"], penalty=method, lam=p["lam"], lr=p["mnist_lr"],
                             betas=tuple(p["betas"]), seed=seed, log_every=max(1, p["mnist_iterations"] // 200),
                             checkpoint_every=p["checkpoint_every"])

        def scorer(g: torch.nn.Module, method: str = method) -> dict[str, Any]:
            arrays[f"{method}/grid"] = sample_grid(g, z.to(r.device), (0.0, 1.0), nrow=8).numpy()
            return scores_mod.generator_scores(g, p["score_n"], seed=seed, value_range=(0.0, 1.0), **score_kw)

        folder = r.path(f"mnist/{method}")
        out = train_and_score(generator, critic, cfg, sampler, scorer, device=r.device, out_dir=folder,
                              progress=progress, desc=f"MNIST / {METHOD_LABELS[method]}", resume=resume)
        rows.append({"method": method, "score": out["score"], "score_std": out.get("is_std", float("nan")),
                     "fid": out.get("fid", float("nan")),
                     "quality": (out["score"] - 1.0) / max(real_scores["is_mean"] - 1.0, 1e-12),
                     "seconds": round(out["seconds"], 1), "diverged": bool(out["diverged"])})
    return rows, arrays


@lifecycle
def run(
    profile: str = "quick",
    seed: int = 0,
    device: str = "auto",
    out_dir: str | Path | None = None,
    progress: bool = True,
    resume: bool = False,
    precision: str = "fp32",
    data_root: str | Path | None = None,
    **overrides: Any,
) -> Run:
    """Train the toy critics and the MNIST WGANs with the three penalties, measure them and judge the claim.

    ``overrides`` replace profile fields (see :data:`PROFILES`), e.g. ``mnist_iterations=2000``; ``data_root``:
    the datasets folder (default ``<repo>/data``, see ``data/README.md``). ``resume=True`` continues every run
    from its checkpoint in ``out_dir``. Writes ``results.json``, ``toy.csv`` (one row per dataset and method),
    ``w_curves.csv`` (held-out W estimates over training), ``mnist.csv`` (scores) and ``arrays.npz`` (value
    surfaces, samples, sample grids).
    """
    r = start_run(NOTEBOOK, profiles=PROFILES,
                  profile=profile, seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=validate)
    p = r.params
    r.note("WGAN-LP (Petzka et al. 2017, via the 'From GAN to WGAN' slides): one-sided penalty at the real and fake "
           "batches concatenated and perturbed as DRAGAN's code does, x + 0.5 std(batch) U[0, 1) per coordinate; "
           "the penalty is averaged over the 2B points. It is not in the WGAN-GP paper.")
    r.note("Toy task: the generator is fixed at real data + N(0, I) and only the critic trains (one critic step per "
           "iteration), as in notebook 01; W estimates and the exact W1 (POT) use "
           f"{p['n_eval']:,} + {p['n_eval']:,} held-out samples.")
    r.note("MNIST: the reference DCGAN (gan_mnist.py) without batch norm for every penalty; real batches drawn at "
           "random with replacement; the same seed (initialisation, data order) for the three runs. The paper "
           "does not say which task its one-sided experiments used.")
    if profile != "paper":
        r.note(f"{profile} profile: toy critics {p['toy_hidden']}x{p['toy_width']} (paper 3x512) for "
               f"{p['toy_steps']:,} steps (paper 500,000) at learning rate {p['toy_lr']:g} (paper 1e-4); MNIST DIM "
               f"{p['mnist_dim']} (paper 64) for {p['mnist_iterations']:,} generator iterations (paper 200,000).")
    toy_rows, curves, arrays, seed_rows, lam_rows = _toy(r, p, seed, progress, resume)
    r.save_csv("toy", toy_rows)
    r.save_csv("toy_seeds", seed_rows)
    r.save_csv("lambda_sweep", lam_rows)
    r.save_csv("w_curves", curves)
    mnist_rows, grids = _mnist(r, p, seed, progress, resume, data_root)
    r.save_csv("mnist", mnist_rows)
    arrays.update({f"mnist/{k}": v for k, v in grids.items()})
    np.savez_compressed(r.path("arrays.npz"), **arrays)
    r.metrics = {"toy": toy_rows, "toy_seeds": seed_rows, "mnist": mnist_rows, "lambda_sweep": lam_rows}
    r.data = {"arrays": arrays, "toy": toy_rows, "curves": curves, "mnist": mnist_rows, "lambda_sweep": lam_rows,
              "lam": float(p["lam"])}
    for claim in claims(seed_rows, mnist_rows):
        r.add_claim(claim)
    r.add_claim(lambda_claim(lam_rows, float(p["lam"])))
    return r


def claim_value(seed_rows: list[dict[str, Any]],
                mnist_rows: list[dict[str, Any]]) -> tuple[float, tuple[float, float] | None, int, dict[str, Any]]:
    """The two-sided advantage (see the module docstring): its mean over the toy seeds, the 95% interval, the number
    of seeds and the parts; NaN when a number is missing. ``seed_rows``: ``dataset, method, seed, w_rel_error``."""
    err = {(row["dataset"], row["method"], int(row["seed"])): float(row["w_rel_error"]) for row in seed_rows}
    datasets = list(dict.fromkeys(row["dataset"] for row in seed_rows))
    seeds = sorted({int(row["seed"]) for row in seed_rows})
    nan = float("nan")
    quality = {row["method"]: float(row["quality"]) for row in mnist_rows}
    mnist_adv = quality.get("gp", nan) - quality.get("gp_one_sided", nan)
    toy_adv = {s: float(np.mean([err.get((ds, "gp_one_sided", s), nan) - err.get((ds, "gp", s), nan)
                                 for ds in datasets])) if datasets else nan for s in seeds}
    per_seed = {s: (a + mnist_adv) / 2.0 for s, a in toy_adv.items()}
    mean, interval = seed_interval(per_seed.values())
    if not per_seed or any(not np.isfinite(v) for v in per_seed.values()):
        mean, interval = nan, None
    return mean, interval, len(per_seed), {
        "toy_advantage_per_seed": toy_adv, "mnist_advantage": mnist_adv, "advantage_per_seed": per_seed,
        "toy_rel_error": {f"{ds}/{m}/{s}": e for (ds, m, s), e in err.items()}, "mnist_quality": quality}


def claims(seed_rows: list[dict[str, Any]], mnist_rows: list[dict[str, Any]]) -> list[Claim]:
    """The verdict on the appendix's claim from the per-seed toy rows and the MNIST rows of a run (rule in the
    module docstring)."""
    value, interval, n, details = claim_value(seed_rows, mnist_rows)
    return [Claim.compare(
        "one-sided-two-sided-better",
        metric="two-sided advantage, mean over toy seeds of the mean of [toy: mean over datasets of |W est./W1 - 1| "
               "one-sided minus two-sided] and [MNIST, one seed: normalised classifier score (s - 1)/(s_real - 1), "
               "two-sided minus one-sided]",
        value=value, op=">", threshold=THRESHOLD, details=details, seeds=n or None, interval=interval,
    )]


def lambda_claim(lam_rows: list[dict[str, Any]], lam: float = 10.0) -> Claim:
    """``wgan-gp-lambda-10-works``: the paper's coefficient ``lam`` against the best coefficient of the sweep, task by
    task (rule in :data:`LAMBDA_TOLERANCE`). ``lam_rows``: ``dataset, lam, seed, w_rel_error`` (the toy critics
    trained to optimality, one row per coefficient and seed).

    Value: the largest over the toy datasets of [mean relative W error at ``lam`` minus that of the dataset's best
    coefficient]; its 95% interval from the same difference per seed (the seeds share initialisation and data
    across coefficients). Precondition: the best coefficient's critic reaches W1 within the tolerance on every
    dataset, so that the critics trained at all and "as good as the best" means working.
    """
    nan = float("nan")
    err: dict[tuple[str, float, int], float] = {(row["dataset"], float(row["lam"]), int(row["seed"])):
                                                float(row["w_rel_error"]) for row in lam_rows}
    datasets = list(dict.fromkeys(row["dataset"] for row in lam_rows))
    lams = sorted({float(row["lam"]) for row in lam_rows})
    seeds = sorted({int(row["seed"]) for row in lam_rows})
    mean = {(ds, lm): float(np.mean([err.get((ds, lm, s), nan) for s in seeds])) for ds in datasets for lm in lams}
    best = {ds: min(lams, key=lambda lm: (not np.isfinite(mean[ds, lm]), mean[ds, lm])) for ds in datasets}
    gaps = {ds: mean.get((ds, lam), nan) - mean[ds, best[ds]] for ds in datasets}
    value = max(gaps.values()) if gaps and lam in lams else nan
    per_seed = [max(err.get((ds, lam, s), nan) - err.get((ds, best[ds], s), nan) for ds in datasets) for s in seeds]
    _, interval = seed_interval(per_seed)
    worst_best = max((mean[ds, best[ds]] for ds in datasets), default=nan)
    reached = bool(np.isfinite(worst_best) and worst_best < LAMBDA_TOLERANCE)
    return Claim.compare(
        "wgan-gp-lambda-10-works",
        metric=f"largest over the toy datasets of [mean |W est./W1 - 1| at lambda = {lam:g} minus that at the "
               f"dataset's best lambda of {', '.join(f'{v:g}' for v in lams)}] (critics trained to optimality)",
        value=value, op="<", threshold=LAMBDA_TOLERANCE, interval=interval, seeds=len(seeds) or None,
        details={"best_lambda": best, "gap": gaps, "per_seed": per_seed,
                 "mean_rel_error": {f"{ds}/{lm:g}": v for (ds, lm), v in mean.items()}},
        preconditions={"the best lambda's critic reaches W1 on every dataset": (
            reached, f"worst best-lambda error {worst_best:.3f} vs {LAMBDA_TOLERANCE:g}")},
    )


def load(out_dir: str | Path) -> dict[str, Any]:
    """Reload a finished run's tables and arrays (for plotting without retraining)."""
    out_dir = Path(out_dir)
    with np.load(out_dir / "arrays.npz") as z:
        arrays = {k: z[k] for k in z.files}
    toy = read_csv(out_dir / "toy.csv", text_columns=("dataset", "method"))
    curves = read_csv(out_dir / "w_curves.csv", text_columns=("dataset", "method"))
    mnist = read_csv(out_dir / "mnist.csv", text_columns=("method", "diverged"))
    sweep = out_dir / "lambda_sweep.csv"
    lam_rows = read_csv(sweep, text_columns=("dataset",)) if sweep.is_file() else []
    return {"arrays": arrays, "toy": toy, "curves": curves, "mnist": mnist, "lambda_sweep": lam_rows}


# ------------------------------------------------------------------- figures
def plot_value_surfaces(source: Run | dict[str, Any], levels: int = 20):
    """Rows: toy datasets; columns: the three penalised critics and the exact optimal critic (orange: real data)."""
    import matplotlib.pyplot as plt

    from gpkit.plots import COLORS, style

    data = plot_data(source)
    arrays = data["arrays"]
    datasets = list(dict.fromkeys(row["dataset"] for row in data["toy"]))
    ratio = {(row["dataset"], row["method"]): row["w_ratio"] for row in data["toy"]}
    kinds = [*METHODS, "optimal"]
    xs, ys = arrays["xs"], arrays["ys"]
    with style():
        fig, axes = plt.subplots(len(datasets), len(kinds), figsize=(3.0 * len(kinds), 3.0 * len(datasets)),
                                 squeeze=False, sharex=True, sharey=True)
        for i, ds in enumerate(datasets):
            pts = arrays[f"{ds}/real"][:400]
            for j, kind in enumerate(kinds):
                ax, surface = axes[i, j], arrays[f"{ds}/{kind}"]
                ax.contourf(xs, ys, surface, levels=levels, cmap="viridis", alpha=0.85, rasterized=True)
                ax.contour(xs, ys, surface, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
                ax.scatter(pts[:, 0], pts[:, 1], s=3, c=COLORS["data"], marker="+", linewidths=0.6, rasterized=True)
                ax.set(aspect="equal", xticks=[], yticks=[])
                if (ds, kind) in ratio:
                    ax.text(0.03, 0.03, f"W est./W1 = {ratio[ds, kind]:.3f}", transform=ax.transAxes, fontsize=8,
                            color="white", bbox=dict(facecolor="black", alpha=0.45, lw=0, pad=1.5))
                if i == 0:
                    ax.set_title(METHOD_LABELS[kind], fontsize=10)
                if j == 0:
                    ax.set_ylabel(ds)
        fig.suptitle("Critics trained to optimality against a fixed generator (real + N(0, I)); orange: real data",
                     y=1.0)
        fig.tight_layout()
    return fig


def plot_w1(source: Run | dict[str, Any]):
    """Held-out W estimate / exact W1 over training, one panel per toy dataset, and the final relative errors."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    datasets = list(dict.fromkeys(row["dataset"] for row in data["toy"]))
    err = {(row["dataset"], row["method"]): row["w_rel_error"] for row in data["toy"]}
    with style():
        fig, axes = plt.subplots(1, len(datasets) + 1, figsize=(3.6 * (len(datasets) + 1), 3.4), squeeze=False)
        for ax, ds in zip(axes[0], datasets):
            for m in METHODS:
                pts = [c for c in data["curves"] if c["dataset"] == ds and c["method"] == m]
                ax.plot([c["step"] for c in pts], [c["w_ratio"] for c in pts], color=METHOD_COLORS[m], lw=1.4,
                        label=METHOD_LABELS[m])
            ax.axhline(1.0, color="k", ls="--", lw=0.8)
            ax.axhline(0.0, color="k", lw=0.5, alpha=0.5)
            seen = [c["w_ratio"] for c in data["curves"] if c["dataset"] == ds] or [0.0]
            ax.set(title=ds, xlabel="critic step", ylim=(min(0.0, min(seen)) - 0.05, max(1.3, max(seen) + 0.05)))
        axes[0, 0].set_ylabel("W estimate / exact W1 (held out)")
        axes[0, 0].legend(fontsize=8, loc="best")
        bx = axes[0, -1]
        x = np.arange(len(datasets))
        width = 0.8 / len(METHODS)
        for k, m in enumerate(METHODS):
            bx.bar(x + (k - (len(METHODS) - 1) / 2) * width, [err[ds, m] for ds in datasets], width=width * 0.95,
                   color=METHOD_COLORS[m], label=METHOD_LABELS[m])
        bx.set_xticks(x, datasets)
        bx.set(title="final |W est./W1 - 1| (lower is better)")
        fig.tight_layout()
    return fig


def plot_lambda(source: Run | dict[str, Any]):
    """The coefficient sweep: final relative W error against lambda (log axis), one line per toy dataset, each
    seed a dot; the tolerance band above each dataset's best lambda and the paper's lambda marked."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    rows, lam = data.get("lambda_sweep") or [], float(data.get("lam", 10.0))
    datasets = list(dict.fromkeys(row["dataset"] for row in rows))
    colors = plt.get_cmap("Dark2")
    with style():
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
        for i, ds in enumerate(datasets):
            pts = [r for r in rows if r["dataset"] == ds]
            lams = sorted({float(r["lam"]) for r in pts})
            means = [float(np.mean([r["w_rel_error"] for r in pts if float(r["lam"]) == lm])) for lm in lams]
            ax.plot(lams, means, marker="o", color=colors(i), label=ds)
            ax.scatter([float(r["lam"]) for r in pts], [r["w_rel_error"] for r in pts], s=9, color=colors(i),
                       alpha=0.45)
            best = min(means)
            ax.fill_between(lams, best, best + LAMBDA_TOLERANCE, color=colors(i), alpha=0.08, lw=0)
        ax.axvline(lam, color="k", ls="--", lw=0.8)
        ax.text(lam, 1.0, f" paper: lambda = {lam:g}", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
        ax.set(xscale="log", xlabel="penalty coefficient lambda", ylabel="final |W est./W1 - 1| (lower is better)",
               title=f"Shaded: within {LAMBDA_TOLERANCE:.2g} of each dataset's best lambda")
        if datasets:
            ax.legend(fontsize=8)
        fig.tight_layout()
    return fig


def plot_mnist(source: Run | dict[str, Any]):
    """Real digits beside the final samples of each penalty (fixed latent codes), with classifier score and FID."""
    from gpkit.plots import grid_figure

    data = plot_data(source)
    arrays = data["arrays"]
    by = {row["method"]: row for row in data["mnist"]}
    real = by.get("real", {})
    panels = [(f"real digits\nscore {real.get('score', float('nan')):.2f}", torch.as_tensor(arrays["mnist/real_grid"]))]
    for m in METHODS:
        if f"mnist/{m}/grid" in arrays and m in by:
            row = by[m]
            title = f"{METHOD_LABELS[m]}\nscore {row['score']:.2f}, FID {row['fid']:.1f}, q = {row['quality']:.2f}"
            panels.append((title, torch.as_tensor(arrays[f"mnist/{m}/grid"])))
    return grid_figure(panels)
