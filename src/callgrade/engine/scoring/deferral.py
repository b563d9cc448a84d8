"""Deferred bonus pools: deferrals, their vesting steps, vestings and forfeitures
(docs/policy.md, *DeferredBonus*).

Pure and explicit: the caller passes the rating periods, what each period paid, the steps still
pending from earlier deferrals and the leaving and demotion events; nothing is read from a store
or the clock, so the same inputs always settle the same way and a caller that replaces its own
results can recompute without deferring twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import DeferredBonus

EventKind = Literal["leaving", "demotion"]


@dataclass(frozen=True)
class LocalPeriod:
    label: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class Earned:
    """What one rating period gave one employee: the bonus line's amount and the rating."""

    period: str
    employee_id: str
    position: str
    level: str
    bonus: float
    rating: str | None


@dataclass(frozen=True)
class Step:
    """One vesting step of a deferral: what is due, and when."""

    employee_id: str
    plan: str
    source_period: str  # the rating period the deferral was made in
    granted_on: dt.date
    deferred: float  # the whole deferral the step belongs to
    step: int  # 1-based
    steps: int
    months: int
    due_on: dt.date
    amount: float
    forfeit_on: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.employee_id, self.plan, self.source_period, self.step)


@dataclass(frozen=True)
class Event:
    employee_id: str
    on: dt.date
    kind: EventKind


@dataclass(frozen=True)
class Settlement:
    """A step vested (paid) or forfeited in a rating period, and why."""

    step: Step
    kind: Literal["vest", "forfeit"]
    period: str
    on: dt.date
    reason: str


@dataclass
class Ledger:
    steps: list[Step] = field(default_factory=list)  # the new deferrals' steps
    settlements: list[Settlement] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)  # pay lines (pay.LINE_COLUMNS)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on; a day the month lacks becomes its last."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(plan: DeferredBonus, amount: float) -> list[tuple[int, float]]:
    """(months, amount) per step: each rounded to cents, the last taking what rounding leaves so
    the steps add up to ``amount`` exactly."""
    cents = round(amount * 100)
    out, given = [], 0
    for i, s in enumerate(plan.vesting):
        part = cents - given if i == len(plan.vesting) - 1 else round(cents * s.percent / 100)
        given += part
        out.append((s.months, part / 100))
    return out


def money(x: float) -> str:
    return f"{x:,.2f}".removesuffix(".00")


def _deferral(plan: DeferredBonus, e: Earned) -> tuple[float, float, float, bool] | None:
    """(amount deferred, basis, rate, withheld from cash) for one period's pay, or None."""
    if plan.positions and e.position not in plan.positions:
        return None
    if plan.share is not None:
        amount = round(e.bonus * plan.share / 100, 2)
        return (amount, e.bonus, plan.share / 100, True) if amount > 0 else None
    amount = plan.amount_by_rating.get(e.rating or "", 0.0)
    return (float(amount), float("nan"), float("nan"), False) if amount > 0 else None


def _period_of(day: dt.date, periods: Sequence[LocalPeriod]) -> LocalPeriod | None:
    """The period holding ``day``; the first one for a day before them all (catching up)."""
    if day < periods[0].first:
        return periods[0]
    return next((p for p in periods if p.first <= day <= p.last), None)


def defer_and_vest(
    policy: Policy,
    periods: Sequence[LocalPeriod],
    earned: Iterable[Earned],
    pending: Iterable[Step],
    events: Iterable[Event],
) -> Ledger:
    """The deferrals the ``earned`` pay makes in ``periods`` and every step — ``pending`` ones
    from earlier deferrals and the new ones — vested or forfeited by the end of the last period.
    A step still pending on the day of an event its plan forfeits on (``forfeit_on``) is
    forfeited; otherwise it vests in the period holding its due day."""
    out = Ledger()
    plans = {p.code: p for p in policy.pay.deferred_bonus}
    if not periods:
        return out
    by_period = {p.label: p for p in periods}
    who: dict[str, tuple[str, str]] = {}
    for e in sorted(earned, key=lambda e: (e.period, e.employee_id)):
        who[e.employee_id] = (e.position, e.level)
        period = by_period.get(e.period)
        if period is None:
            continue
        for plan in plans.values():
            got = _deferral(plan, e)
            if got is None:
                continue
            amount, basis, rate, withheld = got
            parts = schedule(plan, amount)
            steps = [
                Step(e.employee_id, plan.code, e.period, period.last, amount, i, len(parts),
                     months, add_months(period.last, months), part, plan.forfeit_on)
                for i, (months, part) in enumerate(parts, start=1)
            ]  # fmt: skip
            out.steps.extend(steps)
            when = "; ".join(f"{money(s.amount)} on {s.due_on}" for s in steps)
            if withheld:
                text = (f"{plan.label.en}: {plan.share:g}% of the bonus {money(basis)} = "
                        f"{money(amount)} deferred into the pool; vests {when}")  # fmt: skip
            else:
                text = (f"{plan.label.en}: rating {e.rating} puts {money(amount)} into the pool; "
                        f"vests {when}")  # fmt: skip
            out.lines.append(
                {
                    "period": e.period, "employee_id": e.employee_id, "position": e.position,
                    "level": e.level, "kind": "deferral", "code": plan.code, "basis": basis,
                    "rate": rate, "amount": -amount if withheld else amount, "cash": withheld,
                    "explanation": text,
                    "steps": [_step_detail(s) for s in steps],
                }
            )  # fmt: skip
    end = periods[-1].last
    events_of: dict[str, list[Event]] = {}
    for one in sorted(events, key=lambda one: (one.on, one.kind)):
        events_of.setdefault(one.employee_id, []).append(one)
    vested: dict[tuple[str, str, str], list[Settlement]] = {}
    for s in sorted([*pending, *out.steps], key=lambda s: (s.employee_id, s.due_on, s.key)):
        # the first event of a kind the plan forfeits on, between the deferral and the due day
        ev = next(
            (
                one
                for one in events_of.get(s.employee_id, [])
                if one.kind in s.forfeit_on and s.granted_on <= one.on < s.due_on and one.on <= end
            ),
            None,
        )
        if ev is not None:
            period = _period_of(ev.on, periods)
            assert period is not None  # ev.on <= end
            reason = (
                f"step {s.step}/{s.steps} of the {s.source_period} deferral "
                f"({money(s.amount)}, due {s.due_on}) forfeited: {ev.kind} on {ev.on}"
            )
            out.settlements.append(Settlement(s, "forfeit", period.label, ev.on, reason))
            continue
        if s.due_on > end:
            continue
        period = _period_of(s.due_on, periods)
        assert period is not None
        reason = (
            f"step {s.step}/{s.steps} of the {s.source_period} deferral "
            f"({money(s.deferred)}): {money(s.amount)} due {s.due_on}"
        )
        done = Settlement(s, "vest", period.label, s.due_on, reason)
        out.settlements.append(done)
        vested.setdefault((period.label, s.employee_id, s.plan), []).append(done)
    for (label, emp, code), paid in sorted(vested.items()):
        plan_label = plans[code].label.en if code in plans else code
        amount = round(sum(d.step.amount for d in paid), 2)
        position, level = who.get(emp, ("", ""))
        out.lines.append(
            {
                "period": label, "employee_id": emp, "position": position, "level": level,
                "kind": "vesting", "code": code, "basis": float("nan"), "rate": float("nan"),
                "amount": amount, "cash": True,
                "explanation": f"{plan_label} vested: " + "; ".join(d.reason for d in paid)
                + f" = {money(amount)}",
                "steps": [_step_detail(d.step) for d in paid],
            }
        )  # fmt: skip
    return out


def _step_detail(s: Step) -> dict[str, Any]:
    return {
        "plan": s.plan,
        "source_period": s.source_period,
        "granted_on": s.granted_on.isoformat(),
        "deferred": s.deferred,
        "step": s.step,
        "steps": s.steps,
        "months": s.months,
        "due_on": s.due_on.isoformat(),
        "amount": s.amount,
    }


def balances(steps: Iterable[Step], settled: Iterable[Settlement]) -> dict[str, float]:
    """employee id → what is in the pool: every step not settled."""
    done = {x.step.key for x in settled}
    out: dict[str, float] = {}
    for s in steps:
        if s.key not in done:
            out[s.employee_id] = round(out.get(s.employee_id, 0.0) + s.amount, 2)
    return out


@dataclass(frozen=True)
class History:
    """What earlier cycles left: steps not yet settled, and the events that can forfeit them."""

    pending: Sequence[Step] = ()
    events: Sequence[Event] = ()


def earned_from(totals: pa.Table, lines: pa.Table, period: str) -> list[Earned]:
    """Every rated employee of one rating period with their bonus line's amount (0 without)."""
    bonus: dict[str, float] = {}
    for r in lines.select(["employee_id", "kind", "amount"]).to_pylist():
        if r["kind"] == "bonus":
            bonus[r["employee_id"]] = float(r["amount"] or 0.0)
    cols = ["employee_id", "position", "level", "rating"]
    return [
        Earned(period, r["employee_id"], r["position"] or "", r["level"] or "",
               bonus.get(r["employee_id"], 0.0), r["rating"])
        for r in totals.select(cols).to_pylist()
        if r["rating"] is not None
    ]  # fmt: skip


def with_lines(lines: pa.Table, rows: list[dict[str, Any]]) -> pa.Table:
    """``lines`` (one period's pay table) with the ledger's ``rows`` for it, in statement order:
    after the period's own lines for the employee."""
    if not rows:
        return lines
    cols = lines.schema.names
    extra = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows], schema=lines.schema)
    both = pa.concat_tables([lines, extra])
    rank = pa.array(range(both.num_rows))
    keys = [("employee_id", "ascending"), ("_n", "ascending")]
    order = pc.sort_indices(both.append_column("_n", rank), sort_keys=keys)
    return both.take(order)
