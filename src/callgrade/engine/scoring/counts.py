"""The KPI rows grading counts and compares: one row per (period, employee, KPI)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.scoring.inputs import period_rows


def count_rows(kpis: pa.Table, periods: set[str], codes: list[str]) -> pa.Table:
    """The agent rows of ``codes`` in ``periods``, one per (period, entity, KPI): sorted by those
    and the value, the last row of a repeated key winning."""
    # each period's rows are split off once (scoring read them already): no pass over the table
    parts = [period_rows(kpis, p) for p in sorted(periods)]
    t = pa.concat_tables(parts) if parts else kpis.slice(0, 0)
    mask = pc.is_in(t.column("kpi"), value_set=pa.array(codes, pa.string()))
    if "entity_type" in t.column_names:
        mask = pc.and_(mask, pc.equal(t.column("entity_type"), "agent"))
    cols = ["period", "entity_id", "kpi", "value", "numerator", "denominator", "sample_size"]
    t = t.select(cols).filter(mask)
    keys = ["period", "entity_id", "kpi"]
    if t.num_rows < 2 or any(t.column(k).null_count for k in keys):
        df = t.to_pandas()
        df = df.sort_values([*keys, "value"], kind="mergesort")
        return pa.Table.from_pandas(df.drop_duplicates(keys, keep="last"), preserve_index=False)
    ranks = [_sort_ranks(t.column(k)) for k in keys]
    order = np.lexsort(ranks[::-1])
    key = ranks[0][order], ranks[1][order], ranks[2][order]
    if not np.any(
        (key[0][1:] == key[0][:-1]) & (key[1][1:] == key[1][:-1]) & (key[2][1:] == key[2][:-1])
    ):
        # no repeated key (the usual case): sorting by the keys alone is enough
        return t.take(pa.array(order))
    # Arrow's stable sort with null values as NaN (last, in input order) is pandas' mergesort
    value = pc.fill_null(t.column("value"), float("nan"))
    order = pc.sort_indices(
        t.append_column("_value", value),
        sort_keys=[(k, "ascending") for k in [*keys, "_value"]],
    )
    t = t.take(order)
    n = t.num_rows
    repeated = np.ones(n - 1, dtype=bool)
    for k in keys:
        col = t.column(k)
        repeated &= pc.equal(col.slice(1), col.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    keep = np.append(~repeated, True)
    return t.filter(pa.array(keep))


def _sort_ranks(column: pa.ChunkedArray) -> np.ndarray:
    """Each value's rank in Arrow's sort order of the column's distinct values: sorting rows by
    these integers sorts them as by the values, without comparing strings row by row."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    rank = np.empty(len(encoded.dictionary), dtype=np.int64)
    rank[pc.array_sort_indices(encoded.dictionary).to_numpy()] = np.arange(len(rank))
    return rank[encoded.indices.to_numpy()]
