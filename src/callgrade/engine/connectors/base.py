"""What every connector returns, and helpers for keeping rejects honest.

A connector reads one file and returns a :class:`ParseResult`: canonical tables (by name, see
:mod:`callgrade.engine.schemas`), the rejected records with a reason each, and the counts. It never
raises on bad *content* — a malformed line, an unknown event, a bad number, a wrong encoding, an
empty file or truncated JSON becomes a reject (or, for an unreadable whole file, a single reject
with line None). It raises :class:`ConnectorError` only for misuse (unknown option, missing file).

Counting rule: ``read`` is the number of records (non-blank lines, JSON objects, sheet rows) the
connector saw; each is accepted, rejected, or filtered out (left aside on purpose by a row filter
of the mapped connector, with no reason: it is not a mistake), so
``read == accepted + rejected + filtered`` always. A reject without a line number means the file
as a whole could not be read (empty, no header, not a workbook).
"""

from __future__ import annotations

import codecs
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from callgrade.engine.schemas import REJECTS

MAX_RAW = 1000


class ConnectorError(Exception):
    """Misuse: the file cannot be opened, an option is wrong. Message is one plain line."""


@dataclass(frozen=True)
class Reject:
    source: str
    line: int | None
    field: str | None
    reason: str
    raw: str | None = None


@dataclass
class ParseResult:
    connector: str
    source: str
    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejects: pa.Table = field(default_factory=REJECTS.empty_table)
    read: int = 0
    accepted: int = 0
    filtered: int = 0

    @property
    def rejected(self) -> int:
        return self.rejects.num_rows

    @property
    def unreadable(self) -> str | None:
        """Why the file as a whole could not be read (its reject without a line number), or
        None when it was read."""
        if self.accepted or not self.rejects.num_rows:
            return None
        for line, reason in zip(
            self.rejects.column("line").to_pylist(),
            self.rejects.column("reason").to_pylist(),
            strict=True,
        ):
            if line is None:
                return str(reason)
        return None

    def check_counts(self) -> None:
        if self.read != self.accepted + self.rejected + self.filtered:
            raise AssertionError(
                f"{self.source}: counts do not reconcile: read {self.read} != accepted "
                f"{self.accepted} + rejected {self.rejected} + filtered {self.filtered}"
            )


def rejects_table(rejects: Iterable[Reject]) -> pa.Table:
    rows = list(rejects)
    return pa.table(
        {
            "source": [r.source for r in rows],
            "line": [r.line for r in rows],
            "field": [r.field for r in rows],
            "reason": [r.reason for r in rows],
            "raw": [None if r.raw is None else r.raw[:MAX_RAW] for r in rows],
        },
        schema=REJECTS,
    )


def source_label(connector: str, path: Path) -> str:
    """The ``source`` column value: connector and file name (not the directory, so moving a file
    does not change lineage)."""
    return f"{connector}:{path.name}"


def time_zone(tz: str) -> zoneinfo.ZoneInfo:
    """The IANA zone ``tz``, or a ConnectorError saying what a valid name looks like."""
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConnectorError(
            f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai"
        ) from None


def read_lenient(path: Path | str, encoding: str) -> str:
    """The file's text with undecodable bytes kept in place as surrogates (``surrogateescape``),
    so a connector can reject only the records holding them; a UTF-8 BOM is dropped."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConnectorError(f"unknown encoding {encoding!r}") from None
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return data.decode(encoding, "surrogateescape").removeprefix("\ufeff")


def read_text(path: Path, encoding: str = "utf-8") -> tuple[str | None, Reject | None]:
    """Whole-file text in ``encoding`` (a UTF-8 BOM is dropped). On a decoding error returns a
    reject that names the byte offset and says which encoding was expected."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConnectorError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Reject(
            source=str(path.name),
            line=line,
            field=None,
            reason=(
                f"cannot decode byte 0x{data[exc.start]:02x} at offset {exc.start} as {encoding}; "
                f"re-export as {encoding} or pass --encoding (e.g. gb18030)"
            ),
            raw=data[max(0, exc.start - 40) : exc.start + 40].decode(encoding, "replace"),
        )
    return text.removeprefix("\ufeff"), None
