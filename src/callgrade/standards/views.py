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

from callgrade.core.views import act
from callgrade.people.access import Denied, access, employee_of, require_employee, require_hr
from callgrade.standards.diffwords import concerning
from callgrade.standards.editor import bind, editor_form, next_version, rewrite
from callgrade.standards.models import Acknowledgement, PolicyVersion
from callgrade.standards.selectors import job_context, simulation_job, version_changes
from callgrade.standards.services import (
    PublishRefused,
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
    publish_problem,
    simulation_default_period,
)
from callgrade.standards.text import standard_for_people, text
from callgrade.standards.thresholds import (
    PERCENTILES,
    chosen_percentile,
    suggested_post,
    thresholds,
)

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


def _lang() -> str:
    return get_language() or "zh-hans"


def _simulation_response(request: HttpRequest, version: PolicyVersion, job: Any) -> HttpResponse:
    response = render(request, "standards/simulation.html", job_context(version, job, _lang()))
    if request.headers.get("HX-Request") and job.state in ("done", "failed"):
        # The summary at the top and the Publish button depend on the finished simulation:
        # the whole page is shown again, in its order.
        url = reverse("standard_version", args=[version.pk])
        response["HX-Redirect"] = f"{url}?job={job.pk}#summary"
    return response


@login_required
def standard_version(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    job = simulation_job(version, request.GET.get("job"))
    context = {
        "label": text(version.policy().label, _lang()),
        "lines": numbered_lines(version.yaml),
        "diff": policy_diff(version),
        "changes": version_changes(version, _lang()),
        "period": request.GET.get("period") or simulation_default_period(),
        "ack_count": Acknowledgement.objects.filter(policy_version=version).count(),
        "publish_problem": publish_problem(version) if version.status == "draft" else None,
        **job_context(version, job, _lang()),
    }
    return render(request, "standards/version.html", context)


@login_required
@require_POST
def standard_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the confirmation to publish."))
        return redirect("standard_version", version.pk)
    return act(
        request,
        lambda: policy_publish(version=version, actor=request.user),
        error=PublishRefused,
        done=_("The standard was published; employees were asked to read it."),
        then=redirect("standard_version", version.pk),
    )


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
        return _simulation_response(request, version, job)
    url = reverse("standard_version", args=[version.pk])
    return redirect(f"{url}?job={job.pk}#summary")


@login_required
def standard_simulation(request: HttpRequest, version_id: int, job_id: int) -> HttpResponse:
    """The simulation's progress, then its tables (polled by the version page)."""
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    job = simulation_job(version, job_id)
    if job is None:
        raise Denied
    return _simulation_response(request, version, job)


@login_required
def standard_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """The form editor of a draft: saving writes a new draft version with the changed values."""
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    if version.status != PolicyVersion.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("standard_version", version.pk)
    form = editor_form(version, _lang())
    if request.method != "POST":
        form.version = next_version(version)
        return _edit_page(request, version, form)
    return _save_draft(request, version, form, request.POST)


def _edit_page(
    request: HttpRequest, version: PolicyVersion, form: Any, status: int = 200
) -> HttpResponse:
    percentile = chosen_percentile(request.GET.get("percentile") or request.POST.get("percentile"))
    context = {
        "version": version,
        "form": form,
        "label": text(version.policy().label, _lang()),
        "found": thresholds(version, editor_form(version, _lang()), percentile),
        "percentiles": PERCENTILES,
    }
    return render(request, "standards/edit.html", context, status=status)


def _save_draft(
    request: HttpRequest, version: PolicyVersion, form: Any, data: Any, *, note: str = ""
) -> HttpResponse:
    """Check the posted values and store them as a new draft, or show the form again with
    every problem next to its field."""
    changed = bind(form, data)
    if not form.has_errors():
        if not changed:
            form.errors.append(_("Nothing was changed: change a value, then save."))
        elif PolicyVersion.objects.filter(code=version.code, version=form.version).exists():
            form.version_error = _("This version name is already used: choose another.")
    if form.has_errors():
        return _edit_page(request, version, form, status=400)
    new_text = rewrite(version.yaml, changed, form.version)
    try:
        new = policy_upload(
            actor=request.user, text=new_text, filename=f"{version.code}-{form.version}.yaml"
        )
    except UploadRejected as e:
        # The form's own checks cover its fields; what is left is said as the standard says it.
        form.errors.append(_("The standard does not accept these values."))
        if not _lang().startswith("zh"):
            form.errors += [err.message for err in e.errors]
        return _edit_page(request, version, form, status=400)
    messages.success(
        request,
        note
        or _("Saved as the new draft version %(version)s. Simulate it before publishing.")
        % {"version": new.version},
    )
    return redirect("standard_version", new.pk)


@login_required
@require_POST
def standard_suggest(request: HttpRequest, version_id: int) -> HttpResponse:
    """Every suggested floor, target and band at the chosen percentile, written in one step into
    a new draft through the same checks as the form editor."""
    require_hr(request.user)
    version = access(request.user, "policy", version_id, "manage")
    if version.status != PolicyVersion.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("standard_version", version.pk)
    form = editor_form(version, _lang())
    percentile = chosen_percentile(request.POST.get("percentile"))
    found = thresholds(version, form, percentile)
    if not found.values:
        messages.error(
            request, _("Simulate this draft first: the suggestions come from its simulation.")
        )
        return redirect("standard_edit", version.pk)
    name = next_version(version)
    note = _(
        "Saved as the new draft version %(version)s with the thresholds suggested at the "
        "%(percentile)sth percentile. Simulate it before publishing."
    ) % {"version": name, "percentile": percentile}
    return _save_draft(request, version, form, suggested_post(form, found, name), note=note)


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
        me = employee_of(request.user)
        context["standard"] = standard_for_people(version.policy(), _lang())
        context["ack"] = acknowledgement_of(me, version)
        # what changed against the version it replaced, the reader's own position first
        context["changes"] = concerning(
            version_changes(version, _lang()), me.position if me else None
        )
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
    path("standards/<int:version_id>/edit/", standard_edit, name="standard_edit"),
    path("standards/<int:version_id>/suggest/", standard_suggest, name="standard_suggest"),
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
