"""The grading standard: HR uploads, compares, simulates and publishes versions and follows who
has acknowledged them; everyone reads the published standard and acknowledges it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.models import Job
from callgrade.people.access import Denied, access, employee_of, require_employee, require_hr
from callgrade.standards.models import Acknowledgement, PolicyVersion
from callgrade.standards.services import (
    SimulationRefused,
    UploadRejected,
    acknowledge,
    acknowledgement_of,
    acknowledgement_remind,
    acknowledgement_report,
    acknowledgements_missing_xlsx,
    numbered_lines,
    policy_current,
    policy_diff,
    policy_publish,
    policy_simulate,
    policy_upload,
    simulation_default_period,
)
from callgrade.standards.text import standard_for_people

MAX_UPLOAD = 1_000_000  # bytes: a standard is a few kilobytes of YAML


def _list_context(**extra: Any) -> dict[str, Any]:
    versions = PolicyVersion.objects.all().select_related("uploaded_by")
    return {"versions": versions, **extra}


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "standards/list.html", _list_context())


def _uploaded_text(request: HttpRequest) -> tuple[str, str, str | None]:
    """(text, file name, problem) from the file field, else the text area."""
    upload = request.FILES.get("file")
    if upload is not None and upload.size:
        if upload.size > MAX_UPLOAD:
            return "", upload.name or "", _("The file is too large for a standard.")
        try:
            return upload.read().decode("utf-8-sig"), upload.name or "policy.yaml", None
        except UnicodeDecodeError:
            return "", upload.name or "", _("The file is not UTF-8 text.")
    return request.POST.get("text", "").replace("\r\n", "\n"), "policy.yaml", None


@login_required
@require_POST
def standards_upload(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    text, filename, problem = _uploaded_text(request)
    if problem is None and not text.strip():
        problem = _("Paste the YAML or choose a file.")
    if problem is not None:
        messages.error(request, problem)
        return render(request, "standards/list.html", _list_context(text=text), status=400)
    try:
        version = policy_upload(actor=request.user, text=text, filename=filename)
    except UploadRejected as e:
        context = _list_context(
            text=text, errors=e.errors, lines=numbered_lines(text, e.errors), filename=filename
        )
        return render(request, "standards/list.html", context, status=400)
    messages.success(request, _("The standard was stored as a draft."))
    return redirect("standard_version", version.pk)


def _simulation_job(version: PolicyVersion, job_id: Any) -> Job | None:
    """A simulation job of this version (the job belongs to the version, so the version's
    access rule covers it)."""
    jobs = Job.objects.filter(kind="policy_simulate", arguments__version=version.pk)
    if job_id is None:
        return jobs.order_by("-created_at", "-id").first()
    return jobs.filter(pk=job_id).first() if str(job_id).isdigit() else None


def _employee_names(job: Job | None) -> dict[str, str]:
    from callgrade.people.models import Employee

    if job is None or job.state != Job.DONE:
        return {}
    report = job.arguments.get("report", {})
    ids = {row[0] for name in ("levels", "pay") for row in report.get(name, {}).get("rows", [])}
    ids |= {row[1] for row in report.get("ratings", {}).get("rows", [])}
    return dict(Employee.objects.filter(employee_id__in=ids).values_list("employee_id", "name"))


def _job_context(version: PolicyVersion, job: Job | None) -> dict[str, Any]:
    """The job and, once done, its report tables as rows of named values."""
    stored = (job.arguments.get("report") or {}) if job is not None else {}
    report = {
        name: [dict(zip(t["columns"], row, strict=True)) for row in t["rows"]]
        for name, t in stored.items()
    }
    names = _employee_names(job)
    for name in ("ratings", "levels", "pay"):
        for row in report.get(name, []):
            row["name"] = names.get(row["employee_id"], "")
    return {"version": version, "job": job, "report": report if stored else None}


@login_required
def standard_version(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    diff = policy_diff(version)
    job = _simulation_job(version, request.GET.get("job"))
    context = {
        "version": version,
        "lines": numbered_lines(version.yaml),
        "diff": diff,
        "period": request.GET.get("period") or simulation_default_period(),
        "ack_count": Acknowledgement.objects.filter(policy_version=version).count(),
        **_job_context(version, job),
    }
    return render(request, "standards/version.html", context)


@login_required
@require_POST
def standard_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    try:
        policy_publish(version=version, actor=request.user)
    except ValueError:
        messages.error(request, _("Only a draft can be published."))
        return redirect("standard_version", version.pk)
    messages.success(request, _("The standard was published; employees were asked to read it."))
    return redirect("standard_version", version.pk)


@login_required
@require_POST
def standard_simulate(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    period = request.POST.get("period", "")
    try:
        job = policy_simulate(version=version, period=period, actor=request.user)
    except SimulationRefused as e:
        if request.headers.get("HX-Request"):
            return render(request, "standards/simulation.html", {"version": version, "error": e})
        messages.error(request, str(e))
        return redirect("standard_version", version.pk)
    if request.headers.get("HX-Request"):
        return render(request, "standards/simulation.html", _job_context(version, job))
    url = reverse("standard_version", args=[version.pk])
    return redirect(f"{url}?job={job.pk}#simulation")


@login_required
def standard_simulation(request: HttpRequest, version_id: int, job_id: int) -> HttpResponse:
    """The simulation's progress, then its tables (polled by the version page)."""
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    job = _simulation_job(version, job_id)
    if job is None:
        raise Denied
    return render(request, "standards/simulation.html", _job_context(version, job))


@login_required
def standard_acknowledgements(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    return render(
        request,
        "standards/acknowledgements.html",
        {"version": version, **acknowledgement_report(version)},
    )


@login_required
@require_POST
def standard_acknowledgements_remind(request: HttpRequest, version_id: int) -> HttpResponse:
    """Remind, in the app, everyone with a login who has not acknowledged (once a day each)."""
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    if version.status != PolicyVersion.PUBLISHED:
        messages.error(request, _("Only the published standard can be acknowledged."))
    else:
        reminded, skipped = acknowledgement_remind(version=version, actor=request.user)
        messages.success(
            request,
            _("Reminded %(reminded)s employees; %(skipped)s already reminded today were skipped.")
            % {"reminded": reminded, "skipped": skipped},
        )
    return redirect("standard_acknowledgements", version_id=version.pk)


@login_required
def standard_acknowledgements_xlsx(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    data = acknowledgements_missing_xlsx(
        version,
        title=_("Not yet acknowledged"),
        headers=[_("Employee ID"), _("Name"), _("Team"), _("Position"), _("Has a login")],
        yes=_("yes"),
        no=_("no"),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"not-acknowledged-{version.code}-{version.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def standard(request: HttpRequest) -> HttpResponse:
    """The published standard for everyone: one code at a time when several are published."""
    published = list(
        PolicyVersion.objects.filter(status=PolicyVersion.PUBLISHED).order_by("code", "-id")
    )
    wanted = request.GET.get("code")
    version = next((v for v in published if v.code == wanted), None) or policy_current()
    context: dict[str, Any] = {"version": version, "published": published}
    if version is not None:
        context["standard"] = standard_for_people(version.policy(), get_language() or "zh-hans")
        context["ack"] = acknowledgement_of(employee_of(request.user), version)
    return render(request, "standards/standard.html", context)


@login_required
@require_POST
def standard_acknowledge(request: HttpRequest, version_id: int) -> HttpResponse:
    me = require_employee(request.user)
    version = access(request.user, "policy", version_id, "view")
    if version.status != PolicyVersion.PUBLISHED:
        raise Denied
    acknowledge(employee=me, version=version, actor=request.user)
    messages.success(request, _("Thank you: your acknowledgement was recorded."))
    return redirect(f"{reverse('standard')}?code={version.code}")


urlpatterns = [
    path("standards/", standards, name="standards"),
    path("standards/upload/", standards_upload, name="standards_upload"),
    path("standards/<int:version_id>/", standard_version, name="standard_version"),
    path("standards/<int:version_id>/publish/", standard_publish, name="standard_publish"),
    path("standards/<int:version_id>/simulate/", standard_simulate, name="standard_simulate"),
    path(
        "standards/<int:version_id>/simulate/<int:job_id>/",
        standard_simulation,
        name="standard_simulation",
    ),
    path(
        "standards/<int:version_id>/acknowledgements/",
        standard_acknowledgements,
        name="standard_acknowledgements",
    ),
    path(
        "standards/<int:version_id>/acknowledgements/remind/",
        standard_acknowledgements_remind,
        name="standard_acknowledgements_remind",
    ),
    path(
        "standards/<int:version_id>/acknowledgements.xlsx",
        standard_acknowledgements_xlsx,
        name="standard_acknowledgements_xlsx",
    ),
    path("standard/", standard, name="standard"),
    path(
        "standard/<int:version_id>/acknowledge/", standard_acknowledge, name="standard_acknowledge"
    ),
]
