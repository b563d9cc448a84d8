"""The program dashboard across cycles for people to read: the scope the reader may see (HR the
whole center, filtered by department, team or position; a team lead their own teams), each
series over the computed cycles with the standard's adoption marked, the level flows, and the
expected effects before and after, with their words and a workbook of the same."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from callgrade.cycles.models import Cycle, ProgramScope, ProgramSnapshot
from callgrade.cycles.selectors.training import (
    EffectRow,
    effect_header,
    effect_table_rows,
    effect_text_rows,
)
from callgrade.cycles.services.program import program_refresh
from callgrade.cycles.services.training import MIN_SAMPLE
from callgrade.engine.analysis import program as engine
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import (
    AnyUser,
    Denied,
    headed_department_ids,
    is_hr,
    led_team_ids,
)
from callgrade.people.models import Department, Team
from callgrade.standards.labels import pay_kind_label, standard_names
from callgrade.standards.text import kpi_label, value_text


def _measure_label(code: str) -> str:
    if code == "level_rank":
        return _("Mean level (0 = the ladder's first)")
    return _("Share with the top rating")


@dataclass(frozen=True)
class Reader:
    """What the reader may see: everything (HR), or the departments they head and the teams
    they lead (names; a cell is theirs when either holds it, as it was graded)."""

    departments: frozenset[str] | None = None  # None: the whole center
    teams: frozenset[str] = frozenset()

    @property
    def whole(self) -> bool:
        return self.departments is None


def reader_of(user: AnyUser) -> Reader:
    """HR: everything; a department head and a team lead: their own; anyone else refused."""
    if is_hr(user):
        return Reader()
    depts = headed_department_ids(user)
    teams = led_team_ids(user)
    if not depts and not teams:
        raise Denied
    return Reader(
        frozenset(Department.objects.filter(pk__in=depts).values_list("name", flat=True)),
        frozenset(Team.objects.filter(pk__in=teams).values_list("name", flat=True)),
    )


def program_cycles() -> tuple[list[Cycle], list[ProgramSnapshot]]:
    """Every computed cycle, oldest first, and its snapshot without the cells (pages read the
    scopes summed ahead, ``ProgramScope``). A cycle computed before snapshots were kept is
    summed now, once."""
    cycles = list(
        Cycle.objects.filter(computed_at__isnull=False)
        .only("id", "name", "created_at", "policy_version_id")  # not each standard's text
        .order_by("created_at", "id")
    )
    snaps = ProgramSnapshot.objects.filter(cycle__in=[c.pk for c in cycles]).defer(
        "cells", "training"
    )
    have = {s.cycle_id: s for s in snaps}
    for c in cycles:
        if c.pk not in have:
            have[c.pk] = program_refresh(c)
    return cycles, [have[c.pk] for c in cycles]


def _scope_rows(reader: Reader, *, department: str, team: str, position: str) -> Any:
    """The ``ProgramScope`` rows whose sum per cycle is the scope asked for, as a queryset,
    or None for the whole center (each snapshot's total)."""
    rows = ProgramScope.objects.all()
    if position:
        rows = rows.filter(position=position)
    if reader.whole:
        level = engine.rollup_level(department=bool(department), team=bool(team),
                                    position=bool(position))  # fmt: skip
        if level is None:
            return None
        rows = rows.filter(level=level)
        if department:
            rows = rows.filter(department=department)
        if team:
            rows = rows.filter(team=team)
        return rows
    # the departments headed, then the led teams outside them (never counted twice)
    mine = Q(pk__in=[])
    if reader.departments:
        level = engine.rollup_level(department=True, team=bool(team), position=bool(position))
        mine |= Q(level=level, department__in=reader.departments)
    if reader.teams:
        level = engine.rollup_level(department=False, team=True, position=bool(position))
        mine |= Q(level=level, team__in=reader.teams) & ~Q(department__in=reader.departments)
    rows = rows.filter(mine)
    if department:
        rows = rows.filter(department=department)
    if team:
        rows = rows.filter(team=team)
    return rows


def scoped_series(
    reader: Reader,
    cycles: list[Cycle],
    snaps: list[ProgramSnapshot],
    *,
    department: str = "",
    team: str = "",
    position: str = "",
) -> tuple[list[engine.Cell | None], list[int]]:
    """Each cycle's scope as one cell (None where it holds nobody) and its leavers."""
    rows = _scope_rows(reader, department=department, team=team, position=position)
    if rows is None:
        return (
            [s.total or None for s in snaps],
            [sum(int(x["n"]) for x in s.leavers) for s in snaps],
        )
    cells: dict[int, list[engine.Cell]] = defaultdict(list)
    gone: dict[int, int] = defaultdict(int)
    for cycle_id, cell, leavers in rows.filter(cycle__in=cycles).values_list(
        "cycle_id", "cell", "leavers"
    ):
        if cell is not None:
            cells[cycle_id].append(cell)
        gone[cycle_id] += leavers
    return (
        [engine.combine(cells[c.pk]) if cells[c.pk] else None for c in cycles],
        [gone[c.pk] for c in cycles],
    )


def reader_choices(reader: Reader, snaps: list[ProgramSnapshot]) -> dict[str, list[str]]:
    """The departments, teams and positions the reader may narrow to."""
    if reader.whole:  # HR: the organization as it is
        return {
            "departments": list(Department.objects.order_by("name").values_list("name", flat=True)),
            "teams": list(Team.objects.order_by("name").values_list("name", flat=True)),
            "positions": sorted({p for s in snaps for p in s.ladders}),
        }
    # the others: what their scope was graded in
    mine = Q(department__in=reader.departments or ()) | Q(team__in=reader.teams)
    places = set(
        ProgramScope.objects.filter(mine, level="cell").values_list("team", "position").distinct()
    )
    departments = sorted(reader.departments or ())
    return {
        "departments": departments if len(departments) > 1 else [],
        "teams": sorted({t for t, _p in places if t}),
        "positions": sorted({p for _t, p in places if p}),
    }


def _ordered_union(lists: list[list[str]]) -> list[str]:
    out: list[str] = []
    for codes in lists:
        out += [c for c in codes if c not in out]
    return out


def training_scope(reader: Reader, *, department: str, team: str, position: str) -> str | None:
    """Whose training effect the page shows: "" the center, a department's name, or None where
    it is not measured (a team or a position alone is too small to compare, and a lead reads
    only their teams)."""
    if team or position:
        return None
    if reader.whole:
        return department
    headed = sorted(reader.departments or ())
    if department:
        return department if department in headed else None
    return headed[0] if len(headed) == 1 else None


def training_rows(
    reader: Reader,
    cycles: list[Cycle],
    *,
    department: str,
    team: str,
    position: str,
    titles: dict[str, str],
) -> tuple[list[EffectRow] | None, int]:
    """The training effect as of the latest computed cycle, for the scope (None: not
    measured for it): the courses and KPIs with trainees measured on both sides, and how many
    had none (the development report lists those too; here they would bury the rest)."""
    key = training_scope(reader, department=department, team=team, position=position)
    if key is None or not cycles:
        return None, 0
    kept = (
        ProgramSnapshot.objects.filter(cycle=cycles[-1]).values_list("training", flat=True).first()
    )
    rows = (kept or {}).get(key, [])
    measured = [r for r in rows if r["trained_n"]]
    return (
        effect_text_rows(measured, titles, min_sample=MIN_SAMPLE),
        len(rows) - len(measured),
    )


def program_dashboard(
    user: AnyUser, lang: str, *, department: str = "", team: str = "", position: str = ""
) -> dict[str, Any]:
    """Everything the dashboard shows for ``user`` and the scope asked for."""
    reader = reader_of(user)
    cycles, snaps = program_cycles()
    names = standard_names(lang)
    choices = reader_choices(reader, snaps)
    scoped, leavers = scoped_series(
        reader, cycles, snaps, department=department, team=team, position=position
    )
    views = [engine.CycleView(c.name, s.standard, []) for c, s in zip(cycles, snaps, strict=True)]
    training, unmeasured = training_rows(
        reader, cycles, department=department, team=team, position=position,
        titles=names["trainings"],
    )  # fmt: skip
    labels = [c.label for c in views]
    adopted = engine.adoptions(views)
    kpis = _ordered_union([s.kpis for s in reversed(snaps)])
    ratings = _ordered_union([s.ratings for s in reversed(snaps)])
    positions = [position] if position else choices["positions"]
    ladder_lists = [s.ladders.get(p, []) for s in reversed(snaps) for p in positions]
    levels = _ordered_union(ladder_lists)
    level_names = names["levels"]
    kpi_rows = [
        {
            "code": k,
            "label": kpi_label(k, lang),
            "unit": REGISTRY[k].unit if k in REGISTRY else "",
            "values": series,
            "texts": [
                value_text(v, REGISTRY[k].unit if k in REGISTRY else "", lang) for v in series
            ],
        }
        for k, series in engine.kpi_series(scoped, kpis).items()
    ]
    rating_series = engine.count_series(scoped, "ratings", ratings)
    level_series = engine.count_series(scoped, "levels", levels)
    kinds = _ordered_union([sorted(c["pay"]) for c in scoped if c])
    pay = {k: [round(float(c["pay"].get(k, 0.0)), 2) if c else 0.0 for c in scoped] for k in kinds}
    headcount = [c["n"] if c else 0 for c in scoped]
    total = engine.combine([c for c in scoped if c])
    order = _ordered_union([levels])
    flow_rows = [
        {
            **f,
            "from_name": level_names.get(f["from"], f["from"]),
            "to_name": level_names.get(f["to"], f["to"]),
        }
        for f in engine.flows(total, order)
    ]
    present = [c for c in scoped if c]
    effects = []
    if len(present) >= 2 and ratings:
        for e in engine.effects(
            present[0],
            present[-1],
            top_rating=ratings[0],
            kpis=kpis,
            direction=lambda k: REGISTRY[k].direction if k in REGISTRY else "higher_better",
        ):
            unit = REGISTRY[e.kpi].unit if e.kpi in REGISTRY else ""

            def text(v: float | None, measure: str = e.measure, unit: str = unit) -> str:
                if v is None:
                    return "—"
                if measure == "top_rating":
                    return f"{v * 100:.1f}%"
                if measure == "level_rank":
                    return f"{v:.2f}"
                return value_text(v, unit, lang)

            effects.append(
                {
                    **e.__dict__,
                    "label": kpi_label(e.kpi, lang) if e.kpi else _measure_label(e.measure),
                    "before_text": text(e.before),
                    "after_text": text(e.after),
                    "change_text": "—"
                    if e.change is None
                    else (("+" if e.change > 0 else "") + text(e.change).lstrip("+")),
                }
            )
    chart = {
        "cycles": labels,
        "adopted": [labels[i] for i in adopted],
        "kpis": [{"label": r["label"], "values": r["values"]} for r in kpi_rows],
        "ratings": [{"name": r, "data": rating_series[r]} for r in ratings],
        "levels": [{"name": level_names.get(lv, lv), "data": level_series[lv]} for lv in levels],
        "pay": [{"name": pay_kind_label(k), "data": pay[k]} for k in kinds],
        "leavers": leavers,
        "headcount": headcount,
        "flows": [
            {
                "source": _("%(level)s (before)") % {"level": f["from_name"]},
                "target": _("%(level)s (after)") % {"level": f["to_name"]},
                "value": f["n"],
            }
            for f in flow_rows
        ],
    }
    return {
        "cycles": labels,
        "adopted": set(adopted),
        "standards": [c.standard for c in views],
        "choices": choices,
        "scope": {"department": department, "team": team, "position": position},
        "lead_only": not reader.whole,
        "heads": sorted(reader.departments or ()),
        "training": training,
        "training_unmeasured": unmeasured,
        "training_header": effect_header(),
        "training_min_sample": MIN_SAMPLE,
        "kpi_rows": kpi_rows,
        "rating_rows": [(r, rating_series[r]) for r in ratings],
        "level_rows": [(level_names.get(lv, lv), level_series[lv]) for lv in levels],
        "pay_rows": [(pay_kind_label(k), pay[k]) for k in kinds],
        "leavers": leavers,
        "headcount": headcount,
        "flows": flow_rows,
        "effects": effects,
        "chart": chart,
        "position_names": names["positions"],
    }


def program_sheets(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The dashboard's tables as workbook sheets: numbers stay numbers."""
    cycles = data["cycles"]
    head = [_("Series"), *cycles]
    return [
        (_("Indicators"), head, [[r["label"], *r["values"]] for r in data["kpi_rows"]]),
        (_("Ratings"), head, [[r, *s] for r, s in data["rating_rows"]]),
        (_("Levels"), head, [[lv, *s] for lv, s in data["level_rows"]]),
        (_("Pay"), head, [[k, *s] for k, s in data["pay_rows"]]),
        (
            _("People"),
            head,
            [[_("Employees graded"), *data["headcount"]], [_("Leavers"), *data["leavers"]]],
        ),
        (
            _("Level moves"),
            [_("From"), _("To"), _("Employees"), _("Direction")],
            [[f["from_name"], f["to_name"], f["n"], _direction(f["way"])] for f in data["flows"]],
        ),
        (
            _("Expected effects"),
            [
                _("Measure"),
                _("Before"),
                _("Employees before"),
                _("After"),
                _("Employees after"),
                _("Change"),
            ],
            [
                [e["label"], e["before"], e["n_before"], e["after"], e["n_after"], e["change"]]
                for e in data["effects"]
            ],
        ),
        (
            _("Training effect"),
            data["training_header"],
            effect_table_rows(data["training"] or []),
        ),
    ]


def _direction(way: str) -> str:
    if way == "up":
        return _("promotion")
    if way == "down":
        return _("demotion")
    return "—"
