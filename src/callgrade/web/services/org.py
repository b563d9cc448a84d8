"""The organization from the warehouse roster: departments, teams, leads and employees."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from callgrade.engine.warehouse import Warehouse
from callgrade.web.models import Department, Employee, LevelChange, Team


def _local_date(ts: Any, tz: str) -> dt.date | None:
    if ts is None:
        return None
    return ts.astimezone(zoneinfo.ZoneInfo(tz)).date() if ts.tzinfo else ts.date()


def roster_sync(*, warehouse: Warehouse, tz: str = "Asia/Shanghai") -> dict[str, int]:
    """Create or update departments, teams and employees from the roster table; returns counts.

    Employees missing from the roster are kept (their history matters) but marked ``left``.
    """
    rows = warehouse.read("roster").to_pylist()
    created = updated = 0
    with transaction.atomic():
        depts = {d.name: d for d in Department.objects.all()}
        teams = {t.name: t for t in Team.objects.all()}
        for r in rows:
            dept_name = r.get("department") or ""
            if dept_name and dept_name not in depts:
                depts[dept_name] = Department.objects.create(name=dept_name)
            team_name = r.get("team") or ""
            if team_name and team_name not in teams:
                teams[team_name] = Team.objects.create(
                    name=team_name, department=depts.get(dept_name)
                )
        seen = set()
        for r in rows:
            seen.add(r["employee_id"])
            values = {
                "name": r.get("name") or r["employee_id"],
                "team": teams.get(r.get("team") or ""),
                "position": r.get("position") or "",
                "track": r.get("track") or "",
                "level": r.get("level") or "",
                "hire_date": _local_date(r.get("hire_date"), tz),
                "status": r.get("status") or "active",
            }
            emp, was_created = Employee.objects.get_or_create(
                employee_id=r["employee_id"], defaults=values
            )
            if was_created:
                created += 1
                emp.level_since = emp.hire_date
                emp.save(update_fields=["level_since"])
                LevelChange.objects.create(
                    employee=emp,
                    level_from="",
                    level_to=emp.level,
                    effective=emp.hire_date or dt.date.today(),
                    reason="roster",
                )
            elif any(getattr(emp, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(emp, k, v)
                emp.save()
                updated += 1
        left = Employee.objects.exclude(employee_id__in=seen).exclude(status="left")
        gone = left.update(status="left")
        by_id = {e.employee_id: e for e in Employee.objects.all()}
        for r in rows:
            team = teams.get(r.get("team") or "")
            lead = by_id.get(r.get("team_lead") or "")
            if team is not None and lead is not None and team.lead_id != lead.pk:
                team.lead = lead
                team.save(update_fields=["lead"])
    return {"created": created, "updated": updated, "left": gone}
