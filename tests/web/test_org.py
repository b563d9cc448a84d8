"""Organization (HR): the overview, the employee list and detail with level history, importing
employees from CSV or XLSX with a preview and an all-or-nothing apply, exporting them, and the
Django admin."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from openpyxl import Workbook, load_workbook

from callgrade.core import tabular
from callgrade.core.models import AuditEvent
from callgrade.people.models import Department, Employee, LevelChange, Team
from callgrade.people.services import org_import

HEADER = "employee_id,name,team,department,position,track,level,hire_date,status,team_lead"
# an export has every column, the day the level took effect too
EXPORT_HEADER = (
    "employee_id,name,team,department,position,track,level,level_since,hire_date,status,team_lead"
)
IMPORT = "/org/employees/import/"
CONFIRM = "/org/employees/import/confirm/"


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def _upload(client: Any, data: bytes, name: str = "staff.csv") -> Any:
    r = client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})
    assert r.status_code == 200
    return r


def _confirm(client: Any, preview: Any, **kwargs: Any) -> Any:
    data = {"token": preview.token, "fingerprint": preview.fingerprint}
    return client.post(CONFIRM, data, **kwargs)


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(Employee.objects.values_list("employee_id", "name", "team_id", "level", "status")),
        LevelChange.objects.count(),
        Team.objects.count(),
        Department.objects.count(),
        AuditEvent.objects.count(),
    )


MIXED = _csv(
    # row 2: a new employee in a new team of a new department, who leads it
    "E9001,New Person,新班组,新部门,telesales,phone,junior,2026-03-01,probation,E9001",
    # row 3: an existing employee promoted
    "E0006,罗明磊,客户服务1组,客户服务部,customer_service,phone,senior,2024-06-17,active,E0012",
    # row 4: unknown position
    "E9002,Bad Position,新班组,,astronaut,,junior,2026-03-01,active,",
    # row 5: a date that is not YYYY-MM-DD, and an unknown level
    "E9003,Bad Date,新班组,,telesales,,grandmaster,01/03/2026,active,",
    # rows 6 and 7: the same id twice
    "E9004,Twin A,新班组,,telesales,,junior,2026-03-01,active,",
    "E9004,Twin B,新班组,,telesales,,junior,2026-03-01,active,",
    # row 8: a team lead who exists nowhere
    "E9005,No Lead,新班组2,,telesales,,junior,2026-03-01,active,E7777",
    # row 9: an unchanged existing employee (blank cells keep the current values)
    "E0002,罗敏文,,,telesales,,,,,",
)


def test_preview_lists_creates_updates_and_rejects_with_rows_and_reasons(
    login: Any, hr: Any
) -> None:
    before = _snapshot()
    r = _upload(login(hr), MIXED)
    p = r.context["preview"]
    assert p.counts == {"read": 8, "create": 1, "update": 1, "unchanged": 1, "rejected": 5}
    assert [x.employee_id for x in p.creates] == ["E9001"]
    (update,) = p.updates
    assert update.row == 3
    assert [(c.field, c.before, c.after) for c in update.changes] == [
        ("level", "intermediate", "senior")
    ]
    rejected = {(x.row, f) for x in p.rejected for f, _reason in x.errors}
    assert rejected == {
        (4, "position"),
        (5, "hire_date"),
        (5, "level"),
        (6, "employee_id"),
        (7, "employee_id"),
        (8, "team_lead"),
    }
    assert p.new_teams == ["新班组"] and p.new_departments == ["新部门"]
    html = r.content.decode()
    assert "unknown position astronaut" in html
    assert "01/03/2026 is not a date in YYYY-MM-DD form" in html
    assert "appears more than once in the file (rows 6, 7)" in html
    assert 'data-row="8" data-field="team_lead"' in html
    assert "intermediate" in html and "senior" in html  # before → after
    assert _snapshot() == before  # the preview wrote nothing


def test_confirm_applies_valid_rows_only_with_level_history_and_audit(login: Any, hr: Any) -> None:
    c = login(hr)
    p = _upload(c, MIXED).context["preview"]
    r = _confirm(c, p, follow=True)
    assert r.status_code == 200
    assert "8 rows: 1 created, 1 updated, 1 unchanged, 5 rejected" in r.content.decode()
    new = Employee.objects.select_related("team__department", "team__lead").get(employee_id="E9001")
    assert (new.position, new.level, new.status) == ("telesales", "junior", "probation")
    assert new.team.name == "新班组" and new.team.department.name == "新部门"
    assert new.team.lead == new
    assert new.level_since == dt.date(2026, 3, 1)
    promoted = Employee.objects.get(employee_id="E0006")
    assert promoted.level == "senior"
    step = LevelChange.objects.filter(employee=promoted).order_by("-id").first()
    assert (step.level_from, step.level_to) == ("intermediate", "senior")
    assert not Employee.objects.filter(employee_id__in=["E9002", "E9003", "E9004", "E9005"])
    assert Employee.objects.get(employee_id="E0002").level == "junior"  # blank kept it
    assert AuditEvent.objects.filter(
        action="employee_import_update", object_id=str(promoted.pk)
    ).exists()
    # The upload is spent: confirming twice does nothing.
    r = _confirm(c, p, follow=True)
    assert "expired" in r.content.decode()
    assert Employee.objects.filter(employee_id="E9001").count() == 1


def test_a_failure_while_applying_leaves_nothing_written(
    login: Any, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = login(hr)
    p = _upload(c, MIXED).context["preview"]
    before = _snapshot()
    real_save = Employee.save
    calls = {"n": 0}

    def failing_save(self: Employee, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the first employee is already written when the second fails
            raise DatabaseError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Employee, "save", failing_save)
    r = _confirm(c, p, follow=True)
    assert "nothing was written" in r.content.decode()
    assert calls["n"] == 2
    assert _snapshot() == before
    assert r.context["preview"].token == p.token  # back on the preview, ready to retry
    monkeypatch.setattr(Employee, "save", real_save)
    _confirm(c, p)
    assert Employee.objects.filter(employee_id="E9001").exists()


def test_confirm_refuses_when_the_database_changed_since_the_preview(login: Any, hr: Any) -> None:
    c = login(hr)
    p = _upload(c, MIXED).context["preview"]
    Employee.objects.filter(employee_id="E0006").update(level="expert")
    r = _confirm(c, p, follow=True)
    assert "changed since the preview" in r.content.decode()
    assert not Employee.objects.filter(employee_id="E9001").exists()
    # The new preview shows the change against the current level; confirming it applies it.
    fresh = r.context["preview"]
    (update,) = fresh.updates
    assert [(x.before, x.after) for x in update.changes] == [("expert", "senior")]
    _confirm(c, fresh)
    assert Employee.objects.get(employee_id="E0006").level == "senior"
    assert Employee.objects.filter(employee_id="E9001").exists()


def test_another_users_upload_cannot_be_applied(login: Any, hr: Any, admin_user: Any) -> None:
    p = _upload(login(hr), MIXED).context["preview"]
    r = _confirm(login(admin_user), p, follow=True)
    assert "expired" in r.content.decode()
    assert not Employee.objects.filter(employee_id="E9001").exists()
    for bad in ("../../etc/passwd", "", "x" * 10):
        with pytest.raises(tabular.ImportStale):
            org_import.employee_import_apply(token=bad, fingerprint=p.fingerprint, actor=hr)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(login: Any, hr: Any, kind: str) -> None:
    Employee.objects.filter(employee_id="E0003").update(name="=HYPERLINK(1)")  # formula-looking
    c = login(hr)
    r = c.get(f"/org/employees/export.{kind}")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    data = r.content
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == EXPORT_HEADER.split(",")
        assert [x[1] for x in rows if x[0] == "E0003"] == ["'=HYPERLINK(1)"]
    else:
        ws = load_workbook(io.BytesIO(data)).active
        assert [cell.value for cell in ws[1]] == EXPORT_HEADER.split(",")
        assert isinstance(ws["I2"].value, dt.datetime)  # hire dates are date cells
        rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + Employee.objects.count()
    lead_rows = [x for x in rows if x[0] == "E0006"]
    assert lead_rows[0][10] == "E0012"  # the team's lead
    p = _upload(c, data, f"employees.{kind}").context["preview"]
    assert p.counts["unchanged"] == Employee.objects.count()
    assert p.counts["read"] == p.counts["unchanged"]
    assert not p.creates and not p.updates and not p.rejected


def test_xlsx_with_chinese_headers_and_labels(login: Any, hr: Any) -> None:
    data = _xlsx(
        [
            [*org_import.HEADERS_ZH.values(), "备注"],
            ["E9101", "王小明", "客户服务1组", "", "客户服务", "话务岗", "二星坐席（中级）", None,
             dt.datetime(2025, 9, 1), "试用期", "E0012", "note"],
            [None] * 12,  # a blank row is skipped
            ["E0007", "余建超", "", "", "customer_service", "", "expert", None, None, "离职", "",
             ""],
        ]
    )  # fmt: skip
    c = login(hr)
    r = _upload(c, data, "员工.xlsx")
    p = r.context["preview"]
    assert p.ignored == ["备注"]
    assert p.counts == {"read": 2, "create": 1, "update": 1, "unchanged": 0, "rejected": 0}
    (created,) = p.creates
    assert created.row == 2
    assert created.values["position"] == "customer_service"
    assert created.values["track"] == "phone"
    assert created.values["level"] == "intermediate"
    assert created.values["hire_date"] == "2025-09-01"
    assert created.values["status"] == "probation"
    (updated,) = p.updates
    assert updated.row == 4  # the spreadsheet's row number, blank row counted
    assert {x.field: x.after for x in updated.changes} == {"level": "expert", "status": "left"}
    _confirm(c, p)
    emp = Employee.objects.get(employee_id="E9101")
    assert emp.team.name == "客户服务1组" and emp.hire_date == dt.date(2025, 9, 1)
    assert LevelChange.objects.filter(employee=emp, level_to="intermediate").exists()


def test_export_with_chinese_headers_imports_back_unchanged(login: Any, hr: Any) -> None:
    c = login(hr)
    data = c.get("/org/employees/export.csv", {"headers": "zh"}).content
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(org_import.HEADERS_ZH.values())
    p = _upload(c, data).context["preview"]
    assert p.counts["read"] == p.counts["unchanged"] == Employee.objects.count()


def test_chinese_csv_from_excel_in_gb18030(login: Any, hr: Any) -> None:
    text = "工号;姓名;岗位;级别\nE9201;李四;电话销售;一星坐席（初级）\nE9202;赵五;电话销售;初级\n"
    p = _upload(login(hr), text.encode("gb18030")).context["preview"]
    (created,) = p.creates
    assert (created.name, created.values["position"]) == ("李四", "telesales")
    assert created.values["level"] == "junior"
    (rejected,) = p.rejected
    ((column, reason),) = rejected.errors
    assert column == "level"
    assert (
        reason
        == "初级 is not a level of the agent ladder (levels: junior, intermediate, "
        + "senior, expert)"
    )


def test_unreadable_files_are_refused_whole(login: Any, hr: Any) -> None:
    c = login(hr)
    r = _upload(c, b"name,team\nA,B\n")
    assert "Required columns are missing: employee_id, position" in r.content.decode()
    assert r.context.get("preview") is None
    r = _upload(c, b"PK\x03\x04 not really a workbook", "x.xlsx")
    assert "not a readable XLSX" in r.content.decode()


def test_conflicting_team_values_reject_the_later_row(login: Any, hr: Any) -> None:
    data = _csv(
        "E9301,A,甲组,甲部,telesales,,junior,,,E0005",
        "E9302,B,甲组,乙部,telesales,,junior,,,E0005",
        "E9303,C,甲组,甲部,telesales,,junior,,,E9302",
    )
    p = _upload(login(hr), data).context["preview"]
    assert {(x.row, f) for x in p.rejected for f, _r in x.errors} == {
        (3, "department"),
        (4, "team_lead"),
    }
    assert [x.employee_id for x in p.creates] == ["E9301"]


def test_chinese_preview_page(login: Any, hr: Any) -> None:
    c = login(hr)
    r = c.post(
        IMPORT,
        {"file": SimpleUploadedFile("s.csv", MIXED)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = r.content.decode()
    assert "导入员工" in html and "被拒绝的行" in html


def test_org_overview_shows_departments_teams_and_positions(login: Any, hr: Any) -> None:
    r = login(hr).get("/org/")
    assert r.status_code == 200
    html = r.content.decode()
    team = Team.objects.select_related("lead", "department").get(name="客户服务1组")
    assert team.department.name in html and team.lead.name in html
    row = next(t for d in r.context["departments"] for t in d["teams"] if t.pk == team.pk)
    assert row.member_count == Employee.objects.filter(team=team).count()
    assert "Answer customer calls and questions" in html  # a duty, in English
    zh = login(hr).get("/org/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "接听客户来电并解答咨询" in zh and "组织架构" in zh


def test_employee_list_filters_and_paginates(login: Any, hr: Any) -> None:
    c = login(hr)
    r = c.get("/org/employees/", {"position": "telesales"})
    ids = [e.employee_id for e in r.context["page"]]
    assert ids == sorted(
        Employee.objects.filter(position="telesales").values_list("employee_id", flat=True)
    )
    r = c.get("/org/employees/", {"q": "罗敏"})
    assert [e.employee_id for e in r.context["page"]] == ["E0002"]
    r = c.get("/org/employees/", {"status": "left", "level": "junior"})
    assert {e.employee_id for e in r.context["page"]} == set(
        Employee.objects.filter(status="left", level="junior").values_list("employee_id", flat=True)
    )
    team = Team.objects.get(name="客户服务1组")
    r = c.get("/org/employees/", {"team": team.pk})
    assert {e.team_id for e in r.context["page"]} == {team.pk}
    for i in range(60):
        Employee.objects.create(employee_id=f"Z{i:03d}", name=f"Z {i}", position="telesales")
    r = c.get("/org/employees/", {"position": "telesales", "page": 2})
    assert r.context["page"].number == 2
    assert "?position=telesales&page=1" in r.content.decode()
    # The export follows the same filters.
    data = c.get("/org/employees/export.csv", {"team": team.pk}).content.decode("utf-8-sig")
    assert len(data.strip().splitlines()) == 1 + team.members.count()


def test_employee_detail_shows_level_history(login: Any, hr: Any) -> None:
    emp = Employee.objects.get(employee_id="E0006")
    LevelChange.objects.create(
        employee=emp,
        level_from="intermediate",
        level_to="senior",
        effective=dt.date(2026, 4, 1),
        reason="promoted by the spring cycle",
    )
    r = login(hr).get("/org/employees/E0006/")
    assert r.status_code == 200
    history = r.context["history"]
    assert history[0].level_to == "senior"
    assert len(history) == LevelChange.objects.filter(employee=emp).count()
    assert "promoted by the spring cycle" in r.content.decode()
    assert login(hr).get("/org/employees/E9999/").status_code == 404


@pytest.mark.parametrize("persona", ["agent", "lead", "other_lead"])
def test_non_hr_get_404_everywhere(login: Any, persona: str, request: Any) -> None:
    user = request.getfixturevalue(persona)
    c = login(user)
    for url in (
        "/org/",
        "/org/employees/",
        "/org/employees/E0006/",  # even the lead's own team member, even oneself
        "/org/employees/E0012/",
        IMPORT,
        "/org/employees/export.csv",
        "/org/employees/export.xlsx",
    ):
        r = c.get(url)
        assert r.status_code == 404, url
        assert "罗明磊" not in r.content.decode()
    r = c.post(IMPORT, {"file": SimpleUploadedFile("s.csv", MIXED)})
    assert r.status_code == 404
    assert c.post(CONFIRM, {"token": "x" * 32}).status_code == 404
    assert login(None).get("/org/employees/").status_code == 302  # to the login page


def test_admin_pages_load_for_the_administrator(login: Any, admin_user: Any, hr: Any) -> None:
    from django.apps import apps
    from django.contrib import admin

    c = login(admin_user)
    assert c.get("/admin/people/employee/").status_code == 200
    emp = Employee.objects.get(employee_id="E0006")
    assert c.get(f"/admin/people/employee/{emp.pk}/change/").status_code == 200
    domains = ("core", "people", "standards", "cycles", "review")
    models = [m for m in admin.site._registry if m._meta.app_label in domains]
    # every model of every domain app
    assert set(models) == {m for d in domains for m in apps.get_app_config(d).get_models()}
    for model in models:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert c.get(url, {"q": "E0006"}).status_code == 200, url
    assert login(hr).get("/admin/people/employee/").status_code == 302  # HR is not staff
