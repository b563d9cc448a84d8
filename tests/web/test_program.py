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
from callgrade.cycles.selectors.program import (
    program_cycles,
    program_dashboard,
    reader_of,
    scoped_series,
)
from callgrade.cycles.services.program import program_refresh
from callgrade.cycles.services.training import effect_inputs
from callgrade.engine.analysis import program as engine
from callgrade.engine.analysis.program import combine
from callgrade.engine.analysis.training_effect import training_effect
from callgrade.people.models import Department, Employee, Team


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
        "Training effect",
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


def _from_cells(keep: Any) -> tuple[list[Any], list[int]]:
    """Each cycle's scope summed from every cell of its snapshot (what the pages read before
    the scopes were summed ahead)."""
    snaps = [ProgramSnapshot.objects.get(cycle=c) for c in program_cycles()[0]]
    views = [engine.CycleView(str(s.cycle_id), s.standard, s.cells, s.leavers) for s in snaps]
    return engine.scoped_cells(views, keep), engine.leavers(views, keep)


def _keeper(reader: Any, d: str, t: str, p: str) -> Any:
    """The scope as the cells were filtered before: the filters, within the reader's own."""

    def keep(c: Any) -> bool:
        inside = engine.in_scope(c, department=d, team=t, position=p)
        if reader.whole:
            return inside
        return inside and (c["team"] in reader.teams or c["department"] in reader.departments)

    return keep


def test_every_scope_reads_what_its_cells_add_up_to(hr: Any, lead: Any, head: Any) -> None:
    snap = ProgramSnapshot.objects.get(cycle=_demo())
    places = {(c["department"], c["team"], c["position"]) for c in snap.cells}
    departments = [*sorted({d for d, _t, _p in places}), ""]
    teams = [*sorted({t for _d, t, _p in places}), ""]
    positions = [*sorted({p for _d, _t, p in places}), ""]
    cycles, snaps = program_cycles()
    for user in (hr, lead, head):
        reader = reader_of(user)
        for d in departments:
            for t in teams:
                for p in positions:
                    got = scoped_series(reader, cycles, snaps, department=d, team=t, position=p)
                    want = _from_cells(_keeper(reader, d, t, p))
                    assert got == want, (user.username, d, t, p)


def test_a_department_head_reads_their_department_and_nothing_else(login: Any, head: Any) -> None:
    me = Employee.objects.get(user=head)
    headed = Department.objects.get(head=me)
    assert not Team.objects.filter(lead=me).exists()  # a head, not a lead
    snap = ProgramSnapshot.objects.get(cycle=_demo())
    data = program_dashboard(head, "en")
    assert data["heads"] == [headed.name] and data["lead_only"]
    assert (
        data["headcount"][-1]
        == sum(x["n"] for x in snap.cells if x["department"] == headed.name)
        > 0
    )
    assert set(data["choices"]["teams"]) == {
        x["team"] for x in snap.cells if x["department"] == headed.name
    }
    other = next(x for x in snap.cells if x["department"] != headed.name)
    assert program_dashboard(head, "en", department=other["department"])["headcount"][-1] == 0
    assert program_dashboard(head, "en", team=other["team"])["headcount"][-1] == 0
    c = login(head)
    page = c.get("/program/", {"team": other["team"]}).content.decode()
    assert f">{other['team']}</option>" not in page and headed.name in page
    assert "/program/" in c.get("/me/").content.decode()  # in the navigation
    assert c.get("/team/").status_code == 404  # a head reads the dashboard, not the team pages


def test_the_training_effect_is_kept_with_the_snapshot_and_shown(login: Any, hr: Any) -> None:
    from callgrade.people.models import TrainingRecord

    demo = _demo()
    assert TrainingRecord.objects.exists()
    program_refresh(demo)
    kept = ProgramSnapshot.objects.get(cycle=demo).training
    assert kept[""] == training_effect(*effect_inputs(), min_sample=5).to_pylist()
    assert kept[""], "the demo's courses give an effect table"
    # each department's table is the engine's over that department's people
    graded = set(ScoreTotal.objects.filter(cycle=demo).values_list("employee__employee_id",
                                                                   flat=True))  # fmt: skip
    completed, monthly, positions, directions = effect_inputs()
    for department in set(kept) - {""}:
        people = (
            set(
                Employee.objects.filter(team__department__name=department).values_list(
                    "employee_id", flat=True
                )
            )
            & graded
        )
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = monthly.filter(pc.is_in(monthly["entity_id"], pa.array(sorted(people))))
        mine = [x for x in completed if x.employee_id in people]
        assert kept[department] == training_effect(mine, rows, positions, directions).to_pylist()
    c = login(hr)
    page = c.get("/program/").content.decode()
    assert 'id="training-table"' in page
    data = c.get("/program/").context
    # the courses and KPIs with trainees measured on both sides; the others counted
    measured = [r for r in kept[""] if r["trained_n"]]
    assert [r.trained_n for r in data["training"]] == [r["trained_n"] for r in measured]
    assert data["training_unmeasured"] == len(kept[""]) - len(measured)
    if data["training_unmeasured"]:
        assert 'id="training-unmeasured"' in page
    # a workflow step sums the decisions again but keeps the training effect computed
    ProgramSnapshot.objects.filter(cycle=demo).update(training={"": kept[""][:1]})
    program_refresh(demo, training=False)
    assert ProgramSnapshot.objects.get(cycle=demo).training == {"": kept[""][:1]}
    program_refresh(demo)
    # a team alone is not measured: the page says so
    team = next(x["team"] for x in ProgramSnapshot.objects.get(cycle=demo).cells)
    narrowed = c.get("/program/", {"team": team})
    assert narrowed.context["training"] is None
    assert 'id="training-none"' in narrowed.content.decode()


def test_the_training_panel_lists_the_measured_courses_in_words(login: Any, hr: Any) -> None:
    def row(course: str, trained: int, improvement: float | None) -> dict[str, Any]:
        figures = (0.80, 0.86, 0.81, 0.82) if trained else (None,) * 4
        return {
            "course": course, "kpi": "answer_rate", "direction": "higher_better",
            "trained_n": trained, "comparison_n": 40 if trained else 0,
            "trained_before": figures[0], "trained_after": figures[1],
            "comparison_before": figures[2], "comparison_after": figures[3],
            "effect": improvement, "improvement": improvement, "standard_error": 0.01,
            "small_sample": trained < 5, "excluded_n": 0 if trained else 3,
            "cohorts": "2026-01" if trained else "",
        }  # fmt: skip

    last = program_cycles()[0][-1]
    ProgramSnapshot.objects.filter(cycle=last).update(
        training={"": [row("courtesy", 12, 0.05), row("sales_skills", 0, None)]}
    )
    r = login(hr).get("/program/")
    (shown,) = r.context["training"]
    # +0.05 on a ratio is five points: (0.86 − 0.80) − (0.82 − 0.81)
    assert (shown.course, shown.trained_n, shown.improvement) == ("Service courtesy", 12, "+5.0%")
    assert shown.trained == "80.0% → 86.0%" and not shown.small_sample
    assert r.context["training_unmeasured"] == 1
    page = r.content.decode()
    assert "Service courtesy" in page and "better than the comparison group" in page
