"""Interactions: one row per caller per queue entry, derived from ``ev`` in one SQL statement.

A caller's lines in one queue are cut into segments: ENTERQUEUE starts one, and so does a refusal
(CLOSED, FULL, JOINEMPTY, DIVERT_*), because platforms log those instead of ENTERQUEUE; a refusal is
its own closing event. The first closing event of a segment decides the outcome. One window pass
numbers the segments (a second pass to attach refusals to an open entry would double the cost of
the most expensive step, for a sequence platforms do not log).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from callgrade.engine.connectors.queue_log.events import (
    ANSWER,
    COMPLETE,
    DIVERT_PREFIX,
    ENTER,
    EXITS,
    REFUSALS,
    TRANSFERS,
    _q,
)
from callgrade.engine.schemas import conform

CLOSING = (*COMPLETE, *TRANSFERS, *EXITS)


def epoch_text(expr: str) -> str:
    """Unix seconds as text, with a fraction only when there is one (1767225600, 1767225600.5)."""
    us = f"epoch_us({expr})"
    return (
        f"CASE WHEN {us} % 1000000 = 0 THEN CAST({us} // 1000000 AS VARCHAR)"
        f" ELSE rtrim(printf('%d.%06d', {us} // 1000000, {us} % 1000000), '0') END"
    )


def derive_interactions(
    con: duckdb.DuckDBPyConnection, *, source: str, file_name: str, simple_pairs: bool = True
) -> pa.Table:
    """With ``simple_pairs`` (always, except in tests that compare both ways), a caller's lines
    in one queue that hold exactly one start, strictly before every other line, are one segment
    and skip the window; the rest (re-entries, refusals after an entry, ties) take the window."""
    refusal = f"(event IN ({_q(REFUSALS)}) OR starts_with(event, '{DIVERT_PREFIX}'))"
    # (ts, line) as one number, so that arg_min and min order by time, ties by line.
    order_key = "(CAST(epoch_us(ts) AS HUGEINT) * 4294967296 + line)"
    segment_aggregates = f"""
            arg_min(line, o) AS start_line,
            arg_min(ts, o) AS start_ts,
            arg_min(CASE WHEN event = '{ENTER}' THEN d2 END, o) AS caller,
            max(ts) AS last_ts,
            -- arg_min skips NULL values, so each event's fields travel together in one struct.
            arg_min({{'ts': ts, 'agent': agent, 'd1': d1, 'd3': d3}}, o)
                FILTER (WHERE event = '{ANSWER}') AS a,
            arg_min({{'event': event, 'ts': ts, 'agent': agent,
                      'd1': d1, 'd2': d2, 'd3': d3, 'd4': d4, 'd5': d5}}, o)
                FILTER (WHERE kind >= 2) AS x"""
    simple = """count(*) FILTER (WHERE kind IN (1, 2)) = 1 AND coalesce(
                   min(o) FILTER (WHERE kind IN (1, 2)) < min(o) FILTER (WHERE kind NOT IN (1, 2)),
                   true)"""
    # ``c`` is read twice (all pairs, then the few non-simple ones); DuckDB would materialize a
    # CTE used twice, holding every call line again (~1.9 GB for 10M lines): scanning twice is
    # cheaper.
    sql = f"""
    WITH c AS NOT MATERIALIZED (
        SELECT line, ts, callid, queue, agent, event, d1, d2, d3, d4, d5,
               CASE WHEN event = '{ENTER}' THEN 1 WHEN {refusal} THEN 2
                       WHEN event IN ({_q(CLOSING)}) THEN 3 ELSE 0 END AS kind,
               {order_key} AS o
        FROM ev WHERE callid IS NOT NULL AND callid <> 'NONE' AND queue IS NOT NULL
          AND (event IN ({_q((ENTER, ANSWER, *CLOSING))}) OR {refusal})
    ), pairs AS (
        -- One group-by does the common case: one start, before everything else of the pair.
        SELECT callid, queue, {segment_aggregates},
               {simple if simple_pairs else "false"} AS is_simple
        FROM c GROUP BY callid, queue
    ), s AS (
        -- Ordered by time, the latest start so far is the greatest start time so far: that
        -- names the segment, and two starts in the same second merge (a replayed line).
        SELECT *, max(CASE WHEN kind IN (1, 2) THEN ts END) OVER w AS seg
        FROM c SEMI JOIN (
            -- Counts and minimums only: ``pairs`` is then read once and never materialized.
            SELECT callid, queue FROM c GROUP BY callid, queue
            HAVING NOT ({simple if simple_pairs else "false"})) USING (callid, queue)
        WINDOW w AS (PARTITION BY callid, queue ORDER BY ts, line ROWS UNBOUNDED PRECEDING)
    ), g AS (
        SELECT callid, queue, {segment_aggregates}
        FROM s WHERE seg IS NOT NULL
        GROUP BY callid, queue, seg
        UNION ALL
        SELECT * EXCLUDE (is_simple) FROM pairs WHERE is_simple
    ), t AS (
        SELECT callid, queue, start_line, start_ts, caller, last_ts,
            a.ts AS answered_at, a.agent AS agent, a.d1 AS holdtime, a.d3 AS ringtime,
            x.event AS x_event, x.ts AS x_ts, x.agent AS x_agent,
            x.d1 AS x1, x.d2 AS x2, x.d3 AS x3, x.d4 AS x4, x.d5 AS x5
        FROM g WHERE a IS NOT NULL OR x IS NOT NULL
    ), u AS (
        SELECT *, CAST(CASE
                WHEN x_event IN ({_q(COMPLETE)}) THEN x2
                WHEN x_event = 'ATTENDEDTRANSFER' AND x1 = 'LINK' THEN x5
                WHEN x_event IN ({_q(TRANSFERS)}) THEN x4
            END AS DOUBLE) AS talk_s,
            CAST(CASE
                WHEN x_event IN ({_q(COMPLETE)}) THEN x1
                WHEN x_event = 'ATTENDEDTRANSFER' AND x1 = 'LINK' THEN x4
                WHEN x_event IN ({_q(TRANSFERS)}) THEN x3
            END AS DOUBLE) AS x_holdtime
        FROM t
    ), o AS (
        -- A completion or transfer proves the answer even when its CONNECT line is missing.
        SELECT * REPLACE (
                coalesce(answered_at, x_ts - to_microseconds(CAST(talk_s * 1000000 AS BIGINT)))
                    AS answered_at,
                coalesce(agent, x_agent) AS agent,
                coalesce(CAST(holdtime AS DOUBLE), x_holdtime) AS holdtime),
            answered_at IS NOT NULL OR x_holdtime IS NOT NULL AS answered
        FROM u
    )
    SELECT
        callid || ':' || queue || ':' || {epoch_text("start_ts")} AS interaction_id,
        'voice' AS channel, 'inbound' AS direction, queue,
        CASE WHEN answered THEN nullif(agent, 'NONE') END AS agent_id,
        nullif(caller, '') AS customer_id,
        start_ts AS offered_at, answered_at,
        CASE WHEN answered AND talk_s IS NOT NULL
             THEN answered_at + to_microseconds(CAST(talk_s * 1000000 AS BIGINT))
             ELSE x_ts END AS ended_at,
        CASE
            WHEN answered THEN holdtime
            WHEN x_event = 'EXITWITHKEY' THEN CAST(x4 AS DOUBLE)
            WHEN x_event IN ({_q(EXITS)}) THEN CAST(x3 AS DOUBLE)
        END AS queue_wait_s,
        CAST(CASE WHEN answered THEN ringtime END AS DOUBLE) AS ring_s,
        CASE WHEN answered THEN talk_s END AS talk_s,
        CAST(NULL AS DOUBLE) AS hold_s, CAST(NULL AS DOUBLE) AS acw_s,
        CASE
            WHEN answered THEN 'answered'
            WHEN x_event = 'ABANDON' THEN 'abandoned'
            WHEN x_event = 'EXITWITHTIMEOUT' THEN 'timeout'
            WHEN x_event = 'EXITEMPTY' THEN 'exit_empty'
            WHEN x_event = 'EXITWITHKEY' THEN 'exit_key'
            WHEN x_event = 'WITHDRAW' THEN 'withdrawn'
            WHEN x_event = 'CLOSED' THEN 'closed'
            WHEN x_event = 'FULL' THEN 'full'
            WHEN x_event = 'JOINEMPTY' THEN 'join_empty'
            WHEN starts_with(x_event, '{DIVERT_PREFIX}') THEN 'diverted'
            ELSE 'abandoned'
        END AS outcome,
        answered,
        coalesce(x_event IN ({_q(TRANSFERS)}), false) AS transferred,
        CASE x_event WHEN 'BLINDTRANSFER' THEN 'blind' WHEN 'ATTENDEDTRANSFER' THEN 'attended'
                     WHEN 'TRANSFER' THEN 'legacy' END AS transfer_kind,
        CASE
            WHEN x_event = 'COMPLETECALLER' THEN 'caller'
            WHEN x_event IN ('COMPLETEAGENT', {_q(TRANSFERS)}) THEN 'agent'
            WHEN x_event IN ('ABANDON', 'EXITWITHKEY') THEN 'caller'
            WHEN x_event IS NOT NULL THEN 'system'
        END AS ended_by,
        last_ts AS updated_at,
        ? AS source,
        ? || ':' || start_line AS source_ref
    FROM o ORDER BY start_line
    """
    table = con.execute(sql, [source, file_name]).to_arrow_table()
    return conform("interactions", table)
