"""Appeals: an employee files one against a published result during the appeal window, naming
what is disputed; HR resolves it from the cycle's appeals page or the inbox of open appeals,
upholding it with a correction when a record was wrong."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.views import act
from callgrade.cycles.models import Cycle
from callgrade.cycles.services.cycles import WorkflowError
from callgrade.engine.kpis.corrections import CORRECTABLE, correctable_fields
from callgrade.people.access import Denied, access, require_employee, require_hr
from callgrade.people.inputs import record_value
from callgrade.review.models import Appeal
from callgrade.review.selectors import appeal_outcome, appeal_windows, appeals_open
from callgrade.review.services.appeals import CorrectionInput, appeal_file, appeal_resolve


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle: Cycle = access(request.user, "cycle", cycle_id, "manage")
    return cycle


@login_required
def cycle_appeals(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    appeals = Appeal.objects.filter(cycle=cycle).select_related(
        "employee", "filed_by", "resolved_by"
    )
    return render(
        request,
        "review/appeals.html",
        {
            "cycle": cycle,
            "tab": "appeals",
            "appeals": appeals,
            "fields": {t: correctable_fields(t) for t in CORRECTABLE},
        },
    )


def _correction_asked(request: HttpRequest) -> CorrectionInput | None:
    """The correction the resolve form asks for: none, a field set, or the record excluded."""
    post = request.POST
    how = post.get("correct", "none")
    if how == "none":
        return None
    table, record = post.get("target_table", "").strip(), post.get("record_id", "").strip()
    if how == "exclude":
        return CorrectionInput(target_table=table, record_id=record)
    field = post.get("field", "").strip()
    return CorrectionInput(
        target_table=table,
        record_id=record,
        field=field,
        value=post.get("value", "").strip(),
        before=record_value(table, record, field) if table and record and field else "",
    )


@login_required
def appeals_inbox(request: HttpRequest) -> HttpResponse:
    """HR's inbox: every open appeal of every cycle, oldest first, with the deadline."""
    require_hr(request.user)
    return render(request, "review/appeals_inbox.html", {"appeals": appeals_open()})


@login_required
@require_POST
def cycle_appeal_resolve(request: HttpRequest, cycle_id: int, appeal_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    appeal = access(request.user, "appeal", appeal_id, "resolve")
    if appeal.cycle_id != cycle.pk:
        raise Denied
    outcome = request.POST.get("outcome", "")

    def resolve() -> None:
        if outcome not in ("uphold", "reject"):
            raise WorkflowError(_("Choose whether the appeal is upheld or rejected."))
        appeal_resolve(
            appeal=appeal,
            uphold=outcome == "uphold",
            resolution=request.POST.get("resolution", ""),
            actor=request.user,
            correction=_correction_asked(request),
        )

    return act(
        request,
        resolve,
        error=WorkflowError,
        done=_("The appeal was resolved."),
        then=redirect("cycle_appeals", cycle_id=cycle.pk),
    )


@login_required
def my_appeals(request: HttpRequest) -> HttpResponse:
    me_ = require_employee(request.user)
    appeals = Appeal.objects.filter(employee=me_).select_related("cycle")
    return render(
        request,
        "review/my_appeals.html",
        {"appeals": [(a, appeal_outcome(a)) for a in appeals], "open_cycles": appeal_windows(me_)},
    )


@login_required
@require_POST
def appeal_new(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access(request.user, "cycle", cycle_id)
    try:
        post = request.POST
        appeal_file(
            cycle=cycle,
            actor=request.user,
            reason=post.get("reason", ""),
            kpi=post.get("kpi", ""),
            period=post.get("period", ""),
            target_table=post.get("target_table", ""),
            record_id=post.get("record_id", ""),
        )
    except WorkflowError as e:
        messages.error(request, str(e))
        return redirect(f"/me/?cycle={cycle.pk}")
    messages.success(request, _("Your appeal was filed."))
    return redirect("my_appeals")


urlpatterns = [
    path("me/appeals/", my_appeals, name="my_appeals"),
    path("cycles/<int:cycle_id>/appeal/", appeal_new, name="appeal_new"),
    path("cycles/<int:cycle_id>/appeals/", cycle_appeals, name="cycle_appeals"),
    path("appeals/", appeals_inbox, name="appeals_inbox"),
    path(
        "cycles/<int:cycle_id>/appeals/<int:appeal_id>/resolve/",
        cycle_appeal_resolve,
        name="cycle_appeal_resolve",
    ),
]
