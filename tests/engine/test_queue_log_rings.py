"""queue_log → ring_no_answer: one row per RINGNOANSWER, checked row by row.

T = 1767225600 = 2026-01-01 00:00:00 UTC; every expected value is worked out from RINGS by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from test_queue_log_input import to_db_export  # type: ignore[import-not-found]

from callgrade.engine.connectors import parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.schemas import conform
from callgrade.engine.warehouse import Warehouse

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

RINGS = """\
1767225600|r1|sales|NONE|ENTERQUEUE||555|1
1767225605|r1|sales|SIP/1|RINGNOANSWER|15000
1767225606|r1|sales|SIP/2|RINGCANCELED|1200
1767225620|r1|sales|SIP/2|CONNECT|20|r1b|4
1767225680|r1|sales|SIP/2|COMPLETECALLER|20|60|1
1767225700|r2|sales|NONE|ENTERQUEUE||556|1
1767225702.5|r2|sales|SIP/1|RINGNOANSWER|5500
1767225702.5|r2|sales|SIP/1|RINGNOANSWER|5500
1767225730|r2|sales|NONE|EXITWITHTIMEOUT|1|1|30
1767225730|r2|support|NONE|ENTERQUEUE||556|1
1767225740|r2|support|SIP/3|RINGNOANSWER|
1767225800|r3|sales|SIP/1|RINGNOANSWER|2000
1767225900|r4|sales|NONE|ENTERQUEUE||557|1
1767225910|r4|sales|SIP/2|RINGNOANSWER|10000
1767226000|r5|sales|NONE|RINGNOANSWER|3000
1767226001|r5|sales|SIP/2|RINGNOANSWER|3 s
"""

# attempt_id → agent, queue, interaction_id, rang_at (+s), ring_s, line
EXPECTED = [
    # r1 was answered by SIP/2: SIP/1's unanswered ring counts against SIP/1 only; SIP/2's
    # RINGCANCELED (another member answered) is no row.
    ("r1:SIP/1:1767225605", "SIP/1", "sales", "r1:sales:1767225600", 5, 15.0, 2),
    # The replayed line 8 is the same attempt: one row, from line 7.
    ("r2:SIP/1:1767225702.5", "SIP/1", "sales", "r2:sales:1767225700", 102.5, 5.5, 7),
    # r2 moved to support and is still waiting there at the end: the entry gives no
    # interaction yet, so the attempt names none; an empty ring time is unknown.
    ("r2:SIP/3:1767225740", "SIP/3", "support", None, 140, None, 11),
    # No ENTERQUEUE of r3 in this file (it started before the log was rotated).
    ("r3:SIP/1:1767225800", "SIP/1", "sales", None, 200, 2.0, 12),
    # r4 has an entry but neither answer nor exit by the end of the data.
    ("r4:SIP/2:1767225910", "SIP/2", "sales", None, 310, 10.0, 14),
]


def write(tmp_path: Path, text: str, name: str = "queue_log") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def rows(table: pa.Table) -> list[tuple[object, ...]]:
    return [
        (
            r["attempt_id"],
            r["agent_id"],
            r["queue"],
            r["interaction_id"],
            r["rang_at"],
            r["ring_s"],
            r["source_ref"],
        )
        for r in table.to_pylist()
    ]


def expected(file_name: str) -> list[tuple[object, ...]]:
    return [
        (a, ag, q, i, T0 + dt.timedelta(seconds=s), ring, f"{file_name}:{line}")
        for a, ag, q, i, s, ring, line in EXPECTED
    ]


def test_one_row_per_ring_no_answer(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, RINGS))
    table = result.tables["ring_no_answer"]
    assert rows(table) == expected("queue_log")
    assert conform("ring_no_answer", table).equals(table)
    assert set(table.column("source").to_pylist()) == {"queue_log:queue_log"}
    # The attempt's interaction is a row of the same parse.
    ids = set(result.tables["interactions"].column("interaction_id").to_pylist())
    assert {"r1:sales:1767225600", "r2:sales:1767225700"} <= ids


def test_ring_without_agent_or_with_bad_milliseconds_is_rejected(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, RINGS))
    got = [(r["line"], r["field"], r["reason"]) for r in result.rejects.to_pylist()]
    assert got == [
        (15, "agent", "line 15: field agent of RINGNOANSWER is 'NONE'; expected the agent (queue"
         " member)"),
        (16, "data1", "line 16: field data1 (ring time) of RINGNOANSWER is '3 s'; expected whole"
         " milliseconds"),
    ]  # fmt: skip
    assert (result.read, result.accepted, result.rejected) == (16, 14, 2)


def test_db_export_gives_the_same_attempts(tmp_path: Path) -> None:
    file_form = parse("queue_log", write(tmp_path, RINGS))
    export = write(tmp_path, to_db_export(RINGS), "rings.csv")
    db_form = parse("queue_log_db", export, tz="Asia/Shanghai")
    strip = ["source", "source_ref"]
    assert (
        db_form.tables["ring_no_answer"]
        .drop_columns(strip)
        .equals(file_form.tables["ring_no_answer"].drop_columns(strip))
    )
    # The export's header is line 1, so the attempt of file line 2 is at line 3.
    assert db_form.tables["ring_no_answer"].column("source_ref")[0].as_py() == "rings.csv:3"


def test_ingest_twice_adds_nothing_and_a_later_export_fills_the_interaction(
    tmp_path: Path,
) -> None:
    wh = Warehouse(tmp_path / "data")
    first = ingest_files(wh, "queue_log", [write(tmp_path, RINGS, "a.log")])
    assert first.commits["ring_no_answer"].added == 5
    again = ingest_files(wh, "queue_log", [write(tmp_path, RINGS, "a.log")])
    assert (again.commits["ring_no_answer"].added, wh.count("ring_no_answer")) == (0, 5)
    # The same log, grown: r4 is answered now, so its attempt names the interaction.
    grown = RINGS + "1767225920|r4|sales|SIP/1|CONNECT|20|r4b|2\n"
    later = ingest_files(wh, "queue_log", [write(tmp_path, grown, "a.log")])
    assert (later.commits["ring_no_answer"].added, later.commits["ring_no_answer"].replaced) == (
        0,
        5,
    )
    stored = {r["attempt_id"]: r["interaction_id"] for r in wh.read("ring_no_answer").to_pylist()}
    assert stored["r4:SIP/2:1767225910"] == "r4:sales:1767225900"
    assert stored["r3:SIP/1:1767225800"] is None
