"""The coaching rules: each rule fires on its own evidence, and only then."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from callgrade.engine.policy.coaching import CoachingRules, KpiDrop
from callgrade.engine.scoring.coaching import Person, Reading, suggest

TODAY = dt.date(2026, 3, 10)
ALL = CoachingRules(drop=KpiDrop(percent=10), no_coaching_weeks=6)


def _person(**kw: object) -> Person:
    base: dict[str, object] = {
        "employee_id": "E1",
        "position": "customer_service",
        "period": "2026-02",
        "previous_period": "2026-01",
        "last_coached": TODAY - dt.timedelta(days=7),
    }
    return Person(**{**base, **kw})  # type: ignore[arg-type]


def test_a_kpi_below_its_floor_fires_with_the_value_and_floor() -> None:
    p = _person(readings=(Reading("csat", 0.62, floor=0.70), Reading("answer_rate", 0.9, 0.8)))
    [s] = suggest(ALL, [p], TODAY)
    assert (s.rule, s.kpi, s.period, s.value, s.reference) == (
        "below_floor", "csat", "2026-02", 0.62, 0.70,
    )  # fmt: skip


def test_below_floor_respects_the_direction_and_can_be_switched_off() -> None:
    aht = Reading("aht", 400.0, floor=360.0, direction="lower_better")
    assert [s.rule for s in suggest(ALL, [_person(readings=(aht,))], TODAY)] == ["below_floor"]
    ok = Reading("aht", 300.0, floor=360.0, direction="lower_better")
    assert suggest(ALL, [_person(readings=(ok,))], TODAY) == []
    off = CoachingRules(below_floor=False)
    assert suggest(off, [_person(readings=(aht,))], TODAY) == []


def test_a_drop_against_the_period_before_fires_at_the_percent_and_not_below() -> None:
    p = _person(readings=(Reading("csat", 0.81),), previous={"csat": 0.90})
    [s] = suggest(ALL, [p], TODAY)
    assert (s.rule, s.reference, s.reference_period, s.change_percent) == (
        "drop", 0.90, "2026-01", 10.0,
    )  # fmt: skip
    small = _person(readings=(Reading("csat", 0.82),), previous={"csat": 0.90})
    assert suggest(ALL, [small], TODAY) == []  # 8.9% worse
    better = _person(readings=(Reading("aht", 300.0, direction="lower_better"),),
                     previous={"aht": 400.0})  # fmt: skip
    assert suggest(ALL, [better], TODAY) == []
    zero = _person(readings=(Reading("sales", 0.0),), previous={"sales": 0.0})
    assert suggest(ALL, [zero], TODAY) == []


def test_a_drop_watches_only_the_kpis_named() -> None:
    rules = CoachingRules(drop=KpiDrop(percent=5, kpis=("qa_score",)))
    p = _person(readings=(Reading("csat", 0.5), Reading("qa_score", 70.0)),
                previous={"csat": 0.9, "qa_score": 90.0})  # fmt: skip
    assert [s.kpi for s in suggest(rules, [p], TODAY)] == ["qa_score"]


@pytest.mark.parametrize("action", ["demote", "retrain", "demote_and_retrain"])
def test_a_demotion_warning_fires(action: str) -> None:
    [s] = suggest(ALL, [_person(action=action)], TODAY)
    assert (s.rule, s.action) == ("decision", action)


def test_a_hold_or_promotion_is_no_warning_and_the_list_can_be_narrowed() -> None:
    assert suggest(ALL, [_person(action="hold"), _person(action="promote")], TODAY) == []
    only = CoachingRules(decisions=("demote",))
    assert suggest(only, [_person(action="retrain")], TODAY) == []


def test_no_coaching_for_n_weeks_counts_whole_weeks_and_never_coached_fires() -> None:
    six = _person(last_coached=TODAY - dt.timedelta(days=42))
    five = _person(last_coached=TODAY - dt.timedelta(days=41))
    never = _person(last_coached=None)
    found = suggest(ALL, [six, five, never], TODAY)
    assert [(s.rule, s.weeks) for s in found] == [("no_coaching", 6), ("no_coaching", None)]
    assert suggest(CoachingRules(), [never], TODAY) == []  # not asked for


def test_rules_cover_only_their_positions_and_none_without_rules() -> None:
    p = _person(action="demote", position="telesales")
    assert suggest(CoachingRules(positions=("customer_service",)), [p], TODAY) == []
    assert suggest(None, [p], TODAY) == []


def test_several_rules_for_one_person_come_in_a_fixed_order() -> None:
    p = _person(readings=(Reading("csat", 0.5, floor=0.7),), previous={"csat": 0.9},
                action="retrain", last_coached=None)  # fmt: skip
    assert [s.rule for s in suggest(ALL, [p], TODAY)] == [
        "below_floor", "drop", "decision", "no_coaching",
    ]  # fmt: skip


def test_the_section_refuses_nonsense() -> None:
    with pytest.raises(ValidationError):
        KpiDrop(percent=0)
    with pytest.raises(ValidationError):
        CoachingRules(decisions=("promote",))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        CoachingRules.model_validate({"no_coaching_weeks": 0})
