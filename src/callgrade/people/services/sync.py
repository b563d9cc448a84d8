"""Ingested people files (roster, level history, trainings, competency assessments) imported into
the application database, the record of people.

The warehouse holds what files said; the app holds what is true now. Importing is idempotent and
never undoes what people changed in the app: a warehouse record already imported is skipped, and
a roster row is applied only where it differs from the same row as last imported (so a level HR
set on the employee page stands until a newer roster file says otherwise). Every cycle
computation runs this first, so a file ingested since the last one reaches grading.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from callgrade.core.audit import audit
from callgrade.engine.warehouse import Warehouse, WarehouseReader
from callgrade.people.models import (
    CompetencyAssessment,
    Department,
    Employee,
    LevelChange,
    Team,
    TrainingRecord,
)
from callgrade.people.services.org_import import employee_values
from callgrade.people.services.records import assignment_record

SOURCE = "warehouse"
ROSTER_FIELDS = ("name", "team", "position", "track", "level", "hire_date", "status")


def _day(ts: Any, tz: zoneinfo.ZoneInfo) -> dt.date | None:
    if ts is None:
        return None
    return ts.astimezone(tz).date() if ts.tzinfo else ts.date()


def _roster_values(r: dict[str, Any], tz: zoneinfo.ZoneInfo) -> dict[str, str]:
    """A roster row as the text the app compares and keeps (``roster_row``)."""
    hired = _day(r.get("hire_date"), tz)
    return {
        "name": r.get("name") or r["employee_id"],
        "team": r.get("team") or "",
        "team_lead": r.get("team_lead") or "",
        "department": r.get("department") or "",
        "position": r.get("position") or "",
        "track": r.get("track") or "",
        "level": r.get("level") or "",
        "hire_date": hired.isoformat() if hired else "",
        "status": r.get("status") or "active",
    }


def _set(emp: Employee, name: str, value: str, teams: dict[str, Team]) -> None:
    if name == "team":
        emp.team = teams.get(value) if value else None
    elif name == "hire_date":
        emp.hire_date = dt.date.fromisoformat(value) if value else None
    else:
        setattr(emp, name, value)


def import_roster(wh: WarehouseReader, tz: zoneinfo.ZoneInfo, today: dt.date) -> dict[str, int]:
    rows = wh.read("roster").to_pylist()
    counts = {"created": 0, "updated": 0, "left": 0}
    depts = {d.name: d for d in Department.objects.all()}
    teams = {t.name: t for t in Team.objects.all()}
    for r in rows:
        dept = r.get("department") or ""
        if dept and dept not in depts:
            depts[dept] = Department.objects.create(name=dept)
        team = r.get("team") or ""
        if team and team not in teams:
            teams[team] = Team.objects.create(name=team, department=depts.get(dept))
    employees = {e.employee_id: e for e in Employee.objects.select_related("team")}
    seen: set[str] = set()
    leads: list[tuple[str, str]] = []
    for r in rows:
        new = _roster_values(r, tz)
        seen.add(r["employee_id"])
        emp = employees.get(r["employee_id"])
        if emp is None:
            emp = Employee(employee_id=r["employee_id"], roster_row=new)
            for name in ROSTER_FIELDS:
                _set(emp, name, new[name], teams)
            emp.level_since = emp.hire_date
            emp.save()
            employees[emp.employee_id] = emp
            assignment_record(
                employee=emp, effective=emp.hire_date or today, reason=f"roster {r['source']}"
            )
            if emp.level:
                LevelChange.objects.create(
                    employee=emp,
                    level_from="",
                    level_to=emp.level,
                    effective=emp.hire_date or today,
                    reason=f"roster {r['source']}",
                )
            counts["created"] += 1
            leads.append((new["team"], new["team_lead"]))
            continue
        old = emp.roster_row or {}
        if old == new:
            continue
        before = employee_values(emp)
        # only what the file changed since it was last imported; the app's own edits stand
        changed = {f: new[f] for f in ROSTER_FIELDS if new[f] != old.get(f) and new[f] != before[f]}
        if "level" in changed:
            LevelChange.objects.create(
                employee=emp,
                level_from=emp.level,
                level_to=changed["level"],
                effective=today,
                reason=f"roster {r['source']}",
            )
            emp.level_since = today
        for name, value in changed.items():
            _set(emp, name, value, teams)
        emp.roster_row = new
        emp.save()
        if "team" in changed or "position" in changed:
            assignment_record(employee=emp, effective=today, reason=f"roster {r['source']}")
        if changed:
            counts["updated"] += 1
            audit(
                None,
                "employee_roster_import",
                emp,
                before={f: before[f] for f in changed},
                after=changed,
                reason=f"roster {r['source']}",
            )
        if new["team_lead"] != old.get("team_lead") or new["team"] != old.get("team"):
            leads.append((new["team"], new["team_lead"]))
    for team_name, lead_id in leads:
        team_obj = teams.get(team_name)
        lead = employees.get(lead_id)
        if team_obj is not None and lead is not None and team_obj.lead_id != lead.pk:
            team_obj.lead = lead
            team_obj.save(update_fields=["lead"])
    # only those the roster brought in leave with it; people added in the app are the app's
    gone = Employee.objects.filter(roster_row__isnull=False).exclude(employee_id__in=seen)
    counts["left"] = gone.exclude(status="left").update(status="left")
    return counts


def _employees() -> dict[str, Employee]:
    return {e.employee_id: e for e in Employee.objects.all()}


def _known(model: Any) -> set[str]:
    return set(model.objects.filter(source=SOURCE).values_list("source_ref", flat=True))


def import_level_history(wh: WarehouseReader, tz: zoneinfo.ZoneInfo, today: dt.date) -> int:
    employees = _employees()
    known = {
        (c.employee.employee_id, c.level_to, c.effective)
        for c in LevelChange.objects.select_related("employee")
    }
    made = []
    for r in wh.read("level_history").to_pylist():
        emp = employees.get(r["employee_id"])
        day = _day(r["effective"], tz)
        if emp is None or day is None or (emp.employee_id, r["level"], day) in known:
            continue
        known.add((emp.employee_id, r["level"], day))
        made.append(
            LevelChange(
                employee=emp,
                level_from=r.get("level_from") or "",
                level_to=r["level"],
                effective=day,
                reason=r.get("reason") or f"level history {r['source']}",
            )
        )
    LevelChange.objects.bulk_create(made)
    # the employee's level is the latest entry in effect today, so the app agrees with the history
    for emp in {c.employee.pk: c.employee for c in made}.values():
        latest = (
            LevelChange.objects.filter(employee=emp, effective__lte=today)
            .order_by("-effective", "-id")
            .first()
        )
        if latest is not None and (emp.level, emp.level_since) != (
            latest.level_to,
            latest.effective,
        ):
            emp.level, emp.level_since = latest.level_to, latest.effective
            emp.save(update_fields=["level", "level_since"])
    return len(made)


def import_trainings(wh: WarehouseReader, tz: zoneinfo.ZoneInfo) -> int:
    employees = _employees()
    known = _known(TrainingRecord)
    made = [
        TrainingRecord(
            employee=employees[r["employee_id"]],
            training=r["training"],
            completed_at=_day(r["completed_at"], tz),
            exam_score=r.get("exam_score"),
            passed=r.get("passed"),
            certificate=r.get("certificate") or "",
            expires_at=_day(r.get("expires_at"), tz),
            source=SOURCE,
            source_ref=r["training_record_id"],
        )
        for r in wh.read("trainings").to_pylist()
        if r["training_record_id"] not in known and r["employee_id"] in employees
    ]
    TrainingRecord.objects.bulk_create(made, batch_size=2000)
    return len(made)


def import_assessments(wh: WarehouseReader, tz: zoneinfo.ZoneInfo) -> int:
    employees = _employees()
    known = _known(CompetencyAssessment)
    made = [
        CompetencyAssessment(
            employee=employees[r["employee_id"]],
            competency=r["competency"],
            score=r["score"],
            method=r.get("method") or "",
            assessed_at=_day(r["assessed_at"], tz),
            assessor=r.get("assessor") or "",
            source=SOURCE,
            source_ref=r["assessment_id"],
        )
        for r in wh.read("competency_assessments").to_pylist()
        if r["assessment_id"] not in known and r["employee_id"] in employees
    ]
    CompetencyAssessment.objects.bulk_create(made, batch_size=2000)
    return len(made)


def people_import_warehouse(*, warehouse: Warehouse, time_zone: str) -> dict[str, Any]:
    """Import what the warehouse's people tables hold and the app does not yet; returns counts."""
    tz = zoneinfo.ZoneInfo(time_zone)
    today = timezone.localdate()
    # one snapshot: the four tables as one commit left them
    with warehouse.snapshot() as snap, transaction.atomic():
        roster = import_roster(snap, tz, today)
        return {
            "roster": roster,
            "level_history": import_level_history(snap, tz, today),
            "trainings": import_trainings(snap, tz),
            "assessments": import_assessments(snap, tz),
        }
