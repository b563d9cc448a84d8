"""HR: a cycle's fairness audit — rating distributions by team, lead and approver against the
position's, calibrations and departures by who made them, the four-fifths rule over the roster
attributes — and running it again on demand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.cycles.models import Cycle
from callgrade.cycles.selectors.fairness import fairness_findings, fairness_tables
from callgrade.cycles.services.fairness import fairness_refresh
from callgrade.people.access import access


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle: Cycle = access(request.user, "cycle", cycle_id, "manage")
    return cycle


@login_required
def cycle_fairness(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    lang = get_language() or "zh-hans"
    return render(
        request,
        "cycles/fairness.html",
        {
            "cycle": cycle,
            "tab": "fairness",
            "findings": fairness_findings(cycle, request.user, lang),
            **fairness_tables(cycle, request.user, lang),
        },
    )


@login_required
@require_POST
def cycle_fairness_run(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Run the audit again now (after decisions were changed or attributes recorded)."""
    cycle = _cycle(request, cycle_id)
    if not cycle.computed_at:
        messages.error(request, _("Compute the cycle first: the audit reads its results."))
        return redirect("cycle", cycle_id=cycle.pk)
    fairness_refresh(cycle, actor=request.user)
    messages.success(request, _("The fairness audit was run again."))
    return redirect("cycle_fairness", cycle_id=cycle.pk)


urlpatterns = [
    path("cycles/<int:cycle_id>/fairness/", cycle_fairness, name="cycle_fairness"),
    path("cycles/<int:cycle_id>/fairness/run/", cycle_fairness_run, name="cycle_fairness_run"),
]
