"""Ring-no-answer attempts: one row per RINGNOANSWER line of ``ev``, tied to its queue entry.

RINGCANCELED is not counted: Asterisk logs it when the caller hung up or another member answered
while this one rang, which is no fault of the agent. An attempt belongs to the latest queue entry
(ENTERQUEUE or refusal) of the same call and queue at or before its second, found with one ASOF
join over the few start lines instead of a window over every call line.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from callgrade.engine.connectors.queue_log.calls import epoch_text
from callgrade.engine.connectors.queue_log.events import DIVERT_PREFIX, ENTER, REFUSALS, _q
from callgrade.engine.schemas import conform

NO_ANSWER = "RINGNOANSWER"


def derive_rings(
    con: duckdb.DuckDBPyConnection, *, source: str, file_name: str, interactions: pa.Table
) -> pa.Table:
    """``interactions`` are this file's rows: an entry that gave no row (still waiting when the
    data ends) leaves ``interaction_id`` null rather than naming a key that does not exist."""
    con.register("known_interactions", interactions.select(["interaction_id"]))
    sql = f"""
    WITH r AS (
        SELECT line, ts, callid, queue, agent, d1 FROM ev WHERE event = '{NO_ANSWER}'
    ), starts AS (
        SELECT DISTINCT callid, queue, ts FROM ev
        WHERE (event IN ({_q((ENTER, *REFUSALS))}) OR starts_with(event, '{DIVERT_PREFIX}'))
          -- Only calls that rang someone: a small share of all starts.
          AND callid IN (SELECT callid FROM r)
    ), j AS (
        SELECT r.*, s.ts AS start_ts
        FROM r ASOF LEFT JOIN starts AS s
          ON r.callid = s.callid AND r.queue = s.queue AND r.ts >= s.ts
    ), k AS (
        SELECT *, callid || ':' || agent || ':' || {epoch_text("ts")} AS attempt_id,
               callid || ':' || queue || ':' || {epoch_text("start_ts")} AS entry_id
        FROM j
        -- A replayed line is the same attempt; the first one is kept.
        QUALIFY row_number() OVER (PARTITION BY attempt_id ORDER BY line) = 1
    )
    SELECT attempt_id, agent AS agent_id, queue, known.interaction_id,
           ts AS rang_at, CAST(d1 AS DOUBLE) / 1000 AS ring_s,
           ? AS source, ? || ':' || line AS source_ref
    -- A join, not IN: the planner then hashes the few attempts, not every interaction.
    FROM k LEFT JOIN known_interactions AS known ON known.interaction_id = k.entry_id
    ORDER BY line
    """
    try:
        table = con.execute(sql, [source, file_name]).to_arrow_table()
    finally:
        con.unregister("known_interactions")
    return conform("ring_no_answer", table)
