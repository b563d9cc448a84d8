"""Writing result tables for people: terminal tables, CSV, XLSX and JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from rich.table import Table

FORMATS = ("table", "csv", "xlsx", "json")


def _plain(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def write_table(table: pa.Table, fmt: str, path: Path) -> None:
    """Write ``table`` as CSV, XLSX or JSON (a list of records) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        pacsv.write_csv(table, path)
    elif fmt == "json":
        rows = [{k: _plain(v) for k, v in r.items()} for r in table.to_pylist()]
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("kpis")
        ws.append(table.column_names)
        for r in table.to_pylist():
            ws.append([_xlsx_cell(v) for v in r.values()])
        wb.save(path)
    else:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _xlsx_cell(v: Any) -> Any:
    # Excel has no time zones: write UTC wall-clock times, the column names say so.
    if hasattr(v, "tzinfo") and v.tzinfo is not None:
        return v.replace(tzinfo=None)
    return _plain(v)


def format_value(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit in ("ratio", "percent"):
        return f"{value * 100:.1f}%" if unit == "ratio" else f"{value:.1f}%"
    if unit == "seconds":
        return f"{value:.0f}s"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value:,.2f}"


def kpi_grid(long: pa.Table, *, title: str, limit: int | None = None) -> list[Table]:
    """Pivot the long KPI table into one terminal table per period: entities × KPIs."""
    rows = long.to_pylist()
    tables = []
    for period in dict.fromkeys(r["period"] for r in rows):
        prow = [r for r in rows if r["period"] == period]
        kpis = list(dict.fromkeys(r["kpi"] for r in prow))
        entities = list(dict.fromkeys(r["entity_id"] for r in prow))
        cells = {(r["entity_id"], r["kpi"]): r for r in prow}
        t = Table(title=f"{title} — {period}", show_lines=False)
        t.add_column(prow[0]["entity_type"] if prow else "entity")
        for k in kpis:
            t.add_column(k, justify="right")
        shown = entities if limit is None else entities[:limit]
        for e in shown:
            t.add_row(
                str(e),
                *(
                    format_value(cells[(e, k)]["value"], cells[(e, k)]["unit"])
                    if (e, k) in cells
                    else ""
                    for k in kpis
                ),
            )
        if limit is not None and len(entities) > limit:
            t.caption = f"{limit} of {len(entities)} shown; use --output csv/xlsx/json for all"
        tables.append(t)
    return tables
