"""Every notebook runs under papermill at the smoke profile and honours the results contract."""

import json

import nbformat
import pytest

from gpkit import report
from gpkit.experiments.base import VERDICTS

NOTEBOOKS = report.list_notebooks()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_there_are_notebooks():
    assert [nb.stem for nb in NOTEBOOKS][:2] == ["01_toy_value_surfaces", "02_deep_critic_gradients"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean_with_a_parameters_cell(nb):
    book = nbformat.read(nb, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("profile", "seed", "device", "out_dir", "progress"):
        assert f"{name} =" in tagged[0].source
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "commit notebooks without outputs"
    assert book.metadata["kernelspec"]["name"] == "python3"
    import json

    raw = json.loads(nb.read_text())  # nbformat 4.5: every cell has an id (nbformat.read would add a missing one)
    assert all("id" in cell for cell in raw["cells"]), "a cell without an id (nbformat >= 4.5 requires one)"


@pytest.mark.notebook
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_smoke_run_writes_results_and_figures(smoke_runs, nb):
    root, outcomes = smoke_runs
    out = root / "smoke" / nb.stem
    assert outcomes[nb.stem].out_dir == out
    res = json.loads((out / "results.json").read_text())
    assert res["notebook"] == nb.stem and res["profile"] == "smoke"
    assert res["params"] and res["duration_s"] > 0 and res["environment"]["torch"]
    assert res["claims"], "every notebook states claims"
    for claim in res["claims"]:
        assert claim["verdict"] in VERDICTS
        assert isinstance(claim["value"], float)
    assert res["figures"], "every notebook exports figures"
    for files in res["figures"].values():
        assert set(files) == {"png", "pdf"}
        assert (out / files["png"]).read_bytes()[:8] == PNG_MAGIC
        assert (out / files["pdf"]).read_bytes()[:5] == b"%PDF-"
    for name in res["csv"].values():
        assert (out / name).stat().st_size > 0
    executed = nbformat.read(out / nb.name, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'profile = "smoke"' in injected[0].source


@pytest.mark.notebook
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_notebook_shows_every_figure_and_no_widgets(smoke_runs, nb):
    root, _ = smoke_runs
    out = root / "smoke" / nb.stem
    res = json.loads((out / "results.json").read_text())
    executed = nbformat.read(out / nb.name, as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= len(res["figures"]), "every exported figure is also displayed in the notebook"
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), \
        "batch runs carry no widgets"
    assert "widgets" not in executed.metadata or not executed.metadata["widgets"].get(
        "application/vnd.jupyter.widget-state+json", {}).get("state")


@pytest.mark.notebook
def test_toy_explorer_is_a_widget_in_an_interactive_kernel(smoke_runs, tmp_path, monkeypatch):
    """In a kernel that a person drives (no GPKIT_BATCH), the toy notebook's explorer shows widgets."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    from gpkit.utils import BATCH_ENV

    root, _ = smoke_runs
    run_dir = root / "smoke" / "01_toy_value_surfaces"
    monkeypatch.delenv(BATCH_ENV, raising=False)
    book = new_notebook(cells=[new_code_cell(
        "from gpkit.experiments import toy_value_surfaces as fig1a\n"
        f"w = fig1a.show_explorer({str(run_dir)!r})\n"
        "dataset, constraint = w.children[0].children\n"
        "constraint.value = 'gp'; dataset.value = 'swissroll'\n"
        "print(type(w).__name__, dataset.value, constraint.value, w.children[1].value)"
    )])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(book, kernel_name="python3", timeout=300).execute()
    outputs = book.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "VBox swissroll gp" in printed


def test_explorer_follows_the_widgets(tmp_path, monkeypatch):
    import numpy as np
    from matplotlib.figure import Figure

    from gpkit.experiments import toy_value_surfaces as fig1a

    arrays = {"xs": np.linspace(-2, 2, 8), "ys": np.linspace(-2, 2, 8)}
    for ds, steps in (("8gaussians", [0, 5, 10]), ("swissroll", [0, 4, 8, 12, 16])):
        arrays[f"{ds}/real"] = np.zeros((4, 2))
        for m in ("clip", "gp"):
            arrays[f"{ds}/{m}/snapshot_steps"] = np.array(steps)
            arrays[f"{ds}/{m}/snapshots"] = np.random.default_rng(0).normal(size=(len(steps), 8, 8))
    source = {"arrays": arrays, "critics": [], "curves": []}
    drawn = []
    real_plot = fig1a.plot_snapshot
    monkeypatch.setattr(fig1a, "plot_snapshot", lambda src, ds, m, step: drawn.append((ds, m, step)) or Figure())
    w = fig1a.explorer(source)
    dataset, constraint = w.children[0].children
    slider = w.children[1]
    assert drawn[-1] == ("8gaussians", "clip", 10)  # starts at the final snapshot
    constraint.value = "gp"
    assert drawn[-1] == ("8gaussians", "gp", 10)
    dataset.value = "swissroll"
    assert list(slider.options) == [0, 4, 8, 12, 16] and drawn[-1] == ("swissroll", "gp", 16)
    slider.value = 4
    assert drawn[-1] == ("swissroll", "gp", 4)
    with pytest.raises(ValueError, match="step must be one of"):
        real_plot(source, "swissroll", "gp", 3)
    title = real_plot(source, "swissroll", "gp", 12).axes[0].get_title()
    assert title == "swissroll, gradient penalty: step 12 of 16"
