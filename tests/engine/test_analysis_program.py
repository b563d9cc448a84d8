"""The program dashboard's sums against figures computed by hand on two small cycles: four
employees in two teams, one of whom leaves after the first cycle and one joins for the second."""

from __future__ import annotations

import pytest

from callgrade.engine.analysis.program import (
    CycleView,
    Graded,
    adoptions,
    combine,
    count_series,
    cycle_cells,
    effects,
    flows,
    in_scope,
    kpi_series,
    leaver_cells,
    leavers,
    rollup_level,
    rollups,
    scoped_cells,
)

ORDER = ["junior", "middle", "senior"]


def _g(eid: str, team: str, rating: str, frm: str, to: str, aht: float, bonus: float) -> Graded:
    return Graded(
        employee_id=eid, position="cs", team=team, department="D1" if team == "T1" else "D2",
        rating=rating, level_from=frm, level_to=to, level_rank=ORDER.index(frm),
        kpis={"aht": aht, "answer_rate": 0.9}, pay={"bonus": bonus, "allowance": 100.0},
    )  # fmt: skip


FIRST = [
    _g("e1", "T1", "A", "junior", "middle", 300, 200.0),
    _g("e2", "T1", "B", "junior", "junior", 360, 100.0),
    _g("e3", "T2", "C", "middle", "junior", 420, 0.0),
    _g("e4", "T2", "B", "senior", "senior", 240, 100.0),
]
SECOND = [
    _g("e1", "T1", "A", "middle", "senior", 270, 250.0),
    _g("e2", "T1", "A", "junior", "middle", 300, 200.0),
    _g("e4", "T2", "B", "senior", "senior", 250, 100.0),
    _g("e5", "T2", "C", "junior", "junior", 400, 0.0),
]
CYCLES = [
    CycleView("2026-H1", "std 1", cycle_cells(FIRST)),
    CycleView("2026-H2", "std 2", cycle_cells(SECOND)),
]


def test_cells_add_up_by_department_team_and_position() -> None:
    cells = CYCLES[0].cells
    assert [(c["department"], c["team"], c["n"]) for c in cells] == [
        ("D1", "T1", 2),
        ("D2", "T2", 2),
    ]
    t1 = cells[0]
    assert t1["kpis"]["aht"] == [660.0, 2]
    assert t1["ratings"] == {"A": 1, "B": 1}
    assert t1["levels"] == {"junior": 2}
    assert t1["rank"] == [0.0, 2]
    assert t1["pay"] == {"bonus": 300.0, "allowance": 200.0}
    assert t1["flows"] == {"junior>middle": 1}  # e2 stays: no move
    center = combine(cells)
    assert center["n"] == 4 and center["kpis"]["aht"] == [1320.0, 4]
    assert center["flows"] == {"junior>middle": 1, "middle>junior": 1}


def test_series_over_the_two_cycles_by_hand() -> None:
    everyone = scoped_cells(CYCLES, lambda c: True)
    # mean AHT: (300+360+420+240)/4 = 330, then (270+300+250+400)/4 = 305
    assert kpi_series(everyone, ["aht"]) == {"aht": [330.0, 305.0]}
    assert count_series(everyone, "ratings", ["A", "B", "C"]) == {
        "A": [1, 2], "B": [2, 1], "C": [1, 1],
    }  # fmt: skip
    t2 = scoped_cells(CYCLES, lambda c: in_scope(c, team="T2"))
    assert kpi_series(t2, ["aht"]) == {"aht": [330.0, 325.0]}
    # a lead of T1 asking for T2 sees nothing
    assert scoped_cells(CYCLES, lambda c: in_scope(c, team="T2", teams={"T1"})) == [None, None]
    assert adoptions(CYCLES) == [0, 1]
    assert adoptions([CYCLES[0], CycleView("x", "std 1", [])]) == [0]


def test_leavers_are_last_cycles_people_who_left_and_are_not_graded_now() -> None:
    now = {g.employee_id for g in SECOND}
    # e3 left; e1 "left" in the record but is still graded in the second cycle: not a leaver
    cells = leaver_cells(FIRST, now, {"e3", "e1"})
    assert cells == [{"department": "D2", "team": "T2", "position": "cs", "n": 1}]
    views = [CYCLES[0], CycleView("2026-H2", "std 2", CYCLES[1].cells, cells)]
    assert leavers(views, lambda c: True) == [0, 1]
    assert leavers(views, lambda c: in_scope(c, team="T1")) == [0, 0]
    assert leavers(views, lambda c: in_scope(c, team="T2", teams={"T1"})) == [0, 0]


def test_flows_up_and_down() -> None:
    both = combine([c for v in CYCLES for c in v.cells])
    rows = flows(both, ORDER)
    assert rows[0] == {"from": "junior", "to": "middle", "n": 2, "way": "up"}
    assert {(r["from"], r["to"], r["way"]) for r in rows} == {
        ("junior", "middle", "up"), ("middle", "junior", "down"), ("middle", "senior", "up"),
    }  # fmt: skip


def test_expected_effects_before_and_after_by_hand() -> None:
    first, last = combine(CYCLES[0].cells), combine(CYCLES[1].cells)
    out = {
        (e.measure, e.kpi): e
        for e in effects(
            first,
            last,
            top_rating="A",
            kpis=["aht", "answer_rate"],
            direction=lambda k: "lower_better" if k == "aht" else "higher_better",
        )
    }
    rank = out[("level_rank", "")]
    # ranks 0,0,1,2 → 0.75; then 1,0,2,0 → 0.75: no change, so neither better nor worse
    assert (rank.before, rank.after, rank.change, rank.better) == (0.75, 0.75, 0.0, None)
    top = out[("top_rating", "")]
    assert (top.before, top.after, top.n_before, top.n_after) == (0.25, 0.5, 4, 4)
    assert top.better is True
    aht = out[("kpi", "aht")]
    assert aht.before == 330.0 and aht.after == 305.0 and aht.change == pytest.approx(-25.0)
    assert aht.better is True  # lower is better
    assert out[("kpi", "answer_rate")].better is None


def test_scopes_summed_ahead_by_hand() -> None:
    """The second cycle's rows per level: T1 is e1 and e2, T2 is e4 and e5 (one position),
    and e3, who left, counted where they were graded before."""
    gone = [{"department": "D2", "team": "T2", "position": "cs", "n": 1}]
    rows = {(r.level, r.department, r.team, r.position): r for r in rollups(CYCLES[1].cells, gone)}
    assert set(rows) == {
        ("cell", "D1", "T1", "cs"), ("cell", "D2", "T2", "cs"),
        ("team", "D1", "T1", ""), ("team", "D2", "T2", ""),
        ("department", "D1", "", ""), ("department", "D2", "", ""),
        ("department_position", "D1", "", "cs"), ("department_position", "D2", "", "cs"),
        ("position", "", "", "cs"),
    }  # fmt: skip
    cs = rows[("position", "", "", "cs")]
    assert cs.cell is not None and cs.cell["n"] == 4 and cs.leavers == 1
    assert cs.cell["kpis"]["aht"] == [1220.0, 4]  # 270 + 300 + 250 + 400
    t2 = rows[("team", "D2", "T2", "")]
    assert t2.cell is not None and t2.cell["kpis"]["aht"] == [650.0, 2] and t2.leavers == 1
    assert rows[("department", "D1", "", "")].leavers == 0


def test_a_scope_with_only_leavers_has_a_row_without_a_cell() -> None:
    gone = [{"department": "D3", "team": "T9", "position": "cs", "n": 2}]
    rows = {(r.level, r.team): r for r in rollups(CYCLES[1].cells, gone)}
    assert rows[("team", "T9")].cell is None and rows[("team", "T9")].leavers == 2
    assert rows[("cell", "T9")].cell is None


def test_every_scope_read_from_its_rows_equals_the_cells_summed() -> None:
    cells = CYCLES[0].cells + [
        {**c, "position": "tech", "team": c["team"] + "x"} for c in CYCLES[1].cells
    ]
    rows = rollups(cells, [])
    for department in ("", "D1", "D2"):
        for team in ("", "T1", "T2", "T1x"):
            for position in ("", "cs", "tech"):
                level = rollup_level(department=bool(department), team=bool(team),
                                     position=bool(position))  # fmt: skip
                chosen = [c for c in cells if in_scope(c, department=department, team=team,
                                                      position=position)]  # fmt: skip
                if level is None:
                    assert (department, team, position) == ("", "", "")
                    continue
                got = [
                    r.cell for r in rows
                    if r.level == level and r.cell is not None
                    and (not department or r.department == department)
                    and (not team or r.team == team)
                    and (not position or r.position == position)
                ]  # fmt: skip
                assert combine(got) == combine(chosen), (department, team, position)
