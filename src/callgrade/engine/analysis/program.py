"""Monitoring the program across cycles (监测评估, 预期效果), over explicit inputs.

A computed cycle is summed once into **cells**, one per (department, team, position): the
headcount, each KPI's sum and count (a mean over any set of cells is their sums over their
counts), the employees per final rating and per level, the mean level rank (0 the ladder's
lowest level), pay by kind and the level moves ("junior>senior"); beside them the cycle's
leavers, counted in the cell they were graded in the cycle before. Cells add up, so any scope —
the center, a department, a position, a team, a lead's teams — is the sum of its cells, and the
pages never read the result rows of past cycles again.

Across cycles (oldest first) the dashboard reads: KPI means per cycle with the cycles where the
standard in force changed marked (its adoption); employees per rating and per level; the level
flows (promotions and demotions between levels); pay by kind; leavers (graded in the previous
cycle, left by the time this one was computed, and not graded in it); and the **expected
effects** of the standard as
tracked measures, each before (the first cycle in view) and after (the latest) with the number
of employees behind each side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

Cell = dict[str, Any]


@dataclass(frozen=True)
class Graded:
    """One employee's results in one cycle."""

    employee_id: str
    position: str
    team: str = ""
    department: str = ""
    rating: str = ""  # the final rating of the cycle's last rating period
    level_from: str = ""
    level_to: str = ""  # the final level (HR's decision, else the proposal)
    level_rank: int | None = None  # the place of ``level_from`` on the ladder, 0 lowest
    kpis: Mapping[str, float] = field(default_factory=dict)  # over the cycle's rating periods
    pay: Mapping[str, float] = field(default_factory=dict)  # kind → amount


def cycle_cells(graded: Iterable[Graded]) -> list[Cell]:
    """The cycle's cells, sorted by department, team and position."""
    cells: dict[tuple[str, str, str], Cell] = {}
    for g in graded:
        key = (g.department, g.team, g.position)
        c = cells.get(key)
        if c is None:
            c = cells[key] = {
                "department": g.department, "team": g.team, "position": g.position, "n": 0,
                "kpis": {}, "ratings": {}, "levels": {}, "rank": [0.0, 0], "pay": {},
                "flows": {},
            }  # fmt: skip
        c["n"] += 1
        for code, value in g.kpis.items():
            s = c["kpis"].setdefault(code, [0.0, 0])
            s[0] += value
            s[1] += 1
        if g.rating:
            c["ratings"][g.rating] = c["ratings"].get(g.rating, 0) + 1
        if g.level_from:
            c["levels"][g.level_from] = c["levels"].get(g.level_from, 0) + 1
        if g.level_rank is not None:
            c["rank"][0] += g.level_rank
            c["rank"][1] += 1
        for kind, amount in g.pay.items():
            c["pay"][kind] = round(c["pay"].get(kind, 0.0) + amount, 2)
        if g.level_from and g.level_to and g.level_to != g.level_from:
            move = f"{g.level_from}>{g.level_to}"
            c["flows"][move] = c["flows"].get(move, 0) + 1
    return [cells[k] for k in sorted(cells)]


def _add(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    for k, v in more.items():
        if isinstance(v, list):
            s = into.setdefault(k, [0.0, 0])
            s[0] += v[0]
            s[1] += v[1]
        else:
            into[k] = into.get(k, 0) + v


def combine(cells: Iterable[Cell]) -> Cell:
    """The sum of ``cells``: one cell for the whole scope."""
    out: Cell = {"department": "", "team": "", "position": "", "n": 0, "kpis": {},
                 "ratings": {}, "levels": {}, "rank": [0.0, 0], "pay": {}, "flows": {}}  # fmt: skip
    for c in cells:
        out["n"] += c["n"]
        out["rank"] = [out["rank"][0] + c["rank"][0], out["rank"][1] + c["rank"][1]]
        for key in ("kpis", "ratings", "levels", "pay", "flows"):
            _add(out[key], c[key])
    return out


def mean(pair: Sequence[float] | None) -> float | None:
    if not pair or not pair[1]:
        return None
    return pair[0] / pair[1]


@dataclass(frozen=True)
class CycleView:
    """One cycle as the dashboard reads it: its label, the standard in force and its cells."""

    label: str
    standard: str
    cells: list[Cell]
    leavers: list[Cell] = field(default_factory=list)  # {department, team, position, n}


@dataclass(frozen=True)
class Effect:
    measure: str  # "level_rank", "top_rating" or "kpi"
    kpi: str  # the KPI of a "kpi" measure
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    change: float | None
    better: bool | None  # whether the change goes the better way; None when it cannot be told


def adoptions(cycles: Sequence[CycleView]) -> list[int]:
    """The indexes of the cycles where the standard in force changed (the first cycle too)."""
    return [i for i, c in enumerate(cycles) if i == 0 or c.standard != cycles[i - 1].standard]


def leaver_cells(before: Iterable[Graded], graded_now: Set[str], left: Set[str]) -> list[Cell]:
    """Those graded in the cycle ``before`` who have left and are not graded now, counted in the
    cell (department, team, position) they were graded in."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for g in before:
        if g.employee_id in left and g.employee_id not in graded_now:
            counts[(g.department, g.team, g.position)] += 1
    return [
        {"department": d, "team": t, "position": p, "n": n}
        for (d, t, p), n in sorted(counts.items())
    ]


def leavers(cycles: Sequence[CycleView], keep: Callable[[Cell], bool]) -> list[int]:
    """Per cycle, its leavers in the scope."""
    return [sum(x["n"] for x in c.leavers if keep(x)) for c in cycles]


def effects(
    first: Cell,
    last: Cell,
    *,
    top_rating: str,
    kpis: Sequence[str],
    direction: Callable[[str], str],
) -> list[Effect]:
    """The expected effects (ability up, a better team structure, efficiency up) as measures,
    before and after: the mean level rank, the share with the top rating and each KPI's mean.
    ``direction(kpi)`` is ``higher_better`` or ``lower_better``."""

    def share(c: Cell) -> tuple[float | None, int]:
        n = sum(c["ratings"].values())
        return (c["ratings"].get(top_rating, 0) / n if n else None), n

    def one(measure: str, kpi: str, b: tuple[float | None, int], a: tuple[float | None, int],
            higher: bool) -> Effect:  # fmt: skip
        change = a[0] - b[0] if a[0] is not None and b[0] is not None else None
        better = None if change is None or change == 0 else (change > 0) == higher
        return Effect(measure, kpi, b[0], a[0], b[1], a[1], change, better)

    out = [
        one(
            "level_rank",
            "",
            (mean(first["rank"]), first["rank"][1]),
            (mean(last["rank"]), last["rank"][1]),
            True,
        ),
        one("top_rating", "", share(first), share(last), True),
    ]
    for k in kpis:
        b, a = first["kpis"].get(k), last["kpis"].get(k)
        out.append(
            one(
                "kpi",
                k,
                (mean(b), int(b[1]) if b else 0),
                (mean(a), int(a[1]) if a else 0),
                direction(k) != "lower_better",
            )
        )
    return out


def flows(cell: Cell, order: Sequence[str]) -> list[dict[str, Any]]:
    """The level moves of a scope as (from, to, count, way) sorted by count, ``way`` ``up`` or
    ``down`` by ``order`` (levels lowest first; unknown levels count as neither)."""
    out = []
    for move, n in cell["flows"].items():
        a, _sep, b = move.partition(">")
        way = ""
        if a in order and b in order:
            way = "up" if order.index(b) > order.index(a) else "down"
        out.append({"from": a, "to": b, "n": n, "way": way})
    return sorted(out, key=lambda f: (-f["n"], f["from"], f["to"]))


def in_scope(
    cell: Cell,
    *,
    department: str = "",
    team: str = "",
    position: str = "",
    teams: Set[str] | None = None,
) -> bool:
    """Whether ``cell`` is in the scope asked for; ``teams`` (a lead's) limits it further."""
    if teams is not None and cell["team"] not in teams:
        return False
    return (
        (not department or cell["department"] == department)
        and (not team or cell["team"] == team)
        and (not position or cell["position"] == position)
    )


def scoped_cells(cycles: Sequence[CycleView], keep: Callable[[Cell], bool]) -> list[Cell | None]:
    """Each cycle's scope as one cell (None where the scope holds nobody)."""
    out: list[Cell | None] = []
    for c in cycles:
        chosen = [x for x in c.cells if keep(x)]
        out.append(combine(chosen) if chosen else None)
    return out


def kpi_series(scoped: Sequence[Cell | None], kpis: Sequence[str]) -> dict[str, list[float | None]]:
    return {k: [mean(c["kpis"].get(k)) if c else None for c in scoped] for k in kpis}


def count_series(
    scoped: Sequence[Cell | None], key: str, codes: Sequence[str]
) -> dict[str, list[int]]:
    return {code: [int(c[key].get(code, 0)) if c else 0 for c in scoped] for code in codes}


# --- scopes summed ahead of reading ---------------------------------------------------------------
# A scope of the dashboard is read from the cells summed once when the snapshot is kept, so a
# page reads one row per cycle (a team, a department, a position, a department's position) or a
# few (a lead's teams), never every cell of every cycle. A team belongs to one department in a
# cycle (its department is looked up when the cycle is summed), so a team's rows carry it.

# level → the dimensions its rows are keyed by (the others summed over)
LEVELS: dict[str, tuple[str, ...]] = {
    "cell": ("department", "team", "position"),
    "team": ("department", "team"),
    "department": ("department",),
    "department_position": ("department", "position"),
    "position": ("position",),
}


@dataclass(frozen=True)
class Rollup:
    """The sum of a cycle's cells and leavers over one scope of a ``LEVELS`` level; ``cell`` is
    None where the scope had leavers but nobody graded."""

    level: str
    department: str
    team: str
    position: str
    cell: Cell | None
    leavers: int


def rollups(cells: Iterable[Cell], leaver_list: Iterable[Cell]) -> list[Rollup]:
    """Every scope of every level of one cycle, summed from its cells and leaver cells."""
    cells, leaver_list = list(cells), list(leaver_list)
    out = []
    for level, dims in LEVELS.items():
        groups: dict[tuple[str, ...], list[Cell]] = defaultdict(list)
        gone: dict[tuple[str, ...], int] = defaultdict(int)
        for c in cells:
            groups[tuple(c[d] for d in dims)].append(c)
        for x in leaver_list:
            gone[tuple(x[d] for d in dims)] += int(x["n"])
        for key in sorted(set(groups) | set(gone)):
            named = dict(zip(dims, key, strict=True))
            out.append(
                Rollup(
                    level,
                    named.get("department", ""),
                    named.get("team", ""),
                    named.get("position", ""),
                    combine(groups[key]) if key in groups else None,
                    gone.get(key, 0),
                )
            )
    return out


def rollup_level(*, department: bool, team: bool, position: bool) -> str | None:
    """The level whose rows answer a scope narrowed by these dimensions (None: the whole
    center, read from the snapshot's total). A team's rows name its department, so a scope
    by team (with or without its department) reads the team level."""
    if team:
        return "cell" if position else "team"
    if department:
        return "department_position" if position else "department"
    return "position" if position else None
