"""Uploaded spreadsheets are bounded by what they unpack to, not only by their 5 MB: a zip that
unpacks to gigabytes, an XML entity bomb, a sheet declaring or padding to millions of cells and a
CSV of millions of empty cells are each refused with a clear message, quickly, in bounded memory,
and nothing is kept or written."""

from __future__ import annotations

import functools
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from callgrade.core import tabular
from callgrade.engine import workbook
from callgrade.people.models import Employee, TrainingRecord

HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
# The columns both the employee and the training import require.
COLUMNS = ["employee_id", "name", "position", "training", "completed_at"]
HEADER_ROW = (
    b'<row r="1">'
    + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % c.encode() for c in COLUMNS)
    + b"</row>"
)
# One cell in the sheet's last column: a reader padding rows to the widest one makes 16,384
# cells of it.
FAR_ROW = b'<row><c r="XFD1"><v>1</v></c></row>'
MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def _xlsx(sheet: Callable[[Any], None]) -> bytes:
    """A workbook made by openpyxl whose first sheet's XML is written by ``sheet(stream)``."""
    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buf) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename == SHEET:
                with dst.open(SHEET, "w", force_zip64=True) as stream:
                    sheet(stream)
            else:
                dst.writestr(info.filename, src.read(info))
    return out.getvalue()


def _stream(rows_bytes: int, *, dimension: bytes = b"", prolog: bytes = b"") -> Callable:
    def write(stream: Any) -> None:
        stream.write(HEAD.replace(b"<worksheet", prolog + b"<worksheet", 1))
        stream.write(dimension + b"<sheetData>" + HEADER_ROW)
        chunk = FAR_ROW * (MB // len(FAR_ROW))
        for _ in range(rows_bytes // len(chunk)):
            stream.write(chunk)
        stream.write(FAR_ROW * ((rows_bytes % len(chunk)) // len(FAR_ROW)))
        stream.write(b"</sheetData></worksheet>")

    return write


ENTITIES = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lollollollollollollollollollol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def _entity_bomb(stream: Any) -> None:
    # Each cell expands to 3 MB; the parser gives up a few rows in, while the rows are read
    # (the declared size lets the workbook open without reading the rows).
    stream.write(HEAD.replace(b"<worksheet", ENTITIES + b"<worksheet", 1))
    stream.write(b'<dimension ref="A1:E49"/><sheetData>' + HEADER_ROW)
    for r in range(2, 50):
        stream.write(b'<row r="%d"><c t="inlineStr"><is><t>&lol5;</t></is></c></row>' % r)
    stream.write(b"</sheetData></worksheet>")


@functools.cache
def bomb(name: str) -> tuple[bytes, str]:
    """(file, the words its refusal must contain)."""
    if name == "unpacks past 50 MB":
        return _xlsx(_stream(60 * MB)), "expands to more than 50 MB: not accepted"
    if name == "packed a thousand times":
        return _xlsx(_stream(20 * MB)), "expands to more than 100 times its size: not accepted"
    if name == "XML entities":
        return _xlsx(_entity_bomb), "not a readable XLSX workbook"
    if name == "declares millions of cells":
        dimension = b'<dimension ref="A1:XFD1048576"/>'
        data = _xlsx(_stream(0, dimension=dimension))
        return data, "more than 1,000,000 cells: not accepted"
    if name == "pads rows to millions of cells":
        return _xlsx(_stream(len(FAR_ROW) * 100)), "more than 1,000,000 cells: not accepted"
    if name == "a CSV of millions of empty cells":
        data = ",".join(COLUMNS).encode() + b"\n" + b"," * (4 * MB) + b"\n"
        return data, "more than 1,000,000 cells: not accepted"
    raise KeyError(name)


BOMBS = [
    "unpacks past 50 MB",
    "packed a thousand times",
    "XML entities",
    "declares millions of cells",
    "pads rows to millions of cells",
    "a CSV of millions of empty cells",
]
PAGES = {
    "employees": ("/org/employees/import/", {}),
    "trainings": ("/org/records/import/", {"kind": "trainings"}),
}


def _staged() -> set[str]:
    folder = tabular.stage_dir()
    return {p.name for p in folder.glob("*.json")} if folder.is_dir() else set()


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_quickly_in_bounded_memory_and_nothing_is_kept(
    login: Any, hr: Any, name: str, page: str
) -> None:
    data, words = bomb(name)
    assert len(data) < tabular.MAX_BYTES
    url, fields = PAGES[page]
    filename = "staff.csv" if "CSV" in name else "staff.xlsx"
    c = login(hr)
    before = (_staged(), Employee.objects.count(), TrainingRecord.objects.count())
    tracemalloc.start()
    start = time.perf_counter()
    try:
        r = c.post(url, {**fields, "file": SimpleUploadedFile(filename, data)})
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 200
    assert words in r.context["file_error"]
    assert r.context.get("preview") is None
    assert seconds < 10, seconds  # under tracing; a few tenths of a second without it
    assert peak < 200 * MB, peak
    assert (_staged(), Employee.objects.count(), TrainingRecord.objects.count()) == before


def test_refusals_are_in_the_readers_language(login: Any, hr: Any) -> None:
    c = login(hr)
    zh = {
        "unpacks past 50 MB": "文件解压后超过 50 MB，不予接受。",
        "packed a thousand times": "文件解压后超过自身大小的 100 倍，不予接受。",
        "XML entities": "该文件不是可读取的 XLSX 工作簿。",
        "declares millions of cells": "工作表超过 1,000,000 个单元格，不予接受。",
    }
    for name, words in zh.items():
        data, _ = bomb(name)
        r = c.post(
            "/org/employees/import/",
            {"file": SimpleUploadedFile("员工.xlsx", data)},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert r.context["file_error"] == words
        assert words in r.content.decode()


def test_the_xml_of_a_workbook_is_parsed_with_entities_refused() -> None:
    # defusedxml makes openpyxl's own parser refuse document types too, behind the zip check.
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    data, _ = bomb("XML entities")
    with pytest.raises(workbook.WorkbookRefused) as refused:
        workbook.check_zip(data)
    assert refused.value.reason == "unreadable"


def test_a_sheet_whose_declared_size_is_too_small_is_read_whole(login: Any, hr: Any) -> None:
    # Rows are read as written, not cut at a wrong declared size.
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["employee_id", "position"])
    for i in range(5):
        ws.append([f"E95{i:02d}", "telesales"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == SHEET:
                body = body.replace(b'<dimension ref="A1:B6" />', b'<dimension ref="A1:B2" />')
                assert b'ref="A1:B2"' in body
            dst.writestr(info.filename, body)
    columns, _, rows = tabular.read_table(
        out.getvalue(), "s.xlsx", aliases={"employee_id": "id", "position": "p"}, required=()
    )
    assert columns == ["id", "p"] and [n for n, _ in rows] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_than_20000_rows_are_refused_however_many_blank_rows_there_are(kind: str) -> None:
    # Blank rows do not count toward the limit, nor do they hide rows past it.
    rows = [["employee_id", "position"]]
    for i in range(tabular.MAX_ROWS + 1):
        rows.append([f"E{i:06d}", "telesales"])
        if i % 2 == 0:
            rows.append(["", ""])
    if kind == "csv":
        data = "\n".join(",".join(r) for r in rows).encode()
    else:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    aliases = {"employee_id": "id", "position": "p"}
    with translation.override("en"), pytest.raises(tabular.ImportFileError, match="20,000 rows"):
        tabular.read_table(data, f"s.{kind}", aliases=aliases, required=("id",))
    # one row fewer is read whole, row numbers as the spreadsheet shows them
    last = max(i for i, r in enumerate(rows) if r[0])
    fewer = "\n".join(",".join(r) for r in rows[:last]).encode()
    _, _, read = tabular.read_table(fewer, "s.csv", aliases=aliases, required=("id",))
    assert len(read) == tabular.MAX_ROWS and read[-1][0] == last
