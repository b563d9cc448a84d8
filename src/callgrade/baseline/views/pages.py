"""HR: the current-state report (现状调研) — compute it for a period in the background, read it,
download it as a workbook or print it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.baseline.models import BaselineReport
from callgrade.baseline.selectors import (
    latest_job,
    latest_report,
    recent_reports,
    report_context,
    report_sheets,
)
from callgrade.baseline.services.report import BaselineError, baseline_start
from callgrade.core import tabular
from callgrade.people.access import require_hr


def _report(request: HttpRequest, report_id: int | None) -> BaselineReport | None:
    require_hr(request.user)
    if report_id is None:
        return latest_report()
    report = BaselineReport.objects.filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


@login_required
def baseline_page(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("report", "")
    report = _report(request, int(chosen) if chosen.isdigit() else None)
    lang = get_language() or "zh-hans"
    return render(
        request,
        "baseline/page.html",
        {
            "report": report,
            "job": latest_job(),
            "reports": recent_reports(),
            "period": report.period if report else "",
            **(report_context(report, lang) if report else {}),
        },
    )


@login_required
@require_POST
def baseline_run(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    try:
        job = baseline_start(actor=request.user, period=request.POST.get("period", ""))
    except BaselineError as e:
        messages.error(request, str(e))
    else:
        if job.state == job.FAILED:
            messages.error(request, _("The report could not be computed."))
    return redirect("baseline")


@login_required
def baseline_job(request: HttpRequest) -> HttpResponse:
    """The progress of the latest report's computation (polled by the page)."""
    require_hr(request.user)
    job = latest_job()
    response = render(request, "baseline/_job.html", {"job": job})
    if request.headers.get("HX-Request") and job is not None and job.state == job.DONE:
        response["HX-Refresh"] = "true"
    return response


@login_required
def baseline_xlsx(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    assert report is not None
    body = tabular.workbook(report_sheets(report, get_language() or "zh-hans"))
    response = HttpResponse(body, content_type=tabular.XLSX)
    name = f"baseline-{report.label}.xlsx".replace("..", "_")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def baseline_print(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    assert report is not None
    lang = get_language() or "zh-hans"
    return render(
        request,
        "baseline/print.html",
        {"report": report, **report_context(report, lang)},
    )


urlpatterns = [
    path("baseline/", baseline_page, name="baseline"),
    path("baseline/run/", baseline_run, name="baseline_run"),
    path("baseline/job/", baseline_job, name="baseline_job"),
    path("baseline/<int:report_id>/report.xlsx", baseline_xlsx, name="baseline_xlsx"),
    path("baseline/<int:report_id>/print/", baseline_print, name="baseline_print"),
]
