"""The deferred bonus ledger of the cycles (docs/policy.md, *DeferredBonus*): what earlier
cycles left goes into the engine, what a computation defers, vests and forfeits is stored.

A computation replaces its own part of the ledger — the steps of deferrals made in its rating
periods and the settlements it made — so computing a cycle again never defers or pays twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from callgrade.cycles.models import Cycle, DeferralSettlement, DeferralStep, PayLine
from callgrade.engine.cycle import local_periods, rating_periods
from callgrade.engine.policy import Policy
from callgrade.engine.scoring import deferral
from callgrade.people.models import Employee, LevelChange


def _step(s: DeferralStep) -> deferral.Step:
    return deferral.Step(
        employee_id=s.employee.employee_id,
        plan=s.plan,
        source_period=s.source_period,
        granted_on=s.granted_on,
        deferred=float(s.deferred),
        step=s.step,
        steps=s.steps,
        months=s.months,
        due_on=s.due_on,
        amount=float(s.amount),
        forfeit_on=tuple(s.forfeit_on),
    )


def _demotions(policy: Policy) -> list[deferral.Event]:
    """Level changes down a ladder of the standard, on their effective day."""
    order = {
        (p.code, lv.code): i
        for p in policy.positions
        for ladder in policy.ladders
        if ladder.code == p.ladder
        for i, lv in enumerate(ladder.ordered())
    }
    out = []
    for c in LevelChange.objects.select_related("employee"):
        pos = c.employee.position
        a, b = order.get((pos, c.level_from)), order.get((pos, c.level_to))
        if a is not None and b is not None and b < a:
            out.append(deferral.Event(c.employee.employee_id, c.effective, "demotion"))
    return out


def deferral_history(cycle: Cycle) -> deferral.History:
    """The steps still pending for ``cycle`` — unsettled, or settled by this very cycle — less
    those of deferrals made in its own rating periods (it makes them again), and the events.
    The record of people keeps no leaving day: someone marked as left has left by the day
    before the cycle's first period."""
    policy = cycle.policy_version.policy()
    periods = local_periods(policy, rating_periods(policy, cycle.period))
    labels = [p.label for p in periods]
    steps = (
        DeferralStep.objects.filter(Q(settlement__isnull=True) | Q(settlement__cycle=cycle))
        .exclude(source_period__in=labels)
        .select_related("employee")
    )
    left_by = periods[0].first - dt.timedelta(days=1)
    events = [
        deferral.Event(e, left_by, "leaving")
        for e in Employee.objects.filter(status="left").values_list("employee_id", flat=True)
    ]
    return deferral.History(pending=[_step(s) for s in steps], events=events + _demotions(policy))


def deferrals_store(
    cycle: Cycle, ledger: deferral.Ledger | None, employees: dict[str, int]
) -> dict[str, int]:
    """Replace the cycle's part of the ledger with ``ledger`` for the ``employees`` (id → pk) it
    pays and for leavers (their forfeitures), and put each deferral and vesting line's steps in
    its stored detail."""
    policy = cycle.policy_version.policy()
    labels = [p.label for p in rating_periods(policy, cycle.period)]
    keep = dict(employees)
    keep.update(Employee.objects.filter(status="left").values_list("employee_id", "id"))
    with transaction.atomic():
        DeferralSettlement.objects.filter(cycle=cycle).delete()
        mine = {
            (s.employee.employee_id, s.plan, s.source_period, s.step): s
            for s in DeferralStep.objects.filter(
                source_period__in=labels, employee_id__in=keep.values()
            ).select_related("employee")
        }
        if ledger is None:
            DeferralStep.objects.filter(pk__in=[s.pk for s in mine.values()]).delete()
            return {"deferral_steps": 0, "settlements": 0}
        # Kept by key rather than replaced, so what later cycles settled of them stays settled.
        made = []
        for s in ledger.steps:
            if s.employee_id not in keep:
                continue
            fields = {
                "cycle": cycle,
                "granted_on": s.granted_on,
                "deferred": _money(s.deferred),
                "steps": s.steps,
                "months": s.months,
                "due_on": s.due_on,
                "amount": _money(s.amount),
                "forfeit_on": list(s.forfeit_on),
            }
            row = mine.pop(s.key, None)
            if row is None:
                row = DeferralStep(
                    employee_id=keep[s.employee_id], plan=s.plan,
                    source_period=s.source_period, step=s.step, **fields,
                )  # fmt: skip
            else:
                for k, v in fields.items():
                    setattr(row, k, v)
            row.save()
            made.append(row)
        DeferralStep.objects.filter(pk__in=[s.pk for s in mine.values()]).delete()
        wanted = [x for x in ledger.settlements if x.step.employee_id in keep]
        stored = {
            (s.employee.employee_id, s.plan, s.source_period, s.step): s
            # a step another cycle settled stays as that cycle settled it
            for s in DeferralStep.objects.filter(
                employee_id__in=[keep[x.step.employee_id] for x in wanted],
                settlement__isnull=True,
            ).select_related("employee")
        }
        settled = DeferralSettlement.objects.bulk_create(
            DeferralSettlement(
                step=stored[x.step.key],
                cycle=cycle,
                kind=x.kind,
                period=x.period,
                on=x.on,
                reason=x.reason,
            )
            for x in wanted
            if x.step.key in stored
        )
        for row in ledger.lines:
            emp = employees.get(row["employee_id"])
            if emp is None:
                continue
            line = PayLine.objects.filter(
                cycle=cycle, employee_id=emp, period=row["period"], kind=row["kind"],
                code=row["code"],
            ).first()  # fmt: skip
            if line is not None:
                line.detail = {**line.detail, "steps": row["steps"]}
                line.save(update_fields=["detail"])
    return {"deferral_steps": len(made), "settlements": len(settled)}


def _money(x: float) -> Decimal:
    return Decimal(str(round(x, 2)))
