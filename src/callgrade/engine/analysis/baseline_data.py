"""The current-state report's inputs read from the warehouse: the KPIs of the whole period and
of each month, and which agents have records of each source in each month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa

from callgrade.engine.analysis.baseline import Baseline, Staff, baseline_report
from callgrade.engine.kpis import compute_kpis, open_tables
from callgrade.engine.periods import Period, parse_period
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import WarehouseReader

# The sources whose coverage the report shows (those the KPIs read agent by agent).
SOURCES = ("interactions", "surveys", "qa_evaluations", "attendance", "sales", "complaints")


@dataclass(frozen=True)
class BaselineData:
    period: Period
    months: list[Period]
    kpis: pa.Table
    activity: dict[str, dict[str, set[str]]]


def read_baseline_data(
    facts: WarehouseReader, spec: str, tz: str, *, on_step: Callable[[str], None] | None = None
) -> BaselineData:
    """KPIs by agent for ``spec`` and its months, and each source's agents per month."""
    whole = parse_period(spec, tz=tz)
    months = parse_period(spec, tz=tz, grain="month")
    con = ibis.duckdb.connect()
    tables = open_tables(con, facts)
    if on_step:
        on_step("KPIs")
    kpis = compute_kpis(tables, periods=[*whole, *months], by="agent")
    if on_step:
        on_step("coverage")
    activity: dict[str, dict[str, set[str]]] = {}
    for source in SOURCES:
        t = tables[source]
        column = TABLES[source].time_column
        assert column is not None
        per_month: dict[str, set[str]] = {}
        for m in months:
            rows = (
                t.filter((t[column] >= m.start) & (t[column] < m.end) & t.agent_id.notnull())
                .select("agent_id")
                .distinct()
                .to_pyarrow()
            )
            per_month[m.label] = set(rows.column("agent_id").to_pylist())
        activity[source] = per_month
    return BaselineData(whole[0], months, kpis, activity)


def baseline_from(
    facts: WarehouseReader,
    staff: Sequence[Staff],
    spec: str,
    tz: str,
    *,
    as_of: dt.date | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Baseline:
    """The report for ``spec`` over the warehouse's facts and ``staff``; tenure is counted to
    ``as_of`` (the period's last day unless given)."""
    data = read_baseline_data(facts, spec, tz, on_step=on_step)
    last = (data.period.end.astimezone(parse_tz(tz)) - dt.timedelta(days=1)).date()
    return baseline_report(
        staff,
        data.kpis,
        data.activity,
        period=data.period.label,
        months=[m.label for m in data.months],
        as_of=as_of or last,
    )


def parse_tz(tz: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


def staff_from_roster(roster: pa.Table, tz: str) -> list[Staff]:
    """The staff of a roster table in the canonical shape: everyone who has not left."""
    zone = parse_tz(tz)
    out = []
    for r in roster.to_pylist():
        if r.get("status") == "left":
            continue
        hire = r.get("hire_date")
        out.append(
            Staff(
                employee_id=r["employee_id"],
                position=r.get("position") or "",
                team=r.get("team") or "",
                hire_date=hire.astimezone(zone).date() if hire is not None else None,
            )
        )
    return out
