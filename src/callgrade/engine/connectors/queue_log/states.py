"""Agent states (logged_in, paused, wrapup) from the agent events in ``ev``, in SQL.

Each (agent, state, queue) is a stream of "value after this event": 'L' logged in, 'P<reason>'
paused, NULL out. Only the lines where the value changes matter, so a repeated PAUSE with the same
reason is not counted twice and a LOGOFF with nothing open changes nothing; each change to a
non-NULL value opens an interval that the next change closes. Intervals are then cut at UTC month
boundaries because the warehouse partitions agent_states by the month of ``start``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from callgrade.engine.connectors.queue_log.events import LOGINS, LOGOFFS, WRAPUP, _q
from callgrade.engine.schemas import conform

PAUSE_CLOSERS = ("UNPAUSE", "UNPAUSEALL", *LOGOFFS)


def derive_states(
    con: duckdb.DuckDBPyConnection, *, source: str, file_name: str, end_of_data: dt.datetime | None
) -> pa.Table:
    sql = f"""
    WITH a AS (
        SELECT *, CASE WHEN queue IS NULL OR queue = 'NONE' THEN '*' ELSE queue END AS qk
        FROM ev WHERE agent IS NOT NULL AND agent <> 'NONE'
    ), eod AS (
        SELECT coalesce(CAST(? AS TIMESTAMP), (SELECT max(ts) FROM ev)) AS eod
    ), stream AS (
        SELECT agent, 'logged_in' AS state, qk, ts, line,
               CASE WHEN event IN ({_q(LOGINS)}) THEN 'L' END AS val
        FROM a WHERE event IN ({_q((*LOGINS, *LOGOFFS))})
        UNION ALL
        SELECT agent, 'paused', CASE WHEN event IN ('PAUSEALL', 'UNPAUSEALL') THEN '*' ELSE qk END,
               ts, line,
               CASE WHEN event IN ('PAUSE', 'PAUSEALL') THEN 'P' || coalesce(d1, '')
                    WHEN event = 'ADDMEMBER' AND d1 = 'PAUSED' THEN 'P' END
        FROM a WHERE event IN ('PAUSE', 'PAUSEALL', 'ADDMEMBER', {_q(PAUSE_CLOSERS)})
    ), changes AS (
        SELECT * FROM (
            SELECT *, lag(val) OVER (PARTITION BY agent, state, qk ORDER BY ts, line) AS prev
            FROM stream)
        WHERE val IS DISTINCT FROM prev
    ), spans AS (
        SELECT agent, state, qk, substr(val, 2) AS reason, ts AS start, line,
               lead(ts) OVER (PARTITION BY agent, state, qk ORDER BY ts, line) AS stop
        FROM changes
        QUALIFY val IS NOT NULL
    ), wrapups AS (
        -- Wrap-up lasts until the agent's next line of any kind (the platforms that log
        -- WRAPUPSTART log no end event).
        SELECT agent, 'wrapup' AS state, qk, CAST(NULL AS VARCHAR) AS reason, ts AS start, line,
               stop
        FROM (SELECT *, lead(ts) OVER (PARTITION BY agent ORDER BY ts, line) AS stop FROM a
              WHERE agent IN (SELECT agent FROM a WHERE event = '{WRAPUP}'))
        WHERE event = '{WRAPUP}'
    ), closed AS (
        SELECT agent, state, qk, nullif(reason, '') AS reason, start, line,
               coalesce(stop, greatest(start, (SELECT eod FROM eod))) AS "end",
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
    eod = None if end_of_data is None else end_of_data.astimezone(dt.UTC).replace(tzinfo=None)
    table = con.execute(sql, [eod, source, file_name]).to_arrow_table()
    return conform("agent_states", table)
