"""Arithmetic precision of training: ``fp32``, ``bf16`` (autocast) or ``auto``.

``bf16`` runs the critic's and the generator's forward passes, and the penalty's double backward, under
``torch.autocast(dtype=torch.bfloat16)`` on the CPU or a GPU; parameters, optimiser states, the losses and the
gradient norms of the penalty stay float32 (the critic's outputs are cast to float32 before any mean, and the
norm of the input gradient is taken in float32). ``auto`` is ``bf16`` only where the hardware multiplies bf16
natively — an x86 CPU with AMX tiles, a GPU that supports bf16 — and ``fp32`` elsewhere. ``fp32`` is the default
of every profile and what the bit-identity tests use.

The run's precision is set once, by :func:`gpkit.record.start_run` (``precision=`` of every experiment and
notebook), and :func:`gpkit.methods.config` gives it to every training configuration of the run
(:func:`current`); ``results.json`` records the precision used (``precision``) and what ``auto`` chose.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gpkit.params import check_choice

__all__ = ["PRECISIONS", "resolve", "native_bf16", "autocast", "current", "use"]

PRECISIONS = ("fp32", "bf16", "auto")

_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("gpkit_precision", default="fp32")


def _cpu_has_amx() -> bool:
    try:
        import torch

        return bool(torch.cpu._is_amx_tile_supported())  # private, but the check torch itself uses for its kernels
    except (AttributeError, RuntimeError, ImportError):
        pass
    try:
        return "amx_bf16" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def native_bf16(device: Any = "cpu") -> bool:
    """True when ``device`` multiplies bf16 natively: a CUDA GPU that supports bf16, or an x86 CPU with AMX."""
    import torch

    dev = torch.device(device)
    if dev.type == "cuda":
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    return dev.type == "cpu" and _cpu_has_amx()


def resolve(precision: str, device: Any = "cpu") -> str:
    """``fp32`` or ``bf16`` for ``precision`` on ``device`` (``auto``: ``bf16`` where :func:`native_bf16`);
    ``ValueError`` naming ``precision`` for anything else."""
    check_choice("precision", precision, PRECISIONS)
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return precision


def autocast(precision: str, device: Any) -> contextlib.AbstractContextManager:
    """``torch.autocast`` in bfloat16 on ``device``'s type for ``bf16``; a no-op context for ``fp32``."""
    import torch

    check_choice("precision", precision, ("fp32", "bf16"))
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16)


def current() -> str:
    """The precision of the run in progress (``fp32`` outside a run)."""
    return _CURRENT.get()


@contextlib.contextmanager
def use(precision: str) -> Iterator[None]:
    """Make ``precision`` (``fp32``, ``bf16`` or ``auto``) the current one inside the block."""
    check_choice("precision", precision, PRECISIONS)
    token = _CURRENT.set(precision)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def set_current(precision: str) -> None:
    """Make ``precision`` the current one until it is set again (what :func:`gpkit.record.start_run` does for the
    run it starts; :func:`gpkit.record.lifecycle` restores the previous one when the run ends)."""
    check_choice("precision", precision, PRECISIONS)
    _CURRENT.set(precision)
