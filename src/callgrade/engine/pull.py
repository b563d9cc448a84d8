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

PostgreSQL is read through psycopg. MySQL/MariaDB URLs are refused with a sentence: no MySQL
driver is installed with callgrade (export the table to CSV and ingest it as ``queue_log_db``).
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
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from callgrade.engine.batches import BatchInfo
from callgrade.engine.connectors.base import ConnectorError
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
    url: str  # postgresql://user:password@host:port/database
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
        scheme = urlsplit(self.url).scheme.split("+")[0]
        if scheme in ("mysql", "mariadb"):
            raise ConnectorError(
                "MySQL/MariaDB is not supported: no MySQL driver is installed with callgrade; "
                "export the queue_log table to CSV and ingest it with format queue_log_db"
            )
        if scheme not in ("postgresql", "postgres"):
            raise ConnectorError(
                f"connection URL scheme {scheme or '(none)'!r}: expected "
                "postgresql://user:password@host:port/database"
            )


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
        for r in rows:
            by_month.setdefault(r["time"][:7], []).append(r)
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


def _seq(path: Path) -> int:
    m = re.search(r"chunk-(\d+)", path.name)
    return int(m.group(1)) if m else 0


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return str(value)


def _fetch(source: PullSource, cursor: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The rows past ``cursor``, in chunks, oldest first."""
    import psycopg
    from psycopg import sql

    table = sql.Identifier(*source.table.split("."))
    try:
        conn = psycopg.connect(source.url, connect_timeout=10)
    except psycopg.Error as exc:
        raise ConnectorError(f"cannot connect to {redact(source.url)}: {exc}".strip()) from None
    with conn:
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(table))
                names = [d.name.lower() for d in cur.description or []]
        except psycopg.Error as exc:
            raise ConnectorError(f"cannot read table {source.table}: {exc}".strip()) from None
        missing = [c for c in COLUMNS if c not in names and not (c == "id" and source.by == "time")]
        if missing or not ({"data", "data1"} & set(names)):
            raise ConnectorError(
                f"table {source.table} has no column {', '.join(missing or ['data1'])}; expected "
                "Asterisk's realtime queue_log: id, time, callid, queuename, agent, event, "
                "data1..data5 (or data)"
            )
        data_cols = [c for c in DATA if c in names] if "data1" in names else ["data"]
        cols = [c for c in COLUMNS if c in names] + data_cols
        select = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
        key = sql.Identifier(source.by)
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT max({}) FROM {}").format(key, table))
            row = cur.fetchone()
        upper = row[0] if row else None
        if upper is None:
            return
        if source.by == "time":  # the newest second waits: rows may still arrive within it
            upper = upper - dt.timedelta(seconds=1)
        after = cursor.get(source.by)
        if source.by == "time" and after is not None:
            after = dt.datetime.fromisoformat(after)
        where = sql.SQL("{} <= %s").format(key)
        args: list[Any] = [upper]
        if after is not None:
            where = sql.SQL("{} > %s AND {} <= %s").format(key, key)
            args = [after, upper]
        query = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(select, table, where, key)
        with conn.cursor(name="callgrade_pull") as cur:  # server side: streamed, not loaded whole
            cur.execute(query, args)
            while batch := cur.fetchmany(source.chunk):
                yield [_raw(dict(zip(cols, r, strict=True))) for r in batch]


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

    first = min(t for t in rows.column("time").to_pylist() if t)
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
