"""Writing result tables for people: terminal tables, CSV, XLSX and JSON."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.table import Table

from callgrade.engine.cells import csv_bytes, xlsx_row

FORMATS = ("table", "csv", "xlsx", "json")


def _plain(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def table_bytes(table: pa.Table, fmt: str) -> bytes:
    """``table`` as CSV, XLSX or JSON (a list of records), ready for a file or standard output."""
    if fmt == "csv":
        # Written cell by cell, not by pyarrow, so agent and queue names cannot run as formulas.
        lines = ([_plain(v) for v in r.values()] for r in table.to_pylist())
        return csv_bytes(table.column_names, lines, bom=False)
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in r.items()} for r in table.to_pylist()]
        return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("kpis")
        ws.append(xlsx_row(table.column_names))
        for r in table.to_pylist():
            ws.append(xlsx_row(_xlsx_cell(v) for v in r.values()))
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")


def sheets_xlsx(sheets: list[tuple[str, list[str], list[Any]]]) -> bytes:
    """A workbook of several sheets (title, header, rows), every cell made safe."""
    from openpyxl import Workbook

    from callgrade.engine.cells import sheet_title

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(sheet_title(title))
        ws.append(xlsx_row(header))
        for r in rows:
            ws.append(xlsx_row(r))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_table(table: pa.Table, fmt: str, path: Path) -> None:
    """Write ``table`` as CSV, XLSX or JSON to ``path``."""
    data = table_bytes(table, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


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
        # Totals (login, pause time) read better in hours; averages stay in seconds.
        return f"{value / 3600:,.1f}h" if abs(value) >= 36000 else f"{value:.0f}s"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value:,.2f}"


# Shown in the terminal when the caller did not pick KPIs: the rest are in CSV/XLSX/JSON output.
HEADLINE = (
    "answer_rate",
    "service_level",
    "aht",
    "abandon_rate",
    "fcr_repeat",
    "csat",
    "qa_score",
    "sales_revenue",
    "occupancy",
    "adherence",
    "complaints_valid",
)


def kpi_grid(
    long: pa.Table, *, title: str, limit: int | None = None, headline: bool = True
) -> list[Table]:
    """Terminal tables, one per period. A single entity (the center) is shown KPI by KPI with
    numerator, denominator and sample size; several entities as a grid of headline KPIs."""
    rows = long.to_pylist()
    tables = []
    for period in dict.fromkeys(r["period"] for r in rows):
        prow = [r for r in rows if r["period"] == period]
        entities = list(dict.fromkeys(r["entity_id"] for r in prow))
        if len(entities) == 1:
            tables.append(_kpi_list(prow, title=f"{title} {entities[0]} — {period}"))
            continue
        kpis = list(dict.fromkeys(r["kpi"] for r in prow))
        hidden = 0
        if headline and len(kpis) > len(HEADLINE):
            shown_kpis = [k for k in HEADLINE if k in kpis]
            hidden = len(kpis) - len(shown_kpis)
            kpis = shown_kpis
        cells = {(r["entity_id"], r["kpi"]): r for r in prow}
        t = Table(title=f"{title} — {period}", show_lines=False)
        t.add_column(prow[0]["entity_type"])
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
        notes = []
        if limit is not None and len(entities) > limit:
            notes.append(f"{limit} of {len(entities)} shown")
        if hidden:
            notes.append(f"{hidden} more KPIs with --kpi")
        if notes:
            t.caption = "; ".join(notes) + "; --output csv/xlsx/json has everything"
        tables.append(t)
    return tables


def interval_grid(long: pa.Table, *, title: str, limit: int | None = None) -> Table:
    """One terminal table for an interval report: a row per interval and entity, in time order,
    a column per KPI (the interval report's order first), as supervisors read interval reports."""
    from callgrade.engine.kpis.intraday import INTRADAY_KPIS, wide_rows

    rows = wide_rows(long)
    order = {k: i for i, k in enumerate(INTRADAY_KPIS)}
    kpis = sorted(set(long.column("kpi").to_pylist()), key=lambda k: (order.get(k, len(order)), k))
    t = Table(title=title, show_lines=False)
    t.add_column("interval")
    t.add_column(rows[0]["entity_type"] if rows else "entity")
    for k in kpis:
        t.add_column(k, justify="right")
    shown = rows if limit is None else rows[:limit]
    for r in shown:
        cells = (format_value(r[k]["value"], r[k]["unit"]) if k in r else "" for k in kpis)
        t.add_row(r["period"], str(r["entity_id"]), *cells)
    if limit is not None and len(rows) > limit:
        t.caption = f"{limit} of {len(rows)} rows shown (--limit); --output csv/xlsx/json has all"
    return t


def _kpi_list(rows: list[dict[str, Any]], *, title: str) -> Table:
    t = Table(title=title)
    for col in ("kpi", "value", "numerator", "denominator", "sample"):
        t.add_column(col, justify="left" if col == "kpi" else "right")
    for r in rows:
        t.add_row(
            r["kpi"],
            format_value(r["value"], r["unit"]),
            _number(r["numerator"]),
            _number(r["denominator"]),
            f"{r['sample_size']:,}",
        )
    return t


def _number(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def plain_table(table: pa.Table, *, title: str, columns: list[str], limit: int | None) -> Table:
    """A terminal table of selected columns, numbers rounded for reading."""
    t = Table(title=title)
    present = [c for c in columns if c in table.column_names]
    for c in present:
        numeric = pa.types.is_floating(table.schema.field(c).type)
        t.add_column(c, justify="right" if numeric else "left")
    rows = table.select(present).to_pylist()
    for r in rows if limit is None else rows[:limit]:
        t.add_row(*(_cell(r[c]) for c in present))
    if limit is not None and len(rows) > limit:
        t.caption = f"{limit} of {len(rows)} rows shown; --output csv/xlsx/json has everything"
    return t


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)
