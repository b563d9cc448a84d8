"""What an integration may read: the pages' own access functions, applied to its acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from callgrade.cycles.access import results_visible
from callgrade.cycles.models import Cycle, Decision, KpiValue, PayLine, ScoreTotal
from callgrade.people.access import AnyUser, access, allowed, visible_employees
from callgrade.people.models import Employee, TrainingRecord

RESULTS: dict[str, Any] = {
    "kpis": KpiValue,
    "scorecards": ScoreTotal,
    "decisions": Decision,
    "pay": PayLine,
}


def people(user: AnyUser) -> QuerySet[Employee]:
    return visible_employees(user).select_related("team").order_by("employee_id")


def person(user: AnyUser, employee_id: str) -> Employee:
    employee: Employee = access(user, "employee", employee_id)
    return employee


def trainings(user: AnyUser, employee_id: str | None = None) -> QuerySet[TrainingRecord]:
    qs = TrainingRecord.objects.filter(employee__in=visible_employees(user))
    if employee_id:
        qs = qs.filter(employee__employee_id=employee_id)
    return qs.select_related("employee").order_by("employee__employee_id", "-completed_at", "-id")


def training_sent(ref: str) -> TrainingRecord | None:
    """The training an integration recorded under ``ref`` (its number, a colon, its own id)."""
    return TrainingRecord.objects.filter(source="api", source_ref=ref).first()


def cycles(user: AnyUser) -> list[Cycle]:
    """The cycles the user may see, newest first (there are few: one per grading period)."""
    return [
        c for c in Cycle.objects.order_by("-created_at", "-id") if allowed(user, "cycle", c, "view")
    ]


def cycle(user: AnyUser, cycle_id: int) -> Cycle:
    found: Cycle = access(user, "cycle", cycle_id)
    return found


def results(user: AnyUser, cycle_id: int, kind: str, filters: dict[str, str]) -> QuerySet[Any]:
    """One kind of stored result of a cycle, for the employees whose results the user may see."""
    found = cycle(user, cycle_id)
    qs = RESULTS[kind].objects.filter(cycle=found, employee__in=results_visible(user, found))
    if filters.get("employee_id"):
        qs = qs.filter(employee__employee_id=filters["employee_id"])
    if filters.get("period") and kind != "decisions":
        qs = qs.filter(period=filters["period"])
    return qs.select_related("employee").order_by("employee__employee_id", "pk")
