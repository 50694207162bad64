"""The claim protocol (issue 21): inconclusive verdicts carry a reason, preconditions are enforced, claims say how
many seeds they rest on and their interval, and the report shows all of it."""

import dataclasses
import math

import pytest

from gpkit import htmlreport
from gpkit.record import REASONS, Claim, check_preconditions, decide

ID = "fig1b-gp-stable"  # any catalogued claim


def _claim(**kw) -> Claim:
    base = dict(metric="m", value=2.0, op=">", threshold=1.0)
    return Claim.compare(ID, **{**base, **kw})


@pytest.mark.parametrize("value, op, threshold, margin, interval, expected", [
    (2.0, ">", 1.0, 0.0, None, ("reproduced", None)),
    (0.5, ">", 1.0, 0.0, None, ("not reproduced", None)),
    (1.01, ">", 1.0, 0.05, None, ("inconclusive", "within noise")),
    (2.0, ">", 1.0, 0.0, (0.8, 3.2), ("inconclusive", "within noise")),   # the interval holds the threshold
    (2.0, ">", 1.0, 0.0, (1.2, 3.2), ("reproduced", None)),
    (0.5, ">", 1.0, 0.0, (0.1, 0.9), ("not reproduced", None)),
    (float("nan"), ">", 1.0, 0.0, None, ("inconclusive", "no value")),
    (None, "<", 1.0, 0.0, None, ("inconclusive", "no value")),
])
def test_decide_gives_the_reason_of_every_inconclusive_verdict(value, op, threshold, margin, interval, expected):
    assert decide(value, op, threshold, margin, interval) == expected


def test_an_unmet_precondition_overrides_any_value():
    ok = _claim(preconditions={"baseline trained": (True, "score 2.9 > 1.1")})
    assert ok.verdict == "reproduced" and ok.preconditions == [
        {"name": "baseline trained", "met": True, "detail": "score 2.9 > 1.1"}]
    for value in (2.0, 0.5):  # a pass and a fail both become inconclusive
        c = _claim(value=value, preconditions={"baseline trained": True, "both methods train the DCGAN": False})
        assert (c.verdict, c.reason) == ("inconclusive", "precondition unmet")
        assert [p["met"] for p in c.preconditions] == [True, False]


def test_not_comparable_keeps_our_number_and_says_why():
    c = _claim(comparable="a classifier score on Fashion-MNIST is not CIFAR-10's Inception score")
    assert (c.verdict, c.reason, c.value) == ("inconclusive", "not comparable", 2.0)
    assert "Fashion-MNIST" in c.details["why_not_comparable"]


def test_seeds_and_interval_are_recorded():
    c = _claim(seeds=3, interval=(1.5, 2.5))
    assert (c.seeds, c.interval, c.verdict) == (3, [1.5, 2.5], "reproduced")
    d = dataclasses.asdict(c)
    assert d["seeds"] == 3 and d["interval"] == [1.5, 2.5] and d["reason"] is None


def test_bad_protocol_fields_fail_fast():
    with pytest.raises(ValueError, match="needs a reason"):
        dataclasses.replace(_claim(), verdict="inconclusive")
    with pytest.raises(ValueError, match="reason"):
        dataclasses.replace(_claim(value=1.0, margin=0.1), reason="because")
    with pytest.raises(ValueError, match="only for inconclusive"):
        dataclasses.replace(_claim(), reason="budget")
    with pytest.raises(ValueError, match="True or False"):
        check_preconditions({"trained": 1.0})
    with pytest.raises(ValueError, match="seeds"):
        _claim(seeds=0)
    assert set(REASONS) >= {"budget", "precondition unmet", "not comparable", "within noise"}


def _result(claim: Claim) -> dict:
    return {"notebook": "02_deep_critic_gradients", "status": "finished", "claims": [dataclasses.asdict(claim)],
            "profile": "quick", "params": {}, "environment": {}, "metrics": {}, "figures": {}, "seconds": 1.0}


def test_report_shows_reason_preconditions_and_seed_spread():
    rows = htmlreport.merge_claims([_result(_claim(value=0.5, seeds=3, interval=(0.2, 0.7),
                                                    preconditions={"baseline trained": (False, "score 1.02")}))])
    row = next(r for r in rows if r["id"] == ID)
    assert row["reason"] == "inconclusive: precondition unmet: baseline trained (score 1.02)"
    html = htmlreport.render_index([_result(_claim(value=0.5, seeds=3, interval=(0.2, 0.7)))], profile="quick",
                                   pages={}, notebooks=[], data_files={}, built="now", commit=None)
    assert "3 seeds, 95% [0.2, 0.7]" in html
    nc = htmlreport.merge_claims([_result(_claim(comparable="not CIFAR-10"))])
    assert next(r for r in nc if r["id"] == ID)["reason"] == "inconclusive: not comparable (not CIFAR-10)"
    old = _result(_claim())
    for key in ("reason", "preconditions", "seeds", "interval"):  # records written before the protocol
        del old["claims"][0][key]
    assert next(r for r in htmlreport.merge_claims([old]) if r["id"] == ID)["reason"] is None
    assert math.isfinite(row["value"])


def test_ladder_decides_whether_a_miss_is_a_budget_question():
    from gpkit.record import ladder

    rising = ladder([250, 500, 1000], [0.1, 0.2, 0.35], ">", 0.5)
    assert rising["toward"] and rising["slope"] == pytest.approx(0.125)
    c = _claim(value=0.35, threshold=0.5, ladder=rising)
    assert (c.verdict, c.reason) == ("inconclusive", "budget") and c.ladder["values"] == [0.1, 0.2, 0.35]
    for values in ([0.35, 0.35, 0.35], [0.4, 0.3, 0.35], [0.1, 0.45, 0.35]):  # flat, away, risen and turned back
        lad = ladder([250, 500, 1000], values, ">", 0.5)
        assert not lad["toward"]
        assert _claim(value=0.35, threshold=0.5, ladder=lad).verdict == "not reproduced"
    assert ladder([1, 2, 4], [3.0, 2.0, 1.5], "<", 1.0)["toward"]  # for '<' claims, falling is toward
    assert _claim(value=2.0, ladder=rising).verdict == "reproduced"  # a pass stays a pass
    with pytest.raises(ValueError, match="at least 3 budgets"):
        ladder([1, 2], [0.1, 0.2], ">", 0.5)
    with pytest.raises(ValueError, match="increasing"):
        ladder([1, 4, 2], [0.1, 0.2, 0.3], ">", 0.5)
    html = htmlreport.render_index([_result(_claim(value=0.35, threshold=0.5, ladder=rising))], profile="quick",
                                   pages={}, notebooks=[], data_files={}, built="now", commit=None)
    assert "budget 250: 0.1, 500: 0.2, 1000: 0.35 (moving toward the paper)" in html


def test_a_run_records_one_seed_for_claims_that_do_not_say(tmp_path):
    from gpkit.record import start_run

    r = start_run("02_deep_critic_gradients", profiles={"smoke": {}}, profile="smoke", out_dir=tmp_path,
                  progress=False)
    assert r.add_claim(_claim()).seeds == 1
    assert r.add_claim(_claim(seeds=5, interval=(1.5, 2.5))).seeds == 5
