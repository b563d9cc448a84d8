"""Reads for pages: what a scorecard, a trend or a team table shows, assembled from stored
engine results (never recomputed here)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from callgrade.cycles.models import (
    ChecklistItem,
    Cycle,
    Decision,
    KpiValue,
    PayLine,
    ScoreItem,
    ScoreTotal,
)
from callgrade.cycles.workflow import states_allowing
from callgrade.people.access import AnyUser, employee_of, is_hr, led_team_ids
from callgrade.people.models import Employee
from callgrade.review.models import Appeal


def cycles_for(user: AnyUser, employee: Employee) -> QuerySet[Cycle]:
    """The cycles whose results ``user`` may see for ``employee``: employees see published
    results only; their lead and HR also see results under review."""
    qs = Cycle.objects.filter(state__in=states_allowing("lead_view")).exclude(computed_at=None)
    me = employee_of(user)
    reviewer = is_hr(user) or (employee.team_id in led_team_ids(user) and me != employee)
    if not reviewer:
        qs = qs.filter(state__in=states_allowing("visible"))
    return qs.order_by("-created_at", "-id")


def scorecard(employee: Employee, cycle: Cycle, period: str | None, lang: str) -> dict[str, Any]:
    totals = list(ScoreTotal.objects.filter(cycle=cycle, employee=employee).order_by("period"))
    periods = [t.period for t in totals]
    if period not in periods:
        period = periods[-1] if periods else None
    total = next((t for t in totals if t.period == period), None)
    items = list(
        ScoreItem.objects.filter(cycle=cycle, employee=employee, period=period).order_by(
            "detail__dimension_index", "detail__item_index", "id"
        )
    )
    from callgrade.standards.labels import policy_labels
    from callgrade.standards.text import kpi_label

    labels = policy_labels(cycle, lang)
    dimensions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        d = it.detail
        dimensions[labels["dimensions"].get(it.dimension, it.dimension)].append(
            {
                "item": it.item,
                "label": kpi_label(it.item, lang),
                "status": it.status,
                "unit": d.get("unit"),
                "value": it.value,
                "numerator": d.get("numerator"),
                "denominator": d.get("denominator"),
                "sample_size": d.get("sample_size"),
                "target": d.get("target"),
                "floor": d.get("floor"),
                "points": it.points,
                "weight": it.weight,
                "contribution": it.contribution,
                "input": d.get("input"),
                "explanation": it.explanation_zh if lang.startswith("zh") else it.explanation_en,
            }
        )
    decision = Decision.objects.filter(cycle=cycle, employee=employee).first()
    conditions = list(ChecklistItem.objects.filter(cycle=cycle, employee=employee).order_by("id"))
    pay = list(PayLine.objects.filter(cycle=cycle, employee=employee, period=period).order_by("id"))
    return {
        "labels": labels,
        "cycle": cycle,
        "period": period,
        "periods": periods,
        "total": total,
        "totals": totals,
        "dimensions": dict(dimensions),
        "decision": decision,
        "criteria": [c for c in conditions if c.kind == "criterion"],
        "checklist": [c for c in conditions if c.kind == "checklist" and c.rule == "promotion"],
        "demotion_triggers": [
            c for c in conditions if c.kind == "checklist" and c.rule == "demotion"
        ],
        "at_risk": decision is not None
        and (
            decision.action in ("demote", "retrain")
            or any(c.holds for c in conditions if c.kind == "checklist" and c.rule == "demotion")
        ),
        "pay": pay,
        "pay_cash": sum((p.amount for p in pay if p.cash), start=0),
        "appeals": list(Appeal.objects.filter(cycle=cycle, employee=employee)),
    }


def indicators(employee: Employee, cycle: Cycle, period: str, lang: str) -> list[dict[str, Any]]:
    """Every KPI stored for the employee and period (the standard's and the others), the ones
    the scorecard scores first, then the rest by name."""
    from callgrade.standards.text import kpi_label

    scored = set(
        ScoreItem.objects.filter(
            cycle=cycle, employee=employee, period=period, detail__input="kpi"
        ).values_list("item", flat=True)
    )
    rows = [
        {
            "code": kv.kpi,
            "label": kpi_label(kv.kpi, lang),
            "value": kv.value,
            "unit": kv.unit,
            "numerator": kv.numerator,
            "denominator": kv.denominator,
            "sample_size": kv.sample_size,
            "scored": kv.kpi in scored,
        }
        for kv in KpiValue.objects.filter(cycle=cycle, employee=employee, period=period)
    ]
    rows.sort(key=lambda k: (not k["scored"], k["label"]))
    return rows


def trend(employee: Employee, cycles: QuerySet[Cycle]) -> dict[str, Any]:
    """Total score and the scored items' values over every period the employee was scored in
    the visible cycles (the newest cycle wins a period computed twice)."""
    by_period: dict[str, ScoreTotal] = {}
    for t in ScoreTotal.objects.filter(cycle__in=cycles, employee=employee).order_by(
        "cycle__created_at", "cycle_id"
    ):
        by_period[t.period] = t
    periods = sorted(by_period)
    return {
        "periods": periods,
        "total": [by_period[p].total for p in periods],
        "rating": [by_period[p].final_rating for p in periods],
    }
