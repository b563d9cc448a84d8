"""Writing the record of people: level changes with their effective date, training completions,
competency assessments and corrections of KPI source records. Each write is audited and is read
by the next computation (``people/inputs.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from callgrade.core.audit import audit
from callgrade.engine.kpis.corrections import CorrectionError, check_table, typed_value
from callgrade.engine.policy import Policy
from callgrade.people.models import (
    Assignment,
    CompetencyAssessment,
    Correction,
    Employee,
    LevelChange,
    TrainingRecord,
)
from callgrade.standards.models import PolicyVersion


class RecordError(ValueError):
    """A record that cannot be written as given: the message says which field and why."""


def standards_catalog() -> dict[str, list[str]]:
    """The training and competency codes any stored standard names (a completion is a fact about
    a person, whichever standard later reads it), sorted."""
    trainings: set[str] = set()
    competencies: set[str] = set()
    for version in PolicyVersion.objects.exclude(status=PolicyVersion.RETIRED):
        policy = version.policy()
        trainings |= {t.code for t in policy.trainings}
        competencies |= {c.code for c in policy.competencies}
        competencies |= {
            m.ref
            for card in policy.scorecards
            for d in card.dimensions
            for m in d.items
            if m.ref and m.input in ("exam", "competency", "assessment")
        }
    return {"trainings": sorted(trainings), "competencies": sorted(competencies)}


def _levels(policy: Policy | None, employee: Employee) -> list[str]:
    if policy is None:
        return []
    position = next((p for p in policy.positions if p.code == employee.position), None)
    return [lv.code for lv in policy.ladder(position.ladder).ordered()] if position else []


def assignment_record(*, employee: Employee, effective: dt.date, reason: str) -> Assignment:
    """The employee's position and team as they are now, held from ``effective`` on."""
    return Assignment.objects.create(
        employee=employee,
        position=employee.position,
        team=employee.team,
        effective=effective,
        reason=reason,
    )


def position_change(
    *,
    employee: Employee,
    position: str,
    team: Any,
    effective: dt.date,
    reason: str,
    actor: Any,
    today: dt.date,
) -> Assignment:
    """The employee holds ``position`` in ``team`` from ``effective`` on (an appointment): a
    step of their position and team history, which every cycle grading a later day reads; the
    employee's current position and team change now when the day has come."""
    if not position:
        raise RecordError(_("Choose a position."))
    if not reason.strip():
        raise RecordError(_("A position change needs a reason."))
    with transaction.atomic():
        emp = Employee.objects.select_for_update().get(pk=employee.pk)
        before = {"position": emp.position, "team": emp.team.name if emp.team else ""}
        step = Assignment.objects.create(
            employee=emp, position=position, team=team, effective=effective, reason=reason
        )
        if effective <= today:
            emp.position, emp.team = position, team
            emp.save(update_fields=["position", "team"])
        audit(
            actor,
            "position_change",
            emp,
            before=before,
            after={
                "position": position,
                "team": team.name if team else "",
                "effective": effective.isoformat(),
            },
            reason=reason,
        )
    return step


def employee_level_set(
    *,
    employee: Employee,
    level: str,
    effective: dt.date,
    reason: str,
    actor: Any,
    policy: Policy | None = None,
    today: dt.date,
) -> LevelChange:
    """HR sets an employee's level from ``effective`` on, with a reason. The history keeps the
    date, so a computation of an earlier period still uses the level held then."""
    levels = _levels(policy, employee)
    if levels and level not in levels:
        raise RecordError(
            _("Unknown level %(level)s; the ladder has %(levels)s.")
            % {"level": level, "levels": ", ".join(levels)}
        )
    if not level:
        raise RecordError(_("Choose a level."))
    if not reason.strip():
        raise RecordError(_("A level change needs a reason."))
    with transaction.atomic():
        emp = Employee.objects.select_for_update().get(pk=employee.pk)
        before = {"level": emp.level, "level_since": str(emp.level_since or "")}
        change = LevelChange.objects.create(
            employee=emp, level_from=emp.level, level_to=level, effective=effective, reason=reason
        )
        if effective <= today:
            emp.level, emp.level_since = level, effective
            emp.save(update_fields=["level", "level_since"])
        audit(
            actor,
            "employee_level_set",
            emp,
            before=before,
            after={"level": level, "effective": effective.isoformat()},
            reason=reason,
        )
    return change


def training_record(
    *,
    employee: Employee,
    training: str,
    completed_at: dt.date,
    actor: Any,
    exam_score: float | None = None,
    passed: bool | None = None,
    certificate: str = "",
    expires_at: dt.date | None = None,
    source: str = "app",
    source_ref: str = "",
) -> TrainingRecord:
    known = standards_catalog()["trainings"]
    if known and training not in known:
        raise RecordError(
            _("Unknown training %(code)s; the standard has %(known)s.")
            % {"code": training, "known": ", ".join(known)}
        )
    if exam_score is not None and not 0 <= exam_score <= 100:
        raise RecordError(_("An exam score lies between 0 and 100."))
    if expires_at is not None and expires_at <= completed_at:
        raise RecordError(_("A certificate expires after it was obtained."))
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            employee=employee,
            training=training,
            completed_at=completed_at,
            exam_score=exam_score,
            passed=passed,
            certificate=certificate,
            expires_at=expires_at,
            source=source,
            source_ref=source_ref,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit(
            actor,
            "training_record",
            employee,
            after={
                "training": training,
                "completed_at": completed_at.isoformat(),
                "exam_score": exam_score,
                "passed": passed,
            },
        )
    return record


def assessment_record(
    *,
    employee: Employee,
    competency: str,
    score: float,
    assessed_at: dt.date,
    actor: Any,
    method: str = "",
    assessor: str = "",
    source: str = "app",
    source_ref: str = "",
) -> CompetencyAssessment:
    if not competency:
        raise RecordError(_("Choose a competency."))
    known = standards_catalog()["competencies"]
    if known and competency not in known:
        raise RecordError(
            _("Unknown competency %(code)s; the standards have %(known)s.")
            % {"code": competency, "known": ", ".join(known)}
        )
    if not 0 <= score <= 100:
        raise RecordError(_("A score lies between 0 and 100."))
    if method not in ("", CompetencyAssessment.EXAM, CompetencyAssessment.OBSERVATION):
        raise RecordError(_("The method is an exam or an observation."))
    with transaction.atomic():
        record = CompetencyAssessment.objects.create(
            employee=employee,
            competency=competency,
            score=score,
            method=method,
            assessed_at=assessed_at,
            assessor=assessor,
            source=source,
            source_ref=source_ref,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit(
            actor,
            "assessment_record",
            employee,
            after={
                "competency": competency,
                "score": score,
                "method": method,
                "assessed_at": assessed_at.isoformat(),
            },
        )
    return record


def correction_record(
    *,
    employee: Employee,
    target_table: str,
    record_id: str,
    field: str,
    value: str,
    reason: str,
    actor: Any,
    before: str = "",
    appeal: Any = None,
) -> Correction:
    """Correct one KPI source record (``field`` set to ``value``) or exclude it (``field``
    blank), with a reason; every later computation applies it."""
    if not reason.strip():
        raise RecordError(_("A correction needs a reason."))
    if not record_id.strip():
        raise RecordError(_("Name the record to correct."))
    try:
        if field:
            typed_value(target_table, field, value)
        else:
            check_table(target_table)
    except CorrectionError as e:
        raise RecordError(str(e)) from None
    with transaction.atomic():
        c = Correction.objects.create(
            employee=employee,
            target_table=target_table,
            record_id=record_id.strip(),
            field=field,
            value=value if field else "",
            before=before,
            reason=reason,
            appeal=appeal,
            by=actor,
        )
        audit(
            actor,
            "correction_record",
            c,
            before={"value": before} if field else None,
            after={
                "employee": employee.employee_id,
                "table": target_table,
                "record": c.record_id,
                "field": field or None,
                "value": c.value if field else "(excluded)",
            },
            reason=reason,
        )
    return c


def correction_withdraw(*, correction: Correction, reason: str, actor: Any) -> Correction:
    """Stop applying a correction; it stays on record."""
    if not reason.strip():
        raise RecordError(_("Say why the correction is withdrawn."))
    with transaction.atomic():
        correction.active = False
        correction.save(update_fields=["active"])
        audit(
            actor,
            "correction_withdraw",
            correction,
            before={"active": True},
            after={"active": False},
            reason=reason,
        )
    return correction
