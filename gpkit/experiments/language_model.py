"""Table 4: a character-level language model with a continuous generator (notebook ``09_language_model``).

The reference's 1-D CNN generator (:class:`gpkit.models.text.TextGenerator`: softmax per position, no sampling)
is trained against the 1-D CNN critic with WGAN-GP and, for comparison, with the standard (non-saturating) GAN
objective. Both runs are monitored as the reference monitors its run: every ``js_every`` iterations, 640 samples
decoded by argmax and their character n-gram (n = 1..4) Jensen-Shannon divergence to the training lines, in bits.
The same statistic for held-out real lines (the reference's "validation set JSD") gives the scale: it is what a
perfect model of the corpus would score with 640 samples.

Claim (``table4-wgan-gp-beats-gan``): the paper shows samples and says "We were unable to produce comparable results
with the standard GAN objective". We test exactly that: at the end of training WGAN-GP's n-gram JS is below the
standard GAN's for every n = 1..4, by a margin: ``(JS_GAN - JS_WGAN-GP) / (JS_GAN - JS_val) > 0`` for the smallest n
(within :data:`GAP_MARGIN` = 5% of the GAN-to-validation gap: inconclusive, the two are comparable), JS averaged over
the probes of the last fifth of the run. (Until issue 21 the rule asked for more than half of that gap at every n, a
test of our own the paper does not make.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from gpkit.record import prefix_ladder
from gpkit.experiments.base import lifecycle, Claim, Run, plot_data, start_run
from gpkit.experiments.base import data_root as resolve_data_root
from gpkit.params import check_choice, check_int, check_positive

__all__ = ["NOTEBOOK", "validate", "PROFILES", "METHODS", "NGRAMS", "UNK_SHOWN", "readable", "run", "train_config", "final_js", "claims",
           "plot_js_curves", "plot_samples"]

NOTEBOOK = "09_language_model"
METHODS = ("wgan-gp", "gan")
METHOD_LABELS = {"wgan-gp": "WGAN-GP", "gan": "standard GAN", "validation": "held-out real lines"}
NGRAMS = (1, 2, 3, 4)
#: WGAN-GP must close more than this fraction of the gap between the GAN and the validation baseline, for every n.
MIN_GAP_CLOSED = 0.0
GAP_MARGIN = 0.05
#: The final JS is the mean over the probes in the last FINAL_FRACTION of the iterations.
FINAL_FRACTION = 0.2

_COMMON: dict[str, Any] = dict(methods=["wgan-gp", "gan"], seq_len=32, vocab_size=2048, batch_size=64, lam=10.0,
                               lr=1e-4, betas=[0.5, 0.9], gan_n_critic=1, js_samples=640, samples_shown=20)

#: ``paper``: the reference's settings on Billion Word (10M lines, DIM 512, 10 critic steps, 200,000 iterations,
#: JS every 100 iterations). ``quick``: the offline fortunes corpus, DIM 64 and 5 critic steps (the reference
#: notes that 5 "should work fine as well"), 1,500 generator iterations: about 27 minutes on a 2-core CPU (2,000
#: took 35.5 in the 2026-12-06 quick reproduction, where the claim's budget ladder read 0.03, 0.13 and 0.24 at 500,
#: 1,000 and 2,000; cut to make room for notebook 13 in the 90-minute budget).
PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {**_COMMON, "corpus": "fortunes", "max_lines": 2000, "dim": 8, "iterations": 4, "batch_size": 8,
              "n_critic": 2, "js_every": 2, "js_samples": 64, "samples_shown": 5, "checkpoint_every": 2},
    "quick": {**_COMMON, "corpus": "fortunes", "max_lines": None, "dim": 64, "iterations": 1500, "n_critic": 5,
              "js_every": 50, "checkpoint_every": 250},
    "paper": {**_COMMON, "corpus": "billion_word", "max_lines": 10_000_000, "dim": 512, "iterations": 200_000,
              "n_critic": 10, "js_every": 100, "checkpoint_every": 5000},
}


def train_config(method: str, p: dict[str, Any], seed: int = 0):
    """The two trainings as :class:`gpkit.train.TrainConfig`: ``wgan-gp`` (the reference: Adam ``lr``, ``betas``,
    ``n_critic`` critic steps, penalty ``lam`` with the norm over the sequence and vocabulary axes) and ``gan``
    (the non-saturating GAN objective, no penalty, the same Adam, ``gan_n_critic`` discriminator steps)."""
    from gpkit import methods

    check_choice("method", method, METHODS)
    common = dict(iterations=p["iterations"], batch_size=p["batch_size"], optimizer="adam", lr=p["lr"],
                  betas=tuple(p["betas"]), seed=seed, checkpoint_every=p["checkpoint_every"],
                  log_every=max(1, p["js_every"] // 5))
    if method == "wgan-gp":
        return methods.config("wgan-gp", lam=p["lam"], n_critic=p["n_critic"], **common)
    return methods.config("dcgan", n_critic=p["gan_n_critic"], **common)


def final_js(records: Sequence[dict[str, float]], iterations: int) -> dict[int, float]:
    """Mean JS per n over the probes in the last :data:`FINAL_FRACTION` of ``iterations`` (at least the last one)."""
    if not records:
        return {}
    start = iterations * (1.0 - FINAL_FRACTION)
    tail = [r for r in records if r["iteration"] >= start] or [records[-1]]
    return {n: sum(r[f"js{n}"] for r in tail) / len(tail) for n in NGRAMS if f"js{n}" in tail[0]}


def gap_closed(final: dict[str, dict[int, float]], validation: dict[int, float]) -> tuple[float, dict[int, float]]:
    """The smallest, over n, fraction of the GAN-to-validation JS gap WGAN-GP closes, and the fraction per n (NaN
    when a number is missing)."""
    closed: dict[int, float] = {}
    if "wgan-gp" in final and "gan" in final:
        for n in NGRAMS:
            if n in final["gan"] and n in final["wgan-gp"] and n in validation:
                gap = final["gan"][n] - validation[n]
                closed[n] = (final["gan"][n] - final["wgan-gp"][n]) / gap if gap > 0 else float("nan")
    return (min(closed.values()) if len(closed) == len(NGRAMS) else float("nan")), closed



def claims(final: dict[str, dict[int, float]], validation: dict[int, float],
           curves: Sequence[dict[str, Any]] | None = None, iterations: int | None = None) -> list[Claim]:
    """The Table 4 verdict from the final JS of each method (``{"wgan-gp": {n: js}, "gan": {...}}``) and the
    validation baseline ``{n: js}``: the smallest, over n, fraction of the GAN-to-validation gap WGAN-GP closes.
    With the JS ``curves`` (rows ``method, iteration, js1..``) and the run's ``iterations``, the same value at
    :data:`gpkit.record.LADDER_FRACTIONS` of the budget is the claim's ladder."""
    value, closed = gap_closed(final, validation)
    lad = None
    if curves is not None and iterations:  # each rung from the probes of its own last fifth
        lad = prefix_ladder(iterations, lambda b: gap_closed(
            {m: final_js([c for c in curves if c["method"] == m and c["iteration"] <= b], b) for m in final},
            validation)[0], ">", MIN_GAP_CLOSED)
    return [Claim.compare(
        "table4-wgan-gp-beats-gan",
        metric="smallest over n = 1..4 of (JS GAN - JS WGAN-GP) / (JS GAN - JS validation), JS in bits averaged "
               "over the last fifth of training",
        value=value, op=">", threshold=MIN_GAP_CLOSED, margin=GAP_MARGIN,
        details={"gap_closed": closed, "final_js": {m: dict(v) for m, v in final.items()},
                 "validation_js": dict(validation)},
        seeds=1, ladder=lad,
    )]


def validate(p: dict[str, Any]) -> None:
    """Check the resolved profile fields ``p``: ``ValueError`` naming the first bad one."""
    for key in ("seq_len", "vocab_size", "batch_size", "dim", "iterations", "n_critic", "gan_n_critic", "js_every",
                "js_samples", "samples_shown"):
        check_int(key, p[key], minimum=1)
    check_int("checkpoint_every", p["checkpoint_every"], minimum=0)
    check_choice("corpus", p["corpus"], ("billion_word", "fortunes"))
    if p["max_lines"] is not None:
        check_int("max_lines", p["max_lines"], minimum=2 * p["js_samples"])
    for m in p["methods"]:
        check_choice("methods", m, METHODS)
    check_positive("lr", p["lr"])
    check_positive("lam", p["lam"], allow_zero=True)


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
    """Train the continuous-generator language model with each method, monitor n-gram JS, judge the claim."""
    from gpkit.callbacks import TextNgramJS
    from gpkit.data.text import Vocabulary, load_lines
    from gpkit.metrics.ngrams import NgramCounts, ngram_js_curve
    from gpkit.models.text import TextCritic, TextGenerator
    from gpkit.train import Trainer

    r = start_run(NOTEBOOK, profiles=PROFILES, profile=profile,
                  seed=seed, device=device, out_dir=out_dir, progress=progress, overrides=overrides,
                  resume=resume, precision=precision, validate=validate)
    p = r.params
    lines = load_lines(p["corpus"], resolve_data_root(data_root), seq_len=p["seq_len"], max_lines=p["max_lines"],
                       seed=seed)
    if len(lines) < 2 * p["js_samples"]:
        raise ValueError(f"the corpus has {len(lines)} lines; js_samples={p['js_samples']} needs at least twice that")
    held_out, train_lines = lines[: p["js_samples"]], lines[p["js_samples"]:]
    vocab = Vocabulary.build(train_lines, p["vocab_size"])
    codes = vocab.encode(train_lines).to(r.device)
    corpus_counts = {n: NgramCounts.of(train_lines, n) for n in NGRAMS}
    validation = ngram_js_curve(held_out, corpus_counts)
    r.metrics.update(validation_js=validation, vocabulary=len(vocab), train_lines=len(train_lines))
    r.note(f"Corpus: {p['corpus']}, {len(train_lines):,} training lines of {p['seq_len']} characters (and "
           f"{len(held_out)} held out for the validation baseline), vocabulary of {len(vocab)} characters; DIM "
           f"{p['dim']}, {p['iterations']:,} generator iterations, WGAN-GP with {p['n_critic']} critic steps, the "
           f"standard GAN with {p['gan_n_critic']}.")
    if p["corpus"] == "fortunes":
        r.note("The quick profile's corpus is Debian's fortune cookies (sentences), an offline stand-in for the "
               "Billion Word benchmark: JS values are not comparable with the paper's run.")

    def sampler(n: int, rng: torch.Generator) -> torch.Tensor:
        return vocab.one_hot(codes[torch.randint(0, len(codes), (n,), generator=rng, device=r.device)])

    curves, samples = [], {}
    final: dict[str, dict[int, float]] = {}
    for method in p["methods"]:
        torch.manual_seed(seed)
        g = TextGenerator(len(vocab), p["seq_len"], p["dim"])
        d = TextCritic(len(vocab), p["seq_len"], p["dim"])
        probe = TextNgramJS(p["js_every"], corpus_counts, vocab, n_samples=p["js_samples"], seed=seed)
        trainer = Trainer(train_config(method, p, seed), d, g, sampler, device=r.device, out_dir=r.path(method),
                          callbacks=[probe], progress=progress, resume=resume, desc=METHOD_LABELS[method])
        trainer.run()
        curves += [{"method": method, **rec} for rec in probe.records]
        samples[method] = probe.samples
        final[method] = final_js(probe.records, p["iterations"])
        r.metrics[f"{method}_seconds"] = round(trainer.seconds, 1)
    r.metrics["final_js"] = final
    r.save_csv("js_curves", curves, columns=["method", "iteration", "seconds", *(f"js{n}" for n in NGRAMS)])
    r.save_csv("samples", [{"method": m, "sample": s.rstrip("`")} for m, lines_ in samples.items() for s in lines_])
    r.data = {"curves": curves, "samples": samples, "validation": validation, "final": final,
              "real": held_out[: p["samples_shown"]], "samples_shown": p["samples_shown"]}
    if "wgan-gp" in samples:
        shown = [readable(s) for s in samples["wgan-gp"][: p["samples_shown"]]]
        r.add_comparison("table4/samples", shown, dataset=p["corpus"], n=p["samples_shown"],
                         note=f"argmax-decoded, padding removed, {UNK_SHOWN} = a character outside the vocabulary")
    for claim in claims(final, validation, curves, p["iterations"]):
        r.add_claim(claim)
    return r


#: How a sample shows the unknown-character symbol (``gpkit.data.text.UNK``, U+FFFD): U+FFFD reads as a broken
#: encoding in a browser, so the report and figures show this instead.
UNK_SHOWN = "\u25af"


def readable(sample: str) -> str:
    """A decoded sample for display: padding (backticks) removed on the right, unknown characters as
    :data:`UNK_SHOWN`."""
    from gpkit.data.text import UNK

    return sample.rstrip("`").replace(UNK, UNK_SHOWN)


def plot_js_curves(source: Run | dict[str, Any]):
    """JS (bits) of the samples' n-grams to the corpus against generator iterations, one panel per n, both
    methods, with the validation baseline as a dashed line."""
    import matplotlib.pyplot as plt

    from gpkit.plots import COLORS, style

    data = plot_data(source)
    colors = {"wgan-gp": COLORS.get("gp", "#1b9e77"), "gan": "#d95f02"}
    with style():
        fig, axes = plt.subplots(1, len(NGRAMS), figsize=(3.2 * len(NGRAMS), 3.2), sharex=True)
        for ax, n in zip(axes, NGRAMS):
            for method in METHODS:
                rows = [c for c in data["curves"] if c["method"] == method]
                if rows:
                    ax.plot([c["iteration"] for c in rows], [c[f"js{n}"] for c in rows], color=colors[method],
                            label=METHOD_LABELS[method])
            if n in data["validation"]:
                ax.axhline(data["validation"][n], color="#666666", ls="--", lw=1, label=METHOD_LABELS["validation"])
            ax.set_title(f"{n}-grams", fontsize=10)
            ax.set_xlabel("generator iterations")
            ax.set_ylim(bottom=0)
        axes[0].set_ylabel("JS divergence to the corpus (bits)")
        axes[0].legend(fontsize=8)
        fig.tight_layout()
    return fig


def plot_samples(source: Run | dict[str, Any], n: int | None = None):
    """Table 4 as the paper prints it: samples of each method beside real held-out lines (padding removed)."""
    import matplotlib.pyplot as plt

    from gpkit.plots import style

    data = plot_data(source)
    n = n or data.get("samples_shown", 20)
    columns = [(METHOD_LABELS[m], data["samples"][m][:n]) for m in METHODS if m in data["samples"]]
    columns.append((METHOD_LABELS["validation"], data["real"][:n]))
    with style():
        fig, axes = plt.subplots(1, len(columns), figsize=(3.6 * len(columns), 0.22 * n + 0.8))
        for ax, (title, lines) in zip(axes, columns):
            ax.set_title(title, fontsize=10)
            for i, line in enumerate(lines):
                ax.text(0.0, 1.0 - (i + 0.5) / max(n, 1), readable(line), family="monospace", fontsize=8,
                        va="center", transform=ax.transAxes)
            ax.axis("off")
        fig.tight_layout()
    return fig
