"""Asterisk CDR, the ``cdr_csv`` backend's Master.csv: one call leg a record, no header.

The CSV module splits records (quoted fields may hold commas, ``""`` and newlines); the checks
and time conversion then run over whole columns, so only bad records cost Python per-row work.
Mapping rules are documented in docs/connectors/cdr.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.connectors.base import (
    ConnectorError,
    ParseResult,
    Reject,
    read_lenient,
    rejects_table,
    source_label,
    time_zone,
)
from callgrade.engine.connectors.reasons import at
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.schemas import conform

CONNECTOR = "cdr"
BASE_COLUMNS = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
]
COLUMNS = [*BASE_COLUMNS, "uniqueid", "userfield", "peeraccount", "linkedid", "sequence"]
FIELD_COUNTS = (16, 18, 21)

OUTCOMES = {
    "ANSWERED": "answered",
    "NO ANSWER": "no_answer",
    "BUSY": "busy",
    "FAILED": "failed",
    "CONGESTION": "failed",
    "CANCEL": "abandoned",
}
KNOWN = pa.array(list(OUTCOMES))
DIRECTIONS = ("auto", "inbound", "outbound")
DEFAULT_OUTBOUND_CONTEXTS = ("from-internal", "outbound")

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_WHOLE = re.compile(r"^[0-9]+$")
_UNDECODED = re.compile("[\udc80-\udcff]")
# Long lastdata/userfield values exceed csv's 128 KiB default; the limit is process-wide, so it
# is raised only while a CDR file is being read and restored afterwards.
FIELD_LIMIT = 16 * 1024 * 1024


def agent_ids(channels: pa.Array) -> pa.Array:
    """The device or user in each channel name: ``PJSIP/E0001-00000abc`` → ``E0001``,
    ``Local/1001@from-queue-00000001;1`` → ``1001``. Null without a ``TECH/`` prefix."""
    name = pc.replace_substring_regex(channels, r"(?s)^[^/]*/", "")
    name = pc.replace_substring_regex(name, r"(?s);.*$", "")  # Local channel half (;1 / ;2)
    name = pc.replace_substring_regex(name, r"-[^-]*$", "")  # per-call suffix Asterisk appends
    name = pc.replace_substring_regex(name, r"(?s)@.*$", "")
    usable = pc.and_(
        pc.fill_null(pc.match_substring(channels, "/"), False),
        pc.fill_null(pc.not_equal(name, ""), False),
    )
    return pc.if_else(usable, name, pa.scalar(None, pa.string()))


def agent_from_channel(channel: str | None) -> str | None:
    """:func:`agent_ids` for one channel name."""
    value: str | None = agent_ids(pa.array([channel], pa.string()))[0].as_py()
    return value


def parse(
    path: Path,
    *,
    tz: str = "UTC",
    encoding: str = "utf-8",
    direction: str = "auto",
    outbound_contexts: str | Iterable[str] | None = None,
    **options: Any,
) -> ParseResult:
    """Parse one Master.csv into canonical ``interactions``.

    ``direction``: "auto" (outbound when ``dcontext`` contains one of ``outbound_contexts``,
    case-insensitive; default "from-internal" and "outbound"), "inbound" or "outbound".
    ``outbound_contexts``: a list of substrings or one comma-separated string.
    """
    if options:
        raise ConnectorError(
            f"unknown option(s) for cdr: {', '.join(sorted(options))}; "
            "expected tz, encoding, direction, outbound_contexts"
        )
    if direction not in DIRECTIONS:
        raise ConnectorError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    contexts = _contexts(outbound_contexts)
    time_zone(tz)
    text = read_lenient(path, encoding)
    path = Path(path)
    source = source_label(CONNECTOR, path)
    # The same line splitting the CSV reader sees (\r, \n, \r\n; not str.splitlines' extras).
    physical = io.StringIO(text, newline="").readlines()

    def raw(start: int, end: int) -> str:
        return _UNDECODED.sub("\ufffd", "".join(physical[start - 1 : end]).rstrip("\r\n"))

    undecodable = _UNDECODED.search(text) is not None
    rejects: list[Reject] = []
    rows: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    read = 0
    for start, end, fields, error in _records(text):
        read += 1
        if fields is None:
            reason = at(start, say("cdr_csv", error=error))
        elif undecodable and _UNDECODED.search("".join(fields)):
            reason = at(start, say("cdr_bytes", encoding=encoding))
        elif len(fields) not in FIELD_COUNTS:
            reason = at(start, say("cdr_fields", n=len(fields)))
        else:
            rows.append(fields + [""] * (len(COLUMNS) - len(fields)))
            spans.append((start, end))
            continue
        rejects.append(Reject(source, start, None, reason, raw(start, end)))

    table, bad = _interactions(rows, spans, raw, path.name, source, tz, direction, contexts)
    rejects.extend(bad)
    rejects.sort(key=lambda r: r.line or 0)
    return ParseResult(
        connector=CONNECTOR,
        source=source,
        tables={"interactions": table},
        rejects=rejects_table(rejects),
        read=read,
        accepted=table.num_rows,
    )


def _contexts(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_OUTBOUND_CONTEXTS
    items = value.split(",") if isinstance(value, str) else list(value)
    if not all(isinstance(i, str) for i in items):
        raise ConnectorError("outbound_contexts must be strings")
    return tuple(i.strip().lower() for i in items if i.strip())


def _records(text: str) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """(first line, last line, fields or None when unreadable, error) of each record.

    Blank lines are not records. ``csv.reader.line_num`` counts physical lines consumed, so a
    record starts one line after the previous record ended, however many newlines it holds."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    previous_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        while True:
            start = end + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                yield start, end, None, str(exc)
                continue
            end = reader.line_num
            if fields and (len(fields) > 1 or fields[0].strip()):
                yield start, end, fields, ""
    finally:
        csv.field_size_limit(previous_limit)


def _interactions(
    rows: list[list[str]],
    spans: list[tuple[int, int]],
    raw: Callable[[int, int], str],
    file_name: str,
    source: str,
    tz: str,
    direction: str,
    contexts: tuple[str, ...],
) -> tuple[pa.Table, list[Reject]]:
    columns = zip(*rows, strict=True) if rows else ([] for _ in COLUMNS)
    col = {n: pa.array(list(v), pa.string()) for n, v in zip(COLUMNS, columns, strict=True)}
    col = {n: pc.utf8_trim_whitespace(v) for n, v in col.items()}
    col["disposition"] = pc.utf8_upper(col["disposition"])
    times = {name: _local_times(col[name], tz) for name in ("start", "answer", "end")}
    ring = _seconds_between(times["start"], times["answer"])
    length = _seconds_between(times["start"], times["end"])
    after_answer = _seconds_between(times["answer"], times["end"])
    ok = _usable(col, times, ring, length, after_answer)

    rejects = []
    for i in pc.indices_nonzero(pc.invert(ok)).to_pylist():
        field, reason = _problem(col, i, times, length)
        line = spans[i][0]
        rejects.append(Reject(source, line, field, at(line, reason), raw(*spans[i])))

    take = pc.indices_nonzero(ok)
    g = {n: v.take(take) for n, v in col.items()}
    t = {n: v.take(take) for n, v in times.items()}
    ring, length = ring.take(take), length.take(take)
    lines = pa.array([spans[i][0] for i in take.to_pylist()], pa.int64())
    n = len(take)
    none_s = pa.scalar(None, pa.string())
    none_f = pa.scalar(None, pa.float64())

    if direction == "auto":
        outbound = pa.repeat(pa.scalar(False), n)
        for context in contexts:
            found = pc.match_substring(g["dcontext"], context, ignore_case=True)
            outbound = pc.or_(outbound, found)
    else:
        outbound = pa.repeat(pa.scalar(direction == "outbound"), n)
    agent = agent_ids(pc.if_else(outbound, g["channel"], g["dstchannel"]))
    # An ANSWERED leg with no agent channel was answered by the PBX itself (IVR, Queue's
    # announcement, voicemail): nobody handled it, so it is not an answered contact.
    said_answered = pc.equal(g["disposition"], "ANSWERED")
    answered = pc.and_(said_answered, pc.is_valid(agent))
    in_queue = pc.equal(pc.utf8_lower(g["lastapp"]), "queue")
    by_pbx = pc.if_else(in_queue, "abandoned", "closed")
    outcome = pc.take(pa.array(list(OUTCOMES.values())), pc.index_in(g["disposition"], KNOWN))
    outcome = pc.if_else(pc.and_(said_answered, pc.invert(answered)), by_pbx, outcome)
    queue = _blank_to_null(pc.replace_substring_regex(g["lastdata"], r"(?s),.*$", ""))
    customer = _blank_to_null(pc.if_else(outbound, g["dst"], g["src"]))
    table = pa.table(
        {
            "interaction_id": _interaction_ids(g),
            "channel": pa.repeat(pa.scalar("voice"), n),
            "direction": pc.if_else(outbound, "outbound", "inbound"),
            "queue": pc.if_else(in_queue, queue, none_s),
            # The dialing agent is known for every outbound leg, answered or not: an agent's
            # outbound answer rate is connected / dialed. Inbound: only who answered.
            "agent_id": pc.if_else(pc.or_(answered, outbound), agent, none_s),
            "customer_id": customer,
            "offered_at": t["start"],
            "answered_at": pc.if_else(answered, t["answer"], pa.scalar(None, t["answer"].type)),
            "ended_at": t["end"],
            # Time before answer is the caller's wait (queue wait when the leg ran Queue, ring
            # time of a direct Dial); an unanswered inbound caller waited the whole leg.
            "queue_wait_s": pc.if_else(outbound, none_f, pc.if_else(answered, ring, length)),
            "ring_s": pc.if_else(answered, ring, none_f),
            "talk_s": pc.if_else(answered, pc.cast(g["billsec"], pa.float64()), none_f),
            "outcome": outcome,
            "answered": answered,
            "transferred": pa.repeat(pa.scalar(False), n),
            "source": pa.repeat(pa.scalar(source), n),
            "source_ref": pc.binary_join_element_wise(file_name, pc.cast(lines, pa.string()), ":"),
        }
    )
    return conform("interactions", table), rejects


def _blank_to_null(values: pa.Array) -> pa.Array:
    values = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _usable(
    text: dict[str, pa.Array],
    times: dict[str, pa.Array],
    ring: pa.Array,
    length: pa.Array,
    after_answer: pa.Array,
) -> pa.Array:
    """True for each record that passes every check of :func:`_problem`."""
    answered = pc.equal(text["disposition"], "ANSWERED")
    answer_fits = pc.and_kleene(
        pc.is_valid(times["answer"]),
        pc.and_kleene(pc.greater_equal(ring, 0), pc.greater_equal(after_answer, 0)),
    )
    checks = [
        pc.is_valid(times["start"]),
        pc.is_valid(times["end"]),
        pc.or_kleene(pc.is_valid(times["answer"]), pc.equal(text["answer"], "")),
        pc.match_substring_regex(text["duration"], _WHOLE.pattern),
        pc.match_substring_regex(text["billsec"], _WHOLE.pattern),
        pc.is_in(text["disposition"], value_set=KNOWN),
        pc.greater_equal(length, 0),
        pc.or_kleene(pc.invert(answered), answer_fits),
    ]
    ok = pa.array([True] * len(text["start"]), pa.bool_())
    for check in checks:
        ok = pc.and_(ok, pc.fill_null(check, False))
    return ok


def _problem(
    text: dict[str, pa.Array],
    i: int,
    times: dict[str, pa.Array],
    length: pa.Array,
) -> tuple[str, str]:
    """What is wrong with record ``i`` as (field, reason); called only for records that
    :func:`_usable` refused, with the same trimmed text, so the two always agree."""
    value = {name: text[name][i].as_py() for name in text}
    for name in ("start", "end"):
        if not times[name][i].is_valid:
            return name, say("cdr_time", field=name, value=repr(value[name]))
    if value["answer"] and not times["answer"][i].is_valid:
        return "answer", say("cdr_answer_time", value=repr(value["answer"]))
    for name in ("duration", "billsec"):
        if not _WHOLE.fullmatch(value[name]):
            return name, say("cdr_seconds", field=name, value=repr(value[name]))
    if value["disposition"] not in OUTCOMES:
        known = ", ".join(OUTCOMES)
        return "disposition", say("cdr_disposition", value=repr(value["disposition"]), known=known)
    if length[i].as_py() < 0:
        return "end", say("cdr_end_before_start")
    if not value["answer"]:
        return "answer", say("cdr_no_answer_time")
    return "answer", say("cdr_answer_outside")


def _local_times(text: pa.Array, tz: str) -> pa.Array:
    """Local ``YYYY-MM-DD HH:MM:SS`` strings → UTC timestamps; empty or invalid → null.

    A time in the autumn repeated hour is taken as its first occurrence and one in the spring
    gap as the first instant after the gap: the file cannot say which was meant."""
    parsed = pc.strptime(text, format=TIME_FORMAT, unit="s", error_is_null=True)
    # strptime rolls 2026-02-30 over to March and accepts unpadded fields; only a time that
    # prints back exactly as written is the time the file meant.
    exact = pc.fill_null(pc.equal(pc.strftime(parsed, format=TIME_FORMAT), text), False)
    # Years far from now are damage, and would not survive the trip to Python or other tools.
    year = pc.year(parsed)
    exact = pc.and_(
        exact, pc.fill_null(pc.and_(pc.greater_equal(year, 1900), pc.less(year, 3000)), False)
    )
    local = pc.if_else(exact, parsed, pa.scalar(None, parsed.type))
    try:
        utc = pc.assume_timezone(local, timezone=tz, ambiguous="earliest", nonexistent="latest")
    except pa.ArrowInvalid as exc:
        raise ConnectorError(f"time zone {tz!r} is not usable: {exc}") from None
    return utc.cast(pa.timestamp("us", tz="UTC"))


def _seconds_between(a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.divide(pc.cast(pc.subtract(b, a), pa.int64()), 1_000_000.0)


def _interaction_ids(g: dict[str, pa.Array]) -> pa.Array:
    with_sequence = pc.binary_join_element_wise("cdr", g["uniqueid"], g["sequence"], ":")
    ids = pc.if_else(
        pc.equal(g["sequence"], ""),
        pc.binary_join_element_wise("cdr", g["uniqueid"], ":"),
        with_sequence,
    )
    missing = pc.indices_nonzero(pc.equal(g["uniqueid"], "")).to_pylist()
    if not missing:
        return ids
    # No id of its own: the content is the identity, so re-ingesting (or renaming) the file
    # produces the same key.
    values = ids.to_pylist()
    rows = zip(*(g[name].take(missing).to_pylist() for name in COLUMNS), strict=True)
    for i, fields in zip(missing, rows, strict=True):
        content = "\x1f".join(fields).encode("utf-8")
        values[i] = "cdr:sha1:" + hashlib.sha1(content).hexdigest()[:20]
    return pa.array(values, pa.string())
