"""Sweeps with submitit's local executor: grids, resume, failure isolation, the command line."""

from __future__ import annotations

import json

import nbformat
import pytest

from gpkit import sweep

from conftest import toy_notebook_file

_BODY = '''
import json, pathlib, time
if fail:
    raise RuntimeError(f"run {x} was told to fail")
out = pathlib.Path(out_dir)
out.mkdir(parents=True, exist_ok=True)
(out / "results.json").write_text(json.dumps({"notebook": "toy", "status": "finished", "duration_s": 0.1, "claims": [
    {"id": "toy-claim", "verdict": "reproduced" if x > 1 else "not reproduced"}]}))
'''


@pytest.fixture
def toy_notebook(tmp_path):
    """A notebook that writes a results.json, or fails when told to (papermill parameters cell included)."""
    return toy_notebook_file(tmp_path / "toy_sweep.ipynb", "x = 0\nfail = False", _BODY)


def test_grids_expand_and_load(tmp_path):
    assert sweep.expand_grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    with pytest.raises(ValueError, match="non-empty lists"):
        sweep.expand_grid({"a": []})
    f = tmp_path / "g.json"
    f.write_text(json.dumps({"runs": [{"a": 0}], "grid": {"a": [1, 2]}}))
    assert sweep.load_grid(f) == [{"a": 0}, {"a": 1}, {"a": 2}]
    f.write_text(json.dumps({"a": 1}))
    with pytest.raises(ValueError, match="expected a list"):
        sweep.load_grid(f)
    assert sweep.run_name({"b": 2, "a": "x y"}) == "a=-x-y-_b=2"  # sorted keys, JSON values, safe characters
    long = sweep.run_name({"arch": "x" * 200})
    assert len(long) <= 71 and long == sweep.run_name({"arch": "x" * 200})
    assert sweep.run_name({"a": 1}) != sweep.run_name({"a": 2})


def test_local_sweep_isolates_failures_and_resumes(toy_notebook, tmp_path):
    runs = [{"x": 1}, {"x": 2, "fail": True}, {"x": 3}]
    out = sweep.sweep(str(toy_notebook), runs, profile="smoke", runs_root=tmp_path / "runs", max_parallel=2,
                      timeout_min=5, poll_s=0.5, progress=False)
    assert [r.state for r in out] == ["done", "failed", "done"]
    assert "RuntimeError" in out[1].error and "run 2 was told to fail" in out[1].error
    assert out[0].claims == {"toy-claim": "not reproduced"} and out[2].claims == {"toy-claim": "reproduced"}
    assert all(r.out_dir.parent == tmp_path / "runs" / "smoke" / "toy_sweep" / "sweep" for r in out)
    assert sweep.is_complete(out[0].out_dir) and not sweep.is_complete(out[1].out_dir)
    table = sweep.summary_table(out)
    assert "2 done, 0 skipped, 1 failed" in table and "told to fail" in table

    again = sweep.sweep(str(toy_notebook), [{"x": 1}, {"x": 2}, {"x": 3}], profile="smoke",
                        runs_root=tmp_path / "runs", timeout_min=5, poll_s=0.5, progress=False)
    assert [r.state for r in again] == ["skipped", "done", "skipped"]  # {"x": 2} is a new run (no "fail")


def test_sweep_rejects_bad_options(toy_notebook, tmp_path):
    with pytest.raises(ValueError, match="executor must be one of"):
        sweep.sweep(str(toy_notebook), [{"x": 1}], executor="pbs", runs_root=tmp_path)
    with pytest.raises(ValueError, match="must not set 'out_dir'"):
        sweep.sweep(str(toy_notebook), [{"out_dir": "elsewhere"}], runs_root=tmp_path)
    with pytest.raises(ValueError, match="distinct"):
        sweep.sweep(str(toy_notebook), [{"x": 1}, {"x": 1}], runs_root=tmp_path)
    with pytest.raises(ValueError, match="timeout_min"):
        sweep.sweep(str(toy_notebook), [{"x": 1}], timeout_min=0, runs_root=tmp_path)


def test_sweep_command_line(toy_notebook, tmp_path, capsys):
    from gpkit.cli import main

    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"grid": {"x": [5, 6]}}))
    rc = main(["sweep", str(toy_notebook), "--grid", str(grid), "--profile", "smoke", "--runs-root",
               str(tmp_path / "runs"), "--timeout-min", "5"])
    assert rc == 0
    assert "2 done, 0 skipped, 0 failed" in capsys.readouterr().out


def test_builtin_grids_cover_figure2_and_table2():
    from gpkit.models import zoo

    assert {"fig2-cells", "table2-architectures"} <= set(sweep.builtin_grids())
    cells = sweep.load_grid("fig2-cells")
    assert len(cells) == len(zoo.ARCHITECTURES) * len(zoo.METHODS) == 28
    assert {(c["architectures"][0], c["methods"][0]) for c in cells} == {
        (a, m) for a in zoo.ARCHITECTURES for m in zoo.METHODS}
    table2 = sweep.load_grid("table2-architectures")
    assert table2[0] == {"architectures": ["dcgan"]} and [r["architectures"][0] for r in table2[1:]] == list(range(200))
    assert len({sweep.run_name(r) for r in table2}) == 201  # one folder per run
    with pytest.raises(ValueError, match="built-in grids"):
        sweep.load_grid("fig9-cells")


def test_sweep_then_collect_in_one_command(toy_notebook, tmp_path, capsys):
    from gpkit.cli import main

    book = nbformat.read(toy_notebook, as_version=4)
    book.cells[0].source += "\ncollect_from = None"
    book.cells[1].source += ('\nif collect_from:\n    found = sorted(p.parent.name for p in '
                             'pathlib.Path(collect_from).rglob("results.json"))\n'
                             '    (out / "collected.json").write_text(json.dumps(found))')
    nbformat.write(book, toy_notebook)
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps([{"x": 5}, {"x": 6}]))
    rc = main(["sweep", str(toy_notebook), "--grid", str(grid), "--profile", "smoke", "--runs-root",
               str(tmp_path / "runs"), "--timeout-min", "5", "--collect"])
    assert rc == 0
    collected = tmp_path / "runs" / "smoke" / "toy_sweep" / "collected.json"
    assert json.loads(collected.read_text()) == ["x=5", "x=6"]
    assert "claim toy-claim" in capsys.readouterr().out


def test_collect_needs_a_collecting_notebook_and_a_sweep(toy_notebook, tmp_path):
    with pytest.raises(ValueError, match="takes no collect_from"):
        sweep.collect(str(toy_notebook), profile="smoke", runs_root=tmp_path)
    with pytest.raises(ValueError, match="no sweep to collect"):
        sweep.collect("08", profile="smoke", runs_root=tmp_path)
