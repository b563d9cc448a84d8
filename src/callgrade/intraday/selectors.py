"""The interval report a reader asked for: the engine's interval KPIs over the warehouse (with
the corrections applied, as every computation reads it), limited to the reader's scope and laid
out for the page, the chart and the workbook.

Times are the center's: the published standard's time zone (the one its cycles use), else the
app's. A page of agents is computed on its own (the agents of the page, not the whole center),
so HR's agent view costs what one page costs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.utils.translation import gettext as _

from callgrade.engine.kpis import REGISTRY, open_tables
from callgrade.engine.kpis.intraday import (
    INTRADAY_KPIS,
    SOURCES,
    for_agents,
    interval_kpis,
    wide_rows,
)
from callgrade.engine.kpis.prepare import UNASSIGNED
from callgrade.engine.periods import SUBDAY_GRAINS, Period, parse_period
from callgrade.intraday.access import Scope
from callgrade.people.inputs import corrections_table, roster_table, warehouse
from callgrade.people.models import Employee
from callgrade.people.record_words import duration
from callgrade.standards.services import policy_current

MAX_DAYS = 7  # a week of 15-minute intervals is ~670 rows per agent: enough to read on a page
AGENTS_PER_PAGE = 20
DEFAULT_GRAIN = "30min"
DEFAULT_KPI = "service_level"


def time_zone() -> str:
    version = policy_current()
    return version.policy().time_zone if version is not None else str(settings.TIME_ZONE)


@dataclass(frozen=True)
class Choice:
    """What the reader picked, checked; ``errors`` in the reader's words when it cannot be read."""

    start: dt.datetime  # local wall time, naive
    end: dt.datetime
    grain: str
    by: str
    kpi: str
    errors: tuple[str, ...] = ()

    def spec(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%M}..{self.end:%Y-%m-%dT%H:%M}"

    def query(self) -> dict[str, str]:
        return {
            "from": f"{self.start:%Y-%m-%dT%H:%M}",
            "to": f"{self.end:%Y-%m-%dT%H:%M}",
            "grain": self.grain,
            "by": self.by,
            "kpi": self.kpi,
        }


def _local(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return None if value.tzinfo is not None else value.replace(second=0, microsecond=0)


def _exists(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether the clocks show ``value`` (a time skipped when summer time starts does not)."""
    there = value.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)
    return there.replace(tzinfo=None) == value


def last_day(tz: str) -> dt.date:
    """The local day of the newest contact in the warehouse (today when there is none)."""
    zone = zoneinfo.ZoneInfo(tz)
    tables = open_tables(ibis.duckdb.connect(), warehouse())
    newest = tables["interactions"].offered_at.max().to_pyarrow().as_py()
    if newest is None:
        return dt.datetime.now(zone).date()
    return newest.replace(tzinfo=dt.UTC).astimezone(zone).date()


def choose(params: Mapping[str, str], scope: Scope, tz: str) -> Choice:
    """The reader's choice from the query string, defaults filled in: the last day with data,
    30-minute intervals, the reader's first level."""
    zone = zoneinfo.ZoneInfo(tz)
    errors: list[str] = []
    grain = params.get("grain") or DEFAULT_GRAIN
    if grain not in SUBDAY_GRAINS:
        grain = DEFAULT_GRAIN
    by = params.get("by") or scope.levels[0]
    if by not in scope.levels:
        by = scope.levels[0]
    kpi = params.get("kpi") or DEFAULT_KPI
    if kpi not in INTRADAY_KPIS:
        kpi = DEFAULT_KPI
    raw_from, raw_to = params.get("from", ""), params.get("to", "")
    if not raw_from and not raw_to:
        day = dt.datetime.combine(last_day(tz), dt.time())
        return Choice(day, day + dt.timedelta(days=1), grain, by, kpi)
    start, end = _local(raw_from), _local(raw_to)
    if start is None or end is None:
        errors.append(_("Give the start and the end as a date and a time."))
    elif not (_exists(start, zone) and _exists(end, zone)):
        errors.append(_("That time does not exist here: the clocks skip it when they go forward."))
    elif end <= start:
        errors.append(_("The end must be after the start."))
    elif end - start > dt.timedelta(days=MAX_DAYS):
        errors.append(
            _("Show at most %(days)s days at a time; the download has the same limit.")
            % {"days": MAX_DAYS}
        )
    if errors or start is None or end is None:
        day = dt.datetime.combine(last_day(tz), dt.time())
        return Choice(day, day + dt.timedelta(days=1), grain, by, kpi, tuple(errors))
    return Choice(start, end, grain, by, kpi)


@dataclass
class Report:
    kpis: list[str]  # the codes shown, in the report's order
    rows: list[dict[str, Any]] = field(default_factory=list)  # interval × entity
    chart: dict[str, Any] = field(default_factory=dict)
    entities: int = 0  # how many entities the whole report has (agents: the whole scope)


def _tables(scope: Scope, tz: str, agents: Sequence[str] | None) -> dict[str, ir.Table]:
    """The report's tables, narrowed to ``agents`` (a page) or else to the reader's scope, with
    the app's roster for teams (teams as the organization holds them now)."""
    # Only the corrections of the tables an interval report reads: a correction of a QA score
    # changes nothing here, and one that could not be applied must not stop this page.
    corrections = corrections_table()
    corrections = corrections.filter(
        pc.is_in(corrections.column("target_table"), pa.array(SOURCES, pa.string()))
    )
    tables = dict(open_tables(ibis.duckdb.connect(), warehouse(), corrections))
    tables["roster"] = ibis.memtable(roster_table(zoneinfo.ZoneInfo(tz)))
    if agents is not None:
        return for_agents(tables, agents)
    if scope.agent_ids is not None:
        return for_agents(tables, scope.agent_ids)
    return tables


def interval_words(period: Period, zone: zoneinfo.ZoneInfo, several_days: bool) -> str:
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    fmt = "%m-%d %H:%M" if several_days else "%H:%M"
    return f"{start:{fmt}}–{end:%H:%M}"


def _entity_names(by: str, ids: Sequence[str]) -> dict[str, str]:
    """Each entity's name as people know it: an agent's name (their id when not on the roster),
    a team's, a queue's; the center and the agents without a team in words."""
    if by == "agent":
        names = dict(
            Employee.objects.filter(employee_id__in=list(ids)).values_list("employee_id", "name")
        )
        return {i: names.get(i, i) for i in ids}
    if by == "center":
        return dict.fromkeys(ids, _("Whole center"))
    if by == "team":
        return {i: _("No team") if i == UNASSIGNED else i for i in ids}
    return {i: i for i in ids}


def cell(code: str, item: dict[str, Any] | None) -> dict[str, Any]:
    """One KPI of one row for the page: its value in words and the sums behind it."""
    if item is None:
        return {"code": code, "text": "—", "numerator": None, "denominator": None, "sample": 0}
    unit, value = item["unit"], item["value"]
    if value is None:
        text = "—"
    elif unit == "ratio":
        text = f"{value * 100:.1f}%"
    elif unit == "seconds":
        text = duration(value)
    else:
        text = f"{value:,.1f}"
    return {
        "code": code,
        "text": text,
        "value": value,
        "unit": unit,
        "numerator": item["numerator"],
        "denominator": item["denominator"],
        "sample": item["sample_size"],
    }


def report(
    scope: Scope,
    choice: Choice,
    tz: str,
    *,
    page_agents: Sequence[str] | None,
    with_chart: bool = True,
) -> Report:
    """The rows of ``choice`` (for agents, those of ``page_agents`` when given) and, unless
    ``with_chart`` is false (the workbook has none), the chart of the reader's summary level for
    the chosen KPI."""
    zone = zoneinfo.ZoneInfo(tz)
    periods = parse_period(choice.spec(), tz=tz, grain=choice.grain)
    several = choice.end - choice.start > dt.timedelta(days=1) or (
        choice.start.date() != (choice.end - dt.timedelta(minutes=1)).date()
    )
    words = {p.label: interval_words(p, zone, several) for p in periods}
    kpis = [k for k in INTRADAY_KPIS if choice.by in REGISTRY[k].levels]
    agents = page_agents if choice.by == "agent" else None
    long = interval_kpis(_tables(scope, tz, agents), periods=periods, by=choice.by, kpis=kpis)
    wide = wide_rows(long)
    names = _entity_names(choice.by, sorted({r["entity_id"] for r in wide}))
    rows = [
        {
            "interval": words[r["period"]],
            "start": r["period_start"].astimezone(zone).replace(tzinfo=None),
            "end": r["period_end"].astimezone(zone).replace(tzinfo=None),
            "entity_id": r["entity_id"],
            "name": names[r["entity_id"]],
            "entity": (
                f"{names[r['entity_id']]} ({r['entity_id']})"
                if choice.by == "agent" and names[r["entity_id"]] != r["entity_id"]
                else names[r["entity_id"]]
            ),
            "cells": [cell(k, r.get(k)) for k in kpis],
        }
        for r in wide
    ]
    if not with_chart:
        return Report(kpis=kpis, rows=rows)
    # The chart is of the summary level over the whole scope: when the rows are that already
    # (the default choice of every reader), they hold its figures and nothing is computed twice.
    same = choice.by == scope.summary_level() and (
        agents is None or (scope.agent_ids is not None and set(agents) == scope.agent_ids)
    )
    chart = _chart(scope, choice, tz, periods, words, wide if same else None)
    return Report(kpis=kpis, rows=rows, chart=chart)


def _chart(
    scope: Scope,
    choice: Choice,
    tz: str,
    periods: list[Period],
    words: dict[str, str],
    wide: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The chosen KPI per interval at the reader's summary level (the center, their teams,
    themselves), with the contacts handled in each interval as bars; ``wide``: that level's rows
    when the caller has them."""
    level = scope.summary_level()
    if wide is None:
        long = interval_kpis(
            _tables(scope, tz, None), periods=periods, by=level, kpis=[choice.kpi, "aht"]
        )
        wide = wide_rows(long)
    names = _entity_names(level, sorted({r["entity_id"] for r in wide}))
    ratio = REGISTRY[choice.kpi].unit == "ratio"
    by_entity: dict[str, dict[str, dict[str, Any]]] = {}
    for r in wide:
        by_entity.setdefault(r["entity_id"], {})[r["period"]] = r
    labels = [p.label for p in periods]
    series = []
    handled = [0] * len(labels)
    for entity, cells in sorted(by_entity.items()):
        data = []
        for i, label in enumerate(labels):
            item = cells.get(label, {}).get(choice.kpi)
            value = None if item is None else item["value"]
            data.append(None if value is None else round(value * 100 if ratio else value, 1))
            aht = cells.get(label, {}).get("aht")
            handled[i] += 0 if aht is None else int(aht["sample_size"])
        series.append({"name": names.get(entity, entity), "data": data})
    return {
        "intervals": [words[x] for x in labels],
        "series": series,
        "handled": handled,
        "percent": ratio,
    }


def agents_in_scope(scope: Scope) -> list[str]:
    """Every agent the reader may see, in employee-id order (HR: the whole roster)."""
    qs = Employee.objects.all()
    if scope.agent_ids is not None:
        qs = qs.filter(employee_id__in=scope.agent_ids)
    return list(qs.order_by("employee_id").values_list("employee_id", flat=True))
