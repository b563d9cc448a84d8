"""Check every line in one vectorized pass and keep the good ones as the event table ``ev``.

Each line gets a ``bad`` tag (NULL when fine); the reason sentence is written in Python only for
the tagged lines, which are rare, so the hot path stays in DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from callgrade.engine.connectors.base import Reject
from callgrade.engine.connectors.reasons import at
from callgrade.engine.connectors.reasons import reason as say

# Events of one caller in one queue.
ENTER = "ENTERQUEUE"
ANSWER = "CONNECT"
COMPLETE = ("COMPLETECALLER", "COMPLETEAGENT")
TRANSFERS = ("BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER")
EXITS = ("ABANDON", "EXITEMPTY", "EXITWITHTIMEOUT", "EXITWITHKEY", "WITHDRAW")
REFUSALS = ("CLOSED", "FULL", "JOINEMPTY")  # platform events; DIVERT_* too, matched by prefix
RINGS = ("RINGNOANSWER", "RINGCANCELED")
CALL_EVENTS = (ENTER, ANSWER, *COMPLETE, *TRANSFERS, *EXITS, *REFUSALS, *RINGS)

# Events of one agent.
LOGINS = ("AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER")
LOGOFFS = ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF", "REMOVEMEMBER")
PAUSES = ("PAUSE", "PAUSEALL")
UNPAUSES = ("UNPAUSE", "UNPAUSEALL")
WRAPUP = "WRAPUPSTART"
AGENT_EVENTS = (*LOGINS, *LOGOFFS, *PAUSES, *UNPAUSES, WRAPUP)

HOUSEKEEPING = ("PENALTY", "RINGINUSE", "QUEUESTART", "CONFIGRELOAD", "SYSCOMPAT", "AGENTDUMP")
KNOWN = (*CALL_EVENTS, *AGENT_EVENTS, *HOUSEKEEPING)
DIVERT_PREFIX = "DIVERT_"

# event → (data index, meaning, required): numeric fields the derivation reads.
WHOLE_SECONDS: dict[str, tuple[tuple[int, str, bool], ...]] = {
    ANSWER: ((1, "holdtime", True), (3, "ring time", False)),
    "COMPLETECALLER": ((1, "holdtime", True), (2, "calltime", True)),
    "COMPLETEAGENT": ((1, "holdtime", True), (2, "calltime", True)),
    "ABANDON": ((3, "waittime", True),),
    "EXITEMPTY": ((3, "waittime", True),),
    "EXITWITHTIMEOUT": ((3, "waittime", True),),
    "EXITWITHKEY": ((4, "waittime", False),),
    "WITHDRAW": ((3, "waittime", True),),
    "BLINDTRANSFER": ((3, "holdtime", True), (4, "calltime", True)),
    "TRANSFER": ((3, "holdtime", True), (4, "calltime", True)),
    WRAPUP: ((1, "wrap-up seconds", False),),
}
# RINGNOANSWER logs how long the member's phone rang in milliseconds (optional: empty → unknown).
RING_MS = "ring time in ms"
# ATTENDEDTRANSFER|LINK names two channels, so its numbers sit one field later.
ATTENDED_PLAIN = ((3, "holdtime"), (4, "calltime"))
ATTENDED_LINK = ((4, "holdtime"), (5, "calltime"))

UNIX_SECONDS = "[0-9]{1,11}"
UNIX_TIME = UNIX_SECONDS + r"(\.[0-9]{1,9})?"


def _q(items: tuple[str, ...]) -> str:
    return ", ".join(f"'{i}'" for i in items)


def _is_count(expr: str) -> str:
    return f"regexp_full_match({expr}, '[0-9]{{1,9}}')"


def _kinds_rows() -> list[tuple[object, ...]]:
    """One row per event kind: is it a call event, does it need an agent, and for data1..data5
    the meaning of a whole-seconds field (None: not read) and whether it is required."""
    numbers: dict[str, tuple[tuple[int, str, bool], ...]] = {
        **WHOLE_SECONDS,
        "RINGNOANSWER": ((1, RING_MS, False),),
        "ATTENDEDTRANSFER": tuple((i, n, True) for i, n in ATTENDED_PLAIN),
        "ATTENDEDTRANSFER LINK": tuple((i, n, True) for i, n in ATTENDED_LINK),
    }
    rows: list[tuple[object, ...]] = []
    for key in (*KNOWN, "ATTENDEDTRANSFER LINK", DIVERT_PREFIX + "*"):
        event = key.split(" ")[0]
        call = event in CALL_EVENTS or key.startswith(DIVERT_PREFIX)
        # A ring without answer is the member's own: the row needs whose phone rang.
        agent = event in (*AGENT_EVENTS, ANSWER, "RINGNOANSWER")
        meaning: list[str | None] = [None] * 5
        required = [False] * 5
        for i, name, req in numbers.get(key, ()):
            meaning[i - 1], required[i - 1] = name, req
        rows.append((key, call, agent, *meaning, *required))
    return rows


def _kind_checks(
    call: bool, agent: bool, meanings: tuple[str | None, ...], required: tuple[bool, ...]
) -> str:
    """The checks of one event kind, in the order they are reported: callid, queuename, agent,
    then each whole-number field."""
    whens: list[str] = []
    if call:
        whens.append("WHEN coalesce(callid, 'NONE') = 'NONE' THEN 'callid'")
        whens.append("WHEN coalesce(queue, 'NONE') = 'NONE' THEN 'queuename'")
    if agent:
        whens.append("WHEN coalesce(agent, 'NONE') = 'NONE' THEN 'agent'")
    for i, (meaning, req) in enumerate(zip(meanings, required, strict=True), start=1):
        if meaning is not None:
            ok = f"coalesce({_is_count(f'd{i}')}, {'false' if req else 'true'})"
            whens.append(f"WHEN NOT {ok} THEN 'data{i}:{meaning}'")
    return f"CASE {' '.join(whens)} END" if whens else "NULL"


def bad_expr() -> str:
    """``bad`` of one line (NULL when fine) as one CASE over its kind, with no join, so that a
    plain projection keeps the reader's row order (which numbers the fast path's lines). One
    equality per kind, the most frequent events first: DuckDB plans a long ``IN`` list as a
    join, which would not keep that order."""
    whens = []
    for key, call, agent, *rest in _kinds_rows():
        checks = _kind_checks(
            bool(call),
            bool(agent),
            tuple(m if isinstance(m, str) else None for m in rest[:5]),
            tuple(bool(r) for r in rest[5:]),
        )
        whens.append(f"WHEN kind_key = '{key}' THEN {checks}")
    return (
        f"CASE WHEN nf < 5 THEN 'nf' WHEN ts IS NULL THEN 'time' {' '.join(whens)} ELSE 'event' END"
    )


def _kind_key(event: str, d1: str) -> str:
    return (
        f"CASE WHEN {event} = 'ATTENDEDTRANSFER' AND {d1} = 'LINK' THEN 'ATTENDEDTRANSFER LINK'"
        f" WHEN starts_with({event}, '{DIVERT_PREFIX}') THEN '{DIVERT_PREFIX}*'"
        f" ELSE {event} END"
    )


def _epoch_us(expr: str) -> str:
    whole = f"TRY_CAST(split_part({expr}, '.', 1) AS BIGINT) * 1000000"
    frac = f"TRY_CAST(rpad(left(split_part({expr}, '.', 2), 6), 6, '0') AS BIGINT)"
    return f"make_timestamp({whole} + {frac})"


def time_expr(db_form: bool, tz: str) -> str:
    # Whole seconds (what Asterisk writes) skip the split into seconds and fraction.
    unix = (
        f"CASE WHEN regexp_full_match(t, '{UNIX_SECONDS}')"
        " THEN make_timestamp(CAST(t AS BIGINT) * 1000000)"
        f" WHEN regexp_full_match(t, '{UNIX_TIME}') THEN {_epoch_us('t')} END"
    )
    if not db_form:
        return unix
    local = "try_strptime(t, ['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S'])"
    return f"coalesce({unix}, timezone('UTC', timezone('{tz}', {local})))"


FIELD_NAMES = ("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9")


def checked_fields(reader: str) -> str:
    """SELECT of the reader's ten fields (empty already NULL) plus ``ts`` and ``bad``, from one
    scan of ``reader``: the fast path stores this as one table, so the fields are read, parsed
    and checked in one pass and held once. Lines with fewer than 5 fields have no event, so they
    are tagged bad too; their exact reason is written from the raw line (``_recheck``)."""
    cols = ", ".join(FIELD_NAMES)
    return f"""
        SELECT {cols}, ts, {bad_expr()} AS bad
        FROM (SELECT *, {time_expr(False, "UTC")} AS ts, {_kind_key("event", "d1")} AS kind_key
              FROM (SELECT {cols}, 5 AS nf, c0 AS t, c1 AS callid, c2 AS queue, c3 AS agent,
                           coalesce(c4, '') AS event, c5 AS d1, c6 AS d2, c7 AS d3, c8 AS d4,
                           c9 AS d5
                    FROM {reader}))"""


_EVENT_COLUMNS = "line, ts, callid, queue, agent, event, d1, d2, d3, d4, d5"


def build_events(
    con: duckdb.DuckDBPyConnection, *, db_form: bool, tz: str, from_fields: bool = False
) -> None:
    """Create ``checked`` (every line with its ``bad`` tag) and ``ev`` (the good lines), from
    ``lines`` or, with ``from_fields``, as views over the table :func:`read.load_fields` filled
    with :func:`checked_fields` (its rowid numbers the lines)."""
    if from_fields:
        con.execute(
            """CREATE TEMP VIEW checked AS
            SELECT rowid + 1 AS line, ts, c1 AS callid, c2 AS queue, c3 AS agent,
                   coalesce(c4, '') AS event, c5 AS d1, c6 AS d2, c7 AS d3, c8 AS d4, c9 AS d5, bad
            FROM fields_read"""
        )
    else:
        con.execute(
            f"""CREATE TEMP TABLE checked AS
            SELECT {_EVENT_COLUMNS}, {bad_expr()} AS bad
            FROM (SELECT *, {time_expr(db_form, tz)} AS ts, {_kind_key("event", "d1")} AS kind_key
                  FROM (SELECT line, len(f) AS nf, f[1] AS t,
                               nullif(f[2], '') AS callid, nullif(f[3], '') AS queue,
                               nullif(f[4], '') AS agent, coalesce(f[5], '') AS event,
                               nullif(f[6], '') AS d1, nullif(f[7], '') AS d2,
                               nullif(f[8], '') AS d3, nullif(f[9], '') AS d4,
                               nullif(f[10], '') AS d5
                        FROM lines))"""
        )
    # Only what the derivations read is kept (reasons re-read the raw line); ``ev`` is a view.
    con.execute(f"CREATE TEMP VIEW ev AS SELECT {_EVENT_COLUMNS} FROM checked WHERE bad IS NULL")


@dataclass(frozen=True)
class Counts:
    read: int
    rejected: int


def counts(con: duckdb.DuckDBPyConnection) -> Counts:
    row = con.execute("SELECT count(*), count(bad) FROM checked").fetchone()
    assert row is not None
    return Counts(int(row[0]), int(row[1]))


def rejects(con: duckdb.DuckDBPyConnection, *, source: str, db_form: bool) -> list[Reject]:
    rows = con.execute(
        """SELECT c.line, bad, l.raw, len(l.f), l.f[1], event, callid, queue, agent,
                  d1, d2, d3, d4, d5
           FROM (SELECT * FROM checked WHERE bad IS NOT NULL) AS c JOIN lines AS l USING (line)
           ORDER BY c.line"""
    ).fetchall()
    return [_reject(source, db_form, *row) for row in rows]


def _reject(
    source: str,
    db_form: bool,
    line: int,
    bad: str,
    raw: str | None,
    nf: int,
    t: str | None,
    event: str,
    *values: str | None,
) -> Reject:
    field: str | None
    if bad == "nf":
        field = None
        reason = say("ql_fields", n=nf)
    elif bad == "time":
        field = "time"
        if db_form:
            reason = say("ql_time_db", value=repr(t or ""), format="YYYY-MM-DD HH:MM:SS[.ffffff]")
        else:
            reason = say("ql_time", value=repr(t or ""))
    elif bad == "event":
        field = "event"
        reason = say("ql_event_unknown", event=repr(event)) if event else say("ql_event_empty")
    elif bad in ("callid", "queuename", "agent"):
        field = bad
        value = dict(zip(("callid", "queuename", "agent"), values[:3], strict=True))[bad]
        reason = say(f"ql_{bad}", event=event, value=repr(value or ""))
    else:
        name, meaning = bad.split(":")
        field = name
        value = values[3 + int(name.removeprefix("data")) - 1]
        code = "ql_milliseconds" if meaning == RING_MS else "ql_seconds"
        meaning = meaning.removesuffix(" in ms")
        reason = say(code, field=name, meaning=meaning, event=event, value=repr(value or ""))
    reason = at(line, reason)
    return Reject(source=source, line=line, field=field, reason=reason, raw=raw)
