"""Training rules: each kind of gap proposes its course with the evidence and a stable gap key."""

from __future__ import annotations

from pathlib import Path

import pytest

from callgrade.engine.policy import PolicyInvalid, load_policy
from callgrade.engine.scoring.training import (
    GapInputs,
    KpiPoint,
    Person,
    RankPoint,
    training_proposals,
)

EXAMPLES = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"
POLICY = load_policy(EXAMPLES / "four_positions.yaml")
CS = Person("E1", "customer_service", "junior")
SALES = Person("E2", "telesales", "intermediate")
FRONT = Person("E1", "front_desk", "junior")  # its scorecard holds qa_score, floor 60


def _qa(emp: str, values: list[float | None], sample: int = 10) -> list[KpiPoint]:
    return [KpiPoint(emp, f"2026-0{i + 1}", "qa_score", v, sample) for i, v in enumerate(values)]


PERIODS = ("2026-01", "2026-02", "2026-03", "2026-04")


def _only(kind: str, inputs: GapInputs) -> list:
    return [p for p in training_proposals(POLICY, inputs) if p.kind == kind]


def test_a_kpi_below_its_floor_for_two_periods_proposes_the_course() -> None:
    found = _only("kpi_below_floor", GapInputs([FRONT], PERIODS, _qa("E1", [70, 55, 58, 80])))
    assert len(found) == 1
    p = found[0]
    assert (p.employee_id, p.rule, p.course) == ("E1", "quality_below_floor", "courtesy")
    assert p.gap_key == "quality_below_floor|courtesy|E1|qa_score|2026-02"
    assert p.evidence["floor"] == 60
    assert [x["period"] for x in p.evidence["periods"]] == ["2026-02", "2026-03"]
    assert [x["value"] for x in p.evidence["periods"]] == [55, 58]


def test_one_period_below_or_a_thin_sample_breaks_the_run() -> None:
    assert not _only("kpi_below_floor", GapInputs([FRONT], PERIODS, _qa("E1", [55, 70, 55, 70])))
    assert not _only("kpi_below_floor", GapInputs([FRONT], PERIODS, _qa("E1", [55, None, 55])))
    # nobody whose scorecard lacks the KPI
    assert not _only("kpi_below_floor", GapInputs([CS], PERIODS, _qa("E1", [50, 50, 50])))
    # the item asks for 4 evaluations: 3 say nothing
    assert not _only("kpi_below_floor", GapInputs([FRONT], PERIODS, _qa("E1", [55, 50], sample=3)))


def test_the_same_run_keeps_its_key_when_it_goes_on() -> None:
    two = _only("kpi_below_floor", GapInputs([FRONT], PERIODS[:2], _qa("E1", [50, 50])))
    four = _only("kpi_below_floor", GapInputs([FRONT], PERIODS, _qa("E1", [50, 50, 50, 50])))
    assert two[0].gap_key == four[0].gap_key


def test_a_competency_below_the_next_level_proposes_with_the_requirement() -> None:
    found = _only(
        "competency_below",
        GapInputs([CS], competencies={"E1": {"business_knowledge": 62, "teamwork": 90}}),
    )
    assert [(p.course, p.evidence["level"], p.evidence["required"]) for p in found] == [
        ("business_basics", "intermediate", 70)
    ]
    # met, or not assessed: nothing proposed
    assert not _only(
        "competency_below", GapInputs([CS], competencies={"E1": {"business_knowledge": 70}})
    )
    assert not _only("competency_below", GapInputs([CS]))


def test_a_retraining_decision_proposes_keyed_by_its_computation() -> None:
    found = _only(
        "retrain", GapInputs([CS, SALES], decisions={"E1": "demote_and_retrain", "E2": "hold"},
                             computation="cycle-7"),
    )  # fmt: skip
    assert [(p.employee_id, p.gap_key) for p in found] == [
        ("E1", "retraining_decided|courtesy|E1|retrain|cycle-7")
    ]


def test_the_last_of_a_peer_group_is_proposed_once_per_course() -> None:
    ranks = [RankPoint("E2", "2026-01", 5, 5), RankPoint("E2", "2026-02", 5, 5)]
    found = _only("bottom_ranked", GapInputs([SALES], ranks=ranks))
    assert [(p.course, p.evidence["period"]) for p in found] == [("sales_skills", "2026-01")]
    # the rule is for telesales only, and a group of one singles nobody out
    assert not _only("bottom_ranked", GapInputs([CS], ranks=[RankPoint("E1", "2026-01", 5, 5)]))
    assert not _only("bottom_ranked", GapInputs([SALES], ranks=[RankPoint("E2", "2026-01", 1, 1)]))


def test_a_rule_naming_an_unknown_course_is_refused() -> None:
    text = (EXAMPLES / "four_positions.yaml").read_text("utf-8")
    bad = text.replace("course: teamwork_workshop", "course: teamwork_workshopp")
    with pytest.raises(PolicyInvalid, match="teamwork_workshop"):
        load_policy(bad)
