"""Mapped connector: every mistake in a mapping file is reported as file:line:column: sentence."""

from __future__ import annotations

import textwrap

import pytest

from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.connectors.mapped import MappingError, load_mapping

GOOD = """\
table: surveys
timezone: Asia/Shanghai
columns:
  survey_id: {from: "Survey ID"}
  agent_id: {from: "工号"}
  responded_at: {from: "Response time", type: datetime, format: "%Y-%m-%d %H:%M:%S"}
  csat: {from: "Score", type: float}
  resolved: {from: "Resolved", type: bool, values: {"是": true, "否": false, Y: true, no: false}}
  nps: {value: 9}
"""


def errors_of(tmp_path, text: str) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    prefix = f"{path}:"
    assert all(e.startswith(prefix) for e in info.value.errors)
    return [e.removeprefix(prefix) for e in info.value.errors]


def test_good_mapping_loads_with_line_numbers(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(GOOD, "utf-8")
    m = load_mapping(path)
    assert m.table == "surveys"
    assert m.columns["csat"].source == "Score"
    # keys stay the text written: `no` is the string "no", not YAML 1.1's False
    assert m.columns["resolved"].values == {"是": True, "否": False, "Y": True, "no": False}
    assert m.columns["nps"].value == 9
    assert m.line_of("columns", "csat", "from") == 7
    assert m.field_type("csat") == "float"
    assert m.field_type("survey_id") == "string"


def test_same_mapping_from_text_and_dict():
    assert load_mapping(GOOD).columns == load_mapping(load_mapping(GOOD).model_dump()).columns


def test_unknown_table(tmp_path):
    assert errors_of(tmp_path, "table: survey\ncolumns: {}\n") == [
        "1:8: unknown table 'survey'; did you mean 'surveys'?"
    ]
    assert errors_of(tmp_path, "table: tickets\ncolumns: {}\n") == [
        "1:8: unknown table 'tickets'; expected one of: interactions, agent_states,"
        " ring_no_answer, surveys, qa_evaluations, sales, attendance, complaints, roster,"
        " competency_assessments, trainings, level_history, corrections"
    ]


def test_unknown_field_points_at_its_key(tmp_path):
    text = GOOD.replace("  agent_id:", "  agent:")
    assert errors_of(tmp_path, text) == [
        "5:3: unknown field 'agent' for table surveys; did you mean 'agent_id'?"
    ]
    text = GOOD.replace("  agent_id:", "  operator:")
    assert errors_of(tmp_path, text) == [
        "5:3: unknown field 'operator' for table surveys; expected one of: survey_id,"
        " interaction_id, agent_id, customer_id, responded_at, csat, nps, resolved"
    ]


def test_lineage_columns_cannot_be_mapped(tmp_path):
    errs = errors_of(tmp_path, GOOD + "  source: {value: x}\n")
    assert errs[0].startswith("10:3: unknown field 'source' (the connector sets it)")


def test_required_field_not_mapped(tmp_path):
    text = GOOD.replace(
        '  responded_at: {from: "Response time", type: datetime, format: "%Y-%m-%d %H:%M:%S"}\n', ""
    )
    assert errors_of(tmp_path, text) == [
        "3:1: required field 'responded_at' of table surveys is not mapped; add it under"
        " columns with 'from' (a source column) or 'value' (a constant)"
    ]


def test_unknown_type_points_at_the_value(tmp_path):
    text = GOOD.replace("type: float", "type: number")
    assert errors_of(tmp_path, text) == [
        "7:31: type is 'number'; expected 'string', 'int', 'float', 'bool', 'datetime', 'date',"
        " 'duration' or 'percent'"
    ]


def test_type_that_cannot_fill_the_field(tmp_path):
    text = GOOD.replace("type: float", "type: datetime")
    assert errors_of(tmp_path, text) == [
        "7:31: type datetime cannot fill 'csat', which holds numbers"
    ]


def test_bad_value_map_target(tmp_path):
    text = GOOD.replace('"否": false', '"否": maybe')
    assert errors_of(tmp_path, text) == [
        "8:69: resolved: 'maybe' is not yes or no (true/false, yes/no, y/n, 1/0, 是/否)"
    ]


def test_value_map_target_outside_the_fields_words(tmp_path):
    text = """\
    table: complaints
    columns:
      complaint_id: {from: ID}
      agent_id: {from: Agent}
      received_at: {from: Time}
      valid: {value: true}
      severity: {from: Level, values: {一般: minor, 重大: critical}, default: minor}
    """
    assert errors_of(tmp_path, text) == ["7:51: severity: 'critical' is not one of: minor, major"]


def test_bad_default_and_constant(tmp_path):
    text = GOOD.replace("nps: {value: 9}", "nps: {value: nine}").replace(
        'csat: {from: "Score", type: float}', 'csat: {from: "Score", type: float, default: x}'
    )
    assert errors_of(tmp_path, text) == [
        "7:47: csat: 'x' is not a number",
        "9:16: nps: 'nine' is not a number",
    ]


def test_unknown_key_and_both_from_and_value(tmp_path):
    text = GOOD.replace("nps: {value: 9}", "nps: {value: 9, from: NPS}").replace(
        "timezone:", "time_zone:"
    )
    # one mistake never hides another: the unknown key and the column's both 'from' and 'value'
    assert errors_of(tmp_path, text) == [
        "2:1: unknown key 'time_zone'; did you mean 'timezone'?",
        "9:3: field 'nps' needs exactly one of 'from' (a source column) or 'value' (a constant)",
    ]
    text = GOOD.replace("nps: {value: 9}", "nps: {value: 9, from: NPS}")
    assert errors_of(tmp_path, text) == [
        "9:3: field 'nps' needs exactly one of 'from' (a source column) or 'value' (a constant)"
    ]


def test_missing_columns_key_and_bad_header_row(tmp_path):
    assert errors_of(tmp_path, "table: surveys\nheader_row: 0\n") == [
        "1:1: missing key 'columns'",
        "2:13: header_row: input should be greater than or equal to 1",
    ]


def test_time_zone_encoding_delimiter_and_format(tmp_path):
    text = GOOD.replace("Asia/Shanghai", "Mars/Base").replace(
        "table: surveys", "table: surveys\nencoding: klingon\ndelimiter: ';;'\nformat: xls"
    )
    assert errors_of(tmp_path, text) == [
        "2:11: unknown encoding 'klingon'; expected e.g. utf-8, gb18030, utf-16",
        "3:12: delimiter ';;' should be one character, e.g. ',' ';' '|' or \"\\t\"",
        "4:9: format is 'xls'; expected 'csv' or 'xlsx'",
        "5:11: unknown time zone 'Mars/Base'; expected an IANA name like Asia/Shanghai",
    ]


def test_format_only_for_dates(tmp_path):
    text = GOOD.replace("type: float}", 'type: float, format: "%d"}')
    assert errors_of(tmp_path, text) == ["7:46: format applies only to type datetime or date"]


def test_yaml_syntax_error(tmp_path):
    assert errors_of(tmp_path, "table: surveys\ncolumns: {a: [}\n") == [
        "2:15: not valid YAML: expected the node content, but found '}'"
    ]


def test_dict_mapping_errors_name_the_path():
    with pytest.raises(MappingError) as info:
        load_mapping({"table": "surveys", "columns": {"csat": {"from": "S", "type": "x"}}})
    assert info.value.errors[0].startswith("<mapping>: columns.csat.type: type is 'x'")


def test_missing_mapping_file(tmp_path):
    with pytest.raises(ConnectorError, match=r"mapping file .* does not exist"):
        load_mapping(tmp_path / "nope.yaml")


def test_repeated_key(tmp_path):
    text = GOOD + '  csat: {from: "CSAT"}\n'
    assert errors_of(tmp_path, text) == ["10:3: key 'csat' repeats line 7"]
