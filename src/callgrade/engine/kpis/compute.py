"""Compute KPIs: one aggregate pass per source table, then values derived in Arrow/pandas.

Every KPI part on a table contributes sums (numerator, denominator, sample) to a single
``group_by(period, entity).aggregate`` over that table; identical sums are computed once. The
small per-entity result is then combined across tables, divided, and pivoted to the long format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.prepare import QUEUE_SOURCES, base_table, prepared, with_entity
from callgrade.engine.kpis.registry import REGISTRY, KpiDef, Part
from callgrade.engine.kpis.rows import one
from callgrade.engine.periods import Period
from callgrade.engine.schemas import TS

OUTPUT = pa.schema(
    [
        pa.field("period", pa.string(), nullable=False),
        pa.field("period_start", TS, nullable=False),
        pa.field("period_end", TS, nullable=False),
        pa.field("entity_type", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("kpi", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("numerator", pa.float64()),
        pa.field("denominator", pa.float64()),
        pa.field("sample_size", pa.int64(), nullable=False),
        pa.field("unit", pa.string(), nullable=False),
    ]
)


def sample_flag(kpi: KpiDef, part: Part, t: ir.Table, o: KpiOptions) -> ir.BooleanValue | None:
    """Which rows of ``part`` count in the sample (for drill-down). A KPI naming a sample on any
    part uses only those; otherwise a row counts when it moves the denominator (or, for totals,
    the numerator)."""
    if part.sample is not None:
        return part.sample(t, o).fill_null(False)
    if any(p.sample is not None for p in kpi.parts):
        return None
    if part.denominator is not None:
        return part.denominator(t, o) != 0
    assert part.numerator is not None
    return part.numerator(t, o) != 0


def _sample_amount(kpi: KpiDef, part: Part, t: ir.Table, o: KpiOptions) -> ir.FloatingValue | None:
    """The per-row sample count. Without an explicit sample the denominator (numerator for totals)
    counts rows one by one (registry rule), so it is reused as is and costs no extra sum."""
    if part.sample is not None:
        return one(part.sample(t, o))
    if any(p.sample is not None for p in kpi.parts):
        return None
    fn = part.denominator if part.denominator is not None else part.numerator
    assert fn is not None
    return fn(t, o)


def selected(kpis: Sequence[str] | None, level: str) -> list[KpiDef]:
    codes = list(REGISTRY) if kpis is None else list(kpis)
    unknown = [c for c in codes if c not in REGISTRY]
    if unknown:
        raise ValueError(f"Unknown KPI code(s): {', '.join(unknown)}.")
    return [REGISTRY[c] for c in codes if level in REGISTRY[c].levels]


def _layers(periods: Sequence[Period]) -> list[list[Period]]:
    """Split periods into groups without overlap (a CASE bucket gives each row one period)."""
    # Periods come in start order, so a period overlaps none of a layer exactly when it starts at
    # or after the layer's last end: one comparison per layer, not one per period in it (a month
    # of 15-minute intervals is ~3,000 periods).
    layers: list[list[Period]] = []
    for p in sorted(periods, key=lambda x: (x.start, x.end, x.label)):
        for layer in layers:
            if p.start >= layer[-1].end:
                layer.append(p)
                break
        else:
            layers.append([p])
    return layers


def _source_sums(
    t: ir.Table, items: list[tuple[KpiDef, int, Part]], o: KpiOptions, prefix: str
) -> tuple[pd.DataFrame, dict[tuple[str, int, str], str]]:
    names: dict[object, str] = {}
    aggs: dict[str, ir.Scalar] = {}
    where: dict[tuple[str, int, str], str] = {}

    def add(key: tuple[str, int, str], expr: ir.FloatingValue) -> None:
        op = expr.op()
        if op not in names:
            names[op] = f"{prefix}{len(names)}"
            aggs[names[op]] = expr.sum()
        where[key] = names[op]

    for kpi, i, part in items:
        if part.numerator is not None:
            add((kpi.code, i, "num"), part.numerator(t, o))
        if part.denominator is not None:
            add((kpi.code, i, "den"), part.denominator(t, o))
        sample = _sample_amount(kpi, part, t, o)
        if sample is not None:
            add((kpi.code, i, "n"), sample)
    out = t.group_by(["k_period", "k_entity"]).aggregate(**aggs).to_pyarrow()
    df = out.to_pandas().set_index(["k_period", "k_entity"])
    return df, where


def _compute_layer(
    tables: Mapping[str, ir.Table],
    periods: list[Period],
    level: str,
    defs: list[KpiDef],
    o: KpiOptions,
) -> pa.Table | None:
    by_source: dict[str, list[tuple[KpiDef, int, Part]]] = {}
    for d in defs:
        for i, part in enumerate(d.parts):
            if part.applies(level):
                by_source.setdefault(part.source, []).append((d, i, part))
    roster = tables.get("roster")
    frames: list[pd.DataFrame] = []
    where: dict[tuple[str, int, str], str] = {}
    for s_idx, (source, items) in enumerate(sorted(by_source.items())):
        if level == "queue" and source not in QUEUE_SOURCES:
            continue
        if base_table(source) not in tables:  # a table the caller did not pass adds nothing
            continue
        t = with_entity(prepared(tables, source, periods, o), level, roster)
        df, w = _source_sums(t, items, o, prefix=f"s{s_idx}_")
        frames.append(df)
        where.update(w)
    if not frames:
        return None
    wide = pd.concat(frames, axis=1, join="outer").fillna(0.0)
    n_rows, n_kpis = len(wide), len(defs)
    nums, dens, samples, values = [], [], [], []
    for d in defs:
        num = _sum(wide, [where.get((d.code, i, "num")) for i in range(len(d.parts))])
        samples.append(_sum(wide, [where.get((d.code, i, "n")) for i in range(len(d.parts))]))
        nums.append(num)
        if d.kind == "total":
            dens.append(np.full(n_rows, np.nan))
            values.append(num)
        else:
            den = _sum(wide, [where.get((d.code, i, "den")) for i in range(len(d.parts))])
            dens.append(den)
            with np.errstate(divide="ignore", invalid="ignore"):
                values.append(np.where(den != 0, num / den * d.scale, np.nan))
    periods_col = wide.index.get_level_values(0).to_numpy(dtype=object)
    entities = wide.index.get_level_values(1).to_numpy(dtype=object)
    return pa.table(
        {
            "period": np.tile(periods_col, n_kpis),
            "entity_id": np.tile(entities, n_kpis),
            "kpi": np.repeat(np.array([d.code for d in defs], dtype=object), n_rows),
            "value": pa.array(np.concatenate(values), from_pandas=True),
            "numerator": np.concatenate(nums),
            "denominator": pa.array(np.concatenate(dens), from_pandas=True),
            "sample_size": np.rint(np.concatenate(samples)).astype("int64"),
            "unit": np.repeat(np.array([d.unit for d in defs], dtype=object), n_rows),
        }
    )


def _sum(wide: pd.DataFrame, cols: list[str | None]) -> np.ndarray:
    present = [c for c in cols if c is not None]
    if not present:
        return np.zeros(len(wide), dtype="float64")
    return np.asarray(wide[present].sum(axis=1), dtype="float64")


def compute_kpis(
    tables: Mapping[str, ir.Table],
    *,
    periods: Sequence[Period],
    by: str = "agent",
    kpis: Sequence[str] | None = None,
    options: KpiOptions = KpiOptions(),  # noqa: B008  (frozen, so a shared default is safe)
) -> pa.Table:
    """KPI values in long form: one row per (period, entity, kpi) for every entity that has any
    record of the selected KPIs' tables in that period (counts are 0 there, rates with a zero
    denominator are null). ``by="queue"`` keeps only contact KPIs."""
    if by not in ("agent", "team", "queue", "center"):
        raise ValueError(f"by={by!r}: expected agent, team, queue or center.")
    labels: dict[str, Period] = {}
    for p in periods:
        if labels.setdefault(p.label, p) != p:
            raise ValueError(f"Two different periods are both labelled {p.label!r}.")
    defs = selected(kpis, by)
    layers = [
        _compute_layer(tables, layer, by, defs, options) for layer in _layers(list(labels.values()))
    ]
    parts = [p for p in layers if p is not None and p.num_rows]
    if not parts or not defs:
        return OUTPUT.empty_table()
    long = pa.concat_tables(parts)
    order = list(labels)
    idx = pc.index_in(long.column("period"), value_set=pa.array(order, pa.string()))
    starts = pa.array([labels[x].start for x in order], TS).take(idx)
    ends = pa.array([labels[x].end for x in order], TS).take(idx)
    table = pa.table(
        {
            "period": long.column("period"),
            "period_start": starts,
            "period_end": ends,
            "entity_type": pa.array(np.full(long.num_rows, by, dtype=object), pa.string()),
            **{c: long.column(c) for c in OUTPUT.names[4:]},
        }
    )
    table = table.sort_by(
        [(c, "ascending") for c in ("period_start", "period_end", "period", "entity_id", "kpi")]
    )
    return table.cast(OUTPUT)
