"""Pulling Asterisk's realtime ``queue_log`` table from a database, incrementally and resumably.

Two steps, each safe to kill at any instant:

1. **Fetch**: the rows past the cursor are streamed from the database and kept, in chunks, under
   ``<data_dir>/pull/<source>/raw/month=YYYY-MM/chunk-<seq>.parquet`` (the month of the row's
   local time). A chunk's files are written under temporary names and renamed, then the cursor
   (``cursor.json``: the last chunk, id and time) is replaced atomically. Files of a chunk the
   cursor does not name yet (a fetch killed between its renames) are deleted when the next pull
   starts, and their rows fetched again: nothing is lost, nothing kept twice.
2. **Load**: every month that received rows since the last loaded chunk is parsed again *whole*
   (all of its kept rows, as one queue_log table export through the ``queue_log_db`` connector)
   and committed as one batch whose ledger entry records the chunk it loaded through. The
   cursor of what is loaded is therefore in the warehouse's own atomic commit: a kill before
   it loads the months again, and the warehouse's stable keys make that add nothing twice.
   The months are read together, preceded by the month before them as context: a call or a
   session that began in that month is read from its first line. What the context alone
   produces is dropped (an interval "from the start of the data" to a logoff whose login lies
   before the context; the earlier pull that saw the login keeps it); intervals wholly inside
   the context are written again unchanged. The very first month of the data has no context:
   a session running when the table begins counts from its first line, as for a file.

Incremental by ``id`` (Asterisk's serial primary key; rows with an id past the one the pull
started at wait for the next pull) or, for tables without one, by ``time``: the rows up to the
newest second but one are read, so rows written late within a second are not skipped.

PostgreSQL is read through psycopg (a named, server-side cursor), MySQL and MariaDB through
PyMySQL (an unbuffered cursor): both stream the rows instead of holding the result whole. The
rest (cursor, chunks, months, load) does not depend on which database it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from callgrade.engine.batches import BatchInfo
from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.ingest import IngestReport, ingest_files
from callgrade.engine.warehouse import Warehouse

COLUMNS = ["id", "time", "callid", "queuename", "agent", "event"]
DATA = ["data1", "data2", "data3", "data4", "data5"]
RAW = pa.schema([pa.field(c, pa.int64() if c == "id" else pa.string()) for c in COLUMNS + DATA])
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PullSource:
    name: str  # names the raw store and the batches: letters, digits, '-', '_'
    url: str  # postgresql://… or mysql://user:password@host:port/database
    table: str = "queue_log"
    by: str = "id"  # or "time"
    tz: str = "UTC"  # the zone of the table's local times
    chunk: int = 50_000

    def check(self) -> None:
        if not _NAME.match(self.name):
            raise ConnectorError(
                f"source name {self.name!r}: use letters, digits, '-' or '_' (up to 60)"
            )
        if not _TABLE.match(self.table):
            raise ConnectorError(f"table {self.table!r}: expected a name such as queue_log")
        if self.by not in ("id", "time"):
            raise ConnectorError(f"by {self.by!r}: expected id or time")
        if self.chunk < 1:
            raise ConnectorError("chunk must be at least 1 row")
        if self.dialect == "mysql":
            _mysql_args(self.url)  # refuses a URL it cannot use before anything runs
        elif self.dialect != "postgresql":
            scheme = urlsplit(self.url).scheme
            raise ConnectorError(
                f"connection URL scheme {scheme or '(none)'!r}: expected "
                "postgresql://user:password@host:port/database or "
                "mysql://user:password@host:port/database"
            )

    @property
    def dialect(self) -> str:
        """postgresql or mysql (MariaDB speaks MySQL's protocol); '' for anything else."""
        scheme = urlsplit(self.url).scheme.split("+")[0].lower()
        if scheme in ("postgresql", "postgres"):
            return "postgresql"
        return "mysql" if scheme in ("mysql", "mariadb") else ""


@dataclass(frozen=True)
class PullReport:
    source: str
    fetched: int  # rows fetched from the database by this pull
    months: list[str]  # months parsed again and loaded
    ingest: IngestReport | None  # None when there was nothing new to load

    @property
    def batch(self) -> str:
        return self.ingest.batch if self.ingest else ""


def redact(url: str) -> str:
    """The URL without its password, for pages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


class Store:
    """The rows fetched so far for one source, and the cursor saying how far that is."""

    def __init__(self, data_dir: Path, name: str) -> None:
        self.dir = Path(data_dir) / "pull" / name
        self.raw = self.dir / "raw"
        self.cursor_file = self.dir / "cursor.json"

    def cursor(self) -> dict[str, Any]:
        if not self.cursor_file.exists():
            return {"seq": 0, "id": None, "time": None}
        data: dict[str, Any] = json.loads(self.cursor_file.read_text("utf-8"))
        return data

    def clean(self) -> None:
        """Drop what a killed fetch left: temporary files and chunks the cursor does not name."""
        seq = self.cursor()["seq"]
        for path in self.raw.rglob("*") if self.raw.is_dir() else []:
            if path.is_file() and (path.suffix == ".tmp" or _seq(path) > seq):
                path.unlink()

    def add(self, rows: list[dict[str, Any]]) -> int:
        """Keep one chunk and move the cursor past it (files first, cursor last)."""
        cursor = self.cursor()
        seq = cursor["seq"] + 1
        by_month: dict[str, list[dict[str, Any]]] = {}
        month = _month(cursor["time"]) or next(filter(None, map(_month, rows)), "0000-00")
        for r in rows:
            # a row without a readable time goes with the row before it, and is rejected with
            # its reason when that month is loaded (a NULL time must not stop every pull)
            month = _month(r) or month
            by_month.setdefault(month, []).append(r)
        staged = []
        for month, part in sorted(by_month.items()):
            target = self.raw / f"month={month}" / f"chunk-{seq:08d}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            pq.write_table(pa.Table.from_pylist(part, schema=RAW), tmp)
            staged.append((tmp, target))
        for tmp, target in staged:
            os.replace(tmp, target)
        last = rows[-1]
        new = {"seq": seq, "id": last["id"], "time": last["time"]}
        tmp_cursor = self.cursor_file.with_suffix(".tmp")
        tmp_cursor.write_text(json.dumps(new), "utf-8")
        os.replace(tmp_cursor, self.cursor_file)
        return seq

    def months(self) -> list[str]:
        if not self.raw.is_dir():
            return []
        return sorted(p.name.removeprefix("month=") for p in self.raw.glob("month=*"))

    def months_since(self, seq: int) -> list[str]:
        months = set()
        for path in self.raw.glob("month=*/chunk-*.parquet") if self.raw.is_dir() else []:
            if _seq(path) > seq:
                months.add(path.parent.name.removeprefix("month="))
        return sorted(months)

    def month_rows(self, month: str) -> pa.Table:
        files = sorted((self.raw / f"month={month}").glob("chunk-*.parquet"), key=_seq)
        files = [f for f in files if _seq(f) <= self.cursor()["seq"]]
        return pa.concat_tables([pq.read_table(f, schema=RAW) for f in files])


def _month(row: dict[str, Any] | str | None) -> str | None:
    """YYYY-MM of a row's (or a cursor's) time, or None when it has no readable time."""
    text = row.get("time") if isinstance(row, dict) else row
    if not text:
        return None
    try:
        dt.datetime.fromisoformat(text.replace("T", " ")[:19])
    except ValueError:
        return None
    return text[:7]


def _seq(path: Path) -> int:
    m = re.search(r"chunk-(\d+)", path.name)
    return int(m.group(1)) if m else 0


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return str(value)


_MYSQL_OPTIONS = ("charset", "unix_socket", "connect_timeout")


def _mysql_args(url: str) -> dict[str, Any]:
    """PyMySQL's connect arguments from mysql://user:password@host:port/database[?charset=…]."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database or "/" in database:
        raise ConnectorError(
            f"connection URL {redact(url)}: expected mysql://user:password@host:port/database"
        )
    options = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = sorted(set(options) - set(_MYSQL_OPTIONS))
    if unknown:
        raise ConnectorError(
            f"connection URL option {unknown[0]!r}: expected only {', '.join(_MYSQL_OPTIONS)}"
        )
    try:
        port = parts.port or 3306
        timeout = int(options.get("connect_timeout", 10))
    except ValueError as exc:
        raise ConnectorError(f"connection URL {redact(url)}: {exc}") from None
    args: dict[str, Any] = {
        "host": parts.hostname,
        "port": port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": database,
        "charset": options.get("charset", "utf8mb4"),
        "connect_timeout": timeout,
    }
    if options.get("unix_socket"):
        args["unix_socket"] = options["unix_socket"]
    return args


class _Db:
    """The little that differs between PostgreSQL and MySQL: connecting, quoting a name, the
    driver's error class and a cursor that streams."""

    def __init__(self, source: PullSource) -> None:
        self.source = source
        if source.dialect == "mysql":
            import pymysql
            import pymysql.cursors

            self.error: type[Exception] = pymysql.Error
            self._quote = "`"
            self._stream_class = pymysql.cursors.SSCursor
            try:
                self.conn: Any = pymysql.connect(**_mysql_args(source.url))
            except pymysql.Error as exc:
                raise ConnectorError(say("pl_connect", url=redact(source.url), error=exc)) from None
        else:
            import psycopg

            self.error = psycopg.Error
            self._quote = '"'
            try:
                self.conn = psycopg.connect(source.url, connect_timeout=10)
            except psycopg.Error as exc:
                message = str(exc).strip()
                raise ConnectorError(
                    say("pl_connect", url=redact(source.url), error=message)
                ) from None

    def name(self, dotted: str) -> str:
        # the table was checked against _TABLE (letters, digits, '_'): quoting cannot be escaped
        return ".".join(f"{self._quote}{part}{self._quote}" for part in dotted.split("."))

    def one(self, query: str) -> tuple[Any, ...] | None:
        cur = self.conn.cursor()
        try:
            cur.execute(query)
            row: tuple[Any, ...] | None = cur.fetchone()
            return row
        finally:
            cur.close()

    def columns(self, table: str) -> list[str]:
        cur = self.conn.cursor()
        try:
            cur.execute(f"SELECT * FROM {table} WHERE 1 = 0")
            names = [str(d[0]).lower() for d in cur.description or []]
            cur.fetchall()
            return names
        finally:
            cur.close()

    def stream(self) -> Any:
        """A cursor reading the result from the server as it is fetched, not all at once."""
        if self.source.dialect == "mysql":
            return self.conn.cursor(self._stream_class)
        return self.conn.cursor(name="callgrade_pull")

    def close(self) -> None:
        self.conn.close()


def _fetch(source: PullSource, cursor: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The rows past ``cursor``, in chunks, oldest first."""
    db = _Db(source)
    try:
        yield from _rows(db, source, cursor)
    finally:
        db.close()


def _rows(db: _Db, source: PullSource, cursor: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    table = db.name(source.table)
    try:
        names = db.columns(table)
    except db.error as exc:
        raise ConnectorError(say("pl_table", table=source.table, error=exc).strip()) from None
    missing = [c for c in COLUMNS if c not in names and not (c == "id" and source.by == "time")]
    if missing or not ({"data", "data1"} & set(names)):
        raise ConnectorError(
            f"table {source.table} has no column {', '.join(missing or ['data1'])}; expected "
            "Asterisk's realtime queue_log: id, time, callid, queuename, agent, event, "
            "data1..data5 (or data)"
        )
    data_cols = [c for c in DATA if c in names] if "data1" in names else ["data"]
    cols = [c for c in COLUMNS if c in names] + data_cols
    select = ", ".join(db.name(c) for c in cols)
    key = db.name(source.by)
    row = db.one(f"SELECT max({key}) FROM {table}")
    upper = row[0] if row else None
    if upper is None:
        return
    if source.by == "time":  # the newest second waits: rows may still arrive within it
        upper = _when(upper) - dt.timedelta(seconds=1)
    after = cursor.get(source.by)
    if source.by == "time" and after is not None:
        after = dt.datetime.fromisoformat(after)
    where = f"{key} <= %s"
    args: list[Any] = [upper]
    if after is not None:
        where = f"{key} > %s AND {key} <= %s"
        args = [after, upper]
    query = f"SELECT {select} FROM {table} WHERE {where} ORDER BY {key}"
    cur = db.stream()
    try:
        cur.execute(query, args)
        while batch := cur.fetchmany(source.chunk):
            yield [_raw(dict(zip(cols, r, strict=True))) for r in batch]
    finally:
        cur.close()


def _when(value: Any) -> dt.datetime:
    """A time column's value as a datetime: MySQL tables made by hand often keep it as text."""
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ConnectorError(
            f"the newest time in the table is {value!r}, not a date and time; pull by id"
        ) from None


def _raw(row: dict[str, Any]) -> dict[str, Any]:
    out = {c: _text(row.get(c)) for c in COLUMNS + DATA}
    out["id"] = row.get("id")
    if "data" in row and "data1" not in row:  # the one-column form: fields separated by '|'
        parts = (row["data"] or "").split("|")
        out.update({f"data{i + 1}": p for i, p in enumerate(parts[:5])})
    return out


def _loaded_through(warehouse: Warehouse, name: str) -> int:
    seqs = [
        int(b.get("pulled_through", 0))
        for _id, b in warehouse.batches()
        if b.get("pull_source") == name
    ]
    return max(seqs, default=0)


def _export(rows: pa.Table, path: Path) -> None:
    """Rows in the queue_log table-export form the ``queue_log_db`` connector reads."""
    header = ["time", "callid", "queuename", "agent", "event", *DATA]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows.select(header).to_pylist():
            w.writerow(["" if r[c] is None else r[c] for c in header])


def _drop_context_starts(
    rows: pa.Table, tz: str
) -> Callable[[dict[str, pa.Table]], dict[str, pa.Table]]:
    """Drop the agent-state intervals that begin at the window's first line: those the
    connector starts "at the start of the data" because their opening line lies before it."""
    from zoneinfo import ZoneInfo

    first = min((t for t in rows.column("time").to_pylist() if _month(t)), default=None)
    if first is None:  # no readable time at all: every row is rejected, nothing to drop
        return lambda tables: tables
    local = dt.datetime.fromisoformat(first).replace(tzinfo=ZoneInfo(tz))
    start = pa.scalar(local.astimezone(dt.UTC), pa.timestamp("us", tz="UTC"))

    def adjust(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        states = tables.get("agent_states")
        if states is not None and states.num_rows:
            import pyarrow.compute as pc

            at_start = pc.equal(states.column("start").cast(start.type), start)
            tables["agent_states"] = states.filter(pc.invert(pc.fill_null(at_start, False)))
        return tables

    return adjust


def pull(
    warehouse: Warehouse, source: PullSource, *, on_progress: Progress | None = None
) -> PullReport:
    """Fetch the new rows of ``source`` and load the months they fall in (see the module)."""
    source.check()
    store = Store(warehouse.data_dir, source.name)
    store.dir.mkdir(parents=True, exist_ok=True)
    store.clean()
    say = on_progress or (lambda fraction, step: None)
    fetched = 0
    say(0.05, "fetch")
    for rows in _fetch(source, store.cursor()):
        store.add(rows)
        fetched += len(rows)
        say(0.1, f"fetch {fetched}")
    through = store.cursor()["seq"]
    months = store.months_since(_loaded_through(warehouse, source.name))
    if not months:
        return PullReport(source.name, fetched, [], None)
    say(0.5, "load")
    work = store.dir / "parse"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    before = [m for m in store.months() if m < months[0]]
    window = before[-1:] + store.months()[store.months().index(months[0]) :]
    rows = pa.concat_tables([store.month_rows(m) for m in window])
    path = work / f"{source.name}.csv"  # one name: the rejects file is replaced, not added to
    _export(rows, path)
    adjust = _drop_context_starts(rows, source.tz) if before else None
    batch = BatchInfo(
        label=f"pull {source.name}: {', '.join(months)}",
        extra={"pull_source": source.name, "pulled_through": through, "months": months},
    )
    report = ingest_files(
        warehouse, "queue_log_db", [path], batch=batch, adjust=adjust, tz=source.tz
    )
    shutil.rmtree(work, ignore_errors=True)
    say(1.0, "done")
    return PullReport(source.name, fetched, months, report)
