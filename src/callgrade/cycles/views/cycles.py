"""HR: grading cycles — create, compute with progress, review, calibrate, approve, publish,
appeals, close and export."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.core.views import act
from callgrade.cycles import workflow
from callgrade.cycles.models import Cycle, Decision
from callgrade.cycles.payroll import payroll_csv, payroll_xlsx
from callgrade.cycles.selectors.deferrals import cycle_pool_totals
from callgrade.cycles.selectors.fairness import fairness_findings, fairness_stale
from callgrade.cycles.selectors.results import (
    audit_trail,
    cycle_actions,
    cycle_periods,
    cycle_summary,
    departures,
    grade_codes,
    latest_job,
    result_employees,
    result_rows,
    step_reach,
)
from callgrade.cycles.services.cycles import (
    WorkflowError,
    cycle_advance,
    cycle_compute,
    cycle_create,
    decision_override,
    job_running,
    rating_calibrate,
)
from callgrade.people.access import access, require_hr
from callgrade.people.models import Employee, Position, Team
from callgrade.standards.labels import policy_labels
from callgrade.standards.models import PolicyVersion

RESULTS_PER_PAGE = 50
AUDIT_PER_PAGE = 100
STEPS = [s for s, _label in Cycle.STATES]
NEXT_LABEL = {
    Cycle.COMPUTED: gettext_lazy("Start the review"),
    Cycle.IN_REVIEW: gettext_lazy("Approve"),
    Cycle.APPROVED: gettext_lazy("Publish to employees"),
    Cycle.PUBLISHED: gettext_lazy("Open the appeal window"),
    Cycle.APPEALS: gettext_lazy("Close and apply the level changes"),
}


def _consequence(cycle: Cycle, to: str) -> str:
    if to not in workflow.IRREVERSIBLE:
        return ""
    graded, moves = step_reach(cycle)
    if to == Cycle.APPROVED:
        return _(
            "The results are fixed: no more calibration, overrides or nominations, and pay may "
            "be exported."
        )
    if to == Cycle.PUBLISHED:
        return _("%(n)s employees will see their results and be notified.") % {"n": graded}
    if to == Cycle.CLOSED:
        return _(
            "Appeals end, and the level changes of %(n)s employees take effect on the date given."
        ) % {"n": moves}
    return ""


class CycleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Cycle name"), max_length=100)
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=50,
        help_text=gettext_lazy("e.g. 2026-H1 or 2026-01-01..2026-02-28"),
    )
    policy_version = forms.ModelChoiceField(
        label=gettext_lazy("Standard"),
        queryset=PolicyVersion.objects.filter(status=PolicyVersion.PUBLISHED),
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams (none: all)"), queryset=Team.objects.all(), required=False
    )
    positions = forms.MultipleChoiceField(
        label=gettext_lazy("Positions (none: all)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["positions"].choices = [
            (p.code, str(p)) for p in Position.objects.order_by("code")
        ]


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle: Cycle = access(request.user, "cycle", cycle_id, "manage")
    return cycle


def _back(request: HttpRequest, cycle: Cycle, default: str) -> HttpResponse:
    """Back to the page the form was on (only a page of this cycle)."""
    nxt = request.POST.get("next", "")
    prefix = f"/cycles/{cycle.pk}/"
    if nxt.startswith(prefix) and "//" not in nxt:
        return redirect(nxt)
    return redirect(default, cycle_id=cycle.pk)


@login_required
def cycles(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cycle = cycle_create(
                actor=request.user,
                name=d["name"],
                period=d["period"].strip(),
                policy_version=d["policy_version"],
                teams=list(d["teams"]),
                positions=list(d["positions"]),
            )
        except WorkflowError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The cycle was created."))
            return redirect("cycle", cycle_id=cycle.pk)
    rows = Cycle.objects.select_related("policy_version")
    status = 400 if request.method == "POST" else 200
    return render(request, "cycles/list.html", {"cycles": rows, "form": form}, status=status)


@login_required
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    summary = cycle_summary(cycle) if cycle.computed_at else None
    return render(
        request,
        "cycles/detail.html",
        {
            "cycle": cycle,
            "tab": "overview",
            "steps": [
                (s, label, STEPS.index(s) <= STEPS.index(cycle.state)) for s, label in Cycle.STATES
            ],
            "job": latest_job(cycle),
            "summary": summary,
            "chart": json.dumps(summary["chart"]) if summary else "",
            "next_state": workflow.next_state(cycle.state),
            "next_label": NEXT_LABEL.get(cycle.state),
            "asks": workflow.ASKS.get(workflow.next_state(cycle.state) or ""),
            "consequence": _consequence(cycle, workflow.next_state(cycle.state) or ""),
            "busy": job_running(cycle),
            "fairness": fairness_findings(cycle, request.user, get_language() or "zh-hans"),
            "fairness_stale": fairness_stale(cycle),
            "pools": cycle_pool_totals(cycle) if cycle.computed_at else None,
            "population_teams": list(cycle.teams.all()),
            "population_positions": [
                str(p) for p in Position.objects.filter(code__in=cycle.positions)
            ],
        },
    )


@login_required
def cycle_job(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The progress of the cycle's latest computation (polled by the detail page)."""
    cycle = _cycle(request, cycle_id)
    job = latest_job(cycle)
    response = render(request, "cycles/_job.html", {"cycle": cycle, "job": job})
    if request.headers.get("HX-Request") and job is not None and job.state == job.DONE:
        response["HX-Refresh"] = "true"  # show the new results once the polling sees the end
    return response


@login_required
@require_POST
def cycle_compute_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    try:
        cycle_compute(cycle=cycle, actor=request.user)
    except WorkflowError as e:
        messages.error(request, str(e))
    return redirect("cycle", cycle_id=cycle.pk)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise WorkflowError(_("Give the date as YYYY-MM-DD.")) from None


@login_required
@require_POST
def cycle_advance_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    to = workflow.next_state(cycle.state)
    if to is None or request.POST.get("to") != to:
        messages.error(request, _("The cycle has moved on meanwhile; check its state."))
        return redirect("cycle", cycle_id=cycle.pk)
    if to in workflow.IRREVERSIBLE and request.POST.get("confirm") != "1":
        messages.error(request, _("Confirm that you understand what this step does."))
        return redirect("cycle", cycle_id=cycle.pk)

    def advance() -> Cycle:
        options: dict[str, Any] = {}
        asks = workflow.ASKS.get(to)
        if asks == "appeal_deadline":
            options["appeal_deadline"] = _date(request.POST.get("appeal_deadline", ""))
        if asks == "effective_date":
            effective = _date(request.POST.get("effective_date", ""))
            if effective is None:
                raise WorkflowError(_("Closing needs the date the level changes take effect."))
            options["effective_date"] = effective
        return cycle_advance(
            cycle=cycle, actor=request.user, reason=request.POST.get("reason", ""), **options
        )

    return act(
        request,
        advance,
        error=WorkflowError,
        # the state it moved to, read once it has moved
        done=lambda moved: (
            _("The cycle is now “%(state)s”.") % {"state": moved.get_state_display()}
        ),
        then=redirect("cycle", cycle_id=cycle.pk),
    )


@login_required
def cycle_results(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    filters = {k: request.GET.get(k, "") for k in ("team", "position", "rating", "action")}
    page = Paginator(result_employees(cycle, filters), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    policy = cycle.policy_version.policy()
    ladders = {la.code: [lv.code for lv in la.ordered()] for la in policy.ladders}
    levels = {p.code: ladders.get(p.ladder, []) for p in policy.positions}
    rows = result_rows(cycle, list(page.object_list))
    periods = cycle_periods(cycle)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cycles/results.html",
        {
            "cycle": cycle,
            "tab": "results",
            "page": page,
            "rows": [
                (r, [r.totals.get(p) for p in periods], levels.get(r.employee.position, []))
                for r in rows
            ],
            "periods": periods,
            "grades": grade_codes(cycle),
            "actions": cycle_actions(cycle),
            "teams": Team.objects.all(),
            "positions": Position.objects.all(),
            "filters": filters,
            "query": query.urlencode(),
            "editable": cycle.allows("calibrate"),
            "busy": job_running(cycle),
            "labels": policy_labels(cycle, get_language()),
        },
    )


def _employee(request: HttpRequest) -> Employee | None:
    """The employee a results form names, if HR may decide on them (404 otherwise); None, with a
    message, when the form names nobody."""
    employee_id = request.POST.get("employee_id", "")
    if not employee_id:
        messages.error(request, _("Choose an employee."))
        return None
    employee: Employee = access(request.user, "employee", employee_id, "decide")
    return employee


@login_required
@require_POST
def cycle_calibrate(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    employee = _employee(request)
    if employee is None:
        return _back(request, cycle, "cycle_results")
    try:
        job = rating_calibrate(
            cycle=cycle,
            employee=employee,
            period=request.POST.get("period", ""),
            rating=request.POST.get("rating", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except WorkflowError as e:
        messages.error(request, str(e))
    else:
        if job.state == job.FAILED:
            messages.error(request, _("The recomputation failed; see the cycle's page."))
        else:
            messages.success(
                request,
                _("%(name)s's rating was calibrated; the results are being recomputed.")
                % {"name": employee.name},
            )
    return _back(request, cycle, "cycle_results")


@login_required
@require_POST
def cycle_override(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    employee = _employee(request)
    if employee is None:
        return _back(request, cycle, "cycle_results")
    decision = Decision.objects.filter(cycle=cycle, employee=employee).first()
    if decision is None:
        messages.error(request, _("This employee has no decision in this cycle."))
        return _back(request, cycle, "cycle_results")
    return act(
        request,
        lambda: decision_override(
            decision=decision,
            level=request.POST.get("level", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        ),
        error=WorkflowError,
        done=_("The decision for %(name)s was saved.") % {"name": employee.name},
        then=_back(request, cycle, "cycle_results"),
    )


@login_required
def cycle_departures(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    return render(
        request,
        "cycles/departures.html",
        {"cycle": cycle, "tab": "departures", "rows": departures(cycle)},
    )


@login_required
def cycle_departures_xlsx(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    header = [
        _("Kind"),
        _("Employee id"),
        _("Name"),
        _("Period"),
        _("Engine"),
        _("Final"),
        _("By"),
        _("When"),
        _("Reason"),
    ]
    rows = [
        (
            _("Decision") if d.kind == "decision" else _("Calibration"),
            d.employee.employee_id,
            d.employee.name,
            d.period,
            d.proposed,
            d.final,
            d.who,
            timezone.localtime(d.at).replace(tzinfo=None) if d.at else None,
            d.reason,
        )
        for d in departures(cycle)
    ]
    response = HttpResponse(
        tabular.workbook([(_("Departures"), header, rows)]), content_type=tabular.XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="departures-{cycle.pk}.xlsx"'
    return response


@login_required
def cycle_audit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    page = Paginator(audit_trail(cycle), AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    events = [(e, _json(e.before), _json(e.after)) for e in page]
    return render(
        request,
        "cycles/audit.html",
        {"cycle": cycle, "tab": "audit", "page": page, "events": events},
    )


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _payable(request: HttpRequest, cycle_id: int) -> Cycle | HttpResponse:
    cycle = _cycle(request, cycle_id)
    if not cycle.allows("export_pay"):
        messages.error(request, _("Pay is exported once the cycle is approved."))
        return redirect("cycle", cycle_id=cycle.pk)
    return cycle


def _pay_download(request: HttpRequest, cycle_id: int, ext: str) -> HttpResponse:
    """The payroll sheet; ``?codes=1`` gives fixed column codes for payroll systems."""
    cycle = _payable(request, cycle_id)
    if isinstance(cycle, HttpResponse):
        return cycle
    codes = request.GET.get("codes") == "1"
    if ext == "xlsx":
        body, content_type = payroll_xlsx(cycle, codes=codes), tabular.XLSX
    else:
        body, content_type = payroll_csv(cycle, codes=codes), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="payroll-{cycle.pk}.{ext}"'
    return response


@login_required
def cycle_pay_xlsx(request: HttpRequest, cycle_id: int) -> HttpResponse:
    return _pay_download(request, cycle_id, "xlsx")


@login_required
def cycle_pay_csv(request: HttpRequest, cycle_id: int) -> HttpResponse:
    return _pay_download(request, cycle_id, "csv")


urlpatterns = [
    path("cycles/", cycles, name="cycles"),
    path("cycles/<int:cycle_id>/", cycle_detail, name="cycle"),
    path("cycles/<int:cycle_id>/job/", cycle_job, name="cycle_job"),
    path("cycles/<int:cycle_id>/compute/", cycle_compute_view, name="cycle_compute"),
    path("cycles/<int:cycle_id>/advance/", cycle_advance_view, name="cycle_advance"),
    path("cycles/<int:cycle_id>/results/", cycle_results, name="cycle_results"),
    path("cycles/<int:cycle_id>/calibrate/", cycle_calibrate, name="cycle_calibrate"),
    path("cycles/<int:cycle_id>/override/", cycle_override, name="cycle_override"),
    path("cycles/<int:cycle_id>/departures/", cycle_departures, name="cycle_departures"),
    path(
        "cycles/<int:cycle_id>/departures.xlsx",
        cycle_departures_xlsx,
        name="cycle_departures_xlsx",
    ),
    path("cycles/<int:cycle_id>/audit/", cycle_audit, name="cycle_audit"),
    path("cycles/<int:cycle_id>/pay.xlsx", cycle_pay_xlsx, name="cycle_pay_xlsx"),
    path("cycles/<int:cycle_id>/pay.csv", cycle_pay_csv, name="cycle_pay_csv"),
]
