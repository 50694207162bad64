"""The README's results table is generated from results.json (gpkit readme-table)."""

import dataclasses
import json
import re

import pytest

from gpkit import cli, readme_table
from gpkit.record import Claim


def _write_run(root, claims, notebook="02_deep_critic_gradients", status="finished"):
    folder = root / "quick" / notebook
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({
        "notebook": notebook, "profile": "quick", "status": status, "claims": [dataclasses.asdict(c) for c in claims],
        "params": {}, "environment": {}, "metrics": {}, "figures": {}, "seconds": 1.0}))


def test_table_rows_come_from_the_runs_own_claims(tmp_path):
    stable = Claim.compare("fig1b-gp-stable", metric="|log10(layer 1 / layer 12)|", value=0.11, op="<", threshold=1.0,
                           seeds=3, interval=(0.05, 0.2))
    unmet = Claim.compare("fig1b-directions", metric="directions", value=3, op=">=", threshold=3,
                          preconditions={"clipping trained": (False, "loss flat")})
    _write_run(tmp_path, [stable, unmet])
    table = readme_table.table_for("quick", tmp_path)
    row = next(line for line in table.splitlines() if "neither vanish nor explode" in line)
    assert "**0.11** (3 seeds, 95% [0.05, 0.2])" in row and "| reproduced |" in row and "< 1" in row
    row = next(line for line in table.splitlines() if "Figure 1b" in line and "**3**" in line)
    assert "inconclusive (precondition unmet: clipping trained (loss flat))" in row
    assert "not run yet" in table  # every other catalogued claim
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 5 for line in table.splitlines())  # pipes in cells escaped


def test_replace_table_needs_both_markers_in_order():
    text = f"intro\n{readme_table.BEGIN}\nold\n{readme_table.END}\nafter\n"
    assert readme_table.replace_table(text, "NEW") == f"intro\n{readme_table.BEGIN}\nNEW\n{readme_table.END}\nafter\n"
    for bad in ("no markers", f"{readme_table.END}\n{readme_table.BEGIN}", f"{readme_table.BEGIN}{readme_table.BEGIN}"
                f"{readme_table.END}"):
        with pytest.raises(ValueError, match="results-table"):
            readme_table.replace_table(bad, "NEW")


def test_cli_writes_the_table_into_the_readme(tmp_path, capsys):
    _write_run(tmp_path / "runs", [Claim.compare("fig1b-gp-stable", metric="m", value=0.5, op="<", threshold=1.0)])
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{readme_table.BEGIN}\nstale\n{readme_table.END}\n")
    assert cli.main(["readme-table", "--runs-root", str(tmp_path / "runs"), "--write", str(readme)]) == 0
    text = readme.read_text()
    assert "stale" not in text and "**0.5**" in text and text.startswith("# x\n")
    assert cli.main(["readme-table", "--runs-root", str(tmp_path / "runs")]) == 0
    assert "**0.5**" in capsys.readouterr().out
