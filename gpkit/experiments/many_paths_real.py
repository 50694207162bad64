"""*Many Paths to Equilibrium*, Section 5: the real-data study (notebook ``13_many_paths_real_data``) on Color MNIST,
and at the paper profile on CIFAR-10 or CelebA too (``dataset``).

Four objectives, the non-saturating GAN (NS-GAN, :data:`gpkit.methods.METHODS` ``dcgan``), NS-GAN with WGAN-GP's
penalty (``gan-gp``), NS-GAN with DRAGAN's penalty at perturbed data (``dragan-ns``) and WGAN-GP (``wgan-gp``, 5
critic steps; the others 1), each trained at every setting of a grid of discriminator learning rate x generator
learning rate x latent size, with DCGAN architectures with batch norm in both networks (the paper: "we used batch
normalization"; the penalised discriminators too, :class:`gpkit.train.TrainConfig` ``batchnorm_penalty``), Adam,
batch 64, penalty coefficient 10, on Color MNIST (:mod:`gpkit.data.color_mnist`, 28x28 digits padded to 32x32),
CIFAR-10 (32x32) or CelebA (64x64 faces, a DCGAN one stage deeper): :func:`load_data`.

Every run is judged by the paper's metrics that exist offline:

- **sample diversity** (:mod:`gpkit.metrics.diversity`): 1 - mean pairwise MS-SSIM of the samples, minus the test
  set's (its "reference value");
- **the independent Wasserstein critic** (:mod:`gpkit.metrics.critic`): ``-W`` between held-out digits and the
  samples, from a fresh WGAN-GP critic (higher is better, 0 at the data);
- **class coverage**, our stand-in for the paper's visual check of mode collapse (Figure 7): the entropy of the
  digit classes an in-domain classifier assigns to the samples, over log 10 (1: the ten digits equally; a
  generator that collapsed onto one or two digits is below :data:`COLLAPSE_ENTROPY`), and its **confidence** (mean
  top-class probability), also measured at the quarters of every run. The paper reports no Inception score on Color
  MNIST; CelebA has no classes, so neither coverage nor confidence.

Claims (thresholds fixed in this module before any run; the sentences are Section 5.4's). Each presupposes that the
grid is complete and that the generators learned to draw digits (:func:`learned`: the median run's classifier
confidence at least :data:`DIGIT_CONFIDENCE`; added after the first quick measurement, where every run still drew
blobs at a median confidence of 0.43, against 0.90 on held-out digits):

- ``many-paths-real-penalties-robust``: over the grid, the lower quartile of ``-W`` of GAN-GP and of DRAGAN-NS above
  NS-GAN's (the smaller of the two gains, as a fraction of the spread of ``-W`` over every run), with a 95% bootstrap
  interval over the settings.
- ``many-paths-real-penalties-best``: the mean ``-W`` of the best settings (the top :func:`top_k`) of the penalised
  NS-GANs above NS-GAN's (the mean of the two gains, same scale and interval).
- ``many-paths-real-wgan-gp-critic``: WGAN-GP's median ``-W`` the highest of the four (its lead over the next one).
- ``many-paths-real-metrics-detect-collapse``: the collapsed runs (coverage below :data:`COLLAPSE_ENTROPY` while the
  classifier still reads their samples as digits, :data:`DIGIT_CONFIDENCE`) score below the runs that cover the
  classes on both metrics (the smaller median gap, in units of each metric's spread, with its bootstrap interval
  over the runs); precondition: the grid holds a collapsed run and one that covers the classes. Runs with low
  coverage and an unsure classifier failed to learn (noise, not collapse) and are left out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpkit import methods
from gpkit.experiments.base import (LADDER_QUARTERS, Claim, Run, cached_json, collect_rows, ladder_iterations,
                                   lifecycle, plot_data, start_run)
from gpkit.params import check_choice, check_int, check_positive, check_subset
from gpkit.streams import stream

__all__ = ["NOTEBOOK", "OBJECTIVES", "PRESETS", "LABELS", "DATASETS", "PAPER_LATENTS", "SIZE", "COVERAGE_CLASSIFIER",
           "PROFILES", "COLLAPSE_ENTROPY", "DIGIT_CONFIDENCE", "validate", "grid", "setting_key", "networks",
           "load_data", "train_setting", "evaluate", "run", "claims", "learned", "top_k", "bootstrap_interval",
           "plot_boxes", "plot_samples", "METRICS"]

NOTEBOOK = "13_many_paths_real_data"
#: The four objectives of Section 5, in the paper's order.
OBJECTIVES = ("ns_gan", "gan_gp", "dragan_ns", "wgan_gp")
#: Each objective's preset in :data:`gpkit.methods.METHODS`.
PRESETS = {"ns_gan": "dcgan", "gan_gp": "gan-gp", "dragan_ns": "dragan-ns", "wgan_gp": "wgan-gp"}
LABELS = {"ns_gan": "NS-GAN", "gan_gp": "GAN-GP", "dragan_ns": "DRAGAN-NS", "wgan_gp": "WGAN-GP"}
COLORS = {"ns_gan": "#1b9e77", "gan_gp": "#d95f02", "dragan_ns": "#7570b3", "wgan_gp": "#e7298a"}
#: The per-run metrics (higher is better except for the diversity gap, read against 0) and their labels.
METRICS = {"neg_w": "independent critic: -W", "diversity_gap": "diversity - test set's (1 - MS-SSIM)",
           "coverage": "class coverage (label entropy / log 10)",
           "confidence": "classifier confidence (mean top-class probability)"}
#: A run whose samples the classifier spreads over fewer classes than this entropy (log 3 / log 10 = 0.48: about
#: three equally likely digits) counts as collapsed, the independent judge of the collapse claim.
COLLAPSE_ENTROPY = 0.5
#: ... and whose samples the classifier still reads as digits: its mean top-class probability at least this. A run
#: below :data:`COLLAPSE_ENTROPY` with an unsure classifier has failed to learn (noise, blobs) rather than collapsed
#: onto a few modes; the collapse claim leaves it out of both groups (fixed before the quick run that decides it).
DIGIT_CONFIDENCE = 0.8
#: Bootstrap resamples of the claims' intervals (seeded: the same runs give the same interval).
BOOTSTRAP = 2000

#: The study's three datasets, the paper's latent sizes for each (Section 5.2: "For CelebA and CIFAR-10 we try latent
#: sizes 100, 128 and 150, while for Color MNIST we try 10, 50, 75"; a profile's ``latents`` of None takes these) and
#: the image side the DCGANs work at (Color MNIST's 28x28 digits padded to 32; CelebA's faces cropped to 64).
DATASETS = ("color_mnist", "cifar10", "celeba")
PAPER_LATENTS = {"color_mnist": [10, 50, 75], "cifar10": [100, 128, 150], "celeba": [100, 128, 150]}
SIZE = {"color_mnist": 32, "cifar10": 32, "celeba": 64}
#: The in-domain classifier behind class coverage and confidence, per dataset; CelebA has no classes (None): its
#: collapse claim is then not judged, and the "learned" precondition is not checked (stated in its detail).
COVERAGE_CLASSIFIER = {"color_mnist": "color_mnist", "cifar10": "cifar10", "celeba": None}

_COMMON: dict[str, Any] = dict(dataset="color_mnist", pad=2, batch_size=64, lam=10.0, classifier={}, samples=64,
                               subset=None)

#: ``paper``: the full grid (3 x 3 learning rates x latents 10, 50, 75), DIM 64, 100,000 iterations per run (the
#: paper's Color MNIST budget), the independent critic 2,000 steps at DIM 64 on 10,000 held-out digits; spread the
#: 108 runs with ``gpkit sweep`` (``objectives=`` and ``settings=`` select runs, ``collect_from=`` gathers them).
#: ``quick``: the 2 x 2 learning rates 1e-4 and 3e-4 (the ends of the paper's range) at latent 10, DIM 16, 200
#: generator iterations per run on the 10,000 offline digits; the critic 200 steps at DIM 16 on 1,000 held-out digits
#: and 500 samples, diversity over 3 batches of 64. On a 2-core CPU (one thread) the 2 x 2 x 2 grid at 300 iterations
#: measured about 44 minutes (per run: NS-GAN 17 s, GAN-GP and DRAGAN-NS 28 s, WGAN-GP 109 s, evaluation 33 s); this
#: one is sized for about 13.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "dim": 4, "iterations": 2, "batch_size": 8, "lrs_d": [1e-4], "lrs_g": [1e-4, 3e-4],
              "latents": [10], "n_critic_digits": 40, "n_test": 40, "n_eval": 32, "div_batch": 8, "div_batches": 2,
              "critic_dim": 4, "critic_steps": 2, "classifier": {"epochs": 1, "width": 8}, "samples": 4},
    "quick": {**_COMMON, "dim": 16, "iterations": 200, "lrs_d": [1e-4, 3e-4], "lrs_g": [1e-4, 3e-4],
              "latents": [10], "n_critic_digits": 1000, "n_test": 1000, "n_eval": 500, "div_batch": 64,
              "div_batches": 3, "critic_dim": 16, "critic_steps": 200},
    "paper": {**_COMMON, "dim": 64, "iterations": 100_000, "lrs_d": [1e-4, 2e-4, 3e-4], "lrs_g": [1e-4, 2e-4, 3e-4],
              "latents": None, "subset": 100_000, "n_critic_digits": 10_000, "n_test": 10_000, "n_eval": 10_000,
              "div_batch": 64, "div_batches": 5, "critic_dim": 64, "critic_steps": 2000},
}


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    check_choice("dataset", p["dataset"], DATASETS)
    if p["subset"] is not None:
        check_int("subset", p["subset"], minimum=1)
    for key in ("dim", "iterations", "batch_size", "n_critic_digits", "n_test", "n_eval", "div_batch", "div_batches",
                "critic_dim", "critic_steps", "samples"):
        check_int(key, p[key], minimum=1)
    check_int("pad", p["pad"], minimum=0)
    check_positive("lam", p["lam"], allow_zero=True)
    for key in ("lrs_d", "lrs_g", "latents"):
        if key == "latents" and p[key] is None:
            continue
        if isinstance(p[key], (str, bytes)) or not isinstance(p[key], Sequence) or not p[key]:
            raise ValueError(f"{key} must be a non-empty list, got {p[key]!r}")
        for v in p[key]:
            (check_int(key, v, minimum=1) if key == "latents" else check_positive(key, v))
    if p["n_eval"] < p["div_batch"] * p["div_batches"]:
        raise ValueError(f"n_eval = {p['n_eval']} must hold div_batches x div_batch = "
                         f"{p['div_batch'] * p['div_batches']} samples")


def grid(p: Mapping[str, Any]) -> list[tuple[float, float, int]]:
    """The settings ``(lr_d, lr_g, latent)`` of the profile, in order (``latents`` None: the paper's for the dataset,
    :data:`PAPER_LATENTS`)."""
    latents = p["latents"] if p.get("latents") is not None else PAPER_LATENTS[p.get("dataset", "color_mnist")]
    return list(itertools.product(p["lrs_d"], p["lrs_g"], latents))


def setting_key(lr_d: float, lr_g: float, latent: int) -> str:
    """A setting's name, e.g. ``"d1e-04_g3e-04_z10"`` (a folder name and a table key)."""
    return f"d{lr_d:.0e}_g{lr_g:.0e}_z{int(latent)}"


def _critic(dim: int, size: int, norm: str) -> torch.nn.Module:
    """The DCGAN discriminator for ``size`` x ``size`` RGB images (32: the CIFAR DCGAN; 64: one more stage)."""
    from gpkit.models.images import cifar_critic, dcgan64_critic

    check_choice("size", size, (32, 64))
    return dcgan64_critic(dim, norm=norm) if size == 64 else cifar_critic(dim, norm=norm)


def networks(latent: int, dim: int, seed: int, size: int = 32) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The DCGAN generator and discriminator with batch norm for ``size`` x ``size`` RGB images, seeded."""
    from gpkit.models.images import cifar_generator, dcgan64_generator

    check_choice("size", size, (32, 64))
    torch.manual_seed(seed)
    g = (dcgan64_generator if size == 64 else cifar_generator)(dim, norm="batch", latent_dim=latent)
    return g, _critic(dim, size, "batch")


def train_setting(objective: str, lr_d: float, lr_g: float, latent: int, sampler: Any, *, iterations: int,
                  dim: int, batch_size: int = 64, lam: float = 10.0, seed: int = 0,
                  device: str | torch.device = "cpu", out_dir: str | Path | None = None,
                  progress: bool = False, size: int = 32, rung_scorer: Any = None,
                  resume: bool = True) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Train one run: ``objective`` (:data:`OBJECTIVES`) at discriminator / generator learning rates ``lr_d``,
    ``lr_g`` with a ``latent``-dimensional code, DCGAN with batch norm at width ``dim`` on ``size`` x ``size`` RGB
    images (32; 64 for CelebA) from ``sampler(n, rng)`` in [-1, 1]. ``rung_scorer(generator) -> {name: number}``
    also measures the generator at the quarters of training (:func:`ladder_iterations`; it draws no global random
    numbers, so the run is the same with or without it). With ``out_dir`` the run checkpoints there and, with
    ``resume``, continues from a checkpoint found there (``resume=False`` starts afresh). Returns ``(generator, {"seconds", "diverged", "rungs":
    {iteration: scores}, "error"?})``; a loss that becomes non-finite ends the run as diverged (its generator is still
    returned, as it stood)."""
    from gpkit.callbacks import ImageScore
    from gpkit.train import NonFiniteLossError, Trainer

    check_choice("objective", objective, OBJECTIVES)
    generator, critic = networks(latent, dim, seed, size)
    cfg = methods.config(PRESETS[objective], iterations=iterations, batch_size=batch_size, lr=lr_d, lr_g=lr_g,
                         lam=lam, seed=seed, batchnorm_penalty=True, log_every=max(1, iterations // 20),
                         checkpoint_every=max(1, iterations // 4) if out_dir is not None else 0)
    rungs = ladder_iterations(iterations)
    probe = ImageScore(rungs[0], rung_scorer, key="confidence", at=rungs) if rung_scorer and rungs else None
    trainer = Trainer(cfg, critic, generator, sampler, device=device, out_dir=out_dir, progress=progress,
                      desc=f"{LABELS[objective]} {setting_key(lr_d, lr_g, latent)}", callbacks=[probe] if probe else [],
                      resume=resume)

    def measured() -> dict[int, dict[str, Any]]:
        return {} if probe is None else {int(rec["iteration"]): rec for rec in probe.records}

    try:
        result = trainer.run()
    except NonFiniteLossError as err:
        return generator, {"seconds": trainer.seconds, "diverged": True, "error": str(err), "rungs": measured()}
    return generator, {"seconds": result.seconds, "diverged": False, "rungs": measured()}


@torch.no_grad()
def _samples(generator: torch.nn.Module, latent: int, n: int, seed: int, index: int,
             device: torch.device) -> torch.Tensor:
    """``n`` samples (batch-norm batches of 100 in training mode, as the reference samples), ``(n, 3, 32, 32)``,
    from the latent codes of stream ``real_data_samples`` member ``index``."""
    rng = stream(seed, "real_data_samples", index)
    z = torch.randn(n, latent, generator=rng)
    generator.train()  # batch statistics, as the authors' TensorFlow samples
    out = torch.cat([generator(z[i:i + 100].to(device)).cpu() for i in range(0, n, 100)])
    return out.clamp_(-1.0, 1.0)


def evaluate(generator: torch.nn.Module, latent: int, data: Mapping[str, torch.Tensor], p: Mapping[str, Any], *,
             classifier: torch.nn.Module | None, seed: int = 0, device: str | torch.device = "cpu",
             reference: float | None = None) -> dict[str, Any]:
    """The run's metrics: ``{"diversity", "diversity_ref", "diversity_gap", "neg_w", "coverage", "top_class",
    "confidence"}`` (confidence: the classifier's mean top-class probability on the samples).

    ``data``: held-out images ``{"critic": (N, 3, S, S), "test": ...}`` in [-1, 1] (Color MNIST: painted once). Two
    sample sets of
    ``n_eval``: the first fits the independent critic (against ``data["critic"]``) and gives the diversity and the
    class coverage; the second, with ``data["test"]``, is where the critic's ``-W`` is measured. ``reference``: the
    test set's diversity when already known (it is the same for every run). ``classifier`` None (CelebA: no classes):
    coverage, top class and confidence are NaN."""
    from gpkit.metrics.classifier import class_probabilities
    from gpkit.metrics.critic import independent_critic
    from gpkit.metrics.diversity import diversity

    device = torch.device(device)
    fit = _samples(generator, latent, p["n_eval"], seed, 0, device)
    held = _samples(generator, latent, p["n_eval"], seed, 1, device)
    kw = dict(batch_size=p["div_batch"], batches=p["div_batches"])
    ref = diversity(data["test"], **kw) if reference is None else float(reference)
    div = diversity(fit, **kw)
    torch.manual_seed(seed)
    judge = _critic(p["critic_dim"], int(data["test"].shape[-1]), "none").to(device)
    w = independent_critic(judge, data["critic"].to(device), fit.to(device), data["test"].to(device),
                           held.to(device), steps=p["critic_steps"], batch_size=p["batch_size"], lam=p["lam"],
                           seed=seed)
    nan = float("nan")
    scores = {"diversity": div, "diversity_ref": ref, "diversity_gap": div - ref, "neg_w": w["neg_w"],
              "coverage": nan, "top_class": nan, "confidence": nan}
    if classifier is None:
        return scores
    probs = class_probabilities(classifier, fit).double()
    hist = torch.bincount(probs.argmax(1), minlength=probs.shape[1]).double() / len(probs)
    nz = hist[hist > 0]
    entropy = max(0.0, float(-(nz * nz.log()).sum() / math.log(len(hist))))
    return {**scores, "coverage": entropy, "top_class": float(hist.max()),
            "confidence": float(probs.max(1).values.mean())}


def top_k(n_settings: int) -> int:
    """How many best settings the best-case claim averages: the paper's 10 of 27, i.e. about 3 in 8, at least 1."""
    return max(1, round(n_settings * 10 / 27))


def bootstrap_interval(stat: Any, n: int, *, seed: int = 0, level: float = 0.95,
                       resamples: int = BOOTSTRAP) -> tuple[float, float] | None:
    """The ``level`` percentile interval of ``stat(indices)`` over ``resamples`` draws of ``n`` indices with
    replacement (seeded); None when fewer than 2 items or no finite draw."""
    if n < 2:
        return None
    rng = np.random.default_rng(seed)
    vals = np.array([stat(rng.integers(0, n, n)) for _ in range(resamples)], dtype=float)
    vals = vals[np.isfinite(vals)]
    if not len(vals):
        return None
    lo, hi = np.quantile(vals, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def _table(rows: Sequence[Mapping[str, Any]], metric: str) -> tuple[list[str], dict[str, np.ndarray]]:
    """The settings every objective has, and per objective the metric over them in that order."""
    by = {(r["objective"], r["setting"]): float(r[metric]) for r in rows}
    keys = sorted({r["setting"] for r in rows})
    keys = [k for k in keys if all((o, k) in by for o in OBJECTIVES)]
    return keys, {o: np.array([by[(o, k)] for k in keys]) for o in OBJECTIVES}


def _unit(values: np.ndarray) -> float:
    """The unit the claims measure a metric's gaps in: its interquartile range over the runs, else its standard
    deviation, else 1 (no runs, or all alike)."""
    if not len(values):
        return 1.0
    iqr = float(np.subtract(*np.quantile(values, [0.75, 0.25])))
    return iqr if iqr > 0 else (float(np.std(values)) or 1.0)


def learned(rows: Sequence[Mapping[str, Any]], real_confidence: float | None = None,
            dataset: str = "color_mnist") -> tuple[bool, str]:
    """The precondition every Section 5.4 claim shares: the generators learned to draw digits, i.e. the median run's
    classifier confidence (mean top-class probability on its samples) is at least :data:`DIGIT_CONFIDENCE`. The
    paper compares models trained for 100,000 iterations; comparing generators that still draw blobs would judge the
    start of training, not the objectives. ``real_confidence``: the classifier's confidence on held-out digits, for
    the detail. A ``dataset`` without a classifier (:data:`COVERAGE_CLASSIFIER`: CelebA) is not checked, and the
    detail says so. Returns ``(met, detail)``."""
    if COVERAGE_CLASSIFIER.get(dataset, dataset) is None:
        return True, f"not checked: {dataset} has no classes for a classifier (the paper read its samples by eye)"
    def median(column: str) -> tuple[float, int]:
        v = np.array([float(r.get(column, float("nan"))) for r in rows], dtype=float)
        v = v[np.isfinite(v)]
        return (float(np.median(v)) if len(v) else float("nan")), len(v)

    med, n = median("confidence")
    if not n:
        return False, "no run has a classifier confidence"
    real = "" if real_confidence is None else f"; held-out digits: {real_confidence:.2f}"
    detail = f"median classifier confidence on the samples {med:.2f} over {n} runs (needed: {DIGIT_CONFIDENCE:g}{real})"
    rungs = [median(f"confidence_q{k}")[0] for k in LADDER_QUARTERS]
    if all(np.isfinite(rungs)):
        path = [*rungs, med]
        detail += (f"; at 1/4, 1/2, 3/4 and all of the budget: {', '.join(f'{v:.2f}' for v in path)} ("
                   + ("rising" if path[-1] - path[0] >= 0.01 else "not rising") + ")")  # 0.01: the shown digits
    return med >= DIGIT_CONFIDENCE, detail


def claims(rows: Sequence[Mapping[str, Any]], n_grid: int | None = None, seed: int = 0,
           real_confidence: float | None = None, dataset: str = "color_mnist") -> list[Claim]:
    """The four Section 5.4 claims from the runs' rows (``objective``, ``setting``, ``neg_w``, ``diversity_gap``,
    ``coverage``, ``confidence``); ``n_grid``: the grid's size (the "complete grid" precondition); every claim also
    needs :func:`learned`."""
    keys, negw = _table(rows, "neg_w")
    n = len(keys)
    complete = (n > 0 and (n_grid is None or n == n_grid),
                f"{n} of {n_grid if n_grid is not None else '?'} settings run for all four objectives")
    digits = learned(rows, real_confidence, dataset)
    pre = {"the grid is complete": complete, "the generators learned the data": digits}
    nan = float("nan")
    all_w = np.concatenate(list(negw.values())) if n else np.array([])
    spread = float(np.subtract(*np.quantile(all_w, [0.75, 0.25]))) if len(all_w) else nan
    scale = _unit(all_w)

    def q1_gain(idx: np.ndarray) -> float:
        base = np.quantile(negw["ns_gan"][idx], 0.25)
        return min(np.quantile(negw[o][idx], 0.25) - base for o in ("gan_gp", "dragan_ns")) / scale

    k = top_k(n) if n else 1

    def best_gain(idx: np.ndarray) -> float:
        def top(o: str) -> float:
            return float(np.mean(np.sort(negw[o][idx])[-k:]))
        return float(np.mean([top(o) - top("ns_gan") for o in ("gan_gp", "dragan_ns")])) / scale

    def wgan_lead(idx: np.ndarray) -> float:
        med = {o: float(np.median(negw[o][idx])) for o in OBJECTIVES}
        return (med["wgan_gp"] - max(v for o, v in med.items() if o != "wgan_gp")) / scale

    everything = np.arange(n)
    stats = {"q1": q1_gain, "best": best_gain, "wgan": wgan_lead}
    value = {name: f(everything) if n else nan for name, f in stats.items()}
    interval = {name: bootstrap_interval(f, n, seed=seed) for name, f in stats.items()}
    common = {"settings": keys, "neg_w": {o: [float(v) for v in negw[o]] for o in OBJECTIVES},
              "spread_of_neg_w": spread}
    out = [
        Claim.compare("many-paths-real-penalties-robust",
                      metric="lower quartile of -W over the settings: the smaller gain of GAN-GP and DRAGAN-NS over "
                             "NS-GAN, as a fraction of the interquartile range of -W over all runs",
                      value=value["q1"], op=">", threshold=0.0, details=common,
                      preconditions=pre, seeds=1, interval=interval["q1"]),
        Claim.compare("many-paths-real-penalties-best",
                      metric=f"mean -W of each objective's best {k} settings: the mean gain of GAN-GP and DRAGAN-NS "
                             "over NS-GAN, as a fraction of the interquartile range of -W over all runs",
                      value=value["best"], op=">", threshold=0.0, details={**common, "top_k": k},
                      preconditions=pre, seeds=1, interval=interval["best"]),
        Claim.compare("many-paths-real-wgan-gp-critic",
                      metric="median -W over the settings: WGAN-GP minus the best of the other three, as a fraction "
                             "of the interquartile range of -W over all runs",
                      value=value["wgan"], op=">", threshold=0.0, details=common,
                      preconditions=pre, seeds=1, interval=interval["wgan"]),
        _collapse_claim(rows, seed, digits),
    ]
    return out


def _collapse_claim(rows: Sequence[Mapping[str, Any]], seed: int, digits: tuple[bool, str]) -> Claim:
    """Section 5.4: "When DRAGAN-NS collapses [...], the negative Wasserstein distance reported by the critic for
    these jobs is low [...] and the sample diversity reported for those settings is greatly reduced". Collapsed runs
    (class coverage below :data:`COLLAPSE_ENTROPY`, samples the classifier reads as digits,
    :data:`DIGIT_CONFIDENCE`) against the runs that cover the classes: for each metric the median of the healthy runs
    minus the collapsed runs', in units of the metric's interquartile range over all runs; the smaller of the two,
    with a bootstrap interval over the runs."""
    cols = ("coverage", "confidence", "diversity_gap", "neg_w")
    raw = {c: np.array([float(r.get(c, float("nan"))) for r in rows], dtype=float) for c in cols}
    ok = np.all([np.isfinite(v) for v in raw.values()], axis=0) if len(rows) else np.zeros(0, bool)
    v = {c: a[ok] for c, a in raw.items()}
    collapsed = (v["coverage"] < COLLAPSE_ENTROPY) & (v["confidence"] >= DIGIT_CONFIDENCE)
    healthy = v["coverage"] >= COLLAPSE_ENTROPY
    metrics = ("diversity_gap", "neg_w")

    scales = {m: _unit(v[m]) for m in metrics}

    def gaps(idx: np.ndarray) -> dict[str, float]:
        c, h = collapsed[idx], healthy[idx]
        if not c.any() or not h.any():
            return {m: float("nan") for m in metrics}
        return {m: float(np.median(v[m][idx][h]) - np.median(v[m][idx][c])) / scales[m] for m in metrics}

    def smaller(idx: np.ndarray) -> float:
        return min(gaps(idx).values())

    n = int(ok.sum())
    everything = np.arange(n)
    n_c, n_h = int(collapsed.sum()), int(healthy.sum())
    return Claim.compare(
        "many-paths-real-metrics-detect-collapse",
        metric="collapsed runs (class coverage < 0.5, classifier confident) against the runs that cover the classes: "
               "median of the healthy minus median of the collapsed, for the diversity gap and for -W, in units of "
               "each metric's interquartile range over all runs; the smaller",
        value=smaller(everything) if n else float("nan"), op=">", threshold=0.0,
        details={"gaps": gaps(everything) if n else {}, "collapsed_runs": n_c, "healthy_runs": n_h,
                 "failed_to_learn_runs": n - n_c - n_h, "runs": n, "collapse_entropy": COLLAPSE_ENTROPY,
                 "digit_confidence": DIGIT_CONFIDENCE},
        preconditions={"a collapsed run and a run that covers the classes": (
            n_c > 0 and n_h > 0,
            f"{n_c} collapsed, {n_h} covering the classes, {n - n_c - n_h} failed to learn (low coverage, classifier "
            f"unsure), of {n} runs"), "the generators learned the data": digits},
        seeds=1, interval=bootstrap_interval(smaller, n, seed=seed),
    )


ROW_COLUMNS = ["objective", "setting", "lr_d", "lr_g", "latent", "dataset", "neg_w", "diversity", "diversity_ref",
               "diversity_gap", "coverage", "top_class", "confidence", *(f"confidence_q{k}" for k in LADDER_QUARTERS),
               "seconds", "diverged"]


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
    objectives: Sequence[str] | None = None,
    settings: Sequence[str] | None = None,
    collect_from: str | Path | None = None,
    **overrides: Any,
) -> Run:
    """Train the four objectives over the profile's grid on Color MNIST, measure every run and judge the claims.

    ``objectives`` / ``settings`` (names from :data:`OBJECTIVES` and :func:`setting_key`): train only these, e.g.
    one run per job of a sweep; ``collect_from``: gather the ``runs.csv`` of earlier runs (a sweep's) instead of
    training. Each run keeps ``score.json``, its checkpoint and ``samples.png`` in ``runs/<objective>/<setting>/``;
    ``resume`` reuses finished runs.
    """
    objs = check_subset("objectives", objectives, OBJECTIVES)
    r = start_run(NOTEBOOK, profiles=PROFILES, profile=profile, seed=seed, device=device, out_dir=out_dir,
                  progress=progress, overrides=overrides, resume=resume, precision=precision, validate=validate)
    p = r.params
    every = {setting_key(*s): s for s in grid(p)}
    chosen = check_subset("settings", settings, list(every))
    r.data = {"rows": [], "out_dir": str(r.out_dir)}
    if collect_from is not None:
        rows, _ = collect_rows(collect_from, "runs.csv", ("dataset", "objective", "setting"),
                               ("objective", "setting", "dataset", "diverged"))
        others = sorted({row["dataset"] for row in rows} - {p["dataset"]})
        rows = [row for row in rows if row["dataset"] == p["dataset"]]
        if others:
            r.note(f"Left out the runs on {', '.join(others)}: this run judges {p['dataset']} (choose with "
                   f"overrides={{'dataset': ...}}).")
        r.note(f"Collected {len(rows)} runs from {collect_from}.")
    else:
        rows = _train_all(r, p, objs, [every[k] for k in chosen], data_root, resume, progress)
    r.save_csv("runs", rows, columns=ROW_COLUMNS)
    r.data["rows"] = rows
    for claim in claims(rows, n_grid=len(every), seed=r.seed, real_confidence=r.metrics.get("test_confidence"),
                        dataset=p["dataset"]):
        r.add_claim(claim)
    return r


def load_data(p: Mapping[str, Any], root: Path, *, seed: int = 0, device: str | torch.device = "cpu",
              progress: bool = False) -> dict[str, Any]:
    """The profile's dataset for the study: ``{"sample": sample(n, rng) -> (n, 3, S, S) in [-1, 1], "critic": (N, 3,
    S, S), "test": ..., "classifier": the coverage classifier or None, "note": what was loaded}``.

    - ``color_mnist``: MNIST digits split three ways (:func:`gpkit.data.color_mnist.digit_splits`), the training
      stream painted afresh at every draw, the held-out sets painted once (streams ``color_mnist_held``).
    - ``cifar10``: the train split (``subset`` of it, seeded) to train on; the test split, shuffled with the seed,
      split between the independent critic's fit (``n_critic_digits``) and the test set (``n_test``), halved when
      both do not fit in its 10,000 images.
    - ``celeba``: the train partition (``subset`` of it) to train on, the valid partition for the critic's fit and the
      test partition for the test set, faces cropped and resized to 64x64; no classifier."""
    from gpkit.data.images import load
    from gpkit.metrics.classifier import get_classifier, load_classifier

    name = p["dataset"]
    clf_name = COVERAGE_CLASSIFIER[name]
    clf, accuracy = None, None
    if clf_name is not None:
        kw = {"pad": p["pad"]} if name == "color_mnist" else {}
        clf, record = load_classifier(get_classifier(clf_name, root, device=str(device), progress=progress,
                                                     **kw, **p["classifier"]))
        clf, accuracy = clf.to(device), record["accuracy"]
    if name == "color_mnist":
        from gpkit.data.color_mnist import digit_splits, paint, sampler

        digits = digit_splits(root, n_critic=p["n_critic_digits"], n_test=p["n_test"], seed=seed, pad=p["pad"])
        held = {k: paint(digits[k], stream(seed, "color_mnist_held", i)) for i, k in enumerate(("critic", "test"))}
        draw = sampler(digits["train"].to(device))
        note = (f"Color MNIST from {len(digits['train']):,} MNIST digits under {root} (critic: "
                f"{len(digits['critic']):,}, test: {len(digits['test']):,} more, painted once)")
    else:
        def data(split: str, subset: int | None = None) -> torch.Tensor:
            return load(name, root, split=split, subset=subset, seed=seed, size=SIZE[name], progress=progress)

        train = data("train", p["subset"]).to(device)
        if name == "cifar10":
            test = data("test")
            test = test[torch.randperm(len(test), generator=torch.Generator().manual_seed(seed))]
            n_c, n_t = p["n_critic_digits"], p["n_test"]
            if n_c + n_t > len(test):
                n_c = n_t = len(test) // 2
            held = {"critic": test[:n_c], "test": test[n_c:n_c + n_t]}
        else:
            held = {"critic": data("val", p["n_critic_digits"]), "test": data("test", p["n_test"])}

        def draw(n: int, rng: torch.Generator) -> torch.Tensor:
            return train[torch.randint(0, len(train), (n,), generator=rng, device=train.device)]

        note = (f"{name} from {root}: {len(train):,} training images, {len(held['critic']):,} held out for the critic "
                f"and {len(held['test']):,} for the test set, {SIZE[name]}x{SIZE[name]}")
    if accuracy is not None:
        note += f"; the coverage classifier's held-out accuracy {accuracy:.3f}"
    return {"sample": draw, **held, "classifier": clf, "note": note}


def _train_all(r: Run, p: dict[str, Any], objs: list[str], chosen: list[tuple[float, float, int]],
               root: str | Path | None, resume: bool, progress: bool) -> list[dict[str, Any]]:
    from torchvision.utils import save_image

    from gpkit.metrics.classifier import class_probabilities
    from gpkit.metrics.diversity import diversity
    from gpkit.models.images import sample_grid
    from gpkit.paths import data_root

    droot = data_root(root)
    data = load_data(p, droot, seed=r.seed, device=r.device, progress=progress)
    held, clf, draw = {k: data[k] for k in ("critic", "test")}, data["classifier"], data["sample"]
    reference = diversity(held["test"], batch_size=p["div_batch"], batches=p["div_batches"])
    r.metrics["test_diversity"] = reference
    if clf is not None:
        r.metrics["test_confidence"] = float(class_probabilities(clf, held["test"]).max(1).values.mean())

    def confidence(gen: torch.nn.Module, latent: int) -> float:
        """The classifier's mean top-class probability on the ``n_eval`` samples evaluate() scores."""
        fit = _samples(gen, latent, p["n_eval"], r.seed, 0, r.device)
        return float(class_probabilities(clf, fit).max(1).values.mean())

    rows = []
    for objective in objs:
        for lr_d, lr_g, latent in chosen:
            key = setting_key(lr_d, lr_g, latent)
            folder = r.path(f"runs/{objective}/{key}")

            def compute(objective: str = objective, lr_d: float = lr_d, lr_g: float = lr_g, latent: int = latent,
                        folder: Path = folder) -> dict[str, Any]:
                g, info = train_setting(objective, lr_d, lr_g, latent, draw, iterations=p["iterations"],
                                        dim=p["dim"], batch_size=p["batch_size"], lam=p["lam"], seed=r.seed,
                                        device=r.device, out_dir=folder, progress=progress,
                                        size=SIZE[p["dataset"]], rung_scorer=None if clf is None else
                                        lambda gen, latent=latent: {"confidence": confidence(gen, latent)},
                                        resume=resume)
                at = info.pop("rungs")
                for k, it in zip(LADDER_QUARTERS, ladder_iterations(p["iterations"])):
                    info[f"confidence_q{k}"] = float(at[it]["confidence"]) if it in at else float("nan")
                z = torch.randn(p["samples"], latent, generator=stream(r.seed, "sample_grid"))
                g.train()
                folder.mkdir(parents=True, exist_ok=True)
                save_image(sample_grid(g, z.to(r.device), (-1.0, 1.0), nrow=int(round(p["samples"] ** 0.5))),
                           folder / "samples.png")
                return {**info, **evaluate(g, latent, held, p, classifier=clf, seed=r.seed, device=r.device,
                                           reference=reference)}

            out = cached_json(folder / "score.json", resume, compute)
            rows.append({"objective": objective, "setting": key, "lr_d": lr_d, "lr_g": lr_g, "latent": latent,
                         "dataset": p["dataset"], **{c: out.get(c, float("nan")) for c in ROW_COLUMNS[6:]}})
    r.note(f"{data['note']}; DIM {p['dim']}, {p['iterations']:,} generator iterations per run, {len(chosen)} "
           f"settings x {len(objs)} objectives.")
    return rows


# ------------------------------------------------------------------ plots
def plot_boxes(source: Run | Mapping[str, Any]):
    """One panel per metric: each objective's runs over the grid as a box (quartiles) with every run as a point and
    the best :func:`top_k` ringed, as the paper's Figures 8-11."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    rows = data.get("rows", [])
    with style():
        fig, axes = plt.subplots(1, len(METRICS), figsize=(4.0 * len(METRICS), 3.6), squeeze=False)
        for ax, (metric, label) in zip(axes[0], METRICS.items()):
            vals = [np.array([float(r[metric]) for r in rows if r["objective"] == o]) for o in OBJECTIVES]
            vals = [v[np.isfinite(v)] for v in vals]
            if any(len(v) for v in vals):
                ax.boxplot([v if len(v) else [np.nan] for v in vals], widths=0.5, showfliers=False)
            for i, (o, v) in enumerate(zip(OBJECTIVES, vals), start=1):
                if not len(v):
                    continue
                jitter = np.linspace(-0.12, 0.12, len(v)) if len(v) > 1 else np.zeros(1)
                ax.scatter(i + jitter, v, s=14, color=COLORS[o], alpha=0.8, zorder=3)
                best = np.sort(v)[-top_k(len(v)):]
                ax.scatter(np.full(len(best), i + 0.3), best, s=30, facecolors="none", edgecolors=COLORS[o], zorder=3)
            if metric == "diversity_gap":
                ax.axhline(0.0, color="#999999", lw=0.8, ls="--")
            if metric == "coverage":
                ax.axhline(COLLAPSE_ENTROPY, color="#999999", lw=0.8, ls=":")
            if metric == "confidence":
                ax.axhline(DIGIT_CONFIDENCE, color="#999999", lw=0.8, ls=":")
            ax.set_xticks(range(1, len(OBJECTIVES) + 1), [LABELS[o] for o in OBJECTIVES], fontsize=8)
            ax.set_title(label, fontsize=9)
        fig.suptitle("Every run of the grid (points), its quartiles (box) and each objective's best settings (rings)",
                     fontsize=9)
        fig.tight_layout()
    return fig


def plot_samples(source: Run | Mapping[str, Any]):
    """Samples of each objective's best run by ``-W`` (top row) and of its lowest-coverage run (bottom row: the
    collapse cases), with their numbers."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    rows, out_dir = data.get("rows", []), data.get("out_dir")
    with style():
        fig, axes = plt.subplots(2, len(OBJECTIVES), figsize=(2.6 * len(OBJECTIVES), 5.6), squeeze=False)
        for j, o in enumerate(OBJECTIVES):
            mine = [r for r in rows if r["objective"] == o]
            classes = all(np.isfinite(float(r["coverage"])) for r in mine)  # CelebA: none; its lowest -W instead
            low = "coverage" if classes else "neg_w"
            picks = ([max(mine, key=lambda r: float(r["neg_w"])), min(mine, key=lambda r: float(r[low]))]
                     if mine else [None, None])
            for i, row in enumerate(picks):
                ax = axes[i, j]
                ax.set_xticks([])
                ax.set_yticks([])
                png = (None if row is None or out_dir is None
                       else Path(out_dir) / "runs" / o / row["setting"] / "samples.png")
                if png is not None and png.is_file():
                    ax.imshow(plt.imread(png), interpolation="nearest")
                    ax.set_xlabel(f"{row['setting']}\n-W {float(row['neg_w']):.2f}, coverage "
                                  f"{float(row['coverage']):.2f}", fontsize=7)
                else:
                    ax.text(0.5, 0.5, "not run", ha="center", va="center", transform=ax.transAxes, color="#999999")
                if i == 0:
                    ax.set_title(LABELS[o], fontsize=10)
            axes[0, 0].set_ylabel("best -W", fontsize=9)
            axes[1, 0].set_ylabel("lowest coverage", fontsize=9)
        fig.tight_layout()
    return fig
