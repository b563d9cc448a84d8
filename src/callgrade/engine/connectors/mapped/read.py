"""Read a CSV or Excel sheet into raw rows that remember where they came from.

Rows that cannot be rows at all (wrong number of fields, undecodable bytes, a damaged sheet)
become rejects here; everything else is passed on as raw cells for the converters.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from callgrade.engine.connectors.base import ConnectorError, Reject
from callgrade.engine.connectors.mapped.convert import ExcelPercent
from callgrade.engine.connectors.reasons import at
from callgrade.engine.connectors.reasons import reason as say

DELIMITERS = ",;\t|"
_UNDECODED = re.compile("[\udc80-\udcff]")


@dataclass
class RawRows:
    """Data rows of one file: header names, the cells of each row, and where each row was."""

    header: list[str]
    header_line: int
    rows: list[list[Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    ref_prefix: str = ""  # source_ref is ref_prefix + line: "f.csv:12", "f.xlsx:Sheet1!12"
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0
    where: str = "line"  # how reasons name a row: "line 12" (CSV) or "row 12" (Excel)
    header_undecodable: bool = False

    def column(self, index: int) -> list[Any]:
        return list(map(itemgetter(index), self.rows))

    def refs(self) -> list[str]:
        prefix = self.ref_prefix
        return [f"{prefix}{line}" for line in self.lines]


def _decode(data: bytes, encoding: str) -> tuple[str, bool]:
    """Text and whether some bytes did not decode (kept as lone surrogates to find the rows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and encoding.replace("-", "").lower() in (
        "utf8",
        "utf8sig",
    ):
        # Excel's "Unicode Text" export is UTF-16 with a BOM whatever the user believes.
        encoding = "utf-16"
    try:
        return data.decode(encoding).removeprefix("\ufeff"), False
    except UnicodeDecodeError:
        return data.decode(encoding, "surrogateescape").removeprefix("\ufeff"), True


def printable(text: str) -> str:
    """Undecodable bytes (kept as lone surrogates) shown as U+FFFD so the text can be stored."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def sniff_delimiter(line: str) -> str:
    """The candidate that occurs most often outside quotes in the header line (',' on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(first physical line, fields, csv error) for each record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    prev = 0
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = prev + 1
            if reader.line_num == prev:
                return
            prev = reader.line_num
            reason = say("mp_split", first=start, last=prev, error=exc)
            yield start, None, reason
            continue
        start, prev = prev + 1, reader.line_num
        yield start, rec, None


def read_csv(
    path: Path,
    *,
    encoding: str,
    delimiter: str | None,
    header_row: int,
    label: str,
) -> RawRows | Reject:
    """Rows of a delimited text file; a Reject when the file has no header at all."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text, damaged = _decode(data, encoding)
    lines = text.splitlines()
    header_text = next((ln for ln in lines[header_row - 1 :] if ln.strip()), None)
    if header_text is None:
        empty = not text.strip()
        reason = say("mp_file_empty") if empty else say("mp_nothing_from", n=header_row)
        return Reject(label, None, None, reason, printable(text[:200]) or None)
    delim = delimiter or ("\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(header_text))
    records = _records(text, delim)
    out: RawRows | None = None
    for start, rec, _error in records:
        if start >= header_row and rec is not None and "".join(rec).strip():
            header = [c.strip().removeprefix("\ufeff") for c in rec]
            out = RawRows(header=header, header_line=start, ref_prefix=f"{path.name}:")
            out.header_undecodable = damaged and bool(_UNDECODED.search("".join(rec)))
            break
    if out is None:
        return Reject(label, None, None, say("mp_no_header"), None)
    n = len(out.header)
    rows, row_lines, rejects = out.rows, out.lines, out.rejects
    for start, rec, error in records:
        if rec is None:
            out.read += 1
            rejects.append(Reject(label, start, None, error or "", None))
            continue
        if len(rec) == n and not damaged and any(rec):
            rows.append(rec)  # the common case, kept cheap
            row_lines.append(start)
            out.read += 1
            continue
        if not "".join(rec).strip():
            continue  # blank lines and rows of bare delimiters are not data
        out.read += 1
        raw = delim.join(rec)
        bad = _UNDECODED.search(raw) if damaged else None
        if bad:
            byte = ord(bad.group()) - 0xDC00
            reason = at(start, say("mp_byte", byte=f"0x{byte:02x}", encoding=encoding))
            rejects.append(Reject(label, start, None, reason, printable(raw)))
            continue
        if len(rec) > n and not "".join(rec[n:]).strip():
            rec = rec[:n]
        if len(rec) != n:
            found = {"n": n, "header": out.header_line, "found_n": len(rec)}
            reason = at(start, say("mp_fields", **found, delimiter=repr(delim)))
            rejects.append(Reject(label, start, None, reason, raw))
            continue
        rows.append(rec)
        row_lines.append(start)
    return out


def read_xlsx(path: Path, *, sheet: str | None, header_row: int, label: str) -> RawRows | Reject:
    """Rows of one worksheet with native cell values (dates as datetimes, numbers as numbers)."""
    import openpyxl

    if not path.is_file():
        raise ConnectorError(say("ff_no_file", path=path))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook can fail in zipfile, XML or openpyxl
        error = f"{type(exc).__name__}: {exc}"
        reason = say("mp_not_workbook", file=path.name, error=error)
        return Reject(label, None, None, reason, None)
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            names = ", ".join(wb.sheetnames)
            raise ConnectorError(say("ff_no_sheet", file=path.name, sheet=repr(sheet), names=names))
        return _sheet_rows(path, ws, header_row, label)
    finally:
        wb.close()


def _cell(c: Any) -> Any:
    v = c.value
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, int | float) and not isinstance(v, bool):
        fmt = getattr(c, "number_format", None) or ""
        if "%" in fmt:
            return ExcelPercent(v)
    return v


def _sheet_rows(path: Path, ws: Any, header_row: int, label: str) -> RawRows | Reject:
    out: RawRows | None = None
    row_no = header_row - 1
    title = ws.title
    try:
        for row_no, cells in enumerate(ws.iter_rows(min_row=header_row), start=header_row):
            values = [_cell(c) for c in cells]
            if all(v is None for v in values):
                continue
            if out is None:
                header = ["" if v is None else str(v).strip() for v in values]
                prefix = f"{path.name}:{title}!"
                out = RawRows(header=header, header_line=row_no, where="row", ref_prefix=prefix)
                continue
            out.read += 1
            width = len(out.header)
            out.rows.append(values[:width] + [None] * (width - len(values)))
            out.lines.append(row_no)
    except Exception as exc:  # damaged sheet XML surfaces only while iterating
        error = f"{type(exc).__name__}: {exc}"
        reason = at(row_no + 1, say("mp_sheet_damaged", sheet=repr(title), error=error), "row")
        if out is None:
            return Reject(label, None, None, reason, None)
        out.read += 1
        out.rejects.append(Reject(label, row_no + 1, None, reason, None))
    if out is None:
        reason = say("mp_sheet_empty", sheet=repr(title))
        return Reject(label, None, None, reason, None)
    return out
