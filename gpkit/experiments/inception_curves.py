"""Figure 3: score against generator iterations and wall-clock time for four CIFAR DCGAN runs
(notebook ``03_inception_curves``).

The four runs of the paper, all on the CIFAR DCGAN of the reference (``gan_cifar.py``):

- ``clip_rmsprop``: WGAN with weight clipping (c = 0.01), RMSProp 5e-5, batch norm in the critic;
- ``gp_rmsprop``: WGAN-GP with RMSProp at the same learning rate (the paper's control for the optimizer);
- ``gp_adam``: WGAN-GP with Adam 1e-4, betas (0.5, 0.9);
- ``dcgan``: the standard GAN (non-saturating), Adam 2e-4, beta1 0.5, one discriminator step, batch norm in D.

Every ``score_every`` generator iterations a probe scores ``score_n`` samples (fixed latent codes) and
records the training wall-clock so far (probes excluded). The paper profile uses CIFAR-10 and the
Inception network; the quick profile Fashion-MNIST padded to 32x32 and gpkit's in-domain classifier
(a classifier score, not an Inception score).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpkit import methods
from gpkit.callbacks import ImageScore, SampleGrids
from gpkit.experiments.base import lifecycle, Claim, Run, plot_data, read_csv, scored_image_setup, start_run
from gpkit.metrics import scores as scores_mod
from gpkit.models.images import cifar_critic, cifar_generator
from gpkit.params import check_choice, check_int, check_positive
from gpkit.train import TrainConfig, Trainer
from gpkit.streams import stream, stream_seed

__all__ = ["NOTEBOOK", "validate", "PROFILES", "RUNS", "run", "summarise", "claims", "plot_curves", "plot_samples", "load"]

NOTEBOOK = "03_inception_curves"
RUNS = ("clip_rmsprop", "gp_rmsprop", "gp_adam", "dcgan")
LABELS = {"clip_rmsprop": "WGAN, weight clipping (RMSProp)", "gp_rmsprop": "WGAN-GP (RMSProp)",
          "gp_adam": "WGAN-GP (Adam)", "dcgan": "DCGAN"}
COLORS = {"clip_rmsprop": "#d95f02", "gp_rmsprop": "#7570b3", "gp_adam": "#1b9e77", "dcgan": "#666666"}
DATASETS = ("cifar10", "fashion_mnist", "mnist")

_COMMON: dict[str, Any] = dict(
    runs=list(RUNS), n_critic=5, lam=10.0, rmsprop_lr=5e-5, clip=0.01, adam_lr=1e-4, adam_betas=[0.5, 0.9],
    dcgan_lr=2e-4, dcgan_betas=[0.5, 0.999], batch_size=64, splits=10, reference_split="train", samples=64,
    classifier={},
)

#: ``paper``: CIFAR-10, DIM 128, batch 64, 200,000 generator iterations, the Inception network on 1000 samples
#: every 1000 iterations (as the reference), FID against 10,000 training images.
#: ``quick``: Fashion-MNIST padded to 32x32 (one channel), DIM 32, 500 iterations per run, scored every 50
#: iterations by the in-domain classifier; about 17 minutes for the four runs on a 2-core CPU.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "dataset": "mnist", "pad": 2, "backbone": "classifier", "dim": 8, "batch_size": 16,
              "iterations": 4, "score_every": 2, "score_n": 100, "n_reference": 100, "samples": 16,
              "classifier": {"epochs": 1, "width": 8}},
    "quick": {**_COMMON, "dataset": "fashion_mnist", "pad": 2, "backbone": "classifier", "dim": 32,
              "iterations": 500, "score_every": 50, "score_n": 1000, "n_reference": 5000},
    "paper": {**_COMMON, "dataset": "cifar10", "pad": 0, "backbone": "inception", "dim": 128,
              "iterations": 200_000, "score_every": 1000, "score_n": 1000, "n_reference": 10_000},
}

#: Claim thresholds. Scores are compared over the second half of training, as a fraction of the gap between a
#: constant image (score 1) and real images; "faster" is the ratio of the wall-clock times to reach 80% of the way
#: to the lower of the two runs' best scores.
MIN_SCORE_GAIN = 0.0
SCORE_MARGIN = 0.02
REACH = 0.8
MIN_SPEEDUP = 1.0
#: "[WGAN-GP] converges more slowly (in wall-clock time) than DCGAN, but its score is more stable at convergence":
#: the scatter of the score about its linear trend over the second half of training, as a fraction of (real - 1),
#: must be larger for DCGAN than for WGAN-GP (Adam).
SPEEDUP_MARGIN = 0.1


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    for key in ("dim", "batch_size", "iterations", "score_every", "score_n", "n_critic", "splits", "samples"):
        check_int(key, p[key], minimum=1)
    check_int("pad", p["pad"], minimum=0)
    if p["n_reference"] is not None:
        check_int("n_reference", p["n_reference"], minimum=2)
    check_choice("dataset", p["dataset"], DATASETS)
    check_choice("backbone", p["backbone"], scores_mod.BACKBONES)
    if not isinstance(p["runs"], (list, tuple)) or not p["runs"]:
        raise ValueError(f"runs must be a non-empty list drawn from {list(RUNS)}, got {p['runs']!r}")
    for r in p["runs"]:
        check_choice("runs", r, RUNS)
    for key in ("rmsprop_lr", "clip", "adam_lr", "dcgan_lr"):
        check_positive(key, p[key])
    if p["score_n"] < p["splits"]:
        raise ValueError(f"score_n must be at least splits ({p['splits']}), got {p['score_n']}")


def run_config(name: str, p: dict[str, Any], seed: int) -> tuple[TrainConfig, str]:
    """The training settings of run ``name`` and its critic normalisation (``batch`` or ``none``)."""
    common = dict(iterations=p["iterations"], batch_size=p["batch_size"], seed=seed, log_every=1,
                  checkpoint_every=max(p["score_every"], p["iterations"] // 10))
    if name == "clip_rmsprop":
        return methods.config("wgan", clip=p["clip"], lr=p["rmsprop_lr"], n_critic=p["n_critic"], **common), "batch"
    if name == "gp_rmsprop":  # WGAN-GP with WGAN's optimizer, to control for it (Figure 3)
        return methods.config("wgan-gp", lam=p["lam"], optimizer="rmsprop_tf", lr=p["rmsprop_lr"],
                              n_critic=p["n_critic"], **common), "none"
    if name == "gp_adam":
        return methods.config("wgan-gp", lam=p["lam"], lr=p["adam_lr"], betas=tuple(p["adam_betas"]),
                              n_critic=p["n_critic"], **common), "none"
    check_choice("run", name, RUNS)
    return methods.config("dcgan", lr=p["dcgan_lr"], betas=tuple(p["dcgan_betas"]), **common), "batch"


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
    weights_path: str | Path | None = None,
    **overrides: Any,
) -> Run:
    """Train the four runs, scoring them along the way; return the :class:`Run`.

    ``weights_path``: the Inception weights file for ``backbone="inception"`` (see
    :func:`gpkit.metrics.scores.find_inception_weights`). Writes ``scores.csv`` (one row per run and
    evaluation), ``results.json`` and sample grids under ``<out_dir>/<run>/``.
    """
    r = start_run(NOTEBOOK, profiles=PROFILES, profile=profile,
                  seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=validate)
    p = r.params
    x, _, score_kw = scored_image_setup(p, data_root, weights_path, r.device, "the CIFAR DCGAN")
    score_kw["kid"] = False
    root, channels = score_kw["root"], x.shape[1]
    real = scores_mod.reference_images(p["dataset"], "train", n=p["score_n"], seed=stream_seed(seed, "reference"), root=root, pad=p["pad"])
    real_scores = scores_mod.image_scores(real, seed=seed, **score_kw)
    name = real_scores["score_name"]
    r.note(f"Data: {p['dataset']} from {root}, {len(x):,} training images, {channels} channel(s), "
           f"{'padded to ' if p['pad'] else ''}32x32, scaled to [-1, 1] as 2 (x / 255 - 0.5).")
    r.note(f"Score: the {name} ({p['backbone']} backbone, weights {real_scores['weights']}) of {p['score_n']} samples "
           f"in {p['splits']} splits every {p['score_every']} iterations; FID against {real_scores.get('n_reference')} "
           f"{p['reference_split']} images. Real images score {real_scores['is_mean']:.2f}.")
    if p["backbone"] == "classifier":
        r.note(f"The classifier (accuracy {real_scores['classifier_accuracy']:.1%} on the "
               f"{real_scores['classifier_held_out']}) stands in for the Inception network, which cannot be had "
               "offline: these are classifier scores on this dataset, not comparable with the paper's CIFAR-10 "
               "Inception scores.")
    if profile != "paper":
        r.note(f"{profile} profile: DIM {p['dim']} (paper 128), {p['iterations']:,} generator iterations per run "
               "(paper 200,000).")
    x = x.float().div_(127.5).sub_(1.0)  # the reference's 2 * (x / 255 - 0.5)

    def sampler(n: int, rng: torch.Generator) -> torch.Tensor:
        return x[torch.randint(0, len(x), (n,), generator=rng, device=r.device)]

    z_fixed = torch.randn(p["samples"], 128, generator=stream(seed, "sample_grid"))
    rows, finals = [], {}
    for name_run in p["runs"]:
        torch.manual_seed(seed)
        cfg, d_norm = run_config(name_run, p, seed)
        generator = cifar_generator(p["dim"], norm="batch", channels=channels)
        critic = cifar_critic(p["dim"], norm=d_norm, channels=channels)
        probe = ImageScore(p["score_every"], lambda g: scores_mod.generator_scores(
            g, p["score_n"], seed=seed, checkpoint="last", **score_kw), best_path=r.path(f"{name_run}/best_generator.pt"))
        grids = SampleGrids(p["iterations"], z_fixed, (-1.0, 1.0), r.path(f"{name_run}/samples"))
        result = Trainer(cfg, critic, generator, sampler, device=r.device, out_dir=r.path(name_run),
                         callbacks=[probe, grids], progress=progress, resume=resume, desc=LABELS[name_run]).run()
        rows += [{"run": name_run, **rec} for rec in probe.records]
        finals[name_run] = {"seconds": round(result.seconds, 1), "grids": grids.grids}
    r.save_csv("scores", rows)
    summary = summarise(rows, p["runs"], real_scores["is_mean"])
    for s in summary:
        s["train_seconds"] = finals[s["run"]]["seconds"]
    r.metrics = {"runs": summary, "real_score": real_scores["is_mean"], "score_name": name,
                 "backbone": p["backbone"], "protocol": {k: v for k, v in real_scores.items() if k not in
                                                         ("is_mean", "is_std", "fid", "kid_mean", "kid_std")}}
    r.data = {"scores": rows, "summary": summary, "real_score": real_scores["is_mean"], "score_name": name,
              "grids": {k: f["grids"] for k, f in finals.items()}}
    for claim in claims(summary, rows, real_scores["is_mean"]):
        r.add_claim(claim)
    return r


def _time_to_reach(rec: list[dict[str, Any]], target: float) -> float | None:
    """Training seconds at the first evaluation after iteration 0 that scores at least ``target`` (None: never)."""
    for row in rec:
        if row["iteration"] > 0 and row["is_mean"] >= target:
            return float(row["seconds"])
    return None


def _scatter(its: np.ndarray, scores: np.ndarray) -> float:
    """Standard deviation of ``scores`` about their least-squares line in ``its`` (NaN with fewer than 3 points)."""
    if len(scores) < 3:
        return float("nan")
    fit = np.polyval(np.polyfit(its, scores, 1), its)
    return float(np.std(scores - fit, ddof=2))


def summarise(rows: list[dict[str, Any]], runs: list[str], real_score: float) -> list[dict[str, Any]]:
    """Per run: final, best and second-half mean score, and that mean as a fraction of the way from a constant
    image (1) to real images (``real_score``)."""
    out = []
    for name in runs:
        rec = sorted((r for r in rows if r["run"] == name), key=lambda r: r["iteration"])
        its = np.array([r["iteration"] for r in rec], dtype=float)
        sc = np.array([r["is_mean"] for r in rec])
        late = sc[its >= its[-1] / 2]
        out.append({"run": name, "evaluations": len(rec), "final_score": float(sc[-1]), "best_score": float(sc.max()),
                    "second_half_mean": float(late.mean()),
                    "second_half_fraction": float((late.mean() - 1.0) / max(real_score - 1.0, 0.1)),
                    "final_fid": float(rec[-1]["fid"]) if "fid" in rec[-1] else None,
                    "second_half_scatter": _scatter(its[its >= its[-1] / 2], late) / max(real_score - 1.0, 0.1),
                    "seconds_per_iteration": float(rec[-1]["seconds"] / max(its[-1], 1.0))})
    return out


def claims(summary: list[dict[str, Any]], rows: list[dict[str, Any]], real_score: float) -> list[Claim]:
    """Verdicts from the score curves (``rows``: one per run and evaluation; thresholds fixed above)."""
    by = {s["run"]: s for s in summary}
    out = []

    def gain(a: str, b: str) -> float:
        return by[a]["second_half_fraction"] - by[b]["second_half_fraction"]

    if {"gp_rmsprop", "clip_rmsprop"} <= by.keys():
        out.append(Claim.compare(
            "fig3-gp-beats-clipping",
            metric="mean score over the second half of training, WGAN-GP (RMSProp) minus clipping, as a fraction of "
                   "(real-image score - 1)",
            value=gain("gp_rmsprop", "clip_rmsprop"), op=">", threshold=MIN_SCORE_GAIN, margin=SCORE_MARGIN,
            details={k: by[k]["second_half_mean"] for k in ("gp_rmsprop", "clip_rmsprop")} | {"real": real_score},
        ))
    if {"gp_adam", "gp_rmsprop"} <= by.keys():
        out.append(Claim.compare(
            "fig3-adam-beats-rmsprop",
            metric="mean score over the second half of training, Adam minus RMSProp, as a fraction of "
                   "(real-image score - 1)",
            value=gain("gp_adam", "gp_rmsprop"), op=">", threshold=MIN_SCORE_GAIN, margin=SCORE_MARGIN,
            details={k: by[k]["second_half_mean"] for k in ("gp_adam", "gp_rmsprop")},
        ))
    if {"dcgan", "gp_adam"} <= by.keys():
        target = 1.0 + REACH * (min(by["dcgan"]["best_score"], by["gp_adam"]["best_score"]) - 1.0)
        t_dc, t_gp = (_time_to_reach(sorted((r for r in rows if r["run"] == k), key=lambda r: r["iteration"]), target) for k in ("dcgan", "gp_adam"))
        value = t_gp / t_dc if t_dc and t_gp is not None else float("nan")  # nan: undefined, inconclusive
        out.append(Claim.compare(
            "fig3-dcgan-faster-wallclock",
            metric=f"wall-clock seconds to reach {REACH:.0%} of the way to the lower best score, WGAN-GP (Adam) / "
                   "DCGAN",
            value=value, op=">", threshold=MIN_SPEEDUP, margin=SPEEDUP_MARGIN,
            details={"target_score": target, "seconds_dcgan": t_dc, "seconds_gp_adam": t_gp},
        ))
        out.append(Claim.compare(
            "fig3-gp-more-stable",
            metric="scatter of the score about its linear trend over the second half of training, as a fraction of "
                   "(real-image score - 1): DCGAN minus WGAN-GP (Adam)",
            value=by["dcgan"]["second_half_scatter"] - by["gp_adam"]["second_half_scatter"], op=">", threshold=0.0,
            details={k: by[k]["second_half_scatter"] for k in ("dcgan", "gp_adam")}, seeds=1,
        ))
    return out


def load(out_dir: str | Path) -> dict[str, Any]:
    """Reload a finished run's score curves for plotting."""
    import json

    out_dir = Path(out_dir)
    rows = read_csv(out_dir / "scores.csv", text_columns=("run",))
    metrics = json.loads((out_dir / "results.json").read_text())["metrics"]
    runs = list(dict.fromkeys(r["run"] for r in rows))
    return {"scores": rows, "summary": summarise(rows, runs, metrics["real_score"]), "grids": {},
            "real_score": metrics["real_score"], "score_name": metrics["score_name"]}


def plot_curves(source: Run | dict[str, Any]):
    """Figure 3's two panels: score against generator iterations (left) and wall-clock seconds (right);
    the dotted line is the score of real images."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    runs = list(dict.fromkeys(r["run"] for r in data["scores"]))
    with style():
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
        for name in runs:
            rec = sorted((r for r in data["scores"] if r["run"] == name), key=lambda r: r["iteration"])
            for ax, key in zip(axes, ("iteration", "seconds")):
                ax.plot([r[key] for r in rec], [r["is_mean"] for r in rec], color=COLORS[name], lw=1.8,
                        marker="o", ms=2.5, label=LABELS[name])
        for ax, label in zip(axes, ("generator iterations", "wall-clock seconds (training only)")):
            ax.axhline(data["real_score"], color="k", ls=":", lw=1, label="real images")
            ax.set_xlabel(label)
        axes[0].set_ylabel(data["score_name"])
        axes[0].legend(fontsize=8, loc="upper left")
        fig.tight_layout()
    return fig


def plot_samples(source: Run | dict[str, Any]):
    """Each run's final samples from the same latent codes."""
    from gpkit.plots import grid_figure

    grids = plot_data(source)["grids"]
    return grid_figure([(f"{LABELS[k]}, iteration {max(g):,}", g[max(g)]) for k, g in grids.items() if g], (3.4, 3.7))
