"""Row-level inputs for the KPI parts: each source filtered to the periods' time range, tagged
with its period label (``k_period``) and the entity it counts for (``k_entity``).

Event tables are bucketed by a CASE expression on their event time (no join, one scan).
Agent-state intervals are joined to the (small) period list instead, because one interval can
overlap several periods; each overlap is clipped so a session across midnight or month end counts
only its part in each period, and overlapping intervals of one agent count once
(``intervals.clipped_states``). The FCR source adds the times of the customer's next and
previous inbound contacts (one window pass); it reads up to ``fcr_window_days`` past the last
period's end, so the newest period's FCR can still change while that look-ahead data arrives.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

from callgrade.engine.kpis.intervals import clipped_states
from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.periods import Period
from callgrade.engine.schemas import TABLES

EVENT_TIME = {
    "interactions": "offered_at",
    "fcr": "offered_at",
    "agent_states": "start",
    "ring_no_answer": "rang_at",
    "surveys": "responded_at",
    "qa_evaluations": "evaluated_at",
    "sales": "sold_at",
    "attendance": "day",
    "complaints": "received_at",
}
QUEUE_SOURCES = ("interactions", "fcr")
CENTER = "all"
UNASSIGNED = "(unassigned)"


def base_table(source: str) -> str:
    return "interactions" if source == "fcr" else source


def _ts(value: object) -> ir.TimestampScalar:
    return ibis.literal(value, type="timestamp('UTC')")


def _bucket(col: ir.TimestampValue, periods: Sequence[Period]) -> ir.StringValue:
    branches = [((col >= _ts(p.start)) & (col < _ts(p.end)), p.label) for p in periods]
    return ibis.cases(*branches, else_=ibis.null("string"))


def prepared(
    tables: Mapping[str, ir.Table], source: str, periods: Sequence[Period], options: KpiOptions
) -> ir.Table:
    """Rows of ``source`` inside ``periods`` (which must not overlap), with ``k_period``."""
    t = tables[base_table(source)]
    lo = _ts(min(p.start for p in periods))
    hi = _ts(max(p.end for p in periods))
    if source == "agent_states":
        return clipped_states(t.filter(t.start < hi, t.end > lo), periods, options)
    col = EVENT_TIME[source]
    if source == "fcr":
        ahead = hi + ibis.interval(days=options.fcr_window_days)
        t = t.filter(
            t.direction == "inbound", t.customer_id.notnull(), t[col] >= lo, t[col] < ahead
        )
        # Contacts of one customer at the same instant are repeats of each other, whatever
        # their order: the previous contact's time tells a tie apart, so the window needs no
        # tie-break column (sorting on the interaction id too costs a fifth more).
        w = ibis.window(group_by=t.customer_id, order_by=t.offered_at)
        t = t.mutate(
            next_offered_at=t.offered_at.lead().over(w),
            prev_offered_at=t.offered_at.lag().over(w),
        )
    else:
        t = t.filter(t[col] >= lo, t[col] < hi)
    if source != "fcr" and len(periods) == 1:
        return t.mutate(k_period=ibis.literal(periods[0].label), k_at=t[col])
    t = t.mutate(k_period=_bucket(t[col], periods), k_at=t[col])
    if source != "fcr" and _contiguous(periods):
        return t  # the range filter already dropped every row outside: skip a second CASE
    return t.filter(t.k_period.notnull())


def _contiguous(periods: Sequence[Period]) -> bool:
    ordered = sorted(periods, key=lambda p: p.start)
    return all(a.end == b.start for a, b in itertools.pairwise(ordered))


def with_entity(t: ir.Table, level: str, roster: ir.Table | None) -> ir.Table:
    """Add ``k_entity``; rows that belong to no entity of the level (no agent, no queue) go."""
    if level == "agent":
        t = t.mutate(k_entity=t.agent_id)
    elif level == "queue":
        t = t.mutate(k_entity=t.queue)
    elif level == "center":
        return t.mutate(k_entity=ibis.literal(CENTER))
    elif level == "team":
        if roster is None:
            t = t.mutate(k_entity=ibis.ifelse(t.agent_id.isnull(), ibis.null("string"), UNASSIGNED))
        else:
            r = roster.select(k_emp=roster.employee_id, k_team=roster.team)
            j = t.left_join(r, t.agent_id == r.k_emp)
            t = j.mutate(
                k_entity=ibis.ifelse(
                    j.agent_id.isnull(), ibis.null("string"), j.k_team.fill_null(UNASSIGNED)
                )
            ).drop("k_emp", "k_team")
    else:
        raise ValueError(f"Level {level!r} is not one of agent, team, queue, center.")
    return t.filter(t.k_entity.notnull())


def key_column(source: str) -> str:
    return TABLES[base_table(source)].key
