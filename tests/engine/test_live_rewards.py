"""Instant rewards evaluated event by event: every rule kind, quality gates, caps and budgets,
and replaying the same events giving the same award keys (so the ledger never pays twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from callgrade.engine.live.events import (
    EventError,
    KpiEvent,
    parse_posted,
    posted_events,
    queue_log_events,
)
from callgrade.engine.live.rewards import RewardBook
from callgrade.engine.policy.model import InstantReward, Trigger

TZ = "Asia/Shanghai"
DAY = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def rule(**kw: Any) -> InstantReward:
    base: dict[str, Any] = {"code": "r", "label": {"zh": "奖", "en": "Reward"},
                            "award": {"points": 10, "amount": 5}}  # fmt: skip
    return InstantReward.model_validate({**base, **kw})


def ev(i: int, kpi: str, value: float, *, emp: str = "E1", hours: float = 0) -> KpiEvent:
    return KpiEvent(f"ev{i}", emp, kpi, value, DAY + dt.timedelta(hours=hours))


def book(*rules: InstantReward, positions: dict[str, str] | None = None) -> RewardBook:
    return RewardBook(rules, positions or {"E1": "cs", "E2": "cs", "E3": "sales"}, TZ)


def test_threshold_once_per_window_with_min_sample_and_its_evidence() -> None:
    r = rule(when={"kpi": "csat", "op": ">=", "value": 0.8, "window": "day", "min_sample": 3})
    b = book(r)
    assert b.add_all([ev(1, "csat", 1), ev(2, "csat", 1)]) == []  # sample 2 < 3
    got = b.add(ev(3, "csat", 1))
    assert len(got) == 1
    g = got[0]
    assert g.events == ("ev1", "ev2", "ev3")
    assert (g.evidence["measured"], g.evidence["sample"]) == (1.0, 3)
    assert (g.points, g.amount, g.window, g.window_start) == (10, 5, "day", DAY.date())
    assert b.add_all([ev(4, "csat", 1), ev(5, "csat", 1)]) == []  # once per window
    # the next day is a new window
    assert len(b.add_all([ev(6 + i, "csat", 1, hours=24) for i in range(3)])) == 1


def test_threshold_over_a_total_kpi_sums_and_a_rate_kpi_averages() -> None:
    sales = rule(code="s", when={"kpi": "sales_revenue", "op": ">=", "value": 1000})
    csat = rule(code="c", when={"kpi": "csat", "op": ">=", "value": 0.75})
    b = book(sales, csat)
    assert b.add_all([ev(1, "sales_revenue", 600), ev(2, "csat", 0), ev(3, "csat", 1)]) == []
    assert [g.rule for g in b.add(ev(4, "sales_revenue", 400))] == ["s"]
    assert b.add(ev(5, "csat", 1)) == []  # mean 2/3
    assert [g.rule for g in b.add(ev(6, "csat", 1))] == ["c"]  # 3/4


def test_count_awards_every_count_qualifying_observations() -> None:
    r = rule(when={"kind": "count", "kpi": "qa_score", "op": ">=", "value": 90, "count": 2})
    b = book(r)
    scores = [95, 80, 91, 99, 92, 93]
    got = b.add_all([ev(i + 1, "qa_score", v) for i, v in enumerate(scores)])
    assert [g.events for g in got] == [("ev1", "ev3"), ("ev4", "ev5")]
    assert len({g.key for g in got}) == 2


def test_streak_is_broken_by_a_miss_and_starts_again_after_an_award() -> None:
    r = rule(when={"kind": "streak", "kpi": "csat", "op": ">=", "value": 1, "count": 3})
    b = book(r)
    values = [1, 1, 0, 1, 1, 1, 1, 1, 1]
    got = b.add_all([ev(i, "csat", v) for i, v in enumerate(values)])
    assert [g.events for g in got] == [("ev3", "ev4", "ev5"), ("ev6", "ev7", "ev8")]


def test_quality_gate_holds_back_the_award_until_the_week_qa_meets_it() -> None:
    r = rule(when={"kpi": "sales_revenue", "op": ">=", "value": 100},
             gates=[{"kpi": "qa_score", "op": ">=", "value": 85, "window": "week"}])  # fmt: skip
    b = book(r)
    assert b.add(ev(1, "sales_revenue", 150)) == []  # no QA this week yet
    assert b.add(ev(2, "qa_score", 70)) == []  # QA below the gate
    got = b.add(ev(3, "qa_score", 100))  # week mean 85: the day's award is released
    assert len(got) == 1
    assert set(got[0].events) == {"ev1", "ev2", "ev3"}
    gate = got[0].evidence["gates"][0]
    assert (gate["measured"], gate["sample"]) == (85.0, 2)


def test_caps_per_day_per_month_and_the_budget() -> None:
    count1 = {"kind": "count", "kpi": "csat", "op": ">=", "value": 1, "count": 1}
    b = book(rule(code="d", when=count1, max_per_day=2))
    assert len(b.add_all([ev(i, "csat", 1) for i in range(5)])) == 2
    assert b.refused["d:max_per_day"] == 3
    assert len(b.add_all([ev(10 + i, "csat", 1, hours=24) for i in range(5)])) == 2

    b = book(rule(code="m", when=count1, max_per_month=3))
    assert len(b.add_all([ev(i, "csat", 1, hours=24 * i) for i in range(6)])) == 3

    b = book(rule(code="b", when=count1, budget_per_month=12))  # 5 each: two fit
    got = b.add_all([ev(i, "csat", 1, emp=f"E{1 + i % 2}") for i in range(5)])
    assert len(got) == 2 and sum(g.amount for g in got) == 10
    assert b.refused["b:budget_per_month"] == 3


def test_positions_limit_who_earns() -> None:
    r = rule(positions=["sales"], when={"kpi": "sales_revenue", "op": ">", "value": 0})
    b = book(r)
    assert b.add(ev(1, "sales_revenue", 10)) == []  # E1 is in customer service
    assert b.add(ev(2, "sales_revenue", 10, emp="E3"))
    assert b.add(ev(3, "sales_revenue", 10, emp="nobody")) == []  # not on the roster


def test_replaying_the_same_events_gives_the_same_awards() -> None:
    rules = [
        rule(code="t", when={"kpi": "csat", "op": ">=", "value": 0.5}, max_per_month=20),
        rule(code="c", when={"kind": "count", "kpi": "qa_score", "op": ">=", "value": 80,
                             "count": 2}),
        rule(code="s", when={"kind": "streak", "kpi": "csat", "op": ">=", "value": 1,
                             "count": 2}, budget_per_month=30),
    ]  # fmt: skip
    events = [
        ev(i, ("csat", "qa_score")[i % 2], (1, 90, 0, 85)[i % 4], emp=f"E{1 + i % 3}",
           hours=i * 2.5)
        for i in range(200)
    ]  # fmt: skip
    first = book(*rules).add_all(events)
    again = book(*rules).add_all(events)
    assert first and first == again
    assert len({g.key for g in first}) == len(first)  # every award has its own key


def test_forgetting_closed_windows_keeps_the_open_ones() -> None:
    r = rule(when={"kpi": "csat", "op": ">=", "value": 1, "window": "day", "min_sample": 2},
             max_per_month=5)  # fmt: skip
    b = book(r)
    b.add(ev(1, "csat", 1, hours=-24))  # yesterday: one observation
    b.add(ev(2, "csat", 1))  # today: one
    b.forget_before(DAY.date())
    assert len(b.add(ev(3, "csat", 1))) == 1  # today's window was kept
    assert b.add(ev(4, "csat", 1, hours=-24)) == []  # yesterday's starts afresh: sample 1


def test_trigger_needs_count_for_count_and_streak() -> None:
    with pytest.raises(ValueError, match="needs count"):
        Trigger.model_validate({"kind": "streak", "kpi": "csat", "op": ">=", "value": 1})
    with pytest.raises(ValueError, match="count applies"):
        Trigger.model_validate({"kpi": "csat", "op": ">=", "value": 1, "count": 2})


# --- events ------------------------------------------------------------------------------------


def test_posted_events_become_kpi_observations() -> None:
    at = "2026-12-03T10:00:00+08:00"
    qa = parse_posted({"id": "q1", "type": "qa_evaluation", "employee_id": "E1", "at": at,
                       "score": 88, "critical_fail": True})  # fmt: skip
    assert [(e.kpi, e.value) for e in posted_events(qa)] == [
        ("qa_score", 88.0), ("qa_critical_fails", 1.0)
    ]  # fmt: skip
    s = parse_posted({"id": "s1", "type": "survey", "employee_id": "E1", "at": at, "csat": 5,
                      "nps": 6, "resolved": True})  # fmt: skip
    assert [(e.kpi, e.value) for e in posted_events(s)] == [
        ("csat", 1.0), ("csat_mean", 5.0), ("nps", -100.0), ("fcr_survey", 1.0)
    ]  # fmt: skip
    sale = parse_posted({"id": "x", "type": "sale", "employee_id": "E3", "at": at, "amount": 9})
    assert [(e.kpi, e.value) for e in posted_events(sale)] == [("sales_revenue", 9.0)]
    k = parse_posted({"id": "k", "type": "kpi", "employee_id": "E1", "at": at,
                      "kpi": "adherence", "value": 0.97})  # fmt: skip
    assert posted_events(k)[0].at == dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        ([], "(event)", "JSON object"),
        ({"type": "sale"}, "id", "required"),
        ({"id": "a", "type": "gift"}, "type", "expected one of"),
        ({"id": "a", "type": "sale", "employee_id": "E1", "at": "yesterday"}, "at", "ISO 8601"),
        ({"id": "a", "type": "sale", "employee_id": "E1", "at": "2026-12-03T10:00"}, "at",
         "offset"),
        ({"id": "a", "type": "sale", "employee_id": "E1", "at": "2026-12-03T10:00Z",
          "amount": "9"}, "amount", "expected a number"),
        ({"id": "a", "type": "qa_evaluation", "employee_id": "E1", "at": "2026-12-03T10:00Z",
          "score": 140}, "score", "from 0 to 100"),
        ({"id": "a", "type": "kpi", "employee_id": "E1", "at": "2026-12-03T10:00Z",
          "kpi": "happiness", "value": 1}, "kpi", "KPI code"),
        ({"id": "a", "type": "survey", "employee_id": "E1", "at": "2026-12-03T10:00Z"}, "csat",
         "needs csat"),
    ],
)  # fmt: skip
def test_bad_posted_events_say_which_field_and_what_is_expected(
    payload: Any, field: str, says: str
) -> None:
    with pytest.raises(EventError) as caught:
        parse_posted(payload)
    assert any(f == field and says in m for f, m in caught.value.problems), caught.value.problems


def test_queue_log_lines_become_observations() -> None:
    at = dt.datetime.fromtimestamp(1764810000, dt.UTC)
    assert queue_log_events("1764810000|c1|support|E1|CONNECT|12|c1.1|3", "q:1") == [
        KpiEvent("q:1", "E1", "answer_rate", 1.0, at), KpiEvent("q:1", "E1", "asa", 12.0, at)
    ]  # fmt: skip
    missed = queue_log_events("1764810000|c1|support|E1|RINGNOANSWER|15000", "q:0")
    assert [(e.kpi, e.value) for e in missed] == [("answer_rate", 0.0)]
    done = queue_log_events("1764810300|c1|support|E1|COMPLETEAGENT|12|280|1", "q:2")
    assert [(e.kpi, e.value) for e in done] == [("talk_time", 280.0)]
    assert queue_log_events("1764810000|NONE|NONE|NONE|QUEUESTART|", "q:3") == []
    assert queue_log_events("1764810000|c1|support|E1|ADDMEMBER|", "q:4") == []
    with pytest.raises(ValueError, match="unix time"):
        queue_log_events("noon|c1|support|E1|CONNECT|1", "q:5")
    with pytest.raises(ValueError, match="field"):
        queue_log_events("garbage", "q:6")
