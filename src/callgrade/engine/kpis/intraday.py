"""Interval (intraday) reports: the registry's KPIs over 15-, 30- or 60-minute intervals.

Nothing here computes a KPI: an interval is a :class:`~callgrade.engine.periods.Period` like a
month, so :func:`~callgrade.engine.kpis.compute.compute_kpis` applies the same formulas, and
the same attribution rules decide which interval a record counts in:

- state time (logged in, paused) is clipped to the interval: a login open from 08:10 to 09:20
  gives 20, 30 and 20 minutes to the 08:00, 08:30 and 09:00 intervals, and a pause across
  midnight counts its part before midnight on one day and the rest on the next;
- a contact counts in the interval it arrived in (``offered_at``), whole, as supervisors' interval
  reports count calls offered: a call offered at 08:29:50 and talked until 08:40 is one call of
  the 08:00 interval with all its talk time. Because of that, an interval's occupancy can pass
  100 % when long calls that arrived in it run on into the next one;
- an unanswered ring counts when it ended (``rang_at``).

This module only chooses the KPIs an interval report shows, narrows the tables to the agents a
reader may see, and lays the long result out as one row per interval and entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from callgrade.engine.kpis.compute import compute_kpis
from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.registry import REGISTRY
from callgrade.engine.periods import Period

# The KPIs that mean something over half an hour: contact handling and state time. Survey, QA,
# sales and attendance records are too sparse, or are kept per day, to read per interval.
INTRADAY_KPIS: tuple[str, ...] = (
    "answer_rate",
    "service_level",
    "abandon_rate",
    "asa",
    "aht",
    "acw_time",
    "occupancy",
    "login_time",
    "pause_time",
)
# The tables those KPIs read (and the roster, for teams).
SOURCES = ("interactions", "agent_states", "ring_no_answer", "roster")


def for_agents(tables: Mapping[str, ir.Table], agent_ids: Iterable[str]) -> dict[str, ir.Table]:
    """The interval report's tables limited to ``agent_ids``: what a team lead or an agent may
    read. Contacts no agent took (abandoned calls) belong to no one's scope and go too."""
    ids = sorted(set(agent_ids))
    out: dict[str, ir.Table] = {}
    for name in SOURCES:
        if name not in tables:
            continue
        t = tables[name]
        key = "employee_id" if name == "roster" else "agent_id"
        out[name] = t.filter(t[key].isin(ids)) if ids else t.filter(ibis.literal(False))
    return out


def interval_kpis(
    tables: Mapping[str, ir.Table],
    *,
    periods: Sequence[Period],
    by: str,
    kpis: Sequence[str] | None = None,
    options: KpiOptions = KpiOptions(),  # noqa: B008  (frozen, so a shared default is safe)
) -> pa.Table:
    """The long KPI table (``compute_kpis``'s columns, numerator, denominator and sample kept)
    for the interval report's KPIs that apply at level ``by``."""
    codes = [k for k in (kpis or INTRADAY_KPIS) if by in REGISTRY[k].levels]
    present = {k: v for k, v in tables.items() if k in SOURCES}
    return compute_kpis(present, periods=periods, by=by, kpis=codes, options=options)


def wide_rows(long: pa.Table) -> list[dict[str, Any]]:
    """One dict per (interval, entity) in interval order: ``period``, ``period_start``,
    ``period_end``, ``entity_id`` and, per KPI, ``{"value", "numerator", "denominator",
    "sample_size", "unit"}`` under its code."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in long.to_pylist():
        key = (r["period"], r["entity_id"])
        row = rows.setdefault(
            key,
            {
                "period": r["period"],
                "period_start": r["period_start"],
                "period_end": r["period_end"],
                "entity_type": r["entity_type"],
                "entity_id": r["entity_id"],
            },
        )
        row[r["kpi"]] = {
            k: r[k] for k in ("value", "numerator", "denominator", "sample_size", "unit")
        }
    return sorted(rows.values(), key=lambda x: (x["period_start"], x["entity_id"]))
