"""Corrections applied to the canonical tables before any KPI reads them.

A correction names one record of a KPI source table by its key and either excludes it (``field``
null) or gives one of its columns a new value (``value``, as text, read as the column's type).
People decide corrections (an upheld appeal, a QA re-evaluation); they are data, so every
computation applies them the same way and a recompute can never lose one. When two corrections
set the same field of the same record, the later one (``corrected_at``, then table order) wins.

Corrections are few (one per upheld appeal), so each corrected field is a CASE over the record
keys rather than a join: the expression stays a projection of the table, which keeps the time
filters that follow it pushed down into the Parquet scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from callgrade.engine.schemas import TABLES


class CorrectionError(ValueError):
    """A correction that cannot be applied: unknown table or column, or a value of the wrong
    type. The message names the correction."""


def _correctable(table: str) -> bool:
    spec = TABLES.get(table)
    return spec is not None and spec.time_column is not None


CORRECTABLE = tuple(sorted(name for name in TABLES if _correctable(name)))


def correctable_fields(table: str) -> list[str]:
    """The columns of ``table`` a correction may set: every column but the key and lineage."""
    spec = TABLES[table]
    return [f.name for f in spec.schema if f.name not in (spec.key, "source", "source_ref")]


def check_table(table: str, *, ref: str = "") -> None:
    """Raises :class:`CorrectionError` unless ``table`` holds records a correction may name
    (the machine facts KPIs read)."""
    if not _correctable(table):
        who = f"correction {ref}: " if ref else ""
        known = ", ".join(sorted(t for t in TABLES if _correctable(t)))
        raise CorrectionError(f"{who}table {table!r} cannot be corrected (one of: {known})")


def typed_value(table: str, field: str, value: str | None, *, ref: str = "") -> Any:
    """``value`` read as the type of ``table.field`` (None stays None when the column is
    nullable). Raises :class:`CorrectionError` with what was expected."""
    who = f"correction {ref}: " if ref else ""
    check_table(table, ref=ref)
    if field not in correctable_fields(table):
        fields = ", ".join(correctable_fields(table))
        raise CorrectionError(f"{who}{table} has no correctable column {field!r} ({fields})")
    column = TABLES[table].schema.field(field)
    if value is None or value == "":
        if not column.nullable:
            raise CorrectionError(f"{who}{table}.{field} needs a value")
        return None
    text = value.strip()
    if pa.types.is_boolean(column.type):
        lowered = text.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise CorrectionError(f"{who}{table}.{field} expects true or false, got {value!r}")
    try:
        return pa.array([text]).cast(column.type)[0].as_py()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise CorrectionError(
            f"{who}{table}.{field} expects a {column.type} value, got {value!r}"
        ) from None


def _latest(corrections: pa.Table) -> list[dict[str, Any]]:
    rows = corrections.to_pylist()
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["corrected_at"], i))
    kept: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for i in order:
        r = rows[i]
        kept[r["target_table"], r["record_id"], r["field"]] = r
    return list(kept.values())


def corrected(tables: Mapping[str, ir.Table], corrections: pa.Table | None) -> dict[str, ir.Table]:
    """``tables`` with ``corrections`` (canonical ``corrections`` rows) applied."""
    out = dict(tables)
    if corrections is None or corrections.num_rows == 0:
        return out
    excluded: dict[str, list[str]] = {}
    changed: dict[tuple[str, str], list[tuple[str, Any]]] = {}
    for r in _latest(corrections):
        table, ref = r["target_table"], r["correction_id"]
        if r["field"] is None:
            check_table(table, ref=ref)
            excluded.setdefault(table, []).append(r["record_id"])
        else:
            value = typed_value(table, r["field"], r["value"], ref=ref)
            changed.setdefault((table, r["field"]), []).append((r["record_id"], value))
    for table in sorted({t for t in excluded} | {t for t, _ in changed}):
        t = out[table]
        key = TABLES[table].key
        fixes = {}
        for (name, field), pairs in sorted(changed.items()):
            if name != table:
                continue
            typ = t.schema()[field]
            branches = [(t[key] == rid, ibis.literal(v, type=typ)) for rid, v in pairs]
            fixes[field] = ibis.cases(*branches, else_=t[field])
        if fixes:
            t = t.mutate(**fixes)
        if table in excluded:
            t = t.filter(~t[key].isin(sorted(set(excluded[table]))))
        out[table] = t
    return out
