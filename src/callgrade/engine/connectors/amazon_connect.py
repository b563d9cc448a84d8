"""Amazon Connect contact records (CTR): JSON lines from Kinesis/Firehose, objects written back to
back (``}{``), or JSON arrays — told apart by the first character of each top-level value.

Records arrive at least once, so one contact may appear several times; the newest
``LastUpdateTimestamp`` wins here and, through ``updated_at``, in the warehouse across files.
Mapping rules are documented in docs/connectors/amazon_connect.md.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from callgrade.engine.connectors.base import (
    ConnectorError,
    ParseResult,
    Reject,
    read_lenient,
    rejects_table,
    source_label,
    time_zone,
)
from callgrade.engine.connectors.json_values import UNDECODED, kind, records
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.connectors.reasons import record_at
from callgrade.engine.schemas import INTERACTIONS, conform

CONNECTOR = "connect"
OUTBOUND_METHODS = {"OUTBOUND", "CAMPAIGN"}
TRANSFER_METHODS = {"TRANSFER": None, "QUEUE_TRANSFER": "queue"}
ENDED_BY = {"CUSTOMER_DISCONNECT": "caller", "AGENT_DISCONNECT": "agent"}

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class _Bad(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def parse(path: Path, *, tz: str = "UTC", encoding: str = "utf-8", **options: Any) -> ParseResult:
    """Parse one file of contact records into canonical ``interactions``.

    Connect writes times in UTC with a ``Z``; ``tz`` only applies to a time written without an
    offset. Duplicated contacts count as accepted records but yield one row, so the number of
    rows can be below ``accepted``."""
    if options:
        raise ConnectorError(
            f"unknown option(s) for connect: {', '.join(sorted(options))}; expected tz, encoding"
        )
    zone = time_zone(tz)
    text = read_lenient(path, encoding)
    path = Path(path)
    source = source_label(CONNECTOR, path)

    undecodable = UNDECODED.search(text) is not None
    rejects: list[Reject] = []
    contacts: list[dict[str, Any]] = []
    read = 0
    for rec in records(text):
        read += 1
        field = None
        if rec.error is not None:
            reason = rec.error
        elif undecodable and UNDECODED.search(text, rec.start, rec.end):
            reason = say("js_bytes", encoding=encoding)
        else:
            try:
                contact = _contact(rec.value, zone)
            except _Bad as bad:
                field, reason = bad.field, bad.reason
            else:
                contact["source_ref"] = f"{path.name}:{rec.line}"
                contact["_order"] = rec.number
                contacts.append(contact)
                continue
        raw = UNDECODED.sub("\ufffd", text[rec.start : rec.end].rstrip(" \t\r\n,"))
        said = record_at("object", rec.number, rec.line, reason)
        rejects.append(Reject(source, rec.line, field, said, raw))

    table = _interactions(_latest(contacts), source)
    return ParseResult(
        connector=CONNECTOR,
        source=source,
        tables={"interactions": table},
        rejects=rejects_table(rejects),
        read=read,
        accepted=len(contacts),
    )


# ---- one contact record --------------------------------------------------------------------


def _contact(obj: Any, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """The canonical facts of one record, or _Bad naming the first field that is wrong."""
    if not isinstance(obj, dict):
        raise _Bad(None, say("ac_not_object", found=kind(obj)))
    contact_id = obj.get("ContactId")
    if not isinstance(contact_id, str) or not contact_id.strip():
        found = kind(contact_id) if "ContactId" in obj else say("js_nothing")
        raise _Bad("ContactId", say("ac_contact_id", found=found))
    channel = _text(obj, "Channel")
    if channel is None:
        raise _Bad("Channel", say("ac_channel"))
    method = (_text(obj, "InitiationMethod") or "").upper()
    queue = _object(obj, "Queue")
    agent = _object(obj, "Agent")
    endpoint = _object(obj, "CustomerEndpoint")

    initiated = _time(obj, "InitiationTimestamp", zone)
    enqueued = _time(queue, "EnqueueTimestamp", zone, "Queue.")
    offered = enqueued or initiated
    if offered is None:
        raise _Bad("InitiationTimestamp", say("ac_initiated"))
    connected = _time(agent, "ConnectedToAgentTimestamp", zone, "Agent.")
    answered = connected is not None
    queued = enqueued is not None or _text(queue, "Name", "Queue.") is not None
    reason = _text(obj, "DisconnectReason")
    return {
        "contact_id": contact_id,
        "previous_id": _text(obj, "PreviousContactId"),
        "method": method,
        "interaction_id": "connect:" + contact_id,
        "channel": channel.lower(),
        "direction": "outbound"
        if method in OUTBOUND_METHODS or (method == "API" and channel.upper() == "VOICE")
        else "inbound",
        "queue": _text(queue, "Name", "Queue."),
        "agent_id": _text(agent, "Username", "Agent.") if answered else None,
        "customer_id": _text(endpoint, "Address", "CustomerEndpoint."),
        "offered_at": offered,
        "answered_at": connected,
        "ended_at": _time(obj, "DisconnectTimestamp", zone),
        "queue_wait_s": _seconds(queue, "Duration", "Queue."),
        "talk_s": _seconds(agent, "AgentInteractionDuration", "Agent.") if answered else None,
        "hold_s": _seconds(agent, "CustomerHoldDuration", "Agent."),
        "acw_s": _seconds(agent, "AfterContactWorkDuration", "Agent."),
        "outcome": "answered" if answered else ("abandoned" if queued else "closed"),
        "answered": answered,
        "transferred_out": _time(obj, "TransferCompletedTimestamp", zone) is not None
        or bool(_object(obj, "TransferredToEndpoint")),
        "ended_by": None if reason is None else ENDED_BY.get(reason.upper(), "system"),
        "updated_at": _time(obj, "LastUpdateTimestamp", zone),
    }


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad(key, say("ac_object", key=key, found=kind(value)))
    return value


def _text(parent: dict[str, Any], key: str, prefix: str = "") -> str | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Bad(prefix + key, say("ac_string", key=prefix + key, found=kind(value)))
    return value


def _seconds(parent: dict[str, Any], key: str, prefix: str = "") -> float | None:
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(prefix + key, say("ac_seconds", key=prefix + key, found=kind(value)))
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds) or seconds < 0:
        shown = str(value) if len(str(value)) <= 40 else str(value)[:40] + "…"
        raise _Bad(prefix + key, say("ac_negative", key=prefix + key, number=shown))
    return seconds


def _time(
    parent: dict[str, Any], key: str, zone: zoneinfo.ZoneInfo, prefix: str = ""
) -> datetime | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    name = prefix + key
    if not isinstance(value, str):
        raise _Bad(name, say("ac_time_type", key=name, found=kind(value)))
    try:
        if not _TIMESTAMP.match(value):
            raise ValueError
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(name, say("ac_time", key=name, value=repr(value[:40]))) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise _Bad(name, say("ac_years", key=name, value=repr(value[:40]))) from None


# ---- from records to rows ------------------------------------------------------------------


def _latest(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per contact: the greatest LastUpdateTimestamp, a later record on a tie, and a
    record without one only when no copy has it. Rows keep file order."""
    best: dict[str, dict[str, Any]] = {}
    for c in contacts:
        kept = best.get(c["contact_id"])
        if kept is None or _version(c) >= _version(kept):
            best[c["contact_id"]] = c
    return sorted(best.values(), key=lambda c: c["_order"])


def _version(c: dict[str, Any]) -> tuple[bool, datetime, int]:
    updated = c["updated_at"]
    return (updated is not None, updated or datetime.min.replace(tzinfo=UTC), c["_order"])


def _interactions(contacts: list[dict[str, Any]], source: str) -> pa.Table:
    # A contact was transferred when the record it became names it as PreviousContactId.
    onward: dict[str, str | None] = {}
    for c in contacts:
        if c["method"] in TRANSFER_METHODS and c["previous_id"]:
            onward[c["previous_id"]] = TRANSFER_METHODS[c["method"]]
    for c in contacts:
        by_successor = c["contact_id"] in onward
        c["transferred"] = by_successor or c["transferred_out"]
        c["transfer_kind"] = onward.get(c["contact_id"]) if by_successor else None
        c["source"] = source
    # ring time is not in a contact record: the column stays null
    schema = pa.schema([f for f in INTERACTIONS if f.name != "ring_s"])
    columns = {f.name: [c[f.name] for c in contacts] for f in schema}
    return conform("interactions", pa.table(columns, schema=schema))
