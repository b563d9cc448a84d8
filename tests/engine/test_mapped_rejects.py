"""Mapped connector: bad content becomes rejects with plain reasons; misuse raises one sentence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from callgrade.engine.connectors import parse
from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.connectors.mapped import MappingError

UTC = dt.UTC
MAPPING = """\
table: surveys
timezone: Asia/Shanghai
source_name: survey_tool
columns:
  survey_id: {from: "Survey ID"}
  agent_id: {from: "工号"}
  responded_at: {from: "Response time"}
  csat: {from: "Score", type: float}
  resolved: {from: "Resolved", values: {"是": true, "否": false}, default: false}
  customer_id: {from: "Channel", values: {"电话": phone, "微信": wechat}}
  nps: {value: 7}
"""
HEADER = "Survey ID,工号,Response time,Score,Resolved,Channel\n"


def run(tmp_path: Path, body: str, *, name="s.csv", mapping=MAPPING, file_encoding="utf-8", **kw):
    path = tmp_path / name
    path.write_bytes(body.encode(file_encoding) if isinstance(body, str) else body)
    m = tmp_path / "m.yaml"
    m.write_text(mapping, "utf-8")
    return parse("mapped", path, mapping=m, **kw)


def reasons(r) -> list[tuple[int | None, str | None, str]]:
    return [(x["line"], x["field"], x["reason"]) for x in r.rejects.to_pylist()]


def test_each_bad_cell_is_named_with_line_column_and_expectation(tmp_path):
    r = run(
        tmp_path,
        HEADER
        + "S1,A1,2026-01-05 08:00:00,4,是,电话\n"
        + "S2,A1,2026-01-05 08:00:00,12,5x,否,电话\n"
        + 'S3,A1,2026-01-05 08:00:00,"12,5x",否,电话\n'
        + "S4,A1,yesterday,4,否,电话\n"
        + "S5,A1,2026-01-05 08:00:00,4,否,邮件\n"
        + "S6,,2026-01-05 08:00:00,4,否,\n"
        + ",A1,,4,否,\n"
        + "S8,A1,2026-01-05 08:00:00,,也许,\n",
    )
    assert (r.read, r.accepted, r.rejected) == (8, 3, 5)
    assert reasons(r) == [
        (
            3,
            None,
            "line 3: expected 6 fields as in the header (line 1), found 7;"
            " check the delimiter ',' and the quoting",
        ),
        (4, "csat", "line 4: column 'Score' (csat) is '12,5x'; expected a number"),
        (
            5,
            "responded_at",
            "line 5: column 'Response time' (responded_at) is 'yesterday';"
            " expected a date and time like 2026-01-31 08:30:00",
        ),
        (
            6,
            "customer_id",
            "line 6: column 'Channel' (customer_id) is '邮件';"
            " expected one of: 电话, 微信 (values map, mapping line 10)",
        ),
        (
            8,
            "survey_id",
            "line 8: column 'Survey ID' (survey_id) is empty; a value is required;"
            " column 'Response time' (responded_at) is empty; a value is required",
        ),
    ]
    assert r.rejects.column("raw").to_pylist()[1] == "S3,A1,2026-01-05 08:00:00,12,5x,否,电话"
    t = r.tables["surveys"]
    # S6: an empty agent is allowed (nullable); S8: an empty score is null, '也许' takes the
    # default; nps is the constant for every row
    assert t.column("survey_id").to_pylist() == ["S1", "S6", "S8"]
    assert t.column("agent_id").to_pylist() == ["A1", None, "A1"]
    assert t.column("csat").to_pylist() == [4.0, 4.0, None]
    assert t.column("resolved").to_pylist() == [True, False, False]
    assert t.column("customer_id").to_pylist() == ["phone", None, None]
    assert t.column("nps").to_pylist() == [7.0, 7.0, 7.0]
    assert t.column("responded_at").to_pylist() == [dt.datetime(2026, 1, 5, 0, tzinfo=UTC)] * 3
    assert t.column("source").to_pylist() == ["survey_tool:s.csv"] * 3
    assert t.column("source_ref").to_pylist() == ["s.csv:2", "s.csv:7", "s.csv:9"]
    assert set(r.rejects.column("source").to_pylist()) == {"survey_tool:s.csv"}


def test_wrong_encoding_rejects_the_line_and_names_the_fix(tmp_path):
    body = (HEADER + "S1,A1,2026-01-05 08:00:00,4,是,电话\n").encode("utf-8")
    body += "S2,A1,2026-01-05 08:00:00,4,否,微信\n".encode("gb18030")
    r = run(tmp_path, body)
    assert (r.read, r.accepted, r.rejected) == (2, 1, 1)
    [(line, field, reason)] = reasons(r)
    assert (line, field) == (3, None)
    assert reason == (
        "line 3: byte 0xb7 cannot be decoded as utf-8; the file is in another encoding:"
        " set `encoding:` in the mapping (e.g. gb18030 for a CSV saved by Chinese Excel)"
    )


def test_gb18030_file_with_the_encoding_key(tmp_path):
    body = HEADER + "S1,张三,2026-01-05 08:00:00,4,是,微信\n"
    r = run(tmp_path, body, file_encoding="gb18030", mapping=MAPPING + "encoding: gb18030\n")
    assert (r.read, r.accepted) == (1, 1)
    assert r.tables["surveys"].column("agent_id").to_pylist() == ["张三"]
    # the option works too, and a gb18030 header read as UTF-8 says what to do
    assert run(tmp_path, body, file_encoding="gb18030", encoding="gb18030").accepted == 1


def test_undecodable_header_says_to_set_the_encoding(tmp_path):
    with pytest.raises(ConnectorError, match=r"header is not valid utf-8: set `encoding:`"):
        run(tmp_path, HEADER + "S1,A1,2026-01-05,4,是,电话\n", file_encoding="gb18030")


def test_missing_header_column_stops_the_file(tmp_path):
    with pytest.raises(ConnectorError) as info:
        run(tmp_path, HEADER.replace("Score", "Points") + "S1,A1,2026-01-05,4,是,电话\n")
    m = tmp_path / "m.yaml"
    assert str(info.value) == (
        f"{m}:8:16: column 'Score' (csat) is not in the header of s.csv (line 1);"
        " header has: 'Survey ID', '工号', 'Response time', 'Points', 'Resolved', 'Channel'"
    )


def test_every_missing_header_column_is_named_with_the_closest_name(tmp_path):
    header = HEADER.replace("Score", "Scores").replace("Resolved", "Resolved (Y/N)")
    with pytest.raises(MappingError) as info:
        run(tmp_path, header.replace("工号", "坐席") + "S1,A1,2026-01-05,4,是,电话\n")
    m = tmp_path / "m.yaml"
    assert info.value.errors == [
        f"{m}:6:20: column '工号' (agent_id) is not in the header of s.csv (line 1);"
        " header has: 'Survey ID', '坐席', 'Response time', 'Scores', 'Resolved (Y/N)', 'Channel'",
        f"{m}:8:16: column 'Score' (csat) is not in the header of s.csv (line 1);"
        " did you mean 'Scores'?",
        f"{m}:9:20: column 'Resolved' (resolved) is not in the header of s.csv (line 1);"
        " did you mean 'Resolved (Y/N)'?",
    ]


def test_header_names_match_ignoring_case_and_spacing(tmp_path):
    r = run(
        tmp_path,
        HEADER.replace("Score", " score ").replace("Survey ID", "survey  id")
        + "S1,A1,2026-01-05,4,是,电话\n",
    )
    assert r.accepted == 1


@pytest.mark.parametrize("body", ["", "\n\n  \n"])
def test_empty_file_is_one_reject(tmp_path, body):
    r = run(tmp_path, body)
    assert (r.read, r.accepted, r.rejected) == (1, 0, 1)
    [(line, _, reason)] = reasons(r)
    assert line is None
    assert reason == "the file is empty: no header line with column names was found"
    assert r.tables["surveys"].num_rows == 0


def test_header_only_file_is_an_empty_export(tmp_path):
    r = run(tmp_path, HEADER)
    assert (r.read, r.accepted, r.rejected) == (0, 0, 0)


@pytest.mark.parametrize("delim", [";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delim):
    body = (HEADER + "S1,A1,2026-01-05 08:00:00,4,是,电话\n").replace(",", delim)
    r = run(tmp_path, body)
    assert (r.read, r.accepted) == (1, 1)


def test_title_rows_bom_blank_lines_and_multiline_cells_keep_physical_lines(tmp_path):
    body = (
        "\ufeff满意度调查导出\n"
        "导出时间 2026-01-31\n"
        + HEADER
        + "S1,A1,2026-01-05 08:00:00,4,是,电话\n"
        + "\n"
        + ",,,,,\n"
        + '"S2\nwith a line break",A1,2026-01-05 08:00:00,4,是,电话\n'
        + "S3,A1,2026-01-05 08:00:00,x,是,电话\n"
    )
    r = run(tmp_path, body, mapping=MAPPING + "header_row: 3\ndelimiter: ','\n")
    assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
    assert r.tables["surveys"].column("source_ref").to_pylist() == ["s.csv:4", "s.csv:7"]
    assert reasons(r)[0][0] == 9


def test_excel_cells_percent_format_and_sheet_choice(tmp_path):
    mapping = """\
table: qa_evaluations
sheet: 质检
columns:
  evaluation_id: {from: 单号}
  agent_id: {from: 工号}
  evaluated_at: {from: 时间}
  score: {from: 得分, type: percent}
  critical_fail: {value: false}
"""
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("质检")
    ws.append(["单号", "工号", "时间", "得分"])
    ws.append([1001, "A1", dt.datetime(2026, 1, 5, 8, 30), 0.92])
    ws["D2"].number_format = "0%"
    ws.append(["Q2", "A2", 46027.5, "85%"])
    ws.append([])
    ws.append(["Q4", "A2", "not a date", "#DIV/0!"])
    path = tmp_path / "qa.xlsx"
    wb.save(path)
    m = tmp_path / "m.yaml"
    m.write_text(mapping, "utf-8")
    r = parse("mapped", path, mapping=m)
    assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
    t = r.tables["qa_evaluations"]
    assert t.column("evaluation_id").to_pylist() == ["1001", "Q2"]
    assert t.column("score").to_pylist() == [92.0, 85.0]
    assert t.column("evaluated_at").to_pylist() == [
        dt.datetime(2026, 1, 5, 8, 30, tzinfo=UTC),
        dt.datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    ]
    assert t.column("source_ref").to_pylist() == ["qa.xlsx:质检!2", "qa.xlsx:质检!3"]
    assert reasons(r) == [
        (
            5,
            "evaluated_at",
            "row 5: column '时间' (evaluated_at) is 'not a date'; expected a date and time like"
            " 2026-01-31 08:30:00; column '得分' (score) is '#DIV/0!'; expected a percentage"
            " like 85% or 85",
        )
    ]
    with pytest.raises(ConnectorError, match=r"has no sheet 'Sheet9'; it has: 说明, 质检"):
        parse("mapped", path, mapping=m.read_text("utf-8").replace("质检\n", "Sheet9\n", 1))


def test_corrupt_workbook_is_one_reject(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    r = parse("mapped", path, mapping=MAPPING)
    assert (r.read, r.accepted, r.rejected) == (1, 0, 1)
    [(line, _, reason)] = reasons(r)
    assert line is None
    assert reason.startswith("cannot open broken.xlsx as an Excel workbook (BadZipFile")
    assert reason.endswith("open and re-save it in Excel as .xlsx, or export it as CSV")


def test_misuse_raises_one_sentence(tmp_path):
    path = tmp_path / "s.dat"
    path.write_text(HEADER, "utf-8")
    with pytest.raises(ConnectorError, match=r"add `format: csv` or `format: xlsx`"):
        parse("mapped", path, mapping=MAPPING)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ConnectorError, match=r"old binary .xls workbook"):
        parse("mapped", tmp_path / "old.xls", mapping=MAPPING)
    with pytest.raises(ConnectorError, match=r"unknown option\(s\): sheet"):
        parse("mapped", path, mapping=MAPPING, sheet="x")
    with pytest.raises(ConnectorError, match=r"no such file"):
        parse("mapped", tmp_path / "nope.csv", mapping=MAPPING)
    with pytest.raises(ConnectorError, match=r"unknown time zone 'Nowhere'"):
        parse(
            "mapped", path, mapping=MAPPING.replace("timezone: Asia/Shanghai\n", ""), tz="Nowhere"
        )
    assert parse("mapped", path, mapping=MAPPING + "format: csv\n").read == 0


def test_utf16_excel_unicode_text(tmp_path):
    body = (HEADER + "S1,A1,2026-01-05 08:00:00,4,是,电话\n").replace(",", "\t")
    r = run(tmp_path, body.encode("utf-16"), name="s.txt")
    assert (r.read, r.accepted) == (1, 1)


def test_value_maps_on_excel_numbers_case_and_null_targets(tmp_path):
    mapping = """\
table: complaints
columns:
  complaint_id: {from: 单号}
  agent_id: {from: 工号}
  received_at: {from: 时间, type: date}
  valid: {from: 有效, values: {"1": true, "0": false, Y: true}}
  severity: {from: 等级, values: {"1": minor, "2": major, "-": null}, default: minor}
  category: {from: 类别, values: {"-": null, 服务: service}}
"""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单号", "工号", "时间", "有效", "等级", "类别"])
    ws.append(["P1", "A1", dt.date(2026, 1, 5), 1, 2, "服务"])
    ws.append(["P2", "A1", dt.date(2026, 1, 5), "y", "-", "-"])
    ws.append(["P3", "A1", dt.date(2026, 1, 5), 0.0, 3, "其他"])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    r = parse("mapped", path, mapping=mapping)
    assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
    t = r.tables["complaints"]
    assert t.column("valid").to_pylist() == [True, True]
    # '-' maps to no value, and the default fills it like an empty cell
    assert t.column("severity").to_pylist() == ["major", "minor"]
    assert t.column("category").to_pylist() == ["service", None]
    assert t.column("received_at").to_pylist() == [dt.datetime(2026, 1, 5, tzinfo=UTC)] * 2
    assert reasons(r) == [
        (
            4,
            "category",
            "row 4: column '类别' (category) is '其他'; expected one of: -, 服务"
            " (values map, mapping line 8)",
        )
    ]


def test_unclosed_quote_is_one_reject_naming_the_lines(tmp_path):
    good = "S3,A1,2026-01-05 08:00:00,4,是,电话\n"
    body = HEADER + 'S1,"A1,2026-01-05 08:00:00,4,是,电话\n' + good * 6000
    r = run(tmp_path, body)
    # the open quote swallows lines until the field passes csv's 128 KiB limit; reading resumes
    # after it, and the counts still reconcile
    assert r.rejected == 1 and r.read == r.accepted + 1
    [(line, field, reason)] = reasons(r)
    assert (line, field) == (2, None)
    assert reason.startswith("lines 2–")
    assert reason.endswith(
        'a quote (") that is never closed usually joins lines like this:'
        " fix the quoting in the file"
    )
    first_ref = r.tables["surveys"].column("source_ref")[0].as_py()
    assert int(reason.split("–")[1].split()[0]) < int(first_ref.split(":")[1])
