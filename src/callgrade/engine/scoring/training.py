"""Gaps that propose a training: the standard's ``training_rules`` over explicit inputs.

Pure: the caller gives who is graded at which level, the KPI values of consecutive rating
periods, the competency scores that count, the cycle's decisions and its ranks; each proposal
comes back with the evidence that made it (which values, which floor or requirement, which rank)
and a gap key. The same gap yields the same key in every later computation, so the application
never proposes it twice: a run of KPI periods is keyed by its first period, a competency gap by
the level whose requirement it misses, a retraining decision by the computation it came from, a
bottom rank by its period; the key names the rule and the course too, so a later standard that
closes the same gap with another course proposes that one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from callgrade.engine.policy import Policy
from callgrade.engine.policy.training_rules import (
    BottomGap,
    CompetencyGap,
    KpiGap,
    RetrainGap,
    TrainingRule,
)

RETRAINING_ACTIONS = frozenset({"retrain", "demote_and_retrain"})


@dataclass(frozen=True)
class Person:
    employee_id: str
    position: str
    level: str


@dataclass(frozen=True)
class KpiPoint:
    employee_id: str
    period: str
    kpi: str
    value: float | None
    sample: int = 0


@dataclass(frozen=True)
class RankPoint:
    employee_id: str
    period: str
    rank: int
    group_size: int


@dataclass(frozen=True)
class GapInputs:
    """``periods``: the rating periods KPI runs are read over, oldest first and consecutive;
    ``competencies``: employee → competency → the score that counts; ``decisions``: employee →
    the cycle's action; ``ranks``: the cycle's own periods; ``computation``: what names the
    cycle the decisions come from (part of a retraining gap's key)."""

    people: Sequence[Person]
    periods: Sequence[str] = ()
    kpis: Sequence[KpiPoint] = ()
    competencies: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    decisions: Mapping[str, str] = field(default_factory=dict)
    ranks: Sequence[RankPoint] = ()
    computation: str = ""


@dataclass(frozen=True)
class Proposal:
    employee_id: str
    rule: str
    kind: str
    course: str
    gap_key: str
    due_days: int
    evidence: dict[str, Any]


def _floor(policy: Policy, person: Person, gap: KpiGap) -> tuple[float, str, int] | None:
    """(floor, direction, minimum sample) the rule holds the KPI to for this person."""
    if gap.floor is not None:
        return gap.floor, gap.direction, 0
    pos = next((p for p in policy.positions if p.code == person.position), None)
    if pos is None:
        return None
    card = policy.scorecard(pos.scorecard)
    for dim in card.dimensions:
        for m in dim.items:
            if m.kpi == gap.kpi and m.floor is not None:
                return m.floor, m.direction or "higher_better", m.min_sample or 0
    return None


def _worse(value: float, floor: float, direction: str) -> bool:
    return value > floor if direction == "lower_better" else value < floor


def _kpi(policy: Policy, rule: TrainingRule, gap: KpiGap, inp: GapInputs) -> list[Proposal]:
    index = {p: i for i, p in enumerate(inp.periods)}
    points: dict[tuple[str, str], KpiPoint] = {
        (k.employee_id, k.period): k for k in inp.kpis if k.kpi == gap.kpi and k.period in index
    }
    out = []
    for person in _people(rule, inp):
        held = _floor(policy, person, gap)
        if held is None:
            continue
        floor, direction, min_sample = held
        run: list[KpiPoint] = []
        for period in inp.periods:
            k = points.get((person.employee_id, period))
            # a value missing or on too small a sample says nothing: it ends a run
            bad = (
                k is not None
                and k.value is not None
                and k.sample >= min_sample
                and _worse(k.value, floor, direction)
            )
            if not bad:
                if len(run) >= gap.periods:
                    break
                run = []
                continue
            assert k is not None
            run.append(k)
        if len(run) < gap.periods:
            continue
        out.append(
            _proposal(
                rule,
                person,
                key=f"{gap.kpi}|{run[0].period}",
                evidence={
                    "kpi": gap.kpi,
                    "floor": floor,
                    "direction": direction,
                    "periods": [
                        {"period": k.period, "value": k.value, "sample": k.sample} for k in run
                    ],
                },
            )
        )
    return out


def _competency(
    policy: Policy, rule: TrainingRule, gap: CompetencyGap, inp: GapInputs
) -> list[Proposal]:
    out = []
    for person in _people(rule, inp):
        level = _level(policy, person, gap.level)
        if level is None:
            continue
        pos = policy.position(person.position)
        req = next((r for r in pos.competencies if r.level == level), None)
        if req is None or gap.competency not in req.requires:
            continue
        required = req.requires[gap.competency]
        score = inp.competencies.get(person.employee_id, {}).get(gap.competency)
        # no assessment is no evidence of a gap: the rule proposes on a measured shortfall only
        if score is None or score >= required:
            continue
        out.append(
            _proposal(
                rule,
                person,
                key=f"{gap.competency}|{level}",
                evidence={
                    "competency": gap.competency,
                    "level": level,
                    "required": required,
                    "score": score,
                },
            )
        )
    return out


def _level(policy: Policy, person: Person, which: str) -> str | None:
    pos = next((p for p in policy.positions if p.code == person.position), None)
    if pos is None:
        return None
    if which == "current":
        return person.level
    ladder = policy.ladder(pos.ladder)
    ordered = [lv.code for lv in ladder.ordered()]
    if person.level not in ordered or person.level == ordered[-1]:
        return None
    return ordered[ordered.index(person.level) + 1]


def _retrain(rule: TrainingRule, inp: GapInputs) -> list[Proposal]:
    return [
        _proposal(
            rule,
            person,
            key=f"retrain|{inp.computation}",
            evidence={"action": inp.decisions[person.employee_id]},
        )
        for person in _people(rule, inp)
        if inp.decisions.get(person.employee_id) in RETRAINING_ACTIONS
    ]


def _bottom(rule: TrainingRule, gap: BottomGap, inp: GapInputs) -> list[Proposal]:
    people = {p.employee_id: p for p in _people(rule, inp)}
    out = []
    for r in sorted(inp.ranks, key=lambda r: (r.period, r.employee_id)):
        person = people.get(r.employee_id)
        # in a group no larger than ``bottom`` everyone would be last: nobody is singled out
        if person is None or r.group_size <= gap.bottom or r.rank <= r.group_size - gap.bottom:
            continue
        out.append(
            _proposal(
                rule,
                person,
                key=f"bottom|{r.period}",
                evidence={
                    "period": r.period,
                    "rank": r.rank,
                    "group_size": r.group_size,
                    "bottom": gap.bottom,
                },
            )
        )
    return out


def _people(rule: TrainingRule, inp: GapInputs) -> list[Person]:
    return [p for p in inp.people if not rule.positions or p.position in rule.positions]


def _proposal(
    rule: TrainingRule, person: Person, *, key: str, evidence: dict[str, Any]
) -> Proposal:
    return Proposal(
        employee_id=person.employee_id,
        rule=rule.code,
        kind=rule.when.kind,
        course=rule.course,
        gap_key=f"{rule.code}|{rule.course}|{person.employee_id}|{key}",
        due_days=rule.due_days,
        evidence={"kind": rule.when.kind, **evidence},
    )


def training_proposals(policy: Policy, inputs: GapInputs) -> list[Proposal]:
    """Every gap a rule finds, at most one proposal per person and course (the first rule that
    finds one, in the order the standard lists them), sorted by employee."""
    found: list[Proposal] = []
    for rule in policy.training_rules:
        gap = rule.when
        if isinstance(gap, KpiGap):
            found += _kpi(policy, rule, gap, inputs)
        elif isinstance(gap, CompetencyGap):
            found += _competency(policy, rule, gap, inputs)
        elif isinstance(gap, RetrainGap):
            found += _retrain(rule, inputs)
        elif isinstance(gap, BottomGap):
            found += _bottom(rule, gap, inputs)
    seen: set[tuple[str, str]] = set()
    out = []
    for p in found:
        if (p.employee_id, p.course) not in seen:
            seen.add((p.employee_id, p.course))
            out.append(p)
    return sorted(out, key=lambda p: (p.employee_id, p.gap_key))
