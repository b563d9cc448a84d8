"""Spreadsheet files in and out: reading an uploaded CSV or XLSX into rows (headers matched by
alias, row numbers as the spreadsheet shows them), keeping an upload server-side between its
preview and its confirmation, and writing tables that a spreadsheet cannot run as formulas.
Every import (employees, trainings, assessments, level history) goes through here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import secrets
import time
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from callgrade.engine import cells
from callgrade.engine import workbook as upload
from callgrade.engine.workbook import WorkbookRefused

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
KEEP_SECONDS = 24 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


class ImportStale(ValueError):
    """The upload expired, belongs to someone else, or the database changed since the preview."""


# --- reading ------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # Exports escape cells that a spreadsheet would run as a formula; reading undoes it.
    return cells.unescape(str(value).strip())


def _refused(e: WorkbookRefused) -> ImportFileError:
    if e.reason == "expanded":
        limit = upload.MAX_EXPANDED // (1024 * 1024)
        return ImportFileError(
            _("The file expands to more than %(mb)s MB: not accepted.") % {"mb": limit}
        )
    if e.reason == "ratio":
        return ImportFileError(
            _("The file expands to more than %(times)s times its size: not accepted.")
            % {"times": upload.MAX_RATIO}
        )
    if e.reason == "cells":
        return ImportFileError(
            _("The sheet has more than %(cells)s cells: not accepted.")
            % {"cells": f"{upload.MAX_CELLS:,}"}
        )
    return ImportFileError(_("The file is not a readable XLSX workbook."))


def _read_xlsx(data: bytes) -> Generator[list[str], None, None]:
    try:
        wb = upload.open_workbook(data)
    except WorkbookRefused as e:
        raise _refused(e) from e
    try:
        if not wb.worksheets:
            raise ImportFileError(_("The file is not a readable XLSX workbook."))
        for values in upload.sheet_rows(wb.worksheets[0]):
            yield [_cell(v) for v in values]
    except WorkbookRefused as e:
        raise _refused(e) from e
    finally:
        wb.close()


def _read_csv(data: bytes) -> Generator[list[str], None, None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # CSV saved by a Chinese Excel
        except UnicodeDecodeError:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    counted = 0
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            # The same cell limit as a workbook's: a 5 MB file of commas is millions of cells.
            counted += len(row)
            if counted > upload.MAX_CELLS:
                raise ImportFileError(
                    _("The sheet has more than %(cells)s cells: not accepted.")
                    % {"cells": f"{upload.MAX_CELLS:,}"}
                )
            yield [_cell(v) for v in row]
    except csv.Error as e:
        raise ImportFileError(_("The CSV file cannot be parsed: %(error)s") % {"error": e}) from e


def read_table(
    data: bytes, filename: str, *, aliases: dict[str, str], required: tuple[str, ...]
) -> tuple[list[str], list[str], list[tuple[int, dict]]]:
    """(columns found, headers ignored, [(row number, {column: text})]) of a CSV or XLSX file.

    Blank rows are skipped; row numbers are the spreadsheet's (the header is row 1). The file is
    read row by row and refused as soon as it passes a limit, so no upload is held whole in
    memory past :data:`MAX_BYTES` packed, :data:`MAX_ROWS` rows or ``MAX_CELLS`` cells."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    table = _read_xlsx(data) if is_xlsx else _read_csv(data)
    try:
        header = next(table, None)
        if not header or not any(header):
            raise ImportFileError(_("The file is empty: the first row must name the columns."))
        columns: list[str | None] = []
        ignored: list[str] = []
        for head in header:
            key = aliases.get(re.sub(r"[\s-]+", "_", head.strip().lower()))
            if key is None and head:
                ignored.append(head)
            if key is not None and key in columns:
                raise ImportFileError(_("The column %(column)s appears twice.") % {"column": head})
            columns.append(key)
        missing = [c for c in required if c not in columns]
        if missing:
            raise ImportFileError(
                _("Required columns are missing: %(columns)s") % {"columns": ", ".join(missing)}
            )
        rows = []
        for number, line in enumerate(table, start=2):
            if not any(line):
                continue
            values = {c: line[i] if i < len(line) else "" for i, c in enumerate(columns) if c}
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than 20,000 rows: split it."))
    finally:
        table.close()  # closes the workbook when a limit stopped the reading
    return [c for c in columns if c], ignored, rows


# --- keeping an upload between preview and confirmation --------------------------------------


def stage_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def stage_path(token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise ImportStale(_("This import is unknown or has expired: upload the file again."))
    return stage_dir() / f"{token}.json"


def stage(*, actor: Any, kind: str, payload: dict[str, Any]) -> str:
    """Keep ``payload`` (the rows read from an upload) for ``actor``'s confirmation; returns the
    token that names it. Uploads nobody confirmed are dropped after a day."""
    folder = stage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.json"):
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    stored = {"user": actor.pk, "kind": kind, **payload}
    stage_path(token).write_text(json.dumps(stored, ensure_ascii=False), "utf-8")
    return token


def load(token: str, actor: Any, kind: str) -> dict[str, Any]:
    path = stage_path(token)
    try:
        stored: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise ImportStale(
            _("This import is unknown or has expired: upload the file again.")
        ) from None
    if (
        stored.get("user") != actor.pk
        or stored.get("kind", "employees") != kind
        or time.time() - path.stat().st_mtime > KEEP_SECONDS
    ):
        raise ImportStale(_("This import is unknown or has expired: upload the file again."))
    return stored


def discard(token: str) -> None:
    stage_path(token).unlink(missing_ok=True)


# --- writing --------------------------------------------------------------------------------------
# Every CSV and XLSX the product writes goes through these (or ``engine.cells`` directly).

safe = cells.safe
xlsx_row = cells.xlsx_row


def table_csv(header: list[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return cells.csv_bytes(header, rows)


def table_xlsx(
    title: str,
    header: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    date_columns: tuple[int, ...] = (),
) -> bytes:
    """One sheet with ``header`` frozen; text cells made safe, ISO dates in ``date_columns``
    written as dates."""
    return workbook([(title, header, rows)], date_columns=date_columns)


def workbook(
    sheets: Iterable[tuple[str, list[str], Iterable[Sequence[Any]]]],
    *,
    date_columns: tuple[int, ...] = (),
) -> bytes:
    """An XLSX workbook, one sheet per (title, header, rows), each header frozen; every cell
    through :func:`cells.xlsx_value`."""
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    for title, header, rows in sheets:
        ws = wb.create_sheet(cells.sheet_title(title))
        ws.append(xlsx_row(header))
        for r in rows:
            values = xlsx_row(r)
            for i in date_columns:
                if isinstance(r[i], str) and r[i]:
                    values[i] = dt.date.fromisoformat(r[i])
            ws.append(values)
        for i in date_columns:
            for column in ws.iter_cols(min_col=i + 1, max_col=i + 1, min_row=2):
                for c in column:
                    c.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
