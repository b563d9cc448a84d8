"""Team leads and HR: the team table with its charts, review of one employee (comments,
nominations), the nominations list with HR's decisions, the departures report and declared
conflicts of interest."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.views import act
from callgrade.cycles.access import results_visible
from callgrade.cycles.selectors.scorecard import decision_reason
from callgrade.cycles.services.cycles import WorkflowError
from callgrade.people.access import Denied, access, is_hr, require_hr, require_reviewer
from callgrade.review import selectors as sel
from callgrade.review.access import visible_nominations
from callgrade.review.models import Nomination
from callgrade.review.services.review import (
    comment_add,
    conflict_declare_by_id,
    nomination_create,
    nomination_decide,
    nomination_levels,
    nomination_refusal,
)
from callgrade.standards.labels import action_label, policy_labels


# The engine's action codes (and those a reviewer sets), named for people.
def _team_data(request: HttpRequest) -> dict[str, Any]:
    """The chosen cycle and period, and the visible rows before and after the filters."""
    require_reviewer(request.user)
    cycles = sel.team_cycles(request.user)
    wanted = request.GET.get("cycle", "")
    if wanted:
        cycle = next((c for c in cycles if str(c.pk) == wanted), None)
        if cycle is None:
            raise Denied
    else:
        cycle = cycles[0] if cycles else None
    context: dict[str, Any] = {"cycles": cycles, "cycle": cycle, "rows": [], "all_rows": []}
    if cycle is None:
        return context
    periods = sel.cycle_periods(cycle)
    period = request.GET.get("period", "")
    if period not in periods:
        period = periods[-1] if periods else ""
    rows = sel.team_rows(results_visible(request.user, cycle), cycle, period)
    filters = sel.TeamFilters.from_query(request.GET)
    sort = request.GET.get("sort", "id")
    sort = sort if sort in sel.SORTS else "id"
    descending = request.GET.get("dir") == "desc"
    context.update(
        periods=periods,
        period=period,
        all_rows=rows,
        rows=sel.sort_rows(sel.filter_rows(rows, filters), sort, descending),
        filters=filters,
        sort=sort,
        descending=descending,
    )
    return context


@login_required
def team(request: HttpRequest) -> HttpResponse:
    context = _team_data(request)
    states = dict(Nomination.STATES)
    for r in context["rows"]:
        r.action_label = action_label(r.action)
        r.nomination_label = states.get(r.nomination, r.nomination)
    options = sel.filter_options(context["all_rows"])
    options["actions"] = [(code, action_label(code)) for code in options["actions"]]
    context["options"] = options
    context["hr"] = is_hr(request.user)
    context["columns"] = [
        ("id", _("Employee id")),
        ("name", _("Name")),
        ("team", _("Team")),
        ("position", _("Position")),
        ("level", _("Level")),
        ("total", _("Total score")),
        ("rating", _("Rating")),
        ("rank", _("Rank")),
        ("action", _("Engine proposal")),
        ("nomination", _("Nomination")),
    ]
    if context.get("cycle") is not None:
        context["labels"] = policy_labels(context["cycle"], get_language())
    return render(request, "review/team.html", context)


@login_required
def team_charts(request: HttpRequest) -> JsonResponse:
    context = _team_data(request)
    if context["cycle"] is None:
        return JsonResponse({"count": 0, "rating": {}, "level": {}})
    names = policy_labels(context["cycle"], get_language())["levels"]
    return JsonResponse(sel.charts(context["rows"], context["cycle"], names))


@login_required
def review_employee(request: HttpRequest, cycle_id: int, employee_id: str) -> HttpResponse:
    cycle = access(request.user, "cycle", cycle_id)
    employee = access(request.user, "employee", employee_id, "review")
    if not cycle.allows("lead_view"):
        raise Denied  # no results to review yet
    here = reverse("review_employee", args=[cycle.pk, employee.employee_id])
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "comment":
                comment_add(
                    cycle=cycle,
                    employee=employee,
                    text=request.POST.get("text", ""),
                    actor=request.user,
                )
                messages.success(request, _("Your comment was added."))
            elif what == "nominate":
                nomination_create(
                    cycle=cycle,
                    employee=employee,
                    level_to=request.POST.get("level_to", ""),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(request, _("The nomination was sent to HR."))
        except WorkflowError as e:
            messages.error(request, str(e))
        return redirect(here)
    context = sel.review(cycle, employee)
    pending = any(n.state == Nomination.PENDING for n in context["nominations"])
    context.update(
        cycle=cycle,
        employee=employee,
        levels=[
            (lv.code, lv.label.zh if get_language().startswith("zh") else lv.label.en)
            for lv in nomination_levels(cycle, employee)
        ],
        action_label=action_label(context["decision"].action) if context["decision"] else "",
        decision_reason=(
            decision_reason(context["decision"], get_language()) if context["decision"] else ""
        ),
        can_comment=cycle.allows("comment"),
        can_nominate=(cycle.allows("nominate") and context["decision"] is not None and not pending),
    )
    return render(request, "review/review.html", context)


@login_required
def nominations(request: HttpRequest) -> HttpResponse:
    items = sel.with_proposals(visible_nominations(request.user))
    for n in items:
        n.refusal = nomination_refusal(n, request.user) if n.state == Nomination.PENDING else ""
    hr = is_hr(request.user)
    return render(
        request,
        "review/nominations.html",
        {
            "pending": [n for n in items if n.state == Nomination.PENDING],
            "decided": [n for n in items if n.state != Nomination.PENDING],
            "hr": hr,
        },
    )


@login_required
@require_POST
def nomination_decide_view(request: HttpRequest, nomination_id: int) -> HttpResponse:
    nomination = access(request.user, "nomination", nomination_id)
    approve = request.POST.get("decision") == "approve"
    return act(
        request,
        lambda: nomination_decide(
            nomination=nomination,
            approve=approve,
            reason=request.POST.get("reason", ""),
            actor=request.user,
        ),
        error=WorkflowError,
        done=(
            _("Nomination approved; the final level is set.")
            if approve
            else _("Nomination rejected.")
        ),
        then=redirect("nominations"),
    )


@login_required
def nominations_report(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "review/nominations_report.html", {"departures": sel.departures()})


@login_required
def conflicts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        employee_id = request.POST.get("employee_id", "").strip()
        return act(
            request,
            lambda: conflict_declare_by_id(
                actor=request.user,
                employee_id=employee_id,
                relation=request.POST.get("relation", ""),
            ),
            error=WorkflowError,
            done=(
                _("Declared: %(employee_id)s. You will not review or decide this case.")
                % {"employee_id": employee_id}
            ),
            then=redirect("conflicts"),
        )
    return render(
        request,
        "review/conflicts.html",
        {
            "declarations": sel.declarations(request.user),
            "all_conflicts": sel.all_conflicts_for(request.user),
            "hr": is_hr(request.user),
        },
    )


urlpatterns = [
    path("team/", team, name="team"),
    path("team/charts.json", team_charts, name="team_charts"),
    path("nominations/", nominations, name="nominations"),
    path("nominations/report/", nominations_report, name="nominations_report"),
    path(
        "nominations/<int:nomination_id>/decide/",
        nomination_decide_view,
        name="nomination_decide",
    ),
    path("conflicts/", conflicts, name="conflicts"),
    path(
        "cycles/<int:cycle_id>/review/<str:employee_id>/", review_employee, name="review_employee"
    ),
]
