"""The run lifecycle and the defects of issue 19: each test here failed on the code before it.

running -> finished | failed, validation before any file, the run folder's lock, resume that says what it resumed,
parameters that are checked, one-line CLI errors, a report that shows failures, offline smoke data, the explorer
without an Output widget, a score that refuses a contradictory value range.
"""

from __future__ import annotations

import json
import os
import socket

import nbformat
import pytest
import torch

from gpkit import record, report, sweep
from gpkit.experiments import MODULES, module_for
from gpkit.paths import LOCK

from conftest import toy_notebook_file


def _profile(fields=None):
    return {"smoke": dict(fields or {"iterations": 3})}


def _start(tmp_path, **kw):
    return record.start_run("99_test", profiles=_profile(),
                            profile="smoke", device="cpu", out_dir=tmp_path, progress=False, **kw)


# ------------------------------------------------------------------ A. lifecycle
def test_a_run_is_running_then_finished_and_releases_its_lock(tmp_path):
    run = _start(tmp_path)
    res = record.load_results(tmp_path)
    assert res["status"] == "running" and "claims" not in res and "duration_s" not in res
    assert (tmp_path / LOCK).is_file() and record.lock_holder(tmp_path)["pid"] == os.getpid()
    assert not record.is_finished(tmp_path)
    run.finish()
    res = record.load_results(tmp_path)
    assert res["status"] == "finished" and res["claims"] == [] and res["duration_s"] >= 0
    assert not (tmp_path / LOCK).exists() and record.is_finished(tmp_path)


def test_an_experiment_that_raises_is_recorded_as_failed(tmp_path, monkeypatch):
    from gpkit.experiments import deep_critic_gradients as fig1b
    from gpkit.train import Trainer

    def boom(self):
        raise RuntimeError("the data loader died")

    monkeypatch.setattr(Trainer, "run", boom)
    with pytest.raises(RuntimeError, match="data loader died"):
        fig1b.run(profile="smoke", device="cpu", out_dir=tmp_path, progress=False)
    res = record.load_results(tmp_path)
    assert res["status"] == "failed" and "claims" not in res and "duration_s" not in res
    assert res["error"]["type"] == "RuntimeError" and "data loader died" in res["error"]["message"]
    assert "boom" in res["error"]["traceback"]
    assert res["sessions"][-1]["status"] == "failed"
    assert not (tmp_path / LOCK).exists(), "a failed run releases its folder"
    assert not sweep.is_complete(tmp_path), "a failed run is never complete"


def test_an_interrupted_experiment_is_recorded_as_failed(tmp_path, monkeypatch):
    from gpkit.experiments import deep_critic_gradients as fig1b
    from gpkit.train import Trainer

    def interrupt(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "run", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fig1b.run(profile="smoke", device="cpu", out_dir=tmp_path, progress=False)
    res = record.load_results(tmp_path)
    assert res["status"] == "failed" and res["error"]["message"] == "interrupted"


@pytest.mark.parametrize("notebook", sorted(MODULES))
def test_every_parameter_is_validated_before_any_folder_exists(notebook, tmp_path):
    """Defect 2: an unknown override and a bad value of a profile field stop the run before its folder exists."""
    module = module_for(notebook)
    out = tmp_path / "never"
    with pytest.raises(ValueError, match="unknown parameter 'bogus'"):
        module.run(profile="smoke", device="cpu", out_dir=out, progress=False, bogus=1)
    assert not out.exists()
    fields = module.PROFILES["smoke"]
    bad = None
    for name, value in fields.items():
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                module.validate({**fields, name: -7})
            except ValueError as err:
                if name in str(err):
                    bad = name
                    break
    assert bad is not None, "some integer field of the profile is validated"
    with pytest.raises(ValueError, match=bad):
        module.run(profile="smoke", device="cpu", out_dir=out, progress=False, **{bad: -7})
    assert not out.exists(), "a refused parameter leaves no folder behind"
    with pytest.raises(ValueError, match="seed"):
        module.run(profile="smoke", seed=-1, device="cpu", out_dir=out, progress=False)
    assert not out.exists()


def test_a_live_run_holds_its_folder_and_a_stale_lock_does_not(tmp_path):
    run = _start(tmp_path)
    with pytest.raises(record.RunLockedError, match=f"pid {os.getpid()}"):
        _start(tmp_path)
    run.finish()
    # a lock left by a process that is gone (a killed run) is stale: resume takes the folder over
    (tmp_path / LOCK).write_text(json.dumps({"pid": 2 ** 22 + 12345, "host": socket.gethostname(),
                                             "started": "then", "notebook": "99_test", "token": "x"}))
    assert record.lock_holder(tmp_path) is None
    with pytest.warns(UserWarning, match="no checkpoint"):
        _start(tmp_path, resume=True).finish()
    # a lock held by another live process on this host is respected
    (tmp_path / LOCK).write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname(),
                                             "started": "now", "notebook": "99_test", "token": "y"}))
    with pytest.raises(record.RunLockedError, match="in use by a live run"):
        _start(tmp_path)
    with pytest.raises(record.RunLockedError):
        report.run_notebook("02", profile="smoke", out_dir=tmp_path)
    assert not (tmp_path / "02_deep_critic_gradients.ipynb").exists(), "the live run's folder is not touched"


# --------------------------------------------------------------------- 8. resume
def test_resume_with_nothing_to_resume_says_so(tmp_path):
    with pytest.warns(UserWarning, match="holds no checkpoint"):
        run = _start(tmp_path, resume=True)
    assert any("no checkpoint to resume from" in n for n in run.notes)
    run.finish()


def test_a_resumed_run_keeps_its_sessions_and_adds_up_their_duration(tmp_path):
    run = _start(tmp_path)  # killed: never finished, its lock left behind by a process that is gone
    lock = json.loads((tmp_path / LOCK).read_text())
    (tmp_path / LOCK).write_text(json.dumps({**lock, "pid": 2 ** 22 + 54321, "token": "dead"}))
    record._LIVE_TOKENS.clear()
    assert record.run_status(record.load_results(tmp_path), tmp_path) == "interrupted"
    (tmp_path / "checkpoint.pt").write_bytes(b"x")
    again = _start(tmp_path, resume=True)
    assert any(n.startswith("Resumed: continued from 1 saved state") for n in again.notes)
    again.finish()
    res = record.load_results(tmp_path)
    assert [s["status"] for s in res["sessions"]] == ["interrupted", "finished"]
    assert res["sessions"][-1]["resumed"] is True
    del run


def test_resume_of_a_killed_smoke_run_says_it_starts_from_zero(tmp_path):
    """Defect 8: smoke profiles checkpoint only at the end, so a killed run leaves nothing to resume."""
    from gpkit.experiments import deep_critic_gradients as fig1b

    with pytest.warns(UserWarning, match="no checkpoint"):
        run = fig1b.run(profile="smoke", device="cpu", out_dir=tmp_path, progress=False, resume=True)
    assert run.status == "finished" and any("iteration 0" in n for n in run.notes)


# -------------------------------------------------------------------- 1. sweeps
_BODY_FAILS_AFTER_A_RECORD = '''
import json, pathlib
out = pathlib.Path(out_dir)
out.mkdir(parents=True, exist_ok=True)
# the shape the old start_run left: a duration and (empty) claims, written before the run failed
(out / "results.json").write_text(json.dumps({"notebook": "toy", "duration_s": 0.1, "claims": []}))
if x < 0:
    raise ValueError(f"x must be >= 0, got {x}")
(out / "results.json").write_text(json.dumps({"notebook": "toy", "status": "finished", "duration_s": 0.1,
                                              "claims": []}))
'''


@pytest.fixture
def toy_notebook(tmp_path):
    return toy_notebook_file(tmp_path / "toy_fail.ipynb", "x = 0", _BODY_FAILS_AFTER_A_RECORD)


def test_a_failed_sweep_run_is_run_again_not_skipped(toy_notebook, tmp_path):
    """Defect 1: the failed run's folder held a results.json with a duration and claims, and was skipped."""
    runs = [{"x": 3}, {"x": -5}]
    first = sweep.sweep(str(toy_notebook), runs, profile="smoke", runs_root=tmp_path / "runs", max_parallel=1,
                        timeout_min=5, poll_s=0.2, progress=False)
    assert [r.state for r in first] == ["done", "failed"]
    res = record.load_results(first[1].out_dir)
    assert res["status"] == "failed" and "x must be >= 0" in res["error"]["message"]
    again = sweep.sweep(str(toy_notebook), runs, profile="smoke", runs_root=tmp_path / "runs", max_parallel=1,
                        timeout_min=5, poll_s=0.2, progress=False)
    assert [r.state for r in again] == ["skipped", "failed"]
    assert "0 done, 1 skipped, 1 failed" in sweep.summary_table(again)


def test_a_sweep_with_a_bad_parameter_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="iterations must be an integer >= 1, got -5"):
        sweep.sweep("02", [{"iterations": 3}, {"iterations": -5}], profile="smoke", runs_root=tmp_path,
                    progress=False)
    with pytest.raises(ValueError, match="unknown parameter 'bogus'"):
        sweep.sweep("02", [{"bogus": 1}], profile="smoke", runs_root=tmp_path, progress=False)
    assert not any(tmp_path.iterdir()), "nothing was written"


def test_collect_leaves_out_runs_that_did_not_finish(tmp_path):
    for name, status in (("a", "finished"), ("b", "failed"), ("c", "running")):
        d = tmp_path / name
        d.mkdir()
        (d / "results.json").write_text(json.dumps({"status": status, "claims": [], "duration_s": 1.0}))
        (d / "cell_scores.csv").write_text("arch,method,score\n")
    kept, skipped = record.finished_files(tmp_path, "cell_scores.csv")
    assert [p.parent.name for p in kept] == ["a"] and sorted(p.name for p in skipped) == ["b", "c"]


# ------------------------------------------------------------- 6. parameters
def test_unknown_and_mistyped_parameters_stop_the_run_with_the_allowed_names():
    from gpkit.notebook_params import papermill_parameters

    nb = report.resolve_notebook("02")
    with pytest.raises(ValueError, match=r"unknown parameter 'bogus' for 02_deep_critic_gradients.*allowed: .*gp_lr"):
        papermill_parameters(nb, "smoke", {"bogus": 1})
    with pytest.raises(ValueError, match="did you mean 'gp_lr'"):
        papermill_parameters(nb, "smoke", {"gp_rl": 1e-4})
    with pytest.raises(ValueError, match="gp_lr must be a number"):
        papermill_parameters(nb, "smoke", {"gp_lr": "abc"})
    with pytest.raises(ValueError, match="progress must be True or False"):
        papermill_parameters(nb, "smoke", {"progress": "yes"})
    with pytest.raises(ValueError, match="iterations must be an integer >= 1"):
        papermill_parameters(nb, "smoke", {"iterations": -3})
    # a profile field the parameters cell does not declare goes into the notebook's overrides dict
    assert papermill_parameters(nb, "smoke", {"gp_lr": 2e-4, "width": 8}) == {"width": 8,
                                                                             "overrides": {"gp_lr": 2e-4}}
    assert papermill_parameters(nb, "smoke", {"iterations": 4.0}) == {"iterations": 4}


def test_every_notebook_declares_overrides_and_passes_it_on():
    for nb in report.list_notebooks():
        from gpkit.notebook_params import declared_parameters

        assert declared_parameters(nb)["overrides"] is None, nb.stem
        book = nbformat.read(nb, as_version=4)
        assert any("overrides=overrides" in c.source for c in book.cells if c.cell_type == "code"), nb.stem


def test_an_override_reaches_the_run_from_the_command_line(tmp_path):
    from gpkit.cli import main

    rc = main(["run", "02", "--profile", "smoke", "--out-dir", str(tmp_path), "-p", "gp_lr", "3e-4",
               "-p", "iterations", "2"])
    assert rc == 0
    res = record.load_results(tmp_path)
    assert res["status"] == "finished" and res["params"]["gp_lr"] == 3e-4 and res["params"]["iterations"] == 2


@pytest.mark.parametrize("argv, needle", [
    (["run", "99"], "notebook must be one of"),
    (["run", "02", "--profile", "smoke", "-p", "iterations", "-3"], "iterations must be an integer >= 1, got -3"),
    (["run", "02", "--profile", "smoke", "-p", "bogus", "1"], "unknown parameter 'bogus'"),
    (["run", "02", "--profile", "smoke", "-p", "gp_lr", "abc"], "gp_lr must be a number"),
])
def test_cli_errors_are_one_line(argv, needle, capsys, tmp_path):
    from gpkit.cli import main

    assert main([*argv, "--out-dir", str(tmp_path / "x")] if argv[1] != "99" else argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_a_grid_file_with_bad_json_is_one_line(tmp_path, capsys):
    from gpkit.cli import main

    grid = tmp_path / "g.json"
    grid.write_text('[{"iterations": 3},')
    assert main(["sweep", "02", "--grid", str(grid), "--profile", "smoke", "--runs-root", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not valid JSON" in err and str(grid) in err and len(err.splitlines()) == 1


# ------------------------------------------------------------------- 7. report
def test_the_report_shows_a_failed_run_as_failed(tmp_path):
    from gpkit import catalog

    out = tmp_path / "runs" / "smoke" / "08_architecture_zoo"
    out.mkdir(parents=True)
    record.mark_failed(out, "FileNotFoundError: MNIST test split not available", notebook="08_architecture_zoo",
                       profile="smoke")
    index = report.build_report("smoke", runs_root=tmp_path / "runs", report_dir=tmp_path / "report")
    text = index.read_text()
    ids = [c.id for c in catalog.CLAIMS if c.notebook == "08_architecture_zoo"]
    for cid in ids:
        row = text[text.index(f'data-claim-id="{cid}"'):]
        row = row[: row.index("</tr>")]
        assert "run failed" in row and "not run yet" not in row and "MNIST test split" in row
    assert "1 notebook run(s) (1 failed)" in text
    assert "did not finish" in text and "Run failed" in text
    assert "Smoke profile: these verdicts prove nothing" in text


def test_a_failed_cell_after_the_run_marks_the_record_failed(tmp_path):
    run = _start(tmp_path)
    run.finish()
    record.mark_failed(tmp_path, "ValueError: a plot failed", notebook="99_test", profile="smoke")
    res = record.load_results(tmp_path)
    assert res["status"] == "failed" and "claims" not in res and "a plot failed" in res["error"]["message"]


# --------------------------------------------------------------- 3. offline data
def test_smoke_profiles_need_no_test_split_of_mnist():
    """Defect 3: the offline MNIST copy has a training split only; a smoke profile must not ask for the test split."""
    for notebook in MODULES:
        fields = module_for(notebook).PROFILES["smoke"]
        if fields.get("dataset") == "mnist":
            assert fields.get("real_split", "train") == "train", notebook


def test_only_the_quick_reproduction_writes_figures(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(report, "_reproduce_serial", lambda *a, **k: [])
    monkeypatch.setattr(report, "copy_figures", lambda *a, **k: calls.append(a) or [])
    monkeypatch.setattr(report, "build_report", lambda *a, **k: tmp_path / "index.html")
    report.reproduce("smoke", only=["02"], runs_root=tmp_path, jobs=1)
    assert calls == [], "a smoke reproduction leaves figures/ alone"
    report.reproduce("quick", only=["02"], runs_root=tmp_path, jobs=1)
    assert len(calls) == 1
    monkeypatch.undo()
    with pytest.raises(ValueError, match="profile must be 'quick' to write the committed figures/"):
        report.copy_figures("smoke", runs_root=tmp_path)


# ------------------------------------------------------------ 4. the explorer
def test_the_explorer_draws_without_an_output_widget():
    """Defect 4: nbclient's stand-in for ipywidgets.Output can hang a papermill run (nbclient#312)."""
    import ipywidgets as widgets
    import numpy as np

    from gpkit.experiments import toy_value_surfaces as fig1a

    arrays = {"xs": np.linspace(-2, 2, 8), "ys": np.linspace(-2, 2, 8), "8gaussians/real": np.zeros((4, 2))}
    for m in ("clip", "gp"):
        arrays[f"8gaussians/{m}/snapshot_steps"] = np.array([0, 5])
        arrays[f"8gaussians/{m}/snapshots"] = np.random.default_rng(0).normal(size=(2, 8, 8))
    w = fig1a.explorer({"arrays": arrays, "critics": [], "curves": [
        {"dataset": "8gaussians", "method": m, "step": s, "w_estimate": 0.0} for m in ("clip", "gp") for s in (0, 5)]})

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    assert not any(isinstance(x, widgets.Output) for x in walk(w))
    image = w.children[2]
    assert isinstance(image, widgets.Image) and image.value[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------- 5. value range
def test_scores_refuse_images_that_contradict_their_value_range(fake_mnist_root):
    from gpkit.data.images import load
    from gpkit.metrics.scores import check_value_range, image_scores

    images = load("mnist", root=fake_mnist_root, split="train")[:200]  # the loader's default range is (0, 1)
    assert float(images.min()) >= 0.0
    with pytest.raises(ValueError, match=r"value_range=\(-1.0, 1.0\).*upper half.*value_range=\(0, 1\)"):
        image_scores(images, dataset="mnist", backbone="classifier", root=fake_mnist_root, device="cpu")
    check_value_range(images, (0.0, 1.0))
    check_value_range(images * 2 - 1, (-1.0, 1.0))
    check_value_range(torch.full((4, 1, 8, 8), 0.9), (-1.0, 1.0))  # a collapsed (constant) generator is allowed
    with pytest.raises(ValueError, match="value_range"):
        check_value_range(images * 255, (-1.0, 1.0))


# --------------------------------------------------------------- 9. small things
def test_make_lab_runs_as_root():
    from gpkit.utils import project_root

    text = (project_root() / "Makefile").read_text()
    assert "--allow-root" in text and "id -u" in text


def test_language_samples_show_no_replacement_characters():
    from gpkit.data.text import UNK
    from gpkit.experiments.language_model import UNK_SHOWN, readable

    assert readable(f"ab{UNK}c```") == f"ab{UNK_SHOWN}c" and "\ufffd" not in readable(UNK * 3)


def test_figure2_title_counts_the_architectures_once():
    from gpkit.catalog import NOTEBOOK_TITLES
    from gpkit.experiments import architecture_zoo
    from gpkit.models import zoo

    assert len(zoo.ARCHITECTURES) == 7
    assert "seven" in NOTEBOOK_TITLES["08_architecture_zoo"] and "seven" in architecture_zoo.__doc__.split("\n")[0]
    assert "six architectures x" not in NOTEBOOK_TITLES["08_architecture_zoo"]


# ------------------------------------------------------- C. one source of claim text
def test_claim_text_comes_from_the_catalogue_alone():
    from gpkit import catalog

    claim = record.Claim.compare("fig5b-gp-train-val-diverge", metric="t", value=3.0, op=">", threshold=2.0)
    ref = catalog.claim("fig5b-gp-train-val-diverge")
    assert (claim.paper, claim.figure, claim.statement) == (ref.paper, ref.figure, ref.statement)
    with pytest.raises(ValueError, match="claim id must be one of"):
        record.Claim.compare("made-up", metric="m", value=1.0, op=">", threshold=0.0)
    with pytest.raises(TypeError):
        record.Claim.compare("fig1a-optimality", statement="my own words", metric="m", value=1.0, op=">",
                             threshold=0.0)


def test_a_runs_title_paper_and_figure_come_from_the_catalogue(tmp_path):
    from gpkit import catalog
    from gpkit.experiments import deep_critic_gradients as fig1b

    run = fig1b.run(profile="smoke", device="cpu", out_dir=tmp_path, progress=False)
    entry = catalog.notebook("02_deep_critic_gradients")
    assert (run.title, run.paper, run.figure) == (entry.title, entry.paper, entry.figure)
    for c in run.claims:
        ref = catalog.claim(c.id)
        assert (c.statement, c.paper, c.figure) == (ref.statement, ref.paper, ref.figure)
    assert set(catalog.NOTEBOOKS) == set(MODULES)
