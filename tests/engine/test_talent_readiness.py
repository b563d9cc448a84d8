"""Readiness for a key post: each requirement checked with what the person has and needs."""

from __future__ import annotations

from callgrade.engine.scoring.talent import Facts, Requirements, readiness

GRADES = ("S", "A", "B", "C", "D")
POST = Requirements(
    grades=GRADES, min_rating="B", rating_periods=3, min_tenure_months=12,
    competencies={"communication": 80}, trainings=("courtesy",), max_major_complaints=0,
)  # fmt: skip
RATINGS = (("2026-03", "A"), ("2026-02", "B"), ("2026-01", "S"), ("2025-12", "D"))


def test_a_person_meeting_everything_is_ready_and_the_old_rating_is_not_looked_at() -> None:
    facts = Facts("E1", RATINGS, 20, {"communication": 85}, frozenset({"courtesy"}), 0)
    r = readiness(POST, facts)
    assert r.ready and r.met == 5 and r.gap == ()
    rating = r.checks[0]
    assert rating.evidence == ("2026-03: A", "2026-02: B", "2026-01: S")


def test_each_shortfall_is_in_the_gap_with_have_and_need() -> None:
    facts = Facts("E2", (("2026-03", "C"), ("2026-02", "A")), 7, {"communication": 70},
                  frozenset(), 2)  # fmt: skip
    r = readiness(POST, facts)
    assert not r.ready and r.met == 0
    assert [(c.requirement, c.ref, c.have, c.need) for c in r.gap] == [
        ("rating", "B", "1/3", "3/3"),  # two periods only, one of them below B
        ("tenure", "", "7", "12"),
        ("competency", "communication", "70", "80"),
        ("training", "courtesy", "0", "1"),
        ("complaints", "", "2", "0"),
    ]


def test_unknown_facts_do_not_count_as_met() -> None:
    r = readiness(POST, Facts("E3"))
    assert r.met == 0 and len(r.checks) == 5


def test_a_post_without_requirements_has_no_checks() -> None:
    r = readiness(Requirements(), Facts("E4"))
    assert r.checks == () and r.ready
