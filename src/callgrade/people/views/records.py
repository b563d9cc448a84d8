"""HR: what is recorded about an employee and grading reads, from the employee page: a level
change with its effective date, a training completion, a competency assessment; corrections
listed, withdrawn and exported."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.core.views import act
from callgrade.engine.policy import Policy
from callgrade.people.access import access, require_hr, roster_attributes
from callgrade.people.models import Correction, Employee
from callgrade.people.services import records_import
from callgrade.people.services.attributes import attribute_set
from callgrade.people.services.records import (
    RecordError,
    assessment_record,
    correction_withdraw,
    employee_level_set,
    standards_catalog,
    training_record,
)
from callgrade.standards.services import policy_current


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

    def record() -> None:
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

    return act(
        request,
        record,
        error=RecordError,
        done=_("The level change was recorded."),
        then=_back(emp, "level-history"),
    )


@login_required
@require_POST
def training_add(request: HttpRequest, employee_id: str) -> HttpResponse:
    emp = _employee(request, employee_id)
    post = request.POST

    def record() -> None:
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
            actor=request.user,
        )

    return act(
        request,
        record,
        error=RecordError,
        done=_("The training was recorded."),
        then=_back(emp, "trainings"),
    )


@login_required
@require_POST
def assessment_add(request: HttpRequest, employee_id: str) -> HttpResponse:
    emp = _employee(request, employee_id)
    post = request.POST

    def record() -> None:
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

    return act(
        request,
        record,
        error=RecordError,
        done=_("The assessment was recorded."),
        then=_back(emp, "assessments"),
    )


@login_required
@require_POST
def attribute_set_view(request: HttpRequest, employee_id: str) -> HttpResponse:
    """HR records (or, with a blank value, removes) a roster attribute of the employee."""
    emp = _employee(request, employee_id)
    roster_attributes(request.user)  # the attributes are HR's alone, whatever else HR may do
    return act(
        request,
        lambda: attribute_set(
            employee=emp,
            name=request.POST.get("name", ""),
            value=request.POST.get("value", ""),
            actor=request.user,
        ),
        error=RecordError,
        done=_("The roster attribute was saved."),
        then=_back(emp, "attributes"),
    )


@login_required
def corrections(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    rows = Correction.objects.select_related("employee", "by", "appeal").order_by("-at", "-id")
    return render(request, "people/corrections.html", {"corrections": rows})


@login_required
@require_POST
def correction_withdraw_view(request: HttpRequest, correction_id: int) -> HttpResponse:
    require_hr(request.user)
    correction = access(request.user, "correction", correction_id, "manage")
    return act(
        request,
        lambda: correction_withdraw(
            correction=correction, reason=request.POST.get("reason", ""), actor=request.user
        ),
        error=RecordError,
        done=_("The correction was withdrawn; recompute the cycle to apply that."),
        then=redirect("corrections"),
    )


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


def employee_records_context(emp: Employee, user: Any) -> dict[str, Any]:
    """What the employee page shows of the records and offers to record (the page is HR's;
    the roster attributes are read through the access rule all the same)."""
    policy = current_policy()
    levels: list[str] = []
    if policy is not None:
        position = next((p for p in policy.positions if p.code == emp.position), None)
        if position is not None:
            levels = [lv.code for lv in policy.ladder(position.ladder).ordered()]
    catalog = standards_catalog()
    return {
        "trainings": emp.trainings.order_by("-completed_at", "-id"),
        "assessments": emp.assessments.order_by("-assessed_at", "competency", "-id"),
        "corrections": emp.corrections.select_related("by", "appeal").order_by("-at"),
        "attributes": list(roster_attributes(user, [emp]).order_by("name")),
        "choices": {"levels": levels, **catalog},
        "today": timezone.localdate(),
    }


def _records_page(request: HttpRequest, **context: Any) -> HttpResponse:
    context.setdefault("kinds", records_import.KINDS)
    context.setdefault("labels", {c: str(n) for c, n in records_import.COLUMN_LABELS.items()})
    context.setdefault("kind", request.POST.get("kind") or request.GET.get("kind") or "trainings")
    return render(request, "people/records_import.html", context)


@login_required
def records_import_view(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and its columns; POST: read and check the file, show the preview."""
    require_hr(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or "trainings"
    if kind not in records_import.KINDS:
        kind = "trainings"
    if request.method != "POST":
        token = request.GET.get("token")
        if token:
            try:
                preview = records_import.records_staged(
                    token=token, kind=kind, actor=request.user, policy=current_policy()
                )
                return _records_page(request, kind=kind, preview=preview)
            except tabular.ImportStale as e:
                messages.error(request, str(e))
        return _records_page(request, kind=kind)
    upload = request.FILES.get("file")
    if upload is None:
        return _records_page(request, kind=kind, file_error=_("Choose a CSV or XLSX file."))
    if (upload.size or 0) > tabular.MAX_BYTES:
        return _records_page(request, kind=kind, file_error=_("The file is larger than 5 MB."))
    try:
        preview = records_import.records_stage(
            kind=kind,
            data=upload.read(),
            filename=upload.name or "upload",
            actor=request.user,
            policy=current_policy(),
        )
    except tabular.ImportFileError as e:
        return _records_page(request, kind=kind, file_error=str(e))
    return _records_page(request, kind=kind, preview=preview)


@login_required
@require_POST
def records_import_confirm(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    kind, token = request.POST.get("kind", ""), request.POST.get("token", "")
    back = f"{reverse('records_import')}?{urlencode({'kind': kind, 'token': token})}"
    if kind not in records_import.KINDS:
        messages.error(request, _("This import is unknown or has expired: upload the file again."))
        return redirect("records_import")
    if request.POST.get("discard"):
        with contextlib.suppress(tabular.ImportStale):
            tabular.load(token, request.user, f"records:{kind}")
            tabular.discard(token)
        messages.info(request, _("The upload was discarded; nothing was imported."))
        return redirect(f"{reverse('records_import')}?kind={kind}")
    try:
        counts = records_import.records_import_apply(
            token=token,
            kind=kind,
            fingerprint=request.POST.get("fingerprint", ""),
            actor=request.user,
            policy=current_policy(),
            today=timezone.localdate(),
        )
    except (tabular.ImportStale, RecordError) as e:
        messages.error(request, str(e))
        return redirect(back)
    except DatabaseError:
        messages.error(request, _("The import failed and nothing was written. Try again."))
        return redirect(back)
    messages.success(
        request,
        _(
            "Imported %(read)s rows: %(create)s added, %(unchanged)s already held, "
            "%(rejected)s rejected and skipped."
        )
        % counts,
    )
    return redirect(f"{reverse('records_import')}?kind={kind}")


urlpatterns = [
    path("org/records/import/", records_import_view, name="records_import"),
    path("org/records/import/confirm/", records_import_confirm, name="records_import_confirm"),
    path("org/employees/<str:employee_id>/level/", level_set, name="employee_level_set"),
    path("org/employees/<str:employee_id>/trainings/", training_add, name="employee_training"),
    path(
        "org/employees/<str:employee_id>/assessments/", assessment_add, name="employee_assessment"
    ),
    path(
        "org/employees/<str:employee_id>/attributes/",
        attribute_set_view,
        name="employee_attribute",
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
