"""What a cycle is computed from: one explicit, typed inputs object, and the people's records
read as of a day.

Facts machines record (calls, agent states, surveys, QA, sales, attendance, complaints) live in
the warehouse. Facts people decide (the roster, level history, trainings, competency
assessments, corrections) have one record, which the caller owns: the web application builds
:class:`CycleInputs` from its database, the CLI from the warehouse's tables of the same shape
(:meth:`CycleInputs.from_warehouse`). The engine reads nothing else.

Levels are dated. The roster holds each employee's current level; the level history says from
when each level was held, so a cycle graded again after its promotions took effect still grades
and pays everyone from the level they held then (:func:`roster_on`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.policy import Policy
from callgrade.engine.schemas import conform, empty
from callgrade.engine.scoring.grade import add_months_column
from callgrade.engine.scoring.inputs import hire_dates
from callgrade.engine.warehouse import Warehouse, WarehouseReader

PEOPLE_TABLES = ("roster", "level_history", "trainings", "competency_assessments", "corrections")


def _table(name: str) -> pa.Table:
    return empty(name)


@dataclass(frozen=True)
class CycleInputs:
    """Everything a cycle is computed from. Every table is checked against its canonical schema
    (``engine/schemas.py``) when the object is made; a table missing a required column or with
    nulls in one is refused with the column named."""

    facts: WarehouseReader  # the machine facts the KPIs are computed from
    roster: pa.Table
    level_history: pa.Table = field(default_factory=lambda: _table("level_history"))
    trainings: pa.Table = field(default_factory=lambda: _table("trainings"))
    assessments: pa.Table = field(default_factory=lambda: _table("competency_assessments"))
    corrections: pa.Table = field(default_factory=lambda: _table("corrections"))

    def __post_init__(self) -> None:
        for attr, name in (
            ("roster", "roster"),
            ("level_history", "level_history"),
            ("trainings", "trainings"),
            ("assessments", "competency_assessments"),
            ("corrections", "corrections"),
        ):
            table = getattr(self, attr)
            if table.schema != empty(name).schema:
                object.__setattr__(self, attr, conform(name, table))
        if self.roster.num_rows == 0:
            raise ValueError("the roster is empty: import the employees first")

    @classmethod
    def from_warehouse(cls, warehouse: Warehouse) -> CycleInputs:
        """The inputs as the warehouse holds them (the CLI's record of people): all from one
        snapshot, pinned for as long as the inputs live."""
        snap = warehouse.snapshot()
        roster = snap.read("roster")
        if roster.num_rows == 0:
            raise ValueError("the warehouse holds no roster: ingest the employee roster first")
        return cls(
            facts=snap,
            roster=roster,
            level_history=snap.read("level_history"),
            trainings=snap.read("trainings"),
            assessments=snap.read("competency_assessments"),
            corrections=snap.read("corrections"),
        )


def _local_days(column: pa.ChunkedArray | pa.Array, tz: str) -> pd.Series:
    return hire_dates(pd.Series(column.to_pandas()), tz)


def level_on(history: pa.Table, day: dt.date, tz: str) -> pd.DataFrame:
    """Each employee's level on ``day`` by the history, with the day it began (``since``).

    The latest entry effective on or before ``day`` gives the level (entries of one day: the
    later row); someone whose every entry lies after ``day`` held the first entry's
    ``level_from`` (when recorded). Employees without entries are absent."""
    if history.num_rows == 0:
        return pd.DataFrame({"employee_id": [], "level": [], "since": []})
    h = pd.DataFrame(
        {
            "employee_id": history.column("employee_id").to_pandas(),
            "level": history.column("level").to_pandas(),
            "level_from": history.column("level_from").to_pandas(),
            "effective": _local_days(history.column("effective"), tz),
            "row": np.arange(history.num_rows),
        }
    ).sort_values(["employee_id", "effective", "row"], kind="mergesort")
    cut = pd.Timestamp(day)
    past = h[h["effective"] <= cut].drop_duplicates("employee_id", keep="last")
    future = h[(h["effective"] > cut) & ~h["employee_id"].isin(past["employee_id"])]
    first = future.drop_duplicates("employee_id", keep="first")
    first = first[first["level_from"].notna() & (first["level_from"] != "")]
    since = np.concatenate(
        [
            past["effective"].to_numpy(dtype="datetime64[ns]"),
            np.full(len(first), np.datetime64("NaT"), dtype="datetime64[ns]"),
        ]
    )
    return pd.DataFrame(
        {
            "employee_id": [*past["employee_id"], *first["employee_id"]],
            "level": [*past["level"], *first["level_from"]],
            "since": since,
        }
    )


def on_probation(policy: Policy, hire_date: pd.Series, day: dt.date) -> pd.Series:
    """Whether each hire date (local midnights) puts the employee on probation on ``day``."""
    p = policy.cycle.probation
    if p is None:
        return pd.Series(False, index=hire_date.index)
    ends = add_months_column(hire_date, p.months)
    return (ends > pd.Timestamp(day)) & hire_date.notna()


def roster_on(policy: Policy, inputs: CycleInputs, day: dt.date) -> pa.Table:
    """The roster with each employee's level on ``day``: the level history's where it has one,
    and the standard's probation start level for whoever is on probation then. Returns the
    roster object itself when nothing differs (scoring memoizes on it)."""
    tz = policy.time_zone
    roster = inputs.roster
    levels = roster.column("level").to_pandas()
    new = levels.copy()
    held = level_on(inputs.level_history, day, tz)
    ids = roster.column("employee_id").to_pandas()
    if len(held):
        by_id = held.drop_duplicates("employee_id", keep="first").set_index("employee_id")
        found = ids.map(by_id["level"])
        new = found.where(found.notna(), new)
    p = policy.cycle.probation
    if p is not None and p.start_level is not None:
        hired = _local_days(roster.column("hire_date"), tz)
        new = new.where(~on_probation(policy, hired, day).to_numpy(), p.start_level)
    if new.fillna("\0").equals(levels.fillna("\0")):
        return roster
    at = roster.schema.get_field_index("level")
    return roster.set_column(at, roster.schema.field(at), pa.array(new, pa.string()))


def level_since(inputs: CycleInputs) -> pa.Table:
    """(employee_id, since) of every level change, for grading's tenure at the level."""
    h = inputs.level_history
    return pa.table({"employee_id": h.column("employee_id"), "since": h.column("effective")})


def trainings_held(inputs: CycleInputs, day: dt.date, tz: str) -> pa.Table:
    """The trainings that count on ``day``: completed by then, not failed, not lapsed."""
    t = inputs.trainings
    if t.num_rows == 0:
        return t
    keep = pc.invert(pc.fill_null(pc.equal(t.column("passed"), False), False))
    expires = _local_days(t.column("expires_at"), tz)
    lapsed = (expires.notna() & (expires <= pd.Timestamp(day))).to_numpy()
    return t.filter(pc.and_(keep, pa.array(~lapsed)))


def assessments_counted(policy: Policy, assessments: pa.Table) -> pa.Table:
    """The assessments as each competency's ``assessed_by`` counts them.

    ``exam`` or ``observation``: only assessments of that method (or of no stated method).
    ``exam_and_observation``: once an employee has both, each assessment date carries the mean
    of the latest exam and the latest observation up to it, so "the latest assessment by a day"
    is that mean. Codes the standard does not declare as competencies (e.g. a skill exam read as
    a scorecard input) pass unchanged."""
    if assessments.num_rows == 0 or not policy.competencies:
        return assessments
    df = assessments.to_pandas()
    method = df["method"].fillna("")
    keep = pd.Series(True, index=df.index)
    combined: list[pd.DataFrame] = []
    for c in policy.competencies:
        mine = df["competency"] == c.code
        if c.assessed_by in ("exam", "observation"):
            keep &= ~mine | method.isin(["", c.assessed_by])
            continue
        rows = df[mine].sort_values(["employee_id", "assessed_at"], kind="mergesort")
        for _, one in rows.groupby("employee_id", sort=False):
            kinds = one["method"].fillna("")
            if not ((kinds == "exam").any() and (kinds == "observation").any()):
                continue
            exam = one["score"].where(kinds == "exam").ffill()
            seen = one["score"].where(kinds == "observation").ffill()
            both = exam.notna() & seen.notna()
            mean = one[both].assign(score=((exam + seen) / 2)[both], method=None)
            keep &= ~df.index.isin(one.index[both])
            combined.append(mean)
    out = pd.concat([df[keep], *combined], ignore_index=True) if combined else df[keep]
    return pa.Table.from_pandas(out, schema=assessments.schema, preserve_index=False)
