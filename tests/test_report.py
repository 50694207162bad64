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
