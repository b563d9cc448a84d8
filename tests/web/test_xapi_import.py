"""xAPI completions ingested into the warehouse reach people's training records through the sync
every cycle computation runs first, once each however often they are ingested."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings

from callgrade.engine.ingest import ingest_files
from callgrade.people.inputs import warehouse
from callgrade.people.models import Employee, TrainingRecord
from callgrade.people.services.sync import people_import_warehouse

ADL = "http://adlnet.gov/expapi/verbs/"


def _statement(sid: str, verb: str, email: str, course: str, **extra: Any) -> str:
    return json.dumps(
        {
            "id": sid,
            "actor": {"objectType": "Agent", "mbox": f"mailto:{email}"},
            "verb": {"id": ADL + verb},
            "object": {"id": f"https://lms.example.com/course/{course}"},
            "timestamp": "2026-02-10T10:00:00+08:00",
            **extra,
        }
    )


def test_ingested_statements_reach_the_persons_training_records(
    demo_dir: Path, tmp_path: Path, db: None
) -> None:
    # a copy of the demo warehouse, so the session's shared one stays as it was
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data, ignore=shutil.ignore_patterns("input"))
    settings.DATA_DIR = data
    people = tmp_path / "people.csv"
    people.write_text("employee_id,email\nE0006,e0006@example.com\nE0007,e0007@example.com\n")
    lrs = tmp_path / "lrs.jsonl"
    lrs.write_text(
        "\n".join(
            [
                _statement(
                    "0c1e-1",
                    "passed",
                    "e0006@example.com",
                    "product_certification",
                    result={"score": {"scaled": 0.88}, "success": True},
                ),
                _statement(
                    "0c1e-2",
                    "failed",
                    "e0007@example.com",
                    "product_certification",
                    result={"score": {"scaled": 0.41}},
                ),
                _statement("0c1e-3", "experienced", "e0007@example.com", "courtesy"),
                _statement("0c1e-4", "completed", "nobody@example.com", "courtesy"),
            ]
        )
    )
    options = {"actor": "mbox", "people": people}
    report = ingest_files(warehouse(), "xapi", [lrs], **options)
    assert (report.read, report.accepted, report.rejected) == (4, 2, 2)

    before = TrainingRecord.objects.count()
    counts = people_import_warehouse(warehouse=warehouse(), time_zone="Asia/Shanghai")
    assert counts["trainings"] == 2
    passed = TrainingRecord.objects.get(source="warehouse", source_ref="0c1e-1")
    assert passed.employee == Employee.objects.get(employee_id="E0006")
    assert (passed.training, passed.exam_score, passed.passed) == (
        "product_certification",
        88.0,
        True,
    )
    assert str(passed.completed_at) == "2026-02-10"
    failed = TrainingRecord.objects.get(source="warehouse", source_ref="0c1e-2")
    assert (failed.employee.employee_id, failed.passed) == ("E0007", False)

    # a later export holding the same statements adds nothing, in the warehouse or the app
    ingest_files(warehouse(), "xapi", [lrs], **options)
    assert (
        people_import_warehouse(warehouse=warehouse(), time_zone="Asia/Shanghai")["trainings"] == 0
    )
    assert TrainingRecord.objects.count() == before + 2
