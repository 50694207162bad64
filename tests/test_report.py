"""The report build, figure collection and the command line."""

import re


import pytest

from gpkit import cli, report


@pytest.mark.notebook
def test_report_links_every_executed_notebook(smoke_runs, tmp_path):
    root, outcomes = smoke_runs
    index = report.build_report("smoke", runs_root=root, report_dir=tmp_path / "report")
    html = index.read_text()
    for stem in outcomes:
        assert f'href="{stem}.html"' in html
        page = tmp_path / "report" / f"{stem}.html"
        assert page.is_file() and "<html" in page.read_text()[:2000].lower()
    images = re.findall(r'<img src="([^"]+)"', html)
    assert images and all((tmp_path / "report" / src).is_file() for src in images)
    runs = report.collect_runs("smoke", root)
    n_claims = sum(len(r["claims"]) for r in runs)
    assert html.count('<span class="verdict') >= n_claims
    assert "http://" not in html and "https://" not in html  # nothing on the index needs the network


@pytest.mark.notebook
def test_copy_figures(smoke_runs, tmp_path):
    root, _ = smoke_runs
    copied = report.copy_figures("smoke", runs_root=root, figures_dir=tmp_path)
    names = {p.name for p in copied}
    assert {"fig1a_value_surfaces.png", "fig1a_value_surfaces.pdf", "fig1b_deep_critics.png"} <= names


def test_report_on_empty_runs_still_builds(tmp_path):
    index = report.build_report("quick", runs_root=tmp_path / "none", report_dir=tmp_path / "r")
    assert "No runs found" in index.read_text()


def test_resolve_notebook_by_number_and_name():
    assert report.resolve_notebook("01").stem == "01_toy_value_surfaces"
    assert report.resolve_notebook("2").stem == "02_deep_critic_gradients"
    assert report.resolve_notebook("01_toy_value_surfaces").name == "01_toy_value_surfaces.ipynb"
    with pytest.raises(ValueError, match="notebook must be one of"):
        report.resolve_notebook("99")


def test_cli_list_and_bad_profile(capsys):
    assert cli.main(["list"]) == 0
    assert "01_toy_value_surfaces" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["reproduce", "--profile", "fast"])
    with pytest.raises(ValueError, match="profile"):
        report.run_notebook("01", profile="fast")


def test_cli_parses_parameter_values():
    assert cli._value("5") == 5 and cli._value("1e-3") == 1e-3 and cli._value("[0.1, 0.01]") == [0.1, 0.01]
    assert cli._value("8gaussians") == "8gaussians" and cli._value("True") is True


# ------------------------------------------------------------ index content
def _fake_run(tmp_path, notebook="04_cifar_scores", claims=(), comparisons=(), figures=None):
    from gpkit.experiments.base import Run

    run = Run(notebook, title="t", paper="WGAN-GP", figure="Table 3", profile="quick", seed=3,
              params={"iterations": 7, "lr": 2e-4}, out_dir=tmp_path / "runs" / "quick" / notebook, device="cpu")
    for c in claims:
        run.add_claim(c)
    for key, ours, kw in comparisons:
        run.add_comparison(key, ours, **kw)
    return run.finish()


def test_merge_claims_marks_every_catalogued_claim_without_a_run_as_not_run_yet():
    from gpkit import catalog, htmlreport

    rows = htmlreport.merge_claims([], ["01_toy_value_surfaces"])
    assert [r["id"] for r in rows] == [c.id for c in catalog.CLAIMS]
    assert {r["verdict"] for r in rows} == {htmlreport.NOT_RUN}
    reasons = {r["notebook"]: r["reason"] for r in rows}
    assert reasons["01_toy_value_surfaces"] == "not run at this profile"
    assert reasons["09_language_model"] == "notebook planned"
    run = {"notebook": "01_toy_value_surfaces", "status": "finished", "claims": [
        {"id": "fig1a-optimality", "paper": "WGAN-GP", "figure": "Figure 1a", "statement": "s", "metric": "m",
         "value": 0.1, "threshold": "< 0.2", "verdict": "reproduced", "details": {}},
        {"id": "my-extra-claim", "paper": "WGAN-GP", "figure": "Figure 1a", "statement": "s", "metric": "m",
         "value": 1.0, "threshold": "> 0", "verdict": "not reproduced", "details": {}}]}
    rows = htmlreport.merge_claims([run], ["01_toy_value_surfaces"])
    assert len(rows) == len(catalog.CLAIMS) + 1 and rows[-1]["id"] == "my-extra-claim"
    counts = htmlreport.verdict_counts(rows)
    assert counts == {"reproduced": 1, "not reproduced": 1, "inconclusive": 0, htmlreport.RUN_FAILED: 0,
                      htmlreport.RUN_UNFINISHED: 0, htmlreport.NOT_RUN: len(catalog.CLAIMS) - 1}


def test_add_comparison_validates_and_records_the_protocol(tmp_path):
    run = _fake_run(tmp_path)
    with pytest.raises(ValueError, match="comparison key must be one of"):
        run.add_comparison("table3/made-up", 1.0, dataset="cifar10")
    with pytest.raises(ValueError, match="dataset"):
        run.add_comparison("table3/unsupervised/wgan-gp", 1.0, dataset="")
    entry = run.add_comparison("table3/unsupervised/wgan-gp", 6.5, std=0.08, dataset="fashion_mnist32",
                               backbone="classifier", n=5000)
    assert entry["paper"] == 7.86 and entry["profile"] == "quick" and entry["backbone"] == "classifier"
    saved = report.collect_runs("quick", tmp_path / "runs")[0]["comparisons"]
    assert saved == [entry]


def test_index_shows_paper_numbers_beside_ours_with_protocol_and_provenance(tmp_path):
    from gpkit import catalog
    from gpkit.experiments.base import Claim

    claim = Claim.compare("table3-unsupervised", metric="IS",
                          value=6.5, op=">", threshold=6.0)
    _fake_run(tmp_path, claims=[claim], comparisons=[
        ("table3/unsupervised/wgan-gp", 6.5, dict(std=0.08, dataset="fashion_mnist32", backbone="classifier", n=5000)),
        ("table2/3/only_WGAN-GP", 4, dict(dataset="fashion_mnist32", backbone="classifier")),
        ("table4/samples", ["Hello wor", "A line"], dict(dataset="fortunes")),
    ])
    index = report.build_report("quick", runs_root=tmp_path / "runs", report_dir=tmp_path / "report")
    text = index.read_text()
    row = re.search(r'<tr class="number" data-key="table3/unsupervised/wgan-gp">(.*?)</tr>', text, re.S).group(1)
    assert "7.86 ± 0.07" in row and "6.5 ± 0.08" in row
    assert "dataset fashion_mnist32" in row and "backbone classifier" in row and "profile quick" in row
    cell = re.search(r'data-key="table2/3/only_WGAN-GP">(.*?)</td>', text, re.S).group(1)
    assert "88" in cell and "ours: 4" in cell
    assert "Hello wor" in text and "Busino game camperate spent odea" in text
    claim_row = re.search(r'<tr class="claim status-reproduced" data-claim-id="table3-unsupervised">', text)
    assert claim_row, "the run's claim replaces the not-run-yet row"
    assert text.count('<tr class="claim') == len(catalog.CLAIMS)
    prov = re.search(r'<details class="run" data-notebook="04_cifar_scores">(.*?)</details>', text, re.S).group(1)
    for needle in ("iterations", "0.0002", "git_commit", "torchvision", "duration (s)", "cpu"):
        assert needle in prov, needle
    assert (tmp_path / "report" / "data" / "04_cifar_scores" / "results.json").is_file()
    assert 'href="data/04_cifar_scores/results.json"' in text


@pytest.mark.notebook
def test_notebook_pages_need_no_network(smoke_runs, tmp_path):
    root, outcomes = smoke_runs
    report.build_report("smoke", runs_root=root, report_dir=tmp_path / "report")
    for stem in outcomes:
        page = (tmp_path / "report" / f"{stem}.html").read_text()
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page), f"{stem} loads from the network"
        assert 'href="index.html"' in page, "every notebook page links back to the index"
        assert "<img" in page and "data:image/png;base64" in page


def test_cli_run_prints_where_results_and_figures_went(tmp_path, capsys):
    from gpkit.experiments.base import Claim

    run = _fake_run(tmp_path, notebook="01_toy_value_surfaces", claims=[Claim.compare(
        "fig1a-optimality", metric="m", value=0.1, op="<",
        threshold=0.2)])
    run.figures["fig1a_value_surfaces"] = {"png": "fig1a_value_surfaces.png", "pdf": "fig1a_value_surfaces.pdf"}
    run.write()
    cli._print_run(report.NotebookRun("01_toy_value_surfaces", run.out_dir, 12.0))
    out = capsys.readouterr().out
    assert str(run.out_dir / "results.json") in out
    assert str(run.out_dir / "fig1a_value_surfaces.png") in out and "fig1a-optimality: reproduced" in out
