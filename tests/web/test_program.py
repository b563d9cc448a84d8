"""The program dashboard across cycles in the app: a computed cycle is summed into its snapshot
(checked against the stored result rows), HR reads the center and narrows it, a team lead reads
only their own teams, and the workbook holds the same figures."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from callgrade.cycles.models import Cycle, Decision, PayLine, ProgramSnapshot, ScoreTotal
from callgrade.cycles.selectors.program import program_dashboard
from callgrade.engine.analysis.program import combine
from callgrade.people.models import Employee, Team


def _demo() -> Cycle:
    return Cycle.objects.get(name="demo")


def test_a_computed_cycle_is_summed_into_its_snapshot(db: None) -> None:
    cycle = _demo()
    snap = ProgramSnapshot.objects.get(cycle=cycle)
    total = combine(snap.cells)
    graded = set(ScoreTotal.objects.filter(cycle=cycle).values_list("employee_id", flat=True))
    assert total["n"] == len(graded) > 0
    pay: dict[str, Decimal] = defaultdict(Decimal)
    for kind, amount in PayLine.objects.filter(cycle=cycle).values_list("kind", "amount"):
        pay[kind] += amount
    assert set(total["pay"]) == set(pay)
    for kind, amount in pay.items():
        assert abs(total["pay"][kind] - float(amount)) < 0.01 * max(1, len(graded))
    moves = sum(
        1
        for d in Decision.objects.filter(cycle=cycle)
        if d.level_from and (d.final_level or d.level_to) not in ("", d.level_from)
    )
    assert sum(total["flows"].values()) == moves
    # every cell's team belongs to its department as the organization says
    for c in snap.cells:
        if c["team"]:
            assert Team.objects.get(name=c["team"]).department.name == c["department"]


def test_hr_sees_the_center_and_narrows_it_to_a_team(login: Any, hr: Any) -> None:
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = c.get("/program/").content.decode()
    assert 'id="program-data"' in page and 'id="turnover-table"' in page
    snap = ProgramSnapshot.objects.get(cycle=_demo())
    teams = sorted({x["team"] for x in snap.cells})
    assert all(f">{t}</option>" in page for t in teams)
    one = teams[0]
    narrowed = c.get("/program/", {"team": one})
    n = sum(x["n"] for x in snap.cells if x["team"] == one)
    assert narrowed.context["headcount"][-1] == n


def test_a_lead_reads_only_their_own_teams(login: Any, lead: Any, hr: Any) -> None:
    me = Employee.objects.get(user=lead)
    own = set(Team.objects.filter(lead=me).values_list("name", flat=True))
    data = program_dashboard(lead, "en")
    assert set(data["choices"]["teams"]) == own
    snap = ProgramSnapshot.objects.get(cycle=_demo())
    assert data["headcount"][-1] == sum(x["n"] for x in snap.cells if x["team"] in own)
    # asking for another team shows nothing of it
    other = next(x["team"] for x in snap.cells if x["team"] not in own)
    assert program_dashboard(lead, "en", team=other)["headcount"][-1] == 0
    page = login(lead).get("/program/", {"team": other}).content.decode()
    assert f">{other}</option>" not in page


def test_the_workbook_holds_the_dashboard(login: Any, hr: Any) -> None:
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = c.get("/program/export.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [
        "Indicators", "Ratings", "Levels", "Pay", "People", "Level moves", "Expected effects",
    ]  # fmt: skip
    people = wb["People"]
    snap = ProgramSnapshot.objects.get(cycle=_demo())
    assert people.cell(row=2, column=1).value == "Employees graded"
    assert people.cell(row=2, column=people.max_column).value == combine(snap.cells)["n"]
