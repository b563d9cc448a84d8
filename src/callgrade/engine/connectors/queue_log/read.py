"""Load a queue_log file into DuckDB as numbered raw lines or rows, ready for one SQL derivation.

Line numbers never come from ``row_number() OVER ()``, which a parallel scan does not keep in file
order. The fast path (:func:`load_fields`) stores the reader's rows in a table filled in file order
and uses its ``rowid``; the other paths fetch rows in order and number them with one ``arange``.

The other paths end up as the table ``lines(line, raw, f)`` where ``f`` is the list of fields in
file-form order: time, callid, queuename, agent, event, data1, data2, … (the database form's
data columns are re-split on ``|`` so that adaptive-realtime ``data5 = "calltime|origpos"``
becomes two fields).
"""

from __future__ import annotations

import codecs
import mmap
import os
import re
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from callgrade.engine.connectors.base import ConnectorError, Reject
from callgrade.engine.connectors.queue_log import events
from callgrade.engine.connectors.reasons import at
from callgrade.engine.connectors.reasons import reason as say

# Stands in for a line that did not decode, so that later lines keep their numbers.
UNDECODABLE = "#callgrade:undecodable-line#"

_LINE_CSV = (
    "read_csv(?, columns={'raw': 'VARCHAR'}, delim='\x1f', header=false, quote='', escape='',"
    " auto_detect=false, new_line='\\r\\n', strict_mode=false)"
)
DB_COLUMNS = ("time", "callid", "queuename", "agent", "event")
# time, callid, queuename, agent, event, data1..data5: all the derivation reads; later fields
# are dropped by the reader.
FIELD_COUNT = 10
_FIELDS_CSV = (
    "read_csv(?, columns={"
    + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(FIELD_COUNT))
    + "}, delim='|', header=false, quote='', escape='', auto_detect=false, null_padding=true,"
    " strict_mode=false, new_line='\\r\\n')"
)

# A newline followed by what can start a blank line; one regex pass beats four substring searches.
_BLANK_LINE_START = re.compile(rb"\n[\n \t\r]")


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ConnectorError(f"unknown encoding {encoding!r}; e.g. utf-8 or gb18030") from None


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc


def decode_lines(data: bytes, encoding: str, source: str) -> tuple[str, list[Reject]]:
    """Text of ``data`` in UTF-8; each line that does not decode is replaced by a marker and
    reported, so one bad byte costs one line, not the file."""
    try:
        return data.decode(encoding).removeprefix("\ufeff"), []
    except UnicodeDecodeError:
        pass
    out: list[str] = []
    rejects: list[Reject] = []
    for number, chunk in enumerate(data.split(b"\n"), start=1):
        try:
            out.append(chunk.decode(encoding))
        except UnicodeDecodeError as exc:
            out.append(UNDECODABLE)
            rejects.append(
                Reject(
                    source=source,
                    line=number,
                    field=None,
                    reason=at(
                        number,
                        say(
                            "ql_undecodable",
                            byte=f"0x{chunk[exc.start]:02x}",
                            column=exc.start + 1,
                            encoding=encoding,
                        ),
                    ),
                    raw=chunk[:1000].decode(encoding, "replace"),
                )
            )
    if out:
        out[0] = out[0].removeprefix("\ufeff")
    return "\n".join(out), rejects


def _numbered(table: pa.Table, first: int) -> pa.Table:
    numbers = np.arange(first, first + table.num_rows, dtype=np.int64)
    return table.append_column("line", pa.array(numbers))


def _read_utf8_lines(con: duckdb.DuckDBPyConnection, path: Path) -> pa.Table:
    return con.execute(f"SELECT raw FROM {_LINE_CSV}", [str(path)]).to_arrow_table()


def _duckdb_reads_exactly(path: Path) -> bool:
    """True when DuckDB's one-column read gives exactly the file's lines: every CR is part of a
    CRLF (the reader also breaks at a lone CR, and then drops a character) and no line holds the
    unit separator used as the never-seen column delimiter. Streamed, so memory stays flat."""
    crs = crlfs = 0
    last_was_cr = False
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 24):
                if b"\x1f" in chunk:
                    return False
                crs += chunk.count(b"\r")
                crlfs += chunk.count(b"\r\n") + (last_was_cr and chunk[:1] == b"\n")
                last_was_cr = chunk[-1:] == b"\r"
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return crs == crlfs


def _fields_read_exactly(path: Path) -> bool:
    """True when DuckDB's field reader gives one row per line with the file's line numbers:
    every CR is part of a CRLF and no line is blank (the reader skips empty lines, and a line of
    spaces would become a row). A blank line starts the file or follows a newline with LF, CR,
    space or tab; one regex pass over the mapped file finds it without copying."""
    try:
        with path.open("rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return True
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if data[:1] in (b"\n", b" ", b"\t", b"\r") or _BLANK_LINE_START.search(data):
                    return False
                if data.find(b"\r") < 0:
                    return True
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc
    # CRs present (CRLF files): count them against CRLFs, streamed so memory stays flat.
    return _duckdb_reads_exactly(path)


def load_fields(con: duckdb.DuckDBPyConnection, path: Path, encoding: str) -> bool:
    """The fast path: create the table ``fields_read`` (the ten fields ``c0..c9`` split by
    DuckDB's CSV reader, empty fields NULL, plus each line's parsed time ``ts`` and ``bad`` tag,
    see :func:`events.checked_fields`) and the view ``fields(line, c0..c9)``. Reading, parsing
    and checking is one scan and the fields are held once, in DuckDB. False, with nothing
    created, when the file needs :func:`load_file_form` (another encoding, blank lines, a lone
    CR, bytes that are not UTF-8)."""
    if check_encoding(encoding) != "utf-8" or not _fields_read_exactly(path):
        return False
    # A table filled from a plain scan and projection with insertion order kept stores the rows
    # in file order, so its rowid numbers the lines, with no round trip through Arrow.
    con.execute("SET SESSION preserve_insertion_order = true")
    try:
        con.execute(
            f"CREATE TEMP TABLE fields_read AS {events.checked_fields(_FIELDS_CSV)}", [str(path)]
        )
    except duckdb.Error:
        return False
    con.execute(
        f"CREATE TEMP VIEW fields AS SELECT rowid + 1 AS line, {', '.join(events.FIELD_NAMES)}"
        " FROM fields_read"
    )
    return True


def raw_lines(path: Path, numbers: list[int]) -> pa.Table:
    """``(line, raw)`` of the given lines of a file that passed :func:`load_fields` (so line n
    is the n-th LF-separated line), for writing the reasons of the few rejected lines."""
    # DuckDB has read the file as UTF-8 already; "replace" only guards against a disagreement.
    text = _bytes(path).decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.split("\n")
    return pa.table(
        {
            "raw": pa.array([lines[n - 1].removesuffix("\r") for n in numbers], pa.string()),
            "line": pa.array(numbers, pa.int64()),
        }
    )


def lines_view(con: duckdb.DuckDBPyConnection, marker: str = "") -> None:
    """``lines(line, raw, f)`` over the registered ``raw_lines``, blank lines left out."""
    con.execute(
        f"""CREATE TEMP VIEW lines AS
            SELECT line, raw, string_split(raw, '|') AS f FROM raw_lines
            WHERE regexp_matches(raw, '[^ \t\r]'){marker}"""
    )


def _split_lines(text: str) -> pa.Table:
    """The exact path: lines split at LF only, one trailing CR dropped (rare files only)."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    return pa.table({"raw": pa.array(lines, pa.string())})


def load_file_form(
    con: duckdb.DuckDBPyConnection, path: Path, encoding: str, source: str
) -> list[Reject]:
    """Create ``lines`` from a pipe-separated queue_log file; returns undecodable-line rejects."""
    rejects: list[Reject] = []
    raw: pa.Table | None = None
    if check_encoding(encoding) == "utf-8" and _duckdb_reads_exactly(path):
        try:
            raw = _read_utf8_lines(con, path)
        except duckdb.Error:
            raw = None  # not valid UTF-8 somewhere: find the lines in Python below
    if raw is None:
        text, rejects = decode_lines(_bytes(path), encoding, source)
        raw = _split_lines(text)
    con.register("raw_lines", _numbered(raw, 1))
    # Blank = only spaces, tabs and CRs; the marker only exists when decoding fell back.
    lines_view(con, f" AND raw <> '{UNDECODABLE}'" if rejects else "")
    return rejects


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in ("\t", ";", ",")}
    return max(counts, key=lambda d: counts[d])


def load_db_form(
    con: duckdb.DuckDBPyConnection, path: Path, encoding: str, source: str
) -> tuple[list[Reject], Reject | None]:
    """Create ``lines`` from a database export (CSV with a header). Returns undecodable-line
    rejects, and a whole-file reject when the header lacks a required column."""
    text, rejects = decode_lines(_bytes(path), check_encoding(encoding), source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.split("\n", 1)[0].rstrip("\r")
    if not header_line.strip() and text.strip() == "":
        con.execute("CREATE TEMP TABLE lines (line BIGINT, raw VARCHAR, f VARCHAR[])")
        return rejects, None
    delim = sniff_delimiter(header_line)
    names = [n.strip().strip('"').strip().lower() for n in header_line.split(delim)]
    missing = [c for c in DB_COLUMNS if c not in names]
    data_cols = [n for n in names if n.startswith("data")]
    if missing or not data_cols:
        wanted = ", ".join(missing) if missing else "data1..data5 (or data)"
        return rejects, Reject(
            source=source,
            line=1,
            field=None,
            reason=at(1, say("ql_header", missing=wanted, delimiter=repr(delim))),
            raw=header_line,
        )
    data_cols.sort(key=lambda n: (len(n), n))  # data, data1, data2, …, data10
    columns = {f"c{i}": "VARCHAR" for i in range(len(names))}
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "utf8.csv"
        clean.write_text(text, "utf-8")
        try:
            rows = con.execute(
                f"""SELECT * FROM read_csv(?, columns={columns!r}, delim=?, header=true, quote='"',
                    escape='"', auto_detect=false, null_padding=true, strict_mode=false,
                    new_line='\\n')""",
                [str(clean), delim],
            ).to_arrow_table()
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            return rejects, Reject(
                source=source,
                line=None,
                field=None,
                reason=say("ql_export", delimiter=repr(delim), error=first),
                raw=header_line,
            )
    numbered = _numbered(rows, 2)  # noqa: F841  (scanned by DuckDB below)
    col = {n: f"c{names.index(n)}" for n in (*DB_COLUMNS, *data_cols)}
    joined = " || '|' || ".join(f"coalesce({col[n]}, '')" for n in data_cols)
    every = ", ".join(f"coalesce(c{i}, '')" for i in range(len(names)))
    heads = ", ".join(f"coalesce({col[n]}, '')" for n in DB_COLUMNS)
    con.execute(
        f"""CREATE TEMP TABLE lines AS
            SELECT line, concat_ws(?, {every}) AS raw,
                   list_concat([{heads}], string_split({joined}, '|')) AS f
            FROM numbered WHERE c0 IS DISTINCT FROM '{UNDECODABLE}'""",
        [delim],
    )
    return rejects, None
