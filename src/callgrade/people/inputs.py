"""The engine's cycle inputs built from the application database, the record of people.

The roster is every employee as the app holds them; the level history, trainings, competency
assessments and active corrections are the app's rows in the engine's canonical shapes. Dates
are the organization's calendar days, handed to the engine as local midnights of the standard's
time zone (the canonical tables store UTC instants).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.utils import timezone

from callgrade.engine.people import CycleInputs
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse
from callgrade.people.models import (
    Assignment,
    CompetencyAssessment,
    Correction,
    Employee,
    LevelChange,
    TrainingRecord,
)

APP = "app"


def warehouse() -> Warehouse:
    return Warehouse(Path(settings.DATA_DIR))


def _midnight(day: dt.date | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = TABLES[name].schema
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


def _assignments_on(day: dt.date) -> dict[int, Assignment]:
    """Each employee's position and team on ``day``: the latest assignment effective by then."""
    held: dict[int, Assignment] = {}
    assignments = Assignment.objects.filter(effective__lte=day).select_related(
        "team", "team__lead", "team__department"
    )
    for a in assignments.order_by("effective", "id"):
        held[a.employee_id] = a
    return held


def roster_table(tz: zoneinfo.ZoneInfo, as_of: dt.date | None = None) -> pa.Table:
    """Every employee; with ``as_of``, in the position and team held that day (the position and
    team history), otherwise as they are now."""
    held = _assignments_on(as_of) if as_of is not None else {}
    rows = []
    for e in Employee.objects.select_related("team", "team__department", "team__lead").order_by(
        "employee_id"
    ):
        then = held.get(e.pk)
        team = then.team if then is not None else e.team
        rows.append(
            {
                "employee_id": e.employee_id,
                "name": e.name,
                "team": team.name if team else None,
                "team_lead": team.lead.employee_id if team and team.lead else None,
                "department": team.department.name if team and team.department else None,
                "position": (then.position if then is not None else e.position) or None,
                "track": e.track or None,
                "level": e.level or None,
                "hire_date": _midnight(e.hire_date, tz),
                "status": e.status or None,
                "source": APP,
                "source_ref": f"employee:{e.pk}",
            }
        )
    return _table("roster", rows)


def level_history_table(tz: zoneinfo.ZoneInfo) -> pa.Table:
    changes = LevelChange.objects.select_related("employee").order_by("effective", "id")
    return _table(
        "level_history",
        [
            {
                "change_id": str(c.pk),
                "employee_id": c.employee.employee_id,
                "level": c.level_to,
                "effective": _midnight(c.effective, tz),
                "level_from": c.level_from or None,
                "reason": c.reason or None,
                "source": APP,
                "source_ref": f"level_change:{c.pk}",
            }
            for c in changes
            if c.level_to
        ],
    )


def trainings_table(tz: zoneinfo.ZoneInfo) -> pa.Table:
    records = TrainingRecord.objects.select_related("employee").order_by("completed_at", "id")
    return _table(
        "trainings",
        [
            {
                "training_record_id": str(t.pk),
                "employee_id": t.employee.employee_id,
                "training": t.training,
                "completed_at": _midnight(t.completed_at, tz),
                "exam_score": t.exam_score,
                "passed": t.passed,
                "certificate": t.certificate or None,
                "expires_at": _midnight(t.expires_at, tz),
                "source": t.source,
                "source_ref": t.source_ref or f"training:{t.pk}",
            }
            for t in records
        ],
    )


def assessments_table(tz: zoneinfo.ZoneInfo) -> pa.Table:
    records = CompetencyAssessment.objects.select_related("employee").order_by("assessed_at", "id")
    return _table(
        "competency_assessments",
        [
            {
                "assessment_id": str(a.pk),
                "employee_id": a.employee.employee_id,
                "competency": a.competency,
                "score": a.score,
                "assessed_at": _midnight(a.assessed_at, tz),
                "method": a.method or None,
                "assessor": a.assessor or None,
                "source": a.source,
                "source_ref": a.source_ref or f"assessment:{a.pk}",
            }
            for a in records
        ],
    )


def corrections_table() -> pa.Table:
    return _table(
        "corrections",
        [
            {
                "correction_id": str(c.pk),
                "target_table": c.target_table,
                "record_id": c.record_id,
                "field": c.field or None,
                "value": c.value if c.field else None,
                "reason": c.reason,
                "corrected_at": c.at,
                "source": APP,
                "source_ref": f"correction:{c.pk}",
            }
            for c in Correction.objects.filter(active=True).order_by("at", "id")
        ],
    )


def cycle_inputs(time_zone: str, as_of: dt.date | None = None) -> CycleInputs:
    """Everything a cycle or a simulation is computed from, as the app holds it now; with
    ``as_of`` (the cycle's last day), everyone in the position and team they held then. Levels
    are dated by the level history, which the engine reads itself."""
    tz = zoneinfo.ZoneInfo(time_zone or timezone.get_current_timezone_name())
    return CycleInputs(
        facts=warehouse(),
        roster=roster_table(tz, as_of),
        level_history=level_history_table(tz),
        trainings=trainings_table(tz),
        assessments=assessments_table(tz),
        corrections=corrections_table(),
    )


def record_value(table: str, record_id: str, field: str) -> str:
    """One field of a KPI source record as every computation reads it now (with the active
    corrections applied), as text; "" when the record is not found."""
    import ibis

    from callgrade.engine.kpis import open_tables

    tables = open_tables(ibis.duckdb.connect(), warehouse(), corrections_table())
    if table not in tables or field not in tables[table].columns:
        return ""
    t = tables[table]
    rows = t.filter(t[TABLES[table].key] == record_id).select(field).limit(1).to_pyarrow()
    if rows.num_rows == 0:
        return ""
    value = rows.column(0)[0].as_py()
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
