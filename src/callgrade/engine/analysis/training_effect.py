"""Did a training work? Each course's effect on each KPI as a difference in differences.

For every trainee (a passed or attended completion of the course), the KPI's mean over the
``window`` months before the completion month is compared with its mean over the ``window``
months after it; the completion month itself is left out because it is half before, half after.
The same change is taken, over the same months, for the comparable colleagues: people of the same
position who never completed the course in the data. A course's effect is

    mean(trainee change) − mean(comparison change)

computed per cohort (the completion month and the trainees' position) and averaged with the
cohorts' trainee counts as weights, so a course given in March and again in May compares each
group with its own months and its own peers. The standard
error combines the two groups' variances (Welch) across cohorts with the same weights. The
improvement is the effect in the KPI's good direction (an effect of −8 s on handle time is an
improvement of 8 s).

A trainee is left out, with the reason counted, when a month of the window is outside the data or
the KPI has no value before or after. Fewer than ``min_sample`` trainees or comparison people
flags the row as a small sample: its figure is shown but not to be trusted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

EFFECT = pa.schema(
    [
        pa.field("course", pa.string(), nullable=False),
        pa.field("kpi", pa.string(), nullable=False),
        pa.field("direction", pa.string(), nullable=False),
        pa.field("trained_n", pa.int64(), nullable=False),
        pa.field("comparison_n", pa.int64(), nullable=False),
        pa.field("trained_before", pa.float64()),
        pa.field("trained_after", pa.float64()),
        pa.field("comparison_before", pa.float64()),
        pa.field("comparison_after", pa.float64()),
        pa.field("effect", pa.float64()),
        pa.field("improvement", pa.float64()),
        pa.field("standard_error", pa.float64()),
        pa.field("small_sample", pa.bool_(), nullable=False),
        pa.field("excluded_n", pa.int64(), nullable=False),
        pa.field("cohorts", pa.string(), nullable=False),
    ]
)


@dataclass(frozen=True)
class Completion:
    employee_id: str
    course: str
    completed: dt.date


@dataclass
class _Group:
    """One side of one cohort: each person's before and after means."""

    before: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.before)

    def changes(self) -> list[float]:
        return [a - b for b, a in zip(self.before, self.after, strict=True)]


def completions(trainings: pa.Table, tz: str) -> list[Completion]:
    """The completions that count: not failed (``passed`` false), as local days."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    out = []
    for row in trainings.select(["employee_id", "training", "completed_at", "passed"]).to_pylist():
        if row["passed"] is False:
            continue
        when = row["completed_at"]
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        out.append(Completion(row["employee_id"], row["training"], when.astimezone(zone).date()))
    return out


def _month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _var(xs: Sequence[float]) -> float:
    if len(xs) < 2:
        return 0.0
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def training_effect(
    completed: Sequence[Completion],
    monthly: pa.Table,
    positions: Mapping[str, str | None],
    directions: Mapping[str, str],
    *,
    window: int = 1,
    min_sample: int = 5,
) -> pa.Table:
    """The effect table (``EFFECT``), one row per (course, KPI) with at least one trainee in the
    data.

    ``monthly``: KPI values per agent and month in the KPI engine's long form (``period`` is the
    month label ``YYYY-MM``, ``entity_id`` the employee, ``kpi``, ``value``). ``positions``:
    employee → position code. ``directions``: KPI → ``higher_better`` or ``lower_better``."""
    if window < 1:
        raise ValueError(f"window={window}: give at least one month before and after")
    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for row in monthly.select(["period", "entity_id", "kpi", "value"]).to_pylist():
        if row["value"] is not None and not math.isnan(row["value"]):
            values[(row["kpi"], row["entity_id"])][row["period"]] = float(row["value"])
    months = sorted(set(monthly.column("period").to_pylist()))
    index = {m: i for i, m in enumerate(months)}
    kpis = sorted({k for k, _ in values})
    people = sorted({e for _, e in values})
    ever: dict[str, set[str]] = defaultdict(set)
    for c in completed:
        ever[c.course].add(c.employee_id)
    # Everyone's values as one array per KPI (people × months, NaN where none), so that each
    # cohort's comparison group is a few array operations rather than a loop over everyone:
    # at 10,000 people and 24 months the loop took minutes. Means add the window's months in
    # order from 0, as ``_mean`` does, so the figures are the same to the last bit.
    row_of = {p: i for i, p in enumerate(people)}
    grids = {k: np.full((len(people), len(months)), np.nan) for k in kpis}
    for (kpi, person), by_month in values.items():
        grid, place = grids[kpi], row_of[person]
        for m, v in by_month.items():
            grid[place, index[m]] = v
    sides: dict[tuple[str, int, int], np.ndarray] = {}

    def side_means(kpi: str, lo: int, hi: int) -> np.ndarray:
        """Each person's mean over months ``lo``..``hi - 1`` (NaN without a value)."""
        if (kpi, lo, hi) not in sides:
            total, count = np.zeros(len(people)), np.zeros(len(people))
            for j in range(lo, hi):
                column = grids[kpi][:, j]
                ok = ~np.isnan(column)
                total[ok] += column[ok]
                count[ok] += 1
            with np.errstate(invalid="ignore", divide="ignore"):
                sides[(kpi, lo, hi)] = np.where(count > 0, total / count, np.nan)
        return sides[(kpi, lo, hi)]

    held = [positions.get(p) for p in people]
    of_position: dict[str | None, np.ndarray] = {}
    never: dict[str, np.ndarray] = {}
    for course, who in ever.items():
        never[course] = np.array([p not in who for p in people], dtype=bool)

    rows = []
    for course in sorted(ever):
        for kpi in kpis:
            cohorts: dict[tuple[int, str | None], tuple[_Group, _Group]] = {}
            excluded = 0
            for c in (c for c in completed if c.course == course):
                at = index.get(_month_key(c.completed))
                if at is None or at - window < 0 or at + window >= len(months):
                    excluded += 1
                    continue
                before = side_means(kpi, at - window, at)
                after = side_means(kpi, at + 1, at + 1 + window)
                r = row_of.get(c.employee_id)
                b = None if r is None or np.isnan(before[r]) else float(before[r])
                a = None if r is None or np.isnan(after[r]) else float(after[r])
                if b is None or a is None:
                    excluded += 1
                    continue
                own = positions.get(c.employee_id)
                if (at, own) not in cohorts:
                    if own not in of_position:
                        of_position[own] = np.array([h == own for h in held], dtype=bool)
                    # the comparison group: same position, never trained on the course, with
                    # values on both sides of the same months
                    peers = of_position[own] & never[course] & ~np.isnan(before) & ~np.isnan(after)
                    group = _Group(before[peers].tolist(), after[peers].tolist())
                    cohorts[(at, own)] = (_Group(), group)
                cohorts[(at, own)][0].before.append(b)
                cohorts[(at, own)][0].after.append(a)
            direction = directions.get(kpi, "higher_better")
            rows.append(_row(course, kpi, direction, cohorts, months, excluded, min_sample))
    rows = [r for r in rows if r["trained_n"] or r["excluded_n"]]
    return pa.Table.from_pylist(rows, schema=EFFECT)


_FIGURES = (
    "trained_before",
    "trained_after",
    "comparison_before",
    "comparison_after",
    "effect",
    "improvement",
    "standard_error",
)


def _row(
    course: str,
    kpi: str,
    direction: str,
    cohorts: Mapping[tuple[int, str | None], tuple[_Group, _Group]],
    months: Sequence[str],
    excluded: int,
    min_sample: int,
) -> dict[str, object]:
    usable = {at: (t, c) for at, (t, c) in cohorts.items() if t.n and c.n}
    trained_n = sum(t.n for t, _ in usable.values())
    comparison_n = sum(c.n for _, c in usable.values())
    excluded += sum(t.n for at, (t, c) in cohorts.items() if at not in usable)
    out: dict[str, object] = {
        "course": course,
        "kpi": kpi,
        "direction": direction,
        "trained_n": trained_n,
        "comparison_n": comparison_n,
        "excluded_n": excluded,
        "small_sample": trained_n < min_sample or comparison_n < min_sample,
        "cohorts": ", ".join(months[at] for at in sorted({at for at, _ in usable})),
    }
    if not usable:
        return out | dict.fromkeys(_FIGURES)
    weights = {at: t.n / trained_n for at, (t, _) in usable.items()}

    def weighted(pick: Callable[[_Group, _Group], float]) -> float:
        return sum(weights[at] * pick(t, c) for at, (t, c) in usable.items())

    effect = weighted(lambda t, c: _mean(t.changes()) - _mean(c.changes()))
    variance = sum(
        weights[at] ** 2 * (_var(t.changes()) / t.n + _var(c.changes()) / c.n)
        for at, (t, c) in usable.items()
    )
    return out | {
        "trained_before": weighted(lambda t, c: _mean(t.before)),
        "trained_after": weighted(lambda t, c: _mean(t.after)),
        "comparison_before": weighted(lambda t, c: _mean(c.before)),
        "comparison_after": weighted(lambda t, c: _mean(c.after)),
        "effect": effect,
        "improvement": effect if direction == "higher_better" else -effect,
        "standard_error": math.sqrt(variance),
    }
