"""Figure 1b of the WGAN-GP paper: gradients through deep critics and their weights.

A WGAN (generator *and* critic trained) on the Swiss roll with 12-hidden-layer ReLU
MLPs for both networks, no batch norm. Four runs: weight clipping with
``c in {0.1, 0.01, 0.001}`` (RMSProp 5e-5) and the gradient penalty (Adam 1e-4,
betas (0.5, 0.9), lambda 10). The paper gives no code for this figure; width 512
and these optimizers are the reading of ``PAPER_SPEC.md``.

Measured during training (probe batches fixed across runs):

- the norm of the gradient of the critic loss ``mean D(fake) - mean D(real)`` with
  respect to each hidden layer's activations, layer 1 next to the input;
  ``log10(norm_1 / norm_12)`` > 0 means the gradient grows as it travels back
  (explodes), < 0 that it vanishes;
- every critic weight, for histograms and the fraction at the clipping bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpkit.callbacks import RecordingCallback
from gpkit.data.toy import DATASETS, ToySampler
from gpkit.experiments.base import lifecycle, Claim, Run, plot_data, start_run, wgan_config
from gpkit.metrics.probes import critic_weights, fraction_at_bounds, layer_gradient_norms
from gpkit.models.toy import MLP
from gpkit.params import check_choice, check_int, check_positive, check_range
from gpkit.train import Trainer
from gpkit.streams import stream

__all__ = ["NOTEBOOK", "validate", "PROFILES", "run", "claims", "plot_deep_critics", "plot_training", "load", "method_names"]

NOTEBOOK = "02_deep_critic_gradients"
#: Smallest positive float32; norms that underflow to 0 are floored here (log10 = -44.85).
NORM_FLOOR = 1.4e-45

_COMMON: dict[str, Any] = dict(
    dataset="swissroll",
    hidden=12,
    clips=[0.1, 0.01, 0.001],
    clip_lr=5e-5,
    gp_lr=1e-4,
    gp_betas=[0.5, 0.9],
    lam=10.0,
    n_critic=5,
    histogram_clip=0.01,
)

#: ``paper``: width 512, batch 256, 100,000 generator iterations (the toy reference's length).
#: ``quick``: width 128, batch 64, 500 iterations: enough for c = 0.1 to explode on a 2-core CPU.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "width": 16, "batch_size": 32, "iterations": 6, "probes": 2, "probe_size": 64,
              "checkpoint_every": 0},
    "quick": {**_COMMON, "width": 128, "batch_size": 64, "iterations": 500, "probes": 10, "probe_size": 512,
              "checkpoint_every": 0},
    "paper": {**_COMMON, "width": 512, "batch_size": 256, "iterations": 100_000, "probes": 50, "probe_size": 1024,
              "checkpoint_every": 5000},
}

#: Claim thresholds (log10 units: 1 = a factor of 10 between the first and the last layer).
MIN_CLIP_LOG_RATIO = 1.0
MAX_GP_LOG_RATIO = 1.0
LOG_MARGIN = 0.1
MIN_BOUND_GAP = 0.5  # fraction of clipped weights at +-c minus the GP critic's fraction at its own +-max|w|
BOUND_MARGIN = 0.05
PAPER_DIRECTIONS = {0.1: "explodes", 0.01: "vanishes", 0.001: "vanishes"}


def method_names(clips: list[float]) -> list[str]:
    """Run names: ``clip_0.1``, ..., ``gp``."""
    return [f"clip_{c:g}" for c in clips] + ["gp"]


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    for key in ("width", "hidden", "batch_size", "iterations", "n_critic"):
        check_int(key, p[key], minimum=1)
    check_int("probes", p["probes"], minimum=1)
    check_int("probe_size", p["probe_size"], minimum=2)
    check_int("checkpoint_every", p["checkpoint_every"], minimum=0)
    check_choice("dataset", p["dataset"], DATASETS)
    if not isinstance(p["clips"], (list, tuple)) or not p["clips"]:
        raise ValueError(f"clips must be a non-empty list of positive bounds, got {p['clips']!r}")
    for c in p["clips"]:
        check_positive("clips", c)
    check_positive("histogram_clip", p["histogram_clip"])
    if p["histogram_clip"] not in p["clips"]:
        raise ValueError(f"histogram_clip must be one of clips {p['clips']}, got {p['histogram_clip']!r}")
    for key in ("clip_lr", "gp_lr"):
        check_positive(key, p[key])
    check_positive("lam", p["lam"], allow_zero=True)
    for b in p["gp_betas"]:
        check_range("gp_betas", b, 0.0, 0.999999)


class _LayerProbe(RecordingCallback):
    """Callback: per-layer gradient norms, W estimate and weight fractions on fixed probe batches."""

    def __init__(self, every: int, real: torch.Tensor, z: torch.Tensor, clip: float | None) -> None:
        self.every = every
        self.real, self.z, self.clip = real, z, clip
        self.records: list[dict[str, Any]] = []

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        dev = trainer.device
        real = self.real.to(dev)
        with torch.no_grad():
            fake = trainer.generator(self.z.to(dev))
        norms = np.maximum(layer_gradient_norms(trainer.critic, real, fake), NORM_FLOOR)
        with torch.no_grad():
            w_est = float(trainer.critic(real).mean() - trainer.critic(fake).mean())
        w = critic_weights(trainer.critic)
        bound = self.clip if self.clip is not None else float(np.abs(w).max())
        self.records.append({"iteration": iteration, "norms": norms.tolist(), "w_estimate": w_est,
                             "fraction_at_bounds": fraction_at_bounds(w, bound)})


@lifecycle
def run(
    profile: str = "quick",
    seed: int = 0,
    device: str = "auto",
    out_dir: str | Path | None = None,
    progress: bool = True,
    resume: bool = False,
    precision: str = "fp32",
    **overrides: Any,
) -> Run:
    """Train the deep WGANs of Figure 1b and probe their critics; return the :class:`Run`.

    Writes ``results.json``, ``layer_norms.csv`` (one row per run, probe and layer),
    ``summary.csv`` (one row per run), ``weights.npz`` (all critic weights per run).
    """
    r = start_run(NOTEBOOK, profiles=PROFILES,
                  profile=profile, seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=validate)
    p = r.params
    r.note("No authors' code exists for Figure 1b: width, optimizers and lambda follow PAPER_SPEC.md's reading "
           "(RMSProp 5e-5 for clipping, Adam 1e-4 (0.5, 0.9) with lambda 10 for the penalty); '12-layer' is read "
           "as 12 hidden ReLU layers.")
    if profile != "paper":
        r.note(f"{profile} profile: width {p['width']} (paper reading 512), batch {p['batch_size']} (256), "
               f"{p['iterations']:,} generator iterations.")
    sampler = ToySampler(p["dataset"], seed=seed, device=r.device)
    g_probe = stream(seed, "probe_points")
    probe_real = ToySampler(p["dataset"], seed=seed)(p["probe_size"], g_probe)
    probe_z = torch.randn(p["probe_size"], 2, generator=g_probe)
    clips = [float(c) for c in p["clips"]]
    norm_rows, summary, weights = [], [], {}
    every_n = max(1, p["iterations"] // p["probes"])
    log_every = max(1, p["iterations"] // 1000)  # about 1,000 metric rows per run; fewer host syncs on a GPU
    for name, clip in zip(method_names(clips), clips + [None]):
        torch.manual_seed(seed)
        critic = MLP(2, 1, width=p["width"], hidden=p["hidden"])
        generator = MLP(2, 2, width=p["width"], hidden=p["hidden"])
        cfg = wgan_config("gp" if clip is None else "clip", p, clip=clip, iterations=p["iterations"],
                          batch_size=p["batch_size"], n_critic=p["n_critic"], seed=seed,
                          checkpoint_every=p["checkpoint_every"], log_every=log_every)
        probe = _LayerProbe(every_n, probe_real, probe_z, clip)
        result = Trainer(cfg, critic, generator, sampler, device=r.device, out_dir=r.path(f"runs/{name}"),
                         callbacks=[probe], progress=progress, resume=resume, desc=name).run()
        for rec in probe.records:
            for layer, value in enumerate(rec["norms"], start=1):
                norm_rows.append({"run": name, "iteration": rec["iteration"], "layer": layer, "grad_norm": value})
        final = probe.records[-1]
        norms = np.asarray(final["norms"])
        weights[name] = critic_weights(critic)
        summary.append({
            "run": name, "clip": clip if clip is not None else "", "iterations": result.iterations,
            "train_seconds": round(result.seconds, 2),
            "log10_ratio_first_last": float(np.log10(norms[0] / norms[-1])),
            "log10_norm_spread": float(np.log10(norms.max() / norms.min())),
            "underflow": bool((norms <= NORM_FLOOR).any()),
            "fraction_at_bounds": final["fraction_at_bounds"],
            "max_abs_weight": float(np.abs(weights[name]).max()),
            "w_estimate": final["w_estimate"],
            "log10_ratio_over_training": [float(np.log10(rec["norms"][0] / rec["norms"][-1])) for rec in probe.records],
            "probe_iterations": [rec["iteration"] for rec in probe.records],
        })
    np.savez_compressed(r.path("weights.npz"), **weights)
    r.save_csv("layer_norms", norm_rows)
    r.save_csv("summary", [{k: v for k, v in s.items() if not isinstance(v, list)} for s in summary])
    r.metrics = {"runs": summary}
    r.data = {"norms": norm_rows, "summary": summary, "weights": weights, "clips": clips,
              "histogram_clip": float(p["histogram_clip"])}
    for claim in claims(summary, clips, float(p["histogram_clip"])):
        r.add_claim(claim)
    return r


def claims(summary: list[dict[str, Any]], clips: list[float], histogram_clip: float) -> list[Claim]:
    """Judge the Figure 1b claims from the per-run summary."""
    by = {s["run"]: s for s in summary}
    clip_ratios = {f"{c:g}": by[f"clip_{c:g}"]["log10_ratio_first_last"] for c in clips}
    directions = {c: ("explodes" if by[f"clip_{c:g}"]["log10_ratio_first_last"] > 0 else "vanishes") for c in clips}
    paper_cs = [c for c in clips if c in PAPER_DIRECTIONS]
    matches = sum(directions[c] == PAPER_DIRECTIONS[c] for c in paper_cs)
    gp_ratio = abs(by["gp"]["log10_ratio_first_last"])
    clip_frac = by[f"clip_{histogram_clip:g}"]["fraction_at_bounds"]
    gp_frac = by["gp"]["fraction_at_bounds"]
    out = [
        Claim.compare(
            "fig1b-clip-explode-vanish",
            metric="min over c of |log10(grad norm at layer 1 / at layer 12)|",
            value=min(abs(v) for v in clip_ratios.values()), op=">", threshold=MIN_CLIP_LOG_RATIO, margin=LOG_MARGIN,
            details={"log10_ratio": clip_ratios, "direction": {f"{c:g}": d for c, d in directions.items()}},
        ),
        Claim.compare(
            "fig1b-gp-stable",
            metric="|log10(grad norm at layer 1 / at layer 12)| for the GP critic",
            value=gp_ratio, op="<", threshold=MAX_GP_LOG_RATIO, margin=LOG_MARGIN,
            details={"log10_norm_spread": by["gp"]["log10_norm_spread"]},
        ),
        Claim.compare(
            "fig1b-weights-at-bounds",
            metric=f"fraction of weights within 1% of +-c (c = {histogram_clip:g}) minus the GP critic's fraction "
                   "within 1% of +-max|w|",
            value=clip_frac - gp_frac, op=">", threshold=MIN_BOUND_GAP, margin=BOUND_MARGIN,
            details={"clip_fraction": clip_frac, "gp_fraction": gp_frac},
        ),
    ]
    if paper_cs:
        out.append(Claim.compare(
            "fig1b-directions",
            metric=f"clipping thresholds whose direction matches the paper (of {len(paper_cs)})",
            value=float(matches), op=">=", threshold=float(len(paper_cs)),
            details={"ours": {f"{c:g}": directions[c] for c in paper_cs},
                     "paper": {f"{c:g}": PAPER_DIRECTIONS[c] for c in paper_cs}},
        ))
    return out


def load(out_dir: str | Path) -> dict[str, Any]:
    """Reload a finished run's data for plotting."""
    from gpkit.experiments.base import load_results
    import csv

    out_dir = Path(out_dir)
    res = load_results(out_dir)
    with (out_dir / "layer_norms.csv").open(newline="") as fh:
        norms = [{"run": r["run"], "iteration": int(r["iteration"]), "layer": int(r["layer"]),
                  "grad_norm": float(r["grad_norm"])} for r in csv.DictReader(fh)]
    with np.load(out_dir / "weights.npz") as z:
        weights = {k: z[k] for k in z.files}
    return {"norms": norms, "summary": res["metrics"]["runs"], "weights": weights,
            "clips": [float(c) for c in res["params"]["clips"]], "histogram_clip": float(res["params"]["histogram_clip"])}



def _final_norms(data: dict[str, Any], name: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in data["norms"] if r["run"] == name]
    last = max(r["iteration"] for r in rows)
    rows = sorted((r for r in rows if r["iteration"] == last), key=lambda r: r["layer"])
    return np.array([r["layer"] for r in rows]), np.array([r["grad_norm"] for r in rows])


def _colors(names: list[str]) -> dict[str, Any]:
    import matplotlib

    from gpkit.plots import COLORS

    cmap = matplotlib.colormaps["Oranges"]
    clips = [n for n in names if n != "gp"]
    out = {n: cmap(0.45 + 0.5 * k / max(1, len(clips) - 1)) for k, n in enumerate(clips)}
    out["gp"] = COLORS["gp"]
    return out


def plot_deep_critics(source: Run | dict[str, Any]):
    """Paper layout: gradient norm against layer (left); weight histograms, clipping over GP (right)."""
    import matplotlib.pyplot as plt

    from gpkit.plots import COLORS, style

    data = plot_data(source)
    names = method_names(data["clips"])
    colors = _colors(names)
    hc = data["histogram_clip"]
    with style():
        fig = plt.figure(figsize=(11, 4.2))
        grid = fig.add_gridspec(2, 2, width_ratios=[1.35, 1])
        ax = fig.add_subplot(grid[:, 0])
        for name in names:
            layers, norms = _final_norms(data, name)
            label = "gradient penalty" if name == "gp" else f"weight clipping c = {name.split('_', 1)[1]}"
            ax.semilogy(layers, norms, "o-", color=colors[name], label=label, ms=4)
        ax.set_xlabel("critic layer (1 = next to the input)")
        ax.set_ylabel("||d critic loss / d activations||")
        ax.set_title("Gradient norms through a 12-layer critic (Swiss roll)")
        ax.legend()
        for row, (name, label, color) in enumerate((
            (f"clip_{hc:g}", f"weight clipping (c = {hc:g})", COLORS["clip"]),
            ("gp", "gradient penalty", COLORS["gp"]),
        )):
            axh = fig.add_subplot(grid[row, 1])
            w = data["weights"][name]
            axh.hist(w, bins=60, color=color)
            axh.set_yscale("log")
            axh.set_title(f"critic weights, {label}", fontsize=9)
            if name != "gp":
                for s in (-hc, hc):
                    axh.axvline(s, color="k", lw=0.6, ls=":")
                axh.set_xticks([-hc, 0.0, hc])
        axh.set_xlabel("weight value")
        fig.tight_layout()
    return fig


def plot_training(source: Run | dict[str, Any]):
    """log10(layer-1 / layer-12 gradient norm) over training, one line per run."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    names = method_names(data["clips"])
    colors = _colors(names)
    with style():
        fig, ax = plt.subplots(figsize=(6, 3.6))
        for s in data["summary"]:
            label = "gradient penalty" if s["run"] == "gp" else f"clipping c = {s['run'].split('_', 1)[1]}"
            ax.plot(s["probe_iterations"], s["log10_ratio_over_training"], "o-", ms=3, color=colors[s["run"]], label=label)
        ax.axhline(0, color="k", lw=0.6)
        for y in (MIN_CLIP_LOG_RATIO, -MIN_CLIP_LOG_RATIO):
            ax.axhline(y, color="k", lw=0.5, ls=":")
        ax.set_xlabel("generator iteration")
        ax.set_ylabel("log10(norm at layer 1 / layer 12)")
        ax.set_title("Exploding (> 0) or vanishing (< 0) gradients over training")
        ax.legend(fontsize=8)
        fig.tight_layout()
    return fig
