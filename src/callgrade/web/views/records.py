"""HR: what is recorded about an employee and grading reads, from the employee page: a level
change with its effective date, a training completion, a competency assessment; corrections
listed, withdrawn and exported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.engine.policy import Policy
from callgrade.web.access import access, require_hr
from callgrade.web.models import Correction, Employee
from callgrade.web.services import tabular
from callgrade.web.services.people import (
    RecordError,
    assessment_record,
    correction_withdraw,
    employee_level_set,
    training_record,
)
from callgrade.web.services.standards import policy_current


def current_policy() -> Policy | None:
    version = policy_current()
    return version.policy() if version is not None else None


def _day(value: str, label: str, *, required: bool = True) -> dt.date | None:
    value = value.strip()
    if not value:
        if required:
            raise RecordError(_("%(field)s: required") % {"field": label})
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RecordError(
            _("%(field)s: %(value)s is not a date in YYYY-MM-DD form")
            % {"field": label, "value": value}
        ) from None


def _number(value: str, label: str, *, required: bool) -> float | None:
    value = value.strip()
    if not value:
        if required:
            raise RecordError(_("%(field)s: required") % {"field": label})
        return None
    try:
        return float(value)
    except ValueError:
        raise RecordError(
            _("%(field)s: %(value)s is not a number") % {"field": label, "value": value}
        ) from None


def _passed(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _employee(request: HttpRequest, employee_id: str) -> Employee:
    require_hr(request.user)
    emp: Employee = access(request.user, "employee", employee_id, "manage")
    return emp


def _back(emp: Employee, anchor: str) -> HttpResponse:
    return redirect(f"/org/employees/{emp.employee_id}/#{anchor}")


@login_required
@require_POST
def level_set(request: HttpRequest, employee_id: str) -> HttpResponse:
    emp = _employee(request, employee_id)
    try:
        effective = _day(request.POST.get("effective", ""), _("Effective"))
        assert effective is not None
        employee_level_set(
            employee=emp,
            level=request.POST.get("level", ""),
            effective=effective,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            policy=current_policy(),
            today=timezone.localdate(),
        )
    except RecordError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The level change was recorded."))
    return _back(emp, "level-history")


@login_required
@require_POST
def training_add(request: HttpRequest, employee_id: str) -> HttpResponse:
    emp = _employee(request, employee_id)
    post = request.POST
    try:
        completed = _day(post.get("completed_at", ""), _("completed on"))
        assert completed is not None
        training_record(
            employee=emp,
            training=post.get("training", ""),
            completed_at=completed,
            exam_score=_number(post.get("exam_score", ""), _("exam score"), required=False),
            passed=_passed(post.get("passed", "")),
            certificate=post.get("certificate", "").strip(),
            expires_at=_day(post.get("expires_at", ""), _("expires on"), required=False),
            policy=current_policy(),
            actor=request.user,
        )
    except RecordError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The training was recorded."))
    return _back(emp, "trainings")


@login_required
@require_POST
def assessment_add(request: HttpRequest, employee_id: str) -> HttpResponse:
    emp = _employee(request, employee_id)
    post = request.POST
    try:
        assessed = _day(post.get("assessed_at", ""), _("assessed on"))
        score = _number(post.get("score", ""), _("score"), required=True)
        assert assessed is not None and score is not None
        assessment_record(
            employee=emp,
            competency=post.get("competency", ""),
            score=score,
            method=post.get("method", ""),
            assessed_at=assessed,
            assessor=post.get("assessor", "").strip(),
            actor=request.user,
        )
    except RecordError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The assessment was recorded."))
    return _back(emp, "assessments")


@login_required
def corrections(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    rows = Correction.objects.select_related("employee", "by", "appeal").order_by("-at", "-id")
    return render(request, "callgrade/corrections.html", {"corrections": rows})


@login_required
@require_POST
def correction_withdraw_view(request: HttpRequest, correction_id: int) -> HttpResponse:
    require_hr(request.user)
    correction = access(request.user, "correction", correction_id, "manage")
    try:
        correction_withdraw(
            correction=correction, reason=request.POST.get("reason", ""), actor=request.user
        )
    except RecordError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("The correction was withdrawn; recompute the cycle to apply that.")
        )
    return redirect("corrections")


def correction_rows() -> list[list[str]]:
    out = []
    for c in Correction.objects.select_related("employee", "by").order_by("at", "id"):
        out.append(
            [
                str(c.pk),
                c.employee.employee_id,
                c.target_table,
                c.record_id,
                c.field or "(excluded)",
                c.before,
                c.value,
                c.reason,
                c.by.get_username(),
                c.at.isoformat(timespec="seconds"),
                str(c.appeal_id or ""),
                "yes" if c.active else "no",
            ]
        )
    return out


CORRECTION_COLUMNS = [
    "correction_id",
    "employee_id",
    "table",
    "record_id",
    "field",
    "before",
    "value",
    "reason",
    "by",
    "at",
    "appeal",
    "active",
]


@login_required
def corrections_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_hr(request.user)
    rows = correction_rows()
    if fmt == "csv":
        body = tabular.table_csv(CORRECTION_COLUMNS, rows)
        content_type = "text/csv; charset=utf-8"
    else:
        body = tabular.table_xlsx("corrections", CORRECTION_COLUMNS, rows)
        content_type = tabular.XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="corrections.{fmt}"'
    return response


def employee_records_context(emp: Employee) -> dict[str, Any]:
    """What the employee page shows of the records and offers to record."""
    policy = current_policy()
    levels: list[str] = []
    trainings: list[str] = []
    competencies: list[str] = []
    if policy is not None:
        position = next((p for p in policy.positions if p.code == emp.position), None)
        if position is not None:
            levels = [lv.code for lv in policy.ladder(position.ladder).ordered()]
        trainings = [t.code for t in policy.trainings]
        refs = {
            m.ref
            for c in policy.scorecards
            for d in c.dimensions
            for m in d.items
            if m.ref and m.input in ("exam", "competency", "assessment")
        }
        competencies = sorted({c.code for c in policy.competencies} | refs)
    return {
        "trainings": emp.trainings.order_by("-completed_at", "-id"),
        "assessments": emp.assessments.order_by("-assessed_at", "competency", "-id"),
        "corrections": emp.corrections.select_related("by", "appeal").order_by("-at"),
        "choices": {
            "levels": levels,
            "trainings": trainings,
            "competencies": competencies,
        },
        "today": timezone.localdate(),
    }


urlpatterns = [
    path("org/employees/<str:employee_id>/level/", level_set, name="employee_level_set"),
    path("org/employees/<str:employee_id>/trainings/", training_add, name="employee_training"),
    path(
        "org/employees/<str:employee_id>/assessments/", assessment_add, name="employee_assessment"
    ),
    path("org/corrections/", corrections, name="corrections"),
    path("org/corrections/export.csv", corrections_export, {"fmt": "csv"}, name="corrections_csv"),
    path(
        "org/corrections/export.xlsx", corrections_export, {"fmt": "xlsx"}, name="corrections_xlsx"
    ),
    path(
        "org/corrections/<int:correction_id>/withdraw/",
        correction_withdraw_view,
        name="correction_withdraw",
    ),
]
