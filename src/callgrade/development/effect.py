"""Did a course work? The engine's training effect (difference in differences,
:mod:`callgrade.engine.analysis.training_effect`) from what the app already keeps: the monthly
KPI values the grading cycles stored (``cycles.KpiValue``), the people's positions and their
training records (``cycles.services.training``). No warehouse read, so the report page computes
it as it renders.

Of a month computed by several cycles, the latest computation's value counts (a recompute after
a correction replaces the figure people were graded on). Only the KPIs of the standard in force
are analysed; a cycle whose rating period is not a month contributes nothing.
"""

from __future__ import annotations

from callgrade.cycles.selectors.training import (
    EffectRow,
    effect_header,
    effect_table_rows,
    effect_text_rows,
)
from callgrade.cycles.services.training import MIN_SAMPLE, MONTH, effect_inputs
from callgrade.development.models import Course
from callgrade.development.words import names
from callgrade.engine.analysis.training_effect import training_effect

__all__ = [
    "MIN_SAMPLE", "MONTH", "EffectRow", "effect_header", "effect_inputs", "effect_rows",
    "effect_table_rows",
]  # fmt: skip


def effect_rows(*, min_sample: int = MIN_SAMPLE) -> list[EffectRow]:
    """The effect table for the page, one row per course and KPI, in the reader's words."""
    completed, monthly, positions, directions = effect_inputs()
    if not completed or monthly.num_rows == 0:
        return []
    table = training_effect(completed, monthly, positions, directions, min_sample=min_sample)
    courses = {c.training: str(c) for c in Course.objects.all() if str(c)}
    titles = {**names()["trainings"], **courses}
    return effect_text_rows(table.to_pylist(), titles, min_sample=min_sample)
