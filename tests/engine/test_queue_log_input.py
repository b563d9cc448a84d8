# ruff: noqa: E501  (expected reason sentences read best whole, one a line)
"""queue_log input handling: database export form, time zones, bad lines, encodings, ingest."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from test_queue_log_calls import CALLS  # type: ignore[import-not-found]
from test_queue_log_states import STATES  # type: ignore[import-not-found]

from callgrade.engine.connectors import ConnectorError, parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.warehouse import Warehouse

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = [
    "time",
    "callid",
    "queuename",
    "agent",
    "event",
    "data1",
    "data2",
    "data3",
    "data4",
    "data5",
]


def to_db_export(text: str, tz: ZoneInfo = SHANGHAI, delimiter: str = ",") -> str:
    """The same events as a realtime table export: local times, five data columns, and anything
    past data5 left joined in data5 (the adaptive-realtime quirk)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(HEADER)
    for line in text.splitlines():
        unix, callid, queue, agent, event, *data = line.split("|")
        local = dt.datetime.fromtimestamp(float(unix), tz).replace(tzinfo=None)
        data = [*data[:4], "|".join(data[4:])] if len(data) > 5 else data + [""] * (5 - len(data))
        writer.writerow([local.isoformat(sep=" "), callid, queue, agent, event, *data])
    return out.getvalue()


def write(tmp_path: Path, text: str | bytes, name: str = "queue_log") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def without_lineage(table: pa.Table) -> pa.Table:
    return table.drop_columns(["source", "source_ref"])


# ---- database export form ------------------------------------------------------------------


@pytest.mark.parametrize("sample", [CALLS, STATES], ids=["calls", "states"])
def test_db_export_gives_the_same_tables_as_the_file(tmp_path: Path, sample: str) -> None:
    from_file = parse("queue_log", write(tmp_path, sample))
    db_text = to_db_export(sample)
    if sample is CALLS:  # the LINK transfer's calltime and position share data5
        assert ",ATTENDEDTRANSFER,LINK,SIP/a-1,SIP/b-2,2,45|1\n" in db_text
    from_db = parse("queue_log_db", write(tmp_path, db_text, "ql.csv"), tz="Asia/Shanghai")
    assert (from_db.read, from_db.accepted, from_db.rejected) == (
        from_file.read,
        from_file.accepted,
        0,
    )
    for name in ("interactions", "agent_states"):
        assert without_lineage(from_db.tables[name]).equals(
            without_lineage(from_file.tables[name])
        ), name
        # Data row n of the export is line n + 1 (the header is line 1).
        refs = [
            f"ql.csv:{int(ref.split(':')[1]) + 1}"
            for ref in from_file.tables[name].column("source_ref").to_pylist()
        ]
        assert from_db.tables[name].column("source_ref").to_pylist() == refs


def test_db_time_is_local_in_the_given_zone(tmp_path: Path) -> None:
    text = (
        "time;callid;queuename;agent;event;data1;data2;data3;data4;data5\n"
        "2026-01-01 08:00:00;k1;sales;NONE;ENTERQUEUE;;555;1;;\n"
        "2026-01-01 08:00:30.500000;k1;sales;NONE;ABANDON;1;1;30;;\n"
    )
    path = write(tmp_path, text, "ql.csv")
    (row,) = parse("queue_log_db", path, tz="Asia/Shanghai").tables["interactions"].to_pylist()
    assert row["offered_at"] == dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 +08:00
    assert row["ended_at"] == dt.datetime(2026, 1, 1, 0, 0, 30, 500000, tzinfo=UTC)
    assert row["interaction_id"] == "k1:sales:1767225600"
    (utc_row,) = parse("queue_log_db", path).tables["interactions"].to_pylist()
    assert utc_row["offered_at"] == dt.datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_file_form_unix_time_does_not_depend_on_tz(tmp_path: Path) -> None:
    path = write(tmp_path, CALLS)
    shanghai = parse("queue_log", path, tz="Asia/Shanghai").tables["interactions"]
    assert shanghai.equals(parse("queue_log", path).tables["interactions"])


def test_old_schema_single_data_column_tab_separated_and_quoted(tmp_path: Path) -> None:
    text = (
        "time\tcallid\tqueuename\tagent\tevent\tdata\n"
        '2026-01-01 00:00:00\tq1\t"sales"\tNONE\tENTERQUEUE\t"|555|1"\n'
        "2026-01-01 00:00:10\tq1\tsales\tSIP/1\tCONNECT\t10|q1b|2\n"
        "2026-01-01 00:01:10\tq1\tsales\tSIP/1\tCOMPLETEAGENT\t10|60|1\n"
    )
    result = parse("queue_log_db", write(tmp_path, text, "old.tsv"))
    (row,) = result.tables["interactions"].to_pylist()
    assert (row["customer_id"], row["agent_id"], row["queue_wait_s"], row["ring_s"]) == (
        "555",
        "SIP/1",
        10.0,
        2.0,
    )
    assert (row["talk_s"], row["ended_by"], row["source_ref"]) == (60.0, "agent", "old.tsv:2")


def test_db_header_without_required_column_is_one_reject(tmp_path: Path) -> None:
    result = parse("queue_log_db", write(tmp_path, "time,callid,agent\n1,2,3\n", "x.csv"))
    assert (result.read, result.accepted, result.rejected) == (1, 0, 1)
    (reject,) = result.rejects.to_pylist()
    assert reject["line"] == 1
    assert reject["reason"].startswith("line 1: header has no column queuename, event")


def test_db_bad_time_names_the_format(tmp_path: Path) -> None:
    text = "time,callid,queuename,agent,event,data1\n01/02/2026 8:00,k,sales,NONE,ENTERQUEUE,\n"
    result = parse("queue_log_db", write(tmp_path, text, "x.csv"))
    assert result.rejects.column("reason").to_pylist() == [
        "line 2: field time is '01/02/2026 8:00'; expected YYYY-MM-DD HH:MM:SS[.ffffff] or Unix"
        " seconds"
    ]


# ---- bad lines -----------------------------------------------------------------------------

BAD = """\
1767225600|b1|sales|NONE|ENTERQUEUE||555|1
1767225600|b1|sales

17672x5600|b1|sales|NONE|ENTERQUEUE||555|1
1767225610|b1|sales|SIP/1|CONNECT|x|b1b|3
1767225610|b1|sales|SIP/1|CONNECT|10|b1b|soon
1767225620|b1|sales|SIP/1|COMPLETECALLER|10|ten|1
1767225630|b1|sales|NONE|FOOBAR|1
1767225630|NONE|sales|NONE|ABANDON|1|1|3
1767225640|NONE|sales||PAUSE|lunch
1767225650|b2|sales|NONE|EXITWITHKEY|5|1|1|
1767225660|b2|sales|SIP/1|ATTENDEDTRANSFER|LINK|a|b|10|x|1
1767225670|b2|sales|NONE|EXITWITHTIMEOUT|1|1|
"""


def test_each_bad_line_is_rejected_with_a_reason(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, BAD + "   \n"))
    got = [(r["line"], r["field"], r["reason"]) for r in result.rejects.to_pylist()]
    assert got == [
        (2, None, "line 2: found 3 field(s); expected at least 5 separated by '|' (time|callid|queuename|agent|EVENT|data…)"),
        (4, "time", "line 4: field time is '17672x5600'; expected Unix seconds"),
        (5, "data1", "line 5: field data1 (holdtime) of CONNECT is 'x'; expected whole seconds"),
        (6, "data3", "line 6: field data3 (ring time) of CONNECT is 'soon'; expected whole seconds"),
        (7, "data2", "line 7: field data2 (calltime) of COMPLETECALLER is 'ten'; expected whole seconds"),
        (8, "event", "line 8: unknown event 'FOOBAR'; expected an Asterisk queue_log event (see docs/connectors/queue_log.md)"),
        (9, "callid", "line 9: field callid of ABANDON is 'NONE'; expected the caller channel's uniqueid"),
        (10, "agent", "line 10: field agent of PAUSE is ''; expected the agent (queue member)"),
        (12, "data5", "line 12: field data5 (calltime) of ATTENDEDTRANSFER is 'x'; expected whole seconds"),
        (13, "data3", "line 13: field data3 (waittime) of EXITWITHTIMEOUT is ''; expected whole seconds"),
    ]  # fmt: skip
    # 12 non-blank lines (line 3 and the spaces of line 14 are blank); EXITWITHKEY's waittime is
    # optional (older versions omit it), so line 11 is accepted with line 1.
    assert (result.read, result.accepted, result.rejected) == (12, 2, 10)
    assert result.rejects.column("raw")[1].as_py() == "17672x5600|b1|sales|NONE|ENTERQUEUE||555|1"
    assert set(result.rejects.column("source").to_pylist()) == {"queue_log:queue_log"}


def test_undecodable_line_is_rejected_alone_and_later_lines_keep_their_numbers(
    tmp_path: Path,
) -> None:
    data = (
        b"1767225600|u1|sales|NONE|ENTERQUEUE||555|1\n"
        b"1767225601|u2|\xe9\xe9|NONE|ENTERQUEUE||556|1\n"
        b"1767225602|u1|sales|NONE|ABANDON|1|1|2\n"
        b"bad\n"
    )
    result = parse("queue_log", write(tmp_path, data))
    assert (result.read, result.accepted, result.rejected) == (4, 2, 2)
    rejects = result.rejects.to_pylist()
    assert [(r["line"], r["field"]) for r in rejects] == [(2, None), (4, None)]
    assert rejects[0]["reason"] == (
        "line 2: byte 0xe9 at column 15 does not decode as utf-8; re-export as utf-8 or pass"
        " --encoding (e.g. gb18030)"
    )
    (row,) = result.tables["interactions"].to_pylist()
    assert (row["interaction_id"], row["source_ref"]) == ("u1:sales:1767225600", "queue_log:1")


def test_gb18030_file_with_encoding_option(tmp_path: Path) -> None:
    text = "1767225600|g1|销售|NONE|ENTERQUEUE||555|1\n1767225605|g1|销售|NONE|ABANDON|1|1|5\n"
    path = write(tmp_path, text.encode("gb18030"))
    assert parse("queue_log", path).rejected == 2  # read as UTF-8: both lines fail to decode
    result = parse("queue_log", path, encoding="gb18030")
    assert (result.read, result.accepted, result.rejected) == (2, 2, 0)
    assert result.tables["interactions"].column("queue").to_pylist() == ["销售"]


def test_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeff1767225600|r1|sales|NONE|ENTERQUEUE||555|1\r\n\r\n1767225605|r1|sales|NONE|ABANDON|1|1|5\r\n"
    result = parse("queue_log", write(tmp_path, text.encode("utf-8")))
    assert (result.read, result.rejected) == (2, 0)
    (row,) = result.tables["interactions"].to_pylist()
    assert (row["source_ref"], row["queue_wait_s"]) == ("queue_log:1", 5.0)


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["empty", "blank"])
def test_empty_file_reads_nothing(tmp_path: Path, content: str) -> None:
    result = parse("queue_log", write(tmp_path, content))
    assert (result.read, result.accepted, result.rejected) == (0, 0, 0)
    assert result.tables["interactions"].num_rows == 0
    assert result.tables["agent_states"].num_rows == 0
    db = parse("queue_log_db", write(tmp_path, content, "e.csv"))
    assert (db.read, db.accepted, db.rejected) == (0, 0, 0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bogus": 1}, "queue_log: unknown option(s) bogus; expected: horizon, end_of_data"),
        ({"horizon": "31 March"}, "option horizon is '31 March'; expected a date-time such as 2026-03-31T23:59:59"),
        ({"end_of_data": 7}, "option end_of_data must be a date-time, not 7"),
        ({"horizon": "2026-04-01", "end_of_data": "2026-04-01"}, "give option horizon or its old name end_of_data, not both"),
        ({"horizon": "2025-12-31T23:00"}, "queue_log: horizon 2025-12-31T23:00:00 UTC is before the last line (2026-01-01T00:30:00 UTC); the horizon is the time up to which the data is complete, so it cannot be earlier than the data"),
        ({"tz": "Mars/Base"}, "unknown time zone 'Mars/Base'; e.g. UTC or Asia/Shanghai"),
        ({"encoding": "nope"}, "unknown encoding 'nope'; e.g. utf-8 or gb18030"),
    ],
)  # fmt: skip
def test_misuse_raises_connector_error(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConnectorError) as err:
        parse("queue_log", write(tmp_path, CALLS), **options)
    assert str(err.value) == message


def test_missing_file_raises_connector_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="cannot read"):
        parse("queue_log", tmp_path / "absent")
    with pytest.raises(ConnectorError, match="cannot read"):
        parse("queue_log_db", tmp_path / "absent.csv")


# ---- ingest --------------------------------------------------------------------------------


def test_ingest_twice_adds_nothing(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "data")
    files = [write(tmp_path, CALLS, "calls.log"), write(tmp_path, STATES + BAD, "states.log")]
    first = ingest_files(wh, "queue_log", files)
    # BAD adds no call: b1's closing lines are rejected, b2 has no ENTERQUEUE.
    assert first.commits["interactions"].added == 20
    # The states file's 12 intervals plus the two month pieces of the agent whose first line is
    # a logoff (logged in since the start of the data).
    assert first.commits["agent_states"].added == 14
    assert first.rejected == 10
    second = ingest_files(wh, "queue_log", files)
    assert second.commits["interactions"].added == 0
    assert second.commits["agent_states"].added == 0
    assert wh.count("interactions") == 20
    assert wh.count("agent_states") == 14
    assert second.files[1].rejects_file is not None


def test_lone_carriage_return_stays_inside_its_line(tmp_path: Path) -> None:
    text = (
        "1767225600|w1|sales|NONE|ENTERQUEUE||555|1\n"
        "1767225607|w1|sales|NONE|WITHDRAW|1|1|7|note\rmore\n"
        "1767225610|w2|sales|NONE|ENTERQUEUE||556|1\n"
        "1767225612|w2|sales|NONE|ABANDON|1|1|2\n"
    )
    result = parse("queue_log", write(tmp_path, text))
    assert (result.read, result.accepted, result.rejected) == (4, 4, 0)
    got = [
        (r["interaction_id"], r["outcome"], r["queue_wait_s"], r["source_ref"])
        for r in result.tables["interactions"].to_pylist()
    ]
    assert got == [
        ("w1:sales:1767225600", "withdrawn", 7.0, "queue_log:1"),
        ("w2:sales:1767225610", "abandoned", 2.0, "queue_log:3"),
    ]


def test_unit_separator_inside_a_line_is_kept(tmp_path: Path) -> None:
    text = (
        "1767225600|x1|sales|NONE|ENTERQUEUE||555\x1f9|1\n1767225605|x1|sales|NONE|ABANDON|1|1|5\n"
    )
    result = parse("queue_log", write(tmp_path, text))
    (row,) = result.tables["interactions"].to_pylist()
    assert (row["customer_id"], row["queue_wait_s"]) == ("555\x1f9", 5.0)


# ---- fast path -----------------------------------------------------------------------------
# Files without blank lines (and without a lone CR) are split by DuckDB's CSV reader; a blank
# line at the end sends the same content down the line-by-line path, which must agree exactly.

FAST_BAD = BAD.replace("\n\n", "\n")


def test_fast_path_rejects_name_the_same_lines_and_reasons(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, FAST_BAD, "fast.log"))
    got = [(r["line"], r["field"], r["reason"].split(";")[0]) for r in result.rejects.to_pylist()]
    # BAD without its blank line 3: the lines after it move up by one.
    assert got == [
        (2, None, "line 2: found 3 field(s)"),
        (3, "time", "line 3: field time is '17672x5600'"),
        (4, "data1", "line 4: field data1 (holdtime) of CONNECT is 'x'"),
        (5, "data3", "line 5: field data3 (ring time) of CONNECT is 'soon'"),
        (6, "data2", "line 6: field data2 (calltime) of COMPLETECALLER is 'ten'"),
        (7, "event", "line 7: unknown event 'FOOBAR'"),
        (8, "callid", "line 8: field callid of ABANDON is 'NONE'"),
        (9, "agent", "line 9: field agent of PAUSE is ''"),
        (11, "data5", "line 11: field data5 (calltime) of ATTENDEDTRANSFER is 'x'"),
        (12, "data3", "line 12: field data3 (waittime) of EXITWITHTIMEOUT is ''"),
    ]
    assert result.rejects.column("raw")[0].as_py() == "1767225600|b1|sales"
    assert (result.read, result.accepted) == (12, 2)


@pytest.mark.parametrize("text", [CALLS, STATES, FAST_BAD, FAST_BAD.replace("\n", "\r\n")])
def test_fast_path_equals_line_by_line_path(tmp_path: Path, text: str) -> None:
    fast = parse("queue_log", write(tmp_path, text, "q.log"))
    slow = parse("queue_log", write(tmp_path, text + "\n", "q.log"))
    assert fast.rejects.equals(slow.rejects)
    assert (fast.read, fast.accepted) == (slow.read, slow.accepted)
    assert fast.tables.keys() == slow.tables.keys()
    for name in fast.tables:
        assert fast.tables[name].equals(slow.tables[name]), name


def test_fast_path_line_numbers_follow_the_file_under_a_parallel_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small reader buffers split this 3.6 MB file into several parts read by parallel threads;
    # the table keeps file order, so rowid + 1 is the line number. Field 2 names its own line.
    import duckdb

    from callgrade.engine.connectors.queue_log import read

    text = "".join(
        f"{1767225600 + i // 7}|k{i + 1}|q|NONE|ENTERQUEUE||{i}|1\n" for i in range(80000)
    )
    path = write(tmp_path, text, "big.log")
    small = read._FIELDS_CSV.replace("new_line=", "buffer_size=1048576, new_line=")
    monkeypatch.setattr(read, "_FIELDS_CSV", small)
    con = duckdb.connect()
    con.execute("SET threads = 4")
    assert read.load_fields(con, path, "utf-8")
    got = con.execute("SELECT count(*), count(*) FILTER (c1 <> 'k' || line) FROM fields").fetchone()
    assert got == (80000, 0)
