"""Project wiring: environment.yml mirrors pyproject, README maps every notebook, CI calls make test."""

import re
import tomllib
from pathlib import Path

from gpkit import report

ROOT = Path(__file__).resolve().parent.parent


def _names(reqs):
    return {re.split(r"[<>=\[ ;]", r.strip(), maxsplit=1)[0].lower() for r in reqs}


def test_environment_yml_lists_every_pyproject_dependency():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(meta["dependencies"]) | _names(meta["optional-dependencies"]["dev"])
    env = (ROOT / "environment.yml").read_text()
    listed = set(re.findall(r"^\s*-\s+([A-Za-z0-9_.-]+)", env, flags=re.M))
    missing = wanted - {n.lower() for n in listed}
    assert not missing, f"environment.yml lacks {sorted(missing)}"


def test_readme_maps_every_notebook_and_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make reproduce" in readme and "make test" in readme
    for nb in report.list_notebooks():
        assert nb.stem in readme, f"README's figure map does not mention {nb.stem}"


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_gitignore_keeps_outputs_out():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in ("runs/", "report/", ".venv/"):
        assert entry in ignored
