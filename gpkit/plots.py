"""Shared matplotlib style and figure export (PNG for the report, PDF for papers)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["STYLE", "COLORS", "style", "export_figure", "verdict_color"]

#: rcParams applied by :func:`style`: quiet axes, readable sizes, vector-friendly fonts.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "pdf.fonttype": 42,
    "image.cmap": "viridis",
}

#: One colour per method, used by every figure.
COLORS = {
    "clip": "#d95f02",
    "gp": "#1b9e77",
    "optimal": "#7570b3",
    "data": "#e6ab02",
    "fake": "#666666",
}


def verdict_color(verdict: str) -> str:
    """Colour for a verdict in tables and badges."""
    return {"reproduced": "#1b9e77", "not reproduced": "#d95f02", "inconclusive": "#7570b3"}.get(verdict, "#999999")


@contextmanager
def style() -> Iterator[None]:
    """Context manager applying :data:`STYLE`, restoring only those keys afterwards.

    (``plt.rc_context`` also restores the ``backend`` entry; inside a Jupyter kernel
    that resets the inline backend and the next cell's figures were never shown.)
    """
    import matplotlib as mpl

    saved = {key: mpl.rcParams[key] for key in STYLE}
    mpl.rcParams.update(STYLE)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def export_figure(fig, out_dir: str | Path, name: str, formats: Iterable[str] = ("png", "pdf")) -> dict[str, Path]:
    """Save ``fig`` as ``out_dir/name.<fmt>`` for each format; returns ``{fmt: path}``."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"name must be a plain file stem like 'fig1a_value_surfaces', got {name!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in formats:
        path = out_dir / f"{name}.{fmt}"
        tmp = out_dir / f".{name}.tmp.{fmt}"
        fig.savefig(tmp, format=fmt, **({"metadata": {"CreationDate": None}} if fmt == "pdf" else {}))
        tmp.replace(path)
        paths[fmt] = path
    return paths

