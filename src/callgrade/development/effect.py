"""Did a course work? The engine's training effect (difference in differences,
:mod:`callgrade.engine.analysis.training_effect`) from what the app already keeps: the monthly
KPI values the grading cycles stored (``cycles.KpiValue``), the people's positions and their
training records. No warehouse read, so the report page computes it as it renders.

Of a month computed by several cycles, the latest computation's value counts (a recompute after
a correction replaces the figure people were graded on). Only the KPIs of the standard in force
are analysed; a cycle whose rating period is not a month contributes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.utils.translation import gettext as _

from callgrade.cycles.models import KpiValue
from callgrade.development.models import Course
from callgrade.development.words import lang, names
from callgrade.engine.analysis.training_effect import Completion, training_effect
from callgrade.engine.kpis import REGISTRY
from callgrade.people.models import Employee, TrainingRecord
from callgrade.standards.services import policy_current
from callgrade.standards.text import kpi_label, value_text

MONTH = re.compile(r"^\d{4}-\d{2}$")
MIN_SAMPLE = 5


def effect_inputs() -> tuple[list[Completion], pa.Table, dict[str, str | None], dict[str, str]]:
    """The engine's inputs from the database: completions, monthly KPI values, positions and
    each KPI's good direction."""
    version = policy_current()
    kpis = [k for k in (version.policy().kpi_codes() if version else ()) if k in REGISTRY]
    latest: dict[tuple[str, str, str], float | None] = {}
    rows = (
        KpiValue.objects.filter(kpi__in=kpis)
        .order_by("cycle__computed_at", "cycle_id")
        .values_list("employee__employee_id", "period", "kpi", "value")
    )
    for emp, period, kpi, value in rows:
        if MONTH.match(period):
            latest[(emp, period, kpi)] = value
    monthly = pa.Table.from_pylist(
        [{"period": p, "entity_id": e, "kpi": k, "value": v} for (e, p, k), v in latest.items()],
        schema=pa.schema([("period", pa.string()), ("entity_id", pa.string()),
                          ("kpi", pa.string()), ("value", pa.float64())]),
    )  # fmt: skip
    completed = [
        Completion(emp, training, day)
        for emp, training, day, passed in TrainingRecord.objects.values_list(
            "employee__employee_id", "training", "completed_at", "passed"
        )
        if passed is not False  # a failed exam is not a completion (the engine's rule)
    ]
    positions: dict[str, str | None] = dict(Employee.objects.values_list("employee_id", "position"))
    directions: dict[str, str] = {k: REGISTRY[k].direction for k in kpis}
    return completed, monthly, positions, directions


@dataclass
class EffectRow:
    course: str
    kpi: str
    trained_n: int
    comparison_n: int
    excluded_n: int
    cohorts: str
    trained: str  # before → after
    comparison: str
    improvement: str
    improvement_value: float | None
    verdict: str
    sample: str
    small_sample: bool


def _fmt(value: float | None, unit: str) -> str:
    return value_text(value, unit, lang()) if value is not None else "—"


def effect_rows(*, min_sample: int = MIN_SAMPLE) -> list[EffectRow]:
    """The effect table for the page, one row per course and KPI, in the reader's words."""
    completed, monthly, positions, directions = effect_inputs()
    if not completed or monthly.num_rows == 0:
        return []
    table = training_effect(completed, monthly, positions, directions, min_sample=min_sample)
    titles = {c.training: str(c) for c in Course.objects.all()}
    known = names()["trainings"]
    out = []
    for r in table.to_pylist():
        d = REGISTRY[r["kpi"]]
        unit = d.unit
        better = r["improvement"]
        if better is None:
            verdict = _("no trainee with values before and after")
        elif better > 0:
            verdict = _("better than the comparison group")
        elif better < 0:
            verdict = _("worse than the comparison group")
        else:
            verdict = _("no difference")
        sample = (
            _("small sample (fewer than %(n)s people on a side): do not rely on it")
            if r["small_sample"]
            else _("enough people on both sides")
        ) % {"n": min_sample}
        out.append(EffectRow(
            course=titles.get(r["course"]) or known.get(r["course"], _("a training")),
            kpi=kpi_label(r["kpi"], lang()),
            trained_n=r["trained_n"], comparison_n=r["comparison_n"],
            excluded_n=r["excluded_n"], cohorts=r["cohorts"],
            trained=f"{_fmt(r['trained_before'], unit)} → {_fmt(r['trained_after'], unit)}",
            comparison=f"{_fmt(r['comparison_before'], unit)} → "
                       f"{_fmt(r['comparison_after'], unit)}",
            improvement=_signed(better, unit), improvement_value=better,
            verdict=verdict, sample=sample, small_sample=r["small_sample"],
        ))  # fmt: skip
    return out


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = _fmt(abs(value), unit)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def effect_header() -> list[str]:
    return [
        _("Course"), _("KPI"), _("Trainees"), _("Comparison colleagues"), _("Left out"),
        _("Months of training"), _("Trainees before → after"), _("Comparison before → after"),
        _("Improvement"), _("Reading"), _("Sample"),
    ]  # fmt: skip


def effect_table_rows(rows: list[EffectRow]) -> list[list[Any]]:
    return [
        [r.course, r.kpi, r.trained_n, r.comparison_n, r.excluded_n, r.cohorts, r.trained,
         r.comparison, r.improvement, r.verdict, r.sample]
        for r in rows
    ]  # fmt: skip
