"""Storing the engine's results for a cycle: replace, never append, so recomputing is idempotent."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
from django.db import transaction

from callgrade.cycles.models import (
    ChecklistItem,
    Cycle,
    Decision,
    KpiValue,
    PayLine,
    ScoreItem,
    ScoreTotal,
)
from callgrade.engine.cycle import CycleResult, last_local_day, rating_periods
from callgrade.engine.scoring.explain import item_sentences
from callgrade.standards.text import item_labels

RESULT_MODELS = (KpiValue, ScoreItem, ScoreTotal, Decision, ChecklistItem, PayLine)
BATCH = 2000

# Pay lines other domains add to a cycle's statement (the awards ledger): each source is given the
# rating periods as (label, first local day, last local day) and the employees stored (id → pk),
# and yields PayLine fields. The web app registers them, since it sees every domain.
PaySource = Callable[[list[tuple[str, dt.date, dt.date]], dict[str, int]], Iterable[dict[str, Any]]]
PAY_SOURCES: list[PaySource] = []


def _local_periods(cycle: Cycle) -> list[tuple[str, dt.date, dt.date]]:
    policy = cycle.policy_version.policy()
    out = []
    for p in rating_periods(policy, cycle.period):
        first = p.start.astimezone(ZoneInfo(policy.time_zone)).date()
        out.append((p.label, first, last_local_day(p, policy.time_zone)))
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.items()} for r in table.to_pylist()]


def store_results(
    cycle: Cycle,
    result: CycleResult,
    employees: dict[str, int],
    *,
    only: set[str] | None = None,
) -> dict[str, int]:
    """Replace the cycle's stored results with ``result`` for the ``employees`` (id → pk) of its
    population, or only for the employee ids in ``only`` (a recompute after a correction)."""
    keep = employees if only is None else {k: v for k, v in employees.items() if k in only}
    counts: dict[str, int] = {}
    with transaction.atomic():
        for model in RESULT_MODELS:
            qs = model.objects.filter(cycle=cycle)
            if only is not None:
                qs = qs.filter(employee_id__in=list(keep.values()))
            qs.delete()

        kpis = result.kpis.filter(pa.compute.is_in(result.kpis["entity_id"], pa.array(list(keep))))
        counts["kpis"] = _bulk(
            KpiValue(
                cycle=cycle,
                employee_id=keep[r["entity_id"]],
                period=r["period"],
                kpi=r["kpi"],
                value=r["value"],
                numerator=r["numerator"],
                denominator=r["denominator"],
                sample_size=r["sample_size"] or 0,
                unit=r["unit"],
            )
            for r in _rows(kpis)
        )
        items = pa.concat_tables([c.items for c in result.scorecards])
        items = items.filter(pa.compute.is_in(items["employee_id"], pa.array(list(keep))))
        frame = items.to_pandas()
        # in Chinese, assessed inputs by the standard's names (the engine knows their codes)
        labels = item_labels(cycle.policy_version.policy(), "zh")
        zh = item_sentences(frame, "zh", labels) if len(frame) else []
        counts["items"] = _bulk(
            ScoreItem(
                cycle=cycle,
                employee_id=keep[r["employee_id"]],
                period=r["period"],
                dimension=r["dimension"],
                item=r["item"],
                status=r["status"],
                value=r["value"],
                points=r["points"],
                weight=r["weight"],
                contribution=r["contribution"],
                explanation_en=r["explanation"],
                explanation_zh=zh[i],
                detail=r,
            )
            for i, r in enumerate(_rows(items))
        )
        # Periods holding a calibration carry an extra ``computed_rating`` column: unify.
        totals = pa.concat_tables([c.totals for c in result.scorecards], promote_options="default")
        counts["totals"] = _bulk(
            ScoreTotal(
                cycle=cycle,
                employee_id=keep[r["employee_id"]],
                period=r["period"],
                total=r["total"],
                rating=r.get("computed_rating") or r["rating"] or "",
                calibrated_rating=(
                    r["rating"] if r.get("computed_rating") not in (None, r["rating"]) else ""
                ),
                rank=r["rank"],
                group_size=r["group_size"],
                detail=r,
            )
            for r in _rows(totals)
            if r["employee_id"] in keep
        )
        if result.decisions is not None:
            d = result.decisions
            counts["decisions"] = _bulk(
                Decision(
                    cycle=cycle,
                    employee_id=keep[r["employee_id"]],
                    action=r["action"],
                    level_from=r["level_from"] or "",
                    level_to=r["level_to"] or "",
                    reason=r["reason"] or "",
                    detail=r,
                )
                for r in _rows(d.decisions)
                if r["employee_id"] in keep
            )
            conditions = [("criterion", r) for r in _rows(d.criteria)]
            conditions += [("checklist", r) for r in _rows(d.checklist)]
            counts["conditions"] = _bulk(
                ChecklistItem(
                    cycle=cycle,
                    employee_id=keep[r["employee_id"]],
                    kind=kind,
                    rule=r["rule"],
                    ref=str(r.get("condition_ref") or ""),
                    condition=r["condition"],
                    holds=bool(r["holds"]),
                    status=r.get("status") or "",
                    evidence=r["evidence"] or "",
                    detail=r,
                )
                for kind, r in conditions
                if r["employee_id"] in keep
            )
        lines = pa.concat_tables([p.lines for p in result.pay])
        counts["pay"] = _bulk(
            PayLine(
                cycle=cycle,
                employee_id=keep[r["employee_id"]],
                period=r["period"],
                kind=r["kind"],
                code=r["code"],
                amount=Decimal(str(round(r["amount"] or 0.0, 2))),
                cash=bool(r["cash"]),
                explanation=r["explanation"] or "",
                detail=r,
            )
            for r in _rows(lines)
            if r["employee_id"] in keep
        )
        if PAY_SOURCES:
            periods = _local_periods(cycle)
            counts["pay"] += _bulk(
                PayLine(cycle=cycle, **row)
                for source in PAY_SOURCES
                for row in source(periods, keep)
            )
    return counts


def _bulk(objs: Any) -> int:
    batch: list[Any] = []
    n = 0
    for o in objs:
        batch.append(o)
        if len(batch) >= BATCH:
            type(o).objects.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        type(batch[0]).objects.bulk_create(batch)
        n += len(batch)
    return n
