"""Reads for HR's cycle pages: the summary, the results table, the departures report, the audit
trail and the payroll rows — all from stored engine results, never recomputed here."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from callgrade.core.models import AuditEvent, Job
from callgrade.core.query import query_id
from callgrade.cycles.models import Calibration, Cycle, Decision, PayLine, ScoreTotal
from callgrade.cycles.services.cycles import population_queryset
from callgrade.people.models import Employee
from callgrade.review.models import Appeal, Nomination


def latest_job(cycle: Cycle) -> Job | None:
    return Job.objects.filter(cycle=cycle, kind="cycle_compute").order_by("-id").first()


def grade_codes(cycle: Cycle) -> list[str]:
    """The standard's rating codes, best first."""
    return [g.code for g in cycle.policy_version.policy().ratings.grades]


def _final_rating(rating: str) -> Q:
    return Q(calibrated_rating=rating) | Q(calibrated_rating="", rating=rating)


def _final_action(action: str) -> Q:
    return Q(final_action=action) | Q(final_action="", action=action)


def cycle_summary(cycle: Cycle) -> dict[str, Any]:
    """Employees graded, the final ratings by period, the decisions by action and the cash pay."""
    grades = grade_codes(cycle)
    by_period: dict[str, Counter[str]] = defaultdict(Counter)
    for period, rating, calibrated in ScoreTotal.objects.filter(cycle=cycle).values_list(
        "period", "rating", "calibrated_rating"
    ):
        by_period[period][calibrated or rating or "—"] += 1
    seen = {r for c in by_period.values() for r in c}
    ratings = [g for g in grades if g in seen] + sorted(seen - set(grades))
    actions: Counter[str] = Counter()
    for action, final in Decision.objects.filter(cycle=cycle).values_list("action", "final_action"):
        actions[final or action] += 1
    cash = PayLine.objects.filter(cycle=cycle, cash=True).aggregate(s=Sum("amount"))["s"]
    return {
        "employees": ScoreTotal.objects.filter(cycle=cycle)
        .values("employee_id")
        .distinct()
        .count(),
        "chart": {
            "ratings": ratings,
            "series": [
                {"name": p, "data": [by_period[p][r] for r in ratings]} for p in sorted(by_period)
            ],
        },
        "actions": sorted(actions.items()),
        "cash": cash or Decimal(0),
        "departures": Decision.objects.filter(cycle=cycle)
        .exclude(final_level="")
        .exclude(final_level=F("level_to"))
        .count(),
        "calibrations": Calibration.objects.filter(cycle=cycle).count(),
        "open_appeals": Appeal.objects.filter(cycle=cycle, state=Appeal.OPEN).count(),
    }


@dataclass
class ResultRow:
    employee: Employee
    totals: dict[str, ScoreTotal] = field(default_factory=dict)
    decision: Decision | None = None


def result_employees(cycle: Cycle, filters: dict[str, str]) -> QuerySet[Employee]:
    """The cycle's graded employees matching the filters (team, position, rating, action)."""
    ids = ScoreTotal.objects.filter(cycle=cycle)
    if filters.get("rating"):
        ids = ids.filter(_final_rating(filters["rating"]))
    qs = Employee.objects.filter(pk__in=ids.values("employee_id")).select_related("team")
    if filters.get("team"):
        team = query_id(filters["team"])
        qs = qs.filter(team_id=team) if team is not None else qs.none()
    if filters.get("position"):
        qs = qs.filter(position=filters["position"])
    if filters.get("action"):
        acted = Decision.objects.filter(cycle=cycle).filter(_final_action(filters["action"]))
        qs = qs.filter(pk__in=acted.values("employee_id"))
    return qs.order_by("employee_id")


def result_rows(cycle: Cycle, employees: list[Employee]) -> list[ResultRow]:
    rows = {e.pk: ResultRow(e) for e in employees}
    for t in ScoreTotal.objects.filter(cycle=cycle, employee_id__in=list(rows)):
        rows[t.employee_id].totals[t.period] = t
    for d in Decision.objects.filter(cycle=cycle, employee_id__in=list(rows)):
        rows[d.employee_id].decision = d
    return list(rows.values())


def cycle_periods(cycle: Cycle) -> list[str]:
    return sorted(
        ScoreTotal.objects.filter(cycle=cycle).values_list("period", flat=True).distinct()
    )


def cycle_actions(cycle: Cycle) -> list[str]:
    qs = Decision.objects.filter(cycle=cycle)
    found = set(qs.values_list("action", flat=True)) | set(
        qs.exclude(final_action="").values_list("final_action", flat=True)
    )
    return sorted(found)


@dataclass(frozen=True)
class Departure:
    kind: str  # "decision" or "calibration"
    employee: Employee
    period: str
    proposed: str
    final: str
    who: str
    at: Any
    reason: str


def departures(cycle: Cycle) -> list[Departure]:
    """Every final decision that differs from the engine's proposal and every calibration, with
    who decided and why."""
    who: dict[str, tuple[str, Any]] = {}
    for e in (
        AuditEvent.objects.filter(action="decision_override", after__cycle=cycle.pk)
        .select_related("actor")
        .order_by("at", "id")
    ):
        who[str((e.after or {}).get("employee"))] = (_name(e.actor), e.at)
    for n in Nomination.objects.filter(cycle=cycle, state=Nomination.APPROVED).select_related(
        "employee", "decided_by"
    ):
        who.setdefault(n.employee.employee_id, (_name(n.decided_by), n.decided_at))
    out: list[Departure] = []
    decisions = (
        Decision.objects.filter(cycle=cycle)
        .exclude(final_level="")
        .exclude(final_level=F("level_to"))
        .select_related("employee")
        .order_by("employee__employee_id")
    )
    for d in decisions:
        name, at = who.get(d.employee.employee_id, ("", None))
        out.append(
            Departure(
                "decision",
                d.employee,
                "",
                f"{d.level_to} ({d.action})",
                f"{d.final_level} ({d.final_action})",
                name,
                at,
                d.final_reason,
            )
        )
    computed = {(t.employee_id, t.period): t.rating for t in ScoreTotal.objects.filter(cycle=cycle)}
    for c in (
        Calibration.objects.filter(cycle=cycle)
        .select_related("employee", "by")
        .order_by("employee__employee_id", "period")
    ):
        out.append(
            Departure(
                "calibration",
                c.employee,
                c.period,
                computed.get((c.employee_id, c.period), ""),
                c.rating,
                _name(c.by),
                c.at,
                c.reason,
            )
        )
    return out


def _name(user: Any) -> str:
    return user.get_username() if user is not None else ""


def audit_trail(cycle: Cycle) -> QuerySet[AuditEvent]:
    """The audit events about the cycle and its objects: the cycle itself, events that name it
    (calibrations, comments, overrides, appeals filed), its decisions, appeals and nominations."""
    ids = {
        "appeal": [str(i) for i in Appeal.objects.filter(cycle=cycle).values_list("pk", flat=True)],
        "nomination": [
            str(i) for i in Nomination.objects.filter(cycle=cycle).values_list("pk", flat=True)
        ],
        "decision": [
            str(i) for i in Decision.objects.filter(cycle=cycle).values_list("pk", flat=True)
        ],
    }
    q = Q(object_type="cycle", object_id=str(cycle.pk)) | Q(after__cycle=cycle.pk)
    q |= Q(before__cycle=cycle.pk)
    for kind, pks in ids.items():
        if pks:
            q |= Q(object_type=kind, object_id__in=pks)
    return AuditEvent.objects.filter(q).select_related("actor").order_by("-at", "-id")


def step_reach(cycle: Cycle) -> tuple[int, int]:
    """(employees the cycle grades, employees whose level its decisions change): what
    publishing and closing reach."""
    graded = population_queryset(cycle).count()
    moves = sum(
        1
        for d in Decision.objects.filter(cycle=cycle).select_related("employee")
        if (d.final_level or d.level_to) not in ("", d.employee.level)
    )
    return graded, moves
