"""The records behind one KPI value of one employee, as people read them: the engine's own
drill-down over the warehouse (with the corrections applied, as every computation reads it),
a page at a time, each row with its source record's facts in words and why it counts.

The list is lazy: counting it and reading one page are two small queries, so an employee with
tens of thousands of calls costs what one page costs (Django's ``Paginator`` drives it).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir

from callgrade.cycles.models import Cycle, KpiValue
from callgrade.engine.kpis import REGISTRY, KpiOptions, kpi_records, open_tables
from callgrade.engine.periods import Period
from callgrade.engine.schemas import TABLES
from callgrade.people.inputs import corrections_table, warehouse
from callgrade.people.models import Employee
from callgrade.people.record_reasons import why
from callgrade.people.record_words import Column, columns, duration, number, source_name

PAGE_SIZE = 50
# KPIs whose numerator (and, for the two ratios of time, denominator) adds up seconds
SECONDS_NUMERATOR = {"occupancy", "adherence"}
SECONDS_DENOMINATOR = {"occupancy", "adherence"}


def amount(kpi: str, value: float | None, *, denominator: bool = False) -> str:
    """A numerator or denominator (or one row's share of it) as the reader counts it."""
    if value is None:
        return "—"
    d = REGISTRY[kpi]
    if denominator:
        return duration(value) if kpi in SECONDS_DENOMINATOR else number(value, 1)
    if d.unit == "seconds" or kpi in SECONDS_NUMERATOR:
        return duration(value)
    return number(value, 2 if d.unit == "money" else 1)


@dataclass
class Row:
    source: str
    record_id: str
    cells: list[tuple[Column, str]]
    counted: bool
    why: str
    numerator: str
    denominator: str
    file: str
    ref: str


@dataclass
class Group:
    """Consecutive rows of one source on a page: one table with that source's columns."""

    source: str
    name: str
    columns: Sequence[Column]
    rows: list[Row] = field(default_factory=list)


class RecordList:
    """The drill-down as a sequence for ``Paginator``: ``count()`` and slices."""

    def __init__(
        self,
        employee: Employee,
        kpi: str,
        period: Period,
        time_zone: str,
        options: KpiOptions | None = None,
        every_row: bool = False,
    ) -> None:
        self.kpi = kpi
        self.period = period
        self.agent_id = employee.employee_id
        self.options = options or KpiOptions()
        self.tz = zoneinfo.ZoneInfo(time_zone)
        self.tables = open_tables(ibis.duckdb.connect(), warehouse(), corrections_table())
        self.table: ir.Table = kpi_records(
            self.tables,
            kpi=kpi,
            entity_type="agent",
            entity_id=employee.employee_id,
            period=period,
            options=self.options,
            every_row=every_row,
        )

    @cached_property
    def totals(self) -> dict[str, Any]:
        """Row count, the sums of the rows' numerator and denominator, the sample, and the
        rows per source: what the page says the rows add up to."""
        t = self.table
        agg = t.aggregate(
            rows=t.count(),
            numerator=t.numerator.sum(),
            denominator=t.denominator.sum(),
            sample=t.in_sample.cast("int64").sum(),
            counted=(t.in_numerator | t.in_denominator | t.in_sample).cast("int64").sum(),
        ).to_pyarrow()
        # an empty drill-down sums to nothing: zero, as the KPI counts it
        out = {k: agg.column(k)[0].as_py() or 0 for k in agg.column_names}
        by = t.group_by("source_table").aggregate(n=t.count()).to_pyarrow().to_pylist()
        out["sources"] = [
            {"name": source_name(r["source_table"]), "count": r["n"]}
            for r in sorted(by, key=lambda r: r["source_table"])
        ]
        return out

    def count(self) -> int:
        return int(self.totals["rows"] or 0)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Row]:
        if not isinstance(key, slice):
            raise TypeError("RecordList is read by pages (slices) only.")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        if stop <= start:
            return []
        page = self.table.limit(stop - start, offset=start).to_pyarrow().to_pylist()
        facts = self._facts(page)
        return [self._row(r, facts.get((r["source_table"], r["record_id"]), {})) for r in page]

    def _facts(self, page: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The source records of one page's rows, by (table, key): one query per source."""
        wanted: dict[str, list[str]] = {}
        for r in page:
            wanted.setdefault(r["source_table"], []).append(r["record_id"])
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for source, ids in wanted.items():
            key = TABLES[source].key
            t = self.tables[source]
            # the agent and the period first, so the read touches the period's files only
            near = [t.agent_id == self.agent_id, t[key].isin(ids)]
            start, end = (
                ibis.literal(v, type="timestamp('UTC')")
                for v in (self.period.start, self.period.end)
            )
            if source == "agent_states":
                near += [t.start < end, t.end > start]
            elif (col := TABLES[source].time_column) is not None:
                near += [t[col] >= start, t[col] < end]
            for rec in t.filter(*near).to_pyarrow().to_pylist():
                out[(source, str(rec[key]))] = rec
        return out

    def _row(self, r: dict[str, Any], rec: dict[str, Any]) -> Row:
        source, kpi = r["source_table"], self.kpi
        num, den = r["numerator"] or 0.0, r["denominator"] or 0.0
        counted = bool(num or den or r["in_sample"])
        return Row(
            source=source,
            record_id=r["record_id"],
            cells=[(c, c.value(rec.get(c.key), self.tz)) for c in columns(source, kpi)],
            counted=counted,
            why=why(kpi, source, rec, num, den, self.options, sample=counted),
            numerator=amount(kpi, num) if num else "—",
            denominator=amount(kpi, den, denominator=True) if den else "—",
            file=r["source"] or "",
            ref=r["source_ref"] or "",
        )


def grouped(rows: Sequence[Row], kpi: str) -> list[Group]:
    """A page's rows as one table per run of the same source."""
    groups: list[Group] = []
    for row in rows:
        if not groups or groups[-1].source != row.source:
            groups.append(Group(row.source, source_name(row.source), columns(row.source, kpi)))
        groups[-1].rows.append(row)
    return groups


def stored_value(employee: Employee, cycle: Cycle, period: str, kpi: str) -> KpiValue | None:
    """The KPI value the cycle stored, to set against the rows' own sums."""
    return KpiValue.objects.filter(cycle=cycle, employee=employee, period=period, kpi=kpi).first()


def same_sums(stored: KpiValue, totals: dict[str, Any]) -> bool:
    """Whether the rows still add up to what the cycle stored (a correction or a new file since
    the computation changes the rows, not the stored value)."""

    def near(a: float | None, b: float | None) -> bool:
        return abs((a or 0.0) - (b or 0.0)) <= 1e-6 * max(1.0, abs(a or 0.0), abs(b or 0.0))

    if REGISTRY[stored.kpi].kind == "total":
        return near(stored.value, totals["numerator"])
    return near(stored.numerator, totals["numerator"]) and near(
        stored.denominator, totals["denominator"]
    )
