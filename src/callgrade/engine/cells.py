"""Cells of every CSV and XLSX file the product writes, made safe against formula injection.

A spreadsheet runs a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, through tab
or carriage return tricks, one that starts with those) as a formula, so an employee named
``=HYPERLINK(...)`` or a reason typed as ``+cmd|' /C calc'!A0`` would run on the reader's machine.
Such text gets a leading single quote; real numbers stay numbers (a negative amount is a number
cell, and in a CSV a plain number such as ``-12.50`` is left as it is). XLSX cannot hold control
characters, which are dropped rather than failing the download.

Pure Python, no Django, so that it lives in the engine: the engine's rejects files, the command
line's outputs and the web app's downloads (through ``core.tabular``) all use it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

# Also the full-width forms, which some spreadsheets in Chinese settings read as the ASCII ones.
RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# What an XLSX file cannot store (openpyxl refuses it): C0 controls but tab, newline and return.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_risky(text: str) -> bool:
    """Would a spreadsheet run ``text`` as a formula? Leading blanks do not hide it."""
    stripped = text.lstrip(" \u3000\xa0")
    return stripped.startswith(RISKY_START) and not _NUMBER.fullmatch(text.strip())


def safe(text: str) -> str:
    """``text`` as a cell a spreadsheet shows and never runs (reading it back undoes it)."""
    return "'" + text if is_risky(text) else text


def unescape(text: str) -> str:
    """What :func:`safe` wrote, as it was (for reading an exported file back in)."""
    return text[1:] if text.startswith("'") and is_risky(text[1:]) else text


def xlsx_value(value: Any) -> Any:
    """A value for an XLSX cell: text is made safe and always a string cell, numbers, dates and
    empty cells are kept as they are, anything else becomes safe text."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        return value
    return safe(_ILLEGAL.sub("", value if isinstance(value, str) else str(value)))


def csv_value(value: Any) -> str:
    """A CSV field: empty for None, numbers as written, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return safe(str(value))


def xlsx_row(values: Iterable[Any]) -> list[Any]:
    return [xlsx_value(v) for v in values]


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """A whole CSV file, every field through :func:`csv_value`; with a BOM by default, which lets
    Excel read Chinese text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_value(v) for v in header])
    writer.writerows([csv_value(v) for v in r] for r in rows)
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", _ILLEGAL.sub("", title))[:31] or "Sheet"
