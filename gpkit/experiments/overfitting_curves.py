"""Figure 5b: WGAN critics overfit 1000 MNIST digits (notebook ``05_overfitting_curves``).

WGAN-GP and WGAN with weight clipping train the reference MNIST model on a random
subset of 1000 digits. Every ``eval_every`` generator iterations we average the full
critic loss (with fresh fakes, penalty included) over the whole training subset and
over held-out digits; the paper plots the negative of both. Overfitting shows as the
two curves separating: the critic scores the digits it trains on higher than unseen
ones. With the penalty, the paper also sees the training curve rise while the
validation curve falls.

The negative control is measured in the same run: a second held-out set of ``n_train`` digits (``null``), never
trained on, is probed beside the other two. The gap ``null - validation`` is what the train-validation gap would be
if the critic did not overfit (two sets of unseen digits), and its spread over the probes is the noise the
train-validation gap must rise above.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpkit.callbacks import CriticLoss, SampleGrids
from gpkit.record import ladder, ladder_budgets
from gpkit.experiments.base import lifecycle, Claim, Run, plot_data, read_csv, start_run, wgan_config
from gpkit.experiments.base import data_root as resolve_data_root
from gpkit.models.images import mnist_critic, mnist_generator
from gpkit.params import check_choice, check_int, check_positive, check_range
from gpkit.train import Trainer
from gpkit.streams import stream
from gpkit.utils import make_generator

__all__ = ["NOTEBOOK", "validate", "PROFILES", "METHODS", "run", "claims", "split_data", "plot_overfitting", "plot_samples", "load"]

NOTEBOOK = "05_overfitting_curves"
METHODS = ("gp", "clip")
METHOD_LABELS = {"gp": "WGAN-GP (our method)", "clip": "WGAN with weight clipping"}
VAL_SPLITS = ("heldout", "test")

_COMMON: dict[str, Any] = dict(
    dataset="mnist",
    n_train=1000,
    methods=["gp", "clip"],
    n_critic=5,
    lam=10.0,
    gp_lr=1e-4,
    gp_betas=[0.5, 0.9],
    clip_lr=5e-5,
    clip=0.01,
    samples=64,
)

#: ``paper``: the reference's DIM 64, batch 50, 200,000 iterations; validation on the 10,000 test digits.
#: ``quick``: DIM 16 and 2,000 iterations on the offline 10,000 digits (1000 train, 2000 of the rest held out),
#: about 13 minutes on a 2-core CPU. At DIM 32 a trial run (WGAN-GP, 1,500 iterations, 13 minutes alone) showed
#: the gap opening after about 600 iterations; DIM 16 halves the cost of a step so both methods fit.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "dim": 8, "batch_size": 20, "iterations": 12, "eval_every": 4, "n_train": 60,
              "n_val": 60, "val_split": "heldout", "samples": 16, "checkpoint_every": 0},
    "quick": {**_COMMON, "dim": 16, "batch_size": 50, "iterations": 2000, "eval_every": 100, "n_val": 2000,
              "val_split": "heldout", "checkpoint_every": 500},
    "paper": {**_COMMON, "dim": 64, "batch_size": 50, "iterations": 200_000, "eval_every": 100, "n_val": None,
              "val_split": "test", "checkpoint_every": 10_000},
}

#: Claim thresholds. The gap is (negative critic loss on train) - (on validation) at each probe; the null gap is
#: (on the null set of unseen digits) - (on validation). "Diverge": over the last quarter of the probes the gap
#: exceeds the null gap by more than 3 noise units, the noise unit being the null gap's standard deviation over all
#: probes (how far two unseen sets differ under the evolving critic). Scale-free, so it judges clipping (small
#: losses) and the penalty (order 1) alike. (Until issue 21: Welch's t of the gap's last quarter against its first,
#: which treated the scatter of an autocorrelated, trending series as independent noise.)
MIN_GAP_T = 3.0
GAP_T_MARGIN = 1.0
TREND_MARGIN = 0.01


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    for key in ("dim", "batch_size", "iterations", "eval_every", "n_train", "n_critic", "samples"):
        check_int(key, p[key], minimum=1)
    if p["n_val"] is not None:
        check_int("n_val", p["n_val"], minimum=1)
    check_int("checkpoint_every", p["checkpoint_every"], minimum=0)
    check_choice("val_split", p["val_split"], VAL_SPLITS)
    check_choice("dataset", p["dataset"], ("mnist", "fashion_mnist"))
    if not isinstance(p["methods"], (list, tuple)) or not p["methods"]:
        raise ValueError(f"methods must be a non-empty list drawn from {list(METHODS)}, got {p['methods']!r}")
    for m in p["methods"]:
        check_choice("methods", m, METHODS)
    for key in ("gp_lr", "clip_lr", "clip"):
        check_positive(key, p[key])
    check_positive("lam", p["lam"], allow_zero=True)
    for b in p["gp_betas"]:
        check_range("gp_betas", b, 0.0, 0.999999)


def split_data(p: dict[str, Any], data_root: str | Path,
               seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, str]:
    """The training subset, the validation images and the null set (``n_train`` more unseen digits, the negative
    control), each (N, 1, 28, 28) in [0, 1], and a description.

    ``val_split="heldout"``: one seeded permutation of the train split gives ``n_train`` training digits, then
    ``n_train`` null digits, then ``n_val`` (or all the rest) as validation. ``"test"``: a seeded ``n_train`` subset
    of the train split; from the test split the last ``n_train`` digits are the null set and the first ``n_val`` (or
    all the others) validation. ``ValueError`` when the split holds too few images.
    """
    from gpkit.data.images import load

    n = p["n_train"]
    if p["val_split"] == "test":
        train = load(p["dataset"], root=data_root, split="train", subset=n, seed=seed)
        test = load(p["dataset"], root=data_root, split="test")
        _enough(len(test), n + (p["n_val"] or 1), "n_train (null set) + n_val", p["dataset"], data_root)
        val, null = test[: p["n_val"] or len(test) - n], test[len(test) - n:]
        return train, val, null, (f"{len(train)} train digits (seeded subset), {len(val)} test digits, {len(null)} "
                                  "other test digits as the null set")
    images = load(p["dataset"], root=data_root, split="train")
    _enough(len(images), 2 * n + (p["n_val"] or 1), "2 n_train (training and null sets) + n_val", p["dataset"],
            data_root)
    order = torch.randperm(len(images), generator=make_generator(seed))
    train, null = images[order[:n]], images[order[n: 2 * n]]
    rest = order[2 * n:]
    val = images[rest if p["n_val"] is None else rest[: p["n_val"]]]
    return train, val, null, (f"{len(train)} train digits, {len(val)} held-out digits and {len(null)} other held-out "
                              "digits as the null set, all of the same split")


def _enough(have: int, need: int, what: str, dataset: str, root: str | Path) -> None:
    if have < need:
        raise ValueError(f"{what} = {need} exceeds the {have} images of {dataset!r} found under {root}")


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
    """Train both methods on the subset, probing train and validation critic losses; return the :class:`Run`.

    ``data_root``: the datasets folder (default ``<repo>/data``; see ``data/README.md``).
    Writes ``results.json``, ``losses.csv`` (one row per method and probe), ``train_curve.csv``
    (minibatch critic loss per iteration) and sample grids under ``<out_dir>/<method>/``.
    """
    r = start_run(NOTEBOOK, profiles=PROFILES, profile=profile,
                  seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=validate)
    p = r.params
    data_root = resolve_data_root(data_root)
    train_x, val_x, null_x, described = split_data(p, data_root, seed)
    r.note(f"Data: {p['dataset']} from {data_root}: {described}.")
    r.note("Model: the reference MNIST DCGAN (gan_mnist.py); as there, batch norm in G and D only for weight "
           "clipping, none with the penalty. Real batches are drawn at random with replacement (the reference "
           "cycles through shuffled epochs), and the generator also steps at iteration 0.")
    if profile != "paper":
        r.note(f"{profile} profile: DIM {p['dim']} (paper 64), {p['iterations']:,} generator iterations (200,000), "
               f"validation loss every {p['eval_every']} iterations over {len(val_x)} held-out digits.")
    train_dev = train_x.to(r.device)

    def sampler(n: int, rng: torch.Generator) -> torch.Tensor:
        return train_dev[torch.randint(0, len(train_dev), (n,), generator=rng, device=r.device)]

    z_fixed = torch.randn(p["samples"], 128, generator=stream(seed, "sample_grid"))
    rows, curves, finals = [], [], {}
    for method in p["methods"]:
        torch.manual_seed(seed)
        norm = "batch" if method == "clip" else "none"
        generator, critic = mnist_generator(p["dim"], norm=norm), mnist_critic(p["dim"], norm=norm)
        probe = CriticLoss(p["eval_every"], {"train": train_x, "validation": val_x, "null": null_x}, p["batch_size"],
                           seed=seed)
        grids = SampleGrids(max(1, p["iterations"] // 4), z_fixed, (0.0, 1.0), r.path(f"{method}/samples"))
        cfg = wgan_config(method, p, iterations=p["iterations"], batch_size=p["batch_size"], n_critic=p["n_critic"],
                          seed=seed, checkpoint_every=p["checkpoint_every"])
        result = Trainer(cfg, critic, generator, sampler, device=r.device,
                         out_dir=r.path(method), callbacks=[probe, grids], progress=progress, resume=resume,
                         desc=METHOD_LABELS[method]).run()
        for rec in probe.records:
            rows.append({"method": method, **rec, "train_neg_loss": -rec["train_loss"],
                         "validation_neg_loss": -rec["validation_loss"], "null_neg_loss": -rec["null_loss"]})
        curves += [{"method": method, "iteration": h["iteration"], "neg_critic_loss": -h["critic_loss"]}
                   for h in result.history]
        finals[method] = {"seconds": round(result.seconds, 1), "grids": grids.grids}
    r.save_csv("losses", rows)
    r.save_csv("train_curve", curves)
    summary = summarise(rows, p["methods"])
    for s in summary:
        s["train_seconds"] = finals[s["method"]]["seconds"]
    r.metrics = {"methods": summary}
    r.data = {"losses": rows, "curves": curves, "summary": summary,
              "grids": {m: f["grids"] for m, f in finals.items()}, "real": train_x[: p["samples"]]}
    for claim in claims(summary, rows):
        r.add_claim(claim)
    return r


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y`` against ``x`` (per 1000 iterations); 0 with fewer than two points."""
    if len(x) < 2:
        return 0.0
    return float(np.polyfit(x / 1000.0, y, 1)[0])


def summarise(rows: list[dict[str, Any]], methods: list[str]) -> list[dict[str, Any]]:
    """Per method: the train-validation gap early and late, its growth relative to the training curve's size,
    the late gap against the null gap in noise units (NaN without a null set), and the trends of both curves over
    the second half of training."""
    out = []
    for method in methods:
        rec = [r for r in rows if r["method"] == method]
        its = np.array([r["iteration"] for r in rec], dtype=float)
        tr = np.array([r["train_neg_loss"] for r in rec])
        va = np.array([r["validation_neg_loss"] for r in rec])
        gap = tr - va
        q = max(1, len(rec) // 4)
        half = its >= its[-1] / 2
        # size of the curves at the end of training (the early transient can be many times larger)
        scale = max(float(np.abs(np.concatenate([tr[-q:], va[-q:]])).mean()), 1e-12)
        early, late = gap[:q], gap[-q:]
        gap_early, gap_late = float(early.mean()), float(late.mean())
        null_late, null_sd, excess = float("nan"), float("nan"), float("nan")
        if len(rec) > 1 and all("null_neg_loss" in r for r in rec):
            null_gap = np.array([r["null_neg_loss"] for r in rec]) - va
            null_late, null_sd = float(null_gap[-q:].mean()), float(null_gap.std(ddof=1))
            excess = (gap_late - null_late) / null_sd if null_sd > 0 else float("nan")
        out.append({
            "method": method, "probes": len(rec), "gap_early": gap_early, "gap_late": gap_late,
            "train_scale": scale, "relative_gap_growth": (gap_late - gap_early) / scale,
            "null_gap_late": null_late, "null_gap_sd": null_sd, "gap_over_null": excess,
            "train_slope_second_half": _slope(its[half], tr[half]) / scale,
            "validation_slope_second_half": _slope(its[half], va[half]) / scale,
        })
    return out


#: The budget ladder: each claim's value from the probes up to these fractions of the run's iterations.
def _ladders(rows: list[dict[str, Any]] | None, method: str) -> dict[str, dict[str, Any]] | None:
    """Both claims' values (``gap_over_null``, ``trend``) of ``method`` at the budget ladder's rungs
    (:func:`gpkit.record.ladder_budgets` of the last probe's iteration)."""
    rec = [r for r in rows or [] if r["method"] == method]
    if not rec:
        return None
    budgets = ladder_budgets(max(r["iteration"] for r in rec))
    if budgets is None:
        return None
    sums = [summarise([r for r in rec if r["iteration"] <= b], [method])[0] for b in budgets]
    return {"diverge": ladder(budgets, [s["gap_over_null"] for s in sums], ">", MIN_GAP_T),
            "trend": ladder(budgets, [min(s["train_slope_second_half"], -s["validation_slope_second_half"])
                                      for s in sums], ">", 0.0)}


def claims(summary: list[dict[str, Any]], rows: list[dict[str, Any]] | None = None) -> list[Claim]:
    """Verdicts from the loss curves (thresholds fixed above); with the probe ``rows``, each claim's budget ladder
    (:func:`gpkit.record.ladder_budgets`)."""
    by = {s["method"]: s for s in summary}
    out = []
    for method in METHODS:
        if method not in by:
            continue
        s = by[method]
        lad = _ladders(rows, method)
        out.append(Claim.compare(
            f"fig5b-{method}-train-val-diverge",
            metric="(train - validation) negative critic loss gap minus the null gap (unseen - validation) over the "
                   "last quarter of the probes, in standard deviations of the null gap",
            value=s["gap_over_null"], op=">", threshold=MIN_GAP_T, margin=GAP_T_MARGIN,
            details={"gap_early": s["gap_early"], "gap_late": s["gap_late"], "null_gap_late": s["null_gap_late"],
                     "null_gap_sd": s["null_gap_sd"], "relative_gap_growth": s["relative_gap_growth"]},
            seeds=1, ladder=lad and lad["diverge"],
        ))
    if "gp" in by:
        s = by["gp"]
        out.append(Claim.compare(
            "fig5b-gp-train-rises-val-falls",
            metric="min(train slope, -validation slope) of the negative critic loss over the second half, per 1000 "
                   "iterations, relative to the curves' final level",
            value=min(s["train_slope_second_half"], -s["validation_slope_second_half"]), op=">", threshold=0.0,
            margin=TREND_MARGIN,
            details={"train_slope": s["train_slope_second_half"],
                     "validation_slope": s["validation_slope_second_half"]},
            seeds=1, ladder=(_ladders(rows, "gp") or {}).get("trend"),
        ))
    return out


def load(out_dir: str | Path) -> dict[str, Any]:
    """Reload a finished run's curves for plotting (sample grids from the PNGs are not reloaded)."""
    out_dir = Path(out_dir)

    def read(name: str) -> list[dict[str, Any]]:
        return read_csv(out_dir / f"{name}.csv")

    rows = read("losses")
    methods = list(dict.fromkeys(r["method"] for r in rows))
    return {"losses": rows, "curves": read("train_curve"), "summary": summarise(rows, methods), "grids": {}}


def plot_overfitting(source: Run | dict[str, Any]):
    """The paper's two panels (left: penalty, right: clipping): negative critic loss on the training digits
    and on held-out digits against generator iterations (the thin line is the minibatch training loss); below,
    the gap between the two curves, where overfitting shows even when the curves dwarf it."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    methods = list(dict.fromkeys(r["method"] for r in data["losses"]))
    by = {s["method"]: s for s in data.get("summary", [])}
    with style():
        fig, axes = plt.subplots(2, len(methods), figsize=(5.2 * len(methods), 6.0), squeeze=False,
                                 gridspec_kw={"height_ratios": [1.6, 1]}, sharex="col")
        for col, method in enumerate(methods):
            ax, gx = axes[0, col], axes[1, col]
            rec = [r for r in data["losses"] if r["method"] == method]
            its = np.array([r["iteration"] for r in rec])
            tr = np.array([r["train_neg_loss"] for r in rec])
            va = np.array([r["validation_neg_loss"] for r in rec])
            batch = [c for c in data["curves"] if c["method"] == method]
            if batch:
                k = max(1, len(batch) // 100)
                y = np.convolve([c["neg_critic_loss"] for c in batch], np.ones(k) / k, mode="valid")
                ax.plot([c["iteration"] for c in batch][k - 1:], y, color="#1b9e77", lw=0.6, alpha=0.35,
                        label="train (minibatches, smoothed)")
            ax.plot(its, tr, color="#1b9e77", lw=1.8, label="train (all digits)")
            ax.plot(its, va, color="#d95f02", lw=1.8, label="validation")
            ax.set_ylabel("negative critic loss")
            ax.set_title(METHOD_LABELS[method])
            ax.legend(fontsize=8)
            gx.axhline(0, color="k", lw=0.6)
            gx.plot(its, tr - va, color="#7570b3", lw=1.6, marker="o", ms=2.5, label="train - validation")
            if all("null_neg_loss" in r for r in rec):
                gx.plot(its, np.array([r["null_neg_loss"] for r in rec]) - va, color="#999999", lw=1.2, marker="o",
                        ms=2, label="null: unseen - validation")
                gx.legend(fontsize=7)
            t = by.get(method, {}).get("gap_over_null")
            gx.set_title("gap" + (f"  (late gap - null = {t:.1f} null sd)" if t is not None and np.isfinite(t) else ""),
                         fontsize=9)
            gx.set_xlabel("generator iterations")
            gx.set_ylabel("gap")
        fig.tight_layout()
    return fig


def plot_samples(source: Run | dict[str, Any]):
    """Real training digits beside each method's final samples (fixed latent codes)."""
    from torchvision.utils import make_grid

    from gpkit.plots import grid_figure

    data = plot_data(source)
    panels = [("training digits", make_grid(data["real"], nrow=8, padding=2, pad_value=1.0))]
    panels += [(f"{METHOD_LABELS[m]}, iteration {max(g):,}", g[max(g)]) for m, g in data["grids"].items() if g]
    return grid_figure(panels)
