"""Agent states (logged_in, paused, wrapup) from the agent events in ``ev``, in SQL.

Each (agent, state, queue) is a stream of "value after this event": 'L' logged in, 'P<reason>'
paused, NULL out. Only the lines where the value changes matter, so a repeated PAUSE with the same
reason is not counted twice and a LOGOFF with nothing open changes nothing; each change to a
non-NULL value opens an interval that the next change closes. A stream whose first line closes
something (a logoff, an UNPAUSE: the data starts mid-session) was open from the start of the data.
Intervals still open at the end run to the horizon (the time up to which the source is known to be
complete). Intervals are then cut at UTC month boundaries because the warehouse partitions
agent_states by the month of ``start``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from callgrade.engine.connectors.queue_log.events import (
    LOGINS,
    LOGOFFS,
    UNPAUSES,
    WRAPUP,
    _q,
)
from callgrade.engine.schemas import conform

PAUSE_CLOSERS = (*UNPAUSES, *LOGOFFS)


def _implied(stream: str) -> str:
    """The first line of a stream is a logoff (or an unpause): the agent was logged in (or
    paused) when the data began. That interval starts at the start of the data (the parameter);
    its source_ref is the closing line, the only evidence of it."""
    return f"""
        SELECT agent, state, qk, CAST(? AS TIMESTAMP) AS ts, 0 AS line, ref,
               CASE state WHEN 'logged_in' THEN 'L' ELSE 'P' END AS val, false AS closes_open
        FROM {stream}
        QUALIFY row_number() OVER (PARTITION BY agent, state, qk ORDER BY ts, line) = 1
            AND closes_open"""


def derive_states(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    file_name: str,
    start_of_data: dt.datetime,
    horizon: dt.datetime,
) -> pa.Table:
    """``start_of_data`` is the first accepted line's time, ``horizon`` (not before the last
    line) where intervals still open at the end stop; both naive UTC."""
    sql = f"""
    WITH a AS (
        SELECT *, CASE WHEN queue IS NULL OR queue = 'NONE' THEN '*' ELSE queue END AS qk
        FROM ev WHERE agent IS NOT NULL AND agent <> 'NONE'
    ), logins AS (
        SELECT agent, 'logged_in' AS state, qk, ts, line, line AS ref,
               CASE WHEN event IN ({_q(LOGINS)}) THEN 'L' END AS val,
               event IN ({_q(LOGOFFS)}) AS closes_open
        FROM a WHERE event IN ({_q((*LOGINS, *LOGOFFS))})
    ), pauses AS (
        SELECT agent, 'paused' AS state,
               CASE WHEN event IN ('PAUSEALL', 'UNPAUSEALL') THEN '*' ELSE qk END AS qk,
               ts, line, line AS ref,
               CASE WHEN event IN ('PAUSE', 'PAUSEALL') THEN 'P' || coalesce(d1, '')
                    WHEN event = 'ADDMEMBER' AND d1 = 'PAUSED' THEN 'P' END AS val,
               event IN ({_q(UNPAUSES)}) AS closes_open
        FROM a WHERE event IN ('PAUSE', 'PAUSEALL', 'ADDMEMBER', {_q(PAUSE_CLOSERS)})
    ), login_changes AS (
        SELECT * FROM (
            SELECT *, lag(val) OVER (PARTITION BY agent, qk ORDER BY ts, line) AS prev
            FROM (SELECT * FROM logins UNION ALL {_implied("logins")}))
        WHERE val IS DISTINCT FROM prev
    ), outs AS (
        -- The moments an agent leaves the last queue they were logged into: whatever pause was
        -- running (a PAUSEALL, a per-queue PAUSE under an all-queues logoff) ends there, as the
        -- membership it paused is gone.
        SELECT agent, ts, line FROM (
            SELECT *, sum(CASE WHEN val IS NULL THEN -1 ELSE 1 END) OVER (
                PARTITION BY agent ORDER BY ts, line ROWS UNBOUNDED PRECEDING) AS open_keys
            FROM login_changes)
        WHERE val IS NULL AND open_keys = 0
    ), pause_stream AS (
        SELECT * FROM pauses
        UNION ALL
        SELECT o.agent, 'paused', k.qk, o.ts, o.line, o.line, NULL, false
        FROM outs AS o JOIN (SELECT DISTINCT agent, qk FROM pauses) AS k USING (agent)
    ), pause_changes AS (
        SELECT * FROM (
            SELECT *, lag(val) OVER (PARTITION BY agent, qk ORDER BY ts, line) AS prev
            FROM (SELECT * FROM pause_stream UNION ALL {_implied("pause_stream")}))
        WHERE val IS DISTINCT FROM prev
    ), changes AS (
        SELECT * FROM login_changes UNION ALL SELECT * FROM pause_changes
    ), spans AS (
        SELECT agent, state, qk, substr(val, 2) AS reason, ts AS start, ref AS line,
               lead(ts) OVER (PARTITION BY agent, state, qk ORDER BY ts, line) AS stop
        FROM changes
        QUALIFY val IS NOT NULL
    ), wrapups AS (
        -- Wrap-up lasts data1 seconds when the platform writes them, else until the agent's next
        -- line of any kind (the platforms that log WRAPUPSTART log no end event).
        SELECT agent, 'wrapup' AS state, qk, CAST(NULL AS VARCHAR) AS reason, ts AS start, line,
               CASE WHEN d1 IS NOT NULL THEN ts + to_seconds(CAST(d1 AS BIGINT)) ELSE stop END
                   AS stop
        FROM (SELECT *, lead(ts) OVER (PARTITION BY agent ORDER BY ts, line) AS stop FROM a
              WHERE agent IN (SELECT agent FROM a WHERE event = '{WRAPUP}'))
        WHERE event = '{WRAPUP}'
    ), closed AS (
        SELECT agent, state, qk, nullif(reason, '') AS reason, start, line,
               coalesce(stop, greatest(start, CAST(? AS TIMESTAMP))) AS "end",
               stop IS NULL AS open_ended
        FROM (SELECT * FROM spans UNION ALL SELECT * FROM wrapups)
        -- Opened and closed in the same instant: nothing to measure, and it would share its
        -- state_id with the interval that starts there.
        WHERE stop IS NULL OR stop > start
    ), pieces AS (
        SELECT *, greatest(start, m) AS p_start, least("end", m + INTERVAL 1 MONTH) AS p_end
        FROM (SELECT *, unnest(generate_series(date_trunc('month', start), "end",
                                               INTERVAL 1 MONTH)) AS m FROM closed)
    )
    SELECT
        agent || ':' || state || ':' || qk || ':' || strftime(p_start, '%Y-%m-%dT%H:%M:%S.%fZ')
            AS state_id,
        agent AS agent_id, state, reason,
        CASE WHEN qk = '*' THEN NULL ELSE qk END AS queue,
        p_start AS start, p_end AS "end",
        open_ended AND p_end = "end" AS open_ended,
        ? AS source, ? || ':' || line AS source_ref
    FROM pieces
    WHERE p_start < p_end OR (start = "end" AND m = date_trunc('month', start))
    ORDER BY line, p_start, state
    """
    params = [start_of_data, start_of_data, horizon, source, file_name]
    table = con.execute(sql, params).to_arrow_table()
    return conform("agent_states", table)
