"""Importing trainings, assessments and level history: a preview with every rejected row's field
and reason, all-or-nothing apply, and the same file twice adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from callgrade.people.models import CompetencyAssessment, Employee, LevelChange, TrainingRecord

URL = "/org/records/import/"


def _upload(client: Any, kind: str, data: bytes, name: str) -> Any:
    r = client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, data)})
    assert r.status_code == 200
    return r.context["preview"]


def _confirm(client: Any, kind: str, preview: Any) -> Any:
    return client.post(
        f"{URL}confirm/",
        {"kind": kind, "token": preview.token, "fingerprint": preview.fingerprint},
        follow=True,
    )


def test_trainings_preview_reject_apply_and_reimport(login: Any, hr: Any) -> None:
    c = login(hr)
    data = (
        "工号,培训,完成日期,考试成绩,是否通过,证书编号\n"
        "E0006,sales_skills,2026-01-20,91,是,CPC-9\n"
        "E0007,courtesy,2026-01-05,,,\n"
        "E9999,courtesy,2026-01-05,,,\n"  # nobody
        "E0008,cooking,2026-01-05,,,\n"  # not a training of the standard
        "E0006,courtesy,2026-13-01,,,\n"  # no such date
        "E0007,courtesy,2026-01-05,,,\n"  # the same as row 3
    ).encode()
    p = _upload(c, "trainings", data, "培训.csv")
    assert p.counts == {"read": 6, "create": 2, "unchanged": 0, "rejected": 4}
    reasons = {r.row: r.errors for r in p.rows if r.action == "rejected"}
    assert reasons[4] == [("employee_id", "no employee has this id")]
    assert reasons[5][0][0] == "training" and "cooking" in reasons[5][0][1]
    assert reasons[6][0][0] == "completed_at"
    assert reasons[7] == [("employee_id", "repeats row 3")]
    before = TrainingRecord.objects.count()
    assert TrainingRecord.objects.count() == before  # a preview writes nothing
    r = _confirm(c, "trainings", p)
    assert "2 added" in r.content.decode()
    assert TrainingRecord.objects.count() == before + 2
    cert = TrainingRecord.objects.get(employee__employee_id="E0006", certificate="CPC-9")
    assert (cert.passed, cert.exam_score, cert.source) == (True, 91.0, "import")
    again = _upload(c, "trainings", data, "培训.csv")
    assert again.counts["create"] == 0 and again.counts["unchanged"] == 2


def test_a_stale_preview_is_refused_and_nothing_is_written(login: Any, hr: Any) -> None:
    c = login(hr)
    data = (
        b"employee_id,competency,score,method,assessed_at\n"
        b"E0006,communication,88,observation,2026-02-27\n"
    )
    p = _upload(c, "assessments", data, "obs.csv")
    assert p.counts["create"] == 1
    # someone records the same assessment meanwhile: the preview no longer holds
    CompetencyAssessment.objects.create(
        employee=Employee.objects.get(employee_id="E0006"),
        competency="communication",
        score=88,
        method="observation",
        assessed_at=dt.date(2026, 2, 27),
    )
    held = CompetencyAssessment.objects.count()
    r = _confirm(c, "assessments", p)
    assert "changed since the preview" in r.content.decode()
    assert CompetencyAssessment.objects.count() == held


def test_level_history_from_xlsx_sets_dated_levels(login: Any, hr: Any) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "级别", "生效日期", "原因"])
    ws.append(["E0007", "senior", dt.datetime(2026, 1, 1), "2025 年终评审"])
    ws.append(["E0007", "wizard", dt.datetime(2026, 1, 1), ""])
    buf = io.BytesIO()
    wb.save(buf)
    c = login(hr)
    p = _upload(c, "level_history", buf.getvalue(), "levels.xlsx")
    assert p.counts == {"read": 2, "create": 1, "unchanged": 0, "rejected": 1}
    _confirm(c, "level_history", p)
    change = LevelChange.objects.filter(employee__employee_id="E0007").latest("id")
    assert (change.level_to, change.effective, change.reason) == (
        "senior",
        dt.date(2026, 1, 1),
        "2025 年终评审",
    )
    assert Employee.objects.get(employee_id="E0007").level == "senior"


def test_unreadable_files_are_refused_with_a_message_and_nothing_is_written(
    login: Any, hr: Any
) -> None:
    c = login(hr)
    held = TrainingRecord.objects.count()
    cases = [
        (b"", "empty"),
        (b"employee_id,training\nE0006,courtesy\n", "completed_at"),  # a required column missing
        ("工号,培训,完成日期\nE0006,courtesy,2026-01-05\n".encode("gb18030"), None),  # Excel's CSV
    ]
    for data, words in cases:
        r = c.post(URL, {"kind": "trainings", "file": SimpleUploadedFile("t.csv", data)})
        assert r.status_code == 200
        if words is None:
            assert r.context["preview"].counts == {
                "read": 1, "create": 1, "unchanged": 0, "rejected": 0
            }  # fmt: skip
        else:
            assert words in r.context["file_error"]
    assert TrainingRecord.objects.count() == held
