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
    assert snap.total == total  # the center at a glance is the sum of the cells
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


def test_a_leaver_is_counted_in_the_next_cycle_where_they_were_graded(login: Any, hr: Any) -> None:
    from callgrade.cycles.services.cycles import cycle_compute, cycle_create

    demo = _demo()
    before = combine(ProgramSnapshot.objects.get(cycle=demo).cells)["n"]
    gone = (
        Employee.objects.filter(pk__in=ScoreTotal.objects.filter(cycle=demo).values("employee_id"))
        .order_by("employee_id")
        .first()
    )
    assert gone is not None and gone.team is not None
    place = ScoreTotal.objects.filter(cycle=demo, employee=gone).latest("period").detail
    gone.status = "left"
    gone.save(update_fields=["status"])
    later = cycle_create(actor=None, name="later", period=demo.period,
                         policy_version=demo.policy_version)  # fmt: skip
    job = cycle_compute(cycle=later, actor=None)
    job.refresh_from_db()
    assert job.state == job.DONE, job.error
    snap = ProgramSnapshot.objects.get(cycle=later)
    assert snap.leavers == [
        {"department": gone.team.department.name, "team": place["team"],
         "position": place["position"], "n": 1},
    ]  # fmt: skip
    assert combine(snap.cells)["n"] == before - 1
    data = program_dashboard(hr, "en")
    assert data["cycles"][-2:] == ["demo", "later"]
    assert data["leavers"][-1] == 1 and data["headcount"][-2:] == [before, before - 1]
    # the center read from the totals is the sum of every team read from the cells
    teams = data["choices"]["teams"]
    per_team = [program_dashboard(hr, "en", team=t) for t in teams]
    assert sum(d["headcount"][-1] for d in per_team) == before - 1
    assert sum(d["leavers"][-1] for d in per_team) == 1
    assert len(data["effects"]) >= 2  # two cycles: before and after
