"""Tables 1 and 2: which of 200 random architectures train with WGAN-GP and with the standard GAN (notebook
``07_random_architectures``).

:func:`run` samples the architectures (Table 1), trains each with both objectives (in-process, or only the
``architectures`` it is given, so that a sweep can spread them over a cluster, one notebook run per
architecture) and builds Table 2, from its own runs or, with ``collect_from``, from a sweep's folders. Pieces:

- :func:`train_architecture`: train one Table 1 architecture with one objective (the standard GAN's DCGAN settings
  or WGAN-GP's) and score its final samples;
- :func:`rescale_thresholds`: map the paper's Inception-score thresholds onto another backbone through a common
  reference (the paper's own DCGAN, 7.24, against ours under the same protocol);
- :func:`table2_counts` and :func:`claims`: Table 2's four counts per threshold and the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from gpkit import methods
from gpkit.experiments.base import (lifecycle, Claim, Run, cached_json, collect_rows, plot_data, scored_image_setup,
                                   start_run, train_and_score)
from gpkit.models.random_arch import DCGAN_SPEC, ArchSpec, build, sample_architectures
from gpkit.params import check_choice, check_int, check_positive

from gpkit.streams import stream

if TYPE_CHECKING:
    from gpkit.train import TrainConfig

__all__ = ["NOTEBOOK", "validate", "PROFILES", "run", "collect", "plot_table1", "plot_table2", "plot_samples", "OBJECTIVES", "PAPER_THRESHOLDS", "PAPER_DCGAN_SCORE", "objective_config", "train_architecture",
           "rescale_thresholds", "table2_counts", "claims"]

NOTEBOOK = "07_random_architectures"
OBJECTIVES = ("gan", "wgan-gp")
_COMMON: dict[str, Any] = dict(batch_size=64, splits=10, reference_split="train", classifier={}, samples=16)

#: ``paper``: 200 architectures x 2 objectives on ImageNet 32x32, 20,000 iterations each (the authors' related
#: script), Inception score of 50,000 samples, the paper's thresholds. Spread it with ``gpkit sweep`` (README).
#: ``quick``: 5 architectures on Fashion-MNIST padded to 32x32 with Table 1's base filters scaled by 1/8, 200
#: iterations, the in-domain classifier on 1,000 samples; thresholds rescaled through the DCGAN yardstick
#: (:func:`rescale_thresholds`), so the DCGAN baseline is trained too. A first trial at 1/4 filters and 300
#: iterations took 11 minutes for one 20-layer draw under WGAN-GP alone (on a 2-core CPU the deep, wide draws
#: dominate), hence the smaller widths.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "dataset": "mnist", "pad": 2, "backbone": "classifier", "n_architectures": 2,
              "iterations": 2, "batch_size": 8, "filter_scale": 0.125, "score_n": 50, "n_reference": 50,
              "samples": 4, "classifier": {"epochs": 1, "width": 8}},
    "quick": {**_COMMON, "dataset": "fashion_mnist", "pad": 2, "backbone": "classifier", "n_architectures": 5,
              "iterations": 200, "filter_scale": 0.125, "score_n": 1000, "n_reference": 5000},
    "paper": {**_COMMON, "dataset": "imagenet32", "pad": 0, "backbone": "inception", "n_architectures": 200,
              "iterations": 20_000, "filter_scale": 1.0, "score_n": 50_000, "n_reference": 50_000},
}
PAPER_THRESHOLDS = (1.0, 3.0, 5.0, 7.0, 9.0)
#: The Inception score of the paper's DCGAN in Table 2 (the yardstick for rescaling thresholds).
PAPER_DCGAN_SCORE = 7.24
#: Claim: "only WGAN-GP" must exceed "only GAN" at more than half of the thresholds.
MIN_FRACTION = 0.5
FRACTION_MARGIN = 0.0


def objective_config(objective: str, iterations: int, *, batch_size: int = 64, seed: int = 0,
                     **extra: Any) -> "TrainConfig":
    """Table 2's two trainings: ``gan``, the standard non-saturating GAN with DCGAN's settings (Adam 2e-4,
    beta1 0.5, one D step); ``wgan-gp`` with the paper's defaults (Adam 1e-4, betas (0.5, 0.9), 5 critic steps,
    lambda 10). The generator batch is twice the critic batch, as in the authors' related script."""
    check_choice("objective", objective, OBJECTIVES)
    common = dict(iterations=iterations, batch_size=batch_size, gen_batch_size=2 * batch_size, seed=seed, **extra)
    return methods.config("dcgan" if objective == "gan" else "wgan-gp", **common)


def train_architecture(
    spec: ArchSpec,
    objective: str,
    sampler: Callable[[int, torch.Generator], torch.Tensor],
    scorer: Callable[[torch.nn.Module], Mapping[str, Any]],
    *,
    iterations: int,
    channels: int = 3,
    batch_size: int = 64,
    seed: int = 0,
    filter_scale: float = 1.0,
    device: str | torch.device = "cpu",
    out_dir: str | Path | None = None,
    progress: bool = False,
    resume: bool = True,
) -> dict[str, Any]:
    """Train ``spec`` with ``objective`` and return ``{"objective", "score", "seconds", "diverged", **scores}``.

    ``sampler(n, rng)``: real images in [-1, 1]; ``scorer(generator)``: a dict with ``is_mean`` (e.g.
    :func:`gpkit.metrics.scores.generator_scores`). A run whose loss becomes non-finite counts as failed with a
    score of 1 (a constant image), as an untrainable architecture should.
    """
    iterations = check_int("iterations", iterations, minimum=1)
    torch.manual_seed(seed)
    generator, critic = build(spec, objective, channels=channels, filter_scale=filter_scale)
    cfg = objective_config(objective, iterations, batch_size=batch_size, seed=seed,
                           checkpoint_every=max(1, iterations // 4))
    out = train_and_score(generator, critic, cfg, sampler, scorer, device=device, out_dir=out_dir, progress=progress,
                          resume=resume,
                          desc=f"{objective}: {spec.label}")
    return {"objective": objective, **out}


def rescale_thresholds(thresholds: Sequence[float], our_reference: float,
                       paper_reference: float = PAPER_DCGAN_SCORE) -> list[float]:
    """Map Inception-score thresholds onto another score: ``1 + (t - 1) (ours - 1) / (paper - 1)``.

    A score of 1 (one repeated image) stays 1 and the paper's reference (its DCGAN, 7.24) maps onto ours (our
    DCGAN under the same protocol), linearly in between and beyond. ``ValueError`` if ours is not above 1.
    """
    if not our_reference > 1.0:
        raise ValueError(f"our_reference must be a score above 1 to rescale thresholds, got {our_reference}")
    factor = (our_reference - 1.0) / (paper_reference - 1.0)
    return [1.0 + (t - 1.0) * factor for t in thresholds]


def table2_counts(scores: Sequence[Mapping[str, float]], thresholds: Sequence[float]) -> list[dict[str, Any]]:
    """Table 2: per threshold, how many architectures succeed (score > threshold) with only the GAN, only WGAN-GP,
    both or neither. ``scores``: one ``{"gan": s, "wgan-gp": s}`` per architecture."""
    out = []
    for t in thresholds:
        row = {"threshold": float(t), "only_gan": 0, "only_wgan_gp": 0, "both": 0, "neither": 0}
        for s in scores:
            gan, gp = s["gan"] > t, s["wgan-gp"] > t
            key = "both" if gan and gp else "only_gan" if gan else "only_wgan_gp" if gp else "neither"
            row[key] += 1
        out.append(row)
    return out


def claims(counts: Sequence[Mapping[str, Any]]) -> list[Claim]:
    """The Table 2 verdict: "only WGAN-GP" exceeds "only GAN" at most thresholds. Thresholds where no architecture
    separates the two objectives (both counts 0) are left out of the fraction."""
    informative = [c for c in counts if c["only_gan"] or c["only_wgan_gp"]]
    wins = sum(c["only_wgan_gp"] > c["only_gan"] for c in informative)
    value = wins / len(informative) if informative else float("nan")
    return [Claim.compare(
        "table2-only-wgan-gp",
        metric="fraction of the thresholds (where the objectives differ at all) at which \"only WGAN-GP\" exceeds "
               "\"only GAN\"",
        value=value, op=">", threshold=MIN_FRACTION, margin=FRACTION_MARGIN,
        details={"counts": [dict(c) for c in counts], "informative_thresholds": len(informative)},
    )]


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    for key in ("n_architectures", "iterations", "batch_size", "score_n", "splits", "samples"):
        check_int(key, p[key], minimum=1)
    check_int("pad", p["pad"], minimum=0)
    check_choice("backbone", p["backbone"], ("inception", "classifier"))
    check_choice("dataset", p["dataset"], ("imagenet32", "cifar10", "fashion_mnist", "mnist"))
    check_positive("filter_scale", p["filter_scale"])


def _select(architectures: Sequence[Any] | None, n: int) -> list[Any]:
    """The runs to train: indices into the sampled list and/or ``"dcgan"`` (all plus the baseline when None)."""
    if architectures is None:
        return ["dcgan", *range(n)]
    out = []
    for a in architectures:
        if a != "dcgan":
            a = check_int("architectures", a, minimum=0)
            if a >= n:
                raise ValueError(f"architectures must be indices below n_architectures={n} or 'dcgan', got {a}")
        out.append(a)
    return out


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
    architectures: Sequence[Any] | None = None,
    collect_from: str | Path | None = None,
    **overrides: Any,
) -> Run:
    """Sample Table 1's architectures, train the selected ones with both objectives, and build Table 2.

    ``architectures``: indices into the seeded sample and/or ``"dcgan"`` (default: all and the baseline).
    ``collect_from``: a folder of earlier runs (e.g. a sweep's); their ``arch_scores.csv`` files are gathered
    instead of training. Per-architecture results are kept in ``arch_<i>/score_<objective>.json`` and reused
    with ``resume``.
    """
    from gpkit.metrics import scores as scores_mod

    def check(p: dict[str, Any]) -> None:
        validate(p)
        _select(architectures, p["n_architectures"])

    r = start_run(NOTEBOOK, profiles=PROFILES, profile=profile,
                  seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=check)
    p = r.params
    specs = sample_architectures(p["n_architectures"], seed)
    r.data = {"specs": specs, "grids": {}}
    r.save_csv("architectures", [{"arch": i, **s.to_dict()} for i, s in enumerate(specs)])
    if collect_from is not None:
        rows = collect(collect_from)
        r.note(f"Collected {len(rows)} scores from {collect_from}.")
    else:
        x, _, score_kw = scored_image_setup(p, data_root, weights_path, r.device, "Table 1's architectures")
        score_kw["kid"] = False
        channels = x.shape[1]
        x = x.float().div_(127.5).sub_(1.0)

        def sampler(n: int, rng: torch.Generator) -> torch.Tensor:
            return x[torch.randint(0, len(x), (n,), generator=rng, device=r.device)]

        z = torch.randn(p["samples"], 128, generator=stream(seed, "sample_grid"))
        rows = []
        for a in _select(architectures, len(specs)):
            spec = DCGAN_SPEC if a == "dcgan" else specs[a]
            objectives = ("gan",) if a == "dcgan" else OBJECTIVES
            for objective in objectives:
                folder = r.path(f"arch_{a}" if a == "dcgan" else f"arch_{a:03d}") / objective

                def scorer(g: torch.nn.Module, key: tuple[Any, str] = (a, objective)) -> dict[str, Any]:
                    from gpkit.models.images import sample_grid

                    r.data["grids"][key] = sample_grid(g, z.to(r.device), (-1.0, 1.0), nrow=4)
                    return scores_mod.generator_scores(g, p["score_n"], seed=seed, checkpoint="last", **score_kw)

                out = cached_json(folder / "score.json", resume, lambda: train_architecture(
                    spec, objective, sampler, scorer, iterations=p["iterations"], channels=channels,
                    batch_size=p["batch_size"], seed=seed, filter_scale=p["filter_scale"], device=r.device,
                    out_dir=folder, progress=progress, resume=resume))
                rows.append({"arch": str(a), "objective": objective, "score": out["score"],
                             "seconds": round(out["seconds"], 1), "diverged": bool(out["diverged"])})
        r.note(f"Data: {p['dataset']}, {channels} channel(s), 32x32; Table 1's base filters x {p['filter_scale']}; "
               f"{p['iterations']:,} generator iterations per run; score: {p['backbone']} backbone on "
               f"{p['score_n']:,} samples.")
    r.save_csv("arch_scores", rows, columns=["arch", "objective", "score", "seconds", "diverged"])
    _table2(r, rows, p)
    return r


def collect(folder: str | Path) -> list[dict[str, Any]]:
    """Every ``arch_scores.csv`` under ``folder`` (e.g. a sweep's run folders), merged (later files win)."""
    return collect_rows(folder, "arch_scores.csv", ("arch", "objective"), ("arch", "objective", "diverged"))[0]


def _table2(r: Run, rows: list[dict[str, Any]], p: dict[str, Any]) -> None:
    by: dict[str, dict[str, float]] = {}
    for row in rows:
        by.setdefault(row["arch"], {})[row["objective"]] = row["score"]
    complete = [v for k, v in by.items() if k != "dcgan" and set(OBJECTIVES) <= v.keys()]
    baseline = by.get("dcgan", {}).get("gan")
    r.data.update(rows=rows, baseline=baseline)
    if not complete:
        r.note("No architecture has both objectives yet: Table 2 needs the collected runs.")
        return
    if p["backbone"] == "inception":
        thresholds, how = list(PAPER_THRESHOLDS), "the paper's thresholds (Inception score)"
    elif baseline is not None and baseline > 1.0:
        thresholds = rescale_thresholds(PAPER_THRESHOLDS, baseline)
        how = (f"the paper's thresholds rescaled so that its DCGAN (7.24) maps onto ours ({baseline:.2f}): "
               "1 + (t - 1)(ours - 1)/(7.24 - 1)")
    else:
        r.note("Without a DCGAN baseline above 1 the classifier thresholds cannot be rescaled; no Table 2.")
        return
    counts = table2_counts(complete, thresholds)
    for c, t in zip(counts, PAPER_THRESHOLDS):
        c["paper_threshold"] = t
    fine = [1.0 + 0.5 * k for k in range(17)]  # the appendix's longer table: every 0.5 from 1 to 9
    long = table2_counts(complete, rescale_thresholds(fine, baseline) if p["backbone"] != "inception" else fine)
    for c, t in zip(long, fine):
        c["paper_threshold"] = t
    r.data["counts_long"] = long
    r.save_csv("table2_long", long)
    r.note(f"Table 2 over {len(complete)} architectures with {how}.")
    r.metrics = {"counts": counts, "baseline": baseline, "thresholds": thresholds, "architectures": len(complete)}
    r.data["counts"] = counts
    r.save_csv("table2", counts)
    names = {"only_gan": "only_GAN", "only_wgan_gp": "only_WGAN-GP", "both": "both_succeeded", "neither": "both_failed"}
    for c in counts:
        for col, key in names.items():
            r.add_comparison(f"table2/{c['paper_threshold']:g}/{key}", float(c[col]), dataset=p["dataset"],
                             backbone=p["backbone"], n=len(complete),
                             note=f"threshold {c['threshold']:.2f} on our scale")
    if baseline is not None:
        r.add_comparison("table2/dcgan", baseline, dataset=p["dataset"], backbone=p["backbone"], n=p["score_n"])
    for claim in claims(counts):
        r.add_claim(claim)


def plot_table1(source: Run | dict[str, Any]):
    """Table 1 as drawn: how often each setting was sampled, for G and for D."""
    import matplotlib.pyplot as plt

    from gpkit.models.random_arch import TABLE1
    from gpkit.plots import style

    specs = plot_data(source)["specs"]
    with style():
        fig, axes = plt.subplots(2, 4, figsize=(12, 4.6), sharey="row")
        for row, side in enumerate(("g", "d")):
            for col, (key, options) in enumerate(TABLE1.items()):
                counts = [sum(getattr(s, f"{side}_{key}") == o for s in specs) for o in options]
                ax = axes[row, col]
                ax.bar([str(o) for o in options], counts, color="#7570b3" if side == "g" else "#1b9e77")
                ax.set_title(f"{'G' if side == 'g' else 'D'}: {key}", fontsize=9)
                ax.tick_params(axis="x", labelsize=8)
        axes[0, 0].set_ylabel("architectures")
        axes[1, 0].set_ylabel("architectures")
        fig.tight_layout()
    return fig


def plot_table2(source: Run | dict[str, Any]):
    """Table 2 as stacked bars per threshold: ours (left bar) beside the paper's (right bar), as fractions."""
    import matplotlib.pyplot as plt
    import numpy as np

    from gpkit.catalog import number
    from gpkit.plots import style

    counts = plot_data(source).get("counts")
    if not counts:
        with style():
            fig, ax = plt.subplots(figsize=(8, 1.5))
            ax.text(0.5, 0.5, "No Table 2 yet: no architecture has scores for both objectives", ha="center")
            ax.axis("off")
        return fig
    cols = [("only_gan", "only GAN", "#d95f02"), ("only_wgan_gp", "only WGAN-GP", "#1b9e77"),
            ("both", "both succeeded", "#7570b3"), ("neither", "both failed", "#bbbbbb")]
    keys = {"only_gan": "only_GAN", "only_wgan_gp": "only_WGAN-GP", "both": "both_succeeded", "neither": "both_failed"}
    with style():
        fig, ax = plt.subplots(figsize=(8, 4))
        xs = np.arange(len(counts))
        for offset, source_name in ((-0.2, "ours"), (0.2, "paper")):
            bottom = np.zeros(len(counts))
            for col, label, color in cols:
                if source_name == "ours":
                    vals = np.array([c[col] / max(sum(c[k] for k, _, _ in cols), 1) for c in counts])
                else:
                    vals = np.array([number(f"table2/{c['paper_threshold']:g}/{keys[col]}").value / 200 for c in counts])
                ax.bar(xs + offset, vals, 0.36, bottom=bottom, color=color, edgecolor="white",
                       label=label if source_name == "ours" else None, hatch=None if source_name == "ours" else "//")
                bottom += vals
        ax.set_xticks(xs, [f"{c['paper_threshold']:g}\n(ours {c['threshold']:.2f})" for c in counts])
        ax.set_xlabel("minimum score (paper's threshold; ours after rescaling). Left bar: ours; right, hatched: paper")
        ax.set_ylabel("fraction of architectures")
        ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, 1.13))
        fig.tight_layout()
    return fig


def plot_samples(source: Run | dict[str, Any], max_architectures: int = 4):
    """Final samples of a few architectures under both objectives (rows: architectures; columns: objectives)."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    grids = data.get("grids", {})
    archs = [a for a in dict.fromkeys(a for a, _ in grids) if a != "dcgan"][:max_architectures]
    with style():
        fig, axes = plt.subplots(max(len(archs), 1), 2, figsize=(5, 2.5 * max(len(archs), 1)), squeeze=False)
        for i, a in enumerate(archs):
            for j, objective in enumerate(OBJECTIVES):
                ax = axes[i, j]
                if (a, objective) in grids:
                    ax.imshow(grids[(a, objective)].permute(1, 2, 0).numpy(), interpolation="nearest")
                score = next((r["score"] for r in data.get("rows", []) if r["arch"] == str(a)
                              and r["objective"] == objective), None)
                ax.set_title(f"arch {a}, {objective}" + (f": {score:.2f}" if score is not None else ""), fontsize=8)
                ax.axis("off")
        fig.tight_layout()
    return fig
