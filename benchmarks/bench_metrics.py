"""Metric throughput: gpkit's torch-fidelity path with its feature cache against a plain loop.

gpkit scores samples with :func:`gpkit.metrics.scores.image_scores` (torch-fidelity, batches of 200,
the reference set's features cached on disk after the first call). The baseline evaluates the same
classifier one batch of 50 at a time on the samples *and* the reference images (no cache) and computes
the Inception-style score and FID itself. The quick profile's geometry: Fashion-MNIST at 32x32, the
classifier backbone (Inception weights cannot be obtained here). One unit: scoring ``n`` samples.
"""

from __future__ import annotations

import tempfile

import numpy as np
import scipy.linalg
import torch

from gpkit.bench import BenchContext, BenchResult, compare, ratio_result
from gpkit.paths import data_root
from gpkit.metrics.classifier import get_classifier, load_classifier
from gpkit.metrics.scores import image_scores, reference_images


@torch.no_grad()
def _plain_scores(net: torch.nn.Module, fake: torch.Tensor, real: torch.Tensor, splits: int,
                  batch: int = 50) -> tuple[float, float]:
    """(score, FID) from the classifier, batch by batch, with no cache."""
    def run(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats, logits = zip(*(net.features(x[i:i + batch]) for i in range(0, len(x), batch)))
        return torch.cat(feats).double(), torch.cat(logits).double()
    f_fake, logits = run(fake)
    f_real, _ = run(real)
    p = logits.softmax(dim=1)
    scores = []
    for part in p.chunk(splits):
        py = part.mean(dim=0, keepdim=True)
        scores.append(float((part * (part.log() - py.log())).sum(dim=1).mean().exp()))
    mu1, mu2 = f_fake.mean(0).numpy(), f_real.mean(0).numpy()
    s1, s2 = np.cov(f_fake.numpy(), rowvar=False), np.cov(f_real.numpy(), rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    fid = float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))
    return float(np.mean(scores)), fid


def bench_metrics(ctx: BenchContext) -> list[BenchResult]:
    dataset = ctx.extra.get("dataset", "fashion_mnist")
    root = data_root(ctx.extra.get("data_root"))
    n, n_ref, splits = ctx.pick(5000, 40), ctx.pick(10_000, 40), ctx.pick(10, 2)
    classifier = ctx.pick({}, {"epochs": 1})
    weights = get_classifier(dataset, root, pad=2, device=str(ctx.device), progress=False, **classifier)
    net, _ = load_classifier(weights)
    net = net.to(ctx.device)
    g = torch.Generator().manual_seed(ctx.seed)
    fake = torch.randint(0, 256, (n, 1, 32, 32), generator=g, dtype=torch.uint8)
    real = reference_images(dataset, n=n_ref, seed=ctx.seed, root=root, pad=2)
    with tempfile.TemporaryDirectory() as cache:
        def fidelity() -> None:
            image_scores(fake, dataset=dataset, backbone="classifier", n_reference=n_ref, kid=False, root=root,
                         pad=2, classifier=classifier, cache_dir=cache, device=ctx.device, splits=splits,
                         seed=ctx.seed)

        def plain() -> None:
            _plain_scores(net, fake.to(ctx.device), real.to(ctx.device), splits)

        @torch.no_grad()
        def network() -> None:
            x = fake.to(ctx.device)
            for i in range(0, n, 200):
                net.features(x[i:i + 200])
        times = compare({"plain": plain, "torch-fidelity": fidelity, "network": network}, repeats=ctx.repeats,
                        sync=ctx.sync)
    t = {k: float(np.median(v)) for k, v in times.items()}
    extra = {"samples": n, "reference": n_ref, "images_per_s_torch_fidelity": n / t["torch-fidelity"],
             "images_per_s_plain": (n + n_ref) / t["plain"], "images_per_s_network": n / t["network"]}
    return [
        ratio_result("metrics", f"classifier, {n} samples", times, "plain", "torch-fidelity",
                     what="plain batch loop (no cache) / torch-fidelity with cache", extra=extra,
                     note="IS + FID of n samples against n_ref reference images"),
        ratio_result("metrics", "network only", times, "torch-fidelity", "network",
                     what="torch-fidelity scoring / bare forward passes", extra=extra,
                     note="overhead of torch-fidelity over the classifier's own forward passes"),
    ]
