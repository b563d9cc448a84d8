"""Opening an XLSX workbook that someone else made, within bounds.

An XLSX file is a zip of XML. A few hundred kilobytes can unpack to gigabytes (a highly
compressible sheet), an XML document type can define entities that expand without end, and a
sheet can declare millions of cells that a reader then pads every row to. Each of those is
refused here before the workbook is read: the zip's declared sizes (which :mod:`zipfile` enforces
while reading) are checked first, every XML part's prolog is scanned for a document type, and
the rows of a sheet are counted in cells as they are read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

MAX_EXPANDED = 50 * 1024 * 1024  # bytes of all parts together, unpacked
MAX_RATIO = 100  # unpacked size / packed size of one part (text XML packs 5-20 times)
RATIO_FROM = 1024 * 1024  # parts smaller than this may pack as tightly as they like
MAX_MEMBERS = 1_000
MAX_CELLS = 1_000_000
_XML_PARTS = (".xml", ".rels", ".vml")
_CHUNK = 64 * 1024


class WorkbookRefused(ValueError):
    """The file is not opened. ``reason`` is one of ``expanded`` (more than
    :data:`MAX_EXPANDED` unpacked), ``ratio`` (a part packed more than :data:`MAX_RATIO` times),
    ``cells`` (a sheet of more than :data:`MAX_CELLS` cells) or ``unreadable`` (not a zip, too many
    parts, a document type in the XML, XML or workbook structure that does not parse)."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


class _Prolog(Exception):
    """The first element started: the prolog, where a document type must be, is over."""


def _refuse_dtd(*_: Any) -> None:
    raise WorkbookRefused("unreadable", "the XML declares a document type or entities")


def _stop(*_: Any) -> None:
    raise _Prolog


def _check_prolog(part: Any, name: str) -> None:
    """Refuse a document type (where entities are defined) before the first element. Expat
    reads the declared encoding, so a UTF-16 part is scanned as well as a UTF-8 one."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = _stop
    try:
        while chunk := part.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Prolog:
        return
    except expat.ExpatError as e:
        raise WorkbookRefused("unreadable", f"{name} is not XML: {e}") from None


def check_zip(source: bytes | Path) -> None:
    """Refuse the file before any XML of it is parsed (see :class:`WorkbookRefused`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise WorkbookRefused("unreadable", f"more than {MAX_MEMBERS} parts")
            total = sum(i.file_size for i in infos)
            if total > MAX_EXPANDED:
                raise WorkbookRefused("expanded", f"unpacks to {total:,} bytes")
            for i in infos:
                if i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    times = i.file_size // max(i.compress_size, 1)
                    raise WorkbookRefused("ratio", f"{i.filename} unpacks {times} times")
            for i in infos:
                if i.filename.lower().endswith(_XML_PARTS):
                    with z.open(i) as part:
                        _check_prolog(part, i.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as e:
        raise WorkbookRefused("unreadable", f"not a readable zip: {e}") from None


def open_workbook(source: bytes | Path) -> Any:
    """A read-only openpyxl workbook of ``source`` (bytes or a file), checked first. The caller
    closes it."""
    check_zip(source)
    from openpyxl import load_workbook

    try:
        return load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            read_only=True,
            data_only=True,
        )
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookRefused("unreadable", f"{type(e).__name__}: {e}") from None


def sheet_rows(ws: Any, *, min_row: int = 1, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only sheet, refused past :data:`MAX_CELLS` cells.

    A declared size over the limit is refused before reading. Rows are then read as written, not
    padded to the declared size (which may also be too small and would cut rows off); the cells
    a row holds count toward the limit as they are read."""
    rows, columns = ws.max_row, ws.max_column
    if rows and columns and (rows - ws.min_row + 1) * (columns - ws.min_column + 1) > MAX_CELLS:
        raise WorkbookRefused("cells", f"the sheet declares {rows:,} rows of {columns:,} columns")
    ws.reset_dimensions()
    cells = 0
    rows_read = ws.iter_rows(min_row=min_row, values_only=values_only)
    while True:
        try:
            row = next(rows_read)
        except StopIteration:
            return
        except Exception as e:  # sheet XML is parsed only while iterating
            raise WorkbookRefused("unreadable", f"{type(e).__name__}: {e}") from None
        cells += len(row)
        if cells > MAX_CELLS:
            raise WorkbookRefused("cells", f"the sheet has more than {MAX_CELLS:,} cells")
        yield row
