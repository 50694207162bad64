"""Image scores through torch-fidelity: Inception score, FID and KID, or their in-domain classifier twins.

``backbone="inception"``: torch-fidelity's InceptionV3 port of the TensorFlow 2015-12-05 graph, the
network of the paper's Inception scores. Its weights file is taken from a path you give, the
``GPKIT_INCEPTION_WEIGHTS`` environment variable or the torch hub cache; nothing is downloaded.

``backbone="classifier"``: the offline fallback, a small CNN trained by gpkit on the dataset's labels
(:mod:`gpkit.metrics.classifier`), registered with torch-fidelity as ``gpkit-classifier``. Its numbers
are a "classifier score" and a "classifier FID"; they are not comparable with the paper's.

Samples become uint8 as in the reference's Inception-score code (``((x + 1) * (255.99 / 2)).astype('int32')``
for [-1, 1]: truncation, not rounding); real reference images are read as their stored 8-bit values.
Every result carries its protocol: backbone, weights, n, splits, reference split and size,
checkpoint, seed.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gpkit.metrics.classifier import to_uint8
from gpkit.params import check_choice, check_int
from gpkit.utils import make_generator, resolve_device

__all__ = ["BACKBONES", "INCEPTION_WEIGHTS_FILE", "SCORE_NAMES", "to_uint8", "check_value_range", "find_inception_weights",
           "reference_images", "image_scores", "generator_scores", "sample_generator"]

BACKBONES = ("inception", "classifier")
CHECKPOINTS = ("best", "last", None)
INCEPTION_WEIGHTS_FILE = "weights-inception-2015-12-05-6726825d.pth"
INCEPTION_ENV = "GPKIT_INCEPTION_WEIGHTS"
#: What to call the numbers of each backbone in tables and figures.
SCORE_NAMES = {"inception": ("Inception score", "FID"), "classifier": ("classifier score", "classifier FID")}
_EXTRACTOR = "gpkit-classifier"


def find_inception_weights(path: str | Path | None = None) -> Path:
    """The InceptionV3 weights file: ``path``, else ``$GPKIT_INCEPTION_WEIGHTS``, else the torch hub cache.

    Raises ``FileNotFoundError`` saying where to put the file; never downloads.
    """
    hub = Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_WEIGHTS_FILE
    candidates = [Path(p) for p in (path, os.environ.get(INCEPTION_ENV)) if p] + [hub]
    for c in candidates:
        if c.is_file():
            return c
    raise FileNotFoundError(
        f"Inception weights not found (looked at: {', '.join(str(c) for c in candidates)}). Download "
        f"{INCEPTION_WEIGHTS_FILE} on a machine with network access from "
        "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/" + INCEPTION_WEIGHTS_FILE
        + f" and pass its path (weights_path=...), set {INCEPTION_ENV}, or copy it to {hub}. "
        "Without it, use backbone='classifier' (an in-domain classifier score, not an Inception score)."
    )


def _file_tag(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(1 << 20))
    h.update(str(path.stat().st_size).encode())
    return h.hexdigest()[:12]


def _tensor_tag(x: torch.Tensor) -> str:
    return hashlib.blake2b(x.contiguous().cpu().numpy().tobytes(), digest_size=8).hexdigest()


class _UInt8Images(torch.utils.data.Dataset):
    """A uint8 tensor ``(N, C, H, W)`` as the Dataset torch-fidelity reads."""

    def __init__(self, x: torch.Tensor) -> None:
        self.x = x

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.x[i]


def _register_classifier() -> None:
    from torch_fidelity import FeatureExtractorBase, register_feature_extractor
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY

    if _EXTRACTOR in FEATURE_EXTRACTORS_REGISTRY:
        return

    class ClassifierExtractor(FeatureExtractorBase):
        """gpkit's in-domain classifier: features ``features`` (128) and ``logits_unbiased`` (classes)."""

        def __init__(self, name: str, features_list: list[str], feature_extractor_weights_path: str | None = None,
                     **kwargs: Any) -> None:
            super().__init__(name, features_list)
            from gpkit.metrics.classifier import load_classifier

            if feature_extractor_weights_path is None:
                raise ValueError("the gpkit classifier needs feature_extractor_weights_path (its cached file)")
            self.net, _ = load_classifier(feature_extractor_weights_path)

        @staticmethod
        def get_provided_features_list() -> tuple[str, ...]:
            return ("features", "logits_unbiased")

        @staticmethod
        def get_default_feature_layer_for_metric(metric: str) -> str:
            return "logits_unbiased" if metric == "isc" else "features"

        @staticmethod
        def can_be_compiled() -> bool:
            return False

        @staticmethod
        def get_dummy_input_for_compile() -> torch.Tensor:
            return torch.zeros(1, 1, 32, 32, dtype=torch.uint8)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
            feats, logits = self.net.features(x)
            out = {"features": feats, "logits_unbiased": logits}
            return tuple(out[name] for name in self.features_list)

    register_feature_extractor(_EXTRACTOR, ClassifierExtractor)


def reference_images(dataset: str, split: str = "train", *, n: int | None = None, seed: int = 0,
                     root: str | Path = "data", size: int | None = None, pad: int = 0) -> torch.Tensor:
    """Real images as stored, uint8 ``(N, C, H, W)``: a seeded subset of ``n`` (all when None)."""
    from gpkit.data.images import load

    x = load(dataset, root=root, split=split, subset=n, seed=seed, size=size, pad=pad, value_range=(0.0, 255.0))
    return x.round_().to(torch.uint8)


@functools.lru_cache(maxsize=4)
def _reference_set(dataset: str, split: str, n: int | None, seed: int, root: str, size: int | None,
                   pad: int) -> tuple[torch.Tensor, str]:
    """:func:`reference_images` and their content hash, kept for the process: probes score every few
    iterations against the same reference set, which need not be read from disk and hashed each time."""
    real = reference_images(dataset, split, n=n, seed=seed, root=root, size=size, pad=pad)
    return real, _tensor_tag(real)


def check_value_range(images: torch.Tensor, value_range: tuple[float, float]) -> None:
    """Refuse float images whose values contradict ``value_range`` (``ValueError`` naming ``value_range``): values
    far outside it (e.g. 0-255 images scored as (-1, 1)), or, for a range that spans zero, varied images that all
    lie in its upper half (e.g. images in (0, 1) scored as (-1, 1): half the range unused, a wrong score with no
    error). Near-constant images (a collapsed generator) are not judged."""
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")
    lo, hi = float(images.min()), float(images.max())
    span = high - low
    if lo < low - 0.5 * span or hi > high + 0.5 * span:
        raise ValueError(f"value_range={value_range!r} but the images lie in [{lo:.3g}, {hi:.3g}]; pass the range "
                         "they are in (e.g. (0, 255), (0, 1) or (-1, 1))")
    if low < 0 < high and lo >= (low + high) / 2 and float(images.float().std()) > 0.05 * span:
        raise ValueError(f"value_range={value_range!r} but every value lies in [{lo:.3g}, {hi:.3g}], the upper half "
                         "of that range: these look like images in (0, 1) (the loader's default); pass "
                         "value_range=(0, 1) or load them with value_range=(-1, 1)")


def image_scores(
    images: torch.Tensor,
    *,
    dataset: str,
    backbone: str = "inception",
    reference_split: str | None = "train",
    n_reference: int | None = 10_000,
    value_range: tuple[float, float] = (-1.0, 1.0),
    splits: int = 10,
    kid: bool = True,
    root: str | Path | None = None,
    size: int | None = None,
    pad: int = 0,
    weights_path: str | Path | None = None,
    classifier: dict[str, Any] | None = None,
    cache_dir: str | Path | None = None,
    device: str | torch.device = "auto",
    batch_size: int = 200,
    checkpoint: str | None = None,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]:
    """Score images ``(N, C, H, W)`` (float in ``value_range``, or uint8) with torch-fidelity.

    Returns ``is_mean``, ``is_std`` (over ``splits`` splits of the N images), ``fid`` and, with ``kid``,
    ``kid_mean``/``kid_std`` against ``n_reference`` images (seeded subset; None: all) of
    ``reference_split`` (None: no FID/KID), plus the protocol: ``backbone``, ``score_name``, ``fid_name``,
    ``weights``, ``n``, ``splits``, ``reference_split``, ``n_reference``, ``checkpoint``, ``seed`` (and the
    classifier's ``classifier_accuracy`` with that backbone).

    ``size``/``pad``: the geometry the reference images are loaded in (must match the samples, e.g.
    ``pad=2`` for Fashion-MNIST at 32x32). ``classifier``: settings passed to
    :func:`gpkit.metrics.classifier.get_classifier`. ``cache_dir``: torch-fidelity's feature cache (default
    ``<root>/fidelity_cache``), one folder per backbone and weights file, since its cache keys ignore weights.
    """
    import torch_fidelity

    from gpkit.paths import data_root

    check_choice("backbone", backbone, BACKBONES)
    check_choice("checkpoint", checkpoint, CHECKPOINTS)
    splits = check_int("splits", splits, minimum=1)
    if images.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {tuple(images.shape)}")
    n = len(images)
    if n < splits:
        raise ValueError(f"splits={splits} needs at least that many images, got {n}")
    root = data_root(root)
    dev = resolve_device(device)
    if images.dtype != torch.uint8:
        check_value_range(images, value_range)
    fake = images if images.dtype == torch.uint8 else to_uint8(images, value_range)
    out: dict[str, Any] = {"backbone": backbone, "score_name": SCORE_NAMES[backbone][0],
                           "fid_name": SCORE_NAMES[backbone][1], "n": n, "splits": splits,
                           "reference_split": reference_split, "checkpoint": checkpoint, "seed": seed}
    if backbone == "inception":
        weights = find_inception_weights(weights_path)
        extractor, tag = "inception-v3-compat", f"inception-{_file_tag(weights)}"
        if fake.shape[1] == 1:
            fake = fake.expand(-1, 3, -1, -1)
        out["weights"] = weights.name
    else:
        from gpkit.metrics.classifier import get_classifier, load_classifier

        _register_classifier()
        weights = get_classifier(dataset, root, size=size, pad=pad, device=str(dev), progress=progress,
                                 **(classifier or {}))
        extractor, tag = _EXTRACTOR, f"classifier-{weights.stem}"
        _, record = load_classifier(weights)
        out.update(weights=weights.name, classifier_accuracy=record["accuracy"],
                   classifier_held_out=record["held_out"])
    kwargs: dict[str, Any] = dict(
        input1=_UInt8Images(fake.cpu()), isc=True, isc_splits=splits, feature_extractor=extractor,
        feature_extractor_weights_path=str(weights), cuda=dev.type == "cuda", batch_size=batch_size,
        rng_seed=seed, verbose=progress, save_cpu_ram=True,
        cache_root=str(Path(cache_dir or Path(root) / "fidelity_cache") / tag),
    )
    if reference_split is not None:
        real, tag = _reference_set(dataset, reference_split, n_reference, seed, str(Path(root).resolve()), size, pad)
        if backbone == "inception" and real.shape[1] == 1:
            real = real.expand(-1, 3, -1, -1)
        if real.shape[1:] != fake.shape[1:]:
            raise ValueError(f"samples {tuple(fake.shape[1:])} and reference images {tuple(real.shape[1:])} differ "
                             "in shape; pass the size/pad the samples were made at")
        kwargs.update(input2=_UInt8Images(real), fid=True, kid=kid,
                      input2_cache_name=f"{dataset}-{reference_split}-{len(real)}-{tag}")
        if kid:
            kwargs["kid_subset_size"] = min(1000, n, len(real))
        out["n_reference"] = len(real)
    metrics = torch_fidelity.calculate_metrics(**kwargs)
    out["is_mean"] = float(metrics["inception_score_mean"])
    out["is_std"] = float(metrics["inception_score_std"])
    if reference_split is not None:
        out["fid"] = float(metrics["frechet_inception_distance"])
        if kid:
            out["kid_mean"] = float(metrics["kernel_inception_distance_mean"])
            out["kid_std"] = float(metrics["kernel_inception_distance_std"])
    return out


@torch.no_grad()
def sample_generator(generator: nn.Module, n: int, *, num_classes: int = 0, batch_size: int = 100, seed: int = 0,
                     batch_stats: bool = True, device: str | torch.device = "auto") -> torch.Tensor:
    """``n`` samples ``(n, C, H, W)`` on the CPU from ``generator``, latent codes N(0, I) from a seeded generator.

    With ``num_classes`` > 0 the labels are drawn uniformly and passed as ``generator(z, y)`` (sampled here,
    which avoids torch-fidelity's conditional wrapper and its numpy-2 crash). ``batch_stats``: normalise with
    the statistics of each batch of ``batch_size``, as the reference's batch norm does when it samples (the
    running averages are restored afterwards); False: eval mode.
    """
    n = check_int("n", n, minimum=1)
    dev = resolve_device(device)
    rng = make_generator(seed)
    was_training = generator.training
    saved = {k: v.clone() for k, v in generator.state_dict().items() if "running" in k or "num_batches" in k}
    generator.train(batch_stats)
    chunks = []
    try:
        for i in range(0, n, batch_size):
            b = min(batch_size, n - i)
            z = torch.randn(b, generator.latent_dim, generator=rng).to(dev)
            if num_classes:
                y = torch.randint(0, num_classes, (b,), generator=rng).to(dev)
                chunks.append(generator(z, y).cpu())
            else:
                chunks.append(generator(z).cpu())
    finally:
        generator.train(was_training)
        if saved:
            generator.load_state_dict(saved, strict=False)
    return torch.cat(chunks)


def generator_scores(generator: nn.Module, n: int, *, dataset: str, num_classes: int = 0, seed: int = 0,
                     device: str | torch.device = "auto", **kwargs: Any) -> dict[str, Any]:
    """:func:`image_scores` of ``n`` samples of ``generator`` (see :func:`sample_generator`); ``kwargs`` go to
    :func:`image_scores` (backbone, reference_split, value_range, checkpoint, ...)."""
    images = sample_generator(generator, n, num_classes=num_classes, seed=seed, device=device)
    return image_scores(images, dataset=dataset, seed=seed, device=device, **kwargs)
