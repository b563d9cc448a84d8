"""HR's pages: the catalog and sessions, a session's roster with attendance and exam scores,
job-shadowing placements, the proposal queue, and the training report with its XLSX."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.core.query import query_id
from callgrade.core.views import act
from callgrade.development.effect import (
    MIN_SAMPLE,
    effect_header,
    effect_rows,
    effect_table_rows,
)
from callgrade.development.feedback import feedback_groups, feedback_rows, feedback_text_rows
from callgrade.development.models import Course, Enrolment, Proposal, Session
from callgrade.development.selectors import (
    proposal_rows,
    report_rows,
    sessions_with_counts,
    training_choices,
)
from callgrade.development.services import DevelopmentError
from callgrade.development.services.catalog import (
    attendance_record,
    course_create,
    enrol,
    placement_record,
    session_cancel,
    session_create,
    session_update,
)
from callgrade.people.access import access, require_hr
from callgrade.people.models import Department, Employee, Team


def _number(text: str, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DevelopmentError(_("%(field)s is a number.") % {"field": what}) from None


def _when(day: str, time: str) -> dt.datetime:
    try:
        naive = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time))
    except ValueError:
        raise DevelopmentError(_("Give the day and the time, e.g. 2026-05-20 and 18:30.")) from None
    return timezone.make_aware(naive)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DevelopmentError(_("Give the date as YYYY-MM-DD, e.g. 2026-05-20.")) from None


@login_required
def development_catalog(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "development/catalog.html", {
        "courses": Course.objects.all(),
        "sessions": sessions_with_counts(Session.objects.all()),
        "kinds": Course.KINDS,
        "trainings": training_choices(),
        "departments": Department.objects.all(),
        "teams": Team.objects.all(),
        "employees": Employee.objects.exclude(status="left").order_by("employee_id"),
        "open_proposals": Proposal.objects.filter(state=Proposal.PROPOSED).count(),
    })  # fmt: skip


@login_required
@require_POST
def course_new(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    p = request.POST

    def do() -> None:
        course_create(
            actor=request.user, training=p.get("training", ""), title_zh=p.get("title_zh", ""),
            title_en=p.get("title_en", ""), kind=p.get("kind", ""),
            competencies=[c for c in p.get("competencies", "").replace(",", " ").split() if c],
            kpis=[c for c in p.get("kpis", "").replace(",", " ").split() if c],
            hours=_number(p.get("hours", ""), _("Hours")) or 0,
            pass_score=_number(p.get("pass_score", ""), _("Pass mark")),
            description=p.get("description", ""),
        )  # fmt: skip

    return act(
        request,
        do,
        error=DevelopmentError,
        done=_("The course was added to the catalog."),
        then=redirect("development_catalog"),
    )


@login_required
@require_POST
def session_new(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    p = request.POST

    def do() -> None:
        course = Course.objects.filter(pk=query_id(p.get("course", ""))).first()
        if course is None:
            raise DevelopmentError(_("Choose a course."))
        session_create(actor=request.user, course=course, **_session_fields(p))

    return act(
        request,
        do,
        error=DevelopmentError,
        done=_("The session was scheduled."),
        then=redirect("development_catalog"),
    )


def _session_fields(p: Any) -> dict[str, Any]:
    """A session form's day, times, trainer, capacity, place and audience, parsed."""
    dept_id = query_id(p.get("department", ""))
    capacity = _number(p.get("capacity", ""), _("Capacity"))
    return {
        "starts_at": _when(p.get("day", ""), p.get("start", "")),
        "ends_at": _when(p.get("day", ""), p.get("end", "")),
        "trainer": p.get("trainer", ""),
        "capacity": int(capacity or 0),
        "place": p.get("place", ""),
        "online": bool(p.get("online")),
        "department": Department.objects.filter(pk=dept_id).first() if dept_id else None,
        "open_to_all": bool(p.get("open_to_all")),
    }


@login_required
@require_POST
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    require_hr(request.user)
    session = access(request.user, "session", session_id, "manage")

    def do() -> None:
        session_update(actor=request.user, session=session, **_session_fields(request.POST))

    return act(
        request,
        do,
        error=DevelopmentError,
        done=_("The session was changed."),
        then=redirect("development_session", session_id=session.pk),
    )


@login_required
@require_POST
def session_cancel_view(request: HttpRequest, session_id: int) -> HttpResponse:
    require_hr(request.user)
    session = access(request.user, "session", session_id, "manage")

    def do() -> None:
        session_cancel(actor=request.user, session=session, reason=request.POST.get("reason", ""))

    return act(
        request,
        do,
        error=DevelopmentError,
        done=_("The session was cancelled; the people enrolled were told."),
        then=redirect("development_session", session_id=session.pk),
    )


@login_required
@require_POST
def placement_new(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    p = request.POST

    def do() -> None:
        emp = Employee.objects.filter(employee_id=p.get("employee_id", "")).first()
        team = Team.objects.filter(pk=query_id(p.get("host_team", ""))).first()
        if emp is None or team is None:
            raise DevelopmentError(_("Choose the employee and the host team."))
        placement_record(
            actor=request.user, employee=emp, host_team=team, training=p.get("training", ""),
            mentor=p.get("mentor", ""), starts_on=_day(p.get("starts_on", "")),
            ends_on=_day(p.get("ends_on", "")), notes=p.get("notes", ""),
        )  # fmt: skip

    return act(
        request,
        do,
        error=DevelopmentError,
        done=_("The placement was recorded as a training."),
        then=redirect("development_catalog"),
    )


@login_required
def development_session(request: HttpRequest, session_id: int) -> HttpResponse:
    require_hr(request.user)
    session = access(request.user, "session", session_id, "manage")
    enrolments = Enrolment.objects.filter(session=session).select_related("employee", "record")
    return render(request, "development/session.html", {
        "s": session, "enrolments": enrolments, "departments": Department.objects.all(),
        "employees": Employee.objects.exclude(status="left").exclude(
            pk__in=enrolments.values("employee_id")).order_by("employee_id"),
    })  # fmt: skip


@login_required
@require_POST
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    require_hr(request.user)
    session = access(request.user, "session", session_id, "manage")
    p = request.POST

    def do() -> None:
        if p.get("employee_id"):
            emp = Employee.objects.filter(employee_id=p["employee_id"]).first()
            if emp is None:
                raise DevelopmentError(_("Choose an employee."))
            enrol(actor=request.user, session=session, employee=emp)
            return
        for e in Enrolment.objects.filter(session=session).select_related("session__course"):
            state = p.get(f"attended-{e.pk}", "")
            if state not in ("yes", "no"):
                continue
            score = _number(p.get(f"score-{e.pk}", ""), _("Exam score"))
            attendance_record(actor=request.user, enrolment=e, attended=state == "yes",
                              exam_score=score)  # fmt: skip

    return act(
        request,
        do,
        error=DevelopmentError,
        done=_("The session's record was saved."),
        then=redirect("development_session", session_id=session.pk),
    )


@login_required
def development_proposals(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    state = request.GET.get("state", Proposal.PROPOSED)
    if state not in dict(Proposal.STATES):
        state = Proposal.PROPOSED
    rows = proposal_rows(Proposal.objects.filter(state=state))
    counts = {s: Proposal.objects.filter(state=s).count() for s, _label in Proposal.STATES}
    return render(request, "development/proposals.html", {
        "rows": rows, "state": state, "states": Proposal.STATES, "counts": counts,
    })  # fmt: skip


def _report_header() -> list[str]:
    return [
        _("Course"), _("Kind"), _("Sessions"), _("Seats"), _("Enrolled"), _("Attended"),
        _("Passed"), _("Mean exam score"), _("Assigned"), _("Completed"),
    ]  # fmt: skip


@login_required
def development_report(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "development/report.html", {
        "header": _report_header(), "rows": report_rows(), "courses": Course.objects.all(),
        "by_course": feedback_groups(by_trainer=False, names=True),
        "by_trainer": feedback_groups(by_trainer=True, names=True),
        "effect_header": effect_header(), "effect": effect_rows(), "min_sample": MIN_SAMPLE,
    })  # fmt: skip


def _feedback_header(by_trainer: bool) -> list[str]:
    who = [_("Trainer")] if by_trainer else []
    return [_("Course"), *who, _("Feedback given"), _("Attended"), _("Question"), _("Answers"),
            _("Mean"), "1", "2", "3", "4", "5"]  # fmt: skip


@login_required
def development_report_xlsx(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    by_course = feedback_groups(by_trainer=False, names=True)
    by_trainer = feedback_groups(by_trainer=True, names=True)
    texts_header = [_("Course"), _("Trainer"), _("Question"), _("Answer"), _("Employee")]
    body = tabular.workbook([
        (_("Training report"), _report_header(), report_rows()),
        (_("Feedback per course"), _feedback_header(False),
         feedback_rows(by_course, by_trainer=False)),
        (_("Feedback per trainer"), _feedback_header(True),
         feedback_rows(by_trainer, by_trainer=True)),
        (_("What trainees wrote"), texts_header, feedback_text_rows(by_trainer)),
        (_("Training effect"), effect_header(), effect_table_rows(effect_rows())),
    ])  # fmt: skip
    response = HttpResponse(body, content_type=tabular.XLSX)
    response["Content-Disposition"] = 'attachment; filename="training-report.xlsx"'
    return response


urlpatterns = [
    path("development/", development_catalog, name="development_catalog"),
    path("development/courses/new/", course_new, name="course_new"),
    path("development/sessions/new/", session_new, name="session_new"),
    path("development/placements/new/", placement_new, name="placement_new"),
    path("development/sessions/<int:session_id>/", development_session,
         name="development_session"),
    path("development/sessions/<int:session_id>/record/", session_attendance,
         name="session_attendance"),
    path("development/sessions/<int:session_id>/edit/", session_edit, name="session_edit"),
    path("development/sessions/<int:session_id>/cancel/", session_cancel_view,
         name="session_cancel"),
    path("development/proposals/", development_proposals, name="development_proposals"),
    path("development/report/", development_report, name="development_report"),
    path("development/report.xlsx", development_report_xlsx, name="development_report_xlsx"),
]  # fmt: skip
