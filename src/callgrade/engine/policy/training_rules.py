"""Training rules: which gaps a person has propose which course of the standard's catalog.

A rule names one kind of gap and the training (a code of ``trainings``) that closes it; the
evaluation is :mod:`callgrade.engine.scoring.training`. They live apart from ``model.py`` so the
document's models stay one import and this section can be read on its own; the base settings are
the same (frozen, unknown keys refused).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KpiGap(_Model):
    """A KPI worse than its floor in ``periods`` consecutive rating periods."""

    kind: Literal["kpi_below_floor"]
    kpi: Code
    periods: int = Field(default=2, ge=1, le=24)
    # Without it, the floor of the KPI's item in the person's scorecard (and its direction).
    floor: float | None = None
    direction: Literal["higher_better", "lower_better"] = "higher_better"


class CompetencyGap(_Model):
    """A competency assessed below what the person's level (or the next one) requires."""

    kind: Literal["competency_below"]
    competency: Code
    level: Literal["current", "next"] = "current"


class RetrainGap(_Model):
    """The cycle's decision for the person is to retrain them."""

    kind: Literal["retrain"]


class BottomGap(_Model):
    """Among the last ``bottom`` of the peer group in a rating period (末位)."""

    kind: Literal["bottom_ranked"]
    bottom: int = Field(ge=1)


Gap = Annotated[KpiGap | CompetencyGap | RetrainGap | BottomGap, Field(discriminator="kind")]


class TrainingRule(_Model):
    code: Code
    when: Gap
    course: Code
    positions: tuple[Code, ...] = ()
    due_days: int = Field(default=30, ge=1, le=365)
