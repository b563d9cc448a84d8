"""Self-service: my scorecard (and, for leads and HR, any scorecard they may see), every indicator
of a period, the records behind a KPI, my trend, my appeals."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language

from callgrade.core.query import query_id
from callgrade.cycles.models import Cycle
from callgrade.cycles.selectors.deferrals import employee_pool
from callgrade.cycles.selectors.records import (
    PAGE_SIZE,
    RecordList,
    amount,
    grouped,
    same_sums,
    stored_value,
)
from callgrade.cycles.selectors.scorecard import cycles_for, indicators, scorecard, trend
from callgrade.engine.cycle import rating_periods
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import Denied, access, allowed, employee_of, require_employee
from callgrade.people.models import Employee
from callgrade.review.selectors import appeal_kpis


def _pick_cycle(request: HttpRequest, employee: Employee) -> tuple[Any, Cycle | None]:
    cycles = cycles_for(request.user, employee)
    wanted = request.GET.get("cycle")
    cycle = None
    if wanted:
        pk = query_id(wanted)
        cycle = cycles.filter(pk=pk).first() if pk is not None else None
        if cycle is None:
            raise Denied
    return cycles, cycle or cycles.first()


def _scorecard_page(request: HttpRequest, employee: Employee) -> HttpResponse:
    cycles, cycle = _pick_cycle(request, employee)
    context: dict[str, Any] = {"employee": employee, "cycles": cycles, "cycle": cycle}
    if cycle is not None:
        context.update(scorecard(employee, cycle, request.GET.get("period"), get_language()))
        context["pool"] = employee_pool(employee, cycles, get_language() or "zh-hans")
    context["own"] = employee_of(request.user) == employee
    context["can_review"] = allowed(request.user, "employee", employee, "review")
    context["can_appeal"] = context["own"] and cycle is not None and cycle.allows("appeal")
    if context["can_appeal"] and cycle is not None:
        # a "dispute" link of the drill-down names the record; the form carries it
        context["dispute"] = {
            k: request.GET.get(f"dispute_{k}", "")[:200] for k in ("kpi", "table", "record")
        }
        context["appeal_kpis"] = appeal_kpis(employee, cycle, context.get("period") or "")
    return render(request, "cycles/scorecard.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return _scorecard_page(request, require_employee(request.user))


@login_required
def person(request: HttpRequest, employee_id: str) -> HttpResponse:
    return _scorecard_page(request, access(request.user, "employee", employee_id))


@login_required
def person_trend(request: HttpRequest, employee_id: str) -> JsonResponse:
    employee = access(request.user, "employee", employee_id)
    return JsonResponse(trend(employee, cycles_for(request.user, employee), get_language()))


@login_required
def person_indicators(request: HttpRequest, employee_id: str) -> HttpResponse:
    """Every KPI of one period, beyond the ones the standard scores (a page of its own, so the
    scorecard stays light)."""
    employee = access(request.user, "employee", employee_id)
    _cycles, cycle = _pick_cycle(request, employee)
    if cycle is None:
        raise Denied
    period = request.GET.get("period", "")
    if period not in _period_labels(cycle):
        raise Denied
    return render(
        request,
        "cycles/indicators.html",
        {
            "employee": employee,
            "cycle": cycle,
            "period": period,
            "own": employee_of(request.user) == employee,
            "kpis": indicators(employee, cycle, period, get_language()),
        },
    )


def _period_labels(cycle: Cycle) -> list[str]:
    """The cycle's rating periods, as their labels."""
    return [p.label for p in rating_periods(cycle.policy_version.policy(), cycle.period)]


@login_required
def person_records(request: HttpRequest, employee_id: str) -> HttpResponse:
    """The records behind one KPI value, a page at a time, in the reader's words: the engine's
    own drill-down over the warehouse, summed at the top so the rows visibly add up."""
    employee = access(request.user, "employee", employee_id)
    _cycles, cycle = _pick_cycle(request, employee)
    kpi = request.GET.get("kpi", "")
    label = request.GET.get("period", "")
    if cycle is None or kpi not in REGISTRY:
        raise Denied
    policy = cycle.policy_version.policy()
    period = next((p for p in rating_periods(policy, cycle.period) if p.label == label), None)
    if period is None:
        raise Denied
    # on demand, also the employee's records of the same sources that count for nothing
    every_row = request.GET.get("all") == "1"
    records = RecordList(employee, kpi, period, policy.time_zone, every_row=every_row)
    # a page past the end shows the last page, a page that is no number the first
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    lineage = request.GET.get("source") == "1"
    base = {"cycle": cycle.pk, "period": label, "kpi": kpi}
    query = base | ({"all": 1} if every_row else {})
    d = REGISTRY[kpi]
    totals = records.totals
    stored = stored_value(employee, cycle, label, kpi)
    return render(
        request,
        "cycles/records.html",
        {
            "employee": employee,
            "cycle": cycle,
            "kpi": kpi,
            "kpi_def": d,
            "period": label,
            "page": page,
            "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "groups": grouped(page.object_list, kpi),
            "lineage": lineage,
            "every_row": every_row,
            "every_query": urlencode(
                base | ({"source": 1} if lineage else {}) | ({} if every_row else {"all": 1})
            ),
            "query": urlencode({**query, "source": 1} if lineage else query),
            "toggle_query": urlencode(
                {**query, "page": page.number} | ({} if lineage else {"source": 1})
            ),
            "totals": totals,
            "sums": {
                "numerator": amount(kpi, totals["numerator"]),
                "denominator": amount(kpi, totals["denominator"], denominator=True),
            },
            "stored": stored,
            "changed": stored is not None and not same_sums(stored, totals),
            "scale": f"{d.scale:,.0f}" if d.scale != 1 else "",
            "rate": d.kind == "rate",
            "can_dispute": employee_of(request.user) == employee and cycle.allows("appeal"),
            "total": page.paginator.count,
        },
    )


urlpatterns = [
    path("me/", me, name="me"),
    path("people/<str:employee_id>/", person, name="person"),
    path("people/<str:employee_id>/trend.json", person_trend, name="person_trend"),
    path("people/<str:employee_id>/records/", person_records, name="person_records"),
    path("people/<str:employee_id>/indicators/", person_indicators, name="person_indicators"),
]
