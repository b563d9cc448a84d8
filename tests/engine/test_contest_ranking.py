"""Contest ranking: direction, ties, quality gates, minimum sample, team aggregates, prizes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from callgrade.engine.live.contests import (
    Entry,
    Gate,
    Measure,
    Prize,
    Rules,
    prizes_for,
    rank,
    team_entries,
)


def _e(key: str, value: float | None, sample: int = 50, qa: float | None = 90.0) -> Entry:
    gates = {} if qa is None else {"qa_score": Measure(qa, 5)}
    return Entry(key, Measure(value, sample), gates)


def _ranks(standings: list) -> dict[str, int | None]:
    return {s.key: s.rank for s in standings}


def test_higher_is_better_ranks_the_largest_first() -> None:
    got = rank([_e("a", 0.8), _e("b", 0.95), _e("c", 0.9)], Rules("higher_better"))
    assert [s.key for s in got] == ["b", "c", "a"]
    assert _ranks(got) == {"b": 1, "c": 2, "a": 3}


def test_lower_is_better_ranks_the_smallest_first() -> None:
    got = rank([_e("a", 300), _e("b", 240), _e("c", 410)], Rules("lower_better"))
    assert _ranks(got) == {"b": 1, "a": 2, "c": 3}


def test_a_tie_goes_to_the_larger_sample_then_the_rank_is_shared() -> None:
    entries = [_e("a", 0.9, 40), _e("b", 0.9, 80), _e("c", 0.9, 40), _e("d", 0.7, 99)]
    got = rank(entries, Rules("higher_better"))
    assert _ranks(got) == {"b": 1, "a": 2, "c": 2, "d": 4}  # 1, 2, 2, 4: competition ranking
    by = {s.key: s for s in got}
    assert by["a"].shared and by["c"].shared and not by["b"].shared and not by["d"].shared


def test_quality_gates_and_minimum_sample_leave_people_unranked_with_every_reason() -> None:
    rules = Rules("higher_better", (Gate("qa_score", ">=", 85),), min_sample=30)
    entries = [
        _e("fast", 0.99, 60, qa=70),  # the quickest, but the quality gate fails
        _e("few", 0.98, 10),  # too small a sample
        _e("both", 0.97, 5, qa=60),
        _e("nogate", 0.96, 60, qa=None),  # no QA value at all: the gate cannot be met
        _e("none", None, 0),
        _e("ok", 0.80, 60),
    ]
    got = rank(entries, rules)
    assert _ranks(got) == {"ok": 1, "both": None, "fast": None, "few": None, "nogate": None,
                           "none": None}  # fmt: skip
    assert got[0].key == "ok"  # ranked first, then the unranked by key
    by = {s.key: s for s in got}
    assert [r.code for r in by["fast"].reasons] == ["gate"]
    assert by["fast"].reasons[0].measured == 70 and by["fast"].reasons[0].needed == 85
    assert [r.code for r in by["few"].reasons] == ["sample"]
    assert by["few"].reasons[0].measured == 10 and by["few"].reasons[0].needed == 30
    assert [r.code for r in by["both"].reasons] == ["sample", "gate"]
    assert by["nogate"].reasons[0].measured is None
    assert [r.code for r in by["none"].reasons] == ["no_value", "sample"]


def test_gate_comparisons() -> None:
    assert Gate("x", ">=", 85).holds(85) and not Gate("x", ">", 85).holds(85)
    assert Gate("x", "<=", 30).holds(30) and not Gate("x", "<", 30).holds(30)
    with pytest.raises(ValueError, match="comparison"):
        Gate("x", "=>", 1)


def test_prizes_follow_the_ranks_and_a_shared_rank_pays_each() -> None:
    got = rank([_e("a", 3), _e("b", 3), _e("c", 2), _e("d", 1)], Rules("higher_better"))
    prizes = [Prize(1, points=Decimal(100)), Prize(2, amount=Decimal(50)), Prize(3, Decimal(10))]
    won = prizes_for(got, prizes)
    assert [(k, p.rank) for k, p in won] == [("a", 1), ("b", 1), ("c", 3)]  # no rank 2 exists


def test_team_values_pool_a_rate_kpi_and_sum_a_total() -> None:
    people = [
        Entry("p1", Measure(0.5, 10, 5, 10), {"qa_score": Measure(80, 2, 160, 2)}),
        Entry("p2", Measure(1.0, 30, 30, 30), {"qa_score": Measure(90, 8, 720, 8)}),
        Entry("p3", Measure(0.2, 5, 1, 5)),
        Entry("loner", Measure(0.9, 5, 4.5, 5)),  # no team: not in a team contest
    ]
    teams = {"p1": "t1", "p2": "t1", "p3": "t2"}
    got = {t.key: t for t in team_entries(people, teams, "pooled")}
    assert set(got) == {"t1", "t2"}
    assert got["t1"].metric.value == pytest.approx(35 / 40)  # not the mean of 0.5 and 1.0
    assert got["t1"].metric.sample == 40 and got["t1"].members == ("p1", "p2")
    assert got["t1"].gates["qa_score"].value == pytest.approx(88)
    summed = {t.key: t for t in team_entries(people, teams, "sum")}
    assert summed["t1"].metric.value == pytest.approx(1.5)
    standings = rank(got.values(), Rules("higher_better", (Gate("qa_score", ">=", 85),)))
    assert _ranks(standings) == {"t1": 1, "t2": None}  # t2 has no QA value


def test_a_scaled_rate_keeps_its_scale_when_pooled() -> None:
    people = [Entry("a", Measure(20.0, 100, 2, 100)), Entry("b", Measure(40.0, 100, 4, 100))]
    [team] = team_entries(people, {"a": "t", "b": "t"}, "pooled")
    assert team.metric.value == pytest.approx(30.0)  # per 1,000: 6 / 200 × 1,000
