"""Mapped connector: a timestamp from date + time columns, Excel serial dates, row filters,
value ranges and allowed values, with the counts read = accepted + rejected + filtered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from callgrade.engine.connectors import parse
from callgrade.engine.connectors.mapped import MappingError, load_mapping

UTC = dt.UTC

SURVEYS = """\
table: surveys
timezone: Asia/Shanghai
columns:
  survey_id: {from: ID}
  agent_id: {from: Agent}
  responded_at: {from: Date, format: "%Y/%m/%d", time_from: Time, time_format: "%H:%M:%S"}
  csat: {from: Score}
"""


def run(tmp_path: Path, body: str | bytes, mapping: str, name: str = "x.csv"):
    path = tmp_path / name
    if isinstance(body, str):
        path.write_text(body, "utf-8")
    m = tmp_path / "m.yaml"
    m.write_text(mapping, "utf-8")
    return parse("mapped", path, mapping=m)


def reasons(r) -> list[str]:
    return [x["reason"] for x in r.rejects.to_pylist()]


def test_date_and_time_columns_make_one_timestamp(tmp_path):
    r = run(
        tmp_path,
        "ID,Agent,Date,Time,Score\n"
        "S1,A1,2026/03/05,08:15:02,4\n"
        "S2,A1,2026/03/05,23:59:59,5\n"
        "S3,A1,2026/02/30,08:00:00,5\n"
        "S4,A1,2026/03/05,8h15,5\n"
        "S5,A1,2026/03/05,,5\n"
        "S6,A1,,,5\n",
        SURVEYS,
    )
    assert (r.read, r.accepted, r.rejected, r.filtered) == (6, 2, 4, 0)
    # Shanghai is UTC+8: 08:15:02 local is 00:15:02 UTC the same day
    assert r.tables["surveys"].column("responded_at").to_pylist() == [
        dt.datetime(2026, 3, 5, 0, 15, 2, tzinfo=UTC),
        dt.datetime(2026, 3, 5, 15, 59, 59, tzinfo=UTC),
    ]
    assert reasons(r) == [
        "line 4: column 'Date' (responded_at) is '2026/02/30'; expected a date matching the"
        " format '%Y/%m/%d'",
        "line 5: column 'Time' (responded_at) is '8h15'; expected a time of day matching the"
        " format '%H:%M:%S'",
        "line 6: column 'Time' (responded_at) is empty; a time is required with the date in 'Date'",
        "line 7: column 'Date' (responded_at) is empty; a value is required",
    ]


def test_time_of_day_forms_without_a_format(tmp_path):
    mapping = SURVEYS.replace(', format: "%Y/%m/%d"', "").replace(', time_format: "%H:%M:%S"', "")
    times = ["08:15", "8:15:02.5", "8:15 PM", "12:05 am", "081502", "0.5", "8时15分", "24:00"]
    body = "ID,Agent,Date,Time,Score\n" + "".join(
        f"S{i},A1,2026-03-05,{t},4\n" for i, t in enumerate(times)
    )
    r = run(tmp_path, body, mapping.replace("Asia/Shanghai", "UTC"))
    got = [t.time() for t in r.tables["surveys"].column("responded_at").to_pylist()]
    assert got == [
        dt.time(8, 15),
        dt.time(8, 15, 2, 500000),
        dt.time(20, 15),
        dt.time(0, 5),
        dt.time(8, 15, 2),
        dt.time(12, 0),
        dt.time(8, 15),
    ]
    assert reasons(r) == [
        "line 9: column 'Time' (responded_at) is '24:00'; expected a time of day like 08:15:02,"
        " 8:15, 08:15:02.250, 8:15 PM, 081502 or 8时15分"
    ]


def test_excel_serial_dates_in_a_csv_and_date_cells_in_xlsx(tmp_path):
    one_column = SURVEYS.replace(
        'responded_at: {from: Date, format: "%Y/%m/%d", time_from: Time, time_format: "%H:%M:%S"}',
        "responded_at: {from: Date}",
    ).replace("Asia/Shanghai", "UTC")
    r = run(tmp_path, "ID,Agent,Date,Score\nS1,A1,46086.34375,4\nS2,A1,46086,4\n", one_column)
    assert r.tables["surveys"].column("responded_at").to_pylist() == [
        dt.datetime(2026, 3, 5, 8, 15, tzinfo=UTC),
        dt.datetime(2026, 3, 5, tzinfo=UTC),
    ]
    # date + time: a serial day with a fraction-of-day time, both as CSV text
    two = SURVEYS.replace(', format: "%Y/%m/%d"', "").replace(', time_format: "%H:%M:%S"', "")
    r = run(tmp_path, "ID,Agent,Date,Time,Score\nS1,A1,46086,0.34375,4\n", two)
    assert r.tables["surveys"].column("responded_at").to_pylist() == [
        dt.datetime(2026, 3, 5, 0, 15, tzinfo=UTC)
    ]
    # Excel: a date cell and a time cell, a serial number and a fraction of a day
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Agent", "Date", "Time", "Score"])
    ws.append(["S1", "A1", dt.datetime(2026, 3, 5), dt.time(8, 15, 2), 4])
    ws.append(["S2", "A1", 46086, 0.34375, 4])
    ws.append(["S3", "A1", dt.date(2026, 3, 5), dt.datetime(1899, 12, 30, 9, 0), 4])
    wb.save(tmp_path / "x.xlsx")
    (tmp_path / "m.yaml").write_text(two, "utf-8")
    r = parse("mapped", tmp_path / "x.xlsx", mapping=tmp_path / "m.yaml")
    assert r.rejects.to_pylist() == []
    assert r.tables["surveys"].column("responded_at").to_pylist() == [
        dt.datetime(2026, 3, 5, 0, 15, 2, tzinfo=UTC),
        dt.datetime(2026, 3, 5, 0, 15, tzinfo=UTC),
        dt.datetime(2026, 3, 5, 1, 0, tzinfo=UTC),
    ]


def test_a_filter_keeps_some_rows_and_counts_the_rest(tmp_path):
    mapping = (
        SURVEYS
        + "where:\n  Status: [answered, 已接通]\n  Queue: {not_in: [test]}\n"
        + "  Score: {empty: false}\n"
    )
    r = run(
        tmp_path,
        "ID,Agent,Date,Time,Score,Status,Queue\n"
        "S1,A1,2026/03/05,08:15:02,4,Answered,sales\n"
        "S2,A1,2026/03/05,08:15:02,4,abandoned,sales\n"
        "S3,A1,2026/03/05,08:15:02,4,已接通,TEST\n"
        "S4,A1,2026/03/05,08:15:02,,answered,sales\n"
        "S5,,2026/03/05,08:15:02,9,answered,sales\n"
        "S6,,not a date,,,abandoned,\n",
        mapping,
    )
    # S2 and S6 are not answered, S3 is a test queue, S4 has no score: filtered, no reason;
    # S6's bad date is never looked at. S5 passes the filter and fails the 1–5 range.
    assert (r.read, r.accepted, r.rejected, r.filtered) == (6, 1, 1, 4)
    assert r.read == r.accepted + r.rejected + r.filtered
    assert r.tables["surveys"].column("survey_id").to_pylist() == ["S1"]
    assert r.tables["surveys"].column("source_ref").to_pylist() == ["x.csv:2"]
    assert reasons(r) == ["line 6: column 'Score' (csat) is '9'; expected a value from 1 to 5"]


def test_built_in_ranges_reject_impossible_values(tmp_path):
    mapping = """\
table: interactions
columns:
  interaction_id: {from: ID}
  channel: {value: voice}
  direction: {value: inbound}
  offered_at: {from: Start}
  queue_wait_s: {from: Wait}
  talk_s: {from: Talk, type: duration}
  outcome: {value: answered}
  answered: {value: true}
  transferred: {value: false}
"""
    r = run(
        tmp_path,
        "ID,Start,Wait,Talk\n"
        "C1,2026-03-05 08:00:00,12,00:01:00\n"
        "C2,2026-03-05 08:00:00,-3,60\n"
        "C3,2026-03-05 08:00:00,0,-60\n",
        mapping,
    )
    assert (r.read, r.accepted, r.rejected) == (3, 1, 2)
    assert reasons(r) == [
        "line 3: column 'Wait' (queue_wait_s) is '-3'; expected a value of at least 0",
        "line 4: column 'Talk' (talk_s) is '-60'; expected a duration (HH:MM:SS, MM:SS or"
        " seconds, not negative)",
    ]


def test_mapping_ranges_and_allowed_values_name_their_line(tmp_path):
    mapping = SURVEYS.replace(
        "csat: {from: Score}",
        "csat: {from: Score, type: int, min: 2}\n  nps: {from: NPS, allowed: [0, 5, 10]}",
    )
    r = run(
        tmp_path,
        "ID,Agent,Date,Time,Score,NPS\n"
        "S1,A1,2026/03/05,08:15:02,4,10\n"
        "S2,A1,2026/03/05,08:15:02,1,5\n"
        "S3,A1,2026/03/05,08:15:02,0,7\n"
        "S4,A1,2026/03/05,08:15:02,4.5,11\n",
        mapping,
    )
    assert (r.read, r.accepted, r.rejected) == (4, 1, 3)
    assert reasons(r) == [
        "line 3: column 'Score' (csat) is '1'; expected a value from 2 to 5 (mapping line 7)",
        "line 4: column 'Score' (csat) is '0'; expected a value from 2 to 5 (mapping line 7);"
        " column 'NPS' (nps) is '7'; expected one of: 0, 5, 10 (allowed, mapping line 8)",
        "line 5: column 'Score' (csat) is '4.5'; expected a whole number;"
        " column 'NPS' (nps) is '11'; expected a value from 0 to 10",
    ]


def test_allowed_text_values(tmp_path):
    mapping = """\
table: sales
columns:
  sale_id: {from: ID}
  agent_id: {from: Agent}
  sold_at: {from: Time}
  amount: {from: Amount, min: 0}
  valid: {value: true}
  product: {from: Product, allowed: [gold, silver]}
"""
    r = run(
        tmp_path,
        "ID,Agent,Time,Amount,Product\nO1,A1,2026-03-05,10,gold\nO2,A1,2026-03-05,-5,bronze\n",
        mapping,
    )
    assert reasons(r) == [
        "line 3: column 'Amount' (amount) is '-5'; expected a value of at least 0 (mapping"
        " line 6); column 'Product' (product) is 'bronze'; expected one of: gold, silver"
        " (allowed, mapping line 8)"
    ]


def errors(text: str) -> list[str]:
    with pytest.raises(MappingError) as info:
        load_mapping(text)
    return [e.removeprefix("<mapping>:") for e in info.value.errors]


def test_new_keys_are_checked_all_at_once():
    text = """\
table: surveys
columns:
  survey_id: {from: ID, time_from: T}
  responded_at: {value: 2026-01-01, time_format: "%H"}
  csat: {from: Score, min: 0, max: 6}
  nps: {from: NPS, allowed: [11, x], type: float}
  agent_id: {from: Agent, min: 1}
  customer_id: {form: Customer}
where:
  Status: {}
  Queue: {in: []}
  Type: {nin: [x]}
"""
    assert errors(text) == [
        "3:36: time_from applies only to type datetime (a date and a time in two columns)",
        "4:50: time_format applies only with time_from (the column holding the time)",
        "5:28: min 0 is outside the range of csat (a value from 1 to 5); a mapping can narrow"
        " a field's range, not widen it",
        "5:36: max 6 is outside the range of csat (a value from 1 to 5); a mapping can narrow"
        " a field's range, not widen it",
        "6:30: nps: 11 is not a value from 0 to 10",
        "6:34: nps: 'x' is not a number",
        "7:32: min applies only to numbers (int, float, percent, duration)",
        "8:17: unknown key 'form'; did you mean 'from'?",
        "10:3: the filter on 'Status' needs 'in', 'not_in' or 'empty'",
        "11:15: in needs at least one value",
        "12:10: unknown key 'nin'; did you mean 'in'?",
    ]


def test_a_constant_outside_the_range_is_a_mapping_mistake():
    text = SURVEYS.replace("csat: {from: Score}", "csat: {value: 0}")
    assert errors(text) == ["7:17: csat: 0 is not a value from 1 to 5"]


def test_filter_on_a_missing_column_is_named(tmp_path):
    with pytest.raises(MappingError) as info:
        run(tmp_path, "ID,Agent,Date,Time,Score,Status\n", SURVEYS + "where:\n  Stat: [x]\n")
    assert info.value.errors == [
        f"{tmp_path / 'm.yaml'}:9:3: column 'Stat' (row filter) is not in the header of x.csv"
        " (line 1); did you mean 'Status'?"
    ]
