"""One grading cycle end to end: warehouse → KPIs → scorecards → grading → pay.

The policy says how long a rating period is (e.g. a month) and how long a grading period is
(e.g. a half-year). Given a period spec (``2026-H1``), the cycle computes the KPIs of every
rating period inside it in one pass, scores each rating period, grades at the end of the whole
period and writes the pay lines of each rating period. Nothing here reads the clock: the grading
date is the last local day of the period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.analysis.thresholds import Distributions, distributions
from callgrade.engine.kpis import REGISTRY, KpiEngine, KpiOptions, compute_kpis, open_tables
from callgrade.engine.people import (
    CycleInputs,
    assessments_counted,
    level_since,
    roster_on,
    trainings_held,
)
from callgrade.engine.periods import Period, parse_period
from callgrade.engine.policy import Policy
from callgrade.engine.scoring import (
    Decisions,
    PayLines,
    Scorecards,
    SimulationReport,
    deferral,
    grade,
    inputs_from_assessments,
    pay,
    score,
    simulate,
)
from callgrade.engine.scoring.threads import in_threads


@dataclass(frozen=True)
class CycleResult:
    periods: list[Period]  # the rating periods
    kpis: pa.Table  # KPI long table by agent for those periods
    scorecards: list[Scorecards]
    decisions: Decisions | None  # None when the range does not end a grading period
    pay: list[PayLines]
    ledger: deferral.Ledger | None = None  # deferred bonus pools, when the policy has any


def last_local_day(period: Period, tz: str) -> dt.date:
    """The last calendar day of ``period`` in time zone ``tz`` (periods end exclusive)."""
    end = period.end.astimezone(zoneinfo.ZoneInfo(tz))
    return (end - dt.timedelta(microseconds=1)).date()


def _assessment_inputs(assessments: pa.Table, as_of: dt.date, tz: str) -> pa.Table | None:
    """Scoring inputs from the assessments taken up to ``as_of``; None when there are none yet."""
    if assessments.num_rows == 0:
        return None
    # Compare in local wall-clock time: "taken by the end of as_of" is a local calendar day.
    local = pc.local_timestamp(assessments.column("assessed_at").cast(pa.timestamp("us", tz=tz)))
    next_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    taken = assessments.filter(pc.less(local, pa.scalar(next_day, pa.timestamp("us"))))
    return inputs_from_assessments(taken, as_of) if taken.num_rows else None


def override_ratings(
    policy: Policy, card: Scorecards, overrides: Mapping[tuple[str, str], str]
) -> Scorecards:
    """``card`` with the calibrated ratings of its period put in place of the computed ones."""
    mine = {emp: r for (label, emp), r in overrides.items() if label == card.period}
    if not mine:
        return card
    known = {g.code: g.points for g in policy.ratings.grades}
    unknown = sorted(set(mine.values()) - set(known))
    if unknown:
        raise ValueError(f"unknown rating(s) {', '.join(unknown)}: the policy has {sorted(known)}")
    totals = card.totals.to_pandas()
    totals["computed_rating"] = totals["rating"]
    hit = totals["employee_id"].isin(list(mine))
    totals.loc[hit, "rating"] = totals.loc[hit, "employee_id"].map(mine)
    totals.loc[hit, "rating_points"] = totals.loc[hit, "rating"].map(known).astype(float)
    schema = card.totals.schema.append(pa.field("computed_rating", pa.string()))
    table = pa.Table.from_pandas(totals, schema=schema, preserve_index=False)
    return dataclasses.replace(card, totals=table)


def rating_periods(policy: Policy, spec: str) -> list[Period]:
    """The policy's rating periods (e.g. months) covering ``spec`` (e.g. ``2026-H1``)."""
    return parse_period(spec, tz=policy.time_zone, grain=policy.cycle.rating_period)


def run_cycle(
    inputs: CycleInputs,
    policy: Policy,
    *,
    period: str,
    options: KpiOptions | None = None,
    grade_at_end: bool = True,
    on_step: Callable[[str], None] | None = None,
    rating_overrides: Mapping[tuple[str, str], str] | None = None,
    all_kpis: bool = False,
    engine: KpiEngine | None = None,
    deferred: deferral.History | None = None,
) -> CycleResult:
    """Score, grade and pay everyone in ``inputs.roster`` under ``policy`` for ``period``.

    Each rating period scores and pays the level each employee held on its last day, and
    grading holds everyone to the level held on the grading date (``people.roster_on``), with
    tenure at the level from the level history, the trainings that count then and the latest
    competency assessments. Corrections are applied to the KPI source records first.

    The cycle computes the KPIs the policy names (``Policy.kpi_codes``); ``all_kpis=True`` adds
    every other registered KPI to ``CycleResult.kpis`` for people to read, computed separately so
    that scores never depend on it.

    ``rating_overrides`` maps (rating period label, employee id) → rating: a calibrated rating
    replaces the computed one before pay and grading use it (the total score stays as computed,
    and the totals keep the computed rating in ``computed_rating``).

    ``engine`` is the KPI backend (default DuckDB in this process; ``KpiEngine("spark")`` for
    Spark). Only the KPIs run on it: they come back as one Arrow table, and scoring, grading and
    pay read that table here, so every engine gives the same scorecards for the same KPIs.

    ``deferred`` is what earlier cycles left in the deferred bonus pools (steps pending, leaving
    and demotion events); the pools' deferral and vesting lines join each period's pay and the
    ledger is returned in ``CycleResult.ledger``.
    """

    def step(name: str) -> None:
        if on_step:
            on_step(name)

    periods = rating_periods(policy, period)
    if not periods:
        raise ValueError(f"period {period!r} holds no rating period")
    step("KPIs")
    tables = open_tables((engine or KpiEngine()).connect(), inputs.facts, inputs.corrections)
    options = options or KpiOptions()
    codes = policy.kpi_codes()
    kpis = compute_kpis(tables, periods=periods, by="agent", kpis=codes, options=options)
    tz = policy.time_zone
    assessments = assessments_counted(policy, inputs.assessments)

    def one_period(p: Period) -> tuple[Scorecards, PayLines]:
        as_of = last_local_day(p, tz)
        roster = roster_on(policy, inputs, as_of)
        extra = _assessment_inputs(assessments, as_of, tz)
        card = score(policy, kpis, roster, period_label=p.label, extra_inputs=extra, as_of=as_of)
        if rating_overrides:
            card = override_ratings(policy, card, rating_overrides)
        return card, pay(policy, card, None, kpis, roster, period_label=p.label, as_of=as_of)

    done = in_threads(one_period, periods, on_done=lambda p: step(f"score {p.label}"))
    cards = [card for card, _ in done]
    lines = [paid for _, paid in done]
    ledger = None
    if policy.pay.deferred_bonus:
        ledger, lines = _deferrals(policy, periods, cards, lines, deferred or deferral.History())
    decisions = None
    if grade_at_end:
        step("grade")
        # Grading looks at the rating periods of the last grading period in the range only.
        grading = parse_period(period, tz=tz, grain=policy.cycle.grading_period)
        start = grading[-1].start
        history = [c for p, c in zip(periods, cards, strict=True) if p.start >= start]
        cycle_end = last_local_day(periods[-1], tz)
        decisions = grade(
            policy,
            history,
            roster_on(policy, inputs, cycle_end),
            kpis,
            cycle_end=cycle_end,
            trainings=trainings_held(inputs, cycle_end, tz),
            competencies=assessments if assessments.num_rows else None,
            level_since=level_since(inputs),
        )
    if all_kpis:
        step("other KPIs")
        rest = [c for c in REGISTRY if c not in codes]
        more = compute_kpis(tables, periods=periods, by="agent", kpis=rest, options=options)
        kpis = _with_more_kpis(kpis, more)
    return CycleResult(periods, kpis, cards, decisions, lines, ledger)


def local_periods(policy: Policy, periods: list[Period]) -> list[deferral.LocalPeriod]:
    tz = zoneinfo.ZoneInfo(policy.time_zone)
    return [
        deferral.LocalPeriod(p.label, p.start.astimezone(tz).date(), last_local_day(p, tz.key))
        for p in periods
    ]


def _deferrals(
    policy: Policy,
    periods: list[Period],
    cards: list[Scorecards],
    lines: list[PayLines],
    history: deferral.History,
) -> tuple[deferral.Ledger, list[PayLines]]:
    earned = [
        e
        for card, paid in zip(cards, lines, strict=True)
        for e in deferral.earned_from(card.totals, paid.lines, paid.period)
    ]
    ledger = deferral.defer_and_vest(
        policy, local_periods(policy, periods), earned, history.pending, history.events
    )
    out = [
        dataclasses.replace(
            paid,
            lines=deferral.with_lines(
                paid.lines, [r for r in ledger.lines if r["period"] == paid.period]
            ),
        )
        for paid in lines
    ]
    return ledger, out


def _with_more_kpis(kpis: pa.Table, more: pa.Table) -> pa.Table:
    """Both KPI long tables as one, in the order ``compute_kpis`` gives its rows."""
    keys = ("period_start", "period_end", "period", "entity_id", "kpi")
    return pa.concat_tables([kpis, more]).sort_by([(k, "ascending") for k in keys])


def simulate_cycle(
    inputs: CycleInputs,
    draft: Policy,
    current: Policy,
    *,
    period: str,
    on_step: Callable[[str], None] | None = None,
    engine: KpiEngine | None = None,
) -> SimulationReport:
    """What ``draft`` would change against ``current`` over ``period`` (the current policy's
    rating periods), from the same inputs a cycle reads: the roster and levels as of the end of
    the period, its trainings, assessments and corrections."""
    periods = rating_periods(current, period)
    if not periods:
        raise ValueError(f"period {period!r} holds no rating period")
    if on_step:
        on_step("KPIs")
    tables = open_tables((engine or KpiEngine()).connect(), inputs.facts, inputs.corrections)
    codes = sorted(set(draft.kpi_codes()) | set(current.kpi_codes()))
    kpis = compute_kpis(tables, periods=periods, by="agent", kpis=codes, options=KpiOptions())
    if on_step:
        on_step("simulate")
    tz = current.time_zone
    cycle_end = last_local_day(periods[-1], tz)
    # one roster for both standards: a probation start level is the current standard's
    assessments = assessments_counted(current, inputs.assessments)
    roster = roster_on(current, inputs, cycle_end)
    extra = _assessment_inputs(assessments, cycle_end, tz)
    report = simulate(
        draft,
        current,
        kpis,
        roster,
        period_labels=[p.label for p in periods],
        extra_inputs=extra,
        cycle_end=cycle_end,
        trainings=trainings_held(inputs, cycle_end, tz),
        competencies=assessments if assessments.num_rows else None,
        level_since=level_since(inputs),
    )
    # the draft's thresholds against the last rating period's values (thresholds from data)
    last = periods[-1].label
    card = score(draft, kpis, roster, period_label=last, extra_inputs=extra, explain=False)
    spread = distributions(draft, kpis, roster, card.totals, last)
    return dataclasses.replace(report, distributions=spread)


def policy_distributions(
    inputs: CycleInputs, policy: Policy, *, period: str, engine: KpiEngine | None = None
) -> tuple[Distributions, dict[str, int]]:
    """What thresholds from data read for ``policy`` over ``period``: the values of its items
    and the total scores in the last rating period, and how many employees each ladder action
    reaches at the end of the period."""
    result = run_cycle(inputs, policy, period=period, engine=engine)
    last = result.scorecards[-1]
    roster = roster_on(policy, inputs, last_local_day(result.periods[-1], policy.time_zone))
    spread = distributions(policy, result.kpis, roster, last.totals, last.period)
    actions: dict[str, int] = {}
    if result.decisions is not None:
        for action in result.decisions.decisions["action"].to_pylist():
            actions[action] = actions.get(action, 0) + 1
    return spread, dict(sorted(actions.items()))
