"""The ``coaching_rules`` section: who a team lead should have a conversation with this week.

Kept apart from :mod:`callgrade.engine.policy.model` (the grading rules) because nothing here
changes a score, a rating or a level: the rules only point a lead at people, each with the
evidence that made the rule fire (``engine/scoring/coaching.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
WarningAction = Literal["demote", "retrain", "demote_and_retrain"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KpiDrop(_Model):
    """A KPI that got worse against the rating period before by at least ``percent`` percent."""

    percent: float = Field(gt=0, le=100)
    kpis: tuple[Code, ...] = ()


class CoachingRules(_Model):
    positions: tuple[Code, ...] = ()
    below_floor: bool = True
    drop: KpiDrop | None = None
    decisions: tuple[WarningAction, ...] = ("demote", "retrain", "demote_and_retrain")
    no_coaching_weeks: int | None = Field(default=None, ge=1, le=104)
