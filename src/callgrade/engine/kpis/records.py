"""Drill-down: the rows behind one KPI value, built from the same row expressions as the sums."""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from callgrade.engine.kpis.compute import sample_flag
from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.prepare import base_table, key_column, prepared, with_entity
from callgrade.engine.kpis.registry import REGISTRY
from callgrade.engine.periods import Period

RECORDS = ibis.schema(
    {
        "source_table": "string",
        "record_id": "string",
        "agent_id": "string",
        "at": "timestamp('UTC')",
        "source": "string",
        "source_ref": "string",
        "numerator": "float64",
        "denominator": "float64",
        "in_numerator": "boolean",
        "in_denominator": "boolean",
        "in_sample": "boolean",
    }
)


def kpi_records(
    tables: Mapping[str, ir.Table],
    *,
    kpi: str,
    entity_type: str,
    entity_id: str,
    period: Period,
    options: KpiOptions = KpiOptions(),  # noqa: B008  (frozen, so a shared default is safe)
    every_row: bool = False,
) -> ir.Table:
    """Rows that moved the numerator or denominator of ``kpi`` for one entity and period, or
    count in its sample; ``numerator``/``denominator`` are each row's own contribution (state
    intervals show the seconds they add to the agent's union of that state within the period,
    ``at`` their clipped start; an interval wholly covered by others adds nothing and is left
    out). With ``every_row``, also the entity's rows of the same sources that count for nothing
    (all three flags false), so a reader can see what was left out; the sums do not change."""
    if kpi not in REGISTRY:
        raise ValueError(f"Unknown KPI code {kpi!r}.")
    d = REGISTRY[kpi]
    if entity_type not in d.levels:
        raise ValueError(f"KPI {kpi!r} is not computed by {entity_type}.")
    pieces = []
    for part in d.parts:
        if not part.applies(entity_type) or base_table(part.source) not in tables:
            continue
        t = with_entity(
            prepared(tables, part.source, [period], options), entity_type, tables.get("roster")
        )
        t = t.filter(t.k_entity == entity_id)
        num = part.numerator(t, options) if part.numerator else ibis.literal(0.0)
        den = part.denominator(t, options) if part.denominator else ibis.literal(0.0)
        flag = sample_flag(d, part, t, options)
        sample = flag if flag is not None else ibis.literal(False)
        rows = t.select(
            source_table=ibis.literal(base_table(part.source)),
            record_id=t[key_column(part.source)].cast("string"),
            agent_id=t.agent_id,
            at=t.k_at,
            source=t.source,
            source_ref=t.source_ref,
            numerator=num.cast("float64"),
            denominator=den.cast("float64"),
            in_numerator=num != 0,
            in_denominator=den != 0,
            in_sample=sample,
        )
        if not every_row:
            rows = rows.filter(rows.in_numerator | rows.in_denominator | rows.in_sample)
        pieces.append(rows.cast(RECORDS))
    if not pieces:
        raise ValueError(f"KPI {kpi!r} needs table(s) {d.source}, which were not given.")
    out = pieces[0].union(*pieces[1:]) if len(pieces) > 1 else pieces[0]
    return out.order_by(["source_table", "at", "record_id"])
