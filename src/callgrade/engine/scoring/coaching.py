"""Who needs a coaching conversation this week, by the standard's ``coaching_rules``.

A pure function of explicit inputs: the application gathers, for each person, the KPI values of
the latest rating period (with the floor their scorecard sets) and of the period before, their
latest ladder decision and the day they were last coached, and hands them over with today's
date. Every suggestion carries what made its rule fire, so a lead can see why (and check it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from callgrade.engine.policy.coaching import CoachingRules
from callgrade.engine.policy.model import Policy

Rule = Literal["below_floor", "drop", "decision", "no_coaching"]
RULE_ORDER: tuple[Rule, ...] = ("below_floor", "drop", "decision", "no_coaching")


@dataclass(frozen=True)
class Reading:
    """One KPI of the latest rating period; ``floor`` is the scorecard's (None: not scored)."""

    kpi: str
    value: float | None
    floor: float | None = None
    direction: Literal["higher_better", "lower_better"] = "higher_better"


@dataclass(frozen=True)
class Person:
    employee_id: str
    position: str
    period: str = ""  # the latest rating period with results
    readings: tuple[Reading, ...] = ()
    previous_period: str = ""
    previous: Mapping[str, float] = field(default_factory=dict)  # kpi → value, period before
    action: str = ""  # the latest ladder decision (the final one where it was changed)
    last_coached: dt.date | None = None


@dataclass(frozen=True)
class Suggestion:
    """A rule that fired for a person, with its evidence: the KPI and period with its value and
    the floor or previous value it was compared with, the decision, or the weeks since the last
    coaching (None: never coached)."""

    employee_id: str
    rule: Rule
    kpi: str = ""
    period: str = ""
    value: float | None = None
    reference: float | None = None
    reference_period: str = ""
    change_percent: float | None = None
    action: str = ""
    weeks: int | None = None
    last_coached: dt.date | None = None


def _worse(value: float, than: float, direction: str) -> bool:
    return value < than if direction == "higher_better" else value > than


def _drop_percent(now: float, before: float, direction: str) -> float | None:
    """How much worse ``now`` is than ``before``, in percent of ``before`` (None when ``before``
    is 0: a relative change from nothing is not defined)."""
    if before == 0:
        return None
    worse = (before - now) if direction == "higher_better" else (now - before)
    # rounded so that 0.90 → 0.81 is the 10% people read, not 9.999…% of binary fractions
    return round(worse / abs(before) * 100, 9)


def _for_person(rules: CoachingRules, p: Person, today: dt.date) -> list[Suggestion]:
    out: list[Suggestion] = []
    if rules.below_floor:
        for r in p.readings:
            if r.value is None or r.floor is None:
                continue
            if _worse(r.value, r.floor, r.direction):
                out.append(
                    Suggestion(p.employee_id, "below_floor", kpi=r.kpi, period=p.period,
                               value=r.value, reference=r.floor)
                )  # fmt: skip
    if rules.drop is not None:
        watched = set(rules.drop.kpis)
        for r in p.readings:
            before = p.previous.get(r.kpi)
            if r.value is None or before is None or (watched and r.kpi not in watched):
                continue
            change = _drop_percent(r.value, before, r.direction)
            if change is not None and change >= rules.drop.percent:
                out.append(
                    Suggestion(p.employee_id, "drop", kpi=r.kpi, period=p.period, value=r.value,
                               reference=before, reference_period=p.previous_period,
                               change_percent=round(change, 1))
                )  # fmt: skip
    if p.action and p.action in rules.decisions:
        out.append(Suggestion(p.employee_id, "decision", action=p.action, period=p.period))
    if rules.no_coaching_weeks is not None:
        weeks = None if p.last_coached is None else (today - p.last_coached).days // 7
        if weeks is None or weeks >= rules.no_coaching_weeks:
            out.append(
                Suggestion(p.employee_id, "no_coaching", weeks=weeks, last_coached=p.last_coached)
            )
    return out


def suggest(
    rules: CoachingRules | None, people: Iterable[Person], today: dt.date
) -> list[Suggestion]:
    """Every rule that fires for each person the rules cover (all positions when they name
    none), ordered by employee and then by rule; nothing without rules."""
    if rules is None:
        return []
    covered = set(rules.positions)
    found: list[Suggestion] = []
    for p in sorted(people, key=lambda p: p.employee_id):
        if covered and p.position not in covered:
            continue
        found += sorted(_for_person(rules, p, today), key=lambda s: RULE_ORDER.index(s.rule))
    return found


def suggest_for(policy: Policy, people: Iterable[Person], today: dt.date) -> list[Suggestion]:
    """:func:`suggest` under the standard's own ``coaching_rules``."""
    return suggest(policy.coaching_rules, people, today)
