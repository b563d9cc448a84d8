"""Keeping a cycle's program snapshot: its stored results summed per department, team and
position (``engine.analysis.program.cycle_cells``), for the dashboard across cycles."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from callgrade.cycles.models import (
    Cycle,
    Decision,
    KpiValue,
    PayLine,
    ProgramScope,
    ProgramSnapshot,
    ScoreTotal,
)
from callgrade.cycles.services.training import Figures, cycle_training_figures
from callgrade.engine.analysis.program import (
    Graded,
    combine,
    cycle_cells,
    leaver_cells,
    rollups,
)
from callgrade.people.models import Employee, Team


def program_inputs(cycle: Cycle) -> tuple[list[Graded], list[str], dict[str, list[str]], list[str]]:
    """Each graded employee's results in ``cycle`` (position and team as graded, in the last
    rating period), the standard's KPIs, ladders (lowest first) and ratings (best first)."""
    policy = cycle.policy_version.policy()
    kpis = list(policy.kpi_codes())
    ladders_by_code = {la.code: [lv.code for lv in la.ordered()] for la in policy.ladders}
    ladders = {p.code: ladders_by_code.get(p.ladder, []) for p in policy.positions}
    ratings = [g.code for g in policy.ratings.grades]
    last = _last_period(cycle)
    values: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for pk, kpi, value in (
        KpiValue.objects.filter(cycle=cycle, kpi__in=kpis, value__isnull=False)
        .values_list("employee_id", "kpi", "value")
        .iterator(chunk_size=5000)
    ):
        values[pk][kpi].append(value)
    pay: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for pk, kind, amount in PayLine.objects.filter(cycle=cycle).values_list(
        "employee_id", "kind", "amount"
    ):
        pay[pk][kind] += float(amount)
    decisions = {
        pk: (level_from, final or level_to)
        for pk, level_from, level_to, final in Decision.objects.filter(cycle=cycle).values_list(
            "employee_id", "level_from", "level_to", "final_level"
        )
    }
    ids = dict(Employee.objects.filter(pk__in=list(last)).values_list("pk", "employee_id"))
    departments = dict(Team.objects.values_list("name", "department__name"))
    graded = []
    for pk, (_period, rating, position, team) in sorted(last.items()):
        level_from, level_to = decisions.get(pk, ("", ""))
        ladder = ladders.get(position, [])
        graded.append(
            Graded(
                employee_id=ids.get(pk, str(pk)),
                position=position,
                team=team,
                department=departments.get(team) or "",
                rating=rating,
                level_from=level_from,
                level_to=level_to,
                level_rank=ladder.index(level_from) if level_from in ladder else None,
                kpis={k: sum(v) / len(v) for k, v in values.get(pk, {}).items()},
                pay=dict(pay.get(pk, {})),
            )
        )
    return graded, kpis, ladders, ratings


def _last_period(cycle: Cycle) -> dict[int, tuple[str, str, str, str]]:
    """employee pk → (period, final rating, position, team) of their last rating period."""
    last: dict[int, tuple[str, str, str, str]] = {}
    rows = ScoreTotal.objects.filter(cycle=cycle).values_list(
        "employee_id", "period", "rating", "calibrated_rating", "detail__position", "detail__team"
    )
    for pk, period, rating, calibrated, position, team in rows.iterator(chunk_size=5000):
        if pk not in last or period >= last[pk][0]:
            last[pk] = (period, calibrated or rating, position or "", team or "")
    return last


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The computed cycle made just before ``cycle``."""
    return (
        Cycle.objects.filter(computed_at__isnull=False)
        .filter(
            Q(created_at__lt=cycle.created_at) | Q(created_at=cycle.created_at, id__lt=cycle.pk)
        )
        .order_by("-created_at", "-id")
        .first()
    )


def cycle_leavers(cycle: Cycle, graded: list[Graded]) -> list[dict[str, object]]:
    """Those graded in the previous computed cycle who have left and are not graded in this
    one, counted where they were graded before."""
    before = previous_cycle(cycle)
    if before is None:
        return []
    places = _last_period(before)
    left = set(
        Employee.objects.filter(pk__in=list(places), status="left").values_list("pk", flat=True)
    )
    if not left:
        return []
    ids = dict(Employee.objects.filter(pk__in=left).values_list("pk", "employee_id"))
    departments = dict(Team.objects.values_list("name", "department__name"))
    earlier = [
        Graded(ids[pk], position, team, departments.get(team) or "")
        for pk, (_p, _r, position, team) in places.items()
        if pk in left
    ]
    return leaver_cells(earlier, {g.employee_id for g in graded}, set(ids.values()))


def program_refresh(cycle: Cycle, *, training: bool = True) -> ProgramSnapshot:
    """Sum the cycle's stored results again and keep them (replacing the last snapshot).
    ``training=False`` keeps the training effect already kept: a step of the workflow changes
    decisions, not the KPI values or the trainings it is computed from."""
    graded, kpis, ladders, ratings = program_inputs(cycle)
    kept = None
    if not training:
        kept = ProgramSnapshot.objects.filter(cycle=cycle).values_list("training", flat=True)
        kept = kept.first()
    return program_store(
        cycle, graded, kpis=kpis, ladders=ladders, ratings=ratings,
        leavers=cycle_leavers(cycle, graded),
        training=cycle_training_figures(graded) if kept is None else kept,
    )  # fmt: skip


def program_store(
    cycle: Cycle,
    graded: list[Graded],
    *,
    kpis: list[str],
    ladders: dict[str, list[str]],
    ratings: list[str],
    leavers: list[dict[str, object]],
    training: Figures | None = None,
) -> ProgramSnapshot:
    """Keep ``cycle``'s snapshot of ``graded`` (its results, one per employee) and its scopes
    summed ahead of reading."""
    cells = cycle_cells(graded)
    with transaction.atomic():
        snapshot, _created = ProgramSnapshot.objects.update_or_create(
            cycle=cycle,
            defaults={
                "computed_at": timezone.now(),
                "standard": f"{cycle.policy_version.code} {cycle.policy_version.version}",
                "kpis": kpis,
                "ladders": ladders,
                "ratings": ratings,
                "cells": cells,
                "total": combine(cells),
                "leavers": leavers,
                "training": training or {},
            },
        )
        ProgramScope.objects.filter(cycle=cycle).delete()
        ProgramScope.objects.bulk_create(
            [
                ProgramScope(cycle=cycle, level=r.level, department=r.department, team=r.team,
                             position=r.position, cell=r.cell, leavers=r.leavers)
                for r in rollups(cells, leavers)
            ],
            batch_size=2000,
        )  # fmt: skip
    return snapshot
