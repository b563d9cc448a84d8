"""The training effect (difference in differences, ``engine.analysis.training_effect``) over
what the app keeps: the monthly KPI values the grading cycles stored, the people's positions and
their training records. The development report computes it as it renders; a cycle's program
snapshot keeps it for the whole center and for each department as graded in that cycle, so the
program dashboard reads it without going over every stored KPI value again.

Of a month computed by several cycles, the latest computation's value counts (a recompute after
a correction replaces the figure people were graded on). Only the KPIs of the standard in force
are analysed; a cycle whose rating period is not a month contributes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from callgrade.cycles.models import KpiValue
from callgrade.engine.analysis.program import Graded
from callgrade.engine.analysis.training_effect import Completion, training_effect
from callgrade.engine.kpis import REGISTRY
from callgrade.people.models import Employee, TrainingRecord
from callgrade.standards.services import policy_current

MONTH = re.compile(r"^\d{4}-\d{2}$")
MIN_SAMPLE = 5
MONTHLY = pa.schema(
    [("period", pa.string()), ("entity_id", pa.string()), ("kpi", pa.string()),
     ("value", pa.float64())]
)  # fmt: skip
Figures = dict[str, list[dict[str, object]]]  # scope ("" the center, else a department) → rows


def effect_inputs() -> tuple[list[Completion], pa.Table, dict[str, str | None], dict[str, str]]:
    """The engine's inputs from the database: completions, monthly KPI values, positions and
    each KPI's good direction."""
    version = policy_current()
    kpis = [k for k in (version.policy().kpi_codes() if version else ()) if k in REGISTRY]
    latest: dict[tuple[str, str, str], float | None] = {}
    rows = (
        KpiValue.objects.filter(kpi__in=kpis)
        .order_by("cycle__computed_at", "cycle_id")
        .values_list("employee__employee_id", "period", "kpi", "value")
    )
    for emp, period, kpi, value in rows.iterator(chunk_size=5000):
        if MONTH.match(period):
            latest[(emp, period, kpi)] = value
    monthly = pa.Table.from_pylist(
        [{"period": p, "entity_id": e, "kpi": k, "value": v} for (e, p, k), v in latest.items()],
        schema=MONTHLY,
    )
    completed = [
        Completion(emp, training, day)
        for emp, training, day, passed in TrainingRecord.objects.values_list(
            "employee__employee_id", "training", "completed_at", "passed"
        )
        if passed is not False  # a failed exam is not a completion (the engine's rule)
    ]
    positions: dict[str, str | None] = dict(Employee.objects.values_list("employee_id", "position"))
    directions: dict[str, str] = {k: REGISTRY[k].direction for k in kpis}
    return completed, monthly, positions, directions


def training_figures(
    graded: Iterable[Graded],
    completed: list[Completion],
    monthly: pa.Table,
    positions: dict[str, str | None],
    directions: dict[str, str],
    *,
    min_sample: int = MIN_SAMPLE,
) -> Figures:
    """The effect table of the whole center (key "") and of each department, its people those
    the cycle graded there (trainees and comparison colleagues alike)."""
    if not completed or monthly.num_rows == 0:
        return {}
    out: Figures = {
        "": training_effect(completed, monthly, positions, directions, min_sample=min_sample)
        .to_pylist()
    }  # fmt: skip
    members: dict[str, set[str]] = defaultdict(set)
    for g in graded:
        if g.department:
            members[g.department].add(g.employee_id)
    for department, people in sorted(members.items()):
        mine = [c for c in completed if c.employee_id in people]
        if not mine:
            continue
        rows = monthly.filter(pc.is_in(monthly["entity_id"], pa.array(sorted(people))))
        table = training_effect(mine, rows, positions, directions, min_sample=min_sample)
        out[department] = table.to_pylist()
    return out


def cycle_training_figures(graded: Iterable[Graded]) -> Figures:
    """:func:`training_figures` over everything the app keeps now."""
    return training_figures(graded, *effect_inputs())
