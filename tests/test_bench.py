"""The benchmark harness, the benchmarks' baselines, parallel reproduction and the speed table.

No test checks a timing: timings come from a fake clock, and the real benchmarks only run at smoke size
to show that they execute and report well-formed ratios.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import pytest
import torch

from gpkit import bench, htmlreport, report
from gpkit.cli import main as cli_main
from gpkit.penalties import gradient_penalty
from gpkit.utils import project_root, thread_env

BENCH_DIR = project_root() / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import textbook  # noqa: E402  (benchmarks/textbook.py)
from bench_reproduce import bench_reproduce, verdict_changes  # noqa: E402


def _fake_timer(durations):
    """A clock that advances by the given durations, one per timed call (start and stop reads)."""
    t, out = 0.0, []
    for d in durations:
        out += [t, t + d]
        t += d + 1.0
    it = iter(out)
    return lambda: next(it)


# ------------------------------------------------------------------ harness
def test_compare_interleaves_and_rotates_the_order():
    calls = []
    variants = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = bench.compare(variants, repeats=3, warmup=1, timer=_fake_timer([1.0] * 9))
    assert calls[:3] == ["a", "b", "c"]  # warm-up
    assert calls[3:] == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3, "c": 3}


def test_ratio_result_is_the_median_of_paired_ratios():
    times = {"slow": [2.0, 3.0, 10.0, 4.0, 6.0], "fast": [1.0, 1.0, 1.0, 2.0, 2.0]}
    r = bench.ratio_result("b", "case", times, "slow", "fast", what="slow / fast", target=(">=", 2.5), per=2)
    assert r.ratio == pytest.approx(3.0)  # ratios 2, 3, 10, 2, 3
    assert (r.q25, r.q75) == (pytest.approx(2.0), pytest.approx(3.0))
    assert r.passed is True and r.seconds == {"slow": pytest.approx(2.0), "fast": pytest.approx(0.5)}
    assert bench.ratio_result("b", "c", times, "slow", "fast", what="x", target=("<=", 2.5)).passed is False
    assert bench.ratio_result("b", "c", times, "slow", "fast", what="x").passed is None
    again = bench.BenchResult.from_dict(json.loads(json.dumps(r.to_dict())))
    assert again == r


def test_compare_with_the_fake_clock_gives_exact_ratios():
    times = bench.compare({"x": lambda: None, "y": lambda: None}, repeats=2, warmup=0,
                          timer=_fake_timer([3.0, 1.0, 2.0, 6.0]))  # order x y, then y x
    assert times == {"x": [3.0, 6.0], "y": [1.0, 2.0]}
    assert bench.ratio_result("b", "c", times, "x", "y", what="x / y").ratio == pytest.approx(3.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(target=("<", 1.0)), "target op"),
    (dict(numerator="nope"), "variant 'nope'"),
])
def test_ratio_result_rejects_bad_arguments(kwargs, match):
    args = dict(numerator="x", denominator="y", what="w")
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        bench.ratio_result("b", "c", {"x": [1.0], "y": [1.0]}, **args)


def test_compare_rejects_bad_arguments():
    with pytest.raises(ValueError, match="repeats"):
        bench.compare({"a": lambda: None}, repeats=0)
    with pytest.raises(ValueError, match="variants"):
        bench.compare({})


def test_value_result_and_table():
    v = bench.value_result("reproduce", "quick", 95.0, what="wall time", unit="min", target=("<=", 90.0))
    r = bench.ratio_result("algorithm1", "toy", {"a": [3.0], "b": [1.0]}, "a", "b", what="a / b", target=(">=", 1.5))
    assert v.passed is False and r.passed is True
    table = bench.format_table([v, r])
    assert "MISSED" in table and "met" in table and "95.00 min" in table and "3.00" in table
    assert table.splitlines()[1].startswith("---")


def _write_suite(folder: Path) -> None:
    (folder / "_helper.py").write_text("FACTOR = 3.0\n")
    (folder / "bench_good.py").write_text(
        "from _helper import FACTOR\n"
        "from gpkit.bench import ratio_result\n"
        "def bench_good(ctx):\n"
        "    times = {'slow': [FACTOR] * ctx.repeats, 'fast': [1.0] * ctx.repeats}\n"
        "    return [ratio_result('good', 'case', times, 'slow', 'fast', what='slow / fast', target=('>=', 2.0))]\n")
    (folder / "bench_bad.py").write_text("def bench_bad(ctx):\n    raise RuntimeError('broken on purpose')\n")


def test_run_suite_writes_results_and_records_errors(tmp_path, capsys):
    _write_suite(tmp_path)
    assert [n for n, _ in bench.discover(tmp_path)] == ["bad", "good"]
    doc = bench.run_suite(tmp_path, device="cpu", repeats=3)
    written = json.loads((tmp_path / "results.json").read_text())
    assert written["results"] == doc["results"] and len(doc["results"]) == 1
    assert doc["results"][0]["ratio"] == 3.0 and doc["results"][0]["passed"] is True
    assert doc["errors"][0]["benchmark"] == "bad" and "broken on purpose" in doc["errors"][0]["error"]
    assert doc["environment"]["cpu_count"] == os.cpu_count()
    assert "good" in capsys.readouterr().out
    loaded_doc, results = bench.load_results(tmp_path / "results.json")
    assert results[0].ratio == 3.0 and loaded_doc["repeats"] == 3
    with pytest.raises(ValueError, match="only must name"):
        bench.run_suite(tmp_path, only=["missing"])
    smoke = tmp_path / "smoke"
    smoke.mkdir()
    _write_suite(smoke)
    bench.run_suite(smoke, smoke=True, device="cpu")
    assert not (smoke / "results.json").exists()  # a smoke check never overwrites real numbers


def test_run_suite_with_only_keeps_the_other_benchmarks_results(tmp_path, capsys):
    _write_suite(tmp_path)
    (tmp_path / "bench_other.py").write_text(
        "from gpkit.bench import value_result\n"
        "VALUE = 5.0\n"
        "def bench_other(ctx):\n"
        "    return [value_result('other', 'case', VALUE, what='a value', unit='min')]\n")
    first = bench.run_suite(tmp_path, device="cpu", repeats=2, echo=False)
    assert [r["benchmark"] for r in first["results"]] == ["good", "other"]
    good = (tmp_path / "bench_good.py").read_text()
    (tmp_path / "bench_good.py").write_text(good.replace("[FACTOR]", "[4.0]"))  # (_helper stays imported)
    (tmp_path / "bench_other.py").write_text((tmp_path / "bench_other.py").read_text().replace("5.0", "6.0"))
    bench.run_suite(tmp_path, only=["good"], device="cpu", repeats=2, echo=False)
    merged = json.loads((tmp_path / "results.json").read_text())
    by_name = {r["benchmark"]: r for r in merged["results"]}
    assert [r["benchmark"] for r in merged["results"]] == ["good", "other"]  # discovery order kept
    assert by_name["good"]["ratio"] == 4.0 and by_name["other"]["ratio"] == 5.0  # other: the earlier run's
    assert by_name["other"]["measured"] == first["created"] and by_name["good"]["measured"]
    assert [e["benchmark"] for e in merged["errors"]] == ["bad"] and merged["benchmarks_run"] == ["good"]
    # a file from another device is replaced, not merged
    merged["device"] = "cuda:0"
    (tmp_path / "results.json").write_text(json.dumps(merged))
    bench.run_suite(tmp_path, only=["good"], device="cpu", repeats=2, echo=False)
    assert [r["benchmark"] for r in json.loads((tmp_path / "results.json").read_text())["results"]] == ["good"]


def test_starting_notebooks_does_not_import_torch():
    """The processes that only start notebooks (reproduce, sweep jobs, run) skip torch's second of start-up."""
    import subprocess

    code = "import sys, gpkit.cli, gpkit.sweep, gpkit.report, gpkit.utils; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_benchmark_folder_lists_every_benchmark():
    names = [n for n, _ in bench.discover(BENCH_DIR)]
    assert {"penalty_overhead", "algorithm1", "many_seeds", "metrics", "sweep", "reproduce", "gpu", "cost"} <= set(names)


def test_cli_bench_list(capsys):
    assert cli_main(["bench", "--list"]) == 0
    assert "algorithm1" in capsys.readouterr().out


# ---------------------------------------------------------------- baselines
@pytest.mark.parametrize("case", ["toy MLP", "MNIST DCGAN"])
def test_textbook_critic_step_is_the_same_update_as_gpkits(case):
    """The baseline is fair: given the same batch and interpolation weights, its three backward passes give
    the same parameter gradient as gpkit's single backward of the fused loss."""
    from _common import build

    from gpkit.objectives import get

    ctx = bench.BenchContext(device=torch.device("cpu"), smoke=True)
    critic, generator, shape, batch = build(case, ctx)
    g = torch.Generator().manual_seed(1)
    real, fake = torch.randn((batch, *shape), generator=g), torch.randn((batch, *shape), generator=g)
    ours = copy.deepcopy(critic)
    alpha = torch.rand((batch,) + (1,) * len(shape), generator=torch.Generator().manual_seed(7))
    pen = gradient_penalty(ours, real, fake, 10.0, generator=torch.Generator().manual_seed(7))
    out = ours(torch.cat((real, fake)))
    (get("wgan").critic_loss(out[:batch], out[batch:]) + pen).backward()
    tb = textbook.TextbookWGANGP(critic, generator, lambda: None, shape, batch=batch)
    # gpkit interpolates real + a (fake - real); the textbook a' real + (1 - a') fake: a' = 1 - a.
    tb.opt_d.step = lambda: None
    tb.critic_step(real=real, fake=fake, alpha=1 - alpha)
    for p, q in zip(ours.parameters(), critic.parameters()):
        torch.testing.assert_close(q.grad, p.grad, rtol=1e-4, atol=1e-5)


def test_textbook_host_sampling_draws_the_eight_gaussians():
    import random

    import numpy as np

    x = textbook.eight_gaussians_host(4000, random.Random(0), np.random.default_rng(0))
    assert x.shape == (4000, 2) and x.dtype == np.float32
    radius = np.linalg.norm(x, axis=1)
    assert np.allclose(radius.mean(), 2 / 1.414, atol=0.01)
    batches = textbook.epoch_batches(np.arange(10).reshape(10, 1), 3, np.random.default_rng(0))
    epoch = np.concatenate([next(batches) for _ in range(3)]).ravel()
    assert len(set(epoch.tolist())) == 9  # one epoch: no repeats


# ---------------------------------------------------- the real benchmarks (smoke size)
def test_training_benchmarks_run_at_smoke_size():
    doc = bench.run_suite(BENCH_DIR, only=["penalty_overhead", "algorithm1", "many_seeds", "gpu"], smoke=True,
                          device="cpu", echo=False)
    assert not doc["errors"], doc["errors"]
    got = {(r["benchmark"], r["case"]) for r in doc["results"]}
    assert {("penalty_overhead", c) for c in ("toy MLP", "MNIST DCGAN", "CIFAR DCGAN")} <= got
    assert {("algorithm1", "toy MLP"), ("algorithm1", "MNIST DCGAN")} <= got
    assert {("algorithm1", "toy MLP: loop bookkeeping"), ("penalty_overhead", "toy MLP: activation fast path")} <= got
    assert {r["benchmark"] for r in doc["results"]} == {"penalty_overhead", "algorithm1", "many_seeds"}  # no GPU
    for r in doc["results"]:
        assert r["ratio"] > 0 and r["q25"] <= r["ratio"] <= r["q75"] and r["repeats"] == 2
        if r["target"] is not None:
            assert r["passed"] in (True, False)
    flops = {(r["benchmark"], r["case"]): r["extra"].get("flop_ratio") for r in doc["results"]}
    assert flops[("penalty_overhead", "toy MLP: activation fast path")] > 1.0  # PyTorch's ReLU does more work
    assert flops[("algorithm1", "toy MLP")] > flops[("algorithm1", "toy MLP: loop bookkeeping")] >= 1.0


def test_cost_benchmark_counts_exactly_what_the_paper_batch_would():
    """Every counted operation is linear in the batch, so a small-batch count scales exactly to the paper's."""
    from bench_cost import _experiments, _iteration, bench_cost

    ctx = bench.BenchContext(device=torch.device("cpu"), smoke=True)
    fig4 = next(e for e in _experiments(sample=1) if e.notebook == "05")
    gp = next(r for r in fig4.runs if r.label == "gp")
    small, _ = _iteration(gp, 2, ctx, timed=False)
    full, _ = _iteration(gp, gp.config.batch_size, ctx, timed=False)
    assert small * gp.config.batch_size / 2 == full
    (r,) = bench_cost(ctx)
    assert r.unit == "PFLOP" and r.extra["gflop_per_run_iteration"]["gp"] * 1e9 == full
    assert r.ratio == pytest.approx(full * fig4.iterations / 1e15)
    assert {e.notebook for e in _experiments(sample=1)} == {"03", "04", "05", "06", "07", "08", "09", "13"}


def test_metric_benchmark_runs_on_generated_mnist(fake_mnist_root):
    doc = bench.run_suite(BENCH_DIR, only=["metrics"], smoke=True, device="cpu", echo=False,
                          extra={"dataset": "mnist", "data_root": str(fake_mnist_root)})
    assert not doc["errors"], doc["errors"]
    first = doc["results"][0]
    assert first["numerator"] == "plain" and first["extra"]["images_per_s_torch_fidelity"] > 0


def test_sweep_benchmark_runs_two_smoke_runs():
    doc = bench.run_suite(BENCH_DIR, only=["sweep"], smoke=True, device="cpu", echo=False)
    assert not doc["errors"], doc["errors"]
    (r,) = doc["results"]
    assert r["extra"]["runs"] == 2 and r["target"][0] == ">="


# ------------------------------------------------------------- reproduction
def _summary(root: Path, verdicts: dict[str, str], all_notebooks: bool = True) -> None:
    (root / "quick").mkdir(parents=True, exist_ok=True)
    (root / "quick" / report.REPRODUCE_SUMMARY).write_text(json.dumps({
        "profile": "quick", "started": "2026-01-01T00:00:00", "wall_seconds": 80 * 60.0, "jobs": 2,
        "threads_per_job": 1, "all_notebooks": all_notebooks, "verdicts": verdicts,
        "notebooks": [{"notebook": "01_toy_value_surfaces", "seconds": 120.0, "ok": True, "error": None}]}))


def test_reproduce_benchmark_reads_the_summary_and_flags_changed_verdicts(tmp_path):
    baseline = json.loads((BENCH_DIR / "verdicts_quick.json").read_text())["verdicts"]
    ctx = bench.BenchContext(device=torch.device("cpu"), extra={"runs_root": str(tmp_path)})
    assert bench_reproduce(ctx) == []  # nothing run yet
    _summary(tmp_path, dict(baseline))
    (r,) = bench_reproduce(ctx)
    assert r.ratio == pytest.approx(80.0) and r.unit == "min" and r.passed is True
    assert r.extra["minutes_per_notebook"] == {"01": 2.0} and r.extra["verdict_changes"] == {}
    changed = dict(baseline, **{"fig1a-optimality": "not reproduced"})
    _summary(tmp_path, changed)
    (r,) = bench_reproduce(ctx)
    assert r.passed is False and r.extra["verdict_changes"] == {"fig1a-optimality": ["reproduced", "not reproduced"]}
    _summary(tmp_path, dict(baseline), all_notebooks=False)
    assert bench_reproduce(ctx) == []
    assert verdict_changes({}, {"a": "reproduced"}) == {"a": ["reproduced", "missing"]}


def test_baseline_verdicts_cover_every_catalogued_claim():
    from gpkit import catalog

    baseline = json.loads((BENCH_DIR / "verdicts_quick.json").read_text())["verdicts"]
    assert set(baseline) == {c.id for c in catalog.CLAIMS}


def test_parallel_reproduce_runs_notebooks_in_processes_with_fewer_threads(tmp_path):
    outcomes = report.reproduce("smoke", only=["01", "02"], runs_root=tmp_path / "runs", jobs=2,
                                figures_dir=tmp_path / "fig", report_dir=tmp_path / "rep")
    assert [o.notebook for o in outcomes] == ["01_toy_value_surfaces", "02_deep_critic_gradients"]
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    expected = max(1, (os.cpu_count() or 1) // 2)
    for o in outcomes:
        res = json.loads((o.out_dir / "results.json").read_text())
        assert res["environment"]["torch_threads"] == expected
        assert (o.out_dir / "run.log").stat().st_size > 0
    summary = json.loads((tmp_path / "runs" / "smoke" / report.REPRODUCE_SUMMARY).read_text())
    assert summary["jobs"] == 2 and summary["all_notebooks"] is False
    assert summary["verdicts"] and set(summary["verdicts"].values()) <= {"reproduced", "not reproduced", "inconclusive"}
    assert report.previous_seconds(outcomes[0].out_dir) > 0
    assert (tmp_path / "rep" / "index.html").is_file()


def test_parallel_reproduce_reports_a_failing_notebook(tmp_path, monkeypatch):
    def failing(nb, profile, out, parameters=None):
        if nb.stem.startswith("01"):
            return [sys.executable, "-c", "import sys; print('boom on purpose'); sys.exit(3)"]
        return [sys.executable, "-c", "pass"]
    monkeypatch.setattr(report, "_child_command", failing)
    outcomes = report.reproduce("smoke", only=["01", "02"], runs_root=tmp_path / "runs", jobs=2,
                                figures_dir=tmp_path / "fig", report_dir=tmp_path / "rep")
    assert not outcomes[0].ok and "exit status 3" in outcomes[0].error and "boom on purpose" in outcomes[0].error
    assert outcomes[1].ok


def test_expected_seconds_fall_back_to_the_committed_quick_reproduction(tmp_path, monkeypatch):
    """A fresh clone has no runs yet; the committed benchmark still lets it start the longest notebooks first."""
    (tmp_path / "benchmarks").mkdir()
    minutes = {"01": 2.5, "08": 25.0}
    (tmp_path / "benchmarks" / "results.json").write_text(json.dumps({"results": [
        {"benchmark": "reproduce", "extra": {"minutes_per_notebook": minutes}}]}))
    monkeypatch.setattr(report, "project_root", lambda: tmp_path)
    nb01, nb08, nb03 = (Path(f"{n}.ipynb") for n in ("01_toy_value_surfaces", "08_architecture_zoo", "03_x"))
    runs = tmp_path / "runs"
    assert report.expected_seconds(nb08, "quick", runs) == 1500.0
    assert report.expected_seconds(nb03, "quick", runs) is None  # not measured
    assert report.expected_seconds(nb08, "paper", runs) is None  # committed numbers are the quick profile's
    out = runs / "quick" / nb01.stem  # a run of its own takes precedence
    out.mkdir(parents=True)
    (out / "results.json").write_text(json.dumps({"status": "finished", "duration_s": 100.0}))
    assert report.expected_seconds(nb01, "quick", runs) == 100.0


def test_reproduce_rejects_bad_jobs():
    with pytest.raises(ValueError, match="jobs"):
        report.reproduce("smoke", only=["01"], jobs=0)


def test_thread_env_names_every_pool():
    assert thread_env(3) == {"OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "3"}
    assert thread_env(0)["OMP_NUM_THREADS"] == "1"


# ------------------------------------------------------------------ report
def test_speed_section_in_the_report():
    r = bench.ratio_result("penalty_overhead", "toy MLP", {"a": [2.0, 2.2], "b": [1.0, 1.0]}, "a", "b",
                           what="GP / plain", target=("<=", 2.2))
    doc = {"created": "now", "device": "cpu", "repeats": 2, "environment": {"cpu_count": 2, "torch": "x"},
           "results": [r.to_dict()], "errors": [{"benchmark": "gpu", "error": "RuntimeError: boom"}]}
    html = htmlreport.render_index([], profile="quick", pages={}, notebooks=[], data_files={}, built="now",
                                   commit=None, bench=doc)
    assert 'id="speed"' in html and "penalty_overhead" in html and "2.10" in html and "met" in html
    assert "RuntimeError: boom" in html
    empty = htmlreport.render_index([], profile="quick", pages={}, notebooks=[], data_files={}, built="now",
                                    commit=None)
    assert "No benchmark results yet" in empty


def test_the_fake_timer_advances_by_the_durations():
    timer = _fake_timer([1.0, 2.0])
    assert [timer() for _ in range(4)] == [0.0, 1.0, 2.0, 4.0]
