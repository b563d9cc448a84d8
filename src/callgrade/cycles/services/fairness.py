"""Running a cycle's fairness audit: its explicit inputs are built from the stored results, the
calibrations and decisions with who made them, and the roster attributes; the engine
(``engine.analysis.fairness``) computes; the result is kept per cycle."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from callgrade.core.audit import audit
from callgrade.core.models import AuditEvent
from callgrade.cycles.models import Calibration, Cycle, Decision, FairnessAudit, ScoreTotal
from callgrade.engine.analysis.fairness import Change, Person, RatingRecord, fairness_audit
from callgrade.people.models import Employee, RosterAttribute
from callgrade.review.models import Nomination


def _username(user: Any) -> str:
    return user.get_username() if user is not None else ""


def _ladders(cycle: Cycle) -> dict[str, list[str]]:
    """position → its ladder's level codes, lowest first."""
    policy = cycle.policy_version.policy()
    ladders = {la.code: [lv.code for lv in la.ordered()] for la in policy.ladders}
    return {p.code: ladders.get(p.ladder, []) for p in policy.positions}


def _step(order: list[str], before: str, after: str, *, better_first: bool) -> int:
    """+1 when ``after`` is above ``before`` in ``order``, -1 below, 0 otherwise."""
    if before not in order or after not in order or before == after:
        return 0
    up = order.index(after) < order.index(before)
    return (1 if up else -1) if better_first else (-1 if up else 1)


def _deciders(cycle: Cycle) -> dict[str, str]:
    """employee id → who set the final level that departs from the proposal (the latest
    override, else the approver of the nomination behind it)."""
    who: dict[str, str] = {}
    for n in Nomination.objects.filter(cycle=cycle, state=Nomination.APPROVED).select_related(
        "employee", "decided_by"
    ):
        who[n.employee.employee_id] = _username(n.decided_by)
    for e in (
        AuditEvent.objects.filter(action="decision_override", after__cycle=cycle.pk)
        .select_related("actor")
        .order_by("at", "id")
    ):
        who[str((e.after or {}).get("employee"))] = _username(e.actor)
    return who


def fairness_inputs(
    cycle: Cycle,
) -> tuple[list[RatingRecord], list[str], list[Change], list[Person]]:
    """The engine's inputs for ``cycle``: every final rating with team, lead and approver; the
    calibrations and departures with who made them; each graded employee's outcomes and roster
    attributes."""
    grades = [g.code for g in cycle.policy_version.policy().ratings.grades]
    calibrations = {
        (c.employee_id, c.period): c
        for c in Calibration.objects.filter(cycle=cycle).select_related("by")
    }
    graded = ScoreTotal.objects.filter(cycle=cycle)
    # the stored rows without the engine's whole row (``detail``): a large cycle has many
    totals = list(
        graded.only("employee_id", "period", "rating", "calibrated_rating").order_by(
            "employee_id", "period"
        )
    )
    employees = {
        e.pk: e
        for e in Employee.objects.filter(pk__in=graded.values("employee_id")).select_related(
            "team", "team__lead"
        )
    }
    records: list[RatingRecord] = []
    changes: list[Change] = []
    last_rating: dict[int, tuple[str, str]] = {}
    for t in totals:
        emp = employees[t.employee_id]
        calibration = calibrations.get((t.employee_id, t.period))
        lead = emp.team.lead if emp.team and emp.team.lead else None
        records.append(
            RatingRecord(
                employee_id=emp.employee_id,
                position=emp.position,
                period=t.period,
                rating=t.final_rating,
                team=emp.team.name if emp.team else "",
                lead=lead.name if lead else "",
                approver=_username(calibration.by) if calibration else "",
            )
        )
        if calibration is not None:
            direction = _step(grades, t.rating, calibration.rating, better_first=True)
            changes.append(Change("calibration", _username(calibration.by), direction))
        if t.employee_id not in last_rating or t.period >= last_rating[t.employee_id][0]:
            last_rating[t.employee_id] = (t.period, t.final_rating)
    ladders = _ladders(cycle)
    deciders = _deciders(cycle)
    promoted: set[int] = set()
    for d in Decision.objects.filter(cycle=cycle).only(
        "employee_id", "action", "final_action", "level_to", "final_level"
    ):
        if (d.final_action or d.action) == "promote":
            promoted.add(d.employee_id)
        if d.departs and d.employee_id in employees:
            emp = employees[d.employee_id]
            order = ladders.get(emp.position, [])
            direction = _step(order, d.level_to, d.final_level, better_first=False)
            changes.append(Change("departure", deciders.get(emp.employee_id, ""), direction))
    attributes: dict[int, dict[str, str]] = {}
    for a in RosterAttribute.objects.filter(employee_id__in=graded.values("employee_id")):
        attributes.setdefault(a.employee_id, {})[a.name] = a.value
    top = grades[0] if grades else ""
    people = [
        Person(
            employee_id=emp.employee_id,
            attributes=attributes.get(pk, {}),
            promoted=pk in promoted,
            top_rated=last_rating.get(pk, ("", ""))[1] == top,
        )
        for pk, emp in sorted(employees.items())
    ]
    return records, grades, changes, people


def fairness_refresh(cycle: Cycle, *, actor: Any = None) -> FairnessAudit:
    """Run the cycle's fairness audit again and keep it (audited when someone asked for it)."""
    records, grades, changes, people = fairness_inputs(cycle)
    result = fairness_audit(records, grades, changes, people, seed=cycle.pk)
    with transaction.atomic():
        stored, _created = FairnessAudit.objects.update_or_create(
            cycle=cycle,
            defaults={
                "computed_at": timezone.now(),
                "ratings": len(records),
                "result": result.to_dict(),
            },
        )
        if actor is not None:
            audit(
                actor,
                "fairness_audit",
                cycle,
                after={"cycle": cycle.pk, "findings": len(result.findings)},
            )
    return stored
