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
