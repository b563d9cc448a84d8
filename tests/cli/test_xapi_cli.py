"""``callgrade ingest xapi``: connector options through --option, counts printed and reconciled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ADL = "http://adlnet.gov/expapi/verbs/"


def test_ingest_xapi_with_people_and_course_map(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("employee_id,email\nA001,a001@example.com\n")
    (tmp_path / "courses.yaml").write_text('"https://lms.example.com/c/17": service_basics\n')
    rows = [
        {
            "id": "s1",
            "actor": {"mbox": "mailto:a001@example.com"},
            "verb": {"id": ADL + "completed"},
            "object": {"id": "https://lms.example.com/c/17"},
            "timestamp": "2026-01-05T09:00:00Z",
        },
        {
            "id": "s2",
            "actor": {"mbox": "mailto:a001@example.com"},
            "verb": {"id": ADL + "launched"},
            "object": {"id": "https://lms.example.com/c/17"},
            "timestamp": "2026-01-05T08:00:00Z",
        },
    ]
    (tmp_path / "lrs.json").write_text(json.dumps(rows))
    args = [
        "ingest",
        "xapi",
        "lrs.json",
        "--data-dir",
        "d",
        "--option",
        "actor=mbox",
        "--option",
        "people=people.csv",
        "--option",
        "courses=courses.yaml",
    ]
    r = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "read 2 = accepted 1 + rejected 1" in r.stdout
    assert "trainings: 1 new" in r.stdout
