"""Reads for the coaching pages: the notes a user may list, the overdue follow-ups, and who the
standard's coaching rules suggest a conversation with this week — the engine's evaluator fed
from the stored results of the latest cycle the user may see (never recomputed here)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from callgrade.cycles.models import Cycle, Decision, KpiValue
from callgrade.engine.kpis import REGISTRY
from callgrade.engine.scoring.coaching import Person, Reading, Suggestion, suggest_for
from callgrade.people.access import AnyUser, employee_of, is_hr, led_team_ids
from callgrade.people.models import Employee
from callgrade.review.access import visible_coaching
from callgrade.review.models import CoachingNote
from callgrade.review.selectors import cycle_periods, team_cycles


@dataclass(frozen=True)
class SuggestionRow:
    employee: Employee
    suggestion: Suggestion
    unit: str  # of the KPI, for showing its values


def notes_for(user: AnyUser) -> Any:
    return visible_coaching(user).select_related("employee", "author", "cycle")


def overdue(notes: Any, today: dt.date) -> list[CoachingNote]:
    """Notes whose follow-up day has passed without the follow-up recorded, oldest first."""
    qs = notes.filter(follow_up_on__lt=today, followed_up_at__isnull=True)
    return list(qs.order_by("follow_up_on", "id"))


def coached_people(user: AnyUser) -> Any:
    """Whom ``user`` may record coaching for: the members of the teams they lead (HR: anyone),
    never themselves, nobody who has left."""
    me = employee_of(user)
    people = Employee.objects.exclude(status="left")
    if not is_hr(user):
        people = people.filter(team_id__in=led_team_ids(user))
    return people.exclude(pk=me.pk) if me is not None else people


def _readings(cycle: Cycle, employees: list[Employee], period: str) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = KpiValue.objects.filter(cycle=cycle, employee__in=employees, period=period)
    for kv in rows.exclude(value=None):
        out[kv.employee_id][kv.kpi] = kv
    return out


def _floors(cycle: Cycle) -> dict[str, dict[str, tuple[float | None, str]]]:
    """position → kpi → (floor, direction), from the cycle's scorecards."""
    policy = cycle.policy_version.policy()
    out: dict[str, dict[str, tuple[float | None, str]]] = {}
    for pos in policy.positions:
        card = policy.scorecard(pos.scorecard)
        out[pos.code] = {
            m.kpi: (m.floor, m.direction or REGISTRY[m.kpi].direction)
            for d in card.dimensions
            for m in d.items
            if m.kpi and m.kpi in REGISTRY
        }
    return out


def suggestions(user: AnyUser, today: dt.date) -> tuple[Cycle | None, list[SuggestionRow]]:
    """Who the coaching rules of the latest cycle's standard suggest ``user`` talks to this
    week, each with its evidence; (None, []) when no cycle has results the user may see."""
    # the newest cycle with stored results (one being computed again may have none yet)
    cycle, periods = next(((c, p) for c in team_cycles(user) if (p := cycle_periods(c))),
                          (None, []))  # fmt: skip
    if cycle is None:
        return None, []
    current, previous = periods[-1], (periods[-2] if len(periods) > 1 else "")
    people = list(coached_people(user))
    now = _readings(cycle, people, current)
    before = _readings(cycle, people, previous) if previous else {}
    floors = _floors(cycle)
    actions = {
        d.employee_id: d.final_action or d.action
        for d in Decision.objects.filter(cycle=cycle, employee__in=people)
    }
    last = dict(
        CoachingNote.objects.filter(employee__in=people)
        .values("employee_id")
        .annotate(last=Max("held_on"))
        .values_list("employee_id", "last")
    )
    rules = cycle.policy_version.policy().coaching_rules
    watched = set(rules.drop.kpis) if rules is not None and rules.drop is not None else set()
    inputs, units = [], {}
    for e in people:
        # the KPIs of the person's scorecard, and any other the drop rule names
        scored = floors.get(e.position, {})
        readings = []
        for code, kv in sorted(now.get(e.pk, {}).items()):
            if code not in scored and code not in watched:
                continue
            default = REGISTRY[code].direction if code in REGISTRY else "higher_better"
            floor, direction = scored.get(code, (None, default))
            readings.append(Reading(code, kv.value, floor, direction))  # type: ignore[arg-type]
            units[code] = kv.unit
        inputs.append(
            Person(
                employee_id=e.employee_id, position=e.position, period=current,
                readings=tuple(readings), previous_period=previous,
                previous={k: kv.value for k, kv in before.get(e.pk, {}).items()},
                action=actions.get(e.pk, ""), last_coached=last.get(e.pk),
            )
        )  # fmt: skip
    by_id = {e.employee_id: e for e in people}
    found = suggest_for(cycle.policy_version.policy(), inputs, today)
    return cycle, [SuggestionRow(by_id[s.employee_id], s, units.get(s.kpi, "")) for s in found]
