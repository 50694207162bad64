"""Figure 1a of the WGAN-GP paper: value surfaces of critics trained to optimality on toy data.

For each toy dataset the generator is held fixed at real data plus N(0, I) noise and
only the critic trains: once with weight clipping (RMSProp, c = 0.01), once with the
gradient penalty (Adam, lambda = 10). Beside them we draw the exact optimal critic,
a Kantorovich potential from POT's exact solver on held-out samples, and measure
how far each trained critic is from it:

- *direction agreement*: Proposition 1 says the optimal critic's gradient at a point
  on the segment between a fake point and the real point it is coupled with is the
  unit vector pointing to that real point. We take the exact coupling of 2,000 + 2,000
  held-out samples, points on its segments, and the mean cosine between the
  critic's input gradient and that direction (1 = perfect).
- *gradient-norm CV*: the coefficient of variation of ``||grad D||`` at fake points;
  the optimal critic has unit norm almost everywhere (Corollary 1), so 0 is ideal.
- *W estimate*: ``E_real D - E_fake D`` against the exact W1 (meaningful for the GP
  critic; a clipped critic's scale is set by ``c`` and the architecture).

Claims are judged from these numbers; see :func:`claims`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpkit import methods
from gpkit.data.toy import DATASETS, ToySampler
from gpkit.experiments.base import lifecycle, Claim, Run, plot_data, start_run
from gpkit.metrics.ot import optimal_critic
from gpkit.metrics.probes import critic_values, grid_points, input_gradient_norms
from gpkit.models.toy import toy_critic
from gpkit.params import check_choice, check_int, check_positive, check_range
from gpkit.train import TrainConfig, Trainer
from gpkit.streams import stream

__all__ = ["NOTEBOOK", "validate", "PROFILES", "METHODS", "run", "claims", "plot_value_surfaces", "plot_diagnostics", "load"]

NOTEBOOK = "01_toy_value_surfaces"
METHODS = ("clip", "gp")
METHOD_LABELS = {"clip": "weight clipping", "gp": "gradient penalty", "optimal": "optimal critic (exact OT)"}

_COMMON: dict[str, Any] = dict(
    datasets=list(DATASETS),
    hidden=3,
    batch_size=256,
    clip=0.01,
    clip_lr=5e-5,
    clip_optimizer="rmsprop_tf",
    gp_betas=[0.5, 0.9],
    lam=10.0,
    noise_std=1.0,
    extent=3.0,
)

#: Profiles: ``paper`` follows the reference (``gan_toy.py``: 3x512 ReLU critic,
#: 100,000 generator iterations x 5 critic iterations with the generator fixed);
#: ``quick`` narrows the critic to 256 units, trains 3,000 steps and raises the GP
#: learning rate to 1e-3 so that the critic reaches its plateau on a 2-core CPU.
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "width": 32, "batch_size": 64, "clip_steps": 20, "gp_steps": 20, "gp_lr": 1e-3,
              "n_eval": 200, "grid_size": 24, "snapshots": 2, "checkpoint_every": 0},
    "quick": {**_COMMON, "width": 256, "clip_steps": 3000, "gp_steps": 3000, "gp_lr": 1e-3,
              "n_eval": 2000, "grid_size": 128, "snapshots": 12, "checkpoint_every": 0},
    "paper": {**_COMMON, "width": 512, "clip_steps": 500_000, "gp_steps": 500_000, "gp_lr": 1e-4,
              "n_eval": 2000, "grid_size": 128, "snapshots": 50, "checkpoint_every": 10_000},
}

#: Thresholds of the claims (fixed before looking at results; see the notebook).
MIN_DIRECTION_GAIN = 0.0  # GP's direction agreement minus clipping's, on every dataset
DIRECTION_MARGIN = 0.02
MIN_CV_RATIO = 2.0  # clipping's gradient-norm CV over GP's, on every dataset
CV_MARGIN = 0.25
MAX_W_ERROR = 0.2  # |W estimate / exact W1 - 1| of the GP critic, on every dataset
W_MARGIN = 0.02


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    if not isinstance(p["datasets"], (list, tuple)) or not p["datasets"]:
        raise ValueError(f"datasets must be a non-empty list drawn from {list(DATASETS)}, got {p['datasets']!r}")
    for ds in p["datasets"]:
        check_choice("datasets", ds, DATASETS)
    for key in ("width", "hidden", "batch_size", "clip_steps", "gp_steps", "grid_size"):
        check_int(key, p[key], minimum=1)
    check_int("n_eval", p["n_eval"], minimum=10)
    check_int("snapshots", p["snapshots"], minimum=0)
    check_int("checkpoint_every", p["checkpoint_every"], minimum=0)
    for key in ("clip", "clip_lr", "gp_lr", "extent"):
        check_positive(key, p[key])
    check_positive("lam", p["lam"], allow_zero=True)
    check_positive("noise_std", p["noise_std"])
    check_choice("clip_optimizer", p["clip_optimizer"], ("rmsprop_tf", "rmsprop", "adam"))
    if len(p["gp_betas"]) != 2:
        raise ValueError(f"gp_betas must be a pair, got {p['gp_betas']!r}")
    for b in p["gp_betas"]:
        check_range("gp_betas", b, 0.0, 0.999999)


def _config(p: dict[str, Any], method: str, seed: int) -> TrainConfig:
    common = dict(batch_size=p["batch_size"], n_critic=1, fixed_generator_std=p["noise_std"], seed=seed,
                  log_every=max(1, min(p["clip_steps"], p["gp_steps"]) // 200),
                  checkpoint_every=p["checkpoint_every"])
    if method == "clip":
        return methods.config("wgan", iterations=p["clip_steps"], clip=p["clip"], optimizer=p["clip_optimizer"],
                              lr=p["clip_lr"], **common)
    return methods.config("wgan-gp", iterations=p["gp_steps"], lam=p["lam"], lr=p["gp_lr"],
                          betas=tuple(p["gp_betas"]), **common)


class _Snapshots:
    """Callback: critic values on a coarse grid at regular steps (for the interactive explorer)."""

    def __init__(self, every: int, extent: float, n: int = 64) -> None:
        self.every = every
        self.extent, self.n = extent, n
        self.frames: dict[int, np.ndarray] = {}

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        _, _, pts = grid_points(self.extent, self.n)
        self.frames[iteration] = critic_values(trainer.critic, pts).reshape(self.n, self.n).astype(np.float32)

    def state_dict(self) -> dict[str, Any]:
        its = sorted(self.frames)
        return {"iterations": its, "frames": torch.tensor(np.stack([self.frames[i] for i in its])) if its else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state["frames"] is not None:
            self.frames = {int(i): f.numpy() for i, f in zip(state["iterations"], state["frames"])}


def _direction_agreement(critic: torch.nn.Module, oc, generator: torch.Generator) -> np.ndarray:
    """Cosines between ``grad D`` and the optimal transport direction on coupled segments, one per pair."""
    i, j, _ = oc.transport_pairs()
    real = torch.as_tensor(oc.real[i], dtype=torch.float32)
    fake = torch.as_tensor(oc.fake[j], dtype=torch.float32)
    t = 0.05 + 0.9 * torch.rand(len(i), 1, generator=generator)  # stay off the cone apexes at the ends
    direction = real - fake
    keep = direction.norm(dim=1) > 1e-6
    direction = direction[keep] / direction[keep].norm(dim=1, keepdim=True)
    x = (fake + t * (real - fake))[keep]
    dev = next(critic.parameters()).device
    x = x.to(dev).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    grad = grad.detach().cpu().double()
    cos = (grad * direction.double()).sum(1) / grad.norm(dim=1).clamp_min(1e-30)
    return cos.numpy()


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
    """Train the six critics of Figure 1a (plus evaluate the exact optimal critic); return the :class:`Run`.

    ``overrides`` replace profile fields (see :data:`PROFILES`), e.g. ``width=512``.
    ``resume=True`` continues critics from checkpoints in ``out_dir`` instead of
    starting afresh. Writes ``results.json``, ``critics.csv`` (one row per critic),
    ``curves.csv`` (training curves), ``surfaces.npz`` (grids, samples, snapshots).
    """
    r = start_run(NOTEBOOK, profiles=PROFILES,
                  profile=profile, seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=validate)
    p = r.params
    if profile != "paper":
        r.note(f"{profile} profile: critic width {p['width']} (paper 512), {p['gp_steps']:,} GP and {p['clip_steps']:,} "
               f"clipping steps (reference: 500,000), GP learning rate {p['gp_lr']:g} (paper 1e-4).")
    r.note("Gradient-penalty coefficient lambda = 10 as in the paper's text; the reference toy script defaults to 0.1.")
    xs, ys, grid = grid_points(p["extent"], p["grid_size"])
    arrays: dict[str, np.ndarray] = {"xs": xs, "ys": ys}
    rows, curves = [], []
    for d_index, ds in enumerate(p["datasets"]):
        sampler = ToySampler(ds, seed=seed, device=r.device)
        g_eval = stream(seed, "toy_eval", d_index)
        eval_sampler = sampler if r.device.type == "cpu" else ToySampler(ds, seed=seed)
        real = eval_sampler(p["n_eval"], g_eval).cpu()
        fake = eval_sampler(p["n_eval"], g_eval).cpu() + p["noise_std"] * torch.randn(p["n_eval"], 2, generator=g_eval)
        oc = optimal_critic(real, fake)
        arrays[f"{ds}/real"] = real.numpy()
        arrays[f"{ds}/fake"] = fake.numpy()
        arrays[f"{ds}/optimal"] = oc(grid).reshape(len(ys), len(xs))
        eval_pts = torch.cat((real, fake))
        f_opt = oc(eval_pts)
        for method in METHODS:
            torch.manual_seed(seed)
            critic = toy_critic(width=p["width"], hidden=p["hidden"])
            cfg = _config(p, method, seed)
            snaps = _Snapshots(max(1, cfg.iterations // p["snapshots"]) if p["snapshots"] else 0, p["extent"])
            result = Trainer(cfg, critic, None, sampler, device=r.device, out_dir=r.path(f"critics/{ds}-{method}"),
                             callbacks=[snaps] if p["snapshots"] else [], progress=progress, resume=resume,
                             desc=f"{ds} / {METHOD_LABELS[method]}").run()
            critic.eval()
            values = critic_values(critic, eval_pts)
            w_est = float(values[: len(real)].mean() - values[len(real):].mean())
            norms = input_gradient_norms(critic, fake)
            cos = _direction_agreement(critic, oc, stream(seed, "toy_direction", d_index))
            rows.append({
                "dataset": ds, "method": method, "steps": result.iterations, "train_seconds": round(result.seconds, 2),
                "w_estimate": w_est, "exact_w1": oc.w1, "w_ratio": w_est / oc.w1,
                "grad_norm_mean": float(norms.mean()), "grad_norm_cv": float(norms.std() / norms.mean()),
                "direction_agreement": float(cos.mean()), "direction_agreement_median": float(np.median(cos)),
                "corr_with_optimal": float(np.corrcoef(values, f_opt)[0, 1]),
                "final_critic_loss": result.history[-1]["critic_loss"],
            })
            arrays[f"{ds}/{method}"] = critic_values(critic, grid).reshape(len(ys), len(xs))
            if snaps.frames:
                its = sorted(snaps.frames)
                arrays["snapshot_xs"], arrays["snapshot_ys"], _ = grid_points(snaps.extent, snaps.n)
                arrays[f"{ds}/{method}/snapshot_steps"] = np.array(its)
                arrays[f"{ds}/{method}/snapshots"] = np.stack([snaps.frames[i] for i in its])
            for h in result.history:
                curves.append({"dataset": ds, "method": method, "step": h["iteration"],
                               "w_estimate": -h["critic_objective"], "critic_loss": h["critic_loss"],
                               "penalty": h["penalty"]})
    np.savez_compressed(r.path("surfaces.npz"), **arrays)
    r.save_csv("critics", rows)
    r.save_csv("curves", curves)
    r.metrics = {"critics": rows}
    r.data = {"arrays": arrays, "critics": rows, "curves": curves}
    for claim in claims(rows, p["datasets"]):
        r.add_claim(claim)
    return r


def claims(rows: list[dict[str, Any]], datasets: list[str]) -> list[Claim]:
    """Judge the Figure 1a claims from the per-critic rows of a run."""
    by = {(row["dataset"], row["method"]): row for row in rows}
    gain = {ds: by[ds, "gp"]["direction_agreement"] - by[ds, "clip"]["direction_agreement"] for ds in datasets}
    cv_ratio = {ds: by[ds, "clip"]["grad_norm_cv"] / max(by[ds, "gp"]["grad_norm_cv"], 1e-12) for ds in datasets}
    w_err = {ds: abs(by[ds, "gp"]["w_ratio"] - 1.0) for ds in datasets}
    return [
        Claim.compare(
            "fig1a-higher-moments",
            metric="min over datasets of [GP - clipping] agreement of grad D with the exact optimal-transport "
                   "direction (mean cosine on coupled segments, Prop. 1)",
            value=min(gain.values()), op=">", threshold=MIN_DIRECTION_GAIN, margin=DIRECTION_MARGIN,
            details={"gain_per_dataset": gain,
                     "agreement": {f"{ds}/{m}": by[ds, m]["direction_agreement"] for ds in datasets for m in METHODS}},
        ),
        Claim.compare(
            "fig1a-capacity-underuse",
            metric="min over datasets of CV(||grad D||) at fake points, clipping / GP",
            value=min(cv_ratio.values()), op=">", threshold=MIN_CV_RATIO, margin=CV_MARGIN,
            details={"ratio_per_dataset": cv_ratio,
                     "cv": {f"{ds}/{m}": by[ds, m]["grad_norm_cv"] for ds in datasets for m in METHODS}},
        ),
        Claim.compare(
            "fig1a-optimality",
            metric="max over datasets of |W estimate / exact W1 - 1| for the GP critic",
            value=max(w_err.values()), op="<", threshold=MAX_W_ERROR, margin=W_MARGIN,
            details={"w_ratio": {ds: by[ds, "gp"]["w_ratio"] for ds in datasets}},
        ),
    ]


def load(out_dir: str | Path) -> dict[str, Any]:
    """Reload a finished run's arrays and tables (for plotting without retraining)."""
    import csv

    out_dir = Path(out_dir)
    with np.load(out_dir / "surfaces.npz") as z:
        arrays = {k: z[k] for k in z.files}

    def read(name: str) -> list[dict[str, Any]]:
        with (out_dir / f"{name}.csv").open(newline="") as fh:
            return [{k: _num(v) for k, v in row.items()} for row in csv.DictReader(fh)]

    return {"arrays": arrays, "critics": read("critics"), "curves": read("curves")}


def _num(v: str) -> Any:
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f



def plot_value_surfaces(source: Run | dict[str, Any], levels: int = 20):
    """The paper's layout (rows: clipping, gradient penalty) plus the optimal critic; columns: datasets."""
    import matplotlib.pyplot as plt

    from gpkit.plots import COLORS, style

    data = plot_data(source)
    arrays = data["arrays"]
    datasets = list(dict.fromkeys(row["dataset"] for row in data["critics"]))
    xs, ys = arrays["xs"], arrays["ys"]
    rows = ("clip", "gp", "optimal")
    with style():
        fig, axes = plt.subplots(len(rows), len(datasets), figsize=(3.2 * len(datasets), 3.2 * len(rows)),
                                 squeeze=False, sharex=True, sharey=True)
        for c, ds in enumerate(datasets):
            real = arrays[f"{ds}/real"][:500]
            for r_, kind in enumerate(rows):
                ax = axes[r_, c]
                z = arrays[f"{ds}/{kind}"]
                ax.contourf(xs, ys, z, levels=levels, cmap="viridis", alpha=0.85, rasterized=True)
                ax.contour(xs, ys, z, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
                ax.scatter(real[:, 0], real[:, 1], s=3, c=COLORS["data"], marker="+", linewidths=0.6, rasterized=True)
                ax.set_aspect("equal")
                ax.set_xticks([])
                ax.set_yticks([])
                if r_ == 0:
                    ax.set_title(ds)
                if c == 0:
                    ax.set_ylabel(METHOD_LABELS[kind])
        fig.suptitle("Critic value surfaces (generator fixed at real data + N(0, I)); orange: real data", y=1.0)
        fig.tight_layout()
    return fig


def plot_diagnostics(source: Run | dict[str, Any]):
    """Three panels: training curves (W estimate, normalised), direction agreement, gradient-norm CV."""
    import matplotlib.pyplot as plt

    from gpkit.plots import COLORS, style

    data = plot_data(source)
    critics, curves = data["critics"], data["curves"]
    datasets = list(dict.fromkeys(row["dataset"] for row in critics))
    by = {(row["dataset"], row["method"]): row for row in critics}
    with style():
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
        ax = axes[0]
        for ds, ls in zip(datasets, ("-", "--", ":")):
            for m in METHODS:
                pts = [c for c in curves if c["dataset"] == ds and c["method"] == m]
                steps = np.array([c["step"] for c in pts], dtype=float)
                w = np.array([c["w_estimate"] for c in pts], dtype=float)
                k = max(1, len(w) // 20)
                smooth = np.convolve(w, np.ones(k) / k, mode="valid")
                final = smooth[-1] if smooth[-1] != 0 else 1.0
                ax.plot(steps[k - 1:], smooth / final, ls, color=COLORS[m], lw=1.2, label=f"{ds}, {m}")
        ax.set_xlabel("critic step")
        ax.set_ylabel("W estimate / final value")
        ax.set_title("Training curves reach a plateau")
        ax.set_ylim(-0.2, 1.4)
        ax.legend(fontsize=7, ncol=2)
        x = np.arange(len(datasets))
        for ax, key, title, log in (
            (axes[1], "direction_agreement", "Agreement with optimal transport direction\n(mean cosine, 1 = optimal)", False),
            (axes[2], "grad_norm_cv", "Unevenness of ||grad D|| at fake points\n(CV, 0 = optimal)", True),
        ):
            for k_, m in enumerate(METHODS):
                vals = [by[ds, m][key] for ds in datasets]
                ax.bar(x + (k_ - 0.5) * 0.38, vals, width=0.36, color=COLORS[m], label=METHOD_LABELS[m])
            ax.set_xticks(x, datasets)
            ax.set_title(title)
            if log:
                ax.set_yscale("log")
            ax.legend(fontsize=8)
        fig.tight_layout()
    return fig


# ------------------------------------------------------------------ explorer
def snapshot_index(source: Run | dict[str, Any]) -> dict[tuple[str, str], np.ndarray]:
    """``{(dataset, method): training steps}`` of the value-surface snapshots saved during training."""
    arrays = plot_data(source)["arrays"]
    return {tuple(k.split("/")[:2]): arrays[k] for k in arrays if k.endswith("/snapshot_steps")}


def plot_snapshot(source: Run | dict[str, Any], dataset: str, method: str, step: int, levels: int = 20):
    """One snapshot: the critic's value surface at training ``step`` (left) beside its training curve (right).

    ``step`` must be one of the saved snapshot steps (see :func:`snapshot_index`).
    """
    import matplotlib.pyplot as plt

    from gpkit.plots import COLORS, style

    data = plot_data(source)
    arrays = data["arrays"]
    steps = snapshot_index(source)
    check_choice("dataset and method", (dataset, method), list(steps))
    steps_here = [int(s) for s in steps[dataset, method]]
    check_choice("step", int(step), steps_here)
    frame = arrays[f"{dataset}/{method}/snapshots"][steps_here.index(int(step))]
    n = frame.shape[0]
    if "snapshot_xs" in arrays:
        xs, ys = arrays["snapshot_xs"], arrays["snapshot_ys"]
    else:  # runs made before the grid was stored: same extent as the final surfaces
        xs = np.linspace(float(arrays["xs"][0]), float(arrays["xs"][-1]), n)
        ys = xs
    curve = [c for c in data["curves"] if c["dataset"] == dataset and c["method"] == method]
    with style():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
        ax.contourf(xs, ys, frame, levels=levels, cmap="viridis", alpha=0.85)
        ax.contour(xs, ys, frame, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
        real = arrays[f"{dataset}/real"][:500]
        ax.scatter(real[:, 0], real[:, 1], s=3, c=COLORS["data"], marker="+", linewidths=0.6)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{dataset}, {METHOD_LABELS[method]}: step {int(step):,} of {steps_here[-1]:,}")
        bx.plot([c["step"] for c in curve], [c["w_estimate"] for c in curve], color=COLORS[method], lw=1)
        bx.axvline(int(step), color="k", ls="--", lw=1)
        bx.set_xlabel("critic step")
        bx.set_ylabel("W estimate  E_real D - E_fake D")
        bx.set_title("Training curve (dashed: this snapshot)")
        fig.tight_layout()
    return fig


def explorer(source: Run | dict[str, Any] | str | Path):
    """An ipywidgets explorer of the snapshots: dataset, constraint and training step chosen with widgets.

    ``source`` is a live :class:`Run`, a dict from :func:`load`, or a run folder.
    Returns the widget (a ``VBox``); :func:`show_explorer` displays it only in an interactive session.
    """
    import io

    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    if isinstance(source, (str, Path)):
        source = load(source)
    index = snapshot_index(source)
    if not index:
        raise ValueError("this run saved no snapshots (profile field snapshots = 0); re-run with snapshots > 0")
    datasets = list(dict.fromkeys(ds for ds, _ in index))
    methods = [m for m in METHODS if any(m == mm for _, mm in index)]
    ds_w = widgets.Dropdown(options=datasets, value=datasets[0], description="dataset")
    m_w = widgets.ToggleButtons(options=[(METHOD_LABELS[m], m) for m in methods], value=methods[0],
                                description="constraint")
    step_w = widgets.SelectionSlider(options=[int(s) for s in index[datasets[0], methods[0]]], description="step",
                                     continuous_update=False, layout=widgets.Layout(width="60%"))
    step_w.value = step_w.options[-1]
    # The figure is shown as PNG bytes in an Image widget, not drawn into an ``Output`` widget: nbclient's
    # stand-in for ``Output`` (used by papermill) can lose the cell's reply and hang a batch run (nbclient#312).
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    busy = {"updating": False}  # no redraws while the slider's options are swapped

    def redraw(*_: Any) -> None:
        if busy["updating"]:
            return
        fig = plot_snapshot(source, ds_w.value, m_w.value, step_w.value)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
        image.value = buf.getvalue()

    def new_run(*_: Any) -> None:
        options = [int(s) for s in index[ds_w.value, m_w.value]]
        if list(step_w.options) != options:
            fraction = step_w.index / max(1, len(step_w.options) - 1)
            busy["updating"] = True
            try:
                step_w.options = options
                step_w.index = round(fraction * (len(options) - 1))
            finally:
                busy["updating"] = False
        redraw()

    ds_w.observe(new_run, names="value")
    m_w.observe(new_run, names="value")
    step_w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([ds_w, m_w]), step_w, image])


def show_explorer(source: Run | dict[str, Any] | str | Path) -> Any:
    """Display :func:`explorer` in JupyterLab; in a batch run (papermill, ``gpkit run``) only say where it is.

    Batch runs keep the notebook's static figures and no widget state, so the report
    needs no widget manager. Returns the widget, or None in batch mode.
    """
    from IPython.display import Markdown, display

    from gpkit.utils import interactive_session

    if not interactive_session():
        display(Markdown("*Interactive explorer: open this notebook in JupyterLab to browse the value surfaces "
                         "saved during training (dataset, constraint, training step).*"))
        return None
    widget = explorer(source)
    display(widget)
    return widget
