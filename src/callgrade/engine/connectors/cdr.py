"""Asterisk CDR, the ``cdr_csv`` backend's Master.csv: one call leg a record, no header.

The CSV module splits records (quoted fields may hold commas, ``""`` and newlines); the checks
and time conversion then run over whole columns, so only bad records cost Python per-row work.
Mapping rules are documented in docs/connectors/cdr.md.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.connectors.base import (
    ConnectorError,
    ParseResult,
    Reject,
    rejects_table,
    source_label,
)
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
DIRECTIONS = ("auto", "inbound", "outbound")
DEFAULT_OUTBOUND_CONTEXTS = ("from-internal", "outbound")

_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_UNDECODED = re.compile("[\udc80-\udcff]")
csv.field_size_limit(16 * 1024 * 1024)


def agent_from_channel(channel: str | None) -> str | None:
    """The device or user in a channel name: ``PJSIP/E0001-00000abc`` → ``E0001``,
    ``Local/1001@from-queue-00000001;1`` → ``1001``. None when there is no ``TECH/`` prefix."""
    if not channel or "/" not in channel:
        return None
    name = channel.split("/", 1)[1]
    name = name.split(";", 1)[0]  # Local channel half (;1 / ;2)
    if "-" in name:
        name = name.rsplit("-", 1)[0]  # per-call sequence suffix Asterisk appends
    name = name.split("@", 1)[0]
    return name or None


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
    _check_tz(tz)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConnectorError(f"unknown encoding {encoding!r}") from None
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc

    source = source_label(CONNECTOR, path)
    # surrogateescape keeps undecodable bytes in place so only the records holding them are lost
    text = data.decode(encoding, "surrogateescape").removeprefix("\ufeff")
    rejects: list[Reject] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    raws: list[str] = []
    read = 0
    for line, fields, raw, error in _records(text):
        read += 1
        if fields is None:
            rejects.append(Reject(source, line, None, f"line {line}: {error}", raw))
            continue
        if _UNDECODED.search(raw):
            rejects.append(
                Reject(
                    source,
                    line,
                    None,
                    f"line {line}: bytes that are not valid {encoding}; re-export as {encoding} "
                    "or pass --encoding (e.g. gb18030)",
                    _UNDECODED.sub("\ufffd", raw),
                )
            )
            continue
        if len(fields) not in FIELD_COUNTS:
            rejects.append(
                Reject(
                    source,
                    line,
                    None,
                    f"line {line}: expected 16, 18 or 21 comma-separated fields, found "
                    f"{len(fields)}",
                    raw,
                )
            )
            continue
        rows.append(fields + [""] * (len(COLUMNS) - len(fields)))
        lines.append(line)
        raws.append(raw)

    table, bad = _interactions(rows, lines, raws, path.name, source, tz, direction, contexts)
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


def _check_tz(tz: str) -> None:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConnectorError(
            f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai"
        ) from None


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str, str]]:
    """(line the record starts on, fields or None when unreadable, raw text, error).

    Blank lines are not records. ``csv.reader.line_num`` counts physical lines consumed, so a
    record starts one line after the previous record ended, however many newlines it holds."""
    # The same line splitting the reader sees (\r, \n, \r\n; not str.splitlines' extras).
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    while True:
        start = end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            raw = "".join(physical[start - 1 : end]).rstrip("\r\n")
            if raw.strip():
                yield start, None, _UNDECODED.sub("\ufffd", raw), f"not readable as CSV: {exc}"
            continue
        end = reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        yield start, fields, "".join(physical[start - 1 : end]).rstrip("\r\n"), ""


def _interactions(
    rows: list[list[str]],
    lines: list[int],
    raws: list[str],
    file_name: str,
    source: str,
    tz: str,
    direction: str,
    contexts: tuple[str, ...],
) -> tuple[pa.Table, list[Reject]]:
    cols = {name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)}
    start = _local_times(cols["start"], tz)
    answer = _local_times(cols["answer"], tz)
    end = _local_times(cols["end"], tz)
    ring = _seconds_between(start, answer)
    length = _seconds_between(start, end)
    after_answer = _seconds_between(answer, end)

    rejects: list[Reject] = []
    keep: list[int] = []
    start_l, answer_l, end_l = start.to_pylist(), answer.to_pylist(), end.to_pylist()
    ring_l, length_l, after_l = ring.to_pylist(), length.to_pylist(), after_answer.to_pylist()
    for i, row in enumerate(rows):
        problem = _problem(row, cols, i, start_l, answer_l, end_l, ring_l, length_l, after_l)
        if problem is None:
            keep.append(i)
        else:
            field, reason = problem
            rejects.append(Reject(source, lines[i], field, f"line {lines[i]}: {reason}", raws[i]))

    take = pa.array(keep, pa.int64())
    g = {name: [cols[name][i] for i in keep] for name in COLUMNS}
    disposition = [d.strip().upper() for d in g["disposition"]]
    if direction == "auto":
        outbound = [any(c in dc.lower() for c in contexts) for dc in g["dcontext"]]
    else:
        outbound = [direction == "outbound"] * len(keep)

    agents = [
        agent_from_channel(ch if out else dch)
        for ch, dch, out in zip(g["channel"], g["dstchannel"], outbound, strict=True)
    ]
    # An ANSWERED leg with no agent channel was answered by the PBX itself (IVR, Queue's
    # announcement, voicemail): nobody handled it, so it is not an answered contact.
    answered = [d == "ANSWERED" and a is not None for d, a in zip(disposition, agents, strict=True)]
    in_queue = [app.strip().lower() == "queue" for app in g["lastapp"]]
    outcome = []
    for d, ans, q in zip(disposition, answered, in_queue, strict=True):
        if d == "ANSWERED" and not ans:
            outcome.append("abandoned" if q else "closed")
        else:
            outcome.append(OUTCOMES[d])
    queue = [
        (data.split(",", 1)[0].strip() or None) if q else None
        for data, q in zip(g["lastdata"], in_queue, strict=True)
    ]
    customer = [
        (dst if out else src).strip() or None
        for src, dst, out in zip(g["src"], g["dst"], outbound, strict=True)
    ]
    ring_k = ring.take(take).to_pylist()
    length_k = length.take(take).to_pylist()
    billsec = [float(b) for b in g["billsec"]]
    table = pa.table(
        {
            "interaction_id": [_interaction_id(cols, i) for i in keep],
            "channel": ["voice"] * len(keep),
            "direction": ["outbound" if o else "inbound" for o in outbound],
            "queue": queue,
            "agent_id": [a if ans else None for a, ans in zip(agents, answered, strict=True)],
            "customer_id": customer,
            "offered_at": start.take(take),
            "answered_at": pc.if_else(pa.array(answered, pa.bool_()), answer.take(take), None),
            "ended_at": end.take(take),
            # Time before answer is the caller's wait (queue wait when the leg ran Queue, ring
            # time of a direct Dial); an unanswered inbound caller waited the whole leg.
            "queue_wait_s": [
                None if o else (r if a else n)
                for o, a, r, n in zip(outbound, answered, ring_k, length_k, strict=True)
            ],
            "ring_s": [r if a else None for a, r in zip(answered, ring_k, strict=True)],
            "talk_s": [b if a else None for a, b in zip(answered, billsec, strict=True)],
            "hold_s": pa.nulls(len(keep), pa.float64()),
            "acw_s": pa.nulls(len(keep), pa.float64()),
            "outcome": outcome,
            "answered": answered,
            "transferred": [False] * len(keep),
            "source": [source] * len(keep),
            "source_ref": [f"{file_name}:{lines[i]}" for i in keep],
        }
    )
    return conform("interactions", table), rejects


def _problem(
    row: list[str],
    cols: dict[str, list[str]],
    i: int,
    start: list[datetime | None],
    answer: list[datetime | None],
    end: list[datetime | None],
    ring: list[float | None],
    length: list[float | None],
    after_answer: list[float | None],
) -> tuple[str, str] | None:
    """The first thing wrong with row ``i`` as (field, reason), or None if it is usable."""
    for name, parsed in (("start", start), ("end", end)):
        if parsed[i] is None:
            return name, f"{name} {row[COLUMNS.index(name)]!r} is not a YYYY-MM-DD HH:MM:SS time"
    answer_text = cols["answer"][i].strip()
    if answer_text and answer[i] is None:
        return "answer", f"answer {answer_text!r} is not a YYYY-MM-DD HH:MM:SS time (or empty)"
    for name in ("duration", "billsec"):
        value = cols[name][i].strip()
        if not value.isascii() or not value.isdigit():
            return name, f"{name} {value!r} is not a whole number of seconds"
    disposition = cols["disposition"][i].strip().upper()
    if disposition not in OUTCOMES:
        known = ", ".join(OUTCOMES)
        return "disposition", f"disposition {cols['disposition'][i]!r} is not one of {known}"
    if (length[i] or 0) < 0:
        return "end", "end is before start"
    if disposition == "ANSWERED":
        if answer[i] is None:
            return "answer", "disposition ANSWERED but the answer time is empty"
        if (ring[i] or 0) < 0 or (after_answer[i] or 0) < 0:
            return "answer", "answer time is not between start and end"
    return None


def _local_times(values: list[str], tz: str) -> pa.Array:
    """Local ``YYYY-MM-DD HH:MM:SS`` strings → UTC timestamps; empty or invalid → null.

    A time in the autumn repeated hour is taken as its first occurrence and one in the spring
    gap as the first instant after the gap: the file cannot say which was meant."""
    naive: list[datetime | None] = []
    for v in values:
        v = v.strip()
        if len(v) == 19 and _TIME.fullmatch(v):
            try:
                naive.append(datetime.fromisoformat(v))
                continue
            except ValueError:
                pass
        naive.append(None)
    local = pa.array(naive, pa.timestamp("us"))
    try:
        utc = pc.assume_timezone(local, timezone=tz, ambiguous="earliest", nonexistent="latest")
    except pa.ArrowInvalid as exc:
        raise ConnectorError(f"time zone {tz!r} is not usable: {exc}") from None
    return utc.cast(pa.timestamp("us", tz="UTC"))


def _seconds_between(a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.divide(pc.cast(pc.subtract(b, a), pa.int64()), 1_000_000.0)


def _interaction_id(cols: dict[str, list[str]], i: int) -> str:
    uniqueid = cols["uniqueid"][i].strip()
    if uniqueid:
        sequence = cols["sequence"][i].strip()
        return f"cdr:{uniqueid}:{sequence}" if sequence else f"cdr:{uniqueid}"
    # No id of its own: the content is the identity, so re-ingesting (or renaming) the file
    # produces the same key.
    content = "\x1f".join(cols[name][i] for name in COLUMNS)
    return "cdr:sha1:" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:20]
