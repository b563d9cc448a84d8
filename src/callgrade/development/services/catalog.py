"""The catalog, sessions, enrolment, attendance with exams, and job-shadowing placements.

Attendance is what turns a session into a fact about a person: an attended session writes a
training record (``people.services.records.training_record``, the record grading reads) with the
exam score and whether it passed the course's pass mark; an assigned proposal of the course is
then completed. Recording attendance again corrects the same record rather than adding one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.development.access import open_to
from callgrade.development.models import Course, Enrolment, Placement, Proposal, Session
from callgrade.development.services import DevelopmentError
from callgrade.people.access import allowed, employee_of, is_hr
from callgrade.people.models import Department, Employee, Team, TrainingRecord
from callgrade.people.services.records import RecordError, standards_catalog, training_record
from callgrade.standards.models import PolicyVersion


def _require_hr(actor: Any) -> None:
    if not is_hr(actor):
        raise DevelopmentError(_("Only HR manages the training catalog."))


def standard_competencies(training: str) -> list[str]:
    """The competencies the standard says ``training`` develops (the published version first):
    a course added without its own list develops those, so the agent's next-grade gaps in them
    name it."""
    versions = sorted(
        PolicyVersion.objects.exclude(status=PolicyVersion.RETIRED),
        key=lambda v: (v.status == PolicyVersion.PUBLISHED, v.uploaded_at, v.pk),
        reverse=True,
    )
    for v in versions:
        found = next((t for t in v.policy().trainings if t.code == training), None)
        if found is not None and found.competencies:
            return list(found.competencies)
    return []


def course_create(
    *,
    actor: Any,
    training: str,
    title_zh: str,
    title_en: str,
    kind: str,
    competencies: list[str] | None = None,
    kpis: list[str] | None = None,
    hours: float = 0,
    pass_score: float | None = None,
    description: str = "",
) -> Course:
    _require_hr(actor)
    known = standards_catalog()["trainings"]
    if training not in known:
        raise DevelopmentError(
            _("Unknown training %(code)s; the standard has %(known)s.")
            % {"code": training, "known": ", ".join(known) or "—"}
        )
    if Course.objects.filter(training=training).exists():
        raise DevelopmentError(_("The catalog already has a course for this training."))
    if not title_zh.strip() or not title_en.strip():
        raise DevelopmentError(_("A course needs a title in both languages."))
    if kind not in dict(Course.KINDS):
        raise DevelopmentError(_("Choose the kind of course."))
    if pass_score is not None and not 0 <= pass_score <= 100:
        raise DevelopmentError(_("A pass mark lies between 0 and 100."))
    if hours < 0:
        raise DevelopmentError(_("Hours cannot be negative."))
    with transaction.atomic():
        c = Course.objects.create(
            training=training, title_zh=title_zh.strip(), title_en=title_en.strip(), kind=kind,
            competencies=competencies or standard_competencies(training), kpis=kpis or [],
            hours=Decimal(str(hours)), pass_score=pass_score, description=description.strip(),
        )  # fmt: skip
        # proposals made before the course was in the catalog now name it
        Proposal.objects.filter(training=training, course__isnull=True).update(course=c)
        audit(actor, "course_create", c, after={"training": training, "kind": kind,
                                                 "pass_score": pass_score})  # fmt: skip
    return c


def session_create(
    *,
    actor: Any,
    course: Course,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainer: str,
    capacity: int,
    place: str = "",
    online: bool = False,
    department: Department | None = None,
    open_to_all: bool = False,
) -> Session:
    _require_hr(actor)
    _check_session(starts_at, ends_at, trainer, capacity, place, online)
    with transaction.atomic():
        s = Session.objects.create(
            course=course, starts_at=starts_at, ends_at=ends_at, trainer=trainer.strip(),
            capacity=capacity, place=place.strip(), online=online, department=department,
            open_to_all=open_to_all, created_by=actor if actor and actor.is_authenticated else None,
        )  # fmt: skip
        audit(actor, "session_create", s, after={
            "course": course.training, "starts_at": starts_at.isoformat(), "capacity": capacity,
            "online": online, "open_to_all": open_to_all,
        })  # fmt: skip
    return s


def _check_session(
    starts_at: dt.datetime, ends_at: dt.datetime, trainer: str, capacity: int, place: str,
    online: bool,
) -> None:  # fmt: skip
    if not trainer.strip():
        raise DevelopmentError(_("Name the trainer."))
    if capacity < 1:
        raise DevelopmentError(_("The capacity is at least one person."))
    if ends_at <= starts_at:
        raise DevelopmentError(_("A session ends after it starts."))
    if not online and not place.strip():
        raise DevelopmentError(_("Say where the session takes place, or make it online."))


def _when_where(s: Session, zh: bool) -> str:
    day = timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(s.ends_at).strftime("%H:%M")
    where = ("线上" if zh else "online") if s.online else s.place
    return f"{day}–{end}，{where}" if zh else f"{day}–{end}, {where}"


def _tell_enrolled(s: Session, en: str, zh: str) -> int:
    """Notify everyone enrolled in ``s`` who has a login; how many were told."""
    told = 0
    for e in Enrolment.objects.filter(session=s).select_related("employee__user"):
        if e.employee.user is not None:
            notify(e.employee.user, en=en, zh=zh, url="/me/development/")
            told += 1
    return told


def session_update(
    *,
    actor: Any,
    session: Session,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainer: str,
    capacity: int,
    place: str = "",
    online: bool = False,
    department: Department | None = None,
    open_to_all: bool = False,
) -> Session:
    """HR corrects a session; the people enrolled are told when its time or place changes. The
    capacity cannot fall below the people already enrolled."""
    _require_hr(actor)
    _check_session(starts_at, ends_at, trainer, capacity, place, online)
    with transaction.atomic():
        s = Session.objects.select_for_update().get(pk=session.pk)
        if s.cancelled_at is not None:
            raise DevelopmentError(_("This session was cancelled; it can no longer change."))
        taken = Enrolment.objects.filter(session=s).count()
        if capacity < taken:
            raise DevelopmentError(
                _("%(n)s people are enrolled: the capacity cannot be lower.") % {"n": taken}
            )
        before = {"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
                  "place": s.place, "online": s.online, "capacity": s.capacity,
                  "trainer": s.trainer}  # fmt: skip
        moved = (s.starts_at, s.ends_at, s.place.strip(), s.online) != (
            starts_at,
            ends_at,
            place.strip(),
            online,
        )
        s.starts_at, s.ends_at, s.trainer, s.capacity = (
            starts_at,
            ends_at,
            trainer.strip(),
            capacity,
        )
        s.place, s.online, s.department, s.open_to_all = (
            place.strip(),
            online,
            department,
            open_to_all,
        )
        s.save()
        audit(actor, "session_update", s, before=before, after={
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "place": s.place,
            "online": online, "capacity": capacity, "trainer": s.trainer,
        })  # fmt: skip
        if moved:
            c = s.course
            _tell_enrolled(
                s,
                en=f"The session of {c.title_en} you are enrolled in moved: "
                f"{_when_where(s, False)}.",
                zh=f"您报名的“{c.title_zh}”培训时间或地点已变更：{_when_where(s, True)}。",
            )
    return s


def session_cancel(*, actor: Any, session: Session, reason: str) -> Session:
    """HR cancels a session with a reason; the people enrolled are told. Nothing recorded of it
    goes away: its enrolments, attendance and training records stay as they were."""
    _require_hr(actor)
    if not reason.strip():
        raise DevelopmentError(_("Say why the session is cancelled: the people enrolled read it."))
    with transaction.atomic():
        s = Session.objects.select_for_update().get(pk=session.pk)
        if s.cancelled_at is not None:
            raise DevelopmentError(_("This session is already cancelled."))
        s.cancelled_at, s.cancel_reason = timezone.now(), reason.strip()[:500]
        s.save(update_fields=["cancelled_at", "cancel_reason"])
        c = s.course
        told = _tell_enrolled(
            s,
            en=f"The session of {c.title_en} on {_when_where(s, False)} is cancelled: "
            f"{s.cancel_reason}",
            zh=f"“{c.title_zh}”培训（{_when_where(s, True)}）已取消：{s.cancel_reason}",
        )
        audit(actor, "session_cancel", s, after={"reason": s.cancel_reason, "told": told})
    return s


def enrol(*, actor: Any, session: Session, employee: Employee | None = None) -> Enrolment:
    """Enrol oneself, or (HR, a lead for their team) someone, within the session's capacity."""
    employee = employee or employee_of(actor)
    if employee is None:
        raise DevelopmentError(_("Only employees enrol in sessions."))
    mine = employee_of(actor)
    if not (mine is not None and mine.pk == employee.pk) and not (
        is_hr(actor) or allowed(actor, "employee", employee, "review")
    ):
        raise DevelopmentError(_("You may enrol yourself or the people of your team."))
    if session.cancelled_at is not None:
        raise DevelopmentError(_("This session is cancelled."))
    if not is_hr(actor) and not open_to(employee, session):
        raise DevelopmentError(_("This session is for another department."))
    # HR may add someone afterwards (from the sign-in sheet); everyone else enrols beforehand
    if session.starts_at <= timezone.now() and not is_hr(actor):
        raise DevelopmentError(_("This session has started; enrolment is closed."))
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if Enrolment.objects.filter(session=locked, employee=employee).exists():
            raise DevelopmentError(_("Already enrolled in this session."))
        if Enrolment.objects.filter(session=locked).count() >= locked.capacity:
            raise DevelopmentError(_("This session is full."))
        e = Enrolment.objects.create(session=locked, employee=employee, enrolled_by=actor)
        audit(actor, "session_enrol", e, after={"session": session.pk,
                                                "employee": employee.employee_id})  # fmt: skip
    return e


def attendance_record(
    *, actor: Any, enrolment: Enrolment, attended: bool, exam_score: float | None = None
) -> Enrolment:
    """HR records whether the person attended and their exam score; an attended session becomes
    (or corrects) a training record, and completes an assigned proposal of the course."""
    _require_hr(actor)
    session, course = enrolment.session, enrolment.session.course
    if session.cancelled_at is not None:
        raise DevelopmentError(_("This session was cancelled; it can no longer change."))
    if exam_score is not None and not 0 <= exam_score <= 100:
        raise DevelopmentError(_("An exam score lies between 0 and 100."))
    if exam_score is not None and not attended:
        raise DevelopmentError(_("Only someone who attended has an exam score."))
    if attended and course.pass_score is not None and exam_score is None:
        raise DevelopmentError(_("This course has an exam: enter the score."))
    passed: bool | None = None
    if attended and course.pass_score is not None and exam_score is not None:
        passed = exam_score >= course.pass_score
    day = timezone.localtime(session.ends_at).date()
    with transaction.atomic():
        before = {"attended": enrolment.attended, "exam_score": enrolment.exam_score}
        enrolment.attended, enrolment.exam_score, enrolment.passed = attended, exam_score, passed
        record = enrolment.record
        if attended and record is None:
            try:
                record = training_record(
                    employee=enrolment.employee, training=course.training, completed_at=day,
                    actor=actor, exam_score=exam_score, passed=passed,
                    source_ref=f"session:{session.pk}:{enrolment.employee.employee_id}",
                )  # fmt: skip
            except RecordError as e:
                raise DevelopmentError(str(e)) from None
        elif record is not None:
            # a correction of the same attendance: the same record, never a second one
            TrainingRecord.objects.filter(pk=record.pk).update(
                exam_score=exam_score, passed=passed if attended else False
            )
        enrolment.record = record
        enrolment.save(update_fields=["attended", "exam_score", "passed", "record"])
        audit(actor, "attendance_record", enrolment, before=before, after={
            "attended": attended, "exam_score": exam_score, "passed": passed,
        })  # fmt: skip
        if attended and passed is not False and record is not None:
            _complete(enrolment.employee, course.training, record, actor)
    return enrolment


def _complete(employee: Employee, training: str, record: TrainingRecord, actor: Any) -> None:
    for p in Proposal.objects.filter(
        employee=employee, training=training, state=Proposal.CONFIRMED
    ):
        p.state, p.record = Proposal.COMPLETED, record
        p.save(update_fields=["state", "record"])
        audit(actor, "proposal_complete", p, before={"state": "confirmed"},
              after={"state": "completed", "record": record.pk})  # fmt: skip


def placement_record(
    *,
    actor: Any,
    employee: Employee,
    host_team: Team,
    training: str,
    mentor: str,
    starts_on: dt.date,
    ends_on: dt.date,
    notes: str = "",
) -> Placement:
    """A job-shadowing placement in another team, recorded as a training completed on its last
    day (跨部门学习)."""
    _require_hr(actor)
    if host_team.pk == employee.team_id:
        raise DevelopmentError(_("A placement is in another team than one's own."))
    if ends_on < starts_on:
        raise DevelopmentError(_("A placement ends after it starts."))
    if not mentor.strip():
        raise DevelopmentError(_("Name the mentor of the placement."))
    with transaction.atomic():
        try:
            record = training_record(
                employee=employee, training=training, completed_at=ends_on, actor=actor,
            )  # fmt: skip
        except RecordError as e:
            raise DevelopmentError(str(e)) from None
        p = Placement.objects.create(
            employee=employee, host_team=host_team, training=training, mentor=mentor.strip(),
            starts_on=starts_on, ends_on=ends_on, notes=notes.strip(), record=record,
            recorded_by=actor,
        )  # fmt: skip
        record.source_ref = f"placement:{p.pk}"
        record.save(update_fields=["source_ref"])
        audit(actor, "placement_record", p, after={
            "employee": employee.employee_id, "host_team": host_team.name, "training": training,
        })  # fmt: skip
        _complete(employee, training, record, actor)
    return p
