# ruff: noqa: E501  (the expectation table reads best one call a line)
"""queue_log → interactions: one multi-call file checked call by call, field by field.

Every expected value below is worked out by hand from the lines of CALLS (T = 1767225600 =
2026-01-01 00:00:00 UTC; "+n" means n seconds later).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from callgrade.engine.connectors import parse
from callgrade.engine.schemas import conform

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

CALLS = """\
1767225600|NONE|NONE|NONE|QUEUESTART|
1767225600|c1|sales|NONE|ENTERQUEUE||13800138000|1
1767225605|c1|sales|Agent/1001|RINGNOANSWER|15000
1767225620|c1|sales|Agent/1002|CONNECT|20|c1b|4
1767225680|c1|sales|Agent/1002|COMPLETECALLER|20|60|1
1767225700|c2|sales|NONE|ENTERQUEUE||13900000002|1
1767225703|c2|sales|Agent/1001|CONNECT|3|c2b|2
1767225733|c2|sales|Agent/1001|COMPLETEAGENT|3|30|1
1767225800|c3|sales|NONE|ENTERQUEUE||13900000003|1
1767225810|c3|sales|Agent/1001|CONNECT|10|c3b|5
1767225850|c3|sales|Agent/1001|BLINDTRANSFER|8001|from-internal|10|40|1
1767225900|c4|sales|NONE|ENTERQUEUE||13900000004|1
1767225901|c4|sales|Agent/1002|CONNECT|1|c4b|1
1767225931|c4|sales|Agent/1002|ATTENDEDTRANSFER|BRIDGE|bridge-1|1|30|1
1767226000|c5|sales|NONE|ENTERQUEUE||13900000005|1
1767226002|c5|sales|Agent/1002|CONNECT|2|c5b|2
1767226047|c5|sales|Agent/1002|ATTENDEDTRANSFER|LINK|SIP/a-1|SIP/b-2|2|45|1
1767226100|c6|sales|NONE|ENTERQUEUE||13900000006
1767226105|c6|sales|Agent/1001|CONNECT|5|c6b
1767226125|c6|sales|Agent/1001|TRANSFER|8002|default|5|20|1
1767226200|c7|sales|NONE|ENTERQUEUE||13900000007|1
1767226245|c7|sales|NONE|ABANDON|1|1|45
1767226300|c8|sales|NONE|ENTERQUEUE||13900000008|2
1767226360|c8|sales|NONE|EXITWITHTIMEOUT|1|2|60
1767226400|c9|sales|NONE|ENTERQUEUE||13900000009|1
1767226402|c9|sales|NONE|EXITEMPTY|1|1|2
1767226500|c10|sales|NONE|ENTERQUEUE||13900000010|1
1767226512|c10|sales|NONE|EXITWITHKEY|5|1|1|12
1767226600|c11|sales|NONE|ENTERQUEUE||13900000011|1
1767226607|c11|sales|NONE|WITHDRAW|1|1|7|moved by supervisor
1767226700|c12|sales|NONE|ENTERQUEUE||13900000012|1
1767226730|c12|sales|NONE|EXITWITHTIMEOUT|1|1|30
1767226730|c12|support|NONE|ENTERQUEUE||13900000012|1
1767226735|c12|support|Agent/1003|CONNECT|5|c12b|1
1767226835|c12|support|Agent/1003|COMPLETECALLER|5|100|1
1767226900|c13|sales|NONE|CLOSED|
1767226901|c14|sales|NONE|FULL|
1767226902|c15|sales|NONE|JOINEMPTY|
1767226903|c16|sales|NONE|DIVERT_HOLDTIME|
1767226910|c17|sales|NONE|ENTERQUEUE||13900000017|1
1767226915|c17|sales|NONE|DIVERT_CA_RATIO|
1767227000|c18|sales|NONE|ENTERQUEUE||13900000018|1
1767227010|c18|sales|Agent/1001|CONNECT|10|c18b|3
1767227100|c19|sales|NONE|ENTERQUEUE||13900000019|1
1767227200|c20|sales|Agent/1001|COMPLETECALLER|5|30|1
1767227300.25|c21|sales|NONE|ENTERQUEUE||13900000021|1
1767227310.25|c21|sales|NONE|ABANDON|1|1|10
1767227400|NONE|NONE|NONE|CONFIGRELOAD|
"""

FIELDS = [
    *("outcome", "answered", "agent_id", "customer_id", "offered_at", "answered_at", "ended_at"),
    *("queue_wait_s", "ring_s", "talk_s", "transferred", "transfer_kind", "ended_by"),
    *("source_ref", "updated_at"),
]
A1, A2, A3 = "Agent/1001", "Agent/1002", "Agent/1003"

# id → outcome, answered, agent, customer, offered +s, answered +s, ended +s, wait, ring, talk,
#      transferred, transfer kind, ended_by, line of the first line, last line's time +s
EXPECTED: dict[str, tuple[Any, ...]] = {
    "c1:sales:1767225600": ("answered", True, A2, "13800138000", 0, 20, 80, 20, 4, 60, False, None, "caller", 2, 80),
    "c2:sales:1767225700": ("answered", True, A1, "13900000002", 100, 103, 133, 3, 2, 30, False, None, "agent", 6, 133),
    "c3:sales:1767225800": ("answered", True, A1, "13900000003", 200, 210, 250, 10, 5, 40, True, "blind", "agent", 9, 250),
    "c4:sales:1767225900": ("answered", True, A2, "13900000004", 300, 301, 331, 1, 1, 30, True, "attended", "agent", 12, 331),
    "c5:sales:1767226000": ("answered", True, A2, "13900000005", 400, 402, 447, 2, 2, 45, True, "attended", "agent", 15, 447),
    "c6:sales:1767226100": ("answered", True, A1, "13900000006", 500, 505, 525, 5, None, 20, True, "legacy", "agent", 18, 525),
    "c7:sales:1767226200": ("abandoned", False, None, "13900000007", 600, None, 645, 45, None, None, False, None, "caller", 21, 645),
    "c8:sales:1767226300": ("timeout", False, None, "13900000008", 700, None, 760, 60, None, None, False, None, "system", 23, 760),
    "c9:sales:1767226400": ("exit_empty", False, None, "13900000009", 800, None, 802, 2, None, None, False, None, "system", 25, 802),
    "c10:sales:1767226500": ("exit_key", False, None, "13900000010", 900, None, 912, 12, None, None, False, None, "caller", 27, 912),
    "c11:sales:1767226600": ("withdrawn", False, None, "13900000011", 1000, None, 1007, 7, None, None, False, None, "system", 29, 1007),
    "c12:sales:1767226700": ("timeout", False, None, "13900000012", 1100, None, 1130, 30, None, None, False, None, "system", 31, 1130),
    "c12:support:1767226730": ("answered", True, A3, "13900000012", 1130, 1135, 1235, 5, 1, 100, False, None, "caller", 33, 1235),
    "c13:sales:1767226900": ("closed", False, None, None, 1300, None, 1300, None, None, None, False, None, "system", 36, 1300),
    "c14:sales:1767226901": ("full", False, None, None, 1301, None, 1301, None, None, None, False, None, "system", 37, 1301),
    "c15:sales:1767226902": ("join_empty", False, None, None, 1302, None, 1302, None, None, None, False, None, "system", 38, 1302),
    "c16:sales:1767226903": ("diverted", False, None, None, 1303, None, 1303, None, None, None, False, None, "system", 39, 1303),
    # c17's DIVERT after its ENTERQUEUE is a contact of its own; the open entry gives no row.
    "c17:sales:1767226915": ("diverted", False, None, None, 1315, None, 1315, None, None, None, False, None, "system", 41, 1315),
    # Answered, still talking when the data ends: talk and end unknown.
    "c18:sales:1767227000": ("answered", True, A1, "13900000018", 1400, 1410, None, 10, 3, None, False, None, None, 42, 1410),
    "c21:sales:1767227300.25": ("abandoned", False, None, "13900000021", 1700.25, None, 1710.25, 10, None, None, False, None, "caller", 46, 1710.25),
}  # fmt: skip


def at(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else T0 + dt.timedelta(seconds=seconds)


def write(tmp_path: Path, text: str, name: str = "queue_log") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return parse("queue_log", write(tmp_path_factory.mktemp("ql"), CALLS))


def test_counts(calls: Any) -> None:
    assert (calls.read, calls.accepted, calls.rejected) == (48, 48, 0)
    assert calls.source == "queue_log:queue_log"


def test_one_row_per_queue_entry_in_file_order(calls: Any) -> None:
    # c17's entry and c19 (no exit, no CONNECT) and c20 (completion without its ENTERQUEUE) give no row.
    ids = calls.tables["interactions"].column("interaction_id").to_pylist()
    assert ids == list(EXPECTED)


@pytest.mark.parametrize("interaction_id", list(EXPECTED))
def test_call_fields(calls: Any, interaction_id: str) -> None:
    rows = {r["interaction_id"]: r for r in calls.tables["interactions"].to_pylist()}
    row = rows[interaction_id]
    exp = dict(zip(FIELDS, EXPECTED[interaction_id], strict=True))
    for key in ("offered_at", "answered_at", "ended_at", "updated_at"):
        exp[key] = at(exp[key])
    exp["source_ref"] = f"queue_log:{exp['source_ref']}"
    got = {k: row[k] for k in FIELDS}
    assert got == exp
    assert (row["channel"], row["direction"], row["hold_s"], row["acw_s"]) == (
        "voice",
        "inbound",
        None,
        None,
    )
    assert row["queue"] == interaction_id.split(":")[1]
    assert row["source"] == "queue_log:queue_log"


def test_ring_no_answer_milliseconds_are_not_ring_time(calls: Any) -> None:
    row = calls.tables["interactions"].to_pylist()[0]
    assert row["interaction_id"] == "c1:sales:1767225600"
    assert row["ring_s"] == 4.0  # CONNECT data3 (seconds), not RINGNOANSWER's 15000 ms


def test_conforms_to_canonical_schema(calls: Any) -> None:
    table = calls.tables["interactions"]
    assert conform("interactions", table).equals(table)


def test_completion_without_connect_line_is_answered(tmp_path: Path) -> None:
    text = (
        "1767225600|d1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225690|d1|sales|Agent/1001|COMPLETEAGENT|30|60|1\n"
    )
    (row,) = parse("queue_log", write(tmp_path, text)).tables["interactions"].to_pylist()
    # Answer reconstructed as completion − calltime = +90 − 60 = +30; wait from holdtime.
    assert (row["outcome"], row["agent_id"], row["answered_at"], row["ended_at"]) == (
        "answered",
        "Agent/1001",
        at(30),
        at(90),
    )
    assert (row["queue_wait_s"], row["talk_s"], row["ended_by"]) == (30.0, 60.0, "agent")


def test_same_queue_twice_gives_two_contacts(tmp_path: Path) -> None:
    text = (
        "1767225600|e1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225610|e1|sales|NONE|EXITWITHKEY|1|1|1|10\n"
        "1767225620|e1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225625|e1|sales|NONE|ABANDON|1|1|5\n"
    )
    rows = parse("queue_log", write(tmp_path, text)).tables["interactions"].to_pylist()
    assert [(r["interaction_id"], r["outcome"], r["queue_wait_s"]) for r in rows] == [
        ("e1:sales:1767225600", "exit_key", 10.0),
        ("e1:sales:1767225620", "abandoned", 5.0),
    ]


def test_replayed_lines_give_one_contact(tmp_path: Path) -> None:
    text = (
        "1767225600|r1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225600|r1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225609|r1|sales|NONE|ABANDON|1|1|9\n"
        "1767225700|r2|sales|NONE|FULL|\n"
        "1767225700|r2|sales|NONE|FULL|\n"
    )
    result = parse("queue_log", write(tmp_path, text))
    assert (result.read, result.accepted) == (5, 5)
    got = [(r["interaction_id"], r["outcome"]) for r in result.tables["interactions"].to_pylist()]
    assert got == [("r1:sales:1767225600", "abandoned"), ("r2:sales:1767225700", "full")]


def test_lines_before_the_only_entry_belong_to_no_contact(tmp_path: Path) -> None:
    # One ENTERQUEUE per call, but a line of the same call and queue comes first (line 1, and
    # line 4 in the same second as the entry on line 5): those lines are left out of the contact.
    text = (
        "1767225600|p1|sales|Agent/1001|CONNECT|5|p1b|1\n"
        "1767225610|p1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225620|p1|sales|NONE|ABANDON|1|1|10\n"
        "1767225700|p2|sales|NONE|ABANDON|1|1|3\n"
        "1767225700|p2|sales|NONE|ENTERQUEUE||556|1\n"
        "1767225705|p2|sales|NONE|ABANDON|1|1|5\n"
    )
    rows = parse("queue_log", write(tmp_path, text)).tables["interactions"].to_pylist()
    got = [
        (r["interaction_id"], r["outcome"], r["agent_id"], r["queue_wait_s"], r["ended_at"])
        for r in rows
    ]
    assert got == [
        ("p1:sales:1767225610", "abandoned", None, 10.0, at(20)),
        ("p2:sales:1767225700", "abandoned", None, 5.0, at(105)),
    ]
    assert [r["source_ref"] for r in rows] == ["queue_log:2", "queue_log:5"]
