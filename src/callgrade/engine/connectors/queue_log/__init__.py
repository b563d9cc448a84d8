"""Asterisk queue_log connector: the pipe-separated file and the database ("realtime") export.

Both forms are loaded into DuckDB as the same list of fields per line (:mod:`.read`), checked in
one vectorized pass (:mod:`.events`), and then one derivation builds interactions (:mod:`.calls`)
and agent states (:mod:`.states`). Python only touches the rare rejected lines. Treatment of every
event, and the choices made, are in docs/connectors/queue_log.md.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from callgrade.engine.connectors.base import (
    ConnectorError,
    ParseResult,
    Reject,
    rejects_table,
    source_label,
)
from callgrade.engine.connectors.queue_log import events, read
from callgrade.engine.connectors.queue_log.calls import derive_interactions
from callgrade.engine.connectors.queue_log.rings import derive_rings
from callgrade.engine.connectors.queue_log.states import derive_states
from callgrade.engine.connectors.queue_log.wrapups import with_wrapups

# ``end_of_data`` is the former name of ``horizon``.
OPTIONS = ("horizon", "end_of_data")

__all__ = ["parse_db_export", "parse_file"]


def parse_file(
    path: Path, *, tz: str = "UTC", encoding: str = "utf-8", **options: Any
) -> ParseResult:
    """Parse ``unixtime|callid|queuename|agent|EVENT|data…`` lines. Unix times are absolute, so
    ``tz`` does not change them; it is accepted for symmetry with the database form."""
    return _parse("queue_log", Path(path), db_form=False, tz=tz, encoding=encoding, **options)


def parse_db_export(
    path: Path, *, tz: str = "UTC", encoding: str = "utf-8", **options: Any
) -> ParseResult:
    """Parse a queue_log table export: CSV with header ``time,callid,queuename,agent,event,
    data1..data5`` (or one ``data`` column); ``time`` is local time in ``tz``."""
    return _parse("queue_log_db", Path(path), db_form=True, tz=tz, encoding=encoding, **options)


@cache
def _database() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process: opening one costs more than parsing a small file. Each
    parse works in its own cursor, whose temporary tables and views nobody else sees."""
    return duckdb.connect()


def _line(reject: Reject) -> int:
    return reject.line or 0


def _horizon(options: dict[str, Any], tz: str) -> dt.datetime | None:
    """The stated horizon as naive UTC: a datetime or an ISO 8601 text (the command line's
    ``--horizon``); without a zone it is a time in ``tz``."""
    if "horizon" in options and "end_of_data" in options:
        raise ConnectorError("give option horizon or its old name end_of_data, not both")
    name = "horizon" if "horizon" in options else "end_of_data"
    value = options.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ConnectorError(
                f"option {name} is {value!r}; expected a date-time such as 2026-03-31T23:59:59"
            ) from None
    if not isinstance(value, dt.datetime):
        raise ConnectorError(f"option {name} must be a date-time, not {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, dt.datetime | None]:
    row = con.execute("SELECT min(ts), max(ts) FROM ev").fetchone()
    assert row is not None
    return row[0], row[1]


def _check_tz(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConnectorError(f"unknown time zone {tz!r}; e.g. UTC or Asia/Shanghai") from None
    return tz.replace("'", "")


def _recheck(con: duckdb.DuckDBPyConnection, path: Path, *, source: str, tz: str) -> list[Reject]:
    """Reasons for the lines the fast path tagged bad: the same checks again, on just those raw
    lines, by the path that keeps every field (it needs the field count and the line)."""
    numbers = [
        r[0]
        for r in con.execute(
            "SELECT line FROM checked WHERE bad IS NOT NULL ORDER BY line"
        ).fetchall()
    ]
    few = _database().cursor()
    try:
        few.execute("SET TimeZone = 'UTC'")
        few.register("raw_lines", read.raw_lines(path, numbers))
        read.lines_view(few)
        events.build_events(few, db_form=False, tz=tz)
        return events.rejects(few, source=source, db_form=False)
    finally:
        few.close()


def _parse(
    connector: str, path: Path, *, db_form: bool, tz: str, encoding: str, **options: Any
) -> ParseResult:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ConnectorError(
            f"{connector}: unknown option(s) {', '.join(unknown)}; expected: {', '.join(OPTIONS)}"
        )
    tz = _check_tz(tz)
    horizon = _horizon(options, tz)
    read.check_encoding(encoding)
    source = source_label(connector, path)
    con = _database().cursor()
    try:
        con.execute("SET TimeZone = 'UTC'")
        try:  # DuckDB's ICU may lack a zone Python knows
            con.execute("SELECT timezone(?, TIMESTAMP '2000-01-01')", [tz])
        except duckdb.Error:
            raise ConnectorError(f"time zone {tz!r} is not known to DuckDB") from None
        whole_file: Reject | None = None
        early: list[Reject] = []
        fast = not db_form and read.load_fields(con, path, encoding)
        if db_form:
            early, whole_file = read.load_db_form(con, path, encoding, source)
        elif not fast:
            early = read.load_file_form(con, path, encoding, source)
        if whole_file is not None:
            return ParseResult(
                connector,
                source,
                {},
                rejects_table(sorted([*early, whole_file], key=_line)),
                read=1 + len(early),
                accepted=0,
            )
        # Lines are numbered by now; every later result is ordered explicitly, so DuckDB may
        # build the intermediate tables in parallel without keeping row order (~30% faster).
        con.execute("SET SESSION preserve_insertion_order = false")
        events.build_events(con, db_form=db_form, tz=tz, from_fields=fast)
        counts = events.counts(con)
        late: list[Reject] = []
        if counts.rejected and fast:
            late = _recheck(con, path, source=source, tz=tz)
        elif counts.rejected:
            late = events.rejects(con, source=source, db_form=db_form)
        first, last = _data_span(con)
        if horizon is not None and last is not None and horizon < last:
            raise ConnectorError(
                f"{path.name}: horizon {horizon.isoformat()} UTC is before the last line"
                f" ({last.isoformat()} UTC); the horizon is the time up to which the data is"
                " complete, so it cannot be earlier than the data"
            )
        interactions = with_wrapups(
            con, derive_interactions(con, source=source, file_name=path.name)
        )
        tables = {
            "interactions": interactions,
            "ring_no_answer": derive_rings(
                con, source=source, file_name=path.name, interactions=interactions
            ),
            "agent_states": derive_states(
                con,
                source=source,
                file_name=path.name,
                start_of_data=first or dt.datetime(1970, 1, 1),
                horizon=horizon or last or dt.datetime(1970, 1, 1),
            ),
        }
    finally:
        con.close()
    all_rejects = sorted([*early, *late], key=_line)
    read_count = counts.read + len(early)
    return ParseResult(
        connector,
        source,
        tables,
        rejects_table(all_rejects),
        read=read_count,
        accepted=read_count - len(all_rejects),
    )
