"""Shared matplotlib style and figure export (PNG for the report, PDF for papers)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

__all__ = ["STYLE", "COLORS", "style", "export_figure", "verdict_color", "grid_figure"]

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
    "clip_adam": "#e7298a",
    "gp": "#1b9e77",
    "gan": "#7570b3",
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



def grid_figure(panels: Sequence[tuple[str, Any]], panel_size: tuple[float, float] = (3.6, 3.8)):
    """One row of titled image grids: ``panels`` are ``(title, (3, H, W) tensor in [0, 1])`` (e.g. from
    :func:`gpkit.models.images.sample_grid`); ``panel_size`` is inches per panel. An empty row when there are none."""
    import matplotlib.pyplot as plt

    n = max(len(panels), 1)
    with style():
        fig, axes = plt.subplots(1, n, figsize=(panel_size[0] * n, panel_size[1]), squeeze=False)
        for ax, (title, grid) in zip(axes[0], panels):
            ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")
            ax.set_title(title, fontsize=9)
        for ax in axes[0]:
            ax.axis("off")
        fig.tight_layout()
    return fig
