"""Vectorised many-seed training (the Many Paths study) against a Python loop over seeds.

:class:`gpkit.vectorised.ManifoldGANs` trains S models as stacked parameters; the loop trains the same
S models one :class:`ManifoldGANs` of one seed at a time (tested to give the same numbers). One unit
is one generator iteration (5 discriminator steps) of all S models, at the quick profile's sizes
(d = 10, batch 32, 32 hidden units). Target: at least 20x for 256 seeds.
"""

from __future__ import annotations

from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.experiments.many_paths import PROFILES, clip_bound
from gpkit.vectorised import ManifoldGANs


def bench_many_seeds(ctx: BenchContext) -> list[BenchResult]:
    p = PROFILES["quick"]
    seeds = list(range(ctx.pick(256, 4)))
    kw = dict(dim=p["fixed_dim"], latent=1, hidden=p["hidden"], batch_size=p["batch_size"], n_critic=p["n_critic"],
              lam=p["lam"], clip=clip_bound(p, p["fixed_lr"]), device=ctx.device)
    results = []
    for objective in ("wgan_gp", "ns_gan"):
        together = ManifoldGANs(objective, seeds, p["fixed_lr"], **kw)
        alone = [ManifoldGANs(objective, [s], p["fixed_lr"], **kw) for s in seeds]

        def loop() -> None:
            for model in alone:
                model.step()
        times = compare({"loop": loop, "vectorised": together.step}, repeats=ctx.repeats, sync=ctx.sync)
        results.append(ratio_result(
            "many_seeds", f"{len(seeds)} seeds, {objective}", times, "loop", "vectorised",
            what="loop over seeds / one vectorised step", target=(">=", 20.0),
            extra={"seeds": len(seeds), "models_steps_per_s_vectorised": len(seeds) / min(times["vectorised"])}))
    return results
