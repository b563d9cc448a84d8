"""Completions exported from a learning-management system load into ``trainings`` through the
mapped connector and the worked examples in docs/connectors/examples/lms/; rows that are not
finished completions are rejected with a reason, counts reconcile, and a re-ingest adds nothing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

from callgrade.engine.connectors import parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse

LMS = Path(__file__).parents[2] / "docs" / "connectors" / "examples" / "lms"
UTC = dt.UTC

TRANSCRIPT = [
    [
        "User ID",
        "User Full Name",
        "Training Title",
        "Training Type",
        "Transcript Status",
        "Completion Date",
        "Score",
    ],
    ["A001", "Zhang San", "Customer Service Basics", "Online Course", "Completed", "1/5/2026", ""],
    ["A001", "Zhang San", "Product Knowledge Certification", "Test", "Passed", "01/20/2026", "92"],
    ["A002", "Li Si", "Product Knowledge Certification", "Test", "Failed", "1/20/2026", "58.5"],
    ["A003", "Wang Wu", "Complaint Handling", "Online Course", "In Progress", "", ""],
    ["A004", "Zhao Liu", "Excel for Everyone", "Online Course", "Completed", "1/7/2026", ""],
    ["", "Nobody", "Complaint Handling", "Online Course", "Completed", "1/7/2026", ""],
    ["A002", "Li Si", "Complaint Handling", "Online Course", "Completed", "13/7/2026", ""],
]


def write_transcript(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(TRANSCRIPT)
    return path


def test_transcript_export_maps_finished_completions(tmp_path):
    r = parse(
        "mapped",
        write_transcript(tmp_path / "transcript.csv"),
        mapping=LMS / "cornerstone_transcript.yaml",
    )
    rows = r.tables["trainings"]
    assert rows.schema == TABLES["trainings"].schema
    assert (r.read, r.accepted, r.rejected) == (7, 3, 4)
    assert rows.column("employee_id").to_pylist() == ["A001", "A001", "A002"]
    assert rows.column("training").to_pylist() == [
        "service_basics",
        "product_certification",
        "product_certification",
    ]
    # local midnight in Asia/Shanghai, in UTC
    assert rows.column("completed_at").to_pylist() == [
        dt.datetime(2026, 1, 4, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 19, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 19, 16, tzinfo=UTC),
    ]
    assert rows.column("exam_score").to_pylist() == [None, 92.0, 58.5]
    assert rows.column("passed").to_pylist() == [None, True, False]
    assert rows.column("source").to_pylist() == ["lms_transcript:transcript.csv"] * 3
    keys = rows.column("training_record_id").to_pylist()
    assert len(set(keys)) == 3

    reasons = {
        line: (field, reason)
        for line, field, reason in zip(
            r.rejects.column("line").to_pylist(),
            r.rejects.column("field").to_pylist(),
            r.rejects.column("reason").to_pylist(),
            strict=True,
        )
    }
    assert sorted(reasons) == [5, 6, 7, 8]
    assert "'In Progress'" in reasons[5][1] and "Completed, Passed, Failed" in reasons[5][1]
    assert "'Excel for Everyone'" in reasons[6][1] and "Customer Service Basics" in reasons[6][1]
    assert "'User ID'" in reasons[7][1] and "required" in reasons[7][1]
    assert "'13/7/2026'" in reasons[8][1] and "%m/%d/%Y" in reasons[8][1]


def test_transcript_re_ingest_adds_nothing(tmp_path):
    path = write_transcript(tmp_path / "transcript.csv")
    wh = Warehouse(tmp_path / "data")
    options = {"mapping": LMS / "cornerstone_transcript.yaml", "tz": "UTC", "encoding": "utf-8"}
    first = ingest_files(wh, "mapped", [path], **options)
    second = ingest_files(wh, "mapped", [path], **options)
    assert (first.read, first.accepted, first.rejected) == (7, 3, 4)
    assert (first.commits["trainings"].added, second.commits["trainings"].added) == (3, 0)
    assert wh.count("trainings") == 3
    assert first.files[0].rejects_file is not None


def test_moodle_completion_report(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Course participants"
    ws.append(
        [
            "Full name",
            "ID number",
            "Email address",
            "Course short name",
            "Time completed",
            "Course grade",
            "Completion status",
        ]
    )
    ws.append(
        [
            "Zhang San",
            "A001",
            "zhang.san@example.com",
            "service_basics",
            "Monday, 5 January 2026, 2:30 PM",
            "",
            "Complete",
        ]
    )
    ws.append(
        [
            "Li Si",
            "A002",
            "li.si@example.com",
            "product_certification",
            "Tuesday, 20 January 2026, 9:05 AM",
            "85.00",
            "Complete (achieved pass grade)",
        ]
    )
    ws.append(
        ["Wang Wu", "A003", "wang.wu@example.com", "product_certification", "", "", "Not complete"]
    )
    path = tmp_path / "completion.xlsx"
    wb.save(path)
    r = parse("mapped", path, mapping=LMS / "moodle_course_completion.yaml")
    rows = r.tables["trainings"]
    assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
    assert rows.column("employee_id").to_pylist() == ["A001", "A002"]
    assert rows.column("completed_at").to_pylist() == [
        dt.datetime(2026, 1, 4, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 19, 16, tzinfo=UTC),
    ]
    assert rows.column("exam_score").to_pylist() == [None, 85.0]
    assert rows.column("passed").to_pylist() == [None, True]
    assert rows.column("source_ref").to_pylist() == [
        "completion.xlsx:Course participants!2",
        "completion.xlsx:Course participants!3",
    ]
    [reason] = r.rejects.column("reason").to_pylist()
    assert "'Not complete'" in reason or "'Time completed'" in reason
