"""The report opened in a real browser: headless Chromium from file:// with the network blocked."""

import shutil

import pytest

from gpkit import browser, htmlreport, report
from gpkit.utils import project_root

#: Where the screenshot of the report lands (git-ignored), so a person can look at it after the test.
SCREENSHOT = project_root() / "test-output" / "browser" / "report-index.png"


@pytest.fixture(scope="session")
def chromium():
    """Chromium's path (``make test`` installs Debian's ``chromium`` first when it is missing and we are root)."""
    try:
        return browser.find_chromium()
    except browser.BrowserUnavailable as err:
        pytest.skip(f"no headless browser on this machine: {err}")


@pytest.mark.notebook
def test_report_pages_load_offline_without_errors(smoke_runs, chromium, tmp_path):
    root, outcomes = smoke_runs
    index = report.build_report("smoke", runs_root=root, report_dir=tmp_path / "report")
    pages = [index] + [tmp_path / "report" / f"{stem}.html" for stem in outcomes]
    checks = browser.check_pages(pages, chromium=chromium, screenshot=tmp_path / "index.png")
    for check in checks:
        assert check.ok, f"{check.path.name}: {check.problems()}"
        assert check.images > 0, f"{check.path.name} shows no image"
    runs = report.collect_runs("smoke", root)
    expected_rows = len(htmlreport.merge_claims(runs, [nb.stem for nb in report.list_notebooks()]))
    assert checks[0].claim_rows == expected_rows
    n_figures = sum(len(r["figures"]) for r in runs)
    assert checks[0].images == n_figures, "the gallery shows every exported figure once"
    assert (tmp_path / "index.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tmp_path / "index.png", SCREENSHOT)
    print(f"screenshot: {SCREENSHOT}")


def test_the_check_catches_network_dependencies_and_broken_images(chromium, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><script src="https://cdn.example.org/lib.js"></script></head>'
                    '<body><img src="missing.png"><script>undefinedFunction()</script></body></html>')
    (check,) = browser.check_pages([page], chromium=chromium)
    assert not check.ok
    assert any("cdn.example.org" in url for url in check.failed_requests)
    assert check.broken_images == ["missing.png"]
    assert any("undefinedFunction" in msg for msg in check.console_errors)


def test_an_empty_report_loads_cleanly(chromium, tmp_path):
    index = report.build_report("quick", runs_root=tmp_path / "none", report_dir=tmp_path / "r")
    (check,) = browser.check_pages([index], chromium=chromium)
    assert check.ok, check.problems()
    assert check.claim_rows == len(htmlreport.merge_claims([], []))
    assert check.title == "gpkit report (quick profile)"
