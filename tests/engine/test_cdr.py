"""Asterisk CDR (Master.csv) connector: hand-checked rows, column variants, bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callgrade.engine.connectors import parse as run_connector
from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.connectors.cdr import agent_from_channel, parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.schemas import conform
from callgrade.engine.warehouse import Warehouse


def q(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def cdr_line(
    *,
    src: str = "13900139000",
    dst: str = "600",
    dcontext: str = "ext-queues",
    clid: str = "13900139000",
    channel: str = "PJSIP/trunk-00000003",
    dstchannel: str = "PJSIP/E0002-00000004",
    lastapp: str = "Queue",
    lastdata: str = "sales,t,,,300",
    start: str = "2026-01-05 10:00:00",
    answer: str = "2026-01-05 10:00:20",
    end: str = "2026-01-05 10:05:20",
    duration: str = "320",
    billsec: str = "300",
    disposition: str = "ANSWERED",
    extra: tuple[str, ...] = ("1736071200.3", ""),
) -> str:
    strings = [
        "",
        src,
        dst,
        dcontext,
        clid,
        channel,
        dstchannel,
        lastapp,
        lastdata,
        start,
        answer,
        end,
    ]
    fields = [q(s) for s in strings] + [duration, billsec, q(disposition), q("DOCUMENTATION")]
    fields += [e if e.isdigit() else q(e) for e in extra]
    return ",".join(fields)


def run(tmp_path: Path, text: str, name: str = "Master.csv", **options):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    result = run_connector("cdr", path, **options)  # also checks read == accepted + rejected
    return result, result.tables["interactions"].to_pylist()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_answered_inbound_queue_call_hand_checked(tmp_path):
    result, rows = run(tmp_path, cdr_line() + "\n")
    assert (result.read, result.accepted, result.rejected) == (1, 1, 0)
    assert rows == [
        {
            "interaction_id": "cdr:1736071200.3",
            "channel": "voice",
            "direction": "inbound",
            "queue": "sales",
            "agent_id": "E0002",
            "customer_id": "13900139000",
            "offered_at": utc(2026, 1, 5, 10, 0, 0),
            "answered_at": utc(2026, 1, 5, 10, 0, 20),
            "ended_at": utc(2026, 1, 5, 10, 5, 20),
            "queue_wait_s": 20.0,
            "ring_s": 20.0,
            "talk_s": 300.0,
            "hold_s": None,
            "acw_s": None,
            "outcome": "answered",
            "answered": True,
            "transferred": False,
            "transfer_kind": None,
            "ended_by": None,
            "updated_at": None,
            "source": "cdr:Master.csv",
            "source_ref": "Master.csv:1",
        }
    ]


# disposition → (outcome, answered, queue_wait_s, ring_s, talk_s): an unanswered inbound caller
# waited the whole leg (end − start = 30 s); only ANSWERED has ring and talk time.
DISPOSITIONS = [
    ("ANSWERED", ("answered", True, 20.0, 20.0, 300.0)),
    ("NO ANSWER", ("no_answer", False, 30.0, None, None)),
    ("BUSY", ("busy", False, 30.0, None, None)),
    ("FAILED", ("failed", False, 30.0, None, None)),
    ("CONGESTION", ("failed", False, 30.0, None, None)),
    ("CANCEL", ("abandoned", False, 30.0, None, None)),
]


@pytest.mark.parametrize(("disposition", "expected"), DISPOSITIONS)
def test_each_disposition(tmp_path, disposition, expected):
    if disposition == "ANSWERED":
        line = cdr_line()
    else:
        line = cdr_line(
            answer="",
            end="2026-01-05 10:00:30",
            duration="30",
            billsec="0",
            disposition=disposition,
            dstchannel="",
        )
    _, [row] = run(tmp_path, line + "\n")
    got = (row["outcome"], row["answered"], row["queue_wait_s"], row["ring_s"], row["talk_s"])
    assert got == expected
    if disposition != "ANSWERED":
        assert row["answered_at"] is None and row["agent_id"] is None
        assert row["ended_at"] == utc(2026, 1, 5, 10, 0, 30)


def test_unanswered_leg_ignores_a_stray_answer_time_and_agent_channel(tmp_path):
    line = cdr_line(disposition="NO ANSWER", billsec="0")
    _, [row] = run(tmp_path, line + "\n")
    assert row["answered_at"] is None and row["agent_id"] is None and row["talk_s"] is None


def test_answered_by_the_pbx_itself_is_not_an_answered_contact(tmp_path):
    in_queue = cdr_line(dstchannel="", extra=("q.1", ""))
    ivr = cdr_line(dstchannel="", lastapp="Playback", lastdata="welcome", extra=("ivr.1", ""))
    _, rows = run(tmp_path, in_queue + "\n" + ivr + "\n")
    assert [(r["outcome"], r["answered"], r["talk_s"], r["queue"]) for r in rows] == [
        ("abandoned", False, None, "sales"),
        ("closed", False, None, None),
    ]
    assert rows[0]["queue_wait_s"] == 320.0  # waited the whole leg


def test_outbound_call_from_agent_device(tmp_path):
    line = cdr_line(
        src="1001",
        dst="13800138000",
        dcontext="from-internal",
        channel="PJSIP/E0001-00000001",
        dstchannel="PJSIP/trunk-00000002",
        lastapp="Dial",
        lastdata="PJSIP/13800138000@trunk,30",
        start="2026-01-05 09:00:00",
        answer="2026-01-05 09:00:05",
        end="2026-01-05 09:03:05",
        duration="185",
        billsec="180",
        extra=("1736067600.1", ""),
    )
    _, [row] = run(tmp_path, line + "\n")
    assert row["direction"] == "outbound"
    assert row["agent_id"] == "E0001"  # the calling channel is the agent side
    assert row["customer_id"] == "13800138000"
    assert row["queue"] is None
    assert (row["queue_wait_s"], row["ring_s"], row["talk_s"]) == (None, 5.0, 180.0)


def test_direction_options(tmp_path):
    line = cdr_line(dcontext="agents-out") + "\n"
    _, [auto] = run(tmp_path, line)
    assert auto["direction"] == "inbound"
    _, [custom] = run(tmp_path, line, outbound_contexts="pstn, AGENTS-OUT")
    assert custom["direction"] == "outbound"
    # the rule trusts the direction: outbound takes the calling channel as the agent side
    assert custom["agent_id"] == "trunk"
    _, [forced] = run(tmp_path, cdr_line(dcontext="from-internal") + "\n", direction="inbound")
    assert forced["direction"] == "inbound" and forced["agent_id"] == "E0002"
    _, [forced_out] = run(tmp_path, line, direction="outbound")
    assert forced_out["direction"] == "outbound"
    assert forced_out["customer_id"] == "600"


def test_16_18_and_21_field_lines(tmp_path):
    sixteen = cdr_line(extra=())
    eighteen = cdr_line(extra=("1736071200.3", "vip"))
    twenty_one = cdr_line(extra=("1736071200.3", "", "", "1736071200.3", "2"))
    text = "\n".join([sixteen, eighteen, twenty_one]) + "\n"
    result, rows = run(tmp_path, text)
    assert (result.read, result.accepted, result.rejected) == (3, 3, 0)
    assert rows[0]["interaction_id"].startswith("cdr:sha1:")
    assert len(rows[0]["interaction_id"]) == len("cdr:sha1:") + 20
    assert [r["interaction_id"] for r in rows[1:]] == ["cdr:1736071200.3", "cdr:1736071200.3:2"]
    assert [r["source_ref"] for r in rows] == ["Master.csv:1", "Master.csv:2", "Master.csv:3"]


def test_content_hash_is_stable_and_ignores_the_file_name(tmp_path):
    line = cdr_line(extra=()) + "\n"
    _, [a] = run(tmp_path, line, name="Master.csv")
    _, [b] = run(tmp_path, "\n" + line, name="Master-2026-01.csv")
    _, [c] = run(tmp_path, cdr_line(extra=(), billsec="299") + "\n")
    assert a["interaction_id"] == b["interaction_id"] != c["interaction_id"]
    assert b["source_ref"] == "Master-2026-01.csv:2"


def test_quoted_commas_escaped_quotes_and_embedded_newlines_keep_line_numbers(tmp_path):
    first = cdr_line(clid='"Wang, Li" <13900139000>', extra=("u.1", ""))
    multi = cdr_line(clid="line one\nline two\r\nline three", extra=("u.2", ""))
    last = cdr_line(lastdata='sales,"t",,,300', extra=("u.3", ""))
    text = first + "\r\n" + multi + "\r\n\r\n" + last + "\r\n"
    result, rows = run(tmp_path, text)
    assert result.rejected == 0
    assert [r["source_ref"] for r in rows] == ["Master.csv:1", "Master.csv:2", "Master.csv:6"]
    assert rows[2]["queue"] == "sales"


@pytest.mark.parametrize(
    ("tz", "local", "expected"),
    [
        ("Asia/Shanghai", "2026-01-05 08:00:00", utc(2026, 1, 5, 0, 0, 0)),
        ("America/New_York", "2026-01-05 08:00:00", utc(2026, 1, 5, 13, 0, 0)),
        ("America/New_York", "2026-07-05 08:00:00", utc(2026, 7, 5, 12, 0, 0)),
        # repeated hour on 2026-11-01: first occurrence (EDT, −4)
        ("America/New_York", "2026-11-01 01:30:00", utc(2026, 11, 1, 5, 30, 0)),
        # spring gap on 2026-03-08: first instant after it (03:00 EDT)
        ("America/New_York", "2026-03-08 02:30:00", utc(2026, 3, 8, 7, 0, 0)),
        ("UTC", "2026-01-05 08:00:00", utc(2026, 1, 5, 8, 0, 0)),
    ],
)
def test_time_zone_conversion(tmp_path, tz, local, expected):
    line = cdr_line(
        start=local, answer="", end=local, duration="0", billsec="0", disposition="BUSY"
    )
    _, [row] = run(tmp_path, line + "\n", tz=tz)
    assert row["offered_at"] == expected == row["ended_at"]


def test_answer_and_end_converted_in_the_same_zone(tmp_path):
    _, [row] = run(tmp_path, cdr_line() + "\n", tz="Asia/Shanghai")
    assert row["offered_at"] == utc(2026, 1, 5, 2, 0, 0)
    assert row["answered_at"] == utc(2026, 1, 5, 2, 0, 20)
    assert row["ended_at"] == utc(2026, 1, 5, 2, 5, 20)
    assert row["ring_s"] == 20.0


@pytest.mark.parametrize(
    ("channel", "agent"),
    [
        ("PJSIP/E0001-00000abc", "E0001"),
        ("SIP/1001-0000000a", "1001"),
        ("Local/1001@from-queue-00000001;1", "1001"),
        ("PJSIP/agent-7-0000001f", "agent-7"),
        ("DAHDI/1-1", "1"),
        ("PJSIP/E0001", "E0001"),
        ("", None),
        ("garbage", None),
        ("PJSIP/", None),
    ],
)
def test_agent_from_channel(channel, agent):
    assert agent_from_channel(channel) == agent


BAD_LINES = [
    ("a,b,c", None, "expected 16, 18 or 21 comma-separated fields, found 3"),
    (cdr_line(extra=("u",)), None, "found 17"),
    (cdr_line(start="2026-01-05T10:00:00"), "start", "is not a YYYY-MM-DD HH:MM:SS time"),
    (cdr_line(start="2026-02-30 10:00:00"), "start", "is not a YYYY-MM-DD HH:MM:SS time"),
    (cdr_line(end=""), "end", "is not a YYYY-MM-DD HH:MM:SS time"),
    (cdr_line(start="0001-01-01 00:00:00"), "start", "in the years 1900–2999"),
    (cdr_line(end="9999-12-31 23:59:59"), "end", "in the years 1900–2999"),
    (cdr_line(answer="soon"), "answer", "(or empty)"),
    (cdr_line(duration="-5"), "duration", "is not a whole number of seconds"),
    (cdr_line(billsec="3.5"), "billsec", "is not a whole number of seconds"),
    (cdr_line(disposition="HUNG UP"), "disposition", "is not one of ANSWERED, NO ANSWER"),
    (cdr_line(answer=""), "answer", "disposition ANSWERED but the answer time is empty"),
    (cdr_line(end="2026-01-05 09:00:00"), "end", "end is before start"),
    (cdr_line(answer="2026-01-05 11:00:00"), "answer", "answer time is not between start and end"),
]


@pytest.mark.parametrize(("line", "field", "reason"), BAD_LINES)
def test_bad_lines_are_rejected_with_line_and_reason(tmp_path, line, field, reason):
    good = cdr_line()
    result, rows = run(tmp_path, good + "\n" + line + "\n" + good + "\n")
    assert (result.read, result.accepted, result.rejected) == (3, 2, 1)
    [reject] = result.rejects.to_pylist()
    assert reject["line"] == 2
    assert reject["field"] == field
    assert reject["reason"].startswith("line 2: ")
    assert reason in reject["reason"]
    assert reject["raw"] == line
    assert reject["source"] == "cdr:Master.csv"
    assert [r["source_ref"] for r in rows] == ["Master.csv:1", "Master.csv:3"]


def test_malformed_quoting_is_one_reject_and_reading_goes_on(tmp_path):
    bad = '"","1"x,"2"'
    result, rows = run(tmp_path, cdr_line() + "\n" + bad + "\n" + cdr_line() + "\n")
    assert (result.read, result.accepted, result.rejected) == (3, 2, 1)
    [reject] = result.rejects.to_pylist()
    assert reject["line"] == 2 and "not readable as CSV" in reject["reason"]
    assert reject["raw"] == bad
    assert [r["source_ref"] for r in rows] == ["Master.csv:1", "Master.csv:3"]


def test_unclosed_quote_at_end_of_file_is_one_reject(tmp_path):
    result, _ = run(tmp_path, cdr_line() + '\n"","13900139000,600\nmore,"x"\n')
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    [reject] = result.rejects.to_pylist()
    assert reject["line"] == 2 and "not readable as CSV" in reject["reason"]
    assert reject["raw"] == '"","13900139000,600\nmore,"x"'


def test_undecodable_bytes_reject_only_their_line(tmp_path):
    path = tmp_path / "Master.csv"
    bad = cdr_line(clid="X").encode().replace(b'"X"', b'"\xff\xfe"')
    path.write_bytes(cdr_line().encode() + b"\n" + bad + b"\n")
    result = run_connector("cdr", path)
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    [reject] = result.rejects.to_pylist()
    assert reject["line"] == 2 and "not valid utf-8" in reject["reason"]
    assert "\ufffd" in reject["raw"]


def test_other_encoding_and_bom(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(cdr_line(clid="王丽").encode("gb18030") + b"\n")
    assert run_connector("cdr", path, encoding="gb18030").accepted == 1
    path.write_bytes(b"\xef\xbb\xbf" + cdr_line().encode() + b"\n")
    result = run_connector("cdr", path)
    assert (result.accepted, result.rejected) == (1, 0)


def test_empty_and_blank_files(tmp_path):
    for text in ["", "\n\n  \n"]:
        result, rows = run(tmp_path, text)
        assert (result.read, result.accepted, result.rejected, rows) == (0, 0, 0, [])


def test_misuse_raises_connector_error(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_text(cdr_line() + "\n", "utf-8")
    with pytest.raises(ConnectorError, match="unknown option"):
        parse(path, delimiter=";")
    with pytest.raises(ConnectorError, match="time zone"):
        parse(path, tz="Mars/Olympus")
    with pytest.raises(ConnectorError, match="direction"):
        parse(path, direction="sideways")
    with pytest.raises(ConnectorError, match="encoding"):
        parse(path, encoding="no-such-codec")
    with pytest.raises(ConnectorError, match="cannot read"):
        parse(tmp_path / "missing.csv")


GOOD = [
    cdr_line(),
    cdr_line(extra=()),
    cdr_line(disposition="CANCEL", answer="", billsec="0", dstchannel=""),
    cdr_line(extra=("1.1", "", "", "1.1", "3")),
]
FIELD_TEXT = st.text(
    alphabet=st.sampled_from([*'ab1-: ",\n\r0"/\t\x1c', "王", "\u3000", "\x00"]), max_size=12
)


@st.composite
def mutated_file(draw):
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        line = draw(st.sampled_from(GOOD))
        action = draw(st.sampled_from(["keep", "cut", "insert", "replace", "random"]))
        if action == "cut":
            line = line[: draw(st.integers(0, len(line)))]
        elif action == "insert":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(FIELD_TEXT) + line[at:]
        elif action == "replace":
            fields = line.split(",")
            fields[draw(st.integers(0, len(fields) - 1))] = draw(FIELD_TEXT)
            line = ",".join(fields)
        elif action == "random":
            line = draw(st.text(max_size=80))
        lines.append(line)
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated_file(), tz=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]))
def test_property_never_raises_and_counts_reconcile(tmp_path, text, tz):
    path = tmp_path / "Master.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = parse(path, tz=tz)
    result.check_counts()
    table = result.tables["interactions"]
    assert conform("interactions", table).equals(table)
    assert table.num_rows == result.accepted
    lines = result.rejects.column("line").to_pylist() + [
        int(ref.rsplit(":", 1)[1]) for ref in table.column("source_ref").to_pylist()
    ]
    assert len(set(lines)) == len(lines)  # every record has its own start line
    assert all(1 <= n <= text.count("\n") + text.count("\r") + 1 for n in lines)


def test_ingest_twice_into_the_warehouse_adds_nothing(tmp_path):
    text = "\n".join([cdr_line(), cdr_line(extra=()), "bad,line"]) + "\n"
    path = tmp_path / "Master.csv"
    path.write_text(text, "utf-8")
    wh = Warehouse(tmp_path / "data")
    first = ingest_files(wh, "cdr", [path], tz="Asia/Shanghai")
    assert (first.read, first.accepted, first.rejected) == (3, 2, 1)
    assert first.files[0].rejects_file is not None
    again = ingest_files(wh, "cdr", [path], tz="Asia/Shanghai")
    assert again.commits["interactions"].added == 0
    assert wh.count("interactions") == 2


def test_unanswered_outbound_leg_keeps_the_dialing_agent(tmp_path):
    # telesales dial: the agent is the calling channel whether or not the customer picks up
    line = cdr_line(
        dcontext="from-internal",
        channel="PJSIP/E0007-00000010",
        dstchannel="PJSIP/trunk-00000011",
        answer="",
        billsec="0",
        disposition="NO ANSWER",
    )
    _, [row] = run(tmp_path, line + "\n")
    assert (row["direction"], row["agent_id"], row["answered"]) == ("outbound", "E0007", False)
    assert row["outcome"] == "no_answer" and row["talk_s"] is None
