"""Result containers: frozen bundles of Arrow tables, sorted so equal inputs give equal bytes."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def to_arrow(frame: pd.DataFrame, keys: list[str]) -> pa.Table:
    """Sort by ``keys`` (a total order) and drop the index, so row order never leaks through."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if table.num_rows < 2:
        return table
    if any(table.column(k).null_count for k in keys):
        ordered = frame.sort_values(keys, kind="mergesort").reset_index(drop=True)
        return pa.Table.from_pandas(ordered, preserve_index=False)
    # Arrow's sort is stable and orders strings by code point, like pandas' mergesort
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))


def strings_by_code(values: list[object], codes: np.ndarray) -> pa.Array:
    """The string column whose row i is ``values[codes[i]]``."""
    return pa.array(values, pa.string(), from_pandas=True).take(pa.array(codes))


@functools.lru_cache(maxsize=64)
def _pandas_metadata(schema: pa.Schema, dtypes: tuple[str, ...]) -> dict[bytes, bytes]:
    """The schema metadata pyarrow writes for a pandas frame of these column dtypes."""
    empty = pd.DataFrame(
        {f.name: pd.Series([], dtype=d) for f, d in zip(schema, dtypes, strict=True)}
    )
    table = pa.Table.from_pandas(empty, schema=schema, preserve_index=False)
    return table.schema.metadata


def table_like_pandas(columns: dict[str, pa.Array | np.ndarray | pd.Series]) -> pa.Table:
    """An Arrow table from Arrow arrays (object columns in pandas: strings, dates), numpy
    columns (NaN → null) and pandas extension columns (e.g. ``Int64``), with the same schema and
    metadata ``pa.Table.from_pandas`` gives the equivalent frame."""
    arrays, dtypes = [], []
    for v in columns.values():
        if isinstance(v, np.ndarray | pd.Series):
            arrays.append(pa.array(v, from_pandas=True))
            dtypes.append(str(v.dtype))
        else:
            arrays.append(v)
            dtypes.append("object")
    table = pa.table(dict(zip(columns, arrays, strict=True)))
    meta = _pandas_metadata(table.schema, tuple(dtypes))
    return table.replace_schema_metadata(meta)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def stable_json(result: Any) -> str:
    """Every table of a result as canonical JSON (sorted keys, fixed float repr)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for f in fields(result):
        table = getattr(result, f.name)
        if isinstance(table, pa.Table):
            out[f.name] = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    return json.dumps(out, sort_keys=True, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class Scorecards:
    """One period's scores. ``items``: one row per employee × scored item; ``dimensions``: one
    row per employee × dimension; ``totals``: one row per employee with total, rating and rank."""

    period: str
    items: pa.Table
    dimensions: pa.Table
    totals: pa.Table


@dataclass(frozen=True)
class Decisions:
    """Grading outcome. ``decisions``: one row per employee; ``criteria``: every condition
    evaluated, with evidence; ``checklist``: what the next level up still needs."""

    cycle_end: str
    decisions: pa.Table
    criteria: pa.Table
    checklist: pa.Table


@dataclass(frozen=True)
class PayLines:
    """Statement lines: one row per employee × period × pay rule that applied."""

    period: str
    lines: pa.Table


@dataclass(frozen=True)
class SimulationReport:
    """What a draft policy changes against the current one."""

    ratings: pa.Table
    levels: pa.Table
    pay: pa.Table
    distribution: pa.Table
    # how many employees each ladder action reaches under each standard (before, after)
    actions: pa.Table | None = None
    # the draft's item values and total scores in the last rating period, for thresholds from
    # data (``engine.analysis.thresholds.Distributions``; set by ``cycle.simulate_cycle``)
    distributions: Any = None
