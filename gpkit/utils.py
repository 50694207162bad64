"""Small shared helpers: devices, seeding, environment capture, atomic writes.

Imports neither torch nor NumPy at module level (each helper that needs them imports them), so the
processes that only start notebooks (``gpkit reproduce``, sweep jobs, ``gpkit run``) skip a second of start-up.
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

__all__ = [
    "project_root",
    "resolve_device",
    "seed_everything",
    "make_generator",
    "environment_info",
    "git_commit",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_torch_save",
    "BATCH_ENV",
    "THREAD_VARS",
    "thread_env",
    "interactive_session",
]

#: Set to ``1`` by :func:`gpkit.report.run_notebook` for the kernels it starts (papermill runs).
BATCH_ENV = "GPKIT_BATCH"
#: Variables that fix the CPU threads of a child process (torch's intra-op pool, OpenMP, MKL, OpenBLAS).
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def thread_env(threads: int) -> dict[str, str]:
    """Environment entries that give a child process ``threads`` CPU threads.

    CPU results depend on the thread count (reductions split differently), so runs that must
    give the same numbers need the same count; ``results.json`` records it (``torch_threads``).
    """
    n = str(max(1, int(threads)))
    return {var: n for var in THREAD_VARS}


def interactive_session() -> bool:
    """True inside a Jupyter kernel that a person drives (JupyterLab, Notebook), False in batch runs.

    Batch runs are the kernels started by ``gpkit run`` / ``make reproduce`` (they set
    ``GPKIT_BATCH=1``) and plain Python processes without a kernel.
    """
    if os.environ.get(BATCH_ENV) == "1":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def project_root() -> Path:
    """The repository root (folder holding ``pyproject.toml`` next to ``gpkit/``), else the cwd."""
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "gpkit").is_dir():
        return here
    return Path.cwd()


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Map ``"auto"`` to CUDA when available, else CPU; validate anything else.

    Raises ``ValueError`` naming ``device`` for unknown strings or an unavailable CUDA.
    """
    import torch

    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available here; use 'auto' or 'cpu'")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    return dev


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch's global generators (model initialisation uses these)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def make_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A dedicated ``torch.Generator`` on ``device`` seeded with ``seed``."""
    import torch

    gen = torch.Generator(device=torch.device(device))
    gen.manual_seed(int(seed))
    return gen


def git_commit(root: Path | None = None) -> str | None:
    """The current git commit of the project (with ``-dirty`` when the tree has changes), or None."""
    root = root or project_root()
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return sha + ("-dirty" if dirty else "")


_LIBRARIES = ("torch", "torchvision", "numpy", "scipy", "pot", "pandas", "matplotlib", "papermill", "nbconvert",
              "torch-fidelity", "submitit")


def environment_info(device: torch.device | str | None = None) -> dict[str, Any]:
    """Versions and hardware that a result depends on (recorded in every ``results.json``)."""
    import importlib.metadata as md

    import numpy as np
    import torch

    def version(pkg: str) -> str | None:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return None

    dev = torch.device(device) if device is not None else None
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pot": version("pot"),
        "gpkit": version("gpkit"),
        "device": str(dev) if dev is not None else None,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "git_commit": git_commit(),
        "libraries": {pkg: version(pkg) for pkg in _LIBRARIES},
    }
    if dev is not None and dev.type == "cuda":
        info["cuda"] = torch.version.cuda
        info["gpu"] = torch.cuda.get_device_name(dev)
    return info


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half-written; mode 0644)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; outputs and data files are meant to be shared
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename (never half-written)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _json_default(obj: Any) -> Any:
    np, torch = sys.modules.get("numpy"), sys.modules.get("torch")  # objects of either imply it is imported
    if np is not None and isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if np is not None and isinstance(obj, np.ndarray):
        return obj.tolist()
    if torch is not None and isinstance(obj, torch.Tensor):
        return obj.detach().cpu().tolist()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (set, tuple)):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def atomic_write_json(path: str | Path, data: Any) -> Path:
    """Atomically write ``data`` as indented JSON (NaN written as ``NaN``, numpy/torch scalars converted)."""
    return atomic_write_text(path, json.dumps(data, indent=2, default=_json_default) + "\n")


def atomic_torch_save(obj: Any, path: str | Path) -> Path:
    """``torch.save`` through a temporary file and a rename."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
