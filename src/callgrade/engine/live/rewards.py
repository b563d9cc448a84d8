"""Instant rewards (快速反馈) evaluated as KPI events arrive (docs/policy.md, *InstantReward*).

:class:`RewardBook` takes :class:`~.events.KpiEvent` one at a time, in the order they were
stored, and returns the awards each one triggers. It reads no clock and no database: the same
events in the same order give the same awards with the same keys, so replaying events already
evaluated produces keys the ledger holds already and nothing is awarded twice.

Rule kinds (``when.kind``), over the employee's observations of ``when.kpi`` in the window
(day, ISO week or calendar month, in the policy's time zone) that holds the event:

- ``threshold``: the window's value (the mean of a rate KPI's observations, the sum of a total
  KPI's) meets ``op value`` with at least ``min_sample`` observations; once per window.
- ``count``: ``count`` single observations meeting ``op value``; every ``count`` of them.
- ``streak``: ``count`` observations in a row meeting ``op value`` (one that does not breaks
  the run); the run starts again after an award.

Quality gates (``gates``) are checked when a rule fires: each gate's KPI over its own window up
to that event must meet its comparison, with at least its ``min_sample``. A threshold rule is
looked at again when an observation of a gate's KPI arrives, so a QA evaluation that lifts the
week's score can release the day's award. Caps: ``max_per_day`` and ``max_per_month`` awards per
employee, ``budget_per_month`` money for the rule across everyone; an award that would pass one
is not granted (the evidence of the refusals is counted in :attr:`RewardBook.refused`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from callgrade.engine.kpis import REGISTRY
from callgrade.engine.live.events import KpiEvent
from callgrade.engine.policy.model import Gate, InstantReward, Policy, compare

WindowKey = tuple[str, dt.date]  # (day | week | month, first day)


@dataclass(frozen=True)
class Granted:
    """One award: the rule, who, the window, what, and the events that triggered it."""

    key: str
    rule: str
    employee_id: str
    window: str
    window_start: dt.date
    day: dt.date  # the local day of the triggering event (the pay period is found from it)
    at: dt.datetime
    points: float
    amount: float
    events: tuple[str, ...]
    evidence: dict[str, Any]


@dataclass
class _Agg:
    total: float = 0.0
    n: int = 0
    ids: list[str] = field(default_factory=list)

    def value(self, kpi: str) -> float | None:
        if not self.n:
            return None
        kind = REGISTRY[kpi].kind if kpi in REGISTRY else "rate"
        return self.total if kind == "total" else self.total / self.n


def window_of(window: str, day: dt.date) -> WindowKey:
    if window == "day":
        return ("day", day)
    if window == "week":
        return ("week", day - dt.timedelta(days=day.weekday()))
    return ("month", day.replace(day=1))


def _unique(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


class RewardBook:
    """The running state of every instant reward (see the module's docstring)."""

    def __init__(
        self,
        rewards: Sequence[InstantReward],
        positions: Mapping[str, str],
        time_zone: str,
    ) -> None:
        self.rewards = tuple(rewards)
        self.positions = positions
        self.zone = ZoneInfo(time_zone)
        self._obs: dict[tuple[str, str, WindowKey], _Agg] = defaultdict(_Agg)
        self._by_kpi: dict[str, list[InstantReward]] = defaultdict(list)
        self._by_gate: dict[str, list[InstantReward]] = defaultdict(list)
        for r in self.rewards:
            self._by_kpi[r.when.kpi].append(r)
            for g in r.gates:
                if r.when.kind == "threshold" and r not in self._by_gate[g.kpi]:
                    self._by_gate[g.kpi].append(r)
        self._done: set[tuple[str, str, WindowKey]] = set()  # threshold windows awarded
        self._pending: dict[tuple[str, str, WindowKey], list[str]] = defaultdict(list)
        self._seq: dict[tuple[str, str, WindowKey], int] = defaultdict(int)
        self._per_day: dict[tuple[str, str, dt.date], int] = defaultdict(int)
        self._per_month: dict[tuple[str, str, dt.date], int] = defaultdict(int)
        self._spent: dict[tuple[str, dt.date], float] = defaultdict(float)
        self.refused: dict[str, int] = defaultdict(int)  # "rule:cap" → times

    # --- observations --------------------------------------------------------------------------

    def _agg(self, emp: str, kpi: str, window: str, day: dt.date) -> _Agg:
        return self._obs[(emp, kpi, window_of(window, day))]

    def _record(self, e: KpiEvent, day: dt.date) -> None:
        for window in ("day", "week", "month"):
            a = self._agg(e.employee_id, e.kpi, window, day)
            a.total += e.value
            a.n += 1
            a.ids.append(e.event_id)

    def _gates(self, r: InstantReward, emp: str, day: dt.date) -> tuple[bool, list[dict[str, Any]]]:
        checked = []
        for g in r.gates:
            ok, seen = self._gate(g, emp, day)
            checked.append(seen)
            if not ok:
                return False, checked
        return True, checked

    def _gate(self, g: Gate, emp: str, day: dt.date) -> tuple[bool, dict[str, Any]]:
        a = self._agg(emp, g.kpi, g.window, day)
        v = a.value(g.kpi)
        ok = v is not None and a.n >= (g.min_sample or 1) and compare(v, g.op, g.value)
        seen = {"kpi": g.kpi, "op": g.op, "value": g.value, "window": g.window,
                "measured": v, "sample": a.n, "events": _unique(a.ids)}  # fmt: skip
        return ok, seen

    # --- caps ----------------------------------------------------------------------------------

    def _allowed(self, r: InstantReward, emp: str, day: dt.date) -> bool:
        month = day.replace(day=1)
        cap = None
        if r.max_per_day is not None and self._per_day[(r.code, emp, day)] >= r.max_per_day:
            cap = "max_per_day"
        elif (
            r.max_per_month is not None and self._per_month[(r.code, emp, month)] >= r.max_per_month
        ):
            cap = "max_per_month"
        elif (
            r.budget_per_month is not None
            and self._spent[(r.code, month)] + r.award.amount > r.budget_per_month + 1e-9
        ):
            cap = "budget_per_month"
        if cap:
            self.refused[f"{r.code}:{cap}"] += 1
            return False
        return True

    def _grant(self, r: InstantReward, e: KpiEvent, day: dt.date, wk: WindowKey,
               events: tuple[str, ...], evidence: dict[str, Any]) -> Granted | None:  # fmt: skip
        emp = e.employee_id
        ok, gates = self._gates(r, emp, day)
        if not ok or not self._allowed(r, emp, day):
            return None
        month = day.replace(day=1)
        self._per_day[(r.code, emp, day)] += 1
        self._per_month[(r.code, emp, month)] += 1
        self._spent[(r.code, month)] += r.award.amount
        self._seq[(r.code, emp, wk)] += 1
        n = self._seq[(r.code, emp, wk)]
        gate_ids = [i for g in gates for i in g.pop("events")]
        return Granted(
            key=f"{r.code}:{emp}:{wk[0]}:{wk[1].isoformat()}:{n}",
            rule=r.code,
            employee_id=emp,
            window=wk[0],
            window_start=wk[1],
            day=day,
            at=e.at,
            points=r.award.points,
            amount=r.award.amount,
            events=_unique([*events, *gate_ids]),
            evidence={**evidence, "kind": r.when.kind, "kpi": r.when.kpi, "op": r.when.op,
                      "value": r.when.value, "gates": gates, "trigger": e.event_id},
        )  # fmt: skip

    # --- the rules -----------------------------------------------------------------------------

    def _eligible(self, r: InstantReward, emp: str) -> bool:
        position = self.positions.get(emp)
        return position is not None and (not r.positions or position in r.positions)

    def _threshold(self, r: InstantReward, e: KpiEvent, day: dt.date) -> Granted | None:
        w = r.when
        wk = window_of(w.window, day)
        done = (r.code, e.employee_id, wk)
        if done in self._done:
            return None
        a = self._obs[(e.employee_id, w.kpi, wk)]
        v = a.value(w.kpi)
        if v is None or a.n < (w.min_sample or 1) or not compare(v, w.op, w.value):
            return None
        g = self._grant(r, e, day, wk, _unique(a.ids), {"measured": v, "sample": a.n})
        if g is not None:
            self._done.add(done)
        return g

    def _counted(self, r: InstantReward, e: KpiEvent, day: dt.date) -> Granted | None:
        w = r.when
        wk = window_of(w.window, day)
        run = self._pending[(r.code, e.employee_id, wk)]
        if not compare(e.value, w.op, w.value):
            if w.kind == "streak":
                run.clear()
            return None
        run.append(e.event_id)
        need = w.count or 1
        if len(run) < need:
            return None
        g = self._grant(r, e, day, wk, tuple(run[-need:]), {"measured": len(run), "sample": need})
        if g is not None:
            run.clear()
        return g

    def add(self, e: KpiEvent) -> list[Granted]:
        """Take one event; the awards it triggers."""
        day = e.at.astimezone(self.zone).date()
        self._record(e, day)
        out: list[Granted] = []
        emp = e.employee_id
        for r in self._by_kpi.get(e.kpi, ()):
            if not self._eligible(r, emp):
                continue
            g = self._threshold(r, e, day) if r.when.kind == "threshold" else None
            if r.when.kind != "threshold":
                g = self._counted(r, e, day)
            if g is not None:
                out.append(g)
        for r in self._by_gate.get(e.kpi, ()):
            if r.when.kpi != e.kpi and self._eligible(r, emp):
                g = self._threshold(r, e, day)
                if g is not None:
                    out.append(g)
        return out

    def forget_before(self, day: dt.date) -> None:
        """Drop the state of windows that start before ``day`` (a long-running service keeps
        only the windows events can still fall in; an event older than that starts afresh)."""
        month = day.replace(day=1)
        tables: list[dict[Any, Any]] = [self._obs, self._pending, self._seq]
        for table in tables:
            for key in [key for key in table if key[2][1] < day]:
                del table[key]
        self._done = {key for key in self._done if key[2][1] >= day}
        counts: list[dict[Any, Any]] = [self._per_day, self._per_month]
        for count in counts:
            for key in [key for key in count if key[2] < month]:
                del count[key]
        for spent in [spent for spent in self._spent if spent[1] < month]:
            del self._spent[spent]

    def add_all(self, events: Sequence[KpiEvent]) -> list[Granted]:
        return [g for e in events for g in self.add(e)]


def book_for(policy: Policy, positions: Mapping[str, str]) -> RewardBook:
    """The book of a policy's instant rewards for employees at ``positions`` (id → position)."""
    return RewardBook(policy.instant_rewards, positions, policy.time_zone)
