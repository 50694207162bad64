"""Where runs live: the one owner of the run-folder layout.

``<runs_root>/<profile>/<notebook>/`` holds one notebook run (its ``results.json``, CSVs, figures,
executed notebook, ``run.log`` and checkpoints); a sweep's runs sit below it in ``sweep/<run name>/``;
``<runs_root>/<profile>/reproduce.json`` summarises the last ``gpkit reproduce``. ``runs_root``
defaults to ``<repo>/runs``. Imports neither torch nor NumPy.
"""

from __future__ import annotations

from pathlib import Path

from gpkit.utils import project_root

__all__ = ["data_root", "runs_root", "profile_folder", "run_folder", "sweep_folder", "RESULTS", "LOCK"]

#: The run record's file name inside a run folder.
RESULTS = "results.json"
#: The lock file a live run holds in its folder (pid, host, start time).
LOCK = ".gpkit-run.lock"


def runs_root(root: str | Path | None = None) -> Path:
    """``root``, or ``<repo>/runs`` when None or empty."""
    return Path(root) if root not in (None, "") else project_root() / "runs"


def profile_folder(profile: str, root: str | Path | None = None) -> Path:
    """``<runs_root>/<profile>``: every notebook run at one profile."""
    return runs_root(root) / profile


def run_folder(notebook: str, profile: str, root: str | Path | None = None) -> Path:
    """``<runs_root>/<profile>/<notebook>``: where a notebook run writes unless told otherwise."""
    return profile_folder(profile, root) / notebook


def sweep_folder(notebook: str, profile: str, root: str | Path | None = None) -> Path:
    """``<runs_root>/<profile>/<notebook>/sweep``: a sweep's runs, one sub-folder each."""
    return run_folder(notebook, profile, root) / "sweep"


def data_root(path: str | Path | None = None) -> Path:
    """The datasets folder: ``path``, or ``<repo>/data`` when None or empty (notebooks may run from
    ``notebooks/``)."""
    return Path(path) if path not in (None, "") else project_root() / "data"
