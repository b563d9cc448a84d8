"""Agent-state intervals clipped to periods and counted once.

Asterisk logs an agent into each queue separately and writes a per-queue PAUSE next to each
PAUSEALL, and the connector keeps every row, so one agent's intervals of a state overlap. Time is
therefore the *union* of an agent's intervals of a state (across queues), clipped to the period.

Each row is credited with the part of its clipped interval that no earlier row (by start, end,
``state_id``) of the same agent, period and state already covers: ``counted_s``. Rows in start
order only ever extend the covered time to the right (gaps-and-islands: the earlier rows cover
exactly up to their running maximum end from this row's start), so the credits add up to the
union and the drill-down can still show source rows. Everything is window functions, joins and
group-bys, so DuckDB and PySpark run the same plan.

Paused time counts while the agent is logged in: paused intervals are first cut to the agent's
logged-in islands (a PAUSEALL left open after the last REMOVEMEMBER stops counting there). An
agent with no logged-in time at all in the period is a static queue member (Asterisk never logs
them in or out): all their paused time counts, as one island spanning their pauses, but it is
time nobody knows them to be logged in, so ``in_login`` is false and occupancy does not deduct
it (they have no available time to deduct it from).
``reason_s`` is the credit within the union of the pauses whose reason ``pause_reasons`` selects.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.periods import Period

_TS = "timestamp('UTC')"


def clipped_states(t: ir.Table, periods: Sequence[Period], options: KpiOptions) -> ir.Table:
    """One row per (state row, overlapping period) with ``k_period``, ``k_at`` (clipped start),
    ``clip_s`` (clipped length), the de-duplicated credits ``counted_s`` and ``reason_s``
    (paused rows only; 0 elsewhere) and ``in_login`` (false for the pauses of an agent with no
    logged-in time in the period). Paused rows of a logged-in agent outside every logged-in
    interval are left out."""
    j = _clip(t, periods)
    cols = list(j.columns)
    agent = ["k_period", "agent_id"]

    other = j.filter(j.state != "paused")
    prev = _prev_end(other, [*agent, "state"], other.k_at, other.clip_end)
    other = other.mutate(
        counted_s=_fresh_s(other.k_at, other.clip_end, prev),
        reason_s=ibis.literal(0.0),
        in_login=ibis.literal(True),
    )

    login = j.filter(j.state == "logged_in")
    login = login.mutate(k_prev=_prev_end(login, agent, login.k_at, login.clip_end))
    starts = ibis.ifelse(login.k_prev.isnull() | (login.k_at > login.k_prev), 1, 0)
    w_run = ibis.window(
        group_by=agent, order_by=[login.k_at, login.clip_end, login.state_id], rows=(None, 0)
    )
    login = login.mutate(k_island=starts.sum().over(w_run))
    islands = login.group_by([*agent, "k_island"]).aggregate(
        i_start=login.k_at.min(), i_end=login.clip_end.max()
    )
    isl = islands.select(
        i_period=islands.k_period,
        i_agent=islands.agent_id,
        i_start=islands.i_start,
        i_end=islands.i_end,
        in_login=ibis.literal(True),
    )

    p = j.filter(j.state == "paused")
    # Static members: agents paused in a period without any logged-in time in it.
    logged = isl.select(l_period=isl.i_period, l_agent=isl.i_agent).distinct()
    static = p.anti_join(logged, [p.k_period == logged.l_period, p.agent_id == logged.l_agent])
    static = static.group_by(agent).aggregate(
        i_start=static.k_at.min(), i_end=static.clip_end.max()
    )
    isl = isl.union(
        static.select(
            i_period=static.k_period,
            i_agent=static.agent_id,
            i_start=static.i_start,
            i_end=static.i_end,
            in_login=ibis.literal(False),
        )
    )
    pj = p.join(
        isl,
        [
            p.k_period == isl.i_period,
            p.agent_id == isl.i_agent,
            p.k_at < isl.i_end,
            p.clip_end > isl.i_start,
        ],
    )
    pj = pj.mutate(
        p_start=ibis.greatest(pj.k_at, pj.i_start), p_end=ibis.least(pj.clip_end, pj.i_end)
    )
    pprev = _prev_end(pj, agent, pj.p_start, pj.p_end)
    pj = pj.mutate(counted_s=_fresh_s(pj.p_start, pj.p_end, pprev))
    if options.pause_reasons is None:
        pj = pj.mutate(reason_s=pj.counted_s)
    else:
        pj = pj.mutate(k_sel=pj.reason.isin(list(options.pause_reasons)).fill_null(False))
        sprev = _prev_end(pj, [*agent, "k_sel"], pj.p_start, pj.p_end)
        fresh = _fresh_s(pj.p_start, pj.p_end, sprev)
        pj = pj.mutate(reason_s=ibis.ifelse(pj.k_sel, fresh, 0.0))
    # Back to one row per paused row and period, so drill-down lists each source row once.
    paused = pj.group_by([*cols, "in_login"]).aggregate(
        counted_s=pj.counted_s.sum(), reason_s=pj.reason_s.sum()
    )

    keep = [*cols, "counted_s", "reason_s", "in_login"]
    return other.select(keep).union(paused.select(keep))


def _clip(t: ir.Table, periods: Sequence[Period]) -> ir.Table:
    p = ibis.memtable(
        {
            "k_period": [x.label for x in periods],
            "k_start": [x.start for x in periods],
            "k_end": [x.end for x in periods],
        },
        schema={"k_period": "string", "k_start": _TS, "k_end": _TS},
    )
    j = t.join(p, [t.start < p.k_end, t.end > p.k_start])
    j = j.mutate(k_at=ibis.greatest(j.start, j.k_start), clip_end=ibis.least(j.end, j.k_end))
    j = j.mutate(clip_s=_seconds(j.k_at, j.clip_end))
    return j.drop("k_start", "k_end")


def _prev_end(
    t: ir.Table, keys: list[str], start: ir.TimestampValue, end: ir.TimestampValue
) -> ir.TimestampValue:
    """The latest end among the rows before this one (null for the first) in start order."""
    w = ibis.window(group_by=keys, order_by=[start, end, t.state_id], rows=(None, -1))
    return end.max().over(w)


def _fresh_s(
    start: ir.TimestampValue, end: ir.TimestampValue, prev_end: ir.TimestampValue
) -> ir.FloatingValue:
    """Seconds of [start, end) after ``prev_end`` (all of it when there is no earlier row)."""
    covered_to = ibis.greatest(start, prev_end.fill_null(start))
    return ibis.greatest(_seconds(covered_to, end), 0.0)


def _seconds(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    return end.delta(start, unit="millisecond").cast("float64") / 1000.0
