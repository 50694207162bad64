"""The paper catalogue behind the report: complete, consistent with the notebooks, and honest."""

import json

import pytest

from gpkit import catalog, report


def test_every_catalogued_notebook_has_a_title_and_every_figure_its_paper():
    for item in (*catalog.FIGURES, *catalog.CLAIMS, *(n for n in catalog.NUMBERS)):
        assert item.notebook in catalog.NOTEBOOK_TITLES, item
    for fig in catalog.FIGURES:
        assert fig.paper in catalog.PAPERS and fig.caption and fig.outputs
    for claim in catalog.CLAIMS:
        assert any(f.paper == claim.paper and f.label == claim.figure for f in catalog.FIGURES), claim.id


def test_existing_notebooks_are_in_the_catalogue():
    for nb in report.list_notebooks():
        assert nb.stem in catalog.NOTEBOOK_TITLES
        assert catalog.claims_for(nb.stem) and catalog.figures_for(nb.stem)


def test_paper_numbers_as_printed():
    assert catalog.number("table3/unsupervised/wgan-gp").value == 7.86
    assert catalog.number("table3/supervised/wgan-gp").std == 0.10
    only_gp = [catalog.number(f"table2/{t}/only_WGAN-GP").value for t in (1, 3, 5, 7, 9)]
    assert only_gp == [8, 88, 147, 104, 0]
    for t in (1, 3, 5, 7, 9):  # each threshold's four outcomes add up to the 200 architectures
        assert sum(n.value for n in catalog.NUMBERS if n.row == f"min. score {t}") == 200
    assert all(len(s) <= 32 for s in catalog.TABLE4_PAPER_SAMPLES)  # the paper truncates to 32 characters
    with pytest.raises(ValueError, match="comparison key must be one of"):
        catalog.number("table9/nothing")


@pytest.mark.notebook
def test_claims_and_figures_of_the_runs_match_the_catalogue(smoke_runs):
    root, outcomes = smoke_runs
    for stem in outcomes:
        res = json.loads((root / "smoke" / stem / "results.json").read_text())
        produced = {c["id"]: c for c in res["claims"]}
        catalogued = {c.id: c for c in catalog.claims_for(stem)}
        assert set(produced) == set(catalogued), f"{stem}: claims differ from gpkit.catalog"
        for cid, c in produced.items():
            assert (c["paper"], c["figure"]) == (catalogued[cid].paper, catalogued[cid].figure)
        outputs = {name for f in catalog.figures_for(stem) for name in f.outputs}
        assert outputs == set(res["figures"]), f"{stem}: exported figures differ from the catalogue's outputs"
