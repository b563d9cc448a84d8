"""Amazon Connect contact-record connector: formats, dedupe, mapping, bad input, properties."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callgrade.engine.connectors import parse as run_connector
from callgrade.engine.connectors.amazon_connect import parse
from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.ingest import ingest_files
from callgrade.engine.schemas import conform
from callgrade.engine.warehouse import Warehouse


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def ctr(contact_id: str = "c-1", **changes: Any) -> dict[str, Any]:
    """An answered inbound voice contact; ``changes`` replace top-level keys (None deletes)."""
    record: dict[str, Any] = {
        "AWSAccountId": "123456789012",
        "ContactId": contact_id,
        "InitialContactId": None,
        "PreviousContactId": None,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-01-05T09:00:00Z",
        "DisconnectTimestamp": "2026-01-05T09:08:00Z",
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "LastUpdateTimestamp": "2026-01-05T09:09:30Z",
        "CustomerEndpoint": {"Address": "+8613900139000", "Type": "TELEPHONE_NUMBER"},
        "Queue": {
            "Name": "sales",
            "ARN": "arn:aws:connect:queue/1",
            "EnqueueTimestamp": "2026-01-05T09:00:30Z",
            "DequeueTimestamp": "2026-01-05T09:00:45Z",
            "Duration": 15,
        },
        "Agent": {
            "Username": "E0001",
            "ConnectedToAgentTimestamp": "2026-01-05T09:00:50Z",
            "AgentInteractionDuration": 380,
            "CustomerHoldDuration": 40,
            "NumberOfHolds": 2,
            "LongestHoldDuration": 30,
            "AfterContactWorkDuration": 55,
            "AfterContactWorkStartTimestamp": "2026-01-05T09:08:00Z",
        },
        "TransferCompletedTimestamp": None,
        "TransferredToEndpoint": None,
        "Attributes": {"language": "zh"},
    }
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def abandoned(contact_id: str = "c-ab", **changes: Any) -> dict[str, Any]:
    queue = {"Name": "sales", "EnqueueTimestamp": "2026-01-05T10:00:10Z", "Duration": 42}
    base = ctr(
        contact_id,
        Agent=None,
        Queue=queue,
        InitiationTimestamp="2026-01-05T10:00:00Z",
        DisconnectTimestamp="2026-01-05T10:00:52Z",
    )
    base.update(changes)
    return base


def jsonl(*records: Any) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def run(tmp_path: Path, text: str | bytes, name: str = "ctr.jsonl", **options: Any):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    result = run_connector("connect", path, **options)  # also checks the counts reconcile
    return result, result.tables["interactions"].to_pylist()


def test_answered_contact_hand_checked(tmp_path):
    result, rows = run(tmp_path, jsonl(ctr()))
    assert (result.read, result.accepted, result.rejected) == (1, 1, 0)
    assert rows == [
        {
            "interaction_id": "connect:c-1",
            "channel": "voice",
            "direction": "inbound",
            "queue": "sales",
            "agent_id": "E0001",
            "customer_id": "+8613900139000",
            "offered_at": utc(2026, 1, 5, 9, 0, 30),  # enqueued, not initiated
            "answered_at": utc(2026, 1, 5, 9, 0, 50),
            "ended_at": utc(2026, 1, 5, 9, 8, 0),
            "queue_wait_s": 15.0,
            "ring_s": None,
            "talk_s": 380.0,
            "hold_s": 40.0,
            "acw_s": 55.0,
            "outcome": "answered",
            "answered": True,
            "transferred": False,
            "transfer_kind": None,
            "ended_by": "caller",
            "updated_at": utc(2026, 1, 5, 9, 9, 30),
            "source": "connect:ctr.jsonl",
            "source_ref": "ctr.jsonl:1",
        }
    ]


def test_abandoned_in_queue(tmp_path):
    _, [row] = run(tmp_path, jsonl(abandoned()))
    assert row["outcome"] == "abandoned" and row["answered"] is False
    assert (row["agent_id"], row["answered_at"], row["talk_s"]) == (None, None, None)
    assert row["queue_wait_s"] == 42.0
    assert row["offered_at"] == utc(2026, 1, 5, 10, 0, 10)
    assert row["ended_at"] == utc(2026, 1, 5, 10, 0, 52)


def test_agent_reserved_but_never_connected_is_abandoned_without_agent(tmp_path):
    rec = abandoned(Agent={"Username": "E0009", "AgentInteractionDuration": 0})
    _, [row] = run(tmp_path, jsonl(rec))
    assert (row["outcome"], row["agent_id"], row["talk_s"]) == ("abandoned", None, None)


def test_never_queued_contact_is_kept_as_closed(tmp_path):
    ivr = ctr("ivr-1", Queue=None, Agent=None, DisconnectReason="CONTACT_FLOW_DISCONNECT")
    _, [row] = run(tmp_path, jsonl(ivr))
    assert row["outcome"] == "closed" and row["answered"] is False
    assert row["offered_at"] == utc(2026, 1, 5, 9, 0, 0)  # initiation time
    assert (row["queue"], row["queue_wait_s"], row["ended_by"]) == (None, None, "system")


def test_hold_and_acw_durations_and_fractions(tmp_path):
    agent = {
        "Username": "E0002",
        "ConnectedToAgentTimestamp": "2026-01-05T09:00:50.250Z",
        "AgentInteractionDuration": 120.5,
        "CustomerHoldDuration": 0,
        "AfterContactWorkDuration": 7,
    }
    no_acw = {**agent, "AfterContactWorkDuration": None, "CustomerHoldDuration": None}
    _, rows = run(tmp_path, jsonl(ctr("a", Agent=agent), ctr("b", Agent=no_acw)))
    assert [(r["talk_s"], r["hold_s"], r["acw_s"]) for r in rows] == [
        (120.5, 0.0, 7.0),
        (120.5, None, None),  # not measured stays null, never 0
    ]
    assert rows[0]["answered_at"] == datetime(2026, 1, 5, 9, 0, 50, 250000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "channel", "direction"),
    [
        ("INBOUND", "VOICE", "inbound"),
        ("OUTBOUND", "VOICE", "outbound"),
        ("API", "VOICE", "outbound"),
        ("API", "CHAT", "inbound"),
        ("CAMPAIGN", "VOICE", "outbound"),
        ("CALLBACK", "VOICE", "inbound"),
        ("TRANSFER", "VOICE", "inbound"),
        (None, "TASK", "inbound"),
    ],
)
def test_direction_and_channel(tmp_path, method, channel, direction):
    _, [row] = run(tmp_path, jsonl(ctr(InitiationMethod=method, Channel=channel)))
    assert (row["direction"], row["channel"]) == (direction, channel.lower())


@pytest.mark.parametrize(
    ("reason", "ended_by"),
    [
        ("CUSTOMER_DISCONNECT", "caller"),
        ("AGENT_DISCONNECT", "agent"),
        ("THIRD_PARTY_DISCONNECT", "system"),
        ("TELECOM_PROBLEM", "system"),
        (None, None),
    ],
)
def test_ended_by(tmp_path, reason, ended_by):
    _, [row] = run(tmp_path, jsonl(ctr(DisconnectReason=reason)))
    assert row["ended_by"] == ended_by


def test_transfers(tmp_path):
    records = [
        ctr("a"),  # followed by an agent transfer
        ctr("a2", InitiationMethod="TRANSFER", PreviousContactId="a"),
        ctr("b"),  # followed by a queue transfer
        ctr("b2", InitiationMethod="QUEUE_TRANSFER", PreviousContactId="b"),
        ctr("c", TransferCompletedTimestamp="2026-01-05T09:05:00Z"),
        ctr("d", TransferredToEndpoint={"Address": "+861010000", "Type": "TELEPHONE_NUMBER"}),
        ctr("e", InitiationMethod="CALLBACK", PreviousContactId="a2"),  # not a transfer
        ctr("f", TransferredToEndpoint={}),
    ]
    _, rows = run(tmp_path, jsonl(*records))
    got = {
        r["interaction_id"].removeprefix("connect:"): (r["transferred"], r["transfer_kind"])
        for r in rows
    }
    assert got == {
        "a": (True, None),
        "a2": (False, None),
        "b": (True, "queue"),
        "b2": (False, None),
        "c": (True, None),
        "d": (True, None),
        "e": (False, None),
        "f": (False, None),
    }


def test_dedupe_keeps_latest_last_update_in_one_file(tmp_path):
    v1 = abandoned("x", LastUpdateTimestamp="2026-01-05T10:01:00Z")
    v3 = ctr("x", LastUpdateTimestamp="2026-01-05T10:30:00Z")
    v2 = ctr("x", LastUpdateTimestamp="2026-01-05T10:20:00Z", DisconnectReason="AGENT_DISCONNECT")
    no_time = ctr("x", LastUpdateTimestamp=None, DisconnectReason="TELECOM_PROBLEM")
    other = ctr("y")
    result, rows = run(tmp_path, jsonl(v1, v3, other, no_time, v2))
    # duplicates were valid records: accepted, yet one row per contact
    assert (result.read, result.accepted, result.rejected) == (5, 5, 0)
    assert [r["interaction_id"] for r in rows] == ["connect:x", "connect:y"]
    assert rows[0]["updated_at"] == utc(2026, 1, 5, 10, 30, 0)
    assert rows[0]["outcome"] == "answered" and rows[0]["ended_by"] == "caller"
    assert rows[0]["source_ref"] == "ctr.jsonl:2"


def test_dedupe_tie_keeps_the_later_record(tmp_path):
    first = ctr("x", DisconnectReason="AGENT_DISCONNECT")
    second = ctr("x", DisconnectReason="CUSTOMER_DISCONNECT")
    _, [row] = run(tmp_path, jsonl(first, second))
    assert (row["ended_by"], row["source_ref"]) == ("caller", "ctr.jsonl:2")


@pytest.mark.parametrize("newer_first", [True, False])
def test_dedupe_across_two_ingests_keeps_latest(tmp_path, newer_first):
    old = abandoned("x", LastUpdateTimestamp="2026-01-05T10:01:00Z")
    new = ctr("x", LastUpdateTimestamp="2026-01-05T10:30:00Z")
    a, b = (new, old) if newer_first else (old, new)
    (tmp_path / "a.jsonl").write_text(jsonl(a, ctr("y")), "utf-8")
    (tmp_path / "b.jsonl").write_text(jsonl(b), "utf-8")
    wh = Warehouse(tmp_path / "data")
    first = ingest_files(wh, "connect", [tmp_path / "a.jsonl"])
    second = ingest_files(wh, "connect", [tmp_path / "b.jsonl"])
    assert (first.accepted, second.accepted) == (2, 1)
    table = wh.read("interactions").sort_by("interaction_id").to_pylist()
    assert [r["interaction_id"] for r in table] == ["connect:x", "connect:y"]
    assert table[0]["outcome"] == "answered"
    assert table[0]["updated_at"] == utc(2026, 1, 5, 10, 30, 0)
    assert table[0]["source"] == ("connect:a.jsonl" if newer_first else "connect:b.jsonl")
    ingest_files(wh, "connect", [tmp_path / "a.jsonl", tmp_path / "b.jsonl"])
    assert wh.count("interactions") == 2  # re-ingesting adds nothing


def test_json_array_pretty_printed_with_line_numbers(tmp_path):
    text = json.dumps([ctr("a"), abandoned("b")], indent=2)
    result, rows = run(tmp_path, text, name="ctr.json")
    assert (result.read, result.accepted, result.rejected) == (2, 2, 0)
    second_line = text.splitlines().index("  {", 2) + 1  # 0-based index 1 holds the first
    assert [r["source_ref"] for r in rows] == ["ctr.json:2", f"ctr.json:{second_line}"]
    assert [r["outcome"] for r in rows] == ["answered", "abandoned"]


def test_concatenated_objects_and_arrays_in_one_stream(tmp_path):
    text = json.dumps(ctr("a")) + json.dumps(ctr("b")) + "\n" + json.dumps([ctr("c")]) + "\n"
    result, rows = run(tmp_path, text)
    assert (result.read, result.accepted) == (3, 3)
    assert [r["source_ref"] for r in rows] == ["ctr.jsonl:1", "ctr.jsonl:1", "ctr.jsonl:2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, 0, 0)),
        ("\n  \n", (0, 0, 0)),
        ("[]", (0, 0, 0)),
        ("[ ]\n[]", (0, 0, 0)),
    ],
)
def test_empty_inputs(tmp_path, text, expected):
    result, rows = run(tmp_path, text)
    assert (result.read, result.accepted, result.rejected) == expected and rows == []


@pytest.mark.parametrize(
    ("tz", "stamp", "expected"),
    [
        ("Asia/Shanghai", "2026-01-05T09:00:00Z", utc(2026, 1, 5, 9, 0, 0)),  # Z wins over tz
        ("Asia/Shanghai", "2026-01-05T09:00:00", utc(2026, 1, 5, 1, 0, 0)),  # no offset: tz
        ("UTC", "2026-01-05T09:00:00+08:00", utc(2026, 1, 5, 1, 0, 0)),
        ("UTC", "2026-01-05T09:00:00.123456789Z", datetime(2026, 1, 5, 9, 0, 0, 123456, UTC)),
    ],
)
def test_timestamps(tmp_path, tz, stamp, expected):
    rec = ctr(Queue=None, InitiationTimestamp=stamp)
    _, [row] = run(tmp_path, jsonl(rec), tz=tz)
    assert row["offered_at"] == expected


BAD_RECORDS = [
    ('"just a string"', None, "expected a JSON object (a contact record), found the string"),
    ("12.5", None, "found the number 12.5"),
    ("null", None, "found null"),
    (json.dumps(ctr(ContactId=None) | {"ContactId": None}), "ContactId", "found null"),
    (json.dumps({k: v for k, v in ctr().items() if k != "ContactId"}), "ContactId", "nothing"),
    (json.dumps(ctr(ContactId=12)), "ContactId", "found the number 12"),
    (json.dumps(ctr(ContactId="  ")), "ContactId", "non-empty string"),
    (json.dumps(ctr(Channel=None)), "Channel", "Channel is missing"),
    (json.dumps(ctr(Channel=["VOICE"])), "Channel", "Channel must be a string, found an array"),
    (
        json.dumps(ctr(InitiationTimestamp="05/01/2026 09:00", Queue=None)),
        "InitiationTimestamp",
        "is not an ISO-8601 time",
    ),
    (
        json.dumps(ctr(InitiationTimestamp="2026-02-30T09:00:00Z")),
        "InitiationTimestamp",
        "is not an ISO-8601 time",
    ),
    (
        json.dumps(ctr(InitiationTimestamp=None, Queue=None)),
        "InitiationTimestamp",
        "InitiationTimestamp is missing",
    ),
    (json.dumps(ctr(LastUpdateTimestamp=1736067600)), "LastUpdateTimestamp", "time string"),
    (json.dumps(ctr(Queue="sales")), "Queue", "Queue must be an object or null"),
    (json.dumps(ctr(Agent=[1])), "Agent", "Agent must be an object or null, found an array"),
    (
        json.dumps(ctr(Queue={"Name": "q", "Duration": "15"})),
        "Queue.Duration",
        "must be a number of seconds, found the string '15'",
    ),
    (
        json.dumps(ctr(Agent={**ctr()["Agent"], "CustomerHoldDuration": True})),
        "Agent.CustomerHoldDuration",
        "found a boolean",
    ),
    (
        json.dumps(ctr(Agent={**ctr()["Agent"], "AfterContactWorkDuration": -3})),
        "Agent.AfterContactWorkDuration",
        "must be zero or more seconds, found -3",
    ),
    (
        json.dumps(ctr(Agent={**ctr()["Agent"], "ConnectedToAgentTimestamp": "soon"})),
        "Agent.ConnectedToAgentTimestamp",
        "'soon' is not an ISO-8601 time",
    ),
    (
        json.dumps(ctr(Queue={"Name": "q", "Duration": float("nan")})),
        "Queue.Duration",
        "must be zero or more seconds, found nan",
    ),
    (
        json.dumps(ctr(Queue={"Name": "q", "Duration": 10**400})),
        "Queue.Duration",
        "must be zero or more seconds, found 1000000000",
    ),
    (
        json.dumps(ctr(DisconnectTimestamp="0001-01-01T00:00:00+05:00")),
        "DisconnectTimestamp",
        "outside the years 1–9999 in UTC",
    ),
    ('{"ContactId": "z", "Channel": "VOICE",, }', None, "not valid JSON (Expecting property"),
    ("garbage here", None, "not valid JSON (Expecting value, at line 2 column 1)"),
]


@pytest.mark.parametrize(("bad", "field", "reason"), BAD_RECORDS)
def test_bad_json_lines_are_rejected_and_reading_goes_on(tmp_path, bad, field, reason):
    text = json.dumps(ctr("a")) + "\n" + bad + "\n" + json.dumps(ctr("b")) + "\n"
    result, rows = run(tmp_path, text)
    assert (result.read, result.accepted, result.rejected) == (3, 2, 1)
    [reject] = result.rejects.to_pylist()
    assert (reject["line"], reject["field"]) == (2, field)
    assert reject["reason"].startswith("object 2 (line 2): ")
    assert reason in reject["reason"]
    assert reject["raw"] == bad[:1000]  # raw text is cut to 1,000 characters
    assert [r["source_ref"] for r in rows] == ["ctr.jsonl:1", "ctr.jsonl:3"]


def test_bad_element_of_an_array_is_rejected_and_reading_goes_on(tmp_path):
    text = "[\n" + json.dumps(ctr("a")) + ",\n" + json.dumps(ctr(Channel=3)) + ",\n"
    text += '{"ContactId": oops},\n' + json.dumps(ctr("b")) + "\n]\n"
    result, rows = run(tmp_path, text, name="ctr.json")
    assert (result.read, result.accepted, result.rejected) == (4, 2, 2)
    rejects = result.rejects.to_pylist()
    assert [(r["line"], r["field"]) for r in rejects] == [(3, "Channel"), (4, None)]
    assert rejects[0]["reason"].startswith("object 2 (line 3): Channel must be a string")
    assert rejects[1]["reason"].startswith("object 3 (line 4): not valid JSON")
    assert rejects[1]["raw"] == '{"ContactId": oops}'
    assert [r["source_ref"] for r in rows] == ["ctr.json:2", "ctr.json:5"]


def test_truncated_json_lines_tail_is_one_more_record(tmp_path):
    line = json.dumps(ctr("b"))
    text = json.dumps(ctr("a")) + "\n" + line[: len(line) // 2]
    result, _ = run(tmp_path, text)
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    [reject] = result.rejects.to_pylist()
    assert reject["line"] == 2
    assert reject["reason"].startswith("object 2 (line 2): not valid JSON")
    assert reject["reason"].endswith("the file ends inside it (truncated?)")
    assert reject["raw"] == line[: len(line) // 2]


def test_truncated_array_tail_is_one_more_record(tmp_path):
    text = json.dumps([ctr("a"), ctr("b"), ctr("c")])
    cut = text[: text.index('"ContactId": "c"') + 5]
    result, rows = run(tmp_path, cut, name="ctr.json")
    assert (result.read, result.accepted, result.rejected) == (3, 2, 1)
    assert [r["interaction_id"] for r in rows] == ["connect:a", "connect:b"]
    assert "truncated" in result.rejects.column("reason")[0].as_py()


def test_undecodable_bytes_reject_only_their_record(tmp_path):
    bad = json.dumps(ctr("b", Attributes={"note": "X"})).encode().replace(b"X", b"\xff")
    text = json.dumps(ctr("a")).encode() + b"\n" + bad + b"\n"
    result, _ = run(tmp_path, text)
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    [reject] = result.rejects.to_pylist()
    assert reject["line"] == 2 and "not valid utf-8" in reject["reason"]
    assert "\ufffd" in reject["raw"]


def test_misuse_raises_connector_error(tmp_path):
    path = tmp_path / "ctr.jsonl"
    path.write_text(jsonl(ctr()), "utf-8")
    with pytest.raises(ConnectorError, match="unknown option"):
        parse(path, direction="inbound")
    with pytest.raises(ConnectorError, match="time zone"):
        parse(path, tz="Nowhere/Land")
    with pytest.raises(ConnectorError, match="encoding"):
        parse(path, encoding="bogus-8")
    with pytest.raises(ConnectorError, match="cannot read"):
        parse(tmp_path / "missing.jsonl")


# ---- properties ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 500)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = [
    "ContactId",
    "Channel",
    "InitiationMethod",
    "InitiationTimestamp",
    "Queue",
    "Agent",
    "DisconnectReason",
    "LastUpdateTimestamp",
    "PreviousContactId",
    "TransferredToEndpoint",
]
SUBKEYS = {
    "Queue": ["Name", "EnqueueTimestamp", "Duration"],
    "Agent": [
        "Username",
        "ConnectedToAgentTimestamp",
        "AgentInteractionDuration",
        "CustomerHoldDuration",
        "AfterContactWorkDuration",
    ],
}
STAMPS = st.sampled_from(
    ["2026-01-05T09:00:00Z", "2026-01-05T09:00:00", "bad", "", "2026-13-01T00:00Z"]
)


@st.composite
def mutated_record(draw):
    rec = copy.deepcopy(draw(st.sampled_from([ctr(), abandoned(), ctr(Queue=None, Agent=None)])))
    rec["ContactId"] = draw(st.sampled_from(["a", "b", "c"]))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(KEYS))
        target, name = rec, key
        if key in SUBKEYS and isinstance(rec.get(key), dict) and draw(st.booleans()):
            target, name = rec[key], draw(st.sampled_from(SUBKEYS[key]))
        action = draw(st.sampled_from(["delete", "value", "stamp"]))
        if action == "delete":
            target.pop(name, None)
        elif action == "stamp":
            target[name] = draw(STAMPS)
        else:
            target[name] = draw(JSON_VALUES)
    return rec


@st.composite
def mutated_file(draw):
    records = draw(st.lists(mutated_record() | JSON_VALUES, max_size=6))
    if draw(st.booleans()):
        text = json.dumps(records, indent=draw(st.sampled_from([None, 2])))
    else:
        sep = draw(st.sampled_from(["\n", "", "\r\n"]))
        text = sep.join(json.dumps(r) for r in records)
    cut = draw(st.sampled_from(["none", "truncate", "garble"]))
    if cut == "truncate" and text:
        text = text[: draw(st.integers(0, len(text)))]
    elif cut == "garble" and text:
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at] + draw(st.sampled_from(["}", "{", ",", "]", "[", '"', "x", "\n"])) + text[at:]
        )
    return text


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated_file())
def test_property_never_raises_and_counts_reconcile(tmp_path, text):
    path = tmp_path / "ctr.jsonl"
    path.write_text(text, "utf-8")
    result = parse(path, tz="Asia/Shanghai")
    result.check_counts()
    table = result.tables["interactions"]
    assert conform("interactions", table).equals(table)
    assert table.num_rows <= result.accepted
    ids = table.column("interaction_id").to_pylist()
    assert len(ids) == len(set(ids))
