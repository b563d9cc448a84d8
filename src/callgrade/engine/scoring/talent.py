"""How ready a person is for a key post (班长/组长, quality inspector, trainer, senior
specialist): each requirement HR set, checked against the person's record, with what they have,
what is needed and the evidence, so the gap is explicit.

A pure function of explicit inputs; the application reads the ratings, competency scores,
trainings and complaints from its records and hands them over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Requirement = Literal["rating", "tenure", "competency", "training", "complaints"]


@dataclass(frozen=True)
class Requirements:
    """What a key post asks for. ``grades`` lists the standard's ratings best first, so "at
    least B" can be read; ``rating_periods`` is how many latest rating periods must meet it."""

    grades: tuple[str, ...] = ()
    min_rating: str = ""
    rating_periods: int = 0
    min_tenure_months: int | None = None
    competencies: Mapping[str, float] = field(default_factory=dict)
    trainings: tuple[str, ...] = ()
    max_major_complaints: int | None = None


@dataclass(frozen=True)
class Facts:
    """A person's record: ``ratings`` as (period, rating), newest first; competency scores (the
    latest of each); trainings held (passed, not lapsed); major complaints over the periods
    counted (None when unknown)."""

    employee_id: str
    ratings: tuple[tuple[str, str], ...] = ()
    tenure_months: float | None = None
    competencies: Mapping[str, float] = field(default_factory=dict)
    trainings: frozenset[str] = frozenset()
    major_complaints: int | None = None


@dataclass(frozen=True)
class Check:
    requirement: Requirement
    ref: str  # the rating, competency or training required ("" for tenure and complaints)
    holds: bool
    have: str  # what the person has, as a plain value ("" when there is nothing)
    need: str
    evidence: tuple[str, ...] = ()  # e.g. the periods and ratings looked at


@dataclass(frozen=True)
class Readiness:
    employee_id: str
    checks: tuple[Check, ...]

    @property
    def met(self) -> int:
        return sum(c.holds for c in self.checks)

    @property
    def ready(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def gap(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.holds)


def _rating_check(req: Requirements, facts: Facts) -> Check:
    rank = {g: i for i, g in enumerate(req.grades)}
    looked = facts.ratings[: req.rating_periods]
    bar = rank.get(req.min_rating, -1)
    good = [p for p, r in looked if r in rank and rank[r] <= bar]
    holds = len(looked) == req.rating_periods and len(good) == req.rating_periods
    return Check(
        "rating",
        req.min_rating,
        holds,
        have=f"{len(good)}/{req.rating_periods}",
        need=f"{req.rating_periods}/{req.rating_periods}",
        evidence=tuple(f"{p}: {r}" for p, r in looked),
    )


def readiness(req: Requirements, facts: Facts) -> Readiness:
    """Each requirement the post sets, in a fixed order, checked for ``facts``."""
    checks: list[Check] = []
    if req.min_rating and req.rating_periods > 0:
        checks.append(_rating_check(req, facts))
    if req.min_tenure_months is not None:
        have = facts.tenure_months
        checks.append(
            Check("tenure", "", have is not None and have >= req.min_tenure_months,
                  have="" if have is None else f"{have:.0f}", need=str(req.min_tenure_months))
        )  # fmt: skip
    for code, need in sorted(req.competencies.items()):
        score = facts.competencies.get(code)
        checks.append(
            Check("competency", code, score is not None and score >= need,
                  have="" if score is None else f"{score:g}", need=f"{need:g}")
        )  # fmt: skip
    for code in req.trainings:
        held = code in facts.trainings
        checks.append(Check("training", code, held, have="1" if held else "0", need="1"))
    if req.max_major_complaints is not None:
        n = facts.major_complaints
        checks.append(
            Check("complaints", "", n is not None and n <= req.max_major_complaints,
                  have="" if n is None else str(n), need=str(req.max_major_complaints))
        )  # fmt: skip
    return Readiness(facts.employee_id, tuple(checks))
