"""CLI conventions: CSV/JSON to standard output unless --out, '-' is standard output, a workbook
needs a file; an empty input file fails on screen; filtered rows reconcile on screen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callgrade.cli import Failure, output_format

QUEUE_LOG = """\
1767225600|NONE|NONE|NONE|QUEUESTART|
1767225601|c1|support|NONE|ENTERQUEUE||13800000001|1
1767225611|c1|support|E0001|CONNECT|10|c1-agent|2
1767225711|c1|support|E0001|COMPLETECALLER|10|100|1
1767225720|c2|support|NONE|ENTERQUEUE||13800000002|1
1767225750|c2|support|NONE|ABANDON|1|1|30
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


KPI = ("kpis", "--data-dir", "d", "--period", "2026-01", "--by", "queue", "--kpi", "answer_rate")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    (root / "queue_log").write_text(QUEUE_LOG)
    r = run("ingest", "queue_log", "queue_log", "--data-dir", "d", cwd=root)
    assert r.returncode == 0, r.stderr
    return root


def files_in(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()}


def test_json_goes_to_standard_output_without_out(warehouse):
    before = files_in(warehouse)
    r = run(*KPI, "--output", "json", cwd=warehouse)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)  # nothing but the data on stdout
    assert [x["value"] for x in rows if x["kpi"] == "answer_rate"] == [0.5]
    assert files_in(warehouse) == before  # no file appeared in the current directory


def test_dash_is_standard_output_never_a_file(warehouse):
    r = run(*KPI, "--output", "csv", "--out", "-", cwd=warehouse)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("period,") and len(lines) == 2
    assert not (warehouse / "-").exists()


def test_out_file_takes_its_format_from_the_extension(warehouse):
    r = run(*KPI, "--out", "sub/k.json", cwd=warehouse)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "wrote 1 KPI values to sub/k.json" in r.stderr
    assert json.loads((warehouse / "sub" / "k.json").read_text())[0]["kpi"] == "answer_rate"


def test_a_workbook_needs_a_file_or_a_pipe(warehouse):
    r = run(*KPI, "--output", "xlsx", cwd=warehouse)
    assert r.returncode == 1
    assert r.stderr == (
        "callgrade: --output xlsx is a binary workbook, not shown in the terminal; add --out"
        " FILE.xlsx (or --out - to pipe it)\n"
    )
    piped = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *KPI, "--output", "xlsx", "--out", "-"],
        cwd=warehouse,
        capture_output=True,
        timeout=300,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"PK")  # a zip archive: the workbook itself


@pytest.mark.parametrize(
    ("output", "out", "expected"),
    [
        (None, None, "table"),
        (None, "k.CSV", "csv"),
        ("json", None, "json"),
        ("csv", "-", "csv"),
        ("xlsx", "k.xlsx", "xlsx"),
    ],
)
def test_output_format(output, out, expected):
    assert output_format(output, None if out is None else Path(out)) == expected


@pytest.mark.parametrize(
    ("output", "out", "message"),
    [
        (None, "-", "--out - (standard output) needs --output csv or json"),
        (None, "k.txt", "--out k.txt: cannot tell the format from the extension"),
        ("table", "k.csv", "--output table is shown in the terminal"),
        ("yaml", None, "--output 'yaml': expected one of table, csv, xlsx, json"),
    ],
)
def test_output_format_refusals(output, out, message):
    with pytest.raises(Failure, match=message.replace("(", r"\(").replace(")", r"\)")):
        output_format(output, None if out is None else Path(out))


def test_every_command_refuses_a_workbook_on_the_terminal_before_working(tmp_path):
    for args in (
        ("pay", "--policy", "four_positions", "--period", "2026-02"),
        ("score", "--policy", "four_positions", "--period", "2026-02"),
        ("grade", "--policy", "four_positions", "--period", "2026-H1"),
    ):
        r = run(*args, "--output", "xlsx", "--data-dir", "empty", cwd=tmp_path)
        assert r.returncode == 1
        assert "--output xlsx is a binary workbook" in r.stderr, args


MAPPING = """\
table: surveys
timezone: UTC
columns:
  survey_id: {from: ID}
  agent_id: {from: Agent}
  responded_at: {from: Date, time_from: Time}
  csat: {from: Score}
where:
  Status: [answered]
"""


def test_ingest_shows_filtered_rows_and_fails_on_an_empty_file(tmp_path):
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "s.csv").write_text(
        "ID,Agent,Date,Time,Score,Status\n"
        "S1,A1,2026-03-05,08:15:02,4,answered\n"
        "S2,A1,2026-03-05,08:16:00,7,answered\n"
        "S3,A1,2026-03-05,08:17:00,,abandoned\n"
    )
    (tmp_path / "empty.csv").write_text("")
    ok = run("ingest", "mapped", "s.csv", "--mapping", "m.yaml", "--data-dir", "d", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "read 3 = accepted 1 + rejected 1 + filtered 1" in ok.stdout
    both = run(
        "ingest",
        "mapped",
        "s.csv",
        "empty.csv",
        "--mapping",
        "m.yaml",
        "--data-dir",
        "d",
        cwd=tmp_path,
    )
    assert both.returncode == 1
    assert both.stderr.strip() == (
        "callgrade: empty.csv: the file is empty: no header line with column names was found"
    )
    assert "read 4 = accepted 1 + rejected 2 + filtered 1" in both.stdout


def test_an_empty_file_fails_for_every_format(tmp_path):
    (tmp_path / "Master.csv").write_text("\n")
    r = run("ingest", "cdr", "Master.csv", "--data-dir", "d", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip() == "callgrade: Master.csv: the file is empty"


def test_every_mapping_mistake_is_its_own_line(tmp_path):
    (tmp_path / "m.yaml").write_text(
        MAPPING.replace("csat: {from: Score}", "csat: {from: Score, max: 9}").replace(
            "agent_id", "agent"
        )
    )
    (tmp_path / "s.csv").write_text("ID,Agent,Date,Time,Score,Status\n")
    r = run("ingest", "mapped", "s.csv", "--mapping", "m.yaml", "--data-dir", "d", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "callgrade: m.yaml:5:3: unknown field 'agent' for table surveys; did you mean 'agent_id'?",
        "callgrade: m.yaml:7:28: max 9 is outside the range of csat (a value from 1 to 5); a"
        " mapping can narrow a field's range, not widen it",
    ]
