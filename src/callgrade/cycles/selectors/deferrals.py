"""The deferred bonus pools as people read them: an employee's balance and schedule, a cycle's
totals. Only what the reader's visible cycles stored counts: a step settled by a cycle they may
not see yet still shows as to vest."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from callgrade.cycles.models import Cycle, DeferralSettlement, DeferralStep, PayLine
from callgrade.people.models import Employee
from callgrade.standards.text import text


def _plan_names(cycles: list[Cycle], lang: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for c in sorted(cycles, key=lambda c: c.pk):  # the newest standard's name wins
        for plan in c.policy_version.policy().pay.deferred_bonus:
            names[plan.code] = text(plan.label, lang)
    return names


def employee_pool(employee: Employee, cycles: QuerySet[Cycle], lang: str) -> dict[str, Any]:
    """Balance, the steps still to vest and what vested or was forfeited, oldest due first."""
    visible = list(cycles.select_related("policy_version"))
    seen = {c.pk for c in visible}
    steps = DeferralStep.objects.filter(employee=employee, cycle_id__in=seen).select_related(
        "settlement"
    )
    names = _plan_names([c for c in visible if c.pk in {s.cycle_id for s in steps}], lang)
    rows, balance = [], Decimal(0)
    for s in steps.order_by("due_on", "plan", "source_period", "step"):
        done = getattr(s, "settlement", None)
        if done is not None and done.cycle_id not in seen:
            done = None
        if done is None:
            balance += s.amount
            status = _("to vest")
        elif done.kind == DeferralSettlement.VEST:
            status = _("vested in %(period)s") % {"period": done.period}
        else:
            status = _("forfeited on %(day)s") % {"day": done.on.isoformat()}
        rows.append(
            {
                "plan": names.get(s.plan, s.plan),
                "source_period": s.source_period,
                "step": f"{s.step}/{s.steps}",
                "due_on": s.due_on,
                "amount": s.amount,
                "status": status,
                "open": done is None,
            }
        )
    return {"rows": rows, "balance": balance}


def cycle_pool_totals(cycle: Cycle) -> dict[str, Decimal] | None:
    """What the cycle deferred, paid out as vested and forfeited, and what its population still
    holds in the pools; None when the cycle touched no pool."""
    deferred = DeferralStep.objects.filter(cycle=cycle).aggregate(s=Sum("amount"))["s"]
    settled = DeferralSettlement.objects.filter(cycle=cycle)
    if deferred is None and not settled.exists():
        return None
    vested = settled.filter(kind=DeferralSettlement.VEST).aggregate(s=Sum("step__amount"))["s"]
    forfeited = settled.filter(kind=DeferralSettlement.FORFEIT).aggregate(s=Sum("step__amount"))
    employees = PayLine.objects.filter(cycle=cycle).values("employee_id")
    held = (
        DeferralStep.objects.filter(employee_id__in=employees)
        .filter(settlement__isnull=True)
        .aggregate(s=Sum("amount"))["s"]
    )
    zero = Decimal(0)
    return {
        "deferred": deferred or zero,
        "vested": vested or zero,
        "forfeited": forfeited["s"] or zero,
        "balance": held or zero,
    }
