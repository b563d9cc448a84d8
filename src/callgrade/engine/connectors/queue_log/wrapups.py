"""After-call work from WRAPUPSTART: its data1 (whole seconds, written by the platforms that log
the line) is the ``acw_s`` of the call it follows, the latest call the same agent answered at or
before the line. A second WRAPUPSTART after the same call (a replayed line) adds nothing: the
first one counts. Without data1 the call's ``acw_s`` stays unknown (the wrap-up state row still
records the interval; its length is not invented as after-call work).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from callgrade.engine.connectors.queue_log.events import WRAPUP


def with_wrapups(con: duckdb.DuckDBPyConnection, interactions: pa.Table) -> pa.Table:
    """``interactions`` (this file's rows) with ``acw_s`` from the wrap-up lines that follow them;
    ``updated_at`` moves up to the wrap-up line, so a later export that holds it wins."""
    row = con.execute(
        f"SELECT count(*) FROM ev WHERE event = '{WRAPUP}' AND d1 IS NOT NULL"
    ).fetchone()
    if row is None or row[0] == 0 or interactions.num_rows == 0:
        return interactions
    order = "k_row"
    con.register(
        "calls_in", interactions.append_column(order, pa.array(range(interactions.num_rows)))
    )
    sql = f"""
    WITH w AS (
        SELECT line, ts, agent, CAST(d1 AS DOUBLE) AS acw
        FROM ev WHERE event = '{WRAPUP}' AND d1 IS NOT NULL
    ), answered AS (
        SELECT interaction_id, agent_id, answered_at FROM calls_in
        WHERE answered_at IS NOT NULL AND agent_id IS NOT NULL
    ), followed AS (
        SELECT w.*, a.interaction_id
        FROM w ASOF JOIN answered AS a ON w.agent = a.agent_id AND w.ts >= a.answered_at
    ), firsts AS (
        SELECT interaction_id, arg_min(acw, line) AS wrap_s, arg_min(ts, line) AS wrap_ts
        FROM followed GROUP BY interaction_id
    )
    SELECT c.* EXCLUDE ({order}) REPLACE (
        coalesce(f.wrap_s, c.acw_s) AS acw_s,
        CASE WHEN f.wrap_ts IS NULL THEN c.updated_at
             ELSE greatest(c.updated_at, f.wrap_ts) END AS updated_at)
    FROM calls_in AS c LEFT JOIN firsts AS f USING (interaction_id)
    ORDER BY c.{order}
    """
    try:
        table = con.execute(sql).to_arrow_table()
    finally:
        con.unregister("calls_in")
    return table.cast(interactions.schema)
