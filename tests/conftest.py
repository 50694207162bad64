"""Shared fixtures: the notebooks executed once per session at the smoke profile."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory):
    """Run every notebook with papermill at ``profile="smoke"`` into a temporary ``runs/``; returns its root."""
    from gpkit import report

    root = tmp_path_factory.mktemp("runs")
    outcomes = {}
    for nb in report.list_notebooks():
        outcomes[nb.stem] = report.run_notebook(nb, profile="smoke", runs_root=root)
    return root, outcomes
