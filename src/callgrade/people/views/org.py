"""HR: departments, teams, positions, employees with their level history, and importing and
exporting employees (CSV or XLSX, with a preview and all-or-nothing apply)."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.people.access import access, allowed, require_hr, visible_employees
from callgrade.people.selectors import (
    EMPLOYEE_FILTERS,
    employee_detail,
    employee_filter_choices,
    employees_search,
    org_overview,
)
from callgrade.people.services import org_import
from callgrade.people.views.logins import resettable
from callgrade.people.views.records import employee_records_context

PAGE_SIZE = 50


@login_required
def org(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "people/org.html", org_overview(get_language() or "zh-hans"))


def _filtered(request: HttpRequest) -> Any:
    return employees_search(visible_employees(request.user), request.GET)


@login_required
def employees(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    page = Paginator(_filtered(request), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/org_employees.html",
        {
            "page": page,
            "filters": {k: request.GET.get(k, "") for k in EMPLOYEE_FILTERS},
            "query": query.urlencode(),
            **employee_filter_choices(),
        },
    )


@login_required
def employee(request: HttpRequest, employee_id: str) -> HttpResponse:
    require_hr(request.user)
    emp = access(request.user, "employee", employee_id)
    return render(
        request,
        "people/org_employee.html",
        {
            "employee": emp,
            "can_record": allowed(request.user, "employee", emp, "manage"),
            "can_reset_password": resettable(emp),
            **employee_detail(emp),
            **employee_records_context(emp, request.user),
        },
    )


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    require_hr(request.user)
    rows = org_import.export_rows(_filtered(request))
    lang = "zh" if request.GET.get("headers") == "zh" else "en"
    stamp = timezone.localdate().strftime("%Y%m%d")
    if kind == "xlsx":
        body = org_import.export_xlsx(rows, lang=lang)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = org_import.export_csv(rows, lang=lang)
        ctype = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="employees-{stamp}.{kind}"'
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


def _import_page(request: HttpRequest, **context: Any) -> HttpResponse:
    context.setdefault("columns", _column_help())
    return render(request, "people/org_import.html", context)


def _column_help() -> list[dict[str, Any]]:
    return [
        {
            "code": c,
            "zh": org_import.HEADERS_ZH[c],
            "label": org_import.FIELD_LABELS[c],
            "required": c in org_import.REQUIRED,
        }
        for c in org_import.COLUMNS
    ]


@login_required
def employees_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the rules; POST: read and validate the file, show the preview."""
    require_hr(request.user)
    if request.method != "POST":
        token = request.GET.get("token")
        if token:
            try:
                return _import_page(
                    request, preview=org_import.import_preview(token=token, actor=request.user)
                )
            except tabular.ImportStale as e:
                messages.error(request, str(e))
        return _import_page(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _import_page(request, file_error=_("Choose a CSV or XLSX file."))
    if (upload.size or 0) > tabular.MAX_BYTES:
        return _import_page(request, file_error=_("The file is larger than 5 MB."))
    try:
        preview = org_import.import_stage(
            data=upload.read(), filename=upload.name or "upload", actor=request.user
        )
    except tabular.ImportFileError as e:
        return _import_page(request, file_error=str(e))
    return _import_page(request, preview=preview)


def _back_to_preview(token: str) -> HttpResponse:
    return redirect(f"{reverse('org_employees_import')}?{urlencode({'token': token})}")


@login_required
@require_POST
def employees_import_confirm(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    token = request.POST.get("token", "")
    if request.POST.get("discard"):
        with contextlib.suppress(tabular.ImportStale):
            org_import.import_discard(token=token, actor=request.user)
        messages.info(request, _("The upload was discarded; nothing was imported."))
        return redirect("org_employees_import")
    try:
        counts = org_import.employee_import_apply(
            token=token, fingerprint=request.POST.get("fingerprint", ""), actor=request.user
        )
    except tabular.ImportStale as e:
        messages.error(request, str(e))
        return _back_to_preview(token)
    except DatabaseError:
        messages.error(request, _("The import failed and nothing was written. Try again."))
        return _back_to_preview(token)
    messages.success(
        request,
        _(
            "Imported %(read)s rows: %(create)s created, %(update)s updated, %(unchanged)s unchanged, %(rejected)s rejected and skipped."  # noqa: E501
        )
        % counts,
    )
    return redirect("org_employees")


urlpatterns = [
    path("org/", org, name="org"),
    path("org/employees/", employees, name="org_employees"),
    path("org/employees/import/", employees_import, name="org_employees_import"),
    path(
        "org/employees/import/confirm/",
        employees_import_confirm,
        name="org_employees_import_confirm",
    ),
    path("org/employees/export.csv", export_csv, name="org_employees_export_csv"),
    path("org/employees/export.xlsx", export_xlsx, name="org_employees_export_xlsx"),
    path("org/employees/<str:employee_id>/", employee, name="org_employee"),
]
