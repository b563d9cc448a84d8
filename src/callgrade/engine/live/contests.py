"""Contest ranking (技能竞赛): who stands where, who is not ranked and why, who wins which prize.

Pure: every input is explicit (the contestants' measured values, the metric's direction, the
quality gates, the minimum sample, the prize table) and nothing reads a clock or a database, so
the same inputs always give the same standings and a frozen result can be recomputed and checked.

Rules, in the order they are applied (docs/policy.md, *Contests*):

1. A contestant without a value for the metric is not ranked (``no_value``).
2. A contestant whose sample is below the minimum is not ranked (``sample``).
3. Each quality gate compares a gate KPI's value for the same period (``op`` ``value``); a gate
   not met, or a gate KPI without a value, leaves the contestant not ranked (``gate``). Every
   failing reason is listed, not only the first.
4. The others are ordered by value in the metric's direction (higher or lower is better).
5. Ties: an equal value is decided by the larger sample (more evidence ranks first); equal value
   and equal sample share the rank (standard competition ranking: 1, 1, 3) and each contestant
   at a shared rank receives that rank's prize.

Team contests rank team aggregates (:func:`team_entries`): a rate KPI pools its members'
numerators and denominators (the team's value is exactly the KPI over the team's records); a
total KPI sums the members' values; judged scores average over the members' judged scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Direction = Literal["higher_better", "lower_better"]
Aggregate = Literal["pooled", "sum", "mean"]
OPS = (">=", ">", "<=", "<")


@dataclass(frozen=True)
class Measure:
    """One KPI (or judged score) value of a contestant: the value, its sample, and for rate KPIs
    the numerator and denominator it came from (for pooling into team values)."""

    value: float | None
    sample: int = 0
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Entry:
    """A contestant: a person (key: employee id) or a team (key: team id), with the metric and
    the gate KPIs measured over the contest's period."""

    key: str
    metric: Measure
    gates: Mapping[str, Measure] = field(default_factory=dict)
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    kpi: str
    op: str
    value: float

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"a gate's comparison is one of {', '.join(OPS)}, not {self.op!r}")

    def holds(self, measured: float) -> bool:
        return {
            ">=": measured >= self.value,
            ">": measured > self.value,
            "<=": measured <= self.value,
            "<": measured < self.value,
        }[self.op]


@dataclass(frozen=True)
class Rules:
    direction: Direction
    gates: tuple[Gate, ...] = ()
    min_sample: int = 0


@dataclass(frozen=True)
class Reason:
    """Why a contestant is not ranked: ``no_value``, ``sample`` (measured vs needed) or ``gate``
    (the gate's KPI, comparison, required and measured value)."""

    code: Literal["no_value", "sample", "gate"]
    kpi: str = ""
    op: str = ""
    needed: float = 0.0
    measured: float | None = None


@dataclass(frozen=True)
class Standing:
    key: str
    rank: int | None  # None: not ranked (see ``reasons``)
    value: float | None
    sample: int
    shared: bool = False  # the rank is shared with another contestant
    reasons: tuple[Reason, ...] = ()
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prize:
    rank: int
    points: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)


def _known(v: float | None) -> bool:
    return v is not None and not math.isnan(v)


def _reasons(entry: Entry, rules: Rules) -> list[Reason]:
    out: list[Reason] = []
    if not _known(entry.metric.value):
        out.append(Reason("no_value"))
    if entry.metric.sample < rules.min_sample:
        out.append(Reason("sample", needed=rules.min_sample, measured=entry.metric.sample))
    for g in rules.gates:
        m = entry.gates.get(g.kpi)
        measured = m.value if m is not None else None
        if measured is None or not _known(measured) or not g.holds(measured):
            out.append(Reason("gate", kpi=g.kpi, op=g.op, needed=g.value, measured=measured))
    return out


def rank(entries: Iterable[Entry], rules: Rules) -> list[Standing]:
    """The standings: ranked contestants first, best first, then those not ranked (by key)."""
    ranked: list[Entry] = []
    out_of: list[Standing] = []
    for e in entries:
        reasons = _reasons(e, rules)
        if reasons:
            value = e.metric.value if _known(e.metric.value) else None
            out_of.append(Standing(e.key, None, value, e.metric.sample, reasons=tuple(reasons),
                                   members=e.members))  # fmt: skip
        else:
            ranked.append(e)
    sign = -1.0 if rules.direction == "higher_better" else 1.0

    def order(e: Entry) -> tuple[float, int, str]:
        assert e.metric.value is not None
        return (sign * e.metric.value, -e.metric.sample, e.key)

    ranked.sort(key=order)
    standings: list[Standing] = []
    i = 0
    while i < len(ranked):
        j = i
        at = (ranked[i].metric.value, ranked[i].metric.sample)
        while j < len(ranked) and (ranked[j].metric.value, ranked[j].metric.sample) == at:
            j += 1
        for e in ranked[i:j]:
            standings.append(Standing(e.key, i + 1, e.metric.value, e.metric.sample,
                                      shared=j - i > 1, members=e.members))  # fmt: skip
        i = j
    return standings + sorted(out_of, key=lambda s: s.key)


def prizes_for(standings: Sequence[Standing], prizes: Sequence[Prize]) -> list[tuple[str, Prize]]:
    """(contestant key, prize) for every ranked contestant whose rank has a prize; a shared rank
    gives each contestant at it that rank's prize."""
    table = {p.rank: p for p in prizes}
    return [(s.key, table[s.rank]) for s in standings if s.rank is not None and s.rank in table]


def _aggregate(measures: list[Measure], how: Aggregate) -> Measure:
    known = [m for m in measures if _known(m.value)]
    sample = sum(m.sample for m in measures)
    if not known:
        return Measure(None, sample)
    if how == "sum":
        return Measure(sum(m.value or 0.0 for m in known), sample)
    if how == "pooled" and all(_known(m.numerator) and m.denominator for m in known):
        num = sum(m.numerator or 0.0 for m in known)
        den = sum(m.denominator or 0.0 for m in known)
        # the scale the KPI applies to numerator / denominator (e.g. per 1000), from any member
        ref = next((m for m in known if m.numerator), None)  # all zero: the value is 0 anyway
        scale = (
            (ref.value or 0.0) * (ref.denominator or 1.0) / (ref.numerator or 1.0) if ref else 1.0
        )
        return Measure(num / den * scale, sample, num, den)
    # judged scores (or a rate without its parts): the mean weighted by each member's sample
    weight = sum(max(m.sample, 1) for m in known)
    return Measure(sum((m.value or 0.0) * max(m.sample, 1) for m in known) / weight, sample)


def team_entries(
    people: Iterable[Entry],
    team_of: Mapping[str, str],
    how: Aggregate,
    gate_how: Mapping[str, Aggregate] | None = None,
) -> list[Entry]:
    """Team contestants from their members' entries (people with no team are left out): the
    metric aggregated by ``how``, each gate KPI by its own way in ``gate_how`` (pooled when not
    named)."""
    groups: dict[str, list[Entry]] = {}
    for e in people:
        team = team_of.get(e.key)
        if team is not None:
            groups.setdefault(team, []).append(e)
    out = []
    for team, members in sorted(groups.items()):
        kpis = sorted({k for m in members for k in m.gates})
        gates = {
            k: _aggregate([m.gates[k] for m in members if k in m.gates],
                          (gate_how or {}).get(k, "pooled"))
            for k in kpis
        }  # fmt: skip
        metric = _aggregate([m.metric for m in members], how)
        out.append(Entry(team, metric, gates, tuple(sorted(m.key for m in members))))
    return out
