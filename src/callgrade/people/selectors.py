"""Reads for the organization pages (HR): departments, teams, positions and employees."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from callgrade.core.models import AuditEvent
from callgrade.core.query import query_id
from callgrade.people.models import Department, Employee, Position, Team

# --- reads for the organization pages (HR) -------------------------------------------------------

EMPLOYEE_FILTERS = ("q", "team", "position", "level", "status")


def org_overview(lang: str) -> dict[str, Any]:
    """Departments with their teams (lead, member count), teams outside any department, and the
    positions with their duties in the active language."""
    teams = list(
        Team.objects.select_related("lead", "department")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )
    by_dept: dict[int | None, list[Team]] = {}
    for t in teams:
        by_dept.setdefault(t.department_id, []).append(t)
    departments = [
        {"department": d, "teams": by_dept.get(d.pk, [])} for d in Department.objects.all()
    ]
    zh = lang.startswith("zh")
    positions = [
        {
            "code": p.code,
            "label": (p.label_zh if zh else p.label_en) or p.code,
            "track": p.track,
            "ladder": p.ladder,
            "duties": [(d.get("zh") if zh else d.get("en")) or "" for d in p.duties],
            "headcount": counts,
        }
        for p, counts in _position_headcounts()
    ]
    return {
        "departments": departments,
        "loose_teams": by_dept.get(None, []),
        "positions": positions,
        "employee_count": Employee.objects.count(),
        "unassigned": Employee.objects.filter(team__isnull=True).count(),
    }


def _position_headcounts() -> list[tuple[Position, int]]:
    counts = dict(
        Employee.objects.exclude(status="left")
        .values_list("position")
        .annotate(n=Count("id"))
        .values_list("position", "n")
    )
    return [(p, counts.get(p.code, 0)) for p in Position.objects.all()]


def employees_search(employees: Any, params: Any) -> Any:
    """``employees`` (a queryset the user may see) narrowed by the list page's filters: ``q``
    (id or name), ``team`` (a team id, or ``none``), ``position``, ``level`` and ``status``."""
    q = (params.get("q") or "").strip()
    if q:
        employees = employees.filter(Q(employee_id__icontains=q) | Q(name__icontains=q))
    team = params.get("team") or ""
    if team == "none":
        employees = employees.filter(team__isnull=True)
    elif team:
        # an id that cannot be a team's finds nobody, as a team that no longer exists
        team_id = query_id(team)
        employees = employees.filter(team_id=team_id) if team_id is not None else employees.none()
    for name in ("position", "level", "status"):
        value = params.get(name) or ""
        if value:
            employees = employees.filter(**{name: value})
    return employees.select_related("team", "team__department").order_by("employee_id")


def employee_filter_choices() -> dict[str, Any]:
    values = Employee.objects.order_by()
    return {
        "teams": Team.objects.order_by("name"),
        "positions": sorted(set(values.values_list("position", flat=True)) - {""}),
        "levels": sorted(set(values.values_list("level", flat=True)) - {""}),
        "statuses": sorted(set(values.values_list("status", flat=True)) - {""}),
    }


def employee_detail(employee: Employee) -> dict[str, Any]:
    """The level history and the position and team history (newest first) and the audit trail
    of one employee."""
    return {
        "history": list(
            employee.level_history.select_related("cycle").order_by("-effective", "-id")
        ),
        "assignments": list(
            employee.assignments.select_related("team").order_by("-effective", "-id")
        ),
        "led_teams": list(employee.teams_led.all()),
        "events": list(
            AuditEvent.objects.filter(
                object_type="employee", object_id=str(employee.pk)
            ).select_related("actor")[:50]
        ),
    }
